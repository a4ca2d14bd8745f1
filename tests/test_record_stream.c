/*
 * test_record_stream.c — the run record streamed (issue 17, "record what
 * is needed, stream the rest"; harness/expect_stream.c):
 *   - the history expectations evaluated as the run goes give the counts
 *     and lines a scan of the stored records after the run gives (the
 *     scan is written here again, as the reference, over a record_all
 *     world that stores every packet and keeps every ping sample);
 *   - the same texts with and without record_all (forgetting samples
 *     changes nothing);
 *   - a long run's memory does not grow with simulated time: at 60 s and
 *     600 s of a 1 ms ping through a tunnel, no packet record is stored,
 *     the ping keeps only the echoes in flight and the heap stays flat.
 */
#include <check.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"
#include "suite_run.h"

/* Two sites across one router; fwa pings fwb through the tunnel every
 * second (ping 0) and every 10 ms (ping 1); fwb's WAN is down from 20 to
 * 25 s. The expectations below are chosen to fail in every way an
 * explanation can be built. */
static const char *BASE =
    "name: t\n"
    "seed: 3\n"
    "duration: %s\n"
    "segments:\n"
    "  wa: {delay: 5ms}\n"
    "  wb: {delay: 5ms, jitter: 2ms}\n"
    "nodes:\n"
    "  isp:\n"
    "    kind: router\n"
    "    interfaces:\n"
    "      a: {segment: wa, address: 198.51.100.1/24}\n"
    "      b: {segment: wb, address: 203.0.113.1/24}\n"
    "  fwa:\n"
    "    kind: firewall\n"
    "    interfaces: {wan: {segment: wa, address: 198.51.100.2/24}}\n"
    "    routes: [{to: default, via: 198.51.100.1}]\n"
    "    wireguard:\n"
    "      wg0:\n"
    "        address: 10.99.0.1/24\n"
    "        peers: [{node: fwb, endpoint: 203.0.113.2:51820, allowed-ips: [10.99.0.2/32],\n"
    "                 persistent-keepalive: 25}]\n"
    "  fwb:\n"
    "    kind: firewall\n"
    "    interfaces: {wan: {segment: wb, address: 203.0.113.2/24}}\n"
    "    routes: [{to: default, via: 203.0.113.1}]\n"
    "    wireguard:\n"
    "      wg0:\n"
    "        address: 10.99.0.2/24\n"
    "        peers: [{node: fwa, allowed-ips: [10.99.0.1/32]}]\n"
    "traffic:\n"
    "  - {ping: {from: fwa, to: 10.99.0.2, every: 1s}}\n"
    "  - {ping: {from: fwa, to: 10.99.0.2, every: %s}}\n"
    "events:\n"
    "  - {at: 20s, do: link-down fwb wan}\n"
    "  - {at: 25s, do: link-up fwb wan}\n"
    "expect:\n%s";

static const char *FAILING =
    "  - {during: [0s, 10s], packets: {from: fwa, wg: handshake-initiation, count: '== 0'}}\n"
    "  - {during: [0s, 30s], packets: {from: fwa, src: 192.0.2.99}}\n"
    "  - {during: [5s, 6s], packets: {from: fwa, wg: cookie-reply}}\n"
    "  - {at: 1s, packets: {on: wa, wg: cookie-reply}}\n"
    "  - {during: [40s, 45s], packets: {to: fwb, from: isp, wg: handshake-response}}\n"
    "  - {during: [0s, 30s], no-packets: {to: fwb, wg: transport}}\n"
    "  - {during: [5s, 8s], packets: {to: fwb, udp-dst-port: 9}}\n"
    "  - {at: 30s, handshake: {node: fwa, peer: fwb, count: '>= 5'}}\n"
    "  - {during: [10s, 40s], handshake: {node: fwa, peer: fwb, last-within: 5s}}\n"
    "  - {at: 22s, endpoint: {node: fwb, peer: fwa, is: '192.0.2.1:1'}}\n"
    "  - {during: [0s, 40s], tunnel: {ping: 0, loss: '0%'}}\n"
    "  - {during: [0s, 10s], tunnel: {ping: 0, rtt: '< 10ms'}}\n"
    "  - {during: [30s, 35s], tunnel: {ping: 0, loss: '== 100%'}}\n"
    "  - {during: [10s, 40s], tunnel: {ping: 1, loss: '0%', rtt: '< 15ms'}}\n"
    "  - {during: [1s, 15s], tunnel: {ping: 1, rtt: '< 14ms'}}\n"
    "  - {at: 38s, tunnel: {ping: 1, loss: '< 1%'}}\n";

