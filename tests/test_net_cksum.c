/*
 * test_net_cksum.c — where an IPv4 header checksum is verified: once, where
 * a packet enters a node (from a segment: bad-ip-checksum; decrypted from
 * a tunnel: malformed), not again by the node's later parses
 * (sim_ipv4_reparse). So a packet with a bad one goes no further than
 * that first check, and every packet the stack hands on carries a valid
 * one: at each hook point, after forwarding (TTL), after NAT.
 */
#include "net_topo.h"

static unsigned seen, bad, r1_in, r2_in;
static wg_ip nat_to;

/* Every packet at a hook point, checked with the parse that verifies. */
static sim_verdict check_valid(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx, (void)n, (void)pt;
    sim_ipv4_info ip;
    seen++;
    if (!sim_ipv4_parse(p->data, p->len, &ip))
        bad++;
    return SIM_PASS;
}

static sim_verdict count_in(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)n, (void)pt, (void)p;
    (*(unsigned *)ctx)++;
    return SIM_PASS;
}

/* Source NAT of forwarded UDP, as pf's apply does it. */
static sim_verdict snat(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx, (void)n, (void)pt;
    sim_ipv4_info ip;
    if (!p->local_origin && sim_ipv4_reparse(p->data, p->len, &ip) && ip.proto == SIM_IPPROTO_UDP)
        sim_ipv4_rewrite(p->data, p->len, &nat_to, NULL, 40000, -1);
    return SIM_PASS;
}

/* UDP src:1000 -> dst:2000 "abc" with valid checksums. */
static size_t udp_pkt(uint8_t *pkt, const char *src, const char *dst)
{
    wg_ip s = T_ip(src), d = T_ip(dst);
    uint8_t h[31] = {0x45, 0, 0, 31, 0, 1, 0, 0, 64, 17, 0, 0};
    memcpy(h + 12, s.b, 4);
    memcpy(h + 16, d.b, 4);
    const uint8_t u[11] = {0x03, 0xe8, 0x07, 0xd0, 0x00, 11, 0, 0, 'a', 'b', 'c'};
    memcpy(h + 20, u, sizeof u);
    memcpy(pkt, h, sizeof h);
    sim_ipv4_fix_checksums(pkt, sizeof h);
    return sizeof h;
}

static uint64_t drops(sim_node *n, sim_drop_reason r) { return sim_node_drops(n, r); }

START_TEST(test_valid_at_every_hook_after_ttl_and_nat)
{
    T_chain c = T_chain_new(171, SIM_MS);
    seen = bad = 0;
    nat_to = T_ip("198.51.100.1");
    sim_node_add_hook(c.r1, SIM_HOOK_OUT, snat, NULL);
    sim_node *nodes[] = {c.a, c.r1, c.r2, c.b};
    for (size_t i = 0; i < 4; i++)
        for (int pt = SIM_HOOK_IN; pt <= SIM_HOOK_OUT; pt++)
            sim_node_add_hook(nodes[i], (sim_hook_point)pt, check_valid, NULL);
    T_rx rx = {0};
    sim_udp_sock *sb, *sa;
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 2000, T_on_udp, &rx, &sb), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 0, NULL, NULL, &sa), SIM_OK);
    T_run(c.w, SIM_S);
    wg_ip bip = T_ip("10.0.2.10");
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 2000, (const uint8_t *)"hello", 5), SIM_OK);
    sim_ping_config pc = {.dst = bip, .start = 2 * SIM_S, .interval = SIM_S, .count = 3};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 6 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert(wg_ip_eq(&rx.last.src, &nat_to)); /* rewritten by r1, checksums fixed */
    ck_assert_uint_eq(rx.last.sport, 40000);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 6 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 3);
    /* the datagram: a OUT/ROUTE, r1 IN/FWD/ROUTE/OUT, r2 the same, b IN; the pings more */
    ck_assert_uint_ge(seen, 11 + 3 * 2 * 11);
    ck_assert_uint_eq(bad, 0);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(drops(nodes[i], SIM_DROP_BAD_IP_CHECKSUM), 0);
        ck_assert_uint_eq(drops(nodes[i], SIM_DROP_MALFORMED), 0);
        ck_assert_uint_eq(drops(nodes[i], SIM_DROP_BAD_UDP_CHECKSUM), 0);
    }
    sim_world_free(c.w);
}
END_TEST

