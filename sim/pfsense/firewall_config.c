/*
 * firewall_config.c — configuring the firewall node before and while it
 * runs (see firewall.c): CARP VIPs, outbound NAT, port forwards, the
 * filter, gateways and gateway groups, routes via a gateway, the pfsync
 * pair. Rules are checked and converted to pf's form here; the ruleset
 * pfSense generates from them is firewall_rules.c's.
 */
#include "sim/pfsense/firewall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            r[i].to.port == 0 || (proto != SIM_IPPROTO_UDP && proto != 6) ||
            (r[i].addr.family != 0 && r[i].addr.family != 4)) {
            free(c);
            return SIM_EINVAL;
        }
        c[i].proto = proto;
        c[i].port = r[i].port;
        c[i].to_addr = fw_u32(&r[i].to.ip);
        c[i].to_port = r[i].to.port;
        c[i].has_dst = r[i].addr.family == 4;
        if (c[i].has_dst)
            c[i].dst_addr = fw_u32(&r[i].addr);
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
