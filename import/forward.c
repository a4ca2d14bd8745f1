/*
 * forward.c — port forwards (/pfsense/nat/rule, /opnsense/nat/rule) for
 * both readers: OPNsense's Destination NAT model (Firewall/DNat.xml,
 * mounted at /nat/rule) kept pfSense's element names. Meaning from
 * pfSense src/etc/inc/filter.inc filter_nat_rules_generate (rdr: interface,
 * protocol, source, destination address + port, target, local-port,
 * nordr, natreflection; associated-rule-id: "pass" = "rdr pass", an id =
 * the filter rule carrying the same associated-rule-id, "" = none) and
 * OPNsense Firewall/ForwardRule.php parseRdrRules with filter.lib.inc
 * (<pass>: "pass" = rdr pass, "rule" = a registered pass rule, "" = a
 * manual rule; a legacy associated-rule-id "pass" reads as pass:
 * FieldTypes/DNatAssociatedRuleField.php).
 *
 * The scenario's `nat: forward:` is one port of an interface's own address,
 * or of a CARP VIP or IP alias on it (`address:`), to an inside address and
 * port, for udp or tcp, from any source, with pfSense's associated pass
 * rule (docs/scenario-language.md). Everything else a forward says is
 * listed by XPath, never widened silently.
 */
#include <string.h>

#include "import/reader.h"
#include "import/xml.h"

/* One port (digits, 1-65535); "" or absent: 0. False for ranges, names and aliases. */
static bool one_port(const char *s, int *out)
{
    *out = 0;
    if (!s[0])
        return true;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > 65535)
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *out = (int)v;
    return true;
}

/* A presence flag (pfSense isset) or a set value (OPNsense !empty). */
static bool flag(const imp_fw *fw, const xmlNode *n, const char *name)
{
    return fw->product == IMP_PFSENSE ? ix_flag(n, name) : ix_set(n, name);
}

/* The side's <network> or <address> ("" = any). */
static void side_value(const xmlNode *side, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!ix_text(side, "network", buf, cap) || !buf[0])
        ix_text(side, "address", buf, cap);
    if (!strcmp(buf, "any"))
        buf[0] = '\0';
}

/* The pass rule pfSense / OPNsense give the forward; why says what is missing. */
static bool has_pass(xmlNode *root, const imp_fw *fw, const xmlNode *r, char *why, size_t wc)
{
    char assoc[128] = "", pass[16] = "";
    ix_text(r, "associated-rule-id", assoc, sizeof assoc);
    if (!strcmp(assoc, "pass"))
        return true;
    if (fw->product == IMP_OPNSENSE) {
        ix_text(r, "pass", pass, sizeof pass);
        if (!strcmp(pass, "pass") || !strcmp(pass, "rule"))
            return true;
        snprintf(why, wc, "no pass rule of its own (Filter rule association 'manual')");
        return false;
    }
    if (!assoc[0]) {
        snprintf(why, wc, "no associated filter rule (Filter rule association 'none')");
        return false;
    }
    char id[128];
    int k = 0;
    IX_FOR(f, ix_child(root, "filter"), "rule")
    {
        k++;
        if (!ix_text(f, "associated-rule-id", id, sizeof id) || strcmp(id, assoc))
            continue;
        if (ix_flag(f, "disabled")) {
            snprintf(why, wc, "its associated filter rule filter/rule[%d] is disabled", k);
            return false;
        }
        char src[64];
        side_value(ix_child(f, "source"), src, sizeof src);
        if (src[0] || ix_flag(ix_child(f, "source"), "not")) {
            snprintf(why, wc, "its associated filter rule filter/rule[%d] lets in only source '%.40s'", k, src);
            return false;
        }
        return true;
    }
    snprintf(why, wc, "its associated filter rule '%.60s' is not in the backup", assoc);
    return false;
}

/* Is a a CARP VIP or IP alias of the interface? Both are offered as a
 * port forward's destination (pfSense firewall_nat_edit.php lists the
 * virtual IPs; filter.inc filter_generate_port_forward writes the address
 * as the rdr's destination). */
static bool vip_of(const imp_fw *fw, const char *iface, uint32_t a)
{
    for (size_t i = 0; i < fw->vips.n; i++)
        if (fw->vips.v[i].addr.addr == a && !strcmp(fw->vips.v[i].iface, iface))
            return true;
    return false;
}

