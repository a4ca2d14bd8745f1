/*
 * test_source.c — FreeBSD source selection with CARP on a simulated HA
 * pair (ha-model.md §1.5 and §4): unbound sends never take the VIP, a
 * BACKUP may send from its VIP and the answer reaches the MASTER, a
 * removed VIP gives EADDRNOTAVAIL, only the MASTER owns the VIP at L2.
 */
#include "test_e2e_topo.h"

static H_ha h;
static H_ha_udp io;

static void setup(void)
{
    h = H_ha_new(11, false);
    H_ha_start(&h);
    H_ha_bind_udp(&h, &io);
    T_run(h.w, 5 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_BACKUP);
}

static void teardown(void) { sim_world_free(h.w); }

static sim_err send_from(sim_udp_sock *s, const char *src, const char *dst, uint16_t dport)
{
    sim_udp_send_opts o = {0};
    if (src)
        o.src = T_ip(src);
    wg_ip d = T_ip(dst);
    uint8_t data[16] = "hello";
    return sim_udp_sendto(s, &o, &d, dport, data, sizeof data);
}

static bool reason_route(const sim_trace_rec *r, const void *arg)
{
    (void)arg;
    return r->proto == SIM_IPPROTO_UDP && r->dport == 6000 && r->reason != NULL && r->reason->kind == SIM_SRC_ROUTE;
}

START_TEST(source_unbound_never_vip)
{
    /* MASTER or BACKUP, an unbound send takes the interface's own address,
     * never the VIP of the same prefix. */
    ck_assert_int_eq(send_from(io.s_fw1, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 6 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 1);
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &(wg_ip){0}) == false);
    wg_ip want = T_ip("198.51.100.2");
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &want));
    ck_assert_int_eq(send_from(io.s_fw2, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 7 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 2);
    want = T_ip("198.51.100.3");
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &want));
    /* the trace says why: the route's interface address */
    ck_assert_uint_ge(T_count(h.w, sim_node_id(h.fw1), SIM_DIR_OUT, reason_route, NULL), 1);
}
END_TEST

START_TEST(source_without_vip_is_primary)
{
    /* A node without CARP: unbound sends take the primary address. */
    sim_node *plain = T_node(h.w, "plain", SIM_NODE_FIREWALL);
    T_if(plain, "wan", h.wan, "198.51.100.9/24");
    T_route(plain, "0.0.0.0/0", "198.51.100.254");
    sim_fw_start(H_fw(plain));
    sim_udp_sock *s;
    T_rx rx = {0};
    ck_assert_int_eq(sim_udp_bind(plain, NULL, 7001, T_on_udp, &rx, &s), SIM_OK);
    ck_assert_int_eq(send_from(s, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 6 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 1);
    wg_ip want = T_ip("198.51.100.9");
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &want));
}
END_TEST

START_TEST(source_backup_sends_from_vip_reply_reaches_master)
{
    /* IP_SENDSRCADDR with a BACKUP's VIP succeeds: only "is it configured"
     * is checked (ha-model.md "Settled"). The answer goes to the MASTER. */
    ck_assert_int_eq(send_from(io.s_fw2, "198.51.100.1", "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 6 * SIM_S);
    ck_assert_int_eq(io.rx_remote.n, 1);
    wg_ip vip = T_ip("198.51.100.1");
    ck_assert(wg_ip_eq(&io.rx_remote.last.src, &vip));
    ck_assert_uint_eq(io.rx_remote.last.sport, 7000);
    ck_assert_int_eq(send_from(io.s_remote, NULL, "198.51.100.1", 7000), SIM_OK);
    T_run(h.w, 7 * SIM_S);
    ck_assert_int_eq(io.rx_fw1.n, 1);
    ck_assert_int_eq(io.rx_fw2.n, 0);
    ck_assert(wg_ip_eq(&io.rx_fw1.last.dst, &vip));
}
END_TEST

START_TEST(source_eaddrnotavail_after_carp_disable)
{
    ck_assert_int_eq(sim_fw_carp_enable(h.f1, false), SIM_OK);
    ck_assert(!sim_fw_carp_enabled(h.f1));
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_INIT);
    /* allow=0 demoted by 240 (carp_sc_state), removing the vhid's last
     * address destroyed it and took that back (carp_destroy) */
    sim_fw_carp_info ci;
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 0);
    /* the VIP is gone from fw1: EADDRNOTAVAIL */
    ck_assert_int_eq(send_from(io.s_fw1, "198.51.100.1", "192.0.2.10", 6000), SIM_EADDRNOTAVAIL);
    /* unbound still works from the interface address */
    ck_assert_int_eq(send_from(io.s_fw1, NULL, "192.0.2.10", 6000), SIM_OK);
    /* fw2 takes over after its master-down timer (3 + 100/256 s) */
    T_run(h.w, 9 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(send_from(io.s_remote, NULL, "198.51.100.1", 7000), SIM_OK);
    T_run(h.w, 10 * SIM_S);
    ck_assert_int_eq(io.rx_fw2.n, 1);
    ck_assert_int_eq(io.rx_fw1.n, 0);
    /* carp-enable: the VIP is back, fw1 preempts (skew 0 < 100) */
    ck_assert_int_eq(sim_fw_carp_enable(h.f1, true), SIM_OK);
    ck_assert_int_eq(send_from(io.s_fw1, "198.51.100.1", "192.0.2.10", 6000), SIM_OK);
    T_run(h.w, 12 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f1, 1), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_BACKUP);
    ck_assert(sim_fw_carp_info_get(h.f1, NULL, 1, &ci));
    ck_assert_int_eq(ci.demotion, 0);
}
END_TEST

