/*
 * test_net_ttl.c — forwarding decrements TTL; a packet whose TTL would
 * reach zero is dropped with ICMP time exceeded to its source, sourced
 * from the router's address on the route back (icmp_reflect), quoting the
 * original header; no route and ARP failure on a router give ICMP host
 * unreachable.
 */
#include "net_topo.h"

static bool fwd_udp_on(const sim_trace_rec *r, const void *arg)
{
    (void)arg;
    return r->proto == SIM_IPPROTO_UDP;
}

START_TEST(test_ttl_decrement_and_expiry)
{
    T_chain c = T_chain_new(31, SIM_MS);
    T_run(c.w, SIM_S);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(c.a, T_on_icmp, &icmp);
    T_rx rx = {0};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 3333, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 4444, T_on_udp, &rx, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.2.10");
    /* TTL 3 arrives with 1. */
    sim_udp_send_opts o = {.ttl = 3};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 4444, (const uint8_t *)"t3", 2), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_int_eq(rx.last.ttl, 1);
    /* TTL 2: r2 receives it with 1 and cannot forward it. */
    o.ttl = 2;
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 4444, (const uint8_t *)"t2", 2), SIM_OK);
    T_run(c.w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_uint_eq(sim_node_drops(c.r2, SIM_DROP_TTL_EXCEEDED), 1);
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_TIME_EXCEEDED);
    ck_assert_int_eq(icmp.last.icmp_code, 0);
    wg_ip r2core = T_ip("172.16.0.2");
    ck_assert(wg_ip_eq(&icmp.last.src, &r2core));
    /* The quoted header is the original as r2 received it (TTL 1, to b). */
    ck_assert_uint_ge(icmp.quoted_len, 28);
    ck_assert_int_eq(icmp.quoted[8], 1);
    ck_assert_int_eq(icmp.quoted[9], SIM_IPPROTO_UDP);
    ck_assert_mem_eq(icmp.quoted + 16, bip.b, 4);
    ck_assert_int_eq(icmp.quoted[22], 4444 >> 8); /* UDP dst port in the 8 quoted bytes */
    /* TTL 1: r1 answers. */
    o.ttl = 1;
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 4444, (const uint8_t *)"t1", 2), SIM_OK);
    T_run(c.w, 4 * SIM_S);
    ck_assert_int_eq(icmp.n, 2);
    wg_ip r1lan = T_ip("10.0.1.1");
    ck_assert(wg_ip_eq(&icmp.last.src, &r1lan));
    /* In the trace, each router's copy of the first datagram has one less TTL. */
    uint8_t seen[3] = {0};
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        sim_trace_rec r_v; sim_trace_get(c.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->dir == SIM_DIR_OUT && fwd_udp_on(r, NULL) && r->ttl == 3 && r->node == sim_node_id(c.a))
            seen[0] = 1;
        if (r->dir == SIM_DIR_OUT && fwd_udp_on(r, NULL) && r->ttl == 2 && r->node == sim_node_id(c.r1))
            seen[1] = 1;
        if (r->dir == SIM_DIR_OUT && fwd_udp_on(r, NULL) && r->ttl == 1 && r->node == sim_node_id(c.r2)) {
            seen[2] = 1;
            /* Forwarded packets keep the sender's source reason. */
            ck_assert(r->reason != NULL);
            ck_assert_int_eq(r->reason->kind, SIM_SRC_ROUTE);
            ck_assert_int_eq(r->origin_node, sim_node_id(c.a));
        }
    }
    ck_assert(seen[0] && seen[1] && seen[2]);
    sim_world_free(c.w);
}
END_TEST

START_TEST(test_no_route_and_host_forwarding_off)
{
    T_chain c = T_chain_new(32, SIM_MS);
    wg_prefix def = T_pfx("0.0.0.0/0");
    ck_assert_int_eq(sim_route_del(c.r2, &def), SIM_OK);
    T_run(c.w, SIM_S);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(c.b, T_on_icmp, &icmp);
    /* b pings beyond r2, which has no route: FreeBSD's ip_forward answers
     * host unreachable (not net unreachable) from r2. */
    wg_ip far = T_ip("8.8.8.8");
    ck_assert_int_eq(sim_icmp_echo(c.b, &far, 1, 1, 8, NULL), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_UNREACH);
    ck_assert_int_eq(icmp.last.icmp_code, SIM_ICMP_UNREACH_HOST);
    ck_assert_mem_eq(icmp.quoted + 16, far.b, 4);
    ck_assert_uint_eq(sim_node_drops(c.r2, SIM_DROP_NO_ROUTE), 1);
    /* A host does not forward. */
    sim_node_set_forwarding(c.r1, false);
    wg_ip bip = T_ip("10.0.2.10");
    ck_assert_int_eq(sim_icmp_echo(c.a, &bip, 1, 1, 8, NULL), SIM_OK);
    T_run(c.w, 3 * SIM_S);
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_NOT_FORWARDING), 1);
    sim_world_free(c.w);
}
END_TEST

/* A router whose ARP gives up on the next hop (maxtries requests
 * unanswered) answers the packets it is still asked to forward with ICMP
 * host unreachable (FreeBSD: arpresolve_full returns EHOSTDOWN on-link,
 * ip_forward turns ip_output's error into ICMP_UNREACH_HOST), quoting the
 * packet as it received it. */
START_TEST(test_arp_failure_host_unreachable)
{
    T_chain c = T_chain_new(33, SIM_MS);
    T_run(c.w, SIM_S);
    sim_node_set_power(c.b, false);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(c.a, T_on_icmp, &icmp);
    sim_ping_config pc = {.dst = T_ip("10.0.2.10"), .start = 2 * SIM_S, .interval = SIM_S, .count = 8};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 12 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 12 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 8);
    ck_assert_uint_eq(st.received, 0);
    /* Echoes 1-5 are held while r2 asks (maxtries = 5); 6, 7, 8 get an answer. */
    ck_assert_int_eq(icmp.n, 3);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_UNREACH);
    ck_assert_int_eq(icmp.last.icmp_code, SIM_ICMP_UNREACH_HOST);
    wg_ip r2core = T_ip("172.16.0.2"), bip = T_ip("10.0.2.10");
    ck_assert(wg_ip_eq(&icmp.last.src, &r2core));
    ck_assert_uint_ge(icmp.quoted_len, 28);
    ck_assert_int_eq(icmp.quoted[8], 63); /* TTL as r2 received it, before its decrement */
    ck_assert_mem_eq(icmp.quoted + 16, bip.b, 4);
    ck_assert_int_eq(icmp.quoted[20], SIM_ICMP_ECHO);
    sim_world_free(c.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_ttl");
    TCase *tc = tcase_create("ttl");
    tcase_add_test(tc, test_ttl_decrement_and_expiry);
    tcase_add_test(tc, test_no_route_and_host_forwarding_off);
    tcase_add_test(tc, test_arp_failure_host_unreachable);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
