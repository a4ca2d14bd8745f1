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
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "reports/json_doc.h"
#include "reports/reports.h"
#include "reports/write_file.h"

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
    /* a seed sweep (sweep.c) counts seeds per scenario: no verdict to compare */
    if (json_object_get(root, "sweep"))
        return bad(err, errlen, path,
                   "a seed sweep (wgsim test --seeds --json), not a result to compare: give a --json result");
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
    /* not fopen(): a FIFO given as --baseline would block it (issue 22) */
    char why[256];
    int fd = hs_open_input(path, SIZE_MAX, "JSON results", why, sizeof why);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
    if (!f) {
        if (fd < 0 && errno != EISDIR && errno != EINVAL) /* open() said it: as before, "No such file ..." */
            snprintf(why, sizeof why, "%s", strerror(errno));
        if (fd >= 0) {
            snprintf(why, sizeof why, "%s", strerror(errno));
            close(fd);
        }
        snprintf(err, errlen, "%s: %s", path, why);
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

rp_result_set *rp_result_set_of(json_t *root)
{
    rp_result_set *s = calloc(1, sizeof *s);
    if (!s)
        sim_oom("comparing with the baseline");
    s->root = json_incref(root);
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

json_t *rp_result_set_root(const rp_result_set *s) { return s->root; }

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

/* A change's explanation is a few lines of text, gathered in a memory
 * stream so the terminal and the Markdown renderers share them. */
typedef struct lines {
    char *buf;
    size_t len;
    FILE *f;
} lines;

static void lines_open(lines *l)
{
    *l = (lines){0};
    l->f = open_memstream(&l->buf, &l->len);
    if (!l->f)
        sim_oom("comparing with the baseline");
}

/* Closes the stream; the text (NULL when nothing was written) is the caller's. */
static char *lines_close(lines *l)
{
    fclose(l->f);
    if (l->len)
        return l->buf;
    free(l->buf);
    return NULL;
}

/* Expectations of s that passed in o and fail now; a line each into out
 * when given, and with all_failed every failed one (those the baseline
 * does not have said so). */
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
            fprintf(out, "%s: %s (%s)\n", *str(e, "location") ? str(e, "location") : "(no location)", str(e, "what"),
                    passed_before ? "passed before" : before ? "failed before too" : "not in the baseline");
    }
    return n;
}

