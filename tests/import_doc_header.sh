#!/bin/sh
# import_doc_header.sh WGSIM REPO_ROOT — the header shown in docs/import.md is
# what `wgsim import` writes for the sample HA pair (so the page cannot rot).
W=$1 R=$2
cd "$R/tests/import" || exit 2
sed -n '/^```text header$/,/^```$/p' "$R/docs/import.md" | sed '1d;$d' >/tmp/wgsim-doc-header.$$ || exit 2
"$W" import pfsense-ha-fw1.xml pfsense-ha-fw2.xml 2>/dev/null | sed -n '1,/^name:/p' | sed '$d' |
    diff /tmp/wgsim-doc-header.$$ - && echo header-ok
rc=$?
rm -f /tmp/wgsim-doc-header.$$
exit $rc
