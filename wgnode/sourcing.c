/*
 * sourcing.c — how each platform picks the local address of what it sends.
 * Every rule cites ../shared/reference/wg-sourcing.md (abbreviated "ref")
 * and the implementation function it was read from.
 */
#include "wgnode/sourcing.h"

#include "wgnode/device.h"

#include <string.h>

/* OpenBSD keeps retrying a handshake send while the kernel says
 * EADDRNOTAVAIL (ref: "OpenBSD retries without limit"). Once the source is
 * dropped the retry is unbound, which cannot fail that way on a sane stack;
 * the cap only keeps a misbehaving host from hanging the model. */
#define OPENBSD_RETRY_CAP 16

static wg_send_result host_send(struct wg_device *dev, const wg_peer *peer, const wg_source *src,
                                const wg_endpoint *dst, const uint8_t *data, size_t len, enum wg_msg_type type,
                                bool keepalive, wg_source_reason reason)
{
    wg_send_meta meta = {.type = type, .keepalive = keepalive, .reason = reason, .peer_id = peer ? peer->id : -1};
    wg_send_result r = dev->host.send(dev->host.ctx, src, dst, data, len, &meta);
    if (r != WG_SEND_OK) {
        wg_event ev = peer ? wg_event_for(peer, WG_EV_SEND_ERROR) : (wg_event){.kind = WG_EV_SEND_ERROR, .peer_id = -1};
        ev.endpoint = *dst;
        ev.source = *src;
        ev.send_result = r;
        ev.msg_type = type;
        wg_emit(dev, &ev);
    }
    return r;
}

static bool has_source(const wg_peer *peer) { return peer->src.addr.family != 0; }

void wg_sourcing_clear(struct wg_device *dev, wg_peer *peer)
{
    peer->rcache.valid = false; /* Linux dst_cache_reset goes with every clear */
    if (!has_source(peer) && peer->src.ifindex == 0)
        return;
    memset(&peer->src, 0, sizeof peer->src);
    wg_event ev = wg_event_for(peer, WG_EV_SOURCE_CLEARED);
    wg_emit(dev, &ev);
}

void wg_sourcing_learn(struct wg_device *dev, wg_peer *peer, const wg_source *local, const wg_endpoint *remote)
{
    /* ref "Per-peer endpoint": remote part = the packet's source, learned
     * local address = its destination (+ arrival interface on Linux and
     * wireguard-go); only authenticated packets get here. A datagram
     * without a usable source address teaches nothing. */
    if (remote->ip.family != 4 && remote->ip.family != 6)
        return;
    if (!peer->has_endpoint || !wg_endpoint_eq(&peer->endpoint, remote)) {
        peer->has_endpoint = true;
        peer->endpoint = *remote;
        peer->rcache.valid = false;
        wg_event ev = wg_event_for(peer, WG_EV_ENDPOINT_CHANGED);
        wg_emit(dev, &ev);
    }
    wg_source s = {0};
    if (local) {
        s = *local;
        if (s.addr.family == 0)
            s.ifindex = 0;
    }
    if (!wg_ip_eq(&peer->src.addr, &s.addr) || peer->src.ifindex != s.ifindex) {
        peer->src = s;
        peer->rcache.valid = false;
        if (s.addr.family) {
            wg_event ev = wg_event_for(peer, WG_EV_SOURCE_LEARNED);
            wg_emit(dev, &ev);
        }
    }
}

static wg_source_reason unbound_reason(bool timer_cleared)
{
    return timer_cleared ? WG_SRC_CLEARED_BY_TIMER : WG_SRC_NONE;
}

/* ---- FreeBSD and OpenBSD (ref "FreeBSD (pfSense) and OpenBSD";
 * FreeBSD if_wg.c wg_send_buf / wg_deliver_out, OpenBSD if_wg.c
 * wg_send_buf / wg_deliver_out) ---- */

