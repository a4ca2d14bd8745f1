/*
 * test_net_wg_service.c — two WireGuard details around a peer's endpoint:
 *  - pfSense's WireGuard service (sim/pfsense/wg_service.c) puts the
 *    configured endpoint back at start and every resolve interval, counted
 *    from the node's boot or the service's restart; interval 0 only at
 *    start; peers without a configured endpoint and nodes without the
 *    service keep what they learned;
 *  - a packet routed into a tunnel whose peer has no endpoint (or no peer
 *    for its destination) is answered with ICMP host unreachable on FreeBSD
 *    and Linux, and dropped silently on OpenBSD and wireguard-go
 *    (sim/wg/wg_host.c xmit_answers_icmp).
 */
#include "net_topo.h"

/* ---- the service ---- */

/* remote (192.0.2.10) with wg0 and one peer configured at 198.51.100.1:51820;
 * nothing answers there: the test moves the device's endpoint by hand, as a
 * roam to an authenticated packet from elsewhere would. */
typedef struct svc_world {
    sim_world *w;
    sim_node *remote;
    sim_wg *wg;
    int peer;       /* configured endpoint */
    int peer_noep;  /* no configured endpoint */
} svc_world;

static svc_world svc_new(uint64_t seed)
{
    svc_world t;
    t.w = T_world(seed);
    sim_segment *net = T_seg(t.w, "net", SIM_MS);
    t.remote = T_node(t.w, "remote", SIM_NODE_FIREWALL);
    T_if(t.remote, "net", net, "192.0.2.10/24");
    wg_device_config cfg = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    memset(cfg.private_key, 7, WG_KEY_LEN);
    wg_key_clamp(cfg.private_key);
    wg_prefix ta = T_pfx("10.99.0.2/24");
    t.wg = sim_wg_new(t.remote, "wg0", &cfg, &ta);
    ck_assert_ptr_nonnull(t.wg);
    wg_prefix aip1 = T_pfx("10.99.0.1/32"), aip3 = T_pfx("10.99.0.3/32");
    wg_peer_config p1 = {.allowed_ips = &aip1, .n_allowed_ips = 1, .has_endpoint = true};
    memset(p1.public_key, 1, WG_KEY_LEN);
    ck_assert(wg_endpoint_parse("198.51.100.1:51820", &p1.endpoint));
    wg_peer_config p3 = {.allowed_ips = &aip3, .n_allowed_ips = 1};
    memset(p3.public_key, 3, WG_KEY_LEN);
    t.peer = sim_wg_add_peer(t.wg, &p1, true);
    t.peer_noep = sim_wg_add_peer(t.wg, &p3, true);
    ck_assert_int_ge(t.peer, 0);
    ck_assert_int_ge(t.peer_noep, 0);
    return t;
}

/* Moves both peers' endpoints in the device only (not the configuration). */
static void roam(svc_world *t, const char *ep)
{
    wg_endpoint e;
    ck_assert(wg_endpoint_parse(ep, &e));
    ck_assert(wg_device_set_endpoint(sim_wg_device(t->wg), t->peer, &e, sim_world_now(t->w)));
    ck_assert(wg_device_set_endpoint(sim_wg_device(t->wg), t->peer_noep, &e, sim_world_now(t->w)));
    sim_wg_changed(t->wg);
}

static bool endpoint_is(const svc_world *t, int peer, const char *ep)
{
    wg_peer_info pi;
    wg_endpoint e;
    ck_assert(wg_endpoint_parse(ep, &e));
    ck_assert(wg_device_peer_info(sim_wg_device(t->wg), peer, &pi));
    return pi.has_endpoint && wg_endpoint_eq(&pi.endpoint, &e);
}

START_TEST(test_service_reapplies_every_interval_from_boot)
{
    svc_world t = svc_new(1);
    sim_wg_service *s = sim_wg_service_start(t.remote, 300 * SIM_S);
    ck_assert_ptr_nonnull(s);
    T_run(t.w, 10 * SIM_S);
    ck_assert_uint_eq(sim_wg_service_changes(s), 0); /* at start: already the configured one */
    roam(&t, "198.51.100.2:51820");
    T_run(t.w, 300 * SIM_S - 1);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.2:51820"));
    T_run(t.w, 300 * SIM_S);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.1:51820"));
    /* a peer with no configured endpoint keeps the one it learned */
    ck_assert(endpoint_is(&t, t.peer_noep, "198.51.100.2:51820"));
    ck_assert_uint_eq(sim_wg_service_changes(s), 1);
    ck_assert_uint_eq(T_events_containing(t.w, "WireGuard service re-applies the configured endpoints"), 1);
    /* and again one interval later */
    roam(&t, "198.51.100.3:51820");
    T_run(t.w, 600 * SIM_S);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.1:51820"));
    ck_assert_uint_eq(sim_wg_service_changes(s), 2);
    sim_world_free(t.w);
}
END_TEST

