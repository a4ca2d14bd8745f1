/*
 * fuzz_wg_packets.h — inner IP packets for the WireGuard fuzz targets
 * (header-only: each target is one translation unit).
 */
#ifndef FUZZ_WG_PACKETS_H
#define FUZZ_WG_PACKETS_H

#include "wgnode/wgnode.h"

#include <string.h>

/* A UDP packet from src to dst (IPv4 or IPv6, by src's family) with
 * `payload` bytes; an IPv4 payload is nonzero filler (so padding a receiver
 * fails to strip shows), an IPv6 payload zeros (fuzz_wg_receive's seeds were
 * captured with these exact bytes). Returns its length. */
static inline size_t fz_ip_packet(uint8_t *buf, wg_ip src, wg_ip dst, size_t payload)
{
    bool v4 = src.family == 4;
    size_t hdr = v4 ? 20 : 40, total = hdr + payload, alen = v4 ? 4 : 16;
    memset(buf, 0, total);
    if (v4) {
        buf[0] = 0x45;
        buf[2] = (uint8_t)(total >> 8);
        buf[3] = (uint8_t)total;
        buf[8] = 64;
        buf[9] = 17;
        for (size_t k = 0; k < payload; k++)
            buf[20 + k] = (uint8_t)(k * 7 + 1);
    } else {
        buf[0] = 0x60;
        buf[4] = (uint8_t)(payload >> 8);
        buf[5] = (uint8_t)payload;
        buf[6] = 17;
        buf[7] = 64;
    }
    memcpy(buf + (v4 ? 12 : 8), src.b, alen);
    memcpy(buf + (v4 ? 16 : 24), dst.b, alen);
    return total;
}

#endif /* FUZZ_WG_PACKETS_H */
