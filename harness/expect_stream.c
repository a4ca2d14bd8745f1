/*
 * expect_stream.c — the history expectations (packets / no-packets,
 * handshake, tunnel) evaluated as the run goes, and the packets that
 * explain endpoint failures, so that the run stores no packet records and
 * keeps no ping sample longer than it is in flight (issue 17, "record what
 * is needed, stream the rest").
 *
 * Every frame at a capture point the run reads (record_needs.c) reaches
 * hs_stream_frame in the order the record would have stored it. Each
 * question an evaluation will ask of the packets is a streaming match
 * (hs_pkt_list): how many packets matched, and the first few of them,
 * kept with a copy of their source reason. Which of the answers is shown
 * is decided after the run exactly as a scan of the stored records decided
 * it (the count, then the relaxed filters of "what the same capture point
 * carried"), so the output is what the post-run scan gave.
 *
 * Tunnel expectations consume ping samples once final (answered, sent
 * with an error, older than the 2 s ping timeout, or the run ended), in
 * the order they were sent, keeping aggregates; the consumed samples are
 * forgotten (sim_ping_forget_before). The explanation of a failure shows
 * the WireGuard packets of the pinging node in [a, a + 2 s], a being the
 * first lost echo (or the first too slow, or the window's start); a is
 * known only once that echo is final, up to 2 s after it left, so the
 * node's packets are kept in a rolling buffer back to the oldest echo not
 * yet final while an expectation may still need them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

#define PING_TIMEOUT (2 * SIM_S)
#define MAX_LINES 8
#define NEAR_WINDOW (10 * SIM_S)

/* ------------------------------------------------------------------ */
/* kept packets and streaming matches                                 */
/* ------------------------------------------------------------------ */

void hs_pkt_keep(hs_pkt *p, const sim_trace_rec *r)
{
    p->r = *r;
    p->r.reason = NULL;
    p->has_reason = r->reason != NULL;
    if (p->has_reason)
        p->reason = *r->reason;
}

void hs_pkt_append(hs_pkt **v, size_t *n, size_t *cap, const sim_trace_rec *r)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 32;
        hs_pkt *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            sim_oom("keeping packets to show");
        *v = nv;
        *cap = c;
    }
    hs_pkt_keep(&(*v)[(*n)++], r);
}

const sim_trace_rec *hs_pkt_rec(hs_pkt *p)
{
    p->r.reason = p->has_reason ? &p->reason : NULL;
    return &p->r;
}

/* Which packets, in scenario indices (the frame's point is translated
 * once, by the listener). */
typedef struct pkt_filter {
    int on_seg, from_node, to_node; /* -1 any */
    bool use_addrs;                 /* src/dst/ports */
    const hs_addr_match *src, *dst;
    uint16_t udp_src, udp_dst;
    hs_wg_match wg;
    hs_frag_match frag;
    int icmp; /* hs_icmp_matches index, 0 = any packet */
    sim_time t1, t2;
} pkt_filter;

/* RFC 792 types and codes (sim/sim.h SIM_ICMP_*). */
const hs_icmp_match hs_icmp_matches[] = {
    {"", -1, -1},
    {"echo-request", SIM_ICMP_ECHO, -1},
    {"echo-reply", SIM_ICMP_ECHO_REPLY, -1},
    {"unreachable", SIM_ICMP_UNREACH, -1},
    {"net-unreachable", SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_NET},
    {"host-unreachable", SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_HOST},
    {"proto-unreachable", SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_PROTO},
    {"port-unreachable", SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_PORT},
    {"need-frag", SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_NEEDFRAG},
    {"time-exceeded", SIM_ICMP_TIME_EXCEEDED, -1},
    {NULL, 0, 0},
};

static bool icmp_ok(int icmp, const sim_trace_rec *r)
{
    if (!icmp)
        return true;
    const hs_icmp_match *m = &hs_icmp_matches[icmp];
    return r->proto == SIM_IPPROTO_ICMP && r->icmp_type == m->type && (m->code < 0 || r->icmp_code == m->code);
}

