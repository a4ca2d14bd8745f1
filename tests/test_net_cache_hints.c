/*
 * test_net_cache_hints.c — the simulator's prefetch hints (sim/net/prefetch.c)
 * change nothing a run produces, and do record per-flow notes where they
 * should: on a hub's interfaces, not on a host's, and nowhere when off.
 *
 * The world is `wgsim bench scale` in small: a hub firewall with a
 * WireGuard device and HOSTS road warriors, each host on its own link and
 * pinging the hub through its tunnel once a second. HOSTS is above the
 * size at which a node counts as small, so the hub takes the per-flow
 * notes and the hosts the walk.
 */
#include "net_topo.h"

#include "sim/net/net.h"

#define HOSTS 8
#define SECONDS 20

typedef struct hub_world {
    sim_world *w;
    sim_node *hub;
    sim_iface *hub_if[HOSTS], *host_if[HOSTS];
    sim_ping *ping[HOSTS];
    sim_capture *cap_hub, *cap_link;
} hub_world;

static void build(hub_world *hw, bool hints)
{
    memset(hw, 0, sizeof *hw);
    hw->w = T_world(5);
    if (!hints)
        sim_cache_hints_enable(hw->w, false);
    hw->hub = sim_node_new(hw->w, "hub", SIM_NODE_FIREWALL, WG_PLATFORM_FREEBSD);
    ck_assert_ptr_nonnull(hw->hub);
    sim_node *host[HOSTS];
    char name[32], cidr[32];
    for (int i = 0; i < HOSTS; i++) {
        snprintf(name, sizeof name, "link%d", i);
        sim_segment *s = T_seg(hw->w, name, SIM_MS);
        snprintf(name, sizeof name, "em%d", i);
        snprintf(cidr, sizeof cidr, "10.0.%d.1/30", i);
        hw->hub_if[i] = T_if(hw->hub, name, s, cidr);
        snprintf(name, sizeof name, "host%d", i);
        host[i] = sim_node_new(hw->w, name, SIM_NODE_HOST, WG_PLATFORM_LINUX);
        ck_assert_ptr_nonnull(host[i]);
        snprintf(cidr, sizeof cidr, "10.0.%d.2/30", i);
        hw->host_if[i] = T_if(host[i], "eth0", s, cidr);
    }
    sim_fw *fw = sim_fw_attach(hw->hub, NULL);
    ck_assert_ptr_nonnull(fw);
    sim_fw_start(fw);
    sim_rng keys;
    sim_rng_init(&keys, 5, "cache-hints-keys");
    wg_device_config hc = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    sim_rng_bytes(&keys, hc.private_key, WG_KEY_LEN);
    wg_key_clamp(hc.private_key);
    wg_prefix hub_tun = T_pfx("100.64.0.1/10");
    sim_wg *hub_wg = sim_wg_new(hw->hub, "wg0", &hc, &hub_tun);
    ck_assert_ptr_nonnull(hub_wg);
    wg_prefix hub_host = T_pfx("100.64.0.1/32");
    for (int i = 0; i < HOSTS; i++) {
        wg_device_config c = {.listen_port = 51820, .platform = WG_PLATFORM_LINUX};
        sim_rng_bytes(&keys, c.private_key, WG_KEY_LEN);
        wg_key_clamp(c.private_key);
        snprintf(cidr, sizeof cidr, "100.64.1.%d/10", i + 1);
        wg_prefix ta = T_pfx(cidr);
        sim_wg *h = sim_wg_new(host[i], "wg0", &c, &ta);
        ck_assert_ptr_nonnull(h);
        snprintf(cidr, sizeof cidr, "10.0.%d.1", i);
        wg_peer_config to_hub = {.has_endpoint = true, .endpoint = {.ip = T_ip(cidr), .port = 51820},
                                 .allowed_ips = &hub_host, .n_allowed_ips = 1};
        wg_device_public_key(sim_wg_device(hub_wg), to_hub.public_key);
        snprintf(cidr, sizeof cidr, "100.64.1.%d/32", i + 1);
        wg_prefix aip = T_pfx(cidr);
        wg_peer_config to_host = {.allowed_ips = &aip, .n_allowed_ips = 1};
        wg_device_public_key(sim_wg_device(h), to_host.public_key);
        ck_assert_int_ge(sim_wg_add_peer(h, &to_hub, true), 0);
        ck_assert_int_ge(sim_wg_add_peer(hub_wg, &to_host, true), 0);
        sim_ping_config pc = {.dst = hub_tun.ip, .start = (sim_time)i * SIM_S / HOSTS, .interval = SIM_S};
        hw->ping[i] = sim_ping_start(host[i], &pc);
        ck_assert_ptr_nonnull(hw->ping[i]);
    }
    hw->cap_hub = sim_capture_iface(hw->hub_if[3]);
    hw->cap_link = sim_capture_segment(sim_iface_segment(hw->host_if[5]));
    ck_assert_ptr_nonnull(hw->cap_hub);
    ck_assert_ptr_nonnull(hw->cap_link);
    T_run(hw->w, SECONDS * SIM_S);
}

