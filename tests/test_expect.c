/*
 * test_expect.c — the runner's expectation evaluation (harness/expect.c),
 * driven through small scenarios: every kind of DESIGN.md's table, each
 * with an expectation that must hold and one that must fail, and the
 * failure's expected / seen / packets text checked. Also: `at` vs `during`
 * sampling, windows, load and run-time errors.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/runner.h"

/* Two sites across one router; fw-a initiates to fw-b. fw-a has a monitored
 * gateway and an outbound NAT rule for its own WireGuard traffic that keeps
 * the address (so a pf state exists). */
static const char *BASE =
    "name: t\n"
    "seed: 3\n"
    "duration: 40s\n"
    "segments:\n"
    "  wa: {delay: 5ms}\n"
    "  wb: {delay: 5ms}\n"
    "nodes:\n"
    "  isp:\n"
    "    kind: router\n"
    "    interfaces:\n"
    "      a: {segment: wa, address: 198.51.100.1/24}\n"
    "      b: {segment: wb, address: 203.0.113.1/24}\n"
    "  fwa:\n"
    "    kind: firewall\n"
    "    interfaces: {wan: {segment: wa, address: 198.51.100.2/24}}\n"
    "    gateways: [{name: GW, interface: wan, address: 198.51.100.1}]\n"
    "    routes: [{to: default, via: GW}]\n"
    "    nat: {outbound: [{interface: wan, source: self, protocol: udp, source-port: 51820,\n"
    "                      translate: interface, static-port: true}]}\n"
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
    "events:\n"
    "  - {at: 20s, do: link-down fwb wan}\n"
    "  - {at: 25s, do: link-up fwb wan}\n";

static hs_result *run(const char *extra)
{
    size_t n = strlen(BASE) + strlen(extra) + 1;
    char *y = malloc(n);
    snprintf(y, n, "%s%s", BASE, extra);
    hs_diag d;
    hs_diag_init(&d, "t.yaml");
    hs_scenario *s = hs_load_bytes("t.yaml", (const uint8_t *)y, strlen(y), &d);
    if (!s) {
        hs_diag_print(&d, stderr);
        ck_abort_msg("scenario did not load");
    }
    hs_diag_free(&d);
    hs_run_options o = {.timeline = true};
    hs_result *r = hs_run_scenario(s, &o);
    hs_scenario_free(s);
    free(y);
    return r;
}

static void verdicts(const hs_result *r, const char *want)
{
    ck_assert_uint_eq(r->n_expects, strlen(want));
    for (size_t i = 0; i < r->n_expects; i++) {
        bool pass = want[i] == 'P';
        if (r->expects[i].passed != pass)
            ck_abort_msg("expectation %zu (%s): %s, expected %s, seen %s", i, r->expects[i].what,
                         r->expects[i].passed ? "passed" : "failed", r->expects[i].expected,
                         r->expects[i].observed);
    }
}

static bool any_line(const hs_expect_result *e, const char *needle)
{
    for (size_t i = 0; i < e->n_packets; i++)
        if (strstr(e->packets[i].text, needle))
            return true;
    return false;
}

START_TEST(packets_counts_filters_and_explanations)
{
    hs_result *r = run("expect:\n"
                       /* 0: the initiation leaves fwa from its address on wa */
                       "  - {during: [0s, 1s], packets: {from: fwa, src: 198.51.100.2:51820, wg: handshake-initiation}}\n"
                       /* 1: the same, seen on the segment */
                       "  - {during: [0s, 1s], packets: {on: wa, dst: 203.0.113.2:51820, wg: handshake-initiation}}\n"
                       /* 2: from + to: built by fwa, received by fwb */
                       "  - {during: [0s, 1s], packets: {from: fwa, to: fwb, wg: handshake-initiation, count: 1}}\n"
                       /* 3: wrong source: fails, nearby packets shown */
                       "  - {during: [0s, 1s], packets: {from: fwa, src: 198.51.100.9, wg: handshake-initiation}}\n"
                       /* 4: no-packets that holds */
                       "  - {during: [0s, 40s], no-packets: {on: wb, wg: cookie-reply}}\n"
                       /* 5: no-packets that fails: offenders listed */
                       "  - {during: [0s, 2s], no-packets: {from: fwb, wg: handshake-response}}\n"
                       /* 6: data vs keepalive vs transport; 20 pings in [0, 20) and 20 replies */
                       "  - {during: [0s, 19.9s], packets: {from: fwa, wg: data, count: \">= 19\"}}\n"
                       /* 7: count upper bound violated */
                       "  - {during: [0s, 19.9s], packets: {from: fwa, wg: data, count: \"< 5\"}}\n"
                       /* 8: `at` counts over [0, T] */
                       "  - {at: 1s, packets: {to: fwb, udp-dst-port: 51820, wg: handshake-initiation, count: \"== 1\"}}\n"
                       /* 9: udp ports without wg */
                       "  - {during: [0s, 40s], packets: {on: wb, udp-src-port: 51820, udp-dst-port: 51820, count: \">= 40\"}}\n");
    verdicts(r, "PPPFPFPFPP");
    const hs_expect_result *e = &r->expects[3];
    ck_assert_str_eq(e->expected, "count >= 1");
    ck_assert_ptr_nonnull(strstr(e->observed, "count 0; the same capture point carried"));
    ck_assert(any_line(e, "fwa/wan out 198.51.100.2:51820 -> 203.0.113.2:51820 wg handshake-initiation"));
    ck_assert(any_line(e, "[source: route"));
    e = &r->expects[5];
    ck_assert_str_eq(e->expected, "count == 0");
    ck_assert(e->n_packets >= 1);
    ck_assert(any_line(e, "wg handshake-response"));
    ck_assert_uint_eq(r->status, HS_STATUS_FAILED);
    ck_assert_uint_eq(r->n_failed, 3);
    hs_result_free(r);
}
END_TEST

