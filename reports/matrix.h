/*
 * matrix.h — inside libreports: the claims × values table of `wgsim test
 * --matrix` (matrix.c) as the HTML and Markdown reports show it, so that
 * every format counts the cells the same way.
 */
#ifndef REPORTS_MATRIX_H
#define REPORTS_MATRIX_H

#include "reports/reports.h"

/* results[v * n_per + i] is scenario i run with values[v]. A table with a
 * row per claim and a column per value; a cell reads "✓ holds N/M",
 * "✗ fails N/M", "✗ error N/M" or "– skipped N/M" (the mark says it
 * without colour), in HTML with the class passed / failed / error /
 * skipped of the page's style. */
void rp_matrix_html(FILE *out, const char *dimension, hs_result *const *results, size_t n_per,
                    const char *const *values, size_t n_values);
/* The same as a GitHub-flavoured Markdown table, a cell that does not
 * hold in bold. */
void rp_matrix_markdown(FILE *out, const char *dimension, hs_result *const *results, size_t n_per,
                        const char *const *values, size_t n_values);
/* The metadata's value of a matrix run: "freebsd, linux (--matrix: every
 * scenario on each)", each value through `text` (the format's escaper). */
void rp_matrix_values(FILE *out, const rp_run_info *info, void (*text)(FILE *out, const char *s));

#endif /* REPORTS_MATRIX_H */
