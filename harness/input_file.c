/*
 * input_file.c — reading a file named by the user (a scenario, a `wgsim
 * peer` configuration) without trusting what the name points at: a FIFO
 * would block open() and read() until a writer comes, a device (/dev/zero)
 * reads without end, a directory cannot be read at all. The file is opened
 * with O_NONBLOCK (open() of a FIFO waits for a writer otherwise: POSIX
 * open(), "O_NONBLOCK ... an open() for reading-only shall return without
 * delay"), checked with fstat() and refused before any read unless it is a
 * regular file of at most the caller's limit (docs/robustness.md).
 */
#include "harness/internal.h"
#include "sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_type(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO (named pipe), which could block the read forever";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a file wgsim reads";
}

static void limit_text(size_t max, char *buf, size_t len)
{
    if (max >= (1u << 20) && max % (1u << 20) == 0)
        snprintf(buf, len, "%zu MiB, %zu bytes", max >> 20, max);
    else
        snprintf(buf, len, "%zu bytes", max);
}

/* A copy in a larger buffer; the old one is zeroed first (it may hold a
 * private key), which realloc() would not do. */
static uint8_t *grow(uint8_t *old, size_t used, size_t cap)
{
    uint8_t *b = malloc(cap);
    if (b)
        memcpy(b, old, used);
    wg_memzero(old, used);
    free(old);
    return b;
}

int hs_open_input(const char *path, size_t max, const char *what, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open: %s", strerror(e));
        errno = e;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot read: %s", strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    int refuse = 0;
    char lim[64];
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory, not a file");
        refuse = EISDIR;
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "is not a regular file but %s", file_type(st.st_mode));
        refuse = EINVAL;
    } else if ((uint64_t)st.st_size > max) {
        limit_text(max, lim, sizeof lim);
        snprintf(err, errlen, "file too large (%lld bytes; %s are limited to %s)", (long long)st.st_size, what, lim);
        refuse = EFBIG;
    }
    if (refuse) {
        close(fd);
        errno = refuse;
        return -1;
    }
    return fd;
}

uint8_t *hs_read_input(const char *path, size_t max, const char *what, size_t *len, char *err, size_t errlen)
{
    *len = 0;
    int fd = hs_open_input(path, max, what, err, errlen);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        st.st_size = 0;
    char lim[64];
    /* a regular file: O_NONBLOCK changes nothing for it. st_size is a hint
     * (a file in /proc says 0), so the read goes on to the end or max + 1. */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    if (cap < 4096)
        cap = 4096;
    uint8_t *buf = malloc(cap + 1);
    for (;;) {
        if (!buf)
            sim_oom("reading an input file");
        if (n == cap) {
            if (cap > max)
                break;
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = grow(buf, n, ncap + 1);
            cap = ncap;
            continue;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            snprintf(err, errlen, "read error: %s", strerror(e));
            close(fd);
            hs_input_free(buf, n);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        limit_text(max, lim, sizeof lim);
        snprintf(err, errlen, "file too large (more than %zu bytes; %s are limited to %s)", max, what, lim);
        hs_input_free(buf, n);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

void hs_input_free(uint8_t *buf, size_t len)
{
    if (!buf)
        return;
    wg_memzero(buf, len);
    free(buf);
}
