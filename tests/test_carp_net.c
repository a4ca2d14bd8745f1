/*
 * test_carp_net.c — CARP on the simulated network: advertisements as real
 * IP protocol 112 packets, election, power-off failover timing, reboot
 * through INIT, maintenance mode and its reversal, link-loss demotion.
 */
#include "test_e2e_topo.h"

#include <stdio.h>

static H_ha h;

static void setup(void)
{
    h = H_ha_new(5, false);
    H_ha_start(&h);
}

static void teardown(void) { sim_world_free(h.w); }

static bool ad_pred(const sim_trace_rec *r, const void *arg)
{
    (void)arg;
    return r->proto == 112;
}

/* Time at which node n's vhid 1 became MASTER (from the event log), after t0. */
static sim_time master_since(sim_node *n, sim_time t0)
{
    char needle[64];
    snprintf(needle, sizeof needle, "%s/wan vhid 1 backup -> master", sim_node_name(n));
    for (size_t i = 0; i < sim_event_count(h.w); i++) {
        const sim_event_rec *e = sim_event_at(h.w, i);
        if (e->t >= t0 && strstr(e->text, needle))
            return e->t;
    }
    return -1;
}

START_TEST(carp_adverts_are_packets)
{
    T_run(h.w, 10 * SIM_S + 500 * SIM_MS);
    static const sim_mac vmac = {{0x00, 0x00, 0x5e, 0x00, 0x01, 0x01}};
    wg_ip grp = T_ip("224.0.0.18"), src = T_ip("198.51.100.2");
    size_t n1 = 0;
    sim_time prev = -1;
    for (size_t i = 0; i < sim_trace_count(h.w); i++) {
        sim_trace_rec r_v; sim_trace_get(h.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->proto != 112 || r->dir != SIM_DIR_OUT)
            continue;
        ck_assert_int_eq(r->node, sim_node_id(h.fw1)); /* the BACKUP sends none */
        ck_assert(wg_ip_eq(&r->dst, &grp));
        ck_assert(wg_ip_eq(&r->src, &src));
        ck_assert_uint_eq(r->ttl, 255);
        ck_assert(sim_mac_eq(&r->eth_src, &vmac));
        ck_assert_uint_eq(r->frame_len, 14 + 20 + 36);
        if (prev >= 0)
            ck_assert_int_eq(r->t - prev, SIM_S); /* advbase 1, skew 0 */
        prev = r->t;
        n1++;
    }
    ck_assert_uint_eq(n1, 8); /* 3 s .. 10 s */
    sim_fw_carp_info ci;
    ck_assert(sim_fw_carp_info_get(h.f2, "wan", 1, &ci));
    ck_assert_uint_eq(ci.ads_received, 8);
    ck_assert_int_eq(ci.state, SIM_CARP_BACKUP);
    ck_assert_uint_eq(ci.advskew, 100);
}
END_TEST

/* CARP state changes and power events carry their fields (sim_ev_state),
 * the same as their text says; no other event has any. */
START_TEST(carp_and_power_events_carry_fields)
{
    T_run(h.w, 20 * SIM_S);
    sim_node_set_power(h.fw1, false);
    T_run(h.w, 25 * SIM_S);
    sim_node_set_power(h.fw1, true);
    T_run(h.w, 30 * SIM_S);
    size_t carp = 0, power = 0;
    bool fw2_master = false;
    for (size_t i = 0; i < sim_event_count(h.w); i++) {
        const sim_event_rec *e = sim_event_at(h.w, i);
        char want[160];
        switch (e->state.kind) {
        case SIM_EVS_CARP: {
            ck_assert_str_eq(e->model, "carp");
            ck_assert_uint_eq(e->state.vhid, 1);
            const sim_node *n = e->node == sim_node_id(h.fw1) ? h.fw1 : h.fw2;
            snprintf(want, sizeof want, "%s/%s vhid 1 %s -> %s (", sim_node_name(n),
                     sim_iface_name(sim_node_iface_by_index(n, e->ifindex)),
                     sim_carp_state_name((sim_carp_state)e->state.from), sim_carp_state_name((sim_carp_state)e->state.to));
            ck_assert_msg(!strncmp(e->text, want, strlen(want)), "'%s' is not '%s...'", e->text, want);
            fw2_master |= n == h.fw2 && e->state.from == SIM_CARP_BACKUP && e->state.to == SIM_CARP_MASTER;
            carp++;
            break;
        }
        case SIM_EVS_POWER:
            ck_assert_int_eq(e->kind, SIM_EV_POWER);
            ck_assert_int_eq(e->state.from, !e->state.to);
            snprintf(want, sizeof want, "fw1 powered %s", e->state.to ? "on" : "off");
            ck_assert_str_eq(e->text, want);
            power++;
            break;
        case SIM_EVS_GATEWAY: ck_abort_msg("no gateway in this world: %s", e->text); break;
        case SIM_EVS_NONE:
            ck_assert_ptr_null(strstr(e->text, " -> ")); /* a state change without its fields */
            ck_assert_int_ne(e->kind, SIM_EV_POWER);
            break;
        }
    }
    ck_assert(fw2_master);
    ck_assert_uint_ge(carp, 4); /* both to BACKUP at 3 s, fw1 to MASTER, fw2 to MASTER after the power-off, ... */
    ck_assert_uint_eq(power, 2);
}
END_TEST

