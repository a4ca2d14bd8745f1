/*
 * timeline.c — the run told as a story an operator can follow: the
 * timeline commands, power and link changes, CARP transitions, gateway
 * status, and for every WireGuard device the handshakes (with the source
 * address each initiation or response actually left with, and why), the
 * timers that fired, learned local addresses set and cleared, endpoint
 * changes, send errors and drops.
 *
 * Built from the world's event log, the runner's command log and the
 * handshake messages kept as they left (for their source). Repetitive lines (the same
 * drop every second) are collapsed into one line with a count, so the
 * reasons the tunnel moved stay visible.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

#define REPEAT_WINDOW (10 * SIM_S)

typedef struct tl_builder {
    hs_world *hw;
    hs_result *r;
    size_t cap;
    /* the source reason of the next line added (a handshake message) */
    hs_field *reason;
    size_t n_reason;
    /* the fields of the next line added (pf states, NAT, drops) */
    hs_field *fields;
    size_t n_fields;
    /* collapsing of repeated lines */
    struct rep {
        char key[200];
        size_t entry;   /* index of the first occurrence in r->timeline */
        sim_time last;
        size_t more;    /* repeats after the first */
    } rep[64];
    size_t n_rep;
} tl_builder;

static void add(tl_builder *b, sim_time t, const char *node, const char *cat, char *text_owned)
{
    hs_result *r = b->r;
    if (r->n_timeline == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        hs_timeline_entry *v = realloc(r->timeline, cap * sizeof *v);
        if (!v) {
            free(text_owned);
            return;
        }
        r->timeline = v;
        b->cap = cap;
    }
    hs_timeline_entry *e = &r->timeline[r->n_timeline++];
    e->t = t;
    e->node = strdup(node ? node : "");
    e->category = strdup(cat);
    e->text = text_owned;
    e->reason = b->reason;
    e->n_reason = b->n_reason;
    b->reason = NULL;
    b->n_reason = 0;
    e->fields = b->fields;
    e->n_fields = b->n_fields;
    b->fields = NULL;
    b->n_fields = 0;
}

/* The key of a repeatable line: digits removed (sequence numbers, ports). */
static void rep_key(char *key, size_t len, const char *node, const char *cat, const char *text)
{
    size_t k = (size_t)snprintf(key, len, "%s|%s|", node, cat);
    for (const char *p = text; *p && k + 1 < len; p++)
        if (!isdigit((unsigned char)*p))
            key[k++] = *p;
    key[k < len ? k : len - 1] = 0;
}

static void flush_rep(tl_builder *b, struct rep *rp)
{
    if (rp->more) {
        hs_timeline_entry *e = &b->r->timeline[rp->entry];
        char *t = hs_strdup_printf("%s (and %zu more until %.3fs)", e->text, rp->more, (double)rp->last / 1e9);
        free(e->text);
        e->text = t;
    }
}

/* Adds a line that may repeat: the first is kept, later ones within
 * REPEAT_WINDOW of the previous are counted on it. */
static void add_rep(tl_builder *b, sim_time t, const char *node, const char *cat, char *text_owned)
{
    char key[200];
    rep_key(key, sizeof key, node, cat, text_owned);
    for (size_t i = 0; i < b->n_rep; i++) {
        struct rep *rp = &b->rep[i];
        if (strcmp(rp->key, key))
            continue;
        if (t - rp->last <= REPEAT_WINDOW) {
            rp->more++;
            rp->last = t;
            free(text_owned);
            hs_fields_free(b->fields, b->n_fields);
            b->fields = NULL;
            b->n_fields = 0;
            return;
        }
        flush_rep(b, rp);
        add(b, t, node, cat, text_owned);
        rp->entry = b->r->n_timeline - 1;
        rp->last = t;
        rp->more = 0;
        return;
    }
    add(b, t, node, cat, text_owned);
    struct rep *rp;
    if (b->n_rep < sizeof b->rep / sizeof b->rep[0]) {
        rp = &b->rep[b->n_rep++];
    } else {
        /* forget the oldest */
        size_t o = 0;
        for (size_t i = 1; i < b->n_rep; i++)
            if (b->rep[i].last < b->rep[o].last)
                o = i;
        flush_rep(b, &b->rep[o]);
        rp = &b->rep[o];
    }
    snprintf(rp->key, sizeof rp->key, "%s", key);
    rp->entry = b->r->n_timeline - 1;
    rp->last = t;
    rp->more = 0;
}

