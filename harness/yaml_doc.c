/*
 * yaml_doc.c — libyaml events to a small tree that keeps line:column of
 * every node, with the checks a scenario file needs before its meaning is
 * looked at: size, text encoding, one document, no anchors/aliases/tags
 * (`like:` is the language's way to reuse a node, and refusing aliases also
 * rules out exponential "billion laughs" expansion), scalar unique keys,
 * bounded nesting.
 */
#include "harness/internal.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- pre-checks on the raw bytes ---- */

/* Line and column (1-based, column in characters as libyaml counts them) of
 * byte offset `off`. */
static hs_loc loc_of_offset(const uint8_t *b, size_t off)
{
    hs_loc l = {1, 1};
    for (size_t i = 0; i < off; i++) {
        if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= off || b[i + 1] != '\n'))) {
            l.line++;
            l.col = 1;
        } else if ((b[i] & 0xC0) != 0x80) {
            l.col++;
        }
    }
    return l;
}

/* Returns the offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_invalid_at(const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = b[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07;
        } else {
            return i;
        }
        if (i + n >= len)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (b[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (b[i + k] & 0x3F);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return i;
        i += n + 1;
    }
    return len;
}

/* ---- duplicate-key detection: a hash set of (map, key) ---- */

typedef struct keyset {
    struct {
        const yd_node *map;
        const char *key;
    } *v;
    size_t cap, n;
} keyset;

static uint64_t key_hash(const yd_node *map, const char *k)
{
    uint64_t h = UINT64_C(1469598103934665603) ^ (uint64_t)(uintptr_t)map;
    for (; *k; k++)
        h = (h ^ (uint8_t)*k) * UINT64_C(1099511628211);
    /* FNV's low bits depend only on the low bits of its input, and map
     * addresses share theirs (arena alignment): thousands of maps with the
     * same keys ("kind", "segment") fell into one probe run. A full
     * avalanche (murmur3's finaliser) spreads them. */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    return h ^ (h >> 33);
}

/* Inserts; returns false if (map, key) was already there. */
static bool keyset_add(keyset *s, const yd_node *map, const char *key)
{
    if (s->n * 2 >= s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        void *nv = calloc(ncap, sizeof *s->v);
        if (!nv)
            sim_oom("reading a scenario's YAML");
        keyset old = *s;
        s->v = nv;
        s->cap = ncap;
        s->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.v[i].map)
                keyset_add(s, old.v[i].map, old.v[i].key);
        free(old.v);
    }
    size_t i = key_hash(map, key) & (s->cap - 1);
    while (s->v[i].map) {
        if (s->v[i].map == map && !strcmp(s->v[i].key, key))
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->v[i].map = map;
    s->v[i].key = key;
    s->n++;
    return true;
}

/* Whether `key` is new in `map` (about to be added). A small map is
 * scanned: its children were just written, so that costs less than a
 * random access into a table of every key of the file; a map that reaches
 * SMALL_MAP keys moves them into the hash set, which takes it from there. */
enum { SMALL_MAP = 16 };
static bool key_is_new(keyset *s, const yd_node *map, const char *key)
{
    if (map->count < SMALL_MAP) {
        for (const yd_node *c = map->first; c; c = c->next)
            if (!strcmp(c->key, key))
                return false;
        return true;
    }
    if (map->count == SMALL_MAP) /* again after a duplicate 17th key: adding is idempotent */
        for (const yd_node *c = map->first; c; c = c->next)
            keyset_add(s, map, c->key);
    return keyset_add(s, map, key);
}

/* ---- the tree ---- */

static hs_loc mark_loc(yaml_mark_t m) { return (hs_loc){(uint32_t)m.line + 1, (uint32_t)m.column + 1}; }

static void append(yd_node *parent, yd_node *child)
{
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
    parent->count++;
}

typedef struct frame {
    yd_node *node;
    const char *key; /* map: key waiting for its value */
    hs_loc key_loc;
    bool have_key;
    bool discard; /* the value belongs to a duplicate key */
} frame;

