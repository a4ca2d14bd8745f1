/*
 * firewall_carp.c — CARP glue of the firewall node (see firewall.c): the
 * adverts and gratuitous ARPs carp.c asks for, the VIP routes on state
 * changes, the L2 ops (only a MASTER answers ARP for a VIP and accepts
 * frames to its vMAC), CARP's boot and halt with the node, the change log's
 * CARP rows, and pfSense's maintenance mode and "Temporarily Disable CARP".
 */
#include "sim/pfsense/firewall.h"

#include <stdio.h>
#include <string.h>

#define DSCP_CARP 56          /* net.inet.carp.dscp default (ha-model.md §1.1) */

/* ------------------------------------------------------------------ */
/* CARP glue                                                          */
/* ------------------------------------------------------------------ */

/* CARP and gateway rows of the change log: logged after anything that may
 * have changed them (a row that did not change adds nothing). */
void fw_log_carp(sim_fw *f)
{
    if (!sim_hist_on(f->w, SIM_HIST_CARP))
        return;
    for (size_t i = 0; i < f->n_vips; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = f->vips[j].vhid == f->vips[i].vhid && !strcmp(f->vips[j].ifname, f->vips[i].ifname);
        sim_fw_carp_info ci;
        if (!seen && sim_fw_carp_info_get(f, f->vips[i].ifname, f->vips[i].vhid, &ci))
            sim_hist_log_carp(f->w, sim_node_id(f->n), &ci);
    }
}

static void carp_cb_changed(void *ctx) { fw_log_carp(ctx); }

static int carp_cb_send_ad(void *ctx, carp_vhid *v, const uint8_t ad[CARP_HDR_LEN])
{
    sim_fw *f = ctx;
    sim_iface *ifp = sim_node_iface_by_index(f->n, v->ifindex);
    if (!ifp)
        return SIM_ENETDOWN;
    /* IP source: the parent interface's best address, non-CARP preferred
     * (carp_best_ifa); Ethernet source: the vMAC (ha-model.md §1.1). */
    const sim_addr *pa = sim_iface_primary_addr(ifp);
    wg_ip src = pa ? pa->ip : fw_ip4(v->vips[0]);
    sim_mac vmac;
    carp_vmac(v->vhid, vmac.b);
    sim_ip_send_opts o = {.src = src, .ifindex = v->ifindex, .ttl = CARP_DFLTTL, .tos = DSCP_CARP << 2,
                          .df = true, .src_mac = &vmac, .src_kind = SIM_SRC_EXPLICIT};
    wg_ip dst = fw_ip4(CARP_GROUP_V4);
    /* ip_output's error feeds carp_send_ad_error (senderr demotion). A
     * frame lost on the wire is not an error: only what the stack refuses. */
    sim_err e = sim_ip_send(f->n, CARP_PROTO, &dst, ad, CARP_HDR_LEN, &o);
    if (e != SIM_OK)
        sim_event_log(f->w, SIM_EV_MODEL, f->n, v->ifindex, "carp", "%s/%s vhid %u advertisement send error %s",
                      sim_node_name(f->n), sim_iface_name(ifp), v->vhid, sim_err_name(e));
    return (int)e;
}

static void carp_cb_send_garp(void *ctx, carp_vhid *v, uint32_t vip)
{
    sim_fw *f = ctx;
    sim_iface *ifp = sim_node_iface_by_index(f->n, v->ifindex);
    if (!ifp)
        return;
    sim_mac vmac;
    carp_vmac(v->vhid, vmac.b);
    wg_ip a = fw_ip4(vip);
    sim_arp_announce(ifp, &a, &vmac);
}

static fw_vip *vip_cfg(sim_fw *f, uint32_t ifindex, uint32_t vip)
{
    for (size_t i = 0; i < f->n_vips; i++)
        if (f->vips[i].ifindex == ifindex && fw_u32(&f->vips[i].addr.ip) == vip)
            return &f->vips[i];
    return NULL;
}

/* carp_ifa_addroute / carp_ifa_delroute for every VIP of the vhid: the
 * prefix route (when no other route holds the prefix) and the loopback host
 * route (`routed`: the node's own packets to the VIP stay local). */
static void carp_routes(sim_fw *f, carp_vhid *v, bool master)
{
    for (size_t i = 0; i < v->n_vips; i++) {
        fw_vip *c = vip_cfg(f, v->ifindex, v->vips[i]);
        if (!c)
            continue;
        c->routed = master;
        wg_prefix pre = c->addr;
        const sim_route *ex = sim_node_route_find(f->n, &pre);
        if (master) {
            /* carp_addroute -> in_addprefix: only when no route for the
             * prefix exists (the interface's own address owns it). */
            if (!ex) {
                sim_route r = {.dst = pre, .ifindex = v->ifindex, .ifa = c->addr.ip, .origin = SIM_RT_CARP};
                snprintf(r.tag, sizeof r.tag, "vhid %u", v->vhid);
                sim_route_add(f->n, &r);
            }
        } else if (ex && ex->origin == SIM_RT_CARP && wg_ip_eq(&ex->ifa, &c->addr.ip)) {
            sim_route_del(f->n, &pre);
        }
    }
}

