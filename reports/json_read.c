/*
 * json_read.c — a scenario of a `--json` document read back into a result
 * (json_doc.h), for the reports `wgsim merge` writes from the shards'
 * files with the writers `wgsim test` uses. The document was checked when
 * it was loaded (compare.c); fields it may lack read as empty.
 *
 * What comes back is what the JUnit, Markdown and HTML files and the
 * summary read: names, status, wall time, error, warnings, expectations
 * (verdicts, words, packets), counters, the phase table, and from a
 * shard's "drawing" the topology, timeline series and sequence diagram.
 * The timeline stays in the JSON (the merged JSON carries it as the
 * shards wrote it): no report of merge reads it.
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

static size_t count(json_t *o, const char *key) { return (size_t)json_integer_value(json_object_get(o, key)); }

/* What reading the phase table and the drawing found wrong first: the
 * writers index by what they read (a side's first source, a link's
 * segment, a message's lanes), so a damaged file is refused, not drawn. */
typedef struct reading {
    char *why;
    size_t len;
    bool bad;
} reading;

static void wrong(reading *rd, const char *what)
{
    if (!rd->bad)
        snprintf(rd->why, rd->len, "%s", what);
    rd->bad = true;
}

/* o[key] copied; a string the writers need: missing, it is wrong */
static char *need_str(reading *rd, json_t *o, const char *key, const char *what)
{
    if (!json_is_string(json_object_get(o, key)))
        wrong(rd, what);
    char *c = dup_str(o, key);
    if (!c && !(c = strdup("")))
        sim_oom("reading a JSON result");
    return c;
}

/* o[key] as an index below n */
static size_t index_below(reading *rd, json_t *o, const char *key, size_t n, const char *what)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) >= n) {
        wrong(rd, what);
        return 0;
    }
    return (size_t)json_integer_value(v);
}

/* ["fw1", "fw2"] back to "fw1, fw2" (json.c, names_json) */
static char *joined(reading *rd, json_t *names)
{
    if (!json_is_array(names))
        wrong(rd, "a tunnel's \"sides\" are not two lists of names");
    size_t len = 1, i;
    json_t *v;
    json_array_foreach(names, i, v)
        len += strlen(json_string_value(v) ? json_string_value(v) : "") + 2;
    char *s = malloc(len);
    if (!s)
        sim_oom("reading a JSON result");
    s[0] = 0;
    json_array_foreach(names, i, v) {
        if (i)
            strcat(s, ", ");
        strcat(s, json_string_value(v) ? json_string_value(v) : "");
    }
    return s;
}

static void read_side(reading *rd, json_t *o, hs_phase_side *sd)
{
    sd->serving = dup_str(o, "serving");
    sd->datagrams = counter(o, "datagrams");
    json_t *src = json_object_get(o, "sources");
    sd->n_sources = json_array_size(src);
    sd->sources = elements(sd->n_sources, sizeof *sd->sources);
    for (size_t k = 0; k < sd->n_sources; k++) {
        json_t *x = json_array_get(src, k);
        sd->sources[k] = (hs_phase_source){.node = need_str(rd, x, "node", "a phase's source has no node"),
                                           .src = need_str(rd, x, "source", "a phase's source has no address"),
                                           .datagrams = counter(x, "datagrams"), .first = ns(x, "first")};
    }
    /* the side's cell is its serving node and first source */
    if (sd->serving && !sd->n_sources)
        wrong(rd, "a phase's side has a serving node but no source");
}

