/*
 * test_e2e_topo.h — topologies for the firewall tests (source_*, carp_*,
 * pf_*, gateway_*, e2e_*), built with the public sim.h API the way the
 * scenario runner will: nodes, interfaces, addresses, routes, then the
 * firewall models (sim_fw_*), then sim_fw_start.
 *
 *   HA pair (DESIGN.md example):
 *     fw1 wan 198.51.100.2/24, fw2 wan 198.51.100.3/24, CARP VIP
 *     198.51.100.1/24 vhid 1 (skew 0 / 100), default via 198.51.100.254
 *     isp router: wan 198.51.100.254/24, net 192.0.2.1/24
 *     remote host: net 192.0.2.10/24, default via 192.0.2.1
 *   Two-WAN firewall: fw wan 198.51.100.2/24 (isp1 .254), wan2
 *     203.0.113.2/24 (isp2 .254); remote reaches 203.0.113.0/24 via isp2.
 */
#ifndef TEST_E2E_TOPO_H
#define TEST_E2E_TOPO_H

#include "net_topo.h"

static inline sim_fw *H_fw(sim_node *n)
{
    sim_fw *f = sim_fw_attach(n, NULL);
    ck_assert_ptr_nonnull(f);
    return f;
}

static inline void H_vip(sim_fw *f, const char *ifname, uint8_t vhid, const char *cidr, uint8_t skew)
{
    sim_carp_vip v = {.ifname = ifname, .vhid = vhid, .addr = T_pfx(cidr), .advbase = 1, .advskew = skew,
                      .password = "hapass"};
    ck_assert_int_eq(sim_fw_add_carp_vip(f, &v), SIM_OK);
}

typedef struct H_ha {
    sim_world *w;
    sim_segment *wan, *net;
    sim_node *isp, *fw1, *fw2, *remote;
    sim_fw *f1, *f2;
} H_ha;

/* Built but not started: call H_ha_start after adding rules/WireGuard. */
static inline H_ha H_ha_new(uint64_t seed, bool pfsync)
{
    H_ha h;
    h.w = T_world(seed);
    h.wan = T_seg(h.w, "wan", SIM_MS);
    h.net = T_seg(h.w, "net", 15 * SIM_MS);
    h.isp = T_node(h.w, "isp", SIM_NODE_ROUTER);
    T_if(h.isp, "wan", h.wan, "198.51.100.254/24");
    T_if(h.isp, "net", h.net, "192.0.2.1/24");
    h.fw1 = T_node(h.w, "fw1", SIM_NODE_FIREWALL);
    T_if(h.fw1, "wan", h.wan, "198.51.100.2/24");
    T_route(h.fw1, "0.0.0.0/0", "198.51.100.254");
    h.fw2 = T_node(h.w, "fw2", SIM_NODE_FIREWALL);
    T_if(h.fw2, "wan", h.wan, "198.51.100.3/24");
    T_route(h.fw2, "0.0.0.0/0", "198.51.100.254");
    h.remote = T_node(h.w, "remote", SIM_NODE_HOST);
    T_if(h.remote, "eth0", h.net, "192.0.2.10/24");
    T_route(h.remote, "0.0.0.0/0", "192.0.2.1");
    h.f1 = H_fw(h.fw1);
    h.f2 = H_fw(h.fw2);
    H_vip(h.f1, "wan", 1, "198.51.100.1/24", 0);
    H_vip(h.f2, "wan", 1, "198.51.100.1/24", 100);
    if (pfsync)
        ck_assert_int_eq(sim_fw_pfsync_pair(h.f1, h.f2, NULL), SIM_OK);
    return h;
}

static inline void H_ha_start(H_ha *h)
{
    sim_fw_start(h->f1);
    sim_fw_start(h->f2);
}

/* The UDP endpoints the HA-pair tests talk through: remote:6000, fw1:7000
 * and fw2:7000 (wildcard address), each counting into its T_rx. */
typedef struct H_ha_udp {
    T_rx rx_remote, rx_fw1, rx_fw2;
    sim_udp_sock *s_remote, *s_fw1, *s_fw2;
} H_ha_udp;

static inline void H_ha_bind_udp(const H_ha *h, H_ha_udp *u)
{
    memset(u, 0, sizeof *u);
    ck_assert_int_eq(sim_udp_bind(h->remote, NULL, 6000, T_on_udp, &u->rx_remote, &u->s_remote), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(h->fw1, NULL, 7000, T_on_udp, &u->rx_fw1, &u->s_fw1), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(h->fw2, NULL, 7000, T_on_udp, &u->rx_fw2, &u->s_fw2), SIM_OK);
}

