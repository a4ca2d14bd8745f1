/*
 * test_phases.c — the phase table (harness/phases.c, docs/reports.md):
 *   - a C4-like HA pair: at 30 s fw1 stops WireGuard and goes into CARP
 *     maintenance (two commands at one instant: one phase), at 60 s it is
 *     powered off. The tunnel moves from fw1 to fw2: the numbers of every
 *     phase are checked (serving node, sources, outage, handshakes, echoes);
 *   - the same table with record_all (every packet stored, no sample
 *     forgotten) as streamed: it is taken from the stream alone;
 *   - a hub with two peers on one interface: its datagrams are told apart
 *     by the endpoint each peer has (learned, not configured);
 *   - the Markdown text escaping of user input.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner.h"
#include "reports/reports.h"
#include "suite_run.h"

/* The shipped HA scenario (fw1 stops WireGuard, then maintenance, then
 * power-off) with its own timeline: both commands at 30 s, power-off at
 * 60 s, no expectations (they are about the shipped timeline). */
static char *c4_yaml(void)
{
    static const char events[] = "events:\n"
                                 "  - {at: 30s, do: wg-down fw1 wg0}\n"
                                 "  - {at: 30s, do: maintenance fw1 on}\n"
                                 "  - {at: 60s, do: power-off fw1}\n";
    FILE *f = fopen(WGSIM_SOURCE_DIR "/scenarios/field/ha-maintenance-stop-wireguard-first.yaml", "r");
    ck_assert_ptr_nonnull(f);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *cut = strstr(buf, "\nevents:");
    ck_assert_ptr_nonnull(cut);
    ck_assert_uint_lt((size_t)(cut - buf) + sizeof events, sizeof buf);
    strcpy(cut + 1, events);
    return buf;
}

static hs_result *run_yaml(const char *y, bool record_all)
{
    hs_diag d;
    hs_diag_init(&d, "t.yaml");
    hs_scenario *s = hs_load_bytes("t.yaml", (const uint8_t *)y, strlen(y), &d);
    ck_assert_msg(s != NULL, "scenario does not load");
    hs_run_options o = {.record_all = record_all};
    hs_result *r = hs_run_scenario(s, &o);
    hs_scenario_free(s);
    hs_diag_free(&d);
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(r->status == HS_STATUS_PASSED, "status %s: %s", hs_status_name(r->status), r->error ? r->error : "");
    return r;
}

#define S(x) ((int64_t)((x) * 1e9))

static void side_is(const hs_phase_side *sd, const char *serving, const char *src)
{
    ck_assert_ptr_nonnull(sd->serving);
    ck_assert_str_eq(sd->serving, serving);
    ck_assert_uint_ge(sd->n_sources, 1);
    ck_assert_str_eq(sd->sources[0].src, src);
    uint64_t sum = 0;
    for (size_t k = 0; k < sd->n_sources; k++)
        sum += sd->sources[k].datagrams;
    ck_assert_uint_eq(sum, sd->datagrams);
}

