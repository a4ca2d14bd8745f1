/*
 * pf_filter.c — pf_test: state lookup, outbound NAT, the filter ruleset
 * and route-to / reply-to.
 *
 * Sources: ha-model.md §2 and §3 (FLT = pfSense filter.inc) and FreeBSD
 * sys/netpfil/pf/pf.c (pf_test, pf_test_rule, pf_create_state, pf_route).
 * - A packet matching a state is translated as the state says and passes
 *   without rule evaluation.
 * - Otherwise outbound NAT is applied first, then the filter sees the
 *   translated packet (pf.conf(5): "translation occurs before filtering").
 * - Rules are ordered and the first match wins (pfSense generates `quick`
 *   rules). With no matching rule, inbound is blocked (pfSense default
 *   deny) and outbound passes with state (pfSense's "pass out all keep
 *   state" / "let out anything from firewall host itself").
 * - A pass rule creates a state unless it says no state. route-to applies
 *   to packets in the state's direction, reply-to to packets against it
 *   (pf_test: `s->rt == PF_ROUTETO && dir == s->direction`,
 *   `s->rt == PF_REPLYTO && dir != s->direction`).
 */
#include "sim/netpfil/pf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pf_drop_name(pf_drop d)
{
    switch (d) {
    case PF_DROP_NONE: return "none";
    case PF_DROP_RULE: return "blocked by rule";
    case PF_DROP_NAT_MAP: return "NAT translation failed (PFRES_MAPFAILED)";
    case PF_DROP_STATE_INSERT: return "state insert collision (PFRES_STATEINS)";
    default: return "?";
    }
}

void pf_init(pf *p, sim_engine *eng, sim_rng *rng, uint32_t creatorid, const pf_host_ops *ops)
{
    memset(p, 0, sizeof *p);
    p->eng = eng;
    p->rng = rng;
    if (ops)
        p->ops = *ops;
    p->creatorid = creatorid;
    pf_options_default(&p->opt);
}

void pf_destroy(pf *p)
{
    pf_state_table_free(p);
    free(p->rules);
    free(p->nat);
    free(p->rdr);
    free(p->eim);
    p->rules = NULL;
    p->nat = NULL;
    p->rdr = NULL;
    p->eim = NULL;
    p->n_rules = p->n_nat = p->n_rdr = p->n_eim = p->cap_eim = 0;
}

/* FNV-1a over the matching fields of every rule (not the labels), field by
 * field so struct padding never enters it. */
static uint64_t fnv(uint64_t h, const void *d, size_t n)
{
    const uint8_t *b = d;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}
#define FNV_FIELD(h, x) ((h) = fnv((h), &(x), sizeof(x)))

static uint64_t addr_cksum(uint64_t h, const pf_addr_match *m)
{
    uint32_t kind = (uint32_t)m->kind;
    FNV_FIELD(h, kind);
    FNV_FIELD(h, m->addr);
    FNV_FIELD(h, m->plen);
    FNV_FIELD(h, m->neg);
    return fnv(h, m->ifname, strnlen(m->ifname, sizeof m->ifname));
}

