/*
 * wg_host.c — hosts a wgnode WireGuard device on a simulated node.
 *
 *  - datagrams: one wildcard UDP socket on the listen port (FreeBSD/OpenBSD
 *    bind a wildcard socket, wg-sourcing.md). The send callback maps the
 *    device's wg_source onto the socket layer: family 0 = the stack picks
 *    (in_pcbladdr), an address = IP_SENDSRCADDR (EADDRNOTAVAIL if not
 *    configured), an ifindex = wireguard-go's forced interface;
 *  - inner packets: a tunnel interface (like wg-quick: its address and a
 *    route per allowed-ip) whose output goes to wg_device_send_inner, and
 *    decrypted packets enter the node's IPv4 input on it. Inner packets
 *    are handed to the device from an engine event, never from inside a
 *    device callback, so the device is not re-entered;
 *  - timers: one engine event at wg_device_next_wake(), re-armed after
 *    every call into the device when the wake moved (the wake moves
 *    rarely: a deadline pushed later leaves it, and a tick at a wake with
 *    nothing due only moves it on);
 *  - random bytes from the node stream; wall clock = world epoch + now;
 *  - events into the event log, keys into the world key log;
 *  - power: off stops everything; on recreates the device from its
 *    configuration (a reboot forgets learned endpoints and sessions);
 *  - restart (sim_wg_restart, pfSense's "restart the WireGuard service",
 *    which destroys and recreates the wg interfaces): the same recreation
 *    while the node stays up.
 */
#include "sim/net/net.h"
#include "sim/record/history.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define WG_TUNNEL_MTU 1420 /* wg-quick default */

typedef struct peer_cfg {
    int id; /* the device's peer id (same after a reboot: peers are re-added in order) */
    wg_peer_config pc;
    wg_prefix *ips;
    /* The received datagram the current learned source came from (issue 13
     * "why a packet has its source"); carried into the source reason of
     * every datagram sent with that source. */
    bool has_learned;
    sim_learned learned;
} peer_cfg;

typedef struct inner_pkt {
    size_t len;
    uint8_t *data;
} inner_pkt;

struct sim_wg {
    /* What a data packet or timer reads comes first, up to `name`: the
     * cache hint of a host's walk (sim_wg_prefetch_host) asks for these
     * lines only. */
    sim_node *node;
    sim_iface *ifp;
    wg_device *dev;
    sim_udp_sock *sock;
    sim_event_id timer;
    int64_t armed;
    peer_cfg *peers;
    size_t n_peers;
    /* The device's peer id -> index in peers + 1 (0: not ours). wgnode
     * numbers peers densely from 0 in the order added, so this stays as
     * long as the peer list; every WireGuard callback that names a peer
     * looks it up, so a scan would cost O(peers) per packet on a hub. */
    uint32_t *by_id;
    size_t cap_by_id;
    /* Packets for the tunnel, handed to the device at the next event
     * (flush_inner): the first in q1, among the lines a packet reads
     * anyway, the others (a burst within one instant) in q. At N = 10,000
     * a separate array for the one packet of a ping was a line out of
     * cache at every ping (docs/performance.md, "The tunnel's queue"). */
    inner_pkt q1;
    inner_pkt *q; /* holds nq - 1 */
    size_t nq, capq;
    sim_event_id flush_ev;
    const sim_udp_rx *rx_cur; /* the datagram being handed to the device */
    size_t n_dirty;
    bool up;
    bool all_dirty;
    /* The first initiation sent (sim_wg_first_initiation: what a flood
     * replays); the flag is tested on every datagram sent. */
    bool has_first_init;

    /* Read at setup, on errors or with the change log on. */
    char *name;
    wg_device_config cfg;
    wg_host_ops ops;
    size_t cap_peers;
    uint64_t send_errs[WG_SEND_EINVAL + 1];
    /* Peers whose events may have changed what the change log (state as
     * of T) holds of them, logged after the device call that caused them
     * returns (rearm): the device reports an event while it is still
     * changing the peer. all_dirty (above): every peer (reboot, up/down,
     * config). */
    int *dirty;
    size_t cap_dirty;
    uint8_t first_init[WG_INITIATION_LEN];
};