START_TEST(c4_maintenance_moves_the_tunnel)
{
    hs_result *r = run_yaml(c4_yaml(), false);
    ck_assert_uint_eq(r->n_tunnels, 1);
    ck_assert_str_eq(r->tunnels[0].name, "fw1/wg0/remote");
    ck_assert_str_eq(r->tunnels[0].nodes[0], "fw1, fw2"); /* like: fw1 holds fw1's key */
    ck_assert_str_eq(r->tunnels[0].nodes[1], "remote");
    ck_assert_uint_eq(r->n_phases, 3);
    ck_assert_ptr_null(r->phases[0].event);
    ck_assert_str_eq(r->phases[1].event, "wg-down fw1 wg0; maintenance fw1 on");
    ck_assert_str_eq(r->phases[2].event, "power-off fw1");
    ck_assert_int_eq(r->phases[0].start, 0);
    ck_assert_int_eq(r->phases[0].end, S(30));
    ck_assert_int_eq(r->phases[1].start, S(30));
    ck_assert_int_eq(r->phases[2].end, S(150));

    /* before: fw1 (MASTER after its 3 s of init) answers from the VIP */
    const hs_phase_tunnel *t = &r->phases[0].tunnels[0];
    side_is(&t->side[0], "fw1", "198.51.100.1:51820");
    ck_assert_uint_eq(t->side[0].n_sources, 1);
    side_is(&t->side[1], "remote", "192.0.2.10:51820");
    ck_assert_uint_eq(t->handshakes, 1);
    ck_assert_uint_eq(t->echoes, 60); /* two pings, 30 s each */
    ck_assert_uint_eq(t->answered, 56);
    ck_assert_int_ge(t->outage, S(3.0));
    ck_assert_int_le(t->outage, S(3.1));

    /* maintenance: fw2 takes the VIP; the remote's session is on fw1, which
     * stopped WireGuard: it re-initiates after REKEY_TIMEOUT + KEEPALIVE
     * (15 s) and fw2 answers, from the VIP. fw1 sends nothing. */
    t = &r->phases[1].tunnels[0];
    side_is(&t->side[0], "fw2", "198.51.100.1:51820");
    ck_assert_uint_eq(t->side[0].n_sources, 1);
    ck_assert_str_eq(t->side[0].sources[0].node, "fw2");
    ck_assert_int_ge(t->side[0].sources[0].first, S(44));
    side_is(&t->side[1], "remote", "192.0.2.10:51820");
    ck_assert_uint_eq(t->handshakes, 1);
    ck_assert_uint_eq(t->echoes, 60);
    ck_assert_uint_eq(t->answered, 30);
    ck_assert_int_ge(t->outage, S(15.0));
    ck_assert_int_le(t->outage, S(15.1));

    /* fw1 off: nothing changes for the tunnel, already on fw2 */
    t = &r->phases[2].tunnels[0];
    side_is(&t->side[0], "fw2", "198.51.100.1:51820");
    ck_assert_uint_eq(t->handshakes, 0);
    ck_assert_uint_eq(t->echoes, 181); /* the echoes at 150 s leave too */
    ck_assert_uint_eq(t->answered, 180);
    ck_assert_int_le(t->outage, S(0.1));
    hs_result_free(r);
}
END_TEST

/* What a printer writes, as a string. */
typedef struct memout {
    char *buf;
    size_t len;
    FILE *f;
} memout;

static FILE *mem_open(memout *m)
{
    m->buf = NULL;
    m->f = open_memstream(&m->buf, &m->len);
    ck_assert_ptr_nonnull(m->f);
    return m->f;
}

static char *mem_close(memout *m)
{
    fclose(m->f);
    return m->buf;
}

static char *phases_text(const hs_result *r)
{
    memout m;
    rp_print_phases(mem_open(&m), r);
    return mem_close(&m);
}

START_TEST(record_all_gives_the_same_table)
{
    hs_result *a = run_yaml(c4_yaml(), false), *b = run_yaml(c4_yaml(), true);
    char *ta = phases_text(a), *tb = phases_text(b);
    ck_assert_str_eq(ta, tb);
    ck_assert_ptr_nonnull(strstr(ta, "fw2 198.51.100.1:51820"));
    free(ta);
    free(tb);
    hs_result_free(a);
    hs_result_free(b);
}
END_TEST

/* Two remotes dial a hub that knows neither endpoint: the hub's datagrams
 * go to endpoints it learned, and each is the tunnel of its peer. */
static const char *HUB =
    "name: hub\n"
    "seed: 5\n"
    "duration: 20s\n"
    "segments: {net: {delay: 5ms}}\n"
    "nodes:\n"
    "  hub:\n"
    "    kind: firewall\n"
    "    interfaces: {net: {segment: net, address: 192.0.2.1/24}}\n"
    "    wireguard:\n"
    "      wg0:\n"
    "        address: 10.99.0.1/24\n"
    "        peers:\n"
    "          - {node: r1, allowed-ips: [10.99.0.2/32]}\n"
    "          - {node: r2, allowed-ips: [10.99.0.3/32]}\n"
    "  r1:\n"
    "    kind: firewall\n"
    "    interfaces: {net: {segment: net, address: 192.0.2.10/24}}\n"
    "    wireguard:\n"
    "      wg0: {address: 10.99.0.2/24, listen-port: 51000,\n"
    "            peers: [{node: hub, endpoint: 192.0.2.1:51820, allowed-ips: [10.99.0.0/24]}]}\n"
    "  r2:\n"
    "    kind: firewall\n"
    "    interfaces: {net: {segment: net, address: 192.0.2.20/24}}\n"
    "    wireguard:\n"
    "      wg0: {address: 10.99.0.3/24, listen-port: 52000,\n"
    "            peers: [{node: hub, endpoint: 192.0.2.1:51820, allowed-ips: [10.99.0.0/24]}]}\n"
    "traffic:\n"
    "  - {ping: {from: r1, to: 10.99.0.1, every: 1s}}\n"
    "  - {ping: {from: r2, to: 10.99.0.1, every: 1s}}\n"
    "  - {ping: {from: hub, to: 10.99.0.3, every: 1s, start: 5s}}\n"
    "events:\n"
    "  - {at: 10s, do: link-down r2 net}\n";

