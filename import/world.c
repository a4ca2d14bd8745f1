/*
 * world.c — plans the network around the imported firewalls. A backup
 * describes the firewall, not the internet, so the importer adds (and the
 * header says so):
 *   - an ISP router per gateway, on the gateway's WAN segment at the
 *     gateway's address, answering the gateway's monitor address, with a
 *     route back to the firewall's other networks;
 *   - a core segment joining the ISP routers to one "internet" router,
 *     which has a segment per remote site (the /24 of the remote's
 *     endpoint, narrowed until it overlaps nothing configured) and one for
 *     roaming remotes;
 *   - a remote WireGuard host per peer: at its endpoint when it has one
 *     (else on the roaming segment), its tunnel address the allowed IP
 *     inside the firewall's tunnel network, its LAN the first other allowed
 *     network. It reaches the firewall(s) at the default gateway
 *     interface's CARP VIP (the address an HA pair publishes), else the
 *     interface's address.
 * Chosen networks come from 100.64.0.0/10 (RFC 6598) avoiding every
 * network the configuration names.
 */
#include <stdlib.h>
#include <string.h>

#include "import/world.h"

static bool name_taken(const w_world *w, const char *s)
{
    for (size_t i = 0; i < w->names.n; i++)
        if (!strcmp(w->names.v[i], s))
            return true;
    return false;
}

/* A unique scenario name from base (node and segment names share one set). */
static void take_name(w_world *w, char *out, size_t cap, const char *base)
{
    char buf[IMP_NAME];
    imp_sanitize_name(buf, sizeof buf, base, "x");
    imp_copy(out, cap, buf);
    for (unsigned i = 2; name_taken(w, out) && i < 1000; i++)
        snprintf(out, cap, "%.55s-%u", buf, i % 1000);
    *imp_push(&w->names) = imp_strdup(out);
}

static bool is_used(const w_world *w, imp_prefix p)
{
    for (size_t i = 0; i < w->used.n; i++)
        if (imp_prefix_overlap(w->used.v[i], p))
            return true;
    return false;
}

static void use(w_world *w, imp_prefix p)
{
    p.addr &= imp_mask(p.len);
    *imp_push(&w->used) = p;
}

static bool soft_used(const w_world *w, imp_prefix p)
{
    for (size_t i = 0; i < w->soft.n; i++)
        if (imp_prefix_overlap(w->soft.v[i], p))
            return true;
    return false;
}

static bool choose_net(w_world *w, imp_prefix *out)
{
    for (uint32_t i = 0; i < 16384; i++) {
        imp_prefix p = {0x64400000u + (i << 8), 24};
        if (!is_used(w, p) && !soft_used(w, p)) {
            use(w, p);
            *out = p;
            return true;
        }
    }
    return false;
}

const char *w_fw_iface_name(const imp_fw *fw, const char *logical)
{
    const imp_iface *f = imp_fw_iface(fw, logical);
    return f && f->wg ? f->driver : logical;
}

/* A tunnel's address: an assigned tunnel's is its interface's (the
 * package skips the addresses of assigned tunnels: wg_api.inc
 * wg_interface_update_addresses), else the package's first. */
uint32_t w_tunnel_addr(const imp_fw *fw, const imp_wg_tunnel *t, int *len)
{
    /* OPNsense sets an instance's own tunnel addresses whether or not it is
     * assigned (wg-service-control.php wg_start); its assignment usually
     * has none */
    if (fw->product == IMP_OPNSENSE && t->addrs.n) {
        *len = t->addrs.v[0].len;
        return t->addrs.v[0].addr;
    }
    for (size_t i = 0; i < fw->ifaces.n; i++)
        if (fw->ifaces.v[i].wg && !strcmp(fw->ifaces.v[i].driver, t->name)) {
            *len = fw->ifaces.v[i].addr.len;
            return fw->ifaces.v[i].kind == IMP_ADDR_STATIC ? fw->ifaces.v[i].addr.addr : 0;
        }
    if (t->addrs.n) {
        *len = t->addrs.v[0].len;
        return t->addrs.v[0].addr;
    }
    return 0;
}

