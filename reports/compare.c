/*
 * compare.c — a run against a baseline: `wgsim test --baseline OLD.json`
 * and `wgsim report OLD.json NEW.json`.
 *
 * Both sides are `--json` documents (this run's is built in memory by
 * rp_json_document), so one reader serves both commands. A saved file is
 * checked completely when it is loaded: every later read may then trust
 * the types, and a damaged file is refused with the place that is wrong
 * instead of being half compared.
 *
 * Scenarios are matched by name (a file may move between two checkouts or
 * be run from another directory; the name is what the suite calls it).
 * Two scenarios of one side with the same name are matched in order, the
 * one from the same file first. Expectations are matched by their words
 * ("what"): an edited expectation is a different one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json_doc.h"
#include "reports/reports.h"

struct rp_result_set {
    json_t *root;
    json_t *scenarios; /* borrowed from root */
};

static const char *const status_names[] = {"passed", "failed", "error", "skipped"};

static bool known_status(const char *s)
{
    for (size_t i = 0; i < sizeof status_names / sizeof *status_names; i++)
        if (!strcmp(s, status_names[i]))
            return true;
    return false;
}

/* The checks of one scenario object; NULL when it is fine, else what is
 * wrong (the caller prefixes the path and the scenario's place). */
static const char *check_string(json_t *o, const char *key, bool required, bool nullable)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return required ? "is missing" : NULL;
    if (json_is_string(v) || (nullable && json_is_null(v)))
        return NULL;
    return nullable ? "is not a string or null" : "is not a string";
}

static bool bad(char *err, size_t errlen, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool bad(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
    int n = snprintf(err, errlen, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool check_scenario(json_t *s, size_t i, const char *path, char *err, size_t errlen)
{
    if (!json_is_object(s))
        return bad(err, errlen, path, "scenarios[%zu] is not an object", i);
    static const struct {
        const char *key;
        bool required, nullable;
    } strings[] = {{"name", true, false}, {"file", true, false}, {"status", true, false}, {"claim", false, true}};
    for (size_t k = 0; k < sizeof strings / sizeof *strings; k++) {
        const char *why = check_string(s, strings[k].key, strings[k].required, strings[k].nullable);
        if (why)
            return bad(err, errlen, path, "scenarios[%zu].%s %s", i, strings[k].key, why);
    }
    const char *status = json_string_value(json_object_get(s, "status"));
    if (!known_status(status))
        return bad(err, errlen, path, "scenarios[%zu].status '%s' is not passed, failed, error or skipped", i, status);
    json_t *ex = json_object_get(s, "expectations");
    if (ex && !json_is_array(ex))
        return bad(err, errlen, path, "scenarios[%zu].expectations is not an array", i);
    size_t k;
    json_t *e;
    json_array_foreach(ex, k, e) {
        if (!json_is_object(e))
            return bad(err, errlen, path, "scenarios[%zu].expectations[%zu] is not an object", i, k);
        const char *why = check_string(e, "verdict", true, false);
        const char *key = "verdict";
        if (!why) {
            key = "what";
            why = check_string(e, "what", true, true);
        }
        if (!why) {
            key = "location";
            why = check_string(e, "location", false, true);
        }
        if (why)
            return bad(err, errlen, path, "scenarios[%zu].expectations[%zu].%s %s", i, k, key, why);
        const char *v = json_string_value(json_object_get(e, "verdict"));
        if (strcmp(v, "passed") && strcmp(v, "failed"))
            return bad(err, errlen, path, "scenarios[%zu].expectations[%zu].verdict '%s' is not passed or failed", i,
                       k, v);
    }
    json_t *c = json_object_get(s, "counters");
    if (c && !json_is_object(c))
        return bad(err, errlen, path, "scenarios[%zu].counters is not an object", i);
    const char *ckey;
    json_t *cv;
    json_object_foreach(c, ckey, cv) {
        if (!json_is_integer(cv) || json_integer_value(cv) < 0)
            return bad(err, errlen, path, "scenarios[%zu].counters.%s is not a count", i, ckey);
    }
    return true;
}

/* The whole document: wgsim's, of a format this build reads, each scenario
 * well-formed. */
static bool check_document(json_t *root, const char *path, char *err, size_t errlen)
{
    if (!json_is_object(root))
        return bad(err, errlen, path, "not a wgsim JSON result (the document is not an object)");
    const char *tool = json_string_value(json_object_get(root, "tool"));
    if (!tool || strcmp(tool, "wgsim"))
        return bad(err, errlen, path, "not a wgsim JSON result (no \"tool\": \"wgsim\")");
    /* no "format_version": a file of version 1, written before the field
     * existed; it has no phase table, the rest reads the same */
    json_t *ver = json_object_get(root, "format_version");
    if (ver) {
        if (!json_is_integer(ver))
            return bad(err, errlen, path, "\"format_version\" is not a number");
        json_int_t v = json_integer_value(ver);
        if (v < 1 || v > RP_JSON_FORMAT_VERSION)
            return bad(err, errlen, path,
                       "\"format_version\" %" JSON_INTEGER_FORMAT " is not a format this wgsim reads (1 to %d); "
                       "compare with a wgsim of that version",
                       v, RP_JSON_FORMAT_VERSION);
    }
    json_t *sc = json_object_get(root, "scenarios");
    if (!json_is_array(sc))
        return bad(err, errlen, path, "\"scenarios\" is missing or not an array");
    size_t i;
    json_t *s;
    json_array_foreach(sc, i, s) {
        if (!check_scenario(s, i, path, err, errlen))
            return false;
    }
    return true;
}

rp_result_set *rp_result_set_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
        return NULL;
    }
    if (!check_document(root, path, err, errlen)) {
        json_decref(root);
        return NULL;
    }
    rp_result_set *s = calloc(1, sizeof *s);
    if (!s)
        sim_oom("reading a JSON result");
    s->root = root;
    s->scenarios = json_object_get(root, "scenarios");
    return s;
}

rp_result_set *rp_result_set_from(hs_result *const *results, size_t n)
{
    rp_result_set *s = calloc(1, sizeof *s);
    if (!s)
        sim_oom("comparing with the baseline");
    s->root = rp_json_document(results, n);
    s->scenarios = json_object_get(s->root, "scenarios");
    return s;
}

void rp_result_set_free(rp_result_set *s)
{
    if (!s)
        return;
    json_decref(s->root);
    free(s);
}

size_t rp_result_set_count(const rp_result_set *s) { return json_array_size(s->scenarios); }

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static bool is_pass(const char *status) { return !strcmp(status, "passed"); }
static bool is_fail(const char *status) { return !strcmp(status, "failed") || !strcmp(status, "error"); }

/* For every scenario of `new`, the index of its match in `old` or SIZE_MAX;
 * old_used marks the matched ones. */
static void match(const rp_result_set *old, const rp_result_set *cur, size_t *match_of, bool *old_used)
{
    size_t no = json_array_size(old->scenarios), nn = json_array_size(cur->scenarios);
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nn; i++) {
            if (pass == 0)
                match_of[i] = SIZE_MAX;
            else if (match_of[i] != SIZE_MAX)
                continue;
            json_t *s = json_array_get(cur->scenarios, i);
            for (size_t k = 0; k < no; k++) {
                json_t *o = json_array_get(old->scenarios, k);
                if (old_used[k] || strcmp(str(s, "name"), str(o, "name")))
                    continue;
                /* first pass: same name and file; second: same name */
                if (pass == 0 && strcmp(str(s, "file"), str(o, "file")))
                    continue;
                match_of[i] = k;
                old_used[k] = true;
                break;
            }
        }
}

