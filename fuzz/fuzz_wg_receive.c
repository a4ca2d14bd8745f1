/*
 * fuzz_wg_receive.c — libFuzzer target: arbitrary datagrams into a
 * wg_device (the responder "R") in several states, with a deterministic
 * fake host.
 *
 * Input layout (docs/fuzzing.md):
 *   byte 0      state (bits 0-2, enum fz_state) and R's platform (bits 3-4)
 *   then records, each  [flags][len lo][len hi][len bytes of datagram]
 *     flags bits 0-1  remote endpoint the datagram comes from (remotes[])
 *           bit  2    local address it arrived on (locals[])
 *           bits 3-5  clock step before it (steps[]); R's timers run on the way
 *           bit  6    R also sends an inner packet into the tunnel first
 *           bit  7    R's interface goes down (if up) or up (if down) first
 *   A record whose length runs past the end takes what is left.
 *
 * Every state is rebuilt for every input from the same seeds, so it is
 * byte-for-byte the same each time: a session established by a real
 * handshake between R and a second device "I" has the same keys and
 * indexes on every run, and the transport/handshake/cookie messages that
 * `WGSIM_FUZZ_WRITE_SEEDS=DIR` writes (captured from I) authenticate when
 * replayed unchanged — mutations of them reach deep into the receive path.
 *
 * Checked for every datagram (besides ASan/UBSan): it ends in exactly one
 * outcome — one drop counted under one reason (with its event), or one
 * authenticated acceptance (the peer's rx_bytes grow by the datagram's
 * length; a data packet delivers at most one inner packet), or one accepted
 * cookie reply. Delivered packets are well-formed IP whose source routes
 * back to the sending peer, and every datagram R sends classifies as the
 * type it claims (wg_classify).
 */
#include "wgnode/wgnode.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_TARGET "fuzz_wg_receive"
#include "fuzz_check.h"
#include "fuzz_wg_packets.h"

enum fz_state {
    FZ_FRESH = 0,        /* R without peers */
    FZ_PEER,             /* R knows I (with its endpoint), no session */
    FZ_PEER_LOAD,        /* FZ_PEER, R under load */
    FZ_PENDING,          /* R sent an initiation to I; I has not answered */
    FZ_SESSION,          /* I initiated; session confirmed on R by I's first data */
    FZ_SESSION_LOAD,     /* FZ_SESSION, R under load */
    FZ_SESSION_R_INIT,   /* R initiated; the session is confirmed on both */
    FZ_SESSION_PSK_KA,   /* FZ_SESSION with a preshared key and persistent keepalive 25 s */
    FZ_STATE__COUNT
};

static const char *const state_names[FZ_STATE__COUNT] = {
    "fresh", "peer", "peer-load", "pending", "session", "session-load", "session-r-init", "session-psk-ka",
};

/* ---- a deterministic host ---- */

#define FZ_MAX_SENT 64

typedef struct fz_sent {
    wg_endpoint dst;
    uint8_t *data;
    size_t len;
} fz_sent;

typedef struct fz_host {
    wg_host_ops ops;
    uint8_t seed[32];
    uint64_t rng_calls;
    int64_t wall_base;
    wg_device *dev;          /* for checks inside callbacks */
    int peer_id;             /* the one peer (or -1) */
    uint64_t delivered;
    uint64_t events[WG_EV_KEY_ROTATED + 1];
    uint64_t drop_events;
    bool keep_sent;          /* record datagrams (seed generation) */
    fz_sent sent[FZ_MAX_SENT];
    size_t n_sent;
} fz_host;

static wg_send_result host_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                                size_t len, const wg_send_meta *meta)
{
    fz_host *h = ctx;
    (void)src;
    bool ka = false;
    enum wg_msg_type t = wg_classify(data, len, &ka);
    FZ_CHECK(t == meta->type, "sent a datagram of %zu bytes classified %d but labelled %d", len, (int)t,
             (int)meta->type);
    FZ_CHECK(t != WG_MSG_TRANSPORT || ka == meta->keepalive, "keepalive label %d for %zu bytes", meta->keepalive,
             len);
    if (h->keep_sent && h->n_sent < FZ_MAX_SENT) {
        fz_sent *s = &h->sent[h->n_sent++];
        s->dst = *dst;
        s->len = len;
        s->data = malloc(len ? len : 1);
        if (!s->data)
            abort();
        memcpy(s->data, data, len);
    }
    return WG_SEND_OK;
}

