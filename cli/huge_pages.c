/*
 * huge_pages.c — the heap on transparent huge pages.
 *
 * With thousands of peers, a packet's per-peer objects (WireGuard peer
 * and keypair, pf states, routes, links) are spread over a working set
 * of ~120 MiB: ~30,000 4-KiB pages, far more than the TLB maps. The
 * cache hints (sim/net/prefetch.c) bring the lines in ahead of use, but
 * a prefetch to a page the TLB does not map first walks the page tables,
 * and at N = 10,000 in `wgsim bench scale` the hints' prefetch
 * instructions were the largest item of the simulator's own time. On
 * 2-MiB pages the same working set is ~60 TLB entries: the run was
 * 0 – 5 % faster (median 2 %) in swapped pairs beside the build before
 * (docs/performance.md, "The heap on huge pages").
 *
 * glibc (2.35 and later) asks the kernel for huge pages for its heap when
 * the tunable glibc.malloc.hugetlb is 1 (glibc manual, "Memory Allocation
 * Tunables"): each heap extension is madvise(MADV_HUGEPAGE)d and the top
 * of the heap kept 2-MiB aligned. Tunables are read only when a program
 * starts, from GLIBC_TUNABLES, so wgsim sets it and executes itself again
 * once, before doing anything else. Not done when
 *  - WGSIM_HUGE_PAGES=0 (the opt-out; 1 is the default);
 *  - GLIBC_TUNABLES already names glibc.malloc.hugetlb: the user chose;
 *  - the kernel has THP off ("[never]" in
 *    /sys/kernel/mm/transparent_hugepage/enabled) or no THP at all;
 *  - AddressSanitizer's allocator replaces glibc's (the sanitized build),
 *    or the C library is not glibc 2.35 or later;
 *  - LD_PRELOAD is set: a preloaded library may replace malloc, or be a
 *    tool watching this process (valgrind's vgpreload_core), which an
 *    exec would leave behind (valgrind follows an exec only with
 *    --trace-children=yes).
 * Behaviour does not change: only where the heap's pages come from. The
 * outputs of all scenarios are byte-identical either way (checked for
 * every scenario's timeline and capture). glibc asks only for heap
 * extensions of 2 MiB or more, so a small scenario's heap is as before;
 * a large world's peak RSS grows by a few MiB (a huge page is faulted in
 * whole). Child processes inherit the
 * environment: the ns-3 program of `bench scale-udp` runs with the same
 * allocator setting as wgsim beside it.
 */
#include "cli/huge_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUNABLE "glibc.malloc.hugetlb"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define CAN_ASK 1
#else
#define CAN_ASK 0
#endif

/* True when the kernel would give an madvise()d region huge pages. */
static bool thp_available(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return false;
    char line[128] = "";
    bool ok = fgets(line, sizeof line, f) && (strstr(line, "[always]") || strstr(line, "[madvise]"));
    fclose(f);
    return ok;
}

/* What --version says about the heap (cli_huge_pages_said). */
static char said[160] = "ordinary pages (not decided)";

/* The value GLIBC_TUNABLES gives glibc.malloc.hugetlb, or NULL. */
static const char *tunable_value(const char *tunables)
{
    const char *t = tunables ? strstr(tunables, TUNABLE "=") : NULL;
    return t ? t + strlen(TUNABLE "=") : NULL;
}

bool cli_huge_pages(char **argv)
{
    const char *opt = getenv("WGSIM_HUGE_PAGES");
    if (opt && strcmp(opt, "0") && strcmp(opt, "1")) {
        fprintf(stderr,
                "wgsim: WGSIM_HUGE_PAGES='%s': expected 1 (the heap on transparent huge pages, the default) or 0 "
                "(ordinary pages)\n",
                opt);
        return false;
    }
    const char *old = getenv("GLIBC_TUNABLES"), *preload = getenv("LD_PRELOAD"), *v = tunable_value(old);
    if (!CAN_ASK) {
#if defined(__SANITIZE_ADDRESS__)
        snprintf(said, sizeof said, "AddressSanitizer's allocator");
#else
        snprintf(said, sizeof said, "ordinary pages (the C library is not glibc 2.35 or later)");
#endif
        return true;
    }
    if (v) {
        /* The user's own setting (or ours, in the program executed again). */
        int len = (int)strcspn(v, ":");
        const char *what = len == 1 && v[0] == '0'   ? "ordinary pages"
                           : len != 1 || v[0] != '1' ? "as glibc says"
                           : thp_available()         ? "transparent huge pages"
                                                     : "ordinary pages (the kernel's transparent huge pages are off)";
        snprintf(said, sizeof said, "%s (GLIBC_TUNABLES: " TUNABLE "=%.*s)", what, len, v);
        return true;
    }
    if (opt && !strcmp(opt, "0")) {
        snprintf(said, sizeof said, "ordinary pages (WGSIM_HUGE_PAGES=0)");
        return true;
    }
    if (preload && *preload) {
        snprintf(said, sizeof said, "ordinary pages (LD_PRELOAD is set)");
        return true;
    }
    if (!thp_available()) {
        snprintf(said, sizeof said, "ordinary pages (the kernel's transparent huge pages are off)");
        return true;
    }
    /* The program's own file, not argv[0] (which may be a bare name
     * found on PATH); argv is passed on as it is. */
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0 || (size_t)len >= sizeof self - 1) {
        snprintf(said, sizeof said, "ordinary pages (/proc/self/exe is not readable)");
        return true;
    }
    self[len] = 0;
    size_t n = (old ? strlen(old) + 1 : 0) + sizeof TUNABLE "=1";
    char *val = malloc(n);
    if (!val) {
        snprintf(said, sizeof said, "ordinary pages (no memory to set GLIBC_TUNABLES)");
        return true; /* a speed-up only: run as we are */
    }
    snprintf(val, n, "%s%s" TUNABLE "=1", old ? old : "", old && *old ? ":" : "");
    char *saved = old ? strdup(old) : NULL;
    if (setenv("GLIBC_TUNABLES", val, 1) == 0) {
        execv(self, argv);
        /* Not executed (the file was replaced or removed since, say):
         * go on with ordinary pages, and leave the environment as it
         * was for the programs we start. */
        if (saved)
            setenv("GLIBC_TUNABLES", saved, 1);
        else
            unsetenv("GLIBC_TUNABLES");
    }
    snprintf(said, sizeof said, "ordinary pages (executing %s again failed)", self);
    free(saved);
    free(val);
    return true;
}

const char *cli_huge_pages_said(void) { return said; }
