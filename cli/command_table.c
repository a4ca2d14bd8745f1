/*
 * command_table.c — the list of subcommands. A command appears here only
 * once it does its job.
 */
#include "cli/commands.h"

int cmd_test(int argc, char **argv);

const wgsim_command wgsim_commands[] = {
    {"test", "run scenario files and report PASS/FAIL per scenario", cmd_test},
    {NULL, NULL, NULL},
};
