/*
 * pfsense_net.c — the pfSense reader's addressing part: hostname,
 * interfaces, virtual IPs (CARP and IP aliases), gateways, gateway groups,
 * static routes and HA sync. Each element's meaning is pfSense's (sources
 * from github.com/pfsense/pfsense, src/etc/inc/):
 *   interfaces/IF: interfaces.inc interface_configure (ipaddr/subnet, or a
 *     dynamic kind: dhcp, pppoe, pptp, l2tp, ppp), interface_has_gateway
 *     (an interface with <gateway> or a dynamic kind is a WAN);
 *   virtualip/vip: interfaces.inc interface_carp_configure (vhid, advskew,
 *     advbase, subnet/subnet_bits) and interface_ipalias_configure (an alias
 *     on "_vipUNIQID" stacks on that CARP VIP's interface);
 *   virtualip_carp_maintenancemode: interface_carp_configure (advskew 254);
 *   gateways/gateway_item, defaultgw4, gateway_group: gwlb.inc
 *     return_gateways_array, return_gateway_groups_array (item
 *     "GW|TIER|VIP"; trigger down/downloss/downlatency/downlosslatency);
 *   staticroutes/route: system.inc system_staticroutes_configure;
 *   hasync: interfaces.inc interfaces_sync_setup (pfsyncenabled,
 *     pfsyncinterface, pfsyncpeerip; net.inet.carp.preempt=1 always).
 */
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "import/pfsense.h"
#include "import/reader.h"
#include "import/xml.h"

static void read_hostname(xmlNode *root, imp_fw *fw)
{
    char buf[256];
    ix_text(ix_child(root, "system"), "hostname", buf, sizeof buf);
    imp_sanitize_name(fw->hostname, sizeof fw->hostname, buf, "fw");
}

static void read_interface(xmlNode *root, xmlNode *x, imp_fw *fw)
{
    char buf[256], xp[IMP_TEXT];
    const char *lname = (const char *)x->name;
    snprintf(xp, sizeof xp, "/pfsense/interfaces/%s", lname);
    if (!ix_flag(x, "enable")) {
        imp_skipped_add(fw, ix_line(x), xp, "interface without <enable>");
        return;
    }
    imp_iface *i = imp_push(&fw->ifaces);
    imp_sanitize_name(i->name, sizeof i->name, lname, "if"); /* an XML name may hold ':' or non-ASCII */
    i->line = ix_line(x);
    ix_text(x, "if", buf, sizeof buf);
    imp_copy(i->driver, sizeof i->driver, buf);
    imp_clean_text(i->driver);
    i->wg = !strncmp(buf, "tun_wg", 6);
    ix_text(x, "descr", buf, sizeof buf);
    imp_sanitize_name(i->descr, sizeof i->descr, buf, "");
    ix_text(x, "gateway", buf, sizeof buf);
    imp_copy(i->gateway, sizeof i->gateway, buf);
    imp_read_ifaddr(fw, x, i, xp);
    /* interface_has_gateway: dynamic kinds and a configured <gateway>. */
    i->wan = i->kind == IMP_ADDR_DYNAMIC || i->gateway[0];
    if (ix_flag(x, "blockbogons") || ix_flag(x, "blockpriv")) {
        char xpb[IMP_TEXT];
        snprintf(xpb, sizeof xpb, "%.120s/%s", xp, ix_flag(x, "blockbogons") ? "blockbogons" : "blockpriv");
        imp_unmodelled_add(fw, i->line, xpb,
                           "block bogon/private networks on the interface: not modelled (the imported world's "
                           "documentation addresses would be bogons)");
    }
    (void)root;
}

static void read_interfaces(xmlNode *root, imp_fw *fw)
{
    xmlNode *ifs = ix_child(root, "interfaces");
    for (xmlNode *x = ifs ? ifs->children : NULL; x; x = x->next)
        if (x->type == XML_ELEMENT_NODE)
            read_interface(root, x, fw);
}

static void read_vips(xmlNode *root, imp_fw *fw)
{
    xmlNode *vips = ix_child(root, "virtualip");
    int k = 0;
    IX_FOR(v, vips, "vip")
    {
        k++;
        char ifname[IMP_NAME], iface[IMP_NAME], xp[IMP_TEXT];
        snprintf(xp, sizeof xp, "/pfsense/virtualip/vip[%d]", k);
        ix_text(v, "interface", ifname, sizeof ifname);
        int parent_vhid;
        if (!imp_vip_iface(vips, ifname, false, iface, sizeof iface, &parent_vhid))
            imp_unmodelled_add(fw, ix_line(v), xp, "IP alias on '%s', a VIP this file does not define", ifname);
        else
            imp_read_vip(fw, v, xp, iface, parent_vhid);
    }
    fw->maintenance = ix_flag(root, "virtualip_carp_maintenancemode");
}

