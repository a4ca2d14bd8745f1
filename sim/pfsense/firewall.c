/*
 * firewall.c — the pfSense-like firewall node: plugs CARP (carp.c), pf
 * (pf_*.c), pfsync (pfsync.c) and the gateway monitor (gateway.c) into the
 * simulated network through its public hooks (sim.h):
 *
 *  - CARP: adverts are real IP protocol 112 packets to 224.0.0.18 (TTL 255,
 *    DSCP 56, DF, Ethernet source = vMAC) sent on the VIP's interface and
 *    received through the protocol handler; the L2 ops make only a MASTER
 *    answer ARP for its VIPs (with the vMAC) and accept frames to the vMAC
 *    (ha-model.md §1.5, ARP/ETH); a MASTER installs the VIP's prefix route
 *    unless a connected route for it exists (INC in_addprefix), going
 *    MASTER -> BACKUP removes it, the address stays (C carp_ifa_delroute);
 *    MASTER -> INIT keeps it (carp_sc_state); deleting the VIP removes it;
 *    becoming MASTER sends one gratuitous ARP per VIP with the vMAC.
 *  - pf: pf_test on the IN hook of the arrival interface and on the OUT
 *    hook of the outgoing interface; translations are written into the
 *    packet; route-to / reply-to move the packet to another interface and
 *    next hop, and pf runs again there, as pf_route does (pf.c).
 *  - pfSense rule generation (ha-model.md §3, FLT filter.inc): per
 *    interface with a gateway, `pass out route-to (if gw) from <if
 *    addresses and VIPs> to !<if networks>`; pass-in rules on such
 *    interfaces get `reply-to (if gw)`; CARP passes (filter.inc "pass quick
 *    proto carp"). An interface has a gateway when a configured gateway
 *    (sim_fw_add_gateway) is on it.
 *  - gateways: dpinger probes are ICMP echo requests from the interface
 *    address to the monitor address; routes via a group follow
 *    fixup_default_gateway on every status change.
 *  - every datagram pf touches records why: SIM_SRC_F_NAT / _REPLY_TO /
 *    _ROUTE_TO and the rule in the packet's source reason.
 */
#include "sim/netinet/carp.h"
#include "sim/pfsense/gateway.h"
#include "sim/net/net.h"
#include "sim/netpfil/pf.h"
#include "sim/netpfil/pfsync.h"
#include "sim/record/history.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_MAX_VIPS 64
#define FW_MAX_FOLLOW 16
#define DSCP_CARP 56          /* net.inet.carp.dscp default (ha-model.md §1.1) */
#define GW_ICMP_ID_BASE 0xd900 /* echo ids of the gateway monitors */

typedef struct fw_vip {
    char ifname[16];
    uint32_t ifindex;
    uint8_t vhid, advbase, advskew;
    wg_prefix addr;
    uint8_t key[CARP_KEY_LEN];
    bool routed; /* its routes are installed (carp_ifa_addroute), see carp_routes */
} fw_vip;

typedef struct fw_follow {
    wg_prefix dst;
    char name[32];
} fw_follow;

/* The first packet of a state created outbound, held by pfsync defer
 * until the peer acks the insert (if_pfsync.c pfsync_defer). */
typedef struct fw_held {
    struct fw_held *next;
    struct sim_fw *f;
    sim_pkt p; /* p.data points at buf */
    uint8_t buf[];
} fw_held;

struct sim_fw {
    sim_pending pend; /* owned by the world: freed at sim_world_free */
    sim_node *n;
    sim_world *w;
    sim_engine *eng;
    sim_fw_options opt;
    bool started;
    bool pf_active;
    bool gateway_down;
    /* CARP */
    carp carp;
    bool carp_live;       /* carp initialised (node up and started) */
    fw_vip vips[FW_MAX_VIPS];
    size_t n_vips;
    bool maintenance;     /* persistent (pfSense config flag) */
    bool carp_disabled;   /* "Temporarily Disable CARP": not persistent */
    /* pf */
    pf pf;
    pf_filter_rule *user_rules;
    char (*user_gw)[32]; /* per user rule: its gateway name or "" */
    size_t n_user_rules;
    bool has_filter;
    pf_rdr_rule *rdr;     /* port forwards, for the associated pass rules */
    size_t n_rdr;
    char note[600];       /* drop notes must outlive the hook call */
    /* route-to of an inbound rule/state, from the IN hook to the ROUTE hook
     * of the same forwarded packet (pf_route at input). */
    const uint8_t *rt_pkt;
    uint32_t rt_in, rt_ifindex;
    wg_ip rt_nexthop;
    pf_rt rt_kind;
    const char *rt_label; /* interned: the rule or state that carried the route-to / reply-to */
    /* pfsync */
    pfsync ps;
    bool has_pfsync;
    char sync_ifname[16];
    fw_held *held;             /* packets pfsync defer holds */
    const uint8_t *skip_pkt;   /* a released held packet: pf does not see it again */
    sim_event_id purge_ev; /* pf purge thread */
    /* gateways */
    gw_set gws;
    fw_follow follow[FW_MAX_FOLLOW];
    size_t n_follow;
};

/* ------------------------------------------------------------------ */
/* small helpers                                                      */
/* ------------------------------------------------------------------ */

static uint32_t u32(const wg_ip *ip) { return wg_ip4_to_u32(ip); }
static wg_ip ip4(uint32_t a) { return wg_ip4_from_u32(a); }

static sim_iface *iface_named(const sim_fw *f, const char *name)
{
    return name && name[0] ? sim_node_iface(f->n, name) : NULL;
}

/* A rule label, kept once in the world: pf rules, states and the source
 * reasons of packets point at it, and no label is ever cut short. */
