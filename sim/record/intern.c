/*
 * intern.c — strings the run record keeps once (rule labels, route tags,
 * model names) and the text of stored events.
 *
 * Reasons and events point at these strings rather than holding copies, so
 * a label seen on a million packets costs one copy, and no text is ever cut
 * to fit a fixed field. Everything lives until the world is freed.
 */
#include "sim/net/net.h"
#include "sim/record/record.h"

#include <stdlib.h>
#include <string.h>

#define TEXT_CHUNK 65536

uint32_t sim_rec_hash_bytes(uint32_t h, const void *data, size_t len)
{
    /* FNV-1a: short keys, no adversary (the names come from the scenario). */
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* Open addressing over indices into an array: slot = index + 1, 0 empty.
 * Grows at half full. */
void sim_rec_ht_grow(uint32_t **ht, size_t *cap, size_t n, uint32_t (*hash_of)(const void *ctx, uint32_t idx),
                     const void *ctx)
{
    if (n * 2 < *cap)
        return;
    size_t nc = *cap ? *cap * 2 : 64;
    uint32_t *t = calloc(nc, sizeof *t);
    if (!t)
        sim_oom("the run record's index");
    for (size_t i = 0; i < *cap; i++) {
        uint32_t v = (*ht)[i];
        if (!v)
            continue;
        size_t j = hash_of(ctx, v - 1) & (nc - 1);
        while (t[j])
            j = (j + 1) & (nc - 1);
        t[j] = v;
    }
    free(*ht);
    *ht = t;
    *cap = nc;
}

static uint32_t str_hash(const char *s) { return sim_rec_hash_bytes(2166136261u, s, strlen(s)); }

static uint32_t str_hash_of(const void *ctx, uint32_t idx)
{
    const sim_record *r = ctx;
    return str_hash(r->strs[idx]);
}

const char *sim_world_intern(sim_world *w, const char *s)
{
    if (!s)
        return NULL;
    uint32_t id = sim_rec_intern_id(w, s); /* may move strs: read it after */
    return w->rec.strs[id - 1];
}

const char *sim_rec_str(const sim_world *w, uint32_t id)
{
    return id && id <= w->rec.n_strs ? w->rec.strs[id - 1] : NULL;
}

uint32_t sim_rec_intern_id(sim_world *w, const char *s)
{
    if (!s)
        return 0;
    sim_record *r = &w->rec;
    sim_rec_ht_grow(&r->str_ht, &r->str_ht_cap, r->n_strs, str_hash_of, r);
    size_t mask = r->str_ht_cap - 1, j = str_hash(s) & mask;
    for (; r->str_ht[j]; j = (j + 1) & mask)
        if (!strcmp(r->strs[r->str_ht[j] - 1], s))
            return r->str_ht[j];
    VEC_GROW(r->strs, r->n_strs, r->cap_strs);
    char *c = strdup(s);
    if (!c)
        sim_oom("a string of the run record");
    r->strs[r->n_strs++] = c;
    r->str_ht[j] = (uint32_t)r->n_strs;
    return r->str_ht[j];
}

const char *sim_rec_text(sim_world *w, const char *s)
{
    sim_record *r = &w->rec;
    size_t len = strlen(s) + 1;
    if (len > TEXT_CHUNK / 4) {
        /* a long text gets a chunk of its own, inserted before the current
         * one so that the current chunk keeps filling */
        char *c = malloc(len);
        if (!c)
            sim_oom("an event's text");
        memcpy(c, s, len);
        VEC_GROW(r->text_chunks, r->n_text_chunks, r->cap_text_chunks);
        if (r->n_text_chunks) {
            r->text_chunks[r->n_text_chunks] = r->text_chunks[r->n_text_chunks - 1];
            r->text_chunks[r->n_text_chunks - 1] = c;
        } else {
            r->text_chunks[0] = c;
            r->text_used = TEXT_CHUNK; /* full: the next text opens a chunk */
        }
        r->n_text_chunks++;
        return c;
    }
    if (!r->n_text_chunks || r->text_used + len > TEXT_CHUNK) {
        VEC_GROW(r->text_chunks, r->n_text_chunks, r->cap_text_chunks);
        char *c = malloc(TEXT_CHUNK);
        if (!c)
            sim_oom("the event log's text");
        r->text_chunks[r->n_text_chunks++] = c;
        r->text_used = 0;
    }
    char *dst = r->text_chunks[r->n_text_chunks - 1] + r->text_used;
    memcpy(dst, s, len);
    r->text_used += len;
    return dst;
}

void sim_rec_strings_free(sim_record *r)
{
    for (size_t i = 0; i < r->n_strs; i++)
        free(r->strs[i]);
    free(r->strs);
    free(r->str_ht);
    for (size_t i = 0; i < r->n_text_chunks; i++)
        free(r->text_chunks[i]);
    free(r->text_chunks);
}
