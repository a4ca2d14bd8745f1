/*
 * junit.c — `wgsim test --junit FILE`: JUnit XML, one testcase per
 * scenario, so CI systems show each scenario with its failures explained;
 * `--junit-granularity expectation`: one per expectation. A `--matrix` run
 * (rp_write_junit_matrix) puts the platform in front of every classname
 * as a package, so that the same scenario on two platforms stays two
 * tests and CI tools group them per platform.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reports/reports.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 table 3), 0 if
 * there is none. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

static void xml_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            /* XML text is UTF-8 here; file names need not be: a byte that
             * starts no well-formed sequence is shown as '?'. */
            size_t n = utf8_len((const unsigned char *)s);
            if (n == 0) {
                fputc('?', f);
            } else {
                fwrite(s, 1, n, f);
                s += n - 1;
            }
            continue;
        }
        switch (c) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* XML 1.0 forbids most control characters */
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
                fputc('?', f);
            else
                fputc(c, f);
        }
    }
}

/* A matrix run's value in front of a classname, as a package ("linux.");
 * nothing without a matrix. Nor for a shard (`wgsim test --shard K/N`):
 * its scenarios are the suite's own, each in one shard only, and a
 * testcase keeps the name it has in the unsplit run (CI keeps its history
 * whether the suite was split or not). */
static void value_prefix(FILE *f, const char *dimension, const char *value)
{
    if (value && strcmp(dimension, "shard")) {
        xml_text(f, value);
        fputc('.', f);
    }
}

/* A matrix run's testsuite properties: the dimension and the value. */
static void value_property(FILE *f, const char *dimension, const char *value, const char *indent)
{
    if (!value)
        return;
    fprintf(f, "%s<properties><property name=\"", indent);
    xml_text(f, dimension);
    fprintf(f, "\" value=\"");
    xml_text(f, value);
    fprintf(f, "\"/></properties>\n");
}

/* classname: the scenario's directory ("scenarios.conformance"). */
static void classname(FILE *f, const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash) {
        fputs("scenarios", f);
        return;
    }
    const char *p = file;
    while (*p == '.' || *p == '/')
        p++;
    for (; p < slash; p++) {
        char c = *p == '/' ? '.' : *p;
        char s[2] = {c, 0};
        xml_text(f, s);
    }
}

/* A failed expectation in words: "FILE:LINE: what", expected, seen and
 * the packets that explain it. */
static void explain(FILE *f, const hs_result *r, const hs_expect_result *e)
{
    char ts[32];
    char loc[600];
    snprintf(loc, sizeof loc, "%s:%u: ", r->file, e->loc.line);
    xml_text(f, loc);
    xml_text(f, e->what);
    xml_text(f, "\n  expected: ");
    xml_text(f, e->expected);
    xml_text(f, "\n  seen:     ");
    xml_text(f, e->observed);
    xml_text(f, "\n");
    for (size_t p = 0; p < e->n_packets; p++) {
        xml_text(f, "    ");
        xml_text(f, hs_result_time(e->packets[p].t, ts, sizeof ts));
        xml_text(f, "s  ");
        xml_text(f, e->packets[p].text);
        xml_text(f, "\n");
    }
}

/* The linter's warnings, as wgsim test prints them on stderr. */
static void warnings(FILE *f, const hs_result *r)
{
    if (!r->n_warnings)
        return;
    char w[2048];
    fprintf(f, "      <system-err>");
    for (size_t k = 0; k < r->n_warnings; k++) {
        xml_text(f, hs_result_warning(r, k, w, sizeof w));
        xml_text(f, "\n");
    }
    fprintf(f, "</system-err>\n");
}

/* <skipped/> or <error> of a scenario that did not run. An attribute's
 * newlines become spaces in every XML reader: the error's message is the
 * first error, the text all of them, one per line (as `wgsim validate`
 * prints them). */
static void not_run(FILE *f, const hs_result *r)
{
    if (r->status == HS_STATUS_SKIPPED) {
        fprintf(f, "      <skipped message=\"");
        xml_text(f, r->error ? r->error : "skipped");
        fprintf(f, "\"/>\n");
        return;
    }
    const char *e = r->error ? r->error : "error";
    size_t first = strcspn(e, "\n");
    char msg[600];
    snprintf(msg, sizeof msg, "%.*s%s", (int)(first < 500 ? first : 500), e, e[first] ? " (and more)" : "");
    fprintf(f, "      <error message=\"");
    xml_text(f, msg);
    fprintf(f, "\">");
    xml_text(f, e);
    fprintf(f, "</error>\n");
}

