/*
 * test_history.c — state as of T (sim/record/history.c) against the live
 * tables. Shipped scenarios (CARP failover, pfsync, NAT, multi-WAN, NAT
 * mappings that expire) run with record_all; at many instants of the run a
 * probe event compares every live table the models expose (pf states,
 * CARP vhids, WireGuard peers, routes, gateways, ARP entries) with the
 * change log's answer for T = now; after the run the same instants are
 * asked again and must give what was seen live. Any difference fails.
 * Also: the log stays off when its class is turned off, and grows with
 * changes, not packets.
 */
#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner.h"

/* ---- canonical text of a table: one sorted line per row ---- */

typedef struct lines {
    char **v;
    size_t n, cap;
} lines;

static void add_line(lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(lines *l, const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        ck_assert_ptr_nonnull(l->v);
    }
    va_list ap;
    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&l->v[l->n++], fmt, ap), 0);
    va_end(ap);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted and joined; the lines are freed. */
static char *join(lines *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    char *s = malloc(len), *p = s;
    ck_assert_ptr_nonnull(s);
    *p = 0;
    for (size_t i = 0; i < l->n; i++) {
        p += sprintf(p, "%s\n", l->v[i]);
        free(l->v[i]);
    }
    free(l->v);
    *l = (lines){0};
    return s;
}

enum { T_PF = 0, T_PF_DEADLINE, T_CARP, T_WG, T_ROUTE, T_GW, T_ARP, T__COUNT };
static const char *const table_name[T__COUNT] = {"pf states", "pf deadlines", "carp", "wg peers",
                                                 "routes", "gateways", "arp"};

static void pf_line(lines *l, lines *dl, int node, const sim_fw_state_info *s)
{
    char a[64], b[64], c[64];
    add_line(l, "%d %s %u %d %s %s %s %d %d %u", node, s->ifname, s->proto, s->outbound,
             wg_endpoint_format(&s->src, a), wg_endpoint_format(&s->nat_src, b), wg_endpoint_format(&s->dst, c),
             s->translated, s->from_pfsync, s->creatorid);
    add_line(dl, "%d %s %s %s %lld", node, wg_endpoint_format(&s->src, a), wg_endpoint_format(&s->nat_src, b),
             wg_endpoint_format(&s->dst, c), (long long)s->expires);
}

static void carp_line(lines *l, int node, const char *ifname, uint8_t vhid, int state, int skew, int adv, int dem)
{
    add_line(l, "%d %s %u %d %d %d %d", node, ifname, vhid, state, skew, adv, dem);
}

static void wg_line(lines *l, int node, uint32_t ifx, int peer, bool has_ep, const wg_endpoint *ep,
                    const wg_ip *src, int64_t hs, bool key, uint32_t kidx, int64_t birth)
{
    char a[64], b[64];
    add_line(l, "%d %u %d %s %s %lld %d %u %lld", node, ifx, peer, has_ep ? wg_endpoint_format(ep, a) : "-",
             src->family ? wg_ip_format(src, b) : "-", (long long)hs, key, key ? kidx : 0,
             key ? (long long)birth : 0LL);
}

static void route_line(lines *l, const sim_world *w, int node, const sim_route *r)
{
    char b[200];
    add_line(l, "%d %s ifindex %u ifa %s", node, sim_route_format(sim_world_node_at(w, (size_t)node), r, b, sizeof b),
             r->ifindex, r->ifa.family ? wg_ip_format(&r->ifa, (char[64]){0}) : "-");
}

static void gw_line(lines *l, int node, const char *name, const sim_fw_gateway_info *g)
{
    char a[64];
    add_line(l, "%d %s %d %s %s", node, name, g->status, g->ifname, wg_ip_format(&g->addr, a));
}

static void arp_line(lines *l, int node, uint32_t ifx, const sim_arp_entry *e)
{
    char a[64], m[SIM_MAC_STRLEN];
    add_line(l, "%d %u %s %s %d %lld", node, ifx, wg_ip_format(&e->ip, a), sim_mac_format(&e->mac, m), e->resolved,
             (long long)e->expire);
}

