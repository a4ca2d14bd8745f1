/*
 * test_wgnode_fidelity.c — rules where an independent reading of the
 * implementations (FreeBSD sys/dev/wg/if_wg.c + wg_noise.c, OpenBSD
 * sys/net/if_wg.c, Linux drivers/net/wireguard, wireguard-go device/ and
 * conn/) found wgnode different, one test per fix, plus the named options
 * where ../shared/reference/wg-sourcing.md and the code disagree. Every
 * rule is listed with its source in docs/wgnode.md.
 */
#include "fake_host.h"
#include "wgnode/device.h" /* to age sessions and read per-peer state */

#include <check.h>
#include <stdlib.h>
#include <string.h>

static wg_pair P;

/* Transport keepalives a host sent at exactly time t. */
static size_t keepalives_at(const fake_host *h, int64_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_sent; i++)
        if (h->sent[i].meta.type == WG_MSG_TRANSPORT && h->sent[i].meta.keepalive && h->sent[i].now == t &&
            h->sent[i].result == WG_SEND_OK)
            n++;
    return n;
}

static size_t data_at(const fake_host *h, int64_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_sent; i++)
        if (h->sent[i].meta.type == WG_MSG_TRANSPORT && !h->sent[i].meta.keepalive && h->sent[i].now == t &&
            h->sent[i].result == WG_SEND_OK)
            n++;
    return n;
}

/* ---- handshake completion: reference default vs the BSD code ---- */

START_TEST(test_bsd_handshake_keepalive_reference_default)
{
    /* wg-sourcing.md: "BSD sends a keepalive at once when a handshake
     * completes as initiator" — even with data staged; the responder's
     * confirmation sends only what is staged (nothing here). */
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true};
    pair_init(&P, &o);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(data_at(&P.ha, 0), 1);
    ck_assert_uint_eq(keepalives_at(&P.ha, 0), 1);
    ck_assert_uint_eq(keepalives_at(&P.hb, 0), 0);
    pair_free(&P);
}
END_TEST

START_TEST(test_bsd_handshake_keepalive_as_code_option)
{
    /* FreeBSD/OpenBSD if_wg.c wg_timers_event_handshake_complete ->
     * wg_timers_run_send_keepalive -> wg_send_keepalive: a keepalive only
     * when nothing is staged, in both roles. */
    for (int plat = 0; plat < 2; plat++) {
        wg_platform pl = plat ? WG_PLATFORM_OPENBSD : WG_PLATFORM_FREEBSD;
        wg_pair_opts o = {.pa = pl, .pb = pl, .a_knows_b = true,
                          .options_a = WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE,
                          .options_b = WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE};
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        /* Initiator: the staged data is the confirmation, no keepalive. */
        ck_assert_uint_eq(data_at(&P.ha, 0), 1);
        ck_assert_uint_eq(keepalives_at(&P.ha, 0), 0);
        /* Responder: the first data packet confirms the session and runs
         * the same handler: an immediate keepalive (nothing staged). */
        ck_assert_uint_eq(keepalives_at(&P.hb, 0), 1);
        ck_assert_uint_eq(P.hb.n_delivered, 1);
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_bsd_code_option_initiator_idle_sends_keepalive)
{
    /* With nothing staged (a persistent-keepalive handshake) the code path
     * still sends a keepalive as initiator. */
    wg_pair_opts o = {.pa = WG_PLATFORM_FREEBSD, .pb = WG_PLATFORM_FREEBSD, .a_knows_b = true,
                      .options_a = WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE,
                      .options_b = WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE};
    pair_init(&P, &o);
    ck_assert(wg_device_set_persistent_keepalive(P.a, P.a_peer, 25, 0));
    pair_flush(&P);
    /* The persistent keepalive waited for the session; completing it sends
     * exactly one keepalive (the staged one), not two. */
    ck_assert_uint_eq(keepalives_at(&P.ha, 0), 1);
    ck_assert_uint_eq(keepalives_at(&P.hb, 0), 1); /* b's confirmation */
    pair_free(&P);
}
END_TEST

START_TEST(test_linux_handshake_complete_unchanged_by_option)
{
    /* The option is BSD-only: Linux ignores it (receive.c). */
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true,
                      .options_a = WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE,
                      .options_b = WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE};
    pair_init(&P, &o);
    pair_send_ab(&P, 10);
    ck_assert_uint_eq(keepalives_at(&P.ha, 0), 0);
    ck_assert_uint_eq(keepalives_at(&P.hb, 0), 0);
    pair_free(&P);
}
END_TEST