START_TEST(endpoint_and_handshake)
{
    hs_result *r = run("expect:\n"
                       "  - {at: 10s, endpoint: {node: fwb, peer: fwa, is: 198.51.100.2:51820}}\n"
                       "  - {at: 10s, endpoint: {node: fwb, peer: fwa, is: 198.51.100.3:51820}}\n"
                       "  - {at: 0s, endpoint: {node: fwb, peer: fwa, is: none}}\n"
                       "  - {at: 10s, endpoint: {node: fwa, peer: fwb, is: none}}\n"
                       "  - {at: 10s, handshake: {node: fwa, peer: fwb, count: 1}}\n"
                       "  - {at: 10s, handshake: {node: fwa, peer: fwb, count: \">= 2\"}}\n"
                       "  - {at: 10s, handshake: {node: fwa, peer: fwb, last-within: 11s}}\n"
                       "  - {at: 10s, handshake: {node: fwa, peer: fwb, last-within: 5s}}\n"
                       "  - {during: [1s, 10s], handshake: {node: fwb, peer: fwa, last-within: 10s}}\n"
                       "  - {during: [5s, 30s], handshake: {node: fwb, peer: fwa, count: 0}}\n");
    verdicts(r, "PFPFPFPFPP");
    const hs_expect_result *e = &r->expects[1];
    ck_assert_str_eq(e->expected, "198.51.100.3:51820");
    ck_assert_ptr_nonnull(strstr(e->observed, "198.51.100.2:51820"));
    ck_assert(any_line(e, "endpoint of fwa changed to 198.51.100.2:51820"));
    ck_assert(any_line(e, "fwb/wan in 198.51.100.2:51820 -> 203.0.113.2:51820"));
    ck_assert_ptr_nonnull(strstr(r->expects[7].observed, "last at 0."));
    hs_result_free(r);
}
END_TEST

START_TEST(tunnel_loss_and_rtt)
{
    hs_result *r = run("expect:\n"
                       "  - {during: [1s, 20s], tunnel: {ping: 0, loss: \"0%\", rtt: \"< 50ms\"}}\n"
                       "  - {during: [1s, 20s], tunnel: {ping: 0, rtt: \"< 10ms\"}}\n"
                       /* link down 20-25 s: the 5 echoes of [20, 25) are lost */
                       "  - {during: [20s, 25s], tunnel: {ping: 0, loss: \"100%\"}}\n"
                       "  - {during: [15s, 35s], tunnel: {ping: 0, loss: \"== 25%\"}}\n"
                       "  - {during: [15s, 35s], tunnel: {ping: 0, loss: \"<= 5%\"}}\n"
                       "  - {at: 40s, tunnel: {ping: 0, loss: \"< 20%\"}}\n");
    verdicts(r, "PFPPFP");
    const hs_expect_result *e = &r->expects[4];
    ck_assert_ptr_nonnull(strstr(e->observed, "loss 25.0% (5 of 20 echoes unanswered)"));
    ck_assert(any_line(e, "echo seq 20 sent at 20.000s: no reply within 2s"));
    ck_assert(fabs(e->value - 25.0) < 1e-9);
    ck_assert_ptr_nonnull(strstr(r->expects[1].observed, "outside the rtt bound"));
    hs_result_free(r);
}
END_TEST

