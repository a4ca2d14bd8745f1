/*
 * trace.c — the packets of the run record: capture points, their modes,
 * and the 64-byte records of frames at KEEP points.
 *
 * A frame is parsed only where somebody asked for it: a point the filter
 * made OFF costs one test per frame. The record of a KEEP point holds the
 * header fields that expectations and the timeline match on, and the index
 * of its source reason in the table of distinct reasons (reason.c); reading
 * it expands it into a sim_trace_rec.
 */
#include "sim/record/record.h"
#include "sim/record/history.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static_assert(sizeof(sim_stored_rec) <= 64, "a stored packet record is at most 64 bytes");

#define REC_F_IPV4 0x1u
#define REC_F_KEEPALIVE 0x2u
#define REC_F_MF 0x4u    /* more fragments */
#define REC_F_LATER 0x8u /* a fragment at a non-zero offset (u.frag_units) */

const char *sim_dir_name(sim_dir d)
{
    switch (d) {
    case SIM_DIR_IN: return "in";
    case SIM_DIR_OUT: return "out";
    case SIM_DIR_WIRE: return "wire";
    }
    return "?";
}

void sim_record_init(sim_world *w)
{
    sim_record *r = &w->rec;
    r->trace_nodes = true;
    r->trace_segments = true;
    r->events_on = true;
    sim_record_history_init(w);
}

void sim_record_free(sim_world *w)
{
    sim_record *r = &w->rec;
    free(r->points);
    free(r->recs);
    free(r->events);
    sim_rec_reasons_free(r);
    sim_rec_strings_free(r);
    memset(r, 0, sizeof *r);
}

void sim_trace_enable(sim_world *w, bool nodes, bool segments)
{
    sim_record *r = &w->rec;
    r->trace_nodes = nodes;
    r->trace_segments = segments;
    /* Both off: every point decided from now on is OFF; if every point
     * decided so far is OFF too, no frame needs its point looked up
     * (sim_trace_frame's test). Points first seen while off are decided
     * when recording is turned on again. */
    bool off = !nodes && !segments;
    for (size_t i = 0; off && i < r->n_points; i++)
        off = r->points[i].mode == SIM_POINT_OFF;
    r->trace_off = off;
}

void sim_trace_set_listener(sim_world *w, sim_trace_fn fn, void *ctx)
{
    w->rec.trace_fn = fn;
    w->rec.trace_ctx = ctx;
}

void sim_trace_set_point_filter(sim_world *w, sim_point_filter_fn fn, void *ctx)
{
    w->rec.point_fn = fn;
    w->rec.point_ctx = ctx;
}

size_t sim_trace_stored_size(void) { return sizeof(sim_stored_rec); }
size_t sim_trace_count(const sim_world *w) { return w->rec.n_recs; }

bool sim_trace_point_get(const sim_world *w, uint32_t point, sim_trace_point *out)
{
    if (point >= w->rec.n_points)
        return false;
    *out = w->rec.points[point].p;
    return true;
}

/* The point of (dir, interface) or of a segment, decided on first use.
 * The slot in the interface or segment holds (id + 1) << 2 | mode, so a
 * frame at a point that is off (every point of a run that records
 * nothing) is decided from the interface or segment it already has in
 * hand: reading the mode from the points array costs a cache miss per
 * frame once a world's points no longer fit in the cache (one per
 * interface and direction, 60,000 at 10,000 hosts). */
