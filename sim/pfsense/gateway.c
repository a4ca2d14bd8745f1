/*
 * gateway.c — dpinger-like gateway monitor, gateway status and gateway
 * groups (pfSense multi-WAN).
 *
 * Sources (ha-model.md §3): GW = pfSense src/etc/inc/gwlb.inc (dpinger
 * defaults, return_gateways_status, fixup_default_gateway), DP =
 * dennypage/dpinger NOTES.md.
 * - One probe every probe_interval (500 ms); the window holds
 *   time_period / probe_interval (120) slots, the oldest overwritten.
 * - A probe counts as lost once unanswered for loss_interval (2000 ms);
 *   younger unanswered probes are not counted yet, so about 116 slots are
 *   in use (DP). loss % = lost / (received + lost); latency = the average
 *   of received probes.
 * - Every alert_interval (1000 ms) the status is evaluated: latency >
 *   latency_high -> down (highdelay), loss > loss_high -> down
 *   (highloss); else latency > latency_low -> delay; else loss >
 *   loss_low -> loss; else online (GW get_dpinger_status, called by
 *   return_gateways_status; thresholds 10/20 %, 200/500 ms). delay and
 *   loss are pfSense's status "online" with a warning substatus: they
 *   take a gateway out of nothing.
 * - Groups: lower tier preferred; trigger "member down" by default
 *   (D:routing/gateway-settings). Which members a route or a rule uses:
 *   gw_member_up, gw_route_to_keeps (docs/models.md "Gateway groups and
 *   triggers").
 */
#include "sim/pfsense/gateway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gw_status_name(gw_status s)
{
    switch (s) {
    case GW_ONLINE: return "online";
    case GW_DELAY: return "delay";
    case GW_LOSS: return "loss";
    case GW_DOWN: return "down";
    }
    return "?";
}

const char *gw_reason_name(gw_reason r)
{
    /* pfSense's substatus names (gwlb.inc get_dpinger_status). */
    switch (r) {
    case GW_REASON_NONE: return "none";
    case GW_REASON_HIGHDELAY: return "highdelay";
    case GW_REASON_HIGHLOSS: return "highloss";
    }
    return "?";
}

bool gw_status_parse(const char *s, gw_status *out)
{
    for (int i = GW_ONLINE; i <= GW_DOWN; i++)
        if (!strcmp(s, gw_status_name((gw_status)i))) {
            *out = (gw_status)i;
            return true;
        }
    return false;
}

void gw_monitor_options_default(gw_monitor_options *o)
{
    /* pfSense dpinger defaults (ha-model.md §3, GW). */
    o->probe_interval = 500 * SIM_MS;
    o->loss_interval = 2000 * SIM_MS;
    o->time_period = 60000 * SIM_MS;
    o->alert_interval = 1000 * SIM_MS;
    o->latency_low = 200 * SIM_MS;
    o->latency_high = 500 * SIM_MS;
    o->loss_low = 10.0;
    o->loss_high = 20.0;
}

void gw_set_init(gw_set *s, sim_engine *eng, const gw_ops *ops)
{
    memset(s, 0, sizeof *s);
    s->eng = eng;
    if (ops)
        s->ops = *ops;
}

void gw_set_free(gw_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        gw_stop(s->g[i]);
        free(s->g[i]->slots);
        free(s->g[i]);
    }
    for (size_t i = 0; i < s->ngroups; i++)
        free(s->groups[i].m);
    free(s->g);
    free(s->groups);
    memset(s, 0, sizeof *s);
}

gateway *gw_find(const gw_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->g[i]->name, name))
            return s->g[i];
    return NULL;
}

gw_group *gw_group_find(const gw_set *s, const char *name)
{
    for (size_t i = 0; i < s->ngroups; i++)
        if (!strcmp(s->groups[i].name, name))
            return &s->groups[i];
    return NULL;
}

gateway *gw_add(gw_set *s, const char *name, const char *ifname, uint32_t addr, uint32_t monitor,
                const gw_monitor_options *opt)
{
    if (!name || !name[0] || gw_find(s, name) || gw_group_find(s, name))
        return NULL;
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 4;
        gateway **ng = realloc(s->g, nc * sizeof *ng);
        if (!ng)
            return NULL;
        s->g = ng;
        s->cap = nc;
    }
    gateway *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->set = s;
    snprintf(g->name, sizeof g->name, "%s", name);
    snprintf(g->ifname, sizeof g->ifname, "%s", ifname ? ifname : "");
    g->addr = addr;
    g->monitor = monitor ? monitor : addr;
    if (opt)
        g->opt = *opt;
    else
        gw_monitor_options_default(&g->opt);
    if (g->opt.probe_interval <= 0 || g->opt.time_period < g->opt.probe_interval || g->opt.alert_interval <= 0) {
        free(g);
        return NULL;
    }
    g->nslots = (size_t)(g->opt.time_period / g->opt.probe_interval);
    g->slots = calloc(g->nslots, sizeof *g->slots);
    if (!g->slots) {
        free(g);
        return NULL;
    }
    g->status = GW_ONLINE;
    s->g[s->n++] = g;
    return g;
}

