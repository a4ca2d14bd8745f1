/*
 * checksum.c — the Internet checksum (RFC 1071) and the UDP/ICMP
 * checksums built on it (RFC 768 pseudo-header, RFC 792).
 */
#include "sim/net/net.h"

#include <string.h>

/* The sum is the RFC 1071 one of big-endian 16-bit words, but it is
 * computed four bytes at a time in native order into 64 bits and folded
 * and byte-swapped once at the end (RFC 1071 §2(B): the one's-complement
 * sum does not depend on byte order). The returned partial sum is
 * congruent modulo 0xffff, and zero exactly when, the word-by-word one
 * is, which is all sim_cksum_fold looks at: every checksum is the same.
 * It runs for every header and datagram (3 % of a large run before). */
uint32_t sim_cksum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = 0;
    for (; len >= 4; p += 4, len -= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        acc += v;
    }
    if (len >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        acc += v;
        p += 2;
        len -= 2;
    }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len)
        acc += p[0]; /* odd byte padded with zero: the low byte of a native word */
#else
    if (len)
        acc += (uint32_t)p[0] << 8;
#endif
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    uint32_t w = (uint32_t)acc;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = ((w & 0xff) << 8) | (w >> 8);
#endif
    sum += w;
    if (sum & 0x80000000u) /* fold early: long chains of calls never overflow */
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

uint16_t sim_cksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t sim_inet_checksum(const void *data, size_t len)
{
    return sim_cksum_fold(sim_cksum_add(0, data, len));
}

/* Checksum over the IPv4 pseudo-header and the L4 bytes (with their
 * checksum field as it is: zero it first to compute, keep it to verify). */
uint16_t sim_l4_checksum(const wg_ip *src, const wg_ip *dst, uint8_t proto, const uint8_t *l4, size_t len)
{
    uint8_t ph[12];
    memcpy(ph, src->b, 4);
    memcpy(ph + 4, dst->b, 4);
    ph[8] = 0;
    ph[9] = proto;
    ph[10] = (uint8_t)(len >> 8);
    ph[11] = (uint8_t)len;
    uint32_t sum = sim_cksum_add(0, ph, sizeof ph);
    sum = sim_cksum_add(sum, l4, len);
    return sim_cksum_fold(sum);
}
