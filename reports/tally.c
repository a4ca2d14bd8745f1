/*
 * tally.c — passed / failed / skipped per claim (tally.h), shared by the
 * Markdown and HTML summaries so that the two cannot count differently.
 */
#include <stdlib.h>
#include <string.h>

#include "reports/tally.h"
#include "reports/write_file.h"

void rp_tally_add(rp_tally *t, hs_status s)
{
    if (s == HS_STATUS_PASSED)
        t->passed++;
    else if (s == HS_STATUS_SKIPPED)
        t->skipped++;
    else
        t->failed++;
}

rp_tally *rp_tally_claims(hs_result *const *results, size_t n, size_t *n_claims)
{
    /* a linear search per scenario: n is a suite, not a data set */
    rp_tally *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        sim_oom("counting claims");
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = results[i]->claim;
        size_t k = 0;
        while (k < nv && !(c ? v[k].claim && !strcmp(v[k].claim, c) : !v[k].claim))
            k++;
        if (k == nv)
            v[nv++].claim = c;
        rp_tally_add(&v[k], results[i]->status);
    }
    *n_claims = nv;
    return v;
}

typedef struct summary_args {
    rp_summary_printer print;
    hs_result *const *results;
    size_t n;
    const rp_run_info *info;
} summary_args;

static void print_summary(FILE *f, void *arg)
{
    summary_args *a = arg;
    a->print(f, a->results, a->n, a->info);
}

bool rp_write_summary(const char *path, const char *what, rp_summary_printer print, hs_result *const *results,
                      size_t n, const rp_run_info *info, char *err, size_t errlen)
{
    summary_args a = {print, results, n, info};
    return rp_write_file(path, what, print_summary, &a, err, errlen);
}
