/*
 * firewall_gateway.c — gateway glue of the firewall node (see firewall.c;
 * the model itself is gateway.c): dpinger's probes as ICMP echo requests
 * from the interface address and their replies, the monitor host routes,
 * routes that follow a gateway or group (fixup_default_gateway) and the
 * rule rebuild on a gateway alarm, and the change log's gateway rows.
 */
#include "sim/pfsense/firewall.h"

#include <stdio.h>
#include <string.h>

#define GW_ICMP_ID_BASE 0xd900 /* echo ids of the gateway monitors */

/* ------------------------------------------------------------------ */
/* gateways glue                                                      */
/* ------------------------------------------------------------------ */

/* The gateway rows of the change log (firewall.h, fw_log_carp). */
void fw_log_gateways(sim_fw *f)
{
    if (!sim_hist_on(f->w, SIM_HIST_GATEWAY))
        return;
    for (size_t i = 0; i < f->gws.n; i++) {
        sim_fw_gateway_info gi;
        if (sim_fw_gateway_info_get(f, f->gws.g[i]->name, &gi))
            sim_hist_log_gateway(f->w, sim_node_id(f->n), f->gws.g[i]->name, &gi);
    }
}

void fw_apply_follow(sim_fw *f, const fw_follow *fo)
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
                if (f->gws.g[i]->addr == fw_u32(&cur->gateway))
                    curg = f->gws.g[i];
        g = gw_group_pick(grp, curg);
        if (!g)
            return; /* a group without members: the route is left as it is */
        if (cur && cur->origin == SIM_RT_GATEWAY && curg == g)
            return;
    }
    sim_route r = {.dst = fo->dst, .gateway = fw_ip4(g->addr), .origin = SIM_RT_GATEWAY};
    sim_iface *ifp = fw_iface_named(f, g->ifname);
    r.ifindex = ifp ? sim_iface_index(ifp) : 0;
    snprintf(r.tag, sizeof r.tag, "%s", fo->name);
    const sim_route *cur = sim_node_route_find(f->n, &fo->dst);
    if (cur && cur->origin == r.origin && wg_ip_eq(&cur->gateway, &r.gateway) && cur->ifindex == r.ifindex &&
        !strcmp(cur->tag, r.tag))
        return;
    sim_route_replace(f->n, &r);
}

void fw_apply_all_follow(sim_fw *f)
{
    for (size_t i = 0; i < f->n_follow; i++)
        fw_apply_follow(f, &f->follow[i]);
}

static void gw_cb_probe(void *ctx, gateway *g, uint16_t seq)
{
    sim_fw *f = ctx;
    /* dpinger binds the interface address (pfSense passes -B addr). */
    sim_iface *ifp = fw_iface_named(f, g->ifname);
    const sim_addr *pa = ifp ? sim_iface_primary_addr(ifp) : NULL;
    size_t idx = 0;
    while (idx < f->gws.n && f->gws.g[idx] != g)
        idx++;
    sim_ip_send_opts o = {.src_kind = SIM_SRC_EXPLICIT};
    if (pa)
        o.src = pa->ip;
    wg_ip dst = fw_ip4(g->monitor);
    sim_icmp_echo(f->n, &dst, (uint16_t)(GW_ICMP_ID_BASE + idx), seq, 0, &o);
}

/* OPNsense gateway_watcher.php (f95e815:111-115) raises an alarm, which
 * reloads routes and rules, when GatewayGroups::gatewayStateChange finds a
 * group containing the gateway for whose trigger it went from usable to
 * not or back (gatewayIsUp), e.g. "none" -> "loss" under a loss trigger. */
static bool opn_group_alarm(const sim_fw *f, const gateway *g, gw_status from, gw_status to)
{
    for (size_t i = 0; i < f->gws.ngroups; i++) {
        const gw_group *grp = &f->gws.groups[i];
        for (size_t j = 0; j < grp->n; j++)
            if (grp->m[j].gw == g && gw_opn_member_up(grp->trigger, from, g->was_delay_loss) !=
                                         gw_opn_member_up(grp->trigger, to, g->delay_loss))
                return true;
    }
    return false;
}