static void collect_used(w_world *w)
{
    for (size_t k = 0; k < w->n; k++) {
        const imp_fw *fw = w->fws[k];
        for (size_t i = 0; i < fw->ifaces.n; i++)
            if (fw->ifaces.v[i].kind == IMP_ADDR_STATIC)
                use(w, fw->ifaces.v[i].addr);
        for (size_t i = 0; i < fw->vips.n; i++)
            use(w, fw->vips.v[i].addr);
        for (size_t i = 0; i < fw->routes.n; i++)
            *imp_push(&w->soft) = fw->routes.v[i].to;
        for (size_t i = 0; i < fw->gateways.n; i++)
            if (fw->gateways.v[i].monitor)
                *imp_push(&w->soft) = (imp_prefix){fw->gateways.v[i].monitor, 32};
        for (size_t i = 0; i < fw->tunnels.n; i++)
            for (size_t a = 0; a < fw->tunnels.v[i].addrs.n; a++)
                use(w, fw->tunnels.v[i].addrs.v[a]);
        for (size_t i = 0; i < fw->peers.n; i++)
            for (size_t a = 0; a < fw->peers.v[i].allowed.n; a++)
                if (fw->peers.v[i].allowed.v[a].len > 0)
                    use(w, fw->peers.v[i].allowed.v[a]);
    }
}

/* pfSense's default gateway: gateways/defaultgw4, else the gateway marked
 * <defaultgw/>, else "automatic" (gwlb.inc: the first usable gateway): the
 * first gateway on a WAN interface. */
static void choose_default(w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    bool ok = false;
    if (fw->default_gw[0]) {
        ok = imp_fw_gateway(fw, fw->default_gw) != NULL;
        for (size_t g = 0; !ok && g < fw->groups.n; g++)
            ok = !strcmp(fw->groups.v[g].name, fw->default_gw);
    }
    if (ok) {
        imp_copy(w->default_gw[k], IMP_NAME, fw->default_gw);
        return;
    }
    for (size_t g = 0; g < fw->gateways.n && !w->default_gw[k][0]; g++) {
        const imp_iface *f = imp_fw_iface(fw, fw->gateways.v[g].iface);
        if (f && !f->wg && f->kind == IMP_ADDR_STATIC)
            imp_copy(w->default_gw[k], IMP_NAME, fw->gateways.v[g].name);
    }
    w->default_chosen[k] = w->default_gw[k][0] != 0;
}

static const imp_gateway *default_gateway(const w_world *w, size_t k)
{
    const imp_fw *fw = w->fws[k];
    const imp_gateway *g = imp_fw_gateway(fw, w->default_gw[k]);
    for (size_t i = 0; !g && i < fw->groups.n; i++)
        if (!strcmp(fw->groups.v[i].name, w->default_gw[k])) {
            int best = 99;
            for (size_t m = 0; m < fw->groups.v[i].members.n; m++)
                if (fw->groups.v[i].members.v[m].tier < best) {
                    best = fw->groups.v[i].members.v[m].tier;
                    g = imp_fw_gateway(fw, fw->groups.v[i].members.v[m].gateway);
                }
        }
    return g;
}

