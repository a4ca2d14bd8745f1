/*
 * test_roundtrip.c — what wgsim prints, wgsim reads (issue 22, part 2).
 * Every printed form that a user may copy back into a scenario, a command
 * line or the explore shell is read back to the same value: durations
 * (hs_format_duration, hs_format_seconds), comparisons (hs_cmp_format),
 * addresses, prefixes, endpoints, keys, platform names and timeline
 * commands (hs_command_format, the text of a "command" entry in the
 * timeline and in --json). Values come from a fixed-seed generator, so a
 * failure names a value that fails again on every run; the edge cases are
 * listed by hand.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness/harness.h"
#include "wgnode/wgnode.h"

enum { CASES = 100000 };

/* splitmix64: a fixed seed gives the same cases everywhere */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

/* ---- durations ---- */

static void duration_reads_back(hs_time t)
{
    char buf[64];
    hs_time back = -1;
    hs_format_duration(t, buf, sizeof buf);
    hs_dur_err e = hs_duration_parse(buf, &back);
    ck_assert_msg(e == HS_DUR_OK && back == t, "%" PRId64 "ns prints as '%s', which reads back as %" PRId64 " (%s)",
                  t, buf, back, hs_duration_problem(e));
    hs_format_seconds(t, buf, sizeof buf);
    back = -1;
    e = hs_duration_parse(buf, &back);
    ck_assert_msg(e == HS_DUR_OK && back == t, "%" PRId64 "ns in seconds is '%s', which reads back as %" PRId64, t,
                  buf, back);
}

/* Durations of every shape: any nanosecond, whole µs/ms/s/min, and random
 * magnitudes so short values are as well covered as long ones. */
static hs_time random_duration(void)
{
    static const hs_time units[] = {1, 1000, HS_MS, HS_S, 60 * HS_S, 3600 * HS_S};
    switch (below(4)) {
    case 0: return (hs_time)below((uint64_t)HS_TIME_MAX + 1);
    case 1: {
        hs_time u = units[below(6)];
        return u * (hs_time)below((uint64_t)(HS_TIME_MAX / u) + 1);
    }
    case 2: {
        uint64_t mag = 1;
        for (uint64_t k = below(19); k; k--)
            mag *= 10;
        uint64_t t = below(mag * 10);
        return t > (uint64_t)HS_TIME_MAX ? HS_TIME_MAX : (hs_time)t;
    }
    default: return (hs_time)(below(100000) * HS_S + below(HS_S)); /* seconds and a few ns: 11.000000001s */
    }
}

START_TEST(durations_read_back)
{
    static const hs_time edges[] = {0,
                                    1,
                                    999,
                                    1000,
                                    1001,
                                    HS_MS - 1,
                                    HS_MS + 1,
                                    HS_S - 1,
                                    HS_S,
                                    HS_S + 1,
                                    11 * HS_S + 1,
                                    INT64_C(20000000000),
                                    60 * HS_S - 1,
                                    60 * HS_S,
                                    3600 * HS_S,
                                    INT64_C(9999999999),
                                    INT64_C(10000000001),
                                    HS_TIME_MAX - 1,
                                    HS_TIME_MAX,
                                    HS_TIME_MAX - HS_S + 1};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        duration_reads_back(edges[i]);
    rng_state = 22;
    for (int i = 0; i < CASES; i++)
        duration_reads_back(random_duration());
}
END_TEST

