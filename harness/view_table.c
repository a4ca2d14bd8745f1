/*
 * view_table.c — the views' aligned tables: every column as wide as its
 * widest cell, two spaces apart, the last column unpadded (so a line has
 * no trailing blanks and long texts such as source reasons do not widen
 * the others).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

static void grow(view_table *t)
{
    if ((t->rows + 1) * t->ncols <= t->cap)
        return;
    size_t cap = t->cap ? t->cap * 2 : t->ncols * 16;
    while (cap < (t->rows + 1) * t->ncols)
        cap *= 2;
    char **c = realloc(t->cells, cap * sizeof *c);
    if (!c)
        sim_oom("a view's table");
    memset(c + t->cap, 0, (cap - t->cap) * sizeof *c);
    t->cells = c;
    t->cap = cap;
}

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d)
        sim_oom("a view's table");
    return d;
}

void view_table_init(view_table *t, size_t ncols, const char *const *header)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    view_table_row(t);
    for (size_t i = 0; i < ncols; i++)
        t->cells[i] = dup_or_die(header[i]);
}

void view_table_row(view_table *t)
{
    grow(t);
    t->rows++;
}

void view_table_cell(view_table *t, const char *fmt, ...)
{
    size_t base = (t->rows - 1) * t->ncols;
    size_t i = 0;
    while (i < t->ncols && t->cells[base + i])
        i++;
    if (i == t->ncols)
        return; /* a row has ncols cells: more is a caller's bug, dropped */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *c = malloc((size_t)(n < 0 ? 0 : n) + 1);
    if (!c)
        sim_oom("a view's table");
    va_start(ap, fmt);
    vsnprintf(c, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    va_end(ap);
    t->cells[base + i] = c;
}

void view_table_print(view_table *t, FILE *out, const char *indent)
{
    size_t *w = calloc(t->ncols, sizeof *w);
    if (!w)
        sim_oom("a view's table");
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t l = s ? strlen(s) : 0;
            if (l > w[c])
                w[c] = l;
        }
    for (size_t r = 0; r < t->rows; r++) {
        /* the last non-empty cell ends the line: no trailing blanks */
        size_t last = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (s && *s)
                last = c;
        }
        fputs(indent ? indent : "", out);
        for (size_t c = 0; c <= last; c++) {
            const char *s = t->cells[r * t->ncols + c];
            if (c == last)
                fputs(s ? s : "", out);
            else
                fprintf(out, "%-*s  ", (int)w[c], s ? s : "");
        }
        fputc('\n', out);
    }
    free(w);
    view_table_free(t);
}

void view_table_free(view_table *t)
{
    for (size_t i = 0; i < t->rows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
