/*
 * timeline_filter.c — `wgsim run --only NODE,... --kinds KIND,...`: which
 * timeline entries are shown (and written by --json). The timeline itself
 * is built whole by harness/timeline.c; filtering at output keeps the
 * builder free of options and lets one run be shown several ways.
 */
#include <stdlib.h>
#include <string.h>

#include "reports/reports.h"

/* The categories harness/timeline.c gives entries, in the order a reader
 * meets them in docs/running-scenarios.md. "pf" and "nat" are the pf
 * states created, imported and ended and the NAT translation of each new
 * flow (from the change log), "ip" IPv4 fragmentation and reassembly
 * (once per datagram), "model" the fallback for a
 * model event that names no model. A category added to timeline.c must be
 * added here, or --kinds refuses it. */
const char *const rp_timeline_kinds[] = {
    "command", "power", "link", "address", "route",  "arp",    "carp",  "gateway", "pf",
    "nat",     "pfsync", "wg",  "timer",   "source", "endpoint", "drop", "ping",    "ip",    "model", "wg-service", NULL,
};

bool rp_timeline_kind_known(const char *kind)
{
    for (size_t i = 0; rp_timeline_kinds[i]; i++)
        if (!strcmp(rp_timeline_kinds[i], kind))
            return true;
    return false;
}

static bool in_list(const char *s, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* Node names are made of A-Z a-z 0-9 . _ - (harness/loader.c); anything
 * else separates words in a command's text. */
static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

/* Whether a command's text names one of the nodes as a whole word:
 * "ping remote 10.0.0.1" concerns remote as much as the node it runs on. */
static bool names_a_node(const char *text, const char *const *nodes, size_t n)
{
    const char *p = text;
    while (*p) {
        while (*p && !name_char(*p))
            p++;
        const char *w = p;
        while (*p && name_char(*p))
            p++;
        size_t len = (size_t)(p - w);
        for (size_t i = 0; len && i < n; i++)
            if (strlen(nodes[i]) == len && !strncmp(nodes[i], w, len))
                return true;
    }
    return false;
}

bool rp_timeline_keep(const rp_timeline_filter *f, const hs_timeline_entry *e)
{
    if (!f)
        return true;
    if (f->n_kinds && !in_list(e->category, f->kinds, f->n_kinds))
        return false;
    if (f->n_nodes && !in_list(e->node, f->nodes, f->n_nodes) &&
        !(!strcmp(e->category, "command") && names_a_node(e->text, f->nodes, f->n_nodes)))
        return false;
    return true;
}

size_t rp_timeline_apply_filter(hs_result *r, const rp_timeline_filter *f)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->n_timeline; i++) {
        hs_timeline_entry *e = &r->timeline[i];
        if (rp_timeline_keep(f, e)) {
            r->timeline[kept++] = *e;
        } else {
            free(e->node);
            free(e->category);
            free(e->text);
            hs_fields_free(e->reason, e->n_reason);
            hs_fields_free(e->fields, e->n_fields);
        }
    }
    size_t dropped = r->n_timeline - kept;
    r->n_timeline = kept;
    return dropped;
}
