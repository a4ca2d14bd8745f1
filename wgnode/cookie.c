/*
 * cookie.c — mac1/mac2 on handshake messages and the cookie-reply
 * mechanism (whitepaper §5.4.4, §5.4.7; timing rules from Linux
 * drivers/net/wireguard/cookie.c, see cookie.h).
 */
#include "wgnode/cookie.h"

#include "wgnode/messages.h"

#include <string.h>

/* Linux wg_birthdate_has_expired: birthdate + age <= now. */
static bool expired(int64_t birthdate, int64_t age, int64_t now) { return birthdate <= now - age; }

void wg_mac1_compute(uint8_t out[WG_MAC_LEN], const uint8_t mac1_key[WG_HASH_LEN], const uint8_t *msg, size_t len)
{
    wg_blake2s(out, WG_MAC_LEN, msg, len - WG_MACS_LEN, mac1_key, WG_HASH_LEN);
}

void wg_mac2_compute(uint8_t out[WG_MAC_LEN], const uint8_t cookie[WG_COOKIE_LEN], const uint8_t *msg, size_t len)
{
    wg_blake2s(out, WG_MAC_LEN, msg, len - WG_MAC_LEN, cookie, WG_COOKIE_LEN);
}

void wg_cookie_init(wg_cookie *c) { wg_memzero(c, sizeof *c); }

void wg_cookie_add_macs(wg_cookie *c, const wg_pubkey *remote, uint8_t *msg, size_t len, int64_t now)
{
    uint8_t *mac1 = msg + len - WG_MACS_LEN, *mac2 = msg + len - WG_MAC_LEN;
    wg_mac1_compute(mac1, remote->mac1_key, msg, len);
    memcpy(c->last_mac1_sent, mac1, WG_MAC_LEN);
    c->have_sent_mac1 = true;
    if (c->is_valid && !expired(c->birthdate, WG_COOKIE_USABLE_AGE, now))
        wg_mac2_compute(mac2, c->cookie, msg, len);
    else
        memset(mac2, 0, WG_MAC_LEN);
}

bool wg_cookie_consume_reply(wg_cookie *c, const wg_pubkey *remote, const uint8_t msg[WG_COOKIE_REPLY_LEN],
                             int64_t now)
{
    uint8_t cookie[WG_COOKIE_LEN];
    if (!c->have_sent_mac1 || wg_le32_read(msg) != WG_MSG_COOKIE_REPLY)
        return false;
    if (!wg_xaead_decrypt(cookie, msg + WG_COOKIE_OFF_COOKIE, WG_COOKIE_LEN + WG_AEAD_TAG_LEN, c->last_mac1_sent,
                          WG_MAC_LEN, msg + WG_COOKIE_OFF_NONCE, remote->cookie_key))
        return false;
    memcpy(c->cookie, cookie, WG_COOKIE_LEN);
    wg_memzero(cookie, sizeof cookie);
    c->birthdate = now;
    c->is_valid = true;
    c->have_sent_mac1 = false;
    return true;
}

void wg_cookie_checker_init(wg_cookie_checker *cc, const wg_identity *local)
{
    wg_memzero(cc, sizeof *cc);
    memcpy(cc->mac1_key, local->pub.mac1_key, WG_HASH_LEN);
    memcpy(cc->cookie_key, local->pub.cookie_key, WG_HASH_LEN);
}

void wg_cookie_checker_clear(wg_cookie_checker *cc) { wg_memzero(cc, sizeof *cc); }

void wg_cookie_make(wg_cookie_checker *cc, uint8_t out[WG_COOKIE_LEN], const wg_endpoint *src, int64_t now,
                    wg_random_fn rnd, void *rnd_ctx)
{
    if (!cc->has_secret || expired(cc->secret_birthdate, WG_COOKIE_SECRET_MAX_AGE, now)) {
        rnd(rnd_ctx, cc->secret, sizeof cc->secret);
        cc->secret_birthdate = now;
        cc->has_secret = true;
    }
    /* source address bytes as on the wire, then the port big-endian
     * (Linux cookie.c make_cookie hashes saddr then the __be16 source). */
    uint8_t in[16 + 2];
    size_t n = src->ip.family == 4 ? 4 : src->ip.family == 6 ? 16 : 0;
    memcpy(in, src->ip.b, n);
    in[n] = (uint8_t)(src->port >> 8);
    in[n + 1] = (uint8_t)src->port;
    wg_blake2s(out, WG_COOKIE_LEN, in, n + 2, cc->secret, sizeof cc->secret);
}

wg_mac_state wg_cookie_validate(wg_cookie_checker *cc, const uint8_t *msg, size_t len, const wg_endpoint *src,
                                bool check_cookie, int64_t now, wg_random_fn rnd, void *rnd_ctx)
{
    uint8_t mac[WG_MAC_LEN], cookie[WG_COOKIE_LEN];
    if (len < WG_MSG_HEADER_LEN + WG_MACS_LEN)
        return WG_MAC_INVALID;
    wg_mac1_compute(mac, cc->mac1_key, msg, len);
    if (!wg_memeq(mac, msg + len - WG_MACS_LEN, WG_MAC_LEN))
        return WG_MAC_INVALID;
    if (!check_cookie)
        return WG_MAC_VALID_NO_COOKIE;
    wg_cookie_make(cc, cookie, src, now, rnd, rnd_ctx);
    wg_mac2_compute(mac, cookie, msg, len);
    wg_memzero(cookie, sizeof cookie);
    return wg_memeq(mac, msg + len - WG_MAC_LEN, WG_MAC_LEN) ? WG_MAC_VALID_WITH_COOKIE : WG_MAC_VALID_NO_COOKIE;
}

void wg_cookie_create_reply(wg_cookie_checker *cc, uint8_t out[WG_COOKIE_REPLY_LEN], const uint8_t *msg,
                            size_t len, const wg_endpoint *src, const uint8_t nonce[WG_XNONCE_LEN], int64_t now,
                            wg_random_fn rnd, void *rnd_ctx)
{
    uint8_t cookie[WG_COOKIE_LEN];
    memset(out, 0, WG_COOKIE_REPLY_LEN);
    wg_msg_header_write(out, WG_MSG_COOKIE_REPLY);
    /* initiation and response both carry the sender index at offset 4 */
    memcpy(out + WG_COOKIE_OFF_RECEIVER, msg + WG_INIT_OFF_SENDER, 4);
    memcpy(out + WG_COOKIE_OFF_NONCE, nonce, WG_XNONCE_LEN);
    wg_cookie_make(cc, cookie, src, now, rnd, rnd_ctx);
    wg_xaead_encrypt(out + WG_COOKIE_OFF_COOKIE, cookie, WG_COOKIE_LEN, msg + len - WG_MACS_LEN, WG_MAC_LEN,
                     out + WG_COOKIE_OFF_NONCE, cc->cookie_key);
    wg_memzero(cookie, sizeof cookie);
}
