/*
 * test_crypto_vectors.c — the primitives of wgnode/crypto.c against
 * independent known answers in ../shared/vectors
 * (../shared/reference/wg-conformance.md lists their sources): BLAKE2s
 * KATs, the WireGuard KDF, Wycheproof X25519, ChaCha20-Poly1305 and
 * XChaCha20-Poly1305, plus TAI64N.
 */
#include "vectors.h"
#include "wgnode/wgnode.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void setup(void) { ck_assert_int_eq(wg_crypto_init(), 0); }

/* ---- BLAKE2s ---- */

START_TEST(test_blake2s_kat)
{
    json_t *root = wgv_load("blake2s-kat.json");
    ck_assert_msg(json_is_array(root), "blake2s-kat.json: not an array");
    size_t i, n_keyed = 0, n_unkeyed = 0;
    json_t *v;
    json_array_foreach(root, i, v) {
        ck_assert_str_eq(wgv_str(v, "hash"), "blake2s");
        size_t inlen, keylen, outlen;
        uint8_t *in = wgv_hex(v, "in", &inlen), *key = wgv_hex(v, "key", &keylen);
        uint8_t *want = wgv_hex(v, "out", &outlen), got[64];
        ck_assert_uint_eq(outlen, 32);
        wg_blake2s(got, outlen, in, inlen, key, keylen);
        ck_assert_msg(memcmp(got, want, outlen) == 0, "blake2s KAT %zu (inlen %zu, keylen %zu) differs", i, inlen,
                      keylen);
        if (keylen)
            n_keyed++;
        else
            n_unkeyed++;
        free(in);
        free(key);
        free(want);
    }
    ck_assert_uint_eq(n_keyed + n_unkeyed, 512);
    ck_assert_uint_eq(n_keyed, 256);
    ck_assert_uint_eq(n_unkeyed, 256);
    json_decref(root);
}
END_TEST

/* ---- KDF ---- */

START_TEST(test_kdf_vectors)
{
    json_t *root = wgv_load("wireguard-kdf.json");
    json_t *vs = wgv_array(root, "vectors"), *v;
    size_t i;
    ck_assert_uint_gt(json_array_size(vs), 0);
    json_array_foreach(vs, i, v) {
        size_t keylen, inlen;
        uint8_t *key = wgv_hex(v, "key", &keylen), *in = wgv_hex(v, "input", &inlen);
        uint8_t want[3][32], t[3][32];
        /* The file's t0, t1, t2 are the KDF's outputs 1, 2, 3. */
        wgv_hex_exact(v, "t0", want[0], 32);
        wgv_hex_exact(v, "t1", want[1], 32);
        wgv_hex_exact(v, "t2", want[2], 32);
        wg_kdf(t[0], t[1], t[2], key, keylen, in, inlen);
        for (int k = 0; k < 3; k++)
            ck_assert_msg(memcmp(t[k], want[k], 32) == 0, "KDF3 vector %zu output %d differs", i, k + 1);
        /* KDF1 and KDF2 are prefixes of KDF3. */
        memset(t, 0, sizeof t);
        wg_kdf(t[0], NULL, NULL, key, keylen, in, inlen);
        ck_assert_msg(memcmp(t[0], want[0], 32) == 0, "KDF1 vector %zu differs", i);
        wg_kdf(t[0], t[1], NULL, key, keylen, in, inlen);
        ck_assert_msg(memcmp(t[0], want[0], 32) == 0 && memcmp(t[1], want[1], 32) == 0, "KDF2 vector %zu", i);
        free(key);
        free(in);
    }
    json_decref(root);
}
END_TEST

/* RFC 2104 shape with BLAKE2s: an independent composition through libb2's
 * one-shot keyed-less hash, to pin wg_hmac_blake2s (the KDF's building
 * block) for a key longer than the block as well. */
START_TEST(test_hmac_blake2s_long_key)
{
    uint8_t key[80], msg[3] = {'a', 'b', 'c'}, k0[64] = {0}, ipad[64 + 3], opad[64 + 32], inner[32], want[32],
            got[32];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)i;
    wg_blake2s(k0, 32, key, sizeof key, NULL, 0); /* long keys are hashed first */
    for (int i = 0; i < 64; i++) {
        ipad[i] = k0[i] ^ 0x36;
        opad[i] = k0[i] ^ 0x5c;
    }
    memcpy(ipad + 64, msg, 3);
    wg_blake2s(inner, 32, ipad, sizeof ipad, NULL, 0);
    memcpy(opad + 64, inner, 32);
    wg_blake2s(want, 32, opad, sizeof opad, NULL, 0);
    wg_hmac_blake2s(got, key, sizeof key, msg, sizeof msg);
    ck_assert_mem_eq(got, want, 32);
}
END_TEST

