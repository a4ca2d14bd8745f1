/*
 * test_net_wg.c — a WireGuard device hosted on each of two hosts separated
 * by two routers: a ping through the tunnel gets every answer, the
 * handshake and transport messages are on the wire with the right sources
 * and reasons, the responder learns its peer's endpoint, the timers run on
 * the engine, events and keys reach the world's logs, a reboot restarts
 * the device from its configuration.
 */
#include "net_topo.h"

static bool wg_of(const sim_trace_rec *r, const void *arg)
{
    return r->wg_type == *(const enum wg_msg_type *)arg;
}

START_TEST(test_wireguard_ping_across_routers)
{
    T_chain c = T_chain_new(81, 5 * SIM_MS);
    T_wgpair wp = T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    /* wg-quick style routes to the tunnel. */
    const sim_route *rt = sim_node_route_find(c.a, &(wg_prefix){.ip = T_ip("10.99.0.2"), .len = 32});
    ck_assert_ptr_nonnull(rt);
    ck_assert_int_eq(rt->origin, SIM_RT_TUNNEL);
    ck_assert_uint_eq(rt->ifindex, sim_iface_index(sim_wg_iface(wp.wa)));
    ck_assert_ptr_eq(sim_node_wg(c.a, "wg0"), wp.wa);
    T_run(c.w, SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = 2 * SIM_S, .interval = SIM_S, .count = 20};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 25 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 25 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 20);
    ck_assert_uint_eq(st.received, 20);
    ck_assert_int_eq(st.rtt_min, 30 * SIM_MS);
    /* One handshake; a initiated it from its route's address. */
    enum wg_msg_type init = WG_MSG_INITIATION, resp = WG_MSG_RESPONSE, data = WG_MSG_TRANSPORT;
    ck_assert_uint_eq(T_count(c.w, sim_node_id(c.a), SIM_DIR_OUT, wg_of, &init), 1);
    ck_assert_uint_eq(T_count(c.w, sim_node_id(c.b), SIM_DIR_OUT, wg_of, &resp), 1);
    ck_assert_uint_ge(T_count(c.w, sim_node_id(c.a), SIM_DIR_OUT, wg_of, &data), 20);
    ck_assert_uint_ge(T_count(c.w, sim_node_id(c.b), SIM_DIR_OUT, wg_of, &data), 20);
    wg_ip aip = T_ip("10.0.1.10"), bip = T_ip("10.0.2.10");
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        const sim_trace_rec *r = sim_trace_at(c.w, i);
        if (r->dir != SIM_DIR_OUT || r->wg_type == WG_MSG_NONE)
            continue;
        ck_assert(r->has_reason);
        ck_assert_uint_eq(r->sport, 51820);
        if (r->node == sim_node_id(c.a) && r->wg_type == WG_MSG_INITIATION) {
            ck_assert(wg_ip_eq(&r->src, &aip));
            ck_assert_int_eq(r->reason.kind, SIM_SRC_ROUTE); /* no learned source yet */
            ck_assert_str_eq(r->reason.route, "0.0.0.0/0 via 10.0.1.1 dev eth0 (static)");
        }
        if (r->node == sim_node_id(c.b) && r->wg_type == WG_MSG_RESPONSE) {
            ck_assert(wg_ip_eq(&r->src, &bip));
            ck_assert_int_eq(r->reason.kind, SIM_SRC_EXPLICIT); /* the learned local address */
            ck_assert_int_eq(r->reason.wg, WG_SRC_LEARNED);
        }
    }
    /* The inner echo crossed the tunnel interfaces. */
    bool inner = false;
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        const sim_trace_rec *r = sim_trace_at(c.w, i);
        if (r->node == sim_node_id(c.b) && r->ifindex == sim_iface_index(sim_wg_iface(wp.wb)) &&
            r->dir == SIM_DIR_IN && r->proto == SIM_IPPROTO_ICMP && r->icmp_type == SIM_ICMP_ECHO)
            inner = true;
    }
    ck_assert(inner);
    /* b learned a's endpoint from the authenticated initiation. */
    wg_peer_info pi;
    ck_assert(wg_device_peer_info(sim_wg_device(wp.wb), wp.peer_a, &pi));
    ck_assert(pi.has_endpoint);
    ck_assert(wg_ip_eq(&pi.endpoint.ip, &aip));
    ck_assert_uint_eq(pi.endpoint.port, 51820);
    ck_assert(wg_ip_eq(&pi.learned_source.addr, &bip));
    ck_assert_uint_eq(pi.handshakes, 1);
    /* Events and keys were logged. */
    size_t hs = 0;
    for (size_t i = 0; i < sim_event_count(c.w); i++) {
        const sim_event_rec *e = sim_event_at(c.w, i);
        if (e->kind == SIM_EV_WG && e->wg.kind == WG_EV_HANDSHAKE_COMPLETE)
            hs++;
    }
    ck_assert_uint_eq(hs, 2);
    size_t kl;
    const char *keys = sim_world_keylog(c.w, &kl);
    ck_assert_uint_gt(kl, 0);
    ck_assert_ptr_nonnull(strstr(keys, "LOCAL_STATIC_PRIVATE_KEY = "));
    ck_assert_ptr_nonnull(strstr(keys, "LOCAL_EPHEMERAL_PRIVATE_KEY = "));
    /* Timers run on the engine: after the pings stop, the keepalive timer
     * of the receiving side sends one keepalive; after REJECT_AFTER_TIME*3
     * keys are zeroed. */
    T_run(c.w, 25 * SIM_S + 10 * 60 * SIM_S);
    size_t zeroed = 0, keepalives = 0;
    for (size_t i = 0; i < sim_event_count(c.w); i++) {
        const sim_event_rec *e = sim_event_at(c.w, i);
        if (e->kind == SIM_EV_WG && e->wg.kind == WG_EV_KEYS_ZEROED)
            zeroed++;
        if (e->kind == SIM_EV_WG && e->wg.kind == WG_EV_KEEPALIVE_SENT)
            keepalives++;
    }
    ck_assert_uint_ge(zeroed, 1);
    ck_assert_uint_ge(keepalives, 1);
    sim_world_free(c.w);
}
END_TEST

