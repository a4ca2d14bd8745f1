/*
 * test_net_udp.c — UDP checksums (RFC 768 pseudo-header, computed on send,
 * verified on receive, bad ones counted and dropped, zero accepted), the
 * receive metadata (local destination, arrival interface), demultiplexing
 * (exact address before wildcard), port unreachable, ephemeral ports.
 */
#include "net_topo.h"
#include "sim/net/net.h" /* sim_cksum_add, sim_cksum_fold: the partial sums */

/* RFC 1071 example: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2, checksum 220d. */
START_TEST(test_inet_checksum_vector)
{
    const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    ck_assert_uint_eq(sim_inet_checksum(d, sizeof d), 0x220d);
    const uint8_t odd[] = {0x01};
    ck_assert_uint_eq(sim_inet_checksum(odd, 1), (uint16_t)~0x0100);
}
END_TEST

/* The wide sum (checksum.c: 32 bytes a round, then 8, then the tail)
 * against RFC 1071's definition, one big-endian 16-bit word at a time,
 * on every length up to 260 (every mix of rounds and tail), every
 * alignment of an 8-byte load, all-zero / all-ones / random bytes, and
 * chained partial sums (the pseudo-header then the datagram). */
static uint16_t ref_checksum(const uint8_t *p, size_t len, const uint8_t *q, size_t qlen)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len % 2)
        sum += (uint32_t)p[len - 1] << 8;
    for (size_t i = 0; i + 1 < qlen; i += 2)
        sum += (uint32_t)q[i] << 8 | q[i + 1];
    if (qlen % 2)
        sum += (uint32_t)q[qlen - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

START_TEST(test_checksum_matches_word_by_word)
{
    uint8_t buf[272];
    uint32_t x = 12345;
    for (int fill = 0; fill < 3; fill++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = fill == 0 ? 0 : fill == 1 ? 0xff : (uint8_t)(x >> 16);
        }
        for (size_t off = 0; off < 8; off++)
            for (size_t len = 0; len <= 260; len++) {
                ck_assert_uint_eq(sim_inet_checksum(buf + off, len), ref_checksum(buf + off, len, NULL, 0));
                size_t a = len / 3; /* two partial sums, the first of even length as the callers do */
                a -= a % 2;
                uint32_t part = sim_cksum_add(sim_cksum_add(0, buf + off, a), buf + off + a, len - a);
                ck_assert_uint_eq(sim_cksum_fold(part), ref_checksum(buf + off, a, buf + off + a, len - a));
            }
    }
}
END_TEST

/* Long buffers where the 64-bit additions carry out many times (all
 * ones: every addition after the first; random bytes: about half), at
 * the sizes of a full-MTU datagram and the largest one. */
START_TEST(test_checksum_long_carries)
{
    static uint8_t buf[65535 + 8];
    uint32_t x = 777;
    for (int fill = 0; fill < 2; fill++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = fill == 0 ? 0xff : (uint8_t)(x >> 16);
        }
        const size_t lens[] = {1480, 1500, 9001, 65535};
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
            for (size_t off = 0; off < 8; off += 3)
                ck_assert_uint_eq(sim_inet_checksum(buf + off, lens[k]), ref_checksum(buf + off, lens[k], NULL, 0));
    }
}
END_TEST

