/*
 * bench_wg.c — WireGuard benchmarks against their raw primitives
 * (issue 4; docs/performance.md): `wgsim bench handshake` and
 * `wgsim bench transport`.
 *
 * "Ours" drives two complete wg_devices (the public wgnode.h API, exactly
 * as the simulator and `wgsim peer` do) whose host callbacks hand
 * datagrams to each other through an in-memory queue. "Baseline" makes
 * the same cryptographic calls straight to libsodium and libb2, with
 * nothing around them, in the same process run.
 *
 * handshake: one iteration advances the clock past REKEY_AFTER_TIME and
 * sends one small packet from A, so A (the initiator of the current
 * session) starts a new handshake; the iteration ends when both sides hold
 * the new session (initiation created + consumed, response created +
 * consumed, the confirming packet). Result: microseconds per handshake.
 * The baseline is the primitive work of one handshake, counted from the
 * protocol (whitepaper §5.4; DH(static, static) is precomputed per peer,
 * as Linux and wgnode do):
 *   X25519       2 public keys from ephemeral secrets (scalarmult_base)
 *                6 DH (es and its mirror, ee and se on both sides)
 *   AEAD         ChaCha20-Poly1305 with the 32-byte hash as AD: encrypt
 *                static (32 B), timestamp (12 B), empty; the 3 decryptions
 *   HMAC-BLAKE2s 42 (KDF1/2/3 steps of both sides and the two session
 *                derivations), each timed as its two BLAKE2s calls
 *                (inner 64 + n bytes, outer 64 + 32 bytes)
 *   BLAKE2s      14 MixHash calls, 4 keyed BLAKE2s-128 (mac1 made and
 *                checked for both messages)
 * Ratio = ours / baseline; target <= 1.3.
 *
 * transport: A encrypts 1420-byte inner IPv4 packets, B decrypts, checks
 * and delivers them; MB/s of inner bytes. Baseline: ChaCha20-Poly1305
 * encrypt + decrypt of 1420 bytes with libsodium. Ratio = ours /
 * baseline; target >= 0.8.
 *
 * Both report the best of SEGMENTS timed segments (the machine is shared).
 */
#include "bench/bench.h"

#include <blake2.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "wgnode/wgnode.h"

#define SEGMENTS 3
#define PAIR_QUEUE 16
#define DGRAM_MAX 2048

/* ---- two devices wired back to back ------------------------------------ */

typedef struct dgram {
    int to;
    size_t len;
    uint8_t data[DGRAM_MAX];
} dgram;

typedef struct pair pair;
typedef struct side {
    pair *p;
    int self;
} side;

struct pair {
    wg_device *dev[2];
    int peer_id[2]; /* on dev[i], the id of the other device */
    side sides[2];
    wg_endpoint ep[2];
    sim_rng rng;
    int64_t now;
    dgram q[PAIR_QUEUE];
    size_t q_head, q_len;
    uint64_t delivered, delivered_bytes;
    bool overflow;
};

static wg_send_result pair_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                                size_t len, const wg_send_meta *meta)
{
    (void)src;
    (void)dst;
    (void)meta;
    side *s = ctx;
    pair *p = s->p;
    if (p->q_len >= PAIR_QUEUE - 1 || len > DGRAM_MAX) {
        p->overflow = true;
        return WG_SEND_UNREACHABLE;
    }
    dgram *d = &p->q[(p->q_head + p->q_len++) % PAIR_QUEUE];
    d->to = 1 - s->self;
    d->len = len;
    memcpy(d->data, data, len);
    return WG_SEND_OK;
}

static void pair_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    (void)peer_id;
    (void)packet;
    side *s = ctx;
    s->p->delivered++;
    s->p->delivered_bytes += len;
}

static void pair_random(void *ctx, uint8_t *buf, size_t len)
{
    side *s = ctx;
    sim_rng_bytes(&s->p->rng, buf, len);
}

static int64_t pair_wall(void *ctx, int64_t now)
{
    (void)ctx;
    return INT64_C(1700000000) * WG_NS_PER_SEC + now;
}

