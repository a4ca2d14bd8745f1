/*
 * names.c — printable names of the enums of wgnode.h (traces, reports,
 * the scenario language's `platform:` values).
 */
#include "wgnode/wgnode.h"

#include <string.h>

#define NAME(table, v) ((size_t)(v) < sizeof table / sizeof table[0] && table[v] ? table[v] : "unknown")

static const char *const platform_names[] = {
    [WG_PLATFORM_FREEBSD] = "freebsd",
    [WG_PLATFORM_OPENBSD] = "openbsd",
    [WG_PLATFORM_LINUX] = "linux",
    [WG_PLATFORM_WIREGUARD_GO] = "wireguard-go",
};

const char *wg_platform_name(wg_platform p) { return NAME(platform_names, p); }

bool wg_platform_parse(const char *s, wg_platform *out)
{
    if (!s)
        return false;
    for (size_t i = 0; i < sizeof platform_names / sizeof platform_names[0]; i++)
        if (strcmp(s, platform_names[i]) == 0) {
            *out = (wg_platform)i;
            return true;
        }
    return false;
}

static const char *const source_reason_names[] = {
    [WG_SRC_NONE] = "none",
    [WG_SRC_LEARNED] = "learned",
    [WG_SRC_RETRY_UNBOUND] = "retry-unbound",
    [WG_SRC_CLEARED_BY_TIMER] = "cleared-by-timer",
    [WG_SRC_ROUTE_CACHE] = "route-cache",
    [WG_SRC_STICKY] = "sticky",
};

const char *wg_source_reason_name(wg_source_reason r) { return NAME(source_reason_names, r); }

static const char *const drop_names[] = {
    [WG_DROP_NONE] = "none",
    [WG_DROP_TOO_SHORT] = "too-short",
    [WG_DROP_BAD_TYPE] = "bad-type",
    [WG_DROP_BAD_SIZE] = "bad-size",
    [WG_DROP_BAD_MAC1] = "bad-mac1",
    [WG_DROP_BAD_MAC2] = "bad-mac2",
    [WG_DROP_HANDSHAKE_DECRYPT] = "handshake-decrypt",
    [WG_DROP_UNKNOWN_PEER] = "unknown-peer",
    [WG_DROP_REPLAYED_TIMESTAMP] = "replayed-timestamp",
    [WG_DROP_UNKNOWN_INDEX] = "unknown-index",
    [WG_DROP_BAD_COOKIE_REPLY] = "bad-cookie-reply",
    [WG_DROP_DECRYPT] = "decrypt",
    [WG_DROP_REPLAY] = "replay",
    [WG_DROP_KEY_EXPIRED] = "key-expired",
    [WG_DROP_NOT_ALLOWED_IP] = "not-allowed-ip",
    [WG_DROP_BAD_INNER] = "bad-inner",
    [WG_DROP_NO_PEER_FOR_DST] = "no-peer-for-dst",
    [WG_DROP_NO_ENDPOINT] = "no-endpoint",
    [WG_DROP_SEND_FAILED] = "send-failed",
    [WG_DROP_QUEUE_FULL] = "queue-full",
    [WG_DROP_RATE_LIMITED] = "rate-limited",
    [WG_DROP_DEVICE_DOWN] = "device-down",
    [WG_DROP_HANDSHAKE_GAVE_UP] = "handshake-gave-up",
};

const char *wg_drop_reason_name(wg_drop_reason r) { return NAME(drop_names, r); }

static const char *const timer_names[] = {
    [WG_TIMER_RETRANSMIT_HANDSHAKE] = "retransmit-handshake",
    [WG_TIMER_SEND_KEEPALIVE] = "send-keepalive",
    [WG_TIMER_NEW_HANDSHAKE] = "new-handshake",
    [WG_TIMER_ZERO_KEYS] = "zero-keys",
    [WG_TIMER_PERSISTENT_KEEPALIVE] = "persistent-keepalive",
};

const char *wg_timer_name(wg_timer_kind t) { return NAME(timer_names, t); }

static const char *const event_names[] = {
    [WG_EV_HANDSHAKE_INITIATION_SENT] = "handshake-initiation-sent",
    [WG_EV_HANDSHAKE_RESPONSE_SENT] = "handshake-response-sent",
    [WG_EV_HANDSHAKE_COMPLETE] = "handshake-complete",
    [WG_EV_HANDSHAKE_GAVE_UP] = "handshake-gave-up",
    [WG_EV_COOKIE_REPLY_SENT] = "cookie-reply-sent",
    [WG_EV_COOKIE_REPLY_RECEIVED] = "cookie-reply-received",
    [WG_EV_KEEPALIVE_SENT] = "keepalive-sent",
    [WG_EV_TIMER_FIRED] = "timer-fired",
    [WG_EV_ENDPOINT_CHANGED] = "endpoint-changed",
    [WG_EV_SOURCE_LEARNED] = "source-learned",
    [WG_EV_SOURCE_CLEARED] = "source-cleared",
    [WG_EV_SEND_ERROR] = "send-error",
    [WG_EV_PACKET_DROPPED] = "packet-dropped",
    [WG_EV_KEYS_ZEROED] = "keys-zeroed",
    [WG_EV_KEY_ROTATED] = "key-rotated",
    [WG_EV_UNDER_LOAD] = "under-load",
};

const char *wg_event_kind_name(wg_event_kind k) { return NAME(event_names, k); }

static const char *const keylog_names[] = {
    [WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY] = "LOCAL_STATIC_PRIVATE_KEY",
    [WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY] = "REMOTE_STATIC_PUBLIC_KEY",
    [WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY] = "LOCAL_EPHEMERAL_PRIVATE_KEY",
    [WG_KEYLOG_PRESHARED_KEY] = "PRESHARED_KEY",
};

const char *wg_keylog_kind_name(wg_keylog_kind k) { return NAME(keylog_names, k); }
