/*
 * execute.c — runs timeline commands (`do:`, and later the explore shell)
 * against a built world. Each command maps to one simulator call; what the
 * command *does* (how CARP reacts to maintenance, what WireGuard does when
 * its learned source vanishes, ...) is entirely the models' business.
 *
 * `reboot N [DOWNTIME]` powers the node off and on again DOWNTIME later
 * (default 0: a power cycle at the same instant); the node's models
 * restart from their configuration (CARP through INIT, no WireGuard
 * session, no pf state, maintenance mode kept). A later power command for
 * the same node cancels a power-on still pending (the operator took over).
 * The default stays 0, as the scenarios written before the downtime
 * existed assume; a real pfSense reboot takes tens of seconds, which a
 * scenario states with the downtime (nothing in reference/ha-model.md
 * gives one number for it).
 * `ping N ADDR` sends one ICMP echo from N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

typedef struct hs_event_ev {
    hs_world *hw;
    size_t index;
} hs_event_ev;

/* The power-on of `reboot N DOWNTIME`, one slot per node. */
typedef struct hs_power_ev {
    hs_world *hw;
    int node;
    sim_event_id id; /* 0 = none pending */
} hs_power_ev;

static void power_on_cb(void *arg)
{
    hs_power_ev *p = arg;
    p->id = 0;
    sim_node_set_power(p->hw->nodes[p->node], true);
}

/* Any power command for a node supersedes its pending power-on. */
static void cancel_power_on(hs_world *hw, int ni)
{
    if (hw->power && hw->power[ni].id) {
        sim_cancel(sim_world_engine(hw->w), hw->power[ni].id);
        hw->power[ni].id = 0;
    }
}

static void log_cmd(hs_world *hw, int node, const hs_command *c, const char *error)
{
    if (hw->n_cmds == hw->cap_cmds) {
        size_t cap = hw->cap_cmds ? hw->cap_cmds * 2 : 16;
        hs_cmd_log *v = realloc(hw->cmds, cap * sizeof *v);
        if (!v)
            return;
        hw->cmds = v;
        hw->cap_cmds = cap;
    }
    hs_cmd_log *l = &hw->cmds[hw->n_cmds++];
    memset(l, 0, sizeof *l);
    l->t = sim_world_now(hw->w);
    l->node = node;
    hs_command_format(c, l->text, sizeof l->text);
    snprintf(l->error, sizeof l->error, "%s", error ? error : "");
}

static int find_node(const hs_world *hw, const char *name)
{
    return hs_find_node(hw->s, name);
}

static bool need_fw(hs_world *hw, int ni, const hs_command *c, char *err, size_t errlen)
{
    if (hw->fws[ni])
        return true;
    snprintf(err, errlen, "%s: node '%s' has no firewall models", hs_cmd_name(c->kind), c->node);
    return false;
}

static bool wg_peer(hs_world *hw, int ni, const hs_command *c, sim_wg **h, int *peer_id, char *err, size_t errlen)
{
    const hs_node *hn = &hw->s->nodes[ni];
    int j = hs_node_find_wg(hn, c->iface);
    if (j < 0 || !hw->wgs[ni] || !hw->wgs[ni][j]) {
        snprintf(err, errlen, "node '%s' has no wireguard interface '%s'", c->node, c->iface);
        return false;
    }
    *h = hw->wgs[ni][j];
    if (!peer_id)
        return true;
    int k = hs_wg_find_peer(&hn->wg[j], c->peer);
    if (k < 0) {
        snprintf(err, errlen, "%s.%s has no peer '%s'", c->node, c->iface, c->peer);
        return false;
    }
    *peer_id = hw->peer_ids[ni][j][k];
    return true;
}

static bool check_err(sim_err e, const hs_command *c, char *err, size_t errlen)
{
    if (e == SIM_OK)
        return true;
    char t[160];
    /* What the refusal means for the two commands that depend on the
     * routes at that moment (the loader has checked every name already). */
    const char *why = c->kind == HS_CMD_ROUTE_ADD && e == SIM_EEXIST   ? ": the node already has a route to that "
                                                                         "destination (route-del it first)"
                      : c->kind == HS_CMD_ROUTE_DEL && e == SIM_ENOENT ? ": the node has no route to exactly that "
                                                                         "destination"
                                                                       : "";
    snprintf(err, errlen, "%s: refused by the simulator (%s)%s", hs_command_format(c, t, sizeof t), sim_err_name(e),
             why);
    return false;
}

