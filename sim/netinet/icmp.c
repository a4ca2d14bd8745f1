/*
 * icmp.c — ICMP (RFC 792): echo replies, errors (destination
 * unreachable, time exceeded, fragmentation needed with the next-hop MTU
 * of RFC 1191) and delivery of received messages to listeners (ping,
 * gateway monitors).
 *
 * FreeBSD rules (sys/netinet/ip_icmp.c):
 *  - icmp_error: never about an ICMP error, a broadcast/multicast
 *    destination or source, a non-first fragment; quotes the IP header
 *    plus net.inet.icmp.quotelen = 8 bytes of the original;
 *  - icmp_reflect: the reply's source is the original destination when it
 *    is a local address, else the address of the route back (sysctl
 *    reply_from_interface off by default); TTL net.inet.ip.ttl = 64;
 *  - echo requests to broadcast/multicast are ignored
 *    (net.inet.icmp.bmcastecho = 0).
 * ICMP rate limiting (net.inet.icmp.icmplim) is not modelled.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

#define ICMP_QUOTELEN 8

static bool is_error_type(uint8_t t) { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }

static sim_err send_icmp(sim_node *n, const wg_ip *dst, const wg_ip *orig_dst, uint8_t *msg, size_t len)
{
    sim_wr16(msg + 2, 0);
    sim_wr16(msg + 2, sim_inet_checksum(msg, len));
    sim_ip_send_opts o = {0};
    if (orig_dst && sim_node_is_local(n, orig_dst)) {
        o.src = *orig_dst;
        o.src_kind = SIM_SRC_REFLECT;
        o.bindany = true; /* configured: just looked up, no need to look again */
    }
    return sim_ip_send(n, SIM_IPPROTO_ICMP, dst, msg, len, &o);
}

void sim_icmp_error(sim_node *n, const uint8_t *orig, size_t orig_len, uint8_t type, uint8_t code, uint16_t mtu)
{
    /* orig may be the whole packet or only its start (the header and the
     * bytes to quote, as ip_forward keeps in mcopy): the header is checked
     * on orig, the fields are parsed from a copy of the quoted part whose
     * total length says how much is there, and orig's bytes are quoted
     * unchanged. */
    if (orig_len < IPV4_HDR_LEN || (orig[0] >> 4) != 4)
        return;
    size_t hl = (size_t)(orig[0] & 0xf) * 4;
    size_t tl = (size_t)(orig[2] << 8 | orig[3]);
    if (hl < IPV4_HDR_LEN || hl > orig_len || tl < hl || sim_inet_checksum(orig, hl) != 0)
        return;
    size_t quote = hl + ICMP_QUOTELEN;
    if (quote > tl)
        quote = tl;
    if (quote > orig_len)
        quote = orig_len;
    uint8_t view[60 + ICMP_QUOTELEN];
    memcpy(view, orig, quote);
    sim_wr16(view + 2, (uint16_t)quote);
    sim_wr16(view + 10, 0);
    sim_wr16(view + 10, sim_inet_checksum(view, hl));
    sim_ipv4_info ip;
    if (!sim_ipv4_parse(view, quote, &ip))
        return;
    if (ip.proto == SIM_IPPROTO_ICMP && quote > hl && is_error_type(orig[hl]))
        return;
    if (orig[6] & 0x1f || orig[7]) /* non-first fragment */
        return;
    if (sim_ipv4_is_multicast(&ip.dst) || sim_ipv4_is_broadcast_for(n, &ip.dst) || sim_ipv4_is_multicast(&ip.src) ||
        wg_ip4_to_u32(&ip.src) == 0 || wg_ip4_to_u32(&ip.src) == 0xffffffffu)
        return;
    size_t len = ICMP_HDR_LEN + quote;
    uint8_t msg[ICMP_HDR_LEN + sizeof view] = {0};
    msg[0] = type;
    msg[1] = code;
    if (type == SIM_ICMP_UNREACH && code == SIM_ICMP_UNREACH_NEEDFRAG)
        sim_wr16(msg + 6, mtu);
    memcpy(msg + ICMP_HDR_LEN, orig, quote);
    send_icmp(n, &ip.src, &ip.dst, msg, len);
}

