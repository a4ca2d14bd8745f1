/*
 * sim.h — the public interface of libsim: the deterministic world wgsim
 * simulates (engine, seeded randomness, wire, nodes and their models).
 *
 * libsim depends on libwgnode (it hosts WireGuard devices) and on nothing
 * above it: it knows no YAML, no scenario, no claim.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wgnode/wgnode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

typedef int64_t sim_time; /* nanoseconds since the start of the simulation */
#define SIM_NS INT64_C(1)
#define SIM_US INT64_C(1000)
#define SIM_MS INT64_C(1000000)
#define SIM_S INT64_C(1000000000)
#define SIM_TIME_NEVER INT64_MAX

/* ------------------------------------------------------------------ */
/* Engine: an interface with interchangeable backends                 */
/* ------------------------------------------------------------------ */

/* Handle of a scheduled event; 0 is never a valid id. */
typedef uint64_t sim_event_id;
typedef void (*sim_event_fn)(void *arg);

typedef struct sim_engine sim_engine;

/* A backend implements these. Events with equal times run in the order
 * they were scheduled. Cancelling a fired or unknown id is a no-op that
 * returns false. A time in the past means now (after the events already
 * due now). */
typedef struct sim_engine_ops {
    const char *name;
    sim_event_id (*schedule)(sim_engine *e, sim_time at, sim_event_fn fn, void *arg);
    bool (*cancel)(sim_engine *e, sim_event_id id);
    /* Run events whose time is <= until (SIM_TIME_NEVER: until empty or
     * stopped); the clock ends at `until` when it is finite and not stopped. */
    void (*run)(sim_engine *e, sim_time until);
    /* Run exactly one event; false when none is pending. */
    bool (*step)(sim_engine *e);
    /* Make run() return after the current event. */
    void (*stop)(sim_engine *e);
    size_t (*pending)(const sim_engine *e);
    sim_time (*next_time)(const sim_engine *e); /* SIM_TIME_NEVER when empty */
    void (*destroy)(sim_engine *e);
} sim_engine_ops;

/* `now` is the clock, kept current by the backend (the time of the event
 * running, or where run() left it): models read it constantly, so it is
 * a field rather than a call. Only backends write it. */
struct sim_engine {
    const sim_engine_ops *ops;
    sim_time now;
    /* Events run so far, and a count at which run() returns early as if
     * stop() had been called (0: never). Backends maintain `executed`; the
     * runner sets `pause_at` to run in slices of events and check its
     * limits between slices without adding events of its own (an event of
     * the runner's would change nothing in order, but slicing from outside
     * keeps the models' event sequence untouched by construction). */
    uint64_t executed;
    uint64_t pause_at;
};

static inline sim_time sim_now(const sim_engine *e) { return e->now; }
/* ---- Cache hints (sim/net/prefetch.c) ----------------------------------
 * In a world of thousands of peers a flow's per-peer objects (its pf
 * states, route and ARP entries, WireGuard peer and keypair) are out of
 * cache each time its next packet comes, a second later, and the packet
 * path reads them one after another, each a memory access waited for in
 * turn. While a frame of a node with many interfaces is handled, the
 * models note the per-flow objects they read (sim_touch); the notes are
 * kept with the interface the flow uses and prefetched all at once when
 * its next frame arrives (docs/performance.md, "scale"). Hints only: a
 * note is an address, never dereferenced, and nothing a model decides
 * depends on them. Thread-local, since `wgsim test` runs scenarios on
 * several threads. */
#define SIM_TOUCH_MAX 48
typedef struct sim_touch_rec {
    unsigned n, max; /* max 0: not recording */
    const void *p[SIM_TOUCH_MAX];
} sim_touch_rec;
extern _Thread_local sim_touch_rec sim_touch_rec_;
/* On by default; off only to measure what they are worth (`wgsim bench
 * scale --no-cache-hints`) or to check that they change nothing. */
struct sim_world;
void sim_cache_hints_enable(struct sim_world *w, bool on);
static inline void sim_touch(const void *p)
{
    sim_touch_rec *r = &sim_touch_rec_;
    if (r->n < r->max && (r->n == 0 || ((uintptr_t)r->p[r->n - 1] ^ (uintptr_t)p) >= 64))
        r->p[r->n++] = p;
}
/* Every cache line of an object of len bytes at p. */
static inline void sim_touch_range(const void *p, size_t len)
{
    if (!sim_touch_rec_.max || !len)
        return;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + len;
    for (; a < end; a += 64)
        sim_touch((const void *)a);
}

static inline sim_event_id sim_schedule_at(sim_engine *e, sim_time at, sim_event_fn fn, void *arg)
{
    return e->ops->schedule(e, at, fn, arg);
}
static inline sim_event_id sim_schedule_in(sim_engine *e, sim_time delay, sim_event_fn fn, void *arg)
{
    return e->ops->schedule(e, e->now + delay, fn, arg);
}
static inline bool sim_cancel(sim_engine *e, sim_event_id id) { return id ? e->ops->cancel(e, id) : false; }
static inline void sim_run_until(sim_engine *e, sim_time until) { e->ops->run(e, until); }
static inline bool sim_step(sim_engine *e) { return e->ops->step(e); }
static inline void sim_stop(sim_engine *e) { e->ops->stop(e); }
static inline void sim_engine_destroy(sim_engine *e)
{
    if (e)
        e->ops->destroy(e);
}

/* The native backend: a radix heap (sim/engine/engine_native.c); fast. */
sim_engine *sim_engine_native_new(void);
/* The ns-3 backend (ns-3's Simulator through the libns3-c shim); NULL
 * when wgsim was built without ns-3. */
sim_engine *sim_engine_ns3_new(void);
/* "native" or "ns3"; NULL for an unknown name. */
sim_engine *sim_engine_new_by_name(const char *name);

/* ------------------------------------------------------------------ */
/* Seeded randomness: one ChaCha20 stream per node                    */
/* ------------------------------------------------------------------ */

/* Deterministic stream: key = BLAKE2s(seed || name); output is the
 * ChaCha20 keystream libsodium's randombytes_buf_deterministic produces,
 * continued block after block. One block is buffered: every node and
 * segment has a stream, and the bytes do not depend on the buffer size. */
typedef struct sim_rng {
    uint8_t key[32];
    uint64_t block;      /* next 64-byte block of the keystream */
    uint8_t buf[64];
    size_t pos;          /* bytes of buf already used */
} sim_rng;

void sim_rng_init(sim_rng *r, uint64_t seed, const char *name);
void sim_rng_bytes(sim_rng *r, void *out, size_t len);
uint64_t sim_rng_u64(sim_rng *r);
/* Uniform in [0, bound) without modulo bias; bound 0 returns 0. */
uint64_t sim_rng_below(sim_rng *r, uint64_t bound);
/* Uniform double in [0, 1). */
double sim_rng_unit(sim_rng *r);

/* ================================================================== */
/* The network: world, segments, nodes, interfaces, IPv4 stack,       */
/* sockets, WireGuard hosting, traffic, capture, trace, event log.    */
/* Model rules and their sources: docs/models.md.                     */
/* ================================================================== */
/*
 * Typical use (errors unchecked for brevity):
 *
 *   sim_world *w = sim_world_new(&(sim_world_config){.seed = 7});
 *   sim_segment *wan = sim_segment_new(w, "wan", &(sim_segment_config){.delay = SIM_MS});
 *   sim_node *fw = sim_node_new(w, "fw1", SIM_NODE_FIREWALL, WG_PLATFORM_FREEBSD);
 *   sim_iface *ifp = sim_iface_new(fw, "wan", wan);
 *   wg_prefix a; wg_prefix_parse("198.51.100.2/24", &a);
 *   sim_iface_add_addr(ifp, &a, false, 0, 0);              (connected route added)
 *   sim_route r = {.origin = SIM_RT_STATIC};
 *   wg_prefix_parse("0.0.0.0/0", &r.dst); wg_ip_parse("198.51.100.254", &r.gateway);
 *   sim_route_add(fw, &r);
 *   sim_wg *wg = sim_wg_new(fw, "wg0", &devcfg, &tunnel_prefix);
 *   sim_wg_add_peer(wg, &peercfg, true);                   (routes to allowed-ips)
 *   sim_capture_segment(wan);
 *   sim_ping_start(remote, &(sim_ping_config){.dst = ..., .interval = SIM_S});
 *   sim_world_run_until(w, 180 * SIM_S);
 *   for (size_t i = 0; i < sim_trace_count(w); i++) { const sim_trace_rec *t = sim_trace_at(w, i); ... }
 *   sim_capture_save(sim_world_capture_at(w, 0), "wan.pcap"); sim_world_save_keylog(w, "keys.log");
 *   sim_world_free(w);
 */

typedef struct sim_world sim_world;
typedef struct sim_segment sim_segment;
typedef struct sim_node sim_node;
typedef struct sim_iface sim_iface;
typedef struct sim_udp_sock sim_udp_sock;
typedef struct sim_wg sim_wg;
typedef struct sim_ping sim_ping;
typedef struct sim_capture sim_capture;

typedef struct sim_mac {
    uint8_t b[6];
} sim_mac;
#define SIM_MAC_STRLEN 18
const char *sim_mac_format(const sim_mac *m, char buf[SIM_MAC_STRLEN]);
bool sim_mac_eq(const sim_mac *a, const sim_mac *b);

/* Results of stack operations (socket-call errors, by their errno names). */
typedef enum sim_err {
    SIM_OK = 0,
    SIM_EADDRNOTAVAIL, /* requested source address is configured on no interface */
    SIM_EADDRINUSE,    /* bind: address+port taken */
    SIM_ENETUNREACH,   /* no route */
    SIM_EHOSTUNREACH,  /* ARP gave up on a gateway (arp_maxtries reached) */
    SIM_EHOSTDOWN,     /* ARP gave up on an on-link destination */
    SIM_ENETDOWN,      /* interface or node down */
    SIM_EMSGSIZE,      /* larger than the outgoing interface's MTU */
    SIM_EINVAL,
    SIM_EEXIST,
    SIM_ENOENT,
    SIM_EPERM,         /* a filter hook blocked the packet */
    SIM_ENOMEM,
} sim_err;
const char *sim_err_name(sim_err e);

/* Why a packet or frame was dropped; counted per node (sim_node_drops)
 * and logged in the event log. */
