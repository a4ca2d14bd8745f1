/*
 * test_net_malformed.c — malformed frames never crash a node: random and
 * truncated/mutated ARP, IPv4, UDP and ICMP frames are counted and dropped
 * (or handled when they happen to be valid), and the node keeps working.
 */
#include "net_topo.h"

START_TEST(test_garbage_is_counted_not_fatal)
{
    sim_world *w = T_world(111);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *r = T_node(w, "r", SIM_NODE_ROUTER);
    sim_iface *ia = T_if(a, "eth0", lan, "10.0.0.1/24");
    sim_iface *ir = T_if(r, "eth0", lan, "10.0.0.2/24");
    T_rx rx = {0};
    sim_udp_sock *sr;
    ck_assert_int_eq(sim_udp_bind(r, NULL, 53, T_on_udp, &rx, &sr), SIM_OK);
    T_run(w, SIM_S);
    sim_rng rng;
    sim_rng_init(&rng, 111, "garbage");
    sim_mac rm = sim_iface_mac(ir);
    /* A valid template to mutate: UDP 10.0.0.1:1000 -> 10.0.0.2:53 with options. */
    uint8_t tmpl[64] = {0x46, 0, 0, 40, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 1, 1, 0,
                        0x03, 0xe8, 0, 53, 0, 16, 0, 0, 'p', 'a', 'y', 'l', 'o', 'a', 'd', '!'};
    sim_ipv4_fix_checksums(tmpl, 40);
    for (int i = 0; i < 3000; i++) {
        uint8_t buf[128];
        size_t len = (size_t)sim_rng_below(&rng, sizeof buf + 1);
        uint16_t type = sim_rng_below(&rng, 2) ? 0x0800 : 0x0806;
        int mode = (int)sim_rng_below(&rng, 3);
        if (mode == 0) {
            sim_rng_bytes(&rng, buf, len);
        } else {
            memcpy(buf, tmpl, sizeof tmpl);
            memset(buf + sizeof tmpl, 0, sizeof buf - sizeof tmpl);
            if (len > 40 + (size_t)sim_rng_below(&rng, 8))
                len = 40;
            /* flip a few bytes, sometimes fixing the checksums afterwards */
            int flips = 1 + (int)sim_rng_below(&rng, 3);
            for (int k = 0; k < flips; k++)
                buf[sim_rng_below(&rng, 40)] ^= (uint8_t)(1 + sim_rng_below(&rng, 255));
            if (mode == 2)
                sim_ipv4_fix_checksums(buf, len);
            type = 0x0800;
        }
        sim_iface_send_frame(ia, &rm, NULL, type, buf, len);
        if (i % 100 == 0)
            T_run(w, SIM_S + (sim_time)i * SIM_MS);
    }
    T_run(w, 10 * SIM_S);
    uint64_t counted = sim_node_drops(r, SIM_DROP_MALFORMED) + sim_node_drops(r, SIM_DROP_BAD_IP_CHECKSUM) +
                       sim_node_drops(r, SIM_DROP_BAD_UDP_CHECKSUM) + sim_node_drops(r, SIM_DROP_UNKNOWN_PROTO);
    ck_assert_uint_gt(counted, 1000);
    ck_assert_uint_gt(sim_node_drops(r, SIM_DROP_BAD_IP_CHECKSUM), 100);
    /* The node still answers. */
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(a, T_on_icmp, &icmp);
    wg_ip rip = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_icmp_echo(a, &rip, 9, 9, 16, NULL), SIM_OK);
    T_run(w, 11 * SIM_S);
    ck_assert_int_ge(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_ECHO_REPLY);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_malformed");
    TCase *tc = tcase_create("malformed");
    tcase_add_test(tc, test_garbage_is_counted_not_fatal);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
