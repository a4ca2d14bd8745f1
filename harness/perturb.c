/*
 * perturb.c — `--perturb loss=1%,jitter=5ms` (wgsim test and wgsim run):
 * a slightly worse network under every segment that does not say what its
 * loss or jitter is, so that an operator can ask whether a verdict holds
 * when the network is not perfect (docs/running-scenarios.md, "Seed
 * sweeps").
 *
 * Explicit means the key is written in the segment (`loss: 0%` included:
 * a scenario that says "no loss here" means it). Only loss and jitter are
 * perturbed; delay, bandwidth, MTU and queue stay as written.
 *
 * A jitter larger than the segment's delay is allowed here although the
 * loader refuses it in a file: the segment then never delivers a frame
 * before the end of its serialisation (sim/net/segment.c clamps, as netem
 * does), so the delay a frame sees is skewed upward rather than negative.
 * The file's rule is about a scenario that states a distribution; a
 * perturbation adds noise on top of whatever the file states.
 */
#include "harness/harness.h"

#include <stdio.h>
#include <string.h>

bool hs_parse_perturb(const char *s, hs_perturb *out, char *err, size_t errlen)
{
    hs_perturb p = {0};
    static const char usage[] = "give loss=PERCENT and/or jitter=DURATION, comma-separated (e.g. loss=1%,jitter=5ms)";
    if (!s || !*s) {
        snprintf(err, errlen, "an empty value: %s", usage);
        return false;
    }
    for (const char *at = s;;) {
        size_t len = strcspn(at, ",");
        char item[96];
        if (len == 0 || len >= sizeof item) {
            snprintf(err, errlen, "'%s': an empty or overlong item: %s", s, usage);
            return false;
        }
        memcpy(item, at, len);
        item[len] = 0;
        char *eq = strchr(item, '=');
        if (eq)
            *eq = 0;
        const char *v = eq ? eq + 1 : NULL;
        if (!strcmp(item, "loss") && v) {
            if (p.has_loss) {
                snprintf(err, errlen, "'%s': loss given twice", s);
                return false;
            }
            if (!hs_parse_percent(v, &p.loss)) {
                snprintf(err, errlen, "loss: '%s' is not a percentage from 0%% to 100%% (e.g. 1%%, 0.5%%)", v);
                return false;
            }
            p.has_loss = true;
        } else if (!strcmp(item, "jitter") && v) {
            if (p.has_jitter) {
                snprintf(err, errlen, "'%s': jitter given twice", s);
                return false;
            }
            hs_dur_err e = hs_duration_parse(v, &p.jitter);
            if (e != HS_DUR_OK) {
                snprintf(err, errlen, "jitter: '%s' %s", v, hs_duration_problem(e));
                return false;
            }
            p.has_jitter = true;
        } else {
            snprintf(err, errlen, "'%.*s': %s", (int)len, at, usage);
            return false;
        }
        if (!at[len])
            break;
        at += len + 1;
    }
    *out = p;
    return true;
}

const char *hs_format_perturb(const hs_perturb *p, char *buf, size_t len)
{
    char loss[48] = "", jitter[48] = "";
    if (p->has_loss) {
        /* hs_parse_percent keeps billionths of a percent: print them all,
         * then drop the trailing zeros, so the text reads back exactly */
        unsigned long long v = (unsigned long long)(p->loss * 1e9 + 0.5);
        int n = snprintf(loss, sizeof loss, "loss=%llu.%09llu", v / 1000000000ULL, v % 1000000000ULL);
        while (n > 0 && loss[n - 1] == '0')
            loss[--n] = 0;
        if (n > 0 && loss[n - 1] == '.')
            loss[--n] = 0;
        snprintf(loss + n, sizeof loss - (size_t)n, "%%");
    }
    if (p->has_jitter) {
        char d[40];
        snprintf(jitter, sizeof jitter, "jitter=%s", hs_format_duration(p->jitter, d, sizeof d));
    }
    snprintf(buf, len, "%s%s%s", loss, *loss && *jitter ? "," : "", jitter);
    return buf;
}

void hs_perturb_segment(const hs_perturb *p, const hs_segment *g, double *loss, hs_time *jitter)
{
    *loss = p->has_loss && !g->has_loss ? p->loss : g->loss;
    *jitter = p->has_jitter && !g->has_jitter ? p->jitter : g->jitter;
}