/* ---- initiator rekey on receive (> 165 s) ---- */

static size_t initiations_sent(const fake_host *h)
{
    return fh_count_sent(h, WG_MSG_INITIATION, -1, false);
}

START_TEST(test_rekey_on_receive_per_platform)
{
    /* Linux / wireguard-go: once per session; FreeBSD / OpenBSD: on every
     * received packet once the rate limit (5 s) allows. */
    const wg_platform plats[] = {WG_PLATFORM_LINUX, WG_PLATFORM_WIREGUARD_GO, WG_PLATFORM_FREEBSD,
                                 WG_PLATFORM_OPENBSD};
    for (size_t i = 0; i < 4; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10); /* a is the initiator of the session */
        size_t n0 = initiations_sent(&P.ha);
        P.cut_ab = true; /* the rekey never completes */
        const int at[] = {166, 172, 178};
        for (int k = 0; k < 3; k++) {
            P.now = SEC(at[k]);
            pair_send_ba(&P, 10);
        }
        size_t want = i < 2 ? 1 : 3;
        ck_assert_uint_eq(initiations_sent(&P.ha) - n0, want);
        pair_free(&P);
    }
}
END_TEST

/* ---- persistent keepalive set at run time ---- */

START_TEST(test_persistent_keepalive_set_rule_per_platform)
{
    /* Keepalives sent at once by: set 25 (from 0), set 30 (changed), set 30
     * again (unchanged). Linux/wireguard-go: 1, 0, 0; FreeBSD: 1, 1, 0;
     * OpenBSD: 1, 1, 1. */
    const wg_platform plats[] = {WG_PLATFORM_LINUX, WG_PLATFORM_WIREGUARD_GO, WG_PLATFORM_FREEBSD,
                                 WG_PLATFORM_OPENBSD};
    const int want[4][3] = {{1, 0, 0}, {1, 0, 0}, {1, 1, 0}, {1, 1, 1}};
    const uint16_t set[3] = {25, 30, 30};
    for (size_t i = 0; i < 4; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        for (int k = 0; k < 3; k++) {
            P.now = P.ha.now = SEC(1 + k);
            ck_assert(wg_device_set_persistent_keepalive(P.a, P.a_peer, set[k], P.now));
            pair_flush(&P);
            ck_assert_uint_eq(keepalives_at(&P.ha, SEC(1 + k)), (size_t)want[i][k]);
        }
        pair_free(&P);
    }
}
END_TEST

/* ---- Linux route cache (socket.c send4) ---- */

START_TEST(test_linux_no_route_keeps_learned_source)
{
    /* send4 clears source + interface and retries only when the route
     * leaves by another interface (or the lookup says -EINVAL); with no
     * route at all the packet is dropped and the source is kept. */
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true};
    pair_init(&P, &o);
    pair_send_ab(&P, 10);
    wg_peer_info ib;
    ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
    ck_assert(wg_ip_eq(&ib.learned_source.addr, &P.ep_b.ip));
    ck_assert_uint_eq(ib.learned_source.ifindex, P.if_b);
    /* b loses every route (the cache is flushed by the change). */
    size_t saved = P.hb.n_routes;
    P.hb.n_routes = 0;
    wg_device_routes_changed(P.b, P.now);
    size_t tx = fh_count_sent(&P.hb, WG_MSG_TRANSPORT, -1, false);
    P.now = SEC(1);
    pair_send_ba(&P, 10);
    ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_TRANSPORT, -1, false), tx); /* nothing reached the host */
    ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
    ck_assert(wg_ip_eq(&ib.learned_source.addr, &P.ep_b.ip));
    ck_assert_uint_eq(ib.learned_source.ifindex, P.if_b);
    /* The route is back: the next packet leaves from the learned source. */
    P.hb.n_routes = saved;
    wg_device_routes_changed(P.b, P.now);
    P.now = SEC(2);
    pair_send_ba(&P, 10);
    const fh_sent *s = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->now, SEC(2));
    ck_assert(wg_ip_eq(&s->src.addr, &P.ep_b.ip));
    ck_assert_int_eq(s->meta.reason, WG_SRC_ROUTE_CACHE);
    pair_free(&P);
}
END_TEST

