/*
 * lint_gateways.c — gateway monitors that do not test their gateway: two
 * gateways of one node probing one address (gateway-monitor-shared), a
 * monitor address that is the node's own (gateway-monitor-self), and one
 * on the network of another of its interfaces (gateway-monitor-other-network).
 */
#include "harness/lint_internal.h"

#include <stdio.h>

/* Whether ip is an address of node n (interface, alias or CARP VIP). */
static bool own_address(const hs_node *n, const wg_ip *ip)
{
    for (size_t i = 0; i < n->n_ifaces; i++) {
        const hs_iface *f = &n->ifaces[i];
        if (f->address.ip.family && wg_ip_eq(&f->address.ip, ip))
            return true;
        for (size_t k = 0; k < f->n_aliases; k++)
            if (wg_ip_eq(&f->aliases[k].ip, ip))
                return true;
    }
    for (size_t c = 0; c < n->n_carp; c++)
        if (n->carp[c].address.ip.family && wg_ip_eq(&n->carp[c].address.ip, ip))
            return true;
    return false;
}

/* The interface other than `not` whose network holds ip, or -1. */
static int other_network(const hs_node *n, int not, const wg_ip *ip)
{
    for (size_t i = 0; i < n->n_ifaces; i++)
        if ((int)i != not && n->ifaces[i].address.ip.family && wg_prefix_contains(&n->ifaces[i].address, ip))
            return (int)i;
    return -1;
}

void lint_gateways(const hs_scenario *s, hs_diag *d)
{
    char b[WG_IP_STRLEN];
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        const hs_node *n = &s->nodes[ni];
        for (size_t i = 0; i < n->n_gateways; i++) {
            const hs_gateway *g = &n->gateways[i];
            if (!g->monitor.family || !g->name)
                continue;
            /* dpinger probes the monitor through a host route via the
             * gateway (sim/pfsense/firewall_gateway.c fw_monitor_routes):
             * one address has one such route, so two gateways sharing it
             * probe through one of them. pfSense refuses it (src/etc/inc/gwlb.inc
             * validate_gateway: "monitor IP address ... already in use"). */
            for (size_t j = 0; j < i; j++) {
                const hs_gateway *o = &n->gateways[j];
                if (o->name && wg_ip_eq(&o->monitor, &g->monitor)) {
                    lint_warn(d, g->loc, "gateway-monitor-shared",
                              "gateway '%s' of '%s' monitors %s, as gateway '%s' (line %u) does: the probes of both "
                              "take one route, so one of them is not tested (pfSense refuses a monitor address "
                              "already in use)",
                              g->name, n->name, wg_ip_format(&g->monitor, b), o->name, o->loc.line);
                    break;
                }
            }
            int other;
            if (own_address(n, &g->monitor))
                lint_warn(d, g->loc, "gateway-monitor-self",
                          "gateway '%s' monitors %s, an address of '%s' itself: a probe to a local address is "
                          "delivered locally, so it never tests the gateway",
                          g->name, wg_ip_format(&g->monitor, b), n->name);
            /* pfSense adds the monitor's host route via the gateway
             * whatever network the address is on (gwlb.inc
             * setup_gateways_monitor, route_add_or_change): a /32 beats
             * the connected route, so the node reaches that neighbour
             * through the gateway from then on, and the probes test a
             * path that is not the gateway's. */
            else if ((other = other_network(n, g->iface, &g->monitor)) >= 0) {
                char p[WG_IP_STRLEN];
                lint_warn(d, g->loc, "gateway-monitor-other-network",
                          "gateway '%s' monitors %s, on the network of %s.%s (%s), not of its interface '%s': the "
                          "host route to the monitor via the gateway takes that address off %s (the node reaches it "
                          "through the gateway)",
                          g->name, wg_ip_format(&g->monitor, b), n->name, n->ifaces[other].name,
                          wg_prefix_format(&n->ifaces[other].address, p), n->ifaces[g->iface].name,
                          n->ifaces[other].name);
            }
        }
    }
}
