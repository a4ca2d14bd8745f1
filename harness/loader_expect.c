/*
 * loader_expect.c — `expect:`: the moment, `at:` or `during:`, and the one kind
 * of each expectation, with every reference resolved.
 */
#include "harness/loader_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const expect_kinds[] = {"packets", "no-packets", "endpoint", "handshake", "tunnel",
                                           "carp",    "gateway",    "state",    "route",     "load", NULL};
const char *hs_expect_kind_name(hs_expect_kind k) { return (unsigned)k <= HS_EXP_LOAD ? expect_kinds[k] : "?"; }

/* load: node, its WireGuard interface (required when it has several), and
 * at least one of the three counters. */
static void load_load(L *l, hs_expect *e, const yd_node *m)
{
    const yd_node *x;
    e->u.load.node = e->u.load.wg = -1;
    if (e->during) {
        ld_err(l, m, "load: give 'at:' (what it counts adds up from the start of the run)");
        return;
    }
    if (ld_require(l, m, "node", "load")) {
        x = yd_get(m, "node");
        e->u.load.node = ld_resolve_node(l, x);
        e->u.load.node_loc = x->loc;
    }
    if (e->u.load.node >= 0) {
        const hs_node *n = &l->s->nodes[e->u.load.node];
        if (n->n_wg == 0) {
            ld_err(l, yd_get(m, "node"), "node: '%s' has no wireguard interface", n->name);
        } else if ((x = yd_get(m, "interface"))) {
            const char *wn = ld_scalar(l, x, "a wireguard interface name");
            if (wn && (e->u.load.wg = hs_node_find_wg(n, wn)) < 0)
                ld_err(l, x, "interface: node '%s' has no wireguard interface '%.60s'", n->name, wn);
        } else if (n->n_wg > 1) {
            ld_err(l, m, "load: node '%s' has %zu wireguard interfaces: say which with 'interface:'", n->name, n->n_wg);
        } else {
            e->u.load.wg = 0;
        }
    }
    if ((x = yd_get(m, "under-load")))
        e->u.load.has_time = ld_get_cmp(l, x, HS_UNIT_DURATION, &e->u.load.time);
    if ((x = yd_get(m, "cookie-replies")))
        e->u.load.has_cookies = ld_get_cmp(l, x, HS_UNIT_COUNT, &e->u.load.cookies);
    if ((x = yd_get(m, "rate-limited")))
        e->u.load.has_limited = ld_get_cmp(l, x, HS_UNIT_COUNT, &e->u.load.limited);
    if (!yd_get(m, "under-load") && !yd_get(m, "cookie-replies") && !yd_get(m, "rate-limited"))
        ld_err(l, m, "load: needs one of 'under-load:', 'cookie-replies:', 'rate-limited:'");
}

