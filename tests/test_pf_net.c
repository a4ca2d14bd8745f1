/*
 * test_pf_net.c — pf on the simulated network: outbound NAT of forwarded
 * and self traffic, the filter's default block, reply-to / route-to on a
 * two-WAN firewall, states-kill, and the reason recorded in the trace.
 */
#include "test_e2e_topo.h"

static H_mw m;
static T_rx rx_remote, rx_fw, rx_host;
static sim_udp_sock *s_remote, *s_fw, *s_host;

static void build(bool gateways, const sim_fw_options *opt)
{
    memset(&rx_remote, 0, sizeof rx_remote);
    memset(&rx_fw, 0, sizeof rx_fw);
    memset(&rx_host, 0, sizeof rx_host);
    m = H_mw_new(3, gateways, opt);
    ck_assert_int_eq(sim_udp_bind(m.remote, NULL, 6000, T_on_udp, &rx_remote, &s_remote), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(m.fw, NULL, 7000, T_on_udp, &rx_fw, &s_fw), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(m.host, NULL, 4000, T_on_udp, &rx_host, &s_host), SIM_OK);
}

static void teardown(void)
{
    if (m.w)
        sim_world_free(m.w);
    m.w = NULL;
}

static sim_err send_udp(sim_udp_sock *s, const char *src, const char *dst, uint16_t dport)
{
    sim_udp_send_opts o = {0};
    if (src)
        o.src = T_ip(src);
    wg_ip d = T_ip(dst);
    uint8_t data[16] = "x";
    return sim_udp_sendto(s, &o, &d, dport, data, sizeof data);
}

typedef struct out_q {
    int node;
    uint32_t ifindex;
    uint32_t flags;
} out_q;

static bool out_pred(const sim_trace_rec *r, const void *arg)
{
    const out_q *q = arg;
    return r->proto == SIM_IPPROTO_UDP && r->node == q->node && r->ifindex == q->ifindex && r->reason != NULL &&
           (r->reason->flags & q->flags) == q->flags;
}

/* UDP packets the firewall sent out of ifname with a trace reason carrying
 * every flag in flags (0: any reason). */
static size_t fw_out(const char *ifname, uint32_t flags)
{
    out_q q = {sim_node_id(m.fw), sim_iface_index(sim_node_iface(m.fw, ifname)), flags};
    return T_count(m.w, q.node, SIM_DIR_OUT, out_pred, &q);
}

START_TEST(pf_nat_forwarded_traffic)
{
    build(false, NULL);
    sim_fw_nat_rule nr = {.ifname = "wan", .src = {.kind = SIM_FW_PREFIX, .prefix = T_pfx("10.0.0.0/24")},
                          .to_interface = true, .label = "lan to wan"};
    ck_assert_int_eq(sim_fw_set_nat(m.f, &nr, 1), SIM_OK);
    sim_fw_start(m.f);
    ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_remote.n, 1);
    wg_ip wan = T_ip("198.51.100.2");
    ck_assert(wg_ip_eq(&rx_remote.last.src, &wan));
    ck_assert_uint_ge(rx_remote.last.sport, 50001); /* randomized, pf's range */
    ck_assert_uint_ne(rx_remote.last.sport, 4000);
    /* the reply is translated back to the host */
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", rx_remote.last.sport), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    ck_assert_int_eq(rx_host.n, 1);
    wg_ip remote = T_ip("192.0.2.10");
    ck_assert(wg_ip_eq(&rx_host.last.src, &remote));
    /* the trace says NAT on fw's wan */
    out_q q = {sim_node_id(m.fw), sim_iface_index(sim_node_iface(m.fw, "wan")), SIM_SRC_F_NAT};
    ck_assert_uint_eq(T_count(m.w, q.node, SIM_DIR_OUT, out_pred, &q), 1);
    for (size_t i = 0; i < sim_trace_count(m.w); i++) {
        sim_trace_rec r_v; sim_trace_get(m.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (out_pred(r, &q))
            ck_assert_ptr_nonnull(strstr(T_reason(m.w, r), "lan to wan"));
    }
    /* one state on lan (in), one on wan (out, translated) */
    ck_assert_uint_eq(sim_fw_state_count(m.f), 2);
    bool seen = false;
    for (size_t i = 0; i < sim_fw_state_count(m.f); i++) {
        sim_fw_state_info si;
        ck_assert(sim_fw_state_at(m.f, i, &si));
        if (si.translated) {
            seen = true;
            ck_assert_str_eq(si.ifname, "wan");
            ck_assert(wg_ip_eq(&si.nat_src.ip, &wan));
            ck_assert_uint_eq(si.src.port, 4000);
        }
    }
    ck_assert(seen);
    /* states-kill: the remote's next packet to the mapped port is not
     * translated any more (blocked: nothing matches it) */
    ck_assert_uint_eq(sim_fw_states_kill(m.f), 2);
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", rx_remote.last.sport), SIM_OK);
    T_run(m.w, 3 * SIM_S);
    ck_assert_int_eq(rx_host.n, 1);
}
END_TEST

