/*
 * import.h — the import library (issue 21): reads firewall configuration
 * backups (pfSense and OPNsense config.xml) into a model of one firewall
 * (imp_fw), compares two of them as an HA pair, adds the world a scenario
 * needs around them and writes the scenario as YAML text.
 *
 * Layering: depends on libxml2 and libsodium only (never on harness/ or
 * sim/); cli/cmd_import.c writes the text and loads it through the harness
 * for validation and --check. The model is product-neutral: a reader
 * (pfsense_*.c; opnsense_*.c) fills it, everything after reads only it.
 * Each reader cites the pfSense / OPNsense source that gives an element
 * its meaning (docs/import.md, "What is read").
 *
 * Addresses are IPv4 in host byte order (uint32_t); the simulated network
 * is IPv4 only, so an IPv6 setting is an unmodelled item, never dropped.
 */
#ifndef WGSIM_IMPORT_H
#define WGSIM_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IMP_NAME 64  /* scenario names: 1-63 characters */
#define IMP_TEXT 160 /* an XPath, a short description */
#define IMP_MATCH_MAX 64 /* addresses x ports one rule side expands to */

typedef enum { IMP_PFSENSE, IMP_OPNSENSE } imp_product;

/* A growable array: v[0..n). imp_push() returns a zeroed new element. */
#define IMP_VEC(T)                                                                                                     \
    struct {                                                                                                           \
        T *v;                                                                                                          \
        size_t n, cap;                                                                                                 \
    }
void *imp_push_raw(void **v, size_t *n, size_t *cap, size_t size);
#define imp_push(vec) ((__typeof__((vec)->v))imp_push_raw((void **)&(vec)->v, &(vec)->n, &(vec)->cap, sizeof *(vec)->v))

typedef struct imp_prefix {
    uint32_t addr;
    int len; /* 0-32 */
} imp_prefix;
typedef IMP_VEC(imp_prefix) imp_prefix_vec;

typedef enum { IMP_ADDR_NONE, IMP_ADDR_STATIC, IMP_ADDR_DYNAMIC } imp_addr_kind;

typedef struct imp_iface {
    char name[IMP_NAME];   /* logical name: wan, lan, opt1 (the scenario interface name) */
    char driver[IMP_NAME]; /* igb0, igb0.100, tun_wg0 */
    char descr[IMP_NAME];  /* the GUI name (WAN, SYNC), sanitised */
    imp_addr_kind kind;
    char dynamic[16]; /* dhcp, pppoe, ... when kind is DYNAMIC */
    imp_prefix addr;  /* STATIC (or given with --address) */
    bool given;       /* the address came from --address */
    char gateway[IMP_NAME]; /* <gateway>: the interface is a WAN (pfSense interface_has_gateway) */
    bool wan;               /* has a gateway: dynamic kinds and <gateway> (interface_has_gateway) */
    bool wg;                /* the assignment of a WireGuard tunnel (driver tun_wgN / wgN) */
    int line;
} imp_iface;

typedef struct imp_vip {
    bool carp; /* else an IP alias */
    char iface[IMP_NAME];
    int vhid, advbase, advskew;
    imp_prefix addr;
    int line;
} imp_vip;

typedef struct imp_gateway {
    char name[IMP_NAME];
    char iface[IMP_NAME];
    bool dynamic;      /* <gateway>dynamic</gateway>: learnt from DHCP/PPP */
    uint32_t addr;     /* 0 while dynamic and not yet chosen */
    uint32_t monitor;  /* 0 = the gateway's address */
    bool monitor_off;  /* <monitor_disable/> */
    bool is_default;
    /* dpinger settings (gwlb.inc defaults when 0): ms and percent */
    int interval, loss_interval, time_period, latency_low, latency_high, loss_low, loss_high;
    int line;
} imp_gateway;

typedef struct imp_member {
    char gateway[IMP_NAME];
    int tier;
} imp_member;

typedef struct imp_group {
    char name[IMP_NAME];
    IMP_VEC(imp_member) members;
    char trigger[24]; /* down | loss | latency | loss-or-latency (scenario spelling) */
    int line;
} imp_group;

typedef struct imp_route {
    imp_prefix to;
    char gateway[IMP_NAME]; /* gateway or group name */
    int line;
} imp_route;

typedef enum { IMP_NAT_AUTOMATIC, IMP_NAT_HYBRID, IMP_NAT_MANUAL, IMP_NAT_DISABLED } imp_nat_mode;

/* One side of a rule: any, a prefix, the firewall itself ((self): every
 * address of the node), an interface's network (pfSense "lan") or an
 * interface's address ("lanip"); the last two are resolved when the
 * scenario is written, after --address gave dynamic interfaces theirs. */
