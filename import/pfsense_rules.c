/*
 * pfsense_rules.c — the pfSense reader's rules: outbound NAT (mode and
 * rules) and filter rules. Meaning from pfSense src/etc/inc/filter.inc:
 *   nat/outbound/mode: automatic | hybrid | advanced (manual) | disabled
 *     (filter_nat_rules_generate: hybrid = the configured rules, then the
 *     automatic ones; advanced = the configured rules only);
 *   nat/outbound/rule: interface, protocol, source/network, sourceport,
 *     destination, dstport, target ("" = the interface address, an
 *     address, "other-subnet" + targetip), staticnatport, nonat, disabled
 *     (filter_nat_rules_generate_if);
 *   filter/rule: type pass|block|reject, interface (an interface, or the
 *     WireGuard group), ipprotocol, protocol (tcp, udp, tcp/udp, icmp,
 *     absent = any), source/destination, direction and floating, gateway
 *     (policy routing: route-to, filter_generate_gateways), disabled
 *     (filter_generate_user_rule).
 * Each configured rule the scenario cannot express is an unmodelled item.
 */
#include <stdlib.h>
#include <string.h>

#include "import/pfsense.h"
#include "import/reader.h"
#include "import/xml.h"

/* An outbound NAT rule's <sourceport>/<dstport>: absent or empty = any
 * (0), a single port, else false (ranges and aliases are not modelled). */
static bool nat_port(const xmlNode *r, const char *name, int *out)
{
    char buf[64];
    if (!ix_text(r, name, buf, sizeof buf) || !buf[0])
        return true;
    char *end;
    long p = strtol(buf, &end, 10);
    if (*end || p < 1 || p > 65535)
        return false;
    *out = (int)p;
    return true;
}

static void read_outbound(xmlNode *root, imp_fw *fw)
{
    xmlNode *ob = ix_path(root, "nat/outbound");
    fw->nat_mode = imp_read_nat_mode(root);
    int k = 0;
    IX_FOR(r, ob, "rule")
    {
        k++;
        char xp[IMP_TEXT], buf[256], why[IMP_TEXT] = "";
        snprintf(xp, sizeof xp, "/pfsense/nat/outbound/rule[%d]", k);
        if (fw->nat_mode == IMP_NAT_AUTOMATIC || fw->nat_mode == IMP_NAT_DISABLED) {
            imp_skipped_add(fw, ix_line(r), xp, "outbound NAT rule while the mode ignores configured rules");
            continue;
        }
        if (ix_flag(r, "disabled")) {
            imp_skipped_add(fw, ix_line(r), xp, "outbound NAT rule");
            continue;
        }
        if (ix_flag(r, "nonat")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "'Do not NAT' rule: the scenario's outbound NAT has no exclusion");
            continue;
        }
        char ipp[16];
        if (ix_text(r, "ipprotocol", ipp, sizeof ipp) && !strcmp(ipp, "inet6")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "IPv6 outbound NAT rule");
            continue;
        }
        const char *protos[2];
        ix_text(r, "protocol", buf, sizeof buf);
        int np = imp_protocols(buf, protos);
        if (!np) {
            imp_unmodelled_add(fw, ix_line(r), xp, "outbound NAT of protocol '%s'", buf);
            continue;
        }
        imp_nat_rule t = {.line = ix_line(r)};
        ix_text(r, "interface", t.iface, sizeof t.iface);
        /* source: <network> is a CIDR, "(self)" (This Firewall) or an alias; <port> the source port */
        xmlNode *src = ix_child(r, "source");
        imp_match sm[IMP_MATCH_MAX], dm[IMP_MATCH_MAX];
        size_t nd;
        char net[64];
        if (ix_text(src, "network", net, sizeof net) && !strcmp(net, "(self)"))
            sm[0] = (imp_match){.kind = IMP_MATCH_SELF};
        else if (net[0] && net[0] >= '0' && net[0] <= '9') {
            sm[0] = (imp_match){.kind = IMP_MATCH_PREFIX};
            if (!imp_parse_prefix(net, &sm[0].prefix)) {
                imp_unmodelled_add(fw, ix_line(r), xp, "source '%s' is not an IPv4 network", net);
                continue;
            }
        } else if (net[0] && strcmp(net, "any")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "source alias '%s' in outbound NAT: not expanded", net);
            continue;
        } else
            sm[0] = (imp_match){.kind = IMP_MATCH_ANY};
        if (!nat_port(r, "sourceport", &sm[0].port)) {
            imp_unmodelled_add(fw, ix_line(r), xp, "source port: only a single port is modelled");
            continue;
        }
        nd = imp_pfsense_match(root, ix_child(r, "destination"), dm, IMP_MATCH_MAX, why, sizeof why);
        if (!nd) {
            imp_unmodelled_add(fw, ix_line(r), xp, "destination: %s", why);
            continue;
        }
        if (!nat_port(r, "dstport", &dm[0].port) || (dm[0].port && nd != 1)) {
            imp_unmodelled_add(fw, ix_line(r), xp, "destination port: only a single port is modelled");
            continue;
        }
        if ((sm[0].port || dm[0].port) && np == 1 && !strcmp(protos[0], "any")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "ports without protocol tcp or udp");
            continue;
        }
        char target[64];
        ix_text(r, "target", target, sizeof target);
        if (!strcmp(target, "other-subnet")) {
            ix_text(r, "targetip", target, sizeof target);
            if (ix_int(r, "targetip_subnet", 32) != 32) {
                imp_unmodelled_add(fw, ix_line(r), xp, "translation to a pool of addresses");
                continue;
            }
        }
        if (!target[0])
            t.translate_iface = true;
        else if (!imp_parse_addr(target, &t.translate)) {
            imp_unmodelled_add(fw, ix_line(r), xp, "translation target '%s' is not an IPv4 address", target);
            continue;
        }
        t.static_port = ix_flag(r, "staticnatport");
        snprintf(t.comment, sizeof t.comment, "nat/outbound/rule[%d] (line %d)", k, t.line);
        for (int p = 0; p < np; p++)
            for (size_t d = 0; d < nd; d++) {
                imp_nat_rule *x = imp_push(&fw->nat);
                *x = t;
                imp_copy(x->proto, sizeof x->proto, protos[p]);
                x->src = sm[0];
                x->dst = dm[d];
            }
    }
}

