/*
 * ipv4.c — IPv4 (RFC 791): header checks, local delivery, forwarding
 * with TTL decrement (RFC 1812), source and route selection for the
 * node's own packets, the hook points (pf, policy routing), MTU checks
 * and the hand-off to ARP/Ethernet or a tunnel.
 *
 * Source selection (../shared/reference/ha-model.md §4, PCB/UDP/RT/IF):
 *  - explicit source (IP_SENDSRCADDR): it must be configured on some
 *    interface of the node (CARP addresses count whatever their state),
 *    else EADDRNOTAVAIL; the interface still comes from a destination-only
 *    route lookup, the source does not steer it;
 *  - no source: the address of the route's interface (fib.c).
 *  - forced interface (wireguard-go on Linux, wg-sourcing.md): the route
 *    out of that interface, else the destination is on-link there.
 * MTU (ip_output): an over-MTU packet with DF is dropped with ICMP
 * "fragmentation needed" when forwarded (RFC 1191) and EMSGSIZE when
 * local; without DF it is fragmented (ip_frag.c), after the hooks ran on
 * the whole packet as pf runs before ip_fragment. Fragments for a local
 * address are reassembled before delivery (ip_input's "ours" path);
 * forwarded fragments stay fragments. A router answers the failures of
 * forwarding as FreeBSD's ip_forward does (see forward()).
 * IP id (sys/netinet/ip_id.c, ip_fillid): net.inet.ip.rfc6864 = 1 gives
 * atomic datagrams (DF set) id 0; the others take the next value of a
 * counter that starts at a random value (net.inet.ip.random_id = 0).
 */
#include "sim/net/net.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>


/* Version and lengths: all sim_ipv4_reparse can fail on (the fields
 * after them are read, not checked). */
static inline __attribute__((always_inline)) bool hdr_ok(const uint8_t *pkt, size_t len)
{
    if (len < IPV4_HDR_LEN || (pkt[0] >> 4) != 4)
        return false;
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    uint16_t tl = sim_rd16(pkt + 2);
    return hl >= IPV4_HDR_LEN && hl <= tl && tl <= len;
}

static inline wg_ip hdr_dst(const uint8_t *pkt) { return wg_ip4(pkt[16], pkt[17], pkt[18], pkt[19]); }

/* sim_ipv4_parse and sim_ipv4_reparse: the same checks and fields, the
 * second without the header checksum. Inlined into both, so each is the
 * straight-line function the one parse was. */
static inline __attribute__((always_inline)) bool parse(const uint8_t *pkt, size_t len, sim_ipv4_info *out,
                                                        bool verify_cksum)
{
    memset(out, 0, sizeof *out);
    if (!hdr_ok(pkt, len))
        return false;
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    uint16_t tl = sim_rd16(pkt + 2);
    if (verify_cksum && sim_inet_checksum(pkt, hl) != 0)
        return false;
    out->hdr_len = (uint16_t)hl;
    out->total_len = tl;
    out->tos = pkt[1];
    out->id = sim_rd16(pkt + 4);
    out->df = (pkt[6] & 0x40) != 0;
    out->ttl = pkt[8];
    out->proto = pkt[9];
    out->src = wg_ip4(pkt[12], pkt[13], pkt[14], pkt[15]);
    out->dst = wg_ip4(pkt[16], pkt[17], pkt[18], pkt[19]);
    const uint8_t *l4 = pkt + hl;
    size_t l4len = tl - hl;
    out->payload = l4;
    out->payload_len = l4len;
    uint16_t off = sim_rd16(pkt + 6);
    if (off & 0x3fff) { /* a fragment (rare): both 0 from the memset otherwise */
        out->frag_off = (uint16_t)((off & 0x1fff) * 8);
        out->mf = (off & 0x2000) != 0;
    }
    /* Non-first fragments carry no L4 header. */
    bool first = out->frag_off == 0;
    if (first && out->proto == SIM_IPPROTO_UDP && l4len >= UDP_HDR_LEN) {
        out->sport = sim_rd16(l4);
        out->dport = sim_rd16(l4 + 2);
        out->payload = l4 + UDP_HDR_LEN;
        out->payload_len = l4len - UDP_HDR_LEN;
    } else if (first && out->proto == SIM_IPPROTO_ICMP && l4len >= ICMP_HDR_LEN) {
        out->icmp_type = l4[0];
        out->icmp_code = l4[1];
        out->icmp_id = sim_rd16(l4 + 4);
        out->icmp_seq = sim_rd16(l4 + 6);
        out->payload = l4 + ICMP_HDR_LEN;
        out->payload_len = l4len - ICMP_HDR_LEN;
    }
    return true;
}

bool sim_ipv4_parse(const uint8_t *pkt, size_t len, sim_ipv4_info *out) { return parse(pkt, len, out, true); }