START_TEST(pf_nat_self_to_address_static_port)
{
    /* W3b shape: the firewall's own datagrams from port 7000 translated to
     * another address with static-port. */
    build(false, NULL);
    sim_fw_nat_rule nr = {.ifname = "wan", .proto = 17, .src = {.kind = SIM_FW_SELF}, .sport = 7000,
                          .to_addr = T_ip("198.51.100.77"), .static_port = true};
    ck_assert_int_eq(sim_fw_set_nat(m.f, &nr, 1), SIM_OK);
    sim_fw_start(m.f);
    ck_assert_int_eq(send_udp(s_fw, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_remote.n, 1);
    wg_ip t = T_ip("198.51.100.77");
    ck_assert(wg_ip_eq(&rx_remote.last.src, &t));
    ck_assert_uint_eq(rx_remote.last.sport, 7000);
}
END_TEST

START_TEST(pf_filter_blocks_unmatched_inbound)
{
    build(false, NULL);
    sim_fw_rule r = {.ifname = "wan", .dir = SIM_FW_DIR_IN, .proto = 17,
                     .src = {.kind = SIM_FW_PREFIX, .prefix = T_pfx("192.0.2.0/24")}, .dport = 7000, .label = "udp 7000"};
    ck_assert_int_eq(sim_fw_set_filter(m.f, &r, 1), SIM_OK);
    sim_fw_start(m.f);
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 7000), SIM_OK);
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 7001), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_fw.n, 1);
    ck_assert_uint_eq(sim_fw_drops(m.f, SIM_FW_DROP_RULE), 1);
    ck_assert_uint_eq(sim_node_drops(m.fw, SIM_DROP_FILTER), 1);
}
END_TEST

START_TEST(pf_reply_to_path_two_wan)
{
    /* Contacted on wan2, the firewall answers from wan2's address (the
     * application answers from the address it was contacted on); the FIB
     * says wan, pf sends it to wan2's gateway. */
    build(true, NULL);
    sim_fw_start(m.f);
    ck_assert_int_eq(send_udp(s_remote, NULL, "203.0.113.2", 7000), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_fw.n, 1);
    ck_assert_int_eq(send_udp(s_fw, "203.0.113.2", "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    ck_assert_int_eq(rx_remote.n, 1);
    wg_ip w2 = T_ip("203.0.113.2");
    ck_assert(wg_ip_eq(&rx_remote.last.src, &w2));
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_REPLY_TO), 1);
    /* isp2 carried it, not isp1 */
    ck_assert_uint_eq(H_count_udp(m.w, m.isp2, SIM_DIR_OUT, "203.0.113.2", "192.0.2.10", 7000, 6000, 0, 2 * SIM_S), 1);
    ck_assert_uint_eq(H_count_udp(m.w, m.isp1, SIM_DIR_OUT, "203.0.113.2", "192.0.2.10", 7000, 6000, 0, 2 * SIM_S), 0);
}
END_TEST

