/*
 * cmd_run.c — `wgsim run FILE`: run one scenario and tell its story: the
 * timeline (commands, CARP transitions, handshakes with the source each
 * message left with and why, WireGuard timers, learned addresses set and
 * cleared, endpoint changes, drops), then every expectation's verdict.
 * Exit 0 when all expectations held, 1 when one failed, 2 on bad input.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/run_options.h"
#include "cli/run_show.h"
#include "harness/runner.h"
#include "reports/reports.h"

/* The items of --only / --kinds (comma lists, options repeatable). */
typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

/* Splits "a,b,c" into l; false after a message for an empty item. */
static bool list_add(name_list *l, const char *opt, const char *val)
{
    const char *p = val;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (!len) {
            fprintf(stderr, "wgsim run: %s: empty name in '%s' (write NAME[,NAME...])\n", opt, val);
            return false;
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 8;
            l->v = realloc(l->v, l->cap * sizeof *l->v);
            if (!l->v)
                sim_oom("reading the command line");
        }
        if (!(l->v[l->n++] = strndup(p, len)))
            sim_oom("reading the command line");
        if (!comma)
            return true;
        p = comma + 1;
    }
}

static void list_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* --kinds against the categories the timeline has (the list is printed:
 * there are few, and a reader guessing names wants to see them all). */
static bool kinds_known(const name_list *kinds)
{
    for (size_t i = 0; i < kinds->n; i++) {
        if (rp_timeline_kind_known(kinds->v[i]))
            continue;
        size_t n = 0;
        while (rp_timeline_kinds[n])
            n++;
        const char *close = hs_closest(kinds->v[i], rp_timeline_kinds, n);
        fprintf(stderr, "wgsim run: --kinds: '%s' is not a timeline kind", kinds->v[i]);
        if (close)
            fprintf(stderr, "; did you mean '%s'?", close);
        fprintf(stderr, " (kinds:");
        for (size_t k = 0; k < n; k++)
            fprintf(stderr, "%s %s", k ? "," : "", rp_timeline_kinds[k]);
        fprintf(stderr, ")\n");
        return false;
    }
    return true;
}

/* --only against the scenario's nodes: known only once it is loaded. */
static bool nodes_known(const hs_scenario *s, const name_list *only)
{
    for (size_t i = 0; i < only->n; i++) {
        bool found = false;
        for (size_t k = 0; k < s->n_nodes && !found; k++)
            found = !strcmp(s->nodes[k].name, only->v[i]);
        if (found)
            continue;
        const char **names = malloc((s->n_nodes ? s->n_nodes : 1) * sizeof *names);
        if (!names)
            sim_oom("checking --only");
        for (size_t k = 0; k < s->n_nodes; k++)
            names[k] = s->nodes[k].name;
        const char *close = hs_closest(only->v[i], names, s->n_nodes);
        fprintf(stderr, "wgsim run: --only: %s has no node '%s'", s->file ? s->file : "the scenario", only->v[i]);
        if (close)
            fprintf(stderr, "; did you mean '%s'?", close);
        fprintf(stderr, " (nodes:");
        for (size_t k = 0; k < s->n_nodes; k++)
            fprintf(stderr, "%s %s", k ? "," : "", names[k]);
        fprintf(stderr, ")\n");
        free(names);
        return false;
    }
    return true;
}

/* --perturb under the header: what it set and on which segments (those
 * whose file does not write the key), so a replayed sweep run shows the
 * network it ran on. NULL without a perturbation. */
