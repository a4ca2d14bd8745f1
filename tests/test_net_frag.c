/*
 * test_net_frag.c — IPv4 fragmentation and reassembly (sim/netinet/ip_frag.c):
 *  - a router fragments a forwarded packet without DF into 8-byte-aligned
 *    fragments sharing the packet's id, MF on all but the last, and the
 *    destination reassembles the datagram byte for byte;
 *  - the IP id: DF datagrams get 0 (net.inet.ip.rfc6864), others a counter;
 *  - reassembly in any order, with duplicates and overlaps (the earlier
 *    data wins at the front, the newer at the back, as ip_reass);
 *  - the reassembly timeout (net.inet.ip.fragttl 30 s): the queue is
 *    dropped, counted, and no ICMP is sent (ipq_timeout);
 *  - more than maxfragsperpacket (16) fragments of an incomplete datagram
 *    drop it; bad lengths are refused;
 *  - pf: with scrub (pfSense's default) a firewall whose filter passes a
 *    UDP port gets the fragmented datagram; without scrub pf matches the
 *    fragments against port-less rules only and blocks them;
 *  - a WireGuard tunnel whose outer datagrams are fragmented on the way
 *    works, and tshark reassembles and decrypts them (when installed).
 */
#include <stdio.h>
#include <unistd.h>

#include "net_topo.h"
#include "sim/net/net.h"

static uint8_t pattern[4000];

/* a's socket on port 1111, b's on 2222 receiving into rx; a sends b a
 * 1992-byte datagram (2000 bytes of IP data) without DF and the world
 * runs to 2 s. */
static sim_udp_sock *send_big(T_chain *c, T_rx *rx)
{
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(c->a, NULL, 1111, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c->b, NULL, 2222, T_on_udp, rx, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.2.10");
    sim_udp_send_opts o = {0};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, pattern, 1992), SIM_OK);
    T_run(c->w, 2 * SIM_S);
    return sa;
}

static void fill_pattern(void)
{
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 7 + 3);
}

typedef struct frag_seen {
    int n;
    uint16_t id[64], off[64];
    bool mf[64];
} frag_seen;

/* The IPv4 packets on the wire of segment `seg`. */
static void wire_frags(sim_world *w, sim_segment *seg, frag_seen *fs)
{
    memset(fs, 0, sizeof *fs);
    for (size_t i = 0; i < sim_trace_count(w); i++) {
        sim_trace_rec r;
        ck_assert(sim_trace_get(w, i, &r));
        if (r.dir != SIM_DIR_WIRE || r.segment != sim_segment_id(seg) || !r.src.family)
            continue;
        if (r.proto != SIM_IPPROTO_UDP || fs->n >= 64)
            continue;
        fs->id[fs->n] = r.ip_id;
        fs->off[fs->n] = r.frag_off;
        fs->mf[fs->n] = r.frag_mf;
        fs->n++;
    }
}

