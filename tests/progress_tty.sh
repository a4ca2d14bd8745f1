#!/bin/sh
# The progress line (issue 23): on a terminal (script(1) gives the command
# one) `wgsim test` shows "running: N/M done, ETA ..." and `wgsim run` the
# simulated time reached, each erased at the end; with --quiet, or with
# stderr not a terminal, not a byte of it. Uses the longest shipped
# scenarios (scenarios/load, about a second each). Exit 77 without script.
# usage: progress_tty.sh PATH/TO/wgsim REPO_ROOT
set -u
wgsim=$1 root=$2
command -v script >/dev/null 2>&1 || { echo "skipped: script(1) is not installed (Debian package bsdutils)"; exit 77; }
tmp=$(mktemp -d /tmp/wgsim-progress.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
long=scenarios/load/flood-fresh-and-garbage-two-sources.yaml
esc=$(printf '\033')
# on a terminal: stdout to a file, so what script records is stderr
script -qc "'$wgsim' test scenarios/load/ >'$tmp/t.out'" /dev/null >"$tmp/t.tty" 2>&1
grep -Eq 'running: [0-9]+/3 done, ETA ' "$tmp/t.tty" || { fail "test: no 'running: N/3 done, ETA' on a terminal"; cat -v "$tmp/t.tty"; }
tail -c 8 "$tmp/t.tty" | grep -q "$esc\[K" || fail "test: the progress line is not erased at the end"
script -qc "'$wgsim' run --no-timeline $long >'$tmp/r.out'" /dev/null >"$tmp/r.tty" 2>&1
grep -Eq 'simulated [0-9.]+s of 40\.000s' "$tmp/r.tty" || { fail "run: no 'simulated T of 40.000s' on a terminal"; cat -v "$tmp/r.tty"; }
# --quiet on a terminal, and a pipe: nothing
for q in --quiet -q; do
  script -qc "'$wgsim' test $q scenarios/load/ >/dev/null" /dev/null >"$tmp/q.tty" 2>&1
  [ -s "$tmp/q.tty" ] && { fail "test $q: something on the terminal's stderr"; cat -v "$tmp/q.tty"; }
  script -qc "'$wgsim' run $q --no-timeline $long >/dev/null" /dev/null >"$tmp/q.tty" 2>&1
  [ -s "$tmp/q.tty" ] && { fail "run $q: something on the terminal's stderr"; cat -v "$tmp/q.tty"; }
done
"$wgsim" test scenarios/load/ >"$tmp/p.out" 2>"$tmp/p.err"
[ -s "$tmp/p.err" ] && { fail "test: stderr not a terminal, yet it says something"; cat -v "$tmp/p.err"; }
# the wall time closing each result line differs between two runs
wall() { sed -E 's/ [0-9]+\.[0-9]+s$/ WALL/' "$1"; }
[ "$(wall "$tmp/p.out")" = "$(wall "$tmp/t.out")" ] || fail "test: stdout differs with a progress line on stderr"
"$wgsim" run --no-timeline $long 2>"$tmp/p.err" | cat >"$tmp/p.out"
[ -s "$tmp/p.err" ] && { fail "run: stderr not a terminal, yet it says something"; cat -v "$tmp/p.err"; }
[ "$(wall "$tmp/p.out")" = "$(wall "$tmp/r.out")" ] || fail "run: stdout differs with a progress line on stderr"
[ $failures = 0 ] && echo "progress on a terminal: all checks passed"
exit $failures
