/*
 * history.c — the change log of the run record: what the models' tables
 * (pf states, CARP vhids, WireGuard peers, routes, gateways, ARP entries)
 * held at any time T <= now, rebuilt from compact records appended when a
 * row changes (docs/architecture.md, "State as of T").
 *
 * Two shapes:
 *  - pf states: one 64-byte entry per state, appended when it is created
 *    or imported. pf updates a state on every packet, so nothing is
 *    appended then: the entry's `end` (the state's deadline) is rewritten
 *    in place. A state is live over exactly [created, end): pf only
 *    updates a live state, an update never moves the deadline to or
 *    before now, and an expired state never matches again
 *    (pf_state_live), so the deadline it had when it expired is when it
 *    ended. A kill, a flush or a peer's delete sets `end` to that moment.
 *  - rows: a row (a vhid, a peer, a route, ...) is registered once with
 *    its key; a 64-byte record (time, row, value) is appended when its
 *    value differs from the last one logged. The table at T is the last
 *    record of each row at or before T. Records of a class are in time
 *    order, so T is found by binary search.
 * Names are interned ids (4 bytes), never cut.
 */
#include "sim/record/history.h"

#include "sim/record/record.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* One pf state. */
typedef struct hist_pf {
    sim_time created, end;
    int32_t node;
    uint32_t creatorid;
    uint32_t ifname, rule, nat_rule; /* interned ids, 0: none */
    uint32_t wire_addr[2], stack_addr[2];
    uint16_t wire_port[2], stack_port[2];
    uint8_t proto, outbound, imported, end_kind;
} hist_pf;
static_assert(sizeof(hist_pf) <= 64, "a pf state's log entry fits in 64 bytes");

/* A row's value at one time. The part compared to decide whether a row
 * changed is everything but `uncompared` trailing bytes of v (WireGuard's
 * byte counters ride along without causing records). */
typedef struct hist_rec {
    sim_time t;
    uint32_t row;
    uint8_t present; /* 0: the row was deleted */
    uint8_t flags;
    uint16_t small;
    union {
        struct {
            uint8_t state, advskew, advertised_skew, pad;
            int32_t demotion;
        } carp;
        struct {
            uint32_t ep_addr, src, key_index, pad;
            int64_t last_handshake, key_birth;
            uint64_t rx, tx; /* not compared */
        } wg;
        struct {
            uint32_t gateway, ifindex, ifa, tag;
            uint8_t origin;
        } route;
        struct {
            uint32_t ifname, addr;
            uint8_t status, reason;
            double loss;
            int64_t latency;
        } gw;
        struct {
            uint8_t mac[6];
            uint8_t resolved;
            int64_t expire;
        } arp;
        uint8_t raw[48];
    } v;
} hist_rec;
static_assert(sizeof(hist_rec) <= 64, "a change record fits in 64 bytes");

#define WG_F_EP 1u
#define WG_F_SRC 2u
#define WG_F_KEY 4u
#define RT_F_GW 1u
#define RT_F_IFA 2u

typedef struct hist_row {
    int32_t node;
    uint32_t a, b, c; /* the key within the class */
    uint32_t last;    /* index + 1 of its last record, 0 none */
    uint8_t cls;
} hist_row;

struct sim_history {
    bool off[SIM_HIST__COUNT];
    hist_pf *pf;
    size_t n_pf, cap_pf;
    hist_rec *recs[SIM_HIST__COUNT];
    size_t n_recs[SIM_HIST__COUNT], cap_recs[SIM_HIST__COUNT];
    hist_row *rows;
    size_t n_rows, cap_rows;
    struct hist_pair {
        int32_t a, b;
    } *pairs; /* pfsync pairs (a firewall has one peer; a world has few pairs) */
    size_t n_pairs, cap_pairs;
    uint32_t *row_ht; /* open addressing: row index + 1 */
    size_t row_ht_cap;
};

static sim_history *hist_of(sim_world *w, sim_hist_class c)
{
    sim_history *h = w->hist;
    return h && !h->off[c] ? h : NULL;
}

bool sim_hist_on(const sim_world *w, sim_hist_class c) { return w->hist && !w->hist->off[c]; }

const char *sim_hist_class_name(sim_hist_class c)
{
    switch (c) {
    case SIM_HIST_PF: return "pf";
    case SIM_HIST_CARP: return "carp";
    case SIM_HIST_WG: return "wg";
    case SIM_HIST_ROUTE: return "route";
    case SIM_HIST_GATEWAY: return "gateway";
    case SIM_HIST_ARP: return "arp";
    case SIM_HIST__COUNT: break;
    }
    return "?";
}

