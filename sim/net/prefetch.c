/*
 * prefetch.c — cache hints: bring into cache what a node's next packet
 * or timer will read, before it reads it. No effect on behaviour.
 *
 * In a world of thousands of peers every per-peer object is out of cache
 * when that peer's next packet comes (a second later), and the packet
 * path reads the objects one pointer at a time, each a memory access
 * waited for in turn: about a hundred per ping at N = 10,000 in
 * `wgsim bench scale` (docs/performance.md, "Cache hints"). Four hints
 * overlap those accesses:
 *
 *  - A small node (a host: a few interfaces, sockets and WireGuard
 *    devices) is walked at the start of each of its events, level by
 *    level: node; its arrays; interfaces, sockets, WireGuard hosts; their
 *    arrays and devices; peers and keypairs. Every prefetch of a level is
 *    issued before the next level is read, so the accesses of a level
 *    overlap instead of following each other.
 *  - A node with many interfaces (a hub) cannot be walked: which of its
 *    10,000 peers a frame is for is known only once the frame is parsed
 *    and looked up. Instead, while a frame that arrived on one of its
 *    interfaces is handled, and while packets it queued are sent, the
 *    models note the per-flow objects they read (sim_touch in sim.h: the
 *    address slot, route, ARP entry, pf states and buckets, WireGuard
 *    peer, keypair, index bucket and allowed-IPs nodes). The notes are
 *    kept with that interface (RX: noted while its frame arrived; TX:
 *    noted before a frame left by it) and prefetched all at once when the
 *    interface's next frame is on its way: the request and the reply of a
 *    flow read the same objects a second later.
 *  - A frame on a point-to-point link is delivered a link delay after it
 *    leaves, dozens of events later in a large world; its receiver is
 *    known when it leaves (sim_warm_ahead). The receiving node's walk, or
 *    the receiving interface's notes, then advance one level at each
 *    event (sim_warm_step), so that the delivery waits for none of them.
 *  - A ping's next echo is armed a second ahead; its job (the ping and
 *    its node's walk) waits in a ring until shortly before it fires
 *    (sim_warm_at), then advances like a frame's.
 *
 * What would only hit the cache is skipped: a node walked in the last
 * few hundred events is not walked again (RECENT), and a flow's notes
 * are retaken every few frames (RX_REFRESH), since it reads the same
 * objects frame after frame.
 *
 * A note is an address that is never dereferenced; prefetching an
 * address whose object has been freed since is harmless (a prefetch
 * never faults). Nothing here is read by a model.
 */
#include "sim/net/net.h"

#include <stdlib.h>
#include <string.h>

/* Above this many interfaces, sockets or WireGuard hosts, or this many
 * routes, a node is "big": per-flow notes instead of a walk. A walk reads
 * the node's tables whole, which is a few lines on a host and would be
 * thousands on a hub with a route per peer (bench/scenarios/hub-10000.yaml:
 * two interfaces, 10,000 routes). */
#define SMALL_MAX 4
#define SMALL_ROUTES 32

static inline bool small(const sim_node *n)
{
    return n->n_ifs <= SMALL_MAX && n->n_socks <= SMALL_MAX && n->n_wgs <= SMALL_MAX &&
           n->n_routes <= SMALL_ROUTES;
}

/* ---- small nodes: a walk, one level at a time ---- */

/* A node walked a few hundred events ago is still in the core's cache
 * (bench scale: a ping and its reply are ~100 events apart at N = 10,000,
 * and a ping touches a few KiB): walking it again would only cost
 * instructions. RECENT is counted in sim_warm_step calls, about one per
 * event. */
#define RECENT 256u

/* True (and the node stamped) when a walk of n should begin now. The
 * stamp is the hints' bookkeeping, not model state: the one write
 * through a const node. */
static bool walk_due(const sim_node *n)
{
    uint32_t clock = n->w->warm_clock;
    if (n->warm_stamp && clock - n->warm_stamp < RECENT)
        return false;
    ((sim_node *)n)->warm_stamp = clock ? clock : 1;
    return true;
}

/* Level `level` of the walk of a small node: every prefetch of a level is
 * issued before any pointer it fetches is read at the next level. Returns
 * false once the walk is complete. A level reads only what earlier levels
 * prefetched, so a walk spread over several events (sim_warm_ahead) never
 * waits; walked at once (sim_node_prefetch) it waits once per level
 * instead of once per object. */
