/*
 * test_pfsync_net.c — pfsync on the HA pair: states appear on the peer,
 * and the consequence for outbound NAT of the firewall's own traffic to
 * the VIP after a failover (ha-model.md §2 "Derived (C6)"), which must come
 * out of plain pf + pfsync + CARP rules.
 */
#include "test_e2e_topo.h"

static H_ha h;
static H_ha_udp io;

static void setup(void)
{
    h = H_ha_new(17, true);
    sim_fw_nat_rule nr = {.ifname = "wan", .proto = 17, .src = {.kind = SIM_FW_SELF}, .sport = 7000,
                          .to_addr = T_ip("198.51.100.1"), .static_port = true, .label = "self 7000 to VIP"};
    ck_assert_int_eq(sim_fw_set_nat(h.f1, &nr, 1), SIM_OK);
    ck_assert_int_eq(sim_fw_set_nat(h.f2, &nr, 1), SIM_OK);
    H_ha_start(&h);
    H_ha_bind_udp(&h, &io);
    T_run(h.w, 5 * SIM_S);
}

static void teardown(void) { sim_world_free(h.w); }

static sim_err send_udp(sim_udp_sock *s, const char *dst, uint16_t dport)
{
    sim_udp_send_opts o = {0};
    wg_ip d = T_ip(dst);
    uint8_t data[16] = "x";
    return sim_udp_sendto(s, &o, &d, dport, data, sizeof data);
}

static bool find_synced(sim_fw *f, sim_fw_state_info *out)
{
    for (size_t i = 0; i < sim_fw_state_count(f); i++)
        if (sim_fw_state_at(f, i, out) && out->from_pfsync && out->proto == 17)
            return true;
    return false;
}

