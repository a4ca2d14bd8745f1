/*
 * pfsense_match.c — one side of a pfSense filter or NAT rule (<source> or
 * <destination>) as the scenario's matches, with aliases expanded.
 * Meaning from pfSense src/etc/inc/filter.inc filter_generate_address
 * (<any/>; <network> an interface name = its subnet, "IFip" = its address,
 * "(self)" = every address of the firewall; <address> an address, a CIDR
 * or an alias; <not/>; <port> a port, a range "A-B" or a port alias) and
 * filter_generate_aliases / alias_expand (aliases/alias: type host,
 * network or port, <address> space-separated, nested aliases allowed).
 * What the scenario cannot say (negation, ranges, hostnames, URL tables)
 * makes the rule an unmodelled item, never a silently wider rule.
 */
#include <string.h>

#include "import/pfsense.h"
#include "import/reader.h"
#include "import/xml.h"

/* pfSense's aliases: aliases/alias, <address> space-separated. */
static bool find_alias(xmlNode *root, const char *name, char *type, size_t tc, char *content, size_t cc)
{
    char buf[IMP_NAME];
    IX_FOR(a, ix_child(root, "aliases"), "alias")
    if (ix_text(a, "name", buf, sizeof buf) && !strcmp(buf, name)) {
        ix_text(a, "type", type, tc);
        ix_text(a, "address", content, cc);
        return true;
    }
    return false;
}

size_t imp_pfsense_match(xmlNode *root, const xmlNode *side, imp_match *out, size_t cap, char *why, size_t wc)
{
    char net[IMP_NAME], addr[256], port[256];
    imp_match base = {.kind = IMP_MATCH_ANY};
    imp_side sd = {.naddr = 0};
    if (!side || ix_has(side, "any")) {
        /* any */
    } else if (ix_has(side, "not")) {
        snprintf(why, wc, "negated match (<not/>)");
        return 0;
    } else if (ix_text(side, "network", net, sizeof net)) {
        size_t l = strlen(net);
        if (!strcmp(net, "(self)"))
            base.kind = IMP_MATCH_SELF;
        else if (l > 2 && !strcmp(net + l - 2, "ip")) {
            base.kind = IMP_MATCH_IFADDR;
            net[l - 2] = 0;
            imp_copy(base.iface, sizeof base.iface, net);
        } else {
            base.kind = IMP_MATCH_NET;
            imp_copy(base.iface, sizeof base.iface, net);
        }
        if (base.kind != IMP_MATCH_SELF && !ix_child(ix_child(root, "interfaces"), base.iface)) {
            snprintf(why, wc, "network '%s' is not an interface of this file", net);
            return 0;
        }
    } else if (ix_text(side, "address", addr, sizeof addr)) {
        if (!imp_side_addrs(root, find_alias, addr, &sd, why, wc))
            return 0;
    }
    ix_text(side, "port", port, sizeof port);
    if (!imp_side_ports(root, find_alias, port, &sd, why, wc))
        return 0;
    return imp_side_matches(base, &sd, out, cap, why, wc);
}