START_TEST(pf_route_to_self_traffic_without_state)
{
    /* Initiated from wan2's address with no state yet: the generated
     * "pass out route-to (wan2 gw) from wan2's addresses" rule steers it. */
    build(true, NULL);
    sim_fw_start(m.f);
    ck_assert_int_eq(send_udp(s_fw, "203.0.113.2", "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_remote.n, 1);
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_ROUTE_TO), 1);
    /* unbound: the default route's interface and address (C8) */
    ck_assert_int_eq(send_udp(s_fw, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    wg_ip w1 = T_ip("198.51.100.2");
    ck_assert(wg_ip_eq(&rx_remote.last.src, &w1));
}
END_TEST

START_TEST(pf_without_policy_routing_leaves_by_fib)
{
    sim_fw_options o = {.no_auto_route_to = true, .no_reply_to = true};
    build(true, &o);
    sim_fw_start(m.f);
    ck_assert_int_eq(send_udp(s_fw, "203.0.113.2", "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, SIM_S);
    /* it left wan towards isp1 with wan2's address as source */
    ck_assert_uint_eq(H_count_udp(m.w, m.isp1, SIM_DIR_OUT, "203.0.113.2", "192.0.2.10", 7000, 6000, 0, SIM_S), 1);
}
END_TEST

START_TEST(pf_gateway_down_router)
{
    build(false, NULL);
    sim_fw_start(m.f);
    sim_node_set_gateway_down(m.isp1, true);
    ck_assert(sim_node_gateway_down(m.isp1));
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 7000), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_fw.n, 0);
    ck_assert_uint_ge(sim_node_drops(m.isp1, SIM_DROP_FILTER), 1);
    sim_node_set_gateway_down(m.isp1, false);
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 7000), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    ck_assert_int_eq(rx_fw.n, 1);
}
END_TEST

/* The firewall started with one forward of wan port 51820 (to `addr`, or
 * the interface's address when NULL) to the host's port 4000, and a filter,
 * so that unmatched inbound traffic is blocked. */
static void start_forward(const char *addr)
{
    sim_fw_port_forward fwd = {.ifname = "wan", .port = 51820};
    if (addr)
        fwd.addr = T_ip(addr);
    ck_assert(wg_endpoint_parse("10.0.0.50:4000", &fwd.to));
    ck_assert_int_eq(sim_fw_set_port_forwards(m.f, &fwd, 1), SIM_OK);
    sim_fw_rule r = {.block = true, .ifname = "wan", .dir = SIM_FW_DIR_IN, .proto = 17, .dport = 9, .label = "x"};
    ck_assert_int_eq(sim_fw_set_filter(m.f, &r, 1), SIM_OK);
    sim_fw_start(m.f);
}

START_TEST(pf_port_forward_with_filter)
{
    build(true, NULL);
    start_forward(NULL);
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 51820), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_host.n, 1);
    wg_ip rem = T_ip("192.0.2.10"), wan = T_ip("198.51.100.2");
    ck_assert(wg_ip_eq(&rx_host.last.src, &rem));
    /* the inside host answers; the reply leaves with the public address */
    ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    ck_assert_int_eq(rx_remote.n, 1);
    ck_assert(wg_ip_eq(&rx_remote.last.src, &wan));
    ck_assert_uint_eq(rx_remote.last.sport, 51820);
    /* other ports stay blocked by the filter's default */
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 51821), SIM_OK);
    T_run(m.w, 3 * SIM_S);
    ck_assert_uint_eq(sim_fw_drops(m.f, SIM_FW_DROP_RULE), 1);
}
END_TEST

/* A forward whose destination is an IP alias of the WAN (pfSense's port
 * forward with Destination = a virtual IP; the rdr's `to` address): it
 * matches packets to the alias only, and the inside host's answers leave
 * from the alias through the rdr state. */
