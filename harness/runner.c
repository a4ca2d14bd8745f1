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
    hs_counters *c = &r->counters;
    c->trace_records = hw->frames_read;
    c->wg_datagrams = hw->wg_datagrams;
    hs_events_counts(hw, &c->events, &c->handshakes);
    for (size_t i = 0; i < hw->s->n_nodes; i++)
        for (int d = 1; d < SIM_DROP__COUNT; d++)
            c->drops += sim_node_drops(hw->nodes[i], (sim_drop_reason)d);
    for (size_t i = 0; i < hw->s->n_traffic; i++) {
        sim_ping *p = hw->pings[i];
        if (!p)
            continue;
        sim_ping_totals t;
        sim_ping_totals_get(p, &t);
        c->pings_sent += t.echoes;
        c->pings_answered += t.answered;
    }
}

/* "1.5 GiB", "312.0 MiB", "900 B": limits are given with these suffixes. */
static const char *fmt_bytes(char *buf, size_t len, uint64_t b)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
    if (b < 1024) {
        snprintf(buf, len, "%llu B", (unsigned long long)b);
        return buf;
    }
    double v = (double)b / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof unit / sizeof *unit) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%.1f %s", v, unit[u]);
    return buf;
}

/* The second line of a limit's message: what the world held, the
 * categories with the most bytes first (they are what consumed the
 * memory), then those counted only. A fixed buffer: this may run with
 * the heap nearly exhausted. */
