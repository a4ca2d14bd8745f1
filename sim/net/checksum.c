/*
 * checksum.c — the Internet checksum (RFC 1071) and the UDP/ICMP
 * checksums built on it (RFC 768 pseudo-header, RFC 792).
 */
#include "sim/net/net.h"

#include <string.h>

/* One's complement addition of 64-bit words: the carry out of the top
 * is added back in (RFC 1071 §2(C), "end-around carry"). The sum stays 0
 * while only zeros were added and is never 0 after anything else. */
static inline uint64_t add_eac(uint64_t acc, uint64_t v)
{
    uint64_t s;
    return __builtin_add_overflow(acc, v, &s) ? s + 1 : s;
}

/* A wide partial sum folded to 16 bits and put in the byte order of
 * RFC 1071's big-endian words: the value is congruent to the sum modulo
 * 0xffff and 0 only when the sum is, so it is the one value in 0..0xffff
 * that any way of adding the same bytes folds to. */
static inline uint32_t fold_native(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    uint32_t w = (uint32_t)acc;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = ((w & 0xff) << 8) | (w >> 8);
#endif
    return w;
}

/* The sum is the RFC 1071 one of big-endian 16-bit words, but it is
 * computed eight bytes at a time in native order, one's complement
 * modulo 2^64 - 1, and folded and byte-swapped once at the end (RFC 1071
 * §2(B): the one's-complement sum does not depend on byte order; 2^64 - 1
 * and 2^32 - 1 are multiples of 0xffff, so the wide sums are congruent
 * to the 16-bit one). The returned partial sum is congruent modulo
 * 0xffff, and zero exactly when, the word-by-word one is, which is all
 * sim_cksum_fold looks at: every checksum is the same. It runs for every
 * header and datagram (3 % of a large run before the 4-byte loop; that
 * loop was 5 instructions a word, 32 bytes a round here take 11). */
uint32_t sim_cksum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = 0, v0, v1, v2, v3;
    for (; len >= 32; p += 32, len -= 32) {
        memcpy(&v0, p, 8);
        memcpy(&v1, p + 8, 8);
        memcpy(&v2, p + 16, 8);
        memcpy(&v3, p + 24, 8);
        acc = add_eac(add_eac(add_eac(add_eac(acc, v0), v1), v2), v3);
    }
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&v0, p, 8);
        acc = add_eac(acc, v0);
    }
    uint64_t tail = 0; /* at most 7 bytes: no carry out */
    if (len >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        tail += v;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        tail += v;
        p += 2;
        len -= 2;
    }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len)
        tail += p[0]; /* odd byte padded with zero: the low byte of a native word */
#else
    if (len)
        tail += (uint32_t)p[0] << 8;
#endif
    sum += fold_native(add_eac(acc, tail));
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
    if (len == IPV4_HDR_LEN) {
        /* An IPv4 header without options, most of the checksums a packet
         * needs (built, verified on input): five words, no loop. Five
         * 32-bit words cannot carry out of 64 bits. */
        const uint8_t *p = data;
        uint32_t a, b, c, d, e;
        memcpy(&a, p, 4);
        memcpy(&b, p + 4, 4);
        memcpy(&c, p + 8, 4);
        memcpy(&d, p + 12, 4);
        memcpy(&e, p + 16, 4);
        return (uint16_t)~fold_native((uint64_t)a + b + c + d + e);
    }
    return sim_cksum_fold(sim_cksum_add(0, data, len));
}

/* Checksum over the IPv4 pseudo-header and the L4 bytes (with their
 * checksum field as it is: zero it first to compute, keep it to verify). */
uint16_t sim_l4_checksum(const wg_ip *src, const wg_ip *dst, uint8_t proto, const uint8_t *l4, size_t len)
{
    /* The pseudo-header's six big-endian words (RFC 768) added as numbers
     * instead of laid out in 12 bytes and summed: the same partial sum
     * modulo 0xffff, 0 only when they all are, so the same checksum. */
    const uint8_t *s = src->b, *d = dst->b;
    uint32_t sum = (uint32_t)(s[0] << 8 | s[1]) + (uint32_t)(s[2] << 8 | s[3]) + (uint32_t)(d[0] << 8 | d[1]) +
                   (uint32_t)(d[2] << 8 | d[3]) + proto + (uint32_t)(len & 0xffff);
    sum = sim_cksum_add(sum, l4, len);
    return sim_cksum_fold(sum);
}