/* The handshake messages nodes send: what find_sent looks in (the run
 * stores no packets; this keeps the few the timeline shows). */
void hs_timeline_frame(hs_world *hw, const sim_trace_rec *r)
{
    if (r->dir != SIM_DIR_OUT || r->origin_node != r->node || r->proto != SIM_IPPROTO_UDP ||
        (r->wg_type != WG_MSG_INITIATION && r->wg_type != WG_MSG_RESPONSE))
        return;
    hs_pkt_append(&hw->hs_msgs, &hw->n_hs_msgs, &hw->cap_hs_msgs, r);
}

/* The packet a send event produced: the first handshake message of that
 * type the node sent to the peer's endpoint at or after t. It can leave
 * a little later than the event (ARP resolution), so look up to 3 s
 * ahead; nothing found = the message never left the node. */
static const sim_trace_rec *find_sent(hs_world *hw, const sim_event_rec *ev, enum wg_msg_type type)
{
    size_t lo = 0, hi = hw->n_hs_msgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hw->hs_msgs[mid].r.t < ev->t)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < hw->n_hs_msgs; i++) {
        const sim_trace_rec *r = hs_pkt_rec(&hw->hs_msgs[i]);
        if (r->t > ev->t + 3 * SIM_S)
            break;
        if (r->node == ev->node && r->wg_type == type && wg_ip_eq(&r->dst, &ev->wg.endpoint.ip) &&
            r->dport == ev->wg.endpoint.port)
            return r;
    }
    return NULL;
}

static char *sent_detail(tl_builder *b, const sim_event_rec *ev, enum wg_msg_type type)
{
    hs_world *hw = b->hw;
    const sim_trace_rec *r = find_sent(hw, ev, type);
    char ep[WG_IP_STRLEN], src[WG_IP_STRLEN];
    if (!r)
        return hs_strdup_printf("to %s (it did not leave the node)", wg_endpoint_format(&ev->wg.endpoint, ep));
    char late[48] = "";
    if (r->t > ev->t)
        snprintf(late, sizeof late, " (left at %.3fs)", (double)r->t / 1e9);
    char *why = r->reason ? sim_src_reason_text(hw->w, r->reason) : NULL;
    hs_fields_free(b->reason, b->n_reason);
    b->reason = hs_reason_fields(hw, r->reason, &b->n_reason);
    char *d = hs_strdup_printf("to %s:%u from %s:%u%s [source: %s]", wg_ip_format(&r->dst, ep), r->dport,
                               wg_ip_format(&r->src, src), r->sport, late, why ? why : "?");
    free(why);
    return d;
}

/* What a drop means for the tunnel, for the reasons an operator meets in
 * failover stories (the short name alone, "unknown-index", says little). */
static const char *drop_meaning(wg_drop_reason r)
{
    switch (r) {
    case WG_DROP_UNKNOWN_INDEX: return "(no session with that receiver index here: it belongs to another node or was dropped)";
    case WG_DROP_UNKNOWN_PEER: return "(the initiator's public key is not a peer here)";
    case WG_DROP_KEY_EXPIRED: return "(the session is past REJECT_AFTER_TIME or its message limit)";
    case WG_DROP_NOT_ALLOWED_IP: return "(the inner source is not in the peer's allowed-ips)";
    case WG_DROP_NO_PEER_FOR_DST: return "(no peer's allowed-ips cover the destination)";
    case WG_DROP_NO_ENDPOINT: return "(the peer has no endpoint)";
    case WG_DROP_SEND_FAILED: return "(the host refused the send: see its error above)";
    case WG_DROP_HANDSHAKE_GAVE_UP: return "(queued while handshaking; dropped on giving up)";
    case WG_DROP_DEVICE_DOWN: return "(the WireGuard interface is down)";
    default: return NULL;
    }
}

/* Drops of packets on their way to a peer (wgnode/wgnode.h marks them
 * "outbound"; send-failed and gave-up are also about packets to send). */
static bool drop_is_outbound(wg_drop_reason r)
{
    return r == WG_DROP_NO_PEER_FOR_DST || r == WG_DROP_NO_ENDPOINT || r == WG_DROP_SEND_FAILED ||
           r == WG_DROP_QUEUE_FULL || r == WG_DROP_HANDSHAKE_GAVE_UP;
}

