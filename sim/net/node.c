/*
 * node.c — nodes and their interfaces and addresses: creation, link and
 * power state, the plug-in points (hooks, protocol handlers, listeners,
 * CARP's L2 ops) and per-node drop counters.
 */
#include "sim/net/net.h"
#include "sim/record/history.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const sim_mac sim_mac_broadcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

const char *sim_mac_format(const sim_mac *m, char buf[SIM_MAC_STRLEN])
{
    snprintf(buf, SIM_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", m->b[0], m->b[1], m->b[2], m->b[3],
             m->b[4], m->b[5]);
    return buf;
}

bool sim_mac_eq(const sim_mac *a, const sim_mac *b) { return memcmp(a->b, b->b, 6) == 0; }

/* A locally administered unicast MAC that depends only on the names, so
 * adding a node elsewhere in the topology does not change it. */
void sim_mac_for(const char *node, const char *ifname, sim_mac *out)
{
    char in[300];
    int k = snprintf(in, sizeof in, "wgsim-mac%s/%s", node, ifname);
    if (k < 0 || (size_t)k >= sizeof in)
        k = (int)sizeof in - 1;
    uint8_t h[32];
    wg_blake2s(h, sizeof h, (const uint8_t *)in, (size_t)k, NULL, 0);
    memcpy(out->b, h, 6);
    out->b[0] = (uint8_t)((out->b[0] & 0xfc) | 0x02);
}

const char *sim_node_kind_name(sim_node_kind k)
{
    switch (k) {
    case SIM_NODE_HOST: return "host";
    case SIM_NODE_ROUTER: return "router";
    case SIM_NODE_FIREWALL: return "firewall";
    }
    return "unknown";
}

sim_node *sim_node_new(sim_world *w, const char *name, sim_node_kind kind, wg_platform platform)
{
    if (!name || !*name || sim_world_node(w, name))
        return NULL;
    sim_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->w = w;
    n->id = (int)w->n_nodes;
    n->name = strdup(name);
    if (!n->name || !sim_names_put(&w->node_names, n->name, n)) {
        free(n->name);
        free(n);
        return NULL;
    }
    n->kind = kind;
    n->platform = platform;
    n->forwarding = kind != SIM_NODE_HOST;
    n->powered = true;
    char rname[300];
    snprintf(rname, sizeof rname, "node:%s", name);
    sim_rng_init(&n->rng, w->seed, rname);
    /* FreeBSD's first IP id is arbitrary (ip_id randomisation is off by
     * default, but the counter starts anywhere): drawn from the node stream. */
    n->ip_id = (uint16_t)sim_rng_below(&n->rng, 65536);
    VEC_GROW(w->nodes, w->n_nodes, w->cap_nodes);
    w->nodes[w->n_nodes++] = n;
    return n;
}

void sim_node_free(sim_node *n)
{
    sim_ipv4_reass_flush(n);
    for (size_t i = 0; i < n->n_wgs; i++)
        sim_wg_free(n->wgs[i]);
    free(n->wgs);
    sim_udp_close_all(n);
    free(n->socks);
    for (size_t i = 0; i < n->n_ifs; i++) {
        sim_iface *ifp = n->ifs[i];
        sim_arp_clear_iface(ifp);
        free(ifp->arp);
        free(ifp->arp_ht);
        free(ifp->addrs);
        if (ifp->txq.ends != ifp->txq.inl)
            free(ifp->txq.ends);
        free(ifp->caps);
        free(ifp->name);
        free(ifp->warm);
        free(ifp);
    }
    free(n->ifs);
    sim_names_free(&n->if_names);
    free(n->addr_ht);
    free(n->addr_filter);
    free(n->routes);
    free(n->fib_ht);
    for (int i = 0; i < SIM_HOOK__COUNT; i++)
        free(n->hooks[i]);
    free(n->power_l);
    free(n->link_l);
    free(n->icmp_l);
    free(n->rt_l);
    free(n->proto);
    free(n->name);
    free(n);
}

