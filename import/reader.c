/*
 * reader.c — the parts of a backup pfSense and OPNsense write alike
 * (OPNsense began as a fork of pfSense and kept its legacy sections):
 *   interfaces/IF ipaddr + subnet: pfSense and OPNsense interfaces.inc
 *     interface_configure (an address; "dhcp", "pppoe", "pptp", "l2tp",
 *     "ppp" lease one at run time);
 *   virtualip/vip: interfaces.inc interface_carp_configure (vhid, advskew,
 *     advbase, subnet/subnet_bits; OPNsense model Interfaces/Vip.xml) and
 *     interface_ipalias_configure;
 *   gateway thresholds: pfSense gwlb.inc, OPNsense Routing/Gateways.xml
 *     (interval, loss_interval, time_period in ms; latency ms; loss %);
 *   group triggers: pfSense gwlb.inc return_gateway_groups_array, OPNsense
 *     Routing/GatewayGroups.php getActiveGroups (down, downloss,
 *     downlatency, downlosslatency);
 *   gateway names: pfSense system_gateways_edit.php / gwlb.inc
 *     validate_gateway (is_validaliasname: letters, digits, "_"), OPNsense
 *     Routing/Gateways.xml (the name's mask has no dots), so a name that
 *     reads as an address was not written by either GUI;
 *   a filter rule's gateway: pfSense filter.inc filter_generate_user_rule
 *     and filter_generate_gateways (route-to a gateway or group), OPNsense
 *     Firewall/FilterRule.php parseRoute with Plugin.php setGateways /
 *     setGatewayGroups;
 *   rule protocols: pfSense filter.inc filter_generate_user_rule, OPNsense
 *     library/OPNsense/Firewall/FilterRule.php ("tcp/udp" is both).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"
#include "import/xml.h"

const char *imp_product_name(const imp_fw *fw)
{
    return fw->product == IMP_OPNSENSE ? "OPNsense" : "pfSense";
}

static const char *const dynamic_kinds[] = {"dhcp", "pppoe", "pptp", "l2tp", "ppp", NULL};

void imp_read_ifaddr(imp_fw *fw, const xmlNode *x, imp_iface *i, const char *xp)
{
    char addr[64], buf[256], sub[IMP_TEXT];
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
    if (ix_text(x, "ipaddrv6", buf, sizeof buf) && buf[0] && strcmp(buf, "none")) {
        snprintf(sub, sizeof sub, "%.120s/ipaddrv6", xp);
        imp_unmodelled_add(fw, ix_line(ix_child(x, "ipaddrv6")), sub, "IPv6 (%s): the simulated network is IPv4 only",
                           buf);
    }
    if (ix_text(x, "spoofmac", buf, sizeof buf) && buf[0]) {
        snprintf(sub, sizeof sub, "%.120s/spoofmac", xp);
        imp_unmodelled_add(fw, i->line, sub, "MAC address override: the simulator assigns MAC addresses");
    }
}

bool imp_vip_iface(const xmlNode *vips, const char *ifname, bool by_uuid, char *out, size_t cap, int *parent_vhid)
{
    *parent_vhid = 0;
    if (strncmp(ifname, "_vip", 4)) {
        imp_copy(out, cap, ifname);
        return true;
    }
    char buf[IMP_NAME], mode[16];
    IX_FOR(v, vips, "vip")
    {
        xmlChar *u = by_uuid ? xmlGetProp(v, (const xmlChar *)"uuid") : NULL;
        bool same = by_uuid ? u && !strcmp((const char *)u, ifname + 4)
                            : ix_text(v, "uniqid", buf, sizeof buf) && !strcmp(buf, ifname + 4);
        xmlFree(u);
        if (same) {
            if (ix_text(v, "mode", mode, sizeof mode) && !strcmp(mode, "carp"))
                *parent_vhid = (int)ix_int(v, "vhid", 0);
            return ix_text(v, "interface", out, cap) != NULL && strncmp(out, "_vip", 4);
        }
    }
    return false;
}

void imp_read_vip(imp_fw *fw, const xmlNode *v, const char *xp, const char *iface, int parent_vhid)
{
    char mode[32], subnet[64];
    ix_text(v, "mode", mode, sizeof mode);
    ix_text(v, "subnet", subnet, sizeof subnet);
    long bits = ix_int(v, "subnet_bits", 32);
    uint32_t a;
    bool carp = !strcmp(mode, "carp");
    if (!carp && strcmp(mode, "ipalias")) {
        imp_unmodelled_add(fw, ix_line(v), xp, "virtual IP mode '%s' (%s): only carp and ipalias are modelled", mode,
                           subnet);
        return;
    }
    if (!imp_parse_addr(subnet, &a) || bits < 0 || bits > 32) {
        imp_unmodelled_add(fw, ix_line(v), xp, "%s VIP '%s/%ld': not an IPv4 address (the network is IPv4 only)", mode,
                           subnet, bits);
        return;
    }
    if (!carp && parent_vhid) {
        imp_unmodelled_add(fw, ix_line(v), xp,
                           "IP alias %s stacked on CARP vhid %d (it moves with that vhid): the scenario's CARP holds "
                           "one address per vhid; not imported",
                           subnet, parent_vhid);
        return;
    }
    imp_vip p = {.carp = carp, .line = ix_line(v), .addr = {a, (int)bits}};
    imp_copy(p.iface, sizeof p.iface, iface);
    if (carp) {
        p.vhid = (int)ix_int(v, "vhid", -1);
        p.advbase = (int)ix_int(v, "advbase", 1);
        p.advskew = (int)ix_int(v, "advskew", 0);
        if (p.vhid < 1 || p.vhid > 255 || p.advbase < 1 || p.advbase > 255 || p.advskew < 0 || p.advskew > 254) {
            imp_unmodelled_add(fw, ix_line(v), xp, "CARP VIP %s: vhid/advbase/advskew out of range", subnet);
            return;
        }
    }
    *imp_push(&fw->vips) = p;
}

void imp_read_monitor(imp_fw *fw, const xmlNode *g, const char *xp, const char *name, imp_gateway *p)
{
    char buf[64];
    if (ix_text(g, "monitor", buf, sizeof buf) && buf[0] && !imp_parse_addr(buf, &p->monitor))
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s monitor '%s' is not IPv4: its address is monitored", name,
                           buf);
    if (p->monitor_off)
        imp_unmodelled_add(fw, ix_line(g), xp, "gateway %s has monitoring disabled: the scenario's gateway is monitored",
                           name);
    if (ix_int(g, "weight", 1) > 1)
        imp_unmodelled_add(fw, ix_line(g), xp,
                           "gateway %s: weight %ld (same-tier load balancing is round-robin in the simulator)", name,
                           ix_int(g, "weight", 1));
    imp_read_thresholds(g, p);
}

void imp_read_route(imp_fw *fw, const xmlNode *r, const char *xp, bool disabled)
{
    char net[64], gw[IMP_NAME];
    ix_text(r, "network", net, sizeof net);
    ix_text(r, "gateway", gw, sizeof gw);
    if (disabled) {
        imp_skipped_add(fw, ix_line(r), xp, net);
        return;
    }
    imp_prefix p;
    if (!imp_parse_prefix(net, &p)) {
        imp_unmodelled_add(fw, ix_line(r), xp, "route to '%s': not an IPv4 network (or an alias)", net);
        return;
    }
    bool group = false;
    for (size_t g = 0; g < fw->groups.n; g++)
        group |= !strcmp(fw->groups.v[g].name, gw);
    if (!imp_fw_gateway(fw, gw) && !group) {
        imp_unmodelled_add(fw, ix_line(r), xp, "route to %s via '%s': %s", net, gw,
                           !strncmp(gw, "Null", 4) ? "a blackhole route: not modelled"
                                                   : "not an IPv4 gateway or group of this file");
        return;
    }
    imp_route *x = imp_push(&fw->routes);
    x->to = p;
    imp_sanitize_name(x->gateway, sizeof x->gateway, gw, "");
    x->line = ix_line(r);
}

void imp_read_thresholds(const xmlNode *g, imp_gateway *p)
{
    p->interval = (int)ix_int(g, "interval", 0);
    p->loss_interval = (int)ix_int(g, "loss_interval", 0);
    p->time_period = (int)ix_int(g, "time_period", 0);
    p->latency_low = (int)ix_int(g, "latencylow", 0);
    p->latency_high = (int)ix_int(g, "latencyhigh", 0);
    p->loss_low = (int)ix_int(g, "losslow", 0);
    p->loss_high = (int)ix_int(g, "losshigh", 0);
    int *f[] = {&p->interval,     &p->loss_interval, &p->time_period, &p->latency_low,
                &p->latency_high, &p->loss_low,      &p->loss_high};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (*f[i] < 0)
            *f[i] = 0;
}

bool imp_gateway_name_ok(imp_fw *fw, const xmlNode *g, const char *xp, const char *name)
{
    uint32_t looks;
    if (!imp_parse_addr(name, &looks))
        return true;
    imp_unmodelled_add(fw, ix_line(g), xp, "gateway name '%s' is an address: not a gateway name", name);
    return false;
}

void imp_rule_gateway(imp_fw *fw, int line, const char *xp, const char *type, const char *gw, char *out)
{
    out[0] = '\0';
    if (!gw[0])
        return;
    char gxp[IMP_TEXT], name[IMP_NAME];
    snprintf(gxp, sizeof gxp, "%.120s/gateway", xp);
    if (strcmp(type, "pass")) {
        /* pfSense filter.inc filter_generate_user_rule: route-to only when
         * $type == "pass"; OPNsense FilterRule.php: "Gateway not allowed for
         * block rules" */
        imp_skipped_add(fw, line, gxp, "gateway on a rule that is not a pass rule (the firewall ignores it)");
        return;
    }
    imp_sanitize_name(name, sizeof name, gw, "");
    bool known = imp_fw_gateway(fw, name) != NULL;
    for (size_t i = 0; i < fw->groups.n && !known; i++)
        known = !strcmp(fw->groups.v[i].name, name);
    if (!known) {
        imp_unmodelled_add(fw, line, gxp,
                           "policy routing to '%s', no gateway or group imported from the backup: the rule is "
                           "imported without it (traffic follows the routing table)",
                           gw);
        return;
    }
    imp_copy(out, IMP_NAME, name);
}