START_TEST(test_forwarded_fragments)
{
    fill_pattern();
    T_chain c = T_chain_mtu(51, SIM_MS, 1000);
    T_run(c.w, SIM_S);
    T_rx rx = {0};
    /* 2000 bytes of IP data: a cuts it for its own MTU (1500: 1480 +
     * 520), r1 cuts the first fragment again for s12 (1000: (1000 - 20) &
     * ~7 = 976 + 504, MF kept on both) and forwards the second as it is */
    sim_udp_sock *sa = send_big(&c, &rx);
    wg_ip bip = T_ip("10.0.2.10");
    sim_udp_send_opts o = {0};
    ck_assert_int_eq(rx.n, 1);
    ck_assert_uint_eq(rx.len, 1992);
    ck_assert_mem_eq(rx.data, pattern, 1992);
    frag_seen fs;
    wire_frags(c.w, c.s1, &fs);
    ck_assert_int_eq(fs.n, 2);
    ck_assert_uint_eq(fs.off[0], 0);
    ck_assert_uint_eq(fs.off[1], 1480);
    ck_assert(fs.mf[0] && !fs.mf[1]);
    wire_frags(c.w, c.s12, &fs);
    ck_assert_int_eq(fs.n, 3);
    ck_assert_uint_eq(fs.off[0], 0);
    ck_assert_uint_eq(fs.off[1], 976);
    ck_assert_uint_eq(fs.off[2], 1480);
    ck_assert(fs.mf[0] && fs.mf[1] && !fs.mf[2]);
    ck_assert(fs.id[0] == fs.id[1] && fs.id[1] == fs.id[2]);
    ck_assert_uint_ne(fs.id[0], 0);
    wire_frags(c.w, c.s2, &fs);
    ck_assert_int_eq(fs.n, 3); /* forwarded fragments stay fragments */
    ck_assert_uint_eq(sim_node_reass_pending(c.b), 0);
    /* The formatted line names the fragment (id@offset, + while more follow). */
    char line[256];
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        sim_trace_rec r;
        sim_trace_get(c.w, i, &r);
        if (r.dir == SIM_DIR_WIRE && r.frag_off == 976) {
            sim_trace_format(c.w, &r, line, sizeof line);
            char want[32];
            snprintf(want, sizeof want, "frag %u@976+ ", r.ip_id);
            ck_assert_msg(strstr(line, want), "%s", line);
            break;
        }
    }
    /* A DF datagram is atomic: id 0 (rfc6864); the next non-DF one takes
     * the counter's next value. */
    o.df = true;
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, pattern, 100), SIM_OK);
    o.df = false;
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, pattern, 100), SIM_OK);
    T_run(c.w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 3);
    uint16_t ids[2];
    int k = 0;
    for (size_t i = 0; i < sim_trace_count(c.w) && k < 2; i++) {
        sim_trace_rec r;
        sim_trace_get(c.w, i, &r);
        if (r.t >= 2 * SIM_S && r.dir == SIM_DIR_OUT && r.node == sim_node_id(c.a) && r.proto == SIM_IPPROTO_UDP)
            ids[k++] = r.ip_id;
    }
    ck_assert_int_eq(k, 2);
    ck_assert_uint_eq(ids[0], 0);
    ck_assert_uint_eq(ids[1], (uint16_t)(fs.id[0] + 1));
    sim_world_free(c.w);
}
END_TEST

/* Fragments of one datagram, made by sim_ipv4_fragment. */
typedef struct frags {
    int n;
    uint8_t *p[64];
    size_t len[64];
} frags;

static sim_err collect(void *ctx, const uint8_t *f, size_t len)
{
    frags *fr = ctx;
    ck_assert_int_lt(fr->n, 64);
    fr->p[fr->n] = malloc(len);
    memcpy(fr->p[fr->n], f, len);
    fr->len[fr->n++] = len;
    return SIM_OK;
}

static void frags_free(frags *fr)
{
    for (int i = 0; i < fr->n; i++)
        free(fr->p[i]);
    fr->n = 0;
}

/* A 20-byte header + `len` bytes of the pattern, cut for `mtu`. */
static uint8_t *make_frags(sim_node *n, size_t len, uint32_t mtu, frags *fr, size_t *tl)
{
    wg_ip s = T_ip("192.0.2.1"), d = T_ip("192.0.2.2");
    uint8_t *pkt = sim_ipv4_build(n, 253, &s, &d, 0, 0, false, pattern, len, tl);
    memset(fr, 0, sizeof *fr);
    ck_assert_int_eq(sim_ipv4_fragment(pkt, *tl, mtu, collect, fr), SIM_OK);
    return pkt;
}

static void check_whole(const uint8_t *whole, size_t wlen, const uint8_t *pkt, size_t tl)
{
    ck_assert_ptr_nonnull(whole);
    ck_assert_uint_eq(wlen, tl);
    ck_assert_mem_eq(whole + 20, pkt + 20, tl - 20);
    ck_assert_uint_eq(sim_rd16(whole + 6), 0);
    ck_assert_uint_eq(sim_inet_checksum(whole, 20), 0);
}

