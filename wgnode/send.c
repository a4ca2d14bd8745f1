/*
 * send.c — everything a device sends: handshake initiations and responses,
 * cookie replies, transport data and keepalives (whitepaper §5.4, §6;
 * Linux drivers/net/wireguard/send.c for which timer hooks run when).
 */
#include "wgnode/device.h"
#include "wgnode/messages.h"
#include "wgnode/timers.h"

#include <stdlib.h>
#include <string.h>

static void keylog(struct wg_device *dev, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
    if (dev->host.keylog)
        dev->host.keylog(dev->host.ctx, kind, key);
}

/* A fresh ephemeral from the host's random source, logged for Wireshark
 * (LOCAL_EPHEMERAL_PRIVATE_KEY, then PRESHARED_KEY which applies to it). */
static void new_ephemeral(wg_peer *peer, uint8_t e[WG_KEY_LEN])
{
    struct wg_device *dev = peer->dev;
    dev->host.random_bytes(dev->host.ctx, e, WG_KEY_LEN);
    wg_key_clamp(e);
    keylog(dev, WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY, e);
    if (peer->has_psk)
        keylog(dev, WG_KEYLOG_PRESHARED_KEY, peer->hs.psk);
}

static void index_random(void *ctx, uint8_t *buf, size_t len)
{
    struct wg_device *dev = ctx;
    dev->host.random_bytes(dev->host.ctx, buf, len);
}

/* Hands one datagram to the platform's sourcing strategy. */
static wg_send_result transmit(wg_peer *peer, const uint8_t *data, size_t len, enum wg_msg_type type, bool keepalive,
                               bool timer_cleared)
{
    struct wg_device *dev = peer->dev;
    if (!peer->has_endpoint) {
        /* Linux wg_socket_send_skb_to_peer with no endpoint: nothing leaves. */
        wg_event ev = wg_event_for(peer, WG_EV_SEND_ERROR);
        ev.send_result = WG_SEND_UNREACHABLE;
        ev.msg_type = type;
        wg_emit(dev, &ev);
        return WG_SEND_UNREACHABLE;
    }
    wg_send_result r = dev->sourcing->send_to_peer(dev, peer, data, len, type, keepalive, timer_cleared);
    if (r == WG_SEND_OK)
        peer->tx_bytes += len;
    return r;
}

static void emit_sent(wg_peer *peer, wg_event_kind kind, enum wg_msg_type type, wg_send_result r)
{
    if (r != WG_SEND_OK)
        return; /* the failure was traced as WG_EV_SEND_ERROR */
    wg_event ev = wg_event_for(peer, kind);
    ev.msg_type = type;
    wg_emit(peer->dev, &ev);
}

void wg_send_initiation(wg_peer *peer, int64_t now, bool is_retry, bool timer_cleared)
{
    struct wg_device *dev = peer->dev;
    if (!is_retry)
        peer->handshake_attempts = 0;
    /* One initiation per REKEY_TIMEOUT (ref "Timers": rate-limited). */
    if (!dev->up || !wg_sourcing_age_over(dev, WG_AGE_RATE_LIMIT, peer->last_sent_handshake, WG_REKEY_TIMEOUT, now))
        return;
    peer->last_sent_handshake = now;

    uint8_t e[WG_KEY_LEN], ts[WG_TIMESTAMP_LEN], msg[WG_INITIATION_LEN];
    wg_tai64n(ts, dev->host.wall_ns(dev->host.ctx, now));
    if (!wg_index_insert(&dev->index, &peer->hs_entry, index_random, dev))
        return; /* out of memory for the index table: no initiation */
    new_ephemeral(peer, e);
    bool ok = wg_handshake_create_initiation(&peer->hs, &dev->identity, e, peer->hs_entry.index, ts, msg);
    wg_memzero(e, sizeof e);
    if (!ok) {
        wg_index_remove(&dev->index, &peer->hs_entry);
        return;
    }
    wg_cookie_add_macs(&peer->cookie, &peer->hs.remote, msg, sizeof msg, now);
    wg_timers_any_authenticated_packet_traversal(peer, now);
    wg_timers_any_authenticated_packet_sent(peer);
    wg_send_result r = transmit(peer, msg, sizeof msg, WG_MSG_INITIATION, false, timer_cleared);
    emit_sent(peer, WG_EV_HANDSHAKE_INITIATION_SENT, WG_MSG_INITIATION, r);
    wg_timers_handshake_initiated(peer, now);
}

/* Turns a finished handshake into a keypair (Linux noise.c
 * wg_noise_handshake_begin_session). */
