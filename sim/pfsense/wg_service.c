/*
 * wg_service.c — the daemon of pfSense's WireGuard package, which puts
 * every peer's configured endpoint back on the interface at start and then
 * every "endpoint resolve interval".
 *
 * pfSense-pkg-WireGuard (FreeBSD-ports net/pfSense-pkg-WireGuard,
 * files/usr/local/pkg/wireguard/includes/):
 *  - wg_service.inc wg_service_daemon: once daemonized it calls
 *    wg_resolve_endpoints, then loops with sleep(1), calling it again when
 *    wg_should_reresolve_endpoints says the interval has passed since the
 *    previous call returned;
 *  - wg.inc wg_resolve_endpoints: for every configured peer, `wg set TUN
 *    peer KEY endpoint HOST:PORT` through wg_peer_set_endpoint (only for
 *    peers running on their tunnel). An IP literal is set like a hostname
 *    (the DNS check skips only names while DNS is down). A peer without an
 *    endpoint gives wg(8) an empty endpoint, which it refuses
 *    (wireguard-tools config.c parse_endpoint): nothing changes;
 *  - wg.inc wg_get_endpoint_resolve_interval: the package setting
 *    resolve_interval (seconds, default 300), or with
 *    resolve_interval_track the system's aliases resolve interval; 0
 *    disables re-resolving (the run at start still happens);
 *  - FreeBSD if_wg.c wg_peer_add copies only the remote part of the
 *    endpoint: the learned local address stays (wgnode's FreeBSD rule).
 *
 * Phase: the daemon starts when the box has booted (the package's early
 * shell command `service wireguardd start` builds the tunnels during boot,
 * where wg_service_cli_start returns before forking the daemon while
 * is_platform_booting(); wg_globals.inc has a 'postboot' subsystem for
 * after it) and when the service is restarted; a wgsim boot is
 * instantaneous, so its first run is at power-on (t = 0 for
 * a node powered from the start) or at the restart, and the next ones
 * every interval after that. The real loop polls once a second and counts
 * from when the previous run returned, so its period is the interval plus
 * up to about a second; that drift is not modelled (the period is exactly
 * the interval), which keeps a run reproducible without a second source of
 * randomness.
 *
 * Only nodes given the service run it (harness/build.c: every `firewall`
 * with WireGuard); a plain host's WireGuard has no such daemon.
 */
#include "sim/net/net.h"

#include <stdlib.h>

struct sim_wg_service {
    sim_pending pend; /* owned by the world */
    sim_node *n;
    sim_time interval; /* 0: only at start */
    sim_event_id ev;
    uint64_t changes;
};

static void run(void *arg);

static void schedule(sim_wg_service *s, sim_time delay)
{
    sim_engine *e = s->n->w->eng;
    sim_cancel(e, s->ev);
    s->ev = sim_schedule_in(e, delay, run, s);
}

/* wg_resolve_endpoints over every WireGuard interface of the node. */
static void resolve_endpoints(sim_wg_service *s)
{
    sim_node *n = s->n;
    size_t changed = 0;
    for (size_t i = 0; i < n->n_wgs; i++)
        changed += sim_wg_reapply_endpoints(n->wgs[i], true);
    if (changed) {
        /* Only a run that moves something is worth a line: the others
         * set what is already there. The endpoint lines follow. */
        s->changes++;
        char every[48] = "";
        if (s->interval > 0)
            snprintf(every, sizeof every, ", every %.0f s", (double)s->interval / 1e9);
        sim_event_log(n->w, SIM_EV_MODEL, n, 0, "wg-service",
                      "WireGuard service re-applies the configured endpoints (wg_resolve_endpoints%s): %zu "
                      "peer%s not at %s configured endpoint",
                      every, changed, changed == 1 ? "" : "s", changed == 1 ? "its" : "their");
    }
    for (size_t i = 0; i < n->n_wgs; i++)
        sim_wg_reapply_endpoints(n->wgs[i], false);
}

static void run(void *arg)
{
    sim_wg_service *s = arg;
    s->ev = 0;
    if (!s->n->powered)
        return;
    resolve_endpoints(s);
    if (s->interval > 0)
        schedule(s, s->interval);
}

static void on_power(void *ctx, sim_node *n, bool on)
{
    (void)n;
    sim_wg_service *s = ctx;
    if (!on) {
        sim_cancel(s->n->w->eng, s->ev);
        s->ev = 0;
        return;
    }
    /* After this instant's power listeners (the WireGuard hosts recreate
     * their devices in theirs): the daemon starts on a booted box. */
    schedule(s, 0);
}

void sim_wg_service_restarted(sim_wg_service *s)
{
    if (s->n->powered)
        schedule(s, 0);
}

static void service_free(sim_pending *p)
{
    sim_wg_service *s = (sim_wg_service *)p;
    sim_cancel(s->n->w->eng, s->ev);
    free(s);
}

sim_wg_service *sim_wg_service_start(sim_node *n, sim_time resolve_interval)
{
    if (!n || resolve_interval < 0)
        return NULL;
    sim_wg_service *s = n->wg_service;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            sim_oom("pfSense's WireGuard service");
        s->n = n;
        sim_pending_add(n->w, &s->pend, service_free);
        sim_node_add_power_listener(n, on_power, s);
        n->wg_service = s;
    }
    s->interval = resolve_interval;
    if (n->powered)
        schedule(s, 0);
    return s;
}

uint64_t sim_wg_service_changes(const sim_wg_service *s) { return s ? s->changes : 0; }