const char *sim_pf_end_name(sim_pf_end e)
{
    switch (e) {
    case SIM_PF_END_NONE: return "live";
    case SIM_PF_END_EXPIRED: return "expired";
    case SIM_PF_END_KILLED: return "killed";
    case SIM_PF_END_FLUSHED: return "flushed";
    case SIM_PF_END_PEER_DELETED: return "deleted by the pfsync peer";
    }
    return "?";
}

void sim_history_enable(sim_world *w, sim_hist_class c, bool on)
{
    if (w->hist && c < SIM_HIST__COUNT)
        w->hist->off[c] = !on;
}

bool sim_history_enabled(const sim_world *w, sim_hist_class c) { return c < SIM_HIST__COUNT && sim_hist_on(w, c); }

size_t sim_history_records(const sim_world *w, sim_hist_class c)
{
    const sim_history *h = w->hist;
    if (!h || c >= SIM_HIST__COUNT)
        return 0;
    return c == SIM_HIST_PF ? h->n_pf : h->n_recs[c];
}

uint64_t sim_history_bytes(const sim_world *w)
{
    const sim_history *h = w->hist;
    if (!h)
        return 0;
    uint64_t b = (uint64_t)h->n_pf * sizeof(hist_pf) + (uint64_t)h->n_rows * sizeof(hist_row) +
                 (uint64_t)h->row_ht_cap * sizeof(uint32_t);
    for (int c = 0; c < SIM_HIST__COUNT; c++)
        b += (uint64_t)h->n_recs[c] * sizeof(hist_rec);
    return b;
}

void sim_record_history_init(sim_world *w)
{
    w->hist = calloc(1, sizeof *w->hist);
    if (!w->hist)
        sim_oom("the change log");
}

void sim_history_free(sim_world *w)
{
    sim_history *h = w->hist;
    if (!h)
        return;
    w->hist = NULL;
    free(h->pf);
    for (int c = 0; c < SIM_HIST__COUNT; c++)
        free(h->recs[c]);
    free(h->rows);
    free(h->row_ht);
    free(h->pairs);
    free(h);
}

/* ---- pf states ---- */

uint32_t sim_hist_pf_add(sim_world *w, const sim_hist_pf_new *s)
{
    sim_history *h = hist_of(w, SIM_HIST_PF);
    if (!h)
        return 0;
    VEC_GROW(h->pf, h->n_pf, h->cap_pf);
    hist_pf *e = &h->pf[h->n_pf++];
    memset(e, 0, sizeof *e);
    e->created = sim_now(w->eng);
    e->end = s->end;
    e->node = s->node;
    e->creatorid = s->creatorid;
    e->ifname = s->ifname && s->ifname[0] ? sim_rec_intern_id(w, s->ifname) : 0;
    e->rule = sim_rec_intern_id(w, s->rule);
    e->nat_rule = sim_rec_intern_id(w, s->nat_rule);
    memcpy(e->wire_addr, s->wire_addr, sizeof e->wire_addr);
    memcpy(e->stack_addr, s->stack_addr, sizeof e->stack_addr);
    memcpy(e->wire_port, s->wire_port, sizeof e->wire_port);
    memcpy(e->stack_port, s->stack_port, sizeof e->stack_port);
    e->proto = s->proto;
    e->outbound = s->outbound;
    e->imported = s->imported;
    return (uint32_t)h->n_pf;
}

void sim_hist_pfsync_pair(sim_world *w, int a, int b)
{
    sim_history *h = w->hist;
    if (!h || a < 0 || b < 0)
        return;
    VEC_GROW(h->pairs, h->n_pairs, h->cap_pairs);
    h->pairs[h->n_pairs++] = (struct hist_pair){a, b};
}

static int pfsync_peer(const sim_history *h, int node)
{
    for (size_t i = 0; i < h->n_pairs; i++)
        if (h->pairs[i].a == node || h->pairs[i].b == node)
            return h->pairs[i].a == node ? h->pairs[i].b : h->pairs[i].a;
    return -1;
}

static hist_pf *pf_entry(sim_world *w, uint32_t id)
{
    sim_history *h = w->hist;
    return h && id && id <= h->n_pf ? &h->pf[id - 1] : NULL;
}

