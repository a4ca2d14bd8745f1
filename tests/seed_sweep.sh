#!/bin/sh
# wgsim test --seeds / --perturb / --check-determinism (cli/test_sweep.c,
# cli/test_determinism.c, harness/perturb.c; docs/running-scenarios.md):
#   - a sweep that passes on every seed: exit 0, "3/3 seeds";
#   - a tiny lossless scenario made lossy with --perturb: exit 1, some
#     seeds pass and some fail, the failing ones listed with a replay
#     command, and that command, run as printed, fails the same way while
#     the same seed without --perturb passes;
#   - --json carries every failing seed with its replay command, and
#     `wgsim report` refuses it as a baseline (no verdicts to compare);
#   - an explicit `loss: 0%` is left alone: loss=100% on segment b only
#     changes nothing, on a (no loss written) every echo is lost;
#   - a file that does not load: ERROR with its error once, exit 2;
#   - bad --seeds / --perturb values and option clashes: exit 2;
#   - --check-determinism: the same bytes twice (exit 0), and with the test
#     hook that perturbs the second run a difference found (exit 1).
# Prints "FAILED: ..." for each check that did not hold, then
# "seed-sweep-ok" when all held.
# usage: seed_sweep.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/seed-sweep
rm -rf "$d" && mkdir -p "$d" || exit 1
bad=0
fail() { echo "FAILED: $*"; bad=1; }
tiny=$src/tests/data/sweep-tiny.yaml
starter=$src/scenarios/examples/starter.yaml

"$wgsim" test --seeds 1-3 "$starter" >"$d/ok.txt" 2>&1
[ $? -eq 0 ] || fail "a passing sweep exits 0"
grep -q "^PASS starter-two-sites (claim C8) 3/3 seeds$" "$d/ok.txt" || fail "3/3 seeds"

"$wgsim" test --seeds 1-20 --perturb loss=5% --json "$d/sweep.json" "$tiny" >"$d/lossy.txt" 2>&1
[ $? -eq 1 ] || fail "a failing seed exits 1"
grep -qE "^FAIL sweep-tiny ([1-9]|1[0-9])/20 seeds; not on seeds [0-9,]+$" "$d/lossy.txt" ||
  fail "some seeds pass, some fail: $(head -n 1 "$d/lossy.txt")"
replay=$(grep -m 1 "^      replay: " "$d/lossy.txt" | sed 's/^      replay: wgsim //')
seed=$(echo "$replay" | sed -n 's/.* --seed \([0-9]*\) .*/\1/p')
[ -n "$seed" ] || fail "a replay command with --seed: '$replay'"
why=$(grep -m 1 "^    seed $seed failed: " "$d/lossy.txt" | sed 's/^    seed [0-9]* failed: \([^ ]*:[0-9]*\):.*/\1/')
# shellcheck disable=SC2086  # the replay command is words, as printed
(cd "$src" && "$wgsim" $replay) >"$d/replay.txt" 2>&1
[ $? -eq 1 ] || fail "the replay command fails: $replay"
grep -q "FAIL $why:" "$d/replay.txt" || fail "the replay fails at $why"
(cd "$src" && "$wgsim" run tests/data/sweep-tiny.yaml --seed "$seed") >/dev/null 2>&1 ||
  fail "seed $seed without --perturb passes"
grep -q '"perturb": "loss=5%"' "$d/sweep.json" || fail "json: perturb"
grep -q "\"replay\": \"wgsim run $tiny --seed $seed --perturb loss=5%\"" "$d/sweep.json" ||
  fail "json: the replay command"
n_fail=$(grep -c '"replay"' "$d/sweep.json")
grep -q "\"failed\": $n_fail," "$d/sweep.json" || fail "json: every failing seed ($n_fail) listed"

# a file that does not load: ERROR on every seed, said once, exit 2
"$wgsim" test --seeds 1-3 "$src/tests/data/bad-example.yaml" "$starter" >"$d/error.txt" 2>&1
[ $? -eq 2 ] || fail "a sweep with an ERROR exits 2"
grep -q "^ERROR .*bad-example.yaml 0/3 seeds; not on seeds 1,2,3$" "$d/error.txt" || fail "ERROR line with the seeds"
[ "$(grep -c "every seed error: .*bad-example.yaml:5:9: unknown key 'delya'" "$d/error.txt")" = 1 ] ||
  fail "the error once"

# a sweep's JSON is not a result to compare with
"$wgsim" report "$d/sweep.json" "$d/sweep.json" >"$d/report.txt" 2>&1
[ $? -eq 2 ] || fail "wgsim report on a sweep exits 2"
grep -q "a seed sweep (wgsim test --seeds --json), not a result to compare" "$d/report.txt" ||
  fail "wgsim report says it is a sweep"

# explicit `loss: 0%` on b is kept; a writes no loss
cp "$tiny" "$d/only-a-lossless.yaml"
sed -i 's/^  a: {delay: 1ms}$/  a: {delay: 1ms, loss: 0%}/' "$d/only-a-lossless.yaml"
"$wgsim" test --seeds 1-5 --perturb loss=100% "$d/only-a-lossless.yaml" >"$d/explicit.txt" 2>&1
[ $? -eq 0 ] || fail "loss: 0% written on both segments: --perturb loss=100% changes nothing"
"$wgsim" run --no-timeline --perturb loss=100% "$tiny" >"$d/all-lost.txt" 2>&1
grep -q "seen:     loss 100.0% (10 of 10 echoes unanswered)" "$d/all-lost.txt" ||
  fail "loss=100% on segment a loses every echo"

# bad values and clashes: exit 2 with a message
for args in "--seeds 5-3" "--seeds 1,1" "--seeds x" "--seeds 1-200000" "--seeds 1-3 --seed 4" \
  "--seeds 1-3 --matrix platform=linux" "--seeds 1-3 --check-determinism" "--perturb loss=101%" \
  "--perturb jitter=1h,jitter=2h" "--perturb delay=1ms" "--check-determinism --json $d/x.json"; do
  # shellcheck disable=SC2086
  "$wgsim" test $args "$tiny" >"$d/bad.txt" 2>&1
  rc=$?
  [ $rc -eq 2 ] || fail "'$args' exits 2, not $rc"
  grep -q "^wgsim test: --" "$d/bad.txt" || fail "'$args' says which option"
done

"$wgsim" test --check-determinism "$starter" "$tiny" >"$d/same.txt" 2>&1
[ $? -eq 0 ] || fail "--check-determinism passes on a deterministic scenario"
grep -qE "^SAME starter-two-sites: [0-9]+ bytes in [0-9]+ parts$" "$d/same.txt" || fail "SAME line"
grep -q "^2 scenarios run twice: 2 the same byte for byte, 0 differ, 0 errors$" "$d/same.txt" || fail "summary"
WGSIM_TEST_SECOND_RUN_PERTURB=jitter=3ms "$wgsim" test --check-determinism "$tiny" >"$d/diff.txt" 2>&1
[ $? -eq 1 ] || fail "--check-determinism exits 1 on a difference"
grep -qE "^DIFF sweep-tiny: JSON result differs at byte [0-9]+" "$d/diff.txt" || fail "DIFF line"
grep -qE "^      second run: " "$d/diff.txt" || fail "the differing line of both runs"

[ $bad -eq 0 ] && echo seed-sweep-ok
