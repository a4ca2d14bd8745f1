/*
 * ip_frag.c — IPv4 fragmentation (RFC 791) and reassembly, as FreeBSD
 * does them, and pf's reassembly ("scrub ... fragment reassemble").
 *
 * Fragmentation (sys/netinet/ip_output.c, ip_fragment):
 *  - data per fragment = (MTU - header length) rounded down to a multiple
 *    of 8; less than 8 bytes -> EMSGSIZE;
 *  - the first fragment keeps the whole header (options included) with
 *    MF set; the others get the 20-byte header plus only the options
 *    whose "copied" bit is set (ip_optcopy), padded to 4 bytes;
 *  - offsets are in 8-byte units added to the packet's own offset, and
 *    the packet's flags (MF of a fragment being fragmented again) are
 *    kept; every fragment but the last has MF; the IP id is the packet's;
 *  - the fragments are sent in order; after a failed send the rest are
 *    dropped and the first error is returned.
 *
 * Reassembly (sys/netinet/ip_reass.c, ip_reass; FreeBSD 14):
 *  - a queue per (source, destination, id, protocol), created by the
 *    first fragment to arrive, which starts its timer: the queue is
 *    dropped net.inet.ip.fragttl = 30 s later if incomplete
 *    (ipreass_callout -> ipq_timeout: counted, freed, no ICMP);
 *  - a fragment with MF whose data length is 0 or not a multiple of 8,
 *    or that would end past 65535 bytes, is dropped; once the last
 *    fragment (no MF) fixed the datagram's end, a fragment ending at or
 *    past it (with MF) or elsewhere (without) is dropped (ipq_maxoff);
 *  - overlaps: data already covered by the fragment before is cut from
 *    the new one (dropped when fully covered); data of the following
 *    fragments that the new one covers is cut from them (removed when
 *    fully covered): the earlier arrival wins at the front, the newer at
 *    the back, as ip_reass does;
 *  - net.inet.ip.maxfragsperpacket = 16: an incomplete queue holding more
 *    than 16 fragments is dropped (the 17th may still complete it);
 *  - complete: the first fragment's header with the total length and
 *    offset/flags cleared.
 * pf's queues (sys/netpfil/pf/pf_norm.c, pf_reassemble) are modelled
 * with the same rules and its own defaults: the "frag" timeout 30 s
 * (PFTM_FRAG_VAL, sys/net/pfvar.h) and 64 fragments per datagram
 * (PF_FRAG_ENTRY_LIMIT). Not modelled: the global limits
 * (net.inet.ip.maxfragpackets, maxfrags, pf's "set limit frags"), ECN
 * merging, IPv6.
 *
 * Path MTU of a Linux node (platforms linux and wireguard-go): what an
 * ICMP fragmentation needed teaches it (__udp4_lib_err ->
 * ipv4_sk_update_pmtu: at least net.ipv4.route.min_pmtu 552, only
 * lowered, kept net.ipv4.route.mtu_expires 600 s), read by a UDP socket
 * with IP_PMTUDISC_WANT (udp.c). docs/models.md, "IPv4 fragments".
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

#define IP_MAXPACKET 65535
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_COPIED(o) ((o)&0x80)

#define STACK_FRAGTTL (30 * SIM_S) /* net.inet.ip.fragttl (ip_reass.c ipfragttl) */
#define STACK_MAXFRAGS 16          /* net.inet.ip.maxfragsperpacket (ipreass_vnet_init) */
#define PF_FRAGTTL (30 * SIM_S)    /* pf "set timeout frag" (PFTM_FRAG_VAL) */
#define PF_MAXFRAGS 64             /* PF_FRAG_ENTRY_LIMIT */

/* ---- fragmentation ---- */

/* ip_optcopy: the options a later fragment carries. Returns their
 * length, padded with EOL to a multiple of 4. */
static size_t optcopy(const uint8_t *opts, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint8_t opt = opts[i];
        if (opt == IPOPT_EOL)
            break;
        if (opt == IPOPT_NOP) {
            out[o++] = IPOPT_NOP;
            i++;
            continue;
        }
        if (i + 1 >= len)
            break;
        size_t olen = opts[i + 1];
        if (olen < 2 || i + olen > len)
            break;
        if (IPOPT_COPIED(opt)) {
            memcpy(out + o, opts + i, olen);
            o += olen;
        }
        i += olen;
    }
    while (o & 3)
        out[o++] = IPOPT_EOL;
    return o;
}

