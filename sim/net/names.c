/*
 * names.c — the string -> pointer map of names.h.
 *
 * Deletion uses backward-shift (no tombstones), so a map that sees many
 * inserts and deletes keeps probe lengths as short as a fresh one. The
 * table grows at 3/4 load; it never shrinks (worlds only grow while they
 * are built, and are freed whole).
 */
#include "sim/net/names.h"

#include <stdlib.h>
#include <string.h>

uint64_t sim_names_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

void sim_names_free(sim_names *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find_slot(const sim_names *m, const char *key, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
        i = (i + 1) & mask;
    return i;
}

void *sim_names_get(const sim_names *m, const char *key)
{
    if (!m->n || !key)
        return NULL;
    size_t i = find_slot(m, key, sim_names_hash(key));
    return m->slots[i].key ? m->slots[i].val : NULL;
}

static bool grow(sim_names *m)
{
    size_t cap = m->cap ? m->cap * 2 : 4; /* a host names two or three interfaces */
    sim_name_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return false;
    sim_names old = *m;
    m->slots = s;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            m->slots[find_slot(m, old.slots[i].key, old.slots[i].hash)] = old.slots[i];
    free(old.slots);
    return true;
}

bool sim_names_put(sim_names *m, const char *key, void *val)
{
    if (!key || !val)
        return false;
    uint64_t h = sim_names_hash(key);
    if (m->n && m->slots[find_slot(m, key, h)].key)
        return false;
    /* Keep the load at or below 3/4: probes stay short with linear probing. */
    if ((m->n + 1) * 4 > m->cap * 3 && !grow(m))
        return false;
    m->slots[find_slot(m, key, h)] = (sim_name_slot){.key = key, .val = val, .hash = h};
    m->n++;
    return true;
}

bool sim_names_del(sim_names *m, const char *key)
{
    if (!m->n || !key)
        return false;
    size_t mask = m->cap - 1;
    size_t i = find_slot(m, key, sim_names_hash(key));
    if (!m->slots[i].key)
        return false;
    /* Backward shift: pull later members of the probe run into the hole
     * unless their home slot lies cyclically in (hole, j]. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = (size_t)m->slots[j].hash & mask;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole] = (sim_name_slot){0};
    m->n--;
    return true;
}