START_TEST(pf_port_forward_on_alias)
{
    build(true, NULL);
    wg_prefix al = T_pfx("198.51.100.20/24");
    ck_assert_int_eq(sim_iface_add_addr(sim_node_iface(m.fw, "wan"), &al, false, 0, 0), SIM_OK);
    start_forward("198.51.100.20");
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.20", 51820), SIM_OK);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(rx_host.n, 1);
    ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    ck_assert_int_eq(rx_remote.n, 1);
    wg_ip alias = T_ip("198.51.100.20");
    ck_assert(wg_ip_eq(&rx_remote.last.src, &alias));
    ck_assert_uint_eq(rx_remote.last.sport, 51820);
    /* the interface's own address is not the rule's destination: blocked */
    ck_assert_int_eq(send_udp(s_remote, NULL, "198.51.100.2", 51820), SIM_OK);
    T_run(m.w, 3 * SIM_S);
    ck_assert_int_eq(rx_host.n, 1);
    ck_assert_uint_eq(sim_fw_drops(m.f, SIM_FW_DROP_RULE), 1);
    /* an address of another family is refused */
    sim_fw_port_forward bad = {.ifname = "wan", .port = 51820};
    ck_assert(wg_endpoint_parse("10.0.0.50:4000", &bad.to));
    ck_assert(wg_ip_parse("2001:db8::1", &bad.addr));
    ck_assert_int_eq(sim_fw_set_port_forwards(m.f, &bad, 1), SIM_EINVAL);
}
END_TEST

START_TEST(pf_policy_route_skips_down_gateway)
{
    /* LAN traffic policy-routed to WAN2GW; when WAN2GW goes down the rule
     * keeps passing but new flows follow the default route (pfSense "skip
     * rules when gateway is down" off). */
    build(true, NULL);
    sim_fw_rule r = {.ifname = "lan", .dir = SIM_FW_DIR_IN, .gateway = "WAN2GW", .label = "lan via wan2"};
    ck_assert_int_eq(sim_fw_set_filter(m.f, &r, 1), SIM_OK);
    sim_fw_start(m.f);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 1100 * SIM_MS);
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_ROUTE_TO), 1);
    sim_node_set_gateway_down(m.isp2, true);
    T_run(m.w, 10 * SIM_S);
    sim_fw_gateway_info gi;
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN2GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_DOWN);
    sim_udp_sock *s2;
    T_rx rx2 = {0};
    ck_assert_int_eq(sim_udp_bind(m.host, NULL, 4001, T_on_udp, &rx2, &s2), SIM_OK);
    ck_assert_int_eq(send_udp(s2, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 10100 * SIM_MS);
    ck_assert_uint_eq(fw_out("wan", 0), 1);
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_ROUTE_TO), 1);
}
END_TEST

START_TEST(pf_policy_route_via_group)
{
    /* A rule naming a failover group routes to the group's best member and
     * follows it when that member goes down. */
    build(true, NULL);
    sim_fw_group_member mem[2] = {{"WAN2GW", 1}, {"WAN1GW", 2}};
    ck_assert_int_eq(sim_fw_add_gateway_group(m.f, "prefer2", SIM_GW_TRIGGER_DOWN, mem, 2), SIM_OK);
    sim_fw_rule r = {.ifname = "lan", .dir = SIM_FW_DIR_IN, .gateway = "prefer2", .label = "lan via group"};
    ck_assert_int_eq(sim_fw_set_filter(m.f, &r, 1), SIM_OK);
    sim_fw_rule bad = {.ifname = "lan", .dir = SIM_FW_DIR_IN, .gateway = "nosuch"};
    ck_assert_int_eq(sim_fw_set_filter(m.f, &bad, 1), SIM_EINVAL);
    sim_fw_start(m.f);
    T_run(m.w, SIM_S);
    ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 1100 * SIM_MS);
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_ROUTE_TO), 1);
    sim_node_set_gateway_down(m.isp2, true);
    T_run(m.w, 10 * SIM_S);
    sim_udp_sock *s2;
    T_rx rx2 = {0};
    ck_assert_int_eq(sim_udp_bind(m.host, NULL, 4001, T_on_udp, &rx2, &s2), SIM_OK);
    ck_assert_int_eq(send_udp(s2, NULL, "192.0.2.10", 6000), SIM_OK);
    T_run(m.w, 10100 * SIM_MS);
    ck_assert_uint_eq(fw_out("wan", SIM_SRC_F_ROUTE_TO), 1);
}
END_TEST

