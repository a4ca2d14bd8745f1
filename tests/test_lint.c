/*
 * test_lint.c — the linter (harness/lint*.c): each rule warns on a valid
 * scenario that is almost certainly not what was meant, at the place to
 * change, and stays silent once it is fixed; the runner carries the
 * warnings once per run, and --strict makes them the run's error.
 */
#include <check.h>

#include "harness/runner.h"
#include "test_loader_util.h"

/* Loads text (which must load) and lints it into g_diag (the loader
 * tests' diag, so has_error / dump_errors read the warnings); returns the
 * number of warnings. */
static size_t lint_str(const char *text)
{
    hs_scenario *s = load_str(text);
    if (!s)
        dump_errors();
    ck_assert_ptr_nonnull(s);
    diag_reset("t.yaml");
    hs_lint(s, &g_diag);
    hs_scenario_free(s);
    return hs_diag_count(&g_diag);
}

#define ck_warns(text, prefix)                                                                   \
    do {                                                                                         \
        lint_str(text);                                                                          \
        if (!has_error(prefix)) {                                                              \
            fprintf(stderr, "expected warning '%s', got:\n", prefix);                            \
            dump_errors();                                                                     \
        }                                                                                        \
        ck_assert_msg(has_error(prefix), "missing warning: %s", prefix);                       \
    } while (0)

#define ck_silent(text)                                                                          \
    do {                                                                                         \
        size_t n_ = lint_str(text);                                                              \
        if (n_)                                                                                  \
            dump_errors();                                                                     \
        ck_assert_uint_eq(n_, 0);                                                                \
    } while (0)

/* An HA pair: fw1 with three vhids on three segments, fw2 like: fw1
 * (lines 1-12); each test appends fw2's carp: and more. */
#define PAIR                                                                                     \
    "name: t\n"                                                                    /* 1 */       \
    "segments: {a: {}, b: {}, c: {}}\n"                                            /* 2 */       \
    "nodes:\n"                                                                     /* 3 */       \
    "  fw1:\n"                                                                     /* 4 */       \
    "    kind: firewall\n"                                                         /* 5 */       \
    "    interfaces: {a: {segment: a, address: 10.0.1.2/24}, b: {segment: b, address: 10.0.2.2/24},\n" \
    "                 c: {segment: c, address: 10.0.3.2/24}}\n"                    /* 7 */       \
    "    carp: [{interface: a, vhid: 1, address: 10.0.1.1/24}, {interface: b, vhid: 2, address: 10.0.2.1/24},\n" \
    "           {interface: c, vhid: 3, address: 10.0.3.1/24}]\n"                  /* 9 */       \
    "    pfsync: fw2\n"                                                            /* 10 */      \
    "  fw2:\n"                                                                     /* 11 */      \
    "    like: fw1\n"                                                              /* 12 */      \
    "    pfsync: fw1\n"                                                            /* 13 */      \
    "    interfaces: {a: {address: 10.0.1.3/24}, b: {address: 10.0.2.3/24}, c: {address: 10.0.3.3/24}}\n"

