/*
 * test_loader_count.c — `count:` (harness/loader_count.c): an entry of
 * segments, nodes, interfaces, peers, traffic, events or expect with
 * `count: N` becomes N ordinary entries with {EXPR} replaced by an integer
 * expression of i; every mistake is one located error at the template; and
 * the shipped 10,000-peer hub loads in well under a second.
 */
#include <time.h>

#include "test_loader_util.h"

/* Segments, nodes with their interfaces and routes, a hub's peers, pings,
 * events and expectations, all from templates. */
static const char *const SITES =
    "name: t\n"                                                          /* 1 */
    "duration: 1m\n"                                                     /* 2 */
    "segments:\n"                                                        /* 3 */
    "  core: {}\n"                                                       /* 4 */
    "  site{i}: {count: 3, start: 1, delay: \"{i*10}ms\"}\n"             /* 5 */
    "nodes:\n"                                                           /* 6 */
    "  isp:\n"                                                           /* 7 */
    "    kind: router\n"                                                 /* 8 */
    "    interfaces:\n"                                                  /* 9 */
    "      core: {segment: core, address: 198.18.0.1/24}\n"              /* 10 */
    "      s{i}: {count: 3, start: 1, segment: \"site{i}\", address: \"10.{i/256}.{i%256}.1/24\"}\n" /* 11 */
    "  hub:\n"                                                           /* 12 */
    "    kind: firewall\n"                                               /* 13 */
    "    interfaces: {wan: {segment: core, address: 198.18.0.2/24}}\n"   /* 14 */
    "    routes: [{to: default, via: 198.18.0.1}]\n"                     /* 15 */
    "    wireguard:\n"                                                   /* 16 */
    "      wg0:\n"                                                       /* 17 */
    "        address: 10.99.0.1/24\n"                                    /* 18 */
    "        peers:\n"                                                   /* 19 */
    "          - {count: 3, start: 1, node: \"r{i}\", allowed-ips: \"10.100.0.{i}/32\"}\n" /* 20 */
    "  r{i}:\n"                                                          /* 21 */
    "    count: 3\n"                                                     /* 22 */
    "    start: 1\n"                                                     /* 23 */
    "    kind: host\n"                                                   /* 24 */
    "    interfaces: {wan: {segment: \"site{i}\", address: \"10.{i/256}.{i%256}.2/24\"}}\n" /* 25 */
    "    routes: [{to: default, via: \"10.{i/256}.{i%256}.1\"}]\n"       /* 26 */
    "    wireguard:\n"                                                   /* 27 */
    "      wg0:\n"                                                       /* 28 */
    "        address: \"10.100.0.{i}/32\"\n"                             /* 29 */
    "        peers: [{node: hub, endpoint: \"198.18.0.2:51820\", allowed-ips: 10.99.0.1/32}]\n" /* 30 */
    "traffic:\n"                                                         /* 31 */
    "  - {count: 3, ping: {from: \"r{i+1}\", to: 10.99.0.1}}\n"          /* 32 */
    "events:\n"                                                          /* 33 */
    "  - {count: 2, at: \"{(i+1)*10}s\", do: \"link-down r{i+1} wan\"}\n" /* 34 */
    "expect:\n"                                                          /* 35 */
    "  - {count: 3, at: 1m, handshake: {node: hub, peer: \"r{i+1}\"}}\n" /* 36 */
    "  - {count: 3, during: [5s, 9s], tunnel: {ping: \"{i}\", loss: \"0%\"}}\n"; /* 37 */

