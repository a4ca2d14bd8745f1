/*
 * series.c — what the HTML report's timeline draws (docs/reports.md,
 * "HTML report"): `wgsim test` keeps no event log, so the runner keeps a
 * compact copy as the run goes, from the event listener expect_events.c
 * installs and the pings' final samples expect_stream.c hands over:
 *   - CARP state changes (logged by sim/pfsense/firewall_carp.c
 *     carp_cb_state) and gateway state changes (firewall_gateway.c
 *     gw_cb_status), as lane and new state, read from the events' fields
 *     (sim_ev_state), not their text;
 *   - a node powered off ends its state lanes (a mark "off" in each):
 *     nothing logs a CARP change when the box goes dark;
 *   - handshakes completed (where the initiator completes, as the phase
 *     table counts them) and endpoint changes, per node/interface/peer;
 *   - per ping, echoes sent and answered per simulated second (the first
 *     HS_SERIES_PINGS pings).
 * Marks are capped at HS_SERIES_MAX (the rest counted), the per-second
 * buckets at HS_SERIES_MAX seconds: memory does not grow with the run.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/internal.h"
#include "harness/runner_internal.h"

void hs_series_start(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    hs_series *se = hs_xcalloc(1, sizeof *se, "the timeline's series");
    hw->series = se;
    se->pings = hs_xcalloc(s->n_traffic, sizeof *se->pings, "the timeline's series");
    se->n_pings = s->n_traffic;
    size_t secs = (size_t)((s->duration + SIM_S - 1) / SIM_S);
    if (secs > HS_SERIES_MAX)
        secs = HS_SERIES_MAX;
    size_t kept = 0;
    for (size_t i = 0; i < s->n_traffic; i++) {
        const hs_traffic *tr = &s->traffic[i];
        if (tr->kind != HS_TRAFFIC_PING)
            continue;
        if (kept == HS_SERIES_PINGS) {
            se->pings_dropped++;
            continue;
        }
        kept++;
        char to[WG_IP_STRLEN];
        hs_ping_series *p = &se->pings[i];
        p->name = hs_strdup_printf("%s -> %s", s->nodes[tr->ping.from].name, wg_ip_format(&tr->ping.to, to));
        p->sent = hs_xcalloc(secs, sizeof *p->sent, "the timeline's series");
        p->answered = hs_xcalloc(secs, sizeof *p->answered, "the timeline's series");
        p->n_seconds = secs;
    }
}

static void add_mark(hs_series *se, sim_time t, hs_mark_kind k, char *lane, char *value)
{
    if (se->n_marks == HS_SERIES_MAX) {
        se->marks_dropped++;
        free(lane);
        free(value);
        return;
    }
    if (se->n_marks == se->cap_marks) {
        size_t cap = se->cap_marks ? 2 * se->cap_marks : 64;
        hs_mark *v = realloc(se->marks, cap * sizeof *v);
        if (!v)
            sim_oom("the timeline's series");
        se->marks = v;
        se->cap_marks = cap;
    }
    se->marks[se->n_marks++] = (hs_mark){t, k, lane, value};
}

/* A CARP or gateway state change (carp_cb_state, gw_cb_status log it with
 * its fields, sim_ev_state): its lane ("fw1/wan vhid 1", "fw1 gateway
 * WAN_GW") and the new state. */
static void state_change(hs_world *hw, const sim_event_rec *ev)
{
    int node = hs_world_node_of(hw, ev->node);
    if (node < 0)
        return;
    const char *name = hw->s->nodes[node].name;
    const sim_ev_state *st = &ev->state;
    if (st->kind == SIM_EVS_CARP) {
        const sim_iface *ifp = sim_node_iface_by_index(hw->nodes[node], ev->ifindex);
        add_mark(hw->series, ev->t, HS_MARK_CARP,
                 hs_strdup_printf("%s/%s vhid %u", name, ifp ? sim_iface_name(ifp) : "", st->vhid),
                 hs_strdup_printf("%s", sim_carp_state_name((sim_carp_state)st->to)));
    } else {
        add_mark(hw->series, ev->t, HS_MARK_GATEWAY, hs_strdup_printf("%s gateway %s", name, st->gateway),
                 hs_strdup_printf("%s", sim_gw_status_name((sim_gw_status)st->to)));
    }
}

