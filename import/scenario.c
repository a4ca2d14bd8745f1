/*
 * scenario.c — imp_scenario: plans the world around the firewalls
 * (world.c) and writes the scenario: header, segments, the firewall
 * nodes (emit_fw.c), the added nodes, traffic, procedures, expectations
 * (emit_world.c).
 */
#include <stdlib.h>

#include "import/world.h"

char *imp_scenario(imp_fw **fws, size_t n, const imp_options *o, const imp_findings *findings, imp_errors *err)
{
    w_world w;
    imp_consistent(fws, n);
    if (!w_plan(&w, fws, n, o, err)) {
        w_free(&w);
        return NULL;
    }
    w_out out = {0};
    w_emit_header(&out, &w, findings);
    w_emit_world(&out, &w);
    w_printf(&out, "nodes:\n");
    for (size_t k = 0; k < n; k++)
        w_emit_firewall(&out, &w, k);
    w_emit_tests(&out, &w);
    w_free(&w);
    /* Backup text is cleaned where it is read (imp_clean_text,
     * imp_sanitize_name), but a backup reaches the scenario by many paths
     * (names of things it references, items listed as not imported); what
     * the writer itself produces is ASCII, so a byte outside printable
     * ASCII can only be backup text that slipped through: made '?' here,
     * it can neither break the scenario's UTF-8 (a byte-order mark inside
     * the file, found by fuzz_import) nor end a line early. */
    for (unsigned char *p = (unsigned char *)out.buf; p && *p; p++)
        if (*p != '\n' && (*p < 0x20 || *p >= 0x7f))
            *p = '?';
    return out.buf;
}
