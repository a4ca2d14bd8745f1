/*
 * test_allowedips.c — the cryptokey routing trie: longest match, moving a
 * prefix between peers, removal by peer, listing, IPv4 and IPv6 apart.
 */
#include "wgnode/allowedips.h"

#include <check.h>
#include <stdlib.h>

/* Peers are opaque to the trie: any distinct addresses do. */
static struct wg_peer *const P1 = (struct wg_peer *)0x1001;
static struct wg_peer *const P2 = (struct wg_peer *)0x1002;
static struct wg_peer *const P3 = (struct wg_peer *)0x1003;

static void ins(wg_allowedips *t, const char *s, struct wg_peer *p)
{
    wg_prefix pr;
    ck_assert_msg(wg_prefix_parse(s, &pr), "parse %s", s);
    ck_assert(wg_allowedips_insert(t, &pr, p));
}

static struct wg_peer *look(const wg_allowedips *t, const char *s)
{
    wg_ip ip;
    ck_assert_msg(wg_ip_parse(s, &ip), "parse %s", s);
    return wg_allowedips_lookup(t, &ip);
}

START_TEST(test_longest_match_v4)
{
    wg_allowedips t;
    wg_allowedips_init(&t);
    ins(&t, "10.0.0.0/8", P1);
    ins(&t, "10.1.0.0/16", P2);
    ins(&t, "10.1.2.3/32", P3);
    ins(&t, "0.0.0.0/0", P3);
    ck_assert_ptr_eq(look(&t, "10.9.9.9"), P1);
    ck_assert_ptr_eq(look(&t, "10.1.9.9"), P2);
    ck_assert_ptr_eq(look(&t, "10.1.2.3"), P3);
    ck_assert_ptr_eq(look(&t, "10.1.2.4"), P2);
    ck_assert_ptr_eq(look(&t, "192.0.2.1"), P3);
    /* host bits of an inserted prefix are ignored */
    ins(&t, "172.16.99.99/12", P1);
    ck_assert_ptr_eq(look(&t, "172.31.255.255"), P1);
    ck_assert_ptr_eq(look(&t, "172.32.0.0"), P3);
    wg_allowedips_free(&t);
}
END_TEST

START_TEST(test_branching_and_siblings)
{
    wg_allowedips t;
    wg_allowedips_init(&t);
    /* Prefixes that diverge inside a byte force branch nodes. */
    ins(&t, "192.168.0.0/24", P1);
    ins(&t, "192.168.1.0/24", P2);
    ins(&t, "192.168.0.128/25", P3);
    ck_assert_ptr_eq(look(&t, "192.168.0.1"), P1);
    ck_assert_ptr_eq(look(&t, "192.168.0.200"), P3);
    ck_assert_ptr_eq(look(&t, "192.168.1.200"), P2);
    ck_assert_ptr_null(look(&t, "192.168.2.1"));
    ck_assert_ptr_null(look(&t, "10.0.0.1"));
    wg_allowedips_free(&t);
}
END_TEST

START_TEST(test_move_and_remove)
{
    wg_allowedips t;
    wg_allowedips_init(&t);
    ins(&t, "10.0.0.0/24", P1);
    ins(&t, "10.0.0.0/24", P2); /* same prefix: moves to P2 */
    ck_assert_ptr_eq(look(&t, "10.0.0.5"), P2);
    ck_assert_uint_eq(wg_allowedips_list(&t, P1, NULL, 0), 0);
    ins(&t, "10.0.0.0/16", P1);
    ins(&t, "10.0.0.7/32", P1);
    ins(&t, "fd00::/64", P1);
    ck_assert_uint_eq(wg_allowedips_list(&t, P1, NULL, 0), 3);
    wg_allowedips_remove_by_peer(&t, P1);
    ck_assert_ptr_eq(look(&t, "10.0.0.7"), P2);   /* the /24 of P2 remains */
    ck_assert_ptr_null(look(&t, "10.0.1.1"));     /* the /16 is gone */
    ck_assert_ptr_null(look(&t, "fd00::1"));
    ck_assert_uint_eq(wg_allowedips_list(&t, P1, NULL, 0), 0);
    wg_prefix out[4];
    ck_assert_uint_eq(wg_allowedips_list(&t, P2, out, 4), 1);
    char buf[WG_IP_STRLEN];
    ck_assert_str_eq(wg_prefix_format(&out[0], buf), "10.0.0.0/24");
    wg_allowedips_remove_by_peer(&t, P2);
    ck_assert_ptr_null(t.root4);
    ck_assert_ptr_null(t.root6);
    wg_allowedips_free(&t);
}
END_TEST

