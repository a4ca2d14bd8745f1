/*
 * segment.c — an L2 broadcast domain: every frame sent by an attached
 * interface reaches every other attached interface (they filter on the
 * destination MAC, as behind a switch that floods).
 *
 * Per frame, in this order (docs/models.md, "Segments"):
 *  1. MTU: a frame whose IP payload exceeds the segment MTU is dropped.
 *  2. Bandwidth: each sending interface has a FIFO transmit queue; a frame
 *     waits until the previous one is serialised (frame bytes * 8 /
 *     bandwidth; preamble, FCS and inter-frame gap are not modelled). When
 *     queue_limit frames already wait, the new one is tail-dropped.
 *  3. Loss: dropped with probability `loss`.
 *  4. Delay: arrival = end of serialisation + delay + a uniform offset in
 *     [-jitter, +jitter] (never before the end of serialisation). As with
 *     netem, jitter can reorder frames.
 * Draws come from the segment's own stream "segment:NAME", one for loss
 * (when loss > 0) then one for jitter (when jitter > 0), so the outcome
 * depends only on the seed and the frames offered to the segment.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

typedef struct delivery {
    sim_pending pend;
    sim_segment *seg;
    sim_iface *from;
    sim_frame *frame;
} delivery;

static bool config_ok(const sim_segment_config *c)
{
    return c->delay >= 0 && c->jitter >= 0 && c->loss >= 0.0 && c->loss <= 1.0 &&
           (c->mtu == 0 || (c->mtu >= 68 && c->mtu <= 65535));
}

sim_segment *sim_segment_new(sim_world *w, const char *name, const sim_segment_config *cfg)
{
    sim_segment_config def = {0};
    if (!cfg)
        cfg = &def;
    if (!name || !*name || sim_world_segment(w, name) || !config_ok(cfg))
        return NULL;
    sim_segment *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->w = w;
    s->id = (int)w->n_segs;
    s->name = strdup(name);
    if (!s->name || !sim_names_put(&w->seg_names, s->name, s)) {
        free(s->name);
        free(s);
        return NULL;
    }
    s->cfg = *cfg;
    char rname[300];
    snprintf(rname, sizeof rname, "segment:%s", name);
    sim_rng_init(&s->rng, w->seed, rname);
    VEC_GROW(w->segs, w->n_segs, w->cap_segs);
    w->segs[w->n_segs++] = s;
    return s;
}

void sim_segment_free(sim_segment *s)
{
    free(s->macidx);
    free(s->l2pos);
    free(s->ifs);
    free(s->caps);
    free(s->name);
    free(s);
}

bool sim_segment_set_config(sim_segment *s, const sim_segment_config *cfg)
{
    if (!config_ok(cfg))
        return false;
    s->cfg = *cfg;
    return true;
}

const sim_segment_config *sim_segment_get_config(const sim_segment *s) { return &s->cfg; }
const char *sim_segment_name(const sim_segment *s) { return s->name; }
int sim_segment_id(const sim_segment *s) { return s->id; }
const sim_segment_stats *sim_segment_get_stats(const sim_segment *s) { return &s->stats; }
uint32_t sim_segment_mtu(const sim_segment *s) { return sim_segment_mtu_inline(s); }

void sim_segment_attach(sim_segment *s, sim_iface *ifp)
{
    VEC_GROW(s->ifs, s->n_ifs, s->cap_ifs);
    s->ifs[s->n_ifs++] = ifp;
    s->idx_dirty = true;
}

void sim_segment_detach(sim_segment *s, sim_iface *ifp)
{
    for (size_t i = 0; i < s->n_ifs; i++)
        if (s->ifs[i] == ifp) {
            memmove(&s->ifs[i], &s->ifs[i + 1], (s->n_ifs - i - 1) * sizeof *s->ifs);
            s->n_ifs--;
            s->idx_dirty = true;
            return;
        }
}

static void delivery_free(sim_pending *p)
{
    delivery *d = (delivery *)p;
    sim_world *w = d->seg->w;
    sim_frame_free(w, d->frame);
    sim_buf_put(w, d, sizeof *d);
}

static int mac_cmp(const sim_mac *a, const sim_mac *b) { return memcmp(a->b, b->b, 6); }

static int macidx_cmp(const void *a, const void *b)
{
    const struct sim_macidx *x = a, *y = b;
    int c = mac_cmp(&x->mac, &y->mac);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static void rebuild_index(sim_segment *s)
{
    free(s->macidx);
    free(s->l2pos);
    s->macidx = malloc((s->n_ifs ? s->n_ifs : 1) * sizeof *s->macidx);
    s->l2pos = malloc((s->n_ifs ? s->n_ifs : 1) * sizeof *s->l2pos);
    if (!s->macidx || !s->l2pos)
        sim_oom("indexing a segment's interfaces");
    s->n_l2pos = 0;
    for (size_t i = 0; i < s->n_ifs; i++) {
        s->macidx[i].mac = s->ifs[i]->mac;
        s->macidx[i].pos = (uint32_t)i;
        if (s->ifs[i]->node->has_l2)
            s->l2pos[s->n_l2pos++] = (uint32_t)i;
    }
    s->n_macidx = s->n_ifs;
    qsort(s->macidx, s->n_macidx, sizeof *s->macidx, macidx_cmp);
    s->idx_dirty = false;
    s->l2_gen_seen = s->w->l2_gen;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Doubles the capacity of receivers()' position list holding n entries:
 * moves it off the caller's stack buffer on the first growth, reallocates
 * after that. */