sim_err sim_ipv4_fragment(const uint8_t *pkt, size_t len, uint32_t mtu, sim_frag_emit_fn emit, void *ctx)
{
    size_t hlen = (size_t)(pkt[0] & 0xf) * 4;
    size_t tl = sim_rd16(pkt + 2);
    if (hlen < IPV4_HDR_LEN || tl > len || tl <= hlen || mtu <= hlen)
        return SIM_EMSGSIZE;
    size_t per = (mtu - hlen) & ~(size_t)7;
    if (per < 8)
        return SIM_EMSGSIZE;
    uint16_t ip_off = sim_rd16(pkt + 6); /* flags and the packet's own offset */
    uint8_t later_hdr[60];
    memcpy(later_hdr, pkt, IPV4_HDR_LEN);
    size_t later_hlen = IPV4_HDR_LEN + optcopy(pkt + IPV4_HDR_LEN, hlen - IPV4_HDR_LEN, later_hdr + IPV4_HDR_LEN);
    later_hdr[0] = (uint8_t)(0x40 | later_hlen / 4);
    uint8_t *buf = malloc(later_hlen > hlen ? later_hlen + per : hlen + per);
    if (!buf)
        sim_oom("fragmenting a packet");
    sim_err first_err = SIM_OK;
    for (size_t off = hlen; off < tl; off += per) {
        size_t dlen = tl - off < per ? tl - off : per;
        bool last = off + dlen >= tl;
        bool first = off == hlen;
        const uint8_t *hdr = first ? pkt : later_hdr;
        size_t h = first ? hlen : later_hlen;
        memcpy(buf, hdr, h);
        memcpy(buf + h, pkt + off, dlen);
        uint16_t foff = (uint16_t)(ip_off + ((off - hlen) >> 3));
        if (!last)
            foff |= 0x2000; /* IP_MF */
        sim_wr16(buf + 2, (uint16_t)(h + dlen));
        sim_wr16(buf + 6, foff);
        sim_wr16(buf + 10, 0);
        sim_wr16(buf + 10, sim_inet_checksum(buf, h));
        if (first_err == SIM_OK)
            first_err = emit(ctx, buf, h + dlen);
    }
    free(buf);
    return first_err;
}

void sim_ipv4_frag_event(sim_node *n, uint32_t ifindex, const uint8_t *pkt, size_t len, const char *verb,
                         unsigned nfrags, uint32_t mtu)
{
    if (!sim_events_wanted(n->w))
        return;
    sim_drop_pkt d;
    sim_drop_pkt_from_ip(pkt, len, &d);
    char what[160];
    sim_drop_pkt_format(&d, what, sizeof what);
    const sim_iface *ifp = sim_node_iface_by_index(n, ifindex);
    if (mtu)
        sim_event_log(n->w, SIM_EV_MODEL, n, ifindex, "ip", "%s %s (%zu bytes, id %u) into %u for mtu %u of %s", verb,
                      what, len, sim_rd16(pkt + 4), nfrags, mtu, ifp ? ifp->name : "?");
    else
        sim_event_log(n->w, SIM_EV_MODEL, n, ifindex, "ip", "%s %s (%zu bytes, id %u) from %u fragments%s%s", verb,
                      what, len, sim_rd16(pkt + 4), nfrags, ifp ? " received on " : "", ifp ? ifp->name : "");
}

/* ---- reassembly ---- */

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

typedef struct frag {
    uint16_t off, len; /* bytes of data */
    uint8_t *data;
} frag;

typedef struct reass_q {
    struct reass_q *next;
    struct sim_reass *owner;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    bool mf_last;      /* the fragment ending the queue's data has MF (the end is not known yet) */
    int32_t maxoff;    /* the datagram's end once the last fragment came, -1 before */
    uint8_t hdr[60];   /* the header of the fragment at offset 0, once it came */
    uint16_t hlen;     /* 0 until then */
    uint8_t l4[8];     /* and its first 8 bytes of data (ports): what a drop names */
    uint8_t any_hdr[60]; /* the first arrival's header: what a timeout names */
    uint16_t any_hlen;
    uint32_t in_ifindex;
    frag *f;           /* sorted by offset, not overlapping */
    size_t n, cap;
    unsigned nfrags;   /* ipq_nfrags */
    sim_event_id timer;
} reass_q;

