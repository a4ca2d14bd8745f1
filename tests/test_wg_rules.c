/*
 * test_wg_rules.c — filter and NAT rules on WireGuard tunnels and on
 * pfSense's WireGuard interface group (issue 18 item 3): the loader takes
 * them (and says clearly what it refuses), pf matches a group's members,
 * the group's rules come before a single interface's, decrypted packets
 * meet pf on the tunnel both ways, and a default-deny drop says so.
 *
 * Each run is a small scenario: firewall fw (wan, lan, tunnel wg0), a LAN
 * host h behind it and a remote host at the far end of the tunnel.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner.h"
#include "sim/netpfil/pf.h"
#include "suite_run.h"
#include "test_loader_util.h"

/* %s: more keys of fw (4-space indent); %s: traffic and expect. Line 11
 * is fw's first extra line. */
#define SCENARIO                                                                                    \
    "name: t\n"                                                           /* 1 */                  \
    "duration: 10s\n"                                                     /* 2 */                  \
    "segments: {net: {delay: 5ms}, lan: {}}\n"                            /* 3 */                  \
    "nodes:\n"                                                            /* 4 */                  \
    "  fw:\n"                                                             /* 5 */                  \
    "    kind: firewall\n"                                                /* 6 */                  \
    "    interfaces:\n"                                                   /* 7 */                  \
    "      wan: {segment: net, address: 192.0.2.1/24}\n"                  /* 8 */                  \
    "      lan: {segment: lan, address: 10.0.0.1/24}\n"                   /* 9 */                  \
    "    wireguard: {wg0: {listen-port: 51820, address: 10.99.0.1/24,\n" /* 10 */                 \
    "                peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]}}\n"                     \
    "%s"                                                                                            \
    "  h:\n"                                                                                        \
    "    kind: host\n"                                                                              \
    "    interfaces: {lan: {segment: lan, address: 10.0.0.2/24}}\n"                                 \
    "    routes: [{to: default, via: 10.0.0.1}]\n"                                                  \
    "  remote:\n"                                                                                   \
    "    kind: host\n"                                                                              \
    "    interfaces: {net: {segment: net, address: 192.0.2.10/24}}\n"                               \
    "    wireguard:\n"                                                                              \
    "      wg0:\n"                                                                                  \
    "        address: 10.99.0.2/24\n"                                                               \
    "        peers: [{node: fw, endpoint: 192.0.2.1:51820, allowed-ips: [10.99.0.1/32],\n"          \
    "                 persistent-keepalive: 25}]\n"                                                 \
    "%s"

/* The filter every run starts from: WireGuard in on wan, the LAN in. */
#define FILTER                                                                                      \
    "    filter:\n"                                                                                 \
    "      - {action: pass, interface: wan, direction: in, protocol: udp, dst-port: 51820}\n"      \
    "      - {action: pass, interface: lan, direction: in}\n"

/* remote pings fw's tunnel address through the tunnel (ping 0). */
#define PING_IN "traffic: [{ping: {from: remote, to: 10.99.0.1, every: 1s}}]\n"

static hs_result *run(const char *fw_keys, const char *rest)
{
    size_t n = strlen(SCENARIO) + strlen(fw_keys) + strlen(rest) + 1;
    char *y = malloc(n);
    ck_assert_ptr_nonnull(y);
    snprintf(y, n, SCENARIO, fw_keys, rest);
    hs_scenario *s = load_str(y);
    if (!s)
        dump_errors();
    ck_assert_ptr_nonnull(s);
    hs_run_options o = {.timeline = true};
    hs_result *r = hs_run_scenario(s, &o);
    hs_scenario_free(s);
    free(y);
    ck_assert_ptr_nonnull(r);
    if (r->status == HS_STATUS_ERROR)
        ck_abort_msg("run error: %s", r->error);
    return r;
}

/* Loss of ping 0 (remote -> fw through the tunnel) over [2s, 10s], as the
 * tunnel expectation sees it. */
