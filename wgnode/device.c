/*
 * device.c — the device: lifetime, configuration, peers, the public entry
 * points of wgnode.h that are not receive or send paths, and tracing.
 */
#include "wgnode/device.h"

#include "wgnode/timers.h"

#include <stdlib.h>
#include <string.h>

/* ---- tracing ---- */

void wg_emit(struct wg_device *dev, const wg_event *ev)
{
    if (dev->host.event)
        dev->host.event(dev->host.ctx, ev);
}

wg_event wg_event_for(const wg_peer *peer, wg_event_kind kind)
{
    wg_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.peer_id = peer ? peer->id : -1;
    if (peer) {
        if (peer->has_endpoint)
            ev.endpoint = peer->endpoint;
        ev.source = peer->src;
    }
    return ev;
}

void wg_drop(struct wg_device *dev, wg_drop_reason r, const wg_peer *peer, const wg_endpoint *from)
{
    if ((unsigned)r < WG_DROP__COUNT)
        dev->drops[r]++;
    wg_event ev = wg_event_for(peer, WG_EV_PACKET_DROPPED);
    ev.drop = r;
    if (from)
        ev.endpoint = *from;
    wg_emit(dev, &ev);
}

/* ---- public-key table ---- */

static size_t pk_hash(const struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
    uint64_t h = 0;
    memcpy(&h, key, sizeof h); /* public keys are uniformly random bytes */
    return (size_t)(h & (dev->pk_nbuckets - 1));
}

static void pk_link(struct wg_device *dev, wg_peer *peer)
{
    size_t k = pk_hash(dev, peer->hs.remote.key);
    peer->pk_next = dev->pk_buckets[k];
    dev->pk_buckets[k] = peer;
}

static bool pk_grow(struct wg_device *dev)
{
    size_t n = dev->pk_nbuckets ? dev->pk_nbuckets * 2 : 4; /* most devices have one peer (index.c) */
    wg_peer **b = calloc(n, sizeof *b);
    if (!b)
        return false;
    wg_peer **old = dev->pk_buckets;
    size_t oldn = dev->pk_nbuckets;
    dev->pk_buckets = b;
    dev->pk_nbuckets = n;
    for (size_t i = 0; i < oldn; i++) {
        wg_peer *p = old[i];
        while (p) {
            wg_peer *next = p->pk_next;
            pk_link(dev, p);
            p = next;
        }
    }
    free(old);
    return true;
}

static void pk_unlink(struct wg_device *dev, wg_peer *peer)
{
    wg_peer **p = &dev->pk_buckets[pk_hash(dev, peer->hs.remote.key)];
    while (*p && *p != peer)
        p = &(*p)->pk_next;
    if (*p)
        *p = peer->pk_next;
    peer->pk_next = NULL;
}

int wg_device_find_peer(const wg_device *dev, const uint8_t public_key[WG_KEY_LEN])
{
    if (!dev->pk_nbuckets)
        return -1;
    for (wg_peer *p = dev->pk_buckets[pk_hash(dev, public_key)]; p; p = p->pk_next)
        if (memcmp(p->hs.remote.key, public_key, WG_KEY_LEN) == 0)
            return p->id;
    return -1;
}

static wg_peer *peer_get(const wg_device *dev, int id)
{
    if (id < 0 || (size_t)id >= dev->n_ids)
        return NULL;
    return dev->peers[id];
}

/* ---- lifetime ---- */

