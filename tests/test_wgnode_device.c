/*
 * test_wgnode_device.c — the device end to end on a fake clock: tunnel
 * traffic both ways with key rotation, cookies under load, roaming only on
 * authenticated packets, cryptokey routing both directions, replay,
 * peers at run time, key log, interface down/up, the thread's scratch
 * shared by devices and a device's own, trace names.
 */
#include "fake_host.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static wg_pair P;

static void std_pair(void)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true};
    pair_init(&P, &o);
}

START_TEST(test_end_to_end_with_rotation)
{
    wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX, WG_PLATFORM_WIREGUARD_GO};
    for (int pi = 0; pi < 4; pi++) {
        wg_pair_opts o = {.pa = plats[pi], .pb = plats[(pi + 1) % 4], .a_knows_b = true, .psk = pi % 2 == 1};
        pair_init(&P, &o);
        size_t sent_ab = 0, sent_ba = 0;
        /* One packet each way every second for 10 simulated minutes. */
        for (int t = 0; t < 600; t++) {
            pair_run_until(&P, SEC(t));
            ck_assert_int_eq(pair_send_ab(&P, 56), WG_DROP_NONE);
            sent_ab++;
            P.now += MS(500);
            ck_assert_int_eq(pair_send_ba(&P, 56), WG_DROP_NONE);
            sent_ba++;
        }
        pair_run_until(&P, SEC(601));
        ck_assert_uint_eq(P.hb.n_delivered, sent_ab);
        ck_assert_uint_eq(P.ha.n_delivered, sent_ba);
        /* Exact bytes arrive, padding stripped. */
        uint8_t want[128];
        size_t n = fh_ip4_packet(want, pair_tun_a, pair_tun_b, 56);
        ck_assert_uint_eq(P.hb.delivered[0].len, n);
        ck_assert(memcmp(P.hb.delivered[0].data, want, n) == 0);
        ck_assert_int_eq(P.hb.delivered[0].peer_id, P.b_peer);
        /* Rekeyed every ~2 minutes by the initiator, never losing a packet. */
        wg_peer_info ia, ib;
        wg_device_peer_info(P.a, P.a_peer, &ia);
        wg_device_peer_info(P.b, P.b_peer, &ib);
        ck_assert_uint_ge(ia.handshakes, 5);
        ck_assert_uint_le(ia.handshakes, 7);
        ck_assert_uint_ge(fh_count_events(&P.hb, WG_EV_KEY_ROTATED), 4);
        for (int r = 1; r < WG_DROP__COUNT; r++) {
            ck_assert_msg(wg_device_drop_count(P.a, r) == 0, "a drop %s", wg_drop_reason_name(r));
            ck_assert_msg(wg_device_drop_count(P.b, r) == 0, "b drop %s", wg_drop_reason_name(r));
        }
        ck_assert_uint_gt(ia.tx_bytes, 0);
        ck_assert_uint_gt(ib.rx_bytes, 0);
        /* b learned a's endpoint from the first authenticated packet. */
        ck_assert(ib.has_endpoint);
        ck_assert(wg_endpoint_eq(&ib.endpoint, &P.ep_a));
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_ipv6_inner_and_allowed)
{
    std_pair();
    wg_prefix pa6, pb6;
    wg_prefix_parse("fd00::2/128", &pb6);
    wg_prefix_parse("fd00::1/128", &pa6);
    wg_prefix a_ips[2] = {{.ip = pair_tun_b, .len = 32}, pb6};
    wg_prefix b_ips[2] = {{.ip = pair_tun_a, .len = 32}, pa6};
    ck_assert(wg_device_set_allowed_ips(P.a, P.a_peer, a_ips, 2));
    ck_assert(wg_device_set_allowed_ips(P.b, P.b_peer, b_ips, 2));
    ck_assert_uint_eq(wg_device_allowed_ips(P.a, P.a_peer, NULL, 0), 2);
    uint8_t pkt[200];
    size_t n = fh_ip6_packet(pkt, pa6.ip, pb6.ip, 33);
    ck_assert_int_eq(wg_device_send_inner(P.a, 0, pkt, n), WG_DROP_NONE);
    pair_flush(&P);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    ck_assert_uint_eq(P.hb.delivered[0].len, n);
    ck_assert_int_eq(wg_device_peer_for_ip(P.a, &pb6.ip), P.a_peer);
    wg_ip other;
    wg_ip_parse("fd00::99", &other);
    ck_assert_int_eq(wg_device_peer_for_ip(P.a, &other), -1);
    pair_free(&P);
}
END_TEST