static bool walk_level(const sim_node *n, int level)
{
    switch (level) {
    case 0:
        sim_prefetch_range(n, SIM_NODE_HOT); /* the hot lines (net.h) */
        sim_prefetch_range(&n->rng, sizeof n->rng); /* a WireGuard send's timer jitter draws from it */
        return true;
    case 1:
        if (!small(n))
            return false;
        sim_prefetch_range(n->ifs, n->n_ifs * sizeof *n->ifs);
        sim_prefetch_range(n->addr_ht, n->addr_ht_cap * sizeof *n->addr_ht);
        sim_prefetch_range(n->addr_filter, 1);
        for (size_t i = 0; i < n->n_routes; i++)
            __builtin_prefetch(&n->routes[i]); /* a route's first line is what a lookup reads (sim_route) */
        sim_prefetch_range(n->fib_ht, n->fib_cap * sizeof *n->fib_ht);
        sim_prefetch_range(n->socks, n->n_socks * sizeof *n->socks);
        sim_prefetch_range(n->wgs, n->n_wgs * sizeof *n->wgs);
        return true;
    case 2:
        for (size_t i = 0; i < n->n_ifs; i++)
            sim_prefetch_range(n->ifs[i], sizeof *n->ifs[i]);
        for (size_t i = 0; i < n->n_socks; i++)
            sim_prefetch_range(n->socks[i], sizeof *n->socks[i]);
        for (size_t i = 0; i < n->n_wgs; i++)
            sim_wg_prefetch_host(n->wgs[i]);
        return true;
    case 3:
        for (size_t i = 0; i < n->n_ifs; i++) {
            const sim_iface *ifp = n->ifs[i];
            sim_prefetch_range(ifp->addrs, ifp->n_addrs * sizeof *ifp->addrs);
            sim_prefetch_range(ifp->arp_ht, ifp->arp_ht_cap * sizeof *ifp->arp_ht);
            sim_prefetch_range(ifp->arp, ifp->n_arp * sizeof *ifp->arp);
            if (ifp->seg)
                sim_prefetch_range(ifp->seg, SIM_SEGMENT_HOT); /* its hot lines (net.h) */
        }
        return n->n_wgs > 0 || n->n_ifs > 0;
    default: {
        bool more = false;
        if (level == 4)
            for (size_t i = 0; i < n->n_ifs; i++) {
                const sim_iface *ifp = n->ifs[i];
                for (size_t k = 0; k < ifp->n_arp && k < SMALL_MAX; k++)
                    sim_prefetch_range(ifp->arp[k], sizeof *ifp->arp[k]);
                /* a link's interface list, which a frame sent on it reads
                 * (sim_warm_ahead) */
                if (ifp->seg && ifp->seg->n_ifs <= SMALL_MAX)
                    sim_prefetch_range(ifp->seg->ifs, ifp->seg->n_ifs * sizeof *ifp->seg->ifs);
            }
        for (size_t i = 0; i < n->n_wgs; i++)
            more |= sim_wg_prefetch_device(n->wgs[i], level - 4);
        return more;
    }
    }
}

void sim_cache_hints_enable(sim_world *w, bool on)
{
    w->no_cache_hints = !on;
    if (!on) {
        sim_warm_forget(w);
        w->warmq_n = 0;
        sim_warm_free(w);
    }
}

void sim_node_prefetch(const sim_node *n)
{
    if (n->w->no_cache_hints || !walk_due(n))
        return;
    for (int level = 0; walk_level(n, level); level++)
        ;
}

/* ---- frames in flight: their receivers warmed ahead ---- */

/* A frame on a point-to-point link is delivered a link delay after it
 * leaves (a millisecond in `bench scale`, dozens of other events later);
 * its receiver is known as it leaves. The walk of the receiving node (or,
 * for a big one, the notes of the receiving interface) then advances one
 * level at each event that steps the queue, so by the time the frame
 * arrives its lines are in cache without the arrival waiting on any of
 * them. Best effort: a full queue drops its oldest job. */
#define AHEAD_STEP 4 /* jobs advanced per step */
#define NOTES_STEP 12 /* a big node's notes prefetched per step of its job */

static void push_job(sim_world *w, sim_warm_job j)
{
    if (w->warmq_n == SIM_WARMQ_MAX) {
        w->warmq_head = (w->warmq_head + 1) % SIM_WARMQ_MAX;
        w->warmq_n--;
    }
    w->warmq[(w->warmq_head + w->warmq_n) % SIM_WARMQ_MAX] = j;
    w->warmq_n++;
}

