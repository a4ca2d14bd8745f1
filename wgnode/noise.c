/*
 * noise.c — Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s and the WireGuard
 * handshake on top of it.
 *
 * The symmetric-state operations follow the Noise spec (§5.2) specialised to
 * the IKpsk2 pattern, and the message processing follows the whitepaper
 * §5.4.2–§5.4.5 step by step. Where the spec's MixKey would produce a
 * cipher key that the pattern overwrites before using it (the `e` tokens and
 * ee/se), only the chaining key is derived (KDF1), exactly as the whitepaper
 * writes those steps: the bytes are identical and one HMAC is saved.
 */
#include "wgnode/noise.h"

#include "wgnode/messages.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Symmetric state                                                    */
/* ------------------------------------------------------------------ */

static void mix_hash(uint8_t h[WG_HASH_LEN], const uint8_t *data, size_t len)
{
    wg_hash2(h, h, WG_HASH_LEN, data, len);
}

/* ck = KDF1(ck, in): the MixKey whose cipher key is never used. */
static void mix_ck(uint8_t ck[WG_HASH_LEN], const uint8_t *in, size_t len)
{
    wg_kdf(ck, NULL, NULL, ck, WG_HASH_LEN, in, len);
}

/* (ck, k) = KDF2(ck, in): MixKey (Noise §5.2). */
static void mix_key(uint8_t ck[WG_HASH_LEN], uint8_t k[WG_KEY_LEN], const uint8_t *in, size_t len)
{
    wg_kdf(ck, k, NULL, ck, WG_HASH_LEN, in, len);
}

/* MixKey(DH(priv, pub)); k may be NULL (KDF1). An all-zero DH result fails:
 * WireGuard refuses low-order points (whitepaper §5.4: "DH ... must reject"
 * all-zero; Linux noise.c mix_dh). */
static bool mix_dh(uint8_t ck[WG_HASH_LEN], uint8_t *k, const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN])
{
    uint8_t dh[WG_KEY_LEN];
    bool ok = wg_x25519(dh, priv, pub);
    if (ok)
        wg_kdf(ck, k, NULL, ck, WG_HASH_LEN, dh, sizeof dh);
    wg_memzero(dh, sizeof dh);
    return ok;
}

static bool is_zero(const uint8_t *p, size_t len)
{
    static const uint8_t zero[WG_KEY_LEN];
    return len <= sizeof zero && wg_memeq(p, zero, len);
}

/* The ss step: precomputed when the caller has it (a per-peer constant),
 * else computed. Linux noise.c mix_precomputed_dh refuses an all-zero value. */
static bool mix_ss(uint8_t ck[WG_HASH_LEN], uint8_t k[WG_KEY_LEN], const uint8_t *ss, const uint8_t *s_priv,
                   const uint8_t rs[WG_KEY_LEN])
{
    if (!ss)
        return s_priv && mix_dh(ck, k, s_priv, rs);
    if (is_zero(ss, WG_KEY_LEN))
        return false;
    mix_key(ck, k, ss, WG_KEY_LEN);
    return true;
}

/* EncryptAndHash with a key fresh from MixKey: in IKpsk2 every key encrypts
 * exactly one field, so the nonce is always 0. */
static void encrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t k[WG_KEY_LEN],
                             uint8_t h[WG_HASH_LEN])
{
    wg_aead_encrypt(dst, src, len, h, WG_HASH_LEN, 0, k);
    mix_hash(h, dst, len + WG_AEAD_TAG_LEN);
}

static bool decrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len /* incl. tag */,
                             const uint8_t k[WG_KEY_LEN], uint8_t h[WG_HASH_LEN])
{
    if (!wg_aead_decrypt(dst, src, len, h, WG_HASH_LEN, 0, k))
        return false;
    mix_hash(h, src, len);
    return true;
}

/* The psk token: (ck, tau, k) = KDF3(ck, psk); MixHash(tau)
 * (Noise §5.2 MixKeyAndHash, whitepaper §5.4.3). */
