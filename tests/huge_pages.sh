#!/bin/sh
# The heap on transparent huge pages (cli/huge_pages.c): by default wgsim
# executes itself again once with GLIBC_TUNABLES=glibc.malloc.hugetlb=1;
# WGSIM_HUGE_PAGES=0, a GLIBC_TUNABLES naming the tunable, or LD_PRELOAD
# leave the process as started; a bad WGSIM_HUGE_PAGES is refused. The
# third line of --version says which. Where the kernel has THP, a running
# wgsim is checked to hold huge pages and to pass the setting on.
# usage: huge_pages.sh PATH/TO/wgsim REPO_ROOT
set -u
wgsim=$1 root=$2
tmp=$(mktemp -d /tmp/wgsim-hugepages.XXXXXX) || exit 2
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$root" || exit 2
# what the checks below set, each in turn, and nothing else
unset WGSIM_HUGE_PAGES GLIBC_TUNABLES LD_PRELOAD
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
heap() { env "$@" "$wgsim" --version 2>/dev/null | sed -n 's/^heap: //p'; }
# expect SAID [VAR=VALUE...]: the heap line of --version in that environment
expect() {
    want=$1
    shift
    got=$(heap "$@")
    [ "$got" = "$want" ] || fail "${*:-default}: heap: $got (expected: $want)"
}
finish() {
    [ $failures = 0 ] && echo "huge pages: all checks passed"
    exit $failures
}

# a bad value: a message naming the variable, exit 2, nothing run
WGSIM_HUGE_PAGES=yes "$wgsim" --version >"$tmp/o" 2>"$tmp/e"
rc=$?
[ $rc = 2 ] || fail "WGSIM_HUGE_PAGES=yes: exit $rc, expected 2"
grep -q "WGSIM_HUGE_PAGES='yes': expected 1 .* or 0" "$tmp/e" || { fail "WGSIM_HUGE_PAGES=yes: no clear message"; cat "$tmp/e"; }
[ -s "$tmp/o" ] && fail "WGSIM_HUGE_PAGES=yes: printed the version anyway"

said=$(heap)
case $said in
"AddressSanitizer's allocator")
    echo "sanitized build: glibc's allocator is replaced, nothing else to check"
    finish ;;
esac
expect "ordinary pages (WGSIM_HUGE_PAGES=0)" WGSIM_HUGE_PAGES=0
# the user's own setting is kept
expect "ordinary pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=0)" GLIBC_TUNABLES=glibc.malloc.hugetlb=0
# (ld.so ignores a library it cannot open, with a message: sent to /dev/null)
expect "ordinary pages (LD_PRELOAD is set)" LD_PRELOAD=/dev/null/none.so

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case $thp in
*"[always]"* | *"[madvise]"*) ;;
*)
    expect "ordinary pages (the kernel's transparent huge pages are off)"
    echo "skipped the rest: the kernel has no transparent huge pages ($thp)"
    finish ;;
esac
expect "transparent huge pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=1)"
# another tunable of the user's: ours is added beside it
expect "transparent huge pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=1)" GLIBC_TUNABLES=glibc.malloc.arena_max=2

# A running wgsim (the same process after the exec: its pid is the one
# started) has its heap madvise()d for huge pages ("hg" in the VmFlags of
# smaps), holds some, and passes the setting on to what it starts. glibc
# asks only for a heap extension of 2 MiB or more, so the world is a
# 500-peer hub: bench/scenarios/hub-10000.yaml made smaller, ~6 MiB.
sed 's/10000/500/g; s/9999/499/g; s/\b10m\b/30s/g' bench/scenarios/hub-10000.yaml >"$tmp/hub-500.yaml"
vm() { sed -n "s/^$1 //p" /proc/vmstat; }
fb0=$(vm thp_fault_fallback)
"$wgsim" run --no-timeline --quiet "$tmp/hub-500.yaml" >"$tmp/run.out" 2>&1 &
pid=$!
huge=0 envok=0 hg=0 i=0
while [ $i -lt 400 ] && kill -0 $pid 2>/dev/null; do
    kb=$(sed -n 's/^AnonHugePages: *\([0-9]*\) kB/\1/p' /proc/$pid/smaps_rollup 2>/dev/null)
    [ "${kb:-0}" -gt "$huge" ] && huge=$kb
    grep -A40 '\[heap\]' /proc/$pid/smaps 2>/dev/null | grep -q '^VmFlags:.* hg' && hg=1
    tr '\0' '\n' 2>/dev/null </proc/$pid/environ | grep -qx 'GLIBC_TUNABLES=glibc.malloc.hugetlb=1' && envok=1
    [ $huge -gt 0 ] && [ $envok = 1 ] && [ $hg = 1 ] && break
    sleep 0.01
    i=$((i + 1))
done
wait $pid
rc=$?
pid=
[ $rc = 0 ] || { fail "the 500-peer hub did not pass (exit $rc)"; cat "$tmp/run.out"; }
[ $envok = 1 ] || fail "the running wgsim has no GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in its environment"
[ $hg = 1 ] || fail "the running wgsim's heap is not madvise()d for huge pages (no 'hg' in its VmFlags)"
if [ $huge -gt 0 ]; then
    echo "running wgsim: AnonHugePages $huge kB"
elif [ "$(vm thp_fault_fallback)" != "$fb0" ]; then
    # asked for, but the kernel found no free 2-MiB page (a fragmented
    # machine): its choice, not ours
    echo "note: the kernel fell back to 4-KiB pages (thp_fault_fallback $fb0 -> $(vm thp_fault_fallback))"
else
    fail "the running wgsim held no anonymous huge pages (smaps_rollup AnonHugePages 0) and the kernel reports no fallback"
fi
finish
