#!/bin/sh
# Every key the loader accepts (its NULL-terminated key lists in
# harness/loader*.c: arrays named *keys, top, pk, npk, ...) is documented in
# docs/scenario-language.md, as `key`, `key:` or `parent.key`.
# usage: check_doc_keys.sh DOC_MD LOADER_C...
doc="$1"
shift
keys=$(awk '
  /static const char \*const ([a-z_]*keys|top|pk|npk|ek|hk|tk|ck|gk|sk|rk)\[\] = \{/ { on = 1 }
  on { print }
  on && /NULL\};/ { on = 0 }' "$@" | grep -o '"[a-z][a-z0-9-]*"' | tr -d '"' | sort -u)
[ -n "$keys" ] || { echo "no keys found in $*"; exit 1; }
missing=0
for k in $keys; do
  grep -q -e "\`$k\`" -e "\`$k:" -e "\`[a-z.-]*\.$k\`" "$doc" || { echo "undocumented key: $k"; missing=1; }
done
[ $missing = 0 ] && echo "all $(echo "$keys" | wc -l) keys documented"
exit $missing
