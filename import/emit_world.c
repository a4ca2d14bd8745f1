/*
 * emit_world.c — writes the parts of the scenario the importer adds (the
 * plan of world.c): the header comment block that says what was added and
 * what was not imported, the segments, the ISP routers, the internet
 * router, the remote WireGuard hosts, the pings, the commented-out
 * procedures and the expectations that hold on the network as imported.
 */
#include <stdlib.h>
#include <string.h>

#include "import/world.h"

#define T_SETTLE "10s" /* CARP elected (3 x advbase, pfsync bulk) before the remotes start */
#define T_CHECK "15s"  /* first handshakes done */
#define T_END "55s"    /* the expectations as imported end before the procedures' time */
#define T_PROC "60s"   /* the commented-out procedures */
#define DURATION "2m"

static void header_sources(w_out *o, const w_world *w)
{
    w_printf(o, "# Imported by `wgsim import` from the configuration backup%s:\n", w->n > 1 ? "s of an HA pair" : "");
    for (size_t k = 0; k < w->n; k++)
        w_printf(o, "#   %s (%s, hostname %s) -> node %s%s\n", w->fws[k]->file,
                 w->fws[k]->product == IMP_PFSENSE ? "pfSense" : "OPNsense", w->fws[k]->hostname, w->node[k],
                 w->master == (int)k ? " (the CARP master: lower advskew)" : "");
    w_printf(o, "# Seed %llu. Re-import rather than edit where the backups change.\n#\n",
             (unsigned long long)w->o->seed);
}

static void header_added(w_out *o, const w_world *w)
{
    char a[16], b[20], c[20];
    w_printf(o, "# Added by the import (a backup describes the firewall, not the network around it):\n");
    for (size_t i = 0; i < w->isps.n; i++) {
        const w_isp *p = &w->isps.v[i];
        w_printf(o, "#   - %s: the ISP router behind gateway %s, on segment %s at %s", p->node, p->gw->name,
                 p->wan->name, w_addr(p->gw->addr, a));
        if (p->monitor_alias)
            w_printf(o, ", answering the monitor address %s", w_addr(p->monitor.addr, a));
        w_printf(o, ", with a route back to the firewall's other networks\n");
    }
    w_printf(o, "#   - segment core (%s) and router internet: join the ISP routers and the remote sites\n",
             w_pfx(w->core, b));
    for (size_t r = 0; r < w->remotes.n; r++) {
        const w_remote *x = &w->remotes.v[r];
        w_printf(o, "#   - %s: remote WireGuard host for peer %s of tunnel %s (line %d), ", x->node,
                 x->peer->descr[0] ? x->peer->descr : "(no description)", x->tun->name, x->peer->line);
        if (x->peer->has_endpoint)
            w_printf(o, "at its endpoint %s", w_addr(x->addr, a));
        else
            w_printf(o, "roaming (no endpoint in the backup): at %s, a chosen address", w_addr(x->addr, a));
        if (x->has_wg)
            w_printf(o, ", tunnel address %s", w_pfx(x->wg, b));
        if (x->has_lan)
            w_printf(o, ", LAN %s", w_pfx(x->lan, c));
        if (x->pub_addr)
            w_printf(o, "; to %s (%s)", w_addr(x->pub_addr, a), x->pub_iface);
        w_printf(o, "\n");
    }
    for (size_t k = 0; k < w->n; k++) {
        for (size_t i = 0; i < w->fws[k]->ifaces.n; i++)
            if (w->fws[k]->ifaces.v[i].given)
                w_printf(o, "#   - %s %s (%s in the backup): address %s from --address\n", w->node[k],
                         w->fws[k]->ifaces.v[i].name, w->fws[k]->ifaces.v[i].dynamic,
                         w_pfx(w->fws[k]->ifaces.v[i].addr, b));
        for (size_t g = 0; g < w->fws[k]->gateways.n; g++)
            if (w->fws[k]->gateways.v[g].dynamic && w->fws[k]->gateways.v[g].addr)
                w_printf(o, "#   - %s gateway %s (dynamic in the backup): its ISP router put at %s\n", w->node[k],
                         w->fws[k]->gateways.v[g].name, w_addr(w->fws[k]->gateways.v[g].addr, a));
        if (w->default_chosen[k])
            w_printf(o, "#   - %s: the backup names no default gateway; %s chosen (the automatic default: "
                        "the first gateway)\n",
                     w->node[k], w->default_gw[k]);
    }
    if (w->remotes.n)
        w_printf(o, "#   Each remote reaches the firewall%s at the CARP VIP (else the address) of the interface the\n"
                "#   firewall routes it by (a static route's, else the default gateway's).\n",
             w->n > 1 ? "s" : "");
    w_printf(o, "#\n");
}

