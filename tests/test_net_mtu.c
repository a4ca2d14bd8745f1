/*
 * test_net_mtu.c — over-MTU packets: forwarded with DF -> dropped with
 * ICMP fragmentation needed carrying the next-hop MTU (RFC 1191); without
 * DF -> fragmented and delivered (test_net_frag.c has the rules); local sends
 * over the interface MTU -> EMSGSIZE; frames larger than a segment's MTU
 * never cross it.
 */
#include "net_topo.h"

START_TEST(test_frag_needed)
{
    T_chain c = T_chain_mtu(41, SIM_MS, 1000);
    ck_assert_uint_eq(sim_iface_mtu(sim_node_iface(c.r1, "core")), 1000);
    T_run(c.w, SIM_S);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(c.a, T_on_icmp, &icmp);
    T_rx rx = {0};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 1111, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 2222, T_on_udp, &rx, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.2.10");
    static uint8_t big[1500];
    /* 972 bytes of payload = 1000-byte packet: fits. */
    sim_udp_send_opts o = {.df = true};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 972), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    /* 973: one byte too many, DF set: ICMP 3/4 with MTU 1000 from r1. */
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 973), SIM_OK);
    T_run(c.w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_UNREACH);
    ck_assert_int_eq(icmp.last.icmp_code, SIM_ICMP_UNREACH_NEEDFRAG);
    ck_assert_int_eq(icmp.last.icmp_seq, 1000); /* next-hop MTU field (bytes 6-7) */
    wg_ip r1 = T_ip("10.0.1.1");
    ck_assert(wg_ip_eq(&icmp.last.src, &r1));
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_NEEDS_FRAG), 1);
    /* The quote is the packet as r1 received it (ip_forward's mcopy):
     * TTL 64, not the decremented 63. */
    ck_assert_uint_ge(icmp.quoted_len, 28);
    ck_assert_int_eq(icmp.quoted[8], SIM_DEFAULT_TTL);
    /* Without DF: fragmented by r1, reassembled by b, no ICMP. */
    o.df = false;
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 1200), SIM_OK);
    T_run(c.w, 4 * SIM_S);
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(rx.n, 2);
    ck_assert_uint_eq(rx.len, 1200);
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_FRAG_UNSUPPORTED), 0);
    /* Over the sender's own MTU: EMSGSIZE. */
    o.df = true;
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 1473), SIM_EMSGSIZE);
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 1472), SIM_OK);
    T_run(c.w, 5 * SIM_S);
    ck_assert_int_eq(icmp.n, 2);
    /* An interface MTU above its segment's: the segment drops the frame. */
    sim_iface_set_mtu(sim_node_iface(c.r1, "core"), 1500);
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 1200), SIM_OK);
    T_run(c.w, 6 * SIM_S);
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_FRAME_TOO_BIG), 1);
    ck_assert_uint_eq(sim_segment_get_stats(c.s12)->too_big, 1);
    ck_assert_int_eq(rx.n, 2);
    sim_world_free(c.w);
}
END_TEST

/* r1 translates the source of what it sends out of "core" (an outbound
 * NAT in the OUT hook, as pf does inside ip_output). */
static sim_verdict snat_core(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx;
    (void)pt;
    sim_iface *core = sim_node_iface(n, "core");
    if (p->out_ifindex != sim_iface_index(core) || p->local_origin)
        return SIM_PASS;
    wg_ip pub = T_ip("172.16.0.1");
    sim_ipv4_rewrite(p->data, p->len, &pub, NULL, -1, -1);
    return SIM_PASS;
}

/* Fragmentation needed behind a NAT: the error quotes the packet as
 * received, so it goes back to the inside sender (FreeBSD ip_forward
 * copies the packet before ip_output runs pf), not to the translated
 * source, which is the router itself. */
START_TEST(test_frag_needed_behind_nat)
{
    T_chain c = T_chain_mtu(42, SIM_MS, 1000);
    sim_node_add_hook(c.r1, SIM_HOOK_OUT, snat_core, NULL);
    T_run(c.w, SIM_S);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(c.a, T_on_icmp, &icmp);
    sim_udp_sock *sa;
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 1111, NULL, NULL, &sa), SIM_OK);
    wg_ip bip = T_ip("10.0.2.10"), aip = T_ip("10.0.1.10");
    static uint8_t big[1500];
    sim_udp_send_opts o = {.df = true};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, big, 1200), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_NEEDS_FRAG), 1);
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_code, SIM_ICMP_UNREACH_NEEDFRAG);
    ck_assert(wg_ip_eq(&icmp.last.dst, &aip));
    ck_assert_mem_eq(icmp.quoted + 12, aip.b, 4); /* the inside source, untranslated */
    ck_assert_int_eq(icmp.quoted[20], 1111 >> 8);
    ck_assert_int_eq(icmp.quoted[21], 1111 & 0xff);
    sim_world_free(c.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_mtu");
    TCase *tc = tcase_create("mtu");
    tcase_add_test(tc, test_frag_needed);
    tcase_add_test(tc, test_frag_needed_behind_nat);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
