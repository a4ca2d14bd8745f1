#!/bin/sh
# wgsim test --matrix platform=freebsd,linux with --html, --markdown,
# --junit and --pcap (docs/reports.md "The platform matrix"):
#   - HTML: the platforms in the run's metadata, the claims x platforms
#     table (C2 fails on freebsd and holds on linux: the failed cell says
#     "✗ fails" in words, not only in colour), a heading per platform, the
#     platform in every scenario's title, every id once, the same bytes on
#     a second run;
#   - Markdown: the same table (a failed cell in bold) and the platform in
#     every scenario heading;
#   - JUnit: a testsuite per platform, the platform leading each classname;
#     per expectation, a testsuite per scenario and platform; well-formed;
#   - --pcap DIR: DIR/<platform>/<scenario>/ with the pcaps and key log.
# Prints "MISSING: ..." or "PRESENT: ..." for each failed check, then
# "matrix-reports-ok" when all held.
# usage: matrix_reports.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/matrix-reports
rm -rf "$d" && mkdir -p "$d" || exit 1
bad=0
has() { grep -qF -- "$2" "$1" || { echo "MISSING: $2"; bad=1; }; }
hasnt() { if grep -qF -- "$2" "$1"; then echo "PRESENT: $2"; bad=1; fi; }
count() { [ "$(grep -cF -- "$2" "$1")" = "$3" ] || { echo "MISSING: $3 lines with $2"; bad=1; }; }

# relative paths: the classname is the scenario's directory
cd "$src" || exit 1
c2=scenarios/platforms/linux-carp-disable-replies-from-interface-address.yaml
fail=tests/data/failing.yaml
run() {
    "$wgsim" test -j 2 --matrix platform=freebsd,linux --date 2026-12-07 "$@" "$c2" "$fail" >/dev/null 2>&1
}
run --html "$d/m.html" --markdown "$d/m.md" --junit "$d/m.xml" --pcap "$d/pcap"
echo "test exit=$?"

h=$d/m.html
has "$h" '<tr><th>platform</th><td>freebsd, linux (--matrix: every scenario on each)</td></tr>'
has "$h" '<table id="matrix"><tr><th>Claim</th><th>freebsd</th><th>linux</th></tr>'
has "$h" '<tr><td>C2</td><td class="failed">✗ fails 0/1</td><td class="passed">✓ holds 1/1</td></tr>'
has "$h" '<tr><td>C8</td><td class="failed">✗ fails 0/1</td><td class="failed">✗ fails 0/1</td></tr>'
has "$h" '<h2>Claims, every run together</h2>'
has "$h" '<h2 class="matrix-value" id="v0">Scenarios on platform freebsd</h2>'
has "$h" '<h2 class="matrix-value" id="v1">Scenarios on platform linux</h2>'
has "$h" '<details class="scenario" id="s0" open><summary><span class="failed">failed</span> <strong>linux-carp-disable-replies-from-interface-address</strong> (claim C2) on platform freebsd</summary>'
has "$h" '<details class="scenario" id="s2"><summary><span class="passed">passed</span> <strong>linux-carp-disable-replies-from-interface-address</strong> (claim C2) on platform linux</summary>'
has "$h" '<strong>deliberately-failing</strong> (claim C8) on platform linux</summary>'
hasnt "$h" '<h2>Scenarios</h2>'
dup=$(grep -o ' id="[^"]*"' "$h" | sort | uniq -d)
[ -z "$dup" ] || { echo "PRESENT: an id twice:$dup"; bad=1; }
run --html "$d/m2.html"
cmp -s "$h" "$d/m2.html" || { echo "MISSING: the same bytes on a second run"; bad=1; }

m=$d/m.md
has "$m" '| platform | freebsd, linux (--matrix: every scenario on each) |'
has "$m" '## Claims × platforms'
has "$m" '| Claim | freebsd | linux |'
has "$m" '| C2 | **✗ fails 0/1** | ✓ holds 1/1 |'
has "$m" '## Claims, every run together'
has "$m" '### linux-carp-disable-replies-from-interface-address on platform freebsd (claim C2) — failed'
has "$m" '### linux-carp-disable-replies-from-interface-address on platform linux (claim C2) — passed'
count "$m" '### deliberately-failing on platform ' 4

x=$d/m.xml
has "$x" '<testsuites tests="4" failures="3" errors="0" skipped="0" '
has "$x" '<testsuite name="wgsim platform=freebsd" tests="2" failures="2" errors="0" skipped="0" '
has "$x" '<testsuite name="wgsim platform=linux" tests="2" failures="1" errors="0" skipped="0" '
has "$x" '<properties><property name="platform" value="linux"/></properties>'
has "$x" '<testcase classname="freebsd.scenarios.platforms" name="linux-carp-disable-replies-from-interface-address"'
has "$x" '<testcase classname="linux.tests.data" name="deliberately-failing"'
"$wgsim" test --matrix platform=freebsd,linux --junit "$d/e.xml" --junit-granularity expectation "$c2" "$fail" \
    >/dev/null 2>&1
echo "expectation exit=$?"
has "$d/e.xml" '<testsuite name="deliberately-failing (platform linux)" file='
has "$d/e.xml" '<testcase classname="freebsd.linux-carp-disable-replies-from-interface-address" name="'
count "$d/e.xml" '<testsuite name=' 4
if command -v xmllint >/dev/null; then
    xmllint --noout "$x" "$d/e.xml" || { echo "MISSING: well-formed JUnit"; bad=1; }
fi

for p in freebsd linux; do
    for s in linux-carp-disable-replies-from-interface-address deliberately-failing; do
        [ -s "$d/pcap/$p/$s/keylog.txt" ] && [ -s "$d/pcap/$p/$s/seg-net.pcap" ] ||
            { echo "MISSING: $d/pcap/$p/$s/"; bad=1; }
    done
done
[ ! -e "$d/pcap/deliberately-failing" ] || { echo "PRESENT: a capture directory outside a platform's"; bad=1; }

[ $bad = 0 ] && echo "matrix-reports-ok"
exit $bad
