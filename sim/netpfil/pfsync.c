/*
 * pfsync.c — replication of pf states to the HA peer.
 *
 * Sources: ha-model.md §2 (PS4 = FreeBSD pfsync(4), PSC = if_pfsync.c):
 * - every local state insert/update/delete is exported (both keys, so NAT
 *   translations travel unchanged; interface name; creator id; timeouts),
 *   except states of no-sync rules; what was received is not rebroadcast
 *   (pf_state.c notify());
 * - changes are merged per state into the pfsync packet being filled and
 *   leave when the pfsync_timeout callout fires, 1 s after a change was
 *   queued into an empty packet, or at once when the next change would not
 *   fit into pfsync0's MTU (if_pfsync.c pfsync_insert_state,
 *   pfsync_update_state, pfsync_delete_state, pfsync_q_ins);
 * - pfSense runs `ifconfig pfsync0 -defer` (interfaces.inc
 *   interfaces_sync_setup, since pfSense 2.3.0): a new state waits for that
 *   packet like any change, so the peer may lack it when a failover comes
 *   first. With `defer` a state created by an outbound packet is pushed at
 *   once and the packet held until the peer's insert ack, at most
 *   PFSYNC_DEFER_TIMEOUT 20 ms (pf.c pf_test_rule, if_pfsync.c
 *   pfsync_defer, pfsync_in_iack, pfsync_defer_tmo);
 * - import skips states whose interface name does not exist locally and
 *   rebuilds the expiry from the exported remaining lifetime, as pf_state_import does.
 * Nothing here knows about NAT, CARP or WireGuard: a state for the other
 * node's address is imported as it is and simply never matches that node's
 * own packets (ha-model.md §2 "Derived (C6)").
 */
#include "sim/netpfil/pfsync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Wire sizes of FreeBSD 14's pfsync packet (if_pfsync.h, message version
 * 1400): PFSYNC_MINPKT = IP header 20 + pfsync_header 20 + one subheader;
 * each action present adds a subheader of 4 and its entries. */
#define PFSYNC_MINPKT 44
#define PFSYNC_SUBHDR 4
static const size_t entry_len[3] = {
    [PF_SYNC_INSERT] = 277, /* PFSYNC_ACT_INS: struct pfsync_state_1400 */
    [PF_SYNC_UPDATE] = 84,  /* PFSYNC_ACT_UPD_C: struct pfsync_upd_c */
    [PF_SYNC_DELETE] = 12,  /* PFSYNC_ACT_DEL_C: struct pfsync_del_c */
};
/* pfsync_defer: at most 128 held packets per bucket; one more sends the
 * oldest. */
#define PFSYNC_MAX_DEFERRED 128

struct pfsync_deferral {
    pfsync_deferral *next;
    pfsync *ps;
    uint32_t creatorid;
    uint64_t id;
    pfsync_release_fn release;
    void *arg;
    sim_event_id tmo;
};

typedef struct pfsync_msg {
    struct pfsync_msg *next;
    pfsync *from;
    sim_event_id ev;
    bool iack;           /* PFSYNC_ACT_INS_ACK for each entry */
    bool bulk_request;   /* PFSYNC_ACT_UREQ for everything */
    bool bulk_end;       /* PFSYNC_ACT_BUS end: the bulk update is complete */
    uint64_t cksum;      /* the sender's ruleset checksum (pfsync_header.pfcksum) */
    size_t n;
    pfsync_entry e[];
} pfsync_msg;

void pfsync_options_default(pfsync_options *o)
{
    o->flush_interval = 1 * SIM_S; /* pfsync_timeout: callout_reset(1 * hz) */
    /* pfSense: `ifconfig pfsync0 -defer` (interfaces.inc interfaces_sync_setup). */
    o->defer = false;
    o->defer_timeout = 20 * SIM_MS; /* PFSYNC_DEFER_TIMEOUT (20 * hz) / 1000 */
    o->mtu = 1500;                  /* pfsync_clone_create: if_mtu = ETHERMTU */
    o->delay = 0;
    /* net.pfsync.carp_demotion_factor 240 while the bulk update runs
     * (ha-model.md §1.3, PS4); retry every 5 s, 12 tries (if_pfsync.c
     * pfsync_bulk_fail, PFSYNC_MAX_BULKTRIES). */
    o->bulk = true;
    o->carp_demotion_factor = 240;
    o->bulk_retry = 5 * SIM_S;
    o->bulk_max_tries = 12;
}

