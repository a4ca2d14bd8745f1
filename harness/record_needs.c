/*
 * record_needs.c — which capture points of the run record a scenario run
 * reads (issue 17, "record what is needed, stream the rest"), and the one
 * listener that hands their frames to the readers as they happen.
 *
 * Nothing is stored: every reader keeps what it will show (expect_stream.c,
 * timeline.c). A point is WATCHed when something reads it:
 *   - packets / no-packets expectations: the sender's interfaces (`from`),
 *     the receiver's (`to`) or the segment (`on` alone); their "what the
 *     same capture point carried" explanation reads the same points;
 *   - endpoint expectations explain a failure with the WireGuard packets
 *     the node received: its interfaces, in;
 *   - tunnel expectations explain lost echoes with the packets the pinging
 *     node sent and received around them;
 *   - handshake expectations explain a failure with the handshake messages
 *     the node sent and received;
 *   - the timeline (wgsim run, reports) shows the source of every
 *     handshake message, the WireGuard datagram counter counts what nodes
 *     send, and the phase table (phases.c) reads which node sends each
 *     tunnel's datagrams from which source: the interfaces of nodes with
 *     WireGuard, out; the HTML sequence diagram (seqdiag.c) reads the
 *     handshake messages they receive: the same interfaces, in (watched,
 *     not counted).
 * Other points are OFF: no parsing, no listener. hs_run_options.record_all
 * KEEPs every point in the record as well (the explore shell, tests that
 * read the trace).
 *
 * The trace_records counter counts the frames at the points packets,
 * endpoint and tunnel expectations and the timeline read (every point with
 * record_all): what the record stored before it streamed.
 */
#include <stdlib.h>

#include "harness/runner_internal.h"

#define NEED_IN 0x1u   /* read and counted */
#define NEED_OUT 0x2u
#define WATCH_IN 0x4u  /* read, not counted */
#define WATCH_OUT 0x8u

/* What the listener knows of a point, decided at its first frame. */
typedef struct point_info {
    bool known;
    bool counted;
    int node, seg; /* scenario indices, -1 none */
} point_info;

typedef struct needs {
    hs_world *hw;
    uint8_t *node;  /* [scenario node index]: NEED_* / WATCH_* */
    uint8_t *seg;   /* [scenario segment index]: 1 = read the wire */
    size_t n_node, n_seg;
    point_info *pts; /* [point id] */
    size_t n_pts;
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

/* NEED_* for a point the run counts, WATCH_* for one it only reads, 0. */
static unsigned point_flags(const needs *n, sim_dir dir, int node_id, int seg_id)
{
    if (dir == SIM_DIR_WIRE) {
        int g = seg_index(n->hw, seg_id);
        return g >= 0 && n->seg[g] ? NEED_IN : 0;
    }
    int i = hs_world_node_of(n->hw, node_id);
    if (i < 0)
        return 0;
    unsigned f = n->node[i];
    return dir == SIM_DIR_IN ? f & (NEED_IN | WATCH_IN) : f & (NEED_OUT | WATCH_OUT);
}

static sim_point_mode decide(void *ctx, const sim_trace_point *p)
{
    return point_flags(ctx, p->dir, p->node, p->segment) ? SIM_POINT_WATCH : SIM_POINT_OFF;
}

static const point_info *point_of(needs *n, const sim_trace_rec *r)
{
    if (r->point >= n->n_pts) {
        size_t cap = n->n_pts ? n->n_pts : 16;
        while (cap <= r->point)
            cap *= 2;
        point_info *v = realloc(n->pts, cap * sizeof *v);
        if (!v)
            sim_oom("reading the run record");
        for (size_t i = n->n_pts; i < cap; i++)
            v[i] = (point_info){0};
        n->pts = v;
        n->n_pts = cap;
    }
    point_info *pi = &n->pts[r->point];
    if (!pi->known) {
        hs_world *hw = n->hw;
        unsigned f = point_flags(n, r->dir, r->node, r->segment);
        pi->known = true;
        pi->counted = hw->opt.record_all || (f & (NEED_IN | NEED_OUT));
        pi->node = hs_world_node_of(hw, r->node);
        pi->seg = seg_index(hw, r->segment);
    }
    return pi;
}

hs_frame hs_frame_of(const hs_world *hw, const sim_trace_rec *r)
{
    return (hs_frame){r, hs_world_node_of(hw, r->node), hs_world_node_of(hw, r->origin_node), seg_index(hw, r->segment)};
}

static void on_frame(void *ctx, const sim_trace_rec *r)
{
    hs_world *hw = ctx;
    if (r->dir == SIM_DIR_OUT && r->proto == SIM_IPPROTO_UDP && r->wg_type && r->origin_node == r->node)
        hw->wg_datagrams++;
    const point_info *pi = point_of(hw->needs, r);
    hw->frames_read += pi->counted;
    if (hw->opt.timeline)
        hs_timeline_frame(hw, r);
    hs_frame f = {r, pi->node, hs_world_node_of(hw, r->origin_node), pi->seg};
    hs_stream_frame(hw, &f);
    hs_phases_frame(hw, &f);
    hs_seq_frame(hw, &f);
}

static void mark(needs *n, int scenario_node, uint8_t flags)
{
    if (scenario_node >= 0)
        n->node[scenario_node] |= flags;
}

void hs_record_select(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    needs *n = calloc(1, sizeof *n);
    if (!n)
        sim_oom("choosing what the run reads");
    n->hw = hw;
    n->n_node = s->n_nodes;
    n->n_seg = s->n_segments;
    n->node = calloc(n->n_node ? n->n_node : 1, 1);
    n->seg = calloc(n->n_seg ? n->n_seg : 1, 1);
    if (!n->node || !n->seg)
        sim_oom("choosing what the run reads");
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].n_wg)
            /* in: the handshake messages they receive (seqdiag.c), not counted */
            mark(n, (int)i, (hw->opt.timeline ? NEED_OUT : WATCH_OUT) | WATCH_IN);
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
        case HS_EXP_HANDSHAKE: mark(n, e->u.handshake.node, WATCH_IN | WATCH_OUT); break;
        default: break;
        }
    }
    hw->needs = n;
    hs_stream_init(hw);
    sim_trace_set_listener(hw->w, on_frame, hw);
    if (!hw->opt.record_all)
        sim_trace_set_point_filter(hw->w, decide, n);
}

void hs_record_needs_free(hs_world *hw)
{
    needs *n = hw->needs;
    if (!n)
        return;
    free(n->node);
    free(n->seg);
    free(n->pts);
    free(n);
    hw->needs = NULL;
    hs_stream_free(hw);
}
