/*
 * opnsense_net.c — the OPNsense reader's addressing part: hostname,
 * interfaces, virtual IPs, gateways (the MVC model and the legacy list),
 * the default gateway, gateway groups, static routes and HA sync. Meaning
 * from OPNsense core (github.com/opnsense/core, src/):
 *   interfaces/IF: etc/inc/config.inc legacy_config_get_interfaces (only
 *     those with <enable>), etc/inc/interfaces.inc interface_configure;
 *     etc/inc/filter.lib.inc filter_core_get_initialized_plugin_system
 *     (an interface has a gateway when its address is dynamic or its
 *     <gateway> is set and not "none"), filter_core_rules_system (the
 *     blockpriv / blockbogons rules, tested with empty());
 *   virtualip/vip: model OPNsense/Interfaces/Vip.xml, interfaces.inc
 *     interface_carp_configure; <peer> is unicast CARP;
 *   OPNsense/Gateways/gateway_item: model Routing/Gateways.xml (booleans
 *     0/1, empty <gateway> = dynamic, monitor_disable default 1); the
 *     legacy gateways/gateway_item reads as Routing/Migrations/M1_0_0.php
 *     run() converts it ("dynamic", flags by empty());
 *   default gateway: Routing/Gateways.php getGateways / newKey /
 *     getDefaultGW (upstream <defaultgw> first, then the lowest
 *     <priority>, the later item on a tie); with system/gw_switch_default
 *     etc/inc/system.inc system_routing_configure skips gateways that are
 *     down, so the default moves down that order;
 *   gateways/gateway_group: model Routing/GatewayGroups.xml (item = tier
 *     1 as a comma list, item2..item5 = tiers 2-5; legacy repeated
 *     "GW|TIER" items, FieldTypes/GatewayGroupItemField.php);
 *   staticroutes/route: model Routes/Route.xml (enabled 0/1; older
 *     <disabled>), etc/inc/system.inc system_staticroutes_configure;
 *   hasync: model Core/Hasync.xml, interfaces.inc
 *     interfaces_pfsync_configure (pfsync runs when pfsyncinterface is set),
 *     etc/rc.syshook.d/start/90-carp (net.inet.carp.preempt=1 unless
 *     disablepreempt).
 */
#include <stdlib.h>
#include <string.h>

#include "import/opnsense.h"
#include "import/reader.h"
#include "import/xml.h"

static void read_interface(xmlNode *x, imp_fw *fw)
{
    char buf[256], xp[IMP_TEXT];
    const char *lname = (const char *)x->name;
    snprintf(xp, sizeof xp, "/opnsense/interfaces/%s", lname);
    if (!ix_flag(x, "enable")) {
        imp_skipped_add(fw, ix_line(x), xp, "interface without <enable>");
        return;
    }
    ix_text(x, "if", buf, sizeof buf);
    /* lo0 is in the list as a "virtual" interface: every node has one */
    if (ix_set(x, "virtual") || ix_set(x, "internal_dynamic") || !strcmp(buf, "lo0")) {
        imp_unmodelled_add(fw, ix_line(x), xp, "%s (%s): OPNsense's loopback, not a network (every simulated node "
                           "has its own); not imported", lname, buf);
        fw->unmodelled.v[fw->unmodelled.n - 1].info = true;
        return;
    }
    imp_iface *i = imp_push(&fw->ifaces);
    imp_copy(i->name, sizeof i->name, lname);
    i->line = ix_line(x);
    imp_copy(i->driver, sizeof i->driver, buf);
    imp_clean_text(i->driver); /* it reaches a comment (fuzz/regress/import/bom-in-driver-name) */
    /* an assigned WireGuard instance: wgN (Wireguard/FieldTypes/ServerField.php) */
    i->wg = !strncmp(buf, "wg", 2) && buf[2] >= '0' && buf[2] <= '9';
    ix_text(x, "descr", buf, sizeof buf);
    imp_sanitize_name(i->descr, sizeof i->descr, buf, "");
    ix_text(x, "gateway", buf, sizeof buf);
    imp_copy(i->gateway, sizeof i->gateway, strcmp(buf, "none") ? buf : "");
    imp_read_ifaddr(fw, x, i, xp);
    i->wan = i->kind == IMP_ADDR_DYNAMIC || i->gateway[0];
    const char *block = ix_set(x, "blockbogons") ? "blockbogons" : ix_set(x, "blockpriv") ? "blockpriv" : NULL;
    if (block) {
        char xpb[IMP_TEXT];
        snprintf(xpb, sizeof xpb, "%.120s/%s", xp, block);
        imp_unmodelled_add(fw, i->line, xpb,
                           "block bogon/private networks on the interface: not modelled (the imported world's "
                           "documentation and private addresses would be blocked)");
    }
}