/* "tunnels" and "phases" (json.c, phases_json) */
static void read_phases(reading *rd, hs_result *r, json_t *o)
{
    json_t *tu = json_object_get(o, "tunnels"), *ph = json_object_get(o, "phases");
    r->n_tunnels = json_array_size(tu);
    r->tunnels = elements(r->n_tunnels, sizeof *r->tunnels);
    for (size_t t = 0; t < r->n_tunnels; t++) {
        json_t *x = json_array_get(tu, t), *sides = json_object_get(x, "sides");
        r->tunnels[t].name = need_str(rd, x, "name", "a tunnel's name is not a string");
        r->tunnels[t].nodes[0] = joined(rd, json_array_get(sides, 0));
        r->tunnels[t].nodes[1] = joined(rd, json_array_get(sides, 1));
    }
    r->n_phases = json_array_size(ph);
    r->phases = elements(r->n_phases, sizeof *r->phases);
    for (size_t p = 0; p < r->n_phases; p++) {
        json_t *x = json_array_get(ph, p), *ta = json_object_get(x, "tunnels");
        hs_phase *f = &r->phases[p];
        f->start = ns(x, "start");
        f->end = ns(x, "end");
        f->event = dup_str(x, "event");
        f->tunnels = elements(r->n_tunnels, sizeof *f->tunnels);
        if (json_array_size(ta) != r->n_tunnels)
            wrong(rd, "a phase does not hold one entry per tunnel");
        for (size_t t = 0; t < r->n_tunnels && t < json_array_size(ta); t++) {
            json_t *y = json_array_get(ta, t), *sides = json_object_get(y, "sides");
            hs_phase_tunnel *c = &f->tunnels[t];
            read_side(rd, json_array_get(sides, 0), &c->side[0]);
            read_side(rd, json_array_get(sides, 1), &c->side[1]);
            c->handshakes = counter(y, "handshakes");
            c->echoes = counter(y, "echoes");
            c->answered = counter(y, "answered");
            c->outage = json_is_number(json_object_get(y, "outage")) ? ns(y, "outage") : -1;
        }
    }
}

/* a JSON array of strings as n malloc'd copies */
static char **texts(reading *rd, json_t *a, size_t *n, const char *what)
{
    *n = json_array_size(a);
    char **v = elements(*n, sizeof *v);
    for (size_t i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s)
            wrong(rd, what);
        if (!(v[i] = strdup(s ? s : "")))
            sim_oom("reading a JSON result");
    }
    return v;
}

static int64_t t_ns(json_t *o) { return (int64_t)json_integer_value(json_object_get(o, "t_ns")); }

/* "drawing".topology (json.c, topology_json) */
static void read_topology(reading *rd, hs_topology *t, json_t *o)
{
    t->scenario_nodes = count(o, "scenario_nodes");
    t->segments = texts(rd, json_object_get(o, "segments"), &t->n_segments, "a segment's name is not a string");
    json_t *nodes = json_object_get(o, "nodes"), *tunnels = json_object_get(o, "tunnels");
    t->n_nodes = json_array_size(nodes);
    t->nodes = elements(t->n_nodes, sizeof *t->nodes);
    for (size_t i = 0; i < t->n_nodes; i++) {
        json_t *x = json_array_get(nodes, i), *links = json_object_get(x, "links");
        hs_topo_node *n = &t->nodes[i];
        n->name = need_str(rd, x, "name", "a node's name is not a string");
        /* static, as the runner gives it (hs_node_kind_name) */
        const char *kind = json_string_value(json_object_get(x, "kind"));
        n->kind = kind && !strcmp(kind, "router") ? "router" : kind && !strcmp(kind, "firewall") ? "firewall" : "host";
        n->n_links = json_array_size(links);
        n->links = elements(n->n_links, sizeof *n->links);
        for (size_t k = 0; k < n->n_links; k++)
            n->links[k] = (hs_topo_link){
                index_below(rd, json_array_get(links, k), "segment", t->n_segments, "a link's segment is not one of them"),
                need_str(rd, json_array_get(links, k), "label", "a link's label is not a string")};
        n->vips = texts(rd, json_object_get(x, "vips"), &n->n_vips, "a VIP is not a string");
    }
    t->n_tunnels = json_array_size(tunnels);
    t->tunnels = elements(t->n_tunnels, sizeof *t->tunnels);
    for (size_t i = 0; i < t->n_tunnels; i++) {
        json_t *x = json_array_get(tunnels, i);
        t->tunnels[i] = (hs_topo_tunnel){index_below(rd, x, "a", t->n_nodes, "a tunnel's node is not one of them"),
                                         index_below(rd, x, "b", t->n_nodes, "a tunnel's node is not one of them"),
                                         need_str(rd, x, "label", "a tunnel's label is not a string")};
    }
}