static void header_secrets(w_out *o, const w_world *w)
{
    size_t psk = 0;
    for (size_t k = 0; k < w->n; k++)
        for (size_t i = 0; i < w->fws[k]->peers.n; i++)
            psk += w->fws[k]->peers.v[i].had_psk;
    w_printf(o, "# Secrets: none of the backups' secrets is in this file. Private keys, pre-shared keys,\n"
                "# password hashes, CARP and sync passwords, certificates and API keys are not read.\n"
                "# WireGuard keys are derived from the seed: each remote's by wgsim from its node name,\n"
                "# %s.\n"
                "# The firewalls' peer entries are rewritten to name the remote nodes (so their public keys\n"
                "# are the derived ones, not the backups'); %zu pre-shared key%s dropped.\n#\n",
             w->n > 1 ? "each tunnel's by the import (private-key:, one key per tunnel, the same on\n# both nodes: "
                        "the remotes pin one public key; the package is not synced, so alike by hand)"
                      : "each firewall tunnel's by wgsim from the node and tunnel name",
             psk, psk == 1 ? "" : "s");
}

static void header_lists(w_out *o, const w_world *w, const imp_findings *f)
{
    if (f && f->lines.n) {
        w_printf(o, "# HA pair: the backups differ where a failover needs them alike (%zu finding%s):\n", f->lines.n,
                 f->lines.n == 1 ? "" : "s");
        for (size_t i = 0; i < f->lines.n; i++)
            w_printf(o, "#   - warning: %s\n", f->lines.v[i]);
        w_printf(o, "#\n");
    }
    size_t n = 0, skipped = 0;
    for (size_t k = 0; k < w->n; k++)
        for (size_t i = 0; i < w->fws[k]->unmodelled.n; i++)
            w->fws[k]->unmodelled.v[i].info ? skipped++ : n++;
    w_printf(o, "# Not modelled (%zu setting%s affecting forwarding or WireGuard; --strict refuses them):\n", n,
             n == 1 ? "" : "s");
    if (!n)
        w_printf(o, "#   (none)\n");
    for (size_t k = 0; k < w->n; k++)
        for (size_t i = 0; i < w->fws[k]->unmodelled.n; i++) {
            const imp_unmodelled *u = &w->fws[k]->unmodelled.v[i];
            if (!u->info)
                w_printf(o, "#   %s:%d: %s: %s\n", w->fws[k]->file, u->line, u->xpath, u->why);
        }
    if (skipped) {
        w_printf(o, "# Not imported, nothing lost (disabled in the backup%s, or no IPv4 address):\n", w->n > 1 ? "s" : "");
        for (size_t k = 0; k < w->n; k++)
            for (size_t i = 0; i < w->fws[k]->unmodelled.n; i++) {
                const imp_unmodelled *u = &w->fws[k]->unmodelled.v[i];
                if (u->info)
                    w_printf(o, "#   %s:%d: %s: %s\n", w->fws[k]->file, u->line, u->xpath, u->why);
            }
    }
    w_printf(o, "\n");
}

/* What the backups leave to the version of pfSense that reads them, and
 * what OPNsense does where pfSense has a setting (opnsense_other.c,
 * opnsense_wg.c). */
static void header_assumed(w_out *o, const w_world *w)
{
    bool silent = false, pfsense = false, opn = false, opn_routed = false;
    const imp_fw *grouped = NULL; /* a pfSense node whose rules route to a group */
    for (size_t k = 0; k < w->n; k++) {
        if (w->fws[k]->product == IMP_PFSENSE && w_rule_names_group(w->fws[k]) && !grouped)
            grouped = w->fws[k];
        silent |= !w->fws[k]->state_policy[0] && w->fws[k]->product == IMP_PFSENSE;
        pfsense |= w->fws[k]->product == IMP_PFSENSE;
        opn |= w->fws[k]->product == IMP_OPNSENSE;
        opn_routed |= w->fws[k]->product == IMP_OPNSENSE && w_rule_names_gateway(w->fws[k]);
    }
    if (!silent && !pfsense && !opn)
        return;
    w_printf(o, "# Assumed where the backup%s silent:\n", w->n > 1 ? "s are" : " is");
    if (silent)
        w_printf(o, "#   - no /pfsense/system/statepolicy: pfSense 2.8 / Plus 24.03 and later bind states to their\n"
                    "#     interface (if-bound, the scenario's default); 2.7 has no such setting and pf's states\n"
                    "#     float. Add `firewall: {state-policy: floating}` for a 2.7 firewall.\n");
    if (pfsense)
        w_printf(o, "#   - CARP preempt is on: pfSense always sets net.inet.carp.preempt=1 (interfaces_sync_setup).\n");
    if (grouped) {
        /* the 2.8 branch point (a3671d9bb6^) has latest_config 23.9 (globals.inc); master's
         * gateway helpers came later (ddd366b370), and releases after 2.8 are not in the mirror */
        const char *v = grouped->config_version;
        bool before = v[0] && strtod(v, NULL) > 0 && strtod(v, NULL) <= 23.9;
        w_printf(o, "#   - gateway-semantics: pfsense-2.7 is written out: a rule routes to a gateway group, and\n"
                    "#     pfSense versions keep different members of an all-down group (docs/models.md); the\n"
                    "#     simulator's default follows the newest release it models and may move. ");
        if (before)
            w_printf(o, "/pfsense/version %s\n#     predates 2.9 development (23.9 at the 2.8 branch point): "
                        "2.7/2.8 code.\n",
                     v);
        else
            w_printf(o, "/pfsense/version '%s'\n#     cannot tell 2.7/2.8 code from 2.9.0-DEVELOPMENT's: set "
                        "pfsense-2.9-dev for such a build.\n",
                     v);
    }
    if (opn_routed)
        w_printf(o, "#   - gateway-semantics: opnsense is written out: a rule routes to a gateway or group, and\n"
                    "#     OPNsense keeps a down gateway's route-to and drops a group member with a warning its\n"
                    "#     trigger names (docs/models.md, \"Gateway groups and triggers\").\n");
    if (opn)
        w_printf(o, "#   - OPNsense: states float (pf's default) unless /opnsense/system/state-policy is set; CARP\n"
                    "#     preempts unless /opnsense/hasync/disablepreempt is set (rc.syshook.d/start/90-carp).\n"
                    "#   - OPNsense's WireGuard sets each peer's endpoint when an instance starts; only a cron job\n"
                    "#     running 'wireguard renew' re-resolves (stale peers only): resolve-interval 0s without.\n");
    w_printf(o, "#\n");
}

