/*
 * run_options.c — --seed, --perturb, --platform, --engine, --pcap, --max-memory and
 * --max-events for `wgsim test` and `wgsim run` (see run_options.h), and
 * the out-of-memory message of the program.
 */
#include "cli/run_options.h"

#include "cli/build_commit.h"
#include "reports/reports.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef WGSIM_VERSION
#define WGSIM_VERSION "unknown"
#endif

#if defined(__SANITIZE_ADDRESS__)
/* Declared here, as bench/bench_hub.c does: gcc ships the ASan runtime
 * but not always sanitizer/allocator_interface.h (Debian's gcc 12 does
 * not, and the sanitizer build failed on it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

/* Heap in use, process-wide: what the allocator handed out from its
 * arenas plus its mmap'd blocks. mallinfo2 walks the free bins, so it is
 * asked once per HS_LIMIT_SLICE events, not per allocation. Under
 * AddressSanitizer malloc is ASan's and glibc's counters stay at 0: ask
 * ASan's allocator instead, so that --max-memory holds in that build too. */
static uint64_t heap_bytes(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return (uint64_t)__sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 m = mallinfo2();
    return (uint64_t)m.uordblks + (uint64_t)m.hblkhd;
#endif
}

void cli_run_options_init(hs_run_options *opt)
{
    opt->max_memory = CLI_DEFAULT_MAX_MEMORY;
    opt->max_events = CLI_DEFAULT_MAX_EVENTS;
    opt->memory_bytes = heap_bytes;
}

/* "8G", "300M", "512K", "1T", "4096" (bytes); binary units, as `ulimit`
 * and the messages count. false for anything else or an overflow. */
static bool parse_size(const char *v, uint64_t *out)
{
    if (!v || *v < '0' || *v > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: return false;
    }
    if (*end && end[1])
        return false;
    if (shift && n > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)n << shift;
    return true;
}

/* "2000000000", "2e9", "5e6": digits, optionally "e" and an exponent, as
 * large counts are written; the value must be a whole number that fits. */
static bool parse_count(const char *v, uint64_t *out)
{
    if (!v || *v < '0' || *v > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno)
        return false;
    if (*end == 'e' || *end == 'E') {
        const char *x = end + 1;
        if (*x < '0' || *x > '9')
            return false;
        unsigned long e = strtoul(x, &end, 10);
        for (; e > 0 && n; e--) {
            if (n > UINT64_MAX / 10)
                return false;
            n *= 10;
        }
    }
    if (*end)
        return false;
    *out = n;
    return true;
}

int cli_markdown_option(const char *cmd, int argc, char **argv, int *i, cli_markdown *md)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (strcmp(a, "--markdown") && strcmp(a, "--html") && strcmp(a, "--date"))
        return 0;
    if (!val || !*val) {
        fprintf(stderr, "wgsim %s: %s needs a value\n", cmd, a);
        return -1;
    }
    if (!strcmp(a, "--markdown"))
        md->path = val;
    else if (!strcmp(a, "--html"))
        md->html = val;
    else
        md->date = val;
    (*i)++;
    return 1;
}

void cli_run_info(const hs_run_options *opt, rp_run_info *info, char *seed, size_t seedlen)
{
    if (opt->has_seed)
        snprintf(seed, seedlen, "%llu", (unsigned long long)opt->seed);
    *info = (rp_run_info){
        .version = WGSIM_VERSION,
        .commit = wgsim_git_commit,
        .engine = opt->has_engine ? (opt->engine == HS_ENGINE_NS3 ? "ns3" : "native") : NULL,
        .platform = opt->has_platform ? wg_platform_name(opt->platform) : NULL,
        .seed = opt->has_seed ? seed : NULL,
    };
}

bool cli_markdown_write(const char *cmd, const cli_markdown *md, const hs_run_options *opt,
                        hs_result *const *results, size_t n)
{
    char seed[32];
    rp_run_info run;
    cli_run_info(opt, &run, seed, sizeof seed);
    return cli_markdown_write_run(cmd, md, &run, results, n);
}

bool cli_markdown_write_run(const char *cmd, const cli_markdown *md, const rp_run_info *run,
                            hs_result *const *results, size_t n)
{
    if (!md->path && !md->html)
        return true;
    char err[512];
    rp_run_info info = *run;
    info.date = md->date;
    info.section = md->section;
    info.html_section = md->html_section;
    info.section_arg = md->section_arg;
    info.dimension = md->dimension;
    info.values = md->values;
    info.n_values = md->n_values;
    bool ok = true;
    if (md->path && !rp_write_markdown(md->path, results, n, &info, err, sizeof err)) {
        fprintf(stderr, "wgsim %s: --markdown: %s\n", cmd, err);
        ok = false;
    }
    if (md->html && !rp_write_html(md->html, results, n, &info, err, sizeof err)) {
        fprintf(stderr, "wgsim %s: --html: %s\n", cmd, err);
        ok = false;
    }
    return ok;
}