static void carp_cb_state(void *ctx, carp_vhid *v, carp_state from, carp_state to, const char *why)
{
    sim_fw *f = ctx;
    sim_ev_state st = {.kind = SIM_EVS_CARP, .vhid = v->vhid, .from = (int)from, .to = (int)to};
    sim_event_log_state(f->w, SIM_EV_MODEL, f->n, v->ifindex, "carp", &st, "%s/%s vhid %u %s -> %s (%s)",
                        sim_node_name(f->n), fw_ifname_of(f, v->ifindex), v->vhid, carp_state_name(from),
                        carp_state_name(to), why);
    fw_log_carp(f);
    /* ip_carp.c: carp_master_down_locked adds the routes (carp_addroute)
     * on BACKUP -> MASTER; only MASTER -> BACKUP deletes them (carp_input_c
     * on a better advertisement, SIOCSVH: carp_delroute). carp_sc_state
     * (link down, allow=0: -> INIT; link up: INIT -> BACKUP) never touches
     * them, so a MASTER that drops to INIT keeps its VIP routes through INIT
     * and the BACKUP after it. */
    if (to == CARP_MASTER)
        carp_routes(f, v, true);
    else if (from == CARP_MASTER && to == CARP_BACKUP)
        carp_routes(f, v, false);
    /* rc.syshook.d/carp/20-wireguard (OPNsense): every transition runs the
     * WireGuard instances' carp_depend_on check. */
    fw_wgdep_carp_changed(f, v->vhid);
}

static carp_vhid *vhid_of(const sim_fw *f, sim_iface *ifp, uint8_t vhid)
{
    if (!f->carp_live)
        return NULL;
    return carp_find(&f->carp, sim_iface_index(ifp), vhid);
}

static bool l2_accept_mac(void *ctx, sim_iface *ifp, const sim_mac *mac)
{
    /* carp_forus: frames to the vMAC are accepted only by a MASTER. */
    sim_fw *f = ctx;
    if (mac->b[0] || mac->b[1] || mac->b[2] != 0x5e || mac->b[3] || mac->b[4] != 1)
        return false;
    carp_vhid *v = vhid_of(f, ifp, mac->b[5]);
    return v && v->state == CARP_MASTER;
}

static bool l2_arp_answer(void *ctx, sim_iface *ifp, const sim_addr *a, sim_mac *mac_out)
{
    /* carp_iamatch: only the MASTER answers, with the vMAC. */
    sim_fw *f = ctx;
    carp_vhid *v = vhid_of(f, ifp, a->vhid);
    if (!v || v->state != CARP_MASTER)
        return false;
    carp_vmac(v->vhid, mac_out->b);
    return true;
}

static bool l2_is_master(void *ctx, sim_iface *ifp, const sim_addr *a)
{
    sim_fw *f = ctx;
    carp_vhid *v = vhid_of(f, ifp, a->vhid);
    return v && v->state == CARP_MASTER;
}

static bool l2_is_local(void *ctx, sim_iface *ifp, const sim_addr *a)
{
    const fw_vip *c = vip_cfg(ctx, sim_iface_index(ifp), fw_u32(&a->ip));
    return c && c->routed;
}

static void carp_rx(void *ctx, sim_node *n, sim_iface *in, const sim_ipv4_info *ip, const uint8_t *l4,
                    size_t l4_len)
{
    sim_fw *f = ctx;
    (void)n;
    if (!f->carp_live)
        return;
    carp_input_result r = carp_input(&f->carp, sim_iface_index(in), ip->ttl, l4, l4_len);
    if (r != CARP_IN_OK && r != CARP_IN_IGNORED)
        sim_event_log(f->w, SIM_EV_MODEL, f->n, sim_iface_index(in), "carp", "%s/%s advertisement dropped: %s",
                      sim_node_name(f->n), sim_iface_name(in), carp_input_result_name(r));
}

void fw_vips_add(sim_fw *f)
{
    for (size_t i = 0; i < f->n_vips; i++) {
        sim_iface *ifp = sim_node_iface_by_index(f->n, f->vips[i].ifindex);
        if (ifp)
            sim_iface_add_addr(ifp, &f->vips[i].addr, true, f->vips[i].vhid, SIM_ADDR_NOROUTE | SIM_ADDR_NOGARP);
    }
}

static void vips_remove(sim_fw *f)
{
    for (size_t i = 0; i < f->n_vips; i++) {
        sim_iface *ifp = sim_node_iface_by_index(f->n, f->vips[i].ifindex);
        if (ifp)
            sim_iface_del_addr(ifp, &f->vips[i].addr.ip);
    }
}

