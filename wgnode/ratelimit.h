/*
 * ratelimit.h — per-source handshake rate limiter used under load (Linux
 * drivers/net/wireguard/ratelimiter.c: 20 packets/s, burst 5, keyed by the
 * IPv4 address or the IPv6 /64; idle entries forgotten after 1 s).
 * ../shared/reference/wg-conformance.md, "Handshake initiations are
 * rate-limited".
 */
#ifndef WGNODE_RATELIMIT_H
#define WGNODE_RATELIMIT_H

#include "wgnode/wgnode.h"

#define WG_RATELIMIT_PER_SEC 20
#define WG_RATELIMIT_BURST 5
#define WG_RATELIMIT_MAX_ENTRIES 8192

struct wg_rl_entry;

typedef struct wg_ratelimit {
    struct wg_rl_entry **buckets;
    size_t nbuckets;
    size_t count;
    int64_t last_gc;
} wg_ratelimit;

void wg_ratelimit_init(wg_ratelimit *rl);
void wg_ratelimit_free(wg_ratelimit *rl);
bool wg_ratelimit_allow(wg_ratelimit *rl, const wg_ip *src, int64_t now);

#endif /* WGNODE_RATELIMIT_H */