static bool ip_source(const uint8_t *p, size_t len, wg_ip *src, size_t *ip_len)
{
    if (len < 1)
        return false;
    if (p[0] >> 4 == 4 && len >= 20) {
        *ip_len = (size_t)p[2] << 8 | p[3];
        *src = wg_ip4(p[12], p[13], p[14], p[15]);
        return (p[0] & 0xf) >= 5 && *ip_len >= (size_t)(p[0] & 0xf) * 4;
    }
    if (p[0] >> 4 == 6 && len >= 40) {
        *ip_len = ((size_t)p[4] << 8 | p[5]) + 40;
        memset(src, 0, sizeof *src);
        src->family = 6;
        memcpy(src->b, p + 8, 16);
        return true;
    }
    return false;
}

static void host_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    fz_host *h = ctx;
    wg_ip src;
    size_t ip_len = 0;
    FZ_CHECK(ip_source(packet, len, &src, &ip_len), "delivered %zu bytes that are not an IP packet", len);
    FZ_CHECK(ip_len == len, "delivered %zu bytes, IP length says %zu (padding not stripped)", len, ip_len);
    FZ_CHECK(peer_id == h->peer_id, "delivered from peer %d, R has peer %d", peer_id, h->peer_id);
    FZ_CHECK(wg_device_peer_for_ip(h->dev, &src) == peer_id, "delivered an inner source not routed to peer %d",
             peer_id);
    h->delivered++;
}

static void host_random(void *ctx, uint8_t *buf, size_t len)
{
    fz_host *h = ctx;
    uint8_t seed[32];
    memcpy(seed, h->seed, sizeof seed);
    uint64_t c = h->rng_calls++;
    for (int i = 0; i < 8; i++)
        seed[24 + i] ^= (uint8_t)(c >> (8 * i));
    randombytes_buf_deterministic(buf, len, seed);
}

static int64_t host_wall(void *ctx, int64_t now) { return ((fz_host *)ctx)->wall_base + now; }

/* Linux / wireguard-go sourcing: every address below is local and one
 * default route leaves by interface 1. */
static bool host_addr_is_local(void *ctx, const wg_ip *addr)
{
    (void)ctx;
    return addr->family == 4 && addr->b[0] == 192 && addr->b[1] == 0 && addr->b[2] == 2;
}

static bool host_route_lookup(void *ctx, const wg_ip *dst, const wg_ip *src, uint32_t *ifindex, wg_ip *chosen)
{
    (void)ctx;
    if (dst->family != 4)
        return false;
    *ifindex = 1;
    *chosen = src ? *src : wg_ip4(192, 0, 2, 10);
    return true;
}

static void host_event(void *ctx, const wg_event *ev)
{
    fz_host *h = ctx;
    if ((unsigned)ev->kind <= WG_EV_KEY_ROTATED)
        h->events[ev->kind]++;
}

static void host_init(fz_host *h, uint8_t seed_byte, int64_t wall_base)
{
    memset(h, 0, sizeof *h);
    h->seed[0] = seed_byte;
    h->seed[1] = 0x5a;
    h->wall_base = wall_base;
    h->peer_id = -1;
    h->ops.ctx = h;
    h->ops.send = host_send;
    h->ops.deliver = host_deliver;
    h->ops.random_bytes = host_random;
    h->ops.wall_ns = host_wall;
    h->ops.addr_is_local = host_addr_is_local;
    h->ops.route_lookup = host_route_lookup;
    h->ops.event = host_event;
}

