/*
 * test_loader_errors.c — one test per class of scenario error, each asserting
 * the exact FILE:LINE:COL and message. (The expected positions were computed
 * from the scenario text by tests' author, not taken from the loader.)
 */
#include "test_loader_util.h"

START_TEST(loader_no_cascade_jitter_after_bad_delay)
{
    static const char text[] =
        "name: t\n"
        "segments:\n"
        "  net: {delay: 15xs, jitter: 1ms}\n"
        "nodes: {h: {kind: host}}\n";
    ck_only_error(text, "t.yaml:3:16: delay: '15xs' is not a duration");
}
END_TEST

START_TEST(loader_no_cascade_jitter_bad)
{
    static const char text[] =
        "name: t\n"
        "segments:\n"
        "  net: {delay: 1ms, jitter: 1mx}\n"
        "nodes: {h: {kind: host}}\n";
    ck_only_error(text, "t.yaml:3:29: jitter: '1mx' is not a duration");
}
END_TEST

START_TEST(loader_no_cascade_times_after_bad_duration)
{
    static const char text[] =
        "name: t\n"
        "duration: 3mm\n"
        "nodes:\n"
        "  r: {kind: router, interfaces: {wan: {segment: wan, address: 192.0.2.1/24}}}\n"
        "segments: {wan: {}}\n"
        "traffic: [{ping: {from: r, to: 192.0.2.1, start: 90s, stop: 2m}}]\n"
        "events: [{at: 2m, do: gateway-down r}]\n"
        "expect: [{during: [1m30s, 2m30s], no-packets: {on: wan}}]\n";
    ck_only_error(text, "t.yaml:2:11: duration: '3mm' is not a duration");
}
END_TEST

START_TEST(loader_no_cascade_ping_stop_after_bad_start)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "nodes:\n"
        "  r: {kind: router, interfaces: {wan: {segment: wan, address: 192.0.2.1/24}}}\n"
        "segments: {wan: {}}\n"
        "traffic: [{ping: {from: r, to: 192.0.2.1, start: 2m, stop: 30s}}]\n";
    ck_only_error(text, "t.yaml:6:50: start: 2m is outside the scenario [0, 1m]");
}
END_TEST

/* Issue 22: a flood's kind, its `of:` node and its times. */
START_TEST(loader_flood_errors)
{
    static const char head[] =
        "name: t\n"
        "duration: 1m\n"
        "nodes:\n"
        "  r: {kind: router, interfaces: {wan: {segment: wan, address: 192.0.2.1/24}}}\n"
        "segments: {wan: {}}\n";
    char text[1024];
    snprintf(text, sizeof text, "%straffic: [{flood: {from: r, to: 192.0.2.9:51820, kind: replayed}}]\n", head);
    ck_only_error(text, "t.yaml:6:56: kind: 'replayed' is not one of the choices; did you mean 'replay'?");
    snprintf(text, sizeof text, "%straffic: [{flood: {from: r, to: 192.0.2.9:51820, kind: replay}}]\n", head);
    ck_only_error(text, "t.yaml:6:19: flood: kind replay needs 'of:' (the node whose first initiation is replayed)");
    snprintf(text, sizeof text, "%straffic: [{flood: {from: r, to: 192.0.2.9:51820, kind: fresh, of: r}}]\n", head);
    ck_only_error(text, "t.yaml:6:67: of: node 'r' has no WireGuard interface");
    snprintf(text, sizeof text,
             "%straffic: [{flood: {from: r, to: 192.0.2.9:51820, kind: garbage, start: 30s, stop: 30s}}]\n", head);
    ck_only_error(text, "t.yaml:6:83: stop: not after start");
    snprintf(text, sizeof text, "%straffic: [{flood: {from: r, to: 192.0.2.9:51820, kind: garbage, rate: 0}}]\n",
             head);
    ck_only_error(text, "t.yaml:6:71: rate: '0' is not a rate in datagrams per second (an integer from 1 to 1000000)");
    /* load: at: only; a node with WireGuard; at least one counter */
    snprintf(text, sizeof text, "%sexpect: [{during: [1s, 2s], load: {node: r, under-load: \">= 1s\"}}]\n", head);
    ck_only_error(text, "t.yaml:6:35: load: give 'at:' (what it counts adds up from the start of the run)");
    snprintf(text, sizeof text, "%sexpect: [{at: 1s, load: {node: r, cookie-replies: \">= 1\"}}]\n", head);
    ck_only_error(text, "t.yaml:6:32: node: 'r' has no wireguard interface");
}
END_TEST

START_TEST(loader_no_cascade_after_bad_interface_address)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.300/24}\n"
        "      lan: {segment: lan, address: 10.0.0.1/24}\n"
        "    gateways: [{name: GW, interface: wan, address: 198.51.100.1}]\n"
        "    routes: [{to: 192.0.2.0/24, via: 198.51.100.1}]\n"
        "events: [{at: 10s, do: route-add fw 203.0.113.0/24 via 198.51.100.1}]\n";
    ck_only_error(text, "t.yaml:8:36: address: '198.51.100.300/24' is not an address prefix");
}
END_TEST

/* Named model options: unknown names get a did-you-mean; `firewall:` is for
 * firewalls; both ends of a pfsync pair agree on its options. */
static const char *const OPT_HEAD =
    "name: t\n"
    "segments: {wan: {}, sync: {}}\n"
    "nodes:\n"
    "  fw1:\n"
    "    kind: firewall\n"
    "    interfaces: {wan: {segment: wan, address: 192.0.2.1/24}, sync: {segment: sync, address: 10.1.0.1/24}}\n";

static void ck_opt_error(const char *tail, const char *prefix)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", OPT_HEAD, tail);
    ck_error(text, prefix);
}

