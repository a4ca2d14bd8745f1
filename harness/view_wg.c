/*
 * view_wg.c — `show peers NODE [PEER]`: every WireGuard interface of NODE
 * and its peers by their scenario names, as the device holds them now
 * (wg_device_peer_info, what `wg show` prints): endpoint, the learned
 * local address replies leave from, the last handshake (time and age),
 * completed handshakes, rx/tx bytes and the current keypair's age.
 */
#include <stdio.h>
#include <string.h>

#include "harness/view_internal.h"

#define PEERS_USAGE "show peers NODE [PEER]"

bool view_peers(hs_view_ctx *v)
{
    int node = view_node_arg(v, 2, PEERS_USAGE);
    if (node < 0)
        return false;
    const hs_node *hn = &v->s->nodes[node];
    if (hn->n_wg == 0 || !v->hw->wgs[node])
        return view_fail(v, v->col[2], "node '%s' has no WireGuard interface", hn->name);
    int only_wg = -1, only_peer = -1;
    if (v->n > 3 && (!view_peer_arg(v, node, 3, &only_wg, &only_peer) || !view_no_more(v, 3)))
        return false;
    if (v->check)
        return true;
    static const char *const head[] = {"INTERFACE", "PEER", "ENDPOINT", "LOCAL", "HANDSHAKE", "AGE",
                                       "HANDSHAKES", "RX", "TX", "KEY AGE"};
    view_table t;
    view_table_init(&t, 10, head);
    for (size_t j = 0; j < hn->n_wg; j++) {
        sim_wg *h = v->hw->wgs[node][j];
        if (!h || (only_wg >= 0 && (int)j != only_wg))
            continue;
        for (size_t k = 0; k < hn->wg[j].n_peers; k++) {
            if (only_peer >= 0 && (int)k != only_peer)
                continue;
            int id = v->hw->peer_ids[node][j][k];
            wg_peer_info pi;
            if (id < 0 || !wg_device_peer_info(sim_wg_device(h), id, &pi))
                continue;
            char name[HS_NAME_MAX + 16], ep[WG_IP_STRLEN + 8], src[WG_IP_STRLEN], hs[32] = "never", age[32] = "-",
                 key[32] = "-";
            hs_world_peer_name(v->hw, node, (int)j, id, name, sizeof name);
            if (pi.last_handshake != WG_TIME_NEVER) {
                view_time(pi.last_handshake, hs, sizeof hs);
                view_age(v, pi.last_handshake, age, sizeof age);
            }
            if (pi.has_current_key)
                view_age(v, pi.current_key_birth, key, sizeof key);
            view_table_row(&t);
            view_table_cell(&t, "%s", hn->wg[j].name);
            view_table_cell(&t, "%s", name);
            view_table_cell(&t, "%s", pi.has_endpoint ? wg_endpoint_format(&pi.endpoint, ep) : "(none)");
            view_table_cell(&t, "%s", pi.learned_source.addr.family ? wg_ip_format(&pi.learned_source.addr, src) : "-");
            view_table_cell(&t, "%s", hs);
            view_table_cell(&t, "%s", age);
            view_table_cell(&t, "%llu", (unsigned long long)pi.handshakes);
            view_table_cell(&t, "%llu", (unsigned long long)pi.rx_bytes);
            view_table_cell(&t, "%llu", (unsigned long long)pi.tx_bytes);
            view_table_cell(&t, "%s", key);
        }
    }
    view_table_print(&t, v->out, "");
    return true;
}
