/*
 * test_engine_cases.h — the engine tests every backend must pass. Included
 * by tests/test_engine.c (native) and tests/test_engine_ns3.c (ns3). The
 * including file defines the table
 *     struct backend { const char *name; sim_engine *(*make)(void); };
 *     static const struct backend backends[] = {...};
 * before including this header; each test is a Check loop test over it.
 */
#ifndef TEST_ENGINE_CASES_H
#define TEST_ENGINE_CASES_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

#define n_backends ((int)(sizeof backends / sizeof backends[0]))

static sim_engine *new_engine(int i)
{
    sim_engine *e = backends[i].make();
    ck_assert_msg(e != NULL, "cannot create the %s engine", backends[i].name);
    ck_assert_str_eq(e->ops->name, backends[i].name);
    return e;
}

/* ---- a log of fired events ------------------------------------------ */

#define LOG_MAX 4096
struct log {
    sim_engine *e;
    int tags[LOG_MAX];
    sim_time times[LOG_MAX];
    int n;
};
struct tagged {
    struct log *log;
    int tag;
};
static void record(void *arg)
{
    struct tagged *t = arg;
    ck_assert_int_lt(t->log->n, LOG_MAX);
    t->log->tags[t->log->n] = t->tag;
    t->log->times[t->log->n] = sim_now(t->log->e);
    t->log->n++;
}

/* ---- ordering ------------------------------------------------------- */

START_TEST(test_empty)
{
    sim_engine *e = new_engine(_i);
    ck_assert_int_eq(sim_now(e), 0);
    ck_assert_uint_eq(e->ops->pending(e), 0);
    ck_assert_int_eq(e->ops->next_time(e), SIM_TIME_NEVER);
    ck_assert(!sim_step(e));
    ck_assert(!sim_cancel(e, 0));
    ck_assert(!sim_cancel(e, 12345));
    sim_run_until(e, 5 * SIM_S);
    ck_assert_int_eq(sim_now(e), 5 * SIM_S);
    sim_engine_destroy(e);
}
END_TEST

START_TEST(test_time_order)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    static const sim_time at[] = {50, 10, 40, 20, 30, 1000000, 7};
    struct tagged t[7];
    for (int k = 0; k < 7; k++) {
        t[k] = (struct tagged){&log, k};
        ck_assert(sim_schedule_at(e, at[k], record, &t[k]) != 0);
    }
    ck_assert_uint_eq(e->ops->pending(e), 7);
    ck_assert_int_eq(e->ops->next_time(e), 7);
    sim_run_until(e, SIM_TIME_NEVER);
    static const int want[] = {6, 1, 3, 4, 2, 0, 5};
    ck_assert_int_eq(log.n, 7);
    for (int k = 0; k < 7; k++) {
        ck_assert_int_eq(log.tags[k], want[k]);
        ck_assert_int_eq(log.times[k], at[want[k]]);
    }
    ck_assert_int_eq(sim_now(e), 1000000);
    ck_assert_uint_eq(e->ops->pending(e), 0);
    sim_engine_destroy(e);
}
END_TEST

START_TEST(test_ties_in_insertion_order)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    enum { N = 300 };
    static struct tagged t[N];
    /* Three times interleaved; within each, insertion order must hold. */
    for (int k = 0; k < N; k++) {
        t[k] = (struct tagged){&log, k};
        sim_schedule_at(e, (sim_time)(k % 3) * SIM_MS, record, &t[k]);
    }
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(log.n, N);
    int idx = 0;
    for (int r = 0; r < 3; r++)
        for (int k = r; k < N; k += 3)
            ck_assert_int_eq(log.tags[idx++], k);
    sim_engine_destroy(e);
}
END_TEST

/* ---- cancel --------------------------------------------------------- */

