#!/bin/sh
# wgsim test --junit-granularity expectation: one testcase per expectation
# (classname = scenario, file and line as attributes and properties), a
# scenario that does not load as one testcase with its <error>; the file is
# well-formed XML (xmllint when installed, else the structural checks
# below alone). A name with XML's special characters stays text.
# usage: junit_per_expectation.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/junit-per-expectation
rm -rf "$d" && mkdir -p "$d" || exit 1
fails=0
check() { # check WHAT EXPECTED ACTUAL
    [ "$2" = "$3" ] || { printf 'FAILED: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"; fails=$((fails + 1)); }
}
sed 's/^name: deliberately-failing/name: "a<b>\&\\"c'"'"'"/' "$src/tests/data/failing.yaml" > "$d/odd.yaml" || exit 1
"$wgsim" test --junit "$d/out.xml" --junit-granularity expectation "$src/tests/data/failing.yaml" \
    "$src/tests/data/design-example.yaml" "$src/tests/data/bad-example.yaml" "$d/odd.yaml" >/dev/null 2>&1
check "exit" 2 $?
x=$d/out.xml
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$x" || { echo "FAILED: not well-formed"; fails=$((fails + 1)); }
    # the counts the root claims are the testcases it holds
    check "testcases" 12 "$(xmllint --xpath 'count(//testcase)' "$x")"
    check "failures" 4 "$(xmllint --xpath 'count(//testcase/failure)' "$x")"
    check "root counts" "12 4 1" "$(xmllint --xpath 'concat(/testsuites/@tests," ",/testsuites/@failures," ",/testsuites/@errors)' "$x")"
    check "odd name is text" 'a<b>&"c'"'" "$(xmllint --xpath 'string(//testsuite[4]/@name)' "$x")"
else
    echo "xmllint not installed: structural checks only"
fi
check "testcase lines" 12 "$(grep -c '^    <testcase classname="' "$x")"
check "closed testcases" 12 "$(grep -c '^    </testcase>$' "$x")"
check "suites" 4 "$(grep -c '^  <testsuite name=' "$x")"
grep -q '^    <testcase classname="deliberately-failing" name="57: at 10s: endpoint of fw on remote" file="[^"]*tests/data/failing.yaml" line="57" time="0">$' "$x" ||
    { echo "FAILED: testcase of line 57"; fails=$((fails + 1)); }
grep -q '^      <properties><property name="file" value="[^"]*tests/data/failing.yaml"/><property name="line" value="57"/><property name="kind" value="endpoint"/><property name="claim" value="C8"/></properties>$' "$x" ||
    { echo "FAILED: properties of line 57"; fails=$((fails + 1)); }
grep -q '^      <failure message="expected 203.0.113.2:51820, seen 198.51.100.2:51820 [^"]*">[^<]*failing.yaml:57: at 10s' "$x" ||
    { echo "FAILED: failure of line 57"; fails=$((fails + 1)); }
grep -q '<testcase classname="[^"]*bad-example.yaml" name="(scenario)"' "$x" ||
    { echo "FAILED: the scenario that does not load"; fails=$((fails + 1)); }
grep -q '<error message="[^"]*bad-example.yaml:5:9: unknown key' "$x" || { echo "FAILED: its error"; fails=$((fails + 1)); }
grep -q 'classname="a&lt;b&gt;&amp;&quot;c&apos;"' "$x" || { echo "FAILED: odd name escaped"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "junit per expectation: all checks passed"
exit $((fails > 0))
