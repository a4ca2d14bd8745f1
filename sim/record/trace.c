/*
 * trace.c — the packet trace (every frame at every capture point, parsed
 * once, for assertions and the timeline) and the event log (ARP, link,
 * power, addresses, routes, drops, WireGuard device events, model events).
 */
#include "sim/net/net.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


const char *sim_dir_name(sim_dir d)
{
    switch (d) {
    case SIM_DIR_IN: return "in";
    case SIM_DIR_OUT: return "out";
    case SIM_DIR_WIRE: return "wire";
    }
    return "?";
}

const char *sim_src_kind_name(sim_src_kind k)
{
    switch (k) {
    case SIM_SRC_UNSET: return "unset";
    case SIM_SRC_EXPLICIT: return "explicit";
    case SIM_SRC_BOUND: return "bound";
    case SIM_SRC_ROUTE: return "route";
    case SIM_SRC_REFLECT: return "reflect";
    case SIM_SRC_FORWARDED: return "forwarded";
    case SIM_SRC_ARP: return "arp";
    }
    return "?";
}

const char *sim_ev_kind_name(sim_ev_kind k)
{
    switch (k) {
    case SIM_EV_ARP: return "arp";
    case SIM_EV_LINK: return "link";
    case SIM_EV_POWER: return "power";
    case SIM_EV_ADDR: return "addr";
    case SIM_EV_ROUTE: return "route";
    case SIM_EV_DROP: return "drop";
    case SIM_EV_WG: return "wg";
    case SIM_EV_PING: return "ping";
    case SIM_EV_MODEL: return "model";
    }
    return "?";
}

const char *sim_src_reason_format(const sim_src_reason *r, char *buf, size_t len)
{
    int k;
    if (r->kind == SIM_SRC_EXPLICIT && r->wg != WG_SRC_NONE)
        k = snprintf(buf, len, "explicit (%s); %s", wg_source_reason_name(r->wg), r->route);
    else if (r->kind == SIM_SRC_ROUTE && r->wg != WG_SRC_NONE)
        k = snprintf(buf, len, "route (%s): %s", wg_source_reason_name(r->wg), r->route);
    else
        k = snprintf(buf, len, "%s%s%s", sim_src_kind_name(r->kind), r->route[0] ? ": " : "", r->route);
    if (k >= 0 && (size_t)k < len && (r->flags || r->policy[0]))
        /* A NAT hook's policy text names its rule ("nat rule 0 (...)",
         * "nat mapping", "rdr"), so the flag word is only needed without one. */
        snprintf(buf + k, len - (size_t)k, "; %s%s%s%s", (r->flags & SIM_SRC_F_NAT) && !r->policy[0] ? "nat " : "",
                 (r->flags & SIM_SRC_F_REPLY_TO) ? "reply-to " : "",
                 (r->flags & SIM_SRC_F_ROUTE_TO) ? "route-to " : "", r->policy);
    return buf;
}

void sim_trace_enable(sim_world *w, bool nodes, bool segments)
{
    w->trace_nodes = nodes;
    w->trace_segments = segments;
}

void sim_trace_set_listener(sim_world *w, sim_trace_fn fn, void *ctx)
{
    w->trace_fn = fn;
    w->trace_ctx = ctx;
}

size_t sim_trace_count(const sim_world *w) { return w->n_trace; }
const sim_trace_rec *sim_trace_at(const sim_world *w, size_t i) { return i < w->n_trace ? &w->trace[i] : NULL; }

static void parse_into(sim_trace_rec *r, const sim_frame *f)
{
    const uint8_t *d = f->data;
    if (f->len < ETH_HDR_LEN)
        return;
    memcpy(r->eth_dst.b, d, 6);
    memcpy(r->eth_src.b, d + 6, 6);
    r->ethertype = sim_rd16(d + 12);
    const uint8_t *p = d + ETH_HDR_LEN;
    size_t len = f->len - ETH_HDR_LEN;
    if (r->ethertype == ETHERTYPE_ARP && len >= 28) {
        r->arp_op = sim_rd16(p + 6);
        memcpy(r->arp_sha.b, p + 8, 6);
        r->arp_sender = wg_ip4(p[14], p[15], p[16], p[17]);
        r->arp_target = wg_ip4(p[24], p[25], p[26], p[27]);
        return;
    }
    if (r->ethertype != ETHERTYPE_IPV4)
        return;
    sim_ipv4_info ip;
    if (!sim_ipv4_parse(p, len, &ip))
        return;
    r->src = ip.src;
    r->dst = ip.dst;
    r->proto = ip.proto;
    r->ttl = ip.ttl;
    if (ip.proto == SIM_IPPROTO_UDP) {
        r->sport = ip.sport;
        r->dport = ip.dport;
        bool ka = false;
        r->wg_type = wg_classify(ip.payload, ip.payload_len, &ka);
        r->wg_keepalive = ka;
    } else if (ip.proto == SIM_IPPROTO_ICMP) {
        r->icmp_type = ip.icmp_type;
        r->icmp_code = ip.icmp_code;
        r->icmp_id = ip.icmp_id;
        r->icmp_seq = ip.icmp_seq;
    }
}

