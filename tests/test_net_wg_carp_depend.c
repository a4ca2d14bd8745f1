/*
 * test_net_wg_carp_depend.c — OPNsense's WireGuard carp_depend_on
 * (sim/pfsense/wg_carp_depend.c) on the HA pair of test_e2e_topo.h: the
 * instance is up only while the vhid is MASTER on its node, at start, across
 * a failover and a failback, with and without a check delay; the setter's
 * refusals.
 */
#include "test_e2e_topo.h"

static H_ha h;
static H_wg g;

static void setup(void)
{
    h = H_ha_new(11, true);
    /* fw keepalive 25 s: a firewall whose instance stayed up would
     * re-initiate after a failback (ha-failback-backup-keeps-tunnel) */
    g = H_wg_setup(h.w, h.fw1, h.fw2, h.remote, "198.51.100.1:51820", 25, 25);
}

static void teardown(void) { sim_world_free(h.w); }

static size_t fw2_sent(sim_time from, sim_time to)
{
    return H_count_udp(h.w, h.fw2, SIM_DIR_OUT, NULL, NULL, 51820, 0, from, to);
}

START_TEST(carp_depend_only_master_runs_the_instance)
{
    ck_assert_int_eq(sim_fw_wg_carp_depend(h.f1, g.w1, 1, 0), SIM_OK);
    ck_assert_int_eq(sim_fw_wg_carp_depend(h.f2, g.w2, 1, 0), SIM_OK);
    H_ha_start(&h);
    sim_ping_config pc = {.dst = T_ip("10.99.0.1"), .start = 5 * SIM_S, .interval = SIM_S};
    sim_ping *p = sim_ping_start(h.remote, &pc);
    ck_assert_ptr_nonnull(p);
    T_run(h.w, 10 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert(sim_wg_is_up(g.w1));
    ck_assert(!sim_wg_is_up(g.w2));
    ck_assert_uint_eq(fw2_sent(0, 10 * SIM_S), 0);

    sim_node_set_power(h.fw1, false); /* failover */
    T_run(h.w, 40 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    ck_assert(sim_wg_is_up(g.w2));
    /* fw2 took over the tunnel, from the VIP */
    ck_assert_uint_ge(H_count_udp(h.w, h.fw2, SIM_DIR_OUT, "198.51.100.1", NULL, 51820, 0, 10 * SIM_S, 40 * SIM_S), 1);
    sim_ping_stats st;
    sim_ping_stats_between(p, 35 * SIM_S, 40 * SIM_S, &st);
    ck_assert_uint_eq(st.received, st.sent);

    sim_node_set_power(h.fw1, true); /* failback: fw1 preempts */
    T_run(h.w, 120 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_BACKUP);
    ck_assert(sim_wg_is_up(g.w1));
    ck_assert(!sim_wg_is_up(g.w2));
    /* the BACKUP never re-initiates from its own address */
    ck_assert_uint_eq(H_count_udp(h.w, h.fw2, SIM_DIR_OUT, "198.51.100.3", NULL, 51820, 0, 0, 120 * SIM_S), 0);
    ck_assert_uint_eq(fw2_sent(45 * SIM_S, 120 * SIM_S), 0);
    ck_assert(H_ep_is(g.wr, g.r_peer, "198.51.100.1:51820"));
    sim_ping_stats_between(p, 100 * SIM_S, 120 * SIM_S, &st); /* through fw1 again */
    ck_assert_uint_eq(st.received, st.sent);
}
END_TEST

/* Without the option fw2's instance is up as BACKUP (the control). */
START_TEST(carp_depend_unset_backup_instance_stays_up)
{
    H_ha_start(&h);
    T_run(h.w, 10 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_BACKUP);
    ck_assert(sim_wg_is_up(g.w2));
}
END_TEST

START_TEST(carp_depend_delay_postpones_the_flag)
{
    ck_assert_int_eq(sim_fw_wg_carp_depend(h.f2, g.w2, 1, 2 * SIM_S), SIM_OK);
    H_ha_start(&h);
    T_run(h.w, 10 * SIM_S);
    ck_assert(!sim_wg_is_up(g.w2));
    sim_node_set_power(h.fw1, false);
    sim_time t = 10 * SIM_S;
    while (sim_fw_carp_state(h.f2, 1) != SIM_CARP_MASTER && t < 20 * SIM_S)
        T_run(h.w, t += SIM_MS);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    T_run(h.w, t + 1900 * SIM_MS);
    ck_assert(!sim_wg_is_up(g.w2)); /* the check has not run yet */
    T_run(h.w, t + 2100 * SIM_MS);
    ck_assert(sim_wg_is_up(g.w2));
}
END_TEST

START_TEST(carp_depend_refuses_bad_arguments)
{
    ck_assert_int_eq(sim_fw_wg_carp_depend(h.f1, g.w2, 1, 0), SIM_EINVAL); /* fw2's interface */
    ck_assert_int_eq(sim_fw_wg_carp_depend(h.f1, g.w1, 0, 0), SIM_EINVAL);
    ck_assert_int_eq(sim_fw_wg_carp_depend(h.f1, g.w1, 1, -1), SIM_EINVAL);
    ck_assert_int_eq(sim_fw_wg_carp_depend(NULL, g.w1, 1, 0), SIM_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_wg_carp_depend");
    TCase *t = tcase_create("carp_depend");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, carp_depend_only_master_runs_the_instance);
    tcase_add_test(t, carp_depend_unset_backup_instance_stays_up);
    tcase_add_test(t, carp_depend_delay_postpones_the_flag);
    tcase_add_test(t, carp_depend_refuses_bad_arguments);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