START_TEST(test_v6_and_families_apart)
{
    wg_allowedips t;
    wg_allowedips_init(&t);
    ins(&t, "::/0", P1);
    ins(&t, "2001:db8::/32", P2);
    ins(&t, "2001:db8:1::/48", P3);
    ins(&t, "2001:db8:1::1/128", P1);
    ck_assert_ptr_eq(look(&t, "2001:db8:2::1"), P2);
    ck_assert_ptr_eq(look(&t, "2001:db8:1::2"), P3);
    ck_assert_ptr_eq(look(&t, "2001:db8:1::1"), P1);
    ck_assert_ptr_eq(look(&t, "fe80::1"), P1);
    /* ::/0 does not cover IPv4 */
    ck_assert_ptr_null(look(&t, "10.0.0.1"));
    wg_prefix bad = {.ip = {.family = 4}, .len = 33};
    ck_assert(!wg_allowedips_insert(&t, &bad, P1));
    wg_allowedips_free(&t);
}
END_TEST

/* Against a brute-force reference on many random prefixes. */
START_TEST(test_random_against_reference)
{
    wg_allowedips t;
    wg_allowedips_init(&t);
    enum { N = 400 };
    wg_prefix pfx[N];
    struct wg_peer *owner[N];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t a = x;
        x = x * 1103515245u + 12345u;
        pfx[i].ip = wg_ip4_from_u32(a & 0xff0fffffu);
        pfx[i].len = (uint8_t)(8 + (x >> 8) % 25);
        owner[i] = (struct wg_peer *)(uintptr_t)(0x2000 + (x >> 3) % 7);
        ck_assert(wg_allowedips_insert(&t, &pfx[i], owner[i]));
    }
    for (int k = 0; k < 3000; k++) {
        x = x * 1103515245u + 12345u;
        wg_ip ip = wg_ip4_from_u32(x & 0xff0fffffu);
        struct wg_peer *want = NULL;
        int best = -1;
        for (int i = 0; i < N; i++)
            if (wg_prefix_contains(&pfx[i], &ip) && pfx[i].len >= best) {
                best = pfx[i].len;
                want = owner[i]; /* later insert of the same prefix wins */
            }
        ck_assert_ptr_eq(wg_allowedips_lookup(&t, &ip), want);
    }
    wg_allowedips_free(&t);
}
END_TEST

/* Host routes (/32, found through their own table, allowedips.c) among
 * covering prefixes, through moves and removals by peer: every answer
 * must be the longest match of a brute-force reference. */
START_TEST(test_host_routes_against_reference)
{
    wg_allowedips t;
    wg_allowedips_init(&t);
    enum { N = 3000, PEERS = 40 };
    static wg_prefix pfx[N];
    static struct wg_peer *owner[N]; /* NULL: removed */
    uint32_t x = 777;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        /* mostly /32s in two dense /20s (clusters in the table), some covering prefixes */
        uint32_t a = (x & 1 ? 0x0a000000u : 0x64400000u) | ((x >> 8) & 0xfff);
        pfx[i].len = (uint8_t)((x >> 20) % 10 ? 32 : 20 + (x >> 24) % 12);
        pfx[i].ip = wg_ip4_from_u32(a & ~(uint32_t)0 << (32 - pfx[i].len));
        owner[i] = (struct wg_peer *)(uintptr_t)(0x3000 + (x >> 4) % PEERS);
        ck_assert(wg_allowedips_insert(&t, &pfx[i], owner[i]));
        /* the same prefix inserted again moves to the new owner */
        for (int j = 0; j < i; j++)
            if (owner[j] && pfx[j].len == pfx[i].len && wg_ip_eq(&pfx[j].ip, &pfx[i].ip))
                owner[j] = NULL;
        if (i % 500 == 499) {
            /* remove one peer's prefixes: the table deletes in the middle of clusters */
            struct wg_peer *gone = (struct wg_peer *)(uintptr_t)(0x3000 + (x >> 12) % PEERS);
            wg_allowedips_remove_by_peer(&t, gone);
            for (int j = 0; j <= i; j++)
                if (owner[j] == gone)
                    owner[j] = NULL;
        }
    }
    for (int k = 0; k < 2 * N; k++) {
        wg_ip ip;
        if (k < N) {
            ip = pfx[k].ip; /* every stored address, live or removed */
        } else {
            x = x * 1103515245u + 12345u;
            ip = wg_ip4_from_u32((x & 1 ? 0x0a000000u : 0x64400000u) | ((x >> 8) & 0xfff));
        }
        struct wg_peer *want = NULL;
        int best = -1;
        for (int i = 0; i < N; i++)
            if (owner[i] && wg_prefix_contains(&pfx[i], &ip) && pfx[i].len > best) {
                best = pfx[i].len;
                want = owner[i];
            }
        ck_assert_ptr_eq(wg_allowedips_lookup(&t, &ip), want);
    }
    wg_allowedips_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("allowedips");
    TCase *tc = tcase_create("trie");
    tcase_add_test(tc, test_longest_match_v4);
    tcase_add_test(tc, test_branching_and_siblings);
    tcase_add_test(tc, test_move_and_remove);
    tcase_add_test(tc, test_v6_and_families_apart);
    tcase_add_test(tc, test_random_against_reference);
    tcase_add_test(tc, test_host_routes_against_reference);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