static double tunnel_loss(const char *fw_keys, const char *traffic)
{
    char rest[512];
    snprintf(rest, sizeof rest, "%sexpect: [{during: [2s, 10s], tunnel: {ping: 0, loss: \"0%%\"}}]\n", traffic);
    hs_result *r = run(fw_keys, rest);
    ck_assert_uint_eq(r->n_expects, 1);
    double loss = r->expects[0].value;
    hs_result_free(r);
    return loss;
}

static const char *field(const hs_timeline_entry *e, const char *key)
{
    for (size_t i = 0; i < e->n_fields; i++)
        if (!strcmp(e->fields[i].key, key))
            return e->fields[i].value;
    return NULL;
}

/* The first drop line of node `node` whose text contains `part`. */
static const hs_timeline_entry *drop_line(const hs_result *r, const char *node, const char *part)
{
    for (size_t i = 0; i < r->n_timeline; i++) {
        const hs_timeline_entry *e = &r->timeline[i];
        if (!strcmp(e->category, "drop") && !strcmp(e->node, node) && strstr(e->text, part))
            return e;
    }
    return NULL;
}

static void dump_timeline(const hs_result *r)
{
    for (size_t i = 0; i < r->n_timeline; i++)
        fprintf(stderr, "  %s %s %s\n", r->timeline[i].node, r->timeline[i].category, r->timeline[i].text);
}

/* ---- loader -------------------------------------------------------- */

START_TEST(loader_takes_tunnel_and_group)
{
    char y[4096];
    snprintf(y, sizeof y, SCENARIO,
             FILTER "      - {action: pass, interface: wg0, direction: in}\n"
                    "      - {action: block, interface: WireGuard, protocol: udp}\n"
                    "    nat:\n"
                    "      outbound: [{interface: wg0, source: 10.0.0.0/24}, {interface: WireGuard}]\n"
                    "      forward: [{interface: wg0, port: 53, to: 10.0.0.2:53}]\n"
                    "    firewall: {wireguard: {interface-group: unassigned}}\n",
             "");
    hs_scenario *s;
    ck_loads(y, s);
    int fi = hs_find_node(s, "fw");
    ck_assert_int_ge(fi, 0);
    const hs_node *fw = &s->nodes[fi];
    ck_assert_uint_eq(fw->n_filter, 4);
    ck_assert(fw->filter[0].iface >= 0 && fw->filter[0].on.wg == -1 && !fw->filter[0].on.group);
    ck_assert(fw->filter[2].iface == -1 && fw->filter[2].on.wg == 0 && !fw->filter[2].on.group);
    ck_assert(fw->filter[3].iface == -1 && fw->filter[3].on.wg == -1 && fw->filter[3].on.group);
    ck_assert(fw->nat_outbound[0].on.wg == 0 && fw->nat_outbound[1].on.group);
    ck_assert(fw->nat_forward[0].on.wg == 0 && fw->nat_forward[0].iface == -1);
    ck_assert_int_eq(fw->fw.wg_group, 1);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_refuses_unknown_with_candidates)
{
    char y[4096];
    snprintf(y, sizeof y, SCENARIO, "    filter: [{action: pass, interface: wg1}]\n", "");
    ck_error(y, "t.yaml:12:40: unknown interface 'wg1' on node 'fw' (a rule takes an interface, a WireGuard "
                "tunnel of the node or 'WireGuard'); did you mean 'wg0'?");
    snprintf(y, sizeof y, SCENARIO, "    filter: [{action: pass, interface: Wireguard}]\n", "");
    ck_error(y, "t.yaml:12:40: unknown interface 'Wireguard' on node 'fw'");
    ck_assert(has_error("t.yaml:12:40: unknown interface 'Wireguard' on node 'fw' (a rule takes an interface, a "
                        "WireGuard tunnel of the node or 'WireGuard'); did you mean 'WireGuard'?"));
}
END_TEST

