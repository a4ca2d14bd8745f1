/*
 * wgconf.c — parser of the wg-quick configuration accepted by `wgsim peer`.
 *
 * Rules follow wg(8)'s config parser (wireguard-tools src/config.c): section
 * headers and keys compare case-insensitively, `#` starts a comment that runs
 * to the end of the line, whitespace around `=` and around list items is not
 * significant, AllowedIPs and Address may be repeated (the lists add up),
 * PersistentKeepalive takes a number of seconds or "off". Stricter than wg(8)
 * on purpose: a repeated singular key is an error rather than "last one
 * wins", so a copy-paste mistake in an interop setup is found at once.
 */
#include "cli/peer/wgconf.h"
#include "harness/harness.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest line accepted; a key line of wg(8) is far shorter than this. */
#define WGCONF_MAX_LINE 4096

enum section { SEC_NONE, SEC_INTERFACE, SEC_PEER };

/* Keys wg-quick(8) understands that make no sense without a TUN device or
 * without running wg-quick's shell hooks: named specifically in the error. */
static const char *const wg_quick_only_keys[] = {
    "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig", "FwMark", NULL,
};

typedef struct parser {
    const char *name;
    int line;
    char *err;
    size_t errlen;
    wgconf *conf;
    enum section sec;
    int interface_line;
    /* First line of each singular key in the current section, 0 = unseen. */
    int seen_private_key, seen_listen_port;
    int seen_public_key, seen_psk, seen_endpoint, seen_keepalive;
} parser;

