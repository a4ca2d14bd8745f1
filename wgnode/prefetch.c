/*
 * prefetch.c — cache hints for a small device (no effect on behaviour).
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

/* Devices with more peers than this (a hub) are not walked: which peer a
 * packet is for is not known here. */
#define PREFETCH_MAX_PEERS 4

static inline void range(const void *p, size_t len)
{
    const char *c = p;
    for (size_t off = 0; off < len; off += 64)
        __builtin_prefetch(c + off);
}

void wg_device_prefetch(const wg_device *dev)
{
    range(dev, sizeof *dev);
    if (dev->peer_count > PREFETCH_MAX_PEERS)
        return;
    range(dev->peers, dev->n_ids * sizeof *dev->peers);
    range(dev->index.buckets, 64);
    range(dev->heap, 64);
    for (size_t i = 0; i < dev->n_ids; i++)
        if (dev->peers[i])
            range(dev->peers[i], sizeof *dev->peers[i]);
    for (size_t i = 0; i < dev->n_ids; i++) {
        const wg_peer *p = dev->peers[i];
        if (!p)
            continue;
        if (p->keypairs.current)
            range(p->keypairs.current, sizeof *p->keypairs.current);
        if (p->keypairs.next)
            range(p->keypairs.next, 128);
    }
    if (dev->allowedips.root4)
        range(dev->allowedips.root4, 64);
}
