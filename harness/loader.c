/*
 * loader.c — scenario YAML (yaml_doc.c's tree) to the hs_scenario model.
 *
 * Passes: top level; segments; node names; `like:` resolution (tree merge);
 * each node; cross-node checks (keys, `node:` peers, addresses, CARP,
 * pfsync); traffic; events (command parser); expectations. Errors never stop
 * a pass: every problem found is reported (hs_diag caps the count), each
 * with the line:column of the value at fault. A value copied by `like:` is
 * reported at the copying node's `like:` key, naming where it came from.
 *
 * The language is specified in docs/scenario-language.md; the defaults
 * filled in here are listed there too.
 */
#include "harness/internal.h"
#include "sim/sim.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct L {
    hs_arena *a;
    hs_diag *d;
    hs_scenario *s;
    yd_node **trees;    /* merged node trees, by node index */
    const char **node_names;
    const char **seg_names; /* by segment index, once the segments are loaded */
    int *like_state;    /* 0 new, 1 resolving, 2 done */
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

/* ------------------------------------------------------------------ */
/* errors                                                             */
/* ------------------------------------------------------------------ */

static void report(L *l, const yd_node *n, bool at_key, const char *fmt, va_list ap)
{
    char msg[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    hs_loc loc = n ? (at_key && n->key_loc.line ? n->key_loc : n->loc) : (hs_loc){0, 0};
    if (n && n->inherited.line)
        hs_diag_add(l->d, n->inherited, "%s (inherited through 'like:' from line %u:%u)", msg, loc.line, loc.col);
    else
        hs_diag_add(l->d, loc, "%s", msg);
}

__attribute__((format(printf, 3, 4))) static void err(L *l, const yd_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(l, n, false, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void err_key(L *l, const yd_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(l, n, true, fmt, ap);
    va_end(ap);
}

/* Adds "; did you mean 'x'?" or " (valid: a, b, c)" to buf. */
static const char *hint(L *l, const char *word, const char *const *cands, size_t n, bool list, char *buf,
                        size_t len)
{
    /* once errors are only counted, skip the search: a huge file full of bad
     * names must not cost names x errors edit distances */
    size_t limit = l->d->limit ? l->d->limit : HS_DIAG_DEFAULT_LIMIT;
    if (l->d->n >= limit) {
        buf[0] = '\0';
        return buf;
    }
    const char *best = hs_closest(word, cands, n);
    if (best) {
        snprintf(buf, len, "; did you mean '%s'?", best);
    } else if (list && n) {
        size_t off = (size_t)snprintf(buf, len, " (valid: ");
        for (size_t i = 0; i < n && off < len; i++)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", cands[i]);
        if (off < len)
            snprintf(buf + off, len - off, ")");
    } else {
        buf[0] = '\0';
    }
    return buf;
}

static const char *label(const yd_node *v, const char *what) { return v && v->key ? v->key : what; }

/* ------------------------------------------------------------------ */
/* shapes                                                             */
/* ------------------------------------------------------------------ */

static bool is_null(const yd_node *n) { return !n || (n->kind == YD_SCALAR && n->is_null); }

static size_t count_keys(const char *const *keys)
{
    size_t n = 0;
    while (keys[n])
        n++;
    return n;
}

/* A mapping with only `keys` (NULL-terminated); null counts as empty. */
static bool check_map(L *l, const yd_node *n, const char *what, const char *const *keys)
{
    if (is_null(n))
        return true;
    if (n->kind != YD_MAP) {
        err(l, n, "%s: expected a mapping, found %s", what, yd_kind_name(n));
        return false;
    }
    size_t nk = count_keys(keys);
    for (const yd_node *c = n->first; c; c = c->next) {
        bool ok = false;
        for (size_t i = 0; i < nk; i++)
            if (!strcmp(c->key, keys[i]))
                ok = true;
        if (!ok) {
            char h[400];
            err_key(l, c, "unknown key '%.60s' in %s%s", c->key, what, hint(l, c->key, keys, nk, true, h, sizeof h));
        }
    }
    return true;
}

static bool check_seq(L *l, const yd_node *n, const char *what)
{
    if (is_null(n))
        return true;
    if (n->kind != YD_SEQ) {
        err(l, n, "%s: expected a list, found %s", what, yd_kind_name(n));
        return false;
    }
    return true;
}

static bool require(L *l, const yd_node *map, const char *key, const char *what)
{
    if (yd_get(map, key))
        return true;
    err(l, map, "%s: missing required key '%s'", what, key);
    return false;
}

/* ------------------------------------------------------------------ */
/* scalars                                                            */
/* ------------------------------------------------------------------ */

static const char *scalar(L *l, const yd_node *v, const char *what)
{
    if (!v)
        return NULL;
    if (v->kind != YD_SCALAR || v->is_null) {
        err(l, v, "%s: expected %s, found %s", label(v, what), what, yd_kind_name(v));
        return NULL;
    }
    return v->str;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= HS_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

static bool name_ok(L *l, const char *name, const yd_node *at_key_of, const char *what)
{
    if (valid_name(name))
        return true;
    err_key(l, at_key_of, "'%.60s' is not a valid %s name (1-%d characters of A-Z a-z 0-9 . _ -)", name, what,
            HS_NAME_MAX - 1);
    return false;
}

static bool get_name(L *l, const yd_node *v, const char *what, const char **out)
{
    const char *s = scalar(l, v, what);
    if (!s)
        return false;
    if (!valid_name(s)) {
        err(l, v, "%s: '%.60s' is not a valid name (1-%d characters of A-Z a-z 0-9 . _ -)", label(v, what), s,
            HS_NAME_MAX - 1);
        return false;
    }
    *out = s;
    return true;
}

static bool get_u64(L *l, const yd_node *v, uint64_t min, uint64_t max, const char *what, uint64_t *out)
{
    const char *s = scalar(l, v, what);
    if (!s)
        return false;
    bool digits = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            digits = false;
    errno = 0;
    unsigned long long x = digits ? strtoull(s, NULL, 10) : 0;
    if (!digits || errno || x < min || x > max) {
        err(l, v, "%s: '%.60s' is not %s (an integer from %llu to %llu)", label(v, what), s, what,
            (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = x;
    return true;
}

static bool get_port(L *l, const yd_node *v, uint16_t *out)
{
    uint64_t x;
    if (!get_u64(l, v, 1, 65535, "a port", &x))
        return false;
    *out = (uint16_t)x;
    return true;
}

static bool get_duration(L *l, const yd_node *v, hs_time *out)
{
    const char *s = scalar(l, v, "a duration");
    if (!s)
        return false;
    if (!hs_parse_duration(s, out)) {
        bool bare = *s && strspn(s, "0123456789.") == strlen(s);
        err(l, v, "%s: '%.60s' is not a duration%s", label(v, "duration"), s,
            bare ? " (add a unit: ms, s, m or h, e.g. 10s)" : " (e.g. 250ms, 10s, 1.5s, 2m, 1h)");
        return false;
    }
    return true;
}

static bool get_percent(L *l, const yd_node *v, double *out)
{
    const char *s = scalar(l, v, "a percentage");
    if (!s)
        return false;
    if (!hs_parse_percent(s, out)) {
        err(l, v, "%s: '%.60s' is not a percentage from 0%% to 100%% (e.g. 0%%, 0.5%%)", label(v, "percentage"), s);
        return false;
    }
    return true;
}

static bool get_bool(L *l, const yd_node *v, bool *out)
{
    const char *s = scalar(l, v, "true or false");
    if (!s)
        return false;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
        *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
        *out = false;
    else {
        err(l, v, "%s: expected true or false, found '%.60s'", label(v, "value"), s);
        return false;
    }
    return true;
}

static bool get_ip(L *l, const yd_node *v, wg_ip *out)
{
    const char *s = scalar(l, v, "an address");
    if (!s)
        return false;
    if (!wg_ip_parse(s, out)) {
        err(l, v, "%s: '%.60s' is not an IP address", label(v, "address"), s);
        return false;
    }
    return true;
}

/* need_len: an interface address must say its prefix length. */
static bool get_prefix(L *l, const yd_node *v, bool need_len, wg_prefix *out)
{
    const char *s = scalar(l, v, "an address prefix");
    if (!s)
        return false;
    wg_prefix p;
    if (!wg_prefix_parse(s, &p)) {
        err(l, v, "%s: '%.60s' is not an address prefix (e.g. 10.0.0.1/24)", label(v, "prefix"), s);
        return false;
    }
    if (need_len && !strchr(s, '/')) {
        err(l, v, "%s: '%.60s' needs a prefix length (e.g. %s/24)", label(v, "address"), s, s);
        return false;
    }
    *out = p;
    return true;
}

/* An interface address: not the network or broadcast address of its prefix. */
static bool get_host_prefix(L *l, const yd_node *v, wg_prefix *res)
{
    wg_prefix tmp, *out = &tmp;
    if (!get_prefix(l, v, true, out))
        return false;
    if (out->ip.family == 6) {
        /* the simulator's network is IPv4-only (docs/models.md, "IPv4"):
         * the build refused such an address with a bare EINVAL */
        err(l, v, "%s: %s is IPv6; the simulated network is IPv4 only (IPv6 is not modelled yet)",
            label(v, "address"), scalar(l, v, "an address"));
        return false;
    }
    if (out->ip.family == 4 && out->len <= 30) {
        uint32_t a = wg_ip4_to_u32(&out->ip);
        uint32_t host = out->len ? ~(UINT32_MAX << (32 - out->len)) : UINT32_MAX;
        if ((a & host) == 0 || (a & host) == host) {
            char buf[WG_IP_STRLEN];
            err(l, v, "%s: %s is the %s address of its network, not a host address", label(v, "address"),
                wg_prefix_format(out, buf), (a & host) == 0 ? "network" : "broadcast");
            return false;
        }
    }
    *res = tmp;
    return true;
}

static bool get_endpoint(L *l, const yd_node *v, wg_endpoint *out)
{
    const char *s = scalar(l, v, "an endpoint");
    if (!s)
        return false;
    if (!wg_endpoint_parse(s, out)) {
        err(l, v, "%s: '%.60s' is not an endpoint ADDR:PORT (e.g. 192.0.2.1:51820)", label(v, "endpoint"), s);
        return false;
    }
    if (out->ip.family == 6) {
        /* a send to it failed (unreachable) at every attempt of the run */
        err(l, v, "%s: %.60s is IPv6; the simulated network is IPv4 only (IPv6 is not modelled yet)",
            label(v, "endpoint"), s);
        return false;
    }
    return true;
}

static bool get_addr_match(L *l, const yd_node *v, hs_addr_match *out)
{
    const char *s = scalar(l, v, "an address");
    if (!s)
        return false;
    wg_endpoint ep;
    memset(out, 0, sizeof *out);
    out->loc = v->loc;
    if (wg_endpoint_parse(s, &ep)) {
        out->ip = ep.ip;
        out->port = ep.port;
    } else if (!wg_ip_parse(s, &out->ip)) {
        err(l, v, "%s: '%.60s' is not an address or ADDR:PORT", label(v, "address"), s);
        return false;
    }
    out->set = true;
    return true;
}

static bool get_key(L *l, const yd_node *v, uint8_t key[WG_KEY_LEN])
{
    const char *s = scalar(l, v, "a key");
    if (!s)
        return false;
    if (!wg_key_from_base64(key, s)) {
        err(l, v, "%s: not a WireGuard key (44 characters of base64, as `wg genkey` prints)", label(v, "key"));
        return false;
    }
    return true;
}

static bool get_enum(L *l, const yd_node *v, const char *const *names, int *out)
{
    const char *s = scalar(l, v, "a keyword");
    if (!s)
        return false;
    size_t n = count_keys(names);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s)) {
            *out = (int)i;
            return true;
        }
    char h[300];
    err(l, v, "%s: '%.60s' is not one of the choices%s", label(v, "value"), s, hint(l, s, names, n, true, h, sizeof h));
    return false;
}

static bool get_cmp(L *l, const yd_node *v, hs_unit unit, hs_cmp *out)
{
    const char *s = scalar(l, v, "a comparison");
    if (!s)
        return false;
    if (!hs_parse_cmp(s, unit, out)) {
        static const char *const ex[] = {"'>= 1', '== 0' or a bare count", "'<= 5%' or '0%'", "'< 100ms' or '2s'"};
        err(l, v, "%s: '%.60s' is not a comparison (e.g. %s)", label(v, "value"), s, ex[unit]);
        return false;
    }
    out->loc = v->loc;
    return true;
}

static bool get_proto(L *l, const yd_node *v, hs_proto *out)
{
    static const char *const names[] = {"any", "icmp", "tcp", "udp", NULL};
    static const hs_proto vals[] = {HS_PROTO_ANY, HS_PROTO_ICMP, HS_PROTO_TCP, HS_PROTO_UDP};
    int i;
    if (!get_enum(l, v, names, &i))
        return false;
    *out = vals[i];
    return true;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(names[i], s))
            return (int)i;
    return -1;
}

/* Resolves a reference among names; reports with a did-you-mean. */
static int resolve(L *l, const yd_node *v, const char *const *names, size_t n, const char *what, const char *where)
{
    char a_name[64];
    snprintf(a_name, sizeof a_name, "a %s name", what);
    const char *s = scalar(l, v, a_name);
    if (!s)
        return -1;
    int i = name_index(names, n, s);
    if (i < 0) {
        char h[300];
        err(l, v, "unknown %s '%.60s'%s%s%s", what, s, where ? " " : "", where ? where : "",
            hint(l, s, names, n, false, h, sizeof h));
    }
    return i;
}

static int resolve_node(L *l, const yd_node *v)
{
    int i = resolve(l, v, l->node_names, l->s->n_nodes, "node", NULL);
    /* A node whose like: failed was not loaded (its error explains it):
     * what refers to it is not checked against the keys it lacks, which
     * added 'has no CARP vhid 1' and 'is not a firewall' to the one error. */
    if (i >= 0 && l->like_state && l->like_state[i] == 3)
        return -1;
    return i;
}

static int resolve_iface(L *l, const hs_node *n, const yd_node *v)
{
    const char **names = hs_alloc(l->a, (n->n_ifaces ? n->n_ifaces : 1) * sizeof *names);
    for (size_t i = 0; i < n->n_ifaces; i++)
        names[i] = n->ifaces[i].name;
    char where[HS_NAME_MAX + 16];
    snprintf(where, sizeof where, "on node '%s'", n->name);
    return resolve(l, v, names, n->n_ifaces, "interface", where);
}

/* ------------------------------------------------------------------ */
/* lookups (public)                                                   */
/* ------------------------------------------------------------------ */

int hs_find_node(const hs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].name && !strcmp(s->nodes[i].name, name))
            return (int)i;
    return -1;
}
int hs_find_segment(const hs_scenario *s, const char *name)
{
    for (size_t i = 0; i < s->n_segments; i++)
        if (!strcmp(s->segments[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_iface(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_ifaces; i++)
        if (!strcmp(n->ifaces[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_wg(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_wg; i++)
        if (!strcmp(n->wg[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_gateway(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_gateways; i++)
        if (n->gateways[i].name && !strcmp(n->gateways[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_group(const hs_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_groups; i++)
        if (n->groups[i].name && !strcmp(n->groups[i].name, name))
            return (int)i;
    return -1;
}
int hs_node_find_carp(const hs_node *n, uint8_t vhid)
{
    for (size_t i = 0; i < n->n_carp; i++)
        if (n->carp[i].vhid == vhid)
            return (int)i;
    return -1;
}
int hs_wg_find_peer(const hs_wg *w, const char *spec)
{
    uint8_t key[WG_KEY_LEN];
    bool is_key = strlen(spec) == 44 && wg_key_from_base64(key, spec);
    for (size_t i = 0; i < w->n_peers; i++) {
        if (w->peers[i].name && !strcmp(w->peers[i].name, spec))
            return (int)i;
        if (is_key && !memcmp(w->peers[i].public_key, key, WG_KEY_LEN))
            return (int)i;
    }
    return -1;
}

const char *hs_node_kind_name(hs_node_kind k)
{
    return k == HS_NODE_HOST ? "host" : k == HS_NODE_ROUTER ? "router" : "firewall";
}
const char *hs_proto_name(hs_proto p)
{
    return p == HS_PROTO_UDP ? "udp" : p == HS_PROTO_TCP ? "tcp" : p == HS_PROTO_ICMP ? "icmp" : "any";
}

static const char *const expect_kinds[] = {"packets", "no-packets", "endpoint", "handshake", "tunnel",
                                           "carp",    "gateway",    "state",    "route",     NULL};
const char *hs_expect_kind_name(hs_expect_kind k) { return (unsigned)k < 9 ? expect_kinds[k] : "?"; }

void hs_derive_key(uint8_t priv[WG_KEY_LEN], uint64_t seed, const char *node, const char *wg_iface)
{
    /* "wgsim-key" || LE64(seed) || node || 0 || iface: the separator keeps
     * ("ab","c") and ("a","bc") apart. */
    uint8_t buf[9 + 8 + 2 * HS_NAME_MAX + 1];
    size_t n = 0;
    memcpy(buf, "wgsim-key", 9);
    n = 9;
    for (int i = 0; i < 8; i++)
        buf[n++] = (uint8_t)(seed >> (8 * i));
    size_t ln = strnlen(node, HS_NAME_MAX), li = strnlen(wg_iface, HS_NAME_MAX);
    memcpy(buf + n, node, ln);
    n += ln;
    buf[n++] = 0;
    memcpy(buf + n, wg_iface, li);
    n += li;
    wg_blake2s(priv, WG_KEY_LEN, buf, n, NULL, 0);
    wg_key_clamp(priv);
}

/* ------------------------------------------------------------------ */
/* top level                                                          */
/* ------------------------------------------------------------------ */

static bool parse_platform(const char *s, wg_platform *out)
{
    static const char *const names[] = {"freebsd", "openbsd", "linux", "wireguard-go"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (wg_platform)i;
            return true;
        }
    return false;
}

static bool get_platform(L *l, const yd_node *v, wg_platform *out)
{
    static const char *const names[] = {"freebsd", "openbsd", "linux", "wireguard-go", NULL};
    const char *s = scalar(l, v, "a platform");
    if (!s)
        return false;
    if (parse_platform(s, out))
        return true;
    char h[200];
    err(l, v, "platform: unknown platform '%.60s'%s", s, hint(l, s, names, 4, true, h, sizeof h));
    return false;
}

static void load_segments(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    if (is_null(v))
        return;
    if (v->kind != YD_MAP) {
        err(l, v, "segments: expected a mapping of segment names, found %s", yd_kind_name(v));
        return;
    }
    s->segments = hs_alloc(l->a, v->count * sizeof *s->segments);
    static const char *const keys[] = {"delay", "jitter", "loss", "bandwidth", "mtu", "queue", NULL};
    for (const yd_node *c = v->first; c; c = c->next) {
        hs_segment *g = &s->segments[s->n_segments++];
        g->name = c->key;
        g->loc = c->key_loc;
        g->mtu = 1500;
        g->queue = 1000;
        name_ok(l, c->key, c, "segment");
        char what[HS_NAME_MAX + 16];
        snprintf(what, sizeof what, "segment '%s'", c->key);
        if (!check_map(l, c, what, keys))
            continue;
        const yd_node *x;
        uint64_t u;
        /* A bad delay or jitter has its error; comparing them would add a
         * second one about a value the user never wrote. */
        bool delay_ok = true, jitter_ok = true;
        if ((x = yd_get(c, "delay")))
            delay_ok = get_duration(l, x, &g->delay);
        if ((x = yd_get(c, "jitter")))
            jitter_ok = get_duration(l, x, &g->jitter);
        if ((x = yd_get(c, "loss")))
            get_percent(l, x, &g->loss);
        if ((x = yd_get(c, "bandwidth"))) {
            const char *bs = scalar(l, x, "a bandwidth");
            if (bs && !hs_parse_bandwidth(bs, &g->bandwidth))
                err(l, x, "bandwidth: '%.60s' is not a bandwidth (e.g. 10Mbit, 1Gbit, 512kbit)", bs);
        }
        if ((x = yd_get(c, "mtu")) && get_u64(l, x, 576, 65535, "an MTU", &u))
            g->mtu = (uint32_t)u;
        if ((x = yd_get(c, "queue")) && get_u64(l, x, 1, 1000000, "a queue length in packets", &u))
            g->queue = (uint32_t)u;
        if (delay_ok && jitter_ok && g->jitter > g->delay && yd_get(c, "jitter"))
            err(l, yd_get(c, "jitter"), "jitter: larger than the delay (packets would arrive before they leave)");
    }
}

/* ------------------------------------------------------------------ */
/* nodes: like: resolution                                            */
/* ------------------------------------------------------------------ */

static void resolve_like(L *l, int i, yd_node *orig)
{
    if (l->like_state[i] >= 2)
        return;
    if (l->like_state[i] == 1)
        return; /* cycle: reported by the caller */
    l->like_state[i] = 1;
    yd_node *tree = orig;
    l->like_root[i] = i;
    const yd_node *lk = orig && orig->kind == YD_MAP ? yd_get(orig, "like") : NULL;
    if (lk) {
        const char *target;
        int t = -1;
        if (get_name(l, lk, "a node name", &target)) {
            t = name_index(l->node_names, l->s->n_nodes, target);
            if (t < 0) {
                char h[200];
                err(l, lk, "like: unknown node '%.60s'%s", target,
                    hint(l, target, l->node_names, l->s->n_nodes, false, h, sizeof h));
            } else if (t == i) {
                err(l, lk, "like: a node cannot be like itself");
                t = -1;
            } else if (l->like_state[t] == 1) {
                err(l, lk, "like: cycle: '%s' is like '%s', which is (indirectly) like '%s'", l->node_names[i],
                    target, l->node_names[i]);
                t = -1;
            }
        }
        if (t < 0)
            l->like_state[i] = 3; /* reported: the node itself is not checked further */
        if (t >= 0) {
            resolve_like(l, t, l->trees[t]);
            /* like a node whose own like: failed (a cycle closing on this
             * node, an unknown name): that error explains both, so this
             * one is not checked either (it would lack 'kind:' and more) */
            if (l->like_state[t] == 3) {
                l->like_state[i] = 3;
                return;
            }
        }
        if (t >= 0) {
            if (l->trees[t] && l->trees[t]->kind == YD_MAP) {
                tree = yd_merge(l->a, l->trees[t], orig, lk->loc, "like");
                tree->key = orig->key;
                tree->key_loc = orig->key_loc;
                l->like_root[i] = l->like_root[t];
                l->s->nodes[i].like = t;
                l->s->nodes[i].like_loc = lk->loc;
            }
        }
    }
    l->trees[i] = tree;
    if (l->like_state[i] == 1)
        l->like_state[i] = 2;
}

/* ------------------------------------------------------------------ */
/* nodes: one node                                                    */
/* ------------------------------------------------------------------ */

static const char *const node_keys[] = {"kind",   "platform", "like",     "interfaces", "carp",
                                        "routes", "pfsync",   "wireguard", "nat",       "filter",
                                        "gateways", "gateway-groups", "firewall", NULL};

/* Bit i of wg_device_config.options is named hs_wg_option_names[i]
 * (wgnode.h, docs/wgnode.md "Named options"). */
const char *const hs_wg_option_names[] = {"bsd-handshake-keepalive-as-code", "linux-cookie-reply-as-code", NULL};

static void load_ifaces(L *l, hs_node *n, const yd_node *v)
{
    if (is_null(v))
        return;
    if (v->kind != YD_MAP) {
        err(l, v, "interfaces: expected a mapping of interface names, found %s", yd_kind_name(v));
        return;
    }
    static const char *const keys[] = {"segment", "address", "aliases", NULL};
    n->ifaces = hs_alloc(l->a, v->count * sizeof *n->ifaces);
    for (const yd_node *c = v->first; c; c = c->next) {
        hs_iface *f = &n->ifaces[n->n_ifaces++];
        f->name = c->key;
        f->loc = c->key_loc;
        f->segment = -1;
        name_ok(l, c->key, c, "interface");
        char what[2 * HS_NAME_MAX + 32];
        snprintf(what, sizeof what, "interface '%s' of node '%s'", c->key, n->name);
        if (!check_map(l, c, what, keys))
            continue;
        if (is_null(c)) {
            err(l, c, "%s: needs 'segment:' and 'address:'", what);
            continue;
        }
        const yd_node *x;
        if (require(l, c, "segment", what)) {
            x = yd_get(c, "segment");
            f->segment = resolve(l, x, l->seg_names, l->s->n_segments, "segment", NULL);
            f->segment_loc = x->loc;
        }
        if (require(l, c, "address", what)) {
            x = yd_get(c, "address");
            get_host_prefix(l, x, &f->address);
            f->address_loc = x->loc;
        }
        if ((x = yd_get(c, "aliases")) && check_seq(l, x, "aliases") && !is_null(x)) {
            f->aliases = hs_alloc(l->a, x->count * sizeof *f->aliases);
            f->alias_locs = hs_alloc(l->a, x->count * sizeof *f->alias_locs);
            for (const yd_node *a = x->first; a; a = a->next) {
                if (get_host_prefix(l, a, &f->aliases[f->n_aliases])) {
                    f->alias_locs[f->n_aliases] = a->loc;
                    f->n_aliases++;
                }
            }
        }
    }
}

static void load_carp(L *l, hs_node *n, const yd_node *v)
{
    if (!check_seq(l, v, "carp") || is_null(v))
        return;
    static const char *const keys[] = {"interface", "vhid", "address", "advskew", "advbase", "password", NULL};
    n->carp = hs_alloc(l->a, v->count * sizeof *n->carp);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "carp entry", keys) || is_null(c)) {
            if (is_null(c))
                err(l, c, "carp entry: expected a mapping, found nothing");
            continue;
        }
        hs_carp *k = &n->carp[n->n_carp++];
        k->loc = c->loc;
        k->iface = -1;
        k->advbase = 1;
        const yd_node *x;
        uint64_t u;
        if (require(l, c, "interface", "carp entry")) {
            x = yd_get(c, "interface");
            k->iface = resolve_iface(l, n, x);
            k->iface_loc = x->loc;
        }
        if (require(l, c, "vhid", "carp entry")) {
            x = yd_get(c, "vhid");
            if (get_u64(l, x, 1, 255, "a vhid", &u))
                k->vhid = (uint8_t)u;
            k->vhid_loc = x->loc;
            for (size_t j = 0; j + 1 < n->n_carp; j++)
                if (k->vhid && n->carp[j].vhid == k->vhid)
                    err(l, x, "vhid %u is used twice on node '%s'", k->vhid, n->name);
        }
        if (require(l, c, "address", "carp entry")) {
            x = yd_get(c, "address");
            get_host_prefix(l, x, &k->address);
            k->address_loc = x->loc;
        }
        if ((x = yd_get(c, "advskew")) && get_u64(l, x, 0, 254, "an advskew", &u))
            k->advskew = (uint8_t)u;
        if ((x = yd_get(c, "advbase")) && get_u64(l, x, 1, 255, "an advbase in seconds", &u))
            k->advbase = (uint8_t)u;
        if ((x = yd_get(c, "password")))
            k->password = scalar(l, x, "a string");
    }
}

static void load_gateways(L *l, hs_node *n, const yd_node *v)
{
    if (!check_seq(l, v, "gateways") || is_null(v))
        return;
    static const char *const keys[] = {"name",        "interface",    "address",     "monitor",   "interval",
                                       "loss-interval", "time-period", "latency-low", "latency-high", "loss-low",
                                       "loss-high",   NULL};
    n->gateways = hs_alloc(l->a, v->count * sizeof *n->gateways);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "gateway", keys) || is_null(c))
            continue;
        hs_gateway *g = &n->gateways[n->n_gateways++];
        g->loc = c->loc;
        g->iface = -1;
        /* dpinger / pfSense defaults: reference/ha-model.md §3 */
        g->interval = 500 * HS_MS;
        g->loss_interval = 2000 * HS_MS;
        g->time_period = 60 * HS_S;
        g->latency_low = 200 * HS_MS;
        g->latency_high = 500 * HS_MS;
        g->loss_low = 10;
        g->loss_high = 20;
        const yd_node *x;
        if (require(l, c, "name", "gateway")) {
            x = yd_get(c, "name");
            const char *nm;
            if (get_name(l, x, "a gateway name", &nm)) {
                if (hs_node_find_gateway(n, nm) >= 0)
                    err(l, x, "gateway '%s' is defined twice on node '%s'", nm, n->name);
                g->name = nm;
            }
        }
        if (require(l, c, "interface", "gateway")) {
            x = yd_get(c, "interface");
            g->iface = resolve_iface(l, n, x);
            g->iface_loc = x->loc;
        }
        if (require(l, c, "address", "gateway")) {
            x = yd_get(c, "address");
            /* an interface whose address was invalid has its own error */
            if (get_ip(l, x, &g->address) && g->iface >= 0 && n->ifaces[g->iface].address.ip.family &&
                !wg_prefix_contains(&n->ifaces[g->iface].address, &g->address)) {
                char b[WG_IP_STRLEN];
                err(l, x, "address: gateway %s is not in the network of interface '%s' (%s)", x->str,
                    n->ifaces[g->iface].name, wg_prefix_format(&n->ifaces[g->iface].address, b));
            }
            g->address_loc = x->loc;
        }
        g->monitor = g->address;
        if ((x = yd_get(c, "monitor")))
            get_ip(l, x, &g->monitor);
        if ((x = yd_get(c, "interval")))
            get_duration(l, x, &g->interval);
        if ((x = yd_get(c, "loss-interval")))
            get_duration(l, x, &g->loss_interval);
        if ((x = yd_get(c, "time-period")))
            get_duration(l, x, &g->time_period);
        if ((x = yd_get(c, "latency-low")))
            get_duration(l, x, &g->latency_low);
        if ((x = yd_get(c, "latency-high")))
            get_duration(l, x, &g->latency_high);
        if ((x = yd_get(c, "loss-low")))
            get_percent(l, x, &g->loss_low);
        if ((x = yd_get(c, "loss-high")))
            get_percent(l, x, &g->loss_high);
        if (g->interval <= 0 && (x = yd_get(c, "interval")))
            err(l, x, "interval: must be more than 0");
    }
}

static void load_groups(L *l, hs_node *n, const yd_node *v)
{
    if (!check_seq(l, v, "gateway-groups") || is_null(v))
        return;
    static const char *const keys[] = {"name", "members", "trigger", NULL};
    static const char *const mkeys[] = {"gateway", "tier", NULL};
    static const char *const triggers[] = {"down", "loss", "latency", "loss-or-latency", NULL};
    n->groups = hs_alloc(l->a, v->count * sizeof *n->groups);
    const char **gwnames = hs_alloc(l->a, (n->n_gateways ? n->n_gateways : 1) * sizeof *gwnames);
    size_t ng = n->n_gateways;
    for (size_t i = 0; i < ng; i++)
        gwnames[i] = n->gateways[i].name;
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "gateway group", keys) || is_null(c))
            continue;
        hs_gw_group *g = &n->groups[n->n_groups++];
        g->loc = c->loc;
        const yd_node *x;
        if (require(l, c, "name", "gateway group")) {
            x = yd_get(c, "name");
            const char *nm;
            if (get_name(l, x, "a group name", &nm)) {
                if (hs_node_find_group(n, nm) >= 0 || hs_node_find_gateway(n, nm) >= 0)
                    err(l, x, "name '%s' is already a gateway or group of node '%s'", nm, n->name);
                g->name = nm;
            }
        }
        int t;
        if ((x = yd_get(c, "trigger")) && get_enum(l, x, triggers, &t))
            g->trigger = (hs_gw_trigger)t;
        if (require(l, c, "members", "gateway group")) {
            x = yd_get(c, "members");
            if (check_seq(l, x, "members") && !is_null(x)) {
                g->members = hs_alloc(l->a, x->count * sizeof *g->members);
                for (const yd_node *m = x->first; m; m = m->next) {
                    if (!check_map(l, m, "group member", mkeys) || is_null(m))
                        continue;
                    hs_gw_member *mb = &g->members[g->n_members++];
                    mb->loc = m->loc;
                    mb->tier = 1;
                    mb->gateway = -1;
                    const yd_node *y;
                    char where[HS_NAME_MAX + 16];
                    snprintf(where, sizeof where, "on node '%s'", n->name);
                    if (require(l, m, "gateway", "group member"))
                        mb->gateway = resolve(l, yd_get(m, "gateway"), gwnames, ng, "gateway", where);
                    uint64_t u;
                    if ((y = yd_get(m, "tier")) && get_u64(l, y, 1, 5, "a tier", &u))
                        mb->tier = (int)u;
                }
            }
        }
    }
}

static void load_routes(L *l, hs_node *n, const yd_node *v)
{
    if (!check_seq(l, v, "routes") || is_null(v))
        return;
    static const char *const keys[] = {"to", "via", NULL};
    n->routes = hs_alloc(l->a, v->count * sizeof *n->routes);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "route", keys) || is_null(c))
            continue;
        hs_route *r = &n->routes[n->n_routes++];
        r->loc = c->loc;
        r->via_index = -1;
        const yd_node *x;
        if (require(l, c, "to", "route")) {
            x = yd_get(c, "to");
            r->to_loc = x->loc;
            const char *s = scalar(l, x, "'default' or a prefix");
            if (s && !strcmp(s, "default")) {
                r->is_default = true;
                wg_prefix_parse("0.0.0.0/0", &r->to);
            } else if (s && get_prefix(l, x, false, &r->to)) {
                r->is_default = r->to.len == 0; /* 0.0.0.0/0 is the default route */
            }
        }
        if (require(l, c, "via", "route")) {
            x = yd_get(c, "via");
            r->via_loc = x->loc;
            const char *s = scalar(l, x, "an address, gateway or gateway group");
            if (!s)
                continue;
            if (wg_ip_parse(s, &r->via_addr)) {
                r->via_kind = HS_VIA_ADDR;
                /* With an interface address invalid (its own error) the
                 * node's networks are unknown: no verdict on the gateway. */
                bool onlink = false, unknown = false;
                for (size_t i = 0; i < n->n_ifaces; i++) {
                    if (!n->ifaces[i].address.ip.family)
                        unknown = true;
                    else if (wg_prefix_contains(&n->ifaces[i].address, &r->via_addr))
                        onlink = true;
                }
                if (!onlink && !unknown && n->n_ifaces)
                    err(l, x, "via: %s is not on any network of node '%s'", s, n->name);
            } else if ((r->via_index = hs_node_find_gateway(n, s)) >= 0) {
                r->via_kind = HS_VIA_GATEWAY;
            } else if ((r->via_index = hs_node_find_group(n, s)) >= 0) {
                r->via_kind = HS_VIA_GROUP;
            } else {
                const char *names[512];
                size_t k = 0;
                for (size_t i = 0; i < n->n_gateways && k < 512; i++)
                    names[k++] = n->gateways[i].name;
                for (size_t i = 0; i < n->n_groups && k < 512; i++)
                    names[k++] = n->groups[i].name;
                char h[300];
                err(l, x, "via: '%.60s' is not an address, nor a gateway or gateway group of node '%s'%s", s, n->name,
                    hint(l, s, names, k, false, h, sizeof h));
            }
        }
    }
}

static void load_pfsync(L *l, hs_node *n, const yd_node *v)
{
    if (is_null(v))
        return;
    static const char *const keys[] = {"peer", "lag", "flush-interval", "defer", "bulk", "interface", NULL};
    n->pfsync.loc = v->loc;
    n->pfsync.peer = -1;
    const yd_node *peer = v;
    if (v->kind == YD_MAP) {
        check_map(l, v, "pfsync", keys);
        if (!require(l, v, "peer", "pfsync"))
            return;
        peer = yd_get(v, "peer");
        const yd_node *x;
        if ((x = yd_get(v, "lag")))
            get_duration(l, x, &n->pfsync.lag);
        if ((x = yd_get(v, "flush-interval"))) {
            n->pfsync.has_options = true;
            if (get_duration(l, x, &n->pfsync.flush_interval) && n->pfsync.flush_interval <= 0) {
                err(l, x, "flush-interval: must be more than 0");
                n->pfsync.flush_interval = 0;
            }
        }
        if ((x = yd_get(v, "defer"))) {
            n->pfsync.has_options = true;
            get_bool(l, x, &n->pfsync.defer);
        }
        if ((x = yd_get(v, "bulk"))) {
            n->pfsync.has_options = true;
            get_bool(l, x, &n->pfsync.bulk);
        }
        if ((x = yd_get(v, "interface"))) {
            n->pfsync.has_options = true;
            n->pfsync.sync_iface = resolve_iface(l, n, x);
        }
    } else if (v->kind != YD_SCALAR) {
        err(l, v, "pfsync: expected a node name or {peer: NODE, lag: DURATION}, found %s", yd_kind_name(v));
        return;
    }
    n->pfsync.enabled = true;
    n->pfsync.peer_loc = peer->loc;
    n->pfsync.peer = resolve_node(l, peer);
}

static void load_firewall(L *l, hs_node *n, const yd_node *v)
{
    static const char *const keys[] = {"state-policy", "reply-to", "auto-route-to", "carp-preempt", NULL};
    static const char *const policies[] = {"if-bound", "floating", NULL};
    if (!check_map(l, v, "firewall", keys) || is_null(v))
        return;
    n->fw.loc = v->loc;
    const yd_node *x;
    int e;
    if ((x = yd_get(v, "state-policy")) && get_enum(l, x, policies, &e))
        n->fw.floating_states = e == 1;
    if ((x = yd_get(v, "reply-to")))
        get_bool(l, x, &n->fw.reply_to);
    if ((x = yd_get(v, "auto-route-to")))
        get_bool(l, x, &n->fw.auto_route_to);
    if ((x = yd_get(v, "carp-preempt")))
        get_bool(l, x, &n->fw.carp_preempt);
}

static void load_wg_options(L *l, hs_wg *w, const yd_node *v)
{
    if (is_null(v))
        return;
    w->options_loc = v->loc;
    const yd_node *one = v->kind == YD_SCALAR ? v : NULL;
    if (!one && !check_seq(l, v, "options"))
        return;
    size_t n = count_keys(hs_wg_option_names);
    for (const yd_node *c = one ? one : v->first; c; c = one ? NULL : c->next) {
        const char *s = scalar(l, c, "an option name");
        if (!s)
            continue;
        int i = name_index(hs_wg_option_names, n, s);
        if (i < 0) {
            char h[300];
            err(l, c, "options: unknown option '%.60s'%s", s, hint(l, s, hs_wg_option_names, n, true, h, sizeof h));
        } else if (w->options & (1u << i)) {
            err(l, c, "options: '%s' is given twice", s);
        } else {
            w->options |= 1u << i;
        }
    }
}

static bool get_source_spec(L *l, const yd_node *x, bool *self, bool *has, wg_prefix *p)
{
    const char *s = scalar(l, x, "'self', 'any' or a prefix");
    if (!s)
        return false;
    if (!strcmp(s, "self"))
        *self = true;
    else if (!strcmp(s, "any"))
        *has = false;
    else if (get_prefix(l, x, false, p))
        *has = true;
    else
        return false;
    return true;
}

static void load_nat(L *l, hs_node *n, const yd_node *v)
{
    static const char *const keys[] = {"outbound", "forward", NULL};
    static const char *const okeys[] = {"interface",   "source",        "protocol",  "source-port", "destination",
                                        "destination-port", "translate", "static-port", "mapping",   "udp-timeout",
                                        NULL};
    static const char *const fkeys[] = {"interface", "protocol", "port", "to", NULL};
    static const char *const mappings[] = {"default", "endpoint-independent", "symmetric", "pf", NULL};
    if (!check_map(l, v, "nat", keys) || is_null(v))
        return;
    const yd_node *ob = yd_get(v, "outbound"), *fw = yd_get(v, "forward");
    if (ob && check_seq(l, ob, "outbound") && !is_null(ob)) {
        n->nat_outbound = hs_alloc(l->a, ob->count * sizeof *n->nat_outbound);
        for (const yd_node *c = ob->first; c; c = c->next) {
            if (!check_map(l, c, "outbound NAT rule", okeys) || is_null(c))
                continue;
            hs_nat_rule *r = &n->nat_outbound[n->n_nat_outbound++];
            r->loc = c->loc;
            r->iface = -1;
            r->translate_interface = true;
            const yd_node *x;
            if (require(l, c, "interface", "outbound NAT rule")) {
                x = yd_get(c, "interface");
                r->iface = resolve_iface(l, n, x);
                r->iface_loc = x->loc;
            }
            if ((x = yd_get(c, "source")))
                get_source_spec(l, x, &r->source_self, &r->has_source, &r->source);
            if ((x = yd_get(c, "protocol")))
                get_proto(l, x, &r->protocol);
            if ((x = yd_get(c, "source-port")))
                get_port(l, x, &r->source_port);
            if ((x = yd_get(c, "destination"))) {
                bool self = false;
                get_source_spec(l, x, &self, &r->has_destination, &r->destination);
                if (self)
                    err(l, x, "destination: 'self' is only meaningful as a source");
            }
            if ((x = yd_get(c, "destination-port")))
                get_port(l, x, &r->destination_port);
            if ((x = yd_get(c, "translate"))) {
                r->translate_loc = x->loc;
                const char *s = scalar(l, x, "an address or 'interface'");
                if (s && strcmp(s, "interface")) {
                    r->translate_interface = false;
                    get_ip(l, x, &r->translate);
                }
            }
            if ((x = yd_get(c, "static-port")))
                get_bool(l, x, &r->static_port);
            int m;
            if ((x = yd_get(c, "mapping")) && get_enum(l, x, mappings, &m))
                r->mapping = (hs_nat_mapping)m;
            if ((x = yd_get(c, "udp-timeout")))
                get_duration(l, x, &r->udp_timeout);
            if ((r->source_port || r->destination_port) && r->protocol != HS_PROTO_UDP && r->protocol != HS_PROTO_TCP)
                err(l, c, "outbound NAT rule: a port needs 'protocol: udp' or 'protocol: tcp'");
        }
    }
    if (fw && check_seq(l, fw, "forward") && !is_null(fw)) {
        n->nat_forward = hs_alloc(l->a, fw->count * sizeof *n->nat_forward);
        for (const yd_node *c = fw->first; c; c = c->next) {
            if (!check_map(l, c, "port forward", fkeys) || is_null(c))
                continue;
            hs_nat_forward *f = &n->nat_forward[n->n_nat_forward++];
            f->loc = c->loc;
            f->iface = -1;
            f->protocol = HS_PROTO_UDP;
            const yd_node *x;
            if (require(l, c, "interface", "port forward")) {
                x = yd_get(c, "interface");
                f->iface = resolve_iface(l, n, x);
                f->iface_loc = x->loc;
            }
            if ((x = yd_get(c, "protocol")) && get_proto(l, x, &f->protocol) &&
                f->protocol != HS_PROTO_UDP && f->protocol != HS_PROTO_TCP)
                err(l, x, "protocol: a port forward is for udp or tcp");
            if (require(l, c, "port", "port forward"))
                get_port(l, yd_get(c, "port"), &f->port);
            if (require(l, c, "to", "port forward")) {
                x = yd_get(c, "to");
                get_endpoint(l, x, &f->to);
                f->to_loc = x->loc;
            }
        }
    }
}

static void load_filter(L *l, hs_node *n, const yd_node *v)
{
    if (!check_seq(l, v, "filter"))
        return;
    n->has_filter = true;
    if (is_null(v))
        return;
    static const char *const keys[] = {"action", "interface", "direction", "protocol", "src",
                                       "src-port", "dst",     "dst-port",  NULL};
    static const char *const actions[] = {"pass", "block", NULL};
    static const char *const dirs[] = {"in", "out", "any", NULL};
    n->filter = hs_alloc(l->a, v->count * sizeof *n->filter);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "filter rule", keys) || is_null(c))
            continue;
        hs_filter_rule *r = &n->filter[n->n_filter++];
        r->loc = c->loc;
        r->iface = -1;
        const yd_node *x;
        int e;
        if (require(l, c, "action", "filter rule") && get_enum(l, yd_get(c, "action"), actions, &e))
            r->action = (hs_action)e;
        if ((x = yd_get(c, "interface"))) {
            r->iface = resolve_iface(l, n, x);
            r->iface_loc = x->loc;
        }
        if ((x = yd_get(c, "direction")) && get_enum(l, x, dirs, &e))
            r->direction = (hs_direction)e;
        if ((x = yd_get(c, "protocol")))
            get_proto(l, x, &r->protocol);
        if ((x = yd_get(c, "src"))) {
            bool self = false;
            if (get_source_spec(l, x, &self, &r->has_src, &r->src) && self)
                err(l, x, "src: 'self' is not supported in filter rules (use the address)");
        }
        if ((x = yd_get(c, "dst"))) {
            bool self = false;
            if (get_source_spec(l, x, &self, &r->has_dst, &r->dst) && self)
                err(l, x, "dst: 'self' is not supported in filter rules (use the address)");
        }
        if ((x = yd_get(c, "src-port")))
            get_port(l, x, &r->src_port);
        if ((x = yd_get(c, "dst-port")))
            get_port(l, x, &r->dst_port);
        if ((r->src_port || r->dst_port) && r->protocol != HS_PROTO_UDP && r->protocol != HS_PROTO_TCP)
            err(l, c, "filter rule: a port needs 'protocol: udp' or 'protocol: tcp'");
    }
}