imp_group *imp_read_group(imp_fw *fw, const xmlNode *g)
{
    char buf[IMP_NAME];
    imp_group *p = imp_push(&fw->groups);
    ix_text(g, "name", buf, sizeof buf);
    imp_sanitize_name(p->name, sizeof p->name, buf, "GWGROUP");
    p->line = ix_line(g);
    ix_text(g, "trigger", buf, sizeof buf);
    imp_copy(p->trigger, sizeof p->trigger, imp_trigger(buf));
    return p;
}

bool imp_add_member(imp_fw *fw, imp_group *p, const char *gw, int tier, const xmlNode *it, const char *xp)
{
    if (!imp_fw_gateway(fw, gw)) {
        imp_unmodelled_add(fw, ix_line(it), xp, "group %s member '%s' is not an IPv4 gateway of this file", p->name, gw);
        return false;
    }
    imp_member *m = imp_push(&p->members);
    imp_copy(m->gateway, sizeof m->gateway, gw);
    m->tier = tier < 1 || tier > 5 ? 1 : tier;
    return true;
}

void imp_group_done(imp_fw *fw)
{
    imp_group *p = &fw->groups.v[fw->groups.n - 1];
    if (!p->members.n) {
        free(p->members.v);
        fw->groups.n--;
    }
}