/* A packet's header checksum is verified once, where it enters a node
 * (sim_ipv4_input, sim_ipv4_tunnel_input), or computed where the node
 * builds or rewrites the header (sim_ipv4_build, forward()'s TTL,
 * sim_ipv4_rewrite / sim_ipv4_fix_checksums for NAT, reassembly). Every
 * later parse of the same bytes on the node's packet path (the hooks,
 * local delivery, output) would verify it again with the same result: a
 * ping through a tunnel verified 26 header checksums where these 4 decide
 * (docs/performance.md, "scale"). */
bool sim_ipv4_reparse(const uint8_t *pkt, size_t len, sim_ipv4_info *out) { return parse(pkt, len, out, false); }

void sim_ipv4_fix_checksums(uint8_t *pkt, size_t len)
{
    if (len < IPV4_HDR_LEN)
        return;
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    if (hl < IPV4_HDR_LEN || hl > len)
        return;
    sim_wr16(pkt + 10, 0);
    sim_wr16(pkt + 10, sim_inet_checksum(pkt, hl));
    size_t tl = sim_rd16(pkt + 2);
    if (tl > len || tl < hl || (sim_rd16(pkt + 6) & 0x1fff))
        return;
    uint8_t *l4 = pkt + hl;
    size_t l4len = tl - hl;
    wg_ip src = wg_ip4(pkt[12], pkt[13], pkt[14], pkt[15]);
    wg_ip dst = wg_ip4(pkt[16], pkt[17], pkt[18], pkt[19]);
    if (pkt[9] == SIM_IPPROTO_UDP && l4len >= UDP_HDR_LEN) {
        sim_wr16(l4 + 6, 0);
        uint16_t c = sim_l4_checksum(&src, &dst, SIM_IPPROTO_UDP, l4, l4len);
        sim_wr16(l4 + 6, c ? c : 0xffff); /* RFC 768: 0 means "no checksum" */
    } else if (pkt[9] == SIM_IPPROTO_ICMP && l4len >= ICMP_HDR_LEN) {
        sim_wr16(l4 + 2, 0);
        sim_wr16(l4 + 2, sim_inet_checksum(l4, l4len));
    }
}

void sim_ipv4_rewrite(uint8_t *pkt, size_t len, const wg_ip *src, const wg_ip *dst, int sport, int dport)
{
    if (len < IPV4_HDR_LEN)
        return;
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    if (src && src->family == 4)
        memcpy(pkt + 12, src->b, 4);
    if (dst && dst->family == 4)
        memcpy(pkt + 16, dst->b, 4);
    if (hl + 4 <= len && (pkt[9] == SIM_IPPROTO_UDP) && !(sim_rd16(pkt + 6) & 0x1fff)) {
        if (sport >= 0)
            sim_wr16(pkt + hl, (uint16_t)sport);
        if (dport >= 0)
            sim_wr16(pkt + hl + 2, (uint16_t)dport);
    }
    sim_ipv4_fix_checksums(pkt, len);
}

bool sim_ipv4_is_multicast(const wg_ip *ip) { return ip->family == 4 && (ip->b[0] & 0xf0) == 0xe0; }

/* The directed broadcast of one interface's subnets (a few addresses:
 * a scan). The node-wide question goes through the node's address index. */
static bool is_directed_broadcast(const sim_iface *ifp, const wg_ip *ip)
{
    for (size_t i = 0; i < ifp->n_addrs; i++) {
        const sim_addr *a = &ifp->addrs[i];
        if (a->plen >= 31)
            continue;
        uint32_t mask = ~UINT32_C(0) << (32 - a->plen);
        if ((wg_ip4_to_u32(&a->ip) | ~mask) == wg_ip4_to_u32(ip))
            return true;
    }
    return false;
}

static bool is_limited_broadcast(const wg_ip *ip) { return ip->family == 4 && wg_ip4_to_u32(ip) == 0xffffffffu; }

bool sim_ipv4_is_broadcast_for(const sim_node *n, const wg_ip *ip)
{
    return is_limited_broadcast(ip) || sim_node_is_directed_broadcast(n, ip);
}

void sim_ipv4_header(sim_node *n, uint8_t *p, uint8_t proto, const wg_ip *src, const wg_ip *dst, uint8_t ttl,
                     uint8_t tos, bool df, size_t tl)
{
    p[0] = 0x45;
    p[1] = tos;
    sim_wr16(p + 2, (uint16_t)tl);
    sim_wr16(p + 4, df ? 0 : n->ip_id++);
    sim_wr16(p + 6, df ? 0x4000 : 0);
    p[8] = ttl ? ttl : SIM_DEFAULT_TTL;
    p[9] = proto;
    sim_wr16(p + 10, 0);
    memcpy(p + 12, src->b, 4);
    memcpy(p + 16, dst->b, 4);
    sim_wr16(p + 10, sim_inet_checksum(p, IPV4_HDR_LEN));
}