void sim_warm_ahead(sim_world *w, const sim_segment *s, const sim_iface *from)
{
    if (w->no_cache_hints || s->n_ifs != 2)
        return;
    sim_touch(s->ifs); /* its own allocation: out of cache at a hub's next frame to this link */
    const sim_iface *to = s->ifs[s->ifs[0] == from];
    sim_prefetch_range(to, sizeof *to);
    push_job(w, (sim_warm_job){.to = to});
}

/* A node's timer (a ping's next echo) is known when it is armed, a second
 * ahead: too early to warm anything, since a second of a large world
 * evicts it all again. It waits in a ring until LEAD before its time,
 * then becomes a job like a frame's: the timer's object, the node's walk.
 * The ring is in the order pushed, which is time order when the timers
 * share one interval (a ping's is fixed); otherwise a later time at the
 * head only holds the others back (they warm late: a hint). LEAD is the
 * simulated time in which a large world runs enough events to step a
 * walk through (bench scale, N = 10,000: an event every 20 us). */
#define LEAD (200 * SIM_US)
#define TIMED_MAX ((size_t)1 << 20)

void sim_warm_at(sim_world *w, sim_time t, const sim_node *n, const void *obj, const void *obj2)
{
    if (w->no_cache_hints || !small(n))
        return;
    if (w->warmt_n == w->warmt_cap) {
        size_t cap = w->warmt_cap ? 2 * w->warmt_cap : 64;
        if (cap > TIMED_MAX)
            return;
        sim_warm_timed *r = malloc(cap * sizeof *r);
        if (!r)
            return; /* a hint: nothing is lost without it */
        for (size_t i = 0; i < w->warmt_n; i++)
            r[i] = w->warmt[(w->warmt_head + i) % w->warmt_cap];
        free(w->warmt);
        w->warmt = r;
        w->warmt_cap = cap;
        w->warmt_head = 0;
    }
    w->warmt[(w->warmt_head + w->warmt_n) % w->warmt_cap] = (sim_warm_timed){t > LEAD ? t - LEAD : 0, n, obj, obj2};
    w->warmt_n++;
}

void sim_warm_free(sim_world *w)
{
    free(w->warmt);
    w->warmt = NULL;
    w->warmt_head = w->warmt_n = w->warmt_cap = 0;
}

/* One level of a job. A frame's job: level 0 reads only the interface
 * (prefetched when the job was queued) and asks for the node's hot lines,
 * the interface's notes and its segment's hot lines; at level 1, the
 * segment's receiver index; from level 1, for a big node the noted
 * objects (done), for a small one its walk from level 1. A timer's job:
 * level 0 asks for its object and the node's hot lines, then the walk. */
static bool job_level(sim_warm_job *j)
{
    int level = j->level++;
    const sim_iface *to = j->to;
    if (!to) {
        if (level == 0) {
            sim_prefetch_range(j->obj, 128);
            if (j->obj2)
                __builtin_prefetch(j->obj2);
        }
        else if (level == 1 && !walk_due(j->node))
            return false; /* its hot lines came at level 0: the stamp is read from cache */
        return walk_level(j->node, level);
    }
    const sim_node *n = to->node;
    if (level == 0) {
        sim_prefetch_range(n, SIM_NODE_HOT);
        if (to->warm)
            sim_prefetch_range(to->warm, sizeof *to->warm);
        sim_prefetch_range(to->seg, SIM_SEGMENT_HOT); /* its hot lines (net.h): deliver() reads them first */
        return true;
    }
    if (level == 1 && to->seg) {
        /* The link's receiver index and interface list, which deliver()
         * searches for the frame's receivers: a link of a hub's peer is
         * out of cache a second after its last frame. */
        const sim_segment *s = to->seg;
        sim_prefetch_range(s->macidx, s->n_macidx * sizeof *s->macidx);
        sim_prefetch_range(s->ifs, s->n_ifs * sizeof *s->ifs);
    }
    if (!small(n)) {
        /* NOTES_STEP notes a level: all of them at once are more misses
         * than the core keeps in flight, and the excess waits. */
        const sim_warm *wm = to->warm;
        if (!wm)
            return false;
        unsigned from = (unsigned)(level - 1) * NOTES_STEP, end = from + NOTES_STEP, total = wm->n_rx + wm->n_tx;
        if (end > total)
            end = total;
        unsigned i = from, rx_end = end < wm->n_rx ? end : wm->n_rx;
        for (; i < rx_end; i++)
            __builtin_prefetch(wm->rx[i]);
        for (; i < end; i++)
            __builtin_prefetch(wm->tx[i - wm->n_rx]);
        return end < total;
    }
    if (level == 1 && !walk_due(n))
        return false;
    return walk_level(n, level);
}

