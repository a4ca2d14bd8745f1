/*
 * view_pf.c — `show states NODE`: the pf states live on NODE now, from the
 * change log's pf entries (sim_history_pf_states at now: the live table
 * plus what the log adds — the rule and NAT rule labels and where a state
 * came from, created here or imported via pfsync from the peer), in
 * creation order: interface, direction, key, translation, rule, origin,
 * age and expiry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/view_internal.h"

static const char *proto(uint8_t p)
{
    return p == SIM_IPPROTO_UDP ? "udp" : p == SIM_IPPROTO_ICMP ? "icmp" : p == 6 ? "tcp" : "ip";
}

bool view_states(hs_view_ctx *v)
{
    int node = view_node_arg(v, 2, "show states NODE");
    if (node < 0 || !view_no_more(v, 2))
        return false;
    if (!view_fw(v, node))
        return view_fail(v, v->col[2], "node '%s' has no pf (no firewall, NAT or filter)", v->words[2]);
    if (!sim_history_enabled(v->w, SIM_HIST_PF))
        return view_fail(v, v->col[1], "pf states are not recorded in this run (the change log's pf class is off)");
    if (v->check)
        return true;
    sim_hist_pf_state *st = NULL;
    size_t n = sim_history_pf_states(v->w, node, v->now, &st);
    static const char *const head[] = {"INTERFACE", "DIR", "STATE", "TRANSLATION", "RULE", "ORIGIN", "AGE",
                                       "EXPIRES IN"};
    view_table t;
    view_table_init(&t, 8, head);
    for (size_t i = 0; i < n; i++) {
        const sim_hist_pf_state *s = &st[i];
        const sim_fw_state_info *in = &s->info;
        char a[WG_IP_STRLEN + 8], b[WG_IP_STRLEN + 8], c[WG_IP_STRLEN + 8], age[32], exp[32];
        char nat[160] = "-", origin[HS_NAME_MAX + 32] = "created here";
        if (in->translated) {
            /* outbound NAT rewrites the initiator; rdr and mappings the responder (nat_dst) */
            if (!wg_endpoint_eq(&in->src, &in->nat_src))
                snprintf(nat, sizeof nat, "src -> %s%s%s", wg_endpoint_format(&in->nat_src, a),
                         s->nat_rule ? " by " : "", s->nat_rule ? s->nat_rule : "");
            else
                snprintf(nat, sizeof nat, "dst %s -> %s%s%s", wg_endpoint_format(&in->dst, a),
                         wg_endpoint_format(&s->nat_dst, b), s->nat_rule ? " by " : "", s->nat_rule ? s->nat_rule : "");
        }
        if (in->from_pfsync) {
            int from = hs_world_node_of(v->hw, s->from_node);
            snprintf(origin, sizeof origin, "pfsync from %s", from >= 0 ? v->s->nodes[from].name : "?");
        }
        view_table_row(&t);
        view_table_cell(&t, "%s", in->ifname[0] ? in->ifname : "(floating)");
        view_table_cell(&t, "%s", in->outbound ? "out" : "in");
        view_table_cell(&t, "%s %s -> %s", proto(in->proto), wg_endpoint_format(&in->src, b),
                        wg_endpoint_format(&in->dst, c));
        view_table_cell(&t, "%s", nat);
        view_table_cell(&t, "%s", s->rule ? s->rule : "(implicit)");
        view_table_cell(&t, "%s", origin);
        view_table_cell(&t, "%s", view_age(v, s->created, age, sizeof age));
        view_table_cell(&t, "%s", view_time(s->end > v->now ? s->end - v->now : 0, exp, sizeof exp));
    }
    free(st);
    if (n == 0) {
        view_table_free(&t);
        fprintf(v->out, "no pf state on %s\n", v->s->nodes[node].name);
        return true;
    }
    view_table_print(&t, v->out, "");
    return true;
}
