/*
 * loader.c — scenario YAML (yaml_doc.c's tree) to the hs_scenario model.
 *
 * This file: the entry points (bytes, file), the top-level keys, the
 * order of the passes, and the public name lookups. The sections are in
 * loader_*.c (one per scenario section), sharing loader_internal.h.
 *
 * Passes: top level; segments; node names; `like:` resolution (tree merge);
 * each node; cross-node checks (keys, `node:` peers, addresses, CARP,
 * pfsync); traffic; events (command parser); expectations. Errors never stop
 * a pass: every problem found is reported (hs_diag caps the count), each
 * with the line:column of the value at fault. A value copied by `like:` is
 * reported at the copying node's `like:` key, naming where it came from.
 *
 * The language is specified in docs/scenario-language.md; the defaults
 * filled in here are listed there too.
 */
#include "harness/loader_internal.h"
#include "sim/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ------------------------------------------------------------------ */
/* lookups (public)                                                   */
/* ------------------------------------------------------------------ */

int hs_find_node(const hs_scenario *s, const char *name)
{
    if (s->index_)
        return hs_index_get_str(&((const ld_scenario_index *)s->index_)->nodes, name);
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].name && !strcmp(s->nodes[i].name, name))
            return (int)i;
    return -1;
}
int hs_find_segment(const hs_scenario *s, const char *name)
{
    if (s->index_)
        return hs_index_get_str(&((const ld_scenario_index *)s->index_)->segments, name);
    for (size_t i = 0; i < s->n_segments; i++)
        if (!strcmp(s->segments[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_iface(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_ifaces; i++)
        if (!strcmp(n->ifaces[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_wg(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_wg; i++)
        if (!strcmp(n->wg[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_gateway(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_gateways; i++)
        if (n->gateways[i].name && !strcmp(n->gateways[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_group(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_groups; i++)
        if (n->groups[i].name && !strcmp(n->groups[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_carp(const hs_node *n, uint8_t vhid)
{
    for (size_t i = 0; i < n->n_carp; i++)
        if (n->carp[i].vhid == vhid)
            return (int)i;
    return -1;
}
const char *hs_node_kind_name(hs_node_kind k)
{
    return k == HS_NODE_HOST ? "host" : k == HS_NODE_ROUTER ? "router" : "firewall";
}
const char *hs_proto_name(hs_proto p)
{
    return p == HS_PROTO_UDP ? "udp" : p == HS_PROTO_TCP ? "tcp" : p == HS_PROTO_ICMP ? "icmp" : "any";
}

/* ------------------------------------------------------------------ */
/* entry points                                                       */
/* ------------------------------------------------------------------ */

static void load_top(L *l, yd_node *root)
{
    hs_scenario *s = l->s;
    static const char *const top[] = {"name",  "claim", "description", "seed",  "duration", "defaults",
                                      "segments", "nodes", "traffic",  "events", "expect",   NULL};
    static const char *const defkeys[] = {"platform", "engine", NULL};
    if (root->kind != YD_MAP) {
        ld_err(l, root, "a scenario is a mapping (name:, nodes:, ...), found %s", yd_kind_name(root));
        return;
    }
    ld_check_map(l, root, "the scenario", top);
    ld_expand_counts(l, root);
    const yd_node *x;
    s->seed = 1;
    s->duration = 60 * HS_S;
    s->platform = WG_PLATFORM_FREEBSD;
    s->engine = HS_ENGINE_NATIVE;
    if (ld_require(l, root, "name", "the scenario")) {
        x = yd_get(root, "name");
        s->name_loc = x->loc;
        s->name = ld_scalar(l, x, "a name");
        if (s->name && strpbrk(s->name, "\n\r"))
            ld_err(l, x, "name: must be a single line");
    }
    if ((x = yd_get(root, "claim")))
        s->claim = ld_scalar(l, x, "a claim id (e.g. C4)");
    if ((x = yd_get(root, "description")))
        s->description = ld_scalar(l, x, "a text");
    if ((x = yd_get(root, "seed")))
        ld_get_u64(l, x, 0, UINT64_MAX, "a seed", &s->seed);
    if ((x = yd_get(root, "duration"))) {
        if (!ld_get_duration(l, x, &s->duration)) {
            l->duration_bad = true;
            s->duration = 60 * HS_S;
        } else if (s->duration <= 0) {
            ld_err(l, x, "duration: must be more than 0");
            l->duration_bad = true;
            s->duration = 60 * HS_S;
        }
    }
    if ((x = yd_get(root, "defaults")) && ld_check_map(l, x, "defaults", defkeys)) {
        const yd_node *y;
        if ((y = yd_get(x, "platform")))
            ld_get_platform(l, y, &s->platform);
        static const char *const engines[] = {"native", "ns3", NULL};
        int e;
        if ((y = yd_get(x, "engine")) && ld_get_enum(l, y, engines, &e))
            s->engine = (hs_engine)e;
    }
    ld_load_segments(l, yd_get(root, "segments"));

    const yd_node *nodes = yd_get(root, "nodes");
    if (!nodes) {
        ld_err(l, root, "the scenario: missing required key 'nodes'");
    } else if (nodes->kind != YD_MAP) {
        ld_err(l, nodes, "nodes: expected a mapping of node names, found %s", yd_kind_name(nodes));
    } else {
        size_t nn = nodes->count;
        s->nodes = hs_alloc(l->a, (nn ? nn : 1) * sizeof *s->nodes);
        l->trees = hs_alloc(l->t, (nn ? nn : 1) * sizeof *l->trees);
        l->node_names = hs_alloc(l->t, (nn ? nn : 1) * sizeof *l->node_names);
        l->like_state = hs_alloc(l->a, (nn ? nn : 1) * sizeof *l->like_state);
        l->like_root = hs_alloc(l->a, (nn ? nn : 1) * sizeof *l->like_root);
        l->iface_index = hs_alloc(l->t, (nn ? nn : 1) * sizeof *l->iface_index);
        l->gw_index = hs_alloc(l->t, (nn ? nn : 1) * sizeof *l->gw_index);
        l->group_index = hs_alloc(l->t, (nn ? nn : 1) * sizeof *l->group_index);
        s->n_nodes = nn;
        size_t i = 0;
        for (const yd_node *c = nodes->first; c; c = c->next, i++) {
            s->nodes[i].name = hs_strdup(l->a, c->key);
            s->nodes[i].loc = c->key_loc;
            s->nodes[i].like = -1;
            l->node_names[i] = s->nodes[i].name;
            l->trees[i] = (yd_node *)c;
            ld_name_ok(l, c->key, c, "node");
            hs_index_put_str(&l->node_index, s->nodes[i].name, (int)i); /* unique: yaml_doc.c refuses duplicate keys */
        }
        if (nn == 0 && !l->count_failed) /* else the template's error explains it */
            ld_err(l, nodes, "nodes: a scenario needs at least one node");
        for (i = 0; i < nn; i++)
            ld_resolve_like(l, (int)i, l->trees[i]);
        for (i = 0; i < nn; i++)
            if (l->like_state[i] != 3)
                ld_load_node(l, (int)i);
        ld_resolve_peers(l);
        ld_check_addresses(l);
        ld_check_segment_sizes(l);
        ld_check_pfsync(l);
    }
    /* from here on (command checks, the runner) the public lookups use the
     * indexes; nothing is added to them any more */
    ld_scenario_index *ix = hs_alloc(l->a, sizeof *ix);
    ix->nodes = l->node_index;
    ix->segments = l->seg_index;
    s->index_ = ix;
    ld_load_traffic(l, yd_get(root, "traffic"));
    ld_load_events(l, yd_get(root, "events"));
    ld_load_expect(l, yd_get(root, "expect"));
}

hs_scenario *hs_load_bytes(const char *name, const uint8_t *bytes, size_t len, hs_diag *diag)
{
    size_t before = hs_diag_count(diag);
    /* Two arenas: the scenario keeps `a` for its whole life; the YAML
     * tree, its `count:` and `like:` copies and the load-time indexes go
     * to `t`, freed once the scenario is built (the model copies every
     * string it keeps): a 10,000-node file's tree is most of its size. */
    hs_arena *t = hs_arena_new();
    yd_node *root = yd_parse(t, bytes, len, diag);
    if (!root) {
        hs_arena_free(t);
        return NULL;
    }
    hs_arena *a = hs_arena_new();
    hs_scenario *s = hs_alloc(a, sizeof *s);
    s->arena_ = a;
    s->file = hs_strdup(a, name ? name : "<input>");
    L l = {.a = a, .t = t, .d = diag, .s = s};
    hs_index_init(&l.node_index, a); /* kept: s->index_ */
    hs_index_init(&l.seg_index, a);
    hs_index_init(&l.copy_errors, t);
    load_top(&l, root);
    hs_arena_free(t);
    if (hs_diag_count(diag) != before) {
        hs_arena_free(a);
        return NULL;
    }
    return s;
}

hs_scenario *hs_load_file(const char *path, hs_diag *diag)
{
    char err[256];
    size_t len;
    uint8_t *buf = hs_read_input(path, HS_MAX_INPUT, "scenario files", &len, err, sizeof err);
    if (!buf) {
        /* 'wgsim run DIR' read it and said 'read error: Is a directory' */
        if (errno == EISDIR)
            snprintf(err, sizeof err,
                     "is a directory, not a scenario file (wgsim test and wgsim validate take directories)");
        hs_diag_add(diag, (hs_loc){0, 0}, "%s", err);
        return NULL;
    }
    hs_scenario *s = hs_load_bytes(path, buf, len, diag);
    hs_input_free(buf, len);
    return s;
}

void hs_scenario_free(hs_scenario *s)
{
    if (s)
        hs_arena_free(s->arena_);
}
