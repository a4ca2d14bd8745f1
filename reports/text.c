/*
 * text.c — results for a terminal: the `wgsim test` line per scenario with
 * its failures explained, the summary line, and `wgsim run`'s timeline and
 * verdicts. Plain text, no colour: the output is read in CI logs too.
 */
#include <string.h>

#include "reports/reports.h"

static const char *label(hs_status s)
{
    switch (s) {
    case HS_STATUS_PASSED: return "PASS";
    case HS_STATUS_FAILED: return "FAIL";
    case HS_STATUS_ERROR: return "ERROR";
    case HS_STATUS_SKIPPED: return "SKIP";
    }
    return "?";
}

static void print_lines(FILE *out, const char *indent, const char *text)
{
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "%s%.*s\n", indent, (int)n, p);
        p = nl ? nl + 1 : NULL;
    }
}

static void print_expect(FILE *out, const hs_result *r, const hs_expect_result *e, bool verdict)
{
    char ts[32];
    if (verdict)
        fprintf(out, "  %s %s:%u: %s\n", e->passed ? "ok  " : "FAIL", r->file, e->loc.line, e->what);
    else
        fprintf(out, "    %s:%u: %s\n", r->file, e->loc.line, e->what);
    if (verdict && e->passed) {
        fprintf(out, "         seen: %s\n", e->observed ? e->observed : "");
        return;
    }
    const char *ind = verdict ? "         " : "      ";
    fprintf(out, "%sexpected: %s\n", ind, e->expected ? e->expected : "");
    fprintf(out, "%sseen:     %s\n", ind, e->observed ? e->observed : "");
    for (size_t k = 0; k < e->n_packets; k++)
        fprintf(out, "%s  %9ss  %s\n", ind, hs_result_time(e->packets[k].t, ts, sizeof ts), e->packets[k].text);
}

void rp_print_result(FILE *out, const hs_result *r)
{
    fprintf(out, "%s %s", label(r->status), r->name);
    if (r->claim)
        fprintf(out, " (claim %s)", r->claim);
    fprintf(out, " %.2fs\n", r->wall_seconds);
    if (r->error)
        print_lines(out, "    ", r->error);
    if (r->status == HS_STATUS_FAILED)
        for (size_t i = 0; i < r->n_expects; i++)
            if (!r->expects[i].passed)
                print_expect(out, r, &r->expects[i], false);
}

void rp_print_warnings(FILE *out, const hs_result *r)
{
    char buf[2048];
    for (size_t i = 0; i < r->n_warnings; i++)
        fprintf(out, "%s\n", hs_result_warning(r, i, buf, sizeof buf));
}

void rp_print_summary(FILE *out, hs_result *const *results, size_t n)
{
    size_t passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (results[i]->status == HS_STATUS_PASSED)
            passed++;
        else if (results[i]->status == HS_STATUS_SKIPPED)
            skipped++;
        else
            failed++;
    }
    fprintf(out, "%zu passed, %zu failed", passed, failed);
    if (skipped)
        fprintf(out, ", %zu skipped", skipped);
    fprintf(out, "\n");
}

void rp_print_header(FILE *out, const hs_result *r)
{
    char ts[32];
    fprintf(out, "scenario %s (%s)\n", r->name, r->file);
    if (r->claim)
        fprintf(out, "claim    %s\n", r->claim);
    fprintf(out, "seed     %llu, platform %s, %ss simulated\n", (unsigned long long)r->seed,
            r->platform ? r->platform : "?", hs_result_time(r->sim_duration, ts, sizeof ts));
    if (r->description) {
        /* wrap at ~76 columns */
        const char *p = r->description;
        int col = 0;
        fprintf(out, "\n  ");
        while (*p) {
            const char *sp = p;
            while (*sp && *sp != ' ' && *sp != '\n')
                sp++;
            int w = (int)(sp - p);
            if (col && col + 1 + w > 74) {
                fprintf(out, "\n  ");
                col = 0;
            } else if (col) {
                fputc(' ', out);
                col++;
            }
            fprintf(out, "%.*s", w, p);
            col += w;
            p = sp;
            while (*p == ' ' || *p == '\n')
                p++;
        }
        fprintf(out, "\n");
    }
}

void rp_print_timeline(FILE *out, const hs_result *r) { rp_print_timeline_filtered(out, r, NULL); }

void rp_print_timeline_filtered(FILE *out, const hs_result *r, const rp_timeline_filter *f)
{
    char ts[32];
    size_t shown = 0;
    for (size_t i = 0; i < r->n_timeline; i++)
        shown += rp_timeline_keep(f, &r->timeline[i]);
    if (shown == r->n_timeline) {
        fprintf(out, "\ntimeline (%zu entries)\n", r->n_timeline);
    } else {
        /* the heading says what was left out, so an empty-looking story
         * is not mistaken for a quiet network */
        fprintf(out, "\ntimeline (%zu of %zu entries:", shown, r->n_timeline);
        if (f->n_nodes) {
            fprintf(out, " --only ");
            for (size_t i = 0; i < f->n_nodes; i++)
                fprintf(out, "%s%s", i ? "," : "", f->nodes[i]);
        }
        if (f->n_kinds) {
            fprintf(out, " --kinds ");
            for (size_t i = 0; i < f->n_kinds; i++)
                fprintf(out, "%s%s", i ? "," : "", f->kinds[i]);
        }
        fprintf(out, ")\n");
    }
    for (size_t i = 0; i < r->n_timeline; i++) {
        const hs_timeline_entry *e = &r->timeline[i];
        if (rp_timeline_keep(f, e))
            fprintf(out, "  %9s  %-8s %-8s %s\n", hs_result_time(e->t, ts, sizeof ts), e->node, e->category, e->text);
    }
}

void rp_print_expectations(FILE *out, const hs_result *r)
{
    fprintf(out, "\nexpectations (%zu, %zu failed)\n", r->n_expects, r->n_failed);
    for (size_t i = 0; i < r->n_expects; i++)
        print_expect(out, r, &r->expects[i], true);
    if (r->error) {
        fprintf(out, "\n");
        print_lines(out, "  ", r->error);
    }
}