void fw_carp_boot(sim_fw *f)
{
    if (f->carp_live || f->n_vips == 0)
        return;
    carp_host_ops ops = {.ctx = f, .send_ad = carp_cb_send_ad, .send_garp = carp_cb_send_garp,
                         .state_changed = carp_cb_state, .changed = carp_cb_changed};
    carp_init(&f->carp, f->eng, sim_node_rng(f->n), &ops);
    f->carp.preempt = !f->opt.no_carp_preempt;
    for (size_t i = 0; i < f->n_vips; i++) {
        fw_vip *c = &f->vips[i];
        uint32_t a = fw_u32(&c->addr.ip);
        carp_vhid *v = carp_find(&f->carp, c->ifindex, c->vhid);
        if (v) {
            if (v->n_vips < CARP_MAX_VIPS)
                v->vips[v->n_vips++] = a;
            continue;
        }
        /* pfSense maintenance mode is a config flag applied at boot:
         * advskew 254 on every VIP (ha-model.md §1.4, IFS). */
        carp_add_vhid(&f->carp, c->ifindex, c->vhid, c->advbase, f->maintenance ? CARP_MAX_ADVSKEW : c->advskew,
                      c->key, &a, 1);
    }
    f->carp_live = true;
    for (size_t i = 0; i < f->carp.n; i++) {
        carp_vhid *v = f->carp.v[i];
        sim_iface *ifp = sim_node_iface_by_index(f->n, v->ifindex);
        if (ifp && sim_iface_link_up(ifp) && sim_iface_segment(ifp))
            carp_set_if(&f->carp, v->ifindex, true);
    }
    fw_log_carp(f);
}

void fw_carp_halt(sim_fw *f)
{
    if (!f->carp_live)
        return;
    for (size_t i = 0; i < f->carp.n; i++)
        carp_routes(f, f->carp.v[i], false);
    carp_destroy(&f->carp);
    f->carp_live = false;
    fw_log_carp(f);
}

/* The CARP side of the node: its L2 ops and the CARP protocol handler
 * (sim_fw_attach). */
void fw_carp_attach(sim_fw *f)
{
    sim_node *n = f->n;
    sim_l2_ops l2 = {.ctx = f, .accept_mac = l2_accept_mac, .arp_answer = l2_arp_answer, .addr_is_master = l2_is_master,
                     .addr_is_local = l2_is_local};
    sim_node_set_l2_ops(n, &l2);
    sim_node_set_proto_handler(n, CARP_PROTO, carp_rx, f);
}

/* ------------------------------------------------------------------ */
/* commands                                                           */
/* ------------------------------------------------------------------ */

sim_err sim_fw_maintenance(sim_fw *f, bool on)
{
    if (f->n_vips == 0)
        return SIM_ENOENT;
    f->maintenance = on;
    if (!f->carp_live) {
        fw_log_carp(f); /* applied at boot; the configured skew shows it now */
        return SIM_OK;
    }
    /* pfSense: `ifconfig IF vhid N advskew 254` on every CARP VIP; off
     * restores each VIP's configured skew (ha-model.md §1.4). */
    for (size_t i = 0; i < f->n_vips; i++) {
        carp_vhid *v = carp_find(&f->carp, f->vips[i].ifindex, f->vips[i].vhid);
        if (v)
            carp_set_advskew(v, on ? CARP_MAX_ADVSKEW : f->vips[i].advskew);
    }
    sim_event_log(f->w, SIM_EV_MODEL, f->n, 0, "carp", "%s persistent CARP maintenance mode %s", sim_node_name(f->n),
                  on ? "on (advskew 254)" : "off");
    fw_log_carp(f);
    return SIM_OK;
}

bool sim_fw_maintenance_on(const sim_fw *f) { return f->maintenance; }

sim_err sim_fw_carp_enable(sim_fw *f, bool on)
{
    if (f->n_vips == 0)
        return SIM_ENOENT;
    if (on == !f->carp_disabled)
        return SIM_OK;
    /* pfSense "Temporarily Disable CARP" (status_carp.php): allow=0 and
     * the VIPs removed from the interfaces; enabling brings the VIPs back,
     * then allow=1 (ha-model.md §1.4). */
    if (!on) {
        f->carp_disabled = true;
        if (f->carp_live)
            carp_set_allow(&f->carp, false);
        /* Deleting an address takes the prefix route it owns
         * (in_difaddr_ioctl -> in_scrubprefix): the VIP routes a MASTER kept
         * through allow=0's INIT go with the VIPs. */
        if (f->carp_live)
            for (size_t i = 0; i < f->carp.n; i++)
                carp_routes(f, f->carp.v[i], false);
        vips_remove(f);
        /* With its addresses gone each vhid is destroyed, which takes back
         * the ifdown demotion allow=0 applied (carp_destroy). */
        if (f->carp_live)
            for (size_t i = 0; i < f->carp.n; i++)
                carp_vhid_addrs_removed(f->carp.v[i]);
    } else {
        f->carp_disabled = false;
        fw_vips_add(f);
        if (f->carp_live)
            carp_set_allow(&f->carp, true);
    }
    sim_event_log(f->w, SIM_EV_MODEL, f->n, 0, "carp", "%s CARP %s", sim_node_name(f->n),
                  on ? "enabled" : "temporarily disabled (VIPs removed)");
    fw_log_carp(f);
    return SIM_OK;
}

bool sim_fw_carp_enabled(const sim_fw *f) { return !f->carp_disabled; }