static wg_send_result bsd_send(struct wg_device *dev, wg_peer *peer, const uint8_t *data, size_t len,
                               enum wg_msg_type type, bool keepalive, bool timer_cleared)
{
    /* The learned address goes as IP_SENDSRCADDR / IPV6_PKTINFO; the
     * outgoing interface always comes from a destination-only lookup, so
     * no interface is forced. */
    wg_source src = {.addr = peer->src.addr, .ifindex = 0};
    wg_source_reason reason = has_source(peer) ? WG_SRC_LEARNED : unbound_reason(timer_cleared);
    wg_send_result r = host_send(dev, peer, &src, &peer->endpoint, data, len, type, keepalive, reason);
    if (r != WG_SEND_EADDRNOTAVAIL || src.addr.family == 0)
        return r;
    if (type != WG_MSG_TRANSPORT) {
        /* Handshake/cookie: retried with no source; the peer's stored
         * source is NOT cleared (the kernel zeroes a temporary copy), so
         * the next send tries the stale address again. */
        int tries = dev->platform == WG_PLATFORM_OPENBSD ? OPENBSD_RETRY_CAP : 1;
        wg_source none = {0};
        while (tries-- > 0 && r == WG_SEND_EADDRNOTAVAIL)
            r = host_send(dev, peer, &none, &peer->endpoint, data, len, type, keepalive, WG_SRC_RETRY_UNBOUND);
        return r;
    }
    /* Data: the packet is lost and the stored source cleared, so the
     * following packets take the kernel's choice. */
    wg_sourcing_clear(dev, peer);
    return r;
}

/* ---- Linux kernel (ref "Linux kernel"; socket.c send4/send6) ---- */

static wg_send_result linux_send(struct wg_device *dev, wg_peer *peer, const uint8_t *data, size_t len,
                                 enum wg_msg_type type, bool keepalive, bool timer_cleared)
{
    const wg_host_ops *h = &dev->host;
    if (!h->route_lookup || !h->addr_is_local) {
        /* Without route answers from the host, send with the learned
         * source and let the host's stack route it. */
        wg_source src = {.addr = peer->src.addr, .ifindex = 0};
        return host_send(dev, peer, &src, &peer->endpoint, data, len, type, keepalive,
                         has_source(peer) ? WG_SRC_LEARNED : unbound_reason(timer_cleared));
    }
    if (!peer->rcache.valid || peer->rcache.gen != dev->route_gen) {
        /* Cache miss: a source no longer configured is forgotten. */
        if (has_source(peer) && !h->addr_is_local(h->ctx, &peer->src.addr))
            wg_sourcing_clear(dev, peer);
        uint32_t ifindex = 0;
        wg_ip chosen = {0};
        bool ok = h->route_lookup(h->ctx, &peer->endpoint.ip, has_source(peer) ? &peer->src.addr : NULL, &ifindex,
                                  &chosen);
        /* IPv4 only (send4): a route that leaves by another interface than
         * the one the peer's packets arrived on clears source and interface;
         * look up again unbound. A failed lookup retries only for -EINVAL
         * (an unusable source, already ruled out by the locality check
         * above); any other failure (no route) drops the packet and keeps
         * the source for when a route comes back. */
        if (peer->endpoint.ip.family == 4 && peer->src.ifindex != 0 && ok && ifindex != peer->src.ifindex) {
            wg_sourcing_clear(dev, peer);
            ok = h->route_lookup(h->ctx, &peer->endpoint.ip, NULL, &ifindex, &chosen);
        }
        if (!ok) {
            wg_event ev = wg_event_for(peer, WG_EV_SEND_ERROR);
            ev.send_result = WG_SEND_UNREACHABLE;
            ev.msg_type = type;
            wg_emit(dev, &ev);
            return WG_SEND_UNREACHABLE;
        }
        /* The chosen source is cached, not stored back into the peer. */
        peer->rcache.valid = true;
        peer->rcache.gen = dev->route_gen;
        peer->rcache.src = chosen;
        peer->rcache.ifindex = ifindex;
    }
    /* The route already decided the interface; the host routes again by
     * destination (+ source), so no interface is forced here. */
    wg_source src = {.addr = peer->rcache.src, .ifindex = 0};
    return host_send(dev, peer, &src, &peer->endpoint, data, len, type, keepalive, WG_SRC_ROUTE_CACHE);
}

/* ---- wireguard-go on Linux (ref "wireguard-go on Linux"; conn/bind_linux.go
 * send4/send6, device/sticky_linux.go) ---- */

static wg_send_result wggo_send(struct wg_device *dev, wg_peer *peer, const uint8_t *data, size_t len,
                                enum wg_msg_type type, bool keepalive, bool timer_cleared)
{
    /* Sticky: source AND arrival interface of the last packet are forced. */
    wg_source src = peer->src;
    wg_source_reason reason = has_source(peer) ? WG_SRC_STICKY : unbound_reason(timer_cleared);
    wg_send_result r = host_send(dev, peer, &src, &peer->endpoint, data, len, type, keepalive, reason);
    if (r == WG_SEND_EINVAL && has_source(peer)) {
        /* Only EINVAL clears the source and retries without it; any other
         * error loses the packet and keeps the source. */
        wg_sourcing_clear(dev, peer);
        wg_source none = {0};
        r = host_send(dev, peer, &none, &peer->endpoint, data, len, type, keepalive, WG_SRC_RETRY_UNBOUND);
    }
    return r;
}

