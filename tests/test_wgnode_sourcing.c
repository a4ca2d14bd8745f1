/*
 * test_wgnode_sourcing.c — the per-platform source-address rules of
 * ../shared/reference/wg-sourcing.md, one test per rule: a's peer b is
 * reached on b's VIP 192.0.2.100 (arrival interface 2), b's primary
 * address 192.0.2.10 is on interface 1 with the default route.
 */
#include "fake_host.h"

#include <check.h>
#include <stdlib.h>

static wg_pair P;
static const wg_ip VIP = {.family = 4, .b = {192, 0, 2, 100}};
static const wg_ip PRIMARY = {.family = 4, .b = {192, 0, 2, 10}};

static void vip_setup(wg_platform pb)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = pb, .a_knows_b = true};
    pair_init(&P, &o);
    P.ep_b.ip = VIP;
    P.if_b = 2;
    fh_add_local(&P.hb, VIP);
    P.hb.check_locals = true;
    ck_assert(wg_device_set_endpoint(P.a, P.a_peer, &P.ep_b, 0));
}

static wg_source b_source(void)
{
    wg_peer_info ib;
    ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
    return ib.learned_source;
}

static bool b_src_eq(const wg_ip *ip)
{
    wg_source s = b_source();
    return wg_ip_eq(&s.addr, ip);
}

static void handshake(void)
{
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_NONE);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
}

