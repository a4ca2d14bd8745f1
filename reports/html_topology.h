/*
 * html_topology.h — inside libreports: the scenario's topology as an
 * inline SVG for the HTML report.
 */
#ifndef REPORTS_HTML_TOPOLOGY_H
#define REPORTS_HTML_TOPOLOGY_H

#include <stdio.h>

#include "harness/result.h"

/* An <svg class="topology"> of r->topology: segments as horizontal bars,
 * nodes as boxes above them (name, kind, CARP VIPs) joined to each segment
 * they have an interface on (labelled with the interface and its address),
 * WireGuard tunnels as dashed arcs over the boxes. A line saying why
 * instead when there is nothing to draw or too much. */
void rp_html_topology(FILE *out, const hs_result *r);

/* An <svg class="timeline"> of r->series and r->phases: CARP and gateway
 * state bands per lane, handshakes and endpoint changes per tunnel, each
 * ping's losses per second, the timeline's events as vertical lines
 * (reports/html_timeline.c). Nothing when the run did not start. */
void rp_html_timeline(FILE *out, const hs_result *r);

/* An <svg class="seqdiag"> of r->seq: a lane per node, an arrow per
 * WireGuard handshake message received, labelled with its source, marked
 * "wrong" where the receiver's configuration expects another endpoint
 * (reports/html_seqdiag.c). A line instead when none was received;
 * nothing when the run did not start. */
void rp_html_seqdiag(FILE *out, const hs_result *r);

#endif /* REPORTS_HTML_TOPOLOGY_H */
