/*
 * peer.h — one configured peer of a device (internal): its keys and
 * handshake, sessions, endpoint and learned local address, timers, staged
 * packets and statistics. Nothing large is embedded (keypairs and the
 * staged ring are allocated on demand) so a hub of 10,000 peers stays small.
 */
#ifndef WGNODE_PEER_H
#define WGNODE_PEER_H

#include "wgnode/cookie.h"
#include "wgnode/index.h"
#include "wgnode/keypair.h"
#include "wgnode/noise.h"
#include "wgnode/staged.h"

#define WG_TIMER_COUNT 5

struct wg_device;

/* Linux kernel sourcing: the per-peer route cache (socket.c dst_cache). */
typedef struct wg_route_cache {
    bool valid;
    uint32_t gen;     /* the device's route_gen when it was filled */
    wg_ip src;        /* the source the route lookup chose */
    uint32_t ifindex; /* the interface the route leaves by */
} wg_route_cache;

typedef struct wg_peer {
    /* What a data packet reads comes first, up to `pk_next` (4 lines
     * instead of 6 spread over 680 bytes): the cache hints (prefetch.c)
     * of a host's walk and of a hub's notes then bring fewer lines. */
    int id;
    struct wg_device *dev;
    wg_keypairs keypairs;
    wg_staged staged;

    bool has_psk;
    bool has_endpoint;
    wg_endpoint endpoint;
    wg_source src;           /* learned local address (+ arrival interface) */
    wg_route_cache rcache;
    uint16_t persistent_keepalive; /* seconds */

    /* timers.c */
    int64_t timers[WG_TIMER_COUNT]; /* deadline per wg_timer_kind, WG_TIME_NEVER = off */
    int64_t last_sent_handshake;    /* initiation rate limit (REKEY_TIMEOUT) */
    unsigned handshake_attempts;
    bool need_another_keepalive;
    bool sent_lastminute_handshake;

    int64_t last_handshake; /* WG_TIME_NEVER until one completes */
    uint64_t rx_bytes, tx_bytes;

    /* Read by handshakes, lookups by key and queries. */
    struct wg_peer *pk_next; /* public-key hash chain */
    uint64_t handshakes;
    wg_handshake hs;
    wg_index_entry hs_entry; /* index of a handshake in progress */
    wg_cookie cookie;        /* cookie from this peer, last mac1 sent to it */
} wg_peer;

#endif /* WGNODE_PEER_H */
