/*
 * test_view.c — the inspection views (hs_view, harness/view*.c) on small
 * built worlds: a scenario is loaded from a string or a shipped file,
 * built with record_all (as the explore shell builds it), run to a time,
 * and the view's text must hold the expected rows. Rows are compared with
 * runs of blanks collapsed to one, so the checks do not depend on column
 * widths; one test checks the alignment itself. Errors must name the
 * offending word's column.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"
#include "suite_run.h"

typedef struct world {
    hs_scenario *s;
    hs_world *hw;
} world;

static world load_file(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WGSIM_SOURCE_DIR, rel);
    hs_diag d;
    hs_diag_init(&d, path);
    world x = {.s = hs_load_file(path, &d)};
    if (!x.s) {
        hs_diag_print(&d, stderr);
        ck_abort_msg("%s did not load", rel);
    }
    hs_diag_free(&d);
    hs_run_options o = {.timeline = true, .record_all = true};
    char err[512];
    x.hw = hs_world_build(x.s, &o, err, sizeof err);
    ck_assert_msg(x.hw != NULL, "%s", err);
    hs_schedule_events(x.hw);
    hs_expect_schedule(x.hw);
    return x;
}

static void run_to(world *x, sim_time t)
{
    sim_world_run_until(hs_world_sim(x->hw), t);
}

static void done(world *x)
{
    hs_world_free(x->hw);
    hs_scenario_free(x->s);
}

/* The view's text with runs of blanks collapsed (NULL when it failed). */
static char *view(world *x, const char *cmd, char *err, int *col)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char e[256];
    int c = -1;
    bool ok = hs_view(f, x->hw, cmd, e, sizeof e, &c);
    fclose(f);
    if (err)
        strcpy(err, e);
    if (col)
        *col = c;
    if (!ok) {
        free(buf);
        return NULL;
    }
    ck_assert_int_eq(c, 0);
    char *o = buf;
    for (char *p = buf; *p; p++)
        if (!(*p == ' ' && (o > buf && o[-1] == ' ')))
            *o++ = *p;
    *o = 0;
    return buf;
}

static void has(const char *text, const char *line)
{
    ck_assert_msg(text && strstr(text, line), "missing \"%s\" in:\n%s", line, text ? text : "(null)");
}

static void has_not(const char *text, const char *line)
{
    ck_assert_msg(text && !strstr(text, line), "unexpected \"%s\" in:\n%s", line, text ? text : "(null)");
}

/* The view's text holds every line given and none of those written "!" "LINE" (NULL ends the list). */
static void shows(world *x, const char *cmd, ...)
{
    char *t = view(x, cmd, NULL, NULL);
    va_list ap;
    va_start(ap, cmd);
    for (const char *l; (l = va_arg(ap, const char *));)
        (l[0] == '!' ? has_not : has)(t, l[0] == '!' ? l + 1 : l);
    va_end(ap);
    free(t);
}

static void fails_at(world *x, const char *cmd, int col, const char *msg_part)
{
    char err[256];
    int c;
    char *t = view(x, cmd, err, &c);
    ck_assert_msg(t == NULL, "'%s' should fail", cmd);
    ck_assert_msg(c == col, "'%s': column %d, expected %d (%s)", cmd, c, col, err);
    ck_assert_msg(strstr(err, msg_part), "'%s': \"%s\" lacks \"%s\"", cmd, err, msg_part);
}

#define C4 "scenarios/conformance/c4-maintenance-mode-roams-remote.yaml"

/* A completion callback: the candidates, each followed by a blank. */
static void collect(void *ctx, const char *word)
{
    char *b = ctx;
    strcat(b, word);
    strcat(b, " ");
}