static void mix_psk(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN], uint8_t k[WG_KEY_LEN],
                    const uint8_t psk[WG_KEY_LEN])
{
    uint8_t tau[WG_HASH_LEN];
    wg_kdf(ck, tau, k, ck, WG_HASH_LEN, psk, WG_KEY_LEN);
    mix_hash(h, tau, sizeof tau);
    wg_memzero(tau, sizeof tau);
}

/* ------------------------------------------------------------------ */
/* Generic IKpsk2                                                     */
/* ------------------------------------------------------------------ */

void wg_noise_params_init(wg_noise_params *p, const uint8_t *protocol_name, size_t name_len,
                          const uint8_t *prologue, size_t prologue_len)
{
    /* InitializeSymmetric: a name longer than HASHLEN is hashed, a shorter
     * one is zero-padded (Noise §5.2); ck = h. */
    memset(p, 0, sizeof *p);
    if (name_len <= WG_HASH_LEN)
        memcpy(p->h, protocol_name, name_len);
    else
        wg_blake2s(p->h, WG_HASH_LEN, protocol_name, name_len, NULL, 0);
    memcpy(p->ck, p->h, WG_HASH_LEN);
    mix_hash(p->h, prologue, prologue_len);
}

/* HASH(CONSTRUCTION) and HASH(HASH(CONSTRUCTION) || IDENTIFIER); the
 * conformance notes give their first bytes (60e26dae, 2211b361) and
 * test_noise_vector recomputes them. */
const wg_noise_params wg_noise_wireguard_params = {
    .ck = {0x60, 0xe2, 0x6d, 0xae, 0xf3, 0x27, 0xef, 0xc0, 0x2e, 0xc3, 0x35, 0xe2, 0xa0, 0x25, 0xd2, 0xd0,
           0x16, 0xeb, 0x42, 0x06, 0xf8, 0x72, 0x77, 0xf5, 0x2d, 0x38, 0xd1, 0x98, 0x8b, 0x78, 0xcd, 0x36},
    .h = {0x22, 0x11, 0xb3, 0x61, 0x08, 0x1a, 0xc5, 0x66, 0x69, 0x12, 0x43, 0xdb, 0x45, 0x8a, 0xd5, 0x32,
          0x2d, 0x9c, 0x6c, 0x66, 0x22, 0x93, 0xe8, 0xb7, 0x0e, 0xe1, 0x9c, 0x65, 0xba, 0x07, 0x9e, 0xf3},
};

bool wg_noise_write_msg1(wg_noise_hs *hs, const wg_noise_params *p, const uint8_t s_priv[WG_KEY_LEN],
                         const uint8_t s_pub[WG_KEY_LEN], const uint8_t rs[WG_KEY_LEN],
                         const uint8_t e_priv[WG_KEY_LEN], const uint8_t *ss, const uint8_t *payload, size_t plen,
                         uint8_t *out)
{
    uint8_t k[WG_KEY_LEN];
    memset(hs, 0, sizeof *hs);
    memcpy(hs->ck, p->ck, WG_HASH_LEN);
    memcpy(hs->h, p->h, WG_HASH_LEN);
    memcpy(hs->rs, rs, WG_KEY_LEN);
    memcpy(hs->e_priv, e_priv, WG_KEY_LEN);
    /* pre-message: <- s */
    mix_hash(hs->h, rs, WG_KEY_LEN);
    /* e (with the psk modifier, e.pub also goes into MixKey, Noise §9.2) */
    uint8_t *e_pub = out;
    wg_x25519_public(e_pub, e_priv);
    mix_hash(hs->h, e_pub, WG_KEY_LEN);
    mix_ck(hs->ck, e_pub, WG_KEY_LEN);
    /* es */
    bool ok = mix_dh(hs->ck, k, e_priv, rs);
    /* s */
    if (ok)
        encrypt_and_hash(out + WG_KEY_LEN, s_pub, WG_KEY_LEN, k, hs->h);
    /* ss */
    ok = ok && mix_ss(hs->ck, k, ss, s_priv, rs);
    /* payload */
    if (ok)
        encrypt_and_hash(out + WG_NOISE_MSG1_STATIC_PART, payload, plen, k, hs->h);
    wg_memzero(k, sizeof k);
    if (!ok)
        wg_memzero(hs, sizeof *hs);
    return ok;
}

