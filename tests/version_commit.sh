#!/bin/sh
# wgsim --version names the commit of the last build, not of the last CMake
# configure (issue 23), and cli/build_commit.cmake writes what it should.
# usage: version_commit.sh WGSIM SOURCE_DIR BUILD_COMMIT_CMAKE WORK_DIR
wgsim="$1"; src="$2"; script="$3"; work="$4"
fail() { echo "FAIL: $*"; exit 1; }
said=$("$wgsim" --version | sed -n '1s/^wgsim [^ ]* (commit \(.*\))$/\1/p')
[ -n "$said" ] || fail "no commit in: $("$wgsim" --version | head -1)"
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)
if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$src" && pwd -P)" ]; then
  want=$(git -C "$src" describe --always --dirty)
else
  want=unknown
fi
[ "$said" = "$want" ] || fail "wgsim --version says commit $said, the tree is $want (stale build? rebuild, then test)"

# The generator on a throwaway repository: "unknown" outside git, the commit
# inside, -dirty with a changed file, a new commit without re-running cmake,
# and the output left untouched (same time stamp) when nothing changed.
gen() { cmake -DSRC="$1" -DGIT="$(command -v git)" -DOUT="$work/out.c" -P "$script" || fail "generator failed"; }
said_by() { sed -n 's/^const char wgsim_git_commit\[\] = "\(.*\)";$/\1/p' "$work/out.c"; }
rm -rf "$work" && mkdir -p "$work/repo/sub" || exit 1
# (the ceiling hides the checkout this work directory may itself be in)
GIT_CEILING_DIRECTORIES="$work" gen "$work/repo"
[ "$(said_by)" = unknown ] || fail "outside git: $(said_by)"
g() { git -C "$work/repo" -c user.name=t -c user.email=t@t -c commit.gpgsign=false "$@" >/dev/null || fail "git $*"; }
g init -q && echo a > "$work/repo/f" && g add f && g commit -qm one
one=$(git -C "$work/repo" rev-parse --short HEAD)
gen "$work/repo"
[ "$(said_by)" = "$one" ] || fail "after commit one: $(said_by), want $one"
# a tarball unpacked inside another checkout is not that checkout
gen "$work/repo/sub"
[ "$(said_by)" = unknown ] || fail "subdirectory of another repository: $(said_by)"
gen "$work/repo"
touch -d '2000-01-01' "$work/out.c"
gen "$work/repo"
[ "$(find "$work/out.c" -newermt 2000-01-02)" = "" ] || fail "rewritten without a change"
echo b > "$work/repo/f"
gen "$work/repo"
[ "$(said_by)" = "$one-dirty" ] || fail "with a change: $(said_by)"
g commit -qam two
two=$(git -C "$work/repo" rev-parse --short HEAD)
gen "$work/repo"
[ "$(said_by)" = "$two" ] || fail "after commit two: $(said_by), want $two"
echo "version commit: all checks passed ($said)"
