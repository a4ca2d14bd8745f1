/*
 * opnsense_rules.c — the OPNsense reader's rules: outbound NAT (mode,
 * manual rules of both forms) and filter rules (both forms). Meaning from
 * OPNsense core (github.com/opnsense/core, src/):
 *   nat/outbound/mode: etc/inc/filter.inc filter_configure_sync (manual
 *     rules only in "advanced" and "hybrid"), etc/inc/filter.lib.inc
 *     filter_auto_source_nat (automatic rules in "", "automatic",
 *     "hybrid"; they are written by nat_auto.c);
 *   nat/outbound/rule (legacy) and OPNsense/Firewall/Filter/snatrules/rule
 *     (model Firewall/Filter.xml, registered before the legacy ones by
 *     etc/inc/plugins.inc.d/pf.inc pf_firewall, by sequence): fields read
 *     as opnsense/mvc/app/library/OPNsense/Firewall/SNatRule.php
 *     parseNatRules (empty target = the interface's address, "IFip", an
 *     address, "other-subnet" + targetip, nonat, staticnatport) and
 *     Rule.php legacyMoveAddressFields;
 *   filter/rule (legacy, etc/inc/filter.lib.inc filter_core_rules_user)
 *     and OPNsense/Firewall/Filter/rules/rule (model Firewall/Filter.xml,
 *     FieldTypes/FilterRuleField.php getPriority / serialize): floating
 *     rules first (200000), then interface groups (300000) - the
 *     WireGuard group is "wireguard" (etc/inc/plugins.inc.d/wireguard.inc
 *     wireguard_interfaces) - then interface rules (400000); at one
 *     priority the model's rules (by sequence) before the legacy ones
 *     (document order), as pf_firewall registers them first.
 * Each configured rule the scenario cannot express is an unmodelled item.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "import/opnsense.h"
#include "import/reader.h"
#include "import/xml.h"

/* One rule of either form, as OPNsense's rule code sees it. */
typedef struct orule {
    int line, prio;
    long seq;
    char xp[IMP_TEXT];
    bool enabled, quick, floating, nonat, static_port;
    char type[16], iface[256], ipproto[16], proto[32], direction[8], gateway[IMP_NAME];
    char src[1024], sport[64], dst[1024], dport[64], target[64], target_bits[8];
    bool src_not, dst_not;
    const char *unmodelled; /* set: the rule cannot be imported, why */
    const xmlNode *x;       /* the element, for its other settings */
} orule;

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* The model's rules in <sequence> order, stable (ArrayField sortedBy). */
static void by_sequence(orule *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j].seq < v[j - 1].seq; j--) {
            orule t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* Legacy <source>/<destination> (Rule.php legacyMoveAddressFields). */
static void legacy_side(const xmlNode *side, char *net, size_t nc, bool *neg, char *port, size_t pc)
{
    imp_copy(net, nc, "any");
    if (!ix_text(side, "network", net, nc) || !net[0])
        if (!ix_text(side, "address", net, nc) || !net[0])
            imp_copy(net, nc, "any");
    *neg = ix_set(side, "not");
    ix_text(side, "port", port, pc);
}

/* What both forms name alike. */
static void read_common(xmlNode *r, orule *o)
{
    o->x = r;
    o->line = ix_line(r);
    ix_text(r, "interface", o->iface, sizeof o->iface);
    ix_text(r, "ipprotocol", o->ipproto, sizeof o->ipproto);
    ix_text(r, "protocol", o->proto, sizeof o->proto);
    if (!ix_text(r, "direction", o->direction, sizeof o->direction) || !o->direction[0])
        imp_copy(o->direction, sizeof o->direction, "in");
    ix_text(r, "gateway", o->gateway, sizeof o->gateway);
}

static void read_legacy(xmlNode *r, orule *o, bool nat)
{
    read_common(r, o);
    o->seq = 0;
    ix_text(r, "type", o->type, sizeof o->type);
    o->floating = ix_set(r, "floating") || strchr(o->iface, ',');
    o->quick = !o->floating || ix_set(r, "quick");
    legacy_side(ix_child(r, "source"), o->src, sizeof o->src, &o->src_not, o->sport, sizeof o->sport);
    legacy_side(ix_child(r, "destination"), o->dst, sizeof o->dst, &o->dst_not, o->dport, sizeof o->dport);
    if (nat) {
        ix_text(r, "sourceport", o->sport, sizeof o->sport);
        if (ix_text(r, "dstport", o->dport, sizeof o->dport), !o->dport[0])
            ix_text(ix_child(r, "destination"), "port", o->dport, sizeof o->dport);
        ix_text(r, "target", o->target, sizeof o->target);
        if (!strcmp(o->target, "other-subnet")) {
            ix_text(r, "targetip", o->target, sizeof o->target);
            ix_text(r, "targetip_subnet", o->target_bits, sizeof o->target_bits);
        }
    }
}

static void read_mvc(xmlNode *r, orule *o, bool nat)
{
    char buf[16];
    read_common(r, o);
    o->seq = ix_int(r, "sequence", 0);
    if (!nat && ix_text(r, "action", o->type, sizeof o->type) == NULL)
        imp_copy(o->type, sizeof o->type, "pass");
    o->floating = strchr(o->iface, ',') || !o->iface[0] || ix_set(r, "interfacenot");
    o->quick = !ix_has(r, "quick") || ix_set(r, "quick");
    ix_text(r, "source_net", o->src, sizeof o->src);
    o->src_not = ix_set(r, "source_not");
    ix_text(r, "source_port", o->sport, sizeof o->sport);
    ix_text(r, "destination_net", o->dst, sizeof o->dst);
    o->dst_not = ix_set(r, "destination_not");
    ix_text(r, "destination_port", o->dport, sizeof o->dport);
    if (nat) {
        ix_text(r, "target", o->target, sizeof o->target);
        if (ix_text(r, "target_port", buf, sizeof buf) && buf[0])
            o->unmodelled = "translation to another port: not modelled";
    }
}

/* The common checks: protocol, IPv6, matches. Returns the protocol count. */
static int common(xmlNode *root, imp_fw *fw, orule *o, const char *protos[2], imp_match *sm, size_t *ns,
                  imp_match *dm, size_t *nd)
{
    char why[IMP_TEXT] = "";
    if (o->unmodelled) {
        imp_unmodelled_add(fw, o->line, o->xp, "%s", o->unmodelled);
        return 0;
    }
    if (!strcmp(o->ipproto, "inet6")) {
        imp_unmodelled_add(fw, o->line, o->xp, "IPv6 rule: the network is IPv4 only");
        return 0;
    }
    lower(o->proto);
    int np = imp_protocols(o->proto, protos);
    if (!np) {
        imp_unmodelled_add(fw, o->line, o->xp, "protocol '%s': only tcp, udp and icmp are modelled", o->proto);
        return 0;
    }
    /* Rule.php: ports count only with tcp, udp or tcp/udp */
    bool ports = !strcmp(o->proto, "tcp") || !strcmp(o->proto, "udp") || !strcmp(o->proto, "tcp/udp");
    *ns = imp_opnsense_match(root, o->src, o->src_not, ports ? o->sport : NULL, sm, IMP_MATCH_MAX, why, sizeof why);
    *nd = *ns ? imp_opnsense_match(root, o->dst, o->dst_not, ports ? o->dport : NULL, dm, IMP_MATCH_MAX, why,
                                   sizeof why)
              : 0;
    if (!*ns || !*nd) {
        imp_unmodelled_add(fw, o->line, o->xp, "%s: %s", *ns ? "destination" : "source", why);
        return 0;
    }
    return np;
}

/* The translation (SNatRule.php parseNatRules). */
static bool nat_target(xmlNode *root, imp_fw *fw, orule *o, imp_nat_rule *t)
{
    size_t l = strlen(o->target);
    if (!o->target[0] || (l > 2 && !strcmp(o->target + l - 2, "ip") && !strncmp(o->target, o->iface, l - 2) &&
                          strlen(o->iface) == l - 2)) {
        t->translate_iface = true;
        return true;
    }
    if (o->target_bits[0] && strcmp(o->target_bits, "32")) {
        imp_unmodelled_add(fw, o->line, o->xp, "translation to a pool of addresses (%s/%s)", o->target,
                           o->target_bits);
        return false;
    }
    if (l > 2 && !strcmp(o->target + l - 2, "ip")) {
        char ifn[IMP_NAME];
        imp_copy(ifn, sizeof ifn, o->target);
        ifn[l - 2] = 0;
        const imp_iface *f = imp_fw_iface(fw, ifn);
        if (f && f->kind == IMP_ADDR_STATIC) {
            t->translate = f->addr.addr;
            return true;
        }
    }
    if (!imp_parse_addr(o->target, &t->translate)) {
        imp_unmodelled_add(fw, o->line, o->xp, "translation target '%s' is not an IPv4 address", o->target);
        return false;
    }
    (void)root;
    return true;
}

/* A NAT source naming an interface's network becomes that prefix (the
 * scenario's outbound rules take a prefix); a dynamic one cannot. */
static bool nat_source(const imp_fw *fw, imp_match *m)
{
    if (m->kind != IMP_MATCH_NET && m->kind != IMP_MATCH_IFADDR)
        return true;
    const imp_iface *f = imp_fw_iface(fw, m->iface);
    if (!f || f->kind != IMP_ADDR_STATIC)
        return false;
    m->prefix = m->kind == IMP_MATCH_NET ? (imp_prefix){f->addr.addr & imp_mask(f->addr.len), f->addr.len}
                                         : (imp_prefix){f->addr.addr, 32};
    m->kind = IMP_MATCH_PREFIX;
    return true;
}

static void add_nat(xmlNode *root, imp_fw *fw, orule *o, int k)
{
    if (o->nonat) {
        imp_unmodelled_add(fw, o->line, o->xp, "'Do not NAT' rule: the scenario's outbound NAT has no exclusion");
        return;
    }
    const char *protos[2];
    imp_match sm[IMP_MATCH_MAX], dm[IMP_MATCH_MAX];
    size_t ns, nd;
    int np = common(root, fw, o, protos, sm, &ns, dm, &nd);
    if (!np)
        return;
    const imp_iface *f = imp_fw_iface(fw, o->iface);
    if (!f || f->kind == IMP_ADDR_NONE) {
        imp_unmodelled_add(fw, o->line, o->xp, "outbound NAT on '%s', an interface that is not imported", o->iface);
        return;
    }
    imp_nat_rule t = {.line = o->line, .static_port = o->static_port};
    imp_copy(t.iface, sizeof t.iface, o->iface);
    if (!nat_target(root, fw, o, &t))
        return;
    snprintf(t.comment, sizeof t.comment, "%.100s (line %d)", o->xp + strlen("/opnsense/"), o->line);
    (void)k;
    for (size_t s = 0; s < ns; s++)
        if (!nat_source(fw, &sm[s])) {
            imp_unmodelled_add(fw, o->line, o->xp, "source '%s': the interface has no static address", o->src);
            return;
        }
    for (int p = 0; p < np; p++)
        for (size_t s = 0; s < ns; s++)
            for (size_t d = 0; d < nd; d++) {
                imp_nat_rule *x = imp_push(&fw->nat);
                *x = t;
                imp_copy(x->proto, sizeof x->proto, protos[p]);
                x->src = sm[s];
                x->dst = dm[d];
            }
}

static void read_outbound(xmlNode *root, imp_fw *fw)
{
    xmlNode *ob = ix_path(root, "nat/outbound");
    fw->nat_mode = imp_read_nat_mode(root);
    bool manual = fw->nat_mode == IMP_NAT_HYBRID || fw->nat_mode == IMP_NAT_MANUAL;
    /* the model's rules (pf_firewall, priority 50), by sequence, then the legacy ones (priority 100) */
    xmlNode *mvc = ix_path(root, "OPNsense/Firewall/Filter/snatrules");
    size_t n = 0;
    IX_FOR(r, mvc, "rule") n++;
    orule *v = imp_xcalloc(n, sizeof *v, "OPNsense rules");
    size_t k = 0;
    IX_FOR(r, mvc, "rule")
    {
        orule *o = &v[k++];
        snprintf(o->xp, sizeof o->xp, "/opnsense/OPNsense/Firewall/Filter/snatrules/rule[%zu]", k);
        read_mvc(r, o, true);
        o->nonat = ix_set(r, "nonat");
        o->static_port = ix_set(r, "staticnatport");
        o->enabled = !(ix_has(r, "enabled") && !ix_set(r, "enabled"));
    }
    by_sequence(v, n);
    for (size_t i = 0; i < n; i++) {
        if (!manual)
            imp_skipped_add(fw, v[i].line, v[i].xp, "outbound NAT rule while the mode ignores configured rules");
        else if (!v[i].enabled)
            imp_skipped_add(fw, v[i].line, v[i].xp, "outbound NAT rule");
        else
            add_nat(root, fw, &v[i], (int)i);
    }
    free(v);
    int kk = 0;
    IX_FOR(r, ob, "rule")
    {
        kk++;
        orule o = {0};
        snprintf(o.xp, sizeof o.xp, "/opnsense/nat/outbound/rule[%d]", kk);
        read_legacy(r, &o, true);
        o.nonat = ix_set(r, "nonat");
        o.static_port = ix_set(r, "staticnatport");
        if (!manual)
            imp_skipped_add(fw, o.line, o.xp, "outbound NAT rule while the mode ignores configured rules");
        else if (ix_set(r, "disabled"))
            imp_skipped_add(fw, o.line, o.xp, "outbound NAT rule");
        else
            add_nat(root, fw, &o, kk);
    }
}

/* The interface a filter rule is on: the WireGuard group is the model's
 * "WireGuard"; other interface groups are not modelled. */
static bool filter_iface(xmlNode *root, imp_fw *fw, orule *o)
{
    if (!strcmp(o->iface, "wireguard")) {
        imp_copy(o->iface, sizeof o->iface, "WireGuard");
        o->prio = 300000;
        return true;
    }
    char buf[IMP_NAME];
    IX_FOR(g, ix_child(root, "ifgroups"), "ifgroupentry")
    if (ix_text(g, "ifname", buf, sizeof buf) && !strcmp(buf, o->iface)) {
        imp_unmodelled_add(fw, o->line, o->xp, "rule on interface group '%s': only the WireGuard group is modelled",
                           o->iface);
        return false;
    }
    /* a rule on a disabled interface does nothing; on an unknown one pf refuses it (getPriority 600000) */
    if (!imp_fw_iface(fw, o->iface)) {
        if (ix_child(ix_child(root, "interfaces"), o->iface))
            imp_skipped_add(fw, o->line, o->xp, "filter rule on a disabled interface");
        else
            imp_unmodelled_add(fw, o->line, o->xp, "rule on '%s', not an interface of this file", o->iface);
        return false;
    }
    o->prio = 400000;
    return true;
}

/* A filter rule's settings the scenario's rules do not have (model
 * Firewall/Filter.xml; legacy: the same names): listed, the rule imported
 * without them. The GUI writes most of them empty on every rule. */
static void rule_options(imp_fw *fw, const orule *o)
{
    static const char *const flags[] = {"allowopts", "nopfsync", "disablereplyto"};
    static const char *const texts[] = {"tag",         "tagged",        "max",       "max-src-nodes", "max-src-conn",
                                        "max-src-states", "statetimeout", "state-policy", "sched",      "divert-to",
                                        "replyto"};
    char buf[64], sub[IMP_TEXT];
    if (ix_text(o->x, "statetype", buf, sizeof buf) && buf[0] && strcmp(buf, "keep") && strcmp(buf, "keep state")) {
        snprintf(sub, sizeof sub, "%.120s/statetype", o->xp);
        imp_unmodelled_add(fw, o->line, sub, "state type '%s': modelled as keep state", buf);
    }
    if (ix_text(o->x, "icmptype", buf, sizeof buf) && buf[0] && strcmp(buf, "any")) {
        snprintf(sub, sizeof sub, "%.120s/icmptype", o->xp);
        imp_unmodelled_add(fw, o->line, sub, "ICMP types '%s': the rule is imported for every ICMP type", buf);
    }
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (ix_set(o->x, flags[i])) {
            snprintf(sub, sizeof sub, "%.120s/%s", o->xp, flags[i]);
            imp_unmodelled_add(fw, o->line, sub, "advanced option %s: not modelled", flags[i]);
        }
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (ix_text(o->x, texts[i], buf, sizeof buf) && buf[0]) {
            snprintf(sub, sizeof sub, "%.120s/%s", o->xp, texts[i]);
            imp_unmodelled_add(fw, o->line, sub, "advanced option %s '%.40s': not modelled", texts[i], buf);
        }
}

static void add_filter(xmlNode *root, imp_fw *fw, orule *o)
{
    if (o->floating) {
        imp_unmodelled_add(fw, o->line, o->xp, "floating rule (several interfaces or 'not'): not imported");
        return;
    }
    if (!o->quick) {
        imp_unmodelled_add(fw, o->line, o->xp, "rule without 'quick' (the last match decides): not imported");
        return;
    }
    if (!strcmp(o->type, "reject"))
        imp_unmodelled_add(fw, o->line, o->xp, "reject rule imported as block (no TCP reset / ICMP unreachable)");
    else if (strcmp(o->type, "pass") && strcmp(o->type, "block")) {
        imp_unmodelled_add(fw, o->line, o->xp, "rule type '%s': not modelled", o->type);
        return;
    }
    rule_options(fw, o);
    char gw[IMP_NAME];
    imp_rule_gateway(fw, o->line, o->xp, o->type, o->gateway, gw);
    /* OPNsense's own route-to rules (Plugin.php setGateways: a gateway
     * whatever its status; GatewayGroups.php getActiveGroups: members by
     * the trigger) are the scenario's gateway-semantics: opnsense
     * (emit_fw.c); only "Skip rules when gateway is down" is not. */
    if (gw[0] && ix_set(ix_child(root, "system"), "skip_rules_gw_down")) { /* Plugin.php: !empty() */
        char gxp[IMP_TEXT];
        snprintf(gxp, sizeof gxp, "%.120s/gateway", o->xp);
        imp_unmodelled_add(fw, o->line, gxp,
                           "policy routing to '%s': system/skip_rules_gw_down (drop the rule while its gateway or "
                           "group maps no route-to) is not modelled",
                           gw);
    }
    const char *protos[2];
    imp_match sm[IMP_MATCH_MAX], dm[IMP_MATCH_MAX];
    size_t ns, nd;
    int np = common(root, fw, o, protos, sm, &ns, dm, &nd);
    if (!np)
        return;
    char dir[8] = "in";
    if (!strcmp(o->direction, "out") || !strcmp(o->direction, "any"))
        imp_copy(dir, sizeof dir, o->direction);
    for (int p = 0; p < np; p++)
        for (size_t s = 0; s < ns; s++)
            for (size_t d = 0; d < nd; d++) {
                imp_filter_rule *x = imp_push(&fw->filter);
                x->pass = !strcmp(o->type, "pass");
                imp_copy(x->iface, sizeof x->iface, o->iface);
                imp_copy(x->direction, sizeof x->direction, dir);
                imp_copy(x->proto, sizeof x->proto, protos[p]);
                x->src = sm[s];
                x->dst = dm[d];
                imp_copy(x->gateway, sizeof x->gateway, gw);
                x->line = o->line;
                snprintf(x->comment, sizeof x->comment, "%.100s (line %d)", o->xp + strlen("/opnsense/"), o->line);
            }
}

static int by_prio(const void *a, const void *b)
{
    const orule *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio < y->prio ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq; /* seq: the position within the priority */
}

static void read_filter(xmlNode *root, imp_fw *fw)
{
    xmlNode *mvc = ix_path(root, "OPNsense/Firewall/Filter/rules"), *legacy = ix_child(root, "filter");
    fw->has_filter = mvc || legacy;
    size_t n = 0, k = 0;
    IX_FOR(r, mvc, "rule") n++;
    IX_FOR(r, legacy, "rule") n++;
    orule *v = imp_xcalloc(n, sizeof *v, "OPNsense rules");
    IX_FOR(r, mvc, "rule")
    {
        orule *o = &v[k++];
        snprintf(o->xp, sizeof o->xp, "/opnsense/OPNsense/Firewall/Filter/rules/rule[%zu]", k);
        read_mvc(r, o, false);
        o->enabled = !(ix_has(r, "enabled") && !ix_set(r, "enabled"));
    }
    size_t nm = k;
    by_sequence(v, nm);
    int kk = 0;
    IX_FOR(r, legacy, "rule")
    {
        orule *o = &v[k++];
        snprintf(o->xp, sizeof o->xp, "/opnsense/filter/rule[%d]", ++kk);
        read_legacy(r, o, false);
        o->enabled = !ix_set(r, "disabled");
    }
    /* enabled rules get their priority; the position is the order so far */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        orule o = v[i];
        if (!o.enabled) {
            imp_skipped_add(fw, o.line, o.xp, "filter rule");
            continue;
        }
        if (o.floating)
            o.prio = 200000;
        else if (!filter_iface(root, fw, &o))
            continue;
        o.seq = (long)i;
        v[m++] = o;
    }
    qsort(v, m, sizeof *v, by_prio);
    for (size_t i = 0; i < m; i++)
        add_filter(root, fw, &v[i]);
    free(v);
}

void imp_opnsense_read_rules(xmlNode *root, imp_fw *fw)
{
    read_outbound(root, fw);
    imp_read_forwards(root, fw);
    read_filter(root, fw);
}