START_TEST(pf_policy_route_group_equal_tier_round_robin)
{
    /* Equal tier members: pfSense writes `route-to { (wan gw1) (wan2 gw2) }
     * round-robin`; each new state takes the next gateway, packets of one
     * state keep theirs. */
    build(true, NULL);
    sim_fw_group_member mem[2] = {{"WAN1GW", 1}, {"WAN2GW", 1}};
    ck_assert_int_eq(sim_fw_add_gateway_group(m.f, "balance", SIM_GW_TRIGGER_DOWN, mem, 2), SIM_OK);
    sim_fw_rule r = {.ifname = "lan", .dir = SIM_FW_DIR_IN, .gateway = "balance", .label = "lan balanced"};
    ck_assert_int_eq(sim_fw_set_filter(m.f, &r, 1), SIM_OK);
    sim_fw_start(m.f);
    T_run(m.w, SIM_S);
    for (uint16_t port = 6000; port < 6004; port++) {
        ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", port), SIM_OK);
        ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", port), SIM_OK); /* same state */
    }
    T_run(m.w, 1200 * SIM_MS);
    ck_assert_uint_eq(fw_out("wan", SIM_SRC_F_ROUTE_TO), 4);
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_ROUTE_TO), 4);
    /* a member going down leaves the other alone in the pool */
    sim_node_set_gateway_down(m.isp2, true);
    T_run(m.w, 20 * SIM_S);
    sim_fw_gateway_info gi;
    ck_assert(sim_fw_gateway_info_get(m.f, "WAN2GW", &gi));
    ck_assert_int_eq(gi.status, SIM_GW_DOWN);
    for (uint16_t port = 7000; port < 7004; port++)
        ck_assert_int_eq(send_udp(s_host, NULL, "192.0.2.10", port), SIM_OK);
    T_run(m.w, 20200 * SIM_MS);
    ck_assert_uint_eq(fw_out("wan", SIM_SRC_F_ROUTE_TO), 8);
    ck_assert_uint_eq(fw_out("wan2", SIM_SRC_F_ROUTE_TO), 4);
}
END_TEST

/* A home router (kind router) doing NAT for 192.168.1.10 on the net
 * segment, three remotes. */
typedef struct home {
    sim_world *w;
    sim_node *rt, *in, *r[3];
    sim_udp_sock *s_in, *s_r[3];
    T_rx rx_in, rx_r[3];
} home;
static home H;

static void home_build(sim_nat_mapping mapping, sim_time udp_timeout)
{
    memset(&H, 0, sizeof H);
    H.w = T_world(31);
    sim_segment *lan = T_seg(H.w, "lan", 0), *net = T_seg(H.w, "net", 5 * SIM_MS);
    H.rt = T_node(H.w, "home", SIM_NODE_ROUTER);
    T_if(H.rt, "lan", lan, "192.168.1.1/24");
    T_if(H.rt, "wan", net, "192.0.2.20/24");
    H.in = T_node(H.w, "inside", SIM_NODE_HOST);
    T_if(H.in, "eth0", lan, "192.168.1.10/24");
    T_route(H.in, "0.0.0.0/0", "192.168.1.1");
    const char *ra[3] = {"192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24"};
    const char *rn[3] = {"r0", "r1", "r2"};
    for (int i = 0; i < 3; i++) {
        H.r[i] = T_node(H.w, rn[i], SIM_NODE_HOST);
        T_if(H.r[i], "eth0", net, ra[i]);
        ck_assert_int_eq(sim_udp_bind(H.r[i], NULL, 51820, T_on_udp, &H.rx_r[i], &H.s_r[i]), SIM_OK);
    }
    ck_assert_int_eq(sim_udp_bind(H.in, NULL, 51820, T_on_udp, &H.rx_in, &H.s_in), SIM_OK);
    sim_fw *f = H_fw(H.rt);
    sim_fw_nat_rule nr = {.ifname = "wan", .src = {.kind = SIM_FW_PREFIX, .prefix = T_pfx("192.168.1.0/24")},
                          .to_interface = true, .mapping = mapping, .udp_timeout = udp_timeout};
    ck_assert_int_eq(sim_fw_set_nat(f, &nr, 1), SIM_OK);
    sim_fw_start(f);
    m.w = H.w; /* freed by teardown */
}

