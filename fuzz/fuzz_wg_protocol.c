/*
 * fuzz_wg_protocol.c — libFuzzer target: the WireGuard state machine
 * behind authentication, driven by a program.
 *
 * fuzz_wg_receive feeds bytes to one device; a random mutation of a
 * captured message almost never authenticates, so it mostly reaches the
 * drop paths. Here two real devices, A and B, are peers of each other and
 * the harness is the network between them AND an adversary that holds
 * every key: both static private keys, the preshared key, and (since it
 * is the devices' random source) every ephemeral. The input is a program
 * of operations: deliver, drop, duplicate or reorder what the devices
 * sent; move the clock; toggle under-load, the interface, the source
 * address (roaming); and forge messages from either side whose fields are
 * chosen *inside* the encryption — timestamps older/equal/newer, an
 * unknown static key, a wrong preshared key, sender/receiver indexes,
 * transport counters (replayed, skipped, at the window's edge, near
 * REKEY/REJECT_AFTER_MESSAGES), inner packets (allowed, disallowed, not
 * IP, padded) — then correctly encrypted, with a valid mac1 and a mac2
 * that is right (the cookie the harness saw the device hand out) or not.
 * So every message reaches the state it is meant to test.
 *
 * Program layout (docs/fuzzing.md): byte 0 is the setup (platforms of A
 * and B, preshared key, persistent keepalive); then operations, each an
 * opcode byte followed by the argument bytes it reads (a read past the end
 * gives 0). At most FZ_MAX_OPS operations run; then a benign epilogue
 * (the network delivers everything, both sides send, for up to 200 s).
 *
 * Invariants checked after every step (a failure aborts = a finding):
 *  - a transport message that authenticates at a device is accepted at
 *    most once per (session, counter);
 *  - a device never sends two transport messages with the same (send key,
 *    counter) — nonce reuse — and never sends on a session past
 *    REJECT_AFTER_TIME or with a counter >= REJECT_AFTER_MESSAGES;
 *  - a device accepts nothing on a session past REJECT_AFTER_TIME or at a
 *    counter >= REJECT_AFTER_MESSAGES;
 *  - the replay window refuses an authenticated counter only when it was
 *    accepted before, is past REJECT_AFTER_MESSAGES or is more than the
 *    window behind the greatest accepted (Linux counter_validate);
 *  - whenever A holds a session whose peer index is one of B's sessions,
 *    their keys match crosswise (A's send = B's receive) — unless the
 *    program impersonated a side, which lets the adversary pair a session
 *    with itself;
 *  - a program that did not impersonate a side with a future timestamp
 *    ends, after the benign epilogue, with packets delivered both ways;
 *  - the devices' timers move forward.
 *
 * Reaches into libwgnode's internal headers (device.h, peer.h, keypair.h)
 * read-only, to find the session a message will be decrypted with and to
 * compare keys: the public API does not expose keys, by design.
 */
#include "wgnode/cookie.h"
#include "wgnode/device.h"
#include "wgnode/messages.h"
#include "wgnode/noise.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_TARGET "fuzz_wg_protocol"
#include "fuzz_check.h"
#include "fuzz_wg_packets.h"

#define MS(x) ((int64_t)(x) * 1000000)
#define SEC(x) ((int64_t)(x) * WG_NS_PER_SEC)
#define WALL_BASE (INT64_C(1767225600) * WG_NS_PER_SEC)

#define FZ_MAX_OPS 160
#define FZ_QUEUE 48    /* datagrams in flight */
#define FZ_HISTORY 32  /* datagrams kept for replays */
#define FZ_SEEN 4096   /* (session, counter) pairs remembered */
#define FZ_MAX_MSG 256 /* largest datagram the harness builds or keeps */

static bool verbose;

/* ---- a program's bytes ---- */

typedef struct fz_prog {
    const uint8_t *d;
    size_t n, pos;
} fz_prog;

static uint8_t u8(fz_prog *p) { return p->pos < p->n ? p->d[p->pos++] : 0; }
static uint64_t u64(fz_prog *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)u8(p) << (8 * i);
    return v;
}

/* ---- the world ---- */

typedef struct fz_msg {
    int to; /* side */
    wg_endpoint from;
    size_t len;
    uint8_t b[FZ_MAX_MSG];
} fz_msg;

/* A (session key, counter) pair: an 8-byte fingerprint of the key. */
typedef struct fz_seen {
    uint64_t key;
    uint64_t counter;
} fz_seen;

/* A session the adversary holds as one side. */
typedef struct fz_session {
    bool valid;
    uint8_t send[WG_KEY_LEN], recv[WG_KEY_LEN];
    uint32_t remote_index; /* receiver index to put in messages */
    uint64_t counter;
} fz_session;

struct fz_world;

typedef struct fz_side {
    struct fz_world *w;
    int id; /* 0 = A, 1 = B */
    wg_device *dev;
    int peer; /* the other side's peer id on this device */
    int addr; /* which of eps[id][] it sends from (roaming) */
    bool load; /* what the harness last set with wg_device_set_under_load */
    uint64_t rng_calls;
    uint64_t delivered;
    uint64_t events[WG_EV_KEY_ROTATED + 1];
    /* What the adversary learned from the wire about this side. */
    bool have_init;
    uint8_t last_init[WG_INITIATION_LEN]; /* its last initiation */
    bool have_mac1;
    uint8_t last_mac1[WG_MAC_LEN]; /* mac1 of its last initiation/response */
    uint32_t last_sender;          /* and that message's sender index */
    wg_endpoint last_hs_dst;
    bool have_cookie;              /* a cookie this side handed out */
    uint8_t cookie[WG_COOKIE_LEN];
    wg_endpoint cookie_for;        /* the source address it is for */
    uint8_t last_ts[WG_TIMESTAMP_LEN]; /* greatest timestamp seen from this side */
    /* The adversary impersonating this side. */
    wg_handshake fhs;     /* as initiator towards the other side */
    fz_session fs;        /* a session with the other side */
} fz_side;

typedef struct fz_world {
    fz_side s[2];
    int64_t now;
    bool psk;
    fz_msg q[FZ_QUEUE];
    size_t nq;
    fz_msg hist[FZ_HISTORY];
    size_t nhist, hist_next;
    fz_seen rx_seen[FZ_SEEN], tx_seen[FZ_SEEN];
    size_t n_rx_seen, n_tx_seen;
    uint64_t adv_rng; /* the adversary's own random stream */
    bool impersonated;   /* the adversary completed a handshake as a side */
    bool future_ts;      /* ... with a timestamp ahead of the wall clock */
    bool in_epilogue;
} fz_world;