void sim_warm_step(sim_world *w)
{
    w->warm_clock++;
    sim_time now = sim_now(w->eng);
    while (w->warmt_n && w->warmt[w->warmt_head].t <= now) {
        const sim_warm_timed *t = &w->warmt[w->warmt_head];
        push_job(w, (sim_warm_job){.node = t->node, .obj = t->obj, .obj2 = t->obj2});
        w->warmt_head = (w->warmt_head + 1) % w->warmt_cap;
        w->warmt_n--;
    }
    /* The queue holds unfinished jobs only: one that finishes takes the
     * head job, stepped before it in this round, into its place, and the
     * head goes. The order changes only among the jobs stepped together,
     * and no step scans finished jobs (a small node's walk ends in two
     * levels while a hub's notes take five: they used to pile up behind
     * the head). */
    unsigned k = 0;
    for (unsigned stepped = 0; stepped < AHEAD_STEP && k < w->warmq_n; stepped++) {
        unsigned at = (w->warmq_head + k) % SIM_WARMQ_MAX;
        if (job_level(&w->warmq[at])) {
            k++;
            continue;
        }
        w->warmq[at] = w->warmq[w->warmq_head];
        w->warmq_head = (w->warmq_head + 1) % SIM_WARMQ_MAX;
        w->warmq_n--; /* the jobs after `at` moved one nearer the head: k stays */
    }
}

/* ---- big nodes: per-flow notes ---- */

_Thread_local sim_touch_rec sim_touch_rec_;

/* What is being recorded: what a frame arriving on `key` reads (RX), or
 * what is read before a frame leaves (TX: its interface is known only
 * when the frame is transmitted, sim_warm_tx_key). */
enum { RX, TX };
static _Thread_local struct {
    const sim_world *w;
    sim_iface *key;
    int part;
} cur;

/* A flow reads the same objects frame after frame (its peer, keypair,
 * states, route): its RX notes are taken again only every RX_REFRESH
 * frames, which saves most of the noting's instructions. What changes in
 * between (a new keypair every two minutes) is missed for a few frames:
 * a hint, nothing is lost. */
#define RX_REFRESH 8

static void store(sim_iface *ifp, int part)
{
    sim_touch_rec *r = &sim_touch_rec_;
    if (!r->n)
        return; /* a frame that read nothing per flow (ARP): keep the flow's */
    if (!ifp->warm) {
        ifp->warm = calloc(1, sizeof *ifp->warm);
        if (!ifp->warm)
            return; /* a hint: nothing is lost without it */
    }
    sim_warm *wm = ifp->warm;
    if (part == RX) {
        memcpy(wm->rx, r->p, r->n * sizeof *r->p);
        wm->n_rx = (uint8_t)r->n;
        wm->rx_skip = RX_REFRESH - 1;
    } else {
        wm->n_tx = (uint8_t)(r->n < SIM_WARM_TX ? r->n : SIM_WARM_TX);
        memcpy(wm->tx, r->p, wm->n_tx * sizeof *r->p);
    }
}

void sim_warm_end(void)
{
    if (cur.key && cur.part == RX)
        store(cur.key, RX);
    sim_touch_rec_.n = sim_touch_rec_.max = 0;
    cur.w = NULL;
    cur.key = NULL;
}

void sim_warm_rx(sim_iface *ifp)
{
    sim_warm_end();
    /* Its notes were prefetched while the frame crossed the link
     * (sim_warm_ahead); now the flow's reads are noted again. */
    if (small(ifp->node) || ifp->node->w->no_cache_hints)
        return;
    if (ifp->warm && ifp->warm->rx_skip) {
        ifp->warm->rx_skip--;
        return;
    }
    cur.w = ifp->node->w;
    cur.key = ifp;
    cur.part = RX;
    sim_touch_rec_.max = SIM_TOUCH_MAX;
}

void sim_warm_tx_begin(const sim_node *n)
{
    sim_warm_end();
    if (small(n) || n->w->no_cache_hints)
        return;
    cur.w = n->w;
    cur.part = TX;
    sim_touch_rec_.max = SIM_TOUCH_MAX;
}

void sim_warm_tx_key(sim_iface *ifp)
{
    if (!sim_touch_rec_.max || cur.part != TX || cur.w != ifp->node->w)
        return;
    store(ifp, TX);
    sim_touch_rec_.n = 0; /* what follows belongs to the next frame */
}

void sim_warm_forget(const sim_world *w)
{
    if (cur.w == w)
        sim_warm_end();
}
