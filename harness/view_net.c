/*
 * view_net.c — the network-layer views of one node, as its stack holds
 * them now: `show routes NODE` (the FIB, default first then by
 * destination, as `netstat -rn` lists it), `show arp NODE` (the neighbour
 * cache per interface) and `show gateways NODE` (dpinger-like monitors:
 * status, loss, rtt, whether the default route follows it, its groups).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

/* The node argument (word 2) and no more words (but word 3 with
 * more_ok); -1 with the error set. */
static int node_arg(hs_view_ctx *v, const char *usage, bool more_ok)
{
    int node = view_node_arg(v, 2, usage);
    if (node < 0 || !view_no_more(v, more_ok ? 3 : 2))
        return -1;
    return node;
}

static const char *ifname_of(const sim_node *n, uint32_t ifindex)
{
    sim_iface *ifp = ifindex ? sim_node_iface_by_index(n, ifindex) : NULL;
    return ifp ? sim_iface_name(ifp) : "-";
}

static int cmp_ip(const wg_ip *a, const wg_ip *b)
{
    return memcmp(a->b, b->b, 4);
}

static int cmp_route(const void *x, const void *y)
{
    const sim_route *a = *(const sim_route *const *)x, *b = *(const sim_route *const *)y;
    int c = cmp_ip(&a->dst.ip, &b->dst.ip);
    return c ? c : (int)a->dst.len - (int)b->dst.len;
}

bool view_routes(hs_view_ctx *v)
{
    int node = node_arg(v, "show routes NODE", false);
    if (node < 0 || v->check)
        return node >= 0;
    sim_node *n = v->hw->nodes[node];
    size_t cnt = sim_node_route_count(n);
    const sim_route **rs = malloc((cnt ? cnt : 1) * sizeof *rs);
    if (!rs)
        sim_oom("the routes view");
    for (size_t i = 0; i < cnt; i++)
        rs[i] = sim_node_route_at(n, i);
    qsort(rs, cnt, sizeof *rs, cmp_route);
    static const char *const head[] = {"DESTINATION", "GATEWAY", "INTERFACE", "SOURCE", "ORIGIN", "FOLLOWS"};
    view_table t;
    view_table_init(&t, 6, head);
    for (size_t i = 0; i < cnt; i++) {
        const sim_route *r = rs[i];
        char dst[WG_IP_STRLEN + 8], gw[WG_IP_STRLEN], src[WG_IP_STRLEN] = "-";
        /* the interface and source a lookup of the route's own prefix gives
         * (fib.c); a route shadowed by a longer one: its gateway's interface */
        sim_route_result res = {0};
        bool own = sim_fib_lookup(n, &r->dst.ip, &res) && res.route == r;
        if (!own && r->gateway.family && !sim_fib_lookup(n, &r->gateway, &res))
            res.ifindex = 0;
        uint32_t ifindex = r->ifindex ? r->ifindex : res.ifindex;
        if (r->ifa.family)
            wg_ip_format(&r->ifa, src);
        else if (own && res.src.family)
            wg_ip_format(&res.src, src);
        view_table_row(&t);
        view_table_cell(&t, "%s", r->dst.len == 0 ? "default" : wg_prefix_format(&r->dst, dst));
        view_table_cell(&t, "%s", r->gateway.family ? wg_ip_format(&r->gateway, gw) : "link");
        view_table_cell(&t, "%s", ifname_of(n, ifindex));
        view_table_cell(&t, "%s", src);
        view_table_cell(&t, "%s", sim_route_origin_name(r->origin));
        view_table_cell(&t, "%s", r->tag[0] ? r->tag : "");
    }
    free(rs);
    view_table_print(&t, v->out, "");
    return true;
}

bool view_arp(hs_view_ctx *v)
{
    int node = node_arg(v, "show arp NODE [INTERFACE]", true);
    if (node < 0)
        return false;
    sim_node *n = v->hw->nodes[node];
    if (v->n > 3 && !sim_node_iface(n, v->words[3]))
        return view_fail(v, v->col[3], "node '%s' has no interface '%s'", v->words[2], v->words[3]);
    if (v->check)
        return true;
    static const char *const head[] = {"INTERFACE", "ADDRESS", "MAC", "STATE", "EXPIRES"};
    view_table t;
    view_table_init(&t, 5, head);
    for (uint32_t f = 1; f <= sim_node_iface_count(n); f++) {
        sim_iface *ifp = sim_node_iface_by_index(n, f);
        if (v->n > 3 && strcmp(sim_iface_name(ifp), v->words[3]) != 0)
            continue;
        for (size_t i = 0; i < sim_arp_count(ifp); i++) {
            sim_arp_entry e;
            if (!sim_arp_entry_at(ifp, i, &e))
                continue;
            char ip[WG_IP_STRLEN], mac[SIM_MAC_STRLEN], exp[48], in[32];
            snprintf(exp, sizeof exp, "%s (in %s)", view_time(e.expire, in, sizeof in),
                     e.expire > v->now ? view_time(e.expire - v->now, mac, sizeof mac) : "0.000s");
            view_table_row(&t);
            view_table_cell(&t, "%s", sim_iface_name(ifp));
            view_table_cell(&t, "%s", wg_ip_format(&e.ip, ip));
            view_table_cell(&t, "%s", e.resolved ? sim_mac_format(&e.mac, mac) : "(incomplete)");
            view_table_cell(&t, "%s", e.resolved ? "resolved" : "incomplete");
            view_table_cell(&t, "%s", exp);
        }
    }
    view_table_print(&t, v->out, "");
    return true;
}