/* A roam at 1 s that nothing undoes within an hour: interval 0 (pfSense:
 * re-resolving off, the run at start only), or no service at all (a plain
 * WireGuard host). */
static void ck_stays_roamed(uint64_t seed, bool service)
{
    svc_world t = svc_new(seed);
    sim_wg_service *s = service ? sim_wg_service_start(t.remote, 0) : NULL;
    T_run(t.w, SIM_S);
    roam(&t, "198.51.100.2:51820");
    T_run(t.w, 3600 * SIM_S);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.2:51820"));
    ck_assert_uint_eq(sim_wg_service_changes(s), 0);
    sim_world_free(t.w);
}

START_TEST(test_service_interval_zero_only_at_start)
{
    ck_stays_roamed(2, true);
}
END_TEST

START_TEST(test_service_phase_follows_power_on_and_restart)
{
    svc_world t = svc_new(3);
    sim_wg_service *s = sim_wg_service_start(t.remote, 300 * SIM_S);
    T_run(t.w, 100 * SIM_S);
    sim_node_set_power(t.remote, false);
    T_run(t.w, 110 * SIM_S);
    sim_node_set_power(t.remote, true); /* the daemon starts again: runs at 110 s, 410 s, ... */
    T_run(t.w, 120 * SIM_S);
    roam(&t, "198.51.100.2:51820");
    T_run(t.w, 409 * SIM_S);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.2:51820")); /* not at 300 s */
    T_run(t.w, 411 * SIM_S);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.1:51820"));
    ck_assert_uint_eq(sim_wg_service_changes(s), 1);
    /* a service restart (recreates the interface, so the endpoint is the
     * configured one again) restarts the daemon's clock: 500, 800, ... */
    T_run(t.w, 500 * SIM_S);
    sim_wg_restart(t.wg);
    T_run(t.w, 510 * SIM_S);
    roam(&t, "198.51.100.2:51820");
    T_run(t.w, 709 * SIM_S + 999 * SIM_MS); /* the old phase (710 s) has no run */
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.2:51820"));
    T_run(t.w, 800 * SIM_S);
    ck_assert(endpoint_is(&t, t.peer, "198.51.100.1:51820"));
    sim_world_free(t.w);
}
END_TEST

START_TEST(test_no_service_keeps_learned_endpoint)
{
    ck_stays_roamed(4, false);
}
END_TEST

/* ---- ICMP host unreachable from the tunnel ---- */

/* h (10.0.0.10) --lan-- r (10.0.0.1, platform p) with wg0 10.99.0.1/24: a
 * peer for 10.99.0.2/32 without endpoint, and a static route for
 * 10.98.0.0/24 into wg0 that no peer's allowed-ips covers. */
typedef struct xmit_world {
    sim_world *w;
    sim_node *h, *r;
    T_icmp icmp;
} xmit_world;

static void xmit_new(xmit_world *t, uint64_t seed, wg_platform p)
{
    t->w = T_world(seed);
    sim_segment *lan = T_seg(t->w, "lan", SIM_MS);
    t->h = T_node(t->w, "h", SIM_NODE_HOST);
    t->r = sim_node_new(t->w, "r", SIM_NODE_ROUTER, p);
    ck_assert_ptr_nonnull(t->r);
    T_if(t->h, "eth0", lan, "10.0.0.10/24");
    T_if(t->r, "lan", lan, "10.0.0.1/24");
    T_route(t->h, "0.0.0.0/0", "10.0.0.1");
    wg_device_config cfg = {.listen_port = 51820, .platform = p};
    memset(cfg.private_key, 9, WG_KEY_LEN);
    wg_key_clamp(cfg.private_key);
    wg_prefix ta = T_pfx("10.99.0.1/24");
    sim_wg *wg = sim_wg_new(t->r, "wg0", &cfg, &ta);
    ck_assert_ptr_nonnull(wg);
    wg_prefix aip = T_pfx("10.99.0.2/32");
    wg_peer_config pc = {.allowed_ips = &aip, .n_allowed_ips = 1};
    memset(pc.public_key, 2, WG_KEY_LEN);
    ck_assert_int_ge(sim_wg_add_peer(wg, &pc, true), 0);
    sim_route rt = {.dst = T_pfx("10.98.0.0/24"), .ifindex = sim_iface_index(sim_wg_iface(wg)),
                    .origin = SIM_RT_STATIC};
    ck_assert_int_eq(sim_route_add(t->r, &rt), SIM_OK);
    memset(&t->icmp, 0, sizeof t->icmp);
    sim_node_add_icmp_listener(t->h, T_on_icmp, &t->icmp);
}

