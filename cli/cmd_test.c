/*
 * cmd_test.c — `wgsim test PATH...`: run scenario files (directories are
 * searched recursively for *.yaml) and report one line per scenario,
 * failures explained, then "N passed, N failed" (", N skipped").
 *
 * Exit status: 0 all passed, 1 an expectation failed, 2 bad input or usage
 * (a scenario that does not load or a command the simulator refused).
 *
 * -j N runs scenarios on N threads (test_runs.c); results are printed in
 * the order the files were given, as soon as each one and all before it
 * are done. --seeds (test_sweep.c) and --check-determinism
 * (test_determinism.c) run each scenario more than once on the same runner.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/baseline.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/run_options.h"
#include "cli/scenario_files.h"
#include "cli/test_modes.h"
#include "cli/test_runs.h"
#include "cli/test_shard.h"
#include "harness/runner.h"
#include "reports/reports.h"

/* --filter: the glob may name the scenario, the file or its base name. */
static bool selected(const char *glob, const char *path)
{
    if (!glob)
        return true;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!fnmatch(glob, path, 0) || !fnmatch(glob, base, 0))
        return true;
    hs_diag d;
    hs_diag_init(&d, path);
    hs_scenario *s = hs_load_file(path, &d);
    bool ok = s && s->name && !fnmatch(glob, s->name, 0);
    hs_scenario_free(s);
    hs_diag_free(&d);
    return ok;
}

/* --pcap DIR with --matrix: the longest DIR/<platform> */
#define PCAP_DIR_MAX 4096

/* --matrix platform=A,B: the platforms, every scenario run once per each */
typedef struct matrix {
    wg_platform v[8];
    const char *names[8];
    size_t n;
} matrix;

/* A plain suite or a --matrix: run i is file i % n on platform i / n (a
 * platform's runs together). */
typedef struct suite_plan {
    const cli_files *files;
    const matrix *m; /* NULL: each file once */
    cli_pcap *pcaps; /* --pcap with --matrix: one per platform (DIR/<platform>), else NULL */
} suite_plan;

static void plan_suite(void *arg, size_t i, const char **file, hs_run_options *opt)
{
    const suite_plan *p = arg;
    *file = p->files->v[i % p->files->n];
    if (p->m) {
        opt->has_platform = true;
        opt->platform = p->m->v[i / p->files->n];
        if (p->pcaps)
            opt->ctx = &p->pcaps[i / p->files->n];
    }
}

/* --matrix platform=A,B,...: every platform once and known. --platform
 * would contradict it; a --baseline holds one run per scenario, which a
 * matrix's runs (one per platform) cannot be matched with. */
static bool parse_matrix(const char *arg, matrix *m, const hs_run_options *opt, const char *baseline)
{
    if (opt->has_platform) {
        fprintf(stderr, "wgsim test: --matrix: not with --platform (the matrix sets each run's platform)\n");
        return false;
    }
    if (baseline) {
        fprintf(stderr, "wgsim test: --matrix: not with --baseline (a baseline has one run per scenario, the matrix "
                        "one per platform)\n");
        return false;
    }
    if (strncmp(arg, "platform=", 9)) {
        fprintf(stderr, "wgsim test: --matrix: '%s': give platform=P1,P2,... (the one dimension there is)\n", arg);
        return false;
    }
    const char *p = arg + 9;
    for (;;) {
        size_t len = strcspn(p, ",");
        char name[32];
        wg_platform v;
        if (len == 0 || len >= sizeof name) {
            fprintf(stderr, "wgsim test: --matrix: '%s': an empty or overlong platform\n", arg);
            return false;
        }
        memcpy(name, p, len);
        name[len] = 0;
        if (!wg_platform_parse(name, &v)) {
            fprintf(stderr, "wgsim test: --matrix: '%s' is not one of freebsd, openbsd, linux, wireguard-go\n", name);
            return false;
        }
        for (size_t k = 0; k < m->n; k++)
            if (m->v[k] == v) {
                fprintf(stderr, "wgsim test: --matrix: platform '%s' given twice\n", name);
                return false;
            }
        if (m->n == sizeof m->v / sizeof *m->v) {
            fprintf(stderr, "wgsim test: --matrix: too many platforms\n");
            return false;
        }
        m->v[m->n] = v;
        m->names[m->n++] = wg_platform_name(v);
        if (!p[len])
            return true;
        p += len + 1;
    }
}

