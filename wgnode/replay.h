/*
 * replay.h — the receive counter window of a session (whitepaper §5.4.6).
 * Same algorithm and size as Linux drivers/net/wireguard/receive.c
 * counter_validate: a ring of 8192 bits of which one 64-bit word is kept
 * as slack, so the window is 8192 - 64 = 8128 counters
 * (../shared/reference/wg-conformance.md, "Replay window"). Called only
 * after the packet authenticated, so a forged counter never moves it.
 *
 * Storage: the 1 KiB ring is allocated only when it carries information.
 * While every counter from 0 up to the greatest accepted one has arrived
 * exactly once and in order (the usual case: a sender's counter
 * increments by one and a link keeps order), the ring's content is
 * implied by `counter` alone, so nothing is stored; the first gap
 * materialises the ring as the in-order history would have filled it and
 * the algorithm continues on it unchanged. Accept/reject decisions are
 * those of the full ring in every case (tests/test_replay.c compares the
 * two on random sequences). A 10,000-peer hub holds up to three sessions
 * per peer, so this is 30 MiB of zeros it no longer keeps.
 */
#ifndef WGNODE_REPLAY_H
#define WGNODE_REPLAY_H

#include "wgnode/wgnode.h"

#define WG_REPLAY_BITS_TOTAL 8192
#define WG_REPLAY_WORD_BITS 64
#define WG_REPLAY_WINDOW (WG_REPLAY_BITS_TOTAL - WG_REPLAY_WORD_BITS)
#define WG_REPLAY_WORDS (WG_REPLAY_BITS_TOTAL / WG_REPLAY_WORD_BITS)

typedef struct wg_replay {
    uint64_t counter;    /* one more than the greatest counter accepted */
    uint64_t *backtrack; /* WG_REPLAY_WORDS words; NULL: counters 0 .. counter - 1 all arrived in order */
} wg_replay;

typedef enum wg_replay_result {
    WG_REPLAY_FRESH = 0, /* fresh, and now marked seen */
    WG_REPLAY_REJECT,    /* replayed, too old, or beyond REJECT_AFTER_MESSAGES */
    WG_REPLAY_NOMEM,     /* the ring could not be allocated; the window is unchanged */
} wg_replay_result;

void wg_replay_init(wg_replay *r);
/* Frees the ring (if any); the window is empty again, as after init. */
void wg_replay_release(wg_replay *r);
wg_replay_result wg_replay_check(wg_replay *r, uint64_t counter);

#endif /* WGNODE_REPLAY_H */
