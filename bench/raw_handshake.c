/*
 * raw_handshake.c — the primitive operations of one handshake message,
 * made raw (whitepaper §5.4; the KDF message lengths as in bench_wg.c:
 * KDF1 = HMAC of n and 1 bytes, each further output one HMAC of 33 bytes):
 *   initiation: X25519 1 DH (es; ss is precomputed per peer), plus the
 *               ephemeral public key when made; AEAD 32 B (static) and
 *               12 B (timestamp); HMAC 8 (mix_key e: KDF1, mix_dh es and
 *               ss: KDF2 each); MixHash 4 (rs, e, static, timestamp: 64,
 *               64, 80, 60 bytes); mac1 over 116 bytes.
 *   response:   X25519 2 DH (ee, se), plus the ephemeral public key when
 *               made; AEAD 0 B; HMAC 10 (KDF1 e, ee, se; KDF3 psk) and 3
 *               for the session keys (KDF2 of nothing); MixHash 3 (e, tau,
 *               empty: 64, 64, 48); mac1 over 60 bytes.
 */
#include "bench/raw_handshake.h"

#include <blake2.h>
#include <sodium.h>
#include <string.h>

#include "wgnode/wgnode.h"

static const uint8_t init_kdf[] = {32, 1, 32, 1, 33, 32, 1, 33};
static const uint8_t resp_kdf[] = {32, 1, 32, 1, 32, 1, 32, 1, 33, 33, 0, 1, 33};
static const uint8_t init_mix[] = {64, 64, 80, 60};
static const uint8_t resp_mix[] = {64, 64, 48};
static const uint8_t zero_nonce[12];

static void raw_hmac(bench_raw_hs *r, size_t msglen)
{
    /* HMAC = H(K^opad || H(K^ipad || m)): two BLAKE2s calls. */
    blake2s(r->out, r->buf, NULL, 32, 64 + msglen, 0);
    blake2s(r->out, r->buf, NULL, 32, 64 + 32, 0);
}

void bench_raw_hs_init(bench_raw_hs *r)
{
    memset(r, 0x5a, sizeof *r);
    wg_key_clamp(r->priv);
    crypto_scalarmult_curve25519_base(r->pub, r->priv);
    static const size_t hs_lens[3] = {32, 12, 0};
    unsigned long long n;
    for (int k = 0; k < 3; k++)
        crypto_aead_chacha20poly1305_ietf_encrypt(r->sealed_hs[k], &n, r->buf, hs_lens[k], r->ad, 32, NULL,
                                                  zero_nonce, r->key);
}

bool bench_raw_hs_message(bench_raw_hs *r, bool response, bool made, uint64_t calls[4])
{
    uint64_t ignored[4];
    if (!calls)
        calls = ignored;
    bool ok = true;
    unsigned long long n;
    if (made) {
        crypto_scalarmult_curve25519_base(r->out, r->priv);
        calls[1]++;
    }
    for (int k = 0; k < (response ? 2 : 1); k++)
        ok &= crypto_scalarmult_curve25519(r->out, r->priv, r->pub) == 0;
    calls[0] += response ? 2 : 1;
    static const size_t init_aead[] = {32, 12};
    static const size_t resp_aead[] = {0};
    const size_t *lens = response ? resp_aead : init_aead;
    for (int k = 0; k < (response ? 1 : 2); k++) {
        int which = response ? 2 : k;
        if (made)
            crypto_aead_chacha20poly1305_ietf_encrypt(r->ct, &n, r->buf, lens[k], r->ad, 32, NULL, zero_nonce,
                                                      r->key);
        else
            ok &= crypto_aead_chacha20poly1305_ietf_decrypt(r->ct, &n, NULL, r->sealed_hs[which], lens[k] + 16,
                                                            r->ad, 32, zero_nonce, r->key) == 0;
        calls[2]++;
    }
    const uint8_t *kdf = response ? resp_kdf : init_kdf;
    size_t n_kdf = response ? sizeof resp_kdf : sizeof init_kdf;
    for (size_t k = 0; k < n_kdf; k++)
        raw_hmac(r, kdf[k]);
    const uint8_t *mix = response ? resp_mix : init_mix;
    size_t n_mix = response ? sizeof resp_mix : sizeof init_mix;
    for (size_t k = 0; k < n_mix; k++)
        blake2s(r->out, r->buf, NULL, 32, mix[k], 0);
    blake2s(r->out, r->buf, r->key, 16, response ? 60 : 116, 32);
    calls[3] += 2 * n_kdf + n_mix + 1;
    return ok;
}