START_TEST(test_reass_orders_and_overlaps)
{
    fill_pattern();
    sim_world *w = T_world(52);
    sim_node *n = T_node(w, "h", SIM_NODE_HOST);
    frags fr;
    size_t tl, wl = 0;
    /* 2000 bytes in fragments of 496 (mtu 516): 5 fragments */
    uint8_t *pkt = make_frags(n, 2000, 516, &fr, &tl);
    ck_assert_int_eq(fr.n, 5);
    /* reversed order: complete on the last one fed (the first fragment) */
    uint8_t *whole = NULL;
    for (int i = fr.n - 1; i >= 0; i--) {
        ck_assert_ptr_null(whole);
        whole = sim_ipv4_reass(n, false, 0, fr.p[i], fr.len[i], &wl);
    }
    check_whole(whole, wl, pkt, tl);
    free(whole);
    /* duplicates are refused and counted; the datagram still completes */
    uint64_t dropped = sim_node_drops(n, SIM_DROP_FRAG_DROPPED);
    whole = NULL;
    int order[] = {2, 0, 2, 4, 1, 1, 3};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        ck_assert_ptr_null(whole);
        whole = sim_ipv4_reass(n, false, 0, fr.p[order[i]], fr.len[order[i]], &wl);
    }
    check_whole(whole, wl, pkt, tl);
    free(whole);
    ck_assert_uint_eq(sim_node_drops(n, SIM_DROP_FRAG_DROPPED), dropped + 2);
    free(pkt);
    frags_free(&fr);
    /* overlaps: the same datagram cut two ways (mtu 516 and 276), fed
     * interleaved: every byte comes out right whichever copy wins */
    frags big, small;
    pkt = make_frags(n, 2000, 516, &big, &tl);
    free(pkt);
    n->ip_id--; /* the same id again */
    pkt = make_frags(n, 2000, 276, &small, &tl);
    whole = NULL;
    for (int i = 0; i < small.n && !whole; i++) {
        if (i % 2 == 1 && i / 2 < big.n - 1)
            whole = sim_ipv4_reass(n, false, 0, big.p[i / 2], big.len[i / 2], &wl);
        if (!whole)
            whole = sim_ipv4_reass(n, false, 0, small.p[i], small.len[i], &wl);
    }
    check_whole(whole, wl, pkt, tl);
    free(whole);
    free(pkt);
    frags_free(&big);
    frags_free(&small);
    ck_assert_uint_eq(sim_node_reass_pending(n), 0);
    sim_world_free(w);
}
END_TEST

