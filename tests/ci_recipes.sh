#!/bin/sh
# The CI recipes of docs/ci/ stay honest (issue 23):
#  - both YAML files parse (libyaml, ci_recipe_commands) into jobs and lines;
#  - every option a wgsim line uses is listed by `wgsim CMD --help`;
#  - every wgsim, cat, cp and mkdir line of their jobs runs, in the
#    pipeline's order (each shard of the matrix / `parallel:` with its own
#    K, CI_NODE_INDEX and CI_NODE_TOTAL), in a fresh directory holding a
#    3-scenario suite and its baseline, with this build's wgsim as `wgsim`:
#    each must exit 0, the job summary must hold the Markdown, and every file
#    a job keeps as an artifact must be there (the install lines, apt-get,
#    cmake and cpack, are not run here: tests/deb_package.sh is the package's);
#  - with one scenario broken after the baseline was taken, the same lines
#    make the merge job fail (exit 1) on the regression, and the job summary
#    and reports are still written.
# usage: ci_recipes.sh WGSIM CI_RECIPE_COMMANDS REPO_ROOT
set -u
wgsim=$(realpath "$1") extract=$(realpath "$2") root=$(realpath "$3")
tmp=$(mktemp -d /tmp/wgsim-ci.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
mkdir "$tmp/bin" && ln -s "$wgsim" "$tmp/bin/wgsim" || exit 2
tab=$(printf '\t')

# A suite of three scenarios and its baseline, as docs/ci/README.md makes it.
# break: the first of them made to fail after the baseline was taken.
workdir() { # DIR [break]
  mkdir -p "$1/scenarios" "$1/ci"
  for f in c1-reply-from-carp-vip-while-master c3-initiated-from-primary-address c5-reboot-tunnel-recovers; do
    cp "$root/scenarios/conformance/$f.yaml" "$1/scenarios/" || exit 2
  done
  (cd "$1" && "$wgsim" test scenarios/ --json ci/baseline.json >/dev/null) || fail "the baseline run failed"
  if [ "${2:-}" = break ]; then
    s="$1/scenarios/c1-reply-from-carp-vip-while-master.yaml"
    sed '0,/node: fw1, vhid: 1, state: master/s//node: fw1, vhid: 1, state: backup/' "$s" >"$s.new"
    cmp -s "$s" "$s.new" && fail "nothing to break in $s"
    mv "$s.new" "$s"
  fi
}

# every option of every wgsim line is one `wgsim CMD --help` lists
check_options() { # RECORDS
  grep "$tab"'wgsim ' "$1" | cut -f4 | sort -u >"$tmp/lines"
  [ -s "$tmp/lines" ] || fail "$1: no wgsim line"
  while IFS= read -r line; do
    sub=$(echo "$line" | awk '{ print $2 }')
    case $sub in --version) continue ;; esac
    "$wgsim" "$sub" --help >"$tmp/help" 2>&1 || { fail "wgsim $sub: not a command ($line)"; continue; }
    # the options of wgsim itself: not those of a $(command) in a value
    for o in $(echo "$line" | sed 's/\$([^)]*)//g' | grep -oE '(^| )--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^ //'); do
      grep -qE -- "(^|[ ,])$o([ ,=]|$)" "$tmp/help" || fail "wgsim $sub $o: not an option of wgsim $sub ($line)"
    done
  done <"$tmp/lines"
}

# Runs the recipe's lines in DIR; prints "JOB K RC LINE" per line run.
run_recipe() { # RECORDS DIR
  exports="" last_job="" ran_job=0
  : >"$2/step-summary.md"
  while IFS="$tab" read -r job k n text; do
    [ "$job" != "$last_job" ] && [ "$job" != - ] && { last_job=$job; job_exports=""; }
    case $text in
    "export "*)
      if [ "$job" = - ]; then exports="$exports$text; "; else job_exports="$job_exports$text; "; fi
      continue ;;
    "@artifact "* | "@junit "*)
      # a job none of whose lines ran here (the package) kept nothing here
      [ "$job" = package ] && continue
      p=${text#@* }
      (cd "$2" && ls -d $p >/dev/null 2>&1) || echo "MISSING-ARTIFACT $job $k $p"
      continue ;;
    esac
    case ${text%% *} in
    wgsim | cat | cp | mkdir) ;;
    *) continue ;;
    esac
    (cd "$2" && PATH="$tmp/bin:$PATH" CI_NODE_INDEX=$k CI_NODE_TOTAL=$n GITHUB_STEP_SUMMARY="$2/step-summary.md" \
       GITHUB_SHA=0123abc CI_COMMIT_SHORT_SHA=0123abc sh -c "$exports$job_exports$text" >>"$2/out.txt" 2>&1)
    echo "$job $k $? $text"
  done <"$1"
}

