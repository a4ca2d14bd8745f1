/*
 * html_seqdiag.c — the scenario's WireGuard handshake messages as an inline
 * SVG sequence diagram (html_topology.h, docs/reports.md "HTML report"),
 * drawn from the messages the runner kept (hs_result.seq,
 * harness/seqdiag.c): a lane per node that sent or received one, time
 * downwards, an arrow per message from the node that built it to the node
 * that received it, one row each in arrival order, labelled with its type
 * and the source it arrived from. A source that is not the endpoint the
 * receiver's configuration has for the sender is drawn red and says
 * "✗ wrong" (not colour alone). The source reason and the expected
 * endpoint are in the arrow's <title> (shown on hover), whole. Every text
 * is escaped; the same run draws the same bytes.
 */
#include <stdio.h>
#include <string.h>

#include "reports/html_topology.h"
#include "reports/reports.h"

enum {
    TIME_W = 80,    /* the arrival times' column */
    PLOT_W = 1070,
    HEAD = 28,      /* the lanes' names */
    ROW = 24,       /* a message */
    MAX_LANES = 12, /* more lanes would be too narrow to read */
};

static double lane_x(size_t lane, size_t n_lanes)
{
    double w = (double)PLOT_W / (double)n_lanes;
    return TIME_W + w * ((double)lane + 0.5);
}

static const char *type_word(int type)
{
    switch (type) {
    case WG_MSG_INITIATION: return "initiation";
    case WG_MSG_RESPONSE: return "response";
    default: return "cookie reply";
    }
}

/* "initiation fw1 → remote at 12.345 s from 203.0.113.2:51820; remote's
 * configured endpoint of fw1: ... (wrong); source: <reason>" */
static void msg_title(FILE *out, const hs_seq *q, const hs_seq_msg *m, bool wrong)
{
    char t[32];
    fprintf(out, "<title>%s ", type_word(m->type));
    rp_html_text(out, q->lanes[m->from]);
    fputs(" → ", out);
    rp_html_text(out, q->lanes[m->to]);
    fprintf(out, " at %s s from ", hs_result_time(m->t, t, sizeof t));
    rp_html_text(out, m->src);
    fputs("; ", out);
    rp_html_text(out, q->lanes[m->to]);
    fputs("'s configured endpoint of ", out);
    rp_html_text(out, q->lanes[m->from]);
    fputs(": ", out);
    if (m->expected) {
        rp_html_text(out, m->expected);
        fputs(wrong ? " (WRONG: the message came from another address)" : " (matches)", out);
    } else {
        fputs("none configured (any source is accepted)", out);
    }
    fputs("; source: ", out);
    rp_html_text(out, m->reason ? m->reason : "not recorded");
    fputs("</title>", out);
}

static void message(FILE *out, const hs_seq *q, const hs_seq_msg *m, size_t n_lanes, double y)
{
    bool wrong = hs_seq_wrong(m);
    double x0 = lane_x(m->from, n_lanes), x1 = lane_x(m->to, n_lanes);
    double dir = x1 > x0 ? 1 : -1;
    char t[32];
    fprintf(out, "<g class=\"msg %s%s\">", m->type == WG_MSG_INITIATION ? "init" : m->type == WG_MSG_RESPONSE ? "resp" : "cookie",
            wrong ? " wrong" : "");
    msg_title(out, q, m, wrong);
    fprintf(out, "<text x=\"4\" y=\"%.0f\" class=\"tick\">%s s</text>", y + 4, hs_result_time(m->t, t, sizeof t));
    fprintf(out, "<line class=\"arrow\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", x0, y, x1 - dir * 6, y);
    fprintf(out, "<polygon class=\"head\" points=\"%.1f,%.0f %.1f,%.0f %.1f,%.0f\"/>", x1, y, x1 - dir * 8, y - 4,
            x1 - dir * 8, y + 4);
    /* the label over the arrow, from its start */
    double lx = dir > 0 ? x0 + 6 : x1 + 10;
    fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" class=\"ml\">%s ", lx, y - 4, type_word(m->type));
    rp_html_text(out, m->src);
    if (wrong) {
        fputs(" <tspan class=\"wrongmark\">✗ wrong, expected ", out);
        rp_html_text(out, m->expected);
        fputs("</tspan>", out);
    }
    fputs("</text></g>\n", out);
}

void rp_html_seqdiag(FILE *out, const hs_result *r)
{
    const hs_seq *q = &r->seq;
    if (r->sim_duration <= 0)
        return;
    if (!q->n_msgs) {
        fputs("<p class=\"note\">Sequence diagram: no WireGuard handshake message was received.</p>\n", out);
        return;
    }
    size_t n_lanes = q->n_lanes < MAX_LANES ? q->n_lanes : MAX_LANES;
    size_t drawn = 0, wrong = 0;
    for (size_t i = 0; i < q->n_msgs; i++)
        if (q->msgs[i].from < n_lanes && q->msgs[i].to < n_lanes)
            drawn++;
    int height = HEAD + (int)drawn * ROW + 8;
    fprintf(out,
            "<svg class=\"seqdiag\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"packet sequence diagram\">\n",
            TIME_W + PLOT_W, height, TIME_W + PLOT_W, height);
    for (size_t l = 0; l < n_lanes; l++) {
        double x = lane_x(l, n_lanes);
        fprintf(out, "<line class=\"life\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, HEAD - 8, x, height);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"name\" text-anchor=\"middle\">", x, HEAD - 12);
        rp_html_text(out, q->lanes[l]);
        fputs("</text>\n", out);
    }
    size_t row = 0;
    for (size_t i = 0; i < q->n_msgs; i++) {
        const hs_seq_msg *m = &q->msgs[i];
        if (m->from >= n_lanes || m->to >= n_lanes)
            continue;
        wrong += hs_seq_wrong(m);
        message(out, q, m, n_lanes, HEAD + (double)row++ * ROW + 12);
    }
    fputs("</svg>\n", out);
    if (wrong)
        fprintf(out,
                "<p class=\"note\">Sequence diagram: %zu message%s arrived from a source that is not the endpoint the "
                "receiver's configuration has for the sender (✗ wrong).</p>\n",
                wrong, wrong == 1 ? "" : "s");
    size_t more = q->dropped + (q->n_msgs - drawn);
    if (more || q->n_lanes > n_lanes)
        fprintf(out, "<p class=\"note\">Sequence diagram: %zu more messages not drawn (%zu kept of %zu, %zu of %zu "
                "lanes drawn).</p>\n",
                more, drawn, q->n_msgs + q->dropped, n_lanes, q->n_lanes);
}
