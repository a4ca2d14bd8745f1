/*
 * expect.c — evaluates every expectation kind of the scenario language
 * (docs/scenario-language.md, "Expectations") over what the run produced.
 *
 * Two families:
 *   - history kinds: packets / no-packets (the packet trace), handshake
 *     (the event log), tunnel (the ping generators' samples). Their
 *     packets and samples are read as the run goes (expect_stream.c); the
 *     verdict is given after the run;
 *   - state kinds, sampled while the world runs: endpoint, carp, gateway,
 *     state (pf), route. `at: T` samples once at T (after the timeline
 *     commands of T); `during: [T1, T2]` samples every 100 ms from T1 to T2
 *     and fails at the first sample that does not hold.
 *
 * Windows: packets and handshake counts use [T1, T2] (`at: T` = [0, T]);
 * tunnel uses the echoes sent in [T1, T2) (`at: T` = [0, T)), an echo
 * counting as answered when its reply came within 2 s (a ping timeout) and
 * before the end of the run; `rtt` must hold for every answered echo.
 *
 * A failure carries what was expected, what was seen and the packets (or
 * log lines) that explain it: the offending or nearest WireGuard packets
 * with the reason the network model recorded for their source address.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

#define SAMPLE_STEP (100 * SIM_MS)

typedef struct hs_sample_ev {
    hs_world *hw;
    size_t index;
} hs_sample_ev;

/* ------------------------------------------------------------------ */
/* text helpers                                                       */
/* ------------------------------------------------------------------ */

