/*
 * bench_paths.c — where the benchmarks' files are: found beside the running
 * program, never compiled in, so an installed wgsim does not reach into the
 * tree it was built from (issue 23) and a build tree still finds its own.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *bench_beside_program(const char *const rel[], size_t n, bool dir, char *buf, size_t cap)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return NULL;
    exe[len] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int w = snprintf(buf, cap, "%s/%s", exe, rel[i]);
        if (w < 0 || (size_t)w >= cap || stat(buf, &st) != 0)
            continue;
        if (dir ? S_ISDIR(st.st_mode) : (S_ISREG(st.st_mode) && access(buf, X_OK) == 0))
            return buf;
    }
    return NULL;
}
