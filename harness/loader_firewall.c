/*
 * loader_firewall.c — what a node routes and filters: `carp`, `gateways`,
 * `gateway-groups`, `routes`, `pfsync` (and the pair check across its two
 * nodes), `firewall` options, `nat` and `filter`.
 */
#include "harness/loader_internal.h"

#include <stdio.h>
#include <string.h>

void ld_load_carp(L *l, hs_node *n, const yd_node *v)
{
    if (!ld_check_seq(l, v, "carp") || ld_is_null(v))
        return;
    static const char *const keys[] = {"interface", "vhid", "address", "advskew", "advbase", "password", NULL};
    n->carp = hs_alloc(l->a, v->count * sizeof *n->carp);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "carp entry", keys) || ld_is_null(c)) {
            if (ld_is_null(c))
                ld_err(l, c, "carp entry: expected a mapping, found nothing");
            continue;
        }
        hs_carp *k = &n->carp[n->n_carp++];
        k->loc = c->loc;
        k->inherited = c->inherited;
        k->iface = -1;
        k->advbase = 1;
        const yd_node *x;
        uint64_t u;
        if (ld_require(l, c, "interface", "carp entry")) {
            x = yd_get(c, "interface");
            k->iface = ld_resolve_iface(l, n, x);
            k->iface_loc = x->loc;
        }
        if (ld_require(l, c, "vhid", "carp entry")) {
            x = yd_get(c, "vhid");
            if (ld_get_u64(l, x, 1, 255, "a vhid", &u))
                k->vhid = (uint8_t)u;
            k->vhid_loc = x->loc;
            for (size_t j = 0; j + 1 < n->n_carp; j++)
                if (k->vhid && n->carp[j].vhid == k->vhid)
                    ld_err(l, x, "vhid %u is used twice on node '%s'", k->vhid, n->name);
        }
        if (ld_require(l, c, "address", "carp entry")) {
            x = yd_get(c, "address");
            ld_get_host_prefix(l, x, &k->address);
            k->address_loc = x->loc;
        }
        if ((x = yd_get(c, "advskew")) && ld_get_u64(l, x, 0, 254, "an advskew", &u))
            k->advskew = (uint8_t)u;
        if ((x = yd_get(c, "advbase")) && ld_get_u64(l, x, 1, 255, "an advbase in seconds", &u))
            k->advbase = (uint8_t)u;
        if ((x = yd_get(c, "password")))
            k->password = ld_scalar(l, x, "a string");
    }
}

void ld_load_gateways(L *l, hs_node *n, const yd_node *v)
{
    if (!ld_check_seq(l, v, "gateways") || ld_is_null(v))
        return;
    static const char *const keys[] = {"name",        "interface",    "address",     "monitor",   "interval",
                                       "loss-interval", "time-period", "latency-low", "latency-high", "loss-low",
                                       "loss-high",   NULL};
    n->gateways = hs_alloc(l->a, v->count * sizeof *n->gateways);
    hs_index *ix = &l->gw_index[n - l->s->nodes];
    hs_index_init(ix, l->t);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "gateway", keys) || ld_is_null(c))
            continue;
        hs_gateway *g = &n->gateways[n->n_gateways++];
        g->loc = c->loc;
        g->iface = -1;
        /* dpinger / pfSense defaults: reference/ha-model.md §3 */
        g->interval = 500 * HS_MS;
        g->loss_interval = 2000 * HS_MS;
        g->time_period = 60 * HS_S;
        g->latency_low = 200 * HS_MS;
        g->latency_high = 500 * HS_MS;
        g->loss_low = 10;
        g->loss_high = 20;
        const yd_node *x;
        if (ld_require(l, c, "name", "gateway")) {
            x = yd_get(c, "name");
            const char *nm;
            if (ld_get_name(l, x, "a gateway name", &nm)) {
                if (hs_index_put_str(ix, nm, (int)(g - n->gateways)) >= 0)
                    ld_err(l, x, "gateway '%s' is defined twice on node '%s'", nm, n->name);
                g->name = nm;
            }
        }
        if (ld_require(l, c, "interface", "gateway")) {
            x = yd_get(c, "interface");
            g->iface = ld_resolve_iface(l, n, x);
            g->iface_loc = x->loc;
        }
        if (ld_require(l, c, "address", "gateway")) {
            x = yd_get(c, "address");
            /* an interface whose address was invalid has its own error */
            if (ld_get_ip(l, x, &g->address) && g->iface >= 0 && n->ifaces[g->iface].address.ip.family &&
                !wg_prefix_contains(&n->ifaces[g->iface].address, &g->address)) {
                char b[WG_IP_STRLEN];
                ld_err(l, x, "address: gateway %s is not in the network of interface '%s' (%s)", x->str,
                    n->ifaces[g->iface].name, wg_prefix_format(&n->ifaces[g->iface].address, b));
            }
            g->address_loc = x->loc;
        }
        g->monitor = g->address;
        if ((x = yd_get(c, "monitor")))
            ld_get_ip(l, x, &g->monitor);
        if ((x = yd_get(c, "interval")))
            ld_get_duration(l, x, &g->interval);
        if ((x = yd_get(c, "loss-interval")))
            ld_get_duration(l, x, &g->loss_interval);
        if ((x = yd_get(c, "time-period")))
            ld_get_duration(l, x, &g->time_period);
        if ((x = yd_get(c, "latency-low")))
            ld_get_duration(l, x, &g->latency_low);
        if ((x = yd_get(c, "latency-high")))
            ld_get_duration(l, x, &g->latency_high);
        if ((x = yd_get(c, "loss-low")))
            ld_get_percent(l, x, &g->loss_low);
        if ((x = yd_get(c, "loss-high")))
            ld_get_percent(l, x, &g->loss_high);
        if (g->interval <= 0 && (x = yd_get(c, "interval")))
            ld_err(l, x, "interval: must be more than 0");
    }
}

