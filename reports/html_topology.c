/*
 * html_topology.c — the scenario's topology as an inline SVG
 * (html_topology.h). The layout is fixed arithmetic over the order of the
 * scenario file, so the same scenario draws the same bytes: a column per
 * node in file order, a horizontal bar per segment in file order below the
 * boxes, tunnels as arcs whose height grows with the columns they span so
 * that nested arcs do not overlap. All text is the user's and escaped.
 */
#include <stdio.h>

#include "reports/html_topology.h"
#include "reports/reports.h"

enum {
    COL = 170,      /* column width per node */
    BOX_W = 150,
    LINE = 15,      /* a text line in a box */
    ARC_STEP = 16,  /* arc height per column spanned */
    ARC_MAX = 8,    /* spans above this draw as high as this */
    SEG_GAP = 46,   /* between segment bars */
    MARGIN = 10,
};

static int box_h(const hs_topo_node *n)
{
    return 2 * LINE + 10 + (int)n->n_vips * LINE;
}

static int arc_h(size_t span)
{
    return 14 + (int)(span > ARC_MAX ? ARC_MAX : span) * ARC_STEP;
}

static const char *fill(const char *kind)
{
    return kind[0] == 'f' ? "#dbe9ff" : kind[0] == 'r' ? "#e3f4e4" : "#fff1dc";
}

static void text(FILE *out, int x, int y, const char *cls, const char *s)
{
    fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"%s\">", x, y, cls);
    rp_html_text(out, s);
    fputs("</text>", out);
}

void rp_html_topology(FILE *out, const hs_result *r)
{
    const hs_topology *t = &r->topology;
    if (!t->n_nodes) {
        if (t->scenario_nodes > HS_TOPO_MAX_NODES)
            fprintf(out, "<p class=\"note\">Topology not drawn: %zu nodes (a diagram is drawn up to %d).</p>\n",
                    t->scenario_nodes, HS_TOPO_MAX_NODES);
        return;
    }
    size_t max_span = 0;
    for (size_t k = 0; k < t->n_tunnels; k++)
        if (t->tunnels[k].b - t->tunnels[k].a > max_span)
            max_span = t->tunnels[k].b - t->tunnels[k].a;
    int max_box = 0;
    for (size_t i = 0; i < t->n_nodes; i++)
        if (box_h(&t->nodes[i]) > max_box)
            max_box = box_h(&t->nodes[i]);
    int top = MARGIN + LINE + (t->n_tunnels ? arc_h(max_span) : 0);
    int seg0 = top + max_box + 40;
    int width = 2 * MARGIN + (int)t->n_nodes * COL;
    int height = seg0 + (int)(t->n_segments ? t->n_segments - 1 : 0) * SEG_GAP + 2 * MARGIN;
    fprintf(out,
            "<svg class=\"topology\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\" aria-label=\"topology\">\n",
            width, height, width, height);

    /* segments: a bar from the first to the last node on it */
    for (size_t s = 0; s < t->n_segments; s++) {
        int lo = width, hi = 0, y = seg0 + (int)s * SEG_GAP;
        for (size_t i = 0; i < t->n_nodes; i++)
            for (size_t k = 0; k < t->nodes[i].n_links; k++)
                if (t->nodes[i].links[k].segment == s) {
                    int x = MARGIN + (int)i * COL;
                    lo = x < lo ? x : lo;
                    hi = x + BOX_W > hi ? x + BOX_W : hi;
                }
        if (lo > hi) {
            lo = MARGIN;
            hi = width - MARGIN;
        }
        fprintf(out, "<rect class=\"segment\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"6\" rx=\"3\"/>", lo, y,
                hi - lo);
        text(out, lo, y + 20, "seg", t->segments[s]);
        fputc('\n', out);
    }
    /* nodes and their links: a line per interface, spread over the box */
    for (size_t i = 0; i < t->n_nodes; i++) {
        const hs_topo_node *n = &t->nodes[i];
        int x = MARGIN + (int)i * COL, h = box_h(n);
        for (size_t k = 0; k < n->n_links; k++) {
            int lx = x + (int)((k + 1) * BOX_W / (n->n_links + 1));
            int y = seg0 + (int)n->links[k].segment * SEG_GAP;
            fprintf(out, "<line class=\"link\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", lx, top + h, lx, y);
            text(out, lx + 3, y - 5 - (int)(k % 2) * 11, "ifl", n->links[k].label);
        }
        fprintf(out, "<rect class=\"node\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\" fill=\"%s\"/>", x,
                top, BOX_W, h, fill(n->kind));
        text(out, x + 8, top + LINE + 2, "name", n->name);
        text(out, x + 8, top + 2 * LINE + 2, "kind", n->kind);
        for (size_t k = 0; k < n->n_vips; k++)
            text(out, x + 8, top + (int)(3 + k) * LINE + 2, "vip", n->vips[k]);
        fputc('\n', out);
    }
    /* tunnels: arcs over the boxes, from top centre to top centre */
    for (size_t k = 0; k < t->n_tunnels; k++) {
        const hs_topo_tunnel *tu = &t->tunnels[k];
        int xa = MARGIN + (int)tu->a * COL + BOX_W / 2 + 6, xb = MARGIN + (int)tu->b * COL + BOX_W / 2 - 6;
        int peak = top - arc_h(tu->b - tu->a);
        /* a quadratic curve peaks halfway to its control point */
        fprintf(out, "<path class=\"tunnel\" d=\"M%d %d Q%d %d %d %d\"/>", xa, top, (xa + xb) / 2, 2 * peak - top,
                xb, top);
        text(out, (xa + xb) / 2 - 12, peak - 3, "tl", tu->label);
        fputc('\n', out);
    }
    fputs("</svg>\n", out);
}