for recipe in github:github-actions.yml gitlab:gitlab-ci.yml; do
  kind=${recipe%%:*} file=$root/docs/ci/${recipe#*:}
  rec=$tmp/$kind.records
  "$extract" "$kind" "$file" >"$rec" || { fail "$file: not read"; continue; }
  check_options "$rec"
  # every shard of the split runs: N instances of the shard job, K = 1..N
  n_shards=$(awk -F"$tab" '$4 ~ /^wgsim test .*--shard/ { print $2 "/" $3 }' "$rec" | sort -u)
  [ "$(echo "$n_shards" | wc -l)" -ge 2 ] || fail "$file: no matrix of shards ($n_shards)"
  grep -q "${tab}wgsim merge .*--baseline .*--fail-on-regression" "$rec" || fail "$file: no merge against the baseline"
  grep -q "${tab}wgsim merge .*--junit " "$rec" || fail "$file: the merge writes no JUnit"
  grep -q "${tab}@junit results.xml" "$rec" || fail "$file: the merged JUnit results.xml is not published"
  grep -q "${tab}@artifact report.html" "$rec" || fail "$file: the HTML report is not kept"
  grep -q "${tab}wgsim merge .*--html " "$rec" || fail "$file: the merge writes no HTML"
  grep -q "${tab}wgsim merge .*--markdown " "$rec" || fail "$file: the merge writes no Markdown"

  # the pipeline on a passing suite: every line exits 0
  w=$tmp/$kind-pass
  workdir "$w"
  run_recipe "$rec" "$w" >"$tmp/ran"
  grep -q ' wgsim merge ' "$tmp/ran" || fail "$kind: the merge line did not run"
  awk '$3 != 0' "$tmp/ran" | grep -v '^MISSING' | while IFS= read -r l; do echo "FAIL: $kind: $l"; done
  awk '$3 != 0' "$tmp/ran" | grep -qv '^MISSING' && { failures=$((failures + 1)); cat "$w/out.txt"; }
  grep '^MISSING-ARTIFACT' "$tmp/ran" | while IFS= read -r l; do echo "FAIL: $kind: $l"; done
  grep -q '^MISSING-ARTIFACT' "$tmp/ran" && failures=$((failures + 1))
  for f in shard-1.json shard-2.json shard-3.json results.json results.xml report.html summary.md; do
    [ -s "$w/$f" ] || fail "$kind: no $f"
  done
  grep -q '^compared with ci/baseline.json: 0 regressions' "$w/out.txt" || fail "$kind: the merge did not compare with the baseline"
  grep -q '<testcase' "$w/results.xml" || fail "$kind: no testcase in the merged JUnit"
  [ "$kind" = github ] && { grep -q '^# wgsim results' "$w/step-summary.md" || fail "github: no job summary"; }
  [ "$kind" = gitlab ] && { [ -s "$w/public/index.html" ] || fail "gitlab: no Pages report"; }

  # a regression: the shards pass their exit 1 on, the merge job fails
  w=$tmp/$kind-regress
  workdir "$w" break
  run_recipe "$rec" "$w" >"$tmp/ran"
  merge_rc=$(awk '$4 == "wgsim" && $5 == "merge" { print $3 }' "$tmp/ran")
  [ "$merge_rc" = 1 ] || fail "$kind: with a scenario broken the merge exits '$merge_rc', not 1"
  awk '$3 != 0 && !($4 == "wgsim" && $5 == "merge")' "$tmp/ran" | grep -v '^MISSING' | grep . &&
    fail "$kind: lines other than the merge failed on a regression"
  grep -q 'regression' "$w/summary.md" || fail "$kind: the summary does not show the regression"
  grep -q '<failure' "$w/results.xml" || fail "$kind: no failure in the merged JUnit"
  [ "$kind" = github ] && { grep -q 'regression' "$w/step-summary.md" || fail "github: the job summary lacks the regression"; }
  grep -q '^::error file=scenarios/c1-reply-from-carp-vip-while-master.yaml' "$w/out.txt" ||
    { [ "$kind" = gitlab ] || fail "github: no annotation for the broken scenario"; }
done
[ $failures = 0 ] && echo "ci recipes: all checks passed"
exit $failures