/* A streaming match: the count and the first `max` matching packets. */
typedef struct pkt_list {
    pkt_filter f;
    bool on;
    size_t count;
    size_t max, n;
    hs_pkt *first; /* [max] */
} pkt_list;

static bool addr_ok(const hs_addr_match *m, const wg_ip *ip, uint8_t proto, uint16_t port)
{
    if (!m || !m->set)
        return true;
    if (!wg_ip_eq(ip, &m->ip))
        return false;
    if (m->port && (proto != SIM_IPPROTO_UDP || port != m->port))
        return false;
    return true;
}

static bool wg_ok(hs_wg_match m, const sim_trace_rec *r)
{
    if (m == HS_WGM_NONE)
        return true;
    if (r->proto != SIM_IPPROTO_UDP || r->wg_type == WG_MSG_NONE)
        return false;
    switch (m) {
    case HS_WGM_ANY: return true;
    case HS_WGM_INITIATION: return r->wg_type == WG_MSG_INITIATION;
    case HS_WGM_RESPONSE: return r->wg_type == WG_MSG_RESPONSE;
    case HS_WGM_COOKIE_REPLY: return r->wg_type == WG_MSG_COOKIE_REPLY;
    case HS_WGM_TRANSPORT: return r->wg_type == WG_MSG_TRANSPORT;
    case HS_WGM_DATA: return r->wg_type == WG_MSG_TRANSPORT && !r->wg_keepalive;
    case HS_WGM_KEEPALIVE: return r->wg_type == WG_MSG_TRANSPORT && r->wg_keepalive;
    default: return false;
    }
}

static bool frag_ok(hs_frag_match m, const sim_trace_rec *r)
{
    bool frag = r->src.family && (r->frag_mf || r->frag_off);
    switch (m) {
    case HS_FRAG_NO: return r->src.family && !frag;
    case HS_FRAG_YES: return frag;
    case HS_FRAG_FIRST: return frag && r->frag_off == 0;
    case HS_FRAG_LATER: return frag && r->frag_off != 0;
    default: return true;
    }
}

static bool pkt_match(const pkt_filter *f, const hs_frame *fr)
{
    const sim_trace_rec *r = fr->r;
    if (r->t < f->t1 || r->t > f->t2)
        return false;
    /* which capture point */
    if (f->to_node >= 0) {
        if (r->dir != SIM_DIR_IN || fr->node != f->to_node)
            return false;
        if (f->from_node >= 0 && fr->origin != f->from_node)
            return false;
    } else if (f->from_node >= 0) {
        if (r->dir != SIM_DIR_OUT || fr->node != f->from_node)
            return false;
    } else if (r->dir != SIM_DIR_WIRE) {
        return false;
    }
    if (f->on_seg >= 0 && fr->seg != f->on_seg)
        return false;
    if (f->use_addrs) {
        if (((f->src && f->src->set) || (f->dst && f->dst->set) || f->udp_src || f->udp_dst) && !r->src.family)
            return false;
        if (!addr_ok(f->src, &r->src, r->proto, r->sport) || !addr_ok(f->dst, &r->dst, r->proto, r->dport))
            return false;
        if (f->udp_src && (r->proto != SIM_IPPROTO_UDP || r->sport != f->udp_src))
            return false;
        if (f->udp_dst && (r->proto != SIM_IPPROTO_UDP || r->dport != f->udp_dst))
            return false;
        if (f->frag != HS_FRAG_ANY && !frag_ok(f->frag, r))
            return false;
        if (!icmp_ok(f->icmp, r))
            return false;
    }
    return wg_ok(f->wg, r);
}

static void list_init(pkt_list *l, const pkt_filter *f, size_t max)
{
    free(l->first);
    l->f = *f;
    l->on = true;
    l->count = l->n = 0;
    l->max = max;
    l->first = calloc(max ? max : 1, sizeof *l->first);
    if (!l->first)
        sim_oom("evaluating expectations as the run goes");
}