typedef enum sim_drop_reason {
    SIM_DROP_NONE = 0,
    SIM_DROP_LOSS,            /* segment random loss */
    SIM_DROP_QUEUE_FULL,      /* segment transmit queue tail drop */
    SIM_DROP_LINK_DOWN,       /* sending or receiving interface link down */
    SIM_DROP_POWERED_OFF,     /* node is off */
    SIM_DROP_FRAME_TOO_BIG,   /* frame exceeds the segment MTU */
    SIM_DROP_MALFORMED,       /* truncated / bad header */
    SIM_DROP_BAD_IP_CHECKSUM,
    SIM_DROP_BAD_UDP_CHECKSUM,
    SIM_DROP_BAD_ICMP_CHECKSUM,
    SIM_DROP_UNKNOWN_ETHERTYPE,
    SIM_DROP_UNKNOWN_PROTO,   /* no handler for the IP protocol */
    SIM_DROP_NOT_FORWARDING,  /* not for us and forwarding is off */
    SIM_DROP_TTL_EXCEEDED,
    SIM_DROP_NO_ROUTE,
    SIM_DROP_NEEDS_FRAG,      /* over MTU with DF (ICMP sent when forwarding) */
    SIM_DROP_FRAG_UNSUPPORTED,/* over MTU without DF, and the MTU leaves no room for 8 bytes of data (ip_fragment EMSGSIZE) */
    SIM_DROP_ARP_HOLD_OVERFLOW, /* oldest held packet dropped (arp_maxhold) */
    SIM_DROP_ARP_TIMEOUT,     /* held packets of an unresolved entry (arpt_down) */
    SIM_DROP_NO_SOCKET,       /* UDP port unreachable */
    SIM_DROP_FILTER,          /* a hook (pf) returned SIM_DROP */
    SIM_DROP_TUNNEL,          /* the WireGuard device refused the inner packet */
    SIM_DROP_REASS_TIMEOUT,   /* fragments of a datagram not completed within the reassembly timeout */
    SIM_DROP_FRAG_DROPPED,    /* a fragment (or a whole queue) refused by reassembly: bad length, duplicate, too many */
    SIM_DROP__COUNT
} sim_drop_reason;
const char *sim_drop_reason_name(sim_drop_reason r);

/* ------------------------------------------------------------------ */
/* World                                                              */
/* ------------------------------------------------------------------ */

/* 2026-01-01T00:00:00Z: the wall clock of sim time 0 (TAI64N timestamps). */
#define SIM_DEFAULT_EPOCH_UNIX_NS (INT64_C(1767225600) * SIM_S)

typedef struct sim_world_config {
    uint64_t seed;
    /* NULL: a native engine owned by the world. Otherwise the caller's
     * engine (the world does not destroy it). */
    sim_engine *engine;
    int64_t epoch_unix_ns; /* 0: SIM_DEFAULT_EPOCH_UNIX_NS */
} sim_world_config;

sim_world *sim_world_new(const sim_world_config *cfg);
/* Frees nodes, segments, devices, captures, trace and log. */
void sim_world_free(sim_world *w);
sim_engine *sim_world_engine(sim_world *w);
sim_time sim_world_now(const sim_world *w);
uint64_t sim_world_seed(const sim_world *w);
int64_t sim_world_wall_ns(const sim_world *w, sim_time t); /* epoch + t */
/* Runs the engine until `until` (sim_run_until on the world's engine). */
void sim_world_run_until(sim_world *w, sim_time until);
sim_node *sim_world_node(const sim_world *w, const char *name);
size_t sim_world_node_count(const sim_world *w);
sim_node *sim_world_node_at(const sim_world *w, size_t i);
sim_segment *sim_world_segment(const sim_world *w, const char *name);
size_t sim_world_segment_count(const sim_world *w);
sim_segment *sim_world_segment_at(const sim_world *w, size_t i);

/* ------------------------------------------------------------------ */
/* Segments: L2 broadcast domains                                     */
/* ------------------------------------------------------------------ */

#define SIM_DEFAULT_MTU 1500
#define SIM_DEFAULT_QUEUE 50 /* FreeBSD IFQ_MAXLEN (net.link.ifqmaxlen) */

typedef struct sim_segment_config {
    sim_time delay;          /* one-way propagation delay */
    sim_time jitter;         /* delay varies uniformly in [delay-jitter, delay+jitter], >= 0 */
    double loss;             /* probability in [0,1] that a frame is lost */
    uint64_t bandwidth_bps;  /* 0: infinite (no serialisation delay, no queue) */
    uint32_t queue_limit;    /* frames waiting behind the one on the wire, per sender; 0: SIM_DEFAULT_QUEUE */
    uint32_t mtu;            /* largest IP packet; 0: SIM_DEFAULT_MTU */
} sim_segment_config;

typedef struct sim_segment_stats {
    uint64_t frames_sent;    /* accepted into a transmit queue */
    uint64_t frames_delivered; /* frame arrivals (one per frame, whatever the receivers) */
    uint64_t lost, queue_drops, too_big;
} sim_segment_stats;

/* Randomness: the stream "segment:NAME" of the world seed. NULL on a
 * duplicate name or an invalid config (loss outside [0,1], negative times). */
sim_segment *sim_segment_new(sim_world *w, const char *name, const sim_segment_config *cfg);
bool sim_segment_set_config(sim_segment *s, const sim_segment_config *cfg);
const sim_segment_config *sim_segment_get_config(const sim_segment *s);
const char *sim_segment_name(const sim_segment *s);
int sim_segment_id(const sim_segment *s);
const sim_segment_stats *sim_segment_get_stats(const sim_segment *s);

/* ------------------------------------------------------------------ */
/* Nodes and interfaces                                               */
/* ------------------------------------------------------------------ */

typedef enum sim_node_kind {
    SIM_NODE_HOST = 0,   /* no forwarding */
    SIM_NODE_ROUTER,     /* forwarding on */
    SIM_NODE_FIREWALL,   /* forwarding on; pf/CARP plug in through hooks */
} sim_node_kind;
const char *sim_node_kind_name(sim_node_kind k);

/* The node's random stream is "node:NAME" of the world seed. The platform
 * selects stack and WireGuard sourcing rules (wgnode's wg_platform). NULL on
 * a duplicate name. */
sim_node *sim_node_new(sim_world *w, const char *name, sim_node_kind kind, wg_platform platform);
const char *sim_node_name(const sim_node *n);
int sim_node_id(const sim_node *n); /* 0.. in creation order */
sim_world *sim_node_world(const sim_node *n);
sim_node_kind sim_node_kind_of(const sim_node *n);
wg_platform sim_node_platform(const sim_node *n);
sim_rng *sim_node_rng(sim_node *n);
void sim_node_set_forwarding(sim_node *n, bool on);
bool sim_node_forwarding(const sim_node *n);
/* Power: off drops everything the node would send or receive, clears its
 * ARP caches (held packets are dropped), and tells the power listeners
 * (WireGuard hosts stop their timers; on power-on they restart from their
 * configuration, like a reboot). */
void sim_node_set_power(sim_node *n, bool on);
bool sim_node_powered(const sim_node *n);
typedef void (*sim_power_fn)(void *ctx, sim_node *n, bool on);
void sim_node_add_power_listener(sim_node *n, sim_power_fn fn, void *ctx);
uint64_t sim_node_drops(const sim_node *n, sim_drop_reason r);
/* Opaque per-node slot for model plugins (pf, CARP, gateways). */
void sim_node_set_user(sim_node *n, void *user);
void *sim_node_user(const sim_node *n);

typedef enum sim_iface_kind {
    SIM_IFACE_ETHERNET = 0,
    SIM_IFACE_TUNNEL, /* a WireGuard interface: no segment, no ARP */
} sim_iface_kind;

/* An Ethernet interface attached to seg (may be NULL: not cabled). Its
 * MAC is 02:xx:xx:xx:xx:xx from BLAKE2s("wgsim-mac" node "/" ifname).
 * ifindex is 1.. in creation order. NULL on a duplicate name. */
sim_iface *sim_iface_new(sim_node *n, const char *name, sim_segment *seg);
sim_iface *sim_node_iface(const sim_node *n, const char *name);
sim_iface *sim_node_iface_by_index(const sim_node *n, uint32_t ifindex);
size_t sim_node_iface_count(const sim_node *n); /* ifindex 1..count */
uint32_t sim_iface_index(const sim_iface *ifp);
const char *sim_iface_name(const sim_iface *ifp);
sim_node *sim_iface_node(const sim_iface *ifp);
sim_iface_kind sim_iface_kind_of(const sim_iface *ifp);
sim_segment *sim_iface_segment(const sim_iface *ifp);
/* Moves the cable to another segment (NULL: unplugged). */
void sim_iface_attach(sim_iface *ifp, sim_segment *seg);
sim_mac sim_iface_mac(const sim_iface *ifp);
uint32_t sim_iface_mtu(const sim_iface *ifp);   /* default: the segment's MTU */
void sim_iface_set_mtu(sim_iface *ifp, uint32_t mtu);
/* Link (carrier) state: frames sent or arriving while down are dropped. */
void sim_iface_set_link(sim_iface *ifp, bool up);
bool sim_iface_link_up(const sim_iface *ifp);
typedef void (*sim_link_fn)(void *ctx, sim_iface *ifp, bool up);
void sim_node_add_link_listener(sim_node *n, sim_link_fn fn, void *ctx);

/* Interface addresses. The first non-CARP address of an interface is its
 * primary; others are aliases. */
typedef struct sim_addr {
    wg_ip ip;
    uint8_t plen;
    bool is_carp;   /* a CARP VIP (vhid): no connected route; ARP answers and
                       vMAC acceptance are decided by sim_l2_ops */
    uint8_t vhid;   /* CARP vhid, 0 if none */
    uint32_t flags; /* SIM_ADDR_* */
} sim_addr;
#define SIM_ADDR_NOROUTE 0x1u  /* add no connected route */
#define SIM_ADDR_NOGARP 0x2u   /* no gratuitous ARP when added */

/* Adds ip/plen. A non-CARP address adds a connected route for its prefix
 * (unless one exists) and announces itself with a gratuitous ARP (FreeBSD
 * arp_ifinit). SIM_EEXIST if the address is already on the node. */
sim_err sim_iface_add_addr(sim_iface *ifp, const wg_prefix *p, bool is_carp, uint8_t vhid, uint32_t flags);
/* Removes it and the connected route it owns (the route moves to another
 * address of the interface in the same prefix when there is one). */
sim_err sim_iface_del_addr(sim_iface *ifp, const wg_ip *ip);
size_t sim_iface_addr_count(const sim_iface *ifp);
const sim_addr *sim_iface_addr_at(const sim_iface *ifp, size_t i);
/* The first non-CARP IPv4 address, or NULL. */
const sim_addr *sim_iface_primary_addr(const sim_iface *ifp);
/* Is ip configured on any interface of the node (CARP VIPs included,
 * whatever their state: FreeBSD ifa_ifwithaddr)? *ifp_out may be NULL. */
const sim_addr *sim_node_find_addr(const sim_node *n, const wg_ip *ip, sim_iface **ifp_out);

/* The CARP plug-in point: per node, decides what the L2 layer does with
 * CARP addresses. Without ops, CARP addresses are never answered for, no
 * extra MAC is accepted and no CARP address counts as MASTER. */
