/*
 * loader_addresses.c — checks across nodes once every node is loaded: the
 * same address twice on a segment, overlapping networks of one node, CARP
 * VIPs against interfaces and other nodes' vhids, and the interfaces per
 * segment cap (HS_MAX_SEGMENT_IFACES).
 */
#include "harness/loader_internal.h"

#include <stdio.h>
#include <string.h>

/* Address k of interface f: 0 the primary, 1.. the aliases. */
static const wg_ip *iface_addr(const hs_iface *f, size_t k)
{
    return k ? &f->aliases[k - 1].ip : &f->address.ip;
}

/* The same address twice on a segment: every address of node ni (primary,
 * then aliases) against every one before it (earlier nodes, interfaces and
 * aliases), reported once, at the later one. */
static void check_duplicate_addresses(L *l, size_t ni)
{
    hs_scenario *s = l->s;
    hs_node *n = &s->nodes[ni];
    char b[WG_IP_STRLEN];
    for (size_t i = 0; i < n->n_ifaces; i++) {
        const hs_iface *f = &n->ifaces[i];
        if (f->segment < 0)
            continue;
        for (size_t k = 0; k <= f->n_aliases; k++) {
            const wg_ip *ip = iface_addr(f, k);
            if (!ip->family)
                continue;
            bool found = false;
            for (size_t mj = 0; mj <= ni && !found; mj++) {
                const hs_node *m = &s->nodes[mj];
                for (size_t j = 0; j < m->n_ifaces && !found && (mj < ni || j <= i); j++) {
                    const hs_iface *g = &m->ifaces[j];
                    if (g->segment != f->segment)
                        continue;
                    for (size_t kk = 0; kk <= g->n_aliases && (mj < ni || j < i || kk < k); kk++) {
                        if (!wg_ip_eq(iface_addr(g, kk), ip))
                            continue;
                        char idx[24];
                        snprintf(idx, sizeof idx, "#%zu", k - 1);
                        const yd_node *at = k ? ld_tree_at(l, (int)ni, "interfaces", f->name, "aliases", idx, (const char *)NULL)
                                              : ld_tree_at(l, (int)ni, "interfaces", f->name, "address", (const char *)NULL);
                        ld_err(l, at, "%s: %s is already %s of %s.%s (line %u)", k ? "aliases" : "address",
                            wg_ip_format(ip, b), kk ? "an alias" : "the address", m->name, g->name,
                            kk ? g->alias_locs[kk - 1].line : g->address_loc.line);
                        found = true;
                        break;
                    }
                }
            }
        }
    }
}

/* At most HS_MAX_SEGMENT_IFACES interfaces per segment; said once per
 * segment, at the first interface beyond the limit. */
void ld_check_segment_sizes(L *l)
{
    hs_scenario *s = l->s;
    if (!s->n_segments)
        return;
    size_t *count = hs_alloc(l->a, s->n_segments * sizeof *count);
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        const hs_node *n = &s->nodes[ni];
        for (size_t i = 0; i < n->n_ifaces; i++) {
            int g = n->ifaces[i].segment;
            if (g < 0 || (size_t)g >= s->n_segments || ++count[g] != HS_MAX_SEGMENT_IFACES + 1)
                continue;
            ld_err(l, ld_tree_at(l, (int)ni, "interfaces", n->ifaces[i].name, "segment", (const char *)NULL),
                "segment: '%s' already has %d interfaces, the most one segment takes (every broadcast is "
                "simulated and traced at each of them); split the nodes over more segments",
                s->segments[g].name, HS_MAX_SEGMENT_IFACES);
        }
    }
}

void ld_check_addresses(L *l)
{
    hs_scenario *s = l->s;
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        hs_node *n = &s->nodes[ni];
        for (size_t i = 0; i < n->n_ifaces; i++) {
            hs_iface *f = &n->ifaces[i];
            if (!f->address.ip.family)
                continue;
            const yd_node *fv = ld_tree_at(l, (int)ni, "interfaces", f->name, "address", (const char *)NULL);
            /* two networks of one node overlapping */
            for (size_t j = 0; j < i; j++) {
                hs_iface *g = &n->ifaces[j];
                if (!g->address.ip.family)
                    continue;
                const wg_prefix *shorter = f->address.len < g->address.len ? &f->address : &g->address;
                const wg_prefix *other = shorter == &f->address ? &g->address : &f->address;
                if (wg_prefix_contains(shorter, &other->ip)) {
                    ld_err(l, fv, "address: network %s of %s.%s overlaps %s of %s.%s", wg_prefix_format(&f->address, b1),
                        n->name, f->name, wg_prefix_format(&g->address, b2), n->name, g->name);
                }
            }
        }
        check_duplicate_addresses(l, ni);
        /* CARP: inside its interface's network, not an interface address, one VIP per (segment, vhid) */
        for (size_t c = 0; c < n->n_carp; c++) {
            hs_carp *k = &n->carp[c];
            char idx[24];
            snprintf(idx, sizeof idx, "#%zu", c);
            const yd_node *av = ld_tree_at(l, (int)ni, "carp", idx, "address", (const char *)NULL);
            if (k->iface < 0 || !k->address.ip.family)
                continue;
            hs_iface *f = &n->ifaces[k->iface];
            if (f->address.ip.family && !wg_prefix_contains(&f->address, &k->address.ip))
                ld_err(l, av, "address: CARP address %s is not in the network of interface '%s' (%s)",
                    wg_ip_format(&k->address.ip, b1), f->name, wg_prefix_format(&f->address, b2));
            /* The checks below compare segments: an interface without a
             * (valid) segment has had its error already, and two such
             * interfaces are not on one segment (found by fuzz_yaml_loader:
             * segments[-1] was read). */
            if (f->segment < 0)
                continue;
            for (size_t mj = 0; mj < s->n_nodes; mj++) {
                hs_node *m = &s->nodes[mj];
                for (size_t j = 0; j < m->n_ifaces; j++)
                    if (m->ifaces[j].segment == f->segment && wg_ip_eq(&m->ifaces[j].address.ip, &k->address.ip))
                        ld_err(l, av, "address: CARP address %s is also the address of %s.%s (line %u)",
                            wg_ip_format(&k->address.ip, b1), m->name, m->ifaces[j].name,
                            m->ifaces[j].address_loc.line);
                for (size_t j = 0; (mj < ni && j < m->n_carp) || (mj == ni && j < c); j++) {
                    hs_carp *o = &m->carp[j];
                    if (o->iface < 0 || m->ifaces[o->iface].segment != f->segment || !o->vhid || !k->vhid)
                        continue;
                    bool same_ip = wg_ip_eq(&o->address.ip, &k->address.ip);
                    if (o->vhid == k->vhid && !same_ip && mj != ni)
                        ld_err(l, av, "address: vhid %u on segment '%s' is %s on node '%s' but %s here", k->vhid,
                            s->segments[f->segment].name, wg_ip_format(&o->address.ip, b2), m->name,
                            wg_ip_format(&k->address.ip, b1));
                    /* One VIP, one vhid: the copy of an HA pair with a
                     * different vhid (a typo) validated, and both nodes
                     * became MASTER of the same address. */
                    else if (o->vhid != k->vhid && same_ip)
                        ld_err(l, av, "address: CARP address %s on segment '%s' is vhid %u on node '%s' (line %u) but vhid %u "
                            "here; the nodes sharing a VIP must use the same vhid",
                            wg_ip_format(&k->address.ip, b1), s->segments[f->segment].name, o->vhid, m->name,
                            o->vhid_loc.line, k->vhid);
                }
            }
        }
    }
}