static const char *lab(sim_fw *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *lab(sim_fw *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = sim_rec_vprintf(fmt, ap);
    va_end(ap);
    const char *c = sim_world_intern(sim_node_world(f->n), t);
    free(t);
    return c;
}

static const char *ifname_of(const sim_fw *f, uint32_t ifindex)
{
    sim_iface *ifp = sim_node_iface_by_index(f->n, ifindex);
    return ifp ? sim_iface_name(ifp) : "";
}

static bool prefix_has(const wg_ip *net, uint8_t plen, uint32_t a)
{
    uint32_t mask = plen == 0 ? 0 : plen >= 32 ? 0xffffffffu : ~((1u << (32 - plen)) - 1);
    return ((u32(net) ^ a) & mask) == 0;
}

const char *sim_carp_state_name(sim_carp_state s) { return carp_state_name((carp_state)s); }
const char *sim_gw_status_name(sim_gw_status s) { return gw_status_name((gw_status)s); }

sim_node *sim_fw_node(const sim_fw *f) { return f->n; }

/* ------------------------------------------------------------------ */
/* pf host callbacks                                                  */
/* ------------------------------------------------------------------ */

static bool cb_is_self(void *ctx, uint32_t a)
{
    sim_fw *f = ctx;
    wg_ip ip = ip4(a);
    return sim_node_find_addr(f->n, &ip, NULL) != NULL;
}

static bool cb_iface_addr(void *ctx, const char *ifname, uint32_t *a)
{
    sim_fw *f = ctx;
    sim_iface *ifp = iface_named(f, ifname);
    const sim_addr *pa = ifp ? sim_iface_primary_addr(ifp) : NULL;
    if (!pa)
        return false;
    *a = u32(&pa->ip);
    return true;
}

/* Does an IPv4 address of the interface match a? As an address (CARP VIPs
 * included: pf's "(wan)" plus pfSense's VIP list) or, with as_net, as one of
 * the interface's networks ("wan:network", CARP VIPs not counted). */
static bool iface_v4_match(const sim_fw *f, const char *ifname, uint32_t a, bool as_net)
{
    sim_iface *ifp = iface_named(f, ifname);
    if (!ifp)
        return false;
    for (size_t i = 0; i < sim_iface_addr_count(ifp); i++) {
        const sim_addr *x = sim_iface_addr_at(ifp, i);
        if (x->ip.family != 4)
            continue;
        if (as_net ? !x->is_carp && prefix_has(&x->ip, x->plen, a) : u32(&x->ip) == a)
            return true;
    }
    return false;
}

static bool cb_iface_has_addr(void *ctx, const char *ifname, uint32_t a)
{
    return iface_v4_match(ctx, ifname, a, false);
}

static bool cb_iface_net_contains(void *ctx, const char *ifname, uint32_t a)
{
    return iface_v4_match(ctx, ifname, a, true);
}

static bool cb_iface_exists(void *ctx, const char *ifname) { return iface_named(ctx, ifname) != NULL; }

/* Does a user filter, NAT or port-forward rule name the interface itself
 * (not through a group)? pfSense gives a rules tab, and so rules of its
 * own, only to an assigned tunnel. */
static bool iface_assigned(const sim_fw *f, const char *ifname)
{
    for (size_t i = 0; i < f->n_user_rules; i++)
        if (!f->user_rules[i].group && !strcmp(f->user_rules[i].ifname, ifname))
            return true;
    for (size_t i = 0; i < f->pf.n_nat; i++)
        if (!f->pf.nat[i].group && !strcmp(f->pf.nat[i].ifname, ifname))
            return true;
    for (size_t i = 0; i < f->n_rdr; i++)
        if (!f->rdr[i].group && !strcmp(f->rdr[i].ifname, ifname))
            return true;
    return false;
}

/* The one interface group modelled: pfSense-pkg-WireGuard's "WireGuard"
 * (wg_globals.inc ifgroupentry), which wg_interface_update_groups
 * (wg_api.inc) joins every tunnel to unless the Interface Group Membership
 * setting is 'none', or 'unassigned' and the tunnel is assigned; the
 * default is 'all' (wg_install.inc wg_defaults_install). A tunnel is a
 * SIM_IFACE_TUNNEL: only WireGuard makes them. */
static bool cb_iface_in_group(void *ctx, const char *group, const char *ifname)
{
    sim_fw *f = ctx;
    sim_iface *ifp = iface_named(f, ifname);
    if (strcmp(group, SIM_FW_WG_GROUP_NAME) != 0 || !ifp || sim_iface_kind_of(ifp) != SIM_IFACE_TUNNEL)
        return false;
    switch (f->opt.wg_group) {
    case SIM_FW_WG_GROUP_NONE: return false;
    case SIM_FW_WG_GROUP_UNASSIGNED: return !iface_assigned(f, ifname);
    default: return true;
    }
}

/* An interface name in a rule, as pf takes it (pfi_kif_get makes a kif for
 * any name, so a rule may name an interface created later: a WireGuard
 * tunnel comes up after the filter is loaded). Sets *group for the
 * WireGuard group's name. */
static bool rule_ifname(const char *name, char out[PF_IFNAMSIZ], bool *group)
{
    if (!name || !name[0] || strlen(name) >= PF_IFNAMSIZ)
        return false;
    snprintf(out, PF_IFNAMSIZ, "%s", name);
    *group = !strcmp(name, SIM_FW_WG_GROUP_NAME);
    return true;
}

static void cb_state_changed(void *ctx, const pf_state *s, pf_sync_kind k)
{
    sim_fw *f = ctx;
    if (f->has_pfsync && sim_node_powered(f->n))
        pfsync_queue(&f->ps, s, k);
}

/* The change log (state as of T) of this node's pf states. */
static void cb_state_log(void *ctx, pf_state *s, pf_log_kind k, sim_time end, sim_pf_end why)
{
    sim_fw *f = ctx;
    const pf *p = &f->pf;
    switch (k) {
    case PF_LOG_NEW: {
        sim_hist_pf_new e = {
            .node = sim_node_id(f->n),
            .creatorid = s->creatorid,
            .ifname = s->ifname,
            .rule = s->rule >= 0 && (size_t)s->rule < p->n_rules ? p->rules[s->rule].label : NULL,
            .nat_rule = s->nat_rule >= 0 && (size_t)s->nat_rule < p->n_nat ? p->nat[s->nat_rule].label : NULL,
            .proto = s->wire.proto,
            .outbound = s->dir == PF_OUT,
            .imported = s->imported,
            .end = end,
        };
        memcpy(e.wire_addr, s->wire.addr, sizeof e.wire_addr);
        memcpy(e.stack_addr, s->stack.addr, sizeof e.stack_addr);
        memcpy(e.wire_port, s->wire.port, sizeof e.wire_port);
        memcpy(e.stack_port, s->stack.port, sizeof e.stack_port);
        s->hist = sim_hist_pf_add(f->w, &e);
        break;
    }
    case PF_LOG_DEADLINE: sim_hist_pf_deadline(f->w, s->hist, end); break;
    case PF_LOG_END: sim_hist_pf_ended(f->w, s->hist, end, why); break;
    }
}

/* CARP and gateway rows of the change log: logged after anything that may
 * have changed them (a row that did not change adds nothing). */
static void log_carp(sim_fw *f)
{
    if (!sim_hist_on(f->w, SIM_HIST_CARP))
        return;
    for (size_t i = 0; i < f->n_vips; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = f->vips[j].vhid == f->vips[i].vhid && !strcmp(f->vips[j].ifname, f->vips[i].ifname);
        sim_fw_carp_info ci;
        if (!seen && sim_fw_carp_info_get(f, f->vips[i].ifname, f->vips[i].vhid, &ci))
            sim_hist_log_carp(f->w, sim_node_id(f->n), &ci);
    }
}

static void log_gateways(sim_fw *f)
{
    if (!sim_hist_on(f->w, SIM_HIST_GATEWAY))
        return;
    for (size_t i = 0; i < f->gws.n; i++) {
        sim_fw_gateway_info gi;
        if (sim_fw_gateway_info_get(f, f->gws.g[i]->name, &gi))
            sim_hist_log_gateway(f->w, sim_node_id(f->n), f->gws.g[i]->name, &gi);
    }
}

static void carp_cb_changed(void *ctx) { log_carp(ctx); }

/* ------------------------------------------------------------------ */
/* rule generation (pfSense filter.inc, ha-model.md §3)               */
/* ------------------------------------------------------------------ */

/* The gateway of an interface (pfSense get_interface_gateway): the first
 * configured gateway on it. Plain static routes do not make an interface
 * a gateway interface, so a routing table without `gateways` is followed
 * as it is. */
static bool iface_gateway(const sim_fw *f, const char *ifname, uint32_t *gw)
{
    for (size_t i = 0; i < f->gws.n; i++)
        if (!strcmp(f->gws.g[i]->ifname, ifname)) {
            *gw = f->gws.g[i]->addr;
            return true;
        }
    return false;
}

static void build_rules(sim_fw *f)
{
    size_t nif = sim_node_iface_count(f->n);
    size_t naddr = 0;
    for (uint32_t i = 1; i <= nif; i++)
        naddr += sim_iface_addr_count(sim_node_iface_by_index(f->n, i));
    size_t cap = 3 + 2 * nif + naddr + f->n_user_rules + f->n_rdr;
    pf_filter_rule *r = calloc(cap, sizeof *r);
    if (!r)
        sim_oom("generating the firewall's rules");
    size_t k = 0;
    /* filter.inc filter_process_carp_rules: "pass quick proto carp no state"
     * (its "block in quick proto carp from (self)" is moot: a segment does
     * not loop a node's own adverts back). */
    r[k] = (pf_filter_rule){.action = PF_PASS, .dir = -1, .proto = CARP_PROTO, .no_state = true};
    r[k++].label = lab(f, "pfSense: pass quick proto carp");
    /* Port forwards: pfSense's "associated filter rule" passes the
     * translated traffic (filter rules see the packet after rdr). */
    for (size_t i = 0; i < f->n_rdr; i++) {
        const pf_rdr_rule *d = &f->rdr[i];
        pf_filter_rule *x = &r[k++];
        *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_IN, .proto = d->proto, .dport = d->to_port, .group = d->group};
        snprintf(x->ifname, sizeof x->ifname, "%s", d->ifname);
        x->dst.kind = PF_ADDR_PREFIX;
        x->dst.addr = d->to_addr;
        x->dst.plen = 32;
        x->label = lab(f, "port forward %s:%u", d->ifname, d->port);
        uint32_t gw;
        if (!f->opt.no_reply_to && iface_gateway(f, d->ifname, &gw)) {
            x->rt = PF_RT_REPLYTO;
            x->rt_addr = gw;
            snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", d->ifname);
        }
    }
    /* User rules, with reply-to added to pass-in rules on gateway
     * interfaces (FLT: unless the rule has its own gateway or reply-to is
     * disabled). Without a filter: an implicit pass in on every interface. */
    size_t nu = f->has_filter ? f->n_user_rules : 0;
    for (size_t i = 0; i < nu; i++) {
        pf_filter_rule *x = &r[k++];
        *x = f->user_rules[i];
        uint32_t gw;
        if (f->user_gw[i][0]) {
            /* A rule's gateway that is down: with "skip rules when gateway
             * is down" off (pfSense default) the rule stays, without its
             * route-to (ha-model.md §3, MISC/FLT); rebuilt on every status
             * change. Existing states keep their route. */
            gateway *g = gw_find(&f->gws, f->user_gw[i]);
            gateway *pool[PF_RT_POOL_MAX];
            size_t np = 0;
            if (!g) {
                /* A gateway group: the usable members of its best tier
                 * (return_gateway_groups_array); with more than one,
                 * filter_generate_gateways writes `route-to { (if gw) ... }
                 * round-robin` (weights and sticky-address not modelled). */
                gw_group *grp = gw_group_find(&f->gws, f->user_gw[i]);
                np = grp ? gw_group_best_tier(grp, pool, PF_RT_POOL_MAX) : 0;
                g = np ? pool[0] : NULL;
            }
            /* A single gateway that is down loses its route-to; a group
             * always has members (Plan B keeps them when all are down). */
            if (g && (np > 0 || g->status != GW_DOWN)) {
                x->rt = PF_RT_ROUTETO;
                x->rt_addr = g->addr;
                snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", g->ifname);
                if (np > 1) {
                    x->rt_n = (uint8_t)np;
                    for (size_t j = 0; j < np; j++) {
                        snprintf(x->rt_pool[j].ifname, sizeof x->rt_pool[j].ifname, "%s", pool[j]->ifname);
                        x->rt_pool[j].addr = pool[j]->addr;
                    }
                }
            }
        } else if (x->action == PF_PASS && x->dir == PF_IN && x->ifname[0] && !f->opt.no_reply_to &&
                   iface_gateway(f, x->ifname, &gw)) {
            x->rt = PF_RT_REPLYTO;
            x->rt_addr = gw;
            snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", x->ifname);
        }
    }
    /* Self traffic (FLT filter_rules_generate, ha-model.md §3 "Self
     * traffic"): per interface with a gateway, `pass out route-to (if gw)
     * from <primary> to !<primary's subnet>`, and the same from each other
     * address of the interface (IP alias or CARP VIP) to !<the primary's
     * subnet> when it lies in it, else to !<its own subnet>. These rules
     * are not `quick`: every quick rule (the CARP pass, port-forward and
     * user rules, all quick in pfSense) wins over them, and among the
     * non-quick ones they come after "pass out all" and win by pf's last
     * match. In a first-match list that is: after the user rules, before
     * the implicit default pass out. */
    if (!f->opt.no_auto_route_to)
        for (uint32_t i = 1; i <= nif; i++) {
            const char *ifn = ifname_of(f, i);
            uint32_t gw;
            sim_iface *ifp = sim_node_iface_by_index(f->n, i);
            const sim_addr *pa = ifp ? sim_iface_primary_addr(ifp) : NULL;
            if (!pa || !iface_gateway(f, ifn, &gw))
                continue;
            for (size_t j = 0; j < sim_iface_addr_count(ifp); j++) {
                const sim_addr *a = sim_iface_addr_at(ifp, j);
                if (a->ip.family != 4)
                    continue;
                bool in_primary = prefix_has(&pa->ip, pa->plen, u32(&a->ip));
                const sim_addr *net = in_primary ? pa : a;
                pf_filter_rule *x = &r[k++];
                *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_OUT, .rt = PF_RT_ROUTETO, .rt_addr = gw};
                x->src = (pf_addr_match){.kind = PF_ADDR_PREFIX, .addr = u32(&a->ip), .plen = 32};
                x->dst = (pf_addr_match){.kind = PF_ADDR_PREFIX, .addr = u32(&net->ip), .plen = net->plen, .neg = true};
                snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", ifn);
                char b[WG_IP_STRLEN];
                x->label = lab(f, "pfSense: let out anything from firewall host itself (%s)",
                         wg_ip_format(&a->ip, b));
            }
        }
    if (!f->has_filter) {
        /* pass in on each gateway interface with reply-to, then pass in on
         * any interface, including ones created later (WireGuard). */
        for (uint32_t i = 1; i <= nif && !f->opt.no_reply_to; i++) {
            const char *ifn = ifname_of(f, i);
            uint32_t gw;
            if (!iface_gateway(f, ifn, &gw))
                continue;
            pf_filter_rule *x = &r[k++];
            *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_IN, .rt = PF_RT_REPLYTO, .rt_addr = gw};
            snprintf(x->ifname, sizeof x->ifname, "%s", ifn);
            snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", ifn);
            x->label = lab(f, "pass in on %s (no filter configured)", ifn);
        }
        pf_filter_rule *x = &r[k++];
        *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_IN};
        x->label = lab(f, "pass in (no filter configured)");
    }
    pf_set_rules(&f->pf, r, k);
    free(r);
}

