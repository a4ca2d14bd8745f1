/*
 * test_noise_vector.c — the generic Noise IKpsk2 core of wgnode/noise.c
 * against the cacophony vector (../shared/vectors/noise-ikpsk2-cacophony.json):
 * both handshake messages, the handshake hash and all four transport
 * messages byte for byte, from both sides. Also pins WireGuard's
 * precomputed construction/identifier constants.
 */
#include "vectors.h"
#include "wgnode/noise.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void setup(void) { ck_assert_int_eq(wg_crypto_init(), 0); }

START_TEST(test_wireguard_params)
{
    wg_noise_params p;
    const char *name = WG_NOISE_CONSTRUCTION, *id = WG_NOISE_IDENTIFIER;
    wg_noise_params_init(&p, (const uint8_t *)name, strlen(name), (const uint8_t *)id, strlen(id));
    ck_assert_mem_eq(p.ck, wg_noise_wireguard_params.ck, 32);
    ck_assert_mem_eq(p.h, wg_noise_wireguard_params.h, 32);
    /* first bytes given in reference/wg-conformance.md */
    const uint8_t ci[4] = {0x60, 0xe2, 0x6d, 0xae}, hi[4] = {0x22, 0x11, 0xb3, 0x61};
    ck_assert_mem_eq(p.ck, ci, 4);
    ck_assert_mem_eq(p.h, hi, 4);
}
END_TEST

/* Noise §5.2: a protocol name of at most HASHLEN bytes is zero-padded, not hashed. */
START_TEST(test_params_short_name)
{
    wg_noise_params p;
    const uint8_t name[5] = {'N', 'o', 'i', 's', 'e'};
    uint8_t want_h[32], padded[32] = {'N', 'o', 'i', 's', 'e'};
    wg_noise_params_init(&p, name, sizeof name, NULL, 0);
    ck_assert_mem_eq(p.ck, padded, 32);
    wg_hash2(want_h, padded, 32, NULL, 0);
    ck_assert_mem_eq(p.h, want_h, 32);
}
END_TEST

typedef struct cacophony {
    json_t *root, *v, *msgs;
    wg_noise_params params;
    uint8_t i_s[32], i_spub[32], i_e[32], r_s[32], r_spub[32], r_e[32], psk[32], rs[32], hash[32];
} cacophony;

static void cacophony_load(cacophony *c)
{
    c->root = wgv_load("noise-ikpsk2-cacophony.json");
    json_t *vs = wgv_array(c->root, "vectors");
    ck_assert_uint_eq(json_array_size(vs), 1);
    c->v = json_array_get(vs, 0);
    const char *name = wgv_str(c->v, "protocol_name");
    ck_assert_str_eq(name, "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s");
    size_t plen, plen2;
    uint8_t *prologue = wgv_hex(c->v, "init_prologue", &plen);
    uint8_t *prologue2 = wgv_hex(c->v, "resp_prologue", &plen2);
    ck_assert(plen == plen2 && memcmp(prologue, prologue2, plen) == 0);
    wg_noise_params_init(&c->params, (const uint8_t *)name, strlen(name), prologue, plen);
    free(prologue);
    free(prologue2);
    json_t *ipsks = wgv_array(c->v, "init_psks"), *rpsks = wgv_array(c->v, "resp_psks");
    ck_assert_uint_eq(json_array_size(ipsks), 1);
    ck_assert_uint_eq(json_array_size(rpsks), 1);
    ck_assert_str_eq(json_string_value(json_array_get(ipsks, 0)), json_string_value(json_array_get(rpsks, 0)));
    ck_assert_int_eq((int)wgv_unhex(json_string_value(json_array_get(ipsks, 0)), c->psk, 32), 32);
    wgv_hex_exact(c->v, "init_static", c->i_s, 32);
    wgv_hex_exact(c->v, "init_ephemeral", c->i_e, 32);
    wgv_hex_exact(c->v, "init_remote_static", c->rs, 32);
    wgv_hex_exact(c->v, "resp_static", c->r_s, 32);
    wgv_hex_exact(c->v, "resp_ephemeral", c->r_e, 32);
    wgv_hex_exact(c->v, "handshake_hash", c->hash, 32);
    wg_x25519_public(c->i_spub, c->i_s);
    wg_x25519_public(c->r_spub, c->r_s);
    /* the initiator's pre-known responder key is the responder's public key */
    ck_assert_mem_eq(c->rs, c->r_spub, 32);
    c->msgs = wgv_array(c->v, "messages");
    ck_assert_uint_eq(json_array_size(c->msgs), 6);
}