/* fw1 powered off (sim/net/node.c, a SIM_EVS_POWER event): each state lane of fw1 so far
 * ("fw1/wan vhid 1", "fw1 gateway WAN_GW") gets a mark "off". */
static void power_off(hs_series *se, sim_time t, const char *node)
{
    size_t len = strlen(node), n = se->n_marks;
    for (size_t i = 0; i < n; i++) {
        const hs_mark *m = &se->marks[i];
        if ((m->kind != HS_MARK_CARP && m->kind != HS_MARK_GATEWAY) || strncmp(m->lane, node, len) ||
            (m->lane[len] != '/' && m->lane[len] != ' '))
            continue;
        bool seen = false; /* one mark per lane: its first */
        for (size_t j = 0; j < i && !seen; j++)
            seen = se->marks[j].kind == m->kind && !strcmp(se->marks[j].lane, m->lane);
        if (!seen)
            add_mark(se, t, m->kind, hs_strdup_printf("%s", m->lane), hs_strdup_printf("off"));
    }
}

void hs_series_event(hs_world *hw, const sim_event_rec *ev)
{
    hs_series *se = hw->series;
    if (!se)
        return;
    if (ev->state.kind == SIM_EVS_POWER) {
        int node = hs_world_node_of(hw, ev->node);
        if (node >= 0 && !ev->state.to)
            power_off(se, ev->t, hw->s->nodes[node].name);
        return;
    }
    if (ev->state.kind == SIM_EVS_CARP || ev->state.kind == SIM_EVS_GATEWAY) {
        state_change(hw, ev);
        return;
    }
    if (ev->kind != SIM_EV_WG ||
        !((ev->wg.kind == WG_EV_HANDSHAKE_COMPLETE && ev->wg.initiator) || ev->wg.kind == WG_EV_ENDPOINT_CHANGED))
        return;
    int node = hs_world_node_of(hw, ev->node);
    int wg = hs_world_wg_of_ifindex(hw, node, ev->ifindex);
    if (node < 0 || wg < 0)
        return;
    char peer[128];
    char *lane = hs_strdup_printf("%s/%s/%s", hw->s->nodes[node].name, hw->s->nodes[node].wg[wg].name,
                                  hs_world_peer_name(hw, node, wg, ev->wg.peer_id, peer, sizeof peer));
    if (ev->wg.kind == WG_EV_HANDSHAKE_COMPLETE) {
        add_mark(se, ev->t, HS_MARK_HANDSHAKE, lane, NULL);
    } else {
        char ep[WG_IP_STRLEN + 8];
        add_mark(se, ev->t, HS_MARK_ENDPOINT, lane, hs_strdup_printf("%s", wg_endpoint_format(&ev->wg.endpoint, ep)));
    }
}

void hs_series_echo(hs_world *hw, size_t traffic, const sim_ping_sample *x)
{
    hs_series *se = hw->series;
    if (!se || traffic >= se->n_pings || x->sent < 0)
        return;
    hs_ping_series *p = &se->pings[traffic];
    size_t sec = (size_t)(x->sent / SIM_S);
    if (sec >= p->n_seconds)
        return;
    p->sent[sec]++;
    if (x->send_err == SIM_OK && x->received != SIM_TIME_NEVER)
        p->answered[sec]++;
}

void hs_series_result(hs_world *hw, hs_result *r)
{
    if (!hw->series)
        return;
    r->series = *hw->series;
    free(hw->series);
    hw->series = NULL;
}

void hs_series_free(hs_series *se)
{
    for (size_t i = 0; i < se->n_marks; i++) {
        free(se->marks[i].lane);
        free(se->marks[i].value);
    }
    free(se->marks);
    for (size_t i = 0; i < se->n_pings; i++) {
        free(se->pings[i].name);
        free(se->pings[i].sent);
        free(se->pings[i].answered);
    }
    free(se->pings);
    memset(se, 0, sizeof *se);
}

void hs_series_free_world(hs_world *hw)
{
    if (!hw->series)
        return;
    hs_series_free(hw->series);
    free(hw->series);
    hw->series = NULL;
}