uint8_t *sim_ipv4_build(sim_node *n, uint8_t proto, const wg_ip *src, const wg_ip *dst, uint8_t ttl, uint8_t tos,
                        bool df, const uint8_t *payload, size_t len, size_t *out_len)
{
    size_t tl = IPV4_HDR_LEN + len;
    uint8_t *p = malloc(tl);
    if (!p)
        sim_oom("building an IPv4 packet");
    sim_ipv4_header(n, p, proto, src, dst, ttl, tos, df, tl);
    memcpy(p + IPV4_HDR_LEN, payload, len);
    *out_len = tl;
    return p;
}

/* Can a packet to ip be delivered to this node without leaving it
 * (FreeBSD's loopback host routes)? CARP addresses have them only while
 * MASTER (ha-model.md §1.5): a BACKUP's packets to the VIP go on the wire. */
static bool loopback_local(const sim_node *n, const wg_ip *ip)
{
    sim_iface *ifp = NULL;
    const sim_addr *a = sim_node_find_addr(n, ip, &ifp);
    if (a && a->is_carp && n->has_l2 && n->l2.addr_is_local)
        return n->l2.addr_is_local(n->l2.ctx, ifp, a);
    return a && sim_addr_rank(n, ifp, a) > 0;
}

/* The way out in the packet's source reason: the route (prefix, gateway,
 * the interface it resolved to, origin and tag) or a forced interface. */
static void route_reason(sim_node *n, const sim_route_result *rr, sim_src_reason *r)
{
    r->ifindex = rr->ifindex;
    if (!rr->route) {
        r->path = SIM_PATH_ONLINK;
        return;
    }
    r->path = SIM_PATH_ROUTE;
    r->route_dst = rr->route->dst.ip;
    r->route_plen = rr->route->dst.len;
    r->route_gw = rr->route->gateway;
    r->route_origin = (uint8_t)rr->route->origin;
    r->route_tag = sim_route_tag_interned(n, rr->route);
}

sim_err sim_ipv4_select(sim_node *n, const wg_ip *dst, const sim_ip_send_opts *o, wg_ip *src_out, sim_pkt *p)
{
    if (!dst || dst->family != 4)
        return SIM_EINVAL;
    bool explicit_src = o && o->src.family != 0;
    if (explicit_src) {
        if (o->src.family != 4)
            return SIM_EINVAL;
        /* in_pcbbind_setup: ifa_ifwithaddr, no CARP test (ha-model.md §4). */
        if (!(o->bindany) && !sim_node_find_addr(n, &o->src, NULL))
            return SIM_EADDRNOTAVAIL;
    }
    /* p->reason is zero (both callers zero p): clearing its 216 bytes
     * again cost 40 instructions a packet. */
    p->reason.kind = (uint8_t)(explicit_src ? (o->src_kind ? o->src_kind : SIM_SRC_EXPLICIT) : SIM_SRC_ROUTE);
    p->reason.wg = (uint8_t)(o ? o->wg_reason : WG_SRC_NONE);
    p->reason.node = n->id;
    p->reason.nat_node = p->reason.rt_node = -1;
    if (o && o->learned) {
        p->reason.flags |= SIM_SRC_F_LEARNED;
        p->reason.learned = *o->learned;
    }
    p->local_origin = true;
    p->in_ifindex = 0;
    p->origin_node = n->id;
    uint32_t forced = o ? o->ifindex : 0;
    if (forced && !sim_node_iface_by_index(n, forced))
        return SIM_EINVAL;

    if (sim_ipv4_is_multicast(dst) || is_limited_broadcast(dst)) {
        /* IP_MULTICAST_IF / SO_BROADCAST style: the caller names the interface. */
        if (!forced)
            return SIM_ENETUNREACH;
        sim_iface *ifp = sim_node_iface_by_index(n, forced);
        p->out_ifindex = forced;
        p->nexthop = *dst;
        p->route = NULL;
        if (explicit_src) {
            *src_out = o->src;
        } else {
            const sim_addr *a = sim_iface_primary_addr(ifp);
            if (!a)
                return SIM_EADDRNOTAVAIL;
            *src_out = a->ip;
        }
        p->reason.path = sim_ipv4_is_multicast(dst) ? SIM_PATH_MULTICAST : SIM_PATH_BROADCAST;
        p->reason.ifindex = forced;
        return SIM_OK;
    }

    if (!forced && loopback_local(n, dst)) {
        p->out_ifindex = 0; /* loopback */
        p->nexthop = *dst;
        p->route = NULL;
        *src_out = explicit_src ? o->src : *dst;
        p->reason.path = SIM_PATH_LOOPBACK;
        return SIM_OK;
    }

    sim_route_result rr;
    bool ok = forced ? sim_fib_lookup_on(n, dst, forced, &rr) : sim_fib_lookup(n, dst, &rr);
    if (!ok)
        return SIM_ENETUNREACH;
    if (explicit_src) {
        *src_out = o->src;
    } else {
        if (!rr.src.family)
            return SIM_EADDRNOTAVAIL;
        *src_out = rr.src;
    }
    p->out_ifindex = rr.ifindex;
    p->nexthop = rr.nexthop;
    p->route = rr.route;
    route_reason(n, &rr, &p->reason);
    return SIM_OK;
}