const char *sim_node_name(const sim_node *n) { return n->name; }
int sim_node_id(const sim_node *n) { return n->id; }
sim_world *sim_node_world(const sim_node *n) { return n->w; }
sim_node_kind sim_node_kind_of(const sim_node *n) { return n->kind; }
wg_platform sim_node_platform(const sim_node *n) { return n->platform; }
sim_rng *sim_node_rng(sim_node *n) { return &n->rng; }
void sim_node_set_forwarding(sim_node *n, bool on) { n->forwarding = on; }
bool sim_node_forwarding(const sim_node *n) { return n->forwarding; }
bool sim_node_powered(const sim_node *n) { return n->powered; }
void sim_node_set_user(sim_node *n, void *user) { n->user = user; }
void *sim_node_user(const sim_node *n) { return n->user; }
uint64_t sim_node_drops(const sim_node *n, sim_drop_reason r)
{
    return (unsigned)r < SIM_DROP__COUNT ? n->drops[r] : 0;
}

void sim_node_set_power(sim_node *n, bool on)
{
    if (n->powered == on)
        return;
    n->powered = on;
    /* A powered-off machine forgets its neighbours; packets waiting for
     * ARP and fragments waiting for the rest of their datagram die with it. */
    sim_arp_flush(n);
    sim_ipv4_reass_flush(n);
    sim_ev_state st = {.kind = SIM_EVS_POWER, .from = !on, .to = on};
    sim_event_log_state(n->w, SIM_EV_POWER, n, 0, NULL, &st, "%s powered %s", n->name, on ? "on" : "off");
    for (size_t i = 0; i < n->n_power_l; i++)
        n->power_l[i].fn(n->power_l[i].ctx, n, on);
}

void sim_node_add_power_listener(sim_node *n, sim_power_fn fn, void *ctx)
{
    VEC_GROW(n->power_l, n->n_power_l, n->cap_power_l);
    n->power_l[n->n_power_l++] = (sim_power_l){fn, ctx};
}

void sim_node_add_link_listener(sim_node *n, sim_link_fn fn, void *ctx)
{
    VEC_GROW(n->link_l, n->n_link_l, n->cap_link_l);
    n->link_l[n->n_link_l++] = (sim_link_l){fn, ctx};
}

void sim_node_add_icmp_listener(sim_node *n, sim_icmp_fn fn, void *ctx)
{
    VEC_GROW(n->icmp_l, n->n_icmp_l, n->cap_icmp_l);
    n->icmp_l[n->n_icmp_l++] = (sim_icmp_l){fn, ctx};
}

void sim_node_add_hook(sim_node *n, sim_hook_point pt, sim_hook_fn fn, void *ctx)
{
    if ((unsigned)pt >= SIM_HOOK__COUNT || !fn)
        return;
    VEC_GROW(n->hooks[pt], n->n_hooks[pt], n->cap_hooks[pt]);
    n->hooks[pt][n->n_hooks[pt]++] = (sim_hook){fn, ctx};
}

void sim_node_set_proto_handler(sim_node *n, uint8_t proto, sim_proto_fn fn, void *ctx)
{
    if (!n->proto) {
        n->proto = calloc(256, sizeof *n->proto);
        if (!n->proto)
            sim_oom("a node's protocol table"); /* as VEC_GROW: a model without its protocol cannot run */
    }
    n->proto[proto] = (sim_proto_handler){fn, ctx};
}

void sim_node_set_l2_ops(sim_node *n, const sim_l2_ops *ops)
{
    n->w->l2_gen++;
    if (ops) {
        n->l2 = *ops;
        n->has_l2 = true;
    } else {
        memset(&n->l2, 0, sizeof n->l2);
        n->has_l2 = false;
    }
}

static void drop_v(sim_node *n, uint32_t ifindex, sim_drop_reason r, const sim_drop_pkt *pkt, const char *rule,
                   const char *fmt, va_list ap)
{
    n->drops[r]++;
    if (!sim_events_wanted(n->w))
        return;
    sim_event_rec e = {0};
    e.t = sim_now(n->w->eng);
    e.kind = SIM_EV_DROP;
    e.node = n->id;
    e.ifindex = ifindex;
    e.segment = -1;
    e.drop = r;
    e.model = "drop";
    e.cause_origin = -1;
    if (pkt)
        e.pkt = *pkt;
    e.rule = rule;
    char *detail = fmt ? sim_rec_vprintf(fmt, ap) : NULL;
    /* "filter: udp 192.0.2.10:51820 -> 198.51.100.2:51820 on wan: in hook: pf: default deny" */
    char what[160] = "";
    if (pkt)
        sim_drop_pkt_format(pkt, what, sizeof what);
    const sim_iface *ifp = ifindex ? sim_node_iface_by_index(n, ifindex) : NULL;
    char *text = sim_rec_printf("%s: %s%s%s%s%s", sim_drop_reason_name(r), what, ifp ? (what[0] ? " on " : "on ") : "",
                                ifp ? ifp->name : "", what[0] || ifp ? ": " : "", detail ? detail : "");
    e.text = text;
    sim_event_push(n->w, &e);
    free(text);
    free(detail);
}

