/*
 * test_wgnode_timers.c — each timer of ../shared/reference/wg-sourcing.md
 * "Timers and constants" on a fake clock, with two devices talking through
 * the fake host harness.
 */
#include "fake_host.h"
#include "wgnode/device.h" /* to age a session's counters without 2^60 packets */

#include <check.h>
#include <stdlib.h>
#include <string.h>

static wg_pair P;

static void setup_pair(bool keepalive25)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true,
                      .keepalive_a = keepalive25 ? 25 : 0};
    pair_init(&P, &o);
}

/* Handshake a->b at t = 0 triggered by one packet; returns with both keyed. */
static void handshake_now(void)
{
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_NONE);
    wg_peer_info ia, ib;
    ck_assert(wg_device_peer_info(P.a, P.a_peer, &ia));
    ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
    ck_assert(ia.has_current_key);
    ck_assert(ib.has_current_key);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
}

/* Times at which a sent transport keepalives. */
static size_t keepalive_times(const fake_host *h, int64_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_sent; i++)
        if (h->sent[i].meta.type == WG_MSG_TRANSPORT && h->sent[i].meta.keepalive && n < max)
            out[n++] = h->sent[i].now;
    return n;
}

START_TEST(test_persistent_keepalive_25s)
{
    setup_pair(true);
    /* Adding a peer with a persistent keepalive sends one at once, which
     * starts a handshake (Linux netlink set_peer). */
    pair_flush(&P);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, true), 1);
    int64_t t[16];
    size_t n = keepalive_times(&P.ha, t, 16);
    ck_assert_uint_eq(n, 1); /* the keepalive that waited for the session */
    ck_assert_int_eq(t[0], 0);
    pair_run_until(&P, SEC(25) - 1);
    ck_assert_uint_eq(keepalive_times(&P.ha, t, 16), 1);
    pair_run_until(&P, SEC(25));
    n = keepalive_times(&P.ha, t, 16);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(t[1], SEC(25));
    pair_run_until(&P, SEC(100));
    n = keepalive_times(&P.ha, t, 16);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(t[2], SEC(50));
    ck_assert_int_eq(t[3], SEC(75));
    ck_assert_int_eq(t[4], SEC(100));
    /* b has no persistent keepalive and receives only keepalives: it sends none. */
    ck_assert_uint_eq(keepalive_times(&P.hb, t, 16), 0);
    pair_free(&P);
}
END_TEST

START_TEST(test_retransmit_and_give_up)
{
    setup_pair(false);
    P.cut_ab = true; /* nothing reaches b */
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_NONE);
    pair_run_until(&P, SEC(200));
    /* 20 initiations: the first and 19 retries, each 5 s + 0..333 ms apart. */
    int64_t times[32];
    const fh_sent *inits[32];
    size_t n = 0;
    for (size_t i = 0; i < P.ha.n_sent && n < 32; i++)
        if (P.ha.sent[i].meta.type == WG_MSG_INITIATION) {
            inits[n] = &P.ha.sent[i];
            times[n++] = P.ha.sent[i].now;
        }
    ck_assert_uint_eq(n, 20);
    ck_assert_int_eq(times[0], 0);
    /* The first initiation had no learned source to use. */
    ck_assert_int_eq(inits[0]->meta.reason, WG_SRC_NONE);
    bool some_jitter = false;
    for (size_t i = 1; i < n; i++) {
        int64_t gap = times[i] - times[i - 1];
        ck_assert_int_ge(gap, WG_REKEY_TIMEOUT);
        ck_assert_int_le(gap, WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX);
        some_jitter |= gap != WG_REKEY_TIMEOUT;
        /* Every retry follows the retransmit timer, which clears the source. */
        ck_assert_int_eq(inits[i]->meta.reason, WG_SRC_CLEARED_BY_TIMER);
        ck_assert_int_eq(inits[i]->src.addr.family, 0);
    }
    ck_assert(some_jitter);
    ck_assert_uint_eq(fh_count_events(&P.ha, WG_EV_HANDSHAKE_GAVE_UP), 1);
    /* The queued packet was dropped when the handshake was abandoned (after
     * about 90 s of retries plus the last timeout). */
    ck_assert_uint_eq(wg_device_drop_count(P.a, WG_DROP_HANDSHAKE_GAVE_UP), 1);
    int64_t gave_up = -1;
    for (size_t i = 0; i < P.ha.n_events; i++)
        if (P.ha.events[i].ev.kind == WG_EV_HANDSHAKE_GAVE_UP)
            gave_up = P.ha.events[i].now;
    ck_assert_int_ge(gave_up, SEC(100));
    ck_assert_int_le(gave_up, SEC(100) + 20 * WG_REKEY_TIMEOUT_JITTER_MAX);
    ck_assert_int_ge(times[19] - times[0], WG_REKEY_ATTEMPT_TIME);
    /* Zeroing is scheduled 540 s after the give-up. */
    ck_assert_int_eq(wg_device_next_deadline(P.a), gave_up + 3 * WG_REJECT_AFTER_TIME);
    pair_run_until(&P, gave_up + 3 * WG_REJECT_AFTER_TIME);
    ck_assert_uint_eq(fh_count_events(&P.ha, WG_EV_KEYS_ZEROED), 1);
    pair_free(&P);
}
END_TEST

