/*
 * suite_run.h — the main() tail shared by the sim tests: run a Check suite
 * (CK_NORMAL output) and turn its failures into the exit status CTest reads.
 */
#ifndef SUITE_RUN_H
#define SUITE_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int T_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
