/*
 * fake_host.c — see fake_host.h.
 */
#include "fake_host.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                                                                       \
    do {                                                                                                       \
        if ((n) == (cap)) {                                                                                    \
            (cap) = (cap) ? (cap) * 2 : 64;                                                                    \
            (arr) = realloc((arr), (cap) * sizeof *(arr));                                                     \
            if (!(arr))                                                                                        \
                abort();                                                                                       \
        }                                                                                                      \
    } while (0)

static bool is_local(const fake_host *h, const wg_ip *ip)
{
    for (size_t i = 0; i < h->n_locals; i++)
        if (wg_ip_eq(&h->locals[i], ip))
            return true;
    return false;
}

static void run_nested(fake_host *h)
{
    void (*fn)(void *) = h->nested;
    if (!fn)
        return;
    h->nested = NULL;
    fn(h->nested_arg);
}

static wg_send_result fh_send(void *ctx, const wg_source *src, const wg_endpoint *dst, const uint8_t *data,
                              size_t len, const wg_send_meta *meta)
{
    fake_host *h = ctx;
    run_nested(h);
    wg_send_result r = WG_SEND_OK;
    if (h->script_pos < h->n_script)
        r = h->script[h->script_pos++];
    else if (h->check_locals && src->addr.family && !is_local(h, &src->addr))
        r = WG_SEND_EADDRNOTAVAIL;
    GROW(h->sent, h->n_sent, h->cap_sent);
    fh_sent *s = &h->sent[h->n_sent++];
    s->now = h->now;
    s->src = *src;
    s->dst = *dst;
    s->meta = *meta;
    s->result = r;
    s->len = len;
    s->data = malloc(len ? len : 1);
    memcpy(s->data, data, len);
    return r;
}

static void fh_deliver(void *ctx, int peer_id, const uint8_t *packet, size_t len)
{
    fake_host *h = ctx;
    run_nested(h);
    GROW(h->delivered, h->n_delivered, h->cap_delivered);
    fh_delivered *d = &h->delivered[h->n_delivered++];
    d->now = h->now;
    d->peer_id = peer_id;
    d->len = len;
    d->data = malloc(len ? len : 1);
    memcpy(d->data, packet, len);
}

static void fh_random(void *ctx, uint8_t *buf, size_t len)
{
    fake_host *h = ctx;
    /* A fresh deterministic stream per call: seed + call counter as nonce. */
    uint8_t seed[32];
    memcpy(seed, h->seed, sizeof seed);
    uint64_t c = h->rng_calls++;
    for (int i = 0; i < 8; i++)
        seed[24 + i] ^= (uint8_t)(c >> (8 * i));
    randombytes_buf_deterministic(buf, len, seed);
}

static int64_t fh_wall(void *ctx, int64_t now)
{
    fake_host *h = ctx;
    return h->wall_base + now;
}

static bool fh_addr_is_local(void *ctx, const wg_ip *addr) { return is_local(ctx, addr); }

static bool fh_route_lookup(void *ctx, const wg_ip *dst, const wg_ip *src, uint32_t *ifindex, wg_ip *chosen)
{
    fake_host *h = ctx;
    const fh_route *best = NULL;
    for (size_t i = 0; i < h->n_routes; i++)
        if (wg_prefix_contains(&h->routes[i].to, dst) && (!best || h->routes[i].to.len > best->to.len))
            best = &h->routes[i];
    if (!best)
        return false;
    *ifindex = best->ifindex;
    *chosen = src ? *src : best->src;
    return true;
}

static void fh_event_cb(void *ctx, const wg_event *ev)
{
    fake_host *h = ctx;
    GROW(h->events, h->n_events, h->cap_events);
    h->events[h->n_events].now = h->now;
    h->events[h->n_events++].ev = *ev;
}

static void fh_keylog_cb(void *ctx, wg_keylog_kind kind, const uint8_t key[WG_KEY_LEN])
{
    fake_host *h = ctx;
    GROW(h->keylog, h->n_keylog, h->cap_keylog);
    h->keylog[h->n_keylog].kind = kind;
    memcpy(h->keylog[h->n_keylog++].key, key, WG_KEY_LEN);
}

void fh_init(fake_host *h, uint64_t seed)
{
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 8; i++)
        h->seed[i] = (uint8_t)(seed >> (8 * i));
    h->wall_base = INT64_C(1700000000) * WG_NS_PER_SEC;
    h->ops.ctx = h;
    h->ops.send = fh_send;
    h->ops.deliver = fh_deliver;
    h->ops.random_bytes = fh_random;
    h->ops.wall_ns = fh_wall;
    h->ops.addr_is_local = fh_addr_is_local;
    h->ops.route_lookup = fh_route_lookup;
    h->ops.event = fh_event_cb;
    h->ops.keylog = fh_keylog_cb;
}

void fh_free(fake_host *h)
{
    for (size_t i = 0; i < h->n_sent; i++)
        free(h->sent[i].data);
    for (size_t i = 0; i < h->n_delivered; i++)
        free(h->delivered[i].data);
    free(h->sent);
    free(h->delivered);
    free(h->events);
    free(h->keylog);
}

