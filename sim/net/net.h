/*
 * net.h — internal structures of the network model shared by the sim/ C
 * files (segment, ether, arp, ipv4, icmp, udp, fib, node, world, capture,
 * trace, wg_host, ping). Model plugins inside sim/ (pf, CARP, gateways) may
 * include it; everything outside sim/ uses sim/sim.h only.
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include "sim/sim.h"
#include "sim/net/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define ETH_HDR_LEN 14
#define ETH_MIN_FRAME 60 /* without FCS: shorter frames are padded */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define IPV4_HDR_LEN 20
#define UDP_HDR_LEN 8
#define ICMP_HDR_LEN 8

/* Growable array of T: `T *v; size_t n, cap;` + vec_push. The first push
 * allocates one element, then the capacity doubles: most of these arrays
 * belong to a node, interface or tunnel and hold one or two items (a
 * host's routes, sockets, hooks, WireGuard peers), and a world of 10,000
 * hosts paid several KiB per host for a first capacity of 8
 * (docs/performance.md, "scale"). */
#define VEC_GROW(v, n, cap)                                                                         \
    do {                                                                                            \
        if ((n) == (cap)) {                                                                         \
            size_t nc_ = (cap) ? (cap)*2 : 1;                                                       \
            void *p_ = realloc((v), nc_ * sizeof *(v));                                             \
            if (!p_)                                                                                \
                sim_oom("growing a table (" #v ")");                                                \
            (v) = p_;                                                                               \
            (cap) = nc_;                                                                            \
        }                                                                                           \
    } while (0)

/* A heap object referenced only by a pending engine event (a frame in
 * flight, a local delivery). The world frees whatever is still pending
 * when it is freed, since the engine drops events unrun. */
typedef struct sim_pending {
    struct sim_pending *prev, *next;
    void (*free_fn)(struct sim_pending *p);
} sim_pending;

/* The world's free lists of short-lived packet memory (bufpool.c): size
 * classes in steps of 64 B up to 2 KiB, at most SIM_POOL_KEEP blocks each. */
#define SIM_POOL_CLASSES 32
#define SIM_POOL_KEEP 32
typedef struct sim_bufpool {
    void *free[SIM_POOL_CLASSES];
    uint32_t n[SIM_POOL_CLASSES];
} sim_bufpool;

/* An immutable frame in flight. Shared by every receiver of one arrival. */
typedef struct sim_frame {
    uint64_t id;
    bool has_reason;
    sim_src_reason reason;
    int origin_node;
    size_t len;
    uint8_t data[];
} sim_frame;

/* Per sending interface: the transmit queue onto a segment. */
#define SIM_TXQ_INLINE 2
typedef struct sim_txq {
    sim_time *ends; /* transmission end times of queued frames (ring): inl, or the heap once more are queued */
    size_t head, n, cap;
    /* The first SIM_TXQ_INLINE entries live here, on the interface's own
     * cache line: most interfaces never have more than one frame in
     * flight, and a ring of its own was a cache miss per frame sent in a
     * large world (docs/performance.md, "scale"). */
    sim_time inl[SIM_TXQ_INLINE];
} sim_txq;

struct sim_segment {
    /* Hot: what sending and delivering a frame read and write, first
     * (three cache lines instead of four; in a large world each segment is
     * out of the cache at each ping). */
    sim_world *w;
    int id;
    /* read at every frame (is the point traced?): next to what the frame
     * reads anyway, not on a line of its own */
    uint32_t rec_point; /* run record point of SIM_DIR_WIRE: (id + 1) << 2 | mode, 0 = not decided yet (trace.c) */
    sim_segment_config cfg;
    sim_segment_stats stats;
    sim_iface **ifs; /* attached, in attach order */
    size_t n_ifs;
    sim_capture **caps;
    size_t n_caps;
    /* Unicast delivery index (a switch's MAC table): attached interfaces
     * sorted by MAC, plus those whose node has L2 ops (CARP may accept
     * other MACs). Rebuilt lazily when the attachment or L2 ops change. */
    struct sim_macidx {
        sim_mac mac;
        uint32_t pos; /* index in ifs */
    } *macidx;
    size_t n_macidx;
    uint32_t *l2pos;
    size_t n_l2pos;
    bool idx_dirty;
    uint64_t l2_gen_seen;
    /* Colder: names, capacities, and the randomness only loss and jitter
     * draw from. */
    char *name;
    size_t cap_ifs, cap_caps;
    sim_rng rng;
};

typedef struct sim_held {
    uint8_t *data; /* the IP packet */
    size_t len;
    sim_mac src_mac;
    bool has_reason;
    sim_src_reason reason;
    int origin_node;
    bool forwarded;
} sim_held;

typedef struct sim_arp_slot {
    wg_ip ip;
    sim_mac mac;
    bool resolved;
    sim_time expire;
    sim_time last_request; /* time of the last request (second granularity renews) */
    uint32_t asked;
    sim_held *held;
    size_t n_held;
    sim_event_id timer; /* deletion: incomplete after arpt_down, resolved after max_age */
    struct sim_iface *ifp;
} sim_arp_slot;

/* The per-flow objects noted while a frame arrived on an interface (RX)
 * and before one left it (TX), prefetched when the next frame arrives
 * (prefetch.c). Allocated on first use, only on nodes with many
 * interfaces. */
#define SIM_WARM_RX SIM_TOUCH_MAX /* 39 - 48 in bench scale: a datagram, its inner packet, the reply's routing */
#define SIM_WARM_TX 24            /* 15 - 22: encryption and the datagram's output */
typedef struct sim_warm {
    const void *rx[SIM_WARM_RX], *tx[SIM_WARM_TX];
    uint8_t n_rx, n_tx;
    uint8_t rx_skip; /* frames to come before the RX notes are taken again (prefetch.c) */
} sim_warm;

struct sim_iface {
    sim_node *node;
    uint32_t ifindex;
    /* read at every frame (is the point traced?): see sim_segment */
    uint32_t rec_point[2]; /* run record point of SIM_DIR_IN / SIM_DIR_OUT: (id + 1) << 2 | mode, 0 = not decided yet (trace.c) */
    char *name;
    sim_iface_kind kind;
    sim_segment *seg;
    sim_mac mac;
    uint32_t mtu; /* 0: segment's */
    bool link_up;
    sim_addr *addrs;
    size_t n_addrs, cap_addrs;
    sim_arp_slot **arp; /* in creation order */
    size_t n_arp, cap_arp;
    sim_arp_slot **arp_ht; /* open addressing on the IPv4 address, cap a power of 2 */
    size_t arp_ht_cap;
    sim_txq txq;
    sim_capture **caps;
    size_t n_caps, cap_caps;
    /* Tunnel interfaces: where packets routed out of it go. */
    void (*tunnel_out)(void *ctx, sim_iface *ifp, const uint8_t *pkt, size_t len);
    void *tunnel_ctx;
    sim_warm *warm;
};

typedef struct sim_hook {
    sim_hook_fn fn;
    void *ctx;
} sim_hook;

typedef struct sim_power_l {
    sim_power_fn fn;
    void *ctx;
} sim_power_l;
typedef struct sim_link_l {
    sim_link_fn fn;
    void *ctx;
} sim_link_l;
typedef struct sim_icmp_l {
    sim_icmp_fn fn;
    void *ctx;
} sim_icmp_l;

typedef struct sim_rt_l {
    void (*fn)(void *ctx, sim_node *n);
    void *ctx;
} sim_rt_l;

typedef struct sim_proto_handler {
    sim_proto_fn fn;
    void *ctx;
} sim_proto_handler;

struct sim_udp_sock {
    sim_node *node;
    wg_ip addr; /* family 0: wildcard */
    uint16_t port;
    sim_udp_recv_fn fn;
    void *ctx;
};

struct sim_node {
    /* Hot: read for every packet the node sends or receives, packed into
     * the first four cache lines (SIM_NODE_HOT, what a walk prefetches).
     * In a large world each node's packets are a second apart and its
     * struct is out of cache every time, so each line touched is a memory
     * access (docs/performance.md, "scale"). */
    sim_world *w;
    int id;
    bool forwarding;
    bool powered;
    uint16_t ip_id; /* IPv4 identification counter */
    uint32_t warm_stamp; /* prefetch.c: w->warm_clock when a walk of this node last began */
    /* pf scrub's reassembly in front of the IN hooks (ip_frag.c), tested
     * by every IPv4 input */
    bool scrub_reass;
    sim_iface **ifs;
    size_t n_ifs;
    /* Local IPv4 address -> (interface, position in its addrs), and each
     * directed broadcast address -> its interface; open addressing, cap a
     * power of 2. sim_node_find_addr and sim_ipv4_is_broadcast_for run for
     * every packet, and a hub has an address per peer-facing interface. */
    struct sim_addr_slot {
        uint32_t ip;
        uint32_t ifpos1; /* index in ifs + 1; 0 = empty */
        uint32_t pos;    /* index in that interface's addrs; SIM_ADDR_BCAST: its broadcast */
    } *addr_ht;
    size_t addr_ht_cap, addr_ht_n;
    uint64_t *addr_filter; /* 2 * addr_ht_cap bits: a clear bit means "not in addr_ht" (node.c) */
    sim_route *routes; /* in the order added */
    size_t n_routes;
    /* Lookup index: (prefix length, masked address) -> route index + 1,
     * open addressing; bit L of fib_lens: some route has prefix length L.
     * Rebuilt on delete/replace. */
    struct sim_fib_slot {
        uint32_t key;
        uint8_t len;
        uint32_t idx1; /* 0 = empty */
    } *fib_ht;
    size_t fib_cap;
    uint64_t fib_lens;
    sim_hook *hooks[SIM_HOOK__COUNT];
    size_t n_hooks[SIM_HOOK__COUNT];
    sim_udp_sock **socks;
    size_t n_socks;
    sim_wg **wgs;
    size_t n_wgs;
    sim_proto_handler *proto; /* 256 by IP protocol, allocated on the first handler (CARP, pfsync):
                                 4 KiB that most nodes of a large world never use */
    sim_icmp_l *icmp_l;
    size_t n_icmp_l;
    /* Linux route exceptions: path MTUs learnt from ICMP (ip_frag.c),
     * looked up by every datagram a Linux socket sends with PMTU discovery */
    struct sim_pmtu {
        uint32_t dst, mtu;
        sim_time expires;
    } *pmtu;
    size_t n_pmtu;
    /* Colder: configuration, capacities, listeners, counters. */
    sim_l2_ops l2;
    bool has_l2;
    char *name;
    sim_node_kind kind;
    wg_platform platform;
    sim_rng rng;
    size_t cap_ifs;
    sim_names if_names; /* name -> sim_iface *, for sim_node_iface */
    size_t cap_routes;
    size_t cap_hooks[SIM_HOOK__COUNT];
    size_t cap_socks, cap_wgs;
    sim_power_l *power_l;
    sim_link_l *link_l;
    sim_rt_l *rt_l;
    size_t n_rt_l, cap_rt_l;
    size_t n_power_l, cap_power_l, n_link_l, cap_link_l, cap_icmp_l;
    uint64_t drops[SIM_DROP__COUNT];
    void *user;
    /* IPv4 reassembly queues (ip_frag.c), allocated on the first
     * fragment: the stack's (for local delivery) and pf scrub's (before
     * the IN hooks, when scrub_reass is on). */
    struct sim_reass *reass, *scrub;
    size_t cap_pmtu;
    struct sim_wg_service *wg_service; /* pfSense's WireGuard daemon (pfsense/wg_service.c), or NULL */
};
/* The hot part of a node and of a segment: what a cache hint prefetches
 * (prefetch.c). */
#define SIM_NODE_HOT offsetof(struct sim_node, l2)
_Static_assert(offsetof(struct sim_node, l2) <= 256, "a node's hot fields fit in four cache lines");
#define SIM_SEGMENT_HOT offsetof(struct sim_segment, name)
_Static_assert(offsetof(struct sim_segment, name) <= 192, "a segment's hot fields fit in three cache lines");

/* Where a capture's pcap image or the WireGuard key log goes
 * (record/capture.c): kept in memory until opened on a file, then written
 * as it is produced and no longer kept; or dropped (off). */
typedef struct sim_sink {
    uint8_t *buf;   /* the bytes while in memory */
    size_t len, cap;
    FILE *out;      /* streamed: bytes go here as they are produced */
    bool streamed;  /* opened: nothing is kept in memory, even after an error */
    bool off;       /* dropped: nothing is kept or written */
    int error;      /* errno of the first failed open or write, 0 none */
} sim_sink;

struct sim_capture {
    sim_world *w;
    char *name;
    sim_sink sink;  /* the pcap image */
    uint64_t frames;
};

/* The run record (sim/record/record.h has its parts). */
typedef struct sim_rec_point {
    sim_trace_point p;
    sim_point_mode mode;
} sim_rec_point;

/* One stored packet record: at most 64 bytes (a static assertion in trace.c). */
typedef struct sim_stored_rec {
    sim_time t;
    uint64_t frame_id;
    uint32_t point;
    int32_t origin_node;
    uint32_t reason;      /* index + 1 in the reason table, 0 none */
    uint32_t src, dst;    /* IPv4 (host order); ARP: sender, target */
    uint16_t frame_len;   /* capped at 65535 */
    uint16_t ethertype;
    union {
        struct {
            uint16_t sport, dport;
        } udp;
        struct {
            uint16_t id, seq;
            uint8_t type, code;
        } icmp;
        uint8_t arp_sha[6];
        uint16_t frag_units; /* a non-first fragment (REC_F_LATER, no L4 header): its offset / 8 */
    } u;
    uint8_t proto, ttl;
    uint8_t wg_type;      /* enum wg_msg_type */
    uint8_t flags;        /* REC_F_* (trace.c) */
    union {
        uint16_t arp_op;  /* ARP */
        uint16_t ip_id;   /* IPv4 */
    };
    uint8_t eth_src[6], eth_dst[6]; /* the CARP vMAC is evidence */
} sim_stored_rec;

typedef struct sim_record {
    /* packets */
    bool trace_nodes, trace_segments;
    bool trace_off; /* every point is OFF: no frame needs looking at (trace.c, sim_trace_enable) */
    sim_point_filter_fn point_fn;
    void *point_ctx;
    sim_rec_point *points;
    size_t n_points, cap_points;
    sim_stored_rec *recs;
    size_t n_recs, cap_recs;
    sim_trace_fn trace_fn;
    void *trace_ctx;
    /* distinct source reasons, each allocated once (stable pointers) */
    sim_src_reason **reasons;
    size_t n_reasons, cap_reasons;
    uint32_t *reason_ht; /* open addressing: index + 1, 0 empty; cap a power of 2 */
    size_t reason_ht_cap;
    /* interned strings */
    char **strs;
    size_t n_strs, cap_strs;
    uint32_t *str_ht;
    size_t str_ht_cap;
    /* text of stored events: chunks that never move */
    char **text_chunks;
    size_t n_text_chunks, cap_text_chunks;
    size_t text_used; /* bytes used in the last chunk */
    /* events */
    bool events_on;
    sim_event_rec *events;
    size_t n_events, cap_events;
    sim_event_log_fn event_fn;
    void *event_ctx;
    bool log_losses;
} sim_record;

/* A frame's receiver being warmed ahead of its delivery (prefetch.c). */
#define SIM_WARMQ_MAX 64 /* frames in flight at once: ~20 at N = 10,000 in bench scale */
typedef struct sim_warm_job {
    const sim_iface *to;  /* a frame's receiving interface, or NULL: */
    const sim_node *node; /* a node whose timer is due (to == NULL) */
    const void *obj;      /* with node: the timer's object, prefetched first */
    const void *obj2;     /* and a line it points to, or NULL */
    uint8_t level;
} sim_warm_job;
/* A node's timer warmed ahead of when it fires (prefetch.c sim_warm_at). */
typedef struct sim_warm_timed {
    sim_time t; /* when its job starts: the timer's time less the lead */
    const sim_node *node;
    const void *obj, *obj2;
} sim_warm_timed;

struct sim_world {
    sim_engine *eng;
    bool own_engine;
    bool no_cache_hints; /* sim_cache_hints_enable(w, false): prefetch.c does nothing */
    uint32_t warm_clock;  /* sim_warm_step calls: the age of a walk (prefetch.c) */
    uint8_t warmq_head, warmq_n;
    sim_warm_job warmq[SIM_WARMQ_MAX];
    sim_warm_timed *warmt; /* ring, in the order pushed */
    size_t warmt_head, warmt_n, warmt_cap;
    uint64_t seed;
    int64_t epoch;
    sim_node **nodes;
    size_t n_nodes, cap_nodes;
    sim_segment **segs;
    size_t n_segs, cap_segs;
    sim_names node_names, seg_names; /* name -> sim_node * / sim_segment * */
    sim_capture **caps;
    size_t n_caps, cap_caps;
    sim_ping **pings;
    size_t n_pings, cap_pings;
    sim_flood **floods; /* wg/wg_flood.c */
    size_t n_floods, cap_floods;
    uint64_t next_frame_id;
    uint64_t l2_gen; /* bumped when a node's L2 ops change */
    sim_record rec; /* the run record (sim/record/) */
    struct sim_history *hist; /* its change log (record/history.c); NULL once freeing starts */
    /* The frame being received (set by sim_ether_input around its
     * synchronous delivery): events it causes cite it. */
    const sim_frame *rx_frame;
    uint32_t rx_ifindex;
    sim_sink keylog; /* the WireGuard key log (record/capture.c) */
    sim_pending pending; /* sentinel of the list of pending objects */
    sim_bufpool pool;    /* frames, deliveries, tunnel queue copies (bufpool.c) */
};

/* ---- internal functions across files ---- */


/* world.c */
void sim_pending_add(sim_world *w, sim_pending *p, void (*free_fn)(sim_pending *p));
void sim_pending_del(sim_pending *p);

/* checksum.c */
uint32_t sim_cksum_add(uint32_t sum, const void *data, size_t len);
uint16_t sim_cksum_fold(uint32_t sum);
uint16_t sim_l4_checksum(const wg_ip *src, const wg_ip *dst, uint8_t proto, const uint8_t *l4, size_t len);

/* node.c */
void sim_node_drop(sim_node *n, uint32_t ifindex, sim_drop_reason r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for a drop whose IPv4 packet (or Ethernet frame) is at hand:
 * the event names it (sim_event_rec.pkt) and the rule, when one dropped
 * it (an interned label, NULL none). */
void sim_node_drop_ip(sim_node *n, uint32_t ifindex, sim_drop_reason r, const uint8_t *pkt, size_t len,
                      const char *rule, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void sim_node_drop_frame(sim_node *n, uint32_t ifindex, sim_drop_reason r, const uint8_t *frame, size_t len,
                         const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* What a drop event can say of an IPv4 packet / an Ethernet frame. */
void sim_drop_pkt_from_ip(const uint8_t *pkt, size_t len, sim_drop_pkt *out);
void sim_drop_pkt_from_frame(const uint8_t *frame, size_t len, sim_drop_pkt *out);
bool sim_node_is_local(const sim_node *n, const wg_ip *ip);
void sim_node_free(sim_node *n);
/* Preference rank for source selection (higher wins): non-CARP 2, MASTER CARP 1, other CARP 0. */
int sim_addr_rank(const sim_node *n, sim_iface *ifp, const sim_addr *a);
/* Is ip the directed broadcast address of a subnet on one of n's
 * interfaces (an address of prefix length < 31)? */
#define SIM_ADDR_BCAST UINT32_MAX
bool sim_node_is_directed_broadcast(const sim_node *n, const wg_ip *ip);

/* fib.c */
void sim_node_add_route_listener(sim_node *n, void (*fn)(void *ctx, sim_node *n), void *ctx);

/* segment.c */
void sim_segment_attach(sim_segment *s, sim_iface *ifp);
void sim_segment_detach(sim_segment *s, sim_iface *ifp);
/* Takes ownership of f. */
void sim_segment_transmit(sim_segment *s, sim_iface *from, sim_frame *f);
void sim_segment_free(sim_segment *s);
uint32_t sim_segment_mtu(const sim_segment *s);

/* Packet memory that does not outlive a call (a packet being built or a
 * received one the stack may rewrite): the caller's stack buffer of
 * SIM_SCRATCH_LEN bytes when the packet fits, as nearly all do, else the
 * heap. A malloc and free per packet and per layer was a third of a
 * ping's non-crypto instructions (docs/performance.md, "scale"). */
#define SIM_SCRATCH_LEN 2048
static inline uint8_t *sim_scratch_get(uint8_t *stack, size_t need, const char *what)
{
    if (need <= SIM_SCRATCH_LEN)
        return stack;
    uint8_t *p = malloc(need);
    if (!p)
        sim_oom(what);
    return p;
}
static inline void sim_scratch_put(uint8_t *p, const uint8_t *stack)
{
    if (p != stack)
        free(p);
}

/* bufpool.c */
/* At least size bytes, uninitialised, from the world's pool (or malloc:
 * sim_oom(what) when that fails); give it back with sim_buf_put and the
 * same size. */
void *sim_buf_get(sim_world *w, size_t size, const char *what);
void sim_buf_put(sim_world *w, void *p, size_t size);
void sim_bufpool_free(sim_bufpool *bp);

/* ether.c */
/* A frame of len bytes from the world's pool: data uninitialised, every
 * other field set; freed with sim_frame_free. */
sim_frame *sim_frame_new(sim_world *w, size_t len);
void sim_frame_free(sim_world *w, sim_frame *f);
/* Builds and sends a frame; meta (reason/origin) optional. */
sim_err sim_ether_output(sim_iface *ifp, const sim_mac *dst, const sim_mac *src, uint16_t ethertype,
                         const uint8_t *payload, size_t len, const sim_src_reason *reason, int origin_node);
void sim_ether_input(sim_iface *ifp, const sim_frame *f);
/* Cache hints (prefetch.c, wg_host.c; sim.h "Cache hints"): no effect on
 * behaviour. sim_node_prefetch at the start of a node's event;
 * sim_warm_rx before a frame of ifp is handled, sim_warm_tx_begin before a
 * node's queued packets are sent (sim_warm_tx_key when one of its frames
 * leaves), sim_warm_end after either. */
/* Prefetches every cache line of [p, p + len), at most 64 lines (4 KiB)
 * of any one object or table: a hint, and a bound on what one can cost
 * whatever a node holds. */
static inline void sim_prefetch_range(const void *p, size_t len)
{
    if (!p || !len)
        return;
    if (len > 4096)
        len = 4096;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + len;
    for (; a < end; a += 64)
        __builtin_prefetch((const void *)a);
}
void sim_node_prefetch(const sim_node *n);
void sim_warm_rx(sim_iface *ifp);
void sim_warm_tx_begin(const sim_node *n);
void sim_warm_tx_key(sim_iface *ifp);
void sim_warm_end(void);
void sim_warm_forget(const sim_world *w);
void sim_wg_prefetch_host(const sim_wg *h);
bool sim_wg_prefetch_device(const sim_wg *h, int level);
void sim_warm_ahead(sim_world *w, const sim_segment *s, const sim_iface *from);
void sim_warm_step(sim_world *w);
void sim_warm_at(sim_world *w, sim_time t, const sim_node *n, const void *obj, const void *obj2);
void sim_warm_free(sim_world *w);
void sim_mac_for(const char *node, const char *ifname, sim_mac *out);
extern const sim_mac sim_mac_broadcast;

/* arp.c */
void sim_arp_input(sim_iface *ifp, const uint8_t *p, size_t len);
/* Resolves nexthop on ifp and sends the IP packet, or holds it. */
sim_err sim_arp_resolve_send(sim_iface *ifp, const wg_ip *nexthop, bool is_gw, const uint8_t *pkt, size_t len,
                             const sim_mac *src_mac, const sim_src_reason *reason, int origin_node, bool fwd);
void sim_arp_clear_iface(sim_iface *ifp);

/* ipv4.c */
void sim_ipv4_input(sim_iface *ifp, const uint8_t *p, size_t len, const sim_frame *f);
/* Routes (unless out_ifindex is set) and sends a built packet. */
sim_err sim_ipv4_output(sim_node *n, sim_pkt *p, const sim_mac *src_mac);
/* Writes the 20-byte header of a packet of tl bytes at p (the payload
 * follows it at p + IPV4_HDR_LEN); takes the node's next IP id. */
void sim_ipv4_header(sim_node *n, uint8_t *p, uint8_t proto, const wg_ip *src, const wg_ip *dst, uint8_t ttl,
                     uint8_t tos, bool df, size_t tl);
/* Builds a header in front of the payload; returns a malloc'd packet. */
uint8_t *sim_ipv4_build(sim_node *n, uint8_t proto, const wg_ip *src, const wg_ip *dst, uint8_t ttl,
                        uint8_t tos, bool df, const uint8_t *payload, size_t len, size_t *out_len);
/* Chooses source + route for a local send (shared by UDP/ICMP/raw). p
 * comes zeroed (sim_pkt p = {0}): the reason is filled in, not cleared. */
sim_err sim_ipv4_select(sim_node *n, const wg_ip *dst, const sim_ip_send_opts *o, wg_ip *src_out,
                        sim_pkt *p);
bool sim_ipv4_is_multicast(const wg_ip *ip);
bool sim_ipv4_is_broadcast_for(const sim_node *n, const wg_ip *ip);
void sim_ipv4_tunnel_input(sim_iface *ifp, const uint8_t *p, size_t len);

/* ip_frag.c */
/* Is the IPv4 packet a fragment (MF or a non-zero offset)? */
static inline bool sim_ipv4_is_fragment(const uint8_t *pkt) { return ((pkt[6] & 0x3f) | pkt[7]) != 0; }
/* Cuts an over-MTU packet into fragments as ip_fragment does and hands
 * each (a malloc'd buffer the callback does not keep) to emit, in order;
 * stops at emit's first error and returns it. SIM_EMSGSIZE when the MTU
 * leaves less than 8 bytes of data per fragment. */
typedef sim_err (*sim_frag_emit_fn)(void *ctx, const uint8_t *frag, size_t len);
sim_err sim_ipv4_fragment(const uint8_t *pkt, size_t len, uint32_t mtu, sim_frag_emit_fn emit, void *ctx);
/* Offers a fragment received on in_ifindex to the node's stack queues
 * (scrub false) or pf scrub's (true): NULL while the datagram is
 * incomplete (the fragment is kept or dropped), else the whole datagram
 * (malloc'd, *out_len set) with a fresh header checksum. */
uint8_t *sim_ipv4_reass(sim_node *n, bool scrub, uint32_t in_ifindex, const uint8_t *pkt, size_t len,
                        size_t *out_len);
/* Forgets every queue (power-off, freeing the node), and the learnt path MTUs. */
void sim_ipv4_reass_flush(sim_node *n);
/* An ICMP fragmentation needed about a packet to dst reached node n. */
void sim_ipv4_pmtu_learn(sim_node *n, const wg_ip *dst, uint16_t next_hop_mtu);
/* The timeline's line (model "ip") for a datagram cut into or rebuilt
 * from n fragments: "fragmented udp A:p -> B:q (1500 bytes, id 7) into 2
 * for mtu 1492 of IF" / "reassembled ... from 2 fragments". mtu 0: reassembly. */
void sim_ipv4_frag_event(sim_node *n, uint32_t ifindex, const uint8_t *pkt, size_t len, const char *verb,
                         unsigned nfrags, uint32_t mtu);

/* icmp.c */
void sim_icmp_input(sim_node *n, sim_iface *in, const uint8_t *pkt, size_t len, const sim_ipv4_info *ip);
/* icmp_error: about the packet `orig` (a full IPv4 packet). */
void sim_icmp_error(sim_node *n, const uint8_t *orig, size_t orig_len, uint8_t type, uint8_t code,
                    uint16_t mtu);

/* pfsense/wg_service.c: the WireGuard service was restarted (wg_host.c
 * sim_wg_restart): the daemon starts again, re-applies at once and counts
 * its interval from now. */
void sim_wg_service_restarted(struct sim_wg_service *s);

/* udp.c */
void sim_udp_input(sim_node *n, sim_iface *in, const uint8_t *pkt, size_t len, const sim_ipv4_info *ip);
void sim_udp_close_all(sim_node *n);

/* record/: the run record */
void sim_record_init(sim_world *w);
void sim_record_free(sim_world *w);
/* Is anything done with frames at this capture point? (Point decided on
 * first use.) Cheap: callers skip building tap frames when false. */
bool sim_trace_wants_at(sim_world *w, sim_dir dir, const sim_iface *ifp, const sim_segment *seg);
void sim_trace_frame_at(sim_world *w, sim_dir dir, const sim_node *n, const sim_iface *ifp, const sim_segment *seg,
                        const sim_frame *f);
/* A run that records nothing (trace_off) asks the world, not the point:
 * one test of a line every frame reads instead of two calls and a
 * point's slot per frame (6 frames and 4 tap tests a ping through a
 * tunnel; docs/performance.md, "scale"). */
static inline bool sim_trace_wants(sim_world *w, sim_dir dir, const sim_iface *ifp, const sim_segment *seg)
{
    return !w->rec.trace_off && sim_trace_wants_at(w, dir, ifp, seg);
}
static inline void sim_trace_frame(sim_world *w, sim_dir dir, const sim_node *n, const sim_iface *ifp,
                                   const sim_segment *seg, const sim_frame *f)
{
    if (!w->rec.trace_off)
        sim_trace_frame_at(w, dir, n, ifp, seg, f);
}
/* The event's text is copied (e->text may be a temporary). */
void sim_event_push(sim_world *w, const sim_event_rec *e);
/* A malloc'd printf (never cut); sim_oom on failure. */
char *sim_rec_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *sim_rec_vprintf(const char *fmt, va_list ap);
/* The stored copy of a reason (index + 1), adding it when new. */
uint32_t sim_reason_intern(sim_world *w, const sim_src_reason *r);

/* capture.c */
void sim_capture_frame(sim_capture *c, sim_time t, const uint8_t *data, size_t len);
void sim_capture_free(sim_capture *c);
void sim_keylog_append(sim_world *w, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN]);
void sim_sink_free(sim_sink *k);

/* wg_host.c / ping.c */
void sim_wg_free(sim_wg *h);
void sim_ping_free(sim_ping *p);
void sim_flood_free(sim_flood *f);
void sim_ping_icmp_input(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip);

/* sim_node_iface_by_index, sim_segment_mtu and sim_iface_mtu for the packet path, inlined
 * (a dozen calls a ping through a tunnel; the public functions are these). */
static inline sim_iface *sim_iface_at(const sim_node *n, uint32_t ifindex)
{
    return ifindex == 0 || ifindex > n->n_ifs ? NULL : n->ifs[ifindex - 1];
}
/* The one rule for a segment's MTU (sim_segment_mtu is this). */
static inline uint32_t sim_segment_mtu_inline(const sim_segment *s)
{
    return s->cfg.mtu ? s->cfg.mtu : SIM_DEFAULT_MTU;
}
static inline uint32_t sim_iface_mtu_inline(const sim_iface *ifp)
{
    if (ifp->mtu)
        return ifp->mtu;
    return ifp->seg ? sim_segment_mtu_inline(ifp->seg) : SIM_DEFAULT_MTU;
}

static inline bool sim_events_wanted(const sim_world *w) { return w->rec.events_on || w->rec.event_fn; }

/* 16-bit fields of packet headers, in network byte order. */
static inline uint16_t sim_rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void sim_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

#endif /* SIM_NET_H */
