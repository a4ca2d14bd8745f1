/*
 * test_import_opnsense.c — the OPNsense reader (issue 21) on the sample
 * backups of tests/import/ and on small documents written here: both forms
 * of gateways, gateway groups, rules and aliases; OPNsense's flags ("0" is
 * off); the default gateway's order and gw_switch_default; WireGuard
 * instances and their peers by uuid; OPNsense's automatic outbound NAT;
 * the pair check; unmodelled items by XPath.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "tests/import_samples.h"


/* A document written for one test, read back. */
static imp_fw *read_text(const char *name, const char *xml)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", WGSIM_BINARY_DIR, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(xml, f);
    fclose(f);
    return read_ok(path);
}

/* listed: 1 unmodelled, 2 disabled (info), 0 absent */
static int listed(const imp_fw *fw, const char *xpath)
{
    for (size_t i = 0; i < fw->unmodelled.n; i++)
        if (!strcmp(fw->unmodelled.v[i].xpath, xpath))
            return fw->unmodelled.v[i].info ? 2 : 1;
    return 0;
}

static const char *pfx(imp_prefix p, char buf[24])
{
    char a[16];
    snprintf(buf, 24, "%s/%d", imp_addr_str(p.addr, a), p.len);
    return buf;
}

START_TEST(reads_the_ha_primary)
{
    imp_fw *fw = read_ok(SAMPLE("opnsense-ha-fw1.xml"));
    char b[24];
    ck_assert_int_eq(fw->product, IMP_OPNSENSE);
    ck_assert_str_eq(fw->hostname, "opn1");
    ck_assert_uint_eq(fw->ifaces.n, 4); /* lo0 is OPNsense's loopback: listed, not imported */
    ck_assert_int_eq(listed(fw, "/opnsense/interfaces/lo0"), 2);
    const imp_iface *wan = imp_fw_iface(fw, "wan"), *lan = imp_fw_iface(fw, "lan");
    ck_assert_str_eq(wan->driver, "vtnet0");
    ck_assert(wan->wan && !lan->wan);
    ck_assert_str_eq(pfx(lan->addr, b), "10.60.0.2/24");
    /* blockpriv 1 is on, blockbogons 0 is off (filter.lib.inc tests empty()) */
    ck_assert_int_eq(listed(fw, "/opnsense/interfaces/wan/blockpriv"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/interfaces/wan/blockbogons"), 0);
    ck_assert_int_eq(listed(fw, "/opnsense/interfaces/lan/ipaddrv6"), 1);
    ck_assert_uint_eq(fw->vips.n, 3);
    ck_assert(fw->vips.v[1].carp && fw->vips.v[1].vhid == 2 && fw->vips.v[1].advskew == 0);
    ck_assert_str_eq(fw->vips.v[1].iface, "wan");
    /* MVC gateways; gw_switch_default: the default moves down the priority order */
    ck_assert_uint_eq(fw->gateways.n, 2);
    ck_assert(!imp_fw_gateway(fw, "WAN1_GW")->monitor_off);
    ck_assert_int_eq(imp_fw_gateway(fw, "WAN2_GW")->interval, 1000);
    ck_assert_str_eq(fw->default_gw, "default-switching");
    ck_assert_uint_eq(fw->groups.n, 2);
    ck_assert_str_eq(fw->groups.v[0].members.v[0].gateway, "WAN1_GW"); /* priority 250 before 255 */
    ck_assert_str_eq(fw->groups.v[0].members.v[1].gateway, "WAN2_GW");
    ck_assert_str_eq(fw->groups.v[0].trigger, "down");
    /* the new group form: item = tier 1, item2 = tier 2 */
    ck_assert_str_eq(fw->groups.v[1].name, "WAN_FAILOVER");
    ck_assert_str_eq(fw->groups.v[1].trigger, "loss");
    ck_assert_int_eq(fw->groups.v[1].members.v[1].tier, 2);
    ck_assert_uint_eq(fw->routes.n, 1);
    /* hybrid NAT: the legacy rules; source "lan" is its network */
    ck_assert_int_eq(fw->nat_mode, IMP_NAT_HYBRID);
    ck_assert_uint_eq(fw->nat.n, 3);
    ck_assert_int_eq(fw->nat.v[0].src.kind, IMP_MATCH_SELF);
    ck_assert(fw->nat.v[0].static_port && fw->nat.v[0].src.port == 51820);
    ck_assert_str_eq(pfx(fw->nat.v[1].src.prefix, b), "10.60.0.0/24");
    ck_assert(!fw->nat.v[1].translate_iface);
    /* filter: the IPv6 rule is listed; the policy route is imported and not
     * listed: OPNsense's route-to rules are gateway-semantics: opnsense (only
     * skip_rules_gw_down, not set here, would be listed) */
    ck_assert_uint_eq(fw->filter.n, 4);
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[2]/gateway"), 0);
    bool routed = false;
    for (size_t i = 0; i < fw->filter.n; i++)
        routed |= !strcmp(fw->filter.v[i].gateway, "WAN_FAILOVER");
    ck_assert(routed);
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[4]"), 1);
    ck_assert_str_eq(fw->state_policy, "floating");
    ck_assert(fw->pfsync && !fw->preempt_off && !fw->auto_route_to_off);
    ck_assert_str_eq(fw->pfsync_iface, "opt2");
    /* WireGuard: instance 0 is wg0; its peers in the order of its uuid list */
    ck_assert(fw->wg_enabled);
    ck_assert_int_eq(fw->resolve_interval, 0);
    ck_assert_uint_eq(fw->tunnels.n, 1);
    ck_assert_str_eq(fw->tunnels.v[0].name, "wg0");
    ck_assert_str_eq(pfx(fw->tunnels.v[0].addrs.v[0], b), "10.97.0.1/24");
    ck_assert(fw->tunnels.v[0].has_key);
    ck_assert_uint_eq(fw->peers.n, 3);
    ck_assert_str_eq(fw->peers.v[0].descr, "site-a");
    ck_assert(fw->peers.v[0].had_psk && fw->peers.v[0].keepalive == 25);
    ck_assert_uint_eq(fw->peers.v[0].allowed.n, 2);
    ck_assert_int_eq(fw->peers.v[1].port, 51820); /* empty serverport */
    ck_assert(!fw->peers.v[2].has_endpoint);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/server/servers/server[1]/carp_depend_on"), 0);
    ck_assert_int_eq(fw->tunnels.v[0].carp_depend_vhid, 2); /* the WAN1 VIP's vhid */
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/TrafficShaper/pipes/pipe[1]"), 1);
    imp_fw_free(fw);
}
END_TEST

START_TEST(reads_the_single_firewall)
{
    imp_fw *fw = read_ok(SAMPLE("opnsense-single-dhcp.xml"));
    char b[24];
    ck_assert_int_eq(imp_fw_iface(fw, "wan")->kind, IMP_ADDR_DYNAMIC);
    ck_assert(imp_fw_iface(fw, "opt2")->wg);
    ck_assert_ptr_null(imp_fw_iface(fw, "opt3")); /* no <enable> */
    /* legacy gateways: "dynamic"; the upstream one is the default although WAN2GW has the lower priority */
    ck_assert(imp_fw_gateway(fw, "WAN_DHCP")->dynamic);
    ck_assert_str_eq(fw->default_gw, "WAN_DHCP");
    ck_assert_str_eq(fw->groups.v[0].trigger, "loss-or-latency");
    ck_assert_int_eq(fw->groups.v[0].members.v[1].tier, 2); /* legacy "GW|TIER" */
    ck_assert_uint_eq(fw->routes.n, 1);
    ck_assert_int_eq(listed(fw, "/opnsense/staticroutes/route[2]"), 2);
    /* MVC snatrules by sequence: opt1's first; "opt1ip" on opt1 is the interface address */
    ck_assert_int_eq(fw->nat_mode, IMP_NAT_MANUAL);
    ck_assert_uint_eq(fw->nat.n, 2);
    ck_assert_str_eq(fw->nat.v[0].iface, "opt1");
    ck_assert(fw->nat.v[0].translate_iface && fw->nat.v[1].translate_iface);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/Firewall/Filter/snatrules/rule[3]"), 2);
    /* MVC filter: the wireguard group first (priority 300000), then interfaces by sequence */
    ck_assert_uint_eq(fw->filter.n, 8);
    ck_assert_str_eq(fw->filter.v[0].iface, "WireGuard");
    ck_assert_str_eq(pfx(fw->filter.v[0].src.prefix, b), "10.71.0.0/24"); /* alias wg_sites, one line each */
    ck_assert_str_eq(pfx(fw->filter.v[1].src.prefix, b), "10.72.0.0/24");
    ck_assert_int_eq(fw->filter.v[1].dst.kind, IMP_MATCH_NET);
    ck_assert(!fw->filter.v[2].pass); /* reject, as block */
    ck_assert_str_eq(fw->filter.v[2].proto, "icmp");
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/Firewall/Filter/rules/rule[2]"), 1);
    ck_assert_str_eq(fw->filter.v[3].iface, "lan"); /* sequence 5 */
    ck_assert_str_eq(fw->filter.v[4].iface, "opt2");
    ck_assert_str_eq(fw->filter.v[4].proto, "tcp"); /* TCP/UDP is two */
    ck_assert_str_eq(fw->filter.v[5].proto, "udp");
    ck_assert_int_eq(fw->filter.v[5].dst.kind, IMP_MATCH_IFADDR);
    ck_assert_int_eq(fw->filter.v[5].dst.port, 53);
    ck_assert_str_eq(fw->filter.v[7].iface, "wan");
    ck_assert_int_eq(fw->filter.v[7].dst.port, 51821); /* port alias wg_ports */
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/Firewall/Filter/rules/rule[7]"), 1); /* two interfaces */
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/Firewall/Filter/rules/rule[8]"), 2);
    ck_assert_str_eq(fw->state_policy, "if-bound");
    ck_assert(fw->auto_route_to_off);
    /* WireGuard: wg1; the disabled instance and peer listed; a hostname endpoint roams */
    ck_assert_int_eq(fw->resolve_interval, 300); /* the 'wireguard renew' job every 5 minutes */
    ck_assert_uint_eq(fw->tunnels.n, 1);
    ck_assert_str_eq(fw->tunnels.v[0].name, "wg1");
    ck_assert_int_eq(fw->tunnels.v[0].mtu, 1412);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/server/servers/server[2]"), 2);
    ck_assert_uint_eq(fw->peers.n, 3);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/client/clients/client[3]"), 2);
    ck_assert(!fw->peers.v[2].has_endpoint && fw->peers.v[2].port == 51830);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/client/clients/client[4]"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/Swanctl/Connections/Connection[1]"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/openvpn/openvpn-server[1]"), 2);
    imp_fw_free(fw);
}
END_TEST

typedef struct nat_seen {
    char order[16][32];
    size_t n;
} nat_seen;

static void collect(void *ctx, const imp_nat_rule *r)
{
    nat_seen *s = ctx;
    char b[24];
    if (s->n < 16)
        snprintf(s->order[s->n], sizeof s->order[0], "%s%s", r->dst.port == 500 ? "500 " : "", pfx(r->src.prefix, b));
    s->n++;
    ck_assert(r->translate_iface && r->automatic);
}

/* filter.inc filter_configure_sync: per WAN, every source's port-500 rule, then
 * every source's plain rule; sources are the LANs (an assigned WireGuard
 * instance by its tunnel address), then localhost - no static-route network. */
START_TEST(automatic_nat_is_opnsense_s)
{
    imp_fw *fw = read_ok(SAMPLE("opnsense-single-dhcp.xml"));
    imp_options o = {.seed = 1};
    imp_errors e = {0};
    imp_given *g = imp_push(&o.given);
    imp_copy(g->iface, sizeof g->iface, "wan");
    ck_assert(imp_parse_prefix("198.51.100.77/24", &g->addr));
    ck_assert(imp_apply_addresses(&fw, 1, &o, &e));
    nat_seen s = {.n = 0};
    imp_nat_automatic(fw, collect, &s);
    ck_assert_uint_eq(s.n, 12); /* 2 WANs x 3 sources x 2 */
    const char *want[] = {"500 10.70.0.0/24", "500 10.71.0.0/24", "500 127.0.0.0/8",
                          "10.70.0.0/24",     "10.71.0.0/24",     "127.0.0.0/8"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(s.order[i], want[i]);
    free(o.given.v);
    imp_errors_free(&e);
    imp_fw_free(fw);
}
END_TEST

START_TEST(pair_check)
{
    imp_fw *a = read_ok(SAMPLE("opnsense-ha-fw1.xml")), *b = read_ok(SAMPLE("opnsense-ha-fw2.xml"));
    imp_findings f = {0};
    imp_errors e = {0};
    ck_assert(imp_pair_check(a, b, &f, &e));
    ck_assert_msg(f.lines.n == 0, "%s", f.lines.n ? f.lines.v[0] : "");
    ck_assert_int_eq(b->vips.v[0].advskew, 100);
    ck_assert(b->pfsync_peer == imp_fw_iface(a, "opt2")->addr.addr);
    imp_findings_free(&f);
    /* one node of each product: no configuration sync between them, a finding */
    b->product = IMP_PFSENSE;
    ck_assert(imp_pair_check(a, b, &f, &e));
    ck_assert_uint_eq(f.lines.n, 1);
    ck_assert_msg(strstr(f.lines.v[0], "opn2 is pfSense: configuration sync does not work"), "%s", f.lines.v[0]);
    imp_findings_free(&f);
    imp_errors_free(&e);
    imp_fw_free(a);
    imp_fw_free(b);
}
END_TEST

/* Older and odd forms: legacy hasync flags, disablepreempt, a "_vip" alias,
 * MVC booleans "0", legacy aliases, an empty port, an unknown peer uuid. */
START_TEST(other_forms)
{
    imp_fw *fw = read_text(
        "opnsense-forms.xml",
        "<?xml version=\"1.0\"?>\n<opnsense>\n<system><hostname>odd</hostname><gw_switch_default/>"
        "<disablereplyto>1</disablereplyto><scrub_interface_disable>0</scrub_interface_disable></system>\n"
        "<interfaces><wan><if>igb0</if><enable/><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet>"
        "<gateway>GW1</gateway></wan><lan><if>igb1</if><enable/><ipaddr>10.9.0.1</ipaddr><subnet>24</subnet>"
        "<gateway>none</gateway></lan></interfaces>\n"
        "<virtualip><vip uuid=\"u1\"><interface>wan</interface><mode>carp</mode><subnet>192.0.2.5</subnet>"
        "<subnet_bits>24</subnet_bits><vhid>7</vhid><peer>192.0.2.3</peer></vip>"
        "<vip uuid=\"u2\"><interface>_vipu1</interface><mode>ipalias</mode><subnet>192.0.2.6</subnet>"
        "<subnet_bits>32</subnet_bits></vip>"
        "<vip><interface>lan</interface><mode>ipalias</mode><subnet>10.9.0.9</subnet><subnet_bits>24</subnet_bits>"
        "</vip><vip><interface>wan</interface><mode>ipalias</mode><subnet>192.0.2.7</subnet><vhid>7</vhid></vip>"
        "</virtualip>\n"
        "<gateways><gateway_item><name>GW1</name><interface>wan</interface><gateway>192.0.2.1</gateway>"
        "<priority>10</priority><monitor_disable>1</monitor_disable></gateway_item></gateways>\n"
        "<hasync><pfsyncenabled>0</pfsyncenabled><pfsyncinterface>lan</pfsyncinterface>"
        "<disablepreempt>1</disablepreempt></hasync>\n"
        "<aliases><alias><name>nets</name><type>network</type><address>10.1.0.0/16 10.2.0.0/16</address></alias>"
        "</aliases>\n"
        "<filter><rule><type>pass</type><interface>lan</interface><statetype>sloppy state</statetype><tag>t1</tag>"
        "<allowopts>0</allowopts><source><address>nets</address></source>"
        "<destination><any>1</any></destination></rule>"
        "<rule><type>pass</type><interface>lan</interface><source><not>1</not><network>lan</network></source>"
        "<destination><any/></destination></rule></filter>\n"
        "<OPNsense><wireguard><general><enabled>1</enabled></general><server><servers>"
        "<server uuid=\"s\"><instance>3</instance><port></port><tunneladdress>10.8.0.1/24</tunneladdress>"
        "<disableroutes>1</disableroutes><peers>missing-uuid</peers></server></servers></server></wireguard>"
        "</OPNsense>\n</opnsense>\n");
    ck_assert(fw->reply_to_off && !fw->scrub_off);
    ck_assert(!imp_fw_iface(fw, "lan")->wan); /* <gateway>none</gateway> */
    /* IP aliases stacked on CARP vhid 7, by "_vipUUID" (older) or by <vhid>, are listed; a plain one is imported */
    ck_assert_uint_eq(fw->vips.n, 2);
    ck_assert(!fw->vips.v[1].carp);
    ck_assert_str_eq(fw->vips.v[1].iface, "lan");
    ck_assert_int_eq(listed(fw, "/opnsense/virtualip/vip[2]"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/virtualip/vip[4]"), 1);
    ck_assert_int_eq(fw->vips.v[0].advbase, 1);
    ck_assert_int_eq(listed(fw, "/opnsense/virtualip/vip[1]/peer"), 1);
    ck_assert(imp_fw_gateway(fw, "GW1")->monitor_off);
    ck_assert_str_eq(fw->default_gw, "GW1"); /* one gateway: no switching group */
    ck_assert_uint_eq(fw->groups.n, 0);
    ck_assert(!fw->pfsync && fw->preempt_off);
    ck_assert_uint_eq(fw->filter.n, 2); /* the legacy alias, expanded */
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[2]"), 1); /* negated */
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[1]/statetype"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[1]/tag"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[1]/allowopts"), 0); /* "0" is off */
    ck_assert_str_eq(fw->tunnels.v[0].name, "wg3");
    ck_assert_int_eq(fw->tunnels.v[0].listen_port, 51823);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/server/servers/server[1]"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/server/servers/server[1]/disableroutes"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/server/servers/server/peers"), 1);
    ck_assert_uint_eq(fw->peers.n, 0);
    imp_fw_free(fw);

    /* WireGuard off (model default 0): nothing runs */
    fw = read_text("opnsense-wgoff.xml",
                   "<opnsense><interfaces><lan><if>em0</if><enable>1</enable><ipaddr>10.0.0.1</ipaddr>"
                   "<subnet>24</subnet></lan></interfaces><OPNsense><wireguard><general><enabled>0</enabled>"
                   "</general><server><servers><server><instance>0</instance></server></servers></server>"
                   "</wireguard></OPNsense></opnsense>\n");
    ck_assert(!fw->wg_enabled && fw->tunnels.n == 0);
    ck_assert_int_eq(listed(fw, "/opnsense/OPNsense/wireguard/general/enabled"), 2);
    imp_fw_free(fw);

    imp_errors e = {0};
    ck_assert_ptr_null(imp_read_file(WGSIM_BINARY_DIR "/opnsense-wgoff.xml.none", &e));
    imp_errors_free(&e);
}
END_TEST

/* A pass rule's gateway is OPNsense's route-to (gateway-semantics:
 * opnsense); listed only with system/skip_rules_gw_down, which is not
 * modelled, and "0" is off (Plugin.php tests it with !empty()). */
START_TEST(rule_gateway_listed_only_with_skip_rules_gw_down)
{
    static const char *const sys[] = {"", "<skip_rules_gw_down>0</skip_rules_gw_down>",
                                      "<skip_rules_gw_down>1</skip_rules_gw_down>"};
    for (int i = 0; i < 3; i++) {
        char xml[2048];
        snprintf(xml, sizeof xml,
                 "<?xml version=\"1.0\"?>\n<opnsense>\n<system><hostname>gw</hostname>%s</system>\n"
                 "<interfaces><wan><if>igb0</if><enable/><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet>"
                 "<gateway>GW1</gateway></wan><lan><if>igb1</if><enable/><ipaddr>10.9.0.1</ipaddr><subnet>24</subnet>"
                 "</lan></interfaces>\n"
                 "<gateways><gateway_item><name>GW1</name><interface>wan</interface><gateway>192.0.2.1</gateway>"
                 "</gateway_item></gateways>\n"
                 "<filter><rule><type>pass</type><interface>lan</interface><source><network>lan</network></source>"
                 "<destination><any/></destination><gateway>GW1</gateway></rule></filter>\n</opnsense>\n",
                 sys[i]);
        imp_fw *fw = read_text("opnsense-skip.xml", xml);
        ck_assert_str_eq(fw->filter.v[0].gateway, "GW1");
        ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[1]/gateway"), i == 2 ? 1 : 0);
        imp_fw_free(fw);
    }
}
END_TEST

/* Port forwards in OPNsense's Destination NAT model (mounted at /nat/rule):
 * <pass> pass / rule give the forward its pass rule, manual is listed; a
 * CARP VIP or IP alias of the interface as destination is imported, a VIP
 * of another interface listed; a
 * well-known port name, a gateway on a block rule (OPNsense drops it:
 * FilterRule.php) and a gateway named like an address are listed. */
START_TEST(port_forwards_and_rule_gateways)
{
    imp_fw *fw = read_text(
        "opnsense-forwards.xml",
        "<?xml version=\"1.0\"?>\n<opnsense>\n<system><hostname>fwd</hostname></system>\n"
        "<interfaces><wan><if>igb0</if><enable/><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet>"
        "<gateway>GW1</gateway></wan><lan><if>igb1</if><enable/><ipaddr>10.9.0.1</ipaddr><subnet>24</subnet>"
        "</lan></interfaces>\n"
        "<gateways><gateway_item><name>GW1</name><interface>wan</interface><gateway>192.0.2.1</gateway>"
        "</gateway_item><gateway_item><name>192.0.2.9</name><interface>wan</interface><gateway>192.0.2.9</gateway>"
        "</gateway_item></gateways>\n"
        "<nat><rule uuid=\"a\"><sequence>1</sequence><disabled>0</disabled><nordr>0</nordr><interface>wan</interface>"
        "<ipprotocol>inet</ipprotocol><protocol>UDP</protocol><source><network>any</network><not>0</not></source>"
        "<destination><network>wanip</network><port>51820</port><not>0</not></destination>"
        "<target>10.9.0.20</target><local-port>51821</local-port><pass>rule</pass></rule>"
        "<rule uuid=\"b\"><sequence>2</sequence><disabled>0</disabled><interface>wan</interface>"
        "<protocol>TCP</protocol><source><network>any</network></source>"
        "<destination><network>wanip</network><port>2222</port></destination>"
        "<target>10.9.0.21</target><local-port>22</local-port><pass></pass></rule>"
        "<rule uuid=\"c\"><sequence>3</sequence><disabled>0</disabled><interface>wan</interface>"
        "<protocol>TCP</protocol><source><network>any</network></source>"
        "<destination><network>wanip</network><port>https</port></destination>"
        "<target>10.9.0.22</target><pass>pass</pass></rule>"
        "<rule uuid=\"d\"><sequence>4</sequence><disabled>1</disabled><interface>wan</interface>"
        "<protocol>TCP</protocol><destination><network>wanip</network><port>80</port></destination>"
        "<target>10.9.0.23</target></rule>"
        "<rule uuid=\"e\"><sequence>5</sequence><disabled>0</disabled><interface>wan</interface>"
        "<protocol>UDP</protocol><source><network>any</network></source>"
        "<destination><network>192.0.2.10</network><port>51830</port></destination>"
        "<target>10.9.0.24</target><pass>pass</pass></rule>"
        "<rule uuid=\"f\"><sequence>6</sequence><disabled>0</disabled><interface>wan</interface>"
        "<protocol>UDP</protocol><source><network>any</network></source>"
        "<destination><network>192.0.2.11</network><port>51831</port></destination>"
        "<target>10.9.0.25</target><pass>pass</pass></rule>"
        "<rule uuid=\"g\"><sequence>7</sequence><disabled>0</disabled><interface>wan</interface>"
        "<protocol>UDP</protocol><source><network>any</network></source>"
        "<destination><network>10.9.0.10</network><port>51832</port></destination>"
        "<target>10.9.0.26</target><pass>pass</pass></rule></nat>\n"
        "<virtualip><vip><mode>carp</mode><interface>wan</interface><vhid>5</vhid><subnet>192.0.2.10</subnet>"
        "<subnet_bits>24</subnet_bits></vip><vip><mode>ipalias</mode><interface>wan</interface>"
        "<subnet>192.0.2.11</subnet><subnet_bits>32</subnet_bits></vip><vip><mode>carp</mode>"
        "<interface>lan</interface><vhid>6</vhid><subnet>10.9.0.10</subnet><subnet_bits>24</subnet_bits></vip>"
        "</virtualip>\n"
        "<filter><rule><type>block</type><interface>lan</interface><source><network>lan</network></source>"
        "<destination><any/></destination><gateway>GW1</gateway></rule></filter>\n</opnsense>\n");
    ck_assert_uint_eq(fw->gateways.n, 1);
    ck_assert_int_eq(listed(fw, "/opnsense/gateways/gateway_item[2]"), 1);
    ck_assert_int_eq(listed(fw, "/opnsense/filter/rule[1]/gateway"), 2);
    ck_assert_str_eq(fw->filter.v[0].gateway, "");
    ck_assert_uint_eq(fw->forwards.n, 4);
    ck_assert_str_eq(fw->forwards.v[0].proto, "udp");
    ck_assert_uint_eq(fw->forwards.v[0].addr, 0); /* wanip */
    ck_assert(fw->forwards.v[0].port == 51820 && fw->forwards.v[0].to_port == 51821);
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[1]"), 0);
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[2]"), 1); /* manual: imported, listed */
    ck_assert(fw->forwards.v[1].port == 2222 && fw->forwards.v[1].to_port == 22);
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[3]"), 1); /* "https": not one port */
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[4]"), 2);
    /* a CARP VIP and an IP alias of the WAN: imported with their address; the LAN's VIP on the WAN: listed */
    ck_assert_uint_eq(fw->forwards.v[2].addr, 0xc000020a);
    ck_assert(fw->forwards.v[2].port == 51830 && fw->forwards.v[2].to_port == 51830);
    ck_assert_uint_eq(fw->forwards.v[3].addr, 0xc000020b);
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[5]"), 0);
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[6]"), 0);
    ck_assert_int_eq(listed(fw, "/opnsense/nat/rule[7]"), 1);
    imp_fw_free(fw);
}
END_TEST

/* Text from the backup that reaches a comment is one line of ASCII: a
 * byte-order mark inside <if> (fuzz/regress/import/bom-in-driver-name)
 * once reached the scenario, which its loader then refused. */
START_TEST(driver_name_is_cleaned)
{
    static const char x[] = "<opnsense><system><hostname>o</hostname></system><interfaces>"
                            "<lan><enable>1</enable><if>vt\xef\xbb\xbf" "2\n</if><ipaddr>10.1.0.1</ipaddr>"
                            "<subnet>24</subnet></lan></interfaces></opnsense>";
    imp_errors e = {0};
    imp_fw *fw = imp_read_bytes("t.xml", x, strlen(x), &e);
    ck_assert_msg(fw && !e.lines.n, "%s", e.lines.n ? e.lines.v[0] : "NULL");
    ck_assert_int_eq(fw->ifaces.n, 1);
    ck_assert_str_eq(fw->ifaces.v[0].driver, "vt???2"); /* the newline is trimmed as any surrounding space */
    imp_fw_free(fw);
    imp_errors_free(&e);
}
END_TEST

/* fuzz/regress/import/carp-depend-on-vip-not-imported: carp_depend_on
 * naming a CARP VIP that is not imported (a malformed address) must not
 * write a carp-depend-on: the scenario's carp: has no such vhid. */
START_TEST(carp_depend_on_vip_not_imported)
{
    FILE *f = fopen(SAMPLE("opnsense-ha-fw1.xml"), "r");
    ck_assert_ptr_nonnull(f);
    static char xml[1 << 17];
    size_t n = fread(xml, 1, sizeof xml - 1, f);
    fclose(f);
    xml[n] = 0;
    char *at = strstr(xml, "<subnet>198.51.100.25</subnet>");
    ck_assert_ptr_nonnull(at);
    at[10] = 'O'; /* 19O.51.100.25 */
    imp_fw *fw = read_text("opn-carp-depend.xml", xml);
    ck_assert_int_eq(fw->tunnels.v[0].carp_depend_vhid, 2);
    imp_options o = {.seed = 1};
    imp_errors e = {0};
    imp_fw *pair[1] = {fw};
    ck_assert(imp_apply_addresses(pair, 1, &o, &e));
    char *yaml = imp_scenario(pair, 1, &o, NULL, &e);
    ck_assert_ptr_nonnull(yaml);
    ck_assert_ptr_null(strstr(yaml, "carp-depend-on:"));
    ck_assert_ptr_nonnull(strstr(yaml, "# carp_depend_on: CARP vhid 2 is not imported"));
    free(yaml);
    free(o.given.v);
    imp_errors_free(&e);
    imp_fw_free(fw);
}
END_TEST

START_TEST(no_interfaces_is_an_error)
{
    char path[512];
    snprintf(path, sizeof path, "%s/opnsense-empty.xml", WGSIM_BINARY_DIR);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("<?xml version=\"1.0\"?>\n<opnsense>\n<interfaces>\n<lan><if>em0</if></lan>\n</interfaces>\n</opnsense>\n",
          f);
    fclose(f);
    imp_errors e = {0};
    ck_assert_ptr_null(imp_read_file(path, &e));
    ck_assert_msg(strstr(e.lines.v[0], "opnsense-empty.xml:3: no enabled interface under /opnsense/interfaces"),
                  "%s", e.lines.v[0]);
    imp_errors_free(&e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import_opnsense");
    TCase *t = tcase_create("opnsense");
    tcase_add_test(t, reads_the_ha_primary);
    tcase_add_test(t, reads_the_single_firewall);
    tcase_add_test(t, automatic_nat_is_opnsense_s);
    tcase_add_test(t, pair_check);
    tcase_add_test(t, other_forms);
    tcase_add_test(t, port_forwards_and_rule_gateways);
    tcase_add_test(t, rule_gateway_listed_only_with_skip_rules_gw_down);
    tcase_add_test(t, no_interfaces_is_an_error);
    tcase_add_test(t, carp_depend_on_vip_not_imported);
    tcase_add_test(t, driver_name_is_cleaned);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
