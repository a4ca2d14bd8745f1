/*
 * staged.c — bounded FIFO of packets waiting for a handshake (staged.h).
 */
#include "wgnode/staged.h"

#include <stdlib.h>
#include <string.h>

static void release_if_empty(wg_staged *q)
{
    if (q->count == 0 && q->ring) {
        free(q->ring);
        q->ring = NULL;
        q->head = 0;
    }
}

wg_staged_packet *wg_staged_peek(const wg_staged *q) { return q->count ? q->ring[q->head] : NULL; }

void wg_staged_pop(wg_staged *q)
{
    if (!q->count)
        return;
    free(q->ring[q->head]);
    q->ring[q->head] = NULL;
    q->head = (uint16_t)((q->head + 1) % WG_MAX_STAGED_PACKETS);
    q->count--;
    release_if_empty(q);
}

int wg_staged_push(wg_staged *q, const uint8_t *data, size_t len)
{
    wg_staged_packet *p = malloc(sizeof *p + len);
    if (!p)
        return -1;
    p->len = len;
    if (len)
        memcpy(p->data, data, len);
    if (!q->ring) {
        q->ring = calloc(WG_MAX_STAGED_PACKETS, sizeof *q->ring);
        if (!q->ring) {
            free(p);
            return -1;
        }
        q->head = 0;
    }
    int dropped = 0;
    if (q->count == WG_MAX_STAGED_PACKETS) {
        free(q->ring[q->head]);
        q->ring[q->head] = NULL;
        q->head = (uint16_t)((q->head + 1) % WG_MAX_STAGED_PACKETS);
        q->count--;
        dropped = 1;
    }
    q->ring[(q->head + q->count) % WG_MAX_STAGED_PACKETS] = p;
    q->count++;
    return dropped;
}

size_t wg_staged_purge(wg_staged *q)
{
    size_t n = q->count;
    while (q->count)
        wg_staged_pop(q);
    release_if_empty(q);
    return n;
}

bool wg_staged_has_keepalive(const wg_staged *q)
{
    for (uint16_t i = 0; i < q->count; i++)
        if (q->ring[(q->head + i) % WG_MAX_STAGED_PACKETS]->len == 0)
            return true;
    return false;
}