/* The cases, and what is refused with which reason. */
START_TEST(duration_limits)
{
    hs_time t = 0;
    char buf[64];
    ck_assert_str_eq(hs_format_duration(11 * HS_S + 1, buf, sizeof buf), "11.000000001s");
    ck_assert_str_eq(hs_format_duration(10 * HS_S + 100, buf, sizeof buf), "10.0000001s");
    ck_assert_str_eq(hs_format_duration(999999999, buf, sizeof buf), "999999999ns");
    ck_assert_str_eq(hs_format_duration(1500 * HS_MS, buf, sizeof buf), "1500ms");
    ck_assert_str_eq(hs_format_duration(HS_TIME_MAX, buf, sizeof buf), "60000000m");
    ck_assert(hs_duration_parse("20000000000ns", &t) == HS_DUR_OK && t == 20 * HS_S);
    ck_assert(hs_duration_parse("11s1ns", &t) == HS_DUR_OK && t == 11 * HS_S + 1);
    ck_assert(hs_duration_parse("11000000001ns", &t) == HS_DUR_OK && t == 11 * HS_S + 1);
    ck_assert(hs_duration_parse("3600000000000000000ns", &t) == HS_DUR_OK && t == HS_TIME_MAX);
    ck_assert(hs_duration_parse("1000000h", &t) == HS_DUR_OK && t == HS_TIME_MAX);
    ck_assert(hs_duration_parse("0000000000000000000000000001s", &t) == HS_DUR_OK && t == HS_S);
    ck_assert_int_eq(hs_duration_parse("3600000000000000001ns", &t), HS_DUR_RANGE);
    ck_assert_int_eq(hs_duration_parse("1000000h1ns", &t), HS_DUR_RANGE);
    ck_assert_int_eq(hs_duration_parse("999999999999999999999999999999999999999999h", &t), HS_DUR_RANGE);
    /* 2^128 / 3.6e12 hours: a product that wraps around 128 bits must
     * still be out of range, not a small time */
    ck_assert_int_eq(hs_duration_parse("94522879700260684295381836h", &t), HS_DUR_RANGE);
    ck_assert_int_eq(hs_duration_parse("340282366920938463463374607431768211457ns", &t), HS_DUR_RANGE);
    ck_assert_int_eq(hs_duration_parse("1.5ns", &t), HS_DUR_FINER);
    ck_assert_int_eq(hs_duration_parse("1.0000001ms", &t), HS_DUR_FINER);
    ck_assert_int_eq(hs_duration_parse("1.0000000001s", &t), HS_DUR_FINER);
    ck_assert(hs_duration_parse("1.0000000010s", &t) == HS_DUR_OK && t == HS_S + 1);
    ck_assert_int_eq(hs_duration_parse("1000000h1x", &t), HS_DUR_SYNTAX); /* syntax is said before range */
    ck_assert_int_eq(hs_duration_parse("-1s", &t), HS_DUR_SYNTAX);
    ck_assert_int_eq(hs_duration_parse("", &t), HS_DUR_SYNTAX);
    ck_assert_int_eq(hs_duration_parse(".s", &t), HS_DUR_SYNTAX);
    ck_assert(strstr(hs_duration_problem(HS_DUR_RANGE), "1000000h"));
}
END_TEST

/* ---- comparisons ---- */

static void cmp_reads_back(const hs_cmp *c)
{
    char buf[96];
    hs_cmp_format(c, buf, sizeof buf);
    hs_cmp back;
    ck_assert_msg(hs_parse_cmp(buf, c->unit, &back), "'%s' (unit %d) does not read back", buf, (int)c->unit);
    ck_assert_msg(back.op == c->op && back.value == c->value, "'%s' reads back as %s %.17g, not %.17g", buf,
                  hs_cmp_op_str(back.op), back.value, c->value);
}

START_TEST(comparisons_read_back)
{
    static const double percents[] = {0, 100, 0.5, 1e-9, 0.00001, 12.3456789, 99.999999999, 33.333333333};
    for (size_t i = 0; i < sizeof percents / sizeof percents[0]; i++)
        cmp_reads_back(&(hs_cmp){.op = HS_CMP_LE, .unit = HS_UNIT_PERCENT, .value = percents[i]});
    rng_state = 23;
    for (int i = 0; i < CASES; i++) {
        hs_cmp c = {.op = (hs_cmp_op)below(5), .unit = (hs_unit)below(3)};
        switch (c.unit) {
        case HS_UNIT_COUNT: c.value = (double)below(UINT64_C(10000000000)); break;
        /* what hs_parse_percent can hold: at most 9 decimals */
        case HS_UNIT_PERCENT: c.value = (double)below(UINT64_C(100000000001)) / 1e9; break;
        case HS_UNIT_DURATION: c.value = (double)random_duration(); break;
        }
        cmp_reads_back(&c);
    }
}
END_TEST

/* ---- addresses, prefixes, endpoints, keys ---- */

