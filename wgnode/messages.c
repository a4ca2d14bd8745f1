/*
 * messages.c — recognising WireGuard messages by their header alone.
 *
 * The rules are the receivers' own (Linux receive.c validate_header_len,
 * wireguard-go device/receive.go RoutineReceiveIncoming): the type is a
 * little-endian 32-bit word, so the three reserved bytes must be zero;
 * handshake messages have exactly their size; transport data needs at least
 * the 16-byte header plus a 16-byte tag. Neither receiver requires the
 * payload to be a multiple of 16 — senders clamp the padding to the MTU
 * (Linux send.c calculate_skb_padding), so odd lengths are legitimate.
 */
#include "wgnode/messages.h"

enum wg_msg_type wg_classify(const uint8_t *data, size_t len, bool *is_keepalive)
{
    if (is_keepalive)
        *is_keepalive = false;
    if (!data || len < WG_MSG_HEADER_LEN)
        return WG_MSG_NONE;
    switch (wg_le32_read(data)) {
    case WG_MSG_INITIATION:
        return len == WG_INITIATION_LEN ? WG_MSG_INITIATION : WG_MSG_NONE;
    case WG_MSG_RESPONSE:
        return len == WG_RESPONSE_LEN ? WG_MSG_RESPONSE : WG_MSG_NONE;
    case WG_MSG_COOKIE_REPLY:
        return len == WG_COOKIE_REPLY_LEN ? WG_MSG_COOKIE_REPLY : WG_MSG_NONE;
    case WG_MSG_TRANSPORT:
        if (len < WG_KEEPALIVE_LEN)
            return WG_MSG_NONE;
        if (is_keepalive)
            *is_keepalive = len == WG_KEEPALIVE_LEN;
        return WG_MSG_TRANSPORT;
    default:
        return WG_MSG_NONE;
    }
}

const char *wg_msg_type_name(enum wg_msg_type t, bool keepalive)
{
    /* the spellings of the scenario language's `wg:` packet filter */
    switch (t) {
    case WG_MSG_INITIATION:
        return "handshake-initiation";
    case WG_MSG_RESPONSE:
        return "handshake-response";
    case WG_MSG_COOKIE_REPLY:
        return "cookie-reply";
    case WG_MSG_TRANSPORT:
        return keepalive ? "keepalive" : "transport";
    case WG_MSG_NONE:
        break;
    }
    return "none";
}
