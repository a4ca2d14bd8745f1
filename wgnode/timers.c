/*
 * timers.c — per-peer protocol timers (timers.h). The rules and constants
 * are those of ../shared/reference/wg-sourcing.md "Timers and constants";
 * the event hooks mirror Linux drivers/net/wireguard/timers.c so the same
 * packets arm and cancel the same timers. Each hook has the same name and
 * effect in FreeBSD sys/dev/wg/if_wg.c and OpenBSD sys/net/if_wg.c
 * (wg_timers_event_*, wg_timers_run_*) and wireguard-go device/timers.go
 * (timers*, expired*); where they differ the platform trait in sourcing.h
 * says so (docs/wgnode.md lists every rule with its source).
 */
#include "wgnode/timers.h"

#include "wgnode/device.h"

/* ---- deadline heap ---- */

int64_t wg_timers_peer_deadline(const wg_peer *peer)
{
    int64_t m = WG_TIME_NEVER;
    for (int i = 0; i < WG_TIMER_COUNT; i++)
        if (peer->timers[i] < m)
            m = peer->timers[i];
    return m;
}

/* Each heap entry carries its peer's earliest deadline, refreshed by
 * changed() whenever one of the peer's timers is set or cleared (the only
 * writers of peer->timers once the peer is in the heap), so sifting
 * compares entries of the array instead of reading five timers out of
 * each peer it passes: on a 10,000-peer hub every data packet re-arms a
 * timer, and the old comparisons were cache misses (3.5 % of `bench
 * scale`). Same comparisons on the same values: the same heap. For the
 * same reason an entry names its peer by id and the positions live in the
 * device's array by id: a sift moves up to log2(peers) entries and reads
 * or writes no peer. */
static void heap_put(struct wg_device *dev, size_t i, wg_heap_entry e)
{
    dev->heap[i] = e;
    dev->heap_pos[e.id] = (uint32_t)i;
}

static void heap_fix(struct wg_device *dev, size_t i)
{
    wg_heap_entry x = dev->heap[i];
    /* up */
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (dev->heap[p].deadline <= x.deadline)
            break;
        heap_put(dev, i, dev->heap[p]);
        i = p;
    }
    /* down */
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        int64_t md = x.deadline;
        if (l < dev->heap_len && dev->heap[l].deadline < md) {
            m = l;
            md = dev->heap[l].deadline;
        }
        if (r < dev->heap_len && dev->heap[r].deadline < md)
            m = r;
        if (m == i)
            break;
        heap_put(dev, i, dev->heap[m]);
        i = m;
    }
    heap_put(dev, i, x);
}

void wg_timers_heap_insert(struct wg_device *dev, wg_peer *peer)
{
    /* device.c guarantees capacity (heap_cap >= number of peers). */
    size_t i = dev->heap_len++;
    heap_put(dev, i, (wg_heap_entry){wg_timers_peer_deadline(peer), (uint32_t)peer->id});
    heap_fix(dev, i);
}

void wg_timers_heap_remove(struct wg_device *dev, wg_peer *peer)
{
    size_t i = dev->heap_pos[peer->id];
    if (i >= dev->heap_len || dev->heap[i].id != (uint32_t)peer->id)
        return;
    dev->heap_pos[peer->id] = UINT32_MAX;
    dev->heap_len--;
    if (i != dev->heap_len) {
        heap_put(dev, i, dev->heap[dev->heap_len]);
        heap_fix(dev, i);
    }
}

/* ---- single timers ---- */

static void changed(wg_peer *peer)
{
    struct wg_device *dev = peer->dev;
    size_t i = dev->heap_pos[peer->id];
    if (i < dev->heap_len && dev->heap[i].id == (uint32_t)peer->id) {
        dev->heap[i].deadline = wg_timers_peer_deadline(peer);
        heap_fix(dev, i);
    }
}

void wg_timer_set(wg_peer *peer, wg_timer_kind t, int64_t when)
{
    /* Linux mod_peer_timer: timers are not armed while the interface is down. */
    if (!peer->dev->up)
        return;
    peer->timers[t] = when;
    changed(peer);
}

void wg_timer_del(wg_peer *peer, wg_timer_kind t)
{
    if (peer->timers[t] == WG_TIME_NEVER)
        return;
    peer->timers[t] = WG_TIME_NEVER;
    changed(peer);
}