void w_emit_header(w_out *o, const w_world *w, const imp_findings *f)
{
    header_sources(o, w);
    header_added(o, w);
    header_assumed(o, w);
    header_secrets(o, w);
    header_lists(o, w, f);
    char names[2 * IMP_NAME + 8];
    snprintf(names, sizeof names, "%s%s%s", w->node[0], w->n > 1 ? "-" : "", w->n > 1 ? w->node[1] : "");
    w_printf(o, "name: %s%s\n", w->o->name ? "" : "imported-", w->o->name ? w->o->name : names);
    w_printf(o, "description: >\n  Imported from %s%s%s by wgsim import: %s, with ISP routers, a core network and a "
                "remote WireGuard host per peer added.\n",
             w->fws[0]->file, w->n > 1 ? " and " : "", w->n > 1 ? w->fws[1]->file : "",
             w->n > 1 ? "an HA pair" : "one firewall");
    w_printf(o, "seed: %llu\nduration: %s\n\n", (unsigned long long)w->o->seed, DURATION);
}

static bool segment_listed(const w_world *w, size_t k, size_t i, const char *name)
{
    for (size_t kk = 0; kk <= k; kk++)
        for (size_t ii = 0; ii < (kk == k ? i : w->fws[kk]->ifaces.n); ii++)
            if (!strcmp(w->fws[kk]->ifaces.v[ii].name, name) && !w->fws[kk]->ifaces.v[ii].wg &&
                w->fws[kk]->ifaces.v[ii].kind == IMP_ADDR_STATIC)
                return true;
    return false;
}

static void emit_segments(w_out *o, const w_world *w)
{
    w_printf(o, "segments:\n");
    for (size_t k = 0; k < w->n; k++)
        for (size_t i = 0; i < w->fws[k]->ifaces.n; i++) {
            const imp_iface *f = &w->fws[k]->ifaces.v[i];
            if (f->wg || f->kind != IMP_ADDR_STATIC || segment_listed(w, k, i, f->name))
                continue;
            w_printf(o, "  %s: {delay: %s}\n", f->name, f->wan ? "1ms" : "0");
        }
    w_printf(o, "  core: {delay: 10ms}   # added\n");
    for (size_t s = 0; s < w->sites.n; s++)
        if (!w->sites.v[s].on_fw)
            w_printf(o, "  %s: {delay: 5ms}   # added\n", w->sites.v[s].segment);
    for (size_t r = 0; r < w->remotes.n; r++)
        if (w->remotes.v[r].has_lan)
            w_printf(o, "  %s: {}   # added\n", w->remotes.v[r].lan_segment);
    w_printf(o, "\n");
}

/* The first firewall's address on iface as the world sees it (w_face). */
static uint32_t face(const w_world *w, const char *iface)
{
    const imp_iface *f = imp_fw_iface(w->fws[0], iface);
    bool vip;
    return f && f->kind == IMP_ADDR_STATIC ? w_face(w->fws[0], f, &vip) : 0;
}

static bool world_address(const w_world *w, uint32_t a)
{
    for (size_t k = 0; k < w->n; k++) {
        for (size_t i = 0; i < w->fws[k]->ifaces.n; i++)
            if (w->fws[k]->ifaces.v[i].kind == IMP_ADDR_STATIC && w->fws[k]->ifaces.v[i].addr.addr == a)
                return true;
        for (size_t i = 0; i < w->fws[k]->vips.n; i++)
            if (w->fws[k]->vips.v[i].addr.addr == a)
                return true;
    }
    for (size_t i = 0; i < w->isps.n; i++)
        if (w->isps.v[i].gw->addr == a)
            return true;
    for (size_t r = 0; r < w->remotes.n; r++)
        if (w->remotes.v[r].addr == a)
            return true;
    return false;
}

