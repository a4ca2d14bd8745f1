/*
 * index.c — receiver index table (see index.h): a wg_u32map from index to
 * entry, so 10,000 peers with three sessions each stay O(1) per lookup
 * and a lookup reads one slot line before the entry it returns.
 */
#include "wgnode/index.h"

/* Most devices of a large world (one per host) hold one peer with at most
 * three sessions and a handshake: eight slots keep them at half load. A
 * hub's table doubles as it fills. Lookups never depend on the capacity
 * or the probe order (indexes are unique), so neither is observable. */
#define FIRST_CAP 8

bool wg_index_init(wg_index *t)
{
    t->map = (wg_u32map){0};
    return wg_u32map_reserve(&t->map, FIRST_CAP);
}

void wg_index_free(wg_index *t) { wg_u32map_free(&t->map); }

/* e's slot; NULL only if e is not linked. */
static wg_u32map_slot *slot_of(const wg_index *t, const wg_index_entry *e)
{
    wg_u32map_slot *s = e->linked ? wg_u32map_find(&t->map, e->index) : NULL;
    return s && s->val == e ? s : NULL;
}

void wg_index_remove(wg_index *t, wg_index_entry *e)
{
    wg_u32map_slot *s = slot_of(t, e);
    e->linked = false;
    if (s)
        wg_u32map_del(&t->map, s);
}

bool wg_index_insert(wg_index *t, wg_index_entry *e, wg_index_random_fn rnd, void *ctx)
{
    wg_index_remove(t, e);
    if (!wg_u32map_reserve(&t->map, FIRST_CAP))
        return false;
    uint32_t index;
    do {
        uint8_t b[4];
        rnd(ctx, b, sizeof b);
        index = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
    } while (wg_u32map_find(&t->map, index));
    e->index = index;
    e->linked = true;
    wg_u32map_put_new(&t->map, index, e);
    return true;
}

void wg_index_replace(wg_index *t, wg_index_entry *old, wg_index_entry *new_entry)
{
    wg_index_remove(t, new_entry);
    wg_u32map_slot *s = slot_of(t, old);
    if (!s)
        return;
    /* new_entry takes old's slot as it is: same index, same probe. */
    s->val = new_entry;
    new_entry->index = old->index;
    new_entry->linked = true;
    old->linked = false;
}

const void *wg_index_home(const wg_index *t, uint32_t index)
{
    return t->map.cap ? &t->map.slots[wg_u32map_home(index, t->map.cap)] : NULL;
}

wg_index_entry *wg_index_lookup(const wg_index *t, uint32_t index, unsigned kinds)
{
    const wg_u32map_slot *s = wg_u32map_find(&t->map, index);
    wg_index_entry *e = s ? s->val : NULL;
    return e && (e->kind & kinds) ? e : NULL;
}