START_TEST(test_cancel_before_and_after_firing)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    struct tagged a = {&log, 1}, b = {&log, 2}, c = {&log, 3};
    sim_event_id ia = sim_schedule_at(e, 10, record, &a);
    sim_event_id ib = sim_schedule_at(e, 20, record, &b);
    sim_event_id ic = sim_schedule_at(e, 30, record, &c);
    ck_assert(ia && ib && ic && ia != ib && ib != ic && ia != ic);
    ck_assert(sim_cancel(e, ib));
    ck_assert(!sim_cancel(e, ib)); /* twice: no-op */
    ck_assert_uint_eq(e->ops->pending(e), 2);
    sim_run_until(e, 15);
    ck_assert_int_eq(log.n, 1);
    ck_assert(!sim_cancel(e, ia)); /* already fired */
    ck_assert_int_eq(sim_now(e), 15);
    ck_assert_int_eq(e->ops->next_time(e), 30);
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(log.n, 2);
    ck_assert_int_eq(log.tags[1], 3);
    ck_assert(!sim_cancel(e, ic));
    /* An id that was cancelled must not cancel a later event that happens
     * to reuse its storage. */
    struct tagged d = {&log, 4};
    sim_event_id id = sim_schedule_at(e, 100, record, &d);
    ck_assert(id != ib);
    ck_assert(!sim_cancel(e, ib));
    ck_assert(!sim_cancel(e, ia));
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(log.n, 3);
    ck_assert_int_eq(log.tags[2], 4);
    sim_engine_destroy(e);
}
END_TEST

START_TEST(test_cancel_earliest_updates_next_time)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    struct tagged a = {&log, 1}, b = {&log, 2};
    sim_event_id ia = sim_schedule_at(e, 10, record, &a);
    sim_schedule_at(e, 20, record, &b);
    ck_assert_int_eq(e->ops->next_time(e), 10);
    ck_assert(sim_cancel(e, ia));
    ck_assert_int_eq(e->ops->next_time(e), 20);
    ck_assert(sim_step(e));
    ck_assert_int_eq(log.n, 1);
    ck_assert_int_eq(log.tags[0], 2);
    ck_assert(!sim_step(e));
    sim_engine_destroy(e);
}
END_TEST

/* A callback that cancels other events, schedules new ones, and tries to
 * cancel itself. */
struct reentrant {
    sim_engine *e;
    struct log *log;
    sim_event_id self, victim, victim_fired;
    bool self_cancel_result, victim_cancel_result, fired_cancel_result;
    struct tagged child_now, child_later;
    sim_event_id child_now_id;
};
static void reentrant_cb(void *arg)
{
    struct reentrant *r = arg;
    r->self_cancel_result = sim_cancel(r->e, r->self);
    r->victim_cancel_result = sim_cancel(r->e, r->victim);
    r->fired_cancel_result = sim_cancel(r->e, r->victim_fired);
    /* Scheduled "now" from inside an event: runs after everything already
     * due at this time. */
    r->child_now_id = sim_schedule_in(r->e, 0, record, &r->child_now);
    sim_schedule_in(r->e, 5, record, &r->child_later);
    /* next_time / pending are consistent from inside a callback. */
    ck_assert_int_eq(r->e->ops->next_time(r->e), sim_now(r->e));
}

START_TEST(test_cancel_and_schedule_from_callback)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    struct reentrant r = {.e = e, .log = &log};
    r.child_now = (struct tagged){&log, 100};
    r.child_later = (struct tagged){&log, 101};
    struct tagged early = {&log, 1}, same = {&log, 2}, victim = {&log, 3};
    r.victim_fired = sim_schedule_at(e, 5, record, &early);
    r.self = sim_schedule_at(e, 10, reentrant_cb, &r);
    sim_schedule_at(e, 10, record, &same);
    r.victim = sim_schedule_at(e, 12, record, &victim);
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert(!r.self_cancel_result);
    ck_assert(r.victim_cancel_result);
    ck_assert(!r.fired_cancel_result);
    /* early@5, (reentrant@10), same@10, child_now@10, child_later@15 */
    ck_assert_int_eq(log.n, 4);
    ck_assert_int_eq(log.tags[0], 1);
    ck_assert_int_eq(log.tags[1], 2);
    ck_assert_int_eq(log.tags[2], 100);
    ck_assert_int_eq(log.times[2], 10);
    ck_assert_int_eq(log.tags[3], 101);
    ck_assert_int_eq(log.times[3], 15);
    ck_assert(!sim_cancel(e, r.child_now_id));
    sim_engine_destroy(e);
}
END_TEST