START_TEST(nodes_view)
{
    world x = load_file(C4);
    run_to(&x, 35 * SIM_S);
    shows(&x, "show nodes",
          "NODE KIND PLATFORM POWER INTERFACE LINK ADDRESSES CARP\n",
          "fw1 firewall freebsd on, maintenance wan up 198.51.100.2/24 198.51.100.1/24 (vip) vhid 1 BACKUP\n",
          "\n lan up 10.0.0.2/24 10.0.0.1/24 (vip) vhid 2 BACKUP\n",
          "fw2 firewall freebsd on wan up 198.51.100.3/24 198.51.100.1/24 (vip) vhid 1 MASTER\n",
          "lanhost host freebsd on lan up 10.0.0.10/24\n",
          " wg0 up 10.99.0.1/24\n",
          NULL);
    done(&x);
}
END_TEST

START_TEST(carp_view)
{
    world x = load_file(C4);
    run_to(&x, 20 * SIM_S);
    shows(&x, "show carp",
          "NODE INTERFACE VHID VIP STATE SINCE ADVBASE ADVSKEW ADVERTISED DEMOTION NOTE\n",
          "fw1 wan 1 198.51.100.1/24 MASTER",
          "fw2 lan 2 10.0.0.1/24 BACKUP",
          NULL);
    run_to(&x, 35 * SIM_S);
    /* maintenance: advskew 254, advertised 240 (carp_send_ad_locked caps it) */
    shows(&x, "show carp fw1", "fw1 wan 1 198.51.100.1/24 BACKUP", "1s 254 240 0 maintenance\n", "!" "fw2", NULL);
    shows(&x, "show carp fw1 2", "fw1 lan 2 10.0.0.1/24 BACKUP", "!" "fw1 wan", NULL);
    shows(&x, "  show   carp  fw2   # a comment", "fw2 wan 1 198.51.100.1/24 MASTER", "!" "fw1 ", NULL);
    done(&x);
}
END_TEST

START_TEST(errors_have_columns)
{
    world x = load_file(C4);
    fails_at(&x, "show carp fw3", 11, "unknown node 'fw3' (did you mean 'fw1'?)");
    fails_at(&x, "show carp lanhost", 11, "no CARP");
    fails_at(&x, "show carp fw1 wan", 15, "no CARP vhid 'wan'");
    fails_at(&x, "show carp fw1 3", 15, "no CARP vhid '3'");
    fails_at(&x, "show carp fw1 1 x", 17, "unexpected 'x'");
    fails_at(&x, "show arp fw1 eth0", 14, "no interface 'eth0'");
    fails_at(&x, "show routes fw1 wan", 17, "unexpected 'wan'");
    fails_at(&x, "show crap", 6, "did you mean 'show carp'");
    fails_at(&x, "show", 5, "missing view");
    fails_at(&x, "show nodes x", 12, "unexpected 'x'");
    fails_at(&x, "frobnicate", 1, "unknown view 'frobnicate'");
    fails_at(&x, "", 1, "empty");
    done(&x);
}
END_TEST

START_TEST(aligned)
{
    world x = load_file(C4);
    run_to(&x, 5 * SIM_S);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char e[256];
    int c;
    ck_assert(hs_view(f, x.hw, "show carp", e, sizeof e, &c));
    fclose(f);
    /* every row's STATE starts in the header's STATE column; no line ends in a blank */
    const char *h = strstr(buf, "STATE");
    ck_assert_ptr_nonnull(h);
    size_t at = (size_t)(h - buf);
    for (char *line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        ck_assert_msg(strncmp(line + at, "MASTER", 6) == 0 || strncmp(line + at, "BACKUP", 6) == 0, "%s", line);
        char *nl = strchr(line, '\n');
        ck_assert(nl[-1] != ' ');
    }
    free(buf);
    done(&x);
}
END_TEST