static char *perturb_text(const hs_scenario *s, const hs_perturb *p)
{
    if (!p->has_loss && !p->has_jitter)
        return NULL;
    char *text = NULL, b[128];
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        sim_oom("the --perturb line");
    fprintf(out, "perturb  %s on segments that do not set it:", hs_format_perturb(p, b, sizeof b));
    size_t n = 0;
    for (size_t i = 0; i < s->n_segments; i++) {
        const hs_segment *g = &s->segments[i];
        bool loss = p->has_loss && !g->has_loss, jitter = p->has_jitter && !g->has_jitter;
        if (loss || jitter)
            fprintf(out, "%s %s%s", n++ ? "," : "", g->name,
                    loss == p->has_loss && jitter == p->has_jitter ? "" : loss ? " (loss only)" : " (jitter only)");
    }
    fprintf(out, "%s\n", n ? "" : " none");
    if (fclose(out) != 0 || !text)
        sim_oom("the --perturb line");
    return text;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim run [options] FILE\n\n"
                 "Runs one scenario, prints its timeline and the verdict of every\n"
                 "expectation. Exit 0 when all held, 1 when one failed, 2 on bad input.\n"
                 "Warnings about the scenario (wgsim validate's) go to stderr first.\n\n"
                 "options:\n"
                 "  --seed S        use seed S instead of the scenario's\n"
                 "  --perturb loss=P%%,jitter=D  that loss and jitter on every segment whose\n"
                 "                  file does not write the key (see docs/running-scenarios.md)\n"
                 "  --platform P    nodes on the default platform use P (freebsd, openbsd,\n"
                 "                  linux, wireguard-go)\n"
                 "  --engine E      native (default) or ns3\n"
                 "  --no-timeline   only the verdicts\n"
                 "  --only NODE[,NODE...]  timeline entries of these nodes only (and the\n"
                 "                  commands that name them); repeatable\n"
                 "  --kinds KIND[,KIND...]  timeline entries of these kinds only: command,\n"
                 "                  power, link, address, route, arp, carp, gateway, pf, nat,\n"
                 "                  pfsync, wg, timer, source, endpoint, drop, ping, model;\n"
                 "                  repeatable. --json gets the same filtered timeline\n"
                 "  --max-memory SIZE  stop a run when the process's heap exceeds SIZE\n"
                 "                  (K, M, G, T: 300M, 8G; default 8G; 0 = no limit)\n"
                 "  --max-events N  stop a run after N engine events (2000000000 or 2e9,\n"
                 "                  the default; 0 = no limit). A stopped run is an error\n"
                 "                  (exit 2) naming the limit, the simulated time reached\n"
                 "                  and what the world held\n"
                 "  --strict        a scenario with warnings (see wgsim validate) is not run:\n"
                 "                  they are its error (exit 2); without it they are\n"
                 "                  printed on stderr and the run goes on\n"
                 "  --at T          with --show: pause the run at simulated time T (30s,\n"
                 "                  1m30s), print the views, go on; repeatable\n"
                 "  --show 'VIEW[; VIEW...]'  the explore shell's views printed at every\n"
                 "                  --at, before the timeline: show nodes, show carp [NODE\n"
                 "                  [VHID]], show peers NODE [PEER], show routes|states NODE,\n"
                 "                  show arp NODE [INTERFACE], show gateways NODE [GATEWAY],\n"
                 "                  packets [N] [FILTER], why PACKET, why endpoint NODE PEER\n"
                 "                  (docs/explore.md \"Views\"); `show` may be left out\n"
                 "                  ('states fw2; peers remote'); checked before the run\n"
                 "                  (a bad view: exit 2 with its column); repeatable\n"
                 "  --json FILE     also write the result as JSON\n"
                 "  --markdown FILE also write the verdict and the phase table as\n"
                 "                  GitHub-flavoured Markdown\n"
                 "  --html FILE     also write the verdicts and the phase table as one\n"
                 "                  self-contained HTML page\n"
                 "  --date TEXT     the date --markdown and --html name (none is read from\n"
                 "                  the clock)\n"
                 "  --pcap DIR      write DIR/<scenario>/seg-<segment>.pcap and keylog.txt\n"
                 "  -q, --quiet     no progress line (on a terminal, stderr shows the\n"
                 "                  simulated time reached every half second of a long\n"
                 "                  run; never when stderr is not a terminal)\n"
                 "  -h, --help      this text\n");
}

