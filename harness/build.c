/*
 * build.c — turns a loaded scenario into a simulated world: segments,
 * nodes, interfaces and addresses, static routes, the firewall models
 * (CARP VIPs, gateways and groups, routes via gateways, pfsync pairs,
 * outbound NAT, filter rules), WireGuard devices and peers, and the
 * traffic generators.
 *
 * The order matters only where the models say so: firewall models are
 * configured, then started (sim_fw_start: CARP INIT -> BACKUP, generated
 * pf rules, gateway monitors), and only then do the WireGuard devices come
 * up, so that their first packets already meet pf (NAT rules included), as
 * on a booted pfSense where the filter is loaded before WireGuard starts.
 *
 * Everything here is a translation; no rule of any model lives in this file.
 * Features of the scenario language the simulator does not model are
 * refused with the file position, never silently ignored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

static bool fail(char *err, size_t errlen, const hs_scenario *s, hs_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool fail(char *err, size_t errlen, const hs_scenario *s, hs_loc loc, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (loc.line)
        snprintf(err, errlen, "%s:%u:%u: %s", s->file ? s->file : "?", loc.line, loc.col, msg);
    else
        snprintf(err, errlen, "%s: %s", s->file ? s->file : "?", msg);
    return false;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        sim_oom("building the scenario's world");
    }
    return p;
}

static sim_node_kind node_kind(hs_node_kind k)
{
    switch (k) {
    case HS_NODE_ROUTER: return SIM_NODE_ROUTER;
    case HS_NODE_FIREWALL: return SIM_NODE_FIREWALL;
    default: return SIM_NODE_HOST;
    }
}

static sim_fw_addr fw_addr_prefix(bool has, const wg_prefix *p)
{
    sim_fw_addr a = {.kind = SIM_FW_ANY};
    if (has) {
        a.kind = SIM_FW_PREFIX;
        a.prefix = *p;
    }
    return a;
}

static sim_nat_mapping nat_mapping(hs_nat_mapping m)
{
    switch (m) {
    case HS_NAT_MAP_ENDPOINT_INDEPENDENT: return SIM_NAT_MAP_ENDPOINT_INDEPENDENT;
    case HS_NAT_MAP_SYMMETRIC: return SIM_NAT_MAP_SYMMETRIC;
    case HS_NAT_MAP_PF: return SIM_NAT_MAP_PF;
    default: return SIM_NAT_MAP_DEFAULT; /* the simulator picks by node kind */
    }
}

static sim_gw_trigger gw_trigger(hs_gw_trigger t)
{
    switch (t) {
    case HS_TRIGGER_LOSS: return SIM_GW_TRIGGER_LOSS;
    case HS_TRIGGER_LATENCY: return SIM_GW_TRIGGER_LATENCY;
    case HS_TRIGGER_LOSS_OR_LATENCY: return SIM_GW_TRIGGER_LOSS_OR_LATENCY;
    default: return SIM_GW_TRIGGER_DOWN;
    }
}

/* Does this node need the firewall models? Firewalls always (pf, CARP);
 * routers only for NAT (a home router / CGNAT box). */
/* The label pf shows for a rule in traces, source reasons and drops ("nat
 * rule at FILE:LINE"): the file as the user named it, whole, so that the
 * line leads back to the rule (the firewall keeps labels at any length). */
static char *rule_label(const char *what, const char *file, unsigned line)
{
    return hs_strdup_printf("%s at %s:%u", what, file ? file : "?", line);
}

/* The interface name a filter or NAT rule gives pf: an interface, a
 * WireGuard tunnel (created later; pf takes the name) or the group. */
static const char *rule_ifname(const hs_node *hn, int iface, const hs_rule_iface *on)
{
    if (on->group)
        return SIM_FW_WG_GROUP_NAME;
    if (on->wg >= 0)
        return hn->wg[on->wg].name;
    return iface >= 0 ? hn->ifaces[iface].name : NULL;
}

static bool needs_fw(const hs_node *n)
{
    return n->kind == HS_NODE_FIREWALL || n->n_nat_outbound || n->n_nat_forward;
}