/* Pings dst 5 times from h; returns how many ICMP host unreachable h got
 * from r's address about dst. */
static int unreachables_for(xmit_world *t, const char *dst)
{
    int before = t->icmp.n;
    sim_ping_config pc = {.dst = T_ip(dst), .start = sim_world_now(t->w) + SIM_S, .interval = SIM_S, .count = 5};
    ck_assert_ptr_nonnull(sim_ping_start(t->h, &pc));
    T_run(t->w, sim_world_now(t->w) + 10 * SIM_S);
    int n = t->icmp.n - before;
    if (n) {
        wg_ip rip = T_ip("10.0.0.1"), d = T_ip(dst);
        ck_assert_uint_eq(t->icmp.last.icmp_type, SIM_ICMP_UNREACH);
        ck_assert_uint_eq(t->icmp.last.icmp_code, SIM_ICMP_UNREACH_HOST);
        ck_assert(wg_ip_eq(&t->icmp.last.src, &rip));
        /* the quoted header is the echo request's: its destination */
        ck_assert_uint_ge(t->icmp.quoted_len, 20); /* payload: after the ICMP header */
        const uint8_t *qd = t->icmp.quoted + 16;
        wg_ip q = wg_ip4_from_u32((uint32_t)qd[0] << 24 | (uint32_t)qd[1] << 16 | (uint32_t)qd[2] << 8 | qd[3]);
        ck_assert(wg_ip_eq(&q, &d));
    }
    return n;
}

START_TEST(test_no_endpoint_icmp_host_unreachable_freebsd_linux)
{
    static const wg_platform ps[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_LINUX};
    for (size_t i = 0; i < 2; i++) {
        xmit_world t;
        xmit_new(&t, 10 + i, ps[i]);
        ck_assert_int_eq(unreachables_for(&t, "10.99.0.2"), 5); /* peer without endpoint */
        ck_assert_int_eq(unreachables_for(&t, "10.98.0.5"), 5); /* no peer for the destination */
        ck_assert_uint_ge(T_events_containing(t.w, "ICMP host unreachable to 10.0.0.10 for 10.99.0.2"), 5);
        sim_world_free(t.w);
    }
}
END_TEST

START_TEST(test_no_endpoint_silent_openbsd_wireguard_go)
{
    static const wg_platform ps[] = {WG_PLATFORM_OPENBSD, WG_PLATFORM_WIREGUARD_GO};
    for (size_t i = 0; i < 2; i++) {
        xmit_world t;
        xmit_new(&t, 20 + i, ps[i]);
        ck_assert_int_eq(unreachables_for(&t, "10.99.0.2"), 0);
        ck_assert_int_eq(unreachables_for(&t, "10.98.0.5"), 0);
        sim_world_free(t.w);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_wg_service");
    TCase *tc = tcase_create("service");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_service_reapplies_every_interval_from_boot);
    tcase_add_test(tc, test_service_interval_zero_only_at_start);
    tcase_add_test(tc, test_service_phase_follows_power_on_and_restart);
    tcase_add_test(tc, test_no_service_keeps_learned_endpoint);
    suite_add_tcase(s, tc);
    TCase *tx = tcase_create("xmit");
    tcase_set_timeout(tx, 120);
    tcase_add_test(tx, test_no_endpoint_icmp_host_unreachable_freebsd_linux);
    tcase_add_test(tx, test_no_endpoint_silent_openbsd_wireguard_go);
    suite_add_tcase(s, tx);
    return T_run_suite(s);
}
