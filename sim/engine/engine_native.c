/*
 * engine_native.c — the default, fast backend of the engine interface.
 *
 * The pending-event queue is a radix heap with 2^DIGIT_BITS-ary digits
 * (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster algorithms for the shortest
 * path problem", JACM 37(2), 1990). A radix heap needs keys that never go
 * below the last one extracted, which is exactly a simulator's situation:
 * nothing is scheduled into the past (an event "in the past" runs now,
 * see native_schedule()).
 *
 *  - `last` is the time of the most recently fired event (<= now). An
 *    event with time t lives in bucket (level, digit): level is the
 *    highest DIGIT_BITS-wide digit in which t differs from `last` (0 when
 *    t == last), digit is t's own digit at that level. Every event of a
 *    bucket is earlier than every event of a bucket with a higher
 *    (level, digit). A level-0 bucket holds one exact time value.
 *  - insert: append to its bucket, O(1).
 *  - extract-min: the lowest non-empty bucket (three bit scans). At level
 *    0 it is a FIFO of equal times, and a bucket holding a single entry
 *    holds the minimum: fire its front where it is. Otherwise set `last`
 *    to the bucket's minimum and move its events into lower levels (they
 *    now differ from `last` only below that level), then look again. An
 *    event only moves down, at most LEVELS - 1 times and about once on
 *    the hold model: extract-min is amortised O(LEVELS), bounded by the
 *    key width and independent of the number of pending events.
 *  - The front run: when the lowest bucket is small (<= RUN_MAX events,
 *    level <= RUN_MAX_LEVEL), instead of moving its events down one
 *    level it is sorted (stable: insertion sort, or an LSD radix sort on
 *    the one or two bytes in which its events can differ) into one array
 *    that then fires front to back. Events scheduled inside the run's
 *    time range are inserted in place (binary search, shifting the
 *    shorter side, at most RUN_MAX entries). On the hold model this
 *    halves cache misses and branch mispredictions compared with moving
 *    small buckets down to single-event buckets.
 *  - The present instant: an event scheduled for `now` while no other
 *    event is due at `now` is, by the order's definition, the next one to
 *    fire (those scheduled after it come after it; every other pending
 *    event is later). It waits in a one-event slot, `next`, instead of
 *    taking a slot id and a bucket entry, and fires from there first
 *    (counted in `executed`, paused and cancelled like any other). Two
 *    such events come with every ping of `wgsim bench scale`: the
 *    WireGuard hosts' hand-over of the packets their node queued for the
 *    tunnel (sim/wg/wg_host.c tunnel_out).
 *  - cancel: O(1). The slot's live bit is cleared and its bucket entry
 *    becomes dead; dead entries are dropped when they reach the front of
 *    a bucket (their slot is reused only then), and all of them are swept
 *    when they outnumber the pending ones, so timers re-armed on every
 *    packet (WireGuard's keepalive timer) cannot grow memory.
 *  - Equal times run in insertion order: all events with one time are in
 *    the same bucket at any moment (the bucket depends only on the time
 *    and `last`); buckets are appended to in insertion order and moving a
 *    bucket down keeps the relative order.
 *  - Cache behaviour: entries (time, id, fn, arg) are stored inline in the
 *    buckets, appended and scanned sequentially; buckets start small so
 *    the many sparse ones of the lower levels stay in cache; firing reads
 *    the front of one bucket and one bit of the live bitmap.
 *
 * Event ids are generation << SLOT_BITS | slot. A slot's generation
 * changes every time it is reused, and cancel() checks the id against
 * the slot's current one and its live bit, so a fired or cancelled id
 * never matches again and cancel() of it is a no-op.
 *
 * Measured against ns-3's schedulers in docs/performance.md.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 26
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define MAX_SLOTS (UINT64_C(1) << SLOT_BITS) /* 67 M pending events */
#define GEN_MAX ((UINT64_C(1) << (63 - SLOT_BITS)) - 1)

