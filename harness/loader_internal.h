/*
 * loader_internal.h — what the loader's files share: the state of one load
 * (L), the located-error helpers, the typed readers of loader_values.c and
 * the passes each loader_*.c section provides to loader.c. Not part of the
 * public API; included only by harness/loader*.c.
 *
 * Conventions kept by every reader: a value that is wrong is reported once,
 * at its own line:column (or at the `like:` that copied it), and the reader
 * returns false / -1 so that the checks depending on it are skipped.
 */
#ifndef HARNESS_LOADER_INTERNAL_H
#define HARNESS_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/internal.h"

/* One load in progress. */
typedef struct L {
    hs_arena *a;        /* the scenario's: what it keeps */
    hs_arena *t;        /* the YAML tree, `count:` and `like:` copies, load-time indexes: freed after loading */
    hs_diag *d;
    hs_scenario *s;
    yd_node **trees;    /* merged node trees, by node index */
    const char **node_names;
    /* Names to indexes (name_index.c): every reference is resolved in
     * constant time, so loading is linear in the size of the file. */
    hs_index node_index, seg_index;
    hs_index *iface_index, *gw_index, *group_index; /* by node index */
    hs_index copy_errors; /* positions in `count:` templates already reported */
    size_t count_made;    /* YAML values made by `count:` so far (HS_MAX_COUNT_VALUES) */
    bool count_failed;    /* a template made no copies (reported): what it would have made is missing */
    int *like_state;    /* 0 new, 1 resolving, 2 done, 3 failed (reported; the node is not loaded) */
    int *like_root;     /* key-derivation node */
    /* `duration:` was given but invalid: checks against it (events and
     * expectations inside [0, duration]) are skipped rather than reported
     * against the default, which would be an error the user did not make. */
    bool duration_bad;
    /* `traffic:` is not a list or an item of it was left out: tunnel
     * expectations' ping numbers are not checked against what was left,
     * which added 'traffic has no ping number 0' to the one real mistake. */
    bool traffic_bad;
} L;

/* hs_scenario.index_ and hs_wg.index_: what the public lookups use. */
typedef struct ld_scenario_index {
    hs_index nodes, segments;
} ld_scenario_index;
typedef struct ld_wg_index {
    hs_index names;       /* `name:` (or the node's name) */
    hs_index keys;        /* the 32 bytes of the public key */
} ld_wg_index;

/* ---- errors (loader_values.c) ---- */