bool hs_world_execute(hs_world *hw, const hs_command *c, char *err, size_t errlen)
{
    err[0] = 0;
    int ni = find_node(hw, c->node);
    if (ni < 0 || !hw->nodes[ni]) {
        snprintf(err, errlen, "unknown node '%s'", c->node);
        return false;
    }
    sim_node *n = hw->nodes[ni];
    sim_fw *f = hw->fws[ni];
    bool ok = true;
    switch (c->kind) {
    case HS_CMD_POWER_OFF:
        cancel_power_on(hw, ni);
        sim_node_set_power(n, false);
        break;
    case HS_CMD_POWER_ON:
        cancel_power_on(hw, ni);
        sim_node_set_power(n, true);
        break;
    case HS_CMD_REBOOT:
        cancel_power_on(hw, ni);
        sim_node_set_power(n, false);
        if (c->duration <= 0) {
            sim_node_set_power(n, true);
        } else {
            if (!hw->power && !(hw->power = calloc(hw->s->n_nodes, sizeof *hw->power)))
                sim_oom("scheduling a power-on");
            hw->power[ni] = (hs_power_ev){.hw = hw, .node = ni};
            hw->power[ni].id = sim_schedule_in(sim_world_engine(hw->w), c->duration, power_on_cb, &hw->power[ni]);
        }
        break;
    case HS_CMD_MAINTENANCE:
        ok = need_fw(hw, ni, c, err, errlen) && check_err(sim_fw_maintenance(f, c->on), c, err, errlen);
        break;
    case HS_CMD_CARP_DISABLE:
    case HS_CMD_CARP_ENABLE:
        ok = need_fw(hw, ni, c, err, errlen) &&
             check_err(sim_fw_carp_enable(f, c->kind == HS_CMD_CARP_ENABLE), c, err, errlen);
        break;
    case HS_CMD_LINK_DOWN:
    case HS_CMD_LINK_UP: {
        sim_iface *ifp = sim_node_iface(n, c->iface);
        if (!ifp) {
            snprintf(err, errlen, "node '%s' has no interface '%s'", c->node, c->iface);
            ok = false;
        } else {
            sim_iface_set_link(ifp, c->kind == HS_CMD_LINK_UP);
        }
        break;
    }
    case HS_CMD_GATEWAY_DOWN: sim_node_set_gateway_down(n, true); break;
    case HS_CMD_GATEWAY_UP: sim_node_set_gateway_down(n, false); break;
    case HS_CMD_SET_ENDPOINT:
    case HS_CMD_REMOVE_ENDPOINT: {
        sim_wg *h;
        int id;
        ok = wg_peer(hw, ni, c, &h, &id, err, errlen);
        if (ok) {
            ok = c->kind == HS_CMD_SET_ENDPOINT ? sim_wg_set_endpoint(h, id, &c->endpoint)
                                                : sim_wg_remove_endpoint(h, id);
            if (!ok) {
                char t[160];
                snprintf(err, errlen, "%s: refused by the device", hs_command_format(c, t, sizeof t));
            }
        }
        break;
    }
    case HS_CMD_ROUTE_ADD: {
        wg_prefix dst = c->dest;
        if (c->dest_default)
            wg_prefix_parse("0.0.0.0/0", &dst);
        if (c->via_is_addr) {
            sim_route r = {.dst = dst, .gateway = c->via_addr, .origin = SIM_RT_STATIC};
            ok = check_err(sim_route_add(n, &r), c, err, errlen);
        } else {
            ok = need_fw(hw, ni, c, err, errlen) && check_err(sim_fw_route_via(f, &dst, c->via), c, err, errlen);
        }
        break;
    }
    case HS_CMD_ROUTE_DEL: {
        wg_prefix dst = c->dest;
        if (c->dest_default)
            wg_prefix_parse("0.0.0.0/0", &dst);
        ok = check_err(sim_route_del(n, &dst), c, err, errlen);
        break;
    }
    case HS_CMD_STATES_KILL:
        ok = need_fw(hw, ni, c, err, errlen);
        if (ok)
            sim_fw_states_kill(f);
        break;
    case HS_CMD_WG_DOWN:
    case HS_CMD_WG_UP: {
        sim_wg *h;
        ok = wg_peer(hw, ni, c, &h, NULL, err, errlen);
        if (ok) {
            if (c->kind == HS_CMD_WG_UP)
                sim_wg_up(h);
            else
                sim_wg_down(h);
        }
        break;
    }
    case HS_CMD_WG_RESTART: {
        /* pfSense's service restart destroys and recreates the interface
         * (sessions, learned endpoints and local addresses lost), unlike
         * wg-down/wg-up, which keep them as ifconfig down/up does. */
        sim_wg *h;
        ok = wg_peer(hw, ni, c, &h, NULL, err, errlen);
        if (ok)
            sim_wg_restart(h);
        break;
    }
    case HS_CMD_PING: {
        sim_ping_config pc = {.dst = c->addr, .start = sim_world_now(hw->w), .interval = SIM_S, .count = 1};
        if (!sim_ping_start(n, &pc)) {
            snprintf(err, errlen, "ping: refused by the simulator");
            ok = false;
        }
        break;
    }
    default:
        snprintf(err, errlen, "command not supported by the runner");
        ok = false;
        break;
    }
    log_cmd(hw, ni, c, ok ? NULL : err);
    return ok;
}

static void event_cb(void *arg)
{
    hs_event_ev *ev = arg;
    hs_world *hw = ev->hw;
    const hs_event *e = &hw->s->events[ev->index];
    char err[256];
    if (!hs_world_execute(hw, &e->cmd, err, sizeof err) && !hw->run_error) {
        hw->run_error = true;
        snprintf(hw->run_error_text, sizeof hw->run_error_text, "%s:%u:%u: do: %s", hw->s->file ? hw->s->file : "?",
                 e->do_loc.line, e->do_loc.col, err);
    }
}

void hs_schedule_events(hs_world *hw)
{
    const hs_scenario *s = hw->s;
    hw->events = calloc(s->n_events ? s->n_events : 1, sizeof *hw->events);
    if (!hw->events)
        sim_oom("scheduling the timeline");
    for (size_t i = 0; i < s->n_events; i++) {
        hw->events[i] = (hs_event_ev){.hw = hw, .index = i};
        sim_schedule_at(sim_world_engine(hw->w), s->events[i].at, event_cb, &hw->events[i]);
    }
}
