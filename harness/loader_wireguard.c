/*
 * loader_wireguard.c — `wireguard:` interfaces and their peers, derived
 * keys, and the pass that resolves `node:` peers once every node's keys are
 * known.
 */
#include "harness/loader_internal.h"

#include <stdio.h>
#include <string.h>

/* Bit i of wg_device_config.options is named hs_wg_option_names[i]
 * (wgnode.h, docs/wgnode.md "Named options"). */
const char *const hs_wg_option_names[] = {"bsd-handshake-keepalive-as-code", "linux-cookie-reply-as-code", NULL};

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

int hs_wg_find_peer(const hs_wg *w, const char *spec)
{
    uint8_t key[WG_KEY_LEN];
    bool is_key = strlen(spec) == 44 && wg_key_from_base64(key, spec);
    if (w->index_) {
        /* the first peer that has it as its name or as its key */
        const ld_wg_index *ix = w->index_;
        int by_name = hs_index_get_str(&ix->names, spec);
        int by_key = is_key ? hs_index_get(&ix->keys, key, WG_KEY_LEN) : -1;
        return by_name < 0 ? by_key : by_key < 0 || by_name < by_key ? by_name : by_key;
    }
    for (size_t i = 0; i < w->n_peers; i++) {
        if (w->peers[i].name && !strcmp(w->peers[i].name, spec))
            return (int)i;
        if (is_key && !memcmp(w->peers[i].public_key, key, WG_KEY_LEN))
            return (int)i;
    }
    return -1;
}

static void load_wg_options(L *l, hs_wg *w, const yd_node *v)
{
    if (ld_is_null(v))
        return;
    w->options_loc = v->loc;
    const yd_node *one = v->kind == YD_SCALAR ? v : NULL;
    if (!one && !ld_check_seq(l, v, "options"))
        return;
    size_t n = ld_count_keys(hs_wg_option_names);
    for (const yd_node *c = one ? one : v->first; c; c = one ? NULL : c->next) {
        const char *s = ld_scalar(l, c, "an option name");
        if (!s)
            continue;
        int i = ld_name_index(hs_wg_option_names, n, s);
        if (i < 0) {
            char h[300];
            ld_err(l, c, "options: unknown option '%.60s'%s", s, ld_hint(l, s, hs_wg_option_names, n, true, h, sizeof h));
        } else if (w->options & (1u << i)) {
            ld_err(l, c, "options: '%s' is given twice", s);
        } else {
            w->options |= 1u << i;
        }
    }
}

/* OPNsense's carp_depend_on (docs/models.md "OPNsense WireGuard
 * carp_depend_on"): a vhid or a VIP address, checked against the node's
 * `carp:` in ld_resolve_peers, once every node is loaded. */
static void load_carp_depend(L *l, const hs_node *n, hs_wg *w, const yd_node *c)
{
    const yd_node *x = yd_get(c, "carp-depend-on"), *d = yd_get(c, "carp-depend-delay");
    if (d && !x)
        ld_err(l, d, "carp-depend-delay: only with 'carp-depend-on:'");
    else if (d && ld_get_duration(l, d, &w->carp_depend_delay) && w->carp_depend_delay > 60 * HS_S) {
        ld_err(l, d, "carp-depend-delay: must be at most 60s");
        w->carp_depend_delay = 0;
    }
    if (!x)
        return;
    w->carp_depend_loc = x->loc;
    if (n->kind != HS_NODE_FIREWALL) {
        ld_err(l, x, "carp-depend-on: only on a firewall (OPNsense's WireGuard instance option); '%s' is a %s",
               n->name, hs_node_kind_name(n->kind));
        return;
    }
    const char *s = ld_scalar(l, x, "a vhid or a CARP VIP address");
    if (!s)
        return;
    uint64_t vhid;
    if (s[0] && strspn(s, "0123456789") == strlen(s)) {
        if (ld_get_u64(l, x, 1, 255, "a vhid", &vhid))
            w->carp_depend_vhid = (uint8_t)vhid;
    } else if (wg_ip_parse(s, &w->carp_depend_addr)) {
        w->carp_depend_by_addr = true;
    } else {
        ld_err(l, x, "carp-depend-on: '%.60s' is neither a vhid (1-255) nor a CARP VIP address", s);
    }
}