void sim_node_drop(sim_node *n, uint32_t ifindex, sim_drop_reason r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    drop_v(n, ifindex, r, NULL, NULL, fmt, ap);
    va_end(ap);
}

/* A drop whose packet `parse` can describe. */
static void drop_pkt_v(sim_node *n, uint32_t ifindex, sim_drop_reason r,
                       void (*parse)(const uint8_t *, size_t, sim_drop_pkt *), const uint8_t *data, size_t len,
                       const char *rule, const char *fmt, va_list ap)
{
    sim_drop_pkt d = {0};
    if (sim_events_wanted(n->w))
        parse(data, len, &d);
    drop_v(n, ifindex, r, &d, rule, fmt, ap);
}

void sim_node_drop_ip(sim_node *n, uint32_t ifindex, sim_drop_reason r, const uint8_t *pkt, size_t len,
                      const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    drop_pkt_v(n, ifindex, r, sim_drop_pkt_from_ip, pkt, len, rule, fmt, ap);
    va_end(ap);
}

void sim_node_drop_frame(sim_node *n, uint32_t ifindex, sim_drop_reason r, const uint8_t *frame, size_t len,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    drop_pkt_v(n, ifindex, r, sim_drop_pkt_from_frame, frame, len, NULL, fmt, ap);
    va_end(ap);
}

/* ---- interfaces ---- */

sim_iface *sim_iface_new(sim_node *n, const char *name, sim_segment *seg)
{
    if (!name || !*name || sim_node_iface(n, name))
        return NULL;
    sim_iface *ifp = calloc(1, sizeof *ifp);
    if (!ifp)
        return NULL;
    ifp->node = n;
    ifp->name = strdup(name);
    if (!ifp->name) {
        free(ifp);
        return NULL;
    }
    ifp->kind = SIM_IFACE_ETHERNET;
    ifp->link_up = true;
    sim_mac_for(n->name, name, &ifp->mac);
    if (!sim_names_put(&n->if_names, ifp->name, ifp)) {
        free(ifp->name);
        free(ifp);
        return NULL;
    }
    VEC_GROW(n->ifs, n->n_ifs, n->cap_ifs);
    n->ifs[n->n_ifs++] = ifp;
    ifp->ifindex = (uint32_t)n->n_ifs;
    if (seg)
        sim_iface_attach(ifp, seg);
    return ifp;
}

sim_iface *sim_node_iface(const sim_node *n, const char *name) { return sim_names_get(&n->if_names, name); }

sim_iface *sim_node_iface_by_index(const sim_node *n, uint32_t ifindex) { return sim_iface_at(n, ifindex); }

size_t sim_node_iface_count(const sim_node *n) { return n->n_ifs; }
uint32_t sim_iface_index(const sim_iface *ifp) { return ifp->ifindex; }
const char *sim_iface_name(const sim_iface *ifp) { return ifp->name; }
sim_node *sim_iface_node(const sim_iface *ifp) { return ifp->node; }
sim_iface_kind sim_iface_kind_of(const sim_iface *ifp) { return ifp->kind; }
sim_segment *sim_iface_segment(const sim_iface *ifp) { return ifp->seg; }
sim_mac sim_iface_mac(const sim_iface *ifp) { return ifp->mac; }
bool sim_iface_link_up(const sim_iface *ifp) { return ifp->link_up; }

void sim_iface_attach(sim_iface *ifp, sim_segment *seg)
{
    if (ifp->kind != SIM_IFACE_ETHERNET || ifp->seg == seg)
        return;
    if (ifp->seg)
        sim_segment_detach(ifp->seg, ifp);
    ifp->seg = seg;
    if (seg)
        sim_segment_attach(seg, ifp);
}

uint32_t sim_iface_mtu(const sim_iface *ifp) { return sim_iface_mtu_inline(ifp); }

void sim_iface_set_mtu(sim_iface *ifp, uint32_t mtu) { ifp->mtu = mtu; }

void sim_iface_set_link(sim_iface *ifp, bool up)
{
    if (ifp->link_up == up)
        return;
    ifp->link_up = up;
    sim_node *n = ifp->node;
    sim_event_log(n->w, SIM_EV_LINK, n, ifp->ifindex, NULL, "%s/%s link %s", n->name, ifp->name,
                  up ? "up" : "down");
    for (size_t i = 0; i < n->n_link_l; i++)
        n->link_l[i].fn(n->link_l[i].ctx, ifp, up);
}

