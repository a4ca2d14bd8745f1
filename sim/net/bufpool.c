/*
 * bufpool.c — the world's free lists of short-lived packet memory: frames
 * in flight, their delivery records and the copies a tunnel queues for
 * the next event. Each lives from one event to the next; taking it from
 * malloc and giving it back cost about a third of the non-crypto
 * instructions of a ping through a WireGuard tunnel, and each fresh chunk
 * is cache lines written (docs/performance.md, "scale").
 *
 * Size classes in steps of 64 bytes up to 2 KiB, each a LIFO list (the
 * block freed last is the one most likely still in the cache), at most
 * SIM_POOL_KEEP blocks a class: the pool never holds more than about
 * 1 MB, whatever the traffic. Steps rather than powers of two: a block
 * is up to 63 bytes larger than asked, where a frame in flight (~300 to
 * ~450 bytes) rounded up to 512 cost up to 200 bytes while it waited
 * (4.5 MB more heap after building a world of 10,000 hosts, whose
 * gratuitous ARPs are all in flight then). Larger blocks go to malloc
 * and free.
 * Nothing is initialised: the caller sets every byte it reads, as with
 * malloc. Under AddressSanitizer a block in the pool is poisoned, so a
 * use after sim_buf_put is still reported.
 */
#include "sim/net/net.h"

#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n) ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define POOL_STEP 64 /* bytes between size classes */

typedef struct pool_block {
    struct pool_block *next;
} pool_block;

/* The class of a block of size bytes (-1: too large for the pool). */
static int size_class(size_t size)
{
    size_t c = size ? (size - 1) / POOL_STEP : 0;
    return c < SIM_POOL_CLASSES ? (int)c : -1;
}

static size_t class_size(int c) { return (size_t)(c + 1) * POOL_STEP; }

void *sim_buf_get(sim_world *w, size_t size, const char *what)
{
    int c = size_class(size);
    sim_bufpool *bp = &w->pool;
    if (c >= 0 && bp->free[c]) {
        pool_block *b = bp->free[c];
        POOL_UNPOISON(b, class_size(c));
        bp->free[c] = b->next;
        bp->n[c]--;
        return b;
    }
    /* a fresh block is allocated with its class's size, so any block of
     * the class can serve any later request for it */
    void *p = malloc(c >= 0 ? class_size(c) : size);
    if (!p)
        sim_oom(what);
    return p;
}

void sim_buf_put(sim_world *w, void *p, size_t size)
{
    if (!p)
        return;
    int c = size_class(size);
    sim_bufpool *bp = &w->pool;
    if (c < 0 || bp->n[c] >= SIM_POOL_KEEP) {
        free(p);
        return;
    }
    pool_block *b = p;
    b->next = bp->free[c];
    bp->free[c] = b;
    bp->n[c]++;
    POOL_POISON(b, class_size(c));
}

void sim_bufpool_free(sim_bufpool *bp)
{
    for (int c = 0; c < SIM_POOL_CLASSES; c++) {
        pool_block *b = bp->free[c];
        while (b) {
            POOL_UNPOISON(b, class_size(c));
            pool_block *next = b->next;
            free(b);
            b = next;
        }
        bp->free[c] = NULL;
        bp->n[c] = 0;
    }
}