static void emit_isps(w_out *o, const w_world *w)
{
    char a[16], b[20];
    for (size_t i = 0; i < w->isps.n; i++) {
        const w_isp *p = &w->isps.v[i];
        w_printf(o, "  %s:   # added: the ISP behind %s's gateway %s\n    kind: router\n    interfaces:\n", p->node,
                 w->node[p->fw], p->gw->name);
        w_printf(o, "      wan: {segment: %s, address: %s", p->wan->name,
                 w_pfx((imp_prefix){p->gw->addr, p->wan->addr.len}, b));
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= w->isps.v[j].monitor_alias && w->isps.v[j].monitor.addr == p->monitor.addr;
        if (p->monitor_alias && !dup && !world_address(w, p->monitor.addr))
            w_printf(o, ", aliases: [%s]", w_pfx(p->monitor, b));
        w_printf(o, "}\n      core: {segment: core, address: %s}\n", w_pfx((imp_prefix){p->core, w->core.len}, b));
        w_printf(o, "    routes:\n      - {to: default, via: %s}\n", w_addr(w->internet_core, a));
        uint32_t back = face(w, p->wan->name);
        const imp_fw *fw = w->fws[0];
        for (size_t f = 0; back && f < fw->ifaces.n; f++) {
            const imp_iface *x = &fw->ifaces.v[f];
            if (x->wan || x->wg || x->kind != IMP_ADDR_STATIC)
                continue;
            w_printf(o, "      - {to: %s, via: %s}   # route back to %s\n",
                     w_pfx((imp_prefix){x->addr.addr & imp_mask(x->addr.len), x->addr.len}, b), w_addr(back, a),
                     x->name);
        }
    }
}

static const w_isp *public_isp(const w_world *w)
{
    for (size_t i = 0; i < w->isps.n; i++)
        if (!strcmp(w->isps.v[i].wan->name, w->public_iface))
            return &w->isps.v[i];
    return w->isps.n ? &w->isps.v[0] : NULL;
}

static void emit_internet(w_out *o, const w_world *w)
{
    char a[16], b[20];
    w_printf(o, "  internet:   # added: joins the ISPs and the remote sites\n    kind: router\n    interfaces:\n");
    w_printf(o, "      core: {segment: core, address: %s}\n", w_pfx((imp_prefix){w->internet_core, w->core.len}, b));
    for (size_t s = 0; s < w->sites.n; s++)
        if (!w->sites.v[s].on_fw)
            w_printf(o, "      %s: {segment: %s, address: %s}\n", w->sites.v[s].segment, w->sites.v[s].segment,
                     w_pfx((imp_prefix){w->sites.v[s].router, w->sites.v[s].net.len}, b));
    bool any = false;
    for (size_t i = 0; i < w->isps.n; i++) {
        const w_isp *p = &w->isps.v[i];
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= imp_prefix_overlap(w->isps.v[j].wan->addr, p->wan->addr);
        if (dup)
            continue;
        if (!any)
            w_printf(o, "    routes:\n");
        any = true;
        w_printf(o, "      - {to: %s, via: %s}   # %s, through %s\n",
                 w_pfx((imp_prefix){p->wan->addr.addr & imp_mask(p->wan->addr.len), p->wan->addr.len}, b),
                 w_addr(p->core, a), p->wan->name, p->node);
    }
    const w_isp *pub = public_isp(w);
    const imp_fw *fw = w->fws[0];
    for (size_t f = 0; pub && f < fw->ifaces.n; f++) {
        const imp_iface *x = &fw->ifaces.v[f];
        if (x->wan || x->wg || x->kind != IMP_ADDR_STATIC)
            continue;
        if (!any)
            w_printf(o, "    routes:\n");
        any = true;
        w_printf(o, "      - {to: %s, via: %s}   # %s's %s, through %s\n",
                 w_pfx((imp_prefix){x->addr.addr & imp_mask(x->addr.len), x->addr.len}, b), w_addr(pub->core, a),
                 w->node[0], x->name, pub->node);
    }
}

static void emit_remote(w_out *o, const w_world *w, const w_remote *x)
{
    char a[16], b[20];
    const w_site *s = &w->sites.v[x->site];
    w_printf(o, "  %s:   # added: peer %s of %s's %s\n    kind: host\n    interfaces:\n", x->node,
             x->peer->descr[0] ? x->peer->descr : "(no description)", w->node[x->fw], x->tun->name);
    w_printf(o, "      wan: {segment: %s, address: %s}\n", s->segment, w_pfx((imp_prefix){x->addr, s->net.len}, b));
    if (x->has_lan)
        w_printf(o, "      lan: {segment: %s, address: %s}\n", x->lan_segment, w_pfx(x->lan, b));
    w_printf(o, "    routes: [{to: default, via: %s}]\n", w_addr(s->router, a));
    if (!x->has_wg) {
        w_printf(o, "    # no tunnel address: the peer's allowed IPs name no host in %s's tunnel network\n",
                 x->tun->name);
    }
    w_printf(o, "    wireguard:\n      wg0:\n        listen-port: %d\n", x->peer->has_endpoint ? x->peer->port : 51820);
    if (x->has_wg)
        w_printf(o, "        address: %s\n", w_pfx(x->wg, b));
    /* the node the remote was made from: the first, unless only the second has the tunnel */
    w_printf(o, "        peers:\n          - {node: %s, interface: %s", w->node[x->fw], x->tun->name);
    if (x->pub_addr)
        w_printf(o, ", endpoint: %s:%d", w_addr(x->pub_addr, a), x->tun->listen_port);
    int len;
    const imp_fw *fw = w->fws[x->fw];
    uint32_t ta = w_tunnel_addr(fw, x->tun, &len);
    w_printf(o, ", allowed-ips: [");
    bool first = true;
    if (ta) {
        w_printf(o, "%s", w_pfx((imp_prefix){ta & imp_mask(len), len}, b));
        first = false;
    }
    for (size_t f = 0; f < fw->ifaces.n; f++) {
        const imp_iface *i = &fw->ifaces.v[f];
        imp_prefix net = {i->addr.addr & imp_mask(i->addr.len), i->addr.len};
        if (i->wan || i->wg || i->kind != IMP_ADDR_STATIC || (x->has_lan && imp_prefix_overlap(net, x->lan)) ||
            (ta && imp_prefix_overlap(net, (imp_prefix){ta, len})))
            continue;
        w_printf(o, "%s%s", first ? "" : ", ", w_pfx(net, b));
        first = false;
    }
    w_printf(o, "], persistent-keepalive: 25}\n");
}

