/*
 * emit_fw.c — writes an imported firewall as a scenario node
 * (docs/scenario-language.md, "Nodes", "Firewall and router extras",
 * "WireGuard"). Every list item carries, as a comment, the XPath or line it
 * came from; what the scenario cannot say was listed as unmodelled by the
 * reader and is not written.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import/world.h"

void w_printf(w_out *o, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (o->n + (size_t)n + 1 > o->cap) {
        size_t nc = (o->cap ? o->cap * 2 : 8192) + (size_t)n;
        char *nb = imp_xcalloc(1, nc, "scenario text");
        if (o->buf)
            memcpy(nb, o->buf, o->n);
        free(o->buf);
        o->buf = nb;
        o->cap = nc;
    }
    vsnprintf(o->buf + o->n, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    o->n += (size_t)n;
}

const char *w_addr(uint32_t a, char buf[16])
{
    return imp_addr_str(a, buf);
}

const char *w_pfx(imp_prefix p, char buf[20])
{
    char a[16];
    snprintf(buf, 20, "%s/%d", imp_addr_str(p.addr, a), p.len);
    return buf;
}

static bool emitted_iface(const imp_iface *f)
{
    return f && !f->wg && f->kind == IMP_ADDR_STATIC;
}

/* An IP alias the pair's first node already has (the same address on
 * both nodes of one network: the pair check reports it). */
static bool alias_on_first(const w_world *w, size_t k, const imp_vip *v)
{
    if (k == 0)
        return false;
    for (size_t i = 0; i < w->fws[0]->vips.n; i++)
        if (!w->fws[0]->vips.v[i].carp && w->fws[0]->vips.v[i].addr.addr == v->addr.addr)
            return true;
    return false;
}

static void emit_interfaces(w_out *o, const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    char b[20];
    w_printf(o, "    interfaces:\n");
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (!emitted_iface(f))
            continue;
        w_printf(o, "      %s: {segment: %s, address: %s", f->name, f->name, w_pfx(f->addr, b));
        bool first = true;
        for (size_t v = 0; v < fw->vips.n; v++)
            if (!fw->vips.v[v].carp && !strcmp(fw->vips.v[v].iface, f->name) && !alias_on_first(w, k, &fw->vips.v[v])) {
                w_printf(o, "%s%s", first ? ", aliases: [" : ", ", w_pfx(fw->vips.v[v].addr, b));
                first = false;
            }
        w_printf(o, "%s}   # %s%s%s%s\n", first ? "" : "]", f->driver, f->descr[0] ? " (" : "", f->descr,
                 f->descr[0] ? ")" : "");
        if (f->given)
            w_printf(o, "      #   ^ %s in the backup: address given with --address\n", f->dynamic);
    }
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (!f->wg && f->kind == IMP_ADDR_NONE)
            w_printf(o, "      # %s (%s): no IPv4 address in the backup, not imported\n", f->name, f->driver);
    }
}

static bool carp_emitted(const imp_fw *fw, const imp_vip *p)
{
    return p->carp && emitted_iface(imp_fw_iface(fw, p->iface));
}

/* carp-depend-on must name a vhid the node's `carp:` has. */
static bool vhid_emitted(const imp_fw *fw, int vhid)
{
    for (size_t v = 0; v < fw->vips.n; v++)
        if (fw->vips.v[v].vhid == vhid && carp_emitted(fw, &fw->vips.v[v]))
            return true;
    return false;
}

static void emit_carp(w_out *o, const imp_fw *fw)
{
    char b[20];
    bool any = false;
    for (size_t v = 0; v < fw->vips.n; v++) {
        const imp_vip *p = &fw->vips.v[v];
        if (!carp_emitted(fw, p))
            continue;
        if (!any)
            w_printf(o, "    carp:%s\n",
                     fw->maintenance ? "   # CARP maintenance mode is on in the backup: advskew 254 on every VIP"
                                     : "");
        any = true;
        w_printf(o, "      - {interface: %s, vhid: %d, address: %s, advbase: %d, advskew: %d}   # line %d\n", p->iface,
                 p->vhid, w_pfx(p->addr, b), p->advbase, fw->maintenance ? 254 : p->advskew, p->line);
    }
}

static bool gateway_emitted(const imp_fw *fw, const imp_gateway *g)
{
    const imp_iface *f = imp_fw_iface(fw, g->iface);
    return emitted_iface(f) && g->addr && imp_in_prefix(g->addr, f->addr);
}