/* ------------------------------------------------------------------ */
/* pf on the packet path                                              */
/* ------------------------------------------------------------------ */

static bool pkt_summary(const sim_pkt *p, pf_pkt *out, sim_ipv4_info *ip)
{
    if (!sim_ipv4_parse(p->data, p->len, ip))
        return false;
    memset(out, 0, sizeof *out);
    out->proto = ip->proto;
    out->src = u32(&ip->src);
    out->dst = u32(&ip->dst);
    if (ip->mf || ip->frag_off) {
        /* not reassembled (scrub off): pf_test_fragment, no ports */
        out->fragment = true;
        return true;
    }
    if (ip->proto == SIM_IPPROTO_UDP) {
        out->sport = ip->sport;
        out->dport = ip->dport;
        return true;
    }
    if (ip->proto == SIM_IPPROTO_ICMP) {
        /* Echo request/reply: the id is the "port" (pf_test_state_icmp).
         * Other ICMP messages (errors) pass without pf (see docs). */
        if (ip->icmp_type != SIM_ICMP_ECHO && ip->icmp_type != SIM_ICMP_ECHO_REPLY)
            return false;
        out->sport = out->dport = ip->icmp_id;
        return true;
    }
    /* CARP has its own pass rule; other protocols: no ports. */
    return true;
}

static void apply(sim_pkt *p, const pf_pkt *pk)
{
    wg_ip s = ip4(pk->src), d = ip4(pk->dst);
    if (pk->proto == SIM_IPPROTO_ICMP) {
        size_t hl = (size_t)(p->data[0] & 0xf) * 4;
        sim_ipv4_rewrite(p->data, p->len, &s, &d, -1, -1);
        if (hl + 8 <= p->len) {
            p->data[hl + 4] = (uint8_t)(pk->sport >> 8);
            p->data[hl + 5] = (uint8_t)pk->sport;
            sim_ipv4_fix_checksums(p->data, p->len);
        }
        return;
    }
    sim_ipv4_rewrite(p->data, p->len, &s, &d, pk->proto == SIM_IPPROTO_UDP ? pk->sport : -1,
                     pk->proto == SIM_IPPROTO_UDP ? pk->dport : -1);
}

/* What decided a packet's fate, for its source reason: the rule, NAT rule
 * or the state (and the rule that made it; "pfsync" when imported). */
static const char *decider(sim_fw *f, const pf_result *r)
{
    if (!r->label)
        return NULL;
    if (!r->by_state)
        return sim_world_intern(sim_node_world(f->n), r->label);
    return lab(f, "%sstate of \"%s\"", r->state && r->state->imported ? "pfsync " : "", r->label);
}

/* route-to / reply-to in the packet's source reason: how it left this node. */
static void set_rt(sim_pkt *p, const sim_node *n, pf_rt kind, uint32_t ifindex, const wg_ip *gw, const char *rule)
{
    sim_src_reason *x = &p->reason;
    x->flags |= kind == PF_RT_REPLYTO ? SIM_SRC_F_REPLY_TO : SIM_SRC_F_ROUTE_TO;
    x->rt_node = sim_node_id(n);
    x->rt_ifindex = ifindex;
    x->rt_gw = *gw;
    x->rt_rule = rule;
}

static sim_verdict hook_in(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    sim_fw *f = ctx;
    (void)pt;
    f->rt_pkt = NULL; /* a new packet: forget the last one's route-to */
    if (f->gateway_down) {
        p->drop_note = "gateway down";
        return SIM_DROP;
    }
    if (!f->pf_active)
        return SIM_PASS;
    pf_pkt pk;
    sim_ipv4_info ip;
    if (!pkt_summary(p, &pk, &ip) || pk.proto == CARP_PROTO)
        return SIM_PASS;
    pf_result r = pf_test(&f->pf, PF_IN, ifname_of(f, p->in_ifindex), &pk);
    if (r.action != PF_PASS) {
        sim_iface *in = sim_node_iface_by_index(n, p->in_ifindex);
        /* Decrypted tunnel traffic meets the filter on the tunnel: say
         * where the missing pass rule goes. */
        bool tun = r.drop == PF_DROP_RULE && r.rule < 0 && in && sim_iface_kind_of(in) == SIM_IFACE_TUNNEL;
        snprintf(f->note, sizeof f->note, "pf: %s%s%s%s", r.note,
                 tun ? "; traffic from the tunnel needs a pass rule on " : "", tun ? sim_iface_name(in) : "",
                 tun ? " or " SIM_FW_WG_GROUP_NAME : "");
        p->drop_note = f->note;
        p->drop_rule = r.label;
        return SIM_DROP;
    }
    if (r.translated)
        apply(p, &pk);
    sim_iface *to = r.rt != PF_RT_NONE ? sim_node_iface(n, r.rt_ifname) : NULL;
    if (to) {
        /* route-to on an inbound rule (or reply-to of a state made
         * outbound): pf_route sends the packet out of that interface to
         * that gateway instead of the routing table's choice. */
        f->rt_pkt = p->data;
        f->rt_in = p->in_ifindex;
        f->rt_ifindex = sim_iface_index(to);
        f->rt_nexthop = ip4(r.rt_addr);
        f->rt_kind = r.rt;
        f->rt_label = decider(f, &r);
    }
    return SIM_PASS;
}

static sim_verdict hook_route(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    sim_fw *f = ctx;
    (void)n, (void)pt;
    if (!f->rt_pkt || p->local_origin || p->data != f->rt_pkt || p->in_ifindex != f->rt_in)
        return SIM_PASS;
    f->rt_pkt = NULL;
    p->out_ifindex = f->rt_ifindex;
    p->nexthop = f->rt_nexthop;
    p->route = NULL;
    set_rt(p, n, f->rt_kind, f->rt_ifindex, &f->rt_nexthop, f->rt_label);
    return SIM_PASS;
}

static void held_free(fw_held *h)
{
    for (fw_held **pp = &h->f->held; *pp; pp = &(*pp)->next)
        if (*pp == h) {
            *pp = h->next;
            break;
        }
    free(h);
}

static void held_send(void *arg)
{
    /* pfsync_tx: ip_output with M_SKIP_FIREWALL, so pf does not see the
     * packet again. The model keeps the interface and next hop pf chose
     * (route-to included). */
    fw_held *h = arg;
    sim_fw *f = h->f;
    if (sim_node_powered(f->n)) {
        f->skip_pkt = h->p.data;
        sim_ipv4_output(f->n, &h->p, NULL);
        f->skip_pkt = NULL;
    }
    held_free(h);
}

