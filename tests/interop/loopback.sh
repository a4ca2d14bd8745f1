#!/usr/bin/env bash
# `wgsim peer` against itself on 127.0.0.1: no root, no wireguard-go needed,
# so it runs everywhere. One instance answers (no Endpoint: it learns the
# pinger's from the handshake), the other pings through the tunnel.
# Also: exit statuses (0 all replies, 1 lost, 2 bad config with FILE:LINE),
# SIGTERM and SIGINT end a run cleanly, the key log has the four Wireshark
# labels.
#
# usage: loopback.sh PATH/TO/wgsim
set -u
set -o pipefail

wgsim=${1:-}
. "$(dirname "$0")/peer_lib.sh"

[ -n "$wgsim" ] && [ -x "$wgsim" ] || fail "usage: loopback.sh PATH/TO/wgsim (got '${wgsim}')"
tmp=$(mktemp -d /tmp/wgsim-loopback.XXXXXX) || fail "mktemp failed"

# The preshared key (wg genpsk); the two key pairs are peer_lib.sh's.
psk=blFF+3glPHD6dxfpTNJ+f5tFJwOBYiBaBYQK1fP5Spc=

# --help documents the command and exits 0.
"$wgsim" peer --help >"$tmp/help.out" || fail "wgsim peer --help exited non-zero"
for word in --ping --count --interval --duration --keylog --platform --verbose PrivateKey PersistentKeepalive; do
  grep -q -- "$word" "$tmp/help.out" || fail "wgsim peer --help does not mention $word"
done

# A bad configuration: exit 2, FILE:LINE: message.
printf '[Interface]\nPrivateKey = %s\nListenPort = 70000\n' "$privA" >"$tmp/bad.conf"
"$wgsim" peer "$tmp/bad.conf" 2>"$tmp/bad.log"
rc=$?
[ $rc -eq 2 ] || fail "bad config: exit $rc, expected 2"
grep -q "^$tmp/bad.conf:3: ListenPort" "$tmp/bad.log" || fail "bad config: no FILE:3: message"

# The answering side, on a free port (another test may hold one: try a few).
a_conf() {
  cat >"$tmp/a.conf" <<EOF
[Interface]
PrivateKey = $privA
ListenPort = $1
Address = 10.77.0.1/24, fd77::1/64
[Peer]
PublicKey = $pubB
PresharedKey = $psk
AllowedIPs = 10.77.0.2/32, fd77::2/128
EOF
}
start_answering a_conf --duration 60s --verbose

cat >"$tmp/b.conf" <<EOF
[Interface]
PrivateKey = $privB
Address = 10.77.0.2/24, fd77::2/64
[Peer]
PublicKey = $pubA
PresharedKey = $psk
Endpoint = 127.0.0.1:$portA
AllowedIPs = 10.77.0.1/32, fd77::1/128
EOF

# Junk on the listen port (bash's /dev/udp): dropped, traced, harmless.
printf 'junk' >"/dev/udp/127.0.0.1/$portA" || fail "cannot send a junk datagram"
# A 148-byte "initiation" of zeros: right size, wrong mac1. cat writes the
# file in one write(), so it is one datagram.
{ printf '\001\000\000\000'; head -c 144 /dev/zero; } >"$tmp/fake-initiation"
cat "$tmp/fake-initiation" >"/dev/udp/127.0.0.1/$portA" || fail "cannot send a fake initiation"
wait_for 5 grep -q "packet-dropped: bad-type .*from 127.0.0.1" "$tmp/a.log" || fail "junk datagram not traced as dropped"
wait_for 5 grep -q "recv handshake-initiation 148 B from 127.0.0.1" "$tmp/a.log" || fail "fake initiation not received"
wait_for 5 grep -q "packet-dropped: bad-mac1 .*from 127.0.0.1" "$tmp/a.log" || fail "fake initiation not dropped for its mac1"

# Pings through the tunnel, IPv4 and IPv6 inside: every reply, exit 0.
for target in 10.77.0.1 fd77::1; do
  timeout 20 "$wgsim" peer "$tmp/b.conf" --ping "$target" --count 3 --interval 100ms \
    --keylog "$tmp/keys" >"$tmp/b.out" 2>"$tmp/b.log"
  rc=$?
  [ $rc -eq 0 ] || fail "ping $target: exit $rc, expected 0"
  [ "$(grep -c "^reply from $target: icmp_seq=[1-3] time=[0-9.]* ms\$" "$tmp/b.out")" -eq 3 ] ||
    fail "ping $target: expected 3 reply lines"
  grep -q "^3 transmitted, 3 received, 0% packet loss\$" "$tmp/b.out" || fail "ping $target: no summary"
