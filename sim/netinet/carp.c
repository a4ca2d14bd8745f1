/*
 * carp.c — the FreeBSD CARPv2 state machine per vhid and its advertisement.
 *
 * Sources (ha-model.md §1 tags C = sys/netinet/ip_carp.c, CH = ip_carp.h,
 * M4 = carp(4), IFS = pfSense interfaces.inc). Function names in comments
 * are the ip_carp.c functions whose behaviour each piece reproduces.
 *
 * Time values: FreeBSD compares (advbase s, skew x 1/256 s) as one timeval
 * (ha-model.md §1.2). 1/256 s is exactly 3,906,250 ns, so the model keeps
 * nanoseconds without rounding. The kernel turns timevals into ticks
 * (tvtohz, +1 tick at hz=1000); that millisecond is not modelled.
 */
#include "sim/netinet/carp.h"
#include "sim/net/net.h"

#include <nettle/hmac.h>
#include <nettle/sha1.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SKEW_NS (SIM_S / 256) /* 1/256 s: ha-model.md §1.2 */

const char *carp_state_name(carp_state s)
{
    switch (s) {
    case CARP_INIT: return "init";
    case CARP_BACKUP: return "backup";
    case CARP_MASTER: return "master";
    }
    return "?";
}

const char *carp_input_result_name(carp_input_result r)
{
    static const char *const n[CARP_IN__COUNT] = {
        "ok", "bad-ttl", "bad-length", "bad-checksum", "bad-version", "bad-vhid", "bad-auth", "ignored-in-init",
    };
    return (unsigned)r < CARP_IN__COUNT ? n[r] : "?";
}

void carp_vmac(uint8_t vhid, uint8_t mac[6])
{
    /* ha-model.md §1.1 "Ethernet source": 00:00:5e:00:01:VHID (IANA VRRP range). */
    mac[0] = 0x00;
    mac[1] = 0x00;
    mac[2] = 0x5e;
    mac[3] = 0x00;
    mac[4] = 0x01;
    mac[5] = vhid;
}

/* ------------------------------------------------------------------ */
/* Wire format                                                        */
/* ------------------------------------------------------------------ */

void carp_key_from_pass(uint8_t key[CARP_KEY_LEN], const char *pass)
{
    /* ifconfig copies the pass into carpr_key[CARP_KEY_LEN], zero padded,
     * truncated at 20 bytes; the HMAC key is those 20 bytes (ha-model.md §1.1). */
    memset(key, 0, CARP_KEY_LEN);
    if (pass) {
        size_t n = strlen(pass);
        memcpy(key, pass, n < CARP_KEY_LEN ? n : CARP_KEY_LEN);
    }
}

uint16_t carp_inet_cksum(const uint8_t *b, size_t len) { return sim_inet_checksum(b, len); }

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void carp_hmac(uint8_t md[20], const uint8_t key[CARP_KEY_LEN], uint8_t vhid, const uint32_t *vips,
               size_t n_vips, uint64_t counter)
{
    /* carp_hmac_prepare / carp_hmac_generate (ha-model.md §1.1 "HMAC"):
     * HMAC-SHA1 keyed by the 20-byte pass over version, type, vhid, the
     * IPv4 VIPs in ascending numeric order (network byte order each), then
     * the 64-bit counter as it sits in the header. No IPv6 VIPs here. */
    uint32_t sorted[CARP_MAX_VIPS];
    size_t n = n_vips < CARP_MAX_VIPS ? n_vips : CARP_MAX_VIPS;
    memcpy(sorted, vips, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);

    struct hmac_sha1_ctx ctx;
    hmac_sha1_set_key(&ctx, CARP_KEY_LEN, key);
    uint8_t head[3] = {CARP_VERSION, CARP_TYPE_ADVERTISEMENT, vhid};
    hmac_sha1_update(&ctx, sizeof head, head);
    for (size_t i = 0; i < n; i++) {
        uint8_t a[4] = {(uint8_t)(sorted[i] >> 24), (uint8_t)(sorted[i] >> 16), (uint8_t)(sorted[i] >> 8),
                        (uint8_t)sorted[i]};
        hmac_sha1_update(&ctx, sizeof a, a);
    }
    uint8_t cnt[8];
    for (int i = 0; i < 8; i++)
        cnt[i] = (uint8_t)(counter >> (56 - 8 * i));
    hmac_sha1_update(&ctx, sizeof cnt, cnt);
    hmac_sha1_digest(&ctx, SHA1_DIGEST_SIZE, md);
}

