/*
 * cmd_import.c — `wgsim import FW1.xml [FW2.xml] ...`: builds a scenario
 * from firewall configuration backups (issue 21; docs/import.md). The
 * import library (import/) reads the backups and writes the YAML text;
 * this command checks that text through the harness loader and the
 * linter - an import that does not load is refused, never written - and
 * writes it (stdout or -o), or with --check prints the HA-pair and linter
 * findings and writes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "harness/harness.h"
#include "import/import.h"
#include "sim/sim.h"

/* A large pfSense backup (packages, RRD data) is a few MiB. */
#define BACKUP_MAX ((size_t)64 << 20)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wgsim import FW1.xml [FW2.xml] [-o SCENARIO.yaml] [--name NAME]\n"
            "                    [--address IF=ADDR/LEN ...] [--seed N] [--strict] [--check]\n\n"
            "Reads one firewall's configuration backup (Diagnostics > Backup & Restore), or the two\n"
            "backups of an HA pair, and writes a scenario that loads and runs: the firewalls as\n"
            "configured (interfaces, CARP VIPs, IP aliases, gateways and groups, static routes,\n"
            "outbound NAT, filter rules, pfsync, WireGuard tunnels and peers) and the world a\n"
            "backup does not describe (an ISP router per gateway, a core network, a remote\n"
            "WireGuard host per peer), with expectations that hold as imported (CARP master and\n"
            "backup per vhid, each tunnel's ping and source address) and commented-out events\n"
            "for the usual procedures. The header says what was added, which settings are not\n"
            "modelled (with their XPath) and how secrets were handled: no private key, pre-shared\n"
            "key, password hash, certificate or API key of a backup is ever written.\n\n"
            "pfSense (<pfsense>) and OPNsense (<opnsense>) backups are read.\n"
            "Two files are one HA pair: checked against each other (vhids, VIPs, advskew, pfsync\n"
            "peers, WireGuard tunnels); differences are warnings on stderr and in the header.\n\n"
            "options:\n"
            "  -o FILE                write the scenario to FILE (default: standard output)\n"
            "  --name NAME            the scenario's name (default: imported-HOST[-HOST2])\n"
            "  --address IF=ADDR/LEN  the address of a dynamic (DHCP, PPPoE) interface, which a\n"
            "                         backup does not hold; HOST:IF=ADDR/LEN for one node of a pair\n"
            "  --seed N               the scenario's seed; derived WireGuard keys depend on it (1)\n"
            "  --strict               any setting that is not modelled is an error\n"
            "  --check                print the HA-pair and linter findings, write nothing\n"
            "  -h, --help             this text\n\n"
            "exit status: 0 written (--check: no findings), 1 --check found something,\n"
            "2 bad input (malformed XML with FILE:LINE, no interfaces, dynamic addresses without\n"
            "--address, two backups that are not a pair, --strict and unmodelled settings) or usage.\n");
}

static bool parse_address(const char *arg, imp_options *o)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        fprintf(stderr, "wgsim import: --address '%s': expected IF=ADDR/LEN (e.g. wan=198.51.100.2/24)\n", arg);
        return false;
    }
    imp_given g = {0};
    char left[2 * IMP_NAME];
    snprintf(left, sizeof left, "%.*s", (int)(eq - arg), arg);
    char *colon = strchr(left, ':');
    if (colon) {
        *colon = 0;
        imp_copy(g.host, sizeof g.host, left);
        imp_copy(g.iface, sizeof g.iface, colon + 1);
    } else
        imp_copy(g.iface, sizeof g.iface, left);
    uint32_t host = 0;
    if (!imp_parse_prefix(eq + 1, &g.addr) || g.addr.len < 1 || g.addr.len > 30 ||
        !(host = g.addr.addr & ~imp_mask(g.addr.len)) || host == ~imp_mask(g.addr.len)) {
        fprintf(stderr,
                "wgsim import: --address '%s': '%s' is not an IPv4 host address with a prefix length 1-30 (e.g. "
                "198.51.100.2/24)\n",
                arg, eq + 1);
        return false;
    }
    *imp_push(&o->given) = g;
    return true;
}

static bool parse_seed(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-') {
        fprintf(stderr, "wgsim import: --seed '%s': expected a non-negative integer\n", s);
        return false;
    }
    *out = v;
    return true;
}

/* Loads the text as `wgsim validate` would; findings (lint) into lint. */
static bool load_check(const char *label, const char *yaml, hs_diag *lint)
{
    hs_diag d;
    hs_diag_init(&d, label);
    hs_scenario *s = hs_load_bytes(label, (const uint8_t *)yaml, strlen(yaml), &d);
    if (!s) {
        fprintf(stderr, "wgsim import: the scenario made from these backups does not load; this is a wgsim bug, "
                        "please report it with the backups' structure:\n");
        hs_diag_print(&d, stderr);
        hs_diag_free(&d);
        return false;
    }
    hs_lint(s, lint);
    hs_scenario_free(s);
    hs_diag_free(&d);
    return true;
}

static int strict_refusal(imp_fw **fws, size_t n)
{
    size_t count = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < fws[k]->unmodelled.n; i++) {
            const imp_unmodelled *u = &fws[k]->unmodelled.v[i];
            if (u->info)
                continue;
            fprintf(stderr, "%s:%d: not modelled: %s: %s\n", fws[k]->file, u->line, u->xpath, u->why);
            count++;
        }
    if (count)
        fprintf(stderr, "wgsim import: --strict: %zu setting%s not modelled (listed above)\n", count,
                count == 1 ? "" : "s");
    return count ? 2 : 0;
}

