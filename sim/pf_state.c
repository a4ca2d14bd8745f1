/*
 * pf_state.c — the pf state table: keys on the stack side and the wire
 * side, UDP peer progress and timeouts, expiry, states-kill and pfsync
 * import.
 *
 * Sources: ha-model.md §2 (PFH timeouts, PSC import), FreeBSD
 * sys/netpfil/pf/pf.c (pf_state_key_setup, pf_find_state,
 * pf_find_state_all, pf_state_insert, pf_test_state_udp,
 * pf_test_state_icmp, pf_purge_expired_states), if_pfsync.c
 * (pfsync_state_import).
 *
 * Expiry is exact: a state no longer matches once expire + timeout has
 * passed. Real pf removes it in its purge thread, which sweeps the table
 * over PFTM_INTERVAL (10 s), so a real state can outlive its timeout by up
 * to 10 s; documented in docs/models.md.
 */
#include "sim/pf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int proto_class(uint8_t proto)
{
    if (proto == PF_PROTO_UDP)
        return PF_CLASS_UDP;
    if (proto == PF_PROTO_ICMP)
        return PF_CLASS_ICMP;
    return PF_CLASS_OTHER;
}

void pf_options_default(pf_options *o)
{
    memset(o, 0, sizeof *o);
    /* pfSense state policy: if-bound by default since commit 7fedaae
     * (2024-01), floating before (ha-model.md §2, FLT). */
    o->if_bound = true;
    /* pfvar.h / pf_ioctl.c defaults, pfSense "normal" optimization keeps
     * them (ha-model.md §2): udp.first 60, udp.single 30, udp.multiple 60. */
    o->timeout[PF_CLASS_UDP][PFTM_FIRST] = 60 * SIM_S;
    o->timeout[PF_CLASS_UDP][PFTM_SINGLE] = 30 * SIM_S;
    o->timeout[PF_CLASS_UDP][PFTM_MULTIPLE] = 60 * SIM_S;
    /* icmp.first 20, icmp.error 10 (pfvar.h PFTM_ICMP_*_VAL); an ICMP state
     * moves to icmp.error on its first reply (pf_test_state_icmp). */
    o->timeout[PF_CLASS_ICMP][PFTM_FIRST] = 20 * SIM_S;
    o->timeout[PF_CLASS_ICMP][PFTM_SINGLE] = 10 * SIM_S;
    o->timeout[PF_CLASS_ICMP][PFTM_MULTIPLE] = 10 * SIM_S;
    /* other.first 60, other.single 30, other.multiple 60 (pfvar.h). */
    o->timeout[PF_CLASS_OTHER][PFTM_FIRST] = 60 * SIM_S;
    o->timeout[PF_CLASS_OTHER][PFTM_SINGLE] = 30 * SIM_S;
    o->timeout[PF_CLASS_OTHER][PFTM_MULTIPLE] = 60 * SIM_S;
    /* NAT source ports 50001-65535 (PFCTL, ha-model.md §2). */
    o->nat_port_low = PF_NAT_PORT_LOW;
    o->nat_port_high = PF_NAT_PORT_HIGH;
}

void pf_key_for_packet(pf_dir dir, const pf_pkt *pkt, pf_key *k)
{
    /* pf_test_state_udp: inbound "wire side, straight", outbound "stack
     * side, reverse": index 0 is the remote end in both directions. */
    memset(k, 0, sizeof *k);
    k->proto = pkt->proto;
    int sidx = dir == PF_IN ? 0 : 1, didx = 1 - sidx;
    k->addr[sidx] = pkt->src;
    k->addr[didx] = pkt->dst;
    k->port[sidx] = pkt->sport;
    k->port[didx] = pkt->dport;
}

bool pf_key_eq(const pf_key *a, const pf_key *b)
{
    return a->proto == b->proto && a->addr[0] == b->addr[0] && a->addr[1] == b->addr[1] &&
           a->port[0] == b->port[0] && a->port[1] == b->port[1];
}

sim_time pf_state_timeout_ns(const pf *p, const pf_state *s)
{
    return p->opt.timeout[proto_class(s->wire.proto)][s->timeout];
}

sim_time pf_state_expires_at(const pf *p, const pf_state *s)
{
    return s->expire + pf_state_timeout_ns(p, s);
}

