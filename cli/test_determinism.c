/*
 * test_determinism.c — `wgsim test --check-determinism PATH`: runs each
 * scenario twice and compares the two run records byte for byte. Same
 * seed, same bytes is the simulator's promise (docs/architecture.md); this
 * is the check an operator can run on their own scenarios.
 *
 * The run record compared here (docs/running-scenarios.md, "Determinism
 * check"), in this order:
 *   1. the scenario's `--json` result with its timeline (every command,
 *      CARP, WireGuard, endpoint, source, pf and drop entry of the event
 *      log the timeline shows, with its fields), the expectations, the
 *      counters and the phase table; the wall time ("duration") is set to
 *      0, the one field that is the host's and not the simulation's;
 *   2. the pcap bytes of every segment (timestamps are simulated time);
 *   3. the WireGuard key log.
 * The first difference is reported: the part, and the line (JSON) or the
 * byte offset and frame (pcap, key log).
 *
 * Test hook: WGSIM_TEST_SECOND_RUN_PERTURB=loss=P% (any --perturb value)
 * perturbs only the second run of each scenario. Nothing in wgsim is
 * nondeterministic on purpose, so the suite uses it to show that a
 * difference is found and reported (tests/CMakeLists.txt,
 * cli_check_determinism_differs); it is not for operators.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/test_modes.h"
#include "cli/test_runs.h"
#include "reports/reports.h"

/* One named piece of a run record. */
typedef struct part {
    char *name;
    char *bytes;
    size_t len;
} part;

typedef struct record {
    const hs_result *r; /* the run it belongs to (a key only) */
    part *parts;
    size_t n;
} record;

/* The captures and key log of every run, taken by after_run on the
 * worker threads, found again by the result they belong to. */
typedef struct collector {
    pthread_mutex_t mu;
    record *v;
    size_t n, cap;
} collector;

static void add_part(record *rec, const char *name, const void *bytes, size_t len)
{
    part *v = realloc(rec->parts, (rec->n + 1) * sizeof *v);
    if (!v)
        sim_oom("a run record");
    rec->parts = v;
    part *p = &v[rec->n++];
    p->name = strdup(name);
    p->bytes = malloc(len ? len : 1);
    if (!p->name || !p->bytes)
        sim_oom("a run record");
    if (len)
        memcpy(p->bytes, bytes, len);
    p->len = len;
}

static void collect(void *ctx, const hs_scenario *s, sim_world *w, hs_result *r)
{
    (void)s;
    collector *c = ctx;
    record rec = {.r = r};
    for (size_t i = 0; i < sim_world_capture_count(w); i++) {
        const sim_capture *cap = sim_world_capture_at(w, i);
        size_t len;
        const uint8_t *d = sim_capture_data(cap, &len);
        char name[160];
        snprintf(name, sizeof name, "pcap of %s", sim_capture_name(cap));
        add_part(&rec, name, d, len);
    }
    size_t klen;
    const char *k = sim_world_keylog(w, &klen);
    add_part(&rec, "WireGuard key log", k, k ? klen : 0);
    pthread_mutex_lock(&c->mu);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        record *v = realloc(c->v, c->cap * sizeof *v);
        if (!v)
            sim_oom("a run record");
        c->v = v;
    }
    c->v[c->n++] = rec;
    pthread_mutex_unlock(&c->mu);
}

static void record_free(record *rec)
{
    for (size_t i = 0; i < rec->n; i++) {
        free(rec->parts[i].name);
        free(rec->parts[i].bytes);
    }
    free(rec->parts);
}

/* Run r's record: its JSON result first, then what collect took (a run
 * that stopped before after_run, a load error, has only the JSON). */
static record take_record(collector *c, hs_result *r)
{
    record out = {.r = r};
    double wall = r->wall_seconds;
    r->wall_seconds = 0;
    char *json = rp_json_string(&r, 1);
    r->wall_seconds = wall;
    add_part(&out, "JSON result", json, strlen(json));
    free(json);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].r == r) {
            for (size_t k = 0; k < c->v[i].n; k++) {
                part *p = &c->v[i].parts[k];
                add_part(&out, p->name, p->bytes, p->len);
            }
            record_free(&c->v[i]);
            c->v[i] = c->v[--c->n];
            break;
        }
    pthread_mutex_unlock(&c->mu);
    return out;
}

/* The pcap frame (1-based) that holds byte off: records after the 24-byte
 * file header, each a 16-byte header whose incl_len is at offset 8. 0
 * when off is in the file header. */
static size_t pcap_frame_at(const part *p, size_t off)
{
    size_t at = 24, frame = 0;
    while (at + 16 <= p->len && at <= off) {
        uint32_t incl;
        memcpy(&incl, p->bytes + at + 8, 4);
        frame++;
        if (off < at + 16 + incl)
            return frame;
        at += 16 + (size_t)incl;
    }
    return off < 24 ? 0 : frame + 1;
}

