/*
 * phases.c — the phase table in words (docs/reports.md): the texts of its
 * cells, shared by the terminal, the Markdown file and the HTML page, the
 * rows the Markdown and HTML tables print (rp_phase_rows), and `wgsim
 * run`'s "phases" section.
 */
#include <stdio.h>
#include <string.h>

#include "reports/reports.h"

const char *rp_phase_side_text(const hs_phase_side *sd, char *buf, size_t len)
{
    if (!sd->serving) {
        snprintf(buf, len, "-");
        return buf;
    }
    /* the serving node and its main source; more sources are counted, so
     * that a phase in which the source changed does not read as steady */
    int n = snprintf(buf, len, "%s %s", sd->serving, sd->sources[0].src);
    if (sd->n_sources > 1 && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (+%zu more)", sd->n_sources - 1);
    return buf;
}

const char *rp_phase_outage_text(const hs_phase_tunnel *t, char *buf, size_t len)
{
    char ts[32];
    if (!t->echoes)
        snprintf(buf, len, "-");
    else if (t->outage < 0)
        snprintf(buf, len, "no answer");
    else
        snprintf(buf, len, "%ss", hs_result_time(t->outage, ts, sizeof ts));
    return buf;
}

const char *rp_phase_event_text(const hs_phase *p) { return p->event ? p->event : "(start)"; }

void rp_phase_rows(const hs_result *r, void (*row)(FILE *out, const rp_phase_row *x), FILE *out)
{
    for (size_t p = 0; p < r->n_phases; p++) {
        const hs_phase *ph = &r->phases[p];
        char a[32], b[32];
        for (size_t t = 0; t < r->n_tunnels; t++) {
            const hs_phase_tunnel *x = &ph->tunnels[t];
            rp_phase_row w = {.event = rp_phase_event_text(ph), .tunnel = r->tunnels[t].name};
            snprintf(w.span, sizeof w.span, "%s–%s s", hs_result_time(ph->start, a, sizeof a),
                     hs_result_time(ph->end, b, sizeof b));
            for (int s = 0; s < 2; s++) {
                rp_phase_side_text(&x->side[s], w.side[s], sizeof w.side[s]);
                w.sent[s] = x->side[s].serving != NULL;
            }
            rp_phase_outage_text(x, w.outage, sizeof w.outage);
            snprintf(w.handshakes, sizeof w.handshakes, "%llu", (unsigned long long)x->handshakes);
            snprintf(w.echoes, sizeof w.echoes, "%llu/%llu", (unsigned long long)x->answered,
                     (unsigned long long)x->echoes);
            row(out, &w);
        }
    }
}

void rp_print_phases(FILE *out, const hs_result *r)
{
    if (!r->n_phases || !r->n_tunnels)
        return;
    fprintf(out, "\nphases (%zu) and tunnels (%zu)\n", r->n_phases, r->n_tunnels);
    for (size_t t = 0; t < r->n_tunnels; t++)
        fprintf(out, "  tunnel %s: side A %s, side B %s\n", r->tunnels[t].name, r->tunnels[t].nodes[0],
                r->tunnels[t].nodes[1]);
    for (size_t p = 0; p < r->n_phases; p++) {
        const hs_phase *ph = &r->phases[p];
        char a[32], b[32];
        fprintf(out, "  %9s - %-9s %s\n", hs_result_time(ph->start, a, sizeof a), hs_result_time(ph->end, b, sizeof b),
                rp_phase_event_text(ph));
        for (size_t t = 0; t < r->n_tunnels; t++) {
            const hs_phase_tunnel *x = &ph->tunnels[t];
            char sa[128], sb[128], o[32];
            fprintf(out, "    %s  A: %s  B: %s  outage %s  handshakes %llu  echoes %llu/%llu\n", r->tunnels[t].name,
                    rp_phase_side_text(&x->side[0], sa, sizeof sa), rp_phase_side_text(&x->side[1], sb, sizeof sb),
                    rp_phase_outage_text(x, o, sizeof o), (unsigned long long)x->handshakes,
                    (unsigned long long)x->answered, (unsigned long long)x->echoes);
        }
    }
}

void rp_print_tunnel_sides(FILE *out, const hs_result *r, void (*text)(FILE *out, const char *s), const char *open,
                           const char *close)
{
    for (size_t t = 0; t < r->n_tunnels; t++) {
        fprintf(out, "%s%s", t ? "; " : "", open);
        text(out, r->tunnels[t].name);
        fprintf(out, "%s (side A: ", close);
        text(out, r->tunnels[t].nodes[0]);
        fputs("; side B: ", out);
        text(out, r->tunnels[t].nodes[1]);
        fputc(')', out);
    }
}
