/*
 * expect_events.c — what the expectations read of the event log, taken as
 * the run goes (issue 17, "record what is needed, stream the rest").
 *
 * The event log grows as a run goes on, with handshakes every two minutes
 * per peer, keypair rotations, ARP, CARP advertisements dropped...: a
 * 1,000-peer hub kept 34,000 entries (6.7 MiB) by 127 s. `wgsim test`
 * shows no timeline, so the runner does not store the log (only
 * `wgsim run`, `--json` and record_all runs do, for the timeline); what
 * the verdicts need is taken from the event listener instead:
 *   - the result's counters: events logged, handshakes completed;
 *   - `handshake` expectations: the count in the window, the last one and
 *     whether every instant of the window had one within `last-within`,
 *     computed in event order exactly as the scan after the run did;
 *   - the explanation of a failed `endpoint`, `carp` or `gateway` sample:
 *     the last endpoint changes of the peer (4) or the last CARP / gateway
 *     / power lines of the node (5) up to the failing instant, in a ring
 *     that stops taking events once they are later than the failure.
 * Once built, every event also goes to the phase table (phases.c:
 * handshakes, endpoint changes).
 * Events logged while the world is built (before the nodes and tunnels
 * the expectations name exist) are kept aside and replayed once it is
 * built, so the answers are those of a scan over the whole log.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

#define RING 5

typedef struct ev_line {
    sim_time t;
    wg_endpoint ep; /* endpoint changes */
    char *text;     /* CARP / gateway / power lines */
} ev_line;

typedef struct ev_exp {
    /* what a matching event must carry (sim ids, set once built) */
    int nid;
    uint32_t ifx;
    int peer_id;
    const char *model;
    /* handshake */
    size_t count;
    sim_time last, need;
    bool within_ok;
    /* the last matching events up to the failing instant */
    ev_line ring[RING];
    size_t n, keep;
    bool frozen;
} ev_exp;

struct hs_event_streams {
    ev_exp *e;           /* [expectation index] */
    bool built;          /* the keys are set: events are matched live */
    sim_event_rec *early; /* events of the build, texts copied */
    size_t n_early, cap_early;
    uint64_t events, handshakes;
};

static void ring_push(ev_exp *x, const sim_event_rec *ev, bool with_text)
{
    ev_line *l = &x->ring[x->n++ % x->keep];
    free(l->text);
    l->t = ev->t;
    l->ep = ev->wg.endpoint;
    l->text = NULL;
    if (with_text && !(l->text = strdup(ev->text ? ev->text : "")))
        sim_oom("keeping an event line to explain a failure");
}

static void match(hs_world *hw, const sim_event_rec *ev)
{
    const hs_scenario *s = hw->s;
    struct hs_event_streams *st = hw->evlog;
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        ev_exp *x = &st->e[i];
        switch (e->kind) {
        case HS_EXP_HANDSHAKE: {
            sim_time t1 = e->during ? e->from : 0, t2 = e->during ? e->to : e->at;
            if (ev->t > t2 || ev->kind != SIM_EV_WG || ev->wg.kind != WG_EV_HANDSHAKE_COMPLETE ||
                ev->node != x->nid || ev->ifindex != x->ifx || ev->wg.peer_id != x->peer_id)
                break;
            /* last-within: handshakes cover [h, h + D]; `need` is the
             * first instant of the window not covered yet */
            if (ev->t >= t1)
                x->count++;
            x->last = ev->t;
            if (ev->t > x->need)
                x->within_ok = false; /* a gap before this handshake */
            if (ev->t + e->u.handshake.last_within >= x->need)
                x->need = ev->t + e->u.handshake.last_within + 1;
            break;
        }
        case HS_EXP_ENDPOINT:
        case HS_EXP_CARP:
        case HS_EXP_GATEWAY: {
            const hs_exp_state *es = &hw->exp[i];
            if (x->frozen)
                break;
            if (es->failed && ev->t > es->fail_t) {
                x->frozen = true; /* the explanation is of the first failing sample */
                break;
            }
            if (e->kind == HS_EXP_ENDPOINT) {
                if (ev->kind == SIM_EV_WG && ev->node == x->nid && ev->ifindex == x->ifx &&
                    ev->wg.peer_id == x->peer_id && ev->wg.kind == WG_EV_ENDPOINT_CHANGED)
                    ring_push(x, ev, false);
            } else if ((ev->kind == SIM_EV_MODEL && ev->node == x->nid && !strcmp(ev->model, x->model) &&
                        !strstr(ev->text, "advertisement dropped")) ||
                       (ev->kind == SIM_EV_POWER && ev->node == x->nid)) {
                ring_push(x, ev, true);
            }
            break;
        }
        default: break;
        }
    }
}

