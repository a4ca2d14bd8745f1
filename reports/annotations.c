/*
 * annotations.c — `wgsim test --annotations github`: GitHub Actions
 * workflow commands, so that a failed expectation shows on the pull
 * request's diff at its line of the scenario file.
 *
 * The format is GitHub's "::error file=F,line=L,col=C,title=T::MESSAGE"
 * (docs.github.com, "Workflow commands for GitHub Actions", setting an
 * error/warning message). A command is one line: in the message '%', CR
 * and LF are written %25, %0D and %0A (GitHub turns %0A back into a line
 * break); a property value also has ':' and ',' written %3A and %2C, since
 * they separate the command's parts. That is the escaping of the
 * actions/toolkit (escapeData / escapeProperty in core's command.ts).
 * Everything a scenario author wrote (names, descriptions, the words of
 * an expectation) goes through it, so no text of a scenario can end the
 * command early or start another one.
 */
#include <stdlib.h>
#include <string.h>

#include "reports/reports.h"

static void escaped(FILE *out, const char *s, bool property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': property ? fputs("%3A", out) : fputc(':', out); break;
        case ',': property ? fputs("%2C", out) : fputc(',', out); break;
        default: fputc(*s, out);
        }
    }
}

/* "::LEVEL file=F[,line=L[,col=C]],title=wgsim: NAME::" then the message
 * (escaped by the caller). */
static void start(FILE *out, const char *level, const hs_result *r, hs_loc loc)
{
    fprintf(out, "::%s file=", level);
    escaped(out, r->file, true);
    if (loc.line) {
        fprintf(out, ",line=%u", loc.line);
        if (loc.col)
            fprintf(out, ",col=%u", loc.col);
    }
    fputs(",title=", out);
    escaped(out, "wgsim: ", true);
    escaped(out, r->name, true);
    fputs("::", out);
}

/* "FILE:LINE:COL: message" (how the loader and the runner word an error)
 * into its place and message; the place is 0:0 when the line does not
 * start with the scenario's file and a line number. */
static const char *split_error(const hs_result *r, const char *line, size_t len, hs_loc *loc)
{
    *loc = (hs_loc){0, 0};
    size_t fl = strlen(r->file);
    if (len <= fl || strncmp(line, r->file, fl) || line[fl] != ':')
        return line;
    const char *p = line + fl + 1;
    char *end;
    unsigned long l = strtoul(p, &end, 10);
    if (end == p || *end != ':')
        return line;
    loc->line = (uint32_t)l;
    p = end + 1;
    unsigned long c = strtoul(p, &end, 10);
    if (end != p && *end == ':') {
        loc->col = (uint32_t)c;
        p = end + 1;
    }
    while (*p == ' ')
        p++;
    return p;
}

void rp_print_annotations(FILE *out, const hs_result *r)
{
    for (size_t i = 0; i < r->n_warnings; i++) {
        start(out, "warning", r, r->warnings[i].loc);
        escaped(out, r->warnings[i].msg, false);
        fputc('\n', out);
    }
    if (r->status == HS_STATUS_ERROR && r->error) {
        /* one command per error line, each at its place */
        const char *p = r->error;
        while (*p) {
            size_t len = strcspn(p, "\n");
            hs_loc loc;
            const char *msg = split_error(r, p, len, &loc);
            start(out, "error", r, loc);
            char *m = strndup(msg, len - (size_t)(msg - p));
            if (!m)
                sim_oom("writing annotations");
            escaped(out, m, false);
            free(m);
            fputc('\n', out);
            p += len;
            if (*p)
                p++;
        }
        return;
    }
    if (r->status != HS_STATUS_FAILED)
        return;
    for (size_t i = 0; i < r->n_expects; i++) {
        const hs_expect_result *e = &r->expects[i];
        if (e->passed)
            continue;
        start(out, "error", r, e->loc);
        escaped(out, e->what, false);
        escaped(out, "\nexpected: ", false);
        escaped(out, e->expected, false);
        escaped(out, "\nseen: ", false);
        escaped(out, e->observed, false);
        fputc('\n', out);
    }
}
