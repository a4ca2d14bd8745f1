/*
 * runner_internal.h — what the runner's files share: the built world with
 * its scenario-index -> simulator-object maps (build.c), the command log
 * (execute.c), the expectation samplers (expect.c) and the timeline
 * renderer (timeline.c). Not part of the public API.
 */
#ifndef HARNESS_RUNNER_INTERNAL_H
#define HARNESS_RUNNER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/runner.h"

/* A command the timeline (or the shell) ran: for the timeline. */
typedef struct hs_cmd_log {
    sim_time t;
    int node;        /* scenario node index, -1 if unknown */
    char text[160];  /* canonical command text */
    char error[160]; /* "" when it succeeded */
} hs_cmd_log;

/* Per-expectation evaluation state (sampled kinds). */
typedef struct hs_exp_state {
    bool sampled;         /* at least one sample taken */
    bool failed;
    sim_time fail_t;      /* first failing sample */
    double value;         /* last observed number (NaN if none) */
    char observed[384];   /* at the first failure, else the last sample */
    /* the evidence of the first failure, taken when it was sampled (the
     * state at that instant, not at the end of the run) */
    char **evidence;
    size_t n_evidence;
} hs_exp_state;

struct hs_world {
    const hs_scenario *s;
    hs_run_options opt;
    sim_world *w;
    sim_engine *engine;        /* owned when not the world's default */
    sim_segment **segs;        /* [segment index] */
    sim_node **nodes;          /* [node index] */
    sim_fw **fws;              /* [node index], NULL for nodes without firewall models */
    sim_wg ***wgs;             /* [node index][wireguard index] */
    int ***peer_ids;           /* [node][wg][peer] -> the device's peer id, -1 if refused */
    sim_ping **pings;          /* [traffic index] */
    hs_cmd_log *cmds;
    size_t n_cmds, cap_cmds;
    bool run_error;            /* a timeline command failed */
    char run_error_text[512];
    hs_exp_state *exp;         /* [expectation index] */
    struct hs_sample_ev *samples; /* scheduled samples (freed with the world) */
    size_t n_samples;
    struct hs_event_ev *events;   /* scheduled timeline commands */
    struct hs_power_ev *power;    /* [node index]: the power-on a `reboot N DOWNTIME` scheduled */
    struct needs *needs;          /* which capture points the record keeps (record_needs.c) */
    uint64_t wg_datagrams;        /* WireGuard datagrams nodes sent (counted as they leave) */
};

/* build.c */
int hs_world_node_of(const hs_world *hw, int id);   /* scenario index or -1 */
/* The scenario peer (index in s->nodes[node].wg[wg].peers) of a device peer id, or -1. */
int hs_world_peer_index(const hs_world *hw, int node, int wg, int peer_id);
/* The wireguard index on node of the tunnel interface ifindex, or -1. */
int hs_world_wg_of_ifindex(const hs_world *hw, int node, uint32_t ifindex);
/* A name for a peer: the scenario's peer name (or node), else "peer N". */
const char *hs_world_peer_name(const hs_world *hw, int node, int wg, int peer_id, char *buf, size_t len);

/* record_needs.c: the capture points this run reads (all with record_all) */
void hs_record_select(hs_world *hw);
void hs_record_needs_free(hs_world *hw);

/* execute.c */
void hs_schedule_events(hs_world *hw);

/* expect.c */
void hs_expect_schedule(hs_world *hw);
/* Fills r->expects from the run (call after the world ran to the end). */
void hs_expect_evaluate(hs_world *hw, hs_result *r);

/* timeline.c */
void hs_timeline_build(hs_world *hw, hs_result *r);
/* One packet trace record as a line: "fw1/wan out 198.51.100.2:51820 -> 192.0.2.10:51820
 * wg handshake-initiation [source: ...]" (no time). */
char *hs_format_packet(const hs_world *hw, const sim_trace_rec *rec);

/* reason_fields.c: a source reason as named fields (NULL, 0 for none) */
hs_field *hs_reason_fields(const hs_world *hw, const sim_src_reason *r, size_t *n_out);
/* A pf state's timeline line (what: "created", "imported", "nat", or how it
 * ended) and a drop event, as named fields. */
hs_field *hs_pf_state_fields(const hs_world *hw, const sim_hist_pf_state *s, const char *what, size_t *n_out);
hs_field *hs_drop_fields(const hs_world *hw, const sim_event_rec *ev, size_t *n_out);

/* result.c helpers */
char *hs_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hs_result_add_line(hs_expect_result *e, int64_t t, char *text_owned);

#endif /* HARNESS_RUNNER_INTERNAL_H */
