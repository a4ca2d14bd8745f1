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
#include "import/xml.h"

static const char *const dynamic_kinds[] = {"dhcp", "pppoe", "pptp", "l2tp", "ppp", NULL};

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
    char addr[64];
    ix_text(x, "ipaddr", addr, sizeof addr);
    long bits = ix_int(x, "subnet", -1);
    uint32_t a;
    if (imp_parse_addr(addr, &a)) {
        if (bits < 0 || bits > 32) {
            imp_unmodelled_add(fw, ix_line(x), xp, "IPv4 address %s without a valid <subnet>: interface has no address",
                               addr);
        } else {
            i->kind = IMP_ADDR_STATIC;
            i->addr = (imp_prefix){a, (int)bits};
        }
    } else if (addr[0]) {
        for (int k = 0; dynamic_kinds[k]; k++)
            if (!strcmp(addr, dynamic_kinds[k]))
                i->kind = IMP_ADDR_DYNAMIC;
        if (i->kind == IMP_ADDR_DYNAMIC)
            imp_copy(i->dynamic, sizeof i->dynamic, addr);
        else
            imp_unmodelled_add(fw, ix_line(x), xp, "<ipaddr>%s</ipaddr>: address kind not modelled", addr);
    }
    if (i->kind == IMP_ADDR_NONE && !i->wg && !addr[0]) {
        imp_unmodelled_add(fw, i->line, xp, "no IPv4 address (<ipaddr> empty): the interface is not imported");
        fw->unmodelled.v[fw->unmodelled.n - 1].info = true; /* nothing to forward IPv4 on: nothing lost */
    }
    /* interface_has_gateway: dynamic kinds and a configured <gateway>. */
    i->wan = i->kind == IMP_ADDR_DYNAMIC || i->gateway[0];
    if (ix_text(x, "ipaddrv6", buf, sizeof buf) && buf[0] && strcmp(buf, "none")) {
        char xp6[IMP_TEXT];
        snprintf(xp6, sizeof xp6, "%.120s/ipaddrv6", xp);
        imp_unmodelled_add(fw, ix_line(ix_child(x, "ipaddrv6")), xp6, "IPv6 (%s): the simulated network is IPv4 only",
                           buf);
    }
    if (ix_flag(x, "blockbogons") || ix_flag(x, "blockpriv")) {
        char xpb[IMP_TEXT];
        snprintf(xpb, sizeof xpb, "%.120s/%s", xp, ix_flag(x, "blockbogons") ? "blockbogons" : "blockpriv");
        imp_unmodelled_add(fw, i->line, xpb,
                           "block bogon/private networks on the interface: not modelled (the imported world's "
                           "documentation addresses would be bogons)");
    }
    if (ix_has(x, "spoofmac") && ix_text(x, "spoofmac", buf, sizeof buf) && buf[0]) {
        char xpm[IMP_TEXT];
        snprintf(xpm, sizeof xpm, "%.120s/spoofmac", xp);
        imp_unmodelled_add(fw, i->line, xpm, "MAC address override: the simulator assigns MAC addresses");
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

/* An IP alias on "_vipUNIQID" lives on that VIP's interface; *parent_vhid
 * is the parent's vhid when it is a CARP VIP (the alias then moves with
 * that vhid: interface_ipalias_configure adds it with "vhid N"). */
static bool vip_iface(xmlNode *vips, const char *ifname, char *out, size_t cap, int *parent_vhid)
{
    *parent_vhid = 0;
    if (strncmp(ifname, "_vip", 4)) {
        imp_copy(out, cap, ifname);
        return true;
    }
    char buf[IMP_NAME], mode[16];
    IX_FOR(v, vips, "vip")
    {
        if (ix_text(v, "uniqid", buf, sizeof buf) && !strcmp(buf, ifname + 4)) {
            if (ix_text(v, "mode", mode, sizeof mode) && !strcmp(mode, "carp"))
                *parent_vhid = (int)ix_int(v, "vhid", 0);
            return ix_text(v, "interface", out, cap) != NULL && strncmp(out, "_vip", 4);
        }
    }
    return false;
}

static void read_vips(xmlNode *root, imp_fw *fw)
{
    xmlNode *vips = ix_child(root, "virtualip");
    int k = 0;
    IX_FOR(v, vips, "vip")
    {
        k++;
        char mode[32], ifname[IMP_NAME], subnet[64], xp[IMP_TEXT];
        snprintf(xp, sizeof xp, "/pfsense/virtualip/vip[%d]", k);
        ix_text(v, "mode", mode, sizeof mode);
        ix_text(v, "interface", ifname, sizeof ifname);
        ix_text(v, "subnet", subnet, sizeof subnet);
        long bits = ix_int(v, "subnet_bits", 32);
        uint32_t a;
        bool carp = !strcmp(mode, "carp");
        if (!carp && strcmp(mode, "ipalias")) {
            imp_unmodelled_add(fw, ix_line(v), xp, "virtual IP mode '%s' (%s): only carp and ipalias are modelled",
                               mode, subnet);
            continue;
        }
        if (!imp_parse_addr(subnet, &a) || bits < 0 || bits > 32) {
            imp_unmodelled_add(fw, ix_line(v), xp, "%s VIP '%s/%ld': not an IPv4 address (the network is IPv4 only)",
                               mode, subnet, bits);
            continue;
        }
        imp_vip *p = imp_push(&fw->vips);
        p->carp = carp;
        p->line = ix_line(v);
        p->addr = (imp_prefix){a, (int)bits};
        int parent_vhid;
        if (!vip_iface(vips, ifname, p->iface, sizeof p->iface, &parent_vhid)) {
            fw->vips.n--;
            imp_unmodelled_add(fw, ix_line(v), xp, "IP alias on '%s', a VIP this file does not define", ifname);
            continue;
        }
        if (!carp && parent_vhid) {
            fw->vips.n--;
            imp_unmodelled_add(fw, ix_line(v), xp,
                               "IP alias %s stacked on CARP vhid %d (it moves with that vhid): the scenario's CARP "
                               "holds one address per vhid; not imported",
                               subnet, parent_vhid);
            continue;
        }
        if (carp) {
            p->vhid = (int)ix_int(v, "vhid", -1);
            p->advbase = (int)ix_int(v, "advbase", 1);
            p->advskew = (int)ix_int(v, "advskew", 0);
            if (p->vhid < 1 || p->vhid > 255 || p->advbase < 1 || p->advbase > 255 || p->advskew < 0 ||
                p->advskew > 254) {
                fw->vips.n--;
                imp_unmodelled_add(fw, ix_line(v), xp, "CARP VIP %s: vhid/advbase/advskew out of range", subnet);
            }
        }
    }
    fw->maintenance = ix_flag(root, "virtualip_carp_maintenancemode");
}

/* gwlb.inc: interval/loss_interval/time_period in ms, latency in ms, loss in %. */
static void read_thresholds(xmlNode *g, imp_gateway *p)
{
    p->interval = (int)ix_int(g, "interval", 0);
    p->loss_interval = (int)ix_int(g, "loss_interval", 0);
    p->time_period = (int)ix_int(g, "time_period", 0);
    p->latency_low = (int)ix_int(g, "latencylow", 0);
    p->latency_high = (int)ix_int(g, "latencyhigh", 0);
    p->loss_low = (int)ix_int(g, "losslow", 0);
    p->loss_high = (int)ix_int(g, "losshigh", 0);
    int *f[] = {&p->interval, &p->loss_interval, &p->time_period, &p->latency_low,
                &p->latency_high, &p->loss_low, &p->loss_high};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (*f[i] < 0)
            *f[i] = 0;
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
        if (ix_text(g, "monitor", buf, sizeof buf) && buf[0] && !imp_parse_addr(buf, &p->monitor))
            imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s monitor '%s' is not IPv4: its address is monitored",
                               name, buf);
        p->monitor_off = ix_flag(g, "monitor_disable");
        if (p->monitor_off)
            imp_unmodelled_add(fw, ix_line(g), xp,
                               "gateway %s has monitoring disabled: the scenario's gateway is monitored", name);
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
        if (ix_int(g, "weight", 1) > 1)
            imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s: weight %ld (same-tier load balancing is "
                                                   "round-robin in the simulator)",
                               name, ix_int(g, "weight", 1));
        read_thresholds(g, p);
    }
    if (ix_text(gws, "defaultgw4", buf, sizeof buf) && buf[0])
        imp_sanitize_name(fw->default_gw, sizeof fw->default_gw, buf, "");
    for (size_t i = 0; !fw->default_gw[0] && i < fw->gateways.n; i++)
        if (fw->gateways.v[i].is_default)
            imp_copy(fw->default_gw, sizeof fw->default_gw, fw->gateways.v[i].name);

    static const char *const triggers[][2] = {{"down", "down"},
                                              {"downloss", "loss"},
                                              {"downlatency", "latency"},
                                              {"downlosslatency", "loss-or-latency"}};
    k = 0;
    IX_FOR(g, gws, "gateway_group")
    {
        k++;
        snprintf(xp, sizeof xp, "/pfsense/gateways/gateway_group[%d]", k);
        imp_group *p = imp_push(&fw->groups);
        ix_text(g, "name", buf, sizeof buf);
        imp_sanitize_name(p->name, sizeof p->name, buf, "GWGROUP");
        p->line = ix_line(g);
        char trig[32];
        ix_text(g, "trigger", trig, sizeof trig);
        imp_copy(p->trigger, sizeof p->trigger, "down");
        for (size_t t = 0; t < sizeof triggers / sizeof *triggers; t++)
            if (!strcmp(trig, triggers[t][0]))
                imp_copy(p->trigger, sizeof p->trigger, triggers[t][1]);
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
            if (!imp_fw_gateway(fw, item)) {
                imp_unmodelled_add(fw, ix_line(it), xp, "group %s member '%s' is not an IPv4 gateway of this file",
                                   p->name, item);
                continue;
            }
            imp_member *m = imp_push(&p->members);
            imp_copy(m->gateway, sizeof m->gateway, item);
            m->tier = f2 ? atoi(f2) : 1;
            if (m->tier < 1 || m->tier > 5)
                m->tier = 1;
            if (f3 && f3[0] && strcmp(f3, "address"))
                imp_unmodelled_add(fw, ix_line(it), xp,
                                   "group %s member %s uses virtual IP '%s' as its source: the scenario's group "
                                   "uses the interface address",
                                   p->name, item, f3);
        }
        if (!p->members.n) {
            free(p->members.v);
            fw->groups.n--;
        }
    }
}

