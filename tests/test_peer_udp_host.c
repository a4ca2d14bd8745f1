/*
 * test_peer_udp_host.c — the real-socket host of `wgsim peer`
 * (cli/peer/udp_host.c) on the loopback interface: packet info on receive,
 * forced source and interface on send, errno mapping per platform, and the
 * local-address / route answers.
 */
#include <check.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "cli/peer/udp_host.h"

/* Waits for and reads one datagram. */
static ssize_t recv_one(udp_host *h, int fd, uint8_t *buf, size_t cap, wg_source *local, wg_endpoint *remote)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    bool trunc;
    ssize_t n = udp_host_recv(h, fd, buf, cap, local, remote, &trunc);
    ck_assert(!trunc);
    return n;
}

static void loop_v4_or_v6(int family)
{
    udp_host h;
    char err[256];
    ck_assert_msg(udp_host_open(&h, 0, WG_PLATFORM_WIREGUARD_GO, err, sizeof err), "%s", err);
    ck_assert_uint_ne(h.port, 0);
    int fd = family == 4 ? h.fd4 : h.fd6;
    if (fd < 0) {
        udp_host_close(&h);
        return; /* this family is disabled on the host */
    }
    wg_endpoint to = {.port = h.port};
    ck_assert(wg_ip_parse(family == 4 ? "127.0.0.1" : "::1", &to.ip));
    uint32_t lo = if_nametoindex("lo");
    ck_assert_uint_ne(lo, 0);

    /* Unbound send, then a send that forces source and interface. */
    wg_source none = {0};
    ck_assert_int_eq(udp_host_send(&h, &none, &to, (const uint8_t *)"abc", 3), WG_SEND_OK);
    uint8_t buf[UDP_HOST_MAX_DATAGRAM];
    wg_source local;
    wg_endpoint from;
    ck_assert_int_eq(recv_one(&h, fd, buf, sizeof buf, &local, &from), 3);
    ck_assert_mem_eq(buf, "abc", 3);
    ck_assert(wg_ip_eq(&local.addr, &to.ip)); /* the destination it arrived for */
    ck_assert_uint_eq(local.ifindex, lo);
    ck_assert(wg_endpoint_eq(&from, &to)); /* sent from the listen port */

    wg_source src = {.addr = to.ip, .ifindex = lo};
    ck_assert_int_eq(udp_host_send(&h, &src, &to, (const uint8_t *)"de", 2), WG_SEND_OK);
    ck_assert_int_eq(recv_one(&h, fd, buf, sizeof buf, &local, &from), 2);
    ck_assert(wg_ip_eq(&from.ip, &src.addr));

    /* Nothing more pending. */
    bool trunc;
    ck_assert_int_eq(udp_host_recv(&h, fd, buf, sizeof buf, &local, &from, &trunc), -1);

    /* A source that is not configured here: Linux refuses it (IPv4:
     * ENETUNREACH, IPv6: EINVAL); wireguard-go semantics pass that on. */
    wg_source bogus = {0};
    ck_assert(wg_ip_parse(family == 4 ? "203.0.113.77" : "fd77::77", &bogus.addr));
    ck_assert(!udp_host_addr_is_local(&bogus.addr));
    wg_send_result r = udp_host_send(&h, &bogus, &to, (const uint8_t *)"x", 1);
    ck_assert_int_eq(r, family == 4 ? WG_SEND_UNREACHABLE : WG_SEND_EINVAL);
    ck_assert_int_ne(h.last_errno, 0);
    /* The BSD strategies see what a BSD kernel says: EADDRNOTAVAIL. */
    h.platform = WG_PLATFORM_FREEBSD;
    ck_assert_int_eq(udp_host_send(&h, &bogus, &to, (const uint8_t *)"x", 1), WG_SEND_EADDRNOTAVAIL);
    udp_host_close(&h);
}

START_TEST(loopback_v4) { loop_v4_or_v6(4); }
END_TEST

START_TEST(loopback_v6) { loop_v4_or_v6(6); }
END_TEST

