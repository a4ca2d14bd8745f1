/*
 * hsqueue.c — the handshake queue and the "under load" decision (issue 22;
 * docs/wgnode.md "Under load").
 *
 * Facts followed (Linux drivers/net/wireguard/receive.c and queueing.h):
 *  - wg_packet_receive puts every initiation, response and cookie reply
 *    on one per-device ring of MAX_QUEUED_INCOMING_HANDSHAKES (4096)
 *    entries and drops what does not fit; transport data never waits
 *    there;
 *  - a worker takes them off in order; wg_receive_handshake_packet calls
 *    the device under load when the queue length (the message being
 *    processed still counted) is at least 4096 / 8, remembers when
 *    (last_under_load) and stays under load until one second has passed
 *    since then (wg_birthdate_has_expired(last_under_load, 1)).
 * FreeBSD if_wg.c wg_handshake (MAX_QUEUED_HANDSHAKES / 8, UNDERLOAD_TIMEOUT
 * 1 s) decides the same way; wgnode follows Linux's reading of it.
 *
 * WG_HSQ_HOST: the queue holds copies (a datagram handed to
 * wg_device_receive is the host's), grown on demand up to the bound so an
 * idle device keeps none. WG_HSQ_TIMED: see timed_receive.
 */
#include "wgnode/device.h"
#include "wgnode/messages.h"

#include <stdlib.h>
#include <string.h>

struct wg_hs_item {
    wg_source local;
    wg_endpoint remote;
    uint8_t len;
    uint8_t data[WG_INITIATION_LEN]; /* the longest handshake message */
};

void wg_hsq_free(struct wg_device *dev)
{
    if (dev->hsq)
        wg_memzero(dev->hsq, dev->hsq_cap * sizeof *dev->hsq);
    free(dev->hsq);
    dev->hsq = NULL;
    dev->hsq_cap = dev->hsq_len = dev->hsq_head = 0;
    free(dev->hsd);
    dev->hsd = NULL;
    dev->hsd_cap = dev->hsd_len = dev->hsd_head = 0;
}

/* A ring of len elements of size elem from head in cap slots, unwrapped
 * into a new array of twice the room (first: first, at most
 * WG_MAX_QUEUED_HANDSHAKES); NULL without memory (the old one is kept). */
static void *ring_grow(void *ring, size_t elem, size_t head, size_t len, size_t cap, size_t first, size_t *new_cap)
{
    size_t n = cap ? cap * 2 : first;
    if (n > WG_MAX_QUEUED_HANDSHAKES)
        n = WG_MAX_QUEUED_HANDSHAKES;
    uint8_t *r = malloc(n * elem);
    if (!r)
        return NULL;
    for (size_t i = 0; i < len; i++)
        memcpy(r + i * elem, (uint8_t *)ring + ((head + i) % cap) * elem, elem);
    *new_cap = n;
    return r;
}

static bool hsq_grow(struct wg_device *dev)
{
    size_t n;
    struct wg_hs_item *q = ring_grow(dev->hsq, sizeof *q, dev->hsq_head, dev->hsq_len, dev->hsq_cap, 64, &n);
    if (!q)
        return false;
    if (dev->hsq)
        wg_memzero(dev->hsq, dev->hsq_cap * sizeof *dev->hsq);
    free(dev->hsq);
    dev->hsq = q;
    dev->hsq_cap = n;
    dev->hsq_head = 0;
    return true;
}

static bool hsq_push(struct wg_device *dev, const wg_source *local, const wg_endpoint *remote, const uint8_t *data,
                     size_t len)
{
    if (dev->hsq_len >= WG_MAX_QUEUED_HANDSHAKES || len > WG_INITIATION_LEN)
        return false;
    if (dev->hsq_len == dev->hsq_cap && !hsq_grow(dev))
        return false;
    struct wg_hs_item *it = &dev->hsq[(dev->hsq_head + dev->hsq_len) % dev->hsq_cap];
    if (local)
        it->local = *local;
    else
        memset(&it->local, 0, sizeof it->local);
    it->remote = *remote;
    it->len = (uint8_t)len;
    memcpy(it->data, data, len);
    dev->hsq_len++;
    if (dev->hsq_len > dev->hsq_max)
        dev->hsq_max = dev->hsq_len;
    return true;
}

/* Processes the oldest queued message (host mode). The queue length passed on still counts it (Linux decrements
 * handshake_queue_len after the message is handled). */
static void hsq_pop_process(struct wg_device *dev, int64_t now)
{
    struct wg_hs_item it = dev->hsq[dev->hsq_head];
    size_t qlen = dev->hsq_len;
    dev->hsq_head = (dev->hsq_head + 1) % dev->hsq_cap;
    dev->hsq_len--;
    wg_receive_handshake(dev, now, &it.local, &it.remote, it.data, it.len, qlen);
    wg_memzero(&it, sizeof it);
}

/* WG_HSQ_TIMED: the queue as a ring of the times its messages will be
 * done, grown on demand (a simulated hub of 10,000 sites has 10,000
 * devices that never see more than a few at once). Pops those done by
 * now; returns the length left. */