gw_group *gw_group_add(gw_set *s, const char *name, gw_trigger trigger)
{
    if (!name || !name[0] || gw_find(s, name) || gw_group_find(s, name))
        return NULL;
    if (s->ngroups == s->gcap) {
        size_t nc = s->gcap ? 2 * s->gcap : 4;
        gw_group *ng = realloc(s->groups, nc * sizeof *ng);
        if (!ng)
            return NULL;
        s->groups = ng;
        s->gcap = nc;
    }
    gw_group *g = &s->groups[s->ngroups++];
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", name);
    g->trigger = trigger;
    return g;
}

bool gw_group_add_member(gw_group *g, gateway *gw, int tier)
{
    /* pfSense tiers 1..5 (D:routing/gateway-settings). */
    if (!gw || tier < 1 || tier > 5)
        return false;
    gw_member *nm = realloc(g->m, (g->n + 1) * sizeof *nm);
    if (!nm)
        return false;
    g->m = nm;
    g->m[g->n].gw = gw;
    g->m[g->n].tier = tier;
    g->n++;
    return true;
}

static void probe_fired(void *arg);
static void alert_fired(void *arg);

void gw_start(gateway *g)
{
    gw_stop(g);
    memset(g->slots, 0, g->nslots * sizeof *g->slots);
    g->next = 0;
    g->status = GW_ONLINE;
    g->reason = GW_REASON_NONE;
    g->delay_loss = g->was_delay_loss = false;
    g->loss = 0;
    g->latency = 0;
    if (g->monitor_disabled)
        return;
    sim_engine *e = g->set->eng;
    g->probe_ev = sim_schedule_in(e, 0, probe_fired, g);
    g->alert_ev = sim_schedule_in(e, g->opt.alert_interval, alert_fired, g);
}

void gw_stop(gateway *g)
{
    sim_engine *e = g->set->eng;
    sim_cancel(e, g->probe_ev);
    sim_cancel(e, g->alert_ev);
    g->probe_ev = g->alert_ev = 0;
}

void gw_start_all(gw_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        gw_start(s->g[i]);
}

void gw_stop_all(gw_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        gw_stop(s->g[i]);
}

static void probe_fired(void *arg)
{
    gateway *g = arg;
    sim_engine *e = g->set->eng;
    gw_slot *sl = &g->slots[g->next];
    g->next = (g->next + 1) % g->nslots;
    sl->status = GW_SLOT_SENT;
    sl->seq = g->seq++;
    sl->sent = sim_now(e);
    sl->latency = 0;
    g->probes_sent++;
    g->probe_ev = sim_schedule_in(e, g->opt.probe_interval, probe_fired, g);
    if (g->set->ops.send_probe)
        g->set->ops.send_probe(g->set->ops.ctx, g, sl->seq);
}

void gw_probe_reply(gateway *g, uint16_t seq)
{
    sim_time now = sim_now(g->set->eng);
    for (size_t i = 0; i < g->nslots; i++) {
        gw_slot *sl = &g->slots[i];
        if (sl->status == GW_SLOT_SENT && sl->seq == seq) {
            sl->status = GW_SLOT_RECEIVED;
            sl->latency = now - sl->sent;
            g->replies++;
            return;
        }
    }
}

