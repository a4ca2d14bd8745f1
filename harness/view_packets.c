/*
 * view_packets.c — `packets [N] [FILTER]`: the last N (default 20)
 * packets of the run record that match FILTER, oldest first, each with
 * its record number (what `why` takes), time, capture point, addresses,
 * type, the node that built it and the reason for its source address.
 * FILTER is a packets expectation's filter (hs_packet_filter_parse, the
 * loader's reader) and is matched by the verdicts' matcher
 * (hs_packets_match), so `packets from: fw1 wg: data` lists what
 * `packets: {from: fw1, wg: data}` counts. Needs the whole record
 * (record_all: the explore shell; `wgsim run --show` turns it on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

#define PACKETS_DEFAULT 20
#define PACKETS_MAX 100000

bool view_record_kept(hs_view_ctx *v, int col, const char *what)
{
    if (v->hw->opt.record_all)
        return true;
    return view_fail(v, col,
                     "%s: this run does not keep every packet and event (the explore shell does; "
                     "wgsim run --show keeps them for packets and why)",
                     what);
}

/* "icmp echo-request", "wg handshake-initiation", "udp", "arp who-has";
 * a fragment adds "fragment ID@OFFSET" (+ while more follow), as packet
 * lines write it; a later fragment has no UDP/ICMP header to classify. */
void view_pkt_type(const sim_trace_rec *r, char *buf, size_t len)
{
    bool frag = r->src.family && (r->frag_mf || r->frag_off);
    if (frag && r->frag_off) {
        snprintf(buf, len, "%s fragment %u@%u%s",
                 r->proto == SIM_IPPROTO_UDP ? "udp" : r->proto == SIM_IPPROTO_ICMP ? "icmp" : "ip", r->ip_id,
                 r->frag_off, r->frag_mf ? "+" : "");
        return;
    }
    if (r->arp_op) {
        snprintf(buf, len, "arp %s", r->arp_op == 1 ? "who-has" : "reply");
    } else if (r->proto == SIM_IPPROTO_UDP) {
        if (r->wg_type)
            snprintf(buf, len, "wg %s", wg_msg_type_name(r->wg_type, r->wg_keepalive));
        else
            snprintf(buf, len, "udp");
    } else if (r->proto == SIM_IPPROTO_ICMP) {
        const char *name = NULL;
        for (size_t i = 1; hs_icmp_matches[i].name && !name; i++)
            if (hs_icmp_matches[i].type == r->icmp_type &&
                (hs_icmp_matches[i].code < 0 || hs_icmp_matches[i].code == r->icmp_code))
                name = hs_icmp_matches[i].name;
        if (name)
            snprintf(buf, len, "icmp %s", name);
        else
            snprintf(buf, len, "icmp type %u code %u", r->icmp_type, r->icmp_code);
    } else if (r->src.family) {
        snprintf(buf, len, "proto %u", r->proto);
    } else {
        snprintf(buf, len, "ethertype 0x%04x", r->ethertype);
    }
    if (frag) {
        size_t k = strlen(buf);
        snprintf(buf + k, len > k ? len - k : 0, " fragment %u@0+", r->ip_id);
    }
}

/* "198.51.100.2:51820 -> 192.0.2.10:51820"; ARP: "192.0.2.1 tell 192.0.2.10". */
void view_pkt_addrs(const sim_trace_rec *r, char *buf, size_t len)
{
    char a[WG_IP_STRLEN], b[WG_IP_STRLEN];
    if (r->arp_op)
        snprintf(buf, len, "%s tell %s", wg_ip_format(&r->arp_target, a), wg_ip_format(&r->arp_sender, b));
    else if (!r->src.family)
        snprintf(buf, len, "-");
    else if (r->proto == SIM_IPPROTO_UDP && !r->frag_off) /* a later fragment has no ports */
        snprintf(buf, len, "%s:%u -> %s:%u", wg_ip_format(&r->src, a), r->sport, wg_ip_format(&r->dst, b), r->dport);
    else
        snprintf(buf, len, "%s -> %s", wg_ip_format(&r->src, a), wg_ip_format(&r->dst, b));
}