static void list_offer(pkt_list *l, const hs_frame *fr)
{
    if (!l->on || !pkt_match(&l->f, fr))
        return;
    if (l->n < l->max)
        hs_pkt_keep(&l->first[l->n++], fr->r);
    l->count++;
}

/* The first `max` kept packets as lines of er. */
static void list_lines(hs_world *hw, pkt_list *l, hs_expect_result *er, size_t max)
{
    for (size_t i = 0; i < l->n && i < max; i++)
        hs_add_pkt_line(hw, er, hs_pkt_rec(&l->first[i]));
}

/* ------------------------------------------------------------------ */
/* per-expectation state                                              */
/* ------------------------------------------------------------------ */

/* The WireGuard packets a node sent and received in [a, a + 2 s]: the
 * explanation of a tunnel failure around a. */
typedef struct tun_window {
    bool set;
    pkt_list out, in;
} tun_window;

typedef struct tun_state {
    size_t feed;            /* index in streams.feeds */
    sim_time t1, t2;
    bool done;              /* the first lost echo is known, or every echo of the window was taken */
    size_t sent, answered, rtt_bad;
    sim_time rtt_min, rtt_max, rtt_sum;
    sim_time first_lost, first_rtt_bad;
    struct lost_echo {
        uint16_t seq;
        sim_time sent;
        sim_err err;
    } shown[3];             /* the first unanswered echoes */
    size_t n_shown;
    tun_window at_t1, at_lost, at_rtt;
} tun_state;

typedef struct exp_stream {
    /* packets: the match, then what the same capture point carried (same
     * WireGuard type, any WireGuard message, any 10 s around the window);
     * handshake: initiations sent, responses received */
    pkt_list list[4];
    size_t n_list;
    /* endpoint: the last WireGuard packets the node received up to the
     * first failing sample (a ring of the last 3) */
    hs_pkt last[3];
    size_t n_last;
    bool frozen;
    tun_state tun;
} exp_stream;

/* A ping read by the run: its final samples are consumed (by the tunnel
 * expectations on it, if any) and forgotten. */
typedef struct ping_feed {
    hs_world *hw;
    size_t ping;            /* traffic index */
    int node;               /* the pinging node (scenario index) */
    size_t *exps;           /* its tunnel expectations */
    size_t n_exps;
    size_t next;            /* samples taken and not forgotten (record_all keeps them) */
    /* the node's WireGuard packets since the oldest echo not yet final */
    hs_pkt *buf;
    size_t head, n, cap;
} ping_feed;

struct hs_streams {
    exp_stream *e;          /* [expectation index] */
    ping_feed *feeds;
    size_t n_feeds;
    /* The feeds a node's frames go to (those with tunnel expectations),
     * by scenario node: node_feeds[node_first[i] .. node_first[i + 1]).
     * A frame visits only its node's feeds: a hub's 10,000 pings made a
     * loop over every feed per frame the largest cost of the run. */
    size_t *node_first, *node_feeds;
};

/* The filter of a packets expectation. */
static pkt_filter packets_filter(const hs_expect *e)
{
    const __typeof__(e->u.packets) *p = &e->u.packets;
    return (pkt_filter){.on_seg = p->on,
                        .from_node = p->from,
                        .to_node = p->to,
                        .use_addrs = true,
                        .src = &p->src,
                        .dst = &p->dst,
                        .udp_src = p->udp_src_port,
                        .udp_dst = p->udp_dst_port,
                        .wg = p->wg,
                        .frag = p->fragment,
                        .icmp = p->icmp,
                        .t1 = e->during ? e->from : 0,
                        .t2 = e->during ? e->to : e->at};
}

bool hs_packets_match(const hs_expect *e, const hs_frame *f)
{
    pkt_filter pf = packets_filter(e);
    return pkt_match(&pf, f);
}

