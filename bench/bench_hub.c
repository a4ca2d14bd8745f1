/*
 * bench_hub.c — `wgsim bench hub`: one WireGuard hub with many peers under
 * steady traffic, against its crypto lower bound and a memory budget
 * (DESIGN.md, "Performance targets": a hub with 10,000 peers for one
 * simulated hour stays within 1.3x of its crypto lower bound and under
 * 4 KiB of memory per peer).
 *
 * The world: one hub wg_device (FreeBSD platform, listen port 51820) and
 * P client wg_devices, one per hub peer, each with the hub as its only
 * peer. Everything goes through the public wgnode.h API, as the simulator
 * and `wgsim peer` drive devices. No network model: the native sim engine
 * (sim/engine/engine_native.c) orders the events, a datagram arrives 20 ms after
 * it is sent, nothing is lost. Each device's timers run at
 * wg_device_next_wake (at or before the next deadline; a tick there with
 * nothing due moves it on), re-read after every call into the device, as
 * the simulator's host (sim/wg/wg_host.c) does.
 *
 * Traffic: every client sends one 64-byte IPv4/UDP packet into the tunnel
 * every 10 s (first at a random offset in the first 10 s, so the hub's
 * load is spread), and the hub's host answers each one it receives with
 * the same packet, addresses swapped (an echo, like a monitoring ping).
 * The clients' sessions age, so each client starts a new handshake on
 * the first send after REKEY_AFTER_TIME (120 s, reference/wg-sourcing.md;
 * only the initiator's key triggers it, wgnode/send.c):
 * the hub answers an initiation about every two minutes per peer, and
 * key rotation goes on throughout the run.
 *
 * Result 1, "hub": CPU time of the hub vs its crypto lower bound.
 *   ours     = the time spent inside the hub's wgnode calls
 *              (wg_device_receive / wg_device_tick / wg_device_send_inner
 *              from the echo, each followed by wg_device_next_wake),
 *              summed on the monotonic clock around each call; the
 *              callbacks those calls make (queueing a datagram on the
 *              engine) are inside and count against us. The clients'
 *              calls are not timed. The process is single-threaded and
 *              CPU-bound, so this is the hub's CPU time unless the
 *              machine preempts it (which only counts against us).
 *   baseline = the same count of primitive operations, made raw with
 *              libsodium and libb2 in one tight loop in the same process:
 *              for every handshake message the hub made or consumed, the
 *              X25519, ChaCha20-Poly1305, HMAC-BLAKE2s, BLAKE2s and keyed
 *              BLAKE2s-128 (mac1) calls the protocol needs (whitepaper
 *              §5.4, counted per message below; the same per-handshake
 *              totals as bench_wg.c's handshake baseline, split by side),
 *              and one ChaCha20-Poly1305 encryption or decryption of the
 *              same length for every transport message it sent or
 *              received. The messages are counted from the datagrams
 *              themselves (what the hub sent through its host, what the
 *              bench handed to it), not from wgnode's own counters.
 *   ratio    = ours / baseline; target <= 1.3.
 * Result 2, "hub-memory": heap bytes the hub holds per peer at the end of
 *   the run (every peer with a current session and its previous one),
 *   measured as the drop of glibc's in-use heap (mallinfo2: uordblks +
 *   hblkhd, chunk headers included) when the hub device is freed, divided
 *   by P. Baseline 4096 bytes; ratio = ours / 4096; target <= 1. Under
 *   AddressSanitizer glibc's malloc is not used, and the figure comes from
 *   __sanitizer_get_current_allocated_bytes (bytes requested, no headers).
 *   The table also shows the bytes per peer of the configured hub before
 *   any handshake (measured around wg_device_new + wg_device_add_peer,
 *   while nothing else allocates).
 *
 * Size: the target is 10,000 peers for one simulated hour. On the 2-core
 * machine of docs/performance.md that takes about 2.5 minutes (the
 * clients' handshakes and the baseline cost as much as the hub's), so by
 * default the bench simulates 15 minutes with 10,000 peers (seven to
 * eight key rotations per peer; the per-hour cost is linear in time, and
 * the ratio and the memory per peer do not depend on the duration once
 * rotation runs). --full runs the literal hour; --quick 50 peers for
 * 5 minutes.
 */