START_TEST(test_reass_limits_and_bad_lengths)
{
    fill_pattern();
    sim_world *w = T_world(53);
    sim_node *n = T_node(w, "h", SIM_NODE_HOST);
    frags fr;
    size_t tl, wl = 0;
    /* 2000 bytes in fragments of 104 (mtu 124): 20 fragments */
    uint8_t *pkt = make_frags(n, 2000, 124, &fr, &tl);
    ck_assert_int_eq(fr.n, 20);
    /* all but fragment 0: the 17th held fragment of an incomplete
     * datagram drops the queue (maxfragsperpacket 16) */
    for (int i = 1; i <= 17; i++)
        ck_assert_ptr_null(sim_ipv4_reass(n, false, 0, fr.p[i], fr.len[i], &wl));
    ck_assert_uint_eq(sim_node_reass_pending(n), 0);
    ck_assert_uint_eq(sim_node_drops(n, SIM_DROP_FRAG_DROPPED), 17);
    /* in order, the 16 first fragments are held, the 17th is refused
     * only if it does not complete: with 20 fragments it does not */
    frags_free(&fr);
    free(pkt);
    /* 16 fragments complete: allowed */
    pkt = make_frags(n, 1600, 124, &fr, &tl);
    ck_assert_int_eq(fr.n, 16);
    uint8_t *whole = NULL;
    for (int i = 0; i < fr.n; i++)
        whole = sim_ipv4_reass(n, false, 0, fr.p[i], fr.len[i], &wl);
    check_whole(whole, wl, pkt, tl);
    free(whole);
    /* a fragment with MF whose data is not a multiple of 8: refused */
    uint64_t d0 = sim_node_drops(n, SIM_DROP_FRAG_DROPPED);
    uint8_t bad[40];
    memcpy(bad, fr.p[0], 40);
    sim_wr16(bad + 2, 37);
    ck_assert_ptr_null(sim_ipv4_reass(n, false, 0, bad, 37, &wl));
    ck_assert_uint_eq(sim_node_drops(n, SIM_DROP_FRAG_DROPPED), d0 + 1);
    ck_assert_uint_eq(sim_node_reass_pending(n), 0);
    frags_free(&fr);
    free(pkt);
    /* an MTU leaving less than 8 bytes of data cannot fragment */
    pkt = make_frags(n, 100, 1000, &fr, &tl);
    ck_assert_int_eq(sim_ipv4_fragment(pkt, tl, 27, collect, &fr), SIM_EMSGSIZE);
    frags_free(&fr);
    free(pkt);
    sim_world_free(w);
}
END_TEST

/* r2 loses the fragment at offset 976 of what it forwards. */
static sim_verdict lose_second(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    (void)ctx, (void)n, (void)pt;
    return (sim_rd16(p->data + 6) & 0x1fff) * 8 == 976 ? SIM_DROP : SIM_PASS;
}

START_TEST(test_reass_timeout)
{
    fill_pattern();
    T_chain c = T_chain_mtu(54, SIM_MS, 1000);
    sim_node_add_hook(c.r2, SIM_HOOK_FORWARD, lose_second, NULL);
    T_run(c.w, SIM_S);
    T_icmp icmp = {0};
    sim_node_add_icmp_listener(c.a, T_on_icmp, &icmp);
    T_rx rx = {0};
    sim_udp_sock *sa = send_big(&c, &rx);
    ck_assert_uint_eq(sim_node_reass_pending(c.b), 1);
    /* the queue's timer starts with the first fragment b received */
    sim_time t0 = -1;
    for (size_t i = 0; i < sim_trace_count(c.w) && t0 < 0; i++) {
        sim_trace_rec r;
        sim_trace_get(c.w, i, &r);
        if (r.dir == SIM_DIR_IN && r.node == sim_node_id(c.b) && (r.frag_mf || r.frag_off))
            t0 = r.t;
    }
    ck_assert(t0 > SIM_S);
    T_run(c.w, t0 + 30 * SIM_S - 1);
    ck_assert_uint_eq(sim_node_reass_pending(c.b), 1);
    T_run(c.w, t0 + 30 * SIM_S);
    ck_assert_uint_eq(sim_node_reass_pending(c.b), 0);
    ck_assert_uint_eq(sim_node_drops(c.b, SIM_DROP_REASS_TIMEOUT), 2); /* the two fragments held */
    ck_assert_int_eq(rx.n, 0);
    ck_assert_int_eq(icmp.n, 0); /* FreeBSD sends no time exceeded for it */
    /* the event names the datagram and that its first fragment came */
    bool seen = false;
    for (size_t i = 0; i < sim_event_count(c.w); i++) {
        const sim_event_rec *e = sim_event_at(c.w, i);
        if (e->kind == SIM_EV_DROP && e->drop == SIM_DROP_REASS_TIMEOUT) {
            ck_assert_msg(strstr(e->text, "first fragment received"), "%s", e->text);
            ck_assert_uint_eq(e->pkt.dport, 2222);
            seen = true;
        }
    }
    ck_assert(seen);
    /* a power cycle forgets held fragments */
    wg_ip bip = T_ip("10.0.2.10");
    sim_udp_send_opts o = {0};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, pattern, 1992), SIM_OK);
    T_run(c.w, t0 + 32 * SIM_S);
    ck_assert_uint_eq(sim_node_reass_pending(c.b), 1);
    sim_node_set_power(c.b, false);
    ck_assert_uint_eq(sim_node_reass_pending(c.b), 0);
    sim_world_free(c.w);
}
END_TEST