/* A small loss is never shown as 0.0% next to `loss: 0%` (it read as a
 * contradiction): it gets the decimals it needs. */
START_TEST(percent_is_not_rounded_to_0_or_100)
{
    char b[32];
    ck_assert_str_eq(hs_format_percent(0, b, sizeof b), "0.0");
    ck_assert_str_eq(hs_format_percent(25, b, sizeof b), "25.0");
    ck_assert_str_eq(hs_format_percent(100, b, sizeof b), "100.0");
    ck_assert_str_eq(hs_format_percent(100.0 * 14 / 40000, b, sizeof b), "0.04");
    ck_assert_str_eq(hs_format_percent(100.0 * 1 / 300000, b, sizeof b), "0.0003");
    ck_assert_str_eq(hs_format_percent(100.0 * 39999 / 40000, b, sizeof b), "99.998");
    ck_assert_str_eq(hs_format_percent(0.06, b, sizeof b), "0.1");
}
END_TEST

START_TEST(gateway_state_route)
{
    hs_result *r = run("  - {at: 26s, do: gateway-down isp}\n"
                       "expect:\n"
                       "  - {at: 10s, gateway: {node: fwa, name: GW, status: online}}\n"
                       "  - {at: 10s, gateway: {node: fwa, name: GW, status: down}}\n"
                       "  - {at: 40s, gateway: {node: fwa, name: GW, status: down}}\n"
                       "  - {at: 10s, state: {node: fwa, proto: udp, src: 198.51.100.2:51820, dst: 203.0.113.2:51820,\n"
                       "                      translated: 198.51.100.2:51820}}\n"
                       "  - {at: 10s, state: {node: fwa, proto: udp, src: 198.51.100.2:51820, count: 0}}\n"
                       "  - {at: 10s, state: {node: fwa, translated: 192.0.2.1}}\n"
                       "  - {at: 10s, route: {node: fwa, to: default, via: 198.51.100.1, dev: wan}}\n"
                       "  - {at: 10s, route: {node: fwa, to: default, via: 198.51.100.9}}\n"
                       "  - {at: 10s, route: {node: fwa, to: 192.0.2.0/24, via: 198.51.100.1}}\n");
    verdicts(r, "PFPPFFPFF");
    ck_assert_ptr_nonnull(strstr(r->expects[1].observed, "online"));
    ck_assert_ptr_nonnull(strstr(r->expects[4].observed, "1 matching state"));
    ck_assert_ptr_nonnull(strstr(r->expects[8].observed, "no route for 192.0.2.0/24"));
    ck_assert(any_line(&r->expects[8], "route 0.0.0.0/0 via 198.51.100.1"));
    hs_result_free(r);
}
END_TEST

START_TEST(during_samples_fail_at_first_bad_instant)
{
    /* The endpoint fwb holds stays fwa's address throughout; the link goes
     * down at 20 s, so "handshake within 10 s at every instant" fails in a
     * window reaching past the last handshake + 10 s. */
    hs_result *r = run("expect:\n"
                       "  - {during: [1s, 40s], endpoint: {node: fwb, peer: fwa, is: 198.51.100.2:51820}}\n"
                       "  - {during: [0s, 40s], endpoint: {node: fwb, peer: fwa, is: 198.51.100.2:51820}}\n"
                       "  - {during: [5s, 40s], route: {node: fwa, to: default, via: 198.51.100.1}}\n"
                       "  - {during: [1s, 40s], handshake: {node: fwb, peer: fwa, last-within: 10s}}\n");
    verdicts(r, "PFPF");
    /* the endpoint is learnt a few ms after 0: the sample at 0 s fails */
    ck_assert_ptr_nonnull(strstr(r->expects[1].observed, "none at 0.000s"));
    ck_assert_ptr_nonnull(strstr(r->expects[3].observed, "gap longer than 10s"));
    hs_result_free(r);
}
END_TEST

