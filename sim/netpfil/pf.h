/*
 * pf.h — internal interface of the pf model: states (sim/netpfil/pf_state.c),
 * outbound NAT (sim/netpfil/pf_nat.c) and the filter with route-to/reply-to
 * (sim/netpfil/pf_filter.c).
 *
 * The model works on a packet summary (protocol, addresses, ports) and
 * interface NAMES, as pf does (its kif is a name). The firewall node
 * (sim/pfsense/firewall_pf.c) calls pf_test() from the network's IN and OUT
 * hooks and applies the result to the real packet bytes.
 *
 * Sources: ../shared/reference/ha-model.md §2 and §3 (tags PFH, PFCTL, FLT,
 * PSC) and FreeBSD sys/netpfil/pf/pf.c, pf_lb.c, pfvar.h; docs/models.md "pf".
 */
#ifndef SIM_PF_H
#define SIM_PF_H

#include "sim/sim.h"

#define PF_IFNAMSIZ 16
#define PF_PROTO_ICMP 1
#define PF_PROTO_TCP 6
#define PF_PROTO_UDP 17
#define PF_NAT_PORT_LOW 50001 /* PF_NAT_PROXY_PORT_LOW (pfvar.h), ha-model.md §2 */
#define PF_NAT_PORT_HIGH 65535

typedef enum pf_dir { PF_IN = 0, PF_OUT = 1 } pf_dir;
enum { PF_CLASS_UDP = 0, PF_CLASS_ICMP, PF_CLASS_OTHER };

/* pf timeouts used here (pfvar.h defaults, ha-model.md §2 "pf timeouts"):
 * udp.first 60, udp.single 30, udp.multiple 60; icmp.first 20, icmp.error
 * 10; other.* as udp. */
typedef enum pf_timeout {
    PFTM_FIRST = 0,    /* udp.first / icmp.first / other.first */
    PFTM_SINGLE,       /* udp.single / other.single */
    PFTM_MULTIPLE,     /* udp.multiple / icmp.error / other.multiple */
    PFTM__COUNT
} pf_timeout;

/* Per-peer progress of a stateless protocol (pf.c PFUDPS_*). */
enum { PFUDPS_NO_TRAFFIC = 0, PFUDPS_SINGLE = 1, PFUDPS_MULTIPLE = 2 };

/* A state key in pf's orientation (pf_state_key_setup, pf_test_state_udp):
 * for a packet of direction d, addr[sidx] = source and addr[didx] =
 * destination with sidx = (d == IN ? 0 : 1), didx the other. Index 0 is
 * therefore always the remote side and index 1 the local side, so a reply
 * in the other direction builds the same key. IPv4, host order. */
typedef struct pf_key {
    uint8_t proto;
    uint32_t addr[2];
    uint16_t port[2];
} pf_key;

typedef enum pf_rt { PF_RT_NONE = 0, PF_RT_ROUTETO, PF_RT_REPLYTO } pf_rt;
#define PF_RT_POOL_MAX 8

/* Field order is for the hub of a large world, where every state is out
 * of the cache at each of its packets: the first 64 bytes are what a
 * lookup reads of every state on its hash chain (keys, chain links, the
 * interface of an if-bound match), the second what a matching packet
 * reads and writes (expiry, progress, counters); the rest is read when a
 * state is created, exported or listed. States come from malloc (16-byte
 * aligned), so the first 64 bytes span one or two cache lines; allocating
 * them on 64-byte boundaries (aligned_alloc) was measured slower at
 * N = 10,000 (`wgsim bench scale`, docs/performance.md). */