START_TEST(count_expands)
{
    hs_scenario *s;
    ck_loads(SITES, s);
    /* segments: core, then site1..site3 in place of the template */
    ck_assert_uint_eq(s->n_segments, 4);
    ck_assert_str_eq(s->segments[1].name, "site1");
    ck_assert_str_eq(s->segments[3].name, "site3");
    ck_assert_int_eq(s->segments[3].delay, 30 * HS_MS);
    ck_assert_int_eq(hs_find_segment(s, "site2"), 2);
    /* nodes: isp, hub, r1..r3; each copy an ordinary node */
    ck_assert_uint_eq(s->n_nodes, 5);
    int r3 = hs_find_node(s, "r3");
    ck_assert_int_eq(r3, 4);
    const hs_node *n = &s->nodes[r3];
    ck_assert_str_eq(n->ifaces[0].name, "wan");
    ck_assert_int_eq(n->ifaces[0].segment, 3);
    char b[WG_IP_STRLEN];
    ck_assert_str_eq(wg_prefix_format(&n->ifaces[0].address, b), "10.0.3.2/24");
    ck_assert_str_eq(wg_ip_format(&n->routes[0].via_addr, b), "10.0.3.1");
    ck_assert_str_eq(wg_prefix_format(&n->wg[0].address, b), "10.100.0.3/32");
    /* the location of a copy is its template's */
    ck_assert_uint_eq(n->loc.line, 21);
    /* counted interfaces of one node */
    const hs_node *isp = &s->nodes[hs_find_node(s, "isp")];
    ck_assert_uint_eq(isp->n_ifaces, 4);
    ck_assert_str_eq(isp->ifaces[2].name, "s2");
    ck_assert_int_eq(isp->ifaces[2].segment, 2);
    /* counted peers: each takes its node's key */
    const hs_node *hub = &s->nodes[hs_find_node(s, "hub")];
    ck_assert_uint_eq(hub->wg[0].n_peers, 3);
    ck_assert_int_eq(hub->wg[0].peers[2].node, r3);
    ck_assert_mem_eq(hub->wg[0].peers[2].public_key, n->wg[0].public_key, WG_KEY_LEN);
    ck_assert_int_eq(hs_wg_find_peer(&hub->wg[0], "r2"), 1);
    ck_assert_str_eq(wg_prefix_format(&hub->wg[0].peers[0].allowed_ips[0], b), "10.100.0.1/32");
    /* traffic, events (time order kept) and expectations */
    ck_assert_uint_eq(s->n_traffic, 3);
    ck_assert_int_eq(s->traffic[2].ping.from, r3);
    ck_assert_uint_eq(s->n_events, 2);
    ck_assert_int_eq(s->events[1].at, 20 * HS_S);
    ck_assert_str_eq(s->events[1].cmd.node, "r2");
    ck_assert_uint_eq(s->n_expects, 6);
    ck_assert_int_eq(s->expects[2].u.handshake.peer, 2);
    ck_assert_int_eq(s->expects[5].u.tunnel.ping, 2);
    hs_scenario_free(s);
}
END_TEST

#define NODES "name: t\nsegments: {s: {}}\nnodes:\n"

START_TEST(count_errors)
{
    /* the count itself */
    ck_error(NODES "  h{i}: {count: 0, kind: host}\n",
             "t.yaml:4:17: count: '0' is not a number of copies (an integer from 1 to 1000000)");
    ck_assert_uint_eq(g_diag.n, 1); /* not also 'needs at least one node' */
    ck_error(NODES "  h{i}: {count: -2, kind: host}\n", "t.yaml:4:17: count: '-2' is not a number of copies");
    ck_error(NODES "  h{i}: {count: 2000000, kind: host}\n", "t.yaml:4:17: count: '2000000' is not a number of copies");
    ck_error(NODES "  h{i}: {count: 2, start: x, kind: host}\n", "t.yaml:4:27: start: 'x' is not a first index");
    ck_error(NODES "  h: {kind: host, start: 3}\n", "t.yaml:4:19: start: only together with 'count:'");
    ck_assert_uint_eq(g_diag.n, 1);
    /* a name without a placeholder: the copies would collide */
    ck_error(NODES "  h: {count: 2, kind: host}\n",
             "t.yaml:4:3: count: the name 'h' has no placeholder such as {i}, so its 2 copies would all be called that");
    /* a placeholder without count: said once, not also 'not a valid name' */
    ck_error(NODES "  h{i}: {kind: host}\n", "t.yaml:4:3: 'h{i}': a placeholder such as {i} is only for an entry with 'count:'");
    ck_assert_uint_eq(g_diag.n, 1);
    ck_error(NODES "  h: {kind: host, interfaces: {e: {segment: s, address: \"10.0.{i}.2/24\"}}}\n",
             "t.yaml:4:57: address: '10.0.{i}.2/24': a placeholder such as {i} is only for an entry with 'count:'");
    ck_assert_uint_eq(g_diag.n, 1);
    /* expanded names that collide, with a copy or with another entry */
    ck_error(NODES "  h{i%2}: {count: 3, kind: host}\n",
             "t.yaml:4:3: count: 'h{i%2}' with i = 2 makes 'h0', which is already in nodes (line 4)");
    ck_error(NODES "  h1: {kind: host}\n  h{i}: {count: 3, kind: host}\n",
             "t.yaml:5:3: count: 'h{i}' with i = 1 makes 'h1', which is already in nodes (line 4)");
    /* an expanded address that is invalid: one error, with the first i that shows it */
    ck_error(NODES "  h{i}: {count: 300, kind: host, interfaces: {e: {segment: s, address: \"10.0.{i}.2/24\"}}}\n",
             "t.yaml:4:72: address: '10.0.256.2/24' is not an address prefix (e.g. 10.0.0.1/24) (with i = 256 from "
             "count: at line 4)");
    ck_assert_uint_eq(g_diag.n, 1);
    /* the same address in every copy: one error, not 299 */
    ck_error(NODES "  h{i}: {count: 300, kind: host, interfaces: {e: {segment: s, address: 10.0.0.2/24}}}\n",
             "t.yaml:4:72: address: 10.0.0.2 is already the address of h0.e (line 4) (with i = 1 from count: at line 4)");
    ck_assert_uint_eq(g_diag.n, 1);
    /* expressions that fail */
    ck_error(NODES "  h{i}: {count: 2, kind: host, interfaces: {e: {segment: s, address: \"10.0.{i/0}.2/24\"}}}\n",
             "t.yaml:4:70: count: '{i/0}' in '10.0.{i/0}.2/24' divides by zero (with i = 0)");
    ck_error(NODES "  h{i}: {count: 2, kind: host, interfaces: {e: {segment: s, address: \"10.0.{i-1}.2/24\"}}}\n",
             "t.yaml:4:70: count: '{i-1}' in '10.0.{i-1}.2/24' is negative (with i = 0)");
    ck_error(NODES "  h{i}: {count: 2, kind: host, interfaces: {e: {segment: s, address: \"10.{i*99999999999}.0.2/24\"}}}\n",
             "t.yaml:4:70: address: '10.99999999999.0.2/24' is not an address prefix (e.g. 10.0.0.1/24) (with i = 1 "
             "from count: at line 4)");
    ck_error(NODES "  h{i}: {count: 2, start: 1, kind: host, interfaces: {e: {segment: s, address: \"10.{i*9999999999999999999}.0.2/24\"}}}\n",
             "t.yaml:4:80: count: '{i*9999999999999999999}' in '10.{i*9999999999999999999}.0.2/24' overflows (with i = 1)");
    ck_error(NODES "  h{i}: {count: 2, kind: host, interfaces: {e: {segment: s, address: \"10.{j}.0.2/24\"}}}\n",
             "t.yaml:4:70: count: '{j}' in '10.{j}.0.2/24' is not an index expression");
    ck_error(NODES "  \"h{i\": {count: 2, kind: host}\n", "t.yaml:4:3: count: '{i' in 'h{i' has no closing '}'");
    /* no nesting */
    ck_error(NODES "  h{i}:\n    count: 2\n    kind: host\n    interfaces:\n      e{i}: {count: 2, segment: s, address: 10.0.0.2/24}\n",
             "t.yaml:8:14: count: not inside an entry that has 'count:' itself (no nesting)");
    /* a reference a template gets wrong: once */
    ck_error(NODES "  h:\n    kind: host\n    wireguard: {wg0: {peers: [{count: 5, node: \"x{i}\"}]}}\n",
             "t.yaml:6:48: unknown node 'x0' (with i = 0 from count: at line 6)");
    ck_assert_uint_eq(g_diag.n, 1);
    /* what a file may make */
    ck_error(NODES "  h{i}: {count: 1000000, kind: host, interfaces: {e: {segment: s, address: 10.0.0.1/8}}}\n",
             "t.yaml:4:17: count: 1000000 copies of this entry make 7000000 YAML values, more than the 4000000");
}
END_TEST

