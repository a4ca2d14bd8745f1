/*
 * explore_commands.c — the commands of the `wgsim explore` shell: time
 * (run, until, step, time, goto, back, break), the verdicts so far
 * (expect), output (pcap, save), the views (show, packets, why:
 * hs_view) and, for anything else, a timeline command injected now
 * (the `do:` language, hs_session_inject).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explore.h"
#include "reports/reports.h"

const char *const explore_verbs[] = {"run",  "until", "step", "time", "goto", "back", "break", "expect",
                                     "pcap", "save",  "help", "quit", "exit", NULL};

void explore_help(FILE *out)
{
    fprintf(out,
            "time:\n"
            "  run DURATION          advance (30s, 1m30s, 250ms)\n"
            "  until TIME            advance to an absolute time\n"
            "  step                  run the next engine event and print what it did\n"
            "  time                  the simulated time and engine events run\n"
            "  break on carp|handshake|endpoint|drop|state [NODE]\n"
            "                        stop a run right after the next such event\n"
            "  break off | break     remove every break | list them\n"
            "  goto TIME             return to (or advance to) TIME: an earlier time is\n"
            "                        rebuilt from t=0 with the commands injected before it\n"
            "  back DURATION         goto now - DURATION\n"
            "inspect (as of now):\n"
            "  show nodes|carp|peers|routes|states|gateways|arp [NODE] ...\n"
            "  packets [FILTER]      the last packets (FILTER: the packet expectation words)\n"
            "  why PACKET|ENDPOINT   the reason chain behind a packet's source or an endpoint\n"
            "  expect                the scenario's expectations so far (exit status 1 if one failed)\n"
            "keep:\n"
            "  pcap DIR              DIR/<scenario>/*.pcap and keylog.txt from t=0 to now\n"
            "  save FILE [--expect]  the scenario with the injected commands as timeline\n"
            "                        events (--expect: and the CARP states and endpoints\n"
            "                        of now as expectations)\n"
            "inject (the timeline's do: commands, run now):\n");
    for (int k = 0; k < HS_CMD__COUNT; k++)
        fprintf(out, "  %s\n", hs_cmd_usage((hs_cmd_kind)k));
    fprintf(out, "  help | quit (or Ctrl-D)\n");
}

/* The words of a command with their 1-based columns. */
enum { MAXW = 4 };
typedef struct words {
    char w[MAXW][512];
    int col[MAXW];
    int n;
    int end; /* the column after the last character */
} words;

static void split(const char *cmd, words *ws)
{
    memset(ws, 0, sizeof *ws);
    const char *p = cmd;
    while (*p) {
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        size_t l = strcspn(p, " \t");
        if (ws->n < MAXW) {
            snprintf(ws->w[ws->n], sizeof ws->w[0], "%.*s", (int)l, p);
            ws->col[ws->n] = (int)(p - cmd) + 1;
            ws->n++;
        } else {
            ws->n = MAXW + 1; /* too many: the caller says where */
            ws->col[MAXW - 1] = (int)(p - cmd) + 1;
        }
        p += l;
    }
    ws->end = (int)(p - cmd) + 1;
}

static bool fail(char *err, size_t errlen, int *err_col, int col, const char *msg, ...)
    __attribute__((format(printf, 5, 6)));
static bool fail(char *err, size_t errlen, int *err_col, int col, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    vsnprintf(err, errlen, msg, ap);
    va_end(ap);
    *err_col = col;
    return false;
}

/* One argument (the word after the verb) and nothing else. */
static bool one_arg(const words *ws, const char *usage, char *err, size_t errlen, int *err_col)
{
    if (ws->n < 2)
        return fail(err, errlen, err_col, ws->end, "missing argument (usage: %s)", usage);
    if (ws->n > 2)
        return fail(err, errlen, err_col, ws->col[ws->n > MAXW ? MAXW - 1 : 2], "too many words (usage: %s)",
                    usage);
    return true;
}

static bool time_arg(const words *ws, const char *usage, hs_time *t, char *err, size_t errlen, int *err_col)
{
    if (!one_arg(ws, usage, err, errlen, err_col))
        return false;
    hs_dur_err e = hs_duration_parse(ws->w[1], t);
    if (e != HS_DUR_OK)
        return fail(err, errlen, err_col, ws->col[1], "'%s' %s%s", ws->w[1],
                    e == HS_DUR_SYNTAX ? "is not a time" : hs_duration_problem(e),
                    e == HS_DUR_SYNTAX ? " (e.g. 30s, 1m30s, 250ms)" : "");
    return true;
}

