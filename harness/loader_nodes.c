/*
 * loader_nodes.c — `nodes:`: `like:` inheritance (a merge of YAML trees
 * before anything is read), one node's keys, its interfaces. The sections
 * a node holds are read by loader_firewall.c (carp, nat, filter, gateways,
 * gateway groups, pfsync, routes, firewall options) and
 * loader_wireguard.c.
 */
#include "harness/loader_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* nodes: like: resolution                                            */
/* ------------------------------------------------------------------ */

/* What a copy made by count: inherits through like: belongs to that copy:
 * an error in it is said once for all copies (loader_values.c). */
static void mark_copy(yd_node *n, const yd_count_copy *copy)
{
    if (!n->copy)
        n->copy = copy;
    for (yd_node *k = n->first; k; k = k->next)
        mark_copy(k, copy);
}

/* A CARP entry's `vhid:` as a number, or -1 (absent or not a number: the
 * loader reports it when it reads the entry). */
static long entry_vhid(const yd_node *e)
{
    const yd_node *v = e->kind == YD_MAP ? yd_get(e, "vhid") : NULL;
    if (!v || v->kind != YD_SCALAR || v->is_null || !v->len || strspn(v->str, "0123456789") != v->len || v->len > 3)
        return -1;
    return strtol(v->str, NULL, 10);
}

/* `carp:` under like: is merged by vhid, not by position (docs/scenario-
 * language.md "like: inheritance"): an override entry with `vhid: N` is
 * merged into the original's entry N (or added when there is none); one
 * without `vhid:` applies to every inherited entry, so
 * `fw2: {like: fw1, carp: [{advskew: 100}]}` makes fw2 the backup of all
 * of fw1's vhids. By position, that changed vhid 1 only and left the
 * others with equal advskew on both nodes, which flap (issue 18). */
static void merge_carp_by_vhid(L *l, yd_node *merged, const yd_node *base, const yd_node *over, hs_loc inh)
{
    const yd_node *bc = yd_get(base, "carp"), *oc = yd_get(over, "carp");
    yd_node *mc = yd_get(merged, "carp");
    if (!bc || !oc || !mc || bc->kind != YD_SEQ || oc->kind != YD_SEQ)
        return;
    for (const yd_node *e = bc->first; e; e = e->next)
        if (e->kind != YD_MAP)
            return; /* not entries: the positional merge stands, the loader reports them */
    for (const yd_node *e = oc->first; e; e = e->next)
        if (e->kind != YD_MAP)
            return;
    /* the original's entries, each with the override entries aimed at it
     * merged in file order (an entry without vhid: at all of them) */
    size_t nb = bc->count;
    yd_node **out = hs_alloc(l->t, (nb + oc->count + 1) * sizeof *out);
    size_t k = 0;
    for (const yd_node *b = bc->first; b; b = b->next, k++) {
        long vb = entry_vhid(b);
        /* the override entries aimed at b, later over earlier, then over b
         * (so what the copy wrote keeps its own location in errors) */
        const yd_node *ov = NULL;
        for (const yd_node *o = oc->first; o; o = o->next) {
            if (yd_get(o, "vhid") && (entry_vhid(o) < 0 || entry_vhid(o) != vb))
                continue;
            ov = ov ? yd_merge(l->t, ov, o, (hs_loc){0, 0}, NULL) : o;
        }
        out[k] = ov ? yd_merge(l->t, b, ov, inh, NULL) : yd_copy(l->t, b, inh);
    }
    /* the override's entries for a vhid the original does not have are new
     * ones (an invalid vhid: reported where it is); without vhid: they were
     * merged above, unless nothing was inherited (then kept as written) */
    for (const yd_node *o = oc->first; o; o = o->next) {
        bool found = false;
        if (!yd_get(o, "vhid")) {
            found = nb > 0;
        } else {
            long vo = entry_vhid(o);
            for (const yd_node *b = bc->first; b && !found; b = b->next)
                found = vo >= 0 && entry_vhid(b) == vo;
        }
        if (!found)
            out[k++] = yd_copy(l->t, o, (hs_loc){0, 0});
    }
    mc->first = mc->last = NULL;
    mc->count = 0;
    for (size_t i = 0; i < k; i++) {
        out[i]->key = NULL;
        out[i]->next = NULL;
        if (mc->last)
            mc->last->next = out[i];
        else
            mc->first = out[i];
        mc->last = out[i];
        mc->count++;
    }
}