void w_emit_world(w_out *o, const w_world *w)
{
    emit_segments(o, w);
}

static void emit_lan_host(w_out *o, const w_world *w)
{
    char a[16], b[20];
    if (!w->lan_host_addr)
        return;
    w_printf(o, "  %s:   # added: a host on the %s network, to test the tunnels from the LAN\n    kind: host\n",
             w->lan_host, w->lan_iface);
    w_printf(o, "    interfaces: {%s: {segment: %s, address: %s}}\n    routes: [{to: default, via: %s}]\n",
             w->lan_iface, w->lan_iface, w_pfx((imp_prefix){w->lan_host_addr, w->lan_len}, b),
             w_addr(w->lan_gw, a));
}

static void emit_nodes_added(w_out *o, const w_world *w)
{
    emit_lan_host(o, w);
    emit_isps(o, w);
    emit_internet(o, w);
    for (size_t r = 0; r < w->remotes.n; r++)
        emit_remote(o, w, &w->remotes.v[r]);
}

/* The address the master's WireGuard packets to remote x carry on the
 * wire. When the firewall initiates (C3/C6/C8): from its own address on
 * the interface of the route to the remote, never a VIP; when the remote
 * initiates to the published address: answered from that address (C1),
 * out of the interface it came in by (reply-to). Then outbound NAT of that
 * interface (a rule translating the firewall's own WireGuard to a VIP is
 * W3b's workaround). 0 when no address can be told. */
typedef struct wire {
    const char *ifname; /* the interface it leaves by */
    uint32_t pre;       /* the source WireGuard sends from */
    uint32_t src;       /* after outbound NAT */
} wire;

static wire wire_source(const w_world *w, const w_remote *x, int m, bool fw_first, int rport)
{
    const imp_fw *fw = w->fws[m];
    const imp_iface *out = w_egress(w, (size_t)m, x->addr);
    const char *ifname = out ? out->name : NULL;
    uint32_t pre = out ? out->addr.addr : 0;
    if (!fw_first) {
        /* the answer leaves by the route's interface unless a floating state
         * of the inbound packet carries it back by reply-to: an if-bound state
         * (the scenario's default) only matches on the interface it was made on */
        bool back = !strcmp(fw->state_policy, "floating") && !fw->reply_to_off;
        ifname = back || !out ? x->pub_iface : out->name;
        pre = x->pub_addr;
    }
    if (!ifname || !pre)
        return (wire){0};
    return (wire){ifname, pre, w_nat_source(fw, ifname, pre, x->tun->listen_port, x->addr, rport)};
}

/* In a pair, the BACKUP runs WireGuard too: with the same key, an
 * endpoint and a keepalive it initiates to the remote by itself. When its
 * packets carry another source than the master's, the remote roams
 * between the two nodes (each authenticated packet moves its endpoint),
 * and the tunnel's traffic is split between them: no loss figure holds.
 * Returns the backup's source then, else 0. */
static uint32_t backup_roams(const w_world *w, const w_remote *x, int m, bool fw_starts, int rport, uint32_t msrc)
{
    if (w->n < 2 || !fw_starts)
        return 0;
    wire b = wire_source(w, x, 1 - m, true, rport);
    return b.src && b.src != msrc ? b.src : 0;
}

typedef struct t_state {
    const imp_wg_peer *p; /* the master's entry for the remote */
    bool wan_ok;          /* the filter passes the remote's WireGuard in at the published address */
    bool fw_starts;       /* the master initiates by itself (endpoint and keepalive) */
} t_state;

static t_state tunnel_state(const w_world *w, const w_remote *x, int m)
{
    const imp_fw *fw = w->fws[m];
    t_state t = {.p = x->peer};
    for (size_t i = 0; i < fw->peers.n; i++)
        if (!strcmp(fw->peers.v[i].tunnel, x->tun->name) && fw->peers.v[i].line == x->peer->line)
            t.p = &fw->peers.v[i];
    int rport = t.p->has_endpoint ? t.p->port : 51820;
    t.wan_ok = x->pub_addr &&
               w_filter_passes(fw, x->pub_iface, "udp", x->addr, rport, x->pub_addr, x->tun->listen_port);
    t.fw_starts = t.p->has_endpoint && t.p->keepalive > 0;
    return t;
}

