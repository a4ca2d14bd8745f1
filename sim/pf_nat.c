/*
 * pf_nat.c — outbound NAT rules: matching and source port allocation.
 *
 * Sources: ha-model.md §2 "pf timeouts and NAT ports" (PFCTL, pf_lb.c) and
 * FreeBSD sys/netpfil/pf/pf_lb.c (pf_get_translation, pf_get_sport).
 * - Rules are evaluated in order on the outgoing interface; the first match
 *   translates (pf "nat" rules are first-match).
 * - Source `self` is pfSense "This Firewall (self)": every address of the
 *   node, CARP VIPs included, so the firewall's own packets match.
 * - translate: an address, or `interface` = the interface's primary
 *   address ("(wan)").
 * - Ports: 50001-65535, a start drawn uniformly from the node's seeded
 *   stream (arc4random in pf_get_sport), the first free port upward from
 *   it, then downward from start-1. A port is free when no state has the
 *   resulting wire key (pf_find_state_all). static-port keeps the source
 *   port if free, else the translation fails and the packet is dropped
 *   (PFRES_MAPFAILED).
 * - ICMP echo: the id plays the port (pf_get_sport uses 1-65535 for it);
 *   the model keeps the id when free, like static-port, else searches the
 *   same way in 1-65535.
 */
#include "sim/pf.h"

#include <string.h>

bool pf_addr_match_test(const pf *p, const pf_addr_match *m, uint32_t addr)
{
    bool r;
    switch (m->kind) {
    case PF_ADDR_ANY:
        r = true;
        break;
    case PF_ADDR_SELF:
        r = p->ops.is_self && p->ops.is_self(p->ops.ctx, addr);
        break;
    case PF_ADDR_PREFIX: {
        uint32_t mask = m->plen == 0 ? 0 : m->plen >= 32 ? 0xffffffffu : ~((1u << (32 - m->plen)) - 1);
        r = (addr & mask) == (m->addr & mask);
        break;
    }
    case PF_ADDR_IFADDR:
        r = p->ops.iface_has_addr && p->ops.iface_has_addr(p->ops.ctx, m->ifname, addr);
        break;
    case PF_ADDR_IFNET:
        r = p->ops.iface_net_contains && p->ops.iface_net_contains(p->ops.ctx, m->ifname, addr);
        break;
    default:
        r = false;
    }
    return m->neg ? !r : r;
}

int pf_nat_match(const pf *p, const char *ifname, const pf_pkt *pkt)
{
    for (size_t i = 0; i < p->n_nat; i++) {
        const pf_nat_rule *r = &p->nat[i];
        if (r->ifname[0] && strcmp(r->ifname, ifname) != 0)
            continue;
        if (r->proto && r->proto != pkt->proto)
            continue;
        if (!pf_addr_match_test(p, &r->src, pkt->src) || !pf_addr_match_test(p, &r->dst, pkt->dst))
            continue;
        if (r->sport && r->sport != pkt->sport)
            continue;
        return (int)i;
    }
    return -1;
}

static bool port_free(pf *p, const pf_pkt *pkt, uint32_t naddr, uint16_t port)
{
    /* The wire key the translated packet would create, in pf orientation
     * for an outbound packet: [0] = destination, [1] = translated source. */
    pf_key k = {.proto = pkt->proto};
    k.addr[0] = pkt->dst;
    k.port[0] = pkt->proto == PF_PROTO_ICMP ? port : pkt->dport;
    k.addr[1] = naddr;
    k.port[1] = port;
    return pf_state_find_any(p, &k) == NULL;
}

bool pf_nat_translate(pf *p, int ri, const char *ifname, const pf_pkt *pkt, uint32_t *naddr, uint16_t *nport)
{
    const pf_nat_rule *r = &p->nat[ri];
    if (r->to_interface) {
        if (!p->ops.iface_addr || !p->ops.iface_addr(p->ops.ctx, r->ifname[0] ? r->ifname : ifname, naddr))
            return false;
    } else {
        *naddr = r->to_addr;
    }
    bool has_ports = pkt->proto == PF_PROTO_UDP || pkt->proto == PF_PROTO_TCP || pkt->proto == PF_PROTO_ICMP;
    if (!has_ports) {
        *nport = pkt->sport;
        return true;
    }
    if (r->static_port || pkt->proto == PF_PROTO_ICMP) {
        /* pf_get_sport with low == high == 0: keep the port if free. */
        if (port_free(p, pkt, *naddr, pkt->sport)) {
            *nport = pkt->sport;
            return true;
        }
        if (r->static_port)
            return false;
    }
    uint32_t low = pkt->proto == PF_PROTO_ICMP ? 1 : p->opt.nat_port_low;
    uint32_t high = pkt->proto == PF_PROTO_ICMP ? 65535 : p->opt.nat_port_high;
    uint32_t cut = low + (uint32_t)sim_rng_below(p->rng, (uint64_t)(high - low) + 1);
    for (uint32_t t = cut; t <= high; t++)
        if (port_free(p, pkt, *naddr, (uint16_t)t)) {
            *nport = (uint16_t)t;
            return true;
        }
    for (uint32_t t = cut; t-- > low;)
        if (port_free(p, pkt, *naddr, (uint16_t)t)) {
            *nport = (uint16_t)t;
            return true;
        }
    return false;
}
