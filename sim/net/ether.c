/*
 * ether.c — Ethernet II framing: building frames (padded to the 60-byte
 * minimum), the receive filter on the destination MAC (own, broadcast,
 * multicast, or a MAC the CARP model accepts) and dispatch by ethertype.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

sim_frame *sim_frame_new(sim_world *w, size_t len)
{
    /* Not calloc'ed: zeroing the ~250-byte header and the data, which the
     * caller writes anyway, was most of a frame's cost. reason is read
     * only when has_reason is set. */
    sim_frame *f = sim_buf_get(w, sizeof *f + len, "building a frame");
    f->id = w->next_frame_id++;
    f->has_reason = false;
    f->origin_node = -1;
    f->len = len;
    return f;
}

void sim_frame_free(sim_world *w, sim_frame *f)
{
    if (f)
        sim_buf_put(w, f, sizeof *f + f->len);
}

static void tap_out(sim_iface *ifp, const sim_frame *f)
{
    sim_world *w = ifp->node->w;
    sim_trace_frame(w, SIM_DIR_OUT, ifp->node, ifp, ifp->seg, f);
    sim_time now = sim_now(w->eng);
    for (size_t i = 0; i < ifp->n_caps; i++)
        sim_capture_frame(ifp->caps[i], now, f->data, f->len);
}

sim_err sim_ether_output(sim_iface *ifp, const sim_mac *dst, const sim_mac *src, uint16_t ethertype,
                         const uint8_t *payload, size_t len, const sim_src_reason *reason, int origin_node)
{
    sim_node *n = ifp->node;
    if (ifp->kind != SIM_IFACE_ETHERNET)
        return SIM_EINVAL;
    if (!n->powered) {
        n->drops[SIM_DROP_POWERED_OFF]++;
        return SIM_ENETDOWN;
    }
    size_t flen = ETH_HDR_LEN + len;
    if (flen < ETH_MIN_FRAME)
        flen = ETH_MIN_FRAME;
    sim_frame *f = sim_frame_new(n->w, flen);
    memcpy(f->data, dst->b, 6);
    memcpy(f->data + 6, (src ? src : &ifp->mac)->b, 6);
    f->data[12] = (uint8_t)(ethertype >> 8);
    f->data[13] = (uint8_t)ethertype;
    memcpy(f->data + ETH_HDR_LEN, payload, len);
    if (flen > ETH_HDR_LEN + len) /* padding to the minimum frame (a call to memset for 0 bytes otherwise) */
        memset(f->data + ETH_HDR_LEN + len, 0, flen - ETH_HDR_LEN - len);
    if (reason) {
        f->has_reason = true;
        f->reason = *reason;
    }
    f->origin_node = origin_node;
    /* No carrier: the driver drops what it is handed (the BPF tap of a
     * real stack would still see it; the model records nothing). */
    if (!ifp->link_up || !ifp->seg) {
        sim_node_drop_frame(n, ifp->ifindex, SIM_DROP_LINK_DOWN, f->data, f->len, "no carrier");
        sim_frame_free(n->w, f);
        return SIM_OK;
    }
    tap_out(ifp, f);
    sim_segment_transmit(ifp->seg, ifp, f);
    return SIM_OK;
}

sim_err sim_iface_send_frame(sim_iface *ifp, const sim_mac *dst, const sim_mac *src, uint16_t ethertype,
                             const uint8_t *payload, size_t len)
{
    return sim_ether_output(ifp, dst, src, ethertype, payload, len, NULL, ifp->node->id);
}

static bool accepts(sim_iface *ifp, const sim_mac *dst)
{
    if (sim_mac_eq(dst, &ifp->mac) || (dst->b[0] & 1)) /* own, broadcast or multicast */
        return true;
    sim_node *n = ifp->node;
    return n->has_l2 && n->l2.accept_mac && n->l2.accept_mac(n->l2.ctx, ifp, dst);
}

void sim_ether_input(sim_iface *ifp, const sim_frame *f)
{
    sim_node *n = ifp->node;
    /* Off or without carrier, nothing is received; counted, not logged
     * (periodic traffic such as CARP adverts would flood the log). */
    if (!n->powered) {
        n->drops[SIM_DROP_POWERED_OFF]++;
        return;
    }
    if (!ifp->link_up) {
        n->drops[SIM_DROP_LINK_DOWN]++;
        return;
    }
    if (f->len < ETH_HDR_LEN) {
        sim_node_drop_frame(n, ifp->ifindex, SIM_DROP_MALFORMED, f->data, f->len, "runt frame of %zu bytes", f->len);
        return;
    }
    sim_mac dst;
    memcpy(dst.b, f->data, 6);
    if (!accepts(ifp, &dst))
        return; /* not for us: a switch would not have sent it here */
    sim_world *w = n->w;
    sim_trace_frame(w, SIM_DIR_IN, n, ifp, ifp->seg, f);
    sim_time now = sim_now(w->eng);
    for (size_t i = 0; i < ifp->n_caps; i++)
        sim_capture_frame(ifp->caps[i], now, f->data, f->len);
    uint16_t type = (uint16_t)(f->data[12] << 8 | f->data[13]);
    const uint8_t *p = f->data + ETH_HDR_LEN;
    size_t len = f->len - ETH_HDR_LEN;
    switch (type) {
    case ETHERTYPE_ARP:
        sim_arp_input(ifp, p, len);
        break;
    case ETHERTYPE_IPV4: {
        /* what this frame causes synchronously (a WireGuard endpoint
         * change, ...) cites it; nested deliveries restore the outer one */
        const sim_frame *outer = w->rx_frame;
        uint32_t outer_if = w->rx_ifindex;
        w->rx_frame = f;
        w->rx_ifindex = ifp->ifindex;
        sim_ipv4_input(ifp, p, len, f);
        w->rx_frame = outer;
        w->rx_ifindex = outer_if;
        break;
    }
    default:
        sim_node_drop_frame(n, ifp->ifindex, SIM_DROP_UNKNOWN_ETHERTYPE, f->data, f->len, "no handler");
        break;
    }
}