static bool fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(parser *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, p->line);
    if (n < 0 || (size_t)n >= p->errlen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* A singular key may appear once per section. */
static bool once(parser *p, int *seen, const char *key)
{
    if (*seen)
        return fail(p, "duplicate %s (first given on line %d)", key, *seen);
    *seen = p->line;
    return true;
}

static bool parse_key(parser *p, const char *key, const char *value, uint8_t out[WG_KEY_LEN])
{
    if (!wg_key_from_base64(out, value))
        return fail(p, "%s: not a valid key (expected 44 characters of base64 encoding 32 bytes, as `wg genkey` prints)",
                    key);
    return true;
}

/* Decimal integer in [0, max] covering the whole string. */
static bool parse_number(const char *s, unsigned long max, unsigned long *out)
{
    if (!*s || strlen(s) > 10)
        return false;
    for (const char *c = s; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    errno = 0;
    unsigned long v = strtoul(s, NULL, 10);
    if (errno || v > max)
        return false;
    *out = v;
    return true;
}

/* Appends the prefixes of a comma-separated list. Empty items are an error
 * except for a wholly empty value, which wg(8) accepts as "no AllowedIPs". */
static bool parse_prefix_list(parser *p, const char *key, char *value, wg_prefix **list, size_t *n)
{
    if (*trim(value) == '\0') {
        if (!strcasecmp(key, "AllowedIPs"))
            return true;
        return fail(p, "%s: empty value", key);
    }
    size_t count = 1;
    for (const char *c = value; *c; c++)
        count += *c == ',';
    wg_prefix *grown = realloc(*list, (*n + count) * sizeof **list);
    if (!grown)
        return fail(p, "out of memory");
    *list = grown;
    /* Split by hand: strtok would skip the empty item of "a,,b", a typo. */
    for (char *item = value; item;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        char *t = trim(item);
        if (!*t)
            return fail(p, "%s: empty item in the comma-separated list", key);
        wg_prefix pre;
        if (!wg_prefix_parse(t, &pre))
            return fail(p, "%s: '%s' is not an address or address/prefix-length (e.g. 10.0.0.1/24, fd00::1/64)", key,
                        t);
        (*list)[(*n)++] = pre;
        item = comma ? comma + 1 : NULL;
    }
    return true;
}

static bool parse_endpoint(parser *p, const char *value, wg_endpoint *out)
{
    if (wg_endpoint_parse(value, out))
        return true;
    /* Say why: a missing port, a bare IPv6 address, or a host name. */
    const char *colon = strrchr(value, ':');
    if (!colon)
        return fail(p, "Endpoint '%s': missing ':port' (expected IPv4:port or [IPv6]:port)", value);
    if (value[0] != '[' && strchr(value, ':') != colon)
        return fail(p, "Endpoint '%s': an IPv6 address needs brackets, e.g. [fd00::1]:51820", value);
    char host[WG_IP_STRLEN];
    size_t hl = (size_t)(colon - value);
    if (value[0] == '[' && hl >= 2 && value[hl - 1] == ']') {
        value++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        hl = sizeof host - 1;
    memcpy(host, value, hl);
    host[hl] = '\0';
    wg_ip ip;
    if (!wg_ip_parse(host, &ip)) {
        bool name = false;
        for (const char *c = host; *c; c++)
            name |= isalpha((unsigned char)*c) && !(*c >= 'a' && *c <= 'f') && !(*c >= 'A' && *c <= 'F');
        if (name || strchr(host, '-'))
            return fail(p,
                        "Endpoint '%s': host names are not resolved by wgsim peer; give a numeric address "
                        "(IPv4:port or [IPv6]:port)",
                        host);
        return fail(p, "Endpoint: '%s' is not a numeric IPv4 or IPv6 address", host);
    }
    return fail(p, "Endpoint: port '%s' is not a number in 1..65535", colon + 1);
}

static bool interface_key(parser *p, const char *key, char *value)
{
    wgconf *c = p->conf;
    if (!strcasecmp(key, "PrivateKey")) {
        return once(p, &p->seen_private_key, "PrivateKey") && parse_key(p, "PrivateKey", value, c->private_key);
    }
    if (!strcasecmp(key, "ListenPort")) {
        unsigned long v;
        if (!once(p, &p->seen_listen_port, "ListenPort"))
            return false;
        if (!parse_number(value, 65535, &v))
            return fail(p, "ListenPort: '%s' is not a port number in 0..65535", value);
        c->has_listen_port = true;
        c->listen_port = (uint16_t)v;
        return true;
    }
    if (!strcasecmp(key, "Address"))
        return parse_prefix_list(p, "Address", value, &c->addresses, &c->n_addresses);
    if (!strcasecmp(key, "PublicKey") || !strcasecmp(key, "PresharedKey") || !strcasecmp(key, "Endpoint") ||
        !strcasecmp(key, "AllowedIPs") || !strcasecmp(key, "PersistentKeepalive"))
        return fail(p, "%s belongs in a [Peer] section, not in [Interface]", key);
    return fail(p, "unknown key '%s' in [Interface] (known: PrivateKey, ListenPort, Address)", key);
}

static bool peer_key(parser *p, const char *key, char *value)
{
    wgconf_peer *peer = &p->conf->peers[p->conf->n_peers - 1];
    if (!strcasecmp(key, "PublicKey"))
        return once(p, &p->seen_public_key, "PublicKey") && parse_key(p, "PublicKey", value, peer->public_key);
    if (!strcasecmp(key, "PresharedKey")) {
        if (!once(p, &p->seen_psk, "PresharedKey") || !parse_key(p, "PresharedKey", value, peer->psk))
            return false;
        peer->has_psk = true;
        return true;
    }
    if (!strcasecmp(key, "Endpoint")) {
        if (!once(p, &p->seen_endpoint, "Endpoint") || !parse_endpoint(p, value, &peer->endpoint))
            return false;
        peer->has_endpoint = true;
        return true;
    }
    if (!strcasecmp(key, "AllowedIPs"))
        return parse_prefix_list(p, "AllowedIPs", value, &peer->allowed_ips, &peer->n_allowed_ips);
    if (!strcasecmp(key, "PersistentKeepalive")) {
        unsigned long v;
        if (!once(p, &p->seen_keepalive, "PersistentKeepalive"))
            return false;
        if (!strcasecmp(value, "off")) {
            v = 0;
        } else if (!parse_number(value, 65535, &v)) {
            return fail(p, "PersistentKeepalive: '%s' is not a number of seconds in 0..65535 or 'off'", value);
        }
        peer->persistent_keepalive = (uint16_t)v;
        return true;
    }
    if (!strcasecmp(key, "PrivateKey") || !strcasecmp(key, "ListenPort") || !strcasecmp(key, "Address"))
        return fail(p, "%s belongs in the [Interface] section, not in [Peer]", key);
    return fail(p,
                "unknown key '%s' in [Peer] (known: PublicKey, PresharedKey, Endpoint, AllowedIPs, "
                "PersistentKeepalive)",
                key);
}

/* Checks the section just finished. */
static bool close_section(parser *p)
{
    if (p->sec == SEC_INTERFACE && !p->seen_private_key) {
        p->line = p->interface_line;
        return fail(p, "[Interface] has no PrivateKey");
    }
    if (p->sec == SEC_PEER) {
        wgconf_peer *peer = &p->conf->peers[p->conf->n_peers - 1];
        if (!p->seen_public_key) {
            p->line = peer->line;
            return fail(p, "[Peer] has no PublicKey");
        }
    }
    return true;
}

static bool open_section(parser *p, const char *header)
{
    if (!close_section(p))
        return false;
    p->seen_public_key = p->seen_psk = p->seen_endpoint = p->seen_keepalive = 0;
    if (!strcasecmp(header, "[Interface]")) {
        if (p->interface_line)
            return fail(p, "second [Interface] section (the first is on line %d)", p->interface_line);
        p->interface_line = p->line;
        p->sec = SEC_INTERFACE;
        return true;
    }
    if (!strcasecmp(header, "[Peer]")) {
        wgconf *c = p->conf;
        wgconf_peer *grown = realloc(c->peers, (c->n_peers + 1) * sizeof *c->peers);
        if (!grown)
            return fail(p, "out of memory");
        c->peers = grown;
        memset(&c->peers[c->n_peers], 0, sizeof *c->peers);
        c->peers[c->n_peers].line = p->line;
        c->n_peers++;
        p->sec = SEC_PEER;
        return true;
    }
    return fail(p, "unknown section %s (expected [Interface] or [Peer])", header);
}

static bool parse_line(parser *p, char *line)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *s = trim(line);
    if (!*s)
        return true;
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close || *trim(close + 1) != '\0')
            return fail(p, "malformed section header '%s'", s);
        /* Tolerate "[ Peer ]" the way wg(8) does by dropping inner blanks. */
        char header[32];
        size_t n = 0;
        for (const char *c = s; c <= close && n + 1 < sizeof header; c++)
            if (!isspace((unsigned char)*c))
                header[n++] = *c;
        header[n] = '\0';
        return open_section(p, header);
    }
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(p, "expected 'Key = Value' or a [Section] header, got '%s'", s);
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    if (!*key)
        return fail(p, "missing key before '='");
    for (const char *const *k = wg_quick_only_keys; *k; k++)
        if (!strcasecmp(key, *k))
            return fail(p, "%s is a wg-quick key that wgsim peer does not support (it has no TUN device); remove it",
                        *k);
    if (p->sec == SEC_NONE)
        return fail(p, "'%s' before any [Interface] or [Peer] section", key);
    if (*value == '\0' && strcasecmp(key, "AllowedIPs") != 0)
        return fail(p, "%s: empty value", key);
    return p->sec == SEC_INTERFACE ? interface_key(p, key, value) : peer_key(p, key, value);
}

