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
    struct needs *needs;          /* which capture points the run reads (record_needs.c) */
    uint64_t wg_datagrams;        /* WireGuard datagrams nodes sent (counted as they leave) */
    /* frames at the capture points packets, endpoint and tunnel
     * expectations and the timeline read (the trace_records counter) */
    uint64_t frames_read;
    struct hs_streams *stream;    /* history expectations as the run goes (expect_stream.c) */
    struct hs_event_streams *evlog; /* what they read of the event log (expect_events.c) */
    struct hs_phases *phases;     /* the phase table as the run goes (phases.c) */
    /* the handshake messages WireGuard nodes sent, for the timeline's
     * "left from ... [source: ...]" (timeline.c find_sent) */
    struct hs_series *series;     /* the HTML timeline's series as the run goes (series.c) */
    struct hs_seq_acc *seq;       /* the HTML sequence diagram's messages as the run goes (seqdiag.c) */
    struct hs_pkt *hs_msgs;
    size_t n_hs_msgs, cap_hs_msgs;
};

/* A packet kept to be shown after the run: the record with its own copy
 * of the source reason (the reason a listener sees lives only during the
 * call; a copy is self-contained: its strings are the world's). */
typedef struct hs_pkt {
    sim_trace_rec r;
    sim_src_reason reason;
    bool has_reason;
} hs_pkt;
void hs_pkt_keep(hs_pkt *p, const sim_trace_rec *r);
/* Keeps r at the end of a growing array of kept packets. */
void hs_pkt_append(hs_pkt **v, size_t *n, size_t *cap, const sim_trace_rec *r);
/* The kept record, its reason pointing at p's copy. */
const sim_trace_rec *hs_pkt_rec(hs_pkt *p);

/* A frame as the run's readers see it: the record, and its node, the node
 * that built the packet and the segment as scenario indices (-1 none). */
typedef struct hs_frame {
    const sim_trace_rec *r;
    int node, origin, seg;
} hs_frame;

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
/* A record as the readers see it (scenario indices of its point and origin). */
hs_frame hs_frame_of(const hs_world *hw, const sim_trace_rec *r);
void hs_record_needs_free(hs_world *hw);

/* execute.c */
void hs_schedule_events(hs_world *hw);

/* expect.c */
void hs_expect_schedule(hs_world *hw);
/* Fills r->expects from the run (call after the world ran to the end). */
void hs_expect_evaluate(hs_world *hw, hs_result *r);
/* A bounded text buffer for the verdict texts (what does not fit is cut:
 * the texts are short). */
typedef struct hs_sbuf {
    char b[1024];
    size_t n;
} hs_sbuf;
void hs_sb_add(hs_sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "30.7ms" */
const char *hs_fmt_ms(sim_time t, char *buf, size_t len);
/* A packet as an explanation line of er, with its source reason's fields. */
void hs_add_pkt_line(hs_world *hw, hs_expect_result *er, const sim_trace_rec *r);

/* expect_stream.c: the history expectations evaluated as the run goes */
void hs_stream_init(hs_world *hw);   /* before the first frame (hs_record_select) */
void hs_stream_start(hs_world *hw);  /* once the pings exist (hs_expect_schedule) */
void hs_stream_frame(hs_world *hw, const hs_frame *f);
void hs_stream_finish(hs_world *hw); /* at the end of the run: the pings' last samples */
void hs_stream_free(hs_world *hw);
void hs_eval_packets(hs_world *hw, size_t i, hs_expect_result *er);
/* Does the frame match the packets expectation e (its filter and window)?
 * The matcher of the verdicts, for the explore shell's packets view. */
bool hs_packets_match(const hs_expect *e, const hs_frame *f);
void hs_eval_tunnel(hs_world *hw, size_t i, hs_expect_result *er);
void hs_stream_handshake_lines(hs_world *hw, size_t i, hs_expect_result *er);
void hs_stream_endpoint_lines(hs_world *hw, size_t i, hs_expect_result *er);

/* expect_events.c */
void hs_events_init(hs_world *hw);  /* right after the world exists: the event listener */
void hs_events_start(hs_world *hw); /* once built (hs_expect_schedule) */
void hs_events_counts(const hs_world *hw, uint64_t *events, uint64_t *handshakes);
void hs_events_handshake(const hs_world *hw, size_t i, size_t *count, sim_time *last, bool *within_ok);
/* The kept event lines explaining failed sample i (endpoint: node and peer
 * name the lines). */
void hs_events_lines(hs_world *hw, size_t i, hs_expect_result *er, const char *node, const char *peer);
void hs_events_free(hs_world *hw);

/* phases.c: the phase table, taken from the frames, events and ping
 * samples the run streams */
void hs_phases_start(hs_world *hw);  /* once the pings exist (hs_expect_schedule) */
void hs_phases_frame(hs_world *hw, const hs_frame *f);
void hs_phases_event(hs_world *hw, const sim_event_rec *ev);
/* A final sample of ping `traffic` (expect_stream.c consumes them in order). */
void hs_phases_echo(hs_world *hw, size_t traffic, const sim_ping_sample *x);
void hs_phases_result(hs_world *hw, hs_result *r);
/* r->topology from the scenario: names, kinds, segment links, VIPs and the
 * tunnels between nodes (topology.c), for the HTML report's diagram. */
void hs_topology_result(const hs_scenario *s, hs_result *r);
void hs_phases_free_world(hs_world *hw);

/* series.c: the HTML timeline's state changes, handshakes, endpoint
 * changes and per-second ping losses as the run goes */
void hs_series_start(hs_world *hw);  /* once the pings exist (hs_expect_schedule) */
void hs_series_event(hs_world *hw, const sim_event_rec *ev);
void hs_series_echo(hs_world *hw, size_t traffic, const sim_ping_sample *x);
void hs_series_result(hs_world *hw, hs_result *r); /* moves the series into r */
void hs_series_free_world(hs_world *hw);

/* seqdiag.c: the handshake messages WireGuard nodes receive, for the
 * HTML sequence diagram, as the run goes */
void hs_seq_start(hs_world *hw);   /* once built (hs_expect_schedule) */
void hs_seq_frame(hs_world *hw, const hs_frame *f);
void hs_seq_result(hs_world *hw, hs_result *r); /* moves the messages into r */
void hs_seq_free_world(hs_world *hw);

/* timeline.c */
void hs_timeline_build(hs_world *hw, hs_result *r);
/* Every frame the run reads, while the timeline is on: keeps the
 * handshake messages the timeline will show the source of. */
void hs_timeline_frame(hs_world *hw, const sim_trace_rec *r);
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
/* calloc of at least one element, or sim_oom(what). */
void *hs_xcalloc(size_t n, size_t size, const char *what);
void hs_result_add_line(hs_expect_result *e, int64_t t, char *text_owned);

#endif /* HARNESS_RUNNER_INTERNAL_H */