/* The vhid or VIP of carp-depend-on must be one of the node's `carp:`. */
static void resolve_carp_depend(L *l, const hs_node *n, size_t ni, hs_wg *w)
{
    if (!w->carp_depend_vhid && !w->carp_depend_by_addr)
        return;
    for (size_t i = 0; i < n->n_carp; i++)
        if (w->carp_depend_by_addr ? wg_ip_eq(&n->carp[i].address.ip, &w->carp_depend_addr)
                                   : n->carp[i].vhid == w->carp_depend_vhid) {
            w->carp_depend_vhid = n->carp[i].vhid;
            return;
        }
    char a[WG_IP_STRLEN + 16];
    if (w->carp_depend_by_addr)
        wg_ip_format(&w->carp_depend_addr, a);
    else
        snprintf(a, sizeof a, "vhid %u", w->carp_depend_vhid);
    const yd_node *x = ld_tree_at(l, (int)ni, "wireguard", w->name, "carp-depend-on", (const char *)NULL);
    if (x)
        ld_err(l, x, "carp-depend-on: node '%s' has no CARP %s%s (its `carp:` entries)", n->name,
               w->carp_depend_by_addr ? "VIP " : "", a);
    w->carp_depend_vhid = 0;
    w->carp_depend_by_addr = false;
}