/* The HA pair with a second VIP, 203.0.113.1/24 (vhid 2), outside the WAN's
 * own network, so it owns a prefix route while MASTER; started and run to
 * 5 s (fw1 MASTER). */
static inline H_ha H_ha_subnet_vip(uint64_t seed)
{
    H_ha x = H_ha_new(seed, false);
    H_vip(x.f1, "wan", 2, "203.0.113.1/24", 0);
    H_vip(x.f2, "wan", 2, "203.0.113.1/24", 100);
    H_ha_start(&x);
    T_run(x.w, 5 * SIM_S);
    return x;
}

/* Two-WAN firewall: wan 198.51.100.2/24 (isp1 198.51.100.254), wan2
 * 203.0.113.2/24 (isp2 203.0.113.254), lan 10.0.0.1/24 with a host
 * 10.0.0.50; remote 192.0.2.10 reaches 203.0.113.0/24 via isp2 and
 * everything else via isp1. With gateways: WAN1GW / WAN2GW and the default
 * route via WAN1GW (sim_fw_route_via); without: a static default route. */
typedef struct H_mw {
    sim_world *w;
    sim_segment *wan1, *wan2, *net, *lan;
    sim_node *isp1, *isp2, *fw, *remote, *host;
    sim_fw *f;
} H_mw;

static inline H_mw H_mw_new(uint64_t seed, bool gateways, const sim_fw_options *opt)
{
    H_mw m;
    m.w = T_world(seed);
    m.wan1 = T_seg(m.w, "wan1", SIM_MS);
    m.wan2 = T_seg(m.w, "wan2", SIM_MS);
    m.net = T_seg(m.w, "net", 10 * SIM_MS);
    m.lan = T_seg(m.w, "lan", 0);
    m.isp1 = T_node(m.w, "isp1", SIM_NODE_ROUTER);
    T_if(m.isp1, "wan", m.wan1, "198.51.100.254/24");
    T_if(m.isp1, "net", m.net, "192.0.2.1/24");
    m.isp2 = T_node(m.w, "isp2", SIM_NODE_ROUTER);
    T_if(m.isp2, "wan", m.wan2, "203.0.113.254/24");
    T_if(m.isp2, "net", m.net, "192.0.2.2/24");
    T_route(m.isp2, "0.0.0.0/0", "192.0.2.1");
    m.fw = T_node(m.w, "fw", SIM_NODE_FIREWALL);
    T_if(m.fw, "wan", m.wan1, "198.51.100.2/24");
    T_if(m.fw, "wan2", m.wan2, "203.0.113.2/24");
    T_if(m.fw, "lan", m.lan, "10.0.0.1/24");
    m.host = T_node(m.w, "host", SIM_NODE_HOST);
    T_if(m.host, "eth0", m.lan, "10.0.0.50/24");
    T_route(m.host, "0.0.0.0/0", "10.0.0.1");
    m.remote = T_node(m.w, "remote", SIM_NODE_HOST);
    T_if(m.remote, "eth0", m.net, "192.0.2.10/24");
    T_route(m.remote, "0.0.0.0/0", "192.0.2.1");
    T_route(m.remote, "203.0.113.0/24", "192.0.2.2");
    m.f = sim_fw_attach(m.fw, opt);
    ck_assert_ptr_nonnull(m.f);
    if (gateways) {
        sim_fw_gateway g1 = {.name = "WAN1GW", .ifname = "wan", .addr = T_ip("198.51.100.254")};
        sim_fw_gateway g2 = {.name = "WAN2GW", .ifname = "wan2", .addr = T_ip("203.0.113.254")};
        ck_assert_int_eq(sim_fw_add_gateway(m.f, &g1), SIM_OK);
        ck_assert_int_eq(sim_fw_add_gateway(m.f, &g2), SIM_OK);
        wg_prefix def = T_pfx("0.0.0.0/0");
        ck_assert_int_eq(sim_fw_route_via(m.f, &def, "WAN1GW"), SIM_OK);
    } else {
        T_route(m.fw, "0.0.0.0/0", "198.51.100.254");
    }
    return m;
}

/* WireGuard on the pair (same keys on both, as pfSense config sync does)
 * and on the remote, whose endpoint is the VIP. fw_keepalive / remote
 * keepalive in seconds (0 = off). */
