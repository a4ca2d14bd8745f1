/*
 * cmd_peer.c — `wgsim peer CONF`: the wgnode WireGuard device on real UDP
 * sockets, talking to a real peer (wireguard-go, the Linux module, ...).
 *
 * There is no TUN device: this program is the tunnel endpoint's IP stack for
 * ping only. It answers ICMP/ICMPv6 echo requests addressed to its Address
 * and, with --ping, sends echo requests through the tunnel and reports the
 * replies. One thread, one ppoll() loop; the device is driven exactly as the
 * simulator drives it (receive / send_inner / tick at next_deadline).
 *
 * Default sourcing platform: wireguard-go. A user-space WireGuard on Linux
 * sockets *is* wireguard-go's situation (../shared/reference/wg-sourcing.md,
 * "wireguard-go on Linux": sticky source + interface from IP_PKTINFO), and
 * the kernel enforces exactly those semantics on sendmsg. `--platform linux`
 * also works for real (udp_host.c answers addr_is_local from getifaddrs and
 * route_lookup from rtnetlink like `ip route get`); freebsd/openbsd run with
 * the BSD errno translated, but the Linux kernel below still routes by its
 * own rules, so those two are approximations here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/commands.h"
#include "cli/peer/icmp_echo.h"
#include "cli/peer/udp_host.h"
#include "cli/peer/wgconf.h"
#include "harness/harness.h"
#include "sim/sim.h"
#include "wgnode/wgnode.h"

/* Inner packets the program originates while the device is calling it back
 * (echo replies) wait here and go to wg_device_send_inner() once the device
 * call has returned: the device API is not re-entrant. */
#define OUT_QUEUE_MAX 64
/* ping(8)'s default payload: 56 bytes, the first 8 the send time. */
#define PING_PAYLOAD 56
#define PING_TTL 64

typedef struct out_packet {
    uint8_t *data;
    size_t len;
} out_packet;

typedef struct peer_app {
    udp_host host;
    wg_device *dev;
    wgconf conf;
    const char *conf_path;
    bool verbose;
    int64_t t0;  /* monotonic time at start, for trace timestamps */
    int64_t now; /* time of the device call in progress */

    FILE *keylog;
    bool keylog_local_written;
    uint8_t (*keylog_remotes)[WG_KEY_LEN];
    size_t n_keylog_remotes;

    out_packet out[OUT_QUEUE_MAX];
    size_t n_out;

    /* --ping */
    bool pinging;
    wg_ip ping_dst, ping_src;
    uint16_t ping_id;
    unsigned count, sent, received;
    int64_t interval, timeout;
    int64_t *sent_at;
    bool *answered;
} peer_app;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wgsim peer CONF [--ping ADDR] [--count N] [--interval DUR] [--timeout DUR]\n"
            "                       [--duration DUR] [--keylog FILE] [--platform NAME] [--verbose]\n"
            "\n"
            "Runs wgsim's WireGuard implementation (wgnode) on real UDP sockets so it can talk\n"
            "to another WireGuard (wireguard-go, the Linux module, a firewall). There is no TUN\n"
            "device: the program answers ICMP/ICMPv6 echo requests sent through the tunnel to\n"
            "its Address, and --ping sends echo requests through the tunnel.\n"
            "\n"
            "CONF is a wg-quick file:\n"
            "  [Interface]  PrivateKey (required), ListenPort (absent or 0: any free port),\n"
            "               Address (one or more CIDR, comma-separated; the addresses this\n"
            "               endpoint answers pings for and pings from)\n"
            "  [Peer]       PublicKey (required), PresharedKey, Endpoint (IPv4:port or\n"
            "               [IPv6]:port, numeric only: names are not resolved), AllowedIPs\n"
            "               (comma list), PersistentKeepalive (seconds or 'off')\n"
            "  Keys and section names are case-insensitive, '#' starts a comment. Unknown keys,\n"
            "  repeated singular keys, wg-quick-only keys (DNS, MTU, PostUp, ...) and bad values\n"
            "  are errors reported as FILE:LINE: message (exit 2).\n"
            "\n"
            "options:\n"
            "  --ping ADDR      send echo requests to ADDR through the tunnel, from the first\n"
            "                   Address of the same family; prints 'reply from ADDR:\n"
            "                   icmp_seq=N time=0.123 ms' per reply, then a summary\n"
            "  --count N        number of echo requests (1..65535, default 3)\n"
            "  --interval DUR   time between requests (default 1s); the first goes at start\n"
            "                   and waits in the device until the handshake completes\n"
            "  --timeout DUR    how long the last request may take: the run ends at the last\n"
            "                   send + interval + timeout (default 1s), or earlier once all\n"
            "                   replies are in. A reply later than that counts as lost\n"
            "  --duration DUR   stop after DUR (default: without --ping, run until SIGINT or\n"
            "                   SIGTERM; with --ping, until the pings are done)\n"
            "  --keylog FILE    append the Wireshark WireGuard key log (LOCAL_STATIC_PRIVATE_KEY,\n"
            "                   REMOTE_STATIC_PUBLIC_KEY, LOCAL_EPHEMERAL_PRIVATE_KEY,\n"
            "                   PRESHARED_KEY lines, base64; flushed per line, mode 0600) for\n"
            "                   `tshark -o wg.keylog_file:FILE`\n"
            "  --platform NAME  source-address strategy of the device: wireguard-go (default),\n"
            "                   linux, freebsd, openbsd. wireguard-go is what a user-space\n"
            "                   WireGuard on Linux does: it learns the local address and\n"
            "                   interface of received packets (IP_PKTINFO) and sends with\n"
            "                   both. linux asks this host's routing table (rtnetlink, as\n"
            "                   `ip route get`) and interface addresses. freebsd/openbsd send\n"
            "                   with the learned source only and see EADDRNOTAVAIL when it is\n"
            "                   no longer configured (Linux's own ENETUNREACH/EINVAL for a\n"
            "                   foreign source is translated for them)\n"
            "  -v, --verbose    trace to stderr with timestamps (seconds since start): every\n"
            "                   datagram sent and received, handshakes, endpoint and source\n"
            "                   changes, timers, drops with their reason\n"
            "  -h, --help       this text\n"
            "\n"
            "DUR is a number with a unit: 500ms, 1s, 2.5s, 2m, 1h (a bare number is seconds);\n"
            "--interval is at least 2ms, as for ping(8) run by a user who is not root.\n"
            "\n"
            "exit status: 0 ran until --duration or a signal, or every ping was answered;\n"
            "1 some echo request got no reply; 2 bad configuration, option or socket error.\n");
}

