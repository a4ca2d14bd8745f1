/*
 * run_options.h — the options `wgsim test` and `wgsim run` share (--seed, --perturb,
 * --platform, --engine, --pcap, --max-memory, --max-events, --strict), handled by
 * one piece so both commands accept and refuse the same values with the
 * same messages.
 */
#ifndef WGSIM_CLI_RUN_OPTIONS_H
#define WGSIM_CLI_RUN_OPTIONS_H

#include <pthread.h>
#include <stdatomic.h>

#include "harness/runner.h"
#include "reports/reports.h"

/* Parses argv[*i] when it is one of the shared options, with its value in
 * argv[*i + 1] (then *i is advanced past it). Returns 1 when parsed into
 * `opt`, 0 when argv[*i] is not a shared option, -1 after printing
 * "wgsim CMD: ..." to stderr for a missing or bad value (exit 2). */
int cli_run_option(const char *cmd, int argc, char **argv, int *i, hs_run_options *opt);

/* The limits' defaults. 8 GiB of heap: three runs at once (-j) still fit
 * the project's 24 GiB machines, and a 10,000-peer hub needs far less.
 * 2e9 engine events: every shipped scenario needs under a million; a
 * 10,000-peer hub pinging once a second for 10 simulated minutes needs
 * in the order of 10^8. */
#define CLI_DEFAULT_MAX_MEMORY (UINT64_C(8) << 30)
#define CLI_DEFAULT_MAX_EVENTS UINT64_C(2000000000)
/* Sets the limits' defaults and the heap measure (glibc mallinfo2);
 * cli_run_option may then replace the limits. */
void cli_run_options_init(hs_run_options *opt);

/* Out of memory anywhere in the libraries: the message names what was
 * being allocated and, on a thread that called cli_oom_running, the
 * scenario file it runs (sim_oom then exits 2). Install once in main. */
void cli_oom_install(void);
void cli_oom_running(const char *file);

/* --pcap DIR: DIR/<scenario>/seg-<segment>.pcap, opened before each run
 * and written as it goes, and keylog.txt after it (reports/pcap.c); an
 * error opening or writing a file is printed as
 * "wgsim CMD: --pcap: ..." and sets `failed` (the command then exits 2:
 * an output file not written); the run's verdict stands. `p` must outlive
 * the runs, which may be on several threads. */
typedef struct cli_pcap {
    const char *cmd;
    const char *dir;
    atomic_bool failed;
    /* Capture directories written so far (rp_capture_dir_name) and the file
     * of the scenario that wrote each: a second scenario with the same
     * directory is refused, not written over the first one's captures
     * (with -j, which of the two ran last would decide what DIR holds). */
    pthread_mutex_t lock;
    char **names;
    char **files;
    size_t n, cap;
} cli_pcap;
void cli_pcap_enable(hs_run_options *opt, cli_pcap *p);
/* Frees what cli_pcap_enable and the runs allocated (call after the runs). */
void cli_pcap_done(cli_pcap *p);

/* --markdown FILE and --date TEXT (wgsim test and run): the Markdown
 * summary (reports/markdown.c) and the date it names, given by the caller
 * so that the same run writes the same file. */
typedef struct cli_markdown {
    const char *path; /* NULL: no --markdown */
    const char *html; /* NULL: no --html (the same metadata, reports/html.c) */
    const char *date; /* NULL: "not given" */
    /* rp_run_info.section: a section of the caller's own (NULL: none) */
    void (*section)(FILE *out, void *arg);
    void (*html_section)(FILE *out, void *arg); /* the same for --html, with section_arg */
    void *section_arg;
    /* rp_run_info's matrix (wgsim test --matrix; n_values 0: none) */
    const char *dimension;
    const char *const *values;
    size_t n_values;
} cli_markdown;
/* Like cli_run_option, for --markdown, --html and --date. */
int cli_markdown_option(const char *cmd, int argc, char **argv, int *i, cli_markdown *md);
/* Writes md->path and md->html when set, the run's metadata taken from
 * opt; false after printing "wgsim CMD: --markdown: PATH: reason" (or
 * --html) (exit 2). */
bool cli_markdown_write(const char *cmd, const cli_markdown *md, const hs_run_options *opt,
                        hs_result *const *results, size_t n);
/* The same with the run's version, commit, engine, platform and seed given
 * (wgsim merge: as the shards said them); md's date, sections and matrix
 * are added. */
bool cli_markdown_write_run(const char *cmd, const cli_markdown *md, const rp_run_info *run,
                            hs_result *const *results, size_t n);
/* What the reports say about a run with opt: this wgsim's version and
 * commit, opt's engine, platform and seed (written into seed[seedlen]);
 * the rest zero. */
void cli_run_info(const hs_run_options *opt, rp_run_info *info, char *seed, size_t seedlen);

/* The monotonic clock the runner times scenarios with (hs_run_options.clock_seconds). */
double cli_clock_seconds(void);

#endif
