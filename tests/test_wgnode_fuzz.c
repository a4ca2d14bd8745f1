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
#include "wgnode/device.h"   /* a live keypair, to seal a payload that is not IP */
#include "wgnode/messages.h"

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

/* Each kind of bad datagram, one by one, must land under its own reason
 * (and only there): the random runs above only check that some reason
 * counted it. */
static wg_pair Q;

static void expect_drop(const uint8_t *data, size_t len, wg_drop_reason want, const char *what)
{
    wg_source lb = {.addr = Q.ep_b.ip, .ifindex = 1};
    uint64_t before = total_drops(Q.b), before_want = wg_device_drop_count(Q.b, want);
    size_t delivered = Q.hb.n_delivered, sent = Q.hb.n_sent;
    wg_device_receive(Q.b, Q.now, &lb, &Q.ep_a, data, len);
    ck_assert_msg(wg_device_drop_count(Q.b, want) == before_want + 1 && total_drops(Q.b) == before + 1,
                  "%s (len %zu): not counted once as %s", what, len, wg_drop_reason_name(want));
    ck_assert_uint_eq(Q.hb.n_delivered, delivered);
    ck_assert_uint_eq(Q.hb.n_sent, sent); /* nothing answered (not under load) */
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

START_TEST(test_each_malformed_kind_counted_by_reason)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true};
    pair_init(&Q, &o);
    ck_assert_int_eq(pair_send_ab(&Q, 10), WG_DROP_NONE);
    ck_assert_uint_eq(Q.hb.n_delivered, 1);
    const fh_sent *t = fh_last_sent(&Q.ha, WG_MSG_TRANSPORT);
    uint32_t live = (uint32_t)t->data[4] | ((uint32_t)t->data[5] << 8) | ((uint32_t)t->data[6] << 16) |
                    ((uint32_t)t->data[7] << 24); /* b's receiver index of the session */
    uint32_t dead = live ^ 0x5a5a5a5au;
    wg_pubkey pkb;
    wg_pubkey_init(&pkb, Q.pub_b);
    uint8_t m[2048];

    /* Too short for a header, NULL included. */
    expect_drop(NULL, 0, WG_DROP_TOO_SHORT, "NULL");
    memset(m, 4, sizeof m);
    for (size_t len = 0; len < 4; len++)
        expect_drop(m, len, WG_DROP_TOO_SHORT, "short");
    /* Type words that are not 1..4 (the three reserved bytes must be zero). */
    const uint32_t types[] = {0, 5, 255, 0x100 | 1, 0x10000 | 2, 0x1000000 | 4, 0xffffffffu};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        memset(m, 0, sizeof m);
        le32(m, types[i]);
        expect_drop(m, WG_INITIATION_LEN, WG_DROP_BAD_TYPE, "type");
        expect_drop(m, 4, WG_DROP_BAD_TYPE, "type, header only");
    }
    /* Right type, wrong size. */
    const struct { uint32_t type; size_t len; } sizes[] = {
        {1, 4}, {1, WG_INITIATION_LEN - 1}, {1, WG_INITIATION_LEN + 1}, {1, 2000},
        {2, 4}, {2, WG_RESPONSE_LEN - 1}, {2, WG_RESPONSE_LEN + 1}, {2, WG_INITIATION_LEN},
        {3, 4}, {3, WG_COOKIE_REPLY_LEN - 1}, {3, WG_COOKIE_REPLY_LEN + 1}, {3, WG_RESPONSE_LEN},
        {4, 4}, {4, WG_TRANSPORT_HEADER_LEN}, {4, WG_KEEPALIVE_LEN - 1},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(m, 0xa5, sizeof m);
        le32(m, sizes[i].type);
        expect_drop(m, sizes[i].len, WG_DROP_BAD_SIZE, "size");
    }
    /* Handshake messages with a wrong mac1. */
    memset(m, 0x3c, sizeof m);
    le32(m, 1);
    expect_drop(m, WG_INITIATION_LEN, WG_DROP_BAD_MAC1, "initiation mac1");
    le32(m, 2);
    expect_drop(m, WG_RESPONSE_LEN, WG_DROP_BAD_MAC1, "response mac1");
    /* Right mac1, garbage inside: authentication fails. */
    le32(m, 1);
    wg_mac1_compute(m + WG_INIT_OFF_MAC1, pkb.mac1_key, m, WG_INITIATION_LEN);
    expect_drop(m, WG_INITIATION_LEN, WG_DROP_HANDSHAKE_DECRYPT, "initiation garbage");
    /* A response to no initiation of b's (right mac1). */
    le32(m, 2);
    le32(m + WG_RESP_OFF_RECEIVER, dead);
    wg_mac1_compute(m + WG_RESP_OFF_MAC1, pkb.mac1_key, m, WG_RESPONSE_LEN);
    expect_drop(m, WG_RESPONSE_LEN, WG_DROP_UNKNOWN_INDEX, "response index");
    /* Cookie replies: unknown index, then a live one with a bad seal. */
    le32(m, 3);
    le32(m + WG_COOKIE_OFF_RECEIVER, dead);
    expect_drop(m, WG_COOKIE_REPLY_LEN, WG_DROP_UNKNOWN_INDEX, "cookie index");
    le32(m + WG_COOKIE_OFF_RECEIVER, live);
    expect_drop(m, WG_COOKIE_REPLY_LEN, WG_DROP_BAD_COOKIE_REPLY, "cookie seal");
    /* Transport: unknown index; live index with a bad tag, at every size. */
    le32(m, 4);
    le32(m + WG_DATA_OFF_RECEIVER, dead);
    expect_drop(m, WG_KEEPALIVE_LEN, WG_DROP_UNKNOWN_INDEX, "transport index");
    le32(m + WG_DATA_OFF_RECEIVER, live);
    for (size_t len = WG_KEEPALIVE_LEN; len < 200; len += 7)
        expect_drop(m, len, WG_DROP_DECRYPT, "transport tag");
    expect_drop(m, sizeof m, WG_DROP_DECRYPT, "transport tag, large");
    /* Authentic transport whose payload is not an IP packet. */
    wg_keypair *kp = Q.a->peers[Q.a_peer]->keypairs.current;
    ck_assert_ptr_nonnull(kp);
    const size_t plen = 16;
    memset(m, 0, sizeof m);
    le32(m, 4);
    le32(m + WG_DATA_OFF_RECEIVER, kp->remote_index);
    uint64_t ctr = kp->send_counter + 100;
    for (int i = 0; i < 8; i++)
        m[WG_DATA_OFF_COUNTER + i] = (uint8_t)(ctr >> (8 * i));
    memset(m + WG_DATA_OFF_PAYLOAD, 0x77, plen); /* version nibble 7 */
    wg_aead_encrypt(m + WG_DATA_OFF_PAYLOAD, m + WG_DATA_OFF_PAYLOAD, plen, NULL, 0, ctr, kp->send_key);
    expect_drop(m, WG_DATA_OFF_PAYLOAD + plen + WG_AEAD_TAG_LEN, WG_DROP_BAD_INNER, "not IP inside");
    /* The same again is a replay. */
    expect_drop(m, WG_DATA_OFF_PAYLOAD + plen + WG_AEAD_TAG_LEN, WG_DROP_REPLAY, "replay");
    /* Anything at all while the interface is down. */
    wg_device_down(Q.b, Q.now);
    expect_drop(m, WG_KEEPALIVE_LEN, WG_DROP_DEVICE_DOWN, "down");

    /* The index of a handshake in progress (a's initiation, lost) names no
     * session: transport to it is an unknown index; a cookie reply or a
     * response may use it but must authenticate. */
    wg_device_up(Q.b, Q.now);
    wg_device_down(Q.a, Q.now);
    wg_device_up(Q.a, Q.now);
    Q.cut_ab = true;
    Q.now += SEC(1);
    ck_assert_int_eq(pair_send_ab(&Q, 10), WG_DROP_NONE);
    const fh_sent *init = fh_last_sent(&Q.ha, WG_MSG_INITIATION);
    ck_assert_ptr_nonnull(init);
    ck_assert_int_eq(init->now, Q.now);
    uint32_t hs_idx = (uint32_t)init->data[4] | ((uint32_t)init->data[5] << 8) | ((uint32_t)init->data[6] << 16) |
                      ((uint32_t)init->data[7] << 24);
    wg_pubkey pka;
    wg_pubkey_init(&pka, Q.pub_a);
    wg_source la = {.addr = Q.ep_a.ip, .ifindex = 1};
    struct { uint32_t type; size_t len; wg_drop_reason want; } at_a[] = {
        {4, 64, WG_DROP_UNKNOWN_INDEX},
        {3, WG_COOKIE_REPLY_LEN, WG_DROP_BAD_COOKIE_REPLY},
        {2, WG_RESPONSE_LEN, WG_DROP_HANDSHAKE_DECRYPT},
    };
    for (size_t i = 0; i < sizeof at_a / sizeof at_a[0]; i++) {
        memset(m, 0x42, sizeof m);
        le32(m, at_a[i].type);
        le32(m + 4, hs_idx); /* transport and cookie reply: the receiver field */
        if (at_a[i].type == 2) {
            le32(m + WG_RESP_OFF_RECEIVER, hs_idx);
            wg_mac1_compute(m + WG_RESP_OFF_MAC1, pka.mac1_key, m, WG_RESPONSE_LEN);
        }
        uint64_t before = total_drops(Q.a), before_want = wg_device_drop_count(Q.a, at_a[i].want);
        wg_device_receive(Q.a, Q.now, &la, &Q.ep_b, m, at_a[i].len);
        ck_assert_msg(wg_device_drop_count(Q.a, at_a[i].want) == before_want + 1 && total_drops(Q.a) == before + 1,
                      "type %u to a handshake index: not counted once as %s", (unsigned)at_a[i].type,
                      wg_drop_reason_name(at_a[i].want));
    }
    ck_assert_uint_eq(Q.ha.n_delivered, 0);
    pair_free(&Q);
}
END_TEST

START_TEST(test_fuzz_hostile_datagrams) { fuzz(false, 40000); }
END_TEST

START_TEST(test_fuzz_hostile_datagrams_under_load) { fuzz(true, 20000); }
END_TEST

int main(void)
{
    Suite *s = suite_create("wgnode_fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_each_malformed_kind_counted_by_reason);
    tcase_add_test(tc, test_fuzz_hostile_datagrams);
    tcase_add_test(tc, test_fuzz_hostile_datagrams_under_load);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