static bool begin_session(wg_peer *peer, int64_t now)
{
    struct wg_device *dev = peer->dev;
    wg_session_keys keys;
    if (!wg_handshake_derive_session(&peer->hs, &keys))
        return false;
    wg_keypair *kp = wg_keypair_new(&keys, peer, now, &dev->index, &peer->hs_entry, index_random, dev);
    bool initiator = keys.initiator;
    wg_memzero(&keys, sizeof keys);
    wg_index_remove(&dev->index, &peer->hs_entry);
    if (!kp)
        return false;
    wg_keypairs_add(&peer->keypairs, kp, &dev->index);
    wg_event ev = wg_event_for(peer, WG_EV_HANDSHAKE_COMPLETE);
    ev.initiator = initiator;
    wg_emit(dev, &ev);
    if (initiator) {
        /* The initiator's new session is used at once: the key in use
         * changed (the responder's changes when the session is confirmed,
         * receive.c). */
        wg_event rot = wg_event_for(peer, WG_EV_KEY_ROTATED);
        rot.initiator = true;
        wg_emit(dev, &rot);
    }
    return true;
}

bool wg_peer_begin_session(wg_peer *peer, int64_t now) { return begin_session(peer, now); }

void wg_send_response(wg_peer *peer, int64_t now)
{
    struct wg_device *dev = peer->dev;
    uint8_t e[WG_KEY_LEN], msg[WG_RESPONSE_LEN];
    if (!wg_index_insert(&dev->index, &peer->hs_entry, index_random, dev))
        return; /* out of memory for the index table: no response */
    new_ephemeral(peer, e);
    bool ok = wg_handshake_create_response(&peer->hs, e, peer->hs_entry.index, msg);
    wg_memzero(e, sizeof e);
    if (!ok) {
        wg_index_remove(&dev->index, &peer->hs_entry);
        return;
    }
    wg_cookie_add_macs(&peer->cookie, &peer->hs.remote, msg, sizeof msg, now);
    if (!begin_session(peer, now))
        return;
    wg_timers_session_derived(peer, now);
    wg_timers_any_authenticated_packet_traversal(peer, now);
    wg_timers_any_authenticated_packet_sent(peer);
    /* Linux send.c: a response counts as a sent handshake for the
     * initiation rate limit. */
    peer->last_sent_handshake = now;
    wg_send_result r = transmit(peer, msg, sizeof msg, WG_MSG_RESPONSE, false, false);
    emit_sent(peer, WG_EV_HANDSHAKE_RESPONSE_SENT, WG_MSG_RESPONSE, r);
}

void wg_send_cookie_reply(struct wg_device *dev, const uint8_t *msg, size_t len, const wg_source *local,
                          const wg_endpoint *remote, int64_t now)
{
    uint8_t nonce[WG_XNONCE_LEN], out[WG_COOKIE_REPLY_LEN];
    dev->host.random_bytes(dev->host.ctx, nonce, sizeof nonce);
    wg_cookie_create_reply(&dev->checker, out, msg, len, remote, nonce, now, dev->host.random_bytes, dev->host.ctx);
    wg_send_result r = wg_sourcing_send_reply(dev, local, remote, out, sizeof out, WG_MSG_COOKIE_REPLY);
    if (r == WG_SEND_OK) {
        dev->cookie_replies++;
        wg_event ev = {.kind = WG_EV_COOKIE_REPLY_SENT, .peer_id = -1, .endpoint = *remote,
                       .msg_type = WG_MSG_COOKIE_REPLY};
        if (local)
            ev.source = *local;
        wg_emit(dev, &ev);
    }
}

/* Initiator-side rekey on send (ref: key older than REKEY_AFTER_TIME, or
 * REKEY_AFTER_MESSAGES used; Linux send.c keep_key_fresh). */
static void keep_key_fresh(wg_peer *peer, int64_t now)
{
    wg_keypair *kp = peer->keypairs.current;
    if (kp && kp->sending_valid &&
        (kp->send_counter > WG_REKEY_AFTER_MESSAGES ||
         (kp->initiator && wg_sourcing_age_over(peer->dev, WG_AGE_REKEY_SEND, kp->birth, WG_REKEY_AFTER_TIME, now))))
        wg_send_initiation(peer, now, false, false);
}

/* The caller's packet that send_staged() may send without queueing it:
 * logically the head of an empty staged queue (set: still to send). */