static void read_routes(xmlNode *root, imp_fw *fw)
{
    int k = 0;
    IX_FOR(r, ix_child(root, "staticroutes"), "route")
    {
        k++;
        char xp[IMP_TEXT], net[64], gw[IMP_NAME];
        snprintf(xp, sizeof xp, "/pfsense/staticroutes/route[%d]", k);
        ix_text(r, "network", net, sizeof net);
        ix_text(r, "gateway", gw, sizeof gw);
        if (ix_flag(r, "disabled")) {
            imp_skipped_add(fw, ix_line(r), xp, net);
            continue;
        }
        imp_prefix p;
        if (!imp_parse_prefix(net, &p)) {
            imp_unmodelled_add(fw, ix_line(r), xp, "route to '%s': not an IPv4 network (or an alias)", net);
            continue;
        }
        bool group = false;
        for (size_t g = 0; g < fw->groups.n; g++)
            group |= !strcmp(fw->groups.v[g].name, gw);
        if (!imp_fw_gateway(fw, gw) && !group) {
            imp_unmodelled_add(fw, ix_line(r), xp, "route to %s via '%s': %s", net, gw,
                               !strncmp(gw, "Null", 4) ? "a blackhole route: not modelled"
                                                       : "not an IPv4 gateway or group of this file");
            continue;
        }
        imp_route *x = imp_push(&fw->routes);
        x->to = p;
        imp_sanitize_name(x->gateway, sizeof x->gateway, gw, "");
        x->line = ix_line(r);
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