START_TEST(test_outbound_routing_and_inbound_allowed_check)
{
    std_pair();
    uint8_t pkt[200];
    /* Outbound: no peer for the destination. */
    size_t n = fh_ip4_packet(pkt, pair_tun_a, wg_ip4(10, 99, 0, 77), 10);
    ck_assert_int_eq(wg_device_send_inner(P.a, 0, pkt, n), WG_DROP_NO_PEER_FOR_DST);
    ck_assert_int_eq(wg_device_send_inner(P.a, 0, pkt, 3), WG_DROP_BAD_INNER);
    /* Inbound: a sends to b with an inner source b does not allow for a. */
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_NONE);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    n = fh_ip4_packet(pkt, wg_ip4(10, 99, 0, 66), pair_tun_b, 10);
    ck_assert_int_eq(wg_device_send_inner(P.a, 0, pkt, n), WG_DROP_NONE);
    pair_flush(&P);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_NOT_ALLOWED_IP), 1);
    /* b without an endpoint for a cannot originate before a talked to it. */
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true};
    wg_pair q;
    pair_init(&q, &o);
    ck_assert_int_eq(pair_send_ba(&q, 10), WG_DROP_NO_ENDPOINT);
    pair_free(&q);
    pair_free(&P);
}
END_TEST

START_TEST(test_transport_replay_rejected)
{
    std_pair();
    pair_send_ab(&P, 10);
    const fh_sent *t = fh_last_sent(&P.ha, WG_MSG_TRANSPORT);
    uint8_t copy[256];
    size_t len = t->len;
    memcpy(copy, t->data, len);
    wg_source local = {.addr = P.ep_b.ip, .ifindex = 1};
    wg_device_receive(P.b, 0, &local, &P.ep_a, copy, len);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_REPLAY), 1);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    /* A replayed initiation: its TAI64N is not newer than the last one. */
    const fh_sent *init = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    memcpy(copy, init->data, init->len);
    size_t responses = fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, false);
    wg_device_receive(P.b, SEC(1), &local, &P.ep_a, copy, init->len);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_REPLAYED_TIMESTAMP), 1);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, false), responses);
    pair_free(&P);
}
END_TEST

START_TEST(test_cookie_reply_under_load)
{
    std_pair();
    wg_device_set_under_load(P.b, true);
    pair_send_ab(&P, 10);
    /* b answered the initiation with a cookie reply, not a response. */
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true), 1);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, false), 0);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_BAD_MAC2), 1);
    ck_assert_uint_eq(fh_count_events(&P.ha, WG_EV_COOKIE_REPLY_RECEIVED), 1);
    ck_assert_uint_eq(P.hb.n_delivered, 0);
    /* The retransmission carries mac2 and is accepted. */
    pair_run_until(&P, SEC(6));
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, true), 1);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true), 1);
    /* A forged cookie reply (bit flipped) is refused. */
    const fh_sent *c = NULL;
    for (size_t i = 0; i < P.hb.n_sent; i++)
        if (P.hb.sent[i].meta.type == WG_MSG_COOKIE_REPLY)
            c = &P.hb.sent[i];
    uint8_t bad[WG_COOKIE_REPLY_LEN];
    memcpy(bad, c->data, sizeof bad);
    bad[40] ^= 1;
    wg_source local = {.addr = P.ep_a.ip, .ifindex = 1};
    wg_device_receive(P.a, P.now, &local, &P.ep_b, bad, sizeof bad);
    ck_assert_uint_ge(wg_device_drop_count(P.a, WG_DROP_BAD_COOKIE_REPLY) +
                          wg_device_drop_count(P.a, WG_DROP_UNKNOWN_INDEX), 1);
    pair_free(&P);
}
END_TEST

/* Issue 22: the device decides under load from its handshake queue, as
 * Linux receive.c wg_receive_handshake_packet does (>= 4096/8 queued, held
 * 1 s). b processes a handshake message in 170 us (2 us when the MAC
 * checks end it); 2,000 replays of a's initiation from one flooding
 * source arrive at once. */
