/*
 * write_file.h — inside libreports: a file written in one go by a print
 * function, with every error (open, write, close) as "PATH: reason".
 */
#ifndef REPORTS_WRITE_FILE_H
#define REPORTS_WRITE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Opens path, calls print(f, arg), closes it; false with "PATH: reason"
 * (open) or "PATH: cannot write WHAT (reason)" (write, close) in err. */
bool rp_write_file(const char *path, const char *what, void (*print)(FILE *f, void *arg), void *arg, char *err,
                   size_t errlen);

#endif /* REPORTS_WRITE_FILE_H */
