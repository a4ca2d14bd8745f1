#!/bin/sh
# The HTML report as a browser sees it (docs/reports.md "HTML report"):
# headless Chromium loads the shipped suite's page (with a failing scenario
# and a baseline, so a regression and an open <details> are in it) and
# dumps the DOM, which must hold the summary, the comparison, the phase
# tables, the topology, timeline and sequence diagram SVGs, and no reference to anything outside the
# file; a --matrix page's DOM has the claims x platforms table; host names resolve nowhere while it loads. Exit 77 (skipped)
# only where Chromium is not installed or cannot start.
# usage: html_chromium.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/html-chromium
rm -rf "$d" && mkdir -p "$d/profile" || exit 1
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
[ -n "$browser" ] || { echo "SKIP: no chromium installed (scripts/bootstrap installs it)"; exit 77; }
fail=$src/tests/data/failing.yaml
"$wgsim" test --json "$d/new.json" "$fail" >/dev/null 2>&1
sed -e 's/"status": "failed"/"status": "passed"/' -e 's/"verdict": "failed"/"verdict": "passed"/' \
    "$d/new.json" > "$d/old.json"
"$wgsim" test --html "$d/report.html" --baseline "$d/old.json" --date 2026-12-07 "$src/scenarios" "$fail" \
    >/dev/null 2>&1
[ -s "$d/report.html" ] || { echo "FAIL: no report written"; exit 1; }
run() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$d/profile" "$@"
}
run --enable-logging=stderr --dump-dom "file://$d/report.html" >"$d/dom.html" 2>"$d/log.txt"
if [ ! -s "$d/dom.html" ]; then
    echo "SKIP: chromium did not start ($(grep -m1 -iE 'error|fatal' "$d/log.txt"))"
    exit 77
fi
bad=0
dom() { grep -qE -- "$1" "$d/dom.html" || { echo "MISSING in the DOM: /$1/"; bad=1; }; }
dom '<p class="totals" id="summary">[0-9]+ passed, 1 failed, 0 skipped</p>'
dom '<p class="regression"><strong>regression</strong>: 1 regression'
dom '<details class="scenario" id="s[0-9]+" open=""><summary><span class="failed">failed</span> <strong>deliberately-failing'
dom '<table class="phases">'
dom '<td>maintenance fw1 on</td><td>fw1/wg0/remote</td><td>fw2 198.51.100.1:51820</td>'
dom '<svg class="topology"'
dom '<path class="tunnel"'
dom '<svg class="timeline"'
dom '<rect class="band"'
dom '<rect class="lost"'
dom '<line class="event"'
dom '<svg class="seqdiag"'
dom '<g class="msg resp wrong"><title>response gw → remote at '
dom '<tspan class="wrongmark">✗ wrong, expected '
n=$(grep -o '<svg class="topology"' "$d/dom.html" | wc -l)
t=$(grep -o '<svg class="timeline"' "$d/dom.html" | wc -l)
[ "$t" -ge 40 ] || { echo "MISSING: a timeline per scenario (found $t)"; bad=1; }
[ "$n" -ge 40 ] || { echo "MISSING: a topology per scenario (found $n)"; bad=1; }
q=$(grep -o '<svg class="seqdiag"' "$d/dom.html" | wc -l)
[ "$q" -ge 40 ] || { echo "MISSING: a sequence diagram per scenario (found $q)"; bad=1; }
# nothing referenced from elsewhere in the DOM the browser built (the
# page's policy, default-src 'none', would refuse it anyway). Chromium's log
# is not read for this: the browser's own services (update, time, accounts)
# ask for URLs in it whatever the page holds.
if grep -iE '(src|href)="|(https?|ftp)://|url\(' "$d/dom.html" | grep -qv 'http-equiv'; then
    echo "PRESENT: an external reference in the DOM"; bad=1
fi
# a --matrix report: the claims x platforms table is in the DOM, a cell
# that fails marked in words
"$wgsim" test --matrix platform=freebsd,linux --html "$d/matrix.html" --date 2026-12-07 \
    "$src/scenarios/platforms/linux-carp-disable-replies-from-interface-address.yaml" >/dev/null 2>&1
run --dump-dom "file://$d/matrix.html" >"$d/matrix-dom.html" 2>/dev/null
grep -qF '<table id="matrix"><tbody><tr><th>Claim</th><th>freebsd</th><th>linux</th></tr>' "$d/matrix-dom.html" &&
    grep -qF '<td class="failed">✗ fails 0/1</td><td class="passed">✓ holds 1/1</td>' "$d/matrix-dom.html" ||
    { echo "MISSING in the DOM: the claims x platforms table"; bad=1; }
grep -qF '<h2 class="matrix-value" id="v1">Scenarios on platform linux</h2>' "$d/matrix-dom.html" ||
    { echo "MISSING in the DOM: the heading of platform linux"; bad=1; }
[ $bad = 0 ] && echo "chromium-ok ($n topologies, $t timelines, $q sequence diagrams)"
exit $bad
