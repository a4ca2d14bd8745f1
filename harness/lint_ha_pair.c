/*
 * lint_ha_pair.c — the two firewalls of a pfsync pair (each names the
 * other as its pfsync peer) are one HA cluster: what one holds as MASTER
 * the other must be able to take over. pfSense keeps the two alike with
 * its configuration sync (XMLRPC: VIPs, and the WireGuard package's
 * settings); a scenario writes both, so the rules here say where they
 * differ: a vhid on one node only or on another interface (ha-carp), a
 * tunnel on one node only (ha-wireguard-tunnel), with another private key
 * (ha-wireguard-key) or listen port (ha-wireguard-port), or without some
 * of the other's peers (ha-wireguard-peers).
 */
#include "harness/lint_internal.h"

#include <stdio.h>
#include <string.h>

/* Every vhid of a on b, on an interface of the same name and segment. */
static void carp_sets(const hs_scenario *s, hs_diag *d, size_t ai, size_t bi)
{
    const hs_node *a = &s->nodes[ai], *b = &s->nodes[bi];
    char b1[WG_IP_STRLEN], b2[WG_IP_STRLEN];
    for (size_t i = 0; i < a->n_carp; i++) {
        const hs_carp *x = &a->carp[i];
        if (!x->vhid || x->iface < 0)
            continue;
        int j = hs_node_find_carp(b, x->vhid);
        if (j < 0) {
            lint_warn(d, lint_carp_where(x), "ha-carp",
                      "carp: vhid %u (%s on %s.%s) is not on '%s', the pfsync peer of '%s': after a failover nothing "
                      "holds that VIP",
                      x->vhid, wg_ip_format(&x->address.ip, b1), a->name, a->ifaces[x->iface].name, b->name, a->name);
            continue;
        }
        const hs_carp *y = &b->carp[j];
        if (ai > bi || y->iface < 0) /* a difference is said once, at the later node */
            continue;
        const hs_iface *fx = &a->ifaces[x->iface], *fy = &b->ifaces[y->iface];
        bool other_if = strcmp(fx->name, fy->name) || fx->segment != fy->segment;
        bool other_vip = !wg_ip_eq(&x->address.ip, &y->address.ip);
        if (!other_if && !other_vip)
            continue;
        lint_warn(d, lint_carp_where(y), "ha-carp",
                  "carp: vhid %u is %s on %s.%s (segment '%s') but %s on %s.%s (segment '%s'), its pfsync peer: the "
                  "pair shares each VIP on one segment",
                  x->vhid, wg_ip_format(&x->address.ip, b1), a->name, fx->name,
                  fx->segment >= 0 ? s->segments[fx->segment].name : "?", wg_ip_format(&y->address.ip, b2), b->name,
                  fy->name, fy->segment >= 0 ? s->segments[fy->segment].name : "?");
    }
}

/* The peers of x missing on y (by public key), said once with the first. */
static void peers_missing(hs_diag *d, const hs_node *a, const hs_wg *x, const hs_node *b, const hs_wg *y)
{
    size_t missing = 0;
    const hs_wg_peer *first = NULL;
    for (size_t p = 0; p < x->n_peers; p++) {
        char b64[WG_KEY_B64_LEN];
        wg_key_to_base64(b64, x->peers[p].public_key);
        if (hs_wg_find_peer(y, b64) >= 0)
            continue;
        if (!missing++)
            first = &x->peers[p];
    }
    if (!missing)
        return;
    lint_warn(d, y->loc, "ha-wireguard-peers",
              "wireguard: %s.%s lacks %zu of the %zu peers of %s.%s, its pfsync peer (first: %s, line %u): after a "
              "failover those remotes have no tunnel",
              b->name, y->name, missing, x->n_peers, a->name, x->name, first->name ? first->name : "by public key",
              first->loc.line);
}

/* The tunnels of a pair: the same names, private keys, ports and peers.
 * A remote knows the pair by one public key and reaches it at the VIP and
 * one port. With a key of its own the new MASTER cannot open an initiation
 * made for the other's key (WireGuard's Noise IK: noise_consume_initiation
 * decrypts the initiator's static with the responder's private key), and
 * its own initiations carry a static key the remote has no peer for. */
static void tunnels(const hs_scenario *s, hs_diag *d, size_t ai, size_t bi)
{
    const hs_node *a = &s->nodes[ai], *b = &s->nodes[bi];
    for (size_t i = 0; i < a->n_wg; i++) {
        const hs_wg *x = &a->wg[i];
        int j = hs_node_find_wg(b, x->name);
        if (j < 0) {
            lint_warn(d, x->loc, "ha-wireguard-tunnel",
                      "wireguard: %s is on '%s' but not on '%s', its pfsync peer: the tunnel does not survive a "
                      "failover",
                      x->name, a->name, b->name);
            continue;
        }
        const hs_wg *y = &b->wg[j];
        peers_missing(d, a, x, b, y);
        if (ai > bi)
            continue; /* the rest is symmetric: said once, at the later node */
        if (memcmp(x->private_key, y->private_key, WG_KEY_LEN))
            lint_warn(d, y->loc, "ha-wireguard-key",
                      "wireguard: %s has another private key on '%s' than on '%s' (line %u), its pfsync peer: remotes "
                      "know the pair by one public key, so after a failover their handshakes with '%s' fail (let '%s' "
                      "be like: '%s', or give both the same private-key)",
                      y->name, b->name, a->name, x->loc.line, b->name, b->name, a->name);
        if (x->listen_port != y->listen_port)
            lint_warn(d, y->loc, "ha-wireguard-port",
                      "wireguard: %s listens on port %u on '%s' but %u on '%s' (line %u), its pfsync peer: remotes "
                      "send to one port of the VIP, so after a failover nothing answers them",
                      y->name, y->listen_port, b->name, x->listen_port, a->name, x->loc.line);
    }
}

void lint_ha_pairs(const hs_scenario *s, hs_diag *d)
{
    for (size_t a = 0; a < s->n_nodes; a++) {
        int b = s->nodes[a].pfsync.peer;
        if (b < 0 || !lint_pfsync_pair(s, a, (size_t)b))
            continue;
        carp_sets(s, d, a, (size_t)b);
        tunnels(s, d, a, (size_t)b);
    }
}
