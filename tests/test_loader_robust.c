/*
 * test_loader_robust.c — inputs that must give a clear error, never a crash
 * or a hang: empty files, binary garbage, bad encodings, deep nesting, huge
 * inputs, YAML features the language refuses, and every truncation and many
 * byte mutations of a real scenario (run these under the sanitize build).
 */
#include <unistd.h>

#include "test_loader_util.h"

static hs_scenario *load_bytes(const void *b, size_t n)
{
    diag_reset("t.yaml");
    return hs_load_bytes("t.yaml", b, n, &g_diag);
}

static char *read_example(size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/design-example.yaml", WGSIM_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

START_TEST(loader_empty_inputs)
{
    ck_error("", "t.yaml:1:1: empty scenario file");
    ck_error("   \n\n  \n", "t.yaml:1:1: empty scenario file");
    ck_error("# only a comment\n", "t.yaml:1:1: empty scenario file");
    ck_error("---\n", "t.yaml:1:1: empty scenario file");
    ck_error("just a string\n", "t.yaml:1:1: a scenario is a mapping (name:, nodes:, ...), found a scalar");
    ck_error("- a\n- b\n", "t.yaml:1:1: a scenario is a mapping (name:, nodes:, ...), found a list");
    ck_error("name: t\n", "t.yaml:1:1: the scenario: missing required key 'nodes'");
    ck_error("name: t\nnodes: {}\n", "t.yaml:2:8: nodes: a scenario needs at least one node");
    ck_assert_ptr_null(load_bytes(NULL, 0));
    ck_assert(has_error("t.yaml:1:1: empty scenario file"));
}
END_TEST

START_TEST(loader_binary_garbage)
{
    /* deterministic pseudo-random bytes, with and without NUL bytes */
    uint8_t buf[4096];
    uint32_t x = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)(x % sizeof buf);
        for (size_t i = 0; i < n; i++) {
            x = x * 1664525u + 1013904223u;
            buf[i] = (uint8_t)(x >> 24);
            if (round % 2 && buf[i] == 0)
                buf[i] = 1;
        }
        ck_assert_ptr_null(load_bytes(buf, n));
        ck_assert_uint_ge(hs_diag_count(&g_diag), 1);
    }
    static const uint8_t nul[] = "name: t\nno\0des: {}\n";
    ck_assert_ptr_null(load_bytes(nul, sizeof nul - 1));
    ck_assert(has_error("t.yaml:2:3: NUL byte: this is not a text file"));
    /* an executable: the NUL in its header comes before its first byte that
     * is not UTF-8, and is what is reported */
    static const uint8_t elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0xd0, 0x3e};
    ck_assert_ptr_null(load_bytes(elf, sizeof elf));
    ck_assert_uint_eq(g_diag.n, 1);
    ck_assert(has_error("t.yaml:1:8: NUL byte: this is not a text file"));
}
END_TEST

