/*
 * test_net_ping.c — the ping generator across two routers: every echo
 * answered, RTT = 6 one-way segment delays, loss and RTT statistics per
 * window, errors recorded for sends without a route.
 */
#include "net_topo.h"

START_TEST(test_ping_across_routers)
{
    T_chain c = T_chain_new(71, 5 * SIM_MS);
    T_run(c.w, SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.0.2.10"), .start = 2 * SIM_S, .interval = SIM_S, .count = 10};
    sim_ping *p = sim_ping_start(c.a, &pc);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(sim_ping_id(p), 0x5700);
    T_run(c.w, 20 * SIM_S);
    ck_assert_uint_eq(sim_ping_sample_count(p), 10);
    sim_ping_stats st;
    sim_ping_stats_between(p, 0, 20 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 10);
    ck_assert_uint_eq(st.received, 10);
    ck_assert_uint_eq(st.errors, 0);
    /* 3 segments each way, 5 ms each; the first echo also waits for 3
     * ARP resolutions on the way there and 3 on the way back... of which
     * b->r2 and r2->r1 are already learned from the requests (they target
     * the asker's neighbour). */
    ck_assert_int_eq(st.rtt_min, 30 * SIM_MS);
    ck_assert_int_eq(st.rtt_max, sim_ping_sample_at(p, 0)->received - sim_ping_sample_at(p, 0)->sent);
    ck_assert_int_gt(st.rtt_max, 30 * SIM_MS);
    sim_ping_stats_between(p, 3 * SIM_S, 20 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 9);
    ck_assert_int_eq(st.rtt_max, 30 * SIM_MS);
    ck_assert_int_eq(st.rtt_avg, 30 * SIM_MS);
    for (size_t i = 0; i < 10; i++) {
        const sim_ping_sample *s = sim_ping_sample_at(p, i);
        ck_assert_uint_eq(s->seq, i);
        ck_assert_int_eq(s->sent, 2 * SIM_S + (sim_time)i * SIM_S);
    }
    /* Routers forward the echo with a decremented TTL: b sees TTL 62. */
    bool seen = false;
    for (size_t i = 0; i < sim_trace_count(c.w); i++) {
        sim_trace_rec r_v; sim_trace_get(c.w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (r->node == sim_node_id(c.b) && r->dir == SIM_DIR_IN && r->proto == SIM_IPPROTO_ICMP &&
            r->icmp_type == SIM_ICMP_ECHO && r->icmp_id == 0x5700) {
            ck_assert_int_eq(r->ttl, 62);
            seen = true;
        }
    }
    ck_assert(seen);
    /* Loss on the core segment shows up in the statistics. */
    sim_segment_config sc = {.delay = 5 * SIM_MS, .loss = 1.0};
    ck_assert(sim_segment_set_config(c.s12, &sc));
    sim_ping_config pc2 = {.dst = T_ip("10.0.2.10"), .interval = 500 * SIM_MS, .count = 4};
    sim_ping *p2 = sim_ping_start(c.a, &pc2);
    T_run(c.w, 30 * SIM_S);
    sim_ping_stats_between(p2, 0, 30 * SIM_S, &st);
    ck_assert_uint_eq(st.sent, 4);
    ck_assert_uint_eq(st.received, 0);
    ck_assert_uint_eq(sim_ping_id(p2), 0x5701);
    /* No route: send errors are recorded, not counted as sent. */
    wg_prefix def = T_pfx("0.0.0.0/0");
    ck_assert_int_eq(sim_route_del(c.a, &def), SIM_OK);
    sim_ping_config pc3 = {.dst = T_ip("10.0.2.10"), .count = 2};
    sim_ping *p3 = sim_ping_start(c.a, &pc3);
    T_run(c.w, 40 * SIM_S);
    sim_ping_stats_between(p3, 0, 40 * SIM_S, &st);
    ck_assert_uint_eq(st.errors, 2);
    ck_assert_uint_eq(st.sent, 0);
    ck_assert_int_eq(sim_ping_sample_at(p3, 0)->send_err, SIM_ENETUNREACH);
    ck_assert_uint_ge(T_events_containing(c.w, "ENETUNREACH"), 2);
    ck_assert_uint_eq(sim_world_ping_count(c.w), 3);
    sim_world_free(c.w);
}
END_TEST

/* Forgetting samples: the totals stay those of the whole run, a reply
 * to a forgotten echo still counts as answered (once), and memory holds
 * only the samples not forgotten. */
START_TEST(test_ping_forget_keeps_totals)
{
    T_chain c = T_chain_new(72, 500 * SIM_MS); /* rtt 3 s */
    T_run(c.w, SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.0.2.10"), .start = 2 * SIM_S, .interval = SIM_S, .count = 5};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 4500 * SIM_MS); /* echoes at 2, 3, 4 s; none answered yet */
    ck_assert_uint_eq(sim_ping_sample_count(p), 3);
    sim_ping_forget_before(p, 3500 * SIM_MS); /* the echoes of 2 and 3 s, unanswered */
    ck_assert_uint_eq(sim_ping_sample_count(p), 1);
    ck_assert_int_eq(sim_ping_sample_at(p, 0)->sent, 4 * SIM_S);
    T_run(c.w, 20 * SIM_S);
    sim_ping_totals t;
    sim_ping_totals_get(p, &t);
    ck_assert_uint_eq(t.echoes, 5);
    ck_assert_uint_eq(t.answered, 5);
    ck_assert_uint_eq(t.errors, 0);
    ck_assert_uint_eq(sim_ping_sample_count(p), 3);
    sim_ping_forget_before(p, SIM_TIME_NEVER);
    ck_assert_uint_eq(sim_ping_sample_count(p), 0);
    ck_assert_ptr_null(sim_ping_sample_at(p, 0));
    sim_world_free(c.w);
}
END_TEST

/* Many echoes forgotten before their replies (a long outage, then the
 * replies arrive late): each late reply still counts once, whether the
 * ping lists the forgotten unanswered sequences (few) or maps them
 * (more than fit the list). */
START_TEST(test_ping_forget_many_then_late_replies)
{
    static const uint32_t counts[] = {100, 600};
    T_chain c = T_chain_new(73, 500 * SIM_MS); /* rtt 3 s */
    /* one echo first, so that every hop has resolved ARP (a burst waiting
     * for ARP loses all but 16 packets: net.link.ether.inet.maxhold) */
    sim_ping_config warm = {.dst = T_ip("10.0.2.10"), .count = 1};
    sim_ping_start(c.a, &warm);
    T_run(c.w, 8 * SIM_S);
    sim_ping_config pc = {.dst = T_ip("10.0.2.10"), .interval = SIM_MS, .count = counts[_i]};
    sim_ping *p = sim_ping_start(c.a, &pc);
    T_run(c.w, 8 * SIM_S + counts[_i] * SIM_MS);
    sim_ping_forget_before(p, SIM_TIME_NEVER); /* every echo sent, none answered */
    ck_assert_uint_eq(sim_ping_sample_count(p), 0);
    T_run(c.w, 30 * SIM_S);
    sim_ping_totals t;
    sim_ping_totals_get(p, &t);
    ck_assert_uint_eq(t.echoes, counts[_i]);
    ck_assert_uint_eq(t.answered, counts[_i]);
    sim_world_free(c.w);
}
END_TEST

static void count_patterned_echo(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip)
{
    (void)n, (void)in;
    if (ip->icmp_type != SIM_ICMP_ECHO)
        return;
    ck_assert_uint_eq(ip->payload_len, 600);
    for (size_t i = 0; i < ip->payload_len; i++)
        ck_assert_uint_eq(ip->payload[i], (uint8_t)i);
    (*(size_t *)ctx)++;
}

/* An echo of 600 bytes carries ping's pattern 0x00, 0x01, ... 0xff and
 * round again (icmp.c copies it from a 256-byte table). Recording turned
 * off before anything was recorded keeps no packet (the frames are not
 * even looked at: net.h sim_trace_frame), and turned on again it records
 * from then on, at points first seen while it was off too. */
START_TEST(test_echo_pattern_and_trace_off)
{
    sim_world *w = T_world(73);
    sim_trace_enable(w, false, false);
    sim_segment *s = T_seg(w, "link", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    T_if(a, "eth0", s, "10.0.0.1/24");
    T_if(b, "eth0", s, "10.0.0.2/24");
    size_t seen = 0;
    sim_node_add_icmp_listener(b, count_patterned_echo, &seen);
    T_run(w, SIM_S);
    wg_ip dst = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_icmp_echo(a, &dst, 7, 1, 600, NULL), SIM_OK);
    T_run(w, 2 * SIM_S);
    ck_assert_uint_eq(seen, 1);
    ck_assert_uint_eq(sim_trace_count(w), 0);
    sim_trace_enable(w, true, true);
    ck_assert_int_eq(sim_icmp_echo(a, &dst, 7, 2, 600, NULL), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert_uint_eq(seen, 2);
    /* the request and the reply, each out of one node, on the wire and
     * into the other */
    ck_assert_uint_eq(sim_trace_count(w), 6);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_ping");
    TCase *tc = tcase_create("ping");
    tcase_add_test(tc, test_ping_across_routers);
    tcase_add_test(tc, test_ping_forget_keeps_totals);
    tcase_add_test(tc, test_echo_pattern_and_trace_off);
    tcase_add_loop_test(tc, test_ping_forget_many_then_late_replies, 0, 2);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