/* ---- addresses ---- */

static wg_prefix addr_prefix(const sim_addr *a)
{
    wg_prefix p = {.ip = a->ip, .len = a->plen};
    uint32_t v = wg_ip4_to_u32(&a->ip);
    uint32_t mask = a->plen ? ~UINT32_C(0) << (32 - a->plen) : 0;
    p.ip = wg_ip4_from_u32(v & mask);
    return p;
}

/* The address index (net.h, sim_node.addr_ht). A node's addresses are
 * unique (sim_iface_add_addr refuses a second one), so the index gives the
 * same answer as the walk in interface and address order it replaces; a
 * broadcast address may appear several times (two interfaces on one
 * subnet), which only the yes/no of sim_node_is_directed_broadcast reads.
 * It is derived data: rebuilt whole when it grows or an address goes (a
 * deletion shifts the positions of the interface's later addresses). */
static size_t addr_home(uint32_t ip, size_t cap)
{
    /* Fibonacci hashing: the top bits of the product mix every bit of the
     * address, so consecutive hosts of a subnet spread over the table. */
    return (size_t)((uint64_t)(ip * UINT32_C(0x9e3779b1)) * cap >> 32);
}

/* A filter in front of the index: one bit per pair of index slots (2 bits
 * per slot, so at most one in four is set), set for every address the
 * index holds. A clear bit answers "not mine" without touching the index:
 * most lookups that miss are for the remote end of a packet (is the
 * destination local? forwarding, replies), and on a hub with an address per
 * peer link the index is hundreds of KiB, a cache miss per probe, where
 * the filter is an eighth of that. Derived data like the index. */
static size_t addr_filter_bit(uint32_t ip, size_t cap)
{
    return (size_t)((uint64_t)(ip * UINT32_C(0x2c1b3c6d)) * (2 * cap) >> 32);
}

static bool addr_maybe(const sim_node *n, uint32_t ip)
{
    size_t b = addr_filter_bit(ip, n->addr_ht_cap);
    /* A hub's filter is a few KiB and a flow tests the same bit frame
     * after frame, for its own addresses and for the others it asks
     * about: a note like the slot's below (sim_touch). */
    sim_touch(&n->addr_filter[b / 64]);
    return n->addr_filter[b / 64] >> (b % 64) & 1;
}

static void addr_ht_put(sim_node *n, uint32_t ip, uint32_t ifindex, uint32_t pos)
{
    size_t b = addr_filter_bit(ip, n->addr_ht_cap);
    n->addr_filter[b / 64] |= UINT64_C(1) << (b % 64);
    size_t mask = n->addr_ht_cap - 1;
    size_t i = addr_home(ip, n->addr_ht_cap);
    while (n->addr_ht[i].ifpos1)
        i = (i + 1) & mask;
    n->addr_ht[i] = (struct sim_addr_slot){.ip = ip, .ifpos1 = ifindex, .pos = pos};
    n->addr_ht_n++;
}

/* The directed broadcast address of a, or 0 when it has none (prefix
 * length 31 and 32: RFC 3021 point-to-point and host addresses). */
static uint32_t addr_bcast(const sim_addr *a)
{
    if (a->plen >= 31)
        return 0;
    uint32_t mask = a->plen ? ~UINT32_C(0) << (32 - a->plen) : 0;
    return wg_ip4_to_u32(&a->ip) | ~mask;
}

/* Entries a needs: itself and its broadcast address. */
static size_t addr_entries(const sim_addr *a) { return addr_bcast(a) ? 2 : 1; }

static void addr_ht_put_addr(sim_node *n, const sim_iface *ifp, size_t pos)
{
    const sim_addr *a = &ifp->addrs[pos];
    addr_ht_put(n, wg_ip4_to_u32(&a->ip), ifp->ifindex, (uint32_t)pos);
    if (addr_bcast(a))
        addr_ht_put(n, addr_bcast(a), ifp->ifindex, SIM_ADDR_BCAST);
}