/* Cache hints for the walk of a small node (prefetch.c): the host struct,
 * then (from the next level on) its device's levels. */
void sim_wg_prefetch_host(const sim_wg *h) { sim_prefetch_range(h, offsetof(sim_wg, name)); }

bool sim_wg_prefetch_device(const sim_wg *h, int level)
{
    if (level == 0 && h->n_peers <= 4) {
        sim_prefetch_range(h->peers, h->n_peers * sizeof *h->peers);
        __builtin_prefetch(h->by_id);
    }
    return h->dev && wg_device_prefetch(h->dev, level);
}

static sim_time now_of(const sim_wg *h) { return sim_now(h->node->w->eng); }

static void tick(void *arg);

static void log_peer(sim_wg *h, int id)
{
    wg_peer_info pi;
    if (wg_device_peer_info(h->dev, id, &pi))
        sim_hist_log_wg(h->node->w, h->node->id, h->ifp->ifindex, id, &pi);
}

static void log_peers(sim_wg *h)
{
    /* Nothing dirty (always so while the log is off: cb_event marks
     * peers only for it), nothing to ask: this runs after every packet. */
    if ((h->n_dirty || h->all_dirty) && h->dev && sim_hist_on(h->node->w, SIM_HIST_WG)) {
        if (h->all_dirty)
            for (size_t i = 0; i < h->n_peers; i++)
                log_peer(h, h->peers[i].id);
        else
            for (size_t i = 0; i < h->n_dirty; i++)
                log_peer(h, h->dirty[i]);
    }
    h->n_dirty = 0;
    h->all_dirty = false;
}

static void rearm(sim_wg *h)
{
    log_peers(h);
    if (!h->dev || !h->node->powered)
        return;
    int64_t d = wg_device_next_wake(h->dev);
    if (d == h->armed && h->timer)
        return;
    sim_engine *e = h->node->w->eng;
    sim_cancel(e, h->timer);
    h->timer = 0;
    h->armed = d;
    if (d == WG_TIME_NEVER)
        return;
    sim_time now = sim_now(e);
    h->timer = sim_schedule_at(e, d > now ? d : now, tick, h);
}

static void tick(void *arg)
{
    sim_wg *h = arg;
    sim_warm_step(h->node->w);
    sim_node_prefetch(h->node);
    h->timer = 0;
    h->armed = WG_TIME_NEVER;
    if (!h->dev || !h->node->powered)
        return;
    wg_device_tick(h->dev, now_of(h));
    rearm(h);
}

/* ---- host callbacks ---- */

static peer_cfg *peer_of(sim_wg *h, int id)
{
    if (id < 0 || (size_t)id >= h->cap_by_id || !h->by_id[id])
        return NULL;
    return &h->peers[h->by_id[id] - 1];
}

/* Records that peers[idx] has device id `id`. Out of memory aborts, as
 * VEC_GROW does for the peer list itself: undoing the device's add would
 * leave a hole in its ids that a reboot (which re-adds in order) closes. */
static void index_peer(sim_wg *h, int id, size_t idx)
{
    if (id < 0)
        return; /* not in the device: nothing to find it by */
    if ((size_t)id >= h->cap_by_id) {
        size_t cap = h->cap_by_id ? h->cap_by_id : 8;
        while (cap <= (size_t)id)
            cap *= 2;
        uint32_t *b = realloc(h->by_id, cap * sizeof *b);
        if (!b)
            sim_oom("indexing a WireGuard host's peers");
        memset(b + h->cap_by_id, 0, (cap - h->cap_by_id) * sizeof *b);
        h->by_id = b;
        h->cap_by_id = cap;
    }
    h->by_id[id] = (uint32_t)idx + 1;
}

/* Notes the device's lines of a peer whose packet just arrived (sim.h
 * "Cache hints"), with the allowed-IPs nodes of its inner source: the
 * reply reads the same lines (its destination is that source). */
