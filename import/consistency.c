/*
 * consistency.c — what a backup may hold but a scenario may not: before the
 * scenario is planned, every item that would break the scenario's rules
 * (docs/scenario-language.md, "Nodes", "CARP", "WireGuard") is taken out of
 * the model and listed as not imported, with its line and the reason, so
 * that an import always loads - a real pfSense refuses most of these in its
 * GUI, but a backup is a file anyone can edit, and the fuzzer (fuzz_import)
 * writes the rest. An HA pair's conflicts (one vhid with two VIPs on one
 * network, one address on both nodes) are taken out of the second node,
 * after the pair check has reported them.
 */
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

#define ERASE(vec, i) (memmove(&(vec).v[i], &(vec).v[(i) + 1], ((vec).n - (i) - 1) * sizeof *(vec).v), (vec).n--)

/* The item's XPath (without its index: the line says which). */
static const char *path_of(const imp_fw *fw, const char *what, char *buf, size_t cap)
{
    static const char *const map[][3] = {
        /* what, pfSense, OPNsense (below the root) */
        {"interface", "interfaces/", "interfaces/"},
        {"vip", "virtualip/vip", "virtualip/vip"},
        {"gateway", "gateways/gateway_item", "OPNsense/Gateways/gateway_item"},
        {"group", "gateways/gateway_group", "gateways/gateway_group"},
        {"route", "staticroutes/route", "staticroutes/route"},
        {"tunnel", "installedpackages/wireguard/tunnels/item", "OPNsense/wireguard/server/servers/server"},
        {"peer", "installedpackages/wireguard/peers/item", "OPNsense/wireguard/client/clients/client"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i][0], what)) {
            snprintf(buf, cap, "%s/%s", imp_root(fw), map[i][fw->product == IMP_OPNSENSE ? 2 : 1]);
            return buf;
        }
    return what;
}

static void drop(imp_fw *fw, int line, const char *what, const char *why, const char *name)
{
    char xp[IMP_TEXT];
    path_of(fw, what, xp, sizeof xp);
    if (!strcmp(what, "interface") && name)
        snprintf(xp + strlen(xp), sizeof xp - strlen(xp), "%.60s", name);
    imp_unmodelled_add(fw, line, xp, "%s%s%s: not imported", name ? name : "", name ? ": " : "", why);
}

/* Is a an address of fw (interface, VIP), other than the item skip? */
static bool own_address(const imp_fw *fw, uint32_t a, const void *skip)
{
    for (size_t i = 0; i < fw->ifaces.n; i++)
        if (&fw->ifaces.v[i] != skip && fw->ifaces.v[i].kind == IMP_ADDR_STATIC && fw->ifaces.v[i].addr.addr == a)
            return true;
    for (size_t i = 0; i < fw->vips.n; i++)
        if (&fw->vips.v[i] != skip && fw->vips.v[i].addr.addr == a)
            return true;
    return false;
}

static void ifaces(imp_fw *fw)
{
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        imp_iface *f = &fw->ifaces.v[i];
        const char *why = NULL;
        if (!strcmp(f->name, "WireGuard"))
            why = "the name of the WireGuard interface group";
        for (size_t j = 0; !why && j < i; j++)
            if (!strcmp(fw->ifaces.v[j].name, f->name))
                why = "a second interface of that name";
        for (size_t t = 0; !why && !f->wg && t < fw->tunnels.n; t++)
            if (!strcmp(fw->tunnels.v[t].name, f->name))
                why = "the name of a WireGuard tunnel";
        if (!why && f->kind == IMP_ADDR_STATIC && !f->wg) {
            if (!imp_host_address(f->addr))
                why = "its address is the network or broadcast address of its prefix";
            for (size_t j = 0; !why && j < i; j++) {
                const imp_iface *g = &fw->ifaces.v[j];
                if (g->kind == IMP_ADDR_STATIC && !g->wg && imp_prefix_overlap(g->addr, f->addr))
                    why = "its network overlaps another interface's";
            }
        }
        if (why) {
            drop(fw, f->line, "interface", why, f->name);
            ERASE(fw->ifaces, i);
            i--;
        }
    }
}

