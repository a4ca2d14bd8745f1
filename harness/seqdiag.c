/*
 * seqdiag.c — what the HTML report's packet sequence diagram draws
 * (docs/reports.md, "HTML report"): `wgsim test` keeps no packet list, so
 * the runner keeps a compact one as the run goes, from the frames the run
 * streams (record_needs.c watches the interfaces of WireGuard nodes, in):
 * every WireGuard handshake message (initiation, response, cookie reply;
 * transport data is the timeline's) a node received from another node
 * and addressed to itself, with
 *   - the source as it arrived (after any NAT on the way): the address the
 *     receiver's WireGuard sees, and may roam to;
 *   - the source reason the frame carries (set where it was built, kept
 *     when forwarded, amended by a NAT on the way), whole;
 *   - the endpoint the receiver's configuration has for the sending peer
 *     (sim_wg_configured_endpoint: the scenario's `endpoint:` or a later
 *     set-endpoint), found by the sender's public key among the receiving
 *     device's peers. It is what the diagram calls the expected address;
 *     nothing of the scenario's expectations is read.
 * At most HS_SEQ_MAX messages are kept, the rest counted: memory does not
 * grow with the run.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/internal.h"
#include "harness/runner_internal.h"

typedef struct hs_seq_acc {
    hs_seq q;
    size_t cap;
    int *lane;          /* [scenario node] -> lane, -1 none yet */
} hs_seq_acc;

void hs_seq_start(hs_world *hw)
{
    hs_seq_acc *a = hs_xcalloc(1, sizeof *a, "the sequence diagram's messages");
    a->lane = hs_xcalloc(hw->s->n_nodes, sizeof *a->lane, "the sequence diagram's messages");
    for (size_t i = 0; i < hw->s->n_nodes; i++)
        a->lane[i] = -1;
    hw->seq = a;
}

static size_t lane_of(hs_world *hw, int node)
{
    hs_seq_acc *a = hw->seq;
    if (a->lane[node] < 0) {
        char **v = realloc(a->q.lanes, (a->q.n_lanes + 1) * sizeof *v);
        if (!v)
            sim_oom("the sequence diagram's messages");
        a->q.lanes = v;
        v[a->q.n_lanes] = hs_strdup_printf("%s", hw->s->nodes[node].name);
        a->lane[node] = (int)a->q.n_lanes++;
    }
    return (size_t)a->lane[node];
}

/* The receiver's configured endpoint of the peer that sent the message:
 * the sending node's WireGuard interface whose key is one of the receiving
 * device's peers. NULL: not a peer, or no endpoint configured. */
static char *expected_endpoint(const hs_world *hw, int node, int wg, int origin)
{
    wg_device *rx = sim_wg_device(hw->wgs[node][wg]);
    if (!rx)
        return NULL;
    for (size_t j = 0; j < hw->s->nodes[origin].n_wg; j++) {
        wg_device *tx = hw->wgs[origin][j] ? sim_wg_device(hw->wgs[origin][j]) : NULL;
        if (!tx)
            continue;
        uint8_t key[WG_KEY_LEN];
        wg_device_public_key(tx, key);
        int peer = wg_device_find_peer(rx, key);
        if (peer < 0)
            continue;
        wg_endpoint ep;
        if (!sim_wg_configured_endpoint(hw->wgs[node][wg], peer, &ep))
            return NULL;
        char b[WG_IP_STRLEN + 8];
        return hs_strdup_printf("%s", wg_endpoint_format(&ep, b));
    }
    return NULL;
}

void hs_seq_frame(hs_world *hw, const hs_frame *f)
{
    hs_seq_acc *a = hw->seq;
    const sim_trace_rec *r = f->r;
    if (!a || r->dir != SIM_DIR_IN || r->proto != SIM_IPPROTO_UDP || r->wg_type < WG_MSG_INITIATION ||
        r->wg_type > WG_MSG_COOKIE_REPLY || f->node < 0 || f->origin < 0 || f->origin == f->node)
        return;
    /* for this node's WireGuard: its listen port, one of its addresses
     * (a router with WireGuard forwards other nodes' handshakes too) */
    const hs_node *n = &hw->s->nodes[f->node];
    int wg = -1;
    for (size_t j = 0; wg < 0 && j < n->n_wg; j++)
        if (n->wg[j].listen_port == r->dport && hw->wgs[f->node][j])
            wg = (int)j;
    if (wg < 0 || !sim_node_find_addr(hw->nodes[f->node], &r->dst, NULL))
        return;
    if (a->q.n_msgs == HS_SEQ_MAX) {
        a->q.dropped++;
        return;
    }
    if (a->q.n_msgs == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        hs_seq_msg *v = realloc(a->q.msgs, a->cap * sizeof *v);
        if (!v)
            sim_oom("the sequence diagram's messages");
        a->q.msgs = v;
    }
    char b[WG_IP_STRLEN + 8];
    wg_endpoint src = {r->src, r->sport};
    hs_seq_msg *m = &a->q.msgs[a->q.n_msgs++];
    m->t = r->t;
    m->from = lane_of(hw, f->origin);
    m->to = lane_of(hw, f->node);
    m->type = (int)r->wg_type;
    m->src = hs_strdup_printf("%s", wg_endpoint_format(&src, b));
    m->expected = expected_endpoint(hw, f->node, wg, f->origin);
    m->reason = r->reason ? sim_src_reason_text(hw->w, r->reason) : NULL;
    if (r->reason && !m->reason)
        sim_oom("the sequence diagram's messages"); /* sim_src_reason_text: NULL only when out of memory */
}

bool hs_seq_wrong(const hs_seq_msg *m)
{
    return m->expected && strcmp(m->expected, m->src) != 0;
}

void hs_seq_result(hs_world *hw, hs_result *r)
{
    if (!hw->seq)
        return;
    r->seq = hw->seq->q;
    memset(&hw->seq->q, 0, sizeof hw->seq->q);
    hs_seq_free_world(hw);
}

void hs_seq_free(hs_seq *q)
{
    for (size_t i = 0; i < q->n_lanes; i++)
        free(q->lanes[i]);
    free(q->lanes);
    for (size_t i = 0; i < q->n_msgs; i++) {
        free(q->msgs[i].src);
        free(q->msgs[i].expected);
        free(q->msgs[i].reason);
    }
    free(q->msgs);
    memset(q, 0, sizeof *q);
}

void hs_seq_free_world(hs_world *hw)
{
    if (!hw->seq)
        return;
    hs_seq_free(&hw->seq->q);
    free(hw->seq->lane);
    free(hw->seq);
    hw->seq = NULL;
}
