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
    bool ack;      /* PFSTATE_ACK: the sender holds the state's first packet until the peer acks */
    pf_state s;    /* snapshot (for deletes only creatorid/id matter) */
} pfsync_entry;

/* A held packet is given back: sent now (drop false) or thrown away (drop
 * true: its state was deleted, or the node stopped). */
typedef void (*pfsync_release_fn)(void *arg, bool drop);

typedef struct pfsync_deferral pfsync_deferral; /* pfsync.c */

typedef struct pfsync_options {
    /* pfsync_timeout: the callout is (re)armed for 1 s whenever a change
     * is queued into an empty packet; what is queued leaves when it fires
     * ("updates are merged, sent within 1 s", PS4/PSC). */
    sim_time flush_interval;
    /* `ifconfig pfsync0 defer` (PFSYNCF_DEFER). Off by default: pfSense runs
     * `ifconfig pfsync0 -defer` (interfaces.inc interfaces_sync_setup, since
     * 2.3.0). On: a state created by an outbound packet is pushed at once
     * and that packet is held until the peer acks the insert or
     * defer_timeout passes (pf.c pf_test_rule -> if_pfsync.c pfsync_defer). */
    bool defer;
    sim_time defer_timeout;  /* PFSYNC_DEFER_TIMEOUT: 20 ms */
    /* The pfsync packet fills up: a change that does not fit into
     * mtu bytes sends what is queued first (pfsync_q_ins, pfsync0's
     * if_mtu = ETHERMTU 1500). */
    size_t mtu;
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
    size_t qkind[3];        /* queued entries per pf_sync_kind (the packet's length) */
    pfsync_deferral *dfr;   /* held first packets (defer), oldest first */
    size_t ndfr;
    sim_event_id flush_ev;
    sim_event_id bulk_ev;   /* bulk-fail timer */
    bool sync_ok;           /* no bulk update pending (demotion removed) */
    int bulk_tries;
    struct pfsync_msg *inflight; /* sent, not yet delivered (owned here) */
    uint64_t msgs_sent, entries_sent, imported, skipped, deleted;
    uint64_t full_sends;    /* packets sent because the next change did not fit */
};

void pfsync_init(pfsync *ps, sim_engine *eng, pf *pf, const pfsync_ops *ops, const pfsync_options *opt);
/* Pair two instances (both directions). */
void pfsync_pair(pfsync *a, pfsync *b);
/* Cancels the flush timer, forgets the queue and drops held packets
 * (power-off). Messages already in flight still arrive (if the peer can
 * receive then). */
void pfsync_reset(pfsync *ps);
/* Frees everything, in-flight messages included. */
void pfsync_free(pfsync *ps);
/* pf's state_changed callback: queue a change for the peer. */
void pfsync_queue(pfsync *ps, const pf_state *s, pf_sync_kind k);
/* pfsync_defer: s was just created by an outbound packet. With opt.defer
 * (and a peer) the insert is pushed now, the packet is
 * held and true returned; `release` gets it back when the peer's ack
 * arrives, after opt.defer_timeout, or on the state's next update (sent)
 * or delete (dropped). false: send it now. */
bool pfsync_defer(pfsync *ps, const pf_state *s, pfsync_release_fn release, void *arg);
/* Bytes of the pfsync packet being filled (PFSYNC_MINPKT when empty). */
size_t pfsync_queued_len(const pfsync *ps);
/* Send what is queued now (pfsync_push). */
void pfsync_flush(pfsync *ps);
/* At boot: request a bulk update from the peer (demoting CARP until it
 * completes or fails), when opt.bulk is set. */
void pfsync_bulk_start(pfsync *ps);

#endif /* SIM_PFSYNC_H */
