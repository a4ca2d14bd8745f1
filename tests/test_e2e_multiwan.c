/*
 * test_e2e_multiwan.c — end-to-end: a two-WAN firewall with WireGuard; the
 * remote peer's endpoint is WAN2's address. The firewall answers from WAN2
 * (the learned local address) and pf's generated route-to / reply-to sends
 * the answers through WAN2's gateway (C7). Initiated traffic takes the
 * default route's interface and address (C8), unless a static route for
 * the endpoint via WAN2's gateway exists (W8).
 */
#include "test_e2e_topo.h"

#include <string.h>

static H_mw m;
static H_wg g;

static void teardown(void) { sim_world_free(m.w); }

typedef struct if_q {
    int node;
    uint32_t ifindex;
    wg_ip src;
} if_q;

static bool on_if(const sim_trace_rec *r, const void *arg)
{
    const if_q *q = arg;
    return r->proto == SIM_IPPROTO_UDP && r->sport == 51820 && r->node == q->node && r->ifindex == q->ifindex &&
           wg_ip_eq(&r->src, &q->src);
}

START_TEST(e2e_multiwan_answers_on_wan2)
{
    m = H_mw_new(13, true, NULL);
    g = H_wg_setup(m.w, m.fw, NULL, m.remote, "203.0.113.2:51820", 0, 25);
    sim_fw_start(m.f);
    sim_ping_config pc = {.dst = T_ip("10.99.0.1"), .start = 2 * SIM_S, .interval = SIM_S};
    sim_ping *p = sim_ping_start(m.remote, &pc);
    T_run(m.w, 60 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 5 * SIM_S, 60 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 55);
    ck_assert_uint_eq(st.received, 55);
    /* every datagram the firewall sent left wan2 with wan2's address */
    if_q w2 = {sim_node_id(m.fw), sim_iface_index(sim_node_iface(m.fw, "wan2")), T_ip("203.0.113.2")};
    if_q w1 = {sim_node_id(m.fw), sim_iface_index(sim_node_iface(m.fw, "wan")), T_ip("203.0.113.2")};
    ck_assert_uint_ge(T_count(m.w, w2.node, SIM_DIR_OUT, on_if, &w2), 55);
    ck_assert_uint_eq(T_count(m.w, w1.node, SIM_DIR_OUT, on_if, &w1), 0);
    ck_assert_uint_eq(H_count_udp(m.w, m.fw, SIM_DIR_OUT, "198.51.100.2", NULL, 51820, 0, 0, 60 * SIM_S), 0);
    ck_assert(H_ep_is(g.wr, g.r_peer, "203.0.113.2:51820"));
    /* why the source is wan2's address: the trace says the WireGuard
     * device used its learned local address, and which received datagram
     * taught it (issue 13, "Why a packet has its source") */
    size_t learned = 0;
    for (size_t i = 0; i < sim_trace_count(m.w); i++) {
        sim_trace_rec r_v; sim_trace_get(m.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (!on_if(r, &w2) || r->dir != SIM_DIR_OUT || !r->reason)
            continue;
        ck_assert_int_eq(r->reason->kind, SIM_SRC_EXPLICIT);
        ck_assert_int_eq(r->reason->wg, WG_SRC_LEARNED);
        ck_assert(r->reason->flags & SIM_SRC_F_LEARNED);
        const char *why = T_reason(m.w, r);
        ck_assert_msg(strstr(why, "; learned from 192.0.2.10:51820 -> 203.0.113.2:51820 at "), "reason: %s", why);
        ck_assert_msg(strstr(why, " on wan2"), "reason: %s", why);
        /* reply-to chose wan2 and its gateway */
        ck_assert(r->reason->flags & SIM_SRC_F_REPLY_TO);
        learned++;
    }
    ck_assert_uint_ge(learned, 55);
    /* isp2 carried the answers */
    ck_assert_uint_ge(H_count_udp(m.w, m.isp2, SIM_DIR_OUT, "203.0.113.2", "192.0.2.10", 51820, 51820, 0, 60 * SIM_S), 55);
}
END_TEST

START_TEST(e2e_multiwan_initiates_by_default_route)
{
    /* The firewall initiates (it knows the endpoint); the remote learns it. */
    m = H_mw_new(14, true, NULL);
    g = H_wg_setup(m.w, m.remote, NULL, m.fw, "192.0.2.10:51820", 0, 25);
    sim_fw_start(m.f);
    T_run(m.w, 30 * SIM_S);
    /* initiated from the default route's interface address (C8) */
    ck_assert_uint_ge(H_count_udp(m.w, m.fw, SIM_DIR_OUT, "198.51.100.2", "192.0.2.10", 51820, 51820, 0, 30 * SIM_S), 1);
    ck_assert_uint_eq(H_count_udp(m.w, m.fw, SIM_DIR_OUT, "203.0.113.2", NULL, 51820, 0, 0, 30 * SIM_S), 0);
    ck_assert(H_ep_is(g.w1, g.f_peer, "198.51.100.2:51820"));
}
END_TEST

START_TEST(e2e_multiwan_static_route_via_wan2)
{
    /* W8: a static route for the endpoint via WAN2's gateway. */
    m = H_mw_new(15, true, NULL);
    wg_prefix ep = T_pfx("192.0.2.10/32");
    ck_assert_int_eq(sim_fw_route_via(m.f, &ep, "WAN2GW"), SIM_OK);
    g = H_wg_setup(m.w, m.remote, NULL, m.fw, "192.0.2.10:51820", 0, 25);
    sim_fw_start(m.f);
    T_run(m.w, 30 * SIM_S);
    ck_assert_uint_ge(H_count_udp(m.w, m.fw, SIM_DIR_OUT, "203.0.113.2", "192.0.2.10", 51820, 51820, 0, 30 * SIM_S), 1);
    ck_assert_uint_eq(H_count_udp(m.w, m.fw, SIM_DIR_OUT, "198.51.100.2", NULL, 51820, 0, 0, 30 * SIM_S), 0);
    ck_assert(H_ep_is(g.w1, g.f_peer, "203.0.113.2:51820"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_multiwan");
    TCase *t = tcase_create("e2e_multiwan");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, e2e_multiwan_answers_on_wan2);
    tcase_add_test(t, e2e_multiwan_initiates_by_default_route);
    tcase_add_test(t, e2e_multiwan_static_route_via_wan2);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
