/*
 * test_engine.c — the engine interface through the native backend, plus
 * tests of the native queue's internals (dead-entry sweeping after many
 * cancellations, large random queues, long equal-time runs).
 */
#include <check.h>
#include <stdlib.h>

#include "sim/sim.h"

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
    tcase_add_test(tc, test_past_time_runs_now);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
