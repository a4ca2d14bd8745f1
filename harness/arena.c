/*
 * arena.c — bump allocator: a scenario and its YAML tree are many small
 * objects with one lifetime, so they are freed in one go.
 */
#include "harness/internal.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} block;

struct hs_arena {
    block *head;
};

enum { BLOCK_SIZE = 64 * 1024 };

hs_arena *hs_arena_new(void)
{
    hs_arena *a = calloc(1, sizeof *a);
    if (!a) {
        sim_oom("loading a scenario");
    }
    return a;
}

void hs_arena_free(hs_arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

void *hs_alloc(hs_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t bs = size > BLOCK_SIZE / 4 ? size : BLOCK_SIZE;
        b = malloc(sizeof *b + bs);
        if (!b) {
            sim_oom("loading a scenario");
        }
        b->size = bs;
        b->used = 0;
        if (bs == size && a->head) { /* a big one: keep the current block in front */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *hs_strndup(hs_arena *a, const char *s, size_t n)
{
    char *d = hs_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *hs_strdup(hs_arena *a, const char *s) { return hs_strndup(a, s, strlen(s)); }