START_TEST(fixed_port_and_conflict)
{
    udp_host a, b;
    char err[256];
    ck_assert_msg(udp_host_open(&a, 0, WG_PLATFORM_LINUX, err, sizeof err), "%s", err);
    /* The same port again: refused with a message naming it. */
    ck_assert(!udp_host_open(&b, a.port, WG_PLATFORM_LINUX, err, sizeof err));
    ck_assert_msg(strstr(err, "Address already in use") != NULL, "%s", err);
    ck_assert_int_eq(b.fd4, -1);
    ck_assert_int_eq(b.fd6, -1);
    udp_host_close(&a);
}
END_TEST

START_TEST(locality_and_routes)
{
    wg_ip ip;
    ck_assert(wg_ip_parse("127.0.0.1", &ip));
    ck_assert(udp_host_addr_is_local(&ip));
    wg_ip none = {0};
    ck_assert(!udp_host_addr_is_local(&none));

    uint32_t ifi = 0;
    wg_ip chosen = {0};
    ck_assert(udp_host_route_lookup(&ip, NULL, &ifi, &chosen));
    ck_assert_uint_eq(ifi, if_nametoindex("lo"));
    ck_assert(wg_ip_eq(&chosen, &ip));
    /* With the source given. */
    ck_assert(udp_host_route_lookup(&ip, &ip, &ifi, &chosen));
    ck_assert_uint_eq(ifi, if_nametoindex("lo"));
    /* Another loopback address answers from itself. */
    wg_ip other;
    ck_assert(wg_ip_parse("127.0.0.2", &other));
    ck_assert(udp_host_route_lookup(&other, NULL, &ifi, &chosen));
    ck_assert_uint_eq(ifi, if_nametoindex("lo"));
}
END_TEST

/* A socket error (here ECONNREFUSED from a port nobody listens on) is no
 * datagram: 0, and local/remote are zeroed rather than left as they were
 * (cmd_peer.c traces the sender of every unusable datagram). */
START_TEST(socket_error_zeroes_addresses)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sin;
    int closed = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(closed, 0);
    ck_assert_int_eq(bind(closed, (struct sockaddr *)&sin, sizeof sin), 0);
    ck_assert_int_eq(getsockname(closed, (struct sockaddr *)&sin, &sl), 0);
    close(closed);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    ck_assert_int_eq(send(fd, "x", 1, 0), 1);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    ck_assert(p.revents & POLLERR);

    udp_host h = {.fd4 = fd, .fd6 = -1};
    uint8_t buf[64];
    wg_source local;
    wg_endpoint remote;
    memset(&local, 0xaa, sizeof local);
    memset(&remote, 0xaa, sizeof remote);
    bool trunc = true;
    ck_assert_int_eq(udp_host_recv(&h, fd, buf, sizeof buf, &local, &remote, &trunc), 0);
    ck_assert(!trunc);
    wg_source no_local;
    wg_endpoint no_remote;
    memset(&no_local, 0, sizeof no_local);
    memset(&no_remote, 0, sizeof no_remote);
    ck_assert(memcmp(&local, &no_local, sizeof local) == 0);
    ck_assert(memcmp(&remote, &no_remote, sizeof remote) == 0);
    close(fd);
}
END_TEST

START_TEST(clocks)
{
    int64_t a = udp_host_monotonic_ns(), b = udp_host_monotonic_ns();
    ck_assert_int_ge(b, a);
    /* After 2020-01-01 in ns since the epoch. */
    ck_assert_int_gt(udp_host_realtime_ns(), INT64_C(1577836800) * WG_NS_PER_SEC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("peer_udp_host");
    TCase *tc = tcase_create("host");
    tcase_add_test(tc, loopback_v4);
    tcase_add_test(tc, loopback_v6);
    tcase_add_test(tc, fixed_port_and_conflict);
    tcase_add_test(tc, locality_and_routes);
    tcase_add_test(tc, socket_error_zeroes_addresses);
    tcase_add_test(tc, clocks);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