START_TEST(loader_option_names)
{
    ck_opt_error("    wireguard: {wg0: {options: [bsd-handshake-keepalive-as-cod]}}\n",
                 "t.yaml:7:33: options: unknown option 'bsd-handshake-keepalive-as-cod'; did you mean "
                 "'bsd-handshake-keepalive-as-code'?");
    ck_opt_error("    wireguard: {wg0: {options: [zzz]}}\n",
                 "t.yaml:7:33: options: unknown option 'zzz' (valid: bsd-handshake-keepalive-as-code, "
                 "linux-cookie-reply-as-code)");
    ck_opt_error("    wireguard: {wg0: {options: [linux-cookie-reply-as-code, linux-cookie-reply-as-code]}}\n",
                 "t.yaml:7:61: options: 'linux-cookie-reply-as-code' is given twice");
    ck_opt_error("    firewall: {state-policy: floatin}\n",
                 "t.yaml:7:30: state-policy: 'floatin' is not one of the choices; did you mean 'floating'?");
    ck_opt_error("    firewall: {reply-too: false}\n",
                 "t.yaml:7:16: unknown key 'reply-too' in firewall; did you mean 'reply-to'?");
    ck_opt_error("    firewall: {carp-preempt: maybe}\n", "t.yaml:7:30: carp-preempt: ");
    ck_opt_error("    firewall: {wireguard: {resolve-interval: 1500ms}}\n",
                 "t.yaml:7:46: resolve-interval: pfSense takes whole seconds");
    ck_opt_error("    firewall: {wireguard: {resolve-intervall: 60s}}\n",
                 "t.yaml:7:28: unknown key 'resolve-intervall' in wireguard; did you mean 'resolve-interval'?");
    ck_opt_error("    firewall: {aliases-resolve-interval: -5s}\n", "t.yaml:7:42: ");
    ck_opt_error("    firewall: {gateway-semantics: pfsense-2.7.2}\n",
                 "t.yaml:7:35: gateway-semantics: 'pfsense-2.7.2' is not one of the choices; did you mean "
                 "'pfsense-2.7'?");
    ck_opt_error("    firewall: {gateway-semantics: opnsens}\n",
                 "t.yaml:7:35: gateway-semantics: 'opnsens' is not one of the choices; did you mean 'opnsense'?");
    /* a filter rule's gateway: a gateway or group of the node, on a pass rule */
    ck_opt_error("    gateways: [{name: WAN1GW, interface: wan, address: 192.0.2.254}]\n"
                 "    filter: [{action: pass, gateway: WANGW}]\n",
                 "t.yaml:8:38: gateway: 'WANGW' is not a gateway or gateway group of node 'fw1'; did you mean "
                 "'WAN1GW'?");
    ck_opt_error("    gateways: [{name: WAN1GW, interface: wan, address: 192.0.2.254}]\n"
                 "    filter: [{action: block, gateway: WAN1GW}]\n",
                 "t.yaml:8:39: gateway: only a pass rule routes");
    ck_opt_error("  h: {kind: host, firewall: {reply-to: false}}\n",
                 "t.yaml:7:19: 'firewall:' is only for nodes of kind firewall ('h' is a host)");
    ck_opt_error("    pfsync: {peer: fw2, defr: false}\n",
                 "t.yaml:7:25: unknown key 'defr' in pfsync; did you mean 'defer'?");
    /* both ends give options: they must agree */
    ck_opt_error("    pfsync: {peer: fw2, bulk: false}\n"
                 "  fw2: {like: fw1, interfaces: {wan: {address: 192.0.2.2/24}, sync: {address: 10.1.0.2/24}},\n"
                 "        pfsync: {peer: fw1, bulk: true}}\n",
                 "t.yaml:9:17: pfsync: 'bulk' differs from fw1's pfsync (line 7): both ends of a pair share it");
    /* the sync interface exists on both */
    ck_opt_error("    pfsync: {peer: fw2, interface: sync}\n"
                 "  fw2: {kind: firewall, interfaces: {wan: {segment: wan, address: 192.0.2.2/24}}, pfsync: fw1}\n",
                 "t.yaml:7:36: interface: peer 'fw2' has no interface 'sync' for the pfsync link");
}
END_TEST