/* ---- local delivery ---- */

static inline __attribute__((always_inline)) void deliver_whole(sim_node *n, sim_iface *in, uint8_t *pkt,
                                                                size_t len, const sim_ipv4_info *parsed);

/* parsed: pkt's header as the caller parsed it (input), or NULL (a
 * looped-back packet): parsed here. */
static void local_deliver(sim_node *n, sim_iface *in, uint8_t *pkt, size_t len, const sim_ipv4_info *parsed)
{
    if (len >= IPV4_HDR_LEN && sim_ipv4_is_fragment(pkt)) {
        /* ip_input, "ours": reassemble, then deliver the datagram. */
        size_t wlen = 0;
        uint8_t *whole = sim_ipv4_reass(n, false, in ? in->ifindex : 0, pkt, len, &wlen);
        if (whole) {
            deliver_whole(n, in, whole, wlen, NULL);
            free(whole);
        }
        return;
    }
    deliver_whole(n, in, pkt, len, parsed);
}

static inline __attribute__((always_inline)) void deliver_whole(sim_node *n, sim_iface *in, uint8_t *pkt,
                                                                size_t len, const sim_ipv4_info *parsed)
{
    sim_ipv4_info own;
    const sim_ipv4_info *ip = parsed;
    if (!ip) {
        if (!sim_ipv4_reparse(pkt, len, &own)) {
            sim_node_drop(n, in ? in->ifindex : 0, SIM_DROP_MALFORMED, "bad IPv4 header after hooks");
            return;
        }
        ip = &own;
    }
    switch (ip->proto) {
    case SIM_IPPROTO_UDP:
        sim_udp_input(n, in, pkt, len, ip);
        return;
    case SIM_IPPROTO_ICMP:
        sim_icmp_input(n, in, pkt, len, ip);
        return;
    default:
        break;
    }
    if (n->proto && n->proto[ip->proto].fn) {
        n->proto[ip->proto].fn(n->proto[ip->proto].ctx, n, in, ip, pkt + ip->hdr_len,
                               (size_t)(ip->total_len - ip->hdr_len));
        return;
    }
    /* Asked only here (two address-index lookups that UDP and ICMP, the
     * per-packet cases, do not need). */
    if (sim_ipv4_is_multicast(&ip->dst) || sim_ipv4_is_broadcast_for(n, &ip->dst)) {
        /* Multicast for a protocol this node does not run (e.g. CARP
         * adverts reaching a plain host): ignored, counted, not logged. */
        n->drops[SIM_DROP_UNKNOWN_PROTO]++;
        return;
    }
    sim_node_drop_ip(n, in ? in->ifindex : 0, SIM_DROP_UNKNOWN_PROTO, pkt, len, NULL, "no handler for protocol %u",
                     ip->proto);
    sim_icmp_error(n, pkt, len, SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_PROTO, 0);
}

typedef struct loop_pkt {
    sim_pending pend;
    sim_node *node;
    size_t len;
    uint8_t data[];
} loop_pkt;

static void loop_free(sim_pending *p) { free(p); }

static void loop_fire(void *arg)
{
    loop_pkt *lp = arg;
    sim_pending_del(&lp->pend);
    if (lp->node->powered)
        local_deliver(lp->node, NULL, lp->data, lp->len, NULL);
    free(lp);
}

/* ---- tunnel interface taps (trace/capture with a synthetic header) ---- */

static __attribute__((noinline)) void tunnel_tap_frame(sim_iface *ifp, sim_dir dir, const uint8_t *pkt, size_t len,
                                                        const sim_src_reason *reason, int origin)
{
    sim_world *w = ifp->node->w;
    sim_frame *f = sim_frame_new(w, ETH_HDR_LEN + len);
    memset(f->data, 0, 12); /* no MACs on a tunnel */
    f->data[12] = 0x08;
    f->data[13] = 0x00;
    memcpy(f->data + ETH_HDR_LEN, pkt, len);
    if (reason) {
        f->has_reason = true;
        f->reason = *reason;
    }
    f->origin_node = origin;
    sim_trace_frame(w, dir, ifp->node, ifp, NULL, f);
    sim_time now = sim_now(w->eng);
    for (size_t i = 0; i < ifp->n_caps; i++)
        sim_capture_frame(ifp->caps[i], now, f->data, f->len);
    sim_frame_free(w, f);
}