bool wg_noise_read_msg1_static(wg_noise_hs *hs, const wg_noise_params *p, const uint8_t s_priv[WG_KEY_LEN],
                               const uint8_t s_pub[WG_KEY_LEN], const uint8_t *msg)
{
    uint8_t k[WG_KEY_LEN];
    memset(hs, 0, sizeof *hs);
    memcpy(hs->ck, p->ck, WG_HASH_LEN);
    memcpy(hs->h, p->h, WG_HASH_LEN);
    mix_hash(hs->h, s_pub, WG_KEY_LEN);
    /* e */
    memcpy(hs->re, msg, WG_KEY_LEN);
    mix_hash(hs->h, hs->re, WG_KEY_LEN);
    mix_ck(hs->ck, hs->re, WG_KEY_LEN);
    /* es */
    bool ok = mix_dh(hs->ck, k, s_priv, hs->re);
    /* s */
    ok = ok && decrypt_and_hash(hs->rs, msg + WG_KEY_LEN, WG_KEY_LEN + WG_AEAD_TAG_LEN, k, hs->h);
    wg_memzero(k, sizeof k);
    if (!ok)
        wg_memzero(hs, sizeof *hs);
    return ok;
}

bool wg_noise_read_msg1_payload(wg_noise_hs *hs, const uint8_t s_priv[WG_KEY_LEN], const uint8_t *ss,
                                const uint8_t *enc, size_t enc_len, uint8_t *payload_out)
{
    uint8_t k[WG_KEY_LEN];
    bool ok = mix_ss(hs->ck, k, ss, s_priv, hs->rs) && decrypt_and_hash(payload_out, enc, enc_len, k, hs->h);
    wg_memzero(k, sizeof k);
    if (!ok)
        wg_memzero(hs, sizeof *hs);
    return ok;
}

bool wg_noise_write_msg2(wg_noise_hs *hs, const uint8_t e_priv[WG_KEY_LEN], const uint8_t psk[WG_KEY_LEN],
                         const uint8_t *payload, size_t plen, uint8_t *out)
{
    uint8_t k[WG_KEY_LEN];
    /* e */
    uint8_t *e_pub = out;
    wg_x25519_public(e_pub, e_priv);
    mix_hash(hs->h, e_pub, WG_KEY_LEN);
    mix_ck(hs->ck, e_pub, WG_KEY_LEN);
    /* ee, se (the responder's side of se is DH(e, rs)) */
    bool ok = mix_dh(hs->ck, NULL, e_priv, hs->re) && mix_dh(hs->ck, NULL, e_priv, hs->rs);
    /* psk, payload */
    if (ok) {
        mix_psk(hs->ck, hs->h, k, psk);
        encrypt_and_hash(out + WG_KEY_LEN, payload, plen, k, hs->h);
    }
    wg_memzero(k, sizeof k);
    if (!ok)
        wg_memzero(hs, sizeof *hs);
    return ok;
}

bool wg_noise_read_msg2(wg_noise_hs *hs, const uint8_t s_priv[WG_KEY_LEN], const uint8_t psk[WG_KEY_LEN],
                        const uint8_t *msg, size_t len, uint8_t *payload_out)
{
    uint8_t k[WG_KEY_LEN];
    if (len < WG_NOISE_MSG2_LEN(0)) {
        wg_memzero(hs, sizeof *hs);
        return false;
    }
    /* e */
    memcpy(hs->re, msg, WG_KEY_LEN);
    mix_hash(hs->h, hs->re, WG_KEY_LEN);
    mix_ck(hs->ck, hs->re, WG_KEY_LEN);
    /* ee, se (the initiator's side of se is DH(s, re)) */
    bool ok = mix_dh(hs->ck, NULL, hs->e_priv, hs->re) && mix_dh(hs->ck, NULL, s_priv, hs->re);
    if (ok) {
        mix_psk(hs->ck, hs->h, k, psk);
        ok = decrypt_and_hash(payload_out, msg + WG_KEY_LEN, len - WG_KEY_LEN, k, hs->h);
    }
    wg_memzero(k, sizeof k);
    if (!ok)
        wg_memzero(hs, sizeof *hs);
    return ok;
}

