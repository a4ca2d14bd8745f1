/*
 * test_wgnode_fuzz.c — hostile datagrams (issue 4): random lengths and
 * bytes, well-sized messages of every type with random content, valid
 * messages with one bit flipped, truncated or extended, random payloads
 * behind live receiver indexes, initiations with a correct mac1 but
 * garbage inside. Each must be dropped, counted under exactly one reason,
 * and deliver nothing. Run it in the sanitize build too (ASan catches any
 * out-of-bounds read).
 */
#include "fake_host.h"
#include "wgnode/cookie.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    /* xorshift64*: test input generator only */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static void rnd_bytes(uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
}

static uint64_t total_drops(const wg_device *d)
{
    uint64_t n = 0;
    for (int r = 0; r < WG_DROP__COUNT; r++)
        n += wg_device_drop_count(d, (wg_drop_reason)r);
    return n;
}

typedef struct captured {
    uint8_t data[256];
    size_t len;
    bool to_b; /* sent by a (deliver to b) */
} captured;

static void fuzz(bool under_load, int iterations)
{
    wg_pair P;
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true, .b_knows_a = true};
    pair_init(&P, &o);
    wg_device_set_under_load(P.b, under_load);
    pair_send_ab(&P, 30);
    pair_run_until(&P, SEC(6));
    pair_send_ab(&P, 30);
    pair_send_ba(&P, 30);
    pair_run_until(&P, SEC(20)); /* keepalives too */
    ck_assert_uint_ge(P.hb.n_delivered, 1);

    captured *cap = calloc(P.ha.n_sent + P.hb.n_sent, sizeof *cap);
    size_t ncap = 0;
    for (size_t i = 0; i < P.ha.n_sent; i++)
        if (P.ha.sent[i].len <= 256) {
            memcpy(cap[ncap].data, P.ha.sent[i].data, P.ha.sent[i].len);
            cap[ncap].len = P.ha.sent[i].len;
            cap[ncap++].to_b = true;
        }
    for (size_t i = 0; i < P.hb.n_sent; i++)
        if (P.hb.sent[i].len <= 256) {
            memcpy(cap[ncap].data, P.hb.sent[i].data, P.hb.sent[i].len);
            cap[ncap].len = P.hb.sent[i].len;
            cap[ncap++].to_b = false;
        }
    ck_assert_uint_ge(ncap, 4);
    uint8_t mac1_key_b[WG_HASH_LEN];
    {
        wg_pubkey pk;
        wg_pubkey_init(&pk, P.pub_b);
        memcpy(mac1_key_b, pk.mac1_key, sizeof mac1_key_b);
    }
    /* Live receiver indexes of b's sessions, from a's transport messages. */
    uint32_t live_idx = 0;
    for (size_t i = 0; i < ncap; i++)
        if (cap[i].to_b && cap[i].data[0] == 4)
            live_idx = (uint32_t)cap[i].data[4] | ((uint32_t)cap[i].data[5] << 8) |
                       ((uint32_t)cap[i].data[6] << 16) | ((uint32_t)cap[i].data[7] << 24);

    size_t da = P.ha.n_delivered, db = P.hb.n_delivered;
    wg_source la = {.addr = P.ep_a.ip, .ifindex = 1}, lb = {.addr = P.ep_b.ip, .ifindex = 1};
    uint8_t *buf = malloc(4096);
    for (int it = 0; it < iterations; it++) {
        size_t len = 0;
        bool to_b = rnd() & 1;
        int mode = (int)(rnd() % 6);
        switch (mode) {
        case 0: /* anything */
            len = (size_t)(rnd() % 300);
            if (rnd() % 16 == 0)
                len = (size_t)(rnd() % 4096);
            rnd_bytes(buf, len);
            break;
        case 1: { /* well-sized, right type, random inside */
            static const size_t sizes[] = {WG_INITIATION_LEN, WG_RESPONSE_LEN, WG_COOKIE_REPLY_LEN, 32, 48, 1500};
            int k = (int)(rnd() % 6);
            len = sizes[k];
            rnd_bytes(buf, len);
            buf[0] = (uint8_t)(k < 3 ? k + 1 : 4);
            buf[1] = buf[2] = buf[3] = 0;
            break;
        }
        case 2: { /* a valid message with one bit flipped */
            const captured *c = &cap[rnd() % ncap];
            len = c->len;
            memcpy(buf, c->data, len);
            size_t bit = (size_t)(rnd() % (len * 8));
            buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            to_b = c->to_b;
            break;
        }
        case 3: { /* truncated or extended, or replayed as is */
            const captured *c = &cap[rnd() % ncap];
            memcpy(buf, c->data, c->len);
            int how = (int)(rnd() % 3);
            if (how == 0)
                len = (size_t)(rnd() % c->len);
            else if (how == 1) {
                size_t extra = 1 + (size_t)(rnd() % 64);
                rnd_bytes(buf + c->len, extra);
                len = c->len + extra;
            } else
                len = c->len;
            to_b = c->to_b;
            break;
        }
        case 4: /* a live index, random counter and ciphertext */
            len = 32 + (size_t)(rnd() % 200);
            rnd_bytes(buf, len);
            buf[0] = 4;
            buf[1] = buf[2] = buf[3] = 0;
            buf[4] = (uint8_t)live_idx;
            buf[5] = (uint8_t)(live_idx >> 8);
            buf[6] = (uint8_t)(live_idx >> 16);
            buf[7] = (uint8_t)(live_idx >> 24);
            to_b = true;
            break;
        case 5: /* initiation with a correct mac1 and garbage inside */
            len = WG_INITIATION_LEN;
            rnd_bytes(buf, len);
            buf[0] = 1;
            buf[1] = buf[2] = buf[3] = 0;
            wg_mac1_compute(buf + 116, mac1_key_b, buf, len);
            to_b = true;
            break;
        }
        wg_device *d = to_b ? P.b : P.a;
        uint64_t before = total_drops(d);
        wg_endpoint from = to_b ? P.ep_a : P.ep_b;
        if (rnd() % 4 == 0)
            from = (wg_endpoint){.ip = wg_ip4(203, 0, 113, (uint8_t)rnd()), .port = (uint16_t)rnd()};
        wg_device_receive(d, P.now, to_b ? &lb : &la, &from, len ? buf : NULL, len);
        ck_assert_msg(total_drops(d) == before + 1, "iteration %d mode %d len %zu: %llu drops", it, mode, len,
                      (unsigned long long)(total_drops(d) - before));
        if (it % 1000 == 999)
            P.now += MS(10);
    }
    ck_assert_uint_eq(P.ha.n_delivered, da);
    ck_assert_uint_eq(P.hb.n_delivered, db);
    ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_BAD_TYPE), 0);
    ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_BAD_SIZE), 0);
    ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_BAD_MAC1), 0);
    ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_DECRYPT), 0);
    ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_UNKNOWN_INDEX), 0);
    ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_REPLAY), 0);
    if (under_load)
        ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_BAD_MAC2), 0);
    else
        ck_assert_uint_gt(wg_device_drop_count(P.b, WG_DROP_HANDSHAKE_DECRYPT), 0);

    /* The tunnel still works afterwards. */
    pair_flush(&P);
    P.now += SEC(1);
    size_t before = P.hb.n_delivered;
    pair_send_ab(&P, 30);
    pair_run_until(&P, P.now + SEC(6));
    ck_assert_uint_ge(P.hb.n_delivered, before + 1);
    free(buf);
    free(cap);
    pair_free(&P);
}

START_TEST(test_fuzz_hostile_datagrams) { fuzz(false, 40000); }
END_TEST

START_TEST(test_fuzz_hostile_datagrams_under_load) { fuzz(true, 20000); }
END_TEST

int main(void)
{
    Suite *s = suite_create("wgnode_fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_fuzz_hostile_datagrams);
    tcase_add_test(tc, test_fuzz_hostile_datagrams_under_load);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