void carp_ad_encode(uint8_t out[CARP_HDR_LEN], uint8_t vhid, uint8_t advbase, uint8_t advskew,
                    uint64_t counter, const uint8_t key[CARP_KEY_LEN], const uint32_t *vips, size_t n_vips)
{
    /* struct carp_header (ip_carp.h), ha-model.md §1.1 "header (36 bytes)". */
    memset(out, 0, CARP_HDR_LEN);
    out[0] = (uint8_t)(CARP_VERSION << 4 | CARP_TYPE_ADVERTISEMENT);
    out[1] = vhid;
    out[2] = advskew;
    out[3] = CARP_AUTHLEN;
    out[4] = 0; /* carp_pad1 */
    out[5] = advbase;
    /* out[6..7] checksum, filled last */
    for (int i = 0; i < 8; i++)
        out[8 + i] = (uint8_t)(counter >> (56 - 8 * i));
    carp_hmac(out + 16, key, vhid, vips, n_vips, counter);
    uint16_t ck = carp_inet_cksum(out, CARP_HDR_LEN);
    out[6] = (uint8_t)(ck >> 8);
    out[7] = (uint8_t)ck;
}

carp_input_result carp_ad_decode(const uint8_t *b, size_t len, carp_ad *out)
{
    /* carp_input: too short -> carps_badlen; checksum over the CARP header
     * -> carps_badsum; carp_input_c: version -> carps_badver. */
    if (!b || len < CARP_HDR_LEN)
        return CARP_IN_BAD_LEN;
    if (carp_inet_cksum(b, CARP_HDR_LEN) != 0)
        return CARP_IN_BAD_CKSUM;
    out->version = b[0] >> 4;
    out->type = b[0] & 0x0f;
    if (out->version != CARP_VERSION || out->type != CARP_TYPE_ADVERTISEMENT)
        return CARP_IN_BAD_VERSION;
    out->vhid = b[1];
    out->advskew = b[2];
    out->authlen = b[3];
    out->advbase = b[5];
    out->cksum = (uint16_t)(b[6] << 8 | b[7]);
    out->counter = 0;
    for (int i = 0; i < 8; i++)
        out->counter = out->counter << 8 | b[8 + i];
    memcpy(out->md, b + 16, 20);
    return CARP_IN_OK;
}

/* ------------------------------------------------------------------ */
/* State machine                                                      */
/* ------------------------------------------------------------------ */

static void setrun(carp_vhid *v);
static void send_ad_locked(carp_vhid *v);

unsigned carp_demoted_skew(const carp_vhid *v)
{
    /* DEMOTE_ADVSKEW (ip_carp.c): advskew + V_carp_demotion, capped at
     * CARP_MAXSKEW 240, never below 0 (ha-model.md §1.3 demotion). */
    int s = (int)v->advskew + v->c->demotion;
    if (s > CARP_MAXSKEW)
        s = CARP_MAXSKEW;
    if (s < 0)
        s = 0;
    return (unsigned)s;
}

static sim_time interval_ns(unsigned advbase, unsigned skew)
{
    return (sim_time)advbase * SIM_S + (sim_time)skew * SKEW_NS;
}

static void set_state(carp_vhid *v, carp_state to, const char *why)
{
    carp_state from = v->state;
    if (from == to)
        return;
    v->state = to;
    if (v->c->ops.state_changed)
        v->c->ops.state_changed(v->c->ops.ctx, v, from, to, why);
}

static void stop_timers(carp_vhid *v)
{
    sim_cancel(v->c->eng, v->ad_tmo);
    sim_cancel(v->c->eng, v->md_tmo);
    v->ad_tmo = v->md_tmo = 0;
}

static void ad_timer_fired(void *arg)
{
    carp_vhid *v = arg;
    v->ad_tmo = 0;
    send_ad_locked(v); /* carp_send_ad callout */
}

