/*
 * test_annotations.c — `wgsim test --annotations github` (reports/
 * annotations.c): a failed expectation, an error and a warning become one
 * workflow command each at their file:line:col, and every text is escaped
 * by GitHub's rules, so that no scenario text (a name with ':' and ',', a
 * message with '%' or a line break) can end the command early or start a
 * command of its own on a new line.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/reports.h"
#include "suite_run.h"

/* rp_print_annotations of r as a string (free it). */
static char *annotations(const hs_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    rp_print_annotations(f, r);
    fclose(f);
    return buf;
}

START_TEST(test_failed_expectation_escaped)
{
    hs_expect_result e[2] = {
        {.loc = {12, 5}, .passed = true, .what = "passes", .expected = "x", .observed = "x", .value = NAN},
        {.loc = {40, 7},
         .passed = false,
         .what = "loss 50%\r\n::error file=evil::injected",
         .expected = "loss <= 5%, a: b",
         .observed = "loss 50%",
         .value = NAN},
    };
    hs_result r = {.file = "sc/a,b:c%.yaml", .name = "50%, a:b", .status = HS_STATUS_FAILED, .expects = e,
                   .n_expects = 2, .n_failed = 1};
    char *got = annotations(&r);
    ck_assert_str_eq(got, "::error file=sc/a%2Cb%3Ac%25.yaml,line=40,col=7,title=wgsim%3A 50%25%2C a%3Ab::"
                          "loss 50%25%0D%0A::error file=evil::injected%0Aexpected: loss <= 5%25, a: b%0Aseen: loss 50%25\n");
    /* one line: nothing the scenario wrote starts a command of its own */
    ck_assert_ptr_eq(strchr(got, '\n'), got + strlen(got) - 1);
    free(got);
}
END_TEST

START_TEST(test_error_lines_at_their_place)
{
    hs_result r = {.file = "s.yaml",
                   .name = "s.yaml",
                   .status = HS_STATUS_ERROR,
                   .error = "s.yaml:5:9: unknown key 'delya'\ns.yaml: too many errors, 3 more not shown"};
    char *got = annotations(&r);
    ck_assert_str_eq(got, "::error file=s.yaml,line=5,col=9,title=wgsim%3A s.yaml::unknown key 'delya'\n"
                          "::error file=s.yaml,title=wgsim%3A s.yaml::s.yaml: too many errors, 3 more not shown\n");
    free(got);
}
END_TEST

START_TEST(test_warnings_and_quiet_results)
{
    hs_error w = {.loc = {13, 15}, .msg = "carp: equal advskew [carp-equal-priority]"};
    hs_result r = {.file = "l.yaml", .name = "lint", .status = HS_STATUS_PASSED, .warnings = &w, .n_warnings = 1};
    char *got = annotations(&r);
    ck_assert_str_eq(got, "::warning file=l.yaml,line=13,col=15,title=wgsim%3A lint::carp: equal advskew "
                          "[carp-equal-priority]\n");
    free(got);
    /* a passed or skipped scenario without warnings: nothing */
    r.n_warnings = 0;
    got = annotations(&r);
    ck_assert_str_eq(got, "");
    free(got);
    r.status = HS_STATUS_SKIPPED;
    r.error = "ns-3 is not in this build";
    got = annotations(&r);
    ck_assert_str_eq(got, "");
    free(got);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("annotations");
    TCase *tc = tcase_create("github");
    tcase_add_test(tc, test_failed_expectation_escaped);
    tcase_add_test(tc, test_error_lines_at_their_place);
    tcase_add_test(tc, test_warnings_and_quiet_results);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
