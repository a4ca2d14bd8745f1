/*
 * test_engine.c — the engine interface through the native backend, plus
 * tests of the native queue's internals (dead-entry sweeping after many
 * cancellations, large random queues, long equal-time runs).
 */
#include <check.h>
#include <stdlib.h>

#include "sim/sim.h"
#include "suite_run.h"

struct backend {
    const char *name;
    sim_engine *(*make)(void);
};
static sim_engine *make_native(void) { return sim_engine_native_new(); }
static sim_engine *make_by_name(void) { return sim_engine_new_by_name("native"); }
static const struct backend backends[] = {
    {"native", make_native},
    {"native", make_by_name},
};

#include "test_engine_cases.h"

START_TEST(test_by_name)
{
    ck_assert_ptr_null(sim_engine_new_by_name("nonsense"));
    sim_engine *e = sim_engine_new_by_name("native");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->ops->name, "native");
    sim_engine_destroy(e);
    sim_engine_destroy(NULL);
}
END_TEST

/* Many events with random times come out sorted by (time, insertion). */
struct stamp {
    sim_engine *e;
    sim_time *times;
    int *order;
    int n;
};
struct stamped {
    struct stamp *s;
    int idx;
};
static void stamp_cb(void *arg)
{
    struct stamped *t = arg;
    t->s->times[t->s->n] = sim_now(t->s->e);
    t->s->order[t->s->n] = t->idx;
    t->s->n++;
}

START_TEST(test_large_random_heap)
{
    enum { N = 200000 };
    sim_engine *e = sim_engine_native_new();
    struct stamp s = {e, malloc(N * sizeof(sim_time)), malloc(N * sizeof(int)), 0};
    struct stamped *t = malloc(N * sizeof *t);
    sim_time *at = malloc(N * sizeof *at);
    ck_assert(s.times && s.order && t && at);
    sim_rng r;
    sim_rng_init(&r, 42, "heap");
    for (int k = 0; k < N; k++) {
        t[k] = (struct stamped){&s, k};
        /* Many ties, and times spread over every digit of the queue. */
        at[k] = (sim_time)(k % 2 ? sim_rng_below(&r, 5000) : sim_rng_below(&r, UINT64_C(1) << (sim_rng_below(&r, 62) + 1)));
        sim_schedule_at(e, at[k], stamp_cb, &t[k]);
    }
    ck_assert_uint_eq(e->ops->pending(e), N);
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(s.n, N);
    for (int k = 0; k < N; k++)
        ck_assert_int_eq(s.times[k], at[s.order[k]]);
    for (int k = 1; k < N; k++) {
        ck_assert_int_le(s.times[k - 1], s.times[k]);
        if (s.times[k - 1] == s.times[k])
            ck_assert_int_lt(s.order[k - 1], s.order[k]);
    }
    sim_engine_destroy(e);
    free(s.times);
    free(s.order);
    free(t);
    free(at);
}
END_TEST

/* A timer re-armed many times (cancel + schedule), as WireGuard's
 * keepalive timer is on every packet: lazily deleted entries must be
 * compacted away and never fire. */
START_TEST(test_rearm_many_times)
{
    sim_engine *e = sim_engine_native_new();
    int fired[3] = {0, 0, 0};
    sim_event_id id = 0;
    sim_schedule_at(e, 1000000, count_cb, &fired[1]);
    for (int k = 0; k < 300000; k++) {
        sim_cancel(e, id);
        id = sim_schedule_at(e, 500 + k % 1000, count_cb, &fired[0]);
        ck_assert_uint_eq(e->ops->pending(e), 2);
    }
    sim_schedule_at(e, 400, count_cb, &fired[2]);
    ck_assert_int_eq(e->ops->next_time(e), 400);
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(fired[0], 1);
    ck_assert_int_eq(fired[1], 1);
    ck_assert_int_eq(fired[2], 1);
    ck_assert_int_eq(sim_now(e), 1000000);
    sim_engine_destroy(e);
}
END_TEST

/* Ids of long-pending events stay valid while other slots churn, and a
 * long run of events at one time (fed while it drains) keeps its order. */
struct feeder {
    sim_engine *e;
    int fed, fired, last_tag;
    bool order_ok;
};
struct fed_ev {
    struct feeder *f;
    int tag;
};
static void feed_cb(void *arg)
{
    struct fed_ev *ev = arg;
    struct feeder *f = ev->f;
    if (ev->tag != f->last_tag + 1)
        f->order_ok = false;
    f->last_tag = ev->tag;
    f->fired++;
    if (f->fed < 20000) {
        static struct fed_ev evs[20001];
        evs[f->fed] = (struct fed_ev){f, f->fed};
        sim_schedule_in(f->e, 0, feed_cb, &evs[f->fed]);
        f->fed++;
    }
}

