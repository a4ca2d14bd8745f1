/*
 * merge.c — `wgsim merge R1.json R2.json ...`: the shards' `--json`
 * results (`wgsim test --shard K/N`) joined into the document the unsplit
 * run writes (reports.h, rp_merge_shards).
 *
 * The join is made on the JSON documents, not on results rebuilt from
 * them: every field a shard wrote is carried over as it was, so the merged
 * file is the unsplit run's byte for byte except the wall times. Each
 * shard says where its scenarios stood in the whole list ("shard":
 * "positions", "total"), so the order is the unsplit run's, and a missing
 * or repeated shard is found instead of silently giving a smaller suite.
 * For the JUnit, Markdown and HTML files the scenarios are read back into
 * results (json_read.c): the writers are the ones `wgsim test` uses. What
 * the HTML report draws and the unsplit --json leaves out (topology,
 * timeline series, sequence diagram) comes in a shard's per-scenario
 * "drawing", taken out of the merged document; what the reports say about
 * the run (wgsim's version, engine, platform, seed) in its "shard".run,
 * which must be the same in every shard.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json_doc.h"
#include "reports/reports.h"

struct rp_merged {
    json_t *root;        /* the unsplit run's document */
    hs_result **results; /* its scenarios read back (for the reports and the summary) */
    size_t n;
    json_t *run;         /* the shards' "shard".run */
    rp_run_info info;    /* its strings */
};

/* What merging holds until it is done or refused. */
typedef struct holding {
    json_t **docs; /* the shards' documents, n of them read so far */
    size_t n;
    json_t *slots; /* position -> scenario */
    const char **from; /* position -> the file it came from */
    json_t *run; /* the first shard's "run" */
} holding;

static void release(holding *h)
{
    for (size_t i = 0; i < h->n; i++)
        json_decref(h->docs[i]);
    free(h->docs);
    json_decref(h->slots);
    free(h->from);
    json_decref(h->run);
}

static rp_merged *refuse(holding *h, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static rp_merged *refuse(holding *h, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    release(h);
    return NULL;
}

/* The shard object of a document: index, count, total and positions, all
 * checked; NULL with err set. */
static json_t *shard_of(json_t *doc, const char *path, char *err, size_t errlen)
{
    json_t *sh = json_object_get(doc, "shard");
    if (!json_is_object(sh)) {
        snprintf(err, errlen, "%s: not a shard's result (no \"shard\": write it with wgsim test --shard K/N --json)",
                 path);
        return NULL;
    }
    static const char *const keys[] = {"index", "count", "total"};
    for (size_t k = 0; k < 3; k++)
        if (!json_is_integer(json_object_get(sh, keys[k])) || json_integer_value(json_object_get(sh, keys[k])) < 0) {
            snprintf(err, errlen, "%s: \"shard\".%s is missing or not a count", path, keys[k]);
            return NULL;
        }
    json_t *pos = json_object_get(sh, "positions");
    size_t n = json_array_size(json_object_get(doc, "scenarios"));
    if (!json_is_array(pos) || json_array_size(pos) != n) {
        snprintf(err, errlen, "%s: \"shard\".positions is missing or does not list one position per scenario", path);
        return NULL;
    }
    json_int_t total = json_integer_value(json_object_get(sh, "total"));
    size_t i;
    json_t *p;
    json_array_foreach(pos, i, p) {
        if (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) >= total) {
            snprintf(err, errlen, "%s: \"shard\".positions[%zu] is not a position below \"total\" %" JSON_INTEGER_FORMAT,
                     path, i, total);
            return NULL;
        }
    }
    return sh;
}

