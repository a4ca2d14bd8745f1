/*
 * test_rng.c — the per-node random streams (sim/engine/rng.c).
 */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "suite_run.h"

START_TEST(test_same_seed_same_stream)
{
    sim_rng a, b;
    sim_rng_init(&a, 7, "fw1");
    sim_rng_init(&b, 7, "fw1");
    uint8_t x[1000], y[1000];
    /* Different read sizes must not change the stream. */
    for (size_t off = 0; off < sizeof x;) {
        size_t n = 1 + off % 37;
        if (n > sizeof x - off)
            n = sizeof x - off;
        sim_rng_bytes(&a, x + off, n);
        off += n;
    }
    sim_rng_bytes(&b, y, sizeof y);
    ck_assert_mem_eq(x, y, sizeof x);
}
END_TEST

START_TEST(test_names_and_seeds_differ)
{
    sim_rng a, b, c;
    sim_rng_init(&a, 7, "fw1");
    sim_rng_init(&b, 7, "fw2");
    sim_rng_init(&c, 8, "fw1");
    uint8_t x[64], y[64], z[64];
    sim_rng_bytes(&a, x, sizeof x);
    sim_rng_bytes(&b, y, sizeof y);
    sim_rng_bytes(&c, z, sizeof z);
    ck_assert(memcmp(x, y, sizeof x) != 0);
    ck_assert(memcmp(x, z, sizeof x) != 0);
    ck_assert(memcmp(y, z, sizeof x) != 0);
}
END_TEST

/* The stream is libsodium's deterministic generator under the key
 * BLAKE2s-256(seed LE64 || name): its first bytes equal
 * randombytes_buf_deterministic() for that key, and a longer read is the
 * same keystream continued (randombytes_buf_deterministic of a longer
 * buffer). */
START_TEST(test_matches_libsodium_deterministic)
{
    static const char *names[] = {"fw1", "remote", "", "a-much-longer-node-name-for-the-hub"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint64_t seed = 0x0123456789abcdefULL + i;
        uint8_t in[8 + 64];
        size_t n = strlen(names[i]);
        for (int k = 0; k < 8; k++)
            in[k] = (uint8_t)(seed >> (8 * k));
        memcpy(in + 8, names[i], n);
        uint8_t key[randombytes_SEEDBYTES];
        wg_blake2s(key, sizeof key, in, 8 + n, NULL, 0);

        uint8_t want[1000], got[1000];
        randombytes_buf_deterministic(want, sizeof want, key);
        sim_rng r;
        sim_rng_init(&r, seed, names[i]);
        sim_rng_bytes(&r, got, 64);
        ck_assert_mem_eq(got, want, 64);
        sim_rng_bytes(&r, got + 64, sizeof got - 64);
        ck_assert_mem_eq(got, want, sizeof want);
    }
}
END_TEST

START_TEST(test_below_bounds_and_uniformity)
{
    sim_rng r;
    sim_rng_init(&r, 1, "dice");
    ck_assert_uint_eq(sim_rng_below(&r, 0), 0);
    ck_assert_uint_eq(sim_rng_below(&r, 1), 0);
    enum { BINS = 10, DRAWS = 100000 };
    int count[BINS] = {0};
    for (int k = 0; k < DRAWS; k++) {
        uint64_t v = sim_rng_below(&r, BINS);
        ck_assert_uint_lt(v, BINS);
        count[v]++;
    }
    /* Chi-square with 9 degrees of freedom: 27.9 is the 0.1% tail. */
    double chi = 0;
    for (int b = 0; b < BINS; b++) {
        double d = count[b] - DRAWS / (double)BINS;
        chi += d * d / (DRAWS / (double)BINS);
    }
    ck_assert_msg(chi < 27.9, "chi-square %.2f", chi);
    /* A bound that is not a power of two and close to 2^64. */
    uint64_t big = UINT64_MAX / 3 * 2;
    for (int k = 0; k < 1000; k++)
        ck_assert_uint_lt(sim_rng_below(&r, big), big);
    /* Both halves of a large range are reached. */
    int low = 0;
    for (int k = 0; k < 1000; k++)
        low += sim_rng_below(&r, big) < big / 2;
    ck_assert_int_gt(low, 400);
    ck_assert_int_lt(low, 600);
}
END_TEST

START_TEST(test_unit_interval)
{
    sim_rng r;
    sim_rng_init(&r, 3, "unit");
    double sum = 0;
    for (int k = 0; k < 100000; k++) {
        double u = sim_rng_unit(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        sum += u;
    }
    ck_assert_double_eq_tol(sum / 100000, 0.5, 0.01);
}
END_TEST

int main(void)
{
    if (sodium_init() < 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_add_test(tc, test_same_seed_same_stream);
    tcase_add_test(tc, test_names_and_seeds_differ);
    tcase_add_test(tc, test_matches_libsodium_deterministic);
    tcase_add_test(tc, test_below_bounds_and_uniformity);
    tcase_add_test(tc, test_unit_interval);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
