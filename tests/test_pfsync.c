/*
 * test_pfsync.c — state replication between two pf instances (sim/netpfil/pfsync.c):
 * lag of inserts and merged updates, interface-name import check, a peer
 * that cannot receive, and the C6 consequence of replicated NAT states,
 * which must come out of plain pf + pfsync rules.
 */
#include "sim/netpfil/pfsync.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suite_run.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define FW1 IP(198, 51, 100, 2)
#define FW2 IP(198, 51, 100, 3)
#define VIP IP(198, 51, 100, 1)
#define REMOTE IP(192, 0, 2, 10)

typedef struct side {
    pf pf;
    pfsync ps;
    sim_rng rng;
    uint32_t own;
    bool up;
    bool has_wan2;
} side;

static sim_engine *eng;
static side A, B;

static bool t_is_self(void *ctx, uint32_t a)
{
    side *s = ctx;
    return a == s->own || a == VIP;
}
static bool t_iface_addr(void *ctx, const char *ifname, uint32_t *a)
{
    side *s = ctx;
    (void)ifname;
    *a = s->own;
    return true;
}
static bool t_exists(void *ctx, const char *n)
{
    side *s = ctx;
    return !strcmp(n, "wan") || !strcmp(n, "lan") || (s->has_wan2 && !strcmp(n, "wan2"));
}
static void t_changed(void *ctx, const pf_state *st, pf_sync_kind k)
{
    side *s = ctx;
    pfsync_queue(&s->ps, st, k);
}
static bool t_up(void *ctx) { return ((side *)ctx)->up; }

static void side_init(side *s, const char *name, uint32_t own, uint32_t creator)
{
    memset(s, 0, sizeof *s);
    s->own = own;
    s->up = true;
    sim_rng_init(&s->rng, 3, name);
    pf_host_ops ops = {.ctx = s, .is_self = t_is_self, .iface_addr = t_iface_addr, .iface_exists = t_exists,
                       .state_changed = t_changed};
    pf_init(&s->pf, eng, &s->rng, creator, &ops);
    pfsync_ops pops = {.ctx = s, .up = t_up};
    pfsync_options o;
    pfsync_options_default(&o);
    o.delay = 5 * SIM_MS;
    pfsync_init(&s->ps, eng, &s->pf, &pops, &o);
}

static void setup(void)
{
    eng = sim_engine_native_new();
    side_init(&A, "fw1", FW1, 1);
    side_init(&B, "fw2", FW2, 2);
    pfsync_pair(&A.ps, &B.ps);
}

static void teardown(void)
{
    pfsync_free(&A.ps);
    pfsync_free(&B.ps);
    pf_destroy(&A.pf);
    pf_destroy(&B.pf);
    sim_engine_destroy(eng);
}

static pf_pkt udp(uint32_t s, uint16_t sp, uint32_t d, uint16_t dp)
{
    pf_pkt p = {.proto = PF_PROTO_UDP, .src = s, .dst = d, .sport = sp, .dport = dp};
    return p;
}

START_TEST(pfsync_insert_and_update_lag)
{
    sim_run_until(eng, 300 * SIM_MS);
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_result r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(r.new_state);
    /* -defer (pfSense): the insert waits for pfsync_timeout, 1 s after it
     * was queued, then the 5 ms transit */
    sim_run_until(eng, 1304 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 0);
    sim_run_until(eng, 1305 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 1);
    pf_state *b = pf_state_at(&B.pf, 0);
    ck_assert(b->imported);
    ck_assert_uint_eq(b->creatorid, 1);
    ck_assert(pf_key_eq(&b->wire, &r.state->wire));
    ck_assert_str_eq(b->ifname, "wan");
    ck_assert_int_eq(pf_state_expires_at(&B.pf, b), pf_state_expires_at(&A.pf, r.state));
    /* an update is merged and sent 1 s after it was queued */
    sim_run_until(eng, 2 * SIM_S);
    p = udp(REMOTE, 51820, FW1, 51820);
    pf_test(&A.pf, PF_IN, "wan", &p);
    p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert_int_eq(r.state->timeout, PFTM_MULTIPLE);
    sim_run_until(eng, 3 * SIM_S);
    ck_assert_int_eq(b->timeout, PFTM_FIRST); /* flushed at 3 s, still in transit */
    ck_assert_uint_eq(A.ps.msgs_sent, 2);
    ck_assert_uint_eq(A.ps.entries_sent, 2); /* two updates merged into one entry */
    sim_run_until(eng, 3 * SIM_S + 5 * SIM_MS);
    ck_assert_int_eq(b->timeout, PFTM_MULTIPLE);
    ck_assert_int_eq(pf_state_expires_at(&B.pf, b), pf_state_expires_at(&A.pf, r.state));
    /* states-kill on A deletes on B within the flush interval */
    pf_states_kill(&A.pf, NULL);
    sim_run_until(eng, 4 * SIM_S + 10 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 0);
}
END_TEST

