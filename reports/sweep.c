/*
 * sweep.c — `wgsim test --seeds`: each scenario run once per seed, told as
 * how many seeds it passed on and, for the others, why and how to replay
 * one (text and JSON; docs/running-scenarios.md, "Seed sweeps").
 */
#include <stdlib.h>
#include <string.h>

#include "reports/json_doc.h"
#include "reports/reports.h"

static char *dup_or_oom(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        sim_oom("a seed sweep's row");
    return d;
}

/* The first failed expectation, else the first line of the error. */
static char *why(const hs_result *r)
{
    for (size_t i = 0; i < r->n_expects; i++) {
        const hs_expect_result *e = &r->expects[i];
        if (e->passed)
            continue;
        size_t n = strlen(r->file) + strlen(e->what) + strlen(e->expected ? e->expected : "") +
                   strlen(e->observed ? e->observed : "") + 64;
        char *t = malloc(n);
        if (!t)
            sim_oom("a seed sweep's row");
        snprintf(t, n, "%s:%u: %s: expected %s, seen %s", r->file, e->loc.line, e->what,
                 e->expected ? e->expected : "", e->observed ? e->observed : "");
        return t;
    }
    const char *err = r->error ? r->error : hs_status_name(r->status);
    size_t len = strcspn(err, "\n");
    char *t = malloc(len + 1);
    if (!t)
        sim_oom("a seed sweep's row");
    memcpy(t, err, len);
    t[len] = 0;
    return t;
}

void rp_sweep_count(rp_sweep_row *row, const hs_result *r, uint64_t seed, const char *replay)
{
    if (!row->name) {
        row->name = dup_or_oom(r->name);
        row->file = dup_or_oom(r->file);
        row->claim = r->claim ? dup_or_oom(r->claim) : NULL;
    }
    row->runs++;
    switch (r->status) {
    case HS_STATUS_PASSED: row->passed++; return;
    case HS_STATUS_SKIPPED: row->skipped++; return;
    case HS_STATUS_FAILED: row->failed++; break;
    case HS_STATUS_ERROR: row->errors++; break;
    }
    rp_sweep_fail *v = realloc(row->fails, (row->n_fails + 1) * sizeof *v);
    if (!v)
        sim_oom("a seed sweep's row");
    row->fails = v;
    v[row->n_fails++] = (rp_sweep_fail){
        .seed = seed, .status = r->status, .why = why(r), .replay = dup_or_oom(replay)};
}

static const char *verdict(const rp_sweep_row *row)
{
    return row->errors ? "ERROR" : row->failed ? "FAIL" : row->skipped == row->runs ? "SKIP" : "PASS";
}

void rp_print_sweep_row(FILE *out, const rp_sweep_row *row, size_t detail)
{
    fprintf(out, "%s %s", verdict(row), row->name ? row->name : "?");
    if (row->claim)
        fprintf(out, " (claim %s)", row->claim);
    fprintf(out, " %zu/%zu seeds", row->passed, row->runs);
    if (row->skipped)
        fprintf(out, ", %zu skipped", row->skipped);
    if (!row->n_fails) {
        fputc('\n', out);
        return;
    }
    fprintf(out, "; not on seed%s", row->n_fails > 1 ? "s" : "");
    for (size_t i = 0; i < row->n_fails; i++)
        fprintf(out, "%s%llu", i ? "," : " ", (unsigned long long)row->fails[i].seed);
    fputc('\n', out);
    /* the same reason on every seed (a file that does not load): once */
    bool same = row->n_fails == row->runs && row->n_fails > 1;
    for (size_t i = 1; same && i < row->n_fails; i++)
        same = row->fails[i].status == row->fails[0].status && !strcmp(row->fails[i].why, row->fails[0].why);
    if (same) {
        fprintf(out, "    every seed %s: %s\n      replay one: %s\n",
                row->fails[0].status == HS_STATUS_ERROR ? "error" : "failed", row->fails[0].why, row->fails[0].replay);
        return;
    }
    for (size_t i = 0; i < row->n_fails && i < detail; i++) {
        const rp_sweep_fail *f = &row->fails[i];
        fprintf(out, "    seed %llu %s: %s\n      replay: %s\n", (unsigned long long)f->seed,
                f->status == HS_STATUS_ERROR ? "error" : "failed", f->why, f->replay);
    }
    if (row->n_fails > detail)
        fprintf(out, "    (%zu more, each with its replay command in --json)\n", row->n_fails - detail);
}

/* Over every scenario of the sweep. */
typedef struct totals {
    size_t held, runs, failed, errors, skipped;
} totals;