START_TEST(loader_option_values)
{
    static const char text[] =
        "name: t\n"
        "segments: {wan: {}, sync: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 192.0.2.1/24}, sync: {segment: sync, address: 10.1.0.1/24}}\n"
        "    firewall: {state-policy: floating, reply-to: false, auto-route-to: false, carp-preempt: false,\n"
        "               gateway-semantics: pfsense-2.9-dev}\n"
        "    pfsync: {peer: fw2, lag: 200ms, flush-interval: 2s, defer: true, bulk: false, interface: sync}\n"
        "    wireguard: {wg0: {options: [linux-cookie-reply-as-code, bsd-handshake-keepalive-as-code]},\n"
        "                wg1: {listen-port: 51821, options: bsd-handshake-keepalive-as-code}}\n"
        "  fw2: {like: fw1, interfaces: {wan: {address: 192.0.2.2/24}, sync: {address: 10.1.0.2/24}},\n"
        "        firewall: ~, pfsync: fw1, wireguard: {wg0: {options: ~}}}\n";
    hs_scenario *s = load_str(text);
    if (!s)
        dump_errors();
    ck_assert_ptr_nonnull(s);
    const hs_node *a = &s->nodes[0], *b = &s->nodes[1];
    ck_assert(a->fw.floating_states && !a->fw.reply_to && !a->fw.auto_route_to && !a->fw.carp_preempt);
    ck_assert(!b->fw.floating_states && b->fw.reply_to && b->fw.auto_route_to && b->fw.carp_preempt);
    ck_assert_int_eq(a->fw.gateway_semantics, 1); /* sim_gw_semantics: pfsense-2.9-dev */
    ck_assert_int_eq(b->fw.gateway_semantics, 0);     /* the default, pfsense-2.7 */
    /* pfSense-pkg-WireGuard's defaults: 300 s, not tracking the system's 300 s */
    ck_assert(a->fw.wg_resolve_interval == 300 * HS_S && !a->fw.wg_resolve_interval_track &&
              a->fw.aliases_resolve_interval == 300 * HS_S && hs_fw_wg_resolve_interval(&a->fw) == 300 * HS_S);
    ck_assert(a->pfsync.has_options && a->pfsync.flush_interval == 2 * HS_S && a->pfsync.defer && !a->pfsync.bulk &&
              a->pfsync.sync_iface == 1 && a->pfsync.lag == 200 * HS_MS);
    ck_assert(!b->pfsync.has_options && !b->pfsync.defer && b->pfsync.bulk && b->pfsync.sync_iface == -1);
    ck_assert_uint_eq(a->wg[0].options, WG_OPT_LINUX_COOKIE_REPLY_AS_CODE | WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE);
    ck_assert_uint_eq(a->wg[1].options, WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE);
    ck_assert_uint_eq(b->wg[0].options, 0);
    ck_assert_uint_eq(b->wg[1].options, WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE);
    hs_scenario_free(s);
}
END_TEST

/* `firewall: {wireguard: ...}` (VPN > WireGuard > Settings) and the
 * system's aliases resolve interval it may track. */
START_TEST(loader_wg_service_settings)
{
    static const char text[] =
        "name: t\n"
        "segments: {wan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 192.0.2.1/24}}\n"
        "    firewall: {wireguard: {resolve-interval: 1m}, aliases-resolve-interval: 2m}\n"
        "  fw2: {like: fw1, interfaces: {wan: {address: 192.0.2.2/24}},\n"
        "        firewall: {wireguard: {resolve-interval-track: true}}}\n"
        "  fw3: {like: fw1, interfaces: {wan: {address: 192.0.2.3/24}}, firewall: {wireguard: {resolve-interval: 0}}}\n";
    hs_scenario *s = load_str(text);
    if (!s)
        dump_errors();
    ck_assert_ptr_nonnull(s);
    const hs_fw_options *a = &s->nodes[0].fw, *b = &s->nodes[1].fw, *c = &s->nodes[2].fw;
    ck_assert(a->wg_resolve_interval == 60 * HS_S && !a->wg_resolve_interval_track);
    ck_assert(hs_fw_wg_resolve_interval(a) == 60 * HS_S);
    /* tracking: the system's aliases interval (inherited 2 min) wins */
    ck_assert(b->wg_resolve_interval_track && hs_fw_wg_resolve_interval(b) == 120 * HS_S);
    ck_assert(hs_fw_wg_resolve_interval(c) == 0);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_syntax_error)
{
    static const char text[] =
        "name: t\n"
        "nodes: {h: {kind: host}\n"
        "expect: []\n";
    ck_error(text, "t.yaml:3:1: YAML syntax error");
}
END_TEST

/* An unquoted comparison is a YAML error whose libyaml text does not say
 * why; the message adds that the value must be quoted, in flow and block
 * context. An unrelated syntax error gets no such hint. */
START_TEST(loader_unquoted_comparison_hint)
{
    static const char flow[] =
        "name: t\n"
        "nodes: {h: {kind: host}}\n"
        "expect:\n"
        "  - {at: 1s, packets: {count: >= 1}}\n";
    ck_error(flow, "t.yaml:4:31: YAML syntax error: found character that cannot start any token while scanning "
                   "for the next token (started at line 4); a value that starts with '>' must be quoted "
                   "(e.g. count: \">= 1\")");
    static const char block[] =
        "name: t\n"
        "nodes: {h: {kind: host}}\n"
        "expect:\n"
        "  - at: 1s\n"
        "    packets:\n"
        "      count: >= 1\n";
    ck_error(block, "t.yaml:6:15: YAML syntax error: did not find expected comment or line break while scanning a "
                    "block scalar (started at line 6); a value that starts with '>' must be quoted");
    static const char other[] =
        "name: t\n"
        "nodes: {h: {kind: host}\n"
        "expect: []\n";
    ck_error(other, "t.yaml:3:1: YAML syntax error");
    char buf[512];
    ck_assert_msg(strstr(hs_diag_format(&g_diag, 0, buf, sizeof buf), "must be quoted") == NULL,
                  "hint on an unrelated error: %s", buf);
}
END_TEST

/* The simulated network is IPv4-only: an IPv6 interface, CARP or tunnel
 * address or peer endpoint is a load error at its position (the build
 * refused the address with a bare EINVAL; an IPv6 endpoint failed every
 * send of the run). */
START_TEST(loader_ipv6_refused)
{
    static const char text[] =
        "name: t\n"
        "nodes:\n"
        "  a:\n"
        "    kind: host\n"
        "    interfaces: {eth: {segment: net, address: \"2001:db8::1/64\"}}\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        address: \"fd00::1/64\"\n"
        "        peers: [{public-key: YFmo3GNkmxuFrlJ8ebW5VlzW4BjxISCBGmAJ9vMJUXE=, endpoint: \"[2001:db8::2]:51820\"}]\n"
        "segments: {net: {}}\n";
    ck_error(text, "t.yaml:5:47: address: 2001:db8::1/64 is IPv6; the simulated network is IPv4 only");
    ck_error(text, "t.yaml:8:18: address: fd00::1/64 is IPv6; the simulated network is IPv4 only");
    ck_error(text, "t.yaml:9:86: endpoint: [2001:db8::2]:51820 is IPv6; the simulated network is IPv4 only");
}
END_TEST