void sim_icmp_input(sim_node *n, sim_iface *in, const uint8_t *pkt, size_t len, const sim_ipv4_info *ip)
{
    (void)len;
    const uint8_t *l4 = pkt + ip->hdr_len;
    size_t l4len = (size_t)(ip->total_len - ip->hdr_len);
    uint32_t ifindex = in ? in->ifindex : 0;
    if (l4len < ICMP_HDR_LEN) {
        sim_node_drop_ip(n, ifindex, SIM_DROP_MALFORMED, pkt, ip->total_len, NULL, "short ICMP message");
        return;
    }
    if (sim_inet_checksum(l4, l4len) != 0) {
        sim_node_drop_ip(n, ifindex, SIM_DROP_BAD_ICMP_CHECKSUM, pkt, ip->total_len, NULL, "ICMP checksum");
        return;
    }
    if (ip->icmp_type == SIM_ICMP_ECHO) {
        bool bcast = sim_ipv4_is_multicast(&ip->dst) || sim_ipv4_is_broadcast_for(n, &ip->dst);
        if (!bcast) {
            uint8_t stack[SIM_SCRATCH_LEN];
            uint8_t *msg = sim_scratch_get(stack, l4len, "building an ICMP echo reply");
            memcpy(msg, l4, l4len);
            msg[0] = SIM_ICMP_ECHO_REPLY;
            send_icmp(n, &ip->src, &ip->dst, msg, l4len);
            sim_scratch_put(msg, stack);
        }
    }
    if (ip->icmp_type == SIM_ICMP_UNREACH && ip->icmp_code == SIM_ICMP_UNREACH_NEEDFRAG &&
        l4len >= ICMP_HDR_LEN + IPV4_HDR_LEN) {
        /* the quoted header's destination; the next-hop MTU in bytes 6-7 */
        const uint8_t *q = l4 + ICMP_HDR_LEN;
        wg_ip qdst = wg_ip4(q[16], q[17], q[18], q[19]);
        sim_ipv4_pmtu_learn(n, &qdst, sim_rd16(l4 + 6));
    }
    for (size_t i = 0; i < n->n_icmp_l; i++)
        n->icmp_l[i].fn(n->icmp_l[i].ctx, n, in, ip);
}

/* ping's default pattern (0x00, 0x01, ... 0xff, 0x00, ...), copied 256
 * bytes at a time: the byte loop that wrote it cost 4 instructions a byte
 * (230 a ping of 56 bytes). */
#define PAT4(x) (x), (x) + 1, (x) + 2, (x) + 3
#define PAT16(x) PAT4(x), PAT4((x) + 4), PAT4((x) + 8), PAT4((x) + 12)
#define PAT64(x) PAT16(x), PAT16((x) + 16), PAT16((x) + 32), PAT16((x) + 48)
static const uint8_t echo_pattern[256] = {PAT64(0), PAT64(64), PAT64(128), PAT64(192)};

sim_err sim_icmp_echo(sim_node *n, const wg_ip *dst, uint16_t id, uint16_t seq, size_t size,
                      const sim_ip_send_opts *o)
{
    if (size > 65507)
        return SIM_EMSGSIZE;
    size_t len = ICMP_HDR_LEN + size;
    uint8_t stack[SIM_SCRATCH_LEN];
    uint8_t *msg = sim_scratch_get(stack, len, "building an ICMP message");
    msg[0] = SIM_ICMP_ECHO;
    msg[1] = 0;
    sim_wr16(msg + 2, 0); /* the checksum is computed over 0 */
    sim_wr16(msg + 4, id);
    sim_wr16(msg + 6, seq);
    for (size_t off = 0; off < size; off += sizeof echo_pattern)
        memcpy(msg + ICMP_HDR_LEN + off, echo_pattern,
               size - off < sizeof echo_pattern ? size - off : sizeof echo_pattern);
    sim_wr16(msg + 2, sim_inet_checksum(msg, len));
    sim_err e = sim_ip_send(n, SIM_IPPROTO_ICMP, dst, msg, len, o);
    sim_scratch_put(msg, stack);
    return e;
}