static const wg_endpoint eps[2][4] = {
    {{.ip = {.family = 4, .b = {192, 0, 2, 1}}, .port = 51820},
     {.ip = {.family = 4, .b = {203, 0, 113, 7}}, .port = 40000},
     {.ip = {.family = 6, .b = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}}, .port = 51820},
     {.ip = {.family = 4, .b = {192, 0, 2, 1}}, .port = 51999}},
    {{.ip = {.family = 4, .b = {198, 51, 100, 2}}, .port = 51820},
     {.ip = {.family = 4, .b = {203, 0, 113, 8}}, .port = 40001},
     {.ip = {.family = 6, .b = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}}, .port = 51820},
     {.ip = {.family = 4, .b = {198, 51, 100, 2}}, .port = 1}},
};
static const wg_ip tun4[2] = {{.family = 4, .b = {10, 99, 0, 1}}, {.family = 4, .b = {10, 99, 0, 2}}};
static const wg_ip tun6[2] = {{.family = 6, .b = {0xfd, [15] = 1}}, {.family = 6, .b = {0xfd, [15] = 2}}};
static const wg_ip stranger4 = {.family = 4, .b = {10, 99, 0, 77}};

/* Keys: the same on every run, computed once. C is a third identity
 * neither device knows. */
static uint8_t priv[3][WG_KEY_LEN], pub[3][WG_KEY_LEN];
static wg_identity ident[3];
static wg_pubkey pubk[3];
static const uint8_t psk_value[WG_KEY_LEN] = {0x42, 0x42, 0x42, 0x42};

static void rng(uint64_t *calls, uint8_t tag, uint8_t *buf, size_t len)
{
    uint8_t seed[32] = {tag, 0x5a};
    uint64_t c = (*calls)++;
    for (int i = 0; i < 8; i++)
        seed[24 + i] = (uint8_t)(c >> (8 * i));
    randombytes_buf_deterministic(buf, len, seed);
}

static uint32_t adv_u32(fz_world *w)
{
    uint8_t b[4];
    rng(&w->adv_rng, 9, b, sizeof b);
    return wg_le32_read(b);
}

static uint64_t fingerprint(const uint8_t key[WG_KEY_LEN]) { return wg_le64_read(key); }

static bool seen_add(fz_seen *set, size_t *n, uint64_t key, uint64_t counter)
{
    for (size_t i = 0; i < *n; i++)
        if (set[i].key == key && set[i].counter == counter)
            return false;
    if (*n < FZ_SEEN)
        set[(*n)++] = (fz_seen){key, counter};
    return true;
}

static wg_peer *peer_of(fz_side *s) { return s->dev->peers[s->peer]; }

static wg_keypair *keypair_by_index(fz_side *s, uint32_t idx)
{
    wg_index_entry *e = wg_index_lookup(&s->dev->index, idx, WG_INDEX_KEYPAIR);
    return (wg_keypair *)e; /* the entry is the keypair's first member */
}

static int side_of_endpoint(const wg_endpoint *ep)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 4; k++)
            if (wg_endpoint_eq(ep, &eps[s][k]))
                return s;
    return -1;
}

static void hist_put(fz_world *w, const fz_msg *m)
{
    w->hist[w->hist_next] = *m;
    w->hist_next = (w->hist_next + 1) % FZ_HISTORY;
    if (w->nhist < FZ_HISTORY)
        w->nhist++;
}

/* ---- the devices' host ---- */

/* What the adversary learns from a datagram side s sends. */
static void observe(fz_side *s, const wg_endpoint *dst, const uint8_t *data, size_t len)
{
    fz_world *w = s->w;
    fz_side *o = &w->s[!s->id];
    enum wg_msg_type t = wg_classify(data, len, NULL);
    if (t == WG_MSG_INITIATION || t == WG_MSG_RESPONSE) {
        s->have_mac1 = true;
        memcpy(s->last_mac1, data + len - WG_MACS_LEN, WG_MAC_LEN);
        s->last_sender = wg_le32_read(data + 4);
        s->last_hs_dst = *dst;
    }
    if (t == WG_MSG_INITIATION) {
        s->have_init = true;
        memcpy(s->last_init, data, WG_INITIATION_LEN);
        /* Read its timestamp with the receiver's key, on a scratch
         * handshake that has seen no timestamp yet. */
        wg_initiation_open op;
        wg_handshake scratch;
        wg_handshake_init(&scratch, &ident[o->id], pub[s->id], w->psk ? psk_value : NULL);
        if (wg_handshake_open_initiation(&op, &ident[o->id], data) &&
            wg_handshake_consume_initiation(&scratch, &op, data, 0) == WG_DROP_NONE &&
            memcmp(scratch.latest_timestamp, s->last_ts, WG_TIMESTAMP_LEN) > 0)
            memcpy(s->last_ts, scratch.latest_timestamp, WG_TIMESTAMP_LEN);
        wg_memzero(&op, sizeof op);
        wg_handshake_destroy(&scratch);
    }
    if (t == WG_MSG_RESPONSE && o->fhs.state == WG_HS_CREATED_INITIATION &&
        wg_le32_read(data + WG_RESP_OFF_RECEIVER) == o->fhs.local_index) {
        /* The answer to an initiation the adversary forged as o. */
        if (wg_handshake_consume_response(&o->fhs, &ident[o->id], data) == WG_DROP_NONE) {
            wg_session_keys k;
            if (wg_handshake_derive_session(&o->fhs, &k)) {
                o->fs = (fz_session){.valid = true, .remote_index = k.remote_index};
                memcpy(o->fs.send, k.send, WG_KEY_LEN);
                memcpy(o->fs.recv, k.recv, WG_KEY_LEN);
                w->impersonated = true;
            }
        }
    }
    if (t == WG_MSG_COOKIE_REPLY && o->have_mac1) {
        /* A cookie s hands to o: decrypt it as o would. */
        uint8_t c[WG_COOKIE_LEN];
        if (wg_xaead_decrypt(c, data + WG_COOKIE_OFF_COOKIE, WG_COOKIE_LEN + WG_AEAD_TAG_LEN, o->last_mac1,
                             WG_MAC_LEN, data + WG_COOKIE_OFF_NONCE, pubk[s->id].cookie_key)) {
            s->have_cookie = true;
            memcpy(s->cookie, c, WG_COOKIE_LEN);
            s->cookie_for = *dst;
        }
    }
}

