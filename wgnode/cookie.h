/*
 * cookie.h — mac1/mac2 and cookie replies (whitepaper §5.4.4, §5.4.7),
 * internal to libwgnode. Sans-I/O: `now` (host ns) and random bytes come
 * from the caller.
 *
 * Two sides:
 *  - wg_cookie: what the INITIATOR side keeps per peer (Linux struct cookie):
 *    the last cookie that peer sent us and the last mac1 we sent it. Used to
 *    stamp mac1/mac2 on every initiation or response we send, and to accept
 *    a cookie reply.
 *  - wg_cookie_checker: what the RESPONDER side keeps per device (Linux
 *    struct cookie_checker): our mac1 key, our cookie-reply key and the
 *    rotating secret cookies are made from.
 *
 * Timing rules (Linux drivers/net/wireguard/cookie.{c,h}):
 *  - the checker's secret is replaced when it is COOKIE_SECRET_MAX_AGE
 *    (120 s) old (make_cookie);
 *  - a received cookie is used for mac2 only while younger than
 *    COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY = 115 s
 *    (wg_cookie_add_mac_to_packet), so we stop using it before the
 *    responder's secret rotates under it;
 *  - "expired" means birthdate + age <= now (wg_birthdate_has_expired).
 */
#ifndef WGNODE_COOKIE_H
#define WGNODE_COOKIE_H

#include "wgnode/noise.h"

#define WG_COOKIE_SECRET_MAX_AGE (120 * WG_NS_PER_SEC) /* Linux COOKIE_SECRET_MAX_AGE */
#define WG_COOKIE_SECRET_LATENCY (5 * WG_NS_PER_SEC)   /* Linux COOKIE_SECRET_LATENCY */
#define WG_COOKIE_USABLE_AGE (WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY)

/* The same shape as wg_host_ops.random_bytes, so a device passes its host's. */
typedef void (*wg_random_fn)(void *ctx, uint8_t *buf, size_t len);

/* mac1 = MAC(mac1_key, msg[0 .. len-32)) and mac2 = MAC(cookie, msg[0 ..
 * len-16)), MAC = keyed BLAKE2s-128; len is the whole message (initiation or
 * response), whose last 32 bytes are mac1 || mac2. */
void wg_mac1_compute(uint8_t out[WG_MAC_LEN], const uint8_t mac1_key[WG_HASH_LEN], const uint8_t *msg,
                     size_t len);
void wg_mac2_compute(uint8_t out[WG_MAC_LEN], const uint8_t cookie[WG_COOKIE_LEN], const uint8_t *msg,
                     size_t len);

/* ---- initiator side: per peer ---- */
typedef struct wg_cookie {
    bool is_valid;                          /* a cookie was received */
    int64_t birthdate;                      /* host ns it was received */
    uint8_t cookie[WG_COOKIE_LEN];
    bool have_sent_mac1;                    /* a cookie reply can only answer a mac1 we sent */
    uint8_t last_mac1_sent[WG_MAC_LEN];
} wg_cookie;

void wg_cookie_init(wg_cookie *c);

/* Stamps mac1 (keyed by remote->mac1_key) and mac2 (the peer's cookie while
 * younger than WG_COOKIE_USABLE_AGE, else zero) into the last 32 bytes of
 * msg (len = 148 or 92), and remembers mac1 for a cookie reply. */
void wg_cookie_add_macs(wg_cookie *c, const wg_pubkey *remote, uint8_t *msg, size_t len, int64_t now);

/* Consumes a 64-byte cookie reply from the peer `remote` (the caller mapped
 * its receiver index to that peer): decrypts the cookie with
 * remote->cookie_key and AAD = the last mac1 we sent it. On success stores
 * the cookie with birthdate now and forgets the mac1 (one reply per mac1, as
 * Linux). false: no mac1 sent, or authentication failed (c untouched). */
bool wg_cookie_consume_reply(wg_cookie *c, const wg_pubkey *remote, const uint8_t msg[WG_COOKIE_REPLY_LEN],
                             int64_t now);

/* ---- responder side: per device ---- */
typedef struct wg_cookie_checker {
    uint8_t mac1_key[WG_HASH_LEN];   /* HASH("mac1----" || our public key) */
    uint8_t cookie_key[WG_HASH_LEN]; /* HASH("cookie--" || our public key) */
    uint8_t secret[WG_HASH_LEN];
    bool has_secret;
    int64_t secret_birthdate;
} wg_cookie_checker;

/* Takes the keys of our identity; no secret yet (made on first use). Call
 * again when the private key changes. */
void wg_cookie_checker_init(wg_cookie_checker *cc, const wg_identity *local);
void wg_cookie_checker_clear(wg_cookie_checker *cc); /* wipes */

/* The cookie of a source: BLAKE2s-128 keyed by the secret over the source
 * IP (4 or 16 bytes) || port big-endian. Replaces the secret with 32 bytes of
 * rnd() first when there is none or it is WG_COOKIE_SECRET_MAX_AGE old. */
void wg_cookie_make(wg_cookie_checker *cc, uint8_t out[WG_COOKIE_LEN], const wg_endpoint *src, int64_t now,
                    wg_random_fn rnd, void *rnd_ctx);

typedef enum wg_mac_state {
    WG_MAC_INVALID = 0,        /* mac1 wrong: drop silently */
    WG_MAC_VALID_NO_COOKIE,    /* mac1 right; mac2 not checked or wrong */
    WG_MAC_VALID_WITH_COOKIE,  /* mac1 and mac2 right */
} wg_mac_state;

/* Checks mac1 of an initiation/response (len 148 or 92) with our mac1 key,
 * and mac2 against the cookie of src only when check_cookie (under load).
 * Device rule (Linux receive.c wg_receive_handshake_packet): not under load,
 * accept >= VALID_NO_COOKIE; under load, accept VALID_WITH_COOKIE, answer
 * VALID_NO_COOKIE with a cookie reply, drop INVALID. */
wg_mac_state wg_cookie_validate(wg_cookie_checker *cc, const uint8_t *msg, size_t len, const wg_endpoint *src,
                                bool check_cookie, int64_t now, wg_random_fn rnd, void *rnd_ctx);

/* Builds the 64-byte cookie reply to msg (an initiation or response of
 * length len from src): type 3, receiver = msg's sender index, nonce (24
 * random bytes from the caller), XChaCha20-Poly1305(cookie of src) with our
 * cookie_key and AAD = msg's mac1. */
void wg_cookie_create_reply(wg_cookie_checker *cc, uint8_t out[WG_COOKIE_REPLY_LEN], const uint8_t *msg,
                            size_t len, const wg_endpoint *src, const uint8_t nonce[WG_XNONCE_LEN], int64_t now,
                            wg_random_fn rnd, void *rnd_ctx);

#endif /* WGNODE_COOKIE_H */