static void expect_tunnel(w_out *o, const w_world *w, const w_remote *x, int m, size_t ping)
{
    const imp_fw *fw = w->fws[m];
    const char *master = w->node[m];
    char a[16];
    t_state t = tunnel_state(w, x, m);
    bool wan_ok = t.wan_ok, fw_starts = t.fw_starts;
    bool icmp_ok = w_filter_passes(fw, x->tun->name, "icmp", x->wg.addr, 0, x->fw_tunnel, 0);
    /* the LAN host's pings make the firewall initiate to a peer with an endpoint */
    uint32_t lan_dst = x->has_lan ? x->lan.addr : x->wg.addr;
    bool lan_drives = w->lan_host_addr && t.p->has_endpoint &&
                      w_filter_passes(fw, w->lan_iface, "icmp", w->lan_host_addr, 0, lan_dst, 0) &&
                      !w_policy_route(fw, w->lan_iface, "icmp", w->lan_host_addr, 0, lan_dst, 0);
    bool up = wan_ok || fw_starts || lan_drives;
    /* who speaks first: a firewall keepalive at boot beats the remote, whose
     * first initiation meets no CARP MASTER yet */
    bool fw_first = fw_starts || !wan_ok;
    int rport = t.p->has_endpoint ? t.p->port : 51820;
    wire wr = wire_source(w, x, m, fw_first, rport);
    uint32_t roam = up ? backup_roams(w, x, m, fw_starts, rport, wr.src) : 0;
    char b[16], why[200];
    if (!up)
        w_printf(o, "  - {during: [%s, %s], tunnel: {ping: %zu, loss: \"100%%\"}}   # %s: down as imported: the "
                    "filter passes no WireGuard (udp %d) in on %s and %s never initiates (no endpoint)\n",
                 T_CHECK, T_END, ping, x->node, x->tun->listen_port, x->pub_iface, master);
    else if (roam)
        w_printf(o, "  # ping %zu: no loss expected: %s, the BACKUP, initiates to %s too (endpoint and keepalive, "
                    "the pair's shared key) from %s, so the remote roams between the nodes\n"
                    "  - {during: [%s, %s], packets: {from: %s, src: \"%s:%d\", dst: %s}}\n",
                 ping, w->node[1 - m], x->node, w_addr(roam, b), T_CHECK, T_END, w->node[1 - m], w_addr(roam, a),
                 x->tun->listen_port, imp_addr_str(x->addr, (char[16]){0}));
    else if (!icmp_ok)
        w_printf(o, "  - {during: [%s, %s], tunnel: {ping: %zu, loss: \"100%%\"}}   # %s: the tunnel is up but "
                    "the filter passes no ICMP in on %s (or the WireGuard group) to %s: %s's default deny\n",
                 T_CHECK, T_END, ping, x->node, x->tun->name, w_addr(x->fw_tunnel, a), imp_product_name(w->fws[m]));
    else
        w_printf(o, "  - {during: [%s, %s], tunnel: {ping: %zu, loss: \"0%%\"}}   # %s <-> %s over %s\n", T_CHECK,
                 T_END, ping, x->node, master, x->tun->name);
    if (!up || !wr.src)
        return;
    if (fw_first)
        snprintf(why, sizeof why, "%s initiates from its %s address %s (C3/C8: never a VIP)", master, wr.ifname,
                 w_addr(wr.pre, b));
    else
        snprintf(why, sizeof why, "%s answers from the %s %s the remote contacts (C1), out of %s", master,
                 x->pub_is_vip ? "CARP VIP" : "address", w_addr(wr.pre, b), wr.ifname);
    w_printf(o, "  - {during: [%s, %s], packets: {from: %s, src: \"%s:%d\", dst: %s}}   # %s%s%s\n", T_CHECK,
             T_END, master, w_addr(wr.src, a), x->tun->listen_port, imp_addr_str(x->addr, (char[16]){0}), why,
             wr.src != wr.pre ? "; outbound NAT makes it " : "", wr.src != wr.pre ? w_addr(wr.src, b) : "");
}

/* The LAN host's ping to the remote's LAN (or tunnel address): the LAN's
 * filter must pass it, and the tunnel comes up when the remote can reach
 * the firewall or the firewall has the remote's endpoint (it initiates
 * for the packet it must send). */
