/*
 * cmd_report.c — `wgsim report OLD.json NEW.json`: the comparison
 * `wgsim test --baseline` prints, made from two saved `--json` results
 * without running anything (a CI job that keeps the main branch's result
 * as an artifact compares a merge request's result with it).
 *
 * Exit status: 0 compared, 1 with --fail-on-regression and a regression,
 * 2 usage or a file that cannot be read, is not JSON or not a wgsim result
 * of a format this build reads.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "reports/reports.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim report [options] OLD.json NEW.json\n\n"
                 "Compares two results written by 'wgsim test --json' (or 'wgsim run --json')\n"
                 "and prints what 'wgsim test --baseline OLD.json' prints: regressions\n"
                 "(passed in OLD, failing in NEW), newly passing, added and removed\n"
                 "scenarios (matched by name), changed convergence figures.\n\n"
                 "exit status: 0 compared, 1 a regression with --fail-on-regression, 2 bad\n"
                 "usage or a file that is not a wgsim JSON result this version reads.\n\n"
                 "options:\n"
                 "  --fail-on-regression  exit 1 when there is a regression\n"
                 "  --markdown FILE write the comparison as GitHub-flavoured Markdown too (a\n"
                 "                  CI job summary or merge-request comment)\n"
                 "  --html FILE     write the comparison as one self-contained HTML page\n"
                 "  -h, --help      this text\n");
}

int cmd_report(int argc, char **argv)
{
    const char *paths[2], *markdown = NULL, *html = NULL;
    size_t n = 0;
    bool fail_on_regression = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--fail-on-regression")) {
            fail_on_regression = true;
        } else if (!strcmp(a, "--markdown")) {
            if (i + 1 == argc) {
                fprintf(stderr, "wgsim report: --markdown needs a value\n");
                return 2;
            }
            markdown = argv[++i];
        } else if (!strcmp(a, "--html")) {
            if (i + 1 == argc) {
                fprintf(stderr, "wgsim report: --html needs a value\n");
                return 2;
            }
            html = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim report: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (n == 2) {
            fprintf(stderr, "wgsim report: more than two results given ('%s')\n", a);
            usage(stderr);
            return 2;
        } else {
            paths[n++] = a;
        }
    }
    if (n < 2) {
        fprintf(stderr, "wgsim report: give two results, OLD.json NEW.json\n");
        usage(stderr);
        return 2;
    }
    char err[512];
    rp_result_set *set[2] = {NULL, NULL};
    int status = 0;
    for (size_t k = 0; k < 2; k++)
        if (!(set[k] = rp_result_set_load(paths[k], err, sizeof err))) {
            fprintf(stderr, "wgsim report: %s\n", err);
            status = 2;
        }
    if (!status) {
        rp_comparison c;
        rp_compare(stdout, paths[0], set[0], set[1], &c);
        status = fail_on_regression && c.regressions ? 1 : 0;
        if (markdown && !rp_write_compare_markdown(markdown, paths[0], paths[1], set[0], set[1], &c, err, sizeof err)) {
            fprintf(stderr, "wgsim report: --markdown: %s\n", err);
            status = 2;
        }
        if (html && !rp_write_compare_html(html, paths[0], paths[1], set[0], set[1], &c, err, sizeof err)) {
            fprintf(stderr, "wgsim report: --html: %s\n", err);
            status = 2;
        }
    }
    rp_result_set_free(set[0]);
    rp_result_set_free(set[1]);
    return status;
}
