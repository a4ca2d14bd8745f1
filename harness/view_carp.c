/*
 * view_carp.c — `show carp [NODE]`: every CARP vhid of the scenario's
 * firewalls (or of NODE) as the CARP model holds it now: interface, VIPs,
 * state, advbase, the configured advskew in effect (254 in maintenance),
 * the skew advertised (advskew + demotion, at most 240: ip_carp.c
 * carp_send_ad_locked), the demotion, and since when the row is what it is
 * (the change log; "-" when that class is off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

#define CARP_USAGE "show carp [NODE [VHID]]"

/* The change log's row for (ifname, vhid) of node at now: its `since`, or -1. */
static sim_time carp_since(const hs_view_ctx *v, int node, const char *ifname, uint8_t vhid)
{
    sim_hist_carp *rows = NULL;
    size_t n = sim_history_carp(v->w, node, v->now, &rows);
    sim_time since = -1;
    for (size_t i = 0; i < n; i++)
        if (rows[i].vhid == vhid && rows[i].ifname && !strcmp(rows[i].ifname, ifname))
            since = rows[i].since;
    free(rows);
    return since;
}

static void node_rows(hs_view_ctx *v, view_table *t, int node, int only_vhid)
{
    const hs_node *hn = &v->s->nodes[node];
    sim_fw *fw = view_fw(v, node);
    for (size_t c = 0; c < hn->n_carp; c++) {
        const hs_carp *hc = &hn->carp[c];
        const char *ifname = hn->ifaces[hc->iface].name;
        if (!view_carp_first(hn, c) || (only_vhid >= 0 && hc->vhid != only_vhid)) /* one row per (interface, vhid) */
            continue;
        char vips[256];
        size_t k = 0;
        vips[0] = 0;
        for (size_t p = c; p < hn->n_carp; p++) {
            if (hn->carp[p].vhid != hc->vhid || hn->carp[p].iface != hc->iface)
                continue;
            char pb[WG_IP_STRLEN + 8];
            int m = snprintf(vips + k, k < sizeof vips ? sizeof vips - k : 0, "%s%s", k ? "," : "",
                             wg_prefix_format(&hn->carp[p].address, pb));
            k += m > 0 ? (size_t)m : 0;
        }
        sim_fw_carp_info ci;
        if (!fw || !sim_fw_carp_info_get(fw, ifname, hc->vhid, &ci))
            continue;
        char flags[64] = "";
        snprintf(flags, sizeof flags, "%s%s%s", sim_fw_maintenance_on(fw) ? "maintenance" : "",
                 sim_fw_maintenance_on(fw) && !sim_fw_carp_enabled(fw) ? ", " : "",
                 sim_fw_carp_enabled(fw) ? "" : "carp disabled");
        if (!sim_node_powered(v->hw->nodes[node]))
            snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%spowered off", flags[0] ? ", " : "");
        sim_time since = carp_since(v, node, ifname, hc->vhid);
        char sb[32] = "-";
        if (since >= 0)
            view_time(since, sb, sizeof sb);
        view_table_row(t);
        view_table_cell(t, "%s", hn->name);
        view_table_cell(t, "%s", ifname);
        view_table_cell(t, "%u", hc->vhid);
        view_table_cell(t, "%s", vips);
        view_table_cell(t, "%s", view_carp_state(ci.state));
        view_table_cell(t, "%s", sb);
        view_table_cell(t, "%us", ci.advbase ? ci.advbase : 1);
        view_table_cell(t, "%u", ci.advskew);
        view_table_cell(t, "%u", ci.advertised_skew);
        view_table_cell(t, "%d", ci.demotion);
        view_table_cell(t, "%s", flags);
    }
}

bool view_carp(hs_view_ctx *v)
{
    int only = -1, vhid = -1;
    if (v->n > 2) {
        only = view_node_arg(v, 2, CARP_USAGE);
        if (only < 0)
            return false;
        if (v->s->nodes[only].n_carp == 0 || !view_fw(v, only))
            return view_fail(v, v->col[2], "node '%s' has no CARP vhid", v->words[2]);
    }
    if (v->n > 3) {
        char *end;
        long n = strtol(v->words[3], &end, 10);
        if (*end || n < 1 || n > 255 || hs_node_find_carp(&v->s->nodes[only], (uint8_t)n) < 0)
            return view_fail(v, v->col[3], "node '%s' has no CARP vhid '%s'", v->words[2], v->words[3]);
        vhid = (int)n;
        if (!view_no_more(v, 3))
            return false;
    }
    if (v->check)
        return true;
    static const char *const head[] = {"NODE", "INTERFACE", "VHID", "VIP", "STATE", "SINCE",
                                       "ADVBASE", "ADVSKEW", "ADVERTISED", "DEMOTION", "NOTE"};
    view_table t;
    view_table_init(&t, 11, head);
    for (size_t i = 0; i < v->s->n_nodes; i++)
        if (only < 0 || (int)i == only)
            node_rows(v, &t, (int)i, vhid);
    if (t.rows == 1) {
        view_table_free(&t);
        fprintf(v->out, "no CARP vhid in this scenario\n");
        return true;
    }
    view_table_print(&t, v->out, "");
    return true;
}