imp_nat_mode imp_read_nat_mode(xmlNode *root)
{
    char mode[32];
    ix_text(ix_path(root, "nat/outbound"), "mode", mode, sizeof mode);
    return !strcmp(mode, "hybrid")     ? IMP_NAT_HYBRID
           : !strcmp(mode, "advanced") ? IMP_NAT_MANUAL
           : !strcmp(mode, "disabled") ? IMP_NAT_DISABLED
                                       : IMP_NAT_AUTOMATIC;
}

const char *imp_trigger(const char *cfg)
{
    static const char *const triggers[][2] = {
        {"down", "down"}, {"downloss", "loss"}, {"downlatency", "latency"}, {"downlosslatency", "loss-or-latency"}};
    for (size_t t = 0; t < sizeof triggers / sizeof *triggers; t++)
        if (!strcmp(cfg, triggers[t][0]))
            return triggers[t][1];
    return "down";
}

int imp_protocols(const char *p, const char *out[2])
{
    if (!p[0] || !strcmp(p, "any")) {
        out[0] = "any";
        return 1;
    }
    if (!strcmp(p, "tcp/udp")) {
        out[0] = "tcp";
        out[1] = "udp";
        return 2;
    }
    static const char *const known[] = {"tcp", "udp", "icmp"};
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(p, known[i])) {
            out[0] = known[i]; /* not p: callers reuse their buffer */
            return 1;
        }
    return 0;
}

bool imp_key_hash(const xmlNode *n, const char *name, uint8_t out[16])
{
    char buf[256];
    if (!ix_text(n, name, buf, sizeof buf) || !buf[0])
        return false;
    crypto_generichash(out, 16, (const unsigned char *)buf, strlen(buf), NULL, 0);
    sodium_memzero(buf, sizeof buf);
    return true;
}

static bool feature_disabled(const imp_fw *fw, const xmlNode *x)
{
    if (fw->product != IMP_OPNSENSE)
        return ix_flag(x, "disabled") || ix_flag(x, "disable");
    return ix_set(x, "disabled") || ix_set(x, "disable") || (ix_has(x, "enabled") && !ix_set(x, "enabled"));
}

void imp_list_features(xmlNode *root, imp_fw *fw, const imp_feature *list, size_t n)
{
    char xp[IMP_TEXT];
    for (size_t f = 0; f < n; f++) {
        int k = 0;
        IX_FOR(x, ix_path(root, list[f].path), list[f].item)
        {
            k++;
            snprintf(xp, sizeof xp, "%s/%s/%s[%d]", imp_root(fw), list[f].path, list[f].item, k);
            if (feature_disabled(fw, x))
                imp_skipped_add(fw, ix_line(x), xp, list[f].why);
            else
                imp_unmodelled_add(fw, ix_line(x), xp, "%s", list[f].why);
        }
    }
}