/* The shortest --interval: iputils ping's floor for a user who is not root
 * (ping.h MIN_USER_INTERVAL_MS, 2 ms). wgsim peer runs unprivileged and is
 * a reachability test; requests closer than that are a flood. */
#define PEER_MIN_INTERVAL (2 * HS_MS)

/* DUR as the scenario language reads it (hs_duration_parse: "250ms",
 * "1.5s", "2m", "20ns"), or a bare number of seconds as ping(8) takes -i
 * and -W ("10", "0.5"). */
static hs_dur_err parse_duration(const char *s, int64_t *out)
{
    if (!*s || strspn(s, "0123456789.") != strlen(s))
        return hs_duration_parse(s, out);
    size_t n = strlen(s);
    char *sec = malloc(n + 2);
    if (!sec)
        sim_oom("reading an option");
    memcpy(sec, s, n);
    memcpy(sec + n, "s", 2);
    hs_dur_err e = hs_duration_parse(sec, out);
    free(sec);
    return e;
}

static double since_start(const peer_app *a) { return (double)(a->now - a->t0) / 1e9; }

static void trace(peer_app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(peer_app *a, const char *fmt, ...)
{
    if (!a->verbose)
        return;
    fprintf(stderr, "[%11.6f] ", since_start(a));
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const char *source_str(const wg_source *s, char *buf)
{
    char ip[WG_IP_STRLEN];
    if (s->addr.family == 0 && s->ifindex == 0)
        return strcpy(buf, "any");
    snprintf(buf, WG_IP_STRLEN + 16, "%s%%if%u", s->addr.family ? wg_ip_format(&s->addr, ip) : "any", s->ifindex);
    return buf;
}

/* ---- key log ------------------------------------------------------- */

static const char *keylog_label(wg_keylog_kind k)
{
    /* The labels Wireshark's WireGuard dissector reads (wg.keylog_file). */
    switch (k) {
    case WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY:
        return "LOCAL_STATIC_PRIVATE_KEY";
    case WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY:
        return "REMOTE_STATIC_PUBLIC_KEY";
    case WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE_KEY:
        return "LOCAL_EPHEMERAL_PRIVATE_KEY";
    case WG_KEYLOG_PRESHARED_KEY:
        return "PRESHARED_KEY";
    }
    return NULL;
}

static void keylog_write(peer_app *a, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
    if (!a->keylog || !keylog_label(kind))
        return;
    /* Static keys are written once: at start from the configuration, and
     * the device may report them again. */
    if (kind == WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY) {
        if (a->keylog_local_written)
            return;
        a->keylog_local_written = true;
    } else if (kind == WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY) {
        for (size_t i = 0; i < a->n_keylog_remotes; i++)
            if (!memcmp(a->keylog_remotes[i], key, WG_KEY_LEN))
                return;
        uint8_t(*grown)[WG_KEY_LEN] = realloc(a->keylog_remotes, (a->n_keylog_remotes + 1) * sizeof *grown);
        if (grown) {
            a->keylog_remotes = grown;
            memcpy(grown[a->n_keylog_remotes++], key, WG_KEY_LEN);
        }
    }
    char b64[WG_KEY_B64_LEN];
    wg_key_to_base64(b64, key);
    fprintf(a->keylog, "%s = %s\n", keylog_label(kind), b64);
    fflush(a->keylog);
    wg_memzero(b64, sizeof b64);
}

static void cb_keylog(void *ctx, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
    keylog_write(ctx, kind, key);
}

/* ---- host callbacks ------------------------------------------------ */

static wg_send_result cb_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                              size_t len, const wg_send_meta *meta)
{
    peer_app *a = ctx;
    wg_source none = {0};
    wg_send_result r = udp_host_send(&a->host, src ? src : &none, dst, data, len);
    if (a->verbose) {
        char s[WG_IP_STRLEN + 16], d[WG_IP_STRLEN];
        const char *result = r == WG_SEND_OK ? "ok" : strerror(a->host.last_errno);
        trace(a, "send %s %zu B peer %d from %s (%s) to %s: %s", wg_msg_type_name(meta->type, meta->keepalive), len,
              meta->peer_id, source_str(src ? src : &none, s), wg_source_reason_name(meta->reason),
              wg_endpoint_format(dst, d), result);
    }
    return r;
}

static void cb_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    randombytes_buf(buf, len); /* getrandom(2) underneath */
}

