/*
 * test_gateway_net.c — dpinger-like probes through the simulated network:
 * a gateway router that stops answering is marked down after the loss
 * thresholds, and the default route follows the failover group.
 */
#include "test_e2e_topo.h"

static H_mw m;

static void setup(void)
{
    m = H_mw_new(9, true, NULL);
    sim_fw_group_member mem[2] = {{"WAN1GW", 1}, {"WAN2GW", 2}};
    ck_assert_int_eq(sim_fw_add_gateway_group(m.f, "failover", SIM_GW_TRIGGER_DOWN, mem, 2), SIM_OK);
    wg_prefix def = T_pfx("0.0.0.0/0");
    ck_assert_int_eq(sim_fw_route_via(m.f, &def, "failover"), SIM_OK);
    sim_fw_start(m.f);
}

static void teardown(void) { sim_world_free(m.w); }

static const char *default_tag(void)
{
    wg_prefix def = T_pfx("0.0.0.0/0");
    const sim_route *r = sim_node_route_find(m.fw, &def);
    ck_assert_ptr_nonnull(r);
    return r->tag;
}

static bool probe_pred(const sim_trace_rec *r, const void *arg)
{
    (void)arg;
    return r->proto == SIM_IPPROTO_ICMP && r->icmp_type == SIM_ICMP_ECHO;
}

START_TEST(gateway_down_after_loss_interval_on_wire)
{
    T_run(m.w, 10 * SIM_S);
    sim_fw_gateway_info gi;
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_ONLINE);
    ck_assert(gi.latency >= 2 * SIM_MS && gi.latency < 3 * SIM_MS); /* 1 ms each way (+ the first ARP) */
    ck_assert_str_eq(default_tag(), "failover");
    wg_prefix def = T_pfx("0.0.0.0/0");
    wg_ip g1 = T_ip("198.51.100.254"), g2 = T_ip("203.0.113.254");
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g1));
    /* probes every 500 ms from both monitors: 21 each in [0, 10 s] */
    ck_assert_uint_eq(T_count(m.w, sim_node_id(m.fw), SIM_DIR_OUT, probe_pred, NULL), 42);
    /* isp1 stops answering at 30 s: lost probes count once 2 s old; loss
     * passes 10 % at 35 s (7/67) and 20 % at 40 s (17/77) */
    T_run(m.w, 30 * SIM_S);
    sim_node_set_gateway_down(m.isp1, true);
    T_run(m.w, 34 * SIM_S);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_ONLINE);
    T_run(m.w, 35 * SIM_S);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_LOSS);
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g1)); /* loss: still a member */
    T_run(m.w, 40 * SIM_S - 1);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_LOSS);
    T_run(m.w, 40 * SIM_S);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_DOWN);
    /* the default route follows the group to tier 2 */
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g2));
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN2GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_ONLINE);
    /* back: once loss falls to 20 % or less the member is usable again */
    sim_node_set_gateway_down(m.isp1, false);
    T_run(m.w, 200 * SIM_S);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_ONLINE);
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g1));
}
END_TEST

/* A gateway's state changes carry their fields (sim_ev_state): name, from
 * and to, as the text says them; other events of the gateway model none. */
START_TEST(gateway_state_change_fields)
{
    T_run(m.w, 30 * SIM_S);
    sim_node_set_gateway_down(m.isp1, true);
    T_run(m.w, 41 * SIM_S);
    static const struct {
        int from, to;
        const char *text;
    } want[] = {{SIM_GW_ONLINE, SIM_GW_LOSS, "gateway WAN1GW online -> loss ("},
                {SIM_GW_LOSS, SIM_GW_DOWN, "gateway WAN1GW loss -> down ("}};
    size_t seen = 0;
    for (size_t i = 0; i < sim_event_count(m.w); i++) {
        const sim_event_rec *e = sim_event_at(m.w, i);
        if (e->state.kind != SIM_EVS_GATEWAY) {
            ck_assert(!(e->kind == SIM_EV_MODEL && !strcmp(e->model, "gateway") && strstr(e->text, " -> ")));
            continue;
        }
        ck_assert_uint_lt(seen, 2);
        ck_assert_str_eq(e->model, "gateway");
        ck_assert_str_eq(e->state.gateway, "WAN1GW");
        ck_assert_int_eq(e->state.from, want[seen].from);
        ck_assert_int_eq(e->state.to, want[seen].to);
        ck_assert_ptr_nonnull(strstr(e->text, want[seen].text));
        seen++;
    }
    ck_assert_uint_eq(seen, 2);
}
END_TEST

