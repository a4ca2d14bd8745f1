/*
 * test_handshake.c — the WireGuard handshake of wgnode/noise.c and the
 * mac/cookie layer of wgnode/cookie.c between two identities, driven the way
 * a device drives them: classify, validate macs (cookie checker), open the
 * initiation, look the peer up by its static key, consume, respond, derive.
 */
#include "wgnode/cookie.h"
#include "wgnode/messages.h"
#include "wgnode/noise.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEC WG_NS_PER_SEC
#define T0 (INT64_C(1000) * SEC)                 /* host time of the first initiation */
#define WALL0 (INT64_C(1700000000) * SEC)        /* wall clock then */

/* Deterministic "random" bytes: BLAKE2s of a counter (tests must repeat). */
static void test_random(void *ctx, uint8_t *buf, size_t len)
{
    static uint32_t counter;
    (void)ctx;
    while (len) {
        uint8_t block[32], in[4];
        wg_le32_write(in, counter++);
        wg_blake2s(block, sizeof block, in, sizeof in, (const uint8_t *)"test-random", 11);
        size_t n = len < sizeof block ? len : sizeof block;
        memcpy(buf, block, n);
        buf += n;
        len -= n;
    }
}

static void key_from_label(uint8_t out[32], const char *label)
{
    wg_blake2s(out, 32, (const uint8_t *)label, strlen(label), NULL, 0);
}

/* One side of the conversation, knowing exactly one peer (the other side). */
typedef struct side {
    wg_identity id;
    wg_handshake hs;            /* the handshake with the peer */
    wg_cookie cookie;           /* cookie received from the peer */
    wg_cookie_checker checker;  /* our responder-side checker */
    wg_endpoint addr;           /* our address as the peer sees it */
} side;

static side alice, bob;

static void sides_init(const uint8_t *psk_a, const uint8_t *psk_b)
{
    uint8_t ka[32], kb[32];
    key_from_label(ka, "alice");
    key_from_label(kb, "bob");
    wg_identity_init(&alice.id, ka);
    wg_identity_init(&bob.id, kb);
    wg_handshake_init(&alice.hs, &alice.id, bob.id.pub.key, psk_a);
    wg_handshake_init(&bob.hs, &bob.id, alice.id.pub.key, psk_b);
    wg_cookie_init(&alice.cookie);
    wg_cookie_init(&bob.cookie);
    wg_cookie_checker_init(&alice.checker, &alice.id);
    wg_cookie_checker_init(&bob.checker, &bob.id);
    ck_assert(wg_endpoint_parse("192.0.2.10:51820", &alice.addr));
    ck_assert(wg_endpoint_parse("[2001:db8::20]:51821", &bob.addr));
}

static void setup(void)
{
    ck_assert_int_eq(wg_crypto_init(), 0);
    sides_init(NULL, NULL);
}

/* Initiator `s` builds an initiation to its peer at wall time `wall`. */
static void make_initiation(side *s, uint8_t msg[WG_INITIATION_LEN], uint32_t index, int64_t wall, int64_t now)
{
    uint8_t e[32], ts[12];
    test_random(NULL, e, sizeof e);
    wg_tai64n(ts, wall);
    ck_assert(wg_handshake_create_initiation(&s->hs, &s->id, e, index, ts, msg));
    wg_cookie_add_macs(&s->cookie, &s->hs.remote, msg, WG_INITIATION_LEN, now);
    ck_assert_int_eq(s->hs.state, WG_HS_CREATED_INITIATION);
}

static void make_response(side *s, uint8_t msg[WG_RESPONSE_LEN], uint32_t index, int64_t now)
{
    uint8_t e[32];
    test_random(NULL, e, sizeof e);
    ck_assert(wg_handshake_create_response(&s->hs, e, index, msg));
    wg_cookie_add_macs(&s->cookie, &s->hs.remote, msg, WG_RESPONSE_LEN, now);
}

/* The mac stage of a device (Linux receive.c wg_receive_handshake_packet):
 * not under load mac1 suffices; under load mac2 must carry our cookie. */
static wg_drop_reason check_macs(side *r, const uint8_t *msg, size_t len, const wg_endpoint *src, bool under_load,
                                 int64_t now)
{
    wg_mac_state ms = wg_cookie_validate(&r->checker, msg, len, src, under_load, now, test_random, NULL);
    if (ms == WG_MAC_INVALID)
        return WG_DROP_BAD_MAC1;
    if (under_load && ms != WG_MAC_VALID_WITH_COOKIE)
        return WG_DROP_BAD_MAC2;
    return WG_DROP_NONE;
}

/* What a device does with a datagram claiming to be an initiation. */
static wg_drop_reason recv_initiation(side *r, const uint8_t *msg, size_t len, const wg_endpoint *src,
                                      bool under_load, int64_t now)
{
    if (wg_classify(msg, len, NULL) != WG_MSG_INITIATION)
        return WG_DROP_BAD_TYPE;
    wg_drop_reason d = check_macs(r, msg, len, src, under_load, now);
    if (d != WG_DROP_NONE)
        return d;
    wg_initiation_open op;
    if (!wg_handshake_open_initiation(&op, &r->id, msg))
        return WG_DROP_HANDSHAKE_DECRYPT;
    if (memcmp(op.noise.rs, r->hs.remote.key, 32) != 0) /* the device's peer lookup */
        return WG_DROP_UNKNOWN_PEER;
    return wg_handshake_consume_initiation(&r->hs, &op, msg, now);
}

