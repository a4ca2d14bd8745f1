/*
 * world.h — the network the importer adds around the imported firewalls
 * (internal to import/): ISP routers, the core network, the remote
 * WireGuard nodes and their sites. world.c plans it, emit*.c write it.
 */
#ifndef WGSIM_IMPORT_WORLD_H
#define WGSIM_IMPORT_WORLD_H

#include "import/import.h"

typedef struct w_isp {
    char node[IMP_NAME];
    const imp_gateway *gw; /* of fws[fw] */
    size_t fw;
    const imp_iface *wan; /* the firewall interface the gateway is on */
    uint32_t core;        /* its address on the core segment */
    bool monitor_alias;   /* the monitor address is added to its WAN interface */
    imp_prefix monitor;
} w_isp;

typedef struct w_site {
    char segment[IMP_NAME];
    imp_prefix net;
    uint32_t router; /* the internet router's address there (on_fw: the ISP's gateway) */
    bool on_fw;      /* a firewall interface's segment: the endpoint lies in its network */
} w_site;

typedef struct w_remote {
    char node[IMP_NAME];
    char peer_name[IMP_NAME];
    const imp_wg_peer *peer; /* as the first firewall that has it configures it */
    const imp_wg_tunnel *tun;
    size_t fw;
    size_t site;       /* index in sites */
    uint32_t addr;     /* on the site segment */
    bool has_wg;       /* a tunnel address was found in the allowed IPs */
    imp_prefix wg;     /* its tunnel address */
    bool has_lan;
    imp_prefix lan;    /* its LAN: the first other allowed network */
    char lan_segment[IMP_NAME];
    uint32_t fw_tunnel; /* the firewall's tunnel address it pings (0: none) */
    /* where it reaches the firewall(s): the CARP VIP (else the first
     * firewall's address) of the interface the firewall routes it by */
    char pub_iface[IMP_NAME];
    uint32_t pub_addr;
    bool pub_is_vip;
} w_remote;

typedef struct w_world {
    imp_fw **fws;
    size_t n;
    const imp_options *o;
    char node[2][IMP_NAME];   /* the firewalls' node names */
    char default_gw[2][IMP_NAME];
    bool default_chosen[2];   /* the backup names none: the import chose it */
    imp_prefix core;
    uint32_t internet_core;
    IMP_VEC(w_isp) isps;
    IMP_VEC(w_site) sites;
    IMP_VEC(w_remote) remotes;
    /* where remotes reach the firewall(s): the default gateway's interface */
    char public_iface[IMP_NAME];
    uint32_t public_addr; /* its CARP VIP, else the first firewall's address */
    bool public_is_vip;
    int master;            /* index of the preferred node of the pair (lower advskew), -1 single */
    bool carp_tie;         /* a vhid of the pair with equal advbase and advskew: no MASTER to expect */
    bool carp_split;       /* the vhids do not all prefer the same node */
    /* a host on the firewalls' LAN that pings every remote's LAN across its tunnel */
    char lan_iface[IMP_NAME];
    char lan_host[IMP_NAME];
    uint32_t lan_host_addr, lan_gw;
    int lan_len;
    imp_prefix_vec used;   /* networks of interfaces, VIPs, tunnels and allowed IPs: no site may overlap them */
    imp_prefix_vec soft;   /* route destinations, monitors: places in the world a site may hold, but
                            * the networks the import chooses avoid them too */
    IMP_VEC(char *) names; /* node and segment names taken */
    uint8_t tunnel_key[32]; /* scratch for derived keys */
} w_world;

bool w_plan(w_world *w, imp_fw **fws, size_t n, const imp_options *o, imp_errors *err);
void w_free(w_world *w);
const char *w_fw_iface_name(const imp_fw *fw, const char *logical); /* tunnel name for an assigned tunnel */
uint32_t w_tunnel_addr(const imp_fw *fw, const imp_wg_tunnel *t, int *len);
/* The interface fws[k] sends to dst by: its most specific static route,
 * else the default gateway (a group: its best tier); NULL: none. */
const imp_iface *w_egress(const w_world *w, size_t k, uint32_t dst);
/* The firewall's address on f as the world sees it: its CARP VIP (*vip),
 * else f's own. */
uint32_t w_face(const imp_fw *fw, const imp_iface *f, bool *vip);

/* verdict.c: the addresses a rule side stands for (any: *any), and
 * whether the firewall's filter passes a packet in on iface (a logical
 * interface or a tunnel name); ports 0 = a packet without ports. */
size_t w_resolve(const imp_fw *fw, const imp_match *m, imp_prefix *out, size_t cap, bool *any);
bool w_filter_passes(const imp_fw *fw, const char *iface, const char *proto, uint32_t src, int sport, uint32_t dst,
                     int dport);
/* The gateway (or group) the deciding pass rule policy-routes such a packet
 * to, when the scenario has it; NULL: the routing table decides. */
const char *w_policy_route(const imp_fw *fw, const char *iface, const char *proto, uint32_t src, int sport,
                           uint32_t dst, int dport);
/* Whether some pass rule with a gateway on iface takes packets from src. */
bool w_src_policy_routed(const imp_fw *fw, const char *iface, uint32_t src);
/* Whether the scenario has gateway or group name of fw (emit_fw.c). */
bool w_via_emitted(const imp_fw *fw, const char *name);
/* Whether a rule of the scenario routes to a gateway group of fw: then
 * which pfSense version's code keeps members of an all-down group
 * matters (firewall: {gateway-semantics}). */
bool w_rule_names_group(const imp_fw *fw);
/* Whether a rule of the scenario routes to a gateway or group of fw: an
 * OPNsense node then gets gateway-semantics: opnsense. */
bool w_rule_names_gateway(const imp_fw *fw);

uint32_t w_nat_source(const imp_fw *fw, const char *iface, uint32_t src, int sport, uint32_t dst, int dport);

/* Writers: emit_fw.c (the firewall nodes), emit_world.c (the rest). */
typedef struct w_out {
    char *buf;
    size_t n, cap;
} w_out;
void w_printf(w_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *w_addr(uint32_t a, char buf[16]);
const char *w_pfx(imp_prefix p, char buf[20]);
void w_emit_firewall(w_out *o, const w_world *w, size_t k);
void w_emit_header(w_out *o, const w_world *w, const imp_findings *f);
void w_emit_world(w_out *o, const w_world *w);
void w_emit_tests(w_out *o, const w_world *w);

#endif