void sim_hist_pf_deadline(sim_world *w, uint32_t id, sim_time end)
{
    hist_pf *e = pf_entry(w, id);
    if (e && !e->end_kind)
        e->end = end;
}

void sim_hist_pf_ended(sim_world *w, uint32_t id, sim_time end, sim_pf_end why)
{
    hist_pf *e = pf_entry(w, id);
    if (!e || e->end_kind)
        return;
    /* a state killed after it had already expired ended when it expired */
    if (end < e->end)
        e->end = end;
    else
        why = SIM_PF_END_EXPIRED;
    e->end_kind = (uint8_t)why;
}

static wg_ip v4(uint32_t a) { return wg_ip4_from_u32(a); }

static void pf_expand(const sim_world *w, const hist_pf *e, sim_hist_pf_state *o)
{
    memset(o, 0, sizeof *o);
    o->node = e->node;
    o->from_node = e->imported ? pfsync_peer(w->hist, e->node) : e->node;
    o->created = e->created;
    o->end = e->end;
    o->end_kind = e->end_kind ? (sim_pf_end)e->end_kind
                  : e->end <= sim_now(w->eng) ? SIM_PF_END_EXPIRED
                                              : SIM_PF_END_NONE;
    o->rule = sim_rec_str(w, e->rule);
    o->nat_rule = sim_rec_str(w, e->nat_rule);
    /* the same fields sim_fw_state_at gives a live state */
    sim_fw_state_info *i = &o->info;
    int sidx = e->outbound ? 1 : 0, didx = 1 - sidx;
    i->proto = e->proto;
    const char *ifn = sim_rec_str(w, e->ifname);
    snprintf(i->ifname, sizeof i->ifname, "%s", ifn ? ifn : "");
    i->outbound = e->outbound;
    i->src = (wg_endpoint){.ip = v4(e->stack_addr[sidx]), .port = e->stack_port[sidx]};
    i->nat_src = (wg_endpoint){.ip = v4(e->wire_addr[sidx]), .port = e->wire_port[sidx]};
    i->dst = (wg_endpoint){.ip = v4(e->wire_addr[didx]), .port = e->wire_port[didx]};
    i->translated = memcmp(e->wire_addr, e->stack_addr, sizeof e->wire_addr) != 0 ||
                    memcmp(e->wire_port, e->stack_port, sizeof e->wire_port) != 0;
    i->from_pfsync = e->imported;
    i->creatorid = e->creatorid;
    i->expires = e->end;
    o->nat_dst = (wg_endpoint){.ip = v4(e->stack_addr[didx]), .port = e->stack_port[didx]};
}

bool sim_history_pf_at(const sim_world *w, size_t i, sim_hist_pf_state *out)
{
    const sim_history *h = w->hist;
    if (!h || i >= h->n_pf)
        return false;
    pf_expand(w, &h->pf[i], out);
    return true;
}

/* Collects into a growing malloc'd array. */
#define OUT_PUSH(arr, n, cap, val)                                                                  \
    do {                                                                                            \
        VEC_GROW(arr, n, cap);                                                                      \
        (arr)[(n)++] = (val);                                                                       \
    } while (0)

size_t sim_history_pf_states(const sim_world *w, int node, sim_time t, sim_hist_pf_state **out)
{
    *out = NULL;
    const sim_history *h = w->hist;
    if (!h)
        return 0;
    /* entries are appended in creation order: stop at the first after t */
    size_t lo = 0, hi = h->n_pf;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->pf[mid].created <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    sim_hist_pf_state *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < lo; i++) {
        const hist_pf *e = &h->pf[i];
        if ((node >= 0 && e->node != node) || t >= e->end)
            continue;
        sim_hist_pf_state s;
        pf_expand(w, e, &s);
        OUT_PUSH(v, n, cap, s);
    }
    *out = v;
    return n;
}

/* ---- rows ---- */

static uint32_t row_hash(uint8_t cls, int32_t node, uint32_t a, uint32_t b, uint32_t c)
{
    uint64_t x = ((uint64_t)cls << 56 ^ (uint64_t)(uint32_t)node) * UINT64_C(0x9e3779b97f4a7c15);
    x ^= ((uint64_t)a << 32 | b) * UINT64_C(0xc2b2ae3d27d4eb4f);
    x ^= (uint64_t)c * UINT64_C(0x165667b19e3779f9);
    return (uint32_t)(x ^ (x >> 31));
}