#include "bench/bench.h"
#include "bench/raw_handshake.h"

#include <blake2.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer: its runtime's count of allocated bytes (declared
 * here: gcc ships the runtime, not always the sanitizer/ headers). */
#if defined(__SANITIZE_ADDRESS__)
#define HUB_HEAP_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HUB_HEAP_SANITIZER 1
#endif
#endif
#ifdef HUB_HEAP_SANITIZER
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "sim/sim.h"
#include "wgnode/wgnode.h"

#define HUB_PEERS 10000
#define HUB_MINUTES 15
#define HUB_MINUTES_FULL 60
#define QUICK_PEERS 50
#define QUICK_MINUTES 5
#define SEND_EVERY (10 * SIM_S)
#define ONE_WAY (20 * SIM_MS)
#define INNER_LEN 64
#define DGRAM_MAX 160 /* an initiation (148 bytes) is the largest message here */
#define DGRAM_CHUNK 1024
#define MEMORY_BUDGET 4096.0

/* ---- the world ------------------------------------------------------------ */

typedef struct hub_bench hub_bench;

/* The hub's calls by what they were for (the table splits the time). */
enum { CALL_HANDSHAKE, CALL_TRANSPORT, CALL_TIMER, HUB_CALL_KINDS };

typedef struct node {
    hub_bench *b;
    wg_device *dev;
    int client; /* -1 for the hub */
    wg_endpoint ep;
    sim_event_id timer;
    int64_t timer_at;
    sim_rng rng;
    uint8_t inner[INNER_LEN]; /* clients: the packet they send */
} node;

typedef struct dgram {
    struct dgram *next; /* free list */
    node *to;
    wg_endpoint from;
    size_t len;
    uint8_t data[DGRAM_MAX];
} dgram;

/* What the hub's crypto lower bound is made of (see the header). */
typedef struct hub_ops {
    uint64_t init_made, init_taken, resp_made, resp_taken, cookies;
    uint64_t enc_by_len[DGRAM_MAX], dec_by_len[DGRAM_MAX]; /* transport plaintext length (padded) */
    uint64_t transport_out, transport_in;
} hub_ops;

struct hub_bench {
    sim_engine *engine;
    node hub;
    node *clients;
    size_t n_clients;
    int64_t hub_ns; /* time inside the hub's calls */
    int64_t hub_ns_by[HUB_CALL_KINDS];
    uint64_t hub_calls, hub_calls_by[HUB_CALL_KINDS];
    hub_ops ops;
    dgram *free_dgrams;
    dgram **chunks;
    size_t n_chunks;
    uint64_t sent_by_clients, echoes_received, oversized;
    bool failed; /* out of memory */
};

static const wg_endpoint hub_endpoint = {.ip = {.family = 4, .b = {203, 0, 113, 1}}, .port = 51820};

static wg_endpoint client_endpoint(size_t i)
{
    return (wg_endpoint){.ip = wg_ip4_from_u32(UINT32_C(0x64400000) + (uint32_t)i + 1), .port = 51820}; /* 100.64/10 */
}

static wg_ip client_tunnel_ip(size_t i) { return wg_ip4_from_u32(UINT32_C(0x0ac80000) + (uint32_t)i + 1); } /* 10.200/16 */

static dgram *dgram_get(hub_bench *b)
{
    if (!b->free_dgrams) {
        dgram **c = realloc(b->chunks, (b->n_chunks + 1) * sizeof *c);
        if (!c)
            return NULL;
        b->chunks = c;
        dgram *d = malloc(DGRAM_CHUNK * sizeof *d);
        if (!d)
            return NULL;
        b->chunks[b->n_chunks++] = d;
        for (size_t k = 0; k < DGRAM_CHUNK; k++) {
            d[k].next = b->free_dgrams;
            b->free_dgrams = &d[k];
        }
    }
    dgram *d = b->free_dgrams;
    b->free_dgrams = d->next;
    return d;
}

static void dgram_put(hub_bench *b, dgram *d)
{
    d->next = b->free_dgrams;
    b->free_dgrams = d;
}

static void node_timer(void *arg);