void ld_load_groups(L *l, hs_node *n, const yd_node *v)
{
    if (!ld_check_seq(l, v, "gateway-groups") || ld_is_null(v))
        return;
    static const char *const keys[] = {"name", "members", "trigger", NULL};
    static const char *const mkeys[] = {"gateway", "tier", NULL};
    static const char *const triggers[] = {"down", "loss", "latency", "loss-or-latency", NULL};
    n->groups = hs_alloc(l->a, v->count * sizeof *n->groups);
    hs_index *ix = &l->group_index[n - l->s->nodes];
    hs_index_init(ix, l->t);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "gateway group", keys) || ld_is_null(c))
            continue;
        hs_gw_group *g = &n->groups[n->n_groups++];
        g->loc = c->loc;
        const yd_node *x;
        if (ld_require(l, c, "name", "gateway group")) {
            x = yd_get(c, "name");
            const char *nm;
            if (ld_get_name(l, x, "a group name", &nm)) {
                if (hs_index_get_str(&l->gw_index[n - l->s->nodes], nm) >= 0 ||
                    hs_index_put_str(ix, nm, (int)(g - n->groups)) >= 0)
                    ld_err(l, x, "name '%s' is already a gateway or group of node '%s'", nm, n->name);
                g->name = nm;
            }
        }
        int t;
        if ((x = yd_get(c, "trigger")) && ld_get_enum(l, x, triggers, &t))
            g->trigger = (hs_gw_trigger)t;
        if (ld_require(l, c, "members", "gateway group")) {
            x = yd_get(c, "members");
            if (ld_check_seq(l, x, "members") && !ld_is_null(x)) {
                g->members = hs_alloc(l->a, x->count * sizeof *g->members);
                for (const yd_node *m = x->first; m; m = m->next) {
                    if (!ld_check_map(l, m, "group member", mkeys) || ld_is_null(m))
                        continue;
                    hs_gw_member *mb = &g->members[g->n_members++];
                    mb->loc = m->loc;
                    mb->tier = 1;
                    mb->gateway = -1;
                    const yd_node *y;
                    if (ld_require(l, m, "gateway", "group member"))
                        mb->gateway = ld_resolve_gateway(l, n, yd_get(m, "gateway"));
                    uint64_t u;
                    if ((y = yd_get(m, "tier")) && ld_get_u64(l, y, 1, 5, "a tier", &u))
                        mb->tier = (int)u;
                }
            }
        }
    }
}

/* The did-you-mean for an unknown gateway name, among every gateway and
 * group of the node (an error: linear is fine). */