static int64_t cb_wall_ns(void *ctx, int64_t now)
{
    (void)ctx;
    (void)now;
    return udp_host_realtime_ns();
}

static bool cb_addr_is_local(void *ctx, const wg_ip *addr)
{
    (void)ctx;
    return udp_host_addr_is_local(addr);
}

static bool cb_route_lookup(void *ctx, const wg_ip *dst, const wg_ip *src_or_null, uint32_t *ifindex,
                            wg_ip *chosen_src)
{
    (void)ctx;
    return udp_host_route_lookup(dst, src_or_null, ifindex, chosen_src);
}

static void cb_event(void *ctx, const wg_event *ev)
{
    peer_app *a = ctx;
    if (!a->verbose)
        return;
    char ep[WG_IP_STRLEN], src[WG_IP_STRLEN + 16];
    const char *name = wg_event_kind_name(ev->kind);
    switch (ev->kind) {
    case WG_EV_HANDSHAKE_COMPLETE:
        trace(a, "peer %d: %s (%s)", ev->peer_id, name, ev->initiator ? "initiator" : "responder");
        break;
    case WG_EV_ENDPOINT_CHANGED:
    case WG_EV_HANDSHAKE_INITIATION_SENT:
    case WG_EV_HANDSHAKE_RESPONSE_SENT:
    case WG_EV_COOKIE_REPLY_SENT:
    case WG_EV_COOKIE_REPLY_RECEIVED:
        trace(a, "peer %d: %s, endpoint %s", ev->peer_id, name, wg_endpoint_format(&ev->endpoint, ep));
        break;
    case WG_EV_SOURCE_LEARNED:
    case WG_EV_SOURCE_CLEARED:
        trace(a, "peer %d: %s %s", ev->peer_id, name, source_str(&ev->source, src));
        break;
    case WG_EV_TIMER_FIRED:
        trace(a, "peer %d: %s %s", ev->peer_id, name, wg_timer_name(ev->timer));
        break;
    case WG_EV_SEND_ERROR:
        trace(a, "peer %d: %s (%s) to %s from %s", ev->peer_id, name,
              ev->send_result == WG_SEND_EADDRNOTAVAIL ? "EADDRNOTAVAIL"
              : ev->send_result == WG_SEND_EINVAL      ? "EINVAL"
              : ev->send_result == WG_SEND_UNREACHABLE ? "unreachable"
                                                       : "ok",
              wg_endpoint_format(&ev->endpoint, ep), source_str(&ev->source, src));
        break;
    case WG_EV_PACKET_DROPPED:
        trace(a, "peer %d: %s: %s (%s from %s)", ev->peer_id, name, wg_drop_reason_name(ev->drop),
              wg_msg_type_name(ev->msg_type, false), wg_endpoint_format(&ev->endpoint, ep));
        break;
    default:
        trace(a, "peer %d: %s", ev->peer_id, name);
        break;
    }
}