/* node: + (optional interface:) + peer: for endpoint / handshake. */
static void expect_peer(L *l, const yd_node *m, int *node, int *wg, int *peer, hs_loc *node_loc, hs_loc *peer_loc)
{
    *node = *wg = *peer = -1;
    const yd_node *x;
    if (ld_require(l, m, "node", "expectation")) {
        x = yd_get(m, "node");
        *node = ld_resolve_node(l, x);
        *node_loc = x->loc;
    }
    if (!ld_require(l, m, "peer", "expectation") || *node < 0)
        return;
    const yd_node *pv = yd_get(m, "peer");
    *peer_loc = pv->loc;
    const char *spec = ld_scalar(l, pv, "a peer (node name, peer name or public key)");
    const hs_node *n = &l->s->nodes[*node];
    if (!spec)
        return;
    if (n->n_wg == 0) {
        ld_err(l, yd_get(m, "node"), "node: '%s' has no wireguard interface", n->name);
        return;
    }
    if ((x = yd_get(m, "interface"))) {
        const char *wn = ld_scalar(l, x, "a wireguard interface name");
        if (!wn)
            return;
        if ((*wg = hs_node_find_wg(n, wn)) < 0) {
            ld_err(l, x, "interface: node '%s' has no wireguard interface '%.60s'", n->name, wn);
            return;
        }
        if ((*peer = hs_wg_find_peer(&n->wg[*wg], spec)) < 0)
            ld_err(l, pv, "peer: %s.%s has no peer '%.60s'", n->name, n->wg[*wg].name, spec);
        return;
    }
    int found = 0;
    for (size_t i = 0; i < n->n_wg; i++) {
        int p = hs_wg_find_peer(&n->wg[i], spec);
        if (p >= 0) {
            if (!found) {
                *wg = (int)i;
                *peer = p;
            }
            found++;
        }
    }
    if (found == 0) {
        /* the did-you-mean, among every peer name (an error: linear is fine) */
        size_t np = 0;
        for (size_t i = 0; i < n->n_wg; i++)
            np += n->wg[i].n_peers;
        const char **names = hs_alloc(l->a, (np ? np : 1) * sizeof *names);
        size_t k = 0;
        for (size_t i = 0; i < n->n_wg; i++)
            for (size_t j = 0; j < n->wg[i].n_peers; j++)
                if (n->wg[i].peers[j].name)
                    names[k++] = n->wg[i].peers[j].name;
        char h[300];
        ld_err(l, pv, "peer: node '%s' has no peer '%.60s'%s", n->name, spec, ld_hint(l, spec, names, k, false, h, sizeof h));
        *wg = -1;
    } else if (found > 1) {
        ld_err(l, pv, "peer: '%.60s' is a peer of several wireguard interfaces of '%s'; add 'interface:'", spec, n->name);
    }
}

static const char *const packet_filter_keys[] = {"on",           "from", "to",   "src",      "dst", "udp-src-port",
                                                 "udp-dst-port", "wg",   "icmp", "fragment", NULL};

/* The packet filter of packets / no-packets (and of the explore shell's
 * packets view, hs_packet_filter_parse): which capture point, addresses,
 * ports, WireGuard type, ICMP message. */
static void load_packet_filter(L *l, hs_expect *e, const yd_node *m)
{
    const yd_node *x;
    /* in hs_wg_match order, from HS_WGM_ANY */
    static const char *const wgm[] = {"any", "handshake-initiation", "handshake-response", "cookie-reply",
                                      "transport", "data", "keepalive", NULL};
    e->u.packets.on = e->u.packets.from = e->u.packets.to = -1;
    if ((x = yd_get(m, "on"))) {
        e->u.packets.on = ld_resolve_segment(l, x);
        e->u.packets.on_loc = x->loc;
    }
    if ((x = yd_get(m, "from"))) {
        e->u.packets.from = ld_resolve_node(l, x);
        e->u.packets.from_loc = x->loc;
    }
    if ((x = yd_get(m, "to"))) {
        e->u.packets.to = ld_resolve_node(l, x);
        e->u.packets.to_loc = x->loc;
    }
    if ((x = yd_get(m, "src")))
        ld_get_addr_match(l, x, &e->u.packets.src);
    if ((x = yd_get(m, "dst")))
        ld_get_addr_match(l, x, &e->u.packets.dst);
    if ((x = yd_get(m, "udp-src-port")))
        ld_get_port(l, x, &e->u.packets.udp_src_port);
    if ((x = yd_get(m, "udp-dst-port")))
        ld_get_port(l, x, &e->u.packets.udp_dst_port);
    int w;
    if ((x = yd_get(m, "wg")) && ld_get_enum(l, x, wgm, &w))
        e->u.packets.wg = (hs_wg_match)(w + HS_WGM_ANY);
    /* in hs_frag_match order, from HS_FRAG_NO */
    static const char *const fragm[] = {"false", "true", "first", "non-first", NULL};
    if ((x = yd_get(m, "fragment")) && ld_get_enum(l, x, fragm, &w))
        e->u.packets.fragment = (hs_frag_match)(w + HS_FRAG_NO);
    if ((x = yd_get(m, "icmp"))) {
        const char *names[16];
        size_t k = 0;
        for (size_t i = 1; hs_icmp_matches[i].name && k + 1 < sizeof names / sizeof *names; i++)
            names[k++] = hs_icmp_matches[i].name;
        names[k] = NULL;
        int c;
        if (ld_get_enum(l, x, names, &c))
            e->u.packets.icmp = c + 1;
    }
}