gw_status gw_evaluate(gateway *g, gw_reason *reason)
{
    if (reason)
        *reason = GW_REASON_NONE;
    if (g->monitor_disabled)
        return g->status = GW_ONLINE;
    sim_time now = sim_now(g->set->eng);
    uint64_t received = 0, lost = 0;
    sim_time sum = 0;
    for (size_t i = 0; i < g->nslots; i++) {
        const gw_slot *sl = &g->slots[i];
        if (sl->status == GW_SLOT_RECEIVED) {
            received++;
            sum += sl->latency;
        } else if (sl->status == GW_SLOT_SENT && now - sl->sent >= g->opt.loss_interval) {
            lost++;
        }
    }
    g->latency = received ? sum / (sim_time)received : 0;
    g->loss = received + lost ? 100.0 * (double)lost / (double)(received + lost) : 0.0;
    /* pfSense gwlb.inc get_dpinger_status, in its order: latency > high
     * -> down/highdelay, loss > high -> down/highloss, latency > low ->
     * online/delay, loss > low -> online/loss. So high latency with
     * moderate loss reads "delay", and a total outage (no reply: average
     * latency 0, loss 100 %) reads "highloss". */
    gw_status st;
    gw_reason why = GW_REASON_NONE;
    if (g->latency > g->opt.latency_high || g->loss > g->opt.loss_high) {
        st = GW_DOWN;
        why = g->latency > g->opt.latency_high ? GW_REASON_HIGHDELAY : GW_REASON_HIGHLOSS;
    } else if (g->latency > g->opt.latency_low)
        st = GW_DELAY;
    else if (g->loss > g->opt.loss_low)
        st = GW_LOSS;
    else
        st = GW_ONLINE;
    if (reason)
        *reason = why;
    return st;
}

static void alert_fired(void *arg)
{
    gateway *g = arg;
    g->alert_ev = sim_schedule_in(g->set->eng, g->opt.alert_interval, alert_fired, g);
    gw_reason why;
    gw_status old = g->status, st = gw_evaluate(g, &why);
    bool was_dl = g->delay_loss;
    /* OPNsense dpinger_status: latency and loss both above their low
     * thresholds (and neither above its high one) is "delay+loss"; in
     * pfSense's order of checks that is our GW_DELAY. */
    g->delay_loss = st == GW_DELAY && g->loss > g->opt.loss_low;
    g->was_delay_loss = was_dl;
    /* pfSense reads the substatus afresh whenever it asks dpinger; only a
     * change of status is an alarm (the reason of a down gateway may move
     * between highloss and highdelay without one). */
    g->reason = why;
    if (st != old || (g->set->semantics == GW_SEM_OPNSENSE && g->delay_loss != was_dl)) {
        g->status = st;
        if (g->set->ops.status_changed)
            g->set->ops.status_changed(g->set->ops.ctx, g, old, st);
    }
}

bool gw_member_up(const gateway *g)
{
    /* get_gwgroup_members_inner: 2.7.2 (gwlb.inc) drops a member when
     * stristr($status['status'], "down"); master drops it when
     * !is_online_gateway_status($gateway_status), whose default trigger
     * "downlosslatency" refuses exactly the OFFLINE_* statuses. Neither
     * passes the group's trigger, and "delay"/"loss" are status "online"
     * in both. Monitoring disabled: always online (get_dpinger_status is
     * not asked; return_gateways_status reports "online"). */
    return g->status != GW_DOWN;
}

bool gw_route_to_keeps(gw_semantics sem, gw_trigger trigger, const gateway *g)
{
    bool down = g->status == GW_DOWN;
    bool highloss = down && g->reason == GW_REASON_HIGHLOSS;
    bool highdelay = down && g->reason == GW_REASON_HIGHDELAY;
    bool on_loss = trigger == GW_TRIGGER_LOSS || trigger == GW_TRIGGER_LOSS_OR_LATENCY;
    bool on_latency = trigger == GW_TRIGGER_LATENCY || trigger == GW_TRIGGER_LOSS_OR_LATENCY;
    switch (sem) {
    case GW_SEM_PFSENSE_2_7:
        /* 2.7.2 filter.inc filter_generate_gateways, as written:
         * (status != down && trigger == "down") || (substatus != highloss
         * && trigger has "loss") || (substatus != highdelay && trigger has
         * "latency"). A member that is up passes under every trigger; of
         * members that are down, "down" keeps none, "downloss" those with
         * high delay, "downlatency" those with high loss, and
         * "downlosslatency" every one. */
        return (!down && trigger == GW_TRIGGER_DOWN) || (!highloss && on_loss) || (!highdelay && on_latency);
    case GW_SEM_PFSENSE_2_9_DEV:
        /* master filter.inc filter_generate_gateways ->
         * is_gateway_online(member, trigger) -> get_gateway_status
         * (substatus highloss -> OFFLINE_LOSS, highdelay ->
         * OFFLINE_LATENCY, delay/loss -> ONLINE_*) ->
         * is_online_gateway_status: "down" tolerates both OFFLINE_LOSS
         * and OFFLINE_LATENCY, "downloss" OFFLINE_LATENCY, "downlatency"
         * OFFLINE_LOSS, "downlosslatency" neither. */
        if (!down)
            return true;
        if (trigger == GW_TRIGGER_DOWN)
            return highloss || highdelay;
        return (highdelay && trigger == GW_TRIGGER_LOSS) || (highloss && trigger == GW_TRIGGER_LATENCY);
    case GW_SEM_OPNSENSE:
        /* OPNsense filters before choosing the tier (gw_group_route_to,
         * opn_active); this is its per-member test. */
        return gw_opn_member_up(trigger, g->status, g->delay_loss);
    }
    return false;
}

