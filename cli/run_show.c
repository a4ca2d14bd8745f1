/*
 * run_show.c — `wgsim run --at T --show 'VIEWS'` (cli/run_show.h): parses
 * the options, checks the views before the run, and prints them at each
 * stop the runner makes (hs_run_options.stops / at_stop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_show.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 8;
    void *q = realloc(p, *cap * size);
    if (!q)
        sim_oom("reading the command line");
    return q;
}

bool cli_show_add_at(cli_show *c, const char *val)
{
    hs_time t;
    hs_dur_err e = hs_duration_parse(val, &t);
    if (e != HS_DUR_OK) {
        fprintf(stderr, "wgsim run: --at: '%s' %s%s\n", val, e == HS_DUR_SYNTAX ? "is not a time" : hs_duration_problem(e),
                e == HS_DUR_SYNTAX ? " (write 30s, 1m30s, 250ms)" : "");
        return false;
    }
    c->at = grow(c->at, &c->cap_at, c->n_at, sizeof *c->at);
    c->at[c->n_at++] = t;
    return true;
}

/* 5 ("show ") when the view v is written without its verb, else 0 */
static int view_shift(const char *v)
{
    char w[16];
    size_t n = strcspn(v, " \t");
    if (n >= sizeof w)
        return 5;
    memcpy(w, v, n);
    w[n] = 0;
    return hs_view_is_verb(w) ? 0 : 5;
}

bool cli_show_add_views(cli_show *c, const char *val)
{
    const char *p = val;
    for (;;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        size_t lead = strspn(p, " \t");
        if (lead >= len) {
            fprintf(stderr, "wgsim run: --show: column %d: empty view in '%s' (write 'VIEW[; VIEW...]')\n",
                    (int)(p - val) + 1, val);
            return false;
        }
        if (c->n_views == c->cap_views) {
            size_t cap = c->cap_views;
            c->views = grow(c->views, &cap, c->n_views, sizeof *c->views);
            cap = c->cap_views;
            c->view_col = grow(c->view_col, &cap, c->n_views, sizeof *c->view_col);
            cap = c->cap_views;
            c->view_arg = grow(c->view_arg, &cap, c->n_views, sizeof *c->view_arg);
            c->cap_views = cap;
        }
        /* `--show 'states fw2; peers remote'`: a view without its verb
         * is a `show` view (the other verbs, packets and why, are
         * written out) */
        char *v = strndup(p + lead, len - lead);
        if (!v || (view_shift(v) && asprintf(&c->views[c->n_views], "show %s", v) < 0))
            sim_oom("reading the command line");
        if (view_shift(v))
            free(v);
        else
            c->views[c->n_views] = v;
        c->view_col[c->n_views] = (int)(p + lead - val);
        c->view_arg[c->n_views] = val;
        c->n_views++;
        if (!semi)
            return true;
        p = semi + 1;
    }
}

static int cmp_time(const void *a, const void *b)
{
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return x < y ? -1 : x > y;
}

static void at_stop(void *ctx, hs_world *hw, sim_time t)
{
    cli_show *c = ctx;
    char ts[32];
    for (size_t i = 0; i < c->n_views; i++) {
        fprintf(c->out, "== at %ss: %s ==\n", hs_result_time(t, ts, sizeof ts), c->views[i]);
        char err[256];
        int col;
        /* checked before the run: what fails now is what only the run
         * tells (a packet number not reached yet), said in place */
        if (!hs_view(c->out, hw, c->views[i], err, sizeof err, &col))
            fprintf(c->out, "%s\n", err);
        fputc('\n', c->out);
    }
}

bool cli_show_prepare(cli_show *c, const hs_scenario *s, hs_run_options *opt)
{
    if (!c->n_at && !c->n_views)
        return true;
    if (!c->n_at || !c->n_views) {
        fprintf(stderr, "wgsim run: %s needs %s too (--at T --show 'VIEW[; VIEW...]')\n",
                c->n_at ? "--at" : "--show", c->n_at ? "--show" : "--at");
        return false;
    }
    char b1[32], b2[32];
    for (size_t i = 0; i < c->n_at; i++)
        if (c->at[i] > s->duration) {
            fprintf(stderr, "wgsim run: --at %s is after the end of %s (duration %s)\n",
                    hs_format_duration(c->at[i], b1, sizeof b1), s->file ? s->file : "the scenario",
                    hs_format_duration(s->duration, b2, sizeof b2));
            return false;
        }
    qsort(c->at, c->n_at, sizeof *c->at, cmp_time);
    /* the views read the run record's packets and events only when it is
     * kept whole, and the change log (pf states' origin, CARP's since) is
     * kept only for the timeline or a whole record (expect_events.c) */
    if (!opt->timeline)
        opt->record_all = true;
    for (size_t i = 0; i < c->n_views; i++) {
        size_t w = strcspn(c->views[i], " \t");
        if ((w == 7 && !strncmp(c->views[i], "packets", 7)) || (w == 3 && !strncmp(c->views[i], "why", 3)))
            opt->record_all = true;
    }
    /* checked on the world as built at time 0, which has every name the
     * views may use */
    hs_run_options bo = *opt;
    bo.before_run = NULL;
    bo.after_run = NULL;
    char err[1024];
    hs_world *hw = hs_world_build(s, &bo, err, sizeof err);
    if (!hw)
        return true; /* the run reports why it cannot be built */
    bool ok = true;
    for (size_t i = 0; i < c->n_views && ok; i++) {
        int col;
        if (!hs_view_check(hw, c->views[i], err, sizeof err, &col)) {
            int shift = view_shift(c->view_arg[i] + c->view_col[i]);
            fprintf(stderr, "wgsim run: --show '%s': column %d: %s\n", c->view_arg[i],
                    col > shift ? c->view_col[i] + col - shift : c->view_col[i] + 1, err);
            ok = false;
        }
    }
    hs_world_free(hw);
    if (!ok)
        return false;
    c->out = stdout;
    opt->stops = c->at;
    opt->n_stops = c->n_at;
    opt->at_stop = at_stop;
    opt->stop_ctx = c;
    return true;
}

void cli_show_free(cli_show *c)
{
    for (size_t i = 0; i < c->n_views; i++)
        free(c->views[i]);
    free(c->views);
    free(c->view_col);
    free(c->view_arg);
    free(c->at);
    memset(c, 0, sizeof *c);
}