static const wg_sourcing sourcing_freebsd = {
    .platform = WG_PLATFORM_FREEBSD,
    .strict_ages = WG_AGE_ALL_STRICT /* noise_timer_expired: now > t + age */,
    .data_sent_even_if_send_failed = false,
    .rekey_on_send_needs_ok = true,
    .zero_keys_clears_handshake = false,
    .data_timers_after_send_ok = false,
    .pka_set = WG_PKA_SEND_WHEN_CHANGED,
    .rekey_on_receive_once = false,
    .set_endpoint_keeps_source = true,
    .bsd_handshake_complete = true,
    .send_to_peer = bsd_send,
};
static const wg_sourcing sourcing_openbsd = {
    .platform = WG_PLATFORM_OPENBSD,
    .strict_ages = WG_AGE_ALL_STRICT /* noise_timer_expired, wg_timers_expired_handshake_last_sent */,
    .data_sent_even_if_send_failed = false,
    .rekey_on_send_needs_ok = false,
    .zero_keys_clears_handshake = true,
    .data_timers_after_send_ok = true,
    .pka_set = WG_PKA_SEND_ON_EVERY_SET,
    .rekey_on_receive_once = false,
    .set_endpoint_keeps_source = false,
    .bsd_handshake_complete = true,
    .send_to_peer = bsd_send,
};
static const wg_sourcing sourcing_linux = {
    .platform = WG_PLATFORM_LINUX,
    .strict_ages = 0 /* wg_birthdate_has_expired: t + age <= now */,
    .data_sent_even_if_send_failed = false,
    .rekey_on_send_needs_ok = false,
    .zero_keys_clears_handshake = true,
    .data_timers_after_send_ok = false,
    .pka_set = WG_PKA_SEND_WHEN_TURNED_ON,
    .rekey_on_receive_once = true,
    .set_endpoint_keeps_source = false,
    .bsd_handshake_complete = false,
    .send_to_peer = linux_send,
};
static const wg_sourcing sourcing_wggo = {
    .platform = WG_PLATFORM_WIREGUARD_GO,
    .strict_ages = WG_AGE_BIT(WG_AGE_REKEY_SEND) | WG_AGE_BIT(WG_AGE_REKEY_RECV) | WG_AGE_BIT(WG_AGE_REJECT_RECV)
    /* keepKeyFreshSending/Receiving use ">", the decrypt check
     * created.Add(RejectAfterTime).Before(now); SendHandshakeInitiation
     * ("< RekeyTimeout" returns) and SendStagedPackets (">= RejectAfterTime")
     * are not strict */,
    .data_sent_even_if_send_failed = true,
    .rekey_on_send_needs_ok = true,
    .zero_keys_clears_handshake = true,
    .data_timers_after_send_ok = false,
    .pka_set = WG_PKA_SEND_WHEN_TURNED_ON,
    .rekey_on_receive_once = true,
    .set_endpoint_keeps_source = false,
    .bsd_handshake_complete = false,
    .send_to_peer = wggo_send,
};

bool wg_sourcing_age_over(const struct wg_device *dev, wg_age_check c, int64_t since, int64_t age, int64_t now)
{
    if (dev->sourcing->strict_ages & WG_AGE_BIT(c))
        return since + age < now;
    return since + age <= now;
}

const wg_sourcing *wg_sourcing_for(wg_platform p)
{
    switch (p) {
    case WG_PLATFORM_OPENBSD: return &sourcing_openbsd;
    case WG_PLATFORM_LINUX: return &sourcing_linux;
    case WG_PLATFORM_WIREGUARD_GO: return &sourcing_wggo;
    case WG_PLATFORM_FREEBSD:
    default: return &sourcing_freebsd;
    }
}

/* Linux wg_socket_send_buffer_as_reply_to_skb: the received packet's
 * destination and arrival interface go through the same send4/send6 rules
 * as a peer's endpoint, without a route cache and without storing
 * anything back (the endpoint is a temporary). */