static const char *gateway_hint(L *l, const hs_node *n, const char *s, char *h, size_t hlen)
{
    const char **names = hs_alloc(l->a, (n->n_gateways + n->n_groups + 1) * sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < n->n_gateways; i++)
        names[k++] = n->gateways[i].name;
    for (size_t i = 0; i < n->n_groups; i++)
        names[k++] = n->groups[i].name;
    return ld_hint(l, s, names, k, false, h, hlen);
}

void ld_load_routes(L *l, hs_node *n, const yd_node *v)
{
    if (!ld_check_seq(l, v, "routes") || ld_is_null(v))
        return;
    static const char *const keys[] = {"to", "via", NULL};
    n->routes = hs_alloc(l->a, v->count * sizeof *n->routes);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "route", keys) || ld_is_null(c))
            continue;
        hs_route *r = &n->routes[n->n_routes++];
        r->loc = c->loc;
        r->via_index = -1;
        const yd_node *x;
        if (ld_require(l, c, "to", "route")) {
            x = yd_get(c, "to");
            r->to_loc = x->loc;
            const char *s = ld_scalar(l, x, "'default' or a prefix");
            if (s && !strcmp(s, "default")) {
                r->is_default = true;
                wg_prefix_parse("0.0.0.0/0", &r->to);
            } else if (s && ld_get_prefix(l, x, false, &r->to)) {
                r->is_default = r->to.len == 0; /* 0.0.0.0/0 is the default route */
            }
        }
        if (ld_require(l, c, "via", "route")) {
            x = yd_get(c, "via");
            r->via_loc = x->loc;
            const char *s = ld_scalar(l, x, "an address, gateway or gateway group");
            if (!s)
                continue;
            if (wg_ip_parse(s, &r->via_addr)) {
                r->via_kind = HS_VIA_ADDR;
                /* With an interface address invalid (its own error) the
                 * node's networks are unknown: no verdict on the gateway. */
                bool onlink = false, unknown = false;
                for (size_t i = 0; i < n->n_ifaces; i++) {
                    if (!n->ifaces[i].address.ip.family)
                        unknown = true;
                    else if (wg_prefix_contains(&n->ifaces[i].address, &r->via_addr))
                        onlink = true;
                }
                if (!onlink && !unknown && n->n_ifaces)
                    ld_err(l, x, "via: %s is not on any network of node '%s'", s, n->name);
            } else if ((r->via_index = hs_index_get_str(&l->gw_index[n - l->s->nodes], s)) >= 0) {
                r->via_kind = HS_VIA_GATEWAY;
            } else if ((r->via_index = hs_index_get_str(&l->group_index[n - l->s->nodes], s)) >= 0) {
                r->via_kind = HS_VIA_GROUP;
            } else {
                char h[300];
                ld_err(l, x, "via: '%.60s' is not an address, nor a gateway or gateway group of node '%s'%s", s, n->name,
                    gateway_hint(l, n, s, h, sizeof h));
            }
        }
    }
}

void ld_load_pfsync(L *l, hs_node *n, const yd_node *v)
{
    if (ld_is_null(v))
        return;
    static const char *const keys[] = {"peer", "lag", "flush-interval", "defer", "bulk", "interface", NULL};
    n->pfsync.loc = v->loc;
    n->pfsync.peer = -1;
    const yd_node *peer = v;
    if (v->kind == YD_MAP) {
        ld_check_map(l, v, "pfsync", keys);
        if (!ld_require(l, v, "peer", "pfsync"))
            return;
        peer = yd_get(v, "peer");
        const yd_node *x;
        if ((x = yd_get(v, "lag")))
            ld_get_duration(l, x, &n->pfsync.lag);
        if ((x = yd_get(v, "flush-interval"))) {
            n->pfsync.has_options = true;
            if (ld_get_duration(l, x, &n->pfsync.flush_interval) && n->pfsync.flush_interval <= 0) {
                ld_err(l, x, "flush-interval: must be more than 0");
                n->pfsync.flush_interval = 0;
            }
        }
        if ((x = yd_get(v, "defer"))) {
            n->pfsync.has_options = true;
            ld_get_bool(l, x, &n->pfsync.defer);
        }
        if ((x = yd_get(v, "bulk"))) {
            n->pfsync.has_options = true;
            ld_get_bool(l, x, &n->pfsync.bulk);
        }
        if ((x = yd_get(v, "interface"))) {
            n->pfsync.has_options = true;
            n->pfsync.sync_iface = ld_resolve_iface(l, n, x);
        }
    } else if (v->kind != YD_SCALAR) {
        ld_err(l, v, "pfsync: expected a node name or {peer: NODE, lag: DURATION}, found %s", yd_kind_name(v));
        return;
    }
    n->pfsync.enabled = true;
    n->pfsync.peer_loc = peer->loc;
    n->pfsync.peer = ld_resolve_node(l, peer);
}

