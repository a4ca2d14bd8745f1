/*
 * wg_carp_depend.c — OPNsense's WireGuard instance option carp_depend_on
 * (a CARP VIP): the instance's interface is up only while that VIP's vhid
 * is MASTER on this node.
 *
 * OPNsense core (src/):
 *  - opnsense/mvc/app/models/OPNsense/Wireguard/Server.xml: carp_depend_on,
 *    a VirtualIPField restricted to CARP VIPs;
 *  - etc/rc.syshook.d/carp/20-wireguard: on every CARP transition devd
 *    reports (the hook gets "vhid@interface"), `configctl -dq wireguard
 *    configure VHID@IF`, which runs
 *  - opnsense/scripts/wireguard/wg-service-control.php `configure`: for
 *    every enabled instance whose carp_depend_on VIP has that vhid number,
 *    get_vhid_status() reads the vhid's status now (matched by vhid
 *    number over all interfaces; a vhid not on any interface is
 *    "DISABLED"), carp_if_flag = up only when it is MASTER, and when the
 *    configuration did not change and the interface flag differs:
 *    `ifconfig wgN up|down` ("switching to UP|DOWN" in its syslog). The
 *    interface is not destroyed and its peers stay configured (the script's
 *    comment: only the flag changes, "omit sending traffic when in BACKUP
 *    or INIT mode");
 *  - the same script's start/restart (wg_start) ends with `ifconfig wgN
 *    up|down` by the same flag: at boot the instance comes up down unless
 *    the vhid is already MASTER.
 * FreeBSD sys/dev/wg/if_wg.c: IFF_UP cleared -> wg_down (timers disabled,
 * staged packets purged, handshake and keypairs cleared, socket closed);
 * set -> wg_up (timers enabled: a persistent keepalive goes at once, which
 * starts a handshake). That is sim_wg_down / sim_wg_up (wgnode
 * wg_device_down / wg_device_up).
 *
 * Timing: configctl -d hands the action to configd and returns, so the flag
 * changes some time after the transition; the source gives no bound. The
 * `delay` (default 0: at the transition) is when the script runs; it reads
 * the state then, as the real one does. A transition while a run is pending
 * moves that run to delay after the newer transition.
 */
#include "sim/pfsense/firewall.h"

#include <stdlib.h>

struct fw_wgdep {
    sim_fw *f;
    sim_wg *h;
    uint8_t vhid;
    sim_time delay;
    sim_event_id ev;
};

/* get_vhid_status: the vhid's status on whichever interface carries it (the
 * last one wins there; a vhid number is on one interface in practice);
 * DISABLED (neither CARP running nor the VIP present) is not MASTER. */
static carp_state vhid_status(const sim_fw *f, uint8_t vhid, uint32_t *ifindex)
{
    carp_state st = CARP_INIT;
    *ifindex = 0;
    if (!f->carp_live || f->carp_disabled)
        return st;
    for (size_t i = 0; i < f->carp.n; i++)
        if (f->carp.v[i]->vhid == vhid) {
            st = f->carp.v[i]->state;
            *ifindex = f->carp.v[i]->ifindex;
        }
    return st;
}

/* wg-service-control.php configure: set the flag CARP asks for, when it
 * differs from the interface's. */
static void apply(fw_wgdep *d)
{
    sim_fw *f = d->f;
    if (!sim_node_powered(f->n))
        return;
    uint32_t ifindex;
    carp_state st = vhid_status(f, d->vhid, &ifindex);
    bool want = st == CARP_MASTER;
    if (want == sim_wg_is_up(d->h))
        return;
    /* vhid_status names an interface only when CARP runs and has the vhid */
    const char *why = ifindex ? carp_state_name(st) : "not configured (DISABLED)";
    sim_event_log(f->w, SIM_EV_MODEL, f->n, sim_iface_index(sim_wg_iface(d->h)), "wg",
                  "%s %s %s: carp vhid %u is %s (carp_depend_on)", sim_node_name(f->n), sim_iface_name(sim_wg_iface(d->h)),
                  want ? "up" : "down", d->vhid, why);
    if (want)
        sim_wg_up(d->h);
    else
        sim_wg_down(d->h);
}

static void run(void *arg)
{
    fw_wgdep *d = arg;
    d->ev = 0;
    apply(d);
}

static void schedule(fw_wgdep *d, sim_time delay)
{
    sim_cancel(d->f->eng, d->ev);
    d->ev = sim_schedule_in(d->f->eng, delay, run, d);
}

void fw_wgdep_carp_changed(sim_fw *f, uint8_t vhid)
{
    for (size_t i = 0; i < f->n_wgdeps; i++) {
        fw_wgdep *d = f->wgdeps[i];
        if (d->vhid != vhid)
            continue;
        if (d->delay > 0)
            schedule(d, d->delay);
        else if (!d->ev) /* else a run of this instant reads the state then */
            apply(d);
    }
}

void fw_wgdep_power(sim_fw *f, bool on)
{
    for (size_t i = 0; i < f->n_wgdeps; i++) {
        fw_wgdep *d = f->wgdeps[i];
        sim_cancel(f->eng, d->ev);
        d->ev = 0;
        /* wg_start at boot: after this instant's power listeners (the
         * WireGuard host recreates its device, up, in its own). */
        if (on)
            schedule(d, 0);
    }
}

void fw_wgdep_free(sim_fw *f)
{
    for (size_t i = 0; i < f->n_wgdeps; i++) {
        sim_cancel(f->eng, f->wgdeps[i]->ev);
        free(f->wgdeps[i]);
    }
    free(f->wgdeps);
    f->wgdeps = NULL;
    f->n_wgdeps = 0;
}

sim_err sim_fw_wg_carp_depend(sim_fw *f, sim_wg *h, uint8_t vhid, sim_time delay)
{
    if (!f || !h || sim_wg_node(h) != f->n || vhid == 0 || delay < 0)
        return SIM_EINVAL;
    fw_wgdep **grown = realloc(f->wgdeps, (f->n_wgdeps + 1) * sizeof *grown);
    if (!grown)
        sim_oom("carp_depend_on");
    f->wgdeps = grown;
    fw_wgdep *d = calloc(1, sizeof *d);
    if (!d)
        sim_oom("carp_depend_on");
    *d = (fw_wgdep){.f = f, .h = h, .vhid = vhid, .delay = delay};
    f->wgdeps[f->n_wgdeps++] = d;
    /* wg_start: the instance takes the flag of the vhid's state now. */
    apply(d);
    return SIM_OK;
}