/* Checks a transport message a device sends: limits and nonce reuse. */
static void check_sent_transport(fz_side *s, const uint8_t *data, size_t len)
{
    fz_world *w = s->w;
    uint64_t counter = wg_le64_read(data + WG_DATA_OFF_COUNTER);
    uint32_t ridx = wg_le32_read(data + WG_DATA_OFF_RECEIVER);
    FZ_CHECK(counter < WG_REJECT_AFTER_MESSAGES, "side %d sent counter %llu", s->id, (unsigned long long)counter);
    wg_keypairs *kps = &peer_of(s)->keypairs;
    wg_keypair *cand[3] = {kps->current, kps->previous, kps->next};
    wg_keypair *kp = NULL;
    /* Current first: it is the one that sends. The others can carry the
     * same remote index when the adversary answered with a colliding one. */
    for (int i = 0; i < 3 && !kp; i++)
        if (cand[i] && cand[i]->remote_index == ridx && cand[i]->send_counter == counter + 1)
            kp = cand[i];
    FZ_CHECK(kp, "side %d sent %zu bytes on no session of its own (index %08x counter %llu)", s->id, len, ridx,
             (unsigned long long)counter);
    FZ_CHECK(kp->birth + WG_REJECT_AFTER_TIME >= w->now, "side %d sent on a session %lld ns old", s->id,
             (long long)(w->now - kp->birth));
    FZ_CHECK(seen_add(w->tx_seen, &w->n_tx_seen, fingerprint(kp->send_key), counter),
             "side %d reused nonce %llu on one send key (key %016llx, session %08x -> %08x born %lld)", s->id,
             (unsigned long long)counter, (unsigned long long)fingerprint(kp->send_key), kp->entry.index, ridx,
             (long long)kp->birth);
    if (verbose)
        fprintf(stderr, "  side %d sends counter %llu on key %016llx (session %08x -> %08x)\n", s->id,
                (unsigned long long)counter, (unsigned long long)fingerprint(kp->send_key), kp->entry.index, ridx);
}

static wg_send_result host_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                                size_t len, const wg_send_meta *meta)
{
    fz_side *s = ctx;
    fz_world *w = s->w;
    (void)src;
    FZ_CHECK(wg_classify(data, len, NULL) == meta->type, "side %d labelled a %zu-byte datagram %d", s->id, len,
             (int)meta->type);
    if (meta->type == WG_MSG_TRANSPORT)
        check_sent_transport(s, data, len);
    observe(s, dst, data, len);
    int to = side_of_endpoint(dst);
    if (to < 0 || to == s->id || len > FZ_MAX_MSG)
        return WG_SEND_OK; /* lost */
    fz_msg m = {.to = to, .from = eps[s->id][s->addr], .len = len};
    memcpy(m.b, data, len);
    hist_put(w, &m);
    if (w->nq < FZ_QUEUE)
        w->q[w->nq++] = m;
    return WG_SEND_OK;
}

static void host_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    fz_side *s = ctx;
    wg_ip src;
    size_t ip_len;
    FZ_CHECK(peer_id == s->peer, "side %d delivered from peer %d", s->id, peer_id);
    FZ_CHECK(wg_inner_parse(packet, len, &src, NULL, &ip_len) && ip_len == len,
             "side %d delivered %zu bytes that are not one IP packet", s->id, len);
    FZ_CHECK(wg_device_peer_for_ip(s->dev, &src) == peer_id, "side %d delivered a source not routed to its peer",
             s->id);
    s->delivered++;
}

static void host_random(void *ctx, uint8_t *buf, size_t len)
{
    fz_side *s = ctx;
    rng(&s->rng_calls, (uint8_t)(1 + s->id), buf, len);
}

static int64_t host_wall(void *ctx, int64_t now)
{
    (void)ctx;
    return WALL_BASE + now;
}

static void host_event(void *ctx, const wg_event *ev)
{
    fz_side *s = ctx;
    if ((unsigned)ev->kind <= WG_EV_KEY_ROTATED)
        s->events[ev->kind]++;
    if (verbose)
        fprintf(stderr, "  side %d event %s%s%s\n", s->id, wg_event_kind_name(ev->kind),
                ev->kind == WG_EV_PACKET_DROPPED ? " " : "",
                ev->kind == WG_EV_PACKET_DROPPED ? wg_drop_reason_name(ev->drop) : "");
}

static bool host_addr_is_local(void *ctx, const wg_ip *addr)
{
    fz_side *s = ctx;
    for (int k = 0; k < 4; k++)
        if (wg_ip_eq(addr, &eps[s->id][k].ip))
            return true;
    return false;
}

static bool host_route_lookup(void *ctx, const wg_ip *dst, const wg_ip *src, uint32_t *ifindex, wg_ip *chosen)
{
    fz_side *s = ctx;
    *ifindex = 1;
    if (src) {
        *chosen = *src;
        return true;
    }
    for (int k = 0; k < 4; k++)
        if (eps[s->id][k].ip.family == dst->family) {
            *chosen = eps[s->id][k].ip;
            return true;
        }
    return false;
}

/* ---- building and stepping the world ---- */

static void side_init(fz_world *w, int id, wg_platform p, bool ka)
{
    fz_side *s = &w->s[id];
    s->w = w;
    s->id = id;
    wg_device_config c = {.listen_port = 51820, .platform = p};
    memcpy(c.private_key, priv[id], WG_KEY_LEN);
    wg_host_ops ops = {.ctx = s, .send = host_send, .deliver = host_deliver, .random_bytes = host_random,
                       .wall_ns = host_wall, .addr_is_local = host_addr_is_local,
                       .route_lookup = host_route_lookup, .event = host_event};
    s->dev = wg_device_new(&c, &ops);
    if (!s->dev)
        abort();
    wg_prefix ips[2] = {{.ip = tun4[!id], .len = 32}, {.ip = tun6[!id], .len = 128}};
    wg_peer_config pc = {.has_endpoint = id == 0, .endpoint = eps[1][0], .allowed_ips = ips, .n_allowed_ips = 2,
                         .has_psk = w->psk, .persistent_keepalive = (uint16_t)(ka ? 25 : 0)};
    memcpy(pc.public_key, pub[!id], WG_KEY_LEN);
    if (w->psk)
        memcpy(pc.psk, psk_value, WG_KEY_LEN);
    s->peer = wg_device_add_peer(s->dev, &pc, w->now);
    if (s->peer < 0)
        abort();
    wg_handshake_init(&s->fhs, &ident[id], pub[!id], w->psk ? psk_value : NULL);
}

static void world_free(fz_world *w)
{
    for (int i = 0; i < 2; i++) {
        wg_device_free(w->s[i].dev);
        wg_handshake_destroy(&w->s[i].fhs);
    }
}