void hs_sb_add(hs_sbuf *s, const char *fmt, ...)
{
    if (s->n >= sizeof s->b - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s->b + s->n, sizeof s->b - s->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        s->n += (size_t)k < sizeof s->b - s->n ? (size_t)k : sizeof s->b - s->n - 1;
}

static const char *dur(hs_time t, char *buf, size_t len) { return hs_format_duration(t, buf, len); }

/* Measured durations (rtt, latency): milliseconds with a decimal. */
const char *hs_fmt_ms(sim_time t, char *buf, size_t len)
{
    snprintf(buf, len, "%.1fms", (double)t / 1e6);
    return buf;
}

/* As ld_get_addr_match reads it: an IPv6 address with a port in brackets,
 * since "2001:db8::1:80" is one address, not port 80 of 2001:db8::1. */
static const char *addr_match_str(const hs_addr_match *m, char *buf)
{
    if (m->port)
        return wg_endpoint_format(&(wg_endpoint){.ip = m->ip, .port = m->port}, buf);
    return wg_ip_format(&m->ip, buf);
}

static const char *wgm_name(hs_wg_match m)
{
    switch (m) {
    case HS_WGM_ANY: return "any";
    case HS_WGM_INITIATION: return "handshake-initiation";
    case HS_WGM_RESPONSE: return "handshake-response";
    case HS_WGM_COOKIE_REPLY: return "cookie-reply";
    case HS_WGM_TRANSPORT: return "transport";
    case HS_WGM_DATA: return "data";
    case HS_WGM_KEEPALIVE: return "keepalive";
    default: return "";
    }
}

static const char *carp_name(hs_carp_state s)
{
    return s == HS_CARP_MASTER ? "master" : s == HS_CARP_BACKUP ? "backup" : "init";
}

static const char *gw_name(hs_gw_status s)
{
    switch (s) {
    case HS_GW_ONLINE: return "online";
    case HS_GW_DOWN: return "down";
    case HS_GW_LOSS: return "loss";
    default: return "delay";
    }
}

static const char *peer_label(const hs_scenario *s, int node, int wg, int peer)
{
    const hs_wg_peer *p = &s->nodes[node].wg[wg].peers[peer];
    if (p->name)
        return p->name;
    if (p->node >= 0)
        return s->nodes[p->node].name;
    return "(peer)";
}

/* The expectation in words. */
static char *describe(const hs_scenario *s, const hs_expect *e)
{
    hs_sbuf b = {0};
    char t1[32], t2[32], a[WG_IP_STRLEN + 8];
    if (e->during)
        hs_sb_add(&b, "during [%s, %s]: ", dur(e->from, t1, sizeof t1), dur(e->to, t2, sizeof t2));
    else
        hs_sb_add(&b, "at %s: ", dur(e->at, t1, sizeof t1));
    hs_sb_add(&b, "%s", hs_expect_kind_name(e->kind));
    switch (e->kind) {
    case HS_EXP_PACKETS:
    case HS_EXP_NO_PACKETS: {
        const __typeof__(e->u.packets) *p = &e->u.packets;
        if (p->on >= 0)
            hs_sb_add(&b, " on %s", s->segments[p->on].name);
        if (p->from >= 0)
            hs_sb_add(&b, " from %s", s->nodes[p->from].name);
        if (p->to >= 0)
            hs_sb_add(&b, " to %s", s->nodes[p->to].name);
        if (p->src.set)
            hs_sb_add(&b, " src %s", addr_match_str(&p->src, a));
        if (p->dst.set)
            hs_sb_add(&b, " dst %s", addr_match_str(&p->dst, a));
        if (p->udp_src_port)
            hs_sb_add(&b, " udp-src-port %u", p->udp_src_port);
        if (p->udp_dst_port)
            hs_sb_add(&b, " udp-dst-port %u", p->udp_dst_port);
        if (p->wg != HS_WGM_NONE)
            hs_sb_add(&b, " wg %s", wgm_name(p->wg));
        if (p->fragment != HS_FRAG_ANY) {
            static const char *const fn[] = {"", " whole datagrams", " fragments", " first fragments",
                                             " non-first fragments"};
            hs_sb_add(&b, "%s", fn[p->fragment]);
        }
        if (p->icmp)
            hs_sb_add(&b, " icmp %s", hs_icmp_matches[p->icmp].name);
        break;
    }
    case HS_EXP_ENDPOINT:
        hs_sb_add(&b, " of %s on %s", peer_label(s, e->u.endpoint.node, e->u.endpoint.wg, e->u.endpoint.peer),
               s->nodes[e->u.endpoint.node].name);
        break;
    case HS_EXP_HANDSHAKE:
        hs_sb_add(&b, " %s with %s", s->nodes[e->u.handshake.node].name,
               peer_label(s, e->u.handshake.node, e->u.handshake.wg, e->u.handshake.peer));
        break;
    case HS_EXP_TUNNEL: {
        const hs_traffic *t = &s->traffic[e->u.tunnel.ping];
        char d[WG_IP_STRLEN];
        hs_sb_add(&b, " ping %d (%s -> %s)", e->u.tunnel.ping, s->nodes[t->ping.from].name, wg_ip_format(&t->ping.to, d));
        break;
    }
    case HS_EXP_CARP:
        hs_sb_add(&b, " %s vhid %u", s->nodes[e->u.carp.node].name, e->u.carp.vhid);
        break;
    case HS_EXP_GATEWAY:
        hs_sb_add(&b, " %s %s", s->nodes[e->u.gateway.node].name,
               s->nodes[e->u.gateway.node].gateways[e->u.gateway.gateway].name);
        break;
    case HS_EXP_STATE: {
        const __typeof__(e->u.state) *p = &e->u.state;
        hs_sb_add(&b, " on %s", s->nodes[p->node].name);
        if (p->proto != HS_PROTO_ANY)
            hs_sb_add(&b, " proto %s", hs_proto_name(p->proto));
        if (p->src.set)
            hs_sb_add(&b, " src %s", addr_match_str(&p->src, a));
        if (p->dst.set)
            hs_sb_add(&b, " dst %s", addr_match_str(&p->dst, a));
        if (p->translated.set)
            hs_sb_add(&b, " translated %s", addr_match_str(&p->translated, a));
        break;
    }
    case HS_EXP_LOAD:
        hs_sb_add(&b, " %s %s", s->nodes[e->u.load.node].name, s->nodes[e->u.load.node].wg[e->u.load.wg].name);
        break;
    case HS_EXP_ROUTE: {
        char d[WG_IP_STRLEN];
        if (e->u.route.is_default)
            hs_sb_add(&b, " %s default", s->nodes[e->u.route.node].name);
        else
            hs_sb_add(&b, " %s %s", s->nodes[e->u.route.node].name, wg_prefix_format(&e->u.route.to, d));
        break;
    }
    }
    return strdup(b.b);
}

/* ------------------------------------------------------------------ */
/* packet lines                                                       */
/* ------------------------------------------------------------------ */

char *hs_format_packet(const hs_world *hw, const sim_trace_rec *r)
{
    hs_sbuf b = {0};
    char a[WG_IP_STRLEN], c[WG_IP_STRLEN];
    if (r->dir == SIM_DIR_WIRE) {
        const sim_segment *sg = sim_world_segment_at(hw->w, (size_t)r->segment);
        hs_sb_add(&b, "on %s", sg ? sim_segment_name(sg) : "?");
    } else {
        const sim_node *n = sim_world_node_at(hw->w, (size_t)r->node);
        const sim_iface *ifp = n ? sim_node_iface_by_index(n, r->ifindex) : NULL;
        hs_sb_add(&b, "%s/%s %s", n ? sim_node_name(n) : "?", ifp ? sim_iface_name(ifp) : "?", sim_dir_name(r->dir));
    }
    if (r->arp_op) {
        hs_sb_add(&b, " ARP %s %s", r->arp_op == 1 ? "who-has" : "reply", wg_ip_format(&r->arp_target, a));
    } else if (r->src.family) {
        if (r->frag_off) {
            /* a later fragment: no UDP/ICMP header to show */
            hs_sb_add(&b, " %s -> %s %s", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, c),
                      r->proto == SIM_IPPROTO_UDP ? "udp" : r->proto == SIM_IPPROTO_ICMP ? "icmp" : "ip");
        } else if (r->proto == SIM_IPPROTO_UDP) {
            hs_sb_add(&b, " %s:%u -> %s:%u", wg_ip_format(&r->src, a), r->sport, wg_ip_format(&r->dst, c), r->dport);
            if (r->wg_type)
                hs_sb_add(&b, " wg %s", wg_msg_type_name(r->wg_type, r->wg_keepalive));
            else
                hs_sb_add(&b, " udp");
        } else if (r->proto == SIM_IPPROTO_ICMP) {
            hs_sb_add(&b, " %s -> %s icmp type %u code %u", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, c),
                   r->icmp_type, r->icmp_code);
        } else {
            hs_sb_add(&b, " %s -> %s proto %u", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, c), r->proto);
        }
        if (r->frag_mf || r->frag_off)
            hs_sb_add(&b, " fragment %u@%u%s", r->ip_id, r->frag_off, r->frag_mf ? "+" : "");
    }
    if (r->dir == SIM_DIR_WIRE && r->origin_node >= 0) {
        const sim_node *o = sim_world_node_at(hw->w, (size_t)r->origin_node);
        if (o)
            hs_sb_add(&b, " (from %s)", sim_node_name(o));
    }
    if (r->reason && r->src.family) {
        /* the reason is whole, however long: it is what the line is for */
        char *why = sim_src_reason_text(hw->w, r->reason);
        char *line = hs_strdup_printf("%s [source: %s]", b.b, why ? why : "?");
        free(why);
        return line;
    }
    return strdup(b.b);
}