/* Keeps one engine event at the device's next deadline. */
static void node_rearm(node *n, int64_t deadline)
{
    if (deadline == n->timer_at)
        return;
    sim_cancel(n->b->engine, n->timer);
    n->timer = 0;
    n->timer_at = deadline;
    if (deadline != WG_TIME_NEVER)
        n->timer = sim_schedule_at(n->b->engine, deadline, node_timer, n);
}

static void deliver_event(void *arg);

/* The send callback of every device: the datagram arrives ONE_WAY later. */
static wg_send_result host_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                                size_t len, const wg_send_meta *meta)
{
    (void)src;
    node *n = ctx;
    hub_bench *b = n->b;
    node *to;
    if (n->client < 0) {
        uint32_t a = wg_ip4_to_u32(&dst->ip) - UINT32_C(0x64400000);
        if (dst->ip.family != 4 || a < 1 || a > b->n_clients)
            return WG_SEND_UNREACHABLE;
        to = &b->clients[a - 1];
        /* the hub's crypto work, by message (header comment) */
        hub_ops *o = &b->ops;
        if (meta->type == WG_MSG_INITIATION)
            o->init_made++;
        else if (meta->type == WG_MSG_RESPONSE)
            o->resp_made++;
        else if (meta->type == WG_MSG_COOKIE_REPLY)
            o->cookies++;
        else if (meta->type == WG_MSG_TRANSPORT && len >= WG_KEEPALIVE_LEN && len < DGRAM_MAX) {
            o->enc_by_len[len - WG_KEEPALIVE_LEN]++;
            o->transport_out++;
        }
    } else {
        if (!wg_endpoint_eq(dst, &hub_endpoint))
            return WG_SEND_UNREACHABLE;
        to = &b->hub;
    }
    if (len > DGRAM_MAX) {
        b->oversized++;
        return WG_SEND_EINVAL;
    }
    dgram *d = dgram_get(b);
    if (!d) {
        b->failed = true;
        return WG_SEND_UNREACHABLE;
    }
    d->to = to;
    d->from = n->ep;
    d->len = len;
    memcpy(d->data, data, len);
    sim_schedule_at(b->engine, b->engine->now + ONE_WAY, deliver_event, d);
    return WG_SEND_OK;
}

/* The hub's host answers every packet with the same packet, addresses
 * swapped (deliver may call send_inner on the same device: wgnode.h). */
static void hub_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    (void)peer_id;
    node *n = ctx;
    uint8_t reply[INNER_LEN];
    if (len != INNER_LEN)
        return;
    memcpy(reply, packet, len);
    memcpy(reply + 12, packet + 16, 4);
    memcpy(reply + 16, packet + 12, 4);
    wg_device_send_inner(n->dev, n->b->engine->now, reply, len);
}

static void client_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    (void)peer_id;
    (void)packet;
    (void)len;
    node *n = ctx;
    n->b->echoes_received++;
}

static void host_random(void *ctx, uint8_t *buf, size_t len)
{
    node *n = ctx;
    sim_rng_bytes(&n->rng, buf, len);
}

static int64_t host_wall(void *ctx, int64_t now)
{
    (void)ctx;
    return INT64_C(1700000000) * WG_NS_PER_SEC + now;
}

/* Every call into the hub goes through here: timed, with the deadline. */
#define HUB_CALL(b, kind, call)                                                                                \
    do {                                                                                                       \
        int64_t t0_ = bench_clock_ns();                                                                        \
        call;                                                                                                  \
        int64_t dl_ = wg_device_next_wake((b)->hub.dev);                                                       \
        int64_t ns_ = bench_clock_ns() - t0_;                                                                  \
        (b)->hub_ns += ns_;                                                                                    \
        (b)->hub_ns_by[kind] += ns_;                                                                           \
        (b)->hub_calls++;                                                                                      \
        (b)->hub_calls_by[kind]++;                                                                             \
        node_rearm(&(b)->hub, dl_);                                                                            \
    } while (0)

static void node_timer(void *arg)
{
    node *n = arg;
    hub_bench *b = n->b;
    n->timer = 0;
    n->timer_at = WG_TIME_NEVER;
    if (n->client < 0) {
        HUB_CALL(b, CALL_TIMER, wg_device_tick(n->dev, b->engine->now));
    } else {
        wg_device_tick(n->dev, b->engine->now);
        node_rearm(n, wg_device_next_wake(n->dev));
    }
}