/* Peers' `node:` are resolved later (resolve_peers), once every key is known. */
void ld_load_wireguard(L *l, hs_node *n, int ni, const yd_node *v)
{
    if (ld_is_null(v))
        return;
    if (v->kind != YD_MAP) {
        ld_err(l, v, "wireguard: expected a mapping of interface names (e.g. wg0), found %s", yd_kind_name(v));
        return;
    }
    static const char *const keys[] = {"listen-port",    "private-key",    "address", "peers", "options", "mtu",
                                       "handshake-cost", "carp-depend-on", "carp-depend-delay", NULL};
    static const char *const pkeys[] = {"node",     "public-key",  "interface",           "name",
                                        "preshared-key", "endpoint", "allowed-ips", "persistent-keepalive", NULL};
    n->wg = hs_alloc(l->a, v->count * sizeof *n->wg);
    for (const yd_node *c = v->first; c; c = c->next) {
        hs_wg *w = &n->wg[n->n_wg++];
        w->name = hs_strdup(l->a, c->key);
        w->loc = c->key_loc;
        w->listen_port = 51820;
        w->handshake_cost = WG_HANDSHAKE_COST_DEFAULT;
        ld_name_ok(l, c->key, c, "wireguard interface");
        if (hs_index_get_str(&l->iface_index[ni], c->key) >= 0)
            ld_err_key(l, c, "'%s' is already an interface of node '%s'", c->key, n->name);
        char what[2 * HS_NAME_MAX + 32];
        snprintf(what, sizeof what, "wireguard interface '%s' of node '%s'", c->key, n->name);
        if (!ld_check_map(l, c, what, keys))
            continue;
        const yd_node *x;
        if ((x = yd_get(c, "listen-port"))) {
            ld_get_port(l, x, &w->listen_port);
            for (size_t j = 0; j + 1 < n->n_wg; j++)
                if (n->wg[j].listen_port == w->listen_port)
                    ld_err(l, x, "listen-port: %u is already used by '%s' on node '%s'", w->listen_port, n->wg[j].name,
                        n->name);
        }
        if ((x = yd_get(c, "private-key"))) {
            ld_get_key(l, x, w->private_key);
        } else {
            w->key_derived = true;
            w->key_node = l->node_names[l->like_root[ni]];
            hs_derive_key(w->private_key, l->s->seed, w->key_node, w->name);
        }
        wg_x25519_public(w->public_key, w->private_key);
        if ((x = yd_get(c, "address"))) {
            w->has_address = ld_get_host_prefix(l, x, &w->address);
            w->address_loc = x->loc;
        }
        if ((x = yd_get(c, "options")))
            load_wg_options(l, w, x);
        /* The simulated CPU time of one handshake (docs/models.md,
         * "Handshake processing cost"): what lets a flood put the device
         * under load. */
        if ((x = yd_get(c, "handshake-cost")) && ld_get_duration(l, x, &w->handshake_cost) &&
            (w->handshake_cost < 1000 || w->handshake_cost > HS_S)) {
            ld_err(l, x, "handshake-cost: must be between 1us and 1s");
            w->handshake_cost = WG_HANDSHAKE_COST_DEFAULT;
        }
        load_carp_depend(l, n, w, c);
        uint64_t mtu;
        if ((x = yd_get(c, "mtu")) && ld_get_u64(l, x, 576, 65535, "an MTU", &mtu))
            w->mtu = (uint32_t)mtu;
        x = yd_get(c, "peers");
        if (!x || !ld_check_seq(l, x, "peers") || ld_is_null(x))
            continue;
        w->peers = hs_alloc(l->a, x->count * sizeof *w->peers);
        for (const yd_node *p = x->first; p; p = p->next) {
            if (!ld_check_map(l, p, "peer", pkeys) || ld_is_null(p))
                continue;
            hs_wg_peer *pe = &w->peers[w->n_peers++];
            pe->loc = p->loc;
            pe->node = -1;
            pe->node_wg = -1;
            const yd_node *y;
            const yd_node *pn = yd_get(p, "node"), *pk = yd_get(p, "public-key");
            if (pn && pk)
                ld_err(l, pk, "peer: give either 'node:' or 'public-key:', not both");
            else if (!pn && !pk)
                ld_err(l, p, "peer: needs 'node:' (a node of this scenario) or 'public-key:'");
            if (pn) {
                pe->node = ld_resolve_node(l, pn);
                pe->node_loc = pn->loc;
                if (pe->node >= 0)
                    pe->name = l->node_names[pe->node];
            }
            if (pk)
                ld_get_key(l, pk, pe->public_key);
            if ((y = yd_get(p, "interface")) && !pn)
                ld_err(l, y, "interface: only for 'node:' peers (which wireguard interface of that node)");
            if ((y = yd_get(p, "name"))) {
                const char *nm;
                if (ld_get_name(l, y, "a peer name", &nm))
                    pe->name = nm;
            }
            if ((y = yd_get(p, "preshared-key")))
                pe->has_psk = ld_get_key(l, y, pe->psk);
            if ((y = yd_get(p, "endpoint"))) {
                pe->has_endpoint = ld_get_endpoint(l, y, &pe->endpoint);
                pe->endpoint_loc = y->loc;
            }
            if ((y = yd_get(p, "allowed-ips"))) {
                if (y->kind == YD_SCALAR && !y->is_null) {
                    pe->allowed_ips = hs_alloc(l->a, sizeof *pe->allowed_ips);
                    pe->allowed_ip_locs = hs_alloc(l->a, sizeof *pe->allowed_ip_locs);
                    if (ld_get_prefix(l, y, false, &pe->allowed_ips[0])) {
                        pe->allowed_ip_locs[0] = y->loc;
                        pe->n_allowed_ips = 1;
                    }
                } else if (ld_check_seq(l, y, "allowed-ips") && !ld_is_null(y)) {
                    pe->allowed_ips = hs_alloc(l->a, y->count * sizeof *pe->allowed_ips);
                    pe->allowed_ip_locs = hs_alloc(l->a, y->count * sizeof *pe->allowed_ip_locs);
                    for (const yd_node *a = y->first; a; a = a->next)
                        if (ld_get_prefix(l, a, false, &pe->allowed_ips[pe->n_allowed_ips])) {
                            pe->allowed_ip_locs[pe->n_allowed_ips] = a->loc;
                            pe->n_allowed_ips++;
                        }
                }
            }
            if ((y = yd_get(p, "persistent-keepalive"))) {
                /* seconds as wg(8) takes them, or a duration of whole seconds */
                const char *s = ld_scalar(l, y, "seconds");
                hs_time t;
                uint64_t u;
                if (s && strspn(s, "0123456789") == strlen(s)) {
                    if (ld_get_u64(l, y, 0, 65535, "a number of seconds", &u))
                        pe->persistent_keepalive = (uint16_t)u;
                } else if (s) {
                    if (!hs_parse_duration(s, &t) || t % HS_S || t / HS_S > 65535)
                        ld_err(l, y, "persistent-keepalive: '%.60s' is not a number of seconds (0-65535) or whole-second "
                            "duration", s);
                    else
                        pe->persistent_keepalive = (uint16_t)(t / HS_S);
                }
            }
        }
    }
}