static wg_drop_reason recv_response(side *i, const uint8_t *msg, size_t len, const wg_endpoint *src,
                                    bool under_load, int64_t now)
{
    if (wg_classify(msg, len, NULL) != WG_MSG_RESPONSE)
        return WG_DROP_BAD_TYPE;
    wg_drop_reason d = check_macs(i, msg, len, src, under_load, now);
    if (d != WG_DROP_NONE)
        return d;
    return wg_handshake_consume_response(&i->hs, &i->id, msg);
}

/* A full handshake alice -> bob; returns both sessions. */
static void full_handshake(wg_session_keys *a, wg_session_keys *b, int64_t now, int64_t wall)
{
    uint8_t init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN];
    make_initiation(&alice, init, 0x11111111, wall, now);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, now), WG_DROP_NONE);
    make_response(&bob, resp, 0x22222222, now);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, now), WG_DROP_NONE);
    ck_assert(wg_handshake_derive_session(&alice.hs, a));
    ck_assert(wg_handshake_derive_session(&bob.hs, b));
}

START_TEST(test_handshake_roundtrip)
{
    /* _i == 0: no psk; _i == 1: the same psk on both sides */
    uint8_t psk[32];
    key_from_label(psk, "psk");
    sides_init(_i ? psk : NULL, _i ? psk : NULL);

    uint8_t init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN];
    bool ka;
    make_initiation(&alice, init, 0xa1a2a3a4, WALL0, T0);
    ck_assert_int_eq(wg_classify(init, sizeof init, &ka), WG_MSG_INITIATION);
    ck_assert_uint_eq(wg_le32_read(init + WG_INIT_OFF_SENDER), 0xa1a2a3a4);
    ck_assert_uint_eq(alice.hs.local_index, 0xa1a2a3a4);

    /* phase 1 tells bob who is calling */
    wg_initiation_open op;
    ck_assert_int_eq(check_macs(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_NONE);
    ck_assert(wg_handshake_open_initiation(&op, &bob.id, init));
    ck_assert_mem_eq(op.noise.rs, alice.id.pub.key, 32);
    ck_assert_uint_eq(op.sender_index, 0xa1a2a3a4);
    ck_assert_int_eq(wg_handshake_consume_initiation(&bob.hs, &op, init, T0), WG_DROP_NONE);
    ck_assert_int_eq(bob.hs.state, WG_HS_CONSUMED_INITIATION);
    ck_assert_uint_eq(bob.hs.remote_index, 0xa1a2a3a4);
    uint8_t ts[12];
    wg_tai64n(ts, WALL0);
    ck_assert_mem_eq(bob.hs.latest_timestamp, ts, 12);

    make_response(&bob, resp, 0xb1b2b3b4, T0);
    ck_assert_int_eq(wg_classify(resp, sizeof resp, &ka), WG_MSG_RESPONSE);
    ck_assert_uint_eq(wg_le32_read(resp + WG_RESP_OFF_SENDER), 0xb1b2b3b4);
    ck_assert_uint_eq(wg_le32_read(resp + WG_RESP_OFF_RECEIVER), 0xa1a2a3a4);
    ck_assert_int_eq(bob.hs.state, WG_HS_CREATED_RESPONSE);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0), WG_DROP_NONE);
    ck_assert_int_eq(alice.hs.state, WG_HS_CONSUMED_RESPONSE);

    wg_session_keys a, b;
    ck_assert(wg_handshake_derive_session(&alice.hs, &a));
    ck_assert(wg_handshake_derive_session(&bob.hs, &b));
    ck_assert(a.initiator);
    ck_assert(!b.initiator);
    ck_assert_mem_eq(a.send, b.recv, 32);
    ck_assert_mem_eq(a.recv, b.send, 32);
    ck_assert(memcmp(a.send, a.recv, 32) != 0);
    ck_assert_uint_eq(a.local_index, 0xa1a2a3a4);
    ck_assert_uint_eq(a.remote_index, 0xb1b2b3b4);
    ck_assert_uint_eq(b.local_index, 0xb1b2b3b4);
    ck_assert_uint_eq(b.remote_index, 0xa1a2a3a4);

    /* handshake secrets are gone, configuration stays */
    wg_noise_hs zero;
    memset(&zero, 0, sizeof zero);
    ck_assert_mem_eq(&alice.hs.noise, &zero, sizeof zero);
    ck_assert_mem_eq(&bob.hs.noise, &zero, sizeof zero);
    ck_assert_int_eq(alice.hs.state, WG_HS_ZEROED);
    ck_assert_mem_eq(alice.hs.remote.key, bob.id.pub.key, 32);
    ck_assert(!wg_handshake_derive_session(&alice.hs, &a)); /* only once */

    /* first transport message: alice -> bob, counter 0 */
    const char *inner = "first inner packet, 35 bytes long.";
    size_t plen = strlen(inner) + 1, padded = wg_transport_padded_len(plen, 1420);
    ck_assert_uint_eq(padded, 48);
    uint8_t pt[64] = {0}, pkt[128], out[64];
    memcpy(pt, inner, plen);
    wg_msg_header_write(pkt, WG_MSG_TRANSPORT);
    wg_le32_write(pkt + WG_DATA_OFF_RECEIVER, a.remote_index);
    wg_le64_write(pkt + WG_DATA_OFF_COUNTER, 0);
    wg_aead_encrypt(pkt + WG_DATA_OFF_PAYLOAD, pt, padded, NULL, 0, 0, a.send);
    size_t len = wg_transport_len(padded);
    ck_assert_int_eq(wg_classify(pkt, len, &ka), WG_MSG_TRANSPORT);
    ck_assert(!ka);
    ck_assert_uint_eq(wg_le32_read(pkt + WG_DATA_OFF_RECEIVER), b.local_index);
    ck_assert(wg_aead_decrypt(out, pkt + WG_DATA_OFF_PAYLOAD, len - WG_DATA_OFF_PAYLOAD, NULL, 0,
                              wg_le64_read(pkt + WG_DATA_OFF_COUNTER), b.recv));
    ck_assert_str_eq((const char *)out, inner);
    /* and back */
    wg_aead_encrypt(pkt + WG_DATA_OFF_PAYLOAD, pt, padded, NULL, 0, 0, b.send);
    ck_assert(wg_aead_decrypt(out, pkt + WG_DATA_OFF_PAYLOAD, len - WG_DATA_OFF_PAYLOAD, NULL, 0, 0, a.recv));
    ck_assert(!wg_aead_decrypt(out, pkt + WG_DATA_OFF_PAYLOAD, len - WG_DATA_OFF_PAYLOAD, NULL, 0, 0, a.send));
}
END_TEST