/* Loads a file of the source tree (CTest runs us in the build tree). */
static hs_scenario *load_source_file(const char *rel, double *cpu_seconds)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WGSIM_SOURCE_DIR, rel);
    diag_reset(path);
    clock_t t0 = clock();
    hs_scenario *s = hs_load_file(path, &g_diag);
    *cpu_seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    return s;
}

/* bench/scenarios/hub-10000.yaml: 10,000 remotes with their segments,
 * tunnels and pings, in well under a second of CPU (the loader resolves
 * every name through a hash: quadratic lookups took minutes). */
START_TEST(count_hub_10000_loads_fast)
{
    double cpu;
    hs_scenario *s = load_source_file("bench/scenarios/hub-10000.yaml", &cpu);
    if (!s)
        dump_errors();
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n_nodes, 10002);
    ck_assert_uint_eq(s->n_segments, 10001);
    ck_assert_uint_eq(s->n_traffic, 10000);
    const hs_node *hub = &s->nodes[hs_find_node(s, "hub")];
    ck_assert_uint_eq(hub->wg[0].n_peers, 10000);
    ck_assert_int_eq(hub->wg[0].peers[9999].node, hs_find_node(s, "r9999"));
    char b[WG_IP_STRLEN];
    ck_assert_str_eq(wg_prefix_format(&hub->wg[0].peers[9999].allowed_ips[0], b), "10.139.250.1/32");
    ck_assert_int_eq(s->nodes[hs_find_node(s, "isp")].n_ifaces, 10001);
    fprintf(stderr, "hub-10000.yaml loaded in %.3f s CPU\n", cpu);
    ck_assert_msg(cpu < 1.0, "hub-10000.yaml took %.3f s of CPU to load", cpu);
    hs_scenario_free(s);
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("loader_count");
    TCase *tc = tcase_create("count");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, count_expands);
    tcase_add_test(tc, count_errors);
    tcase_add_test(tc, count_hub_10000_loads_fast);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