static void touch_peer(const sim_wg *h, int peer_id, const uint8_t *packet, size_t len)
{
    if (!sim_touch_rec_.max || !h->dev)
        return;
    wg_ip inner = {0};
    bool v4 = len >= 20 && packet[0] >> 4 == 4;
    if (v4) {
        inner.family = 4;
        memcpy(inner.b, packet + 12, 4);
    }
    const void *p[SIM_TOUCH_MAX];
    size_t n = wg_device_peer_lines(h->dev, peer_id, v4 ? &inner : NULL, p, SIM_TOUCH_MAX);
    for (size_t i = 0; i < n; i++)
        sim_touch(p[i]);
    if ((size_t)peer_id < h->cap_by_id && h->by_id[peer_id]) {
        sim_touch(&h->by_id[peer_id]);
        sim_touch_range(&h->peers[h->by_id[peer_id] - 1], sizeof *h->peers);
    }
}

static wg_send_result cb_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data, size_t len,
                              const wg_send_meta *meta)
{
    sim_wg *h = ctx;
    if (meta && meta->type == WG_MSG_INITIATION && len == WG_INITIATION_LEN && !h->has_first_init) {
        memcpy(h->first_init, data, len);
        h->has_first_init = true;
    }
    sim_udp_send_opts o = {0};
    if (src) {
        o.src = src->addr;
        o.ifindex = src->ifindex;
    }
    o.wg_reason = meta ? meta->reason : WG_SRC_NONE;
    /* Outer DF: FreeBSD and OpenBSD if_wg.c send with sosend and no
     * IP_DONTFRAG, Linux's module with udp_tunnel_xmit_skb(df 0) and
     * ignore_df: no DF. wireguard-go on Linux writes to a plain UDP
     * socket, which Linux's default path-MTU discovery (IP_PMTUDISC_WANT)
     * sends with DF while it fits the path MTU (docs/models.md, "IPv4
     * fragments"). */
    o.pmtudisc = h->node->platform == WG_PLATFORM_WIREGUARD_GO;
    if (meta && (meta->reason == WG_SRC_LEARNED || meta->reason == WG_SRC_STICKY)) {
        peer_cfg *p = peer_of(h, meta->peer_id);
        if (p && p->has_learned)
            o.learned = &p->learned;
    }
    wg_send_result r;
    if (dst->ip.family != 4) {
        r = WG_SEND_UNREACHABLE; /* IPv6 is not modelled yet */
    } else {
        sim_err e = sim_udp_sendto(h->sock, &o, &dst->ip, dst->port, data, len);
        switch (e) {
        case SIM_OK: r = WG_SEND_OK; break;
        case SIM_EADDRNOTAVAIL: r = WG_SEND_EADDRNOTAVAIL; break;
        case SIM_EINVAL: r = WG_SEND_EINVAL; break;
        case SIM_EPERM:
            /* A packet filter (pf) dropped our own datagram: ip_output
             * fails with EPERM (FreeBSD 13 ip_output_pfil) or EACCES
             * (FreeBSD 14+); Linux netfilter gives EPERM. None of the
             * WireGuard implementations treats it specially (FreeBSD
             * if_wg.c acts on EADDRNOTAVAIL only, wireguard-go on EINVAL
             * only): the packet is lost and the source kept, which is
             * the "any other failure" result. Test pf_network
             * pf_block_own_send_is_plain_error_for_wireguard. */
            r = WG_SEND_UNREACHABLE;
            break;
        default: r = WG_SEND_UNREACHABLE; break;
        }
    }
    if (r != WG_SEND_OK)
        h->send_errs[r]++;
    return r;
}

static void cb_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    sim_wg *h = ctx;
    touch_peer(h, peer_id, packet, len);
    sim_ipv4_tunnel_input(h->ifp, packet, len);
}

static void cb_random(void *ctx, uint8_t *buf, size_t len)
{
    sim_wg *h = ctx;
    sim_rng_bytes(&h->node->rng, buf, len);
}

static int64_t cb_wall(void *ctx, int64_t now)
{
    sim_wg *h = ctx;
    return sim_world_wall_ns(h->node->w, now);
}

static bool cb_addr_is_local(void *ctx, const wg_ip *addr)
{
    sim_wg *h = ctx;
    return sim_node_find_addr(h->node, addr, NULL) != NULL;
}