START_TEST(test_bsd_data_eaddrnotavail_drops_and_clears)
{
    wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD};
    for (int i = 0; i < 2; i++) {
        vip_setup(plats[i]);
        handshake();
        wg_source s = b_source();
        ck_assert(wg_ip_eq(&s.addr, &VIP));
        /* The VIP goes away (CARP disabled): sending from it fails. */
        fh_remove_local(&P.hb, VIP);
        P.now = SEC(1);
        size_t delivered = P.ha.n_delivered;
        pair_send_ba(&P, 10);
        const fh_sent *last = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
        ck_assert_int_eq(last->result, WG_SEND_EADDRNOTAVAIL);
        ck_assert(wg_ip_eq(&last->src.addr, &VIP));
        ck_assert_int_eq(last->meta.reason, WG_SRC_LEARNED);
        ck_assert_uint_eq(P.ha.n_delivered, delivered); /* the packet is lost, no retry */
        ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_SEND_FAILED), 1);
        ck_assert_int_eq(b_source().addr.family, 0); /* stored source cleared */
        ck_assert_uint_ge(fh_count_events(&P.hb, WG_EV_SOURCE_CLEARED), 1);
        /* The next packet takes the kernel's choice and gets through. */
        pair_send_ba(&P, 10);
        last = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
        ck_assert_int_eq(last->result, WG_SEND_OK);
        ck_assert_int_eq(last->src.addr.family, 0);
        ck_assert_int_eq(last->meta.reason, WG_SRC_NONE);
        ck_assert_uint_eq(P.ha.n_delivered, delivered + 1);
        /* ...and a roams to b's primary address (C3/C4 mechanism). */
        wg_peer_info ia;
        wg_device_peer_info(P.a, P.a_peer, &ia);
        ck_assert(wg_ip_eq(&ia.endpoint.ip, &PRIMARY));
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_bsd_handshake_eaddrnotavail_retried_unbound_source_stale)
{
    wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD};
    for (int i = 0; i < 2; i++) {
        vip_setup(plats[i]);
        handshake();
        P.cut_ab = true;
        /* b's passive keepalive at 10 s (from the VIP) is still fine. */
        pair_run_until(&P, SEC(200));
        ck_assert(b_src_eq(&VIP));
        /* Keys too old to send: b must initiate, and the VIP is gone. */
        fh_remove_local(&P.hb, VIP);
        size_t n0 = P.hb.n_sent;
        pair_send_ba(&P, 10);
        ck_assert_uint_eq(P.hb.n_sent, n0 + 2);
        const fh_sent *first = &P.hb.sent[n0], *retry = &P.hb.sent[n0 + 1];
        ck_assert_int_eq(first->meta.type, WG_MSG_INITIATION);
        ck_assert_int_eq(first->result, WG_SEND_EADDRNOTAVAIL);
        ck_assert(wg_ip_eq(&first->src.addr, &VIP));
        ck_assert_int_eq(retry->meta.type, WG_MSG_INITIATION);
        ck_assert_int_eq(retry->result, WG_SEND_OK);
        ck_assert_int_eq(retry->src.addr.family, 0);
        ck_assert_int_eq(retry->meta.reason, WG_SRC_RETRY_UNBOUND);
        /* The stored source stays stale: only a temporary copy was cleared. */
        ck_assert(b_src_eq(&VIP));
        /* The retransmit timer clears it before the next initiation. */
        pair_run_until(&P, SEC(206));
        const fh_sent *rt = fh_last_sent(&P.hb, WG_MSG_INITIATION);
        ck_assert_int_eq(rt->result, WG_SEND_OK);
        ck_assert_int_eq(rt->meta.reason, WG_SRC_CLEARED_BY_TIMER);
        ck_assert_int_eq(b_source().addr.family, 0);
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_openbsd_retries_without_limit_freebsd_once)
{
    wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD};
    for (int i = 0; i < 2; i++) {
        vip_setup(plats[i]);
        handshake();
        P.cut_ab = true;
        pair_run_until(&P, SEC(200));
        for (int k = 0; k < 3; k++)
            fh_script(&P.hb, WG_SEND_EADDRNOTAVAIL);
        size_t n0 = P.hb.n_sent;
        pair_send_ba(&P, 10);
        /* FreeBSD: one attempt + one retry (both fail); OpenBSD: keeps
         * retrying until the send goes out (4th attempt). */
        ck_assert_uint_eq(P.hb.n_sent - n0, i == 0 ? 2 : 4);
        ck_assert_int_eq(fh_last_sent(&P.hb, WG_MSG_INITIATION)->result,
                         i == 0 ? WG_SEND_EADDRNOTAVAIL : WG_SEND_OK);
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_set_endpoint_by_hand_per_platform)
{
    wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX, WG_PLATFORM_WIREGUARD_GO};
    for (int i = 0; i < 4; i++) {
        vip_setup(plats[i]);
        /* Linux would otherwise drop the VIP for the route's interface. */
        fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
        handshake();
        ck_assert(b_src_eq(&VIP));
        wg_endpoint ep = {.ip = wg_ip4(203, 0, 113, 5), .port = 51820};
        ck_assert(wg_device_set_endpoint(P.b, P.b_peer, &ep, P.now));
        wg_source s = b_source();
        if (plats[i] == WG_PLATFORM_FREEBSD)
            ck_assert(wg_ip_eq(&s.addr, &VIP)); /* FreeBSD copies only the remote part */
        else
            ck_assert_int_eq(s.addr.family, 0);
        wg_peer_info ib;
        wg_device_peer_info(P.b, P.b_peer, &ib);
        ck_assert(wg_endpoint_eq(&ib.endpoint, &ep));
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_linux_route_interface_differs_clears_source)
{
    vip_setup(WG_PLATFORM_LINUX);
    /* Only the default route (interface 1); the initiation arrived on
     * interface 2: the response leaves with the route's source (and a
     * roams to it, so the harness no longer delivers a's data to the VIP). */
    pair_send_ab(&P, 10);
    const fh_sent *resp = fh_last_sent(&P.hb, WG_MSG_RESPONSE);
    ck_assert_int_eq(resp->meta.reason, WG_SRC_ROUTE_CACHE);
    ck_assert(wg_ip_eq(&resp->src.addr, &PRIMARY));
    ck_assert_int_eq(b_source().addr.family, 0);
    ck_assert_uint_ge(fh_count_events(&P.hb, WG_EV_SOURCE_CLEARED), 1);
    pair_free(&P);

    /* With a route back through interface 2 the learned VIP is kept. */
    vip_setup(WG_PLATFORM_LINUX);
    fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
    handshake();
    resp = fh_last_sent(&P.hb, WG_MSG_RESPONSE);
    ck_assert(wg_ip_eq(&resp->src.addr, &VIP));
    ck_assert(b_src_eq(&VIP));
    pair_free(&P);
}
END_TEST