static bool member_emitted(const imp_fw *fw, const imp_member *m)
{
    const imp_gateway *g = imp_fw_gateway(fw, m->gateway);
    return g && gateway_emitted(fw, g);
}

/* A group is written when one of its members is. */
static bool group_emitted(const imp_fw *fw, const imp_group *p)
{
    for (size_t m = 0; m < p->members.n; m++)
        if (member_emitted(fw, &p->members.v[m]))
            return true;
    return false;
}

bool w_via_emitted(const imp_fw *fw, const char *name)
{
    const imp_gateway *g = imp_fw_gateway(fw, name);
    if (g)
        return gateway_emitted(fw, g);
    for (size_t i = 0; i < fw->groups.n; i++)
        if (!strcmp(fw->groups.v[i].name, name))
            return group_emitted(fw, &fw->groups.v[i]);
    return false;
}

static void emit_gateways(w_out *o, const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    char a[16];
    bool any = false;
    for (size_t g = 0; g < fw->gateways.n; g++) {
        const imp_gateway *p = &fw->gateways.v[g];
        if (!gateway_emitted(fw, p)) {
            w_printf(o, "    # gateway %s on %s: not on an imported interface's network, not imported\n", p->name,
                     p->iface);
            continue;
        }
        if (!any)
            w_printf(o, "    gateways:\n");
        any = true;
        w_printf(o, "      - {name: %s, interface: %s, address: %s", p->name, p->iface, w_addr(p->addr, a));
        if (p->monitor && p->monitor != p->addr)
            w_printf(o, ", monitor: %s", w_addr(p->monitor, a));
        /* dpinger settings the backup sets (gwlb.inc): milliseconds, then percentages */
        const struct {
            const char *key;
            int v;
            const char *unit;
        } th[] = {{"interval", p->interval, "ms"},         {"loss-interval", p->loss_interval, "ms"},
                  {"time-period", p->time_period, "ms"},   {"latency-low", p->latency_low, "ms"},
                  {"latency-high", p->latency_high, "ms"}, {"loss-low", p->loss_low, "%"},
                  {"loss-high", p->loss_high, "%"}};
        for (size_t t = 0; t < sizeof th / sizeof *th; t++)
            if (th[t].v)
                w_printf(o, ", %s: %d%s", th[t].key, th[t].v, th[t].unit);
        w_printf(o, "}   # line %d%s\n", p->line, p->dynamic ? "; dynamic in the backup: the ISP router's address chosen" : "");
    }
    any = false;
    for (size_t g = 0; g < fw->groups.n; g++) {
        const imp_group *p = &fw->groups.v[g];
        if (!group_emitted(fw, p)) {
            w_printf(o, "    # gateway group %s: none of its gateways is imported\n", p->name);
            continue;
        }
        if (!any)
            w_printf(o, "    gateway-groups:\n");
        any = true;
        w_printf(o, "      - {name: %s, trigger: %s, members: [", p->name, p->trigger);
        bool first = true;
        for (size_t m = 0; m < p->members.n; m++)
            if (member_emitted(fw, &p->members.v[m])) {
                w_printf(o, "%s{gateway: %s, tier: %d}", first ? "" : ", ", p->members.v[m].gateway,
                         p->members.v[m].tier);
                first = false;
            }
        w_printf(o, "]}   # line %d\n", p->line);
    }
    char b[20];
    bool routes = false;
    if (w->default_gw[k][0] && w_via_emitted(fw, w->default_gw[k])) {
        w_printf(o, "    routes:\n      - {to: default, via: %s}%s\n", w->default_gw[k],
                 w->default_chosen[k] ? "   # the backup names no default gateway: the first gateway, the automatic choice"
                                      : "");
        routes = true;
    }
    for (size_t r = 0; r < fw->routes.n; r++) {
        const imp_route *p = &fw->routes.v[r];
        if (!w_via_emitted(fw, p->gateway)) {
            w_printf(o, "    # static route to %s via %s (line %d): the gateway is not imported (a WireGuard "
                        "tunnel's routes come from its peers' allowed IPs)\n",
                     w_pfx(p->to, b), p->gateway, p->line);
            continue;
        }
        if (!routes)
            w_printf(o, "    routes:\n");
        routes = true;
        w_printf(o, "      - {to: %s, via: %s}   # staticroutes, line %d\n", w_pfx(p->to, b), p->gateway, p->line);
    }
}

