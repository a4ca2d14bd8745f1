/*
 * addr.c — IPv4/IPv6 addresses, endpoints and prefixes: parsing, printing,
 * comparison. Parsing goes through inet_pton so every accepted spelling is
 * the one the C library accepts; nothing partial is ever returned.
 */
#include "wgnode/wgnode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool wg_ip_is_none(const wg_ip *a) { return a->family == 0; }

bool wg_endpoint_eq(const wg_endpoint *a, const wg_endpoint *b)
{
    return a->port == b->port && wg_ip_eq(&a->ip, &b->ip);
}

bool wg_ip_parse(const char *s, wg_ip *out)
{
    wg_ip ip = {0};
    if (!s)
        return false;
    if (inet_pton(AF_INET, s, ip.b) == 1) {
        ip.family = 4;
    } else if (inet_pton(AF_INET6, s, ip.b) == 1) {
        ip.family = 6;
    } else {
        return false;
    }
    *out = ip;
    return true;
}

/* Parses a decimal number in [0, max] that spans the whole string. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    if (!*s || *s == '+' || *s == '-' || *s == ' ')
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    if (strlen(s) > 10)
        return false;
    errno = 0;
    unsigned long v = strtoul(s, NULL, 10);
    if (errno || v > max)
        return false;
    *out = v;
    return true;
}

bool wg_prefix_parse(const char *s, wg_prefix *out)
{
    char buf[64];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *slash = strchr(buf, '/');
    unsigned long len = 0;
    if (slash)
        *slash = '\0';
    wg_prefix p = {0};
    if (!wg_ip_parse(buf, &p.ip))
        return false;
    unsigned long max = p.ip.family == 4 ? 32 : 128;
    if (slash) {
        if (!parse_uint(slash + 1, max, &len))
            return false;
    } else {
        len = max;
    }
    p.len = (uint8_t)len;
    *out = p;
    return true;
}

bool wg_endpoint_parse(const char *s, wg_endpoint *out)
{
    char buf[64];
    if (!s || strlen(s) >= sizeof buf)
        return false;
    strcpy(buf, s);
    char *host = buf, *port;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close || close[1] != ':')
            return false;
        *close = '\0';
        host = buf + 1;
        port = close + 2;
    } else {
        port = strrchr(buf, ':');
        if (!port || strchr(buf, ':') != port) /* bare IPv6 needs brackets */
            return false;
        *port++ = '\0';
    }
    wg_endpoint ep = {0};
    unsigned long p;
    if (!wg_ip_parse(host, &ep.ip) || (buf[0] == '[' && ep.ip.family != 6))
        return false;
    if (!parse_uint(port, 65535, &p) || p == 0)
        return false;
    ep.port = (uint16_t)p;
    *out = ep;
    return true;
}

bool wg_prefix_contains(const wg_prefix *p, const wg_ip *ip)
{
    if (p->ip.family != ip->family || ip->family == 0)
        return false;
    /* a hand-built prefix longer than the address must not read past b[] */
    if (p->len > (ip->family == 4 ? 32 : 128))
        return false;
    unsigned full = p->len / 8, rest = p->len % 8;
    if (memcmp(p->ip.b, ip->b, full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((p->ip.b[full] & mask) != (ip->b[full] & mask))
            return false;
    }
    return true;
}

const char *wg_ip_format(const wg_ip *ip, char *buf)
{
    if (ip->family == 4)
        inet_ntop(AF_INET, ip->b, buf, INET6_ADDRSTRLEN);
    else if (ip->family == 6)
        inet_ntop(AF_INET6, ip->b, buf, INET6_ADDRSTRLEN);
    else
        strcpy(buf, "none");
    return buf;
}

const char *wg_endpoint_format(const wg_endpoint *ep, char *buf)
{
    char ipbuf[INET6_ADDRSTRLEN];
    wg_ip_format(&ep->ip, ipbuf);
    if (ep->ip.family == 6)
        snprintf(buf, WG_IP_STRLEN, "[%s]:%u", ipbuf, ep->port);
    else if (ep->ip.family == 4)
        snprintf(buf, WG_IP_STRLEN, "%s:%u", ipbuf, ep->port);
    else
        strcpy(buf, "none");
    return buf;
}

const char *wg_prefix_format(const wg_prefix *p, char *buf)
{
    char ipbuf[INET6_ADDRSTRLEN];
    wg_ip_format(&p->ip, ipbuf);
    snprintf(buf, WG_IP_STRLEN, "%s/%u", ipbuf, p->len);
    return buf;
}