/* --seeds and --check-determinism run every scenario several times: not
 * with an option that names one run (a file per scenario, a seed, a
 * platform per run), nor with each other. */
static bool modes_compatible(const char *seeds, bool determinism, const hs_run_options *opt, const char *matrix,
                             const char *junit, const char *pcap, const char *baseline, const cli_markdown *md,
                             const char *annotations)
{
    const char *mode = seeds ? "--seeds" : "--check-determinism";
    const char *conflict = seeds && determinism    ? "--check-determinism"
                           : seeds && opt->has_seed ? "--seed"
                           : matrix                 ? "--matrix"
                           : junit                  ? "--junit"
                           : pcap                   ? "--pcap"
                           : baseline               ? "--baseline"
                           : md->path               ? "--markdown"
                           : md->html               ? "--html"
                           : annotations            ? "--annotations"
                                                    : NULL;
    if (conflict)
        fprintf(stderr, "wgsim test: %s: not with %s (every scenario runs more than once)\n", mode, conflict);
    return !conflict;
}

struct valued {
    const char *name;
    const char **value;
};

/* Where option a keeps its value, NULL when it is not one of v. */
static const char **valued_option(const char *a, const struct valued *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(a, v[k].name))
            return v[k].value;
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim test [options] PATH...\n\n"
                 "Runs scenario files (directories: every *.yaml and *.yml below them, sorted)\n"
                 "and prints one line per scenario (PASS, FAIL, ERROR or SKIP, in the order\n"
                 "given), the failures explained, then the closing line\n"
                 "'N passed, N failed' (', N skipped' when any). ERROR (the file does not\n"
                 "load, or the simulator refused a timeline command) counts as failed.\n\n"
                 "exit status: 0 all passed, 1 an expectation failed, 2 bad input (an ERROR,\n"
                 "a bad option, no scenario file found, an output file not written).\n\n"
                 "options:\n"
                 "  -j N, -jN, --jobs N  run N scenarios in parallel, 1-256 (default 1; output\n"
                 "                  order stays the same)\n"
                 "  --seed S        use seed S instead of each scenario's seed\n"
                 "  --perturb loss=P%%,jitter=D  that loss and/or jitter on every segment\n"
                 "                  whose file does not write the key (loss: 0%% counts)\n"
                 "  --platform P    nodes on the default platform use P (freebsd, openbsd,\n"
                 "                  linux, wireguard-go)\n"
                 "  --engine E      native (default) or ns3 for every scenario (ns3 runs one\n"
                 "                  at a time: ns-3's simulator is process-wide; SKIP when\n"
                 "                  this build has no ns-3)\n"
                 "  --max-memory SIZE  stop a run when the process's heap exceeds SIZE\n"
                 "                  (all runs at once with -j; K, M, G, T: 300M, 8G;\n"
                 "                  default 8G; 0 = no limit)\n"
                 "  --max-events N  stop a run after N engine events (2000000000 or 2e9,\n"
                 "                  the default; 0 = no limit). A stopped run is an error\n"
                 "                  (exit 2) naming the limit, the simulated time reached\n"
                 "                  and what the world held\n"
                 "  --filter GLOB   only scenarios whose name, file or file name matches\n"
                 "  --shard K/N     run only share K of N (1 <= K <= N): the files split\n"
                 "                  into N shares of about equal simulated duration, the\n"
                 "                  same on every machine; --json and --junit name the\n"
                 "                  shard; join the shards' --json with wgsim merge. Not\n"
                 "                  with --baseline or --matrix\n"
                 "  --strict        a scenario with warnings (see wgsim validate) is not run:\n"
                 "                  it is an ERROR with them as its message; without it\n"
                 "                  they go to stderr before its result line\n"
                 "  --junit FILE    write JUnit XML (one testcase per scenario)\n"
                 "  --junit-granularity G  what a JUnit testcase is: scenario (the default)\n"
                 "                  or expectation (classname = the scenario; file and line\n"
                 "                  as attributes and properties)\n"
                 "  --json FILE     write every result as JSON (with the phase tables)\n"
                 "  --markdown FILE write the summary, per claim, and the phase tables as\n"
                 "                  GitHub-flavoured Markdown (a CI job summary)\n"
                 "  --html FILE     write one self-contained HTML report (no script, nothing\n"
                 "                  loaded from elsewhere): the summary, per claim, and per\n"
                 "                  scenario its expectations and phase table; with\n"
                 "                  --baseline the comparison first\n"
                 "  --date TEXT     the date --markdown and --html name (none is read from\n"
                 "                  the clock, so the file stays reproducible)\n"
                 "  --pcap DIR      write DIR/<scenario>/seg-<segment>.pcap and keylog.txt\n"
                 "                  (with --matrix: DIR/<platform>/<scenario>/...)\n"
                 "  --annotations github  also print GitHub Actions workflow commands\n"
                 "                  ('::error file=F,line=L,col=C,...::') after each\n"
                 "                  scenario's result: its failed expectations, errors and\n"
                 "                  warnings appear on the pull request's diff\n"
                 "  --matrix platform=P1,P2,...  run every scenario once per platform\n"
                 "                  (freebsd, openbsd, linux, wireguard-go) and print the\n"
                 "                  claims x platforms table (in --json, --html and\n"
                 "                  --markdown too; --junit: the platform leads each\n"
                 "                  classname); not with --platform or --baseline\n"
                 "  --baseline OLD.json  compare with an earlier --json result: regressions\n"
                 "                  (passed before, failing now), newly passing, added and\n"
                 "                  removed scenarios, changed convergence figures\n"
                 "  --fail-on-regression  with --baseline: exit 1 only for a regression (a\n"
                 "                  failure that failed before too gives 0); 2 still for an\n"
                 "                  option, baseline or output file that is wrong\n"
                 "  --seeds LIST    run every scenario once per seed (1-100, 1,5,9 or\n"
                 "                  1-10,20; at most 100000): per scenario the seeds it passed\n"
                 "                  on, each failing seed with why and the 'wgsim run' command\n"
                 "                  that replays it; --json writes the sweep (docs/reports.md);\n"
                 "                  exit 1 when a seed failed. Not with --seed, --matrix,\n"
                 "                  --junit, --pcap, --baseline, --markdown, --html, --annotations\n"
                 "  --check-determinism  run every scenario twice and compare the run records\n"
                 "                  (JSON result without the wall time, pcap of every segment,\n"
                 "                  key log) byte for byte; prints the first difference, exit 1\n"
                 "                  when there is one. Same exclusions as --seeds, and --json\n"
                 "  -q, --quiet     no progress line (on a terminal, stderr shows the runs\n"
                 "                  done / total and an ETA while waiting; never when\n"
                 "                  stderr is not a terminal)\n"
                 "  -h, --help      this text\n");
}