/* A second handshake gives fresh keys. */
START_TEST(test_handshake_keys_fresh)
{
    wg_session_keys a1, b1, a2, b2;
    full_handshake(&a1, &b1, T0, WALL0);
    full_handshake(&a2, &b2, T0 + SEC, WALL0 + SEC);
    ck_assert_mem_eq(a2.send, b2.recv, 32);
    ck_assert(memcmp(a1.send, a2.send, 32) != 0);
    ck_assert(memcmp(a1.recv, a2.recv, 32) != 0);
}
END_TEST

/* Flipping any bit of an initiation makes the receiving device refuse it,
 * and none of the attempts disturbs bob's replay state: afterwards the
 * untouched initiation is still accepted. mac2 is only checked under load
 * (whitepaper §5.4.7), so its bytes are tried under load with a cookie. */
START_TEST(test_tamper_initiation)
{
    uint8_t init[WG_INITIATION_LEN], bad[WG_INITIATION_LEN], reply[WG_COOKIE_REPLY_LEN], nonce[24];
    /* get a cookie from bob first so mac2 is meaningful */
    make_initiation(&alice, init, 7, WALL0, T0);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, true, T0), WG_DROP_BAD_MAC2);
    test_random(NULL, nonce, sizeof nonce);
    wg_cookie_create_reply(&bob.checker, reply, init, sizeof init, &alice.addr, nonce, T0, test_random, NULL);
    ck_assert(wg_cookie_consume_reply(&alice.cookie, &alice.hs.remote, reply, T0));
    make_initiation(&alice, init, 7, WALL0 + SEC, T0 + SEC);

    int64_t now = T0 + SEC;
    for (size_t i = 0; i < sizeof init; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, init, sizeof bad);
            bad[i] ^= (uint8_t)(1u << bit);
            bool in_mac2 = i >= WG_INIT_OFF_MAC2;
            /* not under load: everything before mac2 is authenticated */
            if (!in_mac2)
                ck_assert_msg(recv_initiation(&bob, bad, sizeof bad, &alice.addr, false, now) != WG_DROP_NONE,
                              "initiation byte %zu bit %d flipped: accepted", i, bit);
            else
                ck_assert_int_eq(check_macs(&bob, bad, sizeof bad, &alice.addr, false, now), WG_DROP_NONE);
            /* under load: every byte */
            ck_assert_msg(recv_initiation(&bob, bad, sizeof bad, &alice.addr, true, now) != WG_DROP_NONE,
                          "initiation byte %zu bit %d flipped: accepted under load", i, bit);
            /* the Noise part alone (bypassing the macs) authenticates
             * ephemeral, static and timestamp */
            if (i >= WG_INIT_OFF_EPHEMERAL && i < WG_INIT_OFF_MAC1) {
                wg_initiation_open op;
                bool ok = wg_handshake_open_initiation(&op, &bob.id, bad) &&
                          wg_handshake_consume_initiation(&bob.hs, &op, bad, now) == WG_DROP_NONE;
                ck_assert_msg(!ok, "initiation byte %zu bit %d: Noise accepted it", i, bit);
            }
        }
    }
    ck_assert_int_eq(bob.hs.state, WG_HS_ZEROED);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, true, now), WG_DROP_NONE);
}
END_TEST

