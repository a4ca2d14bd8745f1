/*
 * scenario_files.h — the scenario files under the paths given to `wgsim
 * test` and `wgsim list`: a file named on the command line is taken as is,
 * a directory is searched recursively for *.yaml and *.yml (hidden entries
 * skipped), in sorted order; a symbolic link back to a directory being
 * searched is reported on stderr and not followed. One walk, so both
 * commands see the same files.
 */
#ifndef WGSIM_CLI_SCENARIO_FILES_H
#define WGSIM_CLI_SCENARIO_FILES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_files {
    char **v;
    size_t n, cap;
} cli_files;

void cli_files_add(cli_files *l, const char *path);
/* Appends the scenario files under `path`. A missing path or a directory
 * that cannot be read, a directory with no scenario file below it, and a
 * *.yaml below it that is not a regular file (a FIFO) are printed as
 * "wgsim CMD: PATH: ..." and the walk goes on; returns false when that
 * happened. */
bool cli_files_collect(const char *cmd, const char *path, cli_files *out);
void cli_files_free(cli_files *l);

#endif
