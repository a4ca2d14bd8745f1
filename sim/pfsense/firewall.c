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
        return;
    }
    /* Boot: "Temporarily Disable CARP" is not persistent; maintenance is. */
    if (f->carp_disabled) {
        f->carp_disabled = false;
        fw_vips_add(f);
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
    fw_pf_attach(f);
    fw_gw_attach(f);
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

/* ------------------------------------------------------------------ */
/* configuration                                                      */
/* ------------------------------------------------------------------ */

sim_err sim_fw_add_carp_vip(sim_fw *f, const sim_carp_vip *v)
{
    sim_iface *ifp = fw_iface_named(f, v->ifname);
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
    fw_log_carp(f);
    return SIM_OK;
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

static void conv_addr(const sim_fw_addr *a, pf_addr_match *m)
{
    memset(m, 0, sizeof *m);
    m->kind = a->kind == SIM_FW_SELF ? PF_ADDR_SELF : a->kind == SIM_FW_PREFIX ? PF_ADDR_PREFIX : PF_ADDR_ANY;
    if (a->kind == SIM_FW_PREFIX) {
        m->addr = fw_u32(&a->prefix.ip);
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
        c[i].to_addr = r[i].to_interface ? 0 : fw_u32(&r[i].to_addr);
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
            c[i].label = fw_lab(f, "%s", r[i].label);
        else
            c[i].label = fw_lab(f, "nat %zu", i);
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
        c[i].to_addr = fw_u32(&r[i].to.ip);
        c[i].to_port = r[i].to.port;
    }
    pf_set_rdr(&f->pf, c, n);
    free(f->rdr);
    f->rdr = c;
    f->n_rdr = n;
    f->pf_active = true;
    if (f->started)
        fw_build_rules(f);
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
            c[i].label = fw_lab(f, "%s", r[i].label);
        else
            c[i].label = fw_lab(f, "rule %zu", i);
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
        fw_build_rules(f);
    return SIM_OK;
}

sim_err sim_fw_add_gateway(sim_fw *f, const sim_fw_gateway *g)
{
    if (!g->name || !fw_iface_named(f, g->ifname) || g->addr.family != 4 || f->started)
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
    uint32_t mon = g->monitor.family == 4 ? fw_u32(&g->monitor) : fw_u32(&g->addr);
    gateway *x = gw_add(&f->gws, g->name, g->ifname, fw_u32(&g->addr), mon, &o);
    if (!x)
        return gw_find(&f->gws, g->name) ? SIM_EEXIST : SIM_EINVAL;
    x->monitor_disabled = g->monitor_disabled;
    fw_log_gateways(f);
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
                fw_apply_follow(f, &f->follow[i]);
            return SIM_OK;
        }
    if (f->n_follow == FW_MAX_FOLLOW)
        return SIM_ENOMEM;
    fw_follow *fo = &f->follow[f->n_follow++];
    fo->dst = *dst;
    snprintf(fo->name, sizeof fo->name, "%s", name);
    if (f->started)
        fw_apply_follow(f, fo);
    return SIM_OK;
}

static bool ps_up(void *ctx)
{
    sim_fw *f = ctx;
    if (!sim_node_powered(f->n) || !f->started)
        return false;
    if (f->sync_ifname[0]) {
        sim_iface *ifp = fw_iface_named(f, f->sync_ifname);
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
            if (!fw_iface_named(f, o->sync_ifname))
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