typedef struct sim_reass {
    sim_node *node;
    bool scrub;
    reass_q *head;
    size_t count;
} sim_reass;

static void q_free(reass_q *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->f[i].data);
    free(q->f);
    free(q);
}

static void q_unlink(sim_reass *r, reass_q *q)
{
    for (reass_q **pp = &r->head; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            r->count--;
            return;
        }
}

/* Drops a whole queue (timeout, too many fragments): one event naming the
 * datagram by the header it has (the first fragment's when it came). */
static void q_drop(sim_reass *r, reass_q *q, sim_drop_reason why, const char *what)
{
    sim_node *n = r->node;
    /* A header that parses on its own: the first fragment's with the 8
     * bytes after it (the ports), else the first arrival's header. */
    uint8_t view[68];
    size_t hl = q->hlen ? q->hlen : q->any_hlen, vl = hl;
    memcpy(view, q->hlen ? q->hdr : q->any_hdr, hl);
    if (q->hlen) {
        size_t k = q->n && q->f[0].off == 0 && q->f[0].len < 8 ? q->f[0].len : 8;
        memcpy(view + hl, q->l4, k);
        vl += k;
    }
    sim_wr16(view + 2, (uint16_t)vl);
    sim_wr16(view + 10, 0);
    sim_wr16(view + 10, sim_inet_checksum(view, hl));
    uint32_t have = 0;
    for (size_t i = 0; i < q->n; i++)
        have += q->f[i].len;
    sim_node_drop_ip(n, q->in_ifindex, why, view, vl, NULL, "%s%s: id %u, %u fragment%s (%u bytes) held, first fragment %s",
                     r->scrub ? "pf scrub " : "", what, q->id, q->nfrags, q->nfrags == 1 ? "" : "s", have,
                     q->hlen ? "received" : "missing");
    /* the event counted one fragment; the queue held nfrags */
    if (q->nfrags > 1)
        n->drops[why] += q->nfrags - 1;
    sim_cancel(n->w->eng, q->timer);
    q_unlink(r, q);
    q_free(q);
}

static void q_expire(void *arg)
{
    reass_q *q = arg;
    q->timer = 0;
    q_drop(q->owner, q, SIM_DROP_REASS_TIMEOUT, "reassembly timed out");
}

static void frag_drop(sim_node *n, uint32_t ifindex, bool scrub, const uint8_t *pkt, size_t len, const char *why)
{
    sim_node_drop_ip(n, ifindex, SIM_DROP_FRAG_DROPPED, pkt, len, NULL, "%s%s", scrub ? "pf scrub: " : "", why);
}

static void q_insert_at(reass_q *q, size_t at, uint16_t off, uint16_t len, const uint8_t *data)
{
    VEC_GROW(q->f, q->n, q->cap);
    memmove(q->f + at + 1, q->f + at, (q->n - at) * sizeof *q->f);
    q->n++;
    uint8_t *d = malloc(len);
    if (!d)
        sim_oom("holding a fragment");
    memcpy(d, data, len);
    q->f[at] = (frag){off, len, d};
}

/* Cuts `cut` bytes from the front of a held fragment. */
static void frag_trim_front(frag *f, uint16_t cut)
{
    memmove(f->data, f->data + cut, (size_t)(f->len - cut));
    f->off = (uint16_t)(f->off + cut);
    f->len = (uint16_t)(f->len - cut);
}

/* The datagram when q holds all of it (q is then freed), else NULL;
 * *gone: q was dropped (too long) and must not be touched. */
static uint8_t *q_complete(sim_reass *r, reass_q *q, size_t *out_len, bool *gone)
{
    *gone = false;
    uint32_t next = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (q->f[i].off != next)
            return NULL;
        next += q->f[i].len;
    }
    if (q->maxoff < 0 || next != (uint32_t)q->maxoff || !q->hlen)
        return NULL;
    if (next + q->hlen > IP_MAXPACKET) {
        q_drop(r, q, SIM_DROP_FRAG_DROPPED, "reassembled datagram too long");
        *gone = true;
        return NULL;
    }
    size_t tl = q->hlen + next;
    uint8_t *pkt = malloc(tl);
    if (!pkt)
        sim_oom("reassembling a datagram");
    memcpy(pkt, q->hdr, q->hlen);
    size_t o = q->hlen;
    for (size_t i = 0; i < q->n; i++) {
        memcpy(pkt + o, q->f[i].data, q->f[i].len);
        o += q->f[i].len;
    }
    sim_wr16(pkt + 2, (uint16_t)tl);
    sim_wr16(pkt + 6, 0);
    sim_wr16(pkt + 10, 0);
    sim_wr16(pkt + 10, sim_inet_checksum(pkt, q->hlen));
    sim_ipv4_frag_event(r->node, q->in_ifindex, pkt, tl, r->scrub ? "pf scrub reassembled" : "reassembled", q->nfrags, 0);
    sim_cancel(r->node->w->eng, q->timer);
    q_unlink(r, q);
    q_free(q);
    *out_len = tl;
    *gone = true;
    return pkt;
}

