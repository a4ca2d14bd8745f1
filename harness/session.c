/*
 * session.c — the explore session: a world moved forward on request,
 * commands injected into it, and earlier times reached by replay.
 *
 * Why replay is exact. The engine runs events in (time, scheduling order)
 * and every model draws from per-node seeded streams, so two worlds built
 * from the same scenario and options run the same engine events in the
 * same order. The only thing the session adds is injected commands, run
 * directly (not as engine events) between two engine events. The journal
 * records, for each, the clock and the number of engine events run
 * before it (`executed`). A replay runs a fresh world with the engine's
 * pause_at set to that count (run() returns right after that event, the
 * same mechanism the runner's limits use), moves the clock to the
 * recorded instant, where nothing is due before it (the live world had
 * run every event up to it, or stopped mid-instant at exactly it), and
 * runs the command. Up to that point the fresh world ran the same
 * events as the live one, so the command sees the same state and has the
 * same effect;
 * by induction over the journal the replayed world is the live world.
 * This holds for commands injected in the middle of an instant too
 * (after `step` or a break): the count, not the time, places them among
 * same-instant events. hs_session_replay checks the counts and clocks
 * match and says so when they do not (a model that read something outside
 * the world).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"

/* Engine events between two looks at the interrupt flag when no break is
 * set: Ctrl-C stops a run within tens of milliseconds, at about 100,000
 * events a second with the whole record kept. */
#define SESSION_SLICE 4096u

typedef enum sbreak_kind { BRK_CARP, BRK_HANDSHAKE, BRK_ENDPOINT, BRK_DROP, BRK_STATE, BRK__COUNT } sbreak_kind;
static const char *const brk_names[BRK__COUNT] = {"carp", "handshake", "endpoint", "drop", "state"};

typedef struct sbreak {
    sbreak_kind kind;
    int node; /* scenario node index, -1 any */
} sbreak;

struct hs_session {
    const hs_scenario *s;
    hs_run_options opt;
    hs_world *hw;
    hs_journal_entry *j;
    size_t n_j, cap_j;
    sbreak *brks;
    size_t n_brks;
    volatile sig_atomic_t *interrupt;
    /* what was already shown or matched */
    size_t cmds_seen, events_seen, pf_seen;
    size_t trace_seen;
    sim_time last_event_t; /* time of the last engine event (-1: none) */
};

static sim_engine *eng(const hs_session *ss) { return sim_world_engine(ss->hw->w); }

const hs_scenario *hs_session_scenario(const hs_session *ss) { return ss->s; }
hs_world *hs_session_world(hs_session *ss) { return ss->hw; }
sim_time hs_session_now(const hs_session *ss) { return sim_world_now(ss->hw->w); }
uint64_t hs_session_events(const hs_session *ss) { return eng(ss)->executed; }
void hs_session_set_interrupt(hs_session *ss, volatile sig_atomic_t *flag) { ss->interrupt = flag; }

size_t hs_session_journal(const hs_session *ss, const hs_journal_entry **out)
{
    *out = ss->j;
    return ss->n_j;
}

/* A world at t = 0 with the timeline and the expectation samples
 * scheduled, as the runner has it before it runs. */
static hs_world *fresh(const hs_session *ss, const hs_run_options *o, char *err, size_t errlen)
{
    hs_world *hw = hs_world_build(ss->s, o, err, errlen);
    if (!hw)
        return NULL;
    hs_schedule_events(hw);
    hs_expect_schedule(hw);
    if (o->before_run)
        o->before_run(o->ctx, ss->s, hw->w);
    return hw;
}

/* Everything up to now counts as seen (a new or replayed world). */
static void mark_seen(hs_session *ss)
{
    sim_world *w = ss->hw->w;
    ss->cmds_seen = ss->hw->n_cmds;
    ss->events_seen = sim_event_count(w);
    ss->pf_seen = sim_history_records(w, SIM_HIST_PF);
    ss->trace_seen = sim_trace_count(w);
}