static bool build_node_fw(hs_world *hw, size_t ni, char *err, size_t errlen)
{
    const hs_scenario *s = hw->s;
    const hs_node *hn = &s->nodes[ni];
    sim_fw *f = hw->fws[ni];

    for (size_t i = 0; i < hn->n_carp; i++) {
        const hs_carp *c = &hn->carp[i];
        sim_carp_vip v = {.ifname = hn->ifaces[c->iface].name,
                          .vhid = c->vhid,
                          .addr = c->address,
                          .advbase = c->advbase,
                          .advskew = c->advskew,
                          .password = c->password};
        sim_err e = sim_fw_add_carp_vip(f, &v);
        if (e != SIM_OK)
            return fail(err, errlen, s, c->loc, "carp: the simulator refused vhid %u on %s.%s (%s)", c->vhid,
                        hn->name, v.ifname, sim_err_name(e));
    }
    for (size_t i = 0; i < hn->n_gateways; i++) {
        const hs_gateway *g = &hn->gateways[i];
        sim_fw_gateway sg = {.name = g->name,
                             .ifname = hn->ifaces[g->iface].name,
                             .addr = g->address,
                             .monitor = g->monitor,
                             .probe_interval = g->interval,
                             .loss_interval = g->loss_interval,
                             .time_period = g->time_period,
                             .latency_low = g->latency_low,
                             .latency_high = g->latency_high,
                             .loss_low = g->loss_low,
                             .loss_high = g->loss_high};
        sim_err e = sim_fw_add_gateway(f, &sg);
        if (e != SIM_OK)
            return fail(err, errlen, s, g->loc, "gateway %s: refused by the simulator (%s)", g->name, sim_err_name(e));
    }
    for (size_t i = 0; i < hn->n_groups; i++) {
        const hs_gw_group *g = &hn->groups[i];
        sim_fw_group_member *m = xcalloc(g->n_members, sizeof *m);
        for (size_t k = 0; k < g->n_members; k++) {
            m[k].gateway = hn->gateways[g->members[k].gateway].name;
            m[k].tier = g->members[k].tier;
        }
        sim_err e = sim_fw_add_gateway_group(f, g->name, gw_trigger(g->trigger), m, g->n_members);
        free(m);
        if (e != SIM_OK)
            return fail(err, errlen, s, g->loc, "gateway group %s: refused by the simulator (%s)", g->name,
                        sim_err_name(e));
    }
    if (hn->n_nat_forward) {
        sim_fw_port_forward *r = xcalloc(hn->n_nat_forward, sizeof *r);
        for (size_t i = 0; i < hn->n_nat_forward; i++) {
            const hs_nat_forward *n = &hn->nat_forward[i];
            r[i] = (sim_fw_port_forward){.ifname = rule_ifname(hn, n->iface, &n->on),
                                         .proto = (uint8_t)n->protocol,
                                         .port = n->port,
                                         .to = n->to,
                                         .addr = n->has_address ? n->address : (wg_ip){0}};
        }
        sim_err e = sim_fw_set_port_forwards(f, r, hn->n_nat_forward);
        free(r);
        if (e != SIM_OK)
            return fail(err, errlen, s, hn->nat_forward[0].loc, "nat.forward: refused by the simulator (%s)",
                        sim_err_name(e));
    }
    if (hn->n_nat_outbound) {
        sim_fw_nat_rule *r = xcalloc(hn->n_nat_outbound, sizeof *r);
        char **labels = xcalloc(hn->n_nat_outbound, sizeof *labels);
        for (size_t i = 0; i < hn->n_nat_outbound; i++) {
            const hs_nat_rule *n = &hn->nat_outbound[i];
            labels[i] = rule_label("nat rule", s->file, n->loc.line);
            r[i] = (sim_fw_nat_rule){.ifname = rule_ifname(hn, n->iface, &n->on),
                                     .proto = (uint8_t)n->protocol,
                                     .dst = fw_addr_prefix(n->has_destination, &n->destination),
                                     .sport = n->source_port,
                                     .to_interface = n->translate_interface,
                                     .to_addr = n->translate,
                                     .static_port = n->static_port,
                                     .label = labels[i],
                                     .dport = n->destination_port,
                                     .mapping = nat_mapping(n->mapping),
                                     .udp_timeout = n->udp_timeout};
            if (n->source_self)
                r[i].src.kind = SIM_FW_SELF;
            else
                r[i].src = fw_addr_prefix(n->has_source, &n->source);
        }
        sim_err e = sim_fw_set_nat(f, r, hn->n_nat_outbound);
        free(r);
        for (size_t i = 0; i < hn->n_nat_outbound; i++)
            free(labels[i]);
        free(labels);
        if (e != SIM_OK)
            return fail(err, errlen, s, hn->nat_outbound[0].loc, "nat: refused by the simulator (%s)",
                        sim_err_name(e));
    }
    if (hn->has_filter) {
        sim_fw_rule *r = xcalloc(hn->n_filter, sizeof *r);
        char **labels = xcalloc(hn->n_filter, sizeof *labels);
        for (size_t i = 0; i < hn->n_filter; i++) {
            const hs_filter_rule *fr = &hn->filter[i];
            labels[i] = rule_label("filter rule", s->file, fr->loc.line);
            r[i] = (sim_fw_rule){.block = fr->action == HS_ACTION_BLOCK,
                                 .ifname = rule_ifname(hn, fr->iface, &fr->on),
                                 .dir = fr->direction == HS_DIR_IN    ? SIM_FW_DIR_IN
                                        : fr->direction == HS_DIR_OUT ? SIM_FW_DIR_OUT
                                                                      : SIM_FW_DIR_ANY,
                                 .proto = (uint8_t)fr->protocol,
                                 .src = fw_addr_prefix(fr->has_src, &fr->src),
                                 .dst = fw_addr_prefix(fr->has_dst, &fr->dst),
                                 .sport = fr->src_port,
                                 .dport = fr->dst_port,
                                 .gateway = fr->gateway,
                                 .label = labels[i]};
        }
        sim_err e = sim_fw_set_filter(f, r, hn->n_filter);
        free(r);
        for (size_t i = 0; i < hn->n_filter; i++)
            free(labels[i]);
        free(labels);
        if (e != SIM_OK)
            return fail(err, errlen, s, hn->n_filter ? hn->filter[0].loc : hn->loc, "filter: refused by the simulator (%s)",
                        sim_err_name(e));
    }
    return true;
}