uint8_t *sim_ipv4_reass(sim_node *n, bool scrub, uint32_t in_ifindex, const uint8_t *pkt, size_t len,
                        size_t *out_len)
{
    sim_reass **rp = scrub ? &n->scrub : &n->reass;
    if (!*rp) {
        *rp = calloc(1, sizeof **rp);
        if (!*rp)
            sim_oom("creating reassembly queues");
        (*rp)->node = n;
        (*rp)->scrub = scrub;
    }
    sim_reass *r = *rp;
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    size_t tl = sim_rd16(pkt + 2);
    if (hl < IPV4_HDR_LEN || tl < hl || tl > len)
        return NULL; /* the callers parsed it */
    uint16_t ip_off = sim_rd16(pkt + 6);
    bool mf = ip_off & 0x2000;
    uint32_t off = (uint32_t)(ip_off & 0x1fff) * 8;
    uint32_t dlen = (uint32_t)(tl - hl);
    if (dlen == 0 || (mf && (dlen & 7))) {
        frag_drop(n, in_ifindex, scrub, pkt, len, "fragment data not a non-zero multiple of 8 bytes");
        return NULL;
    }
    if (off + dlen > IP_MAXPACKET) {
        frag_drop(n, in_ifindex, scrub, pkt, len, "fragment ends past 65535 bytes");
        return NULL;
    }
    uint32_t src = rd32(pkt + 12), dst = rd32(pkt + 16);
    uint16_t id = sim_rd16(pkt + 4);
    uint8_t proto = pkt[9];
    reass_q *q = r->head;
    while (q && !(q->id == id && q->src == src && q->dst == dst && q->proto == proto))
        q = q->next;
    if (!q) {
        q = calloc(1, sizeof *q);
        if (!q)
            sim_oom("creating a reassembly queue");
        q->owner = r;
        q->src = src, q->dst = dst, q->id = id, q->proto = proto;
        q->maxoff = mf ? -1 : (int32_t)(off + dlen);
        q->in_ifindex = in_ifindex;
        memcpy(q->any_hdr, pkt, hl);
        q->any_hlen = (uint16_t)hl;
        q->next = r->head;
        r->head = q;
        r->count++;
        q->timer = sim_schedule_in(n->w->eng, scrub ? PF_FRAGTTL : STACK_FRAGTTL, q_expire, q);
    } else {
        if (q->maxoff >= 0) {
            uint32_t end = off + dlen;
            if ((mf && end >= (uint32_t)q->maxoff) || (!mf && end != (uint32_t)q->maxoff)) {
                frag_drop(n, in_ifindex, scrub, pkt, len, "fragment beyond the datagram's end");
                return NULL;
            }
        } else if (!mf) {
            q->maxoff = (int32_t)(off + dlen);
        }
    }
    q->nfrags++;
    if (off == 0 && !q->hlen) {
        memcpy(q->hdr, pkt, hl);
        q->hlen = (uint16_t)hl;
        memcpy(q->l4, pkt + hl, dlen < 8 ? dlen : 8);
    }
    /* Where it goes: after the last held fragment starting at or before it. */
    size_t at = 0;
    while (at < q->n && q->f[at].off <= off)
        at++;
    const uint8_t *data = pkt + hl;
    if (at > 0) {
        frag *p = &q->f[at - 1];
        int32_t cover = (int32_t)(p->off + p->len) - (int32_t)off;
        if (cover > 0) {
            if ((uint32_t)cover >= dlen) {
                q->nfrags--;
                frag_drop(n, in_ifindex, scrub, pkt, len, "fragment already held");
                return NULL;
            }
            data += cover;
            off += (uint32_t)cover;
            dlen -= (uint32_t)cover;
        }
    }
    /* The new data wins over the following fragments it covers. */
    while (at < q->n && off + dlen > q->f[at].off) {
        uint32_t cover = off + dlen - q->f[at].off;
        if (cover < q->f[at].len) {
            frag_trim_front(&q->f[at], (uint16_t)cover);
            break;
        }
        free(q->f[at].data);
        memmove(q->f + at, q->f + at + 1, (q->n - at - 1) * sizeof *q->f);
        q->n--;
        q->nfrags--;
        n->drops[SIM_DROP_FRAG_DROPPED]++;
    }
    q_insert_at(q, at, (uint16_t)off, (uint16_t)dlen, data);
    bool gone;
    uint8_t *whole = q_complete(r, q, out_len, &gone);
    /* ip_reass: the per-datagram limit is checked only while incomplete,
     * so the fragment that completes a datagram is never refused. */
    if (!gone && q->nfrags > (scrub ? PF_MAXFRAGS : STACK_MAXFRAGS))
        q_drop(r, q, SIM_DROP_FRAG_DROPPED, "too many fragments for one datagram");
    return whole;
}

