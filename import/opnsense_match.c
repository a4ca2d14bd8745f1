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
#include <stdlib.h>
#include <string.h>

#include "import/opnsense.h"
#include "import/xml.h"

/* The alias named name and its entries (newline or space separated). */
static xmlNode *find_alias(xmlNode *root, const char *name, char *type, size_t tc, char *content, size_t cc)
{
    char buf[IMP_NAME];
    IX_FOR(a, ix_path(root, "OPNsense/Firewall/Alias/aliases"), "alias")
    if (ix_text(a, "name", buf, sizeof buf) && !strcmp(buf, name)) {
        if (ix_has(a, "enabled") && !ix_set(a, "enabled"))
            return NULL;
        ix_text(a, "type", type, tc);
        ix_text(a, "content", content, cc);
        return a;
    }
    IX_FOR(a, ix_child(root, "aliases"), "alias")
    if (ix_text(a, "name", buf, sizeof buf) && !strcmp(buf, name)) {
        ix_text(a, "type", type, tc);
        ix_text(a, "address", content, cc);
        return a;
    }
    return NULL;
}

static const char *const seps = " \n\r\t,";

typedef struct plist {
    imp_prefix v[IMP_MATCH_MAX];
    size_t n;
} plist;

typedef struct ilist {
    int v[IMP_MATCH_MAX];
    size_t n;
} ilist;

static bool expand_addr(xmlNode *root, const char *item, plist *out, int depth, char *why, size_t wc)
{
    imp_prefix p;
    uint32_t a;
    if (imp_parse_addr(item, &a))
        p = (imp_prefix){a, 32};
    else if (!imp_parse_prefix(item, &p)) {
        char type[32], content[4096];
        if (depth >= 8 || !find_alias(root, item, type, sizeof type, content, sizeof content)) {
            snprintf(why, wc, "'%s' is neither an IPv4 address/network nor an enabled alias of this file", item);
            return false;
        }
        if (strcmp(type, "host") && strcmp(type, "network")) {
            snprintf(why, wc, "alias '%s' of type %s is not expanded (only host and network aliases)", item, type);
            return false;
        }
        char *save = NULL;
        for (char *t = strtok_r(content, seps, &save); t; t = strtok_r(NULL, seps, &save))
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
    if (item[0] >= '0' && item[0] <= '9') {
        char *end;
        long lo = strtol(item, &end, 10), hi = lo;
        if (*end == '-' || *end == ':')
            hi = strtol(end + 1, &end, 10);
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
    char type[32], content[4096];
    if (depth >= 8 || !find_alias(root, item, type, sizeof type, content, sizeof content) || strcmp(type, "port")) {
        snprintf(why, wc, "port '%s' is not a port alias of this file", item);
        return false;
    }
    char *save = NULL;
    for (char *t = strtok_r(content, seps, &save); t; t = strtok_r(NULL, seps, &save))
        if (!expand_port(root, t, out, depth + 1, why, wc))
            return false;
    return true;
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
    plist pl = {.n = 0};
    bool any = !net || !net[0] || !strcmp(net, "any");
    if (!any && negated) {
        snprintf(why, wc, "negated match ('not %s')", net);
        return 0;
    }
    if (!any && !special_net(root, net, &base)) {
        char buf[1024];
        imp_copy(buf, sizeof buf, net);
        char *save = NULL;
        for (char *t = strtok_r(buf, seps, &save); t; t = strtok_r(NULL, seps, &save))
            if (!expand_addr(root, t, &pl, 0, why, wc))
                return 0;
    }
    ilist ports = {.n = 0};
    if (port && port[0] && strcmp(port, "any") && !expand_port(root, port, &ports, 0, why, wc))
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
