/*
 * pair.c — two backups as one HA pair. pfSense's configuration sync
 * (XMLRPC, System > High Avail. Sync) copies VIPs, rules and NAT to the
 * secondary; what stays per node is the hostname, interface addresses,
 * advskew and the pfsync peer address. The WireGuard package is not synced
 * (it has no XMLRPC hook): the operator configures both nodes alike by
 * hand, which is where they drift. So the pair is
 * checked where a failover needs the two alike (the linter's ha-* rules,
 * docs/scenario-language.md "Warnings", check the same in the scenario):
 * same vhids and VIPs with one preferred node, pfsync enabled on the same
 * interface with each peer address the other's address there, the same
 * interfaces and networks, the same WireGuard tunnels (listen port,
 * addresses, private key - compared by hash, never kept - and peers).
 * Differences are findings, written in the header and on stderr; two files
 * without a CARP VIP in common are not a pair (an error).
 */
#include <string.h>

#include "import/import.h"

static const imp_vip *find_vhid(const imp_fw *fw, const char *iface, int vhid)
{
    for (size_t i = 0; i < fw->vips.n; i++)
        if (fw->vips.v[i].carp && fw->vips.v[i].vhid == vhid && (!iface || !strcmp(fw->vips.v[i].iface, iface)))
            return &fw->vips.v[i];
    return NULL;
}

static const imp_wg_tunnel *find_tunnel(const imp_fw *fw, const char *name)
{
    for (size_t i = 0; i < fw->tunnels.n; i++)
        if (!strcmp(fw->tunnels.v[i].name, name))
            return &fw->tunnels.v[i];
    return NULL;
}

static int skew(const imp_fw *fw, const imp_vip *v)
{
    return fw->maintenance ? 254 : v->advskew;
}

static void compare_vips(const imp_fw *a, const imp_fw *b, imp_findings *f)
{
    char x[16], y[16];
    for (size_t i = 0; i < a->vips.n; i++) {
        const imp_vip *va = &a->vips.v[i];
        if (!va->carp)
            continue;
        const imp_vip *vb = find_vhid(b, NULL, va->vhid);
        if (!vb) {
            imp_findings_add(f, "CARP vhid %d (%s on %s) is on %s only: after a failover nothing holds it", va->vhid,
                             imp_addr_str(va->addr.addr, x), va->iface, a->hostname);
            continue;
        }
        if (strcmp(va->iface, vb->iface) || va->addr.addr != vb->addr.addr || va->addr.len != vb->addr.len)
            imp_findings_add(f, "CARP vhid %d: %s has %s/%d on %s, %s has %s/%d on %s", va->vhid, a->hostname,
                             imp_addr_str(va->addr.addr, x), va->addr.len, va->iface, b->hostname,
                             imp_addr_str(vb->addr.addr, y), vb->addr.len, vb->iface);
        if (va->advbase == vb->advbase && skew(a, va) == skew(b, vb))
            imp_findings_add(f, "CARP vhid %d: both nodes advertise advbase %d advskew %d, so neither is preferred",
                             va->vhid, va->advbase, skew(a, va));
        else if (va->advbase != vb->advbase)
            imp_findings_add(f, "CARP vhid %d: advbase %d on %s, %d on %s (the shorter one is preferred)", va->vhid,
                             va->advbase, a->hostname, vb->advbase, b->hostname);
    }
    for (size_t i = 0; i < a->vips.n; i++)
        for (size_t j = 0; j < b->vips.n; j++)
            if (!a->vips.v[i].carp && !b->vips.v[j].carp && a->vips.v[i].addr.addr == b->vips.v[j].addr.addr)
                imp_findings_add(f, "IP alias %s is on both nodes: one address twice on one network (the scenario "
                                 "keeps it on %s only; a CARP VIP or an alias on one is what moves on failover)",
                                 imp_addr_str(a->vips.v[i].addr.addr, x), a->hostname);
    for (size_t i = 0; i < b->vips.n; i++)
        if (b->vips.v[i].carp && !find_vhid(a, NULL, b->vips.v[i].vhid))
            imp_findings_add(f, "CARP vhid %d (%s on %s) is on %s only: after a failover nothing holds it",
                             b->vips.v[i].vhid, imp_addr_str(b->vips.v[i].addr.addr, x), b->vips.v[i].iface,
                             b->hostname);
}

/* Every vhid should prefer the same node: split preferences leave the
 * VIPs of one subnet on one node and the others on the other. */
