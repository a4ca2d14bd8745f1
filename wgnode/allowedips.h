/*
 * allowedips.h — cryptokey routing table (whitepaper §2): a longest-prefix
 * trie per address family mapping prefixes to the peer that owns them.
 * Path-compressed binary trie (one node per stored prefix plus one per
 * branch point), so a /32 per peer costs at most two nodes — the 10,000-peer
 * hub must stay small (../shared/DESIGN.md, performance targets). Same
 * semantics as Linux drivers/net/wireguard/allowedips.c: inserting a prefix
 * that exists moves it to the new peer; lookup returns the most specific.
 */
#ifndef WGNODE_ALLOWEDIPS_H
#define WGNODE_ALLOWEDIPS_H

#include "wgnode/wgnode.h"
#include "wgnode/u32map.h"

struct wg_peer;
struct wg_aip_node;

typedef struct wg_allowedips {
    struct wg_aip_node *root4;
    struct wg_aip_node *root6;
    /* Every IPv4 /32 of the trie again, in an open-addressing table: a
     * /32 is the longest match there can be, so a hit is the answer, in
     * one line instead of a walk of log2(prefixes) nodes (a hub's road
     * warriors each own a /32). Same answers as the trie alone. */
    wg_u32map host4; /* the address (host order) -> its peer */
} wg_allowedips;

void wg_allowedips_init(wg_allowedips *t);
void wg_allowedips_free(wg_allowedips *t);
/* The trie nodes a lookup of ip reads below the shared top levels, as
 * addresses for a cache hint (prefetch.c); at most max. IPv4 only. */
size_t wg_allowedips_path(const wg_allowedips *t, const wg_ip *ip, const void **out, size_t max);
/* Host bits beyond p->len are ignored. false: bad family/length or out of memory. */
bool wg_allowedips_insert(wg_allowedips *t, const wg_prefix *p, struct wg_peer *peer);
/* Removes every prefix owned by peer. */
void wg_allowedips_remove_by_peer(wg_allowedips *t, const struct wg_peer *peer);
/* Longest match; NULL when nothing covers ip. */
struct wg_peer *wg_allowedips_lookup(const wg_allowedips *t, const wg_ip *ip);
/* Writes up to max prefixes of peer into out (may be NULL when max is 0) and
 * returns how many the peer owns in all. */
size_t wg_allowedips_list(const wg_allowedips *t, const struct wg_peer *peer, wg_prefix *out, size_t max);

#endif /* WGNODE_ALLOWEDIPS_H */
