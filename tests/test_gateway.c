/*
 * test_gateway.c — the dpinger-like monitor and gateway groups alone
 * (sim/pfsense/gateway.c), with a fake network that answers probes after a set
 * latency while the gateway is alive.
 */
#include "sim/pfsense/gateway.h"

#include <check.h>
#include <stdlib.h>

#include "suite_run.h"

static sim_engine *eng;
static gw_set S;
static bool alive = true;
static sim_time rtt = 10 * SIM_MS;
static int changes;
static gw_status last_to;
static sim_time first_down = -1, first_loss = -1;

typedef struct reply {
    gateway *g;
    uint16_t seq;
} reply;
static reply replies[4096];
static size_t nrep;

static void do_reply(void *arg)
{
    reply *r = arg;
    gw_probe_reply(r->g, r->seq);
}

static void t_probe(void *ctx, gateway *g, uint16_t seq)
{
    (void)ctx;
    if (!alive)
        return;
    reply *r = &replies[nrep++ % 4096];
    r->g = g;
    r->seq = seq;
    sim_schedule_in(eng, rtt, do_reply, r);
}

static void t_changed(void *ctx, gateway *g, gw_status from, gw_status to)
{
    (void)ctx, (void)g, (void)from;
    changes++;
    last_to = to;
    if (to == GW_DOWN && first_down < 0)
        first_down = sim_now(eng);
    if (to == GW_LOSS && first_loss < 0)
        first_loss = sim_now(eng);
}

static void setup(void)
{
    eng = sim_engine_native_new();
    gw_ops ops = {.send_probe = t_probe, .status_changed = t_changed};
    gw_set_init(&S, eng, &ops);
    alive = true;
    rtt = 10 * SIM_MS;
    changes = 0;
    nrep = 0;
    first_down = first_loss = -1;
}

static void teardown(void)
{
    gw_set_free(&S);
    sim_engine_destroy(eng);
}

START_TEST(gateway_down_after_loss_interval_early)
{
    /* 60 probes answered (0..29.5 s), then silence from 30 s. Lost probes
     * count once 2 s old: at T, lost = 2(T-32)+1. loss > 10 % first at
     * 35 s (7/67), > 20 % first at 40 s (17/77; 39 s gives exactly 20 %). */
    gateway *g = gw_add(&S, "WANGW", "wan", 0xc6336401u, 0, NULL);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->nslots, 120);
    gw_start(g);
    sim_run_until(eng, 30 * SIM_S - 1);
    ck_assert_int_eq(g->status, GW_ONLINE);
    ck_assert_int_eq(changes, 0);
    alive = false;
    sim_run_until(eng, 60 * SIM_S);
    ck_assert_int_eq(first_loss, 35 * SIM_S);
    ck_assert_int_eq(first_down, 40 * SIM_S);
    ck_assert_int_eq(g->status, GW_DOWN);
    /* no reply at all: latency average 0, loss 100 % -> "highloss" */
    ck_assert_int_eq(g->reason, GW_REASON_HIGHLOSS);
    ck_assert(gw_member_up(g) == false);
    /* recovery: online again once loss falls back under 10 % */
    alive = true;
    sim_run_until(eng, 200 * SIM_S);
    ck_assert_int_eq(g->status, GW_ONLINE);
    ck_assert_int_eq(g->reason, GW_REASON_NONE);
}
END_TEST

START_TEST(gateway_down_with_full_window)
{
    /* Steady state: 116 counted slots (ha-model.md §3, DP); outage from
     * 100 s -> 25 lost of 116 at 114 s (21.6 %), 23 of 116 at 113 s. */
    gateway *g = gw_add(&S, "WANGW", "wan", 0xc6336401u, 0, NULL);
    gw_start(g);
    sim_run_until(eng, 100 * SIM_S - 1);
    alive = false;
    sim_run_until(eng, 113 * SIM_S);
    ck_assert_int_eq(g->status, GW_LOSS);
    sim_run_until(eng, 114 * SIM_S);
    ck_assert_int_eq(g->status, GW_DOWN);
    ck_assert_int_eq(first_down, 114 * SIM_S);
    ck_assert(g->loss > 20.0 && g->loss < 22.0);
}
END_TEST

START_TEST(gateway_latency_thresholds)
{
    gateway *g = gw_add(&S, "WANGW", "wan", 0xc6336401u, 0, NULL);
    rtt = 300 * SIM_MS; /* > 200 ms: delay */
    gw_start(g);
    sim_run_until(eng, 10 * SIM_S);
    ck_assert_int_eq(g->status, GW_DELAY);
    ck_assert_int_eq(g->latency, 300 * SIM_MS);
    gw_stop(g);
    rtt = 600 * SIM_MS; /* > 500 ms: down */
    gw_start(g);
    sim_run_until(eng, 20 * SIM_S);
    ck_assert_int_eq(g->status, GW_DOWN);
    ck_assert_int_eq(g->reason, GW_REASON_HIGHDELAY);
}
END_TEST