static void deliver_event(void *arg)
{
    dgram *d = arg;
    node *n = d->to;
    hub_bench *b = n->b;
    wg_source local = {.addr = n->ep.ip, .ifindex = 1};
    if (n->client < 0) {
        bool keepalive;
        hub_ops *o = &b->ops;
        int kind = CALL_HANDSHAKE;
        switch (wg_classify(d->data, d->len, &keepalive)) {
        case WG_MSG_INITIATION: o->init_taken++; break;
        case WG_MSG_RESPONSE: o->resp_taken++; break;
        case WG_MSG_TRANSPORT:
            kind = CALL_TRANSPORT;
            if (d->len < DGRAM_MAX) {
                o->dec_by_len[d->len - WG_KEEPALIVE_LEN]++;
                o->transport_in++;
            }
            break;
        default: break;
        }
        HUB_CALL(b, kind, wg_device_receive(n->dev, b->engine->now, &local, &d->from, d->data, d->len));
    } else {
        wg_device_receive(n->dev, b->engine->now, &local, &d->from, d->data, d->len);
        node_rearm(n, wg_device_next_wake(n->dev));
    }
    dgram_put(b, d);
}

static void client_send_event(void *arg)
{
    node *n = arg;
    hub_bench *b = n->b;
    wg_device_send_inner(n->dev, b->engine->now, n->inner, sizeof n->inner);
    b->sent_by_clients++;
    node_rearm(n, wg_device_next_wake(n->dev));
    sim_schedule_at(b->engine, b->engine->now + SEND_EVERY, client_send_event, n);
}