START_TEST(carp_states_sampled)
{
    static const char *ha =
        "name: ha\nseed: 1\nduration: 20s\n"
        "segments: {wan: {delay: 1ms}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"
        "    carp: [{interface: wan, vhid: 1, address: 198.51.100.1/24, advskew: 0}]\n"
        "  fw2: {like: fw1, interfaces: {wan: {address: 198.51.100.3/24}}, carp: [{vhid: 1, advskew: 100}]}\n"
        "events:\n"
        "  - {at: 10.5s, do: power-off fw1}\n"
        "expect:\n"
        "  - {at: 1s, carp: {node: fw1, vhid: 1, state: backup}}\n"
        "  - {at: 5s, carp: {node: fw1, vhid: 1, state: master}}\n"
        "  - {at: 12.5s, carp: {node: fw2, vhid: 1, state: backup}}\n"
        "  - {at: 14s, carp: {node: fw2, vhid: 1, state: master}}\n"
        "  - {during: [4s, 20s], carp: {node: fw1, vhid: 1, state: master}}\n"
        "  - {at: 14s, carp: {node: fw1, vhid: 1, state: init}}\n";
    hs_diag d;
    hs_diag_init(&d, "ha.yaml");
    hs_scenario *s = hs_load_bytes("ha.yaml", (const uint8_t *)ha, strlen(ha), &d);
    if (!s)
        hs_diag_print(&d, stderr);
    ck_assert_ptr_nonnull(s);
    hs_diag_free(&d);
    hs_result *r = hs_run_scenario(s, NULL);
    verdicts(r, "PPPPFP");
    /* the window fails at the power-off, with the CARP history as evidence */
    ck_assert_ptr_nonnull(strstr(r->expects[4].observed, "at 10.5"));
    ck_assert(any_line(&r->expects[4], "powered off"));
    hs_result_free(r);
    hs_scenario_free(s);
}
END_TEST

START_TEST(errors_are_reported_with_locations)
{
    /* run-time: a route that exists already */
    hs_result *r = run("  - {at: 5s, do: route-add fwb default via 203.0.113.1}\n"
                       "expect:\n"
                       "  - {at: 10s, endpoint: {node: fwb, peer: fwa, is: 198.51.100.2:51820}}\n");
    ck_assert_uint_eq(r->status, HS_STATUS_ERROR);
    size_t line = 1;
    for (const char *p = BASE; *p; p++)
        line += *p == '\n';
    char where[32];
    snprintf(where, sizeof where, "t.yaml:%zu:", line);
    ck_assert_ptr_nonnull(strstr(r->error, where));
    ck_assert_ptr_nonnull(strstr(r->error, "EEXIST): the node already has a route to that destination (route-del it first)"));
    hs_result_free(r);
    /* run-time: deleting a route the node does not have */
    r = run("  - {at: 5s, do: route-del fwb 10.77.0.0/16}\n"
            "expect:\n"
            "  - {at: 10s, endpoint: {node: fwb, peer: fwa, is: 198.51.100.2:51820}}\n");
    ck_assert_uint_eq(r->status, HS_STATUS_ERROR);
    ck_assert_ptr_nonnull(strstr(r->error, where));
    ck_assert_ptr_nonnull(strstr(r->error, "route-del fwb 10.77.0.0/16: refused by the simulator (ENOENT): the node has no route to exactly that destination"));
    hs_result_free(r);
    /* load errors: the file's errors, status error */
    char path[] = "/tmp/wgsim-test-expect-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("name: x\nnodes: {a: {kind: hots}}\n", f);
    fclose(f);
    r = hs_run_file(path, NULL);
    ck_assert_uint_eq(r->status, HS_STATUS_ERROR);
    ck_assert_ptr_nonnull(strstr(r->error, ":2:"));
    ck_assert_ptr_nonnull(strstr(r->error, "hots"));
    hs_result_free(r);
    unlink(path);
}
END_TEST

/* BASE with `key` (which must occur) replaced by `repl`, then `extra`. */
static hs_result *run_repl(const char *key, const char *repl, const char *extra)
{
    const char *at = strstr(BASE, key);
    ck_assert_ptr_nonnull(at);
    size_t n = strlen(BASE) + strlen(repl) + strlen(extra) + 1;
    char *y = malloc(n);
    snprintf(y, n, "%.*s%s%s%s", (int)(at - BASE), BASE, repl, at + strlen(key), extra);
    hs_diag d;
    hs_diag_init(&d, "t.yaml");
    hs_scenario *s = hs_load_bytes("t.yaml", (const uint8_t *)y, strlen(y), &d);
    if (!s) {
        hs_diag_print(&d, stderr);
        ck_abort_msg("scenario did not load");
    }
    hs_diag_free(&d);
    hs_run_options o = {.timeline = true};
    hs_result *r = hs_run_scenario(s, &o);
    if (r->status == HS_STATUS_ERROR)
        ck_abort_msg("run error: %s", r->error);
    hs_scenario_free(s);
    free(y);
    return r;
}

/* BASE with its NAT rule's "static-port: true" replaced by `opts`. */
static hs_result *run_nat(const char *opts, const char *extra) { return run_repl("static-port: true", opts, extra); }

