/*
 * cmd_run.c — `wgsim run FILE`: run one scenario and tell its story: the
 * timeline (commands, CARP transitions, handshakes with the source each
 * message left with and why, WireGuard timers, learned addresses set and
 * cleared, endpoint changes, drops), then every expectation's verdict.
 * Exit 0 when all expectations held, 1 when one failed, 2 on bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/run_options.h"
#include "harness/runner.h"
#include "reports/reports.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim run [options] FILE\n\n"
                 "Runs one scenario, prints its timeline and the verdict of every\n"
                 "expectation. Exit 0 when all held, 1 when one failed, 2 on bad input.\n\n"
                 "options:\n"
                 "  --seed S        use seed S instead of the scenario's\n"
                 "  --platform P    nodes on the default platform use P (freebsd, openbsd,\n"
                 "                  linux, wireguard-go)\n"
                 "  --engine E      native (default) or ns3\n"
                 "  --no-timeline   only the verdicts\n"
                 "  --json FILE     also write the result as JSON\n"
                 "  --pcap DIR      write DIR/<scenario>/seg-<segment>.pcap and keylog.txt\n"
                 "  -h, --help      this text\n");
}

int cmd_run(int argc, char **argv)
{
    hs_run_options opt = {.timeline = true, .clock_seconds = cli_clock_seconds};
    const char *file = NULL, *json = NULL, *pcap = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int shared = cli_run_option("run", argc, argv, &i, &opt);
        if (shared < 0)
            return 2;
        if (shared > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--no-timeline")) {
            opt.timeline = false;
        } else if (!strcmp(a, "--json") || !strcmp(a, "--pcap")) {
            if (!val) {
                fprintf(stderr, "wgsim run: %s needs a value\n", a);
                return 2;
            }
            if (!strcmp(a, "--json"))
                json = val;
            else
                pcap = val;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim run: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (file) {
            fprintf(stderr, "wgsim run: one scenario file at a time ('%s' and '%s')\n", file, a);
            return 2;
        } else {
            file = a;
        }
    }
    if (!file) {
        fprintf(stderr, "wgsim run: no scenario file given\n");
        usage(stderr);
        return 2;
    }
    cli_pcap pc = {.cmd = "run", .dir = pcap};
    if (pcap)
        cli_pcap_enable(&opt, &pc);
    hs_result *r = hs_run_file(file, &opt);
    int rc = r->status == HS_STATUS_PASSED ? 0 : r->status == HS_STATUS_FAILED ? 1 : r->status == HS_STATUS_SKIPPED ? 0 : 2;
    if (r->status == HS_STATUS_ERROR && !r->n_expects) {
        /* did not load: the errors only (the --json file still says so) */
        fprintf(stderr, "%s\n", r->error ? r->error : "error");
    } else {
        rp_print_header(stdout, r);
        if (opt.timeline)
            rp_print_timeline(stdout, r);
        rp_print_expectations(stdout, r);
        printf("\n");
        rp_print_result(stdout, r);
    }
    if (json) {
        char err[512];
        hs_result *const v[1] = {r};
        if (!rp_write_json(json, v, 1, err, sizeof err)) {
            fprintf(stderr, "wgsim run: --json: %s\n", err);
            rc = 2;
        }
    }
    if (atomic_load(&pc.failed))
        rc = 2;
    if (pcap)
        cli_pcap_done(&pc);
    hs_result_free(r);
    return rc;
}
