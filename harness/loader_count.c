/*
 * loader_count.c — `count:`: N similar entries written once
 * (docs/scenario-language.md, "count: N similar entries").
 *
 * An entry with `count: N` (and optionally `start: K`) is a template: it is
 * replaced by N copies, i = K .. K+N-1, in which every `{EXPR}` of every key
 * and string is replaced by the value of EXPR, an integer expression of i
 * (`{i}`, `{i+1}`, `{i/256}`, `{i%256}`, `{(i-1)*4}`). It works on the YAML
 * tree before anything is read, so every other check sees ordinary entries
 * and the rest of the harness never knows: a 10,000-peer hub is a short
 * file.
 *
 * Where: entries of `segments:`, `nodes:` and a node's `interfaces:`
 * (mappings: the name must have a placeholder); items of a WireGuard
 * interface's `peers:`, of `traffic:`, `events:` and `expect:` (lists).
 * Not nested: an entry with count: holds none.
 *
 * The copies keep the template's positions; each value is marked with its
 * i (yd_node.copy), so that an error in a copy is said once, at the
 * template, with the first i that shows it (loader_values.c).
 */
#include "harness/loader_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The keys a template adds to its entry (taken out of each copy). */
static const char *const repeat_keys[] = {"count", "start", NULL};

/* ------------------------------------------------------------------ */
/* {EXPR}: + - * / % and parentheses over i and decimal integers      */
/* ------------------------------------------------------------------ */

typedef struct ev {
    const char *p, *end;
    int64_t i;
    const char *err;
} ev;

static void ev_blank(ev *e)
{
    while (e->p < e->end && *e->p == ' ')
        e->p++;
}

static bool ev_sum(ev *e, int64_t *out);

static bool ev_atom(ev *e, int64_t *out)
{
    ev_blank(e);
    if (e->p < e->end && *e->p == 'i') {
        e->p++;
        *out = e->i;
        return true;
    }
    if (e->p < e->end && *e->p >= '0' && *e->p <= '9') {
        int64_t v = 0;
        while (e->p < e->end && *e->p >= '0' && *e->p <= '9') {
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *e->p - '0', &v)) {
                e->err = "overflows";
                return false;
            }
            e->p++;
        }
        *out = v;
        return true;
    }
    if (e->p < e->end && *e->p == '(') {
        e->p++;
        if (!ev_sum(e, out))
            return false;
        ev_blank(e);
        if (e->p >= e->end || *e->p != ')') {
            e->err = "has a '(' without its ')'";
            return false;
        }
        e->p++;
        return true;
    }
    e->err = "is not an index expression (i, integers, + - * / % and parentheses)";
    return false;
}

static bool ev_product(ev *e, int64_t *out)
{
    if (!ev_atom(e, out))
        return false;
    for (;;) {
        ev_blank(e);
        char op = e->p < e->end ? *e->p : '\0';
        if (op != '*' && op != '/' && op != '%')
            return true;
        e->p++;
        int64_t r;
        if (!ev_atom(e, &r))
            return false;
        if (op == '*') {
            if (__builtin_mul_overflow(*out, r, out)) {
                e->err = "overflows";
                return false;
            }
        } else if (r == 0) {
            e->err = "divides by zero";
            return false;
        } else {
            *out = op == '/' ? *out / r : *out % r;
        }
    }
}

static bool ev_sum(ev *e, int64_t *out)
{
    if (!ev_product(e, out))
        return false;
    for (;;) {
        ev_blank(e);
        char op = e->p < e->end ? *e->p : '\0';
        if (op != '+' && op != '-')
            return true;
        e->p++;
        int64_t r;
        if (!ev_product(e, &r))
            return false;
        if (op == '+' ? __builtin_add_overflow(*out, r, out) : __builtin_sub_overflow(*out, r, out)) {
            e->err = "overflows";
            return false;
        }
    }
}

/* The value of the expression s[0..len) for i; NULL, or why not. */
static const char *eval(const char *s, size_t len, int64_t i, int64_t *out)
{
    ev e = {s, s + len, i, NULL};
    if (!ev_sum(&e, out))
        return e.err;
    ev_blank(&e);
    if (e.p != e.end)
        return "is not an index expression (i, integers, + - * / % and parentheses)";
    if (*out < 0)
        return "is negative";
    return NULL;
}