static bool check_props(hs_diag *d, hs_loc loc, const yaml_char_t *anchor, const yaml_char_t *tag)
{
    bool ok = true;
    if (anchor) {
        hs_diag_add(d, loc, "anchors (&%.40s) are not supported; use 'like:' to reuse a node", (const char *)anchor);
        ok = false;
    }
    if (tag) {
        hs_diag_add(d, loc, "tags (%.40s) are not supported", (const char *)tag);
        ok = false;
    }
    return ok;
}

/* libyaml's message for an unquoted comparison (`count: >= 1`) is about
 * tokens and block scalars; the cause is that '>' and '|' start a block
 * scalar and '@' and '`' are reserved, so such a value needs quotes. The
 * character is the problem mark (flow context) or the block scalar's start
 * (block context). */
static const char *quote_hint(const yaml_parser_t *p, const uint8_t *bytes, size_t len)
{
    if (p->error != YAML_SCANNER_ERROR)
        return "";
    size_t at = p->problem_mark.index;
    if (p->context && strstr(p->context, "block scalar"))
        at = p->context_mark.index;
    if (at >= len)
        return "";
    switch (bytes[at]) {
    case '>':
        return "; a value that starts with '>' must be quoted (e.g. count: \">= 1\")";
    case '|':
        return "; a value that starts with '|' must be quoted";
    case '@':
        return "; a value that starts with '@' must be quoted";
    case '`':
        return "; a value that starts with '`' must be quoted";
    default:
        return "";
    }
}

static bool is_null_plain(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};

size_t yd_bom_len(const uint8_t *bytes, size_t len) { return len >= 3 && !memcmp(bytes, bom, 3) ? 3 : 0; }