/* Whole-file checks once every line is read. */
static bool finish(parser *p)
{
    if (!close_section(p))
        return false;
    wgconf *c = p->conf;
    if (!p->interface_line) {
        p->line = 1;
        return fail(p, "no [Interface] section");
    }
    uint8_t self_pub[WG_KEY_LEN];
    wg_x25519_public(self_pub, c->private_key);
    for (size_t i = 0; i < c->n_peers; i++) {
        p->line = c->peers[i].line;
        if (wg_memeq(c->peers[i].public_key, self_pub, WG_KEY_LEN))
            return fail(p, "[Peer] PublicKey is this interface's own public key");
        for (size_t j = 0; j < i; j++)
            if (wg_memeq(c->peers[i].public_key, c->peers[j].public_key, WG_KEY_LEN))
                return fail(p, "[Peer] has the same PublicKey as the [Peer] on line %d", c->peers[j].line);
    }
    return true;
}

bool wgconf_parse(const char *name, const char *text, size_t len, wgconf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    parser p = {.name = name, .err = err, .errlen = errlen, .conf = out, .sec = SEC_NONE};
    char *line = malloc(WGCONF_MAX_LINE + 1);
    bool ok = line != NULL;
    if (!ok) {
        p.line = 1;
        fail(&p, "out of memory");
    } else if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        /* said plainly: quoted in "got '...'" the mark is invisible. wg(8)
         * refuses it too (wireguard-tools config.c process_line: the
         * "[Interface]" after it is a "Line unrecognized"), so it is not
         * skipped: the file would not work with the real tools. */
        p.line = 1;
        ok = fail(&p, "the file starts with a UTF-8 byte-order mark, which wg(8) does not read either; save it "
                      "without one");
    }
    size_t pos = 0;
    while (ok && pos < len) {
        p.line++;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t n = end - pos;
        if (n && text[pos + n - 1] == '\r') /* CRLF files from Windows */
            n--;
        if (memchr(text + pos, '\0', n)) {
            ok = fail(&p, "NUL byte in the line (not a text file?)");
        } else if (n > WGCONF_MAX_LINE) {
            ok = fail(&p, "line longer than %d characters", WGCONF_MAX_LINE);
        } else {
            memcpy(line, text + pos, n);
            line[n] = '\0';
            ok = parse_line(&p, line);
        }
        pos = end + 1;
    }
    if (line) {
        wg_memzero(line, WGCONF_MAX_LINE + 1); /* the last line may have held a key */
        free(line);
    }
    if (ok)
        ok = finish(&p);
    if (!ok)
        wgconf_free(out);
    return ok;
}

bool wgconf_load(const char *path, wgconf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    /* Configs are tiny; the cap keeps a wrong path (a huge file) from
     * exhausting memory, and hs_read_input refuses a FIFO or a device
     * (/dev/zero) before reading it. */
    enum { MAX_SIZE = 1 << 20 };
    char why[256];
    size_t n;
    uint8_t *buf = hs_read_input(path, MAX_SIZE, "WireGuard configurations", &n, why, sizeof why);
    if (!buf) {
        snprintf(err, errlen, "%s: %s", path, why);
        return false;
    }
    bool ok = wgconf_parse(path, (char *)buf, n, out, err, errlen);
    hs_input_free(buf, n);
    return ok;
}

void wgconf_free(wgconf *c)
{
    for (size_t i = 0; i < c->n_peers; i++) {
        wg_memzero(c->peers[i].psk, WG_KEY_LEN);
        free(c->peers[i].allowed_ips);
    }
    free(c->peers);
    free(c->addresses);
    wg_memzero(c, sizeof *c);
}
