/*
 * view_nodes.c — `show nodes`: every node of the scenario with its kind,
 * platform and power, one line per interface (link, addresses as the
 * stack holds them now, including addresses added at run time and the
 * WireGuard tunnels) and the CARP vhids on that interface with their state.
 */
#include <stdio.h>
#include <string.h>

#include "harness/view_internal.h"

/* "vhid 1 MASTER, vhid 2 BACKUP" for the CARP vhids of the scenario on ifname. */
static void carp_summary(const hs_view_ctx *v, int node, const char *ifname, char *buf, size_t len)
{
    const hs_node *hn = &v->s->nodes[node];
    sim_fw *fw = view_fw(v, node);
    size_t k = 0;
    buf[0] = 0;
    for (size_t c = 0; c < hn->n_carp && fw; c++) {
        const hs_carp *hc = &hn->carp[c];
        if (strcmp(hn->ifaces[hc->iface].name, ifname) != 0)
            continue;
        if (!view_carp_first(hn, c)) /* several VIPs of one vhid: named once */
            continue;
        sim_fw_carp_info ci;
        if (!sim_fw_carp_info_get(fw, ifname, hc->vhid, &ci))
            continue;
        int n = snprintf(buf + k, k < len ? len - k : 0, "%svhid %u %s", k ? ", " : "", hc->vhid,
                         view_carp_state(ci.state));
        k += n > 0 ? (size_t)n : 0;
    }
}

/* The interface's addresses: "198.51.100.2/24 198.51.100.1/24 (vip)". */
static void addresses(const sim_iface *ifp, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t a = 0; a < sim_iface_addr_count(ifp); a++) {
        const sim_addr *ad = sim_iface_addr_at(ifp, a);
        wg_prefix p = {.ip = ad->ip, .len = ad->plen};
        char pb[WG_IP_STRLEN + 8];
        int n = snprintf(buf + k, k < len ? len - k : 0, "%s%s%s", k ? " " : "", wg_prefix_format(&p, pb),
                         ad->is_carp ? " (vip)" : "");
        k += n > 0 ? (size_t)n : 0;
    }
}

bool view_nodes(hs_view_ctx *v)
{
    if (!view_no_more(v, 1))
        return false;
    if (v->check)
        return true;
    static const char *const head[] = {"NODE", "KIND", "PLATFORM", "POWER", "INTERFACE", "LINK", "ADDRESSES", "CARP"};
    view_table t;
    view_table_init(&t, 8, head);
    for (size_t i = 0; i < v->s->n_nodes; i++) {
        const hs_node *hn = &v->s->nodes[i];
        sim_node *n = v->hw->nodes[i];
        size_t nif = n ? sim_node_iface_count(n) : 0;
        sim_fw *fw = view_fw(v, (int)i);
        char power[64];
        snprintf(power, sizeof power, "%s%s", n && sim_node_powered(n) ? "on" : "off",
                 fw && sim_fw_maintenance_on(fw) ? ", maintenance" : "");
        for (size_t f = 0; f < (nif ? nif : 1); f++) {
            view_table_row(&t);
            if (f == 0) {
                view_table_cell(&t, "%s", hn->name);
                view_table_cell(&t, "%s", hs_node_kind_name(hn->kind));
                view_table_cell(&t, "%s", wg_platform_name(n ? sim_node_platform(n) : hn->platform));
                view_table_cell(&t, "%s", power);
            } else {
                for (int e = 0; e < 4; e++)
                    view_table_cell(&t, "%s", "");
            }
            if (!nif) {
                view_table_cell(&t, "-");
                continue;
            }
            sim_iface *ifp = sim_node_iface_by_index(n, (uint32_t)f + 1);
            char addr[512], carp[256];
            addresses(ifp, addr, sizeof addr);
            carp_summary(v, (int)i, sim_iface_name(ifp), carp, sizeof carp);
            view_table_cell(&t, "%s", sim_iface_name(ifp));
            view_table_cell(&t, "%s", sim_iface_link_up(ifp) ? "up" : "down");
            view_table_cell(&t, "%s", addr[0] ? addr : "-");
            view_table_cell(&t, "%s", carp);
        }
    }
    view_table_print(&t, v->out, "");
    return true;
}