void wg_noise_split(wg_noise_hs *hs, uint8_t k_i2r[WG_KEY_LEN], uint8_t k_r2i[WG_KEY_LEN],
                    uint8_t handshake_hash[WG_HASH_LEN])
{
    /* Split: (k1, k2) = HKDF(ck, zero-length input) (Noise §5.2; whitepaper
     * §5.4.5 T_send/T_recv = KDF2(C, ε)). */
    wg_kdf(k_i2r, k_r2i, NULL, hs->ck, WG_HASH_LEN, NULL, 0);
    if (handshake_hash)
        memcpy(handshake_hash, hs->h, WG_HASH_LEN);
    wg_memzero(hs, sizeof *hs);
}

/* ------------------------------------------------------------------ */
/* WireGuard layer                                                    */
/* ------------------------------------------------------------------ */

static const uint8_t label_mac1[8] = {'m', 'a', 'c', '1', '-', '-', '-', '-'};
static const uint8_t label_cookie[8] = {'c', 'o', 'o', 'k', 'i', 'e', '-', '-'};

void wg_pubkey_init(wg_pubkey *pk, const uint8_t key[WG_KEY_LEN])
{
    memmove(pk->key, key, WG_KEY_LEN);
    wg_hash2(pk->mac1_key, label_mac1, sizeof label_mac1, pk->key, WG_KEY_LEN);
    wg_hash2(pk->cookie_key, label_cookie, sizeof label_cookie, pk->key, WG_KEY_LEN);
}

void wg_identity_init(wg_identity *id, const uint8_t priv[WG_KEY_LEN])
{
    uint8_t pub[WG_KEY_LEN];
    memmove(id->priv, priv, WG_KEY_LEN);
    wg_key_clamp(id->priv);
    wg_x25519_public(pub, id->priv);
    wg_pubkey_init(&id->pub, pub);
}

void wg_identity_clear(wg_identity *id) { wg_memzero(id, sizeof *id); }

const char *wg_hs_state_name(wg_hs_state s)
{
    switch (s) {
    case WG_HS_ZEROED:
        return "zeroed";
    case WG_HS_CREATED_INITIATION:
        return "created-initiation";
    case WG_HS_CONSUMED_INITIATION:
        return "consumed-initiation";
    case WG_HS_CREATED_RESPONSE:
        return "created-response";
    case WG_HS_CONSUMED_RESPONSE:
        return "consumed-response";
    }
    return "?";
}

void wg_handshake_set_identity(wg_handshake *hs, const wg_identity *local)
{
    /* A low-order remote key gives an all-zero ss; it stays zero so every
     * handshake with that peer fails (Linux wg_noise_precompute_static_static). */
    if (!wg_x25519(hs->ss, local->priv, hs->remote.key))
        wg_memzero(hs->ss, sizeof hs->ss);
    wg_handshake_clear(hs);
}

void wg_handshake_set_psk(wg_handshake *hs, const uint8_t psk[WG_KEY_LEN])
{
    if (psk)
        memcpy(hs->psk, psk, WG_KEY_LEN);
    else
        wg_memzero(hs->psk, sizeof hs->psk);
}

