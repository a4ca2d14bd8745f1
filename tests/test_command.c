/*
 * test_command.c — the command parser shared by timelines and the explore
 * shell: every command of DESIGN.md, its errors (with the column of the
 * offending word and a did-you-mean), and the reference check against a
 * loaded scenario.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "harness/harness.h"

static hs_command parse_ok(const char *line)
{
    hs_command c;
    char err[256] = "";
    int col = 0;
    bool ok = hs_command_parse(line, &c, err, sizeof err, &col);
    ck_assert_msg(ok, "'%s' did not parse: %d: %s", line, col, err);
    return c;
}

static void parse_err(const char *line, int want_col, const char *want_msg)
{
    hs_command c;
    char err[256] = "";
    int col = 0;
    ck_assert_msg(!hs_command_parse(line, &c, err, sizeof err, &col), "'%s' parsed", line);
    ck_assert_msg(col == want_col, "'%s': column %d, want %d (%s)", line, col, want_col, err);
    ck_assert_str_eq(err, want_msg);
}

/* Parses, formats back, and checks the canonical text. */
static hs_command round_trip(const char *line, const char *canonical)
{
    hs_command c = parse_ok(line);
    char buf[256];
    ck_assert_str_eq(hs_command_format(&c, buf, sizeof buf), canonical);
    return c;
}

START_TEST(command_every_command)
{
    hs_command c;
    char buf[WG_IP_STRLEN];
    c = round_trip("power-off fw1", "power-off fw1");
    ck_assert_int_eq(c.kind, HS_CMD_POWER_OFF);
    ck_assert_str_eq(c.node, "fw1");
    ck_assert_int_eq(c.col[HS_ARG_NODE], 11);
    ck_assert_int_eq(round_trip("power-on fw1", "power-on fw1").kind, HS_CMD_POWER_ON);
    ck_assert_int_eq(round_trip("reboot fw2", "reboot fw2").kind, HS_CMD_REBOOT);
    c = round_trip("maintenance fw1 on", "maintenance fw1 on");
    ck_assert(c.kind == HS_CMD_MAINTENANCE && c.on);
    c = round_trip("maintenance fw1 off", "maintenance fw1 off");
    ck_assert(c.kind == HS_CMD_MAINTENANCE && !c.on);
    ck_assert_int_eq(round_trip("carp-disable fw1", "carp-disable fw1").kind, HS_CMD_CARP_DISABLE);
    ck_assert_int_eq(round_trip("carp-enable fw1", "carp-enable fw1").kind, HS_CMD_CARP_ENABLE);
    c = round_trip("link-down fw1 wan", "link-down fw1 wan");
    ck_assert(c.kind == HS_CMD_LINK_DOWN && !strcmp(c.iface, "wan"));
    ck_assert_int_eq(c.col[HS_ARG_2], 15);
    ck_assert_int_eq(round_trip("link-up fw1 wan", "link-up fw1 wan").kind, HS_CMD_LINK_UP);
    ck_assert_int_eq(round_trip("gateway-down isp", "gateway-down isp").kind, HS_CMD_GATEWAY_DOWN);
    ck_assert_int_eq(round_trip("gateway-up isp", "gateway-up isp").kind, HS_CMD_GATEWAY_UP);
    c = round_trip("set-endpoint remote wg0 fw1 198.51.100.2:51820", "set-endpoint remote wg0 fw1 198.51.100.2:51820");
    ck_assert(c.kind == HS_CMD_SET_ENDPOINT && !strcmp(c.iface, "wg0") && !strcmp(c.peer, "fw1"));
    ck_assert_str_eq(wg_endpoint_format(&c.endpoint, buf), "198.51.100.2:51820");
    c = round_trip("remove-endpoint fw1 wg0 remote", "remove-endpoint fw1 wg0 remote");
    ck_assert(c.kind == HS_CMD_REMOVE_ENDPOINT && !strcmp(c.peer, "remote"));
    c = round_trip("route-add fw1 192.0.2.0/24 via 198.51.100.254", "route-add fw1 192.0.2.0/24 via 198.51.100.254");
    ck_assert(c.kind == HS_CMD_ROUTE_ADD && c.via_is_addr && !c.dest_default);
    ck_assert_str_eq(wg_ip_format(&c.via_addr, buf), "198.51.100.254");
    c = round_trip("route-add fw1 default via WAN2GW", "route-add fw1 default via WAN2GW");
    ck_assert(c.dest_default && !c.via_is_addr && !strcmp(c.via, "WAN2GW"));
    c = round_trip("route-add fw1 192.0.2.10 via failover", "route-add fw1 192.0.2.10/32 via failover");
    c = round_trip("route-del fw1 192.0.2.0/24", "route-del fw1 192.0.2.0/24");
    ck_assert_int_eq(c.kind, HS_CMD_ROUTE_DEL);
    ck_assert(round_trip("route-del fw1 default", "route-del fw1 default").dest_default);
    ck_assert_int_eq(round_trip("states-kill fw1", "states-kill fw1").kind, HS_CMD_STATES_KILL);
    ck_assert_int_eq(round_trip("wg-down fw1 wg0", "wg-down fw1 wg0").kind, HS_CMD_WG_DOWN);
    ck_assert_int_eq(round_trip("wg-up fw1 wg0", "wg-up fw1 wg0").kind, HS_CMD_WG_UP);
    c = round_trip("ping remote 10.99.0.1", "ping remote 10.99.0.1");
    ck_assert_int_eq(c.kind, HS_CMD_PING);
    ck_assert_str_eq(wg_ip_format(&c.addr, buf), "10.99.0.1");
    /* blanks and a trailing comment are ignored; a peer may be a public key */
    c = round_trip("  \treboot   fw2   # after the update", "reboot fw2");
    ck_assert_int_eq(c.col[HS_ARG_CMD], 4);
    ck_assert_int_eq(c.col[HS_ARG_NODE], 13);
    c = parse_ok("remove-endpoint fw1 wg0 YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=");
    ck_assert_str_eq(c.peer, "YFmo3GNkC4iwdB7fV1ugpDodRP2QKjBDmmlwgOjJUXE=");
    /* names and usages for every kind */
    for (int k = 0; k < HS_CMD__COUNT; k++) {
        ck_assert_str_ne(hs_cmd_name((hs_cmd_kind)k), "?");
        ck_assert_ptr_nonnull(strstr(hs_cmd_usage((hs_cmd_kind)k), hs_cmd_name((hs_cmd_kind)k)));
    }
}
END_TEST

