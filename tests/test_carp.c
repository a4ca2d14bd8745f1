/*
 * test_carp.c — the CARP model alone (sim/netinet/carp.c): advertisement bytes,
 * receive checks and the state machine timings of ha-model.md §1, with two
 * nodes joined by a test "wire" that delivers ads after a fixed delay.
 */
#include "sim/netinet/carp.h"

#include <check.h>
#include <string.h>

#include "suite_run.h"

#define VIP 0xc6336401u /* 198.51.100.1 */
#define WIRE_DELAY (100 * SIM_US)
#define PASS "secret" /* the password of node_boot's vhid and of peer_ad */

typedef struct tnode tnode;
struct tnode {
    carp c;
    sim_rng rng;
    bool alive;
    tnode *peer;
    int garps;
    sim_time last_ad[64];
    uint8_t last_skew[64];
    int n_ads;
    sim_time became_master;
    int fail_sends; /* the next N advertisement sends fail (ip_output error) */
};

typedef struct pending {
    tnode *to;
    uint8_t ad[CARP_HDR_LEN];
    uint8_t ttl;
} pending;

static sim_engine *eng;
static tnode A, B;
static pending q[256];
static int qn;

static void deliver(void *arg)
{
    pending *p = arg;
    if (p->to->alive)
        carp_input(&p->to->c, 1, p->ttl, p->ad, CARP_HDR_LEN);
}

static int t_send_ad(void *ctx, carp_vhid *v, const uint8_t ad[CARP_HDR_LEN])
{
    tnode *n = ctx;
    (void)v;
    if (n->fail_sends > 0) {
        n->fail_sends--;
        return 1; /* refused by the stack: nothing on the wire */
    }
    if (n->n_ads < 64) {
        n->last_ad[n->n_ads] = sim_now(eng);
        n->last_skew[n->n_ads] = ad[2];
    }
    n->n_ads++;
    if (!n->peer)
        return 0;
    pending *p = &q[qn++ % 256];
    p->to = n->peer;
    memcpy(p->ad, ad, CARP_HDR_LEN);
    p->ttl = CARP_DFLTTL;
    sim_schedule_in(eng, WIRE_DELAY, deliver, p);
    return 0;
}

static void t_send_garp(void *ctx, carp_vhid *v, uint32_t vip)
{
    tnode *n = ctx;
    (void)v;
    ck_assert_uint_eq(vip, VIP);
    n->garps++;
}

static void t_state(void *ctx, carp_vhid *v, carp_state from, carp_state to, const char *why)
{
    tnode *n = ctx;
    (void)v, (void)from, (void)why;
    if (to == CARP_MASTER)
        n->became_master = sim_now(eng);
}

static void node_boot(tnode *n, const char *name, unsigned skew)
{
    carp_host_ops ops = {.ctx = n, .send_ad = t_send_ad, .send_garp = t_send_garp, .state_changed = t_state};
    sim_rng_init(&n->rng, 1, name);
    carp_init(&n->c, eng, &n->rng, &ops);
    uint8_t key[CARP_KEY_LEN];
    carp_key_from_pass(key, PASS);
    uint32_t vip = VIP;
    ck_assert_ptr_nonnull(carp_add_vhid(&n->c, 1, 1, 1, (uint8_t)skew, key, &vip, 1));
    n->alive = true;
    n->n_ads = 0;
    n->garps = 0;
    n->became_master = -1;
    carp_set_if(&n->c, 1, true);
}

static void node_power_off(tnode *n)
{
    n->alive = false;
    carp_destroy(&n->c);
}

static carp_state st(tnode *n) { return n->c.v[0]->state; }

/* A well-formed advertisement for vhid 1 / VIP under the nodes' key, as
 * another router on the wire would send it (TTL 255), fed to n. */
static carp_input_result peer_ad(tnode *n, uint8_t advbase, uint8_t advskew, uint64_t counter)
{
    uint8_t key[CARP_KEY_LEN], ad[CARP_HDR_LEN];
    carp_key_from_pass(key, PASS);
    uint32_t vip = VIP;
    carp_ad_encode(ad, 1, advbase, advskew, counter, key, &vip, 1);
    return carp_input(&n->c, 1, 255, ad, sizeof ad);
}

static void setup(void)
{
    eng = sim_engine_native_new();
    memset(&A, 0, sizeof A);
    memset(&B, 0, sizeof B);
    A.peer = &B;
    B.peer = &A;
    qn = 0;
}

