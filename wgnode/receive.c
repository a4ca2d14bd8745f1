/*
 * receive.c — everything a device receives. Every datagram is checked
 * before it is read (length and type first, then macs, then the index),
 * and anything that fails is counted by reason and dropped: hostile input
 * must never crash or read out of bounds (issue 4, "Malformed or hostile
 * datagrams"). Order of checks and timer hooks follows Linux
 * drivers/net/wireguard/receive.c.
 */
#include "wgnode/device.h"
#include "wgnode/messages.h"
#include "wgnode/timers.h"

#include <stdlib.h>
#include <string.h>

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

bool wg_inner_parse(const uint8_t *data, size_t len, wg_ip *src, wg_ip *dst, size_t *ip_len)
{
    if (len < 1)
        return false;
    unsigned version = data[0] >> 4;
    wg_ip s = {0}, d = {0};
    size_t total;
    if (version == 4) {
        if (len < 20)
            return false;
        size_t ihl = (size_t)(data[0] & 0x0f) * 4;
        total = be16(data + 2);
        if (ihl < 20 || total < ihl || total > len)
            return false;
        s.family = d.family = 4;
        memcpy(s.b, data + 12, 4);
        memcpy(d.b, data + 16, 4);
    } else if (version == 6) {
        if (len < 40)
            return false;
        total = (size_t)be16(data + 4) + 40;
        if (total > len)
            return false;
        s.family = d.family = 6;
        memcpy(s.b, data + 8, 16);
        memcpy(d.b, data + 24, 16);
    } else {
        return false;
    }
    if (src)
        *src = s;
    if (dst)
        *dst = d;
    if (ip_len)
        *ip_len = total;
    return true;
}

/* mac1 always; under load also mac2, else answer with a cookie reply
 * (cookie.h wg_cookie_validate, device rule). Returns false when dropped. */
static bool check_macs(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                       const uint8_t *data, size_t len, bool under_load)
{
    wg_mac_state st =
        wg_cookie_validate(&dev->checker, data, len, remote, under_load, now, dev->host.random_bytes, dev->host.ctx);
    if (st == WG_MAC_INVALID) {
        wg_drop(dev, WG_DROP_BAD_MAC1, NULL, remote);
        return false;
    }
    if (!under_load)
        return true;
    if (st != WG_MAC_VALID_WITH_COOKIE) {
        /* Linux answers every such message it takes off the queue; wgnode
         * also limits the replies per source with the initiations' token
         * bucket (a table of its own), so one flooding source gets 20/s
         * and cannot use the device to reflect traffic at a victim's
         * address (issue 22; docs/wgnode.md "Under load"). */
        if (!wg_ratelimit_allow(&dev->cookie_ratelimit, &remote->ip, now)) {
            wg_drop(dev, WG_DROP_RATE_LIMITED, NULL, remote);
            return false;
        }
        wg_send_cookie_reply(dev, data, len, local, remote, now);
        wg_drop(dev, WG_DROP_BAD_MAC2, NULL, remote);
        return false;
    }
    /* Proven source address, but still at most 20/s per source. */
    if (!wg_ratelimit_allow(&dev->ratelimit, &remote->ip, now)) {
        wg_drop(dev, WG_DROP_RATE_LIMITED, NULL, remote);
        return false;
    }
    return true;
}

static wg_peer *find_by_key(struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
    int id = wg_device_find_peer(dev, key);
    return id < 0 ? NULL : dev->peers[id];
}

static void after_authenticated_handshake(wg_peer *peer, size_t len, int64_t now)
{
    peer->rx_bytes += len;
    wg_timers_any_authenticated_packet_received(peer);
    wg_timers_any_authenticated_packet_traversal(peer, now);
}

static void rx_initiation(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                          const uint8_t *data, size_t len)
{
    wg_initiation_open op;
    if (!wg_handshake_open_initiation(&op, &dev->identity, data)) {
        wg_memzero(&op, sizeof op);
        wg_drop(dev, WG_DROP_HANDSHAKE_DECRYPT, NULL, remote);
        return;
    }
    wg_peer *peer = find_by_key(dev, op.noise.rs);
    if (!peer) {
        wg_memzero(&op, sizeof op);
        wg_drop(dev, WG_DROP_UNKNOWN_PEER, NULL, remote);
        return;
    }
    wg_drop_reason r = wg_handshake_consume_initiation(&peer->hs, &op, data, now);
    wg_memzero(&op, sizeof op);
    if (r != WG_DROP_NONE) {
        wg_drop(dev, r, peer, remote);
        return;
    }
    wg_sourcing_learn(dev, peer, local, remote);
    wg_send_response(peer, now);
    after_authenticated_handshake(peer, len, now);
}

/* The index entry (of one of kinds) that a message names as its receiver
 * at offset off, or NULL with the message dropped as unknown-index. */
