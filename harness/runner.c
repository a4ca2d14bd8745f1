/*
 * runner.c — runs one scenario: load (for files), build the world, schedule
 * the timeline commands and the expectation samples, run to the scenario's
 * duration, evaluate, and collect counters and the timeline.
 *
 * The wall clock is read here (not in sim/ or wgnode/) only to report how
 * long a run took.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

/* One ns-3 Simulator per process (sim/engine/engine_ns3.c). */
static pthread_mutex_t ns3_lock = PTHREAD_MUTEX_INITIALIZER;

/* The caller's clock (cli), so that no host time enters the harness. */
static double now_s(const hs_run_options *o)
{
    return o && o->clock_seconds ? o->clock_seconds() : 0.0;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static hs_result *new_result(const char *file)
{
    hs_result *r = calloc(1, sizeof *r);
    if (!r)
        sim_oom("creating a result");
    r->file = strdup(file ? file : "?");
    return r;
}

static void counters(hs_world *hw, hs_result *r)
{
    sim_world *w = hw->w;
    hs_counters *c = &r->counters;
    c->trace_records = sim_trace_count(w);
    for (size_t i = 0; i < c->trace_records; i++) {
        const sim_trace_rec *t = sim_trace_at(w, i);
        if (t->dir == SIM_DIR_OUT && t->proto == SIM_IPPROTO_UDP && t->wg_type && t->origin_node == t->node)
            c->wg_datagrams++;
    }
    c->events = sim_event_count(w);
    for (size_t i = 0; i < c->events; i++) {
        const sim_event_rec *e = sim_event_at(w, i);
        if (e->kind == SIM_EV_WG && e->wg.kind == WG_EV_HANDSHAKE_COMPLETE)
            c->handshakes++;
    }
    for (size_t i = 0; i < hw->s->n_nodes; i++)
        for (int d = 1; d < SIM_DROP__COUNT; d++)
            c->drops += sim_node_drops(hw->nodes[i], (sim_drop_reason)d);
    for (size_t i = 0; i < hw->s->n_traffic; i++) {
        sim_ping *p = hw->pings[i];
        if (!p)
            continue;
        for (size_t k = 0; k < sim_ping_sample_count(p); k++) {
            const sim_ping_sample *x = sim_ping_sample_at(p, k);
            c->pings_sent++;
            if (x->received != SIM_TIME_NEVER)
                c->pings_answered++;
        }
    }
}

hs_result *hs_run_scenario(const hs_scenario *s, const hs_run_options *o)
{
    double t0 = now_s(o);
    hs_run_options opt = {0};
    if (o)
        opt = *o;
    hs_result *r = new_result(s->file);
    r->name = strdup(s->name ? s->name : r->file);
    r->claim = dup_or_null(s->claim);
    r->description = dup_or_null(s->description);
    r->platform = strdup(wg_platform_name(opt.has_platform ? opt.platform : s->platform));
    r->seed = opt.has_seed ? opt.seed : s->seed;
    r->sim_duration = s->duration;

    char err[1024];
    bool ns3 = (opt.has_engine ? opt.engine : s->engine) == HS_ENGINE_NS3;
    if (ns3)
        pthread_mutex_lock(&ns3_lock);
    hs_world *hw = hs_world_build(s, &opt, err, sizeof err);
    if (!hw) {
        if (ns3)
            pthread_mutex_unlock(&ns3_lock);
        r->status = strstr(err, "not in this build") ? HS_STATUS_SKIPPED : HS_STATUS_ERROR;
        r->error = strdup(err);
        r->wall_seconds = now_s(o) - t0;
        return r;
    }
    hs_schedule_events(hw);
    hs_expect_schedule(hw);
    sim_world_run_until(hw->w, s->duration);
    hs_expect_evaluate(hw, r);
    counters(hw, r);
    if (opt.timeline)
        hs_timeline_build(hw, r);
    if (hw->run_error) {
        r->status = HS_STATUS_ERROR;
        r->error = strdup(hw->run_error_text);
    } else {
        r->status = r->n_failed ? HS_STATUS_FAILED : HS_STATUS_PASSED;
    }
    if (opt.after_run)
        opt.after_run(opt.ctx, s, hw->w, r);
    hs_world_free(hw);
    if (ns3)
        pthread_mutex_unlock(&ns3_lock);
    r->wall_seconds = now_s(o) - t0;
    return r;
}

hs_result *hs_run_file(const char *path, const hs_run_options *o)
{
    double t0 = now_s(o);
    hs_diag d;
    hs_diag_init(&d, path);
    hs_scenario *s = hs_load_file(path, &d);
    if (!s) {
        hs_result *r = new_result(path);
        r->name = strdup(path);
        r->status = HS_STATUS_ERROR;
        /* every error, one per line, sorted as validate prints them */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m) {
            hs_diag_print(&d, m);
            fclose(m);
        }
        if (buf && len && buf[len - 1] == '\n')
            buf[len - 1] = 0;
        r->error = buf ? buf : strdup("could not load the scenario");
        hs_diag_free(&d);
        r->wall_seconds = now_s(o) - t0;
        return r;
    }
    hs_diag_free(&d);
    hs_result *r = hs_run_scenario(s, o);
    hs_scenario_free(s);
    r->wall_seconds = now_s(o) - t0;
    return r;
}
