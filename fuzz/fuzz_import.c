/*
 * fuzz_import.c — libFuzzer target: `wgsim import` on an arbitrary
 * configuration backup (a hostile file is the case the importer must
 * survive): imp_read_bytes, then --address for every dynamic interface,
 * the pair check against itself, and the scenario text, which the harness
 * must load (an import that does not load is a bug of the import, never of
 * the input); everything freed (LeakSanitizer reports what is not).
 *
 * Checked besides ASan/UBSan: a read returns a model and records no error,
 * or NULL with at least one error, each "NAME:LINE: message" or "NAME:
 * message"; a written scenario loads without error.
 */
#include "harness/harness.h"
#include "import/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond, ...)                                                                                   \
    do {                                                                                                      \
        if (!(cond)) {                                                                                        \
            fprintf(stderr, "fuzz_import: check failed: %s: ", #cond);                                        \
            fprintf(stderr, __VA_ARGS__);                                                                     \
            fputc('\n', stderr);                                                                              \
            abort();                                                                                          \
        }                                                                                                     \
    } while (0)

#define NAME "fuzz.xml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    imp_errors err = {0};
    imp_fw *fw = imp_read_bytes(NAME, (const char *)data, size, &err);
    FZ_CHECK((fw != NULL) == (err.lines.n == 0), "model %p with %zu errors", (void *)fw, err.lines.n);
    for (size_t i = 0; i < err.lines.n; i++)
        FZ_CHECK(!strncmp(err.lines.v[i], NAME ":", strlen(NAME) + 1) && strlen(err.lines.v[i]) > strlen(NAME) + 2,
                 "error '%s'", err.lines.v[i]);
    if (fw) {
        imp_options o = {.seed = 1};
        for (size_t i = 0; i < fw->ifaces.n; i++)
            if (fw->ifaces.v[i].kind == IMP_ADDR_DYNAMIC) {
                imp_given *g = imp_push(&o.given);
                imp_copy(g->iface, sizeof g->iface, fw->ifaces.v[i].name);
                g->addr = (imp_prefix){0x0a000000u + ((uint32_t)(i + 1) << 16) + 2, 24}; /* 10.i.0.2/24 */
            }
        imp_errors e2 = {0};
        imp_findings f = {0};
        imp_fw *pair[2] = {fw, fw};
        if (imp_apply_addresses(pair, 1, &o, &e2)) {
            (void)imp_pair_check(fw, fw, &f, &e2);
            imp_findings_free(&f);
            char *yaml = imp_scenario(pair, 1, &o, NULL, &e2);
            if (yaml) {
                hs_diag d;
                hs_diag_init(&d, "fuzz.yaml");
                hs_scenario *s = hs_load_bytes("fuzz.yaml", (const uint8_t *)yaml, strlen(yaml), &d);
                if (!s) {
                    fprintf(stderr, "%s\n", yaml);
                    hs_diag_print(&d, stderr);
                }
                FZ_CHECK(s != NULL, "the imported scenario does not load");
                hs_scenario_free(s);
                hs_diag_free(&d);
                free(yaml);
            }
        }
        imp_errors_free(&e2);
        free(o.given.v);
        imp_fw_free(fw);
    }
    imp_errors_free(&err);
    return 0;
}