/* The line (1-based) holding byte off, and that line of both texts. */
static void text_lines(FILE *out, const part *a, const part *b, size_t off)
{
    size_t line = 1, start = 0;
    for (size_t i = 0; i < off; i++)
        if (a->bytes[i] == '\n') {
            line++;
            start = i + 1;
        }
    fprintf(out, "    line %zu:\n", line);
    const part *both[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        const part *p = both[k];
        size_t end = start;
        while (end < p->len && p->bytes[end] != '\n')
            end++;
        fprintf(out, "      %s run: %.*s\n", k ? "second" : "first ", (int)(end > start ? end - start : 0),
                start < p->len ? p->bytes + start : "");
    }
}

/* false after printing the first difference between the records. */
static bool same_records(FILE *out, const char *name, const record *a, const record *b)
{
    for (size_t i = 0; i < a->n || i < b->n; i++) {
        if (i >= a->n || i >= b->n || strcmp(a->parts[i].name, b->parts[i].name)) {
            fprintf(out, "DIFF %s: the first run has %s, the second %s\n", name,
                    i < a->n ? a->parts[i].name : "nothing more", i < b->n ? b->parts[i].name : "nothing more");
            return false;
        }
        const part *pa = &a->parts[i], *pb = &b->parts[i];
        size_t n = pa->len < pb->len ? pa->len : pb->len, off = 0;
        while (off < n && pa->bytes[off] == pb->bytes[off])
            off++;
        if (off == n && pa->len == pb->len)
            continue;
        fprintf(out, "DIFF %s: %s differs at byte %zu (lengths %zu and %zu)\n", name, pa->name, off, pa->len,
                pb->len);
        if (i == 0 || !strcmp(pa->name, "WireGuard key log"))
            text_lines(out, pa, pb, off);
        else
            fprintf(out, "    frame %zu of the capture (0: the file header)\n", pcap_frame_at(pa, off));
        return false;
    }
    return true;
}

/* Run i: file i / 2, twice; the second run of each perturbed by the test
 * hook when it is set. */
typedef struct twice_plan {
    const cli_files *files;
    bool hook;
    hs_perturb second;
} twice_plan;

static void plan_twice(void *arg, size_t i, const char **file, hs_run_options *opt)
{
    const twice_plan *p = arg;
    *file = p->files->v[i / 2];
    if (p->hook && i % 2)
        opt->perturb = p->second;
}

int cli_test_determinism(const cli_files *files, const hs_run_options *base, int jobs)
{
    twice_plan plan = {.files = files};
    const char *hook = getenv("WGSIM_TEST_SECOND_RUN_PERTURB");
    if (hook && *hook) {
        char err[256];
        if (!hs_parse_perturb(hook, &plan.second, err, sizeof err)) {
            fprintf(stderr, "wgsim test: WGSIM_TEST_SECOND_RUN_PERTURB: %s\n", err);
            return 2;
        }
        plan.hook = true;
    }
    collector col = {0};
    pthread_mutex_init(&col.mu, NULL);
    hs_run_options opt = *base;
    opt.timeline = true;
    opt.capture = true;
    opt.after_run = collect;
    opt.ctx = &col;
    size_t same = 0, differ = 0, errors = 0;
    cli_runs *runs = cli_runs_start(files->n * 2, jobs, &opt, plan_twice, &plan);
    for (size_t f = 0; f < files->n; f++) {
        hs_result *r1 = cli_runs_wait(runs, 2 * f), *r2 = cli_runs_wait(runs, 2 * f + 1);
        record a = take_record(&col, r1), b = take_record(&col, r2);
        if (r1->status == r2->status && (r1->status == HS_STATUS_ERROR || r1->status == HS_STATUS_SKIPPED)) {
            /* nothing ran (or not to the end) either time: the error is the news */
            rp_print_result(stdout, r1);
            errors += r1->status == HS_STATUS_ERROR;
        } else if (same_records(stdout, r1->name, &a, &b)) {
            size_t bytes = 0;
            for (size_t k = 0; k < a.n; k++)
                bytes += a.parts[k].len;
            printf("SAME %s: %zu bytes in %zu parts\n", r1->name, bytes, a.n);
            same++;
        } else {
            differ++;
        }
        fflush(stdout);
        record_free(&a);
        record_free(&b);
        hs_result_free(r1);
        hs_result_free(r2);
    }
    cli_runs_finish(runs);
    pthread_mutex_destroy(&col.mu);
    free(col.v);
    printf("%zu scenario%s run twice: %zu the same byte for byte, %zu differ, %zu errors\n", files->n,
           files->n == 1 ? "" : "s", same, differ, errors);
    return errors ? 2 : differ ? 1 : 0;
}