typedef struct sim_l2_ops {
    void *ctx;
    /* Accept a unicast frame to `mac` (not the interface's own)? */
    bool (*accept_mac)(void *ctx, sim_iface *ifp, const sim_mac *mac);
    /* Answer an ARP request for the CARP address a? Sets the MAC to answer
     * with (the vMAC); that MAC is also the reply's Ethernet source. */
    bool (*arp_answer)(void *ctx, sim_iface *ifp, const sim_addr *a, sim_mac *mac_out);
    /* Is the CARP address a MASTER (FreeBSD ifa_preferred)? */
    bool (*addr_is_master)(void *ctx, sim_iface *ifp, const sim_addr *a);
    /* Does the CARP address a have its loopback host route, so that the
     * node's own packets to it stay local (carp_ifa_addroute installs it on
     * becoming MASTER and only MASTER -> BACKUP removes it)? Optional: NULL
     * lets addr_is_master decide. */
    bool (*addr_is_local)(void *ctx, sim_iface *ifp, const sim_addr *a);
} sim_l2_ops;
void sim_node_set_l2_ops(sim_node *n, const sim_l2_ops *ops);

/* ------------------------------------------------------------------ */
/* Routing (FIB)                                                      */
/* ------------------------------------------------------------------ */

typedef enum sim_route_origin {
    SIM_RT_CONNECTED = 0, /* from an interface address */
    SIM_RT_STATIC,        /* configured (including the default route) */
    SIM_RT_TUNNEL,        /* WireGuard allowed-ips (wg-quick) */
    SIM_RT_CARP,          /* a MASTER's VIP routes */
    SIM_RT_GATEWAY,       /* default route following a gateway group */
    SIM_RT_MONITOR,       /* gateway monitor host routes (dpinger) */
} sim_route_origin;
const char *sim_route_origin_name(sim_route_origin o);

/* A route. Everything a lookup and a packet's source reason read lies in
 * its first 64 bytes, tag[0] included, and a route is 128 bytes: a
 * node's table starts on a cache-line boundary (fib.c), so citing an
 * untagged route costs one line of it instead of two; a tagged one (a
 * gateway's, a WireGuard tunnel's) also reads tag_rec in the second
 * (docs/performance.md, "Routes in one line"). */
typedef struct sim_route {
    wg_prefix dst;       /* 0.0.0.0/0 = default route */
    wg_ip gateway;       /* family 0: on-link through ifindex */
    wg_ip ifa;           /* connected routes: the owning address; else 0 (chosen at lookup) */
    uint32_t ifindex;    /* 0: the interface whose address network holds the gateway */
    sim_route_origin origin;
    char tag[32];        /* free label: gateway or group name */
    const char *tag_rec; /* the stack's: tag interned on first use (fib.c); reset by add/replace */
    char reserved_[24];  /* unused: pads a route to 128 bytes */
} sim_route;

/* SIM_EEXIST when a route for the same prefix exists; SIM_EINVAL when it
 * names neither a gateway nor an interface. */
sim_err sim_route_add(sim_node *n, const sim_route *r);
/* Adds or replaces the route of r->dst. */
sim_err sim_route_replace(sim_node *n, const sim_route *r);
sim_err sim_route_del(sim_node *n, const wg_prefix *dst);
size_t sim_node_route_count(const sim_node *n);
const sim_route *sim_node_route_at(const sim_node *n, size_t i);
const sim_route *sim_node_route_find(const sim_node *n, const wg_prefix *dst);
/* r's tag (a route of n) interned in the run record, NULL when it has none. */
const char *sim_route_tag_interned(sim_node *n, const sim_route *r);

typedef struct sim_route_result {
    const sim_route *route; /* NULL when forced on-link (wireguard-go) */
    uint32_t ifindex;
    wg_ip nexthop;          /* gateway or the destination itself */
    wg_ip src;              /* the route's interface address (family 0: none) */
} sim_route_result;
/* Longest-prefix match; the source is the address a FreeBSD unbound send
 * would take (ha-model.md §4). false: no route. */
bool sim_fib_lookup(const sim_node *n, const wg_ip *dst, sim_route_result *out);
/* Same, restricted to routes out of ifindex; with no such route the
 * destination is treated as on-link there (wireguard-go on Linux). */