/* A host whose random bytes are all zero for a while: the retransmit
 * jitter then is 0. */
static struct {
    bool zero;
    void (*random_bytes)(void *ctx, uint8_t *buf, size_t len);
} zr;

static void zero_random(void *ctx, uint8_t *buf, size_t len)
{
    if (zr.zero)
        memset(buf, 0, len);
    else
        zr.random_bytes(ctx, buf, len);
}

/* Where the rate limit needs REKEY_TIMEOUT strictly exceeded (FreeBSD
 * noise_timer_expired), a retransmit timer with zero jitter would fire at
 * the exact boundary, be refused by the rate limit and never be re-armed:
 * the model moves it 1 ns later (timers.c wg_timers_handshake_initiated;
 * docs/wgnode.md, fidelity review #12). */
START_TEST(test_zero_jitter_retry_not_stalled_on_strict_platforms)
{
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_LINUX};
    for (int i = 0; i < 2; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        zr.random_bytes = P.a->host.random_bytes;
        P.a->host.random_bytes = zero_random;
        P.cut_ab = true;
        zr.zero = true; /* index, ephemeral and jitter of the first initiation */
        pair_send_ab(&P, 10);
        zr.zero = false;
        ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), 1);
        /* FreeBSD: 1 ns past the boundary; Linux ("<=") at it. */
        ck_assert_int_eq(wg_device_next_deadline(P.a), WG_REKEY_TIMEOUT + (i == 0 ? 1 : 0));
        pair_run_until(&P, SEC(12));
        ck_assert_uint_ge(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), 2);
        const fh_sent *retry = fh_last_sent(&P.ha, WG_MSG_INITIATION);
        ck_assert_int_le(retry->now, 2 * WG_REKEY_TIMEOUT + WG_REKEY_TIMEOUT_JITTER_MAX + 1);
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_initiation_rate_limit)
{
    setup_pair(false);
    P.cut_ab = true;
    pair_send_ab(&P, 10);
    P.now = SEC(1);
    pair_send_ab(&P, 10);
    P.now = SEC(4);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), 1);
    /* A new packet once REKEY_TIMEOUT passed may initiate again (1 ns past
     * it: FreeBSD's noise_timer_expired needs the age strictly exceeded,
     * see test_wgnode_fidelity.c test_age_boundaries_per_platform). */
    P.now = SEC(5) + 1;
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), 2);
    pair_free(&P);
}
END_TEST

START_TEST(test_keys_zeroed_at_540s)
{
    setup_pair(false);
    handshake_now();
    pair_run_until(&P, 3 * WG_REJECT_AFTER_TIME - 1);
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(ia.has_current_key);
    ck_assert_uint_eq(fh_count_events(&P.ha, WG_EV_KEYS_ZEROED), 0);
    pair_run_until(&P, 3 * WG_REJECT_AFTER_TIME);
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(!ia.has_current_key);
    ck_assert_uint_eq(fh_count_events(&P.ha, WG_EV_KEYS_ZEROED), 1);
    ck_assert_uint_eq(fh_count_events(&P.hb, WG_EV_KEYS_ZEROED), 1);
    ck_assert_int_eq(wg_device_next_deadline(P.a), WG_TIME_NEVER);
    pair_free(&P);
}
END_TEST

