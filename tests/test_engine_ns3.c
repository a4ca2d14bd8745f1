/*
 * test_engine_ns3.c — the engine tests of test_engine_cases.h through the
 * ns3 backend (ns-3's Simulator via the libns3-c shim), plus the
 * singleton rule of that backend.
 */
#include <check.h>
#include <stdlib.h>

#include "sim/sim.h"
#include "sim/engine/ns3/ns3_shim.h"
#include "suite_run.h"

struct backend {
    const char *name;
    sim_engine *(*make)(void);
};
static sim_engine *make_ns3(void) { return sim_engine_ns3_new(); }
static sim_engine *make_by_name(void) { return sim_engine_new_by_name("ns3"); }
static const struct backend backends[] = {
    {"ns3", make_ns3},
    {"ns3", make_by_name},
};

#include "test_engine_cases.h"

START_TEST(test_only_one_at_a_time)
{
    sim_engine *a = sim_engine_ns3_new();
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_null(sim_engine_ns3_new());
    ck_assert_ptr_null(ns3_shim_create("heap"));
    sim_engine_destroy(a);
    /* Destroying frees the singleton for the next session. */
    sim_engine *b = sim_engine_ns3_new();
    ck_assert_ptr_nonnull(b);
    sim_engine_destroy(b);
}
END_TEST

/* Every ns-3 scheduler the benchmark uses orders ties by insertion. */
static int tie_log[64], tie_n;
static void tie_cb(void *arg) { tie_log[tie_n++] = (int)(intptr_t)arg; }

START_TEST(test_shim_schedulers_ties)
{
    for (const char *const *name = ns3_shim_schedulers; *name; name++) {
        ns3_shim *s = ns3_shim_create(*name);
        ck_assert_msg(s != NULL, "scheduler %s", *name);
        tie_n = 0;
        for (int k = 0; k < 40; k++)
            ns3_shim_schedule_raw_in(s, 1000 * (k % 2), tie_cb, (void *)(intptr_t)k);
        ns3_shim_run_until(s, INT64_MAX);
        ck_assert_int_eq(tie_n, 40);
        int idx = 0;
        for (int r = 0; r < 2; r++)
            for (int k = r; k < 40; k += 2)
                ck_assert_int_eq(tie_log[idx++], k);
        ck_assert(ns3_shim_is_finished(s));
        ns3_shim_destroy(s);
    }
    ck_assert_ptr_null(ns3_shim_create("fifo"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("engine_ns3");
    suite_add_tcase(s, engine_cases());
    TCase *tc = tcase_create("ns3");
    tcase_add_test(tc, test_only_one_at_a_time);
    tcase_add_test(tc, test_shim_schedulers_ties);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
