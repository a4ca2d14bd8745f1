/*
 * test_peer_icmp.c — the echo packets `wgsim peer` answers and sends
 * (cli/peer/icmp_echo.c), checked against packets the Linux kernel produced
 * (`ping -c1 -s 12 -p 61626364` on loopback, captured with dumpcap).
 */
#include <check.h>
#include <string.h>

#include "cli/peer/icmp_echo.h"

/* IPv4 echo request 127.0.0.1 -> 127.0.0.1, id 0x157c seq 1, and the
 * kernel's reply to it. */
static const uint8_t v4_request[] = {
    0x45, 0x00, 0x00, 0x28, 0xfd, 0xd2, 0x40, 0x00, 0x40, 0x01, 0x3f, 0x00, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, 0x08, 0x00, 0x94, 0x2e, 0x15, 0x7c, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64,
    0x61, 0x62, 0x63, 0x64, 0x61, 0x62, 0x63, 0x64,
};
static const uint8_t v4_reply[] = {
    0x45, 0x00, 0x00, 0x28, 0xfd, 0xd3, 0x00, 0x00, 0x40, 0x01, 0x7e, 0xff, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x9c, 0x2e, 0x15, 0x7c, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64,
    0x61, 0x62, 0x63, 0x64, 0x61, 0x62, 0x63, 0x64,
};
/* ICMPv6 echo request ::1 -> ::1, id 0x157d seq 1, and the reply. */
static const uint8_t v6_request[] = {
    0x60, 0x0f, 0xa8, 0x23, 0x00, 0x14, 0x3a, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x80, 0x00, 0x1b, 0xdd, 0x15, 0x7d, 0x00, 0x01,
    0x61, 0x62, 0x63, 0x64, 0x61, 0x62, 0x63, 0x64, 0x61, 0x62, 0x63, 0x64,
};
static const uint8_t v6_reply[] = {
    0x60, 0x04, 0x92, 0xe8, 0x00, 0x14, 0x3a, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x81, 0x00, 0x1a, 0xdd, 0x15, 0x7d, 0x00, 0x01,
    0x61, 0x62, 0x63, 0x64, 0x61, 0x62, 0x63, 0x64, 0x61, 0x62, 0x63, 0x64,
};

START_TEST(rfc1071_example)
{
    /* RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2 (folded). */
    static const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    ck_assert_uint_eq(icmp_checksum_fold(icmp_checksum_add(0, d, sizeof d)), (uint16_t)~0xddf2);
    /* Odd length pads with a zero byte; chaining equals one call. */
    static const uint8_t odd[] = {0x01, 0x02, 0x03};
    ck_assert_uint_eq(icmp_checksum_fold(icmp_checksum_add(0, odd, 3)), (uint16_t)~0x0402);
    uint32_t s = icmp_checksum_add(icmp_checksum_add(0, d, 4), d + 4, 4);
    ck_assert_uint_eq(icmp_checksum_fold(s), (uint16_t)~0xddf2);
}
END_TEST

START_TEST(parse_kernel_packets)
{
    icmp_echo e;
    char buf[WG_IP_STRLEN];
    ck_assert(icmp_echo_parse(v4_request, sizeof v4_request, &e));
    ck_assert(e.request);
    ck_assert_str_eq(wg_ip_format(&e.src, buf), "127.0.0.1");
    ck_assert_str_eq(wg_ip_format(&e.dst, buf), "127.0.0.1");
    ck_assert_uint_eq(e.id, 0x157c);
    ck_assert_uint_eq(e.seq, 1);
    ck_assert_uint_eq(e.ttl, 64);
    ck_assert_uint_eq(e.payload_len, 12);
    ck_assert_mem_eq(e.payload, "abcdabcdabcd", 12);

    ck_assert(icmp_echo_parse(v4_reply, sizeof v4_reply, &e));
    ck_assert(!e.request);

    ck_assert(icmp_echo_parse(v6_request, sizeof v6_request, &e));
    ck_assert(e.request);
    ck_assert_str_eq(wg_ip_format(&e.src, buf), "::1");
    ck_assert_uint_eq(e.id, 0x157d);
    ck_assert_uint_eq(e.payload_len, 12);
    ck_assert(icmp_echo_parse(v6_reply, sizeof v6_reply, &e));
    ck_assert(!e.request);

    /* Trailing bytes after the IP total length (link padding) are ignored. */
    uint8_t padded[sizeof v4_request + 6] = {0};
    memcpy(padded, v4_request, sizeof v4_request);
    ck_assert(icmp_echo_parse(padded, sizeof padded, &e));
    ck_assert_uint_eq(e.payload_len, 12);
}
END_TEST

/* The reply built from the kernel's request equals the kernel's reply: the
 * whole ICMP message byte for byte; the IPv4 header except identification
 * and DF (we send atomic datagrams, RFC 6864), the IPv6 header except the
 * flow label. */
