/*
 * progress.h — what `wgsim test` and `wgsim run` say on a terminal while
 * they work: one line on stderr, rewritten in place and erased before
 * anything else is printed. Nothing when stderr is not a terminal (a pipe,
 * a CI log) or with --quiet, so piped output stays byte for byte the same.
 */
#ifndef WGSIM_CLI_PROGRESS_H
#define WGSIM_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/runner.h"

/* --quiet: no progress line for the rest of the process. */
void cli_progress_quiet(void);
/* Whether a progress line may be shown: stderr is a terminal, no --quiet. */
bool cli_progress_on(void);
/* "ETA 1m05s" for `remaining` of `total` runs after `elapsed` seconds with
 * `done` finished (none finished yet: "ETA unknown"). */
const char *cli_progress_eta(char *buf, size_t len, double elapsed, size_t done, size_t total);

/* `wgsim run`: the simulated time reached, at most every half second of
 * wall time, "  simulated 12.5s of 60s". */
typedef struct cli_run_progress {
    sim_time duration; /* the scenario's */
    double last;       /* cli_clock_seconds of the last line; 0: none yet */
    bool shown;
} cli_run_progress;

/* Sets opt's progress hook to p when cli_progress_on(). */
void cli_run_progress_enable(hs_run_options *opt, cli_run_progress *p, sim_time duration);
/* Erases the line, if one was shown. */
void cli_run_progress_done(cli_run_progress *p);

#endif
