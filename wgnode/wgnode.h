/*
 * wgnode.h — the public interface of libwgnode: WireGuard without I/O.
 *
 * The library owns no socket, no clock, no thread and no global random
 * generator. The host (the simulator, `wgsim peer`, a fuzzer) drives it:
 *   - wg_device_receive()     for every datagram that arrived on the listen port,
 *   - wg_device_send_inner()  for every IP packet routed into the tunnel,
 *   - wg_device_tick()        when wg_device_next_wake() (or the exact
 *                             wg_device_next_deadline()) is reached,
 * and answers through the callbacks of wg_host_ops (send a datagram, deliver a
 * decrypted packet, random bytes, wall clock for TAI64N, trace events).
 *
 * Time: every `now` is a monotonic nanosecond count chosen by the host.
 */
#ifndef WGNODE_H
#define WGNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Addresses                                                          */
/* ------------------------------------------------------------------ */

/* An IPv4 or IPv6 address. family 0 means "no address" (e.g. no learned
 * source). IPv4 uses b[0..3] in network order, the rest zero. */
typedef struct wg_ip {
    uint8_t family; /* 0, 4 or 6 */
    uint8_t b[16];
} wg_ip;

typedef struct wg_endpoint {
    wg_ip ip;
    uint16_t port; /* host order */
} wg_endpoint;

typedef struct wg_prefix {
    wg_ip ip;
    uint8_t len;
} wg_prefix;

#define WG_IP_STRLEN 64 /* fits "[v6]:port" and "v6/len" */
/* The constructors and the comparison are inline: the simulator calls
 * them several times per packet from another library, where a call
 * cannot be inlined (3-4 % of a large run in perf). */
static inline wg_ip wg_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    wg_ip ip = {.family = 4, .b = {a, b, c, d}};
    return ip;
}
static inline wg_ip wg_ip4_from_u32(uint32_t host_order)
{
    return wg_ip4((uint8_t)(host_order >> 24), (uint8_t)(host_order >> 16), (uint8_t)(host_order >> 8),
                  (uint8_t)host_order);
}
static inline uint32_t wg_ip4_to_u32(const wg_ip *ip) /* host order */
{
    return ((uint32_t)ip->b[0] << 24) | ((uint32_t)ip->b[1] << 16) | ((uint32_t)ip->b[2] << 8) | ip->b[3];
}
static inline bool wg_ip_eq(const wg_ip *a, const wg_ip *b)
{
    if (a->family != b->family)
        return false;
    /* Fixed-size compares (one 4-byte compare for IPv4) rather than a
     * byte loop: the packet path compares addresses a dozen times a
     * packet. */
    if (a->family == 4)
        return memcmp(a->b, b->b, 4) == 0;
    return a->family == 0 || memcmp(a->b, b->b, 16) == 0;
}
bool wg_ip_is_none(const wg_ip *a);
bool wg_endpoint_eq(const wg_endpoint *a, const wg_endpoint *b);
/* Parsers return false on anything malformed (no partial results). */
bool wg_ip_parse(const char *s, wg_ip *out);
bool wg_prefix_parse(const char *s, wg_prefix *out);    /* "10.0.0.0/8", bare address = host prefix */
bool wg_endpoint_parse(const char *s, wg_endpoint *out); /* "1.2.3.4:51820", "[::1]:51820" */
bool wg_prefix_contains(const wg_prefix *p, const wg_ip *ip);
/* Formatters write into buf (>= WG_IP_STRLEN) and return it. */
const char *wg_ip_format(const wg_ip *ip, char *buf);
const char *wg_endpoint_format(const wg_endpoint *ep, char *buf);
const char *wg_prefix_format(const wg_prefix *p, char *buf);

/* ------------------------------------------------------------------ */
/* Cryptographic building blocks (libsodium + libb2; exposed for tests */
/* and benchmarks)                                                    */
/* ------------------------------------------------------------------ */

