#!/bin/sh
# wgsim test / run --markdown FILE (reports/markdown.c, docs/reports.md):
#   - the summary, the run's metadata with --date, the claims table, a
#     failure with its file:line, the phase table of an HA pair whose
#     tunnel moves to fw2 (numbers included), and the same bytes twice;
#   - user text made inert: a description and a claim with |, backticks,
#     <script> and "><img onerror=...> come out escaped, never raw;
#   - a file that cannot be written: exit 2 with the path.
# Prints "MISSING: ..." or "PRESENT: ..." for each failed check, then
# "markdown-ok" when all held.
# usage: markdown_cli.sh WGSIM SOURCE_DIR WORKDIR
wgsim=$1 src=$2 d=$3/markdown-cli
rm -rf "$d" && mkdir -p "$d" || exit 1
bad=0
has() { grep -qF -- "$2" "$1" || { echo "MISSING: $2"; bad=1; }; }
hasre() { grep -qE -- "$2" "$1" || { echo "MISSING: /$2/"; bad=1; }; }
hasnt() { if grep -qiF -- "$2" "$1"; then echo "PRESENT: $2"; bad=1; fi; }

ha=$src/scenarios/field/ha-maintenance-stop-wireguard-first.yaml
fail=$src/tests/data/failing.yaml
"$wgsim" test --markdown "$d/t.md" --date 2026-12-07 "$ha" "$fail" >/dev/null 2>&1
echo "test exit=$?"
m=$d/t.md
has "$m" "# wgsim results"
has "$m" "**1 passed, 1 failed, 0 skipped**"
has "$m" "| date | 2026-12-07 |"
has "$m" "| engine | each scenario's own |"
hasre "$m" '^\| wgsim \| [0-9]+\.[0-9]+\.[0-9]+ \|$'
has "$m" "| Claim | Passed | Failed | Skipped |"
has "$m" "| C4 | 1 | 0 | 0 |"
has "$m" "| C8 | 0 | 1 | 0 |"
has "$m" "| **failed** | deliberately-failing | C8 | 1 |"
hasre "$m" '^- .*failing\.yaml:[0-9]+: .* — expected .*, seen '
has "$m" "**Tunnels:** fw1/wg0/remote (side A: fw1, fw2; side B: remote)"
has "$m" "| 0.000–19.750 s | (start) | fw1/wg0/remote | fw1 198.51.100.1:51820 | remote 192.0.2.10:51820 | 3.051s | 1 | 35/40 |"
has "$m" "| 20.000–60.000 s | maintenance fw1 on | fw1/wg0/remote | fw2 198.51.100.1:51820 | remote 192.0.2.10:51820 | 15.032s | 1 | 50/80 |"
# reproducible: the same run writes the same bytes
"$wgsim" test --markdown "$d/t2.md" --date 2026-12-07 "$ha" "$fail" >/dev/null 2>&1
cmp -s "$m" "$d/t2.md" || { echo "MISSING: the same bytes on a second run"; bad=1; }

# hostile user text
sed -e 's/^claim: C8.*/claim: "C8|<b>x<\/b>"/' \
    -e 's/^description: >/description: "a|b `code` <script>alert(1)<\/script> \\"><img src=x onerror=alert(2)> [l](javascript:x)"\nignored: >/' \
    "$src/scenarios/examples/starter.yaml" | sed '/^ignored: >/,/^[a-z]/{/^ignored: >/d;/^  /d}' > "$d/hostile.yaml"
"$wgsim" run --markdown "$d/h.md" "$d/hostile.yaml" >/dev/null 2>&1
echo "run exit=$?"
m=$d/h.md
has "$m" "a\\|b \\\`code\\\` &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt; \\[l\\](javascript:x)"
has "$m" "| C8\\|&lt;b&gt;x&lt;/b&gt; | 1 | 0 | 0 |"
has "$m" "| date | not given |"
hasnt "$m" "<script"
hasnt "$m" "<img"
hasnt "$m" "<b>"

# an unwritable file: exit 2, the path named
"$wgsim" test --markdown "$d/no/such/dir/x.md" "$ha" >/dev/null 2>"$d/err.txt"
echo "unwritable exit=$?"
has "$d/err.txt" "wgsim test: --markdown: $d/no/such/dir/x.md: No such file or directory"
"$wgsim" run "$ha" --markdown >/dev/null 2>"$d/err2.txt"
echo "no value exit=$?"
has "$d/err2.txt" "wgsim run: --markdown needs a value"
[ $bad = 0 ] && echo markdown-ok
