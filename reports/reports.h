/*
 * reports.h — the public interface of libreports: rendering scenario
 * results (harness/result.h) for people and machines.
 *
 *   - text: the `wgsim test` lines (PASS/FAIL per scenario with failures
 *     explained), the `wgsim run` timeline and verdicts;
 *   - JSON (libjansson) and JUnit XML files for CI;
 *   - pcap + WireGuard key log per capture point of a simulated world.
 */
#ifndef REPORTS_H
#define REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/result.h"
#include "sim/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- text ---- */

/* "PASS name (claim C4) 0.03s", then for a failure every failed
 * expectation indented: its file:line and words, expected, seen, and the
 * packets with their time, node, src -> dst, WireGuard type and source
 * reason. Errors print their messages indented. */
void rp_print_result(FILE *out, const hs_result *r);
/* The scenario's warnings, "FILE:LINE:COL: warning: message [rule]" a
 * line (wgsim test and run print them on stderr, once per scenario). */
void rp_print_warnings(FILE *out, const hs_result *r);
/* The closing line: "N passed, N failed" (", N skipped" when any). Errors
 * count as failed. */
void rp_print_summary(FILE *out, hs_result *const *results, size_t n);
/* `wgsim run`: the scenario's header and its timeline. */
void rp_print_header(FILE *out, const hs_result *r);
void rp_print_timeline(FILE *out, const hs_result *r);
/* Every expectation with its verdict (failures explained). */
void rp_print_expectations(FILE *out, const hs_result *r);

/* ---- the phase table (phases.c, docs/reports.md) ---- */

/* `wgsim run`'s "phases" section: the tunnels, then per phase its span and
 * event and per tunnel each side's serving node and main source, the
 * outage, the handshakes and the echoes answered. Nothing without tunnels. */
void rp_print_phases(FILE *out, const hs_result *r);
/* A side's cell: "fw1 198.51.100.1:51820", " (+N more)" when it sent from
 * more than one source, "-" when it sent nothing. */
const char *rp_phase_side_text(const hs_phase_side *sd, char *buf, size_t len);
/* "15.412s", "no answer" (echoes, none answered), "-" (no ping through it). */
const char *rp_phase_outage_text(const hs_phase_tunnel *t, char *buf, size_t len);
/* "NAME (side A: fw1, fw2; side B: remote); ..." for every tunnel, each
 * text through `text` (the format's escaper), each name between open and
 * close ("<code>", "</code>"; "" for none). */
void rp_print_tunnel_sides(FILE *out, const hs_result *r, void (*text)(FILE *out, const char *s), const char *open,
                           const char *close);
/* The phase's timeline commands, "(start)" for the first one. */
const char *rp_phase_event_text(const hs_phase *p);

/* One row of the phase table (a phase and a tunnel) as the Markdown and
 * HTML tables show it, every cell already formatted; `event`, `tunnel`
 * and `side` are user text the writer escapes in its own way, the others
 * are ours (numbers, "-", "no answer"). */
typedef struct rp_phase_row {
    char span[72];        /* "20.000–60.000 s" */
    const char *event;    /* rp_phase_event_text */
    const char *tunnel;   /* the tunnel's name */
    char side[2][160];    /* rp_phase_side_text */
    bool sent[2];         /* the side sent anything (else side is our "-") */
    char outage[32];      /* rp_phase_outage_text */
    char handshakes[24];
    char echoes[48];      /* "answered/sent" */
} rp_phase_row;
/* Calls row for each phase, and in it each tunnel, in order: the one
 * producer of the rows both table writers print. */
void rp_phase_rows(const hs_result *r, void (*row)(FILE *out, const rp_phase_row *x), FILE *out);

/* ---- timeline filter: `wgsim run --only` / `--kinds` (timeline_filter.c) ---- */

/* Entries kept: those whose category is one of `kinds` (none: any) and
 * whose node is one of `nodes` (none: any) or, for a command, whose text
 * names one of them as a word. */
typedef struct rp_timeline_filter {
    const char *const *nodes;
    size_t n_nodes;
    const char *const *kinds;
    size_t n_kinds;
} rp_timeline_filter;
/* Every category the timeline gives entries (NULL-terminated). */
extern const char *const rp_timeline_kinds[];
bool rp_timeline_kind_known(const char *kind);
/* Whether entry e is kept; a NULL filter keeps everything. */
bool rp_timeline_keep(const rp_timeline_filter *f, const hs_timeline_entry *e);
/* rp_print_timeline with only the entries f keeps; the heading says how
 * many of how many. */