START_TEST(test_tamper_response)
{
    uint8_t init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN], bad[WG_RESPONSE_LEN], reply[64], nonce[24];
    make_initiation(&alice, init, 0x1234, WALL0, T0);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_NONE);
    make_response(&bob, resp, 0x5678, T0);
    /* alice under load answers bob's response with a cookie reply; bob
     * stores it, and his next response carries mac2 (the ephemeral and the
     * handshake are made again for that) */
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, true, T0), WG_DROP_BAD_MAC2);
    test_random(NULL, nonce, sizeof nonce);
    wg_cookie_create_reply(&alice.checker, reply, resp, sizeof resp, &bob.addr, nonce, T0, test_random, NULL);
    ck_assert_uint_eq(wg_le32_read(reply + WG_COOKIE_OFF_RECEIVER), 0x5678);
    ck_assert(wg_cookie_consume_reply(&bob.cookie, &bob.hs.remote, reply, T0));
    make_initiation(&alice, init, 0x1234, WALL0 + SEC, T0 + SEC);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0 + SEC), WG_DROP_NONE);
    make_response(&bob, resp, 0x5678, T0 + SEC);

    int64_t now = T0 + SEC;
    for (size_t i = 0; i < sizeof resp; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(bad, resp, sizeof bad);
            bad[i] ^= (uint8_t)(1u << bit);
            if (i < WG_RESP_OFF_MAC2)
                ck_assert_msg(recv_response(&alice, bad, sizeof bad, &bob.addr, false, now) != WG_DROP_NONE,
                              "response byte %zu bit %d flipped: accepted", i, bit);
            ck_assert_msg(recv_response(&alice, bad, sizeof bad, &bob.addr, true, now) != WG_DROP_NONE,
                          "response byte %zu bit %d flipped: accepted under load", i, bit);
            if (i >= WG_RESP_OFF_RECEIVER && i < WG_RESP_OFF_MAC1)
                ck_assert_msg(wg_handshake_consume_response(&alice.hs, &alice.id, bad) != WG_DROP_NONE,
                              "response byte %zu bit %d: Noise accepted it", i, bit);
        }
    }
    /* a forged response never disturbs the pending handshake */
    ck_assert_int_eq(alice.hs.state, WG_HS_CREATED_INITIATION);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, true, now), WG_DROP_NONE);
    wg_session_keys a, b;
    ck_assert(wg_handshake_derive_session(&alice.hs, &a));
    ck_assert(wg_handshake_derive_session(&bob.hs, &b));
    ck_assert_mem_eq(a.send, b.recv, 32);
}
END_TEST

/* A minimal transport receiver: header, index, counter and AEAD. */
static bool recv_transport(const wg_session_keys *k, const uint8_t *pkt, size_t len, uint8_t *out)
{
    bool ka;
    if (wg_classify(pkt, len, &ka) != WG_MSG_TRANSPORT)
        return false;
    if (wg_le32_read(pkt + WG_DATA_OFF_RECEIVER) != k->local_index)
        return false;
    return wg_aead_decrypt(out, pkt + WG_DATA_OFF_PAYLOAD, len - WG_DATA_OFF_PAYLOAD, NULL, 0,
                           wg_le64_read(pkt + WG_DATA_OFF_COUNTER), k->recv);
}

START_TEST(test_tamper_transport)
{
    wg_session_keys a, b;
    full_handshake(&a, &b, T0, WALL0);
    /* a 16-byte payload and a keepalive, each at counter 5 */
    for (size_t plen = 0; plen <= 16; plen += 16) {
        uint8_t pt[16] = "sixteen bytes!!", pkt[64], bad[64], out[64];
        wg_msg_header_write(pkt, WG_MSG_TRANSPORT);
        wg_le32_write(pkt + WG_DATA_OFF_RECEIVER, a.remote_index);
        wg_le64_write(pkt + WG_DATA_OFF_COUNTER, 5);
        wg_aead_encrypt(pkt + WG_DATA_OFF_PAYLOAD, pt, plen, NULL, 0, 5, a.send);
        size_t len = wg_transport_len(plen);
        bool ka;
        ck_assert_int_eq(wg_classify(pkt, len, &ka), WG_MSG_TRANSPORT);
        ck_assert(ka == (plen == 0));
        ck_assert(recv_transport(&b, pkt, len, out));
        for (size_t i = 0; i < len; i++)
            for (int bit = 0; bit < 8; bit++) {
                memcpy(bad, pkt, len);
                bad[i] ^= (uint8_t)(1u << bit);
                ck_assert_msg(!recv_transport(&b, bad, len, out), "transport (len %zu) byte %zu bit %d", len, i, bit);
            }
    }
}
END_TEST

START_TEST(test_replayed_initiation)
{
    uint8_t first[WG_INITIATION_LEN], older[WG_INITIATION_LEN], same[WG_INITIATION_LEN], newer[WG_INITIATION_LEN];
    make_initiation(&alice, older, 1, WALL0 - SEC, T0);
    make_initiation(&alice, same, 2, WALL0, T0);
    make_initiation(&alice, first, 3, WALL0, T0);
    make_initiation(&alice, newer, 4, WALL0 + SEC, T0);
    ck_assert_int_eq(recv_initiation(&bob, first, sizeof first, &alice.addr, false, T0), WG_DROP_NONE);
    uint8_t stored[12];
    memcpy(stored, bob.hs.latest_timestamp, 12);

    /* the very same datagram again, a second later */
    ck_assert_int_eq(recv_initiation(&bob, first, sizeof first, &alice.addr, false, T0 + SEC),
                     WG_DROP_REPLAYED_TIMESTAMP);
    /* another initiation with an equal timestamp (fresh ephemeral) */
    ck_assert_int_eq(recv_initiation(&bob, same, sizeof same, &alice.addr, false, T0 + SEC),
                     WG_DROP_REPLAYED_TIMESTAMP);
    /* an older one */
    ck_assert_int_eq(recv_initiation(&bob, older, sizeof older, &alice.addr, false, T0 + SEC),
                     WG_DROP_REPLAYED_TIMESTAMP);
    ck_assert_mem_eq(bob.hs.latest_timestamp, stored, 12);
    ck_assert_uint_eq(bob.hs.remote_index, 3);
    ck_assert_int_eq(bob.hs.last_initiation_consumption, T0);

    /* newer, but within 1/50 s of the last accepted: flood protection */
    ck_assert_int_eq(recv_initiation(&bob, newer, sizeof newer, &alice.addr, false, T0 + WG_INITIATION_MIN_INTERVAL - 1),
                     WG_DROP_RATE_LIMITED);
    ck_assert_mem_eq(bob.hs.latest_timestamp, stored, 12);
    ck_assert_int_eq(recv_initiation(&bob, newer, sizeof newer, &alice.addr, false, T0 + WG_INITIATION_MIN_INTERVAL),
                     WG_DROP_NONE);
    ck_assert_uint_eq(bob.hs.remote_index, 4);
    ck_assert(memcmp(bob.hs.latest_timestamp, stored, 12) > 0);
    /* and now the first one is older */
    ck_assert_int_eq(recv_initiation(&bob, first, sizeof first, &alice.addr, false, T0 + 2 * SEC),
                     WG_DROP_REPLAYED_TIMESTAMP);
}
END_TEST