static void addr_ht_rebuild(sim_node *n, size_t need)
{
    size_t cap = n->addr_ht_cap ? n->addr_ht_cap : 4; /* doubled below as needed */
    while (need * 2 > cap) /* load at most 1/2: short probes, and misses are common (forwarded packets) */
        cap *= 2;
    size_t words = (2 * cap + 63) / 64;
    if (cap != n->addr_ht_cap) {
        free(n->addr_ht);
        free(n->addr_filter);
        n->addr_ht = malloc(cap * sizeof *n->addr_ht);
        n->addr_filter = malloc(words * sizeof *n->addr_filter);
        if (!n->addr_ht || !n->addr_filter)
            sim_oom("indexing a node's addresses");
        n->addr_ht_cap = cap;
    }
    memset(n->addr_ht, 0, cap * sizeof *n->addr_ht);
    memset(n->addr_filter, 0, words * sizeof *n->addr_filter);
    n->addr_ht_n = 0;
    for (size_t i = 0; i < n->n_ifs; i++)
        for (size_t j = 0; j < n->ifs[i]->n_addrs; j++)
            addr_ht_put_addr(n, n->ifs[i], j);
}

const sim_addr *sim_node_find_addr(const sim_node *n, const wg_ip *ip, sim_iface **ifp_out)
{
    if (ip->family != 4 || !n->addr_ht_n)
        return NULL; /* only IPv4 addresses are ever configured */
    uint32_t v = wg_ip4_to_u32(ip);
    if (!addr_maybe(n, v))
        return NULL;
    size_t mask = n->addr_ht_cap - 1;
    size_t home = addr_home(v, n->addr_ht_cap);
    sim_touch(&n->addr_ht[home]);
    for (size_t i = home; n->addr_ht[i].ifpos1; i = (i + 1) & mask) {
        if (n->addr_ht[i].ip != v || n->addr_ht[i].pos == SIM_ADDR_BCAST)
            continue;
        sim_iface *ifp = n->ifs[n->addr_ht[i].ifpos1 - 1];
        if (ifp_out)
            *ifp_out = ifp;
        /* The slot's interface is the one the frame came in on, or one
         * shared by every flow (wg0); its address array is the flow's own. */
        sim_touch(&ifp->addrs[n->addr_ht[i].pos]);
        return &ifp->addrs[n->addr_ht[i].pos];
    }
    return NULL;
}

bool sim_node_is_directed_broadcast(const sim_node *n, const wg_ip *ip)
{
    if (ip->family != 4 || !n->addr_ht_n)
        return false;
    uint32_t v = wg_ip4_to_u32(ip);
    if (!addr_maybe(n, v))
        return false;
    size_t mask = n->addr_ht_cap - 1;
    for (size_t i = addr_home(v, n->addr_ht_cap); n->addr_ht[i].ifpos1; i = (i + 1) & mask)
        if (n->addr_ht[i].ip == v && n->addr_ht[i].pos == SIM_ADDR_BCAST)
            return true;
    return false;
}

bool sim_node_is_local(const sim_node *n, const wg_ip *ip) { return sim_node_find_addr(n, ip, NULL) != NULL; }

int sim_addr_rank(const sim_node *n, sim_iface *ifp, const sim_addr *a)
{
    if (!a->is_carp)
        return 2;
    if (n->has_l2 && n->l2.addr_is_master && n->l2.addr_is_master(n->l2.ctx, ifp, a))
        return 1;
    return 0;
}

/* An address added or removed reaches the hosted WireGuard devices through
 * the node's route listeners (wg_host calls wg_device_routes_changed), as
 * wgnode.h asks: on Linux adding or deleting an address changes the local
 * table (fib_add_ifaddr / fib_del_ifaddr) and flushes the route cache
 * (rt_cache_flush), which is when a vanished learned source is noticed; a
 * CARP VIP owns no connected route here, so the route change alone would
 * never tell them. wireguard-go's route listener hears the same RTM_*ROUTE
 * messages of the local table. */
static void addr_changed(sim_node *n)
{
    for (size_t i = 0; i < n->n_rt_l; i++)
        n->rt_l[i].fn(n->rt_l[i].ctx, n);
}

