/*
 * json_doc.h — inside libreports: the `--json` document as a jansson value,
 * so that a comparison with a baseline (compare.c) reads this run through
 * the same code that reads a saved file: what `wgsim test --baseline`
 * reports and what `wgsim report OLD NEW` reports cannot drift apart.
 */
#ifndef REPORTS_JSON_DOC_H
#define REPORTS_JSON_DOC_H

#include <jansson.h>

#include "harness/result.h"

/* The document rp_write_json writes (a new reference; json_decref it). */
json_t *rp_json_document(hs_result *const *results, size_t n);
/* Writes root to path (indented, keys in order) and releases it; false
 * with "PATH: cannot write JSON (reason)" in err. */
bool rp_json_dump(json_t *root, const char *path, char *err, size_t errlen);
/* A JSON string of s; text that is not UTF-8 keeps its ASCII, every other
 * byte shown as '?' (jansson refuses it). */
json_t *rp_json_text(const char *s);

/* rp_json_text, or JSON null for NULL. */
json_t *rp_json_text_or_null(const char *s);
/* A scenario's "drawing" (a shard's --json only; docs/reports.md): its
 * topology, timeline series and sequence diagram, which the HTML report
 * draws and the phase table and expectations do not hold. */
json_t *rp_drawing_json(const hs_result *r);
/* hs_mark_kind's names in "drawing" */
extern const char *const rp_mark_kinds[4];

/* A loaded result's document (borrowed: valid while s is). */
typedef struct rp_result_set rp_result_set;
json_t *rp_result_set_root(const rp_result_set *s);
/* A scenario object of a checked document read back as a result
 * (json_read.c): what the JUnit, Markdown and HTML writers and the
 * summary read: the phase table, and the "drawing" when the object has
 * one; no timeline. The caller frees it (hs_result_free). NULL with what
 * is wrong in err when the phase table or the drawing is damaged (an
 * index out of range, a name that is not a string). */
hs_result *rp_result_from_json(json_t *scenario, char *err, size_t errlen);
/* A result set over a document (a new reference is taken), as
 * rp_result_set_load would give it. */
rp_result_set *rp_result_set_of(json_t *root);

#endif /* REPORTS_JSON_DOC_H */
