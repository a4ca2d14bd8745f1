/*
 * markdown.c — `--markdown FILE`: the results as GitHub-flavoured Markdown
 * for a CI job summary or a merge-request comment (docs/reports.md): the
 * totals, the run's metadata, passed / failed / skipped per claim, one row
 * per scenario, the failed expectations, and every scenario's phase table.
 * A `--matrix` run adds the claims × platforms table (matrix.c) after the
 * metadata and names each run's platform in its headings.
 *
 * Names, descriptions, claims and expectation texts are user input: every
 * one goes through md_text, so that none can close a table cell, open a
 * code span, a link or an emphasis, or carry HTML (GitHub renders inline
 * HTML; a description with <script> must stay text). The file holds no
 * wall-clock value: the date is the caller's (--date), so the same run
 * writes the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/matrix.h"
#include "reports/reports.h"
#include "reports/tally.h"

void rp_markdown_text(FILE *out, const char *s)
{
    if (!s)
        return;
    bool start = true; /* a list or heading marker counts at the start only */
    /* trailing white space (a folded YAML description ends with a line
     * break) would only pad the line */
    const unsigned char *end = (const unsigned char *)s + strlen(s);
    while (end > (const unsigned char *)s && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
        end--;
    for (const unsigned char *p = (const unsigned char *)s; p < end; p++) {
        unsigned char c = *p;
        switch (c) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        /* one line: a line break would end the table row or the paragraph */
        case '\n':
        case '\r':
        case '\t': fputc(' ', out); break;
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '|':
        case '~':
        case '#':
        case '!':
            fputc('\\', out);
            fputc(c, out);
            break;
        case '-':
        case '+':
        case '=':
            if (start)
                fputc('\\', out);
            fputc(c, out);
            break;
        default:
            /* other control characters have no place in a report */
            fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
        }
        start = false;
    }
}

/* matrix: as in html.c, the counts are of every value's runs together */
static void md_row_claims(FILE *out, hs_result *const *results, size_t n, bool matrix)
{
    size_t nv;
    rp_tally *v = rp_tally_claims(results, n, &nv);
    fputs(matrix ? "## Claims, every run together\n\n" : "## Claims\n\n", out);
    fprintf(out, "| Claim | Passed | Failed | Skipped |\n|---|---:|---:|---:|\n");
    for (size_t k = 0; k < nv; k++) {
        fputs("| ", out);
        if (v[k].claim)
            rp_markdown_text(out, v[k].claim);
        else
            fputs("(no claim)", out);
        fprintf(out, " | %zu | %zu | %zu |\n", v[k].passed, v[k].failed, v[k].skipped);
    }
    fputc('\n', out);
    free(v);
}

static const char *status_word(hs_status s)
{
    switch (s) {
    case HS_STATUS_PASSED: return "passed";
    case HS_STATUS_FAILED: return "**failed**";
    case HS_STATUS_ERROR: return "**error**";
    case HS_STATUS_SKIPPED: return "skipped";
    }
    return "?";
}

static void md_failures(FILE *out, const hs_result *r)
{
    if (r->status == HS_STATUS_ERROR || r->status == HS_STATUS_SKIPPED) {
        fputs("- ", out);
        rp_markdown_text(out, r->error ? r->error : hs_status_name(r->status));
        fputc('\n', out);
    }
    for (size_t i = 0; i < r->n_expects; i++) {
        const hs_expect_result *e = &r->expects[i];
        if (e->passed)
            continue;
        fputs("- ", out);
        rp_markdown_text(out, r->file);
        fprintf(out, ":%u: ", e->loc.line);
        rp_markdown_text(out, e->what);
        fputs(" — expected ", out);
        rp_markdown_text(out, e->expected);
        fputs(", seen ", out);
        rp_markdown_text(out, e->observed);
        fputc('\n', out);
    }
}

static void md_row(FILE *out, const rp_phase_row *x)
{
    fprintf(out, "| %s | ", x->span);
    rp_markdown_text(out, x->event);
    fputs(" | ", out);
    rp_markdown_text(out, x->tunnel);
    for (int s = 0; s < 2; s++) {
        fputs(" | ", out);
        /* "-" (sent nothing) is ours: escaped it would read "\-" in the raw text */
        if (x->sent[s])
            rp_markdown_text(out, x->side[s]);
        else
            fputs(x->side[s], out);
    }
    fprintf(out, " | %s | %s | %s |\n", x->outage, x->handshakes, x->echoes);
}