static void held_release(void *arg, bool drop)
{
    /* pfsync_undefer queues the packet for the pfsync software interrupt
     * (it may be called from inside pf, for the state's next packet), so
     * it leaves at once but after the packet being filtered. */
    fw_held *h = arg;
    if (drop)
        held_free(h);
    else
        sim_schedule_in(h->f->eng, 0, held_send, h);
}

/* pf_test_rule returns PF_DEFER when pfsync_defer takes the packet that
 * created an outbound state (not broadcast / multicast). */
static bool defer_packet(sim_fw *f, sim_pkt *p, const pf_state *s, const sim_ipv4_info *ip)
{
    if (!f->has_pfsync || !f->ps.opt.defer || sim_ipv4_is_multicast(&ip->dst) ||
        u32(&ip->dst) == UINT32_C(0xffffffff))
        return false;
    fw_held *h = malloc(sizeof *h + p->len);
    if (!h)
        sim_oom("a packet held by pfsync defer");
    h->f = f;
    h->p = *p;
    memcpy(h->buf, p->data, p->len);
    h->p.data = h->buf;
    h->p.route = NULL; /* routing is decided (out_ifindex, nexthop); the FIB may change meanwhile */
    if (!pfsync_defer(&f->ps, s, held_release, h)) {
        free(h);
        return false;
    }
    h->next = f->held;
    f->held = h;
    return true;
}

static sim_verdict hook_out(void *ctx, sim_node *n, sim_hook_point pt, sim_pkt *p)
{
    sim_fw *f = ctx;
    (void)pt;
    if (!f->pf_active || p->data == f->skip_pkt)
        return SIM_PASS;
    pf_pkt pk;
    sim_ipv4_info ip;
    if (!pkt_summary(p, &pk, &ip) || pk.proto == CARP_PROTO)
        return SIM_PASS;
    uint32_t ifx = p->out_ifindex;
    uint32_t src0 = pk.src;
    uint16_t sport0 = pk.sport;
    const pf_state *created = NULL;
    /* pf_route runs pf_test again on the interface route-to picks; one
     * level is enough (the second pass can only confirm that interface). */
    for (int pass = 0; pass < 2; pass++) {
        pf_result r = pf_test(&f->pf, PF_OUT, ifname_of(f, ifx), &pk);
        if (r.action != PF_PASS) {
            snprintf(f->note, sizeof f->note, "pf: %s", r.note);
            p->drop_note = f->note;
            p->drop_rule = r.label;
            return SIM_DROP;
        }
        if (pass == 0 && r.new_state)
            created = r.state;
        if (r.translated) {
            apply(p, &pk);
            /* The source was rewritten: by an outbound NAT rule or on the
             * way back through an rdr / mapping state. */
            if (pk.src != src0 && !(p->reason.flags & SIM_SRC_F_NAT)) {
                sim_src_reason *x = &p->reason;
                x->flags |= SIM_SRC_F_NAT;
                x->nat_node = n->id;
                x->nat_rule = decider(f, &r);
                x->nat_from = (wg_endpoint){.ip = ip4(src0), .port = pk.proto == SIM_IPPROTO_UDP ? sport0 : 0};
                x->nat_to = (wg_endpoint){.ip = ip4(pk.src), .port = pk.proto == SIM_IPPROTO_UDP ? pk.sport : 0};
            }
        }
        if (r.rt == PF_RT_NONE)
            break;
        sim_iface *to = sim_node_iface(n, r.rt_ifname);
        if (!to)
            break;
        wg_ip gw = ip4(r.rt_addr);
        set_rt(p, n, r.rt, sim_iface_index(to), &gw, decider(f, &r));
        p->nexthop = gw;
        p->route = NULL;
        uint32_t nx = sim_iface_index(to);
        if (nx == ifx)
            break;
        ifx = nx;
        p->out_ifindex = nx;
    }
    if (created && defer_packet(f, p, created, &ip))
        return SIM_STOLEN;
    return SIM_PASS;
}

/* ------------------------------------------------------------------ */
/* CARP glue                                                          */
/* ------------------------------------------------------------------ */

static int carp_cb_send_ad(void *ctx, carp_vhid *v, const uint8_t ad[CARP_HDR_LEN])
{
    sim_fw *f = ctx;
    sim_iface *ifp = sim_node_iface_by_index(f->n, v->ifindex);
    if (!ifp)
        return SIM_ENETDOWN;
    /* IP source: the parent interface's best address, non-CARP preferred
     * (carp_best_ifa); Ethernet source: the vMAC (ha-model.md §1.1). */
    const sim_addr *pa = sim_iface_primary_addr(ifp);
    wg_ip src = pa ? pa->ip : ip4(v->vips[0]);
    sim_mac vmac;
    carp_vmac(v->vhid, vmac.b);
    sim_ip_send_opts o = {.src = src, .ifindex = v->ifindex, .ttl = CARP_DFLTTL, .tos = DSCP_CARP << 2,
                          .df = true, .src_mac = &vmac, .src_kind = SIM_SRC_EXPLICIT};
    wg_ip dst = ip4(CARP_GROUP_V4);
    /* ip_output's error feeds carp_send_ad_error (senderr demotion). A
     * frame lost on the wire is not an error: only what the stack refuses. */
    sim_err e = sim_ip_send(f->n, CARP_PROTO, &dst, ad, CARP_HDR_LEN, &o);
    if (e != SIM_OK)
        sim_event_log(f->w, SIM_EV_MODEL, f->n, v->ifindex, "carp", "%s/%s vhid %u advertisement send error %s",
                      sim_node_name(f->n), sim_iface_name(ifp), v->vhid, sim_err_name(e));
    return (int)e;
}

static void carp_cb_send_garp(void *ctx, carp_vhid *v, uint32_t vip)
{
    sim_fw *f = ctx;
    sim_iface *ifp = sim_node_iface_by_index(f->n, v->ifindex);
    if (!ifp)
        return;
    sim_mac vmac;
    carp_vmac(v->vhid, vmac.b);
    wg_ip a = ip4(vip);
    sim_arp_announce(ifp, &a, &vmac);
}

static fw_vip *vip_cfg(sim_fw *f, uint32_t ifindex, uint32_t vip)
{
    for (size_t i = 0; i < f->n_vips; i++)
        if (f->vips[i].ifindex == ifindex && u32(&f->vips[i].addr.ip) == vip)
            return &f->vips[i];
    return NULL;
}

/* carp_ifa_addroute / carp_ifa_delroute for every VIP of the vhid: the
 * prefix route (when no other route holds the prefix) and the loopback host
 * route (`routed`: the node's own packets to the VIP stay local). */
static void carp_routes(sim_fw *f, carp_vhid *v, bool master)
{
    for (size_t i = 0; i < v->n_vips; i++) {
        fw_vip *c = vip_cfg(f, v->ifindex, v->vips[i]);
        if (!c)
            continue;
        c->routed = master;
        wg_prefix pre = c->addr;
        const sim_route *ex = sim_node_route_find(f->n, &pre);
        if (master) {
            /* carp_addroute -> in_addprefix: only when no route for the
             * prefix exists (the interface's own address owns it). */
            if (!ex) {
                sim_route r = {.dst = pre, .ifindex = v->ifindex, .ifa = c->addr.ip, .origin = SIM_RT_CARP};
                snprintf(r.tag, sizeof r.tag, "vhid %u", v->vhid);
                sim_route_add(f->n, &r);
            }
        } else if (ex && ex->origin == SIM_RT_CARP && wg_ip_eq(&ex->ifa, &c->addr.ip)) {
            sim_route_del(f->n, &pre);
        }
    }
}

static void carp_cb_state(void *ctx, carp_vhid *v, carp_state from, carp_state to, const char *why)
{
    sim_fw *f = ctx;
    sim_ev_state st = {.kind = SIM_EVS_CARP, .vhid = v->vhid, .from = (int)from, .to = (int)to};
    sim_event_log_state(f->w, SIM_EV_MODEL, f->n, v->ifindex, "carp", &st, "%s/%s vhid %u %s -> %s (%s)",
                        sim_node_name(f->n), ifname_of(f, v->ifindex), v->vhid, carp_state_name(from),
                        carp_state_name(to), why);
    log_carp(f);
    /* ip_carp.c: carp_master_down_locked adds the routes (carp_addroute)
     * on BACKUP -> MASTER; only MASTER -> BACKUP deletes them (carp_input_c
     * on a better advertisement, SIOCSVH: carp_delroute). carp_sc_state
     * (link down, allow=0: -> INIT; link up: INIT -> BACKUP) never touches
     * them, so a MASTER that drops to INIT keeps its VIP routes through INIT
     * and the BACKUP after it. */
    if (to == CARP_MASTER)
        carp_routes(f, v, true);
    else if (from == CARP_MASTER && to == CARP_BACKUP)
        carp_routes(f, v, false);
}

static carp_vhid *vhid_of(const sim_fw *f, sim_iface *ifp, uint8_t vhid)
{
    if (!f->carp_live)
        return NULL;
    return carp_find(&f->carp, sim_iface_index(ifp), vhid);
}

static bool l2_accept_mac(void *ctx, sim_iface *ifp, const sim_mac *mac)
{
    /* carp_forus: frames to the vMAC are accepted only by a MASTER. */
    sim_fw *f = ctx;
    if (mac->b[0] || mac->b[1] || mac->b[2] != 0x5e || mac->b[3] || mac->b[4] != 1)
        return false;
    carp_vhid *v = vhid_of(f, ifp, mac->b[5]);
    return v && v->state == CARP_MASTER;
}