void sim_trace_frame(sim_world *w, sim_dir dir, const sim_node *n, const sim_iface *ifp, const sim_segment *seg,
                     const sim_frame *f)
{
    if (dir == SIM_DIR_WIRE ? !w->trace_segments : !w->trace_nodes)
        return;
    VEC_GROW(w->trace, w->n_trace, w->cap_trace);
    sim_trace_rec *r = &w->trace[w->n_trace++];
    memset(r, 0, sizeof *r);
    r->t = sim_now(w->eng);
    r->frame_id = f->id;
    r->dir = dir;
    r->node = n ? n->id : -1;
    r->ifindex = ifp ? ifp->ifindex : 0;
    r->segment = seg ? seg->id : -1;
    r->frame_len = (uint32_t)f->len;
    r->has_reason = f->has_reason;
    if (f->has_reason)
        r->reason = f->reason;
    r->origin_node = f->origin_node;
    parse_into(r, f);
    if (w->trace_fn)
        w->trace_fn(w->trace_ctx, r);
}

const char *sim_trace_format(const sim_world *w, const sim_trace_rec *r, char *buf, size_t len)
{
    char where[96];
    if (r->dir == SIM_DIR_WIRE) {
        const sim_segment *s = sim_world_segment_at(w, (size_t)r->segment);
        snprintf(where, sizeof where, "seg:%s", s ? s->name : "?");
    } else {
        const sim_node *n = sim_world_node_at(w, (size_t)r->node);
        const sim_iface *ifp = n ? sim_node_iface_by_index(n, r->ifindex) : NULL;
        snprintf(where, sizeof where, "%s/%s", n ? n->name : "?", ifp ? ifp->name : "?");
    }
    int k = snprintf(buf, len, "%lld.%09lld %s %s ", (long long)(r->t / SIM_S), (long long)(r->t % SIM_S), where,
                     sim_dir_name(r->dir));
    if (k < 0 || (size_t)k >= len)
        return buf;
    char *o = buf + k;
    size_t left = len - (size_t)k;
    char a[WG_IP_STRLEN], b[WG_IP_STRLEN], m[SIM_MAC_STRLEN];
    if (r->arp_op) {
        if (r->arp_op == 1 && wg_ip_eq(&r->arp_sender, &r->arp_target))
            snprintf(o, left, "ARP gratuitous %s is-at %s", wg_ip_format(&r->arp_sender, a), sim_mac_format(&r->arp_sha, m));
        else if (r->arp_op == 1)
            snprintf(o, left, "ARP who-has %s tell %s", wg_ip_format(&r->arp_target, a), wg_ip_format(&r->arp_sender, b));
        else
            snprintf(o, left, "ARP reply %s is-at %s", wg_ip_format(&r->arp_sender, a), sim_mac_format(&r->arp_sha, m));
    } else if (r->src.family) {
        if (r->proto == SIM_IPPROTO_UDP)
            snprintf(o, left, "%s.%u > %s.%u UDP%s%s", wg_ip_format(&r->src, a), r->sport, wg_ip_format(&r->dst, b),
                     r->dport, r->wg_type ? " wg " : "", r->wg_type ? wg_msg_type_name(r->wg_type, r->wg_keepalive) : "");
        else if (r->proto == SIM_IPPROTO_ICMP)
            snprintf(o, left, "%s > %s ICMP type %u code %u id %u seq %u ttl %u", wg_ip_format(&r->src, a),
                     wg_ip_format(&r->dst, b), r->icmp_type, r->icmp_code, r->icmp_id, r->icmp_seq, r->ttl);
        else
            snprintf(o, left, "%s > %s proto %u", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, b), r->proto);
    } else {
        snprintf(o, left, "ethertype 0x%04x, %u bytes", r->ethertype, r->frame_len);
    }
    return buf;
}

/* ---- event log ---- */

void sim_event_push(sim_world *w, const sim_event_rec *e)
{
    if (!w->events_on) {
        if (w->event_fn)
            w->event_fn(w->event_ctx, e);
        return;
    }
    VEC_GROW(w->events, w->n_events, w->cap_events);
    w->events[w->n_events] = *e;
    if (!w->events[w->n_events].model[0])
        snprintf(w->events[w->n_events].model, sizeof e->model, "%s", sim_ev_kind_name(e->kind));
    w->n_events++;
    if (w->event_fn)
        w->event_fn(w->event_ctx, &w->events[w->n_events - 1]);
}

void sim_event_log(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                   const char *fmt, ...)
{
    if (!w->events_on && !w->event_fn)
        return;
    sim_event_rec e = {0};
    e.t = sim_now(w->eng);
    e.kind = kind;
    e.node = n ? n->id : -1;
    e.ifindex = ifindex;
    e.segment = -1;
    if (n && ifindex) {
        const sim_iface *ifp = sim_node_iface_by_index(n, ifindex);
        if (ifp && ifp->seg)
            e.segment = ifp->seg->id;
    }
    snprintf(e.model, sizeof e.model, "%s", model ? model : sim_ev_kind_name(kind));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.text, sizeof e.text, fmt, ap);
    va_end(ap);
    sim_event_push(w, &e);
}

size_t sim_event_count(const sim_world *w) { return w->n_events; }
const sim_event_rec *sim_event_at(const sim_world *w, size_t i) { return i < w->n_events ? &w->events[i] : NULL; }

void sim_event_set_listener(sim_world *w, sim_event_log_fn fn, void *ctx)
{
    w->event_fn = fn;
    w->event_ctx = ctx;
}

void sim_event_log_losses(sim_world *w, bool on) { w->log_losses = on; }
void sim_event_log_enable(sim_world *w, bool on) { w->events_on = on; }

void sim_trace_free(sim_world *w)
{
    free(w->trace);
    free(w->events);
    w->trace = NULL;
    w->events = NULL;
    w->n_trace = w->n_events = 0;
}
