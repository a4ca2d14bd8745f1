/*
 * opnsense_wg.c — OPNsense's WireGuard (in core since 24.1; the same
 * configuration as the older os-wireguard plugin), mounted at
 * /opnsense/OPNsense/wireguard. Meaning from OPNsense core
 * (github.com/opnsense/core, src/opnsense/):
 *   general/enabled: models OPNsense/Wireguard/General.xml (default 0:
 *     nothing runs), service/templates/OPNsense/Wireguard/
 *     wireguard-server.conf (writes nothing unless it is 1);
 *   server/servers/server = an instance (a tunnel): Server.xml; its device
 *     is wg<instance> (FieldTypes/ServerField.php actionPostLoadingEvent);
 *     enabled, port (empty: no ListenPort line, the kernel picks one),
 *     mtu, tunneladdress (the instance's own addresses, comma-separated),
 *     peers (client uuids, comma-separated: the template's [Peer]
 *     sections, enabled clients only), disableroutes (0: a route per
 *     peer tunneladdress, scripts/wireguard/wg-service-control.php
 *     wg_start - as the simulator does), gateway, carp_depend_on
 *     (wg-service-control.php: the instance is down unless that VIP is
 *     MASTER), privkey (never read beyond a hash);
 *   client/clients/client = a peer: Client.xml; enabled, name, pubkey, psk,
 *     tunneladdress (its AllowedIPs), serveraddress (the endpoint; empty
 *     = none), serverport (51820 when empty, the template), keepalive;
 *   endpoint re-resolution: only the configd action "wireguard renew"
 *     (service/conf/actions.d/actions_wireguard.conf, scripts/wireguard/
 *     reresolve-dns.py: peers without a handshake for 135 s) when a cron
 *     job (/opnsense/OPNsense/cron/jobs/job, model OPNsense/Cron/Cron.xml)
 *     runs it; nothing re-applies endpoints otherwise.
 * Every instance is in the interface group "wireguard"
 * (etc/inc/plugins.inc.d/wireguard.inc wireguard_prepare), the model's
 * default "all".
 */
#include <stdlib.h>
#include <string.h>

#include "import/opnsense.h"
#include "import/reader.h"
#include "import/xml.h"

static bool has_uuid(const xmlNode *n, const char *uuid)
{
    xmlChar *u = xmlGetProp(n, (const xmlChar *)"uuid");
    bool same = u && !strcmp((const char *)u, uuid);
    xmlFree(u);
    return same;
}

static void cidr_list(const xmlNode *x, const char *name, imp_fw *fw, const char *xp, imp_prefix_vec *out)
{
    char buf[1024];
    ix_text(x, name, buf, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, ", \n", &save); t; t = strtok_r(NULL, ", \n", &save)) {
        imp_prefix p;
        uint32_t a;
        if (imp_parse_addr(t, &a))
            p = (imp_prefix){a, 32};
        else if (!imp_parse_prefix(t, &p)) {
            imp_unmodelled_add(fw, ix_line(x), xp, "%s '%s' is not IPv4 (the network is IPv4 only)", name, t);
            continue;
        }
        *imp_push(out) = p;
    }
}

/* The "wireguard renew" cron job's period in seconds; 0 = none. */
static int renew_interval(xmlNode *root, imp_fw *fw)
{
    char cmd[64], min[32], hrs[32];
    int k = 0;
    IX_FOR(j, ix_path(root, "OPNsense/cron/jobs"), "job")
    {
        k++;
        if (!ix_text(j, "command", cmd, sizeof cmd) || strcmp(cmd, "wireguard renew") ||
            (ix_has(j, "enabled") && !ix_set(j, "enabled")))
            continue;
        char xp[IMP_TEXT];
        snprintf(xp, sizeof xp, "/opnsense/OPNsense/cron/jobs/job[%d]", k);
        ix_text(j, "minutes", min, sizeof min);
        ix_text(j, "hours", hrs, sizeof hrs);
        int every = !strcmp(min, "*") ? 1 : !strncmp(min, "*/", 2) ? atoi(min + 2) : 0;
        imp_unmodelled_add(fw, ix_line(j), xp,
                           "'wireguard renew' re-resolves only peers without a handshake for 135 s; the scenario's "
                           "service re-applies every endpoint%s",
                           every > 0 && !strcmp(hrs, "*") ? " at the job's period" : " (schedule not periodic: off)");
        return every > 0 && !strcmp(hrs, "*") ? every * 60 : 0;
    }
    return 0;
}

static void read_peer(xmlNode *c, const char *tunnel, const char *xp, imp_fw *fw)
{
    char buf[256];
    if (ix_has(c, "enabled") && !ix_set(c, "enabled")) {
        imp_skipped_add(fw, ix_line(c), xp, "WireGuard peer");
        return;
    }
    imp_wg_peer *x = imp_push(&fw->peers);
    imp_copy(x->tunnel, sizeof x->tunnel, tunnel);
    x->enabled = true;
    x->line = ix_line(c);
    ix_text(c, "name", buf, sizeof buf);
    imp_sanitize_name(x->descr, sizeof x->descr, buf, "");
    long port = ix_int(c, "serverport", 51820);
    x->port = port >= 1 && port <= 65535 ? (int)port : 51820;
    long ka = ix_int(c, "keepalive", 0);
    x->keepalive = ka > 0 && ka <= 65535 ? (int)ka : 0;
    if (ix_text(c, "serveraddress", buf, sizeof buf) && buf[0]) {
        if (imp_parse_addr(buf, &x->endpoint))
            x->has_endpoint = true;
        else
            imp_unmodelled_add(fw, x->line, xp,
                               "endpoint '%s' is a hostname or IPv6: the peer is imported as a roaming remote", buf);
    }
    x->had_psk = ix_text(c, "psk", buf, sizeof buf) && buf[0];
    x->has_pub = imp_key_hash(c, "pubkey", x->pub_hash);
    cidr_list(c, "tunneladdress", fw, xp, &x->allowed);
}

