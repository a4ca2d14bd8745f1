/*
 * udp.c — UDP (RFC 768) sockets: bind, sendto with the FreeBSD source
 * rules, checksum verification on receive, demultiplexing (exact local
 * address before wildcard, in_pcblookup) and port unreachable.
 *
 * Sources (../shared/reference/ha-model.md §4; wg-sourcing.md):
 *  - explicit source = IP_SENDSRCADDR: in_pcbbind_setup refuses an
 *    address configured on no interface with EADDRNOTAVAIL; the outgoing
 *    interface still comes from the destination route (udp_output);
 *  - bound socket: its address; unbound: in_pcbladdr (route's ifa);
 *  - forced interface (wireguard-go on Linux, IP_PKTINFO with ifindex):
 *    the source must be local, else the send fails with "network is
 *    unreachable" as observed with a real wireguard-go.
 * bind() conflicts: same port and equal addresses or either wildcard
 * (no SO_REUSEADDR/SO_REUSEPORT model).
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

#define PORT_FIRST 10000 /* net.inet.ip.portrange.first */
#define PORT_LAST 65535  /* net.inet.ip.portrange.last */


static bool conflicts(const sim_node *n, const wg_ip *addr, uint16_t port)
{
    for (size_t i = 0; i < n->n_socks; i++) {
        const sim_udp_sock *s = n->socks[i];
        if (s->port != port)
            continue;
        if (!s->addr.family || !addr->family || wg_ip_eq(&s->addr, addr))
            return true;
    }
    return false;
}

sim_err sim_udp_bind(sim_node *n, const wg_ip *addr, uint16_t port, sim_udp_recv_fn fn, void *ctx,
                     sim_udp_sock **out)
{
    wg_ip a = {0};
    if (addr && addr->family) {
        if (addr->family != 4)
            return SIM_EINVAL;
        if (!sim_node_find_addr(n, addr, NULL))
            return SIM_EADDRNOTAVAIL;
        a = *addr;
    }
    if (port == 0) {
        /* in_pcb_lport: random start in the range, then upward. */
        uint32_t span = PORT_LAST - PORT_FIRST + 1;
        uint32_t start = (uint32_t)sim_rng_below(&n->rng, span);
        uint32_t k;
        for (k = 0; k < span; k++) {
            uint16_t cand = (uint16_t)(PORT_FIRST + (start + k) % span);
            if (!conflicts(n, &a, cand)) {
                port = cand;
                break;
            }
        }
        if (k == span)
            return SIM_EADDRINUSE;
    } else if (conflicts(n, &a, port)) {
        return SIM_EADDRINUSE;
    }
    sim_udp_sock *s = calloc(1, sizeof *s);
    if (!s)
        return SIM_ENOMEM;
    s->node = n;
    s->addr = a;
    s->port = port;
    s->fn = fn;
    s->ctx = ctx;
    VEC_GROW(n->socks, n->n_socks, n->cap_socks);
    n->socks[n->n_socks++] = s;
    if (out)
        *out = s;
    return SIM_OK;
}

void sim_udp_close(sim_udp_sock *s)
{
    if (!s)
        return;
    sim_node *n = s->node;
    for (size_t i = 0; i < n->n_socks; i++)
        if (n->socks[i] == s) {
            memmove(&n->socks[i], &n->socks[i + 1], (n->n_socks - i - 1) * sizeof *n->socks);
            n->n_socks--;
            break;
        }
    free(s);
}

void sim_udp_close_all(sim_node *n)
{
    while (n->n_socks)
        sim_udp_close(n->socks[n->n_socks - 1]);
}

uint16_t sim_udp_port(const sim_udp_sock *s) { return s->port; }
sim_node *sim_udp_node(const sim_udp_sock *s) { return s->node; }