static uint32_t row_hash_of(const void *ctx, uint32_t idx)
{
    const hist_row *r = &((const sim_history *)ctx)->rows[idx];
    return row_hash(r->cls, r->node, r->a, r->b, r->c);
}

static uint32_t row_get(sim_history *h, uint8_t cls, int32_t node, uint32_t a, uint32_t b, uint32_t c)
{
    sim_rec_ht_grow(&h->row_ht, &h->row_ht_cap, h->n_rows, row_hash_of, h);
    size_t mask = h->row_ht_cap - 1, j = row_hash(cls, node, a, b, c) & mask;
    for (; h->row_ht[j]; j = (j + 1) & mask) {
        const hist_row *r = &h->rows[h->row_ht[j] - 1];
        if (r->cls == cls && r->node == node && r->a == a && r->b == b && r->c == c)
            return h->row_ht[j] - 1;
    }
    VEC_GROW(h->rows, h->n_rows, h->cap_rows);
    h->rows[h->n_rows] = (hist_row){.node = node, .a = a, .b = b, .c = c, .cls = cls};
    h->row_ht[j] = (uint32_t)++h->n_rows;
    return (uint32_t)h->n_rows - 1;
}

/* Appends rec for (cls, key) unless the row's last record says the same
 * (the first `cmp` bytes of v and the header fields). */
static void row_log(sim_world *w, sim_hist_class cls, int32_t node, uint32_t a, uint32_t b, uint32_t c,
                    hist_rec *rec, size_t cmp)
{
    sim_history *h = hist_of(w, cls);
    if (!h)
        return;
    uint32_t row = row_get(h, (uint8_t)cls, node, a, b, c);
    hist_row *r = &h->rows[row];
    if (r->last) {
        const hist_rec *p = &h->recs[cls][r->last - 1];
        if (p->present == rec->present && (!rec->present || (p->flags == rec->flags && p->small == rec->small &&
                                                             !memcmp(&p->v, &rec->v, cmp))))
            return;
    } else if (!rec->present) {
        return; /* deleting what was never logged */
    }
    rec->t = sim_now(w->eng);
    rec->row = row;
    VEC_GROW(h->recs[cls], h->n_recs[cls], h->cap_recs[cls]);
    h->recs[cls][h->n_recs[cls]++] = *rec;
    r->last = (uint32_t)h->n_recs[cls];
}

void sim_hist_log_carp(sim_world *w, int node, const sim_fw_carp_info *ci)
{
    if (!hist_of(w, SIM_HIST_CARP))
        return;
    hist_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.present = 1;
    rec.v.carp.state = (uint8_t)ci->state;
    rec.v.carp.advskew = ci->advskew;
    rec.v.carp.advertised_skew = ci->advertised_skew;
    rec.v.carp.demotion = ci->demotion;
    row_log(w, SIM_HIST_CARP, node, sim_rec_intern_id(w, ci->ifname), ci->vhid, 0, &rec, sizeof rec.v);
}

void sim_hist_log_wg(sim_world *w, int node, uint32_t ifindex, int peer_id, const wg_peer_info *pi)
{
    if (!hist_of(w, SIM_HIST_WG))
        return;
    hist_rec rec;
    memset(&rec, 0, sizeof rec);
    if (pi) {
        rec.present = 1;
        if (pi->has_endpoint) {
            rec.flags |= WG_F_EP;
            rec.v.wg.ep_addr = wg_ip4_to_u32(&pi->endpoint.ip);
            rec.small = pi->endpoint.port;
        }
        if (pi->learned_source.addr.family) {
            rec.flags |= WG_F_SRC;
            rec.v.wg.src = wg_ip4_to_u32(&pi->learned_source.addr);
        }
        if (pi->has_current_key) {
            rec.flags |= WG_F_KEY;
            rec.v.wg.key_index = pi->current_key_index;
            rec.v.wg.key_birth = pi->current_key_birth;
        }
        rec.v.wg.last_handshake = pi->last_handshake;
        rec.v.wg.rx = pi->rx_bytes;
        rec.v.wg.tx = pi->tx_bytes;
    }
    row_log(w, SIM_HIST_WG, node, ifindex, (uint32_t)peer_id, 0, &rec, offsetof(hist_rec, v.wg.rx) - offsetof(hist_rec, v));
}