bool w_rule_names_group(const imp_fw *fw)
{
    for (size_t i = 0; i < fw->filter.n; i++)
        for (size_t g = 0; g < fw->groups.n; g++)
            if (!strcmp(fw->filter.v[i].gateway, fw->groups.v[g].name) && w_via_emitted(fw, fw->groups.v[g].name))
                return true;
    return false;
}

bool w_rule_names_gateway(const imp_fw *fw)
{
    for (size_t i = 0; i < fw->filter.n; i++)
        if (fw->filter.v[i].gateway[0] && w_via_emitted(fw, fw->filter.v[i].gateway))
            return true;
    return false;
}

static void emit_options(w_out *o, const imp_fw *fw)
{
    w_out t = {0};
    /* pinned, not left to the default, which follows the newest release
     * modelled (the header says why) */
    if (fw->product == IMP_PFSENSE && w_rule_names_group(fw))
        w_printf(&t, "gateway-semantics: pfsense-2.7");
    /* OPNsense's route-to rules differ from pfSense's for a single gateway
     * and for a group (docs/models.md "Gateway groups and triggers") */
    if (fw->product == IMP_OPNSENSE && w_rule_names_gateway(fw))
        w_printf(&t, "gateway-semantics: opnsense");
    if (fw->state_policy[0])
        w_printf(&t, "%sstate-policy: %s", t.n ? ", " : "", fw->state_policy);
    if (fw->reply_to_off)
        w_printf(&t, "%sreply-to: false", t.n ? ", " : "");
    if (fw->scrub_off)
        w_printf(&t, "%sscrub: false", t.n ? ", " : "");
    if (fw->auto_route_to_off)
        w_printf(&t, "%sauto-route-to: false", t.n ? ", " : "");
    if (fw->preempt_off)
        w_printf(&t, "%scarp-preempt: false", t.n ? ", " : "");
    if (fw->aliases_resolve_interval >= 0)
        w_printf(&t, "%saliases-resolve-interval: %ds", t.n ? ", " : "", fw->aliases_resolve_interval);
    w_out g = {0};
    if (fw->tunnels.n) {
        if (fw->resolve_interval >= 0)
            w_printf(&g, "resolve-interval: %ds", fw->resolve_interval);
        if (fw->resolve_track)
            w_printf(&g, "%sresolve-interval-track: true", g.n ? ", " : "");
        if (fw->interface_group[0])
            w_printf(&g, "%sinterface-group: %s", g.n ? ", " : "", fw->interface_group);
    }
    if (g.n)
        w_printf(&t, "%swireguard: {%s}", t.n ? ", " : "", g.buf);
    if (t.n)
        w_printf(o, "    firewall: {%s}\n", t.buf);
    free(t.buf);
    free(g.buf);
}

static bool filter_iface_ok(const imp_fw *fw, const char *name);

static void nat_line(w_out *o, const imp_fw *fw, const imp_nat_rule *r)
{
    char b[20], a[16];
    if (!filter_iface_ok(fw, r->iface)) {
        w_printf(o, "        # %s: interface %s is not imported\n", r->comment, r->iface);
        return;
    }
    imp_prefix d[IMP_MATCH_MAX];
    bool dany;
    size_t nd = w_resolve(fw, &r->dst, d, IMP_MATCH_MAX, &dany);
    if (!dany && nd != 1) {
        w_printf(o, "        # %s: destination is not one network, not imported\n", r->comment);
        return;
    }
    w_printf(o, "        - {interface: %s", w_fw_iface_name(fw, r->iface));
    if (r->src.kind == IMP_MATCH_SELF)
        w_printf(o, ", source: self");
    else if (r->src.kind == IMP_MATCH_PREFIX)
        w_printf(o, ", source: %s", w_pfx(r->src.prefix, b));
    if (strcmp(r->proto, "any"))
        w_printf(o, ", protocol: %s", r->proto);
    if (r->src.port)
        w_printf(o, ", source-port: %d", r->src.port);
    if (!dany)
        w_printf(o, ", destination: %s", w_pfx(d[0], b));
    if (r->dst.port)
        w_printf(o, ", destination-port: %d", r->dst.port);
    if (!r->translate_iface)
        w_printf(o, ", translate: %s", w_addr(r->translate, a));
    if (r->static_port)
        w_printf(o, ", static-port: true");
    w_printf(o, "}   # %s\n", r->comment);
}

