/*
 * bench_engine.c — the hold-model benchmark of the event engine
 * (issue 5; docs/performance.md).
 *
 * Hold model: keep P events pending; each event, when it fires, schedules
 * one successor at now + a random delay, so the queue holds P events
 * throughout and every step is one "pop the earliest" plus one "insert".
 * Delays are exponential with a mean of 1 ms, drawn once from a seeded
 * sim_rng stream into a table that every engine replays identically.
 *
 * Contenders, one process, one run, same workload:
 *   - native: sim_engine_native_new() through the sim_engine interface;
 *   - ns-3's Simulator with its MapScheduler (the default), Calendar,
 *     Heap and PriorityQueue schedulers, scheduling through
 *     Simulator::Schedule directly (ns3_shim_schedule_raw_in, no tracking).
 * The baseline is the best ns-3 scheduler at each P. Each contender first
 * fires 2P + 100000 warm-up events (untimed) so the queue and its memory
 * reach their steady state, then times SEGMENTS consecutive segments of N
 * events with CLOCK_MONOTONIC and keeps the fastest segment: the machine
 * is shared, and the best segment is the least disturbed one. Every
 * contender is treated the same way.
 */
#include "bench/bench.h"

#include <math.h>
#include <stdlib.h>

#include "sim/sim.h"
#ifdef WGSIM_HAVE_NS3
#include "sim/engine/ns3/ns3_shim.h"
#endif

#define N_DELAYS (1u << 16)
#define SEGMENTS 3
#define DELAY_MASK (N_DELAYS - 1)

typedef struct hold {
    void *engine;          /* sim_engine or ns3_shim */
    const int64_t *delays;
    uint32_t idx;
    uint64_t left;         /* events still to fire in this phase */
} hold;

static void fill_delays(int64_t *d)
{
    sim_rng r;
    sim_rng_init(&r, 1, "bench-engine-hold");
    for (uint32_t i = 0; i < N_DELAYS; i++) {
        double u = sim_rng_unit(&r);
        /* Exponential, mean 1 ms; +1 ns keeps every delay positive. */
        d[i] = 1 + (int64_t)(-log1p(-u) * 1e6);
    }
}

/* What every contender does the same way: P initial events, the untimed
 * warm-up, then the fastest of SEGMENTS timed segments of n events. Only
 * "schedule one successor" and "run until stopped" differ per engine; the
 * event callbacks themselves call their engine directly. */
typedef void (*hold_schedule_fn)(hold *h);
typedef void (*hold_run_fn)(void *engine);

static double measure(hold *h, hold_schedule_fn schedule, hold_run_fn run, uint64_t p, uint64_t warm, uint64_t n)
{
    for (uint64_t i = 0; i < p; i++)
        schedule(h);
    h->left = warm;
    run(h->engine);
    double best = 0;
    for (int k = 0; k < SEGMENTS; k++) {
        h->left = n;
        int64_t t0 = bench_clock_ns();
        run(h->engine);
        int64_t t1 = bench_clock_ns();
        double rate = (double)n / ((double)(t1 - t0) / 1e9);
        if (rate > best)
            best = rate;
    }
    return best;
}

/* ---- native ----------------------------------------------------------- */

static void native_cb(void *arg);

static void native_schedule(hold *h) { sim_schedule_in(h->engine, h->delays[h->idx++ & DELAY_MASK], native_cb, h); }

static void native_cb(void *arg)
{
    hold *h = arg;
    native_schedule(h);
    if (--h->left == 0)
        sim_stop(h->engine);
}

static void native_run(void *engine) { sim_run_until(engine, SIM_TIME_NEVER); }

static double run_native(const int64_t *delays, uint64_t p, uint64_t warm, uint64_t n)
{
    sim_engine *e = sim_engine_native_new();
    if (!e)
        return -1;
    hold h = {e, delays, 0, 0};
    double best = measure(&h, native_schedule, native_run, p, warm, n);
    sim_engine_destroy(e);
    return best;
}

/* ---- ns-3 ------------------------------------------------------------- */

#ifdef WGSIM_HAVE_NS3
static void ns3_cb(void *arg);

static void ns3_schedule(hold *h) { ns3_shim_schedule_raw_in(h->engine, h->delays[h->idx++ & DELAY_MASK], ns3_cb, h); }