static void load_expect_kind(L *l, hs_expect *e, const yd_node *m)
{
    hs_scenario *s = l->s;
    const yd_node *x;
    const char *what = hs_expect_kind_name(e->kind);
    static const char *const pk[] = {"on",           "from", "to",    "src",  "dst",      "udp-src-port",
                                     "udp-dst-port", "wg",   "count", "icmp", "fragment", NULL};
    static const char *const ek[] = {"node", "peer", "interface", "is", NULL};
    static const char *const hk[] = {"node", "peer", "interface", "count", "last-within", NULL};
    static const char *const tk[] = {"ping", "loss", "rtt", NULL};
    static const char *const ck[] = {"node", "vhid", "state", NULL};
    static const char *const gk[] = {"node", "name", "status", NULL};
    static const char *const sk[] = {"node", "proto", "src", "dst", "translated", "count", NULL};
    static const char *const rk[] = {"node", "to", "via", "dev", NULL};
    static const char *const lk[] = {"node", "interface", "under-load", "cookie-replies", "rate-limited", NULL};
    /* no-packets: the packet filter's keys */
    static const char *const *const keysets[] = {pk, packet_filter_keys, ek, hk, tk, ck, gk, sk, rk, lk};
    if (!ld_check_map(l, m, what, keysets[e->kind]))
        return;
    if (ld_is_null(m)) {
        ld_err(l, m, "%s: expected a mapping, found nothing", what);
        return;
    }
    switch (e->kind) {
    case HS_EXP_PACKETS:
    case HS_EXP_NO_PACKETS: {
        load_packet_filter(l, e, m);
        if (e->kind == HS_EXP_NO_PACKETS)
            hs_parse_cmp("== 0", HS_UNIT_COUNT, &e->u.packets.count);
        else if ((x = yd_get(m, "count")))
            ld_get_cmp(l, x, HS_UNIT_COUNT, &e->u.packets.count);
        else
            hs_parse_cmp(">= 1", HS_UNIT_COUNT, &e->u.packets.count);
        break;
    }
    case HS_EXP_ENDPOINT:
        expect_peer(l, m, &e->u.endpoint.node, &e->u.endpoint.wg, &e->u.endpoint.peer, &e->u.endpoint.node_loc,
                    &e->u.endpoint.peer_loc);
        if (ld_require(l, m, "is", what)) {
            x = yd_get(m, "is");
            e->u.endpoint.is_loc = x->loc;
            if (x->kind == YD_SCALAR && !strcmp(x->str, "none"))
                e->u.endpoint.is_none = true;
            else
                ld_get_endpoint(l, x, &e->u.endpoint.is);
        }
        break;
    case HS_EXP_HANDSHAKE:
        expect_peer(l, m, &e->u.handshake.node, &e->u.handshake.wg, &e->u.handshake.peer, &e->u.handshake.node_loc,
                    &e->u.handshake.peer_loc);
        if ((x = yd_get(m, "count")))
            e->u.handshake.has_count = ld_get_cmp(l, x, HS_UNIT_COUNT, &e->u.handshake.count);
        if ((x = yd_get(m, "last-within")))
            e->u.handshake.has_last_within = ld_get_duration(l, x, &e->u.handshake.last_within);
        if (!yd_get(m, "count") && !yd_get(m, "last-within")) {
            e->u.handshake.has_count = true;
            hs_parse_cmp(">= 1", HS_UNIT_COUNT, &e->u.handshake.count);
        }
        break;
    case HS_EXP_TUNNEL: {
        e->u.tunnel.ping = -1;
        uint64_t u;
        if (ld_require(l, m, "ping", what)) {
            x = yd_get(m, "ping");
            e->u.tunnel.ping_loc = x->loc;
            if (ld_get_u64(l, x, 0, 1000000, "an index into traffic", &u) && !l->traffic_bad) {
                if (u >= s->n_traffic || s->traffic[u].kind != HS_TRAFFIC_PING)
                    ld_err(l, x, "ping: traffic has no ping number %llu (the list counts from 0 and has %zu item%s)",
                        (unsigned long long)u, s->n_traffic, s->n_traffic == 1 ? "" : "s");
                else
                    e->u.tunnel.ping = (int)u;
            }
        }
        if ((x = yd_get(m, "loss")))
            e->u.tunnel.has_loss = ld_get_cmp(l, x, HS_UNIT_PERCENT, &e->u.tunnel.loss);
        if ((x = yd_get(m, "rtt")))
            e->u.tunnel.has_rtt = ld_get_cmp(l, x, HS_UNIT_DURATION, &e->u.tunnel.rtt);
        if (!yd_get(m, "loss") && !yd_get(m, "rtt"))
            ld_err(l, m, "tunnel: needs 'loss:' and/or 'rtt:'");
        break;
    }
    case HS_EXP_CARP: {
        static const char *const states[] = {"init", "backup", "master", NULL};
        uint64_t u;
        int st;
        e->u.carp.node = e->u.carp.carp = -1;
        if (ld_require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.carp.node = ld_resolve_node(l, x);
            e->u.carp.node_loc = x->loc;
        }
        if (ld_require(l, m, "vhid", what)) {
            x = yd_get(m, "vhid");
            e->u.carp.vhid_loc = x->loc;
            if (ld_get_u64(l, x, 1, 255, "a vhid", &u)) {
                e->u.carp.vhid = (uint8_t)u;
                if (e->u.carp.node >= 0 &&
                    (e->u.carp.carp = hs_node_find_carp(&s->nodes[e->u.carp.node], (uint8_t)u)) < 0)
                    ld_err(l, x, "vhid: node '%s' has no CARP vhid %llu", s->nodes[e->u.carp.node].name,
                        (unsigned long long)u);
            }
        }
        if (ld_require(l, m, "state", what) && ld_get_enum(l, yd_get(m, "state"), states, &st))
            e->u.carp.state = (hs_carp_state)st;
        break;
    }
    case HS_EXP_GATEWAY: {
        static const char *const st[] = {"online", "down", "loss", "delay", NULL};
        int v;
        e->u.gateway.node = e->u.gateway.gateway = -1;
        if (ld_require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.gateway.node = ld_resolve_node(l, x);
            e->u.gateway.node_loc = x->loc;
        }
        if (ld_require(l, m, "name", what)) {
            x = yd_get(m, "name");
            e->u.gateway.name_loc = x->loc;
            if (e->u.gateway.node >= 0) {
                e->u.gateway.gateway = ld_resolve_gateway(l, &s->nodes[e->u.gateway.node], x);
            }
        }
        if (ld_require(l, m, "status", what) && ld_get_enum(l, yd_get(m, "status"), st, &v))
            e->u.gateway.status = (hs_gw_status)v;
        break;
    }
    case HS_EXP_STATE:
        e->u.state.node = -1;
        if (ld_require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.state.node = ld_resolve_node(l, x);
            e->u.state.node_loc = x->loc;
            if (e->u.state.node >= 0 && s->nodes[e->u.state.node].kind == HS_NODE_HOST)
                ld_err(l, x, "node: '%s' is a host and keeps no pf states", s->nodes[e->u.state.node].name);
        }
        if ((x = yd_get(m, "proto")))
            ld_get_proto(l, x, &e->u.state.proto);
        if ((x = yd_get(m, "src")))
            ld_get_addr_match(l, x, &e->u.state.src);
        if ((x = yd_get(m, "dst")))
            ld_get_addr_match(l, x, &e->u.state.dst);
        if ((x = yd_get(m, "translated")))
            ld_get_addr_match(l, x, &e->u.state.translated);
        if ((x = yd_get(m, "count")))
            ld_get_cmp(l, x, HS_UNIT_COUNT, &e->u.state.count);
        else
            hs_parse_cmp(">= 1", HS_UNIT_COUNT, &e->u.state.count);
        break;
    case HS_EXP_ROUTE:
        e->u.route.node = -1;
        e->u.route.dev = -1;
        if (ld_require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.route.node = ld_resolve_node(l, x);
            e->u.route.node_loc = x->loc;
        }
        if (ld_require(l, m, "to", what)) {
            x = yd_get(m, "to");
            const char *t = ld_scalar(l, x, "'default' or a prefix");
            if (t && !strcmp(t, "default")) {
                e->u.route.is_default = true;
                wg_prefix_parse("0.0.0.0/0", &e->u.route.to);
            } else if (t && ld_get_prefix(l, x, false, &e->u.route.to)) {
                e->u.route.is_default = e->u.route.to.len == 0;
            }
        }
        if ((x = yd_get(m, "via"))) {
            e->u.route.has_via = ld_get_ip(l, x, &e->u.route.via);
            e->u.route.via_loc = x->loc;
        }
        if ((x = yd_get(m, "dev")) && e->u.route.node >= 0) {
            e->u.route.dev = ld_resolve_iface(l, &s->nodes[e->u.route.node], x);
            e->u.route.dev_loc = x->loc;
        }
        if (!yd_get(m, "via") && !yd_get(m, "dev"))
            ld_err(l, m, "route: needs 'via:' and/or 'dev:'");
        break;
    case HS_EXP_LOAD: load_load(l, e, m); break;
    }
}

