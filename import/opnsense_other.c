/*
 * opnsense_other.c — the rest of an <opnsense> document: the firewall-wide
 * options the scenario models, every configured feature that affects
 * forwarding or WireGuard but is not modelled (listed by XPath), and
 * imp_opnsense_read, the reader's entry point. Options from OPNsense core
 * (github.com/opnsense/core, src/etc/inc/):
 *   system/state-policy: filter.inc filter_configure_sync ("set
 *     state-policy if-bound" only when set: OPNsense's default is pf's,
 *     floating - written explicitly, as the scenario's default is
 *     pfSense's if-bound);
 *   system/disablereplyto: opnsense/mvc/app/library/OPNsense/Firewall/
 *     Plugin.php __construct;
 *   system/scrub_interface_disable: filter.inc filter_generate_scrubbing;
 *   system/pf_disable_force_gw: filter.lib.inc filter_core_rules_system
 *     ("let out anything from firewall host itself (force gw)": the
 *     firewall's own traffic from an interface's address leaves through
 *     that interface's gateway, route-to).
 */
#include <string.h>

#include "import/opnsense.h"
#include "import/reader.h"
#include "import/xml.h"

/* Features with forwarding effect the simulator has no model of (paths
 * below /opnsense; MVC models mounted where their Model.xml says). */
static const imp_feature features[] = {
    {"ipsec", "phase1", "IPsec tunnel (phase 1): IPsec is not modelled"},
    {"ipsec", "phase2", "IPsec phase 2 (tunnel networks): IPsec is not modelled"},
    {"OPNsense/Swanctl/Connections", "Connection", "IPsec connection: IPsec is not modelled"},
    {"openvpn", "openvpn-server", "OpenVPN server: OpenVPN is not modelled"},
    {"openvpn", "openvpn-client", "OpenVPN client: OpenVPN is not modelled"},
    {"OPNsense/OpenVPN/Instances", "Instance", "OpenVPN instance: OpenVPN is not modelled"},
    {"nat", "onetoone", "1:1 NAT: not modelled"},
    {"OPNsense/Firewall/Filter/onetoone", "rule", "1:1 NAT: not modelled"},
    {"nat", "npt", "IPv6 network prefix translation: the network is IPv4 only"},
    {"OPNsense/Firewall/Filter/npt", "rule", "IPv6 network prefix translation: the network is IPv4 only"},
    {"OPNsense/TrafficShaper/pipes", "pipe", "limiter pipe (dummynet): bandwidth and delay are per segment in the "
                                             "scenario"},
    {"OPNsense/TrafficShaper/queues", "queue", "limiter queue (dummynet): not modelled"},
    {"OPNsense/TrafficShaper/rules", "rule", "traffic shaper rule: not modelled"},
    {"gifs", "gif", "GIF tunnel: not modelled"},
    {"gres", "gre", "GRE tunnel: not modelled"},
    {"bridges", "bridged", "bridge: not modelled (each interface is its own segment)"},
    {"laggs", "lagg", "link aggregation: modelled as one interface"},
};

/* Plugins that route or tunnel, each on when its settings' enabled is 1. */
static const char *const plugins[][2] = {
    {"OPNsense/quagga/general", "FRR dynamic routing (os-frr)"},
    {"OPNsense/tailscale/settings", "Tailscale"},
    {"OPNsense/zerotier", "ZeroTier"},
};

static void read_options(xmlNode *root, imp_fw *fw)
{
    xmlNode *sys = ix_child(root, "system");
    imp_copy(fw->state_policy, sizeof fw->state_policy, ix_set(sys, "state-policy") ? "if-bound" : "floating");
    fw->reply_to_off = ix_set(sys, "disablereplyto");
    fw->scrub_off = ix_set(sys, "scrub_interface_disable");
    fw->auto_route_to_off = ix_set(sys, "pf_disable_force_gw");
}

bool imp_opnsense_read(xmlDoc *doc, imp_fw *fw, imp_errors *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    imp_opnsense_read_net(root, fw);
    if (!fw->ifaces.n) {
        xmlNode *ifs = ix_child(root, "interfaces");
        imp_error(err, fw->file, ifs ? ix_line(ifs) : ix_line(root),
                  "no enabled interface under /opnsense/interfaces: nothing to import");
        return false;
    }
    imp_opnsense_read_rules(root, fw);
    imp_opnsense_read_wg(root, fw);
    read_options(root, fw);
    imp_list_features(root, fw, features, sizeof features / sizeof *features);
    for (size_t p = 0; p < sizeof plugins / sizeof *plugins; p++) {
        xmlNode *x = ix_path(root, plugins[p][0]);
        if (ix_set(x, "enabled")) {
            char xp[IMP_TEXT];
            snprintf(xp, sizeof xp, "/opnsense/%s/enabled", plugins[p][0]);
            imp_unmodelled_add(fw, ix_line(x), xp, "plugin %s: not modelled", plugins[p][1]);
        }
    }
    return true;
}
