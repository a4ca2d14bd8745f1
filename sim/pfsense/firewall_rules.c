/*
 * firewall_rules.c — the ruleset pfSense generates for the firewall node
 * (filter.inc, ha-model.md §3): the CARP pass, the port forwards'
 * associated rules, the user rules with their gateways' route-to and the
 * gateway interfaces' reply-to, the self-traffic route-to rules and the
 * implicit passes without a filter. Rebuilt at boot and whenever the
 * configuration or a gateway's down status changes.
 */
#include "sim/pfsense/firewall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* rule generation (pfSense filter.inc, ha-model.md §3)               */
/* ------------------------------------------------------------------ */

/* The gateway of an interface (pfSense get_interface_gateway): the first
 * configured gateway on it. Plain static routes do not make an interface
 * a gateway interface, so a routing table without `gateways` is followed
 * as it is. */
static bool iface_gateway(const sim_fw *f, const char *ifname, uint32_t *gw)
{
    for (size_t i = 0; i < f->gws.n; i++)
        if (!strcmp(f->gws.g[i]->ifname, ifname)) {
            *gw = f->gws.g[i]->addr;
            return true;
        }
    return false;
}

void fw_build_rules(sim_fw *f)
{
    size_t nif = sim_node_iface_count(f->n);
    size_t naddr = 0;
    for (uint32_t i = 1; i <= nif; i++)
        naddr += sim_iface_addr_count(sim_node_iface_by_index(f->n, i));
    size_t cap = 3 + 2 * nif + naddr + f->n_user_rules + f->n_rdr;
    pf_filter_rule *r = calloc(cap, sizeof *r);
    if (!r)
        sim_oom("generating the firewall's rules");
    size_t k = 0;
    /* filter.inc filter_process_carp_rules: "pass quick proto carp no state"
     * (its "block in quick proto carp from (self)" is moot: a segment does
     * not loop a node's own adverts back). */
    r[k] = (pf_filter_rule){.action = PF_PASS, .dir = -1, .proto = CARP_PROTO, .no_state = true};
    r[k++].label = fw_lab(f, "pfSense: pass quick proto carp");
    /* Port forwards: pfSense's "associated filter rule" passes the
     * translated traffic (filter rules see the packet after rdr). */
    for (size_t i = 0; i < f->n_rdr; i++) {
        const pf_rdr_rule *d = &f->rdr[i];
        pf_filter_rule *x = &r[k++];
        *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_IN, .proto = d->proto, .dport = d->to_port, .group = d->group};
        snprintf(x->ifname, sizeof x->ifname, "%s", d->ifname);
        x->dst.kind = PF_ADDR_PREFIX;
        x->dst.addr = d->to_addr;
        x->dst.plen = 32;
        if (d->has_dst) {
            char b[WG_IP_STRLEN];
            wg_ip a = fw_ip4(d->dst_addr);
            x->label = fw_lab(f, "port forward %s %s:%u", d->ifname, wg_ip_format(&a, b), d->port);
        } else {
            x->label = fw_lab(f, "port forward %s:%u", d->ifname, d->port);
        }
        uint32_t gw;
        if (!f->opt.no_reply_to && iface_gateway(f, d->ifname, &gw)) {
            x->rt = PF_RT_REPLYTO;
            x->rt_addr = gw;
            snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", d->ifname);
        }
    }
    /* User rules, with reply-to added to pass-in rules on gateway
     * interfaces (FLT: unless the rule has its own gateway or reply-to is
     * disabled). Without a filter: an implicit pass in on every interface. */
    size_t nu = f->has_filter ? f->n_user_rules : 0;
    for (size_t i = 0; i < nu; i++) {
        pf_filter_rule *x = &r[k++];
        *x = f->user_rules[i];
        uint32_t gw;
        if (f->user_gw[i][0]) {
            /* A rule's gateway that is down: with "skip rules when gateway
             * is down" off (pfSense default) the rule stays, without its
             * route-to (ha-model.md §3, MISC/FLT); rebuilt on every status
             * change. Existing states keep their route. */
            gateway *g = gw_find(&f->gws, f->user_gw[i]);
            gateway *pool[PF_RT_POOL_MAX];
            size_t np = 0;
            if (!g) {
                /* A gateway group: the members of its best tier
                 * (return_gateway_groups_array) that the trigger keeps
                 * (filter_generate_gateways, gw_group_route_to); with more
                 * than one it writes `route-to { (if gw) ... } round-robin`
                 * (weights and sticky-address not modelled). */
                gw_group *grp = gw_group_find(&f->gws, f->user_gw[i]);
                np = grp ? gw_group_route_to(grp, f->gws.semantics, pool, PF_RT_POOL_MAX) : 0;
                g = np ? pool[0] : NULL;
            }
            /* A single gateway that is down loses its route-to, and so
             * does a group none of whose members the trigger keeps (only
             * possible when all are down, Plan B): the rule stays and
             * follows the routing table. OPNsense maps every gateway to
             * its route-to whatever its status (Firewall/Plugin.php
             * setGateways; "skip rules when gateway is down" not
             * modelled). */
            bool single_keeps = g && (g->status != GW_DOWN || f->gws.semantics == GW_SEM_OPNSENSE);
            if (g && (np > 0 || single_keeps)) {
                x->rt = PF_RT_ROUTETO;
                x->rt_addr = g->addr;
                snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", g->ifname);
                if (np > 1) {
                    x->rt_n = (uint8_t)np;
                    for (size_t j = 0; j < np; j++) {
                        snprintf(x->rt_pool[j].ifname, sizeof x->rt_pool[j].ifname, "%s", pool[j]->ifname);
                        x->rt_pool[j].addr = pool[j]->addr;
                    }
                }
            }
        } else if (x->action == PF_PASS && x->dir == PF_IN && x->ifname[0] && !f->opt.no_reply_to &&
                   iface_gateway(f, x->ifname, &gw)) {
            x->rt = PF_RT_REPLYTO;
            x->rt_addr = gw;
            snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", x->ifname);
        }
    }
    /* Self traffic (FLT filter_rules_generate, ha-model.md §3 "Self
     * traffic"): per interface with a gateway, `pass out route-to (if gw)
     * from <primary> to !<primary's subnet>`, and the same from each other
     * address of the interface (IP alias or CARP VIP) to !<the primary's
     * subnet> when it lies in it, else to !<its own subnet>. These rules
     * are not `quick`: every quick rule (the CARP pass, port-forward and
     * user rules, all quick in pfSense) wins over them, and among the
     * non-quick ones they come after "pass out all" and win by pf's last
     * match. In a first-match list that is: after the user rules, before
     * the implicit default pass out. */
    if (!f->opt.no_auto_route_to)
        for (uint32_t i = 1; i <= nif; i++) {
            const char *ifn = fw_ifname_of(f, i);
            uint32_t gw;
            sim_iface *ifp = sim_node_iface_by_index(f->n, i);
            const sim_addr *pa = ifp ? sim_iface_primary_addr(ifp) : NULL;
            if (!pa || !iface_gateway(f, ifn, &gw))
                continue;
            for (size_t j = 0; j < sim_iface_addr_count(ifp); j++) {
                const sim_addr *a = sim_iface_addr_at(ifp, j);
                if (a->ip.family != 4)
                    continue;
                bool in_primary = fw_prefix_has(&pa->ip, pa->plen, fw_u32(&a->ip));
                const sim_addr *net = in_primary ? pa : a;
                pf_filter_rule *x = &r[k++];
                *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_OUT, .rt = PF_RT_ROUTETO, .rt_addr = gw};
                x->src = (pf_addr_match){.kind = PF_ADDR_PREFIX, .addr = fw_u32(&a->ip), .plen = 32};
                x->dst = (pf_addr_match){.kind = PF_ADDR_PREFIX, .addr = fw_u32(&net->ip), .plen = net->plen, .neg = true};
                snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", ifn);
                char b[WG_IP_STRLEN];
                x->label = fw_lab(f, "pfSense: let out anything from firewall host itself (%s)",
                         wg_ip_format(&a->ip, b));
            }
        }
    if (!f->has_filter) {
        /* pass in on each gateway interface with reply-to, then pass in on
         * any interface, including ones created later (WireGuard). */
        for (uint32_t i = 1; i <= nif && !f->opt.no_reply_to; i++) {
            const char *ifn = fw_ifname_of(f, i);
            uint32_t gw;
            if (!iface_gateway(f, ifn, &gw))
                continue;
            pf_filter_rule *x = &r[k++];
            *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_IN, .rt = PF_RT_REPLYTO, .rt_addr = gw};
            snprintf(x->ifname, sizeof x->ifname, "%s", ifn);
            snprintf(x->rt_ifname, sizeof x->rt_ifname, "%s", ifn);
            x->label = fw_lab(f, "pass in on %s (no filter configured)", ifn);
        }
        pf_filter_rule *x = &r[k++];
        *x = (pf_filter_rule){.action = PF_PASS, .dir = PF_IN};
        x->label = fw_lab(f, "pass in (no filter configured)");
    }
    pf_set_rules(&f->pf, r, k);
    free(r);
}
