/*
 * name_index.c — a key -> index hash table (open addressing, FNV-1a,
 * linear probing, at most half full) for the loader's and the lookups'
 * name resolution: segments, nodes, interfaces, gateways, peers and
 * addresses are found in constant time instead of a scan per reference,
 * so a 100,000-segment or 10,000-peer file loads in linear time.
 *
 * Keys are bytes (names, or a packed address); they are not copied and must
 * outlive the index (they live in the scenario's arena). The table itself
 * is in the arena too: it is freed with the scenario, and the tables left
 * behind by growth cost at most as much as the final one.
 */
#include "harness/internal.h"

#include <string.h>

typedef struct hs_index_slot {
    const void *key; /* NULL: empty */
    uint32_t len;
    uint32_t hash;
    int value;
} hs_index_slot;

static uint32_t hash_bytes(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h ^ (h >> 15);
}

void hs_index_init(hs_index *x, hs_arena *a)
{
    memset(x, 0, sizeof *x);
    x->a = a;
}

static hs_index_slot *find_slot(const hs_index *x, const void *key, uint32_t len, uint32_t h)
{
    size_t mask = x->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        hs_index_slot *s = &x->slots[i];
        if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len)))
            return s;
    }
}

int hs_index_put(hs_index *x, const void *key, size_t len, int value)
{
    if (2 * (x->n + 1) > x->cap) {
        size_t ncap = x->cap ? 2 * x->cap : 16;
        hs_index old = *x;
        x->slots = hs_alloc(x->a, ncap * sizeof *x->slots);
        x->cap = ncap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *find_slot(x, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
    }
    uint32_t h = hash_bytes(key, len);
    hs_index_slot *s = find_slot(x, key, (uint32_t)len, h);
    if (s->key)
        return s->value;
    *s = (hs_index_slot){.key = key, .len = (uint32_t)len, .hash = h, .value = value};
    x->n++;
    return -1;
}

int hs_index_get(const hs_index *x, const void *key, size_t len)
{
    if (!x || !x->cap)
        return -1;
    const hs_index_slot *s = find_slot(x, key, (uint32_t)len, hash_bytes(key, len));
    return s->key ? s->value : -1;
}

int hs_index_put_str(hs_index *x, const char *name, int value) { return hs_index_put(x, name, strlen(name), value); }

int hs_index_get_str(const hs_index *x, const char *name) { return hs_index_get(x, name, strlen(name)); }