static void read_vips(xmlNode *root, imp_fw *fw)
{
    xmlNode *vips = ix_child(root, "virtualip");
    int k = 0;
    IX_FOR(v, vips, "vip")
    {
        k++;
        char ifname[IMP_NAME], iface[IMP_NAME], xp[IMP_TEXT], buf[64];
        snprintf(xp, sizeof xp, "/opnsense/virtualip/vip[%d]", k);
        ix_text(v, "interface", ifname, sizeof ifname);
        int parent_vhid;
        if (!imp_vip_iface(vips, ifname, true, iface, sizeof iface, &parent_vhid)) {
            imp_unmodelled_add(fw, ix_line(v), xp, "IP alias on '%s', a VIP this file does not define", ifname);
            continue;
        }
        if (ix_text(v, "peer", buf, sizeof buf) && buf[0]) {
            char pxp[IMP_TEXT];
            snprintf(pxp, sizeof pxp, "%.120s/peer", xp);
            imp_unmodelled_add(fw, ix_line(v), pxp,
                               "unicast CARP to %s: the scenario's CARP advertises by multicast on the segment", buf);
        }
        /* an IP alias with a vhid is stacked on that CARP VIP (Interfaces/Vip.xml,
         * interface_ipalias_configure "alias ... vhid N") */
        if (ix_text(v, "mode", buf, sizeof buf) && !strcmp(buf, "ipalias") && ix_int(v, "vhid", 0) > 0)
            parent_vhid = (int)ix_int(v, "vhid", 0);
        imp_read_vip(fw, v, xp, iface, parent_vhid);
    }
}

typedef struct gw_rank {
    bool upstream;
    int priority;
} gw_rank;