/* A resolve interval: pfSense stores whole seconds (0 allowed). */
static void get_interval(L *l, const yd_node *x, const char *what, hs_time *out)
{
    hs_time t;
    if (!ld_get_duration(l, x, &t))
        return;
    if (t % HS_S)
        ld_err(l, x, "%s: pfSense takes whole seconds", what);
    else
        *out = t;
}

/* `firewall: {wireguard: ...}`: the WireGuard package's settings
 * (pfSense-pkg-WireGuard vpn_wg_settings.php). */
static void load_wg_settings(L *l, hs_node *n, const yd_node *v)
{
    static const char *const keys[] = {"resolve-interval", "resolve-interval-track", "interface-group", NULL};
    /* Interface Group Membership */
    static const char *const memberships[] = {"all", "unassigned", "none", NULL};
    if (!ld_check_map(l, v, "wireguard", keys) || ld_is_null(v))
        return;
    const yd_node *x;
    int e;
    if ((x = yd_get(v, "resolve-interval")))
        get_interval(l, x, "resolve-interval", &n->fw.wg_resolve_interval);
    if ((x = yd_get(v, "resolve-interval-track")))
        ld_get_bool(l, x, &n->fw.wg_resolve_interval_track);
    if ((x = yd_get(v, "interface-group")) && ld_get_enum(l, x, memberships, &e))
        n->fw.wg_group = e;
}

hs_time hs_fw_wg_resolve_interval(const hs_fw_options *o)
{
    return o->wg_resolve_interval_track ? o->aliases_resolve_interval : o->wg_resolve_interval;
}

void ld_load_firewall(L *l, hs_node *n, const yd_node *v)
{
    static const char *const keys[] = {"state-policy", "reply-to",  "auto-route-to",           "carp-preempt",
                                       "wireguard",    "aliases-resolve-interval", "scrub", "gateway-semantics",
                                       NULL};
    static const char *const policies[] = {"if-bound", "floating", NULL};
    /* sim_gw_semantics, in its order */
    static const char *const gw_semantics[] = {"pfsense-2.7", "pfsense-2.9-dev", "opnsense", NULL};
    if (!ld_check_map(l, v, "firewall", keys) || ld_is_null(v))
        return;
    n->fw.loc = v->loc;
    const yd_node *x;
    int e;
    if ((x = yd_get(v, "state-policy")) && ld_get_enum(l, x, policies, &e))
        n->fw.floating_states = e == 1;
    if ((x = yd_get(v, "reply-to")))
        ld_get_bool(l, x, &n->fw.reply_to);
    if ((x = yd_get(v, "auto-route-to")))
        ld_get_bool(l, x, &n->fw.auto_route_to);
    if ((x = yd_get(v, "carp-preempt")))
        ld_get_bool(l, x, &n->fw.carp_preempt);
    if ((x = yd_get(v, "scrub")))
        ld_get_bool(l, x, &n->fw.scrub);
    if ((x = yd_get(v, "wireguard")))
        load_wg_settings(l, n, x);
    if ((x = yd_get(v, "aliases-resolve-interval")))
        get_interval(l, x, "aliases-resolve-interval", &n->fw.aliases_resolve_interval);
    if ((x = yd_get(v, "gateway-semantics")) && ld_get_enum(l, x, gw_semantics, &e))
        n->fw.gateway_semantics = e;
}

/* `interface:` of a filter, NAT or port-forward rule: one of the node's
 * interfaces, one of its WireGuard tunnels (pf takes any interface name),
 * or, on a firewall, pfSense's WireGuard interface group. */