void rp_print_timeline_filtered(FILE *out, const hs_result *r, const rp_timeline_filter *f);
/* Removes (and frees) the entries f does not keep from r, so that every
 * later output (--json) shows the filtered timeline; returns how many. */
size_t rp_timeline_apply_filter(hs_result *r, const rp_timeline_filter *f);

/* ---- files ---- */

/* The version of the JSON result ("format_version"; docs/reports.md).
 * 1: the files written before the field existed (no phase table);
 * 2: with "tunnels" and "phases" per scenario. A reader of version N reads
 * every earlier one; fields are only ever added within a version. */
#define RP_JSON_FORMAT_VERSION 2

/* One JSON document: {"tool": "wgsim", "format_version": 2, "summary":
 * {...}, "scenarios": [...]} with per scenario name, file, claim, status,
 * duration, seed, platform, every expectation (verdict, expected, observed,
 * value, packets), the counters, the phase table ("tunnels", "phases") and,
 * when collected, the timeline. false with err set on I/O errors. */
bool rp_write_json(const char *path, hs_result *const *results, size_t n, char *err, size_t errlen);
/* Which share of a split suite a run is (`wgsim test --shard K/N`). */
typedef struct rp_shard {
    size_t index, count;    /* K and N */
    size_t total;           /* scenarios in the whole suite */
    const size_t *positions; /* [i]: where result i stands in the whole suite (0-based) */
    /* the run's version, commit, engine, platform and seed as the reports
     * name them (rp_run_info; the rest is not read); NULL: all unknown */
    const struct rp_run_info *run;
} rp_shard;
/* rp_write_json of one shard: the document also holds "shard": {"index":
 * K, "count": N, "total": T, "positions": [...], "run": {...}}
 * (docs/reports.md), which wgsim merge reads to put the scenarios back in
 * the unsplit order and to name the run in its reports, and per scenario
 * a "drawing" (topology, timeline series, sequence diagram) for the
 * merged HTML report. */
bool rp_write_json_shard(const char *path, hs_result *const *results, size_t n, const rp_shard *sh, char *err,
                         size_t errlen);
/* The same document as text (malloc'd, the caller frees it). */
char *rp_json_string(hs_result *const *results, size_t n);
/* ---- Markdown (markdown.c) ---- */

/* What the Markdown summary says about the run (none of it read from the
 * host: the caller passes it; NULL fields read "unknown", "each scenario's
 * own", "not given"). */
typedef struct rp_run_info {
    const char *version;  /* wgsim's version */
    const char *commit;   /* `git describe --always --dirty` at configure time; NULL: "unknown" (HTML only) */
    const char *engine;   /* --engine, NULL: each scenario's */
    const char *platform; /* --platform, NULL: each scenario's default */
    const char *seed;     /* --seed as given, NULL: each scenario's */
    const char *date;     /* --date as given (a date in the file keeps it reproducible) */
    /* NULL, or writes a section of its own after the run's metadata, before
     * the claims (`wgsim test --baseline`: the comparison, so a regression
     * is near the top) */
    void (*section)(FILE *out, void *arg);
    /* the same for the HTML report (rp_print_html), with section_arg:
     * written right after the totals */
    void (*html_section)(FILE *out, void *arg);
    void *section_arg;
    /* `wgsim test --matrix`: the dimension ("platform") and its values
     * (n_values 0: no matrix). The results are then n_values blocks of
     * n / n_values runs, results[v * n_per + i] scenario i with values[v]
     * (as rp_print_matrix takes them): the reports add the claims × values
     * table, name the values in the metadata and each run's value in its
     * heading. */
    const char *dimension;
    const char *const *values;
    size_t n_values;
} rp_run_info;
/* GitHub-flavoured Markdown: the totals, the run's metadata, a table of
 * passed / failed / skipped per claim, one row per scenario, the failed
 * expectations with file:line, and every scenario's phase table. All user
 * text is escaped (rp_markdown_text). */
