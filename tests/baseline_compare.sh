#!/bin/sh
# wgsim test --baseline / --fail-on-regression and wgsim report, on results
# the test makes itself: OLD = a passing variant of tests/data/failing.yaml
# (same name, the two wrong expectations corrected) and starter.yaml;
# NEW = failing.yaml and design-example.yaml. So NEW has one regression,
# one added and one removed scenario; the other way round one newly
# passing. Then malformed, foreign and newer-format baselines.
# usage: baseline_compare.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/baseline-compare
rm -rf "$d" && mkdir -p "$d/old" "$d/new" || exit 1
fails=0
check() { # check WHAT EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then
        printf 'FAILED: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"
        fails=$((fails + 1))
    fi
}
has() { # has WHAT FILE LINE: FILE holds the line LINE exactly
    grep -qxF -- "$3" "$2" || { printf 'FAILED: %s: no line\n  %s\nin:\n' "$1" "$3"; cat "$2"; fails=$((fails + 1)); }
}
sed 's/src: 203.0.113.2, wg/src: 198.51.100.2, wg/; s/is: 203.0.113.2:51820/is: 198.51.100.2:51820/' \
    "$src/tests/data/failing.yaml" > "$d/old/failing.yaml" || exit 1
# the removed scenario's name is user text that the Markdown must keep inert
sed 's/^name: starter-two-sites/name: "x|<script>alert(1)<\/script>`y`"/' "$src/scenarios/examples/starter.yaml" > "$d/old/starter.yaml" && cp "$src/tests/data/failing.yaml" "$src/tests/data/design-example.yaml" "$d/new/" || exit 1
cd "$d" || exit 1

"$wgsim" test --json old.json old >/dev/null; check "old run passes" 0 $?
"$wgsim" test --json new.json new >/dev/null; check "new run fails" 1 $?

# the regression, seen by wgsim test --baseline; the exit status is today's without --fail-on-regression
"$wgsim" test --baseline old.json new > out.txt; check "test --baseline exit" 1 $?
has "summary" out.txt "compared with old.json: 1 regression, 0 newly passing, 1 added, 1 removed, 0 unchanged"
has "regression" out.txt "  regression     deliberately-failing (claim C8): passed -> failed"
has "expectation passed before" out.txt "                 new/failing.yaml:57:5: at 10s: endpoint of fw on remote (passed before)"
has "expectation not in the baseline" out.txt "                 new/failing.yaml:56:5: during [0s, 5s]: packets from fw src 203.0.113.2 wg handshake-initiation (not in the baseline)"
has "added" out.txt "  added          maintenance-mode-roams-remote (claim C4): passed"
has "removed" out.txt "  removed        x|<script>alert(1)</script>\`y\` (claim C8): was passed"
"$wgsim" test --baseline old.json --fail-on-regression new >/dev/null; check "regression, --fail-on-regression" 1 $?

# report OLD NEW says the same as test --baseline (the lines after the run's own)
"$wgsim" report old.json new.json > report.txt; check "report exit" 0 $?
sed -n '/^compared with/,$p' out.txt > from-test.txt
check "report = test --baseline" "$(cat from-test.txt)" "$(cat report.txt)"
"$wgsim" report --fail-on-regression old.json new.json >/dev/null; check "report --fail-on-regression" 1 $?

# the other way: newly passing; nothing regressed, so --fail-on-regression exits 0
"$wgsim" test --baseline new.json --fail-on-regression old > back.txt; check "newly passing exit" 0 $?
has "newly passing" back.txt "  newly passing  deliberately-failing (claim C8): failed -> passed"
has "back summary" back.txt "compared with new.json: 0 regressions, 1 newly passing, 1 added, 1 removed, 0 unchanged"
# failing before and now, nothing newly failing: not a regression; without the option exit 1 as ever
"$wgsim" test --baseline new.json --fail-on-regression new/failing.yaml > same.txt; check "still failing, --fail-on-regression" 0 $?
has "still failing" same.txt "compared with new.json: 0 regressions, 0 newly passing, 0 added, 1 removed, 1 unchanged"
"$wgsim" test --baseline new.json new/failing.yaml >/dev/null; check "still failing, plain" 1 $?

# Markdown: the comparison near the top of test's file (before the claims), and report's own file;
# the regression word first, user text escaped
"$wgsim" test --baseline old.json --markdown test.md --date 2026-12-07 new >/dev/null; check "test --markdown exit" 1 $?
check "comparison before the claims" "## Compared with old.json
## Claims" "$(grep -E '^## (Compared|Claims)' test.md)"
"$wgsim" report --markdown report.md old.json new.json >/dev/null; check "report --markdown exit" 0 $?
has "markdown title" report.md "# wgsim comparison"
has "markdown counts" report.md "**regression**: 1 regression, 0 newly passing, 1 added, 1 removed, 0 unchanged."
has "markdown regression" report.md "- **regression** deliberately-failing (claim C8): passed → failed"
has "markdown detail" report.md "  - new/failing.yaml:57:5: at 10s: endpoint of fw on remote (passed before)"
has "markdown escaped" report.md '- **removed** x\|&lt;script&gt;alert(1)&lt;/script&gt;\`y\` (claim C8): was passed'
check "same section in both" "$(sed -n '/^## Compared/,/^## Claims/p' test.md | sed '$d')" "$(sed -n '/^## Compared/,$p' report.md)"
"$wgsim" report --markdown /dev/null/x.md old.json new.json >/dev/null 2>err.txt; check "markdown not written" 2 $?