static int drop_every; /* drop every Nth probe (0: none) */
static int probe_no;

static void t_probe_lossy(void *ctx, gateway *g, uint16_t seq)
{
    if (drop_every && ++probe_no % drop_every == 0)
        return;
    t_probe(ctx, g, seq);
}

START_TEST(gateway_delay_checked_before_loss)
{
    /* pfSense get_dpinger_status order: latency > 200 ms reads "delay"
     * even with loss > 10 % (both under the "down" thresholds). */
    gw_set_free(&S);
    gw_ops ops = {.send_probe = t_probe_lossy, .status_changed = t_changed};
    gw_set_init(&S, eng, &ops);
    drop_every = 7; /* ~14 % loss */
    probe_no = 0;
    gateway *g = gw_add(&S, "WANGW", "wan", 0xc6336401u, 0, NULL);
    rtt = 300 * SIM_MS;
    gw_start(g);
    sim_run_until(eng, 90 * SIM_S);
    ck_assert(g->loss > 10.0 && g->loss < 20.0);
    ck_assert_int_eq(g->latency, 300 * SIM_MS);
    ck_assert_int_eq(g->status, GW_DELAY);
    /* "delay" is pfSense's online with a warning: the gateway stays in
     * its groups whatever their trigger */
    ck_assert(gw_member_up(g));
    /* OPNsense reads both (dpinger.inc dpinger_status): "delay+loss" */
    ck_assert(g->delay_loss);
    ck_assert_str_eq(gw_opn_status_name(g->status, g->delay_loss), "delay+loss");
    /* the same loss at low latency reads "loss" */
    gw_stop(g);
    rtt = 10 * SIM_MS;
    gw_start(g);
    sim_run_until(eng, 180 * SIM_S);
    ck_assert(g->loss > 10.0 && g->loss < 20.0);
    ck_assert_int_eq(g->status, GW_LOSS);
    ck_assert(gw_member_up(g));
    ck_assert(!g->delay_loss);
    drop_every = 0;
}
END_TEST

START_TEST(gateway_group_tiers)
{
    gateway *w1 = gw_add(&S, "WAN1GW", "wan1", 1, 0, NULL);
    gateway *w2 = gw_add(&S, "WAN2GW", "wan2", 2, 0, NULL);
    gateway *w3 = gw_add(&S, "WAN3GW", "wan3", 3, 0, NULL);
    ck_assert_ptr_null(gw_add(&S, "WAN1GW", "x", 4, 0, NULL));
    gw_group *grp = gw_group_add(&S, "failover", GW_TRIGGER_DOWN);
    ck_assert(gw_group_add_member(grp, w1, 1));
    ck_assert(gw_group_add_member(grp, w2, 2));
    ck_assert(gw_group_add_member(grp, w3, 2));
    ck_assert(!gw_group_add_member(grp, w3, 6));
    ck_assert_ptr_eq(gw_group_pick(grp, NULL), w1);
    w1->status = GW_LOSS; /* trigger "member down": loss still usable */
    ck_assert_ptr_eq(gw_group_pick(grp, w1), w1);
    w1->status = GW_DOWN;
    ck_assert_ptr_eq(gw_group_pick(grp, w1), w2);
    /* equal tier: the current member is kept */
    ck_assert_ptr_eq(gw_group_pick(grp, w3), w3);
    w1->status = GW_ONLINE;
    ck_assert_ptr_eq(gw_group_pick(grp, w3), w1); /* back to the best tier */
    /* the trigger plays no part in fixup_default_gateway: "loss" under a
     * packet-loss trigger keeps tier 1 */
    grp->trigger = GW_TRIGGER_LOSS;
    w1->status = GW_LOSS;
    ck_assert_ptr_eq(gw_group_pick(grp, w1), w1);
    w2->status = w3->status = GW_DOWN;
    w1->status = GW_DOWN;
    /* nothing up: get_gwgroup_members_inner's Plan B counts every
     * member as up, so tier 1 is chosen again (the current one of tier 2
     * is not kept) */
    ck_assert_ptr_eq(gw_group_pick(grp, w2), w1);
    gateway *pool[4];
    bool plan_b = false;
    ck_assert_uint_eq(gw_group_best_tier(grp, pool, 4, &plan_b), 1);
    ck_assert_ptr_eq(pool[0], w1);
    ck_assert(plan_b);
    w3->status = GW_DELAY; /* one member up (with a warning): no Plan B */
    ck_assert_ptr_eq(gw_group_pick(grp, w1), w3);
    ck_assert_uint_eq(gw_group_best_tier(grp, pool, 4, &plan_b), 1);
    ck_assert_ptr_eq(pool[0], w3);
    ck_assert(!plan_b);
    gw_group *empty = gw_group_add(&S, "empty", GW_TRIGGER_DOWN);
    ck_assert_ptr_null(gw_group_pick(empty, NULL));
}
END_TEST

