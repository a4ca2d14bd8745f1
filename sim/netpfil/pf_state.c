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
#include "sim/netpfil/pf.h"

#include <stddef.h>
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

/* ---- hash index (wire key, stack key) ---- */

/* pf.h orders a state's fields so a lookup reads its first 64 bytes. */
_Static_assert(offsetof(pf_state, expire) == 64, "a state's lookup fields fill its first 64 bytes");

static size_t key_hash(const pf_key *k)
{
    uint64_t h = (uint64_t)k->addr[0] * UINT64_C(0x9e3779b97f4a7c15);
    h ^= ((uint64_t)k->addr[1] << 17 | k->proto) * UINT64_C(0xc2b2ae3d27d4eb4f);
    h ^= ((uint64_t)k->port[0] << 16 | k->port[1]) * UINT64_C(0x165667b19e3779f9);
    return (size_t)(h ^ (h >> 29));
}

static void hash_link(pf *p, pf_state *s)
{
    size_t bw = key_hash(&s->wire) & (p->hsize - 1), bs = key_hash(&s->stack) & (p->hsize - 1);
    s->next_w = p->hw[bw];
    p->hw[bw] = s;
    s->next_s = p->hs[bs];
    p->hs[bs] = s;
}

static void hash_unlink(pf *p, pf_state *s)
{
    pf_state **pp = &p->hw[key_hash(&s->wire) & (p->hsize - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->next_w;
    if (*pp)
        *pp = s->next_w;
    pp = &p->hs[key_hash(&s->stack) & (p->hsize - 1)];
    while (*pp && *pp != s)
        pp = &(*pp)->next_s;
    if (*pp)
        *pp = s->next_s;
}

static bool hash_grow(pf *p)
{
    size_t ns = p->hsize ? 2 * p->hsize : 64;
    pf_state **hw = calloc(ns, sizeof *hw), **hs = calloc(ns, sizeof *hs);
    if (!hw || !hs) {
        free(hw);
        free(hs);
        return false;
    }
    free(p->hw);
    free(p->hs);
    p->hw = hw;
    p->hs = hs;
    p->hsize = ns;
    for (size_t i = 0; i < p->n; i++)
        hash_link(p, p->st[i]);
    return true;
}

void pf_state_table_free(pf *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->st[i]);
    free(p->st);
    free(p->hw);
    free(p->hs);
    p->st = NULL;
    p->hw = p->hs = NULL;
    p->n = p->cap = p->hsize = 0;
}

sim_time pf_state_timeout_ns(const pf *p, const pf_state *s)
{
    /* A NAT rule's udp-timeout (CGNAT-style idle timeout) replaces the pf
     * UDP timeouts of the states it creates. */
    if (s->udp_timeout > 0 && proto_class(s->wire.proto) == PF_CLASS_UDP)
        return s->udp_timeout;
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

/* The lines of a matched state that pf_test and the change log read
 * (everything before rt_ifname, pf.h): cache-hint notes (sim.h "Cache
 * hints"). */
static inline pf_state *touched(pf_state *s)
{
    sim_touch_range(s, offsetof(pf_state, rt_ifname));
    return s;
}

pf_state *pf_state_find(pf *p, pf_dir dir, const char *ifname, const pf_key *k)
{
    /* Inbound packets are looked up among wire keys, outbound among stack
     * keys (pf_find_state idx = PF_SK_WIRE / PF_SK_STACK). */
    if (!p->hsize)
        return NULL;
    size_t b = key_hash(k) & (p->hsize - 1);
    if (dir == PF_IN) {
        sim_touch(&p->hw[b]);
        for (pf_state *s = p->hw[b]; s; s = s->next_w) {
            sim_touch(s);
            if (pf_key_eq(&s->wire, k) && pf_state_live(p, s) && kif_match(p, s, ifname))
                return touched(s);
        }
    } else {
        sim_touch(&p->hs[b]);
        for (pf_state *s = p->hs[b]; s; s = s->next_s) {
            sim_touch(s);
            if (pf_key_eq(&s->stack, k) && pf_state_live(p, s) && kif_match(p, s, ifname))
                return touched(s);
        }
    }
    return NULL;
}

pf_state *pf_state_find_any(pf *p, const pf_key *k)
{
    if (!p->hsize)
        return NULL;
    size_t b = key_hash(k) & (p->hsize - 1);
    for (pf_state *s = p->hw[b]; s; s = s->next_w)
        if (pf_key_eq(&s->wire, k) && pf_state_live(p, s))
            return s;
    for (pf_state *s = p->hs[b]; s; s = s->next_s)
        if (pf_key_eq(&s->stack, k) && pf_state_live(p, s))
            return s;
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

static void log_state(pf *p, pf_state *s, pf_log_kind k, sim_time end, sim_pf_end why)
{
    if (p->ops.state_log)
        p->ops.state_log(p->ops.ctx, s, k, end, why);
}

/* A state's deadline moved: told only for a state the host logged (its
 * hist set at PF_LOG_NEW), since there is nothing else to update. Every
 * packet that matches a state moves it, so the test comes before the
 * call and the deadline's arithmetic. */
static void log_deadline(pf *p, pf_state *s)
{
    if (s->hist)
        log_state(p, s, PF_LOG_DEADLINE, pf_state_expires_at(p, s), SIM_PF_END_NONE);
}

static bool collides(const pf *p, const pf_state *o, const pf_state *s)
{
    if (!pf_state_live(p, o) || o->dir != s->dir)
        return false;
    if (p->opt.if_bound && o->ifname[0] && s->ifname[0] && strcmp(o->ifname, s->ifname) != 0)
        return false;
    return pf_key_eq(&o->wire, &s->wire) || pf_key_eq(&o->stack, &s->stack);
}

static pf_state *insert_raw(pf *p, const pf_state *s)
{
    /* pf_state_key_attach: a live state on the same interface and direction
     * with the same wire or stack key makes the insert fail. */
    if (p->hsize) {
        for (pf_state *o = p->hw[key_hash(&s->wire) & (p->hsize - 1)]; o; o = o->next_w)
            if (collides(p, o, s))
                return NULL;
        for (pf_state *o = p->hs[key_hash(&s->stack) & (p->hsize - 1)]; o; o = o->next_s)
            if (collides(p, o, s))
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
    if (p->n + 1 > p->hsize && !hash_grow(p))
        return NULL;
    pf_state *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *s;
    c->slot = p->n;
    p->st[p->n++] = c;
    hash_link(p, c);
    return c;
}

pf_state *pf_state_insert(pf *p, const pf_state *s)
{
    pf_state tmp = *s;
    tmp.id = ++p->next_id;
    tmp.creatorid = p->creatorid;
    tmp.imported = false;
    tmp.hist = 0;
    pf_state *c = insert_raw(p, &tmp);
    if (c) {
        p->states_created++;
        log_state(p, c, PF_LOG_NEW, pf_state_expires_at(p, c), SIM_PF_END_NONE);
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
    log_deadline(p, s);
    notify(p, s, PF_SYNC_UPDATE);
}

static void remove_at(pf *p, size_t i, bool tell, sim_pf_end why)
{
    pf_state *s = p->st[i];
    /* an expired state ended at its deadline, whatever removes it now */
    sim_time now = sim_now(p->eng), dl = pf_state_expires_at(p, s);
    log_state(p, s, PF_LOG_END, dl <= now ? dl : now, dl <= now ? SIM_PF_END_EXPIRED : why);
    if (tell)
        notify(p, s, PF_SYNC_DELETE);
    hash_unlink(p, s);
    free(s);
    p->st[i] = p->st[--p->n];
    if (i < p->n)
        p->st[i]->slot = i;
}

size_t pf_state_purge(pf *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n;) {
        if (!pf_state_live(p, p->st[i])) {
            /* pf_unlink_state tells pfsync (pfsync_delete_state). */
            remove_at(p, i, true, SIM_PF_END_EXPIRED);
            p->states_expired++;
            k++;
        } else {
            i++;
        }
    }
    return k;
}

static bool key_has(const pf_key *k, uint32_t a) { return k->addr[0] == a || k->addr[1] == a; }

static size_t kill_matching(pf *p, const uint32_t *addr, sim_pf_end why)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n;) {
        pf_state *s = p->st[i];
        if (!addr || key_has(&s->wire, *addr) || key_has(&s->stack, *addr)) {
            remove_at(p, i, true, why);
            p->states_killed++;
            k++;
        } else {
            i++;
        }
    }
    return k;
}

size_t pf_states_kill(pf *p, const uint32_t *addr) { return kill_matching(p, addr, SIM_PF_END_KILLED); }
size_t pf_states_flush(pf *p) { return kill_matching(p, NULL, SIM_PF_END_FLUSHED); }

size_t pf_state_count(pf *p)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        k += pf_state_live(p, p->st[i]);
    return k;
}

pf_state *pf_state_at(pf *p, size_t i) { return i < p->n ? p->st[i] : NULL; }

/* A state is identified across the pair by (creatorid, id); its wire key
 * never changes, so the wire-key bucket finds it. */
static pf_state *find_by_id(pf *p, const pf_state *s)
{
    if (!p->hsize)
        return NULL;
    for (pf_state *o = p->hw[key_hash(&s->wire) & (p->hsize - 1)]; o; o = o->next_w)
        if (o->creatorid == s->creatorid && o->id == s->id)
            return o;
    return NULL;
}

bool pf_state_import(pf *p, const pf_state *s, sim_time remaining)
{
    /* pfsync_state_import: the expire is rebuilt from the remaining time
     * the peer exported ("st->expire -= timeout - sp->expire"). */
    sim_time now = sim_now(p->eng);
    pf_state *o = find_by_id(p, s);
    if (o && !pf_state_live(p, o)) {
        /* Expiry is exact here (see the top of this file): a state past its
         * deadline is gone even before the purge frees it, so the peer's
         * update makes a new state rather than bringing this one back. */
        remove_at(p, o->slot, false, SIM_PF_END_EXPIRED);
        p->states_expired++;
        o = NULL;
    }
    if (o) {
        o->src_state = s->src_state;
        o->dst_state = s->dst_state;
        o->timeout = s->timeout;
        o->expire = now - (pf_state_timeout_ns(p, o) - remaining);
        log_deadline(p, o);
        return true;
    }
    /* Import skips a state whose interface name does not exist locally
     * (ha-model.md §2, PSC pf_state_import). */
    if (s->ifname[0] && !(p->ops.iface_exists && p->ops.iface_exists(p->ops.ctx, s->ifname)))
        return false;
    pf_state tmp = *s;
    tmp.imported = true;
    /* The caller (pfsync) has already tied it to the default rule when the
     * ruleset checksums differ (PSC). Route-to/reply-to travel with it. */
    tmp.expire = now - (pf_state_timeout_ns(p, &tmp) - remaining);
    tmp.hist = 0;
    pf_state *c = insert_raw(p, &tmp);
    if (c)
        log_state(p, c, PF_LOG_NEW, pf_state_expires_at(p, c), SIM_PF_END_NONE);
    return c != NULL;
}

bool pf_state_import_delete(pf *p, const pf_state *s)
{
    pf_state *o = find_by_id(p, s);
    if (!o)
        return false;
    remove_at(p, o->slot, false, SIM_PF_END_PEER_DELETED);
    return true;
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
