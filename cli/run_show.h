/*
 * run_show.h — `wgsim run FILE --at T --show 'VIEW; VIEW'`: the explore
 * shell's views printed at chosen times of an ordinary run (the snapshot
 * without a shell). The views are checked against the built world before
 * the run starts.
 */
#ifndef WGSIM_CLI_RUN_SHOW_H
#define WGSIM_CLI_RUN_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "harness/runner.h"

typedef struct cli_show {
    sim_time *at;       /* --at, ascending after cli_show_prepare */
    size_t n_at, cap_at;
    char **views;       /* the --show lists split on ';' */
    int *view_col;      /* each view's column in its --show argument */
    const char **view_arg; /* the --show argument it came from */
    size_t n_views, cap_views;
    FILE *out;
} cli_show;

/* --at VALUE / --show VALUE: false after a message on stderr. */
bool cli_show_add_at(cli_show *c, const char *val);
bool cli_show_add_views(cli_show *c, const char *val);
/* After the options: both given or neither, every --at within the
 * scenario, every view valid for it (checked on the world built at 0);
 * sets opt's stops (and record_all when a view reads the run record:
 * packets, why). false after a message on stderr (exit 2). */
bool cli_show_prepare(cli_show *c, const hs_scenario *s, hs_run_options *opt);
void cli_show_free(cli_show *c);

#endif