START_TEST(pfsync_state_on_peer_and_nat_after_failover)
{
    wg_ip vip = T_ip("198.51.100.1"), a1 = T_ip("198.51.100.2");
    ck_assert_int_eq(send_udp(io.s_fw1, "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 6 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 1);
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &vip));
    ck_assert_uint_eq(io.rx_remote.last.sport, 7000);
    /* pfsync (-defer: sent 1 s after it was queued): the state is on fw2 with its addresses unchanged */
    sim_fw_state_info si;
    ck_assert(find_synced(h.f2, &si));
    ck_assert(si.translated);
    ck_assert(wg_ip_eq(&si.src.ip, &a1));
    ck_assert(wg_ip_eq(&si.nat_src.ip, &vip));
    ck_assert_str_eq(si.ifname, "wan");
    char buf[160];
    ck_assert_ptr_nonnull(strstr(sim_fw_state_format(&si, buf, sizeof buf), "[pfsync]"));
    /* the answer reaches fw1 through its state */
    ck_assert_int_eq(send_udp(io.s_remote, "198.51.100.1", 7000), SIM_OK);
    T_run(h.w, 7 * SIM_S);
    ck_assert_int_eq(io.rx_fw1.n, 1);

    sim_node_set_power(h.fw1, false);
    T_run(h.w, 15 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    /* fw2's own packet: its stack key misses fw1's state, the static-port
     * translation to VIP:7000 collides with the replicated wire key; pf's
     * drop of a local packet fails the send (EPERM here; EACCES on FreeBSD) */
    ck_assert_int_eq(send_udp(io.s_fw2, "192.0.2.10", 6000), SIM_EPERM);
    T_run(h.w, 16 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 1);
    ck_assert_uint_eq(sim_fw_drops(h.f2, SIM_FW_DROP_NAT), 1);
    /* the remote's packet to VIP:7000 reaches fw2 (MASTER) and is
     * translated to fw1's address by the replicated state: lost */
    ck_assert_int_eq(send_udp(io.s_remote, "198.51.100.1", 7000), SIM_OK);
    T_run(h.w, 17 * SIM_S);
    ck_assert_int_eq(io.rx_fw2.n, 0);
    /* once the replicated state has expired, fw2's translation works */
    T_run(h.w, 100 * SIM_S);
    ck_assert(!find_synced(h.f2, &si));
    ck_assert_int_eq(send_udp(io.s_fw2, "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 101 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 2);
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &vip));
}
END_TEST

START_TEST(pfsync_lag_without_defer)
{
    /* A pair with pfSense's -defer and a 300 ms flush interval: a new state shows
     * up on the peer after the flush. */
    H_ha x = H_ha_new(18, false);
    sim_fw_pfsync_options o = {.flush_interval = 300 * SIM_MS};
    ck_assert_int_eq(sim_fw_pfsync_pair(x.f1, x.f2, &o), SIM_OK);
    ck_assert_int_eq(sim_fw_pfsync_pair(x.f1, x.f2, &o), SIM_EINVAL);
    H_ha_start(&x);
    sim_udp_sock *s;
    ck_assert_int_eq(sim_udp_bind(x.fw1, NULL, 7000, T_on_udp, &io.rx_fw1, &s), SIM_OK);
    T_run(x.w, 5 * SIM_S);
    ck_assert_int_eq(send_udp(s, "192.0.2.10", 6000), SIM_OK);
    sim_fw_state_info si;
    T_run(x.w, 5 * SIM_S + 299 * SIM_MS);
    ck_assert(!find_synced(x.f2, &si));
    T_run(x.w, 5 * SIM_S + 300 * SIM_MS);
    ck_assert(find_synced(x.f2, &si));
    sim_world_free(x.w);
}
END_TEST

/* fw1's first packet of a new flow to the remote, sent at 5 s: when does
 * it arrive? pfsync with a 5 ms lag, defer on or off, fw2 on or off. */
static sim_time first_packet_arrival(bool defer, bool peer_on)
{
    H_ha x = H_ha_new(19, false);
    sim_fw_pfsync_options o = {.delay = 5 * SIM_MS, .defer = defer};
    ck_assert_int_eq(sim_fw_pfsync_pair(x.f1, x.f2, &o), SIM_OK);
    H_ha_start(&x);
    H_ha_udp u;
    H_ha_bind_udp(&x, &u);
    if (!peer_on)
        sim_node_set_power(x.fw2, false);
    T_run(x.w, 5 * SIM_S);
    ck_assert_int_eq(send_udp(u.s_fw1, "192.0.2.10", 6000), SIM_OK);
    T_run(x.w, 6 * SIM_S);
    ck_assert_int_eq(u.rx_remote.n, 1);
    sim_time at = u.rx_remote.at[0];
    /* the held packet was sent once, not run through pf again */
    ck_assert_uint_eq(sim_fw_state_count(x.f1), 1);
    sim_world_free(x.w);
    return at;
}

START_TEST(pfsync_defer_holds_first_packet)
{
    /* pf_test_rule -> pfsync_defer: the packet that made an outbound state
     * waits for the peer's insert ack (5 ms there, 5 ms back), at most
     * PFSYNC_DEFER_TIMEOUT 20 ms; pfSense's -defer sends it at once. */
    sim_time plain = first_packet_arrival(false, true);
    ck_assert_int_eq(first_packet_arrival(true, true) - plain, 10 * SIM_MS);
    ck_assert_int_eq(first_packet_arrival(true, false) - plain, 20 * SIM_MS);
    ck_assert_int_eq(first_packet_arrival(false, false), plain);
}
END_TEST

START_TEST(pfsync_bulk_update_demotes_carp_at_boot)
{
    /* A booting node asks its peer for the whole table and stays demoted by
     * 240 until the bulk update completes (immediately here), or until it
     * gives up: 12 retries 5 s apart (if_pfsync.c pfsync_bulk_fail). */
    ck_assert_int_eq(send_udp(io.s_fw1, "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 10 * SIM_S);
    sim_node_set_power(h.fw1, false);
    sim_node_set_power(h.fw1, true);
    T_run(h.w, 10 * SIM_S + SIM_MS);
    sim_fw_carp_info ci;
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 0);
    ck_assert_uint_ge(T_events_containing(h.w, "bulk update done"), 1);
    /* fw2's table came back to fw1: fw1's own old state (creator fw1) */
    sim_fw_state_info si;
    ck_assert(find_synced(h.f1, &si));
    /* now with the peer off */
    sim_node_set_power(h.fw2, false);
    T_run(h.w, 20 * SIM_S);
    sim_node_set_power(h.fw1, false);
    sim_node_set_power(h.fw1, true);
    T_run(h.w, 24 * SIM_S);
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 240);
    ck_assert_uint_eq(ci.advertised_skew, 240);
    ck_assert_int_eq(ci.state, SIM_CARP_MASTER); /* alone: master-down still uses the configured skew */
    T_run(h.w, 20 * SIM_S + 65 * SIM_S - 1);
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 240);
    T_run(h.w, 20 * SIM_S + 65 * SIM_S);
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 0);
    ck_assert_uint_ge(T_events_containing(h.w, "bulk update failed"), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pfsync_net");
    TCase *t = tcase_create("pfsync_net");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, pfsync_state_on_peer_and_nat_after_failover);
    tcase_add_test(t, pfsync_lag_without_defer);
    tcase_add_test(t, pfsync_defer_holds_first_packet);
    tcase_add_test(t, pfsync_bulk_update_demotes_carp_at_boot);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
