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
    FILE *table;      /* readable table goes here; NULL: no table */
} bench_options;

typedef struct bench_result {
    const char *bench;  /* "engine", "handshake", "transport" */
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

/* Monotonic clock in ns (CLOCK_MONOTONIC; bench/ and cli/ only). */
int64_t bench_clock_ns(void);

/* Writes the one-line JSON form of r (with a newline) to out. */
void bench_print_json(FILE *out, const bench_result *r);

#endif