/* A chain: each event schedules the next (the hold pattern). */
struct chain {
    sim_engine *e;
    int left;
    sim_time step;
    int fired;
};
static void chain_cb(void *arg)
{
    struct chain *c = arg;
    c->fired++;
    if (--c->left > 0)
        sim_schedule_in(c->e, c->step, chain_cb, c);
}

START_TEST(test_schedule_from_callback_chain)
{
    sim_engine *e = new_engine(_i);
    struct chain c = {e, 1000, 3, 0};
    sim_schedule_at(e, 0, chain_cb, &c);
    sim_run_until(e, 299);
    ck_assert_int_eq(c.fired, 100); /* fired at 0, 3, ..., 297 */
    ck_assert_int_eq(sim_now(e), 299);
    ck_assert_uint_eq(e->ops->pending(e), 1);
    ck_assert_int_eq(e->ops->next_time(e), 300);
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(c.fired, 1000);
    ck_assert_int_eq(sim_now(e), 999 * 3);
    sim_engine_destroy(e);
}
END_TEST

/* ---- run-until, step, stop ------------------------------------------ */

START_TEST(test_run_until_boundary)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    struct tagged a = {&log, 1}, b = {&log, 2};
    sim_schedule_at(e, 100, record, &a);
    sim_schedule_at(e, 101, record, &b);
    sim_run_until(e, 50);
    ck_assert_int_eq(sim_now(e), 50);
    ck_assert_int_eq(log.n, 0);
    sim_run_until(e, 100); /* inclusive */
    ck_assert_int_eq(log.n, 1);
    ck_assert_int_eq(sim_now(e), 100);
    sim_run_until(e, 100);
    ck_assert_int_eq(log.n, 1);
    sim_run_until(e, 1000);
    ck_assert_int_eq(log.n, 2);
    ck_assert_int_eq(sim_now(e), 1000);
    /* Relative scheduling is from the clock left at `until`. */
    struct tagged c = {&log, 3};
    sim_schedule_in(e, 10, record, &c);
    ck_assert_int_eq(e->ops->next_time(e), 1010);
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(log.times[2], 1010);
    ck_assert_int_eq(sim_now(e), 1010);
    sim_engine_destroy(e);
}
END_TEST

