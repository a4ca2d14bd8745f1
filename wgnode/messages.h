/*
 * messages.h — WireGuard wire layout (internal to libwgnode): field offsets
 * and little-endian accessors. Layout from whitepaper §5.4 as summarised in
 * ../shared/reference/wg-conformance.md "Constants and layout"; every
 * integer on the wire is little-endian, and the type is a 32-bit word whose
 * upper three bytes are zero (Linux messages.h `__le32 type`).
 */
#ifndef WGNODE_MESSAGES_H
#define WGNODE_MESSAGES_H

#include "wgnode/wgnode.h"

enum {
    /* every message: type byte + 3 reserved zero bytes */
    WG_MSG_OFF_TYPE = 0,
    WG_MSG_HEADER_LEN = 4,

    /* the trailing mac1 || mac2 of initiation and response */
    WG_MACS_LEN = 2 * WG_MAC_LEN,

    /* initiation, 148 bytes */
    WG_INIT_OFF_SENDER = 4,
    WG_INIT_OFF_EPHEMERAL = 8,
    WG_INIT_OFF_STATIC = 40,    /* 32 + 16 tag */
    WG_INIT_OFF_TIMESTAMP = 88, /* 12 + 16 tag */
    WG_INIT_OFF_MAC1 = 116,
    WG_INIT_OFF_MAC2 = 132,

    /* response, 92 bytes */
    WG_RESP_OFF_SENDER = 4,
    WG_RESP_OFF_RECEIVER = 8,
    WG_RESP_OFF_EPHEMERAL = 12,
    WG_RESP_OFF_EMPTY = 44, /* 0 + 16 tag */
    WG_RESP_OFF_MAC1 = 60,
    WG_RESP_OFF_MAC2 = 76,

    /* cookie reply, 64 bytes */
    WG_COOKIE_OFF_RECEIVER = 4,
    WG_COOKIE_OFF_NONCE = 8,   /* 24 */
    WG_COOKIE_OFF_COOKIE = 32, /* 16 + 16 tag */

    /* transport data, >= 32 bytes */
    WG_DATA_OFF_RECEIVER = 4,
    WG_DATA_OFF_COUNTER = 8, /* u64 */
    WG_DATA_OFF_PAYLOAD = 16,
    /* Sender pads the plaintext with zeros to a multiple of 16, but never
     * beyond the MTU (Linux send.c calculate_skb_padding), so a receiver
     * cannot require the multiple. */
    WG_PADDING_MULTIPLE = 16,
};

static inline uint32_t wg_le32_read(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wg_le32_write(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t wg_le64_read(const uint8_t *p)
{
    return (uint64_t)wg_le32_read(p) | ((uint64_t)wg_le32_read(p + 4) << 32);
}

static inline void wg_le64_write(uint8_t *p, uint64_t v)
{
    wg_le32_write(p, (uint32_t)v);
    wg_le32_write(p + 4, (uint32_t)(v >> 32));
}

/* Writes the 4-byte header: type, then three zero bytes. */
static inline void wg_msg_header_write(uint8_t *p, enum wg_msg_type t) { wg_le32_write(p, (uint32_t)t); }

/* The type word of a message of len >= 4 (0 if shorter); a value > 4 or with
 * a nonzero reserved byte is not a WireGuard message. */
static inline uint32_t wg_msg_type_word(const uint8_t *p, size_t len) { return len < 4 ? 0 : wg_le32_read(p); }

/* Plaintext length after padding a len-byte inner packet (Linux send.c
 * calculate_skb_padding): zeros up to a multiple of 16, clamped to the MTU
 * (mtu 0 = no limit); an oversized packet pads only its last MTU-sized unit. */
static inline size_t wg_transport_padded_len(size_t len, size_t mtu)
{
    size_t last = len, padded_last;
    if (mtu && last > mtu)
        last %= mtu;
    padded_last = (last + WG_PADDING_MULTIPLE - 1) & ~(size_t)(WG_PADDING_MULTIPLE - 1);
    if (mtu && padded_last > mtu)
        padded_last = mtu;
    return len + (padded_last - last);
}

/* Length of a transport message carrying a padded plaintext of n bytes. */
static inline size_t wg_transport_len(size_t padded) { return WG_DATA_OFF_PAYLOAD + padded + WG_AEAD_TAG_LEN; }

#endif /* WGNODE_MESSAGES_H */