/* The WireGuard packets node sent (out) and received (in) in [a, a + 2 s]. */
static void window_open(tun_window *w, int node, sim_time a)
{
    pkt_filter f = {.on_seg = -1, .from_node = node, .to_node = -1, .wg = HS_WGM_ANY, .t1 = a, .t2 = a + 2 * SIM_S};
    list_init(&w->out, &f, 3);
    f.from_node = -1;
    f.to_node = node;
    list_init(&w->in, &f, 2);
    w->set = true;
}

static void window_offer(tun_window *w, const hs_frame *fr)
{
    if (!w->set)
        return;
    list_offer(&w->out, fr);
    list_offer(&w->in, fr);
}

void hs_stream_init(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    struct hs_streams *st = calloc(1, sizeof *st);
    if (!st || !(st->e = calloc(s->n_expects ? s->n_expects : 1, sizeof *st->e)))
        sim_oom("evaluating expectations as the run goes");
    hw->stream = st;
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        exp_stream *x = &st->e[i];
        sim_time t1 = e->during ? e->from : 0, t2 = e->during ? e->to : e->at;
        switch (e->kind) {
        case HS_EXP_PACKETS:
        case HS_EXP_NO_PACKETS: {
            pkt_filter f = packets_filter(e), near = f;
            list_init(&x->list[0], &f, MAX_LINES);
            near.use_addrs = false;
            list_init(&x->list[1], &near, MAX_LINES);
            x->list[1].on = f.wg != HS_WGM_NONE;
            near.wg = HS_WGM_ANY;
            list_init(&x->list[2], &near, MAX_LINES);
            near.t1 = f.t1 > NEAR_WINDOW ? f.t1 - NEAR_WINDOW : 0;
            near.t2 = f.t2 + NEAR_WINDOW;
            list_init(&x->list[3], &near, MAX_LINES);
            x->n_list = 4;
            break;
        }
        case HS_EXP_HANDSHAKE: {
            /* the handshake messages this node sent and received in the window */
            int node = e->u.handshake.node;
            pkt_filter f = {.on_seg = -1, .from_node = node, .to_node = -1, .wg = HS_WGM_INITIATION, .t1 = t1, .t2 = t2};
            list_init(&x->list[0], &f, MAX_LINES / 2);
            f.from_node = -1;
            f.to_node = node;
            f.wg = HS_WGM_RESPONSE;
            list_init(&x->list[1], &f, MAX_LINES / 2);
            x->n_list = 2;
            break;
        }
        case HS_EXP_TUNNEL: {
            tun_state *t = &x->tun;
            t->t1 = t1;
            t->t2 = t2;
            t->first_lost = t->first_rtt_bad = -1;
            window_open(&t->at_t1, s->traffic[e->u.tunnel.ping].ping.from, t1);
            break;
        }
        default: break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* tunnel: ping samples as they become final                          */
/* ------------------------------------------------------------------ */

/* Does any tunnel expectation of the feed still need the node's packets
 * at time t for an explanation whose start is not known yet? */
static bool feed_wants(const ping_feed *fd, sim_time t)
{
    const struct hs_streams *st = fd->hw->stream;
    for (size_t k = 0; k < fd->n_exps; k++) {
        const tun_state *ts = &st->e[fd->exps[k]].tun;
        if (!ts->done && t >= ts->t1 && t <= ts->t2 + PING_TIMEOUT)
            return true;
    }
    return false;
}

/* Will any tunnel expectation of the feed want packets after now? */
static bool feed_wants_after(const ping_feed *fd, sim_time now)
{
    const struct hs_streams *st = fd->hw->stream;
    for (size_t k = 0; k < fd->n_exps; k++) {
        const tun_state *ts = &st->e[fd->exps[k]].tun;
        if (!ts->done && now <= ts->t2 + PING_TIMEOUT)
            return true;
    }
    return false;
}

/* A window starting at a, filled from the buffer (packets since the
 * oldest echo not yet final; a is at or after it). */
static void window_from_buffer(ping_feed *fd, tun_window *w, sim_time a)
{
    window_open(w, fd->node, a);
    for (size_t i = fd->head; i < fd->n; i++) {
        hs_frame fr = {hs_pkt_rec(&fd->buf[i]), fd->node, -1, -1};
        window_offer(w, &fr);
    }
}

static bool echo_ok(const sim_ping_sample *x, sim_time end)
{
    return x->send_err == SIM_OK && x->received != SIM_TIME_NEVER && x->received <= end &&
           x->received - x->sent <= PING_TIMEOUT;
}

/* One final sample, for one tunnel expectation. */
static void tun_take(ping_feed *fd, const hs_expect *e, tun_state *t, const sim_ping_sample *x, sim_time end)
{
    if (x->sent >= t->t2)
        t->done = true;
    if (x->sent < t->t1 || x->sent >= t->t2)
        return;
    t->sent++;
    if (!echo_ok(x, end)) {
        if (t->first_lost < 0) {
            t->first_lost = x->sent;
            t->done = true;
            window_from_buffer(fd, &t->at_lost, x->sent);
        }
        if (t->n_shown < 3)
            t->shown[t->n_shown++] = (struct lost_echo){x->seq, x->sent, x->send_err};
        return;
    }
    t->answered++;
    sim_time rtt = x->received - x->sent;
    if (t->answered == 1 || rtt < t->rtt_min)
        t->rtt_min = rtt;
    if (rtt > t->rtt_max)
        t->rtt_max = rtt;
    t->rtt_sum += rtt;
    if (e->u.tunnel.has_rtt && !hs_cmp_test(&e->u.tunnel.rtt, (double)rtt)) {
        t->rtt_bad++;
        if (t->first_rtt_bad < 0) {
            t->first_rtt_bad = x->sent;
            if (t->first_lost < 0)
                window_from_buffer(fd, &t->at_rtt, x->sent);
        }
    }
}

/* Takes the samples that are final at `now` (all of them at the end of
 * the run), oldest first, then forgets them and the buffered packets no
 * explanation can start at any more. */
static void feed_consume(ping_feed *fd, sim_time now, bool at_end)
{
    hs_world *hw = fd->hw;
    sim_ping *p = hw->pings[fd->ping];
    size_t k = fd->next, n = sim_ping_sample_count(p);
    sim_time last = 0;
    for (; k < n; k++) {
        const sim_ping_sample *x = sim_ping_sample_at(p, k);
        if (!at_end && x->send_err == SIM_OK && x->received == SIM_TIME_NEVER && now - x->sent <= PING_TIMEOUT)
            break;
        for (size_t j = 0; j < fd->n_exps; j++) {
            size_t i = fd->exps[j];
            tun_take(fd, &hw->s->expects[i], &hw->stream->e[i].tun, x, now);
        }
        hs_phases_echo(hw, fd->ping, x);
        hs_series_echo(hw, fd->ping, x);
        last = x->sent;
    }
    /* record_all keeps every sample, for readers after the run */
    if (k > fd->next && !hw->opt.record_all) {
        sim_ping_forget_before(p, last + 1);
        k = 0;
    }
    fd->next = k;
    /* packets before the oldest echo still open (or before now) start no
     * explanation any more */
    const sim_ping_sample *open = sim_ping_sample_at(p, k);
    sim_time keep_from = open ? open->sent : now;
    while (fd->head < fd->n && fd->buf[fd->head].r.t < keep_from)
        fd->head++;
    if (fd->head == fd->n)
        fd->head = fd->n = 0;
    if (fd->cap && !fd->n && !feed_wants_after(fd, now)) {
        /* every explanation's start is known: the buffer is done */
        free(fd->buf);
        fd->buf = NULL;
        fd->cap = 0;
    }
}

static void ping_sent(void *ctx, sim_ping *p)
{
    ping_feed *fd = ctx;
    feed_consume(fd, sim_world_now(fd->hw->w), false);
    (void)p;
}

/* A WireGuard packet of the pinging node: into the buffer while some
 * explanation may start before it. */
static void feed_frame(ping_feed *fd, const hs_frame *fr)
{
    const sim_trace_rec *r = fr->r;
    if (fr->node != fd->node || r->dir == SIM_DIR_WIRE || r->proto != SIM_IPPROTO_UDP || !r->wg_type)
        return;
    feed_consume(fd, r->t, false);
    struct hs_streams *st = fd->hw->stream;
    for (size_t k = 0; k < fd->n_exps; k++) {
        tun_state *t = &st->e[fd->exps[k]].tun;
        window_offer(&t->at_t1, fr);
        window_offer(&t->at_lost, fr);
        window_offer(&t->at_rtt, fr);
    }
    if (!feed_wants(fd, r->t))
        return;
    if (fd->n == fd->cap && fd->head && fd->head >= fd->n / 2) {
        memmove(fd->buf, fd->buf + fd->head, (fd->n - fd->head) * sizeof *fd->buf);
        fd->n -= fd->head;
        fd->head = 0;
    }
    hs_pkt_append(&fd->buf, &fd->n, &fd->cap, r);
}

void hs_stream_start(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    struct hs_streams *st = hw->stream;
    st->feeds = calloc(s->n_traffic ? s->n_traffic : 1, sizeof *st->feeds);
    if (!st->feeds)
        sim_oom("evaluating expectations as the run goes");
    for (size_t i = 0; i < s->n_traffic; i++) {
        if (!hw->pings[i])
            continue;
        ping_feed *fd = &st->feeds[st->n_feeds++];
        fd->hw = hw;
        fd->ping = i;
        fd->node = s->traffic[i].ping.from;
        for (size_t k = 0; k < s->n_expects; k++)
            if (s->expects[k].kind == HS_EXP_TUNNEL && (size_t)s->expects[k].u.tunnel.ping == i) {
                size_t *v = realloc(fd->exps, (fd->n_exps + 1) * sizeof *v);
                if (!v)
                    sim_oom("evaluating expectations as the run goes");
                fd->exps = v;
                fd->exps[fd->n_exps++] = k;
                st->e[k].tun.feed = (size_t)(fd - st->feeds);
            }
        sim_ping_set_listener(hw->pings[i], ping_sent, fd);
    }
    st->node_first = calloc(s->n_nodes + 1, sizeof *st->node_first);
    st->node_feeds = calloc(st->n_feeds ? st->n_feeds : 1, sizeof *st->node_feeds);
    if (!st->node_first || !st->node_feeds)
        sim_oom("evaluating expectations as the run goes");
    for (size_t k = 0; k < st->n_feeds; k++)
        if (st->feeds[k].n_exps)
            st->node_first[st->feeds[k].node + 1]++;
    for (size_t i = 0; i < s->n_nodes; i++)
        st->node_first[i + 1] += st->node_first[i];
    size_t *at = calloc(s->n_nodes ? s->n_nodes : 1, sizeof *at);
    if (!at)
        sim_oom("evaluating expectations as the run goes");
    for (size_t k = 0; k < st->n_feeds; k++) /* in feed order within a node */
        if (st->feeds[k].n_exps) {
            size_t nd = (size_t)st->feeds[k].node;
            st->node_feeds[st->node_first[nd] + at[nd]++] = k;
        }
    free(at);
}

/* ------------------------------------------------------------------ */
/* every frame the run reads                                          */
/* ------------------------------------------------------------------ */

void hs_stream_frame(hs_world *hw, const hs_frame *fr)
{
    const hs_scenario *s = hw->s;
    struct hs_streams *st = hw->stream;
    const sim_trace_rec *r = fr->r;
    for (size_t i = 0; i < s->n_expects; i++) {
        exp_stream *x = &st->e[i];
        const hs_expect *e = &s->expects[i];
        switch (e->kind) {
        case HS_EXP_PACKETS:
        case HS_EXP_NO_PACKETS:
            list_offer(&x->list[0], fr);
            /* what the point carried is shown only when nothing matched */
            if (x->list[0].count)
                x->list[1].on = x->list[2].on = x->list[3].on = false;
            for (size_t k = 1; k < x->n_list; k++)
                list_offer(&x->list[k], fr);
            break;
        case HS_EXP_HANDSHAKE:
            list_offer(&x->list[0], fr);
            list_offer(&x->list[1], fr);
            break;
        case HS_EXP_ENDPOINT: {
            if (x->frozen)
                break;
            const hs_exp_state *es = &hw->exp[i];
            if (es->failed && r->t > es->fail_t) {
                x->frozen = true; /* the explanation is of the first failing sample */
                break;
            }
            if (r->dir == SIM_DIR_IN && fr->node == e->u.endpoint.node && r->proto == SIM_IPPROTO_UDP && r->wg_type)
                hs_pkt_keep(&x->last[x->n_last++ % 3], r);
            break;
        }
        default: break;
        }
    }
    if (st->node_first && fr->node >= 0)
        for (size_t k = st->node_first[fr->node]; k < st->node_first[fr->node + 1]; k++)
            feed_frame(&st->feeds[st->node_feeds[k]], fr);
}

void hs_stream_finish(hs_world *hw)
{
    struct hs_streams *st = hw->stream;
    for (size_t k = 0; st->feeds && k < st->n_feeds; k++)
        feed_consume(&st->feeds[k], sim_world_now(hw->w), true);
}

void hs_stream_free(hs_world *hw)
{
    struct hs_streams *st = hw->stream;
    if (!st)
        return;
    for (size_t i = 0; i < hw->s->n_expects; i++) {
        exp_stream *x = &st->e[i];
        for (size_t k = 0; k < 4; k++)
            free(x->list[k].first);
        tun_window *w[] = {&x->tun.at_t1, &x->tun.at_lost, &x->tun.at_rtt};
        for (size_t k = 0; k < 3; k++) {
            free(w[k]->out.first);
            free(w[k]->in.first);
        }
    }
    for (size_t k = 0; st->feeds && k < st->n_feeds; k++) {
        free(st->feeds[k].exps);
        free(st->feeds[k].buf);
    }
    free(st->feeds);
    free(st->node_first);
    free(st->node_feeds);
    free(st->e);
    free(st);
    hw->stream = NULL;
}

/* ------------------------------------------------------------------ */
/* the verdicts                                                       */
/* ------------------------------------------------------------------ */

void hs_eval_packets(hs_world *hw, size_t i, hs_expect_result *er)
{
    const hs_expect *e = &hw->s->expects[i];
    exp_stream *x = &hw->stream->e[i];
    size_t n = x->list[0].count;
    hs_cmp c = e->u.packets.count;
    if (e->kind == HS_EXP_NO_PACKETS)
        c = (hs_cmp){.op = HS_CMP_EQ, .unit = HS_UNIT_COUNT, .value = 0};
    char cb[64];
    er->expected = hs_strdup_printf("count %s", hs_cmp_format(&c, cb, sizeof cb));
    er->observed = hs_strdup_printf("count %zu", n);
    er->value = (double)n;
    er->passed = hs_cmp_test(&c, (double)n);
    if (n > 0) {
        /* the matching packets: evidence of a pass, the offenders of a failure */
        list_lines(hw, &x->list[0], er, er->passed ? 2 : MAX_LINES);
        return;
    }
    if (er->passed)
        return;
    /* Nothing matched: show what the same capture point did carry, first
     * with the same WireGuard type, then any WireGuard message, then any
     * WireGuard message 10 s around the window. */
    size_t k = 1;
    while (k < 4 && !x->list[k].count)
        k++;
    if (k < 4) {
        size_t m = x->list[k].count;
        char *o = er->observed;
        er->observed = hs_strdup_printf("%s; the same capture point carried %zu other WireGuard packet%s%s", o, m,
                                        m == 1 ? "" : "s", k == 3 ? " within 10 s of the window" : "");
        free(o);
        list_lines(hw, &x->list[k], er, MAX_LINES);
    } else {
        char *o = er->observed;
        er->observed = hs_strdup_printf("%s; no WireGuard packet at that capture point within 10 s of the window", o);
        free(o);
    }
}

/* The handshake messages behind a failed handshake expectation. */
void hs_stream_handshake_lines(hs_world *hw, size_t i, hs_expect_result *er)
{
    exp_stream *x = &hw->stream->e[i];
    list_lines(hw, &x->list[0], er, MAX_LINES / 2);
    list_lines(hw, &x->list[1], er, MAX_LINES / 2);
}

/* The last WireGuard packets the node of a failed endpoint expectation
 * received up to the failing sample. */
void hs_stream_endpoint_lines(hs_world *hw, size_t i, hs_expect_result *er)
{
    exp_stream *x = &hw->stream->e[i];
    for (size_t j = x->n_last > 3 ? x->n_last - 3 : 0; j < x->n_last; j++)
        hs_add_pkt_line(hw, er, hs_pkt_rec(&x->last[j % 3]));
}

void hs_eval_tunnel(hs_world *hw, size_t i, hs_expect_result *er)
{
    const hs_expect *e = &hw->s->expects[i];
    const __typeof__(e->u.tunnel) *tu = &e->u.tunnel;
    tun_state *t = &hw->stream->e[i].tun;
    size_t sent = t->sent, answered = t->answered;
    double loss = sent ? 100.0 * (double)(sent - answered) / (double)sent : NAN;
    hs_sbuf exp = {0}, obs = {0};
    char cb[64], a[32], b[32], c[32];
    bool ok = sent > 0;
    if (tu->has_loss) {
        hs_sb_add(&exp, "loss %s", hs_cmp_format(&tu->loss, cb, sizeof cb));
        ok = ok && hs_cmp_test(&tu->loss, loss);
    }
    if (tu->has_rtt) {
        hs_sb_add(&exp, "%srtt %s for every answered echo", exp.n ? ", " : "", hs_cmp_format(&tu->rtt, cb, sizeof cb));
        ok = ok && answered > 0 && t->rtt_bad == 0;
    }
    if (!sent)
        hs_sb_add(&obs, "no echo was sent in the window");
    else
        hs_sb_add(&obs, "loss %s%% (%zu of %zu echoes unanswered)", hs_format_percent(loss, a, sizeof a), sent - answered,
                  sent);
    if (answered)
        hs_sb_add(&obs, ", rtt min %s avg %s max %s", hs_fmt_ms(t->rtt_min, a, sizeof a),
                  hs_fmt_ms(t->rtt_sum / (sim_time)answered, b, sizeof b), hs_fmt_ms(t->rtt_max, c, sizeof c));
    if (t->rtt_bad)
        hs_sb_add(&obs, ", %zu echo%s outside the rtt bound", t->rtt_bad, t->rtt_bad == 1 ? "" : "es");
    er->expected = strdup(exp.b);
    er->observed = strdup(obs.b);
    er->value = loss;
    er->passed = ok;
    if (ok || !hw->pings[tu->ping])
        return;
    /* the first unanswered echoes, then the WireGuard packets the pinging
     * node sent and received around the first of them */
    char ts[32];
    for (size_t k = 0; k < t->n_shown; k++) {
        const struct lost_echo *x = &t->shown[k];
        hs_result_add_line(er, x->sent,
                           x->err != SIM_OK ? hs_strdup_printf("echo seq %u not sent: %s", x->seq, sim_err_name(x->err))
                                            : hs_strdup_printf("echo seq %u sent at %ss: no reply within 2s", x->seq,
                                                               hs_result_time(x->sent, ts, sizeof ts)));
    }
    tun_window *w = t->first_lost >= 0 ? &t->at_lost : t->first_rtt_bad >= 0 ? &t->at_rtt : &t->at_t1;
    list_lines(hw, &w->out, er, 3);
    list_lines(hw, &w->in, er, 2);
}