static void wg_line(tl_builder *b, const sim_event_rec *ev, const char *node)
{
    hs_world *hw = b->hw;
    int ni = hs_world_node_of(hw, ev->node);
    int wi = hs_world_wg_of_ifindex(hw, ni, ev->ifindex);
    char pn[80], ep[WG_IP_STRLEN], src[WG_IP_STRLEN];
    const char *wgname = (ni >= 0 && wi >= 0) ? hw->s->nodes[ni].wg[wi].name : "wg";
    hs_world_peer_name(hw, ni, wi, ev->wg.peer_id, pn, sizeof pn);
    const wg_event *w = &ev->wg;
    char *d;
    switch (w->kind) {
    case WG_EV_HANDSHAKE_INITIATION_SENT:
        d = sent_detail(b, ev, WG_MSG_INITIATION);
        add(b, ev->t, node, "wg", hs_strdup_printf("%s peer %s: handshake initiation %s", wgname, pn, d));
        free(d);
        break;
    case WG_EV_HANDSHAKE_RESPONSE_SENT:
        d = sent_detail(b, ev, WG_MSG_RESPONSE);
        add(b, ev->t, node, "wg", hs_strdup_printf("%s peer %s: handshake response %s", wgname, pn, d));
        free(d);
        break;
    case WG_EV_HANDSHAKE_COMPLETE:
        add(b, ev->t, node, "wg",
            hs_strdup_printf("%s peer %s: handshake complete (as %s)", wgname, pn, w->initiator ? "initiator" : "responder"));
        break;
    case WG_EV_HANDSHAKE_GAVE_UP:
        add(b, ev->t, node, "wg",
            hs_strdup_printf("%s peer %s: gave up handshaking (REKEY_ATTEMPT_TIME), queued packets dropped", wgname, pn));
        break;
    case WG_EV_COOKIE_REPLY_SENT:
        add_rep(b, ev->t, node, "wg", hs_strdup_printf("%s: cookie reply sent (under load)", wgname));
        break;
    case WG_EV_COOKIE_REPLY_RECEIVED:
        add_rep(b, ev->t, node, "wg", hs_strdup_printf("%s peer %s: cookie reply received", wgname, pn));
        break;
    case WG_EV_KEEPALIVE_SENT: break; /* periodic; the trace has them */
    case WG_EV_TIMER_FIRED:
        /* Retries for a peer without an endpoint cannot leave the node:
         * they are one repeating story, collapsed like a repeated drop.
         * With an endpoint each retry stays on its own line, next to the
         * initiation (and its source) it caused. */
        if (w->timer == WG_TIMER_RETRANSMIT_HANDSHAKE || w->timer == WG_TIMER_NEW_HANDSHAKE)
            (w->endpoint.ip.family ? add : add_rep)(b, ev->t, node, "timer",
                hs_strdup_printf("%s peer %s: %s timer fired%s", wgname, pn, wg_timer_name(w->timer),
                                 w->timer == WG_TIMER_NEW_HANDSHAKE ? " (data sent, nothing received for 15 s)"
                                 : w->endpoint.ip.family           ? " (no response to the initiation)"
                                                                   : " (the peer still has no endpoint)"));
        else if (w->timer == WG_TIMER_ZERO_KEYS)
            add(b, ev->t, node, "timer", hs_strdup_printf("%s peer %s: keys zeroed after 540 s", wgname, pn));
        break;
    case WG_EV_ENDPOINT_CHANGED:
        add(b, ev->t, node, "endpoint",
            hs_strdup_printf("%s peer %s: endpoint is now %s", wgname, pn, wg_endpoint_format(&w->endpoint, ep)));
        break;
    case WG_EV_SOURCE_LEARNED:
        add(b, ev->t, node, "source",
            hs_strdup_printf("%s peer %s: learned local address %s (replies will leave from it)", wgname, pn,
                             wg_ip_format(&w->source.addr, src)));
        break;
    case WG_EV_SOURCE_CLEARED:
        add(b, ev->t, node, "source",
            hs_strdup_printf("%s peer %s: learned local address cleared (the kernel will choose the source)", wgname,
                             pn));
        break;
    case WG_EV_SEND_ERROR:
        /* wgnode's transmit() reports a peer without an endpoint as an
         * unreachable send with no endpoint in the event: say so, rather
         * than "to none failed (unreachable)". */
        if (!w->endpoint.ip.family)
            add_rep(b, ev->t, node, "drop",
                    hs_strdup_printf("%s peer %s: %s not sent: no endpoint (none configured, none learned yet)", wgname,
                                     pn, wg_msg_type_name(w->msg_type, false)));
        else
            add_rep(b, ev->t, node, "drop",
                    hs_strdup_printf("%s peer %s: sending %s to %s failed (%s)", wgname, pn,
                                     wg_msg_type_name(w->msg_type, false), wg_endpoint_format(&w->endpoint, ep),
                                     w->send_result == WG_SEND_EADDRNOTAVAIL ? "EADDRNOTAVAIL: source address gone"
                                     : w->send_result == WG_SEND_UNREACHABLE ? "unreachable"
                                                                              : "error"));
        break;
    case WG_EV_PACKET_DROPPED: {
        /* An outbound drop carries the peer's endpoint (or none): it is a
         * packet for the peer, not one from that address. */
        const char *why = drop_meaning(w->drop);
        if (drop_is_outbound(w->drop) && w->peer_id >= 0)
            add_rep(b, ev->t, node, "drop",
                    hs_strdup_printf("%s peer %s: dropped an outgoing packet: %s%s%s", wgname, pn,
                                     wg_drop_reason_name(w->drop), why ? " " : "", why ? why : ""));
        else if (w->endpoint.ip.family)
            add_rep(b, ev->t, node, "drop",
                    hs_strdup_printf("%s: dropped a packet from %s: %s%s%s", wgname, wg_endpoint_format(&w->endpoint, ep),
                                     wg_drop_reason_name(w->drop), why ? " " : "", why ? why : ""));
        else
            add_rep(b, ev->t, node, "drop",
                    hs_strdup_printf("%s: dropped a packet: %s%s%s", wgname, wg_drop_reason_name(w->drop), why ? " " : "",
                                     why ? why : ""));
        break;
    }
    case WG_EV_KEYS_ZEROED:
        add(b, ev->t, node, "wg", hs_strdup_printf("%s peer %s: session keys zeroed", wgname, pn));
        break;
    case WG_EV_KEY_ROTATED:
        add(b, ev->t, node, "wg", hs_strdup_printf("%s peer %s: new session key in use", wgname, pn));
        break;
    case WG_EV_UNDER_LOAD:
        add(b, ev->t, node, "wg",
            hs_strdup_printf("%s: under load (%d handshake messages queued, held 1 s): mac2 required, cookie "
                             "replies sent, initiations rate-limited per source",
                             wgname, WG_UNDER_LOAD_QUEUE_LEN));
        break;
    default: break;
    }
}