START_TEST(loader_refuses_group_off_firewall_and_clashes)
{
    /* a router has no pfSense WireGuard package */
    static const char router[] =
        "name: t\n"
        "segments: {net: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces: {wan: {segment: net, address: 192.0.2.1/24}}\n"
        "    nat: {outbound: [{interface: WireGuard}]}\n";
    ck_error(router, "t.yaml:7:34: interface: 'WireGuard' is the interface group of pfSense's WireGuard package, "
                     "only on a firewall ('r' is a router)");
    /* pf has one namespace for interfaces and groups */
    static const char clash[] =
        "name: t\n"
        "segments: {net: {}}\n"
        "nodes:\n"
        "  fw:\n"
        "    kind: firewall\n"
        "    interfaces: {WireGuard: {segment: net, address: 192.0.2.1/24}}\n"
        "    filter: [{action: pass, interface: WireGuard}]\n";
    ck_error(clash, "t.yaml:7:40: interface: 'WireGuard' names pfSense's WireGuard interface group; rename the "
                    "interface of node 'fw'");
    char y[4096];
    snprintf(y, sizeof y, SCENARIO, "    firewall: {wireguard: {interface-group: some}}\n", "");
    ck_error(y, "t.yaml:12:45: interface-group:");
}
END_TEST

/* ---- pf ------------------------------------------------------------ */

static bool in_group(void *ctx, const char *group, const char *ifname)
{
    (void)ctx;
    return !strcmp(group, "WireGuard") && !strncmp(ifname, "wg", 2);
}

/* wg* interfaces have 10.99.0.1, the others 192.0.2.1. */
static bool iface_addr(void *ctx, const char *ifname, uint32_t *a)
{
    (void)ctx;
    *a = !strncmp(ifname, "wg", 2) ? 0x0a630001 : 0xc0000201;
    return true;
}

/* A pf whose host puts the wg* interfaces in the group "WireGuard". */
static sim_engine *eng;
static sim_rng rng;
static pf p;

static void pf_setup(void)
{
    eng = sim_engine_native_new();
    sim_rng_init(&rng, 7, "fw");
    pf_host_ops ops = {.iface_in_group = in_group, .iface_addr = iface_addr};
    pf_init(&p, eng, &rng, 1, &ops);
}

static void pf_teardown(void)
{
    pf_destroy(&p);
    sim_engine_destroy(eng);
}

START_TEST(pf_group_rule_matches_members_only)
{
    pf_filter_rule r = {.action = PF_PASS, .dir = PF_IN, .group = true, .label = "group"};
    snprintf(r.ifname, sizeof r.ifname, "WireGuard");
    ck_assert(pf_set_rules(&p, &r, 1));
    pf_pkt a = {.proto = PF_PROTO_ICMP, .src = 0x0a630002, .dst = 0x0a630001, .sport = 7, .dport = 7};
    pf_pkt b = a;
    ck_assert_int_eq(pf_test(&p, PF_IN, "wg0", &a).action, PF_PASS);
    pf_result x = pf_test(&p, PF_IN, "wan", &b);
    ck_assert_int_eq(x.action, PF_BLOCK);
    ck_assert_str_eq(x.label, PF_DEFAULT_DENY);
    ck_assert_str_eq(x.note, "no rule passes it in on wan (default deny)");
    /* without the host's answer a group matches nothing, not everything */
    ck_assert(!pf_kif_match(&(pf){0}, "WireGuard", true, "wg0"));
    ck_assert(pf_kif_match(&p, "", false, "wan") && pf_kif_match(&p, "wan", false, "wan"));
    ck_assert(!pf_kif_match(&p, "wan", false, "wg0") && !pf_kif_match(&p, "wan", true, "wg0"));
}
END_TEST

