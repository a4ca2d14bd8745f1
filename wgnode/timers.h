/*
 * timers.h — the per-peer timers of the whitepaper §6 with Linux's event
 * hooks (drivers/net/wireguard/timers.c; constants and rules in
 * ../shared/reference/wg-sourcing.md, "Timers and constants"). Timers are
 * deadlines in host ns; the device keeps a min-heap of peers by their
 * earliest deadline so next_deadline() is O(1) and tick() touches only due
 * peers.
 */
#ifndef WGNODE_TIMERS_H
#define WGNODE_TIMERS_H

#include "wgnode/peer.h"

/* Heap maintenance (device.c owns the array). */
void wg_timers_heap_insert(struct wg_device *dev, wg_peer *peer);
void wg_timers_heap_remove(struct wg_device *dev, wg_peer *peer);
int64_t wg_timers_peer_deadline(const wg_peer *peer);
/* The device's earliest deadline (WG_TIME_NEVER when none); repairs the
 * heap's lazy keys at the top first (timers.c). */
int64_t wg_timers_next_deadline(struct wg_device *dev);
/* The top's key: at or before the earliest deadline (timers.c). */
int64_t wg_timers_wake(const struct wg_device *dev);

void wg_timer_set(wg_peer *peer, wg_timer_kind t, int64_t when);
void wg_timer_del(wg_peer *peer, wg_timer_kind t);
bool wg_timer_pending(const wg_peer *peer, wg_timer_kind t);
void wg_timers_stop_all(wg_peer *peer);

/* Random jitter in [0, REKEY_TIMEOUT_JITTER_MAX) from the host random. */
int64_t wg_timers_jitter(struct wg_device *dev);

/* Event hooks (Linux timers.c wg_timers_*). */
void wg_timers_data_sent(wg_peer *peer, int64_t now);
void wg_timers_data_received(wg_peer *peer, int64_t now);
void wg_timers_any_authenticated_packet_sent(wg_peer *peer);
void wg_timers_any_authenticated_packet_received(wg_peer *peer);
void wg_timers_handshake_initiated(wg_peer *peer, int64_t now);
void wg_timers_handshake_complete(wg_peer *peer, int64_t now);
void wg_timers_session_derived(wg_peer *peer, int64_t now);
void wg_timers_any_authenticated_packet_traversal(wg_peer *peer, int64_t now);

/* The send-keepalive timer's handler, also run at once by the BSDs'
 * handshake-complete event. */
void wg_timers_run_send_keepalive(wg_peer *peer, int64_t now);

/* Runs every due timer of every due peer. */
void wg_timers_run(struct wg_device *dev, int64_t now);

#endif /* WGNODE_TIMERS_H */