static void assert_same_capture(const sim_capture *a, const sim_capture *b)
{
    size_t la, lb;
    const uint8_t *da = sim_capture_data(a, &la), *db = sim_capture_data(b, &lb);
    ck_assert_uint_gt(sim_capture_frames(a), 2 * (SECONDS - 2));
    ck_assert_uint_eq(la, lb);
    ck_assert_msg(memcmp(da, db, la) == 0, "%s: the captures differ", sim_capture_name(a));
}

/* The same run with and without hints: the same frames, byte for byte,
 * the same events, the same ping results. */
START_TEST(test_hints_change_nothing)
{
    hub_world on, off;
    build(&on, true);
    build(&off, false);
    assert_same_capture(on.cap_hub, off.cap_hub);
    assert_same_capture(on.cap_link, off.cap_link);
    ck_assert_uint_eq(sim_world_engine(on.w)->executed, sim_world_engine(off.w)->executed);
    for (int i = 0; i < HOSTS; i++) {
        sim_ping_totals a, b;
        sim_ping_totals_get(on.ping[i], &a);
        sim_ping_totals_get(off.ping[i], &b);
        ck_assert_uint_ge(a.answered, SECONDS - 2);
        ck_assert_uint_eq(a.echoes, b.echoes);
        ck_assert_uint_eq(a.answered, b.answered);
    }
    sim_world_free(on.w);
    sim_world_free(off.w);
}
END_TEST

/* A hub's interface keeps the objects its flow read: received (the
 * datagram's lookups, the inner packet's, the reply's routing) and sent
 * (encryption and the datagram's output); a host (walked instead) keeps
 * none, and neither does anything with hints off. */
START_TEST(test_notes_where_expected)
{
    hub_world on, off;
    build(&on, true);
    build(&off, false);
    for (int i = 0; i < HOSTS; i++) {
        const sim_warm *wm = on.hub_if[i]->warm;
        ck_assert_msg(wm != NULL, "hub em%d has no notes", i);
        ck_assert_uint_ge(wm->n_rx, 8);
        ck_assert_uint_ge(wm->n_tx, 8);
        /* Below the caps: nothing the flow read was cut off. */
        ck_assert_uint_lt(wm->n_rx, SIM_WARM_RX);
        ck_assert_uint_lt(wm->n_tx, SIM_WARM_TX);
        ck_assert_ptr_null(on.host_if[i]->warm);
        ck_assert_ptr_null(off.hub_if[i]->warm);
    }
    /* Nothing records between events. */
    ck_assert_uint_eq(sim_touch_rec_.max, 0);
    sim_touch(&on);
    ck_assert_uint_eq(sim_touch_rec_.n, 0);
    sim_world_free(on.w);
    sim_world_free(off.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_cache_hints");
    TCase *tc = tcase_create("hints");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_hints_change_nothing);
    tcase_add_test(tc, test_notes_where_expected);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
