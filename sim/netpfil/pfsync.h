/*
 * pfsync.h — internal interface of the pfsync model (sim/netpfil/pfsync.c): state
 * replication between two HA peers' pf instances.
 *
 * Transport: a lagged channel between the two firewalls, not proto-240
 * packets on a segment. A message leaves when the batch is flushed and
 * arrives `delay` later if the receiving side can receive then (powered,
 * sync interface up); documented in docs/models.md "pfsync".
 *
 * Sources: ha-model.md §2 (PS4 = pfsync(4), PSC = if_pfsync.c).
 */
#ifndef SIM_PFSYNC_H
#define SIM_PFSYNC_H

#include "sim/netpfil/pf.h"

typedef struct pfsync pfsync;

typedef struct pfsync_ops {
    void *ctx;
    /* Can this side send / receive now (node powered, sync interface up)? */
    bool (*up)(void *ctx);
    /* Trace hook, optional: a message of n entries was sent / imported. */
    void (*log)(void *ctx, const char *text);
    /* CARP demotion while the bulk update runs (net.pfsync.carp_demotion_factor);
     * optional. */
    void (*demote)(void *ctx, int adj);
} pfsync_ops;

typedef struct pfsync_entry {
    pf_sync_kind kind;
    pf_state s;    /* snapshot (for deletes only creatorid/id matter) */
} pfsync_entry;

typedef struct pfsync_options {
    /* pfsync_timeout: pending updates leave 1 s after the first one was
     * queued ("updates are merged, sent within 1 s", PS4/PSC). */
    sim_time flush_interval;
    /* pfSense runs pfsync0 -defer (IFS): a new state is pushed at once
     * (pfsync_defer -> pfsync_push) instead of waiting for the flush. */
    bool defer;
    /* Transit time of a message between the peers. */
    sim_time delay;
    /* Bulk update at start: request the peer's whole table, CARP demoted
     * by carp_demotion_factor (240) until it completes; retried every
     * bulk_retry (5 s), given up after PFSYNC_MAX_BULKTRIES (12) retries
     * (ha-model.md §1.3 PS4; if_pfsync.c pfsync_bulk_fail). */
    bool bulk;
    int carp_demotion_factor;
    sim_time bulk_retry;
    int bulk_max_tries;
} pfsync_options;
void pfsync_options_default(pfsync_options *o);

struct pfsync {
    sim_engine *eng;
    pf *pf;
    pfsync *peer;
    pfsync_ops ops;
    pfsync_options opt;
    pfsync_entry *q;
    size_t qn, qcap;
    sim_event_id flush_ev;
    sim_event_id bulk_ev;   /* bulk-fail timer */
    bool sync_ok;           /* no bulk update pending (demotion removed) */
    int bulk_tries;
    struct pfsync_msg *inflight; /* sent, not yet delivered (owned here) */
    uint64_t msgs_sent, entries_sent, imported, skipped, deleted;
};

void pfsync_init(pfsync *ps, sim_engine *eng, pf *pf, const pfsync_ops *ops, const pfsync_options *opt);
/* Pair two instances (both directions). */
void pfsync_pair(pfsync *a, pfsync *b);
/* Cancels the flush timer and forgets the queue (power-off). Messages
 * already in flight still arrive (if the peer can receive then). */
void pfsync_reset(pfsync *ps);
/* Frees everything, in-flight messages included. */
void pfsync_free(pfsync *ps);
/* pf's state_changed callback: queue a change for the peer. */
void pfsync_queue(pfsync *ps, const pf_state *s, pf_sync_kind k);
/* Send what is queued now (pfsync_push). */
void pfsync_flush(pfsync *ps);
/* At boot: request a bulk update from the peer (demoting CARP until it
 * completes or fails), when opt.bulk is set. */
void pfsync_bulk_start(pfsync *ps);

#endif /* SIM_PFSYNC_H */
