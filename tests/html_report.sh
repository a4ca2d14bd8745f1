#!/bin/sh
# wgsim test / run --html FILE and wgsim report --html (reports/html.c,
# docs/reports.md "HTML report"):
#   - the summary, the run's metadata with --date and the commit, the claims
#     table, a failed scenario open and a passing one collapsed, an
#     expectation with its file:line, the phase table of an HA pair whose
#     tunnel moves to fw2, the topology SVG, the timeline SVG (CARP states,
#     events, handshakes, endpoint changes, losses; a note for lanes not
#     drawn), the sequence diagram (an arrow per handshake message, marked
#     wrong where the receiver's configuration expects another endpoint; a
#     note for messages over the cap), and the same bytes twice;
#   - user text made inert: <script> and "><img onerror=...> in a
#     description, a claim and a scenario name come out as text;
#   - --baseline and wgsim report --html: the word regression at the top;
#   - the shipped suite's page: under 5 MB, nothing that loads from
#     elsewhere (no src/href, no URL);
#   - a file that cannot be written: exit 2 with the path.
# Prints "MISSING: ..." or "PRESENT: ..." for each failed check, then
# "html-ok" when all held.
# usage: html_report.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/html-report
rm -rf "$d" && mkdir -p "$d" || exit 1
bad=0
has() { grep -qF -- "$2" "$1" || { echo "MISSING: $2"; bad=1; }; }
hasre() { grep -qE -- "$2" "$1" || { echo "MISSING: /$2/"; bad=1; }; }
hasnt() { if grep -qiF -- "$2" "$1"; then echo "PRESENT: $2"; bad=1; fi; }
hasntre() { if grep -qiE -- "$2" "$1"; then echo "PRESENT: /$2/"; bad=1; fi; }

ha=$src/scenarios/field/ha-maintenance-stop-wireguard-first.yaml
fail=$src/tests/data/failing.yaml
"$wgsim" test --html "$d/t.html" --date 2026-12-07 "$ha" "$fail" >/dev/null 2>&1
echo "test exit=$?"
h=$d/t.html
has "$h" '<p class="totals" id="summary">1 passed, 1 failed, 0 skipped</p>'
has "$h" '<tr><th>date</th><td>2026-12-07</td></tr>'
hasre "$h" '<tr><th>commit</th><td>[^<]+</td></tr>'
hasre "$h" '<tr><th>wgsim</th><td>[0-9]+\.[0-9]+\.[0-9]+</td></tr>'
has "$h" '<tr><td>C4</td><td class="n">1</td><td class="n">0</td><td class="n">0</td></tr>'
has "$h" '<details class="scenario" id="s0"><summary><span class="passed">passed</span> <strong>ha-maintenance-stop-wireguard-first</strong>'
has "$h" '<details class="scenario" id="s1" open><summary><span class="failed">failed</span> <strong>deliberately-failing</strong>'
hasre "$h" '<tr><td class="failed">failed</td><td>[^<]*failing\.yaml:57</td><td>at 10s: endpoint of fw on remote</td><td>203\.0\.113\.2:51820</td>'
has "$h" '<tr><td>20.000–60.000 s</td><td>maintenance fw1 on</td><td>fw1/wg0/remote</td><td>fw2 198.51.100.1:51820</td><td>remote 192.0.2.10:51820</td><td class="n">15.032s</td><td class="n">1</td><td class="n">50/80</td></tr>'
has "$h" '<svg class="topology"'
has "$h" '<text x="18" y="'
has "$h" 'class="vip">vhid 1 198.51.100.1/24</text>'
has "$h" '<path class="tunnel"'
# the timeline: CARP bands, the events, handshakes, endpoint changes, losses
has "$h" '<svg class="timeline"'
has "$h" 'fill="#2e9d4f"><title>fw2/wan vhid 1 master at 20.001 s</title>'
has "$h" '<title>fw1/wan vhid 1 off at 60.000 s</title>'
has "$h" 'class="ev">maintenance fw1 on</text>'
has "$h" '<line class="hs"'
has "$h" '<title>fw2/wg0/remote endpoint changed to 192.0.2.10:51820 at 34.783 s</title>'
has "$h" '<title>ping remote -&gt; 10.99.0.1: 0 of 1 echoes answered per second, 20.000–35.000 s</title>'
"$wgsim" test --html "$d/t2.html" --date 2026-12-07 "$ha" "$fail" >/dev/null 2>&1
cmp -s "$h" "$d/t2.html" || { echo "MISSING: the same bytes on a second run"; bad=1; }

