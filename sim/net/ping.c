/*
 * ping.c — a periodic ICMP echo generator (like ping(8)): one echo per
 * interval with a fixed id and increasing sequence, replies matched by id
 * and sequence. Totals are kept for the whole run; samples (per-echo send
 * and reply times, for loss and RTT over any window) are kept until their
 * reader forgets them (sim_ping_forget_before), so a long run with a
 * consumer holds only the echoes still in flight.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

#define PING_ID_BASE 0x5700
#define PING_DEFAULT_SIZE 56 /* ping(8) default data bytes */
#define SEQ_SPACE 65536u     /* ICMP echo sequence numbers (16 bits) */
#define OPEN_LIST 256u       /* forgotten unanswered echoes listed before a bitmap */

struct sim_ping {
    sim_node *node;
    sim_ping_config cfg;
    uint16_t id;
    uint32_t sent;
    uint64_t echoes, answered, errors; /* totals, forgotten samples included */
    sim_event_id timer;
    bool stopped;
    sim_ping_sample *s; /* live samples: s[head .. n) */
    size_t head, n, cap;
    /* One bit per sequence number: the newest forgotten echo with that
     * sequence is unanswered. A reply is matched to the newest echo of its
     * sequence (below); when that echo has been forgotten, this still
     * counts a late reply in the totals, as if every sample were kept.
     * Kept as a short list of sequences (open) while few are unanswered -
     * a host whose first echoes waited for a handshake - and as a bitmap
     * of the whole sequence space (8 KiB) only past OPEN_LIST of them: a
     * bitmap for every ping of a 10,000-peer hub was 80 MB. */
    uint16_t *open;
    size_t n_open, cap_open;
    uint8_t *unanswered;
    sim_ping_fn fn;
    void *fn_ctx;
};

/* Room for one more live sample. When at least half the array holds
 * forgotten samples the live ones move to the front (amortised O(1) per
 * echo); otherwise it grows. */
static void make_room(sim_ping *p)
{
    if (p->n < p->cap)
        return;
    if (p->head && p->head >= p->n / 2) {
        memmove(p->s, p->s + p->head, (p->n - p->head) * sizeof *p->s);
        p->n -= p->head;
        p->head = 0;
        return;
    }
    VEC_GROW(p->s, p->n, p->cap);
}

static void fire(void *arg)
{
    sim_ping *p = arg;
    p->timer = 0;
    if (p->stopped)
        return;
    sim_node *n = p->node;
    sim_warm_step(n->w);
    sim_node_prefetch(n);
    sim_ip_send_opts o = {0};
    o.src = p->cfg.src;
    o.ttl = p->cfg.ttl;
    o.df = p->cfg.df;
    uint16_t seq = (uint16_t)p->sent;
    make_room(p);
    sim_ping_sample *smp = &p->s[p->n++];
    smp->seq = seq;
    smp->sent = sim_now(n->w->eng);
    smp->received = SIM_TIME_NEVER;
    smp->send_err = SIM_OK;
    p->sent++;
    p->echoes++;
    sim_err e = sim_icmp_echo(n, &p->cfg.dst, p->id, seq, p->cfg.size ? p->cfg.size : PING_DEFAULT_SIZE, &o);
    /* The samples may have moved if sending re-entered us (a listener
     * forgetting older samples): the newest is still the last. */
    p->s[p->n - 1].send_err = e;
    if (e) {
        p->errors++;
        char b[WG_IP_STRLEN];
        sim_event_log(n->w, SIM_EV_PING, n, 0, NULL, "%s ping %s seq %u: %s", n->name, wg_ip_format(&p->cfg.dst, b),
                      seq, sim_err_name(e));
    }
    if (p->cfg.count == 0 || p->sent < p->cfg.count) {
        sim_time every = p->cfg.interval ? p->cfg.interval : SIM_S;
        p->timer = sim_schedule_in(n->w->eng, every, fire, p);
        /* and its samples' array, which the next echo appends to and a
         * reader forgetting the older samples reads */
        sim_warm_at(n->w, sim_now(n->w->eng) + every, n, p, p->s ? &p->s[p->head] : NULL);
    }
    if (p->fn)
        p->fn(p->fn_ctx, p);
}