bool pf_state_live(const pf *p, const pf_state *s)
{
    return sim_now(p->eng) < pf_state_expires_at(p, s);
}

static bool kif_match(const pf *p, const pf_state *s, const char *ifname)
{
    /* pf_find_state: a state matches on its own kif or when floating. */
    if (!p->opt.if_bound || s->ifname[0] == 0)
        return true;
    return ifname && strcmp(s->ifname, ifname) == 0;
}

pf_state *pf_state_find(pf *p, pf_dir dir, const char *ifname, const pf_key *k)
{
    /* Inbound packets are looked up among wire keys, outbound among stack
     * keys (pf_find_state idx = PF_SK_WIRE / PF_SK_STACK). */
    for (size_t i = 0; i < p->n; i++) {
        pf_state *s = p->st[i];
        if (!pf_state_live(p, s) || !kif_match(p, s, ifname))
            continue;
        if (pf_key_eq(dir == PF_IN ? &s->wire : &s->stack, k))
            return s;
    }
    return NULL;
}

pf_state *pf_state_find_any(pf *p, const pf_key *k)
{
    for (size_t i = 0; i < p->n; i++) {
        pf_state *s = p->st[i];
        if (pf_state_live(p, s) && (pf_key_eq(&s->wire, k) || pf_key_eq(&s->stack, k)))
            return s;
    }
    return NULL;
}

static void notify(pf *p, const pf_state *s, pf_sync_kind k)
{
    /* pfsync exports local changes except states of no-sync rules
     * (ha-model.md §2, PS4). An imported state is exported again only when
     * this node's own traffic changes it; the import itself notifies
     * nothing, so a received change is not rebroadcast. */
    if (p->ops.state_changed && !s->nosync)
        p->ops.state_changed(p->ops.ctx, s, k);
}

static pf_state *insert_raw(pf *p, const pf_state *s)
{
    /* pf_state_key_attach: a live state on the same interface and direction
     * with the same wire or stack key makes the insert fail. */
    for (size_t i = 0; i < p->n; i++) {
        pf_state *o = p->st[i];
        if (!pf_state_live(p, o) || o->dir != s->dir)
            continue;
        if (p->opt.if_bound && o->ifname[0] && s->ifname[0] && strcmp(o->ifname, s->ifname) != 0)
            continue;
        if (pf_key_eq(&o->wire, &s->wire) || pf_key_eq(&o->stack, &s->stack))
            return NULL;
    }
    if (p->n == p->cap) {
        size_t nc = p->cap ? 2 * p->cap : 16;
        pf_state **ns = realloc(p->st, nc * sizeof *ns);
        if (!ns)
            return NULL;
        p->st = ns;
        p->cap = nc;
    }
    pf_state *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *s;
    p->st[p->n++] = c;
    return c;
}

pf_state *pf_state_insert(pf *p, const pf_state *s)
{
    pf_state tmp = *s;
    tmp.id = ++p->next_id;
    tmp.creatorid = p->creatorid;
    tmp.imported = false;
    pf_state *c = insert_raw(p, &tmp);
    if (c) {
        p->states_created++;
        notify(p, c, PF_SYNC_INSERT);
    }
    return c;
}

void pf_state_touch(pf *p, pf_state *s, bool from_initiator)
{
    /* pf_test_state_udp: the sender's peer goes to at least SINGLE, the
     * other peer from SINGLE to MULTIPLE; both MULTIPLE -> udp.multiple,
     * else udp.single; expire = now. ICMP: pf_test_state_icmp sets
     * icmp.error on every matching packet. */
    uint8_t *src = from_initiator ? &s->src_state : &s->dst_state;
    uint8_t *dst = from_initiator ? &s->dst_state : &s->src_state;
    if (*src < PFUDPS_SINGLE)
        *src = PFUDPS_SINGLE;
    if (*dst == PFUDPS_SINGLE)
        *dst = PFUDPS_MULTIPLE;
    if (proto_class(s->wire.proto) == PF_CLASS_ICMP)
        s->timeout = PFTM_MULTIPLE;
    else if (s->src_state == PFUDPS_MULTIPLE && s->dst_state == PFUDPS_MULTIPLE)
        s->timeout = PFTM_MULTIPLE;
    else
        s->timeout = PFTM_SINGLE;
    s->expire = sim_now(p->eng);
    s->packets[from_initiator ? 0 : 1]++;
    notify(p, s, PF_SYNC_UPDATE);
}

