/*
 * test_net_names.c — the string -> pointer map of sim/net/names.h and the
 * lookups built on it (issue 17, "Scale"): nodes and segments of a world
 * by name, interfaces of a node by name, a node's local addresses, and the
 * WireGuard host's peer by device id. Each used to be a linear scan; the
 * tests check that the indexes give the answers the scans gave, after many
 * inserts and after deletions.
 */
#include "net_topo.h"
#include "sim/net/net.h" /* sim_ipv4_is_broadcast_for, and names.h */

/* ---- the map itself ---- */

START_TEST(map_basics)
{
    sim_names m = {0};
    int a, b;
    ck_assert_ptr_null(sim_names_get(&m, "a")); /* empty map, no table yet */
    ck_assert(sim_names_put(&m, "a", &a));
    ck_assert(sim_names_put(&m, "b", &b));
    ck_assert(!sim_names_put(&m, "a", &b)); /* present: refused, value kept */
    ck_assert(!sim_names_put(&m, NULL, &a));
    ck_assert(!sim_names_put(&m, "c", NULL));
    ck_assert_ptr_eq(sim_names_get(&m, "a"), &a);
    ck_assert_ptr_eq(sim_names_get(&m, "b"), &b);
    ck_assert_ptr_null(sim_names_get(&m, "c"));
    ck_assert_ptr_null(sim_names_get(&m, NULL));
    ck_assert_ptr_null(sim_names_get(&m, ""));
    /* The key is compared by content, not by pointer. */
    char copy[] = "a";
    ck_assert_ptr_eq(sim_names_get(&m, copy), &a);
    ck_assert(sim_names_del(&m, "a"));
    ck_assert(!sim_names_del(&m, "a"));
    ck_assert_ptr_null(sim_names_get(&m, "a"));
    ck_assert_ptr_eq(sim_names_get(&m, "b"), &b);
    ck_assert_uint_eq(m.n, 1);
    sim_names_free(&m);
    ck_assert_ptr_null(sim_names_get(&m, "b"));
    ck_assert(sim_names_put(&m, "b", &b)); /* usable again after free */
    sim_names_free(&m);
}
END_TEST

#define MANY 100000

START_TEST(map_many_inserts_and_deletes)
{
    /* Names like a scenario's generated ones: a common prefix and an
     * index, the case a weak hash clusters. */
    char (*keys)[16] = malloc(MANY * sizeof *keys);
    ck_assert_ptr_nonnull(keys);
    sim_names m = {0};
    for (size_t i = 0; i < MANY; i++) {
        snprintf(keys[i], sizeof keys[i], "peer%zu", i);
        ck_assert(sim_names_put(&m, keys[i], keys[i]));
    }
    ck_assert_uint_eq(m.n, MANY);
    ck_assert_uint_le(m.n * 4, m.cap * 3); /* the documented load bound */
    for (size_t i = 0; i < MANY; i++)
        ck_assert_ptr_eq(sim_names_get(&m, keys[i]), keys[i]);
    ck_assert_ptr_null(sim_names_get(&m, "peer100000"));
    ck_assert_ptr_null(sim_names_get(&m, "peer"));
    /* Delete every third: the others must stay reachable across the
     * holes (backward-shift deletion moves them). */
    for (size_t i = 0; i < MANY; i += 3)
        ck_assert(sim_names_del(&m, keys[i]));
    for (size_t i = 0; i < MANY; i++)
        if (i % 3 == 0)
            ck_assert_ptr_null(sim_names_get(&m, keys[i]));
        else
            ck_assert_ptr_eq(sim_names_get(&m, keys[i]), keys[i]);
    for (size_t i = 0; i < MANY; i += 3)
        ck_assert(sim_names_put(&m, keys[i], keys[i]));
    for (size_t i = 0; i < MANY; i++)
        ck_assert_ptr_eq(sim_names_get(&m, keys[i]), keys[i]);
    sim_names_free(&m);
    free(keys);
}
END_TEST

/* Random puts, deletes and gets against a plain array of what should be
 * there: a small key pool so that the same probe runs are hit over and
 * over, which is where a deletion bug shows. */
