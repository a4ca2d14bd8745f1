/*
 * engine_native.c — the default, fast backend of the engine interface.
 *
 * Layout, chosen for cache behaviour on the hold-model workload
 * (bench/bench_engine.c; docs/performance.md):
 *
 *  - The queue is a 4-ary implicit min-heap of 16-byte entries
 *    (time, key) where key = sequence << SLOT_BITS | slot. Comparing the
 *    pair (time, key) as one 128-bit number orders by time and then by
 *    sequence, i.e. equal times run in insertion order. The four children
 *    of a node are 64 contiguous bytes, and the array is placed so that
 *    each group of siblings fills exactly one cache line: a sift-down step
 *    touches one line.
 *  - Callbacks live in a slab indexed by slot; the heap never moves them.
 *    A freed slot goes on a LIFO free list, so in steady state the slot
 *    the next schedule() takes is the one the firing event just released
 *    (still in cache).
 *  - Event ids are generation << SLOT_BITS | slot. The generation of a slot
 *    changes each time it is freed, so a stale id (fired, cancelled) never
 *    matches again and cancel() of it is a no-op.
 *  - Cancellation is lazy: cancel() frees the slot at once and leaves the
 *    heap entry behind; an entry whose sequence no longer matches its
 *    slot's is skipped when it reaches the top. When dead entries exceed
 *    the live ones the heap is compacted and re-heapified (O(n)), so
 *    timers that are re-armed over and over (WireGuard re-arms its
 *    keepalive timer on every packet) cannot make the heap grow without
 *    bound.
 *  - Firing does not remove the top entry before the callback runs. The
 *    common pattern "an event schedules its successor" then costs a single
 *    replace-top + sift-down instead of a pop (sift-down) plus a push
 *    (sift-up). If the callback schedules nothing the top is popped
 *    afterwards.
 *
 * Sequence numbers are 38 bits; when they run out (after 2.7e11 schedules)
 * the live entries are renumbered in order, which keeps ids valid since
 * ids do not contain the sequence.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 26
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define MAX_SLOTS (UINT64_C(1) << SLOT_BITS) /* 67 M pending events */
#define SEQ_MAX ((UINT64_C(1) << (64 - SLOT_BITS)) - 1)
#define GEN_MAX SEQ_MAX
#define NO_SLOT SIZE_MAX

typedef struct hentry {
    uint64_t time; /* sim_time, never negative, so unsigned order is time order */
    uint64_t key;  /* seq << SLOT_BITS | slot */
} hentry;

typedef struct slot {
    sim_event_fn fn;
    union {
        void *arg;        /* while in use */
        size_t next_free; /* while free */
    } u;
    uint64_t seq; /* 0 while free */
    uint64_t gen; /* changes on every free; part of the id */
} slot;

typedef struct native_engine {
    sim_engine base;
    sim_time now;
    hentry *h;       /* h[0] is the root; children of i are 4i+1..4i+4 */
    void *h_mem;     /* the 64-byte aligned allocation h points into */
    size_t h_n, h_cap;
    slot *slots;
    size_t n_slots;  /* slots ever used (slab high-water mark) */
    size_t slots_cap;
    size_t free_head;
    size_t live;     /* pending, not cancelled, not firing */
    size_t dead;     /* cancelled entries still in the heap */
    uint64_t next_seq;
    bool firing;     /* h[0] is the event whose callback is running */
    bool stopped;
} native_engine;

static inline unsigned __int128 ord(hentry a)
{
    return (unsigned __int128)a.time << 64 | a.key;
}
static inline bool less(hentry a, hentry b) { return ord(a) < ord(b); }

static inline bool entry_live(const native_engine *e, hentry x)
{
    return e->slots[x.key & SLOT_MASK].seq == x.key >> SLOT_BITS;
}

/* ---- heap ---------------------------------------------------------- */

static void sift_down(native_engine *e, size_t i, hentry x)
{
    hentry *h = e->h;
    size_t n = e->h_n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c + 3 < n) {
            /* A full sibling group: pick the smallest of four without
             * data-dependent branches on the first two pairs. */
            size_t a = less(h[c + 1], h[c]) ? c + 1 : c;
            size_t b = less(h[c + 3], h[c + 2]) ? c + 3 : c + 2;
            size_t m = less(h[b], h[a]) ? b : a;
            if (!less(h[m], x))
                break;
            h[i] = h[m];
            i = m;
        } else {
            if (c >= n)
                break;
            size_t m = c;
            for (size_t k = c + 1; k < n; k++)
                if (less(h[k], h[m]))
                    m = k;
            if (!less(h[m], x))
                break;
            h[i] = h[m];
            i = m;
            break; /* m has no children: a partial group is the last level */
        }
    }
    h[i] = x;
}