START_TEST(test_passive_keepalive_10s)
{
    setup_pair(false);
    handshake_now(); /* b received data at t = 0 */
    int64_t t[8];
    pair_run_until(&P, SEC(10) - 1);
    ck_assert_uint_eq(keepalive_times(&P.hb, t, 8), 0);
    pair_run_until(&P, SEC(10));
    ck_assert_uint_eq(keepalive_times(&P.hb, t, 8), 1);
    ck_assert_int_eq(t[0], SEC(10));
    /* A keepalive is not data: a does not answer it. */
    size_t a_before = keepalive_times(&P.ha, t, 8);
    pair_run_until(&P, SEC(40));
    ck_assert_uint_eq(keepalive_times(&P.ha, t, 8), a_before);
    ck_assert_uint_eq(keepalive_times(&P.hb, t, 8), 1);
    /* Data sent back within 10 s cancels the keepalive. */
    P.now = SEC(50);
    pair_send_ab(&P, 10);
    P.now = SEC(55);
    pair_send_ba(&P, 10);
    pair_run_until(&P, SEC(61));
    ck_assert_uint_eq(keepalive_times(&P.hb, t, 8), 1);
    pair_free(&P);
}
END_TEST

/* Data arriving while the passive keepalive is already armed asks for one
 * more round (Linux timers.c wg_timers_data_received /
 * wg_expired_send_keepalive need_another_keepalive; FreeBSD/OpenBSD
 * wg_timers_event_data_received / wg_timers_run_send_keepalive). */
START_TEST(test_passive_keepalive_another_round)
{
    setup_pair(false);
    handshake_now(); /* b received data at t = 0: keepalive due at 10 s */
    P.now = SEC(4);
    pair_send_ab(&P, 10); /* more data while armed: not pushed back, one more round */
    int64_t t[8];
    pair_run_until(&P, SEC(60));
    ck_assert_uint_eq(keepalive_times(&P.hb, t, 8), 2);
    ck_assert_int_eq(t[0], SEC(10));
    ck_assert_int_eq(t[1], SEC(20));
    pair_free(&P);
}
END_TEST

/* The new-handshake timer is armed by the first unanswered data and not
 * pushed back by more data (Linux wg_timers_data_sent: only when not
 * pending). */
START_TEST(test_new_handshake_not_pushed_back_by_more_data)
{
    setup_pair(false);
    handshake_now();
    P.cut_ba = true;
    size_t init_before = fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false);
    P.now = SEC(1);
    pair_send_ab(&P, 10);
    P.now = SEC(9);
    pair_send_ab(&P, 10);
    pair_run_until(&P, SEC(16) + WG_REKEY_TIMEOUT_JITTER_MAX);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), init_before + 1);
    const fh_sent *s = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    ck_assert_int_ge(s->now, SEC(16));
    ck_assert_int_le(s->now, SEC(16) + WG_REKEY_TIMEOUT_JITTER_MAX);
    pair_free(&P);
}
END_TEST

/* Sending a handshake response counts as a sent handshake for the
 * one-initiation-per-REKEY_TIMEOUT limit (Linux send.c
 * wg_packet_send_handshake_response sets last_sent_handshake). */
START_TEST(test_response_counts_for_initiation_rate_limit)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true, .b_knows_a = true};
    pair_init(&P, &o);
    P.cut_ba = true; /* b's response is lost: b's session stays unconfirmed */
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, true), 1);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), 0);
    /* b has data for a but no usable session: it may not initiate yet. */
    P.now = SEC(1);
    ck_assert_int_eq(pair_send_ba(&P, 10), WG_DROP_NONE);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), 0);
    P.now = SEC(5) - 1;
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), 0);
    P.now = SEC(5);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), 1);
    pair_free(&P);
}
END_TEST

