/*
 * loader_segments.c — `segments:`: layer-2 networks and their link
 * properties (docs/scenario-language.md, "Segments").
 */
#include "harness/loader_internal.h"

#include <string.h>

void ld_load_segments(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    if (ld_is_null(v))
        return;
    if (v->kind != YD_MAP) {
        ld_err(l, v, "segments: expected a mapping of segment names, found %s", yd_kind_name(v));
        return;
    }
    s->segments = hs_alloc(l->a, v->count * sizeof *s->segments);
    static const char *const keys[] = {"delay", "jitter", "loss", "bandwidth", "mtu", "queue", NULL};
    for (const yd_node *c = v->first; c; c = c->next) {
        hs_segment *g = &s->segments[s->n_segments];
        g->name = hs_strdup(l->a, c->key);
        hs_index_put_str(&l->seg_index, g->name, (int)s->n_segments++); /* unique: a YAML mapping */
        g->loc = c->key_loc;
        g->mtu = 1500;
        g->queue = 1000;
        ld_name_ok(l, c->key, c, "segment");
        char what[HS_NAME_MAX + 16];
        snprintf(what, sizeof what, "segment '%s'", c->key);
        if (!ld_check_map(l, c, what, keys))
            continue;
        const yd_node *x;
        uint64_t u;
        /* A bad delay or jitter has its error; comparing them would add a
         * second one about a value the user never wrote. */
        bool delay_ok = true, jitter_ok = true;
        if ((x = yd_get(c, "delay")))
            delay_ok = ld_get_duration(l, x, &g->delay);
        if ((x = yd_get(c, "jitter"))) {
            jitter_ok = ld_get_duration(l, x, &g->jitter);
            g->has_jitter = true;
        }
        if ((x = yd_get(c, "loss"))) {
            ld_get_percent(l, x, &g->loss);
            g->has_loss = true;
        }
        if ((x = yd_get(c, "bandwidth"))) {
            const char *bs = ld_scalar(l, x, "a bandwidth");
            if (bs && !hs_parse_bandwidth(bs, &g->bandwidth))
                ld_err(l, x, "bandwidth: '%.60s' is not a bandwidth (e.g. 10Mbit, 1Gbit, 512kbit)", bs);
        }
        if ((x = yd_get(c, "mtu")) && ld_get_u64(l, x, 576, 65535, "an MTU", &u))
            g->mtu = (uint32_t)u;
        if ((x = yd_get(c, "queue")) && ld_get_u64(l, x, 1, 1000000, "a queue length in packets", &u))
            g->queue = (uint32_t)u;
        if (delay_ok && jitter_ok && g->jitter > g->delay && yd_get(c, "jitter"))
            ld_err(l, yd_get(c, "jitter"), "jitter: larger than the delay (packets would arrive before they leave)");
    }
}