int cli_run_option(const char *cmd, int argc, char **argv, int *i, hs_run_options *opt)
{
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--max-memory")) {
        if (!parse_size(val, &opt->max_memory)) {
            fprintf(stderr, "wgsim %s: --max-memory: '%s' is not a size (a number of bytes with K, M, G or T: 8G, "
                            "300M; 0 = no limit)\n", cmd, val ? val : "");
            return -1;
        }
    } else if (!strcmp(a, "--max-events")) {
        if (!parse_count(val, &opt->max_events)) {
            fprintf(stderr, "wgsim %s: --max-events: '%s' is not a count (2000000000 or 2e9; 0 = no limit)\n", cmd,
                    val ? val : "");
            return -1;
        }
    } else if (!strcmp(a, "--seed")) {
        char *end;
        /* strtoull would take "-1" as 2^64-1: a seed is written without sign;
         * a value past 2^64-1 sets ERANGE and returns the maximum. */
        errno = 0;
        if (!val || !*val || *val == '-' || *val == '+' || (opt->seed = strtoull(val, &end, 0), *end) || errno) {
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
    } else if (!strcmp(a, "--perturb")) {
        char err[256];
        if (!hs_parse_perturb(val, &opt->perturb, err, sizeof err)) {
            fprintf(stderr, "wgsim %s: --perturb: %s\n", cmd, err);
            return -1;
        }
    } else if (!strcmp(a, "--strict")) {
        opt->strict = true;
        return 1; /* takes no value */
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

/* Records that scenario `s` writes directory `name`; false (with the other
 * scenario's file in *other) when another scenario already did. */
static bool claim_dir(cli_pcap *p, const char *name, const hs_scenario *s, const char **other)
{
    bool ok = true;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n && ok; i++)
        if (!strcmp(p->names[i], name)) {
            *other = p->files[i];
            ok = false;
        }
    if (ok) {
        if (p->n == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 16;
            p->names = realloc(p->names, p->cap * sizeof *p->names);
            p->files = realloc(p->files, p->cap * sizeof *p->files);
            if (!p->names || !p->files)
                sim_oom("recording --pcap directories");
        }
        p->names[p->n] = strdup(name);
        p->files[p->n] = strdup(s->file ? s->file : "?");
        if (!p->names[p->n] || !p->files[p->n])
            sim_oom("recording --pcap directories");
        p->n++;
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}

/* Whether this thread's run opened its captures: a run's before_run and
 * after_run happen on the thread that runs it, one run at a time. */
static _Thread_local bool pcap_opened;

static void pcap_fail(cli_pcap *p, const char *err)
{
    fprintf(stderr, "wgsim %s: --pcap: %s\n", p->cmd, err);
    atomic_store(&p->failed, true);
}

/* Before the run: claim DIR/<scenario> and open its pcap files, which the
 * run then writes as it goes. */
static void open_pcap(void *ctx, const hs_scenario *s, sim_world *w)
{
    cli_pcap *p = ctx;
    char err[512], name[128];
    const char *other = NULL;
    pcap_opened = false;
    rp_capture_dir_name(name, sizeof name, s->name);
    if (!claim_dir(p, name, s, &other)) {
        fprintf(stderr,
                "wgsim %s: --pcap: %s/%s: scenario '%s' (%s) would write over the captures of the scenario in %s; "
                "not written (give the scenarios different names)\n",
                p->cmd, p->dir, name, s->name, s->file ? s->file : "?", other);
        atomic_store(&p->failed, true);
        return;
    }
    pcap_opened = true;
    if (!rp_open_captures(p->dir, s->name, w, err, sizeof err)) {
        pcap_fail(p, err);
        pcap_opened = false;
    }
}

/* After the run: close the pcap files (a write error shows here) and
 * write the key log. */
static void close_pcap(void *ctx, const hs_scenario *s, sim_world *w, hs_result *r)
{
    cli_pcap *p = ctx;
    char err[512];
    (void)r;
    if (!pcap_opened)
        return;
    pcap_opened = false;
    if (!rp_close_captures(p->dir, s->name, w, err, sizeof err))
        pcap_fail(p, err);
}

void cli_pcap_enable(hs_run_options *opt, cli_pcap *p)
{
    pthread_mutex_init(&p->lock, NULL);
    p->names = NULL;
    p->files = NULL;
    p->n = p->cap = 0;
    opt->capture = true;
    opt->before_run = open_pcap;
    opt->after_run = close_pcap;
    opt->ctx = p;
}

void cli_pcap_done(cli_pcap *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->names[i]);
        free(p->files[i]);
    }
    free(p->names);
    free(p->files);
    p->names = NULL;
    p->files = NULL;
    p->n = p->cap = 0;
    pthread_mutex_destroy(&p->lock);
}

double cli_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The scenario file each thread is running, for the out-of-memory
 * message: sim_oom knows what was being allocated, not for which run. */
static _Thread_local const char *running;

void cli_oom_running(const char *file) { running = file; }

static void oom(const char *what)
{
    /* stderr is unbuffered: fprintf does not need the heap here */
    if (running)
        fprintf(stderr,
                "wgsim: out of memory while %s (running %s); the system refused memory before --max-memory "
                "stopped the run: give a lower --max-memory to stop it with a report of what filled it\n",
                what, running);
    else
        fprintf(stderr, "wgsim: out of memory while %s\n", what);
}

void cli_oom_install(void) { sim_set_oom_handler(oom); }