START_TEST(lint_carp_equal_priority)
{
    /* issue 18's mistake: with the positional merge only vhid 1 changed;
     * written per vhid, the two left out are equal on both nodes and are
     * reported at fw2's like: (they were copied whole) */
    ck_warns(PAIR "    carp: [{vhid: 1, advskew: 100}]\n",
             "t.yaml:12:11: warning: carp: vhid 2 on segment 'b': 'fw2' and 'fw1' (line 8) both advertise advbase 1 "
             "advskew 0, so neither is preferred");
    ck_assert(has_error("t.yaml:12:11: warning: carp: vhid 3 on segment 'c': 'fw2' and 'fw1' (line 9)"));
    ck_assert_uint_eq(hs_diag_count(&g_diag), 2);
    /* the rule's name closes the message */
    char buf[2048];
    const char *line = hs_diag_format(&g_diag, 0, buf, sizeof buf);
    ck_assert_str_eq(line + strlen(line) - strlen(" [carp-equal-priority]"), " [carp-equal-priority]");
    /* an entry of fw2's own: reported at it */
    ck_warns(PAIR "    carp: [{advskew: 100}, {vhid: 3, advskew: 0}]\n",
             "t.yaml:15:28: warning: carp: vhid 3 on segment 'c': 'fw2' and 'fw1' (line 9) both advertise");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
    /* the same advskew with another advbase is a preference */
    ck_silent(PAIR "    carp: [{vhid: 1, advskew: 100}, {vhid: 2, advbase: 2}, {vhid: 3, advskew: 5}]\n");
    /* the issue's own words now mean every vhid: nothing to say */
    ck_silent(PAIR "    carp: [{advskew: 100}]\n");
}
END_TEST

START_TEST(lint_carp_password)
{
    ck_warns(PAIR "    carp: [{advskew: 100}, {vhid: 2, password: other}]\n",
             "t.yaml:15:28: warning: carp: vhid 2 on segment 'b': the password of 'fw2' differs from that of 'fw1' "
             "(line 8): each drops the other's advertisements (their HMAC does not verify) and both become MASTER "
             "[carp-password]");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
}
END_TEST

START_TEST(lint_carp_vip_prefix)
{
    ck_warns(PAIR "    carp: [{advskew: 100}, {vhid: 3, address: 10.0.3.1/32}]\n",
             "t.yaml:15:28: warning: carp: vhid 3: VIP 10.0.3.1/32 has a different prefix length than its interface "
             "fw2.c (10.0.3.3/24)");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
}
END_TEST

START_TEST(lint_ha_carp)
{
    /* a vhid on one node of the pair only */
    ck_warns(PAIR "    carp: [{advskew: 100}, {interface: a, vhid: 7, address: 10.0.1.7/24}]\n",
             "t.yaml:15:28: warning: carp: vhid 7 (10.0.1.7 on fw2.a) is not on 'fw1', the pfsync peer of 'fw2': "
             "after a failover nothing holds that VIP [ha-carp]");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
    /* one vhid on different segments (its VIP then differs too) */
    ck_warns(PAIR "    carp: [{advskew: 100}, {vhid: 3, interface: a, address: 10.0.1.33/24}]\n",
             "t.yaml:15:28: warning: carp: vhid 3 is 10.0.3.1 on fw1.c (segment 'c') but 10.0.1.33 on fw2.a "
             "(segment 'a'), its pfsync peer");
    /* not a pair (fw2 does not name fw1): not compared */
    ck_silent("name: t\nsegments: {a: {}}\nnodes:\n"
              "  fw1: {kind: firewall, interfaces: {a: {segment: a, address: 10.0.1.2/24}},\n"
              "        carp: [{interface: a, vhid: 1, address: 10.0.1.1/24}]}\n"
              "  fw2: {kind: firewall, interfaces: {a: {segment: a, address: 10.0.1.3/24}}}\n");
}
END_TEST

/* fw1 with a tunnel (W1: its settings) and two remotes (lines 1-14),
 * fw2 written out up to its wireguard: (line 20). */