static void print_now(explore_ctx *x, FILE *out)
{
    char ts[32];
    fprintf(out, "t=%ss\n", hs_result_time(hs_session_now(x->ss), ts, sizeof ts));
}

static void advance(explore_ctx *x, sim_time until, FILE *out)
{
    hs_advance_end end = hs_session_until(x->ss, until, out);
    if (end != HS_ADV_TIME) {
        char ts[32];
        fprintf(out, "%s at t=%ss\n", end == HS_ADV_BREAK ? "stopped" : "interrupted",
                hs_result_time(hs_session_now(x->ss), ts, sizeof ts));
    }
}

static bool cmd_expect(explore_ctx *x, FILE *out, char *err, size_t errlen)
{
    bool *pending = NULL;
    hs_result *r = hs_session_expect(x->ss, &pending, err, errlen);
    if (!r)
        return false;
    size_t np = 0, passed = 0;
    for (size_t i = 0; i < r->n_expects; i++) {
        const hs_expect_result *e = &r->expects[i];
        const char *v = pending[i] ? "pending" : e->passed ? "PASS" : "FAIL";
        np += pending[i];
        passed += !pending[i] && e->passed;
        fprintf(out, "%-7s line %u: %s\n", v, e->loc.line, e->what ? e->what : "");
        if (!pending[i] && !e->passed)
            fprintf(out, "        expected %s; observed %s\n", e->expected ? e->expected : "?",
                    e->observed ? e->observed : "?");
    }
    fprintf(out, "%zu passed, %zu failed, %zu pending\n", passed, r->n_failed, np);
    if (r->n_failed)
        x->expect_failed = true;
    free(pending);
    hs_result_free(r);
    return true;
}

typedef struct pcap_ctx {
    const char *dir;
    char err[512];
    bool ok;
} pcap_ctx;

static void pcap_open(void *ctx, const hs_scenario *s, sim_world *w)
{
    pcap_ctx *p = ctx;
    p->ok = rp_open_captures(p->dir, s->name, w, p->err, sizeof p->err);
}

static bool cmd_pcap(explore_ctx *x, const char *dir, FILE *out, char *err, size_t errlen)
{
    pcap_ctx p = {.dir = dir, .ok = true};
    hs_run_options o = {.capture = true, .before_run = pcap_open, .ctx = &p};
    hs_world *hw = hs_session_replay(x->ss, &o, err, errlen);
    if (!hw)
        return false;
    const hs_scenario *s = hs_session_scenario(x->ss);
    sim_world *w = hs_world_sim(hw);
    size_t n = sim_world_capture_count(w);
    if (p.ok && !rp_close_captures(dir, s->name, w, p.err, sizeof p.err))
        p.ok = false;
    hs_world_free(hw);
    if (!p.ok) {
        snprintf(err, errlen, "pcap: %s", p.err);
        return false;
    }
    char name[128], ts[32];
    rp_capture_dir_name(name, sizeof name, s->name);
    fprintf(out, "wrote %s/%s: %zu captures and keylog.txt, t=0 to %ss\n", dir, name, n,
            hs_result_time(hs_session_now(x->ss), ts, sizeof ts));
    return true;
}

static bool cmd_break(explore_ctx *x, const char *cmd, const words *ws, FILE *out, char *err, size_t errlen,
                      int *err_col)
{
    if (ws->n == 1) {
        hs_session_break_list(x->ss, out);
        return true;
    }
    if (!strcmp(ws->w[1], "off")) {
        if (ws->n > 2)
            return fail(err, errlen, err_col, ws->col[2], "unexpected '%s' (usage: break off)", ws->w[2]);
        hs_session_break_clear(x->ss);
        return true;
    }
    if (strcmp(ws->w[1], "on"))
        return fail(err, errlen, err_col, ws->col[1], "expected 'on' or 'off', got '%s' (usage: break on KIND [NODE])",
                    ws->w[1]);
    const char *args = cmd + ws->col[1] - 1 + 2;
    int c = 0;
    if (!hs_session_break_on(x->ss, args, err, errlen, &c)) {
        *err_col = c ? (int)(args - cmd) + c : 0;
        return false;
    }
    return true;
}

/* A first word that is nothing the shell knows: the nearest of every
 * name it knows. */
static bool unknown_verb(const char *w, int col, char *err, size_t errlen, int *err_col)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; explore_verbs[i]; i++)
        names[n++] = explore_verbs[i];
    for (const char *const *v = (const char *const[]){"show", "packets", "why", NULL}; *v; v++)
        if (hs_view_is_verb(*v))
            names[n++] = *v;
    for (int k = 0; k < HS_CMD__COUNT && n < 64; k++)
        names[n++] = hs_cmd_name((hs_cmd_kind)k);
    const char *best = hs_closest(w, names, n);
    *err_col = col;
    if (best)
        snprintf(err, errlen, "unknown command '%s'; did you mean '%s'? (help lists the commands)", w, best);
    else
        snprintf(err, errlen, "unknown command '%s' (help lists the commands)", w);
    return false;
}

