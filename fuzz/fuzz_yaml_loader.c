/*
 * fuzz_yaml_loader.c — libFuzzer target: the scenario loader
 * (hs_load_bytes) on arbitrary bytes, then everything freed (LeakSanitizer
 * reports what is not).
 *
 * Checked besides ASan/UBSan: a load either returns a scenario and records
 * no error, or returns NULL with at least one error; every error formats as
 * "NAME:LINE:COL: message" (or "NAME: message") with a line inside the input
 * and a non-empty message; a loaded scenario's timeline commands format back
 * to text that parses to the same command (the shell and `do:` share one
 * parser), and pass hs_command_check against their own scenario; its
 * warnings (hs_lint) are at lines inside the input and name their rule.
 */
#include "harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_TARGET "fuzz_yaml_loader"
#include "fuzz_check.h"

#define NAME "fuzz.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        /* YAML line breaks: LF, CR, CRLF; NEL and LS/PS also count in YAML 1.1 */
        n += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xe2;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_diag diag;
    hs_diag_init(&diag, NAME);
    hs_scenario *s = hs_load_bytes(NAME, data, size, &diag);
    size_t nerr = hs_diag_count(&diag);
    FZ_CHECK((s != NULL) == (nerr == 0), "scenario %p with %zu errors", (void *)s, nerr);

    size_t max_line = count_lines(data, size) + 1;
    char buf[1024];
    for (size_t i = 0; i < diag.n; i++) {
        const hs_error *e = &diag.v[i];
        FZ_CHECK(e->msg && e->msg[0], "error %zu has no message", i);
        FZ_CHECK(e->loc.line <= max_line, "error %zu at line %u of a %zu-line input: %s", i, e->loc.line,
                 max_line - 1, e->msg);
        const char *f = hs_diag_format(&diag, i, buf, sizeof buf);
        FZ_CHECK(f && !strncmp(f, NAME ":", strlen(NAME ":")), "error %zu formats as '%s'", i, f ? f : "(null)");
    }

    if (s) {
        for (size_t i = 0; i < s->n_events; i++) {
            const hs_command *c = &s->events[i].cmd;
            char text[512], err[256];
            int col = 0;
            hs_command again;
            hs_command_format(c, text, sizeof text);
            FZ_CHECK(hs_command_parse(text, &again, err, sizeof err, &col), "'%s' does not parse back: %s", text,
                     err);
            FZ_CHECK(again.kind == c->kind, "'%s' parses back as another command", text);
            char text2[512];
            hs_command_format(&again, text2, sizeof text2);
            FZ_CHECK(!strcmp(text, text2), "'%s' formats back as '%s'", text, text2);
            FZ_CHECK(hs_command_check(s, c, err, sizeof err, &col), "loaded command '%s' fails its check: %s", text,
                     err);
        }
        hs_diag warn;
        hs_diag_init(&warn, NAME);
        hs_lint(s, &warn);
        for (size_t i = 0; i < warn.n; i++) {
            const hs_error *e = &warn.v[i];
            size_t len = strlen(e->msg);
            FZ_CHECK(len && e->msg[len - 1] == ']' && strstr(e->msg, " ["), "warning %zu names no rule: %s", i, e->msg);
            FZ_CHECK(e->loc.line >= 1 && e->loc.line <= max_line, "warning %zu at line %u of a %zu-line input: %s", i,
                     e->loc.line, max_line - 1, e->msg);
        }
        hs_diag_free(&warn);
        hs_scenario_free(s);
    }
    /* The printer sorts and prints every error: exercise it too. */
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        hs_diag_print(&diag, null);
        fclose(null);
    }
    hs_diag_free(&diag);
    return 0;
}