static void host_clear_sent(fz_host *h)
{
    for (size_t i = 0; i < h->n_sent; i++)
        free(h->sent[i].data);
    h->n_sent = 0;
}

/* ---- the world: R (fuzzed) and I (its peer) ---- */

#define WALL_BASE (INT64_C(1767225600) * WG_NS_PER_SEC)
#define MS(x) ((int64_t)(x) * 1000000)
#define SEC(x) ((int64_t)(x) * WG_NS_PER_SEC)

static const wg_endpoint ep_r = {.ip = {.family = 4, .b = {192, 0, 2, 10}}, .port = 51820};
static const wg_endpoint ep_i = {.ip = {.family = 4, .b = {198, 51, 100, 1}}, .port = 51820};
static const wg_endpoint remotes[4] = {
    {.ip = {.family = 4, .b = {198, 51, 100, 1}}, .port = 51820},  /* I itself */
    {.ip = {.family = 4, .b = {203, 0, 113, 7}}, .port = 40000},   /* I roamed behind a NAT */
    {.ip = {.family = 6, .b = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}}, .port = 51820},
    {.ip = {.family = 4, .b = {10, 0, 0, 1}}, .port = 1},
};
static const wg_source locals[2] = {
    {.addr = {.family = 4, .b = {192, 0, 2, 10}}, .ifindex = 1},
    {.addr = {.family = 4, .b = {192, 0, 2, 11}}, .ifindex = 2},
};
static const int64_t steps[8] = {0, MS(1), MS(100), SEC(1), SEC(5), SEC(11), SEC(125), SEC(200)};

static const wg_ip tun_i4 = {.family = 4, .b = {10, 99, 0, 1}};
static const wg_ip tun_r4 = {.family = 4, .b = {10, 99, 0, 2}};
static const wg_ip tun_i6 = {.family = 6, .b = {0xfd, [15] = 1}};
static const wg_ip tun_r6 = {.family = 6, .b = {0xfd, [15] = 2}};

typedef struct fz_world {
    fz_host hr, hi;
    wg_device *r, *i;
    int r_peer, i_peer;
    int64_t now;
    uint64_t handshakes0; /* R's completed handshakes when the state was built */
} fz_world;

static void make_key(uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN], uint8_t tag)
{
    uint8_t seed[32] = {tag, 'w', 'g', 's', 'i', 'm'};
    randombytes_buf_deterministic(priv, WG_KEY_LEN, seed);
    wg_key_clamp(priv);
    wg_x25519_public(pub, priv);
}

/* WGSIM_FUZZ_VERBOSE=1: one line per record (when reproducing a finding). */
static bool verbose;

/* Keys are the same on every run: computed once. */
static uint8_t priv_r[WG_KEY_LEN], priv_i[WG_KEY_LEN], pub_r[WG_KEY_LEN], pub_i[WG_KEY_LEN];

static int add_peer(wg_device *d, const uint8_t pub[WG_KEY_LEN], bool endpoint, const wg_endpoint *ep,
                    const wg_prefix *ips, size_t n, bool psk, uint16_t ka, int64_t now)
{
    wg_peer_config pc = {.has_endpoint = endpoint, .persistent_keepalive = ka, .allowed_ips = ips,
                         .n_allowed_ips = n, .has_psk = psk};
    memcpy(pc.public_key, pub, WG_KEY_LEN);
    if (endpoint)
        pc.endpoint = *ep;
    if (psk)
        memset(pc.psk, 0x42, WG_KEY_LEN);
    return wg_device_add_peer(d, &pc, now);
}

/* Hands every datagram `from` sent to `to` (if addressed to it), as if
 * it came from `from_ep`; returns how many. */
static size_t shuttle(fz_host *from, wg_device *to, const wg_endpoint *to_ep, const wg_endpoint *from_ep,
                      int64_t now)
{
    size_t moved = 0;
    while (from->n_sent) {
        fz_sent s = from->sent[0];
        memmove(from->sent, from->sent + 1, (from->n_sent - 1) * sizeof *from->sent);
        from->n_sent--;
        if (wg_endpoint_eq(&s.dst, to_ep)) {
            wg_source local = {.addr = to_ep->ip, .ifindex = 1};
            wg_device_receive(to, now, &local, from_ep, s.data, s.len);
            moved++;
        }
        free(s.data);
    }
    return moved;
}

