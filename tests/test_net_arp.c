/*
 * test_net_arp.c — ARP: resolution with held packets, gratuitous ARP
 * updating (and not creating) entries, maxhold, retries and EHOSTDOWN,
 * incomplete-entry timeout, and the CARP L2 hook deciding ARP answers.
 */
#include "net_topo.h"

static bool is_arp_req(const sim_trace_rec *r, const void *a)
{
    (void)a;
    return r->arp_op == 1;
}
static bool is_arp_reply(const sim_trace_rec *r, const void *a)
{
    (void)a;
    return r->arp_op == 2;
}
static bool is_udp(const sim_trace_rec *r, const void *a)
{
    (void)a;
    return r->proto == SIM_IPPROTO_UDP;
}

START_TEST(test_resolution_holds_first_packet)
{
    sim_world *w = T_world(1);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    sim_iface *ia = T_if(a, "eth0", lan, "10.0.0.1/24");
    sim_iface *ib = T_if(b, "eth0", lan, "10.0.0.2/24");
    T_run(w, SIM_S); /* the gratuitous ARPs of address configuration pass */
    T_rx rx = {0};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(a, NULL, 1000, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(b, NULL, 2000, T_on_udp, &rx, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.0.2"), aip = T_ip("10.0.0.1");
    size_t req0 = T_count(w, sim_node_id(a), SIM_DIR_OUT, is_arp_req, NULL);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 2000, (const uint8_t *)"hello", 5), SIM_OK);
    sim_arp_entry e;
    ck_assert(sim_arp_lookup(ia, &bip, &e));
    ck_assert(!e.resolved);
    ck_assert_uint_eq(e.held, 1);
    ck_assert_uint_eq(e.asked, 1);
    T_run(w, 2 * SIM_S);
    /* request, reply, then the held datagram: 3 ms after the send. */
    ck_assert_int_eq(rx.n, 1);
    ck_assert_int_eq(rx.len, 5);
    ck_assert_mem_eq(rx.data, "hello", 5);
    ck_assert(wg_ip_eq(&rx.last.dst, &bip));
    ck_assert_uint_eq(rx.last.ifindex, sim_iface_index(ib));
    ck_assert_uint_eq(T_count(w, sim_node_id(a), SIM_DIR_OUT, is_arp_req, NULL), req0 + 1);
    ck_assert_uint_eq(T_count(w, sim_node_id(b), SIM_DIR_OUT, is_arp_reply, NULL), 1);
    ck_assert(sim_arp_lookup(ia, &bip, &e));
    ck_assert(e.resolved);
    sim_mac mb = sim_iface_mac(ib);
    ck_assert(sim_mac_eq(&e.mac, &mb));
    ck_assert_int_eq(e.expire, SIM_S + 2 * SIM_MS + SIM_ARP_MAX_AGE);
    /* b learned a from the request that targeted it. */
    ck_assert(sim_arp_lookup(ib, &aip, &e));
    ck_assert(e.resolved);
    /* A second datagram needs no ARP. */
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 2000, (const uint8_t *)"x", 1), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 2);
    ck_assert_uint_eq(T_count(w, sim_node_id(a), SIM_DIR_OUT, is_arp_req, NULL), req0 + 1);
    /* After max_age the entry is deleted (arptimer) and the next datagram
     * sends a request again. */
    T_run(w, SIM_S + 2 * SIM_MS + SIM_ARP_MAX_AGE - 1);
    ck_assert(sim_arp_lookup(ia, &bip, &e) && e.resolved);
    T_run(w, SIM_S + 2 * SIM_MS + SIM_ARP_MAX_AGE);
    ck_assert(!sim_arp_lookup(ia, &bip, &e));
    ck_assert_uint_ge(T_events_containing(w, "a/eth0 10.0.0.2 expired"), 1);
    T_run(w, SIM_S + SIM_ARP_MAX_AGE + 10 * SIM_S);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 2000, (const uint8_t *)"y", 1), SIM_OK);
    T_run(w, SIM_S + SIM_ARP_MAX_AGE + 11 * SIM_S);
    ck_assert_int_eq(rx.n, 3);
    ck_assert_uint_eq(T_count(w, sim_node_id(a), SIM_DIR_OUT, is_arp_req, NULL), req0 + 2);
    sim_world_free(w);
}
END_TEST

