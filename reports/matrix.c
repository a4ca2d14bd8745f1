/*
 * matrix.c — `wgsim test --matrix platform=freebsd,openbsd,...`: which
 * claim holds on which stack. Every scenario is run once per value; this
 * file folds the results into a claims × values table for the terminal,
 * the `--json` document ("matrix") and the HTML and Markdown reports
 * (matrix.h).
 *
 * A claim is a row; its scenarios are those that name it (the ones that
 * name none share the row "(none)"). A cell says "holds" when every
 * scenario of the row passed on that value, "fails" when one failed,
 * "error" when none failed but one could not run (bad input), "skipped"
 * when none ran; with the count of scenarios that passed.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json_doc.h"
#include "reports/matrix.h"
#include "reports/reports.h"

#define NO_CLAIM "(none)"

typedef struct cell {
    size_t passed, failed, errors, skipped;
} cell;

typedef struct table {
    const char **claims; /* borrowed from the results */
    size_t n_claims;
    size_t n_values;
    cell *cells; /* [claim * n_values + value] */
} table;

static const char *claim_of(const hs_result *r) { return r->claim ? r->claim : NO_CLAIM; }

static size_t row(table *t, const char *claim)
{
    for (size_t k = 0; k < t->n_claims; k++)
        if (!strcmp(t->claims[k], claim))
            return k;
    return SIZE_MAX;
}

/* results[v * n_per + i] is scenario i run with values[v]. */
static void build(table *t, hs_result *const *results, size_t n_per, size_t n_values)
{
    *t = (table){.n_values = n_values};
    t->claims = calloc(n_per ? n_per : 1, sizeof *t->claims);
    t->cells = calloc((n_per ? n_per : 1) * (n_values ? n_values : 1), sizeof *t->cells);
    if (!t->claims || !t->cells)
        sim_oom("the matrix table");
    /* rows in the order the claims first appear (the files' order) */
    for (size_t i = 0; i < n_per; i++)
        if (row(t, claim_of(results[i])) == SIZE_MAX)
            t->claims[t->n_claims++] = claim_of(results[i]);
    for (size_t v = 0; v < n_values; v++)
        for (size_t i = 0; i < n_per; i++) {
            const hs_result *r = results[v * n_per + i];
            /* the row of the scenario as the first value ran it: a file that
             * does not load has no claim, on every value alike */
            cell *c = &t->cells[row(t, claim_of(results[i])) * n_values + v];
            switch (r->status) {
            case HS_STATUS_PASSED: c->passed++; break;
            case HS_STATUS_FAILED: c->failed++; break;
            case HS_STATUS_ERROR: c->errors++; break;
            case HS_STATUS_SKIPPED: c->skipped++; break;
            }
        }
}

static void release(table *t)
{
    free(t->claims);
    free(t->cells);
}

static const char *verdict(const cell *c)
{
    if (c->failed)
        return "fails";
    if (c->errors)
        return "error";
    if (c->passed)
        return "holds";
    return "skipped";
}

static size_t total(const cell *c) { return c->passed + c->failed + c->errors + c->skipped; }

/* The mark before a cell's verdict in the reports: what a reader without
 * colour (or printing the page) still sees. */
static const char *mark(const cell *c)
{
    if (c->failed || c->errors)
        return "✗";
    return c->passed ? "✓" : "–";
}

/* The page's style class of a cell (html.c: passed, failed, error, skipped). */
static const char *html_class(const cell *c)
{
    if (c->failed)
        return "failed";
    if (c->errors)
        return "error";
    return c->passed ? "passed" : "skipped";
}

static void html_cell(FILE *out, const cell *c)
{
    fprintf(out, "<td class=\"%s\">%s %s %zu/%zu</td>", html_class(c), mark(c), verdict(c), c->passed, total(c));
}

static void markdown_cell(FILE *out, const cell *c)
{
    const char *bold = c->failed || c->errors ? "**" : "";
    fprintf(out, " %s%s %s %zu/%zu%s |", bold, mark(c), verdict(c), c->passed, total(c), bold);
}

/* How a report writes the table: `text` escapes user text (the claims,
 * the values), the strings frame the heading row, the rule under it
 * (Markdown's; NULL: none), each row and the table. */
typedef struct markup {
    void (*text)(FILE *out, const char *s);
    const char *head, *value, *value_end, *head_end;
    const char *rule, *rule_cell, *rule_end;
    const char *row, *claim_end, *row_end, *end;
    void (*cell)(FILE *out, const cell *c);
} markup;

static const markup html = {
    rp_html_text, "<table id=\"matrix\"><tr><th>Claim</th>", "<th>", "</th>", "</tr>\n", NULL, NULL, NULL,
    "<tr><td>", "</td>", "</tr>\n", "</table>\n", html_cell,
};

static const markup markdown = {
    rp_markdown_text, "| Claim |", " ", " |", "\n", "|---|", "---|", "\n", "| ", " |", "\n", "\n", markdown_cell,
};