void hs_add_pkt_line(hs_world *hw, hs_expect_result *er, const sim_trace_rec *r)
{
    size_t before = er->n_packets;
    hs_result_add_line(er, r->t, hs_format_packet(hw, r));
    if (er->n_packets > before && r->reason && r->src.family) {
        hs_packet_line *l = &er->packets[er->n_packets - 1];
        l->reason = hs_reason_fields(hw, r->reason, &l->n_reason);
    }
}

/* ------------------------------------------------------------------ */
/* handshake (event log)                                              */
/* ------------------------------------------------------------------ */

static void eval_handshake(hs_world *hw, const hs_expect *e, hs_expect_result *er)
{
    const __typeof__(e->u.handshake) *h = &e->u.handshake;
    sim_time t2 = e->during ? e->to : e->at;
    sim_time D = h->last_within;
    size_t count;
    sim_time last;
    bool within_ok;
    hs_events_handshake(hw, (size_t)(e - hw->s->expects), &count, &last, &within_ok);
    char lt[32], cb[64], db[32];
    bool ok = true;
    hs_sbuf exp = {0}, obs = {0};
    if (h->has_count || !h->has_last_within) {
        hs_cmp c = h->has_count ? h->count : (hs_cmp){.op = HS_CMP_GE, .unit = HS_UNIT_COUNT, .value = 1};
        hs_sb_add(&exp, "completed handshakes %s", hs_cmp_format(&c, cb, sizeof cb));
        hs_sb_add(&obs, "%zu completed handshake%s", count, count == 1 ? "" : "s");
        ok = ok && hs_cmp_test(&c, (double)count);
        er->value = (double)count;
    }
    if (h->has_last_within) {
        hs_sb_add(&exp, "%slast handshake within %s%s", exp.n ? ", " : "", dur(D, db, sizeof db),
               e->during ? " at every instant of the window" : "");
        if (last >= 0)
            hs_sb_add(&obs, "%slast at %ss (%s before %s)", obs.n ? ", " : "", hs_result_time(last, lt, sizeof lt),
                   dur(t2 - last, cb, sizeof cb), e->during ? "the window's end" : "it");
        else
            hs_sb_add(&obs, "%sno handshake at all", obs.n ? ", " : "");
        if (!within_ok && e->during && last >= 0)
            hs_sb_add(&obs, ", a gap longer than %s inside the window", db);
        ok = ok && within_ok;
        if (!h->has_count)
            er->value = last >= 0 ? (double)(t2 - last) / 1e9 : NAN;
    }
    er->expected = strdup(exp.b);
    er->observed = strdup(obs.b);
    er->passed = ok;
    if (!ok)
        hs_stream_handshake_lines(hw, (size_t)(e - hw->s->expects), er);
}