static bool build_routes(hs_world *hw, size_t ni, char *err, size_t errlen)
{
    const hs_scenario *s = hw->s;
    const hs_node *hn = &s->nodes[ni];
    for (size_t i = 0; i < hn->n_routes; i++) {
        const hs_route *r = &hn->routes[i];
        sim_err e;
        if (r->via_kind == HS_VIA_ADDR) {
            sim_route sr = {.dst = r->to, .gateway = r->via_addr, .origin = SIM_RT_STATIC};
            e = sim_route_add(hw->nodes[ni], &sr);
        } else {
            const char *name = r->via_kind == HS_VIA_GATEWAY ? hn->gateways[r->via_index].name
                                                              : hn->groups[r->via_index].name;
            e = hw->fws[ni] ? sim_fw_route_via(hw->fws[ni], &r->to, name) : SIM_EINVAL;
        }
        if (e != SIM_OK)
            return fail(err, errlen, s, r->loc, "route: refused by the simulator (%s)", sim_err_name(e));
    }
    return true;
}

static bool build_wireguard(hs_world *hw, size_t ni, char *err, size_t errlen)
{
    const hs_scenario *s = hw->s;
    const hs_node *hn = &s->nodes[ni];
    hw->wgs[ni] = xcalloc(hn->n_wg, sizeof *hw->wgs[ni]);
    hw->peer_ids[ni] = xcalloc(hn->n_wg, sizeof *hw->peer_ids[ni]);
    for (size_t j = 0; j < hn->n_wg; j++) {
        const hs_wg *wg = &hn->wg[j];
        wg_device_config cfg = {.listen_port = wg->listen_port,
                                .platform = sim_node_platform(hw->nodes[ni]),
                                .options = wg->options,
                                .hs_queue = WG_HSQ_TIMED,
                                .handshake_cost = wg->handshake_cost,
                                .handshake_reject_cost = WG_HANDSHAKE_REJECT_COST_DEFAULT};
        memcpy(cfg.private_key, wg->private_key, WG_KEY_LEN);
        sim_wg *h = sim_wg_new(hw->nodes[ni], wg->name, &cfg, wg->has_address ? &wg->address : NULL);
        if (!h)
            return fail(err, errlen, s, wg->loc, "wireguard %s: the simulator could not create the device (port %u in use?)",
                        wg->name, wg->listen_port);
        hw->wgs[ni][j] = h;
        if (wg->mtu)
            sim_iface_set_mtu(sim_wg_iface(h), wg->mtu);
        /* Before the peers: the check at registration takes a BACKUP's
         * interface down before a persistent keepalive could leave. */
        if (wg->carp_depend_vhid &&
            sim_fw_wg_carp_depend(hw->fws[ni], h, wg->carp_depend_vhid, wg->carp_depend_delay) != SIM_OK)
            return fail(err, errlen, s, wg->carp_depend_loc, "wireguard %s: carp-depend-on refused by the simulator",
                        wg->name);
        hw->peer_ids[ni][j] = xcalloc(wg->n_peers, sizeof(int));
        for (size_t k = 0; k < wg->n_peers; k++) {
            const hs_wg_peer *p = &wg->peers[k];
            wg_peer_config pc = {.has_psk = p->has_psk,
                                 .has_endpoint = p->has_endpoint,
                                 .endpoint = p->endpoint,
                                 .persistent_keepalive = p->persistent_keepalive,
                                 .allowed_ips = p->allowed_ips,
                                 .n_allowed_ips = p->n_allowed_ips};
            memcpy(pc.public_key, p->public_key, WG_KEY_LEN);
            memcpy(pc.psk, p->psk, WG_KEY_LEN);
            int id = sim_wg_add_peer(h, &pc, true);
            if (id < 0)
                return fail(err, errlen, s, p->loc, "wireguard %s: the simulator refused this peer (duplicate key?)",
                            wg->name);
            hw->peer_ids[ni][j][k] = id;
        }
    }
    /* A firewall is a pfSense box: its WireGuard package runs the service
     * daemon that re-applies configured endpoints (sim_wg_service_start);
     * a host's or router's WireGuard has none. */
    if (hn->kind == HS_NODE_FIREWALL && hn->n_wg &&
        !sim_wg_service_start(hw->nodes[ni], hs_fw_wg_resolve_interval(&hn->fw)))
        return fail(err, errlen, s, hn->loc, "node %s: the WireGuard service could not be started", hn->name);
    return true;
}