typedef struct nat_ctx {
    w_out *o;
    const imp_fw *fw;
} nat_ctx;

static void nat_auto_cb(void *ctx, const imp_nat_rule *r)
{
    nat_ctx *c = ctx;
    nat_line(c->o, c->fw, r);
}

/* Is a forward's VIP / alias destination written on the node (the checks
 * may have dropped it since the forward was read)? As emit_carp and
 * emit_interfaces decide. */
static bool forward_addr_emitted(const w_world *w, size_t k, const imp_forward *r)
{
    const imp_fw *fw = w->fws[k];
    for (size_t v = 0; v < fw->vips.n; v++) {
        const imp_vip *p = &fw->vips.v[v];
        if (p->addr.addr == r->addr && !strcmp(p->iface, r->iface))
            return emitted_iface(imp_fw_iface(fw, p->iface)) && (p->carp || !alias_on_first(w, k, p));
    }
    return false;
}

/* Port forwards (pf rdr); disabling outbound NAT leaves them working (filter.inc). */
static void emit_forwards(w_out *o, const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    char a[16], b[16];
    w_printf(o, "      forward:\n");
    for (size_t i = 0; i < fw->forwards.n; i++) {
        const imp_forward *r = &fw->forwards.v[i];
        if (!filter_iface_ok(fw, r->iface))
            w_printf(o, "        # %s: interface %s is not imported\n", r->comment, r->iface);
        else if (r->addr && !forward_addr_emitted(w, k, r))
            w_printf(o, "        # %s: destination %s is not imported\n", r->comment, w_addr(r->addr, b));
        else if (r->addr)
            w_printf(o, "        - {interface: %s, protocol: %s, port: %d, to: %s:%d, address: %s}   # %s\n",
                     w_fw_iface_name(fw, r->iface), r->proto, r->port, w_addr(r->to, a), r->to_port,
                     w_addr(r->addr, b), r->comment);
        else
            w_printf(o, "        - {interface: %s, protocol: %s, port: %d, to: %s:%d}   # %s\n",
                     w_fw_iface_name(fw, r->iface), r->proto, r->port, w_addr(r->to, a), r->to_port, r->comment);
    }
}

static void emit_nat(w_out *o, const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    static const char *const modes[] = {"automatic", "hybrid", "manual (advanced)", "disabled"};
    w_printf(o, "    # outbound NAT: %s (%s/nat/outbound/mode)", modes[fw->nat_mode], imp_root(fw));
    if (fw->nat_mode == IMP_NAT_AUTOMATIC || fw->nat_mode == IMP_NAT_HYBRID)
        w_printf(o, "; the automatic rules are the ones %s generates (%s)", imp_product_name(fw),
                 fw->product == IMP_OPNSENSE ? "filter.lib.inc filter_auto_source_nat" : "filter.inc");
    w_printf(o, "\n");
    bool autos = fw->nat_mode == IMP_NAT_AUTOMATIC || fw->nat_mode == IMP_NAT_HYBRID;
    bool has_wan = false;
    for (size_t i = 0; i < fw->ifaces.n; i++)
        has_wan |= fw->ifaces.v[i].wan && emitted_iface(&fw->ifaces.v[i]);
    bool outbound = (fw->nat_mode == IMP_NAT_HYBRID || fw->nat_mode == IMP_NAT_MANUAL) && fw->nat.n;
    outbound |= autos && has_wan;
    if (!outbound && !fw->forwards.n)
        return;
    w_printf(o, "    nat:\n");
    if (outbound) {
        w_printf(o, "      outbound:\n");
        if (fw->nat_mode != IMP_NAT_AUTOMATIC)
            for (size_t i = 0; i < fw->nat.n; i++)
                nat_line(o, fw, &fw->nat.v[i]);
        if (autos) {
            nat_ctx c = {o, fw};
            imp_nat_automatic(fw, nat_auto_cb, &c);
        }
    }
    if (fw->forwards.n)
        emit_forwards(o, w, k);
}