void rp_print_markdown(FILE *out, hs_result *const *results, size_t n, const rp_run_info *info);
/* rp_print_markdown into path; false with "PATH: reason" in err. */
bool rp_write_markdown(const char *path, hs_result *const *results, size_t n, const rp_run_info *info, char *err,
                       size_t errlen);
/* s as inert Markdown text on one line, fit for a table cell: `\ ` * _ [ ]
 * | ~ # !` backslash-escaped (and - + = at the start), < > & " as
 * entities, line breaks and tabs as spaces. */
void rp_markdown_text(FILE *out, const char *s);

/* ---- HTML (html.c, html_escape.c; docs/reports.md "HTML report") ---- */

/* One self-contained HTML page (inline style, no script, a
 * Content-Security-Policy that loads nothing): the totals, the run's
 * metadata, passed / failed / skipped per claim, and per scenario a
 * <details> (open when it did not pass) with its description, every
 * expectation (verdict, file:line, expected, seen) and its phase table.
 * All user text is escaped (rp_html_text); no value is read from the host. */
void rp_print_html(FILE *out, hs_result *const *results, size_t n, const rp_run_info *info);
/* rp_print_html into path; false with "PATH: reason" in err. */
bool rp_write_html(const char *path, hs_result *const *results, size_t n, const rp_run_info *info, char *err,
                   size_t errlen);
/* The page's start up to <body>: doctype, charset, the policy, TITLE
 * (escaped) and the style. */
void rp_html_head(FILE *out, const char *title);
/* s as inert HTML character data, fit for an attribute value too: < > & "
 * ' as references, control characters other than line breaks and tabs as
 * spaces. */
void rp_html_text(FILE *out, const char *s);

/* JUnit XML: one testsuite, one testcase per scenario (classname = the
 * scenario's directory), <failure> with every failed expectation
 * explained, <error> for bad input, <skipped/>. */
bool rp_write_junit(const char *path, hs_result *const *results, size_t n, char *err, size_t errlen);
/* JUnit XML with one testcase per expectation (`--junit-granularity
 * expectation`): a testsuite per scenario (name and file), in it a
 * testcase per expectation with classname = the scenario's name, name =
 * "LINE: the expectation in words", file and line as attributes and as
 * properties (with its kind and the claim), <failure> explained as in the
 * per-scenario form. A scenario that did not run is one testcase
 * "(scenario)" with its <error> or <skipped/>; one without expectations a
 * passing testcase "(no expectations)". Warnings go to the testsuite's
 * <system-err>. */
bool rp_write_junit_per_expectation(const char *path, hs_result *const *results, size_t n, char *err,
                                    size_t errlen);

/* rp_write_junit (per_expectation false) or rp_write_junit_per_expectation
 * of a matrix run, results[v * n_per + i] scenario i with values[v]. The
 * value leads every classname as a package ("linux.scenarios.conformance",
 * "linux.NAME"), so that Jenkins and GitLab group the runs per value and
 * the same scenario on two values stays two tests; per scenario there is
 * one testsuite per value ("wgsim platform=linux"), per expectation the
 * testsuite of each run is "NAME (platform linux)"; every testsuite has
 * the value as a property. */
bool rp_write_junit_matrix(const char *path, bool per_expectation, const char *dimension,
                           hs_result *const *results, size_t n_per, const char *const *values, size_t n_values,
                           char *err, size_t errlen);

/* ---- matrix: `wgsim test --matrix platform=...` (matrix.c) ---- */

/* results[v * n_per + i] is scenario i run with values[v] of the
 * dimension ("platform"). Prints the claims x values table: a row per
 * claim (scenarios without one share "(none)"), per value "holds N/M"
 * (every scenario of the claim passed), "fails N/M" (one failed), "error
 * N/M" (none failed, one did not run) or "skipped N/M"; N passed of M. */
void rp_print_matrix(FILE *out, const char *dimension, hs_result *const *results, size_t n_per,
                     const char *const *values, size_t n_values);
/* rp_write_json of every run with a top-level "matrix": the dimension, its
 * values and per claim per value the verdict and the counts. */
bool rp_write_json_matrix(const char *path, const char *dimension, hs_result *const *results, size_t n_per,
                          const char *const *values, size_t n_values, char *err, size_t errlen);