/* ---- X25519 ---- */

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static bool has_flag(json_t *t, const char *flag)
{
    json_t *flags = wgv_array(t, "flags"), *f;
    size_t i;
    json_array_foreach(flags, i, f) if (json_is_string(f) && strcmp(json_string_value(f), flag) == 0) return true;
    return false;
}

START_TEST(test_x25519_wycheproof)
{
    json_t *root = wgv_load("wycheproof-x25519_test.json");
    json_t *groups = wgv_array(root, "testGroups"), *g;
    size_t gi, n = 0, n_ok = 0, n_rejected = 0;
    json_array_foreach(groups, gi, g) {
        json_t *tests = wgv_array(g, "tests"), *t;
        size_t ti;
        json_array_foreach(tests, ti, t) {
            long id = (long)json_integer_value(wgv_get(t, "tcId"));
            const char *result = wgv_str(t, "result");
            uint8_t priv[32], pub[32], shared[32], out[32];
            wgv_hex_exact(t, "private", priv, 32);
            wgv_hex_exact(t, "public", pub, 32);
            wgv_hex_exact(t, "shared", shared, 32);
            bool ok = wg_x25519(out, priv, pub);
            if (all_zero(shared, 32)) {
                /* Low-order public keys give an all-zero shared secret.
                 * Wycheproof marks them "acceptable" (RFC 7748 §6.1 makes the
                 * check optional); WireGuard requires it (whitepaper §5.4:
                 * an all-zero DH output aborts the handshake), so
                 * wg_x25519 must refuse every one of them. */
                ck_assert_msg(strcmp(result, "valid") != 0, "tc %ld: zero secret marked valid", id);
                ck_assert_msg(has_flag(t, "ZeroSharedSecret"), "tc %ld: zero secret without flag", id);
                ck_assert_msg(!ok, "tc %ld: all-zero shared secret accepted", id);
                n_rejected++;
            } else if (strcmp(result, "valid") == 0 || strcmp(result, "acceptable") == 0) {
                /* "acceptable" with a nonzero secret: twist points and
                 * non-canonical encodings. RFC 7748 §5 defines their result
                 * and WireGuard (like libsodium) computes it; it must match. */
                ck_assert_msg(ok, "tc %ld (%s): rejected", id, result);
                ck_assert_msg(memcmp(out, shared, 32) == 0, "tc %ld (%s): wrong shared secret", id, result);
                n_ok++;
            } else {
                ck_assert_msg(strcmp(result, "invalid") == 0, "tc %ld: unknown result %s", id, result);
                ck_assert_msg(!ok || memcmp(out, shared, 32) != 0, "tc %ld: invalid case produced its secret", id);
                n_rejected++;
            }
            n++;
        }
    }
    ck_assert_uint_eq(n, (size_t)json_integer_value(wgv_get(root, "numberOfTests")));
    ck_assert_uint_gt(n_ok, 0);
    ck_assert_uint_gt(n_rejected, 0);
    json_decref(root);
}
END_TEST

/* The public key of a private key, and clamping. RFC 7748 §6.1 test data. */
START_TEST(test_x25519_public_rfc7748)
{
    uint8_t a_priv[32], a_pub[32], want[32];
    wgv_unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a_priv, 32);
    wgv_unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", want, 32);
    wg_x25519_public(a_pub, a_priv);
    ck_assert_mem_eq(a_pub, want, 32);
    wg_key_clamp(a_priv);
    ck_assert_uint_eq(a_priv[0] & 7, 0);
    ck_assert_uint_eq(a_priv[31] & 0xc0, 0x40);
    wg_x25519_public(a_pub, a_priv);
    ck_assert_mem_eq(a_pub, want, 32); /* X25519 clamps anyway */
}
END_TEST

/* ---- AEADs ---- */

typedef struct aead_case {
    long id;
    const char *result;
    uint8_t *key, *iv, *aad, *msg, *ct, *tag;
    size_t keylen, ivlen, aadlen, msglen, ctlen, taglen;
} aead_case;