/* 8-bit digits: measured best on the hold model (docs/performance.md). */
#define DIGIT_BITS 8
#define DIGITS (1u << DIGIT_BITS)
#define DIGIT_MASK (DIGITS - 1)
#define LEVELS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)
#define N_BUCKETS (LEVELS * DIGITS)
#define MASK_WORDS ((DIGITS + 63) / 64) /* occupancy words per level */

typedef struct entry {
    uint64_t time; /* sim_time, never negative */
    uint64_t id;
    sim_event_fn fn;
    void *arg;
} entry;

typedef struct bucket {
    entry *e;
    uint32_t head, n, cap; /* entries [head, n) are pending or dead */
    uint64_t min;          /* smallest time appended since last emptied */
} bucket;

/* The front run: the lowest bucket, sorted, when it is small. Firing from
 * it is a sequential read; events scheduled inside its range are
 * inserted in order. While it holds events every other pending event is
 * at or after `hi`, so its front is the earliest event. */
#define RUN_MAX 128       /* larger buckets are moved down instead */
#define RUN_MAX_LEVEL 2   /* at most two 8-bit radix passes to sort */
#define RUN_INSERTION 24  /* below this size, insertion sort */
typedef struct run {
    entry *e;
    uint32_t head, n, cap; /* entries [head, n), sorted by time, then insertion */
    uint64_t hi;           /* every pending event outside the run is >= hi */
} run;
#define RUN_IDX (-2)

typedef struct native_engine {
    sim_engine base;
    uint64_t last; /* time of the last extracted minimum; last <= now */
    uint32_t level_mask;                     /* bit L: level L has entries */
    uint8_t word_mask[LEVELS];               /* bit w: digit_mask[L][w] != 0 */
    uint64_t digit_mask[LEVELS][MASK_WORDS]; /* bit d: bucket (L, d) has entries */
    /* Slots. A slot is pending (its bit in `live` set), cancelled (its
     * dead entry is still in a bucket) or free (its last id is on the
     * free stack). Firing touches only the bitmap, which stays in L1
     * cache where a per-slot record would not. */
    uint64_t *live;      /* bitmap over slots */
    uint64_t *slot_id;   /* id of the slot's current event (read by cancel) */
    uint64_t *free_ids;  /* last ids of free slots (LIFO: reuse is cache-hot) */
    size_t n_slots, slots_cap, n_free;
    size_t pending; /* pending events */
    size_t dead; /* cancelled entries still in buckets */
    size_t cap_total; /* entries allocated over all buckets (bucket_clear) */
    bool stopped;
    /* The next event, when it was scheduled for the present instant while
     * nothing else was due then (native_schedule): it fires before any
     * other without entering the heap. */
    struct {
        sim_event_fn fn; /* NULL: none */
        void *arg;
        uint64_t id;
    } next;
    uint64_t next_seq;
    run run;
    entry *scratch; /* radix sort buffer */
    uint32_t scratch_cap;
    bucket b[N_BUCKETS]; /* index level * DIGITS + digit */
} native_engine;

static inline unsigned bucket_of(uint64_t t, uint64_t last)
{
    uint64_t x = t ^ last;
    unsigned level = x ? (63u - (unsigned)__builtin_clzll(x)) / DIGIT_BITS : 0;
    return level * DIGITS + ((unsigned)(t >> (level * DIGIT_BITS)) & DIGIT_MASK);
}

static inline void mark(native_engine *e, unsigned i)
{
    unsigned level = i / DIGITS, digit = i % DIGITS;
    e->level_mask |= UINT32_C(1) << level;
    e->word_mask[level] |= (uint8_t)(1u << (digit / 64));
    e->digit_mask[level][digit / 64] |= UINT64_C(1) << (digit % 64);
}

static inline void unmark(native_engine *e, unsigned i)
{
    unsigned level = i / DIGITS, digit = i % DIGITS;
    if (e->digit_mask[level][digit / 64] &= ~(UINT64_C(1) << (digit % 64)))
        return;
    if (e->word_mask[level] &= (uint8_t)~(1u << (digit / 64)))
        return;
    e->level_mask &= ~(UINT32_C(1) << level);
}