static bool l2_arp_answer(void *ctx, sim_iface *ifp, const sim_addr *a, sim_mac *mac_out)
{
    /* carp_iamatch: only the MASTER answers, with the vMAC. */
    sim_fw *f = ctx;
    carp_vhid *v = vhid_of(f, ifp, a->vhid);
    if (!v || v->state != CARP_MASTER)
        return false;
    carp_vmac(v->vhid, mac_out->b);
    return true;
}

static bool l2_is_master(void *ctx, sim_iface *ifp, const sim_addr *a)
{
    sim_fw *f = ctx;
    carp_vhid *v = vhid_of(f, ifp, a->vhid);
    return v && v->state == CARP_MASTER;
}

static bool l2_is_local(void *ctx, sim_iface *ifp, const sim_addr *a)
{
    const fw_vip *c = vip_cfg(ctx, sim_iface_index(ifp), u32(&a->ip));
    return c && c->routed;
}

static void carp_rx(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip, const uint8_t *l4,
                    size_t l4_len)
{
    sim_fw *f = ctx;
    (void)n;
    if (!f->carp_live)
        return;
    carp_input_result r = carp_input(&f->carp, sim_iface_index(in), ip->ttl, l4, l4_len);
    if (r != CARP_IN_OK && r != CARP_IN_IGNORED)
        sim_event_log(f->w, SIM_EV_MODEL, f->n, sim_iface_index(in), "carp", "%s/%s advertisement dropped: %s",
                      sim_node_name(f->n), sim_iface_name(in), carp_input_result_name(r));
}

static void vips_add(sim_fw *f)
{
    for (size_t i = 0; i < f->n_vips; i++) {
        sim_iface *ifp = sim_node_iface_by_index(f->n, f->vips[i].ifindex);
        if (ifp)
            sim_iface_add_addr(ifp, &f->vips[i].addr, true, f->vips[i].vhid, SIM_ADDR_NOROUTE | SIM_ADDR_NOGARP);
    }
}

static void vips_remove(sim_fw *f)
{
    for (size_t i = 0; i < f->n_vips; i++) {
        sim_iface *ifp = sim_node_iface_by_index(f->n, f->vips[i].ifindex);
        if (ifp)
            sim_iface_del_addr(ifp, &f->vips[i].addr.ip);
    }
}

static void carp_boot(sim_fw *f)
{
    if (f->carp_live || f->n_vips == 0)
        return;
    carp_host_ops ops = {.ctx = f, .send_ad = carp_cb_send_ad, .send_garp = carp_cb_send_garp,
                         .state_changed = carp_cb_state, .changed = carp_cb_changed};
    carp_init(&f->carp, f->eng, sim_node_rng(f->n), &ops);
    f->carp.preempt = !f->opt.no_carp_preempt;
    for (size_t i = 0; i < f->n_vips; i++) {
        fw_vip *c = &f->vips[i];
        uint32_t a = u32(&c->addr.ip);
        carp_vhid *v = carp_find(&f->carp, c->ifindex, c->vhid);
        if (v) {
            if (v->n_vips < CARP_MAX_VIPS)
                v->vips[v->n_vips++] = a;
            continue;
        }
        /* pfSense maintenance mode is a config flag applied at boot:
         * advskew 254 on every VIP (ha-model.md §1.4, IFS). */
        carp_add_vhid(&f->carp, c->ifindex, c->vhid, c->advbase, f->maintenance ? CARP_MAX_ADVSKEW : c->advskew,
                      c->key, &a, 1);
    }
    f->carp_live = true;
    for (size_t i = 0; i < f->carp.n; i++) {
        carp_vhid *v = f->carp.v[i];
        sim_iface *ifp = sim_node_iface_by_index(f->n, v->ifindex);
        if (ifp && sim_iface_link_up(ifp) && sim_iface_segment(ifp))
            carp_set_if(&f->carp, v->ifindex, true);
    }
    log_carp(f);
}

static void carp_halt(sim_fw *f)
{
    if (!f->carp_live)
        return;
    for (size_t i = 0; i < f->carp.n; i++)
        carp_routes(f, f->carp.v[i], false);
    carp_destroy(&f->carp);
    f->carp_live = false;
    log_carp(f);
}

/* ------------------------------------------------------------------ */
/* gateways glue                                                      */
/* ------------------------------------------------------------------ */

static void apply_follow(sim_fw *f, const fw_follow *fo)
{
    gateway *g = gw_find(&f->gws, fo->name);
    if (!g) {
        gw_group *grp = gw_group_find(&f->gws, fo->name);
        if (!grp)
            return;
        const sim_route *cur = sim_node_route_find(f->n, &fo->dst);
        gateway *curg = NULL;
        if (cur && cur->origin == SIM_RT_GATEWAY)
            for (size_t i = 0; i < f->gws.n; i++)
                if (f->gws.g[i]->addr == u32(&cur->gateway))
                    curg = f->gws.g[i];
        g = gw_group_pick(grp, curg);
        if (!g)
            return; /* a group without members: the route is left as it is */
        if (cur && cur->origin == SIM_RT_GATEWAY && curg == g)
            return;
    }
    sim_route r = {.dst = fo->dst, .gateway = ip4(g->addr), .origin = SIM_RT_GATEWAY};
    sim_iface *ifp = iface_named(f, g->ifname);
    r.ifindex = ifp ? sim_iface_index(ifp) : 0;
    snprintf(r.tag, sizeof r.tag, "%s", fo->name);
    const sim_route *cur = sim_node_route_find(f->n, &fo->dst);
    if (cur && cur->origin == r.origin && wg_ip_eq(&cur->gateway, &r.gateway) && cur->ifindex == r.ifindex &&
        !strcmp(cur->tag, r.tag))
        return;
    sim_route_replace(f->n, &r);
}

static void apply_all_follow(sim_fw *f)
{
    for (size_t i = 0; i < f->n_follow; i++)
        apply_follow(f, &f->follow[i]);
}

static void gw_cb_probe(void *ctx, gateway *g, uint16_t seq)
{
    sim_fw *f = ctx;
    /* dpinger binds the interface address (pfSense passes -B addr). */
    sim_iface *ifp = iface_named(f, g->ifname);
    const sim_addr *pa = ifp ? sim_iface_primary_addr(ifp) : NULL;
    size_t idx = 0;
    while (idx < f->gws.n && f->gws.g[idx] != g)
        idx++;
    sim_ip_send_opts o = {.src_kind = SIM_SRC_EXPLICIT};
    if (pa)
        o.src = pa->ip;
    wg_ip dst = ip4(g->monitor);
    sim_icmp_echo(f->n, &dst, (uint16_t)(GW_ICMP_ID_BASE + idx), seq, 0, &o);
}

static void gw_cb_status(void *ctx, gateway *g, gw_status from, gw_status to)
{
    sim_fw *f = ctx;
    sim_ev_state st = {.kind = SIM_EVS_GATEWAY, .gateway = g->name, .from = (int)from, .to = (int)to};
    sim_event_log_state(f->w, SIM_EV_MODEL, f->n, 0, "gateway", &st,
                        "%s gateway %s %s -> %s (loss %.1f%%, latency %.1f ms)", sim_node_name(f->n), g->name,
                        gw_status_name(from), gw_status_name(to), g->loss, (double)g->latency / (double)SIM_MS);
    /* pfSense starts dpinger with -D latencyhigh -L losshigh -C
     * rc.gateway_alarm (gwlb.inc start_dpinger): only entering or leaving
     * "down" raises an alarm. rc.gateway_alarm then runs
     * fixup_default_gateway / the group routes and reloads the filter
     * (rules naming a down gateway lose their route-to), reading every
     * gateway's current status, delay and loss included. A change between
     * online, delay and loss alone triggers nothing. */
    log_gateways(f);
    if ((from == GW_DOWN) == (to == GW_DOWN))
        return;
    apply_all_follow(f);
    build_rules(f);
}

static void icmp_rx(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip)
{
    sim_fw *f = ctx;
    (void)n, (void)in;
    if (ip->icmp_type != SIM_ICMP_ECHO_REPLY || ip->icmp_id < GW_ICMP_ID_BASE)
        return;
    size_t idx = (size_t)(ip->icmp_id - GW_ICMP_ID_BASE);
    if (idx < f->gws.n && u32(&ip->src) == f->gws.g[idx]->monitor)
        gw_probe_reply(f->gws.g[idx], ip->icmp_seq);
}

static void monitor_routes(sim_fw *f)
{
    /* dpinger adds a host route to a monitor address that is not the
     * gateway itself (ha-model.md §3, MISC). */
    for (size_t i = 0; i < f->gws.n; i++) {
        gateway *g = f->gws.g[i];
        if (g->monitor == g->addr || g->monitor_disabled)
            continue;
        sim_route r = {.dst = {.ip = ip4(g->monitor), .len = 32}, .gateway = ip4(g->addr), .origin = SIM_RT_MONITOR};
        sim_iface *ifp = iface_named(f, g->ifname);
        r.ifindex = ifp ? sim_iface_index(ifp) : 0;
        snprintf(r.tag, sizeof r.tag, "%s", g->name);
        if (!sim_node_route_find(f->n, &r.dst))
            sim_route_add(f->n, &r);
    }
}

