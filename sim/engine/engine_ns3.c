/*
 * engine_ns3.c — the `ns3` backend of the engine interface: ns-3's
 * Simulator through the libns3-c shim (sim/engine/ns3/ns3_shim.h).
 *
 * ns-3's Simulator is a process-wide singleton, so only one ns3 engine can
 * exist at a time; creating a second one returns NULL with a message. The
 * scheduler is ns-3's MapScheduler (its default). Equal-time events run
 * in insertion order, as ns-3 orders them by (time, uid).
 *
 * Without ns-3 (WGSIM_WITH_NS3=OFF) sim_engine_ns3_new() returns NULL.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef WGSIM_HAVE_NS3

#include "sim/engine/ns3/ns3_shim.h"

typedef struct ns3_engine {
    sim_engine base;
    ns3_shim *shim;
} ns3_engine;

static ns3_shim *shim_of(const sim_engine *e) { return ((const ns3_engine *)e)->shim; }

static sim_event_id e_schedule(sim_engine *e, sim_time at, sim_event_fn fn, void *arg)
{
    if (!fn)
        return 0;
    return ns3_shim_schedule(shim_of(e), at, fn, arg);
}

static bool e_cancel(sim_engine *e, sim_event_id id) { return ns3_shim_cancel(shim_of(e), id); }
static void e_run(sim_engine *e, sim_time until) { ns3_shim_run_until(shim_of(e), until); }
static bool e_step(sim_engine *e) { return ns3_shim_step(shim_of(e)); }
static void e_stop(sim_engine *e) { ns3_shim_stop(shim_of(e)); }
static size_t e_pending(const sim_engine *e) { return ns3_shim_pending(shim_of(e)); }
static sim_time e_next_time(const sim_engine *e) { return ns3_shim_next_time(shim_of(e)); }

static void e_destroy(sim_engine *e)
{
    ns3_shim_destroy(shim_of(e));
    free(e);
}

static const sim_engine_ops ns3_ops = {
    .name = "ns3",
    .schedule = e_schedule,
    .cancel = e_cancel,
    .run = e_run,
    .step = e_step,
    .stop = e_stop,
    .pending = e_pending,
    .next_time = e_next_time,
    .destroy = e_destroy,
};

sim_engine *sim_engine_ns3_new(void)
{
    ns3_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->shim = ns3_shim_create("map");
    if (!e->shim) {
        fprintf(stderr, "sim: cannot create an ns3 engine (only one may exist at a time)\n");
        free(e);
        return NULL;
    }
    e->base.ops = &ns3_ops;
    ns3_shim_mirror_clock(e->shim, &e->base.now);
    ns3_shim_mirror_count(e->shim, &e->base.executed, &e->base.pause_at);
    return &e->base;
}

#else

sim_engine *sim_engine_ns3_new(void)
{
    fprintf(stderr, "sim: this wgsim was built without ns-3 (WGSIM_WITH_NS3=OFF): no ns3 engine\n");
    return NULL;
}

#endif
