/*
 * values.c — the scalar value syntaxes of the scenario language: durations,
 * percentages, bandwidths, comparisons; and the did-you-mean helper.
 * All parsers consume the whole string or fail.
 */
#include "harness/internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number at *p, "123" or "1.25": its integer part (saturated at
 * DEC_BIG, so "99999999999999999999999ns" is out of range, not malformed),
 * its first 9 fraction digits scaled by 1e9, and whether a digit past the
 * ninth is not 0. */
#define DEC_BIG ((unsigned __int128)1 << 80)
typedef struct decimal {
    unsigned __int128 ip;
    uint64_t frac_e9;
    bool finer; /* a non-zero digit beyond 1e-9 */
} decimal;

static bool parse_decimal(const char **p, decimal *out)
{
    const char *s = *p;
    decimal d = {0};
    int nd = 0, nf = 0;
    while (isdigit((unsigned char)*s)) {
        if (d.ip < DEC_BIG)
            d.ip = d.ip * 10 + (unsigned)(*s - '0');
        s++;
        nd++;
    }
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s)) {
            if (nf < 9) {
                d.frac_e9 = d.frac_e9 * 10 + (uint64_t)(*s - '0');
                nf++;
            } else if (*s != '0') {
                d.finer = true;
            }
            s++;
            nd++;
        }
    }
    if (nd == 0)
        return false;
    for (int i = nf; i < 9; i++)
        d.frac_e9 *= 10;
    *out = d;
    *p = s;
    return true;
}

/* The same, as one exact value scaled by 1e9, for the values whose integer
 * part stays small (percentages, bandwidths, counts): at most 10 integer
 * digits and 9 fraction digits, so it fits in 64 bits. */
static bool parse_decimal_e9(const char **p, uint64_t *out)
{
    decimal d;
    const char *s = *p;
    if (!parse_decimal(&s, &d) || d.finer || d.ip > UINT64_C(9999999999))
        return false;
    *out = (uint64_t)d.ip * UINT64_C(1000000000) + d.frac_e9;
    *p = s;
    return true;
}

hs_dur_err hs_duration_parse(const char *s, hs_time *out)
{
    static const struct {
        const char *u;
        uint64_t ns;
    } units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000},
                 {"m", UINT64_C(60000000000)}, {"h", UINT64_C(3600000000000)}};
    if (!s || !*s)
        return HS_DUR_SYNTAX;
    if (!strcmp(s, "0")) {
        *out = 0;
        return HS_DUR_OK;
    }
    const char *p = s;
    unsigned __int128 total = 0;
    bool finer = false;
    while (*p) {
        decimal d;
        if (!parse_decimal(&p, &d))
            return HS_DUR_SYNTAX;
        size_t best = 0, bi = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t l = strlen(units[i].u);
            if (!strncmp(p, units[i].u, l) && l > best) {
                best = l;
                bi = i;
            }
        }
        if (!best)
            return HS_DUR_SYNTAX;
        /* "m" followed by "s" is "ms", handled by longest match above */
        p += best;
        /* exact: ip < 2^84 (DEC_BIG * 10 + 9) times at most 3.6e12 < 2^42
         * stays below 2^126, and total below 2^62 before this sum */
        unsigned __int128 frac = (unsigned __int128)d.frac_e9 * units[bi].ns;
        finer |= d.finer || frac % 1000000000 != 0;
        total += d.ip * units[bi].ns + frac / 1000000000;
        if (total > (unsigned __int128)HS_TIME_MAX)
            total = (unsigned __int128)HS_TIME_MAX + 1; /* saturate; the rest is still checked */
    }
    if (finer)
        return HS_DUR_FINER;
    if (total > (unsigned __int128)HS_TIME_MAX)
        return HS_DUR_RANGE;
    *out = (hs_time)total;
    return HS_DUR_OK;
}

bool hs_parse_duration(const char *s, hs_time *out) { return hs_duration_parse(s, out) == HS_DUR_OK; }