static void load_rule_iface(L *l, const hs_node *n, const yd_node *x, int *iface, hs_rule_iface *on)
{
    *iface = -1;
    on->wg = -1;
    on->group = false;
    const char *s = ld_scalar(l, x, "an interface name");
    if (!s)
        return;
    bool group = !strcmp(s, HS_WG_GROUP);
    if ((*iface = hs_index_get_str(&l->iface_index[n - l->s->nodes], s)) < 0)
        for (size_t j = 0; j < n->n_wg && on->wg < 0; j++)
            if (!strcmp(n->wg[j].name, s))
                on->wg = (int)j;
    if (group && n->kind == HS_NODE_FIREWALL && (*iface >= 0 || on->wg >= 0)) {
        /* pf has one namespace for interfaces and groups */
        ld_err(l, x, "interface: '%s' names pfSense's WireGuard interface group; rename the interface of node '%s'", s,
            n->name);
        *iface = on->wg = -1;
        return;
    }
    if (*iface >= 0 || on->wg >= 0)
        return;
    if (group) {
        if (n->kind == HS_NODE_FIREWALL)
            on->group = true;
        else
            ld_err(l, x, "interface: '%s' is the interface group of pfSense's WireGuard package, only on a firewall "
                         "('%s' is a %s)", s, n->name, hs_node_kind_name(n->kind));
        return;
    }
    /* the did-you-mean, among interfaces, tunnels and the group (an error: linear is fine) */
    const char **names = hs_alloc(l->a, (n->n_ifaces + n->n_wg + 1) * sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < n->n_ifaces; i++)
        names[k++] = n->ifaces[i].name;
    for (size_t i = 0; i < n->n_wg; i++)
        names[k++] = n->wg[i].name;
    if (n->kind == HS_NODE_FIREWALL)
        names[k++] = HS_WG_GROUP;
    char h[300];
    ld_err(l, x, "unknown interface '%.60s' on node '%s' (a rule takes an interface, a WireGuard tunnel of the node%s)%s", s,
        n->name, n->kind == HS_NODE_FIREWALL ? " or '" HS_WG_GROUP "'" : "", ld_hint(l, s, names, k, false, h, sizeof h));
}

static bool get_source_spec(L *l, const yd_node *x, bool *self, bool *has, wg_prefix *p)
{
    const char *s = ld_scalar(l, x, "'self', 'any' or a prefix");
    if (!s)
        return false;
    if (!strcmp(s, "self"))
        *self = true;
    else if (!strcmp(s, "any"))
        *has = false;
    else if (ld_get_prefix(l, x, false, p))
        *has = true;
    else
        return false;
    return true;
}

/* Appends A to a comma-separated list of candidate addresses. */
static void list_addr(char *buf, size_t len, size_t *k, const wg_ip *a)
{
    char b[WG_IP_STRLEN];
    int w = snprintf(buf + *k, len - *k, "%s%s", *k ? ", " : "", wg_ip_format(a, b));
    if (w > 0 && (size_t)w < len - *k)
        *k += (size_t)w;
}

/* `address:` of a port forward: the destination its rdr matches (pfSense's
 * Destination field; filter.inc filter_generate_port_forward writes it as
 * the rdr's `to`). The interface's own address, one of its IP aliases or a
 * CARP VIP on it (pfSense offers the interface's addresses and its virtual
 * IPs); on a WireGuard tunnel, the tunnel's address. Loaded after the
 * interfaces, the tunnels and `carp:`. */
