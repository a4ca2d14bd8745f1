/*
 * runner.h — running scenarios: build the world a scenario describes in
 * sim/, start its traffic, apply its timeline commands, evaluate its
 * expectations over the packet trace and the models' state, and return an
 * hs_result (harness/result.h).
 *
 * The runner only translates the scenario into sim/ calls and reads what
 * the models did; it knows nothing about claims. A scenario that fails
 * because a model lacks a mechanism fails here, visibly.
 */
#ifndef HARNESS_RUNNER_H
#define HARNESS_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/harness.h"
#include "harness/result.h"
#include "sim/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A world built from a scenario (below: hs_world_build). */
typedef struct hs_world hs_world;

typedef struct hs_run_options {
    bool has_seed;          /* --seed: replaces the scenario's seed for the world */
    uint64_t seed;
    bool has_platform;      /* --platform: nodes on the scenario's default platform use this one */
    wg_platform platform;
    bool has_engine;        /* --engine: replaces defaults.engine */
    hs_engine engine;
    hs_perturb perturb;     /* --perturb: loss and jitter where a segment sets none */
    bool timeline;          /* collect the readable timeline (wgsim run, reports) */
    bool capture;           /* capture every segment (pcap output) */
    bool record_all;        /* keep every capture point in the run record and every ping
                               sample (the shell, tests);
                               default: only the points the expectations and timeline read */
    /* Called after the run, also one stopped by a limit, before the world
     * is freed (pcap output closes its files). */
    void (*after_run)(void *ctx, const hs_scenario *s, sim_world *w, hs_result *r);
    void *ctx;
    /* Seconds on the caller's monotonic clock, to time each run for the
     * report (r->wall_seconds). The harness reads no clock itself: the
     * simulation never depends on host time. NULL: durations stay 0. */
    double (*clock_seconds)(void);

    /* ---- limits (wgsim --max-events / --max-memory) ----
     * A run that exceeds one stops at the simulated time reached: status
     * HS_STATUS_ERROR, r->error names the limit, its value, the time and
     * what the world held (sim_world_usage); expectations are not
     * evaluated and no timeline is built (a partial run's verdicts would
     * mislead, and building more after running out of room is what the
     * limit prevents). The runner runs the engine in slices of
     * HS_LIMIT_SLICE events and checks between slices, so the models'
     * events and their order are the same with and without limits. */
    uint64_t max_events;          /* engine events per run; 0: no limit */
    uint64_t max_memory;          /* bytes, as memory_bytes() counts; 0: no limit */
    /* Heap bytes in use (the caller's measure, e.g. glibc mallinfo2; it is
     * process-wide, so with several runs on threads it counts them all).
     * NULL: max_memory is not checked. */
    uint64_t (*memory_bytes)(void);

    /* Called once the world is built and its timeline and expectations are
     * scheduled, before it runs: pcap output opens its files so that
     * frames are written as they happen; tests schedule probes of their own
     * (the models' events are not changed by events of others). */
    void (*before_run)(void *ctx, const hs_scenario *s, sim_world *w);
    /* Classes of the change log behind "state as of T" to turn off: bit
     * (1u << sim_hist_class) each; 0: all on (the default). */
    unsigned history_off;
    /* --strict: a scenario with warnings (hs_lint) is not run; its status
     * is HS_STATUS_ERROR with the warnings as the error. Else they are in
     * r->warnings and the run goes on. */
    bool strict;
    /* Stops (`wgsim run --at T --show ...`): the run pauses at each time
     * of stops (ascending, within the scenario's duration), after every
     * event at or before it, calls at_stop with the world as it is then,
     * and goes on. Pausing changes none of the models' events (the engine
     * runs in slices anyway). n_stops 0: no stop. */
    const sim_time *stops;
    size_t n_stops;
    void (*at_stop)(void *stop_ctx, hs_world *hw, sim_time t);
    void *stop_ctx; /* at_stop's own: ctx belongs to before_run / after_run (pcap output) */
    /* Called between slices of HS_LIMIT_SLICE engine events with the
     * simulated time reached (`wgsim run` shows it on a terminal; the
     * caller decides from its own clock whether to say anything). It only
     * reads: slicing changes none of the models' events. NULL: none. */
    void (*progress)(void *progress_ctx, sim_time reached);
    void *progress_ctx;
} hs_run_options;

/* Engine events between two limit checks: small enough that a run
 * growing ~1.2 KiB per event (a 1 ms ping: 2.4 packet records an event)
 * passes --max-memory by about 20 MiB before it is stopped, plus the
 * doubling of a table that happened in the slice; large enough that the
 * check (mallinfo2 walks the allocator's bins) does not show in the run
 * time. */
#define HS_LIMIT_SLICE 16384u

/* ns-3's Simulator is a process-wide singleton: runs on the ns3 engine are
 * serialised (one at a time) whatever -j says. */

/* Loads and runs one file. Never NULL: load errors give HS_STATUS_ERROR
 * with every "FILE:LINE:COL: message" in r->error. */
hs_result *hs_run_file(const char *path, const hs_run_options *o);
/* Runs an already loaded scenario (the scenario is not modified). */
hs_result *hs_run_scenario(const hs_scenario *s, const hs_run_options *o);

/* ---- a built world, for the runner and the explore shell ---- */

/* Builds the topology (nodes, addresses, CARP, pf, pfsync, gateways,
 * WireGuard, traffic) at time 0. NULL with a message in err (naming the
 * file position) when the simulator refuses part of it. */
hs_world *hs_world_build(const hs_scenario *s, const hs_run_options *o, char *err, size_t errlen);
void hs_world_free(hs_world *hw);
sim_world *hs_world_sim(hs_world *hw);
/* Runs one parsed command now (the timeline's `do:` and the explore shell).
 * false with a message when the simulator refuses it. */
bool hs_world_execute(hs_world *hw, const hs_command *c, char *err, size_t errlen);

/* ---- inspection views (harness/view*.c; docs/explore.md "Views") ---- */

/* Prints one inspection view of the world as it is now (sim time now). cmd is the text after the
 * shell's verb dispatch, the whole line: "show carp fw1", "show peers remote", "packets to: fw2",
 * "why 12", ... (verbs: show, packets, why). true when cmd is such a view (printed to out);
 * false with a one-line message in err and the 1-based column of the offending word in *err_col
 * (0 when none). hs_view_is_verb(word) tells whether a first word belongs to the views. */
bool hs_view(FILE *out, hs_world *hw, const char *cmd, char *err, size_t errlen, int *err_col);
bool hs_view_is_verb(const char *word);
/* Checks cmd as hs_view would answer it, printing nothing: the verb, the
 * view, node, peer and filter words (not what only the run can tell, such
 * as whether packet 12 exists). Same error convention. */
bool hs_view_check(hs_world *hw, const char *cmd, char *err, size_t errlen, int *err_col);
/* Completion candidates for the views (node names, interfaces, vhids, gateways, peers): calls
 * add(ctx, candidate) for every word that may follow `line` (the text before the cursor, without the
 * partial word being completed). */
void hs_view_complete(hs_world *hw, const char *line, void (*add)(void *ctx, const char *word), void *ctx);

#ifdef __cplusplus
}
#endif

/* The explore session (wgsim explore) built on the world above. */
#include "harness/session.h"

#endif /* HARNESS_RUNNER_H */