/* One row of the membership table: a member's status and reason, and
 * whether each trigger (down, loss, latency, loss-or-latency) keeps it in
 * a rule's route-to under 2.7 and 2.9-dev. Sources: 2.7.2 filter.inc
 * filter_generate_gateways; master gwlb.inc is_online_gateway_status. */
typedef struct member_row {
    gw_status status;
    gw_reason reason;
    bool up;          /* get_gwgroup_members_inner keeps it (both versions) */
    bool keep27[4];   /* by trigger */
    bool keep29[4];
} member_row;

START_TEST(gateway_membership_table)
{
    static const member_row rows[] = {
        {GW_ONLINE, GW_REASON_NONE, true, {1, 1, 1, 1}, {1, 1, 1, 1}},
        {GW_DELAY, GW_REASON_NONE, true, {1, 1, 1, 1}, {1, 1, 1, 1}},
        {GW_LOSS, GW_REASON_NONE, true, {1, 1, 1, 1}, {1, 1, 1, 1}},
        /* down members reach the route-to filter only through Plan B */
        {GW_DOWN, GW_REASON_HIGHLOSS, false, {0, 0, 1, 1}, {1, 0, 1, 0}},
        {GW_DOWN, GW_REASON_HIGHDELAY, false, {0, 1, 0, 1}, {1, 1, 0, 0}},
    };
    static const gw_trigger trig[4] = {GW_TRIGGER_DOWN, GW_TRIGGER_LOSS, GW_TRIGGER_LATENCY,
                                       GW_TRIGGER_LOSS_OR_LATENCY};
    gateway *g = gw_add(&S, "WANGW", "wan", 1, 0, NULL);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        g->status = rows[r].status;
        g->reason = rows[r].reason;
        ck_assert_msg(gw_member_up(g) == rows[r].up, "row %zu up", r);
        for (int t = 0; t < 4; t++) {
            ck_assert_msg(gw_route_to_keeps(GW_SEM_PFSENSE_2_7, trig[t], g) == rows[r].keep27[t], "row %zu 2.7 trigger %d",
                          r, t);
            ck_assert_msg(gw_route_to_keeps(GW_SEM_PFSENSE_2_9_DEV, trig[t], g) == rows[r].keep29[t],
                          "row %zu 2.9-dev trigger %d", r, t);
        }
    }
}
END_TEST

START_TEST(gateway_group_route_to_by_version)
{
    /* WAN1 tier 1 with 30 % loss (down, highloss), WAN2 tier 2 online:
     * the default route and every rule use WAN2, whatever the trigger and
     * the version. Then WAN2 goes down on latency: Plan B, tier 1 = WAN1,
     * and the route-to depends on trigger and version. */
    gateway *w1 = gw_add(&S, "WAN1GW", "wan1", 1, 0, NULL);
    gateway *w2 = gw_add(&S, "WAN2GW", "wan2", 2, 0, NULL);
    gw_group *grp = gw_group_add(&S, "failover", GW_TRIGGER_DOWN);
    ck_assert(gw_group_add_member(grp, w1, 1));
    ck_assert(gw_group_add_member(grp, w2, 2));
    w1->status = GW_DOWN;
    w1->reason = GW_REASON_HIGHLOSS;
    gateway *pool[4];
    for (int t = GW_TRIGGER_DOWN; t <= GW_TRIGGER_LOSS_OR_LATENCY; t++) {
        grp->trigger = (gw_trigger)t;
        for (int sem = GW_SEM_PFSENSE_2_7; sem <= GW_SEM_PFSENSE_2_9_DEV; sem++) {
            ck_assert_uint_eq(gw_group_route_to(grp, (gw_semantics)sem, pool, 4), 1);
            ck_assert_ptr_eq(pool[0], w2);
        }
        ck_assert_ptr_eq(gw_group_pick(grp, w1), w2);
    }
    w2->status = GW_DOWN;
    w2->reason = GW_REASON_HIGHDELAY;
    grp->trigger = GW_TRIGGER_DOWN;
    ck_assert_ptr_eq(gw_group_pick(grp, w2), w1); /* Plan B: tier 1 */
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_7, pool, 4), 0); /* no route-to */
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_9_DEV, pool, 4), 1);
    ck_assert_ptr_eq(pool[0], w1);
    grp->trigger = GW_TRIGGER_LOSS_OR_LATENCY;
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_7, pool, 4), 1);
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_9_DEV, pool, 4), 0);
    grp->trigger = GW_TRIGGER_LATENCY; /* tolerates WAN1's high loss in both */
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_7, pool, 4), 1);
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_9_DEV, pool, 4), 1);
    grp->trigger = GW_TRIGGER_LOSS; /* does not */
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_7, pool, 4), 0);
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_9_DEV, pool, 4), 0);
}
END_TEST

