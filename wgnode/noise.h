/*
 * noise.h — the Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s handshake (internal to
 * libwgnode), in two layers:
 *
 *  1. a generic IKpsk2 core (wg_noise_*) whose protocol name and prologue are
 *     parameters and whose payloads have any length, so the cacophony test
 *     vector (prologue "John Galt") runs through the same code as WireGuard;
 *  2. the WireGuard layer (wg_identity, wg_pubkey, wg_handshake_*): the
 *     construction/identifier of the whitepaper §5.4, the 148-byte initiation
 *     and 92-byte response, TAI64N replay protection, session derivation.
 *
 * Sans-I/O: ephemeral private keys, indexes, timestamps and `now` all come
 * from the caller. Nothing here reads a clock or a random source. mac1/mac2
 * are NOT computed here: the caller adds them with wg_cookie_add_macs()
 * (cookie.h) after creating a message and checks them with
 * wg_cookie_validate() before consuming one, as Linux
 * drivers/net/wireguard/{noise,cookie}.c split it.
 *
 * Every function that fails leaves no partial secret behind in its outputs;
 * consuming functions work on a copy and commit only on success, so a forged
 * or tampered message never disturbs a pending handshake.
 */
#ifndef WGNODE_NOISE_H
#define WGNODE_NOISE_H

#include "wgnode/wgnode.h"

/* HASH(a || b), BLAKE2s-256 without concatenating (crypto.c, libb2's
 * incremental interface). out may alias a or b. */
