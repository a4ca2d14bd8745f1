/*
 * allowedips.c — path-compressed binary trie for cryptokey routing.
 *
 * Each node holds a masked prefix (bits, cidr) and optionally a peer. A
 * node's children extend its prefix: child[b] holds prefixes whose bit at
 * position `cidr` is b. Nodes without a peer exist only as branch points
 * and always have two children (they are pruned otherwise).
 */
#include "wgnode/allowedips.h"

#include <stdlib.h>
#include <string.h>

struct wg_aip_node {
    struct wg_aip_node *child[2];
    struct wg_peer *peer;
    uint8_t bits[16];
    uint8_t cidr;
};

static unsigned max_bits(uint8_t family) { return family == 4 ? 32u : 128u; }

static unsigned bit_at(const uint8_t *key, unsigned i) { return (key[i / 8] >> (7 - i % 8)) & 1u; }

/* Number of leading bits a and b share, at most limit. */
static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned limit)
{
    unsigned n = 0;
    for (unsigned byte = 0; n < limit; byte++) {
        uint8_t x = a[byte] ^ b[byte];
        if (x == 0) {
            n += 8;
            continue;
        }
        while (!(x & 0x80)) {
            x = (uint8_t)(x << 1);
            n++;
        }
        break;
    }
    return n < limit ? n : limit;
}

