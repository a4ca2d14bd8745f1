/*
 * view.c — the inspection views' entry points (harness/runner.h): splits
 * a view command into words with their columns, dispatches on the verb
 * (`show VIEW ...`, `packets ...`, `why ...`) and offers completion
 * candidates. The views themselves are one file per family
 * (view_nodes.c, view_carp.c, ...); they read the models' live tables and
 * the run record, never change the world.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

typedef struct view_def {
    const char *name;
    bool (*fn)(hs_view_ctx *v);
    /* what completes the word after the view's name */
    enum { ARG_NONE, ARG_NODE } arg;
} view_def;

static const view_def show_views[] = {
    {"nodes", view_nodes, ARG_NONE},
    {"carp", view_carp, ARG_NODE},
    {"peers", view_peers, ARG_NODE},
    {"routes", view_routes, ARG_NODE},
    {"states", view_states, ARG_NODE},
    {"gateways", view_gateways, ARG_NODE},
    {"arp", view_arp, ARG_NODE},
};
#define N_SHOW (sizeof show_views / sizeof show_views[0])

bool view_fail(hs_view_ctx *v, int col, const char *fmt, ...)
{
    if (v->err && v->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->err, v->errlen, fmt, ap);
        va_end(ap);
    }
    if (v->err_col)
        *v->err_col = col;
    return false;
}

bool view_no_more(hs_view_ctx *v, size_t i)
{
    if (v->n <= i + 1)
        return true;
    return view_fail(v, v->col[i + 1], "unexpected '%s' after '%s'", v->words[i + 1], v->words[i]);
}

int view_node_arg(hs_view_ctx *v, size_t i, const char *usage)
{
    if (i >= v->n) {
        int end = (int)strlen(v->line) + 1;
        view_fail(v, end, "missing node name (usage: %s)", usage);
        return -1;
    }
    int k = hs_find_node(v->s, v->words[i]);
    if (k >= 0)
        return k;
    const char **names = malloc((v->s->n_nodes ? v->s->n_nodes : 1) * sizeof *names);
    if (!names)
        sim_oom("a node name suggestion");
    for (size_t j = 0; j < v->s->n_nodes; j++)
        names[j] = v->s->nodes[j].name;
    const char *near = hs_closest(v->words[i], names, v->s->n_nodes);
    if (near)
        view_fail(v, v->col[i], "unknown node '%s' (did you mean '%s'?)", v->words[i], near);
    else
        view_fail(v, v->col[i], "unknown node '%s'", v->words[i]);
    free(names);
    return -1;
}

bool view_peer_arg(hs_view_ctx *v, int node, size_t i, int *wg_out, int *peer_out)
{
    const hs_node *hn = &v->s->nodes[node];
    for (size_t j = 0; j < hn->n_wg; j++) {
        int k = hs_wg_find_peer(&hn->wg[j], v->words[i]);
        if (k >= 0) {
            *wg_out = (int)j;
            *peer_out = k;
            return true;
        }
    }
    return view_fail(v, v->col[i], "node '%s' has no WireGuard peer '%s'", hn->name, v->words[i]);
}

const char *view_time(sim_time t, char *buf, size_t len)
{
    char b[32];
    snprintf(buf, len, "%ss", hs_result_time(t, b, sizeof b));
    return buf;
}

const char *view_age(const hs_view_ctx *v, sim_time t, char *buf, size_t len)
{
    return view_time(v->now >= t ? v->now - t : 0, buf, len);
}

const char *view_carp_state(sim_carp_state st)
{
    /* as FreeBSD's ifconfig prints it ("carp: MASTER vhid 1 ...") */
    return st == SIM_CARP_MASTER ? "MASTER" : st == SIM_CARP_BACKUP ? "BACKUP" : "INIT";
}

bool view_carp_first(const hs_node *hn, size_t c)
{
    for (size_t p = 0; p < c; p++)
        if (hn->carp[p].vhid == hn->carp[c].vhid && hn->carp[p].iface == hn->carp[c].iface)
            return false;
    return true;
}

sim_fw *view_fw(const hs_view_ctx *v, int node)
{
    return node >= 0 && v->hw->fws ? v->hw->fws[node] : NULL;
}

/* Splits line into words (blanks separate; a '#' at a word's start ends
 * the line, as in timeline commands); false when there are too many. */
static bool split(hs_view_ctx *v, char *copy)
{
    v->n = 0;
    char *p = copy;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            break;
        if (v->n == HS_VIEW_MAX_WORDS)
            return view_fail(v, (int)(p - copy) + 1, "too many words (at most %d)", HS_VIEW_MAX_WORDS);
        v->words[v->n] = p;
        v->col[v->n] = (int)(p - copy) + 1;
        v->n++;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = 0;
    }
    return true;
}

static const view_def *find_show(const char *name)
{
    for (size_t i = 0; i < N_SHOW; i++)
        if (!strcmp(show_views[i].name, name))
            return &show_views[i];
    return NULL;
}

static bool dispatch(hs_view_ctx *v)
{
    if (v->n == 0)
        return view_fail(v, 1, "empty view command");
    const char *verb = v->words[0];
    if (!strcmp(verb, "packets"))
        return view_packets(v);
    if (!strcmp(verb, "why"))
        return view_why(v);
    if (strcmp(verb, "show") != 0)
        return view_fail(v, v->col[0], "unknown view '%s' (views: show, packets, why)", verb);
    const char *names[N_SHOW];
    char list[256] = "";
    size_t k = 0;
    for (size_t i = 0; i < N_SHOW; i++) {
        names[i] = show_views[i].name;
        k += (size_t)snprintf(list + k, k < sizeof list ? sizeof list - k : 0, "%s%s", i ? "|" : "", names[i]);
    }
    if (v->n < 2)
        return view_fail(v, (int)strlen(v->line) + 1, "missing view (show %s)", list);
    const view_def *d = find_show(v->words[1]);
    if (!d) {
        const char *near = hs_closest(v->words[1], names, N_SHOW);
        if (near)
            return view_fail(v, v->col[1], "unknown view 'show %s' (did you mean 'show %s'?)", v->words[1], near);
        return view_fail(v, v->col[1], "unknown view 'show %s' (show %s)", v->words[1], list);
    }
    return d->fn(v);
}