/* The outbound NAT options reach the simulator (they were refused as "not
 * modelled" before): destination-port selects the rule, mapping and
 * udp-timeout are accepted and act. */
START_TEST(nat_options_reach_the_simulator)
{
    static const char *exp = "expect:\n"
                             "  - {during: [0s, 40s], packets: {on: wa, src: 198.51.100.2:51820, wg: any, count: \">= 1\"}}\n";
    /* the rule matches WireGuard (destination port 51820): pf randomises the port */
    hs_result *r = run_nat("static-port: false, destination-port: 51820", exp);
    verdicts(r, "F");
    hs_result_free(r);
    /* the rule is for another destination port: WireGuard is not translated */
    r = run_nat("static-port: false, destination-port: 9999", exp);
    verdicts(r, "P");
    hs_result_free(r);
    /* endpoint-independent mapping keeps the port (port preservation) */
    r = run_nat("mapping: endpoint-independent, udp-timeout: 20s", exp);
    verdicts(r, "P");
    hs_result_free(r);
    /* symmetric: a random port per destination */
    r = run_nat("mapping: symmetric", exp);
    verdicts(r, "F");
    hs_result_free(r);
}
END_TEST

static hs_result *run_text(const char *y)
{
    hs_diag d;
    hs_diag_init(&d, "o.yaml");
    hs_scenario *s = hs_load_bytes("o.yaml", (const uint8_t *)y, strlen(y), &d);
    if (!s) {
        hs_diag_print(&d, stderr);
        ck_abort_msg("scenario did not load");
    }
    hs_diag_free(&d);
    hs_result *r = hs_run_scenario(s, NULL);
    if (r->status == HS_STATUS_ERROR)
        ck_abort_msg("run error: %s", r->error);
    hs_scenario_free(s);
    return r;
}

/* An HA pair; at 10.5 s fw1 gets a command. %s: fw1's and fw2's extra keys,
 * the command, when fw1 is expected MASTER again. */
static const char *HA_OPT =
    "name: ha\nseed: 1\nduration: 30s\n"
    "segments: {wan: {delay: 1ms}}\n"
    "nodes:\n"
    "  fw1:\n"
    "    kind: firewall\n"
    "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"
    "    carp: [{interface: wan, vhid: 1, address: 198.51.100.1/24, advskew: 0}]\n"
    "%s"
    "  fw2: {like: fw1, interfaces: {wan: {address: 198.51.100.3/24}}, carp: [{vhid: 1, advskew: 100}]%s}\n"
    "events:\n"
    "  - {at: 10.5s, do: %s}\n"
    "expect:\n"
    "  - {at: 5s, carp: {node: fw1, vhid: 1, state: master}}\n"
    "  - {at: %s, carp: {node: fw1, vhid: 1, state: master}}\n";

static hs_result *run_ha(const char *fw1_extra, const char *fw2_extra, const char *cmd, const char *check_at)
{
    char y[2048];
    snprintf(y, sizeof y, HA_OPT, fw1_extra, fw2_extra, cmd, check_at);
    return run_text(y);
}

/* fw initiates from its primary address 198.51.100.2 (C3); the remote is
 * configured with fw's alias 198.51.100.5 and roams to .2. Its own pings
 * (at .25 s) then follow its endpoint: once set back to .5 they reach fw
 * there, fw learns .5 and answers from it, so the remote stays at .5.
 * %s: the remote's kind and extra keys. */
static const char *WGSVC =
    "name: svc\nseed: 1\nduration: 45s\n"
    "segments: {net: {delay: 1ms}}\n"
    "nodes:\n"
    "  fw:\n"
    "    kind: firewall\n"
    "    interfaces: {net: {segment: net, address: 198.51.100.2/24, aliases: [198.51.100.5/32]}}\n"
    "    wireguard: {wg0: {address: 10.99.0.1/24,\n"
    "                peers: [{node: remote, endpoint: 198.51.100.10:51820, allowed-ips: [10.99.0.2/32]}]}}\n"
    "  remote:\n"
    "    kind: %s\n"
    "    interfaces: {net: {segment: net, address: 198.51.100.10/24}}\n"
    "%s"
    "    wireguard: {wg0: {address: 10.99.0.2/24,\n"
    "                peers: [{node: fw, endpoint: 198.51.100.5:51820, allowed-ips: [10.99.0.1/32]}]}}\n"
    "traffic:\n"
    "  - {ping: {from: fw, to: 10.99.0.2, every: 1s, start: 1.5s}}\n"
    "  - {ping: {from: remote, to: 10.99.0.1, every: 1s, start: 15.25s}}\n"
    "expect:\n"
    "  - {at: 20s, endpoint: {node: remote, peer: fw, is: 198.51.100.2:51820}}\n"
    "  - {at: 40s, endpoint: {node: remote, peer: fw, is: 198.51.100.5:51820}}\n";