START_TEST(pf_nat_and_rdr_on_group_use_packet_interface)
{
    /* outbound NAT on the group: the address of the tunnel the packet leaves by */
    pf_nat_rule n = {.group = true, .to_interface = true, .label = "n"};
    snprintf(n.ifname, sizeof n.ifname, "WireGuard");
    ck_assert(pf_set_nat(&p, &n, 1));
    pf_pkt k = {.proto = PF_PROTO_UDP, .src = 0x0a000002, .dst = 0x0a630002, .sport = 1000, .dport = 53};
    ck_assert_int_eq(pf_nat_match(&p, "wg3", &k), 0);
    ck_assert_int_eq(pf_nat_match(&p, "wan", &k), -1);
    uint32_t na;
    uint16_t np;
    ck_assert(pf_nat_translate(&p, 0, "wg3", &k, &na, &np));
    ck_assert_uint_eq(na, 0x0a630001);
    /* rdr on the group: to the arrival interface's address and port */
    pf_rdr_rule d = {.group = true, .proto = PF_PROTO_UDP, .port = 53, .to_addr = 0x0a000002, .to_port = 53};
    snprintf(d.ifname, sizeof d.ifname, "WireGuard");
    ck_assert(pf_set_rdr(&p, &d, 1));
    pf_pkt in = {.proto = PF_PROTO_UDP, .src = 0x0a630002, .dst = 0x0a630001, .sport = 1000, .dport = 53};
    ck_assert_int_eq(pf_rdr_match(&p, "wg0", &in), 0);
    ck_assert_int_eq(pf_rdr_match(&p, "wan", &in), -1);
    in.dst = 0xc0000201;
    ck_assert_int_eq(pf_rdr_match(&p, "wg0", &in), -1);
}
END_TEST

/* ---- runs ------------------------------------------------------------ */

START_TEST(run_tunnel_without_pass_rule_is_default_denied)
{
    hs_result *r = run(FILTER, PING_IN);
    const hs_timeline_entry *e = drop_line(r, "fw", "on wg0: in hook");
    if (!e)
        dump_timeline(r);
    ck_assert_ptr_nonnull(e);
    /* the packet, the interface, and that no rule passed it */
    ck_assert_msg(strstr(e->text, "filter: icmp echo request 10.99.0.2 -> 10.99.0.1 id ") == e->text, "%s", e->text);
    ck_assert_msg(strstr(e->text, "on wg0: in hook: pf: no rule passes it in on wg0 (default deny); traffic from "
                                  "the tunnel needs a pass rule on wg0 or WireGuard"),
                  "%s", e->text);
    ck_assert_str_eq(field(e, "rule"), "default deny");
    ck_assert_str_eq(field(e, "interface"), "wg0");
    ck_assert_str_eq(field(e, "src"), "10.99.0.2");
    ck_assert_str_eq(field(e, "dst"), "10.99.0.1");
    ck_assert_str_eq(field(e, "proto"), "icmp");
    ck_assert_ptr_nonnull(field(e, "icmp-id"));
    hs_result_free(r);
    ck_assert_double_eq(tunnel_loss(FILTER, PING_IN), 100.0);
}
END_TEST

START_TEST(run_pass_rule_on_tunnel)
{
    ck_assert_double_eq(tunnel_loss(FILTER "      - {action: pass, interface: wg0, direction: in}\n", PING_IN), 0.0);
}
END_TEST

START_TEST(run_pass_rule_on_group)
{
    ck_assert_double_eq(tunnel_loss(FILTER "      - {action: pass, interface: WireGuard, direction: in}\n", PING_IN),
                        0.0);
    /* interface-group: none leaves the group empty */
    ck_assert_double_eq(tunnel_loss(FILTER "      - {action: pass, interface: WireGuard, direction: in}\n"
                                           "    firewall: {wireguard: {interface-group: none}}\n",
                                    PING_IN),
                        100.0);
}
END_TEST