void ld_load_expect(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    if (!ld_check_seq(l, v, "expect") || ld_is_null(v))
        return;
    static const char *const keys[] = {"at",     "during", "packets", "no-packets", "endpoint", "handshake",
                                       "tunnel", "carp",   "gateway", "state",      "route",    "load", NULL};
    s->expects = hs_alloc(l->a, v->count * sizeof *s->expects);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "expectation", keys) || ld_is_null(c)) {
            if (ld_is_null(c))
                ld_err(l, c, "expectation: expected {at: T, KIND: {...}}, found nothing");
            continue;
        }
        hs_expect *e = &s->expects[s->n_expects++];
        e->loc = c->loc;
        const yd_node *at = yd_get(c, "at"), *during = yd_get(c, "during");
        if (at && during)
            ld_err_key(l, during, "expectation: give either 'at:' or 'during:', not both");
        else if (!at && !during)
            ld_err(l, c, "expectation: needs 'at: TIME' or 'during: [FROM, TO]'");
        if (at) {
            e->time_loc = at->loc;
            if (ld_get_duration(l, at, &e->at))
                ld_check_time(l, at, e->at, "at");
        } else if (during) {
            e->during = true;
            e->time_loc = during->loc;
            if (during->kind != YD_SEQ || during->count != 2) {
                ld_err(l, during, "during: expected [FROM, TO], e.g. [30s, 2m]");
            } else if (ld_get_duration(l, during->first, &e->from) && ld_get_duration(l, during->last, &e->to) &&
                       ld_check_time(l, during->first, e->from, "during") && ld_check_time(l, during->last, e->to, "during") &&
                       e->to < e->from) {
                ld_err(l, during->last, "during: the end is before the start");
            }
        }
        const yd_node *kind = NULL;
        int nk = 0;
        for (const yd_node *k = c->first; k; k = k->next)
            for (int i = 0; expect_kinds[i]; i++)
                if (!strcmp(k->key, expect_kinds[i])) {
                    if (nk++ == 0) {
                        kind = k;
                        e->kind = (hs_expect_kind)i;
                    } else {
                        ld_err_key(l, k, "expectation: one kind per item ('%s' is already given)", kind->key);
                    }
                }
        if (!kind) {
            /* a mistyped kind ('packet:') already has its unknown-key error
             * with a did-you-mean: one mistake, one error */
            bool unknown_key = false;
            for (const yd_node *k = c->first; k && !unknown_key; k = k->next) {
                bool known = false;
                for (int i = 0; keys[i] && !known; i++)
                    known = !strcmp(k->key, keys[i]);
                unknown_key = !known;
            }
            if (!unknown_key)
                ld_err(l, c, "expectation: needs one of packets, no-packets, endpoint, handshake, tunnel, carp, gateway, "
                          "state, route, load");
            continue;
        }
        e->kind_loc = kind->key_loc;
        load_expect_kind(l, e, kind);
    }
}