bool wg_timer_pending(const wg_peer *peer, wg_timer_kind t) { return peer->timers[t] != WG_TIME_NEVER; }

void wg_timers_stop_all(wg_peer *peer)
{
    for (int i = 0; i < WG_TIMER_COUNT; i++)
        peer->timers[i] = WG_TIME_NEVER;
    changed(peer);
}

int64_t wg_timers_jitter(struct wg_device *dev)
{
    uint8_t b[4];
    dev->host.random_bytes(dev->host.ctx, b, sizeof b);
    uint32_t r = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    return (int64_t)(r % (uint32_t)(WG_REKEY_TIMEOUT_JITTER_MAX + 1));
}

/* ---- event hooks ---- */

/* After sending data: a reply is expected within KEEPALIVE_TIMEOUT +
 * REKEY_TIMEOUT (+ jitter); the timer is not pushed back by further data
 * (LX wg_timers_data_sent, FB/OB wg_timers_event_data_sent: "unless
 * pending"). Callers decide what counts as sent (send.c). */
void wg_timers_data_sent(wg_peer *peer, int64_t now)
{
    if (!wg_timer_pending(peer, WG_TIMER_NEW_HANDSHAKE))
        wg_timer_set(peer, WG_TIMER_NEW_HANDSHAKE,
                     now + WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT + wg_timers_jitter(peer->dev));
}

/* After receiving data: answer with a keepalive if we send nothing within
 * KEEPALIVE_TIMEOUT; data arriving while armed asks for one more round. */
void wg_timers_data_received(wg_peer *peer, int64_t now)
{
    if (!peer->dev->up)
        return;
    if (!wg_timer_pending(peer, WG_TIMER_SEND_KEEPALIVE))
        wg_timer_set(peer, WG_TIMER_SEND_KEEPALIVE, now + WG_KEEPALIVE_TIMEOUT);
    else
        peer->need_another_keepalive = true;
}

/* Any authenticated send makes a passive keepalive unnecessary; any
 * authenticated receive answers the data we sent (ref "any authenticated
 * send cancels it" / "any authenticated receive cancels it"). */
void wg_timers_any_authenticated_packet_sent(wg_peer *peer) { wg_timer_del(peer, WG_TIMER_SEND_KEEPALIVE); }

void wg_timers_any_authenticated_packet_received(wg_peer *peer) { wg_timer_del(peer, WG_TIMER_NEW_HANDSHAKE); }

void wg_timers_handshake_initiated(wg_peer *peer, int64_t now)
{
    int64_t jitter = wg_timers_jitter(peer->dev);
    /* Where the rate limit needs REKEY_TIMEOUT strictly exceeded (BSD
     * noise_timer_expired), a zero jitter would land the retry exactly on
     * the boundary and stall the retries. The real callout always runs a
     * little after the instant the initiation was stamped (r_last_sent is
     * taken before callout_reset), so the model moves it by 1 ns. */
    if (jitter == 0 && (peer->dev->sourcing->strict_ages & WG_AGE_BIT(WG_AGE_RATE_LIMIT)))
        jitter = 1;
    wg_timer_set(peer, WG_TIMER_RETRANSMIT_HANDSHAKE, now + WG_REKEY_TIMEOUT + jitter);
}

/* LX wg_timers_handshake_complete, FB/OB wg_timers_event_handshake_complete
 * (the BSDs then also send: send.c wg_send_on_handshake_complete). */
void wg_timers_handshake_complete(wg_peer *peer, int64_t now)
{
    wg_timer_del(peer, WG_TIMER_RETRANSMIT_HANDSHAKE);
    peer->handshake_attempts = 0;
    peer->sent_lastminute_handshake = false;
    peer->last_handshake = now;
    peer->handshakes++;
}

/* Keys die 3 x REJECT_AFTER_TIME after the last session was derived. */
void wg_timers_session_derived(wg_peer *peer, int64_t now)
{
    wg_timer_set(peer, WG_TIMER_ZERO_KEYS, now + 3 * WG_REJECT_AFTER_TIME);
}

void wg_timers_any_authenticated_packet_traversal(wg_peer *peer, int64_t now)
{
    if (peer->persistent_keepalive)
        wg_timer_set(peer, WG_TIMER_PERSISTENT_KEEPALIVE,
                     now + (int64_t)peer->persistent_keepalive * WG_NS_PER_SEC);
}

/* ---- expiry handlers ---- */

