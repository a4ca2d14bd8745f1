/*
 * fib.c — the forwarding table: connected, static, tunnel, CARP and
 * gateway routes, longest-prefix match, and the address a route gives
 * unbound sends.
 *
 * FreeBSD rules (../shared/reference/ha-model.md §4, tags PCB/RT/IF):
 *  - an unbound send takes the address of the route's interface address
 *    (in_pcbladdr uses the nexthop's ifa);
 *  - a gateway route's ifa is ifa_ifwithnet(gateway): the most specific
 *    matching prefix, a non-CARP address before a CARP one, a MASTER CARP
 *    address before a non-MASTER one (ifa_preferred);
 *  - connected routes belong to their non-CARP address.
 * FreeBSD fixes the ifa when the route is added; the model resolves it at
 * lookup time, which gives the same answer as long as addresses are not
 * changed under an existing route, and follows CARP state changes.
 */
#include "sim/net/net.h"
#include "sim/record/history.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *sim_route_origin_name(sim_route_origin o)
{
    switch (o) {
    case SIM_RT_CONNECTED: return "connected";
    case SIM_RT_STATIC: return "static";
    case SIM_RT_TUNNEL: return "tunnel";
    case SIM_RT_CARP: return "carp";
    case SIM_RT_GATEWAY: return "gateway";
    case SIM_RT_MONITOR: return "monitor";
    }
    return "unknown";
}

static uint32_t mask_of(uint8_t len) { return len ? ~UINT32_C(0) << (32 - len) : 0; }

static bool prefix_has(const wg_ip *net, uint8_t len, const wg_ip *ip)
{
    if (net->family != 4 || ip->family != 4)
        return false;
    uint32_t m = mask_of(len);
    return (wg_ip4_to_u32(net) & m) == (wg_ip4_to_u32(ip) & m);
}

static wg_prefix normalise(const wg_prefix *p)
{
    wg_prefix q = *p;
    q.ip = wg_ip4_from_u32(wg_ip4_to_u32(&p->ip) & mask_of(p->len));
    return q;
}

/* ifa_ifwithnet, optionally restricted to one interface. */
static const sim_addr *ifa_with_net(const sim_node *n, const wg_ip *ip, uint32_t only_if, sim_iface **ifp_out)
{
    const sim_addr *best = NULL;
    sim_iface *best_if = NULL;
    int best_rank = -1;
    /* Restricted to one interface (every packet routed out of a connected
     * route asks), go straight to it: ifindex is the position in ifs, and
     * a hub has as many interfaces as peers. */
    size_t from = 0, to = n->n_ifs;
    if (only_if) {
        from = only_if <= n->n_ifs ? only_if - 1 : 0;
        to = only_if <= n->n_ifs ? only_if : 0;
    }
    for (size_t i = from; i < to; i++) {
        sim_iface *ifp = n->ifs[i];
        for (size_t j = 0; j < ifp->n_addrs; j++) {
            const sim_addr *a = &ifp->addrs[j];
            if (!prefix_has(&a->ip, a->plen, ip))
                continue;
            int rank = sim_addr_rank(n, ifp, a);
            if (!best || a->plen > best->plen || (a->plen == best->plen && rank > best_rank)) {
                best = a;
                best_if = ifp;
                best_rank = rank;
            }
        }
    }
    if (ifp_out)
        *ifp_out = best_if;
    return best;
}

/* The address an interface uses for dst: one whose network holds dst,
 * else its best-ranked address (ifaof_ifpforaddr falls back to the first). */
static const sim_addr *iface_addr_for(const sim_node *n, sim_iface *ifp, const wg_ip *dst)
{
    const sim_addr *a = ifa_with_net(n, dst, ifp->ifindex, NULL);
    if (a)
        return a;
    const sim_addr *best = NULL;
    int best_rank = -1;
    for (size_t j = 0; j < ifp->n_addrs; j++) {
        int rank = sim_addr_rank(n, ifp, &ifp->addrs[j]);
        if (rank > best_rank) {
            best = &ifp->addrs[j];
            best_rank = rank;
        }
    }
    return best;
}