static hs_result *run_wgsvc(const char *kind, const char *remote_extra)
{
    char y[2048];
    snprintf(y, sizeof y, WGSVC, kind, remote_extra);
    return run_text(y);
}

/* A firewall runs pfSense's WireGuard service with its settings; a host
 * does not: the remote goes back to its configured endpoint at the first
 * re-resolve after its boot, or never. */
START_TEST(wg_service_settings_reach_the_model)
{
    hs_result *r = run_wgsvc("firewall", ""); /* default 300 s: not within 45 s */
    verdicts(r, "PF");
    hs_result_free(r);
    r = run_wgsvc("firewall", "    firewall: {wireguard: {resolve-interval: 30s}}\n");
    verdicts(r, "PP");
    hs_result_free(r);
    r = run_wgsvc("firewall", "    firewall: {wireguard: {resolve-interval: 30s, resolve-interval-track: true}}\n");
    verdicts(r, "PF"); /* tracks the system's 300 s */
    hs_result_free(r);
    r = run_wgsvc("firewall",
                  "    firewall: {wireguard: {resolve-interval-track: true}, aliases-resolve-interval: 30s}\n");
    verdicts(r, "PP");
    hs_result_free(r);
    r = run_wgsvc("host", "    platform: freebsd\n"); /* plain FreeBSD: no service */
    verdicts(r, "PF");
    hs_result_free(r);
}
END_TEST

/* The named options of `firewall:`, `pfsync:` and `wireguard: options:`
 * reach the models: each flips an outcome its default gives. */
START_TEST(options_reach_the_models)
{
    /* carp-preempt (pfSense forces net.inet.carp.preempt=1): fw1, back after
     * 5 s down, takes the VIP back from fw2; without preemption fw2 keeps it */
    hs_result *r = run_ha("", "", "reboot fw1 5s", "20s");
    verdicts(r, "PP");
    hs_result_free(r);
    r = run_ha("    firewall: {carp-preempt: false}\n", "", "reboot fw1 5s", "20s");
    verdicts(r, "PF");
    hs_result_free(r);
    /* the pfsync bulk update at boot demotes CARP by 240 until it completes
     * (5 s of transit each way here): the rebooted fw1 lets fw2 time out to
     * MASTER; with bulk: false fw1's own master-down timer wins at ~13.5 s */
    r = run_ha("    pfsync: {peer: fw2, lag: 5s}\n", ", pfsync: fw1", "reboot fw1", "14s");
    verdicts(r, "PF");
    hs_result_free(r);
    r = run_ha("    pfsync: {peer: fw2, lag: 5s, bulk: false}\n", ", pfsync: {peer: fw1}", "reboot fw1", "14s");
    verdicts(r, "PP");
    hs_result_free(r);

    /* state-policy: the pf state of fwa's WireGuard flow is bound to wan
     * (if-bound, pfSense's default) or floating */
    static const char *sp = "expect:\n"
                            "  - {at: 10s, state: {node: fwa, proto: udp, src: 198.51.100.2:51820}}\n";
    static const char *fwa_wg = "    wireguard:\n      wg0:\n        address: 10.99.0.1/24\n";
    r = run_repl(fwa_wg, "    firewall: {state-policy: if-bound}\n    wireguard:\n      wg0:\n        address: 10.99.0.1/24\n", sp);
    verdicts(r, "P");
    ck_assert_msg(strstr(r->expects[0].observed, "wan udp"), "%s", r->expects[0].observed);
    hs_result_free(r);
    r = run_repl(fwa_wg, "    firewall: {state-policy: floating}\n    wireguard:\n      wg0:\n        address: 10.99.0.1/24\n", sp);
    verdicts(r, "P");
    ck_assert_msg(!strstr(r->expects[0].observed, "wan udp"), "%s", r->expects[0].observed);
    hs_result_free(r);

    /* BSD handshake-complete keepalive: by the reference the initiator sends
     * a keepalive at once even with a packet staged; as the code reads
     * (option), only the staged packet goes. fwa without persistent
     * keepalive (whose keepalive at start would be staged itself) and one
     * echo staged at 0 s. */
    static const char *fwa_peer = "        address: 10.99.0.1/24\n"
                                  "        peers: [{node: fwb, endpoint: 203.0.113.2:51820, allowed-ips: [10.99.0.2/32],\n"
                                  "                 persistent-keepalive: 25}]\n";
    static const char *ka = "  - {at: 0s, do: ping fwa 10.99.0.2}\n"
                            "expect:\n"
                            "  - {during: [0s, 500ms], packets: {from: fwa, wg: keepalive, count: \">= 1\"}}\n"
                            "  - {during: [0s, 500ms], packets: {from: fwa, wg: data, count: \">= 1\"}}\n";
    r = run_repl(fwa_peer,
                 "        address: 10.99.0.1/24\n"
                 "        peers: [{node: fwb, endpoint: 203.0.113.2:51820, allowed-ips: [10.99.0.2/32]}]\n",
                 ka);
    verdicts(r, "PP");
    hs_result_free(r);
    r = run_repl(fwa_peer,
                 "        address: 10.99.0.1/24\n"
                 "        options: [bsd-handshake-keepalive-as-code]\n"
                 "        peers: [{node: fwb, endpoint: 203.0.113.2:51820, allowed-ips: [10.99.0.2/32]}]\n",
                 ka);
    verdicts(r, "FP");
    hs_result_free(r);
}
END_TEST