/* ------------------------------------------------------------------ */
/* state kinds: one sample                                            */
/* ------------------------------------------------------------------ */

/* Returns pass/fail for the state now; writes what was seen. */
static bool sample_endpoint(hs_world *hw, const hs_expect *e, char *obs, size_t len, double *value)
{
    const __typeof__(e->u.endpoint) *x = &e->u.endpoint;
    (void)value;
    sim_wg *h = hw->wgs[x->node] ? hw->wgs[x->node][x->wg] : NULL;
    const hs_wg_peer *p = &hw->s->nodes[x->node].wg[x->wg].peers[x->peer];
    wg_device *dev = h ? sim_wg_device(h) : NULL;
    int id = dev ? wg_device_find_peer(dev, p->public_key) : -1;
    wg_peer_info pi;
    if (id < 0 || !wg_device_peer_info(dev, id, &pi)) {
        snprintf(obs, len, "the peer is not configured on the device");
        return false;
    }
    char ep[WG_IP_STRLEN], src[WG_IP_STRLEN];
    if (!pi.has_endpoint)
        snprintf(obs, len, "none");
    else if (pi.learned_source.addr.family)
        snprintf(obs, len, "%s (local address learned: %s)", wg_endpoint_format(&pi.endpoint, ep),
                 wg_ip_format(&pi.learned_source.addr, src));
    else
        snprintf(obs, len, "%s (no learned local address)", wg_endpoint_format(&pi.endpoint, ep));
    if (x->is_none)
        return !pi.has_endpoint;
    return pi.has_endpoint && wg_endpoint_eq(&pi.endpoint, &x->is);
}