static void aead_case_load(json_t *t, aead_case *c)
{
    c->id = (long)json_integer_value(wgv_get(t, "tcId"));
    c->result = wgv_str(t, "result");
    c->key = wgv_hex(t, "key", &c->keylen);
    c->iv = wgv_hex(t, "iv", &c->ivlen);
    c->aad = wgv_hex(t, "aad", &c->aadlen);
    c->msg = wgv_hex(t, "msg", &c->msglen);
    c->ct = wgv_hex(t, "ct", &c->ctlen);
    c->tag = wgv_hex(t, "tag", &c->taglen);
}

static void aead_case_free(aead_case *c)
{
    free(c->key);
    free(c->iv);
    free(c->aad);
    free(c->msg);
    free(c->ct);
    free(c->tag);
}

/* ct || tag in one buffer, as the wg_*aead* functions take it. */
static uint8_t *sealed(const aead_case *c)
{
    uint8_t *b = malloc(c->ctlen + c->taglen + 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, c->ct, c->ctlen);
    memcpy(b + c->ctlen, c->tag, c->taglen);
    return b;
}

typedef struct aead_counts {
    size_t total, valid, invalid, via_wrapper, wrapper_forgeries, not_applicable;
} aead_counts;

/* Flips every bit of the tag of a valid case: the wrapper must refuse each. */
static void check_wrapper_rejects_forged_tags(const aead_case *c, uint64_t counter, aead_counts *n)
{
    size_t len = c->ctlen + c->taglen;
    uint8_t *b = sealed(c), *pt = malloc(len + 1);
    ck_assert_ptr_nonnull(pt);
    for (size_t bit = 0; bit < 8 * c->taglen; bit++) {
        b[c->ctlen + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_msg(!wg_aead_decrypt(pt, b, len, c->aad, c->aadlen, counter, c->key),
                      "tc %ld: forged tag (bit %zu) accepted", c->id, bit);
        b[c->ctlen + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        n->wrapper_forgeries++;
    }
    free(b);
    free(pt);
}

START_TEST(test_chacha20poly1305_wycheproof)
{
    json_t *root = wgv_load("wycheproof-chacha20_poly1305_test.json");
    json_t *groups = wgv_array(root, "testGroups"), *g;
    size_t gi;
    aead_counts n = {0};
    json_array_foreach(groups, gi, g) {
        json_t *tests = wgv_array(g, "tests"), *t;
        size_t ti;
        json_array_foreach(tests, ti, t) {
            aead_case c;
            aead_case_load(t, &c);
            n.total++;
            bool valid = strcmp(c.result, "valid") == 0;
            ck_assert_msg(valid || strcmp(c.result, "invalid") == 0, "tc %ld: result %s", c.id, c.result);
            if (c.ivlen != crypto_aead_chacha20poly1305_ietf_NPUBBYTES) {
                /* WireGuard's (and libsodium's IETF) nonce is 96 bits; other
                 * sizes cannot be expressed through the API. Wycheproof marks
                 * all of them invalid, which is what must hold. */
                ck_assert_msg(!valid, "tc %ld: valid case with a %zu-byte nonce", c.id, c.ivlen);
                n.not_applicable++;
                aead_case_free(&c);
                continue;
            }
            ck_assert_uint_eq(c.keylen, 32);
            ck_assert_uint_eq(c.taglen, 16);
            size_t len = c.ctlen + c.taglen;
            uint8_t *b = sealed(&c), *out = malloc(len + 1);
            ck_assert_ptr_nonnull(out);
            /* Every 96-bit-nonce case through libsodium's IETF
             * construction, the call wg_aead_* is built on. */
            unsigned long long outlen = 0;
            int rc = crypto_aead_chacha20poly1305_ietf_decrypt(out, &outlen, NULL, b, len, c.aad, c.aadlen, c.iv,
                                                               c.key);
            if (valid) {
                ck_assert_msg(rc == 0, "tc %ld: valid case rejected", c.id);
                ck_assert_uint_eq(outlen, c.msglen);
                ck_assert_msg(memcmp(out, c.msg, c.msglen) == 0, "tc %ld: wrong plaintext", c.id);
                rc = crypto_aead_chacha20poly1305_ietf_encrypt(out, &outlen, c.msg, c.msglen, c.aad, c.aadlen, NULL,
                                                               c.iv, c.key);
                ck_assert_msg(rc == 0 && outlen == len && memcmp(out, b, len) == 0, "tc %ld: wrong seal", c.id);
                n.valid++;
            } else {
                ck_assert_msg(rc != 0, "tc %ld: invalid case accepted", c.id);
                n.invalid++;
            }
            /* Cases whose nonce has WireGuard's layout (4 zero bytes ||
             * LE64 counter) also run through wg_aead_*. */
            if (valid && memcmp(c.iv, "\0\0\0\0", 4) == 0) {
                uint64_t counter = 0;
                for (int i = 7; i >= 0; i--)
                    counter = counter << 8 | c.iv[4 + i];
                wg_aead_encrypt(out, c.msg, c.msglen, c.aad, c.aadlen, counter, c.key);
                ck_assert_msg(memcmp(out, b, len) == 0, "tc %ld: wg_aead_encrypt differs", c.id);
                ck_assert_msg(wg_aead_decrypt(out, b, len, c.aad, c.aadlen, counter, c.key), "tc %ld", c.id);
                ck_assert_msg(memcmp(out, c.msg, c.msglen) == 0, "tc %ld: wg_aead_decrypt plaintext", c.id);
                check_wrapper_rejects_forged_tags(&c, counter, &n);
                /* ... and the counter is part of the nonce */
                ck_assert(!wg_aead_decrypt(out, b, len, c.aad, c.aadlen, counter ^ 1, c.key));
                n.via_wrapper++;
            }
            free(b);
            free(out);
            aead_case_free(&c);
        }
    }
    ck_assert_uint_eq(n.total, (size_t)json_integer_value(wgv_get(root, "numberOfTests")));
    ck_assert_uint_gt(n.valid, 0);
    ck_assert_uint_gt(n.invalid, 0);
    ck_assert_uint_gt(n.via_wrapper, 0);
    ck_assert_uint_gt(n.wrapper_forgeries, 0);
    ck_assert_uint_eq(n.valid + n.invalid + n.not_applicable, n.total);
    json_decref(root);
}
END_TEST

START_TEST(test_xchacha20poly1305_wycheproof)
{
    json_t *root = wgv_load("wycheproof-xchacha20_poly1305_test.json");
    json_t *groups = wgv_array(root, "testGroups"), *g;
    size_t gi;
    aead_counts n = {0};
    json_array_foreach(groups, gi, g) {
        json_t *tests = wgv_array(g, "tests"), *t;
        size_t ti;
        json_array_foreach(tests, ti, t) {
            aead_case c;
            aead_case_load(t, &c);
            n.total++;
            bool valid = strcmp(c.result, "valid") == 0;
            ck_assert_msg(valid || strcmp(c.result, "invalid") == 0, "tc %ld: result %s", c.id, c.result);
            if (c.ivlen != WG_XNONCE_LEN) {
                /* the cookie-reply nonce is 24 bytes; see the ChaCha test */
                ck_assert_msg(!valid, "tc %ld: valid case with a %zu-byte nonce", c.id, c.ivlen);
                n.not_applicable++;
                aead_case_free(&c);
                continue;
            }
            ck_assert_uint_eq(c.keylen, 32);
            ck_assert_uint_eq(c.taglen, 16);
            size_t len = c.ctlen + c.taglen;
            uint8_t *b = sealed(&c), *out = malloc(len + 1);
            ck_assert_ptr_nonnull(out);
            bool ok = wg_xaead_decrypt(out, b, len, c.aad, c.aadlen, c.iv, c.key);
            if (valid) {
                ck_assert_msg(ok, "tc %ld: valid case rejected", c.id);
                ck_assert_msg(memcmp(out, c.msg, c.msglen) == 0, "tc %ld: wrong plaintext", c.id);
                wg_xaead_encrypt(out, c.msg, c.msglen, c.aad, c.aadlen, c.iv, c.key);
                ck_assert_msg(memcmp(out, b, len) == 0, "tc %ld: wrong seal", c.id);
                n.valid++;
            } else {
                ck_assert_msg(!ok, "tc %ld: invalid case accepted", c.id);
                n.invalid++;
            }
            free(b);
            free(out);
            aead_case_free(&c);
        }
    }
    ck_assert_uint_eq(n.total, (size_t)json_integer_value(wgv_get(root, "numberOfTests")));
    ck_assert_uint_gt(n.valid, 0);
    ck_assert_uint_gt(n.invalid, 0);
    ck_assert_uint_eq(n.valid + n.invalid + n.not_applicable, n.total);
    json_decref(root);
}
END_TEST

/* Too-short inputs (no room for a tag) are refused, not read past. */
START_TEST(test_aead_short_input)
{
    uint8_t key[32] = {1}, nonce[24] = {2}, buf[16] = {0}, out[16];
    ck_assert(!wg_aead_decrypt(out, buf, 15, NULL, 0, 0, key));
    ck_assert(!wg_xaead_decrypt(out, buf, 15, NULL, 0, nonce, key));
    ck_assert(!wg_aead_decrypt(out, buf, 16, NULL, 0, 0, key)); /* wrong tag of an empty message */
    wg_aead_encrypt(buf, NULL, 0, NULL, 0, 7, key);
    ck_assert(wg_aead_decrypt(out, buf, 16, NULL, 0, 7, key));
}
END_TEST

/* ---- TAI64N, base64 keys, compare ---- */

START_TEST(test_tai64n)
{
    uint8_t t[12], want[12];
    wg_tai64n(t, 0);
    wgv_unhex("400000000000000a00000000", want, 12);
    ck_assert_mem_eq(t, want, 12);
    /* 2^30 + 0.999999999 s: the nanoseconds lose their low 24 bits */
    wg_tai64n(t, (INT64_C(1) << 30) * WG_NS_PER_SEC + 999999999);
    wgv_unhex("400000004000000a3b000000", want, 12);
    ck_assert_mem_eq(t, want, 12);
    /* before the epoch: floor division */
    wg_tai64n(t, -1);
    wgv_unhex("40000000000000093b000000", want, 12);
    ck_assert_mem_eq(t, want, 12);
    /* big-endian, so later times compare greater byte-wise (the replay rule) */
    uint8_t a[12], b[12];
    wg_tai64n(a, INT64_C(1700000000) * WG_NS_PER_SEC);
    wg_tai64n(b, INT64_C(1700000000) * WG_NS_PER_SEC + 20000000);
    ck_assert_int_lt(memcmp(a, b, 12), 0);
    /* within one 2^24 ns step the timestamp does not change */
    wg_tai64n(b, INT64_C(1700000000) * WG_NS_PER_SEC + 1000000);
    ck_assert_int_eq(memcmp(a, b, 12), 0);
}
END_TEST

START_TEST(test_key_base64)
{
    uint8_t key[32], back[32];
    char b64[WG_KEY_B64_LEN];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    wg_key_to_base64(b64, key);
    ck_assert_uint_eq(strlen(b64), 44);
    ck_assert(wg_key_from_base64(back, b64));
    ck_assert_mem_eq(key, back, 32);
    ck_assert(wg_key_from_base64(back, "YJ6p1/+Wr2FjXwRE2jV0V7Mv+qNbfwBfIbzglXvNv2s="));
    ck_assert(!wg_key_from_base64(back, "YJ6p1/+Wr2FjXwRE2jV0V7Mv+qNbfwBfIbzglXvNv2s"));   /* 43 chars */
    ck_assert(!wg_key_from_base64(back, "YJ6p1/+Wr2FjXwRE2jV0V7Mv+qNbfwBfIbzglXvNv2s=="));
    ck_assert(!wg_key_from_base64(back, "YJ6p1/+Wr2FjXwRE2jV0V7Mv+qNbfwBfIbzglXvNv2!="));
    ck_assert(!wg_key_from_base64(back, NULL));
    ck_assert(!wg_key_from_base64(back, ""));
    uint8_t x[4] = {1, 2, 3, 4}, y[4] = {1, 2, 3, 5};
    ck_assert(wg_memeq(x, x, 4));
    ck_assert(!wg_memeq(x, y, 4));
    wg_memzero(x, 4);
    ck_assert(all_zero(x, 4));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crypto_vectors");
    TCase *tc = tcase_create("vectors");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_blake2s_kat);
    tcase_add_test(tc, test_kdf_vectors);
    tcase_add_test(tc, test_hmac_blake2s_long_key);
    tcase_add_test(tc, test_x25519_wycheproof);
    tcase_add_test(tc, test_x25519_public_rfc7748);
    tcase_add_test(tc, test_chacha20poly1305_wycheproof);
    tcase_add_test(tc, test_xchacha20poly1305_wycheproof);
    tcase_add_test(tc, test_aead_short_input);
    tcase_add_test(tc, test_tai64n);
    tcase_add_test(tc, test_key_base64);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