/* A well-formed 64-byte IPv4/UDP packet from src to dst. */
static void make_inner(uint8_t *h, wg_ip src, wg_ip dst)
{
    memset(h, 0, INNER_LEN);
    h[0] = 0x45;
    h[3] = INNER_LEN;
    h[6] = 0x40; /* don't fragment */
    h[8] = 64;
    h[9] = 17;
    memcpy(h + 12, src.b, 4);
    memcpy(h + 16, dst.b, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)h[i] << 8 | h[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    h[10] = (uint8_t)(~sum >> 8);
    h[11] = (uint8_t)~sum;
    uint8_t *u = h + 20; /* UDP 40000 -> 7 (echo), no checksum */
    u[0] = 0x9c;
    u[1] = 0x40;
    u[3] = 7;
    u[5] = INNER_LEN - 20;
}

static wg_device *node_device(node *n, const uint8_t priv[WG_KEY_LEN], bool hub)
{
    wg_device_config cfg = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    memcpy(cfg.private_key, priv, WG_KEY_LEN);
    wg_host_ops host = {.ctx = n, .send = host_send, .deliver = hub ? hub_deliver : client_deliver,
                        .random_bytes = host_random, .wall_ns = host_wall};
    return wg_device_new(&cfg, &host);
}

/* In-use heap bytes (see the header: glibc's arenas, or ASan's count). */
static int64_t heap_in_use(void)
{
#ifdef HUB_HEAP_SANITIZER
    return (int64_t)__sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return (int64_t)(mi.uordblks + mi.hblkhd);
#endif
}

static void hub_bench_free(hub_bench *b)
{
    if (!b)
        return;
    wg_device_free(b->hub.dev);
    for (size_t i = 0; i < b->n_clients; i++)
        wg_device_free(b->clients[i].dev);
    free(b->clients);
    for (size_t k = 0; k < b->n_chunks; k++)
        free(b->chunks[k]);
    free(b->chunks);
    sim_engine_destroy(b->engine);
    free(b);
}

/* Builds the clients first, then the hub (so the hub's configured size
 * can be measured while nothing else allocates). *configured_bytes: heap
 * taken by wg_device_new + P wg_device_add_peer. */
static hub_bench *hub_bench_new(size_t peers, int64_t *configured_bytes)
{
    hub_bench *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->engine = sim_engine_native_new();
    b->clients = calloc(peers, sizeof *b->clients);
    if (!b->engine || !b->clients) {
        hub_bench_free(b);
        return NULL;
    }
    sim_rng keys;
    sim_rng_init(&keys, 1, "bench-hub-keys");
    uint8_t hub_priv[WG_KEY_LEN], hub_pub[WG_KEY_LEN];
    sim_rng_bytes(&keys, hub_priv, WG_KEY_LEN);
    wg_key_clamp(hub_priv);
    wg_x25519_public(hub_pub, hub_priv);

    uint8_t (*client_pub)[WG_KEY_LEN] = malloc(peers * WG_KEY_LEN);
    if (!client_pub) {
        hub_bench_free(b);
        return NULL;
    }
    const wg_prefix hub_side = {.ip = wg_ip4(10, 100, 0, 0), .len = 16};
    for (size_t i = 0; i < peers; i++) {
        node *n = &b->clients[i];
        *n = (node){.b = b, .client = (int)i, .ep = client_endpoint(i), .timer_at = WG_TIME_NEVER};
        char name[48]; /* "bench-hub-client-" + up to 20 digits */
        snprintf(name, sizeof name, "bench-hub-client-%zu", i);
        sim_rng_init(&n->rng, 1, name);
        uint8_t priv[WG_KEY_LEN];
        sim_rng_bytes(&keys, priv, WG_KEY_LEN);
        wg_key_clamp(priv);
        wg_x25519_public(client_pub[i], priv);
        n->dev = node_device(n, priv, false);
        b->n_clients = i + 1;
        wg_peer_config pc = {.has_endpoint = true, .endpoint = hub_endpoint, .allowed_ips = &hub_side,
                             .n_allowed_ips = 1};
        memcpy(pc.public_key, hub_pub, WG_KEY_LEN);
        if (!n->dev || wg_device_add_peer(n->dev, &pc, 0) < 0) {
            free(client_pub);
            hub_bench_free(b);
            return NULL;
        }
        make_inner(n->inner, client_tunnel_ip(i), wg_ip4(10, 100, 0, 1));
    }

    node *h = &b->hub;
    *h = (node){.b = b, .client = -1, .ep = hub_endpoint, .timer_at = WG_TIME_NEVER};
    sim_rng_init(&h->rng, 1, "bench-hub");
    int64_t before = heap_in_use();
    h->dev = node_device(h, hub_priv, true);
    bool ok = h->dev != NULL;
    for (size_t i = 0; ok && i < peers; i++) {
        /* a road-warrior peer: no endpoint until it makes contact */
        wg_prefix allowed = {.ip = client_tunnel_ip(i), .len = 32};
        wg_peer_config pc = {.allowed_ips = &allowed, .n_allowed_ips = 1};
        memcpy(pc.public_key, client_pub[i], WG_KEY_LEN);
        ok = wg_device_add_peer(h->dev, &pc, 0) >= 0;
    }
    *configured_bytes = heap_in_use() - before;
    free(client_pub);
    if (!ok) {
        hub_bench_free(b);
        return NULL;
    }
    node_rearm(h, wg_device_next_wake(h->dev));
    return b;
}

/* ---- the crypto lower bound, raw ------------------------------------------ */

/* The handshake messages: bench/raw_handshake.c; the transport here. */
typedef struct raw_state {
    uint8_t priv[32], pub[32], out[32], key[32], ad[32];
    uint8_t buf[256], ct[256];
    uint8_t sealed[DGRAM_MAX][DGRAM_MAX]; /* transport, by plaintext length */
    bench_raw_hs hs;
} raw_state;

static const uint8_t zero_nonce[12];

/* Seconds for the raw operations of ops, handshake messages and transport
 * messages apart; false if a decryption failed. */
static bool raw_lower_bound(raw_state *r, const hub_ops *o, double *hs_seconds, double *transport_seconds)
{
    bool ok = true;
    uint64_t counter = 0;
    int64_t t0 = bench_clock_ns();
    for (uint64_t k = 0; k < o->init_made; k++)
        ok &= bench_raw_hs_message(&r->hs, false, true, NULL);
    for (uint64_t k = 0; k < o->init_taken; k++)
        ok &= bench_raw_hs_message(&r->hs, false, false, NULL);
    for (uint64_t k = 0; k < o->resp_made; k++)
        ok &= bench_raw_hs_message(&r->hs, true, true, NULL);
    for (uint64_t k = 0; k < o->resp_taken; k++)
        ok &= bench_raw_hs_message(&r->hs, true, false, NULL);
    int64_t t1 = bench_clock_ns();
    for (size_t len = 0; len + WG_KEEPALIVE_LEN < DGRAM_MAX; len++) {
        unsigned long long n;
        for (uint64_t k = 0; k < o->enc_by_len[len]; k++) {
            uint8_t nonce[12] = {0};
            memcpy(nonce + 4, &counter, 8);
            counter++;
            crypto_aead_chacha20poly1305_ietf_encrypt(r->ct, &n, r->buf, len, NULL, 0, NULL, nonce, r->key);
        }
        for (uint64_t k = 0; k < o->dec_by_len[len]; k++)
            ok &= crypto_aead_chacha20poly1305_ietf_decrypt(r->ct, &n, NULL, r->sealed[len], len + 16, NULL, 0,
                                                            zero_nonce, r->key) == 0;
    }
    *hs_seconds = (double)(t1 - t0) / 1e9;
    *transport_seconds = (double)(bench_clock_ns() - t1) / 1e9;
    return ok;
}

static raw_state *raw_new(void)
{
    raw_state *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0x5a, sizeof *r);
    wg_key_clamp(r->priv);
    crypto_scalarmult_curve25519_base(r->pub, r->priv);
    bench_raw_hs_init(&r->hs);
    unsigned long long n;
    for (size_t len = 0; len + 16 <= DGRAM_MAX; len++)
        crypto_aead_chacha20poly1305_ietf_encrypt(r->sealed[len], &n, r->buf, len, NULL, 0, NULL, zero_nonce,
                                                  r->key);
    return r;
}

