/*
 * phases.c — the phase table (issue 20, docs/reports.md): the run cut at
 * each timeline event and, per phase and WireGuard tunnel, the node that
 * serves each side, the source address:port each side sends from, the
 * outage and the handshakes.
 *
 * It is taken as the run goes from what the run streams, like the
 * expectations (expect_stream.c, expect_events.c); nothing is stored per
 * packet:
 *   - the WireGuard datagrams nodes send: record_needs.c watches the
 *     interfaces of every node with WireGuard, out. A datagram is the
 *     tunnel's by the interface that sent it (its listen port) and the peer
 *     whose endpoint it goes to (the only peer of the interface that is a
 *     tunnel, else the endpoint each peer has now, followed through the
 *     endpoint changes of the event log);
 *   - the event log: handshakes completed (counted once, where the
 *     initiator completes: the responder completes first, and a response
 *     that is lost leaves a handshake that carries nothing);
 *   - the pings' final samples (expect_stream.c hands them over): echoes
 *     sent in the phase through the tunnel and the first answer.
 * Memory is per phase and tunnel a few counters and HS_PHASE_SOURCES
 * sources per side; nothing grows with the run's length.
 *
 * A tunnel is a pair of WireGuard keys that peer: the nodes holding one key
 * (an HA pair's `like:` copies) are one side, so that the table shows which
 * of them served the tunnel in each phase.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/internal.h"
#include "harness/runner_internal.h"

#define EP_KEY_LEN 27 /* node (4), wg (4), family (1), address (16), port (2) */

typedef struct src_acc {
    int node;
    wg_endpoint src;
    uint64_t n;
    sim_time first;
} src_acc;

typedef struct side_acc {
    src_acc src[HS_PHASE_SOURCES];
    size_t n_src;
    uint64_t datagrams;
} side_acc;

typedef struct cell {
    side_acc side[2];
    uint64_t handshakes, echoes, answered;
    sim_time first_answer;
} cell;

typedef struct tunnel_def {
    int node, wg, peer;              /* the peer entry it is named after */
    const uint8_t *key[2];           /* side 0: that entry's interface key */
} tunnel_def;

struct hs_phases {
    size_t n_phases, n_tunnels;
    sim_time *start;   /* [phase] */
    cell *cells;       /* [phase * n_tunnels + tunnel] */
    tunnel_def *tun;
    int ***ent;        /* [node][wg][peer]: tunnel * 2 + side, -1: not a tunnel */
    int **only;        /* [node][wg]: the one tunnel peer, -1 none, -2 several */
    int *ping_tunnel;  /* [traffic index] */
    hs_arena *a;
    hs_index eps;      /* (node, wg, endpoint) -> slot of owner */
    int *owner;        /* [slot]: the peer that has that endpoint now */
    size_t n_owner, cap_owner;
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        sim_oom("the phase table");
    return p;
}

static void ep_key(uint8_t k[EP_KEY_LEN], int node, int wg, const wg_endpoint *ep)
{
    memset(k, 0, EP_KEY_LEN);
    memcpy(k, &node, 4);
    memcpy(k + 4, &wg, 4);
    k[8] = ep->ip.family;
    memcpy(k + 9, ep->ip.b, 16);
    memcpy(k + 25, &ep->port, 2);
}

/* Peer `peer` of node/wg now has endpoint ep. */
static void ep_set(struct hs_phases *ph, int node, int wg, int peer, const wg_endpoint *ep)
{
    uint8_t k[EP_KEY_LEN];
    ep_key(k, node, wg, ep);
    int slot = hs_index_get(&ph->eps, k, EP_KEY_LEN);
    if (slot >= 0) {
        ph->owner[slot] = peer;
        return;
    }
    if (ph->n_owner == ph->cap_owner) {
        size_t cap = ph->cap_owner ? 2 * ph->cap_owner : 16;
        int *v = realloc(ph->owner, cap * sizeof *v);
        if (!v)
            sim_oom("the phase table");
        ph->owner = v;
        ph->cap_owner = cap;
    }
    uint8_t *stored = hs_alloc(ph->a, EP_KEY_LEN);
    memcpy(stored, k, EP_KEY_LEN);
    hs_index_put(&ph->eps, stored, EP_KEY_LEN, (int)ph->n_owner);
    ph->owner[ph->n_owner++] = peer;
}