START_TEST(test_new_handshake_15s_clears_source)
{
    setup_pair(false);
    handshake_now();
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert_int_eq(ia.learned_source.addr.family, 4); /* learned from the response */
    P.cut_ba = true; /* b's answers are lost */
    P.now = SEC(1);
    pair_send_ab(&P, 10);
    size_t init_before = fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false);
    pair_run_until(&P, SEC(16) - 1);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), init_before);
    pair_run_until(&P, SEC(16) + WG_REKEY_TIMEOUT_JITTER_MAX);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), init_before + 1);
    const fh_sent *s = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    ck_assert_int_ge(s->now, SEC(16));
    ck_assert_int_eq(s->meta.reason, WG_SRC_CLEARED_BY_TIMER);
    ck_assert_int_eq(s->src.addr.family, 0);
    ck_assert_uint_ge(fh_count_events(&P.ha, WG_EV_SOURCE_CLEARED), 1);
    pair_free(&P);
}
END_TEST

START_TEST(test_keepalives_do_not_arm_new_handshake)
{
    /* ha-model.md "Settled": keepalives alone do not arm the 15 s timer. */
    setup_pair(true);
    pair_flush(&P);
    P.cut_ba = true;
    size_t init_before = fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false);
    pair_run_until(&P, SEC(110));
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), init_before);
    pair_free(&P);
}
END_TEST

START_TEST(test_rekey_after_120s_on_send_initiator_only)
{
    setup_pair(false);
    handshake_now();
    size_t ia0 = fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false);
    size_t ib0 = fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false);
    P.now = SEC(119);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), ia0);
    /* The responder never rekeys on age when sending. */
    P.now = SEC(121);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), ib0);
    P.now = SEC(122);
    size_t delivered = P.hb.n_delivered;
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(P.hb.n_delivered, delivered + 1); /* the packet still used the old key */
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), ia0 + 1);
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert_uint_eq(ia.handshakes, 2);
    ck_assert_int_eq(ia.last_handshake, SEC(122));
    pair_free(&P);
}
END_TEST

START_TEST(test_rekey_on_receive_after_165s)
{
    setup_pair(false);
    handshake_now();
    size_t ia0 = fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false);
    P.now = SEC(164);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), ia0);
    P.cut_ab = true; /* keep the rekey from completing, to count attempts */
    P.now = SEC(166);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), ia0 + 1);
    /* FreeBSD asks again on every received packet once the 5 s rate limit
     * allows (Linux and wireguard-go only once per session:
     * test_wgnode_fidelity.c test_rekey_on_receive_per_platform). */
    P.now = SEC(170);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), ia0 + 1);
    P.now = SEC(172);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), ia0 + 2);
    pair_free(&P);
}
END_TEST

START_TEST(test_reject_after_180s)
{
    setup_pair(false);
    handshake_now();
    P.cut_ab = true;
    P.cut_ba = true;
    /* A transport message made at 170 s, held back and delivered at 181 s. */
    P.now = SEC(170);
    pair_send_ab(&P, 10);
    const fh_sent *held = fh_last_sent(&P.ha, WG_MSG_TRANSPORT);
    ck_assert_ptr_nonnull(held);
    ck_assert_int_eq(held->now, SEC(170));
    uint8_t copy[256];
    size_t len = held->len;
    memcpy(copy, held->data, len);
    pair_run_until(&P, SEC(181));
    wg_source local = {.addr = P.ep_b.ip, .ifindex = 1};
    size_t delivered = P.hb.n_delivered;
    wg_device_receive(P.b, P.now, &local, &P.ep_a, copy, len);
    ck_assert_uint_eq(P.hb.n_delivered, delivered);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_KEY_EXPIRED), 1);
    /* Sending after 180 s: nothing is encrypted with the old key; the packet
     * waits and a handshake is attempted. */
    size_t tx = fh_count_sent(&P.ha, WG_MSG_TRANSPORT, -1, false);
    P.cut_ab = P.cut_ba = false;
    P.now = SEC(185);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_TRANSPORT, -1, false), tx);
    /* The next retransmission (rate limit: one initiation per 5 s) brings a
     * new session up, which carries the packet. */
    pair_run_until(&P, SEC(192));
    ck_assert_uint_eq(P.hb.n_delivered, delivered + 1);
    ck_assert_uint_gt(fh_count_sent(&P.ha, WG_MSG_TRANSPORT, -1, false), tx);
    pair_free(&P);
}
END_TEST