/* The lowest non-empty bucket; level_mask must be non-zero. */
static inline unsigned lowest_bucket(const native_engine *e)
{
    unsigned level = (unsigned)__builtin_ctz(e->level_mask);
    unsigned w = (unsigned)__builtin_ctz(e->word_mask[level]);
    return level * DIGITS + w * 64 + (unsigned)__builtin_ctzll(e->digit_mask[level][w]);
}

static inline bool slot_live(const native_engine *e, size_t s)
{
    return e->live[s / 64] >> (s % 64) & 1;
}

/* Each slot has at most one entry in the buckets, so an entry is live
 * exactly when its slot is. */
static inline bool entry_live(const native_engine *e, const entry *x)
{
    return slot_live(e, (size_t)(x->id & SLOT_MASK));
}

/* A dead entry leaves the buckets: its slot becomes reusable. */
static inline void drop_dead(native_engine *e, const entry *x)
{
    e->free_ids[e->n_free++] = x->id;
    e->dead--;
}

static void out_of_memory(void)
{
    /* A half-moved bucket cannot be rolled back, and silently losing an
     * event would break determinism. */
    sim_oom("scheduling an engine event");
}

/* Emptied buckets keep their arrays (re-growing them would cost
 * reallocations on every pass of the hold model), unless the arrays kept
 * add up to far more than the events they hold: then an emptied large
 * one is freed. Without that, each of the 2,048 buckets keeps the
 * largest size it ever had, and a world whose timers are re-armed on
 * every packet (WireGuard's) visits a new level-4 bucket every 4.3
 * simulated seconds: 19 KiB per host after 10 minutes in `wgsim bench
 * scale` (docs/performance.md), growing with simulated time. */
/* Arrays of up to KEEP_SMALL entries (8 KiB) are always kept: with 64 the
 * hold model at P = 1,000 freed and regrew about 13,000 of them and lost
 * about 8 % of its events/s; with 256, under 200. KEEP_SLACK: entries
 * kept beyond 4x the queue in any case (512 KiB). */
#define KEEP_SMALL 256
#define KEEP_SLACK 16384
static inline void bucket_clear(native_engine *e, unsigned i)
{
    bucket *b = &e->b[i];
    b->head = b->n = 0;
    b->min = UINT64_MAX;
    unmark(e, i);
    if (__builtin_expect(b->cap > KEEP_SMALL, 0) && e->cap_total > 4 * (e->pending + e->dead) + KEEP_SLACK) {
        e->cap_total -= b->cap;
        free(b->e);
        b->e = NULL;
        b->cap = 0;
    }
}

static __attribute__((noinline)) bool bucket_grow(native_engine *e, bucket *b)
{
    if (b->cap >= UINT32_MAX / 2)
        return false;
    uint32_t cap = b->cap ? 2 * b->cap : 4;
    entry *ne = realloc(b->e, cap * sizeof *ne);
    if (!ne)
        return false;
    e->cap_total += cap - b->cap;
    b->e = ne;
    b->cap = cap;
    return true;
}

/* Appends x to bucket i. A bucket is marked in the occupancy masks
 * exactly while it holds entries (emptied buckets are cleared, see
 * bucket_clear), so only a push into an empty bucket marks it. */
static inline bool bucket_push(native_engine *e, unsigned i, const entry *x)
{
    bucket *b = &e->b[i];
    if (__builtin_expect(b->n == b->cap, 0) && !bucket_grow(e, b))
        return false;
    if (b->n == 0)
        mark(e, i);
    b->e[b->n++] = *x;
    if (x->time < b->min)
        b->min = x->time;
    return true;
}

/* Moves the entries of bucket i (level >= 1) down around its minimum. The
 * minimum may be a cancelled entry's time: `last` then lands a little
 * early, which is harmless (it stays <= every pending time). */
static void redistribute(native_engine *e, unsigned i)
{
    bucket *src = &e->b[i];
    uint64_t min = src->min;
    e->last = min;
    /* Cancelled entries move along too: checking each one's slot here
     * would be a random memory access per move; they are dropped when
     * they reach the front (or by sweep()). */
    const entry *x = src->e + src->head, *end = src->e + src->n;
    for (; x < end; x++) {
        if (__builtin_expect(!bucket_push(e, bucket_of(x->time, min), x), 0))
            out_of_memory();
    }
    bucket_clear(e, i);
}