static bool filter_iface_ok(const imp_fw *fw, const char *name)
{
    if (!strcmp(name, "WireGuard"))
        return fw->tunnels.n > 0;
    const imp_iface *f = imp_fw_iface(fw, name);
    if (f && f->wg) {
        for (size_t i = 0; i < fw->tunnels.n; i++)
            if (!strcmp(fw->tunnels.v[i].name, f->driver))
                return true;
        return false;
    }
    return emitted_iface(f);
}

static void emit_filter(w_out *o, const imp_fw *fw)
{
    if (!fw->has_filter)
        return;
    w_printf(o, "    filter:   # the user rules; %s's generated rules (CARP, anti-lockout, the default deny) "
                "are the simulator's\n", imp_product_name(fw));
    if (!fw->filter.n)
        w_printf(o, "      []\n");
    char b[20], c[20];
    for (size_t i = 0; i < fw->filter.n; i++) {
        const imp_filter_rule *r = &fw->filter.v[i];
        if (!filter_iface_ok(fw, r->iface)) {
            w_printf(o, "      # %s: interface %s is not imported\n", r->comment, r->iface);
            continue;
        }
        imp_prefix s[IMP_MATCH_MAX], d[IMP_MATCH_MAX];
        bool sany, dany;
        size_t ns = w_resolve(fw, &r->src, s, IMP_MATCH_MAX, &sany), nd = w_resolve(fw, &r->dst, d, IMP_MATCH_MAX, &dany);
        if ((!sany && !ns) || (!dany && !nd)) {
            w_printf(o, "      # %s: a network of an interface that is not imported\n", r->comment);
            continue;
        }
        for (size_t x = 0; x < (sany ? 1 : ns); x++)
            for (size_t y = 0; y < (dany ? 1 : nd); y++) {
                w_printf(o, "      - {action: %s, interface: %s", r->pass ? "pass" : "block",
                         w_fw_iface_name(fw, r->iface));
                if (strcmp(r->direction, "in"))
                    w_printf(o, ", direction: %s", r->direction);
                if (strcmp(r->proto, "any"))
                    w_printf(o, ", protocol: %s", r->proto);
                if (!sany)
                    w_printf(o, ", src: %s", w_pfx(s[x], b));
                if (r->src.port)
                    w_printf(o, ", src-port: %d", r->src.port);
                if (!dany)
                    w_printf(o, ", dst: %s", w_pfx(d[y], c));
                if (r->dst.port)
                    w_printf(o, ", dst-port: %d", r->dst.port);
                bool routed = r->gateway[0] && w_via_emitted(fw, r->gateway);
                if (routed)
                    w_printf(o, ", gateway: %s", r->gateway);
                w_printf(o, "}   # %s", r->comment);
                if (r->gateway[0] && !routed) /* its gateway is on no imported network (emit_gateways says so) */
                    w_printf(o, "; gateway %s not imported: the routing table decides", r->gateway);
                w_printf(o, "\n");
            }
    }
}

/* One key per tunnel for the whole pair (remote peers pin one public key,
 * so a pair that survives a failover shares it; pfSense-pkg-WireGuard is
 * not synced by XMLRPC, the operator configures both nodes alike),
 * derived from the seed, never the backup's:
 * BLAKE2b-256("wgsim-import-key" || LE64(seed) || first node || 0 || tunnel),
 * clamped as a Curve25519 private key. */
static void derived_key(const w_world *w, const char *tunnel, char out[64])
{
    crypto_generichash_state st;
    uint8_t seed[8], k[32];
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(w->o->seed >> (8 * i));
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"wgsim-import-key", 16);
    crypto_generichash_update(&st, seed, 8);
    crypto_generichash_update(&st, (const uint8_t *)w->node[0], strlen(w->node[0]) + 1);
    crypto_generichash_update(&st, (const uint8_t *)tunnel, strlen(tunnel));
    crypto_generichash_final(&st, k, 32);
    k[0] &= 248;
    k[31] = (uint8_t)((k[31] & 127) | 64);
    sodium_bin2base64(out, 64, k, 32, sodium_base64_VARIANT_ORIGINAL);
}

static const w_remote *remote_of(const w_world *w, const imp_wg_peer *p)
{
    for (size_t r = 0; r < w->remotes.n; r++) {
        const imp_wg_peer *q = w->remotes.v[r].peer;
        if (!strcmp(q->tunnel, p->tunnel) &&
            ((q->has_pub && p->has_pub) ? !memcmp(q->pub_hash, p->pub_hash, 16)
                                        : (!strcmp(q->descr, p->descr) && q->endpoint == p->endpoint)))
            return &w->remotes.v[r];
    }
    return NULL;
}

