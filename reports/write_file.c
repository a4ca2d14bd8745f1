/*
 * write_file.c — one way to write a report file (write_file.h): a full
 * disk shows at fclose as often as at a write, so both are checked.
 */
#include <errno.h>
#include <string.h>

#include "reports/write_file.h"

bool rp_write_file(const char *path, const char *what, void (*print)(FILE *f, void *arg), void *arg, char *err,
                   size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    print(f, arg);
    bool ok = !ferror(f);
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        snprintf(err, errlen, "%s: cannot write %s (%s)", path, what, strerror(e ? e : EIO));
    return ok;
}
