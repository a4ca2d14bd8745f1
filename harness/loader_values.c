/*
 * loader_values.c — reading the YAML tree with located errors: the error
 * helpers (a value copied by `like:` is reported at the copying node's
 * `like:`), the shape checks (mapping with known keys, list, required key),
 * every typed scalar the scenario language has (names, integers, durations,
 * addresses, keys, comparisons, ...) and name references with a
 * did-you-mean. Shared by the loader_*.c sections through loader_internal.h.
 */
#include "harness/loader_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* errors                                                             */
/* ------------------------------------------------------------------ */

/* at: where in the file, when not n's own place (a column inside `do:`). */
static void report(L *l, const yd_node *n, bool at_key, const hs_loc *at, const char *fmt, va_list ap)
{
    char msg[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    hs_loc loc = at ? *at : n ? (at_key && n->key_loc.line ? n->key_loc : n->loc) : (hs_loc){0, 0};
    hs_loc shown = n && n->inherited.line ? n->inherited : loc;
    char from_copy[96] = "";
    /* N copies of one template share its positions: a mistake in the
     * template is said once, for the first copy that shows it; and a
     * position loader_count.c explained (a stray placeholder) gets no second
     * error ('h{i}' is also not a valid name). Empty without count:. */
    if (n && (n->copy || l->copy_errors.n) && !ld_explained(l, shown, n->copy != NULL))
        return;
    if (n && n->copy) {
        snprintf(from_copy, sizeof from_copy, " (with i = %lld from count: at line %u)", (long long)n->copy->i,
                 n->copy->count_loc.line);
    }
    if (n && n->inherited.line)
        hs_diag_add(l->d, n->inherited, "%s%s (inherited through 'like:' from line %u:%u)", msg, from_copy, loc.line,
                    loc.col);
    else
        hs_diag_add(l->d, loc, "%s%s", msg, from_copy);
}

bool ld_explained(L *l, hs_loc loc, bool add)
{
    uint32_t key[2] = {loc.line, loc.col};
    if (hs_index_get(&l->copy_errors, key, sizeof key) >= 0)
        return false;
    if (add) {
        uint32_t *k = hs_alloc(l->a, sizeof key);
        memcpy(k, key, sizeof key);
        hs_index_put(&l->copy_errors, k, sizeof key, 0);
    }
    return true;
}

void ld_err_at(L *l, const yd_node *n, hs_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(l, n, false, &at, fmt, ap);
    va_end(ap);
}

void ld_err(L *l, const yd_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(l, n, false, NULL, fmt, ap);
    va_end(ap);
}

void ld_err_key(L *l, const yd_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(l, n, true, NULL, fmt, ap);
    va_end(ap);
}

/* Adds "; did you mean 'x'?" or " (valid: a, b, c)" to buf. */
const char *ld_hint(L *l, const char *word, const char *const *cands, size_t n, bool list, char *buf,
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

const char *ld_label(const yd_node *v, const char *what) { return v && v->key ? v->key : what; }

/* ------------------------------------------------------------------ */
/* shapes                                                             */
/* ------------------------------------------------------------------ */

bool ld_is_null(const yd_node *n) { return !n || (n->kind == YD_SCALAR && n->is_null); }

size_t ld_count_keys(const char *const *keys)
{
    size_t n = 0;
    while (keys[n])
        n++;
    return n;
}

/* A mapping with only `keys` (NULL-terminated); null counts as empty. */
bool ld_check_map(L *l, const yd_node *n, const char *what, const char *const *keys)
{
    if (ld_is_null(n))
        return true;
    if (n->kind != YD_MAP) {
        ld_err(l, n, "%s: expected a mapping, found %s", what, yd_kind_name(n));
        return false;
    }
    size_t nk = ld_count_keys(keys);
    for (const yd_node *c = n->first; c; c = c->next) {
        bool ok = false;
        for (size_t i = 0; i < nk; i++)
            if (!strcmp(c->key, keys[i]))
                ok = true;
        if (!ok) {
            char h[400];
            ld_err_key(l, c, "unknown key '%.60s' in %s%s", c->key, what, ld_hint(l, c->key, keys, nk, true, h, sizeof h));
        }
    }
    return true;
}

bool ld_check_seq(L *l, const yd_node *n, const char *what)
{
    if (ld_is_null(n))
        return true;
    if (n->kind != YD_SEQ) {
        ld_err(l, n, "%s: expected a list, found %s", what, yd_kind_name(n));
        return false;
    }
    return true;
}

bool ld_require(L *l, const yd_node *map, const char *key, const char *what)
{
    if (yd_get(map, key))
        return true;
    ld_err(l, map, "%s: missing required key '%s'", what, key);
    return false;
}

/* ------------------------------------------------------------------ */
/* scalars                                                            */
/* ------------------------------------------------------------------ */

const char *ld_scalar(L *l, const yd_node *v, const char *what)
{
    if (!v)
        return NULL;
    if (v->kind != YD_SCALAR || v->is_null) {
        ld_err(l, v, "%s: expected %s, found %s", ld_label(v, what), what, yd_kind_name(v));
        return NULL;
    }
    /* a copy: the tree is freed once the scenario is loaded */
    return hs_strdup(l->a, v->str);
}

bool ld_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= HS_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

bool ld_name_ok(L *l, const char *name, const yd_node *at_key_of, const char *what)
{
    if (ld_valid_name(name))
        return true;
    ld_err_key(l, at_key_of, "'%.60s' is not a valid %s name (1-%d characters of A-Z a-z 0-9 . _ -)", name, what,
            HS_NAME_MAX - 1);
    return false;
}

bool ld_get_name(L *l, const yd_node *v, const char *what, const char **out)
{
    const char *s = ld_scalar(l, v, what);
    if (!s)
        return false;
    if (!ld_valid_name(s)) {
        ld_err(l, v, "%s: '%.60s' is not a valid name (1-%d characters of A-Z a-z 0-9 . _ -)", ld_label(v, what), s,
            HS_NAME_MAX - 1);
        return false;
    }
    *out = s;
    return true;
}

bool ld_get_u64(L *l, const yd_node *v, uint64_t min, uint64_t max, const char *what, uint64_t *out)
{
    const char *s = ld_scalar(l, v, what);
    if (!s)
        return false;
    bool digits = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            digits = false;
    errno = 0;
    unsigned long long x = digits ? strtoull(s, NULL, 10) : 0;
    if (!digits || errno || x < min || x > max) {
        ld_err(l, v, "%s: '%.60s' is not %s (an integer from %llu to %llu)", ld_label(v, what), s, what,
            (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = x;
    return true;
}

bool ld_get_port(L *l, const yd_node *v, uint16_t *out)
{
    uint64_t x;
    if (!ld_get_u64(l, v, 1, 65535, "a port", &x))
        return false;
    *out = (uint16_t)x;
    return true;
}

bool ld_get_duration(L *l, const yd_node *v, hs_time *out)
{
    const char *s = ld_scalar(l, v, "a duration");
    if (!s)
        return false;
    hs_dur_err e = hs_duration_parse(s, out);
    if (e != HS_DUR_OK) {
        bool bare = *s && strspn(s, "0123456789.") == strlen(s);
        ld_err(l, v, "%s: '%.60s' %s%s", ld_label(v, "duration"), s, hs_duration_problem(e),
            e != HS_DUR_SYNTAX ? ""
            : bare             ? " (add a unit: ms, s, m or h, e.g. 10s)"
                               : " (e.g. 250ms, 10s, 1.5s, 2m, 1h)");
        return false;
    }
    return true;
}

bool ld_get_percent(L *l, const yd_node *v, double *out)
{
    const char *s = ld_scalar(l, v, "a percentage");
    if (!s)
        return false;
    if (!hs_parse_percent(s, out)) {
        ld_err(l, v, "%s: '%.60s' is not a percentage from 0%% to 100%% (e.g. 0%%, 0.5%%)", ld_label(v, "percentage"), s);
        return false;
    }
    return true;
}

bool ld_get_bool(L *l, const yd_node *v, bool *out)
{
    const char *s = ld_scalar(l, v, "true or false");
    if (!s)
        return false;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
        *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
        *out = false;
    else {
        ld_err(l, v, "%s: expected true or false, found '%.60s'", ld_label(v, "value"), s);
        return false;
    }
    return true;
}

bool ld_get_ip(L *l, const yd_node *v, wg_ip *out)
{
    const char *s = ld_scalar(l, v, "an address");
    if (!s)
        return false;
    if (!wg_ip_parse(s, out)) {
        ld_err(l, v, "%s: '%.60s' is not an IP address", ld_label(v, "address"), s);
        return false;
    }
    return true;
}

/* need_len: an interface address must say its prefix length. */
bool ld_get_prefix(L *l, const yd_node *v, bool need_len, wg_prefix *out)
{
    const char *s = ld_scalar(l, v, "an address prefix");
    if (!s)
        return false;
    wg_prefix p;
    if (!wg_prefix_parse(s, &p)) {
        ld_err(l, v, "%s: '%.60s' is not an address prefix (e.g. 10.0.0.1/24)", ld_label(v, "prefix"), s);
        return false;
    }
    if (need_len && !strchr(s, '/')) {
        ld_err(l, v, "%s: '%.60s' needs a prefix length (e.g. %s/24)", ld_label(v, "address"), s, s);
        return false;
    }
    *out = p;
    return true;
}

/* An interface address: not the network or broadcast address of its prefix. */
bool ld_get_host_prefix(L *l, const yd_node *v, wg_prefix *res)
{
    wg_prefix tmp, *out = &tmp;
    if (!ld_get_prefix(l, v, true, out))
        return false;
    if (out->ip.family == 6) {
        /* the simulator's network is IPv4-only (docs/models.md, "IPv4"):
         * the build refused such an address with a bare EINVAL */
        ld_err(l, v, "%s: %s is IPv6; the simulated network is IPv4 only (IPv6 is not modelled yet)",
            ld_label(v, "address"), ld_scalar(l, v, "an address"));
        return false;
    }
    if (out->ip.family == 4 && out->len <= 30) {
        uint32_t a = wg_ip4_to_u32(&out->ip);
        uint32_t host = out->len ? ~(UINT32_MAX << (32 - out->len)) : UINT32_MAX;
        if ((a & host) == 0 || (a & host) == host) {
            char buf[WG_IP_STRLEN];
            ld_err(l, v, "%s: %s is the %s address of its network, not a host address", ld_label(v, "address"),
                wg_prefix_format(out, buf), (a & host) == 0 ? "network" : "broadcast");
            return false;
        }
    }
    *res = tmp;
    return true;
}

bool ld_get_endpoint(L *l, const yd_node *v, wg_endpoint *out)
{
    const char *s = ld_scalar(l, v, "an endpoint");
    if (!s)
        return false;
    if (!wg_endpoint_parse(s, out)) {
        ld_err(l, v, "%s: '%.60s' is not an endpoint ADDR:PORT (e.g. 192.0.2.1:51820)", ld_label(v, "endpoint"), s);
        return false;
    }
    if (out->ip.family == 6) {
        /* a send to it failed (unreachable) at every attempt of the run */
        ld_err(l, v, "%s: %.60s is IPv6; the simulated network is IPv4 only (IPv6 is not modelled yet)",
            ld_label(v, "endpoint"), s);
        return false;
    }
    return true;
}

bool ld_get_addr_match(L *l, const yd_node *v, hs_addr_match *out)
{
    const char *s = ld_scalar(l, v, "an address");
    if (!s)
        return false;
    wg_endpoint ep;
    memset(out, 0, sizeof *out);
    out->loc = v->loc;
    if (wg_endpoint_parse(s, &ep)) {
        out->ip = ep.ip;
        out->port = ep.port;
    } else if (!wg_ip_parse(s, &out->ip)) {
        ld_err(l, v, "%s: '%.60s' is not an address or ADDR:PORT", ld_label(v, "address"), s);
        return false;
    }
    out->set = true;
    return true;
}

bool ld_get_key(L *l, const yd_node *v, uint8_t key[WG_KEY_LEN])
{
    const char *s = ld_scalar(l, v, "a key");
    if (!s)
        return false;
    if (!wg_key_from_base64(key, s)) {
        ld_err(l, v, "%s: not a WireGuard key (44 characters of base64, as `wg genkey` prints)", ld_label(v, "key"));
        return false;
    }
    return true;
}

bool ld_get_enum(L *l, const yd_node *v, const char *const *names, int *out)
{
    const char *s = ld_scalar(l, v, "a keyword");
    if (!s)
        return false;
    size_t n = ld_count_keys(names);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s)) {
            *out = (int)i;
            return true;
        }
    char h[300];
    ld_err(l, v, "%s: '%.60s' is not one of the choices%s", ld_label(v, "value"), s, ld_hint(l, s, names, n, true, h, sizeof h));
    return false;
}

bool ld_get_cmp(L *l, const yd_node *v, hs_unit unit, hs_cmp *out)
{
    const char *s = ld_scalar(l, v, "a comparison");
    if (!s)
        return false;
    if (!hs_parse_cmp(s, unit, out)) {
        static const char *const ex[] = {"'>= 1', '== 0' or a bare count", "'<= 5%' or '0%'", "'< 100ms' or '2s'"};
        /* a well-formed time past the limit says the limit, as a duration does */
        char t[64];
        hs_time ignored;
        hs_dur_err e = HS_DUR_SYNTAX;
        int end = -1;
        if (unit == HS_UNIT_DURATION && sscanf(s + strspn(s, " =<>"), "%63s %n", t, &end) == 1 && end >= 0 &&
            !s[strspn(s, " =<>") + (size_t)end])
            e = hs_duration_parse(t, &ignored);
        if (e == HS_DUR_RANGE || e == HS_DUR_FINER)
            ld_err(l, v, "%s: '%.60s': '%s' %s", ld_label(v, "value"), s, t, hs_duration_problem(e));
        else
            ld_err(l, v, "%s: '%.60s' is not a comparison (e.g. %s)", ld_label(v, "value"), s, ex[unit]);
        return false;
    }
    out->loc = v->loc;
    return true;
}

bool ld_get_proto(L *l, const yd_node *v, hs_proto *out)
{
    static const char *const names[] = {"any", "icmp", "tcp", "udp", NULL};
    static const hs_proto vals[] = {HS_PROTO_ANY, HS_PROTO_ICMP, HS_PROTO_TCP, HS_PROTO_UDP};
    int i;
    if (!ld_get_enum(l, v, names, &i))
        return false;
    *out = vals[i];
    return true;
}

int ld_name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(names[i], s))
            return (int)i;
    return -1;
}

const char **ld_names(L *l, const void *base, size_t stride, size_t n)
{
    const char **names = hs_alloc(l->a, (n ? n : 1) * sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = *(const char *const *)((const char *)base + i * stride);
    return names;
}

int ld_resolve(L *l, const yd_node *v, const hs_index *idx, const void *base, size_t stride, size_t n,
               const char *what, const char *where)
{
    char a_name[64];
    snprintf(a_name, sizeof a_name, "a %s name", what);
    const char *s = ld_scalar(l, v, a_name);
    if (!s)
        return -1;
    int i = hs_index_get_str(idx, s);
    if (i < 0) {
        /* the did-you-mean looks at every name: linear, but only on an error */
        char h[300];
        ld_err(l, v, "unknown %s '%.60s'%s%s%s", what, s, where ? " " : "", where ? where : "",
               ld_hint(l, s, ld_names(l, base, stride, n), n, false, h, sizeof h));
    }
    return i;
}

int ld_resolve_node(L *l, const yd_node *v)
{
    int i = ld_resolve(l, v, &l->node_index, l->s->nodes, sizeof *l->s->nodes, l->s->n_nodes, "node", NULL);
    /* A node whose like: failed was not loaded (its error explains it):
     * what refers to it is not checked against the keys it lacks, which
     * added 'has no CARP vhid 1' and 'is not a firewall' to the one error. */
    if (i >= 0 && l->like_state && l->like_state[i] == 3)
        return -1;
    return i;
}

int ld_resolve_segment(L *l, const yd_node *v)
{
    return ld_resolve(l, v, &l->seg_index, l->s->segments, sizeof *l->s->segments, l->s->n_segments, "segment",
                      NULL);
}

int ld_resolve_iface(L *l, const hs_node *n, const yd_node *v)
{
    char where[HS_NAME_MAX + 16];
    snprintf(where, sizeof where, "on node '%s'", n->name);
    return ld_resolve(l, v, &l->iface_index[n - l->s->nodes], n->ifaces, sizeof *n->ifaces, n->n_ifaces,
                      "interface", where);
}

int ld_resolve_gateway(L *l, const hs_node *n, const yd_node *v)
{
    char where[HS_NAME_MAX + 16];
    snprintf(where, sizeof where, "on node '%s'", n->name);
    return ld_resolve(l, v, &l->gw_index[n - l->s->nodes], n->gateways, sizeof *n->gateways, n->n_gateways,
                      "gateway", where);
}

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

bool ld_get_platform(L *l, const yd_node *v, wg_platform *out)
{
    static const char *const names[] = {"freebsd", "openbsd", "linux", "wireguard-go", NULL};
    const char *s = ld_scalar(l, v, "a platform");
    if (!s)
        return false;
    if (parse_platform(s, out))
        return true;
    char h[200];
    ld_err(l, v, "platform: unknown platform '%.60s'%s", s, ld_hint(l, s, names, 4, true, h, sizeof h));
    return false;
}

bool ld_check_time(L *l, const yd_node *v, hs_time t, const char *what)
{
    if (l->duration_bad)
        return t >= 0; /* the duration's own error stands for it */
    if (t < 0 || t > l->s->duration) {
        char b1[32], b2[32];
        ld_err(l, v, "%s: %s is outside the scenario [0, %s]", ld_label(v, what), hs_format_duration(t, b1, sizeof b1),
            hs_format_duration(l->s->duration, b2, sizeof b2));
        return false;
    }
    return true;
}

/* The yd node of a value inside a node's tree, for error locations:
 * nodes -> NAME -> path... (NULL-terminated keys; "#i" picks a list item). */
const yd_node *ld_tree_at(const L *l, int ni, ...)
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

