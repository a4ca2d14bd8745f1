/*
 * reason.c — why a packet has its source address: the distinct reasons the
 * run record keeps (each once, however many packets share it) and their
 * wording.
 *
 * A reason is built by the stack when it chooses the source (netinet/ipv4.c,
 * sim_ipv4_select), added to by pf when it translates or policy-routes the
 * packet (pfsense/firewall_pf.c), and carries the datagram a WireGuard peer's
 * learned local address came from (wg/wg_host.c). Nothing is formatted until
 * somebody shows it.
 */
#include "sim/record/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sim_src_kind_name(sim_src_kind k)
{
    switch (k) {
    case SIM_SRC_UNSET: return "unset";
    case SIM_SRC_EXPLICIT: return "explicit";
    case SIM_SRC_BOUND: return "bound";
    case SIM_SRC_ROUTE: return "route";
    case SIM_SRC_REFLECT: return "reflect";
    case SIM_SRC_FORWARDED: return "forwarded";
    case SIM_SRC_ARP: return "arp";
    }
    return "?";
}

/* ---- the table of distinct reasons ---- */

/* Field by field: the struct has padding, whose bytes copies need not keep. */
static uint32_t h_ip(uint32_t h, const wg_ip *ip)
{
    h = sim_rec_hash_bytes(h, &ip->family, 1);
    return ip->family ? sim_rec_hash_bytes(h, ip->b, ip->family == 4 ? 4 : 16) : h;
}

static uint32_t h_ep(uint32_t h, const wg_endpoint *e)
{
    h = h_ip(h, &e->ip);
    return sim_rec_hash_bytes(h, &e->port, sizeof e->port);
}

#define H(h, v) sim_rec_hash_bytes((h), &(v), sizeof(v))

static uint32_t reason_hash(const sim_src_reason *r)
{
    uint32_t h = 2166136261u;
    h = H(h, r->kind);
    h = H(h, r->wg);
    h = H(h, r->flags);
    h = H(h, r->path);
    h = H(h, r->route_origin);
    h = H(h, r->route_plen);
    h = H(h, r->node);
    h = H(h, r->ifindex);
    h = h_ip(h, &r->route_dst);
    h = h_ip(h, &r->route_gw);
    h = H(h, r->route_tag); /* interned: the pointer is the identity */
    h = H(h, r->nat_node);
    h = H(h, r->nat_rule);
    h = h_ep(h, &r->nat_from);
    h = h_ep(h, &r->nat_to);
    h = H(h, r->rt_node);
    h = H(h, r->rt_ifindex);
    h = h_ip(h, &r->rt_gw);
    h = H(h, r->rt_rule);
    if (r->flags & SIM_SRC_F_LEARNED) {
        h = H(h, r->learned.t);
        h = h_ep(h, &r->learned.from);
        h = h_ep(h, &r->learned.to);
        h = H(h, r->learned.ifindex);
    }
    return h;
}

static bool ip_eq(const wg_ip *a, const wg_ip *b) { return wg_ip_eq(a, b) || (!a->family && !b->family); }
static bool ep_eq(const wg_endpoint *a, const wg_endpoint *b) { return ip_eq(&a->ip, &b->ip) && a->port == b->port; }

static bool reason_eq(const sim_src_reason *a, const sim_src_reason *b)
{
    if (a->kind != b->kind || a->wg != b->wg || a->flags != b->flags || a->path != b->path ||
        a->route_origin != b->route_origin || a->route_plen != b->route_plen || a->node != b->node ||
        a->ifindex != b->ifindex || !ip_eq(&a->route_dst, &b->route_dst) || !ip_eq(&a->route_gw, &b->route_gw) ||
        a->route_tag != b->route_tag || a->nat_node != b->nat_node || a->nat_rule != b->nat_rule ||
        !ep_eq(&a->nat_from, &b->nat_from) || !ep_eq(&a->nat_to, &b->nat_to) || a->rt_node != b->rt_node ||
        a->rt_ifindex != b->rt_ifindex || !ip_eq(&a->rt_gw, &b->rt_gw) || a->rt_rule != b->rt_rule)
        return false;
    if (a->flags & SIM_SRC_F_LEARNED)
        return a->learned.t == b->learned.t && ep_eq(&a->learned.from, &b->learned.from) &&
               ep_eq(&a->learned.to, &b->learned.to) && a->learned.ifindex == b->learned.ifindex;
    return true;
}

static uint32_t reason_hash_of(const void *ctx, uint32_t idx)
{
    const sim_record *r = ctx;
    return reason_hash(r->reasons[idx]);
}

uint32_t sim_reason_intern(sim_world *w, const sim_src_reason *x)
{
    sim_record *r = &w->rec;
    sim_rec_ht_grow(&r->reason_ht, &r->reason_ht_cap, r->n_reasons, reason_hash_of, r);
    size_t mask = r->reason_ht_cap - 1, j = reason_hash(x) & mask;
    for (; r->reason_ht[j]; j = (j + 1) & mask)
        if (reason_eq(r->reasons[r->reason_ht[j] - 1], x))
            return r->reason_ht[j];
    VEC_GROW(r->reasons, r->n_reasons, r->cap_reasons);
    sim_src_reason *c = malloc(sizeof *c);
    if (!c)
        sim_oom("a source reason of the run record");
    *c = *x;
    if (!(c->flags & SIM_SRC_F_LEARNED))
        memset(&c->learned, 0, sizeof c->learned);
    r->reasons[r->n_reasons++] = c;
    r->reason_ht[j] = (uint32_t)r->n_reasons;
    return (uint32_t)r->n_reasons;
}

