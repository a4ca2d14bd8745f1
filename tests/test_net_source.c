/*
 * test_net_source.c — which source address the stack gives a datagram and
 * why (FreeBSD rules, ../shared/reference/ha-model.md §4): unbound sends
 * take the route's interface address (never a CARP VIP while the interface
 * has its own), IP_SENDSRCADDR needs a configured address (EADDRNOTAVAIL)
 * and does not steer the interface, a static route steers both (W8), a
 * forced interface ARPs for an off-link peer (wireguard-go).
 */
#include "net_topo.h"

static sim_world *w;
static sim_node *fw, *remote;
static sim_iface *wan, *wan2;
static sim_udp_sock *sock;
static T_rx rrx;

static bool master_flag;
static bool t_is_master(void *ctx, sim_iface *ifp, const sim_addr *a)
{
    (void)ctx;
    (void)ifp;
    (void)a;
    return master_flag;
}

static void setup(void)
{
    w = T_world(21);
    sim_segment *s1 = T_seg(w, "wan1", SIM_MS), *s2 = T_seg(w, "wan2", SIM_MS), *net = T_seg(w, "net", 5 * SIM_MS);
    fw = T_node(w, "fw", SIM_NODE_FIREWALL);
    wan = T_if(fw, "wan", s1, "198.51.100.2/24");
    wan2 = T_if(fw, "wan2", s2, "203.0.113.2/24");
    wg_prefix vip = T_pfx("198.51.100.1/24");
    ck_assert_int_eq(sim_iface_add_addr(wan, &vip, true, 1, 0), SIM_OK);
    T_route(fw, "0.0.0.0/0", "198.51.100.254");
    sim_node *isp1 = T_node(w, "isp1", SIM_NODE_ROUTER), *isp2 = T_node(w, "isp2", SIM_NODE_ROUTER);
    T_if(isp1, "wan", s1, "198.51.100.254/24");
    T_if(isp1, "net", net, "192.0.2.1/24");
    T_if(isp2, "wan", s2, "203.0.113.254/24");
    T_if(isp2, "net", net, "192.0.2.2/24");
    remote = T_node(w, "remote", SIM_NODE_HOST);
    T_if(remote, "eth0", net, "192.0.2.10/24");
    T_route(remote, "0.0.0.0/0", "192.0.2.1");
    T_route(remote, "203.0.113.0/24", "192.0.2.2");
    T_route(isp1, "0.0.0.0/0", "192.0.2.2");
    memset(&rrx, 0, sizeof rrx);
    sim_udp_sock *rs;
    ck_assert_int_eq(sim_udp_bind(remote, NULL, 51820, T_on_udp, &rrx, &rs), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(fw, NULL, 51820, NULL, NULL, &sock), SIM_OK);
    master_flag = false;
    sim_l2_ops ops = {.addr_is_master = t_is_master};
    sim_node_set_l2_ops(fw, &ops);
    T_run(w, SIM_S);
}

static void teardown(void) { sim_world_free(w); }

/* The last UDP record fw sent (a static copy: one at a time). */
static const sim_trace_rec *last_out(void)
{
    static sim_trace_rec r;
    for (size_t i = sim_trace_count(w); i-- > 0;) {
        sim_trace_get(w, i, &r);
        if (r.node == sim_node_id(fw) && r.dir == SIM_DIR_OUT && r.proto == SIM_IPPROTO_UDP)
            return &r;
    }
    return NULL;
}

static const sim_trace_rec *send_and_trace(const sim_udp_send_opts *o, sim_err want)
{
    wg_ip dst = T_ip("192.0.2.10");
    static sim_time t = 2 * SIM_S;
    ck_assert_int_eq(sim_udp_sendto(sock, o, &dst, 51820, (const uint8_t *)"data", 4), want);
    t += SIM_S;
    T_run(w, t);
    return last_out();
}

START_TEST(test_unbound_takes_interface_primary)
{
    for (int m = 0; m < 2; m++) {
        master_flag = m; /* BACKUP or MASTER: the VIP is never chosen */
        const sim_trace_rec *r = send_and_trace(NULL, SIM_OK);
        ck_assert_ptr_nonnull(r);
        wg_ip want = T_ip("198.51.100.2");
        ck_assert(wg_ip_eq(&r->src, &want));
        ck_assert_uint_eq(r->ifindex, sim_iface_index(wan));
        ck_assert(r->reason != NULL);
        ck_assert_int_eq(r->reason->kind, SIM_SRC_ROUTE);
        ck_assert_msg(strstr(T_reason(w, r), "0.0.0.0/0 via 198.51.100.254 dev wan (static)"), "%s", T_reason(w, r));
        char buf[256];
        ck_assert_str_eq((sim_src_reason_format(w, r->reason, buf, sizeof buf), buf),
                         "route: 0.0.0.0/0 via 198.51.100.254 dev wan (static)");
    }
    ck_assert_int_eq(rrx.n, 2);
    wg_ip want = T_ip("198.51.100.2");
    ck_assert(wg_ip_eq(&rrx.last.src, &want));
}
END_TEST

