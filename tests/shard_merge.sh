#!/bin/sh
# wgsim test --shard K/N and wgsim merge (issue 23): the shipped suite run
# as 3 shards and merged gives the unsplit run's --json and --junit (wall
# times aside: normalised), its --markdown and --html byte for byte, the
# same exit status; merge --baseline reports the regressions, files and
# exit status test --baseline does; the shards are disjoint and balanced;
# overlapping, missing, mismatched or damaged shards and bad K/N are
# refused with exit 2.
# usage: shard_merge.sh PATH/TO/wgsim REPO_ROOT
set -u
wgsim=$1 root=$2
tmp=$(mktemp -d /tmp/wgsim-shard.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$root" || exit 2
"$wgsim" test -j2 scenarios/ --json "$tmp/all.json" --junit "$tmp/all.xml" --markdown "$tmp/all.md" \
  --html "$tmp/all.html" --date 2026-12-07 >"$tmp/all.txt" 2>/dev/null
all_rc=$?
for k in 1 2 3; do
  "$wgsim" test -j2 --shard $k/3 scenarios/ --json "$tmp/r$k.json" --junit "$tmp/r$k.xml" >"$tmp/out$k.txt" 2>/dev/null
  rc=$?
  [ $rc -le 1 ] || fail "shard $k/3 exit $rc"
  grep -q '"index": '$k "$tmp/r$k.json" || fail "shard $k's JSON does not name it"
  grep -q "property name=\"shard\" value=\"$k/3\"" "$tmp/r$k.xml" || fail "shard $k's JUnit does not name it"
done
"$wgsim" merge "$tmp/r1.json" "$tmp/r2.json" "$tmp/r3.json" --json "$tmp/m.json" --junit "$tmp/m.xml" \
  --markdown "$tmp/m.md" --html "$tmp/m.html" --date 2026-12-07 >"$tmp/m.txt"
m_rc=$?
# neither report holds a wall time: byte for byte
for f in md html; do
  [ -s "$tmp/m.$f" ] || fail "merge wrote no --$f"
  cmp -s "$tmp/all.$f" "$tmp/m.$f" || { fail "merged .$f differs from the unsplit run's"; diff "$tmp/all.$f" "$tmp/m.$f" | head -20; }
done
grep -q '<svg class="topology"' "$tmp/m.html" || fail "the merged HTML draws no topology"
grep -q '<svg class="seqdiag"' "$tmp/m.html" || fail "the merged HTML draws no sequence diagram"
grep -q '^## Phase tables' "$tmp/m.md" || fail "the merged Markdown has no phase tables"
[ $m_rc = $all_rc ] || fail "merge exit $m_rc, unsplit run exit $all_rc"
tail -n 1 "$tmp/all.txt" >"$tmp/all.sum"
cmp -s "$tmp/m.txt" "$tmp/all.sum" || fail "merge summary '$(cat "$tmp/m.txt")' is not '$(cat "$tmp/all.sum")'"
# the wall time: "duration" of each scenario in JSON, time= in JUnit
jnorm() { sed -E 's/^(      "duration": ).*/\1WALL,/' "$1"; }
xnorm() { sed -E 's/ time="[0-9.]+"/ time="WALL"/g' "$1"; }
jnorm "$tmp/all.json" >"$tmp/a.n"; jnorm "$tmp/m.json" >"$tmp/m.n"
cmp -s "$tmp/a.n" "$tmp/m.n" || { fail "merged JSON differs from the unsplit run's"; diff "$tmp/a.n" "$tmp/m.n" | head -20; }
xnorm "$tmp/all.xml" >"$tmp/a.x"; xnorm "$tmp/m.xml" >"$tmp/m.x"
cmp -s "$tmp/a.x" "$tmp/m.x" || { fail "merged JUnit differs from the unsplit run's"; diff "$tmp/a.x" "$tmp/m.x" | head -20; }
# every scenario in exactly one shard, and no shard empty
n_all=$(grep -c '^      "file"' "$tmp/all.json")
n_sum=0
for k in 1 2 3; do
  n=$(grep -c '^      "file"' "$tmp/r$k.json")
  [ "$n" -gt 0 ] || fail "shard $k/3 is empty"
  n_sum=$((n_sum + n))
done
[ $n_sum = "$n_all" ] || fail "the shards hold $n_sum scenarios, the suite $n_all"
# failures (30% loss on every segment fails most scenarios): the failure
# texts with their packets, the per-expectation JUnit and exit 1 carry over
"$wgsim" test -j2 --perturb loss=30% scenarios/ --json "$tmp/pa.json" --junit-granularity expectation \
  --junit "$tmp/pa.xml" >/dev/null 2>&1
pa_rc=$?
[ $pa_rc = 1 ] || fail "with 30% loss the unsplit run exits $pa_rc, not 1"
for k in 1 2; do
  "$wgsim" test -j2 --perturb loss=30% --shard $k/2 scenarios/ --json "$tmp/p$k.json" >/dev/null 2>&1
done
"$wgsim" merge "$tmp/p1.json" "$tmp/p2.json" --json "$tmp/pm.json" --junit-granularity expectation \
  --junit "$tmp/pm.xml" >/dev/null
pm_rc=$?
[ $pm_rc = $pa_rc ] || fail "merge of the failing shards exits $pm_rc, the unsplit run $pa_rc"
jnorm "$tmp/pa.json" >"$tmp/a.n"; jnorm "$tmp/pm.json" >"$tmp/m.n"
cmp -s "$tmp/a.n" "$tmp/m.n" || { fail "merged failing JSON differs"; diff "$tmp/a.n" "$tmp/m.n" | head -20; }
xnorm "$tmp/pa.xml" >"$tmp/a.x"; xnorm "$tmp/pm.xml" >"$tmp/m.x"
cmp -s "$tmp/a.x" "$tmp/m.x" || { fail "merged per-expectation JUnit differs"; diff "$tmp/a.x" "$tmp/m.x" | head -20; }
grep -q '<failure' "$tmp/m.x" || fail "no failure in the merged JUnit of a failing suite"
# the failing suite against the passing run as baseline: test --baseline
# of the unsplit suite and merge --baseline of its shards say the same
"$wgsim" test -j2 --perturb loss=30% scenarios/ --baseline "$tmp/all.json" --fail-on-regression \
  --markdown "$tmp/pa.md" --html "$tmp/pa.html" >"$tmp/pa.txt" 2>/dev/null
pa_rc=$?
"$wgsim" merge "$tmp/p1.json" "$tmp/p2.json" --baseline "$tmp/all.json" --fail-on-regression \
  --markdown "$tmp/pm.md" --html "$tmp/pm.html" >"$tmp/pm.txt"
pm_rc=$?
[ $pa_rc = 1 ] && [ $pm_rc = 1 ] || fail "--fail-on-regression: test exits $pa_rc, merge $pm_rc (not 1 both)"
sed -n '/^[0-9]* passed, /,$p' "$tmp/pa.txt" >"$tmp/pa.tail"
grep -q '^compared with .*: [1-9][0-9]* regressions' "$tmp/pm.txt" || fail "merge --baseline reports no regression"
cmp -s "$tmp/pa.tail" "$tmp/pm.txt" || { fail "merge --baseline says other than test --baseline"; diff "$tmp/pa.tail" "$tmp/pm.txt" | head -20; }
for f in md html; do
  cmp -s "$tmp/pa.$f" "$tmp/pm.$f" || { fail "merge --baseline's .$f differs"; diff "$tmp/pa.$f" "$tmp/pm.$f" | head -20; }
done
grep -q 'regression' "$tmp/pm.md" || fail "the merged Markdown does not show the regressions"
# the unsplit run as its own baseline: no regression, exit 0
"$wgsim" merge "$tmp/r1.json" "$tmp/r2.json" "$tmp/r3.json" --baseline "$tmp/all.json" --fail-on-regression >"$tmp/o"
rc=$?
[ $rc = 0 ] || fail "merge --baseline of the same results exits $rc"
grep -q ': 0 regressions' "$tmp/o" || fail "merge --baseline of the same results: $(grep compared "$tmp/o")"
# refusals
expect2() { # DESCRIPTION PATTERN COMMAND...
  what=$1 pat=$2; shift 2
  "$@" >"$tmp/o" 2>"$tmp/e"; rc=$?
  [ $rc = 2 ] || fail "$what: exit $rc, not 2"
  grep -q -- "$pat" "$tmp/e" || { fail "$what: no '$pat' on stderr"; cat "$tmp/e"; }
}
expect2 overlap "overlapping shards" "$wgsim" merge "$tmp/r1.json" "$tmp/r1.json" "$tmp/r2.json" "$tmp/r3.json"
expect2 missing "a shard of the 3 is missing" "$wgsim" merge "$tmp/r1.json" "$tmp/r3.json"
expect2 unsplit "not a shard's result" "$wgsim" merge "$tmp/all.json"
sed 's/"format_version": 2/"format_version": 1/' "$tmp/r2.json" >"$tmp/v1.json"
expect2 version "format_version 1 but" "$wgsim" merge "$tmp/r1.json" "$tmp/v1.json" "$tmp/r3.json"
expect2 "fail-on-regression alone" "needs --baseline" "$wgsim" merge --fail-on-regression "$tmp/r1.json"
expect2 "bad baseline" "--baseline: $tmp/none.json" "$wgsim" merge --baseline "$tmp/none.json" "$tmp/r1.json"
# shards run differently: the reports could name only one of the ways
"$wgsim" test --seed 7 --shard 2/3 scenarios/ --json "$tmp/s2.json" >/dev/null 2>&1
expect2 "other seed" "run every shard the same way" "$wgsim" merge "$tmp/r1.json" "$tmp/s2.json" "$tmp/r3.json"
# a damaged drawing is refused with its place, not drawn
sed '0,/"segment": [0-9]*/s//"segment": 999/' "$tmp/r2.json" >"$tmp/d2.json"
grep -q '"segment": 999' "$tmp/d2.json" || fail "no drawing to damage in shard 2"
expect2 "damaged drawing" "a link's segment is not one of them" "$wgsim" merge "$tmp/r1.json" "$tmp/d2.json" "$tmp/r3.json" --html "$tmp/d.html"
sed -z 's/"kind": "carp",\(\s*"lane"\)/"kind": "cpu",\1/' "$tmp/r2.json" >"$tmp/d2.json"
expect2 "damaged mark" "a mark's kind is not carp" "$wgsim" merge "$tmp/r1.json" "$tmp/d2.json" "$tmp/r3.json" --html "$tmp/d.html"
sed '0,/"sources": \[$/s//"sources": [], "kept": [/' "$tmp/r2.json" >"$tmp/d2.json"
expect2 "damaged phase" "serving node but no source" "$wgsim" merge "$tmp/r1.json" "$tmp/d2.json" "$tmp/r3.json"
for bad in 0/3 4/3 3 x/3 1/0 1/3x; do
  expect2 "--shard $bad" "--shard: '$bad'" "$wgsim" test --shard $bad scenarios/
done
[ $failures = 0 ] && echo "shard and merge: all checks passed"
exit $failures