rp_merged *rp_merge_shards(const char *const *paths, size_t n, char *err, size_t errlen)
{
    if (!n) {
        snprintf(err, errlen, "no result given");
        return NULL;
    }
    holding h = {.docs = calloc(n, sizeof *h.docs)};
    if (!h.docs)
        sim_oom("merging results");
    json_int_t version = 0, count = 0, total = 0;
    char why[1024];
    for (size_t i = 0; i < n; i++) {
        /* the same checks `wgsim report` makes: a damaged file is refused
         * with its place */
        rp_result_set *set = rp_result_set_load(paths[i], why, sizeof why);
        if (!set)
            return refuse(&h, err, errlen, "%s", why);
        h.docs[h.n++] = json_incref(rp_result_set_root(set));
        rp_result_set_free(set);
        json_t *doc = h.docs[i];
        json_t *sh = shard_of(doc, paths[i], why, sizeof why);
        if (!sh)
            return refuse(&h, err, errlen, "%s", why);
        json_t *ver = json_object_get(doc, "format_version");
        json_int_t v = ver ? json_integer_value(ver) : 1;
        json_int_t c = json_integer_value(json_object_get(sh, "count"));
        json_int_t t = json_integer_value(json_object_get(sh, "total"));
        if (i && v != version)
            return refuse(&h, err, errlen,
                          "%s: format_version %" JSON_INTEGER_FORMAT " but %s has %" JSON_INTEGER_FORMAT
                          " (the shards were run by different wgsim versions: run them all with one)",
                          paths[i], v, paths[0], version);
        if (i && (c != count || t != total))
            return refuse(&h, err, errlen,
                          "%s: a shard of %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
                          " scenarios) but %s is one of %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT
                          " scenarios): not the same split suite",
                          paths[i], c, t, paths[0], count, total);
        /* the reports name one version, engine, platform and seed */
        json_t *run = json_object_get(sh, "run");
        if (i && run != h.run && !json_equal(run, h.run))
            return refuse(&h, err, errlen,
                          "%s: run by another wgsim or with another --engine, --platform or --seed than %s "
                          "(\"shard\".run differs): run every shard the same way",
                          paths[i], paths[0]);
        if (!i) {
            h.run = json_incref(run);
            version = v;
            count = c;
            total = t;
            h.slots = json_array();
            h.from = calloc(total ? (size_t)total : 1, sizeof *h.from);
            if (!h.slots || !h.from)
                sim_oom("merging results");
            for (json_int_t k = 0; k < total; k++)
                json_array_append_new(h.slots, json_null());
        }
        json_t *sc = json_object_get(doc, "scenarios");
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(sh, "positions"), k, p) {
            size_t at = (size_t)json_integer_value(p);
            json_t *s = json_array_get(sc, k);
            if (h.from[at])
                return refuse(&h, err, errlen,
                              "%s and %s both hold scenario %zu of the suite ('%s', %s): overlapping shards",
                              h.from[at], paths[i], at + 1, json_string_value(json_object_get(s, "name")),
                              json_string_value(json_object_get(s, "file")));
            h.from[at] = paths[i];
            json_array_set(h.slots, at, s);
        }
    }
    size_t missing = 0, first_missing = 0;
    for (json_int_t k = total - 1; k >= 0; k--)
        if (!h.from[k]) {
            missing++;
            first_missing = (size_t)k;
        }
    if (missing)
        return refuse(&h, err, errlen,
                      "%zu of the %" JSON_INTEGER_FORMAT " scenarios are in none of the results (the first: number "
                      "%zu): a shard of the %" JSON_INTEGER_FORMAT " is missing",
                      missing, total, first_missing + 1, count);
    rp_merged *m = calloc(1, sizeof *m);
    if (!m)
        sim_oom("merging results");
    m->n = (size_t)total;
    m->results = calloc(m->n ? m->n : 1, sizeof *m->results);
    if (!m->results)
        sim_oom("merging results");
    for (size_t k = 0; k < m->n; k++) {
        json_t *s = json_array_get(h.slots, k);
        if (!(m->results[k] = rp_result_from_json(s, why, sizeof why))) {
            snprintf(err, errlen, "%s: scenario '%s' (%s): %s", h.from[k], json_string_value(json_object_get(s, "name")),
                     json_string_value(json_object_get(s, "file")), why);
            m->n = k;
            rp_merged_free(m);
            release(&h);
            return NULL;
        }
        /* the unsplit run's --json has none */
        json_object_del(s, "drawing");
    }
    m->run = json_incref(h.run);
    json_t *run = m->run;
    const char **fields[] = {&m->info.version, &m->info.commit, &m->info.engine, &m->info.platform, &m->info.seed};
    static const char *const keys[] = {"wgsim", "commit", "engine", "platform", "seed"};
    for (size_t k = 0; k < 5; k++)
        *fields[k] = json_string_value(json_object_get(run, keys[k]));
    /* the document rp_json_document writes (its keys in its order, the
     * summary counted from the statuses), with the shards' scenarios */
    m->root = rp_json_document(m->results, m->n);
    json_object_set_new(m->root, "format_version", json_integer(version));
    json_object_set(m->root, "scenarios", h.slots);
    release(&h);
    return m;
}

hs_result *const *rp_merged_results(const rp_merged *m, size_t *n)
{
    *n = m->n;
    return m->results;
}

const rp_run_info *rp_merged_run_info(const rp_merged *m) { return &m->info; }

rp_result_set *rp_merged_result_set(const rp_merged *m) { return rp_result_set_of(m->root); }

bool rp_write_merged_json(const char *path, const rp_merged *m, char *err, size_t errlen)
{
    return rp_json_dump(json_incref(m->root), path, err, errlen);
}

void rp_merged_free(rp_merged *m)
{
    if (!m)
        return;
    for (size_t k = 0; k < m->n; k++)
        hs_result_free(m->results[k]);
    free(m->results);
    json_decref(m->root);
    json_decref(m->run);
    free(m);
}