static void load_forward_address(L *l, const hs_node *n, const yd_node *x, hs_nat_forward *f)
{
    f->address_loc = x->loc;
    if (!ld_get_ip(l, x, &f->address))
        return;
    if (f->on.group) {
        ld_err(l, x, "address: a forward on the interface group '%s' matches each member's own address; name one "
                     "interface for a particular address", HS_WG_GROUP);
        return;
    }
    if (f->iface < 0 && f->on.wg < 0)
        return; /* the interface was refused already */
    char have[400];
    size_t k = 0;
    have[0] = 0;
    const char *ifname;
    bool found = false;
    if (f->on.wg >= 0) {
        const hs_wg *w = &n->wg[f->on.wg];
        ifname = w->name;
        if (w->has_address) {
            found = wg_ip_eq(&w->address.ip, &f->address);
            list_addr(have, sizeof have, &k, &w->address.ip);
        }
    } else {
        const hs_iface *i = &n->ifaces[f->iface];
        ifname = i->name;
        found = wg_ip_eq(&i->address.ip, &f->address);
        list_addr(have, sizeof have, &k, &i->address.ip);
        for (size_t j = 0; j < i->n_aliases; j++) {
            found = found || wg_ip_eq(&i->aliases[j].ip, &f->address);
            list_addr(have, sizeof have, &k, &i->aliases[j].ip);
        }
        for (size_t j = 0; j < n->n_carp; j++)
            if (n->carp[j].iface == f->iface) {
                found = found || wg_ip_eq(&n->carp[j].address.ip, &f->address);
                list_addr(have, sizeof have, &k, &n->carp[j].address.ip);
            }
    }
    if (found) {
        f->has_address = true;
        return;
    }
    char b[WG_IP_STRLEN];
    ld_err(l, x, "address: %s is not an address of interface '%s' of node '%s' (a forward matches the interface's "
                 "own address, an IP alias or a CARP VIP on it%s%s)",
           wg_ip_format(&f->address, b), ifname, n->name, k ? ": " : "", have);
}

void ld_load_nat(L *l, hs_node *n, const yd_node *v)
{
    static const char *const keys[] = {"outbound", "forward", NULL};
    static const char *const okeys[] = {"interface",   "source",        "protocol",  "source-port", "destination",
                                        "destination-port", "translate", "static-port", "mapping",   "udp-timeout",
                                        NULL};
    static const char *const fkeys[] = {"interface", "protocol", "port", "to", "address", NULL};
    static const char *const mappings[] = {"default", "endpoint-independent", "symmetric", "pf", NULL};
    if (!ld_check_map(l, v, "nat", keys) || ld_is_null(v))
        return;
    const yd_node *ob = yd_get(v, "outbound"), *fw = yd_get(v, "forward");
    if (ob && ld_check_seq(l, ob, "outbound") && !ld_is_null(ob)) {
        n->nat_outbound = hs_alloc(l->a, ob->count * sizeof *n->nat_outbound);
        for (const yd_node *c = ob->first; c; c = c->next) {
            if (!ld_check_map(l, c, "outbound NAT rule", okeys) || ld_is_null(c))
                continue;
            hs_nat_rule *r = &n->nat_outbound[n->n_nat_outbound++];
            r->loc = c->loc;
            r->iface = -1;
            r->translate_interface = true;
            const yd_node *x;
            r->on.wg = -1;
            if (ld_require(l, c, "interface", "outbound NAT rule")) {
                x = yd_get(c, "interface");
                load_rule_iface(l, n, x, &r->iface, &r->on);
                r->iface_loc = x->loc;
            }
            if ((x = yd_get(c, "source")))
                get_source_spec(l, x, &r->source_self, &r->has_source, &r->source);
            if ((x = yd_get(c, "protocol")))
                ld_get_proto(l, x, &r->protocol);
            if ((x = yd_get(c, "source-port")))
                ld_get_port(l, x, &r->source_port);
            if ((x = yd_get(c, "destination"))) {
                bool self = false;
                get_source_spec(l, x, &self, &r->has_destination, &r->destination);
                if (self)
                    ld_err(l, x, "destination: 'self' is only meaningful as a source");
            }
            if ((x = yd_get(c, "destination-port")))
                ld_get_port(l, x, &r->destination_port);
            if ((x = yd_get(c, "translate"))) {
                r->translate_loc = x->loc;
                const char *s = ld_scalar(l, x, "an address or 'interface'");
                if (s && strcmp(s, "interface")) {
                    r->translate_interface = false;
                    ld_get_ip(l, x, &r->translate);
                }
            }
            if ((x = yd_get(c, "static-port")))
                ld_get_bool(l, x, &r->static_port);
            int m;
            if ((x = yd_get(c, "mapping")) && ld_get_enum(l, x, mappings, &m))
                r->mapping = (hs_nat_mapping)m;
            if ((x = yd_get(c, "udp-timeout")))
                ld_get_duration(l, x, &r->udp_timeout);
            if ((r->source_port || r->destination_port) && r->protocol != HS_PROTO_UDP && r->protocol != HS_PROTO_TCP)
                ld_err(l, c, "outbound NAT rule: a port needs 'protocol: udp' or 'protocol: tcp'");
        }
    }
    if (fw && ld_check_seq(l, fw, "forward") && !ld_is_null(fw)) {
        n->nat_forward = hs_alloc(l->a, fw->count * sizeof *n->nat_forward);
        for (const yd_node *c = fw->first; c; c = c->next) {
            if (!ld_check_map(l, c, "port forward", fkeys) || ld_is_null(c))
                continue;
            hs_nat_forward *f = &n->nat_forward[n->n_nat_forward++];
            f->loc = c->loc;
            f->iface = -1;
            f->protocol = HS_PROTO_UDP;
            const yd_node *x;
            f->on.wg = -1;
            if (ld_require(l, c, "interface", "port forward")) {
                x = yd_get(c, "interface");
                load_rule_iface(l, n, x, &f->iface, &f->on);
                f->iface_loc = x->loc;
            }
            if ((x = yd_get(c, "protocol")) && ld_get_proto(l, x, &f->protocol) &&
                f->protocol != HS_PROTO_UDP && f->protocol != HS_PROTO_TCP)
                ld_err(l, x, "protocol: a port forward is for udp or tcp");
            if (ld_require(l, c, "port", "port forward"))
                ld_get_port(l, yd_get(c, "port"), &f->port);
            if (ld_require(l, c, "to", "port forward")) {
                x = yd_get(c, "to");
                ld_get_endpoint(l, x, &f->to);
                f->to_loc = x->loc;
            }
            if ((x = yd_get(c, "address")))
                load_forward_address(l, n, x, f);
        }
    }
}

