/*
 * view_internal.h — what the inspection views (hs_view, harness/view*.c)
 * share: the parsed command line with the column of every word, located
 * errors, argument readers with did-you-mean, and an aligned text table.
 * Not part of the public API.
 */
#ifndef HARNESS_VIEW_INTERNAL_H
#define HARNESS_VIEW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/runner_internal.h"

#define HS_VIEW_MAX_WORDS 48

/* One view command being answered. words[0] is the verb ("show",
 * "packets", "why"); col[i] is the 1-based column of word i in line. */
typedef struct hs_view_ctx {
    FILE *out;
    hs_world *hw;
    const hs_scenario *s;
    sim_world *w;
    sim_time now;
    const char *line;
    char *words[HS_VIEW_MAX_WORDS];
    int col[HS_VIEW_MAX_WORDS];
    size_t n;
    char *err;
    size_t errlen;
    int *err_col;
    bool check; /* hs_view_check: a view returns true once its words are read, printing nothing */
} hs_view_ctx;

/* Writes the error message and column; returns false (for `return view_fail(...)`). */
bool view_fail(hs_view_ctx *v, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Word i is the last one: false with "unexpected WORD" at the first extra word. */
bool view_no_more(hs_view_ctx *v, size_t i);
/* Word i as a node name: its scenario index, or -1 with the error set
 * (missing: names the view's usage; unknown: did-you-mean). */
int view_node_arg(hs_view_ctx *v, size_t i, const char *usage);
/* Word i as a peer of one of node's WireGuard interfaces (name:, node
 * name or public key): false with the error set. */
bool view_peer_arg(hs_view_ctx *v, int node, size_t i, int *wg_out, int *peer_out);
/* The node's name for a simulator node id ("?" unknown). */
const char *view_node_name(const hs_view_ctx *v, int sim_node_id);
/* packets and why read the whole run record: false with the error at col when it is not kept. */
bool view_record_kept(hs_view_ctx *v, int col, const char *what);
/* A packet record's parts, as the packets view shows them (view_packets.c). */
void view_pkt_type(const sim_trace_rec *r, char *buf, size_t len);
void view_pkt_addrs(const sim_trace_rec *r, char *buf, size_t len);
void view_pkt_point(const hs_view_ctx *v, const sim_trace_rec *r, char *buf, size_t len);
/* "12.345s" */
const char *view_time(sim_time t, char *buf, size_t len);
/* "3.2s ago" style ages: now - t as "12.345s". */
const char *view_age(const hs_view_ctx *v, sim_time t, char *buf, size_t len);
/* "MASTER", "BACKUP", "INIT" */
const char *view_carp_state(sim_carp_state st);
/* Is carp entry c the first of its (interface, vhid)? A vhid may have several VIPs. */
bool view_carp_first(const hs_node *hn, size_t c);
/* A scenario node's firewall models, NULL for a node without them. */
sim_fw *view_fw(const hs_view_ctx *v, int node);

/* ---- an aligned table: header, rows of cells, columns two spaces apart ---- */
typedef struct view_table {
    size_t ncols;
    char **cells;   /* rows * ncols, malloc'd strings */
    size_t rows, cap;
} view_table;
void view_table_init(view_table *t, size_t ncols, const char *const *header);
/* Adds a row: ncols printf-formatted cells are given one by one with view_table_cell. */
void view_table_row(view_table *t);
void view_table_cell(view_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints it (with a leading indent) and frees it. */
void view_table_print(view_table *t, FILE *out, const char *indent);
void view_table_free(view_table *t);

/* The views, one per family (each returns hs_view's answer). */
bool view_nodes(hs_view_ctx *v);    /* view_nodes.c */
bool view_carp(hs_view_ctx *v);     /* view_carp.c */
bool view_peers(hs_view_ctx *v);    /* view_wg.c */
bool view_routes(hs_view_ctx *v);   /* view_net.c */
bool view_arp(hs_view_ctx *v);
bool view_gateways(hs_view_ctx *v);
bool view_states(hs_view_ctx *v);   /* view_pf.c */
bool view_packets(hs_view_ctx *v);  /* view_packets.c */
bool view_why(hs_view_ctx *v);      /* view_why.c */

#endif /* HARNESS_VIEW_INTERNAL_H */
