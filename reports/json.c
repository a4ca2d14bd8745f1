/*
 * json.c — `wgsim test --json FILE`: every scenario's result as one JSON
 * document (libjansson), for CI dashboards and baseline comparisons.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json_doc.h"
#include "reports/reports.h"

/* A JSON string of s. Jansson refuses text that is not UTF-8 (json_string
 * returns NULL, and json_object_set_new then leaves the key out), but file
 * names come from the file system and need not be UTF-8, and they reach
 * names and error texts too. Such a string is kept with every byte outside
 * ASCII replaced by '?'. */
json_t *rp_json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *c = strdup(s);
    if (!c)
        return json_null();
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p >= 0x80)
            *p = '?';
    j = json_string(c);
    free(c);
    return j ? j : json_null();
}

json_t *rp_json_text_or_null(const char *s) { return s ? rp_json_text(s) : json_null(); }

/* A source reason, field by field ({"kind": "route", "route": "0.0.0.0/0", "via": ...}). */
static json_t *fields_json(const hs_field *v, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, v[i].key, rp_json_text_or_null(v[i].value));
    return o;
}

static json_t *lines_json(const hs_packet_line *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "t", json_real((double)v[i].t / 1e9));
        json_object_set_new(o, "text", rp_json_text_or_null(v[i].text));
        if (v[i].n_reason)
            json_object_set_new(o, "source", fields_json(v[i].reason, v[i].n_reason));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *expect_json(const hs_result *r, const hs_expect_result *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "index", json_integer((json_int_t)e->index));
    int n = snprintf(NULL, 0, "%s:%u:%u", r->file, e->loc.line, e->loc.col);
    char *loc = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (loc)
        snprintf(loc, (size_t)n + 1, "%s:%u:%u", r->file, e->loc.line, e->loc.col);
    json_object_set_new(o, "location", rp_json_text_or_null(loc));
    free(loc);
    json_object_set_new(o, "kind", json_string(hs_expect_kind_name(e->kind)));
    json_object_set_new(o, "verdict", json_string(e->passed ? "passed" : "failed"));
    json_object_set_new(o, "what", rp_json_text_or_null(e->what));
    json_object_set_new(o, "expected", rp_json_text_or_null(e->expected));
    json_object_set_new(o, "observed", rp_json_text_or_null(e->observed));
    json_object_set_new(o, "value", isnan(e->value) ? json_null() : json_real(e->value));
    json_object_set_new(o, "packets", lines_json(e->packets, e->n_packets));
    return o;
}

/* {"location": "FILE:LINE:COL", "rule": "carp-equal-priority", "message": "..."}:
 * the rule is the message's closing "[rule]" (hs_lint), taken out of it. */
static json_t *warnings_json(const hs_result *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_warnings; i++) {
        const hs_error *w = &r->warnings[i];
        json_t *o = json_object();
        char loc[64];
        snprintf(loc, sizeof loc, ":%u:%u", w->loc.line, w->loc.col);
        char *where = malloc(strlen(r->file) + strlen(loc) + 1);
        if (!where)
            sim_oom("writing JSON");
        strcpy(where, r->file);
        if (w->loc.line)
            strcat(where, loc);
        json_object_set_new(o, "location", rp_json_text_or_null(where));
        free(where);
        const char *msg = w->msg;
        size_t len = strlen(msg);
        const char *open = len && msg[len - 1] == ']' ? strrchr(msg, '[') : NULL;
        if (open && open > msg && open[-1] == ' ') {
            char *rule = strndup(open + 1, (size_t)(msg + len - 1 - (open + 1)));
            char *text = strndup(msg, (size_t)(open - 1 - msg));
            if (!rule || !text)
                sim_oom("writing JSON");
            json_object_set_new(o, "rule", rp_json_text_or_null(rule));
            json_object_set_new(o, "message", rp_json_text_or_null(text));
            free(rule);
            free(text);
        } else {
            json_object_set_new(o, "rule", json_null());
            json_object_set_new(o, "message", rp_json_text_or_null(msg));
        }
        json_array_append_new(a, o);
    }
    return a;
}

/* "fw1, fw2" as ["fw1", "fw2"] */
static json_t *names_json(const char *list)
{
    json_t *a = json_array();
    const char *p = list;
    while (p && *p) {
        const char *sep = strstr(p, ", ");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        char *name = strndup(p, n);
        if (!name)
            sim_oom("writing JSON");
        json_array_append_new(a, rp_json_text(name));
        free(name);
        p = sep ? sep + 2 : NULL;
    }
    return a;
}