START_TEST(map_matches_reference_under_random_ops)
{
    enum { POOL = 600, OPS = 200000 };
    static char keys[POOL][12];
    static bool present[POOL];
    for (size_t i = 0; i < POOL; i++)
        snprintf(keys[i], sizeof keys[i], "k%zu", i);
    sim_rng r;
    sim_rng_init(&r, 7, "names-test");
    sim_names m = {0};
    size_t n = 0;
    for (int op = 0; op < OPS; op++) {
        size_t k = (size_t)sim_rng_below(&r, POOL);
        switch (sim_rng_below(&r, 3)) {
        case 0:
            ck_assert(sim_names_put(&m, keys[k], keys[k]) == !present[k]);
            n += !present[k];
            present[k] = true;
            break;
        case 1:
            ck_assert(sim_names_del(&m, keys[k]) == present[k]);
            n -= present[k];
            present[k] = false;
            break;
        default: ck_assert_ptr_eq(sim_names_get(&m, keys[k]), present[k] ? keys[k] : NULL); break;
        }
        ck_assert_uint_eq(m.n, n);
    }
    for (size_t i = 0; i < POOL; i++)
        ck_assert_ptr_eq(sim_names_get(&m, keys[i]), present[i] ? keys[i] : NULL);
    sim_names_free(&m);
}
END_TEST

START_TEST(hash_spreads_indexed_names)
{
    /* 4096 indexed names into 4096 buckets by the low bits (what a
     * power-of-two table uses): a hash that behaves like a random one
     * fills about 1 - 1/e of them (63 %). */
    enum { K = 4096 };
    static bool used[K];
    size_t filled = 0;
    for (size_t i = 0; i < K; i++) {
        char name[24];
        snprintf(name, sizeof name, "host%zu", i);
        size_t b = (size_t)sim_names_hash(name) & (K - 1);
        filled += !used[b];
        used[b] = true;
    }
    ck_assert_uint_gt(filled, K * 55 / 100);
    ck_assert_uint_lt(filled, K * 72 / 100);
}
END_TEST

/* ---- the world's lookups ---- */

#define WORLD_N 20000

START_TEST(world_lookups_after_many_inserts)
{
    sim_world *w = T_world(1);
    char name[32];
    for (size_t i = 0; i < WORLD_N; i++) {
        snprintf(name, sizeof name, "seg%zu", i);
        T_seg(w, name, 0);
        snprintf(name, sizeof name, "node%zu", i);
        T_node(w, name, SIM_NODE_HOST);
    }
    ck_assert_uint_eq(sim_world_segment_count(w), WORLD_N);
    ck_assert_uint_eq(sim_world_node_count(w), WORLD_N);
    for (size_t i = 0; i < WORLD_N; i++) {
        snprintf(name, sizeof name, "seg%zu", i);
        sim_segment *s = sim_world_segment(w, name);
        ck_assert_ptr_eq(s, sim_world_segment_at(w, i));
        ck_assert_str_eq(sim_segment_name(s), name);
        snprintf(name, sizeof name, "node%zu", i);
        sim_node *n = sim_world_node(w, name);
        ck_assert_ptr_eq(n, sim_world_node_at(w, i));
        ck_assert_int_eq(sim_node_id(n), (int)i);
    }
    /* Names are per kind: a segment and a node may share one; duplicates
     * of a kind are refused. */
    ck_assert_ptr_null(sim_world_node(w, "seg1"));
    ck_assert_ptr_null(sim_world_segment(w, "node1"));
    ck_assert_ptr_null(sim_node_new(w, "node7", SIM_NODE_HOST, WG_PLATFORM_FREEBSD));
    ck_assert_ptr_null(sim_segment_new(w, "seg7", NULL));
    ck_assert_ptr_nonnull(sim_node_new(w, "seg7", SIM_NODE_HOST, WG_PLATFORM_FREEBSD));
    ck_assert_ptr_null(sim_world_node(w, "node20000"));
    ck_assert_uint_eq(sim_world_node_count(w), WORLD_N + 1);
    sim_world_free(w);
}
END_TEST

#define IFACES 3000

static wg_ip nth_addr(size_t i, unsigned host)
{
    return wg_ip4_from_u32(UINT32_C(0x0a000000) + (uint32_t)(4 * i) + host); /* 10.0.0.0/8 in /30s */
}