typedef struct pf_state {
    /* Ordered so that what a packet matching the state reads is in its
     * first 128 bytes (the keys and chains, then the times, counters,
     * rules, route-to kind and change-log id): the hub's cache hints note
     * those lines. */
    pf_key wire, stack;       /* as seen on the wire / by the stack */
    /* pf_state.c's hash chains (wire key, stack key); not state content. */
    struct pf_state *next_w, *next_s;
    char ifname[PF_IFNAMSIZ]; /* if-bound: the interface; "" = floating */
    sim_time expire;          /* time of the last update (pf "expire") */
    sim_time udp_timeout;     /* 0: pf's; else the NAT rule's udp-timeout */
    pf_timeout timeout;
    uint8_t src_state, dst_state; /* PFUDPS_* of the initiator / responder */
    bool nosync;              /* rule marked no-sync: not exported by pfsync */
    uint64_t packets[2];      /* [0] in the state's direction, [1] against it */
    pf_dir dir;               /* direction of the packet that created it */
    int rule;                 /* filter rule index, -1 for an implicit rule */
    int nat_rule;             /* -1 when not translated */
    pf_rt rt;
    uint32_t rt_addr;         /* gateway, host order */
    uint32_t hist;            /* the host's change-log id of this state (pf_host_ops.state_log), 0 none */
    char rt_ifname[PF_IFNAMSIZ];
    bool imported;            /* came from pfsync */
    uint32_t creatorid;
    uint64_t id;
    size_t slot;              /* index in pf.st */
} pf_state;

/* ---- rules ------------------------------------------------------- */

/* An address match: any, this firewall's own addresses (pfSense "This
 * Firewall (self)": every interface address, VIPs included), a prefix, the
 * addresses of one interface VIPs included (pf's dynamic "(wan)" plus the
 * VIP list pfSense adds), or the networks of one interface ("wan:network"). */
typedef enum pf_addr_kind { PF_ADDR_ANY = 0, PF_ADDR_SELF, PF_ADDR_PREFIX, PF_ADDR_IFADDR, PF_ADDR_IFNET } pf_addr_kind;
typedef struct pf_addr_match {
    pf_addr_kind kind;
    uint32_t addr; /* host order */
    uint8_t plen;
    bool neg;      /* "!" */
    char ifname[PF_IFNAMSIZ]; /* PF_ADDR_IFADDR / PF_ADDR_IFNET */
} pf_addr_match;

typedef enum pf_action { PF_PASS = 0, PF_BLOCK } pf_action;
/* The label of a packet no rule passed (pf_result.label of a default block). */
#define PF_DEFAULT_DENY "default deny"


typedef struct pf_filter_rule {
    pf_action action;
    char ifname[PF_IFNAMSIZ]; /* "" = any interface (floating) */
    bool group;               /* ifname is an interface group: matches on its members (pf_kif_match) */
    int dir;                  /* PF_IN, PF_OUT or -1 for both */
    uint8_t proto;            /* 0 = any */
    pf_addr_match src, dst;
    uint16_t sport, dport;    /* 0 = any */
    bool no_state;            /* pass without creating state */
    bool nosync;              /* keep state (no-sync) */
    pf_rt rt;                 /* route-to / reply-to */
    char rt_ifname[PF_IFNAMSIZ];
    uint32_t rt_addr;
    /* route-to { (if gw) ... } round-robin: more than one target. Entry 0
     * repeats rt_ifname/rt_addr; each new state takes the next one
     * (pf_map_addr PF_POOL_ROUNDROBIN); rt_next is the pool's counter. */
    uint8_t rt_n;
    struct {
        char ifname[PF_IFNAMSIZ];
        uint32_t addr;
    } rt_pool[PF_RT_POOL_MAX];
    uint32_t rt_next;
    const char *label;        /* for traces: what generated the rule (the caller keeps it alive: the
                               * firewall node interns it in the world) */
} pf_filter_rule;

/* How a NAT rule picks and reuses public ports. */
typedef enum pf_nat_mapping {
    PF_MAP_PF = 0,     /* pf: a state per flow, port from pf_get_sport */
    PF_MAP_EIM,        /* endpoint-independent (home router / CGNAT): one public
                          port per inside addr:port whatever the destination,
                          the inside port kept when free; inbound to it from
                          any remote is let in (full-cone-like) */
    PF_MAP_SYMMETRIC,  /* a new randomised port for every destination */
} pf_nat_mapping;