static void read_filter(xmlNode *root, imp_fw *fw)
{
    xmlNode *f = ix_child(root, "filter");
    fw->has_filter = f != NULL;
    int k = 0;
    IX_FOR(r, f, "rule")
    {
        k++;
        char xp[IMP_TEXT], buf[256], why[IMP_TEXT] = "";
        snprintf(xp, sizeof xp, "/pfsense/filter/rule[%d]", k);
        if (ix_flag(r, "disabled")) {
            imp_skipped_add(fw, ix_line(r), xp, "filter rule");
            continue;
        }
        if (ix_yes(r, "floating")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "floating rule: not imported (pfSense's floating tab)");
            continue;
        }
        char ipp[16];
        if (ix_text(r, "ipprotocol", ipp, sizeof ipp) && !strcmp(ipp, "inet6")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "IPv6 filter rule: the network is IPv4 only");
            continue;
        }
        char type[16];
        ix_text(r, "type", type, sizeof type);
        /* filter_generate_user_rule: any other type (none, as on the rule a
         * port forward adds: firewall_nat.inc) is pass */
        if (strcmp(type, "block") && strcmp(type, "reject") && strcmp(type, "match"))
            imp_copy(type, sizeof type, "pass");
        if (!strcmp(type, "reject"))
            imp_unmodelled_add(fw, ix_line(r), xp,
                               "reject rule imported as block (no TCP reset / ICMP unreachable is sent)");
        else if (strcmp(type, "pass") && strcmp(type, "block")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "rule type '%s': not modelled", type);
            continue;
        }
        for (const char *opt[] = {"dnpipe", "pdnpipe", "sched", "defaultqueue", "ackqueue", NULL}, **o = opt; *o;
             o++)
            if (ix_text(r, *o, buf, sizeof buf) && buf[0]) {
                char oxp[IMP_TEXT];
                snprintf(oxp, sizeof oxp, "%.120s/%.20s", xp, *o);
                imp_unmodelled_add(fw, ix_line(r), oxp, "%s '%s' (limiter / queue / schedule): not modelled",
                                   *o, buf);
            }
        /* advanced options: the GUI writes them empty on every rule; a value is a setting */
        for (const char *opt[] = {"tag", "tagged", "os", "max", "max-src-nodes", "max-src-conn", "max-src-states",
                                  "statetimeout", "tcpflags1", "tcpflags2", "vlanprio", "vlanprioset", "dscp", NULL},
                        **o = opt;
             *o; o++)
            if (ix_text(r, *o, buf, sizeof buf) && buf[0]) {
                char oxp[IMP_TEXT];
                snprintf(oxp, sizeof oxp, "%.120s/%.20s", xp, *o);
                imp_unmodelled_add(fw, ix_line(r), oxp, "advanced option %s '%.40s': not modelled", *o, buf);
            }
        for (const char *opt[] = {"allowopts", "nopfsync", "disablereplyto", "nosync", NULL}, **o = opt; *o; o++)
            if (ix_flag(r, *o) && strcmp(*o, "nosync")) {
                char oxp[IMP_TEXT];
                snprintf(oxp, sizeof oxp, "%.120s/%.20s", xp, *o);
                imp_unmodelled_add(fw, ix_line(r), oxp, "advanced option %s: not modelled", *o);
            }
        if (ix_text(r, "statetype", buf, sizeof buf) && buf[0] && strcmp(buf, "keep state")) {
            char oxp[IMP_TEXT];
            snprintf(oxp, sizeof oxp, "%.120s/statetype", xp);
            imp_unmodelled_add(fw, ix_line(r), oxp, "state type '%s': modelled as keep state", buf);
        }
        if (ix_text(r, "icmptype", buf, sizeof buf) && buf[0] && strcmp(buf, "any")) {
            char oxp[IMP_TEXT];
            snprintf(oxp, sizeof oxp, "%.120s/icmptype", xp);
            imp_unmodelled_add(fw, ix_line(r), oxp, "ICMP types '%s': the rule is imported for every ICMP type",
                               buf);
        }
        char gw[IMP_NAME];
        ix_text(r, "gateway", buf, sizeof buf);
        imp_rule_gateway(fw, ix_line(r), xp, type, buf, gw);
        const char *protos[2];
        ix_text(r, "protocol", buf, sizeof buf);
        int np = imp_protocols(buf, protos);
        if (!np) {
            imp_unmodelled_add(fw, ix_line(r), xp, "protocol '%s': only tcp, udp and icmp are modelled", buf);
            continue;
        }
        imp_match sm[IMP_MATCH_MAX], dm[IMP_MATCH_MAX];
        size_t ns = imp_pfsense_match(root, ix_child(r, "source"), sm, IMP_MATCH_MAX, why, sizeof why);
        size_t nd = ns ? imp_pfsense_match(root, ix_child(r, "destination"), dm, IMP_MATCH_MAX, why, sizeof why) : 0;
        if (!ns || !nd) {
            imp_unmodelled_add(fw, ix_line(r), xp, "%s: %s", ns ? "destination" : "source", why);
            continue;
        }
        if ((sm[0].port || dm[0].port) && np == 1 && strcmp(protos[0], "tcp") && strcmp(protos[0], "udp")) {
            imp_unmodelled_add(fw, ix_line(r), xp, "ports without protocol tcp or udp");
            continue;
        }
        char ifname[IMP_NAME];
        ix_text(r, "interface", ifname, sizeof ifname);
        if (strchr(ifname, ',') || !ifname[0]) {
            imp_unmodelled_add(fw, ix_line(r), xp, "rule on several interfaces '%s'", ifname);
            continue;
        }
        /* a rule on a disabled interface is skipped; on an interface group
         * other than the WireGuard package's: not modelled */
        if (strcmp(ifname, "WireGuard") && !imp_fw_iface(fw, ifname)) {
            if (ix_child(ix_child(root, "interfaces"), ifname))
                imp_skipped_add(fw, ix_line(r), xp, "filter rule on a disabled interface");
            else
                imp_unmodelled_add(fw, ix_line(r), xp,
                                   "rule on '%s', an interface group or unknown interface: only the WireGuard group "
                                   "is modelled",
                                   ifname);
            continue;
        }
        char dir[8] = "in";
        if (ix_text(r, "direction", buf, sizeof buf) && (!strcmp(buf, "out") || !strcmp(buf, "any")))
            imp_copy(dir, sizeof dir, buf);
        for (int p = 0; p < np; p++)
            for (size_t s = 0; s < ns; s++)
                for (size_t d = 0; d < nd; d++) {
                    imp_filter_rule *x = imp_push(&fw->filter);
                    x->pass = !strcmp(type, "pass");
                    imp_copy(x->iface, sizeof x->iface, ifname);
                    imp_copy(x->direction, sizeof x->direction, dir);
                    imp_copy(x->proto, sizeof x->proto, protos[p]);
                    x->src = sm[s];
                    x->dst = dm[d];
                    imp_copy(x->gateway, sizeof x->gateway, gw);
                    x->line = ix_line(r);
                    snprintf(x->comment, sizeof x->comment, "filter/rule[%d] (line %d)", k, x->line);
                }
    }
}

void imp_pfsense_read_rules(xmlNode *root, imp_fw *fw)
{
    read_outbound(root, fw);
    imp_read_forwards(root, fw);
    read_filter(root, fw);
}