START_TEST(loader_bad_encoding)
{
    static const char latin1[] = "name: caf\xe9\nnodes: {}\n";
    ck_error(latin1, "t.yaml:1:10: invalid UTF-8 (byte 0xE9): scenario files must be UTF-8 text");
    static const char overlong[] = "name: t\n# \xc0\xaf\n";
    ck_error(overlong, "t.yaml:2:3: invalid UTF-8 (byte 0xC0)");
    static const char surrogate[] = "name: \xed\xa0\x80\n";
    ck_error(surrogate, "t.yaml:1:7: invalid UTF-8 (byte 0xED)");
    static const char truncated[] = "name: \xe2\x82";
    ck_error(truncated, "t.yaml:1:7: invalid UTF-8 (byte 0xE2)");
    static const uint8_t utf16[] = {0xff, 0xfe, 'n', 0, 'a', 0};
    ck_assert_ptr_null(load_bytes(utf16, sizeof utf16));
    ck_assert(has_error("t.yaml:1:1: NUL byte") || has_error("t.yaml:1:1: invalid UTF-8"));
    /* control characters: libyaml refuses them, with a location */
    ck_error("name: a\x01z\nnodes: {}\n", "t.yaml:1:8: YAML syntax error: control characters are not allowed");
    /* valid UTF-8 beyond ASCII is fine in strings */
    hs_scenario *s;
    ck_loads("name: café ✓\nnodes: {h: {kind: host}}\n", s);
    ck_assert_str_eq(s->name, "café ✓");
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_deep_nesting)
{
    size_t n = 10000;
    char *buf = malloc(4 * n + 16);
    /* [[[[... */
    memset(buf, '[', n);
    ck_assert_ptr_null(load_bytes(buf, n));
    ck_assert(has_error("t.yaml:1:65: nesting deeper than 64 levels"));
    /* {a: {a: ... */
    for (size_t i = 0; i < n; i++)
        memcpy(buf + 4 * i, "{a: ", 4);
    ck_assert_ptr_null(load_bytes(buf, 4 * n));
    ck_assert(has_error("t.yaml:1:257: nesting deeper than 64 levels"));
    /* - - - - x  (block sequences) */
    for (size_t i = 0; i < n; i++)
        memcpy(buf + 2 * i, "- ", 2);
    memcpy(buf + 2 * n, "x\n", 2);
    ck_assert_ptr_null(load_bytes(buf, 2 * n + 2));
    ck_assert(has_error("t.yaml:1:129: nesting deeper than 64 levels"));
    free(buf);
    /* exactly 64 levels is fine for the reader (the schema then complains) */
    char ok[512] = "name: t\nnodes: {h: {kind: host}}\nexpect: ";
    for (int i = 0; i < 63; i++)
        strcat(ok, "[");
    for (int i = 0; i < 63; i++)
        strcat(ok, "]");
    strcat(ok, "\n");
    ck_assert_ptr_null(load_str(ok));
    ck_assert(!has_error("t.yaml:3:72: nesting"));
    ck_assert(has_error("t.yaml:3:10: expectation: expected a mapping, found a list"));
}
END_TEST

START_TEST(loader_huge_input)
{
    size_t n = HS_MAX_INPUT + 1;
    char *buf = malloc(n);
    memset(buf, ' ', n);
    ck_assert_ptr_null(load_bytes(buf, n));
    ck_assert(has_error("t.yaml: file too large (67108865 bytes; scenario files are limited to 64 MiB, 67108864 bytes)"));
    /* a big but legal file, twice the 1 MiB the loader once refused: one
     * long list, parsed in linear time */
    size_t m = 2u << 20;
    char *p = buf;
    p += sprintf(p, "name: t\nnodes: {h: {kind: host}}\nx: [");
    while ((size_t)(p - buf) < m - 4)
        p += sprintf(p, "1,");
    p += sprintf(p, "1]\n");
    ck_assert_ptr_null(load_bytes(buf, (size_t)(p - buf)));
    ck_assert(has_error("t.yaml:3:1: unknown key 'x' in the scenario"));
    free(buf);
}
END_TEST

/* Many hosts on one segment: the run would grow with the square of their
 * number (every broadcast traced at each), so the loader stops at
 * HS_MAX_SEGMENT_IFACES with the place of the first one too many; as many
 * is fine. */