/* One mistake, one error: a `traffic:` that is not a list, or an item left
 * out, does not also make every tunnel expectation's ping number an error;
 * with a good traffic list the number is still checked. */
START_TEST(loader_bad_traffic_no_cascade)
{
    static const char map[] =
        "name: t\n"
        "segments: {s: {}}\n"
        "nodes: {h: {kind: host, interfaces: {e: {segment: s, address: 10.0.0.1/24}}}}\n"
        "traffic: {ping: {from: h, to: 10.0.0.2}}\n"
        "expect:\n"
        "  - {at: 5s, tunnel: {ping: 0, loss: \"0%\"}}\n";
    ck_error(map, "t.yaml:4:10: traffic: expected a list, found a mapping");
    ck_assert_uint_eq(g_diag.n, 1);
    static const char item[] =
        "name: t\n"
        "segments: {s: {}}\n"
        "nodes: {h: {kind: host, interfaces: {e: {segment: s, address: 10.0.0.1/24}}}}\n"
        "traffic:\n"
        "  - {pong: {from: h, to: 10.0.0.2}}\n"
        "  - {ping: {from: h, to: 10.0.0.2}}\n"
        "expect:\n"
        "  - {at: 5s, tunnel: {ping: 1, loss: \"0%\"}}\n";
    ck_error(item, "t.yaml:5:6: unknown key 'pong' in traffic item; did you mean 'ping'?");
    ck_assert_uint_eq(g_diag.n, 1);
    static const char good[] =
        "name: t\n"
        "segments: {s: {}}\n"
        "nodes: {h: {kind: host, interfaces: {e: {segment: s, address: 10.0.0.1/24}}}}\n"
        "traffic:\n"
        "  - {ping: {from: h, to: 10.0.0.2}}\n"
        "expect:\n"
        "  - {at: 5s, tunnel: {ping: 7, loss: \"0%\"}}\n";
    ck_error(good, "t.yaml:7:29: ping: traffic has no ping number 7 (the list counts from 0 and has 1 item)");
}
END_TEST

/* A mistyped expectation kind gives its did-you-mean only, not also
 * "needs one of packets, ..."; an item with no kind at all still gets that. */
START_TEST(loader_mistyped_kind_one_error)
{
    static const char typo[] =
        "name: t\n"
        "nodes: {h: {kind: host}}\n"
        "expect:\n"
        "  - {at: 1s, packet: {from: h}}\n";
    ck_error(typo, "t.yaml:4:14: unknown key 'packet' in expectation; did you mean 'packets'?");
    ck_assert_uint_eq(g_diag.n, 1);
    static const char none[] =
        "name: t\n"
        "nodes: {h: {kind: host}}\n"
        "expect:\n"
        "  - {at: 1s}\n";
    ck_error(none, "t.yaml:4:5: expectation: needs one of packets, no-packets");
}
END_TEST

/* A mistyped like: is one error: the pfsync peer, CARP expectation and
 * timeline command that name the copy are not checked against the keys it
 * could not inherit (it said also 'is not a firewall', 'has no CARP vhid 1'
 * and 'has no CARP addresses'). */
START_TEST(loader_bad_like_one_error)
{
    static const char text[] =
        "name: t\n"
        "segments: {wan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"
        "    carp: [{interface: wan, vhid: 1, address: 198.51.100.1/24}]\n"
        "    pfsync: fw2\n"
        "  fw2:\n"
        "    like: fw-1\n"
        "    interfaces: {wan: {address: 198.51.100.3/24}}\n"
        "events:\n"
        "  - {at: 1s, do: maintenance fw2 on}\n"
        "expect:\n"
        "  - {at: 5s, carp: {node: fw2, vhid: 1, state: master}}\n";
    ck_error(text, "t.yaml:10:11: like: unknown node 'fw-1'; did you mean 'fw1'?");
    ck_assert_uint_eq(g_diag.n, 1);
}
END_TEST

/* A like: carp entry without a vhid applies to every inherited vhid; a
 * mistake in it is one message, not one per vhid. */
START_TEST(loader_like_carp_entry_typo_once)
{
    static const char text[] =
        "name: t\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "      - {interface: lan, vhid: 2, address: 10.0.0.1/24}\n"
        "  fw2: {like: fw1, interfaces: {wan: {address: 198.51.100.3/24}, lan: {address: 10.0.0.3/24}},\n"
        "        carp: [{advksew: 100}]}\n";
    ck_only_error(text, "t.yaml:13:17: unknown key 'advksew' in carp entry; did you mean 'advskew'?");
}
END_TEST

/* The two nodes of a pfsync pair name each other: fw1 -> fw2 while fw2
 * syncs with fw3 validated. One-sided pfsync (the peer has none) stays
 * allowed. */
START_TEST(loader_pfsync_pair_names_each_other)
{
    static const char text[] =
        "name: t\n"
        "segments: {wan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"
        "    pfsync: fw2\n"
        "  fw2: {like: fw1, interfaces: {wan: {address: 198.51.100.3/24}}, pfsync: fw3}\n"
        "  fw3: {like: fw1, interfaces: {wan: {address: 198.51.100.4/24}}, pfsync: ~}\n";
    ck_error(text, "t.yaml:7:13: pfsync: peer 'fw2' syncs with 'fw3', not with 'fw1'; the two nodes of a pfsync pair "
                   "name each other");
    ck_assert_uint_eq(g_diag.n, 1);
}
END_TEST

