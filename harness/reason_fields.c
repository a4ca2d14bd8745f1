/*
 * reason_fields.c — a packet's source reason as named fields, for the
 * results model: JSON carries them as an object (issue 17: "JSON carries it
 * as fields, not text"), and a report can render each part on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

typedef struct fields {
    hs_field *v;
    size_t n;
} fields;

static void add(fields *f, const char *key, char *value_owned)
{
    if (!value_owned)
        return;
    hs_field *v = realloc(f->v, (f->n + 1) * sizeof *v);
    if (!v) {
        free(value_owned);
        return;
    }
    f->v = v;
    f->v[f->n++] = (hs_field){(char *)key, value_owned};
}

static char *ep(const wg_endpoint *e)
{
    char b[WG_IP_STRLEN + 8];
    return strdup(wg_endpoint_format(e, b));
}

static char *ip(const wg_ip *a)
{
    char b[WG_IP_STRLEN];
    return strdup(wg_ip_format(a, b));
}

static char *ifname(const hs_world *hw, int node, uint32_t ifindex)
{
    const sim_node *n = node >= 0 ? sim_world_node_at(hw->w, (size_t)node) : NULL;
    const sim_iface *ifp = n ? sim_node_iface_by_index(n, ifindex) : NULL;
    return strdup(ifp ? sim_iface_name(ifp) : "?");
}

static char *node_name(const hs_world *hw, int node)
{
    const sim_node *n = node >= 0 ? sim_world_node_at(hw->w, (size_t)node) : NULL;
    return n ? strdup(sim_node_name(n)) : NULL;
}

static const char *path_name(sim_path_kind k)
{
    switch (k) {
    case SIM_PATH_ROUTE: return "route";
    case SIM_PATH_ONLINK: return "on-link (forced interface, no route)";
    case SIM_PATH_MULTICAST: return "multicast";
    case SIM_PATH_BROADCAST: return "broadcast";
    case SIM_PATH_LOOPBACK: return "loopback";
    case SIM_PATH_NONE: break;
    }
    return NULL;
}

hs_field *hs_reason_fields(const hs_world *hw, const sim_src_reason *r, size_t *n_out)
{
    fields f = {0};
    *n_out = 0;
    if (!r)
        return NULL;
    add(&f, "kind", strdup(sim_src_kind_name((sim_src_kind)r->kind)));
    if (r->wg != WG_SRC_NONE)
        add(&f, "wireguard", strdup(wg_source_reason_name((wg_source_reason)r->wg)));
    add(&f, "node", node_name(hw, r->node));
    if (path_name((sim_path_kind)r->path))
        add(&f, "path", strdup(path_name((sim_path_kind)r->path)));
    if (r->path == SIM_PATH_ROUTE) {
        char d[WG_IP_STRLEN + 4];
        char a[WG_IP_STRLEN];
        snprintf(d, sizeof d, "%s/%u", wg_ip_format(&r->route_dst, a), r->route_plen);
        add(&f, "route", strdup(d));
        if (r->route_gw.family)
            add(&f, "via", ip(&r->route_gw));
        add(&f, "route-origin", strdup(sim_route_origin_name((sim_route_origin)r->route_origin)));
        if (r->route_tag)
            add(&f, "route-gateway", strdup(r->route_tag));
    }
    if (r->path != SIM_PATH_NONE && r->path != SIM_PATH_LOOPBACK)
        add(&f, "dev", ifname(hw, r->node, r->ifindex));
    if (r->flags & SIM_SRC_F_LEARNED) {
        add(&f, "learned-from", ep(&r->learned.from));
        add(&f, "learned-to", ep(&r->learned.to));
        add(&f, "learned-at", hs_strdup_printf("%.6f", (double)r->learned.t / 1e9));
        add(&f, "learned-on", ifname(hw, r->node, r->learned.ifindex));
    }
    if (r->flags & SIM_SRC_F_NAT) {
        add(&f, "nat-rule", r->nat_rule ? strdup(r->nat_rule) : NULL);
        add(&f, "nat-node", node_name(hw, r->nat_node));
        add(&f, "nat-from", ep(&r->nat_from));
        add(&f, "nat-to", ep(&r->nat_to));
    }
    if (r->flags & (SIM_SRC_F_REPLY_TO | SIM_SRC_F_ROUTE_TO)) {
        const char *k = (r->flags & SIM_SRC_F_REPLY_TO) ? "reply-to" : "route-to";
        add(&f, k, ifname(hw, r->rt_node, r->rt_ifindex));
        add(&f, (r->flags & SIM_SRC_F_REPLY_TO) ? "reply-to-gateway" : "route-to-gateway", ip(&r->rt_gw));
        if (r->rt_rule)
            add(&f, (r->flags & SIM_SRC_F_REPLY_TO) ? "reply-to-rule" : "route-to-rule", strdup(r->rt_rule));
        add(&f, (r->flags & SIM_SRC_F_REPLY_TO) ? "reply-to-node" : "route-to-node", node_name(hw, r->rt_node));
    }
    add(&f, "text", sim_src_reason_text(hw->w, r));
    *n_out = f.n;
    return f.v;
}

static char *time_s(sim_time t) { return hs_strdup_printf("%.6f", (double)t / 1e9); }

static const char *proto_name(uint8_t p)
{
    return p == SIM_IPPROTO_UDP ? "udp" : p == SIM_IPPROTO_ICMP ? "icmp" : "other";
}

hs_field *hs_pf_state_fields(const hs_world *hw, const sim_hist_pf_state *s, const char *what, size_t *n_out)
{
    fields f = {0};
    const sim_fw_state_info *i = &s->info;
    add(&f, "event", strdup(what));
    add(&f, "interface", strdup(i->ifname[0] ? i->ifname : "(floating)"));
    add(&f, "direction", strdup(i->outbound ? "out" : "in"));
    add(&f, "proto", strdup(proto_name(i->proto)));
    add(&f, "src", ep(&i->src));
    add(&f, "dst", ep(&i->dst));
    if (i->translated) {
        add(&f, "nat-src", ep(&i->nat_src));
        add(&f, "nat-dst", ep(&s->nat_dst));
    }
    if (s->rule)
        add(&f, "rule", strdup(s->rule));
    if (s->nat_rule)
        add(&f, "nat-rule", strdup(s->nat_rule));
    if (i->from_pfsync) {
        char *nn = node_name(hw, s->from_node);
        add(&f, "origin", hs_strdup_printf("pfsync from %s", nn ? nn : "?"));
        free(nn);
    } else {
        add(&f, "origin", strdup("created here"));
    }
    add(&f, "created", time_s(s->created));
    if (s->end_kind != SIM_PF_END_NONE) {
        add(&f, "end", time_s(s->end));
        add(&f, "ended", strdup(sim_pf_end_name(s->end_kind)));
    }
    *n_out = f.n;
    return f.v;
}

hs_field *hs_drop_fields(const hs_world *hw, const sim_event_rec *ev, size_t *n_out)
{
    fields f = {0};
    add(&f, "reason", strdup(sim_drop_reason_name(ev->drop)));
    char pkt[200];
    sim_drop_pkt_format(&ev->pkt, pkt, sizeof pkt);
    if (pkt[0])
        add(&f, "packet", strdup(pkt));
    if (ev->pkt.ethertype == 0x0800 && ev->pkt.src.family) {
        add(&f, "proto", ev->pkt.proto == SIM_IPPROTO_UDP || ev->pkt.proto == SIM_IPPROTO_ICMP
                             ? strdup(proto_name(ev->pkt.proto))
                             : hs_strdup_printf("%u", ev->pkt.proto));
        add(&f, "src", ip(&ev->pkt.src));
        add(&f, "dst", ip(&ev->pkt.dst));
        if (ev->pkt.fragment)
            /* IP id @ offset, + while more follow; a later fragment has no ports */
            add(&f, "fragment", hs_strdup_printf("%u@%u%s", ev->pkt.ip_id, ev->pkt.frag_off, ev->pkt.frag_mf ? "+" : ""));
        bool later = ev->pkt.fragment && ev->pkt.frag_off;
        if (!later && ev->pkt.proto == SIM_IPPROTO_UDP) {
            add(&f, "sport", hs_strdup_printf("%u", ev->pkt.sport));
            add(&f, "dport", hs_strdup_printf("%u", ev->pkt.dport));
        } else if (!later && ev->pkt.proto == SIM_IPPROTO_ICMP &&
                   (ev->pkt.icmp_type == SIM_ICMP_ECHO || ev->pkt.icmp_type == SIM_ICMP_ECHO_REPLY)) {
            /* an echo's id is its "port" for pf (pf_test_state_icmp) */
            add(&f, "icmp-id", hs_strdup_printf("%u", ev->pkt.sport));
        }
    }
    if (ev->ifindex)
        add(&f, "interface", ifname(hw, ev->node, ev->ifindex));
    if (ev->rule)
        add(&f, "rule", strdup(ev->rule));
    *n_out = f.n;
    return f.v;
}

void hs_fields_free(hs_field *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].value);
    free(v);
}
