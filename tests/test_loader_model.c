/*
 * test_loader_model.c — what a valid scenario loads into: the design's
 * example (verbatim from DESIGN.md), the starter example, like: merging,
 * derived keys and their sharing, node: peers, defaults, value syntaxes.
 */
#include "test_loader_util.h"

static hs_scenario *load_path(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WGSIM_SOURCE_DIR, rel);
    diag_reset(path);
    hs_scenario *s = hs_load_file(path, &g_diag);
    if (!s)
        dump_errors();
    return s;
}

static const hs_node *node(const hs_scenario *s, const char *name)
{
    int i = hs_find_node(s, name);
    ck_assert_msg(i >= 0, "no node %s", name);
    return &s->nodes[i];
}

static void ck_prefix(const wg_prefix *p, const char *want)
{
    char buf[WG_IP_STRLEN];
    ck_assert_str_eq(wg_prefix_format(p, buf), want);
}

START_TEST(loader_design_example)
{
    hs_scenario *s = load_path("tests/data/design-example.yaml");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "maintenance-mode-roams-remote");
    ck_assert_str_eq(s->claim, "C4");
    ck_assert_uint_eq(s->seed, 7);
    ck_assert_int_eq(s->duration, 180 * HS_S);
    ck_assert_int_eq(s->platform, WG_PLATFORM_FREEBSD);
    ck_assert_uint_eq(s->n_segments, 3);
    ck_assert_int_eq(s->segments[2].delay, 15 * HS_MS);
    ck_assert_int_eq(s->segments[2].jitter, 1 * HS_MS);
    ck_assert_uint_eq(s->segments[1].mtu, 1500);
    ck_assert_uint_eq(s->n_nodes, 4);

    const hs_node *fw1 = node(s, "fw1"), *fw2 = node(s, "fw2"), *remote = node(s, "remote");
    ck_assert_int_eq(fw1->kind, HS_NODE_FIREWALL);
    /* fw2 is like fw1: kind, routes, wireguard inherited; addresses overridden;
     * the CARP list merged item by item (interface and VIP from fw1, advskew own) */
    ck_assert_int_eq(fw2->kind, HS_NODE_FIREWALL);
    ck_assert_int_eq(fw2->like, hs_find_node(s, "fw1"));
    ck_assert_uint_eq(fw2->n_ifaces, 2);
    ck_prefix(&fw2->ifaces[hs_node_find_iface(fw2, "wan")].address, "198.51.100.3/24");
    ck_prefix(&fw2->ifaces[hs_node_find_iface(fw2, "lan")].address, "10.0.0.3/24");
    ck_assert_int_eq(fw2->ifaces[0].segment, hs_find_segment(s, "wan"));
    ck_assert_uint_eq(fw2->n_carp, 1);
    ck_assert_int_eq(fw2->carp[0].vhid, 1);
    ck_assert_int_eq(fw2->carp[0].advskew, 100);
    ck_assert_int_eq(fw2->carp[0].advbase, 1);
    ck_prefix(&fw2->carp[0].address, "198.51.100.1/24");
    ck_assert_int_eq(fw2->carp[0].iface, hs_node_find_iface(fw2, "wan"));
    ck_assert_int_eq(fw1->carp[0].advskew, 0);
    ck_assert(fw1->pfsync.enabled && fw1->pfsync.peer == hs_find_node(s, "fw2"));
    ck_assert(fw2->pfsync.enabled && fw2->pfsync.peer == hs_find_node(s, "fw1"));
    ck_assert_uint_eq(fw2->n_routes, 1);
    ck_assert(fw2->routes[0].is_default);

    /* HA config sync: fw2 has fw1's WireGuard key */
    ck_assert_uint_eq(fw2->n_wg, 1);
    ck_assert(fw1->wg[0].key_derived && fw2->wg[0].key_derived);
    ck_assert_str_eq(fw2->wg[0].key_node, "fw1");
    ck_assert_mem_eq(fw1->wg[0].private_key, fw2->wg[0].private_key, WG_KEY_LEN);
    uint8_t k[WG_KEY_LEN];
    hs_derive_key(k, 7, "fw1", "wg0");
    ck_assert_mem_eq(fw1->wg[0].private_key, k, WG_KEY_LEN);
    uint8_t pub[WG_KEY_LEN];
    wg_x25519_public(pub, k);
    ck_assert_mem_eq(fw1->wg[0].public_key, pub, WG_KEY_LEN);

    /* node: peers carry the other node's public key */
    const hs_wg *rw = &remote->wg[0];
    ck_assert_uint_eq(rw->n_peers, 1);
    ck_assert_int_eq(rw->peers[0].node, hs_find_node(s, "fw1"));
    ck_assert_str_eq(rw->peers[0].name, "fw1");
    ck_assert_mem_eq(rw->peers[0].public_key, fw1->wg[0].public_key, WG_KEY_LEN);
    ck_assert(rw->peers[0].has_endpoint);
    char buf[WG_IP_STRLEN];
    ck_assert_str_eq(wg_endpoint_format(&rw->peers[0].endpoint, buf), "198.51.100.1:51820");
    ck_assert_uint_eq(rw->peers[0].persistent_keepalive, 25);
    ck_assert_mem_eq(fw1->wg[0].peers[0].public_key, rw->public_key, WG_KEY_LEN);
    ck_assert(!fw1->wg[0].peers[0].has_endpoint);
    ck_assert_uint_eq(fw1->wg[0].listen_port, 51820);

    ck_assert_uint_eq(s->n_traffic, 1);
    ck_assert_int_eq(s->traffic[0].ping.from, hs_find_node(s, "remote"));
    ck_assert_int_eq(s->traffic[0].ping.every, HS_S);

    ck_assert_uint_eq(s->n_events, 2);
    ck_assert_int_eq(s->events[0].at, 30 * HS_S);
    ck_assert_int_eq(s->events[0].cmd.kind, HS_CMD_MAINTENANCE);
    ck_assert_str_eq(s->events[0].cmd.node, "fw1");
    ck_assert(s->events[0].cmd.on);
    ck_assert(!s->events[1].cmd.on);

    ck_assert_uint_eq(s->n_expects, 5);
    ck_assert_int_eq(s->expects[0].kind, HS_EXP_CARP);
    ck_assert_int_eq(s->expects[0].at, 29 * HS_S);
    ck_assert_int_eq(s->expects[0].u.carp.state, HS_CARP_MASTER);
    ck_assert_int_eq(s->expects[0].u.carp.carp, 0);
    const hs_expect *p = &s->expects[2];
    ck_assert_int_eq(p->kind, HS_EXP_PACKETS);
    ck_assert(p->during && p->from == 30 * HS_S && p->to == 120 * HS_S);
    ck_assert_int_eq(p->u.packets.from, hs_find_node(s, "fw1"));
    ck_assert(p->u.packets.src.set && p->u.packets.src.port == 0);
    ck_assert_str_eq(wg_ip_format(&p->u.packets.src.ip, buf), "198.51.100.2");
    ck_assert_uint_eq(p->u.packets.udp_src_port, 51820);
    ck_assert_int_eq(p->u.packets.count.op, HS_CMP_GE);
    ck_assert(p->u.packets.count.value == 1);
    ck_assert_uint_eq(p->loc.line, 57);
    ck_assert_uint_eq(p->loc.col, 5);
    const hs_expect *e = &s->expects[3];
    ck_assert_int_eq(e->kind, HS_EXP_ENDPOINT);
    ck_assert_int_eq(e->u.endpoint.node, hs_find_node(s, "remote"));
    ck_assert_int_eq(e->u.endpoint.wg, 0);
    ck_assert_int_eq(e->u.endpoint.peer, 0);
    ck_assert_str_eq(wg_endpoint_format(&e->u.endpoint.is, buf), "198.51.100.2:51820");
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_starter_example)
{
    hs_scenario *s = load_path("scenarios/examples/starter.yaml");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n_nodes, 3);
    ck_assert_ptr_nonnull(s->description);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_language_tour)
{
    /* every key of the language at least once */
    hs_scenario *s = load_path("tests/data/language-tour.yaml");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->seed, UINT64_MAX);
    ck_assert_int_eq(s->duration, 300 * HS_S);
    const hs_segment *w1 = &s->segments[hs_find_segment(s, "wan1")];
    ck_assert(w1->jitter == 500000 && w1->loss == 0.5 && w1->bandwidth == 1000000000 && w1->queue == 256);
    ck_assert_uint_eq(s->segments[hs_find_segment(s, "sync")].mtu, 1500);
    const hs_node *fw1 = node(s, "fw1"), *fw2 = node(s, "fw2");
    ck_assert_uint_eq(fw1->n_carp, 3);
    ck_assert_str_eq(fw1->carp[0].password, "hunter2");
    ck_assert(fw1->pfsync.enabled && fw1->pfsync.lag == 200 * HS_MS);
    ck_assert(fw2->pfsync.peer == hs_find_node(s, "fw1") && fw2->pfsync.lag == 200 * HS_MS);
    ck_assert_int_eq(fw2->carp[2].advskew, 100);
    ck_assert_uint_eq(fw1->n_gateways, 2);
    char b[WG_IP_STRLEN];
    ck_assert_str_eq(wg_ip_format(&fw1->gateways[0].monitor, b), "192.0.2.1");
    ck_assert_str_eq(wg_ip_format(&fw1->gateways[1].monitor, b), "203.0.113.254");
    ck_assert(fw1->gateways[1].interval == 500 * HS_MS && fw1->gateways[1].loss_high == 20);
    ck_assert_uint_eq(fw1->n_groups, 1);
    ck_assert(fw1->groups[0].n_members == 2 && fw1->groups[0].members[1].gateway == 1 &&
              fw1->groups[0].members[1].tier == 2);
    ck_assert(fw1->routes[0].is_default && fw1->routes[0].via_kind == HS_VIA_GROUP && fw1->routes[0].via_index == 0);
    ck_assert(fw1->routes[1].via_kind == HS_VIA_GATEWAY && fw1->routes[1].via_index == 1);
    ck_prefix(&fw1->routes[1].to, "192.0.2.10/32");
    ck_assert(fw1->routes[2].via_kind == HS_VIA_ADDR);
    ck_assert_uint_eq(fw1->n_nat_outbound, 2);
    const hs_nat_rule *r = &fw1->nat_outbound[0];
    ck_assert(r->source_self && r->protocol == HS_PROTO_UDP && r->source_port == 51820 && r->static_port &&
              !r->translate_interface);
    ck_assert_str_eq(wg_ip_format(&r->translate, b), "198.51.100.1");
    ck_assert(fw1->nat_outbound[1].translate_interface && fw1->nat_outbound[1].has_source &&
              fw1->nat_outbound[1].destination_port == 443);
    ck_assert(fw1->n_nat_forward == 1 && fw1->nat_forward[0].protocol == HS_PROTO_TCP &&
              fw1->nat_forward[0].port == 8443);
    ck_assert(fw1->has_filter && fw1->n_filter == 3);
    ck_assert(fw1->filter[2].action == HS_ACTION_BLOCK && fw1->filter[2].iface == -1 &&
              fw1->filter[2].direction == HS_DIR_ANY && fw1->filter[2].protocol == HS_PROTO_ICMP);
    ck_assert(!fw1->filter[0].has_src && fw1->filter[0].has_dst && fw1->filter[0].dst_port == 51820);
    const hs_wg *w = &fw1->wg[0];
    ck_assert_uint_eq(w->peers[0].persistent_keepalive, 25);
    ck_assert_uint_eq(w->peers[0].n_allowed_ips, 2);
    ck_assert(w->peers[1].has_psk && w->peers[1].n_allowed_ips == 1 && !strcmp(w->peers[1].name, "laptop"));
    const hs_node *home = node(s, "home"), *cg = node(s, "cgnat"), *site = node(s, "site");
    ck_assert_int_eq(home->nat_outbound[0].mapping, HS_NAT_MAP_SYMMETRIC);
    ck_assert(home->nat_forward[0].protocol == HS_PROTO_UDP);
    ck_assert(cg->nat_outbound[0].mapping == HS_NAT_MAP_ENDPOINT_INDEPENDENT &&
              cg->nat_outbound[0].udp_timeout == 30 * HS_S);
    ck_assert_int_eq(site->platform, WG_PLATFORM_LINUX);
    ck_assert_int_eq(node(s, "roadwarrior")->platform, WG_PLATFORM_WIREGUARD_GO);
    ck_assert(!site->wg[0].key_derived);
    /* site's peer fw1 has fw1's key, and fw1's peer site has site's */
    ck_assert_mem_eq(site->wg[0].peers[0].public_key, fw1->wg[0].public_key, WG_KEY_LEN);
    ck_assert_mem_eq(fw1->wg[0].peers[0].public_key, site->wg[0].public_key, WG_KEY_LEN);
    ck_assert(s->traffic[0].ping.every == 500 * HS_MS && s->traffic[0].ping.size == 1200 &&
              s->traffic[0].ping.count == 100 && s->traffic[0].ping.start == 10 * HS_S &&
              s->traffic[0].ping.stop == 240 * HS_S);
    /* events sorted by time, file order kept for equal times */
    ck_assert_uint_eq(s->n_events, 19);
    ck_assert_int_eq(s->events[0].cmd.kind, HS_CMD_REBOOT);
    for (size_t i = 1; i < s->n_events; i++)
        ck_assert_int_le(s->events[i - 1].at, s->events[i].at);
    ck_assert_uint_eq(s->n_expects, 14);
    ck_assert_int_eq(s->expects[0].u.packets.wg, HS_WGM_RESPONSE);
    ck_assert_int_eq(s->expects[0].u.packets.count.op, HS_CMP_GT);
    ck_assert_int_eq(s->expects[2].u.packets.wg, HS_WGM_KEEPALIVE);
    ck_assert(s->expects[4].u.endpoint.is_none);
    ck_assert(s->expects[5].u.handshake.has_count && s->expects[5].u.handshake.has_last_within);
    ck_assert_int_eq(s->expects[6].u.handshake.peer, 1);
    ck_assert(s->expects[7].u.tunnel.has_loss && s->expects[7].u.tunnel.has_rtt);
    ck_assert_int_eq(s->expects[9].u.carp.carp, 2);
    ck_assert_int_eq(s->expects[10].u.gateway.gateway, 0);
    ck_assert(s->expects[11].u.state.translated.set && s->expects[11].u.state.count.value == 0);
    ck_assert(s->expects[12].u.route.has_via && s->expects[12].u.route.dev == 0);
    ck_assert(s->expects[13].u.route.is_default && !s->expects[13].u.route.has_via);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_defaults)
{
    hs_scenario *s;
    ck_loads("name: d\nsegments: {lan: }\nnodes:\n  h:\n    kind: host\n    interfaces: {eth0: {segment: lan, address: 10.0.0.1/24}}\n"
             "    wireguard: {wg0: {peers: [{public-key: \"" KEY1 "\"}]}}\n"
             "traffic: [{ping: {from: h, to: 10.0.0.2}}]\n"
             "expect:\n  - {at: 0, no-packets: {on: lan}}\n  - {at: 1m, packets: {on: lan}}\n"
             "  - {at: 1s, handshake: {node: h, peer: \"" KEY1 "\"}}\n",
             s);
    ck_assert_uint_eq(s->seed, 1);
    ck_assert_int_eq(s->duration, 60 * HS_S);
    ck_assert_int_eq(s->engine, HS_ENGINE_NATIVE);
    ck_assert_ptr_null(s->claim);
    const hs_segment *g = &s->segments[0];
    ck_assert(g->delay == 0 && g->jitter == 0 && g->loss == 0 && g->bandwidth == 0);
    ck_assert_uint_eq(g->mtu, 1500);
    ck_assert_uint_eq(g->queue, 1000);
    const hs_node *h = &s->nodes[0];
    ck_assert_int_eq(h->platform, WG_PLATFORM_FREEBSD);
    ck_assert_int_eq(h->like, -1);
    ck_assert_uint_eq(h->wg[0].listen_port, 51820);
    ck_assert(!h->wg[0].has_address);
    const hs_wg_peer *p = &h->wg[0].peers[0];
    ck_assert(!p->has_endpoint && !p->has_psk && p->persistent_keepalive == 0 && p->n_allowed_ips == 0);
    ck_assert_ptr_null(p->name);
    ck_assert_int_eq(p->node, -1);
    const hs_traffic *t = &s->traffic[0];
    ck_assert(t->ping.every == HS_S && t->ping.size == 56 && t->ping.count == 0 && t->ping.start == 0 &&
              t->ping.stop == s->duration);
    ck_assert_int_eq(s->expects[0].u.packets.count.op, HS_CMP_EQ);
    ck_assert(s->expects[0].u.packets.count.value == 0);
    ck_assert_int_eq(s->expects[1].u.packets.count.op, HS_CMP_GE);
    ck_assert_int_eq(s->expects[1].u.packets.on, 0);
    ck_assert_int_eq(s->expects[1].u.packets.from, -1);
    ck_assert(s->expects[2].u.handshake.has_count && !s->expects[2].u.handshake.has_last_within);
    ck_assert_int_eq(s->expects[2].u.handshake.peer, 0);
    /* fragmentation keys: their defaults */
    ck_assert(!t->ping.df);
    ck_assert_uint_eq(h->wg[0].mtu, 0); /* 1420, the simulator's */
    ck_assert(h->fw.scrub);
    ck_assert_int_eq(s->expects[1].u.packets.fragment, HS_FRAG_ANY);
    hs_scenario_free(s);
}
END_TEST

