/*
 * pfsync.c — replication of pf states to the HA peer.
 *
 * Sources: ha-model.md §2 (PS4 = FreeBSD pfsync(4), PSC = if_pfsync.c):
 * - every local state insert/update/delete is exported (both keys, so NAT
 *   translations travel unchanged; interface name; creator id; timeouts),
 *   except states of no-sync rules; what was received is not rebroadcast
 *   (pf_state.c notify());
 * - updates are merged per state and sent within 1 s (the pfsync_timeout
 *   callout armed at 1 s when the first change is queued);
 * - pfSense runs `pfsync0 -defer` (IFS): a new state is pushed at once;
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

typedef struct pfsync_msg {
    struct pfsync_msg *next;
    pfsync *from;
    sim_event_id ev;
    bool bulk_request;   /* PFSYNC_ACT_UREQ for everything */
    bool bulk_end;       /* PFSYNC_ACT_BUS end: the bulk update is complete */
    uint64_t cksum;      /* the sender's ruleset checksum (pfsync_header.pfcksum) */
    size_t n;
    pfsync_entry e[];
} pfsync_msg;

void pfsync_options_default(pfsync_options *o)
{
    o->flush_interval = 1 * SIM_S; /* "sent within 1 s" (ha-model.md §2) */
    o->defer = true;               /* pfSense: pfsync0 -defer (ha-model.md §2) */
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
    if (to && side_up(to) && m->bulk_request) {
        send_bulk(to);
    } else if (to && side_up(to)) {
        size_t imp = 0, skip = 0;
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
            if (pf_state_import(to->pf, &cp, remaining))
                imp++;
            else
                skip++;
        }
        to->imported += imp;
        to->skipped += skip;
        log_text(to, "pfsync: %zu state%s imported, %llu skipped", imp, imp == 1 ? "" : "s", (unsigned long long)skip);
        if (m->bulk_end && !to->sync_ok && to->bulk_ev)
            bulk_done(to, "pfsync: bulk update done, carp demotion removed");
    }
    free(m);
}

static void send_msg(pfsync *ps, const pfsync_entry *e, size_t n, bool bulk_request, bool bulk_end)
{
    pfsync_msg *m = malloc(sizeof *m + (n ? n : 1) * sizeof m->e[0]);
    if (!m)
        return;
    m->from = ps;
    m->n = n;
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
}

void pfsync_flush(pfsync *ps)
{
    sim_cancel(ps->eng, ps->flush_ev);
    ps->flush_ev = 0;
    if (ps->qn == 0)
        return;
    if (!ps->peer || !side_up(ps)) {
        ps->qn = 0;
        return;
    }
    log_text(ps, "pfsync: sent %zu state change%s (message %llu)", ps->qn, ps->qn == 1 ? "" : "s", (unsigned long long)(ps->msgs_sent + 1));
    send_msg(ps, ps->q, ps->qn, false, false);
    ps->qn = 0;
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

void pfsync_queue(pfsync *ps, const pf_state *s, pf_sync_kind k)
{
    if (!ps->peer)
        return;
    /* Merge with a queued entry of the same state: the newest snapshot
     * wins; a delete replaces whatever was queued; an insert stays an
     * insert when updated before the flush. */
    pfsync_entry *e = NULL;
    for (size_t i = 0; i < ps->qn; i++)
        if (ps->q[i].s.creatorid == s->creatorid && ps->q[i].s.id == s->id) {
            e = &ps->q[i];
            break;
        }
    if (!e) {
        if (ps->qn == ps->qcap) {
            size_t nc = ps->qcap ? 2 * ps->qcap : 16;
            pfsync_entry *nq = realloc(ps->q, nc * sizeof *nq);
            if (!nq)
                return;
            ps->q = nq;
            ps->qcap = nc;
        }
        e = &ps->q[ps->qn++];
        e->kind = k;
    } else if (k == PF_SYNC_DELETE || e->kind != PF_SYNC_INSERT) {
        e->kind = k;
    }
    e->s = *s;
    if (k == PF_SYNC_INSERT && ps->opt.defer) {
        pfsync_flush(ps);
        return;
    }
    if (!ps->flush_ev)
        ps->flush_ev = sim_schedule_in(ps->eng, ps->opt.flush_interval, flush_timer, ps);
}

void pfsync_reset(pfsync *ps)
{
    /* Power-off: the queue and the bulk timer go; the demotion lived in the
     * CARP instance that goes with it. */
    sim_cancel(ps->eng, ps->flush_ev);
    sim_cancel(ps->eng, ps->bulk_ev);
    ps->flush_ev = ps->bulk_ev = 0;
    ps->qn = 0;
    ps->sync_ok = true;
    ps->bulk_tries = 0;
}

void pfsync_free(pfsync *ps)
{
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
