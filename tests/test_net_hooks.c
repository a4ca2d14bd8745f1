/*
 * test_net_hooks.c — the plug-in points the firewall models use: IN/OUT/
 * FORWARD/ROUTE hooks (drop, rewrite with NAT and the source reason,
 * route-to), protocol handlers for other IP protocols, multicast sends
 * with a forced interface, TTL and an Ethernet source override (how CARP
 * sends advertisements), ICMP protocol unreachable for unhandled unicast.
 */
#include "net_topo.h"

static int in_calls, fwd_calls;
static wg_ip nat_to;

static sim_verdict drop_udp_9(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx;
    (void)n;
    ck_assert_int_eq(pt, SIM_HOOK_IN);
    in_calls++;
    sim_ipv4_info ip;
    ck_assert(sim_ipv4_parse(p->data, p->len, &ip));
    if (ip.proto == SIM_IPPROTO_UDP && ip.dport == 9) {
        p->drop_note = "test rule 1";
        return SIM_DROP;
    }
    return SIM_PASS;
}

static sim_verdict snat(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx;
    ck_assert_int_eq(pt, SIM_HOOK_OUT);
    sim_ipv4_info ip;
    ck_assert(sim_ipv4_parse(p->data, p->len, &ip));
    if (!p->local_origin && ip.proto == SIM_IPPROTO_UDP) {
        sim_ipv4_rewrite(p->data, p->len, &nat_to, NULL, 40000, -1);
        p->reason.flags |= SIM_SRC_F_NAT;
        p->reason.nat_node = sim_node_id(n);
        p->reason.nat_rule = "nat rule 0";
        p->reason.nat_from = (wg_endpoint){.ip = ip.src, .port = ip.sport};
        p->reason.nat_to = (wg_endpoint){.ip = nat_to, .port = 40000};
    }
    return SIM_PASS;
}

static sim_verdict count_fwd(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx;
    (void)n;
    (void)p;
    ck_assert_int_eq(pt, SIM_HOOK_FORWARD);
    fwd_calls++;
    return SIM_PASS;
}

START_TEST(test_filter_and_nat_hooks)
{
    T_chain c = T_chain_new(101, SIM_MS);
    in_calls = fwd_calls = 0;
    nat_to = T_ip("198.51.100.1");
    sim_node_add_hook(c.r1, SIM_HOOK_IN, drop_udp_9, NULL);
    sim_node_add_hook(c.r1, SIM_HOOK_FORWARD, count_fwd, NULL);
    sim_node_add_hook(c.r1, SIM_HOOK_OUT, snat, NULL);
    T_route(c.r2, "198.51.100.0/24", "172.16.0.1");
    T_run(c.w, SIM_S);
    T_rx rx = {0};
    sim_udp_sock *sa, *sb9, *sb10;
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 5000, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 9, T_on_udp, &rx, &sb9), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 10, T_on_udp, &rx, &sb10), SIM_OK);
    wg_ip bip = T_ip("10.0.2.10");
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9, (const uint8_t *)"x", 1), SIM_OK);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 10, (const uint8_t *)"y", 1), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_int_ge(in_calls, 2);
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_FILTER), 1);
    ck_assert_uint_ge(T_events_containing(c.w, "in hook: test rule 1"), 1);
    ck_assert_int_eq(fwd_calls, 1);
    /* The datagram to port 10 arrived NATed, with a valid checksum. */
    ck_assert_int_eq(rx.n, 1);
    ck_assert(wg_ip_eq(&rx.last.src, &nat_to));
    ck_assert_uint_eq(rx.last.sport, 40000);
    ck_assert_uint_eq(sim_node_drops(c.b, SIM_DROP_BAD_UDP_CHECKSUM), 0);
    /* The trace keeps why: a's route choice, then r1's NAT. */
    bool seen = false;
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        sim_trace_rec r_v; sim_trace_get(c.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->node == sim_node_id(c.r1) && r->dir == SIM_DIR_OUT && r->proto == SIM_IPPROTO_UDP) {
            ck_assert(wg_ip_eq(&r->src, &nat_to));
            ck_assert(r->reason->flags & SIM_SRC_F_NAT);
            ck_assert_int_eq(r->reason->kind, SIM_SRC_ROUTE);
            ck_assert_int_eq(r->origin_node, sim_node_id(c.a));
            /* the sender's route, then what the router's NAT did, on which node */
            char buf[300];
            ck_assert_str_eq((sim_src_reason_format(c.w, r->reason, buf, sizeof buf), buf),
                             "route: 0.0.0.0/0 via 10.0.1.1 dev eth0 (static); nat rule 0: 10.0.1.10:5000 -> "
                             "198.51.100.1:40000 on r1");
            seen = true;
        }
    }
    ck_assert(seen);
    sim_world_free(c.w);
}
END_TEST

/* route-to: r1 sends traffic for b through a second path s1b (r1 e2 -> r2 e3). */
static sim_verdict route_to(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)pt;
    sim_iface *alt = ctx;
    (void)n;
    sim_ipv4_info ip;
    ck_assert(sim_ipv4_parse(p->data, p->len, &ip));
    wg_prefix net_b = T_pfx("10.0.2.0/24");
    if (!wg_prefix_contains(&net_b, &ip.dst))
        return SIM_PASS;
    p->out_ifindex = sim_iface_index(alt);
    p->nexthop = T_ip("172.16.1.2");
    p->reason.flags |= SIM_SRC_F_ROUTE_TO;
    return SIM_PASS;
}

