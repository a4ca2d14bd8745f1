/*
 * cmd_bench.c — `wgsim bench [NAME...] [--json] [--quick] [--full]
 * [--scenarios DIR] [--peers N,...] [--seconds S]`: the side-by-side benchmarks of bench/ (engine vs
 * ns-3, handshake vs raw primitives, transport vs raw libsodium, a
 * scenario vs real time, a 10,000-peer hub vs its crypto lower bound and
 * 4 KiB per peer, a world of N WireGuard hosts vs its crypto and 16 KiB per
 * peer, and its UDP echo vs ns-3). No name runs them all.
 * Exit 0 when every benchmark ran (targets are reported, not enforced),
 * 2 for usage errors or a benchmark that cannot run in this build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench.h"
#include "cli/commands.h"
#include "cli/scenario_files.h"
#include "sim/sim.h"

/* Most benchmarks give one result; hub gives two (CPU and memory). */
static int run_hub(const bench_options *o, bench_result *r, size_t *n)
{
    *n = BENCH_HUB_RESULTS;
    return bench_hub(o, r);
}
#define ONE_RESULT(fn)                                                                                       \
    static int run_##fn(const bench_options *o, bench_result *r, size_t *n)                                 \
    {                                                                                                        \
        *n = 1;                                                                                              \
        return bench_##fn(o, r);                                                                             \
    }
static int run_scale(const bench_options *o, bench_result *r, size_t *n) { return bench_scale(o, r, n); }
static int run_scale_udp(const bench_options *o, bench_result *r, size_t *n) { return bench_scale_udp(o, r, n); }
ONE_RESULT(engine)
ONE_RESULT(handshake)
ONE_RESULT(transport)
ONE_RESULT(scenario)
#define MAX_RESULTS 3
/* cmd_bench's result array holds MAX_RESULTS; these write up to this many. */
_Static_assert(BENCH_HUB_RESULTS <= MAX_RESULTS, "raise MAX_RESULTS to the hub's result count");
_Static_assert(BENCH_SCALE_RESULTS <= MAX_RESULTS, "raise MAX_RESULTS to scale's result count");
_Static_assert(BENCH_SCALE_UDP_RESULTS <= MAX_RESULTS, "raise MAX_RESULTS to scale-udp's result count");

typedef struct bench_entry {
    const char *name;
    int (*run)(const bench_options *o, bench_result *r, size_t *n);
    const char *what;
} bench_entry;

static const bench_entry benches[] = {
    {"engine", run_engine, "hold-model event throughput: native engine vs ns-3's schedulers"},
    {"handshake", run_handshake, "full WireGuard handshake vs its raw X25519/BLAKE2s/AEAD calls"},
    {"transport", run_transport, "1420-byte packets encrypt+decrypt vs raw ChaCha20-Poly1305"},
    {"scenario", run_scenario, "3-minute HA scenario: simulated s per wall s; suite time on 2 threads"},
    {"hub", run_hub, "hub with 10,000 peers: CPU vs its raw crypto, heap bytes per peer"},
    {"scale", run_scale, "hub firewall + N WireGuard hosts pinging (N to 10,000): wall vs crypto, RSS/peer"},
    {"scale-udp", run_scale_udp, "hub + N hosts, UDP echo: wgsim vs an ns-3 program, time and peak RSS"},
};
#define N_BENCHES (sizeof benches / sizeof benches[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim bench [NAME...] [--json] [--quick] [--full] [--scenarios DIR]\n"
                 "                   [--peers N[,N...]] [--seconds S] [--repeat K] [--no-cache-hints]\n\n"
                 "Runs each named benchmark (all when none is named) with its baseline\n"
                 "in the same process and prints ours, baseline and their ratio.\n\n"
                 "  --json   one JSON line per result (hub: two, \"hub\" and \"hub-memory\"):\n"
                 "           {\"bench\": NAME, \"ours\": X, \"baseline\": Y, \"unit\": U, \"ratio\": R, \"target\": T}\n"
                 "  --quick  tiny workloads (checks that everything runs; figures are meaningless)\n"
                 "  --full   hub: the target's literal size, 10,000 peers for one simulated hour\n"
                 "           (minutes of run time; the default simulates 15 minutes)\n"
                 "  --scenarios DIR\n"
                 "           scenario: the suite to time (default: share/wgsim/scenarios/ beside an\n"
                 "           installed wgsim's bin/, or ../scenarios/ beside build/wgsim);\n"
                 "           the HA scenario is DIR/" BENCH_HA_SCENARIO "\n"
                 "  --peers N[,N...]\n"
                 "           scale, scale-udp: these numbers of hosts (default 100,1000,10000 and\n"
                 "           100,1000; --quick 10,100), each in its own child process\n"
                 "  --seconds S\n"
                 "           scale, scale-udp: simulated seconds (default 600; --quick 30)\n"
                 "  --repeat K\n"
                 "           scale: K rounds of every N, 1..9 (default 3; --quick 1); the targets\n"
                 "           read the fastest run of each N against the lowest bound, and the\n"
                 "           table shows every run and the median\n"
                 "  --no-cache-hints\n"
                 "           scale, scale-udp: without the simulator's prefetch hints (to measure\n"
                 "           what they are worth; results are otherwise identical)\n\n"
                 "benchmarks:\n");
    for (size_t i = 0; i < N_BENCHES; i++)
        fprintf(out, "  %-10s %s\n", benches[i].name, benches[i].what);
}