static long long count(json_t *s, const char *key)
{
    json_t *v = json_object_get(json_object_get(s, "counters"), key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* "handshakes 4 -> 6; pings answered 58 -> 60 (of 60 -> 60 sent)": the
 * scenario's counters both results have that differ, as one line. */
static void counter_figures(FILE *out, json_t *o, json_t *s)
{
    static const struct {
        const char *key, *words;
    } figures[] = {{"handshakes", "handshakes"}, {"pings_answered", "pings answered"}, {"drops", "drops"}};
    size_t n = 0;
    for (size_t k = 0; k < sizeof figures / sizeof *figures; k++) {
        long long a = count(o, figures[k].key), b = count(s, figures[k].key);
        if (a < 0 || b < 0 || a == b)
            continue;
        fprintf(out, "%s%s %lld -> %lld", n++ ? "; " : "", figures[k].words, a, b);
        if (!strcmp(figures[k].key, "pings_answered"))
            fprintf(out, " (of %lld -> %lld sent)", count(o, "pings_sent"), count(s, "pings_sent"));
    }
    if (n)
        fputc('\n', out);
}

/* "fw1 198.51.100.2:51820" for a side of a phase's tunnel, "-" when it sent nothing. */
static void side_text(char *buf, size_t len, json_t *side)
{
    const char *serving = json_string_value(json_object_get(side, "serving"));
    const char *source = json_string_value(json_object_get(side, "source"));
    if (!serving && !source)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%s%s%s", serving ? serving : "", serving && source ? " " : "", source ? source : "");
}

static void outage_text(char *buf, size_t len, json_t *t)
{
    json_t *v = json_object_get(t, "outage");
    if (json_is_number(v)) {
        /* back to whole nanoseconds, then shown as wgsim run shows it
         * (milliseconds cut, not rounded) */
        char ts[32];
        snprintf(buf, len, "%ss", hs_result_time(llround(json_number_value(v) * 1e9), ts, sizeof ts));
    }
    else if (json_integer_value(json_object_get(t, "echoes")) > 0)
        snprintf(buf, len, "no answer");
    else
        snprintf(buf, len, "-");
}

/* "fw1 198.51.100.2:51820 x77, fw2 203.0.113.2:51820 x3": the datagrams a
 * side sent per node and source address ("none"). */
static void sources_text(char *buf, size_t len, json_t *side)
{
    size_t used = 0, k;
    json_t *x;
    snprintf(buf, len, "none");
    json_array_foreach(json_object_get(side, "sources"), k, x) {
        int n = snprintf(buf + used, len - used, "%s%s %s x%lld", used ? ", " : "", str(x, "node"), str(x, "source"),
                         (long long)json_integer_value(json_object_get(x, "datagrams")));
        if (n < 0 || (size_t)n >= len - used)
            break; /* the first ones, as many as fit */
        used += (size_t)n;
    }
}

/* Whether two sides sent from the same nodes and source addresses (in any
 * order, whatever the counts). */
static bool same_sources(json_t *a, json_t *b)
{
    json_t *la = json_object_get(a, "sources"), *lb = json_object_get(b, "sources");
    if (json_array_size(la) != json_array_size(lb))
        return false;
    size_t i, k;
    json_t *x, *y;
    json_array_foreach(la, i, x) {
        bool found = false;
        json_array_foreach(lb, k, y) {
            found |= !strcmp(str(x, "node"), str(y, "node")) && !strcmp(str(x, "source"), str(y, "source"));
        }
        if (!found)
            return false;
    }
    return true;
}

/* The tunnel of phase p named like t (NULL: none). */
static json_t *same_tunnel(json_t *p, json_t *t)
{
    size_t k;
    json_t *x;
    json_array_foreach(json_object_get(p, "tunnels"), k, x) {
        if (!strcmp(str(x, "tunnel"), str(t, "tunnel")))
            return x;
    }
    return NULL;
}

/* Per phase (matched by position and event) and tunnel (by name): the
 * outage, the handshakes, each side's serving node and main source, and
 * its datagrams per source address when a source came or went, where they
 * differ, a line each: "phase 30.000s maintenance fw1 on,
 * fw1/wg0/remote: outage 15.031s -> 3.050s; side A fw1 198.51.100.2:51820
 * -> fw2 203.0.113.2:51820". A baseline without phases (format 1) has
 * nothing to compare. The phase table is not checked on load: it is read
 * with jansson's accessors, which give NULL, 0 or "" for a missing or
 * mistyped field, so a damaged table compares as "-" or 0 instead of
 * refusing a file whose verdicts are sound. */
static void phase_figures(FILE *out, json_t *o, json_t *s)
{
    json_t *po = json_object_get(o, "phases"), *ps = json_object_get(s, "phases");
    for (size_t k = 0; k < json_array_size(ps) && k < json_array_size(po); k++) {
        json_t *a = json_array_get(po, k), *b = json_array_get(ps, k);
        const char *ea = json_string_value(json_object_get(a, "event"));
        const char *eb = json_string_value(json_object_get(b, "event"));
        if ((ea || eb) && (!ea || !eb || strcmp(ea, eb)))
            continue; /* another timeline: its phases are not comparable */
        size_t i;
        json_t *tb;
        json_array_foreach(json_object_get(b, "tunnels"), i, tb) {
            json_t *ta = same_tunnel(a, tb);
            if (!ta)
                continue;
            char x[320], y[320];
            size_t n = 0;
            const char *sep = "";
#define DIFF(...)                                                                                                     \
    do {                                                                                                              \
        if (strcmp(x, y)) {                                                                                           \
            if (n++ == 0)                                                                                             \
                fprintf(out, "phase %.3fs %s, %s: ", json_number_value(json_object_get(b, "start")),                  \
                        eb ? eb : "(start)", str(tb, "tunnel"));                                                      \
            fprintf(out, "%s" __VA_ARGS__);                                                                           \
            sep = "; ";                                                                                               \
        }                                                                                                             \
    } while (0)
            outage_text(x, sizeof x, ta);
            outage_text(y, sizeof y, tb);
            DIFF("outage %s -> %s", sep, x, y);
            snprintf(x, sizeof x, "%lld", (long long)json_integer_value(json_object_get(ta, "handshakes")));
            snprintf(y, sizeof y, "%lld", (long long)json_integer_value(json_object_get(tb, "handshakes")));
            DIFF("handshakes %s -> %s", sep, x, y);
            for (size_t side = 0; side < 2; side++) {
                side_text(x, sizeof x, json_array_get(json_object_get(ta, "sides"), side));
                side_text(y, sizeof y, json_array_get(json_object_get(tb, "sides"), side));
                DIFF("side %c %s -> %s", sep, side ? 'B' : 'A', x, y);
            }
            /* packets per source address, when a source came or went */
            for (size_t side = 0; side < 2; side++) {
                json_t *sa = json_array_get(json_object_get(ta, "sides"), side);
                json_t *sb = json_array_get(json_object_get(tb, "sides"), side);
                /* one source each: the main source above said it */
                if (same_sources(sa, sb) || (json_array_size(json_object_get(sa, "sources")) <= 1 &&
                                             json_array_size(json_object_get(sb, "sources")) <= 1))
                    continue;
                sources_text(x, sizeof x, sa);
                sources_text(y, sizeof y, sb);
                DIFF("side %c sources %s -> %s", sep, side ? 'B' : 'A', x, y);
            }
#undef DIFF
            if (n)
                fputc('\n', out);
        }
    }
}

typedef enum change_kind { CH_REGRESSION, CH_NEWLY_PASSING, CH_STATUS, CH_ADDED, CH_REMOVED, CH_FIGURES } change_kind;
static const char *const change_words[] = {"regression", "newly passing", "status", "added", "removed", "changed"};

typedef struct change {
    change_kind kind;
    json_t *scenario; /* the new one; the old one for removed */
    const char *was, *now; /* NULL where there is none */
    char *details;     /* lines, each ending in '\n' (NULL: none) */
} change;

typedef struct changes {
    change *v;
    size_t n;
    rp_comparison count;
    bool old_has_phases; /* else: a format 1 baseline */
} changes;

static void add(changes *l, change_kind kind, json_t *sc, const char *was, const char *now, char *details)
{
    change *v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        sim_oom("comparing with the baseline");
    l->v = v;
    l->v[l->n++] = (change){kind, sc, was, now, details};
}

/* Every change, in the order a reader wants them: regressions, other
 * changes of status and added scenarios (in the new result's order),
 * removed ones, then changed figures. */
static void collect(const rp_result_set *old, const rp_result_set *cur, changes *l)
{
    *l = (changes){0};
    size_t no = json_array_size(old->scenarios), nn = json_array_size(cur->scenarios);
    size_t *match_of = calloc(nn ? nn : 1, sizeof *match_of);
    bool *old_used = calloc(no ? no : 1, sizeof *old_used);
    if (!match_of || !old_used)
        sim_oom("comparing with the baseline");
    match(old, cur, match_of, old_used);
    rp_comparison *c = &l->count;
    for (int part = 0; part < 2; part++)
        for (size_t i = 0; i < nn; i++) {
            json_t *s = json_array_get(cur->scenarios, i);
            const char *now = str(s, "status");
            if (match_of[i] == SIZE_MAX) {
                if (part == 1) {
                    c->added++;
                    add(l, CH_ADDED, s, NULL, now, NULL);
                }
                continue;
            }
            json_t *o = json_array_get(old->scenarios, match_of[i]);
            const char *was = str(o, "status");
            bool regression =
                (is_pass(was) && is_fail(now)) || (is_fail(was) && is_fail(now) && newly_failing(NULL, o, s, false));
            if (part == 0 && regression) {
                c->regressions++;
                lines d;
                lines_open(&d);
                newly_failing(d.f, o, s, is_pass(was));
                /* an ERROR has no verdicts: its first message says why */
                const char *why = json_string_value(json_object_get(s, "error"));
                if (why && !strcmp(now, "error"))
                    fprintf(d.f, "%.*s\n", (int)strcspn(why, "\n"), why);
                add(l, CH_REGRESSION, s, was, now, lines_close(&d));
            } else if (part == 1 && !regression) {
                if (is_fail(was) && is_pass(now)) {
                    c->newly_passing++;
                    add(l, CH_NEWLY_PASSING, s, was, now, NULL);
                } else if (strcmp(was, now)) {
                    c->other++;
                    add(l, CH_STATUS, s, was, now, NULL);
                } else {
                    c->unchanged++;
                }
            }
        }
    for (size_t k = 0; k < no; k++)
        if (!old_used[k]) {
            c->removed++;
            json_t *o = json_array_get(old->scenarios, k);
            add(l, CH_REMOVED, o, str(o, "status"), NULL, NULL);
        }
    l->old_has_phases = true;
    for (size_t k = 0; k < no; k++)
        if (!json_object_get(json_array_get(old->scenarios, k), "phases"))
            l->old_has_phases = false;
    for (size_t i = 0; i < nn; i++)
        if (match_of[i] != SIZE_MAX) {
            json_t *s = json_array_get(cur->scenarios, i), *o = json_array_get(old->scenarios, match_of[i]);
            lines d;
            lines_open(&d);
            counter_figures(d.f, o, s);
            phase_figures(d.f, o, s);
            char *text = lines_close(&d);
            if (text)
                add(l, CH_FIGURES, s, NULL, NULL, text);
        }
    free(match_of);
    free(old_used);
}

static void release(changes *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].details);
    free(l->v);
}