enum {
    WG_KEY_LEN = 32,
    WG_HASH_LEN = 32,
    WG_MAC_LEN = 16,
    WG_AEAD_TAG_LEN = 16,
    WG_TIMESTAMP_LEN = 12,
    WG_COOKIE_LEN = 16,
    WG_XNONCE_LEN = 24,
};

/* Must be called once before anything else (sodium_init). Returns 0 on success. */
int wg_crypto_init(void);

void wg_blake2s(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen,
                const uint8_t *key, size_t keylen);
void wg_hmac_blake2s(uint8_t out[WG_HASH_LEN], const uint8_t *key, size_t keylen,
                     const uint8_t *in, size_t inlen);
/* WireGuard KDF_n: t1..t3 may be NULL to stop early (KDF1/KDF2/KDF3). */
void wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t *key, size_t keylen,
            const uint8_t *input, size_t inlen);
/* X25519; returns false when the shared secret is all zero (low-order point). */
bool wg_x25519(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN]);
void wg_x25519_public(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);
void wg_key_clamp(uint8_t priv[WG_KEY_LEN]);
/* ChaCha20-Poly1305 IETF with WireGuard's nonce: 4 zero bytes || LE64 counter. */
void wg_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
                     uint64_t counter, const uint8_t key[WG_KEY_LEN]);
bool wg_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t len /* incl. tag */, const uint8_t *ad,
                     size_t adlen, uint64_t counter, const uint8_t key[WG_KEY_LEN]);
void wg_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
                      const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN]);
bool wg_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t len /* incl. tag */, const uint8_t *ad,
                      size_t adlen, const uint8_t nonce[WG_XNONCE_LEN], const uint8_t key[WG_KEY_LEN]);
bool wg_memeq(const void *a, const void *b, size_t len); /* constant time */
void wg_memzero(void *p, size_t len);                    /* not optimised away */
/* TAI64N of a wall-clock time in ns since the Unix epoch (nanoseconds masked
 * as the WireGuard implementations do). */
void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], int64_t unix_ns);

/* Keys as wg(8) prints them: 44 characters of base64. */
#define WG_KEY_B64_LEN 45 /* with NUL */
bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
void wg_key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN]);

/* ------------------------------------------------------------------ */
/* Protocol constants (whitepaper §6; ../shared/reference/wg-sourcing.md) */
/* ------------------------------------------------------------------ */

#define WG_NS_PER_SEC INT64_C(1000000000)
#define WG_REKEY_AFTER_MESSAGES (UINT64_C(1) << 60)
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - (UINT64_C(1) << 13)) /* 2^64 - 2^13 - 1 */
#define WG_REKEY_AFTER_TIME (120 * WG_NS_PER_SEC)
#define WG_REJECT_AFTER_TIME (180 * WG_NS_PER_SEC)
#define WG_REKEY_ATTEMPT_TIME (90 * WG_NS_PER_SEC)
#define WG_REKEY_TIMEOUT (5 * WG_NS_PER_SEC)
#define WG_REKEY_TIMEOUT_JITTER_MAX (333 * INT64_C(1000000)) /* 0..333 ms */
#define WG_KEEPALIVE_TIMEOUT (10 * WG_NS_PER_SEC)
#define WG_COOKIE_REFRESH_TIME (120 * WG_NS_PER_SEC)
#define WG_MAX_TIMER_HANDSHAKES (90 / 5)
#define WG_TIME_NEVER INT64_MAX

/* Message types and sizes on the wire. */
enum wg_msg_type {
    WG_MSG_NONE = 0,
    WG_MSG_INITIATION = 1,
    WG_MSG_RESPONSE = 2,
    WG_MSG_COOKIE_REPLY = 3,
    WG_MSG_TRANSPORT = 4,
};
enum {
    WG_INITIATION_LEN = 148,
    WG_RESPONSE_LEN = 92,
    WG_COOKIE_REPLY_LEN = 64,
    WG_TRANSPORT_HEADER_LEN = 16,
    WG_KEEPALIVE_LEN = 32,
};
/* Classifies a datagram by its header only (no crypto): the type, or
 * WG_MSG_NONE when the bytes are not a well-formed WireGuard message.
 * *is_keepalive is set for 32-byte transport messages. Used by packet
 * traces, captures and reports. */