START_TEST(test_linux_nonlocal_source_cleared_on_cache_miss)
{
    vip_setup(WG_PLATFORM_LINUX);
    fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
    handshake();
    ck_assert(b_src_eq(&VIP));
    /* Cached route: still the VIP while nothing invalidates the cache. */
    P.now = SEC(1);
    pair_send_ba(&P, 10);
    ck_assert(wg_ip_eq(&fh_last_sent(&P.hb, WG_MSG_TRANSPORT)->src.addr, &VIP));
    /* The VIP is removed, with its route; routes changed: cache miss. */
    fh_remove_local(&P.hb, VIP);
    P.hb.n_routes = 1;
    wg_device_routes_changed(P.b, P.now);
    pair_send_ba(&P, 10);
    const fh_sent *s = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
    ck_assert_int_eq(s->result, WG_SEND_OK);
    ck_assert(wg_ip_eq(&s->src.addr, &PRIMARY));
    ck_assert_int_eq(b_source().addr.family, 0);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_SEND_FAILED), 0);
    pair_free(&P);

    /* The same when the route back still leaves by the arrival interface
     * (another address remains on it), so the interface check cannot be
     * what clears the source: the locality check alone must (socket.c
     * send4: a non-local saddr fails the lookup with -EINVAL, which
     * clears the source and looks up again). */
    const wg_ip OTHER = {.family = 4, .b = {192, 0, 2, 101}};
    vip_setup(WG_PLATFORM_LINUX);
    fh_add_local(&P.hb, OTHER);
    fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
    handshake();
    ck_assert(b_src_eq(&VIP));
    fh_remove_local(&P.hb, VIP);
    P.hb.routes[P.hb.n_routes - 1].src = OTHER;
    wg_device_routes_changed(P.b, P.now);
    P.now = SEC(1);
    pair_send_ba(&P, 10);
    s = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
    ck_assert_int_eq(s->result, WG_SEND_OK);
    ck_assert(wg_ip_eq(&s->src.addr, &OTHER));
    ck_assert_int_eq(b_source().addr.family, 0);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_SEND_FAILED), 0);
    pair_free(&P);
}
END_TEST

/* Roaming to a new endpoint drops Linux's cached route even when the
 * learned source stays the same (socket.c wg_socket_set_peer_endpoint ->
 * dst_cache_reset): the route to the new endpoint is looked up afresh. */
START_TEST(test_linux_roaming_resets_route_cache)
{
    vip_setup(WG_PLATFORM_LINUX);
    fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
    handshake();
    P.now = SEC(1);
    pair_send_ba(&P, 10);
    ck_assert(wg_ip_eq(&fh_last_sent(&P.hb, WG_MSG_TRANSPORT)->src.addr, &VIP));
    /* a's packets now come from a NAT address routed by the default route
     * (interface 1), still to the VIP on interface 2. */
    P.nat_a = true;
    P.nat_a_ep = (wg_endpoint){.ip = wg_ip4(203, 0, 113, 7), .port = 40000};
    P.now = SEC(2);
    pair_send_ab(&P, 10);
    wg_peer_info ib;
    wg_device_peer_info(P.b, P.b_peer, &ib);
    ck_assert(wg_endpoint_eq(&ib.endpoint, &P.nat_a_ep));
    pair_send_ba(&P, 10);
    const fh_sent *s = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
    ck_assert(wg_endpoint_eq(&s->dst, &P.nat_a_ep));
    /* The route to 203.0.113.7 leaves by interface 1, not the arrival
     * interface 2: source cleared, the route's own source used. */
    ck_assert(wg_ip_eq(&s->src.addr, &PRIMARY));
    ck_assert_int_eq(b_source().addr.family, 0);
    pair_free(&P);
}
END_TEST