START_TEST(loader_segment_size_limit)
{
    for (int extra = 0; extra <= 1; extra++) {
        size_t cap = 96 * (HS_MAX_SEGMENT_IFACES + 2), len = 0;
        char *buf = malloc(cap);
        ck_assert_ptr_nonnull(buf);
        len += (size_t)snprintf(buf + len, cap - len, "name: t\nsegments: {s: {}}\nnodes:\n");
        /* 10.0.0.1/8 up: i + 1 is never the network or broadcast address */
        for (int i = 0; i < HS_MAX_SEGMENT_IFACES + extra; i++)
            len += (size_t)snprintf(buf + len, cap - len,
                                    "  h%d: {kind: host, interfaces: {e: {segment: s, address: 10.%d.%d.%d/8}}}\n", i,
                                    (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255);
        ck_assert_uint_lt(len, cap);
        hs_scenario *s = load_bytes(buf, len);
        if (!extra) {
            if (!s)
                dump_errors();
            ck_assert_ptr_nonnull(s);
            hs_scenario_free(s);
        } else {
            ck_assert_ptr_null(s);
            char want[160], last[16];
            /* line 4 holds h0, so the one too many is on line 4 + the cap;
             * the value 's' follows "  hN: {kind: host, interfaces: {e: {segment: " */
            int digits = snprintf(last, sizeof last, "%d", HS_MAX_SEGMENT_IFACES);
            snprintf(want, sizeof want, "t.yaml:%d:%d: segment: 's' already has %d interfaces, the most one segment takes",
                     4 + HS_MAX_SEGMENT_IFACES, 3 + digits + 32 + 9 + 1, HS_MAX_SEGMENT_IFACES);
            ck_assert_msg(has_error(want), "missing: %s", want);
            ck_assert_uint_eq(g_diag.n, 1);
        }
        free(buf);
    }
}
END_TEST

/* Names are resolved among all of their kind: a file with more than 1024
 * segments, or a node with more than 256 interfaces or gateways, loads.
 * The loader looked names up in fixed arrays of the first 1024 segments
 * and 256 interfaces / gateways, and called the rest unknown. */
START_TEST(loader_many_names_resolve)
{
    size_t cap = 256 * 1024, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    len += (size_t)snprintf(buf + len, cap - len, "name: t\nsegments:\n");
    for (int i = 0; i < 1030; i++)
        len += (size_t)snprintf(buf + len, cap - len, "  s%d: {}\n", i);
    len += (size_t)snprintf(buf + len, cap - len, "nodes:\n  fw:\n    kind: firewall\n    interfaces:\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(buf + len, cap - len, "      e%d: {segment: s%d, address: 10.%d.%d.1/30}\n", i,
                                i + 730, i / 250, i % 250);
    len += (size_t)snprintf(buf + len, cap - len, "    gateways:\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(buf + len, cap - len, "      - {name: gw%d, interface: e%d, address: 10.%d.%d.2}\n", i,
                                i, i / 250, i % 250);
    len += (size_t)snprintf(buf + len, cap - len,
                            "    gateway-groups:\n      - {name: G, members: [{gateway: gw299, tier: 1}]}\n"
                            "expect:\n  - {during: [0s, 1s], no-packets: {on: s1029}}\n"
                            "  - {at: 1s, gateway: {node: fw, name: gw299, status: online}}\n");
    ck_assert_uint_lt(len, cap);
    hs_scenario *s = load_bytes(buf, len);
    if (!s)
        dump_errors();
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->nodes[0].ifaces[299].segment, 1029);
    ck_assert_int_eq(s->nodes[0].gateways[299].iface, 299);
    ck_assert_int_eq(s->nodes[0].groups[0].members[0].gateway, 299);
    ck_assert_int_eq(s->expects[0].u.packets.on, 1029);
    ck_assert_int_eq(s->expects[1].u.gateway.gateway, 299);
    hs_scenario_free(s);
    free(buf);
}
END_TEST

START_TEST(loader_refused_yaml_features)
{
    ck_error("name: t\nnodes:\n  a: &base {kind: host}\n  b: *base\n",
             "t.yaml:3:6: anchors (&base) are not supported; use 'like:' to reuse a node");
    ck_assert(has_error("t.yaml:4:6: aliases (*base) are not supported; use 'like:' to reuse a node"));
    ck_error("name: !!str t\nnodes: {h: {kind: host}}\n", "t.yaml:1:7: tags (tag:yaml.org,2002:str) are not supported");
    ck_error("name: t\nnodes: {h: {kind: host}}\n---\nname: u\n",
             "t.yaml:3:1: a second YAML document: a scenario file holds exactly one");
    ck_error("name: t\n? [a, b]\n: 1\nnodes: {h: {kind: host}}\n", "t.yaml:2:3: a key must be a plain string, not a list");
    /* "billion laughs" needs aliases: refused before any expansion */
    ck_error("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
             "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
             "t.yaml:1:4: anchors (&a) are not supported");
    ck_error("name: t\nnodes:\n\th: {}\n", "t.yaml:3:1: YAML syntax error: a tab character here; YAML indents with spaces only");
}
END_TEST