static void check_keys_match(fz_world *w)
{
    if (w->impersonated)
        return;
    wg_keypairs *ka = &peer_of(&w->s[0])->keypairs;
    wg_keypair *cand[3] = {ka->current, ka->previous, ka->next};
    for (int i = 0; i < 3; i++) {
        wg_keypair *a = cand[i];
        if (!a)
            continue;
        wg_keypair *b = keypair_by_index(&w->s[1], a->remote_index);
        if (!b || b->remote_index != a->entry.index)
            continue;
        FZ_CHECK(memcmp(a->send_key, b->recv_key, WG_KEY_LEN) == 0 && memcmp(a->recv_key, b->send_key, WG_KEY_LEN) == 0,
                 "A's session %08x and B's session %08x name each other but their keys differ", a->entry.index,
                 b->entry.index);
        FZ_CHECK(a->initiator != b->initiator, "both ends of session %08x are %s", a->entry.index,
                 a->initiator ? "initiators" : "responders");
    }
}

/* Hands one datagram to side m->to and checks what a transport message
 * did there. */
static void deliver(fz_world *w, const fz_msg *m)
{
    fz_side *s = &w->s[m->to];
    wg_keypair *kp = NULL;
    uint64_t counter = 0, key = 0;
    int64_t birth = 0;
    bool transport = wg_classify(m->b, m->len, NULL) == WG_MSG_TRANSPORT;
    if (transport) {
        kp = keypair_by_index(s, wg_le32_read(m->b + WG_DATA_OFF_RECEIVER));
        counter = wg_le64_read(m->b + WG_DATA_OFF_COUNTER);
        if (kp) {
            key = fingerprint(kp->recv_key);
            birth = kp->birth;
        }
    }
    wg_peer_info before, after;
    wg_device_peer_info(s->dev, s->peer, &before);
    uint64_t replay0 = wg_device_drop_count(s->dev, WG_DROP_REPLAY);
    wg_source local = {.addr = eps[m->to][s->addr].ip, .ifindex = 1};
    /* A copy of exactly len bytes, so ASan sees a read past the end. */
    uint8_t *copy = malloc(m->len ? m->len : 1);
    if (!copy)
        abort();
    memcpy(copy, m->b, m->len);
    wg_device_receive(s->dev, w->now, &local, &m->from, copy, m->len);
    free(copy);
    wg_device_peer_info(s->dev, s->peer, &after);
    bool authenticated = after.rx_bytes > before.rx_bytes;
    if (verbose)
        fprintf(stderr, "  -> side %d: %zu bytes type %u at %lld: %s\n", m->to, m->len, m->len ? m->b[0] : 0,
                (long long)w->now, authenticated ? "authenticated" : "not authenticated");
    if (transport && authenticated) {
        FZ_CHECK(kp, "side %d authenticated a transport message on no session", m->to);
        FZ_CHECK(counter < WG_REJECT_AFTER_MESSAGES, "side %d accepted counter %llu", m->to,
                 (unsigned long long)counter);
        FZ_CHECK(birth + WG_REJECT_AFTER_TIME >= w->now, "side %d accepted on a session %lld ns old", m->to,
                 (long long)(w->now - birth));
        FZ_CHECK(seen_add(w->rx_seen, &w->n_rx_seen, key, counter),
                 "side %d accepted counter %llu twice on one session", m->to, (unsigned long long)counter);
    }
    /* The window against a model: an authenticated counter is refused as a
     * replay only when it was accepted before, is past the last valid one,
     * or is older than the window behind the greatest accepted (Linux
     * receive.c counter_validate). Only while the set of accepted counters
     * is complete. */
    if (transport && kp && w->n_rx_seen < FZ_SEEN) {
        bool any = false, was_seen = false;
        uint64_t max = 0;
        for (size_t i = 0; i < w->n_rx_seen; i++) {
            if (w->rx_seen[i].key != key)
                continue;
            if (w->rx_seen[i].counter == counter && !authenticated)
                was_seen = true;
            if (!any || w->rx_seen[i].counter > max)
                max = w->rx_seen[i].counter;
            any = true;
        }
        bool refused = wg_device_drop_count(s->dev, WG_DROP_REPLAY) > replay0;
        bool old = any && counter + WG_REPLAY_WINDOW < max;
        FZ_CHECK(!refused || was_seen || counter >= WG_REJECT_AFTER_MESSAGES || old,
                 "side %d refused counter %llu as a replay (greatest accepted %llu, seen %d)", m->to,
                 (unsigned long long)counter, (unsigned long long)max, any);
        FZ_CHECK(!authenticated || !old || max == counter, "side %d accepted counter %llu, too old behind %llu",
                 m->to, (unsigned long long)counter, (unsigned long long)max);
    }
}

/* Runs both devices' timers up to t, each at its own deadline. */
static void run_until(fz_world *w, int64_t t)
{
    int stuck = 0;
    for (;;) {
        int64_t d0 = wg_device_next_deadline(w->s[0].dev), d1 = wg_device_next_deadline(w->s[1].dev);
        int64_t d = d0 < d1 ? d0 : d1;
        if (d > t)
            break;
        int64_t at = d > w->now ? d : w->now;
        FZ_CHECK(stuck < 1000, "timers do not advance: deadline %lld at now %lld", (long long)d, (long long)w->now);
        stuck = at == w->now ? stuck + 1 : 0;
        w->now = at;
        wg_device_tick(w->s[d0 <= d1 ? 0 : 1].dev, w->now);
    }
    if (t > w->now)
        w->now = t;
}

static void send_inner(fz_side *s, int kind, size_t payload)
{
    uint8_t buf[FZ_MAX_MSG];
    wg_ip src = kind == 1 ? tun6[s->id] : kind == 2 ? stranger4 : tun4[s->id];
    wg_ip dst = kind == 1 ? tun6[!s->id] : tun4[!s->id];
    size_t n = fz_ip_packet(buf, src, dst, payload > 120 ? 120 : payload);
    (void)wg_device_send_inner(s->dev, s->w->now, buf, n);
}

/* ---- the adversary's messages ---- */

/* mac1 with the receiver's key; mac2: 0 zero, 1 the cookie the receiver
 * handed out (if the adversary saw one), 2 garbage. mac1 mode 3 (from the
 * same selector byte) leaves mac1 wrong. */
static void stamp_macs(fz_world *w, uint8_t *msg, size_t len, int to, unsigned mode)
{
    fz_side *r = &w->s[to];
    uint8_t *mac1 = msg + len - WG_MACS_LEN, *mac2 = mac1 + WG_MAC_LEN;
    wg_mac1_compute(mac1, pubk[to].mac1_key, msg, len);
    if ((mode & 3) == 3)
        mac1[0] ^= 1;
    memset(mac2, 0, WG_MAC_LEN);
    if ((mode & 3) == 1 && r->have_cookie)
        wg_mac2_compute(mac2, r->cookie, msg, len);
    else if ((mode & 3) == 2)
        rng(&w->adv_rng, 9, mac2, WG_MAC_LEN);
}

