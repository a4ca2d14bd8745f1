/*
 * fuzz_check.h — the check every fuzz target uses: a failed invariant
 * prints what failed and aborts, which libFuzzer reports as a crash with
 * the input saved. Define FZ_TARGET (the target's name, a string literal)
 * before including.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#ifndef FZ_TARGET
#error "define FZ_TARGET before including fuzz_check.h"
#endif

#define FZ_CHECK(cond, ...)                                                                                   \
    do {                                                                                                      \
        if (!(cond)) {                                                                                        \
            fprintf(stderr, FZ_TARGET ": check failed: %s: ", #cond);                                         \
            fprintf(stderr, __VA_ARGS__);                                                                     \
            fputc('\n', stderr);                                                                              \
            abort();                                                                                          \
        }                                                                                                     \
    } while (0)

#endif /* FUZZ_CHECK_H */