START_TEST(test_linux_route_via_other_interface_clears_source)
{
    /* The other half of the same rule, unchanged: a route by another
     * interface clears source and interface, the unbound lookup decides. */
    wg_pair_opts o = {.pa = WG_PLATFORM_LINUX, .pb = WG_PLATFORM_LINUX, .a_knows_b = true};
    pair_init(&P, &o);
    pair_send_ab(&P, 10);
    wg_ip other = wg_ip4(203, 0, 113, 10);
    fh_add_local(&P.hb, other);
    fh_add_route(&P.hb, "0.0.0.0/1", 2, other); /* a's address now routes via if 2 */
    fh_add_route(&P.hb, "128.0.0.0/1", 2, other);
    wg_device_routes_changed(P.b, P.now);
    P.now = SEC(1);
    pair_send_ba(&P, 10);
    const fh_sent *s = fh_last_sent(&P.hb, WG_MSG_TRANSPORT);
    ck_assert_ptr_nonnull(s);
    ck_assert(wg_ip_eq(&s->src.addr, &other));
    wg_peer_info ib;
    ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
    ck_assert_int_eq(ib.learned_source.addr.family, 0);
    pair_free(&P);
}
END_TEST

/* ---- timer events of a failed data send ---- */

START_TEST(test_openbsd_failed_data_send_does_not_restart_persistent_keepalive)
{
    /* OpenBSD wg_deliver_out runs the traversal/sent events only when the
     * send succeeded; FreeBSD (and Linux, wireguard-go) before sending. A
     * data send refused at 10 s therefore moves FreeBSD's persistent
     * keepalive from 25 s to 35 s, not OpenBSD's. */
    for (int plat = 0; plat < 2; plat++) {
        wg_platform pl = plat ? WG_PLATFORM_OPENBSD : WG_PLATFORM_FREEBSD;
        wg_pair_opts o = {.pa = pl, .pb = pl, .a_knows_b = true, .keepalive_a = 25};
        pair_init(&P, &o);
        pair_flush(&P); /* handshake + keepalive at 0 */
        pair_run_until(&P, SEC(10));
        P.now = SEC(10);
        fh_script(&P.ha, WG_SEND_UNREACHABLE);
        pair_send_ab(&P, 10);
        pair_run_until(&P, SEC(36));
        ck_assert_uint_eq(keepalives_at(&P.ha, SEC(25)), plat ? 1 : 0);
        ck_assert_uint_eq(keepalives_at(&P.ha, SEC(35)), plat ? 0 : 1);
        pair_free(&P);
    }
}
END_TEST

/* ---- zero-key-material timer and a handshake in flight ---- */

START_TEST(test_zero_keys_and_handshake_in_flight)
{
    /* Session at 0 -> keys zeroed at 540 s. An initiation sent at 538 s
     * whose response arrives at 541 s completes on FreeBSD (only the
     * keypairs are cleared) and is refused elsewhere (the handshake went
     * with the keys). */
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX,
                                 WG_PLATFORM_WIREGUARD_GO};
    for (size_t i = 0; i < 4; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        pair_run_until(&P, SEC(538));
        P.cut_ba = true;
        P.now = SEC(538);
        size_t resp0 = fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, true);
        pair_send_ab(&P, 10); /* key too old: a new initiation */
        ck_assert_uint_eq(fh_count_sent(&P.hb, WG_MSG_RESPONSE, -1, true), resp0 + 1);
        const fh_sent *held = fh_last_sent(&P.hb, WG_MSG_RESPONSE);
        uint8_t copy[WG_RESPONSE_LEN];
        memcpy(copy, held->data, sizeof copy);
        pair_run_until(&P, SEC(541)); /* zero-key timer at 540 s */
        wg_peer_info ia;
        ck_assert(wg_device_peer_info(P.a, P.a_peer, &ia));
        uint64_t hs0 = ia.handshakes;
        wg_source local = {.addr = P.ep_a.ip, .ifindex = P.if_a};
        P.ha.now = P.now;
        wg_device_receive(P.a, P.now, &local, &P.ep_b, copy, sizeof copy);
        ck_assert(wg_device_peer_info(P.a, P.a_peer, &ia));
        if (plats[i] == WG_PLATFORM_FREEBSD) {
            ck_assert_uint_eq(ia.handshakes, hs0 + 1);
        } else {
            ck_assert_uint_eq(ia.handshakes, hs0);
            ck_assert_uint_eq(wg_device_drop_count(P.a, WG_DROP_UNKNOWN_INDEX), 1);
        }
        pair_free(&P);
    }
}
END_TEST

