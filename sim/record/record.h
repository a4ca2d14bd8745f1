/*
 * record.h — what the files of sim/record/ share (internal to sim/).
 */
#ifndef SIM_RECORD_RECORD_H
#define SIM_RECORD_RECORD_H

#include "sim/net/net.h"

/* intern.c */
uint32_t sim_rec_hash_bytes(uint32_t h, const void *data, size_t len);
void sim_rec_ht_grow(uint32_t **ht, size_t *cap, size_t n, uint32_t (*hash_of)(const void *ctx, uint32_t idx),
                     const void *ctx);
/* The interned s as an id (index + 1; 0 for NULL), and back: records of
 * the change log keep 4-byte ids instead of pointers. */
uint32_t sim_rec_intern_id(sim_world *w, const char *s);
const char *sim_rec_str(const sim_world *w, uint32_t id);
/* A copy of s that lives as long as the world (not deduplicated: event texts). */
const char *sim_rec_text(sim_world *w, const char *s);
void sim_rec_strings_free(sim_record *r);

/* reason.c */
void sim_rec_reasons_free(sim_record *r);

#endif /* SIM_RECORD_RECORD_H */
