/*
 * keypair.h — transport sessions of a peer (whitepaper §5.4.6, §6.1; Linux
 * drivers/net/wireguard/noise.c keypairs). A peer holds up to three:
 *   current   — used to send;
 *   previous  — still accepted on receive after a rotation;
 *   next      — responder side: derived after sending a response, becomes
 *               current when the first packet on it arrives (proof the
 *               initiator has it).
 * Each keypair is allocated on demand (about 120 bytes; its 1 KiB replay
 * ring only once packets arrive with a gap, see replay.h), so an idle
 * peer carries none.
 */
#ifndef WGNODE_KEYPAIR_H
#define WGNODE_KEYPAIR_H

#include "wgnode/index.h"
#include "wgnode/noise.h"
#include "wgnode/replay.h"

typedef struct wg_keypair {
    wg_index_entry entry; /* local index (receiver of messages to us) */
    uint32_t remote_index;
    bool initiator;
    bool sending_valid;
    bool receiving_valid;
    int64_t birth;        /* host ns the session was derived */
    uint64_t send_counter;
    uint8_t send_key[WG_KEY_LEN];
    uint8_t recv_key[WG_KEY_LEN];
    wg_replay replay;
} wg_keypair;

typedef struct wg_keypairs {
    wg_keypair *current, *previous, *next;
} wg_keypairs;

/* A new keypair from derived session keys; it takes over the handshake's
 * index entry (hs_entry may be unlinked: a fresh index is drawn then).
 * NULL on allocation failure. */
wg_keypair *wg_keypair_new(const wg_session_keys *keys, struct wg_peer *peer, int64_t now, wg_index *index,
                           wg_index_entry *hs_entry, wg_index_random_fn rnd, void *rnd_ctx);
/* Unlinks, wipes and frees (NULL ok). */
void wg_keypair_free(wg_keypair *kp, wg_index *index);

/* Installs a new session with Linux's rotation rules (noise.c
 * add_new_keypair): an initiator's session becomes current at once (the
 * old current, or an unconfirmed next, becomes previous); a responder's
 * session waits as next and previous is dropped. */
void wg_keypairs_add(wg_keypairs *kps, wg_keypair *kp, wg_index *index);
/* A packet authenticated with kp: when kp is next it is promoted to
 * current (old current -> previous). Returns true on that promotion
 * (noise.c wg_noise_received_with_keypair). */
bool wg_keypairs_received_with(wg_keypairs *kps, wg_keypair *kp, wg_index *index);
/* Frees all three (zeroing of key material). */
void wg_keypairs_clear(wg_keypairs *kps, wg_index *index);

/* Whether a keypair may still send or receive is decided where it is used
 * (send.c wg_send_staged, receive.c rx_data), with the platform's age
 * comparison (sourcing.h wg_sourcing_age_over). */

#endif /* WGNODE_KEYPAIR_H */