enum wg_msg_type wg_classify(const uint8_t *data, size_t len, bool *is_keepalive);
const char *wg_msg_type_name(enum wg_msg_type t, bool keepalive);

/* ------------------------------------------------------------------ */
/* The device and its host                                            */
/* ------------------------------------------------------------------ */

/* How the implementation picks the source address of what it sends
 * (../shared/reference/wg-sourcing.md). */
typedef enum wg_platform {
    WG_PLATFORM_FREEBSD = 0,
    WG_PLATFORM_OPENBSD,
    WG_PLATFORM_LINUX,
    WG_PLATFORM_WIREGUARD_GO,
} wg_platform;
const char *wg_platform_name(wg_platform p);
bool wg_platform_parse(const char *s, wg_platform *out);

/* The local side of a datagram: the address it arrived on / should leave
 * from, and the interface (host-defined index, 0 = unspecified). When
 * addr.family is 0 the host's stack chooses the source. */
typedef struct wg_source {
    wg_ip addr;
    uint32_t ifindex;
} wg_source;

typedef enum wg_send_result {
    WG_SEND_OK = 0,
    WG_SEND_EADDRNOTAVAIL, /* requested source is not configured on the node */
    WG_SEND_UNREACHABLE,   /* no route / network unreachable */
    WG_SEND_EINVAL,
} wg_send_result;

/* Why the device chose the source it passes to the host's send. */
typedef enum wg_source_reason {
    WG_SRC_NONE = 0,         /* no learned source: the stack chooses */
    WG_SRC_LEARNED,          /* the learned local address of the peer */
    WG_SRC_RETRY_UNBOUND,    /* retry after EADDRNOTAVAIL without a source */
    WG_SRC_CLEARED_BY_TIMER, /* a handshake timer cleared the source first */
    WG_SRC_ROUTE_CACHE,      /* Linux: source from the per-peer route cache */
    WG_SRC_STICKY,           /* wireguard-go: source + interface from packet info */
} wg_source_reason;
const char *wg_source_reason_name(wg_source_reason r);

/* What a datagram is, passed with every send so the host can trace it. */
typedef struct wg_send_meta {
    enum wg_msg_type type;
    bool keepalive;
    wg_source_reason reason;
    int peer_id;
} wg_send_meta;

typedef enum wg_drop_reason {
    WG_DROP_NONE = 0,
    WG_DROP_TOO_SHORT,
    WG_DROP_BAD_TYPE,
    WG_DROP_BAD_SIZE,
    WG_DROP_BAD_MAC1,
    WG_DROP_BAD_MAC2,          /* under load, no valid cookie: a cookie reply is sent */
    WG_DROP_HANDSHAKE_DECRYPT, /* initiation/response failed authentication */
    WG_DROP_UNKNOWN_PEER,
    WG_DROP_REPLAYED_TIMESTAMP,
    WG_DROP_UNKNOWN_INDEX,
    WG_DROP_BAD_COOKIE_REPLY,
    WG_DROP_DECRYPT,           /* transport authentication failed */
    WG_DROP_REPLAY,            /* counter outside the window or already seen */
    WG_DROP_KEY_EXPIRED,
    WG_DROP_NOT_ALLOWED_IP,    /* inner source not in the peer's allowed-ips */
    WG_DROP_BAD_INNER,         /* decrypted payload is not an IP packet */
    WG_DROP_NO_PEER_FOR_DST,   /* outbound: no allowed-ips match */
    WG_DROP_NO_ENDPOINT,       /* outbound: peer has no endpoint */
    WG_DROP_SEND_FAILED,       /* host refused the send */
    WG_DROP_QUEUE_FULL,
    WG_DROP_RATE_LIMITED,
    WG_DROP_DEVICE_DOWN,
    WG_DROP_HANDSHAKE_GAVE_UP, /* staged packet purged after REKEY_ATTEMPT_TIME */
    WG_DROP__COUNT
} wg_drop_reason;
const char *wg_drop_reason_name(wg_drop_reason r);