/* Fills out for route r and destination dst; false if the route cannot be
 * used (its gateway is on no connected network). */
static bool resolve(const sim_node *n, const sim_route *r, const wg_ip *dst, sim_route_result *out)
{
    memset(out, 0, sizeof *out);
    out->route = r;
    sim_iface *ifp = NULL;
    const sim_addr *a = NULL;
    if (r->gateway.family) {
        out->nexthop = r->gateway;
        if (r->ifindex) {
            ifp = sim_iface_at(n, r->ifindex);
            if (!ifp)
                return false;
            a = ifa_with_net(n, &r->gateway, r->ifindex, NULL);
            if (!a)
                a = iface_addr_for(n, ifp, dst);
        } else {
            a = ifa_with_net(n, &r->gateway, 0, &ifp);
            if (!a)
                return false;
        }
    } else {
        ifp = sim_iface_at(n, r->ifindex);
        if (!ifp)
            return false;
        out->nexthop = *dst;
        if (r->ifa.family) {
            const sim_addr *own = NULL;
            for (size_t j = 0; j < ifp->n_addrs; j++)
                if (wg_ip_eq(&ifp->addrs[j].ip, &r->ifa))
                    own = &ifp->addrs[j];
            a = own ? own : iface_addr_for(n, ifp, dst);
        } else {
            a = iface_addr_for(n, ifp, dst);
        }
    }
    out->ifindex = ifp->ifindex;
    if (a)
        out->src = a->ip;
    return true;
}

/* ---- lookup index ---- */

static size_t fib_hash(uint32_t key, uint8_t len, size_t cap)
{
    uint32_t v = (key ^ (uint32_t)len * 0x9e3779b9u) * 2654435761u;
    return (size_t)(v ^ (v >> 15)) & (cap - 1);
}

static void fib_insert(sim_node *n, size_t i)
{
    const sim_route *r = &n->routes[i];
    uint32_t key = wg_ip4_to_u32(&r->dst.ip);
    size_t h = fib_hash(key, r->dst.len, n->fib_cap);
    while (n->fib_ht[h].idx1)
        h = (h + 1) & (n->fib_cap - 1);
    n->fib_ht[h] = (struct sim_fib_slot){.key = key, .len = r->dst.len, .idx1 = (uint32_t)i + 1};
    n->fib_lens |= UINT64_C(1) << r->dst.len;
}

static void fib_rebuild(sim_node *n)
{
    size_t cap = 4; /* doubled below: a host has a handful of routes */
    while (cap < n->n_routes * 2 + 2)
        cap *= 2;
    free(n->fib_ht);
    n->fib_ht = calloc(cap, sizeof *n->fib_ht);
    if (!n->fib_ht)
        sim_oom("growing a routing table");
    n->fib_cap = cap;
    n->fib_lens = 0;
    for (size_t i = 0; i < n->n_routes; i++)
        fib_insert(n, i);
}

static void fib_added(sim_node *n)
{
    if (n->n_routes * 2 + 2 > n->fib_cap)
        fib_rebuild(n);
    else
        fib_insert(n, n->n_routes - 1);
}

/* The route for exactly (key, len), or NULL. */
static const sim_route *fib_get(const sim_node *n, uint32_t key, uint8_t len)
{
    if (!n->fib_ht)
        return NULL;
    size_t h = fib_hash(key, len, n->fib_cap);
    sim_touch(&n->fib_ht[h]);
    while (n->fib_ht[h].idx1) {
        if (n->fib_ht[h].key == key && n->fib_ht[h].len == len) {
            const sim_route *r = &n->routes[n->fib_ht[h].idx1 - 1];
            sim_touch(r); /* its first line: all a lookup reads (sim_route) */
            return r;
        }
        h = (h + 1) & (n->fib_cap - 1);
    }
    return NULL;
}

/* Longest prefix first; a route that cannot be used (or leaves by another
 * interface than `only_if`) lets a shorter one match. */
