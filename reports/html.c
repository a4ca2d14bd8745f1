/*
 * html.c — `--html FILE`: the results as one self-contained HTML file for a
 * change request or a CI artifact (docs/reports.md, "HTML report"): the
 * totals and the run's metadata, passed / failed / skipped per claim, then
 * per scenario a <details> (open when it did not pass) with its
 * description, claim, every expectation with its verdict, what was
 * expected and seen and its file:line, its phase table, its timeline
 * (html_timeline.c) and its packet sequence diagram (html_seqdiag.c).
 * A `--matrix` run adds the claims × platforms table (matrix.c) near the
 * top and groups the scenarios under a heading per platform.
 *
 * Self-contained: the style is inline, there is no script, and a
 * Content-Security-Policy of default-src 'none' keeps the browser from
 * loading anything even if a text were ever written unescaped. Every user
 * text goes through rp_html_text. No value is read from the host: the date
 * is the caller's (--date), so the same run writes the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/html_topology.h"
#include "reports/matrix.h"
#include "reports/reports.h"
#include "reports/tally.h"

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24;max-width:1200px}"
    "h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.25em;margin:1.2em 0 .4em}"
    "table{border-collapse:collapse;margin:.4em 0 .8em}"
    "th,td{border:1px solid #c8ccd0;padding:.2em .5em;text-align:left;vertical-align:top}"
    "th{background:#eef1f4}td.n{text-align:right}"
    ".passed{color:#116329}.failed,.error{color:#b00020;font-weight:bold}.skipped{color:#6a737d}"
    ".totals{font-size:1.2em;font-weight:bold}"
    ".regression{background:#ffe3e3;border:1px solid #b00020;padding:.4em .6em}"
    "details{border:1px solid #c8ccd0;border-radius:4px;margin:.4em 0;padding:.2em .6em}"
    "details[open]{padding-bottom:.6em}summary{cursor:pointer}"
    ".desc{white-space:pre-wrap;color:#333}code{font-size:.95em}"
    ".changes li pre{margin:.2em 0;white-space:pre-wrap}"
    "svg.topology{max-width:100%;height:auto;display:block;margin:.4em 0}"
    "svg text{font:12px system-ui,sans-serif;fill:#1b1f24}svg text.name{font-weight:bold}"
    "svg text.kind,svg text.ifl{font-size:10px;fill:#555}svg text.vip{font-size:11px;fill:#0b4f9c}"
    "svg text.seg{font-size:11px;font-weight:bold}svg text.tl{font-size:10px;fill:#7b1fa2}"
    ".segment{fill:#6a737d}.node{stroke:#4a5560}.link{stroke:#6a737d;stroke-width:1.5}"
    ".tunnel{fill:none;stroke:#7b1fa2;stroke-width:2;stroke-dasharray:6 4}"
    "svg.timeline{max-width:100%;height:auto;display:block;margin:.4em 0}"
    "svg text.lane,svg text.tick{font-size:10px}svg text.ev{font-size:10px;fill:#8a4b00}"
    ".lanebase{stroke:#d0d4d8}.hs{stroke:#7b1fa2;stroke-width:2}.ep{fill:#e65100}"
    ".answered{fill:#9fd5ad}.lost{fill:#c62828}.axis{stroke:#6a737d}"
    ".event{stroke:#8a4b00;stroke-dasharray:4 3}"
    "svg.seqdiag{max-width:100%;height:auto;display:block;margin:.4em 0}"
    ".life{stroke:#c8ccd0;stroke-dasharray:3 3}.arrow{stroke:#1b1f24;stroke-width:1.5}.head{fill:#1b1f24}"
    ".msg.resp .arrow{stroke:#0b4f9c}.msg.resp .head{fill:#0b4f9c}svg text.ml{font-size:11px}"
    ".msg.wrong .arrow{stroke:#c62828;stroke-width:2.5}.msg.wrong .head{fill:#c62828}"
    "svg .msg.wrong text.ml,svg .wrongmark{fill:#c62828;font-weight:bold}";

/* One table cell of user text. */
static void td(FILE *out, const char *s)
{
    fputs("<td>", out);
    rp_html_text(out, s);
    fputs("</td>", out);
}