static void emit_wireguard(w_out *o, const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    if (!fw->tunnels.n)
        return;
    char b[20], a[16], key[64];
    w_printf(o, "    wireguard:\n");
    for (size_t t = 0; t < fw->tunnels.n; t++) {
        const imp_wg_tunnel *p = &fw->tunnels.v[t];
        w_printf(o, "      %s:   # %s, line %d\n        listen-port: %d\n", p->name,
                 fw->product == IMP_OPNSENSE ? "wireguard/server/servers/server" : "tunnels/item", p->line,
                 p->listen_port);
        int len;
        uint32_t ad = w_tunnel_addr(fw, p, &len);
        if (ad)
            w_printf(o, "        address: %s\n", w_pfx((imp_prefix){ad, len}, b));
        if (p->mtu)
            w_printf(o, "        mtu: %d\n", p->mtu);
        if (p->carp_depend_vhid && vhid_emitted(fw, p->carp_depend_vhid))
            w_printf(o, "        carp-depend-on: %d   # carp_depend_on: up only while this vhid is MASTER here\n",
                     p->carp_depend_vhid);
        else if (p->carp_depend_vhid)
            w_printf(o, "        # carp_depend_on: CARP vhid %d is not imported (its VIP or the VIP's interface is "
                        "not): the tunnel stays up\n",
                     p->carp_depend_vhid);
        if (w->n > 1) {
            derived_key(w, p->name, key);
            w_printf(o, "        private-key: %s   # derived from the seed, the same on both nodes (not the "
                        "backups')\n",
                     key);
            sodium_memzero(key, sizeof key);
        }
        bool any = false;
        for (size_t i = 0; i < fw->peers.n; i++) {
            const imp_wg_peer *q = &fw->peers.v[i];
            const w_remote *r = strcmp(q->tunnel, p->name) ? NULL : remote_of(w, q);
            if (!r)
                continue;
            if (!any)
                w_printf(o, "        peers:\n");
            any = true;
            w_printf(o, "          - {node: %s", r->node);
            if (q->has_endpoint)
                w_printf(o, ", endpoint: %s:%d", w_addr(q->endpoint, a), q->port);
            if (q->allowed.n) {
                w_printf(o, ", allowed-ips: [");
                for (size_t x = 0; x < q->allowed.n; x++)
                    w_printf(o, "%s%s", x ? ", " : "", w_pfx(q->allowed.v[x], b));
                w_printf(o, "]");
            }
            if (q->keepalive)
                w_printf(o, ", persistent-keepalive: %d", q->keepalive);
            w_printf(o, "}   # %s, line %d%s\n", fw->product == IMP_OPNSENSE ? "wireguard/client/clients/client" : "peers/item",
                     q->line, q->had_psk ? "; its pre-shared key dropped" : "");
        }
    }
}

void w_emit_firewall(w_out *o, const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    w_printf(o, "  %s:\n    kind: firewall   # %s, %s\n", w->node[k], imp_product_name(fw), fw->file);
    emit_interfaces(o, w, k);
    emit_carp(o, fw);
    emit_gateways(o, w, k);
    if (w->n == 2 && fw->pfsync) {
        const imp_fw *other = w->fws[1 - k];
        bool both = emitted_iface(imp_fw_iface(fw, fw->pfsync_iface)) &&
                    emitted_iface(imp_fw_iface(other, fw->pfsync_iface)) &&
                    (!other->pfsync || !strcmp(other->pfsync_iface, fw->pfsync_iface));
        if (both)
            w_printf(o, "    pfsync: {peer: %s, interface: %s}   # %s/hasync\n", w->node[1 - k], fw->pfsync_iface,
                     imp_root(fw));
        else
            w_printf(o, "    pfsync: %s   # %s/hasync (its interface %s is not on both nodes)\n", w->node[1 - k],
                     imp_root(fw), fw->pfsync_iface);
    } else if (fw->pfsync) {
        char a[16];
        w_printf(o, "    # pfsync to %s (%s/hasync): its peer is not imported\n", w_addr(fw->pfsync_peer, a),
                 imp_root(fw));
    }
    emit_options(o, fw);
    emit_nat(o, w, k);
    emit_filter(o, fw);
    emit_wireguard(o, w, k);
}