static hs_scenario *load(const char *duration, const char *every, const char *expect)
{
    size_t n = strlen(BASE) + strlen(duration) + strlen(every) + strlen(expect) + 1;
    char *y = malloc(n);
    snprintf(y, n, BASE, duration, every, expect);
    hs_diag d;
    hs_diag_init(&d, "t.yaml");
    hs_scenario *s = hs_load_bytes("t.yaml", (const uint8_t *)y, strlen(y), &d);
    if (!s) {
        hs_diag_print(&d, stderr);
        ck_abort_msg("scenario did not load");
    }
    hs_diag_free(&d);
    free(y);
    return s;
}

static hs_world *build(const hs_scenario *s, bool record_all)
{
    hs_run_options o = {.timeline = true, .record_all = record_all};
    char err[512];
    hs_world *hw = hs_world_build(s, &o, err, sizeof err);
    ck_assert_msg(hw != NULL, "%s", err);
    hs_schedule_events(hw);
    hs_expect_schedule(hw);
    return hw;
}

static hs_result *evaluate(hs_world *hw)
{
    hs_result *r = calloc(1, sizeof *r);
    hs_expect_evaluate(hw, r);
    return r;
}

/* ------------------------------------------------------------------ */
/* the reference: a scan of the stored records after the run           */
/* ------------------------------------------------------------------ */

typedef struct ref_filter {
    int from, to, on; /* sim ids, -1 any */
    const hs_addr_match *src, *dst;
    uint16_t udp_src, udp_dst;
    hs_wg_match wg;
    bool addrs;
    sim_time t1, t2;
} ref_filter;

static bool ref_wg(hs_wg_match m, const sim_trace_rec *r)
{
    if (m == HS_WGM_NONE)
        return true;
    if (r->proto != SIM_IPPROTO_UDP || !r->wg_type)
        return false;
    enum wg_msg_type want[] = {[HS_WGM_INITIATION] = WG_MSG_INITIATION,
                               [HS_WGM_RESPONSE] = WG_MSG_RESPONSE,
                               [HS_WGM_COOKIE_REPLY] = WG_MSG_COOKIE_REPLY};
    if (m == HS_WGM_ANY)
        return true;
    if (m == HS_WGM_TRANSPORT || m == HS_WGM_DATA || m == HS_WGM_KEEPALIVE)
        return r->wg_type == WG_MSG_TRANSPORT &&
               (m == HS_WGM_TRANSPORT || (m == HS_WGM_KEEPALIVE) == r->wg_keepalive);
    return r->wg_type == want[m];
}

static bool ref_addr(const hs_addr_match *m, const wg_ip *ip, const sim_trace_rec *r, uint16_t port)
{
    return !m || !m->set ||
           (wg_ip_eq(ip, &m->ip) && (!m->port || (r->proto == SIM_IPPROTO_UDP && port == m->port)));
}

static bool ref_match(const ref_filter *f, const sim_trace_rec *r)
{
    if (r->t < f->t1 || r->t > f->t2)
        return false;
    if (f->to >= 0 ? (r->dir != SIM_DIR_IN || r->node != f->to || (f->from >= 0 && r->origin_node != f->from))
        : f->from >= 0 ? (r->dir != SIM_DIR_OUT || r->node != f->from)
                       : r->dir != SIM_DIR_WIRE)
        return false;
    if (f->on >= 0 && r->segment != f->on)
        return false;
    if (f->addrs) {
        bool any = (f->src && f->src->set) || (f->dst && f->dst->set) || f->udp_src || f->udp_dst;
        if (any && !r->src.family)
            return false;
        if (!ref_addr(f->src, &r->src, r, r->sport) || !ref_addr(f->dst, &r->dst, r, r->dport))
            return false;
        if (f->udp_src && (r->proto != SIM_IPPROTO_UDP || r->sport != f->udp_src))
            return false;
        if (f->udp_dst && (r->proto != SIM_IPPROTO_UDP || r->dport != f->udp_dst))
            return false;
    }
    return ref_wg(f->wg, r);
}

/* Lines the reference expects, in order. */
typedef struct ref_lines {
    sim_time t[64];
    char *text[64];
    size_t n;
} ref_lines;

