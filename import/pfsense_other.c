/*
 * pfsense_other.c — the rest of a <pfsense> document: the firewall-wide
 * options the scenario models (System > Advanced > Firewall & NAT: scrub,
 * reply-to, state policy; filter.inc filter_configure_sync), and every
 * configured feature that affects forwarding or WireGuard but is not
 * modelled, listed by XPath (docs/import.md, "Not modelled"). Then
 * imp_pfsense_read, the reader's entry point.
 */
#include <string.h>

#include "import/pfsense.h"
#include "import/reader.h"
#include "import/xml.h"

/* Features with forwarding effect the simulator has no model of. */
static const imp_feature features[] = {
    {"ipsec", "phase1", "IPsec tunnel (phase 1): IPsec is not modelled"},
    {"ipsec", "phase2", "IPsec phase 2 (tunnel networks): IPsec is not modelled"},
    {"ipsec", "mobilekey", "IPsec mobile client: IPsec is not modelled"},
    {"openvpn", "openvpn-server", "OpenVPN server: OpenVPN is not modelled"},
    {"openvpn", "openvpn-client", "OpenVPN client: OpenVPN is not modelled"},
    {"openvpn", "openvpn-csc", "OpenVPN client-specific override: OpenVPN is not modelled"},
    {"nat", "onetoone", "1:1 NAT: not modelled"},
    {"nat", "npt", "IPv6 network prefix translation: the network is IPv4 only"},
    {"dnshaper", "queue", "limiter (dummynet): bandwidth and delay are per segment in the scenario"},
    {"shaper", "queue", "traffic shaper queue (ALTQ): not modelled"},
    {"gifs", "gif", "GIF tunnel: not modelled"},
    {"gres", "gre", "GRE tunnel: not modelled"},
    {"bridges", "bridged", "bridge: not modelled (each interface is its own segment)"},
    {"laggs", "lagg", "link aggregation: modelled as one interface"},
    {"staticroutes", "routev6", "IPv6 static route: the network is IPv4 only"},
};

/* Packages that route or tunnel: not modelled (WireGuard is read). */
static const char *const packages[] = {"frr", "openbgpd", "quagga_ospfd", "tailscale", "zerotier", "haproxy", NULL};

static void list_features(xmlNode *root, imp_fw *fw)
{
    char xp[IMP_TEXT];
    imp_list_features(root, fw, features, sizeof features / sizeof *features);
    xmlNode *pk = ix_child(root, "installedpackages");
    for (int p = 0; packages[p]; p++) {
        xmlNode *x = ix_child(pk, packages[p]);
        if (!x)
            continue;
        snprintf(xp, sizeof xp, "/pfsense/installedpackages/%s", packages[p]);
        imp_unmodelled_add(fw, ix_line(x), xp, "package %s (routing/tunnels/proxy): not modelled", packages[p]);
    }
}

static void read_options(xmlNode *root, imp_fw *fw)
{
    xmlNode *sys = ix_child(root, "system");
    fw->scrub_off = ix_flag(sys, "disablescrub");
    fw->reply_to_off = ix_flag(sys, "disablereplyto");
    ix_text(root, "version", fw->config_version, sizeof fw->config_version);
    char buf[32];
    if (ix_text(sys, "statepolicy", buf, sizeof buf) && (!strcmp(buf, "if-bound") || !strcmp(buf, "floating")))
        imp_copy(fw->state_policy, sizeof fw->state_policy, buf);
}

void imp_pfsense_read_other(xmlNode *root, imp_fw *fw)
{
    read_options(root, fw);
    list_features(root, fw);
}

bool imp_pfsense_read(xmlDoc *doc, imp_fw *fw, imp_errors *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    imp_pfsense_read_net(root, fw);
    if (!fw->ifaces.n) {
        imp_error(err, fw->file, ix_line(ix_child(root, "interfaces")) ? ix_line(ix_child(root, "interfaces"))
                                                                        : ix_line(root),
                  "no enabled interface under /pfsense/interfaces: nothing to import");
        return false;
    }
    imp_pfsense_read_rules(root, fw);
    imp_pfsense_read_wg(root, fw);
    imp_pfsense_read_other(root, fw);
    return true;
}
