/*
 * vectors.c — see vectors.h. Uses Check's ck_abort_msg so any problem with
 * the data fails the running test with a message naming file and field.
 */
#include "vectors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WGSIM_VECTORS_DIR
#error "WGSIM_VECTORS_DIR must be defined by the build (tests/CMakeLists.txt)"
#endif

json_t *wgv_load(const char *name)
{
    char path[4096];
    json_error_t err;
    snprintf(path, sizeof path, "%s/%s", WGSIM_VECTORS_DIR, name);
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        ck_abort_msg("test vectors missing or unreadable: %s:%d:%d: %s", path, err.line, err.column, err.text);
    return root;
}

json_t *wgv_get(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!v)
        ck_abort_msg("test vector field \"%s\" missing", key);
    return v;
}

json_t *wgv_array(json_t *obj, const char *key)
{
    json_t *v = wgv_get(obj, key);
    if (!json_is_array(v))
        ck_abort_msg("test vector field \"%s\" is not an array", key);
    return v;
}

const char *wgv_str(json_t *obj, const char *key)
{
    json_t *v = wgv_get(obj, key);
    if (!json_is_string(v))
        ck_abort_msg("test vector field \"%s\" is not a string", key);
    return json_string_value(v);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void decode(const char *hex, uint8_t *out, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            ck_abort_msg("bad hex in %s at offset %zu", what, 2 * i);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

uint8_t *wgv_hex(json_t *obj, const char *key, size_t *len)
{
    const char *s = wgv_str(obj, key);
    size_t n = strlen(s);
    if (n % 2)
        ck_abort_msg("odd-length hex in field \"%s\"", key);
    uint8_t *out = malloc(n / 2 + 1);
    ck_assert_ptr_nonnull(out);
    decode(s, out, n / 2, key);
    *len = n / 2;
    return out;
}

void wgv_hex_exact(json_t *obj, const char *key, uint8_t *out, size_t len)
{
    const char *s = wgv_str(obj, key);
    if (strlen(s) != 2 * len)
        ck_abort_msg("field \"%s\" has %zu hex digits, expected %zu", key, strlen(s), 2 * len);
    decode(s, out, len, key);
}

size_t wgv_unhex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > max)
        ck_abort_msg("bad hex literal \"%s\"", hex);
    decode(hex, out, n / 2, "literal");
    return n / 2;
}