void fh_add_local(fake_host *h, wg_ip ip)
{
    if (h->n_locals < FH_MAX_LOCALS)
        h->locals[h->n_locals++] = ip;
}

void fh_remove_local(fake_host *h, wg_ip ip)
{
    for (size_t i = 0; i < h->n_locals; i++)
        if (wg_ip_eq(&h->locals[i], &ip)) {
            h->locals[i] = h->locals[--h->n_locals];
            return;
        }
}

void fh_add_route(fake_host *h, const char *prefix, uint32_t ifindex, wg_ip src)
{
    if (h->n_routes >= FH_MAX_ROUTES)
        abort();
    fh_route *r = &h->routes[h->n_routes++];
    if (!wg_prefix_parse(prefix, &r->to))
        abort();
    r->ifindex = ifindex;
    r->src = src;
}

void fh_script(fake_host *h, wg_send_result r)
{
    if (h->n_script < FH_MAX_SCRIPT)
        h->script[h->n_script++] = r;
}

size_t fh_count_sent(const fake_host *h, enum wg_msg_type type, int keepalive, bool ok_only)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_sent; i++) {
        const fh_sent *s = &h->sent[i];
        if (type != WG_MSG_NONE && s->meta.type != type)
            continue;
        if (keepalive >= 0 && s->meta.keepalive != (keepalive != 0))
            continue;
        if (ok_only && s->result != WG_SEND_OK)
            continue;
        n++;
    }
    return n;
}

size_t fh_count_events(const fake_host *h, wg_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_events; i++)
        n += h->events[i].ev.kind == kind;
    return n;
}

const fh_sent *fh_last_sent(const fake_host *h, enum wg_msg_type type)
{
    for (size_t i = h->n_sent; i-- > 0;)
        if (type == WG_MSG_NONE || h->sent[i].meta.type == type)
            return &h->sent[i];
    return NULL;
}

size_t fh_count_keylog(const fake_host *h, wg_keylog_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_keylog; i++)
        n += h->keylog[i].kind == kind;
    return n;
}

size_t fh_ip4_packet(uint8_t *buf, wg_ip src, wg_ip dst, size_t payload)
{
    size_t total = 20 + payload;
    memset(buf, 0, total);
    buf[0] = 0x45;
    buf[2] = (uint8_t)(total >> 8);
    buf[3] = (uint8_t)total;
    buf[8] = 64;
    buf[9] = 17;
    memcpy(buf + 12, src.b, 4);
    memcpy(buf + 16, dst.b, 4);
    for (size_t i = 0; i < payload; i++)
        buf[20 + i] = (uint8_t)(i * 7 + 1);
    return total;
}

size_t fh_ip6_packet(uint8_t *buf, wg_ip src, wg_ip dst, size_t payload)
{
    size_t total = 40 + payload;
    memset(buf, 0, total);
    buf[0] = 0x60;
    buf[4] = (uint8_t)(payload >> 8);
    buf[5] = (uint8_t)payload;
    buf[6] = 17;
    buf[7] = 64;
    memcpy(buf + 8, src.b, 16);
    memcpy(buf + 24, dst.b, 16);
    return total;
}

/* ---- pair ---- */

const wg_ip pair_tun_a = {.family = 4, .b = {10, 99, 0, 1}};
const wg_ip pair_tun_b = {.family = 4, .b = {10, 99, 0, 2}};

