/*
 * events.c — the events of the run record: ARP, link, power, addresses,
 * routes, drops, WireGuard device events and the models' events (CARP, pf,
 * pfsync, gateways). The listener sees each as it happens; they are stored
 * only while the event log is enabled, with their whole text.
 */
#include "sim/record/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *sim_rec_vprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *s = malloc(k > 0 ? (size_t)k + 1 : 1);
    if (!s)
        sim_oom("an event's text");
    if (k > 0)
        vsnprintf(s, (size_t)k + 1, fmt, ap);
    else
        s[0] = 0;
    return s;
}

char *sim_rec_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = sim_rec_vprintf(fmt, ap);
    va_end(ap);
    return s;
}

void sim_event_push(sim_world *w, const sim_event_rec *e)
{
    sim_record *r = &w->rec;
    sim_event_rec c = *e;
    c.model = sim_world_intern(w, e->model && e->model[0] ? e->model : sim_ev_kind_name(e->kind));
    if (!c.text)
        c.text = "";
    if (r->events_on) {
        c.text = sim_rec_text(w, c.text);
        VEC_GROW(r->events, r->n_events, r->cap_events);
        r->events[r->n_events++] = c;
    }
    if (r->event_fn)
        r->event_fn(r->event_ctx, &c);
}

static void event_vlog(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                       const sim_ev_state *st, const char *fmt, va_list ap)
{
    sim_event_rec e = {0};
    e.t = sim_now(w->eng);
    e.kind = kind;
    e.node = n ? n->id : -1;
    e.ifindex = ifindex;
    e.segment = -1;
    e.cause_origin = -1;
    if (n && ifindex) {
        const sim_iface *ifp = sim_node_iface_by_index(n, ifindex);
        if (ifp && ifp->seg)
            e.segment = ifp->seg->id;
    }
    e.model = model;
    if (st) {
        e.state = *st;
        if (st->gateway)
            e.state.gateway = sim_world_intern(w, st->gateway);
    }
    char *text = sim_rec_vprintf(fmt, ap);
    e.text = text;
    sim_event_push(w, &e);
    free(text);
}

void sim_event_log(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                   const char *fmt, ...)
{
    if (!sim_events_wanted(w))
        return;
    va_list ap;
    va_start(ap, fmt);
    event_vlog(w, kind, n, ifindex, model, NULL, fmt, ap);
    va_end(ap);
}

void sim_event_log_state(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                         const sim_ev_state *st, const char *fmt, ...)
{
    if (!sim_events_wanted(w))
        return;
    va_list ap;
    va_start(ap, fmt);
    event_vlog(w, kind, n, ifindex, model, st, fmt, ap);
    va_end(ap);
}

size_t sim_event_count(const sim_world *w) { return w->rec.n_events; }
const sim_event_rec *sim_event_at(const sim_world *w, size_t i)
{
    return i < w->rec.n_events ? &w->rec.events[i] : NULL;
}

void sim_event_set_listener(sim_world *w, sim_event_log_fn fn, void *ctx)
{
    w->rec.event_fn = fn;
    w->rec.event_ctx = ctx;
}

void sim_event_log_losses(sim_world *w, bool on) { w->rec.log_losses = on; }
void sim_event_log_enable(sim_world *w, bool on) { w->rec.events_on = on; }

/* ---- the packet of a drop event ---- */

