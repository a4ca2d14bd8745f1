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
/* The phase's timeline commands, "(start)" for the first one. */
const char *rp_phase_event_text(const hs_phase *p);

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
/* ---- Markdown (markdown.c) ---- */

/* What the Markdown summary says about the run (none of it read from the
 * host: the caller passes it; NULL fields read "unknown", "each scenario's
 * own", "not given"). */
typedef struct rp_run_info {
    const char *version;  /* wgsim's version */
    const char *engine;   /* --engine, NULL: each scenario's */
    const char *platform; /* --platform, NULL: each scenario's default */
    const char *seed;     /* --seed as given, NULL: each scenario's */
    const char *date;     /* --date as given (a date in the file keeps it reproducible) */
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

/* JUnit XML: one testsuite, one testcase per scenario (classname = the
 * scenario's directory), <failure> with every failed expectation
 * explained, <error> for bad input, <skipped/>. */
bool rp_write_junit(const char *path, hs_result *const *results, size_t n, char *err, size_t errlen);

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