static bool cb_route_lookup(void *ctx, const wg_ip *dst, const wg_ip *src_or_null, uint32_t *ifindex, wg_ip *chosen)
{
    sim_wg *h = ctx;
    sim_route_result rr;
    if (dst->family != 4 || !sim_fib_lookup(h->node, dst, &rr))
        return false;
    if (ifindex)
        *ifindex = rr.ifindex;
    if (chosen) {
        /* Without policy rules the source does not change the route; a
         * requested local source is kept, otherwise the route's. */
        if (src_or_null && src_or_null->family && sim_node_find_addr(h->node, src_or_null, NULL))
            *chosen = *src_or_null;
        else
            *chosen = rr.src;
    }
    return true;
}

static void note_learned(sim_wg *h, const wg_event *ev)
{
    /* The device learns a source only while handling a received datagram
     * (wg-sourcing.md "replaced only after authentication"), i.e. inside
     * on_udp: remember which one. */
    peer_cfg *p = peer_of(h, ev->peer_id);
    if (!p)
        return;
    const sim_udp_rx *rx = h->rx_cur;
    if (!rx) {
        p->has_learned = false;
        return;
    }
    p->has_learned = true;
    p->learned = (sim_learned){.t = now_of(h),
                               .from = {.ip = rx->src, .port = rx->sport},
                               .to = {.ip = rx->dst, .port = rx->dport},
                               .ifindex = rx->ifindex};
}

static void cb_event(void *ctx, const wg_event *ev)
{
    sim_wg *h = ctx;
    sim_node *n = h->node;
    if (ev->kind == WG_EV_SOURCE_LEARNED)
        note_learned(h, ev);
    if (ev->peer_id >= 0 && !h->all_dirty && (!h->n_dirty || h->dirty[h->n_dirty - 1] != ev->peer_id) &&
        sim_hist_on(n->w, SIM_HIST_WG)) {
        VEC_GROW(h->dirty, h->n_dirty, h->cap_dirty);
        h->dirty[h->n_dirty++] = ev->peer_id;
    }
    if (!sim_events_wanted(n->w))
        return;
    sim_event_rec e = {0};
    e.t = sim_now(n->w->eng);
    e.kind = SIM_EV_WG;
    e.node = n->id;
    e.ifindex = h->ifp->ifindex;
    e.segment = -1;
    e.wg = *ev;
    e.model = "wg";
    e.cause_origin = -1;
    /* An endpoint moves to the source of an authenticated datagram: cite
     * the frame that carried it (the one being received now). */
    if (ev->kind == WG_EV_ENDPOINT_CHANGED && h->rx_cur && n->w->rx_frame) {
        e.cause_frame = n->w->rx_frame->id;
        e.cause_t = e.t;
        e.cause_ifindex = n->w->rx_ifindex;
        e.cause_origin = n->w->rx_frame->origin_node;
    }
    char ep[WG_IP_STRLEN + 8], src[WG_IP_STRLEN], detail[200] = "";
    switch (ev->kind) {
    case WG_EV_TIMER_FIRED: snprintf(detail, sizeof detail, " %s", wg_timer_name(ev->timer)); break;
    case WG_EV_ENDPOINT_CHANGED: snprintf(detail, sizeof detail, " %s", wg_endpoint_format(&ev->endpoint, ep)); break;
    case WG_EV_SOURCE_LEARNED:
        snprintf(detail, sizeof detail, " %s ifindex %u", wg_ip_format(&ev->source.addr, src), ev->source.ifindex);
        break;
    case WG_EV_SEND_ERROR:
        snprintf(detail, sizeof detail, " result %d (%s) to %s", (int)ev->send_result,
                 wg_msg_type_name(ev->msg_type, false), wg_endpoint_format(&ev->endpoint, ep));
        break;
    case WG_EV_PACKET_DROPPED:
        snprintf(detail, sizeof detail, " %s from %s", wg_drop_reason_name(ev->drop),
                 wg_endpoint_format(&ev->endpoint, ep));
        break;
    case WG_EV_HANDSHAKE_COMPLETE: snprintf(detail, sizeof detail, " as %s", ev->initiator ? "initiator" : "responder"); break;
    default: break;
    }
    char *text = sim_rec_printf("%s/%s peer %d %s%s", n->name, h->name, ev->peer_id, wg_event_kind_name(ev->kind), detail);
    e.text = text;
    sim_event_push(n->w, &e);
    free(text);
}