START_TEST(run_group_rules_before_interface_rules)
{
    /* written after the tunnel's own pass, the group's block still comes first */
    static const char keys[] = FILTER "      - {action: pass, interface: wg0, direction: in}\n"
                                      "      - {action: block, interface: WireGuard, direction: in, protocol: icmp}\n";
    hs_result *r = run(keys, PING_IN);
    const hs_timeline_entry *e = drop_line(r, "fw", "on wg0: in hook: pf: blocked by filter rule at t.yaml:16");
    if (!e)
        dump_timeline(r);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(field(e, "rule"), "filter rule at t.yaml:16");
    hs_result_free(r);
    ck_assert_double_eq(tunnel_loss(keys, PING_IN), 100.0);
    /* 'unassigned': wg0 has a rule of its own, so it is not in the group */
    char k2[1024];
    snprintf(k2, sizeof k2, "%s    firewall: {wireguard: {interface-group: unassigned}}\n", keys);
    ck_assert_double_eq(tunnel_loss(k2, PING_IN), 0.0);
}
END_TEST

START_TEST(run_block_out_on_tunnel)
{
    /* fw's own echo requests leave by wg0: pf's out hook runs there too */
    static const char out[] = "traffic: [{ping: {from: fw, to: 10.99.0.2, every: 1s}}]\n";
    static const char keys[] = FILTER "      - {action: block, interface: wg0, direction: out, protocol: icmp}\n";
    ck_assert_double_eq(tunnel_loss(FILTER, out), 0.0);
    ck_assert_double_eq(tunnel_loss(keys, out), 100.0);
    hs_result *r = run(keys, out);
    const hs_timeline_entry *e = drop_line(r, "fw", "on wg0: out hook: pf: blocked by filter rule at t.yaml:15");
    if (!e)
        dump_timeline(r);
    ck_assert_ptr_nonnull(e);
    hs_result_free(r);
}
END_TEST

START_TEST(run_outbound_nat_on_tunnel)
{
    /* h's source is outside remote's allowed-ips for fw: only NAT to the
     * tunnel's address gets its pings through */
    static const char lan[] = "traffic: [{ping: {from: h, to: 10.99.0.2, every: 1s}}]\n";
    ck_assert_double_eq(tunnel_loss(FILTER, lan), 100.0);
    ck_assert_double_eq(tunnel_loss(FILTER "    nat: {outbound: [{interface: wg0, source: 10.0.0.0/24}]}\n", lan), 0.0);
    /* on the group: translated to the address of the tunnel it leaves by */
    ck_assert_double_eq(tunnel_loss(FILTER "    nat: {outbound: [{interface: WireGuard, source: 10.0.0.0/24}]}\n", lan),
                        0.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wg_rules");
    TCase *tl = tcase_create("loader");
    tcase_add_test(tl, loader_takes_tunnel_and_group);
    tcase_add_test(tl, loader_refuses_unknown_with_candidates);
    tcase_add_test(tl, loader_refuses_group_off_firewall_and_clashes);
    suite_add_tcase(s, tl);
    TCase *tp = tcase_create("pf");
    tcase_add_checked_fixture(tp, pf_setup, pf_teardown);
    tcase_add_test(tp, pf_group_rule_matches_members_only);
    tcase_add_test(tp, pf_nat_and_rdr_on_group_use_packet_interface);
    suite_add_tcase(s, tp);
    TCase *tr = tcase_create("runs");
    tcase_set_timeout(tr, 60);
    tcase_add_test(tr, run_tunnel_without_pass_rule_is_default_denied);
    tcase_add_test(tr, run_pass_rule_on_tunnel);
    tcase_add_test(tr, run_pass_rule_on_group);
    tcase_add_test(tr, run_group_rules_before_interface_rules);
    tcase_add_test(tr, run_block_out_on_tunnel);
    tcase_add_test(tr, run_outbound_nat_on_tunnel);
    suite_add_tcase(s, tr);
    int rc = T_run_suite(s);
    if (g_diag_inited)
        hs_diag_free(&g_diag);
    return rc;
}