static void print_table(FILE *out, const markup *mk, hs_result *const *results, size_t n_per,
                        const char *const *values, size_t n_values)
{
    table t;
    build(&t, results, n_per, n_values);
    fputs(mk->head, out);
    for (size_t v = 0; v < n_values; v++) {
        fputs(mk->value, out);
        mk->text(out, values[v]);
        fputs(mk->value_end, out);
    }
    fputs(mk->head_end, out);
    if (mk->rule) {
        fputs(mk->rule, out);
        for (size_t v = 0; v < n_values; v++)
            fputs(mk->rule_cell, out);
        fputs(mk->rule_end, out);
    }
    for (size_t k = 0; k < t.n_claims; k++) {
        fputs(mk->row, out);
        mk->text(out, t.claims[k]);
        fputs(mk->claim_end, out);
        for (size_t v = 0; v < n_values; v++)
            mk->cell(out, &t.cells[k * n_values + v]);
        fputs(mk->row_end, out);
    }
    fputs(mk->end, out);
    release(&t);
}

void rp_matrix_html(FILE *out, const char *dimension, hs_result *const *results, size_t n_per,
                    const char *const *values, size_t n_values)
{
    fputs("<h2>Claims × ", out);
    rp_html_text(out, dimension);
    fputs("s</h2>\n<p>Per claim and ", out);
    rp_html_text(out, dimension);
    fputs(": whether it holds (every scenario with the claim passed), and how many of them passed.</p>\n", out);
    print_table(out, &html, results, n_per, values, n_values);
}

void rp_matrix_markdown(FILE *out, const char *dimension, hs_result *const *results, size_t n_per,
                        const char *const *values, size_t n_values)
{
    fputs("## Claims × ", out);
    rp_markdown_text(out, dimension);
    fputs("s\n\n", out);
    print_table(out, &markdown, results, n_per, values, n_values);
}

void rp_matrix_values(FILE *out, const rp_run_info *info, void (*text)(FILE *out, const char *s))
{
    for (size_t v = 0; v < info->n_values; v++) {
        fputs(v ? ", " : "", out);
        text(out, info->values[v]);
    }
    fputs(" (--matrix: every scenario on each)", out);
}

void rp_print_matrix(FILE *out, const char *dimension, hs_result *const *results, size_t n_per,
                     const char *const *values, size_t n_values)
{
    table t;
    build(&t, results, n_per, n_values);
    /* column widths: the widest of the heading and "holds 10/10" */
    size_t w0 = strlen("claim");
    for (size_t k = 0; k < t.n_claims; k++)
        w0 = strlen(t.claims[k]) > w0 ? strlen(t.claims[k]) : w0;
    fprintf(out, "claims x %ss (scenarios passed of those with the claim):\n", dimension);
    fprintf(out, "  %-*s", (int)w0, "claim");
    size_t *w = calloc(n_values ? n_values : 1, sizeof *w);
    if (!w)
        sim_oom("the matrix table");
    /* the last column unpadded: no trailing blanks */
    for (size_t v = 0; v < n_values; v++) {
        w[v] = v + 1 == n_values ? 0 : strlen(values[v]) > 13 ? strlen(values[v]) : 13;
        fprintf(out, "  %-*s", (int)w[v], values[v]);
    }
    fputc('\n', out);
    for (size_t k = 0; k < t.n_claims; k++) {
        fprintf(out, "  %-*s", (int)w0, t.claims[k]);
        for (size_t v = 0; v < n_values; v++) {
            const cell *c = &t.cells[k * n_values + v];
            char text[64];
            snprintf(text, sizeof text, "%s %zu/%zu", verdict(c), c->passed, total(c));
            fprintf(out, "  %-*s", (int)w[v], text);
        }
        fputc('\n', out);
    }
    free(w);
    release(&t);
}

/* "matrix": {"dimension": "platform", "values": [...], "claims": [{"claim":
 * "C4", "cells": {"linux": {"verdict": "holds", "passed": 3, "failed": 0,
 * "errors": 0, "skipped": 0}, ...}}, ...]} */
static json_t *matrix_json(const char *dimension, hs_result *const *results, size_t n_per,
                           const char *const *values, size_t n_values)
{
    table t;
    build(&t, results, n_per, n_values);
    json_t *m = json_object();
    json_object_set_new(m, "dimension", json_string(dimension));
    json_t *vs = json_array();
    for (size_t v = 0; v < n_values; v++)
        json_array_append_new(vs, json_string(values[v]));
    json_object_set_new(m, "values", vs);
    json_t *rows = json_array();
    for (size_t k = 0; k < t.n_claims; k++) {
        json_t *r = json_object();
        json_object_set_new(r, "claim", rp_json_text(t.claims[k]));
        json_t *cells = json_object();
        for (size_t v = 0; v < n_values; v++) {
            const cell *c = &t.cells[k * n_values + v];
            json_t *x = json_object();
            json_object_set_new(x, "verdict", json_string(verdict(c)));
            json_object_set_new(x, "passed", json_integer((json_int_t)c->passed));
            json_object_set_new(x, "failed", json_integer((json_int_t)c->failed));
            json_object_set_new(x, "errors", json_integer((json_int_t)c->errors));
            json_object_set_new(x, "skipped", json_integer((json_int_t)c->skipped));
            json_object_set_new(cells, values[v], x);
        }
        json_object_set_new(r, "cells", cells);
        json_array_append_new(rows, r);
    }
    json_object_set_new(m, "claims", rows);
    release(&t);
    return m;
}

bool rp_write_json_matrix(const char *path, const char *dimension, hs_result *const *results, size_t n_per,
                          const char *const *values, size_t n_values, char *err, size_t errlen)
{
    json_t *root = rp_json_document(results, n_per * n_values);
    json_object_set_new(root, "matrix", matrix_json(dimension, results, n_per, values, n_values));
    return rp_json_dump(root, path, err, errlen);
}
