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
#define FRESH(r, c) (wg_replay_check((r), (c)) == WG_REPLAY_FRESH)
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
        ck_assert_msg(FRESH(r, script[i].counter) == script[i].accept, "step %zu (counter %llu)", i + 1,
                      (unsigned long long)script[i].counter);
    wg_replay_release(r);
    free(r);
}
END_TEST

START_TEST(test_bulk_edges)
{
    wg_replay *r = malloc(sizeof *r);
    uint64_t W = WG_REPLAY_WINDOW;

    wg_replay_init(r);
    for (uint64_t i = 1; i <= W; i++)
        ck_assert(FRESH(r, i));
    ck_assert(FRESH(r, 0));  /* exactly at the window's far edge */
    ck_assert(!FRESH(r, 0));

    wg_replay_release(r);
    for (uint64_t i = 2; i <= W + 1; i++)
        ck_assert(FRESH(r, i));
    ck_assert(FRESH(r, 1));
    ck_assert(!FRESH(r, 0)); /* one past the edge */

    wg_replay_release(r);
    for (uint64_t i = W + 1; i-- > 0;)
        ck_assert(FRESH(r, i)); /* descending, all inside */

    wg_replay_release(r);
    for (uint64_t i = W + 2; i-- > 1;)
        ck_assert(FRESH(r, i));
    ck_assert(!FRESH(r, 0));

    wg_replay_release(r);
    for (uint64_t i = W + 1; i-- > 1;)
        ck_assert(FRESH(r, i));
    ck_assert(FRESH(r, W + 1));
    ck_assert(!FRESH(r, 0));

    wg_replay_release(r);
    for (uint64_t i = W + 1; i-- > 1;)
        ck_assert(FRESH(r, i));
    ck_assert(FRESH(r, 0));
    ck_assert(FRESH(r, W + 1));
    wg_replay_release(r);
    free(r);
}
END_TEST

START_TEST(test_window_is_at_least_2048)
{
    /* issue 4: "sliding window of at least 2048 packets" */
    ck_assert_int_ge(WG_REPLAY_WINDOW, 2048);
    wg_replay *r = malloc(sizeof *r);
    wg_replay_init(r);
    ck_assert(FRESH(r, 5000));
    ck_assert(FRESH(r, 5000 - 2048));
    ck_assert(!FRESH(r, 5000 - 2048));
    /* A jump far ahead clears the whole ring: old bits must not survive. */
    ck_assert(FRESH(r, 1000000));
    ck_assert(FRESH(r, 1000000 - 64));
    ck_assert(!FRESH(r, 5000));
    wg_replay_release(r);
    free(r);
}
END_TEST

/* The full ring as it was before replay.c stored nothing for in-order
 * history: Linux's counter_validate, word for word. */
typedef struct ref_ring {
    uint64_t counter;
    uint64_t words[WG_REPLAY_WORDS];
} ref_ring;

static bool ref_check(ref_ring *r, uint64_t their)
{
    if (r->counter >= WG_REJECT_AFTER_MESSAGES + 1 || their >= WG_REJECT_AFTER_MESSAGES)
        return false;
    uint64_t c = their + 1;
    if (c + WG_REPLAY_WINDOW < r->counter)
        return false;
    uint64_t index = c / WG_REPLAY_WORD_BITS;
    if (c > r->counter) {
        uint64_t current = r->counter / WG_REPLAY_WORD_BITS, diff = index - current;
        if (diff > WG_REPLAY_WORDS)
            diff = WG_REPLAY_WORDS;
        for (uint64_t i = 1; i <= diff; i++)
            r->words[(current + i) % WG_REPLAY_WORDS] = 0;
        r->counter = c;
    }
    uint64_t *word = &r->words[index % WG_REPLAY_WORDS], bit = UINT64_C(1) << (c % WG_REPLAY_WORD_BITS);
    if (*word & bit)
        return false;
    *word |= bit;
    return true;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(test_same_decisions_as_the_full_ring)
{
    /* Long in-order stretches (the compact case, crossing many words and
     * the ring's wrap) broken at a random point by a gap, a replay, a
     * late packet inside or outside the window or a far jump; after the
     * break, a mix. Every decision and the final window must match. */
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (int run = 0; run < 60; run++) {
        ref_ring *ref = calloc(1, sizeof *ref);
        wg_replay r;
        wg_replay_init(&r);
        uint64_t next = 0, in_order = xorshift(&seed) % 12000;
        if (run % 30 == 0)
            next = WG_REJECT_AFTER_MESSAGES - 20000 - xorshift(&seed) % 20000; /* near the end of a session */
        for (uint64_t i = 0; i < in_order; i++, next++)
            ck_assert_int_eq(FRESH(&r, next), ref_check(ref, next));
        if (run % 30 != 0)
            ck_assert_ptr_null(r.backtrack); /* in order from 0: nothing stored */
        for (int k = 0; k < 3000; k++) {
            uint64_t x = xorshift(&seed), c;
            switch (x % 8) {
            case 0: c = next + 1 + (x >> 8) % 200; break;                          /* gap */
            case 1: c = next > 0 ? next - 1 - (x >> 8) % (next < 100 ? next : 100) : 0; break; /* late */
            case 2: c = next + (x >> 8) % (3 * WG_REPLAY_BITS_TOTAL); break;      /* jump */
            case 3: c = next > WG_REPLAY_WINDOW ? next - WG_REPLAY_WINDOW + (x >> 8) % 130 - 65 : 0; break; /* edge */
            default: c = next; break;                                               /* in order */
            }
            ck_assert_int_eq(FRESH(&r, c), ref_check(ref, c));
            ck_assert_uint_eq(r.counter, ref->counter);
            if (c >= next)
                next = c + 1;
        }
        if (r.backtrack)
            for (size_t w = 0; w < WG_REPLAY_WORDS; w++)
                ck_assert_uint_eq(r.backtrack[w], ref->words[w]);
        wg_replay_release(&r);
        free(ref);
    }
}
END_TEST

START_TEST(test_materialised_ring_equals_history)
{
    /* After n in-order counters (n across the ring's wrap), the first gap
     * builds the ring: it must be word for word the one the in-order
     * history filled. */
    static const uint64_t ns[] = {0, 1, 63, 64, 65, 127, 128, 8127, 8128, 8191, 8192, 8193, 20000, 20031};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        ref_ring *ref = calloc(1, sizeof *ref);
        wg_replay r;
        wg_replay_init(&r);
        for (uint64_t i = 0; i < ns[k]; i++) {
            ck_assert(FRESH(&r, i));
            ck_assert(ref_check(ref, i));
        }
        ck_assert(FRESH(&r, ns[k] + 5));
        ck_assert(ref_check(ref, ns[k] + 5));
        ck_assert_ptr_nonnull(r.backtrack);
        for (size_t w = 0; w < WG_REPLAY_WORDS; w++)
            ck_assert_msg(r.backtrack[w] == ref->words[w], "n %llu word %zu", (unsigned long long)ns[k], w);
        wg_replay_release(&r);
        free(ref);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("window");
    tcase_add_test(tc, test_scripted_34);
    tcase_add_test(tc, test_bulk_edges);
    tcase_add_test(tc, test_window_is_at_least_2048);
    tcase_add_test(tc, test_same_decisions_as_the_full_ring);
    tcase_add_test(tc, test_materialised_ring_equals_history);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
