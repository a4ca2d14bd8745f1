#!/bin/sh
# `wgsim bench scale --repeat K` (bench/bench_scale.c): every N runs once
# in each of K rounds; the line per N lists the K walls and names their
# fastest and median, the targets say they read the fastest, --json gives
# that fastest wall, and a bad K is refused with exit 2.
# usage: bench_rounds.sh PATH/TO/wgsim
set -u
wgsim=$1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
args="scale --peers 20,200 --seconds 40 --repeat 3"
out=$("$wgsim" bench $args) || fail "bench $args exited $?"
for n in 20 200; do
    # the rows of N: "N round build run wall crypto ..."
    rounds=$(echo "$out" | awk -v n=$n '$1 == n && $2 ~ /^[0-9]+\/3$/ { print $2 }' | tr '\n' ' ')
    [ "$rounds" = "1/3 2/3 3/3 " ] || fail "N=$n: rounds '$rounds' (expected 1/3 2/3 3/3)"
    # "N=200 walls 0.051, 0.049, 0.050 s: fastest 0.049 s, median 0.050 s of 3 runs; ..."
    line=$(echo "$out" | grep "^  N=$n walls ")
    [ -n "$line" ] || { fail "N=$n: no 'walls' line"; continue; }
    sorted=$(echo "$line" | sed 's/^  N=[0-9]* walls \([0-9., ]*\) s:.*/\1/' | tr -d ' ' | tr ',' '\n' | sort -n)
    [ "$(echo "$sorted" | wc -l)" = 3 ] || fail "N=$n: not three walls in '$line'"
    fastest=$(echo "$line" | sed -n 's/.*fastest \([0-9.]*\) s, median \([0-9.]*\) s of 3 runs.*/\1/p')
    median=$(echo "$line" | sed -n 's/.*fastest \([0-9.]*\) s, median \([0-9.]*\) s of 3 runs.*/\2/p')
    [ "$fastest" = "$(echo "$sorted" | sed -n 1p)" ] || fail "N=$n: fastest $fastest of $(echo $sorted)"
    [ "$median" = "$(echo "$sorted" | sed -n 2p)" ] || fail "N=$n: median $median of $(echo $sorted)"
    # each row's wall is one of the listed ones (2 decimals there, 3 here)
    for w in $(echo "$out" | awk -v n=$n '$1 == n && $2 ~ /^[0-9]+\/3$/ { print $5 }'); do
        echo "$sorted" | awk -v w="$w" 'function abs(x) { return x < 0 ? -x : x } abs($1 - w) <= 0.0051 { ok = 1 } END { exit !ok }' ||
            fail "N=$n: a row's wall $w is not among $(echo $sorted)"
    done
done
echo "$out" | grep -q "grows <= 11x .*(fastest)" || fail "the growth target does not say it reads the fastest runs"
json=$("$wgsim" bench $args --json) || fail "bench $args --json exited $?"
echo "$json" | grep -q '^{"bench": "scale", "ours": ' || fail "no scale line in --json: $json"
# bad rounds
for k in 0 10 x ""; do
    err=$("$wgsim" bench scale --quick --repeat $k 2>&1 >/dev/null)
    st=$?
    [ $st = 2 ] || fail "--repeat '$k': exit $st (expected 2)"
    echo "$err" | grep -q -- "--repeat needs a number of rounds, 1..9" || fail "--repeat '$k': message '$err'"
done
[ $failures = 0 ] && echo "bench rounds: all checks passed"
exit $failures
