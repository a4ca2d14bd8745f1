#!/usr/bin/env bash
# Interop test: `wgsim peer` against a real wireguard-go (Debian package),
# each in a network namespace of its own, joined by a veth pair.
#
#   ns A (wgsim-i-PID-a)                      ns B (wgsim-i-PID-b)
#   wireguard-go wgiPID  10.99.0.1/24          wgsim peer (no TUN) Address 10.99.0.2/24
#   veth 10.123.0.1/24, UDP 51820  <------->  veth 10.123.0.2/24, UDP 51821
#
# (a) wgsim initiates: `wgsim peer --ping 10.99.0.1` gets every reply, with
#     each sourcing platform that runs on Linux sockets (wireguard-go, linux,
#     freebsd); then once over IPv6 outside (Endpoint [fd12:3::1]) and
#     inside (ping fd99::1).
# (b) wireguard-go initiates: `ping -c 3 10.99.0.2` in ns A, wgsim answers;
#     SIGTERM then ends wgsim with status 0.
# (c) a capture on the veth taken during (a) and (b), decrypted by tshark
#     with wgsim's --keylog, shows the inner ICMP echo requests and replies
#     and every handshake response verified (wg.handshake_ok == 1).
#
# usage: run.sh PATH/TO/wgsim   (WGSIM_INTEROP_KEEP=DIR keeps the artifacts)
# Exit: 0 pass, 1 fail, 77 skipped (not root, no netns/TUN, tools missing).
# Everything it creates has a PID-unique name and is removed on exit; it
# kills only the processes it started.
set -u
set -o pipefail

SKIP=77
wgsim=${1:-}
tag=$$
nsA=wgsim-i-$tag-a
nsB=wgsim-i-$tag-b
wgif=wgi$tag       # <= 15 characters: wireguard-go's TUN and UAPI socket name
vethA=vi${tag}a
vethB=vi${tag}b
portA=51820
portB=51821
tmp=
pids=()
wggo_pid=
created_ns=()