static size_t timed_backlog(struct wg_device *dev, int64_t now)
{
    while (dev->hsd_len && dev->hsd[dev->hsd_head] <= now) {
        dev->hsd_head = (dev->hsd_head + 1) % dev->hsd_cap;
        dev->hsd_len--;
    }
    return dev->hsd_len;
}

static bool timed_grow(struct wg_device *dev)
{
    size_t n;
    int64_t *d = ring_grow(dev->hsd, sizeof *d, dev->hsd_head, dev->hsd_len, dev->hsd_cap, 4, &n);
    if (!d)
        return false;
    free(dev->hsd);
    dev->hsd = d;
    dev->hsd_cap = n;
    dev->hsd_head = 0;
    return true;
}

/* The simulator's processor (WG_HSQ_TIMED). A message is worked on when
 * it arrives, and the queue records when it would be done: after the
 * messages ahead of it, plus its own cost. Its place in that queue is
 * what the under-load rule sees (Linux reads the length when it takes the
 * message off; in a FIFO the same messages are counted). So light traffic
 * is never delayed (the shipped scenarios run unchanged) and a flood
 * shows as a long queue, load, cookie replies, rate limits and queue-full
 * drops — not as latency, which wgnode does not model. */
static void timed_receive(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                          const uint8_t *data, size_t len)
{
    size_t ahead = timed_backlog(dev, now);
    if (ahead >= WG_MAX_QUEUED_HANDSHAKES) {
        wg_drop(dev, WG_DROP_QUEUE_FULL, NULL, remote);
        return;
    }
    if (ahead == dev->hsd_cap && !timed_grow(dev)) {
        /* no memory for the model: handled, but not queued */
        wg_receive_handshake(dev, now, local, remote, data, len, ahead + 1);
        return;
    }
    bool expensive = wg_receive_handshake(dev, now, local, remote, data, len, ahead + 1);
    int64_t start = ahead ? dev->hs_busy_until : now;
    dev->hs_busy_until = start + (expensive ? dev->hs_cost : dev->hs_reject_cost);
    dev->hsd[(dev->hsd_head + dev->hsd_len) % dev->hsd_cap] = dev->hs_busy_until;
    dev->hsd_len++;
    if (dev->hsd_len > dev->hsq_max)
        dev->hsq_max = dev->hsd_len;
}

void wg_hsq_receive(struct wg_device *dev, int64_t now, const wg_source *local, const wg_endpoint *remote,
                    const uint8_t *data, size_t len)
{
    if (dev->hs_mode == WG_HSQ_NONE) {
        wg_receive_handshake(dev, now, local, remote, data, len, 0);
        return;
    }
    if (dev->hs_mode == WG_HSQ_TIMED) {
        timed_receive(dev, now, local, remote, data, len);
        return;
    }
    if (!hsq_push(dev, local, remote, data, len))
        wg_drop(dev, WG_DROP_QUEUE_FULL, NULL, remote);
}

size_t wg_device_process_handshakes(wg_device *dev, int64_t now, size_t max)
{
    size_t n = 0;
    while (n < max && dev->hsq_len) {
        hsq_pop_process(dev, now);
        n++;
    }
    return n;
}

bool wg_hsq_under_load(struct wg_device *dev, int64_t now, size_t qlen)
{
    dev->hs_processed++;
    bool under = qlen >= WG_UNDER_LOAD_QUEUE_LEN;
    if (under) {
        if (!dev->last_under_load) {
            dev->under_load_since = now;
            dev->under_load_periods++;
            wg_event ev = wg_event_for(NULL, WG_EV_UNDER_LOAD);
            wg_emit(dev, &ev);
        }
        dev->last_under_load = now;
    } else if (dev->last_under_load) {
        under = now < dev->last_under_load + WG_UNDER_LOAD_HOLD;
        if (!under) {
            dev->under_load_total += dev->last_under_load + WG_UNDER_LOAD_HOLD - dev->under_load_since;
            dev->last_under_load = 0;
        }
    }
    return under || dev->under_load;
}

void wg_device_load_info(const wg_device *dev, int64_t now, wg_load_info *out)
{
    memset(out, 0, sizeof *out);
    out->backlog = dev->hsq_len;
    if (dev->hs_mode == WG_HSQ_TIMED) /* those not done by now */
        for (size_t i = 0; i < dev->hsd_len; i++)
            out->backlog += dev->hsd[(dev->hsd_head + i) % dev->hsd_cap] > now;
    out->backlog_max = dev->hsq_max;
    out->under_load_ns = dev->under_load_total;
    if (dev->last_under_load) {
        int64_t end = dev->last_under_load + WG_UNDER_LOAD_HOLD;
        out->under_load = now < end || dev->under_load;
        out->under_load_ns += (now < end ? now : end) - dev->under_load_since;
    } else {
        out->under_load = dev->under_load;
    }
    out->under_load_periods = dev->under_load_periods;
    out->processed = dev->hs_processed;
    out->cookie_replies = dev->cookie_replies;
}
