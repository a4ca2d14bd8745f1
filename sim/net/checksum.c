/*
 * checksum.c — the Internet checksum (RFC 1071) and the UDP/ICMP
 * checksums built on it (RFC 768 pseudo-header, RFC 792).
 */
#include "sim/net/net.h"

#include <string.h>

uint32_t sim_cksum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 1) {
        sum += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        len -= 2;
        if (sum & 0x80000000u) /* fold early: long buffers never overflow */
            sum = (sum & 0xffff) + (sum >> 16);
    }
    if (len)
        sum += (uint32_t)p[0] << 8; /* odd byte padded with zero */
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
