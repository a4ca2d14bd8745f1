/*
 * test_net_fib.c — the forwarding table: longest-prefix match, connected
 * routes following addresses, gateway resolution, duplicates/replace, and
 * the route lookup restricted to one interface (wireguard-go).
 */
#include "net_topo.h"

static sim_world *w;
static sim_node *r;
static sim_iface *e0, *e1, *e2;

static void setup(void)
{
    w = T_world(11);
    sim_segment *s0 = T_seg(w, "s0", 0), *s1 = T_seg(w, "s1", 0), *s2 = T_seg(w, "s2", 0);
    r = T_node(w, "r", SIM_NODE_ROUTER);
    e0 = T_if(r, "e0", s0, "192.0.2.1/24");
    e1 = T_if(r, "e1", s1, "198.51.100.1/24");
    e2 = T_if(r, "e2", s2, "203.0.113.1/24");
}

static void teardown(void) { sim_world_free(w); }

static void expect(const char *dst, uint32_t ifindex, const char *nexthop, const char *src)
{
    wg_ip d = T_ip(dst);
    sim_route_result rr;
    ck_assert_msg(sim_fib_lookup(r, &d, &rr), "no route to %s", dst);
    ck_assert_uint_eq(rr.ifindex, ifindex);
    wg_ip nh = T_ip(nexthop), s = T_ip(src);
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    ck_assert_msg(wg_ip_eq(&rr.nexthop, &nh), "%s: nexthop %s", dst, wg_ip_format(&rr.nexthop, b1));
    ck_assert_msg(wg_ip_eq(&rr.src, &s), "%s: src %s", dst, wg_ip_format(&rr.src, b2));
}

START_TEST(test_longest_prefix)
{
    T_route(r, "0.0.0.0/0", "192.0.2.254");
    T_route(r, "10.0.0.0/8", "198.51.100.254");
    T_route(r, "10.1.0.0/16", "203.0.113.254");
    sim_route host = {.dst = T_pfx("10.1.2.3/32"), .ifindex = sim_iface_index(e0), .origin = SIM_RT_STATIC};
    ck_assert_int_eq(sim_route_add(r, &host), SIM_OK);
    expect("8.8.8.8", sim_iface_index(e0), "192.0.2.254", "192.0.2.1");
    expect("10.200.0.1", sim_iface_index(e1), "198.51.100.254", "198.51.100.1");
    expect("10.1.9.9", sim_iface_index(e2), "203.0.113.254", "203.0.113.1");
    expect("10.1.2.3", sim_iface_index(e0), "10.1.2.3", "192.0.2.1");
    expect("10.1.2.4", sim_iface_index(e2), "203.0.113.254", "203.0.113.1");
    expect("198.51.100.77", sim_iface_index(e1), "198.51.100.77", "198.51.100.1");
    /* Deleting the /16 falls back to the /8, deleting the default leaves nothing. */
    wg_prefix p16 = T_pfx("10.1.0.0/16"), def = T_pfx("0.0.0.0/0");
    ck_assert_int_eq(sim_route_del(r, &p16), SIM_OK);
    expect("10.1.9.9", sim_iface_index(e1), "198.51.100.254", "198.51.100.1");
    ck_assert_int_eq(sim_route_del(r, &def), SIM_OK);
    ck_assert_int_eq(sim_route_del(r, &def), SIM_ENOENT);
    wg_ip far = T_ip("8.8.8.8");
    sim_route_result rr;
    ck_assert(!sim_fib_lookup(r, &far, &rr));
    /* A route's prefix is normalised: 10.1.2.99/8 is 10.0.0.0/8. */
    ck_assert_ptr_nonnull(sim_node_route_find(r, &(wg_prefix){.ip = T_ip("10.77.0.0"), .len = 8}));
}
END_TEST