/* The suite and the HA scenario for `bench scenario`; false (with a
 * message) when the directory or the HA file is missing. */
static bool find_scenarios(const char *dir, cli_files *suite, char **ha)
{
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/') /* no "dir//conformance" */
        dlen--;
    size_t len = dlen + 1 + strlen(BENCH_HA_SCENARIO) + 1;
    *ha = malloc(len);
    if (!*ha)
        sim_oom("finding the benchmark's scenario");
    snprintf(*ha, len, "%.*s/%s", (int)dlen, dir, BENCH_HA_SCENARIO);
    struct stat st;
    if (stat(*ha, &st) || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "wgsim bench scenario: %s: no such file (give the suite with --scenarios DIR)\n", *ha);
        return false;
    }
    return cli_files_collect("bench", dir, suite);
}

/* "N[,N...]" of positive counts into out (at most max); false if malformed. */
static bool parse_peers(const char *s, size_t *out, size_t max, size_t *n)
{
    *n = 0;
    for (;;) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || errno || v == 0 || v > 1000000 || *n == max || (*end && *end != ',') || *s == '-')
            return false;
        out[(*n)++] = (size_t)v;
        if (!*end)
            return true;
        s = end + 1;
    }
}

/* The value after the option argv[*i], a whole number in lo..hi (*i then
 * moves past it), or -1 when it is missing or not such a number. */
static long int_option(int argc, char **argv, int *i, long lo, long hi)
{
    if (*i + 1 >= argc)
        return -1;
    const char *s = argv[*i + 1];
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    ++*i;
    return v;
}

int cmd_bench(int argc, char **argv)
{
    bool json = false, quick = false, full = false;
    size_t peers[8], n_peers = 0;
    int seconds = 0;
    bool no_hints = false;
    int repeat = 0;
    const char *scenarios = NULL;
    bool selected[N_BENCHES] = {false};
    size_t n_selected = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--quick")) {
            quick = true;
        } else if (!strcmp(a, "--full")) {
            full = true;
        } else if (!strcmp(a, "--scenarios")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wgsim bench: --scenarios needs a directory\n");
                return 2;
            }
            scenarios = argv[++i];
        } else if (!strcmp(a, "--peers")) {
            if (i + 1 >= argc || !parse_peers(argv[i + 1], peers, sizeof peers / sizeof *peers, &n_peers)) {
                fprintf(stderr, "wgsim bench: --peers needs a list of 1 to 8 counts, 1..1000000, e.g. 100,1000\n");
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--seconds")) {
            long v = int_option(argc, argv, &i, 1, 86400);
            if (v < 0) {
                fprintf(stderr, "wgsim bench: --seconds needs a number of simulated seconds, 1..86400\n");
                return 2;
            }
            seconds = (int)v;
        } else if (!strcmp(a, "--repeat")) {
            long v = int_option(argc, argv, &i, 1, 9);
            if (v < 0) {
                fprintf(stderr, "wgsim bench: --repeat needs a number of rounds, 1..9\n");
                return 2;
            }
            repeat = (int)v;
        } else if (!strcmp(a, "--no-cache-hints")) {
            no_hints = true;
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
    if (quick && full) {
        fprintf(stderr, "wgsim bench: --quick and --full exclude each other\n");
        return 2;
    }
    bench_options o = {.quick = quick, .full = full, .table = json ? NULL : stdout, .peers = peers,
                       .n_peers = n_peers, .seconds = seconds, .no_cache_hints = no_hints,
                       .repeat = repeat};
    int status = 0;
    cli_files suite = {0};
    char *ha = NULL;
    for (size_t k = 0; k < N_BENCHES; k++) {
        if (n_selected && !selected[k])
            continue;
        if (benches[k].run == run_scenario) {
            if (!find_scenarios(scenarios ? scenarios : bench_scenarios_dir(), &suite, &ha)) {
                status = 2;
                continue;
            }
            o.ha_scenario = ha;
            o.suite_files = (const char *const *)suite.v;
            o.n_suite_files = suite.n;
        }
        bench_result r[MAX_RESULTS];
        size_t n = 0;
        int rc = benches[k].run(&o, r, &n);
        if (rc) {
            status = rc;
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            if (json) {
                bench_print_json(stdout, &r[j]);
            } else {
                printf("%s: ours %.6g %s, baseline %.6g %s, ratio %.3f (target %s)\n%s", r[j].bench, r[j].ours,
                       r[j].unit, r[j].baseline, r[j].unit, r[j].ratio, r[j].target, j + 1 == n ? "\n" : "");
            }
        }
        fflush(stdout);
    }
    cli_files_free(&suite);
    free(ha);
    return status;
}