/* ---- seed sweeps: `wgsim test --seeds` (sweep.c) ---- */

/* A seed on which a scenario did not pass. */
typedef struct rp_sweep_fail {
    uint64_t seed;
    hs_status status; /* failed or error */
    char *why;        /* the first failed expectation ("FILE:LINE: words: expected ..., seen ...") or error line */
    char *replay;     /* the command that replays this run alone */
} rp_sweep_fail;

/* One scenario over every seed of the sweep. */
typedef struct rp_sweep_row {
    char *name, *file, *claim;
    size_t runs, passed, failed, errors, skipped;
    rp_sweep_fail *fails; /* in seed order as given */
    size_t n_fails;
} rp_sweep_row;

typedef struct rp_sweep {
    const char *seeds;   /* --seeds as given */
    size_t n_seeds;
    const char *perturb; /* --perturb as given, NULL: none */
    rp_sweep_row *rows;
    size_t n_rows;
} rp_sweep;

/* Counts run r (seed `seed` of the row's scenario; r->seed is 0 when the
 * file did not load) into row; `replay` is the command that replays it
 * (copied when r did not pass). */
void rp_sweep_count(rp_sweep_row *row, const hs_result *r, uint64_t seed, const char *replay);
/* "PASS name (claim C4) 100/100 seeds", or FAIL/ERROR with the seeds that
 * did not pass, the first `detail` of them with why and the replay
 * command (once when every seed failed for the same reason). */
void rp_print_sweep_row(FILE *out, const rp_sweep_row *row, size_t detail);
/* "56 scenarios, 100 seeds each (loss=1%): 55 held on every seed, 1 did not; 5600 runs, 3 failed, 0 errors" */
void rp_print_sweep_summary(FILE *out, const rp_sweep *s);
/* The sweep as JSON (docs/reports.md, "Seed sweep JSON"); false with err set on I/O errors. */
bool rp_write_json_sweep(const char *path, const rp_sweep *s, char *err, size_t errlen);
void rp_sweep_free(rp_sweep *s);

/* ---- CI annotations (annotations.c) ---- */

/* `--annotations github`: GitHub Actions workflow commands for r, one a
 * line: "::error file=F,line=L,col=C,title=wgsim: NAME::WORDS%0Aexpected:
 * ...%0Aseen: ..." per failed expectation, one "::error" per error line of
 * a scenario that did not run (at its place when it names one), one
 * "::warning" per lint warning; nothing for a passed or skipped scenario.
 * Every text is escaped by GitHub's rules (message: % CR LF; property
 * values: also ':' and ','). */
void rp_print_annotations(FILE *out, const hs_result *r);

/* ---- shards joined (merge.c, `wgsim merge`) ---- */

typedef struct rp_merged rp_merged;
/* Reads the shards' --json files (checked as rp_result_set_load does) and
 * joins them in the unsplit run's order; NULL with err set when one cannot
 * be read, is not a shard's result, the format versions or the splits
 * differ, two hold the same scenario, or one is missing. */
rp_merged *rp_merge_shards(const char *const *paths, size_t n, char *err, size_t errlen);
/* The joined scenarios read back as results, with the phase table and
 * what the HTML report draws (no timeline: for the JUnit, Markdown and
 * HTML files and the summary); owned by m. */
hs_result *const *rp_merged_results(const rp_merged *m, size_t *n);
/* What the shards said about the run (version, commit, engine, platform,
 * seed; NULL where they did not say); the rest of it zero, for the caller
 * to fill. Owned by m. */
const rp_run_info *rp_merged_run_info(const rp_merged *m);
/* The joined document as a result set, to compare with a baseline as
 * `wgsim test --baseline` compares the unsplit run; free it with
 * rp_result_set_free. */
typedef struct rp_result_set rp_result_set;
rp_result_set *rp_merged_result_set(const rp_merged *m);
/* The joined document: what the unsplit run's --json holds, the shards'
 * scenarios as they wrote them, no "shard". false with err set. */
bool rp_write_merged_json(const char *path, const rp_merged *m, char *err, size_t errlen);
void rp_merged_free(rp_merged *m);

/* ---- comparison with a baseline (compare.c) ---- */