log() { printf 'interop: %s\n' "$*"; }
skip() {
  printf 'SKIP: %s\n' "$*"
  exit $SKIP
}
show_logs() {
  [ -n "$tmp" ] || return 0
  for f in "$tmp"/*.log; do
    [ -s "$f" ] || continue
    printf -- '----- %s (last 40 lines) -----\n' "$(basename "$f")"
    tail -n 40 "$f"
  done
}
fail() {
  printf 'FAIL: %s\n' "$*"
  show_logs
  exit 1
}

cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${pids[@]}"; do
    wait_for 5 eval "! running $p" || kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  for p in "${created_ns[@]}"; do
    ip netns del "$p" 2>/dev/null
  done
  # wireguard-go removes its socket on a clean exit; only after a kill -9
  # can it remain. This name is ours alone.
  [ -n "$wggo_pid" ] && rm -f "/var/run/wireguard/$wgif.sock"
  if [ -n "$tmp" ]; then
    # WGSIM_INTEROP_KEEP=DIR keeps the logs, capture and key log for a look.
    [ -n "${WGSIM_INTEROP_KEEP:-}" ] && mkdir -p "$WGSIM_INTEROP_KEEP" && cp -r "$tmp"/. "$WGSIM_INTEROP_KEEP"/
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for the command in the rest of the arguments to succeed.
wait_for() {
  local secs=$1
  shift
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
# A child that has exited stays a zombie until waited for, and kill -0
# still succeeds on it: look at its state instead.
running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

# ---- preconditions -------------------------------------------------------
[ -n "$wgsim" ] && [ -x "$wgsim" ] || fail "usage: run.sh PATH/TO/wgsim (got '${wgsim}')"
[ "${EUID:-$(id -u)}" -eq 0 ] || skip "needs root to create network namespaces and a TUN device"
for tool in ip wg wireguard-go tshark dumpcap ping timeout; do
  command -v "$tool" >/dev/null 2>&1 ||
    skip "'$tool' not installed (scripts/bootstrap installs wireguard-go, wireguard-tools, tshark, iputils-ping, iproute2)"
done
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing: wireguard-go needs a TUN device"
"$wgsim" peer --help >/dev/null 2>&1 || fail "'$wgsim peer --help' failed: this wgsim has no working peer command"

tmp=$(mktemp -d /tmp/wgsim-interop.XXXXXX) || fail "mktemp failed"
chmod 700 "$tmp"

ip netns add "$nsA" 2>"$tmp/netns.log" || skip "cannot create a network namespace: $(cat "$tmp/netns.log")"
created_ns+=("$nsA")
ip netns add "$nsB" || fail "cannot create namespace $nsB"
created_ns+=("$nsB")
inA() { ip netns exec "$nsA" "$@"; }
inB() { ip netns exec "$nsB" "$@"; }

# ---- the wire: a veth pair with private test addresses, only inside the namespaces
ip link add "$vethA" netns "$nsA" type veth peer name "$vethB" netns "$nsB" 2>"$tmp/veth.log" ||
  skip "cannot create a veth pair (no veth support here?): $(cat "$tmp/veth.log")"
inA ip link set lo up && inB ip link set lo up || fail "loopback up failed"
inA ip addr add 10.123.0.1/24 dev "$vethA" && inB ip addr add 10.123.0.2/24 dev "$vethB" || fail "veth addresses failed"
# IPv6 too (ULA test prefix, no duplicate address detection delay).
inA ip addr add fd12:3::1/64 dev "$vethA" nodad && inB ip addr add fd12:3::2/64 dev "$vethB" nodad ||
  fail "veth IPv6 addresses failed"
inA ip link set "$vethA" up && inB ip link set "$vethB" up || fail "veth up failed"
wait_for 10 inA ping -c 1 -W 1 10.123.0.2 || fail "the veth pair does not carry traffic (10.123.0.1 -> 10.123.0.2)"

# ---- keys
umask 077
wg genkey >"$tmp/a.key" && wg pubkey <"$tmp/a.key" >"$tmp/a.pub" || fail "wg genkey failed"
wg genkey >"$tmp/b.key" && wg pubkey <"$tmp/b.key" >"$tmp/b.pub" || fail "wg genkey failed"
wg genpsk >"$tmp/psk" || fail "wg genpsk failed"
pubA=$(cat "$tmp/a.pub")
pubB=$(cat "$tmp/b.pub")

# ---- wireguard-go in A, in the foreground mode, in the background of this script
# Started with `ip netns exec` directly (not the inA function) so that $! is
# the daemon itself: ip execs the command in place.
ip netns exec "$nsA" wireguard-go -f "$wgif" >"$tmp/wireguard-go.log" 2>&1 &
pids+=($!)
wggo_pid=$!
if ! wait_for 10 inA ip link show "$wgif"; then
  # A TUN device this environment refuses is a limit of the machine, not a
  # wgsim failure; anything else is a failure.
  grep -qi "operation not permitted\|permission denied\|no such device" "$tmp/wireguard-go.log" &&
    skip "wireguard-go cannot create a TUN device here: $(grep -i 'error\|failed' "$tmp/wireguard-go.log" | head -n1)"
  fail "wireguard-go did not create $wgif"
fi
wait_for 10 test -S "/var/run/wireguard/$wgif.sock" || fail "wireguard-go's UAPI socket did not appear"

add_wgsim_peer_to_wggo() {
  wg set "$wgif" peer "$pubB" preshared-key "$tmp/psk" endpoint "10.123.0.2:$portB" allowed-ips 10.99.0.2/32,fd99::2/128
}
wg set "$wgif" private-key "$tmp/a.key" listen-port "$portA" || fail "wg set private-key/listen-port failed"
add_wgsim_peer_to_wggo || fail "wg set peer failed"
inA ip addr add 10.99.0.1/24 dev "$wgif" && inA ip addr add fd99::1/64 dev "$wgif" nodad &&
  inA ip link set "$wgif" up || fail "cannot configure $wgif"
wg show "$wgif" >"$tmp/wg-show-before.log" 2>&1 || fail "wg show $wgif failed"
grep -q "listening port: $portA" "$tmp/wg-show-before.log" || fail "wireguard-go is not listening on $portA"
log "wireguard-go $(wireguard-go --version | head -n1 | awk '{print $2}') up in $nsA as $wgif"

# ---- wgsim's configuration
cat >"$tmp/b.conf" <<EOF
# wgsim side of the interop test
[Interface]
PrivateKey = $(cat "$tmp/b.key")
ListenPort = $portB
Address = 10.99.0.2/24, fd99::2/64

[Peer]
PublicKey = $pubA
PresharedKey = $(cat "$tmp/psk")
Endpoint = 10.123.0.1:$portA
AllowedIPs = 10.99.0.1/32, fd99::1/128
EOF
# The same over IPv6 outside and inside the tunnel.
sed "s/^Endpoint = .*/Endpoint = [fd12:3::1]:$portA/" "$tmp/b.conf" >"$tmp/b6.conf"
keylog=$tmp/wgsim.keys

# ---- (c) capture on the wgsim side of the veth for the whole run
ip netns exec "$nsB" dumpcap -q -i "$vethB" -f "udp" -w "$tmp/capture.pcapng" >"$tmp/dumpcap.log" 2>&1 &
pids+=($!)
dumpcap_pid=$!
wait_for 10 grep -q "Capturing on" "$tmp/dumpcap.log" || fail "dumpcap did not start"

# ---- (a) wgsim initiates and pings through the tunnel, once per sourcing
# strategy that can run on Linux sockets: wireguard-go (the default: sticky
# source + interface from IP_PKTINFO), linux (rtnetlink route lookups) and
# freebsd (learned source only). Each run is a new process, so each starts
# with a fresh handshake that wireguard-go answers.
for platform in wireguard-go linux freebsd; do
  log "(a) wgsim peer --ping 10.99.0.1 --count 3 --platform $platform"
  timeout 30 ip netns exec "$nsB" "$wgsim" peer "$tmp/b.conf" --ping 10.99.0.1 --count 3 --interval 200ms \
    --platform "$platform" --keylog "$keylog" --verbose >"$tmp/wgsim-a-$platform.out" 2>"$tmp/wgsim-a-$platform.log"
  rc=$?
  cat "$tmp/wgsim-a-$platform.out"
  [ $rc -eq 0 ] || fail "(a, $platform) wgsim peer --ping exited with $rc (expected 0: all replies)"
  [ "$(grep -c '^reply from 10.99.0.1: icmp_seq=[0-9]* time=[0-9.]* ms$' "$tmp/wgsim-a-$platform.out")" -eq 3 ] ||
    fail "(a, $platform) expected 3 'reply from 10.99.0.1' lines"
  grep -q "handshake-complete (initiator)" "$tmp/wgsim-a-$platform.log" ||
    fail "(a, $platform) wgsim did not complete a handshake as initiator"
done
wg show "$wgif" latest-handshakes | awk -v k="$pubB" '$1 == k && $2 > 0 {ok=1} END {exit !ok}' ||
  fail "(a) wireguard-go reports no handshake with wgsim"
wg show "$wgif" endpoints | grep -q "10.123.0.2:$portB" || fail "(a) wireguard-go has the wrong endpoint for wgsim"
log "(a) ok: 3/3 replies on each platform, wireguard-go saw the handshakes"
log "(a) IPv6: wgsim peer --ping fd99::1 --count 3 to Endpoint [fd12:3::1]:$portA"
timeout 30 ip netns exec "$nsB" "$wgsim" peer "$tmp/b6.conf" --ping fd99::1 --count 3 --interval 200ms \
  --keylog "$keylog" --verbose >"$tmp/wgsim-a-ipv6.out" 2>"$tmp/wgsim-a-ipv6.log"
rc=$?
cat "$tmp/wgsim-a-ipv6.out"
[ $rc -eq 0 ] || fail "(a, IPv6) wgsim peer --ping fd99::1 exited with $rc (expected 0: all replies)"
[ "$(grep -c '^reply from fd99::1: icmp_seq=[0-9]* time=[0-9.]* ms$' "$tmp/wgsim-a-ipv6.out")" -eq 3 ] ||
  fail "(a, IPv6) expected 3 'reply from fd99::1' lines"
wg show "$wgif" endpoints | grep -q "\[fd12:3::2\]:$portB" ||
  fail "(a, IPv6) wireguard-go did not roam to wgsim's IPv6 endpoint"
log "(a, IPv6) ok: 3/3 replies, wireguard-go roamed to the IPv6 endpoint"
# (b) resets the peer in wireguard-go, which puts the IPv4 endpoint back.

# ---- (b) wireguard-go initiates; wgsim answers
# Re-adding the peer drops wireguard-go's session from (a), so its first
# ping must start a new handshake towards the new wgsim process.
wg set "$wgif" peer "$pubB" remove && add_wgsim_peer_to_wggo || fail "(b) cannot reset the peer in wireguard-go"
ip netns exec "$nsB" "$wgsim" peer "$tmp/b.conf" --duration 40s --keylog "$keylog" --verbose >"$tmp/wgsim-b.out" 2>"$tmp/wgsim-b.log" &
pids+=($!)
wgsim_pid=$!
wait_for 10 grep -q "listening on UDP port $portB" "$tmp/wgsim-b.log" || fail "(b) wgsim peer did not start"
log "(b) ping -c 3 10.99.0.2 from wireguard-go's namespace"
timeout 30 ip netns exec "$nsA" ping -c 3 -i 0.3 -W 3 10.99.0.2 >"$tmp/ping-b.log" 2>&1 ||
  fail "(b) ping from wireguard-go through the tunnel to wgsim failed"
cat "$tmp/ping-b.log"
grep -q "3 received" "$tmp/ping-b.log" || fail "(b) not all 3 echo replies came back"
grep -q "handshake-complete (responder)" "$tmp/wgsim-b.log" ||
  fail "(b) wgsim did not complete a handshake as responder"
# SIGTERM ends it cleanly with status 0.
running "$wgsim_pid" || fail "(b) wgsim peer exited before SIGTERM"
kill -TERM "$wgsim_pid"
wait_for 5 eval "! running $wgsim_pid" || fail "(b) wgsim peer ignored SIGTERM"
wait "$wgsim_pid"
rc=$?
[ $rc -eq 0 ] || fail "(b) wgsim peer exited with $rc after SIGTERM (expected 0)"
log "(b) ok: 3/3 replies from wgsim, clean exit on SIGTERM"

# ---- (c) decrypt the capture with wgsim's key log
# Every datagram wgsim traced as sent or received crossed the veth. The
# capture lags behind (libpcap hands packets over block by block, and a
# stopped dumpcap drops the block in progress), so wait until the file holds
# at least that many before stopping it.
expected=$(cat "$tmp"/wgsim-*.log | grep -c '^\[ *[0-9.]*\] \(send\|recv\) ')
captured() { timeout 20 tshark -r "$tmp/capture.pcapng" 2>/dev/null | wc -l; }
wait_for 15 eval '[ "$(captured)" -ge "$expected" ]' ||
  fail "(c) the capture holds $(captured) datagrams, wgsim traced $expected"
kill -INT "$dumpcap_pid"
wait_for 10 eval "! running $dumpcap_pid" || fail "(c) dumpcap did not stop"
for k in LOCAL_STATIC_PRIVATE_KEY REMOTE_STATIC_PUBLIC_KEY LOCAL_EPHEMERAL_PRIVATE_KEY PRESHARED_KEY; do
  grep -q "^$k = [A-Za-z0-9+/]\{43\}=$" "$keylog" || fail "(c) key log has no $k line"
done
[ "$(stat -c %a "$keylog")" = 600 ] || fail "(c) key log is not mode 0600"
timeout 60 tshark -r "$tmp/capture.pcapng" -o "wg.keylog_file:$keylog" -T fields -E separator=';' \
  -e frame.number -e wg.type -e wg.handshake_ok -e wg.receiver_pubkey -e icmp.type -e icmpv6.type \
  >"$tmp/tshark.log" 2>"$tmp/tshark-err.log" || fail "(c) tshark failed: $(cat "$tmp/tshark-err.log")"
awk -F';' '
  $2 == 1 || $2 == 2 { hs++; if ($4 == "") nopub++ }
  $2 == 2 { resp++; if ($3 != 1) bad++ }
  $5 ~ /(^|,)8(,|$)/ { req++ }
  $5 ~ /(^|,)0(,|$)/ { rep++ }
  $6 ~ /(^|,)128(,|$)/ { req6++ }
  $6 ~ /(^|,)129(,|$)/ { rep6++ }
  END {
    printf "interop: (c) capture: %d handshake messages, %d responses, %d with handshake_ok != 1, %d echo requests and %d echo replies decrypted\n", hs, resp, bad, req, rep
    printf "interop: (c) and %d ICMPv6 echo requests and %d replies\n", req6, rep6
    if (resp < 5 || bad > 0 || nopub > 0 || req < 12 || rep < 12 || req6 < 3 || rep6 < 3) exit 1
  }' "$tmp/tshark.log" ||
  fail "(c) expected >= 5 handshake responses (5 runs) all with wg.handshake_ok=1, mac1 verified on every handshake message (wg.receiver_pubkey), >= 12 decrypted echo requests and replies, >= 3 ICMPv6 ones"
errors=$(timeout 60 tshark -r "$tmp/capture.pcapng" -o "wg.keylog_file:$keylog" -Y wg.decryption_error 2>/dev/null | wc -l)
[ "$errors" -eq 0 ] || fail "(c) tshark reports $errors WireGuard decryption errors"
log "(c) ok"

log "PASS"
exit 0