typedef enum wg_timer_kind {
    WG_TIMER_RETRANSMIT_HANDSHAKE,
    WG_TIMER_SEND_KEEPALIVE,
    WG_TIMER_NEW_HANDSHAKE,
    WG_TIMER_ZERO_KEYS,
    WG_TIMER_PERSISTENT_KEEPALIVE,
} wg_timer_kind;
const char *wg_timer_name(wg_timer_kind t);

typedef enum wg_event_kind {
    WG_EV_HANDSHAKE_INITIATION_SENT,
    WG_EV_HANDSHAKE_RESPONSE_SENT,
    WG_EV_HANDSHAKE_COMPLETE,   /* a new session was derived (either role) */
    WG_EV_HANDSHAKE_GAVE_UP,    /* REKEY_ATTEMPT_TIME exhausted */
    WG_EV_COOKIE_REPLY_SENT,
    WG_EV_COOKIE_REPLY_RECEIVED,
    WG_EV_KEEPALIVE_SENT,
    WG_EV_TIMER_FIRED,          /* .timer says which */
    WG_EV_ENDPOINT_CHANGED,     /* .endpoint is the new one */
    WG_EV_SOURCE_LEARNED,       /* .source is the new learned local address */
    WG_EV_SOURCE_CLEARED,
    WG_EV_SEND_ERROR,           /* .send_result */
    WG_EV_PACKET_DROPPED,       /* .drop */
    WG_EV_KEYS_ZEROED,
    WG_EV_KEY_ROTATED,
    WG_EV_UNDER_LOAD,           /* the handshake queue reached 4096/8: a period under load starts */
} wg_event_kind;
const char *wg_event_kind_name(wg_event_kind k);

typedef struct wg_event {
    wg_event_kind kind;
    int peer_id;               /* -1 when no peer is known */
    wg_endpoint endpoint;      /* peer endpoint (or the datagram's source for drops) */
    wg_source source;          /* learned/used local address */
    wg_timer_kind timer;
    wg_drop_reason drop;
    wg_send_result send_result;
    enum wg_msg_type msg_type;
    bool initiator;            /* for HANDSHAKE_COMPLETE */
} wg_event;

/* Wireshark key log entry kinds (wg.keylog_file). */
typedef enum wg_keylog_kind {
    WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY,
    WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY,
    WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY,
    WG_KEYLOG_PRESHARED_KEY,
} wg_keylog_kind;
const char *wg_keylog_kind_name(wg_keylog_kind k);

/* Callbacks run synchronously inside the wg_device_* call that caused them.
 * deliver() may call wg_device_send_inner() on the same device (answering a
 * ping at once is fine); no other callback may re-enter the same device or
 * remove/free it or its peers (queue that work and do it after the call
 * returns). */
typedef struct wg_host_ops {
    void *ctx;
    /* Send one UDP datagram from the listen port. src->addr.family == 0:
     * the stack picks the source. src->ifindex != 0 forces the outgoing
     * interface (wireguard-go on Linux). Required. */
    wg_send_result (*send)(void *ctx, const wg_source *src, const wg_endpoint *dst,
                           const uint8_t *data, size_t len, const wg_send_meta *meta);
    /* A decrypted, allowed inner IP packet. Required. */
    void (*deliver)(void *ctx, int peer_id, const uint8_t *packet, size_t len);
    /* Random bytes (ephemeral keys, indexes, jitter, cookie secrets). Required. */
    void (*random_bytes)(void *ctx, uint8_t *buf, size_t len);
    /* Wall clock in ns since the Unix epoch for TAI64N, given the host's now. Required. */
    int64_t (*wall_ns)(void *ctx, int64_t now);
    /* Linux sourcing only: is addr configured on the node? and which
     * interface does a route to dst (with optional source) leave by, with
     * which source? Return false when there is no route. Optional for
     * other platforms. */
    bool (*addr_is_local)(void *ctx, const wg_ip *addr);
    bool (*route_lookup)(void *ctx, const wg_ip *dst, const wg_ip *src_or_null,
                         uint32_t *ifindex, wg_ip *chosen_src);
    /* Trace and key log; optional. */
    void (*event)(void *ctx, const wg_event *ev);
    void (*keylog)(void *ctx, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN]);
} wg_host_ops;