static void gw_cb_status(void *ctx, gateway *g, gw_status from, gw_status to)
{
    sim_fw *f = ctx;
    sim_ev_state st = {.kind = SIM_EVS_GATEWAY, .gateway = g->name, .from = (int)from, .to = (int)to};
    /* A gateway going down says why (get_dpinger_status's substatus), as
     * pfSense's "omitting from routing group" log line does. */
    char why[24] = "";
    if (to == GW_DOWN)
        snprintf(why, sizeof why, "%s, ", gw_reason_name(g->reason));
    bool opn = f->gws.semantics == GW_SEM_OPNSENSE;
    sim_event_log_state(f->w, SIM_EV_MODEL, f->n, 0, "gateway", &st,
                        "%s gateway %s %s -> %s (%sloss %.1f%%, latency %.1f ms)", sim_node_name(f->n), g->name,
                        opn ? gw_opn_status_name(from, g->was_delay_loss) : gw_status_name(from),
                        opn ? gw_opn_status_name(to, g->delay_loss) : gw_status_name(to), why, g->loss,
                        (double)g->latency / (double)SIM_MS);
    /* pfSense starts dpinger with -D latencyhigh -L losshigh -C
     * rc.gateway_alarm (gwlb.inc start_dpinger): only entering or leaving
     * "down" raises an alarm. rc.gateway_alarm then runs
     * fixup_default_gateway / the group routes and reloads the filter
     * (rules naming a down gateway lose their route-to), reading every
     * gateway's current status, delay and loss included. A change between
     * online, delay and loss alone triggers nothing. */
    fw_log_gateways(f);
    if ((from == GW_DOWN) == (to == GW_DOWN) && !(opn && opn_group_alarm(f, g, from, to)))
        return;
    fw_apply_all_follow(f);
    fw_build_rules(f);
}

static void icmp_rx(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip)
{
    sim_fw *f = ctx;
    (void)n, (void)in;
    if (ip->icmp_type != SIM_ICMP_ECHO_REPLY || ip->icmp_id < GW_ICMP_ID_BASE)
        return;
    size_t idx = (size_t)(ip->icmp_id - GW_ICMP_ID_BASE);
    if (idx < f->gws.n && fw_u32(&ip->src) == f->gws.g[idx]->monitor)
        gw_probe_reply(f->gws.g[idx], ip->icmp_seq);
}

void fw_monitor_routes(sim_fw *f)
{
    /* dpinger adds a host route to a monitor address that is not the
     * gateway itself (ha-model.md §3, MISC). */
    for (size_t i = 0; i < f->gws.n; i++) {
        gateway *g = f->gws.g[i];
        if (g->monitor == g->addr || g->monitor_disabled)
            continue;
        sim_route r = {.dst = {.ip = fw_ip4(g->monitor), .len = 32}, .gateway = fw_ip4(g->addr), .origin = SIM_RT_MONITOR};
        sim_iface *ifp = fw_iface_named(f, g->ifname);
        r.ifindex = ifp ? sim_iface_index(ifp) : 0;
        snprintf(r.tag, sizeof r.tag, "%s", g->name);
        if (!sim_node_route_find(f->n, &r.dst))
            sim_route_add(f->n, &r);
    }
}

/* The gateway monitors and the ICMP listener that feeds them their echo
 * replies (sim_fw_attach). */
void fw_gw_attach(sim_fw *f)
{
    sim_node *n = f->n;
    gw_ops go = {.ctx = f, .send_probe = gw_cb_probe, .status_changed = gw_cb_status};
    gw_set_init(&f->gws, f->eng, &go);
    sim_node_add_icmp_listener(n, icmp_rx, f);
}
