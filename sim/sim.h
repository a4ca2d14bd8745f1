/*
 * sim.h — the public interface of libsim: the deterministic world wgsim
 * simulates (engine, seeded randomness, wire, nodes and their models).
 *
 * libsim depends on libwgnode (it hosts WireGuard devices) and on nothing
 * above it: it knows no YAML, no scenario, no claim.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wgnode/wgnode.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

typedef int64_t sim_time; /* nanoseconds since the start of the simulation */
#define SIM_NS INT64_C(1)
#define SIM_US INT64_C(1000)
#define SIM_MS INT64_C(1000000)
#define SIM_S INT64_C(1000000000)
#define SIM_TIME_NEVER INT64_MAX

/* ------------------------------------------------------------------ */
/* Engine: an interface with interchangeable backends                 */
/* ------------------------------------------------------------------ */

/* Handle of a scheduled event; 0 is never a valid id. */
typedef uint64_t sim_event_id;
typedef void (*sim_event_fn)(void *arg);

typedef struct sim_engine sim_engine;

/* A backend implements these. Events with equal times run in the order
 * they were scheduled. Cancelling a fired or unknown id is a no-op that
 * returns false. */
typedef struct sim_engine_ops {
    const char *name;
    sim_time (*now)(const sim_engine *e);
    sim_event_id (*schedule)(sim_engine *e, sim_time at, sim_event_fn fn, void *arg);
    bool (*cancel)(sim_engine *e, sim_event_id id);
    /* Run events whose time is <= until (SIM_TIME_NEVER: until empty or
     * stopped); the clock ends at `until` when it is finite and not stopped. */
    void (*run)(sim_engine *e, sim_time until);
    /* Run exactly one event; false when none is pending. */
    bool (*step)(sim_engine *e);
    /* Make run() return after the current event. */
    void (*stop)(sim_engine *e);
    size_t (*pending)(const sim_engine *e);
    sim_time (*next_time)(const sim_engine *e); /* SIM_TIME_NEVER when empty */
    void (*destroy)(sim_engine *e);
} sim_engine_ops;

struct sim_engine {
    const sim_engine_ops *ops;
};

static inline sim_time sim_now(const sim_engine *e) { return e->ops->now(e); }
static inline sim_event_id sim_schedule_at(sim_engine *e, sim_time at, sim_event_fn fn, void *arg)
{
    return e->ops->schedule(e, at, fn, arg);
}
static inline sim_event_id sim_schedule_in(sim_engine *e, sim_time delay, sim_event_fn fn, void *arg)
{
    return e->ops->schedule(e, e->ops->now(e) + delay, fn, arg);
}
static inline bool sim_cancel(sim_engine *e, sim_event_id id) { return id ? e->ops->cancel(e, id) : false; }
static inline void sim_run_until(sim_engine *e, sim_time until) { e->ops->run(e, until); }
static inline bool sim_step(sim_engine *e) { return e->ops->step(e); }
static inline void sim_stop(sim_engine *e) { e->ops->stop(e); }
static inline void sim_engine_destroy(sim_engine *e)
{
    if (e)
        e->ops->destroy(e);
}

/* The native backend: a binary heap keyed on (time, sequence). */
sim_engine *sim_engine_native_new(void);
/* The ns-3 backend (ns-3's Simulator through the libns3-c shim); NULL
 * when wgsim was built without ns-3. */
sim_engine *sim_engine_ns3_new(void);
/* "native" or "ns3"; NULL for an unknown name. */
sim_engine *sim_engine_new_by_name(const char *name);

/* ------------------------------------------------------------------ */
/* Seeded randomness: one ChaCha20 stream per node                    */
/* ------------------------------------------------------------------ */

/* Deterministic stream: key = BLAKE2s(seed || name); output is the
 * ChaCha20 keystream libsodium's randombytes_buf_deterministic produces,
 * continued block after block. */
typedef struct sim_rng {
    uint8_t key[32];
    uint64_t block;      /* next 64-byte block of the keystream */
    uint8_t buf[256];
    size_t pos;          /* bytes of buf already used */
} sim_rng;

void sim_rng_init(sim_rng *r, uint64_t seed, const char *name);
void sim_rng_bytes(sim_rng *r, void *out, size_t len);
uint64_t sim_rng_u64(sim_rng *r);
/* Uniform in [0, bound) without modulo bias; bound 0 returns 0. */
uint64_t sim_rng_below(sim_rng *r, uint64_t bound);
/* Uniform double in [0, 1). */
double sim_rng_unit(sim_rng *r);

#ifdef __cplusplus
}
#endif
#endif /* SIM_H */