static bool sample_carp(hs_world *hw, const hs_expect *e, char *obs, size_t len, double *value)
{
    const __typeof__(e->u.carp) *x = &e->u.carp;
    const hs_node *hn = &hw->s->nodes[x->node];
    sim_fw *f = hw->fws[x->node];
    sim_fw_carp_info ci;
    const char *ifname = x->carp >= 0 ? hn->ifaces[hn->carp[x->carp].iface].name : NULL;
    if (!f || !sim_fw_carp_info_get(f, ifname, x->vhid, &ci)) {
        snprintf(obs, len, "no CARP vhid %u on %s", x->vhid, hn->name);
        return false;
    }
    snprintf(obs, len, "%s (advskew %u, advertised %u%s)", sim_carp_state_name(ci.state), ci.advskew,
             ci.advertised_skew, sim_node_powered(hw->nodes[x->node]) ? "" : ", node powered off");
    *value = (double)ci.state;
    hs_carp_state want = x->state;
    sim_carp_state sw = want == HS_CARP_MASTER ? SIM_CARP_MASTER : want == HS_CARP_BACKUP ? SIM_CARP_BACKUP : SIM_CARP_INIT;
    return ci.state == sw;
}

static bool sample_gateway(hs_world *hw, const hs_expect *e, char *obs, size_t len, double *value)
{
    const __typeof__(e->u.gateway) *x = &e->u.gateway;
    const hs_node *hn = &hw->s->nodes[x->node];
    const char *name = hn->gateways[x->gateway].name;
    sim_fw_gateway_info gi;
    if (!hw->fws[x->node] || !sim_fw_gateway_info_get(hw->fws[x->node], name, &gi)) {
        snprintf(obs, len, "no gateway %s on %s", name, hn->name);
        return false;
    }
    char lat[32];
    snprintf(obs, len, "%s (%s%sloss %.1f%%, latency %s)", sim_gw_status_name(gi.status),
             gi.status == SIM_GW_DOWN ? sim_gw_reason_name(gi.reason) : "", gi.status == SIM_GW_DOWN ? ", " : "",
             gi.loss, hs_fmt_ms(gi.latency, lat, sizeof lat));
    *value = gi.loss;
    sim_gw_status want = x->status == HS_GW_ONLINE ? SIM_GW_ONLINE
                         : x->status == HS_GW_DOWN ? SIM_GW_DOWN
                         : x->status == HS_GW_LOSS ? SIM_GW_LOSS
                                                   : SIM_GW_DELAY;
    return gi.status == want;
}

static bool ep_match(const hs_addr_match *m, const wg_endpoint *ep)
{
    if (!m->set)
        return true;
    if (!wg_ip_eq(&m->ip, &ep->ip))
        return false;
    return !m->port || m->port == ep->port;
}

static bool state_matches(const __typeof__(((hs_expect *)0)->u.state) *x, const sim_fw_state_info *si)
{
    if (x->proto != HS_PROTO_ANY && si->proto != (uint8_t)x->proto)
        return false;
    return ep_match(&x->src, &si->src) && ep_match(&x->dst, &si->dst) && ep_match(&x->translated, &si->nat_src);
}

static bool sample_state(hs_world *hw, const hs_expect *e, char *obs, size_t len, double *value)
{
    const __typeof__(e->u.state) *x = &e->u.state;
    sim_fw *f = hw->fws[x->node];
    size_t n = 0, total = f ? sim_fw_state_count(f) : 0;
    char first[160] = "";
    for (size_t i = 0; i < total; i++) {
        sim_fw_state_info si;
        if (!sim_fw_state_at(f, i, &si) || !state_matches(x, &si))
            continue;
        if (!n)
            sim_fw_state_format(&si, first, sizeof first);
        n++;
    }
    *value = (double)n;
    if (n)
        snprintf(obs, len, "%zu matching state%s (%zu in all), e.g. %s", n, n == 1 ? "" : "s", total, first);
    else
        snprintf(obs, len, "no matching state (%zu in all)", total);
    return hs_cmp_test(&x->count, (double)n);
}