START_TEST(test_reboot_forgets_learned_endpoint)
{
    T_chain c = T_chain_new(82, 5 * SIM_MS);
    T_wgpair wp = T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    T_run(c.w, SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .interval = SIM_S, .count = 3};
    sim_ping_start(c.a, &pc);
    T_run(c.w, 5 * SIM_S);
    wg_peer_info pi;
    ck_assert(wg_device_peer_info(sim_wg_device(wp.wb), wp.peer_a, &pi));
    ck_assert(pi.has_endpoint);
    sim_node_set_power(c.b, false);
    sim_node_set_power(c.b, true);
    ck_assert(wg_device_peer_info(sim_wg_device(wp.wb), wp.peer_a, &pi));
    ck_assert(!pi.has_endpoint);
    ck_assert_uint_eq(pi.handshakes, 0);
    /* a's side recovers by itself: a new ping triggers data that b cannot
     * decrypt; a's new-handshake timer re-initiates and the tunnel works. */
    sim_ping_config pc2 = {.dst = T_ip("10.99.0.2"), .interval = SIM_S, .count = 40};
    sim_ping *p2 = sim_ping_start(c.a, &pc2);
    T_run(c.w, 60 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p2, 30 * SIM_S, 50 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 15);
    ck_assert_uint_eq(st.received, 15);
    sim_world_free(c.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_wg");
    TCase *tc = tcase_create("wg");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_wireguard_ping_across_routers);
    tcase_add_test(tc, test_reboot_forgets_learned_endpoint);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
