/*
 * usage.c — what a world holds, by category (sim_world_usage), for the
 * message of a run stopped by --max-memory / --max-events; and the one
 * out-of-memory exit of libsim and the libraries above it (sim_oom).
 *
 * Counts come from what sim/ already keeps; nothing here is maintained
 * while the world runs, so asking costs a walk over nodes and pings and
 * the models pay nothing when nobody asks.
 */
#include "sim/net/net.h"
#include "sim/netpfil/pf.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static void set(sim_usage *u, sim_usage_kind k, const char *what, uint64_t count, uint64_t bytes)
{
    u->item[k].what = what;
    u->item[k].count = count;
    u->item[k].bytes = bytes;
}

/* The run record's part (sim/record/): stored packet records with the
 * distinct source reasons they point at, the event log and the change log
 * behind state as of T. */
static void record_usage(const sim_world *w, sim_usage *u)
{
    size_t nt = sim_trace_count(w), ne = sim_event_count(w);
    set(u, SIM_USAGE_TRACE, "packet trace records", nt,
        (uint64_t)nt * sim_trace_stored_size() + (uint64_t)sim_trace_reason_count(w) * sizeof(sim_src_reason));
    set(u, SIM_USAGE_EVENT_LOG, "event log entries", ne, (uint64_t)ne * sizeof(sim_event_rec));
    size_t nh = 0;
    for (int c = 0; c < SIM_HIST__COUNT; c++)
        nh += sim_history_records(w, (sim_hist_class)c);
    set(u, SIM_USAGE_HISTORY, "state change log records", nh, sim_history_bytes(w));
}

void sim_world_usage(sim_world *w, sim_usage *u)
{
    size_t nodes = sim_world_node_count(w), states = 0, samples = 0;
    for (size_t i = 0; i < nodes; i++) {
        const sim_fw *f = sim_node_fw(sim_world_node_at(w, i));
        if (f)
            states += sim_fw_state_count(f);
    }
    for (size_t i = 0; i < sim_world_ping_count(w); i++)
        samples += sim_ping_sample_count(sim_world_ping_at(w, i));
    const sim_engine *e = sim_world_engine(w);
    /* the engine's entry size is its backend's business: count only */
    set(u, SIM_USAGE_NODES, "nodes", nodes, 0);
    set(u, SIM_USAGE_PENDING_EVENTS, "pending engine events", e->ops->pending(e), 0);
    set(u, SIM_USAGE_PF_STATES, "pf states", states, (uint64_t)states * sizeof(pf_state));
    set(u, SIM_USAGE_PING_SAMPLES, "ping samples", samples, (uint64_t)samples * sizeof(sim_ping_sample));
    record_usage(w, u);
}

static void default_oom(const char *what) { fprintf(stderr, "wgsim: out of memory while %s\n", what); }

/* Set once at start-up by the program; atomic because worker threads read
 * it when they run out of memory. */
static _Atomic(sim_oom_handler) oom_handler = default_oom;

void sim_set_oom_handler(sim_oom_handler h) { atomic_store(&oom_handler, h ? h : default_oom); }

_Noreturn void sim_oom(const char *what)
{
    sim_oom_handler h = atomic_load(&oom_handler);
    h(what);
    /* exit, not abort: the status is the documented 2 (bad input or a run
     * that could not complete), and other threads' finished output is
     * flushed rather than lost to a core dump */
    exit(2);
}