typedef struct wg_device wg_device;

/* Named fidelity options: where ../shared/reference/wg-sourcing.md and an
 * implementation's source code disagree, the reference's behaviour is the
 * default (bit clear) and the code's behaviour is an option (bit set).
 * Every option is listed with its sources in docs/wgnode.md, "Named
 * options". */
enum {
    /* FreeBSD/OpenBSD only. Default (ref "BSD sends a keepalive at once
     * when a handshake completes as initiator"): the initiator queues a
     * keepalive behind any staged packets. With the option, as FreeBSD
     * if_wg.c / OpenBSD if_wg.c wg_timers_event_handshake_complete ->
     * wg_timers_run_send_keepalive -> wg_send_keepalive read: a keepalive
     * only when nothing is staged, the same handler also runs when a
     * responder's session is confirmed by the first data packet, and a
     * pending "need another keepalive" re-arms the 10 s keepalive timer. */
    WG_OPT_BSD_HANDSHAKE_KEEPALIVE_AS_CODE = 1u << 0,
    /* Linux only. Default (ref "Cookie replies are sent from the received
     * packet's destination"): always from that address. With the option,
     * as socket.c wg_socket_send_buffer_as_reply_to_skb -> send4 reads: the
     * received destination and arrival interface go through the same
     * checks as a peer's endpoint, so a route back by another interface
     * sends the reply from the route's source. */
    WG_OPT_LINUX_COOKIE_REPLY_AS_CODE = 1u << 1,
};

/* How handshake messages (initiation, response, cookie reply) reach the
 * protocol, and so how "under load" is decided (issue 22; docs/wgnode.md
 * "Under load"). Linux receive.c wg_packet_receive puts them on a bounded
 * queue (MAX_QUEUED_INCOMING_HANDSHAKES) that a worker drains, and
 * wg_receive_handshake_packet calls the device under load while that queue
 * holds at least 1/8 of its bound, and for one second after the last
 * time it did (last_under_load). */
typedef enum wg_hs_queue_mode {
    /* No queue: processed inside wg_device_receive. Never under load
     * unless the host says so (wg_device_set_under_load); unit tests and
     * fuzzers. */
    WG_HSQ_NONE = 0,
    /* A simulated processor (the simulator): each message costs the
     * device handshake_cost when it reached the Noise computation,
     * handshake_reject_cost when the MAC checks ended it; the queue holds
     * the messages whose work is not done yet. A message is handled when
     * it arrives (light traffic is never delayed); its place in the queue
     * decides load and queue-full drops. */
    WG_HSQ_TIMED,
    /* Real processing (`wgsim peer`): wg_device_receive only queues; the
     * host calls wg_device_process_handshakes when it has time, so the
     * queue is the real backlog. */
    WG_HSQ_HOST,
} wg_hs_queue_mode;

#define WG_MAX_QUEUED_HANDSHAKES 4096                            /* Linux MAX_QUEUED_INCOMING_HANDSHAKES */
#define WG_UNDER_LOAD_QUEUE_LEN (WG_MAX_QUEUED_HANDSHAKES / 8)   /* Linux wg_receive_handshake_packet */
#define WG_UNDER_LOAD_HOLD WG_NS_PER_SEC                         /* Linux: last_under_load, 1 s */
/* Defaults for WG_HSQ_TIMED, measured on our own crypto (docs/models.md,
 * "Handshake processing cost"): consuming an initiation and answering it
 * (3 X25519 + 1 base-point multiplication) and a message the MAC checks
 * end (mac1, under load mac2, maybe a cookie reply). */