/* ---- the front run ---------------------------------------------------- */

static inline bool run_busy(const native_engine *e) { return e->run.head < e->run.n; }

static bool grow_entries(entry **arr, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return true;
    uint32_t c = *cap ? *cap : 32;
    while (c < need)
        c *= 2;
    entry *ne = realloc(*arr, c * sizeof *ne);
    if (!ne)
        return false;
    *arr = ne;
    *cap = c;
    return true;
}

/* Inserts x after every run entry whose time is <= that of x (x is the newest
 * event, so equal times stay in insertion order), shifting whichever side
 * of the insertion point is shorter. */
static bool run_insert(native_engine *e, const entry *x)
{
    run *r = &e->run;
    uint32_t lo = r->head, hi = r->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->e[mid].time <= x->time)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (r->head > 0 && lo - r->head < r->n - lo) {
        memmove(r->e + r->head - 1, r->e + r->head, (lo - r->head) * sizeof *r->e);
        r->head--;
        r->e[lo - 1] = *x;
        return true;
    }
    if (r->n == r->cap && !grow_entries(&r->e, &r->cap, r->n + 1))
        return false;
    memmove(r->e + lo + 1, r->e + lo, (r->n - lo) * sizeof *r->e);
    r->e[lo] = *x;
    r->n++;
    return true;
}

/* Sorts bucket i (level 1..RUN_MAX_LEVEL, at most RUN_MAX entries, all
 * sharing the digits above their level) into the run, stably by time. */
static void run_build(native_engine *e, unsigned i)
{
    bucket *b = &e->b[i];
    run *r = &e->run;
    uint32_t m = b->n - b->head;
    unsigned level = i / DIGITS;
    const entry *src = b->e + b->head;
    if (!grow_entries(&r->e, &r->cap, m) || !grow_entries(&e->scratch, &e->scratch_cap, m))
        out_of_memory();
    if (m < RUN_INSERTION) {
        for (uint32_t k = 0; k < m; k++) {
            entry x = src[k];
            uint32_t j = k;
            while (j > 0 && r->e[j - 1].time > x.time) {
                r->e[j] = r->e[j - 1];
                j--;
            }
            r->e[j] = x;
        }
    } else {
        /* LSD radix sort on the low `level` bytes (stable). */
        for (unsigned pass = 0; pass < level; pass++) {
            entry *dst = (level - pass) % 2 ? r->e : e->scratch;
            unsigned shift = pass * DIGIT_BITS;
            uint32_t count[DIGITS + 1] = {0};
            for (uint32_t k = 0; k < m; k++)
                count[((src[k].time >> shift) & DIGIT_MASK) + 1]++;
            for (unsigned d = 0; d < DIGITS; d++)
                count[d + 1] += count[d];
            for (uint32_t k = 0; k < m; k++)
                dst[count[(src[k].time >> shift) & DIGIT_MASK]++] = src[k];
            src = dst;
        }
    }
    r->head = 0;
    r->n = m;
    unsigned width = level * DIGIT_BITS;
    uint64_t lo = r->e[0].time >> width << width;
    r->hi = lo + (UINT64_C(1) << width);
    /* Every pending event is >= lo, and lo is above the old `last`. */
    e->last = lo;
    bucket_clear(e, i);
}

/* Finds the earliest live event and returns its bucket, or -1 when none is
 * pending. `last` is advanced (buckets moved down) only towards times
 * <= limit, so a caller that stops at `limit` can still schedule events
 * earlier than what is pending; *t receives the earliest time. */