void view_pkt_point(const hs_view_ctx *v, const sim_trace_rec *r, char *buf, size_t len)
{
    sim_trace_point p;
    if (!sim_trace_point_get(v->w, r->point, &p) || !sim_trace_point_name(v->w, &p, buf, len))
        snprintf(buf, len, "?");
}

const char *view_node_name(const hs_view_ctx *v, int sim_node_id)
{
    int k = hs_world_node_of(v->hw, sim_node_id);
    return k >= 0 ? v->s->nodes[k].name : "?";
}

/* Reads `[N] [FILTER]` from word 1: the count and the filter (all packets
 * at the segments, as a packets expectation without from/to/on). */
static bool read_args(hs_view_ctx *v, size_t *count, hs_expect *e)
{
    size_t i = 1;
    *count = PACKETS_DEFAULT;
    if (i < v->n && strspn(v->words[i], "0123456789") == strlen(v->words[i])) {
        unsigned long long n = strtoull(v->words[i], NULL, 10);
        if (n == 0 || n > PACKETS_MAX)
            return view_fail(v, v->col[i], "packets: N is 1..%d, not %s", PACKETS_MAX, v->words[i]);
        *count = (size_t)n;
        i++;
    }
    memset(e, 0, sizeof *e);
    e->kind = HS_EXP_PACKETS;
    e->u.packets.on = e->u.packets.from = e->u.packets.to = -1;
    if (i < v->n) {
        /* the filter is the rest of the line as written (up to a comment) */
        size_t from = (size_t)v->col[i] - 1;
        size_t to = (size_t)v->col[v->n - 1] - 1 + strlen(v->words[v->n - 1]);
        char *text = strndup(v->line + from, to - from);
        if (!text)
            sim_oom("a packet filter");
        int col = 0;
        char msg[256];
        bool ok = hs_packet_filter_parse(v->s, text, e, msg, sizeof msg, &col);
        free(text);
        if (!ok)
            return view_fail(v, col ? (int)from + col : v->col[i], "packets: %s", msg);
    }
    e->during = true;
    e->from = 0;
    e->to = INT64_MAX;
    return true;
}

bool view_packets(hs_view_ctx *v)
{
    size_t want;
    hs_expect e;
    if (!read_args(v, &want, &e) || !view_record_kept(v, v->col[0], "packets"))
        return false;
    if (v->check)
        return true;
    /* newest first until N match, then printed oldest first */
    size_t *hit = malloc(want * sizeof *hit);
    if (!hit)
        sim_oom("the packets view");
    size_t n = 0;
    for (size_t i = sim_trace_count(v->w); i-- > 0 && n < want;) {
        sim_trace_rec r;
        if (!sim_trace_get(v->w, i, &r))
            continue;
        hs_frame f = hs_frame_of(v->hw, &r);
        if (hs_packets_match(&e, &f))
            hit[n++] = i;
    }
    if (n == 0) {
        free(hit);
        fprintf(v->out, "no packet matches\n");
        return true;
    }
    static const char *const head[] = {"#", "TIME", "POINT", "PACKET", "TYPE", "BUILT BY", "SOURCE REASON"};
    view_table t;
    view_table_init(&t, 7, head);
    while (n-- > 0) {
        sim_trace_rec r;
        sim_trace_get(v->w, hit[n], &r);
        char ts[32], pt[96], addrs[128], type[64];
        view_pkt_point(v, &r, pt, sizeof pt);
        view_pkt_addrs(&r, addrs, sizeof addrs);
        view_pkt_type(&r, type, sizeof type);
        char *why = r.reason && r.src.family ? sim_src_reason_text(v->w, r.reason) : NULL;
        view_table_row(&t);
        view_table_cell(&t, "%zu", hit[n] + 1);
        view_table_cell(&t, "%s", view_time(r.t, ts, sizeof ts));
        view_table_cell(&t, "%s", pt);
        view_table_cell(&t, "%s", addrs);
        view_table_cell(&t, "%s", type);
        view_table_cell(&t, "%s", r.origin_node >= 0 ? view_node_name(v, r.origin_node) : "-");
        view_table_cell(&t, "%s", why ? why : "-");
        free(why);
    }
    free(hit);
    view_table_print(&t, v->out, "");
    return true;
}
