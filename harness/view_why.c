/*
 * view_why.c — `why PACKET` and `why endpoint NODE PEER`: the reason
 * chain behind a packet's source address and behind a WireGuard peer's
 * endpoint, read from the run record.
 *
 * A packet's source reason is data (sim_src_reason): its fields are shown
 * one per line (hs_reason_fields, as JSON carries them); when the source
 * is a learned local address, the datagram it was learned from is looked
 * up in the record and explained in turn, down to a source that was not
 * learned. An endpoint's story is its configured value, then every
 * endpoint change of the event log with the packet that moved it
 * (cause_frame: time, capture point, the node that sent it) and that
 * packet's own source reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

#define CHAIN_DEPTH 4 /* packets explained: learned from a datagram whose source was learned ... */

/* "12 3.020s fw1/wan out 198.51.100.1:51820 -> 192.0.2.10:51820 wg handshake-initiation, built by fw1" */
static void pkt_line(const hs_view_ctx *v, size_t idx, const sim_trace_rec *r, char *buf, size_t len)
{
    char ts[32], pt[96], addrs[128], type[64];
    view_pkt_point(v, r, pt, sizeof pt);
    view_pkt_addrs(r, addrs, sizeof addrs);
    view_pkt_type(r, type, sizeof type);
    snprintf(buf, len, "packet %zu: %s %s %s %s%s%s", idx + 1, view_time(r->t, ts, sizeof ts), pt, addrs, type,
             r->origin_node >= 0 ? ", built by " : "", r->origin_node >= 0 ? view_node_name(v, r->origin_node) : "");
}

/* The record of the datagram a learned address came from, or SIZE_MAX. */
static size_t find_learned(const hs_view_ctx *v, const sim_src_reason *why)
{
    const sim_learned *l = &why->learned;
    for (size_t i = sim_trace_lower_bound(v->w, l->t); i < sim_trace_count(v->w); i++) {
        sim_trace_rec r;
        if (!sim_trace_get(v->w, i, &r) || r.t != l->t)
            break;
        if (r.dir == SIM_DIR_IN && r.node == why->node && r.ifindex == l->ifindex && r.proto == SIM_IPPROTO_UDP &&
            wg_ip_eq(&r.src, &l->from.ip) && r.sport == l->from.port && wg_ip_eq(&r.dst, &l->to.ip) &&
            r.dport == l->to.port)
            return i;
    }
    return SIZE_MAX;
}

/* Explains packet idx at indent ind; depth packets were explained before it. */
static void chain(hs_view_ctx *v, size_t idx, int ind, int depth)
{
    sim_trace_rec r;
    if (!sim_trace_get(v->w, idx, &r))
        return;
    char line[512], ip[WG_IP_STRLEN];
    pkt_line(v, idx, &r, line, sizeof line);
    fprintf(v->out, "%*s%s\n", ind, "", line);
    if (!r.src.family) {
        fprintf(v->out, "%*s  (not an IP packet: no source address to explain)\n", ind, "");
        return;
    }
    if (!r.reason) {
        fprintf(v->out, "%*s  source %s: no reason recorded (forwarded by a node that did not build it)\n", ind, "",
                wg_ip_format(&r.src, ip));
        return;
    }
    size_t nf = 0;
    hs_field *f = hs_reason_fields(v->hw, r.reason, &nf);
    for (size_t i = 0; i < nf; i++)
        if (!strcmp(f[i].key, "text"))
            fprintf(v->out, "%*s  source %s because: %s\n", ind, "", wg_ip_format(&r.src, ip), f[i].value);
    for (size_t i = 0; i < nf; i++)
        if (strcmp(f[i].key, "text") != 0)
            fprintf(v->out, "%*s    %s: %s\n", ind, "", f[i].key, f[i].value);
    hs_fields_free(f, nf);
    if (!(r.reason->flags & SIM_SRC_F_LEARNED))
        return;
    sim_src_reason why = *r.reason;
    size_t from = find_learned(v, &why);
    if (from == SIZE_MAX) {
        fprintf(v->out, "%*s  the datagram the address was learned from is not in the record\n", ind, "");
        return;
    }
    if (depth + 1 >= CHAIN_DEPTH) {
        fprintf(v->out, "%*s  learned from packet %zu (why %zu goes on)\n", ind, "", from + 1, from + 1);
        return;
    }
    fprintf(v->out, "%*s  the address was learned from:\n", ind, "");
    chain(v, from, ind + 4, depth + 1);
}

static bool why_packet(hs_view_ctx *v)
{
    if (!view_no_more(v, 1) || !view_record_kept(v, v->col[0], "why"))
        return false;
    unsigned long long n = strtoull(v->words[1], NULL, 10);
    if (v->check)
        return true;
    size_t count = sim_trace_count(v->w);
    if (count == 0)
        return view_fail(v, v->col[1], "no packet %s (the record holds no packet yet)", v->words[1]);
    if (n == 0 || n > count)
        return view_fail(v, v->col[1], "no packet %s (the record holds packets 1..%zu)", v->words[1], count);
    chain(v, (size_t)n - 1, 0, 0);
    return true;
}

