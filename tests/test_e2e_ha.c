/*
 * test_e2e_ha.c — end-to-end: a CARP pair with WireGuard and a remote peer
 * whose endpoint is the VIP (DESIGN.md example topology).
 *  - power-off of the MASTER: fw2 takes the VIP and the tunnel recovers
 *    through it; fw2 never answers from its own address (C5);
 *  - maintenance mode on the MASTER while it sends data: its WireGuard
 *    timers clear the learned VIP source, it re-initiates from its
 *    interface address and the remote roams to it (C4).
 * Nothing here tells a model what to do: the outcome comes from CARP, the
 * stack's source rules and WireGuard's own timers.
 */
#include "test_e2e_topo.h"

#include <string.h>

static H_ha h;
static H_wg g;

static void setup(void)
{
    h = H_ha_new(7, true);
    g = H_wg_setup(h.w, h.fw1, h.fw2, h.remote, "198.51.100.1:51820", 0, 25);
    H_ha_start(&h);
}

static void teardown(void) { sim_world_free(h.w); }

static bool reason_pred(const sim_trace_rec *r, const void *arg)
{
    const wg_ip *src = arg;
    return r->proto == SIM_IPPROTO_UDP && r->sport == 51820 && wg_ip_eq(&r->src, src) && r->reason != NULL &&
           r->reason->kind == SIM_SRC_ROUTE;
}

/* The first datagram fw1 sent from its interface address after the VIP:
 * a handshake initiation whose source a WireGuard timer had cleared. */
static bool first_from_iface(const sim_trace_rec *r, const void *arg)
{
    const wg_ip *src = arg;
    return r->proto == SIM_IPPROTO_UDP && r->sport == 51820 && wg_ip_eq(&r->src, src) && r->reason != NULL;
}

START_TEST(e2e_power_off_failover_tunnel_recovers)
{
    sim_ping_config pc = {.dst = T_ip("10.99.0.1"), .start = 5 * SIM_S, .interval = SIM_S};
    sim_ping *p = sim_ping_start(h.remote, &pc);
    ck_assert_ptr_nonnull(p);
    T_run(h.w, 30 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 15 * SIM_S, 30 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 15);
    ck_assert_uint_eq(st.received, 15);
    /* fw1 (MASTER) answered from the VIP the remote contacted (C1) */
    ck_assert_uint_ge(H_count_udp(h.w, h.fw1, SIM_DIR_OUT, "198.51.100.1", "192.0.2.10", 51820, 51820, 0, 30 * SIM_S), 10);
    ck_assert_uint_eq(H_count_udp(h.w, h.fw1, SIM_DIR_OUT, "198.51.100.2", NULL, 51820, 0, 0, 30 * SIM_S), 0);

    sim_node_set_power(h.fw1, false);
    T_run(h.w, 90 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    /* the remote's new-handshake timer re-initiates to the VIP, fw2 answers */
    sim_ping_stats_between(p, 60 * SIM_S, 90 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 30);
    ck_assert_uint_eq(st.received, 30);
    ck_assert_uint_ge(H_count_udp(h.w, h.fw2, SIM_DIR_OUT, "198.51.100.1", "192.0.2.10", 51820, 51820, 30 * SIM_S,
                                  90 * SIM_S), 10);
    /* no unexpected responses from an interface address (C5) */
    ck_assert_uint_eq(H_count_udp(h.w, h.fw2, SIM_DIR_OUT, "198.51.100.3", NULL, 51820, 0, 0, 90 * SIM_S), 0);
    ck_assert(H_ep_is(g.wr, g.r_peer, "198.51.100.1:51820"));
    /* the outage lasted less than the new-handshake timeout plus failover */
    sim_ping_stats_between(p, 50 * SIM_S, 60 * SIM_S, &st);
    ck_assert_uint_eq(st.received, st.sent);
}
END_TEST

START_TEST(e2e_maintenance_roams_remote_to_interface_address)
{
    /* fw1 sends data into the tunnel (a ping to the remote's tunnel address). */
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = 10 * SIM_S, .interval = SIM_S};
    sim_ping *p = sim_ping_start(h.fw1, &pc);
    ck_assert_ptr_nonnull(p);
    T_run(h.w, 30 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 15 * SIM_S, 30 * SIM_S, &st);
    ck_assert_uint_eq(st.received, st.sent);
    ck_assert(H_ep_is(g.wr, g.r_peer, "198.51.100.1:51820"));

    ck_assert_int_eq(sim_fw_maintenance(h.f1, true), SIM_OK);
    T_run(h.w, 35 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_BACKUP);
    /* the BACKUP keeps sending from the VIP (still configured), answers go
     * to fw2: nothing authenticated comes back to fw1 */
    ck_assert_uint_ge(H_count_udp(h.w, h.fw1, SIM_DIR_OUT, "198.51.100.1", "192.0.2.10", 51820, 51820, 32 * SIM_S,
                                  35 * SIM_S), 2);
    T_run(h.w, 120 * SIM_S);
    /* fw1's new-handshake timer cleared the source; its next initiation
     * took the kernel's choice, the interface address (C4) */
    ck_assert_uint_ge(H_count_udp(h.w, h.fw1, SIM_DIR_OUT, "198.51.100.2", "192.0.2.10", 51820, 51820, 30 * SIM_S,
                                  120 * SIM_S), 1);
    wg_ip a2 = T_ip("198.51.100.2");
    ck_assert_uint_ge(T_count(h.w, sim_node_id(h.fw1), SIM_DIR_OUT, reason_pred, &a2), 1);
    /* ... through its own timers: the first such datagram is an initiation
     * sent after a handshake timer cleared the learned source */
    sim_trace_rec first_v;
    const sim_trace_rec *first = NULL;
    for (size_t i = 0; i < sim_trace_count(h.w) && !first; i++) {
        sim_trace_get(h.w, i, &first_v);
        if (first_v.node == sim_node_id(h.fw1) && first_v.dir == SIM_DIR_OUT && first_from_iface(&first_v, &a2))
            first = &first_v;
    }
    ck_assert_ptr_nonnull(first);
    ck_assert_int_eq(first->wg_type, WG_MSG_INITIATION);
    ck_assert_int_eq(first->reason->wg, WG_SRC_CLEARED_BY_TIMER);
    ck_assert_int_eq(first->reason->kind, SIM_SRC_ROUTE);
    ck_assert_ptr_nonnull(strstr(T_reason(h.w, first), "dev wan"));
    /* the remote roamed to fw1's interface address and talks to it, not to
     * the MASTER */
    ck_assert(H_ep_is(g.wr, g.r_peer, "198.51.100.2:51820"));
    ck_assert_uint_ge(H_count_udp(h.w, h.remote, SIM_DIR_OUT, "192.0.2.10", "198.51.100.2", 51820, 51820, 60 * SIM_S,
                                  120 * SIM_S), 10);
    sim_ping_stats_between(p, 90 * SIM_S, 120 * SIM_S, &st);
    ck_assert_uint_eq(st.received, st.sent);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_ha");
    TCase *t = tcase_create("e2e_ha");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, e2e_power_off_failover_tunnel_recovers);
    tcase_add_test(t, e2e_maintenance_roams_remote_to_interface_address);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
