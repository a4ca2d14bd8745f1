/*
 * html_timeline.c — the scenario's run as an inline SVG timeline
 * (html_topology.h, docs/reports.md "HTML report"), drawn from the series
 * the runner kept (hs_result.series, harness/series.c) and the phases:
 * x is simulated time; a lane per CARP vhid and per gateway with its state
 * as colour bands, a lane per tunnel side (node/interface/peer) with a
 * tick per handshake completed and a dot per endpoint change, a lane per
 * ping with its echoes lost per second, and a dashed vertical line per
 * timeline event. Lanes come in order of first appearance, so the same run
 * draws the same bytes. Every text is escaped; details are in <title>s
 * (the browser shows them on hover).
 */
#include <stdio.h>
#include <string.h>

#include "reports/html_topology.h"
#include "reports/reports.h"

enum {
    LABEL_W = 230,  /* the lane names' column */
    PLOT_W = 900,
    ROW = 20,       /* a lane */
    TOP = 34,       /* the event labels above the first lane */
    AXIS = 26,      /* the time axis below the last lane */
    MAX_LANES = 48, /* a 1,000-peer hub's lanes are not read */
};

typedef struct lane {
    const char *name;
    hs_mark_kind kind;
} lane;

static double xof(int64_t t, int64_t dur)
{
    return LABEL_W + (double)t * PLOT_W / (double)dur;
}

/* The colour of a CARP state (sim/netinet/carp.c carp_state_name: init,
 * backup, master) or a gateway status (sim/pfsense/gateway.c
 * gw_status_name: online, delay, loss, down); "off": the node powered off
 * (drawn as nothing). */
static const char *state_fill(hs_mark_kind k, const char *v)
{
    if (!strcmp(v, "off")) /* harness/series.c: the node powered off */
        return "#ffffff";
    if (k == HS_MARK_CARP)
        return !strcmp(v, "master") ? "#2e9d4f" : !strcmp(v, "backup") ? "#5b8fd6" : "#b0b6bc";
    return !strcmp(v, "down") ? "#c62828" : !strcmp(v, "online") ? "#2e9d4f" : "#f0a030";
}

/* What the colours and marks mean, above the lane names. */
static void legend(FILE *out)
{
    static const struct {
        const char *fill, *what;
    } keys[] = {{"#2e9d4f", "master / online"}, {"#5b8fd6", "backup"}, {"#b0b6bc", "init"},
                {"#f0a030", "delay / loss"},    {"#c62828", "down / echoes lost"}};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int y = 2 + (int)(i % 3) * 10, x = 4 + (int)(i / 3) * 110;
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\" fill=\"%s\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"tick\">%s</text>", x, y, keys[i].fill, x + 11, y + 8, keys[i].what);
    }
    fputs("\n", out);
}

static size_t lane_of(lane *lanes, size_t *n, const char *name, hs_mark_kind k, size_t *dropped)
{
    /* a tunnel's handshakes and endpoint changes share its lane */
    bool tun = k == HS_MARK_HANDSHAKE || k == HS_MARK_ENDPOINT;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(lanes[i].name, name) &&
            (lanes[i].kind == k || (tun && (lanes[i].kind == HS_MARK_HANDSHAKE || lanes[i].kind == HS_MARK_ENDPOINT))))
            return i;
    if (*n == MAX_LANES) {
        (*dropped)++;
        return MAX_LANES;
    }
    lanes[*n] = (lane){name, k};
    return (*n)++;
}

static void label(FILE *out, double y, const char *s)
{
    fprintf(out, "<text x=\"4\" y=\"%.0f\" class=\"lane\">", y + ROW - 6);
    rp_html_text(out, s);
    fputs("</text>", out);
}

static void hover(FILE *out, const char *lane_name, const char *what, int64_t t)
{
    char b[32];
    fputs("<title>", out);
    rp_html_text(out, lane_name);
    fputc(' ', out);
    rp_html_text(out, what);
    fprintf(out, " at %s s</title>", hs_result_time(t, b, sizeof b));
}

/* A state lane: a band from each change to the next one of the lane. */
static void state_lane(FILE *out, const hs_result *r, const lane *ln, double y)
{
    const hs_series *se = &r->series;
    for (size_t i = 0; i < se->n_marks; i++) {
        const hs_mark *m = &se->marks[i];
        if (m->kind != ln->kind || strcmp(m->lane, ln->name))
            continue;
        int64_t end = r->sim_duration;
        for (size_t j = i + 1; j < se->n_marks; j++)
            if (se->marks[j].kind == ln->kind && !strcmp(se->marks[j].lane, ln->name)) {
                end = se->marks[j].t;
                break;
            }
        double x0 = xof(m->t, r->sim_duration), x1 = xof(end, r->sim_duration);
        fprintf(out, "<rect class=\"band\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">", x0,
                y + 3, x1 - x0 > 0.5 ? x1 - x0 : 0.5, ROW - 6, state_fill(m->kind, m->value));
        hover(out, m->lane, m->value, m->t);
        fputs("</rect>", out);
    }
}

static void tunnel_lane(FILE *out, const hs_result *r, const lane *ln, double y)
{
    const hs_series *se = &r->series;
    fprintf(out, "<line class=\"lanebase\" x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\"/>", LABEL_W, y + ROW / 2,
            LABEL_W + PLOT_W, y + ROW / 2);
    for (size_t i = 0; i < se->n_marks; i++) {
        const hs_mark *m = &se->marks[i];
        if ((m->kind != HS_MARK_HANDSHAKE && m->kind != HS_MARK_ENDPOINT) || strcmp(m->lane, ln->name))
            continue;
        double x = xof(m->t, r->sim_duration);
        if (m->kind == HS_MARK_HANDSHAKE) {
            fprintf(out, "<line class=\"hs\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\">", x, y + 3, x,
                    y + ROW - 3);
            hover(out, m->lane, "handshake completed", m->t);
            fputs("</line>", out);
        } else {
            fprintf(out, "<circle class=\"ep\" cx=\"%.1f\" cy=\"%.0f\" r=\"4\">", x, y + ROW / 2);
            char what[96];
            snprintf(what, sizeof what, "endpoint changed to %s", m->value);
            hover(out, m->lane, what, m->t);
            fputs("</circle>", out);
        }
    }
}

