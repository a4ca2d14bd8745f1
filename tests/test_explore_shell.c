/*
 * test_explore_shell.c — the explore shell's command line
 * (cli/explore_commands.c, cli/explore_complete.c): each bad command gives
 * one message and the column of the offending word; the time commands
 * move the session; completion offers the words that may come next.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explore.h"
#include "suite_run.h"

#define C4 WGSIM_SOURCE_DIR "/scenarios/conformance/c4-maintenance-mode-roams-remote.yaml"

static hs_scenario *scen;
static hs_session *sess;
static explore_ctx x;
static FILE *out;

static void setup(void)
{
    hs_diag d;
    hs_diag_init(&d, C4);
    scen = hs_load_file(C4, &d);
    ck_assert_ptr_nonnull(scen);
    hs_diag_free(&d);
    char err[256];
    sess = hs_session_new(scen, &(hs_run_options){0}, err, sizeof err);
    ck_assert_msg(sess != NULL, "%s", err);
    x = (explore_ctx){.ss = sess};
    out = fopen("/dev/null", "w");
}

static void teardown(void)
{
    fclose(out);
    hs_session_free(sess);
    hs_scenario_free(scen);
}

static void ok(const char *cmd)
{
    char err[512] = "";
    int col = -1;
    ck_assert_msg(explore_exec(&x, cmd, out, err, sizeof err, &col), "'%s': %d: %s", cmd, col, err);
}

static void bad(const char *cmd, int want_col, const char *want)
{
    char err[512] = "";
    int col = -1;
    ck_assert_msg(!explore_exec(&x, cmd, out, err, sizeof err, &col), "'%s' ran", cmd);
    ck_assert_msg(col == want_col, "'%s': column %d, want %d (%s)", cmd, col, want_col, err);
    ck_assert_msg(strstr(err, want), "'%s': '%s' does not say '%s'", cmd, err, want);
    ck_assert_msg(!strchr(err, '\n'), "'%s': more than one line", cmd);
}

START_TEST(shell_errors_name_the_column)
{
    bad("run", 4, "missing argument (usage: run DURATION)");
    bad("run 3x", 5, "'3x' is not a time");
    bad("  until 1s 2s", 12, "too many words");
    bad("goto", 5, "usage: goto TIME");
    bad("back soon", 6, "'soon' is not a time");
    bad("step now", 6, "unexpected 'now'");
    bad("break maybe", 7, "expected 'on' or 'off'");
    bad("break on crap", 10, "unknown break 'crap'");
    bad("break on", 9, "missing break kind");
    bad("break on carp fw9", 15, "unknown node 'fw9'");
    bad("break on carp fw1 x", 19, "unexpected 'x'");
    bad("break off now", 11, "unexpected 'now'");
    bad("save", 5, "usage: save FILE [--expect]");
    bad("save x.yaml --expert", 13, "unexpected '--expert'");
    bad("pcap", 5, "usage: pcap DIR");
    bad("frobnicate fw1", 1, "unknown command 'frobnicate' (help lists the commands)");
    bad("maintenace fw1 on", 1, "did you mean 'maintenance'?");
    bad("unti 5s", 1, "did you mean 'until'?");
    /* timeline commands: the `do:` parser's and checker's messages */
    bad("maintenance fw9 on", 13, "unknown node 'fw9'; did you mean 'fw1'?");
    bad("maintenance fw1 yes", 17, "expected 'on' or 'off'");
    bad("link-down fw1 lna", 15, "no interface 'lna'; did you mean 'lan'?");
    bad("maintenance remote on", 13, "node 'remote' has no CARP addresses");
    /* the views' */
    bad("show crap", 6, "");
    /* nothing ran */
    ck_assert_int_eq(hs_session_now(sess), 0);
}
END_TEST

START_TEST(shell_time_commands)
{
    ok("");
    ok("run 10s");
    ck_assert_int_eq(hs_session_now(sess), 10 * HS_S);
    ok("until 1m");
    ck_assert_int_eq(hs_session_now(sess), 60 * HS_S);
    bad("until 30s", 7, "30s is before now (t=60.000s): goto goes back");
    ok("until 1m"); /* now: nothing to run */
    ok("back 15s");
    ck_assert_int_eq(hs_session_now(sess), 45 * HS_S);
    ok("goto 50s");
    ck_assert_int_eq(hs_session_now(sess), 50 * HS_S);
    ok("back 10m"); /* before t=0: t=0 */
    ck_assert_int_eq(hs_session_now(sess), 0);
    ok("step");
    ck_assert_int_gt(hs_session_events(sess), 0);
    ok("break on carp fw2");
    ok("until 1m");
    ck_assert_int_lt(hs_session_now(sess), 60 * HS_S); /* stopped at fw2's change */
    ok("break off");
    ok("maintenance fw1 off");
    const hs_journal_entry *j;
    ck_assert_uint_eq(hs_session_journal(sess, &j), 1);
    ck_assert_str_eq(j[0].text, "maintenance fw1 off");
    ok("time");
    ok("help");
    ck_assert(!x.quit);
    ok("quit");
    ck_assert(x.quit);
}
END_TEST

typedef struct words {
    char buf[4096];
} words;

static void add(void *ctx, const char *w)
{
    words *v = ctx;
    strncat(v->buf, w, sizeof v->buf - strlen(v->buf) - 2);
    strcat(v->buf, " ");
}

static void completes(const char *line, const char *want)
{
    words v = {""};
    explore_complete(sess, line, add, &v);
    /* every word of want is offered */
    char w[256];
    snprintf(w, sizeof w, "%s", want);
    for (char *t = strtok(w, " "); t; t = strtok(NULL, " ")) {
        char needle[80];
        snprintf(needle, sizeof needle, " %s ", t);
        char hay[4200];
        snprintf(hay, sizeof hay, " %s", v.buf);
        ck_assert_msg(strstr(hay, needle), "'%s': '%s' not offered (%s)", line, t, v.buf);
    }
}

START_TEST(shell_completion)
{
    completes("", "run until step goto back break expect pcap save help quit show packets why maintenance power-off");
    completes("maintenance ", "isp fw1 fw2 lanhost remote");
    completes("maintenance fw1 ", "on off");
    completes("link-down fw1 ", "wan lan");
    completes("set-endpoint remote ", "wg0");
    completes("set-endpoint remote wg0 ", "fw1");
    completes("route-add fw1 ", "default");
    completes("break ", "on off");
    completes("break on ", "carp handshake endpoint drop state");
    completes("break on carp ", "fw1 fw2");
    completes("save x.yaml ", "--expect");
    completes("show ", "nodes carp");
    completes("show carp ", "fw1 fw2");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("explore_shell");
    TCase *tc = tcase_create("shell");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, shell_errors_name_the_column);
    tcase_add_test(tc, shell_time_commands);
    tcase_add_test(tc, shell_completion);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
