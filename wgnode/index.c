/*
 * index.c — receiver index hash table (see index.h). Chained buckets that
 * double when the load passes 1, so 10,000 peers with three sessions each
 * stay O(1) per lookup.
 */
#include "wgnode/index.h"

#include <stdlib.h>

bool wg_index_init(wg_index *t)
{
    /* Small at first: most devices of a large world (one per host) hold
     * one peer with at most three sessions and a handshake; a hub's table
     * doubles as it fills. Lookups never depend on the bucket count
     * (indexes are unique), so the size is not observable. */
    t->nbuckets = 4;
    t->count = 0;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    return t->buckets != NULL;
}

void wg_index_free(wg_index *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->nbuckets = t->count = 0;
}

/* Indexes are random already; a multiplicative mix only spreads low bits. */
static size_t bucket_of(const wg_index *t, uint32_t index)
{
    return (size_t)((index * UINT32_C(2654435761)) >> 7) & (t->nbuckets - 1);
}

static void grow(wg_index *t)
{
    size_t n = t->nbuckets * 2;
    wg_index_entry **b = calloc(n, sizeof *b);
    if (!b)
        return; /* keep working with longer chains */
    wg_index_entry **old = t->buckets;
    size_t oldn = t->nbuckets;
    t->buckets = b;
    t->nbuckets = n;
    for (size_t i = 0; i < oldn; i++) {
        wg_index_entry *e = old[i];
        while (e) {
            wg_index_entry *next = e->next;
            size_t k = bucket_of(t, e->index);
            e->next = b[k];
            b[k] = e;
            e = next;
        }
    }
    free(old);
}

static bool in_use(const wg_index *t, uint32_t index)
{
    for (const wg_index_entry *e = t->buckets[bucket_of(t, index)]; e; e = e->next)
        if (e->index == index)
            return true;
    return false;
}

static void link_entry(wg_index *t, wg_index_entry *e)
{
    size_t k = bucket_of(t, e->index);
    e->next = t->buckets[k];
    t->buckets[k] = e;
    e->linked = true;
    t->count++;
}

void wg_index_remove(wg_index *t, wg_index_entry *e)
{
    if (!e->linked)
        return;
    wg_index_entry **p = &t->buckets[bucket_of(t, e->index)];
    while (*p && *p != e)
        p = &(*p)->next;
    if (*p)
        *p = e->next;
    e->next = NULL;
    e->linked = false;
    t->count--;
}

void wg_index_insert(wg_index *t, wg_index_entry *e, wg_index_random_fn rnd, void *ctx)
{
    wg_index_remove(t, e);
    if (t->count >= t->nbuckets)
        grow(t);
    uint32_t index;
    do {
        uint8_t b[4];
        rnd(ctx, b, sizeof b);
        index = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    } while (in_use(t, index));
    e->index = index;
    link_entry(t, e);
}

void wg_index_replace(wg_index *t, wg_index_entry *old, wg_index_entry *new_entry)
{
    wg_index_remove(t, new_entry);
    if (!old->linked)
        return;
    uint32_t index = old->index;
    wg_index_remove(t, old);
    new_entry->index = index;
    link_entry(t, new_entry);
}

const void *wg_index_bucket(const wg_index *t, uint32_t index)
{
    return t->buckets ? &t->buckets[bucket_of(t, index)] : NULL;
}

wg_index_entry *wg_index_lookup(const wg_index *t, uint32_t index, unsigned kinds)
{
    if (!t->buckets)
        return NULL;
    for (wg_index_entry *e = t->buckets[bucket_of(t, index)]; e; e = e->next)
        if (e->index == index && (e->kind & kinds))
            return e;
    return NULL;
}
