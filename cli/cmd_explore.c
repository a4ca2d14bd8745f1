/*
 * cmd_explore.c — `wgsim explore FILE`: a shell on a scenario's world
 * (harness/session.h; the commands are in explore_commands.c).
 *
 * Three ways in: -c 'run 30s; show carp' (the commands of the string),
 * commands on a pipe (one or more a line, separated by ';'), both without
 * prompts and stopping at the first bad command (exit 2, the message
 * naming the -c column or the line and column), and a terminal, where
 * libedit reads lines with history (~/.wgsim_history) and completion, and
 * a bad command prints one line and the shell goes on. Exit status: 0, or
 * 1 when an `expect` found a failure, 2 on bad input.
 *
 * SIGINT sets a flag the session reads between engine events, so Ctrl-C
 * stops a long `run` and leaves the world at the time reached; at the
 * prompt it only clears the line.
 */
#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/explore.h"
#include "cli/run_options.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: wgsim explore [options] FILE [-c 'COMMANDS']\n"
                 "Builds the scenario's world at t=0 and opens a shell on it: run it forward,\n"
                 "inject timeline commands, inspect every layer, go back in time (help lists\n"
                 "the commands; docs/explore.md).\n"
                 "  -c 'CMD; CMD'   run these commands and exit (no prompt, plain text)\n"
                 "  --seed N        replace the scenario's seed\n"
                 "  --platform P    nodes on the scenario's default platform use P\n"
                 "  --engine E      native (the default; ns3 is refused: one ns-3 world per\n"
                 "                  process, and goto, expect and pcap build a second one)\n"
                 "  --strict        a scenario with warnings (wgsim validate) is not explored\n"
                 "  -h, --help      this text\n"
                 "Commands on a pipe run like -c. Exit status: 0; 1 when an `expect` found a\n"
                 "failed expectation; 2 on bad input (a bad command when not interactive).\n");
}

/* Runs the ';'-separated commands of text; base_col is the column of
 * text[0] in what the user gave. A bad command prints one line to stderr:
 * on a terminal ("error at column N: ...") the next command runs; in a
 * script ("wgsim explore: WHERE:COL: ...") false is returned at once. */
static bool run_text(explore_ctx *x, const char *text, const char *where, int base_col, bool interactive)
{
    const char *p = text;
    while (!x->quit) {
        size_t l = strcspn(p, interactive ? ";" : ";\n");
        char *cmd = strndup(p, l);
        if (!cmd)
            sim_oom("a shell command");
        char err[1024];
        int col = 0;
        interrupted = 0;
        bool ok = explore_exec(x, cmd, stdout, err, sizeof err, &col);
        free(cmd);
        fflush(stdout);
        if (!ok) {
            int at = base_col + (int)(p - text) + col - 1;
            if (interactive && col)
                fprintf(stderr, "error at column %d: %s\n", at, err);
            else if (interactive)
                fprintf(stderr, "error: %s\n", err);
            else if (col)
                fprintf(stderr, "wgsim explore: %s:%d: %s\n", where, at, err);
            else
                fprintf(stderr, "wgsim explore: %s: %s\n", where, err);
            if (!interactive)
                return false;
        }
        if (!p[l])
            break;
        p += l + 1;
    }
    return true;
}

static int run_pipe(explore_ctx *x)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    int rc = 0;
    while (!x->quit && (n = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        if (n && line[n - 1] == '\n')
            line[n - 1] = 0;
        char where[48];
        snprintf(where, sizeof where, "<stdin>:%u", lineno);
        if (!run_text(x, line, where, 1, false)) {
            rc = 2;
            break;
        }
    }
    free(line);
    return rc;
}

/* ---- the terminal: libedit ---- */

static hs_session *complete_session;
static char **cands;
static size_t n_cands, cap_cands;

static void add_cand(void *ctx, const char *word)
{
    (void)ctx;
    if (!word[0])
        return;
    for (size_t i = 0; i < n_cands; i++)
        if (!strcmp(cands[i], word))
            return;
    if (n_cands == cap_cands) {
        cap_cands = cap_cands ? 2 * cap_cands : 64;
        cands = realloc(cands, cap_cands * sizeof *cands);
        if (!cands)
            sim_oom("completion");
    }
    if (!(cands[n_cands++] = strdup(word)))
        sim_oom("completion");
}

static void clear_cands(void)
{
    for (size_t i = 0; i < n_cands; i++)
        free(cands[i]);
    n_cands = 0;
}