static void adv_send(fz_world *w, int to, int from_addr_side, int from_addr, const uint8_t *b, size_t len,
                     bool queue)
{
    fz_msg m = {.to = to, .from = eps[from_addr_side][from_addr & 3], .len = len};
    memcpy(m.b, b, len);
    hist_put(w, &m);
    if (queue) {
        if (w->nq < FZ_QUEUE)
            w->q[w->nq++] = m;
    } else {
        deliver(w, &m);
    }
}

/* A TAI64N timestamp relative to what side x last used (mode 0-5). */
static void pick_timestamp(fz_world *w, fz_side *x, unsigned mode, uint8_t ts[WG_TIMESTAMP_LEN], fz_prog *p)
{
    switch (mode) {
    case 0: /* now */
        wg_tai64n(ts, WALL_BASE + w->now);
        break;
    case 1: /* equal to the last */
        memcpy(ts, x->last_ts, WG_TIMESTAMP_LEN);
        break;
    case 2: /* one tick older */
    case 3: /* one tick newer */
        memcpy(ts, x->last_ts, WG_TIMESTAMP_LEN);
        for (int i = WG_TIMESTAMP_LEN - 1; i >= 0; i--) {
            if (mode == 3 ? ++ts[i] != 0 : ts[i]-- != 0)
                break;
        }
        break;
    case 4: /* a day ahead of the wall clock */
        wg_tai64n(ts, WALL_BASE + w->now + SEC(86400));
        break;
    default: /* literal bytes */
        for (int i = 0; i < WG_TIMESTAMP_LEN; i++)
            ts[i] = u8(p);
        break;
    }
    /* A timestamp beyond the wall clock locks the real side out until its
     * clock passes it: the epilogue's liveness check does not apply. */
    uint8_t limit[WG_TIMESTAMP_LEN];
    wg_tai64n(limit, WALL_BASE + w->now + SEC(10));
    if (memcmp(ts, limit, WG_TIMESTAMP_LEN) > 0)
        w->future_ts = true;
}

/* Initiation "from" side x to the other side, built with x's static key
 * (or C's: unknown to both), a chosen timestamp, sender index and macs. */
static void forge_initiation(fz_world *w, int x, fz_prog *p)
{
    uint8_t a = u8(p), b = u8(p);
    fz_side *s = &w->s[x];
    int to = !x;
    uint8_t ts[WG_TIMESTAMP_LEN], e[WG_KEY_LEN], msg[WG_INITIATION_LEN];
    pick_timestamp(w, s, a & 7, ts, p);
    rng(&w->adv_rng, 9, e, WG_KEY_LEN);
    uint32_t idx = adv_u32(w);
    if ((a >> 3 & 3) == 1) /* collide with the sender index x itself uses */
        idx = s->last_sender;
    bool stranger = (a >> 5 & 3) == 3;
    if (stranger) {
        wg_handshake h;
        wg_handshake_init(&h, &ident[2], pub[to], NULL);
        if (!wg_handshake_create_initiation(&h, &ident[2], e, idx, ts, msg))
            abort();
        wg_handshake_destroy(&h);
    } else {
        if (!wg_handshake_create_initiation(&s->fhs, &ident[x], e, idx, ts, msg))
            abort();
        if (memcmp(ts, s->last_ts, WG_TIMESTAMP_LEN) > 0)
            memcpy(s->last_ts, ts, WG_TIMESTAMP_LEN);
    }
    if ((a >> 5 & 3) == 2)
        msg[1 + (b & 1)] = (uint8_t)(b | 1); /* reserved bytes: not a WireGuard type word */
    stamp_macs(w, msg, sizeof msg, to, b >> 2);
    adv_send(w, to, x, b >> 5, msg, sizeof msg, a >> 7); /* from one of x's addresses: roaming */
}

/* Response "from" side y to the last initiation side x sent: the adversary
 * opens it with y's key and answers with a chosen index, preshared key and
 * macs; on success it holds the session as y. */
static void forge_response(fz_world *w, int y, fz_prog *p)
{
    uint8_t a = u8(p), b = u8(p);
    int x = !y;
    fz_side *sx = &w->s[x], *sy = &w->s[y];
    if (!sx->have_init)
        return;
    wg_handshake h;
    uint8_t wrong_psk[WG_KEY_LEN] = {0x13};
    wg_handshake_init(&h, &ident[y], pub[x], (a & 3) == 1 ? wrong_psk : w->psk ? psk_value : NULL);
    wg_initiation_open op;
    uint8_t e[WG_KEY_LEN], msg[WG_RESPONSE_LEN];
    rng(&w->adv_rng, 9, e, WG_KEY_LEN);
    uint32_t idx = adv_u32(w);
    if ((a >> 2 & 3) == 1)
        idx = sy->last_sender;
    if (wg_handshake_open_initiation(&op, &ident[y], sx->last_init) &&
        wg_handshake_consume_initiation(&h, &op, sx->last_init, 0) == WG_DROP_NONE &&
        wg_handshake_create_response(&h, e, idx, msg)) {
        if ((a >> 4 & 3) == 1)
            wg_le32_write(msg + WG_RESP_OFF_RECEIVER, wg_le32_read(msg + WG_RESP_OFF_RECEIVER) ^ (1u << (b & 31)));
        wg_session_keys k;
        if ((a & 3) != 1 && wg_handshake_derive_session(&h, &k)) {
            sy->fs = (fz_session){.valid = true, .remote_index = k.remote_index};
            memcpy(sy->fs.send, k.send, WG_KEY_LEN);
            memcpy(sy->fs.recv, k.recv, WG_KEY_LEN);
            w->impersonated = true;
        }
        stamp_macs(w, msg, sizeof msg, x, b >> 5);
        adv_send(w, x, y, sy->addr, msg, sizeof msg, a >> 7);
    }
    wg_memzero(&op, sizeof op);
    wg_handshake_destroy(&h);
}

/* Cookie reply "from" side y to side x's last handshake message, carrying
 * the cookie y really handed out or chosen bytes. */
