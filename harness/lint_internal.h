/*
 * lint_internal.h — what the linter's files share (hs_lint, harness.h).
 * A rule reads the loaded scenario and adds warnings; it never changes
 * the scenario and never refuses it (the loader refuses what cannot be
 * meant; the linter points at what is valid but almost certainly not
 * meant). docs/scenario-language.md "Warnings" lists every rule.
 */
#ifndef HARNESS_LINT_INTERNAL_H
#define HARNESS_LINT_INTERNAL_H

#include "harness/internal.h"

/* Adds a warning at `at`; the message ends with " [rule]". */
__attribute__((format(printf, 4, 5))) void lint_warn(hs_diag *d, hs_loc at, const char *rule, const char *fmt, ...);

/* Where a warning about CARP entry c points: the entry, or the `like:`
 * that copied it whole (the place to change it). */
hs_loc lint_carp_where(const hs_carp *c);

/* Whether nodes a and b name each other as pfsync peers. */
bool lint_pfsync_pair(const hs_scenario *s, size_t a, size_t b);

void lint_carp(const hs_scenario *s, hs_diag *d);     /* lint_carp.c */
void lint_ha_pairs(const hs_scenario *s, hs_diag *d); /* lint_ha_pair.c */
void lint_gateways(const hs_scenario *s, hs_diag *d); /* lint_gateways.c */

#endif