wg_device *wg_device_new(const wg_device_config *cfg, const wg_host_ops *host)
{
    if (!cfg || !host || !host->send || !host->deliver || !host->random_bytes || !host->wall_ns)
        return NULL;
    /* A timed queue needs a positive cost per processed message, or its
     * deadline would never move past now. */
    if (cfg->hs_queue > WG_HSQ_HOST ||
        (cfg->hs_queue == WG_HSQ_TIMED && (cfg->handshake_cost <= 0 || cfg->handshake_reject_cost <= 0)))
        return NULL;
    wg_device *dev = calloc(1, sizeof *dev);
    if (!dev)
        return NULL;
    dev->host = *host;
    wg_identity_init(&dev->identity, cfg->private_key);
    wg_cookie_checker_init(&dev->checker, &dev->identity);
    dev->listen_port = cfg->listen_port;
    dev->platform = cfg->platform;
    dev->options = cfg->options;
    dev->sourcing = wg_sourcing_for(cfg->platform);
    dev->hs_mode = cfg->hs_queue;
    dev->hs_cost = cfg->handshake_cost;
    dev->hs_reject_cost = cfg->handshake_reject_cost;
    wg_allowedips_init(&dev->allowedips);
    wg_ratelimit_init(&dev->ratelimit);
    wg_ratelimit_init(&dev->cookie_ratelimit);
    if (!wg_index_init(&dev->index) || !pk_grow(dev)) {
        wg_device_free(dev);
        return NULL;
    }
    /* A new interface is up, like `ip link set up` right after creation;
     * wg_device_down() takes it down. */
    dev->up = true;
    if (host->keylog)
        host->keylog(host->ctx, WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY, dev->identity.priv);
    return dev;
}

static void peer_destroy(wg_device *dev, wg_peer *peer)
{
    wg_timers_heap_remove(dev, peer);
    wg_keypairs_clear(&peer->keypairs, &dev->index);
    wg_index_remove(&dev->index, &peer->hs_entry);
    wg_staged_purge(&peer->staged);
    wg_allowedips_remove_by_peer(&dev->allowedips, peer);
    pk_unlink(dev, peer);
    wg_handshake_destroy(&peer->hs);
    wg_memzero(peer, sizeof *peer);
    free(peer);
}

void wg_device_free(wg_device *dev)
{
    if (!dev)
        return;
    /* The trie goes first, whole: each peer_destroy would otherwise walk
     * it to remove its own entries (O(peers x trie) for a large hub). */
    wg_allowedips_free(&dev->allowedips);
    for (size_t i = 0; i < dev->n_ids; i++)
        if (dev->peers[i])
            peer_destroy(dev, dev->peers[i]);
    free(dev->peers);
    free(dev->pk_buckets);
    free(dev->heap);
    free(dev->heap_pos);
    free(dev->heap_due);
    wg_index_free(&dev->index);
    wg_ratelimit_free(&dev->ratelimit);
    wg_ratelimit_free(&dev->cookie_ratelimit);
    wg_hsq_free(dev);
    wg_cookie_checker_clear(&dev->checker);
    wg_identity_clear(&dev->identity);
    for (int u = 0; u < WG_SCRATCH__COUNT; u++)
        wg_scratch_free(&dev->own_scratch[u]);
    wg_memzero(dev, sizeof *dev);
    free(dev);
}

void wg_device_public_key(const wg_device *dev, uint8_t out[WG_KEY_LEN])
{
    memcpy(out, dev->identity.pub.key, WG_KEY_LEN);
}

uint16_t wg_device_listen_port(const wg_device *dev) { return dev->listen_port; }
wg_platform wg_device_platform(const wg_device *dev) { return dev->platform; }
bool wg_device_is_up(const wg_device *dev) { return dev->up; }

void wg_device_up(wg_device *dev, int64_t now)
{
    if (dev->up)
        return;
    dev->up = true;
    /* Linux device.c wg_open, FreeBSD/OpenBSD wg_timers_enable: staged
     * packets go, and peers with a persistent keepalive send one at once. */
    for (size_t i = 0; i < dev->n_ids; i++) {
        wg_peer *peer = dev->peers[i];
        if (!peer)
            continue;
        wg_send_staged(peer, now);
        if (peer->persistent_keepalive)
            wg_send_keepalive(peer, now);
    }
}

