/*
 * baseline.h — `--baseline OLD.json` and `--fail-on-regression` of wgsim
 * test and wgsim merge: the comparison with an earlier result, in the
 * Markdown and HTML files and on stdout, and the exit status it gives. One
 * copy, so that a merged suite reports what its unsplit run reports.
 */
#ifndef WGSIM_CLI_BASELINE_H
#define WGSIM_CLI_BASELINE_H

#include <stdbool.h>

#include "cli/run_options.h"
#include "reports/reports.h"

typedef struct cli_baseline {
    const char *label;       /* the --baseline path; NULL: none given */
    rp_result_set *old, *now; /* the baseline, and this run's results */
    rp_comparison counts;    /* what the comparison counted */
} cli_baseline;

/* Reads b->label (when given) before anything runs: a wrong baseline
 * should not cost a suite's time. false after "wgsim CMD: --baseline:
 * reason" on stderr (exit 2). */
bool cli_baseline_load(const char *cmd, cli_baseline *b);
/* Takes the run's results (owned from now on) and hooks the comparison
 * into md's Markdown and HTML sections; nothing without a baseline. */
void cli_baseline_attach(cli_baseline *b, rp_result_set *now, cli_markdown *md);
/* After the summary line: the comparison on stdout; frees both sets. */
void cli_baseline_finish(cli_baseline *b);
/* --fail-on-regression's exit status: 2 when the invocation went wrong
 * (an output file not written), 1 for a regression, else 0. A scenario's
 * ERROR is a verdict here (a regression when it passed before). */
int cli_baseline_status(const cli_baseline *b, bool io_error);

#endif
