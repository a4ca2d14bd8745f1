/*
 * arp.c — ARP (RFC 826) with the FreeBSD neighbour cache rules of
 * sys/netinet/if_ether.c (arpresolve_full, in_arpinput, arptimer):
 *
 *  - one cache per interface (lltable); a resolved entry lives
 *    net.link.ether.inet.max_age = 1200 s (arpt_keep);
 *  - a packet for an unresolved neighbour creates an incomplete entry and
 *    is held; at most net.link.ether.inet.maxhold = 16 packets are held,
 *    the oldest dropped beyond that;
 *  - a request is (re)sent when a packet is held and no request went out
 *    in the same second (la_expire != time_uptime), each resetting the
 *    incomplete entry's life to net.link.ether.inet.wait = 20 s (arpt_down);
 *    after that the entry and its held packets are dropped;
 *  - after net.link.ether.inet.maxtries = 5 requests the send returns
 *    EHOSTUNREACH (gateway) or EHOSTDOWN (on-link) while still asking;
 *  - a received ARP updates an existing entry for its sender (this is how
 *    gratuitous ARP moves a VIP) and creates one only when it targets one
 *    of our addresses; requests for our addresses are answered;
 *  - a resolved entry is deleted when its max_age runs out (arptimer), so
 *    after that a gratuitous ARP no longer updates it and the next packet
 *    starts a new resolution.
 * The refresh of used entries before expiry (arptimer's ARP_LLINFO_VERIFY
 * unicast request) is not modelled: the entry is deleted instead.
 * Linux neighbour tables differ (ucast_solicit, unres_qlen); every platform
 * uses these rules (docs/models.md).
 */
#include "sim/net/net.h"
#include "sim/record/history.h"

#include <stdlib.h>
#include <string.h>

#define ARP_LEN 28

static size_t ht_hash(const wg_ip *ip, size_t cap)
{
    uint32_t v = wg_ip4_to_u32(ip) * 2654435761u;
    return (size_t)(v ^ (v >> 16)) & (cap - 1);
}

static void ht_rebuild(sim_iface *ifp)
{
    size_t cap = 4; /* a host's interface usually knows one or two neighbours */
    while (cap < ifp->n_arp * 2 + 2)
        cap *= 2;
    free(ifp->arp_ht);
    ifp->arp_ht = calloc(cap, sizeof *ifp->arp_ht);
    if (!ifp->arp_ht)
        sim_oom("growing an ARP table");
    ifp->arp_ht_cap = cap;
    for (size_t i = 0; i < ifp->n_arp; i++) {
        size_t h = ht_hash(&ifp->arp[i]->ip, cap);
        while (ifp->arp_ht[h])
            h = (h + 1) & (cap - 1);
        ifp->arp_ht[h] = ifp->arp[i];
    }
}

static sim_arp_slot *find(const sim_iface *ifp, const wg_ip *ip)
{
    if (!ifp->arp_ht)
        return NULL;
    size_t h = ht_hash(ip, ifp->arp_ht_cap);
    sim_touch(&ifp->arp_ht[h]);
    while (ifp->arp_ht[h]) {
        sim_touch(ifp->arp_ht[h]);
        sim_touch(&ifp->arp_ht[h]->ifp); /* its second line */
        if (wg_ip_eq(&ifp->arp_ht[h]->ip, ip))
            return ifp->arp_ht[h];
        h = (h + 1) & (ifp->arp_ht_cap - 1);
    }
    return NULL;
}

static void drop_held(sim_arp_slot *s, sim_drop_reason r)
{
    sim_node *n = s->ifp->node;
    char b[WG_IP_STRLEN];
    for (size_t i = 0; i < s->n_held; i++) {
        sim_node_drop_ip(n, s->ifp->ifindex, r, s->held[i].data, s->held[i].len, NULL,
                         "held while resolving %s", wg_ip_format(&s->ip, b));
        free(s->held[i].data);
    }
    free(s->held);
    s->held = NULL;
    s->n_held = 0;
}

static void to_entry(const sim_arp_slot *s, sim_arp_entry *out);

