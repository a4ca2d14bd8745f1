/*
 * net_topo.h — small helpers for the net_* tests: build worlds, segments,
 * nodes and addresses from strings, count trace records and events.
 * Every helper aborts the test (ck_assert) on a setup error.
 */
#ifndef NET_TOPO_H
#define NET_TOPO_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "suite_run.h"

/* A packet's source reason in words (a static buffer: one at a time). */
static inline const char *T_reason(const sim_world *w, const sim_trace_rec *r)
{
    static char buf[1024];
    if (!r->reason)
        return "(none)";
    sim_src_reason_format(w, r->reason, buf, sizeof buf);
    return buf;
}

static inline wg_ip T_ip(const char *s)
{
    wg_ip ip;
    ck_assert_msg(wg_ip_parse(s, &ip), "bad address %s", s);
    return ip;
}

static inline wg_prefix T_pfx(const char *s)
{
    wg_prefix p;
    ck_assert_msg(wg_prefix_parse(s, &p), "bad prefix %s", s);
    return p;
}

static inline sim_world *T_world(uint64_t seed)
{
    ck_assert_int_eq(wg_crypto_init(), 0);
    sim_world_config c = {.seed = seed};
    sim_world *w = sim_world_new(&c);
    ck_assert_ptr_nonnull(w);
    return w;
}

static inline sim_segment *T_seg(sim_world *w, const char *name, sim_time delay)
{
    sim_segment_config c = {.delay = delay};
    sim_segment *s = sim_segment_new(w, name, &c);
    ck_assert_ptr_nonnull(s);
    return s;
}

static inline sim_node *T_node(sim_world *w, const char *name, sim_node_kind kind)
{
    sim_node *n = sim_node_new(w, name, kind, WG_PLATFORM_FREEBSD);
    ck_assert_ptr_nonnull(n);
    return n;
}

/* Interface `ifname` on segment seg with address cidr (NULL: none). */
static inline sim_iface *T_if(sim_node *n, const char *ifname, sim_segment *seg, const char *cidr)
{
    sim_iface *ifp = sim_iface_new(n, ifname, seg);
    ck_assert_ptr_nonnull(ifp);
    if (cidr) {
        wg_prefix p = T_pfx(cidr);
        ck_assert_int_eq(sim_iface_add_addr(ifp, &p, false, 0, 0), SIM_OK);
    }
    return ifp;
}

static inline void T_route(sim_node *n, const char *dst, const char *via)
{
    sim_route r = {0};
    r.dst = T_pfx(dst);
    r.gateway = T_ip(via);
    r.origin = SIM_RT_STATIC;
    ck_assert_int_eq(sim_route_add(n, &r), SIM_OK);
}

static inline void T_run(sim_world *w, sim_time until) { sim_world_run_until(w, until); }

/* Counts trace records of node `node` (-1: any) in direction dir. */
typedef bool (*T_pred)(const sim_trace_rec *r, const void *arg);
static inline size_t T_count(const sim_world *w, int node, int dir, T_pred pred, const void *arg)
{
    size_t k = 0;
    for (size_t i = 0; i < sim_trace_count(w); i++) {
        sim_trace_rec r_v; sim_trace_get(w, i, &r_v); const sim_trace_rec *r = &r_v;
        if (node >= 0 && r->node != node)
            continue;
        if (dir >= 0 && (int)r->dir != dir)
            continue;
        if (!pred || pred(r, arg))
            k++;
    }
    return k;
}

static inline size_t T_events_containing(const sim_world *w, const char *needle)
{
    size_t k = 0;
    for (size_t i = 0; i < sim_event_count(w); i++)
        if (strstr(sim_event_at(w, i)->text, needle))
            k++;
    return k;
}

/* A UDP receiver that records what arrived. */
typedef struct T_rx {
    int n;
    sim_udp_rx last;
    uint8_t data[2048];
    size_t len;
    sim_time at[4096];
    sim_time sent_at[4096];
} T_rx;

static inline void T_on_udp(void *ctx, sim_udp_sock *s, const sim_udp_rx *rx, const uint8_t *data, size_t len)
{
    (void)s;
    T_rx *r = ctx;
    r->last = *rx;
    r->len = len < sizeof r->data ? len : sizeof r->data;
    memcpy(r->data, data, r->len);
    if (r->n < 4096) {
        r->at[r->n] = sim_world_now(sim_node_world(sim_udp_node(s)));
        if (len >= 8) {
            int64_t t = 0;
            memcpy(&t, data, 8);
            r->sent_at[r->n] = t;
        }
    }
    r->n++;
}

/* An ICMP listener that records the messages. */
typedef struct T_icmp {
    int n;
    sim_ipv4_info last;
    uint8_t quoted[64];
    size_t quoted_len;
} T_icmp;

