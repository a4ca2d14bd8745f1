/*
 * pfsense_wg.c — the pfSense WireGuard package's configuration
 * (installedpackages/wireguard). Meaning from pfSense-pkg-WireGuard
 * (github.com/pfsense/FreeBSD-ports, net/pfSense-pkg-WireGuard/files/usr/
 * local/pkg/wireguard/includes/wg.inc, wg_service.inc):
 *   config (the first; wg_globals.inc): enable ("off" stops it), resolve_interval (seconds, default 300,
 *     0 = off), resolve_interval_track ("yes": use system/
 *     aliasesresolveinterval), interface_group (all | unassigned | none);
 *   tunnels/item: name (tun_wgN), enabled ("yes"), listenport, mtu,
 *     addresses/row (address, mask; used only when the tunnel is not
 *     assigned to an interface: wg_api.inc wg_interface_update_addresses),
 *     privatekey (only hashed, for the pair comparison);
 *   peers/item: enabled ("yes"), tun, descr, endpoint (address or
 *     hostname), port (default 51820), persistentkeepalive, allowedips/row
 *     (address, mask), publickey and presharedkey (never read: the
 *     scenario's keys are derived from its seed).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "import/pfsense.h"
#include "import/reader.h"
#include "import/xml.h"

static void read_rows(xmlNode *rows, imp_fw *fw, const char *xp, imp_prefix_vec *out)
{
    IX_FOR(r, rows, "row")
    {
        char a[64];
        ix_text(r, "address", a, sizeof a);
        long mask = ix_int(r, "mask", 32);
        uint32_t ip;
        if (!imp_parse_addr(a, &ip) || mask < 0 || mask > 32) {
            imp_unmodelled_add(fw, ix_line(r), xp, "address '%s/%ld' is not IPv4 (the network is IPv4 only)", a,
                               mask);
            continue;
        }
        *imp_push(out) = (imp_prefix){ip, (int)mask};
    }
}

void imp_pfsense_read_wg(xmlNode *root, imp_fw *fw)
{
    xmlNode *wg = ix_path(root, "installedpackages/wireguard");
    if (!wg)
        return;
    /* config is a list tag: the first <config> holds the settings
     * (config_get_path('installedpackages/wireguard/config/0/...')) */
    xmlNode *cfg = ix_child(wg, "config");
    if (ix_child(cfg, "item"))
        cfg = ix_child(cfg, "item");
    char buf[256], xp[IMP_TEXT];
    /* only an explicit "off" stops the service (wg_install.inc wg_defaults_install writes "on") */
    fw->wg_enabled = !(ix_text(cfg, "enable", buf, sizeof buf) && !strcmp(buf, "off"));
    if (cfg) {
        fw->resolve_interval = (int)ix_int(cfg, "resolve_interval", -1);
        fw->resolve_track = ix_yes(cfg, "resolve_interval_track");
        ix_text(cfg, "interface_group", fw->interface_group, sizeof fw->interface_group);
        if (strcmp(fw->interface_group, "all") && strcmp(fw->interface_group, "unassigned") &&
            strcmp(fw->interface_group, "none"))
            fw->interface_group[0] = 0;
    }
    fw->aliases_resolve_interval = (int)ix_int(ix_child(root, "system"), "aliasesresolveinterval", -1);
    if (!fw->wg_enabled) {
        imp_skipped_add(fw, ix_line(cfg), "/pfsense/installedpackages/wireguard/config/enable",
                        "the WireGuard service: no tunnel imported");
        return;
    }
    int k = 0;
    IX_FOR(t, ix_child(wg, "tunnels"), "item")
    {
        k++;
        snprintf(xp, sizeof xp, "/pfsense/installedpackages/wireguard/tunnels/item[%d]", k);
        imp_wg_tunnel *x = imp_push(&fw->tunnels);
        ix_text(t, "name", buf, sizeof buf);
        imp_sanitize_name(x->name, sizeof x->name, buf, "tun_wg");
        x->line = ix_line(t);
        x->enabled = ix_yes(t, "enabled");
        long port = ix_int(t, "listenport", 51820);
        x->listen_port = port >= 1 && port <= 65535 ? (int)port : 51820;
        long mtu = ix_int(t, "mtu", 0);
        x->mtu = mtu >= 576 && mtu <= 65535 ? (int)mtu : 0;
        read_rows(ix_child(t, "addresses"), fw, xp, &x->addrs);
        x->has_key = imp_key_hash(t, "privatekey", x->key_hash);
        if (!x->enabled) {
            imp_skipped_add(fw, x->line, xp, x->name);
            free(x->addrs.v);
            fw->tunnels.n--;
        }
    }
    k = 0;
    IX_FOR(p, ix_child(wg, "peers"), "item")
    {
        k++;
        snprintf(xp, sizeof xp, "/pfsense/installedpackages/wireguard/peers/item[%d]", k);
        if (!ix_yes(p, "enabled")) {
            imp_skipped_add(fw, ix_line(p), xp, "WireGuard peer");
            continue;
        }
        imp_wg_peer *x = imp_push(&fw->peers);
        x->line = ix_line(p);
        ix_text(p, "tun", buf, sizeof buf);
        imp_sanitize_name(x->tunnel, sizeof x->tunnel, buf, "");
        ix_text(p, "descr", buf, sizeof buf);
        imp_sanitize_name(x->descr, sizeof x->descr, buf, "");
        long port = ix_int(p, "port", 51820);
        x->port = port >= 1 && port <= 65535 ? (int)port : 51820;
        long ka = ix_int(p, "persistentkeepalive", 0);
        x->keepalive = ka > 0 && ka <= 65535 ? (int)ka : 0;
        if (ix_text(p, "endpoint", buf, sizeof buf) && buf[0]) {
            if (imp_parse_addr(buf, &x->endpoint))
                x->has_endpoint = true;
            else
                imp_unmodelled_add(fw, x->line, xp,
                                   "endpoint '%s' is a hostname or IPv6: the peer is imported as a roaming remote",
                                   buf);
        }
        x->had_psk = ix_text(p, "presharedkey", buf, sizeof buf) && buf[0];
        sodium_memzero(buf, sizeof buf);
        x->has_pub = imp_key_hash(p, "publickey", x->pub_hash);
        read_rows(ix_child(p, "allowedips"), fw, xp, &x->allowed);
    }
}