static int find_min(native_engine *e, uint64_t limit, uint64_t *t)
{
    run *r = &e->run;
    while (r->head < r->n && !entry_live(e, &r->e[r->head]))
        drop_dead(e, &r->e[r->head++]);
    if (r->head < r->n) {
        *t = r->e[r->head].time;
        return RUN_IDX;
    }
    r->head = r->n = 0;
    for (;;) {
        if (!e->level_mask)
            return -1;
        unsigned i = lowest_bucket(e);
        bucket *b = &e->b[i];
        while (b->head < b->n && !entry_live(e, &b->e[b->head]))
            drop_dead(e, &b->e[b->head++]);
        if (b->head == b->n) {
            bucket_clear(e, i);
            continue;
        }
        if (i < DIGITS || b->n - b->head == 1) {
            /* Level 0 holds one exact instant, as a FIFO; a bucket with one
             * entry holds the minimum itself. Either way the front fires
             * from where it is: `last` may move to it without moving any
             * other event, since all others are in higher buckets. */
            *t = b->e[b->head].time;
            return (int)i;
        }
        if (b->min <= limit && i / DIGITS <= RUN_MAX_LEVEL && b->n - b->head <= RUN_MAX) {
            run_build(e, i);
            while (r->head < r->n && !entry_live(e, &r->e[r->head]))
                drop_dead(e, &r->e[r->head++]);
            if (r->head < r->n) {
                *t = r->e[r->head].time;
                return RUN_IDX;
            }
            r->head = r->n = 0;
            continue;
        }
        if (b->min > limit) {
            /* Peek only. The recorded minimum may be a cancelled entry's:
             * find the live one. */
            uint64_t min = UINT64_MAX;
            for (uint32_t k = b->head; k < b->n; k++)
                if (b->e[k].time < min && entry_live(e, &b->e[k]))
                    min = b->e[k].time;
            if (min != UINT64_MAX) {
                *t = min;
                return (int)i;
            }
            while (b->head < b->n) /* only cancelled entries */
                drop_dead(e, &b->e[b->head++]);
            bucket_clear(e, i);
            continue;
        }
        redistribute(e, i);
    }
}

/* Removes every dead entry, keeping the order of the rest. */
static void sweep(native_engine *e)
{
    run *r = &e->run;
    uint32_t rn = 0;
    for (uint32_t k = r->head; k < r->n; k++) {
        if (!entry_live(e, &r->e[k]))
            drop_dead(e, &r->e[k]);
        else
            r->e[rn++] = r->e[k];
    }
    r->head = 0;
    r->n = rn;
    for (unsigned i = 0; i < N_BUCKETS; i++) {
        bucket *b = &e->b[i];
        if (b->head == b->n)
            continue;
        uint32_t n = 0;
        uint64_t min = UINT64_MAX;
        for (uint32_t k = b->head; k < b->n; k++) {
            if (!entry_live(e, &b->e[k])) {
                drop_dead(e, &b->e[k]);
                continue;
            }
            if (b->e[k].time < min)
                min = b->e[k].time;
            b->e[n++] = b->e[k];
        }
        if (n) {
            b->head = 0;
            b->n = n;
            b->min = min;
        } else {
            bucket_clear(e, i);
        }
    }
}

/* ---- slots ---------------------------------------------------------- */

static uint64_t slot_alloc(native_engine *e)
{
    uint64_t id;
    if (e->n_free) {
        uint64_t old = e->free_ids[--e->n_free];
        uint64_t gen = old >> SLOT_BITS;
        id = (gen == GEN_MAX ? 1 : gen + 1) << SLOT_BITS | (old & SLOT_MASK);
    } else {
        if (e->n_slots == e->slots_cap) {
            if (e->slots_cap >= MAX_SLOTS)
                return 0;
            size_t cap = e->slots_cap ? 2 * e->slots_cap : 1024;
            uint64_t *ids = realloc(e->slot_id, cap * sizeof *ids);
            if (!ids)
                return 0;
            e->slot_id = ids;
            uint64_t *fr = realloc(e->free_ids, cap * sizeof *fr);
            if (!fr)
                return 0;
            e->free_ids = fr;
            uint64_t *lv = realloc(e->live, cap / 8);
            if (!lv)
                return 0;
            memset(lv + e->slots_cap / 64, 0, (cap - e->slots_cap) / 8);
            e->live = lv;
            e->slots_cap = cap;
        }
        id = UINT64_C(1) << SLOT_BITS | e->n_slots++;
    }
    size_t s = (size_t)(id & SLOT_MASK);
    e->slot_id[s] = id;
    e->live[s / 64] |= UINT64_C(1) << (s % 64);
    return id;
}