static void ping_stop_cb(void *arg)
{
    sim_ping_stop(arg);
}

/* A flood's `of:` node: its WireGuard interface listening on the port the
 * flood goes to, else its first. */
static size_t flood_wg_of(const hs_node *n, uint16_t port)
{
    for (size_t j = 0; j < n->n_wg; j++)
        if (n->wg[j].listen_port == port)
            return j;
    return 0;
}

static bool build_flood(hs_world *hw, const hs_traffic *t)
{
    static const sim_flood_kind kinds[] = {[HS_FLOOD_REPLAY] = SIM_FLOOD_REPLAY, [HS_FLOOD_FRESH] = SIM_FLOOD_FRESH,
                                           [HS_FLOOD_GARBAGE] = SIM_FLOOD_GARBAGE};
    sim_flood_config fc = {.dst = t->flood.to,
                           .kind = kinds[t->flood.kind],
                           .rate = t->flood.rate,
                           .start = t->flood.start,
                           .stop = t->flood.stop};
    if (t->flood.of >= 0) {
        const hs_node *of = &hw->s->nodes[t->flood.of];
        size_t j = flood_wg_of(of, t->flood.to.port);
        memcpy(fc.responder, of->wg[j].public_key, WG_KEY_LEN);
        fc.replay_of = hw->wgs[t->flood.of][j];
    }
    return sim_flood_start(hw->nodes[t->flood.from], &fc) != NULL;
}