static void meta_row(FILE *out, const char *key, const char *value)
{
    fprintf(out, "<tr><th>%s</th>", key);
    td(out, value);
    fputs("</tr>\n", out);
}

/* The metadata row of a matrix run: the dimension and every value. */
static void matrix_row(FILE *out, const rp_run_info *info)
{
    fputs("<tr><th>", out);
    rp_html_text(out, info->dimension);
    fputs("</th><td>", out);
    rp_matrix_values(out, info, rp_html_text);
    fputs("</td></tr>\n", out);
}

/* matrix: the counts are of every value's runs together (a matrix run
 * says so; the claims × values table above splits them) */
static void claims_table(FILE *out, hs_result *const *results, size_t n, bool matrix)
{
    size_t nv;
    rp_tally *v = rp_tally_claims(results, n, &nv);
    fputs(matrix ? "<h2>Claims, every run together</h2>\n" : "<h2>Claims</h2>\n", out);
    fputs("<table id=\"claims\"><tr><th>Claim</th><th>Passed</th><th>Failed</th><th>Skipped</th></tr>\n",
          out);
    for (size_t k = 0; k < nv; k++) {
        fputs("<tr>", out);
        td(out, v[k].claim ? v[k].claim : "(no claim)");
        fprintf(out, "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n", v[k].passed,
                v[k].failed, v[k].skipped);
    }
    fputs("</table>\n", out);
    free(v);
}

