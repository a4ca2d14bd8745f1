/*
 * result.h — what running one scenario produced: its status, every
 * expectation's verdict with what was expected, what was seen and the
 * packets that explain it, a few counters, and the readable timeline.
 *
 * The model is plain data (malloc'd strings) so that reports (JSON, JUnit,
 * the terminal) can render it after the simulated world is gone, and so
 * that results of scenarios run in parallel can be printed in a stable
 * order. hs_result_free releases everything.
 */
#ifndef HARNESS_RESULT_H
#define HARNESS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/harness.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hs_status {
    HS_STATUS_PASSED = 0,
    HS_STATUS_FAILED,  /* an expectation did not hold */
    HS_STATUS_ERROR,   /* bad input or a run-time error (exit 2) */
    HS_STATUS_SKIPPED, /* not run (e.g. the ns3 engine is not in this build) */
} hs_status;
const char *hs_status_name(hs_status s); /* "passed", "failed", "error", "skipped" */

/* One packet (or log line) shown with a verdict: time, node, src -> dst,
 * WireGuard type and why the source address is what it is. */
/* One field of a structured value: JSON carries a source reason as these
 * ("kind", "route", "via", "dev", "nat-rule", "learned-from", ...). */
typedef struct hs_field {
    char *key;   /* static */
    char *value; /* owned */
} hs_field;

typedef struct hs_packet_line {
    int64_t t;  /* ns */
    char *text; /* without the time */
    hs_field *reason; /* why its source is what it is, field by field (NULL: none) */
    size_t n_reason;
} hs_packet_line;

typedef struct hs_expect_result {
    size_t index;         /* in hs_scenario.expects */
    hs_loc loc;
    hs_expect_kind kind;
    bool passed;
    char *what;           /* the expectation in words: "during [30s, 2m] packets from fw1 src 198.51.100.2 ..." */
    char *expected;       /* "count >= 1", "state master", "198.51.100.2:51820" */
    char *observed;       /* "count 0", "state backup since 31.001s", ... */
    double value;         /* the observed number (count, loss %, ...) or NaN */
    hs_packet_line *packets;
    size_t n_packets;
} hs_expect_result;

typedef struct hs_timeline_entry {
    int64_t t;        /* ns */
    char *node;       /* "" when not tied to a node */
    char *category;   /* "command", "carp", "wg", "endpoint", "source", "drop", ... */
    char *text;
    hs_field *reason; /* handshake messages: the source reason of the packet, field by field */
    size_t n_reason;
    hs_field *fields; /* pf states, NAT, drops: what the line says, field by field (JSON "fields") */
    size_t n_fields;
} hs_timeline_entry;

typedef struct hs_counters {
    uint64_t trace_records;   /* packet trace entries (all capture points) */
    uint64_t wg_datagrams;    /* WireGuard datagrams sent by nodes */
    uint64_t handshakes;      /* completed handshakes, all devices */
    uint64_t drops;           /* packets dropped by the network (all reasons) */
    uint64_t events;          /* event log entries */
    uint64_t pings_sent, pings_answered;
    uint64_t engine_events;   /* not used by every engine: 0 when unknown */
} hs_counters;

/* The phase table (harness/phases.c, docs/reports.md): the run cut at
 * each timeline event, and per phase and WireGuard tunnel what an operator
 * reads off a change: which node serves each side, the source address:port
 * each side sends from, the outage and the handshakes. */

/* A tunnel: two WireGuard keys that peer (the nodes holding one key, an HA
 * pair's `like:` copies, are one side). Named after the first peer entry
 * that makes it: "fw1/wg0/remote". */
typedef struct hs_tunnel_info {
    char *name;
    char *nodes[2]; /* the nodes of each side: "fw1, fw2" */
} hs_tunnel_info;

/* A source a side sent the tunnel's datagrams from in a phase. */
typedef struct hs_phase_source {
    char *node;
    char *src;          /* "198.51.100.1:51820", as the frame left the node */
    uint64_t datagrams;
    int64_t first;      /* ns: the first of them */
} hs_phase_source;

