/*
 * command_table.c — the list of subcommands. A command appears here only
 * once it does its job.
 */
#include "cli/commands.h"

int cmd_test(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_merge(int argc, char **argv);

const wgsim_command wgsim_commands[] = {
    {"test", "run scenario files and report PASS/FAIL per scenario", cmd_test},
    {"run", "run one scenario: its timeline (why the tunnel moved) and every verdict", cmd_run},
    {"explore", "a shell on a scenario's world: step through it, inject commands, inspect, go back in time", cmd_explore},
    {"merge", "join the --json results of a suite's shards (wgsim test --shard K/N) into one", cmd_merge},
    {"report", "compare two saved --json results: regressions, newly passing, added, removed", cmd_report},
    {"bench", "benchmarks side by side with their baselines (engine, handshake, transport, scenario, hub, scale, scale-udp)", cmd_bench},
    {"import", "build a scenario from firewall configuration backups (pfSense or OPNsense config.xml; one firewall or an HA pair)", cmd_import},
    {"validate", "check scenario files without running them (file:line:col errors)", cmd_validate},
    {"list", "list scenarios: name, claim, description", cmd_list},
    {"peer", "run the WireGuard core on real UDP sockets against a real peer (interop)", cmd_peer},
    {NULL, NULL, NULL},
};