START_TEST(reply_matches_kernel)
{
    icmp_echo e;
    uint8_t out[128];
    ck_assert(icmp_echo_parse(v4_request, sizeof v4_request, &e));
    icmp_echo r = e;
    r.request = false;
    r.src = e.dst;
    r.dst = e.src;
    r.ttl = 64;
    size_t n = icmp_echo_build(out, sizeof out, &r);
    ck_assert_uint_eq(n, sizeof v4_reply);
    ck_assert_mem_eq(out + 20, v4_reply + 20, n - 20);
    static const uint8_t v4_hdr[20] = {0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01,
                                       0x3c, 0xd3, 0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01};
    ck_assert_mem_eq(out, v4_hdr, 20);

    ck_assert(icmp_echo_parse(v6_request, sizeof v6_request, &e));
    r = e;
    r.request = false;
    r.src = e.dst;
    r.dst = e.src;
    r.ttl = 64;
    n = icmp_echo_build(out, sizeof out, &r);
    ck_assert_uint_eq(n, sizeof v6_reply);
    ck_assert_uint_eq(out[0], 0x60);
    ck_assert_mem_eq(out + 4, v6_reply + 4, n - 4);
}
END_TEST

START_TEST(build_in_place)
{
    /* Replying in the request's own buffer (payload aliases the output). */
    uint8_t pkt[sizeof v6_request];
    memcpy(pkt, v6_request, sizeof pkt);
    icmp_echo e;
    ck_assert(icmp_echo_parse(pkt, sizeof pkt, &e));
    wg_ip t = e.src;
    e.src = e.dst;
    e.dst = t;
    e.request = false;
    ck_assert_uint_eq(icmp_echo_build(pkt, sizeof pkt, &e), sizeof v6_reply);
    ck_assert_mem_eq(pkt + 4, v6_reply + 4, sizeof v6_reply - 4);
}
END_TEST

START_TEST(build_request_roundtrip)
{
    icmp_echo e = {.request = true, .ttl = 64, .id = 0xbeef, .seq = 65535, .payload = (const uint8_t *)"x", .payload_len = 1};
    ck_assert(wg_ip_parse("10.99.0.1", &e.src));
    ck_assert(wg_ip_parse("10.99.0.2", &e.dst));
    uint8_t out[64];
    size_t n = icmp_echo_build(out, sizeof out, &e);
    ck_assert_uint_eq(n, 29);
    icmp_echo p;
    ck_assert(icmp_echo_parse(out, n, &p)); /* odd-length checksum verified */
    ck_assert(p.request);
    ck_assert_uint_eq(p.id, 0xbeef);
    ck_assert_uint_eq(p.seq, 65535);
    ck_assert(wg_ip_eq(&p.dst, &e.dst));
    /* Too small a buffer, mixed families. */
    ck_assert_uint_eq(icmp_echo_build(out, 28, &e), 0);
    ck_assert(wg_ip_parse("fd00::1", &e.dst));
    ck_assert_uint_eq(icmp_echo_build(out, sizeof out, &e), 0);
}
END_TEST

START_TEST(reject_malformed)
{
    icmp_echo e;
    uint8_t p[sizeof v4_request];
    /* Every truncation is refused. */
    for (size_t n = 0; n < sizeof v4_request; n++)
        ck_assert_msg(!icmp_echo_parse(v4_request, n, &e), "accepted %zu bytes", n);
    for (size_t n = 0; n < sizeof v6_request; n++)
        ck_assert_msg(!icmp_echo_parse(v6_request, n, &e), "accepted %zu bytes", n);
    /* Every single-bit flip of the IPv4 request is caught by a checksum or
     * a header check, except in the payload-free fields that the checksums
     * cover anyway: so all of them. */
    for (size_t i = 0; i < sizeof p * 8; i++) {
        memcpy(p, v4_request, sizeof p);
        p[i / 8] ^= (uint8_t)(1u << (i % 8));
        ck_assert_msg(!icmp_echo_parse(p, sizeof p, &e), "bit %zu flipped accepted", i);
    }
    /* A fragment. */
    memcpy(p, v4_request, sizeof p);
    p[6] = 0x20; /* MF */
    p[10] = p[11] = 0;
    uint16_t c = icmp_checksum_fold(icmp_checksum_add(0, p, 20));
    p[10] = (uint8_t)(c >> 8);
    p[11] = (uint8_t)c;
    ck_assert(!icmp_echo_parse(p, sizeof p, &e));
    /* Not ICMP, not IP. */
    static const uint8_t junk[] = {0x00, 0x01, 0x02};
    ck_assert(!icmp_echo_parse(junk, sizeof junk, &e));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("peer_icmp");
    TCase *tc = tcase_create("echo");
    tcase_add_test(tc, rfc1071_example);
    tcase_add_test(tc, parse_kernel_packets);
    tcase_add_test(tc, reply_matches_kernel);
    tcase_add_test(tc, build_in_place);
    tcase_add_test(tc, build_request_roundtrip);
    tcase_add_test(tc, reject_malformed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