static const char *node_name(hs_world *hw, int id)
{
    const sim_node *n = id >= 0 ? sim_world_node_at(hw->w, (size_t)id) : NULL;
    return n ? sim_node_name(n) : "";
}

/* Event texts start with the node name; the timeline has its own column. */
static const char *strip_node(const char *text, const char *node)
{
    size_t l = strlen(node);
    if (l && !strncmp(text, node, l) && (text[l] == ' ' || text[l] == '/' || text[l] == ':'))
        return text[l] == ' ' ? text + l + 1 : text + l + (text[l] == ':' ? 2 : 1);
    return text;
}

/* ---- pf states and NAT, from the change log (state as of T) ---- */

/* A line to tell: a state's creation (or import) or its end. */
typedef struct pf_item {
    sim_time t;
    uint32_t state; /* index in the log */
    bool end;
} pf_item;

static int pf_item_cmp(const void *a, const void *b)
{
    const pf_item *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->state != y->state)
        return x->state < y->state ? -1 : 1;
    return (int)x->end - (int)y->end;
}

/* "udp 10.0.0.5:51820 -> 192.0.2.10:51820"; ICMP echo: "icmp 10.0.0.1 -> 10.0.0.2 id 22272" */
static char *flow(uint8_t proto, const wg_endpoint *src, const wg_endpoint *dst)
{
    char a[WG_IP_STRLEN + 8], c[WG_IP_STRLEN + 8];
    if (proto == SIM_IPPROTO_ICMP)
        return hs_strdup_printf("icmp %s -> %s id %u", wg_ip_format(&src->ip, a), wg_ip_format(&dst->ip, c), src->port);
    return hs_strdup_printf("%s %s -> %s", proto == SIM_IPPROTO_UDP ? "udp" : "other", wg_endpoint_format(src, a),
                            wg_endpoint_format(dst, c));
}