static json_t *side_json(const hs_phase_side *sd)
{
    json_t *o = json_object();
    json_object_set_new(o, "serving", rp_json_text_or_null(sd->serving));
    json_object_set_new(o, "source", rp_json_text_or_null(sd->n_sources ? sd->sources[0].src : NULL));
    json_object_set_new(o, "datagrams", json_integer((json_int_t)sd->datagrams));
    json_t *a = json_array();
    for (size_t k = 0; k < sd->n_sources; k++) {
        json_t *x = json_object();
        json_object_set_new(x, "node", rp_json_text_or_null(sd->sources[k].node));
        json_object_set_new(x, "source", rp_json_text_or_null(sd->sources[k].src));
        json_object_set_new(x, "datagrams", json_integer((json_int_t)sd->sources[k].datagrams));
        json_object_set_new(x, "first", json_real((double)sd->sources[k].first / 1e9));
        json_array_append_new(a, x);
    }
    json_object_set_new(o, "sources", a);
    return o;
}

/* "tunnels" and "phases" (docs/reports.md): the phase table. */
static void phases_json(json_t *o, const hs_result *r)
{
    json_t *tu = json_array();
    for (size_t t = 0; t < r->n_tunnels; t++) {
        json_t *x = json_object();
        json_object_set_new(x, "name", rp_json_text_or_null(r->tunnels[t].name));
        json_t *sides = json_array();
        json_array_append_new(sides, names_json(r->tunnels[t].nodes[0]));
        json_array_append_new(sides, names_json(r->tunnels[t].nodes[1]));
        json_object_set_new(x, "sides", sides);
        json_array_append_new(tu, x);
    }
    json_object_set_new(o, "tunnels", tu);
    json_t *ph = json_array();
    for (size_t p = 0; p < r->n_phases; p++) {
        const hs_phase *f = &r->phases[p];
        json_t *x = json_object();
        json_object_set_new(x, "start", json_real((double)f->start / 1e9));
        json_object_set_new(x, "end", json_real((double)f->end / 1e9));
        json_object_set_new(x, "event", rp_json_text_or_null(f->event));
        json_t *ta = json_array();
        for (size_t t = 0; t < r->n_tunnels; t++) {
            const hs_phase_tunnel *c = &f->tunnels[t];
            json_t *y = json_object();
            json_object_set_new(y, "tunnel", rp_json_text_or_null(r->tunnels[t].name));
            json_t *sides = json_array();
            json_array_append_new(sides, side_json(&c->side[0]));
            json_array_append_new(sides, side_json(&c->side[1]));
            json_object_set_new(y, "sides", sides);
            json_object_set_new(y, "handshakes", json_integer((json_int_t)c->handshakes));
            json_object_set_new(y, "echoes", json_integer((json_int_t)c->echoes));
            json_object_set_new(y, "answered", json_integer((json_int_t)c->answered));
            json_object_set_new(y, "outage", c->outage < 0 ? json_null() : json_real((double)c->outage / 1e9));
            json_array_append_new(ta, y);
        }
        json_object_set_new(x, "tunnels", ta);
        json_array_append_new(ph, x);
    }
    json_object_set_new(o, "phases", ph);
}