typedef struct pf_nat_rule {
    char ifname[PF_IFNAMSIZ]; /* outgoing interface */
    bool group;               /* ifname is an interface group (as pf_filter_rule.group) */
    uint8_t proto;            /* 0 = any */
    pf_addr_match src, dst;
    uint16_t sport;           /* 0 = any */
    uint16_t dport;           /* 0 = any */
    bool to_interface;        /* translate to the interface's primary address */
    uint32_t to_addr;         /* else this address (host order) */
    bool static_port;
    pf_nat_mapping mapping;
    sim_time udp_timeout;     /* 0: the pf timeouts; else every UDP timeout of its states */
    const char *label;        /* as pf_filter_rule.label */
} pf_nat_rule;

/* A port forward (pf rdr): inbound on ifname to the match address and
 * port goes to to_addr:to_port. The match address is the rule's
 * destination (pf.conf `rdr on IF proto P from any to DST port N`):
 * pfSense writes the interface's address "(wan)" by default, or the
 * address the user picked, e.g. a CARP VIP or an IP alias (filter.inc
 * filter_generate_port_forward). */
typedef struct pf_rdr_rule {
    char ifname[PF_IFNAMSIZ];
    bool group;               /* ifname is an interface group (as pf_filter_rule.group) */
    uint8_t proto;
    uint16_t port;
    bool has_dst;             /* false: the primary address of the interface the packet arrived on */
    uint32_t dst_addr;        /* else this address (host order) */
    uint32_t to_addr;
    uint16_t to_port;
} pf_rdr_rule;

/* An endpoint-independent mapping (PF_MAP_EIM). */
typedef struct pf_eim {
    uint8_t proto;
    char ifname[PF_IFNAMSIZ];
    uint32_t in_addr, pub_addr;
    uint16_t in_port, pub_port;
    sim_time last_used, timeout;
    int nat_rule;
} pf_eim;

/* ---- the pf instance -------------------------------------------- */

typedef struct pf pf;

typedef enum pf_sync_kind { PF_SYNC_INSERT = 0, PF_SYNC_UPDATE, PF_SYNC_DELETE } pf_sync_kind;
typedef enum pf_log_kind { PF_LOG_NEW = 0, PF_LOG_DEADLINE, PF_LOG_END } pf_log_kind;

typedef struct pf_host_ops {
    void *ctx;
    /* Is addr configured on the node (pfSense "self": any interface
     * address, CARP VIPs included)? */
    bool (*is_self)(void *ctx, uint32_t addr);
    /* The primary address of an interface ("(wan)"), false if none. */
    bool (*iface_addr)(void *ctx, const char *ifname, uint32_t *addr);
    /* PF_ADDR_IFADDR / PF_ADDR_IFNET: is addr one of the interface's
     * addresses (CARP VIPs included) / inside one of its networks? */
    bool (*iface_has_addr)(void *ctx, const char *ifname, uint32_t addr);
    bool (*iface_net_contains)(void *ctx, const char *ifname, uint32_t addr);
    /* Does an interface of that name exist (pfsync import)? */
    bool (*iface_exists)(void *ctx, const char *ifname);
    /* Is interface ifname a member of interface group `group` (the
     * interface's if_groups, which pfi_kif_match walks)? Optional: without
     * it no group rule matches. */
    bool (*iface_in_group)(void *ctx, const char *group, const char *ifname);
    /* State table changes, for pfsync. Optional. */
    void (*state_changed)(void *ctx, const pf_state *s, pf_sync_kind k);
    /* Every change of a state's life, for the change log (state as of T).
     * Optional. PF_LOG_NEW: created or imported (s->imported), the host may
     * set s->hist; PF_LOG_DEADLINE: updated, pf_state_expires_at moved
     * (told only when the host set s->hist);
     * PF_LOG_END: it stops matching at `end` (<= now) for `why`. */
    void (*state_log)(void *ctx, pf_state *s, pf_log_kind k, sim_time end, sim_pf_end why);
} pf_host_ops;