typedef struct hs_phase_side {
    char *serving;      /* the node that sent most of the side's datagrams; NULL: it sent none */
    hs_phase_source *sources; /* most datagrams first (at most HS_PHASE_SOURCES) */
    size_t n_sources;
    uint64_t datagrams; /* all of them, those of sources not kept included */
} hs_phase_side;
#define HS_PHASE_SOURCES 4

typedef struct hs_phase_tunnel {
    hs_phase_side side[2];
    uint64_t handshakes;      /* completed (as the initiator saw them) */
    uint64_t echoes, answered; /* of the pings through the tunnel, sent in the phase */
    int64_t outage;           /* ns from the phase's start to the first answered echo sent in it; -1: none */
} hs_phase_tunnel;

typedef struct hs_phase {
    int64_t start, end;       /* ns; end: the next phase's start or the run's end */
    char *event;              /* the timeline commands at `start` ("; " between them); NULL: the run's start */
    hs_phase_tunnel *tunnels; /* [hs_result.n_tunnels] */
} hs_phase;

/* The scenario's topology, compact, for drawing it (reports/html_topology.c):
 * what a diagram names, nothing a model reads. */
typedef struct hs_topo_link {
    size_t segment;  /* index in hs_topology.segments */
    char *label;     /* "wan 198.51.100.2/24" */
} hs_topo_link;

typedef struct hs_topo_node {
    char *name;
    const char *kind; /* static: "host", "router", "firewall" */
    hs_topo_link *links; /* one per interface */
    size_t n_links;
    char **vips;     /* "vhid 1 198.51.100.1/24" per CARP entry */
    size_t n_vips;
} hs_topo_node;

typedef struct hs_topo_tunnel {
    size_t a, b;     /* node indices, a < b: a WireGuard peer entry naming a node (`node:`) */
    char *label;     /* "wg0" of node a */
} hs_topo_tunnel;

/* Nodes above which no topology is kept: a diagram of more is not read
 * (a 1,000-peer hub), and the copy would cost the run time and memory. */
#define HS_TOPO_MAX_NODES 64

typedef struct hs_topology {
    size_t scenario_nodes; /* the scenario's nodes; above HS_TOPO_MAX_NODES the rest is empty */
    char **segments;
    size_t n_segments;
    hs_topo_node *nodes;
    size_t n_nodes;
    hs_topo_tunnel *tunnels;
    size_t n_tunnels;
} hs_topology;

/* What the HTML report's timeline draws (harness/series.c): state changes
 * of CARP vhids and gateways, handshakes completed and endpoint changes per
 * tunnel, and per ping the echoes sent and answered per simulated second.
 * Each list is capped (HS_SERIES_MAX); what did not fit is counted. */
typedef enum hs_mark_kind { HS_MARK_CARP, HS_MARK_GATEWAY, HS_MARK_HANDSHAKE, HS_MARK_ENDPOINT } hs_mark_kind;

typedef struct hs_mark {
    int64_t t;          /* ns */
    hs_mark_kind kind;
    char *lane;         /* "fw1/wan vhid 1", "fw1 gateway WAN_GW", "fw1/wg0/remote" */
    char *value;        /* the new state ("MASTER", "down"), the new endpoint, or NULL */
} hs_mark;

typedef struct hs_ping_series {
    char *name;         /* "fw1 -> 10.0.2.1" */
    uint32_t *sent, *answered; /* [n_seconds], by the second the echo was sent in */
    size_t n_seconds;
} hs_ping_series;

#define HS_SERIES_MAX 4096
/* Pings with per-second buckets: the first this many (a 10,000-peer hub's
 * pings would cost megabytes, and no reader reads that many lanes). */
#define HS_SERIES_PINGS 48

