/*
 * loader_traffic.c — `traffic:`: generated traffic (pings, and handshake
 * floods), numbered in file order for `tunnel:` expectations.
 */
#include "harness/loader_internal.h"


/* `flood: {from, to, kind, rate, start, stop, of}` (sim/wg/wg_flood.c). */
static void load_flood(L *l, hs_traffic *t, const yd_node *c, const yd_node *p)
{
    static const char *const fkeys[] = {"from", "to", "kind", "rate", "start", "stop", "of", NULL};
    static const char *const kinds[] = {"replay", "fresh", "garbage", NULL};
    hs_scenario *s = l->s;
    t->loc = c->loc;
    t->kind = HS_TRAFFIC_FLOOD;
    t->flood.from = t->flood.of = -1;
    t->flood.kind = HS_FLOOD_GARBAGE;
    t->flood.rate = 1000;
    t->flood.stop = s->duration;
    if (!ld_check_map(l, p, "flood", fkeys) || ld_is_null(p)) {
        if (ld_is_null(p))
            ld_err(l, p, "flood: needs 'from:', 'to:' and 'kind:'");
        return;
    }
    const yd_node *x;
    uint64_t u;
    if (ld_require(l, p, "from", "flood"))
        t->flood.from = ld_resolve_node(l, yd_get(p, "from"));
    if (ld_require(l, p, "to", "flood"))
        ld_get_endpoint(l, yd_get(p, "to"), &t->flood.to);
    int k;
    if (ld_require(l, p, "kind", "flood") && ld_get_enum(l, yd_get(p, "kind"), kinds, &k))
        t->flood.kind = (hs_flood_kind)k; /* kinds[] is in hs_flood_kind order */
    if ((x = yd_get(p, "rate")) && ld_get_u64(l, x, 1, 1000000, "a rate in datagrams per second", &u))
        t->flood.rate = u;
    if ((x = yd_get(p, "of"))) {
        t->flood.of = ld_resolve_node(l, x);
        if (t->flood.kind == HS_FLOOD_GARBAGE)
            ld_err(l, x, "of: a garbage flood needs no node");
        else if (t->flood.of >= 0 && s->nodes[t->flood.of].n_wg == 0)
            ld_err(l, x, "of: node '%s' has no WireGuard interface", s->nodes[t->flood.of].name);
    } else if (t->flood.kind != HS_FLOOD_GARBAGE && yd_get(p, "kind")) {
        ld_err(l, p, "flood: kind %s needs 'of:' (%s)", t->flood.kind == HS_FLOOD_REPLAY ? "replay" : "fresh",
               t->flood.kind == HS_FLOOD_REPLAY ? "the node whose first initiation is replayed"
                                                 : "the node whose public key mac1 is made for");
    }
    bool start_ok = true;
    if ((x = yd_get(p, "start")))
        start_ok = ld_get_duration(l, x, &t->flood.start) && ld_check_time(l, x, t->flood.start, "start");
    if ((x = yd_get(p, "stop")) && ld_get_duration(l, x, &t->flood.stop) &&
        ld_check_time(l, x, t->flood.stop, "stop") && start_ok && t->flood.stop <= t->flood.start)
        ld_err(l, x, "stop: not after start");
}

void ld_load_traffic(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    size_t errors_before = hs_diag_count(l->d);
    if (!ld_check_seq(l, v, "traffic") || ld_is_null(v)) {
        l->traffic_bad = hs_diag_count(l->d) != errors_before;
        return;
    }
    static const char *const keys[] = {"ping", "flood", NULL};
    static const char *const pkeys[] = {"from", "to", "every", "size", "count", "start", "stop", "df", NULL};
    s->traffic = hs_alloc(l->a, v->count * sizeof *s->traffic);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "traffic item", keys) || ld_is_null(c)) {
            if (ld_is_null(c))
                ld_err(l, c, "traffic item: expected {ping: {...}}, found nothing");
            l->traffic_bad = true; /* left out: the items after it would be numbered one lower */
            continue;
        }
        if (yd_get(c, "flood")) {
            load_flood(l, &s->traffic[s->n_traffic++], c, yd_get(c, "flood"));
            continue;
        }
        const yd_node *p = yd_get(c, "ping");
        if (!p) {
            if (!c->first)
                ld_err(l, c, "traffic item: expected {ping: {...}}");
            l->traffic_bad = true;
            continue;
        }
        hs_traffic *t = &s->traffic[s->n_traffic++];
        t->loc = c->loc;
        t->kind = HS_TRAFFIC_PING;
        t->ping.from = -1;
        t->ping.every = HS_S;
        t->ping.size = 56;
        t->ping.stop = s->duration;
        if (!ld_check_map(l, p, "ping", pkeys) || ld_is_null(p)) {
            if (ld_is_null(p))
                ld_err(l, p, "ping: needs 'from:' and 'to:'");
            continue;
        }
        const yd_node *x;
        uint64_t u;
        if (ld_require(l, p, "from", "ping")) {
            x = yd_get(p, "from");
            t->ping.from = ld_resolve_node(l, x);
            t->ping.from_loc = x->loc;
        }
        if (ld_require(l, p, "to", "ping")) {
            x = yd_get(p, "to");
            ld_get_ip(l, x, &t->ping.to);
            t->ping.to_loc = x->loc;
        }
        if ((x = yd_get(p, "every")) && ld_get_duration(l, x, &t->ping.every) && t->ping.every <= 0) {
            ld_err(l, x, "every: must be more than 0");
            t->ping.every = HS_S;
        }
        if ((x = yd_get(p, "size")) && ld_get_u64(l, x, 0, 65507, "a payload size in bytes", &u))
            t->ping.size = (uint32_t)u;
        if ((x = yd_get(p, "df")))
            ld_get_bool(l, x, &t->ping.df);
        if ((x = yd_get(p, "count")) && ld_get_u64(l, x, 1, 100000000, "a count", &u))
            t->ping.count = (uint32_t)u;
        bool start_ok = true;
        if ((x = yd_get(p, "start")))
            start_ok = ld_get_duration(l, x, &t->ping.start) && ld_check_time(l, x, t->ping.start, "start");
        if ((x = yd_get(p, "stop")) && ld_get_duration(l, x, &t->ping.stop) && ld_check_time(l, x, t->ping.stop, "stop") &&
            start_ok && t->ping.stop < t->ping.start)
            ld_err(l, x, "stop: before start");
    }
}

