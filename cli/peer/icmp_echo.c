/*
 * icmp_echo.c — build and parse ICMP echo (RFC 792 over RFC 791) and ICMPv6
 * echo (RFC 4443 over RFC 8200) packets. Checksums per RFC 1071; the ICMPv6
 * checksum covers the RFC 8200 §8.1 pseudo-header.
 */
#include "cli/peer/icmp_echo.h"

#include <string.h>

enum {
    IPV4_HDR = 20,
    IPV6_HDR = 40,
    ICMP_HDR = 8,
    PROTO_ICMP = 1,
    PROTO_ICMPV6 = 58,
    ICMP_ECHO_REPLY = 0,
    ICMP_ECHO_REQUEST = 8,
    ICMPV6_ECHO_REQUEST = 128,
    ICMPV6_ECHO_REPLY = 129,
};

uint32_t icmp_checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)data[i] << 8 | data[i + 1];
    if (i < len)
        sum += (uint32_t)data[i] << 8; /* odd length: pad with a zero byte */
    /* Folding is associative in one's complement arithmetic: fold now so a
     * chain of calls can never overflow 32 bits. */
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

uint16_t icmp_checksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The IPv6 upper-layer pseudo-header: src, dst, 32-bit length, 3 zero
 * bytes, next header. */
static uint32_t pseudo6(const uint8_t *src, const uint8_t *dst, uint32_t len)
{
    uint8_t tail[8] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0,
                       PROTO_ICMPV6};
    uint32_t sum = icmp_checksum_add(0, src, 16);
    sum = icmp_checksum_add(sum, dst, 16);
    return icmp_checksum_add(sum, tail, sizeof tail);
}

static bool parse_icmp(const uint8_t *icmp, size_t len, uint8_t req_type, uint8_t rep_type, icmp_echo *out)
{
    if (len < ICMP_HDR || icmp[1] != 0)
        return false;
    if (icmp[0] == req_type)
        out->request = true;
    else if (icmp[0] == rep_type)
        out->request = false;
    else
        return false;
    out->id = get16(icmp + 4);
    out->seq = get16(icmp + 6);
    out->payload = icmp + ICMP_HDR;
    out->payload_len = len - ICMP_HDR;
    return true;
}

bool icmp_echo_parse(const uint8_t *pkt, size_t len, icmp_echo *out)
{
    icmp_echo e = {0};
    if (len < 1)
        return false;
    if (pkt[0] >> 4 == 4) {
        if (len < IPV4_HDR)
            return false;
        size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
        size_t total = get16(pkt + 2);
        if (ihl < IPV4_HDR || total < ihl || total > len)
            return false;
        if (icmp_checksum_fold(icmp_checksum_add(0, pkt, ihl)) != 0)
            return false;
        /* A fragment (MF set or non-zero offset) cannot be checked alone. */
        if (get16(pkt + 6) & 0x3fff)
            return false;
        if (pkt[9] != PROTO_ICMP)
            return false;
        const uint8_t *icmp = pkt + ihl;
        size_t ilen = total - ihl;
        if (icmp_checksum_fold(icmp_checksum_add(0, icmp, ilen)) != 0)
            return false;
        if (!parse_icmp(icmp, ilen, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, &e))
            return false;
        e.src = wg_ip4(pkt[12], pkt[13], pkt[14], pkt[15]);
        e.dst = wg_ip4(pkt[16], pkt[17], pkt[18], pkt[19]);
        e.ttl = pkt[8];
    } else if (pkt[0] >> 4 == 6) {
        if (len < IPV6_HDR)
            return false;
        size_t plen = get16(pkt + 4);
        if (plen > len - IPV6_HDR || pkt[6] != PROTO_ICMPV6)
            return false;
        const uint8_t *icmp = pkt + IPV6_HDR;
        uint32_t sum = pseudo6(pkt + 8, pkt + 24, (uint32_t)plen);
        if (icmp_checksum_fold(icmp_checksum_add(sum, icmp, plen)) != 0)
            return false;
        if (!parse_icmp(icmp, plen, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY, &e))
            return false;
        e.src.family = e.dst.family = 6;
        memcpy(e.src.b, pkt + 8, 16);
        memcpy(e.dst.b, pkt + 24, 16);
        e.ttl = pkt[7];
    } else {
        return false;
    }
    *out = e;
    return true;
}

size_t icmp_echo_build(uint8_t *buf, size_t cap, const icmp_echo *e)
{
    if (e->src.family != e->dst.family || (e->src.family != 4 && e->src.family != 6))
        return 0;
    size_t hdr = e->src.family == 4 ? IPV4_HDR : IPV6_HDR;
    size_t ilen = ICMP_HDR + e->payload_len;
    if (e->payload_len > 65535 - IPV4_HDR - ICMP_HDR || hdr + ilen > cap)
        return 0;
    uint8_t *icmp = buf + hdr;
    memmove(icmp + ICMP_HDR, e->payload, e->payload_len); /* payload may alias buf */
    if (e->src.family == 4) {
        memset(buf, 0, IPV4_HDR);
        buf[0] = 0x45;
        put16(buf + 2, (uint16_t)(IPV4_HDR + ilen));
        /* DF set and identification 0: an atomic datagram (RFC 6864 §4). */
        buf[6] = 0x40;
        buf[8] = e->ttl;
        buf[9] = PROTO_ICMP;
        memcpy(buf + 12, e->src.b, 4);
        memcpy(buf + 16, e->dst.b, 4);
        put16(buf + 10, icmp_checksum_fold(icmp_checksum_add(0, buf, IPV4_HDR)));
        icmp[0] = e->request ? ICMP_ECHO_REQUEST : ICMP_ECHO_REPLY;
    } else {
        memset(buf, 0, IPV6_HDR);
        buf[0] = 0x60;
        put16(buf + 4, (uint16_t)ilen);
        buf[6] = PROTO_ICMPV6;
        buf[7] = e->ttl;
        memcpy(buf + 8, e->src.b, 16);
        memcpy(buf + 24, e->dst.b, 16);
        icmp[0] = e->request ? ICMPV6_ECHO_REQUEST : ICMPV6_ECHO_REPLY;
    }
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, e->id);
    put16(icmp + 6, e->seq);
    uint32_t sum = e->src.family == 6 ? pseudo6(buf + 8, buf + 24, (uint32_t)ilen) : 0;
    put16(icmp + 2, icmp_checksum_fold(icmp_checksum_add(sum, icmp, ilen)));
    return hdr + ilen;
}