static size_t ref_scan(hs_world *hw, const ref_filter *f, ref_lines *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sim_trace_count(hw->w); i++) {
        sim_trace_rec r;
        sim_trace_get(hw->w, i, &r);
        if (!ref_match(f, &r))
            continue;
        if (out && n < max) {
            out->t[out->n] = r.t;
            out->text[out->n++] = hs_format_packet(hw, &r);
        }
        n++;
    }
    return n;
}

/* The last `n` lines of e are want's lines (earlier lines, from the
 * event log, are not the packets'), then frees want's texts. */
static void same_tail(const hs_expect_result *e, ref_lines *want, const char *what)
{
    ck_assert_msg(e->n_packets >= want->n, "%s: %zu lines, the scan gives %zu", what, e->n_packets, want->n);
    size_t off = e->n_packets - want->n;
    for (size_t i = 0; i < want->n; i++) {
        ck_assert_msg(e->packets[off + i].t == want->t[i], "%s: line %zu at %lld, the scan's at %lld", what, i,
                      (long long)e->packets[off + i].t, (long long)want->t[i]);
        ck_assert_msg(!strcmp(e->packets[off + i].text, want->text[i]), "%s: line %zu\n  %s\nthe scan's\n  %s", what,
                      i, e->packets[off + i].text, want->text[i]);
        free(want->text[i]);
    }
    want->n = 0;
}

static int sid_node(hs_world *hw, int i) { return i >= 0 ? sim_node_id(hw->nodes[i]) : -1; }

static void ref_packets(hs_world *hw, const hs_expect *e, const hs_expect_result *er)
{
    const __typeof__(e->u.packets) *p = &e->u.packets;
    ref_filter f = {.from = sid_node(hw, p->from), .to = sid_node(hw, p->to),
                    .on = p->on >= 0 ? sim_segment_id(hw->segs[p->on]) : -1, .src = &p->src, .dst = &p->dst,
                    .udp_src = p->udp_src_port, .udp_dst = p->udp_dst_port, .wg = p->wg, .addrs = true,
                    .t1 = e->during ? e->from : 0, .t2 = e->during ? e->to : e->at};
    ref_lines want = {0};
    size_t n = ref_scan(hw, &f, NULL, 0);
    ck_assert_msg(er->value == (double)n, "%s: count %g, the scan counts %zu", er->what, er->value, n);
    if (n) {
        ref_scan(hw, &f, &want, er->passed ? 2 : 8);
    } else if (!er->passed) {
        ref_filter near = f;
        near.addrs = false;
        size_t m = f.wg != HS_WGM_NONE ? ref_scan(hw, &near, NULL, 0) : 0;
        if (!m) {
            near.wg = HS_WGM_ANY;
            m = ref_scan(hw, &near, NULL, 0);
        }
        if (!m) {
            near.t1 = f.t1 > 10 * SIM_S ? f.t1 - 10 * SIM_S : 0;
            near.t2 = f.t2 + 10 * SIM_S;
            m = ref_scan(hw, &near, NULL, 0);
        }
        char needle[64];
        snprintf(needle, sizeof needle, "carried %zu other", m);
        ck_assert_msg(!m || strstr(er->observed, needle), "%s: '%s', the scan: %zu", er->what, er->observed, m);
        ref_scan(hw, &near, &want, 8);
    }
    ck_assert_uint_eq(er->n_packets, want.n);
    same_tail(er, &want, er->what);
}

static void ref_handshake(hs_world *hw, const hs_expect *e, const hs_expect_result *er)
{
    if (er->passed)
        return;
    int node = sid_node(hw, e->u.handshake.node);
    ref_filter f = {.from = node, .to = -1, .on = -1, .wg = HS_WGM_INITIATION,
                    .t1 = e->during ? e->from : 0, .t2 = e->during ? e->to : e->at};
    ref_lines want = {0};
    ref_scan(hw, &f, &want, 4);
    f.from = -1;
    f.to = node;
    f.wg = HS_WGM_RESPONSE;
    ref_scan(hw, &f, &want, 4);
    ck_assert_uint_eq(er->n_packets, want.n);
    same_tail(er, &want, er->what);
}

