/*
 * test_pf.c — the pf model alone (sim/pf_*.c): states on both keys, UDP
 * timeouts, NAT port allocation and static-port collisions, first-match
 * filtering, reply-to / route-to, states-kill.
 */
#include "sim/netpfil/pf.h"

#include <check.h>
#include <string.h>

#include "suite_run.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define WAN_ADDR IP(198, 51, 100, 2)
#define VIP IP(198, 51, 100, 1)
#define WAN2_ADDR IP(203, 0, 113, 2)
#define REMOTE IP(192, 0, 2, 10)
#define LAN_HOST IP(10, 0, 0, 50)

static sim_engine *eng;
static sim_rng rng;
static pf P;

static bool t_is_self(void *ctx, uint32_t a)
{
    (void)ctx;
    return a == WAN_ADDR || a == VIP || a == WAN2_ADDR || a == IP(10, 0, 0, 2);
}
static bool t_iface_addr(void *ctx, const char *ifname, uint32_t *a)
{
    (void)ctx;
    if (!strcmp(ifname, "wan"))
        *a = WAN_ADDR;
    else if (!strcmp(ifname, "wan2"))
        *a = WAN2_ADDR;
    else
        return false;
    return true;
}
static bool t_iface_exists(void *ctx, const char *n)
{
    (void)ctx;
    return !strcmp(n, "wan") || !strcmp(n, "wan2") || !strcmp(n, "lan");
}

static void setup(void)
{
    eng = sim_engine_native_new();
    sim_rng_init(&rng, 7, "fw1");
    pf_host_ops ops = {.is_self = t_is_self, .iface_addr = t_iface_addr, .iface_exists = t_iface_exists};
    pf_init(&P, eng, &rng, 1, &ops);
}

static void teardown(void)
{
    pf_destroy(&P);
    sim_engine_destroy(eng);
}

static void advance(sim_time t) { sim_run_until(eng, t); }

static pf_pkt udp(uint32_t s, uint16_t sp, uint32_t d, uint16_t dp)
{
    pf_pkt p = {.proto = PF_PROTO_UDP, .src = s, .dst = d, .sport = sp, .dport = dp};
    return p;
}