#define WG_HANDSHAKE_COST_DEFAULT (170 * INT64_C(1000))
#define WG_HANDSHAKE_REJECT_COST_DEFAULT (2 * INT64_C(1000))

typedef struct wg_device_config {
    uint8_t private_key[WG_KEY_LEN];
    uint16_t listen_port;
    wg_platform platform;
    uint32_t options; /* WG_OPT_* bits; 0 = the reference's behaviour everywhere */
    wg_hs_queue_mode hs_queue;
    int64_t handshake_cost;        /* WG_HSQ_TIMED: ns per message that reached Noise (> 0) */
    int64_t handshake_reject_cost; /* WG_HSQ_TIMED: ns per message the MAC checks ended (> 0) */
} wg_device_config;

typedef struct wg_peer_config {
    uint8_t public_key[WG_KEY_LEN];
    bool has_psk;
    uint8_t psk[WG_KEY_LEN];
    bool has_endpoint;
    wg_endpoint endpoint;
    uint16_t persistent_keepalive; /* seconds, 0 = off */
    const wg_prefix *allowed_ips;
    size_t n_allowed_ips;
} wg_peer_config;

/* Snapshot of a peer for inspection (`wg show`, assertions, the shell). */
typedef struct wg_peer_info {
    int peer_id;
    uint8_t public_key[WG_KEY_LEN];
    bool has_endpoint;
    wg_endpoint endpoint;
    wg_source learned_source;
    int64_t last_handshake;  /* host time of the last completed handshake, WG_TIME_NEVER if none */
    uint64_t handshakes;     /* completed handshakes */
    uint64_t rx_bytes, tx_bytes;
    uint16_t persistent_keepalive;
    bool has_current_key;
    /* the current keypair: its local (receiver) index and the host time it
     * was derived (0 without a current keypair) */
    uint32_t current_key_index;
    int64_t current_key_birth;
} wg_peer_info;

wg_device *wg_device_new(const wg_device_config *cfg, const wg_host_ops *host);
void wg_device_free(wg_device *dev);
void wg_device_public_key(const wg_device *dev, uint8_t out[WG_KEY_LEN]);
uint16_t wg_device_listen_port(const wg_device *dev);
wg_platform wg_device_platform(const wg_device *dev);

/* Interface up/down (wg-up / wg-down): down drops sessions and queues.
 * A new device starts up; bringing it up again sends staged packets and a
 * keepalive to each peer with a persistent keepalive (Linux wg_open,
 * FreeBSD/OpenBSD wg_timers_enable). */
void wg_device_up(wg_device *dev, int64_t now);
void wg_device_down(wg_device *dev, int64_t now);
bool wg_device_is_up(const wg_device *dev);

/* Peers. add returns the peer id (>= 0) or -1 (duplicate key, the device's
 * own key, allowed_ips NULL with n_allowed_ips > 0, a bad prefix, out of
 * memory). */
int wg_device_add_peer(wg_device *dev, const wg_peer_config *cfg, int64_t now);
bool wg_device_remove_peer(wg_device *dev, int peer_id);
int wg_device_find_peer(const wg_device *dev, const uint8_t public_key[WG_KEY_LEN]);
size_t wg_device_peer_count(const wg_device *dev);
bool wg_device_peer_info(const wg_device *dev, int peer_id, wg_peer_info *out);
/* Configured by hand (set-endpoint): platform rules say whether the learned
 * source survives (FreeBSD keeps it; Linux, OpenBSD and wireguard-go clear
 * it: sourcing.c set_endpoint_keeps_source). */
bool wg_device_set_endpoint(wg_device *dev, int peer_id, const wg_endpoint *ep, int64_t now);
bool wg_device_remove_endpoint(wg_device *dev, int peer_id, int64_t now);
bool wg_device_set_persistent_keepalive(wg_device *dev, int peer_id, uint16_t seconds, int64_t now);
/* Replaces the peer's allowed-ips. false with the list unchanged for an
 * unknown peer or a bad prefix (family, length); running out of memory
 * midway leaves the prefixes inserted so far. */