static bool build_traffic(hs_world *hw, char *err, size_t errlen)
{
    const hs_scenario *s = hw->s;
    hw->pings = xcalloc(s->n_traffic, sizeof *hw->pings);
    for (size_t i = 0; i < s->n_traffic; i++) {
        const hs_traffic *t = &s->traffic[i];
        if (t->kind == HS_TRAFFIC_FLOOD) {
            if (!build_flood(hw, t))
                return fail(err, errlen, s, t->loc, "traffic: the simulator refused this flood");
            continue;
        }
        if (t->kind != HS_TRAFFIC_PING)
            continue;
        sim_ping_config pc = {.dst = t->ping.to,
                              .start = t->ping.start,
                              .interval = t->ping.every,
                              .count = t->ping.count,
                              .size = t->ping.size,
                              .df = t->ping.df};
        sim_ping *p = sim_ping_start(hw->nodes[t->ping.from], &pc);
        if (!p)
            return fail(err, errlen, s, t->loc, "traffic: the simulator refused this ping");
        hw->pings[i] = p;
        if (t->ping.stop > 0 && t->ping.stop < s->duration)
            sim_schedule_at(sim_world_engine(hw->w), t->ping.stop, ping_stop_cb, p);
    }
    return true;
}

hs_world *hs_world_build(const hs_scenario *s, const hs_run_options *o, char *err, size_t errlen)
{
    hs_world *hw = xcalloc(1, sizeof *hw);
    hw->s = s;
    if (o)
        hw->opt = *o;
    sim_world_config wc = {.seed = hw->opt.has_seed ? hw->opt.seed : s->seed};
    if ((hw->opt.has_engine ? hw->opt.engine : s->engine) == HS_ENGINE_NS3) {
        hw->engine = sim_engine_ns3_new();
        if (!hw->engine) {
            fail(err, errlen, s, (hs_loc){0, 0}, "engine ns3: not in this build");
            free(hw);
            return NULL;
        }
        wc.engine = hw->engine;
    }
    hw->w = sim_world_new(&wc);
    if (!hw->w) {
        fail(err, errlen, s, (hs_loc){0, 0}, "the simulator could not create the world");
        hs_world_free(hw);
        return NULL;
    }
    for (int c = 0; c < SIM_HIST__COUNT; c++)
        if (o && (o->history_off & (1u << c)))
            sim_history_enable(hw->w, (sim_hist_class)c, false);
    hs_events_init(hw);
    /* The WireGuard key log grows with every handshake; only pcap output
     * (which streams it, reports/pcap.c) and record_all readers use it. */
    if (!hw->opt.capture && !hw->opt.record_all)
        sim_keylog_enable(hw->w, false);
    hw->segs = xcalloc(s->n_segments, sizeof *hw->segs);
    hw->nodes = xcalloc(s->n_nodes, sizeof *hw->nodes);
    hw->fws = xcalloc(s->n_nodes, sizeof *hw->fws);
    hw->wgs = xcalloc(s->n_nodes, sizeof *hw->wgs);
    hw->peer_ids = xcalloc(s->n_nodes, sizeof *hw->peer_ids);
    hw->exp = xcalloc(s->n_expects, sizeof *hw->exp);
    hs_record_select(hw); /* before the first frame: ARP and CARP start while building */

    bool ok = true;
    for (size_t i = 0; ok && i < s->n_segments; i++) {
        const hs_segment *g = &s->segments[i];
        double loss;
        hs_time jitter;
        hs_perturb_segment(&hw->opt.perturb, g, &loss, &jitter);
        sim_segment_config sc = {.delay = g->delay,
                                 .jitter = jitter,
                                 .loss = loss / 100.0,
                                 .bandwidth_bps = g->bandwidth,
                                 .queue_limit = g->queue,
                                 .mtu = g->mtu};
        hw->segs[i] = sim_segment_new(hw->w, g->name, &sc);
        if (!hw->segs[i])
            ok = fail(err, errlen, s, g->loc, "segment %s: refused by the simulator", g->name);
        else if (hw->opt.capture)
            sim_capture_segment(hw->segs[i]);
    }
    for (size_t i = 0; ok && i < s->n_nodes; i++) {
        const hs_node *hn = &s->nodes[i];
        wg_platform pf = hn->platform;
        if (hw->opt.has_platform && hn->platform == s->platform)
            pf = hw->opt.platform;
        hw->nodes[i] = sim_node_new(hw->w, hn->name, node_kind(hn->kind), pf);
        if (!hw->nodes[i]) {
            ok = fail(err, errlen, s, hn->loc, "node %s: refused by the simulator", hn->name);
            break;
        }
        for (size_t k = 0; ok && k < hn->n_ifaces; k++) {
            const hs_iface *f = &hn->ifaces[k];
            sim_iface *ifp = sim_iface_new(hw->nodes[i], f->name, hw->segs[f->segment]);
            if (!ifp) {
                ok = fail(err, errlen, s, f->loc, "interface %s.%s: refused by the simulator", hn->name, f->name);
                break;
            }
            sim_err e = sim_iface_add_addr(ifp, &f->address, false, 0, 0);
            if (e != SIM_OK)
                ok = fail(err, errlen, s, f->address_loc, "address: refused by the simulator (%s)", sim_err_name(e));
            for (size_t a = 0; ok && a < f->n_aliases; a++) {
                e = sim_iface_add_addr(ifp, &f->aliases[a], false, 0, 0);
                if (e != SIM_OK)
                    ok = fail(err, errlen, s, f->alias_locs[a], "alias: refused by the simulator (%s)",
                              sim_err_name(e));
            }
        }
        if (ok && needs_fw(hn)) {
            sim_fw_options fo = {.floating_states = hn->fw.floating_states,
                                 .no_auto_route_to = !hn->fw.auto_route_to,
                                 .no_reply_to = !hn->fw.reply_to,
                                 .no_carp_preempt = !hn->fw.carp_preempt,
                                 .no_scrub = !hn->fw.scrub,
                                 .wg_group = (sim_fw_wg_group)hn->fw.wg_group,
                                 .gateway_semantics = (sim_gw_semantics)hn->fw.gateway_semantics};
            hw->fws[i] = sim_fw_attach(hw->nodes[i], &fo);
            if (!hw->fws[i])
                ok = fail(err, errlen, s, hn->loc, "node %s: the firewall models could not be attached", hn->name);
        }
        if (ok && hw->fws[i])
            ok = build_node_fw(hw, i, err, errlen);
        if (ok)
            ok = build_routes(hw, i, err, errlen);
    }
    /* pfsync: one pair per HA couple, whichever side names the other. */
    for (size_t i = 0; ok && i < s->n_nodes; i++) {
        const hs_pfsync *p = &s->nodes[i].pfsync;
        if (!p->enabled || p->peer < 0)
            continue;
        size_t j = (size_t)p->peer;
        const hs_pfsync *q = &s->nodes[j].pfsync;
        if (j < i && q->enabled && q->peer == (int)i)
            continue; /* paired from the other side */
        if (!hw->fws[i] || !hw->fws[j]) {
            ok = fail(err, errlen, s, p->loc, "pfsync: both nodes must be firewalls");
            break;
        }
        /* the pair's options: from whichever end gives them (the loader
         * made sure two that give them agree) */
        const hs_pfsync *o = p->has_options || !(q->enabled && q->peer == (int)i) ? p : q;
        const hs_node *on = o == p ? &s->nodes[i] : &s->nodes[j];
        sim_fw_pfsync_options po = {.delay = p->lag > q->lag ? p->lag : q->lag,
                                    .flush_interval = o->flush_interval,
                                    .defer = o->defer,
                                    .no_bulk = !o->bulk,
                                    .sync_ifname = o->sync_iface >= 0 ? on->ifaces[o->sync_iface].name : NULL};
        sim_err e = sim_fw_pfsync_pair(hw->fws[i], hw->fws[j], &po);
        if (e != SIM_OK)
            ok = fail(err, errlen, s, p->loc, "pfsync: refused by the simulator (%s)", sim_err_name(e));
    }
    for (size_t i = 0; ok && i < s->n_nodes; i++)
        if (hw->fws[i])
            sim_fw_start(hw->fws[i]);
    for (size_t i = 0; ok && i < s->n_nodes; i++)
        ok = build_wireguard(hw, i, err, errlen);
    if (ok)
        ok = build_traffic(hw, err, errlen);
    if (!ok) {
        hs_world_free(hw);
        return NULL;
    }
    return hw;
}