static void compare_order(const imp_fw *a, const imp_fw *b, imp_findings *f)
{
    int first = -1, first_vhid = 0;
    for (size_t i = 0; i < a->vips.n; i++) {
        const imp_vip *va = &a->vips.v[i];
        const imp_vip *vb = va->carp ? find_vhid(b, NULL, va->vhid) : NULL;
        if (!vb || (va->advbase == vb->advbase && skew(a, va) == skew(b, vb)))
            continue;
        int pref = va->advbase < vb->advbase || (va->advbase == vb->advbase && skew(a, va) < skew(b, vb)) ? 0 : 1;
        if (first < 0) {
            first = pref;
            first_vhid = va->vhid;
        } else if (pref != first)
            imp_findings_add(f, "CARP vhid %d prefers %s but vhid %d prefers %s: the VIPs are split between the "
                             "nodes",
                             first_vhid, first ? b->hostname : a->hostname, va->vhid,
                             pref ? b->hostname : a->hostname);
    }
}

static void compare_pfsync(const imp_fw *a, const imp_fw *b, imp_findings *f)
{
    const imp_fw *p[2] = {a, b};
    char x[16], y[16];
    for (int s = 0; s < 2; s++) {
        const imp_fw *me = p[s], *other = p[1 - s];
        if (!me->pfsync) {
            imp_findings_add(f, "%s: pfsync is not enabled (%s/hasync/%s): states are not "
                             "replicated, a failover drops them",
                             me->hostname, imp_root(me), me->product == IMP_OPNSENSE ? "pfsyncinterface" : "pfsyncenabled");
            continue;
        }
        const imp_iface *oi = imp_fw_iface(other, me->pfsync_iface);
        if (!oi || oi->kind != IMP_ADDR_STATIC)
            imp_findings_add(f, "%s: pfsync interface %s has no static address on %s", me->hostname,
                             me->pfsync_iface, other->hostname);
        else if (me->pfsync_peer && me->pfsync_peer != oi->addr.addr)
            imp_findings_add(f, "%s: pfsync peer %s is not %s's address on %s (%s)", me->hostname,
                             imp_addr_str(me->pfsync_peer, x), other->hostname, me->pfsync_iface,
                             imp_addr_str(oi->addr.addr, y));
    }
    for (int s = 0; s < 2; s++) {
        const imp_fw *me = p[s], *other = p[1 - s];
        bool found = !me->sync_to;
        for (size_t i = 0; !found && i < other->ifaces.n; i++)
            found = other->ifaces.v[i].kind == IMP_ADDR_STATIC && other->ifaces.v[i].addr.addr == me->sync_to;
        if (!found)
            imp_findings_add(f, "%s: configuration sync goes to %s (hasync/synchronizetoip), not an address of %s",
                             me->hostname, imp_addr_str(me->sync_to, x), other->hostname);
    }
    if (a->pfsync && b->pfsync && strcmp(a->pfsync_iface, b->pfsync_iface))
        imp_findings_add(f, "pfsync interface: %s on %s, %s on %s", a->pfsync_iface, a->hostname, b->pfsync_iface,
                         b->hostname);
}

static void compare_ifaces(const imp_fw *a, const imp_fw *b, imp_findings *f)
{
    char x[16], y[16];
    for (size_t i = 0; i < a->ifaces.n; i++) {
        const imp_iface *ia = &a->ifaces.v[i];
        const imp_iface *ib = imp_fw_iface(b, ia->name);
        if (!ib) {
            imp_findings_add(f, "interface %s (%s) is on %s only", ia->name, ia->driver, a->hostname);
            continue;
        }
        if (ia->kind == IMP_ADDR_STATIC && ib->kind == IMP_ADDR_STATIC && !ia->wg &&
            ((ia->addr.addr & imp_mask(ia->addr.len)) != (ib->addr.addr & imp_mask(ib->addr.len)) ||
             ia->addr.len != ib->addr.len))
            imp_findings_add(f, "interface %s: %s/%d on %s and %s/%d on %s are not one network", ia->name,
                             imp_addr_str(ia->addr.addr, x), ia->addr.len, a->hostname,
                             imp_addr_str(ib->addr.addr, y), ib->addr.len, b->hostname);
    }
    for (size_t i = 0; i < b->ifaces.n; i++)
        if (!imp_fw_iface(a, b->ifaces.v[i].name))
            imp_findings_add(f, "interface %s (%s) is on %s only", b->ifaces.v[i].name, b->ifaces.v[i].driver,
                             b->hostname);
}