hs_session *hs_session_new(const hs_scenario *s, const hs_run_options *o, char *err, size_t errlen)
{
    /* ns-3's Simulator is one per process, and `expect` and `pcap` build
     * a second world beside the live one */
    if ((o && o->has_engine ? o->engine : s->engine) == HS_ENGINE_NS3) {
        snprintf(err, errlen, "%s: explore runs on the native engine (ns-3 allows one world per process and the "
                 "session replays into a second one): give --engine native", s->file ? s->file : "?");
        return NULL;
    }
    hs_session *ss = calloc(1, sizeof *ss);
    if (!ss)
        sim_oom("creating an explore session");
    ss->s = s;
    if (o)
        ss->opt = *o;
    ss->opt.record_all = true;
    ss->opt.timeline = false;
    ss->opt.before_run = NULL;
    ss->opt.after_run = NULL;
    ss->opt.ctx = NULL;
    ss->last_event_t = -1;
    ss->hw = fresh(ss, &ss->opt, err, errlen);
    if (!ss->hw) {
        free(ss);
        return NULL;
    }
    mark_seen(ss);
    return ss;
}

void hs_session_free(hs_session *ss)
{
    if (!ss)
        return;
    hs_world_free(ss->hw);
    free(ss->j);
    free(ss->brks);
    free(ss);
}

/* ---- printing what happened ---- */

static const char *node_name(const hs_world *hw, int sim_id)
{
    int ni = sim_id >= 0 ? hs_world_node_of(hw, sim_id) : -1;
    return ni >= 0 ? hw->s->nodes[ni].name : "-";
}

static void print_event(FILE *out, const hs_world *hw, const sim_event_rec *ev, const char *prefix)
{
    char ts[32];
    const char *what = ev->kind == SIM_EV_MODEL && ev->model ? ev->model : sim_ev_kind_name(ev->kind);
    fprintf(out, "%s%ss  %s %s: %s\n", prefix, hs_result_time(ev->t, ts, sizeof ts), node_name(hw, ev->node), what,
            ev->text ? ev->text : "");
}

/* The scenario's own timeline commands that ran since the last look. */
static void print_commands(hs_session *ss, FILE *out)
{
    hs_world *hw = ss->hw;
    for (; ss->cmds_seen < hw->n_cmds; ss->cmds_seen++) {
        const hs_cmd_log *c = &hw->cmds[ss->cmds_seen];
        char ts[32];
        fprintf(out, "  t=%ss  do: %s%s%s\n", hs_result_time(c->t, ts, sizeof ts), c->text, c->error[0] ? ": " : "",
                c->error);
    }
}

/* ---- breaks ---- */

static bool brk_matches(const hs_world *hw, const sbreak *b, const sim_event_rec *ev)
{
    if (b->node >= 0 && hs_world_node_of(hw, ev->node) != b->node)
        return false;
    switch (b->kind) {
    case BRK_CARP:
        /* a state change (its fields, sim_ev_state), not every
         * advertisement the model logs */
        return ev->state.kind == SIM_EVS_CARP;
    case BRK_HANDSHAKE: return ev->kind == SIM_EV_WG && ev->wg.kind == WG_EV_HANDSHAKE_COMPLETE;
    case BRK_ENDPOINT: return ev->kind == SIM_EV_WG && ev->wg.kind == WG_EV_ENDPOINT_CHANGED;
    case BRK_DROP: return ev->kind == SIM_EV_DROP;
    default: return false;
    }
}

/* Looks at what the last engine event logged; true (with the event
 * printed) when a break matches. */
static bool check_breaks(hs_session *ss, FILE *out)
{
    hs_world *hw = ss->hw;
    sim_world *w = hw->w;
    bool hit = false;
    size_t n = sim_event_count(w);
    for (; ss->events_seen < n; ss->events_seen++) {
        const sim_event_rec *ev = sim_event_at(w, ss->events_seen);
        for (size_t i = 0; i < ss->n_brks && !hit; i++)
            if (ss->brks[i].kind != BRK_STATE && brk_matches(hw, &ss->brks[i], ev)) {
                fprintf(out, "break on %s:\n", brk_names[ss->brks[i].kind]);
                print_event(out, hw, ev, "  ");
                hit = true;
            }
    }
    size_t np = sim_history_records(w, SIM_HIST_PF);
    for (; ss->pf_seen < np; ss->pf_seen++) {
        sim_hist_pf_state st;
        if (hit || !sim_history_pf_at(w, ss->pf_seen, &st))
            continue;
        for (size_t i = 0; i < ss->n_brks && !hit; i++) {
            const sbreak *b = &ss->brks[i];
            if (b->kind != BRK_STATE || (b->node >= 0 && hs_world_node_of(hw, st.node) != b->node))
                continue;
            size_t nf = 0;
            hs_field *f = hs_pf_state_fields(hw, &st, st.from_node == st.node ? "created" : "imported", &nf);
            char ts[32];
            fprintf(out, "break on state:\n  %ss  %s pf state", hs_result_time(st.created, ts, sizeof ts),
                    node_name(hw, st.node));
            for (size_t k = 0; k < nf; k++)
                fprintf(out, " %s=%s", f[k].key, f[k].value);
            fputc('\n', out);
            hs_fields_free(f, nf);
            hit = true;
        }
    }
    return hit;
}

