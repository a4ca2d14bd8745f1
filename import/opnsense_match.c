/*
 * opnsense_match.c — one side of an OPNsense filter or NAT rule as the
 * scenario's matches, aliases expanded. Meaning from OPNsense core
 * (github.com/opnsense/core, src/opnsense/mvc/app/library/OPNsense/
 * Firewall/Rule.php legacyMoveAddressFields / parseReplaceSimple: "any",
 * an interface name = its network "(if:network)", "IFip" = its address
 * "(if)", "(self)", an address or CIDR, several of them comma-separated,
 * or an alias "<name>"; negation; ports "A-B" = a range) and the alias
 * model (models/OPNsense/Firewall/Alias.xml, mounted at
 * /OPNsense/Firewall/Alias/aliases/alias: enabled, name, type host |
 * network | port | url ..., content one entry per line; an entry may name
 * another alias). The legacy aliases/alias list (address space-separated)
 * of older backups reads the same way. What the scenario cannot say
 * (negation, ranges, hostnames, URL tables) is reported, never widened.
 */
#include <string.h>

#include "import/opnsense.h"
#include "import/reader.h"
#include "import/xml.h"

/* OPNsense's aliases: the MVC model (enabled ones), else the legacy list. */
static bool find_alias(xmlNode *root, const char *name, char *type, size_t tc, char *content, size_t cc)
{
    char buf[IMP_NAME];
    IX_FOR(a, ix_path(root, "OPNsense/Firewall/Alias/aliases"), "alias")
    if (ix_text(a, "name", buf, sizeof buf) && !strcmp(buf, name)) {
        if (ix_has(a, "enabled") && !ix_set(a, "enabled"))
            return false;
        ix_text(a, "type", type, tc);
        ix_text(a, "content", content, cc);
        return true;
    }
    IX_FOR(a, ix_child(root, "aliases"), "alias")
    if (ix_text(a, "name", buf, sizeof buf) && !strcmp(buf, name)) {
        ix_text(a, "type", type, tc);
        ix_text(a, "address", content, cc);
        return true;
    }
    return false;
}

/* An interface name ("lan") or its address ("lanip"), or (self). */
static bool special_net(xmlNode *root, const char *net, imp_match *m)
{
    xmlNode *ifs = ix_child(root, "interfaces");
    size_t l = strlen(net);
    if (!strcmp(net, "(self)")) {
        m->kind = IMP_MATCH_SELF;
        return true;
    }
    if (ix_child(ifs, net)) {
        m->kind = IMP_MATCH_NET;
        imp_copy(m->iface, sizeof m->iface, net);
        return true;
    }
    if (l > 2 && l < sizeof m->iface && !strcmp(net + l - 2, "ip")) {
        imp_copy(m->iface, sizeof m->iface, net);
        m->iface[l - 2] = 0;
        if (ix_child(ifs, m->iface)) {
            m->kind = IMP_MATCH_IFADDR;
            return true;
        }
    }
    return false;
}

size_t imp_opnsense_match(xmlNode *root, const char *net, bool negated, const char *port, imp_match *out, size_t cap,
                          char *why, size_t wc)
{
    imp_match base = {.kind = IMP_MATCH_ANY};
    imp_side sd = {.naddr = 0};
    bool any = !net || !net[0] || !strcmp(net, "any");
    if (!any && negated) {
        snprintf(why, wc, "negated match ('not %s')", net);
        return 0;
    }
    if (!any && !special_net(root, net, &base) && !imp_side_addrs(root, find_alias, net, &sd, why, wc))
        return 0;
    if (port && strcmp(port, "any") && !imp_side_ports(root, find_alias, port, &sd, why, wc))
        return 0;
    return imp_side_matches(base, &sd, out, cap, why, wc);
}