/* The expectation of scenario o with the words of e (NULL: none). */
static json_t *same_expectation(json_t *o, json_t *e)
{
    const char *what = json_string_value(json_object_get(e, "what"));
    if (!what)
        return NULL;
    size_t k;
    json_t *x;
    json_array_foreach(json_object_get(o, "expectations"), k, x) {
        const char *w = json_string_value(json_object_get(x, "what"));
        if (w && !strcmp(w, what))
            return x;
    }
    return NULL;
}

/* Expectations of s that passed in o and fail now; printed when out, and
 * with all_failed every failed one (those the baseline does not have
 * said so). */
static size_t newly_failing(FILE *out, json_t *o, json_t *s, bool all_failed)
{
    size_t n = 0, k;
    json_t *e;
    json_array_foreach(json_object_get(s, "expectations"), k, e) {
        if (strcmp(str(e, "verdict"), "failed"))
            continue;
        json_t *before = same_expectation(o, e);
        bool passed_before = before && !strcmp(str(before, "verdict"), "passed");
        n += passed_before;
        if (out && (passed_before || all_failed))
            fprintf(out, "                 %s: %s (%s)\n", str(e, "location"), str(e, "what"),
                    passed_before ? "passed before" : before ? "failed before too" : "not in the baseline");
    }
    return n;
}