static void expect_lan_ping(w_out *o, const w_world *w, const w_remote *x, int m, size_t ping, uint32_t dst)
{
    const imp_fw *fw = w->fws[m];
    t_state t = tunnel_state(w, x, m);
    char a[16];
    if (!w_filter_passes(fw, w->lan_iface, "icmp", w->lan_host_addr, 0, dst, 0)) {
        w_printf(o, "  - {during: [%s, %s], tunnel: {ping: %zu, loss: \"100%%\"}}   # %s -> %s: the filter passes "
                    "no ICMP in on %s to it\n",
                 T_CHECK, T_END, ping, w->lan_host, w_addr(dst, a), w->lan_iface);
        return;
    }
    const char *gw = w_policy_route(fw, w->lan_iface, "icmp", w->lan_host_addr, 0, dst, 0);
    if (gw) {
        w_printf(o, "  # ping %zu (%s -> %s): no expectation: its pass rule policy-routes it to %s, which %s sends "
                    "out of that gateway, not into %s (no negate rule covers WireGuard networks)\n",
                 ping, w->lan_host, w_addr(dst, a), gw, imp_product_name(fw), x->tun->name);
        return;
    }
    int rport = t.p->has_endpoint ? t.p->port : 51820;
    if (backup_roams(w, x, m, t.fw_starts, rport, wire_source(w, x, m, t.fw_starts || !t.wan_ok, rport).src)) {
        w_printf(o, "  # ping %zu (%s -> %s): no loss expected: the remote roams between the nodes (above)\n", ping,
                 w->lan_host, w_addr(dst, a));
        return;
    }
    if (!t.wan_ok && !t.p->has_endpoint) {
        w_printf(o, "  - {during: [%s, %s], tunnel: {ping: %zu, loss: \"100%%\"}}   # %s -> %s: the tunnel "
                    "stays down (no endpoint to initiate to, WireGuard not passed in on %s)\n",
                 T_CHECK, T_END, ping, w->lan_host, w_addr(dst, a), x->pub_iface);
        return;
    }
    w_printf(o, "  - {during: [%s, %s], tunnel: {ping: %zu, loss: \"0%%\"}}   # %s -> %s's LAN across %s\n",
             T_CHECK, T_END, ping, w->lan_host, x->node, x->tun->name);
}

/* A CARP VIP the scenario has (on an imported interface). */
static bool emitted_carp(const w_world *w, size_t k, const imp_vip *v)
{
    const imp_iface *f = imp_fw_iface(w->fws[k], v->iface);
    return f && !f->wg && f->kind == IMP_ADDR_STATIC;
}

/* What the procedures lead to, commented out like them: maintenance or
 * power-off of the master gives every vhid to the other node (carp_input_c:
 * preempt is on, and a silent master is replaced after 3 x advbase); a
 * gateway whose ISP router stops answering goes down for dpinger within its
 * loss interval. Checked by the CTest cli_import, which enables each. */
static void after_procedures(w_out *o, const w_world *w, int m, bool carp, const w_isp *pub)
{
    const imp_fw *fw = w->fws[m];
    if (carp && w->n > 1 && !w->carp_tie && !w->carp_split) {
        /* a backup without preempt (OPNsense hasync/disablepreempt) does not take the VIPs from a master
         * that still advertises, however badly (carp_input_c): maintenance moves nothing */
        bool no_preempt = w->fws[1 - m]->preempt_off;
        w_printf(o, "  # after the master's %s at %s, %s holds every VIP:\n",
                 no_preempt ? "power-off" : "maintenance or power-off", T_PROC, w->node[1 - m]);
        for (size_t v = 0; v < fw->vips.n; v++)
            if (fw->vips.v[v].carp && emitted_carp(w, (size_t)m, &fw->vips.v[v]))
                w_printf(o, "  # - {during: [65s, %s], carp: {node: %s, vhid: %d, state: master}}   # %s[power-off]\n",
                         DURATION, w->node[1 - m], fw->vips.v[v].vhid, no_preempt ? "" : "[maintenance] ");
        if (no_preempt) {
            w_printf(o, "  # after its maintenance, %s keeps every VIP: %s has carp-preempt: false\n", w->node[m],
                     w->node[1 - m]);
            for (size_t v = 0; v < fw->vips.n; v++)
                if (fw->vips.v[v].carp && emitted_carp(w, (size_t)m, &fw->vips.v[v]))
                    w_printf(o, "  # - {during: [65s, %s], carp: {node: %s, vhid: %d, state: master}}   "
                                "# [maintenance]\n",
                             DURATION, w->node[m], fw->vips.v[v].vhid);
        }
    } else if (carp) {
        for (size_t v = 0; v < fw->vips.n; v++)
            if (fw->vips.v[v].carp && emitted_carp(w, (size_t)m, &fw->vips.v[v]))
                w_printf(o, "  # - {during: [61s, %s], carp: {node: %s, vhid: %d, state: init}}   # [power-off]\n",
                         DURATION, w->node[m], fw->vips.v[v].vhid);
    }
    if (!pub)
        return;
    w_printf(o, "  # after gateway-down %s at %s, dpinger on %s marks %s down:\n", pub->node, T_PROC,
             w->n > 1 ? "both nodes" : w->node[0], pub->gw->name);
    for (size_t k = 0; k < w->n; k++)
        if (imp_fw_gateway(w->fws[k], pub->gw->name))
            w_printf(o, "  # - {during: [75s, %s], gateway: {node: %s, name: %s, status: down}}   # [gateway-down]\n",
                     DURATION, w->node[k], pub->gw->name);
}