# convergence figures: the same scenario with a slower network recovers later in every phase
sed 's/net:  {delay: 15ms/net:  {delay: 40ms/' "$src/tests/data/design-example.yaml" > slow.yaml
"$wgsim" test --json fast.json "$src/tests/data/design-example.yaml" >/dev/null && "$wgsim" test --json slow.json slow.yaml >/dev/null
"$wgsim" report --fail-on-regression fast.json slow.json > slow.txt; check "slower is no regression" 0 $?
has "changed" slow.txt "  changed        maintenance-mode-roams-remote (claim C4)"
grep -qE '^                 phase 30[.]000s maintenance fw1 on, fw1/wg0/remote: outage 15[.][0-9]{3}s -> 15[.][0-9]{3}s$' slow.txt ||
    { echo "FAILED: outage change of the maintenance phase"; cat slow.txt; fails=$((fails + 1)); }

# the firewall's default route moved to WAN2: the tunnel's source on side A changes (and the scenario now passes)
sed 's/routes: \[{to: default, via: 198.51.100.1}\]/routes: [{to: default, via: 203.0.113.1}]/' "$src/tests/data/failing.yaml" > wan2.yaml
"$wgsim" test --baseline new.json wan2.yaml > wan2.txt; check "moved to wan2 exit" 0 $?
grep -qE '^                 phase 0[.]000s [(]start[)], fw/wg0/remote: .*side A fw 198[.]51[.]100[.]2:51820 -> fw 203[.]0[.]113[.]2:51820$' wan2.txt ||
    { echo "FAILED: the source change of side A"; cat wan2.txt; fails=$((fails + 1)); }

# a result of format_version 1 (written before the field and the phase tables existed; made by
# wgsim at the commit before them) is read: statuses and expectations compared, phases not
"$wgsim" report "$src/tests/data/result-format1.json" new.json > v1.txt; check "format 1 read" 0 $?
has "format 1" v1.txt "compared with $src/tests/data/result-format1.json: 0 regressions, 0 newly passing, 1 added, 0 removed, 1 unchanged"
has "format 1 note" v1.txt "  (the baseline has no phase tables (format_version 1): phases are not compared)"

starts() { # starts WHAT PREFIX ACTUAL
    case "$3" in
    "$2"*) ;;
    *) printf 'FAILED: %s\n  expected: %s...\n  got:      %s\n' "$1" "$2" "$3"; fails=$((fails + 1)) ;;
    esac
}
bad() { # bad NAME CONTENT EXPECTED-MESSAGE (its start: jansson words the syntax errors)
    printf '%s' "$2" > "$1"
    "$wgsim" report "$1" new.json > /dev/null 2> err.txt; check "$1: report exit" 2 $?
    starts "$1: message" "wgsim report: $3" "$(cat err.txt)"
    "$wgsim" test --baseline "$1" new/failing.yaml > run.txt 2> err.txt; check "$1: test --baseline exit" 2 $?
    check "$1: not run" "" "$(cat run.txt)"
    starts "$1: test message" "wgsim test: --baseline: $3" "$(cat err.txt)"
}
bad trunc.json '{"tool": "wgsim", "scenarios": [' "trunc.json:1:32: not valid JSON: "
bad foreign.json '{"tests": []}' 'foreign.json: not a wgsim JSON result (no "tool": "wgsim")'
bad newer.json '{"tool": "wgsim", "format_version": 99, "scenarios": []}' \
    'newer.json: "format_version" 99 is not a format this wgsim reads (1 to 2); compare with a wgsim of that version'
bad status.json '{"tool": "wgsim", "scenarios": [{"name": "a", "file": "a.yaml", "status": "won"}]}' \
    "status.json: scenarios[0].status 'won' is not passed, failed, error or skipped"
bad verdict.json '{"tool": "wgsim", "scenarios": [{"name": "a", "file": "a.yaml", "status": "passed", "expectations": [{"verdict": 1, "what": "x"}]}]}' \
    "verdict.json: scenarios[0].expectations[0].verdict is not a string"
"$wgsim" report missing.json new.json 2> err.txt; check "missing file exit" 2 $?
check "missing file" "wgsim report: missing.json: No such file or directory" "$(cat err.txt)"
"$wgsim" test --fail-on-regression new 2> err.txt >/dev/null; check "--fail-on-regression alone" 2 $?
check "--fail-on-regression alone: message" "wgsim test: --fail-on-regression needs --baseline OLD.json" "$(cat err.txt)"
"$wgsim" report old.json 2>/dev/null; check "report with one file" 2 $?

[ $fails -eq 0 ] && echo "baseline comparison: all checks passed"
exit $((fails > 0))