/* ---- the interface -------------------------------------------------- */

/* True when no pending event (live or cancelled) is due at `last`: the
 * run's front, or else the level-0 bucket of `last`, which is where an
 * event at `last` would be (bucket_of). */
static inline bool none_due_at_last(const native_engine *e)
{
    if (run_busy(e))
        return e->run.e[e->run.head].time != e->last;
    const bucket *b = &e->b[e->last & DIGIT_MASK];
    return b->head == b->n;
}

/* Ids of the `next` slot: bit 63, which no slot id has (generations stay
 * below 2^37, shifted by SLOT_BITS). */
#define NEXT_ID_BIT (UINT64_C(1) << 63)

static sim_event_id native_schedule(sim_engine *eng, sim_time at, sim_event_fn fn, void *arg)
{
    native_engine *e = (native_engine *)eng;
    if (!fn)
        return 0;
    /* An event in the past runs now, after those already due now; this
     * also keeps the radix heap's precondition (at >= now >= last). */
    if (at < e->base.now)
        at = e->base.now;
    /* An event for the present instant while nothing else is due at it
     * (a tunnel's hand-over of the packets its node just queued, two in
     * every ping of `bench scale`) is the next to fire: every event
     * scheduled after it has a later place in the order, and every
     * earlier one is due later. It waits in `next` instead of a bucket,
     * and fires (and counts) as any event would, from run() or step(),
     * before anything else. */
    if ((uint64_t)at == e->last && at == e->base.now && !e->next.fn && none_due_at_last(e)) {
        e->next.fn = fn;
        e->next.arg = arg;
        e->next.id = NEXT_ID_BIT | ++e->next_seq;
        e->pending++;
        return e->next.id;
    }
    uint64_t id = slot_alloc(e);
    if (!id) {
        fprintf(stderr, "sim: native engine: cannot schedule more than %llu pending events\n",
                (unsigned long long)MAX_SLOTS);
        return 0;
    }
    entry x = {(uint64_t)at, id, fn, arg};
    bool ok = run_busy(e) && x.time < e->run.hi ? run_insert(e, &x) : bucket_push(e, bucket_of(x.time, e->last), &x);
    if (!ok) {
        fprintf(stderr, "sim: native engine: out of memory\n");
        size_t s = (size_t)(id & SLOT_MASK);
        e->live[s / 64] &= ~(UINT64_C(1) << (s % 64));
        e->free_ids[e->n_free++] = id;
        return 0;
    }
    e->pending++;
    return id;
}

static bool native_cancel(sim_engine *eng, sim_event_id id)
{
    native_engine *e = (native_engine *)eng;
    if (id & NEXT_ID_BIT) {
        if (!e->next.fn || e->next.id != id)
            return false;
        e->next.fn = NULL;
        e->pending--;
        return true;
    }
    size_t s = (size_t)(id & SLOT_MASK);
    if (s >= e->n_slots || !slot_live(e, s) || e->slot_id[s] != id)
        return false;
    e->live[s / 64] &= ~(UINT64_C(1) << (s % 64)); /* its entry is now dead */
    e->pending--;
    e->dead++;
    if (e->dead > 1024 && e->dead > e->pending)
        sweep(e);
    return true;
}

