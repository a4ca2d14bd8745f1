/*
 * test_shard.h — `wgsim test --shard K/N`: which scenario files this
 * runner's share holds (test_shard.c says how the files are balanced).
 */
#ifndef WGSIM_CLI_TEST_SHARD_H
#define WGSIM_CLI_TEST_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/scenario_files.h"

typedef struct cli_shard {
    size_t k, n; /* share k (1-based) of n; n == 0: no --shard */
    size_t total;      /* files in the whole suite (set by cli_shard_select) */
    size_t *positions; /* [i]: where kept file i stood in it (0-based) */
} cli_shard;

/* "K/N" with 1 <= K <= N <= 10000; false with a message on stderr. */
bool cli_shard_parse(const char *arg, cli_shard *out);
/* Keeps in *files (in their order) only share sh->k of sh->n; sets
 * sh->total and sh->positions (freed by cli_shard_free). */
void cli_shard_select(cli_shard *sh, cli_files *files);
void cli_shard_free(cli_shard *sh);

#endif
