/*
 * import_samples.h — what the import library's tests share: the sample
 * backups of tests/import/ and reading one that must read without error.
 */
#ifndef WGSIM_TESTS_IMPORT_SAMPLES_H
#define WGSIM_TESTS_IMPORT_SAMPLES_H

#include <check.h>

#include "import/import.h"

#define SAMPLE(f) WGSIM_SOURCE_DIR "/tests/import/" f

static inline imp_fw *read_ok(const char *path)
{
    imp_errors e = {0};
    imp_fw *fw = imp_read_file(path, &e);
    ck_assert_msg(fw && !e.lines.n, "%s: %s", path, e.lines.n ? e.lines.v[0] : "NULL");
    imp_errors_free(&e);
    return fw;
}

#endif
