/*
 * explore.h — what the pieces of `wgsim explore` share: the shell's
 * commands (explore_commands.c), its completion (explore_complete.c) and
 * the line reading (cmd_explore.c).
 */
#ifndef WGSIM_CLI_EXPLORE_H
#define WGSIM_CLI_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/runner.h"

typedef struct explore_ctx {
    hs_session *ss;
    bool expect_failed; /* an `expect` found a failure: exit status 1 */
    bool quit;          /* `quit` was given */
} explore_ctx;

/* Runs one shell command (no ';'). true when it ran; false for a bad
 * command, with a one-line message in err and the 1-based column in cmd of
 * the offending word (0 when none). Output goes to out. */
bool explore_exec(explore_ctx *x, const char *cmd, FILE *out, char *err, size_t errlen, int *err_col);

/* The shell's own verbs, for help and completion (NULL-terminated). */
extern const char *const explore_verbs[];
void explore_help(FILE *out);

/* Completion candidates for the word being typed after `line` (the text
 * before it): add(ctx, word) each. */
void explore_complete(hs_session *ss, const char *line, void (*add)(void *ctx, const char *word), void *ctx);

#endif