static long long count(json_t *s, const char *key)
{
    json_t *v = json_object_get(json_object_get(s, "counters"), key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* "handshakes 4 -> 6; pings answered 58 of 60 -> 60 of 60": the convergence
 * figures both results have that differ (0 when none). */
static size_t print_figures(FILE *out, const char *name, json_t *o, json_t *s)
{
    static const struct {
        const char *key, *words;
    } figures[] = {{"handshakes", "handshakes"}, {"pings_answered", "pings answered"}, {"drops", "drops"}};
    size_t n = 0;
    for (size_t k = 0; k < sizeof figures / sizeof *figures; k++) {
        long long a = count(o, figures[k].key), b = count(s, figures[k].key);
        if (a < 0 || b < 0 || a == b)
            continue;
        if (n++ == 0)
            fprintf(out, "  changed        %s:", name);
        else
            fputc(';', out);
        fprintf(out, " %s %lld -> %lld", figures[k].words, a, b);
        if (!strcmp(figures[k].key, "pings_answered"))
            fprintf(out, " (of %lld -> %lld sent)", count(o, "pings_sent"), count(s, "pings_sent"));
    }
    if (n)
        fputc('\n', out);
    return n;
}

static void name_claim(FILE *out, json_t *s)
{
    fputs(str(s, "name"), out);
    const char *claim = json_string_value(json_object_get(s, "claim"));
    if (claim)
        fprintf(out, " (claim %s)", claim);
}

void rp_compare(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                rp_comparison *c)
{
    memset(c, 0, sizeof *c);
    size_t no = json_array_size(old->scenarios), nn = json_array_size(cur->scenarios);
    size_t *match_of = calloc(nn ? nn : 1, sizeof *match_of);
    bool *old_used = calloc(no ? no : 1, sizeof *old_used);
    if (!match_of || !old_used)
        sim_oom("comparing with the baseline");
    match(old, cur, match_of, old_used);
    /* counted first so that the heading can say it all */
    for (size_t i = 0; i < nn; i++) {
        json_t *s = json_array_get(cur->scenarios, i);
        if (match_of[i] == SIZE_MAX) {
            c->added++;
            continue;
        }
        json_t *o = json_array_get(old->scenarios, match_of[i]);
        const char *was = str(o, "status"), *now = str(s, "status");
        if (is_pass(was) && is_fail(now))
            c->regressions++;
        else if (is_fail(was) && is_fail(now) && newly_failing(NULL, o, s, false))
            c->regressions++;
        else if (is_fail(was) && is_pass(now))
            c->newly_passing++;
        else if (strcmp(was, now))
            c->other++;
        else
            c->unchanged++;
    }
    for (size_t k = 0; k < no; k++)
        c->removed += !old_used[k];
    fprintf(out, "compared with %s: %zu regression%s, %zu newly passing, %zu added, %zu removed", old_label,
            c->regressions, c->regressions == 1 ? "" : "s", c->newly_passing, c->added, c->removed);
    if (c->other)
        fprintf(out, ", %zu otherwise changed", c->other);
    fprintf(out, ", %zu unchanged\n", c->unchanged);
    /* regressions first: they are what a reader looks for */
    for (int part = 0; part < 2; part++)
        for (size_t i = 0; i < nn; i++) {
            json_t *s = json_array_get(cur->scenarios, i);
            const char *now = str(s, "status");
            if (match_of[i] == SIZE_MAX) {
                if (part == 1) {
                    fputs("  added          ", out);
                    name_claim(out, s);
                    fprintf(out, ": %s\n", now);
                }
                continue;
            }
            json_t *o = json_array_get(old->scenarios, match_of[i]);
            const char *was = str(o, "status");
            bool regression = (is_pass(was) && is_fail(now)) || (is_fail(was) && is_fail(now) && newly_failing(NULL, o, s, false));
            if (part == 0 && regression) {
                fputs("  regression     ", out);
                name_claim(out, s);
                fprintf(out, ": %s -> %s\n", was, now);
                newly_failing(out, o, s, is_pass(was));
                /* an ERROR has no verdicts: its first message says why */
                const char *why = json_string_value(json_object_get(s, "error"));
                if (why && !strcmp(now, "error"))
                    fprintf(out, "                 %.*s\n", (int)strcspn(why, "\n"), why);
            } else if (part == 1 && !regression && strcmp(was, now)) {
                fprintf(out, "  %-14s ", is_fail(was) && is_pass(now) ? "newly passing" : "status");
                name_claim(out, s);
                fprintf(out, ": %s -> %s\n", was, now);
            }
        }
    for (size_t k = 0; k < no; k++)
        if (!old_used[k]) {
            json_t *o = json_array_get(old->scenarios, k);
            fputs("  removed        ", out);
            name_claim(out, o);
            fprintf(out, ": was %s\n", str(o, "status"));
        }
    for (size_t i = 0; i < nn; i++)
        if (match_of[i] != SIZE_MAX) {
            json_t *s = json_array_get(cur->scenarios, i);
            print_figures(out, str(s, "name"), json_array_get(old->scenarios, match_of[i]), s);
        }
    free(match_of);
    free(old_used);
}