static void flush(fz_world *w)
{
    for (int guard = 0; guard < 100; guard++) {
        size_t moved = shuttle(&w->hi, w->r, &ep_r, &ep_i, w->now);
        moved += shuttle(&w->hr, w->i, &ep_i, &ep_r, w->now);
        if (!moved)
            return;
    }
}

static void send_inner(wg_device *d, int64_t now, wg_ip src, wg_ip dst, size_t payload)
{
    uint8_t buf[256];
    size_t n = fz_ip_packet(buf, src, dst, payload);
    (void)wg_device_send_inner(d, now, buf, n);
}

/* Builds state st with R on platform p. I is created for the states that
 * need it; with keep_i it stays (seed generation), else it is freed and
 * R's outbox dropped. */
static void world_build(fz_world *w, enum fz_state st, wg_platform p, bool keep_i)
{
    memset(w, 0, sizeof *w);
    host_init(&w->hr, 1, WALL_BASE);
    host_init(&w->hi, 2, WALL_BASE);
    w->hr.keep_sent = w->hi.keep_sent = true;
    w->now = SEC(1);
    wg_device_config cr = {.listen_port = 51820, .platform = p};
    memcpy(cr.private_key, priv_r, WG_KEY_LEN);
    w->r = wg_device_new(&cr, &w->hr.ops);
    if (!w->r)
        abort();
    w->hr.dev = w->r;
    w->r_peer = w->i_peer = -1;
    if (st != FZ_FRESH) {
        bool psk = st == FZ_SESSION_PSK_KA;
        uint16_t ka = 0; /* FZ_SESSION_PSK_KA turns it on once the session exists */
        wg_prefix ips_i[2] = {{.ip = tun_i4, .len = 32}, {.ip = tun_i6, .len = 128}};
        wg_prefix ips_r[2] = {{.ip = tun_r4, .len = 32}, {.ip = tun_r6, .len = 128}};
        w->r_peer = add_peer(w->r, pub_i, true, &ep_i, ips_i, 2, psk, ka, w->now);
        w->hr.peer_id = w->r_peer;
        wg_device_config ci = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
        memcpy(ci.private_key, priv_i, WG_KEY_LEN);
        w->i = wg_device_new(&ci, &w->hi.ops);
        if (!w->i)
            abort();
        w->hi.dev = w->i;
        w->i_peer = add_peer(w->i, pub_r, true, &ep_r, ips_r, 2, psk, ka, w->now);
        w->hi.peer_id = w->i_peer;
        if (w->r_peer < 0 || w->i_peer < 0)
            abort();
    }
    switch (st) {
    case FZ_PEER_LOAD:
        wg_device_set_under_load(w->r, true);
        break;
    case FZ_PENDING:
        send_inner(w->r, w->now, tun_r4, tun_i4, 20); /* the initiation stays in R's outbox */
        break;
    case FZ_SESSION:
    case FZ_SESSION_LOAD:
    case FZ_SESSION_PSK_KA:
        send_inner(w->i, w->now, tun_i4, tun_r4, 20);
        flush(w);
        if (st == FZ_SESSION_LOAD)
            wg_device_set_under_load(w->r, true);
        if (st == FZ_SESSION_PSK_KA) {
            wg_device_set_persistent_keepalive(w->r, w->r_peer, 25, w->now);
            flush(w);
        }
        break;
    case FZ_SESSION_R_INIT:
        send_inner(w->r, w->now, tun_r4, tun_i4, 20);
        flush(w);
        send_inner(w->i, w->now, tun_i4, tun_r4, 20);
        flush(w);
        break;
    default:
        break;
    }
    /* Count only what happens after the state is built. */
    w->hr.delivered = 0;
    memset(w->hr.events, 0, sizeof w->hr.events);
    wg_peer_info pi;
    w->handshakes0 = w->r_peer >= 0 && wg_device_peer_info(w->r, w->r_peer, &pi) ? pi.handshakes : 0;
    if (!keep_i) {
        if (w->i)
            wg_device_free(w->i);
        w->i = NULL;
        host_clear_sent(&w->hi);
        host_clear_sent(&w->hr);
        w->hr.keep_sent = false;
    }
}

