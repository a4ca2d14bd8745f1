/*
 * peer_flood.c — a handshake flood for `wgsim peer` on loopback (issue 22;
 * tests/interop/flood.sh, docs/robustness.md "WireGuard under load").
 *
 *   peer_flood capture PRIVKEY RESPONDER_PUBKEY FILE
 *       makes one real handshake initiation from PRIVKEY to the responder
 *       (a wgnode device does it) and writes its 148 bytes to FILE: what
 *       an attacker who captured one off the wire holds. Run it before
 *       the legitimate peer's own handshake, so the copy is older than
 *       what the responder has seen (a replay, not a fresh initiation).
 *   peer_flood send HOST:PORT COUNT KIND RESPONDER_PUBKEY [FILE]
 *       sends COUNT datagrams at full speed from one socket. KIND:
 *         replay   the initiation in FILE, again and again (valid mac1);
 *         fresh    initiations of random bytes with a valid mac1 (an
 *                  unknown key);
 *         garbage  random bytes of random length, and 148-byte
 *                  "initiations" with a wrong mac1;
 *         mix      the three in turn.
 *       Counts the cookie replies that come back to its socket and prints
 *       "sent N in T s (R/s), cookie replies C".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sendmmsg */
#endif
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "wgnode/wgnode.h"

#define BATCH 64
#define POOL 256

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * WG_NS_PER_SEC + ts.tv_nsec;
}

/* ---- capture ---- */

static uint8_t captured[WG_INITIATION_LEN];
static size_t captured_len;

static wg_send_result cap_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                               size_t len, const wg_send_meta *meta)
{
    (void)ctx, (void)src, (void)dst;
    if (meta->type == WG_MSG_INITIATION && len == WG_INITIATION_LEN && !captured_len) {
        memcpy(captured, data, len);
        captured_len = len;
    }
    return WG_SEND_OK;
}
static void cap_deliver(void *ctx, int peer_id, const uint8_t *p, size_t len) { (void)ctx, (void)peer_id, (void)p, (void)len; }
static void cap_random(void *ctx, uint8_t *buf, size_t len) { (void)ctx, randombytes_buf(buf, len); }
static int64_t cap_wall(void *ctx, int64_t now)
{
    (void)ctx, (void)now;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * WG_NS_PER_SEC + ts.tv_nsec;
}

static int capture(const char *priv64, const char *pub64, const char *path)
{
    wg_device_config dc = {.platform = WG_PLATFORM_WIREGUARD_GO};
    wg_peer_config pc = {.has_endpoint = true};
    wg_prefix all;
    if (!wg_key_from_base64(dc.private_key, priv64) || !wg_key_from_base64(pc.public_key, pub64) ||
        !wg_endpoint_parse("127.0.0.1:9", &pc.endpoint) || !wg_prefix_parse("0.0.0.0/0", &all)) {
        fprintf(stderr, "peer_flood: bad key\n");
        return 2;
    }
    pc.allowed_ips = &all;
    pc.n_allowed_ips = 1;
    wg_host_ops ops = {.send = cap_send, .deliver = cap_deliver, .random_bytes = cap_random, .wall_ns = cap_wall};
    wg_device *dev = wg_device_new(&dc, &ops);
    if (!dev || wg_device_add_peer(dev, &pc, 0) < 0) {
        fprintf(stderr, "peer_flood: cannot make a device\n");
        return 2;
    }
    /* A 20-byte IPv4 header to 10.0.0.1 makes the device initiate. */
    uint8_t ip[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1};
    wg_device_send_inner(dev, 0, ip, sizeof ip);
    wg_device_free(dev);
    FILE *f = fopen(path, "wb");
    if (!captured_len || !f || fwrite(captured, 1, captured_len, f) != captured_len || fclose(f) != 0) {
        fprintf(stderr, "peer_flood: cannot write %s\n", path);
        return 2;
    }
    return 0;
}

/* ---- send ---- */

typedef struct msg {
    uint8_t b[WG_INITIATION_LEN + 52];
    size_t len;
} msg;

static void set_mac1(uint8_t *m, const uint8_t mac1_key[WG_HASH_LEN])
{
    wg_blake2s(m + WG_INITIATION_LEN - 32, WG_MAC_LEN, m, WG_INITIATION_LEN - 32, mac1_key, WG_HASH_LEN);
    memset(m + WG_INITIATION_LEN - 16, 0, 16); /* no cookie: mac2 zero */
}

