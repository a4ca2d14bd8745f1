/*
 * prefetch.c — cache hints for the node a packet or timer is about to
 * visit (no effect on behaviour).
 *
 * In a large world a host's structures are out of cache every time one of
 * its events fires (its ping a second later, its reply a round trip
 * later), and the packet path reads them one pointer at a time: node ->
 * interface array -> interface -> address array, socket, WireGuard host
 * -> device -> peer -> keypair. Each is a memory access waited for in
 * turn. Walking the node first, one level at a time and issuing every
 * prefetch of a level before reading the next, makes the accesses of a
 * level overlap (docs/performance.md, "scale"). Nodes with many
 * interfaces (a hub) are not walked: which of their interfaces a packet
 * uses is not known here.
 */
#include "sim/net/net.h"

#define PREFETCH_MAX_IFS 4

static inline void range(const void *p, size_t len)
{
    const char *c = p;
    for (size_t off = 0; off < len; off += 64)
        __builtin_prefetch(c + off);
}

void sim_node_prefetch(const sim_node *n)
{
    range(n, 192); /* the hot lines (net.h) */
    if (n->n_ifs > PREFETCH_MAX_IFS || n->n_socks > PREFETCH_MAX_IFS || n->n_wgs > PREFETCH_MAX_IFS)
        return;
    range(n->ifs, n->n_ifs * sizeof *n->ifs);
    range(n->addr_ht, n->addr_ht_cap * sizeof *n->addr_ht);
    range(n->addr_filter, 64);
    range(n->routes, n->n_routes * sizeof *n->routes);
    range(n->fib_ht, n->fib_cap * sizeof *n->fib_ht);
    range(n->socks, n->n_socks * sizeof *n->socks);
    range(n->wgs, n->n_wgs * sizeof *n->wgs);
    for (size_t i = 0; i < n->n_ifs; i++)
        range(n->ifs[i], sizeof *n->ifs[i]);
    for (size_t i = 0; i < n->n_socks; i++)
        range(n->socks[i], sizeof *n->socks[i]);
    for (size_t i = 0; i < n->n_wgs; i++)
        sim_wg_prefetch_1(n->wgs[i]);
    for (size_t i = 0; i < n->n_ifs; i++) {
        const sim_iface *ifp = n->ifs[i];
        range(ifp->addrs, ifp->n_addrs * sizeof *ifp->addrs);
        range(ifp->arp_ht, ifp->arp_ht_cap * sizeof *ifp->arp_ht);
        range(ifp->arp, ifp->n_arp * sizeof *ifp->arp);
        for (size_t k = 0; k < ifp->n_arp && k < PREFETCH_MAX_IFS; k++)
            range(ifp->arp[k], sizeof *ifp->arp[k]);
    }
    for (size_t i = 0; i < n->n_wgs; i++)
        sim_wg_prefetch_2(n->wgs[i]);
}