static void read_gateways(xmlNode *root, imp_fw *fw)
{
    xmlNode *gws = ix_child(root, "gateways");
    char buf[IMP_NAME], xp[IMP_TEXT];
    int k = 0;
    IX_FOR(g, gws, "gateway_item")
    {
        k++;
        snprintf(xp, sizeof xp, "/pfsense/gateways/gateway_item[%d]", k);
        char name[IMP_NAME], addr[64], proto[16];
        ix_text(g, "name", name, sizeof name);
        ix_text(g, "gateway", addr, sizeof addr);
        ix_text(g, "ipprotocol", proto, sizeof proto);
        if (ix_flag(g, "disabled")) {
            imp_skipped_add(fw, ix_line(g), xp, name);
            continue;
        }
        if (!strcmp(proto, "inet6")) {
            imp_unmodelled_add(fw, ix_line(g), xp, "IPv6 gateway %s: the simulated network is IPv4 only", name);
            continue;
        }
        if (!imp_gateway_name_ok(fw, g, xp, name))
            continue;
        imp_gateway *p = imp_push(&fw->gateways);
        imp_sanitize_name(p->name, sizeof p->name, name, "GW");
        ix_text(g, "interface", p->iface, sizeof p->iface);
        p->line = ix_line(g);
        if (!strcmp(addr, "dynamic"))
            p->dynamic = true;
        else if (!imp_parse_addr(addr, &p->addr)) {
            fw->gateways.n--;
            imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s address '%s' is not IPv4", name, addr);
            continue;
        }
        p->monitor_off = ix_flag(g, "monitor_disable");
        p->is_default = ix_flag(g, "defaultgw");
        if (ix_flag(g, "action_disable"))
            imp_unmodelled_add(fw, ix_line(g), xp,
                               "gateway %s: 'Disable Gateway Monitoring Action' (stays in its groups when down): "
                               "not modelled",
                               name);
        if (ix_flag(g, "nonlocalgateway"))
            imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s: a non-local gateway (outside the interface's "
                                                   "network): not modelled",
                               name);
        imp_read_monitor(fw, g, xp, name, p);
    }
    if (ix_text(gws, "defaultgw4", buf, sizeof buf) && buf[0])
        imp_sanitize_name(fw->default_gw, sizeof fw->default_gw, buf, "");
    for (size_t i = 0; !fw->default_gw[0] && i < fw->gateways.n; i++)
        if (fw->gateways.v[i].is_default)
            imp_copy(fw->default_gw, sizeof fw->default_gw, fw->gateways.v[i].name);

    k = 0;
    IX_FOR(g, gws, "gateway_group")
    {
        k++;
        snprintf(xp, sizeof xp, "/pfsense/gateways/gateway_group[%d]", k);
        imp_group *p = imp_read_group(fw, g);
        IX_FOR(it, g, "item")
        {
            char item[256];
            ix_own_text(it, item, sizeof item);
            char *f2 = strchr(item, '|');
            char *f3 = f2 ? strchr(f2 + 1, '|') : NULL;
            if (f2)
                *f2++ = 0;
            if (f3)
                *f3++ = 0;
            if (imp_add_member(fw, p, item, f2 ? atoi(f2) : 1, it, xp) && f3 && f3[0] && strcmp(f3, "address"))
                imp_unmodelled_add(fw, ix_line(it), xp,
                                   "group %s member %s uses virtual IP '%s' as its source: the scenario's group "
                                   "uses the interface address",
                                   p->name, item, f3);
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
        snprintf(xp, sizeof xp, "/pfsense/staticroutes/route[%d]", ++k);
        imp_read_route(fw, r, xp, ix_flag(r, "disabled"));
    }
}

static void read_hasync(xmlNode *root, imp_fw *fw)
{
    xmlNode *h = ix_child(root, "hasync");
    char buf[64];
    if (!h)
        return;
    fw->pfsync = ix_flag(h, "pfsyncenabled") && ix_text(h, "pfsyncenabled", buf, sizeof buf) && strcmp(buf, "off");
    ix_text(h, "pfsyncinterface", fw->pfsync_iface, sizeof fw->pfsync_iface);
    if (ix_text(h, "pfsyncpeerip", buf, sizeof buf) && buf[0] && !imp_parse_addr(buf, &fw->pfsync_peer))
        imp_unmodelled_add(fw, ix_line(h), "/pfsense/hasync/pfsyncpeerip", "pfsync peer '%s' is not IPv4", buf);
    /* the XMLRPC sync target (rc.filter_synchronize): only compared, configuration sync is not simulated */
    if (ix_text(h, "synchronizetoip", buf, sizeof buf) && buf[0] && !imp_parse_addr(buf, &fw->sync_to))
        fw->sync_to = 0;
}

bool imp_pfsense_read_net(xmlNode *root, imp_fw *fw)
{
    read_hostname(root, fw);
    read_interfaces(root, fw);
    read_vips(root, fw);
    read_gateways(root, fw);
    read_routes(root, fw);
    read_hasync(root, fw);
    return true;
}