static void queue_inner(peer_app *a, const uint8_t *pkt, size_t len)
{
    if (a->n_out == OUT_QUEUE_MAX) {
        trace(a, "inner packet queue full, %zu-byte packet dropped", len);
        return;
    }
    uint8_t *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, pkt, len);
    a->out[a->n_out++] = (out_packet){copy, len};
}

static bool is_own_address(const peer_app *a, const wg_ip *ip)
{
    for (size_t i = 0; i < a->conf.n_addresses; i++)
        if (wg_ip_eq(&a->conf.addresses[i].ip, ip))
            return true;
    return false;
}

static void ping_reply(peer_app *a, const icmp_echo *e)
{
    unsigned seq = e->seq;
    if (seq < 1 || seq > a->sent)
        return;
    double ms = (double)(a->now - a->sent_at[seq - 1]) / 1e6;
    char ip[WG_IP_STRLEN];
    bool dup = a->answered[seq - 1];
    if (!dup) {
        a->answered[seq - 1] = true;
        a->received++;
    }
    printf("reply from %s: icmp_seq=%u time=%.3f ms%s\n", wg_ip_format(&e->src, ip), seq, ms, dup ? " (DUP!)" : "");
    fflush(stdout);
}

static void cb_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    peer_app *a = ctx;
    icmp_echo e;
    char s[WG_IP_STRLEN], d[WG_IP_STRLEN];
    if (!icmp_echo_parse(packet, len, &e)) {
        trace(a, "peer %d: inner packet of %zu bytes is not an ICMP echo; no stack here to take it", peer_id, len);
        return;
    }
    if (e.request && is_own_address(a, &e.dst)) {
        trace(a, "peer %d: echo request %s -> %s id %u seq %u, answering", peer_id, wg_ip_format(&e.src, s),
              wg_ip_format(&e.dst, d), e.id, e.seq);
        icmp_echo r = e;
        r.request = false;
        r.src = e.dst;
        r.dst = e.src;
        r.ttl = PING_TTL;
        uint8_t buf[UDP_HOST_MAX_DATAGRAM];
        size_t n = icmp_echo_build(buf, sizeof buf, &r);
        if (n)
            queue_inner(a, buf, n);
        return;
    }
    if (!e.request && a->pinging && e.id == a->ping_id && wg_ip_eq(&e.src, &a->ping_dst) &&
        wg_ip_eq(&e.dst, &a->ping_src)) {
        ping_reply(a, &e);
        return;
    }
    trace(a, "peer %d: echo %s %s -> %s not for this endpoint, dropped", peer_id, e.request ? "request" : "reply",
          wg_ip_format(&e.src, s), wg_ip_format(&e.dst, d));
}

/* Sends the queued inner packets into the tunnel (after a device call). */
static void flush_inner(peer_app *a)
{
    /* send_inner never calls deliver, so the queue cannot grow under us;
     * take a snapshot anyway to be safe against future changes. */
    size_t n = a->n_out;
    out_packet batch[OUT_QUEUE_MAX];
    memcpy(batch, a->out, n * sizeof *batch);
    a->n_out = 0;
    for (size_t i = 0; i < n; i++) {
        wg_drop_reason r = wg_device_send_inner(a->dev, a->now, batch[i].data, batch[i].len);
        if (r != WG_DROP_NONE)
            trace(a, "reply of %zu bytes not sent into the tunnel: %s", batch[i].len, wg_drop_reason_name(r));
        free(batch[i].data);
    }
}