static char *next_cand(const char *text, int state)
{
    static size_t i;
    if (!state)
        i = 0;
    size_t l = strlen(text);
    while (i < n_cands) {
        const char *c = cands[i++];
        if (!strncmp(c, text, l))
            return strdup(c);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    clear_cands();
    /* the text before the word being completed, up to the last ';' */
    char *before = strndup(rl_line_buffer, (size_t)start);
    if (!before)
        sim_oom("completion");
    char *cmd = strrchr(before, ';');
    explore_complete(complete_session, cmd ? cmd + 1 : before, add_cand, NULL);
    free(before);
    rl_attempted_completion_over = 1; /* no file names */
    return rl_completion_matches(text, next_cand);
}

static int run_terminal(explore_ctx *x)
{
    char hist[4096] = "";
    const char *home = getenv("HOME");
    if (home && *home)
        snprintf(hist, sizeof hist, "%s/.wgsim_history", home);
    complete_session = x->ss;
    rl_readline_name = "wgsim";
    rl_attempted_completion_function = complete;
    using_history();
    if (hist[0])
        read_history(hist);
    printf("wgsim explore: %s at t=0 (help lists the commands, Ctrl-D leaves)\n",
           hs_session_scenario(x->ss)->name ? hs_session_scenario(x->ss)->name : "scenario");
    while (!x->quit) {
        char prompt[64], ts[32];
        snprintf(prompt, sizeof prompt, "wgsim t=%ss> ", hs_result_time(hs_session_now(x->ss), ts, sizeof ts));
        interrupted = 0;
        char *line = readline(prompt);
        if (!line) {
            if (interrupted) { /* Ctrl-C at the prompt: a new line, not the end */
                printf("\n");
                continue;
            }
            printf("\n");
            break;
        }
        if (line[strspn(line, " \t")]) {
            add_history(line);
            run_text(x, line, NULL, 1, true);
        }
        free(line);
    }
    if (hist[0])
        write_history(hist);
    clear_cands();
    free(cands);
    cands = NULL;
    return 0;
}

int cmd_explore(int argc, char **argv)
{
    hs_run_options opt = {0};
    const char *file = NULL, *script = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int shared = cli_run_option("explore", argc, argv, &i, &opt);
        if (!strcmp(a, "--max-memory") || !strcmp(a, "--max-events")) {
            fprintf(stderr, "wgsim explore: %s is not an explore option (a run stops where you say)\n", a);
            return 2;
        }
        if (shared < 0)
            return 2;
        if (shared > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-c")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wgsim explore: -c needs the commands\n");
                return 2;
            }
            script = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wgsim explore: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (file) {
            fprintf(stderr, "wgsim explore: one scenario file at a time ('%s' and '%s')\n", file, a);
            return 2;
        } else {
            file = a;
        }
    }
    if (!file) {
        fprintf(stderr, "wgsim explore: no scenario file given\n");
        usage(stderr);
        return 2;
    }
    hs_diag d;
    hs_diag_init(&d, file);
    hs_scenario *s = hs_load_file(file, &d);
    if (!s) {
        hs_diag_print(&d, stderr);
        hs_diag_free(&d);
        return 2;
    }
    hs_diag_free(&d);
    hs_diag warn;
    hs_diag_init(&warn, file);
    hs_lint(s, &warn);
    hs_diag_print(&warn, stderr);
    size_t n_warn = hs_diag_count(&warn);
    hs_diag_free(&warn);
    if (opt.strict && n_warn) {
        fprintf(stderr, "%s: --strict: a warning is an error\n", file);
        hs_scenario_free(s);
        return 2;
    }

    char err[1024];
    cli_oom_running(file);
    hs_session *ss = hs_session_new(s, &opt, err, sizeof err);
    if (!ss) {
        fprintf(stderr, "%s\n", err);
        hs_scenario_free(s);
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    hs_session_set_interrupt(ss, &interrupted);

    explore_ctx x = {.ss = ss};
    int rc;
    if (script)
        rc = run_text(&x, script, "-c", 1, false) ? 0 : 2;
    else if (isatty(STDIN_FILENO))
        rc = run_terminal(&x);
    else
        rc = run_pipe(&x);
    if (rc == 0 && x.expect_failed)
        rc = 1;
    hs_session_free(ss);
    hs_scenario_free(s);
    cli_oom_running(NULL);
    return rc;
}
