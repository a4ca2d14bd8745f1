/*
 * test_fuzz_regress.c — inputs the fuzzers (fuzz/, docs/fuzzing.md) found
 * crashing, kept as regression tests. Each must now fail cleanly with a
 * located error (run under the sanitize build too: the original failures
 * were sanitizer reports).
 */
#include "test_loader_util.h"

/* fuzz_yaml_loader: CARP vips on interfaces without a segment, copied by
 * `like:`, made the vhid consistency check read segments[-1] (UBSan:
 * "applying non-zero offset to null pointer", harness/loader.c). */
START_TEST(carp_on_interfaces_without_segment)
{
    static const char text[] = "nodes:\n"
                               "  fw1:\n"
                               "    interfaces:\n"
                               "      wan:\n"
                               "      lan:\n"
                               "    carp:\n"
                               "      - {interface: wan}\n"
                               "      - {interface: lan,address: 1.0.0.1/4}\n"
                               "  f: {like: fw1}\n";
    hs_scenario *s = load_str(text);
    ck_assert_ptr_null(s);
    ck_assert_uint_ge(hs_diag_count(&g_diag), 1);
    if (!has_error("t.yaml:"))
        dump_errors();
    ck_assert(has_error("t.yaml:"));
    /* No error may claim two unsegmented interfaces share a segment. */
    char buf[1024];
    for (size_t i = 0; i < g_diag.n; i++)
        ck_assert_ptr_null(strstr(hs_diag_format(&g_diag, i, buf, sizeof buf), "on segment"));
}
END_TEST

/* The same with the segment named but unknown, and two nodes. */
START_TEST(carp_on_unknown_segment_two_nodes)
{
    static const char text[] = "name: t\n"
                               "segments: {wan: {}}\n"
                               "nodes:\n"
                               "  fw1:\n"
                               "    kind: firewall\n"
                               "    interfaces: {wan: {segment: nowhere, address: 192.0.2.2/24}}\n"
                               "    carp: [{interface: wan, vhid: 1, address: 192.0.2.1/24}]\n"
                               "  fw2:\n"
                               "    kind: firewall\n"
                               "    interfaces: {wan: {segment: nowhere, address: 192.0.2.3/24}}\n"
                               "    carp: [{interface: wan, vhid: 1, address: 192.0.2.9/24}]\n";
    ck_assert_ptr_null(load_str(text));
    ck_assert(has_error("t.yaml:6:"));
    char buf[1024];
    for (size_t i = 0; i < g_diag.n; i++)
        ck_assert_ptr_null(strstr(hs_diag_format(&g_diag, i, buf, sizeof buf), "on segment"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fuzz_regress");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, carp_on_interfaces_without_segment);
    tcase_add_test(tc, carp_on_unknown_segment_two_nodes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (g_diag_inited)
        hs_diag_free(&g_diag);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