static void send_ad_error(carp_vhid *v, int err)
{
    /* carp_send_ad_error (FreeBSD 13.1+/14 ip_carp.c; ha-model.md §1.3
     * senderr_demotion_factor): an error resets the success count and the
     * third error (counted since the last reset, not necessarily in a row)
     * adds the senderr factor to the global demotion; after errors,
     * CARP_SENDAD_MIN_SUCCESS good sends reset the error count and, if the
     * demotion was applied, remove it. Older kernels reset the error count
     * on the first good send and so never reverted the demotion; the model
     * follows the fixed code. carp_demote sends an ad for every MASTER at
     * once (the kernel queues carp_send_ad_all), this one included; its
     * ad timer is already re-armed, so that send only re-arms it again. */
    carp *c = v->c;
    if (err) {
        if (v->sendad_errors < INT_MAX)
            v->sendad_errors++;
        v->sendad_success = 0;
        if (v->sendad_errors == CARP_SENDAD_MAX_ERRORS)
            carp_demote(c, c->senderr_factor);
    } else if (v->sendad_errors > 0 && ++v->sendad_success >= CARP_SENDAD_MIN_SUCCESS) {
        bool demoted = v->sendad_errors >= CARP_SENDAD_MAX_ERRORS;
        v->sendad_errors = 0;
        v->sendad_success = 0;
        if (demoted)
            carp_demote(c, -c->senderr_factor);
    }
}

static void send_ad_locked(carp_vhid *v)
{
    carp *c = v->c;
    /* carp_send_ad_locked: the advertised skew is the demoted one, and the
     * next ad is scheduled after advbase + demoted skew (ha-model.md §1.2
     * "MASTER sends"). */
    unsigned skew = carp_demoted_skew(v);
    /* carp_prepare_ad: a random 64-bit counter at first (FreeBSD draws it
     * with two 32-bit arc4random calls; here from the node stream), then +1 per ad (ha-model.md §1.1 "counter"). */
    if (v->init_counter) {
        v->counter = sim_rng_u64(c->rng);
        v->init_counter = false;
    } else {
        v->counter++;
    }
    uint8_t ad[CARP_HDR_LEN];
    carp_ad_encode(ad, v->vhid, v->advbase, (uint8_t)skew, v->counter, v->key, v->vips, v->n_vips);
    v->ads_sent++;
    int err = c->ops.send_ad(c->ops.ctx, v, ad);
    sim_cancel(c->eng, v->ad_tmo);
    v->ad_tmo = sim_schedule_in(c->eng, interval_ns(v->advbase, skew), ad_timer_fired, v);
    send_ad_error(v, err);
}

static void master_down(carp_vhid *v, const char *why)
{
    /* carp_master_down_locked: only from BACKUP. Send an ad at once, one
     * gratuitous ARP per IPv4 VIP, then carp_setrun(MASTER) re-arms the ad
     * timer with the RAW advskew (so only this first gap ignores demotion),
     * then carp_addroute (the host installs the VIP routes on the state
     * change callback). ha-model.md §1.2 "becoming MASTER". */
    if (v->state != CARP_BACKUP)
        return;
    sim_cancel(v->c->eng, v->md_tmo);
    v->md_tmo = 0;
    set_state(v, CARP_MASTER, why);
    send_ad_locked(v);
    if (v->c->ops.send_garp)
        for (size_t i = 0; i < v->n_vips; i++)
            v->c->ops.send_garp(v->c->ops.ctx, v, v->vips[i]);
    setrun(v);
}

static void md_timer_fired(void *arg)
{
    carp_vhid *v = arg;
    v->md_tmo = 0;
    master_down(v, "master timed out");
}

static bool runnable(const carp_vhid *v)
{
    /* carp_setrun returns early unless the parent is up with link, the vhid
     * has addresses and carp is allowed. */
    return v->if_up && v->n_vips > 0 && v->c->allow;
}

static void setrun(carp_vhid *v)
{
    carp *c = v->c;
    if (!runnable(v))
        return;
    switch (v->state) {
    case CARP_INIT:
        /* INIT -> BACKUP at once; a node never starts as MASTER (ha-model.md §1.2). */
        set_state(v, CARP_BACKUP, "initialization complete");
        setrun(v);
        break;
    case CARP_BACKUP:
        /* Master-down timer: 3 x advbase + advskew/256 s with the CONFIGURED
         * advskew, not the demoted one (ha-model.md §1.2). */
        sim_cancel(c->eng, v->ad_tmo);
        v->ad_tmo = 0;
        sim_cancel(c->eng, v->md_tmo);
        v->md_tmo = sim_schedule_in(c->eng, interval_ns(3u * v->advbase, v->advskew), md_timer_fired, v);
        break;
    case CARP_MASTER:
        /* First gap after (re)arming uses the raw advskew (ha-model.md §1.2). */
        sim_cancel(c->eng, v->ad_tmo);
        v->ad_tmo = sim_schedule_in(c->eng, interval_ns(v->advbase, v->advskew), ad_timer_fired, v);
        break;
    }
}

