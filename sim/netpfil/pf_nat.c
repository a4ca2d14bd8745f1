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
 * - ICMP echo: the id plays the port; pf_get_sport (FreeBSD 14 pf_lb.c)
 *   sets the range to 1-65535 for echo before anything else, so the id is
 *   always searched from a random start there, static-port or not.
 * - Mapping modes for routers (docs/scenario-language.md `mapping`):
 *   endpoint-independent = one public port per inside addr:port whatever
 *   the destination (RFC 4787 EIM), the inside port kept when free
 *   (port preservation, as Linux masquerading does), and inbound packets to
 *   the public port from any remote let in (full-cone-like); symmetric = a
 *   new randomised port per destination (the pf search above).
 */
#include "sim/netpfil/pf.h"

#include <stdio.h>
#include <stdlib.h>
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

bool pf_flow_match(const pf *p, uint8_t proto, const pf_addr_match *src, const pf_addr_match *dst, uint16_t sport,
                   uint16_t dport, const pf_pkt *pkt)
{
    return (!proto || proto == pkt->proto) && pf_addr_match_test(p, src, pkt->src) &&
           pf_addr_match_test(p, dst, pkt->dst) && (!sport || sport == pkt->sport) && (!dport || dport == pkt->dport);
}

bool pf_kif_match(const pf *p, const char *rule_if, bool group, const char *ifname)
{
    if (!rule_if[0] || !strcmp(rule_if, ifname))
        return true;
    /* A group kif matches every interface whose group list holds it. */
    return group && p->ops.iface_in_group && p->ops.iface_in_group(p->ops.ctx, rule_if, ifname);
}

int pf_nat_match(const pf *p, const char *ifname, const pf_pkt *pkt)
{
    for (size_t i = 0; i < p->n_nat; i++) {
        const pf_nat_rule *r = &p->nat[i];
        if (!pf_kif_match(p, r->ifname, r->group, ifname))
            continue;
        if (pf_flow_match(p, r->proto, &r->src, &r->dst, r->sport, r->dport, pkt))
            return (int)i;
    }
    return -1;
}

static bool eim_live(const pf *p, const pf_eim *m) { return sim_now(p->eng) < m->last_used + m->timeout; }

static pf_eim *eim_find_inside(pf *p, uint8_t proto, const char *ifname, uint32_t a, uint16_t port)
{
    for (size_t i = 0; i < p->n_eim; i++) {
        pf_eim *m = &p->eim[i];
        if (m->proto == proto && m->in_addr == a && m->in_port == port && !strcmp(m->ifname, ifname) &&
            eim_live(p, m))
            return m;
    }
    return NULL;
}

pf_eim *pf_eim_find_public(pf *p, uint8_t proto, const char *ifname, uint32_t addr, uint16_t port)
{
    for (size_t i = 0; i < p->n_eim; i++) {
        pf_eim *m = &p->eim[i];
        if (m->proto == proto && m->pub_addr == addr && m->pub_port == port &&
            (!ifname || !strcmp(m->ifname, ifname)) && eim_live(p, m))
            return m;
    }
    return NULL;
}

void pf_eim_touch(pf *p, const pf_state *s)
{
    if (s->nat_rule < 0 || (size_t)s->nat_rule >= p->n_nat || p->nat[s->nat_rule].mapping != PF_MAP_EIM)
        return;
    /* The inside end is index 1 of the stack key for outbound states and
     * for inbound states made through the mapping alike. */
    pf_eim *m = eim_find_inside(p, s->stack.proto, s->ifname[0] ? s->ifname : p->nat[s->nat_rule].ifname,
                                s->stack.addr[1], s->stack.port[1]);
    if (m)
        m->last_used = sim_now(p->eng);
}