static bool lookup(const sim_node *n, const wg_ip *dst, uint32_t only_if, sim_route_result *out)
{
    if (dst->family != 4)
        return false;
    uint32_t d = wg_ip4_to_u32(dst);
    /* The lengths present, longest first (a host has two or three). */
    for (uint64_t lens = n->fib_lens; lens;) {
        int len = 63 - __builtin_clzll(lens);
        lens &= ~(UINT64_C(1) << len);
        const sim_route *r = fib_get(n, d & mask_of((uint8_t)len), (uint8_t)len);
        if (!r)
            continue;
        sim_route_result res;
        if (!resolve(n, r, dst, &res))
            continue;
        if (only_if && res.ifindex != only_if)
            continue;
        *out = res;
        return true;
    }
    return false;
}

bool sim_fib_lookup(const sim_node *n, const wg_ip *dst, sim_route_result *out) { return lookup(n, dst, 0, out); }

bool sim_fib_lookup_on(const sim_node *n, const wg_ip *dst, uint32_t ifindex, sim_route_result *out)
{
    sim_iface *ifp = sim_node_iface_by_index(n, ifindex);
    if (!ifp)
        return false;
    if (lookup(n, dst, ifindex, out))
        return true;
    /* No route out of that interface: Linux treats the destination as
     * on-link there and ARPs for it (wg-sourcing.md, wireguard-go). */
    memset(out, 0, sizeof *out);
    out->ifindex = ifindex;
    out->nexthop = *dst;
    const sim_addr *a = iface_addr_for(n, ifp, dst);
    if (a)
        out->src = a->ip;
    return true;
}

const sim_route *sim_node_route_find(const sim_node *n, const wg_prefix *dst)
{
    if (dst->ip.family != 4 || dst->len > 32)
        return NULL;
    wg_prefix p = normalise(dst);
    return fib_get(n, wg_ip4_to_u32(&p.ip), p.len);
}

/* Interned on the first packet that cites the route and kept: a packet's
 * source reason names the tag, and hashing and comparing it for every
 * packet cost 270 instructions a ping (docs/performance.md, "scale").
 * Not interned when the route is added, so that strings get their ids in
 * the order they always did. */
const char *sim_route_tag_interned(sim_node *n, const sim_route *r)
{
    if (!r->tag[0])
        return NULL;
    sim_route *own = &n->routes[r - n->routes];
    if (!own->tag_rec)
        own->tag_rec = sim_world_intern(n->w, own->tag);
    return own->tag_rec;
}

size_t sim_node_route_count(const sim_node *n) { return n->n_routes; }
const sim_route *sim_node_route_at(const sim_node *n, size_t i) { return i < n->n_routes ? &n->routes[i] : NULL; }

const char *sim_route_format(const sim_node *n, const sim_route *r, char *buf, size_t len)
{
    char d[WG_IP_STRLEN], g[WG_IP_STRLEN];
    wg_prefix_format(&r->dst, d);
    const sim_iface *ifp = r->ifindex ? sim_node_iface_by_index(n, r->ifindex) : NULL;
    if (!ifp && r->gateway.family)
        ifa_with_net(n, &r->gateway, 0, (sim_iface **)&ifp);
    if (r->gateway.family)
        snprintf(buf, len, "%s via %s dev %s (%s%s%s)", d, wg_ip_format(&r->gateway, g), ifp ? ifp->name : "?",
                 sim_route_origin_name(r->origin), r->tag[0] ? " " : "", r->tag);
    else
        snprintf(buf, len, "%s dev %s (%s%s%s)", d, ifp ? ifp->name : "?", sim_route_origin_name(r->origin),
                 r->tag[0] ? " " : "", r->tag);
    return buf;
}

static sim_err check(const sim_route *r)
{
    if (r->dst.ip.family != 4 || r->dst.len > 32)
        return SIM_EINVAL;
    if (!r->gateway.family && !r->ifindex)
        return SIM_EINVAL;
    if (r->gateway.family && r->gateway.family != 4)
        return SIM_EINVAL;
    return SIM_OK;
}

static void notify_routes_changed(sim_node *n);

/* A route is two cache lines and what a lookup reads is in the first
 * (sim.h); the table starts on a line boundary so that every route's
 * first line is one line. A host holds a handful of routes: four from
 * the start, doubled when full. */
