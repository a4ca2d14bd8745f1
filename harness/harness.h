/*
 * harness.h — the public interface of libharness: the scenario language.
 *
 * A scenario file (YAML, docs/scenario-language.md) is loaded into the plain
 * C model below. Every value that the loader checked keeps where it came
 * from (hs_loc: 1-based line and column) so that the runner can name the
 * expectation's file:line in a failure report, and errors found later (a
 * command that fails at run time) still point into the file.
 *
 * The loader needs nothing from the simulator: it only uses wgnode's address
 * parsers and key helpers. Everything a scenario owns lives in one arena and
 * is released by hs_scenario_free().
 *
 * Also here: THE command parser shared by the timeline (`do:`) and the
 * explore shell (hs_command_parse, hs_command_check). Parsing never executes;
 * the runner does.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wgnode/wgnode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Locations and diagnostics                                          */
/* ------------------------------------------------------------------ */

/* 1-based line and column in the scenario file; line 0 = not from the file
 * (a default filled in by the loader). */
typedef struct hs_loc {
    uint32_t line, col;
} hs_loc;

/* One error: "FILE:LINE:COL: message" (or "FILE: message" when line is 0). */
typedef struct hs_error {
    hs_loc loc;
    char *msg;
} hs_error;

#define HS_DIAG_DEFAULT_LIMIT 20

/* The errors of one load. After `limit` errors more are only counted
 * (printed as "FILE: too many errors, N more not shown"). */
typedef struct hs_diag {
    char *file;
    hs_error *v;
    size_t n, cap;
    size_t limit;      /* 0 = HS_DIAG_DEFAULT_LIMIT */
    size_t suppressed; /* errors beyond the limit */
    bool warnings;     /* hs_lint's: printed "FILE:LINE:COL: warning: message" */
} hs_diag;