static void send_ping(peer_app *a)
{
    unsigned seq = ++a->sent;
    uint8_t payload[PING_PAYLOAD];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    for (int i = 0; i < 8; i++) /* the send time, as ping(8) puts it first */
        payload[i] = (uint8_t)((uint64_t)a->now >> (56 - 8 * i));
    icmp_echo e = {.request = true,
                   .src = a->ping_src,
                   .dst = a->ping_dst,
                   .ttl = PING_TTL,
                   .id = a->ping_id,
                   .seq = (uint16_t)seq,
                   .payload = payload,
                   .payload_len = sizeof payload};
    uint8_t pkt[128];
    size_t n = icmp_echo_build(pkt, sizeof pkt, &e);
    a->sent_at[seq - 1] = a->now;
    wg_drop_reason r = wg_device_send_inner(a->dev, a->now, pkt, n);
    char ip[WG_IP_STRLEN];
    if (r != WG_DROP_NONE)
        fprintf(stderr, "wgsim peer: echo request to %s icmp_seq=%u not sent: %s\n", wg_ip_format(&a->ping_dst, ip),
                seq, wg_drop_reason_name(r));
    else
        trace(a, "echo request to %s icmp_seq=%u handed to the device", wg_ip_format(&a->ping_dst, ip), seq);
    flush_inner(a);
}

/* Reads every pending datagram of one socket into the device. */
static void drain(peer_app *a, int fd)
{
    static uint8_t buf[UDP_HOST_MAX_DATAGRAM];
    for (int budget = 0; budget < 1024; budget++) {
        wg_source local;
        wg_endpoint remote;
        bool truncated;
        ssize_t n = udp_host_recv(&a->host, fd, buf, sizeof buf, &local, &remote, &truncated);
        if (n < 0)
            return;
        a->now = udp_host_monotonic_ns();
        char r[WG_IP_STRLEN], l[WG_IP_STRLEN + 16];
        if (truncated || n == 0) {
            trace(a, "recv: unusable datagram from %s ignored", wg_endpoint_format(&remote, r));
            continue;
        }
        if (a->verbose) {
            bool ka = false;
            enum wg_msg_type t = wg_classify(buf, (size_t)n, &ka);
            trace(a, "recv %s %zd B from %s to %s", t == WG_MSG_NONE ? "non-WireGuard" : wg_msg_type_name(t, ka), n,
                  wg_endpoint_format(&remote, r), source_str(&local, l));
        }
        wg_device_receive(a->dev, a->now, &local, &remote, buf, (size_t)n);
        flush_inner(a);
    }
}

/* Works on queued handshake messages for at most HS_SLICE_NS, then goes
 * back to the sockets: transport data (the pings) never waits behind a
 * flood of handshakes, as the kernel's handshake worker runs beside its
 * receive path. Returns true when messages are left. */
#define HS_SLICE_NS (250 * INT64_C(1000))
#define HS_BATCH 16
static bool process_handshakes(peer_app *a)
{
    int64_t start = udp_host_monotonic_ns();
    for (;;) {
        a->now = udp_host_monotonic_ns();
        size_t n = wg_device_process_handshakes(a->dev, a->now, HS_BATCH);
        flush_inner(a);
        if (n < HS_BATCH)
            return false;
        if (udp_host_monotonic_ns() - start >= HS_SLICE_NS)
            return true;
    }
}

/* One line on what load did, printed at exit when there was any. */
static void report_load(peer_app *a)
{
    wg_load_info li;
    wg_device_load_info(a->dev, udp_host_monotonic_ns(), &li);
    uint64_t full = wg_device_drop_count(a->dev, WG_DROP_QUEUE_FULL);
    if (!li.under_load_periods && !full)
        return;
    fprintf(stderr,
            "wgsim peer: load: %" PRIu64 " handshake messages processed, most queued %zu, under load %.3f s "
            "(%" PRIu64 " times), %" PRIu64 " cookie replies sent, %" PRIu64 " rate-limited, %" PRIu64
            " queue-full, %" PRIu64 " bad-mac1\n",
            li.processed, li.backlog_max, (double)li.under_load_ns / 1e9, li.under_load_periods, li.cookie_replies,
            wg_device_drop_count(a->dev, WG_DROP_RATE_LIMITED), full,
            wg_device_drop_count(a->dev, WG_DROP_BAD_MAC1));
}