START_TEST(pf_router_endpoint_independent_nat)
{
    home_build(SIM_NAT_MAP_DEFAULT, 30 * SIM_S);
    ck_assert_int_eq(send_udp(H.s_in, NULL, "192.0.2.10", 51820), SIM_OK);
    ck_assert_int_eq(send_udp(H.s_in, NULL, "192.0.2.11", 51820), SIM_OK);
    T_run(H.w, SIM_S);
    wg_ip pub = T_ip("192.0.2.20");
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(H.rx_r[i].n, 1);
        ck_assert(wg_ip_eq(&H.rx_r[i].last.src, &pub));
        ck_assert_uint_eq(H.rx_r[i].last.sport, 51820); /* one port, preserved */
    }
    /* a remote never contacted reaches the inside host through the mapping */
    ck_assert_int_eq(send_udp(H.s_r[2], NULL, "192.0.2.20", 51820), SIM_OK);
    T_run(H.w, 2 * SIM_S);
    ck_assert_int_eq(H.rx_in.n, 1);
    /* udp-timeout 30 s: idle mappings and states expire */
    T_run(H.w, 40 * SIM_S);
    ck_assert_int_eq(send_udp(H.s_r[2], NULL, "192.0.2.20", 51820), SIM_OK);
    T_run(H.w, 41 * SIM_S);
    ck_assert_int_eq(H.rx_in.n, 1);
}
END_TEST

START_TEST(pf_router_symmetric_nat)
{
    home_build(SIM_NAT_MAP_SYMMETRIC, 0);
    ck_assert_int_eq(send_udp(H.s_in, NULL, "192.0.2.10", 51820), SIM_OK);
    ck_assert_int_eq(send_udp(H.s_in, NULL, "192.0.2.11", 51820), SIM_OK);
    T_run(H.w, SIM_S);
    ck_assert_int_eq(H.rx_r[0].n, 1);
    ck_assert_int_eq(H.rx_r[1].n, 1);
    ck_assert_uint_ne(H.rx_r[0].last.sport, H.rx_r[1].last.sport);
    /* no way in for a third party */
    ck_assert_int_eq(send_udp(H.s_r[2], NULL, "192.0.2.20", H.rx_r[0].last.sport), SIM_OK);
    T_run(H.w, 2 * SIM_S);
    ck_assert_int_eq(H.rx_in.n, 0);
}
END_TEST

START_TEST(pf_user_rule_beats_non_quick_self_route_to)
{
    /* pfSense's self-traffic route-to rules are not quick; a user floating
     * rule is. So a "block out" for the firewall's own traffic wins over
     * them (pf: first quick match, else last match). */
    build(true, NULL);
    sim_fw_rule r[2] = {
        {.block = true, .dir = SIM_FW_DIR_OUT, .proto = SIM_IPPROTO_UDP,
         .src = {.kind = SIM_FW_PREFIX, .prefix = T_pfx("198.51.100.2/32")}, .dport = 6000, .label = "block out"},
        {.dir = SIM_FW_DIR_IN, .label = "pass in"},
    };
    ck_assert_int_eq(sim_fw_set_filter(m.f, r, 2), SIM_OK);
    sim_fw_start(m.f);
    T_run(m.w, 1 * SIM_S);
    uint64_t d0 = sim_fw_drops(m.f, SIM_FW_DROP_RULE);
    ck_assert_int_eq(send_udp(s_fw, NULL, "192.0.2.10", 6000), SIM_EPERM);
    ck_assert_uint_eq(sim_fw_drops(m.f, SIM_FW_DROP_RULE), d0 + 1);
    /* other traffic from the same address still gets the route-to rule */
    ck_assert_int_eq(send_udp(s_fw, NULL, "192.0.2.10", 6001), SIM_OK);
    T_run(m.w, 2 * SIM_S);
    ck_assert_int_eq(rx_remote.n, 0); /* nothing bound on 6001 at the remote; 6000 was blocked */
    ck_assert_uint_eq(fw_out("wan", SIM_SRC_F_ROUTE_TO), 1);
}
END_TEST