yd_node *yd_parse(hs_arena *a, const uint8_t *bytes, size_t len, hs_diag *d)
{
    if (!bytes) { /* libyaml asserts on a NULL input */
        bytes = (const uint8_t *)"";
        len = 0;
    }
    if (len > HS_MAX_INPUT) {
        hs_diag_add(d, (hs_loc){0, 0}, "file too large (%zu bytes; scenario files are limited to %u MiB, %u bytes)",
                    len, (unsigned)(HS_MAX_INPUT >> 20), (unsigned)HS_MAX_INPUT);
        return NULL;
    }
    /* A UTF-8 byte-order mark may open the file (YAML 1.2 §5.2: a stream
     * may begin with one; Windows editors write it). It is taken off here,
     * not left to libyaml, which accepts it but then reads "---" after it
     * as a plain scalar, and counts it as a column. Anywhere else U+FEFF is
     * refused, as §5.2 says it must not appear inside a document. */
    size_t skip = yd_bom_len(bytes, len);
    bytes += skip;
    len -= skip;
    /* The first of the two problems is reported: a binary file (an ELF
     * header has a NUL at byte 8) reads "not a text file", not "invalid
     * UTF-8" about a byte further on. */
    size_t bad = utf8_invalid_at(bytes, len);
    const uint8_t *nul = len ? memchr(bytes, 0, len) : NULL;
    if (bad < len && (!nul || bad < (size_t)(nul - bytes))) {
        hs_diag_add(d, loc_of_offset(bytes, bad), "invalid UTF-8 (byte 0x%02X): scenario files must be UTF-8 text",
                    bytes[bad]);
        return NULL;
    }
    if (nul) {
        hs_diag_add(d, loc_of_offset(bytes, (size_t)(nul - bytes)),
                    "NUL byte: this is not a text file (scenario files are UTF-8 YAML)");
        return NULL;
    }
    const uint8_t *inner = len >= 3 ? memmem(bytes, len, bom, 3) : NULL;
    if (inner) {
        hs_diag_add(d, loc_of_offset(bytes, (size_t)(inner - bytes)),
                    "byte-order mark (U+FEFF) inside the file: only the very start of a file may have one");
        return NULL;
    }

    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        sim_oom("starting the YAML parser");
    yaml_parser_set_input_string(&p, bytes, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

    frame stack[HS_MAX_DEPTH + 2];
    int depth = 0;
    yd_node *root = NULL;
    int docs = 0;
    bool failed = false, done = false;
    keyset keys = {0};
    size_t errors_before = hs_diag_count(d);
    /* A duplicate key's value is dropped and the first one kept, so the
     * loader can go on and report the file's other mistakes in the same run;
     * the load still fails because the duplicate was reported. */
    size_t duplicates = 0;

    while (!done && !failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            hs_loc loc;
            if (p.error == YAML_READER_ERROR)
                loc = loc_of_offset(bytes, p.problem_offset < len ? p.problem_offset : len);
            else
                loc = mark_loc(p.problem_mark);
            if (p.error == YAML_MEMORY_ERROR)
                hs_diag_add(d, loc, "out of memory while reading YAML");
            else if (p.error == YAML_SCANNER_ERROR && p.problem_mark.index < len &&
                     bytes[p.problem_mark.index] == '\t')
                hs_diag_add(d, loc, "YAML syntax error: a tab character here; YAML indents with spaces only");
            else if (p.context)
                hs_diag_add(d, loc, "YAML syntax error: %s %s (started at line %u)%s", p.problem ? p.problem : "error",
                            p.context, (unsigned)p.context_mark.line + 1, quote_hint(&p, bytes, len));
            else
                hs_diag_add(d, loc, "YAML syntax error: %s%s", p.problem ? p.problem : "unknown error",
                            quote_hint(&p, bytes, len));
            failed = true;
            break;
        }
        hs_loc loc = mark_loc(ev.start_mark);
        yd_node *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                hs_diag_add(d, loc, "a second YAML document: a scenario file holds exactly one");
                failed = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            hs_diag_add(d, loc, "aliases (*%.40s) are not supported; use 'like:' to reuse a node",
                        (const char *)ev.data.alias.anchor);
            n = hs_alloc(a, sizeof *n);
            n->kind = YD_SCALAR;
            n->str = "";
            n->is_null = true;
            n->loc = loc;
            n->end = mark_loc(ev.end_mark);
            break;
        case YAML_SCALAR_EVENT:
            check_props(d, loc, ev.data.scalar.anchor,
                        ev.data.scalar.plain_implicit || ev.data.scalar.quoted_implicit ? NULL : ev.data.scalar.tag);
            n = hs_alloc(a, sizeof *n);
            n->kind = YD_SCALAR;
            n->str = hs_strndup(a, (const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->len = ev.data.scalar.length;
            n->loc = loc;
            n->end = mark_loc(ev.end_mark);
            n->style = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? YD_PLAIN
                       : (ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                          ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
                           ? YD_QUOTED
                           : YD_BLOCK;
            n->is_null = n->style == YD_PLAIN && is_null_plain(n->str);
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth >= HS_MAX_DEPTH) {
                hs_diag_add(d, loc, "nesting deeper than %d levels", HS_MAX_DEPTH);
                failed = true;
                break;
            }
            if (ev.type == YAML_MAPPING_START_EVENT)
                check_props(d, loc, ev.data.mapping_start.anchor,
                            ev.data.mapping_start.implicit ? NULL : ev.data.mapping_start.tag);
            else
                check_props(d, loc, ev.data.sequence_start.anchor,
                            ev.data.sequence_start.implicit ? NULL : ev.data.sequence_start.tag);
            n = hs_alloc(a, sizeof *n);
            n->kind = ev.type == YAML_MAPPING_START_EVENT ? YD_MAP : YD_SEQ;
            n->loc = loc;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: {
            frame *f = &stack[depth - 1];
            f->node->end = mark_loc(ev.end_mark);
            depth--;
            yd_node *done_node = f->node;
            /* attach the finished collection to its parent (or make it the root) */
            if (depth == 0) {
                root = done_node;
            } else {
                frame *pf = &stack[depth - 1];
                if (!pf->discard) {
                    if (pf->node->kind == YD_MAP) {
                        done_node->key = pf->key;
                        done_node->key_loc = pf->key_loc;
                    }
                    append(pf->node, done_node);
                }
                pf->have_key = false;
                pf->discard = false;
            }
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (!n || failed)
            continue;

        /* Place the new node. */
        if (depth > 0 && stack[depth - 1].node->kind == YD_MAP && !stack[depth - 1].have_key) {
            frame *f = &stack[depth - 1];
            if (n->kind != YD_SCALAR) {
                hs_diag_add(d, n->loc, "a key must be a plain string, not %s", yd_kind_name(n));
                failed = true;
                continue;
            }
            f->have_key = true;
            f->key = n->str;
            f->key_loc = n->loc;
            f->discard = !key_is_new(&keys, f->node, n->str);
            if (f->discard) {
                duplicates++;
                const yd_node *prev = yd_get(f->node, n->str);
                if (prev)
                    hs_diag_add(d, n->loc, "duplicate key '%.60s' (first at line %u)", n->str, prev->key_loc.line);
                else
                    hs_diag_add(d, n->loc, "duplicate key '%.60s'", n->str);
            }
            continue;
        }
        if (n->kind == YD_SCALAR) {
            if (depth == 0) {
                root = n;
            } else {
                frame *f = &stack[depth - 1];
                if (!f->discard) {
                    if (f->node->kind == YD_MAP) {
                        n->key = f->key;
                        n->key_loc = f->key_loc;
                    }
                    append(f->node, n);
                }
                f->have_key = false;
                f->discard = false;
            }
        } else {
            frame *f = &stack[depth++];
            memset(f, 0, sizeof *f);
            f->node = n;
        }
    }
    yaml_parser_delete(&p);
    free(keys.v);
    if (failed)
        return NULL;
    if (!root || (root->kind == YD_SCALAR && root->is_null)) {
        hs_diag_add(d, (hs_loc){1, 1}, "empty scenario file: expected a mapping with at least 'name:' and 'nodes:'");
        return NULL;
    }
    if (hs_diag_count(d) != errors_before + duplicates)
        return NULL;
    return root;
}

yd_node *yd_get(const yd_node *map, const char *key)
{
    if (!map || map->kind != YD_MAP)
        return NULL;
    for (yd_node *c = map->first; c; c = c->next)
        if (!strcmp(c->key, key))
            return c;
    return NULL;
}

const char *yd_kind_name(const yd_node *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case YD_MAP: return "a mapping";
    case YD_SEQ: return "a list";
    case YD_SCALAR: return n->is_null ? "nothing (null)" : "a scalar";
    }
    return "?";
}

yd_node *yd_copy(hs_arena *a, const yd_node *n, hs_loc inherited)
{
    yd_node *c = hs_alloc(a, sizeof *c);
    *c = *n;
    c->first = c->last = c->next = NULL;
    c->count = 0;
    if (inherited.line)
        c->inherited = inherited;
    for (const yd_node *k = n->first; k; k = k->next)
        append(c, yd_copy(a, k, inherited));
    return c;
}

static yd_node *merge_value(hs_arena *a, const yd_node *base, const yd_node *over, hs_loc inh)
{
    if (base->kind == YD_MAP && over->kind == YD_MAP)
        return yd_merge(a, base, over, inh, NULL);
    if (base->kind == YD_SEQ && over->kind == YD_SEQ) {
        yd_node *r = hs_alloc(a, sizeof *r);
        *r = *over;
        r->first = r->last = r->next = NULL;
        r->count = 0;
        const yd_node *b = base->first, *o = over->first;
        while (b || o) {
            yd_node *item;
            if (b && o)
                item = merge_value(a, b, o, inh);
            else if (b)
                item = yd_copy(a, b, inh);
            else
                item = yd_copy(a, o, (hs_loc){0, 0});
            item->key = NULL;
            append(r, item);
            b = b ? b->next : NULL;
            o = o ? o->next : NULL;
        }
        return r;
    }
    return yd_copy(a, over, (hs_loc){0, 0});
}

yd_node *yd_merge(hs_arena *a, const yd_node *base, const yd_node *over, hs_loc inh, const char *skip)
{
    yd_node *r = hs_alloc(a, sizeof *r);
    *r = *over;
    r->first = r->last = r->next = NULL;
    r->count = 0;
    for (const yd_node *b = base->first; b; b = b->next) {
        if (skip && !strcmp(b->key, skip))
            continue;
        const yd_node *o = yd_get(over, b->key);
        yd_node *v = o ? merge_value(a, b, o, inh) : yd_copy(a, b, inh);
        v->key = o ? o->key : b->key;
        v->key_loc = o ? o->key_loc : b->key_loc;
        append(r, v);
    }
    for (const yd_node *o = over->first; o; o = o->next) {
        if (yd_get(base, o->key) && !(skip && !strcmp(o->key, skip)))
            continue;
        yd_node *v = yd_copy(a, o, (hs_loc){0, 0});
        append(r, v);
    }
    return r;
}