static void cb_keylog(void *ctx, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
    sim_wg *h = ctx;
    sim_keylog_append(h->node->w, kind, key);
}

/* ---- tunnel interface ---- */

/* What the sender of a packet the tunnel cannot carry hears back.
 * FreeBSD sys/dev/wg/if_wg.c wg_xmit: no peer for the destination (ENOKEY)
 * and a peer whose endpoint is neither INET nor INET6 (EHOSTUNREACH) both
 * end in xmit_err, which answers an IPv4 packet with
 * icmp_error(ICMP_UNREACH, ICMP_UNREACH_HOST). Linux
 * drivers/net/wireguard/device.c wg_xmit does the same for both (err_icmp:
 * icmp_ndo_send ICMP_DEST_UNREACH / ICMP_HOST_UNREACH). OpenBSD
 * sys/net/if_wg.c wg_output returns ENETUNREACH / EDESTADDRREQ and frees
 * the packet, and wireguard-go drops it (no peer: RoutineReadFromTUN;
 * no endpoint: SendBuffers "no known endpoint for peer"): no ICMP. */
static bool xmit_answers_icmp(const sim_wg *h, wg_drop_reason r)
{
    if (r != WG_DROP_NO_ENDPOINT && r != WG_DROP_NO_PEER_FOR_DST)
        return false;
    return h->cfg.platform == WG_PLATFORM_FREEBSD || h->cfg.platform == WG_PLATFORM_LINUX;
}

static void xmit_err_icmp(sim_wg *h, const uint8_t *pkt, size_t len, wg_drop_reason r)
{
    sim_ipv4_info ip;
    if (!sim_ipv4_parse(pkt, len, &ip))
        return;
    if (sim_events_wanted(h->node->w)) {
        char s[WG_IP_STRLEN], d[WG_IP_STRLEN];
        sim_event_log(h->node->w, SIM_EV_MODEL, h->node, h->ifp->ifindex, "wg",
                      "%s: ICMP host unreachable to %s for %s (%s; %s wg_xmit)", h->name, wg_ip_format(&ip.src, s),
                      wg_ip_format(&ip.dst, d),
                      r == WG_DROP_NO_ENDPOINT ? "its peer has no endpoint" : "no peer has it in allowed-ips",
                      h->cfg.platform == WG_PLATFORM_LINUX ? "Linux" : "if_wg.c");
    }
    sim_icmp_error(h->node, pkt, len, SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_HOST, 0);
}

/* The i-th queued packet: the first is q1, the others are in q. */
static const inner_pkt *queued(const inner_pkt *q1, const inner_pkt *q, size_t i) { return i ? &q[i - 1] : q1; }

static void flush_inner(void *arg)
{
    sim_wg *h = arg;
    /* No walk of the node: the flush follows, at the same instant, the
     * event of this node that queued the packets, which read it all. */
    sim_warm_step(h->node->w);
    sim_warm_tx_begin(h->node);
    h->flush_ev = 0;
    /* Packets queued while flushing go to the next round. */
    inner_pkt first = h->q1, *q = h->q;
    size_t nq = h->nq, capq = h->capq;
    h->q = NULL;
    h->nq = h->capq = 0;
    for (size_t i = 0; i < nq; i++) {
        const inner_pkt *ip = queued(&first, q, i);
        if (h->dev && h->node->powered) {
            wg_drop_reason r = wg_device_send_inner(h->dev, now_of(h), ip->data, ip->len);
            if (r != WG_DROP_NONE)
                sim_node_drop_ip(h->node, h->ifp->ifindex, SIM_DROP_TUNNEL, ip->data, ip->len, NULL, "%s",
                                 wg_drop_reason_name(r));
            if (xmit_answers_icmp(h, r))
                xmit_err_icmp(h, ip->data, ip->len, r);
        }
        sim_buf_put(h->node->w, ip->data, ip->len);
    }
    if (!h->q) {
        /* Nothing queued meanwhile: keep the array for the next packet
         * rather than allocating one per flush. */
        h->q = q;
        h->capq = capq;
    } else {
        free(q);
    }
    rearm(h);
    sim_warm_end();
}