static void forge_cookie(fz_world *w, int y, fz_prog *p)
{
    uint8_t a = u8(p);
    int x = !y;
    fz_side *sx = &w->s[x], *sy = &w->s[y];
    if (!sx->have_mac1)
        return;
    uint8_t msg[WG_COOKIE_REPLY_LEN], cookie[WG_COOKIE_LEN];
    wg_msg_header_write(msg, WG_MSG_COOKIE_REPLY);
    wg_le32_write(msg + WG_COOKIE_OFF_RECEIVER, (a & 1) ? adv_u32(w) : sx->last_sender);
    rng(&w->adv_rng, 9, msg + WG_COOKIE_OFF_NONCE, WG_XNONCE_LEN);
    if ((a & 2) && sy->have_cookie)
        memcpy(cookie, sy->cookie, WG_COOKIE_LEN);
    else
        rng(&w->adv_rng, 9, cookie, WG_COOKIE_LEN);
    uint8_t mac1[WG_MAC_LEN];
    memcpy(mac1, sx->last_mac1, WG_MAC_LEN);
    if (a & 4)
        mac1[0] ^= 1; /* answers a mac1 x never sent */
    wg_xaead_encrypt(msg + WG_COOKIE_OFF_COOKIE, cookie, WG_COOKIE_LEN, mac1, WG_MAC_LEN, msg + WG_COOKIE_OFF_NONCE,
                     pubk[y].cookie_key);
    adv_send(w, x, y, sy->addr, msg, sizeof msg, a >> 7);
}

/* The plaintext of a forged transport message (mode 0-7). */
static size_t forge_plaintext(fz_world *w, int x, unsigned mode, fz_prog *p, uint8_t *pt)
{
    size_t n = 0;
    wg_ip src = mode == 2 ? stranger4 : tun4[x], dst = tun4[!x];
    switch (mode) {
    case 1: /* keepalive */
        return 0;
    case 3: /* IPv6 */
        return fz_ip_packet(pt, tun6[x], tun6[!x], 8);
    case 4: /* not IP */
        n = 1 + (u8(p) & 63);
        rng(&w->adv_rng, 9, pt, n);
        return n;
    case 7: /* literal */
        n = u8(p) & 63;
        for (size_t i = 0; i < n; i++)
            pt[i] = u8(p);
        return n;
    default: /* IPv4: 0 allowed, 2 disallowed source, 5 length past the end, 6 padded */
        n = fz_ip_packet(pt, src, dst, 8);
        if (mode == 5)
            pt[3] = (uint8_t)(n + 4);
        if (mode == 6) {
            size_t pad = 1 + (u8(p) % 15);
            memset(pt + n, 0, pad);
            n += pad;
        }
        return n;
    }
}

/* Transport data "from" side x on one of x's sessions (the device's
 * current/previous/next, or the adversary's own), with a chosen counter,
 * plaintext, receiver index; encrypted with the session's key. */
static void forge_data(fz_world *w, int x, fz_prog *p)
{
    uint8_t a = u8(p), b = u8(p);
    fz_side *s = &w->s[x];
    const uint8_t *key;
    uint32_t ridx;
    uint64_t base;
    unsigned which = a & 3;
    if (which < 3) {
        wg_keypairs *kps = &peer_of(s)->keypairs;
        wg_keypair *kp = which == 0 ? kps->current : which == 1 ? kps->previous : kps->next;
        if (!kp)
            return;
        key = kp->send_key;
        ridx = kp->remote_index;
        base = kp->send_counter;
    } else {
        if (!s->fs.valid)
            return;
        key = s->fs.send;
        ridx = s->fs.remote_index;
        base = s->fs.counter++;
    }
    uint64_t k = b & 15, c;
    switch (a >> 2 & 7) {
    case 0: c = base; break;                                   /* the next the sender would use */
    case 1: c = base ? base - 1 : 0; break;                    /* the last it used: a replay */
    case 2: c = base + 1 + k; break;                           /* a gap */
    case 3: c = base + WG_REPLAY_WINDOW - 8 + k; break;        /* the window's edge */
    case 4: c = WG_REJECT_AFTER_MESSAGES - 1 - (k & 3); break; /* the last valid counters */
    case 5: c = WG_REJECT_AFTER_MESSAGES + (k & 3); break;     /* and past them */
    case 6: c = WG_REKEY_AFTER_MESSAGES - 2 + (k & 3); break;
    default: c = u64(p); break;
    }
    uint8_t pt[FZ_MAX_MSG];
    size_t n = forge_plaintext(w, x, a >> 5, p, pt);
    size_t len = WG_DATA_OFF_PAYLOAD + n + WG_AEAD_TAG_LEN;
    uint8_t msg[FZ_MAX_MSG];
    if (len > sizeof msg)
        return;
    wg_msg_header_write(msg, WG_MSG_TRANSPORT);
    wg_le32_write(msg + WG_DATA_OFF_RECEIVER, (b & 16) ? ridx ^ 1 : ridx);
    wg_le64_write(msg + WG_DATA_OFF_COUNTER, c);
    wg_aead_encrypt(msg + WG_DATA_OFF_PAYLOAD, pt, n, NULL, 0, c, key);
    if (b & 32)
        msg[len - 1 - (b >> 6)] ^= 0x80; /* tampered after encryption */
    adv_send(w, !x, x, s->addr, msg, len, a >> 7 == 0 && (b & 64));
}

/* A replayed datagram with one header field changed and the macs made
 * right again for its receiver. */
static void forge_header(fz_world *w, fz_prog *p)
{
    uint8_t a = u8(p), b = u8(p), v = u8(p);
    if (!w->nhist)
        return;
    fz_msg m = w->hist[a % w->nhist];
    enum wg_msg_type t = wg_classify(m.b, m.len, NULL);
    size_t span = t == WG_MSG_INITIATION || t == WG_MSG_RESPONSE ? m.len - WG_MACS_LEN : m.len;
    if (!span)
        return;
    m.b[b % span] ^= v ? v : 1;
    if (t == WG_MSG_INITIATION || t == WG_MSG_RESPONSE)
        stamp_macs(w, m.b, m.len, m.to, a >> 6);
    deliver(w, &m);
}

/* ---- the interpreter ---- */

enum fz_op {
    OP_DELIVER, OP_DELIVER_ALL, OP_DROP, OP_REPLAY, OP_TIME, OP_SEND, OP_LOAD, OP_ROAM,
    OP_DOWN_UP, OP_INIT, OP_RESPONSE, OP_COOKIE, OP_DATA, OP_HEADER, OP_KEEPALIVE, OP__COUNT
};

static const int64_t steps[16] = {
    0, MS(1), MS(20), MS(100), SEC(1), SEC(5), SEC(10), SEC(15),
    SEC(25), SEC(60), SEC(90), SEC(115), SEC(120), SEC(165), SEC(180), SEC(540),
};

static void deliver_at(fz_world *w, size_t i)
{
    fz_msg m = w->q[i];
    memmove(w->q + i, w->q + i + 1, (w->nq - i - 1) * sizeof *w->q);
    w->nq--;
    deliver(w, &m);
}

static void deliver_all(fz_world *w)
{
    for (int guard = 0; guard < 200 && w->nq; guard++)
        deliver_at(w, 0);
}

