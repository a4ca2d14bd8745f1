/*
 * cmd_bench.c — `wgsim bench [NAME...] [--json] [--quick]`: the
 * side-by-side benchmarks of bench/ (engine vs ns-3, handshake vs raw
 * primitives, transport vs raw libsodium). No name runs them all.
 * Exit 0 when every benchmark ran (targets are reported, not enforced),
 * 2 for usage errors or a benchmark that cannot run in this build.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/commands.h"

typedef struct bench_entry {
    const char *name;
    int (*run)(const bench_options *o, bench_result *r);
    const char *what;
} bench_entry;

static const bench_entry benches[] = {
    {"engine", bench_engine, "hold-model event throughput: native engine vs ns-3's schedulers"},
    {"handshake", bench_handshake, "full WireGuard handshake vs its raw X25519/BLAKE2s/AEAD calls"},
    {"transport", bench_transport, "1420-byte packets encrypt+decrypt vs raw ChaCha20-Poly1305"},
};
#define N_BENCHES (sizeof benches / sizeof benches[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim bench [NAME...] [--json] [--quick]\n\n"
                 "Runs each named benchmark (all when none is named) with its baseline\n"
                 "in the same process and prints ours, baseline and their ratio.\n\n"
                 "  --json   one JSON line per benchmark:\n"
                 "           {\"bench\": NAME, \"ours\": X, \"baseline\": Y, \"unit\": U, \"ratio\": R, \"target\": T}\n"
                 "  --quick  tiny workloads (checks that everything runs; figures are meaningless)\n\n"
                 "benchmarks:\n");
    for (size_t i = 0; i < N_BENCHES; i++)
        fprintf(out, "  %-10s %s\n", benches[i].name, benches[i].what);
}

int cmd_bench(int argc, char **argv)
{
    bool json = false, quick = false;
    bool selected[N_BENCHES] = {false};
    size_t n_selected = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--quick")) {
            quick = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "wgsim bench: unknown option '%s'\n\n", a);
            usage(stderr);
            return 2;
        } else {
            size_t k = 0;
            while (k < N_BENCHES && strcmp(benches[k].name, a))
                k++;
            if (k == N_BENCHES) {
                fprintf(stderr, "wgsim bench: unknown benchmark '%s'\n\n", a);
                usage(stderr);
                return 2;
            }
            if (!selected[k])
                n_selected++;
            selected[k] = true;
        }
    }
    bench_options o = {.quick = quick, .table = json ? NULL : stdout};
    int status = 0;
    for (size_t k = 0; k < N_BENCHES; k++) {
        if (n_selected && !selected[k])
            continue;
        bench_result r;
        int rc = benches[k].run(&o, &r);
        if (rc) {
            status = rc;
            continue;
        }
        if (json) {
            bench_print_json(stdout, &r);
        } else {
            printf("%s: ours %.6g %s, baseline %.6g %s, ratio %.3f (target %s)\n\n", r.bench, r.ours, r.unit,
                   r.baseline, r.unit, r.ratio, r.target);
        }
        fflush(stdout);
    }
    return status;
}