/* The change log (state as of T) follows every change of an entry. */
static void log_slot(const sim_arp_slot *s, bool gone)
{
    sim_node *n = s->ifp->node;
    if (!sim_hist_on(n->w, SIM_HIST_ARP))
        return;
    sim_arp_entry e;
    to_entry(s, &e);
    sim_hist_log_arp(n->w, n->id, s->ifp->ifindex, &s->ip, gone ? NULL : &e);
}

static void remove_slot(sim_arp_slot *s)
{
    sim_iface *ifp = s->ifp;
    log_slot(s, true);
    for (size_t i = 0; i < ifp->n_arp; i++)
        if (ifp->arp[i] == s) {
            memmove(&ifp->arp[i], &ifp->arp[i + 1], (ifp->n_arp - i - 1) * sizeof *ifp->arp);
            ifp->n_arp--;
            break;
        }
    ht_rebuild(ifp);
    sim_cancel(ifp->node->w->eng, s->timer);
    free(s->held);
    free(s);
}

/* Frees every entry of ifp; with `drop`, held packets are counted first
 * (in creation order). */
static void clear(sim_iface *ifp, bool drop, sim_drop_reason r)
{
    sim_engine *e = ifp->node->w->eng;
    for (size_t k = 0; k < ifp->n_arp; k++) {
        sim_arp_slot *s = ifp->arp[k];
        log_slot(s, true);
        if (drop)
            drop_held(s, r);
        for (size_t i = 0; i < s->n_held; i++)
            free(s->held[i].data);
        free(s->held);
        sim_cancel(e, s->timer);
        free(s);
    }
    ifp->n_arp = 0;
    free(ifp->arp_ht);
    ifp->arp_ht = NULL;
    ifp->arp_ht_cap = 0;
}

void sim_arp_clear_iface(sim_iface *ifp) { clear(ifp, false, SIM_DROP_NONE); }

void sim_arp_flush(sim_node *n)
{
    for (size_t i = 0; i < n->n_ifs; i++)
        clear(n->ifs[i], true, n->powered ? SIM_DROP_ARP_TIMEOUT : SIM_DROP_POWERED_OFF);
}

static sim_arp_slot *new_slot(sim_iface *ifp, const wg_ip *ip)
{
    sim_arp_slot *s = calloc(1, sizeof *s);
    if (!s)
        sim_oom("adding an ARP entry");
    s->ip = *ip;
    s->ifp = ifp;
    s->last_request = -1;
    VEC_GROW(ifp->arp, ifp->n_arp, ifp->cap_arp);
    ifp->arp[ifp->n_arp++] = s;
    if (ifp->n_arp * 2 + 2 > ifp->arp_ht_cap) {
        ht_rebuild(ifp);
    } else {
        size_t h = ht_hash(ip, ifp->arp_ht_cap);
        while (ifp->arp_ht[h])
            h = (h + 1) & (ifp->arp_ht_cap - 1);
        ifp->arp_ht[h] = s;
    }
    return s;
}

static void build(uint8_t out[ARP_LEN], uint16_t op, const sim_mac *sha, const wg_ip *spa, const sim_mac *tha,
                  const wg_ip *tpa)
{
    out[0] = 0, out[1] = 1;       /* hardware: Ethernet */
    out[2] = 0x08, out[3] = 0x00; /* protocol: IPv4 */
    out[4] = 6, out[5] = 4;
    out[6] = (uint8_t)(op >> 8), out[7] = (uint8_t)op;
    memcpy(out + 8, sha->b, 6);
    memcpy(out + 14, spa->b, 4);
    memcpy(out + 18, tha->b, 6);
    memcpy(out + 24, tpa->b, 4);
}

static sim_src_reason arp_reason(void)
{
    sim_src_reason r = {0};
    r.kind = SIM_SRC_ARP;
    return r;
}

/* arprequest_internal with sip == NULL: the first address of the interface
 * whose network holds the target (CARP addresses only while MASTER, then
 * with the vMAC); with no match the last address considered. */