/* ---- setup --------------------------------------------------------- */

static bool add_peers(peer_app *a)
{
    for (size_t i = 0; i < a->conf.n_peers; i++) {
        const wgconf_peer *p = &a->conf.peers[i];
        wg_peer_config pc = {0};
        memcpy(pc.public_key, p->public_key, WG_KEY_LEN);
        pc.has_psk = p->has_psk;
        memcpy(pc.psk, p->psk, WG_KEY_LEN);
        pc.has_endpoint = p->has_endpoint;
        pc.endpoint = p->endpoint;
        pc.persistent_keepalive = p->persistent_keepalive;
        pc.allowed_ips = p->allowed_ips;
        pc.n_allowed_ips = p->n_allowed_ips;
        int id = wg_device_add_peer(a->dev, &pc, a->now);
        wg_memzero(pc.psk, sizeof pc.psk);
        if (id < 0) {
            fprintf(stderr, "%s:%d: the device refused this [Peer]\n", a->conf_path, p->line);
            return false;
        }
        keylog_write(a, WG_KEYLOG_REMOTE_STATIC_PUBLIC_KEY, p->public_key);
    }
    return true;
}

static bool setup_ping(peer_app *a, const char *target)
{
    if (!wg_ip_parse(target, &a->ping_dst)) {
        fprintf(stderr, "wgsim peer: --ping '%s': not a numeric IPv4 or IPv6 address\n", target);
        return false;
    }
    for (size_t i = 0; i < a->conf.n_addresses && a->ping_src.family == 0; i++)
        if (a->conf.addresses[i].ip.family == a->ping_dst.family)
            a->ping_src = a->conf.addresses[i].ip;
    if (a->ping_src.family == 0) {
        fprintf(stderr, "wgsim peer: --ping %s: %s has no IPv%u Address to send from\n", target, a->conf_path,
                a->ping_dst.family);
        return false;
    }
    if (wg_device_peer_for_ip(a->dev, &a->ping_dst) < 0) {
        fprintf(stderr, "wgsim peer: --ping %s: no [Peer] in %s has it in AllowedIPs\n", target, a->conf_path);
        return false;
    }
    a->sent_at = calloc(a->count, sizeof *a->sent_at);
    a->answered = calloc(a->count, sizeof *a->answered);
    if (!a->sent_at || !a->answered) {
        fprintf(stderr, "wgsim peer: out of memory\n");
        return false;
    }
    a->ping_id = (uint16_t)getpid();
    a->pinging = true;
    return true;
}