/* The test inline, the frame out of line: a run that records nothing
 * and captures nothing passes each tunnel packet with two loads. */
static inline void tunnel_tap(sim_iface *ifp, sim_dir dir, const uint8_t *pkt, size_t len, const sim_src_reason *reason,
                              int origin)
{
    if (ifp->n_caps == 0 && !sim_trace_wants(ifp->node->w, dir, ifp, NULL))
        return;
    tunnel_tap_frame(ifp, dir, pkt, len, reason, origin);
}

/* ---- output ---- */

static sim_verdict run_hooks(sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    for (size_t i = 0; i < n->n_hooks[pt]; i++) {
        sim_verdict v = n->hooks[pt][i].fn(n->hooks[pt][i].ctx, n, pt, p);
        if (v != SIM_PASS)
            return v;
    }
    return SIM_PASS;
}

static void map_multicast(const wg_ip *ip, sim_mac *m)
{
    /* RFC 1112: 01:00:5e + low 23 bits of the group. */
    m->b[0] = 0x01, m->b[1] = 0x00, m->b[2] = 0x5e;
    m->b[3] = ip->b[1] & 0x7f, m->b[4] = ip->b[2], m->b[5] = ip->b[3];
}

/* What leaves an interface once routing and the hooks are done: the
 * whole packet, or each of its fragments. Inlined into output(), so the
 * path of a packet that fits costs what it did before fragmentation was
 * modelled; the fragments' path is out of line (output_fragments). */
static inline __attribute__((always_inline)) sim_err transmit(sim_iface *ifp, sim_pkt *p, const sim_mac *src_mac, int origin, bool fwd,
                               const wg_ip *dst, const uint8_t *data, size_t len)
{
    if (ifp->kind == SIM_IFACE_TUNNEL) {
        tunnel_tap(ifp, SIM_DIR_OUT, data, len, &p->reason, origin);
        if (ifp->tunnel_out)
            ifp->tunnel_out(ifp->tunnel_ctx, ifp, data, len);
        return SIM_OK;
    }
    if (sim_ipv4_is_multicast(dst)) {
        sim_mac m;
        map_multicast(dst, &m);
        return sim_ether_output(ifp, &m, src_mac, ETHERTYPE_IPV4, data, len, &p->reason, origin);
    }
    if (is_limited_broadcast(dst) || is_directed_broadcast(ifp, dst))
        return sim_ether_output(ifp, &sim_mac_broadcast, src_mac, ETHERTYPE_IPV4, data, len, &p->reason, origin);
    bool is_gw = !wg_ip_eq(&p->nexthop, dst);
    return sim_arp_resolve_send(ifp, &p->nexthop, is_gw, data, len, src_mac, &p->reason, origin, fwd);
}

typedef struct tx_ctx {
    sim_iface *ifp;
    sim_pkt *p;
    const sim_mac *src_mac;
    int origin;
    bool fwd;
    wg_ip dst;
    unsigned frags; /* fragments sent */
} tx_ctx;

static sim_err transmit_frag(void *ctx, const uint8_t *frag, size_t len)
{
    tx_ctx *t = ctx;
    t->frags++;
    return transmit(t->ifp, t->p, t->src_mac, t->origin, t->fwd, &t->dst, frag, len);
}

/* ip_output's "too big" branch without DF: ip_fragment, then each
 * fragment goes out as a packet would. */
static __attribute__((noinline)) sim_err output_fragments(sim_node *n, sim_iface *ifp, sim_pkt *p,
                                                          const sim_mac *src_mac, int origin, bool fwd,
                                                          const wg_ip *dst, uint32_t mtu)
{
    tx_ctx tx = {ifp, p, src_mac, origin, fwd, *dst, 0};
    sim_err e = sim_ipv4_fragment(p->data, p->len, mtu, transmit_frag, &tx);
    if (tx.frags)
        sim_ipv4_frag_event(n, ifp->ifindex, p->data, p->len, "fragmented", tx.frags, mtu);
    if (e == SIM_EMSGSIZE)
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_FRAG_UNSUPPORTED, p->data, p->len, NULL,
                         "%zu bytes > mtu %u of %s/%s: no room for 8 bytes of data per fragment", p->len, mtu,
                         n->name, ifp->name);
    return e;
}

/* The output path of local and forwarded packets. Errors are returned,
 * never answered with ICMP here: for a forwarded packet forward() sends
 * the error from its copy of the packet as received, as FreeBSD's
 * ip_forward does from mcopy. *needfrag_mtu (may be NULL) receives the
 * outgoing MTU when an over-MTU packet with DF was dropped. */
