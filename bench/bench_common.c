/*
 * bench_common.c — the clock and the JSON line shared by the benchmarks.
 * The wall clock is allowed here (bench/), never in sim/ or wgnode/.
 */
#include "bench/bench.h"

#include <math.h>
#include <time.h>

int64_t bench_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Numbers with enough significant digits for events/s and microseconds;
 * JSON has no NaN/inf, so a failed measurement prints null. */
static void num(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.6g", v);
    else
        fputs("null", out);
}

void bench_print_json(FILE *out, const bench_result *r)
{
    fprintf(out, "{\"bench\": \"%s\", \"ours\": ", r->bench);
    num(out, r->ours);
    fputs(", \"baseline\": ", out);
    num(out, r->baseline);
    fprintf(out, ", \"unit\": \"%s\", \"ratio\": ", r->unit);
    num(out, r->ratio);
    fprintf(out, ", \"target\": \"%s\"}\n", r->target);
}