void hs_world_free(hs_world *hw)
{
    if (!hw)
        return;
    if (hw->w)
        sim_world_free(hw->w);
    hs_record_needs_free(hw);
    hs_events_free(hw);
    hs_phases_free_world(hw);
    hs_series_free_world(hw);
    hs_seq_free_world(hw);
    if (hw->engine)
        sim_engine_destroy(hw->engine);
    const hs_scenario *s = hw->s;
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (hw->peer_ids && hw->peer_ids[i]) {
            for (size_t j = 0; j < s->nodes[i].n_wg; j++)
                free(hw->peer_ids[i][j]);
            free(hw->peer_ids[i]);
        }
        if (hw->wgs && hw->wgs[i])
            free(hw->wgs[i]);
    }
    free(hw->peer_ids);
    free(hw->wgs);
    free(hw->segs);
    free(hw->nodes);
    free(hw->fws);
    free(hw->pings);
    free(hw->hs_msgs);
    free(hw->cmds);
    for (size_t i = 0; hw->exp && i < hw->s->n_expects; i++) {
        for (size_t j = 0; j < hw->exp[i].n_evidence; j++)
            free(hw->exp[i].evidence[j]);
        free(hw->exp[i].evidence);
    }
    free(hw->exp);
    free(hw->samples);
    free(hw->events);
    free(hw->power);
    free(hw);
}