START_TEST(test_bad_header_stops_where_it_enters)
{
    T_chain c = T_chain_new(172, SIM_MS);
    r1_in = r2_in = 0;
    sim_node_add_hook(c.r1, SIM_HOOK_IN, count_in, &r1_in);
    sim_node_add_hook(c.r2, SIM_HOOK_IN, count_in, &r2_in);
    T_rx rx = {0};
    sim_udp_sock *sb;
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 2000, T_on_udp, &rx, &sb), SIM_OK);
    T_run(c.w, SIM_S);
    sim_iface *ia = sim_node_iface(c.a, "eth0");
    sim_mac r1m = sim_iface_mac(sim_node_iface(c.r1, "lan"));
    uint8_t pkt[64];
    size_t len = udp_pkt(pkt, "10.0.1.10", "10.0.2.10");
    pkt[11] ^= 0x10;
    ck_assert_int_eq(sim_iface_send_frame(ia, &r1m, NULL, 0x0800, pkt, len), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_uint_eq(drops(c.r1, SIM_DROP_BAD_IP_CHECKSUM), 1);
    ck_assert_uint_eq(r1_in, 0); /* dropped before the hooks */
    ck_assert_uint_eq(r2_in, 0);
    ck_assert_int_eq(rx.n, 0);
    /* The same datagram with its checksum: through both routers. */
    len = udp_pkt(pkt, "10.0.1.10", "10.0.2.10");
    ck_assert_int_eq(sim_iface_send_frame(ia, &r1m, NULL, 0x0800, pkt, len), SIM_OK);
    T_run(c.w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_uint_eq(r1_in, 1);
    ck_assert_uint_eq(r2_in, 1);
    sim_node *nodes[] = {c.a, c.r1, c.r2, c.b};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(drops(nodes[i], SIM_DROP_BAD_IP_CHECKSUM), nodes[i] == c.r1 ? 1 : 0);
        ck_assert_uint_eq(drops(nodes[i], SIM_DROP_MALFORMED), 0);
    }
    sim_world_free(c.w);
}
END_TEST

START_TEST(test_bad_inner_header_dropped_by_the_tunnel_input)
{
    T_chain c = T_chain_new(173, SIM_MS);
    T_wgpair wp = T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    T_rx rx = {0};
    sim_udp_sock *sb;
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 2000, T_on_udp, &rx, &sb), SIM_OK);
    T_run(c.w, SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 2};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 4 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 4 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 2); /* a session to send the packets below in */
    uint64_t malformed = drops(c.b, SIM_DROP_MALFORMED);
    uint8_t pkt[64];
    size_t len = udp_pkt(pkt, "10.99.0.1", "10.99.0.2");
    pkt[10] ^= 0x01;
    wg_device *dev = sim_wg_device(wp.wa);
    ck_assert_int_eq(wg_device_send_inner(dev, sim_world_now(c.w), pkt, len), WG_DROP_NONE);
    T_run(c.w, 5 * SIM_S);
    ck_assert_uint_eq(drops(c.b, SIM_DROP_MALFORMED), malformed + 1);
    ck_assert_int_eq(rx.n, 0);
    len = udp_pkt(pkt, "10.99.0.1", "10.99.0.2");
    ck_assert_int_eq(wg_device_send_inner(dev, sim_world_now(c.w), pkt, len), WG_DROP_NONE);
    T_run(c.w, 6 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_uint_eq(drops(c.b, SIM_DROP_MALFORMED), malformed + 1);
    ck_assert_uint_eq(drops(c.b, SIM_DROP_BAD_IP_CHECKSUM), 0);
    sim_world_free(c.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_ip_checksum");
    TCase *tc = tcase_create("ip_checksum");
    tcase_add_test(tc, test_valid_at_every_hook_after_ttl_and_nat);
    tcase_add_test(tc, test_bad_header_stops_where_it_enters);
    tcase_add_test(tc, test_bad_inner_header_dropped_by_the_tunnel_input);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
