/*
 * cmd_merge.c — `wgsim merge R1.json R2.json ...`: the results of the
 * shards of a split suite (`wgsim test --shard K/N --json Rk.json` on N
 * runners) joined into the unsplit run's: its summary, its --json,
 * --junit, --markdown and --html files, its comparison with a --baseline
 * and its exit status. The join is reports/merge.c; the files are written
 * by the writers `wgsim test` uses, the comparison is cli/baseline.c.
 *
 * Exit status: as `wgsim test` of the whole suite would give: 0 all
 * passed, 1 an expectation failed, 2 a scenario's ERROR, or a result that
 * cannot be read or joined (overlapping or missing shards, other format
 * versions), or an output file not written; with --fail-on-regression 1
 * only for a regression against the baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/baseline.h"
#include "cli/commands.h"
#include "cli/run_options.h"
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
                 "  --markdown FILE write the whole suite's summary, per claim, and the\n"
                 "                  phase tables as GitHub-flavoured Markdown, as wgsim test\n"
                 "  --html FILE     write the whole suite's self-contained HTML report, as\n"
                 "                  wgsim test (with --baseline the comparison first)\n"
                 "  --date TEXT     the date --markdown and --html name\n"
                 "  --baseline OLD.json  compare the whole suite with an earlier --json\n"
                 "                  result (wgsim test's or wgsim merge's), as wgsim test\n"
                 "                  --baseline does\n"
                 "  --fail-on-regression  with --baseline: exit 1 only for a regression (a\n"
                 "                  failure that failed before too gives 0); 2 still for a\n"
                 "                  shard, option, baseline or output file that is wrong\n"
                 "  -h, --help      this text\n");
}

int cmd_merge(int argc, char **argv)
{
    const char *json = NULL, *junit = NULL, *granularity = "scenario";
    cli_markdown md = {0};
    cli_baseline base = {0};
    bool fail_on_regression = false;
    const char **paths = calloc((size_t)argc, sizeof *paths);
    if (!paths)
        sim_oom("reading the options");
    size_t n = 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int shared = cli_markdown_option("merge", argc, argv, &i, &md);
        if (shared < 0) {
            free(paths);
            return 2;
        }
        if (shared > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (!strcmp(a, "--fail-on-regression")) {
            fail_on_regression = true;
        } else if (!strcmp(a, "--json") || !strcmp(a, "--junit") || !strcmp(a, "--junit-granularity") ||
                   !strcmp(a, "--baseline")) {
            if (i + 1 == argc) {
                fprintf(stderr, "wgsim merge: %s needs a value\n", a);
                free(paths);
                return 2;
            }
            *(!strcmp(a, "--json")    ? &json
              : !strcmp(a, "--junit") ? &junit
              : !strcmp(a, "--baseline") ? &base.label
                                      : &granularity) = argv[++i];
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
        status = 2;
    }
    if (fail_on_regression && !base.label) {
        fprintf(stderr, "wgsim merge: --fail-on-regression needs --baseline OLD.json\n");
        status = 2;
    }
    if (!status && !n) {
        fprintf(stderr, "wgsim merge: give the shards' results, R1.json R2.json ...\n");
        usage(stderr);
        status = 2;
    }
    if (status || !cli_baseline_load("merge", &base)) {
        free(paths);
        return 2;
    }
    char err[1024];
    rp_merged *m = rp_merge_shards(paths, n, err, sizeof err);
    free(paths);
    if (!m) {
        fprintf(stderr, "wgsim merge: %s\n", err);
        rp_result_set_free(base.old);
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
    if (base.old)
        cli_baseline_attach(&base, rp_merged_result_set(m), &md);
    if (!cli_markdown_write_run("merge", &md, rp_merged_run_info(m), results, count))
        status = 2;
    rp_print_summary(stdout, results, count);
    cli_baseline_finish(&base);
    rp_merged_free(m);
    if (fail_on_regression)
        return cli_baseline_status(&base, status != 0);
    return status ? status : any_error ? 2 : any_failed ? 1 : 0;
}