static void tunnel_out(void *ctx, sim_iface *ifp, const uint8_t *pkt, size_t len)
{
    (void)ifp;
    sim_wg *h = ctx;
    inner_pkt *ip = &h->q1;
    if (h->nq) {
        size_t k = h->nq - 1;
        VEC_GROW(h->q, k, h->capq);
        ip = &h->q[k];
    }
    h->nq++;
    /* from the world's pool: it lives until flush_inner, the next event */
    ip->data = sim_buf_get(h->node->w, len, "queueing a packet for the tunnel");
    memcpy(ip->data, pkt, len);
    ip->len = len;
    if (!h->flush_ev)
        h->flush_ev = sim_schedule_in(h->node->w->eng, 0, flush_inner, h);
}

static void drop_queue(sim_wg *h)
{
    for (size_t i = 0; i < h->nq; i++) {
        const inner_pkt *ip = queued(&h->q1, h->q, i);
        sim_buf_put(h->node->w, ip->data, ip->len);
    }
    free(h->q);
    h->q = NULL;
    h->nq = h->capq = 0;
    sim_cancel(h->node->w->eng, h->flush_ev);
    h->flush_ev = 0;
}

static void on_udp(void *ctx, sim_udp_sock *s, const sim_udp_rx *rx, const uint8_t *data, size_t len)
{
    (void)s;
    sim_wg *h = ctx;
    if (!h->dev)
        return;
    wg_source local = {.addr = rx->dst, .ifindex = rx->ifindex};
    wg_endpoint remote = {.ip = rx->src, .port = rx->sport};
    h->rx_cur = rx;
    wg_device_receive(h->dev, now_of(h), &local, &remote, data, len);
    h->rx_cur = NULL;
    rearm(h);
}

static void on_routes(void *ctx, sim_node *n)
{
    (void)n;
    sim_wg *h = ctx;
    if (!h->dev || !h->node->powered)
        return;
    wg_device_routes_changed(h->dev, now_of(h));
    rearm(h);
}

static bool add_to_device(sim_wg *h, const peer_cfg *p, int *id_out)
{
    int id = wg_device_add_peer(h->dev, &p->pc, now_of(h));
    if (id_out)
        *id_out = id;
    return id >= 0;
}

/* Stops the device's timer and queue; with `recreate`, a fresh device from
 * the configuration (peers re-added in order, so peer ids are kept):
 * sessions, learned endpoints and learned local addresses are gone. */
static void reset_device(sim_wg *h, bool recreate)
{
    sim_engine *e = h->node->w->eng;
    sim_cancel(e, h->timer);
    h->timer = 0;
    h->armed = WG_TIME_NEVER;
    drop_queue(h);
    if (!recreate)
        return;
    for (size_t i = 0; i < h->n_peers; i++)
        h->peers[i].has_learned = false;
    wg_device_free(h->dev);
    h->dev = wg_device_new(&h->cfg, &h->ops);
    if (!h->dev)
        return;
    if (h->cap_by_id)
        memset(h->by_id, 0, h->cap_by_id * sizeof *h->by_id);
    for (size_t i = 0; i < h->n_peers; i++) {
        int id = -1;
        add_to_device(h, &h->peers[i], &id);
        h->peers[i].id = id;
        index_peer(h, id, i);
    }
    if (h->up)
        wg_device_up(h->dev, now_of(h));
    h->all_dirty = true;
    rearm(h);
}

static void on_power(void *ctx, sim_node *n, bool on)
{
    (void)n;
    /* Power on is a reboot: a fresh device from the configuration, up (an
     * `ifconfig down` does not survive a reboot; the new device is created
     * up, and h->up must say so for sim_wg_is_up). */
    sim_wg *h = ctx;
    if (on)
        h->up = true;
    reset_device(h, on);
}

