/*
 * test_loader_carp_depend.c — a firewall WireGuard interface's
 * `carp-depend-on:` / `carp-depend-delay:` (harness/loader_wireguard.c,
 * OPNsense's carp_depend_on): a vhid or a CARP VIP address of the node,
 * resolved to the vhid, kept by a `like:` copy; anything else is one error
 * at its exact FILE:LINE:COL (positions computed from the text by the
 * tests' author).
 */
#include "test_loader_util.h"

#define CD_HA                                                                                    \
    "name: t\n"                                                                   /* 1 */        \
    "segments: {wan: {}}\n"                                                       /* 2 */        \
    "nodes:\n"                                                                    /* 3 */        \
    "  fw1:\n"                                                                    /* 4 */        \
    "    kind: firewall\n"                                                        /* 5 */        \
    "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"           /* 6 */        \
    "    carp: [{interface: wan, vhid: 1, address: 198.51.100.1/24}]\n"           /* 7 */        \
    "    wireguard:\n"                                                            /* 8 */        \
    "      wg0:\n"                                                                /* 9 */        \
    "        address: 10.9.0.1/24\n"                                              /* 10 */

#define CD_FW2 "  fw2: {like: fw1, interfaces: {wan: {address: 198.51.100.3/24}}, carp: [{vhid: 1, advskew: 100}]}\n"

START_TEST(loader_carp_depend_by_vhid_and_address)
{
    hs_scenario *s;
    ck_loads(CD_HA "        carp-depend-on: 1\n" CD_FW2, s);
    ck_assert_uint_eq(s->nodes[0].wg[0].carp_depend_vhid, 1);
    ck_assert_uint_eq(s->nodes[1].wg[0].carp_depend_vhid, 1); /* the like: copy keeps it */
    ck_assert_int_eq(s->nodes[0].wg[0].carp_depend_delay, 0);
    hs_scenario_free(s);
    ck_loads(CD_HA "        carp-depend-on: 198.51.100.1\n        carp-depend-delay: 500ms\n", s);
    ck_assert_uint_eq(s->nodes[0].wg[0].carp_depend_vhid, 1);
    ck_assert_int_eq(s->nodes[0].wg[0].carp_depend_delay, 500 * HS_MS);
    hs_scenario_free(s);
    ck_loads(CD_HA, s); /* not set */
    ck_assert_uint_eq(s->nodes[0].wg[0].carp_depend_vhid, 0);
    hs_scenario_free(s);
}
END_TEST

START_TEST(loader_carp_depend_not_a_vhid_of_the_node)
{
    ck_only_error(CD_HA "        carp-depend-on: 3\n",
                  "t.yaml:11:25: carp-depend-on: node 'fw1' has no CARP vhid 3 (its `carp:` entries)");
    ck_only_error(CD_HA "        carp-depend-on: 198.51.100.2\n",
                  "t.yaml:11:25: carp-depend-on: node 'fw1' has no CARP VIP 198.51.100.2 (its `carp:` entries)");
}
END_TEST

START_TEST(loader_carp_depend_bad_values)
{
    ck_only_error(CD_HA "        carp-depend-on: wan\n",
                  "t.yaml:11:25: carp-depend-on: 'wan' is neither a vhid (1-255) nor a CARP VIP address");
    ck_only_error(CD_HA "        carp-depend-on: 256\n", "t.yaml:11:25: carp-depend-on:");
    ck_only_error(CD_HA "        carp-depend-on: 0\n", "t.yaml:11:25: carp-depend-on:");
    ck_only_error(CD_HA "        carp-depend-delay: 1s\n",
                  "t.yaml:11:28: carp-depend-delay: only with 'carp-depend-on:'");
    ck_only_error(CD_HA "        carp-depend-on: 1\n        carp-depend-delay: 61s\n",
                  "t.yaml:12:28: carp-depend-delay: must be at most 60s");
}
END_TEST

START_TEST(loader_carp_depend_firewall_only)
{
    static const char text[] = "name: t\n"
                               "segments: {wan: {}}\n"
                               "nodes:\n"
                               "  h:\n"
                               "    kind: host\n"
                               "    interfaces: {wan: {segment: wan, address: 198.51.100.2/24}}\n"
                               "    wireguard: {wg0: {carp-depend-on: 1}}\n";
    ck_only_error(text, "t.yaml:7:39: carp-depend-on: only on a firewall (OPNsense's WireGuard instance option); "
                        "'h' is a host");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader_carp_depend");
    TCase *t = tcase_create("carp_depend");
    tcase_add_test(t, loader_carp_depend_by_vhid_and_address);
    tcase_add_test(t, loader_carp_depend_not_a_vhid_of_the_node);
    tcase_add_test(t, loader_carp_depend_bad_values);
    tcase_add_test(t, loader_carp_depend_firewall_only);
    suite_add_tcase(s, t);
    int nf = 0;
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (g_diag_inited)
        hs_diag_free(&g_diag);
    return nf == 0 ? 0 : 1;
}