bool wg_device_set_allowed_ips(wg_device *dev, int peer_id, const wg_prefix *ips, size_t n);
/* The peer's allowed-ips: writes up to max into out (may be NULL when max
 * is 0) and returns how many there are in all. */
size_t wg_device_allowed_ips(const wg_device *dev, int peer_id, wg_prefix *out, size_t max);
/* Host routing changed (wireguard-go's route listener, Linux's cache).
 * Call it also when a local address is added or removed: on Linux that
 * flushes cached routes, which is when a vanished learned source is noticed. */
void wg_device_routes_changed(wg_device *dev, int64_t now);

/* Forces the device under load (on top of what its handshake queue
 * decides): mac2 is required and cookie replies are sent. */
void wg_device_set_under_load(wg_device *dev, bool under_load);

/* WG_HSQ_HOST: processes up to max queued handshake messages, oldest
 * first; returns how many. */
size_t wg_device_process_handshakes(wg_device *dev, int64_t now, size_t max);

/* The handshake queue and what load did (all modes). */
typedef struct wg_load_info {
    size_t backlog;              /* messages waiting now */
    size_t backlog_max;          /* the most that ever waited */
    bool under_load;             /* as of now (the 1 s hold included) */
    int64_t under_load_ns;       /* total time under load up to now */
    uint64_t under_load_periods; /* how many times it started */
    uint64_t processed;          /* handshake messages processed */
    uint64_t cookie_replies;     /* cookie replies sent */
} wg_load_info;
void wg_device_load_info(const wg_device *dev, int64_t now, wg_load_info *out);

/* Inputs. */
void wg_device_receive(wg_device *dev, int64_t now, const wg_source *local,
                       const wg_endpoint *remote, const uint8_t *data, size_t len);
/* An inner IP packet for the tunnel; returns WG_DROP_NONE when accepted
 * (sent or queued for a pending handshake). */
wg_drop_reason wg_device_send_inner(wg_device *dev, int64_t now, const uint8_t *packet, size_t len);
void wg_device_tick(wg_device *dev, int64_t now);
int64_t wg_device_next_deadline(const wg_device *dev); /* WG_TIME_NEVER when idle */
/* A time at or before wg_device_next_deadline(), never after it, and
 * cheaper to keep: the device's timer heap updates its keys lazily
 * (timers.c), so a deadline that moves later (every data packet moves
 * one) does not move the wake. A tick at the wake runs what is due, or
 * nothing, and the wake moves on; a host that ticks at each wake runs
 * every timer at its exact deadline and in the same order as one that
 * ticks at each deadline, with some ticks that do nothing. WG_TIME_NEVER
 * when idle. */
int64_t wg_device_next_wake(const wg_device *dev);
/* A cache hint before a packet or timer of this device (prefetch.c): the
 * device, and for a device of at most a few peers (a road warrior) the
 * lines of its peers (below), in levels 0, 1, ...: a level reads only what
 * the levels before it prefetched. Returns false after the last level.
 * No effect on behaviour. */
bool wg_device_prefetch(const wg_device *dev, int level);
/* The addresses a packet of peer `id` reads in the device (the peer, its
 * keypairs and their index buckets, its timer-heap slot, the allowed-IPs
 * nodes of `inner` when given), at most max: what a host notes for its
 * cache hints (sim.h "Cache hints"). Never dereferenced by the caller. */
size_t wg_device_peer_lines(const wg_device *dev, int id, const wg_ip *inner, const void **out, size_t max);

/* Counters of dropped datagrams/packets by reason. */
uint64_t wg_device_drop_count(const wg_device *dev, wg_drop_reason r);

/* Cryptokey routing lookup: which peer would carry a packet to dst (-1: none). */
int wg_device_peer_for_ip(const wg_device *dev, const wg_ip *dst);

#ifdef __cplusplus
}
#endif
#endif /* WGNODE_H */