/* `gateway:` of a filter rule: pfSense's policy routing (the rule's
 * Gateway field, filter.inc filter_generate_gateways): route-to a gateway
 * or a group's members. pfSense offers it on pass rules only. */
static void load_rule_gateway(L *l, const hs_node *n, const yd_node *x, hs_filter_rule *r)
{
    const char *s = ld_scalar(l, x, "a gateway or gateway group");
    if (!s)
        return;
    if (r->action != HS_ACTION_PASS) {
        ld_err(l, x, "gateway: only a pass rule routes (pfSense offers a gateway on pass rules)");
        return;
    }
    if (hs_index_get_str(&l->gw_index[n - l->s->nodes], s) < 0 && hs_index_get_str(&l->group_index[n - l->s->nodes], s) < 0) {
        char h[300];
        ld_err(l, x, "gateway: '%.60s' is not a gateway or gateway group of node '%s'%s", s, n->name,
               gateway_hint(l, n, s, h, sizeof h));
        return;
    }
    r->gateway = s;
}

void ld_load_filter(L *l, hs_node *n, const yd_node *v)
{
    if (!ld_check_seq(l, v, "filter"))
        return;
    n->has_filter = true;
    if (ld_is_null(v))
        return;
    static const char *const keys[] = {"action", "interface", "direction", "protocol", "src",
                                       "src-port", "dst",     "dst-port",  "gateway",  NULL};
    static const char *const actions[] = {"pass", "block", NULL};
    static const char *const dirs[] = {"in", "out", "any", NULL};
    n->filter = hs_alloc(l->a, v->count * sizeof *n->filter);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "filter rule", keys) || ld_is_null(c))
            continue;
        hs_filter_rule *r = &n->filter[n->n_filter++];
        r->loc = c->loc;
        r->iface = -1;
        r->on.wg = -1;
        const yd_node *x;
        int e;
        if (ld_require(l, c, "action", "filter rule") && ld_get_enum(l, yd_get(c, "action"), actions, &e))
            r->action = (hs_action)e;
        if ((x = yd_get(c, "interface"))) {
            load_rule_iface(l, n, x, &r->iface, &r->on);
            r->iface_loc = x->loc;
        }
        if ((x = yd_get(c, "direction")) && ld_get_enum(l, x, dirs, &e))
            r->direction = (hs_direction)e;
        if ((x = yd_get(c, "protocol")))
            ld_get_proto(l, x, &r->protocol);
        if ((x = yd_get(c, "src"))) {
            bool self = false;
            if (get_source_spec(l, x, &self, &r->has_src, &r->src) && self)
                ld_err(l, x, "src: 'self' is not supported in filter rules (use the address)");
        }
        if ((x = yd_get(c, "dst"))) {
            bool self = false;
            if (get_source_spec(l, x, &self, &r->has_dst, &r->dst) && self)
                ld_err(l, x, "dst: 'self' is not supported in filter rules (use the address)");
        }
        if ((x = yd_get(c, "src-port")))
            ld_get_port(l, x, &r->src_port);
        if ((x = yd_get(c, "dst-port")))
            ld_get_port(l, x, &r->dst_port);
        if ((r->src_port || r->dst_port) && r->protocol != HS_PROTO_UDP && r->protocol != HS_PROTO_TCP)
            ld_err(l, c, "filter rule: a port needs 'protocol: udp' or 'protocol: tcp'");
        if ((x = yd_get(c, "gateway")))
            load_rule_gateway(l, n, x, r);
    }
}