static void md_phases(FILE *out, const hs_result *r)
{
    fputs("**Tunnels:** ", out);
    rp_print_tunnel_sides(out, r, rp_markdown_text, "", "");
    fputs("\n\n| Phase | Event | Tunnel | Side A: serving node, source | Side B: serving node, source | Outage "
          "| Handshakes | Echoes answered |\n|---|---|---|---|---|---:|---:|---:|\n",
          out);
    rp_phase_rows(r, md_row, out);
    fputc('\n', out);
}

/* A scenario's heading: its name and, in a matrix run, " on platform P"
 * (the same scenario appears once per value). */
static void md_heading(FILE *out, hs_result *const *results, size_t i, size_t n, const rp_run_info *info)
{
    fputs("### ", out);
    rp_markdown_text(out, results[i]->name);
    if (info && info->n_values) {
        fputs(" on ", out);
        rp_markdown_text(out, info->dimension);
        fputc(' ', out);
        rp_markdown_text(out, info->values[i / (n / info->n_values)]);
    }
}

void rp_print_markdown(FILE *out, hs_result *const *results, size_t n, const rp_run_info *info)
{
    rp_tally all = {0};
    size_t errors = 0;
    for (size_t i = 0; i < n; i++) {
        rp_tally_add(&all, results[i]->status);
        errors += results[i]->status == HS_STATUS_ERROR;
    }
    fprintf(out, "# wgsim results\n\n**%zu passed, %zu failed", all.passed, all.failed);
    if (errors)
        fprintf(out, " (%zu of them errors)", errors);
    fprintf(out, ", %zu skipped**\n\n", all.skipped);
    fputs("| Run | |\n|---|---|\n| wgsim | ", out);
    rp_markdown_text(out, info && info->version ? info->version : "unknown");
    fputs(" |\n| engine | ", out);
    rp_markdown_text(out, info && info->engine ? info->engine : "each scenario's own");
    if (info && info->n_values) {
        fputs(" |\n| ", out);
        rp_markdown_text(out, info->dimension);
        fputs(" | ", out);
        rp_matrix_values(out, info, rp_markdown_text);
    } else {
        fputs(" |\n| platform | ", out);
        rp_markdown_text(out, info && info->platform ? info->platform : "each scenario's default");
    }
    fputs(" |\n| seed | ", out);
    rp_markdown_text(out, info && info->seed ? info->seed : "each scenario's own (see below)");
    fputs(" |\n| date | ", out);
    rp_markdown_text(out, info && info->date ? info->date : "not given");
    fputs(" |\n\n", out);
    if (info && info->section)
        info->section(out, info->section_arg);
    if (info && info->n_values)
        rp_matrix_markdown(out, info->dimension, results, n / info->n_values, info->values, info->n_values);
    md_row_claims(out, results, n, info && info->n_values);

    fputs("## Scenarios\n\n| Result | Scenario | Claim | Seed | Platform | File |\n|---|---|---|---:|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        const hs_result *r = results[i];
        fprintf(out, "| %s | ", status_word(r->status));
        rp_markdown_text(out, r->name);
        fputs(" | ", out);
        rp_markdown_text(out, r->claim ? r->claim : "");
        fprintf(out, " | %llu | ", (unsigned long long)r->seed);
        rp_markdown_text(out, r->platform ? r->platform : "");
        fputs(" | ", out);
        rp_markdown_text(out, r->file);
        fputs(" |\n", out);
    }
    fputc('\n', out);

    bool any = false;
    for (size_t i = 0; i < n; i++)
        if (results[i]->status != HS_STATUS_PASSED) {
            if (!any)
                fputs("## Failures\n\n", out);
            any = true;
            md_heading(out, results, i, n, info);
            fputs("\n\n", out);
            md_failures(out, results[i]);
            fputc('\n', out);
        }

    any = false;
    for (size_t i = 0; i < n; i++) {
        const hs_result *r = results[i];
        if (!r->n_phases || !r->n_tunnels)
            continue;
        if (!any)
            fputs("## Phase tables\n\n", out);
        any = true;
        md_heading(out, results, i, n, info);
        if (r->claim) {
            fputs(" (claim ", out);
            rp_markdown_text(out, r->claim);
            fputc(')', out);
        }
        fprintf(out, " — %s\n\n", hs_status_name(r->status));
        if (r->description) {
            rp_markdown_text(out, r->description);
            fputs("\n\n", out);
        }
        md_phases(out, r);
    }
}

bool rp_write_markdown(const char *path, hs_result *const *results, size_t n, const rp_run_info *info, char *err,
                       size_t errlen)
{
    return rp_write_summary(path, "Markdown", rp_print_markdown, results, n, info, err, errlen);
}