static void vips(imp_fw *fw)
{
    for (size_t i = 0; i < fw->vips.n; i++) {
        imp_vip *v = &fw->vips.v[i];
        const imp_iface *f = imp_fw_iface(fw, v->iface);
        const char *why = NULL;
        if (!f || f->wg || f->kind != IMP_ADDR_STATIC)
            why = "its interface is not imported";
        else if (!imp_host_address(v->addr) || own_address(fw, v->addr.addr, v))
            why = "its address is another address of the node, or not a host address";
        else if (v->carp && (!imp_in_prefix(v->addr.addr, f->addr) || v->addr.len < f->addr.len))
            why = "a CARP VIP outside its interface's network";
        for (size_t j = 0; !why && v->carp && j < i; j++)
            if (fw->vips.v[j].carp && fw->vips.v[j].vhid == v->vhid)
                why = "a second VIP with that vhid";
        for (size_t j = 0; !why && !v->carp && j < fw->ifaces.n; j++) {
            const imp_iface *g = &fw->ifaces.v[j];
            if (g != f && g->kind == IMP_ADDR_STATIC && !g->wg && imp_prefix_overlap(g->addr, v->addr))
                why = "an IP alias in another interface's network";
        }
        if (why) {
            char a[16];
            drop(fw, v->line, "vip", why, imp_addr_str(v->addr.addr, a));
            ERASE(fw->vips, i);
            i--;
        }
    }
}

static bool name_used(const imp_fw *fw, const char *name, const void *upto)
{
    for (size_t g = 0; g < fw->gateways.n && (const void *)&fw->gateways.v[g] != upto; g++)
        if (!strcmp(fw->gateways.v[g].name, name))
            return true;
    for (size_t g = 0; g < fw->groups.n && (const void *)&fw->groups.v[g] != upto; g++)
        if (!strcmp(fw->groups.v[g].name, name))
            return true;
    return false;
}

/* Is a the network or broadcast address of the network of fw's interface
 * iface? No host holds it, so no ISP router can be put there. */
static bool not_a_host_on(const imp_fw *fw, const char *iface, uint32_t a)
{
    const imp_iface *f = imp_fw_iface(fw, iface);
    bool in_net = f && f->addr.len && f->addr.len < 31 &&
                  (a & imp_mask(f->addr.len)) == (f->addr.addr & imp_mask(f->addr.len));
    return in_net && !imp_host_address((imp_prefix){a, f->addr.len});
}

/* A monitor address no host can answer: the network or broadcast address
 * of the gateway interface's network, or the firewall's own. The scenario
 * cannot put it on the ISP router, and dpinger would see 100% loss. */
static void monitor(imp_fw *fw, imp_gateway *g)
{
    const char *why = !g->monitor                                 ? NULL
                      : not_a_host_on(fw, g->iface, g->monitor)   ? "is the network or broadcast address of the interface's network"
                      : own_address(fw, g->monitor, NULL)         ? "is an address of the firewall itself"
                                                                  : NULL;
    if (!why)
        return;
    char xp[IMP_TEXT], a[16];
    path_of(fw, "gateway", xp, sizeof xp);
    snprintf(xp + strlen(xp), sizeof xp - strlen(xp), "/monitor");
    imp_unmodelled_add(fw, g->line, xp,
                       "gateway %s: monitor %s %s, which no host answers: not imported, the gateway's own address is "
                       "monitored instead",
                       g->name, imp_addr_str(g->monitor, a), why);
    g->monitor = 0;
}

static void gateways(imp_fw *fw)
{
    for (size_t i = 0; i < fw->gateways.n; i++) {
        imp_gateway *g = &fw->gateways.v[i];
        monitor(fw, g);
        const char *why = name_used(fw, g->name, g) ? "a second gateway of that name"
                          : g->addr && own_address(fw, g->addr, NULL) ? "its address is the firewall's own"
                          : g->addr && not_a_host_on(fw, g->iface, g->addr)
                              ? "its address is the network or broadcast address of the interface's network"
                              : NULL;
        if (why) {
            drop(fw, g->line, "gateway", why, g->name);
            ERASE(fw->gateways, i);
            i--;
        }
    }
    for (size_t i = 0; i < fw->groups.n; i++) {
        bool dup = name_used(fw, fw->groups.v[i].name, NULL) &&
                   (imp_fw_gateway(fw, fw->groups.v[i].name) || name_used(fw, fw->groups.v[i].name, &fw->groups.v[i]));
        if (dup) {
            drop(fw, fw->groups.v[i].line, "group", "its name is taken", fw->groups.v[i].name);
            free(fw->groups.v[i].members.v);
            ERASE(fw->groups, i);
            i--;
        }
    }
    for (size_t i = 0; i < fw->routes.n; i++) {
        imp_route *r = &fw->routes.v[i];
        const char *why = r->to.len == 0 ? "a default route among the static routes (the default gateway is one)"
                                         : NULL;
        for (size_t j = 0; !why && j < i; j++)
            if (fw->routes.v[j].to.len == r->to.len &&
                (fw->routes.v[j].to.addr & imp_mask(r->to.len)) == (r->to.addr & imp_mask(r->to.len)))
                why = "a second route to that network";
        if (why) {
            char a[16];
            drop(fw, r->line, "route", why, imp_addr_str(r->to.addr, a));
            ERASE(fw->routes, i);
            i--;
        }
    }
}