START_TEST(test_wggo_sticky_no_retry)
{
    vip_setup(WG_PLATFORM_WIREGUARD_GO);
    fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
    handshake();
    const fh_sent *resp = fh_last_sent(&P.hb, WG_MSG_RESPONSE);
    ck_assert_int_eq(resp->meta.reason, WG_SRC_STICKY);
    ck_assert(wg_ip_eq(&resp->src.addr, &VIP));
    ck_assert_uint_eq(resp->src.ifindex, 2); /* the interface is forced too */
    /* Source gone: the send fails, no retry, the source stays. */
    fh_remove_local(&P.hb, VIP);
    P.now = SEC(1);
    size_t n0 = P.hb.n_sent;
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(P.hb.n_sent, n0 + 1);
    ck_assert_int_eq(P.hb.sent[n0].result, WG_SEND_EADDRNOTAVAIL);
    ck_assert(b_src_eq(&VIP));
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_SEND_FAILED), 1);
    /* Only EINVAL clears the source and retries without it. */
    fh_script(&P.hb, WG_SEND_EINVAL);
    n0 = P.hb.n_sent;
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(P.hb.n_sent, n0 + 2);
    ck_assert_int_eq(P.hb.sent[n0 + 1].result, WG_SEND_OK);
    ck_assert_int_eq(P.hb.sent[n0 + 1].meta.reason, WG_SRC_RETRY_UNBOUND);
    ck_assert_int_eq(b_source().addr.family, 0);
    pair_free(&P);
}
END_TEST

START_TEST(test_wggo_route_change_clears_ipv4_source)
{
    vip_setup(WG_PLATFORM_WIREGUARD_GO);
    fh_add_route(&P.hb, "198.51.100.0/24", 2, VIP);
    handshake();
    ck_assert(b_src_eq(&VIP));
    /* A routing change that keeps interface 2: source kept. */
    wg_device_routes_changed(P.b, P.now);
    ck_assert(b_src_eq(&VIP));
    /* The route now leaves by interface 1: source cleared. */
    P.hb.n_routes = 1;
    wg_device_routes_changed(P.b, P.now);
    ck_assert_int_eq(b_source().addr.family, 0);
    pair_free(&P);
}
END_TEST

START_TEST(test_cookie_reply_from_arrival_address)
{
    vip_setup(WG_PLATFORM_FREEBSD);
    wg_device_set_under_load(P.b, true);
    fh_remove_local(&P.hb, VIP); /* the reply from the VIP fails: retried unbound */
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, false), 2);
    const fh_sent *c = fh_last_sent(&P.hb, WG_MSG_COOKIE_REPLY);
    ck_assert_int_eq(c->meta.reason, WG_SRC_RETRY_UNBOUND);
    ck_assert_int_eq(P.hb.sent[P.hb.n_sent - 2].result, WG_SEND_EADDRNOTAVAIL);
    ck_assert(wg_ip_eq(&P.hb.sent[P.hb.n_sent - 2].src.addr, &VIP));
    pair_free(&P);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wgnode_sourcing");
    TCase *tc = tcase_create("sourcing");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bsd_data_eaddrnotavail_drops_and_clears);
    tcase_add_test(tc, test_bsd_handshake_eaddrnotavail_retried_unbound_source_stale);
    tcase_add_test(tc, test_openbsd_retries_without_limit_freebsd_once);
    tcase_add_test(tc, test_set_endpoint_by_hand_per_platform);
    tcase_add_test(tc, test_linux_route_interface_differs_clears_source);
    tcase_add_test(tc, test_linux_nonlocal_source_cleared_on_cache_miss);
    tcase_add_test(tc, test_linux_roaming_resets_route_cache);
    tcase_add_test(tc, test_wggo_sticky_no_retry);
    tcase_add_test(tc, test_wggo_route_change_clears_ipv4_source);
    tcase_add_test(tc, test_cookie_reply_from_arrival_address);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
