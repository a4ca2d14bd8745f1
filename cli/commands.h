/*
 * commands.h — the subcommands of the wgsim program. Each lives in its own
 * cli/cmd_*.c file and returns the process exit status
 * (0 ok, 1 an expectation/check failed, 2 bad input or usage).
 */
#ifndef WGSIM_CLI_COMMANDS_H
#define WGSIM_CLI_COMMANDS_H

#include <stdio.h>

typedef struct wgsim_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} wgsim_command;

/* The table, terminated by a NULL name (cli/main.c). */
extern const wgsim_command wgsim_commands[];

void wgsim_usage(FILE *out);

#endif