/* One gateway_item of either form; false when it is not imported. */
static bool read_gateway(xmlNode *root, xmlNode *g, const char *xp, imp_fw *fw, bool mvc, gw_rank *rank)
{
    char name[IMP_NAME], addr[64], proto[16];
    ix_text(g, "name", name, sizeof name);
    ix_text(g, "gateway", addr, sizeof addr);
    ix_text(g, "ipprotocol", proto, sizeof proto);
    if (ix_set(g, "disabled")) {
        imp_skipped_add(fw, ix_line(g), xp, name);
        return false;
    }
    if (!strcmp(proto, "inet6")) {
        imp_unmodelled_add(fw, ix_line(g), xp, "IPv6 gateway %s: the simulated network is IPv4 only", name);
        return false;
    }
    if (!imp_gateway_name_ok(fw, g, xp, name))
        return false;
    imp_gateway p = {.line = ix_line(g)};
    imp_sanitize_name(p.name, sizeof p.name, name, "GW");
    if (!ix_text(g, "interface", p.iface, sizeof p.iface) || !p.iface[0])
        imp_copy(p.iface, sizeof p.iface, "wan"); /* Gateways.xml default */
    if (!addr[0] || !strcmp(addr, "dynamic"))
        p.dynamic = true;
    else if (!imp_parse_addr(addr, &p.addr)) {
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s address '%s' is not IPv4", name, addr);
        return false;
    }
    /* the scenario's gateway is a neighbour on an imported interface */
    const imp_iface *f = imp_fw_iface(fw, p.iface);
    if (!f || f->wg || f->kind == IMP_ADDR_NONE) {
        /* on a disabled interface it does nothing: listed as disabled */
        bool off = !f && ix_child(ix_child(root, "interfaces"), p.iface);
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s on '%s', an interface that is %s", name, p.iface,
                           off ? "disabled: not imported" : "not imported (no IPv4 network of its own)");
        fw->unmodelled.v[fw->unmodelled.n - 1].info = off;
        return false;
    }
    if (f->kind == IMP_ADDR_STATIC && !p.dynamic && !imp_in_prefix(p.addr, f->addr)) {
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s (%s) is outside %s's network: not modelled", name, addr,
                           p.iface);
        return false;
    }
    /* the MVC model's default is 1 (not monitored); the legacy list's absent flag is 0 */
    p.monitor_off = mvc && !ix_has(g, "monitor_disable") ? true : ix_set(g, "monitor_disable");
    imp_read_monitor(fw, g, xp, name, &p);
    if (ix_set(g, "force_down"))
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s is forced down: imported as up", name);
    if (ix_set(g, "fargw"))
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s: a far gateway (outside the interface's network): not "
                           "modelled", name);
    rank->upstream = ix_set(g, "defaultgw");
    long prio = ix_int(g, "priority", 255);
    rank->priority = prio < 0 || prio > 255 ? 255 : (int)prio;
    p.is_default = rank->upstream;
    *imp_push(&fw->gateways) = p;
    return true;
}

/* Gateways.php newKey(): default flag, then 256 - priority, then the
 * sequence, sorted descending: a lower number is better. */
static int rank_cmp(gw_rank a, size_t ia, gw_rank b, size_t ib)
{
    if (a.upstream != b.upstream)
        return a.upstream ? -1 : 1;
    if (a.priority != b.priority)
        return a.priority < b.priority ? -1 : 1;
    return ia > ib ? -1 : ia < ib ? 1 : 0;
}

/* The default route: the best gateway; with gw_switch_default a group of
 * the gateways in that order, one tier each (the scenario's groups have 5). */
static void default_gateway(xmlNode *root, imp_fw *fw, const gw_rank *rank)
{
    size_t n = fw->gateways.n, order[64];
    if (!n)
        return;
    size_t m = n < 64 ? n : 64;
    for (size_t i = 0; i < m; i++)
        order[i] = i;
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0 && rank_cmp(rank[order[j]], order[j], rank[order[j - 1]], order[j - 1]) < 0; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    xmlNode *sys = ix_child(root, "system");
    if (!ix_has(sys, "gw_switch_default") || m == 1) {
        imp_copy(fw->default_gw, sizeof fw->default_gw, fw->gateways.v[order[0]].name);
        return;
    }
    imp_group *g = imp_push(&fw->groups);
    imp_copy(g->name, sizeof g->name, "default-switching");
    imp_copy(g->trigger, sizeof g->trigger, "down");
    g->line = ix_line(ix_child(sys, "gw_switch_default"));
    for (size_t i = 0; i < m && i < 5; i++) {
        imp_member *x = imp_push(&g->members);
        imp_copy(x->gateway, sizeof x->gateway, fw->gateways.v[order[i]].name);
        x->tier = (int)i + 1;
    }
    if (m > 5)
        imp_unmodelled_add(fw, g->line, "/opnsense/system/gw_switch_default",
                           "default gateway switching over %zu gateways: the scenario's group takes the first 5", m);
    imp_copy(fw->default_gw, sizeof fw->default_gw, g->name);
}