typedef struct arp_q {
    int node;
    uint16_t op;
    wg_ip sender;
} arp_q;

static bool arp_pred(const sim_trace_rec *r, const void *arg)
{
    const arp_q *q = arg;
    return r->arp_op == q->op && wg_ip_eq(&r->arp_sender, &q->sender) && (q->node < 0 || r->node == q->node);
}

START_TEST(source_vip_arp_ownership_and_garp)
{
    static const sim_mac vmac = {{0x00, 0x00, 0x5e, 0x00, 0x01, 0x01}};
    wg_ip vip = T_ip("198.51.100.1");
    /* becoming MASTER: one gratuitous ARP per VIP with the vMAC */
    arp_q q = {.node = sim_node_id(h.fw1), .op = 1, .sender = vip};
    ck_assert_uint_eq(T_count(h.w, q.node, SIM_DIR_OUT, arp_pred, &q), 1);
    for (size_t i = 0; i < sim_trace_count(h.w); i++) {
        sim_trace_rec r_v; sim_trace_get(h.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->node == q.node && r->dir == SIM_DIR_OUT && r->arp_op == 1 && wg_ip_eq(&r->arp_sender, &vip)) {
            ck_assert(wg_ip_eq(&r->arp_target, &vip));
            ck_assert(sim_mac_eq(&r->arp_sha, &vmac));
        }
    }
    /* traffic to the VIP: the ISP asks, only the MASTER answers, with the vMAC */
    ck_assert_int_eq(send_from(io.s_remote, NULL, "198.51.100.1", 7000), SIM_OK);
    T_run(h.w, 6 * SIM_S);
    sim_arp_entry e;
    ck_assert(sim_arp_lookup(sim_node_iface(h.isp, "wan"), &vip, &e));
    ck_assert(e.resolved);
    ck_assert(sim_mac_eq(&e.mac, &vmac));
    arp_q r1 = {.node = sim_node_id(h.fw1), .op = 2, .sender = vip};
    arp_q r2 = {.node = sim_node_id(h.fw2), .op = 2, .sender = vip};
    ck_assert_uint_eq(T_count(h.w, r1.node, SIM_DIR_OUT, arp_pred, &r1), 1);
    ck_assert_uint_eq(T_count(h.w, r2.node, SIM_DIR_OUT, arp_pred, &r2), 0);
    ck_assert_int_eq(io.rx_fw1.n, 1);
    ck_assert_int_eq(io.rx_fw2.n, 0); /* the frame to the vMAC reached fw2 too: dropped */
    /* power-off: fw2 becomes MASTER and announces the VIP itself */
    sim_node_set_power(h.fw1, false);
    T_run(h.w, 10 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(h.f2, 1), SIM_CARP_MASTER);
    arp_q g2 = {.node = sim_node_id(h.fw2), .op = 1, .sender = vip};
    ck_assert_uint_eq(T_count(h.w, g2.node, SIM_DIR_OUT, arp_pred, &g2), 1);
    ck_assert_int_eq(send_from(io.s_remote, NULL, "198.51.100.1", 7000), SIM_OK);
    T_run(h.w, 11 * SIM_S);
    ck_assert_int_eq(io.rx_fw2.n, 1);
}
END_TEST

