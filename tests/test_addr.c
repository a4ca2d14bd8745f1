/*
 * test_addr.c — parsing, printing and matching of addresses, endpoints and
 * prefixes (wgnode/addr.c): every accepted spelling round-trips, every
 * malformed one is refused without touching the output.
 */
#include "wgnode/wgnode.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_ip_parse_valid)
{
    static const struct { const char *in, *out; int family; } ok[] = {
        {"0.0.0.0", "0.0.0.0", 4},
        {"192.0.2.1", "192.0.2.1", 4},
        {"255.255.255.255", "255.255.255.255", 4},
        {"::", "::", 6},
        {"::1", "::1", 6},
        {"2001:db8::20", "2001:db8::20", 6},
        {"2001:DB8:0:0:0:0:0:1", "2001:db8::1", 6},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1", 6},
        {"fe80::1:2:3:4", "fe80::1:2:3:4", 6},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wg_ip ip;
        char buf[WG_IP_STRLEN];
        ck_assert_msg(wg_ip_parse(ok[i].in, &ip), "%s refused", ok[i].in);
        ck_assert_int_eq(ip.family, ok[i].family);
        ck_assert_str_eq(wg_ip_format(&ip, buf), ok[i].out);
        wg_ip back;
        ck_assert(wg_ip_parse(buf, &back));
        ck_assert(wg_ip_eq(&ip, &back));
    }
    wg_ip a;
    ck_assert(wg_ip_parse("198.51.100.7", &a));
    ck_assert_uint_eq(wg_ip4_to_u32(&a), 0xc6336407);
    wg_ip b = wg_ip4_from_u32(0xc6336407), c = wg_ip4(198, 51, 100, 7);
    ck_assert(wg_ip_eq(&a, &b));
    ck_assert(wg_ip_eq(&a, &c));
    for (int i = 4; i < 16; i++)
        ck_assert_uint_eq(a.b[i], 0);
}
END_TEST

START_TEST(test_ip_parse_malformed)
{
    static const char *bad[] = {
        "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "a.b.c.d", "1.2.3.4/24",
        "1.2.3.4:80", "::1::2", "2001:db8:::1", "gggg::1", "[::1]", "fe80::1%eth0", "1..2.3", "0x1.2.3.4", "example.com",
        "12345::", "1:2:3:4:5:6:7:8:9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_ip ip = wg_ip4(9, 9, 9, 9), keep = ip;
        ck_assert_msg(!wg_ip_parse(bad[i], &ip), "\"%s\" accepted", bad[i]);
        ck_assert(wg_ip_eq(&ip, &keep));
    }
    wg_ip ip;
    ck_assert(!wg_ip_parse(NULL, &ip));
}
END_TEST

START_TEST(test_ip_eq_none)
{
    wg_ip none = {0}, v4 = wg_ip4(10, 0, 0, 1), v6;
    ck_assert(wg_ip_is_none(&none));
    ck_assert(!wg_ip_is_none(&v4));
    ck_assert(wg_ip_eq(&none, &none));
    ck_assert(!wg_ip_eq(&none, &v4));
    ck_assert(wg_ip_parse("::ffff:10.0.0.1", &v6));
    ck_assert(!wg_ip_eq(&v4, &v6)); /* families differ, even for a v4-mapped address */
    char buf[WG_IP_STRLEN];
    ck_assert_str_eq(wg_ip_format(&none, buf), "none");
}
END_TEST

START_TEST(test_endpoint_parse)
{
    static const struct { const char *in, *out; int family; unsigned port; } ok[] = {
        {"192.0.2.1:51820", "192.0.2.1:51820", 4, 51820},
        {"10.0.0.1:1", "10.0.0.1:1", 4, 1},
        {"10.0.0.1:65535", "10.0.0.1:65535", 4, 65535},
        {"[::1]:51820", "[::1]:51820", 6, 51820},
        {"[2001:DB8::20]:51821", "[2001:db8::20]:51821", 6, 51821},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wg_endpoint ep, back;
        char buf[WG_IP_STRLEN];
        ck_assert_msg(wg_endpoint_parse(ok[i].in, &ep), "%s refused", ok[i].in);
        ck_assert_int_eq(ep.ip.family, ok[i].family);
        ck_assert_uint_eq(ep.port, ok[i].port);
        ck_assert_str_eq(wg_endpoint_format(&ep, buf), ok[i].out);
        ck_assert(wg_endpoint_parse(buf, &back));
        ck_assert(wg_endpoint_eq(&ep, &back));
    }
    static const char *bad[] = {
        "", "192.0.2.1", "192.0.2.1:", ":51820", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:-1", "192.0.2.1:+80",
        "192.0.2.1:8o", "192.0.2.1: 80", "192.0.2.1:99999999999", "::1:51820", "[::1]51820", "[::1]:", "[::1",
        "::1]:80", "[192.0.2.1]:80", "host.example:51820", "[::1]:80:80", "1.2.3.4:80:80",
        "[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]:1", /* longer than any buffer */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_endpoint ep = {.ip = wg_ip4(9, 9, 9, 9), .port = 9}, keep = ep;
        ck_assert_msg(!wg_endpoint_parse(bad[i], &ep), "\"%s\" accepted", bad[i]);
        ck_assert(wg_endpoint_eq(&ep, &keep));
    }
    wg_endpoint ep;
    ck_assert(!wg_endpoint_parse(NULL, &ep));
    wg_endpoint a = {.ip = wg_ip4(1, 2, 3, 4), .port = 5}, b = a;
    ck_assert(wg_endpoint_eq(&a, &b));
    b.port = 6;
    ck_assert(!wg_endpoint_eq(&a, &b));
    wg_endpoint none = {0};
    char buf[WG_IP_STRLEN];
    ck_assert_str_eq(wg_endpoint_format(&none, buf), "none");
}
END_TEST