START_TEST(pfsync_rule_binding_needs_same_ruleset)
{
    /* pfsync_state_import: the imported state keeps its rule number only
     * when the rulesets' checksums match, else it belongs to the default
     * rule; the NAT rule is never restored (PSC). */
    pf_filter_rule rules[2] = {
        {.action = PF_PASS, .dir = PF_IN, .proto = PF_PROTO_ICMP, .label = "icmp"},
        {.action = PF_PASS, .dir = PF_OUT, .proto = PF_PROTO_UDP, .label = "udp out"},
    };
    pf_nat_rule nr = {.ifname = "wan", .proto = PF_PROTO_UDP, .src = {.kind = PF_ADDR_SELF}, .to_addr = VIP,
                      .static_port = true, .label = "to VIP"};
    pf_set_rules(&A.pf, rules, 2);
    pf_set_rules(&B.pf, rules, 2);
    pf_set_nat(&A.pf, &nr, 1);
    pf_set_nat(&B.pf, &nr, 1);
    ck_assert(A.pf.rules_cksum == B.pf.rules_cksum);
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_result r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert_int_eq(r.rule, 1);
    ck_assert_int_eq(r.nat_rule, 0);
    sim_run_until(eng, 1010 * SIM_MS);
    pf_state *b = pf_state_at(&B.pf, 0);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b->rule, 1);
    ck_assert_int_eq(b->nat_rule, -1);
    /* labels do not count; a different rule does */
    rules[0].label = "renamed";
    pf_set_rules(&B.pf, rules, 2);
    ck_assert(A.pf.rules_cksum == B.pf.rules_cksum);
    rules[0].proto = PF_PROTO_TCP;
    pf_set_rules(&B.pf, rules, 2);
    ck_assert(A.pf.rules_cksum != B.pf.rules_cksum);
    p = udp(FW1, 51821, REMOTE, 51820);
    r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert_int_eq(r.rule, 1);
    sim_run_until(eng, 2020 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 2);
    for (size_t i = 0; i < 2; i++) {
        pf_state *x = pf_state_at(&B.pf, i);
        if (x->wire.port[1] == 51821)
            ck_assert_int_eq(x->rule, -1);
    }
}
END_TEST

START_TEST(pfsync_no_defer_uses_flush_interval)
{
    A.ps.opt.defer = false;
    A.ps.opt.flush_interval = 700 * SIM_MS;
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 704 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 0);
    sim_run_until(eng, 705 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 1);
}
END_TEST

START_TEST(pfsync_timeout_armed_by_first_change)
{
    /* pfsync_insert_state: callout_reset(1 s) only when the packet is
     * empty; a second state queued 600 ms later leaves with the first. */
    sim_run_until(eng, 300 * SIM_MS);
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 900 * SIM_MS);
    p = udp(FW1, 51821, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert_uint_eq(pfsync_queued_len(&A.ps), 44 + 4 + 2 * 277);
    sim_run_until(eng, 1300 * SIM_MS);
    ck_assert_uint_eq(A.ps.msgs_sent, 1);
    ck_assert_uint_eq(A.ps.entries_sent, 2);
    ck_assert_uint_eq(pfsync_queued_len(&A.ps), 44);
    sim_run_until(eng, 1305 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 2);
    /* the next change finds the packet empty and arms the callout anew */
    sim_run_until(eng, 1500 * SIM_MS);
    p = udp(FW1, 51822, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 2499 * SIM_MS);
    ck_assert_uint_eq(A.ps.msgs_sent, 1);
    sim_run_until(eng, 2500 * SIM_MS);
    ck_assert_uint_eq(A.ps.msgs_sent, 2);
}
END_TEST