sim_err sim_udp_sendto(sim_udp_sock *s, const sim_udp_send_opts *o, const wg_ip *dst, uint16_t dport,
                       const uint8_t *data, size_t len)
{
    sim_node *n = s->node;
    if (!n->powered)
        return SIM_ENETDOWN;
    if (!dst || dst->family != 4 || dport == 0)
        return SIM_EINVAL;
    if (UDP_HDR_LEN + len + IPV4_HDR_LEN > 65535)
        return SIM_EMSGSIZE;
    sim_ip_send_opts io = {0};
    if (o) {
        io.ifindex = o->ifindex;
        io.ttl = o->ttl;
        io.df = o->df;
        io.wg_reason = o->wg_reason;
        io.learned = o->learned;
    }
    if (o && o->src.family) {
        io.src = o->src;
        io.src_kind = SIM_SRC_EXPLICIT;
        if (o->ifindex && !sim_node_find_addr(n, &o->src, NULL))
            return SIM_ENETUNREACH;
    } else if (s->addr.family) {
        io.src = s->addr;
        io.src_kind = SIM_SRC_BOUND;
    }
    sim_pkt p = {0};
    wg_ip src;
    sim_err e = sim_ipv4_select(n, dst, &io, &src, &p);
    if (e)
        return e;
    size_t ulen = UDP_HDR_LEN + len;
    if (o && o->pmtudisc) {
        /* Linux IP_PMTUDISC_WANT (__ip_make_skb, ip_dont_fragment): DF
         * when the datagram fits the path MTU, else fragments of it. */
        sim_iface *ifp = p.out_ifindex ? sim_node_iface_by_index(n, p.out_ifindex) : NULL;
        uint32_t pmtu = ifp ? sim_iface_mtu(ifp) : 0, learnt = sim_node_path_mtu(n, dst);
        if (learnt && (!pmtu || learnt < pmtu))
            pmtu = learnt;
        io.df = !pmtu || IPV4_HDR_LEN + ulen <= pmtu;
        if (!io.df)
            p.frag_mtu = pmtu;
    }
    /* the datagram is built in place behind the room for the IP header */
    uint8_t stack[SIM_SCRATCH_LEN];
    p.len = IPV4_HDR_LEN + ulen;
    p.data = sim_scratch_get(stack, p.len, "building a UDP datagram");
    uint8_t *u = p.data + IPV4_HDR_LEN;
    sim_wr16(u, s->port);
    sim_wr16(u + 2, dport);
    sim_wr16(u + 4, (uint16_t)ulen);
    sim_wr16(u + 6, 0);
    memcpy(u + UDP_HDR_LEN, data, len);
    uint16_t c = sim_l4_checksum(&src, dst, SIM_IPPROTO_UDP, u, ulen);
    sim_wr16(u + 6, c ? c : 0xffff);
    sim_ipv4_header(n, p.data, SIM_IPPROTO_UDP, &src, dst, io.ttl, 0, io.df, p.len);
    e = sim_ipv4_output(n, &p, NULL);
    sim_scratch_put(p.data, stack);
    return e;
}

void sim_udp_input(sim_node *n, sim_iface *in, const uint8_t *pkt, size_t len, const sim_ipv4_info *ip)
{
    (void)len;
    uint32_t ifindex = in ? in->ifindex : 0;
    const uint8_t *u = pkt + ip->hdr_len;
    size_t l4len = (size_t)(ip->total_len - ip->hdr_len);
    if (l4len < UDP_HDR_LEN) {
        sim_node_drop_ip(n, ifindex, SIM_DROP_MALFORMED, pkt, ip->total_len, NULL, "short UDP header");
        return;
    }
    size_t ulen = sim_rd16(u + 4);
    if (ulen < UDP_HDR_LEN || ulen > l4len) {
        sim_node_drop_ip(n, ifindex, SIM_DROP_MALFORMED, pkt, ip->total_len, NULL, "UDP length %zu in %zu bytes", ulen,
                         l4len);
        return;
    }
    /* A zero checksum means the sender computed none (RFC 768). */
    if (sim_rd16(u + 6) != 0 && sim_l4_checksum(&ip->src, &ip->dst, SIM_IPPROTO_UDP, u, ulen) != 0) {
        sim_node_drop_ip(n, ifindex, SIM_DROP_BAD_UDP_CHECKSUM, pkt, ip->total_len, NULL, "UDP checksum");
        return;
    }
    uint16_t dport = sim_rd16(u + 2);
    sim_udp_sock *hit = NULL;
    for (size_t i = 0; i < n->n_socks && !hit; i++)
        if (n->socks[i]->port == dport && wg_ip_eq(&n->socks[i]->addr, &ip->dst))
            hit = n->socks[i];
    for (size_t i = 0; i < n->n_socks && !hit; i++)
        if (n->socks[i]->port == dport && !n->socks[i]->addr.family)
            hit = n->socks[i];
    if (!hit) {
        bool bcast = sim_ipv4_is_multicast(&ip->dst) || sim_ipv4_is_broadcast_for(n, &ip->dst);
        if (bcast) {
            n->drops[SIM_DROP_NO_SOCKET]++;
            return;
        }
        sim_node_drop_ip(n, ifindex, SIM_DROP_NO_SOCKET, pkt, ip->total_len, NULL, "no socket on UDP port %u", dport);
        sim_icmp_error(n, pkt, ip->total_len, SIM_ICMP_UNREACH, SIM_ICMP_UNREACH_PORT, 0);
        return;
    }
    sim_udp_rx rx = {
        .src = ip->src, .sport = sim_rd16(u), .dst = ip->dst, .dport = dport, .ifindex = ifindex, .ttl = ip->ttl};
    if (hit->fn)
        hit->fn(hit->ctx, hit, &rx, u + UDP_HDR_LEN, ulen - UDP_HDR_LEN);
}