const char *hs_duration_problem(hs_dur_err e)
{
    switch (e) {
    case HS_DUR_OK: return "is a duration";
    case HS_DUR_SYNTAX: break;
    case HS_DUR_RANGE: return "is longer than " HS_TIME_MAX_TEXT ", the longest duration wgsim takes";
    case HS_DUR_FINER: return "is finer than 1ns, the tick of the simulated clock";
    }
    return "is not a duration";
}

bool hs_parse_percent(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    const char *p = s;
    uint64_t v;
    if (!parse_decimal_e9(&p, &v))
        return false;
    if (*p == '%')
        p++;
    else if (v != 0)
        return false; /* only a bare 0 may omit the % */
    if (*p)
        return false;
    double d = (double)v / 1e9;
    if (d > 100.0)
        return false;
    *out = d;
    return true;
}

bool hs_parse_bandwidth(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    if (!strcmp(s, "0") || !strcmp(s, "unlimited")) {
        *out = 0;
        return true;
    }
    const char *p = s;
    uint64_t v;
    if (!parse_decimal_e9(&p, &v))
        return false;
    uint64_t mul = 1;
    if (*p == 'k' || *p == 'K')
        mul = 1000, p++;
    else if (*p == 'M')
        mul = 1000000, p++;
    else if (*p == 'G')
        mul = 1000000000, p++;
    if (strcmp(p, "bit") && strcmp(p, "bps") && strcmp(p, "bit/s"))
        return false;
    __int128 bits = (__int128)v * mul / 1000000000;
    if (bits <= 0 || bits > (__int128)UINT64_C(1000000000000000))
        return false;
    *out = (uint64_t)bits;
    return true;
}

const char *hs_cmp_op_str(hs_cmp_op op)
{
    switch (op) {
    case HS_CMP_EQ: return "==";
    case HS_CMP_GE: return ">=";
    case HS_CMP_LE: return "<=";
    case HS_CMP_GT: return ">";
    case HS_CMP_LT: return "<";
    }
    return "?";
}

bool hs_parse_cmp(const char *s, hs_unit unit, hs_cmp *out)
{
    if (!s)
        return false;
    while (*s == ' ')
        s++;
    hs_cmp c = {.op = HS_CMP_EQ, .unit = unit};
    if (!strncmp(s, "==", 2))
        c.op = HS_CMP_EQ, s += 2;
    else if (!strncmp(s, ">=", 2))
        c.op = HS_CMP_GE, s += 2;
    else if (!strncmp(s, "<=", 2))
        c.op = HS_CMP_LE, s += 2;
    else if (*s == '>')
        c.op = HS_CMP_GT, s++;
    else if (*s == '<')
        c.op = HS_CMP_LT, s++;
    while (*s == ' ')
        s++;
    char buf[64];
    size_t l = strlen(s);
    while (l && s[l - 1] == ' ')
        l--;
    if (l == 0 || l >= sizeof buf)
        return false;
    memcpy(buf, s, l);
    buf[l] = '\0';
    switch (unit) {
    case HS_UNIT_COUNT: {
        const char *p = buf;
        uint64_t v;
        if (!parse_decimal_e9(&p, &v) || *p || v % 1000000000 != 0)
            return false;
        c.value = (double)(v / 1000000000);
        break;
    }
    case HS_UNIT_PERCENT:
        if (!hs_parse_percent(buf, &c.value))
            return false;
        break;
    case HS_UNIT_DURATION: {
        hs_time t;
        if (!hs_parse_duration(buf, &t))
            return false;
        c.value = (double)t;
        break;
    }
    }
    *out = c;
    return true;
}

bool hs_cmp_test(const hs_cmp *c, double x)
{
    switch (c->op) {
    case HS_CMP_EQ: return x == c->value;
    case HS_CMP_GE: return x >= c->value;
    case HS_CMP_LE: return x <= c->value;
    case HS_CMP_GT: return x > c->value;
    case HS_CMP_LT: return x < c->value;
    }
    return false;
}