static bool open_keylog(peer_app *a, const char *path)
{
    /* Key material: owner-only, appended like SSLKEYLOGFILE. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || !(a->keylog = fdopen(fd, "a"))) {
        fprintf(stderr, "wgsim peer: --keylog %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    return true;
}

/* ---- the loop ------------------------------------------------------ */

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* t + d for d >= 0, saturating at WG_TIME_NEVER: durations may be up to
 * HS_TIME_MAX each (parse_duration); the clock plus two of them (last send
 * + interval + timeout) fits only while the clock is below 2e18 ns, which
 * CLOCK_MONOTONIC does not promise. */
static int64_t after(int64_t t, int64_t d) { return t > WG_TIME_NEVER - d ? WG_TIME_NEVER : t + d; }

static int run(peer_app *a, int64_t duration)
{
    a->now = a->t0;
    int64_t stop_at = duration > 0 ? after(a->t0, duration) : WG_TIME_NEVER;
    int64_t next_ping = a->t0, ping_end = WG_TIME_NEVER;
    wg_device_up(a->dev, a->now);
    flush_inner(a);
    struct pollfd fds[2];
    nfds_t nfds = 0;
    if (a->host.fd4 >= 0)
        fds[nfds++] = (struct pollfd){.fd = a->host.fd4, .events = POLLIN};
    if (a->host.fd6 >= 0)
        fds[nfds++] = (struct pollfd){.fd = a->host.fd6, .events = POLLIN};

    /* SIGINT/SIGTERM stay blocked except inside ppoll(): a signal can then
     * only interrupt the wait, never slip in between the check and it. */
    sigset_t block, waitmask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &waitmask);
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGTERM);

    for (;;) {
        a->now = udp_host_monotonic_ns();
        if (stop_signal) {
            trace(a, "signal %d: stopping", (int)stop_signal);
            break;
        }
        if (a->now >= stop_at) {
            trace(a, "--duration reached: stopping");
            break;
        }
        if (a->pinging) {
            while (a->sent < a->count && a->now >= next_ping) {
                send_ping(a);
                next_ping = after(next_ping, a->interval);
                if (a->sent == a->count)
                    ping_end = after(after(a->now, a->interval), a->timeout);
            }
            if (a->received == a->count || a->now >= ping_end)
                break;
        }
        if (wg_device_next_deadline(a->dev) <= a->now) {
            wg_device_tick(a->dev, a->now);
            flush_inner(a);
            continue; /* the tick may have moved the deadline; re-evaluate */
        }
        bool more = process_handshakes(a);
        int64_t wake = min64(wg_device_next_deadline(a->dev), stop_at);
        if (a->pinging)
            wake = min64(wake, a->sent < a->count ? next_ping : ping_end);
        if (more)
            wake = a->now; /* handshakes are waiting: look at the sockets, do not sleep */
        struct timespec ts, *tsp = NULL;
        if (wake != WG_TIME_NEVER) {
            int64_t d = wake > a->now ? wake - a->now : 0;
            ts.tv_sec = (time_t)(d / WG_NS_PER_SEC);
            ts.tv_nsec = (long)(d % WG_NS_PER_SEC);
            tsp = &ts;
        }
        int rc = ppoll(fds, nfds, tsp, &waitmask);
        if (rc < 0 && errno != EINTR) {
            fprintf(stderr, "wgsim peer: poll: %s\n", strerror(errno));
            break;
        }
        for (nfds_t i = 0; rc > 0 && i < nfds; i++)
            if (fds[i].revents & (POLLIN | POLLERR))
                drain(a, fds[i].fd);
    }
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    report_load(a);

    if (!a->pinging)
        return 0;
    char ip[WG_IP_STRLEN];
    unsigned lost = a->sent - a->received;
    printf("--- %s ping statistics ---\n%u transmitted, %u received, %u%% packet loss\n",
           wg_ip_format(&a->ping_dst, ip), a->sent, a->received, a->sent ? 100 * lost / a->sent : 0);
    return a->received == a->count ? 0 : 1;
}