/* The keys of IPv4 fragmentation: ping df, a tunnel's mtu, the firewall's
 * scrub, the packets filter `fragment`. */
START_TEST(loader_fragment_keys)
{
    hs_scenario *s = load_path("scenarios/mtu/pppoe-1492-scrub-disabled-blocks-fragments.yaml");
    ck_assert_ptr_nonnull(s);
    ck_assert(!node(s, "fw-b")->fw.scrub);
    ck_assert(node(s, "fw-a")->fw.scrub);
    ck_assert_uint_eq(node(s, "fw-b")->wg[0].mtu, 1500);
    ck_assert_uint_eq(s->segments[hs_find_segment(s, "pppoe")].mtu, 1492);
    ck_assert_int_eq(s->expects[3].u.packets.fragment, HS_FRAG_LATER);
    ck_assert_int_eq(s->expects[4].u.packets.fragment, HS_FRAG_YES);
    hs_scenario_free(s);
    s = load_path("scenarios/mtu/pppoe-1492-tunnel-fragments.yaml");
    ck_assert_ptr_nonnull(s);
    ck_assert(!s->traffic[0].ping.df && s->traffic[1].ping.df);
    ck_assert_int_eq(s->expects[1].u.packets.fragment, HS_FRAG_FIRST);
    ck_assert_int_eq(s->expects[3].u.packets.fragment, HS_FRAG_NO);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_like_merge)
{
    /* maps merge recursively, lists item by item, extra override items are
     * appended, scalars are replaced, and like: chains resolve */
    hs_scenario *s;
    ck_loads("name: m\nsegments: {a: {}, b: {}, c: {}}\nnodes:\n"
             "  base:\n    kind: firewall\n    platform: linux\n"
             "    interfaces:\n      x: {segment: a, address: 10.0.0.1/24, aliases: [10.0.0.100/24, 10.0.0.101/24]}\n"
             "      y: {segment: b, address: 10.1.0.1/24}\n"
             "    carp: [{interface: x, vhid: 1, address: 10.0.0.50/24, advskew: 0, password: s3cret}]\n"
             "    routes: [{to: default, via: 10.0.0.254}]\n"
             "  copy:\n    like: base\n"
             "    interfaces:\n      x: {address: 10.0.0.2/24, aliases: [10.0.0.102/24, 10.0.0.112/24]}\n"
             "      y: {address: 10.1.0.2/24}\n      z: {segment: c, address: 10.2.0.2/24}\n"
             "    carp: [{advskew: 100}, {interface: y, vhid: 2, address: 10.1.0.50/24}]\n"
             "  copy2:\n    like: copy\n    platform: openbsd\n"
             "    interfaces:\n      x: {address: 10.0.0.3/24, aliases: [10.0.0.103/24, 10.0.0.113/24]}\n"
             "      y: {address: 10.1.0.3/24}\n      z: {address: 10.2.0.3/24}\n"
             "    carp: [{vhid: 2, advskew: 200}]\n",
             s);
    const hs_node *b = node(s, "base"), *c = node(s, "copy"), *c2 = node(s, "copy2");
    ck_assert_int_eq(b->platform, WG_PLATFORM_LINUX);
    ck_assert_int_eq(c->platform, WG_PLATFORM_LINUX);
    ck_assert_int_eq(c2->platform, WG_PLATFORM_OPENBSD);
    ck_assert_int_eq(c->kind, HS_NODE_FIREWALL);
    ck_assert_uint_eq(c->n_ifaces, 3);
    /* base's keys first, in base order, then the new ones */
    ck_assert_str_eq(c->ifaces[0].name, "x");
    ck_assert_str_eq(c->ifaces[2].name, "z");
    ck_prefix(&c->ifaces[0].address, "10.0.0.2/24");
    ck_assert_int_eq(c->ifaces[0].segment, 0);
    /* aliases: both overridden (an inherited alias would be base's own
     * address on the same segment, an error: loader_duplicate_alias);
     * item-by-item inheritance is checked on carp below (vhid, password) */
    ck_assert_uint_eq(c->ifaces[0].n_aliases, 2);
    ck_prefix(&c->ifaces[0].aliases[0], "10.0.0.102/24");
    ck_prefix(&c->ifaces[0].aliases[1], "10.0.0.112/24");
    ck_assert_uint_eq(c->n_carp, 2);
    ck_assert_int_eq(c->carp[0].advskew, 100);
    ck_assert_int_eq(c->carp[0].vhid, 1);
    ck_assert_str_eq(c->carp[0].password, "s3cret");
    ck_assert_int_eq(c->carp[1].vhid, 2);
    ck_assert_int_eq(c->carp[1].iface, 1);
    ck_assert_uint_eq(c->n_routes, 1);
    /* the chain: copy2 gets base's password through copy, copy's advskew
     * for vhid 1 and its own for vhid 2 (merged by vhid) */
    ck_assert_uint_eq(c2->n_carp, 2);
    ck_assert_int_eq(c2->carp[0].advskew, 100);
    ck_assert_int_eq(c2->carp[1].advskew, 200);
    ck_assert_str_eq(c2->carp[0].password, "s3cret");
    ck_assert_int_eq(c2->like, hs_find_node(s, "copy"));
    ck_assert_uint_eq(c2->ifaces[0].n_aliases, 2);
    ck_prefix(&c2->ifaces[0].aliases[0], "10.0.0.103/24");
    hs_scenario_free(s);
}
END_TEST