START_TEST(loader_unknown_key_top)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expcet: []\n";
    ck_error(text, "t.yaml:16:1: unknown key 'expcet' in the scenario; did you mean 'expect'?");
}
END_TEST

START_TEST(loader_unknown_key_nested)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {mtux: 1500, zzz: 1}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:3:18: unknown key 'mtux' in segment 'wan'; did you mean 'mtu'?");
    ck_assert_msg(has_error("t.yaml:3:30: unknown key 'zzz' in segment 'wan' (valid: delay, jitter, loss, bandwidth, mtu, queue)"), "missing: %s", "t.yaml:3:30: unknown key 'zzz' in segment 'wan' (valid: delay, jitter, loss, bandwidth, mtu, queue)");
}
END_TEST

START_TEST(loader_unknown_key_interface)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, adress: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:28: unknown key 'adress' in interface 'eth0' of node 'h'; did you mean 'address'?");
}
END_TEST

START_TEST(loader_duplicate_key)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:11:5: duplicate key 'kind' (first at line 10)");
}
END_TEST

/* A duplicate key does not hide the file's other mistakes: the first value
 * is kept, the loader goes on, and both errors are reported in one run. */
START_TEST(loader_duplicate_key_then_other_errors)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, wan: {delay: 1ms}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: routr\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n";
    ck_error(text, "t.yaml:3:21: duplicate key 'wan' (first at line 3)");
    ck_assert_msg(has_error("t.yaml:6:11: kind: 'routr' is not one of the choices; did you mean 'router'?"),
                  "the error after the duplicate key is reported too");
    ck_assert_uint_eq(g_diag.n, 2);
}
END_TEST

START_TEST(loader_wrong_type)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "traffic: {ping: 1}\n";
    ck_error(text, "t.yaml:16:10: traffic: expected a list, found a mapping");
}
END_TEST

START_TEST(loader_wrong_type_scalar_for_map)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: 192.0.2.1/24\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:8:12: interface 'wan' of node 'r': expected a mapping, found a scalar");
}
END_TEST

START_TEST(loader_wrong_type_map_for_scalar)
{
    static const char text[] =
        "name: t\n"
        "duration: {a: 1}\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:2:11: duration: expected a duration, found a mapping");
}
END_TEST

START_TEST(loader_bad_prefix)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.300/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:37: address: '192.0.2.300/24' is not an address prefix");
}
END_TEST

START_TEST(loader_prefix_length_needed)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:37: address: '192.0.2.2' needs a prefix length (e.g. 192.0.2.2/24)");
}
END_TEST

START_TEST(loader_network_address)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.0/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:37: address: 192.0.2.0/24 is the network address of its network");
}
END_TEST

START_TEST(loader_bad_port)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 70000, address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:15:26: listen-port: '70000' is not a port (an integer from 1 to 65535)");
}
END_TEST

START_TEST(loader_bad_duration)
{
    static const char text[] =
        "name: t\n"
        "duration: 5x\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:2:11: duration: '5x' is not a duration (e.g. 250ms, 10s, 1.5s, 2m, 1h)");
}
END_TEST

START_TEST(loader_duration_needs_unit)
{
    static const char text[] =
        "name: t\n"
        "duration: 60\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:2:11: duration: '60' is not a duration (add a unit: ms, s, m or h, e.g. 10s)");
}
END_TEST

START_TEST(loader_bad_percent)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {loss: 5}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:3:24: loss: '5' is not a percentage from 0% to 100%");
}
END_TEST

START_TEST(loader_bad_comparison)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "traffic: [{ping: {from: h, to: 10.9.0.2}}]\n"
        "expect:\n"
        "  - {at: 30s, tunnel: {ping: 0, loss: \"<= 5\"}}\n";
    ck_error(text, "t.yaml:18:39: loss: '<= 5' is not a comparison (e.g. '<= 5%' or '0%')");
}
END_TEST

START_TEST(loader_bad_count)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expect:\n"
        "  - {at: 30s, packets: {on: wan, count: \">= lots\"}}\n";
    ck_error(text, "t.yaml:17:41: count: '>= lots' is not a comparison (e.g. '>= 1', '== 0' or a bare count)");
    /* `icmp:` names an ICMP message */
    char t2[sizeof text + 64];
    snprintf(t2, sizeof t2, "%.*s  - {at: 30s, no-packets: {on: wan, icmp: host-unreachabel}}\n",
             (int)(strstr(text, "  - {at: 30s") - text), text);
    ck_error(t2, "t.yaml:17:43: icmp: 'host-unreachabel' is not one of the choices; did you mean 'host-unreachable'?");
}
END_TEST

START_TEST(loader_bad_endpoint)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", endpoint: 192.0.2.9, allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:15:114: endpoint: '192.0.2.9' is not an endpoint ADDR:PORT");
}
END_TEST

START_TEST(loader_bad_key)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"abc\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:15:56: public-key: not a WireGuard key");
}
END_TEST

START_TEST(loader_unknown_node)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "traffic: [{ping: {from: hostx, to: 10.9.0.2}}]\n";
    ck_error(text, "t.yaml:16:25: unknown node 'hostx'");
}
END_TEST

START_TEST(loader_unknown_segment)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wna, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:23: unknown segment 'wna'; did you mean 'wan'?");
}
END_TEST

START_TEST(loader_unknown_interface)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wam, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n";
    ck_error(text, "t.yaml:11:21: unknown interface 'wam' on node 'fw1'; did you mean 'wan'?");
}
END_TEST

START_TEST(loader_unknown_gateway)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WANGW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n";
    ck_error(text, "t.yaml:14:33: via: 'WANGW' is not an address, nor a gateway or gateway group of node 'fw1'; did you mean 'WAN1GW'?");
}
END_TEST

