/*
 * index.h — the receiver index table (whitepaper §5.4.2; Linux
 * drivers/net/wireguard/peerlookup.c wg_index_hashtable_*). Every handshake
 * attempt and every session gets a random 32-bit index from the host's
 * random source; messages addressed to us carry it as "receiver". Entries
 * are embedded in their owner (handshake slot of a peer, or a keypair), so
 * the table allocates only its slot array.
 */
#ifndef WGNODE_INDEX_H
#define WGNODE_INDEX_H

#include "wgnode/wgnode.h"
#include "wgnode/u32map.h"

struct wg_peer;

enum wg_index_kind {
    WG_INDEX_HANDSHAKE = 1,
    WG_INDEX_KEYPAIR = 2,
};

typedef struct wg_index_entry {
    struct wg_peer *peer;
    uint32_t index;
    uint8_t kind;   /* enum wg_index_kind */
    bool linked;
} wg_index_entry;

/* index -> entry in a wg_u32map (u32map.h: the index beside its entry in
 * the slot, so a lookup reads no other entry). */
typedef struct wg_index {
    wg_u32map map;
} wg_index;

typedef void (*wg_index_random_fn)(void *ctx, uint8_t *buf, size_t len);

bool wg_index_init(wg_index *t);
void wg_index_free(wg_index *t); /* entries belong to their owners */
/* Where index's probe starts (a cache hint, prefetch.c); NULL when empty. */
const void *wg_index_home(const wg_index *t, uint32_t index);
/* Links e under a fresh random index not in use (removing e first if it was
 * linked, as Linux re-inserts on every new handshake). False, e unlinked,
 * only when the table is full and cannot grow (out of memory). */
bool wg_index_insert(wg_index *t, wg_index_entry *e, wg_index_random_fn rnd, void *ctx);
/* new takes over old's index (handshake -> keypair, Linux
 * wg_index_hashtable_replace); old is unlinked. */
void wg_index_replace(wg_index *t, wg_index_entry *old, wg_index_entry *new_entry);
void wg_index_remove(wg_index *t, wg_index_entry *e);
/* The entry with this index whose kind is in kinds (a mask), or NULL. */
wg_index_entry *wg_index_lookup(const wg_index *t, uint32_t index, unsigned kinds);

#endif /* WGNODE_INDEX_H */
