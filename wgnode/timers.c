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

/* The heap holds one entry per peer: its id and a key that is a lower
 * bound of the peer's earliest deadline. The deadline itself is kept by id
 * in dev->heap_due (changed() refreshes it whenever one of the peer's
 * timers is set or cleared, the only writers of peer->timers once the
 * peer is in the heap), so neither sifting nor repairing reads a peer: on
 * a 10,000-peer hub those reads were cache misses (3.5 % of `bench
 * scale`), and a sift moves up to log2(peers) entries.
 *
 * Keys are lazy. A deadline that moves earlier lowers the key at once (a
 * sift up); one that moves later or goes away leaves the key where it is,
 * and the entry is repaired only when it reaches the top (settle()). On a
 * hub every data packet moves its peer's deadline, nearly always later
 * (send-keepalive armed 10 s ahead, then cancelled by the reply, then
 * new-handshake 15 s ahead): eagerly that was four sifts through the whole
 * heap per ping, the largest single cost of the simulator's part of a ping
 * in `bench scale`; lazily a peer's entry is repaired about once per
 * keepalive interval.
 *
 * Lazy keys give the same answers: once settled the top's key is its
 * peer's deadline, and every other peer's deadline is at or above that
 * peer's key, which is at or above the top's. With ties broken by peer id
 * (before()) the earliest peer is the same peer whatever the heap's shape,
 * so wg_device_next_deadline() and the order in which due peers run are
 * those of an exact heap. */
static void heap_put(struct wg_device *dev, size_t i, wg_heap_entry e)
{
    dev->heap[i] = e;
    dev->heap_pos[e.id] = (uint32_t)i;
}

/* The heap's order: earliest key first, and among equal keys the lowest
 * peer id (the order in which the peers were added), so the peers due at
 * one instant run in an order that the heap's shape does not decide. */
static inline bool before(wg_heap_entry a, wg_heap_entry b)
{
    return a.deadline < b.deadline || (a.deadline == b.deadline && a.id < b.id);
}

static void sift_up(struct wg_device *dev, size_t i)
{
    wg_heap_entry x = dev->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(x, dev->heap[p]))
            break;
        heap_put(dev, i, dev->heap[p]);
        i = p;
    }
    heap_put(dev, i, x);
}

static void sift_down(struct wg_device *dev, size_t i)
{
    wg_heap_entry x = dev->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        wg_heap_entry mx = x;
        if (l < dev->heap_len && before(dev->heap[l], mx)) {
            m = l;
            mx = dev->heap[l];
        }
        if (r < dev->heap_len && before(dev->heap[r], mx))
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
    int64_t d = wg_timers_peer_deadline(peer);
    dev->heap_due[peer->id] = d;
    heap_put(dev, i, (wg_heap_entry){d, (uint32_t)peer->id});
    sift_up(dev, i);
}

void wg_timers_heap_remove(struct wg_device *dev, wg_peer *peer)
{
    size_t i = dev->heap_pos[peer->id];
    if (i >= dev->heap_len || dev->heap[i].id != (uint32_t)peer->id)
        return;
    dev->heap_pos[peer->id] = UINT32_MAX;
    dev->heap_len--;
    if (i != dev->heap_len) {
        wg_heap_entry last = dev->heap[dev->heap_len];
        heap_put(dev, i, last);
        sift_up(dev, i);
        sift_down(dev, dev->heap_pos[last.id]);
    }
}

/* Brings the top's key up to its peer's deadline (later: keys only ever
 * underestimate); false when it was already that. */
static bool repair_top(struct wg_device *dev)
{
    wg_heap_entry *top = &dev->heap[0];
    int64_t d = dev->heap_due[top->id];
    if (d == top->deadline)
        return false;
    top->deadline = d;
    sift_down(dev, 0);
    return true;
}

/* Repairs stale keys at the top until the top's key is its peer's
 * deadline: then it is the earliest deadline of the device. */
static void settle(struct wg_device *dev)
{
    while (dev->heap_len && repair_top(dev))
        ;
}

int64_t wg_timers_next_deadline(struct wg_device *dev)
{
    settle(dev);
    return dev->heap_len ? dev->heap[0].deadline : WG_TIME_NEVER;
}

/* ---- single timers ---- */

static void changed(wg_peer *peer)
{
    struct wg_device *dev = peer->dev;
    size_t i = dev->heap_pos[peer->id];
    if (i < dev->heap_len && dev->heap[i].id == (uint32_t)peer->id) {
        int64_t d = wg_timers_peer_deadline(peer);
        dev->heap_due[peer->id] = d;
        if (d < dev->heap[i].deadline) {
            dev->heap[i].deadline = d;
            sift_up(dev, i);
        }
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
    /* Each round either repairs the top's stale key or runs every due
     * timer of the earliest peer (run_peer loops until none of its timers
     * is due). Handlers arm timers of their own peer only, always later
     * than `now` (every delay above is positive), so each peer takes at
     * most one repair and one run; the bound is a safety net across peers
     * and does not cover run_peer's own loop. Only keys at or before `now`
     * are repaired: the rest stay lazy (see above). */
    for (size_t guard = 0; dev->heap_len && guard < 4 * dev->heap_len + 64; guard++) {
        if (dev->heap[0].deadline > now)
            return;
        if (!repair_top(dev))
            run_peer(dev->peers[dev->heap[0].id], now);
    }
}

int64_t wg_timers_wake(const struct wg_device *dev)
{
    return dev->heap_len ? dev->heap[0].deadline : WG_TIME_NEVER;
}