static bool finish(FILE *f, const char *path, char *err, size_t errlen)
{
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

typedef struct counts {
    size_t tests, failures, errors, skipped;
    double time;
} counts;

/* The per-scenario form's counts: a testcase per scenario. */
static counts scenario_counts(hs_result *const *results, size_t n)
{
    counts c = {.tests = n};
    for (size_t i = 0; i < n; i++) {
        c.failures += results[i]->status == HS_STATUS_FAILED;
        c.errors += results[i]->status == HS_STATUS_ERROR;
        c.skipped += results[i]->status == HS_STATUS_SKIPPED;
        c.time += results[i]->wall_seconds;
    }
    return c;
}

static void counts_attrs(FILE *f, counts c)
{
    fprintf(f, "tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"", c.tests, c.failures,
            c.errors, c.skipped, c.time);
}

static FILE *start(const char *path, counts all, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ");
    counts_attrs(f, all);
    fprintf(f, ">\n");
    return f;
}

/* One testsuite of the per-scenario form: NAME ("wgsim", or "wgsim
 * platform=linux" in a matrix run), a testcase per scenario. */
static void scenario_suite(FILE *f, hs_result *const *results, size_t n, const char *dimension, const char *value)
{
    fprintf(f, "  <testsuite name=\"wgsim");
    if (value) {
        fputc(' ', f);
        xml_text(f, dimension);
        fputc('=', f);
        xml_text(f, value);
    }
    fprintf(f, "\" ");
    counts_attrs(f, scenario_counts(results, n));
    fprintf(f, ">\n");
    value_property(f, dimension, value, "    ");
    for (size_t i = 0; i < n; i++) {
        const hs_result *r = results[i];
        fprintf(f, "    <testcase classname=\"");
        value_prefix(f, dimension, value);
        classname(f, r->file);
        fprintf(f, "\" name=\"");
        xml_text(f, r->name);
        fprintf(f, "\" file=\"");
        xml_text(f, r->file);
        fprintf(f, "\" time=\"%.3f\">\n", r->wall_seconds);
        if (r->claim) {
            fprintf(f, "      <properties><property name=\"claim\" value=\"");
            xml_text(f, r->claim);
            fprintf(f, "\"/></properties>\n");
        }
        if (r->status == HS_STATUS_SKIPPED || r->status == HS_STATUS_ERROR) {
            not_run(f, r);
        } else if (r->status == HS_STATUS_FAILED) {
            fprintf(f, "      <failure message=\"%zu of %zu expectations failed\">", r->n_failed, r->n_expects);
            for (size_t k = 0; k < r->n_expects; k++)
                if (!r->expects[k].passed)
                    explain(f, r, &r->expects[k]);
            fprintf(f, "</failure>\n");
        }
        warnings(f, r);
        fprintf(f, "    </testcase>\n");
    }
    fprintf(f, "  </testsuite>\n");
}

/* One testcase of the per-expectation form: classname the scenario, name
 * "LINE: what" (unique within the scenario: one expectation a line), the
 * file and line as attributes (read by GitLab and Jenkins) and as
 * properties (the form every JUnit reader keeps). */
static void expectation_case(FILE *f, const hs_result *r, const hs_expect_result *e, const char *dimension,
                             const char *value)
{
    fprintf(f, "    <testcase classname=\"");
    value_prefix(f, dimension, value);
    xml_text(f, r->name);
    fprintf(f, "\" name=\"%u: ", e->loc.line);
    xml_text(f, e->what);
    fprintf(f, "\" file=\"");
    xml_text(f, r->file);
    fprintf(f, "\" line=\"%u\" time=\"0\">\n", e->loc.line);
    fprintf(f, "      <properties><property name=\"file\" value=\"");
    xml_text(f, r->file);
    fprintf(f, "\"/><property name=\"line\" value=\"%u\"/><property name=\"kind\" value=\"%s\"/>", e->loc.line,
            hs_expect_kind_name(e->kind));
    if (r->claim) {
        fprintf(f, "<property name=\"claim\" value=\"");
        xml_text(f, r->claim);
        fprintf(f, "\"/>");
    }
    fprintf(f, "</properties>\n");
    if (!e->passed) {
        fprintf(f, "      <failure message=\"expected ");
        xml_text(f, e->expected);
        fprintf(f, ", seen ");
        xml_text(f, e->observed);
        fprintf(f, "\">");
        explain(f, r, e);
        fprintf(f, "</failure>\n");
    } else {
        fprintf(f, "      <system-out>seen: ");
        xml_text(f, e->observed);
        fprintf(f, "</system-out>\n");
    }
    fprintf(f, "    </testcase>\n");
}

/* The per-expectation form's counts: a scenario that did not run, or has
 * no expectation, is one testcase. */
static counts expectation_counts(hs_result *const *results, size_t n)
{
    counts c = {0};
    for (size_t i = 0; i < n; i++) {
        const hs_result *r = results[i];
        bool ran = r->status == HS_STATUS_PASSED || r->status == HS_STATUS_FAILED;
        c.tests += ran && r->n_expects ? r->n_expects : 1;
        c.failures += ran ? r->n_failed : 0;
        c.errors += r->status == HS_STATUS_ERROR;
        c.skipped += r->status == HS_STATUS_SKIPPED;
        c.time += r->wall_seconds;
    }
    return c;
}

/* The per-expectation form's testsuites, one per scenario ("NAME", in a
 * matrix run "NAME (platform linux)"). */
static void expectation_suites(FILE *f, hs_result *const *results, size_t n, const char *dimension, const char *value)
{
    for (size_t i = 0; i < n; i++) {
        const hs_result *r = results[i];
        bool ran = r->status == HS_STATUS_PASSED || r->status == HS_STATUS_FAILED;
        fprintf(f, "  <testsuite name=\"");
        xml_text(f, r->name);
        if (value) {
            fputs(" (", f);
            xml_text(f, dimension);
            fputc(' ', f);
            xml_text(f, value);
            fputc(')', f);
        }
        fprintf(f, "\" file=\"");
        xml_text(f, r->file);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
                ran && r->n_expects ? r->n_expects : 1, ran ? r->n_failed : 0, r->status == HS_STATUS_ERROR,
                r->status == HS_STATUS_SKIPPED, r->wall_seconds);
        value_property(f, dimension, value, "    ");
        if (ran && r->n_expects) {
            for (size_t k = 0; k < r->n_expects; k++)
                expectation_case(f, r, &r->expects[k], dimension, value);
        } else {
            /* the scenario as a whole: why it did not run, or that it ran */
            fprintf(f, "    <testcase classname=\"");
            value_prefix(f, dimension, value);
            xml_text(f, r->name);
            fprintf(f, "\" name=\"");
            xml_text(f, ran ? "(no expectations)" : "(scenario)");
            fprintf(f, "\" file=\"");
            xml_text(f, r->file);
            fprintf(f, "\" time=\"%.3f\">\n", r->wall_seconds);
            if (!ran)
                not_run(f, r);
            fprintf(f, "    </testcase>\n");
        }
        warnings(f, r);
        fprintf(f, "  </testsuite>\n");
    }
}