typedef enum pf_drop {
    PF_DROP_NONE = 0,
    PF_DROP_RULE,        /* a block rule or the default block */
    PF_DROP_NAT_MAP,     /* translation failed: no free port / static-port collision (PFRES_MAPFAILED) */
    PF_DROP_STATE_INSERT,/* the new state's keys collide with an existing state (PFRES_STATEINS) */
    PF_DROP__COUNT
} pf_drop;
const char *pf_drop_name(pf_drop d);

typedef struct pf_options {
    bool if_bound;       /* state policy: if-bound (pfSense default since 2024, FLT) or floating */
    sim_time timeout[3][PFTM__COUNT]; /* [PF_CLASS_UDP/ICMP/OTHER][PFTM_*] */
    uint16_t nat_port_low, nat_port_high;
} pf_options;
void pf_options_default(pf_options *o);

struct pf {
    sim_engine *eng;
    sim_rng *rng;
    pf_host_ops ops;
    pf_options opt;
    uint32_t creatorid;
    uint64_t next_id;
    pf_state **st;
    size_t n, cap;
    pf_state **hw, **hs;      /* hash tables on the wire / stack key */
    size_t hsize;             /* power of two, 0 before the first insert */
    pf_filter_rule *rules;
    size_t n_rules;
    pf_nat_rule *nat;
    size_t n_nat;
    pf_rdr_rule *rdr;
    size_t n_rdr;
    pf_eim *eim;
    size_t n_eim, cap_eim;
    uint64_t drops[PF_DROP__COUNT];
    uint64_t states_created, states_expired, states_killed;
    /* Checksum of the filter, NAT and rdr rulesets (pf_setup_pfsync_matching
     * computes pf_status.pf_chksum over the rulesets; pfsync sends it and an
     * importer ties a state to its rule number only when they match). The
     * labels are not part of it. */
    uint64_t rules_cksum;
};

/* What pf_test decided for one packet. */
typedef struct pf_pkt {
    uint8_t proto;
    uint32_t src, dst;   /* host order; the rewrite lands here */
    uint16_t sport, dport; /* UDP/TCP ports; ICMP echo: the id in both */
    bool fragment;       /* an IPv4 fragment pf did not reassemble (no ports) */
} pf_pkt;

typedef struct pf_result {
    pf_action action;
    pf_drop drop;
    bool translated;         /* addresses/ports in the packet changed */
    pf_rt rt;                /* the packet must leave by rt_ifname to rt_addr */
    char rt_ifname[PF_IFNAMSIZ];
    uint32_t rt_addr;
    pf_state *state;         /* matched or created */
    bool new_state;
    int rule, nat_rule;      /* -1: none */
    const char *label;       /* the label of the rule, NAT rule or state's rule that decided; NULL none */
    bool by_state;           /* decided by an existing state (label: the rule that made it) */
    char note[512];          /* human text: which rule / state / NAT */
} pf_result;

void pf_init(pf *p, sim_engine *eng, sim_rng *rng, uint32_t creatorid, const pf_host_ops *ops);
void pf_destroy(pf *p);
/* Replace the rulesets (copied). */
bool pf_set_rules(pf *p, const pf_filter_rule *rules, size_t n);
bool pf_set_nat(pf *p, const pf_nat_rule *rules, size_t n);
bool pf_set_rdr(pf *p, const pf_rdr_rule *rules, size_t n);

/* Runs a packet through pf on ifname in direction dir (pf_test): state
 * lookup, else NAT (outbound) + filter rules and state creation. The
 * packet fields are rewritten in place when translated. */
pf_result pf_test(pf *p, pf_dir dir, const char *ifname, pf_pkt *pkt);
/* The same into *r: no copy of the result (the packet path). */
void pf_test_into(pf *p, pf_dir dir, const char *ifname, pf_pkt *pkt, pf_result *r);