START_TEST(peers_view)
{
    world x = load_file(C4);
    run_to(&x, 60 * SIM_S);
    /* the remote roamed to fw1's interface address after the second handshake */
    shows(&x, "show peers remote",
          "INTERFACE PEER ENDPOINT LOCAL HANDSHAKE AGE HANDSHAKES RX TX KEY AGE\n",
          "wg0 fw1 198.51.100.2:51820 192.0.2.10 45.",
          "s 14.",
          NULL);
    shows(&x, "show peers fw1 remote", "wg0 remote 192.0.2.10:51820 198.51.100.2 45.", NULL);
    done(&x);
}
END_TEST

START_TEST(net_views)
{
    world x = load_file(C4);
    run_to(&x, 35 * SIM_S);
    shows(&x, "show routes fw1",
          "DESTINATION GATEWAY INTERFACE SOURCE ORIGIN FOLLOWS\ndefault 198.51.100.254 wan 198.51.100.2 static\n",
          "10.99.0.2/32 link wg0 10.99.0.1 tunnel wg0\n",
          "198.51.100.0/24 link wan 198.51.100.2 connected\n",
          NULL);
    shows(&x, "show arp fw1",
          "INTERFACE ADDRESS MAC STATE EXPIRES\nwan 198.51.100.254 ",
          "\nlan 10.0.0.10 ",
          " resolved ",
          NULL);
    shows(&x, "show arp fw1 lan", "\nlan 10.0.0.10 ", "!" "wan 198.51.100.254", NULL);
    /* fw2 holds fw1's states, imported through pfsync */
    shows(&x, "show states fw2",
          "wan in udp 192.0.2.10:51820 -> 198.51.100.1:51820 - pass in (no filter configured) pfsync from fw1 ",
          NULL);
    shows(&x, "show states fw1",
          "wan in udp 192.0.2.10:51820 -> 198.51.100.1:51820 - pass in (no filter configured) created here ",
          NULL);
    done(&x);
}
END_TEST

#define MULTIWAN "scenarios/multiwan/wan2-outage-moves-tunnel-to-wan1.yaml"

START_TEST(gateways_view)
{
    world x = load_file(MULTIWAN);
    run_to(&x, 35 * SIM_S);
    shows(&x, "show gateways fw",
          "GATEWAY INTERFACE ADDRESS MONITOR STATUS LOSS RTT DEFAULT GROUPS\n",
          "WAN1GW wan1 198.51.100.1 198.51.100.1 online 0.0% 2.0ms yes\n",
          "WAN2GW wan2 203.0.113.1 203.0.113.1 ",
          NULL);
    shows(&x, "show gateways fw WAN2GW", "WAN2GW wan2 ", "!" "WAN1GW", NULL);
    fails_at(&x, "show gateways fw WAN3GW", 18, "no gateway 'WAN3GW'");
    char b[256] = "";
    hs_view_complete(x.hw, "show gateways fw ", collect, b);
    ck_assert_str_eq(b, "WAN1GW WAN2GW ");
    fails_at(&x, "show gateways isp1", 15, "has no gateway");
    done(&x);
}
END_TEST

/* The number of the first record at or after t that the filter text matches (1-based), 0 none. */
static size_t first_match(world *x, const char *filter, sim_time t)
{
    hs_expect e;
    char err[256];
    int col;
    ck_assert_msg(hs_packet_filter_parse(x->s, filter, &e, err, sizeof err, &col), "%s", err);
    e.during = true;
    e.from = 0;
    e.to = INT64_MAX;
    sim_world *w = hs_world_sim(x->hw);
    for (size_t i = sim_trace_lower_bound(w, t); i < sim_trace_count(w); i++) {
        sim_trace_rec r;
        sim_trace_get(w, i, &r);
        hs_frame f = hs_frame_of(x->hw, &r);
        if (hs_packets_match(&e, &f))
            return i + 1;
    }
    return 0;
}