static void step(fz_world *w, fz_prog *p)
{
    uint8_t op = u8(p);
    int x = op >> 7;
    fz_side *s = &w->s[x];
    if (verbose)
        fprintf(stderr, "op %u side %d at %lld\n", op & 0x7f, x, (long long)w->now);
    switch ((op & 0x7f) % OP__COUNT) {
    case OP_DELIVER:
        if (w->nq)
            deliver_at(w, u8(p) % w->nq);
        break;
    case OP_DELIVER_ALL:
        deliver_all(w);
        break;
    case OP_DROP:
        if (w->nq) {
            size_t i = u8(p) % w->nq;
            memmove(w->q + i, w->q + i + 1, (w->nq - i - 1) * sizeof *w->q);
            w->nq--;
        }
        break;
    case OP_REPLAY:
        if (w->nhist) {
            fz_msg m = w->hist[u8(p) % w->nhist];
            deliver(w, &m);
        }
        break;
    case OP_TIME:
        run_until(w, w->now + steps[u8(p) & 15]);
        break;
    case OP_SEND: {
        uint8_t a = u8(p);
        send_inner(s, a & 3, a >> 2);
        break;
    }
    case OP_LOAD:
        s->load = !s->load;
        wg_device_set_under_load(s->dev, s->load);
        break;
    case OP_ROAM:
        s->addr = u8(p) & 3;
        break;
    case OP_DOWN_UP:
        if (wg_device_is_up(s->dev))
            wg_device_down(s->dev, w->now);
        else
            wg_device_up(s->dev, w->now);
        break;
    case OP_INIT:
        forge_initiation(w, x, p);
        break;
    case OP_RESPONSE:
        forge_response(w, x, p);
        break;
    case OP_COOKIE:
        forge_cookie(w, x, p);
        break;
    case OP_DATA:
        forge_data(w, x, p);
        break;
    case OP_HEADER:
        forge_header(w, p);
        break;
    case OP_KEEPALIVE:
        wg_device_set_persistent_keepalive(s->dev, s->peer, (uint16_t)(u8(p) & 31), w->now);
        break;
    }
    check_keys_match(w);
}

/* Runs timers up to t one deadline at a time, the network delivering
 * everything after each (a fast link: what a timer sends arrives before
 * the next timer fires, so retries cannot cross each other forever). */
static void run_delivering(fz_world *w, int64_t t)
{
    deliver_all(w);
    for (int guard = 0; guard < 10000; guard++) {
        int64_t d0 = wg_device_next_deadline(w->s[0].dev), d1 = wg_device_next_deadline(w->s[1].dev);
        int64_t d = d0 < d1 ? d0 : d1;
        if (d > t)
            break;
        run_until(w, d > w->now ? d : w->now);
        deliver_all(w);
    }
    if (t > w->now)
        w->now = t;
}

/* The network turns benign: both interfaces up, no load, everything
 * delivered at once, and each side sends every 5 s until one of its
 * packets got through. The bound is REJECT_AFTER_TIME + 20 s, not a few
 * handshake retries: the adversary holds the session keys, so it can spend
 * a session's receive counters (a forged REJECT_AFTER_MESSAGES - 1 that
 * authenticates), and then, as in Linux, nothing but the session's age
 * (REKEY_AFTER_TIME on the initiator's next send, REJECT_AFTER_TIME at the
 * latest) starts a new handshake while the other direction keeps working. */
#define FZ_EPILOGUE_SECONDS 200
static void epilogue(fz_world *w)
{
    w->in_epilogue = true;
    for (int i = 0; i < 2; i++) {
        if (!wg_device_is_up(w->s[i].dev))
            wg_device_up(w->s[i].dev, w->now);
        w->s[i].load = false;
        wg_device_set_under_load(w->s[i].dev, false);
    }
    uint64_t got0[2] = {w->s[0].delivered, w->s[1].delivered};
    for (int t = 0; t < FZ_EPILOGUE_SECONDS; t++) {
        for (int i = 0; i < 2; i++)
            if (w->s[!i].delivered == got0[!i] && t % 5 == i) {
                send_inner(&w->s[i], 0, 8);
                deliver_all(w);
            }
        check_keys_match(w);
        if (w->s[0].delivered > got0[0] && w->s[1].delivered > got0[1])
            return;
        run_delivering(w, w->now + SEC(1));
    }
    if (w->future_ts)
        return; /* a peer's key was used with a timestamp from the future: it may lock out the real peer */
    FZ_CHECK(false, "after %d benign seconds A got %llu packets and B %llu", FZ_EPILOGUE_SECONDS,
             (unsigned long long)(w->s[0].delivered - got0[0]), (unsigned long long)(w->s[1].delivered - got0[1]));
}