static void teardown(void)
{
    if (A.alive)
        node_power_off(&A);
    if (B.alive)
        node_power_off(&B);
    sim_engine_destroy(eng);
}

/* ------------------------------------------------------------------ */

START_TEST(carp_hmac_known_answer)
{
    /* Independent computation (Python hmac/hashlib): HMAC-SHA1 with key
     * "secretpass" zero-padded to 20 bytes over 02 01 07, 198.51.100.1,
     * 198.51.100.9, counter 0x0102030405060708. VIPs given unsorted. */
    uint8_t key[CARP_KEY_LEN], md[20];
    carp_key_from_pass(key, "secretpass");
    uint32_t vips[2] = {0xc6336409u, 0xc6336401u};
    carp_hmac(md, key, 7, vips, 2, UINT64_C(0x0102030405060708));
    static const uint8_t want[20] = {0x6f, 0x96, 0x38, 0x72, 0x85, 0x75, 0x08, 0x9f, 0xdc, 0x10,
                                     0x95, 0x51, 0x49, 0x3a, 0x99, 0x70, 0x68, 0x31, 0x12, 0x5b};
    ck_assert_mem_eq(md, want, 20);
}
END_TEST

START_TEST(carp_ad_encode_decode)
{
    uint8_t key[CARP_KEY_LEN], ad[CARP_HDR_LEN];
    carp_key_from_pass(key, "pw");
    uint32_t vip = VIP;
    carp_ad_encode(ad, 5, 1, 100, UINT64_C(0xdeadbeef00000001), key, &vip, 1);
    ck_assert_uint_eq(ad[0], 0x21); /* version 2, type 1 */
    ck_assert_uint_eq(ad[1], 5);
    ck_assert_uint_eq(ad[2], 100);
    ck_assert_uint_eq(ad[3], 7);
    ck_assert_uint_eq(ad[5], 1);
    ck_assert_uint_eq(carp_inet_cksum(ad, sizeof ad), 0);
    carp_ad d;
    ck_assert_int_eq(carp_ad_decode(ad, sizeof ad, &d), CARP_IN_OK);
    ck_assert_uint_eq(d.counter, UINT64_C(0xdeadbeef00000001));
    ck_assert_uint_eq(d.vhid, 5);
    ck_assert_int_eq(carp_ad_decode(ad, 35, &d), CARP_IN_BAD_LEN);
    ad[20] ^= 1;
    ck_assert_int_eq(carp_ad_decode(ad, sizeof ad, &d), CARP_IN_BAD_CKSUM);
    uint8_t mac[6];
    carp_vmac(5, mac);
    static const uint8_t want_mac[6] = {0, 0, 0x5e, 0, 1, 5};
    ck_assert_mem_eq(mac, want_mac, 6);
}
END_TEST

START_TEST(carp_input_checks)
{
    node_boot(&A, "a", 0);
    A.peer = NULL;
    uint8_t key[CARP_KEY_LEN], ad[CARP_HDR_LEN];
    carp_key_from_pass(key, "secret");
    uint32_t vip = VIP;
    carp_ad_encode(ad, 1, 1, 0, 42, key, &vip, 1);
    ck_assert_int_eq(carp_input(&A.c, 1, 254, ad, sizeof ad), CARP_IN_BAD_TTL);
    ck_assert_int_eq(carp_input(&A.c, 2, 255, ad, sizeof ad), CARP_IN_BAD_VHID); /* other interface */
    carp_ad_encode(ad, 9, 1, 0, 42, key, &vip, 1);
    ck_assert_int_eq(carp_input(&A.c, 1, 255, ad, sizeof ad), CARP_IN_BAD_VHID);
    carp_key_from_pass(key, "wrong");
    carp_ad_encode(ad, 1, 1, 0, 42, key, &vip, 1);
    ck_assert_int_eq(carp_input(&A.c, 1, 255, ad, sizeof ad), CARP_IN_BAD_AUTH);
    /* different VIP list, same key: HMAC mismatch too */
    carp_key_from_pass(key, "secret");
    uint32_t other = VIP + 1;
    carp_ad_encode(ad, 1, 1, 0, 42, key, &other, 1);
    ck_assert_int_eq(carp_input(&A.c, 1, 255, ad, sizeof ad), CARP_IN_BAD_AUTH);
    carp_ad_encode(ad, 1, 1, 0, 42, key, &vip, 1);
    ck_assert_int_eq(carp_input(&A.c, 1, 255, ad, sizeof ad), CARP_IN_OK);
    ck_assert_uint_eq(A.c.v[0]->counter, 42); /* receiver adopts the counter */
}
END_TEST

