/*
 * json_read.c — a scenario of a `--json` document read back into a result
 * (json_doc.h), for the reports `wgsim merge` writes from the shards'
 * files with the writers `wgsim test` uses. The document was checked when
 * it was loaded (compare.c); fields it may lack read as empty.
 *
 * What comes back is what the JUnit file and the summary read: names,
 * status, wall time, error, warnings, expectations (verdicts, words,
 * packets) and counters. The phase table and the timeline stay in the
 * JSON (the merged JSON carries them as the shards wrote them).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json_doc.h"
#include "reports/reports.h"

/* A copy of o[key] when it is a string, else NULL. */
static char *dup_str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v)
        return NULL;
    char *c = strdup(v);
    if (!c)
        sim_oom("reading a JSON result");
    return c;
}

/* n zeroed elements of size bytes; NULL for none */
static void *elements(size_t n, size_t size)
{
    void *v = n ? calloc(n, size) : NULL;
    if (n && !v)
        sim_oom("reading a JSON result");
    return v;
}

static int64_t ns(json_t *o, const char *key) { return (int64_t)llround(json_number_value(json_object_get(o, key)) * 1e9); }

/* "FILE:LINE:COL" (or "FILE"): the line and column after the file. */
static hs_loc loc_of(const char *file, const char *location)
{
    hs_loc l = {0, 0};
    size_t n = strlen(file);
    if (location && !strncmp(location, file, n) && location[n] == ':')
        sscanf(location + n + 1, "%u:%u", &l.line, &l.col);
    return l;
}

static hs_status status_of(const char *s)
{
    for (hs_status k = HS_STATUS_PASSED; k <= HS_STATUS_SKIPPED; k++)
        if (s && !strcmp(s, hs_status_name(k)))
            return k;
    return HS_STATUS_ERROR;
}

static hs_expect_kind kind_of(const char *s)
{
    for (hs_expect_kind k = HS_EXP_PACKETS; k <= HS_EXP_LOAD; k++)
        if (s && !strcmp(s, hs_expect_kind_name(k)))
            return k;
    return HS_EXP_PACKETS;
}

static void read_expectation(hs_result *r, json_t *o, hs_expect_result *e)
{
    e->index = (size_t)json_integer_value(json_object_get(o, "index"));
    e->loc = loc_of(r->file, json_string_value(json_object_get(o, "location")));
    e->kind = kind_of(json_string_value(json_object_get(o, "kind")));
    e->passed = !strcmp(json_string_value(json_object_get(o, "verdict")), "passed");
    e->what = dup_str(o, "what");
    e->expected = dup_str(o, "expected");
    e->observed = dup_str(o, "observed");
    json_t *v = json_object_get(o, "value");
    e->value = json_is_number(v) ? json_number_value(v) : NAN;
    json_t *pk = json_object_get(o, "packets");
    e->n_packets = json_array_size(pk);
    e->packets = elements(e->n_packets, sizeof *e->packets);
    for (size_t p = 0; p < e->n_packets; p++) {
        json_t *x = json_array_get(pk, p);
        e->packets[p].t = ns(x, "t");
        e->packets[p].text = dup_str(x, "text");
    }
}

/* {"location", "rule", "message"} back to the linter's "message [rule]". */
static void read_warning(hs_result *r, json_t *o, hs_error *w)
{
    w->loc = loc_of(r->file, json_string_value(json_object_get(o, "location")));
    const char *msg = json_string_value(json_object_get(o, "message"));
    const char *rule = json_string_value(json_object_get(o, "rule"));
    msg = msg ? msg : "";
    size_t len = strlen(msg) + (rule ? strlen(rule) + 3 : 0) + 1;
    w->msg = malloc(len);
    if (!w->msg)
        sim_oom("reading a JSON result");
    if (rule)
        snprintf(w->msg, len, "%s [%s]", msg, rule);
    else
        snprintf(w->msg, len, "%s", msg);
}

static uint64_t counter(json_t *c, const char *key) { return (uint64_t)json_integer_value(json_object_get(c, key)); }

hs_result *rp_result_from_json(json_t *o)
{
    hs_result *r = calloc(1, sizeof *r);
    if (!r)
        sim_oom("reading a JSON result");
    r->file = dup_str(o, "file");
    if (!r->file && !(r->file = strdup("")))
        sim_oom("reading a JSON result");
    r->name = dup_str(o, "name");
    r->claim = dup_str(o, "claim");
    r->description = dup_str(o, "description");
    r->platform = dup_str(o, "platform");
    r->perturb = dup_str(o, "perturb");
    r->error = dup_str(o, "error");
    r->status = status_of(json_string_value(json_object_get(o, "status")));
    r->wall_seconds = json_number_value(json_object_get(o, "duration"));
    r->sim_duration = ns(o, "simulated");
    r->seed = (uint64_t)json_integer_value(json_object_get(o, "seed"));
    json_t *ex = json_object_get(o, "expectations");
    r->n_expects = json_array_size(ex);
    r->expects = elements(r->n_expects, sizeof *r->expects);
    for (size_t i = 0; i < r->n_expects; i++) {
        read_expectation(r, json_array_get(ex, i), &r->expects[i]);
        r->n_failed += r->expects[i].passed ? 0 : 1;
    }
    json_t *wa = json_object_get(o, "warnings");
    r->n_warnings = json_array_size(wa);
    r->warnings = elements(r->n_warnings, sizeof *r->warnings);
    for (size_t i = 0; i < r->n_warnings; i++)
        read_warning(r, json_array_get(wa, i), &r->warnings[i]);
    json_t *c = json_object_get(o, "counters");
    r->counters = (hs_counters){
        .trace_records = counter(c, "trace_records"),
        .wg_datagrams = counter(c, "wg_datagrams"),
        .handshakes = counter(c, "handshakes"),
        .drops = counter(c, "drops"),
        .events = counter(c, "events"),
        .pings_sent = counter(c, "pings_sent"),
        .pings_answered = counter(c, "pings_answered"),
    };
    return r;
}