/* Hands every queued datagram to its device (which may queue replies). */
static void pair_flush(pair *p)
{
    while (p->q_len) {
        dgram *d = &p->q[p->q_head];
        p->q_head = (p->q_head + 1) % PAIR_QUEUE;
        p->q_len--;
        wg_source local = {.addr = p->ep[d->to].ip, .ifindex = 0};
        /* d stays valid while its device replies: pair_send never fills
         * the slot just popped (it keeps one slot free). */
        wg_device_receive(p->dev[d->to], p->now, &local, &p->ep[1 - d->to], d->data, d->len);
    }
}

static void pair_free(pair *p)
{
    for (int i = 0; i < 2; i++)
        wg_device_free(p->dev[i]);
    free(p);
}

static pair *pair_new(void)
{
    pair *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    sim_rng_init(&p->rng, 1, "bench-wg");
    uint8_t priv[2][WG_KEY_LEN], pub[2][WG_KEY_LEN];
    for (int i = 0; i < 2; i++) {
        sim_rng_bytes(&p->rng, priv[i], WG_KEY_LEN);
        wg_key_clamp(priv[i]);
        wg_x25519_public(pub[i], priv[i]);
        p->ep[i] = (wg_endpoint){.ip = wg_ip4(192, 0, 2, (uint8_t)(1 + i)), .port = 51820};
        p->sides[i] = (side){p, i};
    }
    for (int i = 0; i < 2; i++) {
        wg_device_config cfg = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
        memcpy(cfg.private_key, priv[i], WG_KEY_LEN);
        wg_host_ops host = {.ctx = &p->sides[i], .send = pair_send, .deliver = pair_deliver,
                            .random_bytes = pair_random, .wall_ns = pair_wall};
        p->dev[i] = wg_device_new(&cfg, &host);
        if (!p->dev[i]) {
            pair_free(p);
            return NULL;
        }
        wg_device_up(p->dev[i], 0);
    }
    for (int i = 0; i < 2; i++) {
        int o = 1 - i;
        wg_prefix allowed = {.ip = wg_ip4(10, 0, 0, (uint8_t)(1 + o)), .len = 32};
        wg_peer_config pc = {.has_endpoint = true, .endpoint = p->ep[o], .allowed_ips = &allowed,
                             .n_allowed_ips = 1};
        memcpy(pc.public_key, pub[o], WG_KEY_LEN);
        p->peer_id[i] = wg_device_add_peer(p->dev[i], &pc, 0);
        if (p->peer_id[i] < 0) {
            pair_free(p);
            return NULL;
        }
    }
    return p;
}

static uint64_t pair_handshakes(const pair *p)
{
    wg_peer_info info;
    if (!wg_device_peer_info(p->dev[0], p->peer_id[0], &info))
        return 0;
    return info.handshakes;
}

