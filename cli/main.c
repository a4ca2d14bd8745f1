/*
 * main.c — the wgsim program: dispatches to one subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli/build_commit.h"
#include "cli/commands.h"
#include "cli/huge_pages.h"
#include "cli/run_options.h"
#include "harness/harness.h"
#include "wgnode/wgnode.h"

#ifndef WGSIM_VERSION
#define WGSIM_VERSION "unknown"
#endif
#ifdef WGSIM_NS3_VERSION
#define WGSIM_VERSION_NS3 "ns-3 engine: yes (ns-3 " WGSIM_NS3_VERSION ")"
#else
#define WGSIM_VERSION_NS3 "ns-3 engine: no (built with -DWGSIM_WITH_NS3=OFF)"
#endif

void wgsim_usage(FILE *out)
{
    fprintf(out, "usage: wgsim <command> [options] [args]\n"
                 "       wgsim --help | --version\n\ncommands:\n");
    for (const wgsim_command *c = wgsim_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'wgsim <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (!cli_huge_pages(argv))
        return 2;
    if (argc < 2) {
        wgsim_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        wgsim_usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        /* the commit is what `git describe --always --dirty` said at the last
         * build ("unknown" outside git): enough to rebuild the same binary */
        printf("wgsim %s (commit %s)\n%s\nheap: %s\n", WGSIM_VERSION, wgsim_git_commit, WGSIM_VERSION_NS3,
               cli_huge_pages_said());
        return 0;
    }
    if (wg_crypto_init() != 0) {
        fprintf(stderr, "wgsim: cannot initialise libsodium\n");
        return 2;
    }
    cli_oom_install();
    for (const wgsim_command *c = wgsim_commands; c->name; c++)
        if (!strcmp(c->name, cmd))
            return c->run(argc - 1, argv + 1);
    /* a typo ('tset', 'valdate') gets the same did-you-mean as a scenario file's keys */
    const char *names[32];
    size_t n = 0;
    for (const wgsim_command *c = wgsim_commands; c->name && n < sizeof names / sizeof *names; c++)
        names[n++] = c->name;
    const char *close = hs_closest(cmd, names, n);
    if (close)
        fprintf(stderr, "wgsim: unknown command '%s'; did you mean '%s'?\n\n", cmd, close);
    else
        fprintf(stderr, "wgsim: unknown command '%s'\n\n", cmd);
    wgsim_usage(stderr);
    return 2;
}
