/*
 * history.h — how the models feed the change log behind "state as of T"
 * (sim/record/history.c; the queries are in sim/sim.h). Internal to sim/.
 *
 * Every call is a no-op while its class is off or the world is being
 * freed. Rows (a CARP vhid, a peer, a route, a gateway, an ARP entry) are
 * compared with the last value logged for them: a call that changes
 * nothing appends nothing, so callers may report after every operation
 * that could have changed a row.
 */
#ifndef SIM_RECORD_HISTORY_H
#define SIM_RECORD_HISTORY_H

#include "sim/net/net.h"

typedef struct sim_history sim_history;
void sim_record_history_init(sim_world *w);

/* A new pf state, as the firewall saw it created or imported. */
typedef struct sim_hist_pf_new {
    int node;
    uint32_t creatorid;    /* pf's host id of the node that created it */
    const char *ifname;    /* "" or NULL: floating */
    const char *rule, *nat_rule;
    uint8_t proto;
    bool outbound, imported;
    uint32_t wire_addr[2], stack_addr[2]; /* pf key orientation: [0] remote, [1] local */
    uint16_t wire_port[2], stack_port[2];
    sim_time end;          /* its deadline now */
} sim_hist_pf_new;
/* Node a's pfsync peer is b (and b's is a): where its imported states came from. */
void sim_hist_pfsync_pair(sim_world *w, int a, int b);
/* Returns the state's log id (0 when pf history is off). */
uint32_t sim_hist_pf_add(sim_world *w, const sim_hist_pf_new *s);
/* The state was updated: its deadline is now `end` (kept in place). */
void sim_hist_pf_deadline(sim_world *w, uint32_t id, sim_time end);
/* It stopped matching at `end` (<= now) for `why`. */
void sim_hist_pf_ended(sim_world *w, uint32_t id, sim_time end, sim_pf_end why);

void sim_hist_log_carp(sim_world *w, int node, const sim_fw_carp_info *ci);
/* pi NULL: the peer is gone. */
void sim_hist_log_wg(sim_world *w, int node, uint32_t ifindex, int peer_id, const wg_peer_info *pi);
/* r NULL: the route of dst was deleted. */
void sim_hist_log_route(sim_world *w, int node, const wg_prefix *dst, const sim_route *r);
void sim_hist_log_gateway(sim_world *w, int node, const char *name, const sim_fw_gateway_info *gi);
/* e NULL: the entry was deleted. */
void sim_hist_log_arp(sim_world *w, int node, uint32_t ifindex, const wg_ip *ip, const sim_arp_entry *e);
/* Is the class on? (callers skip building a row's value when not) */
bool sim_hist_on(const sim_world *w, sim_hist_class c);

void sim_history_free(sim_world *w);

#endif /* SIM_RECORD_HISTORY_H */