static sim_err output(sim_node *n, sim_pkt *p, const sim_mac *src_mac, uint32_t *needfrag_mtu)
{
    if (!n->powered) {
        n->drops[SIM_DROP_POWERED_OFF]++;
        return SIM_ENETDOWN;
    }
    bool fwd = !p->local_origin;
    sim_verdict v = run_hooks(n, SIM_HOOK_ROUTE, p);
    if (v == SIM_STOLEN)
        return SIM_OK;
    if (v == SIM_DROP) {
        sim_node_drop_ip(n, p->in_ifindex, SIM_DROP_FILTER, p->data, p->len, p->drop_rule, "route hook%s%s",
                         p->drop_note ? ": " : "", p->drop_note ? p->drop_note : "");
        return SIM_EPERM;
    }
    /* Of the header output() reads the destination and DF only: the
     * checks of sim_ipv4_reparse without its parse of every field. */
    if (!hdr_ok(p->data, p->len)) {
        sim_node_drop_ip(n, p->in_ifindex, SIM_DROP_MALFORMED, p->data, p->len, NULL, "bad IPv4 packet on output");
        return SIM_EINVAL;
    }
    wg_ip dst = hdr_dst(p->data);
    if (p->out_ifindex == 0 && p->local_origin && loopback_local(n, &dst)) {
        loop_pkt *lp = malloc(sizeof *lp + p->len);
        if (!lp)
            sim_oom("looping a packet back to its node");
        lp->node = n;
        lp->len = p->len;
        memcpy(lp->data, p->data, p->len);
        sim_pending_add(n->w, &lp->pend, loop_free);
        sim_schedule_in(n->w->eng, 0, loop_fire, lp);
        return SIM_OK;
    }
    if (p->out_ifindex == 0) {
        sim_route_result rr;
        if (!sim_fib_lookup(n, &dst, &rr)) {
            char b[WG_IP_STRLEN];
            sim_node_drop_ip(n, p->in_ifindex, SIM_DROP_NO_ROUTE, p->data, p->len, NULL, "no route to %s",
                             wg_ip_format(&dst, b));
            return SIM_ENETUNREACH;
        }
        p->out_ifindex = rr.ifindex;
        p->nexthop = rr.nexthop;
        p->route = rr.route;
    }
    if (fwd) {
        v = run_hooks(n, SIM_HOOK_FORWARD, p);
        if (v == SIM_STOLEN)
            return SIM_OK;
        if (v == SIM_DROP) {
            sim_node_drop_ip(n, p->in_ifindex, SIM_DROP_FILTER, p->data, p->len, p->drop_rule, "forward hook%s%s",
                             p->drop_note ? ": " : "", p->drop_note ? p->drop_note : "");
            return SIM_EPERM;
        }
    }
    v = run_hooks(n, SIM_HOOK_OUT, p);
    if (v == SIM_STOLEN)
        return SIM_OK;
    if (v == SIM_DROP) {
        sim_node_drop_ip(n, p->out_ifindex, SIM_DROP_FILTER, p->data, p->len, p->drop_rule, "out hook%s%s",
                         p->drop_note ? ": " : "", p->drop_note ? p->drop_note : "");
        return SIM_EPERM;
    }
    /* Hooks may have rewritten addresses (NAT): check and read again. */
    if (!hdr_ok(p->data, p->len)) {
        sim_node_drop_ip(n, p->out_ifindex, SIM_DROP_MALFORMED, p->data, p->len, NULL, "hook left a bad IPv4 packet");
        return SIM_EINVAL;
    }
    dst = hdr_dst(p->data);
    sim_iface *ifp = sim_iface_at(n, p->out_ifindex);
    if (!ifp)
        return SIM_EINVAL;
    uint32_t mtu = sim_iface_mtu_inline(ifp);
    if (p->frag_mtu && p->frag_mtu < mtu)
        mtu = p->frag_mtu; /* a Linux sender's learnt path MTU */
    int origin = p->local_origin ? n->id : p->origin_node;
    if (p->len <= mtu)
        return transmit(ifp, p, src_mac, origin, fwd, &dst, p->data, p->len);
    if (p->data[6] & 0x40) { /* DF */
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_NEEDS_FRAG, p->data, p->len, NULL,
                         "%zu bytes > mtu %u of %s/%s with DF", p->len, mtu, n->name, ifp->name);
        if (needfrag_mtu)
            *needfrag_mtu = mtu;
        return SIM_EMSGSIZE;
    }
    return output_fragments(n, ifp, p, src_mac, origin, fwd, &dst, mtu);
}

sim_err sim_ipv4_output(sim_node *n, sim_pkt *p, const sim_mac *src_mac) { return output(n, p, src_mac, NULL); }