static void send_request(sim_iface *ifp, const wg_ip *tip)
{
    sim_node *n = ifp->node;
    const sim_addr *sip = NULL;
    sim_mac enaddr = ifp->mac;
    for (size_t i = 0; i < ifp->n_addrs; i++) {
        const sim_addr *a = &ifp->addrs[i];
        sim_mac m = ifp->mac;
        if (a->is_carp) {
            if (!(n->has_l2 && n->l2.addr_is_master && n->l2.addr_is_master(n->l2.ctx, ifp, a)))
                continue;
            if (n->l2.arp_answer)
                n->l2.arp_answer(n->l2.ctx, ifp, a, &m);
        }
        sip = a;
        enaddr = m;
        uint32_t mask = a->plen ? ~UINT32_C(0) << (32 - a->plen) : 0;
        if (((wg_ip4_to_u32(&a->ip) ^ wg_ip4_to_u32(tip)) & mask) == 0)
            break;
    }
    if (!sip)
        return; /* "cannot find matching address": EADDRNOTAVAIL, nothing sent */
    uint8_t p[ARP_LEN];
    sim_mac zero = {{0}};
    build(p, 1, &enaddr, &sip->ip, &zero, tip);
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    sim_event_log(n->w, SIM_EV_ARP, n, ifp->ifindex, NULL, "%s/%s who-has %s tell %s", n->name, ifp->name,
                  wg_ip_format(tip, b1), wg_ip_format(&sip->ip, b2));
    sim_src_reason r = arp_reason();
    sim_ether_output(ifp, &sim_mac_broadcast, &enaddr, ETHERTYPE_ARP, p, sizeof p, &r, n->id);
}

sim_err sim_arp_announce(sim_iface *ifp, const wg_ip *ip, const sim_mac *mac)
{
    sim_node *n = ifp->node;
    if (ifp->kind != SIM_IFACE_ETHERNET || ip->family != 4)
        return SIM_EINVAL;
    const sim_mac *sha = mac ? mac : &ifp->mac;
    uint8_t p[ARP_LEN];
    sim_mac zero = {{0}};
    build(p, 1, sha, ip, &zero, ip);
    char b1[WG_IP_STRLEN], m[SIM_MAC_STRLEN];
    sim_event_log(n->w, SIM_EV_ARP, n, ifp->ifindex, NULL, "%s/%s gratuitous ARP %s is-at %s", n->name,
                  ifp->name, wg_ip_format(ip, b1), sim_mac_format(sha, m));
    sim_src_reason r = arp_reason();
    return sim_ether_output(ifp, &sim_mac_broadcast, sha, ETHERTYPE_ARP, p, sizeof p, &r, n->id);
}

static void incomplete_expired(void *arg)
{
    sim_arp_slot *s = arg;
    sim_node *n = s->ifp->node;
    s->timer = 0;
    char b[WG_IP_STRLEN];
    sim_event_log(n->w, SIM_EV_ARP, n, s->ifp->ifindex, NULL, "%s/%s %s unresolved after %u requests",
                  n->name, s->ifp->name, wg_ip_format(&s->ip, b), s->asked);
    drop_held(s, SIM_DROP_ARP_TIMEOUT);
    remove_slot(s);
}

/* arptimer on a resolved entry whose max_age ran out: deleted. */
static void resolved_expired(void *arg)
{
    sim_arp_slot *s = arg;
    sim_node *n = s->ifp->node;
    s->timer = 0;
    char b[WG_IP_STRLEN];
    sim_event_log(n->w, SIM_EV_ARP, n, s->ifp->ifindex, NULL, "%s/%s %s expired", n->name, s->ifp->name,
                  wg_ip_format(&s->ip, b));
    remove_slot(s);
}

/* The entry is (re)confirmed now: valid for max_age from now. */
static void set_resolved(sim_arp_slot *s, const sim_mac *mac, sim_time now)
{
    sim_engine *e = s->ifp->node->w->eng;
    s->mac = *mac;
    s->resolved = true;
    s->expire = now + SIM_ARP_MAX_AGE;
    s->asked = 0;
    sim_cancel(e, s->timer);
    s->timer = sim_schedule_at(e, s->expire, resolved_expired, s);
    log_slot(s, false);
}

