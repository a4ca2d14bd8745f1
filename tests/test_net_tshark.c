/*
 * test_net_tshark.c — an independent decoder reads what the simulator
 * writes: tshark decodes a simulated capture with the simulated devices'
 * key log (fields per ../shared/reference/wg-conformance.md): every
 * handshake response verifies, nothing fails to decrypt, the inner ICMP
 * echo requests and replies are visible, and every IPv4, UDP and ICMP
 * checksum (outer and inner) verifies. Skipped (exit 77) when
 * tshark is not installed (scripts/bootstrap installs it).
 */
#include <stdio.h>
#include <unistd.h>

#include "net_topo.h"

static char dir[64];

static int run_tshark(const char *args, char *out, size_t outlen)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tshark -n -r %s/cap.pcap -o wg.keylog_file:%s/keys.log %s 2>/dev/null", dir, dir, args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = 0;
    return pclose(p);
}

START_TEST(test_tshark_decrypts_tunnel)
{
    T_chain c = T_chain_new(91, 5 * SIM_MS);
    sim_capture *cap = sim_capture_segment(c.s12);
    T_wgpair wp = T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    (void)wp;
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = SIM_S, .count = 5};
    sim_ping_start(c.a, &pc);
    T_run(c.w, 10 * SIM_S);
    char path[128];
    snprintf(path, sizeof path, "%s/cap.pcap", dir);
    ck_assert(sim_capture_save(cap, path));
    snprintf(path, sizeof path, "%s/keys.log", dir);
    ck_assert(sim_world_save_keylog(c.w, path));
    static char out[1 << 16];
    int rc = run_tshark("-T fields -E separator=/s -e frame.number -e wg.type -e wg.handshake_ok -e wg.receiver_pubkey "
                        "-e icmp.type -e ip.src -e ip.dst",
                        out, sizeof out);
    ck_assert_msg(rc == 0, "tshark failed (%d)", rc);
    int inits = 0, resps = 0, resp_ok = 0, data = 0, echo = 0, reply = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char f[7][64] = {{0}};
        int k = 0;
        for (char *tok = line; k < 7 && tok;) {
            char *sp = strchr(tok, ' ');
            if (sp)
                *sp = 0;
            snprintf(f[k++], sizeof f[0], "%s", tok);
            tok = sp ? sp + 1 : NULL;
        }
        if (!strcmp(f[1], "1"))
            inits++, ck_assert_msg(f[3][0], "initiation without verified receiver key: %s", line);
        if (!strcmp(f[1], "2")) {
            resps++;
            if (!strcmp(f[2], "1"))
                resp_ok++;
        }
        if (!strcmp(f[1], "4")) {
            data++;
            /* icmp.type of the decrypted inner packet */
            if (!strcmp(f[4], "8"))
                echo++;
            if (!strcmp(f[4], "0"))
                reply++;
        }
    }
    ck_assert_int_eq(inits, 1);
    ck_assert_int_eq(resps, 1);
    ck_assert_int_eq(resp_ok, 1);
    ck_assert_int_ge(data, 10);
    ck_assert_int_eq(echo, 5);
    ck_assert_int_eq(reply, 5);
    rc = run_tshark("-Y wg.decryption_error", out, sizeof out);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(out[0] == 0, "decryption errors: %s", out);
    /* tshark verifies every IPv4 header, UDP and ICMP checksum, outer and
     * decrypted inner (status 1 = good): an independent check of
     * sim/net/checksum.c, whose sender and receiver could otherwise agree on
     * a wrong sum. */
    rc = run_tshark("-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields -E occurrence=a -E aggregator=, "
                    "-e ip.checksum.status -e udp.checksum.status -e icmp.checksum.status",
                    out, sizeof out);
    ck_assert_int_eq(rc, 0);
    int good_ip = 0, good_udp = 0, good_icmp = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char f[3][32] = {{0}};
        int k = 0;
        for (char *tok = line; k < 3 && tok;) {
            char *tab = strchr(tok, '\t');
            if (tab)
                *tab = 0;
            snprintf(f[k++], sizeof f[0], "%s", tok);
            tok = tab ? tab + 1 : NULL;
        }
        /* Every status present must be "1" (good); count them. */
        for (int j = 0; j < 3; j++) {
            for (char *c = f[j]; *c; c++)
                ck_assert_msg(*c == '1' || *c == ',', "bad or unverified checksum (field %d) in line: %s", j, line);
            int n = f[j][0] ? 1 : 0;
            for (char *c = f[j]; *c; c++)
                n += *c == ',';
            *(j == 0 ? &good_ip : j == 1 ? &good_udp : &good_icmp) += n;
        }
    }
    /* The outer IP and UDP of every WireGuard message, the inner IP and
     * ICMP of every decrypted echo and reply, all verified good. */
    ck_assert_int_ge(good_ip, inits + resps + data + echo + reply);
    ck_assert_int_ge(good_udp, inits + resps + data);
    ck_assert_int_ge(good_icmp, echo + reply);
    sim_world_free(c.w);
}
END_TEST

int main(void)
{
    if (system("tshark --version >/dev/null 2>&1") != 0) {
        printf("net_tshark: SKIPPED: tshark is not installed (scripts/bootstrap installs it)\n");
        return 77;
    }
    snprintf(dir, sizeof dir, "/tmp/wgsim-tshark-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    Suite *s = suite_create("net_tshark");
    TCase *tc = tcase_create("tshark");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tshark_decrypts_tunnel);
    suite_add_tcase(s, tc);
    int rc = T_run_suite(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