static void name_claim(FILE *out, json_t *s)
{
    fputs(str(s, "name"), out);
    const char *claim = json_string_value(json_object_get(s, "claim"));
    if (claim)
        fprintf(out, " (claim %s)", claim);
}

/* ": passed -> failed", ": passed" (added), ": was passed" (removed), and
 * the line's end. */
static void status_tail(FILE *out, const change *ch, const char *arrow)
{
    if (ch->was && ch->now)
        fprintf(out, ": %s %s %s", ch->was, arrow, ch->now);
    else if (ch->now)
        fprintf(out, ": %s", ch->now);
    else if (ch->was)
        fprintf(out, ": was %s", ch->was);
    fputc('\n', out);
}

/* "N regressions, N newly passing, N added, N removed, N unchanged" */
static void counts_text(FILE *out, const rp_comparison *c)
{
    fprintf(out, "%zu regression%s, %zu newly passing, %zu added, %zu removed", c->regressions,
            c->regressions == 1 ? "" : "s", c->newly_passing, c->added, c->removed);
    if (c->other)
        fprintf(out, ", %zu otherwise changed", c->other);
    fprintf(out, ", %zu unchanged", c->unchanged);
}

static const char *const no_phases_note = "the baseline has no phase tables (format_version 1): "
                                          "phases are not compared";