static bool unicast(uint32_t a)
{
    uint32_t first = a >> 24;
    return first != 0 && first != 127 && first < 224;
}

static void wireguard(imp_fw *fw)
{
    for (size_t i = 0; i < fw->tunnels.n; i++) {
        imp_wg_tunnel *t = &fw->tunnels.v[i];
        const char *why = !strcmp(t->name, "WireGuard") ? "the name of the WireGuard interface group" : NULL;
        for (size_t j = 0; !why && j < i; j++)
            why = !strcmp(fw->tunnels.v[j].name, t->name)             ? "a second tunnel of that name"
                  : fw->tunnels.v[j].listen_port == t->listen_port ? "a second tunnel on that listen port"
                                                                   : NULL;
        const imp_iface *f = imp_fw_iface(fw, t->name);
        if (!why && f && !f->wg)
            why = "the name of an Ethernet interface";
        for (size_t a = 0; !why && a < t->addrs.n; a++)
            if (!imp_host_address(t->addrs.v[a]))
                why = "its address is the network or broadcast address of its prefix";
        if (why) {
            drop(fw, t->line, "tunnel", why, t->name);
            free(t->addrs.v);
            ERASE(fw->tunnels, i);
            i--;
        }
    }
    for (size_t i = 0; i < fw->peers.n; i++) {
        imp_wg_peer *p = &fw->peers.v[i];
        const char *why = NULL;
        for (size_t j = 0; !why && j < i; j++)
            if (!strcmp(fw->peers.v[j].tunnel, p->tunnel) && p->has_pub && fw->peers.v[j].has_pub &&
                !memcmp(fw->peers.v[j].pub_hash, p->pub_hash, 16))
                why = "a second peer of that tunnel with the same public key";
        if (why) {
            drop(fw, p->line, "peer", why, p->descr);
            free(p->allowed.v);
            ERASE(fw->peers, i);
            i--;
            continue;
        }
        if (p->has_endpoint && !unicast(p->endpoint)) {
            char a[16];
            char xp[IMP_TEXT];
            imp_unmodelled_add(fw, p->line, path_of(fw, "peer", xp, sizeof xp),
                               "%s is not a unicast address: the peer is imported as a roaming remote",
                               imp_addr_str(p->endpoint, a));
            p->has_endpoint = false;
        }
    }
}

/* The pair: the second node's items that contradict the first's on one
 * network (the pair check has reported each difference). */
static void pair(const imp_fw *a, imp_fw *b)
{
    for (size_t i = 0; i < b->vips.n; i++) {
        imp_vip *v = &b->vips.v[i];
        bool clash = own_address(a, v->addr.addr, NULL) && !v->carp;
        for (size_t j = 0; !clash && j < a->vips.n; j++) {
            const imp_vip *u = &a->vips.v[j];
            clash = v->carp && u->carp &&
                    ((u->vhid == v->vhid && !strcmp(u->iface, v->iface) && u->addr.addr != v->addr.addr) ||
                     (u->vhid != v->vhid && u->addr.addr == v->addr.addr));
        }
        for (size_t j = 0; !clash && j < a->ifaces.n; j++)
            clash = a->ifaces.v[j].kind == IMP_ADDR_STATIC && a->ifaces.v[j].addr.addr == v->addr.addr;
        if (clash) {
            char s[16];
            drop(b, v->line, "vip", "it contradicts the first node's VIPs or addresses (see the HA findings)",
                 imp_addr_str(v->addr.addr, s));
            ERASE(b->vips, i);
            i--;
        }
    }
    for (size_t i = 0; i < b->ifaces.n; i++) {
        imp_iface *f = &b->ifaces.v[i];
        if (f->kind == IMP_ADDR_STATIC && !f->wg && own_address(a, f->addr.addr, NULL)) {
            drop(b, f->line, "interface", "its address is also the first node's (see the HA findings)", f->name);
            ERASE(b->ifaces, i);
            i--;
        }
    }
}

void imp_consistent(imp_fw **fws, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        ifaces(fws[k]);
        vips(fws[k]);
        gateways(fws[k]);
        wireguard(fws[k]);
    }
    if (n == 2) {
        pair(fws[0], fws[1]);
        vips(fws[1]);
    }
}