sim_err sim_iface_add_addr(sim_iface *ifp, const wg_prefix *p, bool is_carp, uint8_t vhid, uint32_t flags)
{
    if (!p || p->ip.family != 4 || p->len > 32)
        return SIM_EINVAL;
    sim_node *n = ifp->node;
    if (sim_node_find_addr(n, &p->ip, NULL))
        return SIM_EEXIST;
    VEC_GROW(ifp->addrs, ifp->n_addrs, ifp->cap_addrs);
    sim_addr *a = &ifp->addrs[ifp->n_addrs++];
    *a = (sim_addr){.ip = p->ip, .plen = p->len, .is_carp = is_carp, .vhid = vhid, .flags = flags};
    if ((n->addr_ht_n + addr_entries(a)) * 2 > n->addr_ht_cap)
        addr_ht_rebuild(n, n->addr_ht_n + addr_entries(a)); /* includes a */
    else
        addr_ht_put_addr(n, ifp, ifp->n_addrs - 1);
    char b1[WG_IP_STRLEN];
    sim_event_log(n->w, SIM_EV_ADDR, n, ifp->ifindex, NULL, "%s/%s add %s/%u%s", n->name, ifp->name,
                  wg_ip_format(&p->ip, b1), p->len, is_carp ? " (carp)" : "");
    /* CARP addresses get no routes when configured (ha-model.md §4, INC);
     * others add their prefix unless a route for it exists (in_addprefix). */
    if (!is_carp && !(flags & SIM_ADDR_NOROUTE)) {
        sim_route r = {0};
        r.dst = addr_prefix(a);
        r.ifindex = ifp->ifindex;
        r.ifa = a->ip;
        r.origin = SIM_RT_CONNECTED;
        if (!sim_node_route_find(n, &r.dst))
            sim_route_add(n, &r);
    }
    /* FreeBSD arp_ifinit announces a new address with a gratuitous ARP. */
    if (!is_carp && !(flags & SIM_ADDR_NOGARP) && ifp->kind == SIM_IFACE_ETHERNET && ifp->seg)
        sim_arp_announce(ifp, &p->ip, NULL);
    addr_changed(n);
    return SIM_OK;
}

sim_err sim_iface_del_addr(sim_iface *ifp, const wg_ip *ip)
{
    sim_node *n = ifp->node;
    size_t i;
    for (i = 0; i < ifp->n_addrs; i++)
        if (wg_ip_eq(&ifp->addrs[i].ip, ip))
            break;
    if (i == ifp->n_addrs)
        return SIM_ENOENT;
    sim_addr gone = ifp->addrs[i];
    memmove(&ifp->addrs[i], &ifp->addrs[i + 1], (ifp->n_addrs - i - 1) * sizeof *ifp->addrs);
    ifp->n_addrs--;
    addr_ht_rebuild(n, n->addr_ht_n - addr_entries(&gone));
    char b1[WG_IP_STRLEN];
    sim_event_log(n->w, SIM_EV_ADDR, n, ifp->ifindex, NULL, "%s/%s del %s/%u%s", n->name, ifp->name,
                  wg_ip_format(&gone.ip, b1), gone.plen, gone.is_carp ? " (carp)" : "");
    /* in_scrubprefix: the prefix route moves to another address with the
     * same prefix, else it goes. */
    wg_prefix pre = addr_prefix(&gone);
    for (size_t k = 0; k < n->n_routes; k++) {
        sim_route *r = &n->routes[k];
        if (r->origin != SIM_RT_CONNECTED || !wg_ip_eq(&r->ifa, &gone.ip))
            continue;
        sim_iface *alt_if = NULL;
        const sim_addr *alt = NULL;
        for (size_t a = 0; a < n->n_ifs && !alt; a++)
            for (size_t b = 0; b < n->ifs[a]->n_addrs; b++) {
                const sim_addr *c = &n->ifs[a]->addrs[b];
                wg_prefix cp = addr_prefix(c);
                if (!c->is_carp && cp.len == pre.len && wg_ip_eq(&cp.ip, &pre.ip)) {
                    alt = c;
                    alt_if = n->ifs[a];
                    break;
                }
            }
        if (alt) {
            r->ifa = alt->ip;
            r->ifindex = alt_if->ifindex;
            sim_hist_log_route(n->w, n->id, &r->dst, r);
        } else {
            sim_route_del(n, &r->dst);
        }
        break;
    }
    addr_changed(n);
    return SIM_OK;
}

size_t sim_iface_addr_count(const sim_iface *ifp) { return ifp->n_addrs; }
const sim_addr *sim_iface_addr_at(const sim_iface *ifp, size_t i) { return i < ifp->n_addrs ? &ifp->addrs[i] : NULL; }

const sim_addr *sim_iface_primary_addr(const sim_iface *ifp)
{
    for (size_t i = 0; i < ifp->n_addrs; i++)
        if (!ifp->addrs[i].is_carp && ifp->addrs[i].ip.family == 4)
            return &ifp->addrs[i];
    return NULL;
}
