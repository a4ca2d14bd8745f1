/*
 * loader_addresses.c — checks across nodes once every node is loaded: the
 * same address twice on a segment, overlapping networks of one node, CARP
 * VIPs against interfaces and other nodes' vhids, and the interfaces per
 * segment cap (HS_MAX_SEGMENT_IFACES). Each check hashes or sorts, so a
 * file with 100,000 interfaces is checked in about linear time; a mistake
 * is reported at the later value, naming the first one it repeats.
 */
#include "harness/loader_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Address k of interface f: 0 the primary, 1.. the aliases. */
static const wg_ip *iface_addr(const hs_iface *f, size_t k)
{
    return k ? &f->aliases[k - 1].ip : &f->address.ip;
}

/* The key of an address on a segment (or of a vhid on a segment): bytes in
 * the arena, as hs_index keeps pointers to its keys. */
enum { SEG_KEY_LEN = 4 + 1 + 16 };
static const uint8_t *seg_key(L *l, int segment, const wg_ip *ip, int vhid)
{
    uint8_t *k = hs_alloc(l->a, SEG_KEY_LEN);
    memcpy(k, &segment, 4);
    if (ip) {
        k[4] = ip->family;
        memcpy(k + 5, ip->b, ip->family == 4 ? 4 : 16);
    } else {
        k[4] = 0xff; /* a vhid, never an address family */
        k[5] = (uint8_t)vhid;
    }
    return k;
}

typedef struct where {
    int node, iface; /* or node and carp entry */
    size_t k;        /* 0 primary, 1.. alias */
} where;

/* The same address twice on a segment: every address (primary, then
 * aliases, in file order) against those before it, reported at the later
 * one, naming the first. `primary` gets each segment's primary addresses
 * for the CARP checks. */
static void check_duplicate_addresses(L *l, hs_index *primary, where **primary_at)
{
    hs_scenario *s = l->s;
    size_t total = 0;
    for (size_t ni = 0; ni < s->n_nodes; ni++)
        for (size_t i = 0; i < s->nodes[ni].n_ifaces; i++)
            total += 1 + s->nodes[ni].ifaces[i].n_aliases;
    where *at = hs_alloc(l->a, (total ? total : 1) * sizeof *at);
    size_t n_at = 0;
    hs_index all;
    hs_index_init(&all, l->t);
    char b[WG_IP_STRLEN];
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        const hs_node *n = &s->nodes[ni];
        for (size_t i = 0; i < n->n_ifaces; i++) {
            const hs_iface *f = &n->ifaces[i];
            if (f->segment < 0)
                continue;
            for (size_t k = 0; k <= f->n_aliases; k++) {
                const wg_ip *ip = iface_addr(f, k);
                if (!ip->family)
                    continue;
                const uint8_t *key = seg_key(l, f->segment, ip, 0);
                at[n_at] = (where){(int)ni, (int)i, k};
                if (!k)
                    hs_index_put(primary, key, SEG_KEY_LEN, (int)n_at);
                int first = hs_index_put(&all, key, SEG_KEY_LEN, (int)n_at);
                n_at++;
                if (first < 0)
                    continue;
                const hs_node *m = &s->nodes[at[first].node];
                const hs_iface *g = &m->ifaces[at[first].iface];
                size_t kk = at[first].k;
                char idx[24];
                snprintf(idx, sizeof idx, "#%zu", k - 1);
                const yd_node *v = k ? ld_tree_at(l, (int)ni, "interfaces", f->name, "aliases", idx, (const char *)NULL)
                                     : ld_tree_at(l, (int)ni, "interfaces", f->name, "address", (const char *)NULL);
                ld_err(l, v, "%s: %s is already %s of %s.%s (line %u)", k ? "aliases" : "address", wg_ip_format(ip, b),
                       kk ? "an alias" : "the address", m->name, g->name,
                       kk ? g->alias_locs[kk - 1].line : g->address_loc.line);
            }
        }
    }
    *primary_at = at;
}

/* An IPv4 interface network as a range, for the overlap sweep. */
typedef struct net_range {
    uint32_t lo, hi;
    uint8_t len;
    int iface;
} net_range;

static int range_cmp(const void *pa, const void *pb)
{
    const net_range *a = pa, *b = pb;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1; /* the containing network first */
    return a->iface < b->iface ? -1 : a->iface > b->iface;
}

/* Two networks of one node overlapping. Two prefixes overlap only when one
 * contains the other, so after sorting by (start, length) each network is
 * compared with the innermost earlier one still open (a stack): n log n,
 * where comparing every pair was quadratic in a router with 10,000
 * interfaces. Reported at the interface that comes later in the file. */