START_TEST(gateway_opnsense_member_table)
{
    /* OPNsense GatewayGroups::gatewayIsUp, by trigger (down, loss,
     * latency, loss-or-latency): unlike pfSense, a warning status takes a
     * member out of a group whose trigger names it. */
    static const struct {
        gw_status st;
        bool dl;
        bool up[4];
    } rows[] = {
        {GW_ONLINE, false, {1, 1, 1, 1}}, {GW_DELAY, false, {1, 1, 0, 0}}, {GW_LOSS, false, {1, 0, 1, 0}},
        {GW_DELAY, true, {1, 0, 0, 0}},   {GW_DOWN, false, {0, 0, 0, 0}},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        for (int t = 0; t < 4; t++)
            ck_assert_msg(gw_opn_member_up((gw_trigger)t, rows[r].st, rows[r].dl) == rows[r].up[t], "row %zu trigger %d",
                          r, t);
}
END_TEST

START_TEST(gateway_opnsense_group_route_to)
{
    /* Tier 1: WAN1 with a loss warning, WAN2 online; tier 2: WAN3. */
    gateway *w1 = gw_add(&S, "WAN1GW", "wan1", 1, 0, NULL);
    gateway *w2 = gw_add(&S, "WAN2GW", "wan2", 2, 0, NULL);
    gateway *w3 = gw_add(&S, "WAN3GW", "wan3", 3, 0, NULL);
    gw_group *grp = gw_group_add(&S, "g", GW_TRIGGER_LOSS);
    ck_assert(gw_group_add_member(grp, w1, 1));
    ck_assert(gw_group_add_member(grp, w2, 1));
    ck_assert(gw_group_add_member(grp, w3, 2));
    w1->status = GW_LOSS;
    gateway *pool[4];
    /* pfSense keeps the lossy member (a warning is "online"), OPNsense's
     * loss trigger drops it */
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_7, pool, 4), 2);
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_OPNSENSE, pool, 4), 1);
    ck_assert_ptr_eq(pool[0], w2);
    grp->trigger = GW_TRIGGER_DOWN; /* a down trigger keeps it */
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_OPNSENSE, pool, 4), 2);
    /* tier 1 unusable under the loss trigger: OPNsense moves to tier 2 */
    grp->trigger = GW_TRIGGER_LOSS;
    w2->status = GW_DOWN;
    w2->reason = GW_REASON_HIGHLOSS;
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_OPNSENSE, pool, 4), 1);
    ck_assert_ptr_eq(pool[0], w3);
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_PFSENSE_2_7, pool, 4), 1);
    ck_assert_ptr_eq(pool[0], w1);
    /* nothing usable: every member of tier 1, down or not */
    w3->status = GW_DELAY;
    w3->delay_loss = true;
    ck_assert_uint_eq(gw_group_route_to(grp, GW_SEM_OPNSENSE, pool, 4), 2);
    ck_assert_ptr_eq(pool[0], w1);
    ck_assert_ptr_eq(pool[1], w2);
    /* a group without tier 1 members and none usable: no route-to */
    gw_group *t2 = gw_group_add(&S, "t2", GW_TRIGGER_LOSS);
    ck_assert(gw_group_add_member(t2, w3, 2));
    ck_assert_uint_eq(gw_group_route_to(t2, GW_SEM_OPNSENSE, pool, 4), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gateway");
    TCase *t = tcase_create("gateway");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, gateway_down_after_loss_interval_early);
    tcase_add_test(t, gateway_down_with_full_window);
    tcase_add_test(t, gateway_latency_thresholds);
    tcase_add_test(t, gateway_delay_checked_before_loss);
    tcase_add_test(t, gateway_group_tiers);
    tcase_add_test(t, gateway_membership_table);
    tcase_add_test(t, gateway_group_route_to_by_version);
    tcase_add_test(t, gateway_opnsense_member_table);
    tcase_add_test(t, gateway_opnsense_group_route_to);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return T_run_suite(suite()); }