typedef struct H_wg {
    sim_wg *w1, *w2, *wr;
    int r_peer;  /* the firewall, on the remote */
    int f_peer;  /* the remote, on fw1/fw2 (same id on both) */
} H_wg;

static inline H_wg H_wg_setup(sim_world *w, sim_node *fw1, sim_node *fw2, sim_node *remote, const char *endpoint,
                              uint16_t fw_keepalive, uint16_t remote_keepalive)
{
    H_wg x = {0};
    sim_rng keys;
    sim_rng_init(&keys, sim_world_seed(w), "e2e-keys");
    wg_device_config cf = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    wg_device_config cr = {.listen_port = 51820, .platform = sim_node_platform(remote)};
    sim_rng_bytes(&keys, cf.private_key, WG_KEY_LEN);
    sim_rng_bytes(&keys, cr.private_key, WG_KEY_LEN);
    wg_key_clamp(cf.private_key);
    wg_key_clamp(cr.private_key);
    wg_prefix tf = T_pfx("10.99.0.1/24"), tr = T_pfx("10.99.0.2/24");
    x.w1 = sim_wg_new(fw1, "wg0", &cf, &tf);
    ck_assert_ptr_nonnull(x.w1);
    if (fw2) {
        x.w2 = sim_wg_new(fw2, "wg0", &cf, &tf);
        ck_assert_ptr_nonnull(x.w2);
    }
    x.wr = sim_wg_new(remote, "wg0", &cr, &tr);
    ck_assert_ptr_nonnull(x.wr);
    wg_prefix aip_r = T_pfx("10.99.0.2/32"), aip_f = T_pfx("10.99.0.1/32");
    wg_peer_config pr = {.allowed_ips = &aip_r, .n_allowed_ips = 1, .persistent_keepalive = fw_keepalive};
    wg_device_public_key(sim_wg_device(x.wr), pr.public_key);
    x.f_peer = sim_wg_add_peer(x.w1, &pr, true);
    ck_assert_int_ge(x.f_peer, 0);
    if (fw2)
        ck_assert_int_eq(sim_wg_add_peer(x.w2, &pr, true), x.f_peer);
    wg_peer_config pf = {.allowed_ips = &aip_f, .n_allowed_ips = 1, .persistent_keepalive = remote_keepalive};
    wg_device_public_key(sim_wg_device(x.w1), pf.public_key);
    if (endpoint) {
        pf.has_endpoint = true;
        ck_assert(wg_endpoint_parse(endpoint, &pf.endpoint));
    }
    x.r_peer = sim_wg_add_peer(x.wr, &pf, true);
    ck_assert_int_ge(x.r_peer, 0);
    return x;
}

static inline wg_endpoint H_endpoint(sim_wg *h, int peer)
{
    wg_peer_info pi;
    ck_assert(wg_device_peer_info(sim_wg_device(h), peer, &pi));
    if (!pi.has_endpoint) {
        wg_endpoint none = {0};
        return none;
    }
    return pi.endpoint;
}

static inline bool H_ep_is(sim_wg *h, int peer, const char *ep)
{
    wg_endpoint want, got = H_endpoint(h, peer);
    ck_assert(wg_endpoint_parse(ep, &want));
    return wg_endpoint_eq(&want, &got);
}

/* Trace filter: UDP datagrams sent by a node (dir OUT) with src, sport. */
typedef struct H_udp_match {
    wg_ip src, dst;      /* family 0: any */
    uint16_t sport, dport; /* 0: any */
    sim_time from, to;
} H_udp_match;

static inline bool H_udp_pred(const sim_trace_rec *r, const void *arg)
{
    const H_udp_match *m = arg;
    if (r->proto != SIM_IPPROTO_UDP || r->t < m->from || r->t > m->to)
        return false;
    if (m->src.family && !wg_ip_eq(&r->src, &m->src))
        return false;
    if (m->dst.family && !wg_ip_eq(&r->dst, &m->dst))
        return false;
    if (m->sport && r->sport != m->sport)
        return false;
    if (m->dport && r->dport != m->dport)
        return false;
    return true;
}

static inline size_t H_count_udp(sim_world *w, sim_node *n, sim_dir dir, const char *src, const char *dst,
                                 uint16_t sport, uint16_t dport, sim_time from, sim_time to)
{
    H_udp_match m = {.sport = sport, .dport = dport, .from = from, .to = to};
    if (src)
        m.src = T_ip(src);
    if (dst)
        m.dst = T_ip(dst);
    return T_count(w, n ? sim_node_id(n) : -1, (int)dir, H_udp_pred, &m);
}

#endif
