/*
 * names.h — a string -> pointer map for sim/'s lookups by name (nodes and
 * segments of a world, interfaces of a node): open addressing with linear
 * probing, the full 64-bit hash kept in each slot so that a probe compares
 * strings only when the hashes agree.
 *
 * Keys are borrowed: the map stores the caller's pointer, which must stay
 * valid and unchanged while the entry exists (every user keys an object by
 * the name string that object owns). Iteration order is not offered: sim/
 * iterates its objects in creation order from their own arrays, and a
 * hash order must never leak into what a run does.
 */
#ifndef SIM_NAMES_H
#define SIM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_name_slot {
    const char *key; /* NULL: empty */
    void *val;
    uint64_t hash;
} sim_name_slot;

typedef struct sim_names {
    sim_name_slot *slots; /* cap slots, cap a power of two (or 0) */
    size_t cap, n;
} sim_names;

/* A zeroed sim_names is an empty map; sim_names_free returns it to that. */
void sim_names_free(sim_names *m);
/* The value stored under key, or NULL. */
void *sim_names_get(const sim_names *m, const char *key);
/* Adds key -> val (val not NULL). false if key is already present or
 * memory ran out; the map is unchanged then. */
bool sim_names_put(sim_names *m, const char *key, void *val);
/* Removes key; false if it was not there. */
bool sim_names_del(sim_names *m, const char *key);
/* FNV-1a over the bytes of s, then a 64-bit finaliser (murmur3 fmix64) so
 * that the low bits a power-of-two table uses depend on every byte: names
 * that differ only in a trailing index ("h9", "h10", ...) must not
 * cluster. */
uint64_t sim_names_hash(const char *s);

#endif /* SIM_NAMES_H */