static void world_free(fz_world *w)
{
    wg_device_free(w->r);
    if (w->i)
        wg_device_free(w->i);
    host_clear_sent(&w->hr);
    host_clear_sent(&w->hi);
}

/* Runs R's timers up to t, each at its own deadline. */
static void run_r_until(fz_world *w, int64_t t)
{
    int stuck = 0;
    for (;;) {
        int64_t d = wg_device_next_deadline(w->r);
        if (d > t)
            break;
        int64_t at = d > w->now ? d : w->now;
        FZ_CHECK(stuck < 1000, "timers do not advance: deadline %lld at now %lld", (long long)d,
                 (long long)w->now);
        stuck = at == w->now ? stuck + 1 : 0;
        w->now = at;
        wg_device_tick(w->r, w->now);
    }
    if (t > w->now)
        w->now = t;
}

/* Receive-path drop reasons (everything a datagram can be dropped for). */
static bool rx_reason(int r)
{
    return (r >= WG_DROP_TOO_SHORT && r <= WG_DROP_BAD_INNER) || r == WG_DROP_RATE_LIMITED ||
           r == WG_DROP_DEVICE_DOWN;
}

static uint64_t peer_rx(const fz_world *w)
{
    wg_peer_info pi;
    if (w->r_peer < 0 || !wg_device_peer_info(w->r, w->r_peer, &pi))
        return 0;
    return pi.rx_bytes;
}

/* One record: step the clock, maybe send, receive, check the outcome. */
static void apply_record(fz_world *w, uint8_t flags, const uint8_t *data, size_t len)
{
    run_r_until(w, w->now + steps[(flags >> 3) & 7]);
    if (flags & 0x40)
        send_inner(w->r, w->now, tun_r4, tun_i4, 20);
    if (flags & 0x80) {
        if (wg_device_is_up(w->r))
            wg_device_down(w->r, w->now);
        else
            wg_device_up(w->r, w->now);
    }

    uint64_t drops[WG_DROP__COUNT];
    for (int r = 0; r < WG_DROP__COUNT; r++)
        drops[r] = wg_device_drop_count(w->r, (wg_drop_reason)r);
    uint64_t ev_drop0 = w->hr.events[WG_EV_PACKET_DROPPED];
    uint64_t cookie0 = w->hr.events[WG_EV_COOKIE_REPLY_RECEIVED];
    uint64_t deliv0 = w->hr.delivered;
    uint64_t rx0 = peer_rx(w);

    /* A copy of exactly len bytes, so ASan sees any read past the end. */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    if (len)
        memcpy(copy, data, len);
    wg_device_receive(w->r, w->now, &locals[(flags >> 2) & 1], &remotes[flags & 3], copy, len);
    free(copy);
    uint64_t n_drops = 0, n_other = 0;
    int reason = -1;
    for (int r = 0; r < WG_DROP__COUNT; r++) {
        uint64_t d = wg_device_drop_count(w->r, (wg_drop_reason)r) - drops[r];
        if (rx_reason(r)) {
            n_drops += d;
            if (d)
                reason = r;
        } else {
            n_other += d;
        }
    }
    uint64_t n_cookie = w->hr.events[WG_EV_COOKIE_REPLY_RECEIVED] - cookie0;
    uint64_t n_deliv = w->hr.delivered - deliv0;
    uint64_t rx = peer_rx(w) - rx0;
    bool authenticated = rx > 0;
    if (verbose)
        fprintf(stderr, "record flags 0x%02x, %zu bytes at %lld ns: drops %llu (%s), cookie %llu, rx %llu, delivered %llu\n",
                flags, len, (long long)w->now, (unsigned long long)n_drops,
                reason >= 0 ? wg_drop_reason_name((wg_drop_reason)reason) : "-", (unsigned long long)n_cookie,
                (unsigned long long)rx, (unsigned long long)n_deliv);
    FZ_CHECK(w->hr.events[WG_EV_PACKET_DROPPED] - ev_drop0 == n_drops + n_other,
             "drop counters and drop events disagree");
    FZ_CHECK(!authenticated || rx == len, "rx_bytes grew by %llu for a %zu-byte datagram", (unsigned long long)rx,
             len);
    uint64_t outcomes = n_drops + n_cookie + (authenticated && n_drops == 0 ? 1 : 0);
    FZ_CHECK(outcomes == 1, "%llu outcomes (drops %llu, cookie %llu, authenticated %d) for %zu bytes",
             (unsigned long long)outcomes, (unsigned long long)n_drops, (unsigned long long)n_cookie,
             authenticated, len);
    FZ_CHECK(n_deliv <= 1, "one datagram delivered %llu packets", (unsigned long long)n_deliv);
    FZ_CHECK(n_deliv == 0 || (authenticated && n_drops == 0 && len > 32 && data[0] == WG_MSG_TRANSPORT),
             "delivered without an accepted data message");
    FZ_CHECK(!authenticated || n_drops == 0 || reason == WG_DROP_BAD_INNER || reason == WG_DROP_NOT_ALLOWED_IP,
             "authenticated and then dropped for %s", wg_drop_reason_name((wg_drop_reason)reason));
    /* The trace's classifier must agree: what it calls "not WireGuard" is
     * dropped as malformed (or before any parsing, by a down interface). */
    if (wg_classify(data, len, NULL) == WG_MSG_NONE)
        FZ_CHECK(n_drops == 1 && (reason == WG_DROP_TOO_SHORT || reason == WG_DROP_BAD_TYPE ||
                                  reason == WG_DROP_BAD_SIZE || reason == WG_DROP_DEVICE_DOWN),
                 "a datagram wg_classify rejects was not dropped as malformed");
}

