/*
 * command.c — THE command language of timelines (`do:`) and the explore
 * shell (DESIGN.md "Commands"). Parsing turns one line into an hs_command;
 * hs_command_check() resolves its names against a scenario. Nothing here
 * executes anything: the runner does.
 */
#include "harness/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* What each argument slot holds. */
typedef enum argt { A_NONE, A_NODE, A_IF, A_WG, A_PEER, A_ONOFF, A_ENDPOINT, A_DEST, A_VIA_KW, A_GW, A_ADDR,
              A_OPT_DURATION /* optional, last: a duration */ } argt;

static const struct cmd_def {
    const char *name;
    hs_cmd_kind kind;
    const char *usage;
    argt args[5]; /* after the command word */
} defs[HS_CMD__COUNT] = {
    {"power-off", HS_CMD_POWER_OFF, "power-off NODE", {A_NODE}},
    {"power-on", HS_CMD_POWER_ON, "power-on NODE", {A_NODE}},
    {"reboot", HS_CMD_REBOOT, "reboot NODE [DOWNTIME]", {A_NODE, A_OPT_DURATION}},
    {"maintenance", HS_CMD_MAINTENANCE, "maintenance NODE on|off", {A_NODE, A_ONOFF}},
    {"carp-disable", HS_CMD_CARP_DISABLE, "carp-disable NODE", {A_NODE}},
    {"carp-enable", HS_CMD_CARP_ENABLE, "carp-enable NODE", {A_NODE}},
    {"link-down", HS_CMD_LINK_DOWN, "link-down NODE IF", {A_NODE, A_IF}},
    {"link-up", HS_CMD_LINK_UP, "link-up NODE IF", {A_NODE, A_IF}},
    {"gateway-down", HS_CMD_GATEWAY_DOWN, "gateway-down NODE", {A_NODE}},
    {"gateway-up", HS_CMD_GATEWAY_UP, "gateway-up NODE", {A_NODE}},
    {"set-endpoint", HS_CMD_SET_ENDPOINT, "set-endpoint NODE WG PEER ADDR:PORT", {A_NODE, A_WG, A_PEER, A_ENDPOINT}},
    {"remove-endpoint", HS_CMD_REMOVE_ENDPOINT, "remove-endpoint NODE WG PEER", {A_NODE, A_WG, A_PEER}},
    {"route-add", HS_CMD_ROUTE_ADD, "route-add NODE DEST via GW", {A_NODE, A_DEST, A_VIA_KW, A_GW}},
    {"route-del", HS_CMD_ROUTE_DEL, "route-del NODE DEST", {A_NODE, A_DEST}},
    {"states-kill", HS_CMD_STATES_KILL, "states-kill NODE", {A_NODE}},
    {"wg-down", HS_CMD_WG_DOWN, "wg-down NODE WG", {A_NODE, A_WG}},
    {"wg-up", HS_CMD_WG_UP, "wg-up NODE WG", {A_NODE, A_WG}},
    {"ping", HS_CMD_PING, "ping NODE ADDR", {A_NODE, A_ADDR}},
    {"wg-restart", HS_CMD_WG_RESTART, "wg-restart NODE WG", {A_NODE, A_WG}},
};

const char *hs_cmd_name(hs_cmd_kind k) { return (unsigned)k < HS_CMD__COUNT ? defs[k].name : "?"; }
const char *hs_cmd_usage(hs_cmd_kind k) { return (unsigned)k < HS_CMD__COUNT ? defs[k].usage : "?"; }

static const char *argt_what(argt t)
{
    switch (t) {
    case A_NODE: return "a node name";
    case A_IF: return "an interface name";
    case A_WG: return "a wireguard interface name";
    case A_PEER: return "a peer (node name, peer name or public key)";
    case A_ONOFF: return "'on' or 'off'";
    case A_ENDPOINT: return "an endpoint ADDR:PORT";
    case A_DEST: return "a destination ('default' or a prefix)";
    case A_VIA_KW: return "'via'";
    case A_GW: return "a gateway (address, gateway or group name)";
    case A_ADDR: return "an address";
    case A_OPT_DURATION: return "a duration";
    default: return "nothing";
    }
}