void wg_handshake_init(wg_handshake *hs, const wg_identity *local, const uint8_t remote_pub[WG_KEY_LEN],
                       const uint8_t psk[WG_KEY_LEN])
{
    uint8_t key[WG_KEY_LEN];
    memcpy(key, remote_pub, WG_KEY_LEN); /* remote_pub may point into *hs */
    wg_memzero(hs, sizeof *hs);
    wg_pubkey_init(&hs->remote, key);
    wg_handshake_set_psk(hs, psk);
    hs->last_initiation_consumption = WG_TIME_NEVER;
    wg_handshake_set_identity(hs, local);
}

void wg_handshake_clear(wg_handshake *hs)
{
    wg_memzero(&hs->noise, sizeof hs->noise);
    hs->state = WG_HS_ZEROED;
    hs->local_index = 0;
    hs->remote_index = 0;
}

void wg_handshake_destroy(wg_handshake *hs) { wg_memzero(hs, sizeof *hs); }

bool wg_handshake_create_initiation(wg_handshake *hs, const wg_identity *local, const uint8_t e_priv[WG_KEY_LEN],
                                    uint32_t sender_index, const uint8_t timestamp[WG_TIMESTAMP_LEN],
                                    uint8_t msg[WG_INITIATION_LEN])
{
    wg_handshake_clear(hs);
    memset(msg, 0, WG_INITIATION_LEN);
    wg_msg_header_write(msg, WG_MSG_INITIATION);
    wg_le32_write(msg + WG_INIT_OFF_SENDER, sender_index);
    if (!wg_noise_write_msg1(&hs->noise, &wg_noise_wireguard_params, local->priv, local->pub.key, hs->remote.key,
                             e_priv, hs->ss, timestamp, WG_TIMESTAMP_LEN, msg + WG_INIT_OFF_EPHEMERAL)) {
        wg_handshake_clear(hs);
        memset(msg, 0, WG_INITIATION_LEN);
        return false;
    }
    hs->state = WG_HS_CREATED_INITIATION;
    hs->local_index = sender_index;
    return true;
}

bool wg_handshake_open_initiation(wg_initiation_open *op, const wg_identity *local,
                                  const uint8_t msg[WG_INITIATION_LEN])
{
    memset(op, 0, sizeof *op);
    if (wg_le32_read(msg) != WG_MSG_INITIATION)
        return false;
    op->sender_index = wg_le32_read(msg + WG_INIT_OFF_SENDER);
    if (!wg_noise_read_msg1_static(&op->noise, &wg_noise_wireguard_params, local->priv, local->pub.key,
                                   msg + WG_INIT_OFF_EPHEMERAL)) {
        wg_memzero(op, sizeof *op);
        return false;
    }
    return true;
}

wg_drop_reason wg_handshake_consume_initiation(wg_handshake *hs, wg_initiation_open *op,
                                               const uint8_t msg[WG_INITIATION_LEN], int64_t now)
{
    uint8_t ts[WG_TIMESTAMP_LEN];
    wg_drop_reason r = WG_DROP_NONE;
    if (!wg_memeq(op->noise.rs, hs->remote.key, WG_KEY_LEN))
        r = WG_DROP_UNKNOWN_PEER;
    else if (!wg_noise_read_msg1_payload(&op->noise, NULL, hs->ss, msg + WG_INIT_OFF_TIMESTAMP,
                                         WG_TIMESTAMP_LEN + WG_AEAD_TAG_LEN, ts))
        r = WG_DROP_HANDSHAKE_DECRYPT;
    /* Replay: TAI64N is big-endian, so byte order is time order; only a
     * strictly newer timestamp is accepted (whitepaper §5.1; Linux noise.c
     * wg_noise_handshake_consume_initiation "replay_attack"). */
    else if (memcmp(ts, hs->latest_timestamp, WG_TIMESTAMP_LEN) <= 0)
        r = WG_DROP_REPLAYED_TIMESTAMP;
    /* Flood: at most INITIATIONS_PER_SECOND accepted per peer ("flood_attack"). */
    else if (hs->last_initiation_consumption != WG_TIME_NEVER &&
             now - hs->last_initiation_consumption < WG_INITIATION_MIN_INTERVAL)
        r = WG_DROP_RATE_LIMITED;

    if (r == WG_DROP_NONE) {
        /* Commit; a pending initiation of ours is replaced, as in Linux
         * (one handshake per peer; the newer one wins). */
        memcpy(hs->latest_timestamp, ts, WG_TIMESTAMP_LEN);
        hs->last_initiation_consumption = now;
        hs->noise = op->noise;
        wg_memzero(hs->noise.e_priv, WG_KEY_LEN);
        hs->state = WG_HS_CONSUMED_INITIATION;
        hs->remote_index = op->sender_index;
        hs->local_index = 0;
    }
    wg_memzero(ts, sizeof ts);
    wg_memzero(op, sizeof *op);
    return r;
}

