/*
 * scratch.c — the buffer a transport message is sealed into before it is
 * sent, and the one it is opened into when it arrives.
 *
 * A message stays in its scratch only while one call handles it: sealed,
 * handed to the host, done; opened, delivered to the host, done. One
 * buffer of each kind per thread therefore serves every device of that
 * thread. With a buffer of each kind per device, a world of 10,000 road
 * warriors held 20,000 of them, and every ping wrote three lines into
 * each of a host's two, both out of cache (a write to a line out of
 * cache waits for it like a read; docs/performance.md, "One scratch a
 * thread"). The thread's buffers stay in cache.
 *
 * A device falls back on a buffer of its own when the thread's is in use
 * (a host callback that reaches another device's send or receive before
 * it returns, e.g. WireGuard carried inside WireGuard on one node) or
 * too small for the message. Which buffer is used is never visible: the
 * bytes written and read are the same.
 */
#include "wgnode/device.h"

#include <stdlib.h>

/* A transport message of a 1500-byte MTU (16 header + padded payload +
 * 16 tag) fits; a jumbo one takes the device's own buffer. */
#define SHARED_LEN 2048

static _Thread_local struct {
    _Alignas(64) uint8_t buf[WG_SCRATCH__COUNT][SHARED_LEN];
    bool busy[WG_SCRATCH__COUNT];
} shared;

uint8_t *wg_scratch_take(wg_scratch *own, wg_scratch_use use, size_t need)
{
    if (need <= SHARED_LEN && !shared.busy[use]) {
        shared.busy[use] = true;
        return shared.buf[use];
    }
    if (own->cap < need) {
        uint8_t *b = realloc(own->buf, need);
        if (!b)
            return NULL;
        own->buf = b;
        own->cap = need;
    }
    return own->buf;
}

void wg_scratch_give(const uint8_t *p, wg_scratch_use use)
{
    if (p == shared.buf[use])
        shared.busy[use] = false;
}

void wg_scratch_free(wg_scratch *own)
{
    free(own->buf);
    own->buf = NULL;
    own->cap = 0;
}