sim_world *hs_world_sim(hs_world *hw) { return hw->w; }

int hs_world_node_of(const hs_world *hw, int id)
{
    if (id < 0)
        return -1;
    /* The world numbers nodes in creation order, and hs_world_build
     * creates them in scenario order into a fresh world, so node i has id
     * i: the timeline asks this for every event it shows. The walk stays
     * for a world that does not match (it never happens today). */
    if ((size_t)id < hw->s->n_nodes && hw->nodes[id] && sim_node_id(hw->nodes[id]) == id)
        return id;
    for (size_t i = 0; i < hw->s->n_nodes; i++)
        if (hw->nodes[i] && sim_node_id(hw->nodes[i]) == id)
            return (int)i;
    return -1;
}

int hs_world_wg_of_ifindex(const hs_world *hw, int node, uint32_t ifindex)
{
    if (node < 0 || !hw->wgs[node])
        return -1;
    for (size_t j = 0; j < hw->s->nodes[node].n_wg; j++)
        if (hw->wgs[node][j] && sim_iface_index(sim_wg_iface(hw->wgs[node][j])) == ifindex)
            return (int)j;
    return -1;
}

int hs_world_peer_index(const hs_world *hw, int node, int wg, int peer_id)
{
    if (node < 0 || wg < 0 || !hw->peer_ids[node] || !hw->peer_ids[node][wg])
        return -1;
    const hs_wg *w = &hw->s->nodes[node].wg[wg];
    /* wgnode numbers a device's peers from 0 in the order added, and
     * build_wireguard adds them in scenario order to a fresh device, so
     * peer k has id k: the timeline asks this for every WireGuard event
     * (a hub's handshakes). The walk covers anything else. */
    if (peer_id >= 0 && (size_t)peer_id < w->n_peers && hw->peer_ids[node][wg][peer_id] == peer_id)
        return peer_id;
    for (size_t k = 0; k < w->n_peers; k++)
        if (hw->peer_ids[node][wg][k] == peer_id)
            return (int)k;
    return -1;
}

const char *hs_world_peer_name(const hs_world *hw, int node, int wg, int peer_id, char *buf, size_t len)
{
    int k = hs_world_peer_index(hw, node, wg, peer_id);
    if (k >= 0) {
        const hs_wg_peer *p = &hw->s->nodes[node].wg[wg].peers[k];
        if (p->name)
            snprintf(buf, len, "%s", p->name);
        else if (p->node >= 0)
            snprintf(buf, len, "%s", hw->s->nodes[p->node].name);
        else
            snprintf(buf, len, "peer %d", peer_id);
    } else {
        snprintf(buf, len, "peer %d", peer_id);
    }
    return buf;
}