START_TEST(iface_and_addr_lookups_after_many_inserts)
{
    /* A hub: one interface per segment, two addresses each. */
    sim_world *w = T_world(1);
    sim_node *hub = T_node(w, "hub", SIM_NODE_FIREWALL);
    char name[32];
    for (size_t i = 0; i < IFACES; i++) {
        snprintf(name, sizeof name, "s%zu", i);
        sim_segment *s = T_seg(w, name, 0);
        snprintf(name, sizeof name, "em%zu", i);
        sim_iface *ifp = sim_iface_new(hub, name, s);
        ck_assert_ptr_nonnull(ifp);
        for (unsigned h = 1; h <= 2; h++) {
            wg_prefix p = {.ip = nth_addr(i, h), .len = 30};
            ck_assert_int_eq(sim_iface_add_addr(ifp, &p, false, 0, SIM_ADDR_NOGARP), SIM_OK);
        }
    }
    for (size_t i = 0; i < IFACES; i++) {
        snprintf(name, sizeof name, "em%zu", i);
        sim_iface *ifp = sim_node_iface(hub, name);
        ck_assert_ptr_nonnull(ifp);
        ck_assert_uint_eq(sim_iface_index(ifp), i + 1);
        ck_assert_str_eq(sim_iface_name(ifp), name);
        for (unsigned h = 1; h <= 2; h++) {
            wg_ip ip = nth_addr(i, h);
            sim_iface *got = NULL;
            const sim_addr *a = sim_node_find_addr(hub, &ip, &got);
            ck_assert_ptr_nonnull(a);
            ck_assert_ptr_eq(got, ifp);
            ck_assert(wg_ip_eq(&a->ip, &ip));
            ck_assert_ptr_eq(a, sim_iface_addr_at(ifp, h - 1));
        }
        wg_ip other = nth_addr(i, 3);
        ck_assert_ptr_null(sim_node_find_addr(hub, &other, NULL));
    }
    ck_assert_ptr_null(sim_node_iface(hub, "em3000"));
    wg_prefix dup = {.ip = nth_addr(5, 2), .len = 24};
    ck_assert_int_eq(sim_iface_add_addr(sim_node_iface(hub, "em9"), &dup, false, 0, 0), SIM_EEXIST);

    /* Deleting the first address of an interface moves the second one
     * down in the interface's list: the index must follow. */
    for (size_t i = 0; i < IFACES; i += 2) {
        wg_ip ip = nth_addr(i, 1);
        ck_assert_int_eq(sim_iface_del_addr(sim_node_iface_by_index(hub, (uint32_t)i + 1), &ip), SIM_OK);
    }
    for (size_t i = 0; i < IFACES; i++) {
        sim_iface *ifp = sim_node_iface_by_index(hub, (uint32_t)i + 1);
        wg_ip first = nth_addr(i, 1), second = nth_addr(i, 2);
        sim_iface *got = NULL;
        const sim_addr *a = sim_node_find_addr(hub, &second, &got);
        ck_assert_ptr_nonnull(a);
        ck_assert(wg_ip_eq(&a->ip, &second));
        ck_assert_ptr_eq(got, ifp);
        if (i % 2 == 0)
            ck_assert_ptr_null(sim_node_find_addr(hub, &first, NULL));
        else
            ck_assert_ptr_nonnull(sim_node_find_addr(hub, &first, NULL));
    }
    /* And the deleted address can come back, on another interface. */
    wg_prefix back = {.ip = nth_addr(0, 1), .len = 32};
    ck_assert_int_eq(sim_iface_add_addr(sim_node_iface(hub, "em1"), &back, false, 0, SIM_ADDR_NOGARP), SIM_OK);
    sim_iface *got = NULL;
    ck_assert_ptr_nonnull(sim_node_find_addr(hub, &back.ip, &got));
    ck_assert_ptr_eq(got, sim_node_iface(hub, "em1"));
    wg_ip v6 = {.family = 6};
    ck_assert_ptr_null(sim_node_find_addr(hub, &v6, NULL));
    sim_world_free(w);
}
END_TEST

START_TEST(directed_broadcast_follows_addresses)
{
    /* sim_ipv4_is_broadcast_for (every received packet asks it) answers
     * from the node's address index: the broadcast of each subnet with a
     * prefix shorter than /31, on any interface, while the address is
     * there. */
    sim_world *w = T_world(1);
    sim_segment *a = T_seg(w, "a", 0), *b = T_seg(w, "b", 0);
    sim_node *n = T_node(w, "n", SIM_NODE_ROUTER);
    sim_iface *ia = T_if(n, "a", a, "192.0.2.1/24");
    T_if(n, "b", b, "198.51.100.1/30");
    T_if(n, "c", b, "203.0.113.4/31");
    wg_ip ip = T_ip("192.0.2.255");
    ck_assert(sim_ipv4_is_broadcast_for(n, &ip));
    ip = T_ip("198.51.100.3");
    ck_assert(sim_ipv4_is_broadcast_for(n, &ip));
    ip = T_ip("203.0.113.5"); /* a /31 has no broadcast (RFC 3021) */
    ck_assert(!sim_ipv4_is_broadcast_for(n, &ip));
    ip = T_ip("192.0.2.1"); /* an address is not its broadcast */
    ck_assert(!sim_ipv4_is_broadcast_for(n, &ip));
    ip = T_ip("255.255.255.255");
    ck_assert(sim_ipv4_is_broadcast_for(n, &ip));
    /* A second address on the same /24 keeps the broadcast when the
     * first goes; removing both removes it. */
    wg_prefix p2 = T_pfx("192.0.2.2/24");
    ck_assert_int_eq(sim_iface_add_addr(ia, &p2, false, 0, SIM_ADDR_NOGARP), SIM_OK);
    ip = T_ip("192.0.2.1");
    ck_assert_int_eq(sim_iface_del_addr(ia, &ip), SIM_OK);
    ip = T_ip("192.0.2.255");
    ck_assert(sim_ipv4_is_broadcast_for(n, &ip));
    ip = T_ip("192.0.2.2");
    ck_assert_int_eq(sim_iface_del_addr(ia, &ip), SIM_OK);
    ip = T_ip("192.0.2.255");
    ck_assert(!sim_ipv4_is_broadcast_for(n, &ip));
    ip = T_ip("198.51.100.3");
    ck_assert(sim_ipv4_is_broadcast_for(n, &ip));
    sim_world_free(w);
}
END_TEST

