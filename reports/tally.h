/*
 * tally.h — inside libreports: the counts per claim the Markdown and HTML
 * summaries show, and their file writer.
 */
#ifndef REPORTS_TALLY_H
#define REPORTS_TALLY_H

#include "reports/reports.h"

typedef struct rp_tally {
    const char *claim; /* NULL: scenarios without a claim */
    size_t passed, failed, skipped;
} rp_tally;

/* Counts s; an error counts as failed, as in the terminal. */
void rp_tally_add(rp_tally *t, hs_status s);
/* One tally per claim in the order claims first appear (*n of them; free
 * the array). */
rp_tally *rp_tally_claims(hs_result *const *results, size_t n, size_t *n_claims);

/* A summary printer (rp_print_markdown, rp_print_html) into path through
 * rp_write_file; false with "PATH: reason" in err. */
typedef void (*rp_summary_printer)(FILE *out, hs_result *const *results, size_t n, const rp_run_info *info);
bool rp_write_summary(const char *path, const char *what, rp_summary_printer print, hs_result *const *results,
                      size_t n, const rp_run_info *info, char *err, size_t errlen);

#endif /* REPORTS_TALLY_H */