static bool bit(const uint8_t *m, uint16_t seq) { return m && (m[seq >> 3] >> (seq & 7)) & 1; }

static void set_bit(uint8_t *m, uint16_t seq, bool on)
{
    if (on)
        m[seq >> 3] |= (uint8_t)(1u << (seq & 7));
    else
        m[seq >> 3] &= (uint8_t)~(1u << (seq & 7));
}

static bool is_open(const sim_ping *p, uint16_t seq)
{
    if (p->unanswered)
        return bit(p->unanswered, seq);
    for (size_t i = 0; i < p->n_open; i++)
        if (p->open[i] == seq)
            return true;
    return false;
}

/* The newest forgotten echo with sequence seq is (un)answered. */
static void mark_open(sim_ping *p, uint16_t seq, bool open)
{
    if (p->unanswered) {
        set_bit(p->unanswered, seq, open);
        return;
    }
    for (size_t i = 0; i < p->n_open; i++)
        if (p->open[i] == seq) {
            if (!open)
                p->open[i] = p->open[--p->n_open];
            return;
        }
    if (!open)
        return;
    if (p->n_open == OPEN_LIST) {
        p->unanswered = calloc(SEQ_SPACE / 8, 1);
        if (!p->unanswered)
            sim_oom("forgetting ping samples");
        for (size_t i = 0; i < p->n_open; i++)
            set_bit(p->unanswered, p->open[i], true);
        free(p->open);
        p->open = NULL;
        p->n_open = p->cap_open = 0;
        set_bit(p->unanswered, seq, true);
        return;
    }
    if (p->n_open == p->cap_open) {
        size_t cap = p->cap_open ? 2 * p->cap_open : 4;
        uint16_t *v = realloc(p->open, cap * sizeof *v);
        if (!v)
            sim_oom("forgetting ping samples");
        p->open = v;
        p->cap_open = cap;
    }
    p->open[p->n_open++] = seq;
}

void sim_ping_icmp_input(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip)
{
    (void)in;
    sim_ping *p = ctx;
    if (ip->icmp_type != SIM_ICMP_ECHO_REPLY || ip->icmp_id != p->id || !wg_ip_eq(&ip->src, &p->cfg.dst))
        return;
    /* The newest echo with this sequence (sequences wrap); a reply to an
     * echo already answered is a duplicate. */
    for (size_t i = p->n; i-- > p->head;)
        if (p->s[i].seq == ip->icmp_seq) {
            if (p->s[i].received == SIM_TIME_NEVER) {
                p->s[i].received = sim_now(n->w->eng);
                p->answered++;
            }
            return;
        }
    if (is_open(p, ip->icmp_seq)) {
        mark_open(p, ip->icmp_seq, false);
        p->answered++;
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
    free(p->unanswered);
    free(p->open);
    free(p);
}

void sim_ping_set_listener(sim_ping *p, sim_ping_fn fn, void *ctx)
{
    p->fn = fn;
    p->fn_ctx = ctx;
}

void sim_ping_forget_before(sim_ping *p, sim_time t)
{
    for (; p->head < p->n && p->s[p->head].sent < t; p->head++) {
        const sim_ping_sample *x = &p->s[p->head];
        mark_open(p, x->seq, x->received == SIM_TIME_NEVER);
    }
    if (p->head == p->n)
        p->head = p->n = 0;
}

void sim_ping_totals_get(const sim_ping *p, sim_ping_totals *out)
{
    out->echoes = p->echoes;
    out->answered = p->answered;
    out->errors = p->errors;
}

uint16_t sim_ping_id(const sim_ping *p) { return p->id; }
size_t sim_ping_sample_count(const sim_ping *p) { return p->n - p->head; }
const sim_ping_sample *sim_ping_sample_at(const sim_ping *p, size_t i)
{
    return i < p->n - p->head ? &p->s[p->head + i] : NULL;
}

void sim_ping_stats_between(const sim_ping *p, sim_time from, sim_time to, sim_ping_stats *out)
{
    memset(out, 0, sizeof *out);
    sim_time sum = 0;
    for (size_t i = p->head; i < p->n; i++) {
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