START_TEST(carp_starts_backup_and_elects_low_skew)
{
    node_boot(&A, "a", 0);
    node_boot(&B, "b", 100);
    ck_assert_int_eq(st(&A), CARP_BACKUP); /* never starts as MASTER */
    ck_assert_int_eq(st(&B), CARP_BACKUP);
    sim_run_until(eng, 2900 * SIM_MS);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* A's master-down: 3 x 1 s + 0/256 */
    sim_run_until(eng, 10 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    ck_assert_int_eq(st(&B), CARP_BACKUP);
    ck_assert_int_eq(A.became_master, 3 * SIM_S);
    ck_assert_int_eq(A.garps, 1);
    ck_assert_int_eq(B.n_ads, 0);
    /* A advertises every 1.000 s with skew 0 */
    ck_assert_int_eq(A.last_ad[0], 3 * SIM_S);
    ck_assert_int_eq(A.last_ad[1], 4 * SIM_S);
    ck_assert_int_eq(A.last_ad[2], 5 * SIM_S);
}
END_TEST

START_TEST(carp_power_off_failover_timing)
{
    /* ha-model.md §1.4: advbase 1, skew 100 -> failover 2.39..3.39 s after
     * the primary's death, depending on where in its 1 s cycle it died. */
    const sim_time offs[] = {0, 1, 250 * SIM_MS, 500 * SIM_MS, 999 * SIM_MS};
    sim_time t_off = 20 * SIM_S + offs[_i];
    node_boot(&A, "a", 0);
    node_boot(&B, "b", 100);
    sim_run_until(eng, t_off);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    node_power_off(&A);
    sim_run_until(eng, t_off + 5 * SIM_S);
    ck_assert_int_eq(st(&B), CARP_MASTER);
    sim_time d = B.became_master - t_off;
    /* last ad sent at a whole second (<= t_off), received WIRE_DELAY later,
     * master-down 3 s + 100/256 s after that */
    sim_time last_ad = (t_off / SIM_S) * SIM_S;
    if (t_off % SIM_S == 0)
        last_ad = t_off; /* the ad at t_off went out before the power-off */
    ck_assert_int_eq(B.became_master, last_ad + WIRE_DELAY + 3 * SIM_S + 100 * (SIM_S / 256));
    ck_assert(d >= 2390 * SIM_MS && d <= 3391 * SIM_MS + WIRE_DELAY);
    ck_assert_int_eq(B.garps, 1);
}
END_TEST

START_TEST(carp_preemption_on_boot)
{
    /* B alone becomes MASTER; A (skew 0) boots, is BACKUP, hears B's slower
     * ad and preempts at once; B hears a faster ad and steps down. */
    node_boot(&B, "b", 100);
    sim_run_until(eng, 10 * SIM_S);
    ck_assert_int_eq(st(&B), CARP_MASTER);
    node_boot(&A, "a", 0);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    sim_run_until(eng, 12 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    ck_assert_int_eq(st(&B), CARP_BACKUP);
    /* A took over when B's next ad arrived, well before its own 3 s timer */
    ck_assert(A.became_master < 10 * SIM_S + 1500 * SIM_MS);
    /* without preemption it stays BACKUP */
}
END_TEST

START_TEST(carp_no_preempt_keeps_master)
{
    node_boot(&B, "b", 100);
    sim_run_until(eng, 10 * SIM_S);
    node_boot(&A, "a", 0);
    A.c.preempt = false;
    sim_run_until(eng, 30 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    ck_assert_int_eq(st(&B), CARP_MASTER);
}
END_TEST

START_TEST(carp_maintenance_and_reversal)
{
    node_boot(&A, "a", 0);
    node_boot(&B, "b", 100);
    sim_run_until(eng, 10 * SIM_S + 500 * SIM_MS);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    /* pfSense maintenance: advskew 254 on every VIP (ha-model.md §1.4) */
    ck_assert(carp_set_advskew(A.c.v[0], 254));
    ck_assert(!carp_set_advskew(A.c.v[0], 255));
    int before = A.n_ads;
    sim_run_until(eng, 11 * SIM_S + 500 * SIM_MS);
    /* the next ad (at 11 s, timer armed before the change) carries 240 */
    ck_assert_int_eq(A.last_skew[before], 240);
    ck_assert_int_eq(st(&B), CARP_MASTER);
    ck_assert_int_eq(B.became_master, 11 * SIM_S + WIRE_DELAY);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* A stays BACKUP: its own master-down uses 254: 3 + 254/256 s > B's 1.39 s */
    sim_run_until(eng, 60 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    ck_assert_int_eq(st(&B), CARP_MASTER);
    /* maintenance off: A hears B's (1,100) ad, preempts */
    ck_assert(carp_set_advskew(A.c.v[0], 0));
    sim_run_until(eng, 62 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    ck_assert_int_eq(st(&B), CARP_BACKUP);
}
END_TEST

START_TEST(carp_link_down_demotion)
{
    node_boot(&A, "a", 0);
    node_boot(&B, "b", 100);
    sim_run_until(eng, 10 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    carp_set_if(&A.c, 1, false);
    ck_assert_int_eq(st(&A), CARP_INIT);
    ck_assert_int_eq(A.c.demotion, 240);
    carp_set_if(&A.c, 1, false); /* once per vhid */
    ck_assert_int_eq(A.c.demotion, 240);
    int ads = A.n_ads;
    sim_run_until(eng, 20 * SIM_S);
    ck_assert_int_eq(A.n_ads, ads); /* INIT sends none */
    ck_assert_int_eq(st(&B), CARP_MASTER);
    /* INIT ignores ads */
    ck_assert_uint_gt(A.c.v[0]->in_drops[CARP_IN_IGNORED], 0);
    carp_set_if(&A.c, 1, true);
    ck_assert_int_eq(A.c.demotion, 0);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    sim_run_until(eng, 22 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER); /* preempts B again */
}
END_TEST

START_TEST(carp_demotion_first_gap_raw_skew)
{
    /* A alone with demotion 100: it takes over with raw skew 0 for the first
     * gap, then advertises skew 100 every 1 + 100/256 s. */
    node_boot(&A, "a", 0);
    A.peer = NULL;
    carp_demote(&A.c, 100);
    sim_run_until(eng, 8 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    ck_assert_int_eq(A.became_master, 3 * SIM_S); /* master-down ignores demotion */
    ck_assert_int_eq(A.last_skew[0], 100);
    ck_assert_int_eq(A.last_ad[1] - A.last_ad[0], 1 * SIM_S);
    ck_assert_int_eq(A.last_ad[2] - A.last_ad[1], SIM_S + 100 * (SIM_S / 256));
    /* demotion is capped at 240 in ads; a write triggers an ad at once */
    int n = A.n_ads;
    carp_demote(&A.c, 500);
    ck_assert_int_eq(A.n_ads, n + 1);
    ck_assert_int_eq(A.last_skew[n], 240);
}
END_TEST

START_TEST(carp_tie_goes_backup)
{
    /* Equal intervals: a MASTER that hears an equal ad steps down (<=). */
    node_boot(&A, "a", 0);
    A.peer = NULL;
    sim_run_until(eng, 5 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    ck_assert_int_eq(peer_ad(&A, 1, 0, 7), CARP_IN_OK);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* slower ad to a MASTER does nothing */
    sim_run_until(eng, 20 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    peer_ad(&A, 1, 1, 8);
    ck_assert_int_eq(st(&A), CARP_MASTER);
}
END_TEST

START_TEST(carp_disable_allow)
{
    node_boot(&A, "a", 0);
    node_boot(&B, "b", 100);
    sim_run_until(eng, 10 * SIM_S);
    carp_set_allow(&A.c, false);
    ck_assert_int_eq(st(&A), CARP_INIT);
    ck_assert_int_eq(A.c.demotion, 240);
    sim_run_until(eng, 15 * SIM_S);
    ck_assert_int_eq(st(&B), CARP_MASTER);
    carp_set_allow(&A.c, true);
    ck_assert_int_eq(A.c.demotion, 0);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
}
END_TEST

START_TEST(carp_backup_takes_over_from_too_slow_master)
{
    /* ha-model.md §1.2 (carp_input_c "master will time out"): without
     * preemption, a BACKUP that hears a master whose interval exceeds
     * (3 x own advbase, own demoted skew) takes over at once; an equal
     * interval only re-arms the master-down timer. */
    node_boot(&A, "a", 10);
    A.peer = NULL;
    A.c.preempt = false;
    sim_run_until(eng, 1 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* (3 s, 10/256) equals A's (3 x 1 s, 10/256): not slower, re-arm */
    ck_assert_int_eq(peer_ad(&A, 3, 10, 1), CARP_IN_OK);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* the re-armed timer: master-down 3 + 10/256 s from now */
    sim_run_until(eng, 4 * SIM_S);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* (3 s, 11/256) is slower: MASTER at once */
    ck_assert_int_eq(peer_ad(&A, 3, 11, 2), CARP_IN_OK);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    ck_assert_int_eq(A.became_master, 4 * SIM_S);
}
END_TEST

START_TEST(carp_senderr_demotion)
{
    /* ha-model.md §1.3 senderr_demotion_factor (ip_carp.c
     * carp_send_ad_error): the third advertisement send error adds 240 to
     * the demotion, and 3 good sends after that remove it. */
    node_boot(&A, "a", 0);
    node_boot(&B, "b", 100);
    sim_run_until(eng, 10 * SIM_S + 500 * SIM_MS);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    /* two failures: no demotion yet; B misses A's ads but its master-down
     * (3.39 s) does not expire in two missed seconds */
    A.fail_sends = 2;
    sim_run_until(eng, 12 * SIM_S + 500 * SIM_MS);
    ck_assert_int_eq(A.c.demotion, 0);
    ck_assert_int_eq(st(&B), CARP_BACKUP);
    /* a good send in between does not reset the count (it takes 3) */
    sim_run_until(eng, 13 * SIM_S + 500 * SIM_MS);
    A.fail_sends = 1;
    int ads = A.n_ads;
    sim_run_until(eng, 14 * SIM_S + 500 * SIM_MS);
    /* third error: demoted by 240, and the ad sent at once carries 240 */
    ck_assert_int_eq(A.c.demotion, 240);
    ck_assert_int_eq(A.n_ads, ads + 1);
    ck_assert_int_eq(A.last_skew[ads], 240);
    /* B (skew 100 < 240, preempt) takes over on that ad */
    sim_run_until(eng, 15 * SIM_S);
    ck_assert_int_eq(st(&B), CARP_MASTER);
    ck_assert_int_eq(st(&A), CARP_BACKUP);
    /* the demotion is reverted only by 3 good sends; A, BACKUP now, sends
     * none, so it stays demoted */
    sim_run_until(eng, 30 * SIM_S);
    ck_assert_int_eq(A.c.demotion, 240);
    ck_assert_int_eq(st(&B), CARP_MASTER);
}
END_TEST

START_TEST(carp_senderr_demotion_reverted)
{
    /* Alone as MASTER: 3 errors demote, 3 good sends undemote. */
    node_boot(&A, "a", 0);
    A.peer = NULL;
    sim_run_until(eng, 5 * SIM_S + 500 * SIM_MS);
    ck_assert_int_eq(st(&A), CARP_MASTER);
    A.fail_sends = 3;
    sim_run_until(eng, 7 * SIM_S + 500 * SIM_MS);
    ck_assert_int_eq(A.c.demotion, 0);
    sim_run_until(eng, 8 * SIM_S + 500 * SIM_MS);
    /* the third failure at 8 s demoted; the ad sent at once for the
     * demotion is the first good one */
    ck_assert_int_eq(A.c.demotion, 240);
    ck_assert_int_eq(A.c.v[0]->sendad_success, 1);
    sim_run_until(eng, 12 * SIM_S);
    ck_assert_int_eq(A.c.demotion, 0);
    ck_assert_int_eq(A.c.v[0]->sendad_errors, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("carp");
    TCase *t = tcase_create("carp");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, carp_hmac_known_answer);
    tcase_add_test(t, carp_ad_encode_decode);
    tcase_add_test(t, carp_input_checks);
    tcase_add_test(t, carp_starts_backup_and_elects_low_skew);
    tcase_add_loop_test(t, carp_power_off_failover_timing, 0, 5);
    tcase_add_test(t, carp_preemption_on_boot);
    tcase_add_test(t, carp_no_preempt_keeps_master);
    tcase_add_test(t, carp_maintenance_and_reversal);
    tcase_add_test(t, carp_link_down_demotion);
    tcase_add_test(t, carp_demotion_first_gap_raw_skew);
    tcase_add_test(t, carp_tie_goes_backup);
    tcase_add_test(t, carp_disable_allow);
    tcase_add_test(t, carp_backup_takes_over_from_too_slow_master);
    tcase_add_test(t, carp_senderr_demotion);
    tcase_add_test(t, carp_senderr_demotion_reverted);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return T_run_suite(suite()); }
