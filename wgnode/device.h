/*
 * device.h — the device object shared by device.c, send.c, receive.c,
 * timers.c and sourcing.c (internal to libwgnode).
 */
#ifndef WGNODE_DEVICE_H
#define WGNODE_DEVICE_H

#include "wgnode/allowedips.h"
#include "wgnode/cookie.h"
#include "wgnode/index.h"
#include "wgnode/peer.h"
#include "wgnode/ratelimit.h"
#include "wgnode/sourcing.h"

/* A buffer of a device's own for one message, used when the thread's
 * shared one cannot be (scratch.c). */
typedef struct wg_scratch {
    uint8_t *buf;
    size_t cap;
} wg_scratch;

typedef enum wg_scratch_use {
    WG_SCRATCH_SEAL, /* an outgoing transport message */
    WG_SCRATCH_OPEN, /* a decrypted payload */
    WG_SCRATCH__COUNT
} wg_scratch_use;

/* A deadline-heap entry: a peer and a lower bound of its earliest timer
 * (timers.c: lazy keys, repaired at the top). */
typedef struct wg_heap_entry {
    int64_t deadline; /* <= heap_due[id] */
    uint32_t id; /* the peer's id (device.c: peers[id]) */
} wg_heap_entry;

struct wg_device {
    /* What a data packet or timer reads comes first, up to `identity`:
     * the cache hint of a host's walk (prefetch.c) asks for these lines
     * only; the handshake state, queues, rate limits and counters after
     * them are read by handshakes, drops and queries. */
    wg_host_ops host;
    uint16_t listen_port;
    wg_platform platform;
    /* Linux: bumped by every routing change; a peer's route cache is
     * valid only for the generation it was filled in (sourcing.c), so a
     * change is O(1) instead of a visit of every peer. */
    uint32_t route_gen;
    uint32_t options; /* WG_OPT_* (wgnode.h): code behaviour where the reference differs */
    const wg_sourcing *sourcing;
    bool up;
    bool under_load; /* forced by the host (wg_device_set_under_load) */

    wg_peer **peers; /* by id; NULL for removed ids */
    size_t n_ids, cap_ids;
    size_t peer_count;
    wg_index index;
    wg_allowedips allowedips;

    wg_heap_entry *heap; /* min-heap of peers by earliest timer (timers.c) */
    uint32_t *heap_pos;  /* by peer id (cap_ids): the peer's index in heap */
    int64_t *heap_due;   /* by peer id (cap_ids): the peer's earliest timer */
    size_t heap_len, heap_cap;

    /* used only when the thread's scratch is busy or too small */
    wg_scratch own_scratch[WG_SCRATCH__COUNT];

    wg_identity identity;
    wg_cookie_checker checker;

    /* The handshake queue (hsqueue.c): a ring of waiting messages (host mode). */
    wg_hs_queue_mode hs_mode;
    int64_t hs_cost, hs_reject_cost;
    struct wg_hs_item *hsq;
    size_t hsq_head, hsq_len, hsq_cap, hsq_max;
    int64_t *hsd;             /* WG_HSQ_TIMED: when each queued message is done (ring) */
    size_t hsd_head, hsd_len, hsd_cap;
    int64_t hs_busy_until;    /* WG_HSQ_TIMED: when the last queued message is done */
    int64_t last_under_load;  /* 0: not under load (Linux last_under_load) */
    int64_t under_load_since; /* start of the current period */
    int64_t under_load_total; /* closed periods */
    uint64_t under_load_periods, hs_processed, cookie_replies;

    wg_peer **pk_buckets; /* by public key */
    size_t pk_nbuckets;

    wg_ratelimit ratelimit;        /* initiations with a valid cookie, under load */
    wg_ratelimit cookie_ratelimit; /* cookie replies, under load (docs/wgnode.md "Under load") */

    uint64_t drops[WG_DROP__COUNT];
};

/* Trace helpers (device.c). */
void wg_emit(struct wg_device *dev, const wg_event *ev);
wg_event wg_event_for(const wg_peer *peer, wg_event_kind kind);
void wg_drop(struct wg_device *dev, wg_drop_reason r, const wg_peer *peer, const wg_endpoint *from);

/* scratch.c: a buffer of at least need bytes for one message, the
 * thread's when it is free and large enough, else the device's own
 * (NULL when that cannot grow); given back when the message is done. */
uint8_t *wg_scratch_take(wg_scratch *own, wg_scratch_use use, size_t need);
void wg_scratch_give(const uint8_t *p, wg_scratch_use use);
void wg_scratch_free(wg_scratch *own);

/* send.c */
void wg_send_initiation(wg_peer *peer, int64_t now, bool is_retry, bool timer_cleared);
void wg_send_response(wg_peer *peer, int64_t now);
/* Derives the session of a finished handshake into a keypair. */
bool wg_peer_begin_session(wg_peer *peer, int64_t now);
void wg_send_keepalive(wg_peer *peer, int64_t now);
void wg_send_staged(wg_peer *peer, int64_t now);
void wg_send_cookie_reply(struct wg_device *dev, const uint8_t *msg, size_t len, const wg_source *local,
                          const wg_endpoint *remote, int64_t now);
/* Stage an inner packet (or a keepalive when len is 0) and try to send. */
void wg_stage_packet(wg_peer *peer, const uint8_t *data, size_t len, int64_t now);
/* What goes out when a handshake completes: as initiator on the response,
 * as responder when the first data packet confirms the session (platform
 * rules and WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE). */
void wg_send_on_handshake_complete(wg_peer *peer, int64_t now, bool initiator);
/* Zero every session and the handshake of a peer (timer zero-key-material). */
void wg_peer_zero_keys(wg_peer *peer);

/* receive.c: one handshake message (initiation, response or cookie
 * reply, length checked) taken off the queue; qlen is the queue length
 * counting it. Returns true when it reached the Noise computation (the
 * expensive part). */
bool wg_receive_handshake(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                          const uint8_t *data, size_t len, size_t qlen);
/* hsqueue.c */
void wg_hsq_receive(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                    const uint8_t *data, size_t len);
void wg_hsq_free(struct wg_device *dev);
/* Decides under load for a message processed at now with qlen queued
 * (Linux wg_receive_handshake_packet) and keeps the statistics. */
bool wg_hsq_under_load(struct wg_device *dev, int64_t now, size_t qlen);

/* receive.c: the inner IP header check shared with the outbound path.
 * Sets *src / *dst and *ip_len (the packet's own length, which padding
 * follows) when data holds a plausible IPv4/IPv6 header. */
bool wg_inner_parse(const uint8_t *data, size_t len, wg_ip *src, wg_ip *dst, size_t *ip_len);

#endif /* WGNODE_DEVICE_H */