/* a -- r1 --(s12, mtu 1000)-- fw: fw passes UDP to port 2222 only. */
static void run_fw(bool scrub, int *delivered, uint64_t *filtered)
{
    fill_pattern();
    T_chain c = T_chain_mtu(55, SIM_MS, 1000);
    /* a firewall on s12, reached through r1 */
    sim_node *fw = T_node(c.w, "fw", SIM_NODE_FIREWALL);
    wg_prefix r1b = T_pfx("172.16.1.1/24");
    ck_assert_int_eq(sim_iface_add_addr(sim_node_iface(c.r1, "core"), &r1b, false, 0, 0), SIM_OK);
    T_if(fw, "wan", c.s12, "172.16.1.2/24");
    T_route(fw, "0.0.0.0/0", "172.16.1.1");
    sim_fw_options fo = {.no_scrub = !scrub};
    sim_fw *f = sim_fw_attach(fw, &fo);
    sim_fw_rule r = {.ifname = "wan", .dir = SIM_FW_DIR_IN, .proto = SIM_IPPROTO_UDP, .dport = 2222, .label = "udp 2222"};
    ck_assert_int_eq(sim_fw_set_filter(f, &r, 1), SIM_OK);
    sim_fw_start(f);
    T_run(c.w, SIM_S);
    T_rx rx = {0};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 1111, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(fw, NULL, 2222, T_on_udp, &rx, &sb), SIM_OK);
    wg_ip dst = T_ip("172.16.1.2");
    sim_udp_send_opts o = {0};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &dst, 2222, pattern, 1992), SIM_OK);
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &dst, 2222, pattern, 500), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    *delivered = rx.n;
    *filtered = sim_node_drops(fw, SIM_DROP_FILTER);
    sim_world_free(c.w);
}

START_TEST(test_pf_scrub)
{
    int n;
    uint64_t filtered;
    run_fw(true, &n, &filtered);
    ck_assert_int_eq(n, 2); /* reassembled before the filter: passes on the port rule */
    ck_assert_uint_eq(filtered, 0);
    run_fw(false, &n, &filtered);
    ck_assert_int_eq(n, 1); /* only the small datagram: the fragments have no port to match */
    ck_assert_uint_eq(filtered, 3);
}
END_TEST

/* Linux's IP_PMTUDISC_WANT (wireguard-go's socket): DF while the datagram
 * fits; an ICMP fragmentation needed lowers the path MTU (never below
 * 552, for 600 s), and the next datagram leaves without DF in fragments
 * of that size. A FreeBSD node learns nothing. */