/* Parses the input and runs it; returns the number of records. */
static size_t run_input(fz_world *w, const uint8_t *data, size_t size)
{
    size_t pos = 1, n = 0;
    while (pos < size) {
        uint8_t flags = data[pos++];
        size_t len = 0;
        if (pos < size)
            len = data[pos++];
        if (pos < size)
            len |= (size_t)data[pos++] << 8;
        if (len > size - pos)
            len = size - pos;
        apply_record(w, flags, data + pos, len);
        pos += len;
        n++;
    }
    return n;
}

static void decode_header(uint8_t b, enum fz_state *st, wg_platform *p)
{
    *st = (enum fz_state)(b & 7);
    *p = (wg_platform)((b >> 3) & 3);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum fz_state st;
    wg_platform p;
    decode_header(data[0], &st, &p);
    fz_world w;
    world_build(&w, st, p, false);
    run_input(&w, data, size);
    world_free(&w);
    return 0;
}

/* ---- seed generation: WGSIM_FUZZ_WRITE_SEEDS=DIR ---- */

typedef struct seed_buf {
    uint8_t b[4096];
    size_t len;
} seed_buf;

static void seed_put(seed_buf *s, uint8_t flags, const uint8_t *data, size_t len)
{
    if (s->len + 3 + len > sizeof s->b)
        abort();
    s->b[s->len++] = flags;
    s->b[s->len++] = (uint8_t)len;
    s->b[s->len++] = (uint8_t)(len >> 8);
    memcpy(s->b + s->len, data, len);
    s->len += len;
}

/* Moves what I sent to R into the seed (as records with `flags`) and into
 * R, then what R sent back into I, until quiet. Returns the records added. */