START_TEST(test_timed_queue_flood_puts_device_under_load)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true, .hsq_b = WG_HSQ_TIMED,
                      .cost_b = 170000, .reject_cost_b = 2000};
    pair_init(&P, &o);
    /* Normal traffic: no delay, never under load. */
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_NONE);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    wg_load_info li;
    wg_device_load_info(P.b, P.now, &li);
    ck_assert(!li.under_load);
    ck_assert_uint_eq(li.backlog_max, 1); /* the one handshake, while its work lasts */
    ck_assert_uint_eq(li.processed, 1);
    ck_assert_int_eq(li.under_load_ns, 0);

    const fh_sent *init = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    uint8_t copy[WG_INITIATION_LEN];
    memcpy(copy, init->data, sizeof copy);
    wg_endpoint flooder;
    ck_assert(wg_endpoint_parse("203.0.113.66:40000", &flooder));
    wg_source local = {.addr = P.ep_b.ip, .ifindex = 1};
    pair_run_until(&P, SEC(1));
    int64_t t0 = P.now;
    for (int i = 0; i < 5000; i++)
        wg_device_receive(P.b, t0, &local, &flooder, copy, sizeof copy);
    /* Each is handled on arrival; the queue holds those whose work is not
     * done: 511 replays cost the DH (170 us each) before the queue reached
     * 512, the rest cost 2 us, and past 4096 they are queue-full. */
    wg_device_load_info(P.b, t0, &li);
    ck_assert_uint_eq(li.backlog, WG_MAX_QUEUED_HANDSHAKES);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_QUEUE_FULL), 5000 - WG_MAX_QUEUED_HANDSHAKES);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_REPLAYED_TIMESTAMP), WG_UNDER_LOAD_QUEUE_LEN - 1);
    ck_assert(li.under_load);
    ck_assert_uint_eq(li.under_load_periods, 1);
    ck_assert_uint_eq(fh_count_events(&P.hb, WG_EV_UNDER_LOAD), 1);
    /* The cookie replies to the one source are held to the burst of 5;
     * the rest are rate-limited. */
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true), 5);
    ck_assert_uint_eq(li.cookie_replies, 5);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_RATE_LIMITED),
                      WG_MAX_QUEUED_HANDSHAKES - (WG_UNDER_LOAD_QUEUE_LEN - 1) - 5);
    /* The work drains with time: 511 x 170 us + 3585 x 2 us = 94 ms. */
    pair_run_until(&P, t0 + MS(95));
    wg_device_load_info(P.b, P.now, &li);
    ck_assert_uint_eq(li.backlog, 0);
    ck_assert(li.under_load); /* held for 1 s */
    ck_assert_uint_eq(li.backlog_max, WG_MAX_QUEUED_HANDSHAKES);

    /* While under load the legitimate peer re-handshakes: a cookie reply,
     * then the retry with mac2 (REKEY_TIMEOUT later) completes. Keep the
     * device loaded with bursts of 600 floods every 500 ms (each burst
     * queues past 512). */
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    uint64_t hs0 = ia.handshakes;
    P.now += SEC(121); /* past REKEY_AFTER_TIME: the next send re-handshakes */
    for (int k = 0; k < 24; k++) {
        pair_run_until(&P, P.now + MS(500));
        for (int i = 0; i < 600; i++)
            wg_device_receive(P.b, P.now, &local, &flooder, copy, sizeof copy);
        if (k == 0)
            pair_send_ab(&P, 10);
    }
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert_uint_eq(ia.handshakes, hs0 + 1);
    ck_assert_uint_ge(fh_count_events(&P.ha, WG_EV_COOKIE_REPLY_RECEIVED), 1);
    ck_assert_uint_eq(P.hb.n_delivered, 2);
    /* Quiet: after a second without a long queue the device leaves load. */
    pair_run_until(&P, P.now + SEC(3));
    pair_send_ab(&P, 10);
    pair_run_until(&P, P.now + SEC(1));
    wg_device_load_info(P.b, P.now, &li);
    ck_assert(!li.under_load);
    ck_assert_int_ge(li.under_load_ns, SEC(1));
    pair_free(&P);
}
END_TEST

/* `wgsim peer`'s mode: the device only queues; the host drains. */
START_TEST(test_host_queue_drained_by_host)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true, .hsq_b = WG_HSQ_HOST};
    pair_init(&P, &o);
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_NONE);
    ck_assert_uint_eq(P.hb.n_delivered, 0); /* the initiation waits */
    wg_load_info li;
    wg_device_load_info(P.b, P.now, &li);
    ck_assert_uint_eq(li.backlog, 1);
    ck_assert_uint_eq(wg_device_process_handshakes(P.b, P.now, 10), 1);
    pair_flush(&P);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    /* A timed queue without a cost is refused. */
    wg_device_config bad = {.hs_queue = WG_HSQ_TIMED};
    ck_assert_ptr_null(wg_device_new(&bad, &P.hb.ops));
    pair_free(&P);
}
END_TEST

/* Under load, handshake messages with a valid mac2 are still limited per
 * source address: 20 per second with a burst of 5 (Linux receive.c
 * wg_receive_handshake_packet -> wg_ratelimiter_allow; ratelimiter.c). */
START_TEST(test_handshakes_rate_limited_per_source_under_load)
{
    std_pair();
    wg_device_set_under_load(P.b, true);
    pair_send_ab(&P, 10);
    pair_run_until(&P, SEC(6)); /* cookie reply, then the retry with mac2 is accepted */
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    const fh_sent *init = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    uint8_t copy[WG_INITIATION_LEN];
    ck_assert_uint_eq(init->len, sizeof copy);
    memcpy(copy, init->data, sizeof copy);
    wg_source local = {.addr = P.ep_b.ip, .ifindex = 1};
    /* The accepted initiation was more than 250 ms ago, so the bucket is
     * full again: a burst of five passes the limiter (and fails as
     * replays), the rest at the same instant are rate limited. */
    for (int i = 0; i < 10; i++)
        wg_device_receive(P.b, P.now, &local, &P.ep_a, copy, sizeof copy);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_REPLAYED_TIMESTAMP), 5);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_RATE_LIMITED), 5);
    /* 50 ms refill one token. */
    wg_device_receive(P.b, P.now + MS(50), &local, &P.ep_a, copy, sizeof copy);
    wg_device_receive(P.b, P.now + MS(50), &local, &P.ep_a, copy, sizeof copy);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_REPLAYED_TIMESTAMP), 6);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_RATE_LIMITED), 6);
    /* Not under load, no limiter. */
    wg_device_set_under_load(P.b, false);
    for (int i = 0; i < 10; i++)
        wg_device_receive(P.b, P.now + MS(50), &local, &P.ep_a, copy, sizeof copy);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_REPLAYED_TIMESTAMP), 16);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_RATE_LIMITED), 6);
    pair_free(&P);
}
END_TEST