static void reass_free(sim_node *n, sim_reass *r)
{
    if (!r)
        return;
    while (r->head) {
        reass_q *q = r->head;
        r->head = q->next;
        sim_cancel(n->w->eng, q->timer);
        q_free(q);
    }
    free(r);
}

void sim_ipv4_reass_flush(sim_node *n)
{
    reass_free(n, n->reass);
    reass_free(n, n->scrub);
    n->reass = n->scrub = NULL;
    free(n->pmtu);
    n->pmtu = NULL;
    n->n_pmtu = n->cap_pmtu = 0;
}

/* ---- Linux path MTU (route exceptions) ---- */

#define LINUX_MIN_PMTU 552             /* net.ipv4.route.min_pmtu */
#define LINUX_MTU_EXPIRES (600 * SIM_S) /* net.ipv4.route.mtu_expires */

static bool linux_stack(const sim_node *n)
{
    return n->platform == WG_PLATFORM_LINUX || n->platform == WG_PLATFORM_WIREGUARD_GO;
}

void sim_ipv4_pmtu_learn(sim_node *n, const wg_ip *dst, uint16_t next_hop_mtu)
{
    /* icmp_unreach -> __udp4_lib_err -> ipv4_sk_update_pmtu ->
     * __ip_rt_update_pmtu: never below min_pmtu, only lowers, expires. A
     * zero MTU field (a router older than RFC 1191) teaches nothing here. */
    if (!linux_stack(n) || !next_hop_mtu || dst->family != 4)
        return;
    uint32_t mtu = next_hop_mtu < LINUX_MIN_PMTU ? LINUX_MIN_PMTU : next_hop_mtu;
    uint32_t d = wg_ip4_to_u32(dst);
    sim_time now = sim_now(n->w->eng);
    for (size_t i = 0; i < n->n_pmtu; i++) {
        struct sim_pmtu *e = &n->pmtu[i];
        if (e->dst != d)
            continue;
        if (e->expires <= now || mtu < e->mtu) {
            e->mtu = mtu;
            e->expires = now + LINUX_MTU_EXPIRES;
        }
        return;
    }
    VEC_GROW(n->pmtu, n->n_pmtu, n->cap_pmtu);
    n->pmtu[n->n_pmtu++] = (struct sim_pmtu){d, mtu, now + LINUX_MTU_EXPIRES};
    sim_event_log(n->w, SIM_EV_MODEL, n, 0, "ip", "path mtu to %u.%u.%u.%u is now %u (ICMP fragmentation needed)",
                  d >> 24, (d >> 16) & 255, (d >> 8) & 255, d & 255, mtu);
}

uint32_t sim_node_path_mtu(const sim_node *n, const wg_ip *dst)
{
    if (!n->n_pmtu || dst->family != 4)
        return 0;
    uint32_t d = wg_ip4_to_u32(dst);
    sim_time now = sim_now(n->w->eng);
    for (size_t i = 0; i < n->n_pmtu; i++)
        if (n->pmtu[i].dst == d && n->pmtu[i].expires > now)
            return n->pmtu[i].mtu;
    return 0;
}

void sim_node_set_scrub_reassemble(sim_node *n, bool on) { n->scrub_reass = on; }

size_t sim_node_reass_pending(const sim_node *n)
{
    return (n->reass ? n->reass->count : 0) + (n->scrub ? n->scrub->count : 0);
}