static bool eim_add(pf *p, int ri, const char *ifname, const pf_pkt *pkt, uint32_t naddr, uint16_t nport)
{
    /* Reuse a dead slot first. */
    pf_eim *m = NULL;
    for (size_t i = 0; i < p->n_eim && !m; i++)
        if (!eim_live(p, &p->eim[i]))
            m = &p->eim[i];
    if (!m) {
        if (p->n_eim == p->cap_eim) {
            size_t nc = p->cap_eim ? 2 * p->cap_eim : 16;
            pf_eim *ne = realloc(p->eim, nc * sizeof *ne);
            if (!ne)
                return false;
            p->eim = ne;
            p->cap_eim = nc;
        }
        m = &p->eim[p->n_eim++];
    }
    memset(m, 0, sizeof *m);
    m->proto = pkt->proto;
    snprintf(m->ifname, sizeof m->ifname, "%s", ifname);
    m->in_addr = pkt->src;
    m->in_port = pkt->sport;
    m->pub_addr = naddr;
    m->pub_port = nport;
    m->last_used = sim_now(p->eng);
    /* The mapping lives as long as a UDP state would: the rule's
     * udp-timeout, else pf's udp.multiple. */
    m->timeout = p->nat[ri].udp_timeout > 0 ? p->nat[ri].udp_timeout : p->opt.timeout[PF_CLASS_UDP][PFTM_MULTIPLE];
    m->nat_rule = ri;
    return true;
}

static bool port_free(pf *p, const pf_pkt *pkt, uint32_t naddr, uint16_t port)
{
    /* A public port held by an endpoint-independent mapping of another
     * inside endpoint is taken. */
    for (size_t i = 0; i < p->n_eim; i++) {
        const pf_eim *m = &p->eim[i];
        if (m->proto == pkt->proto && m->pub_addr == naddr && m->pub_port == port &&
            !(m->in_addr == pkt->src && m->in_port == pkt->sport) && eim_live(p, m))
            return false;
    }
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
        /* `-> (if)`: the rule's interface; on a group (or any interface)
         * the one the packet leaves by, a group having no address of its own. */
        if (!p->ops.iface_addr || !p->ops.iface_addr(p->ops.ctx, r->ifname[0] && !r->group ? r->ifname : ifname, naddr))
            return false;
    } else {
        *naddr = r->to_addr;
    }
    bool has_ports = pkt->proto == PF_PROTO_UDP || pkt->proto == PF_PROTO_TCP || pkt->proto == PF_PROTO_ICMP;
    if (!has_ports) {
        *nport = pkt->sport;
        return true;
    }
    if (r->mapping == PF_MAP_EIM && pkt->proto != PF_PROTO_ICMP) {
        pf_eim *m = eim_find_inside(p, pkt->proto, ifname, pkt->src, pkt->sport);
        if (m && m->pub_addr == *naddr && port_free(p, pkt, *naddr, m->pub_port)) {
            m->last_used = sim_now(p->eng);
            *nport = m->pub_port;
            return true;
        }
        /* port preservation, then the search below */
        if (port_free(p, pkt, *naddr, pkt->sport)) {
            *nport = pkt->sport;
            return eim_add(p, ri, ifname, pkt, *naddr, *nport);
        }
        if (r->static_port)
            return false;
    } else if (r->static_port && pkt->proto != PF_PROTO_ICMP) {
        /* pf_get_sport with low == high == 0: keep the port if free. An
         * ICMP echo never takes this path: pf_get_sport sets low = 1,
         * high = 65535 for echo first, static-port or not. */
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
    bool found = false;
    for (uint32_t t = cut; t <= high && !found; t++)
        if (port_free(p, pkt, *naddr, (uint16_t)t)) {
            *nport = (uint16_t)t;
            found = true;
        }
    for (uint32_t t = cut; !found && t-- > low;)
        if (port_free(p, pkt, *naddr, (uint16_t)t)) {
            *nport = (uint16_t)t;
            found = true;
        }
    if (found && r->mapping == PF_MAP_EIM && pkt->proto != PF_PROTO_ICMP)
        return eim_add(p, ri, ifname, pkt, *naddr, *nport);
    return found;
}

int pf_rdr_match(const pf *p, const char *ifname, const pf_pkt *pkt)
{
    for (size_t i = 0; i < p->n_rdr; i++) {
        const pf_rdr_rule *r = &p->rdr[i];
        if (!r->ifname[0] || !pf_kif_match(p, r->ifname, r->group, ifname) || r->proto != pkt->proto ||
            r->port != pkt->dport)
            continue;
        if (r->has_dst) {
            if (r->dst_addr != pkt->dst)
                continue;
            return (int)i;
        }
        uint32_t a; /* the address of the interface the packet arrived on (a group has none) */
        if (!p->ops.iface_addr || !p->ops.iface_addr(p->ops.ctx, ifname, &a) || a != pkt->dst)
            continue;
        return (int)i;
    }
    return -1;
}
