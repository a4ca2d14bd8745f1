/*
 * huge_pages.h — the heap on transparent huge pages (huge_pages.c).
 */
#ifndef WGSIM_CLI_HUGE_PAGES_H
#define WGSIM_CLI_HUGE_PAGES_H

#include <stdbool.h>

/* Called first in main(): unless opted out (WGSIM_HUGE_PAGES=0) or not
 * possible, executes the program again with glibc's heap on transparent
 * huge pages (the call then does not return). Returns true when the
 * program goes on as it is, false (after a message) when
 * WGSIM_HUGE_PAGES is neither 0 nor 1. */
bool cli_huge_pages(char **argv);
/* Where the heap's pages come from and why, for --version: "transparent
 * huge pages (GLIBC_TUNABLES: glibc.malloc.hugetlb=1)", "ordinary pages
 * (WGSIM_HUGE_PAGES=0)", ... */
const char *cli_huge_pages_said(void);

#endif