static void ref_endpoint(hs_world *hw, const hs_expect *e, const hs_expect_result *er, sim_time at)
{
    int nid = sid_node(hw, e->u.endpoint.node);
    size_t idx[64], m = 0;
    for (size_t i = 0; i < sim_trace_count(hw->w); i++) {
        sim_trace_rec r;
        sim_trace_get(hw->w, i, &r);
        if (r.t > at)
            break;
        if (r.dir == SIM_DIR_IN && r.node == nid && r.proto == SIM_IPPROTO_UDP && r.wg_type)
            idx[m++ % 64] = i;
    }
    ref_lines want = {0};
    for (size_t j = m > 3 ? m - 3 : 0; j < m; j++) {
        sim_trace_rec r;
        sim_trace_get(hw->w, idx[j % 64], &r);
        want.t[want.n] = r.t;
        want.text[want.n++] = hs_format_packet(hw, &r);
    }
    ck_assert_uint_eq(want.n, 3);
    same_tail(er, &want, er->what);
}

static void ref_tunnel(hs_world *hw, const hs_expect *e, const hs_expect_result *er)
{
    sim_ping *p = hw->pings[e->u.tunnel.ping];
    sim_time t1 = e->during ? e->from : 0, t2 = e->during ? e->to : e->at, end = sim_world_now(hw->w);
    size_t sent = 0, answered = 0, shown = 0;
    sim_time first_lost = -1, first_slow = -1;
    ref_lines want = {0};
    char ts[32];
    for (size_t i = 0; i < sim_ping_sample_count(p); i++) {
        const sim_ping_sample *x = sim_ping_sample_at(p, i);
        if (x->sent < t1 || x->sent >= t2)
            continue;
        sent++;
        bool ok = !x->send_err && x->received != SIM_TIME_NEVER && x->received <= end &&
                  x->received - x->sent <= 2 * SIM_S;
        if (!ok) {
            if (first_lost < 0)
                first_lost = x->sent;
            if (shown++ < 3) {
                want.t[want.n] = x->sent;
                want.text[want.n++] = x->send_err ? hs_strdup_printf("echo seq %u not sent: %s", x->seq,
                                                                     sim_err_name(x->send_err))
                                                  : hs_strdup_printf("echo seq %u sent at %ss: no reply within 2s",
                                                                     x->seq, hs_result_time(x->sent, ts, sizeof ts));
            }
            continue;
        }
        answered++;
        if (e->u.tunnel.has_rtt && !hs_cmp_test(&e->u.tunnel.rtt, (double)(x->received - x->sent)) && first_slow < 0)
            first_slow = x->sent;
    }
    double loss = sent ? 100.0 * (double)(sent - answered) / (double)sent : NAN;
    ck_assert_msg(isnan(loss) ? isnan(er->value) : er->value == loss, "%s: loss %g, the scan %g", er->what,
                  er->value, loss);
    if (er->passed) {
        ck_assert_uint_eq(er->n_packets, 0);
        for (size_t i = 0; i < want.n; i++)
            free(want.text[i]);
        return;
    }
    sim_time a = first_lost >= 0 ? first_lost : first_slow >= 0 ? first_slow : t1;
    int node = sid_node(hw, hw->s->traffic[e->u.tunnel.ping].ping.from);
    ref_filter f = {.from = node, .to = -1, .on = -1, .wg = HS_WGM_ANY, .t1 = a, .t2 = a + 2 * SIM_S};
    ref_scan(hw, &f, &want, 3);
    f.from = -1;
    f.to = node;
    ref_scan(hw, &f, &want, 2);
    ck_assert_uint_eq(er->n_packets, want.n);
    same_tail(er, &want, er->what);
}

START_TEST(streaming_gives_what_the_post_run_scan_gave)
{
    hs_scenario *s = load("50s", "10ms", FAILING);
    hs_world *hw = build(s, true);
    sim_world_run_until(hw->w, s->duration);
    hs_result *r = evaluate(hw);
    ck_assert_uint_gt(sim_trace_count(hw->w), 1000); /* record_all stored everything */
    size_t failed = 0;
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        const hs_expect_result *er = &r->expects[i];
        failed += !er->passed;
        switch (e->kind) {
        case HS_EXP_PACKETS:
        case HS_EXP_NO_PACKETS: ref_packets(hw, e, er); break;
        case HS_EXP_HANDSHAKE: ref_handshake(hw, e, er); break;
        case HS_EXP_ENDPOINT: ref_endpoint(hw, e, er, hw->exp[i].fail_t); break;
        case HS_EXP_TUNNEL: ref_tunnel(hw, e, er); break;
        default: break;
        }
    }
    /* every explanation path was taken: each expectation but one fails */
    ck_assert_uint_ge(failed, s->n_expects - 1);
    hs_result_free(r);
    hs_world_free(hw);
    hs_scenario_free(s);
}
END_TEST

