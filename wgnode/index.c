/*
 * index.c — receiver index hash table (see index.h): open addressing
 * with linear probing, the index stored in the slot, doubled when half
 * full, so 10,000 peers with three sessions each stay O(1) per lookup and
 * a lookup reads one slot line before the entry it returns.
 */
#include "wgnode/index.h"

#include <stdlib.h>

/* Most devices of a large world (one per host) hold one peer with at most
 * three sessions and a handshake: eight slots keep them at half load. A
 * hub's table doubles as it fills. Lookups never depend on the capacity
 * or the probe order (indexes are unique), so neither is observable. */
#define FIRST_CAP 8

bool wg_index_init(wg_index *t)
{
    t->cap = FIRST_CAP;
    t->count = 0;
    t->slots = calloc(t->cap, sizeof *t->slots);
    return t->slots != NULL;
}

void wg_index_free(wg_index *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

/* The indexes are uniformly random (the host's random source), but a
 * multiplicative hash costs one instruction and keeps the table sound for
 * any source a test plugs in. */
static size_t home_of(uint32_t index, size_t cap)
{
    return (size_t)(((uint64_t)index * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

static wg_index_slot *find(const wg_index *t, uint32_t index)
{
    if (!t->count)
        return NULL;
    for (size_t i = home_of(index, t->cap);; i = (i + 1) & (t->cap - 1)) {
        wg_index_slot *s = &t->slots[i];
        if (!s->e)
            return NULL;
        if (s->index == index)
            return s;
    }
}

static void place(wg_index_slot *slots, size_t cap, uint32_t index, wg_index_entry *e)
{
    size_t i = home_of(index, cap);
    while (slots[i].e)
        i = (i + 1) & (cap - 1);
    slots[i] = (wg_index_slot){index, e};
}

/* Room for one more entry: doubled at half load; without memory for
 * that, filled further as long as one slot stays empty (every probe ends
 * at an empty slot). */
static bool make_room(wg_index *t)
{
    if (2 * (t->count + 1) <= t->cap)
        return true;
    size_t cap = t->cap * 2;
    wg_index_slot *s = cap ? calloc(cap, sizeof *s) : NULL;
    if (!s)
        return t->count + 1 < t->cap;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].e)
            place(s, cap, t->slots[i].index, t->slots[i].e);
    free(t->slots);
    t->slots = s;
    t->cap = cap;
    return true;
}

static void link_entry(wg_index *t, wg_index_entry *e)
{
    place(t->slots, t->cap, e->index, e);
    e->linked = true;
    t->count++;
}

/* Linear probing's deletion: the entries after the hole that could have
 * sat in it move back, so every probe still finds its index. */
void wg_index_remove(wg_index *t, wg_index_entry *e)
{
    if (!e->linked)
        return;
    e->linked = false;
    wg_index_slot *s = find(t, e->index);
    if (!s || s->e != e)
        return; /* unreachable: a linked entry is in its slot */
    size_t mask = t->cap - 1, hole = (size_t)(s - t->slots);
    for (size_t j = (hole + 1) & mask; t->slots[j].e; j = (j + 1) & mask) {
        size_t home = home_of(t->slots[j].index, t->cap);
        /* j's entry may fill the hole when its home is not within (hole, j] */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    t->slots[hole] = (wg_index_slot){0, NULL};
    t->count--;
}

bool wg_index_insert(wg_index *t, wg_index_entry *e, wg_index_random_fn rnd, void *ctx)
{
    wg_index_remove(t, e);
    if (!make_room(t))
        return false;
    uint32_t index;
    do {
        uint8_t b[4];
        rnd(ctx, b, sizeof b);
        index = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    } while (find(t, index));
    e->index = index;
    link_entry(t, e);
    return true;
}

void wg_index_replace(wg_index *t, wg_index_entry *old, wg_index_entry *new_entry)
{
    wg_index_remove(t, new_entry);
    if (!old->linked)
        return;
    /* new_entry takes old's slot as it is: same index, same probe. */
    wg_index_slot *s = find(t, old->index);
    if (!s || s->e != old)
        return; /* unreachable: a linked entry is in its slot */
    s->e = new_entry;
    new_entry->index = old->index;
    new_entry->linked = true;
    old->linked = false;
}

const void *wg_index_home(const wg_index *t, uint32_t index)
{
    return t->slots ? &t->slots[home_of(index, t->cap)] : NULL;
}

wg_index_entry *wg_index_lookup(const wg_index *t, uint32_t index, unsigned kinds)
{
    const wg_index_slot *s = find(t, index);
    return s && (s->e->kind & kinds) ? s->e : NULL;
}