/* ---- the WireGuard host's peers by device id ---- */

#define WG_PEERS 300

START_TEST(wg_peer_by_id_survives_reboot)
{
    /* sim_wg_set_endpoint keeps the configuration of the peer it names in
     * step for a reboot (wg_host.c peer_of): with hundreds of peers, the
     * endpoint set on one must come back on that one and no other after
     * the device is recreated from the configuration. */
    sim_world *w = T_world(1);
    sim_segment *lan = T_seg(w, "lan", 0);
    sim_node *hub = T_node(w, "hub", SIM_NODE_HOST);
    T_if(hub, "eth0", lan, "192.0.2.1/24");
    sim_rng keys;
    sim_rng_init(&keys, 1, "names-wg");
    wg_device_config c = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    sim_rng_bytes(&keys, c.private_key, WG_KEY_LEN);
    wg_key_clamp(c.private_key);
    sim_wg *h = sim_wg_new(hub, "wg0", &c, NULL);
    ck_assert_ptr_nonnull(h);
    int ids[WG_PEERS];
    for (size_t i = 0; i < WG_PEERS; i++) {
        uint8_t priv[WG_KEY_LEN];
        sim_rng_bytes(&keys, priv, WG_KEY_LEN);
        wg_key_clamp(priv);
        wg_prefix aip = {.ip = wg_ip4_from_u32(UINT32_C(0x0ac80000) + (uint32_t)i + 1), .len = 32};
        wg_peer_config pc = {.allowed_ips = &aip, .n_allowed_ips = 1};
        wg_x25519_public(pc.public_key, priv);
        ids[i] = sim_wg_add_peer(h, &pc, false);
        ck_assert_int_ge(ids[i], 0);
    }
    const size_t chosen = 211;
    wg_endpoint ep;
    ck_assert(wg_endpoint_parse("198.51.100.7:4500", &ep));
    ck_assert(sim_wg_set_endpoint(h, ids[chosen], &ep));
    sim_node_set_power(hub, false);
    sim_node_set_power(hub, true);
    for (size_t i = 0; i < WG_PEERS; i++) {
        wg_peer_info pi;
        ck_assert(wg_device_peer_info(sim_wg_device(h), ids[i], &pi));
        ck_assert_msg(pi.has_endpoint == (i == chosen), "peer %zu", i);
    }
    wg_peer_info pi;
    ck_assert(wg_device_peer_info(sim_wg_device(h), ids[chosen], &pi));
    ck_assert(wg_endpoint_eq(&pi.endpoint, &ep));
    /* Removing it again reaches the same configuration entry. */
    ck_assert(sim_wg_remove_endpoint(h, ids[chosen]));
    sim_wg_restart(h);
    ck_assert(wg_device_peer_info(sim_wg_device(h), ids[chosen], &pi));
    ck_assert(!pi.has_endpoint);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_names");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, map_basics);
    tcase_add_test(tc, map_many_inserts_and_deletes);
    tcase_add_test(tc, map_matches_reference_under_random_ops);
    tcase_add_test(tc, hash_spreads_indexed_names);
    tcase_add_test(tc, world_lookups_after_many_inserts);
    tcase_add_test(tc, iface_and_addr_lookups_after_many_inserts);
    tcase_add_test(tc, directed_broadcast_follows_addresses);
    tcase_add_test(tc, wg_peer_by_id_survives_reboot);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
