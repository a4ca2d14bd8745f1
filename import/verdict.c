/*
 * verdict.c — what an imported firewall's filter does to the packets the
 * scenario's expectations depend on, so that the expectations hold on the
 * network as imported: a backup whose rules pass nothing from the tunnel
 * gets "loss 100%" with the reason, not a test that fails. The rule order
 * and matching are the simulator's (docs/scenario-language.md, "filter":
 * first match; rules on the WireGuard group before those on single
 * interfaces; with rules present, inbound traffic nothing passes is
 * dropped), over the rules exactly as emit_fw.c writes them.
 */
#include <string.h>

#include "import/world.h"

/* The addresses a match stands for on this firewall (NULL list = any). */
size_t w_resolve(const imp_fw *fw, const imp_match *m, imp_prefix *out, size_t cap, bool *any)
{
    *any = false;
    size_t n = 0;
    const imp_iface *f = NULL;
    int len;
    switch (m->kind) {
    case IMP_MATCH_ANY:
        *any = true;
        return 0;
    case IMP_MATCH_PREFIX:
        out[0] = m->prefix;
        return 1;
    case IMP_MATCH_NET:
    case IMP_MATCH_IFADDR:
        f = imp_fw_iface(fw, m->iface);
        if (!f || f->kind != IMP_ADDR_STATIC)
            return 0;
        out[0] = m->kind == IMP_MATCH_NET ? (imp_prefix){f->addr.addr & imp_mask(f->addr.len), f->addr.len}
                                          : (imp_prefix){f->addr.addr, 32};
        return 1;
    case IMP_MATCH_SELF:
        for (size_t i = 0; i < fw->ifaces.n && n < cap; i++)
            if (fw->ifaces.v[i].kind == IMP_ADDR_STATIC)
                out[n++] = (imp_prefix){fw->ifaces.v[i].addr.addr, 32};
        for (size_t i = 0; i < fw->vips.n && n < cap; i++)
            out[n++] = (imp_prefix){fw->vips.v[i].addr.addr, 32};
        for (size_t i = 0; i < fw->tunnels.n && n < cap; i++) {
            uint32_t a = w_tunnel_addr(fw, &fw->tunnels.v[i], &len);
            if (a)
                out[n++] = (imp_prefix){a, 32};
        }
        return n;
    }
    return 0;
}


/* Is tunnel (its scenario name) in the WireGuard interface group?
 * interface-group all (default), none, or unassigned: the tunnels no rule
 * of the node names (the simulator's reading of "unassigned"). */
static bool in_group(const imp_fw *fw, const char *tunnel)
{
    if (!strcmp(fw->interface_group, "none"))
        return false;
    if (strcmp(fw->interface_group, "unassigned"))
        return true;
    for (size_t i = 0; i < fw->filter.n; i++)
        if (!strcmp(w_fw_iface_name(fw, fw->filter.v[i].iface), tunnel))
            return false;
    for (size_t i = 0; i < fw->nat.n; i++)
        if (!strcmp(w_fw_iface_name(fw, fw->nat.v[i].iface), tunnel))
            return false;
    return true;
}

static bool side_matches(const imp_fw *fw, const imp_match *m, uint32_t a, int port)
{
    imp_prefix v[IMP_MATCH_MAX];
    bool any;
    size_t n = w_resolve(fw, m, v, IMP_MATCH_MAX, &any);
    if (m->port && m->port != port)
        return false;
    if (any)
        return true;
    for (size_t i = 0; i < n; i++)
        if (imp_in_prefix(a, v[i]))
            return true;
    return false;
}

static bool rule_matches(const imp_fw *fw, const imp_filter_rule *r, const char *proto, uint32_t src, int sport,
                         uint32_t dst, int dport)
{
    if (!strcmp(r->direction, "out"))
        return false;
    if (strcmp(r->proto, "any") && strcmp(r->proto, proto))
        return false;
    if ((r->src.port || r->dst.port) && strcmp(proto, "udp") && strcmp(proto, "tcp"))
        return false;
    return side_matches(fw, &r->src, src, sport) && side_matches(fw, &r->dst, dst, dport);
}

