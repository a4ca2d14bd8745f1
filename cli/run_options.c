/*
 * run_options.c — --seed, --platform, --engine and --pcap for `wgsim test`
 * and `wgsim run` (see run_options.h).
 */
#include "cli/run_options.h"

#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_run_option(const char *cmd, int argc, char **argv, int *i, hs_run_options *opt)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--seed")) {
        char *end;
        /* strtoull would take "-1" as 2^64-1: a seed is written without sign */
        if (!val || !*val || *val == '-' || *val == '+' || (opt->seed = strtoull(val, &end, 0), *end)) {
            fprintf(stderr, "wgsim %s: --seed needs a number (0 to 18446744073709551615)\n", cmd);
            return -1;
        }
        opt->has_seed = true;
    } else if (!strcmp(a, "--platform")) {
        if (!val || !wg_platform_parse(val, &opt->platform)) {
            fprintf(stderr, "wgsim %s: --platform: '%s' is not one of freebsd, openbsd, linux, wireguard-go\n", cmd,
                    val ? val : "");
            return -1;
        }
        opt->has_platform = true;
    } else if (!strcmp(a, "--engine")) {
        if (!val || (strcmp(val, "native") && strcmp(val, "ns3"))) {
            fprintf(stderr, "wgsim %s: --engine: '%s' is not one of native, ns3\n", cmd, val ? val : "");
            return -1;
        }
        opt->engine = !strcmp(val, "ns3") ? HS_ENGINE_NS3 : HS_ENGINE_NATIVE;
        opt->has_engine = true;
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

static void save_pcap(void *ctx, const hs_scenario *s, sim_world *w, hs_result *r)
{
    cli_pcap *p = ctx;
    char err[512];
    (void)r;
    if (!rp_save_captures(p->dir, s->name, w, err, sizeof err)) {
        fprintf(stderr, "wgsim %s: --pcap: %s\n", p->cmd, err);
        atomic_store(&p->failed, true);
    }
}

void cli_pcap_enable(hs_run_options *opt, cli_pcap *p)
{
    opt->capture = true;
    opt->after_run = save_pcap;
    opt->ctx = p;
}

double cli_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
