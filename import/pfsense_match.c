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
#include <stdlib.h>
#include <string.h>

#include "import/pfsense.h"
#include "import/xml.h"

static xmlNode *find_alias(xmlNode *root, const char *name)
{
    char buf[IMP_NAME];
    IX_FOR(a, ix_child(root, "aliases"), "alias")
    if (ix_text(a, "name", buf, sizeof buf) && !strcmp(buf, name))
        return a;
    return NULL;
}

typedef struct plist {
    imp_prefix v[IMP_MATCH_MAX];
    size_t n;
} plist;

typedef struct ilist {
    int v[IMP_MATCH_MAX];
    size_t n;
} ilist;

/* An address item: IP, CIDR or (nested) alias of type host/network. */
static bool expand_addr(xmlNode *root, const char *item, plist *out, int depth, char *why, size_t wc)
{
    imp_prefix p;
    uint32_t a;
    if (imp_parse_addr(item, &a))
        p = (imp_prefix){a, 32};
    else if (!imp_parse_prefix(item, &p)) {
        xmlNode *al = depth < 8 ? find_alias(root, item) : NULL;
        char type[32], addrs[4096];
        if (!al) {
            snprintf(why, wc, "'%s' is neither an IPv4 address/network nor an alias of this file", item);
            return false;
        }
        ix_text(al, "type", type, sizeof type);
        if (strcmp(type, "host") && strcmp(type, "network")) {
            snprintf(why, wc, "alias '%s' of type %s is not expanded (only host and network aliases)", item, type);
            return false;
        }
        ix_text(al, "address", addrs, sizeof addrs);
        char *save = NULL;
        for (char *t = strtok_r(addrs, " ", &save); t; t = strtok_r(NULL, " ", &save))
            if (!expand_addr(root, t, out, depth + 1, why, wc))
                return false;
        return true;
    }
    if (out->n == IMP_MATCH_MAX) {
        snprintf(why, wc, "more than %d addresses after alias expansion", IMP_MATCH_MAX);
        return false;
    }
    p.addr &= imp_mask(p.len);
    out->v[out->n++] = p;
    return true;
}

static bool expand_port(xmlNode *root, const char *item, ilist *out, int depth, char *why, size_t wc)
{
    char buf[64];
    imp_copy(buf, sizeof buf, item);
    char *dash = strchr(buf, '-');
    if (!dash)
        dash = strchr(buf, ':');
    char *end;
    long lo = strtol(buf, &end, 10), hi = lo;
    if (buf[0] >= '0' && buf[0] <= '9') {
        if (dash && end == dash)
            hi = strtol(dash + 1, &end, 10);
        if (*end || lo < 1 || hi > 65535 || lo > hi) {
            snprintf(why, wc, "port '%s' is not a port or range", item);
            return false;
        }
        if (hi != lo) {
            snprintf(why, wc, "port range %s: the scenario's rules match single ports", item);
            return false;
        }
        if (out->n == IMP_MATCH_MAX) {
            snprintf(why, wc, "more than %d ports after alias expansion", IMP_MATCH_MAX);
            return false;
        }
        out->v[out->n++] = (int)lo;
        return true;
    }
    xmlNode *al = depth < 8 ? find_alias(root, item) : NULL;
    char type[32], ports[4096];
    if (!al || (ix_text(al, "type", type, sizeof type), strcmp(type, "port"))) {
        snprintf(why, wc, "port '%s' is not a port alias of this file", item);
        return false;
    }
    ix_text(al, "address", ports, sizeof ports);
    char *save = NULL;
    for (char *t = strtok_r(ports, " ", &save); t; t = strtok_r(NULL, " ", &save))
        if (!expand_port(root, t, out, depth + 1, why, wc))
            return false;
    return true;
}

size_t imp_pfsense_match(xmlNode *root, const xmlNode *side, imp_match *out, size_t cap, char *why, size_t wc)
{
    char net[IMP_NAME], addr[256], port[256];
    imp_match base = {.kind = IMP_MATCH_ANY};
    plist pl = {.n = 0};
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
        if (!expand_addr(root, addr, &pl, 0, why, wc))
            return 0;
    }
    ilist ports = {.n = 0};
    if (ix_text(side, "port", port, sizeof port) && port[0] && !expand_port(root, port, &ports, 0, why, wc))
        return 0;
    size_t na = pl.n ? pl.n : 1, np = ports.n ? ports.n : 1;
    if (na * np > cap) {
        snprintf(why, wc, "%zu address x port combinations after alias expansion (at most %zu)", na * np, cap);
        return 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < np; j++) {
            imp_match m = base;
            if (pl.n) {
                m.kind = IMP_MATCH_PREFIX;
                m.prefix = pl.v[i];
            }
            m.port = ports.n ? ports.v[j] : 0;
            out[k++] = m;
        }
    return k;
}