static size_t seed_exchange(fz_world *w, seed_buf *s, uint8_t flags)
{
    size_t added = 0;
    for (int guard = 0; guard < 50; guard++) {
        size_t moved = 0;
        while (w->hi.n_sent) {
            fz_sent m = w->hi.sent[0];
            memmove(w->hi.sent, w->hi.sent + 1, (w->hi.n_sent - 1) * sizeof *w->hi.sent);
            w->hi.n_sent--;
            if (wg_endpoint_eq(&m.dst, &ep_r)) {
                seed_put(s, flags, m.data, m.len);
                apply_record(w, flags, m.data, m.len);
                flags &= (uint8_t)~0x78; /* further records: no clock step, no extra send */
                added++;
                moved++;
            }
            free(m.data);
        }
        moved += shuttle(&w->hr, w->i, &ep_i, &ep_r, w->now);
        if (!moved)
            break;
    }
    return added;
}

typedef struct seed_expect {
    uint64_t delivered, handshakes, cookies;
} seed_expect;

static void seed_write(const char *dir, const char *name, const seed_buf *s, const seed_expect *want)
{
    /* Replay the seed on a fresh world: it must do what it did here. */
    enum fz_state st;
    wg_platform p;
    decode_header(s->b[0], &st, &p);
    fz_world w;
    world_build(&w, st, p, false);
    run_input(&w, s->b, s->len);
    wg_peer_info pi = {0};
    if (w.r_peer >= 0)
        wg_device_peer_info(w.r, w.r_peer, &pi);
    bool ok = w.hr.delivered >= want->delivered && pi.handshakes - w.handshakes0 >= want->handshakes &&
              w.hr.events[WG_EV_COOKIE_REPLY_RECEIVED] >= want->cookies;
    if (!ok) {
        fprintf(stderr,
                "seed %s does not replay: delivered %llu (want %llu), handshakes %llu (want %llu), cookies %llu "
                "(want %llu)\n",
                name, (unsigned long long)w.hr.delivered, (unsigned long long)want->delivered,
                (unsigned long long)(pi.handshakes - w.handshakes0), (unsigned long long)want->handshakes,
                (unsigned long long)w.hr.events[WG_EV_COOKIE_REPLY_RECEIVED], (unsigned long long)want->cookies);
        exit(1);
    }
    world_free(&w);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->len, f) != s->len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void seed_start(seed_buf *s, fz_world *w, enum fz_state st, wg_platform p)
{
    s->len = 0;
    s->b[s->len++] = (uint8_t)(st | (unsigned)p << 3);
    world_build(w, st, p, true);
}