#define POINT_MODE_BITS 2
_Static_assert(SIM_POINT_KEEP < (1 << POINT_MODE_BITS), "a point mode fits in its slot bits");
static uint32_t point_slot(sim_world *w, sim_dir dir, const sim_iface *ifp, const sim_segment *seg)
{
    sim_record *r = &w->rec;
    uint32_t *slot = dir == SIM_DIR_WIRE ? &((sim_segment *)seg)->rec_point
                                         : &((sim_iface *)ifp)->rec_point[dir == SIM_DIR_OUT];
    if (!*slot) {
        sim_trace_point p = {.dir = dir,
                             .node = dir == SIM_DIR_WIRE ? -1 : ifp->node->id,
                             .ifindex = dir == SIM_DIR_WIRE ? 0 : ifp->ifindex,
                             .segment = seg ? seg->id : -1};
        bool on = dir == SIM_DIR_WIRE ? r->trace_segments : r->trace_nodes;
        sim_point_mode mode = !on ? SIM_POINT_OFF : r->point_fn ? r->point_fn(r->point_ctx, &p) : SIM_POINT_KEEP;
        VEC_GROW(r->points, r->n_points, r->cap_points);
        r->points[r->n_points] = (sim_rec_point){p, mode};
        *slot = (uint32_t)++r->n_points << POINT_MODE_BITS | (uint32_t)mode;
    }
    return *slot;
}

static sim_point_mode slot_mode(uint32_t slot) { return (sim_point_mode)(slot & ((1u << POINT_MODE_BITS) - 1)); }
static uint32_t slot_id(uint32_t slot) { return (slot >> POINT_MODE_BITS) - 1; }

bool sim_trace_wants_at(sim_world *w, sim_dir dir, const sim_iface *ifp, const sim_segment *seg)
{
    return slot_mode(point_slot(w, dir, ifp, seg)) != SIM_POINT_OFF;
}

static void parse_into(sim_stored_rec *r, const sim_frame *f)
{
    const uint8_t *d = f->data;
    if (f->len < ETH_HDR_LEN)
        return;
    memcpy(r->eth_dst, d, 6);
    memcpy(r->eth_src, d + 6, 6);
    r->ethertype = sim_rd16(d + 12);
    const uint8_t *p = d + ETH_HDR_LEN;
    size_t len = f->len - ETH_HDR_LEN;
    if (r->ethertype == ETHERTYPE_ARP && len >= 28) {
        r->arp_op = sim_rd16(p + 6);
        memcpy(r->u.arp_sha, p + 8, 6);
        wg_ip sender = wg_ip4(p[14], p[15], p[16], p[17]), target = wg_ip4(p[24], p[25], p[26], p[27]);
        r->src = wg_ip4_to_u32(&sender);
        r->dst = wg_ip4_to_u32(&target);
        return;
    }
    if (r->ethertype != ETHERTYPE_IPV4)
        return;
    sim_ipv4_info ip;
    if (!sim_ipv4_parse(p, len, &ip) || ip.src.family != 4)
        return;
    r->flags |= REC_F_IPV4;
    r->src = wg_ip4_to_u32(&ip.src);
    r->dst = wg_ip4_to_u32(&ip.dst);
    r->proto = ip.proto;
    r->ttl = ip.ttl;
    r->ip_id = ip.id;
    if (ip.mf)
        r->flags |= REC_F_MF;
    if (ip.frag_off) {
        /* no L4 header: nothing else to read (its data is not a
         * WireGuard message's start either) */
        r->flags |= REC_F_LATER;
        r->u.frag_units = (uint16_t)(ip.frag_off / 8);
        return;
    }
    if (ip.proto == SIM_IPPROTO_UDP) {
        r->u.udp.sport = ip.sport;
        r->u.udp.dport = ip.dport;
        bool ka = false;
        r->wg_type = (uint8_t)wg_classify(ip.payload, ip.payload_len, &ka);
        if (ka)
            r->flags |= REC_F_KEEPALIVE;
    } else if (ip.proto == SIM_IPPROTO_ICMP) {
        r->u.icmp.type = ip.icmp_type;
        r->u.icmp.code = ip.icmp_code;
        r->u.icmp.id = ip.icmp_id;
        r->u.icmp.seq = ip.icmp_seq;
    }
}

