/*
 * prefetch.c — the cache lines a packet of a device or peer reads, for a
 * host's cache hints (no effect on behaviour).
 *
 * In a large world a road-warrior device's structures are out of cache
 * each time one of its packets arrives (a second later), and the packet
 * path reads them one pointer at a time: device -> peer -> keypair ->
 * index bucket, each a memory access waited for in turn. Prefetching
 * them level by level first lets the accesses of one level overlap
 * (docs/performance.md, "scale"). A hint only: prefetch never faults
 * and nothing here writes.
 */
#include "wgnode/device.h"
#include "wgnode/peer.h"
#include "wgnode/allowedips.h"

#include <stddef.h>

/* Devices with more peers than this (a hub) list only their own struct:
 * which peer a packet is for is not known in advance. */
#define PREFETCH_MAX_PEERS 4
/* The most lines of a small device's /32 host map prefetched whole. */
#define HOST4_LINES 4

/* Every cache line [p, p + len) spans (wgnode's own: it depends on no
 * library of the simulator's, whose sim_prefetch_range is the same). */
static inline void range(const void *p, size_t len)
{
    if (!p || !len)
        return;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + len;
    for (; a < end; a += 64)
        __builtin_prefetch((const void *)a);
}

/* ---- a peer's lines ---- */

typedef struct lines {
    const void **out;
    size_t n, max;
} lines;

static inline void add(lines *l, const void *p)
{
    if (p && l->n < l->max)
        l->out[l->n++] = p;
}

/* The lines of a peer a data packet reads: its fields before pk_next
 * (peer.h), not the handshake state after them. */
#define PEER_HOT offsetof(wg_peer, pk_next)

/* Prefetches every line listed in l. */
static void ask(const lines *l)
{
    for (size_t k = 0; k < l->n; k++)
        __builtin_prefetch(l->out[k]);
}

static void add_range(lines *l, const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + len;
    for (; a < end; a += 64)
        add(l, (const void *)a);
}

static void add_keypair(lines *l, const wg_keypair *kp)
{
    if (!kp)
        return;
    add(l, kp);
    add(l, kp->send_key);
    add(l, kp->recv_key);
    add(l, &kp->replay);
}

/* The lines found only by reading the peer and its keypairs (its staged
 * ring, its keypairs' index slots, its timer-heap entry): a host's walk
 * asks for them a level after the peer and the keypairs themselves. */
static void add_reached(lines *l, const wg_device *dev, int id, const wg_peer *p)
{
    add(l, p->staged.ring);
    if (p->keypairs.current)
        add(l, wg_index_home(&dev->index, p->keypairs.current->entry.index));
    if (p->keypairs.next)
        add(l, wg_index_home(&dev->index, p->keypairs.next->entry.index));
    if (dev->heap_pos && (size_t)id < dev->cap_ids && dev->heap_pos[id] < dev->heap_len)
        add(l, &dev->heap[dev->heap_pos[id]]);
}

size_t wg_device_peer_lines(const wg_device *dev, int id, const wg_ip *inner, const void **out, size_t max)
{
    lines l = {out, 0, max};
    if (id < 0 || (size_t)id >= dev->n_ids || !dev->peers[id])
        return 0;
    const wg_peer *p = dev->peers[id];
    add(&l, &dev->peers[id]);
    add_range(&l, p, PEER_HOT);
    add_keypair(&l, p->keypairs.current);
    add_keypair(&l, p->keypairs.next);
    if (dev->heap_pos && (size_t)id < dev->cap_ids) {
        add(&l, &dev->heap_pos[id]);
        add(&l, &dev->heap_due[id]);
    }
    add_reached(&l, dev, id, p);
    if (inner)
        l.n += wg_allowedips_path(&dev->allowedips, inner, l.out + l.n, l.max - l.n);
    return l.n;
}

bool wg_device_prefetch(const wg_device *dev, int level)
{
    if (level > 0 && dev->peer_count > PREFETCH_MAX_PEERS)
        return false; /* a hub: its device struct only */
    switch (level) {
    case 0:
        /* Nothing of dev is read at this level: the lines were just asked
         * for, and reading one would wait for it. Level 1 tells a hub. */
        range(dev, offsetof(struct wg_device, identity)); /* the hot lines (device.h) */
        return true;
    case 1:
        range(dev->peers, dev->n_ids * sizeof *dev->peers);
        range(dev->heap_pos, dev->n_ids * sizeof *dev->heap_pos);
        range(dev->heap_due, dev->n_ids * sizeof *dev->heap_due);
        if (dev->allowedips.root4)
            __builtin_prefetch(dev->allowedips.root4);
        /* A /32 allowed IP (a road warrior's one peer, the hub's tunnel
         * address) is in the host map, not the trie: every packet sent
         * or received looks its slot up (perf at N = 10,000: 87 % of
         * wg_allowedips_lookup's samples waited on it before this line).
         * A few peers' host map is a line or two; a larger one (many /32s
         * on one peer) is left to the cache. */
        if (dev->allowedips.host4.n && dev->allowedips.host4.cap <= HOST4_LINES * 64 / sizeof(wg_u32map_slot))
            range(dev->allowedips.host4.slots,
                  dev->allowedips.host4.cap * sizeof *dev->allowedips.host4.slots);
        return true;
    case 2:
        for (size_t i = 0; i < dev->n_ids; i++)
            range(dev->peers[i], PEER_HOT);
        return true;
    case 3:
        /* The keypairs' lines as wg_device_peer_lines lists them. */
        for (size_t i = 0; i < dev->n_ids; i++) {
            const void *out[8];
            lines l = {out, 0, 8};
            if (dev->peers[i]) {
                add_keypair(&l, dev->peers[i]->keypairs.current);
                add_keypair(&l, dev->peers[i]->keypairs.next);
            }
            ask(&l);
        }
        return true;
    case 4:
        /* The rest of wg_device_peer_lines: levels 1 - 3 asked for the
         * others (the peer array, the heap arrays, the peers, their
         * keypairs), which are in cache now and tell where these are. */
        for (size_t i = 0; i < dev->n_ids; i++) {
            const void *out[4];
            lines l = {out, 0, 4};
            if (dev->peers[i])
                add_reached(&l, dev, (int)i, dev->peers[i]);
            ask(&l);
        }
        return false;
    default:
        return false;
    }
}
