/*
 * test_net_name_alloc.c — a node, segment, interface or WireGuard host
 * whose name cannot be copied (strdup returns NULL) is not created: the
 * constructor returns NULL and the world holds nothing half-built. Before
 * this, the object was created with a NULL name and the next lookup by
 * name (strcmp) dereferenced it.
 *
 * strdup is replaced in this program (the static libsim resolves to it):
 * fail_strdup_at = k makes the k-th following call fail.
 *
 * A capture whose name cannot be copied aborts, as one whose memory cannot
 * be had does (capture.c: callers take a capture as given); it used to be
 * created with a NULL name.
 */
#include <signal.h>

#include "net_topo.h"

static int fail_strdup_at; /* 0: never fail */

char *strdup(const char *s)
{
    if (fail_strdup_at > 0 && --fail_strdup_at == 0)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

START_TEST(node_name_alloc_fails)
{
    sim_world *w = T_world(1);
    fail_strdup_at = 1;
    ck_assert_ptr_null(sim_node_new(w, "a", SIM_NODE_HOST, WG_PLATFORM_FREEBSD));
    ck_assert_ptr_null(sim_world_node(w, "b")); /* walks the node list by name */
    ck_assert_ptr_nonnull(T_node(w, "a", SIM_NODE_HOST));
    sim_world_free(w);
}
END_TEST

START_TEST(segment_name_alloc_fails)
{
    sim_world *w = T_world(1);
    sim_segment_config c = {0};
    fail_strdup_at = 1;
    ck_assert_ptr_null(sim_segment_new(w, "lan", &c));
    ck_assert_ptr_null(sim_world_segment(w, "wan"));
    ck_assert_ptr_nonnull(T_seg(w, "lan", 0));
    sim_world_free(w);
}
END_TEST

START_TEST(iface_name_alloc_fails)
{
    sim_world *w = T_world(1);
    sim_segment *lan = T_seg(w, "lan", 0);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST);
    fail_strdup_at = 1;
    ck_assert_ptr_null(sim_iface_new(a, "em0", lan));
    ck_assert_ptr_null(sim_node_iface(a, "em1"));
    ck_assert_ptr_nonnull(T_if(a, "em0", lan, "192.0.2.1/24"));
    sim_world_free(w);
}
END_TEST

START_TEST(wg_name_alloc_fails)
{
    sim_world *w = T_world(1);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST);
    wg_device_config c = {.listen_port = 51820, .platform = sim_node_platform(a)};
    c.private_key[0] = 1;
    wg_key_clamp(c.private_key);
    /* 1st strdup: the host's name; 2nd: its tunnel interface's name. */
    for (int k = 1; k <= 2; k++) {
        fail_strdup_at = k;
        ck_assert_ptr_null(sim_wg_new(a, "wg0", &c, NULL));
        fail_strdup_at = 0;
        ck_assert_ptr_null(sim_node_iface(a, "wg0"));
    }
    /* Nothing was left bound or attached: the same device can be created. */
    ck_assert_ptr_nonnull(sim_wg_new(a, "wg0", &c, NULL));
    ck_assert_ptr_nonnull(sim_node_iface(a, "wg0"));
    sim_world_free(w);
}
END_TEST

/* The out-of-memory handler says what failed and exits 2 (never a silent abort). */
START_TEST(capture_name_alloc_exits)
{
    sim_world *w = T_world(1);
    sim_segment *lan = T_seg(w, "lan", 0);
    fail_strdup_at = 1;
    sim_capture *c = sim_capture_segment(lan);
    /* Reached only without the exit: the capture must then have its name. */
    ck_assert_ptr_nonnull(sim_capture_name(c));
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_name_alloc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, node_name_alloc_fails);
    tcase_add_test(tc, segment_name_alloc_fails);
    tcase_add_test(tc, iface_name_alloc_fails);
    tcase_add_test(tc, wg_name_alloc_fails);
    tcase_add_exit_test(tc, capture_name_alloc_exits, 2);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
