#!/bin/sh
# The manual pages keep in step with the program and the docs (issue 23):
#  - every command of `wgsim --help` has its section in wgsim(1), and every
#    option that `wgsim CMD --help` lists (its option column) appears in
#    wgsim(1) and in the bash completion's list for CMD;
#  - every key in the first column of a table in docs/scenario-language.md
#    appears in wgsim-scenario(5);
#  - wgsim(1)'s header names the version of `wgsim --version`;
#  - man(1) renders both pages without a warning.
# usage: check_man_pages.sh WGSIM MAN1 MAN5 SCENARIO_LANGUAGE_MD COMPLETION
wgsim="$1"; man1="$2"; man5="$3"; doc="$4"; comp="$5"
bad=0
# the page's text with roff's escapes for '-' and fonts taken out
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g' "$1"; }
page1=$(plain "$man1")
# the page's header names the version the program says it is
ver=$("$wgsim" --version | sed -n '1s/^wgsim \([^ ]*\).*/\1/p')
grep -q "^\.TH WGSIM 1 [^ ]* \"wgsim $ver\"" "$man1" || { echo "wgsim(1): .TH does not name wgsim $ver"; bad=1; }
cmds=$("$wgsim" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || { echo "no commands in wgsim --help"; exit 1; }
nopts=0
for c in $cmds; do
  printf '%s\n' "$page1" | grep -q "^\.SS \"wgsim $c[ \"]" || { echo "wgsim(1): no section for command $c"; bad=1; }
  list=$(sed -n "s/^_wgsim_opts_$c=\"\(.*\)\"$/\1/p" "$comp")
  [ -n "$list" ] || { echo "completion: no option list for $c"; bad=1; }
  # the option column: lines that start with an option, up to two spaces
  opts=$("$wgsim" "$c" --help | grep -E '^ {1,4}-' | sed -E 's/^ +//; s/  .*//' |
         grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z0-9-]*' | sed -E 's/^[ ,]//' | grep -vE '^-[a-z][A-Z]' | sort -u)
  for o in $opts; do
    nopts=$((nopts + 1))
    printf '%s\n' "$page1" | grep -q -e "$o\([^a-z0-9-]\|$\)" || { echo "wgsim(1): wgsim $c $o not described"; bad=1; }
    case " $list " in *" $o "*) ;; *) echo "completion: wgsim $c $o missing"; bad=1 ;; esac
  done
done
page5=$(plain "$man5")
keys=$(grep '^|' "$doc" | cut -d'|' -f2 | grep -oE '`[a-z][a-z0-9.-]*`' | tr -d '`' | sort -u)
nkeys=0
for k in $keys; do
  nkeys=$((nkeys + 1))
  printf '%s\n' "$page5" | grep -qF -- "$k" || { echo "wgsim-scenario(5): key $k missing"; bad=1; }
done
for f in "$man1" "$man5"; do
  w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
  [ -z "$w" ] || { echo "$f: $w"; bad=1; }
done
[ $bad = 0 ] && echo "man pages in step: $(echo $cmds | wc -w) commands, $nopts options, $nkeys keys"
exit $bad