/* A well-formed IPv4/UDP packet of len bytes from 10.0.0.1 to 10.0.0.2. */
static void make_inner(uint8_t *pkt, size_t len)
{
    memset(pkt, 0xab, len);
    uint8_t *h = pkt;
    h[0] = 0x45;
    h[1] = 0;
    h[2] = (uint8_t)(len >> 8);
    h[3] = (uint8_t)len;
    h[4] = h[5] = 0;
    h[6] = 0x40; /* don't fragment */
    h[7] = 0;
    h[8] = 64;
    h[9] = 17;
    h[10] = h[11] = 0;
    const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    memcpy(h + 12, src, 4);
    memcpy(h + 16, dst, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)h[i] << 8 | h[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    h[10] = (uint8_t)(~sum >> 8);
    h[11] = (uint8_t)~sum;
    uint8_t *u = pkt + 20; /* UDP 40000 -> 9, no checksum */
    u[0] = 0x9c;
    u[1] = 0x40;
    u[2] = 0;
    u[3] = 9;
    u[4] = (uint8_t)((len - 20) >> 8);
    u[5] = (uint8_t)(len - 20);
    u[6] = u[7] = 0;
}

static double seconds_since(int64_t t0) { return (double)(bench_clock_ns() - t0) / 1e9; }

/* ---- handshake ----------------------------------------------------------- */

/* One handshake through the devices; false if it did not complete. */
static bool one_handshake(pair *p, const uint8_t *pkt, size_t len)
{
    uint64_t before = pair_handshakes(p);
    p->now += WG_REKEY_AFTER_TIME + WG_NS_PER_SEC;
    if (wg_device_send_inner(p->dev[0], p->now, pkt, len) != WG_DROP_NONE)
        return false;
    pair_flush(p);
    return pair_handshakes(p) == before + 1 && !p->overflow;
}

/* The raw primitive work of one handshake (see the header comment). */
typedef struct raw_hs {
    uint8_t e_priv[2][32], s_pub[2][32], out[32], hash[32], key[32];
    uint8_t ad[32]; /* stands for the handshake hash used as AD */
    uint8_t buf[256], ct[128];
    uint8_t sealed[3][64]; /* genuine ciphertexts of 32, 12 and 0 bytes */
} raw_hs;

static const uint8_t zero_nonce[12];

static void raw_hmac(raw_hs *r, size_t msglen)
{
    /* HMAC = H(K^opad || H(K^ipad || m)): two BLAKE2s over one block of key
     * pad plus the message, and one block plus the inner hash. */
    blake2s(r->out, r->buf, NULL, 32, 64 + msglen, 0);
    blake2s(r->out, r->buf, NULL, 32, 64 + 32, 0);
}

static void raw_hash(raw_hs *r, size_t len) { blake2s(r->hash, r->buf, NULL, 32, len, 0); }

static void raw_aead_enc(raw_hs *r, size_t len)
{
    unsigned long long clen;
    crypto_aead_chacha20poly1305_ietf_encrypt(r->ct, &clen, r->buf, len, r->ad, 32, NULL, zero_nonce, r->key);
}

/* Decrypts sealed[which] (plaintext length len); it authenticates, so the
 * whole decryption runs as in a real handshake. */
static bool raw_aead_dec(raw_hs *r, int which, size_t len)
{
    unsigned long long plen;
    return crypto_aead_chacha20poly1305_ietf_decrypt(r->buf + 128, &plen, NULL, r->sealed[which], len + 16,
                                                     r->ad, 32, zero_nonce, r->key) == 0;
}

static void raw_handshake_prepare(raw_hs *r)
{
    memset(r, 0x5a, sizeof *r);
    for (int i = 0; i < 2; i++) {
        r->e_priv[i][0] &= 248;
        r->e_priv[i][31] = (uint8_t)((r->e_priv[i][31] & 127) | 64);
        crypto_scalarmult_curve25519_base(r->s_pub[i], r->e_priv[i]);
    }
    static const size_t lens[3] = {32, 12, 0};
    for (int k = 0; k < 3; k++) {
        unsigned long long clen;
        crypto_aead_chacha20poly1305_ietf_encrypt(r->sealed[k], &clen, r->buf, lens[k], r->ad, 32, NULL,
                                                  zero_nonce, r->key);
    }
}

static bool raw_handshake(raw_hs *r)
{
    /* X25519: 2 ephemeral public keys, 6 DH. */
    crypto_scalarmult_curve25519_base(r->out, r->e_priv[0]);
    crypto_scalarmult_curve25519_base(r->out, r->e_priv[1]);
    bool ok = true;
    for (int k = 0; k < 6; k++)
        ok &= crypto_scalarmult_curve25519(r->out, r->e_priv[k & 1], r->s_pub[(k >> 1) & 1]) == 0;
    /* AEAD: static (32), timestamp (12), empty (0), both directions. */
    raw_aead_enc(r, 32);
    raw_aead_enc(r, 12);
    raw_aead_enc(r, 0);
    ok &= raw_aead_dec(r, 0, 32) & raw_aead_dec(r, 1, 12) & raw_aead_dec(r, 2, 0);
    /* HMAC-BLAKE2s, by message length (KDF extract / expand steps):
     * initiation made and consumed: 2 x {32,1, 32,1,33, 32,1,33};
     * response made and consumed:  2 x {32,1, 32,1, 32,1, 32,1,33,33};
     * two session derivations:      2 x {0,1,33}. */
    static const uint8_t init_kdf[] = {32, 1, 32, 1, 33, 32, 1, 33};
    static const uint8_t resp_kdf[] = {32, 1, 32, 1, 32, 1, 32, 1, 33, 33};
    static const uint8_t split_kdf[] = {0, 1, 33};
    for (int side = 0; side < 2; side++) {
        for (size_t k = 0; k < sizeof init_kdf; k++)
            raw_hmac(r, init_kdf[k]);
        for (size_t k = 0; k < sizeof resp_kdf; k++)
            raw_hmac(r, resp_kdf[k]);
        for (size_t k = 0; k < sizeof split_kdf; k++)
            raw_hmac(r, split_kdf[k]);
    }
    /* MixHash: initiation 64, 64, 80, 60 and response 64, 64, 48, each
     * on both sides. */
    static const uint8_t mix[] = {64, 64, 80, 60, 64, 64, 48};
    for (int side = 0; side < 2; side++)
        for (size_t k = 0; k < sizeof mix; k++)
            raw_hash(r, mix[k]);
    /* mac1 (keyed BLAKE2s-128 over the message up to mac1): made and
     * checked for the initiation (116 bytes) and the response (60). */
    blake2s(r->out, r->buf, r->key, 16, 116, 32);
    blake2s(r->out, r->buf, r->key, 16, 116, 32);
    blake2s(r->out, r->buf, r->key, 16, 60, 32);
    blake2s(r->out, r->buf, r->key, 16, 60, 32);
    return ok;
}

int bench_handshake(const bench_options *o, bench_result *r)
{
    const int n = o->quick ? 10 : 1000;
    pair *p = pair_new();
    if (!p) {
        fprintf(stderr, "wgsim bench handshake: cannot set up two WireGuard devices\n");
        return 2;
    }
    uint8_t pkt[64];
    make_inner(pkt, sizeof pkt);
    if (!one_handshake(p, pkt, sizeof pkt)) { /* warm-up, and a check */
        fprintf(stderr, "wgsim bench handshake: the devices did not complete a handshake\n");
        pair_free(p);
        return 2;
    }
    raw_hs *raw = malloc(sizeof *raw);
    if (!raw) {
        pair_free(p);
        return 2;
    }
    raw_handshake_prepare(raw);
    double best_ours = INFINITY, best_base = INFINITY;
    for (int seg = 0; seg < SEGMENTS; seg++) {
        int64_t t0 = bench_clock_ns();
        for (int k = 0; k < n; k++) {
            if (!one_handshake(p, pkt, sizeof pkt)) {
                fprintf(stderr, "wgsim bench handshake: handshake %d did not complete\n", k);
                free(raw);
                pair_free(p);
                return 2;
            }
        }
        double us = seconds_since(t0) * 1e6 / n;
        if (us < best_ours)
            best_ours = us;
        bool ok = true;
        t0 = bench_clock_ns();
        for (int k = 0; k < n; k++)
            ok &= raw_handshake(raw);
        us = seconds_since(t0) * 1e6 / n;
        if (!ok) {
            fprintf(stderr, "wgsim bench handshake: a raw X25519 or decryption failed\n");
            free(raw);
            pair_free(p);
            return 2;
        }
        if (us < best_base)
            best_base = us;
    }
    free(raw);
    pair_free(p);
    *r = (bench_result){.bench = "handshake", .ours = best_ours, .baseline = best_base, .unit = "us/handshake",
                        .ratio = best_ours / best_base, .target = "<= 1.3"};
    if (o->table)
        fprintf(o->table,
                "handshake: best of %d segments of %d handshakes\n"
                "  wgnode devices (initiation + response, both sides)  %9.2f us\n"
                "  raw X25519 x8, AEAD x6, HMAC-BLAKE2s x42, BLAKE2s x18 %8.2f us\n",
                SEGMENTS, n, best_ours, best_base);
    return 0;
}

/* ---- transport ----------------------------------------------------------- */

#define TRANSPORT_LEN 1420

int bench_transport(const bench_options *o, bench_result *r)
{
    const int n = o->quick ? 500 : 100000;
    pair *p = pair_new();
    if (!p) {
        fprintf(stderr, "wgsim bench transport: cannot set up two WireGuard devices\n");
        return 2;
    }
    static uint8_t pkt[TRANSPORT_LEN];
    make_inner(pkt, sizeof pkt);
    /* Establish the session (the first packet also confirms it for B). */
    if (!one_handshake(p, pkt, sizeof pkt) || p->delivered != 1) {
        fprintf(stderr, "wgsim bench transport: the devices did not establish a session\n");
        pair_free(p);
        return 2;
    }
    uint8_t *ct = malloc(TRANSPORT_LEN + crypto_aead_chacha20poly1305_ietf_ABYTES);
    uint8_t *pt = malloc(TRANSPORT_LEN);
    if (!ct || !pt) {
        free(ct);
        free(pt);
        pair_free(p);
        return 2;
    }
    uint8_t key[32];
    memset(key, 0x42, sizeof key);
    double best_ours = 0, best_base = 0;
    uint64_t counter = 0;
    for (int seg = 0; seg < SEGMENTS; seg++) {
        uint64_t before = p->delivered;
        int64_t t0 = bench_clock_ns();
        for (int k = 0; k < n; k++) {
            wg_device_send_inner(p->dev[0], p->now, pkt, sizeof pkt);
            pair_flush(p);
        }
        double s = seconds_since(t0);
        if (p->delivered - before != (uint64_t)n || p->overflow) {
            fprintf(stderr, "wgsim bench transport: %llu of %d packets arrived\n",
                    (unsigned long long)(p->delivered - before), n);
            free(ct);
            free(pt);
            pair_free(p);
            return 2;
        }
        double mbs = (double)n * TRANSPORT_LEN / s / 1e6;
        if (mbs > best_ours)
            best_ours = mbs;

        bool ok = true;
        t0 = bench_clock_ns();
        for (int k = 0; k < n; k++) {
            uint8_t nonce[12] = {0};
            for (int b = 0; b < 8; b++)
                nonce[4 + b] = (uint8_t)(counter >> (8 * b));
            counter++;
            unsigned long long clen, plen;
            crypto_aead_chacha20poly1305_ietf_encrypt(ct, &clen, pkt, TRANSPORT_LEN, NULL, 0, NULL, nonce, key);
            ok &= crypto_aead_chacha20poly1305_ietf_decrypt(pt, &plen, NULL, ct, clen, NULL, 0, nonce, key) == 0;
        }
        s = seconds_since(t0);
        if (!ok) {
            fprintf(stderr, "wgsim bench transport: raw decryption failed\n");
            free(ct);
            free(pt);
            pair_free(p);
            return 2;
        }
        mbs = (double)n * TRANSPORT_LEN / s / 1e6;
        if (mbs > best_base)
            best_base = mbs;
    }
    free(ct);
    free(pt);
    pair_free(p);
    *r = (bench_result){.bench = "transport", .ours = best_ours, .baseline = best_base, .unit = "MB/s",
                        .ratio = best_ours / best_base, .target = ">= 0.8"};
    if (o->table)
        fprintf(o->table,
                "transport: %d-byte inner packets, encrypt + decrypt, best of %d segments of %d packets\n"
                "  wgnode devices (send_inner -> receive -> deliver)  %9.1f MB/s\n"
                "  raw libsodium ChaCha20-Poly1305                    %9.1f MB/s\n",
                TRANSPORT_LEN, SEGMENTS, n, best_ours, best_base);
    return 0;
}