bool hs_session_break_on(hs_session *ss, const char *args, char *err, size_t errlen, int *err_col)
{
    char kind[HS_NAME_MAX] = "", node[HS_NAME_MAX] = "", extra[8] = "";
    int kcol = 0, ncol = 0, xcol = 0;
    const char *p = args;
    char *dst[3] = {kind, node, extra};
    size_t cap[3] = {sizeof kind, sizeof node, sizeof extra};
    int *col[3] = {&kcol, &ncol, &xcol};
    for (int i = 0; i < 3; i++) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        *col[i] = (int)(p - args) + 1;
        size_t l = strcspn(p, " \t");
        snprintf(dst[i], cap[i], "%.*s", (int)l, p);
        p += l;
    }
    *err_col = 0;
    int k = -1;
    for (int i = 0; i < BRK__COUNT; i++)
        if (!strcmp(kind, brk_names[i]))
            k = i;
    if (k < 0) {
        *err_col = kcol ? kcol : (int)strlen(args) + 1;
        snprintf(err, errlen, "%s%s%s: expected carp, handshake, endpoint, drop or state (usage: break on KIND [NODE])",
                 kind[0] ? "unknown break '" : "missing break kind", kind, kind[0] ? "'" : "");
        return false;
    }
    if (xcol) {
        *err_col = xcol;
        snprintf(err, errlen, "unexpected '%s' (usage: break on KIND [NODE])", extra);
        return false;
    }
    int ni = -1;
    if (node[0] && (ni = hs_find_node(ss->s, node)) < 0) {
        *err_col = ncol;
        snprintf(err, errlen, "unknown node '%s'", node);
        return false;
    }
    sbreak *v = realloc(ss->brks, (ss->n_brks + 1) * sizeof *v);
    if (!v)
        sim_oom("adding a break");
    ss->brks = v;
    ss->brks[ss->n_brks++] = (sbreak){(sbreak_kind)k, ni};
    return true;
}

void hs_session_break_clear(hs_session *ss)
{
    free(ss->brks);
    ss->brks = NULL;
    ss->n_brks = 0;
}

void hs_session_break_list(const hs_session *ss, FILE *out)
{
    if (!ss->n_brks)
        fprintf(out, "no breaks\n");
    for (size_t i = 0; i < ss->n_brks; i++)
        fprintf(out, "break on %s%s%s\n", brk_names[ss->brks[i].kind], ss->brks[i].node >= 0 ? " " : "",
                ss->brks[i].node >= 0 ? ss->s->nodes[ss->brks[i].node].name : "");
}

/* ---- time ---- */

/* Runs the engine until `until` (events at `until` included), at most
 * max_events events; false when it stopped at that count. */
static bool run_some(sim_engine *e, sim_world *w, sim_time until, uint64_t max_events)
{
    uint64_t start = e->executed;
    e->pause_at = start + max_events;
    sim_world_run_until(w, until);
    e->pause_at = 0;
    return e->executed != start + max_events;
}

/* One slice of an advance: at most `max_events` events due by `until`.
 * Prints the timeline commands that ran and looks for breaks. */
static hs_advance_end slice(hs_session *ss, sim_time until, uint64_t max_events, FILE *out, bool *done)
{
    sim_engine *e = eng(ss);
    sim_world *w = ss->hw->w;
    uint64_t before = e->executed;
    *done = run_some(e, w, until, max_events);
    /* stopped by the count: the clock is the last event's time */
    if (!*done)
        ss->last_event_t = sim_world_now(w);
    print_commands(ss, out);
    if (ss->n_brks && e->executed != before && check_breaks(ss, out))
        return HS_ADV_BREAK;
    if (ss->interrupt && *ss->interrupt) {
        *ss->interrupt = 0;
        return HS_ADV_INTERRUPT;
    }
    return HS_ADV_TIME;
}