START_TEST(test_gratuitous_updates_existing_only)
{
    sim_world *w = T_world(2);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    sim_node *c = T_node(w, "c", SIM_NODE_HOST), *d = T_node(w, "d", SIM_NODE_HOST);
    sim_iface *ia = T_if(a, "eth0", lan, "10.0.0.1/24");
    T_if(b, "eth0", lan, "10.0.0.2/24");
    sim_iface *ic = T_if(c, "eth0", lan, "10.0.0.3/24");
    sim_iface *id = T_if(d, "eth0", lan, "10.0.0.4/24");
    T_run(w, SIM_S);
    /* a resolves b by pinging it. */
    wg_ip bip = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_icmp_echo(a, &bip, 1, 1, 8, NULL), SIM_OK);
    T_run(w, 2 * SIM_S);
    sim_arp_entry e;
    ck_assert(sim_arp_lookup(ia, &bip, &e) && e.resolved);
    ck_assert(!sim_arp_lookup(id, &bip, &e));
    /* c claims b's address (as a new CARP MASTER does for a VIP). */
    sim_mac claim = {{0x00, 0x00, 0x5e, 0x00, 0x01, 0x07}};
    ck_assert_int_eq(sim_arp_announce(ic, &bip, &claim), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert(sim_arp_lookup(ia, &bip, &e) && e.resolved);
    ck_assert(sim_mac_eq(&e.mac, &claim));
    ck_assert_uint_ge(T_events_containing(w, "(gratuitous)"), 1);
    /* d had no entry: a gratuitous ARP does not create one. */
    ck_assert(!sim_arp_lookup(id, &bip, &e));
    /* The update restarted the entry's lifetime. */
    ck_assert(sim_arp_lookup(ia, &bip, &e));
    sim_time refreshed = e.expire;
    ck_assert_int_gt(refreshed, 2 * SIM_S + SIM_ARP_MAX_AGE);
    /* Once deleted at max_age, a gratuitous ARP no longer updates it. */
    T_run(w, refreshed);
    ck_assert(!sim_arp_lookup(ia, &bip, &e));
    ck_assert_int_eq(sim_arp_announce(ic, &bip, &claim), SIM_OK);
    T_run(w, refreshed + SIM_S);
    ck_assert(!sim_arp_lookup(ia, &bip, &e));
    /* The trace shows the announcement with the vMAC as sender. */
    bool seen = false;
    for (size_t i = 0; i < sim_trace_count(w); i++) {
        sim_trace_rec r_v; sim_trace_get(w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->arp_op == 1 && wg_ip_eq(&r->arp_sender, &bip) && wg_ip_eq(&r->arp_target, &bip) &&
            sim_mac_eq(&r->arp_sha, &claim) && sim_mac_eq(&r->eth_src, &claim))
            seen = true;
    }
    ck_assert(seen);
    sim_world_free(w);
}
END_TEST

START_TEST(test_unresolved_retries_hold_and_timeout)
{
    sim_world *w = T_world(3);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST);
    sim_iface *ia = T_if(a, "eth0", lan, "10.0.0.1/24");
    T_run(w, SIM_S);
    sim_udp_sock *s;
    ck_assert_int_eq(sim_udp_bind(a, NULL, 1000, NULL, NULL, &s), SIM_OK);
    wg_ip ghost = T_ip("10.0.0.99");
    size_t req0 = T_count(w, 0, SIM_DIR_OUT, is_arp_req, NULL);
    /* 20 datagrams in the same instant: one request, 16 held, 4 dropped oldest-first. */
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(sim_udp_sendto(s, NULL, &ghost, 9, (const uint8_t *)"z", 1), SIM_OK);
    sim_arp_entry e;
    ck_assert(sim_arp_lookup(ia, &ghost, &e));
    ck_assert_uint_eq(e.held, SIM_ARP_MAXHOLD);
    ck_assert_uint_eq(sim_node_drops(a, SIM_DROP_ARP_HOLD_OVERFLOW), 4);
    ck_assert_uint_eq(T_count(w, 0, SIM_DIR_OUT, is_arp_req, NULL), req0 + 1);
    /* One datagram per second: one request per second; after maxtries the
     * send reports EHOSTDOWN (on-link) while the packets are still held. */
    sim_err last = SIM_OK;
    int errors = 0;
    for (int i = 1; i <= 6; i++) {
        T_run(w, SIM_S + i * SIM_S);
        last = sim_udp_sendto(s, NULL, &ghost, 9, (const uint8_t *)"z", 1);
        if (last != SIM_OK)
            errors++;
    }
    ck_assert_uint_eq(T_count(w, 0, SIM_DIR_OUT, is_arp_req, NULL), req0 + 7);
    ck_assert_int_eq(last, SIM_EHOSTDOWN);
    ck_assert_int_eq(errors, 2); /* the 6th and 7th requests (asked >= 5) */
    ck_assert_uint_eq(T_count(w, 0, SIM_DIR_OUT, is_udp, NULL), 0);
    /* 20 s after the last request the entry goes, with its held packets. */
    uint64_t before = sim_node_drops(a, SIM_DROP_ARP_TIMEOUT);
    T_run(w, 7 * SIM_S + SIM_ARP_DOWN_TIME - 1);
    ck_assert(sim_arp_lookup(ia, &ghost, &e));
    T_run(w, 7 * SIM_S + SIM_ARP_DOWN_TIME);
    ck_assert(!sim_arp_lookup(ia, &ghost, &e));
    ck_assert_uint_eq(sim_node_drops(a, SIM_DROP_ARP_TIMEOUT) - before, SIM_ARP_MAXHOLD);
    ck_assert_uint_ge(T_events_containing(w, "unresolved after 7 requests"), 1);
    sim_world_free(w);
}
END_TEST