START_TEST(pf_block_own_send_is_plain_error_for_wireguard)
{
    /* pf dropping the node's own datagram: the send fails with the error a
     * packet filter gives (SIM_EPERM; FreeBSD 13 ip_output_pfil EPERM,
     * 14+ EACCES), which the WireGuard host reports as "any other
     * failure". FreeBSD if_wg.c acts only on EADDRNOTAVAIL, so the packet
     * is lost, the learned source is kept and nothing is retried from
     * another address. */
    m = H_mw_new(21, false, NULL);
    H_wg g = H_wg_setup(m.w, m.fw, NULL, m.remote, "203.0.113.2:51820", 0, 0);
    sim_fw_start(m.f);
    sim_ping_config pc = {.dst = T_ip("10.99.0.1"), .start = 2 * SIM_S, .interval = SIM_S};
    sim_ping *p = sim_ping_start(m.remote, &pc);
    ck_assert_ptr_nonnull(p);
    T_run(m.w, 10 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 3 * SIM_S, 10 * SIM_S, &st);
    ck_assert_uint_eq(st.received, st.sent);
    wg_peer_info pi;
    ck_assert(wg_device_peer_info(sim_wg_device(g.w1), g.f_peer, &pi));
    wg_ip w2 = T_ip("203.0.113.2");
    ck_assert(wg_ip_eq(&pi.learned_source.addr, &w2));
    ck_assert_uint_eq(sim_wg_send_errors(g.w1, WG_SEND_UNREACHABLE), 0);

    /* block what the firewall itself sends from wan2's address; inbound
     * passes without state so the replies meet the block rule */
    sim_fw_rule r[2] = {
        {.block = true, .dir = SIM_FW_DIR_OUT, .proto = SIM_IPPROTO_UDP,
         .src = {.kind = SIM_FW_PREFIX, .prefix = T_pfx("203.0.113.2/32")}, .sport = 51820, .label = "block self"},
        {.dir = SIM_FW_DIR_IN, .no_state = true, .label = "pass in"},
    };
    ck_assert_int_eq(sim_fw_set_filter(m.f, r, 2), SIM_OK);
    sim_fw_states_kill(m.f);
    uint64_t drops0 = sim_fw_drops(m.f, SIM_FW_DROP_RULE);
    T_run(m.w, 14 * SIM_S);
    ck_assert_uint_gt(sim_fw_drops(m.f, SIM_FW_DROP_RULE), drops0);
    ck_assert_uint_gt(sim_wg_send_errors(g.w1, WG_SEND_UNREACHABLE), 0);
    ck_assert_uint_eq(sim_wg_send_errors(g.w1, WG_SEND_EADDRNOTAVAIL), 0);
    /* the learned source survives and no datagram left from another address */
    ck_assert(wg_device_peer_info(sim_wg_device(g.w1), g.f_peer, &pi));
    ck_assert(wg_ip_eq(&pi.learned_source.addr, &w2));
    ck_assert_uint_eq(H_count_udp(m.w, m.fw, SIM_DIR_OUT, NULL, NULL, 51820, 0, 10 * SIM_S, 14 * SIM_S), 0);
    sim_ping_stats_between(p, 11 * SIM_S, 14 * SIM_S, &st);
    ck_assert_uint_eq(st.received, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pf_net");
    TCase *t = tcase_create("pf_net");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_add_test(t, pf_nat_forwarded_traffic);
    tcase_add_test(t, pf_nat_self_to_address_static_port);
    tcase_add_test(t, pf_filter_blocks_unmatched_inbound);
    tcase_add_test(t, pf_reply_to_path_two_wan);
    tcase_add_test(t, pf_route_to_self_traffic_without_state);
    tcase_add_test(t, pf_without_policy_routing_leaves_by_fib);
    tcase_add_test(t, pf_gateway_down_router);
    tcase_add_test(t, pf_port_forward_with_filter);
    tcase_add_test(t, pf_port_forward_on_alias);
    tcase_add_test(t, pf_policy_route_skips_down_gateway);
    tcase_add_test(t, pf_policy_route_via_group);
    tcase_add_test(t, pf_policy_route_group_equal_tier_round_robin);
    tcase_add_test(t, pf_router_endpoint_independent_nat);
    tcase_add_test(t, pf_router_symmetric_nat);
    tcase_add_test(t, pf_block_own_send_is_plain_error_for_wireguard);
    tcase_add_test(t, pf_user_rule_beats_non_quick_self_route_to);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