static void run_cacophony(bool precomputed_ss)
{
    cacophony c;
    cacophony_load(&c);
    uint8_t ss[32];
    ck_assert(wg_x25519(ss, c.i_s, c.r_spub));
    const uint8_t *ss_arg = precomputed_ss ? ss : NULL;
    wg_noise_hs ini, rsp;
    size_t plen, clen;

    /* message 1: initiator -> responder */
    json_t *m = json_array_get(c.msgs, 0);
    uint8_t *payload = wgv_hex(m, "payload", &plen), *ct = wgv_hex(m, "ciphertext", &clen);
    ck_assert_uint_eq(clen, WG_NOISE_MSG1_LEN(plen));
    uint8_t *out = malloc(clen), *pt = malloc(clen);
    ck_assert(wg_noise_write_msg1(&ini, &c.params, c.i_s, c.i_spub, c.rs, c.i_e, ss_arg, payload, plen, out));
    ck_assert_msg(memcmp(out, ct, clen) == 0, "message 1 differs from the vector");
    ck_assert(wg_noise_read_msg1_static(&rsp, &c.params, c.r_s, c.r_spub, ct));
    ck_assert_mem_eq(rsp.rs, c.i_spub, 32);
    ck_assert(wg_noise_read_msg1_payload(&rsp, c.r_s, ss_arg, ct + WG_NOISE_MSG1_STATIC_PART,
                                         clen - WG_NOISE_MSG1_STATIC_PART, pt));
    ck_assert_mem_eq(pt, payload, plen);
    ck_assert_mem_eq(ini.h, rsp.h, 32);
    ck_assert_mem_eq(ini.ck, rsp.ck, 32);
    free(payload), free(ct), free(out), free(pt);

    /* message 2: responder -> initiator */
    m = json_array_get(c.msgs, 1);
    payload = wgv_hex(m, "payload", &plen);
    ct = wgv_hex(m, "ciphertext", &clen);
    ck_assert_uint_eq(clen, WG_NOISE_MSG2_LEN(plen));
    out = malloc(clen);
    pt = malloc(clen);
    ck_assert(wg_noise_write_msg2(&rsp, c.r_e, c.psk, payload, plen, out));
    ck_assert_msg(memcmp(out, ct, clen) == 0, "message 2 differs from the vector");
    ck_assert(wg_noise_read_msg2(&ini, c.i_s, c.psk, ct, clen, pt));
    ck_assert_mem_eq(pt, payload, plen);
    free(payload), free(ct), free(out), free(pt);

    /* split, handshake hash */
    uint8_t i_i2r[32], i_r2i[32], r_i2r[32], r_r2i[32], hi[32], hr[32];
    wg_noise_split(&ini, i_i2r, i_r2i, hi);
    wg_noise_split(&rsp, r_i2r, r_r2i, hr);
    ck_assert_msg(memcmp(hi, c.hash, 32) == 0, "initiator handshake hash differs");
    ck_assert_msg(memcmp(hr, c.hash, 32) == 0, "responder handshake hash differs");
    ck_assert_mem_eq(i_i2r, r_i2r, 32);
    ck_assert_mem_eq(i_r2i, r_r2i, 32);
    wg_noise_hs zero;
    memset(&zero, 0, sizeof zero);
    ck_assert_msg(memcmp(&ini, &zero, sizeof zero) == 0, "split left handshake secrets behind");

    /* transport: messages alternate i->r, r->i; each direction counts from 0 */
    uint64_t n_i2r = 0, n_r2i = 0;
    for (size_t i = 2; i < 6; i++) {
        m = json_array_get(c.msgs, i);
        payload = wgv_hex(m, "payload", &plen);
        ct = wgv_hex(m, "ciphertext", &clen);
        ck_assert_uint_eq(clen, plen + 16);
        out = malloc(clen);
        pt = malloc(clen);
        bool i2r = i % 2 == 0;
        uint64_t n = i2r ? n_i2r++ : n_r2i++;
        wg_aead_encrypt(out, payload, plen, NULL, 0, n, i2r ? i_i2r : r_r2i);
        ck_assert_msg(memcmp(out, ct, clen) == 0, "transport message %zu differs from the vector", i + 1);
        ck_assert(wg_aead_decrypt(pt, ct, clen, NULL, 0, n, i2r ? r_i2r : i_r2i));
        ck_assert_mem_eq(pt, payload, plen);
        free(payload), free(ct), free(out), free(pt);
    }
    ck_assert_uint_eq(n_i2r, 2);
    ck_assert_uint_eq(n_r2i, 2);
    json_decref(c.root);
}

START_TEST(test_cacophony_ikpsk2)
{
    run_cacophony(false);
}
END_TEST

START_TEST(test_cacophony_ikpsk2_precomputed_ss)
{
    run_cacophony(true);
}
END_TEST