static void seen(void *ctx, const sim_event_rec *ev)
{
    hs_world *hw = ctx;
    struct hs_event_streams *st = hw->evlog;
    st->events++;
    if (ev->kind == SIM_EV_WG && ev->wg.kind == WG_EV_HANDSHAKE_COMPLETE)
        st->handshakes++;
    if (st->built) {
        match(hw, ev);
        hs_phases_event(hw, ev);
        hs_series_event(hw, ev);
        return;
    }
    if (st->n_early == st->cap_early) {
        size_t cap = st->cap_early ? 2 * st->cap_early : 64;
        sim_event_rec *v = realloc(st->early, cap * sizeof *v);
        if (!v)
            sim_oom("keeping the events of the build");
        st->early = v;
        st->cap_early = cap;
    }
    sim_event_rec *c = &st->early[st->n_early++];
    *c = *ev;
    c->text = strdup(ev->text ? ev->text : "");
    if (!c->text)
        sim_oom("keeping the events of the build");
}

void hs_events_init(hs_world *hw)
{
    struct hs_event_streams *st = calloc(1, sizeof *st);
    if (!st || !(st->e = calloc(hw->s->n_expects ? hw->s->n_expects : 1, sizeof *st->e)))
        sim_oom("evaluating expectations as the run goes");
    hw->evlog = st;
    sim_event_set_listener(hw->w, seen, hw);
    /* Only the timeline reads the stored log (and the state change log
     * behind its pf / nat lines); record_all runs keep everything for
     * their readers. */
    if (!hw->opt.timeline && !hw->opt.record_all) {
        sim_event_log_enable(hw->w, false);
        for (int c = 0; c < SIM_HIST__COUNT; c++)
            sim_history_enable(hw->w, (sim_hist_class)c, false);
    }
}

void hs_events_start(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    struct hs_event_streams *st = hw->evlog;
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        ev_exp *x = &st->e[i];
        x->nid = -1;
        x->last = -1;
        x->within_ok = true;
        x->keep = RING;
        switch (e->kind) {
        case HS_EXP_HANDSHAKE:
        case HS_EXP_ENDPOINT: {
            int node = e->kind == HS_EXP_HANDSHAKE ? e->u.handshake.node : e->u.endpoint.node;
            int wg = e->kind == HS_EXP_HANDSHAKE ? e->u.handshake.wg : e->u.endpoint.wg;
            int peer = e->kind == HS_EXP_HANDSHAKE ? e->u.handshake.peer : e->u.endpoint.peer;
            x->nid = sim_node_id(hw->nodes[node]);
            x->ifx = sim_iface_index(sim_wg_iface(hw->wgs[node][wg]));
            x->peer_id = hw->peer_ids[node][wg][peer];
            x->need = e->during ? e->from : e->at;
            x->keep = 4;
            break;
        }
        case HS_EXP_CARP:
        case HS_EXP_GATEWAY:
            x->nid = sim_node_id(hw->nodes[e->kind == HS_EXP_CARP ? e->u.carp.node : e->u.gateway.node]);
            x->model = e->kind == HS_EXP_CARP ? "carp" : "gateway";
            break;
        default: break;
        }
    }
    st->built = true;
    for (size_t k = 0; k < st->n_early; k++) {
        match(hw, &st->early[k]);
        free((char *)st->early[k].text);
    }
    free(st->early);
    st->early = NULL;
    st->n_early = st->cap_early = 0;
}

void hs_events_counts(const hs_world *hw, uint64_t *events, uint64_t *handshakes)
{
    *events = hw->evlog ? hw->evlog->events : 0;
    *handshakes = hw->evlog ? hw->evlog->handshakes : 0;
}

void hs_events_handshake(const hs_world *hw, size_t i, size_t *count, sim_time *last, bool *within_ok)
{
    const hs_expect *e = &hw->s->expects[i];
    const ev_exp *x = &hw->evlog->e[i];
    sim_time t2 = e->during ? e->to : e->at;
    *count = x->count;
    *last = x->last;
    *within_ok = x->within_ok && x->need > t2;
}

void hs_events_lines(hs_world *hw, size_t i, hs_expect_result *er, const char *node, const char *peer)
{
    ev_exp *x = &hw->evlog->e[i];
    for (size_t j = x->n > x->keep ? x->n - x->keep : 0; j < x->n; j++) {
        ev_line *l = &x->ring[j % x->keep];
        if (l->text) {
            hs_result_add_line(er, l->t, l->text);
            l->text = NULL;
        } else {
            char ep[WG_IP_STRLEN];
            hs_result_add_line(er, l->t, hs_strdup_printf("%s: endpoint of %s changed to %s", node, peer,
                                                          wg_endpoint_format(&l->ep, ep)));
        }
    }
}

void hs_events_free(hs_world *hw)
{
    struct hs_event_streams *st = hw->evlog;
    if (!st)
        return;
    for (size_t k = 0; k < st->n_early; k++)
        free((char *)st->early[k].text);
    free(st->early);
    for (size_t i = 0; i < hw->s->n_expects; i++)
        for (size_t k = 0; k < RING; k++)
            free(st->e[i].ring[k].text);
    free(st->e);
    free(st);
    hw->evlog = NULL;
}