/* ------------------------------------------------------------------ */
/* node lifecycle                                                     */
/* ------------------------------------------------------------------ */

static void purge_fired(void *arg)
{
    /* pf's purge thread sweeps the table over PFTM_INTERVAL (10 s). Expired
     * states already stopped matching (pf_state_live); this frees them. */
    sim_fw *f = arg;
    f->purge_ev = sim_schedule_in(f->eng, 10 * SIM_S, purge_fired, f);
    pf_state_purge(&f->pf);
}

static void boot(sim_fw *f)
{
    sim_cancel(f->eng, f->purge_ev);
    f->purge_ev = sim_schedule_in(f->eng, 10 * SIM_S, purge_fired, f);
    build_rules(f);
    carp_boot(f);
    /* pfsync asks its peer for the whole table; CARP stays demoted until
     * that completes (ha-model.md §1.3). */
    if (f->has_pfsync)
        pfsync_bulk_start(&f->ps);
    monitor_routes(f);
    gw_start_all(&f->gws);
    log_gateways(f);
    apply_all_follow(f);
}

static void on_power(void *ctx, sim_node *n, bool on)
{
    sim_fw *f = ctx;
    (void)n;
    if (!f->started)
        return;
    if (!on) {
        /* Everything stops with the machine: CARP timers (no more adverts),
         * dpinger, pf's state table, pfsync's queue. */
        carp_halt(f);
        gw_stop_all(&f->gws);
        sim_cancel(f->eng, f->purge_ev);
        f->purge_ev = 0;
        /* pfsync first: what it had queued is lost with the machine, and
         * the table going away is not a change a dead machine reports. */
        if (f->has_pfsync)
            pfsync_reset(&f->ps);
        pf_states_flush(&f->pf);
        return;
    }
    /* Boot: "Temporarily Disable CARP" is not persistent; maintenance is. */
    if (f->carp_disabled) {
        f->carp_disabled = false;
        vips_add(f);
    }
    boot(f);
}

static void on_link(void *ctx, sim_iface *ifp, bool up)
{
    sim_fw *f = ctx;
    if (!f->carp_live)
        return;
    /* carp_linkstate -> carp_sc_state (ha-model.md §1.2 link down). */
    carp_set_if(&f->carp, sim_iface_index(ifp), up && sim_iface_segment(ifp) != NULL);
}

static void fw_free(sim_pending *p)
{
    sim_fw *f = (sim_fw *)p;
    sim_cancel(f->eng, f->purge_ev);
    if (f->carp_live)
        carp_destroy(&f->carp);
    if (f->has_pfsync)
        pfsync_free(&f->ps);
    while (f->held) {
        fw_held *h = f->held;
        f->held = h->next;
        free(h);
    }
    pf_destroy(&f->pf);
    gw_set_free(&f->gws);
    free(f->user_rules);
    free(f->user_gw);
    free(f->rdr);
    free(f);
}

sim_fw *sim_node_fw(const sim_node *n) { return n->user && ((sim_fw *)n->user)->n == n ? n->user : NULL; }

sim_fw *sim_fw_attach(sim_node *n, const sim_fw_options *opt)
{
    sim_fw *f = sim_node_fw(n);
    if (f)
        return f;
    if (sim_node_user(n))
        return NULL; /* the slot belongs to another plug-in */
    f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->n = n;
    f->w = sim_node_world(n);
    f->eng = sim_world_engine(f->w);
    if (opt)
        f->opt = *opt;
    f->pf_active = sim_node_kind_of(n) == SIM_NODE_FIREWALL;
    /* pfSense's filter_generate_scrubbing (/etc/inc/filter.inc) writes
     * "scrub in on <interfaces> all ... fragment reassemble" unless
     * System > Advanced > Firewall & NAT "Disable Firewall Scrub"
     * (disablescrub) is set; a router using these models for NAT is no
     * pfSense and has no scrub. */
    sim_node_set_scrub_reassemble(n, f->pf_active && !f->opt.no_scrub);
    pf_host_ops po = {.ctx = f, .is_self = cb_is_self, .iface_addr = cb_iface_addr,
                      .iface_has_addr = cb_iface_has_addr, .iface_net_contains = cb_iface_net_contains,
                      .iface_exists = cb_iface_exists, .iface_in_group = cb_iface_in_group,
                      .state_changed = cb_state_changed,
                      .state_log = cb_state_log};
    /* creatorid: pf's host id; any per-node constant distinguishes peers. */
    pf_init(&f->pf, f->eng, sim_node_rng(n), (uint32_t)sim_node_id(n) + 1, &po);
    f->pf.opt.if_bound = !f->opt.floating_states;
    gw_ops go = {.ctx = f, .send_probe = gw_cb_probe, .status_changed = gw_cb_status};
    gw_set_init(&f->gws, f->eng, &go);
    sim_pending_add(f->w, &f->pend, fw_free);
    sim_node_set_user(n, f);
    sim_node_add_hook(n, SIM_HOOK_IN, hook_in, f);
    sim_node_add_hook(n, SIM_HOOK_ROUTE, hook_route, f);
    sim_node_add_hook(n, SIM_HOOK_OUT, hook_out, f);
    sim_l2_ops l2 = {.ctx = f, .accept_mac = l2_accept_mac, .arp_answer = l2_arp_answer, .addr_is_master = l2_is_master,
                     .addr_is_local = l2_is_local};
    sim_node_set_l2_ops(n, &l2);
    sim_node_set_proto_handler(n, CARP_PROTO, carp_rx, f);
    sim_node_add_icmp_listener(n, icmp_rx, f);
    sim_node_add_power_listener(n, on_power, f);
    sim_node_add_link_listener(n, on_link, f);
    return f;
}

/* ------------------------------------------------------------------ */
/* configuration                                                      */
/* ------------------------------------------------------------------ */

sim_err sim_fw_add_carp_vip(sim_fw *f, const sim_carp_vip *v)
{
    sim_iface *ifp = iface_named(f, v->ifname);
    if (!ifp || v->vhid == 0 || v->advskew > CARP_MAX_ADVSKEW || v->addr.ip.family != 4 || v->addr.len > 32 ||
        f->n_vips == FW_MAX_VIPS || f->started)
        return SIM_EINVAL;
    fw_vip c = {0};
    snprintf(c.ifname, sizeof c.ifname, "%s", v->ifname);
    c.ifindex = sim_iface_index(ifp);
    c.vhid = v->vhid;
    c.advbase = v->advbase ? v->advbase : 1; /* pfSense GUI default (ha-model.md §1.4) */
    c.advskew = v->advskew;
    c.addr = v->addr;
    carp_key_from_pass(c.key, v->password);
    /* All VIPs of a vhid share its parameters (one carp softc per vhid). */
    for (size_t i = 0; i < f->n_vips; i++)
        if (f->vips[i].vhid == c.vhid && f->vips[i].ifindex == c.ifindex &&
            (f->vips[i].advbase != c.advbase || f->vips[i].advskew != c.advskew ||
             memcmp(f->vips[i].key, c.key, CARP_KEY_LEN) != 0))
            return SIM_EINVAL;
    sim_err e = sim_iface_add_addr(ifp, &v->addr, true, v->vhid, SIM_ADDR_NOROUTE | SIM_ADDR_NOGARP);
    if (e)
        return e;
    f->vips[f->n_vips++] = c;
    log_carp(f);
    return SIM_OK;
}

static void conv_addr(const sim_fw_addr *a, pf_addr_match *m)
{
    memset(m, 0, sizeof *m);
    m->kind = a->kind == SIM_FW_SELF ? PF_ADDR_SELF : a->kind == SIM_FW_PREFIX ? PF_ADDR_PREFIX : PF_ADDR_ANY;
    if (a->kind == SIM_FW_PREFIX) {
        m->addr = u32(&a->prefix.ip);
        m->plen = a->prefix.len;
    }
    m->neg = a->neg;
}

static bool addr_ok(const sim_fw_addr *a)
{
    return a->kind != SIM_FW_PREFIX || (a->prefix.ip.family == 4 && a->prefix.len <= 32);
}

sim_err sim_fw_set_nat(sim_fw *f, const sim_fw_nat_rule *r, size_t n)
{
    pf_nat_rule *c = calloc(n ? n : 1, sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!rule_ifname(r[i].ifname, c[i].ifname, &c[i].group) || !addr_ok(&r[i].src) || !addr_ok(&r[i].dst) ||
            (!r[i].to_interface && r[i].to_addr.family != 4)) {
            free(c);
            return SIM_EINVAL;
        }
        c[i].proto = r[i].proto;
        conv_addr(&r[i].src, &c[i].src);
        conv_addr(&r[i].dst, &c[i].dst);
        c[i].sport = r[i].sport;
        c[i].to_interface = r[i].to_interface;
        c[i].to_addr = r[i].to_interface ? 0 : u32(&r[i].to_addr);
        c[i].static_port = r[i].static_port;
        c[i].dport = r[i].dport;
        c[i].udp_timeout = r[i].udp_timeout > 0 ? r[i].udp_timeout : 0;
        switch (r[i].mapping) {
        case SIM_NAT_MAP_DEFAULT:
            /* docs/scenario-language.md: pf on a firewall; routers (home
             * NAT, CGNAT) map endpoint-independently. */
            c[i].mapping = sim_node_kind_of(f->n) == SIM_NODE_FIREWALL ? PF_MAP_PF : PF_MAP_EIM;
            break;
        case SIM_NAT_MAP_PF: c[i].mapping = PF_MAP_PF; break;
        case SIM_NAT_MAP_ENDPOINT_INDEPENDENT: c[i].mapping = PF_MAP_EIM; break;
        case SIM_NAT_MAP_SYMMETRIC: c[i].mapping = PF_MAP_SYMMETRIC; break;
        default:
            free(c);
            return SIM_EINVAL;
        }
        if (r[i].label)
            c[i].label = lab(f, "%s", r[i].label);
        else
            c[i].label = lab(f, "nat %zu", i);
    }
    pf_set_nat(&f->pf, c, n);
    free(c);
    f->pf_active = true;
    return SIM_OK;
}

