/*
 * build_commit.h — the git commit this wgsim was built from, for
 * `wgsim --version` and the reports' run information.
 */
#ifndef WGSIM_CLI_BUILD_COMMIT_H
#define WGSIM_CLI_BUILD_COMMIT_H

/* What `git describe --always --dirty` said at the last build (not at the
 * last configure), or "unknown" outside a git checkout. Defined in the
 * generated build/cli/build_commit.c (cli/build_commit.cmake). */
extern const char wgsim_git_commit[];

#endif