START_TEST(hub_peers_told_apart_by_endpoint)
{
    hs_result *r = run_yaml(HUB, false);
    ck_assert_uint_eq(r->n_tunnels, 2);
    ck_assert_str_eq(r->tunnels[0].name, "hub/wg0/r1");
    ck_assert_str_eq(r->tunnels[1].name, "hub/wg0/r2");
    ck_assert_uint_eq(r->n_phases, 2);
    /* before: each remote from its own port; the hub's datagrams to each
     * (echo replies, its pings to r2 from 5 s, the handshake response) */
    const hs_phase_tunnel *t1 = &r->phases[0].tunnels[0], *t2 = &r->phases[0].tunnels[1];
    side_is(&t1->side[0], "hub", "192.0.2.1:51820");
    side_is(&t1->side[1], "r1", "192.0.2.10:51000");
    side_is(&t2->side[0], "hub", "192.0.2.1:51820");
    side_is(&t2->side[1], "r2", "192.0.2.20:52000");
    ck_assert_uint_eq(t1->side[0].datagrams, 11); /* 10 replies, 1 response */
    ck_assert_uint_eq(t2->side[0].datagrams, 16); /* 10 replies, 5 echoes, 1 response */
    ck_assert_uint_eq(t1->handshakes, 1);
    ck_assert_uint_eq(t2->handshakes, 1);
    ck_assert_uint_eq(t1->echoes, 10);
    ck_assert_uint_eq(t2->echoes, 15);
    ck_assert_uint_eq(t2->answered, 15);
    /* r2's link down: the hub still sends to r2 (its echoes), r2 nothing,
     * no echo through that tunnel is answered; r1 goes on */
    t1 = &r->phases[1].tunnels[0];
    t2 = &r->phases[1].tunnels[1];
    side_is(&t2->side[0], "hub", "192.0.2.1:51820");
    ck_assert_uint_eq(t2->side[0].datagrams, 11);
    ck_assert_ptr_null(t2->side[1].serving);
    ck_assert_uint_eq(t2->side[1].datagrams, 0);
    ck_assert_uint_eq(t2->answered, 0);
    ck_assert_int_eq(t2->outage, -1);
    ck_assert_uint_eq(t1->answered, 10);
    ck_assert_int_le(t1->outage, S(0.1));
    hs_result_free(r);
}
END_TEST

static char *md(const char *s)
{
    memout m;
    rp_markdown_text(mem_open(&m), s);
    return mem_close(&m);
}

START_TEST(markdown_text_is_inert)
{
    char *m = md("a|b `c` <script>alert(1)</script> \"><img src=x onerror=alert(1)>\n[x](javascript:y) *e* _f_");
    ck_assert_str_eq(m, "a\\|b \\`c\\` &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; "
                        "\\[x\\](javascript:y) \\*e\\* \\_f\\_");
    free(m);
    m = md("- item\\");
    ck_assert_str_eq(m, "\\- item\\\\");
    free(m);
    m = md("# h\r\n\t1.5 \n");
    ck_assert_str_eq(m, "\\# h   1.5");
    free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("phases");
    TCase *tc = tcase_create("phases");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, c4_maintenance_moves_the_tunnel);
    tcase_add_test(tc, record_all_gives_the_same_table);
    tcase_add_test(tc, hub_peers_told_apart_by_endpoint);
    tcase_add_test(tc, markdown_text_is_inert);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