void hs_diag_init(hs_diag *d, const char *file);
void hs_diag_free(hs_diag *d);
/* Adds an error (printf-style). */
void hs_diag_add(hs_diag *d, hs_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t hs_diag_count(const hs_diag *d); /* recorded + suppressed */
/* Sorts by location (stable) and prints one line per error. */
void hs_diag_print(hs_diag *d, FILE *out);
void hs_diag_sort(hs_diag *d); /* by location, stable */
/* Formats error i as "FILE:LINE:COL: message" into buf; returns buf. */
const char *hs_diag_format(const hs_diag *d, size_t i, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Values                                                             */
/* ------------------------------------------------------------------ */

typedef int64_t hs_time; /* nanoseconds, like sim_time */
#define HS_MS INT64_C(1000000)
#define HS_S INT64_C(1000000000)

/* Names (nodes, segments, interfaces, gateways) are 1..63 characters of
 * [A-Za-z0-9_.-], so they fit these buffers and split on spaces in commands. */
#define HS_NAME_MAX 64

/* A comparison: "== 0", ">= 1", "< 100ms", "<= 5%", or a bare value (==). */
typedef enum hs_cmp_op { HS_CMP_EQ, HS_CMP_GE, HS_CMP_LE, HS_CMP_GT, HS_CMP_LT } hs_cmp_op;
typedef enum hs_unit {
    HS_UNIT_COUNT,    /* value is a non-negative integer */
    HS_UNIT_PERCENT,  /* value in [0, 100] */
    HS_UNIT_DURATION, /* value in nanoseconds */
} hs_unit;
typedef struct hs_cmp {
    hs_cmp_op op;
    hs_unit unit;
    double value;
    hs_loc loc;
} hs_cmp;
bool hs_cmp_test(const hs_cmp *c, double observed);
const char *hs_cmp_op_str(hs_cmp_op op); /* "==", ">=", ... */
/* Human text, e.g. ">= 1", "<= 5%", "< 100ms". */
const char *hs_cmp_format(const hs_cmp *c, char *buf, size_t len);
/* A percentage without the sign: one decimal, more where one would round a
 * partial value to 0 or 100 ("0.04", "99.998"). */
const char *hs_format_percent(double v, char *buf, size_t len);

/* Value parsers (also used by the explore shell). All reject trailing junk.
 * Durations: "0", "250ms", "10s", "1.5s", "2m", "1h", "1m30s", "500us", "20ns",
 * any number of digits, up to HS_TIME_MAX, exact to the nanosecond. */
bool hs_parse_duration(const char *s, hs_time *out);
/* The longest duration and the latest time: a million hours. Any sum of two
 * (an event's time plus a reboot's downtime, a delay plus its jitter) still
 * fits in hs_time, and SIM_TIME_NEVER stays beyond every real time. */
#define HS_TIME_MAX (INT64_C(1000000) * 3600 * HS_S)
#define HS_TIME_MAX_TEXT "1000000h (about 114 years)"
/* Why hs_duration_parse refused a string; hs_duration_problem() says it as
 * "is not a duration", "is longer than 1000000h ...", ... */
typedef enum hs_dur_err { HS_DUR_OK, HS_DUR_SYNTAX, HS_DUR_RANGE, HS_DUR_FINER } hs_dur_err;
hs_dur_err hs_duration_parse(const char *s, hs_time *out);
const char *hs_duration_problem(hs_dur_err e);
bool hs_parse_percent(const char *s, double *out); /* "0%", "0.5%", "0" */
/* Bandwidth in bit/s: "10Mbit", "1.5Gbit", "512kbit", "64000bit", "0" (unlimited). */
bool hs_parse_bandwidth(const char *s, uint64_t *out);
bool hs_parse_cmp(const char *s, hs_unit unit, hs_cmp *out);
/* The shortest exact spelling hs_parse_duration reads back to t: "0s",
 * "2m", "90s", "1500ms", "250us", "20ns", "11.000000001s". */
const char *hs_format_duration(hs_time t, char *buf, size_t len);
/* Seconds, exact to the nanosecond: "30s", "30.000000001s". */
const char *hs_format_seconds(hs_time t, char *buf, size_t len);

/* --perturb loss=1%,jitter=5ms (harness/perturb.c; docs/running-scenarios.md,
 * "Seed sweeps"): loss and jitter for every segment whose file does not
 * write that key (hs_segment.has_loss / has_jitter). The segment draws
 * them from its own seeded stream, so a perturbed run is as
 * deterministic per seed as any other. */
typedef struct hs_perturb {
    bool has_loss, has_jitter;
    double loss;    /* percent */
    hs_time jitter;
} hs_perturb;
/* "loss=P%", "jitter=D" or both, comma-separated, each at most once.
 * false with the reason in err (without a "--perturb:" prefix). */
bool hs_parse_perturb(const char *s, hs_perturb *out, char *err, size_t errlen);
/* The loss (percent) and jitter segment g runs with under p. */
/* "loss=1%,jitter=5ms" (what is set), as hs_parse_perturb reads it back
 * to the same values; "" when nothing is set. */
const char *hs_format_perturb(const hs_perturb *p, char *buf, size_t len);
struct hs_segment;
void hs_perturb_segment(const hs_perturb *p, const struct hs_segment *g, double *loss, hs_time *jitter);

/* An address, optionally with a port (packet and state matches). */
typedef struct hs_addr_match {
    bool set;
    wg_ip ip;
    uint16_t port; /* 0 = any port */
    hs_loc loc;
} hs_addr_match;

/* ------------------------------------------------------------------ */
/* The scenario model                                                 */
/* ------------------------------------------------------------------ */

typedef enum hs_engine { HS_ENGINE_NATIVE = 0, HS_ENGINE_NS3 } hs_engine;

typedef struct hs_segment {
    const char *name;
    hs_loc loc;
    hs_time delay, jitter; /* one-way, default 0 */
    double loss;           /* percent, default 0 */
    uint64_t bandwidth;    /* bit/s, 0 = unlimited (default) */
    uint32_t mtu;          /* default 1500 */
    uint32_t queue;        /* packets, default 1000 (used when bandwidth-limited) */
    /* The file wrote the key (`loss: 0%` too): --perturb leaves that
     * property of this segment alone (hs_perturb). */
    bool has_loss, has_jitter;
} hs_segment;

typedef struct hs_iface {
    const char *name;
    hs_loc loc;
    int segment; /* index into hs_scenario.segments */
    hs_loc segment_loc;
    wg_prefix address; /* primary address with its prefix length */
    hs_loc address_loc;
    wg_prefix *aliases;
    hs_loc *alias_locs;
    size_t n_aliases;
} hs_iface;

typedef struct hs_carp {
    hs_loc loc;
    int iface; /* index into node->ifaces */
    hs_loc iface_loc;
    uint8_t vhid; /* 1..255 */
    hs_loc vhid_loc;
    wg_prefix address; /* the VIP */
    hs_loc address_loc;
    uint8_t advskew; /* 0..254, default 0 */
    uint8_t advbase; /* seconds 1..255, default 1 */
    const char *password; /* NULL = none */
    hs_loc inherited; /* line 0: written on this node; else its `like:`, which copied the whole entry */
} hs_carp;

typedef enum hs_via_kind { HS_VIA_ADDR, HS_VIA_GATEWAY, HS_VIA_GROUP } hs_via_kind;
typedef struct hs_route {
    hs_loc loc;
    bool is_default;
    wg_prefix to; /* 0.0.0.0/0 when is_default */
    hs_loc to_loc;
    hs_via_kind via_kind;
    wg_ip via_addr;  /* HS_VIA_ADDR */
    int via_index;   /* gateway or gateway-group index in the node */
    hs_loc via_loc;
} hs_route;

typedef struct hs_pfsync {
    bool enabled;
    int peer; /* node index */
    hs_loc peer_loc;
    hs_time lag; /* extra delay before a state reaches the peer, default 0 */
    hs_loc loc;
    /* Pair options (both ends of a pair must agree; docs/models.md "pfsync"). */
    hs_time flush_interval; /* 0 = 1 s: updates batched and sent within 1 s */
    bool defer;             /* default false: pfSense runs `ifconfig pfsync0 -defer` (no deferral) */
    bool bulk;              /* default true: bulk update (and CARP demotion 240) at boot */
    int sync_iface;         /* -1 = none: else the sync link must be up on both nodes */
    bool has_options;       /* any of flush-interval / defer / bulk / interface given */
} hs_pfsync;

/* `firewall:` (pfSense behaviours that are options; docs/models.md
 * "Options"). The defaults are pfSense's. */
typedef struct hs_fw_options {
    bool floating_states; /* state-policy: floating; default if-bound (pfSense since 2024-01) */
    bool reply_to;        /* default true; false = pfSense "Disable reply-to" */
    bool auto_route_to;   /* default true: self traffic from a WAN's address route-to its gateway */
    bool carp_preempt;    /* default true: pfSense sets net.inet.carp.preempt=1 */
    bool scrub;           /* default true: pf reassembles fragments (pfSense "Disable Firewall Scrub" off) */
    /* pfSense WireGuard package settings (VPN > WireGuard > Settings) and
     * the system's aliases resolve interval it may track; the interval the
     * service uses is hs_fw_wg_resolve_interval(). */
    hs_time wg_resolve_interval;      /* wireguard: resolve-interval, default 300 s; 0: only at start */
    bool wg_resolve_interval_track;   /* wireguard: resolve-interval-track, default false */
    hs_time aliases_resolve_interval; /* aliases-resolve-interval, default 300 s */
    hs_loc loc;           /* line 0: not given */
    int wg_group;         /* wireguard: interface-group: sim_fw_wg_group (0 all, 1 unassigned, 2 none) */
    int gateway_semantics; /* gateway-semantics: sim_gw_semantics (0 pfsense-2.7, 1 pfsense-2.9-dev, 2 opnsense) */
} hs_fw_options;
/* `icmp:` of packets / no-packets: which ICMP messages match (name ->
 * type, code; code -1 = any). Index 0 ("" ) is "not given". */
typedef struct hs_icmp_match {
    const char *name;
    int type, code;
} hs_icmp_match;
extern const hs_icmp_match hs_icmp_matches[];

/* The endpoint resolve interval pfSense's WireGuard service uses
 * (wg.inc wg_get_endpoint_resolve_interval). */
hs_time hs_fw_wg_resolve_interval(const hs_fw_options *o);

/* Where a filter or NAT rule's `interface:` points: one of the node's
 * interfaces (iface), one of its WireGuard tunnels (wg) or pfSense's
 * WireGuard interface group (group). */
#define HS_WG_GROUP "WireGuard" /* pfSense-pkg-WireGuard's interface group (wg_globals.inc) */
typedef struct hs_rule_iface {
    int wg;     /* index in the node's wireguard:, -1 */
    bool group; /* `interface: WireGuard` */
} hs_rule_iface;

typedef struct hs_wg_peer {
    hs_loc loc;
    const char *name; /* `name:`, else the node name, else NULL */
    int node;         /* node index for `node:` peers, -1 for `public-key:` peers */
    int node_wg;      /* that node's wireguard interface index, -1 otherwise */
    hs_loc node_loc;
    uint8_t public_key[WG_KEY_LEN];
    bool has_psk;
    uint8_t psk[WG_KEY_LEN];
    bool has_endpoint;
    wg_endpoint endpoint;
    hs_loc endpoint_loc;
    wg_prefix *allowed_ips;
    hs_loc *allowed_ip_locs;
    size_t n_allowed_ips;
    uint16_t persistent_keepalive; /* seconds, 0 = off */
} hs_wg_peer;

typedef struct hs_wg {
    const char *name; /* wg0 */
    hs_loc loc;
    uint16_t listen_port; /* default 51820 */
    bool key_derived;     /* private-key omitted: derived (hs_derive_key) */
    const char *key_node; /* node name the derived key was computed from (`like:` source) */
    uint8_t private_key[WG_KEY_LEN];
    uint8_t public_key[WG_KEY_LEN];
    bool has_address;
    wg_prefix address;
    hs_loc address_loc;
    hs_wg_peer *peers;
    size_t n_peers;
    uint32_t options;     /* WG_OPT_* bits from `options:`; 0 = the reference's behaviour */
    hs_loc options_loc;
    uint32_t mtu;         /* the tunnel interface's MTU; 0 = 1420 (wg-quick's and pfSense's default) */
    hs_time handshake_cost; /* CPU time one handshake costs the device (WG_HANDSHAKE_COST_DEFAULT) */
    /* OPNsense carp_depend_on (firewall only): the interface is up only
     * while this vhid is MASTER on the node; 0 = not set. Given as a vhid
     * or as the VIP's address (resolved against the node's `carp:`). */
    uint8_t carp_depend_vhid;
    bool carp_depend_by_addr;
    wg_ip carp_depend_addr;
    hs_loc carp_depend_loc;
    hs_time carp_depend_delay; /* when the syshook's check runs after a transition (0: at once) */
    void *index_; /* private: peers by name and by public key (hs_wg_find_peer) */
} hs_wg;

/* The names of wg_device_config.options bits in scenarios ("bsd-handshake-
 * keepalive-as-code", ...): index i is bit 1 << i. NULL-terminated. */
extern const char *const hs_wg_option_names[];

typedef enum hs_proto { HS_PROTO_ANY = 0, HS_PROTO_ICMP = 1, HS_PROTO_TCP = 6, HS_PROTO_UDP = 17 } hs_proto;
const char *hs_proto_name(hs_proto p);

/* nat.outbound: pf "nat on IF from SRC to DST -> TRANSLATE" (and routers'
 * masquerading, see docs/scenario-language.md). */
typedef enum hs_nat_mapping {
    HS_NAT_MAP_DEFAULT = 0,        /* firewall: pf; router: endpoint-independent */
    HS_NAT_MAP_ENDPOINT_INDEPENDENT, /* full cone-like: one mapping per inside addr:port */
    HS_NAT_MAP_SYMMETRIC,          /* a new mapping per destination */
    HS_NAT_MAP_PF,                 /* pf's: a state per flow, randomised port unless static-port */
} hs_nat_mapping;
typedef struct hs_nat_rule {
    hs_loc loc;
    int iface; /* outgoing interface; -1 with on.wg / on.group */
    hs_loc iface_loc;
    hs_rule_iface on;
    bool source_self;  /* `source: self`: the node's own traffic */
    bool has_source;   /* else: any */
    wg_prefix source;
    hs_proto protocol;
    uint16_t source_port; /* 0 = any */
    bool has_destination;
    wg_prefix destination;
    uint16_t destination_port;
    bool translate_interface; /* `translate: interface` (default) */
    wg_ip translate;
    hs_loc translate_loc;
    bool static_port;        /* default false: pf rewrites source ports */
    hs_nat_mapping mapping;
    hs_time udp_timeout;     /* 0 = platform default */
} hs_nat_rule;

/* nat.forward: port forward (pf rdr / home router) */
typedef struct hs_nat_forward {
    hs_loc loc;
    int iface; /* -1 with on.wg / on.group */
    hs_loc iface_loc;
    hs_rule_iface on;
    hs_proto protocol; /* default udp */
    uint16_t port;     /* destination port on the node's address */
    wg_endpoint to;    /* inside address:port */
    hs_loc to_loc;
    bool has_address;  /* `address:`: the destination matched; else the interface's own address */
    wg_ip address;     /* an address of the interface: its own, an alias or a CARP VIP on it */
    hs_loc address_loc;
} hs_nat_forward;

typedef enum hs_action { HS_ACTION_PASS, HS_ACTION_BLOCK } hs_action;
typedef enum hs_direction { HS_DIR_IN, HS_DIR_OUT, HS_DIR_ANY } hs_direction;
typedef struct hs_filter_rule {
    hs_loc loc;
    hs_action action;
    int iface; /* -1 = any, or on.wg / on.group */
    hs_loc iface_loc;
    hs_rule_iface on;
    hs_direction direction; /* default in */
    hs_proto protocol;
    bool has_src;
    wg_prefix src;
    uint16_t src_port;
    bool has_dst;
    wg_prefix dst;
    uint16_t dst_port;
    const char *gateway; /* `gateway:` a gateway or group of the node (policy routing), or NULL */
} hs_filter_rule;

typedef struct hs_gateway {
    const char *name;
    hs_loc loc;
    int iface;
    hs_loc iface_loc;
    wg_ip address;
    hs_loc address_loc;
    wg_ip monitor; /* default: address */
    /* dpinger defaults (reference/ha-model.md §3) */
    hs_time interval;      /* probe interval, 500ms */
    hs_time loss_interval; /* 2000ms */
    hs_time time_period;   /* averaging window, 60s */
    hs_time latency_low, latency_high; /* 200ms / 500ms */
    double loss_low, loss_high;        /* 10% / 20% */
} hs_gateway;

typedef enum hs_gw_trigger { HS_TRIGGER_DOWN, HS_TRIGGER_LOSS, HS_TRIGGER_LATENCY, HS_TRIGGER_LOSS_OR_LATENCY } hs_gw_trigger;
typedef struct hs_gw_member {
    hs_loc loc;
    int gateway; /* index in node->gateways */
    int tier;    /* 1..5, default 1 */
} hs_gw_member;
typedef struct hs_gw_group {
    const char *name;
    hs_loc loc;
    hs_gw_member *members;
    size_t n_members;
    hs_gw_trigger trigger; /* default down */
} hs_gw_group;

typedef enum hs_node_kind { HS_NODE_HOST, HS_NODE_ROUTER, HS_NODE_FIREWALL } hs_node_kind;
const char *hs_node_kind_name(hs_node_kind k);

typedef struct hs_node {
    const char *name;
    hs_loc loc;
    hs_node_kind kind;
    wg_platform platform;
    int like;         /* node index this one was made `like:`, -1 if none */
    hs_loc like_loc;
    hs_iface *ifaces;
    size_t n_ifaces;
    hs_carp *carp;
    size_t n_carp;
    hs_route *routes;
    size_t n_routes;
    hs_pfsync pfsync;
    hs_fw_options fw;
    hs_wg *wg;
    size_t n_wg;
    hs_nat_rule *nat_outbound;
    size_t n_nat_outbound;
    hs_nat_forward *nat_forward;
    size_t n_nat_forward;
    hs_filter_rule *filter;
    size_t n_filter;
    bool has_filter; /* `filter:` present (even empty): unmatched inbound is blocked */
    hs_gateway *gateways;
    size_t n_gateways;
    hs_gw_group *groups;
    size_t n_groups;
} hs_node;

typedef enum hs_traffic_kind { HS_TRAFFIC_PING, HS_TRAFFIC_FLOOD } hs_traffic_kind;
typedef enum hs_flood_kind { HS_FLOOD_REPLAY, HS_FLOOD_FRESH, HS_FLOOD_GARBAGE } hs_flood_kind;
typedef struct hs_traffic {
    hs_loc loc;
    hs_traffic_kind kind;
    struct {
        int from; /* node index */
        hs_loc from_loc;
        wg_ip to;
        hs_loc to_loc;
        hs_time every; /* default 1s */
        uint32_t size; /* ICMP payload bytes, default 56 */
        uint32_t count; /* 0 = until stop */
        hs_time start;  /* default 0 */
        hs_time stop;   /* default: the scenario's duration */
        bool df;        /* don't fragment (ping -D); default false */
    } ping;
    struct { /* HS_TRAFFIC_FLOOD: attacker traffic (sim_flood) */
        int from;       /* node index */
        wg_endpoint to;
        hs_flood_kind kind;
        uint64_t rate;  /* datagrams per second */
        hs_time start, stop;
        int of;         /* replay: the node whose first initiation is replayed; fresh: mac1 for its key */
    } flood;
} hs_traffic;

/* ---- commands (timeline `do:` and the explore shell) ---- */

typedef enum hs_cmd_kind {
    HS_CMD_POWER_OFF,
    HS_CMD_POWER_ON,
    HS_CMD_REBOOT,          /* node, optional downtime (has_duration, duration) */
    HS_CMD_MAINTENANCE,     /* node, on */
    HS_CMD_CARP_DISABLE,
    HS_CMD_CARP_ENABLE,
    HS_CMD_LINK_DOWN,       /* node, iface */
    HS_CMD_LINK_UP,         /* node, iface */
    HS_CMD_GATEWAY_DOWN,
    HS_CMD_GATEWAY_UP,
    HS_CMD_SET_ENDPOINT,    /* node, iface (wg), peer, endpoint */
    HS_CMD_REMOVE_ENDPOINT, /* node, iface (wg), peer */
    HS_CMD_ROUTE_ADD,       /* node, dest, via */
    HS_CMD_ROUTE_DEL,       /* node, dest */
    HS_CMD_STATES_KILL,
    HS_CMD_WG_DOWN,         /* node, iface (wg) */
    HS_CMD_WG_UP,           /* node, iface (wg) */
    HS_CMD_PING,            /* node, addr */
    HS_CMD_WG_RESTART,      /* node, iface (wg): destroy and recreate (pfSense service restart) */
    HS_CMD__COUNT
} hs_cmd_kind;
const char *hs_cmd_name(hs_cmd_kind k);
/* "maintenance N on|off", ... */
const char *hs_cmd_usage(hs_cmd_kind k);

/* Argument positions in hs_command.col[] */
enum { HS_ARG_CMD = 0, HS_ARG_NODE, HS_ARG_2, HS_ARG_3, HS_ARG_4, HS_ARG_5, HS_ARG__COUNT };

typedef struct hs_command {
    hs_cmd_kind kind;
    char node[HS_NAME_MAX];
    char iface[HS_NAME_MAX]; /* link-down/up: interface; wg-*, *-endpoint: wg interface */
    char peer[HS_NAME_MAX];  /* peer name, node name or base64 public key */
    bool on;                 /* maintenance on|off */
    wg_endpoint endpoint;    /* set-endpoint */
    bool dest_default;       /* route-add/del DEST = default */
    wg_prefix dest;          /* route-add/del */
    bool via_is_addr;        /* route-add: via an address ... */
    wg_ip via_addr;
    char via[HS_NAME_MAX];   /* ... or a gateway / gateway-group name */
    wg_ip addr;              /* ping */
    bool has_duration;       /* reboot NODE DURATION: the downtime was given */
    hs_time duration;        /* reboot: downtime before power-on, default 0 */
    int col[HS_ARG__COUNT];  /* 1-based column of each word in the line */
} hs_command;

/* Parses one command line. On error returns false, writes a message (with a
 * did-you-mean for a mistyped command name) and the 1-based column of the
 * offending word. Leading/trailing blanks and a trailing "# comment" are
 * ignored. */
bool hs_command_parse(const char *line, hs_command *out, char *err, size_t errlen, int *err_col);

struct hs_scenario;
/* Checks a parsed command's references against a loaded scenario: node
 * exists, interface / wireguard interface / peer / gateway exists, the node
 * has what the command acts on (CARP, pf). Same error convention. */
bool hs_command_check(const struct hs_scenario *s, const hs_command *c, char *err, size_t errlen,
                      int *err_col);
/* Formats a command back to its canonical text. */
const char *hs_command_format(const hs_command *c, char *buf, size_t len);

typedef struct hs_event {
    hs_loc loc;
    hs_time at;
    hs_loc at_loc;
    const char *text; /* the `do:` string as written */
    hs_loc do_loc;
    hs_command cmd;
} hs_event;

/* ---- expectations ---- */

typedef enum hs_expect_kind {
    HS_EXP_PACKETS,
    HS_EXP_NO_PACKETS,
    HS_EXP_ENDPOINT,
    HS_EXP_HANDSHAKE,
    HS_EXP_TUNNEL,
    HS_EXP_CARP,
    HS_EXP_GATEWAY,
    HS_EXP_STATE,
    HS_EXP_ROUTE,
    HS_EXP_LOAD,
} hs_expect_kind;
const char *hs_expect_kind_name(hs_expect_kind k); /* the YAML key */

typedef enum hs_wg_match {
    HS_WGM_NONE = 0,  /* no `wg:` filter */
    HS_WGM_ANY,       /* any WireGuard message */
    HS_WGM_INITIATION,
    HS_WGM_RESPONSE,
    HS_WGM_COOKIE_REPLY,
    HS_WGM_TRANSPORT, /* type 4, keepalives included */
    HS_WGM_DATA,      /* type 4 carrying a packet */
    HS_WGM_KEEPALIVE, /* type 4, empty */
} hs_wg_match;

/* `fragment:` of packets expectations: IPv4 fragments (docs/scenario-language.md). */
typedef enum hs_frag_match {
    HS_FRAG_ANY = 0, /* not given: whole datagrams and fragments */
    HS_FRAG_NO,      /* false: whole datagrams only */
    HS_FRAG_YES,     /* true: any fragment */
    HS_FRAG_FIRST,   /* the fragment at offset 0 (it carries the UDP/ICMP header) */
    HS_FRAG_LATER,   /* non-first: a fragment at a non-zero offset (no ports) */
} hs_frag_match;

typedef enum hs_carp_state { HS_CARP_INIT, HS_CARP_BACKUP, HS_CARP_MASTER } hs_carp_state;
typedef enum hs_gw_status { HS_GW_ONLINE, HS_GW_DOWN, HS_GW_LOSS, HS_GW_DELAY } hs_gw_status;

typedef struct hs_expect {
    hs_loc loc;           /* the list item: what a failure report names */
    hs_expect_kind kind;
    hs_loc kind_loc;
    bool during;          /* false: `at` */
    hs_time at;           /* `at: T` */
    hs_time from, to;     /* `during: [from, to]` */
    hs_loc time_loc;
    union {
        struct { /* packets / no-packets */
            int on;   /* segment index, -1 = any segment */
            int from; /* node index (sender), -1 = any */
            int to;   /* node index (receiver), -1 = any */
            hs_loc on_loc, from_loc, to_loc;
            hs_addr_match src, dst;
            uint16_t udp_src_port, udp_dst_port; /* 0 = any */
            hs_wg_match wg;
            hs_cmp count; /* default ">= 1" (packets) / "== 0" (no-packets) */
            hs_frag_match fragment;
            int icmp;     /* `icmp:` index in hs_icmp_match_names, 0 = not given */
        } packets;
        struct {
            int node, wg, peer; /* indexes: node, its wg interface, the peer */
            hs_loc node_loc, peer_loc;
            bool is_none;
            wg_endpoint is;
            hs_loc is_loc;
        } endpoint;
        struct {
            int node, wg, peer;
            hs_loc node_loc, peer_loc;
            bool has_count;
            hs_cmp count;
            bool has_last_within;
            hs_time last_within;
        } handshake;
        struct {
            int ping; /* index into traffic */
            hs_loc ping_loc;
            bool has_loss, has_rtt;
            hs_cmp loss, rtt;
        } tunnel;
        struct {
            int node, carp; /* carp: index in node->carp of that vhid */
            uint8_t vhid;
            hs_loc node_loc, vhid_loc;
            hs_carp_state state;
        } carp;
        struct {
            int node, gateway;
            hs_loc node_loc, name_loc;
            hs_gw_status status;
        } gateway;
        struct {
            int node;
            hs_loc node_loc;
            hs_proto proto;
            hs_addr_match src, dst, translated;
            hs_cmp count; /* default ">= 1"; "== 0" = no such state */
        } state;
        struct {
            int node;
            hs_loc node_loc;
            bool is_default;
            wg_prefix to;
            bool has_via;
            wg_ip via;
            int dev; /* interface index, -1 = not checked */
            hs_loc via_loc, dev_loc;
        } route;
        struct { /* what load did to a WireGuard device, counted from its creation (issue 22) */
            int node, wg;
            hs_loc node_loc;
            bool has_time, has_cookies, has_limited;
            hs_cmp time;    /* time under load */
            hs_cmp cookies; /* cookie replies sent */
            hs_cmp limited; /* handshake messages dropped by the per-source rate limit */
        } load;
    } u;
} hs_expect;

typedef struct hs_scenario {
    const char *file;
    const char *name;
    hs_loc name_loc;
    const char *claim;       /* NULL if none */
    const char *description; /* NULL if none */
    uint64_t seed;           /* default 1 */
    hs_time duration;        /* default 60s */
    wg_platform platform;    /* defaults.platform, default freebsd */
    hs_engine engine;        /* defaults.engine, default native */
    hs_segment *segments;
    size_t n_segments;
    hs_node *nodes;
    size_t n_nodes;
    hs_traffic *traffic;
    size_t n_traffic;
    hs_event *events;
    size_t n_events;
    hs_expect *expects;
    size_t n_expects;
    void *arena_; /* private */
    void *index_; /* private: nodes and segments by name (hs_find_node, hs_find_segment) */
} hs_scenario;

/* ------------------------------------------------------------------ */
/* Loading                                                            */
/* ------------------------------------------------------------------ */

/* Bytes in a scenario file. A 10,000-peer hub written long-hand is about
 * 6 MB; the cap bounds what a file can make the loader hold (its YAML tree
 * is about 60 bytes per input byte at worst, a list of one-digit items). */
#define HS_MAX_INPUT (64u << 20)
#define HS_MAX_DEPTH 64         /* nesting levels */
/* Interfaces on one segment. Every broadcast (ARP, CARP) reaches each of
 * them, so a run's work grows with the square of this number on a busy
 * segment; the cap keeps a typo (every node on one segment) from asking
 * for billions of deliveries, and still lets a 10,000-peer hub put its
 * remotes on one shared segment. */
#define HS_MAX_SEGMENT_IFACES 65536
/* `count:` (docs/scenario-language.md): copies of one entry, its largest
 * first index, and the YAML values all templates of a file may make
 * (every copy is held in memory while loading: about 110 bytes a value). */
#define HS_MAX_COUNT 1000000
#define HS_MAX_COUNT_START 1000000000
#define HS_MAX_COUNT_VALUES 4000000

/* Loads a scenario from memory. `name` is the file name used in errors.
 * Returns NULL when there was any error (all of them are in diag, which
 * must have been initialised with hs_diag_init). Never crashes on any
 * input; this is the entry point fuzzers drive. */
hs_scenario *hs_load_bytes(const char *name, const uint8_t *bytes, size_t len, hs_diag *diag);
/* Reads the file and calls hs_load_bytes (I/O errors go to diag). */
hs_scenario *hs_load_file(const char *path, hs_diag *diag);

/* The whole file at `path`, for a loader (harness/input_file.c): never
 * blocks, and refuses before reading anything but a regular file of at
 * most `max` bytes (a FIFO, a device, a socket, a directory; `what`, e.g.
 * "scenario files", names the limit in the message). NULL on failure, with
 * the reason in err (without the path) and errno set (EISDIR a directory,
 * EFBIG too large, EINVAL another kind of file, else open()'s or read()'s).
 * The bytes are NUL-terminated; free them with hs_input_free, which zeroes
 * them first (a WireGuard configuration holds a private key). */
uint8_t *hs_read_input(const char *path, size_t max, const char *what, size_t *len, char *err, size_t errlen);
/* Its first half: the checks, then the open descriptor (O_NONBLOCK, which
 * changes nothing for a regular file), or -1 as above. */
int hs_open_input(const char *path, size_t max, const char *what, char *err, size_t errlen);
void hs_input_free(uint8_t *buf, size_t len);
void hs_scenario_free(hs_scenario *s);

/* Warnings (harness/lint*.c, docs/scenario-language.md "Warnings"): adds
 * one to d (which hs_lint marks as holding warnings) for every part of a
 * loaded scenario that is valid but almost certainly not what was meant:
 * CARP members of one vhid that neither prefer nor accept each other, a
 * pfsync pair whose CARP or WireGuard configuration differs, gateway
 * monitors that do not test their gateway. Each message ends with its rule's name in
 * brackets. Reads the scenario only. */
void hs_lint(const hs_scenario *s, hs_diag *d);

/* The key used when `private-key:` is omitted:
 *   clamp(BLAKE2s-256("wgsim-key" || LE64(seed) || node || 0x00 || wg_iface)) */
void hs_derive_key(uint8_t priv[WG_KEY_LEN], uint64_t seed, const char *node, const char *wg_iface);

/* Lookups: index or -1. Nodes, segments and peers are found through a hash
 * built by the loader (constant time); a model built by hand (index_ NULL)
 * is scanned. */
int hs_find_node(const hs_scenario *s, const char *name);
int hs_find_segment(const hs_scenario *s, const char *name);
int hs_node_find_iface(const hs_node *n, const char *name);
int hs_node_find_wg(const hs_node *n, const char *name);
int hs_node_find_gateway(const hs_node *n, const char *name);
int hs_node_find_group(const hs_node *n, const char *name);
int hs_node_find_carp(const hs_node *n, uint8_t vhid);
/* A peer by `name:`, node name or base64 public key. */
int hs_wg_find_peer(const hs_wg *w, const char *spec);

/* A packet filter in the words of a packets expectation (the explore
 * shell's `packets FILTER`): KEY: VALUE words ("to: remote wg: data") or a
 * YAML flow mapping ("{from: fw1, wg: handshake-initiation}"), with the
 * keys of `packets:` but count, resolved against s. Fills e as a packets
 * expectation (count and time unset). false with the loader's message and
 * the 1-based column in text of the offending word. */
bool hs_packet_filter_parse(const hs_scenario *s, const char *text, hs_expect *e, char *err, size_t errlen,
                            int *err_col);

/* Case-sensitive closest match among candidates (edit distance small
 * enough to be a typo), or NULL. Used for every did-you-mean. */
const char *hs_closest(const char *word, const char *const *candidates, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* HARNESS_H */