START_TEST(test_long_equal_time_run_and_old_ids)
{
    sim_engine *e = sim_engine_native_new();
    int far_fired = 0;
    sim_event_id far = sim_schedule_at(e, SIM_S, count_cb, &far_fired);
    sim_event_id far2 = sim_schedule_at(e, SIM_S, count_cb, &far_fired);
    struct feeder f = {e, 0, 0, -1, true};
    static struct fed_ev first[4];
    for (int k = 0; k < 4; k++) {
        first[k] = (struct fed_ev){&f, k};
        sim_schedule_at(e, 10, feed_cb, &first[k]);
    }
    f.fed = 4;
    sim_run_until(e, 10);
    ck_assert_int_eq(f.fired, 20000);
    ck_assert(f.order_ok);
    ck_assert_int_eq(sim_now(e), 10);
    ck_assert(sim_cancel(e, far));
    sim_run_until(e, SIM_TIME_NEVER);
    ck_assert_int_eq(far_fired, 1);
    ck_assert(!sim_cancel(e, far2));
    sim_engine_destroy(e);
}
END_TEST

/* Queue shapes of every size and span (the native queue sorts small
 * buckets into a run and moves large ones down), with events inserted
 * into the range being drained: times never go back and equal times run
 * in scheduling order. */
struct shape {
    sim_engine *e;
    sim_rng r;
    uint64_t span;
    int scheduled, fired, budget;
    sim_time last_t;
    int last_seq;
    bool ok;
};
struct shape_ev {
    struct shape *s;
    int seq;
};
static struct shape_ev shape_evs[4096];
static void shape_cb(void *arg);
static void shape_schedule(struct shape *s, sim_time at)
{
    struct shape_ev *ev = &shape_evs[s->scheduled];
    *ev = (struct shape_ev){s, s->scheduled};
    s->scheduled++;
    ck_assert(sim_schedule_at(s->e, at, shape_cb, ev) != 0);
}
static void shape_cb(void *arg)
{
    struct shape_ev *ev = arg;
    struct shape *s = ev->s;
    sim_time now = sim_now(s->e);
    if (now < s->last_t || (now == s->last_t && ev->seq < s->last_seq))
        s->ok = false;
    s->last_t = now;
    s->last_seq = ev->seq;
    s->fired++;
    if (s->budget > 0 && sim_rng_below(&s->r, 3) == 0) {
        s->budget--;
        /* Often a tie with what is pending, sometimes far. */
        uint64_t d = sim_rng_below(&s->r, 4) ? sim_rng_below(&s->r, s->span / 8 + 1) : sim_rng_below(&s->r, 4 * s->span);
        shape_schedule(s, now + (sim_time)d);
    }
}

START_TEST(test_queue_shapes)
{
    static const int sizes[] = {1, 2, 3, 23, 24, 25, 100, 128, 129, 300, 1000};
    static const uint64_t spans[] = {16, 256, 4096, 65536, 1 << 20, UINT64_C(1) << 24, UINT64_C(1) << 40};
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++)
        for (size_t b = 0; b < sizeof spans / sizeof spans[0]; b++) {
            sim_engine *e = sim_engine_native_new();
            struct shape s = {.e = e, .span = spans[b], .budget = 1000, .last_t = -1, .ok = true};
            sim_rng_init(&s.r, a * 100 + b, "shapes");
            sim_time base = (sim_time)sim_rng_below(&s.r, 1000000);
            sim_run_until(e, base);
            for (int k = 0; k < sizes[a]; k++)
                shape_schedule(&s, base + (sim_time)sim_rng_below(&s.r, spans[b]) / 4 * 4);
            sim_run_until(e, SIM_TIME_NEVER);
            ck_assert_msg(s.ok, "size %d span %llu: out of order", sizes[a], (unsigned long long)spans[b]);
            ck_assert_int_eq(s.fired, s.scheduled);
            sim_engine_destroy(e);
        }
}
END_TEST

START_TEST(test_past_time_runs_now)
{
    sim_engine *e = sim_engine_native_new();
    struct log log = {.e = e};
    struct tagged a = {&log, 1}, b = {&log, 2};
    sim_run_until(e, 100);
    sim_schedule_at(e, 100, record, &a);
    sim_schedule_at(e, 5, record, &b); /* in the past: runs now, after a */
    ck_assert_int_eq(e->ops->next_time(e), 100);
    sim_run_until(e, 100);
    ck_assert_int_eq(log.n, 2);
    ck_assert_int_eq(log.tags[1], 2);
    ck_assert_int_eq(log.times[1], 100);
    /* until before now: nothing happens, the clock does not go back. */
    sim_run_until(e, 50);
    ck_assert_int_eq(sim_now(e), 100);
    ck_assert(sim_schedule_at(e, 200, NULL, NULL) == 0);
    sim_engine_destroy(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("engine");
    suite_add_tcase(s, engine_cases());
    TCase *tc = tcase_create("native");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_by_name);
    tcase_add_test(tc, test_large_random_heap);
    tcase_add_test(tc, test_rearm_many_times);
    tcase_add_test(tc, test_long_equal_time_run_and_old_ids);
    tcase_add_test(tc, test_queue_shapes);
    tcase_add_test(tc, test_past_time_runs_now);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
