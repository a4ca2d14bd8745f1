/*
 * rule_side.c — the addresses and ports of one side of a filter or NAT
 * rule, with aliases expanded, for both readers: pfSense filter.inc
 * filter_generate_address / alias_expand and OPNsense Rule.php
 * (an entry is an address, a network, a nested alias; a port, a range
 * "A-B" or "A:B", a port alias). Each reader says where its aliases are
 * (imp_alias_fn). What the scenario cannot say (ranges, other alias types,
 * too many combinations) is reported in why, never widened.
 */
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"

static const char *const seps = " \n\r\t,";

static bool add_addr(xmlNode *root, imp_alias_fn alias, const char *item, imp_side *s, int depth, char *why,
                     size_t wc)
{
    imp_prefix p;
    uint32_t a;
    if (imp_parse_addr(item, &a))
        p = (imp_prefix){a, 32};
    else if (!imp_parse_prefix(item, &p)) {
        char type[32], content[4096];
        if (depth >= 8 || !alias(root, item, type, sizeof type, content, sizeof content)) {
            snprintf(why, wc, "'%s' is neither an IPv4 address/network nor an alias of this file", item);
            return false;
        }
        if (strcmp(type, "host") && strcmp(type, "network")) {
            snprintf(why, wc, "alias '%s' of type %s is not expanded (only host and network aliases)", item, type);
            return false;
        }
        char *save = NULL;
        for (char *t = strtok_r(content, seps, &save); t; t = strtok_r(NULL, seps, &save))
            if (!add_addr(root, alias, t, s, depth + 1, why, wc))
                return false;
        return true;
    }
    if (s->naddr == IMP_MATCH_MAX) {
        snprintf(why, wc, "more than %d addresses after alias expansion", IMP_MATCH_MAX);
        return false;
    }
    p.addr &= imp_mask(p.len);
    s->addr[s->naddr++] = p;
    return true;
}

static bool add_port(xmlNode *root, imp_alias_fn alias, const char *item, imp_side *s, int depth, char *why,
                     size_t wc)
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
        if (s->nport == IMP_MATCH_MAX) {
            snprintf(why, wc, "more than %d ports after alias expansion", IMP_MATCH_MAX);
            return false;
        }
        s->port[s->nport++] = (int)lo;
        return true;
    }
    char type[32], content[4096];
    if (depth >= 8 || !alias(root, item, type, sizeof type, content, sizeof content) || strcmp(type, "port")) {
        snprintf(why, wc, "port '%s' is not a port alias of this file", item);
        return false;
    }
    char *save = NULL;
    for (char *t = strtok_r(content, seps, &save); t; t = strtok_r(NULL, seps, &save))
        if (!add_port(root, alias, t, s, depth + 1, why, wc))
            return false;
    return true;
}

bool imp_side_addrs(xmlNode *root, imp_alias_fn alias, const char *items, imp_side *s, char *why, size_t wc)
{
    char buf[1024];
    imp_copy(buf, sizeof buf, items);
    char *save = NULL;
    for (char *t = strtok_r(buf, seps, &save); t; t = strtok_r(NULL, seps, &save))
        if (!add_addr(root, alias, t, s, 0, why, wc))
            return false;
    return true;
}

bool imp_side_ports(xmlNode *root, imp_alias_fn alias, const char *item, imp_side *s, char *why, size_t wc)
{
    return !item || !item[0] || add_port(root, alias, item, s, 0, why, wc);
}

size_t imp_side_matches(imp_match base, const imp_side *s, imp_match *out, size_t cap, char *why, size_t wc)
{
    size_t na = s->naddr ? s->naddr : 1, np = s->nport ? s->nport : 1;
    if (na * np > cap) {
        snprintf(why, wc, "%zu address x port combinations after alias expansion (at most %zu)", na * np, cap);
        return 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < np; j++) {
            imp_match m = base;
            if (s->naddr) {
                m.kind = IMP_MATCH_PREFIX;
                m.prefix = s->addr[i];
            }
            m.port = s->nport ? s->port[j] : 0;
            out[k++] = m;
        }
    return k;
}