/* A hand-built datagram through the wire: 10.0.0.1:1000 -> 10.0.0.2:2000 "abc". */
static size_t build(uint8_t *pkt, uint16_t cksum_override, bool zero)
{
    const uint8_t udp_payload[] = {'a', 'b', 'c'};
    uint8_t u[11] = {0x03, 0xe8, 0x07, 0xd0, 0x00, 11, 0, 0};
    memcpy(u + 8, udp_payload, 3);
    uint8_t h[20] = {0x45, 0, 0, 31, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    memcpy(pkt, h, 20);
    memcpy(pkt + 20, u, 11);
    sim_ipv4_fix_checksums(pkt, 31);
    if (zero) {
        pkt[26] = pkt[27] = 0;
    } else if (cksum_override) {
        pkt[26] = (uint8_t)(cksum_override >> 8);
        pkt[27] = (uint8_t)cksum_override;
    }
    return 31;
}

START_TEST(test_checksum_verified_on_receive)
{
    sim_world *w = T_world(51);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    sim_iface *ia = T_if(a, "eth0", lan, "10.0.0.1/24");
    sim_iface *ib = T_if(b, "eth0", lan, "10.0.0.2/24");
    T_rx rx = {0};
    sim_udp_sock *sb;
    ck_assert_int_eq(sim_udp_bind(b, NULL, 2000, T_on_udp, &rx, &sb), SIM_OK);
    T_run(w, SIM_S);
    uint8_t pkt[64];
    size_t len = build(pkt, 0, false);
    /* Verify the checksum we computed against the pseudo-header sum. */
    sim_ipv4_info ip;
    ck_assert(sim_ipv4_parse(pkt, len, &ip));
    ck_assert_uint_eq(ip.sport, 1000);
    ck_assert_uint_eq(ip.dport, 2000);
    uint16_t good = (uint16_t)(pkt[26] << 8 | pkt[27]);
    /* Known answers, computed independently of sim/net/checksum.c (a few lines
     * of Python over the RFC 768 pseudo-header 0a000001 0a000002 0011 000b
     * and the datagram; RFC 791 header sum): a wrong pseudo-header would
     * otherwise be consistent between our sender and our receiver. */
    ck_assert_uint_eq(good, 0x1bbb);
    ck_assert_uint_eq((uint16_t)(pkt[10] << 8 | pkt[11]), 0x66cb);
    sim_mac bm = sim_iface_mac(ib);
    ck_assert_int_eq(sim_iface_send_frame(ia, &bm, NULL, 0x0800, pkt, len), SIM_OK);
    T_run(w, 2 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_int_eq(rx.len, 3);
    ck_assert_mem_eq(rx.data, "abc", 3);
    /* Flip one checksum bit: counted, dropped. */
    len = build(pkt, (uint16_t)(good ^ 0x0100), false);
    ck_assert_int_eq(sim_iface_send_frame(ia, &bm, NULL, 0x0800, pkt, len), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_uint_eq(sim_node_drops(b, SIM_DROP_BAD_UDP_CHECKSUM), 1);
    /* Zero: "no checksum", accepted. */
    len = build(pkt, 0, true);
    ck_assert_int_eq(sim_iface_send_frame(ia, &bm, NULL, 0x0800, pkt, len), SIM_OK);
    T_run(w, 4 * SIM_S);
    ck_assert_int_eq(rx.n, 2);
    /* Corrupt the IP header checksum: dropped before UDP. */
    len = build(pkt, 0, false);
    pkt[11] ^= 1;
    ck_assert_int_eq(sim_iface_send_frame(ia, &bm, NULL, 0x0800, pkt, len), SIM_OK);
    T_run(w, 5 * SIM_S);
    ck_assert_int_eq(rx.n, 2);
    ck_assert_uint_eq(sim_node_drops(b, SIM_DROP_BAD_IP_CHECKSUM), 1);
    /* Stack-built datagrams carry a valid checksum end to end. */
    sim_udp_sock *sa;
    ck_assert_int_eq(sim_udp_bind(a, NULL, 0, NULL, NULL, &sa), SIM_OK);
    ck_assert_uint_ge(sim_udp_port(sa), 10000);
    wg_ip bip = T_ip("10.0.0.2");
    for (int i = 0; i < 50; i++) {
        uint8_t d[100];
        for (size_t k = 0; k < sizeof d; k++)
            d[k] = (uint8_t)(i * 7 + k);
        ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 2000, d, (size_t)i * 2 + 1), SIM_OK);
        if (i == 0)
            T_run(w, 5 * SIM_S + SIM_MS * 100); /* resolve b first: ARP holds only 16 */
    }
    T_run(w, 6 * SIM_S);
    ck_assert_int_eq(rx.n, 52);
    ck_assert_uint_eq(sim_node_drops(b, SIM_DROP_BAD_UDP_CHECKSUM), 1);
    ck_assert_uint_eq(rx.last.sport, sim_udp_port(sa));
    ck_assert(wg_ip_eq(&rx.last.dst, &bip));
    sim_world_free(w);
}
END_TEST

START_TEST(test_demux_and_port_unreachable)
{
    sim_world *w = T_world(52);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    T_if(a, "eth0", lan, "10.0.0.1/24");
    sim_iface *ib = T_if(b, "eth0", lan, "10.0.0.2/24");
    wg_prefix alias = T_pfx("10.0.0.3/24");
    ck_assert_int_eq(sim_iface_add_addr(ib, &alias, false, 0, 0), SIM_OK);
    T_rx any = {0}, exact = {0};
    sim_udp_sock *s1, *s2, *sa;
    ck_assert_int_eq(sim_udp_bind(b, NULL, 7000, T_on_udp, &any, &s1), SIM_OK);
    /* A specific bind on a port held by a wildcard socket conflicts... */
    ck_assert_int_eq(sim_udp_bind(b, &alias.ip, 7000, T_on_udp, &exact, &s2), SIM_EADDRINUSE);
    sim_udp_close(s1);
    ck_assert_int_eq(sim_udp_bind(b, &alias.ip, 7000, T_on_udp, &exact, &s2), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(b, &(wg_ip){0}, 7001, T_on_udp, &any, &s1), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(a, NULL, 5555, NULL, NULL, &sa), SIM_OK);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(a, T_on_icmp, &icmp);
    T_run(w, SIM_S);
    wg_ip prim = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &alias.ip, 7000, (const uint8_t *)"1", 1), SIM_OK);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &prim, 7001, (const uint8_t *)"2", 1), SIM_OK);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &prim, 7000, (const uint8_t *)"3", 1), SIM_OK);
    T_run(w, 2 * SIM_S);
    ck_assert_int_eq(exact.n, 1);
    ck_assert(wg_ip_eq(&exact.last.dst, &alias.ip));
    ck_assert_int_eq(any.n, 1);
    ck_assert(wg_ip_eq(&any.last.dst, &prim));
    /* "3" went to 10.0.0.2:7000 where only 10.0.0.3:7000 listens. */
    ck_assert_int_eq(icmp.n, 1);
    ck_assert_int_eq(icmp.last.icmp_type, SIM_ICMP_UNREACH);
    ck_assert_int_eq(icmp.last.icmp_code, SIM_ICMP_UNREACH_PORT);
    ck_assert(wg_ip_eq(&icmp.last.src, &prim)); /* reflected from the address contacted */
    ck_assert_uint_eq(sim_node_drops(b, SIM_DROP_NO_SOCKET), 1);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_udp");
    TCase *tc = tcase_create("udp");
    tcase_add_test(tc, test_inet_checksum_vector);
    tcase_add_test(tc, test_checksum_matches_word_by_word);
    tcase_add_test(tc, test_checksum_long_carries);
    tcase_add_test(tc, test_checksum_verified_on_receive);
    tcase_add_test(tc, test_demux_and_port_unreachable);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