START_TEST(pf_udp_state_timeouts)
{
    /* udp.first 60 / udp.single 30 / udp.multiple 60 (ha-model.md §2) */
    pf_pkt p = udp(WAN_ADDR, 51820, REMOTE, 51820);
    pf_result r = pf_test(&P, PF_OUT, "wan", &p);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert(r.new_state);
    pf_state *s = r.state;
    ck_assert_int_eq(s->timeout, PFTM_FIRST);
    ck_assert_int_eq(pf_state_expires_at(&P, s), 60 * SIM_S);
    advance(10 * SIM_S);
    p = udp(WAN_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan", &p); /* same side again: single */
    ck_assert_ptr_eq(r.state, s);
    ck_assert_int_eq(s->timeout, PFTM_SINGLE);
    ck_assert_int_eq(pf_state_expires_at(&P, s), 40 * SIM_S);
    advance(20 * SIM_S);
    p = udp(REMOTE, 51820, WAN_ADDR, 51820);
    r = pf_test(&P, PF_IN, "wan", &p); /* reply: responder SINGLE, initiator MULTIPLE */
    ck_assert_ptr_eq(r.state, s);
    ck_assert_int_eq(s->timeout, PFTM_SINGLE);
    ck_assert_int_eq(s->src_state, PFUDPS_MULTIPLE);
    advance(25 * SIM_S);
    p = udp(WAN_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan", &p); /* both MULTIPLE */
    ck_assert_int_eq(s->timeout, PFTM_MULTIPLE);
    ck_assert_int_eq(pf_state_expires_at(&P, s), 85 * SIM_S);
    advance(85 * SIM_S - 1);
    ck_assert_uint_eq(pf_state_count(&P), 1);
    advance(85 * SIM_S);
    ck_assert_uint_eq(pf_state_count(&P), 0);
    ck_assert_uint_eq(pf_state_purge(&P), 1);
    /* an expired state no longer matches: a new inbound packet is blocked
     * once a filter exists */
    pf_filter_rule rule = {.action = PF_PASS, .dir = PF_IN, .proto = PF_PROTO_ICMP};
    pf_set_rules(&P, &rule, 1);
    p = udp(REMOTE, 51820, WAN_ADDR, 51820);
    r = pf_test(&P, PF_IN, "wan", &p);
    ck_assert_int_eq(r.action, PF_BLOCK);
    ck_assert_int_eq(r.drop, PF_DROP_RULE);
}
END_TEST

START_TEST(pf_udp_first_expiry_without_reply)
{
    pf_pkt p = udp(WAN_ADDR, 51820, REMOTE, 51820);
    pf_test(&P, PF_OUT, "wan", &p);
    advance(59 * SIM_S);
    ck_assert_uint_eq(pf_state_count(&P), 1);
    advance(60 * SIM_S);
    ck_assert_uint_eq(pf_state_count(&P), 0);
}
END_TEST

START_TEST(pf_nat_port_allocation)
{
    /* Randomized source port: start drawn from the node stream, first free
     * upward, then downward (pf_get_sport). A narrow range makes the walk
     * visible. */
    P.opt.nat_port_low = 50001;
    P.opt.nat_port_high = 50010;
    pf_nat_rule nr = {.ifname = "wan", .src = {.kind = PF_ADDR_PREFIX, .addr = IP(10, 0, 0, 0), .plen = 24},
                      .to_interface = true};
    pf_set_nat(&P, &nr, 1);

    sim_rng shadow = rng;
    uint32_t cut = 50001 + (uint32_t)sim_rng_below(&shadow, 10);
    pf_pkt p = udp(LAN_HOST, 40000, REMOTE, 53);
    pf_result r = pf_test(&P, PF_OUT, "wan", &p);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert_int_eq(r.nat_rule, 0);
    ck_assert(r.translated);
    ck_assert_uint_eq(p.src, WAN_ADDR);
    ck_assert_uint_eq(p.sport, cut);
    /* both keys: stack = original, wire = translated */
    ck_assert_uint_eq(r.state->stack.addr[1], LAN_HOST);
    ck_assert_uint_eq(r.state->stack.port[1], 40000);
    ck_assert_uint_eq(r.state->wire.addr[1], WAN_ADDR);
    ck_assert_uint_eq(r.state->wire.port[1], cut);

    /* the reply is translated back through the wire key */
    pf_pkt back = udp(REMOTE, 53, WAN_ADDR, (uint16_t)cut);
    pf_result rb = pf_test(&P, PF_IN, "wan", &back);
    ck_assert_int_eq(rb.action, PF_PASS);
    ck_assert(rb.translated);
    ck_assert_uint_eq(back.dst, LAN_HOST);
    ck_assert_uint_eq(back.dport, 40000);

    /* fill every port: next flows walk up from their start, then down */
    int seen[11] = {0};
    seen[cut - 50001] = 1;
    for (int i = 1; i < 10; i++) {
        shadow = rng;
        uint32_t c = 50001 + (uint32_t)sim_rng_below(&shadow, 10);
        uint32_t want = 0;
        for (uint32_t t = c; t <= 50010 && !want; t++)
            if (!seen[t - 50001])
                want = t;
        for (uint32_t t = c; t-- > 50001 && !want;)
            if (!seen[t - 50001])
                want = t;
        pf_pkt q = udp(LAN_HOST, (uint16_t)(40001 + i), REMOTE, 53);
        pf_result rq = pf_test(&P, PF_OUT, "wan", &q);
        ck_assert_int_eq(rq.action, PF_PASS);
        ck_assert_uint_eq(q.sport, want);
        seen[want - 50001] = 1;
    }
    /* range exhausted: PFRES_MAPFAILED */
    pf_pkt q = udp(LAN_HOST, 41000, REMOTE, 53);
    pf_result rq = pf_test(&P, PF_OUT, "wan", &q);
    ck_assert_int_eq(rq.action, PF_BLOCK);
    ck_assert_int_eq(rq.drop, PF_DROP_NAT_MAP);
    /* a different destination has its own key space */
    q = udp(LAN_HOST, 41000, REMOTE + 1, 53);
    ck_assert_int_eq(pf_test(&P, PF_OUT, "wan", &q).action, PF_PASS);
}
END_TEST

START_TEST(pf_nat_static_port_collision)
{
    /* Two sources translated to the same address with static-port and the
     * same source port to the same destination: the second one's wire key
     * is taken, so pf drops it and counts it. */
    pf_nat_rule nr = {.ifname = "wan", .proto = PF_PROTO_UDP, .src = {.kind = PF_ADDR_ANY},
                      .to_addr = VIP, .static_port = true, .label = "to VIP"};
    pf_set_nat(&P, &nr, 1);
    pf_pkt a = udp(LAN_HOST, 51820, REMOTE, 51820);
    pf_result ra = pf_test(&P, PF_OUT, "wan", &a);
    ck_assert_int_eq(ra.action, PF_PASS);
    ck_assert_uint_eq(a.src, VIP);
    ck_assert_uint_eq(a.sport, 51820);
    pf_pkt b = udp(LAN_HOST + 1, 51820, REMOTE, 51820);
    pf_result rb = pf_test(&P, PF_OUT, "wan", &b);
    ck_assert_int_eq(rb.action, PF_BLOCK);
    ck_assert_int_eq(rb.drop, PF_DROP_NAT_MAP);
    ck_assert_uint_eq(P.drops[PF_DROP_NAT_MAP], 1);
    ck_assert_uint_eq(b.src, LAN_HOST + 1); /* untouched */
    /* different source port: free */
    pf_pkt c = udp(LAN_HOST + 1, 51821, REMOTE, 51820);
    ck_assert_int_eq(pf_test(&P, PF_OUT, "wan", &c).action, PF_PASS);
    ck_assert_uint_eq(c.sport, 51821);
}
END_TEST

START_TEST(pf_nat_icmp_echo_id_randomised)
{
    /* FreeBSD 14 pf_get_sport: an ICMP echo's id is searched in 1-65535
     * from a random start even with static-port (the range is set before
     * the static-port case); the reply is translated back by the state. */
    pf_nat_rule nr = {.ifname = "wan", .src = {.kind = PF_ADDR_ANY}, .to_interface = true, .static_port = true};
    pf_set_nat(&P, &nr, 1);
    sim_rng shadow = rng;
    uint32_t cut = 1 + (uint32_t)sim_rng_below(&shadow, 65535);
    pf_pkt e = {.proto = PF_PROTO_ICMP, .src = LAN_HOST, .dst = REMOTE, .sport = 0x5700, .dport = 0x5700};
    pf_result r = pf_test(&P, PF_OUT, "wan", &e);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert_uint_eq(e.src, WAN_ADDR);
    ck_assert_uint_eq(e.sport, cut);
    ck_assert_uint_eq(e.dport, cut);
    pf_pkt back = {.proto = PF_PROTO_ICMP, .src = REMOTE, .dst = WAN_ADDR, .sport = (uint16_t)cut,
                   .dport = (uint16_t)cut};
    r = pf_test(&P, PF_IN, "wan", &back);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert_uint_eq(back.dst, LAN_HOST);
    ck_assert_uint_eq(back.dport, 0x5700);
}
END_TEST

START_TEST(pf_nat_self_source)
{
    /* source `self` matches the firewall's own packets (pfSense "This
     * Firewall"); a LAN host does not match it. */
    pf_nat_rule nr = {.ifname = "wan", .proto = PF_PROTO_UDP, .src = {.kind = PF_ADDR_SELF}, .sport = 51820,
                      .to_addr = VIP, .static_port = true};
    pf_set_nat(&P, &nr, 1);
    pf_pkt own = udp(WAN_ADDR, 51820, REMOTE, 51820);
    pf_result r = pf_test(&P, PF_OUT, "wan", &own);
    ck_assert_int_eq(r.nat_rule, 0);
    ck_assert_uint_eq(own.src, VIP);
    pf_pkt lan = udp(LAN_HOST, 51820, REMOTE + 1, 51820);
    r = pf_test(&P, PF_OUT, "wan", &lan);
    ck_assert_int_eq(r.nat_rule, -1);
    ck_assert_uint_eq(lan.src, LAN_HOST);
    /* other interface: the rule does not apply */
    pf_pkt o2 = udp(WAN_ADDR, 51820, REMOTE + 2, 51820);
    r = pf_test(&P, PF_OUT, "wan2", &o2);
    ck_assert_int_eq(r.nat_rule, -1);
}
END_TEST

START_TEST(pf_filter_first_match_and_default)
{
    pf_filter_rule rules[3] = {
        {.action = PF_BLOCK, .ifname = "wan", .dir = PF_IN, .proto = PF_PROTO_UDP,
         .src = {.kind = PF_ADDR_PREFIX, .addr = IP(192, 0, 2, 66), .plen = 32}, .label = "block one"},
        {.action = PF_PASS, .ifname = "wan", .dir = PF_IN, .proto = PF_PROTO_UDP,
         .src = {.kind = PF_ADDR_PREFIX, .addr = IP(192, 0, 2, 0), .plen = 24}, .dport = 51820, .label = "wg"},
        {.action = PF_PASS, .ifname = "lan", .dir = PF_IN, .label = "lan"},
    };
    pf_set_rules(&P, rules, 3);
    pf_pkt p = udp(IP(192, 0, 2, 66), 1000, WAN_ADDR, 51820);
    ck_assert_int_eq(pf_test(&P, PF_IN, "wan", &p).action, PF_BLOCK);
    p = udp(REMOTE, 1000, WAN_ADDR, 51820);
    pf_result r = pf_test(&P, PF_IN, "wan", &p);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert_int_eq(r.rule, 1);
    ck_assert(r.new_state);
    p = udp(REMOTE, 1000, WAN_ADDR, 22);
    ck_assert_int_eq(pf_test(&P, PF_IN, "wan", &p).action, PF_BLOCK); /* unmatched inbound */
    p = udp(IP(8, 8, 8, 8), 53, WAN_ADDR, 5353);
    ck_assert_int_eq(pf_test(&P, PF_IN, "wan", &p).action, PF_BLOCK);
    p = udp(WAN_ADDR, 5353, IP(8, 8, 8, 8), 53);
    r = pf_test(&P, PF_OUT, "wan", &p); /* outbound passes with state */
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert(r.new_state);
    p = udp(IP(8, 8, 8, 8), 53, WAN_ADDR, 5353);
    ck_assert_int_eq(pf_test(&P, PF_IN, "wan", &p).action, PF_PASS); /* its reply matches the state */
}
END_TEST

START_TEST(pf_reply_to_path)
{
    /* pfSense adds reply-to (wan2 gw) to pass rules on wan2: the reply to a
     * packet that came in on wan2 is sent to wan2's gateway. */
    pf_filter_rule rule = {.action = PF_PASS, .ifname = "wan2", .dir = PF_IN, .rt = PF_RT_REPLYTO,
                           .rt_ifname = "wan2", .rt_addr = IP(203, 0, 113, 1), .label = "wan2 in"};
    pf_set_rules(&P, &rule, 1);
    pf_pkt in = udp(REMOTE, 51820, WAN2_ADDR, 51820);
    pf_result r = pf_test(&P, PF_IN, "wan2", &in);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert_int_eq(r.rt, PF_RT_NONE); /* reply-to does not route the inbound packet */
    pf_pkt out = udp(WAN2_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan2", &out);
    ck_assert_int_eq(r.rt, PF_RT_REPLYTO);
    ck_assert_str_eq(r.rt_ifname, "wan2");
    ck_assert_uint_eq(r.rt_addr, IP(203, 0, 113, 1));
    /* if-bound: the same reply leaving wan (the FIB's choice) misses the
     * wan2 state and creates its own, without reply-to */
    out = udp(WAN2_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan", &out);
    ck_assert(r.new_state);
    ck_assert_int_eq(r.rt, PF_RT_NONE);
    /* floating states follow the packet to any interface */
    pf_states_kill(&P, NULL);
    P.opt.if_bound = false;
    in = udp(REMOTE, 51820, WAN2_ADDR, 51820);
    pf_test(&P, PF_IN, "wan2", &in);
    out = udp(WAN2_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan", &out);
    ck_assert_int_eq(r.rt, PF_RT_REPLYTO);
    ck_assert_str_eq(r.rt_ifname, "wan2");
}
END_TEST

START_TEST(pf_route_to_self_traffic)
{
    /* pfSense: pass out route-to (wan2 gw) from <wan2 addresses> to
     * !<wan2 subnet>: self traffic sourced from WAN2 goes to WAN2's gateway. */
    pf_filter_rule rule = {.action = PF_PASS, .dir = PF_OUT,
                           .src = {.kind = PF_ADDR_PREFIX, .addr = WAN2_ADDR, .plen = 32},
                           .dst = {.kind = PF_ADDR_PREFIX, .addr = IP(203, 0, 113, 0), .plen = 24, .neg = true},
                           .rt = PF_RT_ROUTETO, .rt_ifname = "wan2", .rt_addr = IP(203, 0, 113, 1),
                           .label = "self route-to wan2"};
    pf_set_rules(&P, &rule, 1);
    pf_pkt out = udp(WAN2_ADDR, 51820, REMOTE, 51820);
    pf_result r = pf_test(&P, PF_OUT, "wan", &out);
    ck_assert_int_eq(r.rt, PF_RT_ROUTETO);
    ck_assert_str_eq(r.rt_ifname, "wan2");
    /* later packets of the state in the same direction follow it */
    out = udp(WAN2_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan", &out);
    ck_assert(!r.new_state);
    ck_assert_int_eq(r.rt, PF_RT_ROUTETO);
    /* wan1's own address is not steered */
    out = udp(WAN_ADDR, 51820, REMOTE, 51820);
    r = pf_test(&P, PF_OUT, "wan", &out);
    ck_assert_int_eq(r.rt, PF_RT_NONE);
    /* a destination in wan2's subnet is not steered */
    out = udp(WAN2_ADDR, 51820, IP(203, 0, 113, 77), 51820);
    r = pf_test(&P, PF_OUT, "wan", &out);
    ck_assert_int_eq(r.rt, PF_RT_NONE);
}
END_TEST

START_TEST(pf_states_kill_and_import)
{
    pf_pkt p = udp(WAN_ADDR, 51820, REMOTE, 51820);
    pf_test(&P, PF_OUT, "wan", &p);
    p = udp(WAN_ADDR, 51821, REMOTE + 1, 51820);
    pf_test(&P, PF_OUT, "wan", &p);
    ck_assert_uint_eq(pf_state_count(&P), 2);
    uint32_t a = REMOTE + 1;
    ck_assert_uint_eq(pf_states_kill(&P, &a), 1);
    ck_assert_uint_eq(pf_states_kill(&P, NULL), 1);
    ck_assert_uint_eq(pf_state_count(&P), 0);
    /* import: unknown interface skipped, known one inserted with the
     * remaining lifetime */
    pf_state s = {.id = 9, .creatorid = 2, .ifname = "opt7", .dir = PF_OUT, .timeout = PFTM_FIRST};
    pf_key_for_packet(PF_OUT, &p, &s.wire);
    s.stack = s.wire;
    ck_assert(!pf_state_import(&P, &s, 50 * SIM_S));
    strcpy(s.ifname, "wan");
    ck_assert(pf_state_import(&P, &s, 50 * SIM_S));
    ck_assert_uint_eq(pf_state_count(&P), 1);
    ck_assert_int_eq(pf_state_expires_at(&P, P.st[0]), 50 * SIM_S);
    ck_assert(P.st[0]->imported);
    ck_assert(pf_state_import_delete(&P, &s));
    ck_assert_uint_eq(pf_state_count(&P), 0);
}
END_TEST

START_TEST(pf_many_states_indexed)
{
    /* 20000 NATed flows: every reply finds its own state (hash index on
     * both keys), purge frees them all once expired. */
    pf_nat_rule nr = {.ifname = "wan", .src = {.kind = PF_ADDR_PREFIX, .addr = IP(10, 0, 0, 0), .plen = 8},
                      .to_interface = true};
    pf_set_nat(&P, &nr, 1);
    static uint16_t port[20000];
    for (uint32_t i = 0; i < 20000; i++) {
        pf_pkt q = udp(IP(10, 1, 0, 0) + i, 5000, REMOTE + i % 4, 53); /* 15535 ports per destination */
        pf_result r = pf_test(&P, PF_OUT, "wan", &q);
        ck_assert_int_eq(r.action, PF_PASS);
        port[i] = q.sport;
    }
    ck_assert_uint_eq(pf_state_count(&P), 20000);
    for (uint32_t i = 0; i < 20000; i += 7) {
        pf_pkt b = udp(REMOTE + i % 4, 53, WAN_ADDR, port[i]);
        pf_result r = pf_test(&P, PF_IN, "wan", &b);
        ck_assert_int_eq(r.action, PF_PASS);
        ck_assert_uint_eq(b.dst, IP(10, 1, 0, 0) + i);
        ck_assert_uint_eq(b.dport, 5000);
    }
    advance(200 * SIM_S);
    ck_assert_uint_eq(pf_state_purge(&P), 20000);
    ck_assert_uint_eq(P.n, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pf");
    TCase *t = tcase_create("pf");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, pf_udp_state_timeouts);
    tcase_add_test(t, pf_udp_first_expiry_without_reply);
    tcase_add_test(t, pf_nat_port_allocation);
    tcase_add_test(t, pf_nat_static_port_collision);
    tcase_add_test(t, pf_nat_self_source);
    tcase_add_test(t, pf_nat_icmp_echo_id_randomised);
    tcase_add_test(t, pf_filter_first_match_and_default);
    tcase_add_test(t, pf_reply_to_path);
    tcase_add_test(t, pf_route_to_self_traffic);
    tcase_add_test(t, pf_states_kill_and_import);
    tcase_add_test(t, pf_many_states_indexed);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return T_run_suite(suite()); }
