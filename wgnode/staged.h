/*
 * staged.h — packets waiting for a usable session (whitepaper §6.3; Linux
 * send.c staged_packet_queue, MAX_STAGED_PACKETS 128; FreeBSD if_wg.c
 * MAX_STAGED_PKT 128). When full the OLDEST packet is dropped, as both do.
 * The ring is allocated on the first packet and released when it empties,
 * so idle peers cost one pointer.
 */
#ifndef WGNODE_STAGED_H
#define WGNODE_STAGED_H

#include "wgnode/wgnode.h"

#define WG_MAX_STAGED_PACKETS 128

typedef struct wg_staged_packet {
    size_t len; /* 0 = keepalive */
    uint8_t data[];
} wg_staged_packet;

typedef struct wg_staged {
    wg_staged_packet **ring; /* WG_MAX_STAGED_PACKETS slots, NULL while empty */
    uint16_t head, count;
} wg_staged;

/* Appends a copy. Returns how many old packets were dropped to make room
 * (0 or 1), or -1 when out of memory (the packet is not queued). */
int wg_staged_push(wg_staged *q, const uint8_t *data, size_t len);
/* The oldest packet (NULL when empty); ownership stays in the queue. */
wg_staged_packet *wg_staged_peek(const wg_staged *q);
/* Removes the oldest packet and frees it. */
void wg_staged_pop(wg_staged *q);
/* Frees everything; returns how many packets were dropped. */
size_t wg_staged_purge(wg_staged *q);
/* Is a keepalive (empty packet) already queued? */
bool wg_staged_has_keepalive(const wg_staged *q);
static inline size_t wg_staged_len(const wg_staged *q) { return q->count; }

#endif /* WGNODE_STAGED_H */
