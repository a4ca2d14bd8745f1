/*
 * bench.h — libbench: side-by-side benchmarks (ours vs a baseline measured
 * in the same process run), reachable as `wgsim bench NAME... [--json]`.
 *
 * Every benchmark fills one bench_result; `--json` prints it as one line
 *   {"bench": NAME, "ours": X, "baseline": Y, "unit": U, "ratio": R, "target": T}
 * and without `--json` the benchmark prints a readable table first.
 * Performance targets are reported, never asserted: the program exits 0
 * whether a target is met or not (docs/performance.md records them).
 */
#ifndef WGSIM_BENCH_H
#define WGSIM_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct bench_options {
    bool quick;       /* tiny counts: checks the plumbing, not the speed */
    bool full;        /* hub: the target's literal size (10,000 peers, one hour) */
    FILE *table;      /* readable table goes here; NULL: no table */
    /* scenario: the 3-minute HA scenario and the files of the whole suite.
     * The cli finds them (its one directory walk, cli/scenario_files.c)
     * so that bench/ walks no directory of its own. */
    const char *ha_scenario;
    const char *const *suite_files;
    size_t n_suite_files;
    /* scale, scale-udp: the numbers of hosts to run (n_peers 0: the
     * benchmark's own list) and the simulated seconds (0: its default). */
    const size_t *peers;
    size_t n_peers;
    int seconds;
    bool no_cache_hints; /* scale, scale-udp: sim_cache_hints_enable(w, false) */
    int repeat;          /* scale: rounds of every N (0: its default, 3; 1 with quick), 1..9 */
} bench_options;

typedef struct bench_result {
    const char *bench;  /* "engine", "handshake", "transport", "scenario", "hub", "hub-memory", "scale", ... */
    double ours;
    double baseline;
    const char *unit;   /* "events/s", "us/handshake", "MB/s" */
    double ratio;
    const char *target; /* ">= 4", "<= 1.3", ">= 0.8" */
} bench_result;

/* Each returns 0, or 2 with a message on stderr when it cannot run
 * (e.g. the engine benchmark in a build without ns-3). */
int bench_engine(const bench_options *o, bench_result *r);
int bench_handshake(const bench_options *o, bench_result *r);
int bench_transport(const bench_options *o, bench_result *r);
/* scenario: simulated seconds per wall second of the HA scenario (needs
 * o->ha_scenario; the suite time goes to the table only). */
int bench_scenario(const bench_options *o, bench_result *r);
/* The first of rel[] (paths relative to the running program's directory)
 * that is a directory (dir) or an executable file, written into buf; NULL
 * when none is (bench_paths.c). */
const char *bench_beside_program(const char *const rel[], size_t n, bool dir, char *buf, size_t cap);
/* The scenarios/ directory found beside the program (bench_scenario.c), and
 * the HA scenario's path below it. */
const char *bench_scenarios_dir(void);
#define BENCH_HA_SCENARIO "conformance/c4-maintenance-mode-roams-remote.yaml"
/* hub: two results, r[0] CPU time vs the crypto lower bound ("hub"),
 * r[1] heap bytes per peer vs 4 KiB ("hub-memory"). */
#define BENCH_HUB_RESULTS 2
int bench_hub(const bench_options *o, bench_result r[BENCH_HUB_RESULTS]);

/* scale: a hub firewall and N WireGuard hosts pinging through their
 * tunnels (N = 100, 1,000, 10,000 by default), each N in a child process:
 * r[0] wall time vs the crypto lower bound ("scale"), r[1] peak RSS per
 * peer vs 16 KiB ("scale-memory"), r[2] wall time growth from N/10 to N
 * ("scale-growth", only when that pair ran). scale-udp: the same
 * topology with a UDP echo against an ns-3 program (N = 100, 1,000):
 * r[0] simulated s per wall s vs ns-3's ("scale-udp"), r[1] peak RSS vs
 * ns-3's ("scale-udp-memory"); each at the weaker N. */
#define BENCH_SCALE_RESULTS 3
#define BENCH_SCALE_UDP_RESULTS 2
int bench_scale(const bench_options *o, bench_result r[BENCH_SCALE_RESULTS], size_t *n_results);
int bench_scale_udp(const bench_options *o, bench_result r[BENCH_SCALE_UDP_RESULTS], size_t *n_results);

/* Monotonic clock in ns (CLOCK_MONOTONIC; bench/ and cli/ only). */
int64_t bench_clock_ns(void);

/* Writes the one-line JSON form of r (with a newline) to out. */
void bench_print_json(FILE *out, const bench_result *r);

#endif
