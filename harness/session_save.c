/*
 * session_save.c — `save FILE [--expect]`: the explore session as a
 * scenario, so that an exploration becomes a regression test.
 *
 * The loaded file is read again as a YAML document (libyaml's composer),
 * the injected commands are appended to its `events:` (created when
 * absent) and, with --expect, the CARP states and peer endpoints of now
 * to its `expect:`, and the document is written with libyaml's emitter.
 * Keys, values and flow/block styles are kept; comments are not (the
 * emitter has none), so the file starts with one saying where it came
 * from.
 *
 * Times. A timeline event is an engine event scheduled before the run,
 * so at its instant it runs before what the models schedule later for the
 * same instant; a command injected after `run 30s` ran after everything
 * at 30 s. When an engine event had run at the injection's instant, the
 * command is written 1 ns later, so the saved run sees what the session
 * saw (it is then the first thing after that instant, as in the session).
 * A command injected in the middle of an instant (after `step` or a
 * break) cannot be placed exactly by a time: it too goes 1 ns later. Nor
 * can one injected at an instant none of whose events had run (t = 0
 * before the first advance): written at that instant, it runs after the
 * events the build scheduled for it (docs/explore.md says both).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "harness/internal.h"
#include "harness/runner_internal.h"

typedef struct doc {
    yaml_document_t d;
    bool oom;
} doc;

static int scalar(doc *x, const char *v)
{
    int id = yaml_document_add_scalar(&x->d, NULL, (yaml_char_t *)v, (int)strlen(v), YAML_PLAIN_SCALAR_STYLE);
    if (!id)
        sim_oom("saving a session");
    return id;
}

static void pair(doc *x, int map, const char *key, int value)
{
    if (!yaml_document_append_mapping_pair(&x->d, map, scalar(x, key), value))
        sim_oom("saving a session");
}

static int flow_map(doc *x)
{
    int id = yaml_document_add_mapping(&x->d, NULL, YAML_FLOW_MAPPING_STYLE);
    if (!id)
        sim_oom("saving a session");
    return id;
}

/* The value of key in the root mapping (0: none). */
static int root_value(doc *x, const char *key)
{
    yaml_node_t *root = yaml_document_get_root_node(&x->d);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&x->d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return p->value;
    }
    return 0;
}

/* The sequence under key in the root mapping, created (block style) when absent. */
static int root_seq(doc *x, const char *key)
{
    int id = root_value(x, key);
    if (id)
        return id;
    id = yaml_document_add_sequence(&x->d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    if (!id)
        sim_oom("saving a session");
    pair(x, 1, key, id);
    return id;
}

/* Replaces the scalar value of key in the root mapping (or adds it). */
static void set_root_scalar(doc *x, const char *key, const char *value)
{
    int id = root_value(x, key);
    yaml_node_t *n = id ? yaml_document_get_node(&x->d, id) : NULL;
    if (n && n->type == YAML_SCALAR_NODE) {
        yaml_char_t *v = (yaml_char_t *)strdup(value);
        if (!v)
            sim_oom("saving a session");
        free(n->data.scalar.value);
        n->data.scalar.value = v;
        n->data.scalar.length = strlen(value);
        n->data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
    } else if (!n) {
        pair(x, 1, key, scalar(x, value));
    }
}

static void append(doc *x, int seq, int item)
{
    if (!yaml_document_append_sequence_item(&x->d, seq, item))
        sim_oom("saving a session");
}

/* How the saved file names peer k of node ni's wireguard interface j:
 * its name (the peer's or its node's), else its public key. */
static const char *peer_spec(const hs_node *n, int j, int k, char *buf, size_t len)
{
    const hs_wg_peer *p = &n->wg[j].peers[k];
    if (p->name)
        return p->name;
    char b64[WG_KEY_B64_LEN];
    wg_key_to_base64(b64, p->public_key);
    snprintf(buf, len, "%s", b64);
    return buf;
}

static void add_observations(doc *x, hs_world *hw, sim_time now)
{
    const hs_scenario *s = hw->s;
    int seq = root_seq(x, "expect");
    char at[48], num[16], ep[WG_IP_STRLEN + 8];
    hs_format_seconds(now, at, sizeof at);
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        if (!hw->nodes[ni])
            continue;
        int id = sim_node_id(hw->nodes[ni]);
        sim_hist_carp *rows = NULL;
        size_t n = sim_history_carp(hw->w, id, now, &rows);
        for (size_t i = 0; i < n; i++) {
            int m = flow_map(x), c = flow_map(x);
            pair(x, m, "at", scalar(x, at));
            pair(x, c, "node", scalar(x, s->nodes[ni].name));
            snprintf(num, sizeof num, "%u", rows[i].vhid);
            pair(x, c, "vhid", scalar(x, num));
            pair(x, c, "state", scalar(x, rows[i].state == SIM_CARP_MASTER   ? "master"
                                          : rows[i].state == SIM_CARP_BACKUP ? "backup"
                                                                             : "init"));
            pair(x, m, "carp", c);
            append(x, seq, m);
        }
        free(rows);
        sim_hist_wg_peer *peers = NULL;
        n = sim_history_wg_peers(hw->w, id, now, &peers);
        for (size_t i = 0; i < n; i++) {
            int j = hs_world_wg_of_ifindex(hw, (int)ni, peers[i].ifindex);
            int k = j >= 0 ? hs_world_peer_index(hw, (int)ni, j, peers[i].peer_id) : -1;
            if (k < 0)
                continue;
            int m = flow_map(x), e = flow_map(x);
            char spec[64];
            pair(x, m, "at", scalar(x, at));
            pair(x, e, "node", scalar(x, s->nodes[ni].name));
            pair(x, e, "interface", scalar(x, s->nodes[ni].wg[j].name));
            pair(x, e, "peer", scalar(x, peer_spec(&s->nodes[ni], j, k, spec, sizeof spec)));
            pair(x, e, "is", scalar(x, peers[i].has_endpoint ? wg_endpoint_format(&peers[i].endpoint, ep) : "none"));
            pair(x, m, "endpoint", e);
            append(x, seq, m);
        }
        free(peers);
    }
}