START_TEST(loader_unknown_vhid)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n"
        "expect:\n"
        "  - {at: 10s, carp: {node: fw1, vhid: 2, state: master}}\n";
    ck_error(text, "t.yaml:26:39: vhid: node 'fw1' has no CARP vhid 2");
}
END_TEST

START_TEST(loader_unknown_peer)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n"
        "expect:\n"
        "  - {at: 10s, endpoint: {node: remote, peer: fw2, is: none}}\n";
    ck_error(text, "t.yaml:26:46: peer: node 'remote' has no peer 'fw2'; did you mean 'fw1'?");
}
END_TEST

START_TEST(loader_unknown_traffic_index)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n"
        "expect:\n"
        "  - {at: 10s, tunnel: {ping: 1, loss: 0%}}\n";
    ck_error(text, "t.yaml:26:30: ping: traffic has no ping number 1 (the list counts from 0 and has 1 item)");
}
END_TEST

START_TEST(loader_peer_node_without_wireguard)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{node: r, allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:15:50: node: 'r' has no wireguard interface to be a peer");
}
END_TEST

START_TEST(loader_peer_both_node_and_key)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{node: h, public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:15:65: peer: give either 'node:' or 'public-key:', not both");
}
END_TEST

START_TEST(loader_duplicate_address)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.1/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:37: address: 192.0.2.1 is already the address of r.wan (line 8)");
}
END_TEST

START_TEST(loader_overlapping_networks)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "      eth1: {segment: lan, address: 192.0.2.130/25}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:13:37: address: network 192.0.2.130/25 of h.eth1 overlaps 192.0.2.2/24 of h.eth0");
}
END_TEST

START_TEST(loader_carp_vip_is_interface_address)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.2/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n";
    ck_error(text, "t.yaml:11:44: address: CARP address 198.51.100.2 is also the address of fw1.wan (line 8)");
}
END_TEST

START_TEST(loader_carp_vip_outside_network)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 203.0.113.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n";
    ck_error(text, "t.yaml:11:44: address: CARP address 203.0.113.1 is not in the network of interface 'wan' (198.51.100.2/24)");
}
END_TEST

/* One VIP, one vhid: the HA copy with another vhid for the same VIP (a
 * typo) was accepted and both nodes became MASTER of the address; also two
 * vhids of one node with one VIP. */
START_TEST(loader_carp_vip_two_vhids)
{
    static const char text[] =
        "name: t\n"
        "segments: {wan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"
        "    carp: [{interface: wan, vhid: 1, address: 198.51.100.1/24}]\n"
        "  fw2:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 198.51.100.3/24}}\n"
        "    carp: [{interface: wan, vhid: 2, address: 198.51.100.1/24}]\n"
        "  fw3:\n"
        "    kind: firewall\n"
        "    interfaces: {wan: {segment: wan, address: 198.51.100.4/24}}\n"
        "    carp: [{interface: wan, vhid: 3, address: 198.51.100.5/24},\n"
        "           {interface: wan, vhid: 4, address: 198.51.100.5/24}]\n";
    ck_error(text, "t.yaml:11:47: address: CARP address 198.51.100.1 on segment 'wan' is vhid 1 on node 'fw1' (line 7) "
                   "but vhid 2 here; the nodes sharing a VIP must use the same vhid");
    ck_error(text, "t.yaml:16:47: address: CARP address 198.51.100.5 on segment 'wan' is vhid 3 on node 'fw3' (line 15) "
                   "but vhid 4 here");
    ck_assert_uint_eq(g_diag.n, 2);
}
END_TEST

START_TEST(loader_carp_vhid_mismatch)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  fw2:\n"
        "    like: fw1\n"
        "    interfaces: {wan: {address: 198.51.100.3/24}, lan: {address: 10.0.0.3/24}}\n"
        "    carp: [{address: 198.51.100.9/24}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n";
    ck_error(text, "t.yaml:21:22: address: vhid 1 on segment 'wan' is 198.51.100.1 on node 'fw1' but 198.51.100.9 here");
}
END_TEST

START_TEST(loader_carp_on_host)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    carp: []\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:13:5: 'carp:' is only for nodes of kind firewall ('h' is a host)");
}
END_TEST

START_TEST(loader_pfsync_peer_not_firewall)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  fw1:\n"
        "    kind: firewall\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 198.51.100.2/24}\n"
        "      lan: {segment: lan, address: 10.0.0.2/24}\n"
        "    carp:\n"
        "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"
        "    gateways:\n"
        "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
        "    routes: [{to: default, via: WAN1GW}]\n"
        "    pfsync: remote\n"
        "    wireguard:\n"
        "      wg0:\n"
        "        peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]\n"
        "  remote:\n"
        "    kind: host\n"
        "    interfaces: {net: {segment: lan, address: 10.0.0.10/24}}\n"
        "    wireguard:\n"
        "      wg0: {listen-port: 51821, peers: [{node: fw1, endpoint: \"198.51.100.1:51820\", allowed-ips: 10.99.0.1/32}]}\n"
        "traffic:\n"
        "  - {ping: {from: remote, to: 10.99.0.1}}\n";
    ck_error(text, "t.yaml:15:13: pfsync: peer 'remote' is not a firewall");
}
END_TEST

START_TEST(loader_event_outside_duration)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 2m, do: power-off h}\n";
    ck_error(text, "t.yaml:17:10: at: 2m is outside the scenario [0, 1m]");
}
END_TEST

START_TEST(loader_expect_outside_duration)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expect:\n"
        "  - {during: [10s, 90s], packets: {from: h}}\n";
    ck_error(text, "t.yaml:17:20: during: 90s is outside the scenario [0, 1m]");
}
END_TEST