START_TEST(packets_view)
{
    world x = load_file(C4);
    run_to(&x, 50 * SIM_S);
    char *t = view(&x, "packets 1 from: fw1 wg: handshake-initiation", NULL, NULL);
    has(t, "# TIME POINT PACKET TYPE BUILT BY SOURCE REASON\n");
    /* after the new-handshake timer: from the interface address, by route */
    has(t, " 45.374s fw1/wan out 198.51.100.2:51820 -> 192.0.2.10:51820 wg handshake-initiation fw1 route (cleared-by-timer): "
           "0.0.0.0/0 via 198.51.100.254 dev wan (static)\n");
    ck_assert_int_eq((int)(strchr(strchr(t, '\n') + 1, '\n') - t + 1), (int)strlen(t)); /* one row */
    free(t);
    /* a YAML flow mapping says the same */
    char *u = view(&x, "packets 1 {from: fw1, wg: handshake-initiation}", NULL, NULL);
    t = view(&x, "packets 1 from: fw1 wg: handshake-initiation", NULL, NULL);
    ck_assert_str_eq(t, u);
    free(t);
    free(u);
    shows(&x, "packets 3 to: fw2 dst: 198.51.100.1 udp-dst-port: 51820",
          "fw2/wan in 192.0.2.10:51820 -> 198.51.100.1:51820 wg transport remote ",
          NULL);
    shows(&x, "packets 2 from: lanhost icmp: echo-request wg: any", "no packet matches\n", NULL);
    /* the default: 20 rows and the header */
    t = view(&x, "packets", NULL, NULL);
    size_t lines = 0;
    for (const char *p = t; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq((int)lines, 21);
    free(t);
    fails_at(&x, "packets to: remote wg: initiation", 24, "'initiation' is not one of the choices");
    fails_at(&x, "packets 5 from: fw9", 17, "unknown node 'fw9'");
    fails_at(&x, "packets {from: fw1, bogus: 1}", 21, "unknown key 'bogus'");
    fails_at(&x, "packets 0", 9, "N is 1..");
    done(&x);
}
END_TEST

/* Fragments (the filter's fragment: key, main's) name their id and offset; a later one has no ports. */
START_TEST(packets_fragments)
{
    world x = load_file("scenarios/mtu/pppoe-1492-tunnel-fragments.yaml");
    run_to(&x, 20 * SIM_S);
    shows(&x, "packets 1 on: wan-a fragment: non-first",
          " seg:wan-a wire 203.0.113.2 -> 198.51.100.2 udp fragment 41238@1472 fw-b explicit (learned); ",
          NULL);
    shows(&x, "packets 1 on: wan-a fragment: first",
          " seg:wan-a wire 203.0.113.2:51820 -> 198.51.100.2:51820 wg transport fragment 41238@0+ fw-b ",
          NULL);
    done(&x);
}
END_TEST

START_TEST(why_views)
{
    world x = load_file(C4);
    run_to(&x, 50 * SIM_S);
    /* fw1's data before maintenance leaves from the VIP it learned from the remote's initiation */
    size_t n = first_match(&x, "from: fw1 wg: data", 20 * SIM_S);
    ck_assert_uint_gt(n, 0);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "why %zu", n);
    shows(&x, cmd,
          "fw1/wan out 198.51.100.1:51820 -> 192.0.2.10:51820 wg transport, built by fw1\n",
          " source 198.51.100.1 because: explicit (learned); ",
          " learned-to: 198.51.100.1:51820\n",
          " the address was learned from:\n",
          "3.002s fw1/wan in 192.0.2.10:51820 -> 198.51.100.1:51820 wg handshake-initiation, built by remote\n",
          " source 192.0.2.10 because: route: 0.0.0.0/0 via 192.0.2.1 dev net (static)\n",
          NULL);
    shows(&x, "why endpoint remote fw1",
          "remote wg0 peer fw1: endpoint 198.51.100.2:51820 now\n",
          " 0.000s configured: 198.51.100.1:51820 (",
          " 45.391s endpoint is now 198.51.100.2:51820\n",
          "roamed to the source of the authenticated packet received at 45.391s on remote/net, sent by fw1\n",
          "remote/net in 198.51.100.2:51820 -> 192.0.2.10:51820 wg handshake-initiation, built by fw1\n",
          "source 198.51.100.2 because: route (cleared-by-timer)",
          NULL);
    fails_at(&x, "why 999999999", 5, "no packet 999999999");
    fails_at(&x, "why endpoint remote fw3", 21, "no WireGuard peer 'fw3'");
    fails_at(&x, "why endpoint remote", 20, "missing peer");
    fails_at(&x, "why nothing", 5, "neither a packet number nor 'endpoint'");
    done(&x);
}
END_TEST