_Static_assert(sizeof(sim_route) == 128, "a route is two cache lines");
_Static_assert(offsetof(sim_route, tag) + 1 <= 64 && offsetof(sim_route, origin) + sizeof(sim_route_origin) <= 64,
               "what a lookup and a source reason read is in a route's first line");
static void routes_grow(sim_node *n)
{
    if (n->n_routes < n->cap_routes)
        return;
    size_t cap = n->cap_routes ? n->cap_routes * 2 : 4;
    sim_route *t = aligned_alloc(64, cap * sizeof *t);
    if (!t)
        sim_oom("growing a routing table");
    if (n->n_routes)
        memcpy(t, n->routes, n->n_routes * sizeof *t);
    free(n->routes);
    n->routes = t;
    n->cap_routes = cap;
}

sim_err sim_route_add(sim_node *n, const sim_route *r)
{
    sim_err e = check(r);
    if (e)
        return e;
    if (sim_node_route_find(n, &r->dst))
        return SIM_EEXIST;
    routes_grow(n);
    sim_route *nr = &n->routes[n->n_routes++];
    *nr = *r;
    nr->dst = normalise(&r->dst);
    nr->tag[sizeof nr->tag - 1] = 0;
    nr->tag_rec = NULL;
    fib_added(n);
    sim_hist_log_route(n->w, n->id, &nr->dst, nr);
    char b[160];
    sim_event_log(n->w, SIM_EV_ROUTE, n, nr->ifindex, NULL, "%s route add %s", n->name,
                  sim_route_format(n, nr, b, sizeof b));
    notify_routes_changed(n);
    return SIM_OK;
}

sim_err sim_route_replace(sim_node *n, const sim_route *r)
{
    sim_err e = check(r);
    if (e)
        return e;
    wg_prefix p = normalise(&r->dst);
    for (size_t i = 0; i < n->n_routes; i++) {
        sim_route *old = &n->routes[i];
        if (old->dst.len == p.len && wg_ip_eq(&old->dst.ip, &p.ip)) {
            *old = *r;
            old->dst = p;
            old->tag[sizeof old->tag - 1] = 0;
            old->tag_rec = NULL;
            sim_hist_log_route(n->w, n->id, &old->dst, old);
            char b[160];
            sim_event_log(n->w, SIM_EV_ROUTE, n, old->ifindex, NULL, "%s route change %s", n->name,
                          sim_route_format(n, old, b, sizeof b));
            notify_routes_changed(n);
            return SIM_OK;
        }
    }
    return sim_route_add(n, r);
}

sim_err sim_route_del(sim_node *n, const wg_prefix *dst)
{
    wg_prefix p = normalise(dst);
    for (size_t i = 0; i < n->n_routes; i++) {
        sim_route *r = &n->routes[i];
        if (r->dst.len == p.len && wg_ip_eq(&r->dst.ip, &p.ip)) {
            char b[160];
            sim_event_log(n->w, SIM_EV_ROUTE, n, r->ifindex, NULL, "%s route del %s", n->name,
                          sim_route_format(n, r, b, sizeof b));
            sim_hist_log_route(n->w, n->id, &p, NULL);
            memmove(r, r + 1, (n->n_routes - i - 1) * sizeof *r);
            n->n_routes--;
            fib_rebuild(n);
            notify_routes_changed(n);
            return SIM_OK;
        }
    }
    return SIM_ENOENT;
}

/* Route changes reach the WireGuard devices (wireguard-go's route
 * listener, Linux's route cache) through the node's route listeners. */
static void notify_routes_changed(sim_node *n)
{
    for (size_t i = 0; i < n->n_rt_l; i++)
        n->rt_l[i].fn(n->rt_l[i].ctx, n);
}

void sim_node_add_route_listener(sim_node *n, void (*fn)(void *ctx, sim_node *n), void *ctx)
{
    VEC_GROW(n->rt_l, n->n_rt_l, n->cap_rt_l);
    n->rt_l[n->n_rt_l++] = (sim_rt_l){fn, ctx};
}