static inline void T_on_icmp(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip)
{
    (void)n;
    (void)in;
    T_icmp *r = ctx;
    r->last = *ip;
    r->quoted_len = ip->payload_len < sizeof r->quoted ? ip->payload_len : sizeof r->quoted;
    memcpy(r->quoted, ip->payload, r->quoted_len);
    r->last.payload = NULL;
    r->n++;
}

/* a (10.0.1.10) --s1-- r1 --s12-- r2 --s2-- b (10.0.2.10): two routers,
 * segments with `delay` each. Default routes everywhere. */
typedef struct T_chain {
    sim_world *w;
    sim_segment *s1, *s12, *s2;
    sim_node *a, *r1, *r2, *b;
} T_chain;

static inline T_chain T_chain_new(uint64_t seed, sim_time delay)
{
    T_chain c;
    c.w = T_world(seed);
    c.s1 = T_seg(c.w, "s1", delay);
    c.s12 = T_seg(c.w, "s12", delay);
    c.s2 = T_seg(c.w, "s2", delay);
    c.a = T_node(c.w, "a", SIM_NODE_HOST);
    c.r1 = T_node(c.w, "r1", SIM_NODE_ROUTER);
    c.r2 = T_node(c.w, "r2", SIM_NODE_ROUTER);
    c.b = T_node(c.w, "b", SIM_NODE_HOST);
    T_if(c.a, "eth0", c.s1, "10.0.1.10/24");
    T_if(c.r1, "lan", c.s1, "10.0.1.1/24");
    T_if(c.r1, "core", c.s12, "172.16.0.1/30");
    T_if(c.r2, "core", c.s12, "172.16.0.2/30");
    T_if(c.r2, "lan", c.s2, "10.0.2.1/24");
    T_if(c.b, "eth0", c.s2, "10.0.2.10/24");
    T_route(c.a, "0.0.0.0/0", "10.0.1.1");
    T_route(c.b, "0.0.0.0/0", "10.0.2.1");
    T_route(c.r1, "0.0.0.0/0", "172.16.0.2");
    T_route(c.r2, "0.0.0.0/0", "172.16.0.1");
    return c;
}

/* The same chain with a smaller MTU on the core segment s12 (r1 and r2
 * fragment, or refuse DF packets, there). */
static inline T_chain T_chain_mtu(uint64_t seed, sim_time delay, uint32_t core_mtu)
{
    T_chain c = T_chain_new(seed, delay);
    sim_segment_config sc = *sim_segment_get_config(c.s12);
    sc.mtu = core_mtu;
    ck_assert(sim_segment_set_config(c.s12, &sc));
    return c;
}

/* WireGuard on a and b of a chain: a = 10.99.0.1 (knows b's endpoint),
 * b = 10.99.0.2 (learns a's). Keys drawn from a stream of the world seed. */
typedef struct T_wgpair {
    sim_wg *wa, *wb;
    int peer_b; /* on a */
    int peer_a; /* on b */
} T_wgpair;

static inline T_wgpair T_wg_pair(sim_world *w, sim_node *a, sim_node *b, const char *b_endpoint)
{
    T_wgpair p;
    sim_rng keys;
    sim_rng_init(&keys, sim_world_seed(w), "test-keys");
    wg_device_config ca = {.listen_port = 51820, .platform = sim_node_platform(a)};
    wg_device_config cb = {.listen_port = 51820, .platform = sim_node_platform(b)};
    sim_rng_bytes(&keys, ca.private_key, WG_KEY_LEN);
    sim_rng_bytes(&keys, cb.private_key, WG_KEY_LEN);
    wg_key_clamp(ca.private_key);
    wg_key_clamp(cb.private_key);
    wg_prefix ta = T_pfx("10.99.0.1/24"), tb = T_pfx("10.99.0.2/24");
    p.wa = sim_wg_new(a, "wg0", &ca, &ta);
    p.wb = sim_wg_new(b, "wg0", &cb, &tb);
    ck_assert_ptr_nonnull(p.wa);
    ck_assert_ptr_nonnull(p.wb);
    wg_prefix aip_b = T_pfx("10.99.0.2/32"), aip_a = T_pfx("10.99.0.1/32");
    wg_peer_config pb = {.allowed_ips = &aip_b, .n_allowed_ips = 1};
    wg_device_public_key(sim_wg_device(p.wb), pb.public_key);
    if (b_endpoint) {
        pb.has_endpoint = true;
        ck_assert(wg_endpoint_parse(b_endpoint, &pb.endpoint));
    }
    wg_peer_config pa = {.allowed_ips = &aip_a, .n_allowed_ips = 1};
    wg_device_public_key(sim_wg_device(p.wa), pa.public_key);
    p.peer_b = sim_wg_add_peer(p.wa, &pb, true);
    p.peer_a = sim_wg_add_peer(p.wb, &pa, true);
    ck_assert_int_ge(p.peer_b, 0);
    ck_assert_int_ge(p.peer_a, 0);
    return p;
}

#endif