/* ---- the benchmark ------------------------------------------------------- */

int bench_hub(const bench_options *o, bench_result r[BENCH_HUB_RESULTS])
{
    const size_t peers = o->quick ? QUICK_PEERS : HUB_PEERS;
    const int minutes = o->quick ? QUICK_MINUTES : o->full ? HUB_MINUTES_FULL : HUB_MINUTES;
    const int64_t until = (int64_t)minutes * 60 * SIM_S;
    int64_t wall0 = bench_clock_ns();

    int64_t configured = 0;
    hub_bench *b = hub_bench_new(peers, &configured);
    if (!b) {
        fprintf(stderr, "wgsim bench hub: cannot set up a hub with %zu peers (out of memory?)\n", peers);
        return 2;
    }
    sim_rng start;
    sim_rng_init(&start, 1, "bench-hub-start");
    for (size_t i = 0; i < peers; i++)
        sim_schedule_at(b->engine, (int64_t)sim_rng_below(&start, (uint64_t)SEND_EVERY), client_send_event,
                        &b->clients[i]);
    double setup_s = (double)(bench_clock_ns() - wall0) / 1e9;

    int64_t run0 = bench_clock_ns();
    sim_run_until(b->engine, until);
    double run_s = (double)(bench_clock_ns() - run0) / 1e9;

    /* what happened: every peer rotated its keys, nothing was dropped */
    uint64_t handshakes = 0, min_hs = UINT64_MAX, max_hs = 0;
    for (size_t i = 0; i < peers; i++) {
        wg_peer_info info;
        if (!wg_device_peer_info(b->hub.dev, (int)i, &info))
            continue;
        handshakes += info.handshakes;
        if (info.handshakes < min_hs)
            min_hs = info.handshakes;
        if (info.handshakes > max_hs)
            max_hs = info.handshakes;
    }
    uint64_t drops = 0;
    for (int k = 1; k < WG_DROP__COUNT; k++)
        drops += wg_device_drop_count(b->hub.dev, (wg_drop_reason)k);
    const hub_ops ops = b->ops;
    uint64_t echoes = b->echoes_received, sent = b->sent_by_clients, calls = b->hub_calls;
    double ours_s = (double)b->hub_ns / 1e9;
    double ours_by[HUB_CALL_KINDS];
    uint64_t calls_by[HUB_CALL_KINDS];
    for (int k = 0; k < HUB_CALL_KINDS; k++) {
        ours_by[k] = (double)b->hub_ns_by[k] / 1e9;
        calls_by[k] = b->hub_calls_by[k];
    }
    if (b->failed || b->oversized || handshakes < peers) {
        fprintf(stderr,
                "wgsim bench hub: the run went wrong (out of memory: %s, oversized datagrams %" PRIu64
                ", %" PRIu64 " handshakes for %zu peers)\n",
                b->failed ? "yes" : "no", b->oversized, handshakes, peers);
        hub_bench_free(b);
        return 2;
    }

    /* memory: what freeing the hub gives back, before anything else goes */
    int64_t m_before = heap_in_use();
    wg_device_free(b->hub.dev);
    b->hub.dev = NULL;
    int64_t held = m_before - heap_in_use();
    hub_bench_free(b);

    raw_state *raw = raw_new();
    double base_hs = 0, base_tr = 0;
    if (!raw || !raw_lower_bound(raw, &ops, &base_hs, &base_tr)) {
        fprintf(stderr, "wgsim bench hub: the raw lower bound did not run (out of memory or a failed decryption)\n");
        free(raw);
        return 2;
    }
    free(raw);
    double base_s = base_hs + base_tr;

    double per_peer = (double)held / (double)peers;
    r[0] = (bench_result){.bench = "hub", .ours = ours_s, .baseline = base_s, .unit = "s",
                          .ratio = ours_s / base_s, .target = "<= 1.3"};
    r[1] = (bench_result){.bench = "hub-memory", .ours = per_peer, .baseline = MEMORY_BUDGET, .unit = "bytes/peer",
                          .ratio = per_peer / MEMORY_BUDGET, .target = "<= 1"};
    if (o->table) {
        uint64_t enc0 = ops.enc_by_len[0], dec0 = ops.dec_by_len[0];
        fprintf(o->table,
                "hub: %zu peers, %d simulated minutes%s; each peer sends %d bytes every %d s, the hub echoes\n"
                "  run %.1f s wall (setup %.1f s); %" PRIu64 " calls into the hub\n"
                "  hub handshakes %" PRIu64 " (per peer %" PRIu64 "..%" PRIu64 "): initiations consumed %" PRIu64
                ", responses made %" PRIu64 ", initiations made %" PRIu64 ", responses consumed %" PRIu64 "\n"
                "  transport: %" PRIu64 " received (%" PRIu64 " keepalives), %" PRIu64 " sent (%" PRIu64
                " keepalives); echoes back at clients %" PRIu64 " of %" PRIu64 " sent\n"
                "  hub drops %" PRIu64 ", cookie replies %" PRIu64 "\n"
                "  CPU inside the hub's wgnode calls             %9.3f s  (%.3f ms per peer per simulated hour)\n"
                "    handshake messages received  %8" PRIu64 " calls %9.3f s   raw: %9.3f s  (x%.2f)\n"
                "    transport messages received  %8" PRIu64 " calls %9.3f s   raw: %9.3f s  (x%.2f, echoes included)\n"
                "    timers (wg_device_tick)      %8" PRIu64 " calls %9.3f s\n"
                "  the same X25519/AEAD/HMAC/BLAKE2s calls, raw  %9.3f s\n"
                "  heap held by the hub: %" PRId64 " bytes at the end = %.0f bytes/peer (%s);\n"
                "  configured, before any handshake: %.0f bytes/peer\n",
                peers, minutes, o->full || o->quick ? "" : " (the target's hour scaled down; --full runs it)",
                INNER_LEN, (int)(SEND_EVERY / SIM_S), run_s, setup_s, calls, handshakes, min_hs, max_hs,
                ops.init_taken, ops.resp_made, ops.init_made, ops.resp_taken, ops.transport_in, dec0,
                ops.transport_out, enc0, echoes, sent, drops, ops.cookies, ours_s,
                ours_s * 1e3 / (double)peers * 60.0 / minutes, calls_by[CALL_HANDSHAKE], ours_by[CALL_HANDSHAKE],
                base_hs, ours_by[CALL_HANDSHAKE] / base_hs, calls_by[CALL_TRANSPORT], ours_by[CALL_TRANSPORT], base_tr,
                ours_by[CALL_TRANSPORT] / base_tr, calls_by[CALL_TIMER], ours_by[CALL_TIMER], base_s, held, per_peer,
#ifdef HUB_HEAP_SANITIZER
                "ASan's allocated-bytes count"
#else
                "glibc mallinfo2, chunk headers included"
#endif
                ,
                (double)configured / (double)peers);
    }
    return 0;
}