START_TEST(test_step)
{
    sim_engine *e = new_engine(_i);
    struct log log = {.e = e};
    struct tagged t[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
    sim_schedule_at(e, 30, record, &t[0]);
    sim_schedule_at(e, 10, record, &t[1]);
    sim_schedule_at(e, 10, record, &t[2]);
    ck_assert(sim_step(e));
    ck_assert_int_eq(log.n, 1);
    ck_assert_int_eq(log.tags[0], 1);
    ck_assert_int_eq(sim_now(e), 10);
    ck_assert(sim_step(e));
    ck_assert_int_eq(log.tags[1], 2);
    ck_assert(sim_step(e));
    ck_assert_int_eq(log.tags[2], 0);
    ck_assert_int_eq(sim_now(e), 30);
    ck_assert(!sim_step(e));
    ck_assert_int_eq(sim_now(e), 30);
    sim_engine_destroy(e);
}
END_TEST

struct stopper {
    sim_engine *e;
    int fired;
};
static void stop_cb(void *arg)
{
    struct stopper *s = arg;
    s->fired++;
    sim_stop(s->e);
}
static void count_cb(void *arg) { (*(int *)arg)++; }

START_TEST(test_stop)
{
    sim_engine *e = new_engine(_i);
    struct stopper s = {e, 0};
    int later = 0;
    sim_schedule_at(e, 10, stop_cb, &s);
    sim_schedule_at(e, 10, count_cb, &later); /* same time, after the stop */
    sim_schedule_at(e, 20, count_cb, &later);
    sim_run_until(e, 100);
    ck_assert_int_eq(s.fired, 1);
    ck_assert_int_eq(later, 0);
    ck_assert_int_eq(sim_now(e), 10); /* stopped: the clock stays */
    ck_assert_uint_eq(e->ops->pending(e), 2);
    sim_run_until(e, 100); /* a new run is not stopped */
    ck_assert_int_eq(later, 2);
    ck_assert_int_eq(sim_now(e), 100);
    sim_engine_destroy(e);
}
END_TEST

/* pause_at (the runner's limit slices): run() returns after the event that
 * makes `executed` equal it, the clock staying there; running again goes
 * on in the same order, as if never paused, and cancelled events are not
 * counted. */
START_TEST(test_pause_at_executed_count)
{
    sim_engine *e = new_engine(_i);
    struct log sliced = {.e = e};
    struct tagged t[8];
    for (int k = 0; k < 8; k++) {
        t[k] = (struct tagged){&sliced, k};
        /* two events per time: a pause may fall between equal-time events */
        sim_schedule_at(e, 10 * (k / 2 + 1), record, &t[k]);
    }
    sim_event_id gone = sim_schedule_at(e, 15, record, &t[0]);
    ck_assert(sim_cancel(e, gone));
    ck_assert_uint_eq(e->executed, 0);
    e->pause_at = 3;
    sim_run_until(e, 100);
    ck_assert_uint_eq(e->executed, 3);
    ck_assert_int_eq(sliced.n, 3);
    ck_assert_int_eq(sim_now(e), 20); /* paused after the first event at 20 */
    ck_assert_uint_eq(e->ops->pending(e), 5);
    e->pause_at = 0;
    sim_run_until(e, 100);
    ck_assert_uint_eq(e->executed, 8);
    ck_assert_int_eq(sim_now(e), 100);
    for (int k = 0; k < 8; k++)
        ck_assert_int_eq(sliced.tags[k], k);
    ck_assert(sim_step(e) == false);
    sim_engine_destroy(e);
}
END_TEST

/* An event scheduled for the present instant while nothing else is due
 * then (a tunnel's hand-over of what its node just queued) is the next
 * event: before those scheduled after it at the same instant, counted,
 * cancellable, seen by pending() and next_time(), and still first when
 * the run pauses right after the event that scheduled it and the caller
 * schedules more at that instant before resuming. The native engine
 * keeps it out of its heap (engine_native.c, `next`); every backend must
 * give the same order. */
struct now_chain {
    struct log *log;
    struct tagged *t; /* 0: the scheduler at 10; 1, 2: its same-instant events; 3: one at 20 */
    sim_event_id first;
};
static void now_scheduler(void *arg)
{
    struct now_chain *c = arg;
    record(&c->t[0]);
    c->first = sim_schedule_in(c->log->e, 0, record, &c->t[1]);
    ck_assert(c->first != 0);
    ck_assert(sim_schedule_at(c->log->e, sim_now(c->log->e), record, &c->t[2]) != 0);
}

START_TEST(test_present_instant_is_next)
{
    for (int variant = 0; variant < 4; variant++) {
        sim_engine *e = new_engine(_i);
        struct log log = {.e = e};
        struct tagged t[5];
        for (int k = 0; k < 5; k++)
            t[k] = (struct tagged){&log, k};
        struct now_chain c = {&log, t, 0};
        sim_schedule_at(e, 10, now_scheduler, &c);
        sim_schedule_at(e, 20, record, &t[3]);
        if (variant == 0) {
            /* straight through: 0, 1, 2 at 10, then 3 at 20 */
            sim_run_until(e, SIM_TIME_NEVER);
            ck_assert_int_eq(log.n, 4);
            for (int k = 0; k < 4; k++)
                ck_assert_int_eq(log.tags[k], k);
            ck_assert_int_eq(log.times[2], 10);
            ck_assert_int_eq(log.times[3], 20);
            ck_assert_uint_eq(e->executed, 4);
        } else if (variant == 1) {
            /* paused after the scheduler: both are pending at the present */
            e->pause_at = 1;
            sim_run_until(e, SIM_TIME_NEVER);
            ck_assert_int_eq(log.n, 1);
            ck_assert_uint_eq(e->ops->pending(e), 3);
            ck_assert_int_eq(e->ops->next_time(e), 10);
            /* the caller adds one more at the present: it comes last */
            sim_schedule_at(e, 10, record, &t[4]);
            e->pause_at = 0;
            sim_run_until(e, SIM_TIME_NEVER);
            int want[] = {0, 1, 2, 4, 3};
            ck_assert_int_eq(log.n, 5);
            for (int k = 0; k < 5; k++)
                ck_assert_int_eq(log.tags[k], want[k]);
            ck_assert_uint_eq(e->executed, 5);
        } else if (variant == 2) {
            /* paused, then the first is cancelled */
            e->pause_at = 1;
            sim_run_until(e, SIM_TIME_NEVER);
            ck_assert(sim_cancel(e, c.first));
            ck_assert(!sim_cancel(e, c.first));
            ck_assert_uint_eq(e->ops->pending(e), 2);
            e->pause_at = 0;
            sim_run_until(e, SIM_TIME_NEVER);
            ck_assert_int_eq(log.n, 3);
            ck_assert_int_eq(log.tags[1], 2);
            ck_assert_int_eq(log.tags[2], 3);
        } else {
            /* one event at a time */
            ck_assert(sim_step(e));
            ck_assert(sim_step(e));
            ck_assert_int_eq(log.n, 2);
            ck_assert_int_eq(log.tags[1], 1);
            ck_assert(!sim_cancel(e, c.first)); /* fired: its id is spent */
            ck_assert(sim_step(e));
            ck_assert(sim_step(e));
            ck_assert(!sim_step(e));
            ck_assert_int_eq(log.tags[2], 2);
            ck_assert_int_eq(log.tags[3], 3);
        }
        sim_engine_destroy(e);
    }
}
END_TEST

/* ---- randomized comparison against a reference model ----------------- */

/* The model: an unsorted array, earliest (time, seq) found by a scan. */
struct model_ev {
    sim_time at;
    uint64_t seq;
    int tag;
    bool live;
};
struct model {
    struct model_ev *ev;
    size_t n, cap;
    uint64_t seq;
    sim_time now;
};

/* One world drives either the engine or the model through the same steps
 * and the same random stream; if the engine is right, both logs match. */
struct world;
struct cookie {
    struct world *w;
    int tag;
};
struct world {
    bool is_model;
    sim_engine *e;
    struct model m;
    sim_rng rng;
    uint64_t *ids; /* per tag: engine id, or model index + 1 */
    struct cookie *cookies;
    int ntags, maxtags;
    int *log;
    sim_time *log_t;
    int nlog, maxlog;
};

static sim_time w_now(struct world *w) { return w->is_model ? w->m.now : sim_now(w->e); }
static void w_fire(void *arg);

static void w_schedule(struct world *w, sim_time at)
{
    if (w->ntags == w->maxtags)
        return;
    int tag = w->ntags++;
    w->cookies[tag] = (struct cookie){w, tag};
    if (w->is_model) {
        struct model *m = &w->m;
        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 64;
            m->ev = realloc(m->ev, m->cap * sizeof *m->ev);
            ck_assert(m->ev != NULL);
        }
        m->ev[m->n] = (struct model_ev){at < m->now ? m->now : at, m->seq++, tag, true};
        w->ids[tag] = ++m->n;
    } else {
        w->ids[tag] = sim_schedule_at(w->e, at, w_fire, &w->cookies[tag]);
        ck_assert(w->ids[tag] != 0);
    }
}