/* ---- cookie replies under load ---- */

START_TEST(test_cookie_reply_source_per_platform)
{
    /* b is under load and answers a's initiation with a cookie reply. The
     * initiation arrived on b's interface 1 at ep_b, but b's route to a now
     * leaves by interface 2 (source 203.0.113.10). FreeBSD/OpenBSD send it
     * with IP_SENDSRCADDR = ep_b (wg_send_cookie); wireguard-go with its
     * sticky source and interface; Linux from ep_b by default (reference)
     * and, with WG_OPT_LINUX_COOKIE_REPLY_AS_CODE, through send4 (interface
     * differs: unbound, the route's source). */
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX,
                                 WG_PLATFORM_WIREGUARD_GO, WG_PLATFORM_LINUX};
    wg_ip other = wg_ip4(203, 0, 113, 10);
    for (size_t i = 0; i < 5; i++) {
        bool as_code = i == 4;
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true,
                          .options_b = as_code ? WG_OPT_LINUX_COOKIE_REPLY_AS_CODE : 0};
        pair_init(&P, &o);
        fh_add_local(&P.hb, other);
        fh_add_route(&P.hb, "0.0.0.0/1", 2, other);
        fh_add_route(&P.hb, "128.0.0.0/1", 2, other);
        wg_device_set_under_load(P.b, true);
        P.cut_ba = true;
        pair_send_ab(&P, 10);
        const fh_sent *c = fh_last_sent(&P.hb, WG_MSG_COOKIE_REPLY);
        ck_assert_ptr_nonnull(c);
        if (as_code) {
            ck_assert(wg_ip_eq(&c->src.addr, &other));
            ck_assert_uint_eq(c->src.ifindex, 0);
        } else {
            ck_assert(wg_ip_eq(&c->src.addr, &P.ep_b.ip));
            ck_assert_uint_eq(c->src.ifindex, plats[i] == WG_PLATFORM_WIREGUARD_GO ? P.if_b : 0);
        }
        pair_free(&P);
    }
}
END_TEST

/* ---- a refused data send: new-handshake timer and rekey-on-send ---- */

static size_t initiations_between(const fake_host *h, int64_t from, int64_t to)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_sent; i++)
        if (h->sent[i].meta.type == WG_MSG_INITIATION && h->sent[i].now >= from && h->sent[i].now <= to)
            n++;
    return n;
}

START_TEST(test_refused_data_arms_new_handshake_only_on_wireguard_go)
{
    /* wireguard-go calls timersDataSent whatever the send returned, so a
     * refused data packet still leads to a source-clearing initiation
     * 15 s (+ jitter) later; the kernels arm it only for data that left. */
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX,
                                 WG_PLATFORM_WIREGUARD_GO};
    for (size_t i = 0; i < 4; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        pair_run_until(&P, SEC(20)); /* b's passive keepalive at 10 s cancelled a's timer */
        P.now = SEC(20);
        fh_script(&P.ha, WG_SEND_UNREACHABLE);
        pair_send_ab(&P, 10);
        pair_run_until(&P, SEC(40));
        bool wggo = plats[i] == WG_PLATFORM_WIREGUARD_GO;
        ck_assert_uint_eq(initiations_between(&P.ha, SEC(35), SEC(36)), wggo ? 1 : 0);
        if (wggo) {
            const fh_sent *s = fh_last_sent(&P.ha, WG_MSG_INITIATION);
            ck_assert_int_eq(s->meta.reason, WG_SRC_CLEARED_BY_TIMER);
        }
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_rekey_on_send_after_refused_send_per_platform)
{
    /* The initiator's key is 121 s old and the next data send is refused:
     * Linux and OpenBSD still ask for a new handshake; FreeBSD and
     * wireguard-go check only after a successful send. */
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX,
                                 WG_PLATFORM_WIREGUARD_GO};
    const size_t want[] = {0, 1, 1, 0};
    for (size_t i = 0; i < 4; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        pair_run_until(&P, SEC(121));
        P.now = SEC(121);
        fh_script(&P.ha, WG_SEND_UNREACHABLE);
        pair_send_ab(&P, 10);
        ck_assert_uint_eq(initiations_between(&P.ha, SEC(121), SEC(121)), want[i]);
        pair_free(&P);
    }
}
END_TEST

/* ---- age comparisons at the boundary instant ---- */