size_t sim_trace_reason_count(const sim_world *w) { return w->rec.n_reasons; }

void sim_rec_reasons_free(sim_record *r)
{
    for (size_t i = 0; i < r->n_reasons; i++)
        free(r->reasons[i]);
    free(r->reasons);
    free(r->reason_ht);
}

/* ---- wording ---- */

/* snprintf into a growing output that counts what did not fit. */
typedef struct out {
    char *buf;
    size_t len, n;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->n < o->len ? o->buf + o->n : NULL, o->n < o->len ? o->len - o->n : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->n += (size_t)k;
}

static const char *ifname(const sim_world *w, int node, uint32_t ifindex)
{
    const sim_node *n = node >= 0 ? sim_world_node_at(w, (size_t)node) : NULL;
    const sim_iface *ifp = n ? sim_node_iface_by_index(n, ifindex) : NULL;
    return ifp ? ifp->name : "?";
}

static void put_path(out *o, const sim_world *w, const sim_src_reason *r)
{
    char a[WG_IP_STRLEN], b[WG_IP_STRLEN];
    const char *dev = ifname(w, r->node, r->ifindex);
    switch ((sim_path_kind)r->path) {
    case SIM_PATH_ROUTE:
        put(o, "%s/%u", wg_ip_format(&r->route_dst, a), r->route_plen);
        if (r->route_gw.family)
            put(o, " via %s", wg_ip_format(&r->route_gw, b));
        put(o, " dev %s (%s%s%s)", dev, sim_route_origin_name((sim_route_origin)r->route_origin),
            r->route_tag ? " " : "", r->route_tag ? r->route_tag : "");
        break;
    case SIM_PATH_ONLINK: put(o, "on-link dev %s (forced interface, no route)", dev); break;
    case SIM_PATH_MULTICAST: put(o, "multicast dev %s", dev); break;
    case SIM_PATH_BROADCAST: put(o, "broadcast dev %s", dev); break;
    case SIM_PATH_LOOPBACK: put(o, "local address (loopback)"); break;
    case SIM_PATH_NONE: break;
    }
}

size_t sim_src_reason_format(const sim_world *w, const sim_src_reason *r, char *buf, size_t len)
{
    out o = {buf, len, 0};
    if (len)
        buf[0] = 0;
    bool has_path = r->path != SIM_PATH_NONE;
    if (r->kind == SIM_SRC_EXPLICIT && r->wg != WG_SRC_NONE) {
        put(&o, "explicit (%s)", wg_source_reason_name((wg_source_reason)r->wg));
        if (has_path) {
            put(&o, "; ");
            put_path(&o, w, r);
        }
    } else if (r->kind == SIM_SRC_ROUTE && r->wg != WG_SRC_NONE) {
        put(&o, "route (%s)", wg_source_reason_name((wg_source_reason)r->wg));
        if (has_path) {
            put(&o, ": ");
            put_path(&o, w, r);
        }
    } else {
        put(&o, "%s", sim_src_kind_name((sim_src_kind)r->kind));
        if (has_path) {
            put(&o, ": ");
            put_path(&o, w, r);
        }
    }
    char a[WG_IP_STRLEN + 8], b[WG_IP_STRLEN + 8];
    if (r->flags & SIM_SRC_F_LEARNED) {
        const sim_learned *l = &r->learned;
        put(&o, "; learned from %s", wg_endpoint_format(&l->from, a));
        put(&o, " -> %s at %lld.%06llds on %s", wg_endpoint_format(&l->to, b), (long long)(l->t / SIM_S),
            (long long)(l->t % SIM_S / SIM_US), ifname(w, r->node, l->ifindex));
    }
    if (r->flags & SIM_SRC_F_NAT) {
        put(&o, "; %s: %s", r->nat_rule ? r->nat_rule : "nat", wg_endpoint_format(&r->nat_from, a));
        put(&o, " -> %s", wg_endpoint_format(&r->nat_to, b));
        if (r->nat_node >= 0 && r->nat_node != r->node) {
            const sim_node *n = sim_world_node_at(w, (size_t)r->nat_node);
            put(&o, " on %s", n ? n->name : "?");
        }
    }
    if (r->flags & (SIM_SRC_F_REPLY_TO | SIM_SRC_F_ROUTE_TO)) {
        put(&o, "; %s %s %s", (r->flags & SIM_SRC_F_REPLY_TO) ? "reply-to" : "route-to",
            ifname(w, r->rt_node, r->rt_ifindex), wg_ip_format(&r->rt_gw, a));
        if (r->rt_rule)
            put(&o, " (%s)", r->rt_rule);
    }
    return o.n;
}

char *sim_src_reason_text(const sim_world *w, const sim_src_reason *r)
{
    size_t n = sim_src_reason_format(w, r, NULL, 0);
    char *s = malloc(n + 1);
    if (s)
        sim_src_reason_format(w, r, s, n + 1);
    return s;
}
