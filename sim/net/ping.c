/*
 * ping.c — a periodic ICMP echo generator (like ping(8)): one echo per
 * interval with a fixed id and increasing sequence, replies matched by id
 * and sequence, every sample kept for loss and RTT over any time window.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

#define PING_ID_BASE 0x5700
#define PING_DEFAULT_SIZE 56 /* ping(8) default data bytes */

struct sim_ping {
    sim_node *node;
    sim_ping_config cfg;
    uint16_t id;
    uint32_t sent;
    sim_event_id timer;
    bool stopped;
    sim_ping_sample *s;
    size_t n, cap;
};

static void fire(void *arg)
{
    sim_ping *p = arg;
    p->timer = 0;
    if (p->stopped)
        return;
    sim_node *n = p->node;
    sim_ip_send_opts o = {0};
    o.src = p->cfg.src;
    o.ttl = p->cfg.ttl;
    o.df = p->cfg.df;
    uint16_t seq = (uint16_t)p->sent;
    VEC_GROW(p->s, p->n, p->cap);
    sim_ping_sample *smp = &p->s[p->n++];
    smp->seq = seq;
    smp->sent = sim_now(n->w->eng);
    smp->received = SIM_TIME_NEVER;
    smp->send_err = SIM_OK;
    p->sent++;
    sim_err e = sim_icmp_echo(n, &p->cfg.dst, p->id, seq, p->cfg.size ? p->cfg.size : PING_DEFAULT_SIZE, &o);
    /* The sample pointer may have moved if sending re-entered us: index again. */
    p->s[p->n - 1].send_err = e;
    if (e) {
        char b[WG_IP_STRLEN];
        sim_event_log(n->w, SIM_EV_PING, n, 0, NULL, "%s ping %s seq %u: %s", n->name, wg_ip_format(&p->cfg.dst, b),
                      seq, sim_err_name(e));
    }
    if (p->cfg.count == 0 || p->sent < p->cfg.count)
        p->timer = sim_schedule_in(n->w->eng, p->cfg.interval ? p->cfg.interval : SIM_S, fire, p);
}

void sim_ping_icmp_input(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip)
{
    (void)in;
    sim_ping *p = ctx;
    if (ip->icmp_type != SIM_ICMP_ECHO_REPLY || ip->icmp_id != p->id || !wg_ip_eq(&ip->src, &p->cfg.dst))
        return;
    /* The newest unanswered echo with this sequence (sequences wrap). */
    for (size_t i = p->n; i-- > 0;)
        if (p->s[i].seq == ip->icmp_seq) {
            if (p->s[i].received == SIM_TIME_NEVER)
                p->s[i].received = sim_now(n->w->eng);
            return;
        }
}

sim_ping *sim_ping_start(sim_node *n, const sim_ping_config *cfg)
{
    if (!cfg || cfg->dst.family != 4 || cfg->interval < 0)
        return NULL;
    sim_world *w = n->w;
    sim_ping *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->node = n;
    p->cfg = *cfg;
    p->id = (uint16_t)(PING_ID_BASE + w->n_pings);
    VEC_GROW(w->pings, w->n_pings, w->cap_pings);
    w->pings[w->n_pings++] = p;
    sim_node_add_icmp_listener(n, sim_ping_icmp_input, p);
    sim_time now = sim_now(w->eng);
    p->timer = sim_schedule_at(w->eng, cfg->start > now ? cfg->start : now, fire, p);
    return p;
}

void sim_ping_stop(sim_ping *p)
{
    p->stopped = true;
    sim_cancel(p->node->w->eng, p->timer);
    p->timer = 0;
}

void sim_ping_free(sim_ping *p)
{
    sim_cancel(p->node->w->eng, p->timer);
    free(p->s);
    free(p);
}

uint16_t sim_ping_id(const sim_ping *p) { return p->id; }
size_t sim_ping_sample_count(const sim_ping *p) { return p->n; }
const sim_ping_sample *sim_ping_sample_at(const sim_ping *p, size_t i) { return i < p->n ? &p->s[i] : NULL; }

void sim_ping_stats_between(const sim_ping *p, sim_time from, sim_time to, sim_ping_stats *out)
{
    memset(out, 0, sizeof *out);
    sim_time sum = 0;
    for (size_t i = 0; i < p->n; i++) {
        const sim_ping_sample *s = &p->s[i];
        if (s->sent < from || s->sent >= to)
            continue;
        if (s->send_err) {
            out->errors++;
            continue;
        }
        out->sent++;
        if (s->received == SIM_TIME_NEVER || s->received > to)
            continue;
        sim_time rtt = s->received - s->sent;
        if (out->received == 0 || rtt < out->rtt_min)
            out->rtt_min = rtt;
        if (rtt > out->rtt_max)
            out->rtt_max = rtt;
        sum += rtt;
        out->received++;
    }
    if (out->received)
        out->rtt_avg = sum / (sim_time)out->received;
}