/* The record of the frame that moved an endpoint, or SIZE_MAX. */
static size_t find_cause(const hs_view_ctx *v, const sim_event_rec *ev)
{
    for (size_t i = sim_trace_lower_bound(v->w, ev->cause_t); i < sim_trace_count(v->w); i++) {
        sim_trace_rec r;
        if (!sim_trace_get(v->w, i, &r) || r.t != ev->cause_t)
            break;
        if (r.frame_id == ev->cause_frame && r.dir == SIM_DIR_IN && r.node == ev->node)
            return i;
    }
    return SIZE_MAX;
}

/* What else happened on the node at the same instant (a configuration
 * applied: service start, resolve interval, command). */
static void same_instant(hs_view_ctx *v, const sim_event_rec *ev, size_t at)
{
    for (size_t i = at; i-- > 0;) {
        const sim_event_rec *o = sim_event_at(v->w, i);
        if (o->t != ev->t)
            break;
        if (o->node == ev->node && o->kind == SIM_EV_MODEL)
            fprintf(v->out, "      at the same instant: %s: %s\n", o->model, o->text);
    }
    int node = hs_world_node_of(v->hw, ev->node);
    for (size_t i = 0; i < v->hw->n_cmds; i++)
        if (v->hw->cmds[i].t == ev->t && v->hw->cmds[i].node == node)
            fprintf(v->out, "      at the same instant: command '%s'\n", v->hw->cmds[i].text);
}

static bool why_endpoint(hs_view_ctx *v)
{
    static const char *usage = "why endpoint NODE PEER";
    int node = view_node_arg(v, 2, usage);
    if (node < 0)
        return false;
    if (v->n < 4)
        return view_fail(v, (int)strlen(v->line) + 1, "missing peer (usage: %s)", usage);
    int wg, peer;
    if (!view_peer_arg(v, node, 3, &wg, &peer) || !view_no_more(v, 3) ||
        !view_record_kept(v, v->col[0], "why endpoint"))
        return false;
    if (v->check)
        return true;
    const hs_wg *hwg = &v->s->nodes[node].wg[wg];
    const hs_wg_peer *hp = &hwg->peers[peer];
    int id = v->hw->peer_ids[node][wg][peer];
    sim_wg *h = v->hw->wgs[node][wg];
    wg_peer_info pi;
    char ep[WG_IP_STRLEN + 8], ts[32], name[HS_NAME_MAX + 16];
    hs_world_peer_name(v->hw, node, wg, id, name, sizeof name);
    if (id < 0 || !h || !wg_device_peer_info(sim_wg_device(h), id, &pi))
        return view_fail(v, v->col[3], "peer '%s' is not on the device", v->words[3]);
    fprintf(v->out, "%s %s peer %s: endpoint %s now\n", v->s->nodes[node].name, hwg->name, name,
            pi.has_endpoint ? wg_endpoint_format(&pi.endpoint, ep) : "(none)");
    if (hp->has_endpoint)
        fprintf(v->out, "  %s  configured: %s (%s:%u)\n", view_time(0, ts, sizeof ts),
                wg_endpoint_format(&hp->endpoint, ep), v->s->file, hp->endpoint_loc.line);
    else
        fprintf(v->out, "  %s  configured: none (learned from the first authenticated packet)\n",
                view_time(0, ts, sizeof ts));
    sim_node *sn = v->hw->nodes[node];
    uint32_t ifindex = sim_iface_index(sim_wg_iface(h));
    size_t changes = 0;
    for (size_t i = 0; i < sim_event_count(v->w); i++) {
        const sim_event_rec *ev = sim_event_at(v->w, i);
        if (ev->kind != SIM_EV_WG || ev->node != sim_node_id(sn) || ev->ifindex != ifindex ||
            ev->wg.peer_id != id || ev->wg.kind != WG_EV_ENDPOINT_CHANGED)
            continue;
        changes++;
        fprintf(v->out, "  %s  endpoint is now %s\n", view_time(ev->t, ts, sizeof ts),
                ev->wg.endpoint.ip.family ? wg_endpoint_format(&ev->wg.endpoint, ep) : "(none)");
        if (!ev->cause_frame) {
            fprintf(v->out, "      not moved by a received packet (configuration applied)\n");
            same_instant(v, ev, i);
            continue;
        }
        sim_iface *in = sim_node_iface_by_index(sn, ev->cause_ifindex);
        fprintf(v->out, "      roamed to the source of the authenticated packet received at %s on %s/%s, sent by %s\n",
                view_time(ev->cause_t, ts, sizeof ts), v->s->nodes[node].name, in ? sim_iface_name(in) : "?",
                ev->cause_origin >= 0 ? view_node_name(v, ev->cause_origin) : "?");
        size_t k = find_cause(v, ev);
        if (k == SIZE_MAX) {
            fprintf(v->out, "      (that packet is not in the record)\n");
            continue;
        }
        /* the packet as it left its sender says why it has that source */
        chain(v, k, 6, 0);
    }
    if (!changes)
        fprintf(v->out, "  no endpoint change since the start\n");
    return true;
}

bool view_why(hs_view_ctx *v)
{
    if (v->n < 2)
        return view_fail(v, (int)strlen(v->line) + 1, "missing what to explain (why PACKET | why endpoint NODE PEER)");
    if (!strcmp(v->words[1], "endpoint"))
        return why_endpoint(v);
    if (strspn(v->words[1], "0123456789") == strlen(v->words[1]))
        return why_packet(v);
    return view_fail(v, v->col[1], "why: '%s' is neither a packet number nor 'endpoint' (why PACKET | why endpoint NODE PEER)",
                     v->words[1]);
}