static bool sample_route(hs_world *hw, const hs_expect *e, char *obs, size_t len, double *value)
{
    const __typeof__(e->u.route) *x = &e->u.route;
    (void)value;
    sim_node *n = hw->nodes[x->node];
    wg_prefix to = x->to;
    if (x->is_default)
        wg_prefix_parse("0.0.0.0/0", &to);
    const sim_route *r = sim_node_route_find(n, &to);
    if (!r) {
        char p[WG_IP_STRLEN];
        snprintf(obs, len, "no route for %s", wg_prefix_format(&to, p));
        return false;
    }
    char rb[160];
    snprintf(obs, len, "%s", sim_route_format(n, r, rb, sizeof rb));
    bool ok = true;
    if (x->has_via)
        ok = ok && wg_ip_eq(&r->gateway, &x->via);
    if (x->dev >= 0) {
        uint32_t ifx = r->ifindex;
        if (!ifx && r->gateway.family) {
            sim_route_result rr;
            if (sim_fib_lookup(n, &r->gateway, &rr))
                ifx = rr.ifindex;
        }
        const sim_iface *ifp = sim_node_iface_by_index(n, ifx);
        ok = ok && ifp && !strcmp(sim_iface_name(ifp), hw->s->nodes[x->node].ifaces[x->dev].name);
    }
    return ok;
}

static bool is_sampled(hs_expect_kind k)
{
    return k == HS_EXP_ENDPOINT || k == HS_EXP_CARP || k == HS_EXP_GATEWAY || k == HS_EXP_STATE || k == HS_EXP_ROUTE ||
           k == HS_EXP_LOAD;
}

/* What load did to the device so far (wg_device_load_info): time under
 * load, cookie replies sent, messages rate-limited. */
static bool sample_load(hs_world *hw, const hs_expect *e, char *obs, size_t len, double *value)
{
    const __typeof__(e->u.load) *x = &e->u.load;
    sim_wg *h = hw->wgs[x->node][x->wg];
    wg_device *dev = h ? sim_wg_device(h) : NULL;
    if (!dev) {
        snprintf(obs, len, "no WireGuard device (node off)");
        return false;
    }
    wg_load_info li;
    wg_device_load_info(dev, sim_world_now(hw->w), &li);
    uint64_t limited = wg_device_drop_count(dev, WG_DROP_RATE_LIMITED);
    char d[32];
    snprintf(obs, len, "under load %s (%llu times), %llu cookie replies sent, %llu rate-limited",
             hs_format_duration(li.under_load_ns, d, sizeof d), (unsigned long long)li.under_load_periods,
             (unsigned long long)li.cookie_replies, (unsigned long long)limited);
    *value = (double)li.under_load_ns;
    return (!x->has_time || hs_cmp_test(&x->time, (double)li.under_load_ns)) &&
           (!x->has_cookies || hs_cmp_test(&x->cookies, (double)li.cookie_replies)) &&
           (!x->has_limited || hs_cmp_test(&x->limited, (double)limited));
}

static void add_evidence(hs_exp_state *st, char *line)
{
    char **v = realloc(st->evidence, (st->n_evidence + 1) * sizeof *v);
    if (!v || !line) {
        free(line);
        return;
    }
    st->evidence = v;
    st->evidence[st->n_evidence++] = line;
}

/* What a failed state sample shows: the pf states or routes as they are at
 * the failing instant. Printing them after the run would show the state at
 * the end, sending the reader after states that did not exist yet. */
static void snapshot_evidence(hs_world *hw, const hs_expect *e, hs_exp_state *st)
{
    if (e->kind == HS_EXP_STATE) {
        sim_fw *f = hw->fws[e->u.state.node];
        size_t total = f ? sim_fw_state_count(f) : 0;
        for (size_t i = 0; i < total && i < 6; i++) {
            sim_fw_state_info si;
            char b[200];
            if (sim_fw_state_at(f, i, &si))
                add_evidence(st, hs_strdup_printf("state %s", sim_fw_state_format(&si, b, sizeof b)));
        }
    } else if (e->kind == HS_EXP_ROUTE) {
        sim_node *n = hw->nodes[e->u.route.node];
        size_t total = sim_node_route_count(n);
        for (size_t i = 0; i < total && i < 8; i++) {
            char b[160];
            add_evidence(st, hs_strdup_printf("route %s", sim_route_format(n, sim_node_route_at(n, i), b, sizeof b)));
        }
    }
}