int cmd_peer(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"ping", required_argument, NULL, 'p'},     {"count", required_argument, NULL, 'c'},
        {"interval", required_argument, NULL, 'i'}, {"timeout", required_argument, NULL, 'W'},
        {"duration", required_argument, NULL, 'd'}, {"keylog", required_argument, NULL, 'k'},
        {"platform", required_argument, NULL, 'P'}, {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *ping = NULL, *keylog = NULL;
    unsigned long count = 3;
    int64_t interval = WG_NS_PER_SEC, timeout = WG_NS_PER_SEC, duration = 0;
    wg_platform platform = WG_PLATFORM_WIREGUARD_GO;
    bool verbose = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'p':
            ping = optarg;
            break;
        case 'c':
            errno = 0;
            count = strtoul(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || errno || count < 1 || count > 65535) {
                fprintf(stderr, "wgsim peer: --count '%s': expected a number in 1..65535\n", optarg);
                return 2;
            }
            break;
        case 'i':
        case 'W':
        case 'd': {
            int64_t *dst = c == 'i' ? &interval : c == 'W' ? &timeout : &duration;
            const char *opt = c == 'i' ? "interval" : c == 'W' ? "timeout" : "duration";
            hs_dur_err e = parse_duration(optarg, dst);
            if (e == HS_DUR_SYNTAX) {
                fprintf(stderr, "wgsim peer: --%s '%s': not a duration (e.g. 500ms, 1s, 2m; a bare number is seconds)\n",
                        opt, optarg);
                return 2;
            }
            if (e != HS_DUR_OK) {
                fprintf(stderr, "wgsim peer: --%s '%s' %s\n", opt, optarg, hs_duration_problem(e));
                return 2;
            }
            if (c == 'i' && *dst < PEER_MIN_INTERVAL) {
                fprintf(stderr,
                        "wgsim peer: --interval '%s': at least 2ms, the shortest interval ping(8) allows a user who "
                        "is not root (iputils MIN_USER_INTERVAL_MS); closer requests are a flood, not a "
                        "reachability test\n",
                        optarg);
                return 2;
            }
            if (c == 'd' && *dst <= 0) {
                fprintf(stderr, "wgsim peer: --duration '%s': must be more than 0\n", optarg);
                return 2;
            }
            break;
        }
        case 'k':
            keylog = optarg;
            break;
        case 'P':
            if (!wg_platform_parse(optarg, &platform)) {
                fprintf(stderr, "wgsim peer: --platform '%s': expected wireguard-go, linux, freebsd or openbsd\n",
                        optarg);
                return 2;
            }
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "wgsim peer: %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "wgsim peer: unknown option '%s' (see wgsim peer --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, argc - optind ? "wgsim peer: exactly one CONF file expected\n"
                                      : "wgsim peer: missing CONF (see wgsim peer --help)\n");
        return 2;
    }
    if (!ping && (count != 3 || interval != WG_NS_PER_SEC || timeout != WG_NS_PER_SEC)) {
        fprintf(stderr, "wgsim peer: --count, --interval and --timeout only apply with --ping\n");
        return 2;
    }

    peer_app a = {.conf_path = argv[optind], .verbose = verbose, .count = (unsigned)count, .interval = interval,
                  .timeout = timeout};
    a.host.fd4 = a.host.fd6 = -1;
    char err[512];
    int status = 2;
    if (!wgconf_load(a.conf_path, &a.conf, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (keylog && !open_keylog(&a, keylog))
        goto out;
    if (!udp_host_open(&a.host, a.conf.listen_port, platform, err, sizeof err)) {
        fprintf(stderr, "wgsim peer: %s\n", err);
        goto out;
    }
    /* Handshake messages wait in the device's queue and are processed
     * between socket reads (process_handshakes): the queue is the real
     * backlog, so a flood puts the device under load as the kernel's would
     * (issue 22; docs/wgnode.md "Under load"). */
    wg_device_config dc = {.listen_port = a.host.port, .platform = platform, .hs_queue = WG_HSQ_HOST};
    memcpy(dc.private_key, a.conf.private_key, WG_KEY_LEN);
    wg_host_ops ops = {
        .ctx = &a,
        .send = cb_send,
        .deliver = cb_deliver,
        .random_bytes = cb_random,
        .wall_ns = cb_wall_ns,
        .addr_is_local = cb_addr_is_local,
        .route_lookup = cb_route_lookup,
        .event = cb_event,
        .keylog = cb_keylog,
    };
    a.t0 = a.now = udp_host_monotonic_ns();
    a.dev = wg_device_new(&dc, &ops);
    wg_memzero(dc.private_key, sizeof dc.private_key);
    if (!a.dev) {
        fprintf(stderr, "wgsim peer: cannot create the WireGuard device\n");
        goto out;
    }
    keylog_write(&a, WG_KEYLOG_LOCAL_STATIC_PRIVATE_KEY, a.conf.private_key);
    if (!add_peers(&a))
        goto out;
    if (ping && !setup_ping(&a, ping))
        goto out;

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    uint8_t pub[WG_KEY_LEN];
    char pub64[WG_KEY_B64_LEN];
    wg_device_public_key(a.dev, pub);
    wg_key_to_base64(pub64, pub);
    fprintf(stderr, "wgsim peer: public key %s, listening on UDP port %u (%s%s%s), platform %s, %zu peer(s)\n", pub64,
            a.host.port, a.host.fd4 >= 0 ? "IPv4" : "", a.host.fd4 >= 0 && a.host.fd6 >= 0 ? "+" : "",
            a.host.fd6 >= 0 ? "IPv6" : "", wg_platform_name(platform), a.conf.n_peers);
    if (a.conf.n_addresses == 0)
        fprintf(stderr, "wgsim peer: note: %s has no Address, so no echo request is answered\n", a.conf_path);

    status = run(&a, duration);

out:
    if (a.dev)
        wg_device_free(a.dev); /* zeroes its keys */
    for (size_t i = 0; i < a.n_out; i++)
        free(a.out[i].data);
    udp_host_close(&a.host);
    wgconf_free(&a.conf);
    free(a.sent_at);
    free(a.answered);
    free(a.keylog_remotes);
    if (a.keylog)
        fclose(a.keylog);
    return status;
}