void wg_device_down(wg_device *dev, int64_t now)
{
    (void)now;
    if (!dev->up)
        return;
    /* Linux device.c wg_stop: drop queues, timers, handshakes and sessions. */
    for (size_t i = 0; i < dev->n_ids; i++) {
        wg_peer *peer = dev->peers[i];
        if (!peer)
            continue;
        size_t n = wg_staged_purge(&peer->staged);
        for (size_t k = 0; k < n; k++)
            wg_drop(dev, WG_DROP_DEVICE_DOWN, peer, NULL);
        wg_timers_stop_all(peer);
        peer->handshake_attempts = 0;
        peer->need_another_keepalive = false;
        peer->sent_lastminute_handshake = false;
        wg_keypairs_clear(&peer->keypairs, &dev->index);
        wg_handshake_clear(&peer->hs);
        wg_index_remove(&dev->index, &peer->hs_entry);
        peer->last_sent_handshake = INT64_MIN / 2;
    }
    dev->up = false;
}

/* ---- peers ---- */

/* Replaces the peer's allowed IPs. A peer being added owns no entry yet,
 * so the whole-trie walk that removes the old ones is skipped for it:
 * adding P peers would otherwise cost O(P x trie size). */
static bool set_allowed(wg_device *dev, wg_peer *peer, const wg_prefix *ips, size_t n, bool new_peer)
{
    if (!new_peer)
        wg_allowedips_remove_by_peer(&dev->allowedips, peer);
    for (size_t i = 0; i < n; i++)
        if (!wg_allowedips_insert(&dev->allowedips, &ips[i], peer))
            return false;
    return true;
}

int wg_device_add_peer(wg_device *dev, const wg_peer_config *cfg, int64_t now)
{
    if (!cfg || wg_device_find_peer(dev, cfg->public_key) >= 0 ||
        memcmp(cfg->public_key, dev->identity.pub.key, WG_KEY_LEN) == 0)
        return -1;
    if (cfg->n_allowed_ips && !cfg->allowed_ips)
        return -1;
    if (dev->n_ids == dev->cap_ids) {
        size_t cap = dev->cap_ids ? dev->cap_ids * 2 : 1; /* most devices have one peer */
        wg_peer **p = realloc(dev->peers, cap * sizeof *p);
        if (!p)
            return -1;
        dev->peers = p;
        uint32_t *hp = realloc(dev->heap_pos, cap * sizeof *hp);
        if (!hp)
            return -1;
        dev->heap_pos = hp;
        int64_t *hd = realloc(dev->heap_due, cap * sizeof *hd);
        if (!hd)
            return -1;
        dev->heap_due = hd;
        dev->cap_ids = cap;
    }
    if (dev->heap_len == dev->heap_cap) {
        size_t cap = dev->heap_cap ? dev->heap_cap * 2 : 1; /* most devices have one peer */
        wg_heap_entry *h = realloc(dev->heap, cap * sizeof *h);
        if (!h)
            return -1;
        dev->heap = h;
        dev->heap_cap = cap;
    }
    if (dev->peer_count >= dev->pk_nbuckets && !pk_grow(dev))
        return -1;
    wg_peer *peer = calloc(1, sizeof *peer);
    if (!peer)
        return -1;
    peer->id = (int)dev->n_ids;
    peer->dev = dev;
    dev->heap_pos[peer->id] = UINT32_MAX; /* not in the heap yet */
    wg_handshake_init(&peer->hs, &dev->identity, cfg->public_key, cfg->has_psk ? cfg->psk : NULL);
    peer->has_psk = cfg->has_psk;
    wg_cookie_init(&peer->cookie);
    peer->hs_entry.kind = WG_INDEX_HANDSHAKE;
    peer->hs_entry.peer = peer;
    for (int i = 0; i < WG_TIMER_COUNT; i++)
        peer->timers[i] = WG_TIME_NEVER;
    peer->last_sent_handshake = INT64_MIN / 2; /* the first initiation is never rate-limited */
    peer->last_handshake = WG_TIME_NEVER;
    peer->has_endpoint = cfg->has_endpoint;
    if (cfg->has_endpoint)
        peer->endpoint = cfg->endpoint;
    peer->persistent_keepalive = cfg->persistent_keepalive;
    if (!set_allowed(dev, peer, cfg->allowed_ips, cfg->n_allowed_ips, true)) {
        wg_allowedips_remove_by_peer(&dev->allowedips, peer);
        wg_handshake_destroy(&peer->hs);
        free(peer);
        return -1;
    }
    dev->peers[dev->n_ids++] = peer;
    dev->peer_count++;
    pk_link(dev, peer);
    wg_timers_heap_insert(dev, peer);
    if (dev->host.keylog)
        dev->host.keylog(dev->host.ctx, WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY, peer->hs.remote.key);
    /* Linux netlink set_peer: a new persistent keepalive on a running
     * interface sends one at once. */
    if (dev->up && peer->persistent_keepalive)
        wg_send_keepalive(peer, now);
    return peer->id;
}

