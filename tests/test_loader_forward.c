/*
 * test_loader_forward.c — `nat.forward` `address:` (harness/loader_firewall.c):
 * the destination a port forward matches is the interface's own address, an
 * IP alias or a CARP VIP on it, or the tunnel's address; anything else is one
 * error at its exact FILE:LINE:COL (positions computed from the text by the
 * tests' author), and a `like:` copy keeps a forward on the pair's VIP.
 */
#include "test_loader_util.h"

/* nat.forward `address:`: the interface's own address, an alias or a CARP
 * VIP on that interface; a VIP of another interface is refused, listing
 * what the interface has. */
#define FWD_HA                                                                                   \
    "name: t\n"                                                                   /* 1 */        \
    "segments: {wan: {}, lan: {}}\n"                                              /* 2 */        \
    "nodes:\n"                                                                    /* 3 */        \
    "  fw1:\n"                                                                    /* 4 */        \
    "    kind: firewall\n"                                                        /* 5 */        \
    "    interfaces:\n"                                                           /* 6 */        \
    "      wan: {segment: wan, address: 198.51.100.2/24, aliases: [198.51.100.20/24]}\n" /* 7 */ \
    "      lan: {segment: lan, address: 10.0.0.2/24}\n"                           /* 8 */        \
    "    carp:\n"                                                                 /* 9 */        \
    "      - {interface: wan, vhid: 1, address: 198.51.100.1/24}\n"               /* 10 */       \
    "      - {interface: lan, vhid: 2, address: 10.0.0.1/24}\n"                   /* 11 */       \
    "    wireguard: {wg0: {address: 10.9.0.1/24}}\n"                              /* 12 */       \
    "    nat:\n"                                                                  /* 13 */       \
    "      forward:\n"                                                            /* 14 */

START_TEST(loader_forward_address_not_on_interface)
{
    static const char text[] = FWD_HA
        "        - {interface: wan, port: 51820, to: 10.0.0.10:51820, address: 10.0.0.1}\n";
    ck_only_error(text, "t.yaml:15:71: address: 10.0.0.1 is not an address of interface 'wan' of node 'fw1' (a "
                        "forward matches the interface's own address, an IP alias or a CARP VIP on it: "
                        "198.51.100.2, 198.51.100.20, 198.51.100.1)");
}
END_TEST

START_TEST(loader_forward_address_on_group)
{
    static const char text[] = FWD_HA
        "        - {interface: WireGuard, port: 53, to: 10.0.0.10:53, address: 198.51.100.1}\n";
    ck_only_error(text, "t.yaml:15:71: address: a forward on the interface group 'WireGuard' matches each member's "
                        "own address; name one interface for a particular address");
}
END_TEST

START_TEST(loader_forward_address_on_tunnel)
{
    static const char text[] = FWD_HA
        "        - {interface: wg0, port: 53, to: 10.0.0.10:53, address: 10.9.0.2}\n";
    ck_only_error(text, "t.yaml:15:65: address: 10.9.0.2 is not an address of interface 'wg0' of node 'fw1' (a "
                        "forward matches the interface's own address, an IP alias or a CARP VIP on it: 10.9.0.1)");
}
END_TEST

START_TEST(loader_forward_address_not_an_ip)
{
    static const char text[] = FWD_HA
        "        - {interface: wan, port: 51820, to: 10.0.0.10:51820, address: 198.51.100.1/24}\n";
    ck_only_error(text, "t.yaml:15:71: address: ");
}
END_TEST

/* The accepted ones: a CARP VIP and an alias of the interface, its own
 * address, a `like:` copy keeping the forward (both HA nodes carry it). */
START_TEST(loader_forward_address_vip_alias_own)
{
    static const char text[] = FWD_HA
        "        - {interface: wan, port: 51820, to: 10.0.0.10:51820, address: 198.51.100.1}\n"
        "        - {interface: wan, port: 51821, to: 10.0.0.10:51821, address: 198.51.100.20}\n"
        "        - {interface: wan, port: 51822, to: 10.0.0.10:51822, address: 198.51.100.2}\n"
        "        - {interface: wan, port: 51823, to: 10.0.0.10:51823}\n";
    hs_scenario *s;
    ck_loads(text, s);
    const hs_node *a = &s->nodes[0];
    ck_assert_uint_eq(a->n_nat_forward, 4);
    wg_ip vip, alias;
    ck_assert(wg_ip_parse("198.51.100.1", &vip) && wg_ip_parse("198.51.100.20", &alias));
    ck_assert(a->nat_forward[0].has_address && wg_ip_eq(&a->nat_forward[0].address, &vip));
    ck_assert(a->nat_forward[1].has_address && wg_ip_eq(&a->nat_forward[1].address, &alias));
    ck_assert(a->nat_forward[2].has_address && !a->nat_forward[3].has_address);
    ck_assert_uint_eq(a->nat_forward[0].address_loc.line, 15);
    hs_scenario_free(s);
}
END_TEST

/* A `like:` copy (the HA backup) inherits a forward on the pair's VIP as
 * is; one on the first node's own address is that node's and is refused on
 * the copy (the error is at its `like:` value, naming the line it came from). */
#define FWD_LIKE                                                                                 \
    "  fw2: {like: fw1, interfaces: {wan: {address: 198.51.100.3/24, aliases: [198.51.100.30/24]},\n" \
    "                                lan: {address: 10.0.0.3/24}}}\n"

START_TEST(loader_forward_address_like_copy)
{
    static const char ok[] = FWD_HA
        "        - {interface: wan, port: 51820, to: 10.0.0.10:51820, address: 198.51.100.1}\n" FWD_LIKE;
    hs_scenario *s;
    ck_loads(ok, s);
    wg_ip vip;
    ck_assert(wg_ip_parse("198.51.100.1", &vip));
    const hs_node *b = &s->nodes[1];
    ck_assert_uint_eq(b->n_nat_forward, 1);
    ck_assert(b->nat_forward[0].has_address && wg_ip_eq(&b->nat_forward[0].address, &vip));
    hs_scenario_free(s);
    static const char own[] = FWD_HA
        "        - {interface: wan, port: 51820, to: 10.0.0.10:51820, address: 198.51.100.2}\n" FWD_LIKE;
    ck_only_error(own, "t.yaml:16:15: address: 198.51.100.2 is not an address of interface 'wan' of node 'fw2' (a "
                       "forward matches the interface's own address, an IP alias or a CARP VIP on it: "
                       "198.51.100.3, 198.51.100.30, 198.51.100.1) (inherited through 'like:' from line 15:71)");
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("loader_forward");
    TCase *tc = tcase_create("forward");
    tcase_add_test(tc, loader_forward_address_not_on_interface);
    tcase_add_test(tc, loader_forward_address_on_group);
    tcase_add_test(tc, loader_forward_address_on_tunnel);
    tcase_add_test(tc, loader_forward_address_not_an_ip);
    tcase_add_test(tc, loader_forward_address_vip_alias_own);
    tcase_add_test(tc, loader_forward_address_like_copy);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