static wg_ip random_ip(void)
{
    wg_ip ip = {.family = below(2) ? 4 : 6};
    int n = ip.family == 4 ? 4 : 16;
    for (int i = 0; i < n; i++)
        ip.b[i] = (uint8_t)rnd();
    if (ip.family == 6) {
        switch (below(4)) {
        case 0: { /* a run of zero groups: "::" */
            int a = (int)below(8) * 2, l = (int)below(9) * 2;
            for (int i = a; i < a + l && i < 16; i++)
                ip.b[i] = 0;
            break;
        }
        case 1: /* IPv4-mapped: printed "::ffff:1.2.3.4" */
            memset(ip.b, 0, 10);
            ip.b[10] = ip.b[11] = 0xff;
            break;
        case 2: /* mostly zero: "::1", "1::" */
            for (int i = 0; i < 16; i++)
                if (below(4))
                    ip.b[i] = 0;
            break;
        default: break;
        }
    }
    return ip;
}

START_TEST(addresses_read_back)
{
    rng_state = 24;
    for (int i = 0; i < CASES; i++) {
        char buf[WG_IP_STRLEN];
        wg_ip ip = random_ip(), ipb;
        wg_ip_format(&ip, buf);
        ck_assert_msg(wg_ip_parse(buf, &ipb) && wg_ip_eq(&ip, &ipb), "address '%s' does not read back", buf);

        wg_prefix p = {.ip = ip, .len = (uint8_t)below(ip.family == 4 ? 33 : 129)}, pb;
        wg_prefix_format(&p, buf);
        ck_assert_msg(wg_prefix_parse(buf, &pb) && wg_ip_eq(&p.ip, &pb.ip) && p.len == pb.len,
                      "prefix '%s' does not read back", buf);

        wg_endpoint ep = {.ip = ip, .port = (uint16_t)(1 + below(65535))}, epb;
        wg_endpoint_format(&ep, buf);
        ck_assert_msg(wg_endpoint_parse(buf, &epb) && wg_endpoint_eq(&ep, &epb), "endpoint '%s' does not read back",
                      buf);

        uint8_t key[WG_KEY_LEN], keyb[WG_KEY_LEN];
        char b64[WG_KEY_B64_LEN];
        for (int k = 0; k < WG_KEY_LEN; k++)
            key[k] = (uint8_t)rnd();
        wg_key_to_base64(b64, key);
        ck_assert_msg(wg_key_from_base64(keyb, b64) && !memcmp(key, keyb, sizeof key), "key '%s' does not read back",
                      b64);
    }
    for (int p = WG_PLATFORM_FREEBSD; p <= WG_PLATFORM_WIREGUARD_GO; p++) {
        wg_platform back;
        ck_assert(wg_platform_parse(wg_platform_name((wg_platform)p), &back) && back == (wg_platform)p);
    }
}
END_TEST

/* ---- commands (timeline "do:", the explore shell, the timeline's
 * "command" entries and their --json text) ---- */

static void random_name(char *out, bool first_letter)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    size_t n = 1 + below(below(4) ? 12 : HS_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        out[i] = chars[below(i == 0 && first_letter ? 52 : sizeof chars - 1)];
    out[n] = '\0';
}

static hs_command random_command(void)
{
    hs_command c = {.kind = (hs_cmd_kind)below(HS_CMD__COUNT)};
    random_name(c.node, false);
    random_name(c.iface, false);
    if (below(2)) {
        random_name(c.peer, false);
    } else {
        uint8_t key[WG_KEY_LEN];
        for (int k = 0; k < WG_KEY_LEN; k++)
            key[k] = (uint8_t)rnd();
        wg_key_to_base64(c.peer, key);
    }
    c.on = below(2);
    c.endpoint = (wg_endpoint){.ip = random_ip(), .port = (uint16_t)(1 + below(65535))};
    c.dest = (wg_prefix){.ip = random_ip()};
    c.dest.len = (uint8_t)below(c.dest.ip.family == 4 ? 33 : 129);
    if (below(4) == 0 || (c.dest.len == 0 && c.dest.ip.family == 4)) {
        c.dest_default = true;
        wg_prefix_parse("0.0.0.0/0", &c.dest);
    }
    if (below(2)) {
        c.via_is_addr = true;
        c.via_addr = random_ip();
        wg_ip_format(&c.via_addr, c.via);
    } else {
        random_name(c.via, true); /* a name that starts with a letter is no address */
        wg_ip tmp;
        if (wg_ip_parse(c.via, &tmp))
            c.via[0] = 'g';
    }
    c.addr = random_ip();
    c.has_duration = below(2);
    c.duration = c.has_duration ? random_duration() : 0;
    return c;
}