static wg_send_result linux_send_reply(struct wg_device *dev, const wg_source *local, const wg_endpoint *remote,
                                       const uint8_t *data, size_t len, enum wg_msg_type type)
{
    const wg_host_ops *h = &dev->host;
    wg_source want = {0};
    if (local && local->addr.family) {
        want = *local;
        if (!h->addr_is_local(h->ctx, &want.addr))
            memset(&want, 0, sizeof want);
    }
    uint32_t ifindex = 0;
    wg_ip chosen = {0};
    bool ok = h->route_lookup(h->ctx, &remote->ip, want.addr.family ? &want.addr : NULL, &ifindex, &chosen);
    if (remote->ip.family == 4 && want.ifindex != 0 && ok && ifindex != want.ifindex) {
        memset(&want, 0, sizeof want);
        ok = h->route_lookup(h->ctx, &remote->ip, NULL, &ifindex, &chosen);
    }
    if (!ok) {
        wg_event ev = {.kind = WG_EV_SEND_ERROR, .peer_id = -1, .endpoint = *remote,
                       .send_result = WG_SEND_UNREACHABLE, .msg_type = type};
        wg_emit(dev, &ev);
        return WG_SEND_UNREACHABLE;
    }
    wg_source src = {.addr = chosen, .ifindex = 0};
    return host_send(dev, NULL, &src, remote, data, len, type, false,
                     want.addr.family ? WG_SRC_LEARNED : WG_SRC_NONE);
}

wg_send_result wg_sourcing_send_reply(struct wg_device *dev, const wg_source *local, const wg_endpoint *remote,
                                      const uint8_t *data, size_t len, enum wg_msg_type type)
{
    /* Cookie replies leave from the address the answered packet arrived on:
     * the BSDs answer with the received packet's endpoint pair through
     * wg_send_buf (FreeBSD/OpenBSD wg_send_cookie), wireguard-go with the
     * received packet's sticky endpoint, Linux from the received
     * destination (ref "Cookie replies are sent from the received packet's
     * destination"; send4's interface check with
     * WG_OPT_LINUX_COOKIE_REPLY_AS_CODE, above). */
    const wg_host_ops *h = &dev->host;
    if (dev->platform == WG_PLATFORM_LINUX && (dev->options & WG_OPT_LINUX_COOKIE_REPLY_AS_CODE) && h->route_lookup &&
        h->addr_is_local)
        return linux_send_reply(dev, local, remote, data, len, type);
    wg_source src = {0};
    if (local && local->addr.family) {
        src.addr = local->addr;
        if (dev->platform == WG_PLATFORM_WIREGUARD_GO)
            src.ifindex = local->ifindex;
    }
    wg_source_reason reason = src.addr.family ? WG_SRC_LEARNED : WG_SRC_NONE;
    wg_send_result r = host_send(dev, NULL, &src, remote, data, len, type, false, reason);
    if (src.addr.family == 0)
        return r;
    if (r == WG_SEND_EADDRNOTAVAIL &&
        (dev->platform == WG_PLATFORM_FREEBSD || dev->platform == WG_PLATFORM_OPENBSD)) {
        int tries = dev->platform == WG_PLATFORM_OPENBSD ? OPENBSD_RETRY_CAP : 1;
        wg_source none = {0};
        while (tries-- > 0 && r == WG_SEND_EADDRNOTAVAIL)
            r = host_send(dev, NULL, &none, remote, data, len, type, false, WG_SRC_RETRY_UNBOUND);
    } else if (r == WG_SEND_EINVAL && dev->platform == WG_PLATFORM_WIREGUARD_GO) {
        wg_source none = {0};
        r = host_send(dev, NULL, &none, remote, data, len, type, false, WG_SRC_RETRY_UNBOUND);
    }
    return r;
}

void wg_sourcing_routes_changed(struct wg_device *dev, wg_peer *peer)
{
    switch (dev->platform) {
    case WG_PLATFORM_WIREGUARD_GO: {
        /* The route listener (device/sticky_linux.go routineRouteListener)
         * asks RTM_GETROUTE for each IPv4 peer whose sticky endpoint has a
         * source interface, with the destination, the sticky source and the
         * fwmark, and clears the source (clearSrcOnTx) when the answer's
         * output interface differs. Peers without a source interface index
         * are not asked; a failed lookup (no RTM_NEWROUTE answer) changes
         * nothing. */
        if (!dev->host.route_lookup || !peer->has_endpoint || peer->endpoint.ip.family != 4 || !has_source(peer) ||
            peer->src.ifindex == 0)
            break;
        uint32_t ifindex = 0;
        wg_ip chosen = {0};
        if (dev->host.route_lookup(dev->host.ctx, &peer->endpoint.ip, &peer->src.addr, &ifindex, &chosen) &&
            ifindex != peer->src.ifindex)
            wg_sourcing_clear(dev, peer);
        break;
    }
    default:
        break;
    }
}