static void read_gateways(xmlNode *root, imp_fw *fw)
{
    xmlNode *mvc = ix_path(root, "OPNsense/Gateways");
    bool is_mvc = mvc && ix_child(mvc, "gateway_item");
    xmlNode *list = is_mvc ? mvc : ix_child(root, "gateways");
    gw_rank rank[64];
    char xp[IMP_TEXT];
    int k = 0;
    IX_FOR(g, list, "gateway_item")
    {
        k++;
        snprintf(xp, sizeof xp, "/opnsense/%s/gateway_item[%d]", is_mvc ? "OPNsense/Gateways" : "gateways", k);
        gw_rank r;
        if (read_gateway(root, g, xp, fw, is_mvc, &r) && fw->gateways.n <= 64)
            rank[fw->gateways.n - 1] = r;
    }
    default_gateway(root, fw, rank);
}

static void read_groups(xmlNode *root, imp_fw *fw)
{
    char buf[512], xp[IMP_TEXT];
    int k = 0;
    IX_FOR(g, ix_child(root, "gateways"), "gateway_group")
    {
        k++;
        snprintf(xp, sizeof xp, "/opnsense/gateways/gateway_group[%d]", k);
        imp_group *p = imp_read_group(fw, g);
        /* new form: item, item2 .. item5 = tiers, each a comma list;
         * legacy form: repeated item "GW|TIER" */
        static const char *const tiers[] = {"item", "item2", "item3", "item4", "item5"};
        for (int t = 0; t < 5; t++)
            IX_FOR(it, g, tiers[t])
            {
                ix_own_text(it, buf, sizeof buf);
                char *save = NULL;
                for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
                    char *bar = strchr(s, '|');
                    int tier = t + 1;
                    if (bar) {
                        *bar = 0;
                        tier = atoi(bar + 1);
                    }
                    imp_add_member(fw, p, s, tier, it, xp);
                }
            }
        imp_group_done(fw);
    }
}

static void read_routes(xmlNode *root, imp_fw *fw)
{
    int k = 0;
    IX_FOR(r, ix_child(root, "staticroutes"), "route")
    {
        char xp[IMP_TEXT];
        snprintf(xp, sizeof xp, "/opnsense/staticroutes/route[%d]", ++k);
        imp_read_route(fw, r, xp, ix_set(r, "disabled") || (ix_has(r, "enabled") && !ix_set(r, "enabled")));
    }
}

static void read_hasync(xmlNode *root, imp_fw *fw)
{
    xmlNode *h = ix_child(root, "hasync");
    char buf[64];
    if (!h)
        return;
    fw->preempt_off = ix_set(h, "disablepreempt");
    /* before MHA1_0_0 a separate pfsyncenabled flag existed */
    fw->pfsync = ix_text(h, "pfsyncinterface", fw->pfsync_iface, sizeof fw->pfsync_iface) && fw->pfsync_iface[0] &&
                 (!ix_has(h, "pfsyncenabled") || ix_set(h, "pfsyncenabled"));
    if (ix_text(h, "pfsyncpeerip", buf, sizeof buf) && buf[0] && !imp_parse_addr(buf, &fw->pfsync_peer))
        imp_unmodelled_add(fw, ix_line(h), "/opnsense/hasync/pfsyncpeerip", "pfsync peer '%s' is not IPv4", buf);
    if (ix_set(h, "pfsyncdefer"))
        imp_unmodelled_add(fw, ix_line(h), "/opnsense/hasync/pfsyncdefer",
                           "pfsync defer: the scenario's pfsync is imported without defer");
}

void imp_opnsense_read_net(xmlNode *root, imp_fw *fw)
{
    char buf[256];
    ix_text(ix_child(root, "system"), "hostname", buf, sizeof buf);
    imp_sanitize_name(fw->hostname, sizeof fw->hostname, buf, "fw");
    xmlNode *ifs = ix_child(root, "interfaces");
    for (xmlNode *x = ifs ? ifs->children : NULL; x; x = x->next)
        if (x->type == XML_ELEMENT_NODE)
            read_interface(x, fw);
    read_vips(root, fw);
    read_gateways(root, fw);
    read_groups(root, fw);
    read_routes(root, fw);
    read_hasync(root, fw);
}
