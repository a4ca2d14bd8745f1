/*
 * topology.c — the scenario's topology copied into its result
 * (hs_result.topology) so that a report can draw it after the world is
 * gone: node names and kinds, the segment each interface is on with its
 * address, the CARP VIPs, and one tunnel per pair of nodes that name each
 * other as WireGuard peers (`node:` entries; a `public-key:` peer names no
 * node of the scenario and draws nothing). Only for scenarios of at most
 * HS_TOPO_MAX_NODES nodes: the search for a pair drawn already is
 * quadratic, which is nothing at that size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

static char *dup_text(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        sim_oom("the topology");
    return d;
}

static void *alloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        sim_oom("the topology");
    return p;
}

void hs_topology_result(const hs_scenario *s, hs_result *r)
{
    hs_topology *t = &r->topology;
    t->scenario_nodes = s->n_nodes;
    if (s->n_nodes > HS_TOPO_MAX_NODES || !s->n_nodes)
        return;
    t->segments = alloc(s->n_segments, sizeof *t->segments);
    for (size_t i = 0; i < s->n_segments; i++)
        t->segments[i] = dup_text(s->segments[i].name);
    t->n_segments = s->n_segments;
    t->nodes = alloc(s->n_nodes, sizeof *t->nodes);
    t->n_nodes = s->n_nodes;
    size_t cap = 0;
    for (size_t i = 0; i < s->n_nodes; i++) {
        const hs_node *n = &s->nodes[i];
        hs_topo_node *tn = &t->nodes[i];
        char a[WG_IP_STRLEN], buf[256];
        tn->name = dup_text(n->name);
        tn->kind = hs_node_kind_name(n->kind);
        tn->links = alloc(n->n_ifaces, sizeof *tn->links);
        for (size_t k = 0; k < n->n_ifaces; k++) {
            const hs_iface *f = &n->ifaces[k];
            if (f->segment < 0)
                continue;
            snprintf(buf, sizeof buf, "%s %s", f->name, wg_prefix_format(&f->address, a));
            tn->links[tn->n_links++] = (hs_topo_link){(size_t)f->segment, dup_text(buf)};
        }
        tn->vips = alloc(n->n_carp, sizeof *tn->vips);
        for (size_t k = 0; k < n->n_carp; k++) {
            snprintf(buf, sizeof buf, "vhid %u %s", n->carp[k].vhid, wg_prefix_format(&n->carp[k].address, a));
            tn->vips[tn->n_vips++] = dup_text(buf);
        }
        for (size_t w = 0; w < n->n_wg; w++)
            for (size_t p = 0; p < n->wg[w].n_peers; p++) {
                int o = n->wg[w].peers[p].node;
                if (o < 0 || (size_t)o == i)
                    continue;
                size_t lo = (size_t)o < i ? (size_t)o : i, hi = (size_t)o < i ? i : (size_t)o;
                size_t k = 0;
                while (k < t->n_tunnels && !(t->tunnels[k].a == lo && t->tunnels[k].b == hi))
                    k++;
                if (k < t->n_tunnels)
                    continue; /* the other side's entry of a tunnel drawn already */
                if (t->n_tunnels == cap) {
                    cap = cap ? 2 * cap : 8;
                    hs_topo_tunnel *v = realloc(t->tunnels, cap * sizeof *v);
                    if (!v)
                        sim_oom("the topology");
                    t->tunnels = v;
                }
                t->tunnels[t->n_tunnels++] = (hs_topo_tunnel){lo, hi, dup_text(n->wg[w].name)};
            }
    }
}

void hs_topology_free(hs_topology *t)
{
    for (size_t i = 0; i < t->n_segments; i++)
        free(t->segments[i]);
    free(t->segments);
    for (size_t i = 0; i < t->n_nodes; i++) {
        for (size_t k = 0; k < t->nodes[i].n_links; k++)
            free(t->nodes[i].links[k].label);
        free(t->nodes[i].links);
        for (size_t k = 0; k < t->nodes[i].n_vips; k++)
            free(t->nodes[i].vips[k]);
        free(t->nodes[i].vips);
        free(t->nodes[i].name);
    }
    free(t->nodes);
    for (size_t i = 0; i < t->n_tunnels; i++)
        free(t->tunnels[i].label);
    free(t->tunnels);
    *t = (hs_topology){0};
}