typedef enum { IMP_MATCH_ANY, IMP_MATCH_PREFIX, IMP_MATCH_SELF, IMP_MATCH_NET, IMP_MATCH_IFADDR } imp_match_kind;
typedef struct imp_match {
    imp_match_kind kind;
    imp_prefix prefix;
    char iface[IMP_NAME];
    int port; /* 0 = any */
} imp_match;

typedef struct imp_nat_rule {
    char iface[IMP_NAME];
    char proto[8]; /* any udp tcp icmp */
    imp_match src, dst;
    bool translate_iface; /* else translate */
    uint32_t translate;
    bool static_port;
    bool automatic;          /* generated as pfSense's automatic rules are */
    char comment[IMP_TEXT];  /* where it comes from */
    int line;
} imp_nat_rule;

/* A port forward: udp/tcp port of the interface's own address (or of a VIP / alias on it) to to:to_port. */
typedef struct imp_forward {
    char iface[IMP_NAME];
    char proto[8]; /* udp | tcp */
    int port, to_port;
    uint32_t to;
    uint32_t addr; /* the destination when a CARP VIP or IP alias of iface; 0 = the interface's own address */
    char comment[IMP_TEXT];
    int line;
} imp_forward;

typedef struct imp_filter_rule {
    bool pass;
    char iface[IMP_NAME]; /* logical interface, tunnel name or the WireGuard group */
    char direction[4];    /* in / out / any */
    char proto[8];
    imp_match src, dst;
    char gateway[IMP_NAME]; /* policy routing (pass rules): a gateway or group of fw; "" = the routing table */
    char comment[IMP_TEXT];
    int line;
} imp_filter_rule;

typedef struct imp_wg_tunnel {
    char name[IMP_NAME]; /* tun_wg0 */
    bool enabled;
    int listen_port;
    imp_prefix_vec addrs;
    int mtu; /* 0 = default */
    int carp_depend_vhid; /* OPNsense carp_depend_on: the VIP's vhid; 0 = none */
    /* A hash of the private key, to compare an HA pair's two tunnels
     * without keeping the key (never written anywhere). */
    bool has_key;
    uint8_t key_hash[16];
    int line;
} imp_wg_tunnel;

typedef struct imp_wg_peer {
    char tunnel[IMP_NAME];
    char descr[IMP_NAME]; /* sanitised: a scenario name */
    bool enabled;
    bool has_endpoint;
    uint32_t endpoint; /* an IPv4 endpoint; a hostname is an unmodelled item */
    int port;          /* 51820 when absent */
    int keepalive;
    imp_prefix_vec allowed;
    bool had_psk; /* dropped: the scenario uses none */
    bool has_pub;
    uint8_t pub_hash[16]; /* the public key's hash: pairs compare peers by it */
    int line;
} imp_wg_peer;

typedef struct imp_unmodelled {
    char xpath[IMP_TEXT];
    char why[IMP_TEXT];
    int line;
    bool info; /* disabled in the config, so nothing is lost: listed, but --strict lets it pass */
} imp_unmodelled;

typedef struct imp_fw {
    imp_product product;
    char file[512];
    char hostname[IMP_NAME]; /* a valid scenario name */
    char config_version[16]; /* pfSense /pfsense/version: the configuration schema's, "" = absent */
    IMP_VEC(imp_iface) ifaces;
    IMP_VEC(imp_vip) vips;
    IMP_VEC(imp_gateway) gateways;
    char default_gw[IMP_NAME]; /* gateway or group; "" = none */
    IMP_VEC(imp_group) groups;
    IMP_VEC(imp_route) routes;
    imp_nat_mode nat_mode;
    IMP_VEC(imp_nat_rule) nat; /* as configured (manual / hybrid rules) */
    IMP_VEC(imp_forward) forwards; /* port forwards (nat/rule) */
    bool has_filter;
    /* System > Advanced > Firewall & NAT (filter.inc) */
    bool scrub_off;          /* system/disablescrub */
    bool reply_to_off;       /* system/disablereplyto */
    char state_policy[16];   /* system/statepolicy: if-bound | floating; "" = default */
    IMP_VEC(imp_filter_rule) filter;
    /* HA */
    bool pfsync;
    char pfsync_iface[IMP_NAME];
    uint32_t pfsync_peer;
    uint32_t sync_to; /* hasync/synchronizetoip: where XMLRPC sends this node's configuration (0: none) */
    bool maintenance; /* CARP persistent maintenance mode: advskew 254 */
    bool preempt_off; /* net.inet.carp.preempt=0 (OPNsense hasync/disablepreempt; pfSense always sets 1) */
    bool auto_route_to_off; /* OPNsense system/pf_disable_force_gw: no "force gw" rules for own traffic */
    /* WireGuard */
    bool wg_enabled;
    IMP_VEC(imp_wg_tunnel) tunnels;
    IMP_VEC(imp_wg_peer) peers;
    int resolve_interval; /* seconds; -1 = default */
    bool resolve_track;
    int aliases_resolve_interval; /* -1 = default */
    char interface_group[16];     /* all | unassigned | none; "" = default */
    IMP_VEC(imp_unmodelled) unmodelled;
} imp_fw;

