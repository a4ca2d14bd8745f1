/*
 * test_wgnode_units.c — the small containers of libwgnode on their own:
 * receiver index table, staged queue, keypair rotation, handshake rate
 * limiter.
 */
#include "wgnode/index.h"
#include "wgnode/keypair.h"
#include "wgnode/ratelimit.h"
#include "wgnode/staged.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ctr;
static void det_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    uint8_t seed[32] = {0};
    memcpy(seed, &ctr, sizeof ctr);
    ctr++;
    randombytes_buf_deterministic(buf, len, seed);
}

/* Always the same bytes: forces index collisions to be resolved. */
static int stuck_calls;
static void stuck_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    memset(buf, stuck_calls++ < 3 ? 0x11 : stuck_calls, len);
}

START_TEST(test_index_table)
{
    wg_index t;
    ck_assert(wg_index_init(&t));
    enum { N = 5000 };
    wg_index_entry *e = calloc(N, sizeof *e);
    for (int i = 0; i < N; i++) {
        e[i].kind = i % 2 ? WG_INDEX_KEYPAIR : WG_INDEX_HANDSHAKE;
        wg_index_insert(&t, &e[i], det_random, NULL);
    }
    ck_assert_uint_eq(t.map.n, N);
    for (int i = 0; i < N; i++) {
        ck_assert_ptr_eq(wg_index_lookup(&t, e[i].index, WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR), &e[i]);
        /* kind filter */
        unsigned other = e[i].kind == WG_INDEX_KEYPAIR ? WG_INDEX_HANDSHAKE : WG_INDEX_KEYPAIR;
        ck_assert_ptr_null(wg_index_lookup(&t, e[i].index, other));
    }
    /* replace: the keypair takes the handshake's index */
    wg_index_entry kp = {.kind = WG_INDEX_KEYPAIR};
    uint32_t idx = e[0].index;
    wg_index_replace(&t, &e[0], &kp);
    ck_assert(!e[0].linked);
    ck_assert_ptr_eq(wg_index_lookup(&t, idx, WG_INDEX_KEYPAIR), &kp);
    for (int i = 1; i < N; i++)
        wg_index_remove(&t, &e[i]);
    wg_index_remove(&t, &kp);
    wg_index_remove(&t, &kp); /* twice is harmless */
    ck_assert_uint_eq(t.map.n, 0);
    /* Re-inserting changes the index; duplicates are never handed out. */
    wg_index_entry a = {.kind = 1}, b = {.kind = 1};
    stuck_calls = 0;
    wg_index_insert(&t, &a, stuck_random, NULL);
    wg_index_insert(&t, &b, stuck_random, NULL);
    ck_assert_uint_ne(a.index, b.index);
    wg_index_free(&t);
    free(e);
}
END_TEST

/* Inserts, re-inserts, replacements and removals in a random order, the
 * table checked against what each entry says of itself: linear probing's
 * deletion has to keep every probe chain whole. */
START_TEST(test_index_churn)
{
    wg_index t;
    ck_assert(wg_index_init(&t));
    enum { N = 3000, OPS = 60000 };
    wg_index_entry *e = calloc(N, sizeof *e);
    for (size_t k = 0; k < N; k++)
        e[k].kind = WG_INDEX_KEYPAIR;
    uint32_t x = 12345;
    size_t linked = 0;
    for (int op = 0; op < OPS; op++) {
        x = x * 1103515245u + 12345u;
        size_t i = (x >> 8) % N, j = (x >> 3) % N;
        switch ((x >> 28) & 3) {
        case 0: /* remove */
            linked -= e[i].linked;
            wg_index_remove(&t, &e[i]);
            break;
        case 1: /* j takes i's index */
            if (i != j && e[i].linked) {
                linked -= e[j].linked;
                wg_index_replace(&t, &e[i], &e[j]);
                ck_assert(e[j].linked && !e[i].linked);
            }
            break;
        default: /* (re)insert: a new index */
            linked += !e[i].linked;
            ck_assert(wg_index_insert(&t, &e[i], det_random, NULL));
            break;
        }
        if (op % 997 == 0 || op == OPS - 1) {
            ck_assert_uint_eq(t.map.n, linked);
            for (size_t k = 0; k < N; k++) {
                wg_index_entry *f = wg_index_lookup(&t, e[k].index, WG_INDEX_KEYPAIR);
                if (e[k].linked)
                    ck_assert_ptr_eq(f, &e[k]);
                else
                    ck_assert(f == NULL || (f != &e[k] && f->linked && f->index == e[k].index));
            }
        }
    }
    wg_index_free(&t);
    free(e);
}
END_TEST