static void ns3_cb(void *arg)
{
    hold *h = arg;
    ns3_schedule(h);
    if (--h->left == 0)
        ns3_shim_stop(h->engine);
}

static void ns3_run(void *engine) { ns3_shim_run_until(engine, INT64_MAX); }

static double run_ns3(const char *scheduler, const int64_t *delays, uint64_t p, uint64_t warm, uint64_t n)
{
    ns3_shim *s = ns3_shim_create(scheduler);
    if (!s)
        return -1;
    hold h = {s, delays, 0, 0};
    double best = measure(&h, ns3_schedule, ns3_run, p, warm, n);
    ns3_shim_destroy(s);
    return best;
}

static const char *const ns3_contenders[] = {"map", "calendar", "heap", "priority-queue"};
#define N_NS3 (sizeof ns3_contenders / sizeof ns3_contenders[0])
#endif

int bench_engine(const bench_options *o, bench_result *r)
{
#ifndef WGSIM_HAVE_NS3
    /* Without ns-3 there is no baseline: measure ours, then refuse. */
    (void)r;
    int64_t *d = malloc(N_DELAYS * sizeof *d);
    if (d) {
        fill_delays(d);
        double v = run_native(d, 1000, 2000 + (o->quick ? 0 : 100000), o->quick ? 5000 : 1000000);
        if (o->table)
            fprintf(o->table, "engine: native, hold model, P = 1000: %.0f events/s\n", v);
        free(d);
    }
    fprintf(stderr, "wgsim bench engine: this wgsim was built without ns-3 (WGSIM_WITH_NS3=OFF); "
                    "the baseline is ns-3's Simulator\n");
    return 2;
#else
    static const uint64_t p_full[] = {1000, 100000}, p_quick[] = {100, 1000};
    const uint64_t *ps = o->quick ? p_quick : p_full;
    const uint64_t n = o->quick ? 5000 : 1000000;
    const uint64_t extra_warm = o->quick ? 0 : 100000;
    int64_t *delays = malloc(N_DELAYS * sizeof *delays);
    if (!delays) {
        fprintf(stderr, "wgsim bench engine: out of memory\n");
        return 2;
    }
    fill_delays(delays);

    if (o->table)
        fprintf(o->table,
                "engine: hold model, exponential delays (mean 1 ms), best of %d segments of %llu events\n"
                "%9s  %-22s %14s\n",
                SEGMENTS, (unsigned long long)n, "pending", "engine", "events/s");
    *r = (bench_result){.bench = "engine", .unit = "events/s", .target = ">= 4", .ratio = INFINITY};
    for (int pi = 0; pi < 2; pi++) {
        uint64_t p = ps[pi];
        double native = run_native(delays, p, 2 * p + extra_warm, n);
        if (native < 0) {
            fprintf(stderr, "wgsim bench engine: cannot create the native engine\n");
            free(delays);
            return 2;
        }
        if (o->table)
            fprintf(o->table, "%9llu  %-22s %14.0f\n", (unsigned long long)p, "native", native);
        double best = 0;
        const char *best_name = NULL;
        for (size_t k = 0; k < N_NS3; k++) {
            double v = run_ns3(ns3_contenders[k], delays, p, 2 * p + extra_warm, n);
            if (v < 0) {
                fprintf(stderr, "wgsim bench engine: cannot create an ns-3 session (%s)\n", ns3_contenders[k]);
                free(delays);
                return 2;
            }
            if (o->table) {
                char label[40];
                snprintf(label, sizeof label, "ns-3 %s", ns3_contenders[k]);
                fprintf(o->table, "%9llu  %-22s %14.0f\n", (unsigned long long)p, label, v);
            }
            if (v > best) {
                best = v;
                best_name = ns3_contenders[k];
            }
        }
        double ratio = native / best;
        if (o->table)
            fprintf(o->table, "%9llu  native / ns-3 best (%s) = %.2f\n", (unsigned long long)p, best_name, ratio);
        /* The summary is the weaker of the two queue sizes. */
        if (ratio < r->ratio) {
            r->ratio = ratio;
            r->ours = native;
            r->baseline = best;
        }
    }
    free(delays);
    return 0;
#endif
}
