/*
 * scenario_files.c — the directory walk of `wgsim test` and `wgsim list`
 * (see scenario_files.h).
 */
#include "cli/scenario_files.h"
#include "sim/sim.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cli_files_add(cli_files *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            sim_oom("listing scenario files");
    }
    if (!(l->v[l->n++] = strdup(path)))
        sim_oom("listing scenario files");
}

void cli_files_free(cli_files *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    *l = (cli_files){0};
}

static bool is_scenario_name(const char *s)
{
    size_t l = strlen(s);
    return (l > 5 && !strcmp(s + l - 5, ".yaml")) || (l > 4 && !strcmp(s + l - 4, ".yml"));
}

/* The directories being walked, innermost first: stat() follows symbolic
 * links, so a link back to an ancestor (dir/loop -> .) would otherwise be
 * entered again and again until the path is too long, every scenario below
 * it collected once per level. */
typedef struct walk_dir {
    dev_t dev;
    ino_t ino;
    const char *path;
    const struct walk_dir *up;
} walk_dir;

static bool walk(const char *cmd, const char *path, cli_files *out, const walk_dir *up)
{
    bool top = up == NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        /* strerror: a symbolic link loop is ELOOP, "Too many levels of
         * symbolic links", not "no such file" */
        fprintf(stderr, "wgsim %s: %s: %s\n", cmd, path, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        /* named on the command line: taken whatever its name, and the
         * loader says what is wrong with it (a FIFO, a device) */
        if (top || S_ISREG(st.st_mode)) {
            cli_files_add(out, path);
            return true;
        }
        /* a FIFO named x.yaml in a scenario directory: not opened (it could
         * block), but said, so the suite does not silently lose a file */
        fprintf(stderr, "wgsim %s: %s: is not a regular file (a FIFO, a device or a socket), not read\n", cmd, path);
        return false;
    }
    for (const walk_dir *a = up; a; a = a->up)
        if (a->dev == st.st_dev && a->ino == st.st_ino) {
            fprintf(stderr, "wgsim %s: %s: the directory %s again (a symbolic link loop), not searched twice\n", cmd,
                    path, a->path);
            return true;
        }
    walk_dir here = {.dev = st.st_dev, .ino = st.st_ino, .path = path, .up = up};
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "wgsim %s: %s: cannot read the directory\n", cmd, path);
        return false;
    }
    bool ok = true;
    size_t pl = strlen(path);
    const char *sep = pl && path[pl - 1] == '/' ? "" : "/";
    for (int i = 0; i < n; i++) {
        const char *e = names[i]->d_name;
        if (e[0] != '.') {
            size_t need = pl + strlen(sep) + strlen(e) + 1;
            char *sub = malloc(need);
            if (!sub)
                sim_oom("listing scenario files");
            snprintf(sub, need, "%s%s%s", path, sep, e);
            struct stat s2;
            /* a *.yaml that cannot be stat()ed (a dangling link, a link
             * loop) is walked so the error is said */
            if (stat(sub, &s2) == 0 ? S_ISDIR(s2.st_mode) || is_scenario_name(e) : is_scenario_name(e))
                ok &= walk(cmd, sub, out, &here);
            free(sub);
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

bool cli_files_collect(const char *cmd, const char *path, cli_files *out)
{
    size_t before = out->n;
    if (!walk(cmd, path, out, NULL))
        return false;
    if (out->n == before) {
        /* validate and list printed nothing and exited 0: a wrong directory
         * looked like a suite of valid files */
        fprintf(stderr, "wgsim %s: %s: no scenario file (*.yaml, *.yml) in this directory or below\n", cmd, path);
        return false;
    }
    return true;
}