START_TEST(test_staged_queue_bounded)
{
    setup_pair(false);
    P.cut_ab = true;
    for (int i = 0; i < 200; i++)
        pair_send_ab(&P, 10);
    ck_assert_uint_eq(wg_device_drop_count(P.a, WG_DROP_QUEUE_FULL), 200 - 128);
    P.cut_ab = false;
    pair_run_until(&P, SEC(6)); /* the retry gets through */
    ck_assert_uint_eq(P.hb.n_delivered, 128);
    pair_free(&P);
}
END_TEST

START_TEST(test_bsd_vs_linux_keepalive_on_initiator_complete)
{
    for (int plat = 0; plat < 2; plat++) {
        wg_pair_opts o = {.pa = plat ? WG_PLATFORM_LINUX : WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD,
                          .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        size_t ka = fh_count_sent(&P.ha, WG_MSG_TRANSPORT, 1, true);
        /* BSD: a keepalive at once even though data was queued; Linux: the
         * queued data is the confirmation. */
        ck_assert_uint_eq(ka, plat ? 0 : 1);
        ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_TRANSPORT, 0, true), 1);
        pair_free(&P);
    }
}
END_TEST


static wg_keypair *current_of(wg_device *d, int id) { return d->peers[id]->keypairs.current; }

START_TEST(test_rekey_after_messages)
{
    setup_pair(false);
    handshake_now();
    size_t ib0 = fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false);
    /* Either side rekeys on message count (unlike on age), once more than
     * REKEY_AFTER_MESSAGES were sent. (After 5 s: the response b sent
     * counts for the initiation rate limit.) */
    current_of(P.b, P.b_peer)->send_counter = WG_REKEY_AFTER_MESSAGES - 1;
    P.now = SEC(6);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), ib0);
    P.now = SEC(7);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_INITIATION, -1, false), ib0 + 1);
    ck_assert_uint_eq(P.ha.n_delivered, 2);
    wg_peer_info ib;
    wg_device_peer_info(P.b, P.b_peer, &ib);
    ck_assert_uint_eq(ib.handshakes, 2);
    pair_free(&P);
}
END_TEST

START_TEST(test_reject_after_messages)
{
    setup_pair(false);
    handshake_now();
    P.cut_ab = true;
    current_of(P.a, P.a_peer)->send_counter = WG_REJECT_AFTER_MESSAGES;
    size_t tx = fh_count_sent(&P.ha, WG_MSG_TRANSPORT, -1, false);
    P.now = SEC(6);
    pair_send_ab(&P, 10);
    /* Nonces exhausted: nothing encrypted, the packet waits for a handshake. */
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_TRANSPORT, -1, false), tx);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), 2);
    P.cut_ab = false;
    pair_run_until(&P, SEC(12)); /* the retry brings a new session: the packet goes */
    ck_assert_uint_eq(P.hb.n_delivered, 2);
    pair_free(&P);

    /* Receiving: a window at the limit accepts nothing more. */
    setup_pair(false);
    handshake_now();
    current_of(P.b, P.b_peer)->replay.counter = WG_REJECT_AFTER_MESSAGES;
    P.now = SEC(1);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_KEY_EXPIRED), 1);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    pair_free(&P);
}
END_TEST

START_TEST(test_simultaneous_initiation_converges)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true, .b_knows_a = true};
    pair_init(&P, &o);
    uint8_t pa[64], pb[64];
    size_t na = fh_ip4_packet(pa, pair_tun_a, pair_tun_b, 10), nb = fh_ip4_packet(pb, pair_tun_b, pair_tun_a, 10);
    /* Both initiate before either hears the other. */
    ck_assert_int_eq(wg_device_send_inner(P.a, 0, pa, na), WG_DROP_NONE);
    ck_assert_int_eq(wg_device_send_inner(P.b, 0, pb, nb), WG_DROP_NONE);
    pair_run_until(&P, SEC(6));
    ck_assert_uint_eq(P.ha.n_delivered, 1);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    pair_run_until(&P, SEC(30));
    P.now = SEC(31);
    pair_send_ab(&P, 10);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(P.ha.n_delivered, 2);
    ck_assert_uint_eq(P.hb.n_delivered, 2);
    pair_free(&P);
}
END_TEST