START_TEST(timeline_tells_the_story)
{
    hs_result *r = run("expect:\n  - {at: 1s, handshake: {node: fwa, peer: fwb}}\n");
    bool init = false, link = false, learned = false;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const hs_timeline_entry *e = &r->timeline[i];
        if (!strcmp(e->node, "fwa") && strstr(e->text, "handshake initiation to 203.0.113.2:51820 from 198.51.100.2:51820"))
            init = true;
        if (!strcmp(e->category, "command") && !strcmp(e->text, "link-down fwb wan"))
            link = true;
        if (!strcmp(e->node, "fwb") && strstr(e->text, "learned local address 203.0.113.2"))
            learned = true;
    }
    ck_assert(init && link && learned);
    hs_result_free(r);
}
END_TEST

static size_t count_lines(const hs_result *r, const char *node, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_timeline; i++)
        if (!strcmp(r->timeline[i].node, node) && strstr(r->timeline[i].text, needle))
            n++;
    return n;
}

/* fwa without an endpoint for fwb (and fwb never initiates): its
 * persistent keepalive starts handshakes that cannot leave. The timeline
 * says why ("no endpoint", not "to none failed (unreachable)"), collapses
 * the retries into one line, and names the peer for the pings it drops
 * instead of "from none". */
START_TEST(timeline_says_no_endpoint)
{
    hs_result *r = run_repl("endpoint: 203.0.113.2:51820, ", "", "");
    ck_assert_uint_ge(count_lines(r, "fwa", "wg0 peer fwb: handshake-initiation not sent: no endpoint"), 1);
    ck_assert_uint_eq(count_lines(r, "fwa", " to none"), 0);
    ck_assert_uint_eq(count_lines(r, "fwa", "from none"), 0);
    /* the sim's tunnel drop of the same ping is not a second line */
    ck_assert_uint_eq(count_lines(r, "fwa", "tunnel: fwa/wg0"), 0);
    ck_assert_uint_eq(count_lines(r, "fwa", "failed (unreachable)"), 0);
    ck_assert_uint_eq(count_lines(r, "fwa", "retransmit-handshake timer fired"), 1);
    ck_assert_uint_eq(count_lines(r, "fwa", "retransmit-handshake timer fired (the peer still has no endpoint) (and "), 1);
    ck_assert_uint_ge(count_lines(r, "fwa", "wg0 peer fwb: dropped an outgoing packet: no-endpoint (the peer has no endpoint)"), 1);
    hs_result_free(r);
}
END_TEST

/* With an endpoint, every retry is its own line next to the initiation it
 * caused: fwb unreachable again from 26 s makes fwa start a new handshake
 * (about 41 s) and retry it every 5 s. */
START_TEST(timeline_keeps_retries_with_an_endpoint)
{
    hs_result *r = run_repl("duration: 40s\n", "duration: 1m\n", "  - {at: 26s, do: link-down fwb wan}\n");
    ck_assert_uint_ge(count_lines(r, "fwa", "new-handshake timer fired"), 1);
    ck_assert_uint_ge(count_lines(r, "fwa", "retransmit-handshake timer fired"), 2);
    ck_assert_uint_ge(count_lines(r, "fwa", "handshake initiation to 203.0.113.2:51820 from 198.51.100.2:51820"), 3);
    ck_assert_uint_eq(count_lines(r, "fwa", "timer fired (no response to the initiation) (and "), 0);
    hs_result_free(r);
}
END_TEST