bool sim_fib_lookup_on(const sim_node *n, const wg_ip *dst, uint32_t ifindex, sim_route_result *out);
/* One line: "10.0.0.0/8 via 192.0.2.1 dev wan (static)". */
const char *sim_route_format(const sim_node *n, const sim_route *r, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Why a packet has its source address                                */
/* ------------------------------------------------------------------ */

typedef enum sim_src_kind {
    SIM_SRC_UNSET = 0,
    SIM_SRC_EXPLICIT,  /* the sender asked for it (IP_SENDSRCADDR); .wg says why */
    SIM_SRC_BOUND,     /* the socket is bound to it */
    SIM_SRC_ROUTE,     /* stack choice: the address of the route's interface */
    SIM_SRC_REFLECT,   /* ICMP reply/error: the address the original was sent to */
    SIM_SRC_FORWARDED, /* forwarded: the source is another node's */
    SIM_SRC_ARP,       /* ARP payload (not an IP datagram) */
} sim_src_kind;
const char *sim_src_kind_name(sim_src_kind k);
#define SIM_SRC_F_NAT 0x1u      /* an outbound NAT rule (or a mapping / rdr state) rewrote the source */
#define SIM_SRC_F_REPLY_TO 0x2u /* reply-to chose the interface/gateway */
#define SIM_SRC_F_ROUTE_TO 0x4u /* route-to chose the interface/gateway */
#define SIM_SRC_F_LEARNED 0x8u  /* .learned is set */

/* How the sending stack chose the way out (the source follows from it). */
typedef enum sim_path_kind {
    SIM_PATH_NONE = 0,
    SIM_PATH_ROUTE,     /* a FIB route: .route_* */
    SIM_PATH_ONLINK,    /* a forced interface with no route (wireguard-go on Linux) */
    SIM_PATH_MULTICAST, /* the caller named the interface */
    SIM_PATH_BROADCAST,
    SIM_PATH_LOOPBACK,  /* to one of the node's own addresses */
} sim_path_kind;

/* The received datagram a WireGuard peer's local address was learned from
 * (wg-sourcing.md: the address it was sent to becomes the reply source). */
typedef struct sim_learned {
    sim_time t;
    wg_endpoint from;  /* the remote that sent it */
    wg_endpoint to;    /* the local address and port it was sent to */
    uint32_t ifindex;  /* where it arrived */
} sim_learned;

/* Why a packet has its source address: structured, so that every output
 * can show all of it (sim_src_reason_format never cuts it short) and JSON
 * can carry it as fields. Plain data: the strings are the world's interned
 * strings (sim_world_intern), valid until the world is freed. Frames carry
 * it by value while in flight; the run record stores each distinct reason
 * once (sim_trace_rec.reason points at that copy). */
typedef struct sim_src_reason {
    uint8_t kind;            /* sim_src_kind */
    uint8_t wg;              /* wg_source_reason: WireGuard's reason when a device sent it */
    uint8_t flags;           /* SIM_SRC_F_* */
    uint8_t path;            /* sim_path_kind */
    uint8_t route_origin;    /* sim_route_origin of the route used */
    uint8_t route_plen;
    int32_t node;            /* the node that chose the path (names .ifindex), -1 none */
    uint32_t ifindex;        /* the interface it left by ("dev") */
    wg_ip route_dst;         /* the route's prefix (with route_plen) */
    wg_ip route_gw;          /* its gateway; family 0: on-link */
    const char *route_tag;   /* the gateway or group the route follows, NULL */
    /* pf: the outbound NAT rule, mapping or rdr state that rewrote it */
    int32_t nat_node;        /* -1: not translated */
    const char *nat_rule;    /* its label ("nat rule at FILE:LINE", "nat mapping", "rdr") */
    wg_endpoint nat_from, nat_to;
    /* pf: route-to / reply-to (the last one applied) */
    int32_t rt_node;
    uint32_t rt_ifindex;
    wg_ip rt_gw;
    const char *rt_rule;     /* the rule or state that carried it */
    sim_learned learned;     /* with SIM_SRC_F_LEARNED */
} sim_src_reason;
/* The reason in words, as the timeline and failures show it:
 * "route: 0.0.0.0/0 via 198.51.100.254 dev wan (static)",
 * "explicit (learned from 192.0.2.10:51820 -> 198.51.100.1:51820 at 3.002000s on wan);
 *  0.0.0.0/0 via ... ; nat rule at f.yaml:40: 10.0.0.2:51820 -> 203.0.113.1:51820".
 * Like snprintf: writes at most len bytes (NUL included) and returns the
 * full length, so a caller can size its buffer; w names the interfaces. */
size_t sim_src_reason_format(const sim_world *w, const sim_src_reason *r, char *buf, size_t len);
/* The same in a malloc'd string (NULL when out of memory). */
char *sim_src_reason_text(const sim_world *w, const sim_src_reason *r);
/* A string kept once for the world's lifetime (equal strings give the same
 * pointer): rule labels and tags that reasons and events point at. */
const char *sim_world_intern(sim_world *w, const char *s);

/* ------------------------------------------------------------------ */
/* IPv4 packets, hooks (pf, policy routing), raw IP send              */
/* ------------------------------------------------------------------ */

#define SIM_IPPROTO_ICMP 1
#define SIM_IPPROTO_UDP 17
#define SIM_DEFAULT_TTL 64 /* FreeBSD net.inet.ip.ttl */

/* Parsed view of an IPv4 packet (host order numbers). */
typedef struct sim_ipv4_info {
    wg_ip src, dst;
    uint8_t proto, ttl, tos;
    bool df;
    uint16_t total_len, hdr_len, id;
    /* UDP */
    uint16_t sport, dport;
    /* ICMP */
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;
    const uint8_t *payload; /* L4 payload (after the UDP/ICMP header) */
    size_t payload_len;
    /* Fragmentation (RFC 791): the fragment's offset in bytes and the
     * more-fragments flag. A whole datagram has both 0; only a first
     * fragment (offset 0) carries the UDP/ICMP header. */
    uint16_t frag_off;
    bool mf;
} sim_ipv4_info;
/* Header checks (version, lengths, header checksum) and L4 fields; false on
 * anything malformed. Does not verify L4 checksums. */
bool sim_ipv4_parse(const uint8_t *pkt, size_t len, sim_ipv4_info *out);
/* sim_ipv4_parse without the header checksum, for a packet on a node's
 * packet path (a hook's sim_pkt, a packet being delivered or sent): its
 * checksum was verified where it entered the node or computed where the
 * node built it, and a hook that rewrites the header fixes it
 * (sim_ipv4_rewrite, sim_ipv4_fix_checksums). Bytes of unknown origin
 * (a frame, a drop record) go through sim_ipv4_parse. */
bool sim_ipv4_reparse(const uint8_t *pkt, size_t len, sim_ipv4_info *out);
/* RFC 1071 Internet checksum helpers. */
uint16_t sim_inet_checksum(const void *data, size_t len);
/* Recomputes the IPv4 header checksum and the UDP/ICMP checksum in place. */
void sim_ipv4_fix_checksums(uint8_t *pkt, size_t len);
/* NAT helper: rewrites addresses/ports (NULL / -1 keep) and fixes checksums. */
void sim_ipv4_rewrite(uint8_t *pkt, size_t len, const wg_ip *src, const wg_ip *dst, int sport, int dport);

/* A packet passing a hook point. Hooks may rewrite data in place (same
 * length; the header checksum stays valid: sim_ipv4_rewrite or
 * sim_ipv4_fix_checksums, as the stack parses it again with
 * sim_ipv4_reparse), change out_ifindex/nexthop (policy routing) and add
 * to reason. */
typedef struct sim_pkt {
    uint8_t *data;          /* the IPv4 packet */
    size_t len;
    uint32_t in_ifindex;    /* arrival interface; 0 for the node's own packets */
    uint32_t out_ifindex;   /* set by routing; ROUTE/OUT hooks may set it */
    wg_ip nexthop;          /* L2 next hop on out_ifindex */
    bool local_origin;      /* sent by this node */
    const sim_route *route; /* FIB entry used, NULL if none/forced */
    sim_src_reason reason;
    int origin_node;        /* node id that built the packet, -1 unknown */
    const char *drop_note;  /* a hook returning SIM_DROP may explain it */
    const char *drop_rule;  /* ... and name the rule that dropped it (interned label) */
    uint32_t frag_mtu;      /* 0: fragments fit the outgoing interface; else at most this (a learnt path MTU) */
    /* IN hooks: the packet as parsed before they ran (NULL elsewhere, or
     * when it did not parse), valid during the call; a hook that rewrites
     * the packet sets it to NULL (the parse is kept after the hooks). */
    const sim_ipv4_info *ip;
} sim_pkt;

typedef enum sim_hook_point {
    SIM_HOOK_IN = 0,   /* every valid IPv4 packet received on an interface (pf "in") */
    SIM_HOOK_ROUTE,    /* before the FIB lookup, local and forwarded packets:
                          setting out_ifindex (+nexthop) skips the FIB (route-to) */
    SIM_HOOK_FORWARD,  /* a packet this node forwards, after routing */
    SIM_HOOK_OUT,      /* every packet leaving an interface, after routing (pf "out",
                          NAT, reply-to/route-to by changing out_ifindex/nexthop) */
    SIM_HOOK__COUNT
} sim_hook_point;
typedef enum sim_verdict {
    SIM_PASS = 0,
    SIM_DROP,    /* counted as SIM_DROP_FILTER */
    SIM_STOLEN,  /* the hook took the packet (it is not used afterwards) */
} sim_verdict;
typedef sim_verdict (*sim_hook_fn)(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p);
/* Hooks of one point run in the order added. */
void sim_node_add_hook(sim_node *n, sim_hook_point pt, sim_hook_fn fn, void *ctx);

/* Local delivery of IP protocols other than UDP and ICMP (CARP 112,
 * pfsync 240). Multicast (224.0.0.0/4) packets are delivered too. */
typedef void (*sim_proto_fn)(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip,
                             const uint8_t *l4, size_t l4_len);
void sim_node_set_proto_handler(sim_node *n, uint8_t proto, sim_proto_fn fn, void *ctx);

/* IPv4 fragments (sim/netinet/ip_frag.c). Over-MTU packets without DF
 * are fragmented on output (ip_output / ip_fragment); fragments for a
 * local address are reassembled (ip_reass: net.inet.ip.fragttl 30 s,
 * maxfragsperpacket 16). With scrub reassembly on (pf's "scrub ...
 * fragment reassemble", which pfSense generates unless scrub is
 * disabled) every fragment a node receives is reassembled before its IN
 * hooks, so pf and forwarding see whole datagrams (pf "frag" timeout
 * 30 s). */
void sim_node_set_scrub_reassemble(sim_node *n, bool on);
/* Datagrams waiting for fragments: stack queues + scrub queues. */
size_t sim_node_reass_pending(const sim_node *n);
/* The path MTU a Linux node (platforms linux and wireguard-go) learnt for
 * dst from ICMP fragmentation needed (ipv4_update_pmtu: at least
 * net.ipv4.route.min_pmtu 552, only ever lowered, forgotten after
 * net.ipv4.route.mtu_expires 600 s); 0: none. Other platforms learn
 * nothing (FreeBSD keeps path MTUs for TCP only). */
uint32_t sim_node_path_mtu(const sim_node *n, const wg_ip *dst);

typedef struct sim_ip_send_opts {
    wg_ip src;          /* family 0: the stack chooses from the route */
    uint32_t ifindex;   /* forced outgoing interface (needed for multicast/broadcast) */
    uint8_t ttl;        /* 0: SIM_DEFAULT_TTL */
    uint8_t tos;
    bool df;
    bool bindany;       /* IP_BINDANY: skip the "source is configured" check */
    const sim_mac *src_mac; /* Ethernet source override (CARP vMAC) */
    sim_src_kind src_kind;  /* how the caller got src (default EXPLICIT when src set) */
    wg_source_reason wg_reason;
    const sim_learned *learned; /* copied to the reason's `learned` (NULL: none) */
} sim_ip_send_opts;
/* Sends payload as one IPv4 datagram of protocol proto. Source rules:
 * explicit src must be configured on the node (EADDRNOTAVAIL); the
 * interface comes from a destination-only route lookup unless forced. */
sim_err sim_ip_send(sim_node *n, uint8_t proto, const wg_ip *dst, const uint8_t *payload, size_t len,
                    const sim_ip_send_opts *o);
/* A raw Ethernet frame out of ifp (ARP, CARP); pads to 60 bytes. */
sim_err sim_iface_send_frame(sim_iface *ifp, const sim_mac *dst, const sim_mac *src, uint16_t ethertype,
                             const uint8_t *payload, size_t len);

/* ------------------------------------------------------------------ */
/* ARP (FreeBSD if_ether.c model)                                     */
/* ------------------------------------------------------------------ */

#define SIM_ARP_MAX_AGE (1200 * SIM_S)  /* net.link.ether.inet.max_age */
#define SIM_ARP_DOWN_TIME (20 * SIM_S)  /* net.link.ether.inet.wait: incomplete entry life */
#define SIM_ARP_MAXTRIES 5              /* net.link.ether.inet.maxtries */
#define SIM_ARP_MAXHOLD 16              /* net.link.ether.inet.maxhold */

typedef struct sim_arp_entry {
    wg_ip ip;
    sim_mac mac;
    bool resolved;
    sim_time expire;      /* resolved: valid until; incomplete: deleted at */
    uint32_t asked;       /* requests sent while incomplete */
    size_t held;          /* packets waiting for resolution */
} sim_arp_entry;
/* Looks up the cache of ifp; false when there is no entry (incomplete
 * entries are returned with resolved=false). */
bool sim_arp_lookup(const sim_iface *ifp, const wg_ip *ip, sim_arp_entry *out);
size_t sim_arp_count(const sim_iface *ifp);
bool sim_arp_entry_at(const sim_iface *ifp, size_t i, sim_arp_entry *out);
/* A gratuitous ARP request (sender = target = ip) with sender hardware
 * address mac (NULL: the interface MAC), broadcast. */
sim_err sim_arp_announce(sim_iface *ifp, const wg_ip *ip, const sim_mac *mac);
/* Clears the cache of every interface of the node. */
void sim_arp_flush(sim_node *n);

/* ------------------------------------------------------------------ */
/* ICMP                                                               */
/* ------------------------------------------------------------------ */

#define SIM_ICMP_ECHO_REPLY 0
#define SIM_ICMP_UNREACH 3
#define SIM_ICMP_ECHO 8
#define SIM_ICMP_TIME_EXCEEDED 11
#define SIM_ICMP_UNREACH_NET 0
#define SIM_ICMP_UNREACH_HOST 1
#define SIM_ICMP_UNREACH_PROTO 2
#define SIM_ICMP_UNREACH_PORT 3
#define SIM_ICMP_UNREACH_NEEDFRAG 4

/* Every ICMP message delivered locally (after echo handling). For errors
 * the quoted original header is in ip->payload. */
typedef void (*sim_icmp_fn)(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip);
void sim_node_add_icmp_listener(sim_node *n, sim_icmp_fn fn, void *ctx);
/* Sends an ICMP echo request (id, seq, `size` payload bytes). */
sim_err sim_icmp_echo(sim_node *n, const wg_ip *dst, uint16_t id, uint16_t seq, size_t size,
                      const sim_ip_send_opts *o);

/* ------------------------------------------------------------------ */
/* UDP sockets                                                        */
/* ------------------------------------------------------------------ */

typedef struct sim_udp_rx {
    wg_ip src;          /* remote */
    uint16_t sport;
    wg_ip dst;          /* the local address the datagram was sent to */
    uint16_t dport;
    uint32_t ifindex;   /* arrival interface */
    uint8_t ttl;
} sim_udp_rx;
typedef void (*sim_udp_recv_fn)(void *ctx, sim_udp_sock *s, const sim_udp_rx *rx, const uint8_t *data,
                                size_t len);

/* bind(addr or any, port): addr NULL or family 0 = wildcard; port 0 =
 * ephemeral (10000-65535, FreeBSD portrange, drawn from the node stream).
 * SIM_EADDRNOTAVAIL if addr is not configured on the node, SIM_EADDRINUSE
 * if the pair is taken. */
sim_err sim_udp_bind(sim_node *n, const wg_ip *addr, uint16_t port, sim_udp_recv_fn fn, void *ctx,
                     sim_udp_sock **out);
void sim_udp_close(sim_udp_sock *s);
uint16_t sim_udp_port(const sim_udp_sock *s);
sim_node *sim_udp_node(const sim_udp_sock *s);

typedef struct sim_udp_send_opts {
    wg_ip src;        /* family 0: bound address, else the stack's choice */
    uint32_t ifindex; /* forced outgoing interface (wireguard-go on Linux), 0: route */
    wg_source_reason wg_reason;
    uint8_t ttl;
    bool df;
    const sim_learned *learned; /* where the learned source came from, for the trace (NULL: none) */
    /* Linux's default path-MTU discovery for the socket (IP_PMTUDISC_WANT):
     * DF while the datagram fits the path MTU the node knows (the route's
     * interface MTU, or less once an ICMP fragmentation needed taught it,
     * sim_node_path_mtu), else no DF and fragments of that size. df is
     * then ignored. */
    bool pmtudisc;
} sim_udp_send_opts;
/* Source: explicit src (IP_SENDSRCADDR: must be configured, else
 * SIM_EADDRNOTAVAIL; the interface still comes from the destination route),
 * else the bound address, else the route's interface address (FreeBSD
 * in_pcbladdr). With ifindex forced the source must be configured, else
 * SIM_ENETUNREACH (observed wireguard-go behaviour, wg-sourcing.md).
 * The source reason lands in the packet trace. */
sim_err sim_udp_sendto(sim_udp_sock *s, const sim_udp_send_opts *o, const wg_ip *dst, uint16_t dport,
                       const uint8_t *data, size_t len);

/* ------------------------------------------------------------------ */
/* Hosting a WireGuard device                                         */
/* ------------------------------------------------------------------ */

/* Creates the device on node n with a tunnel interface named ifname
 * (addresses: tunnel_addr, optional) and a wildcard UDP socket on the
 * listen port. Timers are engine timers re-armed from
 * wg_device_next_deadline(); random bytes from the node stream; wall
 * clock = world epoch + sim time; events go to the event log and keys to
 * the world key log. The device starts up. NULL on error (port in use). */
sim_wg *sim_wg_new(sim_node *n, const char *ifname, const wg_device_config *cfg, const wg_prefix *tunnel_addr);
/* Adds a peer; with install_routes, a route per allowed-ip via the tunnel
 * interface (origin SIM_RT_TUNNEL; 0.0.0.0/0 is skipped as wg-quick uses
 * policy routing for it). Returns the peer id or -1. */
int sim_wg_add_peer(sim_wg *h, const wg_peer_config *pc, bool install_routes);
wg_device *sim_wg_device(sim_wg *h);
sim_iface *sim_wg_iface(sim_wg *h);
sim_node *sim_wg_node(sim_wg *h);
sim_wg *sim_node_wg(const sim_node *n, const char *ifname);
/* The first handshake initiation this device sent (what an attacker on
 * the path could have captured); false before it sent one. */
bool sim_wg_first_initiation(const sim_wg *h, uint8_t out[WG_INITIATION_LEN]);
/* Call after driving the device directly (wg_device_set_endpoint, ...):
 * re-arms the timer. The wrappers below do it themselves. */
void sim_wg_changed(sim_wg *h);
void sim_wg_up(sim_wg *h);
void sim_wg_down(sim_wg *h);
/* The interface's administrative flag (sim_wg_up / sim_wg_down). */
bool sim_wg_is_up(const sim_wg *h);
bool sim_wg_set_endpoint(sim_wg *h, int peer_id, const wg_endpoint *ep);
bool sim_wg_remove_endpoint(sim_wg *h, int peer_id);
/* The peer's configured endpoint (the scenario's `endpoint:`, or the last
 * sim_wg_set_endpoint; not what the device learned by roaming) into out;
 * false when the peer has none configured or is unknown. */
bool sim_wg_configured_endpoint(const sim_wg *h, int peer_id, wg_endpoint *out);
/* pfSense "restart the WireGuard service" (destroys and recreates the wg
 * interface): a fresh device from the configuration, as at power-on, while
 * the node stays up - sessions, learned endpoints and learned local
 * addresses are lost (wg-down/wg-up keep them, as ifconfig down/up does).
 * Endpoints set with sim_wg_set_endpoint are configuration and stay. The
 * device comes up. Peer ids do not change. */
void sim_wg_restart(sim_wg *h);
/* Datagrams whose send the host refused, by result. */
uint64_t sim_wg_send_errors(const sim_wg *h, wg_send_result r);
/* `wg set IF peer KEY endpoint CONFIGURED` for every peer with a configured
 * endpoint (peers without one are left alone: wg(8) refuses an empty
 * endpoint), as pfSense's WireGuard service does (sim_wg_service). The
 * platform's set-endpoint rule applies (FreeBSD keeps the learned local
 * address). Returns how many peers' endpoints differ(ed) from the
 * configured one; dry_run only counts. 0 while the node is off. */
size_t sim_wg_reapply_endpoints(sim_wg *h, bool dry_run);

/* pfSense's WireGuard service daemon (pfSense-pkg-WireGuard wg_service.inc
 * wg_service_daemon): when it starts - the node's boot (the start of the
 * run for a node powered from t=0, every power-on) and every restart of
 * the service (sim_wg_restart) - and then every resolve_interval after
 * its previous run, it re-applies every peer's configured endpoint on every
 * WireGuard interface of the node (wg.inc wg_resolve_endpoints). interval
 * 0: only at start (wg_should_reresolve_endpoints: 0 disables). Rules and
 * sources: docs/models.md "pfSense WireGuard service". One per node (a
 * second call changes the interval and restarts it); the world frees it. */
/* Attacker traffic: a handshake flood against a WireGuard listen port
 * (sim/wg/wg_flood.c; scenario `traffic: - flood:`). */
typedef enum sim_flood_kind { SIM_FLOOD_REPLAY, SIM_FLOOD_FRESH, SIM_FLOOD_GARBAGE } sim_flood_kind;
typedef struct sim_flood_config {
    wg_endpoint dst;
    sim_flood_kind kind;
    uint64_t rate;       /* datagrams per second (sent in 1 ms rounds) */
    sim_time start, stop;
    uint8_t responder[WG_KEY_LEN]; /* FRESH: the public key mac1 is made for */
    const sim_wg *replay_of;       /* REPLAY: whose first initiation is replayed */
} sim_flood_config;
typedef struct sim_flood sim_flood;
/* Starts at cfg->start; freed with the world. NULL on a bad config. */
sim_flood *sim_flood_start(sim_node *n, const sim_flood_config *cfg);
uint64_t sim_flood_sent(const sim_flood *f);
uint64_t sim_flood_cookie_replies(const sim_flood *f);

typedef struct sim_wg_service sim_wg_service;
sim_wg_service *sim_wg_service_start(sim_node *n, sim_time resolve_interval);
/* Runs of the daemon so far that found an endpoint to put back. */
uint64_t sim_wg_service_changes(const sim_wg_service *s);

/* ------------------------------------------------------------------ */
/* Traffic: periodic ping                                             */
/* ------------------------------------------------------------------ */

typedef struct sim_ping_config {
    wg_ip dst;
    sim_time start;      /* when the first echo leaves (>= now) */
    sim_time interval;   /* 0: 1 s */
    uint32_t count;      /* 0: until stopped */
    size_t size;         /* payload bytes, 0: 56 */
    wg_ip src;           /* optional explicit source */
    uint8_t ttl;
    bool df;
} sim_ping_config;
typedef struct sim_ping_sample {
    uint16_t seq;
    sim_time sent;
    sim_time received;   /* SIM_TIME_NEVER: no reply (yet) */
    sim_err send_err;    /* SIM_OK when it left */
} sim_ping_sample;
typedef struct sim_ping_stats {
    uint64_t sent, received, errors;
    sim_time rtt_min, rtt_avg, rtt_max; /* 0 when nothing was received */
} sim_ping_stats;
/* Echo id: 0x5700 + the ping's index in the world. */
sim_ping *sim_ping_start(sim_node *n, const sim_ping_config *cfg);
void sim_ping_stop(sim_ping *p);
uint16_t sim_ping_id(const sim_ping *p);
size_t sim_ping_sample_count(const sim_ping *p);
const sim_ping_sample *sim_ping_sample_at(const sim_ping *p, size_t i);
/* Over the samples kept (see sim_ping_forget_before) of echoes sent in
 * [from, to). A reply counts if it arrived by `to`. */
void sim_ping_stats_between(const sim_ping *p, sim_time from, sim_time to, sim_ping_stats *out);
/* Totals of the whole run, whatever has been forgotten: echoes started
 * (send errors included), echoes that got a reply (however late: a reply
 * is matched to the newest echo of its sequence, as if every sample were
 * kept), send errors. */
typedef struct sim_ping_totals {
    uint64_t echoes, answered, errors;
} sim_ping_totals;
void sim_ping_totals_get(const sim_ping *p, sim_ping_totals *out);
/* Samples are kept until forgotten: a reader that has used the samples of
 * echoes sent before t forgets them, and memory holds only the echoes
 * still of interest. sim_ping_sample_at(p, 0) is then the oldest sample
 * left. Nobody forgets by default (tests, benchmarks keep them all). */
void sim_ping_forget_before(sim_ping *p, sim_time t);
/* Called after each echo leaves (or fails to: send_err set), with the new
 * sample last: a reader consumes final samples as the run goes. It may
 * forget samples; it must not start or stop pings. One per ping. */
typedef void (*sim_ping_fn)(void *ctx, sim_ping *p);
void sim_ping_set_listener(sim_ping *p, sim_ping_fn fn, void *ctx);
size_t sim_world_ping_count(const sim_world *w);
sim_ping *sim_world_ping_at(const sim_world *w, size_t i);

/* ------------------------------------------------------------------ */
/* Packet trace                                                       */
/* ------------------------------------------------------------------ */

typedef enum sim_dir {
    SIM_DIR_IN = 0,  /* received by a node interface */
    SIM_DIR_OUT,     /* sent by a node interface (before the segment queue) */
    SIM_DIR_WIRE,    /* seen on a segment (arrival of frames not lost) */
} sim_dir;
const char *sim_dir_name(sim_dir d);

/*
 * The run record: what the world remembers of a run, read by expectations,
 * the timeline, --json, --pcap, the explore shell and the reports
 * (docs/architecture.md, "The run record").
 *
 * Packets. Every frame seen at a capture point (an interface in or out, a
 * segment) is offered to the record. Each capture point has a mode, chosen
 * once when the point first carries a frame by the world's point filter:
 * OFF (nothing is done: no parsing, no listener), WATCH (the listener sees
 * it, nothing is stored) or KEEP (stored as a 64-byte record and seen by
 * the listener). Without a filter every point is KEEP (tests, the shell).
 * A stored record points at the distinct source reasons the record keeps
 * once (sim_trace_rec.reason). The scenario runner makes its points WATCH
 * and keeps what it will show itself, so a long run stores no packet.
 *
 * Events. Model and stack events (ARP, link, power, addresses, routes,
 * drops, WireGuard device events, CARP, pf states, pfsync, gateways) go to
 * the event listener; they are stored only while the event log is enabled
 * (the default). Their text is kept at full length.
 */

/* A capture point: where a frame was seen. */
typedef struct sim_trace_point {
    sim_dir dir;
    int node;          /* node id, -1 for SIM_DIR_WIRE */
    uint32_t ifindex;  /* 0 for SIM_DIR_WIRE */
    int segment;       /* segment id, -1 for tunnel interfaces */
} sim_trace_point;
typedef enum sim_point_mode { SIM_POINT_OFF = 0, SIM_POINT_WATCH, SIM_POINT_KEEP } sim_point_mode;
/* Decides the mode of a capture point, once, when it first carries a frame. */
typedef sim_point_mode (*sim_point_filter_fn)(void *ctx, const sim_trace_point *p);
/* NULL: every point KEEP. Set it before the run starts (points already
 * decided keep their mode). */
void sim_trace_set_point_filter(sim_world *w, sim_point_filter_fn fn, void *ctx);

/* One packet at one capture point, expanded for reading (the record stores
 * it in 64 bytes: sim_trace_stored_size()). */
typedef struct sim_trace_rec {
    sim_time t;
    uint64_t frame_id;   /* the same frame has one id at every capture point */
    uint32_t point;      /* capture point id (sim_trace_point_get) */
    sim_dir dir;
    int node;            /* node id, -1 for SIM_DIR_WIRE */
    uint32_t ifindex;    /* 0 for SIM_DIR_WIRE */
    int segment;         /* segment id, -1 for tunnel interfaces */
    uint32_t frame_len;
    sim_mac eth_src, eth_dst;
    uint16_t ethertype;
    /* ARP */
    uint16_t arp_op;     /* 1 request, 2 reply, 0 not ARP */
    wg_ip arp_sender, arp_target;
    sim_mac arp_sha;
    /* IPv4 (family 0 when not IP) */
    wg_ip src, dst;
    uint8_t proto, ttl;
    uint16_t sport, dport;            /* UDP */
    uint8_t icmp_type, icmp_code;     /* ICMP */
    uint16_t icmp_id, icmp_seq;
    enum wg_msg_type wg_type;         /* via wg_classify on UDP payloads */
    bool wg_keepalive;
    /* why the source is what it is; NULL when not recorded (forwarded
     * frames of unknown origin, ARP). Of a stored record: valid until the
     * world is freed; as a listener sees a frame: during the call only. */
    const sim_src_reason *reason;
    int origin_node;                  /* node that built the IP packet, -1 unknown */
    /* IPv4 identification and fragmentation: frag_off in bytes, frag_mf
     * the more-fragments flag (a fragment: frag_mf or frag_off > 0) */
    uint16_t ip_id;
    uint16_t frag_off;
    bool frag_mf;
} sim_trace_rec;

/* Stored packet records (KEEP points), in time order. */
size_t sim_trace_count(const sim_world *w);
/* Expands record i into out; false when i is out of range. */
bool sim_trace_get(const sim_world *w, size_t i, sim_trace_rec *out);
/* The first stored record at or after t (binary search): sim_trace_count when none. */
size_t sim_trace_lower_bound(const sim_world *w, sim_time t);
bool sim_trace_point_get(const sim_world *w, uint32_t point, sim_trace_point *out);
size_t sim_trace_stored_size(void); /* bytes per stored packet record */
/* Distinct source reasons kept by the record (what stored records point at). */
size_t sim_trace_reason_count(const sim_world *w);
/* Turn recording of node interfaces / segments on or off (both on by
 * default): off makes their points OFF whatever the filter says. Both
 * off before anything is recorded: frames are not looked at at all. */
void sim_trace_enable(sim_world *w, bool nodes, bool segments);
/* Sees every frame at WATCH and KEEP points, in the order they happen. */
typedef void (*sim_trace_fn)(void *ctx, const sim_trace_rec *r);
void sim_trace_set_listener(sim_world *w, sim_trace_fn fn, void *ctx);
/* One line like tcpdump's: "1.000100 fw1/wan out 198.51.100.2.51820 > 192.0.2.10.51820 UDP wg handshake-initiation". */
const char *sim_trace_format(const sim_world *w, const sim_trace_rec *r, char *buf, size_t len);
/* "fw1/wan out", "seg:wan wire". */
const char *sim_trace_point_name(const sim_world *w, const sim_trace_point *p, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Event log                                                          */
/* ------------------------------------------------------------------ */

typedef enum sim_ev_kind {
    SIM_EV_ARP = 0,  /* request/reply/gratuitous/resolved/updated/timeout */
    SIM_EV_LINK,     /* interface link up/down */
    SIM_EV_POWER,
    SIM_EV_ADDR,     /* address added/removed */
    SIM_EV_ROUTE,    /* route added/removed/replaced */
    SIM_EV_DROP,     /* .drop says why */
    SIM_EV_WG,       /* .wg is the device's event */
    SIM_EV_PING,     /* reply, error */
    SIM_EV_MODEL,    /* a model plugin's event (.model names it: "carp", "pf", ...) */
} sim_ev_kind;
const char *sim_ev_kind_name(sim_ev_kind k);

/* The packet a drop event is about (SIM_EV_DROP): what the stack could
 * read of it where it was dropped. */
typedef struct sim_drop_pkt {
    uint16_t ethertype;      /* 0: nothing known (ETHERTYPE of the frame, 0x0800 for IP packets) */
    uint8_t proto;           /* IPv4 protocol */
    uint8_t icmp_type, icmp_code;
    uint16_t arp_op;         /* ARP: 1 request, 2 reply */
    wg_ip src, dst;          /* IPv4 source and destination; ARP: sender and target */
    uint16_t sport, dport;   /* UDP ports; ICMP echo: the id in both */
    uint32_t len;            /* bytes (IP packet or frame) */
    /* an IPv4 fragment: its id, offset in bytes and more-fragments flag
     * (a non-first fragment has no ports) */
    bool fragment, frag_mf;
    uint16_t ip_id, frag_off;
} sim_drop_pkt;
/* "udp 192.0.2.10:51820 -> 198.51.100.2:51820", "icmp echo 10.0.0.1 -> 10.0.0.2 id 22272",
 * "arp who-has 192.0.2.1 tell 192.0.2.10", "frame ethertype 0x86dd"; "" when nothing is known.
 * Like snprintf (returns the full length). */
size_t sim_drop_pkt_format(const sim_drop_pkt *p, char *buf, size_t len);

/* What a state change event says, field by field, for readers that would
 * otherwise parse its text (the HTML timeline, the explore shell's
 * breaks): CARP ("fw1/wan vhid 1 backup -> master (...)", .ifindex is the
 * vhid's interface), gateway ("fw1 gateway WAN_GW online -> down (...)")
 * and power ("fw1 powered off"). SIM_EVS_NONE for every other event. */
typedef enum sim_ev_state_kind { SIM_EVS_NONE = 0, SIM_EVS_CARP, SIM_EVS_GATEWAY, SIM_EVS_POWER } sim_ev_state_kind;
typedef struct sim_ev_state {
    sim_ev_state_kind kind;
    uint32_t vhid;        /* CARP */
    const char *gateway;  /* GATEWAY: its name (interned: valid until the world is freed) */
    int from, to;         /* CARP: sim_carp_state; GATEWAY: sim_gw_status; POWER: 0 off, 1 on */
} sim_ev_state;

typedef struct sim_event_rec {
    sim_time t;
    sim_ev_kind kind;
    int node;            /* -1: not tied to a node (segment loss) */
    uint32_t ifindex;
    int segment;         /* -1 if none */
    sim_drop_reason drop;
    wg_event wg;         /* SIM_EV_WG */
    const char *model;   /* SIM_EV_MODEL: which model; else the kind name (interned) */
    const char *text;    /* human-readable detail, whole; valid until the world is freed */
    /* SIM_EV_WG endpoint changes: the packet that moved the endpoint (the
     * authenticated datagram the device roamed to), frame_id 0 when none */
    uint64_t cause_frame;
    sim_time cause_t;
    uint32_t cause_ifindex;  /* where it arrived */
    int cause_origin;        /* the node that sent it, -1 unknown */
    /* SIM_EV_DROP: the packet and, when a rule dropped it, the rule's label
     * (interned; NULL: no rule, .text says why) */
    sim_drop_pkt pkt;
    const char *rule;
    /* CARP, gateway and power state changes: the change as fields */
    sim_ev_state state;
} sim_event_rec;

size_t sim_event_count(const sim_world *w);
const sim_event_rec *sim_event_at(const sim_world *w, size_t i);
/* For model plugins: logs a SIM_EV_MODEL (or any kind) event at now. */
void sim_event_log(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same, for a state change: st is copied into the event's .state. */
void sim_event_log_state(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                         const sim_ev_state *st, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
typedef void (*sim_event_log_fn)(void *ctx, const sim_event_rec *e);
void sim_event_set_listener(sim_world *w, sim_event_log_fn fn, void *ctx);
/* Segment random losses are counted but not logged unless enabled (they
 * can be many). */
void sim_event_log_losses(sim_world *w, bool on);
/* Keep events in memory (default on). Off: only the listener sees them,
 * which bounds memory for long, large runs (the runner, benchmarks). */
void sim_event_log_enable(sim_world *w, bool on);

/* ------------------------------------------------------------------ */
/* Capture: pcap (Ethernet, nanosecond) and WireGuard key log         */
/* ------------------------------------------------------------------ */

/* Capture points record into an in-memory pcap (magic 0xa1b23c4d, link
 * type 1). A segment capture sees every frame arriving on the segment; an
 * interface capture sees what the interface sends and accepts (tunnel
 * interfaces get a synthetic Ethernet header with zero MACs). */
sim_capture *sim_capture_segment(sim_segment *s);
sim_capture *sim_capture_iface(sim_iface *ifp);
const char *sim_capture_name(const sim_capture *c); /* "seg:NAME" or "NODE/IF" */
const uint8_t *sim_capture_data(const sim_capture *c, size_t *len);
uint64_t sim_capture_frames(const sim_capture *c);
/* Writes the pcap; false with errno set on I/O errors (and for a capture
 * opened on a file, which keeps nothing). */
bool sim_capture_save(const sim_capture *c, const char *path);
/* Streams the capture to the file at path from now on: what was captured
 * so far is written at once, every later frame as it happens (buffered),
 * and nothing is kept in memory (sim_capture_data then gives 0 bytes).
 * false with errno when the file cannot be created or written; the
 * capture then keeps nothing either. Once per capture. */
bool sim_capture_open(sim_capture *c, const char *path);
/* Flushes and closes the file of an opened capture: false with errno set
 * to the first error of the open, a write or the close. A capture never
 * opened: true. The world closes what is left open when freed (errors
 * then go unreported). */
bool sim_capture_close(sim_capture *c);
size_t sim_world_capture_count(const sim_world *w);
sim_capture *sim_world_capture_at(const sim_world *w, size_t i);

/* The key log of every hosted device, in the order keys appeared:
 * lines "LOCAL_STATIC_PRIVATE_KEY = base64" etc. (wg.keylog_file). It
 * grows with every handshake, so like a capture it is kept in memory only
 * until the run says what it wants: sim_keylog_enable(w, false) drops it
 * (what was kept is freed, later keys are not logged; a run that writes no
 * capture), sim_keylog_open writes what was kept to path and every later
 * line as it is produced, keeping nothing (once; false with errno when the
 * file cannot be created or written), sim_keylog_close flushes and closes
 * it (false with errno of the first error). sim_world_keylog and
 * sim_world_save_keylog read what is kept: nothing once dropped or opened
 * (save then fails with EINVAL). */
const char *sim_world_keylog(const sim_world *w, size_t *len);
bool sim_world_save_keylog(const sim_world *w, const char *path);
void sim_keylog_enable(sim_world *w, bool on);
bool sim_keylog_open(sim_world *w, const char *path);
bool sim_keylog_close(sim_world *w);

/* ------------------------------------------------------------------ */
/* Firewall models (pfSense-like): CARP, pf, pfsync, gateways         */
/* sim/pfsense/firewall.c and friends; rules and sources in docs/models.md    */
/* ("CARP", "pf", "pfsync", "Gateways", "Firewall node").             */
/* ------------------------------------------------------------------ */

typedef struct sim_fw sim_fw;

typedef enum sim_carp_state { SIM_CARP_INIT = 0, SIM_CARP_BACKUP, SIM_CARP_MASTER } sim_carp_state;
const char *sim_carp_state_name(sim_carp_state s);

/* pfSense's WireGuard package puts tunnels in the interface group
 * "WireGuard" (its Interface Group Membership setting, default All
 * Tunnels). A tunnel is "assigned" here when a filter or NAT rule of the
 * node names it (pfSense gives only assigned tunnels a rules tab of their
 * own). */
typedef enum sim_fw_wg_group {
    SIM_FW_WG_GROUP_ALL = 0,     /* every tunnel */
    SIM_FW_WG_GROUP_UNASSIGNED,  /* tunnels no rule names */
    SIM_FW_WG_GROUP_NONE,        /* none */
} sim_fw_wg_group;
/* The name of that group in filter and NAT rules (sim_fw_rule.ifname ...). */
#define SIM_FW_WG_GROUP_NAME "WireGuard"

/* Which pfSense version's code decides the route-to members of a group
 * whose members are all down, or OPNsense's rules for groups and single
 * gateways (docs/models.md "Gateway groups and triggers"). */
typedef enum sim_gw_semantics {
    SIM_GW_SEM_PFSENSE_2_7 = 0, /* 2.7.2 (and the 2.8 branch point): the default */
    SIM_GW_SEM_PFSENSE_2_9_DEV, /* master, 2.9.0-DEVELOPMENT: is_online_gateway_status */
    SIM_GW_SEM_OPNSENSE,        /* OPNsense: GatewayGroups getActiveGroups; a single gateway keeps its route-to */
} sim_gw_semantics;

typedef struct sim_fw_options {
    bool floating_states;  /* pf state policy floating; default if-bound (pfSense since 2024-01) */
    bool no_auto_route_to; /* omit pfSense's "self traffic from a WAN's addresses route-to its gateway" */
    bool no_reply_to;      /* pfSense "Disable reply-to" */
    bool no_carp_preempt;  /* net.inet.carp.preempt=0 (pfSense forces 1) */
    bool no_scrub;         /* pfSense "Disable Firewall Scrub": pf does not reassemble fragments before filtering */
    sim_fw_wg_group wg_group; /* which tunnels are in the "WireGuard" group; default all */
    sim_gw_semantics gateway_semantics; /* default SIM_GW_SEM_PFSENSE_2_7 */
} sim_fw_options;

/* Gives node n the firewall models (any node kind: a router may use it for
 * NAT). Hooks, the CARP L2 ops and listeners are installed at once; pf
 * filtering is active on SIM_NODE_FIREWALL nodes and, on other kinds, once
 * NAT or filter rules are set. Configure, then sim_fw_start(). opt may be
 * NULL. Returns the existing instance when already attached. The world
 * frees it. */
sim_fw *sim_fw_attach(sim_node *n, const sim_fw_options *opt);
sim_fw *sim_node_fw(const sim_node *n);
sim_node *sim_fw_node(const sim_fw *f);

/* A CARP VIP: the address is added to the interface at once (is_carp,
 * vhid). All VIPs of one vhid must share interface, advbase, advskew and
 * password. SIM_EINVAL: unknown interface, vhid 0, advskew > 254. */
typedef struct sim_carp_vip {
    const char *ifname;
    uint8_t vhid;
    wg_prefix addr;       /* the VIP and its prefix length */
    uint8_t advbase;      /* seconds; 0 = 1 (pfSense default) */
    uint8_t advskew;      /* 0..254 */
    const char *password; /* NULL = "" */
} sim_carp_vip;
sim_err sim_fw_add_carp_vip(sim_fw *f, const sim_carp_vip *v);

typedef enum sim_fw_addr_kind { SIM_FW_ANY = 0, SIM_FW_SELF, SIM_FW_PREFIX } sim_fw_addr_kind;
typedef struct sim_fw_addr {
    sim_fw_addr_kind kind; /* SIM_FW_SELF: every address of this node, VIPs included */
    wg_prefix prefix;
    bool neg;
} sim_fw_addr;

/* Outbound NAT (pfSense manual outbound NAT): first match on the outgoing
 * interface; also matches the node's own packets (source `self`). */
typedef enum sim_nat_mapping {
    SIM_NAT_MAP_DEFAULT = 0,          /* firewall: pf; other nodes: endpoint-independent */
    SIM_NAT_MAP_PF,                   /* a state per flow, randomised port unless static-port */
    SIM_NAT_MAP_ENDPOINT_INDEPENDENT, /* one public port per inside addr:port (kept when free),
                                         inbound to it from anyone let in */
    SIM_NAT_MAP_SYMMETRIC,            /* a new randomised port per destination */
} sim_nat_mapping;
typedef struct sim_fw_nat_rule {
    const char *ifname;   /* outgoing interface, required */
    uint8_t proto;        /* 0 any, 1 icmp, 6 tcp, 17 udp */
    sim_fw_addr src, dst;
    uint16_t sport;       /* 0 any */
    bool to_interface;    /* translate to the interface's primary address */
    wg_ip to_addr;        /* else to this address (e.g. a VIP) */
    bool static_port;
    const char *label;    /* NULL: "nat N" */
    uint16_t dport;       /* 0 any */
    sim_nat_mapping mapping;
    sim_time udp_timeout; /* 0: pf's UDP timeouts; else the idle timeout of its UDP states/mappings */
} sim_fw_nat_rule;
sim_err sim_fw_set_nat(sim_fw *f, const sim_fw_nat_rule *r, size_t n);

/* Port forwards (pf rdr): inbound on ifname to its primary address (or
 * to `addr`) and port go to `to`. Each gets pfSense's associated pass rule. */
typedef struct sim_fw_port_forward {
    const char *ifname;
    uint8_t proto;        /* 0 = udp */
    uint16_t port;
    wg_endpoint to;
    wg_ip addr;           /* family 0: the interface's primary address; else this IPv4
                           * destination (a CARP VIP or IP alias of the interface) */
} sim_fw_port_forward;
sim_err sim_fw_set_port_forwards(sim_fw *f, const sim_fw_port_forward *r, size_t n);

#define SIM_FW_DIR_IN 0
#define SIM_FW_DIR_OUT 1
#define SIM_FW_DIR_ANY (-1)
/* A filter rule: ordered, first match wins, pass keeps state. Pass rules
 * in on an interface with a gateway get reply-to that gateway (pfSense)
 * unless the rule names its own gateway (route-to) or reply-to is off.
 * Interface names in filter, NAT and port-forward rules are pf's: a name
 * may be an interface that does not exist yet (a WireGuard tunnel, created
 * after the rules are loaded; the rule applies once it exists), or
 * SIM_FW_WG_GROUP_NAME, the group of the node's WireGuard tunnels. Rules
 * on the group are evaluated before every rule on a single interface (the
 * group's rules tab comes before the interface tabs in pfSense's ruleset);
 * each moves, in its order, ahead of the first rule on a single interface. */
typedef struct sim_fw_rule {
    bool block;
    const char *ifname;   /* NULL: any interface */
    int dir;              /* SIM_FW_DIR_* */
    uint8_t proto;        /* 0 any */
    sim_fw_addr src, dst;
    uint16_t sport, dport; /* 0 any */
    bool no_state;
    const char *gateway;  /* policy routing: route-to this gateway, or the group members its trigger keeps */
    const char *label;
} sim_fw_rule;
/* Installing a filter (even an empty one) blocks unmatched inbound
 * packets; without one every interface passes inbound traffic (with
 * reply-to on gateway interfaces). Outbound always passes with state. */
sim_err sim_fw_set_filter(sim_fw *f, const sim_fw_rule *r, size_t n);

/* A monitored gateway (dpinger defaults when a duration is 0). */
typedef struct sim_fw_gateway {
    const char *name;
    const char *ifname;
    wg_ip addr;
    wg_ip monitor;          /* family 0: the gateway address */
    bool monitor_disabled;  /* always online */
    sim_time probe_interval, loss_interval, time_period, alert_interval, latency_low, latency_high;
    double loss_low, loss_high; /* percent; 0 = default */
} sim_fw_gateway;
sim_err sim_fw_add_gateway(sim_fw *f, const sim_fw_gateway *g);

/* DELAY / LOSS: pfSense's "online" with a warning (above a low
 * threshold; they remove the gateway from nothing); DOWN: above a high
 * threshold, the reason in sim_gw_reason. */
typedef enum sim_gw_status { SIM_GW_ONLINE = 0, SIM_GW_DELAY, SIM_GW_LOSS, SIM_GW_DOWN } sim_gw_status;
const char *sim_gw_status_name(sim_gw_status s);
typedef enum sim_gw_reason { SIM_GW_REASON_NONE = 0, SIM_GW_REASON_HIGHDELAY, SIM_GW_REASON_HIGHLOSS } sim_gw_reason;
const char *sim_gw_reason_name(sim_gw_reason r); /* "none", "highdelay", "highloss" (pfSense substatus) */
typedef enum sim_gw_trigger {
    SIM_GW_TRIGGER_DOWN = 0, /* pfSense "Member down" (default) */
    SIM_GW_TRIGGER_LOSS,
    SIM_GW_TRIGGER_LATENCY,
    SIM_GW_TRIGGER_LOSS_OR_LATENCY,
} sim_gw_trigger;
typedef struct sim_fw_group_member {
    const char *gateway;
    int tier; /* 1..5, lower preferred */
} sim_fw_group_member;
sim_err sim_fw_add_gateway_group(sim_fw *f, const char *name, sim_gw_trigger trigger, const sim_fw_group_member *m,
                                 size_t n);
/* A route (dst 0.0.0.0/0 = the default route) via a gateway or a group;
 * for a group it follows the best member (fixup_default_gateway).
 * SIM_ENOENT: unknown name. Replaces a route of the same prefix. */
sim_err sim_fw_route_via(sim_fw *f, const wg_prefix *dst, const char *gateway_or_group);

/* pfsync between two HA peers: a lagged channel (not packets). */
typedef struct sim_fw_pfsync_options {
    sim_time flush_interval; /* 0: 1 s ("updates sent within 1 s") */
    bool defer;              /* `ifconfig pfsync0 defer`; false = pfSense's `-defer` (no deferral) */
    sim_time delay;          /* transit time; 0: none */
    const char *sync_ifname; /* NULL: always up while powered; else that link must be up on both */
    bool no_bulk;            /* no bulk update at boot (and no CARP demotion of 240 while it runs) */
} sim_fw_pfsync_options;
sim_err sim_fw_pfsync_pair(sim_fw *a, sim_fw *b, const sim_fw_pfsync_options *o);

/* Boots the models now: CARP vhids INIT -> BACKUP, gateway monitors,
 * generated pf rules, routes via gateways. Call once after configuring. */
void sim_fw_start(sim_fw *f);

/* Commands. power-off / power-on / reboot are sim_node_set_power: the
 * models stop with the node and boot again (CARP through INIT, fresh pf
 * states, maintenance mode kept, carp-disable forgotten). */
sim_err sim_fw_maintenance(sim_fw *f, bool on);       /* persistent: advskew 254 on every VIP */
bool sim_fw_maintenance_on(const sim_fw *f);
sim_err sim_fw_carp_enable(sim_fw *f, bool on);       /* carp-disable / carp-enable */
bool sim_fw_carp_enabled(const sim_fw *f);
size_t sim_fw_states_kill(sim_fw *f);                 /* states-kill N */
/* gateway-down N / gateway-up N: the node stops answering and forwarding
 * (every IPv4 packet it receives is dropped; ARP still answers). */
void sim_node_set_gateway_down(sim_node *n, bool down);
bool sim_node_gateway_down(const sim_node *n);

/* Inspection. */
typedef struct sim_fw_carp_info {
    sim_carp_state state;
    char ifname[16];
    uint8_t vhid, advbase, advskew; /* configured advskew in effect (254 in maintenance) */
    uint8_t advertised_skew;        /* min(advskew + demotion, 240) */
    int demotion;                   /* net.inet.carp.demotion */
    uint64_t ads_sent, ads_received;
} sim_fw_carp_info;
/* ifname NULL: the first vhid with that number on any interface. */
bool sim_fw_carp_info_get(const sim_fw *f, const char *ifname, uint8_t vhid, sim_fw_carp_info *out);
sim_carp_state sim_fw_carp_state(const sim_fw *f, uint8_t vhid); /* INIT when unknown */
/* OPNsense's WireGuard instance option carp_depend_on: h (a WireGuard
 * interface of f's node) is up only while vhid is MASTER on this node
 * (sim_wg_up / sim_wg_down; checked at registration - at once: register
 * before adding peers so a BACKUP sends nothing -, at every power-on and,
 * delay after it (0: at once), on every state change of that vhid).
 * Rules and sources: docs/models.md "OPNsense WireGuard carp_depend_on".
 * SIM_EINVAL: h not on f's node, vhid 0, delay < 0. */
sim_err sim_fw_wg_carp_depend(sim_fw *f, sim_wg *h, uint8_t vhid, sim_time delay);

typedef struct sim_fw_gateway_info {
    sim_gw_status status;
    sim_gw_reason reason; /* SIM_GW_DOWN: why */
    double loss;        /* percent over the window */
    sim_time latency;   /* average */
    char ifname[16];
    wg_ip addr;
} sim_fw_gateway_info;
bool sim_fw_gateway_info_get(const sim_fw *f, const char *name, sim_fw_gateway_info *out);

typedef struct sim_fw_state_info {
    uint8_t proto;
    char ifname[16];      /* "" = floating */
    bool outbound;        /* created by an outbound packet */
    wg_endpoint src;      /* the initiator as the stack saw it (before NAT) */
    wg_endpoint nat_src;  /* the initiator on the wire (after NAT; == src without NAT) */
    wg_endpoint dst;      /* the other end */
    bool translated;
    bool from_pfsync;
    uint32_t creatorid;
    sim_time expires;
} sim_fw_state_info;
/* Live pf states, in table order. */
size_t sim_fw_state_count(const sim_fw *f);
bool sim_fw_state_at(const sim_fw *f, size_t i, sim_fw_state_info *out);
/* "wan udp 198.51.100.2:51820 (198.51.100.1:51820) -> 192.0.2.10:51820 [pfsync]" */
const char *sim_fw_state_format(const sim_fw_state_info *s, char *buf, size_t len);
/* Packets pf dropped: by a rule, a failed NAT translation, a state collision. */
typedef enum sim_fw_drop { SIM_FW_DROP_RULE = 0, SIM_FW_DROP_NAT, SIM_FW_DROP_STATE } sim_fw_drop;
uint64_t sim_fw_drops(const sim_fw *f, sim_fw_drop d);

/* ------------------------------------------------------------------ */
/* State as of T: the change log (sim/record/history.c)               */
/* ------------------------------------------------------------------ */
/*
 * Part of the run record: the models append a compact record (at most 64
 * bytes; names interned) whenever a row of one of their tables changes,
 * and these queries rebuild a table as it was at any T <= now, while the
 * run goes and after it. Memory grows with the number of changes, never
 * with packets (docs/architecture.md, "State as of T").
 *
 * "At T" means after every change made at a time <= T. What is exact:
 *  - pf states: which states are live (created <= T < end), their key,
 *    interface, translation, rules and origin; a state's expiry deadline is
 *    kept in place (not logged per packet), so `end` is the state's end as
 *    known now, not the deadline it had at T; per-state packet counters
 *    are not in the log;
 *  - CARP vhids: state, advskew, advertised skew, demotion;
 *  - WireGuard peers: endpoint, learned local address, last handshake,
 *    current keypair (receiver index, birth); rx/tx bytes are those of the
 *    last logged change of that peer (`since`), not of T;
 *  - routes and ARP entries: every field of sim_route / sim_arp_entry but
 *    the ARP entry's `asked` and `held` counters (0 here);
 *  - gateways: status, interface, address; loss and latency are those of
 *    the last status change.
 * A class can be turned off (benchmarks); its queries then answer nothing.
 */
typedef enum sim_hist_class {
    SIM_HIST_PF = 0,
    SIM_HIST_CARP,
    SIM_HIST_WG,
    SIM_HIST_ROUTE,
    SIM_HIST_GATEWAY,
    SIM_HIST_ARP,
    SIM_HIST__COUNT
} sim_hist_class;
const char *sim_hist_class_name(sim_hist_class c); /* "pf", "carp", "wg", "route", "gateway", "arp" */
/* All classes are on by default. Turn a class off before the run. */
void sim_history_enable(sim_world *w, sim_hist_class c, bool on);
bool sim_history_enabled(const sim_world *w, sim_hist_class c);
/* Records of a class (pf: one per state); bytes of the whole log. */
size_t sim_history_records(const sim_world *w, sim_hist_class c);
uint64_t sim_history_bytes(const sim_world *w);

/* How a pf state ended; NONE while it is live now. */
typedef enum sim_pf_end {
    SIM_PF_END_NONE = 0,
    SIM_PF_END_EXPIRED,      /* at exactly its last update + timeout */
    SIM_PF_END_KILLED,       /* states-kill */
    SIM_PF_END_FLUSHED,      /* the node powered off */
    SIM_PF_END_PEER_DELETED, /* pfsync: the peer deleted it */
} sim_pf_end;
const char *sim_pf_end_name(sim_pf_end e);
typedef struct sim_hist_pf_state {
    int node;
    sim_fw_state_info info; /* as sim_fw_state_at shows it; expires = `end` */
    sim_time created;
    sim_time end;           /* when it stopped matching (a live state: its deadline now) */
    sim_pf_end end_kind;    /* as known now */
    int from_node;          /* where it came from: the node itself, or the pfsync peer that sent it */
    wg_endpoint nat_dst;    /* the responder as the stack sees it (!= info.dst: rdr / mapping) */
    const char *rule;       /* the filter rule's label, NULL: implicit */
    const char *nat_rule;   /* the NAT rule's label (outbound NAT, mapping), NULL: not translated by one */
} sim_hist_pf_state;
/* Every pf state the log holds, in creation order (i < records(PF)). */
bool sim_history_pf_at(const sim_world *w, size_t i, sim_hist_pf_state *out);
/* The states of node (-1: every node) live at t, in creation order: a
 * malloc'd array in *out (NULL when none), the count returned. */
size_t sim_history_pf_states(const sim_world *w, int node, sim_time t, sim_hist_pf_state **out);

typedef struct sim_hist_carp {
    int node;
    const char *ifname;
    uint8_t vhid;
    sim_carp_state state;
    uint8_t advskew, advertised_skew;
    int demotion;
    sim_time since; /* the change that made the row what it is */
} sim_hist_carp;
size_t sim_history_carp(const sim_world *w, int node, sim_time t, sim_hist_carp **out);

typedef struct sim_hist_wg_peer {
    int node;
    uint32_t ifindex; /* the tunnel interface */
    int peer_id;
    bool has_endpoint;
    wg_endpoint endpoint;
    wg_ip learned_source;   /* family 0: none */
    int64_t last_handshake; /* host time as wg_peer_info has it; WG_TIME_NEVER none */
    bool has_current_key;
    uint32_t key_index;     /* the current keypair's local (receiver) index */
    int64_t key_birth;      /* host time it was derived */
    uint64_t rx_bytes, tx_bytes; /* as of `since` */
    sim_time since;
} sim_hist_wg_peer;
size_t sim_history_wg_peers(const sim_world *w, int node, sim_time t, sim_hist_wg_peer **out);

typedef struct sim_hist_route {
    int node;
    sim_route route;
    sim_time since;
} sim_hist_route;
size_t sim_history_routes(const sim_world *w, int node, sim_time t, sim_hist_route **out);

typedef struct sim_hist_gateway {
    int node;
    const char *name;
    sim_fw_gateway_info info;
    sim_time since;
} sim_hist_gateway;
size_t sim_history_gateways(const sim_world *w, int node, sim_time t, sim_hist_gateway **out);

typedef struct sim_hist_arp {
    int node;
    uint32_t ifindex;
    sim_arp_entry entry; /* asked and held: 0 (not logged) */
    sim_time since;
} sim_hist_arp;
size_t sim_history_arp(const sim_world *w, int node, sim_time t, sim_hist_arp **out);

/* ================================================================== */
/* Limits and memory (wgsim --max-memory / --max-events)              */
/* sim/net/usage.c; kept apart from the run record's types above.      */
/* ================================================================== */

/* What a world holds, by category, to tell what consumed a limit. `bytes`
 * is what sim/ knows the category's records take (count x record size,
 * not the allocator's overhead); 0 when it cannot tell. */
typedef enum sim_usage_kind {
    SIM_USAGE_NODES = 0,
    SIM_USAGE_PENDING_EVENTS, /* live engine events (frames in flight, timers) */
    SIM_USAGE_PF_STATES,
    SIM_USAGE_TRACE,          /* packet records */
    SIM_USAGE_EVENT_LOG,
    SIM_USAGE_PING_SAMPLES,
    SIM_USAGE_HISTORY,        /* the change log (state as of T) */
    SIM_USAGE__COUNT
} sim_usage_kind;
typedef struct sim_usage {
    struct {
        const char *what; /* "nodes", "pending engine events", "pf states", ... */
        uint64_t count;
        uint64_t bytes;
    } item[SIM_USAGE__COUNT];
} sim_usage;
void sim_world_usage(sim_world *w, sim_usage *out);

/* A failed allocation in sim/ and the libraries above it ends here, never
 * in a silent abort(): the handler (default: "wgsim: out of memory while
 * WHAT" on stderr) runs, then the process exits with status 2. `what`
 * says what was being allocated ("queueing a frame"). The handler is
 * process-wide: set it once, before any world runs; it may name the run
 * in progress but must not allocate much (the heap is exhausted). */
typedef void (*sim_oom_handler)(const char *what);
void sim_set_oom_handler(sim_oom_handler h);
_Noreturn void sim_oom(const char *what);

#ifdef __cplusplus
}
#endif
#endif /* SIM_H */