/* A `node:` peer takes the public key of that node's wireguard interface.
 * false: it has none (reported); the peer is not compared with the others. */
static bool resolve_peer(L *l, const hs_node *n, const hs_wg *w, const yd_node *p, hs_wg_peer *pe)
{
    const hs_scenario *s = l->s;
    if (pe->node >= 0) {
        const hs_node *o = &s->nodes[pe->node];
        const yd_node *pn = yd_get(p, "node"), *pif = yd_get(p, "interface");
        if (o->n_wg == 0) {
            ld_err(l, pn, "node: '%s' has no wireguard interface to be a peer", o->name);
            return false;
        }
        int owi = -1;
        if (pif) {
            const char *s2 = ld_scalar(l, pif, "a wireguard interface name");
            if (s2 && (owi = hs_node_find_wg(o, s2)) < 0)
                ld_err(l, pif, "interface: node '%s' has no wireguard interface '%.60s'", o->name, s2);
            if (owi < 0)
                return false;
        } else if (o->n_wg == 1) {
            owi = 0;
        } else {
            /* Ambiguous, so an error even when one of them has this
             * interface's name: that guess took a key silently, and a wrong
             * one showed only as 'unknown-peer' in the run (issue 18). */
            char list[200];
            size_t at = 0;
            for (size_t k = 0; k < o->n_wg && at < sizeof list; k++)
                at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "", o->wg[k].name);
            ld_err(l, pn, "node: '%s' has several wireguard interfaces (%s); say which with 'interface:'", o->name,
                   list);
            return false;
        }
        pe->node_wg = owi;
        memcpy(pe->public_key, o->wg[owi].public_key, WG_KEY_LEN);
    }
    if (!memcmp(pe->public_key, w->public_key, WG_KEY_LEN))
        ld_err(l, p, "peer: this is the public key of %s.%s itself", n->name, w->name);
    return true;
}

void ld_resolve_peers(L *l)
{
    hs_scenario *s = l->s;
    for (size_t ni = 0; ni < s->n_nodes; ni++) {
        hs_node *n = &s->nodes[ni];
        for (size_t wi = 0; wi < n->n_wg; wi++) {
            hs_wg *w = &n->wg[wi];
            resolve_carp_depend(l, n, ni, w);
            ld_wg_index *ix = hs_alloc(l->a, sizeof *ix);
            hs_index_init(&ix->names, l->a); /* kept: hs_wg_find_peer */
            hs_index_init(&ix->keys, l->a);
            w->index_ = ix;
            const yd_node *peers = ld_tree_at(l, (int)ni, "wireguard", w->name, "peers", (const char *)NULL);
            size_t pi = 0;
            for (const yd_node *p = peers && peers->kind == YD_SEQ ? peers->first : NULL; p && pi < w->n_peers;
                 p = p->next) {
                if (p->kind != YD_MAP)
                    continue;
                hs_wg_peer *pe = &w->peers[pi++];
                bool ok = resolve_peer(l, n, w, p, pe);
                /* one hash per interface, of names and keys: a duplicate is
                 * found at a constant cost (a 10,000-peer hub was quadratic) */
                static const uint8_t zero[WG_KEY_LEN];
                int j;
                if (memcmp(pe->public_key, zero, WG_KEY_LEN) &&
                    (j = hs_index_put(&ix->keys, pe->public_key, WG_KEY_LEN, (int)(pi - 1))) >= 0 && ok)
                    ld_err(l, p, "peer: same public key as peer %d of %s.%s", j + 1, n->name, w->name);
                if (pe->name && hs_index_put_str(&ix->names, pe->name, (int)(pi - 1)) >= 0 && ok)
                    ld_err(l, p, "peer: name '%s' is used by another peer of %s.%s (set 'name:')", pe->name, n->name,
                           w->name);
            }
        }
    }
}