/* The live tables now, through the models' own accessors. */
static void live_tables(const hs_scenario *sc, sim_world *w, char *out[T__COUNT])
{
    lines l[T__COUNT] = {0};
    for (size_t i = 0; i < sim_world_node_count(w); i++) {
        sim_node *n = sim_world_node_at(w, i);
        int id = sim_node_id(n);
        const sim_fw *f = sim_node_fw(n);
        if (f) {
            sim_fw_state_info s;
            for (size_t k = 0; sim_fw_state_at(f, k, &s); k++)
                pf_line(&l[T_PF], &l[T_PF_DEADLINE], id, &s);
            for (size_t x = 1; x <= sim_node_iface_count(n); x++) {
                const char *ifn = sim_iface_name(sim_node_iface_by_index(n, (uint32_t)x));
                for (unsigned vhid = 1; vhid < 256; vhid++) {
                    sim_fw_carp_info ci;
                    if (sim_fw_carp_info_get(f, ifn, (uint8_t)vhid, &ci))
                        carp_line(&l[T_CARP], id, ci.ifname, ci.vhid, ci.state, ci.advskew, ci.advertised_skew,
                                  ci.demotion);
                }
            }
            const hs_node *hn = &sc->nodes[i];
            for (size_t g = 0; g < hn->n_gateways; g++) {
                sim_fw_gateway_info gi;
                if (sim_fw_gateway_info_get(f, hn->gateways[g].name, &gi))
                    gw_line(&l[T_GW], id, hn->gateways[g].name, &gi);
            }
        }
        for (size_t r = 0; r < sim_node_route_count(n); r++)
            route_line(&l[T_ROUTE], w, id, sim_node_route_at(n, r));
        for (size_t x = 1; x <= sim_node_iface_count(n); x++) {
            sim_iface *ifp = sim_node_iface_by_index(n, (uint32_t)x);
            sim_arp_entry e;
            for (size_t k = 0; sim_arp_entry_at(ifp, k, &e); k++)
                arp_line(&l[T_ARP], id, (uint32_t)x, &e);
            sim_wg *h = sim_iface_kind_of(ifp) == SIM_IFACE_TUNNEL ? sim_node_wg(n, sim_iface_name(ifp)) : NULL;
            if (!h)
                continue;
            wg_device *d = sim_wg_device(h);
            for (size_t p = 0; d && p < wg_device_peer_count(d); p++) {
                wg_peer_info pi;
                if (wg_device_peer_info(d, (int)p, &pi))
                    wg_line(&l[T_WG], id, (uint32_t)x, pi.peer_id, pi.has_endpoint, &pi.endpoint,
                            &pi.learned_source.addr, pi.last_handshake, pi.has_current_key, pi.current_key_index,
                            pi.current_key_birth);
            }
        }
    }
    for (int t = 0; t < T__COUNT; t++)
        out[t] = join(&l[t]);
}

/* The same tables from the change log, as of t. */
static void history_tables(const sim_world *w, sim_time t, char *out[T__COUNT])
{
    lines l[T__COUNT] = {0};
    sim_hist_pf_state *ps;
    size_t n = sim_history_pf_states(w, -1, t, &ps);
    for (size_t i = 0; i < n; i++)
        pf_line(&l[T_PF], &l[T_PF_DEADLINE], ps[i].node, &ps[i].info);
    free(ps);
    sim_hist_carp *cs;
    n = sim_history_carp(w, -1, t, &cs);
    for (size_t i = 0; i < n; i++)
        carp_line(&l[T_CARP], cs[i].node, cs[i].ifname, cs[i].vhid, cs[i].state, cs[i].advskew,
                  cs[i].advertised_skew, cs[i].demotion);
    free(cs);
    sim_hist_wg_peer *wp;
    n = sim_history_wg_peers(w, -1, t, &wp);
    for (size_t i = 0; i < n; i++)
        wg_line(&l[T_WG], wp[i].node, wp[i].ifindex, wp[i].peer_id, wp[i].has_endpoint, &wp[i].endpoint,
                &wp[i].learned_source, wp[i].last_handshake, wp[i].has_current_key, wp[i].key_index,
                wp[i].key_birth);
    free(wp);
    sim_hist_route *rs;
    n = sim_history_routes(w, -1, t, &rs);
    for (size_t i = 0; i < n; i++)
        route_line(&l[T_ROUTE], w, rs[i].node, &rs[i].route);
    free(rs);
    sim_hist_gateway *gs;
    n = sim_history_gateways(w, -1, t, &gs);
    for (size_t i = 0; i < n; i++)
        gw_line(&l[T_GW], gs[i].node, gs[i].name, &gs[i].info);
    free(gs);
    sim_hist_arp *as;
    n = sim_history_arp(w, -1, t, &as);
    for (size_t i = 0; i < n; i++)
        arp_line(&l[T_ARP], as[i].node, as[i].ifindex, &as[i].entry);
    free(as);
    for (int k = 0; k < T__COUNT; k++)
        out[k] = join(&l[k]);
}