static void plan_isps(w_world *w)
{
    uint32_t next = 2;
    for (size_t k = 0; k < w->n; k++) {
        const imp_fw *fw = w->fws[k];
        for (size_t g = 0; g < fw->gateways.n; g++) {
            const imp_gateway *gw = &fw->gateways.v[g];
            const imp_iface *f = imp_fw_iface(fw, gw->iface);
            if (!f || f->wg || f->kind != IMP_ADDR_STATIC || !gw->addr || !imp_in_prefix(gw->addr, f->addr))
                continue;
            bool dup = false; /* the pair's second node has the same gateway */
            for (size_t i = 0; i < w->isps.n; i++)
                dup |= w->isps.v[i].gw->addr == gw->addr && !strcmp(w->isps.v[i].wan->name, f->name);
            if (dup)
                continue;
            w_isp *x = imp_push(&w->isps);
            char base[IMP_NAME];
            snprintf(base, sizeof base, "isp-%.50s", gw->name);
            take_name(w, x->node, sizeof x->node, base);
            x->gw = gw;
            x->fw = k;
            x->wan = f;
            x->core = (w->core.addr & imp_mask(w->core.len)) + next++;
            uint32_t mon = gw->monitor;
            if (mon && mon != gw->addr) {
                x->monitor_alias = true;
                x->monitor = imp_in_prefix(mon, f->addr) ? (imp_prefix){mon, f->addr.len} : (imp_prefix){mon, 32};
            }
        }
    }
}

static size_t site_for(w_world *w, uint32_t e, imp_errors *err, const char *file, int line)
{
    for (size_t i = 0; i < w->sites.n; i++)
        if (w->sites.v[i].net.len < 32 && imp_in_prefix(e, w->sites.v[i].net) && w->sites.v[i].router != e)
            return i;
    /* An endpoint inside a firewall network: the remote sits on that segment
     * (a neighbour on the ISP's network), routed by the ISP router there. */
    const imp_fw *fw = w->fws[0];
    for (size_t i = 0; i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (f->wg || f->kind != IMP_ADDR_STATIC || !imp_in_prefix(e, f->addr))
            continue;
        for (size_t s = 0; s < w->sites.n; s++)
            if (w->sites.v[s].on_fw && !strcmp(w->sites.v[s].segment, f->name))
                return s;
        uint32_t via = 0;
        for (size_t g = 0; g < w->isps.n; g++)
            if (!via && !strcmp(w->isps.v[g].wan->name, f->name))
                via = w->isps.v[g].gw->addr;
        if (!via)
            break;
        w_site *s = imp_push(&w->sites);
        imp_copy(s->segment, sizeof s->segment, f->name);
        s->net = f->addr;
        s->router = via;
        s->on_fw = true;
        return w->sites.n - 1;
    }
    for (int len = 24; len <= 30; len++) {
        imp_prefix p = {e & imp_mask(len), len};
        if (is_used(w, p))
            continue;
        uint32_t host = p.addr + 1 == e ? p.addr + 2 : p.addr + 1;
        use(w, p);
        w_site *s = imp_push(&w->sites);
        s->net = p;
        s->router = host;
        char base[IMP_NAME], ab[16];
        snprintf(base, sizeof base, "site-%s", imp_addr_str(p.addr, ab));
        for (char *c = base; *c; c++)
            if (*c == '.')
                *c = '-';
        take_name(w, s->segment, sizeof s->segment, base);
        return w->sites.n - 1;
    }
    imp_error(err, file, line, "peer endpoint %s lies in a network the configuration uses: no site can be built "
              "for it", imp_addr_str(e, (char[16]){0}));
    return (size_t)-1;
}

static bool same_peer(const imp_wg_peer *a, const imp_wg_peer *b)
{
    if (strcmp(a->tunnel, b->tunnel))
        return false;
    if (a->has_pub && b->has_pub)
        return !memcmp(a->pub_hash, b->pub_hash, 16);
    return !strcmp(a->descr, b->descr) && a->endpoint == b->endpoint;
}

static const imp_wg_tunnel *tunnel_of(const imp_fw *fw, const char *name)
{
    for (size_t i = 0; i < fw->tunnels.n; i++)
        if (!strcmp(fw->tunnels.v[i].name, name))
            return &fw->tunnels.v[i];
    return NULL;
}

