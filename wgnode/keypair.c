/*
 * keypair.c — session keypairs and their rotation (see keypair.h).
 */
#include "wgnode/keypair.h"

#include <stdlib.h>
#include <string.h>

wg_keypair *wg_keypair_new(const wg_session_keys *keys, struct wg_peer *peer, int64_t now, wg_index *index,
                           wg_index_entry *hs_entry, wg_index_random_fn rnd, void *rnd_ctx)
{
    wg_keypair *kp = calloc(1, sizeof *kp);
    if (!kp)
        return NULL;
    kp->entry.peer = peer;
    kp->entry.kind = WG_INDEX_KEYPAIR;
    kp->remote_index = keys->remote_index;
    kp->initiator = keys->initiator;
    kp->sending_valid = kp->receiving_valid = true;
    kp->birth = now;
    memcpy(kp->send_key, keys->send, WG_KEY_LEN);
    memcpy(kp->recv_key, keys->recv, WG_KEY_LEN);
    wg_replay_init(&kp->replay);
    if (hs_entry && hs_entry->linked)
        wg_index_replace(index, hs_entry, &kp->entry);
    else if (!wg_index_insert(index, &kp->entry, rnd, rnd_ctx)) {
        wg_keypair_free(kp, index); /* out of memory for the index table */
        return NULL;
    }
    return kp;
}

void wg_keypair_free(wg_keypair *kp, wg_index *index)
{
    if (!kp)
        return;
    wg_index_remove(index, &kp->entry);
    wg_replay_release(&kp->replay);
    wg_memzero(kp, sizeof *kp);
    free(kp);
}

void wg_keypairs_add(wg_keypairs *kps, wg_keypair *kp, wg_index *index)
{
    if (kp->initiator) {
        if (kps->next) {
            /* An unconfirmed responder session is newer than current. */
            wg_keypair_free(kps->previous, index);
            kps->previous = kps->next;
            kps->next = NULL;
            wg_keypair_free(kps->current, index);
        } else {
            wg_keypair_free(kps->previous, index);
            kps->previous = kps->current;
        }
        kps->current = kp;
    } else {
        wg_keypair_free(kps->next, index);
        kps->next = kp;
        wg_keypair_free(kps->previous, index);
        kps->previous = NULL;
    }
}

bool wg_keypairs_received_with(wg_keypairs *kps, wg_keypair *kp, wg_index *index)
{
    if (!kp || kps->next != kp)
        return false;
    wg_keypair_free(kps->previous, index);
    kps->previous = kps->current;
    kps->current = kp;
    kps->next = NULL;
    return true;
}

void wg_keypairs_clear(wg_keypairs *kps, wg_index *index)
{
    wg_keypair_free(kps->current, index);
    wg_keypair_free(kps->previous, index);
    wg_keypair_free(kps->next, index);
    kps->current = kps->previous = kps->next = NULL;
}
