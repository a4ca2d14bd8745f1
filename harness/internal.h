/*
 * internal.h — libharness internals shared by its files: the arena every
 * scenario lives in, and the YAML document tree (yaml_doc.c) the loader
 * walks. Not part of the public API.
 */
#ifndef HARNESS_INTERNAL_H
#define HARNESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/harness.h"

/* ---- arena: one allocation per block, freed together ---- */
typedef struct hs_arena hs_arena;
hs_arena *hs_arena_new(void);
void hs_arena_free(hs_arena *a);
/* Zeroed memory; out of memory ends in sim_oom (inputs are bounded by HS_MAX_INPUT). */
void *hs_alloc(hs_arena *a, size_t size);
char *hs_strdup(hs_arena *a, const char *s);
char *hs_strndup(hs_arena *a, const char *s, size_t n);

/* ---- key -> index hash (name_index.c) ---- */
/* Names (or any bytes) to an index, in constant time; values are >= 0.
 * Keys are not copied: they must live as long as the index (the arena).
 * A zeroed hs_index with no arena is an empty index that can only be read. */
typedef struct hs_index_slot hs_index_slot;
typedef struct hs_index {
    hs_arena *a;
    hs_index_slot *slots;
    size_t cap, n;
} hs_index;
void hs_index_init(hs_index *x, hs_arena *a);
/* Adds key -> value unless the key is there: then returns the value it
 * already has (the first one is kept), else -1. */
int hs_index_put(hs_index *x, const void *key, size_t len, int value);
int hs_index_get(const hs_index *x, const void *key, size_t len); /* -1: absent */
int hs_index_put_str(hs_index *x, const char *name, int value);
int hs_index_get_str(const hs_index *x, const char *name);

/* ---- the YAML tree ---- */
typedef enum yd_kind { YD_SCALAR, YD_MAP, YD_SEQ } yd_kind;
typedef enum yd_style { YD_PLAIN, YD_QUOTED, YD_BLOCK } yd_style;

/* A value made by `count:` (loader_count.c): copy `i` of the entry whose
 * `count:` is at count_loc. Its locations are the template's. */
typedef struct yd_count_copy {
    hs_loc count_loc;
    int64_t i;
} yd_count_copy;

typedef struct yd_node {
    yd_kind kind;
    hs_loc loc;        /* first character of the value (a quote for quoted scalars) */
    hs_loc end;        /* one past its last character */
    /* Set on values copied from another node by `like:`: where the copying
     * node's `like:` key is. Errors about them point there. */
    hs_loc inherited;
    /* Set on values made by `count:`: errors about them name the index,
     * and are said once per template position, not once per copy. */
    const yd_count_copy *copy;
    /* scalar */
    const char *str;   /* NUL-terminated (YAML strings cannot hold NUL: rejected on input) */
    size_t len;
    yd_style style;
    bool is_null;      /* plain "", "~", "null", "Null", "NULL" */
    /* map / seq children; for a map each child carries its key */
    struct yd_node *first, *last, *next;
    size_t count;
    const char *key;   /* when this node is a map value */
    hs_loc key_loc;
} yd_node;

/* Parses bytes into a tree allocated in `a`. Returns the root (never NULL
 * unless errors were added to diag). Rejects: more than HS_MAX_INPUT bytes,
 * NUL bytes, invalid UTF-8, empty documents, several documents, anchors,
 * aliases, tags, non-scalar keys, duplicate keys, nesting deeper than
 * HS_MAX_DEPTH. */
yd_node *yd_parse(hs_arena *a, const uint8_t *bytes, size_t len, hs_diag *diag);
/* 3 when the bytes open with a UTF-8 byte-order mark, which yd_parse skips
 * (docs/robustness.md), else 0. */
size_t yd_bom_len(const uint8_t *bytes, size_t len);

yd_node *yd_get(const yd_node *map, const char *key);
const char *yd_kind_name(const yd_node *n); /* "a mapping", "a list", "a string", "nothing (null)" */
/* Deep copy, marking every copied node as inherited at `inherited`. */
yd_node *yd_copy(hs_arena *a, const yd_node *n, hs_loc inherited);
/* Merges `over` onto a deep copy of `base` (like:): maps recursively, lists
 * item by item (index-wise), anything else replaced. Keys in `skip` are not
 * taken from base. */
yd_node *yd_merge(hs_arena *a, const yd_node *base, const yd_node *over, hs_loc inherited, const char *skip);

/* Levenshtein distance with an early cut-off (> max returns max+1). */
size_t hs_edit_distance(const char *a, const char *b, size_t max);

#endif