/* A stand-in for the CARP model: MASTER of vhid 5 answers with the vMAC. */
static bool master;
static bool t_accept(void *ctx, sim_iface *ifp, const sim_mac *mac)
{
    (void)ctx;
    (void)ifp;
    return master && mac->b[0] == 0 && mac->b[1] == 0 && mac->b[2] == 0x5e && mac->b[5] == 5;
}
static bool t_answer(void *ctx, sim_iface *ifp, const sim_addr *a, sim_mac *out)
{
    (void)ctx;
    (void)ifp;
    if (!master)
        return false;
    *out = (sim_mac){{0x00, 0x00, 0x5e, 0x00, 0x01, a->vhid}};
    return true;
}
static bool t_is_master(void *ctx, sim_iface *ifp, const sim_addr *a)
{
    (void)ctx;
    (void)ifp;
    (void)a;
    return master;
}

START_TEST(test_carp_hook_decides_answers)
{
    sim_world *w = T_world(4);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *fw = T_node(w, "fw", SIM_NODE_FIREWALL), *h = T_node(w, "h", SIM_NODE_HOST);
    sim_iface *ifw = T_if(fw, "lan", lan, "10.0.0.2/24");
    sim_iface *ih = T_if(h, "eth0", lan, "10.0.0.50/24");
    wg_prefix vip = T_pfx("10.0.0.1/24");
    ck_assert_int_eq(sim_iface_add_addr(ifw, &vip, true, 5, 0), SIM_OK);
    T_run(w, SIM_S);
    T_icmp got = {0};
    sim_node_add_icmp_listener(h, T_on_icmp, &got);
    /* Without L2 ops nobody answers for the VIP. */
    master = false;
    ck_assert_int_eq(sim_icmp_echo(h, &vip.ip, 7, 1, 8, NULL), SIM_OK);
    T_run(w, 2 * SIM_S);
    sim_arp_entry e;
    ck_assert(sim_arp_lookup(ih, &vip.ip, &e) && !e.resolved);
    ck_assert_int_eq(got.n, 0);
    /* As BACKUP (ops installed, not master): still no answer. */
    sim_l2_ops ops = {.ctx = NULL, .accept_mac = t_accept, .arp_answer = t_answer, .addr_is_master = t_is_master};
    sim_node_set_l2_ops(fw, &ops);
    ck_assert_int_eq(sim_icmp_echo(h, &vip.ip, 7, 2, 8, NULL), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert(sim_arp_lookup(ih, &vip.ip, &e) && !e.resolved);
    /* MASTER: answered with the vMAC, the held echoes go to the vMAC and
     * are accepted; the replies come from the VIP. */
    master = true;
    ck_assert_int_eq(sim_icmp_echo(h, &vip.ip, 7, 3, 8, NULL), SIM_OK);
    T_run(w, 4 * SIM_S);
    ck_assert(sim_arp_lookup(ih, &vip.ip, &e) && e.resolved);
    sim_mac vmac = {{0x00, 0x00, 0x5e, 0x00, 0x01, 5}};
    ck_assert(sim_mac_eq(&e.mac, &vmac));
    ck_assert_int_eq(got.n, 3);
    ck_assert_int_eq(got.last.icmp_type, SIM_ICMP_ECHO_REPLY);
    ck_assert(wg_ip_eq(&got.last.src, &vip.ip));
    /* Back to BACKUP: frames to the vMAC are no longer accepted. */
    master = false;
    ck_assert_int_eq(sim_icmp_echo(h, &vip.ip, 7, 4, 8, NULL), SIM_OK);
    T_run(w, 5 * SIM_S);
    ck_assert_int_eq(got.n, 3);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_arp");
    TCase *tc = tcase_create("arp");
    tcase_add_test(tc, test_resolution_holds_first_packet);
    tcase_add_test(tc, test_gratuitous_updates_existing_only);
    tcase_add_test(tc, test_unresolved_retries_hold_and_timeout);
    tcase_add_test(tc, test_carp_hook_decides_answers);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