void sim_hist_log_route(sim_world *w, int node, const wg_prefix *dst, const sim_route *r)
{
    if (!hist_of(w, SIM_HIST_ROUTE))
        return;
    hist_rec rec;
    memset(&rec, 0, sizeof rec);
    if (r) {
        rec.present = 1;
        if (r->gateway.family) {
            rec.flags |= RT_F_GW;
            rec.v.route.gateway = wg_ip4_to_u32(&r->gateway);
        }
        if (r->ifa.family) {
            rec.flags |= RT_F_IFA;
            rec.v.route.ifa = wg_ip4_to_u32(&r->ifa);
        }
        rec.v.route.ifindex = r->ifindex;
        rec.v.route.origin = (uint8_t)r->origin;
        rec.v.route.tag = r->tag[0] ? sim_rec_intern_id(w, r->tag) : 0;
    }
    row_log(w, SIM_HIST_ROUTE, node, wg_ip4_to_u32(&dst->ip), dst->len, 0, &rec, sizeof rec.v);
}

void sim_hist_log_gateway(sim_world *w, int node, const char *name, const sim_fw_gateway_info *gi)
{
    if (!hist_of(w, SIM_HIST_GATEWAY))
        return;
    hist_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.present = 1;
    rec.v.gw.ifname = sim_rec_intern_id(w, gi->ifname);
    rec.v.gw.addr = wg_ip4_to_u32(&gi->addr);
    rec.v.gw.status = (uint8_t)gi->status;
    rec.v.gw.reason = (uint8_t)gi->reason;
    rec.v.gw.loss = gi->loss;
    rec.v.gw.latency = gi->latency;
    /* loss and latency move with every probe: only the rest makes a record */
    row_log(w, SIM_HIST_GATEWAY, node, sim_rec_intern_id(w, name), 0, 0, &rec,
            offsetof(hist_rec, v.gw.loss) - offsetof(hist_rec, v));
}

void sim_hist_log_arp(sim_world *w, int node, uint32_t ifindex, const wg_ip *ip, const sim_arp_entry *e)
{
    if (!hist_of(w, SIM_HIST_ARP))
        return;
    hist_rec rec;
    memset(&rec, 0, sizeof rec);
    if (e) {
        rec.present = 1;
        memcpy(rec.v.arp.mac, e->mac.b, 6);
        rec.v.arp.resolved = e->resolved;
        rec.v.arp.expire = e->expire;
    }
    row_log(w, SIM_HIST_ARP, node, ifindex, wg_ip4_to_u32(ip), 0, &rec, sizeof rec.v);
}

/* The last record at or before t of every row of cls, for `node` (-1
 * all), in row order: a malloc'd array of record pointers. */
