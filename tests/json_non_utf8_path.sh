#!/bin/sh
# wgsim test --json with scenario files whose names are not UTF-8 (Latin-1
# "caf\351.yaml" that loads, "bad\351.yaml" that does not): every result
# keeps its name, file, error and expectation locations, the bytes outside
# ASCII shown as '?'. Jansson refused those strings and the keys vanished.
# usage: json_non_utf8_path.sh WGSIM SCENARIO.yaml WORKDIR
wgsim=$1 scenario=$2 d=$3/json-non-utf8
rm -rf "$d" && mkdir -p "$d" || exit 1
cp "$scenario" "$d/$(printf 'caf\351.yaml')" || exit 1
printf 'name: x\n' > "$d/$(printf 'bad\351.yaml')" || exit 1
"$wgsim" test --json "$d/out.json" "$d" >/dev/null 2>&1
echo "exit=$?"
grep -E '"(name|file|error|location)":' "$d/out.json" | sed 's/^ *//; s|"[^"]*/json-non-utf8/|"DIR/|'