hs_advance_end hs_session_until(hs_session *ss, sim_time until, FILE *out)
{
    sim_engine *e = eng(ss);
    sim_world *w = ss->hw->w;
    hs_advance_end end = HS_ADV_TIME;
    bool done = false;
    /* A break needs a look after every event; otherwise slices, with a
     * look at the interrupt flag between them. The events before `until`
     * run first, then those at exactly `until` one by one, so that the
     * session knows whether an event ran at the instant it stops at (a
     * command injected then runs after it: hs_session_save). */
    uint64_t n = ss->n_brks ? 1 : SESSION_SLICE;
    while (end == HS_ADV_TIME && e->ops->next_time(e) < until)
        end = slice(ss, until - 1, n, out, &done);
    while (end == HS_ADV_TIME && e->ops->next_time(e) == until)
        end = slice(ss, until, 1, out, &done);
    if (end == HS_ADV_TIME && sim_world_now(w) < until)
        sim_world_run_until(w, until); /* nothing is due: moves the clock */
    mark_seen(ss);
    return end;
}

bool hs_session_step(hs_session *ss, FILE *out)
{
    sim_engine *e = eng(ss);
    sim_world *w = ss->hw->w;
    if (e->ops->next_time(e) == SIM_TIME_NEVER) {
        fprintf(out, "no event pending\n");
        return false;
    }
    uint64_t before = e->executed;
    run_some(e, w, SIM_TIME_NEVER, 1);
    ss->last_event_t = sim_world_now(w);
    char ts[32];
    fprintf(out, "t=%ss  engine event %llu\n", hs_result_time(sim_world_now(w), ts, sizeof ts),
            (unsigned long long)e->executed);
    size_t shown = 0;
    print_commands(ss, out);
    size_t n = sim_event_count(w);
    for (; ss->events_seen < n; ss->events_seen++, shown++)
        print_event(out, ss->hw, sim_event_at(w, ss->events_seen), "  ");
    size_t nt = sim_trace_count(w);
    for (; ss->trace_seen < nt; ss->trace_seen++, shown++) {
        sim_trace_rec r;
        if (!sim_trace_get(w, ss->trace_seen, &r))
            continue;
        char *line = hs_format_packet(ss->hw, &r);
        fprintf(out, "  packet %s\n", line ? line : "?");
        free(line);
    }
    ss->pf_seen = sim_history_records(w, SIM_HIST_PF);
    if (!shown && e->executed == before + 1)
        fprintf(out, "  (a timer or a frame in flight: nothing logged, no packet at a capture point)\n");
    return true;
}

/* ---- commands and the journal ---- */

bool hs_session_inject(hs_session *ss, const char *line, char *err, size_t errlen, int *err_col)
{
    hs_command c;
    *err_col = 0;
    if (!hs_command_parse(line, &c, err, errlen, err_col) || !hs_command_check(ss->s, &c, err, errlen, err_col))
        return false;
    sim_engine *e = eng(ss);
    hs_journal_entry je = {.t = sim_world_now(ss->hw->w), .executed = e->executed, .cmd = c};
    je.after_instant = ss->last_event_t == je.t;
    hs_command_format(&c, je.text, sizeof je.text);
    bool ok = hs_world_execute(ss->hw, &c, err, errlen);
    /* what the command itself logged is not "the next event" a break
     * waits for, nor a timeline command to print */
    mark_seen(ss);
    if (!ok) /* refused before it changed anything (execute.c checks first): nothing to replay */
        return false;
    if (ss->n_j == ss->cap_j) {
        size_t cap = ss->cap_j ? 2 * ss->cap_j : 16;
        hs_journal_entry *v = realloc(ss->j, cap * sizeof *v);
        if (!v)
            sim_oom("journaling a command");
        ss->j = v;
        ss->cap_j = cap;
    }
    ss->j[ss->n_j++] = je;
    return true;
}

/* Runs hw to exactly (t, executed): pause after that many events, then
 * move the clock to t (nothing is due before it, see the top). */
static void run_to_point(hs_world *hw, sim_time t, uint64_t executed)
{
    sim_engine *e = sim_world_engine(hw->w);
    if (executed > e->executed)
        run_some(e, hw->w, t, executed - e->executed);
    if (e->executed == executed && sim_world_now(hw->w) < t)
        sim_world_run_until(hw->w, t);
}

/* A fresh world with the first n journal entries replayed, left just after
 * the last of them. */