/* Whether s holds a placeholder: a {EXPR} that uses i. */
static bool has_placeholder(const char *s)
{
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        const char *q = strchr(p, '}');
        if (!q)
            return false;
        int64_t v;
        if (memchr(p, 'i', (size_t)(q - p)) && !eval(p + 1, (size_t)(q - p - 1), 0, &v))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* copies                                                             */
/* ------------------------------------------------------------------ */

typedef struct cx {
    L *l;
    const yd_count_copy *copy;
    bool failed; /* reported; the template makes no copies */
} cx;

/* s with every {EXPR} replaced; on an error reports it at `at` (the
 * template's value or key) and returns NULL. */
static const char *subst(cx *c, const char *s, const yd_node *at, bool at_key)
{
    if (!strchr(s, '{'))
        return s;
    size_t braces = 0;
    for (const char *p = s; *p; p++)
        braces += *p == '{';
    char *out = hs_alloc(c->l->t, strlen(s) + 1 + 20 * braces);
    size_t o = 0;
    for (const char *p = s; *p;) {
        if (*p != '{') {
            out[o++] = *p++;
            continue;
        }
        const char *q = strchr(p, '}');
        int64_t v = 0;
        const char *why = q ? eval(p + 1, (size_t)(q - p - 1), c->copy->i, &v) : "has no closing '}'";
        if (why) {
            int n = q ? (int)(q - p + 1) : (int)strlen(p);
            if (at_key)
                ld_err_key(c->l, at, "count: '%.*s' in '%.60s' %s (with i = %" PRId64 ")", n > 60 ? 60 : n, p, s, why,
                           c->copy->i);
            else
                ld_err(c->l, at, "count: '%.*s' in '%.60s' %s (with i = %" PRId64 ")", n > 60 ? 60 : n, p, s, why,
                       c->copy->i);
            c->failed = true;
            return NULL;
        }
        o += (size_t)sprintf(out + o, "%" PRId64, v);
        p = q + 1;
    }
    out[o] = '\0';
    return out;
}

static void append(yd_node *parent, yd_node *child)
{
    child->next = NULL;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
    parent->count++;
}

/* A copy of n for c->copy's i; at the template's top (`top`) without its
 * count: and start:. */
static yd_node *copy_of(cx *c, const yd_node *n, bool top)
{
    yd_node *r = hs_alloc(c->l->t, sizeof *r);
    *r = *n;
    r->first = r->last = r->next = NULL;
    r->count = 0;
    r->copy = c->copy;
    if (n->key && !(r->key = subst(c, n->key, n, true)))
        return r;
    if (n->kind == YD_SCALAR && !n->is_null) {
        if (!(r->str = subst(c, n->str, n, false)))
            return r;
        r->len = strlen(r->str);
    }
    for (const yd_node *k = n->first; k && !c->failed; k = k->next) {
        if (top && k->key && ld_name_index(repeat_keys, 2, k->key) >= 0)
            continue;
        append(r, copy_of(c, k, false));
    }
    return r;
}

static size_t tree_size(const yd_node *n)
{
    size_t s = 1;
    for (const yd_node *k = n->first; k; k = k->next)
        s += tree_size(k);
    return s;
}

/* ------------------------------------------------------------------ */
/* templates                                                          */
/* ------------------------------------------------------------------ */

/* The first placeholder in n (its keys and strings), or NULL. */
static const yd_node *find_placeholder(const yd_node *n, bool *in_key)
{
    if (n->key && has_placeholder(n->key)) {
        *in_key = true;
        return n;
    }
    if (n->kind == YD_SCALAR && !n->is_null && has_placeholder(n->str)) {
        *in_key = false;
        return n;
    }
    for (const yd_node *k = n->first; k; k = k->next) {
        const yd_node *f = find_placeholder(k, in_key);
        if (f)
            return f;
    }
    return NULL;
}

/* An entry that is not a template has no placeholder (said once, at the
 * first). */
static void check_no_placeholder(L *l, const yd_node *n)
{
    bool in_key = false;
    const yd_node *f = find_placeholder(n, &in_key);
    if (!f)
        return;
    const char *s = in_key ? f->key : f->str;
    if (in_key)
        ld_err_key(l, f, "'%.60s': a placeholder such as {i} is only for an entry with 'count:'", s);
    else
        ld_err(l, f, "%s: '%.60s': a placeholder such as {i} is only for an entry with 'count:'", ld_label(f, "value"),
               s);
    ld_explained(l, in_key ? f->key_loc : f->loc, true); /* not also 'not a valid name' */
}

/* A `count:` (or a `start:`) where it is not allowed: inside an entry that
 * has count: itself. */
static bool has_nested_count(L *l, const yd_node *entry_map)
{
    const yd_node *c;
    if (!entry_map || entry_map->kind != YD_MAP)
        return false;
    if ((c = yd_get(entry_map, "count")) || (c = yd_get(entry_map, "start"))) {
        ld_err_key(l, c, "%s: not inside an entry that has 'count:' itself (no nesting)", c->key);
        return true;
    }
    return false;
}

/* Inside a node template, the places that take count: themselves. */
static bool node_has_nested_count(L *l, const yd_node *node)
{
    bool found = false;
    const yd_node *x = yd_get(node, "interfaces");
    for (const yd_node *f = x && x->kind == YD_MAP ? x->first : NULL; f; f = f->next)
        found |= has_nested_count(l, f);
    x = yd_get(node, "wireguard");
    for (const yd_node *w = x && x->kind == YD_MAP ? x->first : NULL; w; w = w->next) {
        const yd_node *p = yd_get(w, "peers");
        for (const yd_node *q = p && p->kind == YD_SEQ ? p->first : NULL; q; q = q->next)
            found |= has_nested_count(l, q);
    }
    return found;
}

/* Whether entry e is a template; if so reads its range (false: reported,
 * no copies). A `start:` without `count:` is reported and taken out. */
static bool template_range(L *l, yd_node *e, bool *is_template, int64_t *start, int64_t *n)
{
    *is_template = false;
    if (e->kind != YD_MAP)
        return true;
    const yd_node *cn = yd_get(e, "count"), *sn = yd_get(e, "start");
    if (!cn) {
        if (sn) {
            ld_err_key(l, sn, "start: only together with 'count:'");
            /* taken out: one mistake, not also 'unknown key start' */
            yd_node **pp = &e->first;
            e->last = NULL;
            for (yd_node *k = e->first; k; k = k->next) {
                if (k == sn) {
                    *pp = k->next;
                    e->count--;
                } else {
                    e->last = k;
                    pp = &k->next;
                }
            }
        }
        return true;
    }
    *is_template = true;
    uint64_t u, s = 0;
    bool ok = ld_get_u64(l, cn, 1, HS_MAX_COUNT, "a number of copies", &u);
    if (sn && !ld_get_u64(l, sn, 0, HS_MAX_COUNT_START, "a first index", &s))
        ok = false;
    if (!ok)
        return false;
    size_t made = tree_size(e) * u;
    if (l->count_made + made > HS_MAX_COUNT_VALUES) {
        ld_err(l, cn,
               "count: %" PRIu64 " copies of this entry make %zu YAML values, more than the %d a file may make with "
               "count: (each value is held in memory)",
               u, made + l->count_made, HS_MAX_COUNT_VALUES);
        return false;
    }
    l->count_made += made;
    *start = (int64_t)s;
    *n = (int64_t)u;
    return true;
}

/* Builds one copy of template t; NULL when a placeholder failed (reported). */
static yd_node *make_copy(L *l, const yd_node *t, int64_t i)
{
    yd_count_copy *cp = hs_alloc(l->a, sizeof *cp);
    cp->count_loc = yd_get(t, "count")->key_loc;
    cp->i = i;
    cx c = {l, cp, false};
    yd_node *r = copy_of(&c, t, true);
    if (c.failed)
        l->count_failed = true;
    return c.failed ? NULL : r;
}

/* Expands the templates among the entries of a mapping (`what`: "nodes",
 * ...); each copy's name must be new in the mapping. nodes_level: entries
 * are nodes, whose interfaces and peers take count: too. */
static void expand_map(L *l, yd_node *map, const char *what, bool nodes_level, bool check);

/* check: entries that are not templates must have no placeholder (false
 * for a node's interfaces and peers: the node's own check covers them). */
static void expand_seq(L *l, yd_node *seq, bool check)
{
    if (!seq || seq->kind != YD_SEQ)
        return;
    yd_node *old = seq->first;
    seq->first = seq->last = NULL;
    seq->count = 0;
    for (yd_node *e = old, *next; e; e = next) {
        next = e->next;
        bool is_template;
        int64_t start = 0, n = 0;
        bool ok = template_range(l, e, &is_template, &start, &n);
        if (!is_template) {
            if (ok && check)
                check_no_placeholder(l, e);
            append(seq, e);
            continue;
        }
        if (!ok) {
            l->count_failed = true;
            continue;
        }
        for (int64_t i = start; i < start + n; i++) {
            yd_node *c = make_copy(l, e, i);
            if (!c)
                break;
            append(seq, c);
        }
    }
}

static void expand_node_parts(L *l, yd_node *node)
{
    expand_map(l, (yd_node *)yd_get(node, "interfaces"), "interfaces", false, false);
    const yd_node *x = yd_get(node, "wireguard");
    for (yd_node *w = x && x->kind == YD_MAP ? x->first : NULL; w; w = w->next)
        expand_seq(l, (yd_node *)yd_get(w, "peers"), false);
}

static void expand_map(L *l, yd_node *map, const char *what, bool nodes_level, bool check)
{
    if (!map || map->kind != YD_MAP)
        return;
    /* pass 1: the literal names, and each template's range */
    size_t n_entries = map->count;
    int64_t *starts = hs_alloc(l->a, (n_entries ? n_entries : 1) * sizeof *starts);
    int64_t *ns = hs_alloc(l->a, (n_entries ? n_entries : 1) * sizeof *ns);
    bool *templ = hs_alloc(l->a, (n_entries ? n_entries : 1) * sizeof *templ);
    hs_index names;
    hs_index_init(&names, l->t);
    size_t k = 0, made = 0;
    for (yd_node *e = map->first; e; e = e->next, k++) {
        bool ok = template_range(l, e, &templ[k], &starts[k], &ns[k]);
        if (!templ[k]) {
            hs_index_put_str(&names, e->key, (int)k); /* unique: yaml_doc.c refused duplicates */
        } else if (ok && !strchr(e->key, '{')) { /* a wrong {..} is said by subst() */
            ld_err_key(l, e, "count: the name '%.60s' has no placeholder such as {i}, so its %" PRId64
                             " copies would all be called that", e->key, ns[k]);
            ns[k] = 0;
        } else if (ok && nodes_level && node_has_nested_count(l, e)) {
            ns[k] = 0;
        } else if (!ok) {
            ns[k] = 0;
        }
        if (templ[k] && !ns[k])
            l->count_failed = true;
        made += (size_t)ns[k];
    }
    /* pass 2: the entries in file order, copies in place of templates */
    const yd_node **by_value = hs_alloc(l->a, (n_entries + made + 1) * sizeof *by_value);
    k = 0;
    for (yd_node *e = map->first; e; e = e->next, k++)
        by_value[k] = e;
    size_t nv = n_entries;
    yd_node *old = map->first;
    map->first = map->last = NULL;
    map->count = 0;
    k = 0;
    for (yd_node *e = old, *next; e; e = next, k++) {
        next = e->next;
        if (!templ[k]) {
            if (nodes_level)
                expand_node_parts(l, e);
            if (check)
                check_no_placeholder(l, e);
            append(map, e);
            continue;
        }
        for (int64_t i = starts[k]; i < starts[k] + ns[k]; i++) {
            yd_node *c = make_copy(l, e, i);
            if (!c)
                break;
            int first = hs_index_put_str(&names, c->key, (int)nv);
            if (first >= 0) {
                ld_err_key(l, e, "count: '%s' with i = %" PRId64 " makes '%.60s', which is already in %s (line %u)",
                           e->key, i, c->key, what, by_value[first]->key_loc.line);
                l->count_failed = true;
                break;
            }
            by_value[nv++] = c;
            append(map, c);
        }
    }
}

void ld_expand_counts(L *l, yd_node *root)
{
    expand_map(l, (yd_node *)yd_get(root, "segments"), "segments", false, true);
    expand_map(l, (yd_node *)yd_get(root, "nodes"), "nodes", true, true);
    expand_seq(l, (yd_node *)yd_get(root, "traffic"), true);
    expand_seq(l, (yd_node *)yd_get(root, "events"), true);
    expand_seq(l, (yd_node *)yd_get(root, "expect"), true);
}