bool wg_handshake_create_response(wg_handshake *hs, const uint8_t e_priv[WG_KEY_LEN], uint32_t sender_index,
                                  uint8_t msg[WG_RESPONSE_LEN])
{
    memset(msg, 0, WG_RESPONSE_LEN);
    if (hs->state != WG_HS_CONSUMED_INITIATION)
        return false;
    wg_msg_header_write(msg, WG_MSG_RESPONSE);
    wg_le32_write(msg + WG_RESP_OFF_SENDER, sender_index);
    wg_le32_write(msg + WG_RESP_OFF_RECEIVER, hs->remote_index);
    if (!wg_noise_write_msg2(&hs->noise, e_priv, hs->psk, NULL, 0, msg + WG_RESP_OFF_EPHEMERAL)) {
        wg_handshake_clear(hs);
        memset(msg, 0, WG_RESPONSE_LEN);
        return false;
    }
    hs->state = WG_HS_CREATED_RESPONSE;
    hs->local_index = sender_index;
    return true;
}

wg_drop_reason wg_handshake_consume_response(wg_handshake *hs, const wg_identity *local,
                                             const uint8_t msg[WG_RESPONSE_LEN])
{
    if (wg_le32_read(msg) != WG_MSG_RESPONSE)
        return WG_DROP_BAD_TYPE;
    if (hs->state != WG_HS_CREATED_INITIATION || wg_le32_read(msg + WG_RESP_OFF_RECEIVER) != hs->local_index)
        return WG_DROP_UNKNOWN_INDEX;
    wg_noise_hs n = hs->noise;
    uint8_t empty[1];
    if (!wg_noise_read_msg2(&n, local->priv, hs->psk, msg + WG_RESP_OFF_EPHEMERAL, WG_NOISE_MSG2_LEN(0), empty)) {
        wg_memzero(&n, sizeof n);
        return WG_DROP_HANDSHAKE_DECRYPT;
    }
    hs->noise = n;
    wg_memzero(&n, sizeof n);
    wg_memzero(hs->noise.e_priv, WG_KEY_LEN);
    hs->remote_index = wg_le32_read(msg + WG_RESP_OFF_SENDER);
    hs->state = WG_HS_CONSUMED_RESPONSE;
    return WG_DROP_NONE;
}

bool wg_handshake_derive_session(wg_handshake *hs, wg_session_keys *out)
{
    bool initiator;
    if (hs->state == WG_HS_CONSUMED_RESPONSE)
        initiator = true;
    else if (hs->state == WG_HS_CREATED_RESPONSE)
        initiator = false;
    else
        return false;
    uint8_t i2r[WG_KEY_LEN], r2i[WG_KEY_LEN];
    wg_noise_split(&hs->noise, i2r, r2i, NULL);
    memcpy(out->send, initiator ? i2r : r2i, WG_KEY_LEN);
    memcpy(out->recv, initiator ? r2i : i2r, WG_KEY_LEN);
    out->local_index = hs->local_index;
    out->remote_index = hs->remote_index;
    out->initiator = initiator;
    wg_memzero(i2r, sizeof i2r);
    wg_memzero(r2i, sizeof r2i);
    wg_handshake_clear(hs);
    return true;
}