static size_t rows_at(const sim_world *w, sim_hist_class cls, int node, sim_time t, const hist_rec ***out)
{
    *out = NULL;
    const sim_history *h = w->hist;
    if (!h || !h->n_recs[cls])
        return 0;
    const hist_rec *recs = h->recs[cls];
    size_t lo = 0, hi = h->n_recs[cls];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (recs[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t *last = calloc(h->n_rows ? h->n_rows : 1, sizeof *last);
    if (!last)
        sim_oom("a query of the change log");
    for (size_t i = 0; i < lo; i++)
        if (node < 0 || h->rows[recs[i].row].node == node)
            last[recs[i].row] = (uint32_t)i + 1;
    const hist_rec **v = NULL;
    size_t n = 0, cap = 0;
    for (size_t r = 0; r < h->n_rows; r++)
        if (last[r] && recs[last[r] - 1].present)
            OUT_PUSH(v, n, cap, &recs[last[r] - 1]);
    free(last);
    *out = v;
    return n;
}

/* Expands every row of a query with fn into a malloc'd array of `size`-byte items. */
static size_t expand_rows(const sim_world *w, sim_hist_class cls, int node, sim_time t, size_t size,
                          void (*fn)(const sim_world *w, const hist_row *row, const hist_rec *rec, void *item),
                          void **out)
{
    const hist_rec **v;
    size_t n = rows_at(w, cls, node, t, &v);
    *out = NULL;
    if (!n)
        return 0;
    uint8_t *items = calloc(n, size);
    if (!items)
        sim_oom("a query of the change log");
    for (size_t i = 0; i < n; i++)
        fn(w, &w->hist->rows[v[i]->row], v[i], items + i * size);
    free(v);
    *out = items;
    return n;
}

static void carp_item(const sim_world *w, const hist_row *row, const hist_rec *rec, void *item)
{
    sim_hist_carp *o = item;
    o->node = row->node;
    o->ifname = sim_rec_str(w, row->a);
    o->vhid = (uint8_t)row->b;
    o->state = (sim_carp_state)rec->v.carp.state;
    o->advskew = rec->v.carp.advskew;
    o->advertised_skew = rec->v.carp.advertised_skew;
    o->demotion = rec->v.carp.demotion;
    o->since = rec->t;
}

static void wg_item(const sim_world *w, const hist_row *row, const hist_rec *rec, void *item)
{
    (void)w;
    sim_hist_wg_peer *o = item;
    o->node = row->node;
    o->ifindex = row->a;
    o->peer_id = (int)row->b;
    o->has_endpoint = rec->flags & WG_F_EP;
    if (o->has_endpoint)
        o->endpoint = (wg_endpoint){.ip = v4(rec->v.wg.ep_addr), .port = rec->small};
    if (rec->flags & WG_F_SRC)
        o->learned_source = v4(rec->v.wg.src);
    o->has_current_key = rec->flags & WG_F_KEY;
    o->key_index = rec->v.wg.key_index;
    o->key_birth = rec->v.wg.key_birth;
    o->last_handshake = rec->v.wg.last_handshake;
    o->rx_bytes = rec->v.wg.rx;
    o->tx_bytes = rec->v.wg.tx;
    o->since = rec->t;
}

static void route_item(const sim_world *w, const hist_row *row, const hist_rec *rec, void *item)
{
    sim_hist_route *o = item;
    o->node = row->node;
    sim_route *r = &o->route;
    r->dst = (wg_prefix){.ip = v4(row->a), .len = (uint8_t)row->b};
    if (rec->flags & RT_F_GW)
        r->gateway = v4(rec->v.route.gateway);
    if (rec->flags & RT_F_IFA)
        r->ifa = v4(rec->v.route.ifa);
    r->ifindex = rec->v.route.ifindex;
    r->origin = (sim_route_origin)rec->v.route.origin;
    const char *tag = sim_rec_str(w, rec->v.route.tag);
    snprintf(r->tag, sizeof r->tag, "%s", tag ? tag : "");
    o->since = rec->t;
}

static void gateway_item(const sim_world *w, const hist_row *row, const hist_rec *rec, void *item)
{
    sim_hist_gateway *o = item;
    o->node = row->node;
    o->name = sim_rec_str(w, row->a);
    const char *ifn = sim_rec_str(w, rec->v.gw.ifname);
    snprintf(o->info.ifname, sizeof o->info.ifname, "%s", ifn ? ifn : "");
    o->info.addr = v4(rec->v.gw.addr);
    o->info.status = (sim_gw_status)rec->v.gw.status;
    o->info.reason = (sim_gw_reason)rec->v.gw.reason;
    o->info.loss = rec->v.gw.loss;
    o->info.latency = rec->v.gw.latency;
    o->since = rec->t;
}

static void arp_item(const sim_world *w, const hist_row *row, const hist_rec *rec, void *item)
{
    (void)w;
    sim_hist_arp *o = item;
    o->node = row->node;
    o->ifindex = row->a;
    o->entry.ip = v4(row->b);
    memcpy(o->entry.mac.b, rec->v.arp.mac, 6);
    o->entry.resolved = rec->v.arp.resolved;
    o->entry.expire = rec->v.arp.expire;
    o->since = rec->t;
}

size_t sim_history_carp(const sim_world *w, int node, sim_time t, sim_hist_carp **out)
{
    return expand_rows(w, SIM_HIST_CARP, node, t, sizeof **out, carp_item, (void **)out);
}

size_t sim_history_wg_peers(const sim_world *w, int node, sim_time t, sim_hist_wg_peer **out)
{
    return expand_rows(w, SIM_HIST_WG, node, t, sizeof **out, wg_item, (void **)out);
}

size_t sim_history_routes(const sim_world *w, int node, sim_time t, sim_hist_route **out)
{
    return expand_rows(w, SIM_HIST_ROUTE, node, t, sizeof **out, route_item, (void **)out);
}

size_t sim_history_gateways(const sim_world *w, int node, sim_time t, sim_hist_gateway **out)
{
    return expand_rows(w, SIM_HIST_GATEWAY, node, t, sizeof **out, gateway_item, (void **)out);
}

size_t sim_history_arp(const sim_world *w, int node, sim_time t, sim_hist_arp **out)
{
    return expand_rows(w, SIM_HIST_ARP, node, t, sizeof **out, arp_item, (void **)out);
}
