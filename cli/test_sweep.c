/*
 * test_sweep.c — `wgsim test --seeds LIST [--perturb ...] PATH`: does a
 * verdict hold on other seeds (other keys, ports, jitter and loss draws),
 * or was it luck? Each scenario runs once per seed on the parallel runner;
 * the report says per scenario how many seeds passed and, for each that
 * did not, why and the `wgsim run` command that replays it alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/test_modes.h"
#include "cli/test_runs.h"
#include "reports/reports.h"

/* A seed: digits only (no sign, no base prefix: "1-0x10" would be read
 * as a range in two bases), up to 2^64-1. */
static bool seed_at(const char **p, uint64_t *out)
{
    if (**p < '0' || **p > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(*p, &end, 10);
    if (errno)
        return false;
    *out = v;
    *p = end;
    return true;
}

static bool add_seed(cli_seeds *s, uint64_t v, size_t *cap)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->v[k] == v) {
            fprintf(stderr, "wgsim test: --seeds: seed %llu given twice\n", (unsigned long long)v);
            return false;
        }
    if (s->n == CLI_MAX_SEEDS) {
        fprintf(stderr, "wgsim test: --seeds: more than %d seeds\n", CLI_MAX_SEEDS);
        return false;
    }
    if (s->n == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        uint64_t *v2 = realloc(s->v, *cap * sizeof *v2);
        if (!v2)
            sim_oom("the seeds of --seeds");
        s->v = v2;
    }
    s->v[s->n++] = v;
    return true;
}

bool cli_seeds_parse(const char *arg, cli_seeds *out)
{
    cli_seeds s = {.text = arg};
    size_t cap = 0;
    const char *p = arg ? arg : "";
    for (;;) {
        uint64_t a, b;
        if (!seed_at(&p, &a)) {
            fprintf(stderr, "wgsim test: --seeds: '%s': give seeds as A-B, a list 1,5,9, or both (1-10,20); "
                            "each 0 to 18446744073709551615\n", arg ? arg : "");
            goto bad;
        }
        b = a;
        if (*p == '-') {
            p++;
            if (!seed_at(&p, &b) || b < a) {
                fprintf(stderr, "wgsim test: --seeds: '%s': a range is A-B with A <= B\n", arg);
                goto bad;
            }
            if (b - a >= CLI_MAX_SEEDS) {
                fprintf(stderr, "wgsim test: --seeds: more than %d seeds\n", CLI_MAX_SEEDS);
                goto bad;
            }
        }
        for (uint64_t v = a;; v++) {
            if (!add_seed(&s, v, &cap))
                goto bad;
            if (v == b)
                break;
        }
        if (!*p)
            break;
        if (*p != ',') {
            fprintf(stderr, "wgsim test: --seeds: '%s': unexpected '%c' (seeds as A-B, 1,5,9 or 1-10,20)\n", arg,
                    *p);
            goto bad;
        }
        p++;
    }
    *out = s;
    return true;
bad:
    free(s.v);
    return false;
}

void cli_seeds_free(cli_seeds *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* Single quotes around a word the shell would split or expand. */
static void shell_word(FILE *out, const char *w)
{
    if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./,=%:@+-") == strlen(w)) {
        fputs(w, out);
        return;
    }
    fputc('\'', out);
    for (const char *c = w; *c; c++)
        if (*c == '\'')
            fputs("'\\''", out);
        else
            fputc(*c, out);
    fputc('\'', out);
}

char *cli_replay_command(const char *file, const hs_run_options *opt)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        sim_oom("a replay command");
    fputs("wgsim run ", out);
    shell_word(out, file);
    if (opt->has_seed)
        fprintf(out, " --seed %llu", (unsigned long long)opt->seed);
    if (opt->perturb.has_loss || opt->perturb.has_jitter) {
        char b[128];
        fputs(" --perturb ", out);
        shell_word(out, hs_format_perturb(&opt->perturb, b, sizeof b));
    }
    if (opt->has_platform)
        fprintf(out, " --platform %s", wg_platform_name(opt->platform));
    if (opt->has_engine)
        fprintf(out, " --engine %s", opt->engine == HS_ENGINE_NS3 ? "ns3" : "native");
    if (opt->strict)
        fputs(" --strict", out);
    if (fclose(out) != 0 || !text)
        sim_oom("a replay command");
    return text;
}

/* Run i: file i / n_seeds with seed i % n_seeds (a scenario's seeds
 * together, so its line is printed as soon as they are done). */
typedef struct sweep_plan {
    const cli_files *files;
    const cli_seeds *seeds;
} sweep_plan;

static void plan_sweep(void *arg, size_t i, const char **file, hs_run_options *opt)
{
    const sweep_plan *p = arg;
    *file = p->files->v[i / p->seeds->n];
    opt->has_seed = true;
    opt->seed = p->seeds->v[i % p->seeds->n];
}

/* How many failing seeds a scenario's line explains; --json has them all. */
#define SWEEP_DETAIL 3

int cli_test_sweep(const cli_files *files, const hs_run_options *opt, int jobs, const cli_seeds *seeds,
                   const char *json)
{
    char perturb[128];
    bool perturbed = opt->perturb.has_loss || opt->perturb.has_jitter;
    rp_sweep sw = {.seeds = seeds->text,
                   .n_seeds = seeds->n,
                   .perturb = perturbed ? hs_format_perturb(&opt->perturb, perturb, sizeof perturb) : NULL,
                   .rows = calloc(files->n ? files->n : 1, sizeof *sw.rows),
                   .n_rows = files->n};
    if (!sw.rows)
        sim_oom("a seed sweep");
    sweep_plan plan = {.files = files, .seeds = seeds};
    size_t n_runs = files->n * seeds->n;
    cli_runs *runs = cli_runs_start(n_runs, jobs, opt, plan_sweep, &plan);
    for (size_t i = 0; i < n_runs; i++) {
        hs_result *r = cli_runs_wait(runs, i);
        /* a scenario's warnings are the same on every seed: once */
        if (i % seeds->n == 0 && r->n_warnings) {
            fflush(stdout);
            rp_print_warnings(stderr, r);
        }
        hs_run_options ro = *opt;
        plan_sweep(&plan, i, &(const char *){NULL}, &ro);
        char *replay = cli_replay_command(files->v[i / seeds->n], &ro);
        rp_sweep_count(&sw.rows[i / seeds->n], r, ro.seed, replay);
        free(replay);
        hs_result_free(r);
        if (i % seeds->n == seeds->n - 1) {
            rp_print_sweep_row(stdout, &sw.rows[i / seeds->n], SWEEP_DETAIL);
            fflush(stdout);
        }
    }
    cli_runs_finish(runs);
    rp_print_sweep_summary(stdout, &sw);
    bool any_failed = false, any_error = false;
    for (size_t k = 0; k < sw.n_rows; k++) {
        any_failed |= sw.rows[k].failed > 0;
        any_error |= sw.rows[k].errors > 0;
    }
    char err[512];
    if (json && !rp_write_json_sweep(json, &sw, err, sizeof err)) {
        fprintf(stderr, "wgsim test: --json: %s\n", err);
        any_error = true;
    }
    rp_sweep_free(&sw);
    return any_error ? 2 : any_failed ? 1 : 0;
}