static void sc_state(carp_vhid *v)
{
    /* carp_sc_state: link down / IFF_UP off / allow=0 -> timers stop, INIT,
     * demotion += ifdown factor once per vhid (sc_suppress); recovery ->
     * INIT -> BACKUP and demotion -= factor (ha-model.md §1.2). */
    carp *c = v->c;
    if (!v->if_up || !c->allow) {
        stop_timers(v);
        set_state(v, CARP_INIT, v->if_up ? "carp disabled" : "hardware interface down");
        if (!v->suppress) {
            v->suppress = true;
            carp_demote(c, c->ifdown_factor);
        }
    } else {
        stop_timers(v);
        set_state(v, CARP_INIT, "hardware interface up");
        setrun(v);
        if (v->suppress) {
            v->suppress = false;
            carp_demote(c, -c->ifdown_factor);
        }
    }
}

void carp_init(carp *c, sim_engine *eng, sim_rng *rng, const carp_host_ops *ops)
{
    memset(c, 0, sizeof *c);
    c->eng = eng;
    c->rng = rng;
    c->ops = *ops;
    c->preempt = true; /* pfSense forces net.inet.carp.preempt=1 (ha-model.md §1.3, IFS) */
    c->allow = true;
    c->demotion = 0;
    c->ifdown_factor = CARP_IFDOWN_DEMOTION;
    c->senderr_factor = CARP_SENDERR_DEMOTION;
}

void carp_destroy(carp *c)
{
    for (size_t i = 0; i < c->n; i++) {
        stop_timers(c->v[i]);
        free(c->v[i]);
    }
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

carp_vhid *carp_find(const carp *c, uint32_t ifindex, uint8_t vhid)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i]->ifindex == ifindex && c->v[i]->vhid == vhid)
            return c->v[i];
    return NULL;
}

carp_vhid *carp_find_vip(const carp *c, uint32_t vip)
{
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->v[i]->n_vips; k++)
            if (c->v[i]->vips[k] == vip)
                return c->v[i];
    return NULL;
}

carp_vhid *carp_add_vhid(carp *c, uint32_t ifindex, uint8_t vhid, uint8_t advbase, uint8_t advskew,
                         const uint8_t key[CARP_KEY_LEN], const uint32_t *vips, size_t n_vips)
{
    /* carp_ioctl limits (ha-model.md §1.3): vhid 1..255, advbase 1..255,
     * advskew 0..254. */
    if (vhid == 0 || advbase == 0 || advskew > CARP_MAX_ADVSKEW || n_vips > CARP_MAX_VIPS)
        return NULL;
    if (carp_find(c, ifindex, vhid))
        return NULL;
    if (c->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 4;
        carp_vhid **nv = realloc(c->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        c->v = nv;
        c->cap = nc;
    }
    carp_vhid *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->c = c;
    v->ifindex = ifindex;
    v->vhid = vhid;
    v->advbase = advbase;
    v->advskew = advskew;
    if (key)
        memcpy(v->key, key, CARP_KEY_LEN);
    memcpy(v->vips, vips, n_vips * sizeof *vips);
    v->n_vips = n_vips;
    v->state = CARP_INIT;
    v->init_counter = true;
    c->v[c->n++] = v;
    return v;
}

void carp_set_if(carp *c, uint32_t ifindex, bool up)
{
    for (size_t i = 0; i < c->n; i++) {
        carp_vhid *v = c->v[i];
        if (v->ifindex != ifindex)
            continue;
        if (v->if_up == up)
            continue;
        v->if_up = up;
        sc_state(v);
    }
}

void carp_set_allow(carp *c, bool allow)
{
    /* carp_allow_sysctl: on a change, carp_sc_state for every vhid. */
    if (c->allow == allow)
        return;
    c->allow = allow;
    for (size_t i = 0; i < c->n; i++)
        sc_state(c->v[i]);
}

void carp_vhid_addrs_removed(carp_vhid *v)
{
    /* carp_destroy: "if (sc->sc_suppress) carp_demote_adj(-V_carp_ifdown_adj,
     * "vhid removed")"; a new carp_attach starts from scratch. */
    stop_timers(v);
    set_state(v, CARP_INIT, "vhid removed");
    if (v->suppress) {
        v->suppress = false;
        carp_demote(v->c, -v->c->ifdown_factor);
    }
    v->init_counter = true;
    v->sendad_errors = v->sendad_success = 0;
}

bool carp_set_advskew(carp_vhid *v, unsigned advskew)
{
    /* carp_ioctl SIOCSVH: advskew >= 255 is EINVAL; the value is stored and
     * used by the next timer that reads it; running callouts are not reset. */
    if (advskew > CARP_MAX_ADVSKEW)
        return false;
    v->advskew = (uint8_t)advskew;
    if (v->c->ops.changed)
        v->c->ops.changed(v->c->ops.ctx);
    return true;
}

void carp_demote(carp *c, int adj)
{
    /* carp_demote_adj: atomically add, then carp_send_ad_all sends an ad for
     * every MASTER vhid (which also re-arms its ad timer). */
    if (adj == 0)
        return;
    c->demotion += adj;
    if (c->ops.changed)
        c->ops.changed(c->ops.ctx);
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i]->state == CARP_MASTER)
            send_ad_locked(c->v[i]);
}