void sim_wg_restart(sim_wg *h)
{
    h->up = true; /* a restarted service brings its interfaces up */
    if (!h->node->powered)
        return;   /* it will be recreated at power-on anyway */
    reset_device(h, true);
    /* the restart stops and starts pfSense's WireGuard daemon too */
    if (h->node->wg_service)
        sim_wg_service_restarted(h->node->wg_service);
}

sim_wg *sim_wg_new(sim_node *n, const char *ifname, const wg_device_config *cfg, const wg_prefix *tunnel_addr)
{
    if (!ifname || !*ifname || !cfg || sim_node_iface(n, ifname))
        return NULL;
    sim_wg *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->node = n;
    h->name = strdup(ifname);
    if (!h->name) {
        free(h);
        return NULL;
    }
    h->cfg = *cfg;
    h->armed = WG_TIME_NEVER;
    h->ops = (wg_host_ops){
        .ctx = h,
        .send = cb_send,
        .deliver = cb_deliver,
        .random_bytes = cb_random,
        .wall_ns = cb_wall,
        .addr_is_local = cb_addr_is_local,
        .route_lookup = cb_route_lookup,
        .event = cb_event,
        .keylog = cb_keylog,
    };
    if (sim_udp_bind(n, NULL, cfg->listen_port, on_udp, h, &h->sock) != SIM_OK) {
        free(h->name);
        free(h);
        return NULL;
    }
    h->dev = wg_device_new(&h->cfg, &h->ops);
    if (!h->dev) {
        sim_udp_close(h->sock);
        free(h->name);
        free(h);
        return NULL;
    }
    sim_iface *ifp = sim_iface_new(n, ifname, NULL);
    if (!ifp) {
        wg_device_free(h->dev);
        sim_udp_close(h->sock);
        free(h->name);
        free(h);
        return NULL;
    }
    ifp->kind = SIM_IFACE_TUNNEL;
    ifp->mtu = WG_TUNNEL_MTU;
    ifp->tunnel_out = tunnel_out;
    ifp->tunnel_ctx = h;
    h->ifp = ifp;
    VEC_GROW(n->wgs, n->n_wgs, n->cap_wgs);
    n->wgs[n->n_wgs++] = h;
    if (tunnel_addr)
        sim_iface_add_addr(ifp, tunnel_addr, false, 0, SIM_ADDR_NOGARP);
    sim_node_add_power_listener(n, on_power, h);
    sim_node_add_route_listener(n, on_routes, h);
    h->up = true;
    wg_device_up(h->dev, now_of(h));
    h->all_dirty = true;
    rearm(h);
    return h;
}

void sim_wg_free(sim_wg *h)
{
    if (!h)
        return;
    sim_cancel(h->node->w->eng, h->timer);
    drop_queue(h);
    wg_device_free(h->dev);
    for (size_t i = 0; i < h->n_peers; i++)
        free(h->peers[i].ips);
    free(h->peers);
    free(h->by_id);
    free(h->dirty);
    free(h->name);
    free(h);
}

int sim_wg_add_peer(sim_wg *h, const wg_peer_config *pc, bool install_routes)
{
    if (!pc || (pc->n_allowed_ips && !pc->allowed_ips))
        return -1;
    VEC_GROW(h->peers, h->n_peers, h->cap_peers);
    peer_cfg *p = &h->peers[h->n_peers];
    p->pc = *pc;
    p->ips = NULL;
    if (pc->n_allowed_ips) {
        p->ips = malloc(pc->n_allowed_ips * sizeof *p->ips);
        if (!p->ips)
            return -1;
        memcpy(p->ips, pc->allowed_ips, pc->n_allowed_ips * sizeof *p->ips);
    }
    p->pc.allowed_ips = p->ips;
    int id = -1;
    if (!add_to_device(h, p, &id)) {
        free(p->ips);
        return -1;
    }
    index_peer(h, id, h->n_peers);
    p->id = id;
    h->n_peers++;
    if (install_routes) {
        for (size_t i = 0; i < pc->n_allowed_ips; i++) {
            const wg_prefix *a = &pc->allowed_ips[i];
            if (a->ip.family != 4 || a->len == 0)
                continue; /* wg-quick handles a default route with policy rules */
            sim_route r = {0};
            r.dst = *a;
            r.ifindex = h->ifp->ifindex;
            r.origin = SIM_RT_TUNNEL;
            snprintf(r.tag, sizeof r.tag, "%s", h->name);
            if (!sim_node_route_find(h->node, &r.dst))
                sim_route_add(h->node, &r);
        }
    }
    h->all_dirty = true;
    rearm(h);
    return id;
}