static void expectations(FILE *out, const hs_result *r)
{
    if (r->error) {
        fprintf(out, "<p class=\"%s\">", hs_status_name(r->status));
        rp_html_text(out, r->error);
        fputs("</p>\n", out);
    }
    if (!r->n_expects)
        return;
    fputs("<table class=\"expectations\"><tr><th>Verdict</th><th>Where</th><th>Expectation</th><th>Expected</th>"
          "<th>Seen</th></tr>\n",
          out);
    for (size_t i = 0; i < r->n_expects; i++) {
        const hs_expect_result *e = &r->expects[i];
        const char *v = e->passed ? "passed" : "failed";
        fprintf(out, "<tr><td class=\"%s\">%s</td><td>", v, v);
        rp_html_text(out, r->file);
        fprintf(out, ":%u</td>", e->loc.line);
        td(out, e->what);
        td(out, e->expected);
        td(out, e->observed);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void phase_row(FILE *out, const rp_phase_row *x)
{
    fprintf(out, "<tr><td>%s</td>", x->span);
    td(out, x->event);
    td(out, x->tunnel);
    td(out, x->side[0]);
    td(out, x->side[1]);
    fprintf(out, "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", x->outage,
            x->handshakes, x->echoes);
}

static void phase_table(FILE *out, const hs_result *r)
{
    fputs("<p>Tunnels: ", out);
    rp_print_tunnel_sides(out, r, rp_html_text, "<code>", "</code>");
    fputs("</p>\n<table class=\"phases\"><tr><th>Phase</th><th>Event</th><th>Tunnel</th>"
          "<th>Side A: serving node, source</th><th>Side B: serving node, source</th><th>Outage</th>"
          "<th>Handshakes</th><th>Echoes answered</th></tr>\n",
          out);
    rp_phase_rows(r, phase_row, out);
    fputs("</table>\n", out);
}

/* value: the run's value of the matrix (NULL: no matrix), named in the
 * title so that a collapsed scenario still says where it ran; i counts
 * every run, so the ids stay unique across the values. */
static void scenario(FILE *out, const hs_result *r, size_t i, const rp_run_info *info, const char *value)
{
    const char *st = hs_status_name(r->status);
    /* what needs reading opens by itself */
    fprintf(out, "<details class=\"scenario\" id=\"s%zu\"%s><summary><span class=\"%s\">%s</span> <strong>", i,
            r->status == HS_STATUS_PASSED || r->status == HS_STATUS_SKIPPED ? "" : " open", st, st);
    rp_html_text(out, r->name);
    fputs("</strong>", out);
    if (r->claim) {
        fputs(" (claim ", out);
        rp_html_text(out, r->claim);
        fputc(')', out);
    }
    if (value) {
        fputs(" on ", out);
        rp_html_text(out, info->dimension);
        fputc(' ', out);
        rp_html_text(out, value);
    }
    fputs("</summary>\n<p><code>", out);
    rp_html_text(out, r->file);
    fprintf(out, "</code> — seed %llu", (unsigned long long)r->seed);
    if (r->platform) {
        fputs(", platform ", out);
        rp_html_text(out, r->platform);
    }
    char d[32];
    fprintf(out, ", %s s simulated</p>\n", hs_result_time(r->sim_duration, d, sizeof d));
    if (r->description) {
        fputs("<p class=\"desc\">", out);
        rp_html_text(out, r->description);
        fputs("</p>\n", out);
    }
    rp_html_topology(out, r);
    expectations(out, r);
    if (r->n_phases && r->n_tunnels)
        phase_table(out, r);
    rp_html_timeline(out, r);
    rp_html_seqdiag(out, r);
    fputs("</details>\n", out);
}

void rp_html_head(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          /* nothing may be fetched: the file must open offline, mailed or archived */
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    rp_html_text(out, title);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
}

void rp_print_html(FILE *out, hs_result *const *results, size_t n, const rp_run_info *info)
{
    rp_tally all = {0};
    size_t errors = 0;
    for (size_t i = 0; i < n; i++) {
        rp_tally_add(&all, results[i]->status);
        errors += results[i]->status == HS_STATUS_ERROR;
    }
    rp_html_head(out, "wgsim results");
    fprintf(out, "<h1>wgsim results</h1>\n<p class=\"totals\" id=\"summary\">%zu passed, %zu failed", all.passed,
            all.failed);
    if (errors)
        fprintf(out, " (%zu of them errors)", errors);
    fprintf(out, ", %zu skipped</p>\n", all.skipped);
    /* a regression is the first thing to read */
    if (info && info->html_section)
        info->html_section(out, info->section_arg);
    fputs("<table id=\"run\">\n", out);
    meta_row(out, "wgsim", info && info->version ? info->version : "unknown");
    meta_row(out, "commit", info && info->commit ? info->commit : "unknown");
    meta_row(out, "engine", info && info->engine ? info->engine : "each scenario's own");
    if (info && info->n_values)
        matrix_row(out, info);
    else
        meta_row(out, "platform", info && info->platform ? info->platform : "each scenario's default");
    meta_row(out, "seed", info && info->seed ? info->seed : "each scenario's own (see below)");
    meta_row(out, "date", info && info->date ? info->date : "not given");
    fputs("</table>\n", out);
    size_t n_values = info ? info->n_values : 0;
    size_t n_per = n_values ? n / n_values : n;
    if (n_values)
        rp_matrix_html(out, info->dimension, results, n_per, info->values, n_values);
    claims_table(out, results, n, n_values > 0);
    if (!n_values)
        fputs("<h2>Scenarios</h2>\n", out);
    for (size_t i = 0; i < n; i++) {
        const char *value = n_values ? info->values[i / n_per] : NULL;
        if (n_values && i % n_per == 0) {
            /* a heading per value, the index as its id (a value is text) */
            fprintf(out, "<h2 class=\"matrix-value\" id=\"v%zu\">Scenarios on ", i / n_per);
            rp_html_text(out, info->dimension);
            fputc(' ', out);
            rp_html_text(out, value);
            fputs("</h2>\n", out);
        }
        scenario(out, results[i], i, info, value);
    }
    fputs("</body>\n</html>\n", out);
}

bool rp_write_html(const char *path, hs_result *const *results, size_t n, const rp_run_info *info, char *err,
                   size_t errlen)
{
    return rp_write_summary(path, "HTML", rp_print_html, results, n, info, err, errlen);
}