static void make_pool(msg *pool, const char *kind, const uint8_t mac1_key[WG_HASH_LEN], const uint8_t *replay)
{
    for (int i = 0; i < POOL; i++) {
        msg *m = &pool[i];
        int k = !strcmp(kind, "replay") ? 0 : !strcmp(kind, "fresh") ? 1 : !strcmp(kind, "garbage") ? 2 : i % 3;
        if (k == 0) {
            memcpy(m->b, replay, WG_INITIATION_LEN);
            m->len = WG_INITIATION_LEN;
        } else if (k == 1) {
            randombytes_buf(m->b, WG_INITIATION_LEN);
            memcpy(m->b, "\001\000\000\000", 4);
            set_mac1(m->b, mac1_key);
            m->len = WG_INITIATION_LEN;
        } else {
            m->len = i % 2 ? WG_INITIATION_LEN : 1 + randombytes_uniform(sizeof m->b - 1);
            randombytes_buf(m->b, m->len);
            if (i % 2)
                memcpy(m->b, "\001\000\000\000", 4);
        }
    }
}

static unsigned count_cookies(int fd)
{
    unsigned n = 0;
    uint8_t buf[2048];
    ssize_t r;
    while ((r = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0)
        if (r == WG_COOKIE_REPLY_LEN && buf[0] == WG_MSG_COOKIE_REPLY)
            n++;
    return n;
}

static int send_flood(const char *to, const char *count_s, const char *kind, const char *pub64, const char *file)
{
    wg_endpoint dst;
    uint8_t pub[WG_KEY_LEN], replay[WG_INITIATION_LEN] = {0};
    char *end;
    unsigned long long count = strtoull(count_s, &end, 10);
    if (!wg_endpoint_parse(to, &dst) || dst.ip.family != 4 || *end || !wg_key_from_base64(pub, pub64) ||
        (strcmp(kind, "replay") && strcmp(kind, "fresh") && strcmp(kind, "garbage") && strcmp(kind, "mix"))) {
        fprintf(stderr, "peer_flood: bad arguments\n");
        return 2;
    }
    if (!strcmp(kind, "replay") || !strcmp(kind, "mix")) {
        FILE *f = file ? fopen(file, "rb") : NULL;
        if (!f || fread(replay, 1, sizeof replay, f) != sizeof replay) {
            fprintf(stderr, "peer_flood: %s needs the captured initiation\n", kind);
            return 2;
        }
        fclose(f);
    }
    uint8_t label[8 + WG_KEY_LEN], mac1_key[WG_HASH_LEN];
    memcpy(label, "mac1----", 8);
    memcpy(label + 8, pub, WG_KEY_LEN);
    wg_blake2s(mac1_key, WG_HASH_LEN, label, sizeof label, NULL, 0);
    static msg pool[POOL];
    make_pool(pool, kind, mac1_key, replay);

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(dst.port)};
    memcpy(&sa.sin_addr, dst.ip.b, 4);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("peer_flood: socket");
        return 2;
    }
    struct mmsghdr mm[BATCH];
    struct iovec iov[BATCH];
    unsigned long long sent = 0;
    unsigned cookies = 0;
    size_t next = 0;
    int64_t t0 = mono_ns();
    while (sent < count) {
        unsigned n = count - sent < BATCH ? (unsigned)(count - sent) : BATCH;
        for (unsigned i = 0; i < n; i++) {
            msg *m = &pool[(next + i) % POOL];
            iov[i] = (struct iovec){.iov_base = m->b, .iov_len = m->len};
            mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
        }
        int r = sendmmsg(fd, mm, n, 0);
        if (r < 0) {
            if (errno == ECONNREFUSED || errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
                continue; /* loopback: an ICMP port unreachable, or no buffer; keep going */
            perror("peer_flood: sendmmsg");
            return 1;
        }
        sent += (unsigned)r;
        next += (unsigned)r;
        if ((sent & 4095) < (unsigned)r)
            cookies += count_cookies(fd);
    }
    double secs = (double)(mono_ns() - t0) / 1e9;
    usleep(300000);
    cookies += count_cookies(fd);
    printf("sent %llu in %.3f s (%.0f/s), cookie replies %u\n", sent, secs, secs > 0 ? (double)sent / secs : 0.0,
           cookies);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (wg_crypto_init() != 0)
        return 2;
    if (argc == 5 && !strcmp(argv[1], "capture"))
        return capture(argv[2], argv[3], argv[4]);
    if ((argc == 6 || argc == 7) && !strcmp(argv[1], "send"))
        return send_flood(argv[2], argv[3], argv[4], argv[5], argc == 7 ? argv[6] : NULL);
    fprintf(stderr, "usage: peer_flood capture PRIV PUB FILE | send HOST:PORT COUNT KIND PUB [FILE]\n");
    return 2;
}
