/*
 * sourcing.h — per-platform rules for the local address of what a device
 * sends (../shared/reference/wg-sourcing.md). One strategy object per
 * platform; the device calls it for every datagram and for every event that
 * may change a peer's learned source.
 */
#ifndef WGNODE_SOURCING_H
#define WGNODE_SOURCING_H

#include "wgnode/peer.h"

/* When setting a peer's persistent keepalive at run time sends one at once
 * (the interface being up). */
typedef enum wg_pka_set_rule {
    WG_PKA_SEND_WHEN_TURNED_ON, /* 0 -> N: Linux netlink.c set_peer, wireguard-go uapi.go */
    WG_PKA_SEND_WHEN_CHANGED,   /* any new non-zero value: FreeBSD wg_timers_set_persistent_keepalive */
    WG_PKA_SEND_ON_EVERY_SET,   /* every set with a non-zero value: OpenBSD wg_timers_set_persistent_keepalive */
} wg_pka_set_rule;

/* The age comparisons of the protocol. Linux uses "birth + age <= now"
 * everywhere (wg_birthdate_has_expired); the BSDs' noise_timer_expired is
 * "now > birth + age"; wireguard-go mixes both. In a nanosecond simulator
 * with round-number timers the boundary instant is reachable, so it is
 * modelled per platform. */
typedef enum wg_age_check {
    WG_AGE_RATE_LIMIT,  /* one initiation per REKEY_TIMEOUT */
    WG_AGE_REKEY_SEND,  /* initiator key older than REKEY_AFTER_TIME on send */
    WG_AGE_REKEY_RECV,  /* initiator key older than 165 s on receive */
    WG_AGE_REJECT_SEND, /* no encryption with a key REJECT_AFTER_TIME old */
    WG_AGE_REJECT_RECV, /* no decryption with a key REJECT_AFTER_TIME old */
} wg_age_check;
#define WG_AGE_BIT(c) (1u << (c))
#define WG_AGE_ALL_STRICT 0x1fu

typedef struct wg_sourcing {
    wg_platform platform;
    /* Setting the endpoint by hand keeps the learned source (FreeBSD copies
     * only the remote part; Linux, OpenBSD and wireguard-go replace the
     * whole endpoint). */
    bool set_endpoint_keeps_source;
    /* FreeBSD/OpenBSD: the handshake-complete timer event sends (ref "BSD
     * sends a keepalive at once when a handshake completes as initiator";
     * if_wg.c wg_timers_event_handshake_complete). See send.c
     * wg_send_on_handshake_complete for the reference default and the
     * WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE option. false (Linux
     * receive.c, wireguard-go receive.go): the initiator calls
     * send-keepalive (a keepalive only if nothing is staged) and a
     * confirmed responder only sends its staged packets. */
    bool bsd_handshake_complete;
    /* Initiator rekey on receive (key older than 165 s): once per session
     * (Linux receive.c keep_key_fresh and wireguard-go
     * keepKeyFreshReceiving keep sent_lastminute_handshake) or on every
     * received packet, limited only by the one-initiation-per-REKEY_TIMEOUT
     * rule (FreeBSD wg_deliver_in -> noise_keep_key_fresh_recv, OpenBSD
     * wg_decap -> noise_remote_decrypt ESTALE: no such flag). */
    bool rekey_on_receive_once;
    wg_pka_set_rule pka_set;
    /* Transport data: the "authenticated packet sent / traversal" timer
     * events run only for packets the socket accepted (OpenBSD if_wg.c
     * wg_deliver_out), instead of before sending whatever happens (Linux
     * send.c wg_packet_create_data_done, FreeBSD wg_deliver_out,
     * wireguard-go RoutineSequentialSender). */
    bool data_timers_after_send_ok;
    /* Transport data arms the new-handshake timer even when the socket
     * refused it (wireguard-go RoutineSequentialSender calls timersDataSent
     * whatever SendBuffers returned); the others only for data that left
     * (Linux wg_packet_create_data_done, FreeBSD/OpenBSD wg_deliver_out). */
    bool data_sent_even_if_send_failed;
    /* The initiator's rekey-on-send check runs only after a successful
     * send (FreeBSD wg_deliver_out, wireguard-go keepKeyFreshSending after
     * a nil error); Linux (wg_packet_create_data_done) and OpenBSD
     * (noise_remote_encrypt ESTALE, before sending) check regardless. */
    bool rekey_on_send_needs_ok;
    /* WG_AGE_BIT(check) set: that age counts as reached only when strictly
     * exceeded (see wg_age_check). */
    unsigned strict_ages;
    /* The zero-key-material timer also forgets a handshake in progress
     * (Linux wg_queued_expired_zero_key_material, OpenBSD
     * wg_peer_clear_secrets -> noise_remote_clear, wireguard-go
     * ZeroAndFlushAll); FreeBSD wg_timers_run_zero_key_material clears
     * only the keypairs (noise_remote_keypairs_clear). */
    bool zero_keys_clears_handshake;
    /* Send one datagram for a peer with this platform's source rules. */
    wg_send_result (*send_to_peer)(struct wg_device *dev, wg_peer *peer, const uint8_t *data, size_t len,
                                   enum wg_msg_type type, bool keepalive, bool timer_cleared);
} wg_sourcing;

const wg_sourcing *wg_sourcing_for(wg_platform p);

/* Has `age` passed since `since` at `now`, by this platform's comparison? */
bool wg_sourcing_age_over(const struct wg_device *dev, wg_age_check c, int64_t since, int64_t age, int64_t now);

/* A reply to a datagram not tied to a known peer's endpoint (cookie reply):
 * from the address the datagram arrived on, to its source. */
wg_send_result wg_sourcing_send_reply(struct wg_device *dev, const wg_source *local, const wg_endpoint *remote,
                                      const uint8_t *data, size_t len, enum wg_msg_type type);

/* Roaming: an authenticated packet from remote arrived on local. */
void wg_sourcing_learn(struct wg_device *dev, wg_peer *peer, const wg_source *local, const wg_endpoint *remote);
/* The retransmit/new-handshake timers, manual endpoint changes, and data
 * send failures clear the learned source. */
void wg_sourcing_clear(struct wg_device *dev, wg_peer *peer);
/* The host's routes changed, for one wireguard-go peer: its IPv4 source
 * is cleared when its route now leaves another interface. (Linux drops
 * every route cache at once: wg_device_routes_changed bumps route_gen.) */
void wg_sourcing_routes_changed(struct wg_device *dev, wg_peer *peer);

#endif /* WGNODE_SOURCING_H */