/* Under load, a response needs a valid mac2 too: the initiator answers a
 * response without one with a cookie reply and drops it; the responder
 * uses the cookie on its next response (Linux receive.c
 * wg_receive_handshake_packet checks both message types). */
START_TEST(test_cookie_reply_to_a_response_under_load)
{
    std_pair();
    wg_device_set_under_load(P.a, true);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, true), 1);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_COOKIE_REPLY, -1, true), 1);
    ck_assert_uint_eq(wg_device_drop_count(P.a, WG_DROP_BAD_MAC2), 1);
    ck_assert_uint_eq(fh_count_events(&P.hb, WG_EV_COOKIE_REPLY_RECEIVED), 1);
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(!ia.has_current_key);
    ck_assert_uint_eq(P.hb.n_delivered, 0);
    /* a's retry: b's new response carries mac2 and is accepted. */
    pair_run_until(&P, SEC(6));
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, true), 2);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_COOKIE_REPLY, -1, true), 1);
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(ia.has_current_key);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    pair_free(&P);
}
END_TEST

START_TEST(test_cookie_expires_and_is_renewed)
{
    /* A received cookie is used for mac2 only while younger than 115 s
     * (the responder's secret rotates every 2 min): later handshakes under
     * load get a fresh cookie reply first. */
    std_pair();
    wg_device_set_under_load(P.b, true);
    pair_send_ab(&P, 10);
    pair_run_until(&P, SEC(6));
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true), 1);
    /* Long after: new handshakes need a fresh cookie. */
    P.cut_ab = false;
    pair_run_until(&P, SEC(400));
    wg_device_down(P.a, P.now);
    wg_device_up(P.a, P.now);
    size_t before = fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true), before + 1);
    pair_free(&P);
}
END_TEST

START_TEST(test_roaming_only_on_authenticated)
{
    std_pair();
    pair_send_ab(&P, 10);
    wg_peer_info ib;
    wg_device_peer_info(P.b, P.b_peer, &ib);
    ck_assert(wg_endpoint_eq(&ib.endpoint, &P.ep_a));
    wg_endpoint evil = {.ip = wg_ip4(203, 0, 113, 66), .port = 4444};
    wg_source local = {.addr = P.ep_b.ip, .ifindex = 1};
    /* Every message a sent so far, replayed or corrupted, from a new address. */
    for (size_t i = 0; i < P.ha.n_sent; i++) {
        const fh_sent *s = &P.ha.sent[i];
        uint8_t copy[512];
        memcpy(copy, s->data, s->len);
        wg_device_receive(P.b, P.now, &local, &evil, copy, s->len); /* replay */
        copy[s->len - 1] ^= 0x80;
        wg_device_receive(P.b, P.now, &local, &evil, copy, s->len); /* forgery */
    }
    wg_device_peer_info(P.b, P.b_peer, &ib);
    ck_assert(wg_endpoint_eq(&ib.endpoint, &P.ep_a));
    /* A cookie reply from a new address does not move a's endpoint either. */
    wg_device_set_under_load(P.b, true);
    P.now = SEC(200);
    size_t cr = fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true);
    P.cut_ba = true;
    pair_send_ab(&P, 10); /* keys too old: a initiates; b answers with a cookie */
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_COOKIE_REPLY, -1, true), cr + 1);
    const fh_sent *c = fh_last_sent(&P.hb, WG_MSG_COOKIE_REPLY);
    wg_source la = {.addr = P.ep_a.ip, .ifindex = 1};
    uint8_t copy[WG_COOKIE_REPLY_LEN];
    memcpy(copy, c->data, sizeof copy);
    wg_device_receive(P.a, P.now, &la, &evil, copy, sizeof copy);
    ck_assert_uint_eq(fh_count_events(&P.ha, WG_EV_COOKIE_REPLY_RECEIVED), 1);
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(wg_endpoint_eq(&ia.endpoint, &P.ep_b));
    pair_free(&P);

    /* An authenticated packet from a new address (NAT rebinding) moves it. */
    std_pair();
    pair_send_ab(&P, 10);
    P.nat_a = true;
    P.nat_a_ep = (wg_endpoint){.ip = wg_ip4(203, 0, 113, 7), .port = 40000};
    P.now = SEC(1);
    pair_send_ab(&P, 10);
    wg_device_peer_info(P.b, P.b_peer, &ib);
    ck_assert(wg_endpoint_eq(&ib.endpoint, &P.nat_a_ep));
    ck_assert_uint_ge(fh_count_events(&P.hb, WG_EV_ENDPOINT_CHANGED), 2);
    pair_free(&P);
}
END_TEST