void w_emit_tests(w_out *o, const w_world *w)
{
    emit_nodes_added(o, w);
    char a[16];
    size_t pings = 0;
    for (size_t r = 0; r < w->remotes.n; r++) {
        const w_remote *x = &w->remotes.v[r];
        if (!x->has_wg || !x->fw_tunnel)
            continue;
        if (!pings)
            w_printf(o, "\ntraffic:\n");
        w_printf(o, "  - {ping: {from: %s, to: %s, every: 1s, start: %s}}   # %zu\n", x->node,
                 w_addr(x->fw_tunnel, a), T_SETTLE, pings);
        pings++;
        if (w->lan_host_addr)
            w_printf(o, "  - {ping: {from: %s, to: %s, every: 1s, start: %s}}   # %zu\n", w->lan_host,
                     w_addr(x->has_lan ? x->lan.addr : x->wg.addr, a), T_SETTLE, pings++);
    }
    int m = w->master < 0 ? 0 : w->master;
    const char *master = w->node[m];
    const w_isp *pub = public_isp(w);
    bool carp = false;
    for (size_t v = 0; v < w->fws[m]->vips.n; v++)
        carp |= w->fws[m]->vips.v[v].carp;
    w_printf(o, "\n# Usual procedures: uncomment `events:` and one of them, with the expectations marked\n"
                "# like it at the end of expect: (the others there hold until %s, before any of them).\n"
                "# events:\n",
             T_END);
    if (carp)
        w_printf(o, "#   - {at: %s, do: maintenance %s on}   # [maintenance] on the CARP master\n", T_PROC, master);
    w_printf(o, "#   - {at: %s, do: power-off %s}   # [power-off] the %s loses power\n", T_PROC, master,
             carp ? "master" : "firewall");
    if (pub)
        w_printf(o, "#   - {at: %s, do: gateway-down %s}   # [gateway-down] the default gateway %s fails\n", T_PROC,
                 pub->node, pub->gw->name);
    w_printf(o, "\nexpect:\n");
    size_t n = 0;
    const imp_fw *fw = w->fws[0];
    for (size_t v = 0; v < fw->vips.n; v++) {
        const imp_vip *p = &fw->vips.v[v];
        const imp_iface *f = imp_fw_iface(fw, p->iface);
        if (!p->carp || !f || f->wg || f->kind != IMP_ADDR_STATIC)
            continue;
        const imp_vip *q = NULL;
        for (size_t j = 0; w->n > 1 && j < w->fws[1]->vips.n; j++)
            if (w->fws[1]->vips.v[j].carp && w->fws[1]->vips.v[j].vhid == p->vhid)
                q = &w->fws[1]->vips.v[j];
        if (q && w->carp_tie) {
            w_printf(o, "  # vhid %d: no MASTER expected: a vhid of the pair has equal advbase and advskew on both "
                        "nodes, so the two take it from each other (see the warnings)\n",
                     p->vhid);
            continue;
        }
        /* per vhid: the shorter advbase, then the lower advskew wins (carp_input_c) */
        int sa = fw->maintenance ? 254 : p->advskew, sb = q && w->fws[1]->maintenance ? 254 : q ? q->advskew : 0;
        size_t vm = q && (q->advbase < p->advbase || (q->advbase == p->advbase && sb < sa)) ? 1 : 0;
        w_printf(o, "  - {during: [%s, %s], carp: {node: %s, vhid: %d, state: master}}\n", T_SETTLE, T_END,
                 w->node[vm], p->vhid);
        if (q)
            w_printf(o, "  - {during: [%s, %s], carp: {node: %s, vhid: %d, state: backup}}\n", T_SETTLE, T_END,
                     w->node[1 - vm], p->vhid);
        n++;
    }
    pings = 0;
    if (w->carp_tie)
        w_printf(o, "  # no tunnel expectation: with CARP flapping between the nodes none holds\n");
    else if (w->carp_split)
        w_printf(o, "  # no tunnel expectation: the vhids prefer different nodes, so traffic crosses both (see the "
                    "warnings)\n");
    for (size_t r = 0; r < w->remotes.n && !w->carp_tie && !w->carp_split; r++) {
        const w_remote *x = &w->remotes.v[r];
        if (!x->has_wg || !x->fw_tunnel)
            continue;
        bool on_master = false; /* a drifted pair: the tunnel may be on the backup only */
        for (size_t t = 0; t < w->fws[m]->tunnels.n; t++)
            on_master |= !strcmp(w->fws[m]->tunnels.v[t].name, x->tun->name);
        if (!on_master) {
            w_printf(o, "  # pings %zu%s: no expectation: %s is on %s only, not on the CARP master %s (see the "
                        "warnings)\n",
                     pings, w->lan_host_addr ? " and the next" : "", x->tun->name, w->node[x->fw], w->node[m]);
            pings += w->lan_host_addr ? 2 : 1;
            continue;
        }
        expect_tunnel(o, w, x, m, pings++);
        if (w->lan_host_addr)
            expect_lan_ping(o, w, x, m, pings++, x->has_lan ? x->lan.addr : x->wg.addr);
        n++;
    }
    after_procedures(o, w, m, carp, pub);
    if (!n && pub && pub->fw == 0)
        w_printf(o, "  - {at: %s, route: {node: %s, to: default, via: %s}}\n", T_SETTLE, w->node[0],
                 w_addr(pub->gw->addr, a));
    else if (!n)
        w_printf(o, "  []   # nothing to expect: no CARP VIP, no tunnel, no gateway\n");
}
