/*
 * nat_auto.c — the outbound NAT rules pfSense generates in automatic mode
 * (and after the configured rules in hybrid mode), from pfSense
 * src/etc/inc/filter.inc:
 *   filter_nat_rules_automatic_tonathosts: the sources are localhost
 *     (127.0.0.0/8: the firewall's own traffic), private networks of
 *     static routes through a gateway on an interface without a gateway,
 *     the network of every interface without a gateway (the LANs) and of
 *     their VIPs outside that network;
 *   filter_nat_rules_outbound_automatic: on every interface with a gateway
 *     (interface_has_gateway), per source, "Auto created rule for ISAKMP"
 *     (destination port 500, static port) then "Auto created rule", both
 *     translating to the interface's address.
 * OPNsense generates them differently (github.com/opnsense/core, src/etc/
 * inc/): filter.lib.inc filter_auto_source_nat takes the sources from the
 * plugins' "networks_source_nat" - plugins.inc.d/pf.inc
 * pf_get_default_nat_outbound_networks: every enabled interface with an
 * IPv4 address (as configured, or as the running interface has it: an
 * assigned WireGuard instance has its tunnel address) and no gateway, then
 * 127.0.0.0/8 - and no static-route or VIP networks; filter.inc
 * filter_configure_sync writes, per interface with a gateway (not ovpn*),
 * the port-500 static-port rule for every source, then the plain rule for
 * every source ("Automatic outbound rule").
 * OpenVPN/IPsec pools are not modelled, so they add no source here (their
 * configuration is listed as unmodelled).
 */
#include <string.h>

#include "import/import.h"

static bool is_private(uint32_t a)
{
    return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168);
}

static void add_src(imp_prefix *v, size_t *n, size_t cap, imp_prefix p)
{
    p.addr &= imp_mask(p.len);
    for (size_t i = 0; i < *n; i++)
        if (v[i].addr == p.addr && v[i].len == p.len)
            return;
    if (*n < cap)
        v[(*n)++] = p;
}

/* pfSense's sources (filter_nat_rules_automatic_tonathosts). */
static size_t pfsense_sources(const imp_fw *fw, imp_prefix *src, size_t cap)
{
    size_t n = 0;
    add_src(src, &n, cap, (imp_prefix){0x7f000000u, 8});
    for (size_t i = 0; i < fw->routes.n; i++) {
        const imp_gateway *g = imp_fw_gateway(fw, fw->routes.v[i].gateway);
        const imp_iface *gi = g ? imp_fw_iface(fw, g->iface) : NULL;
        if (gi && !gi->wan && is_private(fw->routes.v[i].to.addr))
            add_src(src, &n, cap, fw->routes.v[i].to);
    }
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (f->wan || f->kind != IMP_ADDR_STATIC)
            continue;
        add_src(src, &n, cap, f->addr);
        for (size_t v = 0; v < fw->vips.n; v++)
            if (!strcmp(fw->vips.v[v].iface, f->name) && !imp_in_prefix(fw->vips.v[v].addr.addr, f->addr))
                add_src(src, &n, cap, fw->vips.v[v].addr);
    }
    return n;
}

/* OPNsense's sources (pf_get_default_nat_outbound_networks). */
static size_t opnsense_sources(const imp_fw *fw, imp_prefix *src, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (f->wan)
            continue;
        if (f->kind == IMP_ADDR_STATIC)
            add_src(src, &n, cap, f->addr);
        for (size_t t = 0; f->wg && f->kind != IMP_ADDR_STATIC && t < fw->tunnels.n; t++)
            if (!strcmp(fw->tunnels.v[t].name, f->driver))
                for (size_t a = 0; a < fw->tunnels.v[t].addrs.n; a++)
                    add_src(src, &n, cap, fw->tunnels.v[t].addrs.v[a]);
    }
    add_src(src, &n, cap, (imp_prefix){0x7f000000u, 8});
    return n;
}

static void emit_rule(const imp_iface *f, imp_prefix src, bool isakmp, const char *comment,
                      void (*emit)(void *ctx, const imp_nat_rule *r), void *ctx)
{
    imp_nat_rule r = {.translate_iface = true, .automatic = true, .static_port = isakmp};
    imp_copy(r.iface, sizeof r.iface, f->name);
    r.src = (imp_match){.kind = IMP_MATCH_PREFIX, .prefix = src};
    r.dst = (imp_match){.kind = IMP_MATCH_ANY, .port = isakmp ? 500 : 0};
    imp_copy(r.proto, sizeof r.proto, isakmp ? "udp" : "any");
    imp_copy(r.comment, sizeof r.comment, comment);
    emit(ctx, &r);
}

void imp_nat_automatic(const imp_fw *fw, void (*emit)(void *ctx, const imp_nat_rule *r), void *ctx)
{
    imp_prefix src[64];
    bool opn = fw->product == IMP_OPNSENSE;
    size_t n = opn ? opnsense_sources(fw, src, 64) : pfsense_sources(fw, src, 64);
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (!f->wan || f->wg || f->kind != IMP_ADDR_STATIC) /* no address to translate to: no interface */
            continue;
        if (opn) {
            for (size_t s = 0; s < n; s++)
                emit_rule(f, src[s], true, "automatic (port 500, static port)", emit, ctx);
            for (size_t s = 0; s < n; s++)
                emit_rule(f, src[s], false, src[s].addr == 0x7f000000u ? "automatic: localhost (the firewall's own)"
                                                                       : "automatic", emit, ctx);
            continue;
        }
        for (size_t s = 0; s < n; s++) {
            emit_rule(f, src[s], true, "automatic: ISAKMP", emit, ctx);
            emit_rule(f, src[s], false, s ? "automatic" : "automatic: localhost (the firewall's own)", emit, ctx);
        }
    }
}
