/*
 * replay.c — sliding replay window (Linux receive.c counter_validate,
 * wireguard-go replay/replay.go; constants and the storage rule in
 * wgnode/replay.h).
 */
#include "wgnode/replay.h"

#include <stdlib.h>
#include <string.h>

void wg_replay_init(wg_replay *r) { memset(r, 0, sizeof *r); }

void wg_replay_release(wg_replay *r)
{
    free(r->backtrack);
    wg_replay_init(r);
}

/* The ring as the in-order arrival of counters 0 .. counter - 1 (kept +1:
 * bits 1 .. counter) has filled it: the words of the last WG_REPLAY_WORDS
 * word indices, each holding its bits up to `counter`; bit 0 (no counter)
 * stays clear. */
static bool materialise(wg_replay *r)
{
    uint64_t *b = calloc(WG_REPLAY_WORDS, sizeof *b);
    if (!b)
        return false;
    uint64_t cur = r->counter / WG_REPLAY_WORD_BITS;
    uint64_t first = cur >= WG_REPLAY_WORDS - 1 ? cur - (WG_REPLAY_WORDS - 1) : 0;
    for (uint64_t w = first; r->counter && w <= cur; w++) {
        uint64_t lo = w * WG_REPLAY_WORD_BITS, hi = lo + WG_REPLAY_WORD_BITS - 1;
        if (lo < 1)
            lo = 1;
        if (hi > r->counter)
            hi = r->counter;
        uint64_t n = hi - lo + 1; /* bits lo .. hi of word w, 1 .. 64 of them */
        uint64_t ones = n == WG_REPLAY_WORD_BITS ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
        b[w % WG_REPLAY_WORDS] = ones << (lo % WG_REPLAY_WORD_BITS);
    }
    r->backtrack = b;
    return true;
}

wg_replay_result wg_replay_check(wg_replay *r, uint64_t their)
{
    /* Nonces at or past REJECT_AFTER_MESSAGES are never valid; once the
     * window has moved past that limit the session accepts nothing. */
    if (r->counter >= WG_REJECT_AFTER_MESSAGES + 1 || their >= WG_REJECT_AFTER_MESSAGES)
        return WG_REPLAY_REJECT;
    uint64_t c = their + 1; /* counters are kept +1 so 0 means "nothing seen" */
    if (c + WG_REPLAY_WINDOW < r->counter)
        return WG_REPLAY_REJECT; /* older than the window */
    if (!r->backtrack) {
        /* In-order history: everything up to counter was seen. */
        if (c <= r->counter)
            return WG_REPLAY_REJECT;
        if (c == r->counter + 1) {
            r->counter = c;
            return WG_REPLAY_FRESH;
        }
        if (!materialise(r)) /* a gap: from now on the ring is information */
            return WG_REPLAY_NOMEM;
    }
    uint64_t index = c / WG_REPLAY_WORD_BITS;
    if (c > r->counter) {
        /* Window moves forward: clear the words it slides over (at most all). */
        uint64_t current = r->counter / WG_REPLAY_WORD_BITS;
        uint64_t diff = index - current;
        if (diff > WG_REPLAY_WORDS)
            diff = WG_REPLAY_WORDS;
        for (uint64_t i = 1; i <= diff; i++)
            r->backtrack[(current + i) % WG_REPLAY_WORDS] = 0;
        r->counter = c;
    }
    uint64_t *word = &r->backtrack[index % WG_REPLAY_WORDS];
    uint64_t bit = UINT64_C(1) << (c % WG_REPLAY_WORD_BITS);
    if (*word & bit)
        return WG_REPLAY_REJECT;
    *word |= bit;
    return WG_REPLAY_FRESH;
}