void pair_init(wg_pair *p, const wg_pair_opts *o)
{
    memset(p, 0, sizeof *p);
    fh_init(&p->ha, 1);
    fh_init(&p->hb, 2);
    p->ep_a = (wg_endpoint){.ip = wg_ip4(198, 51, 100, 1), .port = 51820};
    p->ep_b = (wg_endpoint){.ip = wg_ip4(192, 0, 2, 10), .port = 51820};
    p->if_a = 1;
    p->if_b = 1;
    p->ha.default_src = p->ep_a.ip;
    p->hb.default_src = p->ep_b.ip;
    fh_add_local(&p->ha, p->ep_a.ip);
    fh_add_local(&p->hb, p->ep_b.ip);
    /* Linux needs route answers; without routes the host ops say "no route",
     * so tests that do not script routing get a default route. */
    fh_add_route(&p->ha, "0.0.0.0/0", 1, p->ep_a.ip);
    fh_add_route(&p->hb, "0.0.0.0/0", 1, p->ep_b.ip);

    randombytes_buf_deterministic(p->priv_a, WG_KEY_LEN, (const uint8_t[32]){1});
    randombytes_buf_deterministic(p->priv_b, WG_KEY_LEN, (const uint8_t[32]){2});
    wg_key_clamp(p->priv_a);
    wg_key_clamp(p->priv_b);
    wg_x25519_public(p->pub_a, p->priv_a);
    wg_x25519_public(p->pub_b, p->priv_b);

    wg_device_config ca = {.listen_port = 51820, .platform = o->pa, .options = o->options_a};
    memcpy(ca.private_key, p->priv_a, WG_KEY_LEN);
    wg_device_config cb = {.listen_port = 51820, .platform = o->pb, .options = o->options_b, .hs_queue = o->hsq_b,
                           .handshake_cost = o->cost_b, .handshake_reject_cost = o->reject_cost_b};
    memcpy(cb.private_key, p->priv_b, WG_KEY_LEN);
    p->a = wg_device_new(&ca, &p->ha.ops);
    p->b = wg_device_new(&cb, &p->hb.ops);

    wg_prefix allow_b = {.ip = pair_tun_b, .len = 32};
    wg_prefix allow_a = {.ip = pair_tun_a, .len = 32};
    wg_peer_config pa = {.has_endpoint = o->a_knows_b, .endpoint = p->ep_b,
                         .persistent_keepalive = o->keepalive_a, .allowed_ips = &allow_b, .n_allowed_ips = 1};
    memcpy(pa.public_key, p->pub_b, WG_KEY_LEN);
    wg_peer_config pb = {.has_endpoint = o->b_knows_a, .endpoint = p->ep_a,
                         .persistent_keepalive = o->keepalive_b, .allowed_ips = &allow_a, .n_allowed_ips = 1};
    memcpy(pb.public_key, p->pub_a, WG_KEY_LEN);
    if (o->psk) {
        pa.has_psk = pb.has_psk = true;
        memset(pa.psk, 0x42, WG_KEY_LEN);
        memset(pb.psk, 0x42, WG_KEY_LEN);
    }
    p->a_peer = wg_device_add_peer(p->a, &pa, 0);
    p->b_peer = wg_device_add_peer(p->b, &pb, 0);
}

void pair_free(wg_pair *p)
{
    wg_device_free(p->a);
    wg_device_free(p->b);
    fh_free(&p->ha);
    fh_free(&p->hb);
}

static bool shuttle(wg_pair *p, fake_host *from, size_t *cursor, wg_device *to, fake_host *to_host,
                    const wg_endpoint *to_ep, uint32_t to_if, const wg_endpoint *from_ep, bool cut, bool nat,
                    const wg_endpoint *nat_ep)
{
    bool any = false;
    while (*cursor < from->n_sent) {
        /* Copy: the receive may append to from->sent (realloc). */
        fh_sent s = from->sent[(*cursor)++];
        any = true;
        if (s.result != WG_SEND_OK || cut || !wg_endpoint_eq(&s.dst, to_ep))
            continue;
        wg_source local = {.addr = s.dst.ip, .ifindex = to_if};
        wg_endpoint remote = {.ip = s.src.addr.family ? s.src.addr : from->default_src, .port = from_ep->port};
        if (nat)
            remote = *nat_ep;
        uint8_t *copy = malloc(s.len ? s.len : 1);
        memcpy(copy, s.data, s.len);
        to_host->now = p->now;
        wg_device_receive(to, p->now, &local, &remote, copy, s.len);
        free(copy);
    }
    return any;
}

void pair_flush(wg_pair *p)
{
    p->ha.now = p->hb.now = p->now;
    for (int guard = 0; guard < 1000; guard++) {
        bool any = shuttle(p, &p->ha, &p->fwd_a, p->b, &p->hb, &p->ep_b, p->if_b, &p->ep_a, p->cut_ab, p->nat_a,
                           &p->nat_a_ep);
        any |= shuttle(p, &p->hb, &p->fwd_b, p->a, &p->ha, &p->ep_a, p->if_a, &p->ep_b, p->cut_ba, false, NULL);
        if (!any)
            return;
    }
}

void pair_run_until(wg_pair *p, int64_t t)
{
    for (;;) {
        pair_flush(p);
        int64_t da = wg_device_next_deadline(p->a), db = wg_device_next_deadline(p->b);
        int64_t next = da < db ? da : db;
        if (next > t)
            break;
        if (next > p->now)
            p->now = next;
        p->ha.now = p->hb.now = p->now;
        if (da <= p->now)
            wg_device_tick(p->a, p->now);
        if (db <= p->now)
            wg_device_tick(p->b, p->now);
    }
    if (t > p->now)
        p->now = t;
    p->ha.now = p->hb.now = p->now;
}

wg_drop_reason pair_send_ab(wg_pair *p, size_t payload)
{
    uint8_t buf[2048];
    size_t n = fh_ip4_packet(buf, pair_tun_a, pair_tun_b, payload);
    p->ha.now = p->now;
    wg_drop_reason r = wg_device_send_inner(p->a, p->now, buf, n);
    pair_flush(p);
    return r;
}

wg_drop_reason pair_send_ba(wg_pair *p, size_t payload)
{
    uint8_t buf[2048];
    size_t n = fh_ip4_packet(buf, pair_tun_b, pair_tun_a, payload);
    p->hb.now = p->now;
    wg_drop_reason r = wg_device_send_inner(p->b, p->now, buf, n);
    pair_flush(p);
    return r;
}
