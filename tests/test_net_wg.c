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
        sim_trace_rec r_v; sim_trace_get(c.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->dir != SIM_DIR_OUT || r->wg_type == WG_MSG_NONE)
            continue;
        ck_assert(r->reason != NULL);
        ck_assert_uint_eq(r->sport, 51820);
        if (r->node == sim_node_id(c.a) && r->wg_type == WG_MSG_INITIATION) {
            ck_assert(wg_ip_eq(&r->src, &aip));
            ck_assert_int_eq(r->reason->kind, SIM_SRC_ROUTE); /* no learned source yet */
            ck_assert_msg(strstr(T_reason(c.w, r), "0.0.0.0/0 via 10.0.1.1 dev eth0 (static)"), "%s", T_reason(c.w, r));
        }
        if (r->node == sim_node_id(c.b) && r->wg_type == WG_MSG_RESPONSE) {
            ck_assert(wg_ip_eq(&r->src, &bip));
            ck_assert_int_eq(r->reason->kind, SIM_SRC_EXPLICIT); /* the learned local address */
            ck_assert_int_eq(r->reason->wg, WG_SRC_LEARNED);
        }
    }
    /* The inner echo crossed the tunnel interfaces. */
    bool inner = false;
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        sim_trace_rec r_v; sim_trace_get(c.w, i, &r_v); const sim_trace_rec *r = &r_v;
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


/* Two-WAN responder (wg-sourcing.md, wireguard-go observation): remote
 * contacts fw's wan2 address; fw answers from that address. */
typedef struct twowan {
    sim_world *w;
    sim_node *fw, *isp, *remote;
    sim_iface *wan1, *wan2;
    sim_wg *wfw, *wrem;
} twowan;

static twowan two_wan(uint64_t seed, wg_platform fw_platform)
{
    twowan t;
    t.w = T_world(seed);
    sim_segment *s1 = T_seg(t.w, "wan1", SIM_MS), *s2 = T_seg(t.w, "wan2", SIM_MS), *net = T_seg(t.w, "net", 5 * SIM_MS);
    t.fw = sim_node_new(t.w, "fw", SIM_NODE_FIREWALL, fw_platform);
    t.wan1 = T_if(t.fw, "wan1", s1, "198.51.100.10/24");
    t.wan2 = T_if(t.fw, "wan2", s2, "203.0.113.10/24");
    T_route(t.fw, "0.0.0.0/0", "198.51.100.1");
    t.isp = T_node(t.w, "isp", SIM_NODE_ROUTER);
    T_if(t.isp, "wan1", s1, "198.51.100.1/24");
    T_if(t.isp, "wan2", s2, "203.0.113.1/24");
    T_if(t.isp, "net", net, "192.0.2.1/24");
    t.remote = T_node(t.w, "remote", SIM_NODE_HOST);
    T_if(t.remote, "eth0", net, "192.0.2.30/24");
    T_route(t.remote, "0.0.0.0/0", "192.0.2.1");
    /* remote = "a" side (knows the endpoint: wan2's address), fw = "b". */
    T_wgpair wp = T_wg_pair(t.w, t.remote, t.fw, "203.0.113.10:51820");
    t.wrem = wp.wa;
    t.wfw = wp.wb;
    return t;
}

static bool who_has_remote_on_wan2(const sim_trace_rec *r, const void *arg)
{
    const twowan *t = arg;
    wg_ip tgt = T_ip("192.0.2.30"), snd = T_ip("203.0.113.10");
    return r->arp_op == 1 && r->ifindex == sim_iface_index(t->wan2) && wg_ip_eq(&r->arp_target, &tgt) &&
           wg_ip_eq(&r->arp_sender, &snd);
}

START_TEST(test_wireguard_go_forced_interface_without_route)
{
    twowan t = two_wan(83, WG_PLATFORM_WIREGUARD_GO);
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 30};
    sim_ping *p = sim_ping_start(t.remote, &pc);
    T_run(t.w, 40 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 40 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 0);
    enum wg_msg_type resp = WG_MSG_RESPONSE;
    ck_assert_uint_eq(T_count(t.w, sim_node_id(t.fw), SIM_DIR_OUT, wg_of, &resp), 0);
    ck_assert_uint_ge(T_count(t.w, sim_node_id(t.fw), SIM_DIR_OUT, who_has_remote_on_wan2, &t), 1);
    sim_world_free(t.w);
}
END_TEST

START_TEST(test_wireguard_go_forced_interface_with_route)
{
    twowan t = two_wan(84, WG_PLATFORM_WIREGUARD_GO);
    T_route(t.fw, "192.0.2.30/32", "203.0.113.1");
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 10};
    sim_ping *p = sim_ping_start(t.remote, &pc);
    T_run(t.w, 15 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 15 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 10);
    sim_world_free(t.w);
}
END_TEST

START_TEST(test_freebsd_replies_from_wan2_by_default_route)
{
    /* C7: contacted on WAN2, the firewall replies from WAN2's address; the
     * packet leaves by the default route (wan1) with that source. */
    twowan t = two_wan(85, WG_PLATFORM_FREEBSD);
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 10};
    sim_ping *p = sim_ping_start(t.remote, &pc);
    T_run(t.w, 15 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 15 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 10);
    wg_ip wan2ip = T_ip("203.0.113.10");
    size_t n = 0;
    for (size_t i = 0; i < sim_trace_count(t.w); i++) {
        sim_trace_rec r_v; sim_trace_get(t.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->node == sim_node_id(t.fw) && r->dir == SIM_DIR_OUT && r->wg_type != WG_MSG_NONE) {
            ck_assert(wg_ip_eq(&r->src, &wan2ip));
            ck_assert_uint_eq(r->ifindex, sim_iface_index(t.wan1));
            ck_assert_int_eq(r->reason->kind, SIM_SRC_EXPLICIT);
            n++;
        }
    }
    ck_assert_uint_ge(n, 11);
    sim_world_free(t.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_wg");
    TCase *tc = tcase_create("wg");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_wireguard_ping_across_routers);
    tcase_add_test(tc, test_reboot_forgets_learned_endpoint);
    tcase_add_test(tc, test_wireguard_go_forced_interface_without_route);
    tcase_add_test(tc, test_wireguard_go_forced_interface_with_route);
    tcase_add_test(tc, test_freebsd_replies_from_wan2_by_default_route);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
