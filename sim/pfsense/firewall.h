/*
 * firewall.h — internal interface of the firewall node, shared by its files
 * (sim/pfsense/firewall*.c); everything outside them uses sim/sim.h's
 * sim_fw_* only:
 *   firewall.c          lifecycle (attach, boot, power, link, free),
 *                       commands and accessors
 *   firewall_pf.c       pf on the packet path, pfsync defer
 *   firewall_rules.c    the ruleset pfSense generates (filter.inc)
 *   firewall_carp.c     CARP glue, maintenance mode, CARP disable
 *   firewall_gateway.c  gateway glue: dpinger probes, routes via gateways
 *   firewall_config.c   the sim_fw_* setters, the pfsync pair
 *   wg_carp_depend.c    OPNsense's WireGuard carp_depend_on
 * The overview of the node and its sources: firewall.c's header comment
 * and docs/models.md "The firewall node".
 */
#ifndef SIM_FIREWALL_H
#define SIM_FIREWALL_H

#include "sim/netinet/carp.h"
#include "sim/pfsense/gateway.h"
#include "sim/net/net.h"
#include "sim/netpfil/pf.h"
#include "sim/netpfil/pfsync.h"
#include "sim/record/history.h"

#define FW_MAX_VIPS 64
#define FW_MAX_FOLLOW 16

typedef struct fw_vip {
    char ifname[16];
    uint32_t ifindex;
    uint8_t vhid, advbase, advskew;
    wg_prefix addr;
    uint8_t key[CARP_KEY_LEN];
    bool routed; /* its routes are installed (carp_ifa_addroute), see carp_routes
                  * (firewall_carp.c) */
} fw_vip;

/* An OPNsense WireGuard instance's carp_depend_on (wg_carp_depend.c). */
typedef struct fw_wgdep fw_wgdep;

typedef struct fw_follow {
    wg_prefix dst;
    char name[32];
} fw_follow;

/* The first packet of a state created outbound, held by pfsync defer
 * until the peer acks the insert (if_pfsync.c pfsync_defer). */
typedef struct fw_held {
    struct fw_held *next;
    struct sim_fw *f;
    sim_pkt p; /* p.data points at buf */
    uint8_t buf[];
} fw_held;

struct sim_fw {
    sim_pending pend; /* owned by the world: freed at sim_world_free */
    sim_node *n;
    sim_world *w;
    sim_engine *eng;
    sim_fw_options opt;
    bool started;
    bool pf_active;
    bool gateway_down;
    /* CARP */
    carp carp;
    bool carp_live;       /* carp initialised (node up and started) */
    fw_vip vips[FW_MAX_VIPS];
    size_t n_vips;
    bool maintenance;     /* persistent (pfSense config flag) */
    bool carp_disabled;   /* "Temporarily Disable CARP": not persistent */
    /* pf */
    pf pf;
    pf_filter_rule *user_rules;
    char (*user_gw)[32]; /* per user rule: its gateway name or "" */
    size_t n_user_rules;
    bool has_filter;
    pf_rdr_rule *rdr;     /* port forwards, for the associated pass rules */
    size_t n_rdr;
    char note[600];       /* drop notes must outlive the hook call */
    /* route-to of an inbound rule/state, from the IN hook to the ROUTE hook
     * of the same forwarded packet (pf_route at input). */
    const uint8_t *rt_pkt;
    uint32_t rt_in, rt_ifindex;
    wg_ip rt_nexthop;
    pf_rt rt_kind;
    const char *rt_label; /* interned: the rule or state that carried the route-to / reply-to */
    /* pfsync */
    pfsync ps;
    bool has_pfsync;
    char sync_ifname[16];
    fw_held *held;             /* packets pfsync defer holds */
    const uint8_t *skip_pkt;   /* a released held packet: pf does not see it again */
    sim_event_id purge_ev; /* pf purge thread */
    /* gateways */
    gw_set gws;
    fw_follow follow[FW_MAX_FOLLOW];
    size_t n_follow;
    /* WireGuard instances whose interface follows a vhid (carp_depend_on) */
    fw_wgdep **wgdeps;
    size_t n_wgdeps;
};

static inline uint32_t fw_u32(const wg_ip *ip) { return wg_ip4_to_u32(ip); }
static inline wg_ip fw_ip4(uint32_t a) { return wg_ip4_from_u32(a); }

/* firewall.c: small helpers */
sim_iface *fw_iface_named(const sim_fw *f, const char *name);
/* A rule label, kept once in the world (see firewall.c). */
const char *fw_lab(sim_fw *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fw_ifname_of(const sim_fw *f, uint32_t ifindex);
bool fw_prefix_has(const wg_ip *net, uint8_t plen, uint32_t a);

/* firewall_pf.c: pf_init with the host callbacks, the IN/ROUTE/OUT hooks */
void fw_pf_attach(sim_fw *f);

/* wg_carp_depend.c: OPNsense's carp_depend_on - a vhid changed state /
 * the node powered on or off / the firewall is freed */
void fw_wgdep_carp_changed(sim_fw *f, uint8_t vhid);
void fw_wgdep_power(sim_fw *f, bool on);
void fw_wgdep_free(sim_fw *f);

/* firewall_rules.c: (re)load pfSense's generated ruleset into pf */
void fw_build_rules(sim_fw *f);

/* CARP and gateway rows of the change log: logged after anything that may
 * have changed them (a row that did not change adds nothing). */
void fw_log_carp(sim_fw *f);     /* firewall_carp.c */
void fw_log_gateways(sim_fw *f); /* firewall_gateway.c */

/* firewall_carp.c */
void fw_carp_attach(sim_fw *f); /* L2 ops, CARP protocol handler */
void fw_carp_boot(sim_fw *f);
void fw_carp_halt(sim_fw *f);
void fw_vips_add(sim_fw *f);

/* firewall_gateway.c */
void fw_gw_attach(sim_fw *f); /* gateway set, ICMP listener for the probes */
void fw_apply_follow(sim_fw *f, const fw_follow *fo);
void fw_apply_all_follow(sim_fw *f);
void fw_monitor_routes(sim_fw *f);

#endif