/* One forward; false (listed) when the scenario cannot say it. */
static bool read_forward(xmlNode *root, imp_fw *fw, xmlNode *r, const char *xp, int k)
{
    char buf[256], iface[IMP_NAME];
    int line = ix_line(r);
    if (flag(fw, r, "nordr")) {
        imp_unmodelled_add(fw, line, xp, "'No RDR' port forward (an exclusion): not modelled");
        return false;
    }
    if (ix_text(r, "ipprotocol", buf, sizeof buf) && !strcmp(buf, "inet6")) {
        imp_unmodelled_add(fw, line, xp, "IPv6 port forward: the network is IPv4 only");
        return false;
    }
    ix_text(r, "interface", iface, sizeof iface);
    const imp_iface *f = imp_fw_iface(fw, iface);
    if (!f) {
        imp_unmodelled_add(fw, line, xp, "port forward on '%s', not one imported interface", iface);
        return false;
    }
    const char *protos[2];
    ix_text(r, "protocol", buf, sizeof buf);
    for (char *p = buf; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    int np = imp_protocols(buf, protos);
    if (!np || (np == 1 && strcmp(protos[0], "udp") && strcmp(protos[0], "tcp"))) {
        imp_unmodelled_add(fw, line, xp, "port forward of protocol '%s': only udp and tcp are modelled", buf);
        return false;
    }
    xmlNode *src = ix_child(r, "source"), *dst = ix_child(r, "destination");
    side_value(src, buf, sizeof buf);
    char sport[64] = "";
    ix_text(src, "port", sport, sizeof sport);
    if (buf[0] || sport[0] || flag(fw, src, "not")) {
        imp_unmodelled_add(fw, line, xp, "port forward from source '%.60s' port '%.20s' only: the scenario's forward "
                                         "takes every source", buf[0] ? buf : "any", sport[0] ? sport : "any");
        return false;
    }
    /* the destination: the interface's own address ("wanip", or that address
     * written out), or a CARP VIP / IP alias on the interface */
    char ifip[IMP_NAME + 4];
    snprintf(ifip, sizeof ifip, "%sip", iface);
    side_value(dst, buf, sizeof buf);
    uint32_t a = 0;
    bool addr = imp_parse_addr(buf, &a);
    bool own = !strcmp(buf, ifip) || (f->kind == IMP_ADDR_STATIC && addr && a == f->addr.addr);
    bool vip = !own && addr && vip_of(fw, iface, a);
    if ((!own && !vip) || flag(fw, dst, "not")) {
        imp_unmodelled_add(fw, line, xp,
                           "port forward to destination '%.60s' (another address or network): the scenario's forward "
                           "is on the interface's own address or a CARP VIP or IP alias on it",
                           buf[0] ? buf : "any");
        return false;
    }
    char dport[64] = "", lport[64] = "", target[64] = "";
    ix_text(dst, "port", dport, sizeof dport);
    ix_text(r, "local-port", lport, sizeof lport);
    int port, to_port;
    if (!one_port(dport, &port) || !port || !one_port(lport, &to_port)) {
        imp_unmodelled_add(fw, line, xp, "port forward of ports '%.20s' -> '%.20s': only one port is modelled",
                           dport, lport);
        return false;
    }
    ix_text(r, "target", target, sizeof target);
    imp_forward t = {.port = port, .to_port = to_port ? to_port : port, .addr = vip ? a : 0, .line = line};
    if (!imp_parse_addr(target, &t.to)) {
        imp_unmodelled_add(fw, line, xp, "port forward to '%.60s', not one IPv4 address", target);
        return false;
    }
    /* reflection: the rule's choice, else the system default (filter.inc / ForwardRule.php) */
    char refl[32] = "";
    ix_text(r, "natreflection", refl, sizeof refl);
    if (!strcmp(refl, "enable") || !strcmp(refl, "purenat") ||
        (!refl[0] && flag(fw, ix_child(root, "system"), "enablenatreflectionpurenat"))) {
        char sub[IMP_TEXT];
        snprintf(sub, sizeof sub, "%.120s/natreflection", xp);
        imp_unmodelled_add(fw, line, sub, "NAT reflection (inside hosts reaching the forward by the outside "
                                          "address): not modelled; the forward is imported");
    }
    char why[IMP_TEXT];
    if (!has_pass(root, fw, r, why, sizeof why))
        imp_unmodelled_add(fw, line, xp, "port forward with %s: imported with the pass rule the scenario gives every "
                                         "forward (pfSense's associated rule, any source)", why);
    imp_copy(t.iface, sizeof t.iface, iface);
    snprintf(t.comment, sizeof t.comment, "nat/rule[%d] (line %d)", k, line);
    for (int p = 0; p < np; p++) {
        imp_forward *x = imp_push(&fw->forwards);
        *x = t;
        imp_copy(x->proto, sizeof x->proto, protos[p]);
    }
    return true;
}

void imp_read_forwards(xmlNode *root, imp_fw *fw)
{
    int k = 0;
    IX_FOR(r, ix_child(root, "nat"), "rule")
    {
        k++;
        char xp[IMP_TEXT];
        snprintf(xp, sizeof xp, "%s/nat/rule[%d]", imp_root(fw), k);
        if (flag(fw, r, "disabled"))
            imp_skipped_add(fw, ix_line(r), xp, "port forward");
        else
            read_forward(root, fw, r, xp, k);
    }
}
