#!/bin/sh
# The real explore shell on a terminal (tmux send-keys / capture-pane),
# through a maintenance-mode failover (C4): `show carp` before and after
# fw1 enters maintenance, `show peers remote` once the remote has roamed
# to fw1's interface address; tab completion; a bad command that leaves
# the shell running; Ctrl-C stopping a long run; history; Ctrl-D leaving.
# Exit 77 (skipped) without tmux.
# usage: explore_tmux.sh PATH/TO/wgsim REPO_ROOT
set -u
wgsim=$1 root=$2
command -v tmux >/dev/null 2>&1 || { echo "skipped: tmux is not installed (Debian package tmux)"; exit 77; }
f=$root/scenarios/conformance/c4-maintenance-mode-roams-remote.yaml
tmp=$(mktemp -d /tmp/wgsim-explore-tmux.XXXXXX) || exit 2
sock=$tmp/tmux.sock
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; echo "----- screen -----"; screen; failures=$((failures + 1)); }
screen() { tmux -S "$sock" capture-pane -p -J -S - -t explore 2>/dev/null; }
keys() { tmux -S "$sock" send-keys -t explore "$@"; }
# waits (up to 20 s) until the screen has a line matching the extended regex
wait_for() {
  i=0
  while [ $i -lt 200 ]; do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
mkdir "$tmp/home"
HOME=$tmp/home tmux -S "$sock" -f /dev/null new-session -d -s explore -x 200 -y 60 \
  "HOME=$tmp/home '$wgsim' explore '$f'; echo explore-exit=\$?; sleep 30" || { echo "tmux did not start"; exit 1; }

wait_for '^wgsim t=0.000s> $' || fail "no prompt"
keys 'run 29s' Enter
wait_for '^wgsim t=29.000s> $' || fail "run 29s"
keys 'show ca' Tab
wait_for '^wgsim t=29.000s> show carp $' || fail "tab did not complete 'show ca' to 'show carp'"
keys Enter
wait_for '^fw1 +wan +1 +198.51.100.1/24 +MASTER' || fail "fw1 is not MASTER before maintenance"
wait_for '^fw2 +wan +1 +198.51.100.1/24 +BACKUP' || fail "fw2 is not BACKUP before maintenance"
keys 'run 5s' Enter
wait_for '^  t=30.000s  do: maintenance fw1 on$' || fail "the timeline's maintenance was not printed"
wait_for '^wgsim t=34.000s> $' || fail "run 5s"
keys 'show carp' Enter
wait_for '^fw2 +wan +1 +198.51.100.1/24 +MASTER' || fail "fw2 did not take the VIP"
wait_for '^fw1 +wan +1 +198.51.100.1/24 +BACKUP .*maintenance' || fail "fw1 is not BACKUP in maintenance"
keys 'maintenance fw9 on' Enter
wait_for "^error at column 13: unknown node 'fw9'; did you mean 'fw1'\\?$" || fail "a bad command's message"
keys 'run 26s' Enter
wait_for '^wgsim t=60.000s> $' || fail "the shell did not go on after a bad command"
keys 'show peers remote' Enter
# the remote roamed from the VIP to fw1's interface address
wait_for '^wg0 +fw1 +198.51.100.2:51820 ' || fail "show peers remote: the endpoint is not fw1's interface address"
keys 'run 1000h' Enter
sleep 1
keys C-c
wait_for '^\^?C?interrupted at t=[0-9.]+s$' || fail "Ctrl-C did not interrupt the run"
keys 'time' Enter
wait_for '^t=[0-9.]+s \([0-9]+ engine events\)$' || fail "the shell did not go on after Ctrl-C"
keys C-d
wait_for '^explore-exit=0$' || fail "Ctrl-D did not leave with status 0"
grep -q 'show\\040peers\\040remote' "$tmp/home/.wgsim_history" 2>/dev/null ||
  grep -q 'show peers remote' "$tmp/home/.wgsim_history" 2>/dev/null || fail "no history in ~/.wgsim_history"

[ $failures = 0 ] && echo "explore on a terminal: all checks passed"
[ $failures = 0 ]
