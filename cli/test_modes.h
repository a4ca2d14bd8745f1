/*
 * test_modes.h — the two ways `wgsim test` runs a scenario more than once:
 * a seed sweep (--seeds, test_sweep.c) and the determinism check
 * (--check-determinism, test_determinism.c). Both use the parallel runner
 * (test_runs.h) and return the command's exit status.
 */
#ifndef WGSIM_CLI_TEST_MODES_H
#define WGSIM_CLI_TEST_MODES_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/scenario_files.h"
#include "harness/runner.h"

/* --seeds 1-100, 1,5,9 or both (1-10,20): the seeds, in the order given. */
typedef struct cli_seeds {
    uint64_t *v;
    size_t n;
    const char *text; /* as given */
} cli_seeds;
/* The most seeds one sweep takes: a typo (1-1000000000) would otherwise
 * run for days before printing the first line. */
#define CLI_MAX_SEEDS 100000
/* false after printing "wgsim test: --seeds: ..." (exit 2). */
bool cli_seeds_parse(const char *arg, cli_seeds *out);
void cli_seeds_free(cli_seeds *s);

/* Every file once per seed: one line per scenario (seeds passed, the
 * failing ones with why and a replay command), the summary, --json when
 * json is not NULL. 0: every seed passed; 1: a seed failed; 2: an error. */
int cli_test_sweep(const cli_files *files, const hs_run_options *opt, int jobs, const cli_seeds *seeds,
                   const char *json);

/* Every file twice, the run records compared byte for byte (docs/
 * running-scenarios.md, "Determinism check"). 0: all the same; 1: a
 * difference (the first one printed); 2: a scenario did not run. */
int cli_test_determinism(const cli_files *files, const hs_run_options *opt, int jobs);

/* The `wgsim run` command that replays one run of file with opt (its seed,
 * perturbation, platform, engine, --strict), shell-quoted where needed. */
char *cli_replay_command(const char *file, const hs_run_options *opt);

#endif