START_TEST(test_age_boundaries_per_platform)
{
    /* Linux's wg_birthdate_has_expired is "birth + age <= now"; the BSDs'
     * noise_timer_expired is "now > birth + age"; wireguard-go rate-limits
     * and rejects on send with ">=" and rekeys with ">". */
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX,
                                 WG_PLATFORM_WIREGUARD_GO};
    const bool strict_rate[] = {true, true, false, false};
    const bool strict_rekey[] = {true, true, false, true};
    for (size_t i = 0; i < 4; i++) {
        /* Rate limit: a second initiation request exactly 5 s later. */
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        P.cut_ab = true;
        pair_send_ab(&P, 10);
        P.now = WG_REKEY_TIMEOUT;
        pair_send_ab(&P, 10);
        ck_assert_uint_eq(initiations_sent(&P.ha), strict_rate[i] ? 1 : 2);
        P.now = WG_REKEY_TIMEOUT + 1;
        pair_send_ab(&P, 10);
        ck_assert_uint_eq(initiations_sent(&P.ha), 2);
        pair_free(&P);

        /* Rekey on send: data exactly 120 s after the session. */
        pair_init(&P, &o);
        pair_send_ab(&P, 10);
        size_t n0 = initiations_sent(&P.ha);
        P.now = WG_REKEY_AFTER_TIME;
        pair_send_ab(&P, 10);
        ck_assert_uint_eq(initiations_sent(&P.ha) - n0, strict_rekey[i] ? 0 : 1);
        P.now = WG_REKEY_AFTER_TIME + 1;
        pair_send_ab(&P, 10);
        ck_assert_uint_eq(initiations_sent(&P.ha) - n0, 1);
        pair_free(&P);
    }
}
END_TEST

START_TEST(test_reject_after_time_boundary_on_receive)
{
    /* A packet decrypted exactly 180 s after its session was derived:
     * refused by Linux (<=), accepted by the BSDs and wireguard-go
     * (strictly older only). */
    const wg_platform plats[] = {WG_PLATFORM_FREEBSD, WG_PLATFORM_OPENBSD, WG_PLATFORM_LINUX,
                                 WG_PLATFORM_WIREGUARD_GO};
    for (size_t i = 0; i < 4; i++) {
        wg_pair_opts o = {.pa = plats[i], .pb = plats[i], .a_knows_b = true};
        pair_init(&P, &o);
        pair_send_ab(&P, 10); /* b's session is derived at 0 */
        P.cut_ab = true;
        P.now = SEC(170);
        pair_send_ab(&P, 10);
        const fh_sent *held = fh_last_sent(&P.ha, WG_MSG_TRANSPORT);
        uint8_t copy[256];
        size_t len = held->len;
        memcpy(copy, held->data, len);
        P.now = WG_REJECT_AFTER_TIME;
        P.hb.now = P.now;
        size_t before = P.hb.n_delivered;
        wg_source local = {.addr = P.ep_b.ip, .ifindex = P.if_b};
        wg_device_receive(P.b, P.now, &local, &P.ep_a, copy, len);
        bool linux_like = plats[i] == WG_PLATFORM_LINUX;
        ck_assert_uint_eq(P.hb.n_delivered - before, linux_like ? 0 : 1);
        pair_free(&P);
    }
}
END_TEST

/* ---- wireguard-go route listener ---- */

START_TEST(test_wggo_route_listener_skips_sources_without_interface)
{
    /* sticky_linux.go skips endpoints whose source interface index is 0;
     * with an index, a route by another interface clears the source. */
    for (int with_if = 0; with_if < 2; with_if++) {
        wg_pair_opts o = {.pa = WG_PLATFORM_WIREGUARD_GO, .pb = WG_PLATFORM_WIREGUARD_GO, .a_knows_b = true};
        pair_init(&P, &o);
        P.if_b = with_if ? 1 : 0; /* the interface b's host reports for arrivals */
        pair_send_ab(&P, 10);
        wg_peer_info ib;
        ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
        ck_assert(wg_ip_eq(&ib.learned_source.addr, &P.ep_b.ip));
        wg_ip other = wg_ip4(203, 0, 113, 10);
        fh_add_route(&P.hb, "0.0.0.0/1", 2, other);
        fh_add_route(&P.hb, "128.0.0.0/1", 2, other);
        wg_device_routes_changed(P.b, P.now);
        ck_assert(wg_device_peer_info(P.b, P.b_peer, &ib));
        ck_assert_int_eq(ib.learned_source.addr.family, with_if ? 0 : 4);
        pair_free(&P);
    }
}
END_TEST