START_TEST(source_backup_vip_route_removed)
{
    /* A MASTER's VIP prefix is owned by the connected route of its own
     * address, so no CARP route is added; going BACKUP removes nothing but
     * CARP routes, the address stays. */
    wg_ip vip = T_ip("198.51.100.1");
    ck_assert_ptr_nonnull(sim_node_find_addr(h.fw2, &vip, NULL));
    for (size_t i = 0; i < sim_node_route_count(h.fw1); i++)
        ck_assert_int_ne(sim_node_route_at(h.fw1, i)->origin, SIM_RT_CARP);
}
END_TEST

START_TEST(source_vip_subnet_only_while_master)
{
    /* A VIP outside the interface's own networks owns its prefix route only
     * while MASTER (carp_addroute / carp_delroute), so an unbound send into
     * that subnet takes the VIP as source (the route's ifa) on the MASTER,
     * while the BACKUP has no such route and uses its default route and
     * primary address (ha-model.md §1.5, §4). */
    H_ha x = H_ha_subnet_vip(8);
    wg_ip dst = T_ip("203.0.113.50"), vip = T_ip("203.0.113.1");
    wg_ip a1 = T_ip("198.51.100.2"), a3 = T_ip("198.51.100.3");
    sim_route_result r;
    ck_assert(sim_fib_lookup(x.fw1, &dst, &r));
    ck_assert(wg_ip_eq(&r.src, &vip));
    ck_assert(wg_ip_eq(&r.nexthop, &dst)); /* on-link through the VIP prefix */
    ck_assert(sim_fib_lookup(x.fw2, &dst, &r));
    ck_assert(wg_ip_eq(&r.src, &a3));
    /* maintenance on fw1: the roles and the answers swap */
    ck_assert_int_eq(sim_fw_maintenance(x.f1, true), SIM_OK);
    T_run(x.w, 8 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(x.f2, 2), SIM_CARP_MASTER);
    ck_assert(sim_fib_lookup(x.fw1, &dst, &r));
    ck_assert(wg_ip_eq(&r.src, &a1));
    ck_assert(sim_fib_lookup(x.fw2, &dst, &r));
    ck_assert(wg_ip_eq(&r.src, &vip));
    sim_world_free(x.w);
}
END_TEST

START_TEST(source_gateway_ifa_prefers_master_vip)
{
    /* ifa_preferred (ha-model.md §4): with only CARP addresses in the
     * gateway's subnet, a MASTER VIP beats a non-MASTER one, whatever the
     * address order. fw1 is BACKUP for vhid 3 (203.0.113.2, configured
     * first) and MASTER for vhid 2 (203.0.113.1). */
    H_ha x = H_ha_new(9, false);
    H_vip(x.f1, "wan", 3, "203.0.113.2/24", 200);
    H_vip(x.f2, "wan", 3, "203.0.113.2/24", 100);
    H_vip(x.f1, "wan", 2, "203.0.113.1/24", 0);
    H_vip(x.f2, "wan", 2, "203.0.113.1/24", 100);
    T_route(x.fw1, "10.9.0.0/16", "203.0.113.254");
    H_ha_start(&x);
    T_run(x.w, 5 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 2), SIM_CARP_MASTER);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 3), SIM_CARP_BACKUP);
    wg_ip dst = T_ip("10.9.0.5"), v1 = T_ip("203.0.113.1"), v2 = T_ip("203.0.113.2");
    sim_route_result r;
    ck_assert(sim_fib_lookup(x.fw1, &dst, &r));
    ck_assert(wg_ip_eq(&r.src, &v1));
    /* fw1 becomes MASTER of vhid 3 as well (fw2 powered off): still a
     * MASTER VIP, and now the connected prefix of either would do */
    sim_node_set_power(x.fw2, false);
    T_run(x.w, 15 * SIM_S);
    ck_assert_int_eq(sim_fw_carp_state(x.f1, 3), SIM_CARP_MASTER);
    ck_assert(sim_fib_lookup(x.fw1, &dst, &r));
    ck_assert(wg_ip_eq(&r.src, &v1) || wg_ip_eq(&r.src, &v2));
    sim_world_free(x.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("source");
    TCase *t = tcase_create("source");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, source_unbound_never_vip);
    tcase_add_test(t, source_without_vip_is_primary);
    tcase_add_test(t, source_backup_sends_from_vip_reply_reaches_master);
    tcase_add_test(t, source_eaddrnotavail_after_carp_disable);
    tcase_add_test(t, source_vip_arp_ownership_and_garp);
    tcase_add_test(t, source_backup_vip_route_removed);
    tcase_add_test(t, source_vip_subnet_only_while_master);
    tcase_add_test(t, source_gateway_ifa_prefers_master_vip);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