START_TEST(test_per_peer_memory_modest)
{
    /* A session keeps at most two keypairs (current + previous, or current +
     * next); with the peer itself that stays under 4 KiB per peer. */
    ck_assert_uint_lt(sizeof(wg_peer) + 2 * sizeof(wg_keypair), 4096 - 256);
    setup_pair(false);
    for (int t = 0; t < 1000; t += 7) {
        pair_run_until(&P, SEC(t));
        pair_send_ab(&P, 10);
        pair_send_ba(&P, 10);
        wg_keypairs *k = &P.a->peers[P.a_peer]->keypairs;
        int n = (k->current != NULL) + (k->previous != NULL) + (k->next != NULL);
        ck_assert_int_le(n, 2);
        k = &P.b->peers[P.b_peer]->keypairs;
        n = (k->current != NULL) + (k->previous != NULL) + (k->next != NULL);
        ck_assert_int_le(n, 2);
    }
    pair_free(&P);
}
END_TEST

START_TEST(test_persistent_keepalive_set_at_run_time)
{
    setup_pair(false);
    handshake_now();
    int64_t t[16];
    size_t k0 = keepalive_times(&P.ha, t, 16);
    P.now = P.ha.now = SEC(3);
    ck_assert(wg_device_set_persistent_keepalive(P.a, P.a_peer, 7, P.now));
    pair_flush(&P);
    /* Turned on while up: one at once, then every 7 s. */
    ck_assert_uint_eq(keepalive_times(&P.ha, t, 16), k0 + 1);
    ck_assert_int_eq(t[k0], SEC(3));
    pair_run_until(&P, SEC(17));
    ck_assert_uint_eq(keepalive_times(&P.ha, t, 16), k0 + 3);
    ck_assert_int_eq(t[k0 + 1], SEC(10));
    ck_assert_int_eq(t[k0 + 2], SEC(17));
    /* Off: no more. */
    ck_assert(wg_device_set_persistent_keepalive(P.a, P.a_peer, 0, P.now));
    pair_run_until(&P, SEC(60));
    ck_assert_uint_eq(keepalive_times(&P.ha, t, 16), k0 + 3);
    pair_free(&P);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wgnode_timers");
    TCase *tc = tcase_create("timers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_persistent_keepalive_25s);
    tcase_add_test(tc, test_retransmit_and_give_up);
    tcase_add_test(tc, test_zero_jitter_retry_not_stalled_on_strict_platforms);
    tcase_add_test(tc, test_initiation_rate_limit);
    tcase_add_test(tc, test_keys_zeroed_at_540s);
    tcase_add_test(tc, test_passive_keepalive_10s);
    tcase_add_test(tc, test_new_handshake_15s_clears_source);
    tcase_add_test(tc, test_passive_keepalive_another_round);
    tcase_add_test(tc, test_new_handshake_not_pushed_back_by_more_data);
    tcase_add_test(tc, test_response_counts_for_initiation_rate_limit);
    tcase_add_test(tc, test_keepalives_do_not_arm_new_handshake);
    tcase_add_test(tc, test_rekey_after_120s_on_send_initiator_only);
    tcase_add_test(tc, test_rekey_on_receive_after_165s);
    tcase_add_test(tc, test_reject_after_180s);
    tcase_add_test(tc, test_staged_queue_bounded);
    tcase_add_test(tc, test_bsd_vs_linux_keepalive_on_initiator_complete);
    tcase_add_test(tc, test_rekey_after_messages);
    tcase_add_test(tc, test_reject_after_messages);
    tcase_add_test(tc, test_simultaneous_initiation_converges);
    tcase_add_test(tc, test_per_peer_memory_modest);
    tcase_add_test(tc, test_persistent_keepalive_set_at_run_time);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