START_TEST(test_peers_at_run_time)
{
    std_pair();
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(wg_device_peer_count(P.b), 1);
    ck_assert_int_eq(wg_device_find_peer(P.b, P.pub_a), P.b_peer);
    /* Duplicate keys and our own key are refused. */
    wg_peer_config dup = {0};
    memcpy(dup.public_key, P.pub_a, WG_KEY_LEN);
    ck_assert_int_eq(wg_device_add_peer(P.b, &dup, 0), -1);
    memcpy(dup.public_key, P.pub_b, WG_KEY_LEN);
    ck_assert_int_eq(wg_device_add_peer(P.b, &dup, 0), -1);
    /* Removing the peer drops its sessions and routes: a's data is unknown now. */
    ck_assert(wg_device_remove_peer(P.b, P.b_peer));
    ck_assert_uint_eq(wg_device_peer_count(P.b), 0);
    ck_assert_int_eq(wg_device_peer_for_ip(P.b, &pair_tun_a), -1);
    ck_assert(!wg_device_remove_peer(P.b, P.b_peer));
    P.now = SEC(1);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_UNKNOWN_INDEX), 1);
    /* Re-adding it (new id): a's next handshake is accepted again. */
    wg_prefix allow_a = {.ip = pair_tun_a, .len = 32};
    wg_peer_config pc = {.allowed_ips = &allow_a, .n_allowed_ips = 1};
    memcpy(pc.public_key, P.pub_a, WG_KEY_LEN);
    int id = wg_device_add_peer(P.b, &pc, P.now);
    ck_assert_int_ge(id, 0);
    ck_assert_int_ne(id, P.b_peer);
    pair_run_until(&P, SEC(30)); /* a's new-handshake timer fires at ~16 s */
    P.now = SEC(31);
    size_t d = P.hb.n_delivered;
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(P.hb.n_delivered, d + 1);
    ck_assert_int_eq(P.hb.delivered[d].peer_id, id);
    /* Setting allowed-ips replaces the list (wg set ... allowed-ips): the
     * old address no longer routes to the peer nor is accepted from it. */
    wg_prefix other = {.ip = wg_ip4(10, 200, 0, 0), .len = 16};
    ck_assert(wg_device_set_allowed_ips(P.b, id, &other, 1));
    ck_assert_uint_eq(wg_device_allowed_ips(P.b, id, NULL, 0), 1);
    ck_assert_int_eq(wg_device_peer_for_ip(P.b, &pair_tun_a), -1);
    wg_ip in_other = wg_ip4(10, 200, 3, 4);
    ck_assert_int_eq(wg_device_peer_for_ip(P.b, &in_other), id);
    P.now = SEC(32);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(P.hb.n_delivered, d + 1);
    ck_assert_uint_eq(wg_device_drop_count(P.b, WG_DROP_NOT_ALLOWED_IP), 1);
    ck_assert(wg_device_set_allowed_ips(P.b, id, &allow_a, 1));
    /* Unknown peers' initiations are dropped by reason. */
    wg_device_remove_peer(P.b, id);
    P.now = SEC(200);
    pair_send_ab(&P, 10);
    ck_assert_uint_ge(wg_device_drop_count(P.b, WG_DROP_UNKNOWN_PEER), 1);
    pair_free(&P);
}
END_TEST

START_TEST(test_keylog_for_wireshark)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true, .psk = true};
    pair_init(&P, &o);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(fh_count_keylog(&P.ha, WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY), 1);
    ck_assert_uint_eq(fh_count_keylog(&P.ha, WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY), 1);
    ck_assert_uint_eq(fh_count_keylog(&P.ha, WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY), 1);
    ck_assert_uint_eq(fh_count_keylog(&P.hb, WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY), 1);
    ck_assert_uint_eq(fh_count_keylog(&P.ha, WG_KEYLOG_PRESHARED_KEY), 1);
    ck_assert(memcmp(P.ha.keylog[0].key, P.priv_a, WG_KEY_LEN) == 0);
    ck_assert(memcmp(P.ha.keylog[1].key, P.pub_b, WG_KEY_LEN) == 0);
    /* PRESHARED_KEY follows the ephemeral it applies to. */
    ck_assert_int_eq(P.ha.keylog[2].kind, WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY);
    ck_assert_int_eq(P.ha.keylog[3].kind, WG_KEYLOG_PRESHARED_KEY);
    /* The logged ephemeral is the one on the wire. */
    uint8_t epub[WG_KEY_LEN];
    wg_x25519_public(epub, P.ha.keylog[2].key);
    const fh_sent *init = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    ck_assert(memcmp(init->data + 8, epub, WG_KEY_LEN) == 0);
    pair_free(&P);
}
END_TEST