static void world_run(fz_world *w, const uint8_t *data, size_t size)
{
    memset(w, 0, sizeof *w);
    uint8_t setup = data[0];
    w->psk = setup & 0x10;
    w->now = SEC(1);
    side_init(w, 0, (wg_platform)(setup & 3), setup & 0x20);
    side_init(w, 1, (wg_platform)(setup >> 2 & 3), setup & 0x40);
    fz_prog p = {.d = data, .n = size, .pos = 1};
    for (int i = 0; i < FZ_MAX_OPS && p.pos < p.n; i++)
        step(w, &p);
    epilogue(w);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fz_world world; /* large: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    world_run(&world, data, size);
    world_free(&world);
    return 0;
}

/* ---- seed programs: WGSIM_FUZZ_WRITE_SEEDS=DIR ---- */

#define A(op) (op)
#define B(op) (0x80 | (op))

typedef struct fz_seed {
    const char *name;
    const uint8_t *prog;
    size_t len;
    /* what the program (before the epilogue) must have done */
    uint64_t b_handshakes, a_delivered, b_delivered, cookies_sent, a_cookies_received;
    bool impersonated;
} fz_seed;

/* A initiates, data both ways; then transport messages forged on A's
 * session: the next counter, a replay, a gap, the window's edge, the last
 * valid counters and past them, a bad inner packet, a disallowed source. */
static const uint8_t seed_handshake[] = {
    0x00, A(OP_SEND), 0x20, OP_DELIVER_ALL, B(OP_SEND), 0x20, OP_DELIVER_ALL,
    A(OP_DATA), 0 << 2, 0, A(OP_DATA), 1 << 2, 0, A(OP_DATA), 2 << 2, 5, A(OP_DATA), 3 << 2, 3,
    A(OP_DATA), 4 << 2, 0, A(OP_DATA), 5 << 2, 1, A(OP_DATA), 6 << 2, 2, A(OP_DATA), 4 << 5, 0, 9,
    A(OP_DATA), 2 << 5, 0, A(OP_DATA), 1 << 5, 0, A(OP_DATA), 3 << 5, 0, OP_TIME, 4,
};
/* Sessions age past REKEY_AFTER_TIME and REJECT_AFTER_TIME. */
static const uint8_t seed_rekey[] = {
    0x05, A(OP_SEND), 0x10, OP_DELIVER_ALL, B(OP_SEND), 0x10, OP_DELIVER_ALL, OP_TIME, 12, A(OP_SEND), 0x10,
    OP_DELIVER_ALL, OP_TIME, 5, OP_DELIVER_ALL, B(OP_SEND), 0x10, OP_DELIVER_ALL, OP_TIME, 14,
    B(OP_SEND), 0x10, OP_DELIVER_ALL, OP_TIME, 6, OP_DELIVER_ALL, A(OP_SEND), 0x10, OP_DELIVER_ALL,
};
/* B under load: A's initiation gets a cookie reply, the retry carries
 * mac2; then forged initiations with and without the cookie, and a
 * forged cookie reply. */
static const uint8_t seed_cookie[] = {
    0x00, B(OP_LOAD), A(OP_SEND), 0x20, OP_DELIVER_ALL, OP_TIME, 5, OP_DELIVER_ALL, OP_TIME, 5,
    OP_DELIVER_ALL, OP_TIME, 5, OP_DELIVER_ALL, A(OP_INIT), 3, 1 << 2, A(OP_INIT), 3, 0, B(OP_COOKIE), 2,
    OP_DELIVER_ALL, B(OP_SEND), 0x20, OP_DELIVER_ALL,
};
/* The adversary as each side: answers A's initiation as B (preshared
 * key), sends data on that session; initiates as A with newer, equal and
 * older timestamps and an unknown key. */
static const uint8_t seed_impersonate[] = {
    0x10, A(OP_SEND), 0x20, B(OP_RESPONSE), 0, 0, B(OP_DATA), 3, 0, B(OP_DATA), 3, 0,
    OP_DELIVER_ALL, OP_TIME, 5, A(OP_INIT), 3, 0, A(OP_DATA), 3, 0, A(OP_INIT), 1, 0, A(OP_INIT), 2, 0,
    A(OP_INIT), 0x60, 0, OP_DELIVER_ALL,
};
/* Reordering, duplication, loss, roaming and an interface going down. */
static const uint8_t seed_network[] = {
    0x0a, A(OP_SEND), 0x20, OP_DELIVER, 0, B(OP_SEND), 4, B(OP_SEND), 8, B(OP_SEND), 12, OP_DELIVER, 2,
    OP_DELIVER, 0, OP_REPLAY, 1, OP_DROP, 0, A(OP_ROAM), 1, A(OP_SEND), 0x21, OP_DELIVER_ALL, OP_REPLAY, 3,
    B(OP_DOWN_UP), OP_TIME, 4, B(OP_DOWN_UP), B(OP_SEND), 0x20, OP_DELIVER_ALL, OP_HEADER, 2, 5, 1,
    A(OP_KEEPALIVE), 25, OP_TIME, 8, OP_DELIVER_ALL,
};

static const fz_seed seeds[] = {
    {"handshake-data", seed_handshake, sizeof seed_handshake, .b_handshakes = 1, .a_delivered = 1,
     .b_delivered = 3},
    {"rekey", seed_rekey, sizeof seed_rekey, .b_handshakes = 2, .a_delivered = 2, .b_delivered = 2},
    {"cookie", seed_cookie, sizeof seed_cookie, .b_handshakes = 1, .a_delivered = 1, .b_delivered = 1,
     .cookies_sent = 1, .a_cookies_received = 1, .impersonated = true},
    {"impersonate", seed_impersonate, sizeof seed_impersonate, .a_delivered = 2, .b_delivered = 1,
     .impersonated = true},
    {"network", seed_network, sizeof seed_network, .b_handshakes = 1, .a_delivered = 1, .b_delivered = 1},
};

/* Runs a seed without the epilogue and checks it did what it is for. */
static void write_seed(const char *dir, const fz_seed *sd)
{
    fz_world *w = &world;
    memset(w, 0, sizeof *w);
    uint8_t setup = sd->prog[0];
    w->psk = setup & 0x10;
    w->now = SEC(1);
    side_init(w, 0, (wg_platform)(setup & 3), setup & 0x20);
    side_init(w, 1, (wg_platform)(setup >> 2 & 3), setup & 0x40);
    fz_prog p = {.d = sd->prog, .n = sd->len, .pos = 1};
    while (p.pos < p.n)
        step(w, &p);
    wg_peer_info bi;
    wg_device_peer_info(w->s[1].dev, w->s[1].peer, &bi);
    fz_side *a = &w->s[0], *b = &w->s[1];
    bool ok = bi.handshakes >= sd->b_handshakes && a->delivered >= sd->a_delivered &&
              b->delivered >= sd->b_delivered && b->events[WG_EV_COOKIE_REPLY_SENT] >= sd->cookies_sent &&
              a->events[WG_EV_COOKIE_REPLY_RECEIVED] >= sd->a_cookies_received &&
              w->impersonated == sd->impersonated;
    if (!ok) {
        fprintf(stderr,
                "seed %s does not do what it is for: B handshakes %llu, delivered A %llu B %llu, cookies sent "
                "%llu received %llu, impersonated %d\n",
                sd->name, (unsigned long long)bi.handshakes, (unsigned long long)a->delivered,
                (unsigned long long)b->delivered, (unsigned long long)b->events[WG_EV_COOKIE_REPLY_SENT],
                (unsigned long long)a->events[WG_EV_COOKIE_REPLY_RECEIVED], w->impersonated);
        exit(1);
    }
    world_free(w);
    LLVMFuzzerTestOneInput(sd->prog, sd->len); /* with the epilogue: passes its checks */
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sd->name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(sd->prog, 1, sd->len, f) != sd->len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void make_key(int i, uint8_t tag)
{
    uint8_t seed[32] = {tag, 'w', 'g', 's', 'i', 'm'};
    randombytes_buf_deterministic(priv[i], WG_KEY_LEN, seed);
    wg_key_clamp(priv[i]);
    wg_x25519_public(pub[i], priv[i]);
    wg_identity_init(&ident[i], priv[i]);
    wg_pubkey_init(&pubk[i], pub[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (wg_crypto_init() != 0)
        abort();
    make_key(0, 'A');
    make_key(1, 'B');
    make_key(2, 'C');
    verbose = getenv("WGSIM_FUZZ_VERBOSE") != NULL;
    const char *dir = getenv("WGSIM_FUZZ_WRITE_SEEDS");
    if (dir && *dir) {
        for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++)
            write_seed(dir, &seeds[i]);
        fprintf(stderr, "fuzz_wg_protocol: %zu seeds written to %s\n", sizeof seeds / sizeof *seeds, dir);
        exit(0);
    }
    return 0;
}