sim_err sim_fw_set_port_forwards(sim_fw *f, const sim_fw_port_forward *r, size_t n)
{
    pf_rdr_rule *c = calloc(n ? n : 1, sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint8_t proto = r[i].proto ? r[i].proto : SIM_IPPROTO_UDP;
        if (!rule_ifname(r[i].ifname, c[i].ifname, &c[i].group) || r[i].port == 0 || r[i].to.ip.family != 4 ||
            r[i].to.port == 0 || (proto != SIM_IPPROTO_UDP && proto != 6)) {
            free(c);
            return SIM_EINVAL;
        }
        c[i].proto = proto;
        c[i].port = r[i].port;
        c[i].to_addr = u32(&r[i].to.ip);
        c[i].to_port = r[i].to.port;
    }
    pf_set_rdr(&f->pf, c, n);
    free(f->rdr);
    f->rdr = c;
    f->n_rdr = n;
    f->pf_active = true;
    if (f->started)
        build_rules(f);
    return SIM_OK;
}

/* pfSense orders the user rules by rules tab: floating, then interface
 * groups, then single interfaces (pfsense-utils.inc get_filter_rules_map;
 * util.inc PFCONFIG_CATEGORIES puts pfc_ifgroupusr before pfc_usrif), all
 * `quick`. Here a rule without an interface stays where it was written, and
 * every rule on a group moves (in its order) ahead of the first rule on a
 * single interface. rules[i] and gw[i] move together. */
static void group_rules_first(pf_filter_rule *rules, char (*gw)[32], size_t n)
{
    size_t first = 0;
    while (first < n && (!rules[first].ifname[0] || rules[first].group))
        first++;
    for (size_t i = first; i < n; i++) {
        if (!rules[i].group)
            continue;
        /* rotate [first, i] right by one: the group rule lands at `first` */
        pf_filter_rule t = rules[i];
        char tg[32];
        memcpy(tg, gw[i], sizeof tg);
        memmove(&rules[first + 1], &rules[first], (i - first) * sizeof *rules);
        memmove(&gw[first + 1], &gw[first], (i - first) * sizeof *gw);
        rules[first] = t;
        memcpy(gw[first], tg, sizeof tg);
        first++;
    }
}

sim_err sim_fw_set_filter(sim_fw *f, const sim_fw_rule *r, size_t n)
{
    pf_filter_rule *c = calloc(n ? n : 1, sizeof *c);
    char(*g)[32] = calloc(n ? n : 1, sizeof *g);
    if (!c || !g) {
        free(c);
        free(g);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if ((r[i].ifname && !rule_ifname(r[i].ifname, c[i].ifname, &c[i].group)) || !addr_ok(&r[i].src) ||
            !addr_ok(&r[i].dst) || r[i].dir < -1 || r[i].dir > 1 ||
            (r[i].gateway && !gw_find(&f->gws, r[i].gateway) && !gw_group_find(&f->gws, r[i].gateway))) {
            free(c);
            free(g);
            return SIM_EINVAL;
        }
        c[i].action = r[i].block ? PF_BLOCK : PF_PASS;
        c[i].dir = r[i].dir;
        c[i].proto = r[i].proto;
        conv_addr(&r[i].src, &c[i].src);
        conv_addr(&r[i].dst, &c[i].dst);
        c[i].sport = r[i].sport;
        c[i].dport = r[i].dport;
        c[i].no_state = r[i].no_state;
        if (r[i].gateway)
            snprintf(g[i], sizeof g[i], "%s", r[i].gateway);
        if (r[i].label)
            c[i].label = lab(f, "%s", r[i].label);
        else
            c[i].label = lab(f, "rule %zu", i);
    }
    group_rules_first(c, g, n);
    free(f->user_rules);
    free(f->user_gw);
    f->user_rules = c;
    f->user_gw = g;
    f->n_user_rules = n;
    f->has_filter = true;
    f->pf_active = true;
    if (f->started)
        build_rules(f);
    return SIM_OK;
}

sim_err sim_fw_add_gateway(sim_fw *f, const sim_fw_gateway *g)
{
    if (!g->name || !iface_named(f, g->ifname) || g->addr.family != 4 || f->started)
        return SIM_EINVAL;
    gw_monitor_options o;
    gw_monitor_options_default(&o);
    if (g->probe_interval) o.probe_interval = g->probe_interval;
    if (g->loss_interval) o.loss_interval = g->loss_interval;
    if (g->time_period) o.time_period = g->time_period;
    if (g->alert_interval) o.alert_interval = g->alert_interval;
    if (g->latency_low) o.latency_low = g->latency_low;
    if (g->latency_high) o.latency_high = g->latency_high;
    if (g->loss_low > 0) o.loss_low = g->loss_low;
    if (g->loss_high > 0) o.loss_high = g->loss_high;
    uint32_t mon = g->monitor.family == 4 ? u32(&g->monitor) : u32(&g->addr);
    gateway *x = gw_add(&f->gws, g->name, g->ifname, u32(&g->addr), mon, &o);
    if (!x)
        return gw_find(&f->gws, g->name) ? SIM_EEXIST : SIM_EINVAL;
    x->monitor_disabled = g->monitor_disabled;
    log_gateways(f);
    return SIM_OK;
}

sim_err sim_fw_add_gateway_group(sim_fw *f, const char *name, sim_gw_trigger trigger, const sim_fw_group_member *m,
                                 size_t n)
{
    if (!name || (int)trigger < 0 || trigger > SIM_GW_TRIGGER_LOSS_OR_LATENCY)
        return SIM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!m[i].gateway || !gw_find(&f->gws, m[i].gateway) || m[i].tier < 1 || m[i].tier > 5)
            return SIM_EINVAL;
    gw_group *g = gw_group_add(&f->gws, name, (gw_trigger)trigger);
    if (!g)
        return SIM_EEXIST;
    for (size_t i = 0; i < n; i++)
        if (!gw_group_add_member(g, gw_find(&f->gws, m[i].gateway), m[i].tier))
            return SIM_ENOMEM;
    return SIM_OK;
}

sim_err sim_fw_route_via(sim_fw *f, const wg_prefix *dst, const char *name)
{
    if (!name || (!gw_find(&f->gws, name) && !gw_group_find(&f->gws, name)))
        return SIM_ENOENT;
    if (dst->ip.family != 4 || dst->len > 32)
        return SIM_EINVAL;
    for (size_t i = 0; i < f->n_follow; i++)
        if (f->follow[i].dst.len == dst->len && wg_ip_eq(&f->follow[i].dst.ip, &dst->ip)) {
            snprintf(f->follow[i].name, sizeof f->follow[i].name, "%s", name);
            if (f->started)
                apply_follow(f, &f->follow[i]);
            return SIM_OK;
        }
    if (f->n_follow == FW_MAX_FOLLOW)
        return SIM_ENOMEM;
    fw_follow *fo = &f->follow[f->n_follow++];
    fo->dst = *dst;
    snprintf(fo->name, sizeof fo->name, "%s", name);
    if (f->started)
        apply_follow(f, fo);
    return SIM_OK;
}

static bool ps_up(void *ctx)
{
    sim_fw *f = ctx;
    if (!sim_node_powered(f->n) || !f->started)
        return false;
    if (f->sync_ifname[0]) {
        sim_iface *ifp = iface_named(f, f->sync_ifname);
        return ifp && sim_iface_link_up(ifp);
    }
    return true;
}

static void ps_demote(void *ctx, int adj)
{
    sim_fw *f = ctx;
    if (f->carp_live)
        carp_demote(&f->carp, adj);
}

static void ps_log(void *ctx, const char *text)
{
    sim_fw *f = ctx;
    sim_event_log(f->w, SIM_EV_MODEL, f->n, 0, "pfsync", "%s %s", sim_node_name(f->n), text);
}

sim_err sim_fw_pfsync_pair(sim_fw *a, sim_fw *b, const sim_fw_pfsync_options *o)
{
    if (a == b || a->has_pfsync || b->has_pfsync)
        return SIM_EINVAL;
    pfsync_options po;
    pfsync_options_default(&po);
    if (o) {
        if (o->flush_interval > 0)
            po.flush_interval = o->flush_interval;
        po.defer = o->defer;
        po.delay = o->delay > 0 ? o->delay : 0;
        po.bulk = !o->no_bulk;
    }
    sim_fw *both[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        sim_fw *f = both[i];
        if (o && o->sync_ifname) {
            if (!iface_named(f, o->sync_ifname))
                return SIM_EINVAL;
            snprintf(f->sync_ifname, sizeof f->sync_ifname, "%s", o->sync_ifname);
        }
    }
    for (int i = 0; i < 2; i++) {
        sim_fw *f = both[i];
        pfsync_ops ops = {.ctx = f, .up = ps_up, .log = ps_log, .demote = ps_demote};
        pfsync_init(&f->ps, f->eng, &f->pf, &ops, &po);
        f->has_pfsync = true;
    }
    pfsync_pair(&a->ps, &b->ps);
    sim_hist_pfsync_pair(a->w, sim_node_id(a->n), sim_node_id(b->n));
    return SIM_OK;
}

