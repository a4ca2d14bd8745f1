/*
 * test_view.c — the inspection views (hs_view, harness/view*.c) on small
 * built worlds: a scenario is loaded from a string or a shipped file,
 * built with record_all (as the explore shell builds it), run to a time,
 * and the view's text must hold the expected rows. Rows are compared with
 * runs of blanks collapsed to one, so the checks do not depend on column
 * widths; one test checks the alignment itself. Errors must name the
 * offending word's column.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/runner_internal.h"
#include "suite_run.h"

typedef struct world {
    hs_scenario *s;
    hs_world *hw;
} world;

static world load_file(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WGSIM_SOURCE_DIR, rel);
    hs_diag d;
    hs_diag_init(&d, path);
    world x = {.s = hs_load_file(path, &d)};
    if (!x.s) {
        hs_diag_print(&d, stderr);
        ck_abort_msg("%s did not load", rel);
    }
    hs_diag_free(&d);
    hs_run_options o = {.timeline = true, .record_all = true};
    char err[512];
    x.hw = hs_world_build(x.s, &o, err, sizeof err);
    ck_assert_msg(x.hw != NULL, "%s", err);
    hs_schedule_events(x.hw);
    hs_expect_schedule(x.hw);
    return x;
}

static void run_to(world *x, sim_time t)
{
    sim_world_run_until(hs_world_sim(x->hw), t);
}

static void done(world *x)
{
    hs_world_free(x->hw);
    hs_scenario_free(x->s);
}

/* The view's text with runs of blanks collapsed (NULL when it failed). */
static char *view(world *x, const char *cmd, char *err, int *col)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char e[256];
    int c = -1;
    bool ok = hs_view(f, x->hw, cmd, e, sizeof e, &c);
    fclose(f);
    if (err)
        strcpy(err, e);
    if (col)
        *col = c;
    if (!ok) {
        free(buf);
        return NULL;
    }
    ck_assert_int_eq(c, 0);
    char *o = buf;
    for (char *p = buf; *p; p++)
        if (!(*p == ' ' && (o > buf && o[-1] == ' ')))
            *o++ = *p;
    *o = 0;
    return buf;
}

static void has(const char *text, const char *line)
{
    ck_assert_msg(text && strstr(text, line), "missing \"%s\" in:\n%s", line, text ? text : "(null)");
}

static void has_not(const char *text, const char *line)
{
    ck_assert_msg(text && !strstr(text, line), "unexpected \"%s\" in:\n%s", line, text ? text : "(null)");
}

static void fails_at(world *x, const char *cmd, int col, const char *msg_part)
{
    char err[256];
    int c;
    char *t = view(x, cmd, err, &c);
    ck_assert_msg(t == NULL, "'%s' should fail", cmd);
    ck_assert_msg(c == col, "'%s': column %d, expected %d (%s)", cmd, c, col, err);
    ck_assert_msg(strstr(err, msg_part), "'%s': \"%s\" lacks \"%s\"", cmd, err, msg_part);
}

#define C4 "scenarios/conformance/c4-maintenance-mode-roams-remote.yaml"

START_TEST(nodes_view)
{
    world x = load_file(C4);
    run_to(&x, 35 * SIM_S);
    char *t = view(&x, "show nodes", NULL, NULL);
    has(t, "NODE KIND PLATFORM POWER INTERFACE LINK ADDRESSES CARP\n");
    has(t, "fw1 firewall freebsd on, maintenance wan up 198.51.100.2/24 198.51.100.1/24 (vip) vhid 1 BACKUP\n");
    has(t, "\n lan up 10.0.0.2/24 10.0.0.1/24 (vip) vhid 2 BACKUP\n");
    has(t, "fw2 firewall freebsd on wan up 198.51.100.3/24 198.51.100.1/24 (vip) vhid 1 MASTER\n");
    has(t, "lanhost host freebsd on lan up 10.0.0.10/24\n");
    has(t, " wg0 up 10.99.0.1/24\n");
    free(t);
    done(&x);
}
END_TEST

START_TEST(carp_view)
{
    world x = load_file(C4);
    run_to(&x, 20 * SIM_S);
    char *t = view(&x, "show carp", NULL, NULL);
    has(t, "NODE INTERFACE VHID VIP STATE SINCE ADVBASE ADVSKEW ADVERTISED DEMOTION NOTE\n");
    has(t, "fw1 wan 1 198.51.100.1/24 MASTER");
    has(t, "fw2 lan 2 10.0.0.1/24 BACKUP");
    free(t);
    run_to(&x, 35 * SIM_S);
    t = view(&x, "show carp fw1", NULL, NULL);
    /* maintenance: advskew 254, advertised 240 (carp_send_ad_locked caps it) */
    has(t, "fw1 wan 1 198.51.100.1/24 BACKUP");
    has(t, "1s 254 240 0 maintenance\n");
    has_not(t, "fw2");
    free(t);
    t = view(&x, "  show   carp  fw2   # a comment", NULL, NULL);
    has(t, "fw2 wan 1 198.51.100.1/24 MASTER");
    has_not(t, "fw1 ");
    free(t);
    done(&x);
}
END_TEST

START_TEST(errors_have_columns)
{
    world x = load_file(C4);
    fails_at(&x, "show carp fw3", 11, "unknown node 'fw3' (did you mean 'fw1'?)");
    fails_at(&x, "show carp lanhost", 11, "no CARP");
    fails_at(&x, "show carp fw1 wan", 15, "unexpected 'wan'");
    fails_at(&x, "show crap", 6, "did you mean 'show carp'");
    fails_at(&x, "show", 5, "missing view");
    fails_at(&x, "show nodes x", 12, "unexpected 'x'");
    fails_at(&x, "frobnicate", 1, "unknown view 'frobnicate'");
    fails_at(&x, "", 1, "empty");
    done(&x);
}
END_TEST

START_TEST(aligned)
{
    world x = load_file(C4);
    run_to(&x, 5 * SIM_S);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char e[256];
    int c;
    ck_assert(hs_view(f, x.hw, "show carp", e, sizeof e, &c));
    fclose(f);
    /* every row's STATE starts in the header's STATE column; no line ends in a blank */
    const char *h = strstr(buf, "STATE");
    ck_assert_ptr_nonnull(h);
    size_t at = (size_t)(h - buf);
    for (char *line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        ck_assert_msg(strncmp(line + at, "MASTER", 6) == 0 || strncmp(line + at, "BACKUP", 6) == 0, "%s", line);
        char *nl = strchr(line, '\n');
        ck_assert(nl[-1] != ' ');
    }
    free(buf);
    done(&x);
}
END_TEST

static void collect(void *ctx, const char *word)
{
    char *b = ctx;
    strcat(b, word);
    strcat(b, " ");
}

START_TEST(completion)
{
    world x = load_file(C4);
    char b[1024] = "";
    hs_view_complete(x.hw, "show ", collect, b);
    has(b, "nodes carp ");
    b[0] = 0;
    hs_view_complete(x.hw, "show carp ", collect, b);
    has(b, "isp fw1 fw2 lanhost remote ");
    b[0] = 0;
    hs_view_complete(x.hw, "", collect, b);
    has(b, "show ");
    ck_assert(hs_view_is_verb("show"));
    ck_assert(!hs_view_is_verb("run"));
    done(&x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("views");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, nodes_view);
    tcase_add_test(tc, carp_view);
    tcase_add_test(tc, errors_have_columns);
    tcase_add_test(tc, aligned);
    tcase_add_test(tc, completion);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