static void expand(const sim_world *w, const sim_stored_rec *s, sim_trace_rec *r)
{
    memset(r, 0, sizeof *r);
    const sim_trace_point *p = &w->rec.points[s->point].p;
    r->t = s->t;
    r->frame_id = s->frame_id;
    r->point = s->point;
    r->dir = p->dir;
    r->node = p->node;
    r->ifindex = p->ifindex;
    r->segment = p->segment;
    r->frame_len = s->frame_len;
    r->ethertype = s->ethertype;
    memcpy(r->eth_src.b, s->eth_src, 6);
    memcpy(r->eth_dst.b, s->eth_dst, 6);
    r->origin_node = s->origin_node;
    r->reason = s->reason ? w->rec.reasons[s->reason - 1] : NULL;
    if (s->ethertype == ETHERTYPE_ARP && s->arp_op) { /* arp_op shares its bytes with an IPv4 id */
        r->arp_op = s->arp_op;
        r->arp_sender = wg_ip4_from_u32(s->src);
        r->arp_target = wg_ip4_from_u32(s->dst);
        memcpy(r->arp_sha.b, s->u.arp_sha, 6);
        return;
    }
    if (!(s->flags & REC_F_IPV4))
        return;
    r->src = wg_ip4_from_u32(s->src);
    r->dst = wg_ip4_from_u32(s->dst);
    r->proto = s->proto;
    r->ttl = s->ttl;
    r->ip_id = s->ip_id;
    r->frag_mf = s->flags & REC_F_MF;
    if (s->flags & REC_F_LATER) {
        r->frag_off = (uint16_t)(s->u.frag_units * 8);
        return;
    }
    if (s->proto == SIM_IPPROTO_UDP) {
        r->sport = s->u.udp.sport;
        r->dport = s->u.udp.dport;
        r->wg_type = (enum wg_msg_type)s->wg_type;
        r->wg_keepalive = s->flags & REC_F_KEEPALIVE;
    } else if (s->proto == SIM_IPPROTO_ICMP) {
        r->icmp_type = s->u.icmp.type;
        r->icmp_code = s->u.icmp.code;
        r->icmp_id = s->u.icmp.id;
        r->icmp_seq = s->u.icmp.seq;
    }
}

bool sim_trace_get(const sim_world *w, size_t i, sim_trace_rec *out)
{
    if (i >= w->rec.n_recs)
        return false;
    expand(w, &w->rec.recs[i], out);
    return true;
}