/* "to: remote wg: data" as the flow mapping "{to: remote, wg: data}": a
 * word ending in ':' starts a key. col[k] is the 0-based column in text
 * of flow[k] (what the braces and commas were put before). */
static char *filter_flow(hs_arena *a, const char *text, int **col_out)
{
    size_t len = strlen(text);
    char *flow = hs_alloc(a, 2 * len + 4);
    int *col = hs_alloc(a, (2 * len + 4) * sizeof *col);
    size_t k = 0, i = 0;
    while (text[i] == ' ' || text[i] == '\t')
        i++;
    if (text[i] == '{') { /* already a flow mapping */
        for (size_t j = 0; j <= len; j++)
            col[j] = (int)j;
        memcpy(flow, text, len + 1);
        *col_out = col;
        return flow;
    }
    col[k] = (int)i;
    flow[k++] = '{';
    bool first = true;
    while (text[i]) {
        while (text[i] == ' ' || text[i] == '\t')
            i++;
        if (!text[i])
            break;
        size_t w = i;
        while (text[w] && text[w] != ' ' && text[w] != '\t')
            w++;
        bool key = w - i > 1 && text[w - 1] == ':';
        if (key && !first) {
            col[k] = (int)i;
            flow[k++] = ',';
        }
        if (!first) {
            col[k] = (int)i;
            flow[k++] = ' ';
        }
        first = false;
        for (; i < w; i++) {
            col[k] = (int)i;
            flow[k++] = text[i];
        }
    }
    col[k] = (int)len;
    flow[k++] = '}';
    col[k] = (int)len;
    flow[k] = 0;
    *col_out = col;
    return flow;
}