/* Peers' `node:` are resolved later (resolve_peers), once every key is known. */
static void load_wireguard(L *l, hs_node *n, int ni, const yd_node *v)
{
    if (is_null(v))
        return;
    if (v->kind != YD_MAP) {
        err(l, v, "wireguard: expected a mapping of interface names (e.g. wg0), found %s", yd_kind_name(v));
        return;
    }
    static const char *const keys[] = {"listen-port", "private-key", "address", "peers", "options", NULL};
    static const char *const pkeys[] = {"node",     "public-key",  "interface",           "name",
                                        "preshared-key", "endpoint", "allowed-ips", "persistent-keepalive", NULL};
    n->wg = hs_alloc(l->a, v->count * sizeof *n->wg);
    for (const yd_node *c = v->first; c; c = c->next) {
        hs_wg *w = &n->wg[n->n_wg++];
        w->name = c->key;
        w->loc = c->key_loc;
        w->listen_port = 51820;
        name_ok(l, c->key, c, "wireguard interface");
        if (hs_node_find_iface(n, c->key) >= 0)
            err_key(l, c, "'%s' is already an interface of node '%s'", c->key, n->name);
        char what[2 * HS_NAME_MAX + 32];
        snprintf(what, sizeof what, "wireguard interface '%s' of node '%s'", c->key, n->name);
        if (!check_map(l, c, what, keys))
            continue;
        const yd_node *x;
        if ((x = yd_get(c, "listen-port"))) {
            get_port(l, x, &w->listen_port);
            for (size_t j = 0; j + 1 < n->n_wg; j++)
                if (n->wg[j].listen_port == w->listen_port)
                    err(l, x, "listen-port: %u is already used by '%s' on node '%s'", w->listen_port, n->wg[j].name,
                        n->name);
        }
        if ((x = yd_get(c, "private-key"))) {
            get_key(l, x, w->private_key);
        } else {
            w->key_derived = true;
            w->key_node = l->node_names[l->like_root[ni]];
            hs_derive_key(w->private_key, l->s->seed, w->key_node, w->name);
        }
        wg_x25519_public(w->public_key, w->private_key);
        if ((x = yd_get(c, "address"))) {
            w->has_address = get_host_prefix(l, x, &w->address);
            w->address_loc = x->loc;
        }
        if ((x = yd_get(c, "options")))
            load_wg_options(l, w, x);
        x = yd_get(c, "peers");
        if (!x || !check_seq(l, x, "peers") || is_null(x))
            continue;
        w->peers = hs_alloc(l->a, x->count * sizeof *w->peers);
        for (const yd_node *p = x->first; p; p = p->next) {
            if (!check_map(l, p, "peer", pkeys) || is_null(p))
                continue;
            hs_wg_peer *pe = &w->peers[w->n_peers++];
            pe->loc = p->loc;
            pe->node = -1;
            pe->node_wg = -1;
            const yd_node *y;
            const yd_node *pn = yd_get(p, "node"), *pk = yd_get(p, "public-key");
            if (pn && pk)
                err(l, pk, "peer: give either 'node:' or 'public-key:', not both");
            else if (!pn && !pk)
                err(l, p, "peer: needs 'node:' (a node of this scenario) or 'public-key:'");
            if (pn) {
                pe->node = resolve_node(l, pn);
                pe->node_loc = pn->loc;
                if (pe->node >= 0)
                    pe->name = l->node_names[pe->node];
            }
            if (pk)
                get_key(l, pk, pe->public_key);
            if ((y = yd_get(p, "interface")) && !pn)
                err(l, y, "interface: only for 'node:' peers (which wireguard interface of that node)");
            if ((y = yd_get(p, "name"))) {
                const char *nm;
                if (get_name(l, y, "a peer name", &nm))
                    pe->name = nm;
            }
            if ((y = yd_get(p, "preshared-key")))
                pe->has_psk = get_key(l, y, pe->psk);
            if ((y = yd_get(p, "endpoint"))) {
                pe->has_endpoint = get_endpoint(l, y, &pe->endpoint);
                pe->endpoint_loc = y->loc;
            }
            if ((y = yd_get(p, "allowed-ips"))) {
                if (y->kind == YD_SCALAR && !y->is_null) {
                    pe->allowed_ips = hs_alloc(l->a, sizeof *pe->allowed_ips);
                    pe->allowed_ip_locs = hs_alloc(l->a, sizeof *pe->allowed_ip_locs);
                    if (get_prefix(l, y, false, &pe->allowed_ips[0])) {
                        pe->allowed_ip_locs[0] = y->loc;
                        pe->n_allowed_ips = 1;
                    }
                } else if (check_seq(l, y, "allowed-ips") && !is_null(y)) {
                    pe->allowed_ips = hs_alloc(l->a, y->count * sizeof *pe->allowed_ips);
                    pe->allowed_ip_locs = hs_alloc(l->a, y->count * sizeof *pe->allowed_ip_locs);
                    for (const yd_node *a = y->first; a; a = a->next)
                        if (get_prefix(l, a, false, &pe->allowed_ips[pe->n_allowed_ips])) {
                            pe->allowed_ip_locs[pe->n_allowed_ips] = a->loc;
                            pe->n_allowed_ips++;
                        }
                }
            }
            if ((y = yd_get(p, "persistent-keepalive"))) {
                /* seconds as wg(8) takes them, or a duration of whole seconds */
                const char *s = scalar(l, y, "seconds");
                hs_time t;
                uint64_t u;
                if (s && strspn(s, "0123456789") == strlen(s)) {
                    if (get_u64(l, y, 0, 65535, "a number of seconds", &u))
                        pe->persistent_keepalive = (uint16_t)u;
                } else if (s) {
                    if (!hs_parse_duration(s, &t) || t % HS_S || t / HS_S > 65535)
                        err(l, y, "persistent-keepalive: '%.60s' is not a number of seconds (0-65535) or whole-second "
                            "duration", s);
                    else
                        pe->persistent_keepalive = (uint16_t)(t / HS_S);
                }
            }
        }
    }
}

