# peer_lib.sh — what the `wgsim peer` scripts on loopback share (sourced by
# loopback.sh and flood.sh): failing with the logs, stopping only the
# processes the script started, waiting for a condition.
# The sourcing script sets tmp (its temporary folder) and adds the PIDs it
# starts to pids.
tmp=
pids=()

# Fixed test keys of the two peers A and B (made with wg genkey / wg pubkey).
privA=uDgZvX3/rREpig3FVxkknfL0fasPuJM7hNAyQLO8CH4=
pubA=X7unlVSoj5IGfn10TteMywhccZRaer7l0O/mdhJb+WY=
privB=SEgXacxGY3ve9KisRZVR+Uw/B6aP/t4ADN/NeNcCMGM=
pubB=c962zL8wgRTBOENnwTBtiFWGQBlO8JXuJYAqh5YSFjk=

fail() {
  printf 'FAIL: %s\n' "$*"
  if [ -n "$tmp" ]; then
    for f in "$tmp"/*.log "$tmp"/*.out; do
      [ -s "$f" ] && printf -- '----- %s -----\n' "$(basename "$f")" && tail -n 30 "$f"
    done
  fi
  exit 1
}
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
running() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds; false after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}
# start_answering MAKE_CONF [OPTION...]: starts `$wgsim peer $tmp/a.conf
# OPTION...` on a free port (another test may hold one: five tries).
# MAKE_CONF PORT writes $tmp/a.conf for that port. Sets portA and pidA.
start_answering() {
  local make=$1 try
  shift
  for try in 1 2 3 4 5; do
    portA=$((20000 + (RANDOM % 30000)))
    "$make" "$portA"
    "$wgsim" peer "$tmp/a.conf" "$@" >"$tmp/a.out" 2>"$tmp/a.log" &
    pidA=$!
    if wait_for 5 grep -q "listening on UDP port $portA" "$tmp/a.log"; then
      pids+=("$pidA")
      return 0
    fi
    wait "$pidA" 2>/dev/null
  done
  fail "the answering wgsim peer did not start"
}