bool wg_device_remove_peer(wg_device *dev, int peer_id)
{
    wg_peer *peer = peer_get(dev, peer_id);
    if (!peer)
        return false;
    dev->peers[peer_id] = NULL;
    dev->peer_count--;
    peer_destroy(dev, peer);
    return true;
}

size_t wg_device_peer_count(const wg_device *dev) { return dev->peer_count; }

bool wg_device_peer_info(const wg_device *dev, int peer_id, wg_peer_info *out)
{
    const wg_peer *peer = peer_get(dev, peer_id);
    if (!peer || !out)
        return false;
    memset(out, 0, sizeof *out);
    out->peer_id = peer->id;
    memcpy(out->public_key, peer->hs.remote.key, WG_KEY_LEN);
    out->has_endpoint = peer->has_endpoint;
    if (peer->has_endpoint)
        out->endpoint = peer->endpoint;
    out->learned_source = peer->src;
    out->last_handshake = peer->last_handshake;
    out->handshakes = peer->handshakes;
    out->rx_bytes = peer->rx_bytes;
    out->tx_bytes = peer->tx_bytes;
    out->persistent_keepalive = peer->persistent_keepalive;
    out->has_current_key = peer->keypairs.current != NULL;
    if (peer->keypairs.current) {
        out->current_key_index = peer->keypairs.current->entry.index;
        out->current_key_birth = peer->keypairs.current->birth;
    }
    return true;
}

bool wg_device_set_endpoint(wg_device *dev, int peer_id, const wg_endpoint *ep, int64_t now)
{
    (void)now;
    wg_peer *peer = peer_get(dev, peer_id);
    if (!peer || !ep || (ep->ip.family != 4 && ep->ip.family != 6))
        return false;
    bool changed = !peer->has_endpoint || !wg_endpoint_eq(&peer->endpoint, ep);
    peer->has_endpoint = true;
    peer->endpoint = *ep;
    peer->rcache.valid = false;
    /* wg-sourcing.md "Per-peer endpoint": FreeBSD copies only the remote
     * part and keeps the learned source; the others start afresh. */
    if (!dev->sourcing->set_endpoint_keeps_source)
        wg_sourcing_clear(dev, peer);
    if (changed) {
        wg_event ev = wg_event_for(peer, WG_EV_ENDPOINT_CHANGED);
        wg_emit(dev, &ev);
    }
    return true;
}

bool wg_device_remove_endpoint(wg_device *dev, int peer_id, int64_t now)
{
    (void)now;
    wg_peer *peer = peer_get(dev, peer_id);
    if (!peer)
        return false;
    bool had = peer->has_endpoint;
    peer->has_endpoint = false;
    memset(&peer->endpoint, 0, sizeof peer->endpoint);
    wg_sourcing_clear(dev, peer);
    if (had) {
        wg_event ev = wg_event_for(peer, WG_EV_ENDPOINT_CHANGED);
        wg_emit(dev, &ev);
    }
    return true;
}

bool wg_device_set_persistent_keepalive(wg_device *dev, int peer_id, uint16_t seconds, int64_t now)
{
    wg_peer *peer = peer_get(dev, peer_id);
    if (!peer)
        return false;
    uint16_t old = peer->persistent_keepalive;
    peer->persistent_keepalive = seconds;
    if (!seconds) {
        /* Off: no more keepalives (the BSDs leave the callout armed but
         * its handler sends nothing at interval 0 — the same effect). */
        wg_timer_del(peer, WG_TIMER_PERSISTENT_KEEPALIVE);
        return true;
    }
    bool send = false;
    switch (dev->sourcing->pka_set) {
    case WG_PKA_SEND_WHEN_TURNED_ON: send = !old; break;       /* Linux set_peer, wireguard-go */
    case WG_PKA_SEND_WHEN_CHANGED: send = seconds != old; break; /* FreeBSD */
    case WG_PKA_SEND_ON_EVERY_SET: send = true; break;          /* OpenBSD */
    }
    if (send && dev->up)
        wg_send_keepalive(peer, now);
    return true;
}