/* mac1 must be keyed with the receiver's public key: a message meant for
 * someone else (or with a broken mac1) is dropped before any DH. */
START_TEST(test_mac1_wrong)
{
    uint8_t init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN], kc[32];
    wg_identity carol;
    key_from_label(kc, "carol");
    wg_identity_init(&carol, kc);
    make_initiation(&alice, init, 9, WALL0, T0);
    /* re-stamp mac1 for carol instead of bob */
    wg_cookie_add_macs(&alice.cookie, &carol.pub, init, sizeof init, T0);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_BAD_MAC1);
    ck_assert_int_eq(bob.hs.state, WG_HS_ZEROED);
    /* a correct mac1 passes */
    wg_cookie_add_macs(&alice.cookie, &alice.hs.remote, init, sizeof init, T0);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_NONE);
    make_response(&bob, resp, 10, T0);
    memset(resp + WG_RESP_OFF_MAC1, 0, WG_MAC_LEN);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0), WG_DROP_BAD_MAC1);
    ck_assert_int_eq(alice.hs.state, WG_HS_CREATED_INITIATION);
    /* and mac1 computation matches its definition */
    uint8_t mac1[16];
    wg_blake2s(mac1, 16, init, WG_INIT_OFF_MAC1, bob.id.pub.mac1_key, 32);
    ck_assert_mem_eq(mac1, init + WG_INIT_OFF_MAC1, 16);
    uint8_t key[32], label_key[40];
    memcpy(label_key, "mac1----", 8);
    memcpy(label_key + 8, bob.id.pub.key, 32);
    wg_blake2s(key, 32, label_key, sizeof label_key, NULL, 0);
    ck_assert_mem_eq(key, bob.id.pub.mac1_key, 32);
    memcpy(label_key, "cookie--", 8);
    wg_blake2s(key, 32, label_key, sizeof label_key, NULL, 0);
    ck_assert_mem_eq(key, bob.id.pub.cookie_key, 32);
    /* no cookie yet: mac2 is zero */
    uint8_t zero[16] = {0};
    ck_assert_mem_eq(init + WG_INIT_OFF_MAC2, zero, 16);
}
END_TEST

START_TEST(test_cookie_roundtrip)
{
    uint8_t init[WG_INITIATION_LEN], reply[WG_COOKIE_REPLY_LEN], nonce[24], bad[WG_COOKIE_REPLY_LEN];
    int64_t now = T0;
    make_initiation(&alice, init, 0xc0c0, WALL0, now);
    /* bob under load: mac1 fine, no cookie -> he answers with a cookie reply */
    ck_assert_int_eq(wg_cookie_validate(&bob.checker, init, sizeof init, &alice.addr, true, now, test_random, NULL),
                     WG_MAC_VALID_NO_COOKIE);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, true, now), WG_DROP_BAD_MAC2);
    test_random(NULL, nonce, sizeof nonce);
    wg_cookie_create_reply(&bob.checker, reply, init, sizeof init, &alice.addr, nonce, now, test_random, NULL);
    bool ka;
    ck_assert_int_eq(wg_classify(reply, sizeof reply, &ka), WG_MSG_COOKIE_REPLY);
    ck_assert_uint_eq(wg_le32_read(reply + WG_COOKIE_OFF_RECEIVER), 0xc0c0);
    ck_assert_mem_eq(reply + WG_COOKIE_OFF_NONCE, nonce, 24);
    /* the encrypted cookie is XChaCha20-Poly1305 of cookie(src) */
    uint8_t cookie[16], dec[16];
    wg_cookie_make(&bob.checker, cookie, &alice.addr, now, test_random, NULL);
    ck_assert(wg_xaead_decrypt(dec, reply + WG_COOKIE_OFF_COOKIE, 32, init + WG_INIT_OFF_MAC1, 16, nonce,
                               bob.id.pub.cookie_key));
    ck_assert_mem_eq(dec, cookie, 16);

    /* a tampered reply is refused and changes nothing */
    for (size_t i = 0; i < sizeof reply; i++) {
        if (i >= WG_COOKIE_OFF_RECEIVER && i < WG_COOKIE_OFF_NONCE)
            continue; /* the receiver index only routes the reply to a peer */
        memcpy(bad, reply, sizeof bad);
        bad[i] ^= 0x40;
        ck_assert_msg(!wg_cookie_consume_reply(&alice.cookie, &alice.hs.remote, bad, now), "cookie byte %zu", i);
    }
    ck_assert(!alice.cookie.is_valid);
    /* the genuine one is accepted once */
    ck_assert(wg_cookie_consume_reply(&alice.cookie, &alice.hs.remote, reply, now));
    ck_assert(alice.cookie.is_valid);
    ck_assert_mem_eq(alice.cookie.cookie, cookie, 16);
    ck_assert(!wg_cookie_consume_reply(&alice.cookie, &alice.hs.remote, reply, now));

    /* the next initiation carries a mac2 bob accepts under load */
    now += SEC;
    make_initiation(&alice, init, 0xc0c1, WALL0 + SEC, now);
    uint8_t mac2[16];
    wg_blake2s(mac2, 16, init, WG_INIT_OFF_MAC2, cookie, 16);
    ck_assert_mem_eq(mac2, init + WG_INIT_OFF_MAC2, 16);
    ck_assert_int_eq(wg_cookie_validate(&bob.checker, init, sizeof init, &alice.addr, true, now, test_random, NULL),
                     WG_MAC_VALID_WITH_COOKIE);
    /* from another port or address the cookie does not fit */
    wg_endpoint other = alice.addr;
    other.port++;
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &other, true, now), WG_DROP_BAD_MAC2);
    ck_assert(wg_endpoint_parse("192.0.2.11:51820", &other));
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &other, true, now), WG_DROP_BAD_MAC2);
    /* a bad mac2 is refused */
    init[WG_INIT_OFF_MAC2 + 3] ^= 1;
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, true, now), WG_DROP_BAD_MAC2);
    init[WG_INIT_OFF_MAC2 + 3] ^= 1;
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, true, now), WG_DROP_NONE);

    /* a reply answering an older mac1 no longer decrypts */
    ck_assert(!wg_cookie_consume_reply(&alice.cookie, &alice.hs.remote, reply, now));
}
END_TEST