static bool plan_remotes(w_world *w, imp_errors *err)
{
    size_t roaming = (size_t)-1;
    uint32_t next_roam = 10;
    for (size_t k = 0; k < w->n; k++) {
        const imp_fw *fw = w->fws[k];
        for (size_t i = 0; i < fw->peers.n; i++) {
            const imp_wg_peer *p = &fw->peers.v[i];
            const imp_wg_tunnel *t = tunnel_of(fw, p->tunnel);
            if (!t)
                continue; /* a peer of a disabled or missing tunnel */
            bool known = false;
            for (size_t r = 0; r < w->remotes.n; r++) /* one remote per peer, and per endpoint of a tunnel: a
                                                        * pair whose peer keys differ has one host there */
                known |= same_peer(w->remotes.v[r].peer, p) ||
                         (p->has_endpoint && w->remotes.v[r].peer->has_endpoint &&
                          w->remotes.v[r].peer->endpoint == p->endpoint && !strcmp(w->remotes.v[r].tun->name, t->name));
            if (known)
                continue;
            w_remote *x = imp_push(&w->remotes);
            x->peer = p;
            x->tun = t;
            x->fw = k;
            char base[IMP_NAME];
            snprintf(base, sizeof base, "remote-%.50s", p->descr[0] ? p->descr : t->name);
            take_name(w, x->node, sizeof x->node, base);
            imp_copy(x->peer_name, sizeof x->peer_name, x->node);
            int tlen = 0;
            uint32_t ta = w_tunnel_addr(fw, t, &tlen);
            x->fw_tunnel = ta;
            for (size_t a = 0; a < p->allowed.n; a++) {
                imp_prefix ap = p->allowed.v[a];
                /* a /32 inside the tunnel's network is the remote's tunnel address,
                 * unless no host can hold it (the network's own or broadcast
                 * address: fuzz/regress/import/network-address-in-generated-scenario) */
                if (!x->has_wg && ta && ap.len == 32 && imp_in_prefix(ap.addr, (imp_prefix){ta, tlen}) &&
                    ap.addr != ta && imp_host_address((imp_prefix){ap.addr, tlen})) {
                    x->has_wg = true;
                    x->wg = (imp_prefix){ap.addr, tlen};
                } else if (!x->has_lan && ap.len >= 8 && ap.len <= 30 &&
                           !(ta && imp_in_prefix(ta, ap))) {
                    x->has_lan = true;
                    x->lan = (imp_prefix){(ap.addr & imp_mask(ap.len)) + 1, ap.len};
                }
            }
            if (!x->has_wg && x->has_lan) { /* site-to-site without tunnel addresses: its LAN address */
                x->has_wg = true;
                x->wg = (imp_prefix){x->lan.addr, 32};
            }
            if (x->has_lan) {
                snprintf(base, sizeof base, "lan-%.50s", x->node);
                take_name(w, x->lan_segment, sizeof x->lan_segment, base);
            }
            if (p->has_endpoint) {
                x->site = site_for(w, p->endpoint, err, fw->file, p->line);
                if (x->site == (size_t)-1)
                    return false;
                x->addr = p->endpoint;
            } else {
                if (roaming == (size_t)-1) {
                    w_site *s = imp_push(&w->sites);
                    if (!choose_net(w, &s->net))
                        return false;
                    s->router = s->net.addr + 1;
                    take_name(w, s->segment, sizeof s->segment, "roaming");
                    roaming = w->sites.n - 1;
                }
                x->site = roaming;
                x->addr = w->sites.v[roaming].net.addr + next_roam++;
            }
        }
    }
    return true;
}

/* The interface the firewall sends to dst by: its most specific static
 * route, else the default gateway (a group: its best tier). */
const imp_iface *w_egress(const w_world *w, size_t k, uint32_t dst)
{
    const imp_fw *fw = w->fws[k];
    const char *via = w->default_gw[k];
    int best = -1;
    for (size_t r = 0; r < fw->routes.n; r++)
        if (imp_in_prefix(dst, fw->routes.v[r].to) && fw->routes.v[r].to.len > best) {
            best = fw->routes.v[r].to.len;
            via = fw->routes.v[r].gateway;
        }
    const imp_gateway *g = imp_fw_gateway(fw, via);
    for (size_t i = 0; !g && i < fw->groups.n; i++)
        if (!strcmp(fw->groups.v[i].name, via)) {
            int tier = 99;
            for (size_t mm = 0; mm < fw->groups.v[i].members.n; mm++)
                if (fw->groups.v[i].members.v[mm].tier < tier) {
                    tier = fw->groups.v[i].members.v[mm].tier;
                    g = imp_fw_gateway(fw, fw->groups.v[i].members.v[mm].gateway);
                }
        }
    const imp_iface *f = g ? imp_fw_iface(fw, g->iface) : NULL;
    return f && f->kind == IMP_ADDR_STATIC ? f : NULL;
}