/* The configured peers of one instance: its uuid list, in that order. */
static void read_peers(xmlNode *srv, xmlNode *clients, const char *tunnel, imp_fw *fw)
{
    char list[4096];
    ix_text(srv, "peers", list, sizeof list);
    char *save = NULL;
    for (char *u = strtok_r(list, ", \n", &save); u; u = strtok_r(NULL, ", \n", &save)) {
        int k = 0;
        xmlNode *found = NULL;
        IX_FOR(c, clients, "client")
        {
            k++;
            if (has_uuid(c, u)) {
                found = c;
                break;
            }
        }
        char xp[IMP_TEXT];
        if (!found) {
            imp_unmodelled_add(fw, ix_line(srv), "/opnsense/OPNsense/wireguard/server/servers/server/peers",
                               "peer uuid %s is not a client of this file (the template skips it)", u);
            continue;
        }
        snprintf(xp, sizeof xp, "/opnsense/OPNsense/wireguard/client/clients/client[%d]", k);
        read_peer(found, tunnel, xp, fw);
    }
}

static void server_extras(xmlNode *root, xmlNode *s, const char *xp, const char *name, imp_wg_tunnel *x,
                          imp_fw *fw)
{
    char buf[256], sub[IMP_TEXT];
    if (ix_set(s, "disableroutes")) {
        snprintf(sub, sizeof sub, "%.120s/disableroutes", xp);
        imp_unmodelled_add(fw, ix_line(s), sub,
                           "%s adds no routes to its peers' addresses; the simulator routes every allowed IP into "
                           "the tunnel",
                           name);
    }
    if (ix_text(s, "gateway", buf, sizeof buf) && buf[0]) {
        snprintf(sub, sizeof sub, "%.120s/gateway", xp);
        imp_unmodelled_add(fw, ix_line(s), sub, "%s: tunnel gateway %s (a route to it only): not modelled", name, buf);
    }
    if (ix_text(s, "carp_depend_on", buf, sizeof buf) && buf[0]) {
        int vhid = 0;
        char mode[16];
        IX_FOR(v, ix_child(root, "virtualip"), "vip")
        if (has_uuid(v, buf) && ix_text(v, "mode", mode, sizeof mode) && !strcmp(mode, "carp"))
            vhid = (int)ix_int(v, "vhid", 0);
        if (vhid >= 1 && vhid <= 255) {
            x->carp_depend_vhid = vhid; /* carp-depend-on (sim/pfsense/wg_carp_depend.c) */
        } else {
            snprintf(sub, sizeof sub, "%.120s/carp_depend_on", xp);
            imp_unmodelled_add(fw, ix_line(s), sub,
                               "%s depends on VIP %s, which is not a CARP VIP of this file: the tunnel stays up", name,
                               buf);
        }
    }
}

void imp_opnsense_read_wg(xmlNode *root, imp_fw *fw)
{
    xmlNode *wg = ix_path(root, "OPNsense/wireguard");
    if (!wg)
        return;
    xmlNode *servers = ix_path(wg, "server/servers"), *clients = ix_path(wg, "client/clients");
    fw->wg_enabled = ix_set(ix_child(wg, "general"), "enabled");
    if (!fw->wg_enabled) {
        if (ix_child(servers, "server"))
            imp_skipped_add(fw, ix_line(ix_child(wg, "general")), "/opnsense/OPNsense/wireguard/general/enabled",
                            "the WireGuard service: no instance imported");
        return;
    }
    fw->resolve_interval = renew_interval(root, fw);
    char buf[256], xp[IMP_TEXT];
    int k = 0;
    IX_FOR(s, servers, "server")
    {
        k++;
        snprintf(xp, sizeof xp, "/opnsense/OPNsense/wireguard/server/servers/server[%d]", k);
        long inst = ix_int(s, "instance", -1);
        ix_text(s, "name", buf, sizeof buf);
        if (inst < 0 || inst > 9999) {
            imp_unmodelled_add(fw, ix_line(s), xp, "instance '%s' without a valid <instance> number", buf);
            continue;
        }
        char name[IMP_NAME];
        snprintf(name, sizeof name, "wg%ld", inst);
        if (ix_has(s, "enabled") && !ix_set(s, "enabled")) {
            imp_skipped_add(fw, ix_line(s), xp, name);
            continue;
        }
        imp_wg_tunnel *x = imp_push(&fw->tunnels);
        imp_copy(x->name, sizeof x->name, name);
        x->enabled = true;
        x->line = ix_line(s);
        long port = ix_int(s, "port", 0);
        x->listen_port = port >= 1 && port <= 65535 ? (int)port : 0;
        if (!x->listen_port) {
            x->listen_port = 51820 + (int)(inst % 1000);
            imp_unmodelled_add(fw, x->line, xp,
                               "%s has no listen port (the kernel picks one at random): imported with %d", name,
                               x->listen_port);
        }
        long mtu = ix_int(s, "mtu", 0);
        x->mtu = mtu >= 576 && mtu <= 65535 ? (int)mtu : 0;
        cidr_list(s, "tunneladdress", fw, xp, &x->addrs);
        x->has_key = imp_key_hash(s, "privkey", x->key_hash);
        server_extras(root, s, xp, name, x, fw);
        read_peers(s, clients, name, fw);
    }
}