static json_t *result_json(const hs_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", rp_json_text_or_null(r->name));
    json_object_set_new(o, "file", rp_json_text_or_null(r->file));
    json_object_set_new(o, "claim", rp_json_text_or_null(r->claim));
    json_object_set_new(o, "description", rp_json_text_or_null(r->description));
    json_object_set_new(o, "status", json_string(hs_status_name(r->status)));
    json_object_set_new(o, "duration", json_real(r->wall_seconds));
    json_object_set_new(o, "simulated", json_real((double)r->sim_duration / 1e9));
    json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(o, "platform", rp_json_text_or_null(r->platform));
    json_object_set_new(o, "perturb", rp_json_text_or_null(r->perturb));
    json_object_set_new(o, "error", rp_json_text_or_null(r->error));
    json_object_set_new(o, "warnings", warnings_json(r));
    json_t *ex = json_array();
    for (size_t i = 0; i < r->n_expects; i++)
        json_array_append_new(ex, expect_json(r, &r->expects[i]));
    json_object_set_new(o, "expectations", ex);
    const hs_counters *c = &r->counters;
    json_t *k = json_object();
    json_object_set_new(k, "trace_records", json_integer((json_int_t)c->trace_records));
    json_object_set_new(k, "wg_datagrams", json_integer((json_int_t)c->wg_datagrams));
    json_object_set_new(k, "handshakes", json_integer((json_int_t)c->handshakes));
    json_object_set_new(k, "drops", json_integer((json_int_t)c->drops));
    json_object_set_new(k, "events", json_integer((json_int_t)c->events));
    json_object_set_new(k, "pings_sent", json_integer((json_int_t)c->pings_sent));
    json_object_set_new(k, "pings_answered", json_integer((json_int_t)c->pings_answered));
    json_object_set_new(o, "counters", k);
    phases_json(o, r);
    if (r->n_timeline) {
        json_t *t = json_array();
        for (size_t i = 0; i < r->n_timeline; i++) {
            const hs_timeline_entry *e = &r->timeline[i];
            json_t *x = json_object();
            json_object_set_new(x, "t", json_real((double)e->t / 1e9));
            json_object_set_new(x, "node", rp_json_text_or_null(e->node));
            json_object_set_new(x, "category", rp_json_text_or_null(e->category));
            json_object_set_new(x, "text", rp_json_text_or_null(e->text));
            if (e->n_reason)
                json_object_set_new(x, "source", fields_json(e->reason, e->n_reason));
            if (e->n_fields)
                json_object_set_new(x, "fields", fields_json(e->fields, e->n_fields));
            json_array_append_new(t, x);
        }
        json_object_set_new(o, "timeline", t);
    }
    return o;
}

static json_t *texts_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, rp_json_text_or_null(v[i]));
    return a;
}

static json_t *count_json(size_t n) { return json_integer((json_int_t)n); }

/* hs_result.topology (html_topology.c draws it) */
static json_t *topology_json(const hs_topology *t)
{
    json_t *nodes = json_array();
    for (size_t i = 0; i < t->n_nodes; i++) {
        const hs_topo_node *n = &t->nodes[i];
        json_t *links = json_array();
        for (size_t k = 0; k < n->n_links; k++)
            json_array_append_new(links, json_pack("{s:o, s:o}", "segment", count_json(n->links[k].segment), "label",
                                                   rp_json_text_or_null(n->links[k].label)));
        json_array_append_new(nodes, json_pack("{s:o, s:o, s:o, s:o}", "name", rp_json_text_or_null(n->name), "kind",
                                               rp_json_text_or_null(n->kind), "links", links, "vips",
                                               texts_json(n->vips, n->n_vips)));
    }
    json_t *tunnels = json_array();
    for (size_t i = 0; i < t->n_tunnels; i++)
        json_array_append_new(tunnels, json_pack("{s:o, s:o, s:o}", "a", count_json(t->tunnels[i].a), "b",
                                                 count_json(t->tunnels[i].b), "label",
                                                 rp_json_text_or_null(t->tunnels[i].label)));
    return json_pack("{s:o, s:o, s:o, s:o}", "scenario_nodes", count_json(t->scenario_nodes), "segments",
                     texts_json(t->segments, t->n_segments), "nodes", nodes, "tunnels", tunnels);
}