START_TEST(test_connected_routes_follow_addresses)
{
    /* 3 connected routes from the setup, origin recorded. */
    ck_assert_uint_eq(sim_node_route_count(r), 3);
    const sim_route *c = sim_node_route_find(r, &(wg_prefix){.ip = T_ip("192.0.2.0"), .len = 24});
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->origin, SIM_RT_CONNECTED);
    ck_assert_str_eq(sim_route_origin_name(c->origin), "connected");
    /* An alias in the same prefix adds no route; removing the primary moves
     * the prefix route to the alias (in_scrubprefix). */
    wg_prefix alias = T_pfx("192.0.2.2/24");
    ck_assert_int_eq(sim_iface_add_addr(e0, &alias, false, 0, 0), SIM_OK);
    ck_assert_uint_eq(sim_node_route_count(r), 3);
    ck_assert_int_eq(sim_iface_add_addr(e0, &alias, false, 0, 0), SIM_EEXIST);
    wg_ip prim = T_ip("192.0.2.1");
    ck_assert_int_eq(sim_iface_del_addr(e0, &prim), SIM_OK);
    c = sim_node_route_find(r, &(wg_prefix){.ip = T_ip("192.0.2.0"), .len = 24});
    ck_assert_ptr_nonnull(c);
    ck_assert(wg_ip_eq(&c->ifa, &alias.ip));
    expect("192.0.2.50", sim_iface_index(e0), "192.0.2.50", "192.0.2.2");
    ck_assert_int_eq(sim_iface_del_addr(e0, &alias.ip), SIM_OK);
    ck_assert_ptr_null(sim_node_route_find(r, &(wg_prefix){.ip = T_ip("192.0.2.0"), .len = 24}));
    ck_assert_int_eq(sim_iface_del_addr(e0, &alias.ip), SIM_ENOENT);
    /* A CARP address adds no connected route. */
    wg_prefix vip = T_pfx("192.0.2.100/24");
    ck_assert_int_eq(sim_iface_add_addr(e0, &vip, true, 1, 0), SIM_OK);
    ck_assert_ptr_null(sim_node_route_find(r, &(wg_prefix){.ip = T_ip("192.0.2.0"), .len = 24}));
    /* Route events were logged. */
    ck_assert_uint_ge(T_events_containing(w, "route del 192.0.2.0/24"), 1);
}
END_TEST

START_TEST(test_gateway_resolution_and_replace)
{
    /* A gateway on no connected network cannot be used (FreeBSD refuses it). */
    T_route(r, "10.0.0.0/8", "172.16.0.1");
    wg_ip d = T_ip("10.0.0.1");
    sim_route_result rr;
    ck_assert(!sim_fib_lookup(r, &d, &rr));
    sim_route bad = {.dst = T_pfx("10.0.0.0/8"), .gateway = T_ip("192.0.2.9"), .origin = SIM_RT_STATIC};
    ck_assert_int_eq(sim_route_add(r, &bad), SIM_EEXIST);
    ck_assert_int_eq(sim_route_replace(r, &bad), SIM_OK);
    expect("10.0.0.1", sim_iface_index(e0), "192.0.2.9", "192.0.2.1");
    sim_route none = {.dst = T_pfx("10.9.0.0/16"), .origin = SIM_RT_STATIC};
    ck_assert_int_eq(sim_route_add(r, &none), SIM_EINVAL);
    char buf[160];
    ck_assert_str_eq(sim_route_format(r, sim_node_route_find(r, &bad.dst), buf, sizeof buf),
                     "10.0.0.0/8 via 192.0.2.9 dev e0 (static)");
}
END_TEST

START_TEST(test_lookup_on_interface)
{
    T_route(r, "0.0.0.0/0", "192.0.2.254");
    wg_ip peer = T_ip("100.64.0.30");
    sim_route_result rr;
    /* Out of e0 the default route applies. */
    ck_assert(sim_fib_lookup_on(r, &peer, sim_iface_index(e0), &rr));
    ck_assert_ptr_nonnull(rr.route);
    ck_assert(wg_ip_eq(&rr.nexthop, &(wg_ip){0}) == false);
    /* Out of e2 there is no route: the peer is on-link there. */
    ck_assert(sim_fib_lookup_on(r, &peer, sim_iface_index(e2), &rr));
    ck_assert_ptr_null(rr.route);
    ck_assert(wg_ip_eq(&rr.nexthop, &peer));
    wg_ip s = T_ip("203.0.113.1");
    ck_assert(wg_ip_eq(&rr.src, &s));
    /* With a route via e2's gateway, it is used. */
    T_route(r, "100.64.0.0/10", "203.0.113.254");
    ck_assert(sim_fib_lookup_on(r, &peer, sim_iface_index(e2), &rr));
    ck_assert_ptr_nonnull(rr.route);
    wg_ip gw = T_ip("203.0.113.254");
    ck_assert(wg_ip_eq(&rr.nexthop, &gw));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_fib");
    TCase *tc = tcase_create("fib");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_longest_prefix);
    tcase_add_test(tc, test_connected_routes_follow_addresses);
    tcase_add_test(tc, test_gateway_resolution_and_replace);
    tcase_add_test(tc, test_lookup_on_interface);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
