/*
 * cmd_list.c — `wgsim list PATH...`: the scenarios under each path
 * (directories searched recursively for *.yaml, in sorted order), one block
 * per scenario: name, claim, file, description. Files that do not load are
 * reported with their errors and make the exit status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/scenario_files.h"
#include "harness/harness.h"

static int list_file(const char *path, int *nblocks)
{
    hs_diag d;
    hs_diag_init(&d, path);
    hs_scenario *s = hs_load_file(path, &d);
    int status = 0;
    if (!s) {
        fflush(stdout);
        hs_diag_print(&d, stderr);
        status = 2;
    } else {
        if ((*nblocks)++)
            printf("\n");
        printf("%s", s->name);
        if (s->claim)
            printf("  (claim %s)", s->claim);
        printf("\n    file: %s\n", path);
        if (s->description) {
            /* indent every line of a multi-line description */
            const char *p = s->description;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                if (n)
                    printf("    %.*s\n", (int)n, p);
                p += n + (nl ? 1 : 0);
            }
        }
        hs_scenario_free(s);
    }
    hs_diag_free(&d);
    return status;
}

int cmd_list(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: wgsim list PATH...\n\n"
               "Lists the scenarios in each file or directory (recursively, *.yaml and\n"
               "*.yml, sorted): name, claim, file and description. Files with errors are\n"
               "reported on stderr as FILE:LINE:COL: message.\n\n"
               "exit status: 0 every file loaded, 2 a file with errors, a missing path or\n"
               "bad usage.\n\n"
               "options:\n"
               "  -h, --help      this text\n");
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: wgsim list PATH...\n");
        return 2;
    }
    int status = 0, nblocks = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "wgsim list: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        cli_files files = {0};
        if (!cli_files_collect("list", argv[i], &files))
            status = 2;
        for (size_t k = 0; k < files.n; k++)
            if (list_file(files.v[k], &nblocks))
                status = 2;
        cli_files_free(&files);
    }
    return status;
}