sim_err sim_ip_send(sim_node *n, uint8_t proto, const wg_ip *dst, const uint8_t *payload, size_t len,
                    const sim_ip_send_opts *o)
{
    if (!n->powered)
        return SIM_ENETDOWN;
    sim_pkt p = {0};
    wg_ip src;
    sim_err e = sim_ipv4_select(n, dst, o, &src, &p);
    if (e)
        return e;
    if (IPV4_HDR_LEN + len > 65535)
        return SIM_EMSGSIZE;
    uint8_t stack[SIM_SCRATCH_LEN];
    p.len = IPV4_HDR_LEN + len;
    p.data = sim_scratch_get(stack, p.len, "building an IPv4 packet");
    memcpy(p.data + IPV4_HDR_LEN, payload, len);
    sim_ipv4_header(n, p.data, proto, &src, dst, o ? o->ttl : 0, o ? o->tos : 0, o ? o->df : false, p.len);
    e = sim_ipv4_output(n, &p, o ? o->src_mac : NULL);
    sim_scratch_put(p.data, stack);
    return e;
}

/* ---- input ---- */

static void forward(sim_node *n, sim_pkt *p, const sim_ipv4_info *ip)
{
    if (sim_ipv4_is_multicast(&ip->dst) || sim_ipv4_is_broadcast_for(n, &ip->dst) ||
        sim_ipv4_is_multicast(&ip->src) || is_limited_broadcast(&ip->src))
        return; /* never forwarded (RFC 1812 5.3.4/5.3.5); nothing to log */
    if (ip->ttl <= 1) {
        char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
        (void)b1, (void)b2;
        sim_node_drop_ip(n, p->in_ifindex, SIM_DROP_TTL_EXCEEDED, p->data, p->len, NULL, "ttl %u", ip->ttl);
        sim_icmp_error(n, p->data, p->len, SIM_ICMP_TIME_EXCEEDED, 0, 0);
        return;
    }
    /* FreeBSD ip_forward (sys/netinet/ip_input.c) copies the header and the
     * first bytes (mcopy) before decrementing the TTL and before
     * ip_output runs the pfil hooks (NAT), and answers ip_output's errors
     * from that copy: the ICMP error quotes the packet as received and
     * goes to its real source. icmp_error quotes at most 8 bytes past the
     * header, so that much is kept. */
    size_t hl = (size_t)(p->data[0] & 0xf) * 4;
    size_t keep = hl + 8 < p->len ? hl + 8 : p->len;
    uint8_t orig[60 + 8];
    memcpy(orig, p->data, keep);
    p->data[8]--;
    sim_wr16(p->data + 10, 0);
    sim_wr16(p->data + 10, sim_inet_checksum(p->data, hl));
    p->out_ifindex = 0;
    p->route = NULL;
    uint32_t mtu = 0;
    sim_err e = output(n, p, NULL, &mtu);
    /* ip_forward's mapping of ip_output errors to ICMP: EMSGSIZE ->
     * fragmentation needed with the MTU; no route and every other error
     * (ARP giving up after maxtries: EHOSTDOWN/EHOSTUNREACH) -> host
     * unreachable (FreeBSD sends host, not net, unreachable, also for a
     * missing route); a filter's refusal (EACCES there, SIM_EPERM here)
     * -> nothing. Over-MTU without DF was fragmented; EMSGSIZE then
     * means the MTU left no room to fragment, which ip_forward answers
     * with nothing (no MTU to report). */
    switch (e) {
    case SIM_OK:
    case SIM_EPERM:
    case SIM_EINVAL:
    case SIM_ENOMEM:
        break;
    case SIM_EMSGSIZE:
        if (mtu)
            sim_icmp_error(n, orig, keep, SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_NEEDFRAG, (uint16_t)mtu);
        break;
    default:
        sim_icmp_error(n, orig, keep, SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_HOST, 0);
        break;
    }
}

static inline __attribute__((always_inline)) void input_pkt(sim_node *n, sim_iface *ifp, uint8_t *data, size_t len,
                                                            const sim_frame *f);

static void input_common(sim_node *n, sim_iface *ifp, uint8_t *data, size_t len, const sim_frame *f)
{
    if (!n->scrub_reass || !sim_ipv4_is_fragment(data)) {
        input_pkt(n, ifp, data, len, f);
        return;
    }
    /* pf's "scrub in ... fragment reassemble" (pf_normalize_ip ->
     * pf_reassemble) holds fragments before the filter and passes the
     * reassembled datagram on, so the rules, states, NAT and forwarding
     * see whole datagrams; ip_output fragments it again where it does
     * not fit. */
    size_t wlen = 0;
    uint8_t *whole = sim_ipv4_reass(n, true, ifp->ifindex, data, len, &wlen);
    if (whole) {
        input_pkt(n, ifp, whole, wlen, f);
        free(whole);
    }
}

