#!/bin/sh
# wgsim explore driven by scripts (issue 19): -c and a pipe give the same
# plain output; a bad command stops a script with exit 2 and the column;
# `expect` exits 1 when an expectation failed; `pcap` after `goto` writes
# the bytes of a session that went there directly; `save --expect` writes
# a scenario whose run reproduces the session's verdicts and views.
# usage: explore_cli.sh PATH/TO/wgsim REPO_ROOT
set -u
wgsim=$1 root=$2
f=$root/scenarios/conformance/c4-maintenance-mode-roams-remote.yaml
tmp=$(mktemp -d /tmp/wgsim-explore-cli.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# -c and a pipe: the same output, no prompt
script='run 29s; time; show carp fw1; run 5s; show carp fw2; expect'
"$wgsim" explore "$f" -c "$script" >"$tmp/c.out" 2>"$tmp/c.err"; rc=$?
[ $rc = 0 ] || fail "-c exit $rc"
printf 'run 29s\ntime; show carp fw1\nrun 5s\nshow carp fw2\nexpect\n' | "$wgsim" explore "$f" >"$tmp/p.out" 2>&1; rc=$?
[ $rc = 0 ] || fail "pipe exit $rc"
cmp -s "$tmp/c.out" "$tmp/p.out" || { fail "-c and the pipe differ"; diff "$tmp/c.out" "$tmp/p.out"; }
grep -q 'wgsim t=' "$tmp/c.out" && fail "a prompt in script output"
# 856: six of them are WireGuard ticks at a wake with nothing due
# (docs/wgnode.md "How the timers are kept"; 850 before 2026-12-07)
grep -qx 't=29.000s (856 engine events)' "$tmp/c.out" || fail "time at 29s"
grep -q '^  t=30.000s  do: maintenance fw1 on$' "$tmp/c.out" || fail "the timeline command is not printed as it fires"
grep -Eq '^fw2 +wan +1 +198.51.100.1/24 +MASTER' "$tmp/c.out" || fail "fw2 is not shown MASTER at 34s"
grep -qx '7 passed, 0 failed, 13 pending' "$tmp/c.out" || fail "expect so far"

# a bad command: exit 2, the column in the -c string / the line and column on a pipe, nothing after it runs
"$wgsim" explore "$f" -c 'run 1s; maintenance fw9 on; time' >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?
[ $rc = 2 ] || fail "bad -c command exit $rc"
grep -qx "wgsim explore: -c:21: unknown node 'fw9'; did you mean 'fw1'?" "$tmp/bad.err" || { fail "bad -c message"; cat "$tmp/bad.err"; }
[ -s "$tmp/bad.out" ] && fail "a command after the bad one ran"
printf 'run 1s\ntime;  frobnicate fw1\n' | "$wgsim" explore "$f" >/dev/null 2>"$tmp/badp.err"; rc=$?
[ $rc = 2 ] || fail "bad piped command exit $rc"
grep -qx "wgsim explore: <stdin>:2:8: unknown command 'frobnicate' (help lists the commands)" "$tmp/badp.err" ||
  { fail "bad piped message"; cat "$tmp/badp.err"; }

# expect with a failure: exit 1
"$wgsim" explore "$f" -c 'until 50s; maintenance fw1 off; until 3m; expect' >"$tmp/fail.out" 2>&1; rc=$?
[ $rc = 1 ] || fail "expect with a failure: exit $rc"
grep -q '^FAIL ' "$tmp/fail.out" || fail "no FAIL line"

# goto: the captures of a session that went forward and back are those of one that went there directly
"$wgsim" explore "$f" -c "run 10s; link-down fw1 lan; run 40s; goto 25s; pcap $tmp/a" >/dev/null || fail "pcap after goto"
"$wgsim" explore "$f" -c "run 10s; link-down fw1 lan; until 25s; pcap $tmp/b" >/dev/null || fail "pcap direct"
n=0
for p in "$tmp/a/maintenance-mode-roams-remote/"*; do
  cmp -s "$p" "$tmp/b/maintenance-mode-roams-remote/${p##*/}" || fail "goto: ${p##*/} differs"
  n=$((n + 1))
done
[ $n = 4 ] || fail "goto: $n files, want 3 captures and keylog.txt"

# save --expect: the saved scenario reproduces the session
views='show carp; show peers remote; show peers fw1'
"$wgsim" explore "$f" -c "until 50s; maintenance fw1 off; until 3m; $views; save $tmp/saved.yaml --expect; expect" \
  >"$tmp/s.out" 2>&1; src=$?
"$wgsim" validate "$tmp/saved.yaml" >/dev/null 2>&1 || fail "the saved scenario does not validate"
"$wgsim" explore "$tmp/saved.yaml" -c "until 3m; $views; expect" >"$tmp/r.out" 2>&1; rrc=$?
"$wgsim" test "$tmp/saved.yaml" >/dev/null 2>&1; trc=$?
[ $src = 1 ] && [ $rrc = 1 ] && [ $trc = 1 ] || fail "save: exit statuses $src $rrc $trc, want 1 1 1"
# the views and the verdicts of the end are the same (the saved file is
# laid out anew: verdicts compare without their line numbers)
norm() { grep -v -e '^  t=' -e '^wrote ' -e ' passed, ' "$1" | sed -E 's/^(PASS|FAIL|pending) +line [0-9]+: /\1 /'; }
norm "$tmp/s.out" >"$tmp/s.views"
norm "$tmp/r.out" >"$tmp/r.views"
[ "$(grep -c . "$tmp/s.views")" -gt 30 ] || fail "save: too little output to compare"
while IFS= read -r line; do
  grep -qxF -- "$line" "$tmp/r.views" || fail "save: '$line' not reproduced"
done <"$tmp/s.views"
# the observations saved as expectations (CARP states, endpoints at 3m) pass
[ "$(grep -Ec '^PASS at 3m: (carp|endpoint) ' "$tmp/r.views")" -ge 8 ] || fail "the saved observations do not pass"
grep -q '^FAIL at 3m' "$tmp/r.views" && fail "a saved observation fails"

# usage and refusals
"$wgsim" explore --help | grep -q '^usage: wgsim explore' || fail "--help"
"$wgsim" explore >/dev/null 2>"$tmp/u.err"; rc=$?
[ $rc = 2 ] && grep -qx 'wgsim explore: no scenario file given' "$tmp/u.err" || fail "no file: exit $rc"
"$wgsim" explore --max-events 5 "$f" -c time >/dev/null 2>"$tmp/u.err"; rc=$?
[ $rc = 2 ] && grep -q 'is not an explore option' "$tmp/u.err" || fail "--max-events: exit $rc"
"$wgsim" explore --engine ns3 "$f" -c time >/dev/null 2>"$tmp/u.err"; rc=$?
[ $rc = 2 ] && grep -q 'explore runs on the native engine' "$tmp/u.err" || fail "--engine ns3: exit $rc"
"$wgsim" explore "$root/tests/data/bad-example.yaml" -c time >/dev/null 2>"$tmp/u.err"; rc=$?
[ $rc = 2 ] && grep -q "bad-example.yaml:5:9: unknown key 'delya'" "$tmp/u.err" || fail "a file that does not load: exit $rc"

[ $failures = 0 ] && echo "explore scripts: all checks passed"
[ $failures = 0 ]