#define KEYS_BASE                                                                                \
    "name: k\nseed: 42\nsegments: {a: {}}\nnodes:\n"                                             \
    "  n1:\n    kind: firewall\n    interfaces: {e: {segment: a, address: 10.0.0.1/24}}\n"       \
    "    wireguard:\n      wg0: {peers: [{node: peer}]}\n      wg1: {listen-port: 51821}\n"    \
    "  peer:\n    kind: host\n    interfaces: {e: {segment: a, address: 10.0.0.9/24}}\n"       \
    "    wireguard: {wg0: {peers: [{node: n1, interface: wg0}, {node: n2, interface: wg1, name: n2b}]}}\n"

START_TEST(loader_keys_derived_and_shared)
{
    /* deterministic: same inputs, same key; any input changes it */
    uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN];
    hs_derive_key(k1, 42, "n1", "wg0");
    hs_derive_key(k2, 42, "n1", "wg0");
    ck_assert_mem_eq(k1, k2, WG_KEY_LEN);
    hs_derive_key(k2, 43, "n1", "wg0");
    ck_assert(memcmp(k1, k2, WG_KEY_LEN));
    hs_derive_key(k2, 42, "n2", "wg0");
    ck_assert(memcmp(k1, k2, WG_KEY_LEN));
    hs_derive_key(k2, 42, "n1", "wg1");
    ck_assert(memcmp(k1, k2, WG_KEY_LEN));
    hs_derive_key(k1, 42, "ab", "c");
    hs_derive_key(k2, 42, "a", "bc");
    ck_assert(memcmp(k1, k2, WG_KEY_LEN));
    /* clamped as X25519 private keys are */
    ck_assert_int_eq(k1[0] & 7, 0);
    ck_assert_int_eq(k1[31] & 0x80, 0);
    ck_assert_int_eq(k1[31] & 0x40, 0x40);

    /* n2 like n1 shares both keys; n3 like n1 with its own wg1 key */
    hs_scenario *s;
    ck_loads(KEYS_BASE
             "  n2:\n    like: n1\n    interfaces: {e: {address: 10.0.0.2/24}}\n"
             "  n3:\n    like: n1\n    interfaces: {e: {address: 10.0.0.3/24}}\n"
             "    wireguard: {wg1: {private-key: \"" KEY1 "\"}}\n",
             s);
    const hs_node *n1 = node(s, "n1"), *n2 = node(s, "n2"), *n3 = node(s, "n3"), *pr = node(s, "peer");
    hs_derive_key(k1, 42, "n1", "wg0");
    ck_assert_mem_eq(n1->wg[0].private_key, k1, WG_KEY_LEN);
    ck_assert_mem_eq(n2->wg[0].private_key, k1, WG_KEY_LEN);
    ck_assert_mem_eq(n2->wg[1].private_key, n1->wg[1].private_key, WG_KEY_LEN);
    ck_assert_mem_eq(n3->wg[0].private_key, k1, WG_KEY_LEN);
    ck_assert(!n3->wg[1].key_derived);
    ck_assert(memcmp(n3->wg[1].private_key, n1->wg[1].private_key, WG_KEY_LEN));
    uint8_t key1[WG_KEY_LEN];
    wg_key_from_base64(key1, KEY1);
    ck_assert_mem_eq(n3->wg[1].private_key, key1, WG_KEY_LEN);
    /* node: peers, with interface: choosing among several */
    ck_assert_mem_eq(pr->wg[0].peers[0].public_key, n1->wg[0].public_key, WG_KEY_LEN);
    ck_assert_int_eq(pr->wg[0].peers[0].node_wg, 0);
    ck_assert_mem_eq(pr->wg[0].peers[1].public_key, n1->wg[1].public_key, WG_KEY_LEN);
    ck_assert_int_eq(pr->wg[0].peers[1].node_wg, 1);
    ck_assert_int_eq(hs_wg_find_peer(&pr->wg[0], "n2b"), 1);
    ck_assert_int_eq(hs_wg_find_peer(&pr->wg[0], "n1"), 0);
    char b64[WG_KEY_B64_LEN];
    wg_key_to_base64(b64, n1->wg[0].public_key);
    ck_assert_int_eq(hs_wg_find_peer(&pr->wg[0], b64), 0);
    ck_assert_int_eq(hs_wg_find_peer(&pr->wg[0], "nobody"), -1);
    hs_scenario_free(s);

    /* a different seed changes every derived key */
    hs_scenario *s2;
    char text2[2048];
    snprintf(text2, sizeof text2, "name: k\nseed: 43\n%s  n2:\n    like: n1\n    interfaces: {e: {address: 10.0.0.2/24}}\n",
             KEYS_BASE + strlen("name: k\nseed: 42\n"));
    ck_loads(text2, s2);
    ck_assert(memcmp(s2->nodes[0].wg[0].private_key, k1, WG_KEY_LEN));
    hs_scenario_free(s2);
}
END_TEST