done
grep -q "handshake-complete (responder)" "$tmp/a.log" || fail "the answering side traced no handshake"
grep -q "echo request 10.77.0.2 -> 10.77.0.1 .*answering" "$tmp/a.log" || fail "no echo request traced"

for k in LOCAL_STATIC_PRIVATE_KEY REMOTE_STATIC_PUBLIC_KEY LOCAL_EPHEMERAL_PRIVATE_KEY PRESHARED_KEY; do
  grep -q "^$k = [A-Za-z0-9+/]\{43\}=\$" "$tmp/keys" || fail "key log has no $k line"
done
grep -q "^LOCAL_STATIC_PRIVATE_KEY = $privB\$" "$tmp/keys" || fail "key log has the wrong static key"
grep -q "^PRESHARED_KEY = $psk\$" "$tmp/keys" || fail "key log has the wrong preshared key"
[ "$(grep -c '^LOCAL_STATIC_PRIVATE_KEY' "$tmp/keys")" -eq 2 ] || fail "static key logged more than once per run"

# PersistentKeepalive = 1 without any traffic: the handshake happens on its
# own and a keepalive follows every second; --duration ends the run, exit 0.
sed 's/^Endpoint = .*/&\nPersistentKeepalive = 1/' "$tmp/b.conf" >"$tmp/b-ka.conf"
timeout 20 "$wgsim" peer "$tmp/b-ka.conf" --duration 2500ms --verbose >"$tmp/ka.out" 2>"$tmp/ka.log"
rc=$?
[ $rc -eq 0 ] || fail "persistent keepalive run: exit $rc, expected 0"
grep -q "handshake-complete (initiator)" "$tmp/ka.log" || fail "persistent keepalive: no handshake"
n=$(grep -c "send keepalive 32 B" "$tmp/ka.log")
((n >= 2 && n <= 4)) || fail "persistent keepalive 1 s over 2.5 s: $n keepalives sent, expected 2..4"
grep -q -- "--duration reached" "$tmp/ka.log" || fail "no trace of --duration"

# SIGTERM: clean exit 0.
running "$pidA" || fail "the answering side died"
kill -TERM "$pidA"
wait_for 5 eval "! running $pidA" || fail "SIGTERM did not stop wgsim peer"
wait "$pidA"
rc=$?
[ $rc -eq 0 ] || fail "exit $rc after SIGTERM, expected 0"
grep -q "signal 15: stopping" "$tmp/a.log" || fail "no trace of the signal"

# Nobody answers any more: exit 1 once the timeout after the last send passes.
start=$SECONDS
timeout 20 "$wgsim" peer "$tmp/b.conf" --ping 10.77.0.1 --count 2 --interval 200ms --timeout 300ms \
  >"$tmp/lost.out" 2>"$tmp/lost.log"
rc=$?
[ $rc -eq 1 ] || fail "unanswered ping: exit $rc, expected 1"
grep -q "^2 transmitted, 0 received, 100% packet loss\$" "$tmp/lost.out" || fail "unanswered ping: wrong summary"
((SECONDS - start <= 5)) || fail "unanswered ping took $((SECONDS - start)) s, expected well under 5"

# SIGINT (Ctrl-C) ends a run without --duration as cleanly as SIGTERM. A
# background job of a non-interactive shell starts with SIGINT ignored, so
# this also checks that wgsim peer installs its own handler.
"$wgsim" peer "$tmp/b.conf" --verbose >"$tmp/int.out" 2>"$tmp/int.log" &
pidI=$!
pids+=("$pidI")
wait_for 5 grep -q "listening on UDP port" "$tmp/int.log" || fail "SIGINT run: wgsim peer did not start"
sleep 0.2
running "$pidI" || fail "SIGINT run: wgsim peer exited on its own"
kill -INT "$pidI"
wait_for 5 eval "! running $pidI" || fail "SIGINT did not stop wgsim peer"
wait "$pidI"
rc=$?
[ $rc -eq 0 ] || fail "exit $rc after SIGINT, expected 0"
grep -q "signal 2: stopping" "$tmp/int.log" || fail "no trace of SIGINT"

echo "loopback: PASS"