static bool w_cancel(struct world *w, int tag)
{
    if (!w->is_model)
        return sim_cancel(w->e, w->ids[tag]);
    struct model_ev *ev = &w->m.ev[w->ids[tag] - 1];
    bool was = ev->live;
    ev->live = false;
    return was;
}

static void w_fire(void *arg)
{
    struct cookie *c = arg;
    struct world *w = c->w;
    ck_assert_int_lt(w->nlog, w->maxlog);
    w->log[w->nlog] = c->tag;
    w->log_t[w->nlog] = w_now(w);
    w->nlog++;
    /* Reentrant actions, decided by the shared random stream. */
    switch (sim_rng_below(&w->rng, 6)) {
    case 0:
        w_schedule(w, w_now(w) + (sim_time)sim_rng_below(&w->rng, 40));
        break;
    case 1:
        w_schedule(w, w_now(w)); /* same time as the running event */
        break;
    case 2:
        if (w->ntags)
            w_cancel(w, (int)sim_rng_below(&w->rng, (uint64_t)w->ntags));
        break;
    default:
        break;
    }
}

static int model_earliest(struct model *m)
{
    int best = -1;
    for (size_t k = 0; k < m->n; k++) {
        struct model_ev *ev = &m->ev[k];
        if (!ev->live)
            continue;
        if (best < 0 || ev->at < m->ev[best].at || (ev->at == m->ev[best].at && ev->seq < m->ev[best].seq))
            best = (int)k;
    }
    return best;
}