bool hs_session_save(hs_session *ss, const char *path, bool with_expect, char *err, size_t errlen)
{
    const hs_scenario *s = hs_session_scenario(ss);
    hs_world *hw = hs_session_world(ss);
    sim_time now = hs_session_now(ss);
    char why[256] = "no file";
    size_t len = 0;
    uint8_t *in = s->file ? hs_read_input(s->file, HS_MAX_INPUT, "scenario files", &len, why, sizeof why) : NULL;
    if (!in) {
        snprintf(err, errlen, "save: cannot read the scenario %s: %s", s->file ? s->file : "(none)", why);
        return false;
    }
    yaml_parser_t p;
    doc x = {0};
    if (!yaml_parser_initialize(&p))
        sim_oom("saving a session");
    size_t skip = yd_bom_len(in, len); /* as the loader read it */
    yaml_parser_set_input_string(&p, in + skip, len - skip);
    bool loaded = yaml_parser_load(&p, &x.d);
    yaml_parser_delete(&p);
    hs_input_free(in, len);
    yaml_node_t *root = loaded ? yaml_document_get_root_node(&x.d) : NULL;
    if (!root || root->type != YAML_MAPPING_NODE) {
        if (loaded)
            yaml_document_delete(&x.d);
        snprintf(err, errlen, "save: %s no longer reads as the scenario that was loaded", s->file);
        return false;
    }

    const hs_journal_entry *j;
    size_t n = hs_session_journal(ss, &j);
    int events = n ? root_seq(&x, "events") : 0;
    for (size_t i = 0; i < n; i++) {
        char at[48];
        int m = flow_map(&x);
        pair(&x, m, "at", scalar(&x, hs_format_seconds(j[i].t + (j[i].after_instant ? 1 : 0), at, sizeof at)));
        pair(&x, m, "do", scalar(&x, j[i].text));
        append(&x, events, m);
    }
    char buf[48];
    /* the run must reach now (and the last command) */
    sim_time end = now;
    if (n && j[n - 1].t + 1 > end)
        end = j[n - 1].t + 1;
    if (end > s->duration)
        set_root_scalar(&x, "duration", hs_format_seconds(end, buf, sizeof buf));
    if (hw->opt.has_seed) { /* --seed: the saved run must use the session's */
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)hw->opt.seed);
        set_root_scalar(&x, "seed", buf);
    }
    if (with_expect)
        add_observations(&x, hw, now);

    FILE *out = fopen(path, "w");
    if (!out) {
        snprintf(err, errlen, "save: %s: %s", path, strerror(errno));
        yaml_document_delete(&x.d);
        return false;
    }
    char ts[32];
    fprintf(out, "# saved by wgsim explore at t=%ss from %s: its timeline plus %zu injected command%s%s\n",
            hs_result_time(now, ts, sizeof ts), s->file, n, n == 1 ? "" : "s",
            with_expect ? " and the CARP states and endpoints of that time as expectations" : "");
    yaml_emitter_t e;
    if (!yaml_emitter_initialize(&e))
        sim_oom("saving a session");
    yaml_emitter_set_output_file(&e, out);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, 120);
    bool ok = yaml_emitter_open(&e) && yaml_emitter_dump(&e, &x.d) && yaml_emitter_close(&e) && yaml_emitter_flush(&e);
    yaml_emitter_delete(&e);
    if (!ok) {
        snprintf(err, errlen, "save: %s: the YAML emitter failed", path);
        fclose(out);
        return false;
    }
    if (fclose(out) != 0) {
        snprintf(err, errlen, "save: %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}
