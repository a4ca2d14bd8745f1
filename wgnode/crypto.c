/*
 * crypto.c — the primitives WireGuard is built from, all delegated to
 * libsodium (X25519, ChaCha20-Poly1305, XChaCha20-Poly1305, constant-time
 * compare, zeroing, base64) and libb2 (BLAKE2s, which libsodium lacks).
 * Only the constructions the whitepaper defines on top of them live here:
 * HMAC-BLAKE2s, the HKDF-style KDF_n, the 96-bit nonce layout, TAI64N.
 */
#include "wgnode/wgnode.h"
#include "wgnode/noise.h"

#include <blake2.h>
#include <sodium.h>
#include <string.h>

int wg_crypto_init(void) { return sodium_init() < 0 ? -1 : 0; }

void wg_blake2s(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen, const uint8_t *key, size_t keylen)
{
    /* libb2 rejects NULL pointers even for zero lengths. */
    static const uint8_t empty[1];
    blake2s(out, in ? in : empty, keylen ? key : NULL, outlen, inlen, keylen);
}

void wg_hash2(uint8_t out[WG_HASH_LEN], const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    /* Both inputs are absorbed before out is written, so out may alias them. */
    blake2s_state st;
    blake2s_init(&st, WG_HASH_LEN);
    if (alen)
        blake2s_update(&st, a, alen);
    if (blen)
        blake2s_update(&st, b, blen);
    blake2s_final(&st, out, WG_HASH_LEN);
    wg_memzero(&st, sizeof st); /* it held tau in the psk step */
}

enum { BLAKE2S_BLOCK = 64 };

void wg_hmac_blake2s(uint8_t out[WG_HASH_LEN], const uint8_t *key, size_t keylen, const uint8_t *in, size_t inlen)
{
    uint8_t k[BLAKE2S_BLOCK] = {0}, pad[BLAKE2S_BLOCK], inner[WG_HASH_LEN];
    if (keylen > BLAKE2S_BLOCK)
        wg_blake2s(k, WG_HASH_LEN, key, keylen, NULL, 0);
    else if (keylen)
        memcpy(k, key, keylen);

    blake2s_state st;
    for (int i = 0; i < BLAKE2S_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    blake2s_init(&st, WG_HASH_LEN);
    blake2s_update(&st, pad, BLAKE2S_BLOCK);
    if (inlen)
        blake2s_update(&st, in, inlen);
    blake2s_final(&st, inner, WG_HASH_LEN);

    for (int i = 0; i < BLAKE2S_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    blake2s_init(&st, WG_HASH_LEN);
    blake2s_update(&st, pad, BLAKE2S_BLOCK);
    blake2s_update(&st, inner, WG_HASH_LEN);
    blake2s_final(&st, out, WG_HASH_LEN);

    wg_memzero(k, sizeof k);
    wg_memzero(pad, sizeof pad);
    wg_memzero(inner, sizeof inner);
    wg_memzero(&st, sizeof st);
}

void wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t *key, size_t keylen, const uint8_t *input,
            size_t inlen)
{
    /* T0 = HMAC(key, input); Ti = HMAC(T0, T(i-1) || i). */
    uint8_t t0[WG_HASH_LEN], prev[WG_HASH_LEN + 1];
    wg_hmac_blake2s(t0, key, keylen, input, inlen);
    uint8_t *outs[3] = {t1, t2, t3};
    size_t prevlen = 0;
    for (int i = 0; i < 3 && outs[i]; i++) {
        prev[prevlen] = (uint8_t)(i + 1);
        wg_hmac_blake2s(prev, t0, WG_HASH_LEN, prev, prevlen + 1);
        prevlen = WG_HASH_LEN;
        memcpy(outs[i], prev, WG_HASH_LEN);
    }
    wg_memzero(t0, sizeof t0);
    wg_memzero(prev, sizeof prev);
}

bool wg_x25519(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN])
{
    /* libsodium returns -1 for an all-zero result (a low-order public key);
     * WireGuard refuses such a handshake. */
    return crypto_scalarmult_curve25519(out, priv, pub) == 0;
}

void wg_x25519_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
    crypto_scalarmult_curve25519_base(pub, priv);
}

void wg_key_clamp(uint8_t priv[WG_KEY_LEN])
{
    priv[0] &= 248;
    priv[31] = (priv[31] & 127) | 64;
}

static void wg_nonce(uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES], uint64_t counter)
{
    memset(nonce, 0, 4);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

void wg_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen, uint64_t counter,
                     const uint8_t key[WG_KEY_LEN])
{
    uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
    wg_nonce(nonce, counter);
    crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool wg_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen, uint64_t counter,
                     const uint8_t key[WG_KEY_LEN])
{
    if (len < WG_AEAD_TAG_LEN)
        return false;
    uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
    wg_nonce(nonce, counter);
    return crypto_aead_chacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, len, ad, adlen, nonce, key) == 0;
}

void wg_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
                      const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN])
{
    crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad, adlen, NULL, nonce, key);
}

bool wg_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
                      const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN])
{
    if (len < WG_AEAD_TAG_LEN)
        return false;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, len, ad, adlen, nonce, key) == 0;
}

bool wg_memeq(const void *a, const void *b, size_t len) { return sodium_memcmp(a, b, len) == 0; }

void wg_memzero(void *p, size_t len) { sodium_memzero(p, len); }

void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], int64_t unix_ns)
{
    /* TAI64 label 2^62 + 10 (the TAI-UTC offset the WireGuard
     * implementations use) plus the seconds; the nanoseconds lose their
     * low 24 bits so the timestamp does not leak fine timing. */
    int64_t sec = unix_ns / WG_NS_PER_SEC, nsec = unix_ns % WG_NS_PER_SEC;
    if (nsec < 0) {
        sec -= 1;
        nsec += WG_NS_PER_SEC;
    }
    uint64_t s = UINT64_C(0x400000000000000a) + (uint64_t)sec;
    uint32_t n = (uint32_t)nsec & ~UINT32_C(0xffffff);
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(s >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        out[8 + i] = (uint8_t)(n >> (24 - 8 * i));
}

bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
    size_t len = 0;
    const char *end = NULL;
    if (!b64 || strlen(b64) != 44)
        return false;
    uint8_t tmp[WG_KEY_LEN + 1];
    if (sodium_base642bin(tmp, sizeof tmp, b64, 44, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != WG_KEY_LEN || *end != '\0')
        return false;
    memcpy(key, tmp, WG_KEY_LEN);
    wg_memzero(tmp, sizeof tmp);
    return true;
}

void wg_key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN])
{
    sodium_bin2base64(out, WG_KEY_B64_LEN, key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}