int cmd_test(int argc, char **argv)
{
    int jobs = 1;
    const char *junit = NULL, *json = NULL, *filter = NULL, *pcap = NULL, *baseline = NULL;
    const char *annotations = NULL, *granularity = "scenario", *matrix_arg = NULL, *seeds_arg = NULL;
    const char *shard_arg = NULL;
    bool fail_on_regression = false, check_determinism = false;
    hs_run_options opt = {.clock_seconds = cli_clock_seconds};
    cli_run_options_init(&opt);
    cli_files all = {0}, files = {0};
    cli_markdown md = {0};
    /* the options that take a value and only keep it */
    const struct valued valued[] = {
        {"--junit", &junit},
        {"--json", &json},
        {"--filter", &filter},
        {"--pcap", &pcap},
        {"--baseline", &baseline},
        {"--annotations", &annotations},
        {"--junit-granularity", &granularity},
        {"--matrix", &matrix_arg},
        {"--seeds", &seeds_arg},
        {"--shard", &shard_arg},
    };
    const char **dest;
    int status = 0;
    int first_path = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int shared = cli_run_option("test", argc, argv, &i, &opt);
        if (!shared)
            shared = cli_markdown_option("test", argc, argv, &i, &md);
        if (shared < 0)
            return 2;
        if (shared > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strncmp(a, "-j", 2) || !strcmp(a, "--jobs")) {
            /* -jN, -j N, --jobs N: one check of N */
            const char *n = !strcmp(a, "--jobs") || !a[2] ? val : a + 2;
            if (!n) {
                fprintf(stderr, "wgsim test: %s needs a number\n", a);
                return 2;
            }
            char *end;
            long j = strtol(n, &end, 10);
            if (!*n || *end || j < 1 || j > 256) {
                fprintf(stderr, "wgsim test: -j: '%s' is not a number of jobs (1..256)\n", n);
                return 2;
            }
            jobs = (int)j;
            if (n == val)
                i++;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            cli_progress_quiet();
        } else if (!strcmp(a, "--fail-on-regression")) {
            fail_on_regression = true;
        } else if (!strcmp(a, "--check-determinism")) {
            check_determinism = true;
        } else if ((dest = valued_option(a, valued, sizeof valued / sizeof *valued))) {
            if (!val) {
                fprintf(stderr, "wgsim test: %s needs a value\n", a);
                return 2;
            }
            *dest = val;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim test: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            if (first_path < 0)
                first_path = i;
            if (!cli_files_collect("test", a, &all))
                status = 2;
        }
    }
    /* after every option is read: a --filter after the paths counts too */
    for (size_t k = 0; k < all.n; k++)
        if (selected(filter, all.v[k]))
            cli_files_add(&files, all.v[k]);
    cli_files_free(&all);
    if (first_path < 0) {
        fprintf(stderr, "wgsim test: no scenario file or directory given\n");
        usage(stderr);
        return 2;
    }
    if (annotations && strcmp(annotations, "github")) {
        fprintf(stderr, "wgsim test: --annotations: '%s' is not a format (github)\n", annotations);
        status = 2;
    }
    if (strcmp(granularity, "scenario") && strcmp(granularity, "expectation")) {
        fprintf(stderr, "wgsim test: --junit-granularity: '%s' is not scenario or expectation\n", granularity);
        status = 2;
    }
    matrix m = {0};
    if (matrix_arg && !parse_matrix(matrix_arg, &m, &opt, baseline))
        status = 2;
    /* DIR/<platform> must fit the buffer below */
    if (matrix_arg && pcap && strlen(pcap) > PCAP_DIR_MAX - 32) {
        fprintf(stderr, "wgsim test: --pcap: '%.40s...': too long a directory for --matrix\n", pcap);
        status = 2;
    }
    /* a shard holds part of the suite: a baseline of the whole would call
     * the rest removed, and a matrix has its own split (compare the merged
     * result: wgsim merge, wgsim report) */
    cli_shard shard = {0};
    if (shard_arg && !cli_shard_parse(shard_arg, &shard))
        status = 2;
    else if (shard_arg && (baseline || matrix_arg)) {
        fprintf(stderr, "wgsim test: --shard: not with %s (merge the shards' --json with wgsim merge, then compare)\n",
                baseline ? "--baseline" : "--matrix");
        status = 2;
    }
    cli_seeds seeds = {0};
    if ((seeds_arg || check_determinism) &&
        !modes_compatible(seeds_arg, check_determinism, &opt, matrix_arg, junit, pcap, baseline, &md, annotations))
        status = 2;
    else if (seeds_arg && !cli_seeds_parse(seeds_arg, &seeds))
        status = 2;
    if (check_determinism && json) {
        fprintf(stderr, "wgsim test: --check-determinism: not with --json (it prints the first difference)\n");
        status = 2;
    }
    if (fail_on_regression && !baseline) {
        fprintf(stderr, "wgsim test: --fail-on-regression needs --baseline OLD.json\n");
        status = 2;
    }
    char err[512];
    cli_baseline base = {.label = baseline};
    if (!status && !cli_baseline_load("test", &base))
        status = 2;
    if (status) {
        cli_files_free(&files);
        return status;
    }
    if (!files.n && !filter) {
        fprintf(stderr, "wgsim test: no scenario file found\n");
        return 2;
    }
    if (!files.n)
        fprintf(stderr, "wgsim test: no scenario matches --filter '%s'\n", filter);
    if (shard.n)
        cli_shard_select(&shard, &files);
    if (seeds_arg || check_determinism) {
        int rc = seeds_arg ? cli_test_sweep(&files, &opt, jobs, &seeds, json) : cli_test_determinism(&files, &opt, jobs);
        cli_seeds_free(&seeds);
        cli_files_free(&files);
        cli_shard_free(&shard);
        return rc;
    }

    size_t n_runs = files.n * (matrix_arg ? m.n : 1);
    hs_result **results = calloc(n_runs ? n_runs : 1, sizeof *results);
    if (!results)
        sim_oom("starting the runs");
    cli_pcap pc = {.cmd = "test", .dir = pcap};
    /* with --matrix, DIR/<platform> per platform: a scenario's captures
     * are written once per platform, each run to its own directory */
    cli_pcap pcs[sizeof m.v / sizeof *m.v];
    char pcap_dirs[sizeof m.v / sizeof *m.v][PCAP_DIR_MAX];
    if (pcap && matrix_arg) {
        for (size_t v = 0; v < m.n; v++) {
            snprintf(pcap_dirs[v], sizeof pcap_dirs[v], "%s/%s", pcap, m.names[v]);
            pcs[v] = (cli_pcap){.cmd = "test", .dir = pcap_dirs[v]};
            cli_pcap_enable(&opt, &pcs[v]);
        }
    } else if (pcap) {
        cli_pcap_enable(&opt, &pc);
    }
    if (json)
        opt.timeline = true;
    suite_plan plan = {.files = &files, .m = matrix_arg ? &m : NULL, .pcaps = pcap && matrix_arg ? pcs : NULL};
    cli_runs *runs = cli_runs_start(n_runs, jobs, &opt, plan_suite, &plan);
    /* print in order, each result as soon as it and all before it are done */
    for (size_t i = 0; i < n_runs; i++) {
        if (matrix_arg && i % files.n == 0)
            printf("== platform %s\n", m.names[i / files.n]);
        fflush(stdout);
        results[i] = cli_runs_wait(runs, i);
        if (results[i]->n_warnings) {
            fflush(stdout);
            rp_print_warnings(stderr, results[i]);
        }
        rp_print_result(stdout, results[i]);
        if (annotations)
            rp_print_annotations(stdout, results[i]);
        fflush(stdout);
    }
    cli_runs_finish(runs);

    /* io_error: what went wrong with this invocation, not with a scenario */
    bool io_error = atomic_load(&pc.failed);
    if (pcap && matrix_arg) {
        for (size_t v = 0; v < m.n; v++) {
            io_error |= atomic_load(&pcs[v].failed);
            cli_pcap_done(&pcs[v]);
        }
    } else if (pcap) {
        cli_pcap_done(&pc);
    }
    bool any_failed = false, any_error = io_error;
    for (size_t i = 0; i < n_runs; i++) {
        any_failed |= results[i]->status == HS_STATUS_FAILED;
        any_error |= results[i]->status == HS_STATUS_ERROR;
    }
    bool per_expectation = !strcmp(granularity, "expectation");
    bool (*write_junit)(const char *, hs_result *const *, size_t, char *, size_t) =
        per_expectation ? rp_write_junit_per_expectation : rp_write_junit;
    /* a shard names itself: "K/N" as the JUnit suite's property, "shard" in the JSON */
    char shard_id[48];
    const char *shard_ids[1] = {shard_id};
    snprintf(shard_id, sizeof shard_id, "%zu/%zu", shard.k, shard.n);
    if (junit && !(matrix_arg  ? rp_write_junit_matrix(junit, per_expectation, "platform", results, files.n, m.names,
                                                       m.n, err, sizeof err)
                   : shard.n ? rp_write_junit_matrix(junit, per_expectation, "shard", results, files.n, shard_ids, 1,
                                                     err, sizeof err)
                             : write_junit(junit, results, files.n, err, sizeof err))) {
        fprintf(stderr, "wgsim test: --junit: %s\n", err);
        io_error = any_error = true;
    }
    /* a shard says how it was run: the merged reports name it */
    char seed[32];
    rp_run_info run;
    cli_run_info(&opt, &run, seed, sizeof seed);
    if (json && !(matrix_arg ? rp_write_json_matrix(json, "platform", results, files.n, m.names, m.n, err, sizeof err)
                  : shard.n  ? rp_write_json_shard(json, results, files.n,
                                                   &(rp_shard){.index = shard.k, .count = shard.n, .total = shard.total,
                                                               .positions = shard.positions, .run = &run},
                                                   err, sizeof err)
                             : rp_write_json(json, results, files.n, err, sizeof err))) {
        fprintf(stderr, "wgsim test: --json: %s\n", err);
        io_error = any_error = true;
    }
    /* the comparison with the baseline: in the Markdown and HTML files too */
    if (base.old)
        cli_baseline_attach(&base, rp_result_set_from(results, files.n), &md);
    if (matrix_arg) {
        md.dimension = "platform";
        md.values = m.names;
        md.n_values = m.n;
    }
    if (!cli_markdown_write_run("test", &md, &run, results, n_runs))
        io_error = any_error = true;
    if (matrix_arg)
        rp_print_matrix(stdout, "platform", results, files.n, m.names, m.n);
    rp_print_summary(stdout, results, n_runs);
    cli_baseline_finish(&base);
    for (size_t i = 0; i < n_runs; i++)
        hs_result_free(results[i]);
    cli_files_free(&files);
    cli_shard_free(&shard);
    free(results);
    if (fail_on_regression)
        return cli_baseline_status(&base, io_error);
    return any_error ? 2 : any_failed ? 1 : 0;
}