void sim_fw_start(sim_fw *f)
{
    if (f->started)
        return;
    f->started = true;
    if (sim_node_powered(f->n))
        boot(f);
}

/* ------------------------------------------------------------------ */
/* commands                                                           */
/* ------------------------------------------------------------------ */

sim_err sim_fw_maintenance(sim_fw *f, bool on)
{
    if (f->n_vips == 0)
        return SIM_ENOENT;
    f->maintenance = on;
    if (!f->carp_live) {
        log_carp(f); /* applied at boot; the configured skew shows it now */
        return SIM_OK;
    }
    /* pfSense: `ifconfig IF vhid N advskew 254` on every CARP VIP; off
     * restores each VIP's configured skew (ha-model.md §1.4). */
    for (size_t i = 0; i < f->n_vips; i++) {
        carp_vhid *v = carp_find(&f->carp, f->vips[i].ifindex, f->vips[i].vhid);
        if (v)
            carp_set_advskew(v, on ? CARP_MAX_ADVSKEW : f->vips[i].advskew);
    }
    sim_event_log(f->w, SIM_EV_MODEL, f->n, 0, "carp", "%s persistent CARP maintenance mode %s", sim_node_name(f->n),
                  on ? "on (advskew 254)" : "off");
    log_carp(f);
    return SIM_OK;
}

bool sim_fw_maintenance_on(const sim_fw *f) { return f->maintenance; }

sim_err sim_fw_carp_enable(sim_fw *f, bool on)
{
    if (f->n_vips == 0)
        return SIM_ENOENT;
    if (on == !f->carp_disabled)
        return SIM_OK;
    /* pfSense "Temporarily Disable CARP" (status_carp.php): allow=0 and
     * the VIPs removed from the interfaces; enabling brings the VIPs back,
     * then allow=1 (ha-model.md §1.4). */
    if (!on) {
        f->carp_disabled = true;
        if (f->carp_live)
            carp_set_allow(&f->carp, false);
        /* Deleting an address takes the prefix route it owns
         * (in_difaddr_ioctl -> in_scrubprefix): the VIP routes a MASTER kept
         * through allow=0's INIT go with the VIPs. */
        if (f->carp_live)
            for (size_t i = 0; i < f->carp.n; i++)
                carp_routes(f, f->carp.v[i], false);
        vips_remove(f);
        /* With its addresses gone each vhid is destroyed, which takes back
         * the ifdown demotion allow=0 applied (carp_destroy). */
        if (f->carp_live)
            for (size_t i = 0; i < f->carp.n; i++)
                carp_vhid_addrs_removed(f->carp.v[i]);
    } else {
        f->carp_disabled = false;
        vips_add(f);
        if (f->carp_live)
            carp_set_allow(&f->carp, true);
    }
    sim_event_log(f->w, SIM_EV_MODEL, f->n, 0, "carp", "%s CARP %s", sim_node_name(f->n),
                  on ? "enabled" : "temporarily disabled (VIPs removed)");
    log_carp(f);
    return SIM_OK;
}

bool sim_fw_carp_enabled(const sim_fw *f) { return !f->carp_disabled; }

size_t sim_fw_states_kill(sim_fw *f)
{
    size_t k = pf_states_kill(&f->pf, NULL);
    sim_event_log(f->w, SIM_EV_MODEL, f->n, 0, "pf", "%s states killed: %zu", sim_node_name(f->n), k);
    return k;
}

void sim_node_set_gateway_down(sim_node *n, bool down)
{
    sim_fw *f = sim_fw_attach(n, NULL);
    if (!f || f->gateway_down == down)
        return;
    f->gateway_down = down;
    sim_event_log(f->w, SIM_EV_MODEL, n, 0, "gateway", "%s %s", sim_node_name(n),
                  down ? "gateway down: stops answering and forwarding" : "gateway up");
}

bool sim_node_gateway_down(const sim_node *n)
{
    sim_fw *f = sim_node_fw(n);
    return f && f->gateway_down;
}

/* ------------------------------------------------------------------ */
/* inspection                                                         */
/* ------------------------------------------------------------------ */

bool sim_fw_carp_info_get(const sim_fw *f, const char *ifname, uint8_t vhid, sim_fw_carp_info *out)
{
    memset(out, 0, sizeof *out);
    const fw_vip *c = NULL;
    for (size_t i = 0; i < f->n_vips && !c; i++)
        if (f->vips[i].vhid == vhid && (!ifname || !strcmp(ifname, f->vips[i].ifname)))
            c = &f->vips[i];
    if (!c)
        return false;
    snprintf(out->ifname, sizeof out->ifname, "%s", c->ifname);
    out->vhid = vhid;
    out->advbase = c->advbase;
    out->advskew = f->maintenance ? CARP_MAX_ADVSKEW : c->advskew;
    out->state = SIM_CARP_INIT;
    if (f->carp_live) {
        carp_vhid *v = carp_find(&f->carp, c->ifindex, vhid);
        out->demotion = f->carp.demotion;
        if (v) {
            out->state = (sim_carp_state)v->state;
            out->advskew = v->advskew;
            out->advertised_skew = (uint8_t)carp_demoted_skew(v);
            out->ads_sent = v->ads_sent;
            out->ads_received = v->ads_received;
        }
    }
    return true;
}

sim_carp_state sim_fw_carp_state(const sim_fw *f, uint8_t vhid)
{
    sim_fw_carp_info i;
    return sim_fw_carp_info_get(f, NULL, vhid, &i) ? i.state : SIM_CARP_INIT;
}

bool sim_fw_gateway_info_get(const sim_fw *f, const char *name, sim_fw_gateway_info *out)
{
    memset(out, 0, sizeof *out);
    gateway *g = gw_find(&f->gws, name);
    if (!g)
        return false;
    out->status = (sim_gw_status)g->status;
    out->loss = g->loss;
    out->latency = g->latency;
    snprintf(out->ifname, sizeof out->ifname, "%s", g->ifname);
    out->addr = ip4(g->addr);
    return true;
}

size_t sim_fw_state_count(const sim_fw *f) { return pf_state_count((pf *)&f->pf); }

bool sim_fw_state_at(const sim_fw *f, size_t i, sim_fw_state_info *out)
{
    pf *p = (pf *)&f->pf;
    size_t k = 0;
    for (size_t j = 0; j < p->n; j++) {
        const pf_state *s = p->st[j];
        if (!pf_state_live(p, s))
            continue;
        if (k++ != i)
            continue;
        memset(out, 0, sizeof *out);
        int sidx = s->dir == PF_IN ? 0 : 1, didx = 1 - sidx;
        out->proto = s->wire.proto;
        snprintf(out->ifname, sizeof out->ifname, "%s", s->ifname);
        out->outbound = s->dir == PF_OUT;
        out->src.ip = ip4(s->stack.addr[sidx]);
        out->src.port = s->stack.port[sidx];
        out->nat_src.ip = ip4(s->wire.addr[sidx]);
        out->nat_src.port = s->wire.port[sidx];
        out->dst.ip = ip4(s->wire.addr[didx]);
        out->dst.port = s->wire.port[didx];
        out->translated = !pf_key_eq(&s->wire, &s->stack);
        out->from_pfsync = s->imported;
        out->creatorid = s->creatorid;
        out->expires = pf_state_expires_at(p, s);
        return true;
    }
    return false;
}

const char *sim_fw_state_format(const sim_fw_state_info *s, char *buf, size_t len)
{
    char a[WG_IP_STRLEN], b[WG_IP_STRLEN], c[WG_IP_STRLEN];
    const char *pr = s->proto == SIM_IPPROTO_UDP ? "udp" : s->proto == SIM_IPPROTO_ICMP ? "icmp" : "other";
    if (s->translated)
        snprintf(buf, len, "%s %s %s (%s) -> %s%s", s->ifname[0] ? s->ifname : "all", pr,
                 wg_endpoint_format(&s->nat_src, a), wg_endpoint_format(&s->src, b), wg_endpoint_format(&s->dst, c),
                 s->from_pfsync ? " [pfsync]" : "");
    else
        snprintf(buf, len, "%s %s %s %s %s%s", s->ifname[0] ? s->ifname : "all", pr,
                 wg_endpoint_format(s->outbound ? &s->src : &s->dst, a), s->outbound ? "->" : "<-",
                 wg_endpoint_format(s->outbound ? &s->dst : &s->src, b), s->from_pfsync ? " [pfsync]" : "");
    return buf;
}

uint64_t sim_fw_drops(const sim_fw *f, sim_fw_drop d)
{
    switch (d) {
    case SIM_FW_DROP_RULE: return f->pf.drops[PF_DROP_RULE];
    case SIM_FW_DROP_NAT: return f->pf.drops[PF_DROP_NAT_MAP];
    case SIM_FW_DROP_STATE: return f->pf.drops[PF_DROP_STATE_INSERT];
    }
    return 0;
}