static void remove_at(pf *p, size_t i, bool tell)
{
    pf_state *s = p->st[i];
    if (tell)
        notify(p, s, PF_SYNC_DELETE);
    free(s);
    p->st[i] = p->st[--p->n];
}

size_t pf_state_purge(pf *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n;) {
        if (!pf_state_live(p, p->st[i])) {
            /* pf_unlink_state tells pfsync (pfsync_delete_state). */
            remove_at(p, i, true);
            p->states_expired++;
            k++;
        } else {
            i++;
        }
    }
    return k;
}

static bool key_has(const pf_key *k, uint32_t a) { return k->addr[0] == a || k->addr[1] == a; }

size_t pf_states_kill(pf *p, const uint32_t *addr)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n;) {
        pf_state *s = p->st[i];
        if (!addr || key_has(&s->wire, *addr) || key_has(&s->stack, *addr)) {
            remove_at(p, i, true);
            p->states_killed++;
            k++;
        } else {
            i++;
        }
    }
    return k;
}

size_t pf_state_count(pf *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        k += pf_state_live(p, p->st[i]);
    return k;
}

pf_state *pf_state_at(pf *p, size_t i) { return i < p->n ? p->st[i] : NULL; }

bool pf_state_import(pf *p, const pf_state *s, sim_time remaining)
{
    /* pfsync_state_import: the expire is rebuilt from the remaining time
     * the peer exported ("st->expire -= timeout - sp->expire"). */
    sim_time now = sim_now(p->eng);
    for (size_t i = 0; i < p->n; i++) {
        pf_state *o = p->st[i];
        if (o->creatorid == s->creatorid && o->id == s->id) {
            o->src_state = s->src_state;
            o->dst_state = s->dst_state;
            o->timeout = s->timeout;
            o->expire = now - (pf_state_timeout_ns(p, o) - remaining);
            return true;
        }
    }
    /* Import skips a state whose interface name does not exist locally
     * (ha-model.md §2, PSC pf_state_import). */
    if (s->ifname[0] && !(p->ops.iface_exists && p->ops.iface_exists(p->ops.ctx, s->ifname)))
        return false;
    pf_state tmp = *s;
    tmp.imported = true;
    /* Rule numbers match only when ruleset checksums do; otherwise the
     * default rule (PSC). Route-to/reply-to options travel with the state. */
    tmp.expire = now - (pf_state_timeout_ns(p, &tmp) - remaining);
    pf_state *c = insert_raw(p, &tmp);
    return c != NULL;
}

bool pf_state_import_delete(pf *p, uint32_t creatorid, uint64_t id)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->st[i]->creatorid == creatorid && p->st[i]->id == id) {
            remove_at(p, i, false);
            return true;
        }
    return false;
}

static const char *ip4(uint32_t a, char *b)
{
    snprintf(b, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return b;
}

const char *pf_state_format(const pf_state *s, char *buf, size_t len)
{
    /* pfctl -ss style: "wan udp 192.0.2.10:51820 <- 198.51.100.1:51820 (198.51.100.2:51820)" */
    char a[16], b[16], c[16];
    const char *proto = s->wire.proto == PF_PROTO_UDP ? "udp" : s->wire.proto == PF_PROTO_ICMP ? "icmp" : "other";
    int sidx = s->dir == PF_IN ? 0 : 1, didx = 1 - sidx;
    bool nat = !pf_key_eq(&s->wire, &s->stack);
    if (s->dir == PF_OUT)
        snprintf(buf, len, "%s %s %s:%u (%s:%u) -> %s:%u%s", s->ifname[0] ? s->ifname : "all", proto,
                 ip4(s->wire.addr[sidx], a), s->wire.port[sidx], ip4(s->stack.addr[sidx], c), s->stack.port[sidx],
                 ip4(s->wire.addr[didx], b), s->wire.port[didx], s->imported ? " [pfsync]" : "");
    else
        snprintf(buf, len, "%s %s %s:%u <- %s:%u%s%s%s", s->ifname[0] ? s->ifname : "all", proto,
                 ip4(s->stack.addr[didx], a), s->stack.port[didx], ip4(s->wire.addr[sidx], b), s->wire.port[sidx],
                 nat ? " (rdr)" : "", s->imported ? " [pfsync]" : "", "");
    (void)nat;
    return buf;
}
