/*
 * model.c — the import model's small helpers: growable arrays, address
 * parsing and printing, names, the unmodelled list and the error sink.
 * Allocation failure goes to a handler the program installs (cli: sim_oom),
 * so the library itself never aborts.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

static void default_oom(const char *what)
{
    fprintf(stderr, "wgsim import: out of memory (%s)\n", what);
    exit(2);
}

static void (*oom_handler)(const char *what) = default_oom;

void imp_set_oom_handler(void (*h)(const char *what))
{
    oom_handler = h ? h : default_oom;
}

void *imp_xcalloc(size_t n, size_t size, const char *what)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        oom_handler(what);
        exit(2); /* a handler that returns: still never continue without memory */
    }
    return p;
}

char *imp_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = imp_xcalloc(1, n, "import string");
    memcpy(p, s, n);
    return p;
}

void *imp_push_raw(void **v, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        void *nv = realloc(*v, nc * size);
        if (!nv) {
            oom_handler("import array");
            exit(2);
        }
        *v = nv;
        *cap = nc;
    }
    char *e = (char *)*v + (*n)++ * size;
    memset(e, 0, size);
    return e;
}

void imp_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Text from a backup or the command line that ends up in a comment or a
 * message: one line of printable ASCII, so that no value can end a YAML
 * comment and write keys of its own (a hostile backup), nor break the
 * scenario's UTF-8. */
void imp_clean_text(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            *p = '?';
}

bool imp_parse_addr(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (!s || inet_pton(AF_INET, s, &a) != 1)
        return false;
    *out = ntohl(a.s_addr);
    return true;
}

bool imp_parse_prefix(const char *s, imp_prefix *out)
{
    char buf[64];
    imp_copy(buf, sizeof buf, s);
    char *slash = strchr(buf, '/');
    if (!slash)
        return false;
    *slash = 0;
    char *end;
    long len = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || len < 0 || len > 32)
        return false;
    out->len = (int)len;
    return imp_parse_addr(buf, &out->addr);
}

const char *imp_addr_str(uint32_t a, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

uint32_t imp_mask(int len)
{
    return len <= 0 ? 0 : len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1);
}

bool imp_in_prefix(uint32_t a, imp_prefix p)
{
    return (a & imp_mask(p.len)) == (p.addr & imp_mask(p.len));
}

bool imp_prefix_overlap(imp_prefix a, imp_prefix b)
{
    int len = a.len < b.len ? a.len : b.len;
    return (a.addr & imp_mask(len)) == (b.addr & imp_mask(len));
}

/* p.addr is a host of the network p (not its network or broadcast
 * address; /31 and /32 have no such two). */
bool imp_host_address(imp_prefix p)
{
    if (p.len > 30)
        return true;
    uint32_t host = ~imp_mask(p.len) & p.addr;
    return host && host != ~imp_mask(p.len);
}

/* Scenario names are 1-63 of A-Z a-z 0-9 . _ - (docs/scenario-language.md,
 * "File rules"): other characters become '-', runs collapse. */
void imp_sanitize_name(char *dst, size_t cap, const char *src, const char *fallback)
{
    size_t o = 0;
    for (const char *p = src ? src : ""; *p && o + 1 < cap && o < 63; p++) {
        char c = *p;
        bool ok = isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
        if (!ok)
            c = '-';
        if (c == '-' && (o == 0 || dst[o - 1] == '-'))
            continue;
        dst[o++] = c;
    }
    while (o && dst[o - 1] == '-')
        o--;
    dst[o] = 0;
    if (!o)
        imp_copy(dst, cap, fallback);
}

void imp_unmodelled_add(imp_fw *fw, int line, const char *xpath, const char *fmt, ...)
{
    imp_unmodelled *u = imp_push(&fw->unmodelled);
    imp_copy(u->xpath, sizeof u->xpath, xpath);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->why, sizeof u->why, fmt, ap);
    va_end(ap);
    imp_clean_text(u->xpath);
    imp_clean_text(u->why);
    u->line = line;
}

void imp_skipped_add(imp_fw *fw, int line, const char *xpath, const char *what)
{
    imp_unmodelled_add(fw, line, xpath, "disabled in the configuration, not imported (%s)", what);
    fw->unmodelled.v[fw->unmodelled.n - 1].info = true;
}

const char *imp_root(const imp_fw *fw)
{
    return fw->product == IMP_OPNSENSE ? "/opnsense" : "/pfsense";
}

const imp_iface *imp_fw_iface(const imp_fw *fw, const char *name)
{
    for (size_t i = 0; i < fw->ifaces.n; i++)
        if (!strcmp(fw->ifaces.v[i].name, name))
            return &fw->ifaces.v[i];
    return NULL;
}

const imp_gateway *imp_fw_gateway(const imp_fw *fw, const char *name)
{
    for (size_t i = 0; i < fw->gateways.n; i++)
        if (!strcmp(fw->gateways.v[i].name, name))
            return &fw->gateways.v[i];
    return NULL;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = imp_xcalloc(1, (size_t)(n > 0 ? n : 0) + 1, "import message");
    vsnprintf(s, (size_t)(n > 0 ? n : 0) + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

void imp_error(imp_errors *e, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    imp_clean_text(msg);
    size_t n = strlen(file) + strlen(msg) + 32;
    char *s = imp_xcalloc(1, n, "import message");
    if (line > 0)
        snprintf(s, n, "%s:%d: %s", file, line, msg);
    else
        snprintf(s, n, "%s: %s", file, msg);
    free(msg);
    *imp_push(&e->lines) = s;
}

void imp_errors_print(const imp_errors *e, FILE *out)
{
    for (size_t i = 0; i < e->lines.n; i++)
        fprintf(out, "%s\n", e->lines.v[i]);
}

void imp_errors_free(imp_errors *e)
{
    for (size_t i = 0; i < e->lines.n; i++)
        free(e->lines.v[i]);
    free(e->lines.v);
    memset(e, 0, sizeof *e);
}

void imp_findings_add(imp_findings *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    imp_clean_text(line);
    *imp_push(&f->lines) = line;
}

void imp_findings_free(imp_findings *f)
{
    for (size_t i = 0; i < f->lines.n; i++)
        free(f->lines.v[i]);
    free(f->lines.v);
    memset(f, 0, sizeof *f);
}

void imp_fw_free(imp_fw *fw)
{
    if (!fw)
        return;
    for (size_t i = 0; i < fw->groups.n; i++)
        free(fw->groups.v[i].members.v);
    for (size_t i = 0; i < fw->tunnels.n; i++)
        free(fw->tunnels.v[i].addrs.v);
    for (size_t i = 0; i < fw->peers.n; i++)
        free(fw->peers.v[i].allowed.v);
    free(fw->ifaces.v);
    free(fw->vips.v);
    free(fw->gateways.v);
    free(fw->groups.v);
    free(fw->routes.v);
    free(fw->nat.v);
    free(fw->forwards.v);
    free(fw->filter.v);
    free(fw->tunnels.v);
    free(fw->peers.v);
    free(fw->unmodelled.v);
    free(fw);
}
