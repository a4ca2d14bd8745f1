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

#endif /* REPORTS_JSON_DOC_H */