static uint32_t *grow_pos(uint32_t *pos, const uint32_t *stack_pos, size_t n, size_t *cap)
{
    *cap *= 2;
    uint32_t *np = pos == stack_pos ? malloc(*cap * sizeof *np) : realloc(pos, *cap * sizeof *np);
    if (!np)
        sim_oom("finding a frame's receivers");
    if (pos == stack_pos)
        memcpy(np, stack_pos, n * sizeof *np);
    return np;
}

/* The receivers of a frame, in attach order: everyone for broadcast and
 * multicast; for unicast, the owner of the MAC plus the interfaces whose
 * node may accept other MACs (CARP). Each still applies its own filter. */
static size_t receivers(sim_segment *s, const sim_frame *f, sim_iface **out)
{
    if (f->len < ETH_HDR_LEN || (f->data[0] & 1)) {
        memcpy(out, s->ifs, s->n_ifs * sizeof *out);
        return s->n_ifs;
    }
    if (s->idx_dirty || s->l2_gen_seen != s->w->l2_gen)
        rebuild_index(s);
    sim_mac dst;
    memcpy(dst.b, f->data, 6);
    if (s->n_macidx <= 32) {
        /* A small segment (every host's link): the positions as a bit
         * set, read lowest first. The same receivers as the search and
         * sort below, for a third of their instructions. */
        uint32_t set = 0;
        for (size_t i = 0; i < s->n_macidx; i++)
            if (mac_cmp(&s->macidx[i].mac, &dst) == 0)
                set |= UINT32_C(1) << s->macidx[i].pos;
        for (size_t i = 0; i < s->n_l2pos; i++)
            set |= UINT32_C(1) << s->l2pos[i];
        size_t k = 0;
        for (; set; set &= set - 1)
            out[k++] = s->ifs[__builtin_ctz(set)];
        return k;
    }
    uint32_t stack_pos[16];
    size_t cap = s->n_l2pos + 4, n = 0;
    uint32_t *pos = cap <= 16 ? stack_pos : malloc(cap * sizeof *pos);
    if (!pos)
        sim_oom("finding a frame's receivers");
    /* Lower bound of dst in the sorted index. */
    size_t lo = 0, hi = s->n_macidx;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mac_cmp(&s->macidx[mid].mac, &dst) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < s->n_macidx && mac_cmp(&s->macidx[i].mac, &dst) == 0; i++) {
        if (n == cap)
            pos = grow_pos(pos, stack_pos, n, &cap);
        pos[n++] = s->macidx[i].pos;
    }
    for (size_t i = 0; i < s->n_l2pos; i++) {
        if (n == cap)
            pos = grow_pos(pos, stack_pos, n, &cap);
        pos[n++] = s->l2pos[i];
    }
    /* Usually one or two positions (a link: the owner of the MAC): an
     * insertion sort costs a fraction of a qsort call there. */
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = pos[i];
            size_t j = i;
            for (; j > 0 && pos[j - 1] > v; j--)
                pos[j] = pos[j - 1];
            pos[j] = v;
        }
    } else {
        qsort(pos, n, sizeof *pos, u32_cmp);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || pos[i] != pos[i - 1])
            out[k++] = s->ifs[pos[i]];
    if (pos != stack_pos)
        free(pos);
    return k;
}

static void deliver(void *arg)
{
    delivery *d = arg;
    sim_segment *s = d->seg;
    sim_warm_step(s->w);
    sim_pending_del(&d->pend);
    s->stats.frames_delivered++;
    sim_time now = sim_now(s->w->eng);
    sim_trace_frame(s->w, SIM_DIR_WIRE, NULL, NULL, s, d->frame);
    for (size_t i = 0; i < s->n_caps; i++)
        sim_capture_frame(s->caps[i], now, d->frame->data, d->frame->len);
    /* Receivers may send (and even re-cable) while we iterate: walk a copy. */
    sim_iface *stack_ifs[16];
    sim_iface **ifs = s->n_ifs <= 16 ? stack_ifs : malloc(s->n_ifs * sizeof *ifs);
    if (!ifs)
        sim_oom("delivering a frame");
    size_t n = receivers(s, d->frame, ifs);
    for (size_t i = 0; i < n; i++)
        if (ifs[i] != d->from && ifs[i]->seg == s) {
            sim_warm_rx(ifs[i]);
            sim_ether_input(ifs[i], d->frame);
            sim_warm_end();
        }
    if (ifs != stack_ifs)
        free(ifs);
    sim_frame_free(s->w, d->frame);
    sim_buf_put(s->w, d, sizeof *d);
}