size_t sim_trace_lower_bound(const sim_world *w, sim_time t)
{
    size_t lo = 0, hi = w->rec.n_recs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->rec.recs[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void sim_trace_frame_at(sim_world *w, sim_dir dir, const sim_node *n, const sim_iface *ifp, const sim_segment *seg,
                        const sim_frame *f)
{
    (void)n;
    uint32_t slot = point_slot(w, dir, ifp, seg);
    sim_point_mode mode = slot_mode(slot);
    if (mode == SIM_POINT_OFF)
        return;
    uint32_t id = slot_id(slot);
    sim_record *rec = &w->rec;
    sim_stored_rec s = {0};
    s.t = sim_now(w->eng);
    s.frame_id = f->id;
    s.point = id;
    s.origin_node = f->origin_node;
    s.frame_len = f->len > UINT16_MAX ? UINT16_MAX : (uint16_t)f->len;
    parse_into(&s, f);
    bool has_reason = f->has_reason && (s.flags & REC_F_IPV4);
    if (mode == SIM_POINT_KEEP) {
        /* only what is kept enters the table of distinct reasons */
        if (has_reason)
            s.reason = sim_reason_intern(w, &f->reason);
        VEC_GROW(rec->recs, rec->n_recs, rec->cap_recs);
        rec->recs[rec->n_recs++] = s;
    }
    if (rec->trace_fn) {
        sim_trace_rec r;
        expand(w, &s, &r);
        if (has_reason)
            r.reason = &f->reason; /* the frame's own: valid during the call */
        rec->trace_fn(rec->trace_ctx, &r);
    }
}

const char *sim_trace_point_name(const sim_world *w, const sim_trace_point *p, char *buf, size_t len)
{
    if (p->dir == SIM_DIR_WIRE) {
        const sim_segment *s = sim_world_segment_at(w, (size_t)p->segment);
        snprintf(buf, len, "seg:%s %s", s ? s->name : "?", sim_dir_name(p->dir));
    } else {
        const sim_node *n = sim_world_node_at(w, (size_t)p->node);
        const sim_iface *ifp = n ? sim_node_iface_by_index(n, p->ifindex) : NULL;
        snprintf(buf, len, "%s/%s %s", n ? n->name : "?", ifp ? ifp->name : "?", sim_dir_name(p->dir));
    }
    return buf;
}

const char *sim_trace_format(const sim_world *w, const sim_trace_rec *r, char *buf, size_t len)
{
    char where[160];
    sim_trace_point p = {.dir = r->dir, .node = r->node, .ifindex = r->ifindex, .segment = r->segment};
    int k = snprintf(buf, len, "%lld.%09lld %s ", (long long)(r->t / SIM_S), (long long)(r->t % SIM_S),
                     sim_trace_point_name(w, &p, where, sizeof where));
    if (k < 0 || (size_t)k >= len)
        return buf;
    char *o = buf + k;
    size_t left = len - (size_t)k;
    char a[WG_IP_STRLEN], b[WG_IP_STRLEN], m[SIM_MAC_STRLEN];
    if (r->arp_op) {
        if (r->arp_op == 1 && wg_ip_eq(&r->arp_sender, &r->arp_target))
            snprintf(o, left, "ARP gratuitous %s is-at %s", wg_ip_format(&r->arp_sender, a), sim_mac_format(&r->arp_sha, m));
        else if (r->arp_op == 1)
            snprintf(o, left, "ARP who-has %s tell %s", wg_ip_format(&r->arp_target, a), wg_ip_format(&r->arp_sender, b));
        else
            snprintf(o, left, "ARP reply %s is-at %s", wg_ip_format(&r->arp_sender, a), sim_mac_format(&r->arp_sha, m));
    } else if (r->src.family) {
        int f = 0;
        if (r->frag_mf || r->frag_off) {
            /* like tcpdump's (frag ID:LEN@OFFSET+) without the length (a
             * short last fragment's frame is padded): ID@OFFSET, + while
             * more fragments follow */
            f = snprintf(o, left, "frag %u@%u%s ", r->ip_id, r->frag_off, r->frag_mf ? "+" : "");
            if (f < 0 || (size_t)f >= left)
                return buf;
            o += f;
            left -= (size_t)f;
        }
        if (r->frag_off)
            snprintf(o, left, "%s > %s %s (later fragment)", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, b),
                     r->proto == SIM_IPPROTO_UDP    ? "UDP"
                     : r->proto == SIM_IPPROTO_ICMP ? "ICMP"
                                                    : "proto");
        else if (r->proto == SIM_IPPROTO_UDP)
            snprintf(o, left, "%s.%u > %s.%u UDP%s%s", wg_ip_format(&r->src, a), r->sport, wg_ip_format(&r->dst, b),
                     r->dport, r->wg_type ? " wg " : "", r->wg_type ? wg_msg_type_name(r->wg_type, r->wg_keepalive) : "");
        else if (r->proto == SIM_IPPROTO_ICMP)
            snprintf(o, left, "%s > %s ICMP type %u code %u id %u seq %u ttl %u", wg_ip_format(&r->src, a),
                     wg_ip_format(&r->dst, b), r->icmp_type, r->icmp_code, r->icmp_id, r->icmp_seq, r->ttl);
        else
            snprintf(o, left, "%s > %s proto %u", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, b), r->proto);
    } else {
        snprintf(o, left, "ethertype 0x%04x, %u bytes", r->ethertype, r->frame_len);
    }
    return buf;
}