/* ---- probes ---- */

#define MAX_PROBES 400

typedef struct probe_run {
    const hs_scenario *sc;
    sim_world *w;
    size_t n;
    sim_time t[MAX_PROBES];
    char *seen[MAX_PROBES][T__COUNT]; /* live tables at t */
    size_t mismatches, compared;
    size_t rows_seen[T__COUNT];       /* non-empty tables seen (the test must see something) */
    char first[4096];
} probe_run;

static probe_run P;

static void mismatch(const char *when, sim_time t, int table, const char *live, const char *hist)
{
    if (!P.mismatches++)
        snprintf(P.first, sizeof P.first, "%s: %s at %.9fs differ\n live:\n%s history:\n%s", when, table_name[table],
                 (double)t / 1e9, live, hist);
}

static void probe_fired(void *arg)
{
    size_t k = (size_t)(uintptr_t)arg;
    char *hist[T__COUNT];
    sim_time now = sim_world_now(P.w);
    P.t[k] = now;
    live_tables(P.sc, P.w, P.seen[k]);
    history_tables(P.w, now, hist);
    for (int t = 0; t < T__COUNT; t++) {
        P.compared++;
        if (P.seen[k][t][0])
            P.rows_seen[t]++;
        if (strcmp(P.seen[k][t], hist[t]))
            mismatch("during the run", now, t, P.seen[k][t], hist[t]);
        free(hist[t]);
    }
}

static void before_run(void *ctx, const hs_scenario *s, sim_world *w)
{
    (void)ctx;
    P.sc = s;
    P.w = w;
    /* Instants that do not fall on the scenario's round times (where
     * commands, pings and timers run), spread over the whole run. */
    sim_time step = s->duration / (MAX_PROBES - 10);
    if (step < SIM_MS)
        step = SIM_MS;
    for (size_t k = 0; k < MAX_PROBES && (sim_time)(k + 1) * step + 123457 < s->duration; k++) {
        sim_schedule_at(sim_world_engine(w), (sim_time)(k + 1) * step + 123457 + (sim_time)k * 7919,
                        probe_fired, (void *)(uintptr_t)k);
        P.n = k + 1;
    }
}

static void after_run(void *ctx, const hs_scenario *s, sim_world *w, hs_result *r)
{
    (void)ctx, (void)s, (void)r;
    for (size_t k = 0; k < P.n; k++) {
        char *hist[T__COUNT];
        history_tables(w, P.t[k], hist);
        for (int t = 0; t < T__COUNT; t++) {
            /* a deadline at T is not kept once the state was updated again:
             * only the liveness and the rows' content are asked after the run */
            if (t != T_PF_DEADLINE) {
                P.compared++;
                if (strcmp(P.seen[k][t], hist[t]))
                    mismatch("after the run", P.t[k], t, P.seen[k][t], hist[t]);
            }
            free(hist[t]);
        }
    }
}