void sim_drop_pkt_from_ip(const uint8_t *pkt, size_t len, sim_drop_pkt *out)
{
    memset(out, 0, sizeof *out);
    out->ethertype = ETHERTYPE_IPV4;
    out->len = (uint32_t)len;
    if (len < IPV4_HDR_LEN || (pkt[0] >> 4) != 4)
        return;
    /* the addresses and protocol even when the rest does not parse (the
     * packet may be dropped for being malformed) */
    out->proto = pkt[9];
    out->src = wg_ip4_from_u32((uint32_t)pkt[12] << 24 | (uint32_t)pkt[13] << 16 | (uint32_t)pkt[14] << 8 | pkt[15]);
    out->dst = wg_ip4_from_u32((uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 | (uint32_t)pkt[18] << 8 | pkt[19]);
    sim_ipv4_info ip;
    if (!sim_ipv4_parse(pkt, len, &ip))
        return;
    if (ip.mf || ip.frag_off) {
        out->fragment = true;
        out->frag_mf = ip.mf;
        out->ip_id = ip.id;
        out->frag_off = ip.frag_off;
        if (ip.frag_off)
            return; /* no L4 header */
    }
    if (ip.proto == SIM_IPPROTO_UDP) {
        out->sport = ip.sport;
        out->dport = ip.dport;
    } else if (ip.proto == SIM_IPPROTO_ICMP) {
        out->icmp_type = ip.icmp_type;
        out->icmp_code = ip.icmp_code;
        out->sport = out->dport = ip.icmp_id;
    }
}

void sim_drop_pkt_from_frame(const uint8_t *frame, size_t len, sim_drop_pkt *out)
{
    memset(out, 0, sizeof *out);
    if (len < ETH_HDR_LEN)
        return;
    uint16_t type = sim_rd16(frame + 12);
    if (type == ETHERTYPE_IPV4) {
        sim_drop_pkt_from_ip(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, out);
        out->len = (uint32_t)len;
        return;
    }
    out->ethertype = type;
    out->len = (uint32_t)len;
    /* ARP for IPv4 over Ethernet: op at 6, sender IP at 14, target IP at 24 */
    const uint8_t *a = frame + ETH_HDR_LEN;
    if (type == ETHERTYPE_ARP && len >= ETH_HDR_LEN + 28) {
        out->arp_op = sim_rd16(a + 6);
        out->src = wg_ip4_from_u32((uint32_t)a[14] << 24 | (uint32_t)a[15] << 16 | (uint32_t)a[16] << 8 | a[17]);
        out->dst = wg_ip4_from_u32((uint32_t)a[24] << 24 | (uint32_t)a[25] << 16 | (uint32_t)a[26] << 8 | a[27]);
    }
}

static const char *icmp_name(uint8_t type)
{
    switch (type) {
    case SIM_ICMP_ECHO: return "echo request";
    case SIM_ICMP_ECHO_REPLY: return "echo reply";
    case SIM_ICMP_UNREACH: return "unreachable";
    case SIM_ICMP_TIME_EXCEEDED: return "time exceeded";
    default: return NULL;
    }
}

size_t sim_drop_pkt_format(const sim_drop_pkt *p, char *buf, size_t len)
{
    char a[WG_IP_STRLEN], b[WG_IP_STRLEN];
    int k;
    if (!p->ethertype)
        k = snprintf(buf, len, "%s", "");
    else if (p->ethertype == ETHERTYPE_ARP && p->arp_op == 1)
        k = snprintf(buf, len, "arp who-has %s tell %s", wg_ip_format(&p->dst, a), wg_ip_format(&p->src, b));
    else if (p->ethertype == ETHERTYPE_ARP && p->arp_op == 2)
        k = snprintf(buf, len, "arp reply %s is-at (to %s)", wg_ip_format(&p->src, a), wg_ip_format(&p->dst, b));
    else if (p->ethertype != ETHERTYPE_IPV4)
        k = snprintf(buf, len, "frame ethertype 0x%04x", p->ethertype);
    else if (!p->src.family)
        k = snprintf(buf, len, "%u-byte packet", p->len);
    else if (p->fragment && p->frag_off)
        k = snprintf(buf, len, "%s %s -> %s fragment %u@%u%s",
                     p->proto == SIM_IPPROTO_UDP    ? "udp"
                     : p->proto == SIM_IPPROTO_ICMP ? "icmp"
                                                    : "ip",
                     wg_ip_format(&p->src, a), wg_ip_format(&p->dst, b), p->ip_id, p->frag_off, p->frag_mf ? "+" : "");
    else if (p->proto == SIM_IPPROTO_UDP)
        k = snprintf(buf, len, "udp %s:%u -> %s:%u", wg_ip_format(&p->src, a), p->sport, wg_ip_format(&p->dst, b),
                     p->dport);
    else if (p->proto == SIM_IPPROTO_ICMP && icmp_name(p->icmp_type) &&
             (p->icmp_type == SIM_ICMP_ECHO || p->icmp_type == SIM_ICMP_ECHO_REPLY))
        k = snprintf(buf, len, "icmp %s %s -> %s id %u", icmp_name(p->icmp_type), wg_ip_format(&p->src, a),
                     wg_ip_format(&p->dst, b), p->sport);
    else if (p->proto == SIM_IPPROTO_ICMP)
        k = snprintf(buf, len, "icmp %s %s -> %s", icmp_name(p->icmp_type) ? icmp_name(p->icmp_type) : "message",
                     wg_ip_format(&p->src, a), wg_ip_format(&p->dst, b));
    else
        k = snprintf(buf, len, "proto %u %s -> %s", p->proto, wg_ip_format(&p->src, a), wg_ip_format(&p->dst, b));
    if (k >= 0 && p->fragment && !p->frag_off) {
        /* the first fragment: the line above, and which fragment it is */
        char tail[40];
        int m = snprintf(tail, sizeof tail, " fragment %u@0+", p->ip_id);
        if ((size_t)k + 1 < len)
            snprintf(buf + k, len - (size_t)k, "%s", tail);
        k += m;
    }
    return k > 0 ? (size_t)k : 0;
}
