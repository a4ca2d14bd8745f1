/*
 * progress.c — the progress line on a terminal (progress.h).
 */
#include "cli/progress.h"

#include <stdio.h>
#include <unistd.h>

#include "cli/run_options.h"
#include "harness/harness.h"

static bool quiet;

void cli_progress_quiet(void) { quiet = true; }

bool cli_progress_on(void) { return !quiet && isatty(STDERR_FILENO); }

const char *cli_progress_eta(char *buf, size_t len, double elapsed, size_t done, size_t total)
{
    if (!done || done > total) {
        snprintf(buf, len, "ETA unknown");
        return buf;
    }
    /* the runs left take as long on average as the ones done: crude, but
     * it needs nothing the runner does not already know */
    long s = (long)(elapsed / (double)done * (double)(total - done) + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "ETA %ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf(buf, len, "ETA %ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, len, "ETA %lds", s);
    return buf;
}

static void run_progress(void *ctx, sim_time reached)
{
    cli_run_progress *p = ctx;
    double now = cli_clock_seconds();
    if (p->last == 0) {
        /* the first half second says nothing: a short run stays silent */
        p->last = now;
        return;
    }
    if (now - p->last < 0.5)
        return;
    p->last = now;
    char t[32], d[32];
    fprintf(stderr, "\r  simulated %ss of %ss\033[K", hs_result_time(reached, t, sizeof t),
            hs_result_time(p->duration, d, sizeof d));
    fflush(stderr);
    p->shown = true;
}

void cli_run_progress_enable(hs_run_options *opt, cli_run_progress *p, sim_time duration)
{
    *p = (cli_run_progress){.duration = duration};
    if (!cli_progress_on())
        return;
    opt->progress = run_progress;
    opt->progress_ctx = p;
}

void cli_run_progress_done(cli_run_progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        p->shown = false;
    }
}