START_TEST(test_staged_queue)
{
    wg_staged q = {0};
    ck_assert_ptr_null(wg_staged_peek(&q));
    uint8_t pkt[100];
    for (int i = 0; i < WG_MAX_STAGED_PACKETS; i++) {
        pkt[0] = (uint8_t)i;
        ck_assert_int_eq(wg_staged_push(&q, pkt, 1 + (size_t)i % 50), 0);
    }
    pkt[0] = 200;
    ck_assert_int_eq(wg_staged_push(&q, pkt, 10), 1); /* the oldest goes */
    ck_assert_uint_eq(wg_staged_len(&q), WG_MAX_STAGED_PACKETS);
    ck_assert_uint_eq(wg_staged_peek(&q)->data[0], 1);
    ck_assert(!wg_staged_has_keepalive(&q));
    wg_staged_pop(&q);
    ck_assert_int_eq(wg_staged_push(&q, NULL, 0), 0);
    ck_assert(wg_staged_has_keepalive(&q));
    ck_assert_uint_eq(wg_staged_purge(&q), WG_MAX_STAGED_PACKETS);
    ck_assert_ptr_null(q.ring); /* released when empty */
    wg_staged_push(&q, pkt, 5);
    wg_staged_pop(&q);
    ck_assert_ptr_null(q.ring);
}
END_TEST

static wg_keypair *mk(wg_index *t, bool initiator)
{
    wg_session_keys k = {.initiator = initiator};
    return wg_keypair_new(&k, NULL, 0, t, NULL, det_random, NULL);
}

START_TEST(test_keypair_rotation)
{
    wg_index t;
    wg_index_init(&t);
    wg_keypairs kps = {0};
    /* initiator: current at once */
    wg_keypair *k1 = mk(&t, true);
    wg_keypairs_add(&kps, k1, &t);
    ck_assert_ptr_eq(kps.current, k1);
    wg_keypair *k2 = mk(&t, true);
    wg_keypairs_add(&kps, k2, &t);
    ck_assert_ptr_eq(kps.current, k2);
    ck_assert_ptr_eq(kps.previous, k1);
    /* responder: waits as next, previous dropped */
    wg_keypair *k3 = mk(&t, false);
    wg_keypairs_add(&kps, k3, &t);
    ck_assert_ptr_eq(kps.next, k3);
    ck_assert_ptr_eq(kps.current, k2);
    ck_assert_ptr_null(kps.previous);
    ck_assert(!wg_keypairs_received_with(&kps, k2, &t));
    ck_assert(wg_keypairs_received_with(&kps, k3, &t));
    ck_assert_ptr_eq(kps.current, k3);
    ck_assert_ptr_eq(kps.previous, k2);
    ck_assert_ptr_null(kps.next);
    /* initiator while a responder session is unconfirmed: next -> previous */
    wg_keypair *k4 = mk(&t, false);
    wg_keypairs_add(&kps, k4, &t);
    wg_keypair *k5 = mk(&t, true);
    wg_keypairs_add(&kps, k5, &t);
    ck_assert_ptr_eq(kps.current, k5);
    ck_assert_ptr_eq(kps.previous, k4);
    ck_assert_ptr_null(kps.next);
    ck_assert_uint_eq(t.map.n, 2);
    wg_keypairs_clear(&kps, &t);
    ck_assert_uint_eq(t.map.n, 0);
    wg_index_free(&t);
}
END_TEST

START_TEST(test_ratelimit_20_per_second_burst_5)
{
    wg_ratelimit rl;
    wg_ratelimit_init(&rl);
    wg_ip a = wg_ip4(192, 0, 2, 1), b = wg_ip4(192, 0, 2, 2);
    int64_t now = 1000 * WG_NS_PER_SEC;
    for (int i = 0; i < 5; i++)
        ck_assert(wg_ratelimit_allow(&rl, &a, now));
    ck_assert(!wg_ratelimit_allow(&rl, &a, now));
    ck_assert(wg_ratelimit_allow(&rl, &b, now)); /* per source */
    /* One token per 50 ms. */
    ck_assert(!wg_ratelimit_allow(&rl, &a, now + 49 * 1000000));
    ck_assert(wg_ratelimit_allow(&rl, &a, now + 50 * 1000000));
    /* Over a second: 20 more at most. */
    int ok = 0;
    for (int ms = 51; ms <= 1050; ms++)
        ok += wg_ratelimit_allow(&rl, &a, now + (int64_t)ms * 1000000);
    ck_assert_int_ge(ok, 19);
    ck_assert_int_le(ok, 21);
    /* IPv6 sources share a bucket per /64. */
    wg_ip x, y;
    wg_ip_parse("2001:db8:0:1::1", &x);
    wg_ip_parse("2001:db8:0:1::2", &y);
    for (int i = 0; i < 5; i++)
        ck_assert(wg_ratelimit_allow(&rl, i % 2 ? &x : &y, now));
    ck_assert(!wg_ratelimit_allow(&rl, &x, now));
    wg_ratelimit_free(&rl);
}
END_TEST

int main(void)
{
    if (sodium_init() < 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("wgnode_units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, test_index_table);
    tcase_add_test(tc, test_index_churn);
    tcase_add_test(tc, test_staged_queue);
    tcase_add_test(tc, test_keypair_rotation);
    tcase_add_test(tc, test_ratelimit_20_per_second_burst_5);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
