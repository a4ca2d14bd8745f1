/*
 * replay.c — sliding replay window (Linux receive.c counter_validate,
 * wireguard-go replay/replay.go; constants in wgnode/replay.h).
 */
#include "wgnode/replay.h"

#include <string.h>

void wg_replay_init(wg_replay *r) { memset(r, 0, sizeof *r); }

bool wg_replay_check(wg_replay *r, uint64_t their)
{
    /* Nonces at or past REJECT_AFTER_MESSAGES are never valid; once the
     * window has moved past that limit the session accepts nothing. */
    if (r->counter >= WG_REJECT_AFTER_MESSAGES + 1 || their >= WG_REJECT_AFTER_MESSAGES)
        return false;
    uint64_t c = their + 1; /* counters are kept +1 so 0 means "nothing seen" */
    if (c + WG_REPLAY_WINDOW < r->counter)
        return false; /* older than the window */
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
        return false;
    *word |= bit;
    return true;
}