static int ep_owner(const struct hs_phases *ph, int node, int wg, const wg_endpoint *ep)
{
    uint8_t k[EP_KEY_LEN];
    ep_key(k, node, wg, ep);
    int slot = hs_index_get(&ph->eps, k, EP_KEY_LEN);
    return slot >= 0 ? ph->owner[slot] : -1;
}

static int cmp_time(const void *a, const void *b)
{
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return x < y ? -1 : x > y;
}

/* Phase 0 starts at 0; every later distinct event time before the end
 * starts the next one (an event at 0 belongs to phase 0). */
static void cut_phases(struct hs_phases *ph, const hs_scenario *s)
{
    ph->start = xcalloc(s->n_events + 1, sizeof *ph->start);
    sim_time *t = xcalloc(s->n_events, sizeof *t);
    for (size_t i = 0; i < s->n_events; i++)
        t[i] = s->events[i].at;
    qsort(t, s->n_events, sizeof *t, cmp_time);
    ph->n_phases = 1;
    for (size_t i = 0; i < s->n_events; i++)
        if (t[i] > ph->start[ph->n_phases - 1] && t[i] < s->duration)
            ph->start[ph->n_phases++] = t[i];
    free(t);
}

static size_t phase_of(const struct hs_phases *ph, sim_time t)
{
    size_t lo = 0, hi = ph->n_phases; /* start[lo] <= t < start[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ph->start[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static cell *cell_at(struct hs_phases *ph, sim_time t, int tunnel)
{
    return &ph->cells[phase_of(ph, t) * ph->n_tunnels + (size_t)tunnel];
}

/* Finds the tunnels: every peer entry whose key is another interface's of
 * the scenario; entries with the same two keys are one tunnel. */
static void find_tunnels(struct hs_phases *ph, const hs_scenario *s)
{
    hs_index keys, pairs;
    hs_index_init(&keys, ph->a);
    hs_index_init(&pairs, ph->a);
    for (size_t i = 0; i < s->n_nodes; i++)
        for (size_t j = 0; j < s->nodes[i].n_wg; j++)
            hs_index_put(&keys, s->nodes[i].wg[j].public_key, WG_KEY_LEN, 1);
    size_t cap = 0;
    ph->ent = xcalloc(s->n_nodes, sizeof *ph->ent);
    ph->only = xcalloc(s->n_nodes, sizeof *ph->only);
    for (size_t i = 0; i < s->n_nodes; i++) {
        const hs_node *n = &s->nodes[i];
        ph->ent[i] = xcalloc(n->n_wg, sizeof *ph->ent[i]);
        ph->only[i] = xcalloc(n->n_wg, sizeof *ph->only[i]);
        for (size_t j = 0; j < n->n_wg; j++) {
            const hs_wg *w = &n->wg[j];
            ph->ent[i][j] = xcalloc(w->n_peers, sizeof *ph->ent[i][j]);
            ph->only[i][j] = -1;
            for (size_t k = 0; k < w->n_peers; k++) {
                const uint8_t *own = w->public_key, *other = w->peers[k].public_key;
                ph->ent[i][j][k] = -1;
                if (hs_index_get(&keys, other, WG_KEY_LEN) < 0 || !memcmp(own, other, WG_KEY_LEN))
                    continue;
                bool own_first = memcmp(own, other, WG_KEY_LEN) < 0;
                uint8_t *pair = hs_alloc(ph->a, 2 * WG_KEY_LEN);
                memcpy(pair, own_first ? own : other, WG_KEY_LEN);
                memcpy(pair + WG_KEY_LEN, own_first ? other : own, WG_KEY_LEN);
                int t = hs_index_put(&pairs, pair, 2 * WG_KEY_LEN, (int)ph->n_tunnels);
                if (t < 0) {
                    if (ph->n_tunnels == cap) {
                        cap = cap ? 2 * cap : 8;
                        tunnel_def *v = realloc(ph->tun, cap * sizeof *v);
                        if (!v)
                            sim_oom("the phase table");
                        ph->tun = v;
                    }
                    t = (int)ph->n_tunnels++;
                    ph->tun[t] = (tunnel_def){(int)i, (int)j, (int)k, {own, other}};
                }
                int side = memcmp(own, ph->tun[t].key[0], WG_KEY_LEN) ? 1 : 0;
                ph->ent[i][j][k] = t * 2 + side;
                ph->only[i][j] = ph->only[i][j] == -1 ? (int)k : -2;
            }
            /* several tunnel peers: datagrams are told apart by endpoint */
            for (size_t k = 0; ph->only[i][j] == -2 && k < w->n_peers; k++)
                if (ph->ent[i][j][k] >= 0 && w->peers[k].has_endpoint)
                    ep_set(ph, (int)i, (int)j, (int)k, &w->peers[k].endpoint);
        }
    }
}

/* The tunnel a ping goes through: the peer entry whose allowed-ips hold
 * its destination, one of the pinging node's own first. */
static void map_pings(struct hs_phases *ph, const hs_scenario *s)
{
    ph->ping_tunnel = xcalloc(s->n_traffic, sizeof *ph->ping_tunnel);
    for (size_t p = 0; p < s->n_traffic; p++) {
        const hs_traffic *tr = &s->traffic[p];
        int best = -1;
        for (size_t i = 0; i < s->n_nodes; i++)
            for (size_t j = 0; j < s->nodes[i].n_wg; j++)
                for (size_t k = 0; k < s->nodes[i].wg[j].n_peers; k++) {
                    int e = ph->ent[i][j][k];
                    const hs_wg_peer *pe = &s->nodes[i].wg[j].peers[k];
                    if (e < 0 || (best >= 0 && (int)i != tr->ping.from))
                        continue;
                    for (size_t a = 0; a < pe->n_allowed_ips; a++)
                        if (wg_prefix_contains(&pe->allowed_ips[a], &tr->ping.to)) {
                            if (best < 0 || (int)i == tr->ping.from)
                                best = e / 2;
                            break;
                        }
                    if (best >= 0 && (int)i == tr->ping.from)
                        goto found;
                }
    found:
        ph->ping_tunnel[p] = tr->kind == HS_TRAFFIC_PING ? best : -1;
    }
}

void hs_phases_start(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    struct hs_phases *ph = xcalloc(1, sizeof *ph);
    hw->phases = ph;
    ph->a = hs_arena_new();
    if (!ph->a)
        sim_oom("the phase table");
    hs_index_init(&ph->eps, ph->a);
    cut_phases(ph, s);
    find_tunnels(ph, s);
    map_pings(ph, s);
    ph->cells = xcalloc(ph->n_phases * ph->n_tunnels, sizeof *ph->cells);
    for (size_t c = 0; c < ph->n_phases * ph->n_tunnels; c++)
        ph->cells[c].first_answer = SIM_TIME_NEVER;
}

/* The tunnel (* 2 + side) of a datagram node sent from its interface wg. */
static int tunnel_of(const hs_world *hw, int node, int wg, const wg_endpoint *dst)
{
    const struct hs_phases *ph = hw->phases;
    int peer = ph->only[node][wg];
    if (peer == -2)
        peer = ep_owner(ph, node, wg, dst);
    return peer >= 0 ? ph->ent[node][wg][peer] : -1;
}

void hs_phases_frame(hs_world *hw, const hs_frame *fr)
{
    struct hs_phases *ph = hw->phases;
    const sim_trace_rec *r = fr->r;
    if (!ph || r->dir != SIM_DIR_OUT || r->proto != SIM_IPPROTO_UDP || !r->wg_type || fr->origin != fr->node ||
        fr->node < 0)
        return;
    const hs_node *n = &hw->s->nodes[fr->node];
    if (!n->n_wg)
        return;
    /* the sending interface by its port (before a NAT rule of the node
     * rewrote it); one interface: that one */
    uint16_t port = r->reason && r->reason->nat_node >= 0 ? r->reason->nat_from.port : r->sport;
    int wg = n->n_wg == 1 ? 0 : -1;
    for (size_t j = 0; wg < 0 && j < n->n_wg; j++)
        if (n->wg[j].listen_port == port)
            wg = (int)j;
    if (wg < 0)
        return;
    wg_endpoint dst = {r->dst, r->dport};
    int e = tunnel_of(hw, fr->node, wg, &dst);
    if (e < 0)
        return;
    side_acc *sd = &cell_at(ph, r->t, e / 2)->side[e % 2];
    sd->datagrams++;
    wg_endpoint src = {r->src, r->sport};
    for (size_t k = 0; k < sd->n_src; k++)
        if (sd->src[k].node == fr->node && wg_endpoint_eq(&sd->src[k].src, &src)) {
            sd->src[k].n++;
            return;
        }
    if (sd->n_src < HS_PHASE_SOURCES)
        sd->src[sd->n_src++] = (src_acc){fr->node, src, 1, r->t};
}

void hs_phases_event(hs_world *hw, const sim_event_rec *ev)
{
    struct hs_phases *ph = hw->phases;
    if (!ph || ev->kind != SIM_EV_WG ||
        !(ev->wg.kind == WG_EV_HANDSHAKE_COMPLETE || ev->wg.kind == WG_EV_ENDPOINT_CHANGED))
        return;
    int node = hs_world_node_of(hw, ev->node);
    int wg = hs_world_wg_of_ifindex(hw, node, ev->ifindex);
    int peer = hs_world_peer_index(hw, node, wg, ev->wg.peer_id);
    if (peer < 0 || ph->ent[node][wg][peer] < 0)
        return;
    if (ev->wg.kind == WG_EV_ENDPOINT_CHANGED) {
        if (ph->only[node][wg] == -2)
            ep_set(ph, node, wg, peer, &ev->wg.endpoint);
    } else if (ev->wg.initiator) {
        cell_at(ph, ev->t, ph->ent[node][wg][peer] / 2)->handshakes++;
    }
}

void hs_phases_echo(hs_world *hw, size_t traffic, const sim_ping_sample *x)
{
    struct hs_phases *ph = hw->phases;
    if (!ph || ph->ping_tunnel[traffic] < 0)
        return;
    cell *c = cell_at(ph, x->sent, ph->ping_tunnel[traffic]);
    c->echoes++;
    if (x->send_err == SIM_OK && x->received != SIM_TIME_NEVER) {
        c->answered++;
        if (x->received < c->first_answer)
            c->first_answer = x->received;
    }
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        sim_oom("the phase table");
    return d;
}

/* "fw1, fw2": the nodes holding key (sized to them: a hub's thousand
 * tunnels each name one or two nodes of thousands). */
static bool holds(const hs_node *n, const uint8_t *key)
{
    for (size_t j = 0; j < n->n_wg; j++)
        if (!memcmp(n->wg[j].public_key, key, WG_KEY_LEN))
            return true;
    return false;
}

static char *side_nodes(const hs_scenario *s, const uint8_t *key)
{
    size_t len = 1;
    for (size_t i = 0; i < s->n_nodes; i++)
        if (holds(&s->nodes[i], key))
            len += strlen(s->nodes[i].name) + 2;
    char *out = xcalloc(len, 1);
    for (size_t i = 0; i < s->n_nodes; i++)
        if (holds(&s->nodes[i], key)) {
            if (*out)
                strcat(out, ", ");
            strcat(out, s->nodes[i].name);
        }
    return out;
}

static int cmp_src(const void *a, const void *b)
{
    const src_acc *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static void side_result(const hs_scenario *s, side_acc *in, hs_phase_side *out)
{
    out->datagrams = in->datagrams;
    if (!in->n_src)
        return;
    qsort(in->src, in->n_src, sizeof *in->src, cmp_src);
    out->sources = xcalloc(in->n_src, sizeof *out->sources);
    out->n_sources = in->n_src;
    /* the serving node: most datagrams over its sources (first seen on a tie) */
    int best = -1;
    uint64_t best_n = 0;
    for (size_t k = 0; k < in->n_src; k++) {
        char ep[WG_IP_STRLEN];
        out->sources[k] = (hs_phase_source){xstrdup(s->nodes[in->src[k].node].name),
                                            xstrdup(wg_endpoint_format(&in->src[k].src, ep)), in->src[k].n,
                                            in->src[k].first};
        uint64_t sum = 0;
        for (size_t m = 0; m < in->n_src; m++)
            if (in->src[m].node == in->src[k].node)
                sum += in->src[m].n;
        if (sum > best_n) {
            best_n = sum;
            best = in->src[k].node;
        }
    }
    out->serving = xstrdup(s->nodes[best].name);
}

void hs_phases_result(hs_world *hw, hs_result *r)
{
    struct hs_phases *ph = hw->phases;
    const hs_scenario *s = hw->s;
    if (!ph)
        return;
    r->n_tunnels = ph->n_tunnels;
    r->tunnels = xcalloc(ph->n_tunnels, sizeof *r->tunnels);
    for (size_t t = 0; t < ph->n_tunnels; t++) {
        const tunnel_def *d = &ph->tun[t];
        const hs_wg *w = &s->nodes[d->node].wg[d->wg];
        const hs_wg_peer *p = &w->peers[d->peer];
        r->tunnels[t].name = hs_strdup_printf("%s/%s/%s", s->nodes[d->node].name, w->name,
                                              p->name ? p->name : p->node >= 0 ? s->nodes[p->node].name : "?");
        r->tunnels[t].nodes[0] = side_nodes(s, d->key[0]);
        r->tunnels[t].nodes[1] = side_nodes(s, d->key[1]);
    }
    r->n_phases = ph->n_phases;
    r->phases = xcalloc(ph->n_phases, sizeof *r->phases);
    for (size_t p = 0; p < ph->n_phases; p++) {
        hs_phase *o = &r->phases[p];
        o->start = ph->start[p];
        o->end = p + 1 < ph->n_phases ? ph->start[p + 1] : s->duration;
        for (size_t i = 0; i < s->n_events; i++) {
            const hs_event *e = &s->events[i];
            if (e->at != o->start)
                continue;
            char *ev = o->event ? hs_strdup_printf("%s; %s", o->event, e->text) : xstrdup(e->text);
            free(o->event);
            o->event = ev;
        }
        o->tunnels = xcalloc(ph->n_tunnels, sizeof *o->tunnels);
        for (size_t t = 0; t < ph->n_tunnels; t++) {
            cell *c = &ph->cells[p * ph->n_tunnels + t];
            hs_phase_tunnel *ot = &o->tunnels[t];
            side_result(s, &c->side[0], &ot->side[0]);
            side_result(s, &c->side[1], &ot->side[1]);
            ot->handshakes = c->handshakes;
            ot->echoes = c->echoes;
            ot->answered = c->answered;
            ot->outage = c->first_answer == SIM_TIME_NEVER ? -1 : c->first_answer - o->start;
        }
    }
}

void hs_phases_free_world(hs_world *hw)
{
    struct hs_phases *ph = hw->phases;
    if (!ph)
        return;
    const hs_scenario *s = hw->s;
    for (size_t i = 0; ph->ent && i < s->n_nodes; i++) {
        for (size_t j = 0; ph->ent[i] && j < s->nodes[i].n_wg; j++)
            free(ph->ent[i][j]);
        free(ph->ent[i]);
        free(ph->only[i]);
    }
    free(ph->ent);
    free(ph->only);
    free(ph->ping_tunnel);
    free(ph->start);
    free(ph->cells);
    free(ph->tun);
    free(ph->owner);
    hs_arena_free(ph->a);
    free(ph);
    hw->phases = NULL;
}