/* Cookie lifetimes: the initiator uses a cookie for 115 s; the responder
 * rotates its secret every 120 s, which invalidates older cookies. */
START_TEST(test_cookie_expiry)
{
    uint8_t init[WG_INITIATION_LEN], reply[WG_COOKIE_REPLY_LEN], nonce[24] = {0}, zero[16] = {0};
    int64_t now = T0;
    make_initiation(&alice, init, 1, WALL0, now);
    wg_cookie_create_reply(&bob.checker, reply, init, sizeof init, &alice.addr, nonce, now, test_random, NULL);
    ck_assert(wg_cookie_consume_reply(&alice.cookie, &alice.hs.remote, reply, now));
    uint8_t secret[32];
    memcpy(secret, bob.checker.secret, 32);

    make_initiation(&alice, init, 2, WALL0 + 1, now + WG_COOKIE_USABLE_AGE - 1);
    ck_assert(memcmp(init + WG_INIT_OFF_MAC2, zero, 16) != 0);
    ck_assert_int_eq(wg_cookie_validate(&bob.checker, init, sizeof init, &alice.addr, true,
                                        now + WG_COOKIE_USABLE_AGE - 1, test_random, NULL),
                     WG_MAC_VALID_WITH_COOKIE);
    ck_assert_mem_eq(bob.checker.secret, secret, 32);
    make_initiation(&alice, init, 3, WALL0 + 2, now + WG_COOKIE_USABLE_AGE);
    ck_assert_mem_eq(init + WG_INIT_OFF_MAC2, zero, 16);

    /* responder side: the secret changes at 120 s, so a mac2 made with the
     * old cookie no longer validates */
    alice.cookie.birthdate = now + WG_COOKIE_SECRET_MAX_AGE; /* pretend it is fresh for alice */
    make_initiation(&alice, init, 4, WALL0 + 3, now + WG_COOKIE_SECRET_MAX_AGE);
    ck_assert(memcmp(init + WG_INIT_OFF_MAC2, zero, 16) != 0);
    ck_assert_int_eq(wg_cookie_validate(&bob.checker, init, sizeof init, &alice.addr, true,
                                        now + WG_COOKIE_SECRET_MAX_AGE - 1, test_random, NULL),
                     WG_MAC_VALID_WITH_COOKIE);
    ck_assert_int_eq(wg_cookie_validate(&bob.checker, init, sizeof init, &alice.addr, true,
                                        now + WG_COOKIE_SECRET_MAX_AGE, test_random, NULL),
                     WG_MAC_VALID_NO_COOKIE);
    ck_assert(memcmp(bob.checker.secret, secret, 32) != 0);
    ck_assert_int_eq(bob.checker.secret_birthdate, now + WG_COOKIE_SECRET_MAX_AGE);
    /* not under load mac2 is not even looked at, and no secret is made */
    wg_cookie_checker fresh;
    wg_cookie_checker_init(&fresh, &bob.id);
    ck_assert_int_eq(wg_cookie_validate(&fresh, init, sizeof init, &alice.addr, false, now, NULL, NULL),
                     WG_MAC_VALID_NO_COOKIE);
    ck_assert(!fresh.has_secret);
}
END_TEST

