/*
 * firewall_pf.c — pf on the firewall node's packet path (see firewall.c for
 * the node): the host callbacks pf asks about interfaces, groups and its
 * own addresses; the IN, ROUTE and OUT hooks that run pf_test and write
 * its translations, route-to and reply-to into the packet and its source
 * reason (pf.c pf_test, pf_route); the first packet of a new outbound state
 * held by pfsync defer (if_pfsync.c pfsync_defer).
 */
#include "sim/pfsense/firewall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* pf host callbacks                                                  */
/* ------------------------------------------------------------------ */

static bool cb_is_self(void *ctx, uint32_t a)
{
    sim_fw *f = ctx;
    wg_ip ip = fw_ip4(a);
    return sim_node_find_addr(f->n, &ip, NULL) != NULL;
}

static bool cb_iface_addr(void *ctx, const char *ifname, uint32_t *a)
{
    sim_fw *f = ctx;
    sim_iface *ifp = fw_iface_named(f, ifname);
    const sim_addr *pa = ifp ? sim_iface_primary_addr(ifp) : NULL;
    if (!pa)
        return false;
    *a = fw_u32(&pa->ip);
    return true;
}

/* Does an IPv4 address of the interface match a? As an address (CARP VIPs
 * included: pf's "(wan)" plus pfSense's VIP list) or, with as_net, as one of
 * the interface's networks ("wan:network", CARP VIPs not counted). */
static bool iface_v4_match(const sim_fw *f, const char *ifname, uint32_t a, bool as_net)
{
    sim_iface *ifp = fw_iface_named(f, ifname);
    if (!ifp)
        return false;
    for (size_t i = 0; i < sim_iface_addr_count(ifp); i++) {
        const sim_addr *x = sim_iface_addr_at(ifp, i);
        if (x->ip.family != 4)
            continue;
        if (as_net ? !x->is_carp && fw_prefix_has(&x->ip, x->plen, a) : fw_u32(&x->ip) == a)
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

static bool cb_iface_exists(void *ctx, const char *ifname) { return fw_iface_named(ctx, ifname) != NULL; }

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
    sim_iface *ifp = fw_iface_named(f, ifname);
    if (strcmp(group, SIM_FW_WG_GROUP_NAME) != 0 || !ifp || sim_iface_kind_of(ifp) != SIM_IFACE_TUNNEL)
        return false;
    switch (f->opt.wg_group) {
    case SIM_FW_WG_GROUP_NONE: return false;
    case SIM_FW_WG_GROUP_UNASSIGNED: return !iface_assigned(f, ifname);
    default: return true;
    }
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
    case PF_LOG_DEADLINE:
        if (s->hist) /* 0: not in the log (off when the state was made); every packet moves the deadline */
            sim_hist_pf_deadline(f->w, s->hist, end);
        break;
    case PF_LOG_END: sim_hist_pf_ended(f->w, s->hist, end, why); break;
    }
}

/* ------------------------------------------------------------------ */
/* pf on the packet path                                              */
/* ------------------------------------------------------------------ */

/* p is on the node's packet path (the IN and OUT hooks): its header
 * checksum was verified on input or computed here (sim_ipv4_reparse).
 * An inbound packet comes parsed (p->ip). */
static bool pkt_summary(const sim_pkt *p, pf_pkt *out, sim_ipv4_info *ip)
{
    if (p->ip)
        *ip = *p->ip;
    else if (!sim_ipv4_reparse(p->data, p->len, ip))
        return false;
    memset(out, 0, sizeof *out);
    out->proto = ip->proto;
    out->src = fw_u32(&ip->src);
    out->dst = fw_u32(&ip->dst);
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
    p->ip = NULL; /* rewritten: the IN hooks' parse no longer holds */
    wg_ip s = fw_ip4(pk->src), d = fw_ip4(pk->dst);
    if (pk->proto == SIM_IPPROTO_ICMP) {
        /* The echo id (pf's "port") first, so that the rewrite's one
         * pass over the header and the message computes both checksums
         * (they are recomputed from the bytes: the order of the writes
         * does not change them). */
        size_t hl = (size_t)(p->data[0] & 0xf) * 4;
        if (hl + 8 <= p->len) {
            p->data[hl + 4] = (uint8_t)(pk->sport >> 8);
            p->data[hl + 5] = (uint8_t)pk->sport;
        }
        sim_ipv4_rewrite(p->data, p->len, &s, &d, -1, -1);
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
    return fw_lab(f, "%sstate of \"%s\"", r->state && r->state->imported ? "pfsync " : "", r->label);
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
    pf_result r;
    pf_test_into(&f->pf, PF_IN, fw_ifname_of(f, p->in_ifindex), &pk, &r);
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
        f->rt_nexthop = fw_ip4(r.rt_addr);
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
        fw_u32(&ip->dst) == UINT32_C(0xffffffff))
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
        pf_result r;
        pf_test_into(&f->pf, PF_OUT, fw_ifname_of(f, ifx), &pk, &r);
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
                x->nat_from = (wg_endpoint){.ip = fw_ip4(src0), .port = pk.proto == SIM_IPPROTO_UDP ? sport0 : 0};
                x->nat_to = (wg_endpoint){.ip = fw_ip4(pk.src), .port = pk.proto == SIM_IPPROTO_UDP ? pk.sport : 0};
            }
        }
        if (r.rt == PF_RT_NONE)
            break;
        sim_iface *to = sim_node_iface(n, r.rt_ifname);
        if (!to)
            break;
        wg_ip gw = fw_ip4(r.rt_addr);
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

/* The pf instance and the three hooks it runs from (sim_fw_attach). */
void fw_pf_attach(sim_fw *f)
{
    sim_node *n = f->n;
    pf_host_ops po = {.ctx = f, .is_self = cb_is_self, .iface_addr = cb_iface_addr,
                      .iface_has_addr = cb_iface_has_addr, .iface_net_contains = cb_iface_net_contains,
                      .iface_exists = cb_iface_exists, .iface_in_group = cb_iface_in_group,
                      .state_changed = cb_state_changed,
                      .state_log = cb_state_log};
    /* creatorid: pf's host id; any per-node constant distinguishes peers. */
    pf_init(&f->pf, f->eng, sim_node_rng(n), (uint32_t)sim_node_id(n) + 1, &po);
    f->pf.opt.if_bound = !f->opt.floating_states;
    sim_node_add_hook(n, SIM_HOOK_IN, hook_in, f);
    sim_node_add_hook(n, SIM_HOOK_ROUTE, hook_route, f);
    sim_node_add_hook(n, SIM_HOOK_OUT, hook_out, f);
}