/* A route lookup that records the source it was asked with. */
static wg_ip seen_src;
static int seen_calls;
static bool recording_route_lookup(void *ctx, const wg_ip *dst, const wg_ip *src, uint32_t *ifindex, wg_ip *chosen)
{
    (void)ctx;
    (void)dst;
    seen_calls++;
    memset(&seen_src, 0, sizeof seen_src);
    if (src)
        seen_src = *src;
    *ifindex = 1;
    *chosen = src ? *src : wg_ip4(192, 0, 2, 99);
    return true;
}

START_TEST(test_wggo_route_listener_asks_with_source)
{
    /* RTM_GETROUTE carries RTA_DST, RTA_SRC (the sticky source) and
     * RTA_MARK: the re-resolution is source-aware (policy routing). A
     * second b, with a recording route lookup, answers a's initiation. */
    wg_pair_opts o = {.pa = WG_PLATFORM_WIREGUARD_GO, .pb = WG_PLATFORM_WIREGUARD_GO, .a_knows_b = true};
    pair_init(&P, &o);
    P.cut_ab = true;
    pair_send_ab(&P, 10);
    const fh_sent *init = fh_last_sent(&P.ha, WG_MSG_INITIATION);
    ck_assert_ptr_nonnull(init);
    wg_host_ops ops = P.hb.ops;
    ops.route_lookup = recording_route_lookup;
    wg_device_config cb = {.listen_port = 51820, .platform = WG_PLATFORM_WIREGUARD_GO};
    memcpy(cb.private_key, P.priv_b, WG_KEY_LEN);
    wg_device *b2 = wg_device_new(&cb, &ops);
    ck_assert_ptr_nonnull(b2);
    wg_prefix allow_a = {.ip = pair_tun_a, .len = 32};
    wg_peer_config pc = {.allowed_ips = &allow_a, .n_allowed_ips = 1};
    memcpy(pc.public_key, P.pub_a, WG_KEY_LEN);
    int id = wg_device_add_peer(b2, &pc, 0);
    ck_assert_int_ge(id, 0);
    wg_source local = {.addr = P.ep_b.ip, .ifindex = 1};
    wg_device_receive(b2, 0, &local, &P.ep_a, init->data, init->len);
    wg_peer_info ib;
    ck_assert(wg_device_peer_info(b2, id, &ib));
    ck_assert(wg_ip_eq(&ib.learned_source.addr, &P.ep_b.ip));
    seen_calls = 0;
    wg_device_routes_changed(b2, 0);
    ck_assert_int_eq(seen_calls, 1);
    ck_assert(wg_ip_eq(&seen_src, &P.ep_b.ip));
    wg_device_free(b2);
    pair_free(&P);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("wgnode_fidelity");
    TCase *tc = tcase_create("fidelity");
    tcase_add_test(tc, test_bsd_handshake_keepalive_reference_default);
    tcase_add_test(tc, test_bsd_handshake_keepalive_as_code_option);
    tcase_add_test(tc, test_bsd_code_option_initiator_idle_sends_keepalive);
    tcase_add_test(tc, test_linux_handshake_complete_unchanged_by_option);
    tcase_add_test(tc, test_rekey_on_receive_per_platform);
    tcase_add_test(tc, test_persistent_keepalive_set_rule_per_platform);
    tcase_add_test(tc, test_linux_no_route_keeps_learned_source);
    tcase_add_test(tc, test_linux_route_via_other_interface_clears_source);
    tcase_add_test(tc, test_openbsd_failed_data_send_does_not_restart_persistent_keepalive);
    tcase_add_test(tc, test_zero_keys_and_handshake_in_flight);
    tcase_add_test(tc, test_cookie_reply_source_per_platform);
    tcase_add_test(tc, test_refused_data_arms_new_handshake_only_on_wireguard_go);
    tcase_add_test(tc, test_rekey_on_send_after_refused_send_per_platform);
    tcase_add_test(tc, test_age_boundaries_per_platform);
    tcase_add_test(tc, test_reject_after_time_boundary_on_receive);
    tcase_add_test(tc, test_wggo_route_listener_skips_sources_without_interface);
    tcase_add_test(tc, test_wggo_route_listener_asks_with_source);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (wg_crypto_init() != 0)
        return 1;
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