void pfsync_init(pfsync *ps, sim_engine *eng, pf *pf, const pfsync_ops *ops, const pfsync_options *opt)
{
    memset(ps, 0, sizeof *ps);
    ps->eng = eng;
    ps->pf = pf;
    if (ops)
        ps->ops = *ops;
    if (opt)
        ps->opt = *opt;
    else
        pfsync_options_default(&ps->opt);
    ps->sync_ok = true;
}

void pfsync_pair(pfsync *a, pfsync *b)
{
    a->peer = b;
    b->peer = a;
}

static bool side_up(const pfsync *ps) { return !ps->ops.up || ps->ops.up(ps->ops.ctx); }

static void log_text(pfsync *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_text(pfsync *ps, const char *fmt, ...)
{
    if (!ps->ops.log)
        return;
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ps->ops.log(ps->ops.ctx, buf);
}

static void unlink_msg(pfsync *from, pfsync_msg *m)
{
    for (pfsync_msg **pp = &from->inflight; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            return;
        }
}

static void send_msg(pfsync *ps, const pfsync_entry *e, size_t n, bool bulk_request, bool bulk_end);
static void send_iacks(pfsync *ps, const pfsync_entry *e, size_t n);
static void undefer(pfsync_deferral *d, bool drop);

static void bulk_done(pfsync *ps, const char *why)
{
    sim_cancel(ps->eng, ps->bulk_ev);
    ps->bulk_ev = 0;
    ps->bulk_tries = 0;
    if (!ps->sync_ok) {
        ps->sync_ok = true;
        if (ps->ops.demote)
            ps->ops.demote(ps->ops.ctx, -ps->opt.carp_demotion_factor);
        log_text(ps, "%s", why);
    }
}

static void send_bulk(pfsync *ps)
{
    /* pfsync_bulk_update: every live state, then the end marker. */
    size_t n = 0;
    pfsync_entry *e = calloc(ps->pf->n ? ps->pf->n : 1, sizeof *e);
    if (!e)
        return;
    for (size_t i = 0; i < ps->pf->n; i++) {
        pf_state *s = ps->pf->st[i];
        if (!s->nosync && pf_state_live(ps->pf, s)) {
            e[n].kind = PF_SYNC_INSERT;
            e[n].s = *s;
            n++;
        }
    }
    send_msg(ps, e, n, false, true);
    free(e);
}

static void deliver(void *arg)
{
    pfsync_msg *m = arg;
    pfsync *from = m->from, *to = from->peer;
    unlink_msg(from, m);
    if (to && side_up(to) && m->iack) {
        /* pfsync_in_iack: each acked state's held packet goes out. */
        for (size_t i = 0; i < m->n; i++)
            for (pfsync_deferral *d = to->dfr; d; d = d->next)
                if (d->creatorid == m->e[i].s.creatorid && d->id == m->e[i].s.id) {
                    undefer(d, false);
                    break;
                }
    } else if (to && side_up(to) && m->bulk_request) {
        send_bulk(to);
    } else if (to && side_up(to)) {
        size_t imp = 0, skip = 0, nack = 0;
        pfsync_entry *acks = NULL;
        for (size_t i = 0; i < m->n; i++) {
            const pfsync_entry *e = &m->e[i];
            if (e->kind == PF_SYNC_DELETE) {
                to->deleted += pf_state_import_delete(to->pf, &e->s);
                continue;
            }
            /* pfsync_state_export sends the remaining lifetime and the
             * peer rebuilds its expiry from it at import; the model keeps
             * the sender's absolute expiry (the real copy outlives it by
             * the transit time). */
            sim_time remaining = pf_state_expires_at(to->pf, &e->s) - sim_now(to->eng);
            if (remaining <= 0)
                continue;
            /* pfsync_state_import: the state keeps its rule number only
             * when the sender's ruleset checksum equals ours (PFSYNC_SI_CKSUM),
             * else it is tied to the default rule; the NAT rule is not
             * restored. Route-to/reply-to travel with the state (FreeBSD 14
             * pfsync_state_1400 rt, rt_addr, rt_ifname). */
            pf_state cp = e->s;
            if (m->cksum != to->pf->rules_cksum)
                cp.rule = -1;
            cp.nat_rule = -1;
            if (pf_state_import(to->pf, &cp, remaining)) {
                imp++;
                /* pfsync_state_import: an inserted state flagged
                 * PFSTATE_ACK is acknowledged at once (PFSYNC_S_IACK,
                 * pfsync_push_all). */
                if (e->ack) {
                    if (!acks && !(acks = calloc(m->n, sizeof *acks)))
                        sim_oom("pfsync insert acks");
                    acks[nack++] = *e;
                }
            } else {
                skip++;
            }
        }
        to->imported += imp;
        to->skipped += skip;
        log_text(to, "pfsync: %zu state%s imported, %llu skipped", imp, imp == 1 ? "" : "s", (unsigned long long)skip);
        if (nack) {
            send_iacks(to, acks, nack);
            pfsync_flush(to);
        }
        free(acks);
        if (m->bulk_end && !to->sync_ok && to->bulk_ev)
            bulk_done(to, "pfsync: bulk update done, carp demotion removed");
    }
    free(m);
}

static pfsync_msg *send_msg_kind(pfsync *ps, const pfsync_entry *e, size_t n, bool iack, bool bulk_request,
                                 bool bulk_end)
{
    pfsync_msg *m = malloc(sizeof *m + (n ? n : 1) * sizeof m->e[0]);
    if (!m)
        sim_oom("a pfsync message");
    m->from = ps;
    m->n = n;
    m->iack = iack;
    m->bulk_request = bulk_request;
    m->bulk_end = bulk_end;
    m->cksum = ps->pf->rules_cksum;
    if (n)
        memcpy(m->e, e, n * sizeof m->e[0]);
    m->next = ps->inflight;
    ps->inflight = m;
    ps->msgs_sent++;
    ps->entries_sent += n;
    m->ev = sim_schedule_in(ps->eng, ps->opt.delay, deliver, m);
    return m;
}

static void send_msg(pfsync *ps, const pfsync_entry *e, size_t n, bool bulk_request, bool bulk_end)
{
    send_msg_kind(ps, e, n, false, bulk_request, bulk_end);
}

static void send_iacks(pfsync *ps, const pfsync_entry *e, size_t n)
{
    if (ps->peer && side_up(ps))
        send_msg_kind(ps, e, n, true, false, false);
}

void pfsync_flush(pfsync *ps)
{
    /* pfsync_push / pfsync_sendout leave the callout running: it finds an
     * empty packet (nothing to send) unless a change was queued since
     * without re-arming it (the one that did not fit). */
    if (ps->qn == 0)
        return;
    if (!ps->peer || !side_up(ps)) {
        ps->qn = 0;
        memset(ps->qkind, 0, sizeof ps->qkind);
        return;
    }
    log_text(ps, "pfsync: sent %zu state change%s (message %llu)", ps->qn, ps->qn == 1 ? "" : "s", (unsigned long long)(ps->msgs_sent + 1));
    send_msg(ps, ps->q, ps->qn, false, false);
    ps->qn = 0;
    memset(ps->qkind, 0, sizeof ps->qkind);
}

static void bulk_fail(void *arg)
{
    pfsync *ps = arg;
    ps->bulk_ev = 0;
    if (ps->bulk_tries++ < ps->opt.bulk_max_tries) {
        /* Try again in a bit. */
        ps->bulk_ev = sim_schedule_in(ps->eng, ps->opt.bulk_retry, bulk_fail, ps);
        if (ps->peer && side_up(ps))
            send_msg(ps, NULL, 0, true, false);
        return;
    }
    bulk_done(ps, "pfsync: bulk update failed, carp demotion removed");
}

void pfsync_bulk_start(pfsync *ps)
{
    if (!ps->opt.bulk || !ps->peer)
        return;
    sim_cancel(ps->eng, ps->bulk_ev);
    ps->bulk_tries = 0;
    if (ps->sync_ok && ps->ops.demote)
        ps->ops.demote(ps->ops.ctx, ps->opt.carp_demotion_factor);
    ps->sync_ok = false;
    ps->bulk_ev = sim_schedule_in(ps->eng, ps->opt.bulk_retry, bulk_fail, ps);
    if (side_up(ps))
        send_msg(ps, NULL, 0, true, false);
    log_text(ps, "pfsync: bulk update requested, carp demoted by %zu", (size_t)ps->opt.carp_demotion_factor);
}

static void flush_timer(void *arg)
{
    pfsync *ps = arg;
    ps->flush_ev = 0;
    pfsync_flush(ps);
}

size_t pfsync_queued_len(const pfsync *ps)
{
    size_t len = PFSYNC_MINPKT;
    for (int k = 0; k < 3; k++)
        if (ps->qkind[k])
            len += PFSYNC_SUBHDR + ps->qkind[k] * entry_len[k];
    return len;
}

static void q_del(pfsync *ps, size_t i)
{
    ps->qkind[ps->q[i].kind]--;
    memmove(&ps->q[i], &ps->q[i + 1], (ps->qn - i - 1) * sizeof ps->q[0]);
    ps->qn--;
}

static void q_ins(pfsync *ps, const pf_state *s, pf_sync_kind k)
{
    /* pfsync_q_ins: a change that would not fit sends the packet first
     * (pfsync_sendout, at once). */
    size_t add = entry_len[k] + (ps->qkind[k] ? 0 : PFSYNC_SUBHDR);
    if (ps->qn && pfsync_queued_len(ps) + add > ps->opt.mtu) {
        ps->full_sends++;
        pfsync_flush(ps);
    }
    if (ps->qn == ps->qcap) {
        size_t nc = ps->qcap ? 2 * ps->qcap : 16;
        pfsync_entry *nq = realloc(ps->q, nc * sizeof *nq);
        if (!nq)
            sim_oom("the pfsync queue");
        ps->q = nq;
        ps->qcap = nc;
    }
    pfsync_entry *e = &ps->q[ps->qn++];
    e->kind = k;
    e->ack = false;
    e->s = *s;
    ps->qkind[k]++;
}

static pfsync_deferral *deferral_of(const pfsync *ps, const pf_state *s)
{
    for (pfsync_deferral *d = ps->dfr; d; d = d->next)
        if (d->creatorid == s->creatorid && d->id == s->id)
            return d;
    return NULL;
}

void pfsync_queue(pfsync *ps, const pf_state *s, pf_sync_kind k)
{
    if (!ps->peer)
        return;
    /* pfsync_update_state / pfsync_delete_state: a packet held for this
     * state goes out on its next update, and is dropped with it. */
    pfsync_deferral *d = k == PF_SYNC_INSERT ? NULL : deferral_of(ps, s);
    if (d)
        undefer(d, k == PF_SYNC_DELETE);
    /* callout_reset(&b->b_tmo, 1 * hz, pfsync_timeout) whenever a change
     * is queued into an empty packet. */
    if (ps->qn == 0) {
        sim_cancel(ps->eng, ps->flush_ev);
        ps->flush_ev = sim_schedule_in(ps->eng, ps->opt.flush_interval, flush_timer, ps);
    }
    size_t i = 0;
    while (i < ps->qn && !(ps->q[i].s.creatorid == s->creatorid && ps->q[i].s.id == s->id))
        i++;
    if (i == ps->qn) {
        /* Not queued: an insert, a compressed update or a compressed delete. */
        q_ins(ps, s, k);
        return;
    }
    pfsync_entry *e = &ps->q[i];
    if (k != PF_SYNC_DELETE) {
        /* Already queued ("we're already handling it"): the packet carries
         * the state as it is when it leaves. */
        e->s = *s;
        return;
    }
    /* A delete: an insert never sent is forgotten ("we never got to tell
     * the world"); a queued update becomes the delete. */
    pf_sync_kind was = e->kind;
    q_del(ps, i);
    if (was != PF_SYNC_INSERT)
        q_ins(ps, s, PF_SYNC_DELETE);
}

static void unlink_deferral(pfsync_deferral *d)
{
    pfsync *ps = d->ps;
    for (pfsync_deferral **pp = &ps->dfr; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            ps->ndfr--;
            break;
        }
    sim_cancel(ps->eng, d->tmo);
}

static void undefer(pfsync_deferral *d, bool drop)
{
    unlink_deferral(d);
    pfsync_release_fn fn = d->release;
    void *arg = d->arg;
    free(d);
    fn(arg, drop);
}

static void defer_tmo(void *arg)
{
    /* pfsync_defer_tmo: no ack in time, the packet goes out anyway. */
    pfsync_deferral *d = arg;
    d->tmo = 0;
    undefer(d, false);
}

bool pfsync_defer(pfsync *ps, const pf_state *s, pfsync_release_fn release, void *arg)
{
    /* pfsync_defer asks only whether pfsync0 runs with PFSYNCF_DEFER: with
     * the sync link down the push is lost and the packet waits the full
     * timeout. */
    if (!ps->opt.defer || !ps->peer || s->nosync)
        return false;
    size_t i = 0;
    while (i < ps->qn && !(ps->q[i].s.creatorid == s->creatorid && ps->q[i].s.id == s->id))
        i++;
    if (i == ps->qn || ps->q[i].kind != PF_SYNC_INSERT)
        return false;
    if (ps->ndfr >= PFSYNC_MAX_DEFERRED) {
        pfsync_deferral *old = ps->dfr;
        while (old->next)
            old = old->next;
        undefer(old, false);
    }
    pfsync_deferral *d = malloc(sizeof *d);
    if (!d)
        sim_oom("a pfsync deferral");
    *d = (pfsync_deferral){.next = ps->dfr, .ps = ps, .creatorid = s->creatorid, .id = s->id, .release = release,
                           .arg = arg};
    d->tmo = sim_schedule_in(ps->eng, ps->opt.defer_timeout, defer_tmo, d);
    ps->dfr = d;
    ps->ndfr++;
    /* PFSTATE_ACK travels with the insert; pfsync_push sends it now. */
    ps->q[i].ack = true;
    pfsync_flush(ps);
    return true;
}

static void drop_deferrals(pfsync *ps, bool tell)
{
    while (ps->dfr) {
        pfsync_deferral *d = ps->dfr;
        if (tell) {
            undefer(d, true);
        } else {
            unlink_deferral(d);
            free(d);
        }
    }
}

void pfsync_reset(pfsync *ps)
{
    /* Power-off: the queue and the bulk timer go; the demotion lived in the
     * CARP instance that goes with it. */
    if (ps->qn)
        log_text(ps, "pfsync: %zu queued state change%s never sent (power-off before the next pfsync packet)", ps->qn,
                 ps->qn == 1 ? "" : "s");
    sim_cancel(ps->eng, ps->flush_ev);
    sim_cancel(ps->eng, ps->bulk_ev);
    ps->flush_ev = ps->bulk_ev = 0;
    ps->qn = 0;
    memset(ps->qkind, 0, sizeof ps->qkind);
    drop_deferrals(ps, true);
    ps->sync_ok = true;
    ps->bulk_tries = 0;
}

void pfsync_free(pfsync *ps)
{
    /* The held packets belong to the host, which frees them itself. */
    drop_deferrals(ps, false);
    pfsync_reset(ps);
    while (ps->inflight) {
        pfsync_msg *m = ps->inflight;
        ps->inflight = m->next;
        sim_cancel(ps->eng, m->ev);
        free(m);
    }
    free(ps->q);
    ps->q = NULL;
    ps->qcap = 0;
    if (ps->peer && ps->peer->peer == ps)
        ps->peer->peer = NULL;
    ps->peer = NULL;
}
