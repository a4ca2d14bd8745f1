/*
 * test_shard.c — `wgsim test --shard K/N`: the K-th of N deterministic,
 * balanced shares of the scenario files, so N CI runners together run the
 * suite once (test_shard.h).
 *
 * Balanced by simulated duration, the one cost every shard can know
 * without running anything (wall time differs between machines; the
 * duration is in the file). Greedy longest-first: the files sorted by
 * duration (longest first, ties by path), each into the bin with the least
 * simulated time so far (ties: the lowest bin). The partition depends only
 * on the file list, so every shard computes the same one; within a shard
 * the files keep the order they were given.
 */
#include "cli/test_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"
#include "sim/sim.h"

bool cli_shard_parse(const char *arg, cli_shard *out)
{
    char *end;
    unsigned long k = strtoul(arg, &end, 10);
    if (end == arg || *end != '/' || arg[0] == '-' || arg[0] == '+') {
        fprintf(stderr, "wgsim test: --shard: '%s': give K/N (this runner's share K of N, 1 <= K <= N)\n", arg);
        return false;
    }
    const char *ns = end + 1;
    unsigned long n = strtoul(ns, &end, 10);
    if (end == ns || *end || ns[0] == '-' || ns[0] == '+') {
        fprintf(stderr, "wgsim test: --shard: '%s': give K/N (this runner's share K of N, 1 <= K <= N)\n", arg);
        return false;
    }
    if (n < 1 || n > 10000) {
        fprintf(stderr, "wgsim test: --shard: '%s': N must be 1 to 10000\n", arg);
        return false;
    }
    if (k < 1 || k > n) {
        fprintf(stderr, "wgsim test: --shard: '%s': K must be 1 to %lu (shards are numbered from 1)\n", arg, n);
        return false;
    }
    out->k = (size_t)k;
    out->n = (size_t)n;
    return true;
}

typedef struct weighed {
    size_t index;  /* in the given list */
    hs_time cost;  /* simulated duration; 0 for a file that does not load */
    const char *path;
} weighed;

static int by_cost(const void *a, const void *b)
{
    const weighed *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The scenario's duration; a file that does not load weighs nothing but
 * still goes to a shard (its ERROR must be reported by one of them). */
static hs_time duration_of(const char *path)
{
    hs_diag d;
    hs_diag_init(&d, path);
    hs_scenario *s = hs_load_file(path, &d);
    hs_time t = s ? s->duration : 0;
    hs_scenario_free(s);
    hs_diag_free(&d);
    return t;
}

void cli_shard_select(cli_shard *sh, cli_files *files)
{
    size_t n = files->n;
    weighed *w = calloc(n ? n : 1, sizeof *w);
    hs_time *load = calloc(sh->n, sizeof *load);
    bool *keep = calloc(n ? n : 1, sizeof *keep);
    sh->positions = calloc(n ? n : 1, sizeof *sh->positions);
    sh->total = n;
    if (!w || !load || !keep || !sh->positions)
        sim_oom("sharding the scenarios");
    for (size_t i = 0; i < n; i++)
        w[i] = (weighed){.index = i, .cost = duration_of(files->v[i]), .path = files->v[i]};
    qsort(w, n, sizeof *w, by_cost);
    for (size_t i = 0; i < n; i++) {
        size_t bin = 0;
        for (size_t b = 1; b < sh->n; b++)
            if (load[b] < load[bin])
                bin = b;
        load[bin] += w[i].cost;
        keep[w[i].index] = bin == sh->k - 1;
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep[i]) {
            sh->positions[out] = i;
            files->v[out++] = files->v[i];
        }
        else
            free(files->v[i]);
    }
    files->n = out;
    free(w);
    free(load);
    free(keep);
}

void cli_shard_free(cli_shard *sh)
{
    free(sh->positions);
    sh->positions = NULL;
}