static int run(const char **files, size_t nfiles, imp_options *o, const char *out_path, bool check)
{
    imp_fw *fws[2] = {NULL, NULL};
    imp_errors err = {0};
    imp_findings findings = {0};
    int status = 2;
    char *yaml = NULL;
    for (size_t k = 0; k < nfiles; k++) {
        /* read as scenario files are (docs/robustness.md): a FIFO, a device or
         * a directory is refused before a read, and the size is bounded */
        char why[256];
        size_t len = 0;
        uint8_t *bytes = hs_read_input(files[k], BACKUP_MAX, "configuration backups", &len, why, sizeof why);
        if (!bytes) {
            imp_error(&err, files[k], 0, "%s", why);
            continue;
        }
        fws[k] = imp_read_bytes(files[k], (const char *)bytes, len, &err);
        hs_input_free(bytes, len); /* zeroed: a backup holds secrets */
    }
    if (err.lines.n || !fws[0] || (nfiles == 2 && !fws[1]))
        goto out;
    if (!imp_apply_addresses(fws, nfiles, o, &err))
        goto out;
    if (nfiles == 2 && !imp_pair_check(fws[0], fws[1], &findings, &err))
        goto out;
    /* before --strict: what cannot be imported as it is counts as not modelled */
    imp_consistent(fws, nfiles);
    if (o->strict && strict_refusal(fws, nfiles))
        goto out;
    yaml = imp_scenario(fws, nfiles, o, &findings, &err);
    if (!yaml)
        goto out;
    const char *label = out_path ? out_path : "<import>";
    hs_diag lint;
    hs_diag_init(&lint, label);
    if (!load_check(label, yaml, &lint)) {
        hs_diag_free(&lint);
        goto out;
    }
    for (size_t i = 0; i < findings.lines.n; i++)
        fprintf(check ? stdout : stderr, "%s%s: warning: %s [ha-pair]\n", check ? "" : "wgsim import: ",
                fws[1]->file, findings.lines.v[i]);
    size_t nlint = hs_diag_count(&lint);
    if (check) {
        fflush(stdout);
        hs_diag_print(&lint, stdout);
        printf("%zu HA-pair finding%s, %zu linter warning%s; nothing written (--check)\n", findings.lines.n,
               findings.lines.n == 1 ? "" : "s", nlint, nlint == 1 ? "" : "s");
        status = findings.lines.n || nlint ? 1 : 0;
    } else {
        FILE *f = out_path ? fopen(out_path, "w") : stdout;
        if (!f) {
            fprintf(stderr, "wgsim import: cannot write %s: %s\n", out_path, strerror(errno));
        } else {
            bool ok = fputs(yaml, f) >= 0;
            ok = (out_path ? fclose(f) : fflush(f)) == 0 && ok;
            if (!ok)
                fprintf(stderr, "wgsim import: cannot write %s\n", out_path ? out_path : "standard output");
            hs_diag_print(&lint, stderr);
            status = ok ? 0 : 2;
            if (ok && out_path)
                fprintf(stderr, "wgsim import: wrote %s (check it with: wgsim validate %s; run it with: wgsim run %s)\n",
                        out_path, out_path, out_path);
        }
    }
    hs_diag_free(&lint);
out:
    imp_errors_print(&err, stderr);
    imp_errors_free(&err);
    imp_findings_free(&findings);
    free(yaml);
    for (size_t k = 0; k < nfiles; k++)
        imp_fw_free(fws[k]);
    return status;
}

int cmd_import(int argc, char **argv)
{
    imp_set_oom_handler(sim_oom);
    imp_options o = {.seed = 1};
    const char *files[2], *out_path = NULL;
    size_t nfiles = 0;
    bool check = false;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            status = 0;
            goto done;
        } else if (!strcmp(a, "--strict")) {
            o.strict = true;
        } else if (!strcmp(a, "--check")) {
            check = true;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--name") || !strcmp(a, "--address") || !strcmp(a, "--seed")) &&
                   !has_value) {
            fprintf(stderr, "wgsim import: %s needs a value\n", a);
            goto done;
        } else if (!strcmp(a, "-o")) {
            out_path = argv[++i];
        } else if (!strcmp(a, "--name")) {
            const char *n = argv[++i];
            size_t len = strlen(n), ok = strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
            if (!len || len > 63 || ok != len) {
                fprintf(stderr, "wgsim import: --name '%s': 1-63 characters of A-Z a-z 0-9 . _ -\n", n);
                goto done;
            }
            o.name = n;
        } else if (!strcmp(a, "--address")) {
            if (!parse_address(argv[++i], &o))
                goto done;
        } else if (!strcmp(a, "--seed")) {
            if (!parse_seed(argv[++i], &o.seed))
                goto done;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim import: unknown option '%s' (see wgsim import --help)\n", a);
            goto done;
        } else if (nfiles == 2) {
            fprintf(stderr, "wgsim import: at most two backups (the two nodes of an HA pair)\n");
            goto done;
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        fprintf(stderr, "usage: wgsim import FW1.xml [FW2.xml] [-o SCENARIO.yaml] [options] (see --help)\n");
        goto done;
    }
    /* -o must not overwrite a backup (a swapped argument would destroy it) */
    struct stat so, si;
    for (size_t k = 0; out_path && !check && k < nfiles; k++)
        if (!stat(out_path, &so) && !stat(files[k], &si) && so.st_dev == si.st_dev && so.st_ino == si.st_ino) {
            fprintf(stderr, "wgsim import: -o %s is the backup %s: refused\n", out_path, files[k]);
            goto done;
        }
    status = run(files, nfiles, &o, check ? NULL : out_path, check);
done:
    free(o.given.v);
    return status;
}
