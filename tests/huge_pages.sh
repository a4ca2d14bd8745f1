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
    [ $failures = 0 ] && echo "huge pages: all checks passed"
    exit $failures ;;
esac
[ "$(heap WGSIM_HUGE_PAGES=0)" = "ordinary pages (WGSIM_HUGE_PAGES=0)" ] || fail "WGSIM_HUGE_PAGES=0: heap: $(heap WGSIM_HUGE_PAGES=0)"
[ "$(heap GLIBC_TUNABLES=glibc.malloc.hugetlb=0)" = "ordinary pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=0)" ] ||
    fail "the user's glibc.malloc.hugetlb=0 is not kept: heap: $(heap GLIBC_TUNABLES=glibc.malloc.hugetlb=0)"
# (ld.so ignores a library it cannot open, with a message: sent to /dev/null)
[ "$(heap LD_PRELOAD=/dev/null/none.so)" = "ordinary pages (LD_PRELOAD is set)" ] ||
    fail "LD_PRELOAD: heap: $(heap LD_PRELOAD=/dev/null/none.so)"

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case $thp in
*"[always]"* | *"[madvise]"*) ;;
*)
    [ "$said" = "ordinary pages (the kernel's transparent huge pages are off)" ] || fail "no THP in the kernel, yet heap: $said"
    echo "skipped the rest: the kernel has no transparent huge pages ($thp)"
    [ $failures = 0 ] && echo "huge pages: all checks passed"
    exit $failures ;;
esac
[ "$said" = "transparent huge pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=1)" ] || fail "default: heap: $said"
# The user's other tunables are kept beside ours.
[ "$(heap GLIBC_TUNABLES=glibc.malloc.arena_max=2)" = "transparent huge pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=1)" ] ||
    fail "with another tunable set: heap: $(heap GLIBC_TUNABLES=glibc.malloc.arena_max=2)"

# A running wgsim (same process after the exec: its pid is the one started)
# holds anonymous huge pages and passes the setting on to what it starts.
vm() { sed -n "s/^$1 //p" /proc/vmstat; }
fb0=$(vm thp_fault_fallback)
"$wgsim" run --no-timeline --quiet scenarios/load/flood-fresh-and-garbage-two-sources.yaml >/dev/null 2>&1 &
pid=$!
huge=0 envok=0 i=0
while [ $i -lt 50 ] && kill -0 $pid 2>/dev/null; do
    kb=$(sed -n 's/^AnonHugePages: *\([0-9]*\) kB/\1/p' /proc/$pid/smaps_rollup 2>/dev/null)
    [ "${kb:-0}" -gt 0 ] && huge=$kb
    tr '\0' '\n' </proc/$pid/environ 2>/dev/null | grep -qx 'GLIBC_TUNABLES=glibc.malloc.hugetlb=1' && envok=1
    [ $huge -gt 0 ] && [ $envok = 1 ] && break
    sleep 0.05
    i=$((i + 1))
done
wait $pid
pid=
[ $envok = 1 ] || fail "the running wgsim has no GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in its environment"
if [ $huge -gt 0 ]; then
    echo "running wgsim: AnonHugePages $huge kB"
elif [ "$(vm thp_fault_fallback)" != "$fb0" ]; then
    # asked for, but the kernel found no free 2-MiB page (a fragmented
    # machine): its choice, not ours
    echo "note: the kernel fell back to 4-KiB pages (thp_fault_fallback $fb0 -> $(vm thp_fault_fallback))"
else
    fail "the running wgsim held no anonymous huge pages (smaps_rollup AnonHugePages 0) and the kernel reports no fallback"
fi
[ $failures = 0 ] && echo "huge pages: all checks passed"
exit $failures
