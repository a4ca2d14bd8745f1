/*
 * result.c — the results model's memory and small formatting helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

const char *hs_status_name(hs_status s)
{
    switch (s) {
    case HS_STATUS_PASSED: return "passed";
    case HS_STATUS_FAILED: return "failed";
    case HS_STATUS_ERROR: return "error";
    case HS_STATUS_SKIPPED: return "skipped";
    }
    return "?";
}

const char *hs_result_time(int64_t t, char *buf, size_t len)
{
    snprintf(buf, len, "%lld.%03lld", (long long)(t / 1000000000), (long long)((t % 1000000000) / 1000000));
    return buf;
}

void *hs_xcalloc(size_t n, size_t size, const char *what)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        sim_oom(what);
    return p;
}

char *hs_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = malloc((size_t)n + 1);
    if (!s)
        sim_oom("formatting the results");
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void hs_result_add_line(hs_expect_result *e, int64_t t, char *text_owned)
{
    hs_packet_line *v = realloc(e->packets, (e->n_packets + 1) * sizeof *v);
    if (!v) {
        free(text_owned);
        return;
    }
    e->packets = v;
    e->packets[e->n_packets] = (hs_packet_line){.t = t, .text = text_owned};
    e->n_packets++;
}

void hs_result_free(hs_result *r)
{
    if (!r)
        return;
    free(r->file);
    free(r->name);
    free(r->claim);
    free(r->description);
    free(r->platform);
    free(r->perturb);
    free(r->error);
    for (size_t i = 0; i < r->n_expects; i++) {
        hs_expect_result *e = &r->expects[i];
        free(e->what);
        free(e->expected);
        free(e->observed);
        for (size_t k = 0; k < e->n_packets; k++) {
            free(e->packets[k].text);
            hs_fields_free(e->packets[k].reason, e->packets[k].n_reason);
        }
        free(e->packets);
    }
    free(r->expects);
    hs_topology_free(&r->topology);
    for (size_t i = 0; i < r->n_timeline; i++) {
        free(r->timeline[i].node);
        free(r->timeline[i].category);
        free(r->timeline[i].text);
        hs_fields_free(r->timeline[i].reason, r->timeline[i].n_reason);
        hs_fields_free(r->timeline[i].fields, r->timeline[i].n_fields);
    }
    free(r->timeline);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i].msg);
    free(r->warnings);
    hs_phases_free(r);
    hs_series_free(&r->series);
    hs_seq_free(&r->seq);
    free(r);
}

void hs_phases_free(hs_result *r)
{
    for (size_t p = 0; p < r->n_phases; p++) {
        hs_phase *ph = &r->phases[p];
        for (size_t t = 0; ph->tunnels && t < r->n_tunnels; t++)
            for (int k = 0; k < 2; k++) {
                hs_phase_side *sd = &ph->tunnels[t].side[k];
                free(sd->serving);
                for (size_t j = 0; j < sd->n_sources; j++) {
                    free(sd->sources[j].node);
                    free(sd->sources[j].src);
                }
                free(sd->sources);
            }
        free(ph->tunnels);
        free(ph->event);
    }
    free(r->phases);
    for (size_t t = 0; t < r->n_tunnels; t++) {
        free(r->tunnels[t].name);
        free(r->tunnels[t].nodes[0]);
        free(r->tunnels[t].nodes[1]);
    }
    free(r->tunnels);
    r->phases = NULL;
    r->tunnels = NULL;
    r->n_phases = r->n_tunnels = 0;
}

const char *hs_result_warning(const hs_result *r, size_t i, char *buf, size_t len)
{
    const hs_error *w = &r->warnings[i];
    if (w->loc.line)
        snprintf(buf, len, "%s:%u:%u: warning: %s", r->file, w->loc.line, w->loc.col, w->msg);
    else
        snprintf(buf, len, "%s: warning: %s", r->file, w->msg);
    return buf;
}