static char *side(uint8_t proto, const wg_endpoint *e)
{
    char a[WG_IP_STRLEN + 8];
    if (proto == SIM_IPPROTO_ICMP)
        return hs_strdup_printf("%s id %u", wg_ip_format(&e->ip, a), e->port);
    return strdup(wg_endpoint_format(e, a));
}

/* The state as one phrase: "wan out udp 10.0.0.5:51820 -> 192.0.2.10:51820 as 198.51.100.2:51820". */
static char *state_phrase(const sim_hist_pf_state *s)
{
    const sim_fw_state_info *i = &s->info;
    char *f = flow(i->proto, &i->src, &i->dst);
    char *x = NULL;
    if (i->translated && i->outbound)
        x = side(i->proto, &i->nat_src);
    else if (i->translated)
        x = side(i->proto, &s->nat_dst);
    char *p = hs_strdup_printf("%s %s %s%s%s", i->ifname[0] ? i->ifname : "(floating)", i->outbound ? "out" : "in", f,
                               x ? (i->outbound ? " as " : " to ") : "", x ? x : "");
    free(f);
    free(x);
    return p;
}

/* "rule: LABEL", or why there is none */
static char *state_rule(const sim_hist_pf_state *s)
{
    if (s->nat_rule && s->info.translated)
        return hs_strdup_printf("rule: %s", s->nat_rule);
    if (s->rule)
        return hs_strdup_printf("rule: %s", s->rule);
    return strdup(s->info.outbound ? "no rule: outbound passes by default" : "no rule");
}

static void pf_line(tl_builder *b, const pf_item *it)
{
    hs_world *hw = b->hw;
    sim_hist_pf_state s;
    if (!sim_history_pf_at(hw->w, it->state, &s))
        return;
    const char *nn = node_name(hw, s.node);
    char *ph = state_phrase(&s), *rule = state_rule(&s);
    if (it->end) {
        b->fields = hs_pf_state_fields(hw, &s, sim_pf_end_name(s.end_kind), &b->n_fields);
        add(b, it->t, nn, "pf",
            hs_strdup_printf("pf state %s: %s (created at %.3fs)",
                             s.end_kind == SIM_PF_END_FLUSHED ? "flushed (power-off)" : sim_pf_end_name(s.end_kind), ph,
                             (double)s.created / 1e9));
    } else if (s.info.from_pfsync) {
        b->fields = hs_pf_state_fields(hw, &s, "imported", &b->n_fields);
        add(b, it->t, nn, "pf",
            hs_strdup_printf("pf state imported from %s by pfsync: %s (%s)", node_name(hw, s.from_node), ph, rule));
    } else if (s.info.translated) {
        /* the translation pf applies to this flow's packets from now on:
         * one line per flow, not per packet */
        const sim_fw_state_info *i = &s.info;
        char *f = flow(i->proto, &i->src, &i->dst);
        char *x = side(i->proto, i->outbound ? &i->nat_src : &s.nat_dst);
        b->fields = hs_pf_state_fields(hw, &s, "nat", &b->n_fields);
        add(b, it->t, nn, "nat",
            hs_strdup_printf("%s %s: %s %s %s (%s)", i->outbound ? "nat" : "rdr",
                             i->ifname[0] ? i->ifname : "(floating)", f, i->outbound ? "as" : "to", x, rule));
        free(f);
        free(x);
    } else {
        b->fields = hs_pf_state_fields(hw, &s, "created", &b->n_fields);
        add(b, it->t, nn, "pf", hs_strdup_printf("pf state created: %s (%s)", ph, rule));
    }
    free(ph);
    free(rule);
}

/* Every creation, import and end of a pf state the log holds, in time order. */
static pf_item *pf_items(hs_world *hw, size_t *n_out)
{
    size_t n = sim_history_records(hw->w, SIM_HIST_PF), k = 0;
    pf_item *v = n ? calloc(2 * n, sizeof *v) : NULL;
    for (size_t i = 0; v && i < n; i++) {
        sim_hist_pf_state s;
        if (!sim_history_pf_at(hw->w, i, &s))
            continue;
        v[k++] = (pf_item){s.created, (uint32_t)i, false};
        if (s.end_kind != SIM_PF_END_NONE)
            v[k++] = (pf_item){s.end, (uint32_t)i, true};
    }
    if (v)
        qsort(v, k, sizeof *v, pf_item_cmp);
    *n_out = k;
    return v;
}