START_TEST(loader_expect_end_before_start)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expect:\n"
        "  - {during: [40s, 20s], packets: {from: h}}\n";
    ck_error(text, "t.yaml:17:20: during: the end is before the start");
}
END_TEST

START_TEST(loader_expect_needs_time)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expect:\n"
        "  - {packets: {from: h}}\n";
    ck_error(text, "t.yaml:17:5: expectation: needs 'at: TIME' or 'during: [FROM, TO]'");
}
END_TEST

START_TEST(loader_expect_two_kinds)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expect:\n"
        "  - {at: 1s, packets: {from: h}, no-packets: {from: r}}\n";
    ck_error(text, "t.yaml:17:34: expectation: one kind per item ('packets' is already given)");
}
END_TEST

START_TEST(loader_expect_unknown_kind)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "expect:\n"
        "  - {at: 1s, pakets: {from: h}}\n";
    ck_error(text, "t.yaml:17:14: unknown key 'pakets' in expectation; did you mean 'packets'?");
}
END_TEST

START_TEST(loader_unknown_command)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 1s, do: mantenance h on}\n";
    ck_error(text, "t.yaml:17:18: do: unknown command 'mantenance'; did you mean 'maintenance'?");
}
END_TEST

START_TEST(loader_command_bad_interface)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 1s, do: link-down h eth9}\n";
    ck_error(text, "t.yaml:17:30: do: node 'h' has no interface 'eth9'; did you mean 'eth0'?");
}
END_TEST

START_TEST(loader_command_quoted_column)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 1s, do: \"power-off  zz\"}\n";
    ck_error(text, "t.yaml:17:30: do: unknown node 'zz'");
}
END_TEST

START_TEST(loader_command_no_carp)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 1s, do: maintenance h on}\n";
    ck_error(text, "t.yaml:17:30: do: node 'h' has no CARP addresses");
}
END_TEST

START_TEST(loader_command_missing_argument)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 1s, do: link-down h}\n";
    ck_error(text, "t.yaml:17:29: do: 'link-down' needs an interface name (usage: link-down NODE IF)");
}
END_TEST

START_TEST(loader_command_unknown_peer)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n"
        "events:\n"
        "  - {at: 1s, do: remove-endpoint h wg0 bob}\n";
    ck_error(text, "t.yaml:17:40: do: h.wg0 has no peer 'bob'");
}
END_TEST

START_TEST(loader_like_unknown)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  x: {like: hh}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:9:13: like: unknown node 'hh'");
}
END_TEST

START_TEST(loader_like_cycle)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  x: {like: y}\n"
        "  y: {like: x}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    /* the only error: 'x' (like the broken 'y') is not also "missing 'kind'" */
    ck_only_error(text, "t.yaml:10:13: like: cycle: 'y' is like 'x', which is (indirectly) like 'y'");
}
END_TEST

/* Aliases are addresses too: one equal to its interface's primary, one
 * given twice, and a later node's address equal to an alias, each reported
 * once at the later occurrence. */
START_TEST(loader_duplicate_alias)
{
    static const char text[] =
        "name: t\n"
        "segments: {s: {}}\n"
        "nodes:\n"
        "  d:\n"
        "    kind: host\n"
        "    interfaces: {e: {segment: s, address: 10.0.0.1/24, aliases: [10.0.0.1/24, 10.0.0.7/32, 10.0.0.7/32]}}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces: {e: {segment: s, address: 10.0.0.7/24}}\n";
    ck_error(text, "t.yaml:6:66: aliases: 10.0.0.1 is already the address of d.e (line 6)");
    ck_assert(has_error("t.yaml:6:92: aliases: 10.0.0.7 is already an alias of d.e (line 6)"));
    ck_assert(has_error("t.yaml:9:43: address: 10.0.0.7 is already an alias of d.e (line 6)"));
    if (g_diag.n != 3)
        dump_errors();
    ck_assert_uint_eq(g_diag.n, 3);
}
END_TEST

START_TEST(loader_like_inherited_error_location)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  r2: {like: r}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:9:14: address: 192.0.2.1 is already the address of r.wan (line 8) (inherited through 'like:' from line 8:36)");
}
END_TEST

START_TEST(loader_invalid_name)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  \"bad name\": {kind: host}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:9:3: 'bad name' is not a valid node name");
}
END_TEST

START_TEST(loader_missing_required)
{
    static const char text[] =
        "name: t\n"
        "duration: 1m\n"
        "segments: {wan: {}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: host\n"
        "    interfaces:\n"
        "      eth0: {segment: wan}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:12:13: interface 'eth0' of node 'h': missing required key 'address'");
}
END_TEST

START_TEST(loader_several_errors)
{
    static const char text[] =
        "name: t\n"
        "duration: 1 m\n"
        "segments: {wan: {mtu: 10}, lan: {}}\n"
        "nodes:\n"
        "  r:\n"
        "    kind: router\n"
        "    interfaces:\n"
        "      wan: {segment: wan, address: 192.0.2.1/24}\n"
        "  h:\n"
        "    kind: hots\n"
        "    interfaces:\n"
        "      eth0: {segment: wan, address: 192.0.2.2/24}\n"
        "    routes: [{to: default, via: 192.0.2.1}]\n"
        "    wireguard:\n"
        "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=\", allowed-ips: [10.9.0.2/32]}]}\n";
    ck_error(text, "t.yaml:2:11: duration: '1 m' is not a duration");
    ck_assert_msg(has_error("t.yaml:3:23: mtu: '10' is not an MTU (an integer from 576 to 65535)"), "missing: %s", "t.yaml:3:23: mtu: '10' is not an MTU (an integer from 576 to 65535)");
    ck_assert_msg(has_error("t.yaml:10:11: kind: 'hots' is not one of the choices; did you mean 'host'?"), "missing: %s", "t.yaml:10:11: kind: 'hots' is not one of the choices; did you mean 'host'?");
    ck_assert_uint_eq(hs_diag_count(&g_diag), 3);
}
END_TEST