START_TEST(command_errors)
{
    parse_err("", 1, "empty command");
    parse_err("   # nothing", 1, "empty command");
    parse_err("mantenance fw1 on", 1, "unknown command 'mantenance'; did you mean 'maintenance'?");
    parse_err("  powr-off fw1", 3, "unknown command 'powr-off'; did you mean 'power-off'?");
    parse_err("link-dwn fw1 wan", 1, "unknown command 'link-dwn'; did you mean 'link-down'?");
    parse_err("frobnicate x", 1,
              "unknown command 'frobnicate' (commands: power-off, power-on, reboot, maintenance, carp-disable, "
              "carp-enable, link-down, link-up, gateway-down, gateway-up, set-endpoint, remove-endpoint, route-add, "
              "route-del, states-kill, wg-down, wg-up, ping, wg-restart)");
    parse_err("power-off", 10, "'power-off' needs a node name (usage: power-off NODE)");
    parse_err("link-down fw1", 14, "'link-down' needs an interface name (usage: link-down NODE IF)");
    parse_err("maintenance fw1", 16, "'maintenance' needs 'on' or 'off' (usage: maintenance NODE on|off)");
    parse_err("maintenance fw1 yes", 17, "expected 'on' or 'off', got 'yes' (usage: maintenance NODE on|off)");
    parse_err("power-off fw1 now", 15, "unexpected 'now' (usage: power-off NODE)");
    parse_err("set-endpoint remote wg0 fw1 198.51.100.2", 29,
              "'198.51.100.2' is not an endpoint ADDR:PORT (e.g. 192.0.2.1:51820)");
    parse_err("set-endpoint remote wg0 fw1 198.51.100.2:0", 29,
              "'198.51.100.2:0' is not an endpoint ADDR:PORT (e.g. 192.0.2.1:51820)");
    parse_err("set-endpoint remote wg0 fw1", 28,
              "'set-endpoint' needs an endpoint ADDR:PORT (usage: set-endpoint NODE WG PEER ADDR:PORT)");
    parse_err("route-add fw1 192.0.2.0/33 via 1.2.3.4", 15,
              "'192.0.2.0/33' is not a destination ('default' or a prefix such as 192.0.2.0/24)");
    parse_err("route-add fw1 default through 1.2.3.4", 23,
              "expected 'via', got 'through' (usage: route-add NODE DEST via GW)");
    parse_err("route-add fw1 default via", 26,
              "'route-add' needs a gateway (address, gateway or group name) (usage: route-add NODE DEST via GW)");
    parse_err("route-add fw1 default via a/b", 27, "'a/b' is neither an address nor a gateway name");
    parse_err("ping remote 10.99.0.300", 13, "'10.99.0.300' is not an address");
    parse_err("power-off fw$1", 11, "'fw$1' is not a valid node name");
    parse_err("power-off fw1\nreboot fw1", 14, "a command is a single line");
    char longw[200];
    memset(longw, 'a', sizeof longw);
    memcpy(longw, "reboot ", 7);
    longw[199] = '\0';
    parse_err(longw, 8, "'aaaaaaaaaaaaaaaaaaaa...' is too long (at most 63 characters)");
    parse_err("a b c d e f g h i", 17, "too many words in the command");
    /* NULL output buffers are allowed */
    hs_command c;
    ck_assert(!hs_command_parse("nope", &c, NULL, 0, NULL));
    ck_assert(!hs_command_parse(NULL, &c, NULL, 0, NULL));
}
END_TEST

