/*
 * vectors.h — test support: load the shared JSON test vectors
 * (WGSIM_VECTORS_DIR, i.e. ../shared/vectors beside the project) and decode
 * their hex strings. Every failure (missing file, bad JSON, missing field,
 * bad hex, wrong length) fails the calling Check test loudly with the file
 * and field named: a missing vector is a failure, never a skip.
 */
#ifndef WGSIM_TESTS_VECTORS_H
#define WGSIM_TESTS_VECTORS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Parses WGSIM_VECTORS_DIR/name; the caller json_decref()s it. */
json_t *wgv_load(const char *name);

/* obj[key] must exist (and be of the stated kind). */
json_t *wgv_get(json_t *obj, const char *key);
json_t *wgv_array(json_t *obj, const char *key);
const char *wgv_str(json_t *obj, const char *key);

/* Hex of obj[key], decoded into a malloc'd buffer (never NULL, even when
 * empty); *len gets its length. free() it. */
uint8_t *wgv_hex(json_t *obj, const char *key, size_t *len);
/* Hex of obj[key] that must decode to exactly len bytes, into out. */
void wgv_hex_exact(json_t *obj, const char *key, uint8_t *out, size_t len);
/* Decodes a hex string (for literals in the tests); aborts on bad hex. */
size_t wgv_unhex(const char *hex, uint8_t *out, size_t max);

#endif
