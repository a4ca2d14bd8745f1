/*
 * firewall.c — the pfSense-like firewall node: plugs CARP (carp.c), pf
 * (pf_*.c), pfsync (pfsync.c) and the gateway monitor (gateway.c) into the
 * simulated network through its public hooks (sim.h). This file holds the
 * node's lifecycle (attach, boot, power, link, free), its commands and
 * accessors. Its parts share firewall.h and live one concept a file: CARP
 * in firewall_carp.c, pf in firewall_pf.c, pfSense's rule generation in
 * firewall_rules.c, gateways in firewall_gateway.c, the sim_fw_* setters
 * and the pfsync pair in firewall_config.c.
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
#include "sim/pfsense/firewall.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* small helpers                                                      */
/* ------------------------------------------------------------------ */

sim_iface *fw_iface_named(const sim_fw *f, const char *name)
{
    return name && name[0] ? sim_node_iface(f->n, name) : NULL;
}

/* A rule label, kept once in the world: pf rules, states and the source
 * reasons of packets point at it, and no label is ever cut short. */
const char *fw_lab(sim_fw *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = sim_rec_vprintf(fmt, ap);
    va_end(ap);
    const char *c = sim_world_intern(sim_node_world(f->n), t);
    free(t);
    return c;
}

const char *fw_ifname_of(const sim_fw *f, uint32_t ifindex)
{
    sim_iface *ifp = sim_node_iface_by_index(f->n, ifindex);
    return ifp ? sim_iface_name(ifp) : "";
}

bool fw_prefix_has(const wg_ip *net, uint8_t plen, uint32_t a)
{
    uint32_t mask = plen == 0 ? 0 : plen >= 32 ? 0xffffffffu : ~((1u << (32 - plen)) - 1);
    return ((fw_u32(net) ^ a) & mask) == 0;
}

const char *sim_carp_state_name(sim_carp_state s) { return carp_state_name((carp_state)s); }
const char *sim_gw_status_name(sim_gw_status s) { return gw_status_name((gw_status)s); }
const char *sim_gw_reason_name(sim_gw_reason r) { return gw_reason_name((gw_reason)r); }

sim_node *sim_fw_node(const sim_fw *f) { return f->n; }

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
    fw_build_rules(f);
    fw_carp_boot(f);
    /* pfsync asks its peer for the whole table; CARP stays demoted until
     * that completes (ha-model.md §1.3). */
    if (f->has_pfsync)
        pfsync_bulk_start(&f->ps);
    fw_monitor_routes(f);
    gw_start_all(&f->gws);
    fw_log_gateways(f);
    fw_apply_all_follow(f);
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
        fw_carp_halt(f);
        gw_stop_all(&f->gws);
        sim_cancel(f->eng, f->purge_ev);
        f->purge_ev = 0;
        /* pfsync first: what it had queued is lost with the machine, and
         * the table going away is not a change a dead machine reports. */
        if (f->has_pfsync)
            pfsync_reset(&f->ps);
        pf_states_flush(&f->pf);
        fw_wgdep_power(f, false);
        return;
    }
    /* Boot: "Temporarily Disable CARP" is not persistent; maintenance is. */
    if (f->carp_disabled) {
        f->carp_disabled = false;
        fw_vips_add(f);
    }
    /* Before boot: the boot's CARP transitions find the instances' check
     * already pending (wg_start, once the device exists again). */
    fw_wgdep_power(f, true);
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
    fw_wgdep_free(f);
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
    fw_pf_attach(f);
    fw_gw_attach(f);
    if (f->opt.gateway_semantics == SIM_GW_SEM_PFSENSE_2_9_DEV)
        f->gws.semantics = GW_SEM_PFSENSE_2_9_DEV;
    else if (f->opt.gateway_semantics == SIM_GW_SEM_OPNSENSE)
        f->gws.semantics = GW_SEM_OPNSENSE;
    sim_pending_add(f->w, &f->pend, fw_free);
    sim_node_set_user(n, f);
    fw_carp_attach(f);
    sim_node_add_power_listener(n, on_power, f);
    sim_node_add_link_listener(n, on_link, f);
    return f;
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
    out->reason = (sim_gw_reason)g->reason;
    out->loss = g->loss;
    out->latency = g->latency;
    snprintf(out->ifname, sizeof out->ifname, "%s", g->ifname);
    out->addr = fw_ip4(g->addr);
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
        out->src.ip = fw_ip4(s->stack.addr[sidx]);
        out->src.port = s->stack.port[sidx];
        out->nat_src.ip = fw_ip4(s->wire.addr[sidx]);
        out->nat_src.port = s->wire.port[sidx];
        out->dst.ip = fw_ip4(s->wire.addr[didx]);
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
