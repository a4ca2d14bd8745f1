/*
 * lint_carp.c — CARP members of one vhid on one segment that will not
 * agree: equal priority (carp-equal-priority), different passwords
 * (carp-password); and a VIP whose prefix length is not its interface's
 * (carp-vip-prefix). The loader already refuses one vhid with two VIPs on
 * a segment and a VIP outside its interface's network.
 */
#include "harness/lint_internal.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct member {
    int seg;
    uint8_t vhid, advbase, advskew;
    int node, carp;
} member;

/* (segment, vhid), then priority, then file order */
static int by_group_priority(const void *pa, const void *pb)
{
    const member *a = pa, *b = pb;
    if (a->seg != b->seg)
        return a->seg < b->seg ? -1 : 1;
    if (a->vhid != b->vhid)
        return a->vhid < b->vhid ? -1 : 1;
    if (a->advbase != b->advbase)
        return a->advbase < b->advbase ? -1 : 1;
    if (a->advskew != b->advskew)
        return a->advskew < b->advskew ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

static const hs_carp *carp_of(const hs_scenario *s, const member *m)
{
    return &s->nodes[m->node].carp[m->carp];
}

/* Equal (advbase, advskew) is a tie: carp_input_c (FreeBSD ip_carp.c)
 * sends a MASTER to BACKUP on an advertisement as frequent as its own,
 * and a BACKUP does not preempt an equal one, so which node holds the VIP
 * depends on who started first, and two that start together both yield
 * (sim/netinet/carp.c carp_input, docs/models.md "CARP"). */
static void equal_priority(const hs_scenario *s, hs_diag *d, const member *v, size_t lo, size_t hi)
{
    for (size_t i = lo + 1; i < hi; i++) {
        size_t first = i - 1;
        if (v[i].advbase != v[first].advbase || v[i].advskew != v[first].advskew)
            continue;
        while (first > lo && v[first - 1].advbase == v[i].advbase && v[first - 1].advskew == v[i].advskew)
            first--;
        const hs_carp *a = carp_of(s, &v[first]), *b = carp_of(s, &v[i]);
        lint_warn(d, lint_carp_where(b), "carp-equal-priority",
                  "carp: vhid %u on segment '%s': '%s' and '%s' (line %u) both advertise advbase %u advskew %u, so "
                  "neither is preferred: a MASTER yields to an equal advertisement, so two that start together "
                  "both fall back and take over again every 3 x advbase, else the first one up keeps the VIP; give "
                  "the backup a higher advskew",
                  b->vhid, s->segments[v[i].seg].name, s->nodes[v[i].node].name, s->nodes[v[first].node].name,
                  lint_carp_where(a).line, b->advbase, b->advskew);
    }
}

/* The password keys each advertisement's HMAC (ip_carp.c carp_hmac_prepare):
 * members with different ones drop each other's advertisements
 * (carp_hmac_verify) and each becomes MASTER. Compared with the group's
 * member first in the file. */
static void passwords(const hs_scenario *s, hs_diag *d, const member *v, size_t lo, size_t hi)
{
    size_t ref = lo;
    for (size_t i = lo + 1; i < hi; i++)
        if (v[i].node < v[ref].node)
            ref = i;
    const hs_carp *r = carp_of(s, &v[ref]);
    for (size_t i = lo; i < hi; i++) {
        const hs_carp *c = carp_of(s, &v[i]);
        if (i == ref || (!c->password && !r->password) ||
            (c->password && r->password && !strcmp(c->password, r->password)))
            continue;
        lint_warn(d, lint_carp_where(c), "carp-password",
                  "carp: vhid %u on segment '%s': the password of '%s' differs from that of '%s' (line %u): each "
                  "drops the other's advertisements (their HMAC does not verify) and both become MASTER",
                  c->vhid, s->segments[v[i].seg].name, s->nodes[v[i].node].name, s->nodes[v[ref].node].name,
                  lint_carp_where(r).line);
    }
}

/* pfSense's documentation of VIP types (firewall/virtual-ip-address-
 * feature-comparison): a CARP VIP's subnet mask must match its
 * interface's. A /32 VIP in a /24 has no network route of its own on the
 * node that holds it. */
static void vip_prefix(const hs_scenario *s, hs_diag *d)
{
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        const hs_node *n = &s->nodes[ni];
        for (size_t c = 0; c < n->n_carp; c++) {
            const hs_carp *k = &n->carp[c];
            if (k->iface < 0 || !k->address.ip.family)
                continue;
            const hs_iface *f = &n->ifaces[k->iface];
            if (!f->address.ip.family || f->address.len == k->address.len ||
                !wg_prefix_contains(&f->address, &k->address.ip))
                continue;
            lint_warn(d, lint_carp_where(k), "carp-vip-prefix",
                      "carp: vhid %u: VIP %s has a different prefix length than its interface %s.%s (%s): pfSense "
                      "requires a CARP VIP's mask to be its interface's",
                      k->vhid, wg_prefix_format(&k->address, b1), n->name, f->name, wg_prefix_format(&f->address, b2));
        }
    }
}

void lint_carp(const hs_scenario *s, hs_diag *d)
{
    size_t total = 0;
    for (size_t ni = 0; ni < s->n_nodes; ni++)
        total += s->nodes[ni].n_carp;
    member *v = malloc((total ? total : 1) * sizeof *v);
    if (!v)
        sim_oom("checking CARP");
    size_t n = 0;
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        const hs_node *nd = &s->nodes[ni];
        for (size_t c = 0; c < nd->n_carp; c++) {
            const hs_carp *k = &nd->carp[c];
            if (k->iface < 0 || nd->ifaces[k->iface].segment < 0 || !k->vhid)
                continue;
            v[n++] = (member){nd->ifaces[k->iface].segment, k->vhid, k->advbase, k->advskew, (int)ni, (int)c};
        }
    }
    /* sorted, each (segment, vhid) is a run: n log n, also for a
     * `count:`-made file with thousands of members */
    qsort(v, n, sizeof *v, by_group_priority);
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        for (hi = lo + 1; hi < n && v[hi].seg == v[lo].seg && v[hi].vhid == v[lo].vhid; hi++)
            ;
        equal_priority(s, d, v, lo, hi);
        passwords(s, d, v, lo, hi);
    }
    free(v);
    vip_prefix(s, d);
}
