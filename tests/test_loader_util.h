/*
 * test_loader_util.h — helpers shared by the loader tests: load a scenario
 * from a string and look for one exact error line.
 */
#ifndef TEST_LOADER_UTIL_H
#define TEST_LOADER_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/harness.h"

static hs_diag g_diag;
static int g_diag_inited;

/* Starts a fresh g_diag (the previous one is freed). */
static void diag_reset(const char *file)
{
    if (g_diag_inited)
        hs_diag_free(&g_diag);
    g_diag_inited = 1;
    hs_diag_init(&g_diag, file);
}

/* Loads `text` as "t.yaml"; the diag stays in g_diag until the next call. */
static hs_scenario *load_str(const char *text)
{
    diag_reset("t.yaml");
    return hs_load_bytes("t.yaml", (const uint8_t *)text, strlen(text), &g_diag);
}

static void dump_errors(void)
{
    char buf[1024];
    for (size_t i = 0; i < g_diag.n; i++)
        fprintf(stderr, "  %s\n", hs_diag_format(&g_diag, i, buf, sizeof buf));
}

/* True when one error line starts with `prefix` ("t.yaml:4:9: unknown key"). */
static int has_error(const char *prefix)
{
    char buf[1024];
    for (size_t i = 0; i < g_diag.n; i++)
        if (!strncmp(hs_diag_format(&g_diag, i, buf, sizeof buf), prefix, strlen(prefix)))
            return 1;
    return 0;
}

#define ck_error(text, prefix)                                                                   \
    do {                                                                                         \
        hs_scenario *s_ = load_str(text);                                                        \
        if (s_ || !has_error(prefix)) {                                                          \
            fprintf(stderr, "expected error '%s', got:\n", prefix);                              \
            dump_errors();                                                                       \
        }                                                                                        \
        ck_assert_ptr_null(s_);                                                                  \
        ck_assert_msg(has_error(prefix), "missing error: %s", prefix);                           \
    } while (0)

/* After a bad value, checks that depend on it are skipped: one error per
 * mistake, never a second one about a value the user did not write. */
#define ck_only_error(text, prefix)                                                              \
    do {                                                                                         \
        ck_error(text, prefix);                                                                  \
        if (g_diag.n != 1)                                                                       \
            dump_errors();                                                                       \
        ck_assert_uint_eq(g_diag.n, 1);                                                          \
    } while (0)

#define ck_loads(text, sp)                                                                       \
    do {                                                                                         \
        (sp) = load_str(text);                                                                   \
        if (!(sp))                                                                               \
            dump_errors();                                                                       \
        ck_assert_ptr_nonnull(sp);                                                               \
    } while (0)

/* A valid two-node base that error tests append to. */
#define BASE                                                                                     \
    "name: t\n"                      /* 1 */                                                     \
    "duration: 1m\n"                 /* 2 */                                                     \
    "segments: {wan: {}, lan: {}}\n" /* 3 */                                                     \
    "nodes:\n"                       /* 4 */                                                     \
    "  r:\n"                         /* 5 */                                                     \
    "    kind: router\n"             /* 6 */                                                     \
    "    interfaces:\n"              /* 7 */                                                     \
    "      wan: {segment: wan, address: 192.0.2.1/24}\n" /* 8 */                                 \
    "  h:\n"                         /* 9 */                                                     \
    "    kind: host\n"               /* 10 */                                                    \
    "    interfaces:\n"              /* 11 */                                                    \
    "      eth0: {segment: wan, address: 192.0.2.2/24}\n" /* 12 */                               \
    "    routes: [{to: default, via: 192.0.2.1}]\n" /* 13 */                                     \
    "    wireguard:\n"               /* 14 */                                                    \
    "      wg0: {address: 10.9.0.1/24, peers: [{public-key: \"" KEY1 "\", allowed-ips: [10.9.0.2/32]}]}\n" /* 15 */

#define KEY1 "YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE="

#endif