START_TEST(test_down_up)
{
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true, .keepalive_a = 25};
    pair_init(&P, &o);
    pair_flush(&P);
    wg_device_down(P.a, 0);
    ck_assert(!wg_device_is_up(P.a));
    ck_assert_int_eq(wg_device_next_deadline(P.a), WG_TIME_NEVER);
    wg_peer_info ia;
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(!ia.has_current_key);
    ck_assert_int_eq(pair_send_ab(&P, 10), WG_DROP_DEVICE_DOWN);
    size_t n = P.ha.n_sent;
    /* 1 s after the last initiation: going down also reset the initiation
     * rate limit (Linux device.c wg_stop ->
     * wg_noise_reset_last_sent_handshake), so nothing holds it back. */
    P.now = SEC(1);
    wg_device_up(P.a, P.now);
    /* Up with a persistent keepalive: a handshake at once. */
    ck_assert_uint_gt(P.ha.n_sent, n);
    ck_assert_int_eq(P.ha.sent[n].meta.type, WG_MSG_INITIATION);
    pair_flush(&P);
    wg_device_peer_info(P.a, P.a_peer, &ia);
    ck_assert(ia.has_current_key);
    pair_free(&P);
}
END_TEST

/* send.c send_staged: a packet for an empty staged queue leaves from the
 * caller's buffer when a keypair can send it, and is copied into the
 * queue where it cannot (no session yet): what is sent later is the
 * packet as it was handed over, whatever the caller then does with its
 * buffer. Interface down: refused, nothing queued, nothing sent. */
START_TEST(test_first_packet_sent_at_once_or_copied)
{
    std_pair();
    uint8_t buf[256], want[2][256];
    size_t n = fh_ip4_packet(buf, pair_tun_a, pair_tun_b, 40);
    memcpy(want[0], buf, n);
    P.ha.now = P.now;
    size_t init0 = fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false);
    ck_assert_int_eq(wg_device_send_inner(P.a, P.now, buf, n), WG_DROP_NONE);
    /* no session: the initiation leaves, the packet waits */
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_TRANSPORT, -1, false), 0);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_INITIATION, -1, false), init0 + 1);
    memset(buf, 0xee, sizeof buf); /* the caller reuses its buffer */
    pair_flush(&P);
    ck_assert_uint_eq(P.hb.n_delivered, 1);
    ck_assert_uint_eq(P.hb.delivered[0].len, n);
    ck_assert(memcmp(P.hb.delivered[0].data, want[0], n) == 0);
    /* a session: the next packet leaves during the call */
    size_t n2 = fh_ip4_packet(buf, pair_tun_a, pair_tun_b, 100);
    memcpy(want[1], buf, n2);
    size_t data0 = fh_count_sent(&P.ha, WG_MSG_TRANSPORT, 0, false);
    ck_assert_int_eq(wg_device_send_inner(P.a, P.now, buf, n2), WG_DROP_NONE);
    ck_assert_uint_eq(fh_count_sent(&P.ha, WG_MSG_TRANSPORT, 0, false), data0 + 1);
    memset(buf, 0xee, sizeof buf);
    pair_flush(&P);
    ck_assert_uint_eq(P.hb.n_delivered, 2);
    ck_assert_uint_eq(P.hb.delivered[1].len, n2);
    ck_assert(memcmp(P.hb.delivered[1].data, want[1], n2) == 0);
    ck_assert_uint_eq(wg_device_drop_count(P.a, WG_DROP_QUEUE_FULL), 0);
    ck_assert_uint_eq(wg_device_drop_count(P.a, WG_DROP_SEND_FAILED), 0);
    /* down: refused before the queue */
    wg_device_down(P.a, P.now);
    size_t sent = P.ha.n_sent;
    n = fh_ip4_packet(buf, pair_tun_a, pair_tun_b, 40);
    ck_assert_int_eq(wg_device_send_inner(P.a, P.now, buf, n), WG_DROP_DEVICE_DOWN);
    ck_assert_uint_eq(P.ha.n_sent, sent);
    pair_free(&P);
}
END_TEST

/* ---- the thread's scratch and a device's own (scratch.c) ---- */

static wg_pair Q; /* a second tunnel, used from inside P's callbacks */

/* Inside a2's send (its message sealed in the thread's scratch): b2
 * sends too, and must seal somewhere else. */
static void b2_sends(void *arg)
{
    (void)arg;
    uint8_t buf[256];
    size_t n = fh_ip4_packet(buf, pair_tun_b, pair_tun_a, 60);
    Q.hb.now = Q.now;
    ck_assert_int_eq(wg_device_send_inner(Q.b, Q.now, buf, n), WG_DROP_NONE);
}

/* Inside b1's delivery (its payload opened in the thread's scratch): a
 * whole exchange on the other tunnel, which seals and opens messages. */