static void write_seeds(const char *dir)
{
    seed_buf s;
    fz_world w;
    for (int pl = 0; pl < 4; pl++) {
        wg_platform p = (wg_platform)pl;
        char name[64];
        const char *pn = wg_platform_name(p);

        /* I initiates, R answers, data both ways: the whole first session. */
        seed_start(&s, &w, FZ_PEER, p);
        send_inner(w.i, w.now, tun_i4, tun_r4, 20);
        seed_exchange(&w, &s, 0);
        send_inner(w.i, w.now, tun_i6, tun_r6, 24);
        seed_exchange(&w, &s, 0);
        send_inner(w.i, w.now, wg_ip4(10, 99, 0, 77), tun_r4, 12); /* R does not allow this source */
        seed_exchange(&w, &s, 0);
        world_free(&w);
        snprintf(name, sizeof name, "peer-handshake-%s", pn);
        seed_write(dir, name, &s, &(seed_expect){.delivered = 2, .handshakes = 1});

        if (p != WG_PLATFORM_FREEBSD)
            continue; /* one of each of the rest: byte 0 mutates the platform */

        /* An initiation from I to an R that does not know it. */
        seed_start(&s, &w, FZ_FRESH, p);
        {
            fz_world t;
            world_build(&t, FZ_PEER, p, true);
            send_inner(t.i, t.now, tun_i4, tun_r4, 20);
            for (size_t k = 0; k < t.hi.n_sent; k++)
                seed_put(&s, 0, t.hi.sent[k].data, t.hi.sent[k].len);
            world_free(&t);
        }
        world_free(&w);
        seed_write(dir, "fresh-unknown-initiation", &s, &(seed_expect){0});

        /* Under load: initiation without mac2 -> cookie reply to I; I's
         * retransmission carries mac2 and is answered. */
        seed_start(&s, &w, FZ_PEER_LOAD, p);
        send_inner(w.i, w.now, tun_i4, tun_r4, 20);
        seed_exchange(&w, &s, 0);
        wg_device_tick(w.i, wg_device_next_deadline(w.i)); /* REKEY_TIMEOUT retransmit */
        seed_exchange(&w, &s, 5 << 3);                      /* R's clock + 11 s */
        world_free(&w);
        seed_write(dir, "peer-load-cookie-mac2", &s, &(seed_expect){.delivered = 1, .handshakes = 1});

        /* R initiated: I's response, then I's data. */
        seed_start(&s, &w, FZ_PENDING, p);
        shuttle(&w.hr, w.i, &ep_i, &ep_r, w.now);
        seed_exchange(&w, &s, 0);
        send_inner(w.i, w.now, tun_i4, tun_r4, 30);
        seed_exchange(&w, &s, 0);
        world_free(&w);
        seed_write(dir, "pending-response-data", &s, &(seed_expect){.delivered = 1, .handshakes = 1});

        /* R initiated, I is under load and answers with a cookie reply. */
        seed_start(&s, &w, FZ_PENDING, p);
        wg_device_set_under_load(w.i, true);
        shuttle(&w.hr, w.i, &ep_i, &ep_r, w.now);
        seed_exchange(&w, &s, 0);
        world_free(&w);
        seed_write(dir, "pending-cookie-reply", &s, &(seed_expect){.cookies = 1});

        /* Established sessions: data, keepalive, a replay, v6, rekey. */
        const enum fz_state sessions[] = {FZ_SESSION, FZ_SESSION_LOAD, FZ_SESSION_R_INIT, FZ_SESSION_PSK_KA};
        for (size_t k = 0; k < sizeof sessions / sizeof *sessions; k++) {
            seed_start(&s, &w, sessions[k], p);
            send_inner(w.i, w.now, tun_i4, tun_r4, 40);
            size_t before = s.len;
            seed_exchange(&w, &s, 0);
            /* The same data again: a replay. */
            uint8_t again[512];
            size_t alen = s.len - before - 3;
            if (alen <= sizeof again) {
                memcpy(again, s.b + before + 3, alen);
                seed_put(&s, 0, again, alen);
                apply_record(&w, 0, again, alen);
            }
            send_inner(w.i, w.now, tun_i6, tun_r6, 8);
            seed_exchange(&w, &s, 3 << 3);
            wg_device_tick(w.i, w.now + SEC(10)); /* keepalive */
            seed_exchange(&w, &s, 5 << 3);
            world_free(&w);
            snprintf(name, sizeof name, "%s-data", state_names[sessions[k]]);
            seed_write(dir, name, &s, &(seed_expect){.delivered = 2});
        }

        /* Rekey: after REKEY_AFTER_TIME I's next packet starts a new handshake. */
        seed_start(&s, &w, FZ_SESSION, p);
        {
            int64_t t = w.now + SEC(125);
            wg_device_tick(w.i, t);
            send_inner(w.i, t, tun_i4, tun_r4, 20);
            seed_exchange(&w, &s, 6 << 3);
        }
        world_free(&w);
        seed_write(dir, "session-rekey", &s, &(seed_expect){.delivered = 1, .handshakes = 1});
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (wg_crypto_init() != 0)
        abort();
    make_key(priv_r, pub_r, 'R');
    make_key(priv_i, pub_i, 'I');
    verbose = getenv("WGSIM_FUZZ_VERBOSE") != NULL;
    const char *dir = getenv("WGSIM_FUZZ_WRITE_SEEDS");
    if (dir && *dir) {
        write_seeds(dir);
        fprintf(stderr, "fuzz_wg_receive: seeds written to %s\n", dir);
        exit(0);
    }
    return 0;
}
