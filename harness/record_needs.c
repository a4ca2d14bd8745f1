/*
 * record_needs.c — which capture points of the run record a scenario run
 * needs (issue 17, "record what is needed").
 *
 * A packet is stored only where something will read it:
 *   - packets / no-packets expectations: the sender's interfaces (`from`),
 *     the receiver's (`to`) or the segment (`on` alone); their "what the
 *     same capture point carried" explanation reads the same points;
 *   - endpoint expectations explain a failure with the WireGuard packets
 *     the node received: its interfaces, in;
 *   - tunnel expectations explain lost echoes with the packets the pinging
 *     node sent and received around them;
 *   - the timeline (wgsim run, reports) shows the source of every
 *     handshake message: the interfaces of nodes with WireGuard, out.
 * Other points are OFF: no parsing, no storage. The counters of the result
 * (WireGuard datagrams sent) watch the interfaces of WireGuard nodes
 * without storing them. hs_run_options.record_all keeps every point (the
 * explore shell, tests that read the trace).
 */
#include <stdlib.h>

#include "harness/runner_internal.h"

#define NEED_IN 0x1u
#define NEED_OUT 0x2u
#define WATCH_OUT 0x4u

typedef struct needs {
    hs_world *hw;
    uint8_t *node;  /* [scenario node index]: NEED_* */
    uint8_t *seg;   /* [scenario segment index]: 1 = keep the wire */
    size_t n_node, n_seg;
} needs;

/* The scenario segment of a simulator segment id (made in scenario order). */
static int seg_index(const hs_world *hw, int id)
{
    if (id >= 0 && (size_t)id < hw->s->n_segments && hw->segs[id] && sim_segment_id(hw->segs[id]) == id)
        return id;
    for (size_t i = 0; i < hw->s->n_segments; i++)
        if (hw->segs[i] && sim_segment_id(hw->segs[i]) == id)
            return (int)i;
    return -1;
}

static sim_point_mode decide(void *ctx, const sim_trace_point *p)
{
    const needs *n = ctx;
    if (p->dir == SIM_DIR_WIRE) {
        int g = seg_index(n->hw, p->segment);
        return g >= 0 && n->seg[g] ? SIM_POINT_KEEP : SIM_POINT_OFF;
    }
    int i = hs_world_node_of(n->hw, p->node);
    if (i < 0)
        return SIM_POINT_OFF;
    uint8_t f = n->node[i];
    if (p->dir == SIM_DIR_IN)
        return f & NEED_IN ? SIM_POINT_KEEP : SIM_POINT_OFF;
    return f & NEED_OUT ? SIM_POINT_KEEP : f & WATCH_OUT ? SIM_POINT_WATCH : SIM_POINT_OFF;
}

static void mark(needs *n, int scenario_node, uint8_t flags)
{
    if (scenario_node >= 0)
        n->node[scenario_node] |= flags;
}

static void count_wg(void *ctx, const sim_trace_rec *r)
{
    hs_world *hw = ctx;
    if (r->dir == SIM_DIR_OUT && r->proto == SIM_IPPROTO_UDP && r->wg_type && r->origin_node == r->node)
        hw->wg_datagrams++;
}

void hs_record_select(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    sim_trace_set_listener(hw->w, count_wg, hw);
    if (hw->opt.record_all)
        return;
    needs *n = calloc(1, sizeof *n);
    if (!n)
        sim_oom("choosing what the run record keeps");
    n->hw = hw;
    n->n_node = s->n_nodes;
    n->n_seg = s->n_segments;
    n->node = calloc(n->n_node ? n->n_node : 1, 1);
    n->seg = calloc(n->n_seg ? n->n_seg : 1, 1);
    if (!n->node || !n->seg)
        sim_oom("choosing what the run record keeps");
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].n_wg)
            mark(n, (int)i, hw->opt.timeline ? NEED_OUT : WATCH_OUT);
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        switch (e->kind) {
        case HS_EXP_PACKETS:
        case HS_EXP_NO_PACKETS:
            if (e->u.packets.to >= 0)
                mark(n, e->u.packets.to, NEED_IN);
            else if (e->u.packets.from >= 0)
                mark(n, e->u.packets.from, NEED_OUT);
            else if (e->u.packets.on >= 0)
                n->seg[e->u.packets.on] = 1;
            else
                for (size_t g = 0; g < n->n_seg; g++)
                    n->seg[g] = 1; /* every wire */
            break;
        case HS_EXP_ENDPOINT: mark(n, e->u.endpoint.node, NEED_IN); break;
        case HS_EXP_TUNNEL: mark(n, s->traffic[e->u.tunnel.ping].ping.from, NEED_IN | NEED_OUT); break;
        default: break;
        }
    }
    sim_trace_set_point_filter(hw->w, decide, n);
    hw->needs = n;
}

void hs_record_needs_free(hs_world *hw)
{
    needs *n = hw->needs;
    if (!n)
        return;
    free(n->node);
    free(n->seg);
    free(n);
    hw->needs = NULL;
}