static void other_tunnel(void *arg)
{
    (void)arg;
    Q.ha.nested = b2_sends;
    ck_assert_int_eq(pair_send_ab(&Q, 100), WG_DROP_NONE);
}

START_TEST(test_scratch_shared_and_nested)
{
    std_pair();
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true, .b_knows_a = true};
    pair_init(&Q, &o);
    ck_assert_int_eq(pair_send_ab(&P, 40), WG_DROP_NONE); /* handshakes, sessions */
    ck_assert_int_eq(pair_send_ba(&Q, 40), WG_DROP_NONE);
    size_t p0 = P.hb.n_delivered, qa0 = Q.ha.n_delivered, qb0 = Q.hb.n_delivered;

    /* b1 opens a1's packet; while it delivers it, a2 seals, b2 seals
     * while a2's message is in the middle of leaving, and both open. */
    P.hb.nested = other_tunnel;
    ck_assert_int_eq(pair_send_ab(&P, 80), WG_DROP_NONE);
    ck_assert_ptr_null(P.hb.nested);
    ck_assert_ptr_null(Q.ha.nested);
    uint8_t want[256];
    size_t n = fh_ip4_packet(want, pair_tun_a, pair_tun_b, 80);
    ck_assert_uint_eq(P.hb.n_delivered, p0 + 1);
    ck_assert_uint_eq(P.hb.delivered[p0].len, n);
    ck_assert(memcmp(P.hb.delivered[p0].data, want, n) == 0); /* untouched by the nested work */
    n = fh_ip4_packet(want, pair_tun_a, pair_tun_b, 100);
    ck_assert_uint_eq(Q.hb.n_delivered, qb0 + 1);
    ck_assert_uint_eq(Q.hb.delivered[qb0].len, n);
    ck_assert(memcmp(Q.hb.delivered[qb0].data, want, n) == 0);
    n = fh_ip4_packet(want, pair_tun_b, pair_tun_a, 60);
    ck_assert_uint_eq(Q.ha.n_delivered, qa0 + 1);
    ck_assert_uint_eq(Q.ha.delivered[qa0].len, n);
    ck_assert(memcmp(Q.ha.delivered[qa0].data, want, n) == 0);

    /* A message longer than the thread's scratch: the device's own, both
     * ways, and then the thread's again. */
    static uint8_t big[9000], big_want[9000];
    size_t nb = fh_ip4_packet(big, pair_tun_a, pair_tun_b, 8000);
    memcpy(big_want, big, nb);
    P.ha.now = P.now;
    ck_assert_int_eq(wg_device_send_inner(P.a, P.now, big, nb), WG_DROP_NONE);
    pair_flush(&P);
    ck_assert_uint_eq(P.hb.n_delivered, p0 + 2);
    ck_assert_uint_eq(P.hb.delivered[p0 + 1].len, nb);
    ck_assert(memcmp(P.hb.delivered[p0 + 1].data, big_want, nb) == 0);
    ck_assert_int_eq(pair_send_ab(&P, 30), WG_DROP_NONE);
    ck_assert_uint_eq(P.hb.n_delivered, p0 + 3);
    for (int r = 1; r < WG_DROP__COUNT; r++) {
        ck_assert_msg(wg_device_drop_count(P.b, r) == 0, "b1 drop %s", wg_drop_reason_name(r));
        ck_assert_msg(wg_device_drop_count(Q.a, r) == 0, "a2 drop %s", wg_drop_reason_name(r));
        ck_assert_msg(wg_device_drop_count(Q.b, r) == 0, "b2 drop %s", wg_drop_reason_name(r));
    }
    pair_free(&Q);
    pair_free(&P);
}
END_TEST

START_TEST(test_names)
{
    for (int p = 0; p < 4; p++) {
        wg_platform back;
        ck_assert(wg_platform_parse(wg_platform_name((wg_platform)p), &back));
        ck_assert_int_eq(back, p);
    }
    wg_platform x;
    ck_assert(!wg_platform_parse("windows", &x));
    ck_assert_str_eq(wg_platform_name(WG_PLATFORM_WIREGUARD_GO), "wireguard-go");
    for (int r = 0; r < WG_DROP__COUNT; r++)
        ck_assert_str_ne(wg_drop_reason_name((wg_drop_reason)r), "unknown");
    ck_assert_str_eq(wg_drop_reason_name(WG_DROP__COUNT), "unknown");
    for (int r = 0; r <= WG_SRC_STICKY; r++)
        ck_assert_str_ne(wg_source_reason_name((wg_source_reason)r), "unknown");
    for (int r = 0; r <= WG_TIMER_PERSISTENT_KEEPALIVE; r++)
        ck_assert_str_ne(wg_timer_name((wg_timer_kind)r), "unknown");
    for (int r = 0; r <= WG_EV_KEY_ROTATED; r++)
        ck_assert_str_ne(wg_event_kind_name((wg_event_kind)r), "unknown");
    ck_assert_str_eq(wg_keylog_kind_name(WG_KEYLOG_PRESHARED_KEY), "PRESHARED_KEY");
}
END_TEST

