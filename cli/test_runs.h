/*
 * test_runs.h — the parallel runner behind `wgsim test`: N runs on -j
 * threads, each with its own world (the libraries keep no global state),
 * read back in the order they were planned. A plain suite, a --matrix,
 * a --seeds sweep and --check-determinism differ only in what run i is
 * (its file and options: the plan).
 */
#ifndef WGSIM_CLI_TEST_RUNS_H
#define WGSIM_CLI_TEST_RUNS_H

#include <stddef.h>

#include "harness/runner.h"

/* Sets run i's file and changes *opt (a copy of the base options). */
typedef void (*cli_run_plan)(void *plan_arg, size_t i, const char **file, hs_run_options *opt);

typedef struct cli_runs cli_runs;

/* Starts n runs on at most `jobs` threads (with none at all, the first
 * cli_runs_wait runs every one itself). */
cli_runs *cli_runs_start(size_t n, int jobs, const hs_run_options *base, cli_run_plan plan, void *plan_arg);
/* Run i's result, once it is done; the caller owns it. On a terminal, a
 * progress line on stderr while it waits (erased before returning). */
hs_result *cli_runs_wait(cli_runs *c, size_t i);
/* Joins the threads and frees c (every result must have been waited for). */
void cli_runs_finish(cli_runs *c);

#endif