static void send_held(sim_arp_slot *s)
{
    sim_held *h = s->held;
    size_t nh = s->n_held;
    s->held = NULL;
    s->n_held = 0;
    for (size_t i = 0; i < nh; i++) {
        sim_ether_output(s->ifp, &s->mac, &h[i].src_mac, ETHERTYPE_IPV4, h[i].data, h[i].len,
                         h[i].has_reason ? &h[i].reason : NULL, h[i].origin_node);
        free(h[i].data);
    }
    free(h);
}

sim_err sim_arp_resolve_send(sim_iface *ifp, const wg_ip *nexthop, bool is_gw, const uint8_t *pkt, size_t len,
                             const sim_mac *src_mac, const sim_src_reason *reason, int origin_node, bool fwd)
{
    sim_node *n = ifp->node;
    sim_time now = sim_now(n->w->eng);
    sim_arp_slot *s = find(ifp, nexthop);
    if (s && s->resolved && s->expire > now)
        return sim_ether_output(ifp, &s->mac, src_mac, ETHERTYPE_IPV4, pkt, len, reason, origin_node);
    if (s && s->resolved) {
        /* Expired at this very instant, before its timer event ran: start over. */
        remove_slot(s);
        s = NULL;
    }
    if (!s)
        s = new_slot(ifp, nexthop);
    /* Hold, dropping the oldest beyond arp_maxhold. */
    if (s->n_held == SIM_ARP_MAXHOLD) {
        char b[WG_IP_STRLEN];
        sim_node_drop_ip(n, ifp->ifindex, SIM_DROP_ARP_HOLD_OVERFLOW, s->held[0].data, s->held[0].len, NULL,
                         "the oldest of %d held while resolving %s", SIM_ARP_MAXHOLD, wg_ip_format(nexthop, b));
        free(s->held[0].data);
        memmove(&s->held[0], &s->held[1], (s->n_held - 1) * sizeof *s->held);
        s->n_held--;
    }
    s->held = realloc(s->held, (s->n_held + 1) * sizeof *s->held);
    if (!s->held)
        sim_oom("holding a packet for ARP resolution");
    sim_held *h = &s->held[s->n_held++];
    memset(h, 0, sizeof *h);
    h->data = malloc(len);
    if (!h->data)
        sim_oom("holding a packet for ARP resolution");
    memcpy(h->data, pkt, len);
    h->len = len;
    h->src_mac = src_mac ? *src_mac : ifp->mac;
    if (reason) {
        h->has_reason = true;
        h->reason = *reason;
    }
    h->origin_node = origin_node;
    h->forwarded = fwd;

    sim_err err = s->asked < SIM_ARP_MAXTRIES ? SIM_OK : (is_gw ? SIM_EHOSTUNREACH : SIM_EHOSTDOWN);
    bool renew = s->asked == 0 || s->last_request / SIM_S != now / SIM_S;
    if (renew) {
        s->last_request = now;
        sim_cancel(n->w->eng, s->timer);
        s->timer = sim_schedule_at(n->w->eng, now + SIM_ARP_DOWN_TIME, incomplete_expired, s);
        s->asked++;
        log_slot(s, false); /* created, or its deadline moved */
        send_request(ifp, nexthop);
    }
    return err;
}

/* Our answer for a request targeting tip on ifp: the MAC to answer with. */
static bool answer_for(sim_iface *ifp, const wg_ip *tip, sim_mac *mac)
{
    sim_node *n = ifp->node;
    for (size_t i = 0; i < ifp->n_addrs; i++) {
        const sim_addr *a = &ifp->addrs[i];
        if (!wg_ip_eq(&a->ip, tip))
            continue;
        if (!a->is_carp) {
            *mac = ifp->mac;
            return true;
        }
        /* CARP: only the MASTER answers, with the vMAC (ha-model.md §1.5). */
        return n->has_l2 && n->l2.arp_answer && n->l2.arp_answer(n->l2.ctx, ifp, a, mac);
    }
    return false;
}

