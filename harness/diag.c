/*
 * diag.c — error collection. Errors are kept (up to a limit) so a file with
 * several mistakes reports all of them in one run, sorted by position.
 */
#include "harness/harness.h"
#include "sim/sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_diag_init(hs_diag *d, const char *file)
{
    memset(d, 0, sizeof *d);
    d->file = strdup(file ? file : "<input>");
}

void hs_diag_free(hs_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].msg);
    free(d->v);
    free(d->file);
    memset(d, 0, sizeof *d);
}

void hs_diag_add(hs_diag *d, hs_loc loc, const char *fmt, ...)
{
    size_t limit = d->limit ? d->limit : HS_DIAG_DEFAULT_LIMIT;
    if (d->n >= limit) {
        d->suppressed++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int r = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (r < 0)
        sim_oom("formatting an error message");
    /* One mistake reached twice (a like: entry without a vhid applies to
     * every inherited vhid, a count: item to every copy) is one message. */
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].loc.line == loc.line && d->v[i].loc.col == loc.col && !strcmp(d->v[i].msg, msg)) {
            free(msg);
            return;
        }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        hs_error *v = realloc(d->v, cap * sizeof *v);
        if (!v)
            sim_oom("collecting error messages");
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n].loc = loc;
    d->v[d->n].msg = msg;
    d->n++;
}

size_t hs_diag_count(const hs_diag *d) { return d->n + d->suppressed; }

const char *hs_diag_format(const hs_diag *d, size_t i, char *buf, size_t len)
{
    const hs_error *e = &d->v[i];
    const char *kind = d->warnings ? "warning: " : "";
    if (e->loc.line)
        snprintf(buf, len, "%s:%u:%u: %s%s", d->file, e->loc.line, e->loc.col, kind, e->msg);
    else
        snprintf(buf, len, "%s: %s%s", d->file, kind, e->msg);
    return buf;
}

void hs_diag_sort(hs_diag *d)
{
    /* insertion sort: stable, and n is at most the limit */
    for (size_t i = 1; i < d->n; i++) {
        hs_error e = d->v[i];
        size_t j = i;
        while (j > 0 && (d->v[j - 1].loc.line > e.loc.line ||
                         (d->v[j - 1].loc.line == e.loc.line && d->v[j - 1].loc.col > e.loc.col))) {
            d->v[j] = d->v[j - 1];
            j--;
        }
        d->v[j] = e;
    }
}

void hs_diag_print(hs_diag *d, FILE *out)
{
    hs_diag_sort(d);
    const char *kind = d->warnings ? "warning: " : "";
    for (size_t i = 0; i < d->n; i++) {
        const hs_error *e = &d->v[i];
        if (e->loc.line)
            fprintf(out, "%s:%u:%u: %s%s\n", d->file, e->loc.line, e->loc.col, kind, e->msg);
        else
            fprintf(out, "%s: %s%s\n", d->file, kind, e->msg);
    }
    if (d->suppressed)
        fprintf(out, "%s: too many %s, %zu more not shown\n", d->file, d->warnings ? "warnings" : "errors",
                d->suppressed);
}
