/*
 * replay.h — the receive counter window of a session (whitepaper §5.4.6).
 * Same algorithm and size as Linux drivers/net/wireguard/receive.c
 * counter_validate: a ring of 8192 bits of which one 64-bit word is kept
 * as slack, so the window is 8192 - 64 = 8128 counters
 * (../shared/reference/wg-conformance.md, "Replay window"). Called only
 * after the packet authenticated, so a forged counter never moves it.
 */
#ifndef WGNODE_REPLAY_H
#define WGNODE_REPLAY_H

#include "wgnode/wgnode.h"

#define WG_REPLAY_BITS_TOTAL 8192
#define WG_REPLAY_WORD_BITS 64
#define WG_REPLAY_WINDOW (WG_REPLAY_BITS_TOTAL - WG_REPLAY_WORD_BITS)
#define WG_REPLAY_WORDS (WG_REPLAY_BITS_TOTAL / WG_REPLAY_WORD_BITS)

typedef struct wg_replay {
    uint64_t counter; /* one more than the greatest counter accepted */
    uint64_t backtrack[WG_REPLAY_WORDS];
} wg_replay;

void wg_replay_init(wg_replay *r);
/* true: counter is fresh and is now marked seen; false: replayed, too old,
 * or beyond REJECT_AFTER_MESSAGES. */
bool wg_replay_check(wg_replay *r, uint64_t counter);

#endif /* WGNODE_REPLAY_H */