void ld_resolve_like(L *l, int i, yd_node *orig)
{
    if (l->like_state[i] >= 2)
        return;
    if (l->like_state[i] == 1)
        return; /* cycle: reported by the caller */
    l->like_state[i] = 1;
    yd_node *tree = orig;
    l->like_root[i] = i;
    const yd_node *lk = orig && orig->kind == YD_MAP ? yd_get(orig, "like") : NULL;
    if (lk) {
        const char *target;
        int t = -1;
        if (ld_get_name(l, lk, "a node name", &target)) {
            t = hs_index_get_str(&l->node_index, target);
            if (t < 0) {
                char h[200];
                ld_err(l, lk, "like: unknown node '%.60s'%s", target,
                    ld_hint(l, target, l->node_names, l->s->n_nodes, false, h, sizeof h));
            } else if (t == i) {
                ld_err(l, lk, "like: a node cannot be like itself");
                t = -1;
            } else if (l->like_state[t] == 1) {
                ld_err(l, lk, "like: cycle: '%s' is like '%s', which is (indirectly) like '%s'", l->node_names[i],
                    target, l->node_names[i]);
                t = -1;
            }
        }
        if (t < 0)
            l->like_state[i] = 3; /* reported: the node itself is not checked further */
        if (t >= 0) {
            ld_resolve_like(l, t, l->trees[t]);
            /* like a node whose own like: failed (a cycle closing on this
             * node, an unknown name): that error explains both, so this
             * one is not checked either (it would lack 'kind:' and more) */
            if (l->like_state[t] == 3) {
                l->like_state[i] = 3;
                return;
            }
        }
        if (t >= 0) {
            if (l->trees[t] && l->trees[t]->kind == YD_MAP) {
                tree = yd_merge(l->t, l->trees[t], orig, lk->loc, "like");
                merge_carp_by_vhid(l, tree, l->trees[t], orig, lk->loc);
                tree->key = orig->key;
                tree->key_loc = orig->key_loc;
                if (orig->copy)
                    mark_copy(tree, orig->copy);
                l->like_root[i] = l->like_root[t];
                l->s->nodes[i].like = t;
                l->s->nodes[i].like_loc = lk->loc;
            }
        }
    }
    l->trees[i] = tree;
    if (l->like_state[i] == 1)
        l->like_state[i] = 2;
}

/* ------------------------------------------------------------------ */
/* nodes: one node                                                    */
/* ------------------------------------------------------------------ */

static const char *const node_keys[] = {"kind",   "platform", "like",     "interfaces", "carp",
                                        "routes", "pfsync",   "wireguard", "nat",       "filter",
                                        "gateways", "gateway-groups", "firewall", NULL};

void ld_load_ifaces(L *l, hs_node *n, const yd_node *v)
{
    if (ld_is_null(v))
        return;
    if (v->kind != YD_MAP) {
        ld_err(l, v, "interfaces: expected a mapping of interface names, found %s", yd_kind_name(v));
        return;
    }
    static const char *const keys[] = {"segment", "address", "aliases", NULL};
    n->ifaces = hs_alloc(l->a, v->count * sizeof *n->ifaces);
    hs_index *ix = &l->iface_index[n - l->s->nodes];
    hs_index_init(ix, l->t);
    for (const yd_node *c = v->first; c; c = c->next) {
        hs_index_put_str(ix, c->key, (int)n->n_ifaces); /* unique: a YAML mapping (like: merges keep it so) */
        hs_iface *f = &n->ifaces[n->n_ifaces++];
        f->name = hs_strdup(l->a, c->key);
        f->loc = c->key_loc;
        f->segment = -1;
        ld_name_ok(l, c->key, c, "interface");
        char what[2 * HS_NAME_MAX + 32];
        snprintf(what, sizeof what, "interface '%s' of node '%s'", c->key, n->name);
        if (!ld_check_map(l, c, what, keys))
            continue;
        if (ld_is_null(c)) {
            ld_err(l, c, "%s: needs 'segment:' and 'address:'", what);
            continue;
        }
        const yd_node *x;
        if (ld_require(l, c, "segment", what)) {
            x = yd_get(c, "segment");
            f->segment = ld_resolve_segment(l, x);
            f->segment_loc = x->loc;
        }
        if (ld_require(l, c, "address", what)) {
            x = yd_get(c, "address");
            ld_get_host_prefix(l, x, &f->address);
            f->address_loc = x->loc;
        }
        if ((x = yd_get(c, "aliases")) && ld_check_seq(l, x, "aliases") && !ld_is_null(x)) {
            f->aliases = hs_alloc(l->a, x->count * sizeof *f->aliases);
            f->alias_locs = hs_alloc(l->a, x->count * sizeof *f->alias_locs);
            for (const yd_node *a = x->first; a; a = a->next) {
                if (ld_get_host_prefix(l, a, &f->aliases[f->n_aliases])) {
                    f->alias_locs[f->n_aliases] = a->loc;
                    f->n_aliases++;
                }
            }
        }
    }
}