/* like: merges carp: by vhid (issue 18): an entry without vhid: applies to
 * every inherited vhid, one with vhid: to that vhid only (in any order), a
 * new vhid is added after the inherited ones. By position, the first
 * example changed vhid 1 only and left 2 and 3 equal on both nodes. */
#define CARP3                                                                                    \
    "name: c\nsegments: {a: {}, b: {}, c: {}}\nnodes:\n"                                        \
    "  fw1:\n    kind: firewall\n"                                                             \
    "    interfaces: {a: {segment: a, address: 10.0.1.2/24}, b: {segment: b, address: 10.0.2.2/24},\n" \
    "                 c: {segment: c, address: 10.0.3.2/24}}\n"                                 \
    "    carp: [{interface: a, vhid: 1, address: 10.0.1.1/24}, {interface: b, vhid: 2, address: 10.0.2.1/24},\n" \
    "           {interface: c, vhid: 3, address: 10.0.3.1/24, advskew: 7}]\n"                 \
    "  fw2:\n    like: fw1\n"                                                                  \
    "    interfaces: {a: {address: 10.0.1.3/24}, b: {address: 10.0.2.3/24}, c: {address: 10.0.3.3/24}}\n"

START_TEST(loader_like_carp_by_vhid)
{
    hs_scenario *s;
    ck_loads(CARP3 "    carp: [{advskew: 100}]\n", s);
    const hs_node *f = node(s, "fw2");
    ck_assert_uint_eq(f->n_carp, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(f->carp[i].vhid, (int)i + 1);
        ck_assert_int_eq(f->carp[i].advskew, 100);
        ck_assert_int_eq(f->carp[i].iface, (int)i);
    }
    hs_scenario_free(s);

    /* by vhid, whatever the order; the others keep fw1's values */
    ck_loads(CARP3 "    carp: [{vhid: 3, advskew: 200}, {vhid: 1, advbase: 2}]\n", s);
    f = node(s, "fw2");
    ck_assert_uint_eq(f->n_carp, 3);
    ck_assert_int_eq(f->carp[0].vhid, 1);
    ck_assert_int_eq(f->carp[0].advbase, 2);
    ck_assert_int_eq(f->carp[0].advskew, 0);
    ck_assert_int_eq(f->carp[1].vhid, 2);
    ck_assert_int_eq(f->carp[1].advbase, 1);
    ck_assert_int_eq(f->carp[2].vhid, 3);
    ck_assert_int_eq(f->carp[2].advskew, 200);
    /* an entry copied whole points at the copy's like: (warnings) */
    ck_assert_uint_eq(f->carp[1].inherited.line, 11);
    ck_assert_uint_eq(f->carp[0].inherited.line, 0);
    hs_scenario_free(s);

    /* without vhid: first, then a vhid's own entry over it; a new vhid */
    ck_loads(CARP3 "    carp: [{advskew: 100}, {vhid: 2, advskew: 150},\n"
                   "           {interface: a, vhid: 9, address: 10.0.1.9/24}]\n",
             s);
    f = node(s, "fw2");
    ck_assert_uint_eq(f->n_carp, 4);
    ck_assert_int_eq(f->carp[0].advskew, 100);
    ck_assert_int_eq(f->carp[1].advskew, 150);
    ck_assert_int_eq(f->carp[2].advskew, 100);
    ck_assert_int_eq(f->carp[3].vhid, 9);
    ck_assert_int_eq(f->carp[3].advskew, 0);
    hs_scenario_free(s);

    /* a vhid the original does not have is a new entry: it needs its
     * interface and address, said where it is written */
    ck_error(CARP3 "    carp: [{vhid: 4, advskew: 100}]\n", "t.yaml:13:12: carp entry: missing required key 'interface'");
    /* carp: ~ still removes the inherited entries */
    ck_loads(CARP3 "    carp: ~\n", s);
    ck_assert_uint_eq(node(s, "fw2")->n_carp, 0);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_node_peer_errors)
{
    /* a node with several wireguard interfaces needs interface: */
    ck_error(KEYS_BASE "  n2:\n    kind: host\n    interfaces: {e: {segment: a, address: 10.0.0.2/24}}\n"
                       "    wireguard: {wg5: {peers: [{node: n1}]}}\n",
             "t.yaml:18:38: node: 'n1' has several wireguard interfaces (wg0, wg1); say which with 'interface:'");
    /* ... even when one of them has this interface's name: that guess took
     * n1.wg0's key silently (issue 18) */
    ck_error(KEYS_BASE "  n2:\n    kind: host\n    interfaces: {e: {segment: a, address: 10.0.0.2/24}}\n"
                       "    wireguard: {wg0: {peers: [{node: n1}]}}\n",
             "t.yaml:18:38: node: 'n1' has several wireguard interfaces (wg0, wg1); say which with 'interface:'");
    ck_error(KEYS_BASE "  n2:\n    kind: host\n    interfaces: {e: {segment: a, address: 10.0.0.2/24}}\n"
                       "    wireguard: {wg5: {peers: [{node: n1, interface: wg7}]}}\n",
             "t.yaml:18:53: interface: node 'n1' has no wireguard interface 'wg7'");
}
END_TEST