/* The file: values NULL is a run without a matrix (one block of n_per
 * results, no value named). */
static bool write_junit(const char *path, bool per_expectation, const char *dimension, hs_result *const *results,
                        size_t n_per, const char *const *values, size_t n_values, char *err, size_t errlen)
{
    size_t n = n_per * n_values;
    FILE *f = start(path, per_expectation ? expectation_counts(results, n) : scenario_counts(results, n), err, errlen);
    if (!f)
        return false;
    for (size_t v = 0; v < n_values; v++)
        (per_expectation ? expectation_suites : scenario_suite)(f, results + v * n_per, n_per, dimension,
                                                                 values ? values[v] : NULL);
    fprintf(f, "</testsuites>\n");
    return finish(f, path, err, errlen);
}

bool rp_write_junit(const char *path, hs_result *const *results, size_t n, char *err, size_t errlen)
{
    return write_junit(path, false, NULL, results, n, NULL, 1, err, errlen);
}

bool rp_write_junit_per_expectation(const char *path, hs_result *const *results, size_t n, char *err, size_t errlen)
{
    return write_junit(path, true, NULL, results, n, NULL, 1, err, errlen);
}

bool rp_write_junit_matrix(const char *path, bool per_expectation, const char *dimension,
                           hs_result *const *results, size_t n_per, const char *const *values, size_t n_values,
                           char *err, size_t errlen)
{
    return write_junit(path, per_expectation, dimension, results, n_per, values, n_values, err, errlen);
}