/* Compares what the command's kind uses. */
static void same_command(const hs_command *a, const hs_command *b, const char *text)
{
    ck_assert_msg(a->kind == b->kind && !strcmp(a->node, b->node), "'%s': kind or node differs", text);
    switch (a->kind) {
    case HS_CMD_MAINTENANCE: ck_assert_msg(a->on == b->on, "'%s': on/off differs", text); break;
    case HS_CMD_LINK_DOWN:
    case HS_CMD_LINK_UP:
    case HS_CMD_WG_DOWN:
    case HS_CMD_WG_UP:
    case HS_CMD_WG_RESTART: ck_assert_msg(!strcmp(a->iface, b->iface), "'%s': interface differs", text); break;
    case HS_CMD_SET_ENDPOINT:
        ck_assert_msg(wg_endpoint_eq(&a->endpoint, &b->endpoint), "'%s': endpoint differs", text);
        /* fall through */
    case HS_CMD_REMOVE_ENDPOINT:
        ck_assert_msg(!strcmp(a->iface, b->iface) && !strcmp(a->peer, b->peer), "'%s': wg or peer differs", text);
        break;
    case HS_CMD_ROUTE_ADD:
        ck_assert_msg(!strcmp(a->via, b->via) && a->via_is_addr == b->via_is_addr &&
                          (!a->via_is_addr || wg_ip_eq(&a->via_addr, &b->via_addr)),
                      "'%s': gateway differs", text);
        /* fall through */
    case HS_CMD_ROUTE_DEL:
        ck_assert_msg(a->dest_default == b->dest_default && wg_ip_eq(&a->dest.ip, &b->dest.ip) &&
                          a->dest.len == b->dest.len,
                      "'%s': destination differs", text);
        break;
    case HS_CMD_PING: ck_assert_msg(wg_ip_eq(&a->addr, &b->addr), "'%s': address differs", text); break;
    case HS_CMD_REBOOT:
        ck_assert_msg(a->has_duration == b->has_duration && a->duration == b->duration, "'%s': downtime differs",
                      text);
        break;
    default: break;
    }
}

START_TEST(commands_read_back)
{
    rng_state = 25;
    for (int i = 0; i < CASES; i++) {
        hs_command c = random_command(), back;
        char text[512], again[512], err[256] = "";
        int col = 0;
        hs_command_format(&c, text, sizeof text);
        ck_assert_msg(hs_command_parse(text, &back, err, sizeof err, &col), "'%s' does not read back: %d: %s", text,
                      col, err);
        same_command(&c, &back, text);
        ck_assert_str_eq(hs_command_format(&back, again, sizeof again), text);
    }
}
END_TEST

/* The case end to end: a reboot whose downtime is not a whole
 * number of µs, and routes whose destination is the IPv6 default. */
START_TEST(command_edges)
{
    static const char *const lines[] = {"reboot h1 11s1ns", "reboot h1 20000000000ns", "reboot h1 1000000h",
                                        "route-add fw1 ::/0 via 2001:db8::1", "route-del fw1 ::/0",
                                        "set-endpoint fw1 wg0 p [::ffff:192.0.2.1]:1"};
    static const char *const printed[] = {"reboot h1 11.000000001s", "reboot h1 20s", "reboot h1 60000000m",
                                          "route-add fw1 ::/0 via 2001:db8::1", "route-del fw1 ::/0",
                                          "set-endpoint fw1 wg0 p [::ffff:192.0.2.1]:1"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        hs_command c, back;
        char text[256], err[256] = "";
        int col = 0;
        ck_assert_msg(hs_command_parse(lines[i], &c, err, sizeof err, &col), "%s: %s", lines[i], err);
        ck_assert_str_eq(hs_command_format(&c, text, sizeof text), printed[i]);
        ck_assert_msg(hs_command_parse(text, &back, err, sizeof err, &col), "%s: %s", text, err);
        same_command(&c, &back, text);
    }
    hs_command c;
    char err[256] = "";
    int col = 0;
    ck_assert(!hs_command_parse("reboot h1 1000000h1ns", &c, err, sizeof err, &col));
    ck_assert_int_eq(col, 11);
    ck_assert_msg(strstr(err, "longer than 1000000h"), "%s", err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("roundtrip");
    TCase *tc = tcase_create("print-parse");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, durations_read_back);
    tcase_add_test(tc, duration_limits);
    tcase_add_test(tc, comparisons_read_back);
    tcase_add_test(tc, addresses_read_back);
    tcase_add_test(tc, commands_read_back);
    tcase_add_test(tc, command_edges);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