START_TEST(test_many_peers)
{
    /* A hub with 10,000 peers: adds, lookups by key and by address,
     * removals, all without scanning. */
    fake_host h;
    fh_init(&h, 9);
    wg_device_config cfg = {.listen_port = 51820, .platform = WG_PLATFORM_FREEBSD};
    memset(cfg.private_key, 7, WG_KEY_LEN);
    wg_device *d = wg_device_new(&cfg, &h.ops);
    ck_assert_ptr_nonnull(d);
    enum { N = 10000 };
    static uint8_t keys[N][WG_KEY_LEN];
    for (int i = 0; i < N; i++) {
        h.ops.random_bytes(&h, keys[i], WG_KEY_LEN);
        wg_prefix pr = {.ip = wg_ip4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i), .len = 32};
        wg_peer_config pc = {.allowed_ips = &pr, .n_allowed_ips = 1};
        memcpy(pc.public_key, keys[i], WG_KEY_LEN);
        ck_assert_int_eq(wg_device_add_peer(d, &pc, 0), i);
    }
    ck_assert_uint_eq(wg_device_peer_count(d), N);
    for (int i = 0; i < N; i += 97) {
        ck_assert_int_eq(wg_device_find_peer(d, keys[i]), i);
        wg_ip ip = wg_ip4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i);
        ck_assert_int_eq(wg_device_peer_for_ip(d, &ip), i);
    }
    for (int i = 0; i < N; i += 2)
        ck_assert(wg_device_remove_peer(d, i));
    ck_assert_uint_eq(wg_device_peer_count(d), N / 2);
    ck_assert_int_eq(wg_device_find_peer(d, keys[0]), -1);
    ck_assert_int_eq(wg_device_find_peer(d, keys[1]), 1);
    wg_ip ip0 = wg_ip4(10, 0, 0, 0);
    ck_assert_int_eq(wg_device_peer_for_ip(d, &ip0), -1);
    ck_assert_int_eq(wg_device_next_deadline(d), WG_TIME_NEVER);
    ck_assert_uint_eq(fh_count_keylog(&h, WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY), N);
    wg_device_free(d);
    wg_device_free(NULL);
    fh_free(&h);
}
END_TEST

/* A refused allowed-ips list (here a /33 IPv4 prefix after a valid one)
 * leaves the peer's list as it was; the old list was removed first and
 * the peer kept only the prefixes before the bad one. */
START_TEST(test_set_allowed_ips_refused_keeps_list)
{
    std_pair();
    wg_prefix before[4];
    size_t n = wg_device_allowed_ips(P.b, P.b_peer, before, 4);
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_le(n, 4);
    ck_assert_int_eq(wg_device_peer_for_ip(P.b, &before[0].ip), P.b_peer);
    wg_prefix bad[2] = {{.ip = wg_ip4(10, 200, 0, 0), .len = 16}, {.ip = wg_ip4(10, 201, 0, 0), .len = 33}};
    ck_assert(!wg_device_set_allowed_ips(P.b, P.b_peer, bad, 2));
    wg_prefix after[4];
    ck_assert_uint_eq(wg_device_allowed_ips(P.b, P.b_peer, after, 4), n);
    ck_assert(memcmp(before, after, n * sizeof *before) == 0);
    ck_assert_int_eq(wg_device_peer_for_ip(P.b, &before[0].ip), P.b_peer);
    wg_ip in_bad = wg_ip4(10, 200, 1, 1);
    ck_assert_int_eq(wg_device_peer_for_ip(P.b, &in_bad), -1);
    pair_free(&P);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wgnode_device");
    TCase *tc = tcase_create("device");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_end_to_end_with_rotation);
    tcase_add_test(tc, test_ipv6_inner_and_allowed);
    tcase_add_test(tc, test_timed_queue_flood_puts_device_under_load);
    tcase_add_test(tc, test_host_queue_drained_by_host);
    tcase_add_test(tc, test_outbound_routing_and_inbound_allowed_check);
    tcase_add_test(tc, test_transport_replay_rejected);
    tcase_add_test(tc, test_cookie_reply_under_load);
    tcase_add_test(tc, test_handshakes_rate_limited_per_source_under_load);
    tcase_add_test(tc, test_cookie_reply_to_a_response_under_load);
    tcase_add_test(tc, test_cookie_expires_and_is_renewed);
    tcase_add_test(tc, test_roaming_only_on_authenticated);
    tcase_add_test(tc, test_peers_at_run_time);
    tcase_add_test(tc, test_keylog_for_wireshark);
    tcase_add_test(tc, test_down_up);
    tcase_add_test(tc, test_first_packet_sent_at_once_or_copied);
    tcase_add_test(tc, test_scratch_shared_and_nested);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_many_peers);
    tcase_add_test(tc, test_set_allowed_ips_refused_keeps_list);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
