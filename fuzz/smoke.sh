#!/usr/bin/env bash
# fuzz/smoke.sh SOURCE_DIR BUILD_DIR — the fuzz_smoke CTest test.
#
# Builds the libFuzzer targets with clang in BUILD_DIR (a tree of its own,
# ns-3 off: the targets do not use it), regenerates the seeds the targets
# can produce themselves (which also checks that they still authenticate
# and replay, or do what they are for), replays every input under
# fuzz/regress/TARGET/ (each one a finding that once crashed), and runs every
# target for a bounded time on its seed corpus.
# Any crash, sanitizer report or failed check fails the test; the input that
# did it is left in BUILD_DIR/artifacts/.
#
# Exit 77 (CTest SKIP_RETURN_CODE) when clang or its fuzzer runtime
# (Debian libclang-rt-14-dev) is missing.
#
# Environment: FUZZ_SMOKE_TIME seconds per target (default 10),
# FUZZ_SMOKE_RUNS runs per target (default 20000), FUZZ_SMOKE_JOBS (2).
set -euo pipefail

src=${1:?usage: smoke.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: smoke.sh SOURCE_DIR BUILD_DIR}
secs=${FUZZ_SMOKE_TIME:-10}
runs=${FUZZ_SMOKE_RUNS:-20000}
jobs=${FUZZ_SMOKE_JOBS:-2}

skip() {
  echo "fuzz_smoke: SKIPPED: $*"
  exit 77
}

cc=$(command -v clang || true)
[ -n "$cc" ] || skip "clang not found (install the Debian packages clang and libclang-rt-14-dev, or run scripts/bootstrap)"
cxx=$(command -v clang++ || true)

mkdir -p "$build"
probe="$build/probe"
mkdir -p "$probe"
cat >"$probe/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
EOF
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" >"$probe/log" 2>&1; then
  sed 's/^/  /' "$probe/log" | head -5
  skip "clang cannot link a libFuzzer program (install the Debian package libclang-rt-14-dev)"
fi

echo "fuzz_smoke: configuring $build/tree (clang, WGSIM_FUZZ=ON, WGSIM_WITH_NS3=OFF)"
cfg=(-S "$src" -B "$build/tree" -DCMAKE_C_COMPILER="$cc" -DWGSIM_FUZZ=ON -DWGSIM_WITH_NS3=OFF
     -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[ -n "$cxx" ] && cfg+=(-DCMAKE_CXX_COMPILER="$cxx")
if ! cmake "${cfg[@]}" >"$build/configure.log" 2>&1; then
  cat "$build/configure.log"
  echo "fuzz_smoke: FAILED: configure"
  exit 1
fi
if ! cmake --build "$build/tree" -j "$jobs" --target fuzz >"$build/build.log" 2>&1; then
  grep -E 'error|Error' "$build/build.log" | head -40
  echo "fuzz_smoke: FAILED: build (log: $build/build.log)"
  exit 1
fi

bin="$build/tree/fuzz"
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/wg_receive" "$seeds/wg_protocol" "$seeds/frame" "$build/artifacts"
for t in wg_receive wg_protocol frame; do
  if ! WGSIM_FUZZ_WRITE_SEEDS="$seeds/$t" "$bin/fuzz_$t" >"$seeds/$t.log" 2>&1; then
    cat "$seeds/$t.log"
    echo "fuzz_smoke: FAILED: fuzz_$t could not generate its seeds"
    exit 1
  fi
done

status=0
targets=(wg_receive wg_protocol yaml_loader command frame import)
# The regression inputs first, each run once: a finding that comes back
# fails here whatever the random run below does.
for t in "${targets[@]}"; do
  reg="$src/fuzz/regress/$t"
  [ -d "$reg" ] || continue
  files=("$reg"/*)
  [ -e "${files[0]}" ] || continue
  log="$build/$t-regress.log"
  if "$bin/fuzz_$t" -runs=1 -timeout=30 "${files[@]}" >"$log" 2>&1; then
    echo "fuzz_smoke: fuzz_$t: ${#files[@]} regression inputs replayed"
  else
    echo "fuzz_smoke: fuzz_$t FAILED on a regression input (log: $log):"
    grep -E -A25 'ERROR|check failed|runtime error|Running:' "$log" | head -60
    status=1
  fi
done
for t in "${targets[@]}"; do
  corpus=("$src/fuzz/corpus/$t")
  extra=()
  [ -f "$src/fuzz/$t.dict" ] && extra+=(-dict="$src/fuzz/$t.dict")
  [ $t = yaml_loader ] && extra=(-dict="$src/fuzz/yaml.dict")
  case $t in
    wg_receive | wg_protocol | frame) corpus+=("$seeds/$t") ;;
    yaml_loader) corpus+=("$src/scenarios" "$src/tests/data") ;;
    import) corpus=("$src/tests/import") ;; # the sample backups (and their bad inputs)
  esac
  work="$build/work/$t" # new inputs go here, never into the source tree
  rm -rf "$work"
  mkdir -p "$work"
  log="$build/$t.log"
  [ -d "$src/fuzz/regress/$t" ] && corpus+=("$src/fuzz/regress/$t")
  if "$bin/fuzz_$t" -runs="$runs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/artifacts/$t-" "${extra[@]}" "$work" "${corpus[@]}" >"$log" 2>&1; then
    echo "fuzz_smoke: fuzz_$t ok: $(grep -E '^Done' "$log" | tail -1)"
  else
    echo "fuzz_smoke: fuzz_$t FAILED (log: $log):"
    grep -E -A25 'ERROR|check failed|runtime error|Test unit written' "$log" | head -60
    status=1
  fi
done
exit $status
