#!/bin/sh
# Runs docs/getting-started.md as written, so the walkthrough cannot rot:
#   ```yaml file=NAME      the block is saved as NAME (then `wgsim validate`d)
#   ```sh                  the block runs (sh -e) from a scratch directory
#                          where build/wgsim is the wgsim under test and
#                          scenarios/ and tests/import/ are the repository's; it must exit 0
#   ```sh exit=N           ... must exit N (a scenario that is meant to FAIL)
#   ```sh needs=PROG       ... skipped (and said so) when PROG is missing
#   ```text output         every line, except '...', must be a line of the
#                          output of the sh block just before it
# Other blocks are prose. Fails on the first block that does not do what
# the page says, printing that block and its output.
# usage: check_getting_started.sh PATH/TO/wgsim PATH/TO/getting-started.md REPO_ROOT [MIN_FILES]
# (MIN_FILES: scenario files the page must have, default 1; docs/explore.md has none)
set -u
wgsim=$1 doc=$2 root=$3 min_files=${4:-1}
[ -x "$wgsim" ] && [ -r "$doc" ] && [ -d "$root/scenarios" ] ||
  { echo "usage: $0 WGSIM DOC REPO_ROOT"; exit 2; }

tmp=$(mktemp -d /tmp/wgsim-getting-started.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/work" "$tmp/work/build" "$tmp/blocks"
ln -s "$(cd "$(dirname "$wgsim")" && pwd)/$(basename "$wgsim")" "$tmp/work/build/wgsim"
ln -s "$(cd "$root" && pwd)/scenarios" "$tmp/work/scenarios"
# the sample configuration backups of `wgsim import` (docs/getting-started.md, "Start from your firewalls")
mkdir -p "$tmp/work/tests" && ln -s "$(cd "$root" && pwd)/tests/import" "$tmp/work/tests/import"

# Split the page into numbered blocks: blocks/N.body and blocks/N.info.
awk -v dir="$tmp/blocks" '
  /^```/ {
    if (!inside) { inside = 1; n++; info = substr($0, 4); print info > (dir "/" n ".info");
                   close(dir "/" n ".info"); printf "" > (dir "/" n ".body"); next }
    inside = 0; close(dir "/" n ".body"); next
  }
  inside { print >> (dir "/" n ".body") }
  END { if (inside) { print "unterminated code block"; exit 1 } }' "$doc" || exit 1

# The wall-clock run time closing a PASS/FAIL/ERROR/SKIP line varies from
# run to run: it compares as 0.00s on both sides.
normalise() {
  sed -E 's/^((PASS|FAIL|ERROR|SKIP) .*) [0-9]+[.][0-9]+s$/\1 0.00s/'
}

fail() {
  echo "FAIL: $*"
  echo "----- block $n ($info) -----"; cat "$body"
  [ -f "$tmp/last.out" ] && { echo "----- its output -----"; cat "$tmp/last.out"; }
  exit 1
}

n=1 ran=0 files=0 checked=0 skipped=0 last_sh=
while [ -f "$tmp/blocks/$n.info" ]; do
  info=$(cat "$tmp/blocks/$n.info") body="$tmp/blocks/$n.body"
  set -- $info
  lang=${1:-}
  [ $# -gt 0 ] && shift
  case $lang in
    yaml)
      for word in "$@"; do
        case $word in
          file=*)
            name=${word#file=}
            cp "$body" "$tmp/work/$name"
            (cd "$tmp/work" && build/wgsim validate "$name") >"$tmp/last.out" 2>&1 ||
              fail "$name does not validate"
            files=$((files + 1)) ;;
        esac
      done ;;
    sh)
      want=0 needs=
      for word in "$@"; do
        case $word in exit=*) want=${word#exit=} ;; needs=*) needs=${word#needs=} ;; esac
      done
      if [ -n "$needs" ] && ! command -v "$needs" >/dev/null 2>&1; then
        echo "block $n skipped: $needs is not installed"
        skipped=$((skipped + 1)) last_sh=skipped
      else
        (cd "$tmp/work" && sh -e "$body") >"$tmp/last.raw" 2>&1
        rc=$?
        normalise <"$tmp/last.raw" >"$tmp/last.out"
        [ "$rc" = "$want" ] || fail "exit status $rc, the page says $want"
        ran=$((ran + 1)) last_sh=ran
      fi ;;
    text)
      case " $* " in
        *" output "*)
          [ -n "$last_sh" ] || fail "an output block with no sh block before it"
          if [ "$last_sh" = ran ]; then
            while IFS= read -r line; do
              [ "$line" = "..." ] && continue
              line=$(printf '%s\n' "$line" | normalise)
              grep -qxF -- "$line" "$tmp/last.out" ||
                grep -qxF -- "$(printf '%s' "$line" | sed 's/[[:space:]]*$//')" "$tmp/last.out" ||
                fail "this line is not in the output: $line"
            done <"$body"
            checked=$((checked + 1))
          fi ;;
      esac ;;
  esac
  n=$((n + 1))
done
[ "$files" -ge "$min_files" ] && [ "$ran" -gt 0 ] && [ "$checked" -gt 0 ] ||
  { echo "FAIL: found $files scenario files, $ran commands, $checked outputs: is this the page?"; exit 1; }
echo "ok: $files scenario files validated, $ran command blocks run, $checked outputs matched, $skipped skipped"