/* Without record_all the views that read the whole record say so. */
START_TEST(record_not_kept)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WGSIM_SOURCE_DIR, C4);
    hs_diag d;
    hs_diag_init(&d, path);
    world x = {.s = hs_load_file(path, &d)};
    hs_diag_free(&d);
    hs_run_options o = {.timeline = true};
    char err[512];
    x.hw = hs_world_build(x.s, &o, err, sizeof err);
    ck_assert_ptr_nonnull(x.hw);
    fails_at(&x, "packets 3", 1, "does not keep every packet");
    fails_at(&x, "why 3", 1, "does not keep every packet");
    /* the other views read the live tables */
    /* at 0, booted: BACKUP, demoted 240 while the pfsync bulk update runs */
    shows(&x, "show carp fw1", "fw1 wan 1 198.51.100.1/24 BACKUP 0.000s 1s 0 240 240\n", NULL);
    done(&x);
}
END_TEST

START_TEST(check_only)
{
    world x = load_file(C4);
    char err[256];
    int col;
    /* what only the run can tell is not checked; the words are */
    ck_assert(hs_view_check(x.hw, "why 999999", err, sizeof err, &col));
    ck_assert(hs_view_check(x.hw, "packets 5 to: remote", err, sizeof err, &col));
    ck_assert(!hs_view_check(x.hw, "show peers remot", err, sizeof err, &col));
    ck_assert_int_eq(col, 12);
    has(err, "did you mean 'remote'");
    done(&x);
}
END_TEST

START_TEST(completion)
{
    world x = load_file(C4);
    char b[1024] = "";
    hs_view_complete(x.hw, "show ", collect, b);
    has(b, "nodes carp peers routes states gateways arp ");
    b[0] = 0;
    hs_view_complete(x.hw, "show carp ", collect, b);
    has(b, "isp fw1 fw2 lanhost remote ");
    b[0] = 0;
    hs_view_complete(x.hw, "", collect, b);
    has(b, "show packets why ");
    b[0] = 0;
    hs_view_complete(x.hw, "show peers remote ", collect, b);
    has(b, "fw1 ");
    b[0] = 0;
    hs_view_complete(x.hw, "show carp fw1 ", collect, b);
    ck_assert_str_eq(b, "1 2 ");
    b[0] = 0;
    hs_view_complete(x.hw, "show arp fw1 ", collect, b);
    ck_assert_str_eq(b, "wan lan wg0 ");
    b[0] = 0;
    hs_view_complete(x.hw, "why endpoint ", collect, b);
    has(b, "fw1 fw2 remote ");
    ck_assert(hs_view_is_verb("show") && hs_view_is_verb("packets") && hs_view_is_verb("why"));
    ck_assert(!hs_view_is_verb("run"));
    done(&x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("views");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, nodes_view);
    tcase_add_test(tc, carp_view);
    tcase_add_test(tc, errors_have_columns);
    tcase_add_test(tc, aligned);
    tcase_add_test(tc, completion);
    tcase_add_test(tc, peers_view);
    tcase_add_test(tc, net_views);
    tcase_add_test(tc, gateways_view);
    tcase_add_test(tc, packets_view);
    tcase_add_test(tc, why_views);
    tcase_add_test(tc, packets_fragments);
    tcase_add_test(tc, record_not_kept);
    tcase_add_test(tc, check_only);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