/* Fires the front of bucket i (live, the minimum, found by find_min). */
static inline void fire(native_engine *e, int idx)
{
    entry x;
    /* A cache hint: the argument of the event after this one, when it is
     * known without a search (next in the run or in the same bucket). In a
     * large world it is out of cache (docs/performance.md "Cache hints"). */
    if (idx == RUN_IDX) {
        run *r = &e->run;
        x = r->e[r->head++];
        if (r->head == r->n)
            r->head = r->n = 0;
        else
            __builtin_prefetch(r->e[r->head].arg);
    } else {
        unsigned i = (unsigned)idx;
        bucket *b = &e->b[i];
        x = b->e[b->head++];
        if (b->head < b->n)
            __builtin_prefetch(b->e[b->head].arg);
        if (b->head == b->n) {
            bucket_clear(e, i);
        } else if (__builtin_expect(b->head >= 4096, 0) && b->head >= b->n / 2) {
            /* A long run of equal times fed while it drains: reuse the space. */
            memmove(b->e, b->e + b->head, (b->n - b->head) * sizeof *b->e);
            b->n -= b->head;
            b->head = 0;
        }
    }
    size_t s = (size_t)(x.id & SLOT_MASK);
    e->live[s / 64] &= ~(UINT64_C(1) << (s % 64));
    e->free_ids[e->n_free++] = x.id;
    e->pending--;
    e->last = x.time;
    e->base.now = (sim_time)x.time;
    e->base.executed++;
    x.fn(x.arg);
}

/* Fires the event in `next` (its time is the present). */
static inline void fire_next(native_engine *e)
{
    sim_event_fn fn = e->next.fn;
    void *arg = e->next.arg;
    e->next.fn = NULL;
    e->pending--;
    e->base.executed++;
    fn(arg);
}

/* The earliest pending event, as find_min gives it, through the fast
 * paths first: the run's live front, or the lowest bucket's live front
 * when it is the minimum (level 0, or a single entry). */
static inline int front(native_engine *e, uint64_t limit, uint64_t *t)
{
    const run *r = &e->run;
    if (r->head < r->n && entry_live(e, &r->e[r->head])) {
        *t = r->e[r->head].time;
        return RUN_IDX;
    }
    if (!run_busy(e) && e->level_mask) {
        unsigned i = lowest_bucket(e);
        const bucket *b = &e->b[i];
        const entry *f = &b->e[b->head];
        if ((i < DIGITS || b->n - b->head == 1) && entry_live(e, f)) {
            *t = f->time;
            return (int)i;
        }
    }
    return find_min(e, limit, t);
}

static void native_run(sim_engine *eng, sim_time until)
{
    native_engine *e = (native_engine *)eng;
    e->stopped = false;
    if (until < e->base.now)
        return; /* nothing is due before the present */
    uint64_t limit = until == SIM_TIME_NEVER ? UINT64_MAX : (uint64_t)until;
    for (;;) {
        if (e->next.fn) {
            fire_next(e);
        } else {
            uint64_t t;
            int idx = front(e, limit, &t);
            if (idx == -1 || t > limit)
                break;
            fire(e, idx);
        }
        if (e->stopped || e->base.executed == e->base.pause_at)
            return;
    }
    if (until != SIM_TIME_NEVER && until > e->base.now)
        e->base.now = until;
}

static bool native_step(sim_engine *eng)
{
    native_engine *e = (native_engine *)eng;
    if (e->next.fn) {
        fire_next(e);
        return true;
    }
    uint64_t t;
    int idx = find_min(e, UINT64_MAX, &t);
    if (idx == -1)
        return false;
    fire(e, idx);
    return true;
}

static void native_stop(sim_engine *eng) { ((native_engine *)eng)->stopped = true; }

static size_t native_pending(const sim_engine *eng) { return ((const native_engine *)eng)->pending; }

static sim_time native_next_time(const sim_engine *eng)
{
    /* Dropping dead entries changes the representation, not the
     * observable state; the engine object itself is never const. Limit
     * 0 never advances `last`. */
    native_engine *e = (native_engine *)(uintptr_t)eng;
    if (e->next.fn)
        return e->base.now;
    uint64_t t;
    return find_min(e, 0, &t) == -1 ? SIM_TIME_NEVER : (sim_time)t;
}

static void native_destroy(sim_engine *eng)
{
    native_engine *e = (native_engine *)eng;
    for (unsigned i = 0; i < N_BUCKETS; i++)
        free(e->b[i].e);
    free(e->run.e);
    free(e->scratch);
    free(e->live);
    free(e->slot_id);
    free(e->free_ids);
    free(e);
}

static const sim_engine_ops native_ops = {
    .name = "native",
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
    for (unsigned i = 0; i < N_BUCKETS; i++)
        e->b[i].min = UINT64_MAX;
    return &e->base;
}