START_TEST(same_texts_without_record_all)
{
    hs_scenario *s = load("50s", "10ms", FAILING);
    hs_result *r[2];
    for (int k = 0; k < 2; k++) {
        hs_world *hw = build(s, k == 0);
        sim_world_run_until(hw->w, s->duration);
        r[k] = evaluate(hw);
        if (k == 1)
            ck_assert_uint_eq(sim_trace_count(hw->w), 0); /* nothing stored */
        hs_world_free(hw);
    }
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect_result *a = &r[0]->expects[i], *b = &r[1]->expects[i];
        ck_assert_str_eq(a->observed, b->observed);
        ck_assert_uint_eq(a->n_packets, b->n_packets);
        for (size_t j = 0; j < a->n_packets; j++)
            ck_assert_str_eq(a->packets[j].text, b->packets[j].text);
    }
    hs_result_free(r[0]);
    hs_result_free(r[1]);
    hs_scenario_free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* memory follows the network, not simulated time                     */
/* ------------------------------------------------------------------ */

typedef struct snapshot {
    uint64_t records, samples, heap, events;
} snapshot;

static snapshot take(hs_world *hw)
{
    sim_usage u;
    sim_world_usage(hw->w, &u);
    struct mallinfo2 m = mallinfo2();
    return (snapshot){u.item[SIM_USAGE_TRACE].count, u.item[SIM_USAGE_PING_SAMPLES].count,
                      (uint64_t)m.uordblks + (uint64_t)m.hblkhd, u.item[SIM_USAGE_EVENT_LOG].count};
}

START_TEST(long_run_memory_is_flat)
{
    static const char *EXPECT =
        "  - {during: [0s, 15s], packets: {from: fwa, wg: handshake-initiation}}\n"
        "  - {at: 30s, endpoint: {node: fwb, peer: fwa, is: '198.51.100.2:51820'}}\n"
        "  - {during: [30s, 600s], tunnel: {ping: 1, loss: '< 1%'}}\n"
        "  - {during: [30s, 600s], handshake: {node: fwa, peer: fwb, last-within: 3m}}\n";
    hs_scenario *s = load("600s", "1ms", EXPECT);
    hs_world *hw = build(s, false);
    sim_world_run_until(hw->w, 60 * SIM_S);
    snapshot a = take(hw);
    sim_world_run_until(hw->w, 600 * SIM_S);
    snapshot b = take(hw);
    /* 540 s more of a 1 ms ping (about 5 packets an echo at the points
     * the expectations read) add no stored record and no sample beyond
     * those in flight (rtt ~25 ms); the heap grows by the event log of a
     * few handshakes and the native engine's bucket arrays (a few MiB,
     * docs/performance.md "Long runs"). Storing the packets was ~150 MB. */
    ck_assert_uint_eq(a.records, 0);
    ck_assert_uint_eq(b.records, 0);
    ck_assert_uint_lt(a.samples, 100);
    ck_assert_uint_lt(b.samples, 100);
    ck_assert_msg(b.heap < a.heap + (16u << 20), "heap %llu at 60 s, %llu at 600 s; events %llu, %llu",
                  (unsigned long long)a.heap, (unsigned long long)b.heap, (unsigned long long)a.events,
                  (unsigned long long)b.events);
    hs_result *r = evaluate(hw);
    for (size_t i = 0; i < r->n_expects; i++)
        ck_assert_msg(r->expects[i].passed, "%s: %s", r->expects[i].what, r->expects[i].observed);
    ck_assert_double_lt(r->expects[2].value, 1.0);
    hs_result_free(r);
    hs_world_free(hw);
    hs_scenario_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("record_stream");
    TCase *t = tcase_create("stream");
    tcase_set_timeout(t, 240);
    tcase_add_test(t, streaming_gives_what_the_post_run_scan_gave);
    tcase_add_test(t, same_texts_without_record_all);
    tcase_add_test(t, long_run_memory_is_flat);
    suite_add_tcase(s, t);
    return T_run_suite(s);
}