static uint32_t *buckets(json_t *a, size_t n)
{
    uint32_t *v = elements(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (uint32_t)json_integer_value(json_array_get(a, i));
    return v;
}

/* "drawing".series (json.c, series_json) */
static void read_series(reading *rd, hs_series *se, json_t *o)
{
    json_t *marks = json_object_get(o, "marks"), *pings = json_object_get(o, "pings");
    se->n_marks = se->cap_marks = json_array_size(marks);
    se->marks = elements(se->n_marks, sizeof *se->marks);
    for (size_t i = 0; i < se->n_marks; i++) {
        json_t *x = json_array_get(marks, i);
        const char *kind = json_string_value(json_object_get(x, "kind"));
        hs_mark *m = &se->marks[i];
        m->t = t_ns(x);
        bool known = false;
        for (hs_mark_kind k = HS_MARK_CARP; k <= HS_MARK_ENDPOINT; k++)
            if (kind && !strcmp(kind, rp_mark_kinds[k])) {
                m->kind = k;
                known = true;
            }
        if (!known)
            wrong(rd, "a mark's kind is not carp, gateway, handshake or endpoint");
        m->lane = need_str(rd, x, "lane", "a mark's lane is not a string");
        m->value = dup_str(x, "value");
        /* a state change is drawn by its new state */
        if (!m->value && (m->kind == HS_MARK_CARP || m->kind == HS_MARK_GATEWAY))
            wrong(rd, "a CARP or gateway mark has no state");
    }
    se->marks_dropped = count(o, "marks_dropped");
    se->n_pings = json_array_size(pings);
    se->pings = elements(se->n_pings, sizeof *se->pings);
    for (size_t i = 0; i < se->n_pings; i++) {
        json_t *x = json_array_get(pings, i);
        hs_ping_series *p = &se->pings[i];
        p->name = dup_str(x, "name");
        p->n_seconds = json_array_size(json_object_get(x, "sent"));
        p->sent = buckets(json_object_get(x, "sent"), p->n_seconds);
        p->answered = buckets(json_object_get(x, "answered"), p->n_seconds);
        if (json_array_size(json_object_get(x, "answered")) != p->n_seconds)
            wrong(rd, "a ping's echoes sent and answered are not counted over the same seconds");
    }
    se->pings_dropped = count(o, "pings_dropped");
}

/* "drawing".seq (json.c, seq_json) */
static void read_seq(reading *rd, hs_seq *q, json_t *o)
{
    q->lanes = texts(rd, json_object_get(o, "lanes"), &q->n_lanes, "a lane's name is not a string");
    json_t *msgs = json_object_get(o, "msgs");
    q->n_msgs = json_array_size(msgs);
    q->msgs = elements(q->n_msgs, sizeof *q->msgs);
    for (size_t i = 0; i < q->n_msgs; i++) {
        json_t *x = json_array_get(msgs, i);
        q->msgs[i] = (hs_seq_msg){.t = t_ns(x),
                                  .from = index_below(rd, x, "from", q->n_lanes, "a message's lane is not one of them"),
                                  .to = index_below(rd, x, "to", q->n_lanes, "a message's lane is not one of them"),
                                  .type = (int)json_integer_value(json_object_get(x, "type")),
                                  .src = need_str(rd, x, "src", "a message's source is not a string"),
                                  .expected = dup_str(x, "expected"),
                                  .reason = dup_str(x, "reason")};
    }
    q->dropped = count(o, "dropped");
}

hs_result *rp_result_from_json(json_t *o, char *err, size_t errlen)
{
    reading rd = {.why = err, .len = errlen};
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
    read_phases(&rd, r, o);
    json_t *d = json_object_get(o, "drawing");
    if (json_is_object(d)) {
        read_topology(&rd, &r->topology, json_object_get(d, "topology"));
        read_series(&rd, &r->series, json_object_get(d, "series"));
        read_seq(&rd, &r->seq, json_object_get(d, "seq"));
    }
    if (rd.bad) {
        hs_result_free(r);
        return NULL;
    }
    return r;
}
