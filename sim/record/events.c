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

void sim_event_log(sim_world *w, sim_ev_kind kind, const sim_node *n, uint32_t ifindex, const char *model,
                   const char *fmt, ...)
{
    if (!sim_events_wanted(w))
        return;
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
    va_list ap;
    va_start(ap, fmt);
    char *text = sim_rec_vprintf(fmt, ap);
    va_end(ap);
    e.text = text;
    sim_event_push(w, &e);
    free(text);
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