static bool w_step(struct world *w)
{
    if (!w->is_model)
        return sim_step(w->e);
    int k = model_earliest(&w->m);
    if (k < 0)
        return false;
    w->m.ev[k].live = false;
    w->m.now = w->m.ev[k].at;
    w_fire(&w->cookies[w->m.ev[k].tag]);
    return true;
}

static void w_run_until(struct world *w, sim_time until)
{
    if (!w->is_model) {
        sim_run_until(w->e, until);
        return;
    }
    for (;;) {
        int k = model_earliest(&w->m);
        if (k < 0 || w->m.ev[k].at > until)
            break;
        w_step(w);
    }
    if (until > w->m.now)
        w->m.now = until;
}

static size_t w_pending(struct world *w)
{
    if (!w->is_model)
        return w->e->ops->pending(w->e);
    size_t n = 0;
    for (size_t k = 0; k < w->m.n; k++)
        n += w->m.ev[k].live;
    return n;
}

static sim_time w_next_time(struct world *w)
{
    if (!w->is_model)
        return w->e->ops->next_time(w->e);
    int k = model_earliest(&w->m);
    return k < 0 ? SIM_TIME_NEVER : w->m.ev[k].at;
}

static void world_init(struct world *w, bool is_model, sim_engine *e, uint64_t seed, int maxtags)
{
    memset(w, 0, sizeof *w);
    w->is_model = is_model;
    w->e = e;
    sim_rng_init(&w->rng, seed, "engine-vs-model");
    w->maxtags = maxtags;
    w->maxlog = maxtags;
    w->ids = calloc((size_t)maxtags, sizeof *w->ids);
    w->cookies = calloc((size_t)maxtags, sizeof *w->cookies);
    w->log = calloc((size_t)maxtags, sizeof *w->log);
    w->log_t = calloc((size_t)maxtags, sizeof *w->log_t);
    ck_assert(w->ids && w->cookies && w->log && w->log_t);
}

static void world_free(struct world *w)
{
    free(w->ids);
    free(w->cookies);
    free(w->log);
    free(w->log_t);
    free(w->m.ev);
}