/* Low-order keys: WireGuard refuses any all-zero DH. */
START_TEST(test_low_order_keys)
{
    /* order-8 point from Wycheproof/RFC 7748 folklore and the zero point */
    static const char *low[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    for (size_t n = 0; n < sizeof low / sizeof low[0]; n++) {
        uint8_t pub[32], msg[WG_INITIATION_LEN], e[32], ts[12];
        for (int i = 0; i < 32; i++) {
            unsigned v;
            ck_assert_int_eq(sscanf(low[n] + 2 * i, "%2x", &v), 1);
            pub[i] = (uint8_t)v;
        }
        wg_handshake hs;
        wg_handshake_init(&hs, &alice.id, pub, NULL);
        test_random(NULL, e, sizeof e);
        wg_tai64n(ts, WALL0);
        ck_assert_msg(!wg_handshake_create_initiation(&hs, &alice.id, e, 1, ts, msg), "low-order key %zu", n);
        ck_assert_int_eq(hs.state, WG_HS_ZEROED);
    }

    /* bob answers with a low-order ephemeral: alice refuses, her handshake survives */
    uint8_t init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN];
    make_initiation(&alice, init, 0x77, WALL0, T0);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_NONE);
    make_response(&bob, resp, 0x88, T0);
    memset(resp + WG_RESP_OFF_EPHEMERAL, 0, 32);
    wg_cookie_add_macs(&bob.cookie, &bob.hs.remote, resp, sizeof resp, T0);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0), WG_DROP_HANDSHAKE_DECRYPT);
    ck_assert_int_eq(alice.hs.state, WG_HS_CREATED_INITIATION);
    /* an initiation with a low-order ephemeral fails at es */
    make_initiation(&alice, init, 0x79, WALL0 + SEC, T0 + SEC);
    memset(init + WG_INIT_OFF_EPHEMERAL, 0, 32);
    wg_cookie_add_macs(&alice.cookie, &alice.hs.remote, init, sizeof init, T0 + SEC);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0 + SEC),
                     WG_DROP_HANDSHAKE_DECRYPT);
}
END_TEST

START_TEST(test_psk_mismatch)
{
    uint8_t psk[32], init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN];
    key_from_label(psk, "psk");
    sides_init(psk, NULL);
    make_initiation(&alice, init, 1, WALL0, T0);
    /* the psk enters only in the second message */
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_NONE);
    make_response(&bob, resp, 2, T0);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0), WG_DROP_HANDSHAKE_DECRYPT);
    /* set the same psk: it works */
    wg_handshake_set_psk(&bob.hs, psk);
    make_initiation(&alice, init, 3, WALL0 + SEC, T0 + SEC);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0 + SEC), WG_DROP_NONE);
    make_response(&bob, resp, 4, T0 + SEC);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0 + SEC), WG_DROP_NONE);
}
END_TEST

START_TEST(test_state_rules)
{
    uint8_t init[WG_INITIATION_LEN], resp[WG_RESPONSE_LEN], e[32] = {9};
    wg_session_keys k;
    /* nothing to derive or respond to yet */
    ck_assert(!wg_handshake_derive_session(&alice.hs, &k));
    ck_assert(!wg_handshake_create_response(&bob.hs, e, 1, resp));
    /* an initiation from a stranger: opens, but is not for this peer */
    uint8_t kc[32];
    wg_identity carol;
    wg_handshake carol_hs;
    key_from_label(kc, "carol");
    wg_identity_init(&carol, kc);
    wg_handshake_init(&carol_hs, &carol, bob.id.pub.key, NULL);
    uint8_t ts[12];
    wg_tai64n(ts, WALL0);
    ck_assert(wg_handshake_create_initiation(&carol_hs, &carol, e, 5, ts, init));
    wg_initiation_open op;
    ck_assert(wg_handshake_open_initiation(&op, &bob.id, init));
    ck_assert_mem_eq(op.noise.rs, carol.pub.key, 32);
    ck_assert_int_eq(wg_handshake_consume_initiation(&bob.hs, &op, init, T0), WG_DROP_UNKNOWN_PEER);
    /* an initiation for someone else does not even open */
    wg_handshake to_alice;
    wg_handshake_init(&to_alice, &carol, alice.id.pub.key, NULL);
    ck_assert(wg_handshake_create_initiation(&to_alice, &carol, e, 6, ts, init));
    ck_assert(!wg_handshake_open_initiation(&op, &bob.id, init));

    /* a response to a superseded initiation (old receiver index) */
    make_initiation(&alice, init, 100, WALL0, T0);
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0), WG_DROP_NONE);
    make_response(&bob, resp, 200, T0);
    make_initiation(&alice, init, 101, WALL0 + SEC, T0 + SEC); /* alice retransmits meanwhile */
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0 + SEC), WG_DROP_UNKNOWN_INDEX);
    ck_assert_int_eq(alice.hs.state, WG_HS_CREATED_INITIATION);
    /* bob takes the retransmission (replacing his pending response) and answers it */
    ck_assert_int_eq(recv_initiation(&bob, init, sizeof init, &alice.addr, false, T0 + SEC), WG_DROP_NONE);
    make_response(&bob, resp, 201, T0 + SEC);
    ck_assert_int_eq(recv_response(&alice, resp, sizeof resp, &bob.addr, false, T0 + SEC), WG_DROP_NONE);
    /* the same response twice: nothing pending any more */
    ck_assert_int_eq(wg_handshake_consume_response(&alice.hs, &alice.id, resp), WG_DROP_UNKNOWN_INDEX);
    ck_assert(wg_handshake_derive_session(&alice.hs, &k));
    ck_assert_int_eq(wg_handshake_consume_response(&alice.hs, &alice.id, resp), WG_DROP_UNKNOWN_INDEX);
    /* wrong type word */
    resp[0] = WG_MSG_INITIATION;
    ck_assert_int_eq(wg_handshake_consume_response(&alice.hs, &alice.id, resp), WG_DROP_BAD_TYPE);
    init[1] = 1; /* reserved byte */
    ck_assert(!wg_handshake_open_initiation(&op, &bob.id, init));
    ck_assert_str_eq(wg_hs_state_name(WG_HS_CREATED_RESPONSE), "created-response");

    /* a new local key: the precomputed static DH follows it */
    uint8_t ss_before[32], kn[32];
    memcpy(ss_before, alice.hs.ss, 32);
    key_from_label(kn, "alice-2");
    wg_identity_init(&alice.id, kn);
    wg_handshake_set_identity(&alice.hs, &alice.id);
    ck_assert(memcmp(ss_before, alice.hs.ss, 32) != 0);
    uint8_t ss[32];
    ck_assert(wg_x25519(ss, alice.id.priv, bob.id.pub.key));
    ck_assert_mem_eq(ss, alice.hs.ss, 32);
    wg_handshake_destroy(&alice.hs);
    wg_identity_clear(&carol);
    uint8_t zero[32] = {0};
    ck_assert_mem_eq(carol.priv, zero, 32);
}
END_TEST

