/*
 * ns3_shim.h — libns3-c: a small C interface to ns-3's discrete-event
 * Simulator (Debian's libns3-dev, ns3-core), so C code can drive it.
 *
 * ns-3's Simulator is a process-wide singleton, so at most one session
 * exists at a time: ns3_shim_create() returns NULL (with a message on
 * stderr) while another session is alive. Times are int64 nanoseconds,
 * ns-3's default time resolution.
 *
 * Two ways to schedule:
 *  - ns3_shim_schedule(): a tracked event with an id that can be
 *    cancelled, counted by ns3_shim_pending() and seen by
 *    ns3_shim_next_time() (ns-3 itself exposes neither, so the shim keeps
 *    an ordered index beside ns-3's queue). The engine backend uses this.
 *  - ns3_shim_schedule_raw_in(): exactly Simulator::Schedule of a plain
 *    function with its argument, nothing else: the benchmark baseline.
 */
#ifndef WGSIM_NS3_SHIM_H
#define WGSIM_NS3_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ns3_shim ns3_shim;
typedef void (*ns3_shim_fn)(void *arg);

/* scheduler: "map", "calendar", "heap", "priority-queue" or "list"
 * (ns3::MapScheduler, ...). NULL: no such scheduler, or a session exists. */
ns3_shim *ns3_shim_create(const char *scheduler);
/* Drops pending events and calls Simulator::Destroy(); NULL is a no-op. */
void ns3_shim_destroy(ns3_shim *s);
/* The scheduler names ns3_shim_create() accepts, NULL-terminated. */
extern const char *const ns3_shim_schedulers[];

int64_t ns3_shim_now(const ns3_shim *s);
/* Keep *clock equal to the simulation time: written before every tracked
 * event runs and when run/step return (the engine's public `now`). */
void ns3_shim_mirror_clock(ns3_shim *s, int64_t *clock);
/* Counts tracked events run into *executed, and stops the run (as
 * ns3_shim_stop) after the event that makes it equal *pause_at (0: never);
 * both are read and written in place (sim_engine's fields). */
void ns3_shim_mirror_count(ns3_shim *s, uint64_t *executed, const uint64_t *pause_at);
/* Absolute time; a time in the past means now. Returns an id > 0. */
uint64_t ns3_shim_schedule(ns3_shim *s, int64_t at, ns3_shim_fn fn, void *arg);
/* Removes a pending tracked event; false when fired, cancelled or unknown. */
bool ns3_shim_cancel(ns3_shim *s, uint64_t id);
/* Untracked, relative to now, exactly Simulator::Schedule(NanoSeconds(delay),
 * fn, arg): cannot be cancelled, not counted by pending/next_time. */
void ns3_shim_schedule_raw_in(ns3_shim *s, int64_t delay, ns3_shim_fn fn, void *arg);

/* Run events with time <= until (INT64_MAX: until none is left or
 * stopped). The clock ends at `until` when finite and not stopped. */
void ns3_shim_run_until(ns3_shim *s, int64_t until);
/* Run the earliest tracked event; false when none is pending. */
bool ns3_shim_step(ns3_shim *s);
/* From inside an event: the current run returns after it. */
void ns3_shim_stop(ns3_shim *s);
/* Simulator::IsFinished(): nothing left to run, or stopped. */
bool ns3_shim_is_finished(const ns3_shim *s);
size_t ns3_shim_pending(const ns3_shim *s);
int64_t ns3_shim_next_time(const ns3_shim *s); /* INT64_MAX when none */

#ifdef __cplusplus
}
#endif
#endif /* WGSIM_NS3_SHIM_H */