void ld_check_pfsync(L *l)
{
    for (size_t ni = 0; ni < l->s->n_nodes; ni++) {
        hs_node *n = &l->s->nodes[ni];
        if (!n->pfsync.enabled || n->pfsync.peer < 0)
            continue;
        const yd_node *v = ld_tree_at(l, (int)ni, "pfsync", (const char *)NULL);
        if (v && v->kind == YD_MAP)
            v = yd_get(v, "peer");
        if ((size_t)n->pfsync.peer == ni) {
            ld_err(l, v, "pfsync: a node cannot be its own pfsync peer");
            continue;
        }
        const hs_node *m = &l->s->nodes[n->pfsync.peer];
        if (m->kind != HS_NODE_FIREWALL) {
            ld_err(l, v, "pfsync: peer '%s' is not a firewall", m->name);
            continue;
        }
        /* A pair names each other (pfSense: each node's sync peer is the
         * other); a copy whose pfsync: was not changed, or a typo, synced
         * one node with a third one and validated. */
        if (m->pfsync.enabled && m->pfsync.peer >= 0 && (size_t)m->pfsync.peer != ni &&
            m->pfsync.peer != n->pfsync.peer) {
            ld_err(l, v, "pfsync: peer '%s' syncs with '%s', not with '%s'; the two nodes of a pfsync pair name each other",
                m->name, l->s->nodes[m->pfsync.peer].name, n->name);
            continue;
        }
        /* The sync link is one name on both ends (pfSense: the same
         * interface is selected on both nodes). */
        const yd_node *pv = ld_tree_at(l, (int)ni, "pfsync", (const char *)NULL);
        const yd_node *iv = pv && pv->kind == YD_MAP ? yd_get(pv, "interface") : NULL;
        if (n->pfsync.sync_iface >= 0 &&
            hs_index_get_str(&l->iface_index[n->pfsync.peer], n->ifaces[n->pfsync.sync_iface].name) < 0)
            ld_err(l, iv, "interface: peer '%s' has no interface '%s' for the pfsync link", m->name,
                n->ifaces[n->pfsync.sync_iface].name);
        /* Both ends of a pair must agree on its options: one pair is built. */
        const hs_pfsync *q = &m->pfsync;
        if ((size_t)n->pfsync.peer > ni || !n->pfsync.has_options || !q->enabled || q->peer != (int)ni ||
            !q->has_options)
            continue;
        const char *what = n->pfsync.flush_interval != q->flush_interval ? "flush-interval"
                           : n->pfsync.defer != q->defer                 ? "defer"
                           : n->pfsync.bulk != q->bulk                   ? "bulk"
                           : (n->pfsync.sync_iface < 0) != (q->sync_iface < 0) ||
                                   (n->pfsync.sync_iface >= 0 &&
                                    strcmp(n->ifaces[n->pfsync.sync_iface].name, m->ifaces[q->sync_iface].name))
                               ? "interface"
                               : NULL;
        if (what)
            ld_err(l, pv, "pfsync: '%s' differs from %s's pfsync (line %u): both ends of a pair share it", what, m->name,
                q->loc.line);
    }
}

