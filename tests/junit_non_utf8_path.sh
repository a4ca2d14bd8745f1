#!/bin/sh
# wgsim test --junit with scenario files whose names are not UTF-8
# (Latin-1 "bad\351.yaml", which does not load) next to a UTF-8 one
# ("caf\303\251.yaml"): the XML stays UTF-8 (a stray byte becomes '?', a
# well-formed sequence is kept) and well-formed when xmllint is installed.
# The stray byte used to be copied into the file, which no XML parser reads.
# Neither file loads, so their names are the testcase names.
# usage: junit_non_utf8_path.sh WGSIM WORKDIR
wgsim=$1 d=$2/junit-non-utf8
rm -rf "$d" && mkdir -p "$d" || exit 1
printf 'name: x\n' > "$d/$(printf 'caf\303\251.yaml')" || exit 1
printf 'name: x\n' > "$d/$(printf 'bad\351.yaml')" || exit 1
"$wgsim" test --junit "$d/out.xml" "$d" >/dev/null 2>&1
echo "exit=$?"
LC_ALL=C grep -c "$(printf '\351')" "$d/out.xml"
LC_ALL=C grep -o "name=\"[^\"]*/junit-non-utf8/[^\"]*\"" "$d/out.xml" | LC_ALL=C sed 's|"[^"]*/junit-non-utf8/|"DIR/|'
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$d/out.xml" && echo "well-formed"
else
    echo "well-formed (xmllint not installed, not checked)"
fi