/* Problems are written to this sink as "FILE:LINE: message" lines. */
typedef struct imp_errors {
    IMP_VEC(char *) lines;
} imp_errors;
void imp_error(imp_errors *e, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void imp_errors_print(const imp_errors *e, FILE *out);
void imp_errors_free(imp_errors *e);

/* --address IF=ADDR/LEN (IF: logical name, or HOST:IF for one firewall of two). */
typedef struct imp_given {
    char host[IMP_NAME]; /* "" = every firewall with that interface */
    char iface[IMP_NAME];
    imp_prefix addr;
    bool used;
} imp_given;

typedef struct imp_options {
    const char *name; /* scenario name; NULL: from the hostnames */
    uint64_t seed;
    bool strict;
    IMP_VEC(imp_given) given;
} imp_options;

/* Reads one backup (pfSense; OPNsense when its reader is built in). NULL
 * with every problem in err (malformed XML: FILE:LINE, exit status 2). */
imp_fw *imp_read_file(const char *path, imp_errors *err);
/* The same on bytes in memory (name: for messages); the fuzzing entry point. */
imp_fw *imp_read_bytes(const char *name, const char *bytes, size_t len, imp_errors *err);
void imp_fw_free(imp_fw *fw);

/* The pfSense reader, on a parsed document (xml.c hands it over). */
struct _xmlDoc;
bool imp_pfsense_read(struct _xmlDoc *doc, imp_fw *fw, imp_errors *err);
/* The OPNsense reader (opnsense_*.c), the same way. */
bool imp_opnsense_read(struct _xmlDoc *doc, imp_fw *fw, imp_errors *err);

/* Applies --address to dynamic interfaces; false (with every dynamic
 * interface still without an address, and the option to pass) otherwise. */
bool imp_apply_addresses(imp_fw **fws, size_t n, imp_options *o, imp_errors *err);

/* HA pair findings (pair.c): differences as warning lines; false when the
 * two are not a pair (err says why). */
typedef struct imp_findings {
    IMP_VEC(char *) lines;
} imp_findings;
bool imp_pair_check(const imp_fw *a, const imp_fw *b, imp_findings *f, imp_errors *err);
void imp_findings_add(imp_findings *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imp_findings_free(imp_findings *f);

/* Takes out of the models what a scenario may not hold (listed as not
 * imported): names that clash, overlapping networks, VIPs outside their
 * network, a pair's contradicting VIPs and addresses (consistency.c).
 * imp_scenario calls it (again: a second pass finds nothing). */
void imp_consistent(imp_fw **fws, size_t n);

/* Builds the scenario (world.c + emit.c). Returns malloc'd YAML text, or
 * NULL with errors. findings are written into the header. */
char *imp_scenario(imp_fw **fws, size_t n, const imp_options *o, const imp_findings *findings, imp_errors *err);

/* "pfSense" or "OPNsense", for messages (reader.c). */
const char *imp_product_name(const imp_fw *fw);

/* Helpers shared by the readers and the writer (model.c). */
void imp_set_oom_handler(void (*h)(const char *what));
void *imp_xcalloc(size_t n, size_t size, const char *what);
char *imp_strdup(const char *s);
void imp_copy(char *dst, size_t cap, const char *src);
void imp_clean_text(char *s); /* control and non-ASCII bytes -> '?': one printable line */
bool imp_parse_addr(const char *s, uint32_t *out);
bool imp_parse_prefix(const char *s, imp_prefix *out); /* ADDR/LEN */
const char *imp_addr_str(uint32_t a, char buf[16]);
uint32_t imp_mask(int len);
bool imp_in_prefix(uint32_t a, imp_prefix p);
bool imp_prefix_overlap(imp_prefix a, imp_prefix b);
bool imp_host_address(imp_prefix p); /* not the network's own or broadcast address */
void imp_sanitize_name(char *dst, size_t cap, const char *src, const char *fallback);
void imp_unmodelled_add(imp_fw *fw, int line, const char *xpath, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A disabled item: listed in the header, not an error with --strict. */
void imp_skipped_add(imp_fw *fw, int line, const char *xpath, const char *what);
const imp_iface *imp_fw_iface(const imp_fw *fw, const char *name);
/* "/pfsense" or "/opnsense": the root of the backup's XPaths. */
const char *imp_root(const imp_fw *fw);
const imp_gateway *imp_fw_gateway(const imp_fw *fw, const char *name);

/* The automatic outbound NAT rules pfSense generates for fw (nat_auto.c). */
void imp_nat_automatic(const imp_fw *fw, void (*emit)(void *ctx, const imp_nat_rule *r), void *ctx);

#endif