START_TEST(loader_missing_file)
{
    hs_diag d;
    hs_diag_init(&d, "/nonexistent/x.yaml");
    ck_assert_ptr_null(hs_load_file("/nonexistent/x.yaml", &d));
    char buf[256];
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(hs_diag_format(&d, 0, buf, sizeof buf), "/nonexistent/x.yaml: cannot open: No such file or directory");
    hs_diag_free(&d);

    /* a big file is refused by its size, before it is read */
    char path[] = "/tmp/wgsim-loader-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 65 * 1024 * 1024), 0);
    close(fd);
    hs_diag_init(&d, path);
    ck_assert_ptr_null(hs_load_file(path, &d));
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(d.v[0].msg, "file too large (68157440 bytes; scenario files are limited to 64 MiB, 67108864 bytes)");
    hs_diag_free(&d);
    unlink(path);

    /* a directory (wgsim run DIR) says so, not 'read error: Is a directory' */
    hs_diag_init(&d, "/tmp");
    ck_assert_ptr_null(hs_load_file("/tmp", &d));
    ck_assert_uint_eq(d.n, 1);
    ck_assert_str_eq(hs_diag_format(&d, 0, buf, sizeof buf),
                     "/tmp: is a directory, not a scenario file (wgsim test and wgsim validate take directories)");
    hs_diag_free(&d);
}
END_TEST

START_TEST(loader_truncations)
{
    /* every prefix of a real scenario: an error or a scenario, never a crash */
    size_t len;
    char *ex = read_example(&len);
    size_t loaded = 0;
    for (size_t n = 0; n <= len; n++) {
        hs_scenario *s = load_bytes(ex, n);
        if (s) {
            loaded++;
            hs_scenario_free(s);
        } else {
            ck_assert_uint_ge(hs_diag_count(&g_diag), 1);
        }
    }
    ck_assert_uint_ge(loaded, 1); /* at least the whole file */
    free(ex);
}
END_TEST

START_TEST(loader_mutations)
{
    /* deterministic byte mutations of a real scenario */
    size_t len;
    char *ex = read_example(&len);
    char *buf = malloc(len + 64);
    static const char pool[] = "{}[]:,-&*!|>'\"#% \n\t0123456789abc./";
    uint32_t x = 7;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, ex, len);
        size_t n = len;
        int edits = 1 + round % 4;
        for (int e = 0; e < edits; e++) {
            x = x * 1664525u + 1013904223u;
            size_t at = (x >> 8) % n;
            x = x * 1664525u + 1013904223u;
            char c = pool[(x >> 16) % (sizeof pool - 1)];
            switch ((x >> 4) % 3) {
            case 0: buf[at] = c; break;                                   /* replace */
            case 1: memmove(buf + at + 1, buf + at, n - at); buf[at] = c; n++; break; /* insert */
            default: memmove(buf + at, buf + at + 1, n - at - 1); n--; break;          /* delete */
            }
        }
        hs_scenario *s = load_bytes(buf, n);
        if (s)
            hs_scenario_free(s);
        else
            ck_assert_uint_ge(hs_diag_count(&g_diag), 1);
    }
    free(buf);
    free(ex);
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("loader_robust");
    TCase *tc = tcase_create("robust");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, loader_empty_inputs);
    tcase_add_test(tc, loader_binary_garbage);
    tcase_add_test(tc, loader_bad_encoding);
    tcase_add_test(tc, loader_deep_nesting);
    tcase_add_test(tc, loader_huge_input);
    tcase_add_test(tc, loader_segment_size_limit);
    tcase_add_test(tc, loader_many_names_resolve);
    tcase_add_test(tc, loader_refused_yaml_features);
    tcase_add_test(tc, loader_missing_file);
    tcase_add_test(tc, loader_truncations);
    tcase_add_test(tc, loader_mutations);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