static size_t count_peers(const imp_fw *fw, const char *tun)
{
    size_t n = 0;
    for (size_t i = 0; i < fw->peers.n; i++)
        n += !strcmp(fw->peers.v[i].tunnel, tun);
    return n;
}

static bool has_peer(const imp_fw *fw, const imp_wg_peer *p)
{
    for (size_t i = 0; i < fw->peers.n; i++) {
        const imp_wg_peer *q = &fw->peers.v[i];
        if (!strcmp(q->tunnel, p->tunnel) && q->has_pub == p->has_pub &&
            (!p->has_pub || !memcmp(q->pub_hash, p->pub_hash, 16)))
            return true;
    }
    return false;
}

static void compare_wg(const imp_fw *a, const imp_fw *b, imp_findings *f)
{
    const imp_fw *p[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        const imp_fw *me = p[s], *other = p[1 - s];
        for (size_t i = 0; i < me->tunnels.n; i++) {
            const imp_wg_tunnel *t = &me->tunnels.v[i], *u = find_tunnel(other, t->name);
            if (!u) {
                imp_findings_add(f, "WireGuard tunnel %s is on %s only: it does not survive a failover", t->name,
                                 me->hostname);
                continue;
            }
            if (s)
                continue; /* the rest is symmetric: once */
            if (t->listen_port != u->listen_port)
                imp_findings_add(f, "WireGuard tunnel %s: listen port %d on %s, %d on %s", t->name, t->listen_port,
                                 a->hostname, u->listen_port, b->hostname);
            if (t->has_key && u->has_key && memcmp(t->key_hash, u->key_hash, 16))
                imp_findings_add(f, "WireGuard tunnel %s: the private keys differ between the two backups: remotes "
                                 "know one public key, so after a failover their handshakes fail (the scenario "
                                 "gives both nodes one derived key, as a working pair has)", t->name);
            if (count_peers(a, t->name) != count_peers(b, t->name))
                imp_findings_add(f, "WireGuard tunnel %s: %zu peers on %s, %zu on %s", t->name,
                                 count_peers(a, t->name), a->hostname, count_peers(b, t->name), b->hostname);
        }
        for (size_t i = 0; i < me->peers.n; i++)
            if (!has_peer(other, &me->peers.v[i]))
                imp_findings_add(f, "WireGuard peer %s of %s (%s) is on %s only (by public key)",
                                 me->peers.v[i].descr[0] ? me->peers.v[i].descr : "(no description)",
                                 me->peers.v[i].tunnel, me->hostname, me->hostname);
    }
}

bool imp_pair_check(const imp_fw *a, const imp_fw *b, imp_findings *f, imp_errors *err)
{
    size_t common = 0;
    for (size_t i = 0; i < a->vips.n; i++) {
        const imp_vip *v = &a->vips.v[i];
        const imp_vip *w = v->carp ? find_vhid(b, v->iface, v->vhid) : NULL;
        common += w && w->addr.addr == v->addr.addr;
    }
    if (!common) {
        imp_error(err, b->file, 0,
                  "not an HA pair with %s: the two backups have no CARP VIP in common (same vhid and address on "
                  "the same interface); import them one at a time",
                  a->file);
        return false;
    }
    if (a->product != b->product)
        imp_findings_add(f, "%s is %s, %s is %s: configuration sync does not work between them, each node is "
                         "configured by hand", a->hostname, imp_product_name(a), b->hostname, imp_product_name(b));
    if (!strcmp(a->hostname, b->hostname))
        imp_findings_add(f, "both backups have the hostname %s: the second node is named %s-2", a->hostname,
                         a->hostname);
    compare_vips(a, b, f);
    compare_order(a, b, f);
    compare_pfsync(a, b, f);
    compare_ifaces(a, b, f);
    compare_wg(a, b, f);
    if (a->nat_mode != b->nat_mode)
        imp_findings_add(f, "outbound NAT mode differs between %s and %s", a->hostname, b->hostname);
    if (a->filter.n != b->filter.n || a->nat.n != b->nat.n)
        imp_findings_add(f, "%s has %zu filter and %zu outbound NAT rules, %s %zu and %zu (configuration sync "
                         "copies them)", a->hostname, a->filter.n, a->nat.n, b->hostname, b->filter.n, b->nat.n);
    return true;
}