wg_device *sim_wg_device(sim_wg *h) { return h->dev; }
sim_iface *sim_wg_iface(sim_wg *h) { return h->ifp; }
sim_node *sim_wg_node(sim_wg *h) { return h->node; }

sim_wg *sim_node_wg(const sim_node *n, const char *ifname)
{
    for (size_t i = 0; i < n->n_wgs; i++)
        if (strcmp(n->wgs[i]->name, ifname) == 0)
            return n->wgs[i];
    return NULL;
}

void sim_wg_changed(sim_wg *h)
{
    h->all_dirty = true;
    rearm(h);
}

void sim_wg_up(sim_wg *h)
{
    h->up = true;
    if (h->dev && h->node->powered)
        wg_device_up(h->dev, now_of(h));
    h->all_dirty = true;
    rearm(h);
}

bool sim_wg_is_up(const sim_wg *h) { return h->up; }

void sim_wg_down(sim_wg *h)
{
    h->up = false;
    if (h->dev && h->node->powered)
        wg_device_down(h->dev, now_of(h));
    h->all_dirty = true;
    rearm(h);
}

bool sim_wg_set_endpoint(sim_wg *h, int peer_id, const wg_endpoint *ep)
{
    if (!h->dev)
        return false;
    bool ok = wg_device_set_endpoint(h->dev, peer_id, ep, now_of(h));
    peer_cfg *p = peer_of(h, peer_id);
    if (ok && p) {
        /* Keep the configuration for a reboot in step. */
        p->pc.has_endpoint = true;
        p->pc.endpoint = *ep;
    }
    h->all_dirty = true;
    rearm(h);
    return ok;
}

bool sim_wg_remove_endpoint(sim_wg *h, int peer_id)
{
    if (!h->dev)
        return false;
    bool ok = wg_device_remove_endpoint(h->dev, peer_id, now_of(h));
    peer_cfg *p = peer_of(h, peer_id);
    if (ok && p)
        p->pc.has_endpoint = false;
    h->all_dirty = true;
    rearm(h);
    return ok;
}

bool sim_wg_configured_endpoint(const sim_wg *h, int peer_id, wg_endpoint *out)
{
    const peer_cfg *p = peer_of((sim_wg *)h, peer_id); /* peer_of only reads */
    if (!p || !p->pc.has_endpoint)
        return false;
    *out = p->pc.endpoint;
    return true;
}

size_t sim_wg_reapply_endpoints(sim_wg *h, bool dry_run)
{
    if (!h->dev || !h->node->powered)
        return 0;
    size_t changed = 0;
    for (size_t i = 0; i < h->n_peers; i++) {
        const peer_cfg *p = &h->peers[i];
        wg_peer_info pi;
        if (!p->pc.has_endpoint || !wg_device_peer_info(h->dev, p->id, &pi))
            continue; /* wg(8) refuses an empty endpoint: nothing is set */
        if (!pi.has_endpoint || !wg_endpoint_eq(&pi.endpoint, &p->pc.endpoint))
            changed++;
        if (!dry_run)
            wg_device_set_endpoint(h->dev, p->id, &p->pc.endpoint, now_of(h));
    }
    if (!dry_run) {
        h->all_dirty = true;
        rearm(h);
    }
    return changed;
}

uint64_t sim_wg_send_errors(const sim_wg *h, wg_send_result r)
{
    return (unsigned)r <= WG_SEND_EINVAL ? h->send_errs[r] : 0;
}

bool sim_wg_first_initiation(const sim_wg *h, uint8_t out[WG_INITIATION_LEN])
{
    if (!h || !h->has_first_init)
        return false;
    memcpy(out, h->first_init, WG_INITIATION_LEN);
    return true;
}