/* At the value n (err) or at its key (err_key). */
__attribute__((format(printf, 3, 4))) void ld_err(L *l, const yd_node *n, const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void ld_err_key(L *l, const yd_node *n, const char *fmt, ...);
/* false when loc already has its error (count: templates); with add, loc
 * is marked as having one. */
bool ld_explained(L *l, hs_loc loc, bool add);
/* About n, at a place inside it (a column of a `do:` command). */
__attribute__((format(printf, 4, 5))) void ld_err_at(L *l, const yd_node *n, hs_loc at, const char *fmt, ...);
/* Writes "; did you mean 'x'?" or, with list, " (valid: a, b, c)" into buf. */
const char *ld_hint(L *l, const char *word, const char *const *cands, size_t n, bool list, char *buf, size_t len);
/* The key a value sits under, else `what`: the prefix of its messages. */
const char *ld_label(const yd_node *v, const char *what);

/* ---- shapes ---- */

bool ld_is_null(const yd_node *n);
size_t ld_count_keys(const char *const *keys); /* length of a NULL-terminated list */
/* A mapping with only `keys` (NULL-terminated); null counts as empty. */
bool ld_check_map(L *l, const yd_node *n, const char *what, const char *const *keys);
bool ld_check_seq(L *l, const yd_node *n, const char *what);
bool ld_require(L *l, const yd_node *map, const char *key, const char *what);

/* ---- scalars ---- */

const char *ld_scalar(L *l, const yd_node *v, const char *what);
bool ld_valid_name(const char *s);
bool ld_name_ok(L *l, const char *name, const yd_node *at_key_of, const char *what);
bool ld_get_name(L *l, const yd_node *v, const char *what, const char **out);
bool ld_get_u64(L *l, const yd_node *v, uint64_t min, uint64_t max, const char *what, uint64_t *out);
bool ld_get_port(L *l, const yd_node *v, uint16_t *out);
bool ld_get_duration(L *l, const yd_node *v, hs_time *out);
bool ld_get_percent(L *l, const yd_node *v, double *out);
bool ld_get_bool(L *l, const yd_node *v, bool *out);
bool ld_get_ip(L *l, const yd_node *v, wg_ip *out);
/* need_len: an interface address must say its prefix length. */
bool ld_get_prefix(L *l, const yd_node *v, bool need_len, wg_prefix *out);
/* An IPv4 interface address: not the network or broadcast address of its prefix. */
bool ld_get_host_prefix(L *l, const yd_node *v, wg_prefix *res);
bool ld_get_endpoint(L *l, const yd_node *v, wg_endpoint *out);
bool ld_get_addr_match(L *l, const yd_node *v, hs_addr_match *out);
bool ld_get_key(L *l, const yd_node *v, uint8_t key[WG_KEY_LEN]);
bool ld_get_enum(L *l, const yd_node *v, const char *const *names, int *out);
bool ld_get_cmp(L *l, const yd_node *v, hs_unit unit, hs_cmp *out);
bool ld_get_proto(L *l, const yd_node *v, hs_proto *out);
bool ld_get_platform(L *l, const yd_node *v, wg_platform *out);
/* A time inside [0, duration] (not checked when the duration was bad). */
bool ld_check_time(L *l, const yd_node *v, hs_time t, const char *what);

/* ---- references ---- */

int ld_name_index(const char *const *names, size_t n, const char *s);
/* The names of n model items (segments, nodes, interfaces, gateways, ...:
 * each struct starts with its `const char *name`) as an array, for a
 * did-you-mean. */
const char **ld_names(L *l, const void *base, size_t stride, size_t n);
/* Resolves a reference through idx; on a miss reports it with a
 * did-you-mean among the n items at base. */
int ld_resolve(L *l, const yd_node *v, const hs_index *idx, const void *base, size_t stride, size_t n,
               const char *what, const char *where);
/* A node (-1 also for a node whose `like:` failed: it was not loaded). */
int ld_resolve_node(L *l, const yd_node *v);
int ld_resolve_segment(L *l, const yd_node *v);
int ld_resolve_iface(L *l, const hs_node *n, const yd_node *v);
int ld_resolve_gateway(L *l, const hs_node *n, const yd_node *v);
/* The yd node of a value inside a node's tree, for error locations:
 * path of keys, NULL-terminated; "#i" picks a list item. */
const yd_node *ld_tree_at(const L *l, int ni, ...);

/* ---- the sections, in the order loader.c runs them ---- */

/* Replaces every entry with `count:` by its copies (loader_count.c). */
void ld_expand_counts(L *l, yd_node *root);
void ld_load_segments(L *l, const yd_node *v);                    /* loader_segments.c */
void ld_resolve_like(L *l, int i, yd_node *orig);                 /* loader_nodes.c */
void ld_load_node(L *l, int ni);
void ld_load_ifaces(L *l, hs_node *n, const yd_node *v);
void ld_load_carp(L *l, hs_node *n, const yd_node *v);            /* loader_firewall.c */
void ld_load_gateways(L *l, hs_node *n, const yd_node *v);
void ld_load_groups(L *l, hs_node *n, const yd_node *v);
void ld_load_routes(L *l, hs_node *n, const yd_node *v);
void ld_load_pfsync(L *l, hs_node *n, const yd_node *v);
void ld_load_firewall(L *l, hs_node *n, const yd_node *v);
void ld_load_nat(L *l, hs_node *n, const yd_node *v);
void ld_load_filter(L *l, hs_node *n, const yd_node *v);
void ld_load_wireguard(L *l, hs_node *n, int ni, const yd_node *v); /* loader_wireguard.c */
void ld_resolve_peers(L *l);
void ld_check_addresses(L *l);                                    /* loader_addresses.c */
void ld_check_segment_sizes(L *l);
void ld_check_pfsync(L *l);                                       /* loader_firewall.c */
void ld_load_traffic(L *l, const yd_node *v);                     /* loader_traffic.c */
void ld_load_events(L *l, const yd_node *v);                      /* loader_events.c */
void ld_load_expect(L *l, const yd_node *v);                      /* loader_expect.c */

#endif
