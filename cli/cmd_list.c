/*
 * cmd_list.c — `wgsim list PATH...`: the scenarios under each path
 * (directories searched recursively for *.yaml, in sorted order), one block
 * per scenario: name, claim, file, description. Files that do not load are
 * reported with their errors and make the exit status 2.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
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

static int has_yaml_suffix(const char *name)
{
    size_t l = strlen(name);
    /* the same files as `wgsim test` takes */
    return (l > 5 && !strcmp(name + l - 5, ".yaml")) || (l > 4 && !strcmp(name + l - 4, ".yml"));
}

static int walk(const char *path, int top, int *nblocks)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "wgsim list: %s: no such file or directory\n", path);
        return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (top || has_yaml_suffix(path))
            return list_file(path, nblocks);
        return 0;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "wgsim list: %s: cannot read directory\n", path);
        return 2;
    }
    int status = 0;
    for (int i = 0; i < n; i++) {
        const char *e = names[i]->d_name;
        if (e[0] != '.') {
            size_t need = strlen(path) + strlen(e) + 2;
            char *sub = malloc(need);
            if (!sub)
                abort();
            snprintf(sub, need, "%s/%s", path, e);
            struct stat s2;
            if (stat(sub, &s2) == 0 && (S_ISDIR(s2.st_mode) || has_yaml_suffix(e))) {
                int r = walk(sub, 0, nblocks);
                if (r)
                    status = r;
            }
            free(sub);
        }
        free(names[i]);
    }
    free(names);
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
        int r = walk(argv[i], 1, &nblocks);
        if (r)
            status = r;
    }
    return status;
}