bool explore_exec(explore_ctx *x, const char *cmd, FILE *out, char *err, size_t errlen, int *err_col)
{
    words ws;
    split(cmd, &ws);
    *err_col = 0;
    err[0] = 0;
    if (ws.n == 0)
        return true;
    const char *v = ws.w[0];
    hs_time t;
    if (!strcmp(v, "run") || !strcmp(v, "until")) {
        bool rel = !strcmp(v, "run");
        if (!time_arg(&ws, rel ? "run DURATION" : "until TIME", &t, err, errlen, err_col))
            return false;
        if (!rel && t < hs_session_now(x->ss)) {
            char now[32];
            hs_result_time(hs_session_now(x->ss), now, sizeof now);
            return fail(err, errlen, err_col, ws.col[1], "%s is before now (t=%ss): goto goes back", ws.w[1], now);
        }
        advance(x, rel ? hs_session_now(x->ss) + t : t, out);
        return true;
    }
    if (!strcmp(v, "step") || !strcmp(v, "time") || !strcmp(v, "expect") || !strcmp(v, "help") ||
        !strcmp(v, "quit") || !strcmp(v, "exit")) {
        if (ws.n > 1)
            return fail(err, errlen, err_col, ws.col[1], "unexpected '%s'", ws.w[1]);
        if (!strcmp(v, "step"))
            hs_session_step(x->ss, out);
        else if (!strcmp(v, "time")) {
            char ts[32];
            fprintf(out, "t=%ss (%llu engine events)\n", hs_result_time(hs_session_now(x->ss), ts, sizeof ts),
                    (unsigned long long)hs_session_events(x->ss));
        } else if (!strcmp(v, "expect"))
            return cmd_expect(x, out, err, errlen);
        else if (!strcmp(v, "help"))
            explore_help(out);
        else
            x->quit = true;
        return true;
    }
    if (!strcmp(v, "goto") || !strcmp(v, "back")) {
        bool back = !strcmp(v, "back");
        if (!time_arg(&ws, back ? "back DURATION" : "goto TIME", &t, err, errlen, err_col))
            return false;
        if (back)
            t = hs_session_now(x->ss) - t;
        size_t dropped = 0;
        if (!hs_session_goto(x->ss, t < 0 ? 0 : t, &dropped, err, errlen))
            return false;
        if (dropped)
            fprintf(out, "dropped %zu command%s injected after that time\n", dropped, dropped == 1 ? "" : "s");
        print_now(x, out);
        return true;
    }
    if (!strcmp(v, "break"))
        return cmd_break(x, cmd, &ws, out, err, errlen, err_col);
    if (!strcmp(v, "pcap")) {
        if (!one_arg(&ws, "pcap DIR", err, errlen, err_col))
            return false;
        return cmd_pcap(x, ws.w[1], out, err, errlen);
    }
    if (!strcmp(v, "save")) {
        bool with_expect = ws.n == 3 && !strcmp(ws.w[2], "--expect");
        if (ws.n < 2)
            return fail(err, errlen, err_col, ws.end, "missing argument (usage: %s)", "save FILE [--expect]");
        if (ws.n > 2 && !with_expect)
            return fail(err, errlen, err_col, ws.col[2], "unexpected '%s' (usage: save FILE [--expect])", ws.w[2]);
        if (!hs_session_save(x->ss, ws.w[1], with_expect, err, errlen))
            return false;
        const hs_journal_entry *j;
        size_t n = hs_session_journal(x->ss, &j);
        fprintf(out, "wrote %s: the scenario with %zu injected command%s%s\n", ws.w[1], n, n == 1 ? "" : "s",
                with_expect ? " and the observations of now as expectations" : "");
        return true;
    }
    if (hs_view_is_verb(v))
        return hs_view(out, hs_session_world(x->ss), cmd, err, errlen, err_col);
    bool timeline_cmd = false;
    for (int k = 0; k < HS_CMD__COUNT; k++)
        timeline_cmd |= !strcmp(v, hs_cmd_name((hs_cmd_kind)k));
    if (!timeline_cmd)
        return unknown_verb(v, ws.col[0], err, errlen, err_col);
    return hs_session_inject(x->ss, cmd, err, errlen, err_col);
}