static void update_cksum(pf *p)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < p->n_rules; i++) {
        const pf_filter_rule *r = &p->rules[i];
        uint32_t act = (uint32_t)r->action, rt = (uint32_t)r->rt;
        FNV_FIELD(h, act);
        h = fnv(h, r->ifname, strnlen(r->ifname, sizeof r->ifname) + 1);
        FNV_FIELD(h, r->group);
        FNV_FIELD(h, r->dir);
        FNV_FIELD(h, r->proto);
        h = addr_cksum(h, &r->src);
        h = addr_cksum(h, &r->dst);
        FNV_FIELD(h, r->sport);
        FNV_FIELD(h, r->dport);
        FNV_FIELD(h, r->no_state);
        FNV_FIELD(h, r->nosync);
        FNV_FIELD(h, rt);
        h = fnv(h, r->rt_ifname, strnlen(r->rt_ifname, sizeof r->rt_ifname) + 1);
        FNV_FIELD(h, r->rt_addr);
        FNV_FIELD(h, r->rt_n);
        for (unsigned j = 0; j < r->rt_n && j < PF_RT_POOL_MAX; j++) {
            h = fnv(h, r->rt_pool[j].ifname, strnlen(r->rt_pool[j].ifname, sizeof r->rt_pool[j].ifname) + 1);
            FNV_FIELD(h, r->rt_pool[j].addr);
        }
    }
    for (size_t i = 0; i < p->n_nat; i++) {
        const pf_nat_rule *r = &p->nat[i];
        uint32_t map = (uint32_t)r->mapping;
        h = fnv(h, r->ifname, strnlen(r->ifname, sizeof r->ifname) + 1);
        FNV_FIELD(h, r->group);
        FNV_FIELD(h, r->proto);
        h = addr_cksum(h, &r->src);
        h = addr_cksum(h, &r->dst);
        FNV_FIELD(h, r->sport);
        FNV_FIELD(h, r->dport);
        FNV_FIELD(h, r->to_interface);
        FNV_FIELD(h, r->to_addr);
        FNV_FIELD(h, r->static_port);
        FNV_FIELD(h, map);
        FNV_FIELD(h, r->udp_timeout);
    }
    for (size_t i = 0; i < p->n_rdr; i++) {
        const pf_rdr_rule *r = &p->rdr[i];
        h = fnv(h, r->ifname, strnlen(r->ifname, sizeof r->ifname) + 1);
        FNV_FIELD(h, r->group);
        FNV_FIELD(h, r->proto);
        FNV_FIELD(h, r->port);
        FNV_FIELD(h, r->to_addr);
        FNV_FIELD(h, r->to_port);
        if (r->has_dst) /* only then: the checksum of a ruleset without one is as before */
            FNV_FIELD(h, r->dst_addr);
    }
    p->rules_cksum = h;
}

/* A copy of a rule table (NULL for none); false when out of memory. */
static bool copy_table(void **out, const void *rules, size_t n, size_t size)
{
    *out = NULL;
    if (!n)
        return true;
    if (!(*out = malloc(n * size)))
        return false;
    memcpy(*out, rules, n * size);
    return true;
}

bool pf_set_rules(pf *p, const pf_filter_rule *rules, size_t n)
{
    void *c;
    if (!copy_table(&c, rules, n, sizeof *rules))
        return false;
    free(p->rules);
    p->rules = c;
    p->n_rules = n;
    for (size_t i = 0; i < n; i++)
        if (!p->rules[i].label)
            p->rules[i].label = ""; /* notes print labels: never NULL */
    update_cksum(p);
    return true;
}

bool pf_set_nat(pf *p, const pf_nat_rule *rules, size_t n)
{
    void *c;
    if (!copy_table(&c, rules, n, sizeof *rules))
        return false;
    free(p->nat);
    p->nat = c;
    p->n_nat = n;
    for (size_t i = 0; i < n; i++)
        if (!p->nat[i].label)
            p->nat[i].label = "";
    update_cksum(p);
    return true;
}

bool pf_set_rdr(pf *p, const pf_rdr_rule *rules, size_t n)
{
    void *c;
    if (!copy_table(&c, rules, n, sizeof *rules))
        return false;
    free(p->rdr);
    p->rdr = c;
    p->n_rdr = n;
    update_cksum(p);
    return true;
}

static int rule_match(const pf *p, pf_dir dir, const char *ifname, const pf_pkt *pkt)
{
    for (size_t i = 0; i < p->n_rules; i++) {
        const pf_filter_rule *r = &p->rules[i];
        if (!pf_kif_match(p, r->ifname, r->group, ifname))
            continue;
        if (r->dir >= 0 && r->dir != (int)dir)
            continue;
        if (pf_flow_match(p, r->proto, &r->src, &r->dst, r->sport, r->dport, pkt))
            return (int)i;
    }
    return -1;
}