/* ---- states (pf_state.c) --------------------------------------- */
void pf_key_for_packet(pf_dir dir, const pf_pkt *pkt, pf_key *k);
bool pf_key_eq(const pf_key *a, const pf_key *b);
/* Live (not expired) state whose wire (IN) / stack (OUT) key is k. */
pf_state *pf_state_find(pf *p, pf_dir dir, const char *ifname, const pf_key *k);
/* Any live state with k as its wire or stack key, any interface
 * (pf_find_state_all): used for NAT port collisions. */
pf_state *pf_state_find_any(pf *p, const pf_key *k);
/* Inserts a new state (copied); NULL when a key collides (PFRES_STATEINS). */
pf_state *pf_state_insert(pf *p, const pf_state *s);
/* Updates the peer progress and timeout for a packet matching s
 * (pf_test_state_udp); from_initiator = packet in the state's direction. */
void pf_state_touch(pf *p, pf_state *s, bool from_initiator);
sim_time pf_state_timeout_ns(const pf *p, const pf_state *s);
sim_time pf_state_expires_at(const pf *p, const pf_state *s);
bool pf_state_live(const pf *p, const pf_state *s);
/* Frees every state and the index (no pfsync notification). */
void pf_state_table_free(pf *p);
/* Removes expired states (the purge thread). Returns how many. */
size_t pf_state_purge(pf *p);
/* pfctl -k / states-kill: all states (NULL filter) or those matching addr
 * on either side of either key. Returns how many. */
size_t pf_states_kill(pf *p, const uint32_t *addr_or_null);
/* Every state goes with the machine (power-off): like pfctl -k all, but
 * logged as flushed. Returns how many. */
size_t pf_states_flush(pf *p);
size_t pf_state_count(pf *p); /* live states */
pf_state *pf_state_at(pf *p, size_t i); /* i < p->n, may be expired */
/* pfsync import: insert or update a state from the peer; skipped (false)
 * when its interface does not exist here (PSC pf_state_import). */
bool pf_state_import(pf *p, const pf_state *s, sim_time remaining);
/* A delete from the peer: the snapshot's (creatorid, id) and wire key. */
bool pf_state_import_delete(pf *p, const pf_state *s);
const char *pf_state_format(const pf_state *s, char *buf, size_t len);

/* ---- NAT (pf_nat.c) -------------------------------------------- */
/* pfi_kif_match (sys/netpfil/pf/pf_if.c): does a rule on rule_if (any
 * interface when ""; a group's members when group) apply to a packet on
 * ifname? */
bool pf_kif_match(const pf *p, const char *rule_if, bool group, const char *ifname);
bool pf_addr_match_test(const pf *p, const pf_addr_match *m, uint32_t addr);
/* The protocol, address and port terms a filter or NAT rule shares (0 =
 * any for proto and ports) against a packet. */
bool pf_flow_match(const pf *p, uint8_t proto, const pf_addr_match *src, const pf_addr_match *dst, uint16_t sport,
                   uint16_t dport, const pf_pkt *pkt);
/* First NAT rule matching an outbound packet on ifname, or -1. */
int pf_nat_match(const pf *p, const char *ifname, const pf_pkt *pkt);
/* pf_get_sport: the translated source for rule r; false when no port is
 * free (or with static-port, the port is taken). EIM rules reuse / record
 * their mapping. */
bool pf_nat_translate(pf *p, int r, const char *ifname, const pf_pkt *pkt, uint32_t *naddr, uint16_t *nport);
/* A live EIM mapping whose public side is addr:port (inbound), or NULL. */
pf_eim *pf_eim_find_public(pf *p, uint8_t proto, const char *ifname, uint32_t addr, uint16_t port);
/* Refreshes the EIM mapping a state was made through. */
void pf_eim_touch(pf *p, const pf_state *s);
/* The first port forward matching an inbound packet on ifname, or -1. */
int pf_rdr_match(const pf *p, const char *ifname, const pf_pkt *pkt);

#endif /* SIM_PF_H */