static void txq_pop_done(sim_txq *q, sim_time now)
{
    while (q->n && q->ends[q->head] <= now) {
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
}

static void txq_push(sim_txq *q, sim_time end)
{
    if (!q->cap) {
        q->ends = q->inl;
        q->cap = SIM_TXQ_INLINE;
    }
    if (q->n == q->cap) {
        size_t nc = q->cap < 8 ? 8 : q->cap * 2;
        sim_time *ne = malloc(nc * sizeof *ne);
        if (!ne)
            sim_oom("queueing a frame on a segment");
        for (size_t i = 0; i < q->n; i++)
            ne[i] = q->ends[(q->head + i) % q->cap];
        if (q->ends != q->inl)
            free(q->ends);
        q->ends = ne;
        q->cap = nc;
        q->head = 0;
    }
    q->ends[(q->head + q->n) % q->cap] = end;
    q->n++;
}

void sim_segment_transmit(sim_segment *s, sim_iface *from, sim_frame *f)
{
    sim_world *w = s->w;
    sim_time now = sim_now(w->eng);
    sim_node *n = from->node;
    if (f->len > ETH_HDR_LEN && f->len - ETH_HDR_LEN > sim_segment_mtu(s) &&
        f->len > ETH_MIN_FRAME) {
        s->stats.too_big++;
        sim_node_drop_frame(n, from->ifindex, SIM_DROP_FRAME_TOO_BIG, f->data, f->len, "%zu-byte frame on %s (mtu %u)",
                            f->len, s->name, sim_segment_mtu(s));
        sim_frame_free(w, f);
        return;
    }
    sim_warm_tx_key(from);
    sim_time end = now;
    if (s->cfg.bandwidth_bps) {
        sim_txq *q = &from->txq;
        txq_pop_done(q, now);
        uint32_t limit = s->cfg.queue_limit ? s->cfg.queue_limit : SIM_DEFAULT_QUEUE;
        /* q->n counts the frame on the wire plus those waiting. */
        if (q->n > limit) {
            s->stats.queue_drops++;
            sim_node_drop_frame(n, from->ifindex, SIM_DROP_QUEUE_FULL, f->data, f->len, "queue full (%u waiting)",
                                limit);
            sim_frame_free(w, f);
            return;
        }
        sim_time start = q->n ? q->ends[(q->head + q->n - 1) % q->cap] : now;
        /* ceil(bits * 1e9 / bps) without overflow for any realistic size. */
        uint64_t bits = (uint64_t)f->len * 8;
        sim_time ser = (sim_time)((bits * UINT64_C(1000000000) + s->cfg.bandwidth_bps - 1) / s->cfg.bandwidth_bps);
        end = start + ser;
        txq_push(q, end);
    }
    s->stats.frames_sent++;
    if (s->cfg.loss > 0 && sim_rng_unit(&s->rng) < s->cfg.loss) {
        s->stats.lost++;
        n->drops[SIM_DROP_LOSS]++;
        if (w->rec.log_losses) {
            sim_event_rec e = {0};
            e.t = now;
            e.kind = SIM_EV_DROP;
            e.node = n->id;
            e.ifindex = from->ifindex;
            e.segment = s->id;
            e.drop = SIM_DROP_LOSS;
            e.model = "drop";
            e.cause_origin = -1;
            char *text = sim_rec_printf("loss: frame %llu from %s/%s lost on %s", (unsigned long long)f->id, n->name,
                                        from->name, s->name);
            e.text = text;
            sim_event_push(w, &e);
            free(text);
        }
        sim_frame_free(w, f);
        return;
    }
    sim_time at = end + s->cfg.delay;
    if (s->cfg.jitter > 0) {
        uint64_t span = (uint64_t)s->cfg.jitter * 2 + 1;
        at += (sim_time)sim_rng_below(&s->rng, span) - s->cfg.jitter;
        if (at < end)
            at = end;
    }
    delivery *d = sim_buf_get(w, sizeof *d, "scheduling a frame's delivery");
    d->seg = s;
    d->from = from;
    d->frame = f;
    sim_pending_add(w, &d->pend, delivery_free);
    sim_schedule_at(w->eng, at, deliver, d);
    sim_warm_ahead(w, s, from);
}