static json_t *buckets_json(const uint32_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

const char *const rp_mark_kinds[4] = {"carp", "gateway", "handshake", "endpoint"};

/* hs_result.series (html_timeline.c draws it); times in ns, exact */
static json_t *series_json(const hs_series *se)
{
    json_t *marks = json_array();
    for (size_t i = 0; i < se->n_marks; i++) {
        const hs_mark *m = &se->marks[i];
        json_array_append_new(marks, json_pack("{s:I, s:s, s:o, s:o}", "t_ns", (json_int_t)m->t, "kind", rp_mark_kinds[m->kind],
                                               "lane", rp_json_text_or_null(m->lane), "value",
                                               rp_json_text_or_null(m->value)));
    }
    json_t *pings = json_array();
    for (size_t i = 0; i < se->n_pings; i++) {
        const hs_ping_series *p = &se->pings[i];
        bool kept = p->name != NULL;
        json_array_append_new(pings, json_pack("{s:o, s:o, s:o}", "name", rp_json_text_or_null(p->name), "sent",
                                               buckets_json(p->sent, kept ? p->n_seconds : 0), "answered",
                                               buckets_json(p->answered, kept ? p->n_seconds : 0)));
    }
    return json_pack("{s:o, s:o, s:o, s:o}", "marks", marks, "marks_dropped", count_json(se->marks_dropped), "pings",
                     pings, "pings_dropped", count_json(se->pings_dropped));
}

/* hs_result.seq (html_seqdiag.c draws it) */
static json_t *seq_json(const hs_seq *q)
{
    json_t *msgs = json_array();
    for (size_t i = 0; i < q->n_msgs; i++) {
        const hs_seq_msg *m = &q->msgs[i];
        json_array_append_new(msgs, json_pack("{s:I, s:o, s:o, s:i, s:o, s:o, s:o}", "t_ns", (json_int_t)m->t, "from",
                                              count_json(m->from), "to", count_json(m->to), "type", m->type, "src",
                                              rp_json_text_or_null(m->src), "expected",
                                              rp_json_text_or_null(m->expected), "reason",
                                              rp_json_text_or_null(m->reason)));
    }
    return json_pack("{s:o, s:o, s:o}", "lanes", texts_json(q->lanes, q->n_lanes), "msgs", msgs, "dropped",
                     count_json(q->dropped));
}

json_t *rp_drawing_json(const hs_result *r)
{
    json_t *o = json_pack("{s:o, s:o, s:o}", "topology", topology_json(&r->topology), "series",
                          series_json(&r->series), "seq", seq_json(&r->seq));
    if (!o)
        sim_oom("writing JSON");
    return o;
}

json_t *rp_json_document(hs_result *const *results, size_t n)
{
    json_t *root = json_object();
    size_t passed = 0, failed = 0, skipped = 0, errors = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        switch (results[i]->status) {
        case HS_STATUS_PASSED: passed++; break;
        case HS_STATUS_FAILED: failed++; break;
        case HS_STATUS_ERROR: errors++; break;
        case HS_STATUS_SKIPPED: skipped++; break;
        }
        json_array_append_new(arr, result_json(results[i]));
    }
    json_object_set_new(root, "tool", json_string("wgsim"));
    json_object_set_new(root, "format_version", json_integer(RP_JSON_FORMAT_VERSION));
    json_t *sum = json_object();
    json_object_set_new(sum, "passed", json_integer((json_int_t)passed));
    json_object_set_new(sum, "failed", json_integer((json_int_t)failed));
    json_object_set_new(sum, "errors", json_integer((json_int_t)errors));
    json_object_set_new(sum, "skipped", json_integer((json_int_t)skipped));
    json_object_set_new(root, "summary", sum);
    json_object_set_new(root, "scenarios", arr);
    return root;
}

bool rp_write_json(const char *path, hs_result *const *results, size_t n, char *err, size_t errlen)
{
    return rp_json_dump(rp_json_document(results, n), path, err, errlen);
}

bool rp_write_json_shard(const char *path, hs_result *const *results, size_t n, const rp_shard *shard, char *err,
                         size_t errlen)
{
    json_t *root = rp_json_document(results, n);
    json_t *sh = json_object();
    json_object_set_new(sh, "index", json_integer((json_int_t)shard->index));
    json_object_set_new(sh, "count", json_integer((json_int_t)shard->count));
    json_object_set_new(sh, "total", json_integer((json_int_t)shard->total));
    json_t *pos = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(pos, json_integer((json_int_t)shard->positions[i]));
    json_object_set_new(sh, "positions", pos);
    /* what the merged reports say about the run (wgsim merge checks that
     * every shard was run the same way) */
    const rp_run_info *ri = shard->run;
    json_object_set_new(sh, "run", json_pack("{s:o, s:o, s:o, s:o, s:o}", "wgsim",
                                             rp_json_text_or_null(ri ? ri->version : NULL), "commit",
                                             rp_json_text_or_null(ri ? ri->commit : NULL), "engine",
                                             rp_json_text_or_null(ri ? ri->engine : NULL), "platform",
                                             rp_json_text_or_null(ri ? ri->platform : NULL), "seed",
                                             rp_json_text_or_null(ri ? ri->seed : NULL)));
    json_object_set_new(root, "shard", sh);
    /* what the HTML report draws and the unsplit --json leaves out: merge
     * reads it back and takes it out again */
    json_t *sc = json_object_get(root, "scenarios");
    for (size_t i = 0; i < n; i++)
        json_object_set_new(json_array_get(sc, i), "drawing", rp_drawing_json(results[i]));
    return rp_json_dump(root, path, err, errlen);
}

char *rp_json_string(hs_result *const *results, size_t n)
{
    json_t *root = rp_json_document(results, n);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        sim_oom("a JSON result");
    return text;
}

bool rp_json_dump(json_t *root, const char *path, char *err, size_t errlen)
{
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot write JSON (%s)", path, strerror(errno ? errno : EIO));
        return false;
    }
    return true;
}