#define WGPAIR(W1)                                                                               \
    "name: t\n"                                                                    /* 1 */       \
    "segments: {a: {}}\n"                                                          /* 2 */       \
    "nodes:\n"                                                                     /* 3 */       \
    "  r1: {kind: host, interfaces: {a: {segment: a, address: 10.0.1.10/24}},\n"   /* 4 */       \
    "       wireguard: {wg0: {peers: [{node: fw1, endpoint: 10.0.1.1:51820}]}}}\n" /* 5 */       \
    "  r2: {kind: host, interfaces: {a: {segment: a, address: 10.0.1.11/24}},\n"   /* 6 */       \
    "       wireguard: {wg0: {peers: [{node: fw1, endpoint: 10.0.1.1:51820}]}}}\n" /* 7 */       \
    "  fw1:\n"                                                                     /* 8 */       \
    "    kind: firewall\n"                                                         /* 9 */       \
    "    interfaces: {a: {segment: a, address: 10.0.1.2/24}}\n"                    /* 10 */      \
    "    carp: [{interface: a, vhid: 1, address: 10.0.1.1/24}]\n"                  /* 11 */      \
    "    pfsync: fw2\n"                                                            /* 12 */      \
    "    wireguard:\n"                                                             /* 13 */      \
    "      wg0: " W1 "\n"                                                          /* 14 */      \
    "  fw2:\n"                                                                     /* 15 */      \
    "    kind: firewall\n"                                                         /* 16 */      \
    "    interfaces: {a: {segment: a, address: 10.0.1.3/24}}\n"                    /* 17 */      \
    "    carp: [{interface: a, vhid: 1, address: 10.0.1.1/24, advskew: 100}]\n"    /* 18 */      \
    "    pfsync: fw1\n"                                                            /* 19 */      \
    "    wireguard:\n"                                                             /* 20 */

#define KEY_A "\"oHQ6cOTqFsOHcvaBaWzoqD5U0XJ9HFmeNwYcfBQvUWQ=\""
#define KEY_B "\"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\""
#define BOTH "peers: [{node: r1}, {node: r2}]"

START_TEST(lint_ha_wireguard_key)
{
    /* written out, fw2's tunnel has a key derived from its own name */
    ck_warns(WGPAIR("{" BOTH "}") "      wg0: {" BOTH "}\n",
             "t.yaml:21:7: warning: wireguard: wg0 has another private key on 'fw2' than on 'fw1' (line 14), its "
             "pfsync peer: remotes know the pair by one public key");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
    ck_warns(WGPAIR("{private-key: " KEY_A ", " BOTH "}") "      wg0: {private-key: " KEY_B ", " BOTH "}\n",
             "t.yaml:21:7: warning: wireguard: wg0 has another private key on 'fw2'");
    /* one key on both, the same port and peers: one HA tunnel */
    ck_silent(WGPAIR("{private-key: " KEY_A ", " BOTH "}") "      wg0: {private-key: " KEY_A ", " BOTH "}\n");
}
END_TEST

START_TEST(lint_ha_wireguard_port_peers_tunnel)
{
    ck_warns(WGPAIR("{private-key: " KEY_A ", " BOTH "}")
             "      wg0: {private-key: " KEY_A ", listen-port: 51821, peers: [{node: r1}]}\n",
             "t.yaml:21:7: warning: wireguard: wg0 listens on port 51821 on 'fw2' but 51820 on 'fw1' (line 14)");
    ck_assert(has_error("t.yaml:21:7: warning: wireguard: fw2.wg0 lacks 1 of the 2 peers of fw1.wg0, its pfsync "
                          "peer (first: r2, line 14)"));
    ck_assert_uint_eq(hs_diag_count(&g_diag), 2);
    /* a tunnel on one node only */
    ck_warns(WGPAIR("{private-key: " KEY_A ", " BOTH "}")
             "      wg0: {private-key: " KEY_A ", " BOTH "}\n      wg9: {listen-port: 51900}\n",
             "t.yaml:22:7: warning: wireguard: wg9 is on 'fw2' but not on 'fw1', its pfsync peer: the tunnel "
             "does not survive a failover [ha-wireguard-tunnel]");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
}
END_TEST

#define GW                                                                                       \
    "name: t\nsegments: {a: {}, b: {}}\nnodes:\n"                                  /* 1-3 */     \
    "  fw:\n    kind: firewall\n"                                                  /* 4-5 */     \
    "    interfaces: {a: {segment: a, address: 10.0.1.2/24}, b: {segment: b, address: 10.0.2.2/24}}\n" \
    "    gateways:\n"                                                              /* 7 */       \
    "      - {name: g1, interface: a, address: 10.0.1.1}\n"                        /* 8 */