/* The pf states printed for a failed `at: T` state expectation are the
 * states at T. fw-a pings the ISP router from 30 s: the ICMP state that
 * makes exists from then on, and must not be shown as evidence at 10 s
 * (the end-of-run table would show it). */
START_TEST(state_evidence_is_the_state_at_t)
{
    hs_result *r = run("  - {at: 30s, do: ping fwa 203.0.113.1}\n"
                       "expect:\n"
                       "  - {at: 10s, state: {node: fwa, proto: udp, dst: 192.0.2.99}}\n"
                       "  - {at: 35s, state: {node: fwa, proto: udp, dst: 192.0.2.99}}\n");
    ck_assert_uint_eq(r->n_expects, 2);
    const hs_expect_result *e0 = &r->expects[0], *e1 = &r->expects[1];
    ck_assert(!e0->passed && !e1->passed);
    bool later0 = false, later1 = false;
    for (size_t i = 0; i < e0->n_packets; i++)
        later0 = later0 || strstr(e0->packets[i].text, "-> 203.0.113.1:");
    for (size_t i = 0; i < e1->n_packets; i++)
        later1 = later1 || strstr(e1->packets[i].text, "-> 203.0.113.1:");
    ck_assert_msg(!later0, "the evidence at 10 s shows a state made at 30 s");
    ck_assert_msg(later1, "the evidence at 35 s shows the state made at 30 s");
    ck_assert_msg(strstr(e0->observed, "(3 in all)") && strstr(e1->observed, "(4 in all)"), "%s | %s", e0->observed,
                  e1->observed);
    /* handshake lines of the timeline carry their source reason as fields */
    bool fields = false;
    for (size_t i = 0; i < r->n_timeline && !fields; i++)
        for (size_t k = 0; k < r->timeline[i].n_reason; k++)
            if (!strcmp(r->timeline[i].reason[k].key, "via") && !strcmp(r->timeline[i].reason[k].value, "198.51.100.1"))
                fields = true;
    ck_assert_msg(fields, "a handshake line's reason has the field via = 198.51.100.1");
    hs_result_free(r);
}
END_TEST

/* A rule's label is never cut: a long scenario path keeps the line number
 * that leads back to the NAT rule (BASE line 18), and the whole path. */
START_TEST(rule_label_keeps_the_line)
{
    static const char *file =
        "scenarios/some/deep/directory/a-scenario-file-name-much-longer-than-pf-keeps-in-a-label.yaml";
    hs_diag d;
    hs_diag_init(&d, file);
    hs_scenario *s = hs_load_bytes(file, (const uint8_t *)BASE, strlen(BASE), &d);
    ck_assert_ptr_nonnull(s);
    hs_diag_free(&d);
    hs_run_options o = {.timeline = true};
    hs_result *r = hs_run_scenario(s, &o);
    hs_scenario_free(s);
    bool found = false;
    for (size_t i = 0; i < r->n_timeline; i++) {
        const char *t = r->timeline[i].text;
        if (!strcmp(r->timeline[i].node, "fwa") && strstr(t, "handshake initiation")) {
            char want[256];
            snprintf(want, sizeof want, "(nat rule at %s:18)]", file);
            ck_assert_msg(strstr(t, want), "label: %s", t);
            found = true;
        }
    }
    ck_assert(found);
    hs_result_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("expect");
    TCase *t = tcase_create("kinds");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, packets_counts_filters_and_explanations);
    tcase_add_test(t, endpoint_and_handshake);
    tcase_add_test(t, tunnel_loss_and_rtt);
    tcase_add_test(t, percent_is_not_rounded_to_0_or_100);
    tcase_add_test(t, gateway_state_route);
    tcase_add_test(t, during_samples_fail_at_first_bad_instant);
    tcase_add_test(t, carp_states_sampled);
    tcase_add_test(t, errors_are_reported_with_locations);
    tcase_add_test(t, timeline_tells_the_story);
    tcase_add_test(t, rule_label_keeps_the_line);
    tcase_add_test(t, state_evidence_is_the_state_at_t);
    tcase_add_test(t, timeline_says_no_endpoint);
    tcase_add_test(t, timeline_keeps_retries_with_an_endpoint);
    tcase_add_test(t, nat_options_reach_the_simulator);
    tcase_add_test(t, options_reach_the_models);
    tcase_add_test(t, wg_service_settings_reach_the_model);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    if (wg_crypto_init() != 0)
        return 1;
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
