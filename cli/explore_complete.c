/*
 * explore_complete.c — tab completion of the explore shell: its verbs,
 * the timeline commands and their arguments (nodes, interfaces,
 * wireguard interfaces, peers, gateways, on/off), `break` kinds, and the
 * views' words (hs_view_complete: nodes, vhids, peers ...).
 */
#include <string.h>

#include "cli/explore.h"

static const char *const break_kinds[] = {"carp", "handshake", "endpoint", "drop", "state", NULL};

/* What each argument of a timeline command is, by its usage text
 * ("set-endpoint NODE WG PEER ADDR:PORT"): the word at `pos` (1-based). */
static const char *usage_word(hs_cmd_kind k, int pos, char *buf, size_t len)
{
    const char *u = hs_cmd_usage(k);
    for (int i = 0; i < pos && u; i++) {
        u = strchr(u, ' ');
        if (u)
            u++;
    }
    if (!u)
        return "";
    size_t l = strcspn(u, " ");
    snprintf(buf, len, "%.*s", (int)l, u);
    return buf;
}

static void add_node_items(const hs_node *n, const char *what, const char *peer_wg,
                           void (*add)(void *ctx, const char *word), void *ctx)
{
    if (!strcmp(what, "IF"))
        for (size_t i = 0; i < n->n_ifaces; i++)
            add(ctx, n->ifaces[i].name);
    if (!strcmp(what, "WG"))
        for (size_t i = 0; i < n->n_wg; i++)
            add(ctx, n->wg[i].name);
    if (!strcmp(what, "GW"))
        for (size_t i = 0; i < n->n_gateways; i++)
            add(ctx, n->gateways[i].name);
    if (!strcmp(what, "GW"))
        for (size_t i = 0; i < n->n_groups; i++)
            add(ctx, n->groups[i].name);
    if (!strcmp(what, "PEER") && peer_wg) {
        int j = hs_node_find_wg(n, peer_wg);
        for (size_t k = 0; j >= 0 && k < n->wg[j].n_peers; k++) {
            const hs_wg_peer *p = &n->wg[j].peers[k];
            if (p->name) /* the name, else the node's: a public-key peer has neither */
                add(ctx, p->name);
        }
    }
}

void explore_complete(hs_session *ss, const char *line, void (*add)(void *ctx, const char *word), void *ctx)
{
    const hs_scenario *s = hs_session_scenario(ss);
    char w[8][HS_NAME_MAX];
    int n = 0;
    for (const char *p = line; *p && n < 8;) {
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        size_t l = strcspn(p, " \t");
        snprintf(w[n++], sizeof w[0], "%.*s", (int)l, p);
        p += l;
    }
    if (n == 0) {
        for (size_t i = 0; explore_verbs[i]; i++)
            add(ctx, explore_verbs[i]);
        for (int k = 0; k < HS_CMD__COUNT; k++)
            add(ctx, hs_cmd_name((hs_cmd_kind)k));
        hs_view_complete(hs_session_world(ss), "", add, ctx);
        if (hs_view_is_verb("packets"))
            add(ctx, "packets");
        if (hs_view_is_verb("why"))
            add(ctx, "why");
        return;
    }
    if (hs_view_is_verb(w[0])) {
        hs_view_complete(hs_session_world(ss), line, add, ctx);
        return;
    }
    if (!strcmp(w[0], "break")) {
        if (n == 1) {
            add(ctx, "on");
            add(ctx, "off");
        } else if (n == 2 && !strcmp(w[1], "on")) {
            for (size_t i = 0; break_kinds[i]; i++)
                add(ctx, break_kinds[i]);
        } else if (n == 3 && !strcmp(w[1], "on")) {
            for (size_t i = 0; i < s->n_nodes; i++)
                add(ctx, s->nodes[i].name);
        }
        return;
    }
    if (!strcmp(w[0], "save") && n == 2) {
        add(ctx, "--expect");
        return;
    }
    for (int k = 0; k < HS_CMD__COUNT; k++) {
        if (strcmp(w[0], hs_cmd_name((hs_cmd_kind)k)))
            continue;
        char what[32];
        usage_word((hs_cmd_kind)k, n, what, sizeof what);
        if (!strcmp(what, "NODE")) {
            for (size_t i = 0; i < s->n_nodes; i++)
                add(ctx, s->nodes[i].name);
        } else if (!strcmp(what, "on|off")) {
            add(ctx, "on");
            add(ctx, "off");
        } else if (!strcmp(what, "via")) {
            add(ctx, "via");
        } else if (!strcmp(what, "DEST")) {
            add(ctx, "default");
        } else {
            int ni = hs_find_node(s, w[1]);
            if (ni >= 0)
                add_node_items(&s->nodes[ni], what, n >= 3 ? w[2] : NULL, add, ctx);
        }
    }
}
