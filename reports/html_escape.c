/*
 * html_escape.c — user text inside the HTML report (docs/reports.md, "HTML
 * report"): scenario names, descriptions, claims, file names, commands and
 * expectation words come from the YAML a user wrote, so every one is
 * written as character data that cannot open a tag, end an attribute value
 * or start an entity of its own.
 */
#include <stdio.h>

#include "reports/reports.h"

void rp_html_text(FILE *out, const char *s)
{
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        /* both quotes: the same text goes into attribute values (title) */
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\n':
        case '\t': fputc(*p, out); break;
        default:
            /* other control characters are not allowed in HTML text */
            fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, out);
        }
    }
}