START_TEST(pfsync_full_packet_leaves_early)
{
    /* pfsync_q_ins: 44 + 4 + 5 x 277 = 1433 bytes fit pfsync0's MTU of
     * 1500; the sixth insert sends the five at once and waits itself. */
    sim_run_until(eng, 100 * SIM_MS);
    for (uint16_t i = 0; i < 6; i++) {
        pf_pkt p = udp(FW1, (uint16_t)(40000 + i), REMOTE, 51820);
        pf_test(&A.pf, PF_OUT, "wan", &p);
    }
    ck_assert_uint_eq(A.ps.full_sends, 1);
    ck_assert_uint_eq(A.ps.msgs_sent, 1);
    ck_assert_uint_eq(A.ps.entries_sent, 5);
    sim_run_until(eng, 105 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 5);
    /* the callout armed by the first insert still fires at 1.1 s */
    sim_run_until(eng, 1105 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 6);
    ck_assert_uint_eq(A.ps.msgs_sent, 2);
}
END_TEST

START_TEST(pfsync_delete_forgets_unsent_insert)
{
    /* pfsync_delete_state: a state deleted while its insert is still
     * queued is never told to the peer; a queued update becomes a delete. */
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    pf_states_kill(&A.pf, NULL);
    ck_assert_uint_eq(A.ps.qn, 0);
    ck_assert_uint_eq(pfsync_queued_len(&A.ps), 44);
    sim_run_until(eng, 2 * SIM_S);
    ck_assert_uint_eq(A.ps.msgs_sent, 0);
    p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 3100 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 1);
    p = udp(REMOTE, 51820, FW1, 51820);
    pf_test(&A.pf, PF_IN, "wan", &p);
    ck_assert_uint_eq(pfsync_queued_len(&A.ps), 44 + 4 + 84);
    pf_states_kill(&A.pf, NULL);
    ck_assert_uint_eq(pfsync_queued_len(&A.ps), 44 + 4 + 12);
    sim_run_until(eng, 5 * SIM_S);
    ck_assert_uint_eq(pf_state_count(&B.pf), 0);
}
END_TEST

typedef struct released {
    int n;
    bool drop;
    sim_time at;
} released;

static void on_release(void *arg, bool drop)
{
    released *r = arg;
    r->n++;
    r->drop = drop;
    r->at = sim_now(eng);
}

START_TEST(pfsync_defer_holds_until_ack_or_timeout)
{
    /* pfsync_defer: the insert is pushed at once and the packet held until
     * the peer's ack (5 ms there, 5 ms back) ... */
    released rel = {0};
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_result r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(!pfsync_defer(&A.ps, r.state, on_release, &rel)); /* -defer: not held */
    A.ps.opt.defer = true;
    B.ps.opt.defer = true;
    sim_run_until(eng, 2 * SIM_S);
    p = udp(FW1, 51821, REMOTE, 51820);
    r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(pfsync_defer(&A.ps, r.state, on_release, &rel));
    ck_assert_uint_eq(A.ps.msgs_sent, 2);
    sim_run_until(eng, 2 * SIM_S + 9 * SIM_MS);
    ck_assert_int_eq(rel.n, 0);
    sim_run_until(eng, 2 * SIM_S + 10 * SIM_MS);
    ck_assert_int_eq(rel.n, 1);
    ck_assert(!rel.drop);
    /* ... or PFSYNC_DEFER_TIMEOUT (20 ms) when no ack comes */
    B.up = false;
    p = udp(FW1, 51822, REMOTE, 51820);
    r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(pfsync_defer(&A.ps, r.state, on_release, &rel));
    sim_run_until(eng, 2 * SIM_S + 29 * SIM_MS);
    ck_assert_int_eq(rel.n, 1);
    sim_run_until(eng, 2 * SIM_S + 30 * SIM_MS);
    ck_assert_int_eq(rel.n, 2);
    ck_assert_int_eq(rel.at, 2 * SIM_S + 30 * SIM_MS);
    /* the state's next packet sends it; its delete drops it */
    p = udp(FW1, 51823, REMOTE, 51820);
    r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(pfsync_defer(&A.ps, r.state, on_release, &rel));
    p = udp(FW1, 51823, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert_int_eq(rel.n, 3);
    ck_assert(!rel.drop);
    p = udp(FW1, 51824, REMOTE, 51820);
    r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(pfsync_defer(&A.ps, r.state, on_release, &rel));
    pf_states_kill(&A.pf, NULL);
    ck_assert_int_eq(rel.n, 4);
    ck_assert(rel.drop);
    /* this side's sync link down: deferred all the same, the push is lost
     * and the packet waits the whole timeout */
    B.up = true;
    A.up = false;
    sim_time t0 = sim_now(eng);
    p = udp(FW1, 51825, REMOTE, 51820);
    r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert(pfsync_defer(&A.ps, r.state, on_release, &rel));
    sim_run_until(eng, t0 + 20 * SIM_MS);
    ck_assert_int_eq(rel.n, 5);
    ck_assert_int_eq(rel.at, t0 + 20 * SIM_MS);
}
END_TEST

START_TEST(pfsync_skips_unknown_interface)
{
    A.has_wan2 = true;
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan2", &p);
    p = udp(FW1, 51821, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 1010 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 1);
    ck_assert_uint_eq(B.ps.skipped, 1);
    ck_assert_str_eq(pf_state_at(&B.pf, 0)->ifname, "wan");
}
END_TEST

START_TEST(pfsync_peer_down_gets_nothing)
{
    B.up = false;
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 2 * SIM_S);
    ck_assert_uint_eq(pf_state_count(&B.pf), 0);
    /* and a powered-off sender sends nothing */
    B.up = true;
    A.up = false;
    p = udp(FW1, 51822, REMOTE, 51820);
    pf_test(&A.pf, PF_OUT, "wan", &p);
    sim_run_until(eng, 4 * SIM_S);
    ck_assert_uint_eq(pf_state_count(&B.pf), 0);
}
END_TEST

