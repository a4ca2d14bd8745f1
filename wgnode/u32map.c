/*
 * u32map.c — open addressing with linear probing (see u32map.h).
 */
#include "wgnode/u32map.h"

#include <stdlib.h>

wg_u32map_slot *wg_u32map_find(const wg_u32map *m, uint32_t key)
{
    if (!m->n)
        return NULL;
    for (size_t i = wg_u32map_home(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        wg_u32map_slot *s = &m->slots[i];
        if (!s->val)
            return NULL;
        if (s->key == key)
            return s;
    }
}

static void place(wg_u32map_slot *slots, size_t cap, uint32_t key, void *val)
{
    size_t i = wg_u32map_home(key, cap);
    while (slots[i].val)
        i = (i + 1) & (cap - 1);
    slots[i] = (wg_u32map_slot){key, val};
}

bool wg_u32map_reserve(wg_u32map *m, size_t first_cap)
{
    if (2 * (m->n + 1) <= m->cap)
        return true;
    size_t cap = m->cap ? 2 * m->cap : first_cap;
    wg_u32map_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return m->n + 1 < m->cap;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].val)
            place(s, cap, m->slots[i].key, m->slots[i].val);
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return true;
}

void wg_u32map_put_new(wg_u32map *m, uint32_t key, void *val)
{
    place(m->slots, m->cap, key, val);
    m->n++;
}

void wg_u32map_del(wg_u32map *m, wg_u32map_slot *s)
{
    size_t mask = m->cap - 1, hole = (size_t)(s - m->slots);
    for (size_t j = (hole + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
        size_t home = wg_u32map_home(m->slots[j].key, m->cap);
        /* j's key may fill the hole when its home is not within (hole, j] */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole] = (wg_u32map_slot){0, NULL};
    m->n--;
}

void wg_u32map_free(wg_u32map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}