static void load_node(L *l, int ni)
{
    hs_node *n = &l->s->nodes[ni];
    const yd_node *t = l->trees[ni];
    char what[HS_NAME_MAX + 16];
    snprintf(what, sizeof what, "node '%s'", n->name);
    if (is_null(t)) {
        err(l, t, "%s: needs at least 'kind:'", what);
        return;
    }
    if (!check_map(l, t, what, node_keys))
        return;
    static const char *const kinds[] = {"host", "router", "firewall", NULL};
    const yd_node *x;
    int k;
    n->kind = HS_NODE_HOST;
    if (require(l, t, "kind", what) && get_enum(l, yd_get(t, "kind"), kinds, &k))
        n->kind = (hs_node_kind)k;
    n->platform = l->s->platform;
    /* pfSense's defaults (docs/models.md "Options") */
    n->fw = (hs_fw_options){.reply_to = true, .auto_route_to = true, .carp_preempt = true};
    n->pfsync.defer = true;
    n->pfsync.bulk = true;
    n->pfsync.sync_iface = -1;
    if ((x = yd_get(t, "platform")))
        get_platform(l, x, &n->platform);
    if ((x = yd_get(t, "interfaces")))
        load_ifaces(l, n, x);
    /* features of some kinds only */
    static const struct {
        const char *key;
        unsigned kinds; /* bit per hs_node_kind */
        const char *who;
    } only[] = {
        {"carp", 1u << HS_NODE_FIREWALL, "firewall"},
        {"pfsync", 1u << HS_NODE_FIREWALL, "firewall"},
        {"filter", 1u << HS_NODE_FIREWALL, "firewall"},
        {"gateways", 1u << HS_NODE_FIREWALL, "firewall"},
        {"gateway-groups", 1u << HS_NODE_FIREWALL, "firewall"},
        {"firewall", 1u << HS_NODE_FIREWALL, "firewall"},
        {"nat", (1u << HS_NODE_FIREWALL) | (1u << HS_NODE_ROUTER), "firewall or router"},
    };
    for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
        if ((x = yd_get(t, only[i].key)) && !(only[i].kinds & (1u << n->kind)))
            err_key(l, x, "'%s:' is only for nodes of kind %s ('%s' is a %s)", only[i].key, only[i].who, n->name,
                    hs_node_kind_name(n->kind));
    if ((x = yd_get(t, "gateways")))
        load_gateways(l, n, x);
    if ((x = yd_get(t, "gateway-groups")))
        load_groups(l, n, x);
    if ((x = yd_get(t, "routes")))
        load_routes(l, n, x);
    if ((x = yd_get(t, "carp")))
        load_carp(l, n, x);
    if ((x = yd_get(t, "pfsync")))
        load_pfsync(l, n, x);
    if ((x = yd_get(t, "nat")))
        load_nat(l, n, x);
    if ((x = yd_get(t, "filter")))
        load_filter(l, n, x);
    if ((x = yd_get(t, "firewall")))
        load_firewall(l, n, x);
    if ((x = yd_get(t, "wireguard")))
        load_wireguard(l, n, ni, x);
}

