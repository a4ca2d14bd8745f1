/*
 * baseline.c — the comparison with `--baseline OLD.json` shared by wgsim
 * test and wgsim merge (baseline.h); the comparison itself is
 * reports/compare.c.
 */
#include <stdio.h>

#include "cli/baseline.h"

bool cli_baseline_load(const char *cmd, cli_baseline *b)
{
    char err[512];
    if (b->label && !(b->old = rp_result_set_load(b->label, err, sizeof err))) {
        fprintf(stderr, "wgsim %s: --baseline: %s\n", cmd, err);
        return false;
    }
    return true;
}

static void html_comparison(FILE *out, void *arg)
{
    cli_baseline *b = arg;
    rp_compare_html(out, b->label, b->old, b->now, &b->counts);
}

static void markdown_comparison(FILE *out, void *arg)
{
    cli_baseline *b = arg;
    rp_compare_markdown(out, b->label, b->old, b->now, &b->counts);
    fputc('\n', out);
}

void cli_baseline_attach(cli_baseline *b, rp_result_set *now, cli_markdown *md)
{
    if (!b->old) {
        rp_result_set_free(now);
        return;
    }
    b->now = now;
    md->section = markdown_comparison;
    md->html_section = html_comparison;
    md->section_arg = b;
}

void cli_baseline_finish(cli_baseline *b)
{
    if (!b->old)
        return;
    rp_compare(stdout, b->label, b->old, b->now, &b->counts);
    rp_result_set_free(b->now);
    rp_result_set_free(b->old);
    b->now = b->old = NULL;
}

int cli_baseline_status(const cli_baseline *b, bool io_error) { return io_error ? 2 : b->counts.regressions ? 1 : 0; }