START_TEST(pfsync_nat_state_useless_to_peer)
{
    /* Both nodes carry the same outbound NAT rule for their own WireGuard
     * traffic: source self, port 51820, to the VIP, static-port. */
    pf_nat_rule nr = {.ifname = "wan", .proto = PF_PROTO_UDP, .src = {.kind = PF_ADDR_SELF}, .sport = 51820,
                      .to_addr = VIP, .static_port = true, .label = "self to VIP"};
    pf_set_nat(&A.pf, &nr, 1);
    pf_set_nat(&B.pf, &nr, 1);
    pf_pkt p = udp(FW1, 51820, REMOTE, 51820);
    pf_result r = pf_test(&A.pf, PF_OUT, "wan", &p);
    ck_assert_uint_eq(p.src, VIP);
    ck_assert(r.new_state);
    sim_run_until(eng, 1010 * SIM_MS);
    ck_assert_uint_eq(pf_state_count(&B.pf), 1);
    /* fw2 (now holding the VIP) initiates from its own address: its stack
     * key misses fw1's state, and the translation it needs collides with
     * the replicated wire key -> dropped, counted */
    p = udp(FW2, 51820, REMOTE, 51820);
    r = pf_test(&B.pf, PF_OUT, "wan", &p);
    ck_assert_int_eq(r.action, PF_BLOCK);
    ck_assert_int_eq(r.drop, PF_DROP_NAT_MAP);
    ck_assert_uint_eq(B.pf.drops[PF_DROP_NAT_MAP], 1);
    /* the remote's reply to VIP:51820 reaching fw2 matches the replicated
     * state and is translated to fw1's address, not fw2's */
    p = udp(REMOTE, 51820, VIP, 51820);
    r = pf_test(&B.pf, PF_IN, "wan", &p);
    ck_assert_int_eq(r.action, PF_PASS);
    ck_assert(r.translated);
    ck_assert_uint_eq(p.dst, FW1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pfsync");
    TCase *t = tcase_create("pfsync");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, pfsync_insert_and_update_lag);
    tcase_add_test(t, pfsync_no_defer_uses_flush_interval);
    tcase_add_test(t, pfsync_timeout_armed_by_first_change);
    tcase_add_test(t, pfsync_full_packet_leaves_early);
    tcase_add_test(t, pfsync_delete_forgets_unsent_insert);
    tcase_add_test(t, pfsync_defer_holds_until_ack_or_timeout);
    tcase_add_test(t, pfsync_rule_binding_needs_same_ruleset);
    tcase_add_test(t, pfsync_skips_unknown_interface);
    tcase_add_test(t, pfsync_peer_down_gets_nothing);
    tcase_add_test(t, pfsync_nat_state_useless_to_peer);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return T_run_suite(suite()); }