static void sample_cb(void *arg)
{
    hs_sample_ev *sv = arg;
    hs_world *hw = sv->hw;
    const hs_expect *e = &hw->s->expects[sv->index];
    hs_exp_state *st = &hw->exp[sv->index];
    if (st->failed)
        return;
    char obs[sizeof st->observed];
    double v = NAN;
    bool ok;
    switch (e->kind) {
    case HS_EXP_ENDPOINT: ok = sample_endpoint(hw, e, obs, sizeof obs, &v); break;
    case HS_EXP_CARP: ok = sample_carp(hw, e, obs, sizeof obs, &v); break;
    case HS_EXP_GATEWAY: ok = sample_gateway(hw, e, obs, sizeof obs, &v); break;
    case HS_EXP_STATE: ok = sample_state(hw, e, obs, sizeof obs, &v); break;
    case HS_EXP_ROUTE: ok = sample_route(hw, e, obs, sizeof obs, &v); break;
    case HS_EXP_LOAD: ok = sample_load(hw, e, obs, sizeof obs, &v); break;
    default: return;
    }
    st->sampled = true;
    st->value = v;
    memcpy(st->observed, obs, sizeof obs);
    if (!ok) {
        st->failed = true;
        st->fail_t = sim_world_now(hw->w);
        snapshot_evidence(hw, e, st);
    }
}

void hs_expect_schedule(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    size_t total = 0;
    hs_stream_start(hw);
    hs_events_start(hw);
    hs_phases_start(hw);
    hs_series_start(hw);
    hs_seq_start(hw);
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        hw->exp[i].value = NAN;
        if (!is_sampled(e->kind))
            continue;
        total += e->during ? (size_t)((e->to - e->from) / SAMPLE_STEP) + 2 : 1;
    }
    hw->samples = calloc(total ? total : 1, sizeof *hw->samples);
    if (!hw->samples)
        sim_oom("evaluating expectations");
    sim_engine *eng = sim_world_engine(hw->w);
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        if (!is_sampled(e->kind))
            continue;
        if (!e->during) {
            hw->samples[hw->n_samples] = (hs_sample_ev){hw, i};
            sim_schedule_at(eng, e->at, sample_cb, &hw->samples[hw->n_samples++]);
            continue;
        }
        for (sim_time t = e->from;; t += SAMPLE_STEP) {
            if (t > e->to)
                t = e->to;
            hw->samples[hw->n_samples] = (hs_sample_ev){hw, i};
            sim_schedule_at(eng, t, sample_cb, &hw->samples[hw->n_samples++]);
            if (t == e->to)
                break;
        }
    }
}

/* Log lines that explain a sampled failure. */
static void explain_sampled(hs_world *hw, const hs_expect *e, hs_expect_result *er, sim_time at)
{
    switch (e->kind) {
    case HS_EXP_ENDPOINT: {
        /* the latest endpoint changes of that peer, then the last WireGuard
         * packets the node received */
        const __typeof__(e->u.endpoint) *x = &e->u.endpoint;
        hs_events_lines(hw, (size_t)(e - hw->s->expects), er, hw->s->nodes[x->node].name,
                        peer_label(hw->s, x->node, x->wg, x->peer));
        hs_stream_endpoint_lines(hw, (size_t)(e - hw->s->expects), er);
        break;
    }
    case HS_EXP_CARP:
    case HS_EXP_GATEWAY: {
        hs_events_lines(hw, (size_t)(e - hw->s->expects), er, NULL, NULL);
        break;
    }
    case HS_EXP_STATE:
    case HS_EXP_ROUTE: {
        /* taken at the failing sample (snapshot_evidence) */
        hs_exp_state *st = &hw->exp[e - hw->s->expects];
        for (size_t i = 0; i < st->n_evidence; i++) {
            hs_result_add_line(er, at, st->evidence[i]);
            st->evidence[i] = NULL;
        }
        break;
    }
    default: break;
    }
}

