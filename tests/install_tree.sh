#!/bin/sh
# `cmake --install` into a throwaway prefix, then the installed wgsim runs the
# installed example scenarios from a directory outside both trees: nothing it
# needs may come from the source or build tree (issue 23).
# usage: install_tree.sh BUILD_DIR WORK_DIR SOURCE_DIR
build="$1"; work="$2"; src="$3"
p="$work/prefix"
rm -rf "$work" && mkdir -p "$work/elsewhere" || exit 1
cmake --install "$build" --prefix "$p" >/dev/null || { echo "install failed"; exit 1; }
for f in bin/wgsim share/man/man1/wgsim.1 share/man/man5/wgsim-scenario.5 share/doc/wgsim/README.md \
         share/doc/wgsim/scenario-language.md share/wgsim/scenarios/examples/starter.yaml \
         share/bash-completion/completions/wgsim; do
  [ -s "$p/$f" ] || { echo "not installed: $f"; exit 1; }
done
# the program carries no path into the source tree (debug information aside)
for path in "$src/scenarios" "$build/bench/ns3_udp_echo"; do
  if strings "$p/bin/wgsim" | grep -q "^$path"; then echo "compiled-in path: $path"; exit 1; fi
done
# the source tree out of reach: run from elsewhere with a copy of the prefix
cp -R "$p" "$work/moved" || exit 1
cd "$work/elsewhere" || exit 1
"$work/moved/bin/wgsim" --version | head -1
"$work/moved/bin/wgsim" test -j 2 "$work/moved/share/wgsim/scenarios/" | tail -1
# bench's default suite is the installed one
"$work/moved/bin/wgsim" bench scenario --quick --json | sed 's/,.*//'
