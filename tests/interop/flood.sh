#!/usr/bin/env bash
# Issue 22: `wgsim peer` under a handshake flood on 127.0.0.1. One instance
# (A) answers; B pings it through the tunnel every 5 ms; while B pings, one
# local socket floods A at full speed with replays of an initiation
# captured before B's own handshake (valid mac1), initiations with a valid
# mac1 from an unknown key, and garbage (peer_flood ... mix). Checks:
#   - B loses at most 1% of its pings;
#   - A went under load, sent cookie replies and rate-limited the flooder
#     (its "load:" line at exit), and the flooder got at most the token
#     bucket's share of cookie replies (5 at once, then 20/s);
#   - A's resident memory grew by less than 8 MiB during the flood.
# Prints one "flood:" line with the figures (docs/robustness.md).
#
# usage: flood.sh PATH/TO/wgsim PATH/TO/peer_flood COUNT
set -u
set -o pipefail

wgsim=${1:-}
flood=${2:-}
count=${3:-100000}
. "$(dirname "$0")/peer_lib.sh"
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

[ -x "$wgsim" ] && [ -x "$flood" ] || fail "usage: flood.sh PATH/TO/wgsim PATH/TO/peer_flood COUNT"
tmp=$(mktemp -d /tmp/wgsim-flood.XXXXXX) || fail "mktemp failed"


# The attacker's copy of an initiation from B, made before B's handshake.
"$flood" capture "$privB" "$pubA" "$tmp/captured" || fail "cannot capture an initiation"
sleep 0.01 # B's handshake gets a later TAI64N than the captured one

a_conf() {
  printf '[Interface]\nPrivateKey = %s\nListenPort = %s\nAddress = 10.78.0.1/24\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.78.0.2/32\n' \
    "$privA" "$1" "$pubB" >"$tmp/a.conf"
}
start_answering a_conf --duration 110s

# Enough pings to outlast the flood (about 1 s per 250,000 datagrams here).
pings=$((400 + count / 250))
printf '[Interface]\nPrivateKey = %s\nAddress = 10.78.0.2/24\n[Peer]\nPublicKey = %s\nEndpoint = 127.0.0.1:%s\nAllowedIPs = 10.78.0.1/32\n' \
  "$privB" "$pubA" "$portA" >"$tmp/b.conf"
"$wgsim" peer "$tmp/b.conf" --ping 10.78.0.1 --count "$pings" --interval 5ms --timeout 2s >"$tmp/b.out" 2>"$tmp/b.log" &
pidB=$!
pids+=("$pidB")
wait_for 10 grep -q "^reply from 10.78.0.1: icmp_seq=5 " "$tmp/b.out" || fail "no ping reply before the flood"

rss0=$(rss_kib "$pidA")
"$flood" send "127.0.0.1:$portA" "$count" mix "$pubA" "$tmp/captured" >"$tmp/flood.out" 2>"$tmp/flood.log" ||
  fail "the flood did not run"
rss1=$(rss_kib "$pidA")
wait "$pidB"
kill -TERM "$pidA"
wait "$pidA"

read -r _ sent _ secs _ rate _ _ cookies < <(sed 's/[()]//g; s/,//g' "$tmp/flood.out")
[ "$sent" = "$count" ] || fail "the flooder sent $sent of $count"
read -r tx rx < <(sed -n 's/^\([0-9]*\) transmitted, \([0-9]*\) received.*/\1 \2/p' "$tmp/b.out")
[ -n "$tx" ] || fail "no ping summary"
load=$(grep '^wgsim peer: load:' "$tmp/a.log")
under=$(sed -n 's/.*under load \([0-9.]*\) s.*/\1/p' <<<"$load")
replies=$(sed -n 's/.* \([0-9]*\) cookie replies sent.*/\1/p' <<<"$load")
limited=$(sed -n 's/.* \([0-9]*\) rate-limited.*/\1/p' <<<"$load")
growth=$((rss1 - rss0))
printf 'flood: %s datagrams in %s s (%s); pings %s sent %s received; A: %s; flooder got %s cookie replies; RSS %s -> %s KiB\n' \
  "$sent" "$secs" "$rate" "$tx" "$rx" "${load#wgsim peer: load: }" "$cookies" "$rss0" "$rss1"

((rx * 100 >= tx * 99)) || fail "the legitimate peer lost $((tx - rx)) of $tx pings (more than 1%)"
[ -n "$load" ] || fail "A printed no load line: never under load"

awk -v u="$under" 'BEGIN { exit !(u > 0) }' || fail "A was never under load"
((replies > 0)) || fail "A sent no cookie reply"
((limited > 0)) || fail "A rate-limited nothing"
((cookies > 0)) || fail "the flooder got no cookie reply"
# Per source: 5 at once, then 20/s while under load (plus the 1 s hold).
max=$(awk -v s="$secs" 'BEGIN { printf "%d", 5 + 20 * (s + 2) + 1 }')
((cookies <= max)) || fail "the flooder got $cookies cookie replies in $secs s (more than $max: not rate-limited)"
((growth < 8192)) || fail "A's RSS grew by $growth KiB under the flood"
echo "flood: PASS"
