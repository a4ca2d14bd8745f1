/*
 * fuzz_command.c — libFuzzer target: the command parser shared by the
 * timeline (`do:`) and the explore shell (hs_command_parse), on arbitrary
 * lines (a NUL-terminated copy of the input; bytes after an embedded NUL are
 * not part of the line, as for any C string).
 *
 * Checked besides ASan/UBSan: a rejected line has a message and a column
 * inside the line (columns count characters, 1-based; the end of the line
 * is one past the last); an accepted line formats back (hs_command_format)
 * to text that parses to the same command and formats identically; checking
 * it against a small built-in scenario (hs_command_check) either passes or
 * gives a message and a column in the line.
 */
#include "harness/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_TARGET "fuzz_command"
#include "fuzz_check.h"

/* A scenario with a little of everything a command can refer to: CARP,
 * pf, wireguard peers, gateways and a group. */
static const char scenario_text[] =
    "name: fuzz-command-world\n"
    "segments: {wan: {}, wan2: {}, net: {}}\n"
    "nodes:\n"
    "  isp: {kind: router, interfaces: {wan: {segment: wan, address: 198.51.100.254/24},\n"
    "                                   net: {segment: net, address: 192.0.2.1/24}}}\n"
    "  isp2: {kind: router, interfaces: {wan2: {segment: wan2, address: 203.0.113.254/24},\n"
    "                                    net: {segment: net, address: 192.0.2.2/24}}}\n"
    "  fw1:\n"
    "    kind: firewall\n"
    "    interfaces:\n"
    "      wan: {segment: wan, address: 198.51.100.2/24}\n"
    "      wan2: {segment: wan2, address: 203.0.113.2/24}\n"
    "    carp: [{interface: wan, vhid: 1, address: 198.51.100.1/24}]\n"
    "    gateways:\n"
    "      - {name: WAN1GW, interface: wan, address: 198.51.100.254}\n"
    "      - {name: WAN2GW, interface: wan2, address: 203.0.113.254}\n"
    "    gateway-groups:\n"
    "      - {name: failover, members: [{gateway: WAN1GW, tier: 1}, {gateway: WAN2GW, tier: 2}]}\n"
    "    routes: [{to: default, via: failover}]\n"
    "    wireguard:\n"
    "      wg0: {listen-port: 51820, address: 10.99.0.1/24,\n"
    "            peers: [{node: remote, allowed-ips: [10.99.0.2/32]}]}\n"
    "  remote:\n"
    "    kind: host\n"
    "    interfaces: {net: {segment: net, address: 192.0.2.10/24}}\n"
    "    routes: [{to: default, via: 192.0.2.1}]\n"
    "    wireguard:\n"
    "      wg0: {listen-port: 51820, address: 10.99.0.2/24,\n"
    "            peers: [{node: fw1, endpoint: 198.51.100.1:51820, allowed-ips: [10.99.0.1/32]}]}\n";

static hs_scenario *world;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hs_diag d;
    hs_diag_init(&d, "fuzz-command-world.yaml");
    world = hs_load_bytes("fuzz-command-world.yaml", (const uint8_t *)scenario_text, sizeof scenario_text - 1, &d);
    if (!world) {
        hs_diag_print(&d, stderr);
        abort();
    }
    hs_diag_free(&d);
    return 0;
}

/* Characters (UTF-8 lead bytes) before the end of the line. */
static int char_count(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        abort();
    memcpy(line, data, size);
    line[size] = '\0';
    int maxcol = char_count(line) + 1;

    hs_command c;
    char err[256] = "";
    int col = -1;
    if (!hs_command_parse(line, &c, err, sizeof err, &col)) {
        FZ_CHECK(err[0], "rejected without a message");
        FZ_CHECK(col >= 1 && col <= maxcol, "error column %d outside 1..%d: %s", col, maxcol, err);
    } else {
        char text[512], text2[512], err2[256];
        int col2 = 0;
        hs_command again;
        hs_command_format(&c, text, sizeof text);
        FZ_CHECK(hs_command_parse(text, &again, err2, sizeof err2, &col2), "'%s' does not parse back: %s", text,
                 err2);
        FZ_CHECK(again.kind == c.kind, "'%s' parses back as another command", text);
        hs_command_format(&again, text2, sizeof text2);
        FZ_CHECK(!strcmp(text, text2), "'%s' formats back as '%s'", text, text2);

        err[0] = '\0';
        col = -1;
        if (!hs_command_check(world, &c, err, sizeof err, &col)) {
            FZ_CHECK(err[0], "check rejected '%s' without a message", text);
            FZ_CHECK(col >= 1 && col <= maxcol, "check error column %d outside 1..%d: %s", col, maxcol, err);
        }
    }
    free(line);
    return 0;
}
