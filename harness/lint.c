/*
 * lint.c — hs_lint: the warnings of a loaded scenario, rule by rule (one
 * file per subject: lint_carp.c, lint_ha_pair.c, lint_gateways.c), and
 * what the rules share.
 */
#include "harness/lint_internal.h"
#include "sim/sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void lint_warn(hs_diag *d, hs_loc at, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int r = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (r < 0)
        sim_oom("formatting a warning");
    hs_diag_add(d, at, "%s [%s]", msg, rule);
    free(msg);
}

hs_loc lint_carp_where(const hs_carp *c)
{
    return c->inherited.line ? c->inherited : c->loc;
}

bool lint_pfsync_pair(const hs_scenario *s, size_t a, size_t b)
{
    const hs_pfsync *p = &s->nodes[a].pfsync, *q = &s->nodes[b].pfsync;
    return a != b && p->enabled && q->enabled && p->peer == (int)b && q->peer == (int)a;
}

void hs_lint(const hs_scenario *s, hs_diag *d)
{
    d->warnings = true;
    lint_carp(s, d);
    lint_ha_pairs(s, d);
    lint_gateways(s, d);
}