/* pfSense get_gwgroup_members_inner: members are sorted into tiers when
 * up; when none is ("Engage Plan B") every member counts as up. */
static bool counts(const gateway *g, bool plan_b)
{
    return plan_b || gw_member_up(g);
}

static int best_tier(const gw_group *grp, bool *plan_b)
{
    int best = 0;
    for (int pass = 0; pass < 2 && best == 0; pass++) {
        *plan_b = pass == 1;
        for (size_t i = 0; i < grp->n; i++)
            if (counts(grp->m[i].gw, *plan_b) && (best == 0 || grp->m[i].tier < best))
                best = grp->m[i].tier;
    }
    return best;
}

size_t gw_group_best_tier(const gw_group *grp, gateway **out, size_t max, bool *plan_b)
{
    bool pb;
    int best = best_tier(grp, &pb);
    size_t k = 0;
    for (size_t i = 0; i < grp->n && best && k < max; i++)
        if (grp->m[i].tier == best && counts(grp->m[i].gw, pb))
            out[k++] = grp->m[i].gw;
    if (plan_b)
        *plan_b = pb;
    return k;
}

bool gw_opn_member_up(gw_trigger trigger, gw_status st, bool delay_loss)
{
    /* OPNsense GatewayGroups.php gatewayIsUp (f95e815:162-185): "down"
     * (and force_down) is down; "delay+loss" is up unless the trigger
     * names latency or loss; "delay" unless it names latency; "loss"
     * unless it names loss; anything else ("none") is up. The triggers are
     * down / downloss / downlatency / downlosslatency, as pfSense's. */
    bool on_loss = trigger == GW_TRIGGER_LOSS || trigger == GW_TRIGGER_LOSS_OR_LATENCY;
    bool on_latency = trigger == GW_TRIGGER_LATENCY || trigger == GW_TRIGGER_LOSS_OR_LATENCY;
    switch (st) {
    case GW_DOWN: return false;
    case GW_DELAY: return delay_loss ? !on_latency && !on_loss : !on_latency;
    case GW_LOSS: return !on_loss;
    case GW_ONLINE: return true;
    }
    return true;
}

const char *gw_opn_status_name(gw_status st, bool delay_loss)
{
    return st == GW_DELAY && delay_loss ? "delay+loss" : gw_status_name(st);
}

/* OPNsense GatewayGroups.php getActiveGroups (f95e815:223-267): tiers in
 * order, the first with a member gatewayIsUp gives those members; when
 * no tier has one, every member of the first tier (index 1, whatever its
 * members' status: "backwards compatibility"). */
static size_t opn_active(const gw_group *grp, gateway **out, size_t max)
{
    for (int tier = 1; tier <= 5; tier++) {
        size_t k = 0;
        for (size_t i = 0; i < grp->n && k < max; i++) {
            const gateway *g = grp->m[i].gw;
            if (grp->m[i].tier == tier && gw_opn_member_up(grp->trigger, g->status, g->delay_loss))
                out[k++] = grp->m[i].gw;
        }
        if (k)
            return k;
    }
    size_t k = 0;
    for (size_t i = 0; i < grp->n && k < max; i++)
        if (grp->m[i].tier == 1)
            out[k++] = grp->m[i].gw;
    return k;
}

size_t gw_group_route_to(const gw_group *grp, gw_semantics sem, gateway **out, size_t max)
{
    if (sem == GW_SEM_OPNSENSE)
        return opn_active(grp, out, max);
    size_t n = gw_group_best_tier(grp, out, max, NULL), k = 0;
    for (size_t i = 0; i < n; i++)
        if (gw_route_to_keeps(sem, grp->trigger, out[i]))
            out[k++] = out[i];
    return k;
}

gateway *gw_group_pick(const gw_group *grp, const gateway *current)
{
    /* fixup_default_gateway: the current default is kept when it is one of
     * the best tier's members ("Keep current gateway"), else the tier's
     * first member. */
    gateway *m[64];
    size_t k = gw_group_best_tier(grp, m, sizeof m / sizeof m[0], NULL);
    for (size_t i = 0; i < k; i++)
        if (m[i] == current)
            return m[i];
    return k ? m[0] : NULL;
}