START_TEST(carp_power_off_failover_on_wire)
{
    /* 2.39..3.39 s after the power-off (advbase 1, skew 100), plus the
     * 1 ms segment delay of the last advert. */
    const sim_time offs[] = {0, 300 * SIM_MS, 999 * SIM_MS};
    sim_time t_off = 20 * SIM_S + offs[_i];
    T_run(h.w, t_off);
    sim_node_set_power(h.fw1, false);
    T_run(h.w, t_off + 5 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    sim_time m = master_since(h.fw2, t_off);
    sim_time last_ad = (t_off / SIM_S) * SIM_S;
    ck_assert_int_eq(m, last_ad + SIM_MS + 3 * SIM_S + 100 * (SIM_S / 256));
    ck_assert(m - t_off >= 2390 * SIM_MS && m - t_off <= 3392 * SIM_MS);
}
END_TEST

START_TEST(carp_reboot_through_init_preempts)
{
    T_run(h.w, 20 * SIM_S);
    sim_node_set_power(h.fw1, false);
    T_run(h.w, 30 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_INIT);
    sim_node_set_power(h.fw1, true);
    /* INIT -> BACKUP at once: never MASTER at boot */
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_BACKUP);
    T_run(h.w, 32 * SIM_S);
    /* fw2's next advert (skew 100) makes fw1 preempt */
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_BACKUP);
    sim_time m = master_since(h.fw1, 30 * SIM_S);
    ck_assert(m > 30 * SIM_S && m < 31500 * SIM_MS);
}
END_TEST

START_TEST(carp_maintenance_and_reversal_on_wire)
{
    T_run(h.w, 10 * SIM_S + 500 * SIM_MS);
    ck_assert_int_eq(sim_fw_maintenance(h.f1, true), SIM_OK);
    ck_assert(sim_fw_maintenance_on(h.f1));
    T_run(h.w, 12 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_BACKUP);
    sim_fw_carp_info ci;
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_uint_eq(ci.advskew, 254);
    ck_assert_uint_eq(ci.advertised_skew, 240);
    /* fw2 took over on fw1's first advert with skew 240 (at 11 s) */
    ck_assert_int_eq(master_since(h.fw2, 0), 11 * SIM_S + SIM_MS);
    T_run(h.w, 60 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_BACKUP);
    /* maintenance survives a reboot (persistent config flag) */
    sim_node_set_power(h.fw1, false);
    sim_node_set_power(h.fw1, true);
    T_run(h.w, 70 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_BACKUP);
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_uint_eq(ci.advskew, 254);
    /* off: fw1 preempts on fw2's next advert */
    ck_assert_int_eq(sim_fw_maintenance(h.f1, false), SIM_OK);
    T_run(h.w, 72 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_BACKUP);
}
END_TEST

START_TEST(carp_link_down_demotes)
{
    T_run(h.w, 10 * SIM_S);
    sim_iface_set_link(sim_node_iface(h.fw1, "wan"), false);
    sim_fw_carp_info ci;
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.state, SIM_CARP_INIT);
    ck_assert_int_eq(ci.demotion, 240);
    T_run(h.w, 15 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    sim_iface_set_link(sim_node_iface(h.fw1, "wan"), true);
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 0);
    ck_assert_int_eq(ci.state, SIM_CARP_BACKUP);
    T_run(h.w, 17 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert_uint_ge(T_count(h.w, sim_node_id(h.fw2), SIM_DIR_OUT, ad_pred, NULL), 1);
}
END_TEST

START_TEST(carp_vip_route_follows_master)
{
    /* A VIP outside the interface's own networks: the MASTER installs its
     * prefix route (carp_addroute -> in_addprefix), MASTER -> BACKUP removes it;
     * the address itself stays on both. */
    H_ha x = H_ha_subnet_vip(6);
    wg_prefix p = T_pfx("203.0.113.0/24");
    const sim_route *r1 = sim_node_route_find(x.fw1, &p);
    ck_assert_ptr_nonnull(r1);
    ck_assert_int_eq(r1->origin, SIM_RT_CARP);
    ck_assert_ptr_null(sim_node_route_find(x.fw2, &p));
    wg_ip vip = T_ip("203.0.113.1");
    ck_assert_ptr_nonnull(sim_node_find_addr(x.fw2, &vip, NULL));
    ck_assert_int_eq(sim_fw_maintenance(x.f1, true), SIM_OK);
    T_run(x.w, 8 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_BACKUP);
    ck_assert_ptr_null(sim_node_route_find(x.fw1, &p));
    ck_assert_ptr_nonnull(sim_node_route_find(x.fw2, &p));
    ck_assert_ptr_nonnull(sim_node_find_addr(x.fw1, &vip, NULL));
    sim_world_free(x.w);
}
END_TEST

