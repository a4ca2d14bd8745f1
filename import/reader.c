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
 *   rule protocols: pfSense filter.inc filter_generate_user_rule, OPNsense
 *     library/OPNsense/Firewall/FilterRule.php ("tcp/udp" is both).
 */
#include <sodium.h>
#include <string.h>

#include "import/reader.h"
#include "import/xml.h"

const char *imp_root(const imp_fw *fw)
{
    return fw->product == IMP_OPNSENSE ? "opnsense" : "pfsense";
}

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

void imp_read_vip(imp_fw *fw, const xmlNode *v, const char *xp, const char *iface)
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
    if (!strcmp(p, "tcp") || !strcmp(p, "udp") || !strcmp(p, "icmp")) {
        out[0] = p;
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
            snprintf(xp, sizeof xp, "/%s/%s/%s[%d]", imp_root(fw), list[f].path, list[f].item, k);
            if (feature_disabled(fw, x))
                imp_skipped_add(fw, ix_line(x), xp, list[f].why);
            else
                imp_unmodelled_add(fw, ix_line(x), xp, "%s", list[f].why);
        }
    }
}