/* ------------------------------------------------------------------ */
/* cross-node checks                                                  */
/* ------------------------------------------------------------------ */

/* The yd node of a value inside a node's tree, for error locations:
 * nodes -> NAME -> path... (NULL-terminated keys; "#i" picks a list item). */
static const yd_node *tree_at(const L *l, int ni, ...)
{
    va_list ap;
    va_start(ap, ni);
    const yd_node *cur = l->trees[ni];
    const char *k;
    while (cur && (k = va_arg(ap, const char *))) {
        if (k[0] == '#') {
            long idx = strtol(k + 1, NULL, 10);
            const yd_node *c = cur->kind == YD_SEQ ? cur->first : NULL;
            while (c && idx-- > 0)
                c = c->next;
            cur = c;
        } else {
            cur = yd_get(cur, k);
        }
    }
    va_end(ap);
    return cur;
}

static void resolve_peers(L *l)
{
    hs_scenario *s = l->s;
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        hs_node *n = &s->nodes[ni];
        for (size_t wi = 0; wi < n->n_wg; wi++) {
            hs_wg *w = &n->wg[wi];
            const yd_node *peers = tree_at(l, (int)ni, "wireguard", w->name, "peers", (const char *)NULL);
            size_t pi = 0;
            for (const yd_node *p = peers && peers->kind == YD_SEQ ? peers->first : NULL; p && pi < w->n_peers;
                 p = p->next) {
                if (p->kind != YD_MAP)
                    continue;
                hs_wg_peer *pe = &w->peers[pi++];
                if (pe->node >= 0) {
                    const hs_node *o = &s->nodes[pe->node];
                    const yd_node *pn = yd_get(p, "node"), *pif = yd_get(p, "interface");
                    if (o->n_wg == 0) {
                        err(l, pn, "node: '%s' has no wireguard interface to be a peer", o->name);
                        continue;
                    }
                    int owi = -1;
                    if (pif) {
                        const char *s2 = scalar(l, pif, "a wireguard interface name");
                        if (s2 && (owi = hs_node_find_wg(o, s2)) < 0)
                            err(l, pif, "interface: node '%s' has no wireguard interface '%.60s'", o->name, s2);
                        if (owi < 0)
                            continue;
                    } else if (o->n_wg == 1) {
                        owi = 0;
                    } else if ((owi = hs_node_find_wg(o, w->name)) < 0) {
                        err(l, pn, "node: '%s' has several wireguard interfaces; say which with 'interface:'", o->name);
                        continue;
                    }
                    pe->node_wg = owi;
                    memcpy(pe->public_key, o->wg[owi].public_key, WG_KEY_LEN);
                }
                if (!memcmp(pe->public_key, w->public_key, WG_KEY_LEN))
                    err(l, p, "peer: this is the public key of %s.%s itself", n->name, w->name);
                for (size_t j = 0; j + 1 < pi; j++)
                    if (!memcmp(w->peers[j].public_key, pe->public_key, WG_KEY_LEN) &&
                        memcmp(pe->public_key, (uint8_t[WG_KEY_LEN]){0}, WG_KEY_LEN))
                        err(l, p, "peer: same public key as peer %zu of %s.%s", j + 1, n->name, w->name);
                if (pe->name)
                    for (size_t j = 0; j + 1 < pi; j++)
                        if (w->peers[j].name && !strcmp(w->peers[j].name, pe->name))
                            err(l, p, "peer: name '%s' is used by another peer of %s.%s (set 'name:')", pe->name,
                                n->name, w->name);
            }
        }
    }
}

