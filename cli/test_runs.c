/*
 * test_runs.c — the parallel runner of `wgsim test` (test_runs.h).
 */
#include "cli/test_runs.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/progress.h"
#include "cli/run_options.h"

struct cli_runs {
    size_t n;
    hs_run_options base;
    cli_run_plan plan;
    void *plan_arg;
    const char **files; /* [i], set by the plan when run i starts */
    hs_result **results;
    size_t next;        /* next run to start */
    bool *done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t *th;
    size_t started;     /* threads that exist */
    bool shown;         /* a progress line is on stderr */
    double began;       /* cli_clock_seconds at the start: the ETA's measure */
};

static void *worker(void *arg)
{
    cli_runs *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        size_t i = c->next < c->n ? c->next++ : SIZE_MAX;
        pthread_mutex_unlock(&c->mu);
        if (i == SIZE_MAX)
            return NULL;
        const char *file = NULL;
        hs_run_options opt = c->base;
        c->plan(c->plan_arg, i, &file, &opt);
        pthread_mutex_lock(&c->mu);
        c->files[i] = file;
        pthread_mutex_unlock(&c->mu);
        cli_oom_running(file);
        hs_result *r = hs_run_file(file, &opt);
        cli_oom_running(NULL);
        pthread_mutex_lock(&c->mu);
        c->results[i] = r;
        c->done[i] = true;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
}

cli_runs *cli_runs_start(size_t n, int jobs, const hs_run_options *base, cli_run_plan plan, void *plan_arg)
{
    cli_runs *c = calloc(1, sizeof *c);
    if (!c)
        sim_oom("starting the runs");
    c->n = n;
    c->base = *base;
    c->plan = plan;
    c->plan_arg = plan_arg;
    c->began = cli_clock_seconds();
    c->files = calloc(n ? n : 1, sizeof *c->files);
    c->results = calloc(n ? n : 1, sizeof *c->results);
    c->done = calloc(n ? n : 1, sizeof *c->done);
    size_t nthreads = (size_t)jobs < n ? (size_t)jobs : n;
    c->th = calloc(nthreads ? nthreads : 1, sizeof *c->th);
    if (!c->files || !c->results || !c->done || !c->th)
        sim_oom("starting the runs");
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    /* A thread that cannot be created (EAGAIN: no memory for its stack, a
     * process limit) leaves its share to the others; with none at all the
     * caller's thread runs every scenario itself (cli_runs_wait), else the
     * wait would never end. */
    for (size_t t = 0; t < nthreads; t++)
        if (pthread_create(&c->th[c->started], NULL, worker, c) == 0)
            c->started++;
    return c;
}

hs_result *cli_runs_wait(cli_runs *c, size_t i)
{
    if (c->started == 0)
        worker(c);
    bool tty = cli_progress_on();
    pthread_mutex_lock(&c->mu);
    while (!c->done[i]) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0 && tty && !c->done[i]) {
            size_t finished = 0;
            for (size_t k = 0; k < c->n; k++)
                finished += c->done[k] ? 1 : 0;
            char eta[48];
            cli_progress_eta(eta, sizeof eta, cli_clock_seconds() - c->began, finished, c->n);
            fprintf(stderr, "\r  running: %zu/%zu done, %s, waiting for %s\033[K", finished, c->n, eta,
                    c->files[i] ? c->files[i] : "a run not started yet");
            c->shown = true;
        }
    }
    hs_result *r = c->results[i];
    pthread_mutex_unlock(&c->mu);
    if (c->shown) {
        fprintf(stderr, "\r\033[K");
        c->shown = false;
    }
    return r;
}

void cli_runs_finish(cli_runs *c)
{
    for (size_t t = 0; t < c->started; t++)
        pthread_join(c->th[t], NULL);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->th);
    free(c->files);
    free(c->results);
    free(c->done);
    free(c);
}
