# md2man.awk - turns docs/scenario-language.md into the manual page
# wgsim-scenario(5) at build time, so the page and the document (which the
# docs_scenario_keys test keeps in step with the loader) cannot drift.
# It knows the Markdown that document uses: headings, paragraphs, "- " lists,
# ``` blocks, pipe tables (a row becomes a tagged paragraph: the first cell
# is the tag, the others follow as "header: cell"), `code`, **bold**,
# *emphasis* and [links](...). usage: awk -v title=T -v section=S -v date=D
#   -v version=V -v name='NAME \- what' -f md2man.awk FILE.md
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/—/, "\\(em", s); gsub(/–/, "\\(en", s); gsub(/→/, "\\(->", s)
    gsub(/←/, "\\(<-", s); gsub(/≥/, "\\(>=", s); gsub(/≤/, "\\(<=", s)
    gsub(/×/, "\\(mu", s); gsub(/·/, "\\(md", s); gsub(/…/, "...", s)
    gsub(/≠/, "\\(!=", s); gsub(/−/, "\\-", s); gsub(/’/, "'", s)
    gsub(/“|”/, "\"", s)
    return s
}
function inline(s,    out, i, j) {
    s = esc(s)
    # links: keep the text, drop the target
    while (match(s, /\[[^]]*\]\([^)]*\)/)) {
        t = substr(s, RSTART + 1, RLENGTH - 1)
        sub(/\]\(.*/, "", t)
        s = substr(s, 1, RSTART - 1) t substr(s, RSTART + RLENGTH)
    }
    while (match(s, /`[^`]*`/))
        s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
    while (match(s, /\*\*[^*]+\*\*/))
        s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
    while (match(s, /(^|[ (])\*[^* ][^*]*\*/)) {
        lead = substr(s, RSTART, 1) == "*" ? "" : substr(s, RSTART, 1)
        body = substr(s, RSTART + length(lead) + 1, RLENGTH - length(lead) - 2)
        s = substr(s, 1, RSTART - 1) lead "\\fI" body "\\fR" substr(s, RSTART + RLENGTH)
    }
    return s
}
function line(s) {
    # a text line must not start a request
    if (s ~ /^[.']/) s = "\\&" s
    print s
}
function cells(row, arr,    n, i) {
    gsub(/\\\|/, "\001", row)
    sub(/^ *\|/, "", row); sub(/\| *$/, "", row)
    n = split(row, arr, /\|/)
    for (i = 1; i <= n; i++) {
        gsub(/\001/, "|", arr[i])
        sub(/^ +/, "", arr[i]); sub(/ +$/, "", arr[i])
    }
    return n
}
BEGIN {
    print ".\\\" Generated from docs/scenario-language.md by dist/man/md2man.awk: edit those."
    printf ".TH %s %s %s \"%s\" \"File Formats\"\n", title, section, date, version
    print ".SH NAME"
    print name
    intable = 0; incode = 0; first = 1
}
/^```/ {
    if (incode) { print ".EE"; print ".RE"; incode = 0 }
    else { print ".PP"; print ".RS"; print ".EX"; incode = 1 }
    next
}
incode { line(esc($0)); next }
# the document's list of links to its sections: a manual page has no links
/^Contents: / { skip = 1 }
skip && /^ *$/ { skip = 0 }
skip { next }
/^#+ / {
    intable = 0
    lvl = index($0, " ") - 1
    h = $0; sub(/^#+ +/, "", h)
    if (lvl == 1) { if (first) { print ".SH DESCRIPTION"; first = 0 } else print ".SH \"" toupper(inline(h)) "\""; next }
    if (lvl == 2) print ".SH \"" toupper(inline(h)) "\""
    else print ".SS \"" inline(h) "\""
    next
}
/^\|/ {
    if (!intable) { nh = cells($0, hdr); intable = 1; next }
    if ($0 ~ /^\|[-:| ]+\|$/) next
    n = cells($0, c)
    print ".TP"
    line(inline(c[1]))
    text = ""
    for (i = 2; i <= n; i++) {
        if (c[i] == "") continue
        text = text (text == "" ? "" : "; ") (i <= nh && hdr[i] != "meaning" ? hdr[i] ": " : "") c[i]
    }
    if (text != "") line(inline(text))
    next
}
/^ *$/ { intable = 0; print ".PP"; next }
/^[-*] / { intable = 0; print ".IP \\(bu 2"; s = $0; sub(/^[-*] +/, "", s); line(inline(s)); next }
/^[0-9]+\. / { intable = 0; s = $0; n = s; sub(/\..*/, "", n); sub(/^[0-9]+\. +/, "", s); print ".IP " n ". 4"; line(inline(s)); next }
{ intable = 0; s = $0; sub(/^ +/, "", s); line(inline(s)) }