static void set_route(pf_result *r, pf_rt kind, const char *ifname, uint32_t addr)
{
    r->rt = kind;
    snprintf(r->rt_ifname, sizeof r->rt_ifname, "%s", ifname);
    r->rt_addr = addr;
}

static bool pkt_eq(const pf_pkt *a, const pf_pkt *b)
{
    return a->proto == b->proto && a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
           a->dport == b->dport;
}

static const char *ip4(uint32_t a, char *b)
{
    snprintf(b, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return b;
}

/* A block by `rule`, or by pfSense's default deny when no rule matched;
 * `why` (may be "") is added to the note. */
static void set_block(pf *p, pf_result *r, const pf_filter_rule *rule, pf_dir dir, const char *ifname, const char *why)
{
    r->action = PF_BLOCK;
    r->drop = PF_DROP_RULE;
    p->drops[PF_DROP_RULE]++;
    /* No rule matched: pfSense's "block in ... label Default deny rule
     * IPv4" at the end of the ruleset (filter.inc) took it. */
    r->label = rule ? rule->label : PF_DEFAULT_DENY;
    if (rule)
        snprintf(r->note, sizeof r->note, "blocked by %s%s%s%s", rule->label, why[0] ? " (" : "", why,
                 why[0] ? ")" : "");
    else
        snprintf(r->note, sizeof r->note, "no rule passes it %s on %s (%s%s%s)", dir == PF_IN ? "in" : "out", ifname,
                 PF_DEFAULT_DENY, why[0] ? "; " : "", why);
}

/* pf_test_fragment (FreeBSD sys/netpfil/pf/pf.c): a fragment pf did not
 * reassemble has no ports, so it is matched against the rules that name
 * none, creates no state, is not translated (no NAT, no rdr) and follows
 * no route-to; unmatched, the default applies (in: block, out: pass). */
static void test_fragment(pf *p, pf_dir dir, const char *ifname, const pf_pkt *pkt, pf_result *r)
{
    /* the fragment's ports are 0 (firewall_pf.c pkt_summary), which no
     * rule naming a port matches */
    int ri = rule_match(p, dir, ifname, pkt);
    const pf_filter_rule *rule = ri >= 0 ? &p->rules[ri] : NULL;
    r->rule = ri;
    r->label = rule ? rule->label : NULL;
    if (rule ? rule->action == PF_BLOCK : dir == PF_IN) {
        set_block(p, r, rule, dir, ifname,
                  rule ? "a fragment, not reassembled" : "a fragment, not reassembled: rules with ports never match it");
        return;
    }
    snprintf(r->note, sizeof r->note, "%s (fragment, no state)", rule ? rule->label : "pass out (default)");
}

void pf_test_into(pf *p, pf_dir dir, const char *ifname, pf_pkt *pkt, pf_result *r)
{
    /* Zeroed up to the note, which is a string: clearing its 512 bytes for
     * every packet showed in profiles of large worlds. */
    memset(r, 0, offsetof(pf_result, note));
    r->note[0] = 0;
    r->action = PF_PASS;
    r->rule = r->nat_rule = -1;
    char a[16], b[16];
    if (pkt->fragment) {
        test_fragment(p, dir, ifname, pkt, r);
        return;
    }

    pf_key k;
    pf_key_for_packet(dir, pkt, &k);
    pf_state *s = pf_state_find(p, dir, ifname, &k);
    if (s) {
        bool fwd = dir == s->dir;
        pf_state_touch(p, s, fwd);
        pf_eim_touch(p, s);
        /* Translate to the other side of the state: inbound packets match
         * the wire key and continue with the stack key, outbound the reverse. */
        const pf_key *to = dir == PF_IN ? &s->stack : &s->wire;
        int sidx = dir == PF_IN ? 0 : 1, didx = 1 - sidx;
        pf_pkt n = *pkt;
        n.src = to->addr[sidx];
        n.sport = to->port[sidx];
        n.dst = to->addr[didx];
        n.dport = to->port[didx];
        r->translated = !pkt_eq(&n, pkt);
        *pkt = n;
        r->state = s;
        r->rule = s->rule;
        r->nat_rule = s->nat_rule;
        if ((s->rt == PF_RT_ROUTETO && fwd) || (s->rt == PF_RT_REPLYTO && !fwd))
            set_route(r, s->rt, s->rt_ifname, s->rt_addr);
        const char *lab = s->nat_rule >= 0 && (size_t)s->nat_rule < p->n_nat ? p->nat[s->nat_rule].label
                          : s->rule >= 0 && (size_t)s->rule < p->n_rules ? p->rules[s->rule].label
                                                                          : "default rule";
        /* No note: a state match always passes, and the note is read only
         * for blocked packets (the firewall's drop reason); label and
         * by_state say the same for whoever explains a pass. Formatting it
         * for every packet of every flow cost 1-2 % of a large run. */
        r->label = lab;
        r->by_state = true;
        return;
    }

    pf_pkt orig = *pkt;
    if (dir == PF_IN) {
        /* rdr (port forwards) first, then inbound packets to the public
         * side of an endpoint-independent mapping; both translate the
         * destination before filtering. */
        int rd = pf_rdr_match(p, ifname, pkt);
        if (rd >= 0) {
            pkt->dst = p->rdr[rd].to_addr;
            pkt->dport = p->rdr[rd].to_port;
            r->translated = !pkt_eq(&orig, pkt);
        } else if (pkt->proto != PF_PROTO_ICMP) {
            pf_eim *m = pf_eim_find_public(p, pkt->proto, ifname, pkt->dst, pkt->dport);
            if (m) {
                pkt->dst = m->in_addr;
                pkt->dport = m->in_port;
                r->nat_rule = m->nat_rule;
                r->translated = true;
                m->last_used = sim_now(p->eng);
            }
        }
    }
    if (dir == PF_OUT) {
        int nr = pf_nat_match(p, ifname, pkt);
        if (nr >= 0) {
            uint32_t na;
            uint16_t np;
            if (!pf_nat_translate(p, nr, ifname, pkt, &na, &np)) {
                r->action = PF_BLOCK;
                r->drop = PF_DROP_NAT_MAP;
                r->nat_rule = nr;
                r->label = p->nat[nr].label;
                p->drops[PF_DROP_NAT_MAP]++;
                snprintf(r->note, sizeof r->note, "%s: no free port%s", p->nat[nr].label,
                         p->nat[nr].static_port ? " (static-port collision)" : "");
                return;
            }
            pkt->src = na;
            pkt->sport = np;
            if (pkt->proto == PF_PROTO_ICMP)
                pkt->dport = np; /* the echo id is both "ports" */
            r->nat_rule = nr;
            r->translated = !pkt_eq(&orig, pkt);
        }
    }

    int ri = rule_match(p, dir, ifname, pkt);
    const pf_filter_rule *rule = ri >= 0 ? &p->rules[ri] : NULL;
    r->rule = ri;
    pf_action act = rule ? rule->action : dir == PF_OUT ? PF_PASS : PF_BLOCK;
    if (act == PF_BLOCK) {
        *pkt = orig;
        r->translated = false;
        set_block(p, r, rule, dir, ifname, "");
        return;
    }
    if (rule && rule->rt == PF_RT_ROUTETO) {
        if (rule->rt_n > 1) {
            /* A round-robin pool: this packet (and the state it creates)
             * takes the next target (pf_map_addr). */
            pf_filter_rule *w = &p->rules[ri];
            unsigned i = w->rt_next++ % w->rt_n;
            set_route(r, PF_RT_ROUTETO, w->rt_pool[i].ifname, w->rt_pool[i].addr);
        } else {
            set_route(r, PF_RT_ROUTETO, rule->rt_ifname, rule->rt_addr);
        }
    }
    if (rule && rule->no_state) {
        snprintf(r->note, sizeof r->note, "%s (no state)", rule->label);
        return;
    }

    /* pf_create_state: src peer SINGLE, dst peer NO_TRAFFIC, timeout
     * udp.first. */
    pf_state ns;
    memset(&ns, 0, sizeof ns);
    if (p->opt.if_bound)
        snprintf(ns.ifname, sizeof ns.ifname, "%s", ifname);
    ns.dir = dir;
    /* Outbound: the original packet is the stack side, the translated one
     * the wire side; inbound (rdr, mapping) the other way round. */
    pf_key_for_packet(dir, dir == PF_OUT ? pkt : &orig, &ns.wire);
    pf_key_for_packet(dir, dir == PF_OUT ? &orig : pkt, &ns.stack);
    ns.src_state = PFUDPS_SINGLE;
    ns.dst_state = PFUDPS_NO_TRAFFIC;
    ns.timeout = PFTM_FIRST;
    ns.expire = sim_now(p->eng);
    ns.rule = ri;
    ns.nat_rule = r->nat_rule;
    if (r->nat_rule >= 0)
        ns.udp_timeout = p->nat[r->nat_rule].udp_timeout;
    ns.packets[0] = 1;
    if (rule) {
        ns.rt = rule->rt;
        /* route-to: the target chosen above (a pool's pick); reply-to: the rule's */
        const char *rif = rule->rt == PF_RT_ROUTETO ? r->rt_ifname : rule->rt_ifname;
        snprintf(ns.rt_ifname, sizeof ns.rt_ifname, "%s", rif);
        ns.rt_addr = rule->rt == PF_RT_ROUTETO ? r->rt_addr : rule->rt_addr;
        ns.nosync = rule->nosync;
    }
    pf_state *c = pf_state_insert(p, &ns);
    if (!c) {
        *pkt = orig;
        r->action = PF_BLOCK;
        r->drop = PF_DROP_STATE_INSERT;
        r->translated = false;
        r->rt = PF_RT_NONE;
        p->drops[PF_DROP_STATE_INSERT]++;
        snprintf(r->note, sizeof r->note, "state insert failed");
        return;
    }
    r->state = c;
    r->new_state = true;
    r->label = r->nat_rule >= 0 && (size_t)r->nat_rule < p->n_nat ? p->nat[r->nat_rule].label : rule ? rule->label : NULL;
    if (dir == PF_IN && r->translated)
        snprintf(r->note, sizeof r->note, "%s: %s:%u -> %s:%u", r->nat_rule >= 0 ? "nat mapping" : "rdr",
                 ip4(orig.dst, a), orig.dport, ip4(pkt->dst, b), pkt->dport);
    else if (r->nat_rule >= 0)
        /* The label names the rule ("nat rule at FILE:LINE", or "nat N"). */
        snprintf(r->note, sizeof r->note, "%s: %s:%u -> %s:%u", p->nat[r->nat_rule].label,
                 ip4(orig.src, a), orig.sport, ip4(pkt->src, b), pkt->sport);
    else
        snprintf(r->note, sizeof r->note, "%s", rule ? rule->label : dir == PF_OUT ? "pass out (default)" : "");
}

/* By value for callers that keep it (tests): firewall_pf.c's hooks use
 * pf_test_into, as returning the 590-byte result (note included) copied
 * it on every packet (80 instructions a packet). */
pf_result pf_test(pf *p, pf_dir dir, const char *ifname, pf_pkt *pkt)
{
    pf_result r;
    pf_test_into(p, dir, ifname, pkt, &r);
    return r;
}
