/*
 * world.c — the world: owns the engine, the nodes, the segments, the
 * captures, the pings, the packet trace, the event log and the key log.
 * Everything is created and iterated in creation order, so that the same
 * topology and seed replay identically.
 */
#include "sim/net/net.h"
#include "sim/record/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sim_world *sim_world_new(const sim_world_config *cfg)
{
    sim_world *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    sim_world_config def = {0};
    if (!cfg)
        cfg = &def;
    w->seed = cfg->seed;
    w->epoch = cfg->epoch_unix_ns ? cfg->epoch_unix_ns : SIM_DEFAULT_EPOCH_UNIX_NS;
    if (cfg->engine) {
        w->eng = cfg->engine;
    } else {
        w->eng = sim_engine_native_new();
        w->own_engine = true;
        if (!w->eng) {
            free(w);
            return NULL;
        }
    }
    sim_record_init(w);
    w->next_frame_id = 1;
    w->pending.prev = w->pending.next = &w->pending;
    return w;
}

void sim_world_free(sim_world *w)
{
    if (!w)
        return;
    sim_warm_forget(w);
    sim_warm_free(w);
    /* first: what is torn down below is not a change of the run */
    sim_history_free(w);
    for (size_t i = 0; i < w->n_pings; i++)
        sim_ping_free(w->pings[i]);
    free(w->pings);
    for (size_t i = 0; i < w->n_floods; i++)
        sim_flood_free(w->floods[i]);
    free(w->floods);
    /* Pending objects (frames in flight, model plugins that registered
     * themselves) go while the nodes they may refer to still exist. */
    while (w->pending.next != &w->pending) {
        sim_pending *p = w->pending.next;
        sim_pending_del(p);
        p->free_fn(p);
    }
    for (size_t i = 0; i < w->n_nodes; i++)
        sim_node_free(w->nodes[i]);
    free(w->nodes);
    for (size_t i = 0; i < w->n_segs; i++)
        sim_segment_free(w->segs[i]);
    free(w->segs);
    sim_names_free(&w->node_names);
    sim_names_free(&w->seg_names);
    for (size_t i = 0; i < w->n_caps; i++)
        sim_capture_free(w->caps[i]);
    free(w->caps);
    sim_record_free(w);
    sim_sink_free(&w->keylog);
    /* The engine goes last: pending events point into the objects above
     * and are dropped unrun. */
    if (w->own_engine)
        sim_engine_destroy(w->eng);
    /* last of the world's memory: freeing the objects above gave blocks back */
    sim_bufpool_free(&w->pool);
    free(w);
}

void sim_pending_add(sim_world *w, sim_pending *p, void (*free_fn)(sim_pending *p))
{
    p->free_fn = free_fn;
    p->next = w->pending.next;
    p->prev = &w->pending;
    w->pending.next->prev = p;
    w->pending.next = p;
}

void sim_pending_del(sim_pending *p)
{
    p->prev->next = p->next;
    p->next->prev = p->prev;
    p->prev = p->next = p;
}

sim_engine *sim_world_engine(sim_world *w) { return w->eng; }
sim_time sim_world_now(const sim_world *w) { return sim_now(w->eng); }
uint64_t sim_world_seed(const sim_world *w) { return w->seed; }
int64_t sim_world_wall_ns(const sim_world *w, sim_time t) { return w->epoch + t; }
void sim_world_run_until(sim_world *w, sim_time until) { sim_run_until(w->eng, until); }

sim_node *sim_world_node(const sim_world *w, const char *name) { return sim_names_get(&w->node_names, name); }
size_t sim_world_node_count(const sim_world *w) { return w->n_nodes; }
sim_node *sim_world_node_at(const sim_world *w, size_t i) { return i < w->n_nodes ? w->nodes[i] : NULL; }

sim_segment *sim_world_segment(const sim_world *w, const char *name) { return sim_names_get(&w->seg_names, name); }
size_t sim_world_segment_count(const sim_world *w) { return w->n_segs; }
sim_segment *sim_world_segment_at(const sim_world *w, size_t i) { return i < w->n_segs ? w->segs[i] : NULL; }

size_t sim_world_capture_count(const sim_world *w) { return w->n_caps; }
sim_capture *sim_world_capture_at(const sim_world *w, size_t i) { return i < w->n_caps ? w->caps[i] : NULL; }
size_t sim_world_ping_count(const sim_world *w) { return w->n_pings; }
sim_ping *sim_world_ping_at(const sim_world *w, size_t i) { return i < w->n_pings ? w->pings[i] : NULL; }

const char *sim_err_name(sim_err e)
{
    static const char *const names[] = {
        [SIM_OK] = "ok",
        [SIM_EADDRNOTAVAIL] = "EADDRNOTAVAIL",
        [SIM_EADDRINUSE] = "EADDRINUSE",
        [SIM_ENETUNREACH] = "ENETUNREACH",
        [SIM_EHOSTUNREACH] = "EHOSTUNREACH",
        [SIM_EHOSTDOWN] = "EHOSTDOWN",
        [SIM_ENETDOWN] = "ENETDOWN",
        [SIM_EMSGSIZE] = "EMSGSIZE",
        [SIM_EINVAL] = "EINVAL",
        [SIM_EEXIST] = "EEXIST",
        [SIM_ENOENT] = "ENOENT",
        [SIM_EPERM] = "EPERM",
        [SIM_ENOMEM] = "ENOMEM",
    };
    if ((unsigned)e < sizeof names / sizeof names[0] && names[e])
        return names[e];
    return "unknown-error";
}

const char *sim_drop_reason_name(sim_drop_reason r)
{
    static const char *const names[SIM_DROP__COUNT] = {
        [SIM_DROP_NONE] = "none",
        [SIM_DROP_LOSS] = "loss",
        [SIM_DROP_QUEUE_FULL] = "queue-full",
        [SIM_DROP_LINK_DOWN] = "link-down",
        [SIM_DROP_POWERED_OFF] = "powered-off",
        [SIM_DROP_FRAME_TOO_BIG] = "frame-too-big",
        [SIM_DROP_MALFORMED] = "malformed",
        [SIM_DROP_BAD_IP_CHECKSUM] = "bad-ip-checksum",
        [SIM_DROP_BAD_UDP_CHECKSUM] = "bad-udp-checksum",
        [SIM_DROP_BAD_ICMP_CHECKSUM] = "bad-icmp-checksum",
        [SIM_DROP_UNKNOWN_ETHERTYPE] = "unknown-ethertype",
        [SIM_DROP_UNKNOWN_PROTO] = "unknown-protocol",
        [SIM_DROP_NOT_FORWARDING] = "not-forwarding",
        [SIM_DROP_TTL_EXCEEDED] = "ttl-exceeded",
        [SIM_DROP_NO_ROUTE] = "no-route",
        [SIM_DROP_NEEDS_FRAG] = "needs-fragmentation",
        [SIM_DROP_FRAG_UNSUPPORTED] = "cannot-fragment",
        [SIM_DROP_REASS_TIMEOUT] = "reassembly-timeout",
        [SIM_DROP_FRAG_DROPPED] = "fragment-dropped",
        [SIM_DROP_ARP_HOLD_OVERFLOW] = "arp-hold-overflow",
        [SIM_DROP_ARP_TIMEOUT] = "arp-timeout",
        [SIM_DROP_NO_SOCKET] = "no-socket",
        [SIM_DROP_FILTER] = "filter",
        [SIM_DROP_TUNNEL] = "tunnel",
    };
    if ((unsigned)r < SIM_DROP__COUNT && names[r])
        return names[r];
    return "unknown";
}