START_TEST(gateway_only_down_alarms_reroute)
{
    /* pfSense runs dpinger with -D latencyhigh -L losshigh and the alarm
     * command rc.gateway_alarm: only entering/leaving "down" makes pfSense
     * re-evaluate group routes. A member in "delay" keeps the default
     * route (a warning removes nothing, whatever the trigger) until an
     * alarm happens. */
    sim_fw_group_member mem[2] = {{"WAN1GW", 1}, {"WAN2GW", 2}};
    ck_assert_int_eq(sim_fw_add_gateway_group(m.f, "lat", SIM_GW_TRIGGER_LATENCY, mem, 2), SIM_OK);
    wg_prefix def = T_pfx("0.0.0.0/0");
    ck_assert_int_eq(sim_fw_route_via(m.f, &def, "lat"), SIM_OK);
    wg_ip g1 = T_ip("198.51.100.254"), g2 = T_ip("203.0.113.254");
    T_run(m.w, 10 * SIM_S);
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g1));
    /* 150 ms each way: RTT 300 ms, "delay" once the average passes 200 ms */
    sim_segment_config c = *sim_segment_get_config(m.wan1);
    c.delay = 150 * SIM_MS;
    ck_assert(sim_segment_set_config(m.wan1, &c));
    T_run(m.w, 100 * SIM_S);
    sim_fw_gateway_info gi;
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_DELAY);
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g1)); /* no alarm, no change */
    /* 300 ms each way: average passes 500 ms -> down -> alarm -> tier 2 */
    c.delay = 300 * SIM_MS;
    ck_assert(sim_segment_set_config(m.wan1, &c));
    T_run(m.w, 200 * SIM_S);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_DOWN);
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g2));
    ck_assert_int_eq(gi.reason, SIM_GW_REASON_HIGHDELAY);
    /* back to 150 ms: leaving "down" is an alarm; the re-evaluation sees
     * WAN1GW in "delay", which is pfSense's "online" with a warning:
     * get_gwgroup_members_inner puts it back in tier 1 whatever the
     * group's trigger, so the default route returns to WAN1 */
    c.delay = 150 * SIM_MS;
    ck_assert(sim_segment_set_config(m.wan1, &c));
    T_run(m.w, 300 * SIM_S);
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN1GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_DELAY);
    ck_assert_int_eq(gi.reason, SIM_GW_REASON_NONE);
    ck_assert(wg_ip_eq(&sim_node_route_find(m.fw, &def)->gateway, &g1));
}
END_TEST

START_TEST(gateway_monitor_host_route)
{
    /* A monitor address other than the gateway gets a host route via the
     * gateway (dpinger, ha-model.md §3). */
    H_mw x = H_mw_new(10, false, NULL);
    sim_fw_gateway g = {.name = "GW", .ifname = "wan", .addr = T_ip("198.51.100.254"), .monitor = T_ip("192.0.2.1")};
    ck_assert_int_eq(sim_fw_add_gateway(x.f, &g), SIM_OK);
    ck_assert_int_eq(sim_fw_add_gateway(x.f, &g), SIM_EEXIST);
    sim_fw_start(x.f);
    wg_prefix mon = T_pfx("192.0.2.1/32");
    const sim_route *r = sim_node_route_find(x.fw, &mon);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->origin, SIM_RT_MONITOR);
    T_run(x.w, 5 * SIM_S);
    sim_fw_gateway_info gi;
    ck_assert(sim_fw_gateway_info_get(x.f, "GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_ONLINE);
    ck_assert(gi.latency >= 2 * SIM_MS && gi.latency < 3 * SIM_MS);
    sim_world_free(x.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gateway_net");
    TCase *t = tcase_create("gateway_net");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, gateway_down_after_loss_interval_on_wire);
    tcase_add_test(t, gateway_state_change_fields);
    tcase_add_test(t, gateway_monitor_host_route);
    tcase_add_test(t, gateway_only_down_alarms_reroute);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