/* Address k of interface f: 0 the primary, 1.. the aliases. */
static const wg_ip *iface_addr(const hs_iface *f, size_t k)
{
    return k ? &f->aliases[k - 1].ip : &f->address.ip;
}

/* The same address twice on a segment: every address of node ni (primary,
 * then aliases) against every one before it (earlier nodes, interfaces and
 * aliases), reported once, at the later one. */
static void check_duplicate_addresses(L *l, size_t ni)
{
    hs_scenario *s = l->s;
    hs_node *n = &s->nodes[ni];
    char b[WG_IP_STRLEN];
    for (size_t i = 0; i < n->n_ifaces; i++) {
        const hs_iface *f = &n->ifaces[i];
        if (f->segment < 0)
            continue;
        for (size_t k = 0; k <= f->n_aliases; k++) {
            const wg_ip *ip = iface_addr(f, k);
            if (!ip->family)
                continue;
            bool found = false;
            for (size_t mj = 0; mj <= ni && !found; mj++) {
                const hs_node *m = &s->nodes[mj];
                for (size_t j = 0; j < m->n_ifaces && !found && (mj < ni || j <= i); j++) {
                    const hs_iface *g = &m->ifaces[j];
                    if (g->segment != f->segment)
                        continue;
                    for (size_t kk = 0; kk <= g->n_aliases && (mj < ni || j < i || kk < k); kk++) {
                        if (!wg_ip_eq(iface_addr(g, kk), ip))
                            continue;
                        char idx[24];
                        snprintf(idx, sizeof idx, "#%zu", k - 1);
                        const yd_node *at = k ? tree_at(l, (int)ni, "interfaces", f->name, "aliases", idx, (const char *)NULL)
                                              : tree_at(l, (int)ni, "interfaces", f->name, "address", (const char *)NULL);
                        err(l, at, "%s: %s is already %s of %s.%s (line %u)", k ? "aliases" : "address",
                            wg_ip_format(ip, b), kk ? "an alias" : "the address", m->name, g->name,
                            kk ? g->alias_locs[kk - 1].line : g->address_loc.line);
                        found = true;
                        break;
                    }
                }
            }
        }
    }
}