const char *hs_format_seconds(hs_time t, char *buf, size_t len)
{
    long long sec = (long long)(t / HS_S), ns = (long long)(t % HS_S);
    if (!ns) {
        snprintf(buf, len, "%llds", sec);
        return buf;
    }
    char frac[16];
    snprintf(frac, sizeof frac, "%09lld", ns);
    for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
        frac[l - 1] = 0;
    snprintf(buf, len, "%lld.%ss", sec, frac);
    return buf;
}

const char *hs_format_duration(hs_time t, char *buf, size_t len)
{
    if (t == 0)
        snprintf(buf, len, "0s");
    else if (t % (60 * HS_S) == 0)
        snprintf(buf, len, "%lldm", (long long)(t / (60 * HS_S)));
    else if (t % HS_S == 0)
        snprintf(buf, len, "%llds", (long long)(t / HS_S));
    else if (t % HS_MS == 0)
        snprintf(buf, len, "%lldms", (long long)(t / HS_MS));
    else if (t % 1000 == 0)
        snprintf(buf, len, "%lldus", (long long)(t / 1000));
    else if (t < HS_S)
        snprintf(buf, len, "%lldns", (long long)t);
    else /* "11.000000001s", not "11000000001ns": readable, and as exact */
        hs_format_seconds(t, buf, len);
    return buf;
}

/* The fewest decimals (at most 9, what hs_parse_percent reads) that read
 * back to v; %g would print 1e-05, which no parser here reads. */
static const char *percent_exact(double v, char *buf, size_t len)
{
    for (int d = 0; d < 9; d++) {
        snprintf(buf, len, "%.*f", d, v);
        if (strtod(buf, NULL) == v)
            return buf;
    }
    snprintf(buf, len, "%.9f", v);
    return buf;
}

const char *hs_cmp_format(const hs_cmp *c, char *buf, size_t len)
{
    char v[48];
    switch (c->unit) {
    case HS_UNIT_COUNT: snprintf(v, sizeof v, "%.0f", c->value); break;
    case HS_UNIT_PERCENT:
        percent_exact(c->value, v, sizeof v - 1);
        strcat(v, "%");
        break;
    case HS_UNIT_DURATION: hs_format_duration((hs_time)c->value, v, sizeof v); break;
    }
    snprintf(buf, len, "%s %s", hs_cmp_op_str(c->op), v);
    return buf;
}

size_t hs_edit_distance(const char *a, const char *b, size_t max)
{
    /* optimal string alignment: a swap of two neighbours ("delya") is one edit */
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return max + 1;
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb] > max ? max + 1 : d[la][lb];
}

const char *hs_closest(const char *word, const char *const *cands, size_t n)
{
    /* A typo: about a third of the longer word's letters (at most 3); very
     * short words get no guess ("x" is not a typo of "a"). */
    size_t wl = strlen(word);
    const char *best = NULL;
    size_t bestd = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        size_t cl = strlen(cands[i]);
        size_t max = (wl > cl ? wl : cl) / 3;
        if (max > 3)
            max = 3;
        if (max == 0)
            continue;
        size_t d = hs_edit_distance(word, cands[i], max);
        if (d <= max && d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    /* a prefix of a longer candidate ("maint" -> "maintenance") also counts */
    if (!best && wl >= 3)
        for (size_t i = 0; i < n; i++)
            if (cands[i] && !strncmp(cands[i], word, wl))
                return cands[i];
    return best;
}

/* One decimal, or as many more as it takes not to round a partial value
 * to 0 or 100: "loss 0.0% (14 of 40000 echoes unanswered)" beside
 * `loss: 0%` reads as a contradiction. */
const char *hs_format_percent(double v, char *buf, size_t len)
{
    int d = 1;
    for (; d < 6; d++) {
        snprintf(buf, len, "%.*f", d, v);
        double shown = strtod(buf, NULL);
        if (!((v > 0 && shown == 0) || (v < 100 && shown == 100)))
            break;
    }
    snprintf(buf, len, "%.*f", d, v);
    return buf;
}