static void check_scenario(const char *rel, const int *must_see, size_t n_must)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", WGSIM_SOURCE_DIR, rel);
    memset(&P, 0, sizeof P);
    hs_run_options o = {.record_all = true, .before_run = before_run, .after_run = after_run};
    hs_result *r = hs_run_file(path, &o);
    ck_assert_msg(r->status == HS_STATUS_PASSED, "%s: %s", rel, r->error ? r->error : "failed");
    ck_assert_msg(P.n > 100, "%s: only %zu probes", rel, P.n);
    ck_assert_msg(P.mismatches == 0, "%s: %zu of %zu comparisons differ; first: %s", rel, P.mismatches, P.compared,
                  P.first);
    for (size_t i = 0; i < n_must; i++)
        ck_assert_msg(P.rows_seen[must_see[i]] > 0, "%s: no %s seen at any probe", rel, table_name[must_see[i]]);
    for (size_t k = 0; k < P.n; k++)
        for (int t = 0; t < T__COUNT; t++)
            free(P.seen[k][t]);
    hs_result_free(r);
}

/* The scenarios, and the tables each must show at some probe (so that the
 * comparison is not vacuous). */
static const struct {
    const char *file;
    int must[T__COUNT];
    size_t n_must;
} SCENARIOS[] = {
    {"conformance/c4-maintenance-mode-roams-remote.yaml", {T_PF, T_CARP, T_WG, T_ROUTE, T_ARP}, 5},
    {"conformance/c5-power-off-tunnel-recovers.yaml", {T_PF, T_CARP, T_WG, T_ROUTE, T_ARP}, 5},
    {"conformance/c6-outbound-nat-to-vip-breaks-on-failover.yaml", {T_PF, T_CARP, T_WG}, 3},
    {"multiwan/wan2-outage-moves-tunnel-to-wan1.yaml", {T_PF, T_GW, T_ROUTE, T_WG}, 4},
    {"multiwan/gateway-failover-restart-wireguard-fails-back.yaml", {T_GW, T_ROUTE, T_WG}, 3},
    {"field/home-nat-idle-mapping-expires.yaml", {T_PF, T_WG, T_ARP}, 3},
    {"field/ha-failback-backup-restarts-wireguard.yaml", {T_PF, T_CARP, T_WG}, 3},
};

START_TEST(live_tables_equal_history)
{
    check_scenario(SCENARIOS[_i].file, SCENARIOS[_i].must, SCENARIOS[_i].n_must);
}
END_TEST

/* Turned off, a class logs nothing and answers nothing; on, the log of a
 * ping flow grows with the flow, not with its packets. */
static size_t pf_records, wg_records, route_records;
static void count_after(void *ctx, const hs_scenario *s, sim_world *w, hs_result *r)
{
    (void)ctx, (void)s, (void)r;
    pf_records = sim_history_records(w, SIM_HIST_PF);
    wg_records = sim_history_records(w, SIM_HIST_WG);
    route_records = sim_history_records(w, SIM_HIST_ROUTE);
    sim_usage u;
    sim_world_usage(w, &u);
    ck_assert_uint_eq(u.item[SIM_USAGE_HISTORY].bytes, sim_history_bytes(w));
    ck_assert_uint_ge(u.item[SIM_USAGE_HISTORY].count, pf_records + wg_records + route_records);
}

START_TEST(class_off_and_growth)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/examples/starter.yaml", WGSIM_SOURCE_DIR);
    /* with the timeline: a run without one keeps no change log at all
     * (expect_events.c), nothing reads it */
    hs_run_options o = {.after_run = count_after, .history_off = 1u << SIM_HIST_PF, .timeline = true};
    hs_result *r = hs_run_file(path, &o);
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    ck_assert_uint_eq(pf_records, 0);
    ck_assert_uint_gt(wg_records, 0);
    ck_assert_uint_gt(route_records, 0);
    hs_result_free(r);
    o.history_off = 0;
    r = hs_run_file(path, &o);
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    ck_assert_uint_gt(pf_records, 0);
    /* a ping a second for the whole run: far fewer states than packets */
    ck_assert_uint_lt(pf_records, r->counters.pings_sent / 4 + 8);
    hs_result_free(r);
    /* no timeline, no record_all: neither the event log nor the change log
     * is stored */
    o.timeline = false;
    r = hs_run_file(path, &o);
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    ck_assert_uint_eq(pf_records + wg_records + route_records, 0);
    ck_assert_uint_gt(r->counters.events, 0);
    ck_assert_uint_gt(r->counters.handshakes, 0);
    hs_result_free(r);
}
END_TEST