void ld_load_node(L *l, int ni)
{
    hs_node *n = &l->s->nodes[ni];
    const yd_node *t = l->trees[ni];
    char what[HS_NAME_MAX + 16];
    snprintf(what, sizeof what, "node '%s'", n->name);
    if (ld_is_null(t)) {
        ld_err(l, t, "%s: needs at least 'kind:'", what);
        return;
    }
    if (!ld_check_map(l, t, what, node_keys))
        return;
    static const char *const kinds[] = {"host", "router", "firewall", NULL};
    const yd_node *x;
    int k;
    n->kind = HS_NODE_HOST;
    if (ld_require(l, t, "kind", what) && ld_get_enum(l, yd_get(t, "kind"), kinds, &k))
        n->kind = (hs_node_kind)k;
    n->platform = l->s->platform;
    /* pfSense's defaults (docs/models.md "Options") */
    n->fw = (hs_fw_options){.reply_to = true,
                            .auto_route_to = true,
                            .carp_preempt = true,
                            .scrub = true,
                            .wg_resolve_interval = 300 * HS_S,
                            .aliases_resolve_interval = 300 * HS_S};
    n->pfsync.defer = false;
    n->pfsync.bulk = true;
    n->pfsync.sync_iface = -1;
    if ((x = yd_get(t, "platform")))
        ld_get_platform(l, x, &n->platform);
    if ((x = yd_get(t, "interfaces")))
        ld_load_ifaces(l, n, x);
    /* features of some kinds only */
    static const struct {
        const char *key;
        unsigned kinds; /* bit per hs_node_kind */
        const char *who;
    } only[] = {
        {"carp", 1u << HS_NODE_FIREWALL, "firewall"},
        {"pfsync", 1u << HS_NODE_FIREWALL, "firewall"},
        {"filter", 1u << HS_NODE_FIREWALL, "firewall"},
        {"gateways", 1u << HS_NODE_FIREWALL, "firewall"},
        {"gateway-groups", 1u << HS_NODE_FIREWALL, "firewall"},
        {"firewall", 1u << HS_NODE_FIREWALL, "firewall"},
        {"nat", (1u << HS_NODE_FIREWALL) | (1u << HS_NODE_ROUTER), "firewall or router"},
    };
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
        if ((x = yd_get(t, only[i].key)) && !(only[i].kinds & (1u << n->kind)))
            ld_err_key(l, x, "'%s:' is only for nodes of kind %s ('%s' is a %s)", only[i].key, only[i].who, n->name,
                    hs_node_kind_name(n->kind));
    if ((x = yd_get(t, "gateways")))
        ld_load_gateways(l, n, x);
    if ((x = yd_get(t, "gateway-groups")))
        ld_load_groups(l, n, x);
    if ((x = yd_get(t, "routes")))
        ld_load_routes(l, n, x);
    if ((x = yd_get(t, "carp")))
        ld_load_carp(l, n, x);
    if ((x = yd_get(t, "pfsync")))
        ld_load_pfsync(l, n, x);
    /* wireguard before nat and filter: their rules may name a tunnel */
    if ((x = yd_get(t, "wireguard")))
        ld_load_wireguard(l, n, ni, x);
    if ((x = yd_get(t, "nat")))
        ld_load_nat(l, n, x);
    if ((x = yd_get(t, "filter")))
        ld_load_filter(l, n, x);
    if ((x = yd_get(t, "firewall")))
        ld_load_firewall(l, n, x);
}

