/*
 * wg_flood.c — attacker traffic: a node sends handshake initiations (or
 * garbage) to a WireGuard listen port at a fixed rate (issue 22; the
 * scenario's `traffic: - flood:`, docs/scenario-language.md). What a
 * handshake flood against a firewall looks like on the wire:
 *  - replay: the first initiation another node's device sent, captured
 *    off the wire and sent again (valid mac1, an old timestamp);
 *  - fresh: initiations of random bytes with a valid mac1 for the
 *    responder's public key (whitepaper §5.4.4: mac1 needs only that
 *    key), so they pass mac1 and cost the responder a Diffie-Hellman
 *    before they fail;
 *  - garbage: random bytes, half of them 148-byte "initiations" with a
 *    wrong mac1.
 * Datagrams go out in 1 ms rounds (rate / 1000 per round, the remainder
 * carried), from an ephemeral UDP port; cookie replies that come back are
 * counted (the flooder does not use them). Random bytes come from the
 * node's stream, so a run is reproducible.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

#define ROUND SIM_MS

struct sim_flood {
    sim_node *node;
    sim_flood_config cfg;
    sim_udp_sock *sock;
    sim_event_id timer;
    uint8_t mac1_key[WG_HASH_LEN];
    bool have_replay;
    uint8_t replay[WG_INITIATION_LEN];
    uint64_t sent, cookie_replies;
};

static void on_reply(void *ctx, sim_udp_sock *s, const sim_udp_rx *rx, const uint8_t *data, size_t len)
{
    (void)s, (void)rx;
    sim_flood *f = ctx;
    if (len == WG_COOKIE_REPLY_LEN && data[0] == WG_MSG_COOKIE_REPLY)
        f->cookie_replies++;
}

/* One datagram of the flood's kind into buf; returns its length. */
static size_t make(sim_flood *f, uint8_t *buf)
{
    sim_rng *r = &f->node->rng;
    switch (f->cfg.kind) {
    case SIM_FLOOD_REPLAY:
        memcpy(buf, f->replay, WG_INITIATION_LEN);
        return WG_INITIATION_LEN;
    case SIM_FLOOD_FRESH:
        sim_rng_bytes(r, buf, WG_INITIATION_LEN);
        memcpy(buf, "\001\000\000\000", 4);
        wg_blake2s(buf + WG_INITIATION_LEN - 32, WG_MAC_LEN, buf, WG_INITIATION_LEN - 32, f->mac1_key, WG_HASH_LEN);
        memset(buf + WG_INITIATION_LEN - 16, 0, 16);
        return WG_INITIATION_LEN;
    case SIM_FLOOD_GARBAGE:
    default: {
        size_t len = f->sent % 2 ? WG_INITIATION_LEN : 1 + (size_t)sim_rng_below(r, 199);
        sim_rng_bytes(r, buf, len);
        if (len == WG_INITIATION_LEN)
            memcpy(buf, "\001\000\000\000", 4);
        return len;
    }
    }
}

static void fire(void *arg)
{
    sim_flood *f = arg;
    sim_time now = sim_now(f->node->w->eng);
    f->timer = 0;
    if (now >= f->cfg.stop)
        return;
    if (f->cfg.kind == SIM_FLOOD_REPLAY && !f->have_replay)
        f->have_replay = sim_wg_first_initiation(f->cfg.replay_of, f->replay);
    /* Due by the end of this round: rate x elapsed, the remainder carried. */
    uint64_t due = (uint64_t)(((__int128)(now - f->cfg.start) + ROUND) * f->cfg.rate / SIM_S);
    uint8_t buf[WG_INITIATION_LEN + 64];
    /* Nothing captured yet (the victim has not sent an initiation): the
     * round passes without sending. */
    bool can = f->cfg.kind != SIM_FLOOD_REPLAY || f->have_replay;
    for (; can && f->sent < due && f->node->powered; f->sent++) {
        size_t len = make(f, buf);
        sim_udp_sendto(f->sock, &(sim_udp_send_opts){0}, &f->cfg.dst.ip, f->cfg.dst.port, buf, len);
    }
    if (!can || !f->node->powered)
        f->sent = due; /* a flooder that could not send does not catch up later */
    f->timer = sim_schedule_at(f->node->w->eng, now + ROUND, fire, f);
}

sim_flood *sim_flood_start(sim_node *n, const sim_flood_config *cfg)
{
    if (!cfg || cfg->dst.ip.family != 4 || cfg->rate == 0 || cfg->stop <= cfg->start ||
        (cfg->kind == SIM_FLOOD_REPLAY && !cfg->replay_of))
        return NULL;
    sim_flood *f = calloc(1, sizeof *f);
    if (!f)
        sim_oom("a flood");
    f->node = n;
    f->cfg = *cfg;
    /* mac1's key: BLAKE2s("mac1----" || the responder's public key). */
    uint8_t label[8 + WG_KEY_LEN];
    memcpy(label, "mac1----", 8);
    memcpy(label + 8, cfg->responder, WG_KEY_LEN);
    wg_blake2s(f->mac1_key, WG_HASH_LEN, label, sizeof label, NULL, 0);
    if (sim_udp_bind(n, NULL, 0, on_reply, f, &f->sock) != SIM_OK) {
        free(f);
        return NULL;
    }
    sim_world *w = n->w;
    VEC_GROW(w->floods, w->n_floods, w->cap_floods);
    w->floods[w->n_floods++] = f;
    sim_time now = sim_now(w->eng);
    f->timer = sim_schedule_at(w->eng, cfg->start > now ? cfg->start : now, fire, f);
    return f;
}

uint64_t sim_flood_sent(const sim_flood *f) { return f->sent; }
uint64_t sim_flood_cookie_replies(const sim_flood *f) { return f->cookie_replies; }

void sim_flood_free(sim_flood *f)
{
    sim_cancel(f->node->w->eng, f->timer);
    free(f);
}
