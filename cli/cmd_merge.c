/*
 * cmd_merge.c — `wgsim merge R1.json R2.json ...`: the results of the
 * shards of a split suite (`wgsim test --shard K/N --json Rk.json` on N
 * runners) joined into the unsplit run's: its summary, its --json and
 * --junit files, its exit status. The join is reports/merge.c.
 *
 * Exit status: as `wgsim test` of the whole suite would give: 0 all
 * passed, 1 an expectation failed, 2 a scenario's ERROR, or a result that
 * cannot be read or joined (overlapping or missing shards, other format
 * versions), or an output file not written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "reports/reports.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim merge [options] R1.json R2.json ...\n\n"
                 "Joins the --json results of the shards of one suite ('wgsim test\n"
                 "--shard K/N --json Rk.json', one per CI runner) into the unsplit run's:\n"
                 "prints its closing line 'N passed, N failed' and writes its files. The\n"
                 "scenarios come back in the order the unsplit run gives them; every\n"
                 "shard must be there once and from the same wgsim.\n\n"
                 "exit status: 0 all passed, 1 an expectation failed, 2 an ERROR, or a\n"
                 "result that cannot be read or joined (not a shard's, overlapping or\n"
                 "missing shards, other format versions), or an output file not written.\n\n"
                 "options:\n"
                 "  --json FILE     write the joined result: the unsplit run's --json (the\n"
                 "                  wall times are the shards')\n"
                 "  --junit FILE    write JUnit XML of the whole suite (one testcase per\n"
                 "                  scenario)\n"
                 "  --junit-granularity G  scenario (the default) or expectation, as for\n"
                 "                  wgsim test\n"
                 "  -h, --help      this text\n");
}

int cmd_merge(int argc, char **argv)
{
    const char *json = NULL, *junit = NULL, *granularity = "scenario";
    const char **paths = calloc((size_t)argc, sizeof *paths);
    if (!paths)
        sim_oom("reading the options");
    size_t n = 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (!strcmp(a, "--json") || !strcmp(a, "--junit") || !strcmp(a, "--junit-granularity")) {
            if (i + 1 == argc) {
                fprintf(stderr, "wgsim merge: %s needs a value\n", a);
                free(paths);
                return 2;
            }
            *(!strcmp(a, "--json") ? &json : !strcmp(a, "--junit") ? &junit : &granularity) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim merge: unknown option '%s'\n", a);
            usage(stderr);
            free(paths);
            return 2;
        } else {
            paths[n++] = a;
        }
    }
    if (strcmp(granularity, "scenario") && strcmp(granularity, "expectation")) {
        fprintf(stderr, "wgsim merge: --junit-granularity: '%s' is not scenario or expectation\n", granularity);
        free(paths);
        return 2;
    }
    if (!n) {
        fprintf(stderr, "wgsim merge: give the shards' results, R1.json R2.json ...\n");
        usage(stderr);
        free(paths);
        return 2;
    }
    char err[1024];
    rp_merged *m = rp_merge_shards(paths, n, err, sizeof err);
    free(paths);
    if (!m) {
        fprintf(stderr, "wgsim merge: %s\n", err);
        return 2;
    }
    size_t count;
    hs_result *const *results = rp_merged_results(m, &count);
    bool any_failed = false, any_error = false;
    for (size_t i = 0; i < count; i++) {
        any_failed |= results[i]->status == HS_STATUS_FAILED;
        any_error |= results[i]->status == HS_STATUS_ERROR;
    }
    if (json && !rp_write_merged_json(json, m, err, sizeof err)) {
        fprintf(stderr, "wgsim merge: --json: %s\n", err);
        status = 2;
    }
    if (junit && !(strcmp(granularity, "expectation") ? rp_write_junit : rp_write_junit_per_expectation)(
                     junit, results, count, err, sizeof err)) {
        fprintf(stderr, "wgsim merge: --junit: %s\n", err);
        status = 2;
    }
    rp_print_summary(stdout, results, count);
    rp_merged_free(m);
    return status ? status : any_error ? 2 : any_failed ? 1 : 0;
}