/* A flipped byte anywhere in either handshake message of the vector fails
 * on the receiving side; the ciphertext of msg 1's payload covers the
 * static, and msg 2's tag covers everything before it through h. */
START_TEST(test_cacophony_tamper)
{
    cacophony c;
    cacophony_load(&c);
    size_t clen1, clen2, plen;
    uint8_t *ct1 = wgv_hex(json_array_get(c.msgs, 0), "ciphertext", &clen1);
    uint8_t *ct2 = wgv_hex(json_array_get(c.msgs, 1), "ciphertext", &clen2);
    uint8_t *payload = wgv_hex(json_array_get(c.msgs, 0), "payload", &plen);
    uint8_t pt[256], out[256];
    for (size_t i = 0; i < clen1; i++) {
        wg_noise_hs rsp;
        ct1[i] ^= 0x01;
        bool ok = wg_noise_read_msg1_static(&rsp, &c.params, c.r_s, c.r_spub, ct1) &&
                  wg_noise_read_msg1_payload(&rsp, c.r_s, NULL, ct1 + WG_NOISE_MSG1_STATIC_PART,
                                             clen1 - WG_NOISE_MSG1_STATIC_PART, pt);
        ck_assert_msg(!ok, "message 1 with byte %zu flipped accepted", i);
        ct1[i] ^= 0x01;
    }
    for (size_t i = 0; i < clen2; i++) {
        wg_noise_hs ini;
        ck_assert(wg_noise_write_msg1(&ini, &c.params, c.i_s, c.i_spub, c.rs, c.i_e, NULL, payload, plen, out));
        ct2[i] ^= 0x80;
        ck_assert_msg(!wg_noise_read_msg2(&ini, c.i_s, c.psk, ct2, clen2, pt), "message 2 byte %zu flipped", i);
        ct2[i] ^= 0x80;
    }
    /* wrong psk */
    wg_noise_hs ini;
    uint8_t bad_psk[32];
    memcpy(bad_psk, c.psk, 32);
    bad_psk[31] ^= 1;
    ck_assert(wg_noise_write_msg1(&ini, &c.params, c.i_s, c.i_spub, c.rs, c.i_e, NULL, payload, plen, out));
    ck_assert(!wg_noise_read_msg2(&ini, c.i_s, bad_psk, ct2, clen2, pt));
    /* too short for e || tag */
    ck_assert(wg_noise_write_msg1(&ini, &c.params, c.i_s, c.i_spub, c.rs, c.i_e, NULL, payload, plen, out));
    ck_assert(!wg_noise_read_msg2(&ini, c.i_s, c.psk, ct2, WG_NOISE_MSG2_LEN(0) - 1, pt));
    free(ct1), free(ct2), free(payload);
    json_decref(c.root);
}
END_TEST

/* A low-order responder key makes es all zero: message 1 cannot be made,
 * and a precomputed all-zero ss is refused too. */
START_TEST(test_low_order_refused)
{
    wg_noise_hs hs;
    uint8_t s[32], spub[32], e[32], out[WG_NOISE_MSG1_LEN(0)], zero[32] = {0}, ss[32];
    memset(s, 0x11, 32);
    memset(e, 0x22, 32);
    wg_x25519_public(spub, s);
    ck_assert(!wg_noise_write_msg1(&hs, &wg_noise_wireguard_params, s, spub, zero, e, NULL, NULL, 0, out));
    ck_assert_mem_eq(hs.e_priv, zero, 32); /* wiped on failure */
    uint8_t rpub[32], r[32];
    memset(r, 0x33, 32);
    wg_x25519_public(rpub, r);
    ck_assert(!wg_noise_write_msg1(&hs, &wg_noise_wireguard_params, s, spub, rpub, e, zero, NULL, 0, out));
    ck_assert(wg_x25519(ss, s, rpub));
    ck_assert(wg_noise_write_msg1(&hs, &wg_noise_wireguard_params, s, spub, rpub, e, ss, NULL, 0, out));
    /* a responder facing an all-zero ephemeral refuses at es */
    memset(out, 0, WG_KEY_LEN);
    ck_assert(!wg_noise_read_msg1_static(&hs, &wg_noise_wireguard_params, r, rpub, out));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("noise_vector");
    TCase *tc = tcase_create("cacophony");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_wireguard_params);
    tcase_add_test(tc, test_params_short_name);
    tcase_add_test(tc, test_cacophony_ikpsk2);
    tcase_add_test(tc, test_cacophony_ikpsk2_precomputed_ss);
    tcase_add_test(tc, test_cacophony_tamper);
    tcase_add_test(tc, test_low_order_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