bool wg_device_set_allowed_ips(wg_device *dev, int peer_id, const wg_prefix *ips, size_t n)
{
    wg_peer *peer = peer_get(dev, peer_id);
    if (!peer || (n && !ips))
        return false;
    /* A prefix the trie refuses (family, length) refuses the whole call
     * before the old list is removed: the peer keeps what it had. */
    for (size_t i = 0; i < n; i++)
        if ((ips[i].ip.family != 4 && ips[i].ip.family != 6) || ips[i].len > (ips[i].ip.family == 4 ? 32 : 128))
            return false;
    return set_allowed(dev, peer, ips, n, false);
}

size_t wg_device_allowed_ips(const wg_device *dev, int peer_id, wg_prefix *out, size_t max)
{
    const wg_peer *peer = peer_get(dev, peer_id);
    if (!peer)
        return 0;
    return wg_allowedips_list(&dev->allowedips, peer, out, max);
}

void wg_device_routes_changed(wg_device *dev, int64_t now)
{
    (void)now;
    /* Only wireguard-go asks per peer (wg_sourcing_routes_changed); Linux
     * drops every route cache at once, the BSDs cache nothing. A hub that
     * adds a route per peer while it is built would otherwise visit every
     * peer per route: O(N^2) (docs/performance.md, "scale"). */
    if (dev->platform == WG_PLATFORM_LINUX) {
        dev->route_gen++;
        return;
    }
    if (dev->platform != WG_PLATFORM_WIREGUARD_GO)
        return;
    for (size_t i = 0; i < dev->n_ids; i++)
        if (dev->peers[i])
            wg_sourcing_routes_changed(dev, dev->peers[i]);
}

void wg_device_set_under_load(wg_device *dev, bool under_load) { dev->under_load = under_load; }

/* ---- inputs ---- */

wg_drop_reason wg_device_send_inner(wg_device *dev, int64_t now, const uint8_t *packet, size_t len)
{
    wg_drop_reason r = WG_DROP_NONE;
    wg_ip dst;
    wg_peer *peer = NULL;
    if (!dev->up)
        r = WG_DROP_DEVICE_DOWN;
    else if (!packet || !wg_inner_parse(packet, len, NULL, &dst, NULL) || len > 65535)
        r = WG_DROP_BAD_INNER;
    else if (!(peer = wg_allowedips_lookup(&dev->allowedips, &dst)))
        r = WG_DROP_NO_PEER_FOR_DST;
    else if (!peer->has_endpoint)
        r = WG_DROP_NO_ENDPOINT; /* Linux wg_xmit: no endpoint, no queueing */
    if (r != WG_DROP_NONE) {
        wg_drop(dev, r, peer, NULL);
        return r;
    }
    wg_stage_packet(peer, packet, len, now);
    return WG_DROP_NONE;
}

void wg_device_tick(wg_device *dev, int64_t now) { wg_timers_run(dev, now); }

int64_t wg_device_next_deadline(const wg_device *dev)
{
    /* Repairing the heap's lazy keys (timers.c) changes its representation,
     * not what the device holds; the device object itself is never const. */
    return wg_timers_next_deadline((wg_device *)(uintptr_t)dev);
}

int64_t wg_device_next_wake(const wg_device *dev) { return wg_timers_wake(dev); }

uint64_t wg_device_drop_count(const wg_device *dev, wg_drop_reason r)
{
    return (unsigned)r < WG_DROP__COUNT ? dev->drops[r] : 0;
}

int wg_device_peer_for_ip(const wg_device *dev, const wg_ip *dst)
{
    const wg_peer *peer = wg_allowedips_lookup(&dev->allowedips, dst);
    return peer ? peer->id : -1;
}