typedef struct hs_series {
    hs_mark *marks;
    size_t n_marks, cap_marks;
    size_t marks_dropped;  /* not kept: over HS_SERIES_MAX */
    hs_ping_series *pings; /* [n_pings]; name NULL: not kept */
    size_t n_pings;
    size_t pings_dropped;  /* pings not kept: over HS_SERIES_PINGS */
} hs_series;

/* What the HTML report's packet sequence diagram draws (harness/seqdiag.c):
 * the WireGuard handshake messages (initiation, response, cookie reply)
 * nodes received from other nodes, as they arrived, with the source reason
 * and the endpoint the receiver's configuration has for the sender. */
typedef struct hs_seq_msg {
    int64_t t;          /* ns: when it arrived */
    size_t from, to;    /* lanes (hs_seq.lanes): the node that built it, the node that received it */
    int type;           /* enum wg_msg_type: 1 initiation, 2 response, 3 cookie reply */
    char *src;          /* "203.0.113.2:51820": the source as it arrived (after any NAT on the way) */
    char *expected;     /* the receiver's configured endpoint of the sending peer; NULL: none configured */
    char *reason;       /* the source reason, whole (sim_src_reason_text); NULL: none recorded */
} hs_seq_msg;

/* Messages kept per scenario: the rest are counted (a diagram of more is
 * not read, and a 1,000-peer hub would make megabytes). */
#define HS_SEQ_MAX 200

typedef struct hs_seq {
    char **lanes;       /* node names, in order of first message */
    size_t n_lanes;
    hs_seq_msg *msgs;   /* in arrival order */
    size_t n_msgs;
    size_t dropped;     /* not kept: over HS_SEQ_MAX */
} hs_seq;

/* Is the message's source not the endpoint the receiver has configured? */
bool hs_seq_wrong(const hs_seq_msg *m);

typedef struct hs_result {
    char *file;
    char *name;               /* the scenario's name, or the file name if it did not load */
    char *claim;              /* NULL when none */
    char *description;
    char *platform;           /* the default platform the run used */
    char *perturb;            /* --perturb as it reads back ("loss=1%,jitter=5ms"), NULL: none */
    uint64_t seed;
    int64_t sim_duration;     /* ns */
    hs_status status;
    double wall_seconds;
    char *error;              /* HS_STATUS_ERROR / SKIPPED: the reason, one "FILE:LINE:COL: msg" per line */
    hs_expect_result *expects;
    size_t n_expects, n_failed;
    hs_timeline_entry *timeline;
    size_t n_timeline;
    hs_counters counters;
    /* The scenario's warnings (hs_lint): location and message ending in
     * "[rule]"; formatted with file by hs_result_warning. With
     * hs_run_options.strict they are the run's error instead. */
    hs_error *warnings;
    size_t n_warnings;
    /* the phase table (none for a run that did not start) */
    hs_tunnel_info *tunnels;
    size_t n_tunnels;
    hs_phase *phases;
    size_t n_phases;
    /* the scenario's nodes, segments, VIPs and tunnels (none for a scenario
     * that did not load; filled by the runner, harness/topology.c) */
    hs_topology topology;
    /* the timeline's series (none for a run that did not start) */
    hs_series series;
    /* the sequence diagram's messages (none for a run that did not start) */
    hs_seq seq;
} hs_result;

void hs_result_free(hs_result *r);
/* Warning i as "FILE:LINE:COL: warning: message [rule]" into buf. */
const char *hs_result_warning(const hs_result *r, size_t i, char *buf, size_t len);
void hs_fields_free(hs_field *v, size_t n);
/* Frees r's topology, leaving none. */
void hs_topology_free(hs_topology *t);
/* Frees r's series, leaving none. */
void hs_series_free(hs_series *s);
/* Frees a sequence diagram's messages, leaving none. */
void hs_seq_free(hs_seq *q);
/* Frees the phase table of r (tunnels and phases), leaving none. */
void hs_phases_free(hs_result *r);

/* Formats a time as seconds with millisecond precision: "45.251". */
const char *hs_result_time(int64_t t, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* HARNESS_RESULT_H */