START_TEST(loader_too_many_errors)
{
    /* 30 unknown keys: 20 kept, 10 counted, and the printout says so */
    char text[4096] = "name: t\nnodes: {h: {kind: host}}\n";
    for (int i = 0; i < 30; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "bogus%02d: 1\n", i);
    ck_assert_ptr_null(load_str(text));
    ck_assert_uint_eq(g_diag.n, HS_DIAG_DEFAULT_LIMIT);
    ck_assert_uint_eq(g_diag.suppressed, 10);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hs_diag_print(&g_diag, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "t.yaml:3:1: unknown key 'bogus00' in the scenario"));
    ck_assert_ptr_nonnull(strstr(buf, "t.yaml: too many errors, 10 more not shown\n"));
    free(buf);
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("loader_errors");
    TCase *tc = tcase_create("errors");

    tcase_add_test(tc, loader_syntax_error);
    tcase_add_test(tc, loader_flood_errors);
    tcase_add_test(tc, loader_unquoted_comparison_hint);
    tcase_add_test(tc, loader_ipv6_refused);
    tcase_add_test(tc, loader_bad_traffic_no_cascade);
    tcase_add_test(tc, loader_mistyped_kind_one_error);
    tcase_add_test(tc, loader_bad_like_one_error);
    tcase_add_test(tc, loader_like_carp_entry_typo_once);
    tcase_add_test(tc, loader_pfsync_pair_names_each_other);
    tcase_add_test(tc, loader_unknown_key_top);
    tcase_add_test(tc, loader_unknown_key_nested);
    tcase_add_test(tc, loader_unknown_key_interface);
    tcase_add_test(tc, loader_duplicate_key);
    tcase_add_test(tc, loader_duplicate_key_then_other_errors);
    tcase_add_test(tc, loader_wrong_type);
    tcase_add_test(tc, loader_wrong_type_scalar_for_map);
    tcase_add_test(tc, loader_wrong_type_map_for_scalar);
    tcase_add_test(tc, loader_bad_prefix);
    tcase_add_test(tc, loader_prefix_length_needed);
    tcase_add_test(tc, loader_network_address);
    tcase_add_test(tc, loader_bad_port);
    tcase_add_test(tc, loader_bad_duration);
    tcase_add_test(tc, loader_duration_needs_unit);
    tcase_add_test(tc, loader_bad_percent);
    tcase_add_test(tc, loader_bad_comparison);
    tcase_add_test(tc, loader_bad_count);
    tcase_add_test(tc, loader_bad_endpoint);
    tcase_add_test(tc, loader_bad_key);
    tcase_add_test(tc, loader_unknown_node);
    tcase_add_test(tc, loader_unknown_segment);
    tcase_add_test(tc, loader_unknown_interface);
    tcase_add_test(tc, loader_unknown_gateway);
    tcase_add_test(tc, loader_unknown_vhid);
    tcase_add_test(tc, loader_unknown_peer);
    tcase_add_test(tc, loader_unknown_traffic_index);
    tcase_add_test(tc, loader_peer_node_without_wireguard);
    tcase_add_test(tc, loader_peer_both_node_and_key);
    tcase_add_test(tc, loader_duplicate_address);
    tcase_add_test(tc, loader_overlapping_networks);
    tcase_add_test(tc, loader_carp_vip_is_interface_address);
    tcase_add_test(tc, loader_carp_vip_outside_network);
    tcase_add_test(tc, loader_carp_vhid_mismatch);
    tcase_add_test(tc, loader_carp_vip_two_vhids);
    tcase_add_test(tc, loader_carp_on_host);
    tcase_add_test(tc, loader_pfsync_peer_not_firewall);
    tcase_add_test(tc, loader_event_outside_duration);
    tcase_add_test(tc, loader_expect_outside_duration);
    tcase_add_test(tc, loader_expect_end_before_start);
    tcase_add_test(tc, loader_expect_needs_time);
    tcase_add_test(tc, loader_expect_two_kinds);
    tcase_add_test(tc, loader_expect_unknown_kind);
    tcase_add_test(tc, loader_unknown_command);
    tcase_add_test(tc, loader_command_bad_interface);
    tcase_add_test(tc, loader_command_quoted_column);
    tcase_add_test(tc, loader_command_no_carp);
    tcase_add_test(tc, loader_command_missing_argument);
    tcase_add_test(tc, loader_command_unknown_peer);
    tcase_add_test(tc, loader_like_unknown);
    tcase_add_test(tc, loader_like_cycle);
    tcase_add_test(tc, loader_duplicate_alias);
    tcase_add_test(tc, loader_no_cascade_jitter_after_bad_delay);
    tcase_add_test(tc, loader_no_cascade_jitter_bad);
    tcase_add_test(tc, loader_no_cascade_times_after_bad_duration);
    tcase_add_test(tc, loader_no_cascade_ping_stop_after_bad_start);
    tcase_add_test(tc, loader_no_cascade_after_bad_interface_address);
    tcase_add_test(tc, loader_option_names);
    tcase_add_test(tc, loader_option_values);
    tcase_add_test(tc, loader_wg_service_settings);
    tcase_add_test(tc, loader_like_inherited_error_location);
    tcase_add_test(tc, loader_invalid_name);
    tcase_add_test(tc, loader_missing_required);
    tcase_add_test(tc, loader_several_errors);
    tcase_add_test(tc, loader_too_many_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