/* A ping lane: per run of seconds with the same sent/answered, a green
 * bar (all answered) or a red one whose height is the share lost. */
static void ping_lane(FILE *out, const hs_result *r, const hs_ping_series *p, double y)
{
    size_t s = 0;
    while (s < p->n_seconds) {
        size_t e = s + 1;
        while (e < p->n_seconds && p->sent[e] == p->sent[s] && p->answered[e] == p->answered[s])
            e++;
        if (p->sent[s]) {
            int64_t t0 = (int64_t)s * 1000000000, t1 = (int64_t)e * 1000000000;
            if (t1 > r->sim_duration)
                t1 = r->sim_duration;
            double x0 = xof(t0, r->sim_duration), x1 = xof(t1, r->sim_duration);
            uint32_t lost = p->sent[s] - p->answered[s];
            double h = lost ? (ROW - 6) * (double)lost / p->sent[s] : 3;
            fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
                    lost ? "lost" : "answered", x0, y + ROW - 3 - h, x1 - x0, h);
            char a[32], b[32];
            fputs("<title>ping ", out);
            rp_html_text(out, p->name);
            fprintf(out, ": %u of %u echoes answered per second, %s–%s s</title></rect>", p->answered[s], p->sent[s],
                    hs_result_time(t0, a, sizeof a), hs_result_time(t1, b, sizeof b));
        }
        s = e;
    }
}

static void axis(FILE *out, int64_t dur, double y)
{
    static const int64_t steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400};
    int64_t step = steps[sizeof steps / sizeof *steps - 1];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (dur / (steps[i] * 1000000000) <= 12) {
            step = steps[i];
            break;
        }
    fprintf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\"/>", LABEL_W, y, LABEL_W + PLOT_W,
            y);
    for (int64_t s = 0; s * 1000000000 <= dur; s += step) {
        double x = xof(s * 1000000000, dur);
        fprintf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", x, y, x, y + 4);
        fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" class=\"tick\">%llds</text>", x - 6, y + 16, (long long)s);
    }
}

void rp_html_timeline(FILE *out, const hs_result *r)
{
    const hs_series *se = &r->series;
    int64_t dur = r->sim_duration;
    if (dur <= 0 || (!se->n_marks && !se->n_pings && r->n_phases <= 1))
        return;
    lane lanes[MAX_LANES];
    size_t n = 0, dropped = 0;
    /* state lanes first (CARP, then gateways), then the tunnels */
    static const hs_mark_kind order[] = {HS_MARK_CARP, HS_MARK_GATEWAY, HS_MARK_HANDSHAKE};
    for (size_t o = 0; o < 3; o++)
        for (size_t i = 0; i < se->n_marks; i++) {
            hs_mark_kind k = se->marks[i].kind == HS_MARK_ENDPOINT ? HS_MARK_HANDSHAKE : se->marks[i].kind;
            if (k == order[o])
                lane_of(lanes, &n, se->marks[i].lane, k, &dropped);
        }
    size_t n_pings = 0;
    for (size_t i = 0; i < se->n_pings; i++)
        n_pings += se->pings[i].n_seconds > 0;
    size_t rows = n + n_pings;
    if (rows > MAX_LANES)
        rows = MAX_LANES;
    int height = TOP + (int)rows * ROW + AXIS;
    fprintf(out,
            "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"timeline\">\n",
            LABEL_W + PLOT_W + 24, height, LABEL_W + PLOT_W + 24, height);
    legend(out);
    size_t row = 0;
    for (size_t i = 0; i < n; i++, row++) {
        double y = TOP + (double)row * ROW;
        label(out, y, lanes[i].name);
        if (lanes[i].kind == HS_MARK_HANDSHAKE)
            tunnel_lane(out, r, &lanes[i], y);
        else
            state_lane(out, r, &lanes[i], y);
        fputc('\n', out);
    }
    for (size_t i = 0; i < se->n_pings; i++) {
        if (!se->pings[i].n_seconds)
            continue;
        if (row == MAX_LANES) {
            dropped++;
            continue;
        }
        double y = TOP + (double)row++ * ROW;
        char name[160];
        snprintf(name, sizeof name, "ping %s", se->pings[i].name);
        label(out, y, name);
        ping_lane(out, r, &se->pings[i], y);
        fputc('\n', out);
    }
    /* the timeline's events: the phases' starts, labels staggered */
    for (size_t p = 1; p < r->n_phases; p++) {
        double x = xof(r->phases[p].start, dur);
        fprintf(out, "<line class=\"event\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, TOP - 12 + (int)(p % 2) * 12 - 12,
                x, TOP + (int)rows * ROW);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"ev\">", x + 2, 10 + (int)(p % 2) * 12);
        rp_html_text(out, r->phases[p].event ? r->phases[p].event : "");
        fputs("</text>\n", out);
    }
    axis(out, dur, TOP + (double)rows * ROW + 4);
    fputs("</svg>\n", out);
    dropped += se->pings_dropped;
    if (dropped || se->marks_dropped)
        fprintf(out, "<p class=\"note\">Timeline: %zu more lanes and %zu more marks not drawn.</p>\n", dropped,
                se->marks_dropped);
}