static void check_overlaps(L *l, size_t ni)
{
    const hs_node *n = &l->s->nodes[ni];
    if (n->n_ifaces < 2)
        return;
    net_range *r = hs_alloc(l->a, n->n_ifaces * sizeof *r), **stack = hs_alloc(l->a, n->n_ifaces * sizeof *stack);
    size_t nr = 0, depth = 0;
    for (size_t i = 0; i < n->n_ifaces; i++) {
        const wg_prefix *p = &n->ifaces[i].address;
        if (p->ip.family != 4) /* not set (its own error): interface addresses are IPv4 */
            continue;
        uint32_t mask = p->len ? UINT32_MAX << (32 - p->len) : 0;
        uint32_t a = wg_ip4_to_u32(&p->ip);
        r[nr++] = (net_range){a & mask, (a & mask) | ~mask, p->len, (int)i};
    }
    qsort(r, nr, sizeof *r, range_cmp);
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    for (size_t i = 0; i < nr; i++) {
        while (depth && stack[depth - 1]->hi < r[i].lo)
            depth--;
        if (depth) {
            const net_range *o = stack[depth - 1];
            const hs_iface *f = &n->ifaces[o->iface > r[i].iface ? o->iface : r[i].iface];
            const hs_iface *g = &n->ifaces[o->iface > r[i].iface ? r[i].iface : o->iface];
            ld_err(l, ld_tree_at(l, (int)ni, "interfaces", f->name, "address", (const char *)NULL),
                   "address: network %s of %s.%s overlaps %s of %s.%s", wg_prefix_format(&f->address, b1), n->name,
                   f->name, wg_prefix_format(&g->address, b2), n->name, g->name);
        }
        stack[depth++] = &r[i];
    }
}

/* CARP: inside its interface's network, not an interface address, one VIP
 * per (segment, vhid) and one vhid per VIP. */
static void check_carp(L *l, const hs_index *primary, const where *primary_at)
{
    hs_scenario *s = l->s;
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    hs_index by_vhid, by_vip; /* (segment, vhid) and (segment, VIP) -> the first CARP entry */
    hs_index_init(&by_vhid, l->t);
    hs_index_init(&by_vip, l->t);
    size_t total = 0;
    for (size_t ni = 0; ni < s->n_nodes; ni++)
        total += s->nodes[ni].n_carp;
    where *at = hs_alloc(l->a, (total ? total : 1) * sizeof *at);
    size_t n_at = 0;
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        hs_node *n = &s->nodes[ni];
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
            const uint8_t *vip = seg_key(l, f->segment, &k->address.ip, 0);
            int p = hs_index_get(primary, vip, SEG_KEY_LEN);
            if (p >= 0) {
                const hs_node *m = &s->nodes[primary_at[p].node];
                const hs_iface *g = &m->ifaces[primary_at[p].iface];
                ld_err(l, av, "address: CARP address %s is also the address of %s.%s (line %u)",
                       wg_ip_format(&k->address.ip, b1), m->name, g->name, g->address_loc.line);
            }
            if (!k->vhid)
                continue;
            at[n_at] = (where){(int)ni, (int)c, 0};
            int o_vhid = hs_index_put(&by_vhid, seg_key(l, f->segment, NULL, k->vhid), SEG_KEY_LEN, (int)n_at);
            int o_vip = hs_index_put(&by_vip, vip, SEG_KEY_LEN, (int)n_at);
            n_at++;
            if (o_vhid >= 0 && at[o_vhid].node != (int)ni) {
                const hs_node *m = &s->nodes[at[o_vhid].node];
                const hs_carp *o = &m->carp[at[o_vhid].iface];
                if (!wg_ip_eq(&o->address.ip, &k->address.ip))
                    ld_err(l, av, "address: vhid %u on segment '%s' is %s on node '%s' but %s here", k->vhid,
                           s->segments[f->segment].name, wg_ip_format(&o->address.ip, b2), m->name,
                           wg_ip_format(&k->address.ip, b1));
            }
            /* One VIP, one vhid: the copy of an HA pair with a different
             * vhid (a typo) validated, and both nodes became MASTER of the
             * same address. */
            if (o_vip >= 0) {
                const hs_node *m = &s->nodes[at[o_vip].node];
                const hs_carp *o = &m->carp[at[o_vip].iface];
                if (o->vhid != k->vhid)
                    ld_err(l, av,
                           "address: CARP address %s on segment '%s' is vhid %u on node '%s' (line %u) but vhid %u "
                           "here; the nodes sharing a VIP must use the same vhid",
                           wg_ip_format(&k->address.ip, b1), s->segments[f->segment].name, o->vhid, m->name,
                           o->vhid_loc.line, k->vhid);
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
    for (size_t ni = 0; ni < l->s->n_nodes; ni++)
        check_overlaps(l, ni);
    hs_index primary;
    hs_index_init(&primary, l->t);
    where *primary_at;
    check_duplicate_addresses(l, &primary, &primary_at);
    check_carp(l, &primary, primary_at);
}