/* At most HS_MAX_SEGMENT_IFACES interfaces per segment; said once per
 * segment, at the first interface beyond the limit. */
static void check_segment_sizes(L *l)
{
    hs_scenario *s = l->s;
    if (!s->n_segments)
        return;
    size_t *count = hs_alloc(l->a, s->n_segments * sizeof *count);
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        const hs_node *n = &s->nodes[ni];
        for (size_t i = 0; i < n->n_ifaces; i++) {
            int g = n->ifaces[i].segment;
            if (g < 0 || (size_t)g >= s->n_segments || ++count[g] != HS_MAX_SEGMENT_IFACES + 1)
                continue;
            err(l, tree_at(l, (int)ni, "interfaces", n->ifaces[i].name, "segment", (const char *)NULL),
                "segment: '%s' already has %d interfaces, the most one segment takes (every broadcast is "
                "simulated and traced at each of them); split the nodes over more segments",
                s->segments[g].name, HS_MAX_SEGMENT_IFACES);
        }
    }
}

static void check_addresses(L *l)
{
    hs_scenario *s = l->s;
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        hs_node *n = &s->nodes[ni];
        for (size_t i = 0; i < n->n_ifaces; i++) {
            hs_iface *f = &n->ifaces[i];
            if (!f->address.ip.family)
                continue;
            const yd_node *fv = tree_at(l, (int)ni, "interfaces", f->name, "address", (const char *)NULL);
            /* two networks of one node overlapping */
            for (size_t j = 0; j < i; j++) {
                hs_iface *g = &n->ifaces[j];
                if (!g->address.ip.family)
                    continue;
                const wg_prefix *shorter = f->address.len < g->address.len ? &f->address : &g->address;
                const wg_prefix *other = shorter == &f->address ? &g->address : &f->address;
                if (wg_prefix_contains(shorter, &other->ip)) {
                    err(l, fv, "address: network %s of %s.%s overlaps %s of %s.%s", wg_prefix_format(&f->address, b1),
                        n->name, f->name, wg_prefix_format(&g->address, b2), n->name, g->name);
                }
            }
        }
        check_duplicate_addresses(l, ni);
        /* CARP: inside its interface's network, not an interface address, one VIP per (segment, vhid) */
        for (size_t c = 0; c < n->n_carp; c++) {
            hs_carp *k = &n->carp[c];
            char idx[24];
            snprintf(idx, sizeof idx, "#%zu", c);
            const yd_node *av = tree_at(l, (int)ni, "carp", idx, "address", (const char *)NULL);
            if (k->iface < 0 || !k->address.ip.family)
                continue;
            hs_iface *f = &n->ifaces[k->iface];
            if (f->address.ip.family && !wg_prefix_contains(&f->address, &k->address.ip))
                err(l, av, "address: CARP address %s is not in the network of interface '%s' (%s)",
                    wg_ip_format(&k->address.ip, b1), f->name, wg_prefix_format(&f->address, b2));
            /* The checks below compare segments: an interface without a
             * (valid) segment has had its error already, and two such
             * interfaces are not on one segment (found by fuzz_yaml_loader:
             * segments[-1] was read). */
            if (f->segment < 0)
                continue;
            for (size_t mj = 0; mj < s->n_nodes; mj++) {
                hs_node *m = &s->nodes[mj];
                for (size_t j = 0; j < m->n_ifaces; j++)
                    if (m->ifaces[j].segment == f->segment && wg_ip_eq(&m->ifaces[j].address.ip, &k->address.ip))
                        err(l, av, "address: CARP address %s is also the address of %s.%s (line %u)",
                            wg_ip_format(&k->address.ip, b1), m->name, m->ifaces[j].name,
                            m->ifaces[j].address_loc.line);
                for (size_t j = 0; (mj < ni && j < m->n_carp) || (mj == ni && j < c); j++) {
                    hs_carp *o = &m->carp[j];
                    if (o->iface < 0 || m->ifaces[o->iface].segment != f->segment || !o->vhid || !k->vhid)
                        continue;
                    bool same_ip = wg_ip_eq(&o->address.ip, &k->address.ip);
                    if (o->vhid == k->vhid && !same_ip && mj != ni)
                        err(l, av, "address: vhid %u on segment '%s' is %s on node '%s' but %s here", k->vhid,
                            s->segments[f->segment].name, wg_ip_format(&o->address.ip, b2), m->name,
                            wg_ip_format(&k->address.ip, b1));
                    /* One VIP, one vhid: the copy of an HA pair with a
                     * different vhid (a typo) validated, and both nodes
                     * became MASTER of the same address. */
                    else if (o->vhid != k->vhid && same_ip)
                        err(l, av, "address: CARP address %s on segment '%s' is vhid %u on node '%s' (line %u) but vhid %u "
                            "here; the nodes sharing a VIP must use the same vhid",
                            wg_ip_format(&k->address.ip, b1), s->segments[f->segment].name, o->vhid, m->name,
                            o->vhid_loc.line, k->vhid);
                }
            }
        }
    }
}

static void check_pfsync(L *l)
{
    for (size_t ni = 0; ni < l->s->n_nodes; ni++) {
        hs_node *n = &l->s->nodes[ni];
        if (!n->pfsync.enabled || n->pfsync.peer < 0)
            continue;
        const yd_node *v = tree_at(l, (int)ni, "pfsync", (const char *)NULL);
        if (v && v->kind == YD_MAP)
            v = yd_get(v, "peer");
        if ((size_t)n->pfsync.peer == ni) {
            err(l, v, "pfsync: a node cannot be its own pfsync peer");
            continue;
        }
        const hs_node *m = &l->s->nodes[n->pfsync.peer];
        if (m->kind != HS_NODE_FIREWALL) {
            err(l, v, "pfsync: peer '%s' is not a firewall", m->name);
            continue;
        }
        /* A pair names each other (pfSense: each node's sync peer is the
         * other); a copy whose pfsync: was not changed, or a typo, synced
         * one node with a third one and validated. */
        if (m->pfsync.enabled && m->pfsync.peer >= 0 && (size_t)m->pfsync.peer != ni &&
            m->pfsync.peer != n->pfsync.peer) {
            err(l, v, "pfsync: peer '%s' syncs with '%s', not with '%s'; the two nodes of a pfsync pair name each other",
                m->name, l->s->nodes[m->pfsync.peer].name, n->name);
            continue;
        }
        /* The sync link is one name on both ends (pfSense: the same
         * interface is selected on both nodes). */
        const yd_node *pv = tree_at(l, (int)ni, "pfsync", (const char *)NULL);
        const yd_node *iv = pv && pv->kind == YD_MAP ? yd_get(pv, "interface") : NULL;
        if (n->pfsync.sync_iface >= 0 && hs_node_find_iface(m, n->ifaces[n->pfsync.sync_iface].name) < 0)
            err(l, iv, "interface: peer '%s' has no interface '%s' for the pfsync link", m->name,
                n->ifaces[n->pfsync.sync_iface].name);
        /* Both ends of a pair must agree on its options: one pair is built. */
        const hs_pfsync *q = &m->pfsync;
        if ((size_t)n->pfsync.peer > ni || !n->pfsync.has_options || !q->enabled || q->peer != (int)ni ||
            !q->has_options)
            continue;
        const char *what = n->pfsync.flush_interval != q->flush_interval ? "flush-interval"
                           : n->pfsync.defer != q->defer                 ? "defer"
                           : n->pfsync.bulk != q->bulk                   ? "bulk"
                           : (n->pfsync.sync_iface < 0) != (q->sync_iface < 0) ||
                                   (n->pfsync.sync_iface >= 0 &&
                                    strcmp(n->ifaces[n->pfsync.sync_iface].name, m->ifaces[q->sync_iface].name))
                               ? "interface"
                               : NULL;
        if (what)
            err(l, pv, "pfsync: '%s' differs from %s's pfsync (line %u): both ends of a pair share it", what, m->name,
                q->loc.line);
    }
}

/* ------------------------------------------------------------------ */
/* traffic, events, expectations                                      */
/* ------------------------------------------------------------------ */

static bool check_time(L *l, const yd_node *v, hs_time t, const char *what)
{
    if (l->duration_bad)
        return t >= 0; /* the duration's own error stands for it */
    if (t < 0 || t > l->s->duration) {
        char b1[32], b2[32];
        err(l, v, "%s: %s is outside the scenario [0, %s]", label(v, what), hs_format_duration(t, b1, sizeof b1),
            hs_format_duration(l->s->duration, b2, sizeof b2));
        return false;
    }
    return true;
}

static void load_traffic(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    size_t errors_before = hs_diag_count(l->d);
    if (!check_seq(l, v, "traffic") || is_null(v)) {
        l->traffic_bad = hs_diag_count(l->d) != errors_before;
        return;
    }
    static const char *const keys[] = {"ping", NULL};
    static const char *const pkeys[] = {"from", "to", "every", "size", "count", "start", "stop", NULL};
    s->traffic = hs_alloc(l->a, v->count * sizeof *s->traffic);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "traffic item", keys) || is_null(c)) {
            if (is_null(c))
                err(l, c, "traffic item: expected {ping: {...}}, found nothing");
            l->traffic_bad = true; /* left out: the items after it would be numbered one lower */
            continue;
        }
        const yd_node *p = yd_get(c, "ping");
        if (!p) {
            if (!c->first)
                err(l, c, "traffic item: expected {ping: {...}}");
            l->traffic_bad = true;
            continue;
        }
        hs_traffic *t = &s->traffic[s->n_traffic++];
        t->loc = c->loc;
        t->kind = HS_TRAFFIC_PING;
        t->ping.from = -1;
        t->ping.every = HS_S;
        t->ping.size = 56;
        t->ping.stop = s->duration;
        if (!check_map(l, p, "ping", pkeys) || is_null(p)) {
            if (is_null(p))
                err(l, p, "ping: needs 'from:' and 'to:'");
            continue;
        }
        const yd_node *x;
        uint64_t u;
        if (require(l, p, "from", "ping")) {
            x = yd_get(p, "from");
            t->ping.from = resolve_node(l, x);
            t->ping.from_loc = x->loc;
        }
        if (require(l, p, "to", "ping")) {
            x = yd_get(p, "to");
            get_ip(l, x, &t->ping.to);
            t->ping.to_loc = x->loc;
        }
        if ((x = yd_get(p, "every")) && get_duration(l, x, &t->ping.every) && t->ping.every <= 0) {
            err(l, x, "every: must be more than 0");
            t->ping.every = HS_S;
        }
        if ((x = yd_get(p, "size")) && get_u64(l, x, 0, 65507, "a payload size in bytes", &u))
            t->ping.size = (uint32_t)u;
        if ((x = yd_get(p, "count")) && get_u64(l, x, 1, 100000000, "a count", &u))
            t->ping.count = (uint32_t)u;
        bool start_ok = true;
        if ((x = yd_get(p, "start")))
            start_ok = get_duration(l, x, &t->ping.start) && check_time(l, x, t->ping.start, "start");
        if ((x = yd_get(p, "stop")) && get_duration(l, x, &t->ping.stop) && check_time(l, x, t->ping.stop, "stop") &&
            start_ok && t->ping.stop < t->ping.start)
            err(l, x, "stop: before start");
    }
}

/* Where column `col` (1-based, within the command text) of a `do:` value is in
 * the file: exact for single-line plain or quoted scalars. */
static hs_loc do_col(const yd_node *v, int col)
{
    hs_loc loc = v->loc;
    if (v->inherited.line)
        return v->inherited;
    bool one_line = v->end.line == v->loc.line;
    if (one_line && (v->style == YD_PLAIN || v->style == YD_QUOTED) && !strchr(v->str, '\\'))
        loc.col += (uint32_t)(col - 1) + (v->style == YD_QUOTED ? 1 : 0);
    return loc;
}

