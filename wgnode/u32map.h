/*
 * u32map.h — a map from 32-bit keys to pointers, for the two tables a
 * hub reads at every packet by a 32-bit key: the receiver index table
 * (index.c) and the IPv4 /32 table of the cryptokey routing (allowedips.c).
 * Open addressing with linear probing, the key beside its pointer in the
 * slot, doubled when half full: a lookup reads one slot line (usually)
 * and no other entry, where a chained table would read the entries ahead
 * in the chain, each another peer's memory on a 10,000-peer hub. The
 * slot positions are not observable: answers depend only on the keys.
 */
#ifndef WGNODE_U32MAP_H
#define WGNODE_U32MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wg_u32map_slot {
    uint32_t key;
    void *val; /* NULL: an empty slot */
} wg_u32map_slot;

typedef struct wg_u32map {
    wg_u32map_slot *slots;
    size_t cap; /* 0 or a power of two */
    size_t n;
} wg_u32map;

/* Where key's probe starts: a cache hint's address (prefetch.c), or the
 * table's own. cap > 0. */
static inline size_t wg_u32map_home(uint32_t key, size_t cap)
{
    return (size_t)(((uint64_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

/* The slot holding key, or NULL. */
wg_u32map_slot *wg_u32map_find(const wg_u32map *m, uint32_t key);
/* Room for one more key: the table doubles at half load (first to
 * first_cap slots). Without memory to double it fills further while one
 * slot stays empty (every probe ends at one); false when it cannot. */
bool wg_u32map_reserve(wg_u32map *m, size_t first_cap);
/* Adds key (not in the map) -> val (not NULL), after wg_u32map_reserve. */
void wg_u32map_put_new(wg_u32map *m, uint32_t key, void *val);
/* Removes s's key; the keys after it that could sit in its place move
 * back, so every probe still finds its key. */
void wg_u32map_del(wg_u32map *m, wg_u32map_slot *s);
void wg_u32map_free(wg_u32map *m);

#endif /* WGNODE_U32MAP_H */