static hs_world *replay_journal(hs_session *ss, const hs_run_options *o, size_t n, char *err, size_t errlen)
{
    hs_world *hw = fresh(ss, o, err, errlen);
    if (!hw)
        return NULL;
    sim_engine *e = sim_world_engine(hw->w);
    for (size_t i = 0; i < n; i++) {
        const hs_journal_entry *je = &ss->j[i];
        run_to_point(hw, je->t, je->executed);
        char ts[32], cerr[256];
        if (e->executed != je->executed || sim_world_now(hw->w) != je->t) {
            snprintf(err, errlen, "replay diverged before '%s' at %ss: %llu engine events run, the session had %llu",
                     je->text, hs_result_time(je->t, ts, sizeof ts), (unsigned long long)e->executed,
                     (unsigned long long)je->executed);
            hs_world_free(hw);
            return NULL;
        }
        if (!hs_world_execute(hw, &je->cmd, cerr, sizeof cerr)) {
            snprintf(err, errlen, "replay: '%s' at %ss refused: %s", je->text, hs_result_time(je->t, ts, sizeof ts),
                     cerr);
            hs_world_free(hw);
            return NULL;
        }
    }
    return hw;
}

hs_world *hs_session_replay(hs_session *ss, const hs_run_options *o, char *err, size_t errlen)
{
    hs_run_options opt = ss->opt;
    if (o) {
        opt.capture = o->capture;
        opt.before_run = o->before_run;
        opt.after_run = o->after_run;
        opt.ctx = o->ctx;
    }
    hs_world *hw = replay_journal(ss, &opt, ss->n_j, err, errlen);
    if (!hw)
        return NULL;
    sim_engine *e = sim_world_engine(hw->w);
    sim_time now = hs_session_now(ss);
    uint64_t executed = eng(ss)->executed;
    run_to_point(hw, now, executed);
    if (e->executed != executed || sim_world_now(hw->w) != now) {
        char ts[32];
        snprintf(err, errlen, "replay diverged: at %ss %llu engine events run, the session had %llu",
                 hs_result_time(now, ts, sizeof ts), (unsigned long long)e->executed, (unsigned long long)executed);
        hs_world_free(hw);
        return NULL;
    }
    return hw;
}

/* An advance that prints nothing (goto); breaks do not stop it. */
static void quiet_until(hs_session *ss, sim_time t)
{
    sbreak *b = ss->brks;
    size_t nb = ss->n_brks;
    ss->brks = NULL;
    ss->n_brks = 0;
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        sim_oom("opening /dev/null");
    hs_session_until(ss, t, null);
    fclose(null);
    ss->brks = b;
    ss->n_brks = nb;
}

bool hs_session_goto(hs_session *ss, sim_time t, size_t *dropped, char *err, size_t errlen)
{
    *dropped = 0;
    if (t < 0)
        t = 0;
    if (t >= hs_session_now(ss)) {
        quiet_until(ss, t);
        return true;
    }
    /* the commands injected at or before t stay; a command injected at t
     * ran after the events at t, and so it does again */
    size_t keep = 0;
    while (keep < ss->n_j && ss->j[keep].t <= t)
        keep++;
    hs_world *hw = replay_journal(ss, &ss->opt, keep, err, errlen);
    if (!hw)
        return false;
    hs_world_free(ss->hw);
    ss->hw = hw;
    *dropped = ss->n_j - keep;
    ss->n_j = keep;
    ss->last_event_t = keep && ss->j[keep - 1].after_instant ? ss->j[keep - 1].t : -1;
    mark_seen(ss);
    quiet_until(ss, t);
    return true;
}

/* ---- expectations so far ---- */

hs_result *hs_session_expect(hs_session *ss, bool **pending, char *err, size_t errlen)
{
    hs_world *hw = hs_session_replay(ss, NULL, err, errlen);
    if (!hw)
        return NULL;
    const hs_scenario *s = ss->s;
    sim_time now = hs_session_now(ss);
    hs_result *r = calloc(1, sizeof *r);
    bool *p = calloc(s->n_expects ? s->n_expects : 1, sizeof *p);
    if (!r || !p)
        sim_oom("evaluating expectations");
    r->file = strdup(s->file ? s->file : "?");
    r->name = strdup(s->name ? s->name : r->file);
    if (!r->file || !r->name)
        sim_oom("evaluating expectations");
    r->sim_duration = now;
    hs_expect_evaluate(hw, r);
    for (size_t i = 0; i < s->n_expects; i++) {
        const hs_expect *e = &s->expects[i];
        p[i] = (e->during ? e->to : e->at) > now;
        if (p[i] && !r->expects[i].passed)
            r->n_failed--;
    }
    r->status = r->n_failed ? HS_STATUS_FAILED : HS_STATUS_PASSED;
    hs_world_free(hw);
    *pending = p;
    return r;
}