uint32_t w_face(const imp_fw *fw, const imp_iface *f, bool *vip)
{
    *vip = false;
    for (size_t i = 0; i < fw->vips.n; i++)
        if (fw->vips.v[i].carp && !strcmp(fw->vips.v[i].iface, f->name)) {
            *vip = true;
            return fw->vips.v[i].addr.addr;
        }
    return f->addr.addr;
}

static void plan_public(w_world *w)
{
    const imp_gateway *g = w->n ? default_gateway(w, 0) : NULL;
    const imp_fw *fw = w->fws[0];
    const imp_iface *f = g ? imp_fw_iface(fw, g->iface) : NULL;
    for (size_t i = 0; !f && i < fw->ifaces.n; i++)
        if (fw->ifaces.v[i].wan && fw->ifaces.v[i].kind == IMP_ADDR_STATIC && !fw->ifaces.v[i].wg)
            f = &fw->ifaces.v[i];
    if (!f)
        return;
    imp_copy(w->public_iface, sizeof w->public_iface, f->name);
    w->public_addr = w_face(fw, f, &w->public_is_vip);
}

/* Each remote reaches the firewall by the interface the firewall routes it
 * by (a static route pins a site to a WAN: the site is configured with
 * that WAN's address), else the default gateway's interface. */
static void plan_remote_faces(w_world *w)
{
    for (size_t r = 0; r < w->remotes.n; r++) {
        w_remote *x = &w->remotes.v[r];
        const imp_iface *f = x->peer->has_endpoint ? w_egress(w, 0, x->addr) : NULL;
        if (f && f->wan && !f->wg) {
            imp_copy(x->pub_iface, sizeof x->pub_iface, f->name);
            x->pub_addr = w_face(w->fws[0], f, &x->pub_is_vip);
        } else {
            imp_copy(x->pub_iface, sizeof x->pub_iface, w->public_iface);
            x->pub_addr = w->public_addr;
            x->pub_is_vip = w->public_is_vip;
        }
    }
}

/* The pair's preferred node: the lower advskew of the first common vhid
 * (maintenance mode counts as 254: interface_carp_configure). */
static void plan_master(w_world *w)
{
    w->master = -1;
    if (w->n < 2)
        return;
    for (size_t i = 0; i < w->fws[0]->vips.n; i++) {
        const imp_vip *a = &w->fws[0]->vips.v[i];
        if (!a->carp)
            continue;
        for (size_t j = 0; j < w->fws[1]->vips.n; j++) {
            const imp_vip *b = &w->fws[1]->vips.v[j];
            if (!b->carp || b->vhid != a->vhid)
                continue;
            /* every common vhid: the first decides the master, any tie is noted */
            int sa = w->fws[0]->maintenance ? 254 : a->advskew, sb = w->fws[1]->maintenance ? 254 : b->advskew;
            int pref = (a->advbase < b->advbase || (a->advbase == b->advbase && sa <= sb)) ? 0 : 1;
            if (w->master < 0)
                w->master = pref;
            w->carp_split |= pref != w->master;
            w->carp_tie |= a->advbase == b->advbase && sa == sb;
        }
    }
}

/* The LAN host: on "lan" when the firewall has one (else the first
 * interface without a gateway that is not the pfsync link), at the
 * highest free host address (one no policy-routed rule takes, if any), its default route the LAN's CARP VIP (else
 * the first firewall's address). */