bool hs_packet_filter_parse(const hs_scenario *s, const char *text, hs_expect *e, char *err, size_t errlen,
                            int *err_col)
{
    memset(e, 0, sizeof *e);
    e->kind = HS_EXP_PACKETS;
    e->u.packets.on = e->u.packets.from = e->u.packets.to = -1;
    if (err_col)
        *err_col = 0;
    const ld_scenario_index *idx = s->index_;
    if (!idx) {
        snprintf(err, errlen, "packet filters need a loaded scenario");
        return false;
    }
    hs_arena *t = hs_arena_new();
    int *col;
    char *flow = filter_flow(t, text, &col);
    size_t flen = strlen(flow);
    hs_diag d;
    hs_diag_init(&d, "filter");
    const yd_node *root = yd_parse(t, (const uint8_t *)flow, flen, &d);
    if (root && !hs_diag_count(&d)) {
        L l = {.a = t, .t = t, .d = &d, .s = (hs_scenario *)s, .node_index = idx->nodes, .seg_index = idx->segments};
        if (root->kind != YD_MAP)
            ld_err(&l, root, "a packet filter is KEY: VALUE words (from: fw1 wg: data), found %s", yd_kind_name(root));
        else if (ld_check_map(&l, root, "packets", packet_filter_keys))
            load_packet_filter(&l, e, root);
    }
    bool ok = hs_diag_count(&d) == 0;
    if (!ok) {
        hs_diag_sort(&d);
        const hs_error *x = d.n ? &d.v[0] : NULL;
        snprintf(err, errlen, "%s", x ? x->msg : "too many errors in the packet filter");
        if (err_col && x && x->loc.line == 1 && x->loc.col >= 1)
            *err_col = (x->loc.col - 1 < flen ? col[x->loc.col - 1] : (int)strlen(text)) + 1;
        else if (err_col)
            *err_col = 1;
    }
    hs_diag_free(&d);
    hs_arena_free(t);
    return ok;
}
