/*
 * test_replay.c — the receive counter window. The scripted sequence is the
 * one of Linux selftest/counter.c and wireguard-go replay/replay_test.go
 * (34 steps, then bulk runs around the window edge), with the window of
 * 8192 - 64 counters.
 */
#include "wgnode/replay.h"

#include <check.h>
#include <stdlib.h>

#define LIM ((uint64_t)WG_REPLAY_WINDOW + 1)
#define RAM WG_REJECT_AFTER_MESSAGES

typedef struct step {
    uint64_t counter;
    bool accept;
} step;

static const step script[] = {
    {0, true}, {1, true}, {1, false}, {9, true}, {8, true}, {7, true}, {7, false},
    {LIM, true}, {LIM - 1, true}, {LIM - 1, false}, {LIM - 2, true}, {2, true}, {2, false},
    {LIM + 16, true}, {3, false}, {LIM + 16, false}, {LIM * 4, true}, {LIM * 4 - (LIM - 1), true},
    {10, false}, {LIM * 4 - LIM, false}, {LIM * 4 - (LIM + 1), false}, {LIM * 4 - (LIM - 2), true},
    {LIM * 4 + 1 - LIM, false}, {0, false}, {RAM, false}, {RAM - 1, true}, {RAM, false},
    {RAM - 1, false}, {RAM - 2, true}, {RAM + 1, false}, {RAM + 2, false}, {RAM - 2, false},
    {RAM - 3, true}, {0, false},
};

START_TEST(test_scripted_34)
{
    ck_assert_uint_eq(sizeof script / sizeof script[0], 34);
    wg_replay *r = malloc(sizeof *r);
    wg_replay_init(r);
    for (size_t i = 0; i < 34; i++)
        ck_assert_msg(wg_replay_check(r, script[i].counter) == script[i].accept, "step %zu (counter %llu)", i + 1,
                      (unsigned long long)script[i].counter);
    free(r);
}
END_TEST

START_TEST(test_bulk_edges)
{
    wg_replay *r = malloc(sizeof *r);
    uint64_t W = WG_REPLAY_WINDOW;

    wg_replay_init(r);
    for (uint64_t i = 1; i <= W; i++)
        ck_assert(wg_replay_check(r, i));
    ck_assert(wg_replay_check(r, 0));  /* exactly at the window's far edge */
    ck_assert(!wg_replay_check(r, 0));

    wg_replay_init(r);
    for (uint64_t i = 2; i <= W + 1; i++)
        ck_assert(wg_replay_check(r, i));
    ck_assert(wg_replay_check(r, 1));
    ck_assert(!wg_replay_check(r, 0)); /* one past the edge */

    wg_replay_init(r);
    for (uint64_t i = W + 1; i-- > 0;)
        ck_assert(wg_replay_check(r, i)); /* descending, all inside */

    wg_replay_init(r);
    for (uint64_t i = W + 2; i-- > 1;)
        ck_assert(wg_replay_check(r, i));
    ck_assert(!wg_replay_check(r, 0));

    wg_replay_init(r);
    for (uint64_t i = W + 1; i-- > 1;)
        ck_assert(wg_replay_check(r, i));
    ck_assert(wg_replay_check(r, W + 1));
    ck_assert(!wg_replay_check(r, 0));

    wg_replay_init(r);
    for (uint64_t i = W + 1; i-- > 1;)
        ck_assert(wg_replay_check(r, i));
    ck_assert(wg_replay_check(r, 0));
    ck_assert(wg_replay_check(r, W + 1));
    free(r);
}
END_TEST

START_TEST(test_window_is_at_least_2048)
{
    /* issue 4: "sliding window of at least 2048 packets" */
    ck_assert_int_ge(WG_REPLAY_WINDOW, 2048);
    wg_replay *r = malloc(sizeof *r);
    wg_replay_init(r);
    ck_assert(wg_replay_check(r, 5000));
    ck_assert(wg_replay_check(r, 5000 - 2048));
    ck_assert(!wg_replay_check(r, 5000 - 2048));
    /* A jump far ahead clears the whole ring: old bits must not survive. */
    ck_assert(wg_replay_check(r, 1000000));
    ck_assert(wg_replay_check(r, 1000000 - 64));
    ck_assert(!wg_replay_check(r, 5000));
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("window");
    tcase_add_test(tc, test_scripted_34);
    tcase_add_test(tc, test_bulk_edges);
    tcase_add_test(tc, test_window_is_at_least_2048);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
