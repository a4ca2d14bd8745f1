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

void imp_nat_automatic(const imp_fw *fw, void (*emit)(void *ctx, const imp_nat_rule *r), void *ctx)
{
    imp_prefix src[64];
    size_t n = 0;
    add_src(src, &n, 64, (imp_prefix){0x7f000000u, 8});
    for (size_t i = 0; i < fw->routes.n; i++) {
        const imp_gateway *g = imp_fw_gateway(fw, fw->routes.v[i].gateway);
        const imp_iface *gi = g ? imp_fw_iface(fw, g->iface) : NULL;
        if (gi && !gi->wan && is_private(fw->routes.v[i].to.addr))
            add_src(src, &n, 64, fw->routes.v[i].to);
    }
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (f->wan || f->kind != IMP_ADDR_STATIC)
            continue;
        add_src(src, &n, 64, f->addr);
        for (size_t v = 0; v < fw->vips.n; v++)
            if (!strcmp(fw->vips.v[v].iface, f->name) && !imp_in_prefix(fw->vips.v[v].addr.addr, f->addr))
                add_src(src, &n, 64, fw->vips.v[v].addr);
    }
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (!f->wan || f->wg || f->kind != IMP_ADDR_STATIC)
            continue; /* a WAN without an address is not imported */
        for (size_t s = 0; s < n; s++) {
            imp_nat_rule r = {.translate_iface = true, .automatic = true};
            imp_copy(r.iface, sizeof r.iface, f->name);
            r.src = (imp_match){.kind = IMP_MATCH_PREFIX, .prefix = src[s]};
            r.dst = (imp_match){.kind = IMP_MATCH_ANY, .port = 500};
            imp_copy(r.proto, sizeof r.proto, "udp");
            r.static_port = true;
            imp_copy(r.comment, sizeof r.comment, "automatic: ISAKMP");
            emit(ctx, &r);
            r.dst.port = 0;
            r.static_port = false;
            imp_copy(r.proto, sizeof r.proto, "any");
            imp_copy(r.comment, sizeof r.comment, s ? "automatic" : "automatic: localhost (the firewall's own)");
            emit(ctx, &r);
        }
    }
}