static wg_index_entry *receiver(struct wg_device *dev, const wg_endpoint *remote, const uint8_t *data, size_t off,
                                unsigned kinds)
{
    wg_index_entry *e = wg_index_lookup(&dev->index, wg_le32_read(data + off), kinds);
    if (!e)
        wg_drop(dev, WG_DROP_UNKNOWN_INDEX, NULL, remote);
    return e;
}

static void rx_response(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                        const uint8_t *data, size_t len)
{
    wg_index_entry *e = receiver(dev, remote, data, WG_RESP_OFF_RECEIVER, WG_INDEX_HANDSHAKE);
    if (!e)
        return;
    wg_peer *peer = e->peer;
    wg_drop_reason r = wg_handshake_consume_response(&peer->hs, &dev->identity, data);
    if (r != WG_DROP_NONE) {
        wg_drop(dev, r, peer, remote);
        return;
    }
    wg_sourcing_learn(dev, peer, local, remote);
    if (wg_peer_begin_session(peer, now)) {
        wg_timers_session_derived(peer, now);
        wg_timers_handshake_complete(peer, now);
        wg_send_on_handshake_complete(peer, now, true);
    }
    after_authenticated_handshake(peer, len, now);
}

static void rx_cookie_reply(struct wg_device *dev, int64_t now, const wg_endpoint *remote, const uint8_t *data)
{
    wg_index_entry *e = receiver(dev, remote, data, WG_COOKIE_OFF_RECEIVER, WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);
    if (!e)
        return;
    wg_peer *peer = e->peer;
    if (!wg_cookie_consume_reply(&peer->cookie, &peer->hs.remote, data, now)) {
        wg_drop(dev, WG_DROP_BAD_COOKIE_REPLY, peer, remote);
        return;
    }
    /* A cookie reply is not authenticated by the session: it never moves
     * the endpoint (ref "Cookie replies never change it"). */
    wg_event ev = wg_event_for(peer, WG_EV_COOKIE_REPLY_RECEIVED);
    ev.msg_type = WG_MSG_COOKIE_REPLY;
    wg_emit(dev, &ev);
}

/* Receiver-side rekey (ref: initiator rekeys on receive when the key is
 * older than REJECT - KEEPALIVE - REKEY_TIMEOUT = 165 s). Linux receive.c
 * keep_key_fresh and wireguard-go keepKeyFreshReceiving try once per
 * session (sent_lastminute_handshake, reset by handshake completion);
 * FreeBSD noise_keep_key_fresh_recv / OpenBSD noise_remote_decrypt ask on
 * every received packet, so only the initiation rate limit spaces them
 * (and each request restarts the retry count: wg_timers_run_send_initiation
 * with is_retry false). */
static void keep_key_fresh(wg_peer *peer, int64_t now)
{
    if (peer->dev->sourcing->rekey_on_receive_once && peer->sent_lastminute_handshake)
        return;
    wg_keypair *kp = peer->keypairs.current;
    if (kp && kp->sending_valid && kp->initiator &&
        wg_sourcing_age_over(peer->dev, WG_AGE_REKEY_RECV, kp->birth,
                             WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT, now)) {
        peer->sent_lastminute_handshake = true;
        wg_send_initiation(peer, now, false, false);
    }
}

/* A data message of peer's, opened into pt (rx_data's scratch, taken
 * and given back there, so that every return here gives it back). */
static void open_data(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                      wg_keypair *kp, wg_peer *peer, uint8_t *pt, const uint8_t *data, size_t len)
{
    uint64_t counter = wg_le64_read(data + WG_DATA_OFF_COUNTER);
    size_t clen = len - WG_DATA_OFF_PAYLOAD; /* includes the tag */
    size_t plen = clen - WG_AEAD_TAG_LEN;
    if (!wg_aead_decrypt(pt, data + WG_DATA_OFF_PAYLOAD, clen, NULL, 0, counter, kp->recv_key)) {
        wg_drop(dev, WG_DROP_DECRYPT, peer, remote);
        return;
    }
    /* The window moves only for authenticated packets. */
    wg_replay_result rr = wg_replay_check(&kp->replay, counter);
    if (rr != WG_REPLAY_FRESH) {
        /* No memory for the window: dropped as an undecryptable packet,
         * like a scratch that could not be had (rx_data). */
        wg_drop(dev, rr == WG_REPLAY_REJECT ? WG_DROP_REPLAY : WG_DROP_DECRYPT, peer, remote);
        return;
    }
    wg_sourcing_learn(dev, peer, local, remote);
    peer->rx_bytes += len;
    if (wg_keypairs_received_with(&peer->keypairs, kp, &dev->index)) {
        /* The initiator proved it has the session: it is now current. */
        wg_event ev = wg_event_for(peer, WG_EV_KEY_ROTATED);
        wg_emit(dev, &ev);
        wg_timers_handshake_complete(peer, now);
        wg_send_on_handshake_complete(peer, now, false);
    }
    keep_key_fresh(peer, now);
    wg_timers_any_authenticated_packet_received(peer);
    wg_timers_any_authenticated_packet_traversal(peer, now);
    if (plen == 0)
        return; /* keepalive */
    wg_timers_data_received(peer, now);

    wg_ip src;
    size_t ip_len;
    if (!wg_inner_parse(pt, plen, &src, NULL, &ip_len)) {
        wg_drop(dev, WG_DROP_BAD_INNER, peer, remote);
        return;
    }
    /* Cryptokey routing, inbound: the inner source must route back to the
     * peer that sent it. */
    if (wg_allowedips_lookup(&dev->allowedips, &src) != peer) {
        wg_drop(dev, WG_DROP_NOT_ALLOWED_IP, peer, remote);
        return;
    }
    /* Padding after the IP packet's own length is stripped. */
    dev->host.deliver(dev->host.ctx, peer->id, pt, ip_len);
}