static void fired(wg_peer *peer, wg_timer_kind t)
{
    wg_event ev = wg_event_for(peer, WG_EV_TIMER_FIRED);
    ev.timer = t;
    wg_emit(peer->dev, &ev);
}

static void expired_retransmit_handshake(wg_peer *peer, int64_t now)
{
    if (peer->handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
        /* REKEY_ATTEMPT_TIME exhausted (20 initiations sent): give up,
         * drop what waited for the session, and schedule key zeroing. */
        wg_event ev = wg_event_for(peer, WG_EV_HANDSHAKE_GAVE_UP);
        wg_emit(peer->dev, &ev);
        wg_timer_del(peer, WG_TIMER_SEND_KEEPALIVE);
        size_t n = wg_staged_purge(&peer->staged);
        for (size_t i = 0; i < n; i++)
            wg_drop(peer->dev, WG_DROP_HANDSHAKE_GAVE_UP, peer, NULL);
        if (!wg_timer_pending(peer, WG_TIMER_ZERO_KEYS))
            wg_timer_set(peer, WG_TIMER_ZERO_KEYS, now + 3 * WG_REJECT_AFTER_TIME);
        return;
    }
    peer->handshake_attempts++;
    /* The learned source may be what keeps the peer from answering
     * (wg-sourcing.md: retransmit timer clears the stored source). */
    wg_sourcing_clear(peer->dev, peer);
    wg_send_initiation(peer, now, true, true);
}

/* The send-keepalive handler (Linux timers.c wg_expired_send_keepalive,
 * FreeBSD/OpenBSD if_wg.c wg_timers_run_send_keepalive): a keepalive, and
 * one more round if data arrived while the timer was armed. The BSDs also
 * call it directly when a handshake completes (send.c). */
void wg_timers_run_send_keepalive(wg_peer *peer, int64_t now)
{
    wg_send_keepalive(peer, now);
    if (peer->need_another_keepalive) {
        peer->need_another_keepalive = false;
        wg_timer_set(peer, WG_TIMER_SEND_KEEPALIVE, now + WG_KEEPALIVE_TIMEOUT);
    }
}

static void expired_new_handshake(wg_peer *peer, int64_t now)
{
    /* Data went out and nothing authenticated came back for 15 s. */
    wg_sourcing_clear(peer->dev, peer);
    wg_send_initiation(peer, now, false, true);
}

static void expired_zero_keys(wg_peer *peer, int64_t now)
{
    (void)now;
    wg_peer_zero_keys(peer);
}

static void expired_persistent_keepalive(wg_peer *peer, int64_t now)
{
    if (peer->persistent_keepalive)
        wg_send_keepalive(peer, now);
}

static void run_peer(wg_peer *peer, int64_t now)
{
    for (;;) {
        int which = -1;
        int64_t best = WG_TIME_NEVER;
        for (int i = 0; i < WG_TIMER_COUNT; i++)
            if (peer->timers[i] <= now && peer->timers[i] < best) {
                best = peer->timers[i];
                which = i;
            }
        if (which < 0)
            return;
        wg_timer_kind t = (wg_timer_kind)which;
        wg_timer_del(peer, t);
        fired(peer, t);
        switch (t) {
        case WG_TIMER_RETRANSMIT_HANDSHAKE: expired_retransmit_handshake(peer, now); break;
        case WG_TIMER_SEND_KEEPALIVE: wg_timers_run_send_keepalive(peer, now); break;
        case WG_TIMER_NEW_HANDSHAKE: expired_new_handshake(peer, now); break;
        case WG_TIMER_ZERO_KEYS: expired_zero_keys(peer, now); break;
        case WG_TIMER_PERSISTENT_KEEPALIVE: expired_persistent_keepalive(peer, now); break;
        }
    }
}

void wg_timers_run(struct wg_device *dev, int64_t now)
{
    /* Each round runs every due timer of the earliest peer (run_peer loops
     * until none of its timers is due). Handlers arm timers of their own
     * peer only, always later than `now` (every delay above is positive), so
     * each due peer takes one round; the bound is a safety net across peers
     * and does not cover run_peer's own loop. */
    for (size_t guard = 0; dev->heap_len && guard < 4 * dev->heap_len + 64; guard++) {
        wg_peer *peer = dev->peers[dev->heap[0].id];
        if (dev->heap[0].deadline > now)
            return;
        run_peer(peer, now);
    }
}