static void load_events(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    if (!check_seq(l, v, "events") || is_null(v))
        return;
    static const char *const keys[] = {"at", "do", NULL};
    s->events = hs_alloc(l->a, v->count * sizeof *s->events);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "event", keys) || is_null(c)) {
            if (is_null(c))
                err(l, c, "event: expected {at: TIME, do: COMMAND}, found nothing");
            continue;
        }
        hs_event *e = &s->events[s->n_events++];
        e->loc = c->loc;
        const yd_node *x;
        if (require(l, c, "at", "event")) {
            x = yd_get(c, "at");
            e->at_loc = x->loc;
            if (get_duration(l, x, &e->at))
                check_time(l, x, e->at, "at");
        }
        if (require(l, c, "do", "event")) {
            x = yd_get(c, "do");
            e->do_loc = x->loc;
            const char *text = scalar(l, x, "a command");
            if (!text)
                continue;
            e->text = text;
            char msg[400];
            int col = 1;
            if (!hs_command_parse(text, &e->cmd, msg, sizeof msg, &col)) {
                hs_diag_add(l->d, do_col(x, col), "do: %s", msg);
                continue;
            }
            /* a command on a node whose like: failed (not loaded) is not
             * checked against what that node lacks (see resolve_node) */
            int cn = l->like_state ? name_index(l->node_names, s->n_nodes, e->cmd.node) : -1;
            if (cn >= 0 && l->like_state[cn] == 3)
                continue;
            if (!hs_command_check(s, &e->cmd, msg, sizeof msg, &col))
                hs_diag_add(l->d, do_col(x, col), "do: %s", msg);
        }
    }
    /* the runner applies events in time order; equal times keep file order */
    for (size_t i = 1; i < s->n_events; i++) {
        hs_event ev = s->events[i];
        size_t j = i;
        while (j > 0 && s->events[j - 1].at > ev.at) {
            s->events[j] = s->events[j - 1];
            j--;
        }
        s->events[j] = ev;
    }
}

/* node: + (optional interface:) + peer: for endpoint / handshake. */
static void expect_peer(L *l, const yd_node *m, int *node, int *wg, int *peer, hs_loc *node_loc, hs_loc *peer_loc)
{
    *node = *wg = *peer = -1;
    const yd_node *x;
    if (require(l, m, "node", "expectation")) {
        x = yd_get(m, "node");
        *node = resolve_node(l, x);
        *node_loc = x->loc;
    }
    if (!require(l, m, "peer", "expectation") || *node < 0)
        return;
    const yd_node *pv = yd_get(m, "peer");
    *peer_loc = pv->loc;
    const char *spec = scalar(l, pv, "a peer (node name, peer name or public key)");
    const hs_node *n = &l->s->nodes[*node];
    if (!spec)
        return;
    if (n->n_wg == 0) {
        err(l, yd_get(m, "node"), "node: '%s' has no wireguard interface", n->name);
        return;
    }
    if ((x = yd_get(m, "interface"))) {
        const char *wn = scalar(l, x, "a wireguard interface name");
        if (!wn)
            return;
        if ((*wg = hs_node_find_wg(n, wn)) < 0) {
            err(l, x, "interface: node '%s' has no wireguard interface '%.60s'", n->name, wn);
            return;
        }
        if ((*peer = hs_wg_find_peer(&n->wg[*wg], spec)) < 0)
            err(l, pv, "peer: %s.%s has no peer '%.60s'", n->name, n->wg[*wg].name, spec);
        return;
    }
    int found = 0;
    for (size_t i = 0; i < n->n_wg; i++) {
        int p = hs_wg_find_peer(&n->wg[i], spec);
        if (p >= 0) {
            if (!found) {
                *wg = (int)i;
                *peer = p;
            }
            found++;
        }
    }
    if (found == 0) {
        const char *names[256];
        size_t k = 0;
        for (size_t i = 0; i < n->n_wg; i++)
            for (size_t j = 0; j < n->wg[i].n_peers && k < 256; j++)
                if (n->wg[i].peers[j].name)
                    names[k++] = n->wg[i].peers[j].name;
        char h[300];
        err(l, pv, "peer: node '%s' has no peer '%.60s'%s", n->name, spec, hint(l, spec, names, k, false, h, sizeof h));
        *wg = -1;
    } else if (found > 1) {
        err(l, pv, "peer: '%.60s' is a peer of several wireguard interfaces of '%s'; add 'interface:'", spec, n->name);
    }
}

static void load_expect_kind(L *l, hs_expect *e, const yd_node *m)
{
    hs_scenario *s = l->s;
    const yd_node *x;
    const char *what = hs_expect_kind_name(e->kind);
    static const char *const pk[] = {"on",           "from", "to",    "src", "dst", "udp-src-port",
                                     "udp-dst-port", "wg",   "count", NULL};
    static const char *const npk[] = {"on", "from", "to", "src", "dst", "udp-src-port", "udp-dst-port", "wg", NULL};
    static const char *const ek[] = {"node", "peer", "interface", "is", NULL};
    static const char *const hk[] = {"node", "peer", "interface", "count", "last-within", NULL};
    static const char *const tk[] = {"ping", "loss", "rtt", NULL};
    static const char *const ck[] = {"node", "vhid", "state", NULL};
    static const char *const gk[] = {"node", "name", "status", NULL};
    static const char *const sk[] = {"node", "proto", "src", "dst", "translated", "count", NULL};
    static const char *const rk[] = {"node", "to", "via", "dev", NULL};
    static const char *const *const keysets[] = {pk, npk, ek, hk, tk, ck, gk, sk, rk};
    if (!check_map(l, m, what, keysets[e->kind]))
        return;
    if (is_null(m)) {
        err(l, m, "%s: expected a mapping, found nothing", what);
        return;
    }
    switch (e->kind) {
    case HS_EXP_PACKETS:
    case HS_EXP_NO_PACKETS: {
        /* in hs_wg_match order, from HS_WGM_ANY */
        static const char *const wgm[] = {"any", "handshake-initiation", "handshake-response", "cookie-reply",
                                          "transport", "data", "keepalive", NULL};
        e->u.packets.on = e->u.packets.from = e->u.packets.to = -1;
        if ((x = yd_get(m, "on"))) {
            e->u.packets.on = resolve(l, x, l->seg_names, s->n_segments, "segment", NULL);
            e->u.packets.on_loc = x->loc;
        }
        if ((x = yd_get(m, "from"))) {
            e->u.packets.from = resolve_node(l, x);
            e->u.packets.from_loc = x->loc;
        }
        if ((x = yd_get(m, "to"))) {
            e->u.packets.to = resolve_node(l, x);
            e->u.packets.to_loc = x->loc;
        }
        if ((x = yd_get(m, "src")))
            get_addr_match(l, x, &e->u.packets.src);
        if ((x = yd_get(m, "dst")))
            get_addr_match(l, x, &e->u.packets.dst);
        if ((x = yd_get(m, "udp-src-port")))
            get_port(l, x, &e->u.packets.udp_src_port);
        if ((x = yd_get(m, "udp-dst-port")))
            get_port(l, x, &e->u.packets.udp_dst_port);
        int w;
        if ((x = yd_get(m, "wg")) && get_enum(l, x, wgm, &w))
            e->u.packets.wg = (hs_wg_match)(w + HS_WGM_ANY);
        if (e->kind == HS_EXP_NO_PACKETS)
            hs_parse_cmp("== 0", HS_UNIT_COUNT, &e->u.packets.count);
        else if ((x = yd_get(m, "count")))
            get_cmp(l, x, HS_UNIT_COUNT, &e->u.packets.count);
        else
            hs_parse_cmp(">= 1", HS_UNIT_COUNT, &e->u.packets.count);
        break;
    }
    case HS_EXP_ENDPOINT:
        expect_peer(l, m, &e->u.endpoint.node, &e->u.endpoint.wg, &e->u.endpoint.peer, &e->u.endpoint.node_loc,
                    &e->u.endpoint.peer_loc);
        if (require(l, m, "is", what)) {
            x = yd_get(m, "is");
            e->u.endpoint.is_loc = x->loc;
            if (x->kind == YD_SCALAR && !strcmp(x->str, "none"))
                e->u.endpoint.is_none = true;
            else
                get_endpoint(l, x, &e->u.endpoint.is);
        }
        break;
    case HS_EXP_HANDSHAKE:
        expect_peer(l, m, &e->u.handshake.node, &e->u.handshake.wg, &e->u.handshake.peer, &e->u.handshake.node_loc,
                    &e->u.handshake.peer_loc);
        if ((x = yd_get(m, "count")))
            e->u.handshake.has_count = get_cmp(l, x, HS_UNIT_COUNT, &e->u.handshake.count);
        if ((x = yd_get(m, "last-within")))
            e->u.handshake.has_last_within = get_duration(l, x, &e->u.handshake.last_within);
        if (!yd_get(m, "count") && !yd_get(m, "last-within")) {
            e->u.handshake.has_count = true;
            hs_parse_cmp(">= 1", HS_UNIT_COUNT, &e->u.handshake.count);
        }
        break;
    case HS_EXP_TUNNEL: {
        e->u.tunnel.ping = -1;
        uint64_t u;
        if (require(l, m, "ping", what)) {
            x = yd_get(m, "ping");
            e->u.tunnel.ping_loc = x->loc;
            if (get_u64(l, x, 0, 1000000, "an index into traffic", &u) && !l->traffic_bad) {
                if (u >= s->n_traffic || s->traffic[u].kind != HS_TRAFFIC_PING)
                    err(l, x, "ping: traffic has no ping number %llu (the list counts from 0 and has %zu item%s)",
                        (unsigned long long)u, s->n_traffic, s->n_traffic == 1 ? "" : "s");
                else
                    e->u.tunnel.ping = (int)u;
            }
        }
        if ((x = yd_get(m, "loss")))
            e->u.tunnel.has_loss = get_cmp(l, x, HS_UNIT_PERCENT, &e->u.tunnel.loss);
        if ((x = yd_get(m, "rtt")))
            e->u.tunnel.has_rtt = get_cmp(l, x, HS_UNIT_DURATION, &e->u.tunnel.rtt);
        if (!yd_get(m, "loss") && !yd_get(m, "rtt"))
            err(l, m, "tunnel: needs 'loss:' and/or 'rtt:'");
        break;
    }
    case HS_EXP_CARP: {
        static const char *const states[] = {"init", "backup", "master", NULL};
        uint64_t u;
        int st;
        e->u.carp.node = e->u.carp.carp = -1;
        if (require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.carp.node = resolve_node(l, x);
            e->u.carp.node_loc = x->loc;
        }
        if (require(l, m, "vhid", what)) {
            x = yd_get(m, "vhid");
            e->u.carp.vhid_loc = x->loc;
            if (get_u64(l, x, 1, 255, "a vhid", &u)) {
                e->u.carp.vhid = (uint8_t)u;
                if (e->u.carp.node >= 0 &&
                    (e->u.carp.carp = hs_node_find_carp(&s->nodes[e->u.carp.node], (uint8_t)u)) < 0)
                    err(l, x, "vhid: node '%s' has no CARP vhid %llu", s->nodes[e->u.carp.node].name,
                        (unsigned long long)u);
            }
        }
        if (require(l, m, "state", what) && get_enum(l, yd_get(m, "state"), states, &st))
            e->u.carp.state = (hs_carp_state)st;
        break;
    }
    case HS_EXP_GATEWAY: {
        static const char *const st[] = {"online", "down", "loss", "delay", NULL};
        int v;
        e->u.gateway.node = e->u.gateway.gateway = -1;
        if (require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.gateway.node = resolve_node(l, x);
            e->u.gateway.node_loc = x->loc;
        }
        if (require(l, m, "name", what)) {
            x = yd_get(m, "name");
            e->u.gateway.name_loc = x->loc;
            if (e->u.gateway.node >= 0) {
                const hs_node *n = &s->nodes[e->u.gateway.node];
                const char **names = hs_alloc(l->a, (n->n_gateways ? n->n_gateways : 1) * sizeof *names);
                size_t k = n->n_gateways;
                for (size_t i = 0; i < k; i++)
                    names[i] = n->gateways[i].name;
                char where[HS_NAME_MAX + 16];
                snprintf(where, sizeof where, "on node '%s'", n->name);
                e->u.gateway.gateway = resolve(l, x, names, k, "gateway", where);
            }
        }
        if (require(l, m, "status", what) && get_enum(l, yd_get(m, "status"), st, &v))
            e->u.gateway.status = (hs_gw_status)v;
        break;
    }
    case HS_EXP_STATE:
        e->u.state.node = -1;
        if (require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.state.node = resolve_node(l, x);
            e->u.state.node_loc = x->loc;
            if (e->u.state.node >= 0 && s->nodes[e->u.state.node].kind == HS_NODE_HOST)
                err(l, x, "node: '%s' is a host and keeps no pf states", s->nodes[e->u.state.node].name);
        }
        if ((x = yd_get(m, "proto")))
            get_proto(l, x, &e->u.state.proto);
        if ((x = yd_get(m, "src")))
            get_addr_match(l, x, &e->u.state.src);
        if ((x = yd_get(m, "dst")))
            get_addr_match(l, x, &e->u.state.dst);
        if ((x = yd_get(m, "translated")))
            get_addr_match(l, x, &e->u.state.translated);
        if ((x = yd_get(m, "count")))
            get_cmp(l, x, HS_UNIT_COUNT, &e->u.state.count);
        else
            hs_parse_cmp(">= 1", HS_UNIT_COUNT, &e->u.state.count);
        break;
    case HS_EXP_ROUTE:
        e->u.route.node = -1;
        e->u.route.dev = -1;
        if (require(l, m, "node", what)) {
            x = yd_get(m, "node");
            e->u.route.node = resolve_node(l, x);
            e->u.route.node_loc = x->loc;
        }
        if (require(l, m, "to", what)) {
            x = yd_get(m, "to");
            const char *t = scalar(l, x, "'default' or a prefix");
            if (t && !strcmp(t, "default")) {
                e->u.route.is_default = true;
                wg_prefix_parse("0.0.0.0/0", &e->u.route.to);
            } else if (t && get_prefix(l, x, false, &e->u.route.to)) {
                e->u.route.is_default = e->u.route.to.len == 0;
            }
        }
        if ((x = yd_get(m, "via"))) {
            e->u.route.has_via = get_ip(l, x, &e->u.route.via);
            e->u.route.via_loc = x->loc;
        }
        if ((x = yd_get(m, "dev")) && e->u.route.node >= 0) {
            e->u.route.dev = resolve_iface(l, &s->nodes[e->u.route.node], x);
            e->u.route.dev_loc = x->loc;
        }
        if (!yd_get(m, "via") && !yd_get(m, "dev"))
            err(l, m, "route: needs 'via:' and/or 'dev:'");
        break;
    }
}