int cmd_run(int argc, char **argv)
{
    hs_run_options opt = {.timeline = true, .clock_seconds = cli_clock_seconds};
    cli_run_options_init(&opt);
    const char *file = NULL, *json = NULL, *pcap = NULL;
    name_list only = {0}, kinds = {0};
    cli_show show = {0};
    cli_markdown md = {0};
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int shared = cli_run_option("run", argc, argv, &i, &opt);
        if (!shared)
            shared = cli_markdown_option("run", argc, argv, &i, &md);
        if (shared < 0)
            goto out;
        if (shared > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            cli_progress_quiet();
        } else if (!strcmp(a, "--no-timeline")) {
            opt.timeline = false;
        } else if (!strcmp(a, "--json") || !strcmp(a, "--pcap") || !strcmp(a, "--only") || !strcmp(a, "--kinds") ||
                   !strcmp(a, "--at") || !strcmp(a, "--show")) {
            if (!val) {
                fprintf(stderr, "wgsim run: %s needs a value\n", a);
                goto out;
            }
            if (!strcmp(a, "--at") || !strcmp(a, "--show")) {
                if (!(!strcmp(a, "--at") ? cli_show_add_at(&show, val) : cli_show_add_views(&show, val)))
                    goto out;
            } else if (!strcmp(a, "--json"))
                json = val;
            else if (!strcmp(a, "--pcap"))
                pcap = val;
            else if (!list_add(!strcmp(a, "--only") ? &only : &kinds, a, val))
                goto out;
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim run: unknown option '%s'\n", a);
            usage(stderr);
            goto out;
        } else if (file) {
            fprintf(stderr, "wgsim run: one scenario file at a time ('%s' and '%s')\n", file, a);
            goto out;
        } else {
            file = a;
        }
    }
    if (!file) {
        fprintf(stderr, "wgsim run: no scenario file given\n");
        usage(stderr);
        goto out;
    }
    if (!kinds_known(&kinds))
        goto out;
    rp_timeline_filter filter = {
        .nodes = (const char *const *)only.v, .n_nodes = only.n, .kinds = (const char *const *)kinds.v, .n_kinds = kinds.n};
    /* Loaded here rather than by hs_run_file so that --only is checked
     * against the scenario's nodes before a possibly long run. A file that
     * does not load goes through hs_run_file, which reports it as usual. */
    hs_diag d;
    hs_diag_init(&d, file);
    hs_scenario *s = hs_load_file(file, &d);
    hs_diag_free(&d);
    if (s && (!nodes_known(s, &only) || !cli_show_prepare(&show, s, &opt))) {
        hs_scenario_free(s);
        goto out;
    }
    cli_pcap pc = {.cmd = "run", .dir = pcap};
    if (pcap)
        cli_pcap_enable(&opt, &pc);
    /* on a terminal, the simulated time reached; not with --at, whose views
     * go to stdout during the run */
    cli_run_progress prog = {0};
    if (s && !opt.n_stops)
        cli_run_progress_enable(&opt, &prog, s->duration);
    cli_oom_running(file);
    hs_result *r = s ? hs_run_scenario(s, &opt) : hs_run_file(file, &opt);
    cli_oom_running(NULL);
    cli_run_progress_done(&prog);
    char *perturbed = s ? perturb_text(s, &opt.perturb) : NULL;
    hs_scenario_free(s);
    rc = r->status == HS_STATUS_PASSED ? 0 : r->status == HS_STATUS_FAILED ? 1 : r->status == HS_STATUS_SKIPPED ? 0 : 2;
    rp_print_warnings(stderr, r);
    if (r->status == HS_STATUS_ERROR && !r->n_expects) {
        /* did not load: the errors only (the --json file still says so) */
        fprintf(stderr, "%s\n", r->error ? r->error : "error");
    } else {
        rp_print_header(stdout, r);
        if (perturbed)
            fputs(perturbed, stdout);
        if (opt.timeline)
            rp_print_timeline_filtered(stdout, r, &filter);
        rp_print_phases(stdout, r);
        rp_print_expectations(stdout, r);
        printf("\n");
        rp_print_result(stdout, r);
    }
    if (json) {
        /* --json carries the timeline the terminal showed */
        rp_timeline_apply_filter(r, &filter);
        char err[512];
        hs_result *const v[1] = {r};
        if (!rp_write_json(json, v, 1, err, sizeof err)) {
            fprintf(stderr, "wgsim run: --json: %s\n", err);
            rc = 2;
        }
    }
    hs_result *const all[1] = {r};
    if (!cli_markdown_write("run", &md, &opt, all, 1))
        rc = 2;
    if (atomic_load(&pc.failed))
        rc = 2;
    if (pcap)
        cli_pcap_done(&pc);
    hs_result_free(r);
    free(perturbed);
out:
    list_free(&only);
    list_free(&kinds);
    cli_show_free(&show);
    return rc;
}