void sim_arp_input(sim_iface *ifp, const uint8_t *p, size_t len)
{
    sim_node *n = ifp->node;
    if (len < ARP_LEN || p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0x00 || p[4] != 6 || p[5] != 4) {
        sim_node_drop(n, ifp->ifindex, SIM_DROP_MALFORMED, "bad ARP header");
        return;
    }
    uint16_t op = (uint16_t)(p[6] << 8 | p[7]);
    if (op != 1 && op != 2) {
        sim_node_drop(n, ifp->ifindex, SIM_DROP_MALFORMED, "ARP op %u", op);
        return;
    }
    sim_mac sha;
    memcpy(sha.b, p + 8, 6);
    wg_ip spa = wg_ip4(p[14], p[15], p[16], p[17]);
    wg_ip tpa = wg_ip4(p[24], p[25], p[26], p[27]);
    if (sim_mac_eq(&sha, &ifp->mac))
        return; /* our own request */
    sim_mac answer_mac;
    bool for_us = answer_for(ifp, &tpa, &answer_mac);
    sim_time now = sim_now(n->w->eng);
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN], m1[SIM_MAC_STRLEN], m2[SIM_MAC_STRLEN];

    /* Never cache one of our own (non-CARP) addresses: a duplicate. */
    const sim_addr *own = sim_node_find_addr(n, &spa, NULL);
    bool sender_is_self = own && !own->is_carp;
    if (!sender_is_self && (spa.b[0] | spa.b[1] | spa.b[2] | spa.b[3])) {
        sim_arp_slot *s = find(ifp, &spa);
        if (s) {
            bool was = s->resolved;
            bool changed = was && !sim_mac_eq(&s->mac, &sha);
            set_resolved(s, &sha, now);
            if (!was)
                sim_event_log(n->w, SIM_EV_ARP, n, ifp->ifindex, NULL, "%s/%s resolved %s is-at %s", n->name,
                              ifp->name, wg_ip_format(&spa, b1), sim_mac_format(&sha, m1));
            else if (changed)
                sim_event_log(n->w, SIM_EV_ARP, n, ifp->ifindex, NULL, "%s/%s updated %s is-at %s%s", n->name,
                              ifp->name, wg_ip_format(&spa, b1), sim_mac_format(&sha, m1),
                              wg_ip_eq(&spa, &tpa) ? " (gratuitous)" : "");
            send_held(s);
        } else if (for_us) {
            s = new_slot(ifp, &spa);
            set_resolved(s, &sha, now);
        }
    }
    if (op == 1 && for_us && !wg_ip_eq(&spa, &tpa)) {
        uint8_t r[ARP_LEN];
        build(r, 2, &answer_mac, &tpa, &sha, &spa);
        sim_event_log(n->w, SIM_EV_ARP, n, ifp->ifindex, NULL, "%s/%s reply %s is-at %s to %s (%s)", n->name,
                      ifp->name, wg_ip_format(&tpa, b1), sim_mac_format(&answer_mac, m1), wg_ip_format(&spa, b2),
                      sim_mac_format(&sha, m2));
        sim_src_reason rr = arp_reason();
        sim_ether_output(ifp, &sha, &answer_mac, ETHERTYPE_ARP, r, sizeof r, &rr, n->id);
    }
}

static void to_entry(const sim_arp_slot *s, sim_arp_entry *out)
{
    *out = (sim_arp_entry){.ip = s->ip,
                           .mac = s->mac,
                           .resolved = s->resolved,
                           .expire = s->resolved ? s->expire : s->last_request + SIM_ARP_DOWN_TIME,
                           .asked = s->asked,
                           .held = s->n_held};
}

bool sim_arp_lookup(const sim_iface *ifp, const wg_ip *ip, sim_arp_entry *out)
{
    sim_arp_slot *s = find(ifp, ip);
    if (!s)
        return false;
    if (out)
        to_entry(s, out);
    return true;
}

size_t sim_arp_count(const sim_iface *ifp) { return ifp->n_arp; }

bool sim_arp_entry_at(const sim_iface *ifp, size_t i, sim_arp_entry *out)
{
    if (i >= ifp->n_arp)
        return false;
    if (out)
        to_entry(ifp->arp[i], out);
    return true;
}
