/*
 * cmd_validate.c — `wgsim validate PATH...`: load and check scenario files
 * (directories: the *.yaml / *.yml below them, as `wgsim test` finds them)
 * without running them. Errors go to stderr as FILE:LINE:COL: message; the
 * exit status is 2 when any file has an error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/scenario_files.h"
#include "harness/harness.h"

int cmd_validate(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: wgsim validate [--strict] PATH...\n\n"
               "Loads each scenario file (directories: every *.yaml and *.yml below them,\n"
               "sorted) and checks it (syntax, keys, types, references, addresses, times,\n"
               "timeline commands) without running it, then warns where a valid file is\n"
               "almost certainly not what was meant (CARP members of one vhid with equal\n"
               "priority, a pfsync pair whose CARP or WireGuard setup differs, ...). Prints\n"
               "'FILE: ok (N nodes, M events, K expectations)' per valid file on stdout,\n"
               "FILE:LINE:COL: message per error and FILE:LINE:COL: warning: message [rule]\n"
               "per warning on stderr (up to 20 of each per file).\n\n"
               "exit status: 0 all files valid, 2 an error in any file (with --strict: or a\n"
               "warning), a path that cannot be read or is not a regular file, a directory\n"
               "with no scenario file below it, or bad usage.\n\n"
               "options:\n"
               "  --strict        a warning is an error: the file is not ok (exit 2)\n"
               "  -h, --help      this text\n");
        return 0;
    }
    int status = 0;
    bool strict = false;
    int paths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "wgsim validate: unknown option '%s'\n", argv[i]);
            return 2;
        } else {
            paths++;
        }
    }
    if (!paths) {
        fprintf(stderr, "usage: wgsim validate [--strict] PATH...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--strict"))
            continue;
        cli_files files = {0};
        if (!cli_files_collect("validate", argv[i], &files))
            status = 2;
        for (size_t k = 0; k < files.n; k++) {
            const char *path = files.v[k];
            hs_diag d;
            hs_diag_init(&d, path);
            hs_scenario *s = hs_load_file(path, &d);
            if (s) {
                hs_diag w;
                hs_diag_init(&w, path);
                hs_lint(s, &w);
                size_t nw = hs_diag_count(&w);
                char warned[48] = "";
                if (nw)
                    snprintf(warned, sizeof warned, ", %zu warning%s", nw, nw == 1 ? "" : "s");
                if (!strict || !nw)
                    printf("%s: ok (%zu node%s, %zu event%s, %zu expectation%s%s)\n", path, s->n_nodes,
                           s->n_nodes == 1 ? "" : "s", s->n_events, s->n_events == 1 ? "" : "s", s->n_expects,
                           s->n_expects == 1 ? "" : "s", warned);
                fflush(stdout);
                hs_diag_print(&w, stderr);
                if (strict && nw)
                    status = 2;
                hs_diag_free(&w);
                hs_scenario_free(s);
            } else {
                fflush(stdout);
                hs_diag_print(&d, stderr);
                status = 2;
            }
            hs_diag_free(&d);
        }
        cli_files_free(&files);
    }
    return status;
}