void wg_hash2(uint8_t out[WG_HASH_LEN], const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ------------------------------------------------------------------ */
/* Generic Noise IKpsk2 core                                          */
/* ------------------------------------------------------------------ */

/* The symmetric state right after InitializeSymmetric(protocol_name) and
 * MixHash(prologue) (Noise spec §5.2, §5.3): the same for every handshake
 * of a protocol, so it is computed once. */
typedef struct wg_noise_params {
    uint8_t ck[WG_HASH_LEN];
    uint8_t h[WG_HASH_LEN];
} wg_noise_params;

void wg_noise_params_init(wg_noise_params *p, const uint8_t *protocol_name, size_t name_len,
                          const uint8_t *prologue, size_t prologue_len);

/* WireGuard's parameters: CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
 * and prologue IDENTIFIER "WireGuard v1 zx2c4 Jason@zx2c4.com" (whitepaper
 * §5.4). Precomputed constants (read-only data; test_noise_vector checks
 * them against wg_noise_params_init). */
extern const wg_noise_params wg_noise_wireguard_params;
#define WG_NOISE_CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define WG_NOISE_IDENTIFIER "WireGuard v1 zx2c4 Jason@zx2c4.com"

/* Handshake state between messages. */
typedef struct wg_noise_hs {
    uint8_t ck[WG_HASH_LEN]; /* chaining key */
    uint8_t h[WG_HASH_LEN];  /* handshake hash */
    uint8_t e_priv[WG_KEY_LEN]; /* local ephemeral private key */
    uint8_t re[WG_KEY_LEN];  /* remote ephemeral public key */
    uint8_t rs[WG_KEY_LEN];  /* remote static public key */
} wg_noise_hs;

/* Message sizes for a payload of n bytes. */
#define WG_NOISE_MSG1_LEN(n) (WG_KEY_LEN + WG_KEY_LEN + WG_AEAD_TAG_LEN + (n) + WG_AEAD_TAG_LEN)
#define WG_NOISE_MSG1_STATIC_PART (WG_KEY_LEN + WG_KEY_LEN + WG_AEAD_TAG_LEN) /* e || ENC(s) = 80 */
#define WG_NOISE_MSG2_LEN(n) (WG_KEY_LEN + (n) + WG_AEAD_TAG_LEN)

/* `ss` arguments: a precomputed DH(static, remote static), or NULL to compute
 * it here. A precomputed all-zero value (low-order remote key) fails the
 * handshake, as an all-zero DH computed here does (Linux noise.c
 * mix_precomputed_dh). */

/* Initiator, message 1: -> e, es, s, ss, ENC(payload).
 * Starts from params, mixes the responder's static `rs` as the pre-message,
 * writes WG_NOISE_MSG1_LEN(plen) bytes to out. s_pub must be X25519(s_priv).
 * false: a DH result was all zero (hs is then wiped). */
bool wg_noise_write_msg1(wg_noise_hs *hs, const wg_noise_params *p, const uint8_t s_priv[WG_KEY_LEN],
                         const uint8_t s_pub[WG_KEY_LEN], const uint8_t rs[WG_KEY_LEN],
                         const uint8_t e_priv[WG_KEY_LEN], const uint8_t *ss, const uint8_t *payload, size_t plen,
                         uint8_t *out);

/* Responder, message 1 in two phases so a device can look the initiator up
 * by its static key before doing the `ss` DH:
 * phase 1 reads e, es and decrypts s from the first WG_NOISE_MSG1_STATIC_PART
 * bytes of msg; on success hs->rs is the initiator's static public key.
 * phase 2 does ss and decrypts the payload (enc_len = plen + 16 bytes) into
 * payload_out. false: authentication or DH failure; hs must be discarded. */
bool wg_noise_read_msg1_static(wg_noise_hs *hs, const wg_noise_params *p, const uint8_t s_priv[WG_KEY_LEN],
                               const uint8_t s_pub[WG_KEY_LEN], const uint8_t *msg);
bool wg_noise_read_msg1_payload(wg_noise_hs *hs, const uint8_t s_priv[WG_KEY_LEN], const uint8_t *ss,
                                const uint8_t *enc, size_t enc_len, uint8_t *payload_out);

/* Responder, message 2: <- e, ee, se, psk, ENC(payload); writes
 * WG_NOISE_MSG2_LEN(plen) bytes. psk: 32 bytes (all zero when none). */
bool wg_noise_write_msg2(wg_noise_hs *hs, const uint8_t e_priv[WG_KEY_LEN], const uint8_t psk[WG_KEY_LEN],
                         const uint8_t *payload, size_t plen, uint8_t *out);

/* Initiator, message 2: len = WG_NOISE_MSG2_LEN(plen); payload_out gets
 * len - 48 bytes. false: authentication or DH failure; hs must be discarded. */
bool wg_noise_read_msg2(wg_noise_hs *hs, const uint8_t s_priv[WG_KEY_LEN], const uint8_t psk[WG_KEY_LEN],
                        const uint8_t *msg, size_t len, uint8_t *payload_out);

/* Split (Noise §5.2): the initiator->responder and responder->initiator
 * transport keys; handshake_hash (may be NULL) gets h. Wipes hs. Transport
 * messages are then wg_aead_* with nonces 0, 1, 2... per direction. */
void wg_noise_split(wg_noise_hs *hs, uint8_t k_i2r[WG_KEY_LEN], uint8_t k_r2i[WG_KEY_LEN],
                    uint8_t handshake_hash[WG_HASH_LEN]);

/* ------------------------------------------------------------------ */
/* WireGuard layer                                                    */
/* ------------------------------------------------------------------ */

/* A static public key with the two keys derived from it (whitepaper §5.4.4,
 * §5.4.7): mac1_key = HASH("mac1----" || key) keys mac1 of messages sent TO
 * this key's owner; cookie_key = HASH("cookie--" || key) encrypts cookie
 * replies sent BY this key's owner. Precomputed once (Linux does the same in
 * wg_cookie_init / wg_cookie_checker_precompute_*). */
typedef struct wg_pubkey {
    uint8_t key[WG_KEY_LEN];
    uint8_t mac1_key[WG_HASH_LEN];
    uint8_t cookie_key[WG_HASH_LEN];
} wg_pubkey;

void wg_pubkey_init(wg_pubkey *pk, const uint8_t key[WG_KEY_LEN]);

/* The local static identity: private key (clamped, as Linux stores it) and
 * its public key with derived keys. */
typedef struct wg_identity {
    uint8_t priv[WG_KEY_LEN];
    wg_pubkey pub;
} wg_identity;

void wg_identity_init(wg_identity *id, const uint8_t priv[WG_KEY_LEN]);
void wg_identity_clear(wg_identity *id); /* wipes */

typedef enum wg_hs_state {
    WG_HS_ZEROED = 0,
    WG_HS_CREATED_INITIATION,  /* initiator: waiting for the response */
    WG_HS_CONSUMED_INITIATION, /* responder: initiation accepted, response not yet made */
    WG_HS_CREATED_RESPONSE,    /* responder: session can be derived */
    WG_HS_CONSUMED_RESPONSE,   /* initiator: session can be derived */
} wg_hs_state;
const char *wg_hs_state_name(wg_hs_state s);

/* Linux INITIATIONS_PER_SECOND (drivers/net/wireguard/messages.h): an
 * initiation consumed less than 1 s / 50 after the previous accepted one for
 * the same peer is refused (noise.c wg_noise_handshake_consume_initiation,
 * "flood_attack"; wireguard-go device/noise-protocol.go HandshakeInitationRate). */
#define WG_INITIATIONS_PER_SECOND 50
#define WG_INITIATION_MIN_INTERVAL (WG_NS_PER_SEC / WG_INITIATIONS_PER_SECOND)

/* One per peer (Linux struct noise_handshake). The first block is the
 * peer's configuration and replay state, kept across handshakes; the second
 * is the attempt in progress, wiped by derive/clear. */
typedef struct wg_handshake {
    wg_pubkey remote;          /* the peer's static key and its derived keys */
    uint8_t psk[WG_KEY_LEN];   /* all zero when none */
    uint8_t ss[WG_KEY_LEN];    /* precomputed DH(local static, remote static) */
    uint8_t latest_timestamp[WG_TIMESTAMP_LEN]; /* greatest TAI64N accepted from the peer */
    int64_t last_initiation_consumption;        /* host ns of the last accepted initiation, WG_TIME_NEVER if none */

    wg_hs_state state;
    wg_noise_hs noise;
    uint32_t local_index;      /* our sender index of this attempt */
    uint32_t remote_index;     /* the peer's sender index */
} wg_handshake;

/* Sets up a peer's handshake: remote key (derived keys precomputed), psk
 * (NULL = none = all zero), precomputes ss with the local identity. State
 * ZEROED, no timestamp seen. */
void wg_handshake_init(wg_handshake *hs, const wg_identity *local, const uint8_t remote_pub[WG_KEY_LEN],
                       const uint8_t psk[WG_KEY_LEN]);
/* The local private key changed: recompute ss and drop any attempt. */
void wg_handshake_set_identity(wg_handshake *hs, const wg_identity *local);
void wg_handshake_set_psk(wg_handshake *hs, const uint8_t psk[WG_KEY_LEN] /* NULL = none */);
/* Wipes the attempt in progress (state ZEROED); keeps configuration and
 * replay state. */
void wg_handshake_clear(wg_handshake *hs);
/* Wipes everything. */
void wg_handshake_destroy(wg_handshake *hs);

/* Initiator: builds the 148-byte initiation (type 1, sender_index,
 * ephemeral, enc static, enc timestamp) in msg; mac1/mac2 are left zero for
 * wg_cookie_add_macs(). e_priv: a fresh ephemeral private key (the caller's
 * random bytes), timestamp: wg_tai64n of the wall clock. Replaces any
 * attempt in progress; state CREATED_INITIATION, local_index = sender_index.
 * false: a DH was all zero (low-order remote key); hs is then cleared. */
bool wg_handshake_create_initiation(wg_handshake *hs, const wg_identity *local, const uint8_t e_priv[WG_KEY_LEN],
                                    uint32_t sender_index, const uint8_t timestamp[WG_TIMESTAMP_LEN],
                                    uint8_t msg[WG_INITIATION_LEN]);

/* Responder, phase 1 of consuming an initiation (after its macs were
 * validated): decrypts the initiator's static key. On success
 * op->noise.rs is that key (look the peer up with it) and op->sender_index
 * the initiator's index. false: wrong type word, not for us, forged, or a
 * low-order ephemeral (op is then wiped). */
typedef struct wg_initiation_open {
    wg_noise_hs noise;
    uint32_t sender_index;
} wg_initiation_open;
bool wg_handshake_open_initiation(wg_initiation_open *op, const wg_identity *local,
                                  const uint8_t msg[WG_INITIATION_LEN]);

/* Responder, phase 2, with the peer found by op->noise.rs: does ss,
 * decrypts the timestamp and enforces replay protection. Returns
 *   WG_DROP_NONE                success: state CONSUMED_INITIATION,
 *                               remote_index = initiator's sender index,
 *                               latest_timestamp and last_initiation_consumption updated;
 *   WG_DROP_UNKNOWN_PEER        op->noise.rs is not hs->remote.key;
 *   WG_DROP_HANDSHAKE_DECRYPT   ss all zero or the timestamp fails authentication;
 *   WG_DROP_REPLAYED_TIMESTAMP  timestamp not strictly greater than latest_timestamp;
 *   WG_DROP_RATE_LIMITED        less than WG_INITIATION_MIN_INTERVAL since the
 *                               last accepted initiation (now = host ns).
 * On any failure hs is untouched (a pending attempt survives). op is wiped. */
wg_drop_reason wg_handshake_consume_initiation(wg_handshake *hs, wg_initiation_open *op,
                                               const uint8_t msg[WG_INITIATION_LEN], int64_t now);

/* Responder: builds the 92-byte response (type 2, sender_index,
 * receiver = remote_index, ephemeral, enc empty) in msg, macs left zero.
 * Needs state CONSUMED_INITIATION; then CREATED_RESPONSE, local_index =
 * sender_index. false: wrong state or a DH was all zero (hs cleared). */
bool wg_handshake_create_response(wg_handshake *hs, const uint8_t e_priv[WG_KEY_LEN], uint32_t sender_index,
                                  uint8_t msg[WG_RESPONSE_LEN]);

/* Initiator: consumes a 92-byte response whose receiver index the caller
 * mapped to this handshake (macs already validated). Returns
 *   WG_DROP_NONE               state CONSUMED_RESPONSE, remote_index set;
 *   WG_DROP_BAD_TYPE           the type word is not 2 (with zero reserved bytes);
 *   WG_DROP_UNKNOWN_INDEX      no initiation pending or receiver != local_index;
 *   WG_DROP_HANDSHAKE_DECRYPT  authentication or DH failure.
 * On failure hs is untouched. */
wg_drop_reason wg_handshake_consume_response(wg_handshake *hs, const wg_identity *local,
                                             const uint8_t msg[WG_RESPONSE_LEN]);

/* The keys of a new session. */
typedef struct wg_session_keys {
    uint8_t send[WG_KEY_LEN];
    uint8_t recv[WG_KEY_LEN];
    uint32_t local_index;  /* receiver index the peer puts in transport messages to us */
    uint32_t remote_index; /* receiver index we put in transport messages to the peer */
    bool initiator;
} wg_session_keys;

/* Derives the session from a finished handshake (state CREATED_RESPONSE or
 * CONSUMED_RESPONSE), then wipes the attempt (state ZEROED). false: wrong
 * state (out untouched). */
bool wg_handshake_derive_session(wg_handshake *hs, wg_session_keys *out);

#endif /* WGNODE_NOISE_H */