START_TEST(test_route_hook_steers)
{
    T_chain c = T_chain_new(102, SIM_MS);
    sim_segment *alt = T_seg(c.w, "alt", SIM_MS);
    sim_iface *r1alt = T_if(c.r1, "alt", alt, "172.16.1.1/30");
    T_if(c.r2, "alt", alt, "172.16.1.2/30");
    sim_node_add_hook(c.r1, SIM_HOOK_ROUTE, route_to, r1alt);
    T_run(c.w, SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.0.2.10"), .interval = SIM_S, .count = 3};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 5 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 5 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 3);
    /* Every echo crossed "alt", none "s12" in that direction. */
    size_t on_alt = 0, on_core = 0;
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        sim_trace_rec r_v; sim_trace_get(c.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->dir == SIM_DIR_WIRE && r->proto == SIM_IPPROTO_ICMP && r->icmp_type == SIM_ICMP_ECHO) {
            if (r->segment == sim_segment_id(alt))
                on_alt++, ck_assert(r->reason->flags & SIM_SRC_F_ROUTE_TO);
            if (r->segment == sim_segment_id(c.s12))
                on_core++;
        }
    }
    ck_assert_uint_eq(on_alt, 3);
    ck_assert_uint_eq(on_core, 0);
    sim_world_free(c.w);
}
END_TEST

typedef struct ad_rx {
    int n;
    uint8_t ttl;
    size_t len;
    uint32_t ifindex;
} ad_rx;

static void on_proto(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip, const uint8_t *l4, size_t len)
{
    (void)n;
    (void)l4;
    ad_rx *r = ctx;
    r->n++;
    r->ttl = ip->ttl;
    r->len = len;
    r->ifindex = sim_iface_index(in);
}

START_TEST(test_multicast_protocol_handler)
{
    sim_world *w = T_world(103);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *f1 = T_node(w, "f1", SIM_NODE_FIREWALL), *f2 = T_node(w, "f2", SIM_NODE_FIREWALL);
    sim_node *h = T_node(w, "h", SIM_NODE_HOST);
    sim_iface *i1 = T_if(f1, "lan", lan, "10.0.0.2/24");
    sim_iface *i2 = T_if(f2, "lan", lan, "10.0.0.3/24");
    T_if(h, "eth0", lan, "10.0.0.9/24");
    ad_rx got = {0};
    sim_node_set_proto_handler(f2, 112, on_proto, &got);
    T_run(w, SIM_S);
    uint8_t ad[36] = {0x21, 1};
    wg_ip group = T_ip("224.0.0.18");
    sim_mac vmac = {{0x00, 0x00, 0x5e, 0x00, 0x01, 0x01}};
    sim_ip_send_opts o = {.ifindex = sim_iface_index(i1), .ttl = 255, .df = true, .tos = 0xe0, .src_mac = &vmac};
    ck_assert_int_eq(sim_ip_send(f1, 112, &group, ad, sizeof ad, &o), SIM_OK);
    /* Without a forced interface, multicast has no route. */
    ck_assert_int_eq(sim_ip_send(f1, 112, &group, ad, sizeof ad, NULL), SIM_ENETUNREACH);
    T_run(w, 2 * SIM_S);
    ck_assert_int_eq(got.n, 1);
    ck_assert_int_eq(got.ttl, 255);
    ck_assert_uint_eq(got.len, 36);
    ck_assert_uint_eq(got.ifindex, sim_iface_index(i2));
    /* The host without a handler ignores it quietly (counted, not logged). */
    ck_assert_uint_eq(sim_node_drops(h, SIM_DROP_UNKNOWN_PROTO), 1);
    ck_assert_uint_eq(T_events_containing(w, "protocol 112"), 0);
    bool seen = false;
    for (size_t i = 0; i < sim_trace_count(w); i++) {
        sim_trace_rec r_v; sim_trace_get(w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->dir == SIM_DIR_WIRE && r->proto == 112) {
            sim_mac mm = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x12}};
            ck_assert(sim_mac_eq(&r->eth_dst, &mm));
            ck_assert(sim_mac_eq(&r->eth_src, &vmac));
            wg_ip src = T_ip("10.0.0.2");
            ck_assert(wg_ip_eq(&r->src, &src));
            seen = true;
        }
    }
    ck_assert(seen);
    /* Unicast of a protocol nobody handles: counted, logged and answered
     * with ICMP protocol unreachable from the address contacted; with a
     * handler it is delivered and not answered. */
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(f1, T_on_icmp, &icmp);
    wg_ip hip = T_ip("10.0.0.9"), f2ip = T_ip("10.0.0.3"), f1ip = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_ip_send(f1, 112, &hip, ad, sizeof ad, NULL), SIM_OK);
    ck_assert_int_eq(sim_ip_send(f1, 112, &f2ip, ad, sizeof ad, NULL), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert_uint_eq(sim_node_drops(h, SIM_DROP_UNKNOWN_PROTO), 2);
    ck_assert_uint_eq(T_events_containing(w, "protocol 112"), 1);
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_UNREACH);
    ck_assert_int_eq(icmp.last.icmp_code, SIM_ICMP_UNREACH_PROTO);
    ck_assert(wg_ip_eq(&icmp.last.src, &hip));
    ck_assert(wg_ip_eq(&icmp.last.dst, &f1ip));
    ck_assert_int_eq(icmp.quoted[9], 112);
    ck_assert_int_eq(got.n, 2);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_hooks");
    TCase *tc = tcase_create("hooks");
    tcase_add_test(tc, test_filter_and_nat_hooks);
    tcase_add_test(tc, test_route_hook_steers);
    tcase_add_test(tc, test_multicast_protocol_handler);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