START_TEST(test_linux_path_mtu)
{
    fill_pattern();
    T_chain c = T_chain_mtu(57, SIM_MS, 1000);
    c.a->platform = WG_PLATFORM_LINUX;
    T_run(c.w, SIM_S);
    T_rx rx = {0};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(c.a, NULL, 1111, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(c.b, NULL, 2222, T_on_udp, &rx, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.2.10");
    sim_udp_send_opts o = {.pmtudisc = true};
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, pattern, 1200), SIM_OK);
    T_run(c.w, 2 * SIM_S);
    ck_assert_int_eq(rx.n, 0);
    ck_assert_uint_eq(sim_node_drops(c.r1, SIM_DROP_NEEDS_FRAG), 1);
    ck_assert_uint_eq(sim_node_path_mtu(c.a, &bip), 1000);
    ck_assert_int_eq(sim_udp_sendto(sa, &o, &bip, 2222, pattern, 1200), SIM_OK);
    T_run(c.w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_mem_eq(rx.data, pattern, 1200);
    frag_seen fs;
    wire_frags(c.w, c.s1, &fs); /* a cut it itself: 976 + 232 */
    ck_assert_int_eq(fs.n, 3);  /* the DF datagram, then two fragments */
    ck_assert(!fs.mf[0] && fs.off[0] == 0 && fs.id[0] == 0);
    ck_assert(fs.mf[1] && fs.off[1] == 0 && fs.id[1] != 0);
    ck_assert(!fs.mf[2] && fs.off[2] == 976);
    /* only lowered, never below min_pmtu, forgotten after mtu_expires */
    sim_ipv4_pmtu_learn(c.a, &bip, 1200);
    ck_assert_uint_eq(sim_node_path_mtu(c.a, &bip), 1000);
    sim_ipv4_pmtu_learn(c.a, &bip, 300);
    ck_assert_uint_eq(sim_node_path_mtu(c.a, &bip), 552);
    T_run(c.w, 3 * SIM_S + 600 * SIM_S);
    ck_assert_uint_eq(sim_node_path_mtu(c.a, &bip), 0);
    /* FreeBSD keeps no path MTU for UDP */
    sim_ipv4_pmtu_learn(c.b, &bip, 1000);
    ck_assert_uint_eq(sim_node_path_mtu(c.b, &bip), 0);
    sim_world_free(c.w);
}
END_TEST

/* A tunnel whose outer datagrams are cut in two on s12; tshark (when
 * installed) reassembles them and decrypts the WireGuard messages. */
START_TEST(test_tunnel_over_fragments)
{
    T_chain c = T_chain_mtu(56, 5 * SIM_MS, 1000);
    sim_capture *cap = sim_capture_segment(c.s12);
    T_wgpair wp = T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 5, .size = 1300};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 10 * SIM_S);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 10 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 5);
    ck_assert_uint_eq(st.received, 5);
    frag_seen fs;
    wire_frags(c.w, c.s12, &fs);
    int later = 0;
    for (int i = 0; i < fs.n; i++)
        later += fs.off[i] != 0;
    ck_assert_int_ge(later, 10); /* echo and reply, 5 times: a second fragment each */
    (void)wp;
    if (system("tshark --version >/dev/null 2>&1") != 0) {
        printf("net_frag: tshark not installed, its part skipped\n");
        sim_world_free(c.w);
        return;
    }
    char dir[64] = "/tmp/wgsim-frag-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], keys[128];
    snprintf(path, sizeof path, "%s/cap.pcap", dir);
    snprintf(keys, sizeof keys, "%s/keys.log", dir);
    ck_assert(sim_capture_save(cap, path));
    ck_assert(sim_world_save_keylog(c.w, keys));
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r %s -o wg.keylog_file:%s -Y 'wg.type == 4 && icmp.type == 8' -T fields -e ip.frag_offset "
             "2>/dev/null | wc -l",
             path, keys);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    int echoes = -1;
    ck_assert_int_eq(fscanf(f, "%d", &echoes), 1);
    pclose(f);
    ck_assert_int_eq(echoes, 5); /* reassembled by Wireshark and decrypted: the inner echo requests */
    unlink(path);
    unlink(keys);
    rmdir(dir);
    sim_world_free(c.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_frag");
    TCase *tc = tcase_create("frag");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_forwarded_fragments);
    tcase_add_test(tc, test_reass_orders_and_overlaps);
    tcase_add_test(tc, test_reass_limits_and_bad_lengths);
    tcase_add_test(tc, test_reass_timeout);
    tcase_add_test(tc, test_pf_scrub);
    tcase_add_test(tc, test_tunnel_over_fragments);
    tcase_add_test(tc, test_linux_path_mtu);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