static void sift_up(native_engine *e, size_t i, hentry x)
{
    hentry *h = e->h;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!less(x, h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

static bool heap_reserve(native_engine *e, size_t need)
{
    if (need <= e->h_cap)
        return true;
    size_t cap = e->h_cap ? e->h_cap * 2 : 256;
    while (cap < need)
        cap *= 2;
    /* Three leading pad entries put h[4k+1] (the first child of k) on a
     * 64-byte boundary: the allocation is aligned and 16 * (4k+1+3) = 64(k+1). */
    size_t bytes = (cap + 3) * sizeof(hentry);
    bytes = (bytes + 63) & ~(size_t)63;
    void *mem = aligned_alloc(64, bytes);
    if (!mem)
        return false;
    hentry *h = (hentry *)mem + 3;
    if (e->h_n)
        memcpy(h, e->h, e->h_n * sizeof *h);
    free(e->h_mem);
    e->h_mem = mem;
    e->h = h;
    e->h_cap = cap;
    return true;
}

static void heap_pop_top(native_engine *e)
{
    hentry last = e->h[--e->h_n];
    if (e->h_n)
        sift_down(e, 0, last);
}

/* The callback of h[0] has returned without scheduling: drop its entry. */
static void settle(native_engine *e)
{
    if (e->firing) {
        e->firing = false;
        heap_pop_top(e);
    }
}

/* Remove cancelled entries from the top so h[0] (if any) is live. */
static void purge_top(native_engine *e)
{
    settle(e);
    while (e->h_n && !entry_live(e, e->h[0])) {
        heap_pop_top(e);
        e->dead--;
    }
}

/* Drop every cancelled entry and rebuild the heap bottom-up (O(n)). */
static void compact(native_engine *e)
{
    settle(e);
    size_t n = 0;
    for (size_t i = 0; i < e->h_n; i++)
        if (entry_live(e, e->h[i]))
            e->h[n++] = e->h[i];
    e->h_n = n;
    e->dead = 0;
    if (n > 1)
        for (size_t i = (n - 2) / 4 + 1; i-- > 0;)
            sift_down(e, i, e->h[i]);
}

static int cmp_entry(const void *pa, const void *pb)
{
    unsigned __int128 a = ord(*(const hentry *)pa), b = ord(*(const hentry *)pb);
    return a < b ? -1 : a > b;
}

/* Sequence numbers ran out: renumber the live events 1..n in firing order.
 * A sorted array is a valid heap. Ids carry no sequence, so they survive. */
static void renumber(native_engine *e)
{
    compact(e);
    qsort(e->h, e->h_n, sizeof *e->h, cmp_entry);
    for (size_t i = 0; i < e->h_n; i++) {
        uint64_t s = e->h[i].key & SLOT_MASK;
        e->slots[s].seq = i + 1;
        e->h[i].key = (uint64_t)(i + 1) << SLOT_BITS | s;
    }
    e->next_seq = e->h_n + 1;
}

/* ---- slab ---------------------------------------------------------- */

static size_t slot_alloc(native_engine *e)
{
    if (e->free_head != NO_SLOT) {
        size_t s = e->free_head;
        e->free_head = e->slots[s].u.next_free;
        return s;
    }
    if (e->n_slots == e->slots_cap) {
        if (e->slots_cap >= MAX_SLOTS)
            return NO_SLOT;
        size_t cap = e->slots_cap ? e->slots_cap * 2 : 256;
        slot *ns = realloc(e->slots, cap * sizeof *ns);
        if (!ns)
            return NO_SLOT;
        e->slots = ns;
        e->slots_cap = cap;
    }
    size_t s = e->n_slots++;
    e->slots[s].gen = 1;
    return s;
}

static void slot_free(native_engine *e, size_t s)
{
    slot *sl = &e->slots[s];
    sl->seq = 0;
    sl->fn = NULL;
    sl->gen = sl->gen == GEN_MAX ? 1 : sl->gen + 1;
    sl->u.next_free = e->free_head;
    e->free_head = s;
}

/* ---- the interface ------------------------------------------------- */

static sim_time native_now(const sim_engine *eng) { return ((const native_engine *)eng)->now; }

static sim_event_id native_schedule(sim_engine *eng, sim_time at, sim_event_fn fn, void *arg)
{
    native_engine *e = (native_engine *)eng;
    if (!fn)
        return 0;
    /* An event in the past runs now, after those already due now. */
    if (at < e->now)
        at = e->now;
    if (e->next_seq > SEQ_MAX)
        renumber(e);
    if (!e->firing && !heap_reserve(e, e->h_n + 1))
        return 0;
    size_t s = slot_alloc(e);
    if (s == NO_SLOT) {
        fprintf(stderr, "sim: native engine: cannot schedule more than %llu pending events\n",
                (unsigned long long)MAX_SLOTS);
        return 0;
    }
    uint64_t seq = e->next_seq++;
    slot *sl = &e->slots[s];
    sl->fn = fn;
    sl->u.arg = arg;
    sl->seq = seq;
    hentry x = {(uint64_t)at, seq << SLOT_BITS | s};
    if (e->firing) {
        /* The top is the event now running: reuse its place. */
        e->firing = false;
        sift_down(e, 0, x);
    } else {
        sift_up(e, e->h_n++, x);
    }
    e->live++;
    return sl->gen << SLOT_BITS | s;
}

static bool native_cancel(sim_engine *eng, sim_event_id id)
{
    native_engine *e = (native_engine *)eng;
    size_t s = (size_t)(id & SLOT_MASK);
    if (s >= e->n_slots)
        return false;
    slot *sl = &e->slots[s];
    if (sl->seq == 0 || sl->gen != id >> SLOT_BITS)
        return false;
    slot_free(e, s);
    e->live--;
    e->dead++;
    if (e->dead > 64 && e->dead > e->live)
        compact(e);
    return true;
}

/* Fire h[0], which must be live. */
static inline void fire_top(native_engine *e)
{
    hentry top = e->h[0];
    size_t s = (size_t)(top.key & SLOT_MASK);
    sim_event_fn fn = e->slots[s].fn;
    void *arg = e->slots[s].u.arg;
    slot_free(e, s);
    e->live--;
    e->now = (sim_time)top.time;
    e->firing = true;
    fn(arg);
    settle(e);
}

static void native_run(sim_engine *eng, sim_time until)
{
    native_engine *e = (native_engine *)eng;
    e->stopped = false;
    if (until < e->now)
        return; /* nothing is due before the present */
    for (;;) {
        purge_top(e);
        if (!e->h_n || e->h[0].time > (uint64_t)until)
            break;
        fire_top(e);
        if (e->stopped)
            return;
    }
    if (until != SIM_TIME_NEVER && until > e->now)
        e->now = until;
}

static bool native_step(sim_engine *eng)
{
    native_engine *e = (native_engine *)eng;
    purge_top(e);
    if (!e->h_n)
        return false;
    fire_top(e);
    return true;
}

static void native_stop(sim_engine *eng) { ((native_engine *)eng)->stopped = true; }

static size_t native_pending(const sim_engine *eng) { return ((const native_engine *)eng)->live; }

static sim_time native_next_time(const sim_engine *eng)
{
    /* Dropping dead entries from the top changes the representation, not
     * the observable state; the engine object itself is never const. */
    native_engine *e = (native_engine *)(uintptr_t)eng;
    purge_top(e);
    return e->h_n ? (sim_time)e->h[0].time : SIM_TIME_NEVER;
}

static void native_destroy(sim_engine *eng)
{
    native_engine *e = (native_engine *)eng;
    free(e->h_mem);
    free(e->slots);
    free(e);
}

static const sim_engine_ops native_ops = {
    .name = "native",
    .now = native_now,
    .schedule = native_schedule,
    .cancel = native_cancel,
    .run = native_run,
    .step = native_step,
    .stop = native_stop,
    .pending = native_pending,
    .next_time = native_next_time,
    .destroy = native_destroy,
};

sim_engine *sim_engine_native_new(void)
{
    native_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->base.ops = &native_ops;
    e->free_head = NO_SLOT;
    e->next_seq = 1;
    if (!heap_reserve(e, 256)) {
        free(e);
        return NULL;
    }
    return &e->base;
}

/* Test hook (tests/test_engine.c): jump the sequence counter so the
 * renumbering path runs without 2.7e11 schedules. Not in sim.h. */
void sim_engine_native_test_set_seq(sim_engine *eng, uint64_t next_seq);
void sim_engine_native_test_set_seq(sim_engine *eng, uint64_t next_seq)
{
    ((native_engine *)eng)->next_seq = next_seq;
}
