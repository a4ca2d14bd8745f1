/*
 * session.h — an explore session (`wgsim explore`): a scenario's world
 * built at t = 0 and moved forward on request, commands injected into it
 * as it runs, and earlier times reached again by replaying from t = 0.
 *
 * A run is deterministic (same scenario, seed and commands give the same
 * events in the same order), so the session keeps no snapshots: it keeps
 * a journal of what it injected, each entry with the simulated time and
 * the number of engine events run before it, and rebuilds a world at any
 * earlier time by replaying the journal into a fresh world (session.c
 * says why that is exact). Included by harness/runner.h.
 */
#ifndef HARNESS_SESSION_H
#define HARNESS_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/runner.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hs_session hs_session;

/* An injected command as the journal keeps it. */
typedef struct hs_journal_entry {
    sim_time t;            /* when it ran */
    uint64_t executed;     /* engine events run before it */
    bool after_instant;    /* an engine event had run at t before it */
    hs_command cmd;
    char text[160];        /* canonical text (hs_command_format) */
} hs_journal_entry;

/* How an advance ended. */
typedef enum hs_advance_end {
    HS_ADV_TIME = 0,   /* reached the time asked */
    HS_ADV_BREAK,      /* a `break on` matched (the event is printed) */
    HS_ADV_INTERRUPT,  /* the interrupt flag was set */
} hs_advance_end;

/* Builds the scenario's world at t = 0 with o's seed, platform and engine
 * (record_all is forced on: the views read every capture point, the
 * event log and the change log; o->capture keeps every capture in memory,
 * for tests; the hooks are not used). The
 * scenario must outlive the session. NULL with a message in err. */
hs_session *hs_session_new(const hs_scenario *s, const hs_run_options *o, char *err, size_t errlen);
void hs_session_free(hs_session *ss);
const hs_scenario *hs_session_scenario(const hs_session *ss);
/* The live world (changes after hs_session_goto: do not keep it). */
hs_world *hs_session_world(hs_session *ss);
sim_time hs_session_now(const hs_session *ss);
uint64_t hs_session_events(const hs_session *ss); /* engine events run so far */

/* A flag the session reads between engine events during an advance (the
 * shell sets it from SIGINT); when set the advance stops at the time
 * reached and clears it. NULL: none. */
void hs_session_set_interrupt(hs_session *ss, volatile sig_atomic_t *flag);

/* Runs the world until `until` (absolute; events at exactly `until` run).
 * The scenario's own timeline commands are printed to out as they fire
 * ("  t=30.000s  do: maintenance fw1 on"), as is the event a break
 * stopped at. A time before now runs nothing. */
hs_advance_end hs_session_until(hs_session *ss, sim_time until, FILE *out);
/* Runs exactly one engine event and prints what it did (events logged,
 * packets seen). false when no event is pending. */
bool hs_session_step(hs_session *ss, FILE *out);

/* `break on KIND [NODE]` (args = "KIND [NODE]"; KIND carp, handshake,
 * endpoint, drop, state): an advance stops right after the next such
 * event (of NODE). false with a message and the 1-based column in args.
 * hs_session_break_clear removes them all; hs_session_break_list prints
 * them one a line. */
bool hs_session_break_on(hs_session *ss, const char *args, char *err, size_t errlen, int *err_col);
void hs_session_break_clear(hs_session *ss);
void hs_session_break_list(const hs_session *ss, FILE *out);

/* Parses, checks and runs a timeline command now (the `do:` language),
 * and journals it. false with a message; *err_col is the column in line
 * of the offending word, 0 when the simulator refused it. */
bool hs_session_inject(hs_session *ss, const char *line, char *err, size_t errlen, int *err_col);
size_t hs_session_journal(const hs_session *ss, const hs_journal_entry **out);

/* Returns to time t: later than now advances (as hs_session_until,
 * printing nothing); earlier rebuilds the world from t = 0 and replays the
 * journal up to t. Commands injected after t are dropped from the journal
 * (*dropped says how many). false with a message (the session is then
 * unchanged). */
bool hs_session_goto(hs_session *ss, sim_time t, size_t *dropped, char *err, size_t errlen);

/* A second world at exactly the live world's point (same time, same
 * engine events, same commands), built with o (capture, before_run:
 * pcap output opens its files there). The caller calls o->after_run if
 * it wants it and frees the world. NULL with a message. */
hs_world *hs_session_replay(hs_session *ss, const hs_run_options *o, char *err, size_t errlen);

/* The scenario's expectations as of now, evaluated by the runner's code
 * (hs_expect_evaluate) on a replay of the session to now (evaluating
 * finishes the streams it reads, so the live world is not used).
 * pending[i] (malloc'd, n_expects) is true when expectation i's instant or
 * window ends after now: its verdict is not final and r->n_failed does
 * not count it. NULL with a message. */
hs_result *hs_session_expect(hs_session *ss, bool **pending, char *err, size_t errlen);

/* Writes the loaded scenario with the injected commands as timeline
 * events (and, with_expect, the current CARP states and peer endpoints as
 * expectations at now) to path (session_save.c). false with a message. */
bool hs_session_save(hs_session *ss, const char *path, bool with_expect, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* HARNESS_SESSION_H */
