/*
 * loader_events.c — `events:`: the timeline; each `do:` goes through the
 * command parser (command.c) and is checked against the scenario, errors
 * placed at the column inside the command.
 */
#include "harness/loader_internal.h"

#include <string.h>

/* Where column `col` (1-based, within the command text) of a `do:` value is in
 * the file: exact for single-line plain or quoted scalars. */
static hs_loc do_col(const yd_node *v, int col)
{
    hs_loc loc = v->loc;
    if (v->inherited.line)
        return v->inherited;
    if (v->copy) /* the command was made from a template of another length */
        return loc;
    bool one_line = v->end.line == v->loc.line;
    if (one_line && (v->style == YD_PLAIN || v->style == YD_QUOTED) && !strchr(v->str, '\\'))
        loc.col += (uint32_t)(col - 1) + (v->style == YD_QUOTED ? 1 : 0);
    return loc;
}

void ld_load_events(L *l, const yd_node *v)
{
    hs_scenario *s = l->s;
    if (!ld_check_seq(l, v, "events") || ld_is_null(v))
        return;
    static const char *const keys[] = {"at", "do", NULL};
    s->events = hs_alloc(l->a, v->count * sizeof *s->events);
    for (const yd_node *c = v->first; c; c = c->next) {
        if (!ld_check_map(l, c, "event", keys) || ld_is_null(c)) {
            if (ld_is_null(c))
                ld_err(l, c, "event: expected {at: TIME, do: COMMAND}, found nothing");
            continue;
        }
        hs_event *e = &s->events[s->n_events++];
        e->loc = c->loc;
        const yd_node *x;
        if (ld_require(l, c, "at", "event")) {
            x = yd_get(c, "at");
            e->at_loc = x->loc;
            if (ld_get_duration(l, x, &e->at))
                ld_check_time(l, x, e->at, "at");
        }
        if (ld_require(l, c, "do", "event")) {
            x = yd_get(c, "do");
            e->do_loc = x->loc;
            const char *text = ld_scalar(l, x, "a command");
            if (!text)
                continue;
            e->text = text;
            char msg[400];
            int col = 1;
            if (!hs_command_parse(text, &e->cmd, msg, sizeof msg, &col)) {
                ld_err_at(l, x, do_col(x, col), "do: %s", msg);
                continue;
            }
            /* a command on a node whose like: failed (not loaded) is not
             * checked against what that node lacks (see resolve_node) */
            int cn = l->like_state ? hs_index_get_str(&l->node_index, e->cmd.node) : -1;
            if (cn >= 0 && l->like_state[cn] == 3)
                continue;
            if (!hs_command_check(s, &e->cmd, msg, sizeof msg, &col))
                ld_err_at(l, x, do_col(x, col), "do: %s", msg);
        }
    }
    /* the runner applies events in time order; equal times keep file order */
    for (size_t i = 1; i < s->n_events; i++) {
        hs_event ev = s->events[i];
        size_t j = i;
        while (j > 0 && s->events[j - 1].at > ev.at) {
            s->events[j] = s->events[j - 1];
            j--;
        }
        s->events[j] = ev;
    }
}