START_TEST(loader_values)
{
    hs_time t;
    ck_assert(hs_parse_duration("250ms", &t) && t == 250 * HS_MS);
    ck_assert(hs_parse_duration("10s", &t) && t == 10 * HS_S);
    ck_assert(hs_parse_duration("2m", &t) && t == 120 * HS_S);
    ck_assert(hs_parse_duration("1h", &t) && t == 3600 * HS_S);
    ck_assert(hs_parse_duration("1.5s", &t) && t == 1500 * HS_MS);
    ck_assert(hs_parse_duration("1m30s", &t) && t == 90 * HS_S);
    ck_assert(hs_parse_duration("500us", &t) && t == 500000);
    ck_assert(hs_parse_duration("0", &t) && t == 0);
    ck_assert(!hs_parse_duration("10", &t));
    ck_assert(!hs_parse_duration("s", &t));
    ck_assert(!hs_parse_duration("-1s", &t));
    ck_assert(!hs_parse_duration("1.s5", &t));
    ck_assert(!hs_parse_duration("10 s", &t));
    ck_assert(!hs_parse_duration("99999999999999h", &t));
    ck_assert(!hs_parse_duration("18446744073709551616ns", &t));
    ck_assert(!hs_parse_duration("20000000000s", &t));
    ck_assert(hs_parse_duration("9999999999ns", &t) && t == INT64_C(9999999999));
    ck_assert(hs_parse_duration("1000000h", &t) && t == INT64_C(1000000) * 3600 * HS_S);
    double p;
    ck_assert(hs_parse_percent("0%", &p) && p == 0);
    ck_assert(hs_parse_percent("0.5%", &p) && p == 0.5);
    ck_assert(hs_parse_percent("100%", &p) && p == 100);
    ck_assert(hs_parse_percent("0", &p) && p == 0);
    ck_assert(!hs_parse_percent("5", &p));
    ck_assert(!hs_parse_percent("101%", &p));
    ck_assert(!hs_parse_percent("%", &p));
    uint64_t bw;
    ck_assert(hs_parse_bandwidth("10Mbit", &bw) && bw == 10000000);
    ck_assert(hs_parse_bandwidth("1.5Gbit", &bw) && bw == 1500000000);
    ck_assert(hs_parse_bandwidth("512kbit", &bw) && bw == 512000);
    ck_assert(hs_parse_bandwidth("0", &bw) && bw == 0);
    ck_assert(!hs_parse_bandwidth("10MB", &bw));
    hs_cmp c;
    char buf[64];
    ck_assert(hs_parse_cmp(">= 1", HS_UNIT_COUNT, &c) && c.op == HS_CMP_GE && c.value == 1);
    ck_assert(hs_parse_cmp("==0", HS_UNIT_COUNT, &c) && c.op == HS_CMP_EQ && c.value == 0);
    ck_assert(hs_parse_cmp("3", HS_UNIT_COUNT, &c) && c.op == HS_CMP_EQ && c.value == 3);
    ck_assert(hs_parse_cmp("< 100ms", HS_UNIT_DURATION, &c) && c.op == HS_CMP_LT && c.value == 100e6);
    ck_assert_str_eq(hs_cmp_format(&c, buf, sizeof buf), "< 100ms");
    ck_assert(hs_parse_cmp("<= 5%", HS_UNIT_PERCENT, &c) && c.op == HS_CMP_LE && c.value == 5);
    ck_assert_str_eq(hs_cmp_format(&c, buf, sizeof buf), "<= 5%");
    ck_assert(hs_parse_cmp("> 2", HS_UNIT_COUNT, &c) && hs_cmp_test(&c, 3) && !hs_cmp_test(&c, 2));
    ck_assert(!hs_parse_cmp(">= 1.5", HS_UNIT_COUNT, &c));
    ck_assert(!hs_parse_cmp("=> 1", HS_UNIT_COUNT, &c));
    ck_assert(!hs_parse_cmp(">=", HS_UNIT_COUNT, &c));
    ck_assert(!hs_parse_cmp("<= 5", HS_UNIT_PERCENT, &c));
    ck_assert(!hs_parse_cmp("< 100", HS_UNIT_DURATION, &c));
    /* did-you-mean */
    const char *const names[] = {"delay", "jitter", "loss", "mtu"};
    ck_assert_str_eq(hs_closest("delya", names, 4), "delay");
    ck_assert_str_eq(hs_closest("los", names, 4), "loss");
    ck_assert_ptr_null(hs_closest("bandwidth", names, 4));
    ck_assert_ptr_null(hs_closest("x", names, 4));
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("loader_model");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, loader_design_example);
    tcase_add_test(tc, loader_starter_example);
    tcase_add_test(tc, loader_language_tour);
    tcase_add_test(tc, loader_defaults);
    tcase_add_test(tc, loader_like_merge);
    tcase_add_test(tc, loader_keys_derived_and_shared);
    tcase_add_test(tc, loader_like_carp_by_vhid);
    tcase_add_test(tc, loader_node_peer_errors);
    tcase_add_test(tc, loader_values);
    tcase_add_test(tc, loader_fragment_keys);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