/* The rule that decides a packet in on iface; NULL: none (default deny). */
static const imp_filter_rule *deciding_rule(const imp_fw *fw, const char *iface, const char *proto, uint32_t src,
                                            int sport, uint32_t dst, int dport)
{
    bool tunnel = false;
    for (size_t t = 0; t < fw->tunnels.n; t++)
        tunnel |= !strcmp(fw->tunnels.v[t].name, iface);
    /* pass 0: the WireGuard group's rules; pass 1: the single interface's */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < fw->filter.n; i++) {
            const imp_filter_rule *r = &fw->filter.v[i];
            bool group = !strcmp(r->iface, "WireGuard");
            if (pass == 0 ? !(group && tunnel && in_group(fw, iface))
                          : (group || strcmp(w_fw_iface_name(fw, r->iface), iface)))
                continue;
            if (rule_matches(fw, r, proto, src, sport, dst, dport))
                return r;
        }
    return NULL;
}

bool w_filter_passes(const imp_fw *fw, const char *iface, const char *proto, uint32_t src, int sport, uint32_t dst,
                     int dport)
{
    if (!fw->has_filter)
        return true;
    const imp_filter_rule *r = deciding_rule(fw, iface, proto, src, sport, dst, dport);
    return r && r->pass;
}

/* pfSense adds no "negate" rule for WireGuard networks (filter.inc
 * filter_get_vpns_list: IPsec, OpenVPN and PPPoE server networks only), so
 * a policy-routed rule sends even tunnel traffic to its gateway. */
const char *w_policy_route(const imp_fw *fw, const char *iface, const char *proto, uint32_t src, int sport,
                           uint32_t dst, int dport)
{
    if (!fw->has_filter)
        return NULL;
    const imp_filter_rule *r = deciding_rule(fw, iface, proto, src, sport, dst, dport);
    return r && r->pass && r->gateway[0] && w_via_emitted(fw, r->gateway) ? r->gateway : NULL;
}

bool w_src_policy_routed(const imp_fw *fw, const char *iface, uint32_t src)
{
    for (size_t i = 0; i < fw->filter.n; i++) {
        const imp_filter_rule *r = &fw->filter.v[i];
        if (r->pass && r->gateway[0] && !strcmp(w_fw_iface_name(fw, r->iface), iface) &&
            side_matches(fw, &r->src, src, r->src.port) && w_via_emitted(fw, r->gateway))
            return true;
    }
    return false;
}

typedef struct nat_probe {
    const imp_fw *fw;
    const char *iface;
    uint32_t src, dst;
    int sport, dport;
    bool done;
    uint32_t out;
} nat_probe;

static void nat_try(void *ctx, const imp_nat_rule *r)
{
    nat_probe *q = ctx;
    if (q->done || strcmp(w_fw_iface_name(q->fw, r->iface), q->iface))
        return;
    if (strcmp(r->proto, "any") && strcmp(r->proto, "udp"))
        return;
    if (r->src.kind == IMP_MATCH_PREFIX && !imp_in_prefix(q->src, r->src.prefix))
        return;
    if ((r->src.port && r->src.port != q->sport) || (r->dst.port && r->dst.port != q->dport))
        return;
    if (!side_matches(q->fw, &(imp_match){.kind = r->dst.kind, .prefix = r->dst.prefix}, q->dst, 0) &&
        r->dst.kind != IMP_MATCH_ANY)
        return;
    q->done = true;
    const imp_iface *f = imp_fw_iface(q->fw, r->iface);
    q->out = r->translate_iface ? (f && f->kind == IMP_ADDR_STATIC ? f->addr.addr : q->src) : r->translate;
}

/* The source address a UDP packet of the firewall's own (src:sport to
 * dst:dport, leaving by iface) has on the wire after outbound NAT, rules
 * in the order emit_fw.c writes them (configured, then automatic). */
uint32_t w_nat_source(const imp_fw *fw, const char *iface, uint32_t src, int sport, uint32_t dst, int dport)
{
    nat_probe q = {fw, iface, src, dst, sport, dport, false, src};
    if (fw->nat_mode == IMP_NAT_DISABLED)
        return src;
    if (fw->nat_mode != IMP_NAT_AUTOMATIC)
        for (size_t i = 0; i < fw->nat.n; i++)
            nat_try(&q, &fw->nat.v[i]);
    if (fw->nat_mode != IMP_NAT_MANUAL)
        imp_nat_automatic(fw, nat_try, &q);
    return q.out;
}