/* ---- item 4: what the timeline tells from the log, and drops ---- */

static const hs_timeline_entry *find_entry(const hs_result *r, const char *cat, const char *needle)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        if (!strcmp(r->timeline[i].category, cat) && strstr(r->timeline[i].text, needle))
            return &r->timeline[i];
    return NULL;
}

static const char *field(const hs_timeline_entry *e, const char *key)
{
    for (size_t i = 0; e && i < e->n_fields; i++)
        if (!strcmp(e->fields[i].key, key))
            return e->fields[i].value;
    return NULL;
}

static hs_result *run_timeline(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", WGSIM_SOURCE_DIR, rel);
    hs_run_options o = {.timeline = true};
    return hs_run_file(path, &o);
}

START_TEST(timeline_nat_pf_and_drops)
{
    hs_result *r = run_timeline("conformance/c6-outbound-nat-to-vip-breaks-on-failover.yaml");
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    /* the NAT rule's translation of fw1's WireGuard flow, once */
    const hs_timeline_entry *e =
        find_entry(r, "nat", "nat wan: udp 198.51.100.2:51820 -> 192.0.2.10:51820 as 198.51.100.1:51820 (rule: nat rule at ");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->node, "fw1");
    ck_assert_str_eq(field(e, "nat-src"), "198.51.100.1:51820");
    ck_assert_ptr_nonnull(strstr(field(e, "nat-rule"), "c6-outbound-nat-to-vip-breaks-on-failover.yaml:"));
    size_t nat_lines = 0;
    for (size_t i = 0; i < r->n_timeline; i++)
        nat_lines += !strcmp(r->timeline[i].category, "nat") && strstr(r->timeline[i].text, "as 198.51.100.1:51820");
    ck_assert_uint_lt(nat_lines, 4); /* per flow, not per packet */
    /* its copy on fw2, and where it came from */
    e = find_entry(r, "pf", "pf state imported from fw1 by pfsync: wan out udp 198.51.100.2:51820 -> 192.0.2.10:51820");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(field(e, "origin"), "pfsync from fw1");
    /* fw1 powered off: its states are flushed */
    ck_assert_ptr_nonnull(find_entry(r, "pf", "pf state flushed (power-off): wan out udp 198.51.100.2:51820"));
    /* the drop names the packet, the interface and the rule */
    e = find_entry(r, "drop", "filter: udp 198.51.100.3:51820 -> 192.0.2.10:51820 on wan: out hook: pf: nat rule at ");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(field(e, "interface"), "wan");
    ck_assert_str_eq(field(e, "src"), "198.51.100.3");
    ck_assert_ptr_nonnull(strstr(field(e, "rule"), "c6-outbound-nat-to-vip-breaks-on-failover.yaml:"));
    hs_result_free(r);

    r = run_timeline("field/home-nat-idle-mapping-expires.yaml");
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    /* the idle mapping's state ends exactly at its last packet + the rule's udp-timeout */
    e = find_entry(r, "pf", "pf state expired: wan out udp 192.168.1.2:51820 -> 198.51.100.2:51820 as 100.64.0.10:51820");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(field(e, "ended"), "expired");
    ck_assert_int_le(llabs(e->t - (int64_t)(atof(field(e, "end")) * 1e9 + 0.5)), 1000); /* "end" is in µs */
    hs_result_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("history");
    TCase *t = tcase_create("state as of T");
    tcase_set_timeout(t, 240);
    tcase_add_loop_test(t, live_tables_equal_history, 0, (int)(sizeof SCENARIOS / sizeof SCENARIOS[0]));
    tcase_add_test(t, class_off_and_growth);
    tcase_add_test(t, timeline_nat_pf_and_drops);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