static bool answer(FILE *out, hs_world *hw, const char *cmd, char *err, size_t errlen, int *err_col, bool check)
{
    hs_view_ctx v = {.out = out, .hw = hw, .s = hw->s, .w = hw->w, .line = cmd ? cmd : "",
                     .err = err, .errlen = errlen, .err_col = err_col, .check = check};
    v.now = sim_world_now(hw->w);
    if (err && errlen)
        err[0] = 0;
    if (err_col)
        *err_col = 0;
    char *copy = strdup(v.line);
    if (!copy)
        sim_oom("a view command");
    bool ok = split(&v, copy) && dispatch(&v);
    free(copy);
    return ok;
}

bool hs_view(FILE *out, hs_world *hw, const char *cmd, char *err, size_t errlen, int *err_col)
{
    return answer(out, hw, cmd, err, errlen, err_col, false);
}

bool hs_view_check(hs_world *hw, const char *cmd, char *err, size_t errlen, int *err_col)
{
    return answer(NULL, hw, cmd, err, errlen, err_col, true);
}

bool hs_view_is_verb(const char *word)
{
    return word && (!strcmp(word, "show") || !strcmp(word, "packets") || !strcmp(word, "why"));
}

/* The words after `show VIEW NODE`: peers, vhids, interfaces, gateways. */
static void view_complete_third(hs_world *hw, const char *view, const char *node_name,
                                void (*add)(void *ctx, const char *word), void *ctx);

/* The scenario names of node's WireGuard peers. */
static void peer_names(hs_world *hw, const char *node_name, void (*add)(void *ctx, const char *word), void *ctx)
{
    int node = hs_find_node(hw->s, node_name);
    char name[HS_NAME_MAX + 16];
    for (size_t j = 0; node >= 0 && j < hw->s->nodes[node].n_wg; j++)
        for (size_t k = 0; k < hw->s->nodes[node].wg[j].n_peers; k++) {
            int id = hw->peer_ids[node] && hw->peer_ids[node][j] ? hw->peer_ids[node][j][k] : -1;
            if (id >= 0)
                add(ctx, hs_world_peer_name(hw, node, (int)j, id, name, sizeof name));
        }
}

void hs_view_complete(hs_world *hw, const char *line, void (*add)(void *ctx, const char *word), void *ctx)
{
    hs_view_ctx v = {.hw = hw, .s = hw->s, .w = hw->w, .line = line ? line : ""};
    char *copy = strdup(v.line);
    if (!copy)
        sim_oom("a view command");
    if (!split(&v, copy)) {
        free(copy);
        return;
    }
    if (v.n == 0) {
        add(ctx, "show");
        add(ctx, "packets");
        add(ctx, "why");
    } else if (!strcmp(v.words[0], "why")) {
        if (v.n == 1)
            add(ctx, "endpoint");
        else if (v.n == 2 && !strcmp(v.words[1], "endpoint"))
            for (size_t i = 0; i < hw->s->n_nodes; i++)
                if (hw->s->nodes[i].n_wg)
                    add(ctx, hw->s->nodes[i].name);
        if (v.n == 3 && !strcmp(v.words[1], "endpoint"))
            peer_names(hw, v.words[2], add, ctx);
    } else if (!strcmp(v.words[0], "show")) {
        if (v.n == 1) {
            for (size_t i = 0; i < N_SHOW; i++)
                add(ctx, show_views[i].name);
        } else if (v.n == 2) {
            const view_def *d = find_show(v.words[1]);
            if (d && d->arg == ARG_NODE)
                for (size_t i = 0; i < hw->s->n_nodes; i++)
                    add(ctx, hw->s->nodes[i].name);
        } else if (v.n == 3) {
            view_complete_third(hw, v.words[1], v.words[2], add, ctx);
        }
    }
    free(copy);
}

static void view_complete_third(hs_world *hw, const char *view, const char *node_name,
                                void (*add)(void *ctx, const char *word), void *ctx)
{
    int node = hs_find_node(hw->s, node_name);
    if (node < 0)
        return;
    const hs_node *hn = &hw->s->nodes[node];
    if (!strcmp(view, "peers")) {
        peer_names(hw, node_name, add, ctx);
    } else if (!strcmp(view, "carp")) {
        char b[8];
        for (size_t c = 0; c < hn->n_carp; c++) {
            bool first = true; /* a vhid once, whatever its interfaces and VIPs */
            for (size_t p = 0; p < c; p++)
                first &= hn->carp[p].vhid != hn->carp[c].vhid;
            if (first) {
                snprintf(b, sizeof b, "%u", hn->carp[c].vhid);
                add(ctx, b);
            }
        }
    } else if (!strcmp(view, "arp") && hw->nodes[node]) {
        for (uint32_t f = 1; f <= sim_node_iface_count(hw->nodes[node]); f++)
            add(ctx, sim_iface_name(sim_node_iface_by_index(hw->nodes[node], f)));
    } else if (!strcmp(view, "gateways")) {
        for (size_t g = 0; g < hn->n_gateways; g++)
            add(ctx, hn->gateways[g].name);
    }
}