static void eval_sampled(hs_world *hw, size_t i, hs_expect_result *er)
{
    const hs_expect *e = &hw->s->expects[i];
    const hs_exp_state *st = &hw->exp[i];
    char ts[32], a[WG_IP_STRLEN + 8];
    switch (e->kind) {
    case HS_EXP_ENDPOINT:
        er->expected = e->u.endpoint.is_none ? strdup("none") : strdup(wg_endpoint_format(&e->u.endpoint.is, a));
        break;
    case HS_EXP_CARP: er->expected = hs_strdup_printf("%s", carp_name(e->u.carp.state)); break;
    case HS_EXP_GATEWAY: er->expected = hs_strdup_printf("%s", gw_name(e->u.gateway.status)); break;
    case HS_EXP_STATE: {
        char cb[64];
        er->expected = hs_strdup_printf("matching states %s", hs_cmp_format(&e->u.state.count, cb, sizeof cb));
        break;
    }
    case HS_EXP_LOAD: {
        hs_sbuf b = {0};
        char cb[64];
        if (e->u.load.has_time)
            hs_sb_add(&b, "under load %s", hs_cmp_format(&e->u.load.time, cb, sizeof cb));
        if (e->u.load.has_cookies)
            hs_sb_add(&b, "%scookie replies %s", b.n ? ", " : "", hs_cmp_format(&e->u.load.cookies, cb, sizeof cb));
        if (e->u.load.has_limited)
            hs_sb_add(&b, "%srate-limited %s", b.n ? ", " : "", hs_cmp_format(&e->u.load.limited, cb, sizeof cb));
        er->expected = strdup(b.b);
        break;
    }
    case HS_EXP_ROUTE: {
        hs_sbuf b = {0};
        char v[WG_IP_STRLEN];
        if (e->u.route.has_via)
            hs_sb_add(&b, "via %s", wg_ip_format(&e->u.route.via, v));
        if (e->u.route.dev >= 0)
            hs_sb_add(&b, "%sdev %s", b.n ? " " : "", hw->s->nodes[e->u.route.node].ifaces[e->u.route.dev].name);
        er->expected = strdup(b.b);
        break;
    }
    default: break;
    }
    er->value = st->value;
    if (!st->sampled) {
        er->passed = false;
        er->observed = strdup("never sampled (the run ended early)");
        return;
    }
    er->passed = !st->failed;
    if (st->failed && e->during)
        er->observed = hs_strdup_printf("%s at %ss", st->observed, hs_result_time(st->fail_t, ts, sizeof ts));
    else
        er->observed = strdup(st->observed);
    if (st->failed)
        explain_sampled(hw, e, er, st->fail_t);
}

void hs_expect_evaluate(hs_world *hw, hs_result *r)
{
    const hs_scenario *s = hw->s;
    r->expects = calloc(s->n_expects ? s->n_expects : 1, sizeof *r->expects);
    if (!r->expects)
        sim_oom("evaluating expectations");
    r->n_expects = s->n_expects;
    hs_stream_finish(hw);
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        hs_expect_result *er = &r->expects[i];
        er->index = i;
        er->loc = e->loc;
        er->kind = e->kind;
        er->value = NAN;
        er->what = describe(s, e);
        switch (e->kind) {
        case HS_EXP_PACKETS:
        case HS_EXP_NO_PACKETS: hs_eval_packets(hw, i, er); break;
        case HS_EXP_HANDSHAKE: eval_handshake(hw, e, er); break;
        case HS_EXP_TUNNEL: hs_eval_tunnel(hw, i, er); break;
        default: eval_sampled(hw, i, er); break;
        }
        if (!er->passed)
            r->n_failed++;
    }
}