/* One driver operation, applied to a world with its own copy of the
 * operation stream. Returns a value both worlds must agree on. */
static int64_t w_op(struct world *w, sim_rng *ops)
{
    uint64_t op = sim_rng_below(ops, 100);
    if (op < 45) {
        /* Near times make ties frequent; far ones (up to ~19 hours in ns)
         * exercise every digit of a radix queue. */
        uint64_t range = op < 15 ? 4 : op < 40 ? 200 : UINT64_C(1) << (16 + sim_rng_below(ops, 31));
        w_schedule(w, w_now(w) + (sim_time)sim_rng_below(ops, range));
        return w->ntags;
    }
    if (op < 65) {
        if (!w->ntags)
            return -1;
        return w_cancel(w, (int)sim_rng_below(ops, (uint64_t)w->ntags));
    }
    if (op < 85)
        return w_step(w);
    if (op < 95) {
        w_run_until(w, w_now(w) + (sim_time)sim_rng_below(ops, 60));
        return w_now(w);
    }
    if (op < 98)
        return (int64_t)w_pending(w);
    return w_next_time(w);
}

START_TEST(test_random_against_model)
{
    enum { OPS = 6000, MAXTAGS = 20000 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sim_engine *e = new_engine(_i);
        struct world we, wm;
        world_init(&we, false, e, seed, MAXTAGS);
        world_init(&wm, true, NULL, seed, MAXTAGS);
        sim_rng ops_e, ops_m;
        sim_rng_init(&ops_e, seed, "ops");
        sim_rng_init(&ops_m, seed, "ops");
        for (int k = 0; k < OPS; k++) {
            int64_t a = w_op(&we, &ops_e);
            int64_t b = w_op(&wm, &ops_m);
            ck_assert_msg(a == b, "seed %llu op %d: engine %lld, model %lld", (unsigned long long)seed, k,
                          (long long)a, (long long)b);
            ck_assert_int_eq(we.nlog, wm.nlog);
            ck_assert_int_eq(w_now(&we), w_now(&wm));
        }
        w_run_until(&we, SIM_TIME_NEVER);
        w_run_until(&wm, SIM_TIME_NEVER);
        ck_assert_int_eq(we.nlog, wm.nlog);
        ck_assert_int_gt(we.nlog, 1000);
        for (int k = 0; k < we.nlog; k++) {
            ck_assert_int_eq(we.log[k], wm.log[k]);
            ck_assert_int_eq(we.log_t[k], wm.log_t[k]);
        }
        ck_assert_uint_eq(e->ops->pending(e), 0);
        sim_engine_destroy(e);
        world_free(&we);
        world_free(&wm);
    }
}
END_TEST

static TCase *engine_cases(void)
{
    TCase *tc = tcase_create("engine");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_empty, 0, n_backends);
    tcase_add_loop_test(tc, test_time_order, 0, n_backends);
    tcase_add_loop_test(tc, test_ties_in_insertion_order, 0, n_backends);
    tcase_add_loop_test(tc, test_cancel_before_and_after_firing, 0, n_backends);
    tcase_add_loop_test(tc, test_cancel_earliest_updates_next_time, 0, n_backends);
    tcase_add_loop_test(tc, test_cancel_and_schedule_from_callback, 0, n_backends);
    tcase_add_loop_test(tc, test_schedule_from_callback_chain, 0, n_backends);
    tcase_add_loop_test(tc, test_run_until_boundary, 0, n_backends);
    tcase_add_loop_test(tc, test_step, 0, n_backends);
    tcase_add_loop_test(tc, test_stop, 0, n_backends);
    tcase_add_loop_test(tc, test_pause_at_executed_count, 0, n_backends);
    tcase_add_loop_test(tc, test_present_instant_is_next, 0, n_backends);
    tcase_add_loop_test(tc, test_random_against_model, 0, n_backends);
    return tc;
}

#endif /* TEST_ENGINE_CASES_H */