static void rx_data(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                    const uint8_t *data, size_t len)
{
    wg_index_entry *e = receiver(dev, remote, data, WG_DATA_OFF_RECEIVER, WG_INDEX_KEYPAIR);
    if (!e)
        return;
    wg_keypair *kp = (wg_keypair *)e; /* entry is the first member */
    wg_peer *peer = e->peer;
    /* receive.c decrypt_packet / noise_keypair_decrypt: valid, younger
     * than REJECT_AFTER_TIME (platform comparison), counter below
     * REJECT_AFTER_MESSAGES. */
    if (!kp->receiving_valid || wg_sourcing_age_over(dev, WG_AGE_REJECT_RECV, kp->birth, WG_REJECT_AFTER_TIME, now) ||
        kp->replay.counter >= WG_REJECT_AFTER_MESSAGES) {
        kp->receiving_valid = false;
        wg_drop(dev, WG_DROP_KEY_EXPIRED, peer, remote);
        return;
    }
    size_t plen = len - WG_DATA_OFF_PAYLOAD - WG_AEAD_TAG_LEN;
    uint8_t *pt = wg_scratch_take(&dev->own_scratch[WG_SCRATCH_OPEN], WG_SCRATCH_OPEN, plen + 1);
    if (!pt) {
        wg_drop(dev, WG_DROP_DECRYPT, peer, remote);
        return;
    }
    open_data(dev, now, local, remote, kp, peer, pt, data, len);
    wg_scratch_give(pt, WG_SCRATCH_OPEN);
}

bool wg_receive_handshake(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                          const uint8_t *data, size_t len, size_t qlen)
{
    if (!dev->up) { /* taken down while it waited */
        wg_drop(dev, WG_DROP_DEVICE_DOWN, NULL, remote);
        return false;
    }
    bool under_load = wg_hsq_under_load(dev, now, qlen);
    uint32_t type = wg_msg_type_word(data, len);
    if (type == WG_MSG_COOKIE_REPLY) {
        rx_cookie_reply(dev, now, remote, data);
        return false;
    }
    if (!check_macs(dev, now, local, remote, data, len, under_load))
        return false;
    if (type == WG_MSG_INITIATION)
        rx_initiation(dev, now, local, remote, data, len);
    else
        rx_response(dev, now, local, remote, data, len);
    return true;
}

void wg_device_receive(wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                       const uint8_t *data, size_t len)
{
    wg_endpoint from = {0};
    if (remote)
        from = *remote;
    if (!dev->up) {
        wg_drop(dev, WG_DROP_DEVICE_DOWN, NULL, &from);
        return;
    }
    if (!data || len < WG_MSG_HEADER_LEN) {
        wg_drop(dev, WG_DROP_TOO_SHORT, NULL, &from);
        return;
    }
    uint32_t type = wg_msg_type_word(data, len);
    switch (type) {
    case WG_MSG_INITIATION:
    case WG_MSG_RESPONSE:
    case WG_MSG_COOKIE_REPLY:
        if (len != (type == WG_MSG_INITIATION  ? WG_INITIATION_LEN
                    : type == WG_MSG_RESPONSE ? WG_RESPONSE_LEN
                                              : WG_COOKIE_REPLY_LEN))
            break;
        /* Linux wg_packet_receive: handshake messages wait in the
         * handshake queue; transport data never does. */
        wg_hsq_receive(dev, now, local, &from, data, len);
        return;
    case WG_MSG_TRANSPORT:
        if (len < WG_KEEPALIVE_LEN)
            break;
        rx_data(dev, now, local, &from, data, len);
        return;
    default:
        wg_drop(dev, WG_DROP_BAD_TYPE, NULL, &from);
        return;
    }
    wg_drop(dev, WG_DROP_BAD_SIZE, NULL, &from);
}
