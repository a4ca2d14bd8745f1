/*
 * fake_host.h — a scripted host for wgnode unit tests: records every
 * datagram sent, packet delivered, event and key log line; deterministic
 * random bytes (libsodium's seeded generator); send results settable per
 * call or derived from a list of local addresses; a small route table for
 * the Linux / wireguard-go sourcing rules. Plus a two-device harness that
 * shuttles datagrams between devices on a fake clock.
 */
#ifndef WGSIM_TESTS_FAKE_HOST_H
#define WGSIM_TESTS_FAKE_HOST_H

#include "wgnode/wgnode.h"

#define FH_MAX_LOCALS 8
#define FH_MAX_ROUTES 8
#define FH_MAX_SCRIPT 64

typedef struct fh_sent {
    int64_t now;
    wg_source src;
    wg_endpoint dst;
    wg_send_meta meta;
    wg_send_result result;
    uint8_t *data;
    size_t len;
} fh_sent;

typedef struct fh_delivered {
    int64_t now;
    int peer_id;
    uint8_t *data;
    size_t len;
} fh_delivered;

typedef struct fh_event {
    int64_t now;
    wg_event ev;
} fh_event;

typedef struct fh_keylog {
    wg_keylog_kind kind;
    uint8_t key[WG_KEY_LEN];
} fh_keylog;

typedef struct fh_route {
    wg_prefix to;
    uint32_t ifindex;
    wg_ip src; /* the source the stack would choose on that route */
} fh_route;

typedef struct fake_host {
    wg_host_ops ops;
    int64_t now; /* stamped on records; the harness keeps it current */
    uint8_t seed[32];
    uint64_t rng_calls;
    int64_t wall_base;

    fh_sent *sent;
    size_t n_sent, cap_sent;
    fh_delivered *delivered;
    size_t n_delivered, cap_delivered;
    fh_event *events;
    size_t n_events, cap_events;
    fh_keylog *keylog;
    size_t n_keylog, cap_keylog;

    /* Results of the next sends, in order; then the locals rule; then OK. */
    wg_send_result script[FH_MAX_SCRIPT];
    size_t n_script, script_pos;
    /* With check_locals, a send from an address not in locals answers
     * EADDRNOTAVAIL (IP_SENDSRCADDR semantics). */
    bool check_locals;
    wg_ip locals[FH_MAX_LOCALS];
    size_t n_locals;
    wg_ip default_src; /* the stack's choice for an unbound send */
    fh_route routes[FH_MAX_ROUTES];
    size_t n_routes;
    bool provide_routes; /* install addr_is_local / route_lookup */
    /* Called once (then cleared) from inside the next send or delivery
     * callback, before it records anything: work that re-enters wgnode
     * while a device is in the middle of a send or receive. */
    void (*nested)(void *arg);
    void *nested_arg;
} fake_host;

void fh_init(fake_host *h, uint64_t seed);
void fh_free(fake_host *h);
void fh_add_local(fake_host *h, wg_ip ip);
void fh_remove_local(fake_host *h, wg_ip ip);
void fh_add_route(fake_host *h, const char *prefix, uint32_t ifindex, wg_ip src);
void fh_script(fake_host *h, wg_send_result r);
/* Counts: type WG_MSG_NONE = any type; keepalive -1 = either. Only sends
 * the host accepted when ok_only. */
size_t fh_count_sent(const fake_host *h, enum wg_msg_type type, int keepalive, bool ok_only);
size_t fh_count_events(const fake_host *h, wg_event_kind kind);
/* The last sent record of a type (NULL if none). */
const fh_sent *fh_last_sent(const fake_host *h, enum wg_msg_type type);
size_t fh_count_keylog(const fake_host *h, wg_keylog_kind kind);

/* An IPv4 packet (20-byte header, UDP-ish payload of zeros) into buf;
 * returns its length. */
size_t fh_ip4_packet(uint8_t *buf, wg_ip src, wg_ip dst, size_t payload);
size_t fh_ip6_packet(uint8_t *buf, wg_ip src, wg_ip dst, size_t payload);

/* ---- two devices on a fake clock ---- */

typedef struct wg_pair_opts {
    wg_platform pa, pb;
    bool a_knows_b;      /* a has b's endpoint configured */
    bool b_knows_a;
    uint16_t keepalive_a, keepalive_b;
    bool psk;
    uint32_t options_a, options_b; /* wg_device_config.options (WG_OPT_*) */
    wg_hs_queue_mode hsq_b;        /* b's handshake queue, with its costs */
    int64_t cost_b, reject_cost_b;
} wg_pair_opts;

typedef struct wg_pair {
    fake_host ha, hb;
    wg_device *a, *b;
    int a_peer, b_peer; /* a's id for b, b's id for a */
    wg_endpoint ep_a, ep_b; /* where each listens (addresses the other sends to) */
    uint32_t if_a, if_b;    /* arrival interfaces reported to each */
    int64_t now;
    size_t fwd_a, fwd_b;    /* records of ha / hb already shuttled */
    bool cut_ab, cut_ba;    /* lose datagrams a->b / b->a */
    /* When set, datagrams a->b are seen by b as coming from this (NAT). */
    bool nat_a;
    wg_endpoint nat_a_ep;
    uint8_t priv_a[WG_KEY_LEN], priv_b[WG_KEY_LEN];
    uint8_t pub_a[WG_KEY_LEN], pub_b[WG_KEY_LEN];
} wg_pair;

void pair_init(wg_pair *p, const wg_pair_opts *o);
void pair_free(wg_pair *p);
/* Delivers every datagram sent so far (and what they trigger). */
void pair_flush(wg_pair *p);
/* Advances the clock to t, running both devices' timers on the way. */
void pair_run_until(wg_pair *p, int64_t t);
/* Sends an inner IPv4 packet a->b (from a's tunnel address to b's) or b->a. */
wg_drop_reason pair_send_ab(wg_pair *p, size_t payload);
wg_drop_reason pair_send_ba(wg_pair *p, size_t payload);
extern const wg_ip pair_tun_a, pair_tun_b;

#define SEC(x) ((int64_t)(x) * WG_NS_PER_SEC)
#define MS(x) ((int64_t)(x) * 1000000)

#endif