START_TEST(carp_master_to_init_keeps_vip_route)
{
    /* FreeBSD removes a CARP address's routes only on MASTER -> BACKUP
     * (carp_input_c, SIOCSVH: carp_delroute); carp_sc_state takes a MASTER
     * to INIT (link down) and INIT -> BACKUP (link up) without touching
     * them, so the route stays through INIT and the BACKUP that follows,
     * and the address it gives unbound sends stays the VIP. Deleting the
     * address (carp-disable) takes its route with it (in_scrubprefix). */
    H_ha x = H_ha_subnet_vip(7);
    wg_prefix p = T_pfx("203.0.113.0/24");
    wg_ip vip = T_ip("203.0.113.1"), dst = T_ip("203.0.113.50");
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_MASTER);
    sim_iface_set_link(sim_node_iface(x.fw1, "wan"), false);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_INIT);
    const sim_route *r = sim_node_route_find(x.fw1, &p);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->origin, SIM_RT_CARP);
    sim_route_result rr;
    ck_assert(sim_fib_lookup(x.fw1, &dst, &rr));
    ck_assert(wg_ip_eq(&rr.src, &vip));
    T_run(x.w, 15 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(x.f2, 2), SIM_CARP_MASTER);
    ck_assert_ptr_nonnull(sim_node_route_find(x.fw2, &p));
    /* link back: INIT -> BACKUP keeps the stale routes; with the loopback
     * host route among them, fw1's own packet to the VIP stays on fw1
     * instead of going to the MASTER */
    H_ha_udp u;
    H_ha_bind_udp(&x, &u);
    sim_iface_set_link(sim_node_iface(x.fw1, "wan"), true);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_BACKUP);
    ck_assert_ptr_nonnull(sim_node_route_find(x.fw1, &p));
    sim_udp_send_opts so = {0};
    uint8_t data[4] = "x";
    ck_assert_int_eq(sim_udp_sendto(u.s_fw1, &so, &vip, 7000, data, sizeof data), SIM_OK);
    T_run(x.w, 15 * SIM_S + 10 * SIM_MS);
    ck_assert_int_eq(u.rx_fw1.n, 1);
    ck_assert_int_eq(u.rx_fw2.n, 0);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_BACKUP);
    /* fw1 preempts; fw2 goes MASTER -> BACKUP and deletes its route */
    T_run(x.w, 17 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(x.f2, 2), SIM_CARP_BACKUP);
    ck_assert_ptr_null(sim_node_route_find(x.fw2, &p));
    /* a BACKUP that came from MASTER through an advertisement has no
     * loopback route: its packet to the VIP leaves (here by its default
     * route, the VIP's prefix being routed nowhere else) */
    ck_assert_int_eq(sim_udp_sendto(u.s_fw2, &so, &vip, 7000, data, sizeof data), SIM_OK);
    T_run(x.w, 17 * SIM_S + 10 * SIM_MS);
    ck_assert_int_eq(u.rx_fw2.n, 0);
    ck_assert_uint_eq(H_count_udp(x.w, x.fw2, SIM_DIR_OUT, NULL, "203.0.113.1", 0, 7000, 17 * SIM_S, 18 * SIM_S), 1);
    /* carp-disable: allow=0 sends the MASTER to INIT, the VIPs are deleted
     * and their routes with them */
    ck_assert_int_eq(sim_fw_carp_enable(x.f1, false), SIM_OK);
    ck_assert_ptr_null(sim_node_route_find(x.fw1, &p));
    ck_assert_ptr_null(sim_node_find_addr(x.fw1, &vip, NULL));
    sim_world_free(x.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("carp_net");
    TCase *t = tcase_create("carp_net");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, carp_adverts_are_packets);
    tcase_add_test(t, carp_and_power_events_carry_fields);
    tcase_add_loop_test(t, carp_power_off_failover_on_wire, 0, 3);
    tcase_add_test(t, carp_reboot_through_init_preempts);
    tcase_add_test(t, carp_maintenance_and_reversal_on_wire);
    tcase_add_test(t, carp_link_down_demotes);
    tcase_add_test(t, carp_vip_route_follows_master);
    tcase_add_test(t, carp_master_to_init_keeps_vip_route);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