static void mask_bits(uint8_t *bits, unsigned cidr, unsigned total)
{
    for (unsigned i = cidr; i < total; i++)
        bits[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static struct wg_aip_node *node_new(const uint8_t *bits, unsigned cidr, struct wg_peer *peer)
{
    struct wg_aip_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    memcpy(n->bits, bits, 16);
    mask_bits(n->bits, cidr, 128);
    n->cidr = (uint8_t)cidr;
    n->peer = peer;
    return n;
}

void wg_allowedips_init(wg_allowedips *t) { memset(t, 0, sizeof *t); }

/* ---- the IPv4 /32 table ---- */

/* The /32 table's first size: a host's device holds one or two /32s. */
#define HOST4_FIRST_CAP 4

static struct wg_peer *host_find(const wg_allowedips *t, uint32_t key)
{
    const wg_u32map_slot *s = wg_u32map_find(&t->host4, key);
    return s ? s->val : NULL;
}

static bool host_put(wg_allowedips *t, uint32_t key, struct wg_peer *peer)
{
    wg_u32map_slot *s = wg_u32map_find(&t->host4, key);
    if (s) {
        s->val = peer;
        return true;
    }
    if (!wg_u32map_reserve(&t->host4, HOST4_FIRST_CAP))
        return false;
    wg_u32map_put_new(&t->host4, key, peer);
    return true;
}

static void host_del(wg_allowedips *t, uint32_t key)
{
    wg_u32map_slot *s = wg_u32map_find(&t->host4, key);
    if (s)
        wg_u32map_del(&t->host4, s);
}

static uint32_t node_key4(const struct wg_aip_node *n)
{
    return (uint32_t)n->bits[0] << 24 | (uint32_t)n->bits[1] << 16 | (uint32_t)n->bits[2] << 8 | n->bits[3];
}

static void free_tree(struct wg_aip_node *n)
{
    if (!n)
        return;
    free_tree(n->child[0]);
    free_tree(n->child[1]);
    free(n);
}

void wg_allowedips_free(wg_allowedips *t)
{
    free_tree(t->root4);
    free_tree(t->root6);
    wg_u32map_free(&t->host4);
    memset(t, 0, sizeof *t);
}

static bool trie_insert(wg_allowedips *t, const wg_prefix *p, struct wg_peer *peer);

bool wg_allowedips_insert(wg_allowedips *t, const wg_prefix *p, struct wg_peer *peer)
{
    if (!trie_insert(t, p, peer))
        return false;
    if (p->ip.family == 4 && p->len == 32 && !host_put(t, wg_ip4_to_u32(&p->ip), peer)) {
        /* Without its table entry the /32 would still be found by the
         * walk; but a table that misses entries is not one to keep. */
        wg_allowedips_remove_by_peer(t, peer);
        return false;
    }
    return true;
}

static bool trie_insert(wg_allowedips *t, const wg_prefix *p, struct wg_peer *peer)
{
    if (!peer || (p->ip.family != 4 && p->ip.family != 6))
        return false;
    unsigned total = max_bits(p->ip.family);
    if (p->len > total)
        return false;
    unsigned cidr = p->len;
    uint8_t key[16] = {0};
    memcpy(key, p->ip.b, total / 8);
    mask_bits(key, cidr, total);

    struct wg_aip_node **link = p->ip.family == 4 ? &t->root4 : &t->root6;
    for (;;) {
        struct wg_aip_node *n = *link;
        if (!n) {
            *link = node_new(key, cidr, peer);
            return *link != NULL;
        }
        unsigned limit = n->cidr < cidr ? n->cidr : cidr;
        unsigned common = common_bits(n->bits, key, limit);
        if (common == n->cidr && n->cidr == cidr) {
            n->peer = peer; /* same prefix: moves to the new owner */
            return true;
        }
        if (common == n->cidr) { /* n is a strict prefix of key: descend */
            link = &n->child[bit_at(key, n->cidr)];
            continue;
        }
        if (common == cidr) { /* key is a strict prefix of n: new node above n */
            struct wg_aip_node *m = node_new(key, cidr, peer);
            if (!m)
                return false;
            m->child[bit_at(n->bits, cidr)] = n;
            *link = m;
            return true;
        }
        /* They diverge before either ends: a branch node at `common`. */
        struct wg_aip_node *leaf = node_new(key, cidr, peer);
        struct wg_aip_node *branch = node_new(key, common, NULL);
        if (!leaf || !branch) {
            free(leaf);
            free(branch);
            return false;
        }
        branch->child[bit_at(n->bits, common)] = n;
        branch->child[bit_at(key, common)] = leaf;
        *link = branch;
        return true;
    }
}

/* Post-order: clear the peer's entries, then splice out nodes that carry no
 * peer and fewer than two children. */
static void remove_rec(wg_allowedips *t, struct wg_aip_node **link, const struct wg_peer *peer, bool v4)
{
    struct wg_aip_node *n = *link;
    if (!n)
        return;
    remove_rec(t, &n->child[0], peer, v4);
    remove_rec(t, &n->child[1], peer, v4);
    if (n->peer == peer) {
        n->peer = NULL;
        if (v4 && n->cidr == 32)
            host_del(t, node_key4(n));
    }
    if (!n->peer && !(n->child[0] && n->child[1])) {
        *link = n->child[0] ? n->child[0] : n->child[1];
        free(n);
    }
}

void wg_allowedips_remove_by_peer(wg_allowedips *t, const struct wg_peer *peer)
{
    remove_rec(t, &t->root4, peer, true);
    remove_rec(t, &t->root6, peer, false);
}

/* The IPv4 walk on 32-bit words: a hub looks up every packet it sends or
 * receives in a trie of one /32 per peer. The nodes it reads below the
 * first SHARED_LEVELS (those are shared by every lookup and stay in
 * cache) go to out when given, for a host's cache hints. */
enum { SHARED_LEVELS = 8 };
static inline struct wg_peer *walk4(const wg_allowedips *t, uint32_t k, const void **out, size_t max, size_t *n_out)
{
    struct wg_peer *best = NULL;
    size_t depth = 0;
    for (const struct wg_aip_node *n = t->root4; n; depth++) {
        if (out && depth >= SHARED_LEVELS && *n_out < max)
            out[(*n_out)++] = n;
        unsigned c = n->cidr;
        uint32_t nb = node_key4(n);
        uint32_t mask = c ? ~UINT32_C(0) << (32 - c) : 0;
        if ((k ^ nb) & mask)
            break;
        if (n->peer)
            best = n->peer;
        if (c >= 32)
            break;
        n = n->child[(k >> (31 - c)) & 1];
    }
    return best;
}

size_t wg_allowedips_path(const wg_allowedips *t, const wg_ip *ip, const void **out, size_t max)
{
    size_t n = 0;
    if (ip->family != 4 || !max)
        return 0;
    uint32_t k = wg_ip4_to_u32(ip);
    if (t->host4.n) {
        const wg_u32map_slot *h = wg_u32map_find(&t->host4, k);
        out[n++] = h ? (const void *)h : (const void *)&t->host4.slots[wg_u32map_home(k, t->host4.cap)];
        if (h)
            return n;
    }
    walk4(t, k, out, max, &n);
    return n;
}

struct wg_peer *wg_allowedips_lookup(const wg_allowedips *t, const wg_ip *ip)
{
    if (ip->family != 4 && ip->family != 6)
        return NULL;
    if (ip->family == 4) {
        uint32_t k = wg_ip4_to_u32(ip);
        struct wg_peer *h = host_find(t, k);
        return h ? h : walk4(t, k, NULL, 0, NULL);
    }
    struct wg_peer *best = NULL;
    unsigned total = max_bits(ip->family);
    uint8_t key[16] = {0};
    memcpy(key, ip->b, total / 8);
    const struct wg_aip_node *n = t->root6;
    while (n && common_bits(n->bits, key, n->cidr) == n->cidr) {
        if (n->peer)
            best = n->peer;
        if (n->cidr >= total)
            break;
        n = n->child[bit_at(key, n->cidr)];
    }
    return best;
}

static void list_rec(const struct wg_aip_node *n, uint8_t family, const struct wg_peer *peer, wg_prefix *out,
                     size_t max, size_t *count)
{
    if (!n)
        return;
    if (n->peer == peer) {
        if (*count < max) {
            wg_prefix *p = &out[*count];
            memset(p, 0, sizeof *p);
            p->ip.family = family;
            memcpy(p->ip.b, n->bits, family == 4 ? 4 : 16);
            p->len = n->cidr;
        }
        (*count)++;
    }
    list_rec(n->child[0], family, peer, out, max, count);
    list_rec(n->child[1], family, peer, out, max, count);
}

size_t wg_allowedips_list(const wg_allowedips *t, const struct wg_peer *peer, wg_prefix *out, size_t max)
{
    size_t count = 0;
    list_rec(t->root4, 4, peer, out, max, &count);
    list_rec(t->root6, 6, peer, out, max, &count);
    return count;
}