/* Scenario results to compare: a saved `--json` document or this run's. */
typedef struct rp_result_set rp_result_set;
/* Reads and checks a `--json` file completely; NULL with err set
 * ("PATH: reason", "PATH:LINE:COL: not valid JSON: ...") when it cannot be
 * read, is not JSON, not wgsim's, of a format this build does not read
 * ("format_version" above RP_JSON_FORMAT_VERSION; none is version 1), or
 * a scenario in it lacks a field the comparison reads. */
rp_result_set *rp_result_set_load(const char *path, char *err, size_t errlen);
/* This run's results, as rp_write_json would write them. */
rp_result_set *rp_result_set_from(hs_result *const *results, size_t n);
void rp_result_set_free(rp_result_set *s);
size_t rp_result_set_count(const rp_result_set *s);

typedef struct rp_comparison {
    /* passed before, failed or error now; or failing both times with an
     * expectation (matched by its words) that passed before and fails now */
    size_t regressions;
    size_t newly_passing; /* failed or error before, passed now */
    size_t added, removed; /* scenario (matched by name) only in the new / old result */
    size_t other;         /* any other change of status (to or from skipped) */
    size_t unchanged;     /* same status (convergence figures may differ) */
} rp_comparison;

/* Prints "compared with OLD_LABEL: N regressions, N newly passing, N added,
 * N removed, N unchanged", then a line per regression (with the
 * expectations that fail now and passed before), per other change of
 * status, per added and removed scenario, and per scenario whose
 * convergence figures changed: its handshakes, pings answered and drops,
 * and per phase (matched by position and event) and tunnel the outage, the
 * handshakes and each side's serving node and main source (a baseline of
 * format_version 1 has no phases: a note says they are not compared);
 * fills c. */
void rp_compare(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                rp_comparison *c);
/* The same as GitHub-flavoured Markdown: "## Compared with OLD_LABEL", the
 * counts (led by "**regression**:" when there is one), a bullet per change
 * with its lines as sub-bullets; all user text escaped (rp_markdown_text). */
void rp_compare_markdown(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                         rp_comparison *c);
/* The same as HTML: a section with the counts (led by a "regression"
 * banner when there is one) and a list item per change; all user text
 * escaped (rp_html_text). */
void rp_compare_html(FILE *out, const char *old_label, const rp_result_set *old, const rp_result_set *cur,
                     rp_comparison *c);
/* `wgsim report --html FILE`: a page with which two results were compared,
 * then rp_compare_html; false with "PATH: reason". */
bool rp_write_compare_html(const char *path, const char *old_label, const char *new_label, const rp_result_set *old,
                           const rp_result_set *cur, rp_comparison *c, char *err, size_t errlen);
/* `wgsim report --markdown FILE`: "# wgsim comparison", which two results
 * were compared, then rp_compare_markdown; false with "PATH: reason". */
bool rp_write_compare_markdown(const char *path, const char *old_label, const char *new_label,
                               const rp_result_set *old, const rp_result_set *cur, rp_comparison *c, char *err,
                               size_t errlen);

/* Opens DIR/NAME/<capture>.pcap for every capture point of the world
 * ("seg:wan" -> seg-wan.pcap), creating directories as needed, so that
 * frames are written as the run goes (sim_capture_open): call it before
 * the run. NAME is the scenario name with unsafe characters replaced.
 * false with "PATH: reason" in err for the first file that cannot be
 * created (a capture whose file cannot be created keeps nothing). The
 * WireGuard key log DIR/NAME/keylog.txt (wg.keylog_file for
 * Wireshark/tshark) is opened the same way (sim_keylog_open). */
bool rp_open_captures(const char *dir, const char *scenario_name, sim_world *w, char *err, size_t errlen);
/* After the run: closes the captures and the key log rp_open_captures
 * opened (a write error of any of them is reported here, "PATH: reason"). */
bool rp_close_captures(const char *dir, const char *scenario_name, sim_world *w, char *err, size_t errlen);

/* The NAME rp_open_captures uses for a scenario: its name with every
 * character outside [A-Za-z0-9._-] replaced by '-' ("scenario" for an
 * empty name, "." or ".."). Two scenarios with the same NAME would write
 * the same directory. */
void rp_capture_dir_name(char *out, size_t len, const char *scenario_name);

#ifdef __cplusplus
}
#endif
#endif /* REPORTS_H */