carp_input_result carp_input(carp *c, uint32_t ifindex, uint8_t ttl, const uint8_t *payload, size_t len)
{
    carp_ad ad;
    carp_vhid *v = NULL;
    carp_input_result r;

    /* carp_input: TTL must be CARP_DFLTTL 255 (ha-model.md §1.1 "receive check"). */
    if (ttl != CARP_DFLTTL) {
        r = CARP_IN_BAD_TTL;
        goto drop;
    }
    r = carp_ad_decode(payload, len, &ad);
    if (r != CARP_IN_OK)
        goto drop;
    /* carp_input_c: the vhid must be configured on the receiving interface
     * (ha-model.md §1.1 "vhid match"). */
    v = carp_find(c, ifindex, ad.vhid);
    if (!v) {
        r = CARP_IN_BAD_VHID;
        goto drop;
    }
    /* carp_hmac_verify: HMAC over our own VIP list with the received counter. */
    uint8_t md[20];
    carp_hmac(md, v->key, v->vhid, v->vips, v->n_vips, ad.counter);
    if (!wg_memeq(md, ad.md, sizeof md)) {
        r = CARP_IN_BAD_AUTH;
        goto drop;
    }
    v->ads_received++;
    /* carp_input_c does no replay check on the counter (its source says
     * replay protection is still to come): the receiver adopts the
     * counter (sc_counter = received, sc_init_counter = 0). */
    v->counter = ad.counter;
    v->init_counter = false;

    sim_time own = interval_ns(v->advbase, carp_demoted_skew(v));
    sim_time theirs = interval_ns(ad.advbase, ad.advskew);
    switch (v->state) {
    case CARP_INIT:
        /* INIT ignores ads (ha-model.md §1.2). */
        v->in_drops[CARP_IN_IGNORED]++;
        return CARP_IN_IGNORED;
    case CARP_MASTER:
        /* An ad with interval <= our own (tie included): -> BACKUP; the
         * host removes the VIP routes on the state change (ha-model.md §1.2). */
        if (own >= theirs) {
            sim_cancel(c->eng, v->ad_tmo);
            v->ad_tmo = 0;
            set_state(v, CARP_BACKUP, "more frequent advertisement received");
            setrun(v);
        }
        break;
    case CARP_BACKUP:
        /* preempt and own (advbase, demoted skew) < sender's: MASTER now. */
        if (c->preempt && own < theirs) {
            master_down(v, "preempting a slower master");
            break;
        }
        /* carp_input_c compares (3 x advbase, demoted skew) with the
         * sender's interval: a sender that slow would let our master-down
         * timer expire anyway, so take over now (ha-model.md §1.2). */
        if (interval_ns(3u * v->advbase, carp_demoted_skew(v)) < theirs) {
            master_down(v, "master will time out");
            break;
        }
        setrun(v); /* re-arm the master-down timer */
        break;
    }
    return CARP_IN_OK;

drop:
    if (v)
        v->in_drops[r]++;
    return r;
}