static void held(hs_world *hw, char *buf, size_t len)
{
    sim_usage u;
    sim_world_usage(hw->w, &u);
    int order[SIM_USAGE__COUNT];
    for (int i = 0; i < SIM_USAGE__COUNT; i++) {
        int k = i;
        while (k > 0 && u.item[order[k - 1]].bytes < u.item[i].bytes) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    size_t at = (size_t)snprintf(buf, len, "the world held:");
    for (int i = 0; i < SIM_USAGE__COUNT && at < len; i++) {
        char b[32];
        const __typeof__(u.item[0]) *it = &u.item[order[i]];
        if (it->bytes)
            at += (size_t)snprintf(buf + at, len - at, "%s %llu %s (%s)", i ? "," : "", (unsigned long long)it->count,
                                   it->what, fmt_bytes(b, sizeof b, it->bytes));
        else
            at += (size_t)snprintf(buf + at, len - at, "%s %llu %s", i ? "," : "", (unsigned long long)it->count,
                                   it->what);
    }
}

/* Runs the world to the scenario's end in slices of HS_LIMIT_SLICE
 * engine events, checking the limits between slices. false with the
 * message in r->error when one was exceeded. */
static bool run_bounded(hs_world *hw, const hs_run_options *o, hs_result *r, sim_time end)
{
    sim_engine *e = sim_world_engine(hw->w);
    char what[256] = "", usage[768], b1[32], b2[32], ts[32];
    if (!o->max_events && !(o->max_memory && o->memory_bytes) && !o->progress) {
        /* no limit: one run, as before limits existed (tests compare the
         * two ways to show slicing changes nothing) */
        sim_world_run_until(hw->w, end);
        return true;
    }
    for (;;) {
        /* before every slice, the first included: a topology that is too
         * large is stopped before it runs at all */
        uint64_t mem = o->max_memory && o->memory_bytes ? o->memory_bytes() : 0;
        if (mem > o->max_memory) {
            snprintf(what, sizeof what, "--max-memory %s exceeded: %s of heap in use after %llu engine events (raise it; 0 = no limit)",
                     fmt_bytes(b1, sizeof b1, o->max_memory), fmt_bytes(b2, sizeof b2, mem),
                     (unsigned long long)e->executed);
            break;
        }
        if (o->max_events && e->executed >= o->max_events) {
            if (e->ops->next_time(e) <= end) {
                snprintf(what, sizeof what, "--max-events %llu reached with events still due (raise it; 0 = no limit)",
                         (unsigned long long)o->max_events);
                break;
            }
            /* the run needed exactly the limit: nothing is due before the
             * end, this only moves the clock there */
            sim_world_run_until(hw->w, end);
            return true;
        }
        /* pause > executed always: a backend checks the count after an
         * event, so a pause at the current count would never be met */
        uint64_t pause = e->executed + HS_LIMIT_SLICE;
        if (o->max_events && pause > o->max_events)
            pause = o->max_events;
        e->pause_at = pause;
        sim_world_run_until(hw->w, end);
        e->pause_at = 0;
        if (e->executed != pause)
            return true; /* reached the end (or a model stopped the engine) */
        if (o->progress)
            o->progress(o->progress_ctx, sim_world_now(hw->w));
    }
    held(hw, usage, sizeof usage);
    char msg[1200];
    snprintf(msg, sizeof msg, "%s: run stopped at %ss simulated (of %ss): %s\n%s", hw->s->file ? hw->s->file : "?",
             hs_result_time(sim_world_now(hw->w), ts, sizeof ts), hs_result_time(hw->s->duration, b1, sizeof b1), what,
             usage);
    r->status = HS_STATUS_ERROR;
    r->error = strdup(msg);
    if (!r->error)
        sim_oom("reporting a limit");
    return false;
}

/* Runs to the scenario's end, pausing at the stops (o->stops) to hand the
 * world to o->at_stop. */
static bool run_stops(hs_world *hw, const hs_run_options *o, hs_result *r)
{
    for (size_t i = 0; i < o->n_stops && o->at_stop; i++) {
        if (o->stops[i] > hw->s->duration)
            break;
        if (!run_bounded(hw, o, r, o->stops[i]))
            return false;
        o->at_stop(o->stop_ctx, hw, o->stops[i]);
    }
    return run_bounded(hw, o, r, hw->s->duration);
}

/* The scenario's warnings into r (one hs_lint per run, so `wgsim test`
 * and `wgsim run` say each once). With strict they are the run's error:
 * false, r is an ERROR and the scenario is not run. */
static bool take_warnings(const hs_scenario *s, const hs_run_options *o, hs_result *r)
{
    hs_diag w;
    hs_diag_init(&w, s->file);
    hs_lint(s, &w);
    if (!hs_diag_count(&w)) {
        hs_diag_free(&w);
        return true;
    }
    if (o->strict) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m) {
            hs_diag_print(&w, m);
            fprintf(m, "%s: --strict: a warning is an error", w.file);
            fclose(m);
        }
        r->status = HS_STATUS_ERROR;
        r->error = buf ? buf : strdup("--strict: the scenario has warnings");
        hs_diag_free(&w);
        return false;
    }
    hs_diag_sort(&w);
    if (w.suppressed) { /* kept as the last line, as hs_diag_print says it */
        w.limit = w.n + 1;
        hs_diag_add(&w, (hs_loc){0, 0}, "too many warnings, %zu more not shown", w.suppressed);
    }
    r->warnings = w.v; /* the messages move to r */
    r->n_warnings = w.n;
    w.v = NULL;
    w.n = 0;
    hs_diag_free(&w);
    return true;
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
    if (opt.perturb.has_loss || opt.perturb.has_jitter) {
        char b[128];
        r->perturb = strdup(hs_format_perturb(&opt.perturb, b, sizeof b));
        if (!r->perturb)
            sim_oom("creating a result");
    }
    r->sim_duration = s->duration;
    if (!take_warnings(s, &opt, r)) {
        r->wall_seconds = now_s(o) - t0;
        return r;
    }

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
    if (opt.before_run)
        opt.before_run(opt.ctx, s, hw->w);
    if (!run_stops(hw, &opt, r)) {
        if (opt.after_run)
            opt.after_run(opt.ctx, s, hw->w, r);
        hs_world_free(hw);
        if (ns3)
            pthread_mutex_unlock(&ns3_lock);
        r->wall_seconds = now_s(o) - t0;
        return r;
    }
    hs_expect_evaluate(hw, r);
    counters(hw, r);
    hs_phases_result(hw, r);
    hs_topology_result(s, r);
    hs_series_result(hw, r);
    hs_seq_result(hw, r);
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