typedef struct first_pkt {
    const uint8_t *data;
    size_t len;
    bool set;
    bool quiet; /* a keepalive: a failed copy is not counted as a drop (wg_send_keepalive) */
} first_pkt;

/* Queues the caller's packet where send_staged() cannot send it now: it
 * is then staged exactly as if it had been pushed on entry (nothing
 * between entry and here reads the queue). false when the copy could
 * not be made: dropped, and the caller stops as wg_stage_packet did. */
static bool park_first(wg_peer *peer, first_pkt *first)
{
    if (!first->set)
        return true;
    first->set = false;
    if (wg_staged_push(&peer->staged, first->data, first->len) < 0) {
        if (!first->quiet)
            wg_drop(peer->dev, WG_DROP_QUEUE_FULL, peer, NULL);
        return false;
    }
    return true;
}

/* Linux wg_packet_send_staged_packets: everything staged goes out with
 * the current keypair, else stays queued and a handshake starts. first
 * (may be unset) is a packet for an empty queue: the common case "queue
 * empty, a current keypair can send" encrypts it straight from the
 * caller's buffer, with no copy into the queue (docs/performance.md,
 * "scale"); the order of timers, sends, events and drops is the one of
 * pushing it and then sending the queue. */
static void send_staged(wg_peer *peer, int64_t now, first_pkt first)
{
    struct wg_device *dev = peer->dev;
    if (!first.set && !wg_staged_len(&peer->staged))
        return;
    if (!dev->up) {
        park_first(peer, &first);
        return;
    }
    wg_keypair *kp = peer->keypairs.current;
    bool data_sent = false, any = false, any_ok = false;
    if (!kp || !kp->sending_valid) {
        if (!park_first(peer, &first))
            return;
        goto nokey;
    }
    if (wg_sourcing_age_over(dev, WG_AGE_REJECT_SEND, kp->birth, WG_REJECT_AFTER_TIME, now)) {
        if (!park_first(peer, &first))
            return;
        kp->sending_valid = false;
        goto nokey;
    }
    for (;;) {
        /* the next packet: the caller's, then the queue's oldest */
        const uint8_t *data;
        size_t len;
        wg_staged *from = NULL;
        if (first.set) {
            data = first.data;
            len = first.len;
        } else {
            wg_staged_packet *p = wg_staged_peek(&peer->staged);
            if (!p)
                break;
            data = p->data;
            len = p->len;
            from = &peer->staged;
        }
        if (kp->send_counter >= WG_REJECT_AFTER_MESSAGES) {
            if (!park_first(peer, &first))
                return;
            kp->sending_valid = false;
            goto nokey;
        }
        size_t padded = len ? wg_transport_padded_len(len, 0) : 0;
        size_t total = wg_transport_len(padded);
        uint8_t *m = wg_scratch_take(&dev->own_scratch[WG_SCRATCH_SEAL], WG_SCRATCH_SEAL, total);
        if (!m) {
            if (from)
                wg_staged_pop(from);
            first.set = false;
            wg_drop(dev, WG_DROP_SEND_FAILED, peer, NULL);
            continue;
        }
        if (!any && !dev->sourcing->data_timers_after_send_ok) {
            /* Linux wg_packet_create_data_done: these run for the batch,
             * before and whatever the sends' results (FreeBSD and
             * wireguard-go run them before each send: the same effect). */
            wg_timers_any_authenticated_packet_traversal(peer, now);
            wg_timers_any_authenticated_packet_sent(peer);
            any = true;
        }
        uint64_t counter = kp->send_counter++;
        wg_msg_header_write(m, WG_MSG_TRANSPORT);
        wg_le32_write(m + WG_DATA_OFF_RECEIVER, kp->remote_index);
        wg_le64_write(m + WG_DATA_OFF_COUNTER, counter);
        uint8_t *pt = m + WG_DATA_OFF_PAYLOAD;
        if (len)
            memcpy(pt, data, len);
        memset(pt + len, 0, padded - len);
        wg_aead_encrypt(pt, pt, padded, NULL, 0, counter, kp->send_key);
        bool keepalive = len == 0;
        /* off the queue before the send: what the send causes sees the
         * queue without it */
        if (from)
            wg_staged_pop(from);
        first.set = false;
        wg_send_result r = transmit(peer, m, total, WG_MSG_TRANSPORT, keepalive, false);
        wg_scratch_give(m, WG_SCRATCH_SEAL);
        if (r == WG_SEND_OK && dev->sourcing->data_timers_after_send_ok) {
            /* OpenBSD wg_deliver_out: only a packet the socket took. */
            wg_timers_any_authenticated_packet_traversal(peer, now);
            wg_timers_any_authenticated_packet_sent(peer);
        }
        if (r == WG_SEND_OK) {
            any_ok = true;
            if (keepalive)
                emit_sent(peer, WG_EV_KEEPALIVE_SENT, WG_MSG_TRANSPORT, r);
        } else {
            wg_drop(dev, WG_DROP_SEND_FAILED, peer, NULL);
        }
        /* Data (not keepalives) arms the new-handshake timer: only data
         * that left, except on wireguard-go (sourcing.h). */
        if (!keepalive && (r == WG_SEND_OK || dev->sourcing->data_sent_even_if_send_failed))
            data_sent = true;
    }
    if (data_sent)
        wg_timers_data_sent(peer, now);
    if (any_ok || !dev->sourcing->rekey_on_send_needs_ok)
        keep_key_fresh(peer, now);
    return;

nokey:
    if (data_sent)
        wg_timers_data_sent(peer, now);
    /* Packets stay queued until a session exists (ref "Sending needs a new
     * handshake when there is no key, ..."). */
    wg_send_initiation(peer, now, false, false);
}