START_TEST(lint_gateway_monitors)
{
    ck_warns(GW "      - {name: g2, interface: b, address: 10.0.2.1, monitor: 10.0.1.1}\n",
             "t.yaml:9:9: warning: gateway 'g2' of 'fw' monitors 10.0.1.1, as gateway 'g1' (line 8) does: the probes "
             "of both take one route, so one of them is not tested");
    /* (g1's address is on a's network too) */
    ck_assert(has_error("t.yaml:9:9: warning: gateway 'g2' monitors 10.0.1.1, on the network of fw.a"));
    ck_assert_uint_eq(hs_diag_count(&g_diag), 2);
    ck_warns(GW "      - {name: g2, interface: b, address: 10.0.2.1, monitor: 10.0.1.2}\n",
             "t.yaml:9:9: warning: gateway 'g2' monitors 10.0.1.2, an address of 'fw' itself: a probe to a local "
             "address is delivered locally, so it never tests the gateway [gateway-monitor-self]");
    ck_warns(GW "      - {name: g2, interface: b, address: 10.0.2.1, monitor: 10.0.1.50}\n",
             "t.yaml:9:9: warning: gateway 'g2' monitors 10.0.1.50, on the network of fw.a (10.0.1.2/24), not of its "
             "interface 'b': the host route to the monitor via the gateway takes that address off a "
             "(the node reaches it through the gateway) [gateway-monitor-other-network]");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 1);
    ck_silent(GW "      - {name: g2, interface: b, address: 10.0.2.1, monitor: 8.8.8.8}\n");
    ck_silent(GW "      - {name: g2, interface: b, address: 10.0.2.1, monitor: 10.0.2.9}\n");
}
END_TEST

/* The runner lints once per run: the warnings are in the result, and with
 * strict the scenario is not run and they are its error. */
START_TEST(lint_runner_strict)
{
    hs_scenario *s = load_str(PAIR "    carp: [{vhid: 1, advskew: 100}]\n");
    ck_assert_ptr_nonnull(s);
    hs_run_options o = {0};
    hs_result *r = hs_run_scenario(s, &o);
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    ck_assert_uint_eq(r->n_warnings, 2);
    char buf[2048];
    ck_assert_str_eq(strstr(hs_result_warning(r, 0, buf, sizeof buf), "t.yaml:12:11: warning: carp: vhid 2") ? "ok" : buf,
                     "ok");
    hs_result_free(r);
    o.strict = true;
    r = hs_run_scenario(s, &o);
    ck_assert_int_eq(r->status, HS_STATUS_ERROR);
    ck_assert_uint_eq(r->n_warnings, 0);
    ck_assert_ptr_nonnull(strstr(r->error, "t.yaml:12:11: warning: carp: vhid 2 on segment 'b'"));
    ck_assert_ptr_nonnull(strstr(r->error, "t.yaml: --strict: a warning is an error"));
    hs_result_free(r);
    hs_scenario_free(s);
    /* a scenario without warnings runs under strict */
    s = load_str(PAIR "    carp: [{advskew: 100}]\n");
    r = hs_run_scenario(s, &o);
    ck_assert_int_eq(r->status, HS_STATUS_PASSED);
    ck_assert_uint_eq(r->n_warnings, 0);
    hs_result_free(r);
    hs_scenario_free(s);
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("lint");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, lint_carp_equal_priority);
    tcase_add_test(tc, lint_carp_password);
    tcase_add_test(tc, lint_carp_vip_prefix);
    tcase_add_test(tc, lint_ha_carp);
    tcase_add_test(tc, lint_ha_wireguard_key);
    tcase_add_test(tc, lint_ha_wireguard_port_peers_tunnel);
    tcase_add_test(tc, lint_gateway_monitors);
    tcase_add_test(tc, lint_runner_strict);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