START_TEST(test_classify)
{
    uint8_t buf[200] = {0};
    bool ka = true;
    ck_assert_int_eq(wg_classify(NULL, 0, &ka), WG_MSG_NONE);
    ck_assert(!ka);
    ck_assert_int_eq(wg_classify(buf, 3, NULL), WG_MSG_NONE);
    buf[0] = 1;
    ck_assert_int_eq(wg_classify(buf, 148, NULL), WG_MSG_INITIATION);
    ck_assert_int_eq(wg_classify(buf, 147, NULL), WG_MSG_NONE);
    ck_assert_int_eq(wg_classify(buf, 149, NULL), WG_MSG_NONE);
    buf[3] = 1; /* reserved bytes must be zero */
    ck_assert_int_eq(wg_classify(buf, 148, NULL), WG_MSG_NONE);
    buf[3] = 0;
    buf[0] = 2;
    ck_assert_int_eq(wg_classify(buf, 92, NULL), WG_MSG_RESPONSE);
    ck_assert_int_eq(wg_classify(buf, 91, NULL), WG_MSG_NONE);
    buf[0] = 3;
    ck_assert_int_eq(wg_classify(buf, 64, NULL), WG_MSG_COOKIE_REPLY);
    ck_assert_int_eq(wg_classify(buf, 65, NULL), WG_MSG_NONE);
    buf[0] = 4;
    ck_assert_int_eq(wg_classify(buf, 31, &ka), WG_MSG_NONE);
    ck_assert_int_eq(wg_classify(buf, 32, &ka), WG_MSG_TRANSPORT);
    ck_assert(ka);
    ck_assert_int_eq(wg_classify(buf, 48, &ka), WG_MSG_TRANSPORT);
    ck_assert(!ka);
    /* not a multiple of 16: real receivers accept it (MTU-clamped padding) */
    ck_assert_int_eq(wg_classify(buf, 45, &ka), WG_MSG_TRANSPORT);
    buf[2] = 1;
    ck_assert_int_eq(wg_classify(buf, 48, &ka), WG_MSG_NONE);
    buf[2] = 0;
    buf[0] = 5;
    ck_assert_int_eq(wg_classify(buf, 48, NULL), WG_MSG_NONE);
    buf[0] = 0;
    ck_assert_int_eq(wg_classify(buf, 48, NULL), WG_MSG_NONE);

    ck_assert_str_eq(wg_msg_type_name(WG_MSG_INITIATION, false), "handshake-initiation");
    ck_assert_str_eq(wg_msg_type_name(WG_MSG_RESPONSE, false), "handshake-response");
    ck_assert_str_eq(wg_msg_type_name(WG_MSG_COOKIE_REPLY, false), "cookie-reply");
    ck_assert_str_eq(wg_msg_type_name(WG_MSG_TRANSPORT, false), "transport");
    ck_assert_str_eq(wg_msg_type_name(WG_MSG_TRANSPORT, true), "keepalive");
    ck_assert_str_eq(wg_msg_type_name(WG_MSG_NONE, false), "none");

    /* padding: multiple of 16, clamped to the MTU (Linux calculate_skb_padding) */
    ck_assert_uint_eq(wg_transport_padded_len(0, 1420), 0);
    ck_assert_uint_eq(wg_transport_padded_len(1, 1420), 16);
    ck_assert_uint_eq(wg_transport_padded_len(84, 1420), 96);
    ck_assert_uint_eq(wg_transport_padded_len(1419, 1420), 1420);
    ck_assert_uint_eq(wg_transport_padded_len(1420, 1420), 1420);
    ck_assert_uint_eq(wg_transport_padded_len(1419, 0), 1424);
    ck_assert_uint_eq(wg_transport_padded_len(1425, 1420), 1425 + 11);
    ck_assert_uint_eq(wg_transport_len(0), WG_KEEPALIVE_LEN);
    /* le helpers */
    wg_le64_write(buf, UINT64_C(0x0102030405060708));
    ck_assert_uint_eq(buf[0], 8);
    ck_assert_uint_eq(buf[7], 1);
    ck_assert_uint_eq(wg_le64_read(buf), UINT64_C(0x0102030405060708));
    ck_assert_uint_eq(wg_le32_read(buf + 4), 0x01020304);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("handshake");
    TCase *tc = tcase_create("wireguard");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_handshake_roundtrip, 0, 2);
    tcase_add_test(tc, test_handshake_keys_fresh);
    tcase_add_test(tc, test_tamper_initiation);
    tcase_add_test(tc, test_tamper_response);
    tcase_add_test(tc, test_tamper_transport);
    tcase_add_test(tc, test_replayed_initiation);
    tcase_add_test(tc, test_mac1_wrong);
    tcase_add_test(tc, test_cookie_roundtrip);
    tcase_add_test(tc, test_cookie_expiry);
    tcase_add_test(tc, test_low_order_keys);
    tcase_add_test(tc, test_psk_mismatch);
    tcase_add_test(tc, test_state_rules);
    tcase_add_test(tc, test_classify);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