/* The timeline commands run at or before t (*ci: the next one to tell). */
static void commands_until(tl_builder *b, size_t *ci, sim_time t)
{
    hs_world *hw = b->hw;
    while (*ci < hw->n_cmds && hw->cmds[*ci].t <= t) {
        const hs_cmd_log *c = &hw->cmds[(*ci)++];
        const char *nn = c->node >= 0 ? hw->s->nodes[c->node].name : "";
        add(b, c->t, nn, "command",
            c->error[0] ? hs_strdup_printf("%s  (FAILED: %s)", c->text, c->error) : strdup(c->text));
    }
}

void hs_timeline_build(hs_world *hw, hs_result *r)
{
    tl_builder b = {.hw = hw, .r = r};
    size_t ne = sim_event_count(hw->w), ci = 0, n_pf = 0, pi = 0;
    pf_item *pf = pf_items(hw, &n_pf);
    for (size_t i = 0; i <= ne; i++) {
        const sim_event_rec *ev = i < ne ? sim_event_at(hw->w, i) : NULL;
        /* pf lines before this event: those of earlier instants (at the
         * same instant the events come first: the packet, then its state) */
        while (pi < n_pf && (!ev || pf[pi].t < ev->t)) {
            commands_until(&b, &ci, pf[pi].t);
            pf_line(&b, &pf[pi++]);
        }
        /* commands at or before this event's time come first */
        commands_until(&b, &ci, ev ? ev->t : SIM_TIME_NEVER);
        if (!ev)
            break;
        const char *nn = node_name(hw, ev->node);
        const char *txt = strip_node(ev->text, nn);
        switch (ev->kind) {
        case SIM_EV_WG: wg_line(&b, ev, nn); break;
        case SIM_EV_POWER: add(&b, ev->t, nn, "power", strdup(txt)); break;
        case SIM_EV_LINK: add(&b, ev->t, nn, "link", strdup(txt)); break;
        case SIM_EV_ADDR:
        case SIM_EV_ROUTE:
            if (ev->t > 0)
                add(&b, ev->t, nn, ev->kind == SIM_EV_ADDR ? "address" : "route", strdup(txt));
            break;
        case SIM_EV_DROP:
            /* a tunnel drop (sim/wg/wg_host.c flush_inner) repeats the device's
             * own drop event, which wg_line tells with the peer's name */
            if (ev->drop != SIM_DROP_TUNNEL) {
                b.fields = hs_drop_fields(hw, ev, &b.n_fields);
                add_rep(&b, ev->t, nn, "drop", strdup(txt));
            }
            break;
        case SIM_EV_PING: add_rep(&b, ev->t, nn, "ping", strdup(txt)); break;
        case SIM_EV_ARP:
            if (ev->t > 0 && (strstr(ev->text, "gratuitous") || strstr(ev->text, "unresolved")))
                add_rep(&b, ev->t, nn, "arp", strdup(txt));
            break;
        case SIM_EV_MODEL:
            /* a pfsync message that changed nothing here is not part of the story */
            if (!strcmp(ev->model, "pfsync") && strstr(ev->text, " 0 states imported, 0 skipped"))
                break;
            /* "ip": fragmentation and reassembly, once per datagram; a
             * tunnel's ICMP host unreachable repeats with every packet of the flow */
            if (strstr(ev->text, "advertisement dropped") || !strcmp(ev->model, "pfsync") || !strcmp(ev->model, "ip") ||
                (!strcmp(ev->model, "wg") && strstr(ev->text, "ICMP host unreachable")))
                add_rep(&b, ev->t, nn, ev->model, strdup(txt));
            else
                add(&b, ev->t, nn, ev->model[0] ? ev->model : "model", strdup(txt));
            break;
        default: break;
        }
    }
    for (size_t i = 0; i < b.n_rep; i++)
        flush_rep(&b, &b.rep[i]);
    hs_fields_free(b.reason, b.n_reason);
    hs_fields_free(b.fields, b.n_fields);
    free(pf);
}