START_TEST(test_static_route_steers_source)
{
    T_route(fw, "192.0.2.10/32", "203.0.113.254");
    const sim_trace_rec *r = send_and_trace(NULL, SIM_OK);
    wg_ip want = T_ip("203.0.113.2");
    ck_assert(wg_ip_eq(&r->src, &want));
    ck_assert_uint_eq(r->ifindex, sim_iface_index(wan2));
    ck_assert_msg(strstr(T_reason(w, r), "192.0.2.10/32 via 203.0.113.254 dev wan2 (static)"), "%s", T_reason(w, r));
    ck_assert_int_eq(rrx.n, 1);
}
END_TEST

START_TEST(test_explicit_source_does_not_steer)
{
    sim_udp_send_opts o = {.src = T_ip("203.0.113.2"), .wg_reason = WG_SRC_LEARNED};
    const sim_trace_rec *r = send_and_trace(&o, SIM_OK);
    ck_assert(wg_ip_eq(&r->src, &o.src));
    ck_assert_uint_eq(r->ifindex, sim_iface_index(wan)); /* by the destination's route */
    ck_assert_int_eq(r->reason->kind, SIM_SRC_EXPLICIT);
    ck_assert_int_eq(r->reason->wg, WG_SRC_LEARNED);
    ck_assert_int_eq(rrx.n, 1);
}
END_TEST

START_TEST(test_unconfigured_source_eaddrnotavail)
{
    sim_udp_send_opts o = {.src = T_ip("198.51.100.77")};
    send_and_trace(&o, SIM_EADDRNOTAVAIL);
    /* A BACKUP's VIP is configured: the send succeeds from the VIP. */
    master_flag = false;
    o.src = T_ip("198.51.100.1");
    const sim_trace_rec *r = send_and_trace(&o, SIM_OK);
    ck_assert(wg_ip_eq(&r->src, &o.src));
    /* Removed (carp-disable): EADDRNOTAVAIL. */
    ck_assert_int_eq(sim_iface_del_addr(wan, &o.src), SIM_OK);
    send_and_trace(&o, SIM_EADDRNOTAVAIL);
    /* bind() follows the same rule. */
    sim_udp_sock *s2;
    ck_assert_int_eq(sim_udp_bind(fw, &o.src, 4000, NULL, NULL, &s2), SIM_EADDRNOTAVAIL);
    ck_assert_int_eq(sim_udp_bind(fw, NULL, 51820, NULL, NULL, &s2), SIM_EADDRINUSE);
}
END_TEST

START_TEST(test_bound_socket)
{
    wg_ip a = T_ip("203.0.113.2"), dst = T_ip("192.0.2.10");
    sim_udp_sock *s2;
    ck_assert_int_eq(sim_udp_bind(fw, &a, 5000, NULL, NULL, &s2), SIM_OK);
    ck_assert_int_eq(sim_udp_sendto(s2, NULL, &dst, 51820, (const uint8_t *)"b", 1), SIM_OK);
    T_run(w, 3 * SIM_S);
    const sim_trace_rec *r = last_out();
    ck_assert(wg_ip_eq(&r->src, &a));
    ck_assert_int_eq(r->reason->kind, SIM_SRC_BOUND);
    ck_assert_uint_eq(r->sport, 5000);
}
END_TEST

static bool who_has_peer_on_wan2(const sim_trace_rec *r, const void *arg)
{
    (void)arg;
    wg_ip t = T_ip("192.0.2.10"), s = T_ip("203.0.113.2");
    return r->arp_op == 1 && wg_ip_eq(&r->arp_target, &t) && wg_ip_eq(&r->arp_sender, &s) &&
           r->ifindex == sim_iface_index(wan2);
}

START_TEST(test_forced_interface_arps_on_link)
{
    sim_udp_send_opts o = {.src = T_ip("203.0.113.2"), .ifindex = sim_iface_index(wan2), .wg_reason = WG_SRC_STICKY};
    send_and_trace(&o, SIM_OK);
    ck_assert_uint_ge(T_count(w, sim_node_id(fw), SIM_DIR_OUT, who_has_peer_on_wan2, NULL), 1);
    ck_assert_int_eq(rrx.n, 0); /* nobody answers: the datagram never leaves */
    sim_arp_entry e;
    wg_ip peer = T_ip("192.0.2.10");
    ck_assert(sim_arp_lookup(wan2, &peer, &e) && !e.resolved && e.held == 1);
    /* A non-local source with a forced interface: network unreachable. */
    o.src = T_ip("10.9.9.9");
    send_and_trace(&o, SIM_ENETUNREACH);
    /* With a route via wan2's gateway the forced send goes through. */
    T_route(fw, "192.0.2.0/24", "203.0.113.254");
    o.src = T_ip("203.0.113.2");
    const sim_trace_rec *r = send_and_trace(&o, SIM_OK);
    ck_assert_uint_eq(r->ifindex, sim_iface_index(wan2));
    ck_assert_int_eq(rrx.n, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_source");
    TCase *tc = tcase_create("source");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_unbound_takes_interface_primary);
    tcase_add_test(tc, test_static_route_steers_source);
    tcase_add_test(tc, test_explicit_source_does_not_steer);
    tcase_add_test(tc, test_unconfigured_source_eaddrnotavail);
    tcase_add_test(tc, test_bound_socket);
    tcase_add_test(tc, test_forced_interface_arps_on_link);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