static inline __attribute__((always_inline)) void input_pkt(sim_node *n, sim_iface *ifp, uint8_t *data, size_t len,
                                                            const sim_frame *f)
{
    /* Cleared around the reason, which is copied from the frame or set
     * below: zeroing its 216 bytes first cost 27 stores a packet. */
    _Static_assert(offsetof(sim_pkt, origin_node) == offsetof(sim_pkt, reason) + sizeof(sim_src_reason),
                   "origin_node follows the reason");
    sim_pkt p;
    memset(&p, 0, offsetof(sim_pkt, reason));
    memset(&p.origin_node, 0, sizeof p - offsetof(sim_pkt, origin_node));
    p.data = data;
    p.len = len;
    p.in_ifindex = ifp->ifindex;
    p.local_origin = false;
    if (f && f->has_reason) {
        p.reason = f->reason;
    } else {
        memset(&p.reason, 0, sizeof p.reason);
        p.reason.kind = SIM_SRC_FORWARDED;
        p.reason.node = p.reason.nat_node = p.reason.rt_node = -1;
    }
    p.origin_node = f ? f->origin_node : -1;
    /* Parsed once, before the IN hooks: pf reads p.ip instead of parsing
     * the packet again, and the parse stands after the hooks unless one
     * rewrote the packet (and cleared p.ip). */
    sim_ipv4_info ip;
    p.ip = sim_ipv4_reparse(data, len, &ip) ? &ip : NULL;
    sim_verdict v = run_hooks(n, SIM_HOOK_IN, &p);
    if (v == SIM_STOLEN)
        return;
    if (v == SIM_DROP) {
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_FILTER, p.data, p.len, p.drop_rule, "in hook%s%s",
                         p.drop_note ? ": " : "", p.drop_note ? p.drop_note : "");
        return;
    }
    if (!(p.ip == &ip && p.data == data && p.len == len) && !sim_ipv4_reparse(p.data, p.len, &ip)) {
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_MALFORMED, p.data, p.len, NULL, "in hook left a bad IPv4 packet");
        return;
    }
    p.ip = NULL; /* for the IN hooks only: forward() rewrites the TTL */
    /* Weak host model (FreeBSD): any local address on any interface; CARP
     * addresses too, whatever their state (ip_input has no CARP check). */
    if (sim_node_is_local(n, &ip.dst) || sim_ipv4_is_multicast(&ip.dst) || is_limited_broadcast(&ip.dst) ||
        is_directed_broadcast(ifp, &ip.dst)) {
        local_deliver(n, ifp, p.data, p.len, &ip);
        return;
    }
    if (!n->forwarding) {
        char b[WG_IP_STRLEN];
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_NOT_FORWARDING, p.data, p.len, NULL, "not for %s, not forwarding",
                         wg_ip_format(&ip.dst, b));
        return;
    }
    /* Forwarded packets keep the sender's source reason; the packet is now
     * another node's: origin stays with the frame (trace origin_node). */
    forward(n, &p, &ip);
}

void sim_ipv4_input(sim_iface *ifp, const uint8_t *pkt, size_t len, const sim_frame *f)
{
    sim_node *n = ifp->node;
    /* What sim_ipv4_parse could fail on, each with its own drop reason;
     * the fields are parsed after the IN hooks (input_pkt). */
    if (len < IPV4_HDR_LEN || (pkt[0] >> 4) != 4) {
        sim_node_drop(n, ifp->ifindex, SIM_DROP_MALFORMED, "not IPv4");
        return;
    }
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    size_t tl = sim_rd16(pkt + 2);
    if (hl < IPV4_HDR_LEN || hl > tl || tl > len) {
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_MALFORMED, pkt, len, NULL,
                         "bad IPv4 lengths (hl %zu, total %zu, frame %zu)", hl, tl, len);
        return;
    }
    if (sim_inet_checksum(pkt, hl) != 0) {
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_BAD_IP_CHECKSUM, pkt, len, NULL, "IPv4 header checksum");
        return;
    }
    /* Ethernet padding beyond the IP total length is trimmed. A copy: the
     * frame is shared by its receivers and the hooks rewrite (NAT). */
    uint8_t stack[SIM_SCRATCH_LEN];
    uint8_t *copy = sim_scratch_get(stack, tl, "receiving an IPv4 packet");
    memcpy(copy, pkt, tl);
    input_common(n, ifp, copy, tl, f);
    sim_scratch_put(copy, stack);
}

void sim_ipv4_tunnel_input(sim_iface *ifp, const uint8_t *pkt, size_t len)
{
    sim_node *n = ifp->node;
    sim_ipv4_info ip;
    if (!sim_ipv4_parse(pkt, len, &ip)) {
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_MALFORMED, pkt, len, NULL, "bad inner IPv4 packet from the tunnel");
        return;
    }
    tunnel_tap(ifp, SIM_DIR_IN, pkt, ip.total_len, NULL, -1);
    uint8_t stack[SIM_SCRATCH_LEN];
    uint8_t *copy = sim_scratch_get(stack, ip.total_len, "receiving an IPv4 packet");
    memcpy(copy, pkt, ip.total_len);
    input_common(n, ifp, copy, ip.total_len, NULL);
    sim_scratch_put(copy, stack);
}