static totals count_totals(const rp_sweep *s)
{
    totals t = {0};
    for (size_t i = 0; i < s->n_rows; i++) {
        const rp_sweep_row *row = &s->rows[i];
        t.held += row->n_fails == 0;
        t.runs += row->runs;
        t.failed += row->failed;
        t.errors += row->errors;
        t.skipped += row->skipped;
    }
    return t;
}

void rp_print_sweep_summary(FILE *out, const rp_sweep *s)
{
    totals t = count_totals(s);
    fprintf(out, "%zu scenario%s, %zu seed%s each", s->n_rows, s->n_rows == 1 ? "" : "s", s->n_seeds,
            s->n_seeds == 1 ? "" : "s");
    if (s->perturb)
        fprintf(out, ", perturbed %s", s->perturb);
    fprintf(out, ": %zu passed on every seed, %zu did not; %zu runs, %zu failed, %zu errors\n", t.held,
            s->n_rows - t.held, t.runs, t.failed, t.errors);
}

bool rp_write_json_sweep(const char *path, const rp_sweep *s, char *err, size_t errlen)
{
    json_t *root = json_object();
    json_object_set_new(root, "tool", json_string("wgsim"));
    json_object_set_new(root, "format_version", json_integer(RP_JSON_FORMAT_VERSION));
    json_t *sw = json_object();
    json_object_set_new(sw, "seeds", rp_json_text(s->seeds));
    json_object_set_new(sw, "n_seeds", json_integer((json_int_t)s->n_seeds));
    json_object_set_new(sw, "perturb", s->perturb ? rp_json_text(s->perturb) : json_null());
    json_object_set_new(root, "sweep", sw);
    json_t *arr = json_array();
    for (size_t i = 0; i < s->n_rows; i++) {
        const rp_sweep_row *row = &s->rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", rp_json_text(row->name ? row->name : ""));
        json_object_set_new(o, "file", rp_json_text(row->file ? row->file : ""));
        json_object_set_new(o, "claim", row->claim ? rp_json_text(row->claim) : json_null());
        json_object_set_new(o, "verdict", json_string(verdict(row)));
        json_object_set_new(o, "runs", json_integer((json_int_t)row->runs));
        json_object_set_new(o, "passed", json_integer((json_int_t)row->passed));
        json_object_set_new(o, "failed", json_integer((json_int_t)row->failed));
        json_object_set_new(o, "errors", json_integer((json_int_t)row->errors));
        json_object_set_new(o, "skipped", json_integer((json_int_t)row->skipped));
        json_t *fs = json_array();
        for (size_t k = 0; k < row->n_fails; k++) {
            const rp_sweep_fail *f = &row->fails[k];
            json_t *x = json_object();
            /* a seed past 2^63 does not fit a JSON integer in jansson: as text */
            if (f->seed <= (uint64_t)INT64_MAX)
                json_object_set_new(x, "seed", json_integer((json_int_t)f->seed));
            else {
                char b[32];
                snprintf(b, sizeof b, "%llu", (unsigned long long)f->seed);
                json_object_set_new(x, "seed", json_string(b));
            }
            json_object_set_new(x, "status", json_string(hs_status_name(f->status)));
            json_object_set_new(x, "why", rp_json_text(f->why));
            json_object_set_new(x, "replay", rp_json_text(f->replay));
            json_array_append_new(fs, x);
        }
        json_object_set_new(o, "failing_seeds", fs);
        json_array_append_new(arr, o);
    }
    totals t = count_totals(s);
    json_t *sum = json_object();
    json_object_set_new(sum, "scenarios", json_integer((json_int_t)s->n_rows));
    json_object_set_new(sum, "passed_every_seed", json_integer((json_int_t)t.held));
    json_object_set_new(sum, "runs", json_integer((json_int_t)t.runs));
    json_object_set_new(sum, "runs_failed", json_integer((json_int_t)t.failed));
    json_object_set_new(sum, "runs_error", json_integer((json_int_t)t.errors));
    json_object_set_new(sum, "runs_skipped", json_integer((json_int_t)t.skipped));
    json_object_set_new(root, "summary", sum);
    json_object_set_new(root, "scenarios", arr);
    return rp_json_dump(root, path, err, errlen);
}

void rp_sweep_free(rp_sweep *s)
{
    for (size_t i = 0; i < s->n_rows; i++) {
        rp_sweep_row *row = &s->rows[i];
        for (size_t k = 0; k < row->n_fails; k++) {
            free(row->fails[k].why);
            free(row->fails[k].replay);
        }
        free(row->fails);
        free(row->name);
        free(row->file);
        free(row->claim);
    }
    free(s->rows);
    s->rows = NULL;
    s->n_rows = 0;
}
