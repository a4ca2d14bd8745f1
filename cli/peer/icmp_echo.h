/*
 * icmp_echo.h — ICMP (IPv4) and ICMPv6 echo request/reply packets, the only
 * inner traffic `wgsim peer` originates or answers: it has no TUN device, so
 * it plays the tunnel endpoint's IP stack for ping.
 */
#ifndef WGSIM_CLI_PEER_ICMP_ECHO_H
#define WGSIM_CLI_PEER_ICMP_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wgnode/wgnode.h"

typedef struct icmp_echo {
    bool request; /* echo request (8 / 128) or echo reply (0 / 129) */
    wg_ip src, dst;
    uint8_t ttl; /* hop limit for IPv6 */
    uint16_t id, seq;
    const uint8_t *payload; /* points into the parsed packet */
    size_t payload_len;
} icmp_echo;

/* RFC 1071 one's-complement sum of `len` bytes added to `sum`, its carries
 * folded back into 16 bits (so a chain of calls cannot overflow) but not
 * inverted: chain calls, then icmp_checksum_fold() inverts. */
uint32_t icmp_checksum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t icmp_checksum_fold(uint32_t sum);

/* Recognises an IPv4 ICMP or IPv6 ICMPv6 echo request/reply addressed to
 * anyone: well-formed header, lengths consistent, IPv4 header checksum and
 * ICMP checksum (with the IPv6 pseudo-header) correct, not a fragment.
 * Returns false for anything else (other protocols, extension headers,
 * malformed bytes). */
bool icmp_echo_parse(const uint8_t *pkt, size_t len, icmp_echo *out);

/* Writes an IP packet carrying the echo message `e` (src/dst/ttl/id/seq/
 * payload; both addresses of the same family) into buf with correct
 * checksums. Returns its length, or 0 when it does not fit in cap or the
 * addresses are unusable. */
size_t icmp_echo_build(uint8_t *buf, size_t cap, const icmp_echo *e);

#endif