static void load_expect(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    if (!check_seq(l, v, "expect") || is_null(v))
        return;
    static const char *const keys[] = {"at",     "during", "packets", "no-packets", "endpoint", "handshake",
                                       "tunnel", "carp",   "gateway", "state",      "route",    NULL};
    s->expects = hs_alloc(l->a, v->count * sizeof *s->expects);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!check_map(l, c, "expectation", keys) || is_null(c)) {
            if (is_null(c))
                err(l, c, "expectation: expected {at: T, KIND: {...}}, found nothing");
            continue;
        }
        hs_expect *e = &s->expects[s->n_expects++];
        e->loc = c->loc;
        const yd_node *at = yd_get(c, "at"), *during = yd_get(c, "during");
        if (at && during)
            err_key(l, during, "expectation: give either 'at:' or 'during:', not both");
        else if (!at && !during)
            err(l, c, "expectation: needs 'at: TIME' or 'during: [FROM, TO]'");
        if (at) {
            e->time_loc = at->loc;
            if (get_duration(l, at, &e->at))
                check_time(l, at, e->at, "at");
        } else if (during) {
            e->during = true;
            e->time_loc = during->loc;
            if (during->kind != YD_SEQ || during->count != 2) {
                err(l, during, "during: expected [FROM, TO], e.g. [30s, 2m]");
            } else if (get_duration(l, during->first, &e->from) && get_duration(l, during->last, &e->to) &&
                       check_time(l, during->first, e->from, "during") && check_time(l, during->last, e->to, "during") &&
                       e->to < e->from) {
                err(l, during->last, "during: the end is before the start");
            }
        }
        const yd_node *kind = NULL;
        int nk = 0;
        for (const yd_node *k = c->first; k; k = k->next)
            for (int i = 0; expect_kinds[i]; i++)
                if (!strcmp(k->key, expect_kinds[i])) {
                    if (nk++ == 0) {
                        kind = k;
                        e->kind = (hs_expect_kind)i;
                    } else {
                        err_key(l, k, "expectation: one kind per item ('%s' is already given)", kind->key);
                    }
                }
        if (!kind) {
            /* a mistyped kind ('packet:') already has its unknown-key error
             * with a did-you-mean: one mistake, one error */
            bool unknown_key = false;
            for (const yd_node *k = c->first; k && !unknown_key; k = k->next) {
                bool known = false;
                for (int i = 0; keys[i] && !known; i++)
                    known = !strcmp(k->key, keys[i]);
                unknown_key = !known;
            }
            if (!unknown_key)
                err(l, c, "expectation: needs one of packets, no-packets, endpoint, handshake, tunnel, carp, gateway, "
                          "state, route");
            continue;
        }
        e->kind_loc = kind->key_loc;
        load_expect_kind(l, e, kind);
    }
}

/* ------------------------------------------------------------------ */
/* entry points                                                       */
/* ------------------------------------------------------------------ */

static void load_top(L *l, const yd_node *root)
{
    hs_scenario *s = l->s;
    static const char *const top[] = {"name",  "claim", "description", "seed",  "duration", "defaults",
                                      "segments", "nodes", "traffic",  "events", "expect",   NULL};
    static const char *const defkeys[] = {"platform", "engine", NULL};
    if (root->kind != YD_MAP) {
        err(l, root, "a scenario is a mapping (name:, nodes:, ...), found %s", yd_kind_name(root));
        return;
    }
    check_map(l, root, "the scenario", top);
    const yd_node *x;
    s->seed = 1;
    s->duration = 60 * HS_S;
    s->platform = WG_PLATFORM_FREEBSD;
    s->engine = HS_ENGINE_NATIVE;
    if (require(l, root, "name", "the scenario")) {
        x = yd_get(root, "name");
        s->name_loc = x->loc;
        s->name = scalar(l, x, "a name");
        if (s->name && strpbrk(s->name, "\n\r"))
            err(l, x, "name: must be a single line");
    }
    if ((x = yd_get(root, "claim")))
        s->claim = scalar(l, x, "a claim id (e.g. C4)");
    if ((x = yd_get(root, "description")))
        s->description = scalar(l, x, "a text");
    if ((x = yd_get(root, "seed")))
        get_u64(l, x, 0, UINT64_MAX, "a seed", &s->seed);
    if ((x = yd_get(root, "duration"))) {
        if (!get_duration(l, x, &s->duration)) {
            l->duration_bad = true;
            s->duration = 60 * HS_S;
        } else if (s->duration <= 0) {
            err(l, x, "duration: must be more than 0");
            l->duration_bad = true;
            s->duration = 60 * HS_S;
        }
    }
    if ((x = yd_get(root, "defaults")) && check_map(l, x, "defaults", defkeys)) {
        const yd_node *y;
        if ((y = yd_get(x, "platform")))
            get_platform(l, y, &s->platform);
        static const char *const engines[] = {"native", "ns3", NULL};
        int e;
        if ((y = yd_get(x, "engine")) && get_enum(l, y, engines, &e))
            s->engine = (hs_engine)e;
    }
    load_segments(l, yd_get(root, "segments"));
    l->seg_names = hs_alloc(l->a, (s->n_segments ? s->n_segments : 1) * sizeof *l->seg_names);
    for (size_t i = 0; i < s->n_segments; i++)
        l->seg_names[i] = s->segments[i].name;

    const yd_node *nodes = yd_get(root, "nodes");
    if (!nodes) {
        err(l, root, "the scenario: missing required key 'nodes'");
    } else if (nodes->kind != YD_MAP) {
        err(l, nodes, "nodes: expected a mapping of node names, found %s", yd_kind_name(nodes));
    } else {
        size_t nn = nodes->count;
        s->nodes = hs_alloc(l->a, (nn ? nn : 1) * sizeof *s->nodes);
        l->trees = hs_alloc(l->a, (nn ? nn : 1) * sizeof *l->trees);
        l->node_names = hs_alloc(l->a, (nn ? nn : 1) * sizeof *l->node_names);
        l->like_state = hs_alloc(l->a, (nn ? nn : 1) * sizeof *l->like_state);
        l->like_root = hs_alloc(l->a, (nn ? nn : 1) * sizeof *l->like_root);
        s->n_nodes = nn;
        size_t i = 0;
        for (const yd_node *c = nodes->first; c; c = c->next, i++) {
            s->nodes[i].name = c->key;
            s->nodes[i].loc = c->key_loc;
            s->nodes[i].like = -1;
            l->node_names[i] = c->key;
            l->trees[i] = (yd_node *)c;
            name_ok(l, c->key, c, "node");
        }
        if (nn == 0)
            err(l, nodes, "nodes: a scenario needs at least one node");
        for (i = 0; i < nn; i++)
            resolve_like(l, (int)i, l->trees[i]);
        for (i = 0; i < nn; i++)
            if (l->like_state[i] != 3)
                load_node(l, (int)i);
        resolve_peers(l);
        check_addresses(l);
        check_segment_sizes(l);
        check_pfsync(l);
    }
    load_traffic(l, yd_get(root, "traffic"));
    load_events(l, yd_get(root, "events"));
    load_expect(l, yd_get(root, "expect"));
}

hs_scenario *hs_load_bytes(const char *name, const uint8_t *bytes, size_t len, hs_diag *diag)
{
    size_t before = hs_diag_count(diag);
    hs_arena *a = hs_arena_new();
    yd_node *root = yd_parse(a, bytes, len, diag);
    if (!root) {
        hs_arena_free(a);
        return NULL;
    }
    hs_scenario *s = hs_alloc(a, sizeof *s);
    s->arena_ = a;
    s->file = hs_strdup(a, name ? name : "<input>");
    L l = {.a = a, .d = diag, .s = s};
    load_top(&l, root);
    if (hs_diag_count(diag) != before) {
        hs_arena_free(a);
        return NULL;
    }
    return s;
}

hs_scenario *hs_load_file(const char *path, hs_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hs_diag_add(diag, (hs_loc){0, 0}, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        /* 'wgsim run DIR' read it and said 'read error: Is a directory' */
        hs_diag_add(diag, (hs_loc){0, 0},
                    "is a directory, not a scenario file (wgsim test and wgsim validate take directories)");
        fclose(f);
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > (off_t)HS_MAX_INPUT) {
        hs_diag_add(diag, (hs_loc){0, 0}, "file too large (%lld bytes; scenario files are limited to %u bytes)",
                    (long long)st.st_size, (unsigned)HS_MAX_INPUT);
        fclose(f);
        return NULL;
    }
    size_t cap = 64 * 1024, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        sim_oom("reading a scenario file");
    for (;;) {
        if (len == cap) {
            if (cap > HS_MAX_INPUT) {
                /* read one byte past the limit so hs_load_bytes reports it */
                break;
            }
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb)
                sim_oom("reading a scenario file");
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) {
            if (ferror(f)) {
                hs_diag_add(diag, (hs_loc){0, 0}, "read error: %s", strerror(errno));
                fclose(f);
                free(buf);
                return NULL;
            }
            break;
        }
    }
    fclose(f);
    hs_scenario *s = hs_load_bytes(path, buf, len, diag);
    free(buf);
    return s;
}

void hs_scenario_free(hs_scenario *s)
{
    if (s)
        hs_arena_free(s->arena_);
}