/* "GROUP (tier N, active)" for every group of the node gateway g belongs to. */
static void groups_of(const hs_view_ctx *v, int node, int g, const wg_ip *addr, char *buf, size_t len)
{
    const hs_node *hn = &v->s->nodes[node];
    sim_node *n = v->hw->nodes[node];
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < hn->n_groups; i++)
        for (size_t m = 0; m < hn->groups[i].n_members; m++) {
            if (hn->groups[i].members[m].gateway != g)
                continue;
            /* the member a route following the group points at now (fixup_default_gateway) */
            bool active = false;
            for (size_t r = 0; r < sim_node_route_count(n); r++) {
                const sim_route *rt = sim_node_route_at(n, r);
                active |= !strcmp(rt->tag, hn->groups[i].name) && wg_ip_eq(&rt->gateway, addr);
            }
            int w = snprintf(buf + k, k < len ? len - k : 0, "%s%s (tier %d%s)", k ? ", " : "",
                             hn->groups[i].name, hn->groups[i].members[m].tier, active ? ", active" : "");
            k += w > 0 ? (size_t)w : 0;
        }
}

bool view_gateways(hs_view_ctx *v)
{
    int node = node_arg(v, "show gateways NODE [GATEWAY]", true);
    if (node < 0)
        return false;
    const hs_node *hn = &v->s->nodes[node];
    sim_fw *fw = view_fw(v, node);
    if (hn->n_gateways == 0 || !fw)
        return view_fail(v, v->col[2], "node '%s' has no gateway", hn->name);
    int only = v->n > 3 ? hs_node_find_gateway(hn, v->words[3]) : -1;
    if (v->n > 3 && only < 0)
        return view_fail(v, v->col[3], "node '%s' has no gateway '%s'", hn->name, v->words[3]);
    if (v->check)
        return true;
    sim_node *n = v->hw->nodes[node];
    const sim_route *def = NULL;
    for (size_t r = 0; r < sim_node_route_count(n); r++)
        if (sim_node_route_at(n, r)->dst.len == 0)
            def = sim_node_route_at(n, r);
    static const char *const head[] = {"GATEWAY", "INTERFACE", "ADDRESS", "MONITOR", "STATUS", "LOSS", "RTT",
                                       "DEFAULT", "GROUPS"};
    view_table t;
    view_table_init(&t, 9, head);
    for (size_t g = 0; g < hn->n_gateways; g++) {
        const hs_gateway *hg = &hn->gateways[g];
        sim_fw_gateway_info gi;
        if ((only >= 0 && (int)g != only) || !sim_fw_gateway_info_get(fw, hg->name, &gi))
            continue;
        char a[WG_IP_STRLEN], m[WG_IP_STRLEN], loss[16], rtt[32], groups[256];
        groups_of(v, node, (int)g, &gi.addr, groups, sizeof groups);
        view_table_row(&t);
        view_table_cell(&t, "%s", hg->name);
        view_table_cell(&t, "%s", gi.ifname);
        view_table_cell(&t, "%s", wg_ip_format(&gi.addr, a));
        view_table_cell(&t, "%s", wg_ip_format(hg->monitor.family ? &hg->monitor : &hg->address, m));
        if (gi.status == SIM_GW_DOWN)
            view_table_cell(&t, "down (%s)", sim_gw_reason_name(gi.reason));
        else
            view_table_cell(&t, "%s", sim_gw_status_name(gi.status));
        view_table_cell(&t, "%s%%", hs_format_percent(gi.loss, loss, sizeof loss));
        view_table_cell(&t, "%s", hs_fmt_ms(gi.latency, rtt, sizeof rtt));
        view_table_cell(&t, "%s", def && wg_ip_eq(&def->gateway, &gi.addr) ? "yes" : "");
        view_table_cell(&t, "%s", groups);
    }
    view_table_print(&t, v->out, "");
    return true;
}