# the sequence diagram: an arrow per handshake message with its source and
# its source reason on hover; where the receiver's configured endpoint is
# another address the arrow is marked wrong (linux replies from wan1 to a
# remote that has the wan2 address); more than HS_SEQ_MAX messages: a note
has "$h" '<svg class="seqdiag"'
has "$h" '<g class="msg resp"><title>response fw2 → remote at '
hasre "$h" '<text x="[0-9.]+" y="[0-9]+" class="ml">initiation 192\.0\.2\.10:51820</text>'
hasnt "$h" 'class="msg init wrong"'
"$wgsim" test --html "$d/w.html" --date 2026-12-07 "$src/scenarios/platforms/linux-contacted-on-wan2-replies-from-wan1.yaml" >/dev/null 2>&1
has "$d/w.html" '<g class="msg resp wrong"><title>response gw → remote at '
has "$d/w.html" "remote's configured endpoint of gw: 203.0.113.10:51820 (WRONG: the message came from another address); source: "
has "$d/w.html" '<tspan class="wrongmark">✗ wrong, expected 203.0.113.10:51820</tspan>'
has "$d/w.html" '<p class="note">Sequence diagram: 1 message arrived from a source that is not the endpoint'
sed -e 's/^duration: .*/duration: 20m/' "$src/scenarios/conformance/c6-initiated-never-from-vip.yaml" > "$d/long.yaml"
"$wgsim" test --html "$d/l.html" --date 2026-12-07 "$d/long.yaml" >/dev/null 2>&1
hasre "$d/l.html" '<p class="note">Sequence diagram: [0-9]+ more messages not drawn \(200 kept of [0-9]+, 2 of 2 lanes drawn\)\.</p>'
[ "$(grep -c '^<g class="msg init"' "$d/l.html")" = 200 ] || { echo "MISSING: 200 arrows drawn"; bad=1; }

# a timeline with more lanes than are drawn says so (60 pings: 48 kept)
awk '{print} /^  - \{ping: /{for(i=0;i<59;i++) print}' "$src/scenarios/examples/starter.yaml" > "$d/many.yaml"
"$wgsim" test --html "$d/m.html" --date 2026-12-07 "$d/many.yaml" >/dev/null 2>&1
hasre "$d/m.html" '<p class="note">Timeline: [0-9]+ more lanes and 0 more marks not drawn.</p>'

# hostile user text: in the description, the claim and the name
sed -e 's/^claim: C8.*/claim: "C8<b>x<\/b>"/' \
    -e 's/^name: .*/name: "n<script>alert(3)<\/script>"/' \
    -e 's/^description: >/description: "d <script>alert(1)<\/script> \\"><img src=x onerror=alert(2)> '"'"'q"\nignored: >/' \
    "$src/scenarios/examples/starter.yaml" | sed '/^ignored: >/,/^[a-z]/{/^ignored: >/d;/^  /d}' > "$d/hostile.yaml"
"$wgsim" run --html "$d/h.html" "$d/hostile.yaml" >/dev/null 2>&1
echo "run exit=$?"
h=$d/h.html
has "$h" 'd &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt; &#39;q'
has "$h" '<strong>n&lt;script&gt;alert(3)&lt;/script&gt;</strong> (claim C8&lt;b&gt;x&lt;/b&gt;)'
has "$h" '<tr><th>date</th><td>not given</td></tr>'
hasnt "$h" "<script"
hasnt "$h" "<img"
hasnt "$h" "<b>"

# a baseline in which the failing scenario passed: a regression, at the top
"$wgsim" test --json "$d/new.json" "$fail" >/dev/null 2>&1
sed -e 's/"status": "failed"/"status": "passed"/' -e 's/"verdict": "failed"/"verdict": "passed"/' "$d/new.json" > "$d/old.json"
"$wgsim" test --baseline "$d/old.json" --html "$d/b.html" "$fail" >/dev/null 2>&1
echo "baseline exit=$?"
has "$d/b.html" '<p class="regression"><strong>regression</strong>: 1 regression, 0 newly passing'
hasre "$d/b.html" '<li><strong>regression</strong> deliberately-failing \(claim C8\): passed → failed'
"$wgsim" report --html "$d/r.html" "$d/old.json" "$d/new.json" >/dev/null 2>&1
echo "report exit=$?"
has "$d/r.html" '<h1>wgsim comparison</h1>'
has "$d/r.html" '<strong>regression</strong>: 1 regression'

# the shipped suite: under 5 MB, nothing loaded from elsewhere
"$wgsim" test --html "$d/suite.html" --date 2026-12-07 "$src/scenarios" >/dev/null 2>&1
echo "suite exit=$?"
size=$(wc -c < "$d/suite.html")
[ "$size" -gt 0 ] && [ "$size" -lt 5000000 ] || { echo "MISSING: suite page under 5 MB (it is $size bytes)"; bad=1; }
hasntre "$d/suite.html" '(src|href)[[:space:]]*='
hasntre "$d/suite.html" '(https?|ftp):|data:[a-z]+/|url\(|@import'
hasnt "$d/suite.html" "<script"

# an unwritable file: exit 2, the path named
"$wgsim" test --html "$d/no/such/dir/x.html" "$ha" >/dev/null 2>"$d/err.txt"
echo "unwritable exit=$?"
has "$d/err.txt" "wgsim test: --html: $d/no/such/dir/x.html: No such file or directory"
[ $bad = 0 ] && echo html-ok