static hs_scenario *design(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/design-example.yaml", WGSIM_SOURCE_DIR);
    hs_diag d;
    hs_diag_init(&d, path);
    hs_scenario *s = hs_load_file(path, &d);
    hs_diag_free(&d);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void check_ok(const hs_scenario *s, const char *line)
{
    hs_command c = parse_ok(line);
    char err[256] = "";
    int col = 0;
    ck_assert_msg(hs_command_check(s, &c, err, sizeof err, &col), "'%s': %d: %s", line, col, err);
}

static void check_err(const hs_scenario *s, const char *line, int want_col, const char *want)
{
    hs_command c = parse_ok(line);
    char err[256] = "";
    int col = 0;
    ck_assert_msg(!hs_command_check(s, &c, err, sizeof err, &col), "'%s' passed the check", line);
    ck_assert_msg(col == want_col, "'%s': column %d, want %d (%s)", line, col, want_col, err);
    ck_assert_str_eq(err, want);
}

/* reboot NODE [DOWNTIME]: the optional downtime before power-on (default 0). */
START_TEST(command_reboot_downtime)
{
    hs_command c = round_trip("reboot fw2", "reboot fw2");
    ck_assert(!c.has_duration);
    ck_assert_int_eq(c.duration, 0);
    c = round_trip("reboot fw2 45s", "reboot fw2 45s");
    ck_assert(c.kind == HS_CMD_REBOOT && c.has_duration);
    ck_assert_int_eq(c.duration, 45 * HS_S);
    ck_assert_int_eq(c.col[HS_ARG_2], 12);
    c = round_trip("reboot fw2 1m30s # slow boot", "reboot fw2 90s");
    ck_assert_int_eq(c.duration, 90 * HS_S);
    c = round_trip("reboot fw2 0", "reboot fw2 0s");
    ck_assert(c.has_duration && c.duration == 0);
    parse_err("reboot fw2 45", 12, "'45' is not a duration (e.g. 30s, 2m; usage: reboot NODE [DOWNTIME])");
    parse_err("reboot fw2 soon", 12, "'soon' is not a duration (e.g. 30s, 2m; usage: reboot NODE [DOWNTIME])");
    parse_err("reboot fw2 30s now", 16, "unexpected 'now' (usage: reboot NODE [DOWNTIME])");
    parse_err("reboot", 7, "'reboot' needs a node name (usage: reboot NODE [DOWNTIME])");
}
END_TEST

START_TEST(command_wg_restart)
{
    hs_command c = round_trip("wg-restart fw2 wg0", "wg-restart fw2 wg0");
    ck_assert_int_eq(c.kind, HS_CMD_WG_RESTART);
    ck_assert_str_eq(c.node, "fw2");
    ck_assert_str_eq(c.iface, "wg0");
    ck_assert_int_eq(c.col[HS_ARG_2], 16);
    parse_err("wg-restart fw2", 15, "'wg-restart' needs a wireguard interface name (usage: wg-restart NODE WG)");
    parse_err("wg-restrat fw2 wg0", 1, "unknown command 'wg-restrat'; did you mean 'wg-restart'?");
}
END_TEST

START_TEST(command_check_references)
{
    hs_scenario *s = design();
    check_ok(s, "maintenance fw1 on");
    check_ok(s, "carp-disable fw2");
    check_ok(s, "power-off fw1");
    check_ok(s, "link-down fw1 lan");
    check_ok(s, "gateway-down isp");
    check_ok(s, "set-endpoint remote wg0 fw1 198.51.100.2:51820");
    check_ok(s, "remove-endpoint fw2 wg0 remote");
    check_ok(s, "route-add fw1 192.0.2.0/24 via 198.51.100.254");
    check_ok(s, "route-del fw1 192.0.2.0/24");
    check_ok(s, "states-kill fw1");
    check_ok(s, "wg-down remote wg0");
    check_ok(s, "wg-restart fw1 wg0");
    check_ok(s, "reboot fw2 30s");
    check_ok(s, "ping remote 10.99.0.1");
    char b64[WG_KEY_B64_LEN], line[128];
    wg_key_to_base64(b64, s->nodes[hs_find_node(s, "fw1")].wg[0].public_key);
    snprintf(line, sizeof line, "remove-endpoint remote wg0 %s", b64);
    check_ok(s, line);

    check_err(s, "power-off fw3", 11, "unknown node 'fw3'; did you mean 'fw1'?");
    check_err(s, "reboot nobody", 8, "unknown node 'nobody'");
    check_err(s, "maintenance remote on", 13, "node 'remote' has no CARP addresses");
    check_err(s, "carp-enable isp", 13, "node 'isp' has no CARP addresses");
    check_err(s, "link-down fw1 wna", 15, "node 'fw1' has no interface 'wna'; did you mean 'wan'?");
    check_err(s, "wg-restart fw1 wg9", 16, "node 'fw1' has no wireguard interface 'wg9'; did you mean 'wg0'?");
    check_err(s, "wg-up fw1 wg1", 11, "node 'fw1' has no wireguard interface 'wg1'; did you mean 'wg0'?");
    check_err(s, "set-endpoint remote wg0 fw9 192.0.2.1:1", 25, "remote.wg0 has no peer 'fw9'; did you mean 'fw1'?");
    check_err(s, "remove-endpoint isp wg0 fw1", 21, "node 'isp' has no wireguard interface 'wg0'");
    check_err(s, "route-add fw1 default via 203.0.113.1", 27, "gateway 203.0.113.1 is not on any network of node 'fw1'");
    check_err(s, "route-add fw1 default via WAN2GW", 27, "node 'fw1' has no gateway or gateway group 'WAN2GW'");
    check_err(s, "states-kill isp", 13, "node 'isp' keeps no pf/NAT states (kind router)");
    /* the parser keeps IPv6; the check refuses it while the network is IPv4 only */
    check_err(s, "set-endpoint remote wg0 fw1 [2001:db8::1]:51820", 29,
              "IPv6 is not modelled yet: the simulated network is IPv4 only");
    check_err(s, "route-add fw1 2001:db8::/32 via 198.51.100.254", 15,
              "IPv6 is not modelled yet: the simulated network is IPv4 only");
    check_err(s, "route-add fw1 default via 2001:db8::1", 27,
              "IPv6 is not modelled yet: the simulated network is IPv4 only");
    check_err(s, "route-del fw1 2001:db8::/32", 15, "IPv6 is not modelled yet: the simulated network is IPv4 only");
    check_err(s, "ping remote 2001:db8::1", 13, "IPv6 is not modelled yet: the simulated network is IPv4 only");
    hs_scenario_free(s);
}
END_TEST

int main(void)
{
    wg_crypto_init();
    Suite *s = suite_create("command");
    TCase *tc = tcase_create("command");
    tcase_add_test(tc, command_every_command);
    tcase_add_test(tc, command_errors);
    tcase_add_test(tc, command_check_references);
    tcase_add_test(tc, command_reboot_downtime);
    tcase_add_test(tc, command_wg_restart);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