void wg_send_staged(wg_peer *peer, int64_t now) { send_staged(peer, now, (first_pkt){0}); }

void wg_stage_packet(wg_peer *peer, const uint8_t *data, size_t len, int64_t now)
{
    if (!wg_staged_len(&peer->staged)) {
        send_staged(peer, now, (first_pkt){data, len, true, false});
        return;
    }
    int r = wg_staged_push(&peer->staged, data, len);
    if (r < 0) {
        wg_drop(peer->dev, WG_DROP_QUEUE_FULL, peer, NULL);
        return;
    }
    if (r > 0)
        wg_drop(peer->dev, WG_DROP_QUEUE_FULL, peer, NULL); /* the oldest made room */
    wg_send_staged(peer, now);
}

void wg_send_keepalive(wg_peer *peer, int64_t now)
{
    /* A keepalive is an empty packet, only when nothing else is queued
     * (anything queued carries the same proof of life). */
    if (!wg_staged_len(&peer->staged)) {
        send_staged(peer, now, (first_pkt){NULL, 0, true, true});
        return;
    }
    wg_send_staged(peer, now);
}

void wg_send_on_handshake_complete(wg_peer *peer, int64_t now, bool initiator)
{
    struct wg_device *dev = peer->dev;
    if (!dev->sourcing->bsd_handshake_complete) {
        /* Linux receive.c: a response -> wg_packet_send_keepalive (a
         * keepalive only if nothing is staged); a responder's session
         * confirmed in wg_packet_consume_data_done ->
         * wg_packet_send_staged_packets. wireguard-go receive.go: the same
         * (SendKeepalive / SendStagedPackets). */
        if (initiator)
            wg_send_keepalive(peer, now);
        else
            wg_send_staged(peer, now);
        return;
    }
    if (dev->options & WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE) {
        /* FreeBSD if_wg.c wg_handshake (response) and wg_deliver_in
         * (noise_keypair_received_with == ECONNRESET), OpenBSD if_wg.c
         * wg_handshake and wg_decap: both roles reach
         * wg_timers_event_handshake_complete, which runs the send-keepalive
         * handler (wg_send_keepalive: a keepalive only when nothing is
         * staged; then the need-another-keepalive re-arm). */
        wg_timers_run_send_keepalive(peer, now);
        return;
    }
    /* Reference default (wg-sourcing.md "BSD sends a keepalive at once when
     * a handshake completes as initiator ...; Linux only if nothing else is
     * queued"): the initiator's keepalive goes even behind staged packets
     * (never at the cost of a queued packet when the queue is full); the
     * reference says nothing of the responder, which sends what is staged. */
    if (initiator && !wg_staged_has_keepalive(&peer->staged) &&
        wg_staged_len(&peer->staged) < WG_MAX_STAGED_PACKETS)
        wg_staged_push(&peer->staged, NULL, 0);
    wg_send_staged(peer, now);
}

void wg_peer_zero_keys(wg_peer *peer)
{
    struct wg_device *dev = peer->dev;
    wg_keypairs_clear(&peer->keypairs, &dev->index);
    if (dev->sourcing->zero_keys_clears_handshake) {
        wg_handshake_clear(&peer->hs);
        wg_index_remove(&dev->index, &peer->hs_entry);
    }
    wg_event ev = wg_event_for(peer, WG_EV_KEYS_ZEROED);
    wg_emit(dev, &ev);
}
