/*
 * ratelimit.c — token bucket per source (ratelimit.h; Linux
 * ratelimiter.c: PACKET_COST = 1 s / 20, TOKEN_MAX = 5 packets, entries
 * older than 1 s are collected).
 */
#include "wgnode/ratelimit.h"

#include <stdlib.h>
#include <string.h>

#define PACKET_COST (WG_NS_PER_SEC / WG_RATELIMIT_PER_SEC)
#define TOKEN_MAX (PACKET_COST * WG_RATELIMIT_BURST)

struct wg_rl_entry {
    struct wg_rl_entry *next;
    uint8_t key[9]; /* family + IPv4 address or IPv6 /64 */
    int64_t last;
    int64_t tokens;
};

void wg_ratelimit_init(wg_ratelimit *rl) { memset(rl, 0, sizeof *rl); }

void wg_ratelimit_free(wg_ratelimit *rl)
{
    for (size_t i = 0; i < rl->nbuckets; i++) {
        struct wg_rl_entry *e = rl->buckets[i];
        while (e) {
            struct wg_rl_entry *n = e->next;
            free(e);
            e = n;
        }
    }
    free(rl->buckets);
    memset(rl, 0, sizeof *rl);
}

static size_t hash_key(const uint8_t key[9], size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a: spreading only, not security */
    for (int i = 0; i < 9; i++)
        h = (h ^ key[i]) * 1099511628211u;
    return (size_t)(h & (n - 1));
}

static void gc(wg_ratelimit *rl, int64_t now)
{
    for (size_t i = 0; i < rl->nbuckets; i++) {
        struct wg_rl_entry **p = &rl->buckets[i];
        while (*p) {
            if (now - (*p)->last > WG_NS_PER_SEC) {
                struct wg_rl_entry *dead = *p;
                *p = dead->next;
                free(dead);
                rl->count--;
            } else {
                p = &(*p)->next;
            }
        }
    }
    rl->last_gc = now;
}

bool wg_ratelimit_allow(wg_ratelimit *rl, const wg_ip *src, int64_t now)
{
    if (!rl->buckets) {
        rl->nbuckets = 1024;
        rl->buckets = calloc(rl->nbuckets, sizeof *rl->buckets);
        if (!rl->buckets) {
            rl->nbuckets = 0;
            return false;
        }
        rl->last_gc = now;
    }
    if (now - rl->last_gc >= WG_NS_PER_SEC)
        gc(rl, now);
    uint8_t key[9] = {src->family};
    memcpy(key + 1, src->b, src->family == 6 ? 8 : 4);
    size_t h = hash_key(key, rl->nbuckets);
    for (struct wg_rl_entry *e = rl->buckets[h]; e; e = e->next) {
        if (memcmp(e->key, key, sizeof key) != 0)
            continue;
        int64_t tokens = e->tokens + (now - e->last);
        if (tokens > TOKEN_MAX)
            tokens = TOKEN_MAX;
        e->last = now;
        if (tokens >= PACKET_COST) {
            e->tokens = tokens - PACKET_COST;
            return true;
        }
        e->tokens = tokens;
        return false;
    }
    if (rl->count >= WG_RATELIMIT_MAX_ENTRIES)
        return false;
    struct wg_rl_entry *e = calloc(1, sizeof *e);
    if (!e)
        return false;
    memcpy(e->key, key, sizeof key);
    e->last = now;
    e->tokens = TOKEN_MAX - PACKET_COST;
    e->next = rl->buckets[h];
    rl->buckets[h] = e;
    rl->count++;
    return true;
}