static bool fail(char *err, size_t errlen, int *err_col, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool fail(char *err, size_t errlen, int *err_col, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (err_col)
        *err_col = col;
    return false;
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

bool hs_command_parse(const char *line, hs_command *out, char *err, size_t errlen, int *err_col)
{
    enum { MAXW = 8 };
    char words[MAXW][HS_NAME_MAX];
    int cols[MAXW];
    int nw = 0;
    int endcol = 1;
    memset(out, 0, sizeof *out);
    if (!line)
        return fail(err, errlen, err_col, 1, "empty command");
    /* columns count characters, as YAML columns do */
    int col = 1;
    const char *p = line;
    while (*p) {
        if (*p == ' ' || *p == '\t') {
            p++;
            col++;
            continue;
        }
        if (*p == '#')
            break;
        if (*p == '\n' || *p == '\r')
            return fail(err, errlen, err_col, col, "a command is a single line");
        const char *start = p;
        int scol = col;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            if (((unsigned char)*p & 0xC0) != 0x80)
                col++;
            p++;
        }
        size_t l = (size_t)(p - start);
        if (nw == MAXW)
            return fail(err, errlen, err_col, scol, "too many words in the command");
        if (l >= HS_NAME_MAX)
            return fail(err, errlen, err_col, scol, "'%.20s...' is too long (at most %d characters)", start,
                        HS_NAME_MAX - 1);
        memcpy(words[nw], start, l);
        words[nw][l] = '\0';
        cols[nw++] = scol;
        endcol = col;
    }
    if (nw == 0)
        return fail(err, errlen, err_col, 1, "empty command");

    const struct cmd_def *def = NULL;
    for (int i = 0; i < HS_CMD__COUNT; i++)
        if (!strcmp(defs[i].name, words[0]))
            def = &defs[i];
    if (!def) {
        const char *names[HS_CMD__COUNT];
        for (int i = 0; i < HS_CMD__COUNT; i++)
            names[i] = defs[i].name;
        const char *best = hs_closest(words[0], names, HS_CMD__COUNT);
        if (best)
            return fail(err, errlen, err_col, cols[0], "unknown command '%s'; did you mean '%s'?", words[0], best);
        char list[400] = "";
        for (int i = 0; i < HS_CMD__COUNT; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", defs[i].name);
        return fail(err, errlen, err_col, cols[0], "unknown command '%s' (commands: %s)", words[0], list);
    }
    out->kind = def->kind;
    out->col[HS_ARG_CMD] = cols[0];
    int na = 0;
    while (na < 5 && def->args[na] != A_NONE)
        na++;
    for (int i = 0; i < na; i++) {
        argt t = def->args[i];
        if (1 + i >= nw && t == A_OPT_DURATION)
            break;
        if (1 + i >= nw)
            return fail(err, errlen, err_col, endcol, "'%s' needs %s (usage: %s)", def->name,
                        argt_what(t), def->usage);
        const char *w = words[1 + i];
        int c = cols[1 + i];
        out->col[1 + i] = c;
        switch (t) {
        case A_NODE:
        case A_IF:
        case A_WG:
            if (!valid_name(w))
                return fail(err, errlen, err_col, c, "'%s' is not a valid %s name", w,
                            t == A_NODE ? "node" : t == A_IF ? "interface" : "wireguard interface");
            strcpy(t == A_NODE ? out->node : out->iface, w);
            break;
        case A_PEER:
            strcpy(out->peer, w);
            break;
        case A_ONOFF:
            if (!strcmp(w, "on"))
                out->on = true;
            else if (!strcmp(w, "off"))
                out->on = false;
            else
                return fail(err, errlen, err_col, c, "expected 'on' or 'off', got '%s' (usage: %s)", w, def->usage);
            break;
        case A_ENDPOINT:
            if (!wg_endpoint_parse(w, &out->endpoint))
                return fail(err, errlen, err_col, c, "'%s' is not an endpoint ADDR:PORT (e.g. 192.0.2.1:51820)", w);
            break;
        case A_DEST:
            if (!strcmp(w, "default")) {
                out->dest_default = true;
                wg_prefix_parse("0.0.0.0/0", &out->dest);
            } else if (!wg_prefix_parse(w, &out->dest)) {
                return fail(err, errlen, err_col, c,
                            "'%s' is not a destination ('default' or a prefix such as 192.0.2.0/24)", w);
            } else {
                /* only 0.0.0.0/0 is "default" (as printed): ::/0 printed as
                 * "default" would read back as 0.0.0.0/0 */
                out->dest_default = out->dest.len == 0 && out->dest.ip.family == 4;
            }
            break;
        case A_VIA_KW:
            if (strcmp(w, "via"))
                return fail(err, errlen, err_col, c, "expected 'via', got '%s' (usage: %s)", w, def->usage);
            break;
        case A_GW:
            if (wg_ip_parse(w, &out->via_addr)) {
                out->via_is_addr = true;
            } else if (!valid_name(w)) {
                return fail(err, errlen, err_col, c, "'%s' is neither an address nor a gateway name", w);
            }
            strcpy(out->via, w);
            break;
        case A_ADDR:
            if (!wg_ip_parse(w, &out->addr))
                return fail(err, errlen, err_col, c, "'%s' is not an address", w);
            break;
        case A_OPT_DURATION: {
            hs_dur_err e = hs_duration_parse(w, &out->duration);
            if (e != HS_DUR_OK)
                return fail(err, errlen, err_col, c, "'%s' %s (%susage: %s)", w, hs_duration_problem(e),
                            e == HS_DUR_SYNTAX ? "e.g. 30s, 2m; " : "", def->usage);
            out->has_duration = true;
            break;
        }
        case A_NONE:
            break;
        }
    }
    if (nw > 1 + na)
        return fail(err, errlen, err_col, cols[1 + na], "unexpected '%s' (usage: %s)", words[1 + na], def->usage);
    return true;
}

const char *hs_command_format(const hs_command *c, char *buf, size_t len)
{
    char a[WG_IP_STRLEN];
    switch (c->kind) {
    case HS_CMD_MAINTENANCE:
        snprintf(buf, len, "maintenance %s %s", c->node, c->on ? "on" : "off");
        break;
    case HS_CMD_LINK_DOWN:
    case HS_CMD_LINK_UP:
    case HS_CMD_WG_DOWN:
    case HS_CMD_WG_UP:
    case HS_CMD_WG_RESTART:
        snprintf(buf, len, "%s %s %s", hs_cmd_name(c->kind), c->node, c->iface);
        break;
    case HS_CMD_SET_ENDPOINT:
        snprintf(buf, len, "set-endpoint %s %s %s %s", c->node, c->iface, c->peer,
                 wg_endpoint_format(&c->endpoint, a));
        break;
    case HS_CMD_REMOVE_ENDPOINT:
        snprintf(buf, len, "remove-endpoint %s %s %s", c->node, c->iface, c->peer);
        break;
    case HS_CMD_ROUTE_ADD:
        snprintf(buf, len, "route-add %s %s via %s", c->node,
                 c->dest_default ? "default" : wg_prefix_format(&c->dest, a), c->via);
        break;
    case HS_CMD_ROUTE_DEL:
        snprintf(buf, len, "route-del %s %s", c->node, c->dest_default ? "default" : wg_prefix_format(&c->dest, a));
        break;
    case HS_CMD_PING:
        snprintf(buf, len, "ping %s %s", c->node, wg_ip_format(&c->addr, a));
        break;
    case HS_CMD_REBOOT:
        if (c->has_duration)
            snprintf(buf, len, "reboot %s %s", c->node, hs_format_duration(c->duration, a, sizeof a));
        else
            snprintf(buf, len, "reboot %s", c->node);
        break;
    default:
        snprintf(buf, len, "%s %s", hs_cmd_name(c->kind), c->node);
        break;
    }
    return buf;
}

/* ---- references ---- */

static const char *suggest(const char *word, const char *const *names, size_t n, char *buf, size_t len)
{
    const char *best = hs_closest(word, names, n);
    if (best)
        snprintf(buf, len, "; did you mean '%s'?", best);
    else
        buf[0] = '\0';
    return buf;
}

bool hs_command_check(const hs_scenario *s, const hs_command *c, char *err, size_t errlen, int *err_col)
{
    char sug[HS_NAME_MAX + 32];
    const char *names[256];
    int ni = hs_find_node(s, c->node);
    if (ni < 0) {
        size_t k = 0;
        for (size_t i = 0; i < s->n_nodes && k < 256; i++)
            names[k++] = s->nodes[i].name;
        return fail(err, errlen, err_col, c->col[HS_ARG_NODE], "unknown node '%s'%s", c->node,
                    suggest(c->node, names, k, sug, sizeof sug));
    }
    const hs_node *n = &s->nodes[ni];
    /* The simulated network is IPv4 only, as the loader says of scenario
     * addresses; the parser itself keeps IPv6 for a later network. */
    int v6_col = 0;
    if (c->kind == HS_CMD_SET_ENDPOINT && c->endpoint.ip.family == 6)
        v6_col = c->col[HS_ARG_4];
    else if ((c->kind == HS_CMD_ROUTE_ADD || c->kind == HS_CMD_ROUTE_DEL) && !c->dest_default &&
             c->dest.ip.family == 6)
        v6_col = c->col[HS_ARG_2];
    else if (c->kind == HS_CMD_ROUTE_ADD && c->via_is_addr && c->via_addr.family == 6)
        v6_col = c->col[HS_ARG_4];
    else if (c->kind == HS_CMD_PING && c->addr.family == 6)
        v6_col = c->col[HS_ARG_2];
    if (v6_col)
        return fail(err, errlen, err_col, v6_col,
                    "IPv6 is not modelled yet: the simulated network is IPv4 only");
    switch (c->kind) {
    case HS_CMD_MAINTENANCE:
    case HS_CMD_CARP_DISABLE:
    case HS_CMD_CARP_ENABLE:
        if (n->n_carp == 0)
            return fail(err, errlen, err_col, c->col[HS_ARG_NODE], "node '%s' has no CARP addresses", c->node);
        break;
    case HS_CMD_STATES_KILL:
        if (n->kind != HS_NODE_FIREWALL && n->n_nat_outbound == 0 && n->n_nat_forward == 0)
            return fail(err, errlen, err_col, c->col[HS_ARG_NODE], "node '%s' keeps no pf/NAT states (kind %s)",
                        c->node, hs_node_kind_name(n->kind));
        break;
    case HS_CMD_LINK_DOWN:
    case HS_CMD_LINK_UP:
        if (hs_node_find_iface(n, c->iface) < 0) {
            size_t k = 0;
            for (size_t i = 0; i < n->n_ifaces && k < 256; i++)
                names[k++] = n->ifaces[i].name;
            return fail(err, errlen, err_col, c->col[HS_ARG_2], "node '%s' has no interface '%s'%s", c->node,
                        c->iface, suggest(c->iface, names, k, sug, sizeof sug));
        }
        break;
    case HS_CMD_WG_DOWN:
    case HS_CMD_WG_UP:
    case HS_CMD_WG_RESTART:
    case HS_CMD_SET_ENDPOINT:
    case HS_CMD_REMOVE_ENDPOINT: {
        int wi = hs_node_find_wg(n, c->iface);
        if (wi < 0) {
            size_t k = 0;
            for (size_t i = 0; i < n->n_wg && k < 256; i++)
                names[k++] = n->wg[i].name;
            return fail(err, errlen, err_col, c->col[HS_ARG_2], "node '%s' has no wireguard interface '%s'%s",
                        c->node, c->iface, suggest(c->iface, names, k, sug, sizeof sug));
        }
        if (c->kind == HS_CMD_SET_ENDPOINT || c->kind == HS_CMD_REMOVE_ENDPOINT) {
            const hs_wg *w = &n->wg[wi];
            if (hs_wg_find_peer(w, c->peer) < 0) {
                size_t k = 0;
                for (size_t i = 0; i < w->n_peers && k < 256; i++)
                    if (w->peers[i].name)
                        names[k++] = w->peers[i].name;
                return fail(err, errlen, err_col, c->col[HS_ARG_3], "%s.%s has no peer '%s'%s", c->node, c->iface,
                            c->peer, suggest(c->peer, names, k, sug, sizeof sug));
            }
        }
        break;
    }
    case HS_CMD_ROUTE_ADD:
        if (c->via_is_addr) {
            /* an interface with an invalid address (reported by the loader)
             * leaves the node's networks unknown: no second error */
            bool onlink = false, unknown = false;
            for (size_t i = 0; i < n->n_ifaces; i++) {
                if (!n->ifaces[i].address.ip.family)
                    unknown = true;
                else if (wg_prefix_contains(&n->ifaces[i].address, &c->via_addr))
                    onlink = true;
            }
            if (!onlink && !unknown)
                return fail(err, errlen, err_col, c->col[HS_ARG_4],
                            "gateway %s is not on any network of node '%s'", c->via, c->node);
        } else if (hs_node_find_gateway(n, c->via) < 0 && hs_node_find_group(n, c->via) < 0) {
            size_t k = 0;
            for (size_t i = 0; i < n->n_gateways && k < 256; i++)
                names[k++] = n->gateways[i].name;
            for (size_t i = 0; i < n->n_groups && k < 256; i++)
                names[k++] = n->groups[i].name;
            return fail(err, errlen, err_col, c->col[HS_ARG_4], "node '%s' has no gateway or gateway group '%s'%s",
                        c->node, c->via, suggest(c->via, names, k, sug, sizeof sug));
        }
        break;
    default:
        break;
    }
    return true;
}