static void plan_lan_host(w_world *w)
{
    const imp_fw *fw = w->fws[0];
    const imp_iface *lan = imp_fw_iface(fw, "lan");
    if (lan && (lan->wan || lan->wg || lan->kind != IMP_ADDR_STATIC))
        lan = NULL;
    for (size_t i = 0; !lan && i < fw->ifaces.n; i++) {
        const imp_iface *f = &fw->ifaces.v[i];
        if (!f->wan && !f->wg && f->kind == IMP_ADDR_STATIC && strcmp(f->name, fw->pfsync_iface))
            lan = f;
    }
    if (!lan || lan->addr.len > 29)
        return;
    uint32_t net = lan->addr.addr & imp_mask(lan->addr.len), bcast = net | ~imp_mask(lan->addr.len);
    /* first an address no policy-routed rule takes (its pings would leave by
     * that rule's gateway, not the tunnels), then any */
    for (int any = 0; any < 2 && !w->lan_host_addr; any++)
        for (uint32_t a = bcast - 1; a > net && !w->lan_host_addr; a--) {
            if (!any && w_src_policy_routed(fw, lan->name, a))
                continue;
            bool taken = false;
            for (size_t k = 0; k < w->n; k++) {
                for (size_t i = 0; i < w->fws[k]->ifaces.n; i++)
                    taken |= w->fws[k]->ifaces.v[i].kind == IMP_ADDR_STATIC &&
                             w->fws[k]->ifaces.v[i].addr.addr == a;
                for (size_t i = 0; i < w->fws[k]->vips.n; i++)
                    taken |= w->fws[k]->vips.v[i].addr.addr == a;
            }
            if (!taken)
                w->lan_host_addr = a;
        }
    if (!w->lan_host_addr)
        return;
    imp_copy(w->lan_iface, sizeof w->lan_iface, lan->name);
    w->lan_len = lan->addr.len;
    w->lan_gw = lan->addr.addr;
    for (size_t i = 0; i < fw->vips.n; i++)
        if (fw->vips.v[i].carp && !strcmp(fw->vips.v[i].iface, lan->name)) {
            w->lan_gw = fw->vips.v[i].addr.addr;
            break;
        }
    char base[IMP_NAME];
    snprintf(base, sizeof base, "%.50s-host", lan->name);
    take_name(w, w->lan_host, sizeof w->lan_host, base);
}

bool w_plan(w_world *w, imp_fw **fws, size_t n, const imp_options *o, imp_errors *err)
{
    memset(w, 0, sizeof *w);
    w->fws = fws;
    w->n = n;
    w->o = o;
    collect_used(w);
    for (size_t k = 0; k < n; k++) {
        char base[IMP_NAME];
        imp_copy(base, sizeof base, fws[k]->hostname);
        take_name(w, w->node[k], sizeof w->node[k], base);
        for (size_t i = 0; i < fws[k]->ifaces.n; i++)
            if (!fws[k]->ifaces.v[i].wg && !name_taken(w, fws[k]->ifaces.v[i].name))
                *imp_push(&w->names) = imp_strdup(fws[k]->ifaces.v[i].name); /* segment names */
        choose_default(w, k);
    }
    if (!choose_net(w, &w->core)) {
        imp_error(err, fws[0]->file, 0, "no free network for the core segment in 100.64.0.0/10");
        return false;
    }
    w->internet_core = w->core.addr + 1;
    *imp_push(&w->names) = imp_strdup("core");
    *imp_push(&w->names) = imp_strdup("internet");
    plan_isps(w);
    plan_public(w);
    plan_master(w);
    plan_lan_host(w);
    if (!plan_remotes(w, err))
        return false;
    plan_remote_faces(w);
    return true;
}

void w_free(w_world *w)
{
    for (size_t i = 0; i < w->names.n; i++)
        free(w->names.v[i]);
    free(w->names.v);
    free(w->isps.v);
    free(w->sites.v);
    free(w->remotes.v);
    free(w->used.v);
    free(w->soft.v);
}