START_TEST(test_prefix_parse)
{
    static const struct { const char *in, *out; unsigned len; } ok[] = {
        {"10.0.0.0/8", "10.0.0.0/8", 8},
        {"0.0.0.0/0", "0.0.0.0/0", 0},
        {"192.0.2.1", "192.0.2.1/32", 32},        /* bare address: host prefix */
        {"198.51.100.2/24", "198.51.100.2/24", 24}, /* interface address: host bits kept */
        {"::/0", "::/0", 0},
        {"2001:db8::/32", "2001:db8::/32", 32},
        {"::1", "::1/128", 128},
        {"fd00::1/128", "fd00::1/128", 128},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        wg_prefix p;
        char buf[WG_IP_STRLEN];
        ck_assert_msg(wg_prefix_parse(ok[i].in, &p), "%s refused", ok[i].in);
        ck_assert_uint_eq(p.len, ok[i].len);
        ck_assert_str_eq(wg_prefix_format(&p, buf), ok[i].out);
    }
    static const char *bad[] = {
        "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/ 8",
        "10.0.0/8", "::/129", "2001:db8::/1000", "10.0.0.0/8x", "10.0.0.0\\8",
        "1111:2222:3333:4444:5555:6666:7777:8888/128/128/128/128/128/128",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wg_prefix p = {.ip = wg_ip4(9, 9, 9, 9), .len = 9};
        ck_assert_msg(!wg_prefix_parse(bad[i], &p), "\"%s\" accepted", bad[i]);
        ck_assert_uint_eq(p.len, 9);
        ck_assert_uint_eq(p.ip.b[0], 9);
    }
    wg_prefix p;
    ck_assert(!wg_prefix_parse(NULL, &p));
}
END_TEST

static bool contains(const char *prefix, const char *ip)
{
    wg_prefix p;
    wg_ip a;
    ck_assert(wg_prefix_parse(prefix, &p));
    ck_assert(wg_ip_parse(ip, &a));
    return wg_prefix_contains(&p, &a);
}

START_TEST(test_prefix_contains)
{
    ck_assert(contains("10.0.0.0/8", "10.255.1.2"));
    ck_assert(!contains("10.0.0.0/8", "11.0.0.0"));
    ck_assert(contains("0.0.0.0/0", "203.0.113.9"));
    ck_assert(contains("192.0.2.128/25", "192.0.2.200"));
    ck_assert(!contains("192.0.2.128/25", "192.0.2.127"));
    ck_assert(contains("192.0.2.1/32", "192.0.2.1"));
    ck_assert(!contains("192.0.2.1/32", "192.0.2.2"));
    ck_assert(contains("198.51.100.2/24", "198.51.100.77")); /* host bits of the prefix ignored */
    ck_assert(contains("2001:db8::/32", "2001:db8:ffff::1"));
    ck_assert(!contains("2001:db8::/33", "2001:db8:8000::1"));
    ck_assert(contains("::/0", "::1"));
    ck_assert(!contains("::/0", "10.0.0.1"));       /* families never mix */
    ck_assert(!contains("0.0.0.0/0", "::ffff:10.0.0.1"));
    wg_ip none = {0};
    wg_prefix any4;
    ck_assert(wg_prefix_parse("0.0.0.0/0", &any4));
    ck_assert(!wg_prefix_contains(&any4, &none));
    /* a hand-built prefix longer than its family is refused, not over-read */
    wg_prefix wild = {.ip = wg_ip4(10, 0, 0, 0), .len = 200};
    wg_ip ten = wg_ip4(10, 0, 0, 0);
    ck_assert(!wg_prefix_contains(&wild, &ten));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("addr");
    TCase *tc = tcase_create("addr");
    tcase_add_test(tc, test_ip_parse_valid);
    tcase_add_test(tc, test_ip_parse_malformed);
    tcase_add_test(tc, test_ip_eq_none);
    tcase_add_test(tc, test_endpoint_parse);
    tcase_add_test(tc, test_prefix_parse);
    tcase_add_test(tc, test_prefix_contains);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