void rp_compare(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                rp_comparison *c)
{
    changes l;
    collect(old, cur, &l);
    *c = l.count;
    fprintf(out, "compared with %s: ", old_label);
    counts_text(out, c);
    fputc('\n', out);
    if (!l.old_has_phases && json_array_size(old->scenarios))
        fprintf(out, "  (%s)\n", no_phases_note);
    for (size_t i = 0; i < l.n; i++) {
        const change *ch = &l.v[i];
        fprintf(out, "  %-14s ", change_words[ch->kind]);
        name_claim(out, ch->scenario);
        status_tail(out, ch, "->");
        for (const char *p = ch->details; p && *p;) {
            size_t n = strcspn(p, "\n");
            fprintf(out, "                 %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    release(&l);
}

void rp_compare_markdown(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                         rp_comparison *c)
{
    changes l;
    collect(old, cur, &l);
    *c = l.count;
    fputs("## Compared with ", out);
    rp_markdown_text(out, old_label);
    fputs("\n\n", out);
    /* the word a reader (and a script) looks for, first */
    fprintf(out, "%s", c->regressions ? "**regression**: " : "");
    counts_text(out, c);
    fputs(".\n", out);
    if (!l.old_has_phases && json_array_size(old->scenarios))
        fprintf(out, "\n_(%s)_\n", no_phases_note);
    if (l.n)
        fputc('\n', out);
    for (size_t i = 0; i < l.n; i++) {
        const change *ch = &l.v[i];
        fprintf(out, "- **%s** ", change_words[ch->kind]);
        rp_markdown_text(out, str(ch->scenario, "name"));
        const char *claim = json_string_value(json_object_get(ch->scenario, "claim"));
        if (claim) {
            fputs(" (claim ", out);
            rp_markdown_text(out, claim);
            fputc(')', out);
        }
        status_tail(out, ch, "→");
        for (const char *p = ch->details; p && *p;) {
            size_t n = strcspn(p, "\n");
            char *one = strndup(p, n);
            if (!one)
                sim_oom("comparing with the baseline");
            fputs("  - ", out);
            rp_markdown_text(out, one);
            fputc('\n', out);
            free(one);
            p += n + (p[n] == '\n');
        }
    }
    release(&l);
}

void rp_compare_html(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                     rp_comparison *c)
{
    changes l;
    collect(old, cur, &l);
    *c = l.count;
    fputs("<section id=\"comparison\">\n<h2>Compared with ", out);
    rp_html_text(out, old_label);
    fputs("</h2>\n", out);
    /* the word a reader (and a script) looks for, first */
    fputs(c->regressions ? "<p class=\"regression\"><strong>regression</strong>: " : "<p>", out);
    counts_text(out, c);
    fputs(".</p>\n", out);
    if (!l.old_has_phases && json_array_size(old->scenarios))
        fprintf(out, "<p><em>(%s)</em></p>\n", no_phases_note);
    if (l.n)
        fputs("<ul class=\"changes\">\n", out);
    for (size_t i = 0; i < l.n; i++) {
        const change *ch = &l.v[i];
        fprintf(out, "<li><strong>%s</strong> ", change_words[ch->kind]);
        rp_html_text(out, str(ch->scenario, "name"));
        const char *claim = json_string_value(json_object_get(ch->scenario, "claim"));
        if (claim) {
            fputs(" (claim ", out);
            rp_html_text(out, claim);
            fputc(')', out);
        }
        /* the arrow and the statuses are ours, the words fixed */
        status_tail(out, ch, "→");
        if (ch->details) {
            fputs("<pre>", out);
            rp_html_text(out, ch->details);
            fputs("</pre>", out);
        }
        fputs("</li>\n", out);
    }
    if (l.n)
        fputs("</ul>\n", out);
    fputs("</section>\n", out);
    release(&l);
}

typedef struct report_args {
    const char *old_label, *new_label;
    const rp_result_set *old, *cur;
    rp_comparison *c;
} report_args;

static void print_report(FILE *f, void *arg)
{
    report_args *a = arg;
    fputs("# wgsim comparison\n\n", f);
    rp_markdown_text(f, a->new_label);
    fprintf(f, " (%zu scenarios) compared with ", rp_result_set_count(a->cur));
    rp_markdown_text(f, a->old_label);
    fprintf(f, " (%zu scenarios).\n\n", rp_result_set_count(a->old));
    rp_compare_markdown(f, a->old_label, a->old, a->cur, a->c);
}

bool rp_write_compare_markdown(const char *path, const char *old_label, const char *new_label,
                               const rp_result_set *old, const rp_result_set *cur, rp_comparison *c, char *err,
                               size_t errlen)
{
    report_args a = {old_label, new_label, old, cur, c};
    return rp_write_file(path, "Markdown", print_report, &a, err, errlen);
}

static void print_html_report(FILE *f, void *arg)
{
    report_args *a = arg;
    rp_html_head(f, "wgsim comparison");
    fputs("<h1>wgsim comparison</h1>\n<p><code>", f);
    rp_html_text(f, a->new_label);
    fprintf(f, "</code> (%zu scenarios) compared with <code>", rp_result_set_count(a->cur));
    rp_html_text(f, a->old_label);
    fprintf(f, "</code> (%zu scenarios).</p>\n", rp_result_set_count(a->old));
    rp_compare_html(f, a->old_label, a->old, a->cur, a->c);
    fputs("</body>\n</html>\n", f);
}

bool rp_write_compare_html(const char *path, const char *old_label, const char *new_label, const rp_result_set *old,
                           const rp_result_set *cur, rp_comparison *c, char *err, size_t errlen)
{
    report_args a = {old_label, new_label, old, cur, c};
    return rp_write_file(path, "HTML", print_html_report, &a, err, errlen);
}
