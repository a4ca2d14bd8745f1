/*
 * test_wgconf.c — the wg-quick configuration parser of `wgsim peer`
 * (cli/peer/wgconf.c): accepted files give the right values, every rejected
 * file names the right line.
 */
#include <check.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/peer/wgconf.h"

/* Key pairs made with `wg genkey | tee priv | wg pubkey`. */
#define PRIV1 "uDgZvX3/rREpig3FVxkknfL0fasPuJM7hNAyQLO8CH4="
#define PUB1 "X7unlVSoj5IGfn10TteMywhccZRaer7l0O/mdhJb+WY="
#define PUB2 "c962zL8wgRTBOENnwTBtiFWGQBlO8JXuJYAqh5YSFjk="
#define PUB3 "50rwpa2tQ3XXEQXxboCAuWlafhtKpFPuP71+9Zb1CW4="
#define PSK "blFF+3glPHD6dxfpTNJ+f5tFJwOBYiBaBYQK1fP5Spc="

static char err[512];

static bool parse(const char *text, wgconf *c)
{
    err[0] = '\0';
    return wgconf_parse("t.conf", text, strlen(text), c, err, sizeof err);
}

/* The text must be rejected with a message that starts with "t.conf:LINE: "
 * and contains `needle`. */
static void expect_error(const char *text, int line, const char *needle)
{
    wgconf c;
    ck_assert_msg(!parse(text, &c), "accepted:\n%s", text);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.conf:%d: ", line);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "expected '%s...', got '%s'", prefix, err);
    ck_assert_msg(strstr(err, needle) != NULL, "expected '%s' in '%s'", needle, err);
    /* A failed parse leaves nothing to free. */
    ck_assert_ptr_null(c.peers);
    ck_assert_ptr_null(c.addresses);
}

static void key_eq(const uint8_t key[WG_KEY_LEN], const char *b64)
{
    char got[WG_KEY_B64_LEN];
    wg_key_to_base64(got, key);
    ck_assert_str_eq(got, b64);
}

START_TEST(full_config)
{
    const char *text = "# interop peer\n"
                       "[Interface]\n"
                       "PrivateKey = " PRIV1 "\n"
                       "ListenPort = 51820\n"
                       "Address = 10.99.0.1/24, fd99::1/64\n"
                       "Address=10.98.0.1\n"
                       "\n"
                       "[Peer]   # the hub\n"
                       "PublicKey = " PUB2 "\n"
                       "PresharedKey = " PSK "\n"
                       "Endpoint = 192.0.2.10:51821\n"
                       "AllowedIPs = 10.99.0.2/32,10.0.0.0/8\n"
                       "AllowedIPs = fd99::2/128\n"
                       "PersistentKeepalive = 25\n"
                       "[Peer]\n"
                       "PublicKey = " PUB3 "\n"
                       "Endpoint = [2001:db8::1]:443\n"
                       "PersistentKeepalive = off\n";
    wgconf c;
    ck_assert_msg(parse(text, &c), "%s", err);
    key_eq(c.private_key, PRIV1);
    ck_assert(c.has_listen_port);
    ck_assert_uint_eq(c.listen_port, 51820);
    ck_assert_uint_eq(c.n_addresses, 3);
    char buf[WG_IP_STRLEN];
    ck_assert_str_eq(wg_prefix_format(&c.addresses[0], buf), "10.99.0.1/24");
    ck_assert_str_eq(wg_prefix_format(&c.addresses[1], buf), "fd99::1/64");
    ck_assert_str_eq(wg_prefix_format(&c.addresses[2], buf), "10.98.0.1/32");
    ck_assert_uint_eq(c.n_peers, 2);

    wgconf_peer *p = &c.peers[0];
    ck_assert_int_eq(p->line, 8);
    key_eq(p->public_key, PUB2);
    ck_assert(p->has_psk);
    key_eq(p->psk, PSK);
    ck_assert(p->has_endpoint);
    ck_assert_str_eq(wg_endpoint_format(&p->endpoint, buf), "192.0.2.10:51821");
    ck_assert_uint_eq(p->n_allowed_ips, 3);
    ck_assert_str_eq(wg_prefix_format(&p->allowed_ips[0], buf), "10.99.0.2/32");
    ck_assert_str_eq(wg_prefix_format(&p->allowed_ips[1], buf), "10.0.0.0/8");
    ck_assert_str_eq(wg_prefix_format(&p->allowed_ips[2], buf), "fd99::2/128");
    ck_assert_uint_eq(p->persistent_keepalive, 25);

    p = &c.peers[1];
    ck_assert_int_eq(p->line, 15);
    key_eq(p->public_key, PUB3);
    ck_assert(!p->has_psk);
    ck_assert_str_eq(wg_endpoint_format(&p->endpoint, buf), "[2001:db8::1]:443");
    ck_assert_uint_eq(p->n_allowed_ips, 0);
    ck_assert_uint_eq(p->persistent_keepalive, 0);
    wgconf_free(&c);
    /* Freeing zeroes the private key. */
    for (int i = 0; i < WG_KEY_LEN; i++)
        ck_assert_uint_eq(c.private_key[i], 0);
}
END_TEST

START_TEST(case_whitespace_crlf)
{
    /* Keys and sections are case-insensitive as in wg(8); CRLF line ends,
     * tabs, blank lines and trailing comments are fine. */
    const char *text = "\r\n"
                       "  [interface]\r\n"
                       "\tprivatekey\t=\t" PRIV1 "  # secret\r\n"
                       "LISTENPORT=0\r\n"
                       "[ Peer ]\r\n"
                       "publickey=" PUB2 "\r\n"
                       "allowedips =\r\n"
                       "persistentKEEPALIVE = 0\r\n";
    wgconf c;
    ck_assert_msg(parse(text, &c), "%s", err);
    ck_assert(c.has_listen_port);
    ck_assert_uint_eq(c.listen_port, 0);
    ck_assert_uint_eq(c.n_addresses, 0);
    ck_assert_uint_eq(c.n_peers, 1);
    ck_assert_int_eq(c.peers[0].line, 5);
    ck_assert(!c.peers[0].has_endpoint);
    ck_assert_uint_eq(c.peers[0].n_allowed_ips, 0);
    wgconf_free(&c);
}
END_TEST

START_TEST(minimal_no_peers)
{
    wgconf c;
    ck_assert_msg(parse("[Interface]\nPrivateKey=" PRIV1, &c), "%s", err); /* no final newline */
    ck_assert(!c.has_listen_port);
    ck_assert_uint_eq(c.n_peers, 0);
    wgconf_free(&c);
}
END_TEST

#define IF "[Interface]\nPrivateKey = " PRIV1 "\n" /* lines 1-2 */

START_TEST(errors_interface)
{
    expect_error("", 1, "no [Interface] section");
    expect_error("# only a comment\n", 1, "no [Interface] section");
    expect_error("\n[Interface]\nListenPort = 1\n", 2, "[Interface] has no PrivateKey");
    expect_error("PrivateKey = " PRIV1 "\n", 1, "before any [Interface] or [Peer] section");
    expect_error(IF "PrivateKey = " PRIV1 "\n", 3, "duplicate PrivateKey (first given on line 2)");
    expect_error("[Interface]\nPrivateKey = abc\n", 2, "PrivateKey: not a valid key");
    /* 44 characters but one too many bits: not 32 bytes. */
    expect_error("[Interface]\nPrivateKey = uDgZvX3/rREpig3FVxkknfL0fasPuJM7hNAyQLO8CH4\n", 2, "not a valid key");
    expect_error("[Interface]\nPrivateKey = uDgZvX3/rREpig3FVxkknfL0fasPuJM7hNAyQLO8CH*=\n", 2, "not a valid key");
    expect_error(IF "ListenPort = 65536\n", 3, "ListenPort: '65536' is not a port number");
    expect_error(IF "ListenPort = -1\n", 3, "not a port number");
    expect_error(IF "ListenPort = 51820x\n", 3, "not a port number");
    expect_error(IF "ListenPort = 1\nListenPort = 2\n", 4, "duplicate ListenPort (first given on line 3)");
    expect_error(IF "ListenPort =\n", 3, "ListenPort: empty value");
    expect_error(IF "Address = 10.0.0.1/33\n", 3, "Address: '10.0.0.1/33' is not an address");
    expect_error(IF "Address = 10.0.0.1/24,,10.0.0.2\n", 3, "empty item");
    expect_error(IF "Address = 10.0.0.1/24,\n", 3, "empty item");
    expect_error(IF "Address = host.example\n", 3, "is not an address");
    expect_error(IF "\n\nDNS = 1.1.1.1\n", 5, "DNS is a wg-quick key that wgsim peer does not support");
    expect_error(IF "mtu = 1420\n", 3, "MTU is a wg-quick key");
    expect_error(IF "PostUp = iptables -A FORWARD\n", 3, "PostUp is a wg-quick key");
    expect_error(IF "Colour = blue\n", 3, "unknown key 'Colour' in [Interface]");
    expect_error(IF "Endpoint = 1.2.3.4:5\n", 3, "Endpoint belongs in a [Peer] section");
    expect_error(IF "[Interface]\n", 3, "second [Interface] section (the first is on line 1)");
    expect_error(IF "[Interfaces]\n", 3, "unknown section [Interfaces]");
    expect_error(IF "[Peer\n", 3, "malformed section header");
    expect_error(IF "[Peer] x\n", 3, "malformed section header");
    expect_error(IF "just words\n", 3, "expected 'Key = Value'");
    expect_error(IF "= value\n", 3, "missing key before '='");
}
END_TEST

START_TEST(errors_peer)
{
    expect_error(IF "[Peer]\nEndpoint = 1.2.3.4:5\n", 3, "[Peer] has no PublicKey");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\n[Peer]\nAllowedIPs = 10.0.0.0/8\n", 5, "[Peer] has no PublicKey");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nPublicKey = " PUB3 "\n", 5, "duplicate PublicKey (first given on line 4)");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\n[Peer]\nPublicKey = " PUB2 "\n", 5,
                 "same PublicKey as the [Peer] on line 3");
    expect_error(IF "[Peer]\nPublicKey = " PUB1 "\n", 3, "this interface's own public key");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nPresharedKey = short\n", 5, "PresharedKey: not a valid key");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nPresharedKey = " PSK "\nPresharedKey = " PSK "\n", 6,
                 "duplicate PresharedKey");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = vpn.example.com:51820\n", 5,
                 "host names are not resolved by wgsim peer; give a numeric address");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = 192.0.2.1\n", 5, "missing ':port'");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = 2001:db8::1:51820\n", 5, "needs brackets");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = 192.0.2.1:0\n", 5, "port '0' is not a number in 1..65535");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = 192.0.2.1:70000\n", 5, "port '70000'");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = 192.0.2.300:1\n", 5, "not a numeric IPv4 or IPv6 address");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nEndpoint = 1.2.3.4:1\nEndpoint = 1.2.3.4:2\n", 6,
                 "duplicate Endpoint (first given on line 5)");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nAllowedIPs = 10.0.0.0/8, 300.0.0.0/8\n", 5,
                 "AllowedIPs: '300.0.0.0/8' is not an address");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nPersistentKeepalive = 25s\n", 5,
                 "PersistentKeepalive: '25s' is not a number of seconds");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nPersistentKeepalive = 65536\n", 5, "PersistentKeepalive");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nPersistentKeepalive = 1\nPersistentKeepalive = off\n", 6,
                 "duplicate PersistentKeepalive");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nListenPort = 1\n", 5, "ListenPort belongs in the [Interface] section");
    expect_error(IF "[Peer]\nPublicKey = " PUB2 "\nAllowedIP = 10.0.0.0/8\n", 5, "unknown key 'AllowedIP' in [Peer]");
    /* Repeated singular keys are per section: two peers each with an endpoint are fine. */
    wgconf c;
    ck_assert_msg(parse(IF "[Peer]\nPublicKey=" PUB2 "\nEndpoint=1.2.3.4:5\n[Peer]\nPublicKey=" PUB3
                           "\nEndpoint=1.2.3.4:6\n",
                        &c),
                  "%s", err);
    ck_assert_uint_eq(c.n_peers, 2);
    wgconf_free(&c);
}
END_TEST

START_TEST(errors_bytes)
{
    static const char nul[] = "[Interface]\nPrivate\0Key = x\n";
    wgconf c;
    ck_assert(!wgconf_parse("t.conf", nul, sizeof nul - 1, &c, err, sizeof err));
    ck_assert_str_eq(err, "t.conf:2: NUL byte in the line (not a text file?)");

    size_t n = 5000;
    char *longline = malloc(n + 20);
    strcpy(longline, "[Interface]\n# ");
    memset(longline + strlen(longline), 'x', n);
    longline[14 + n] = '\0';
    expect_error(longline, 2, "line longer than");
    free(longline);
}
END_TEST

START_TEST(load_file)
{
    char path[] = "/tmp/test_wgconf_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *text = IF "ListenPort = 51000\n[Peer]\nPublicKey = " PUB2 "\nEndpoint = [::1]:51001\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
    close(fd);
    wgconf c;
    ck_assert_msg(wgconf_load(path, &c, err, sizeof err), "%s", err);
    ck_assert_uint_eq(c.listen_port, 51000);
    ck_assert_uint_eq(c.n_peers, 1);
    wgconf_free(&c);

    fd = open(path, O_WRONLY | O_TRUNC);
    const char *bad = IF "ListenPort = none\n";
    ck_assert_int_eq(write(fd, bad, strlen(bad)), (int)strlen(bad));
    close(fd);
    ck_assert(!wgconf_load(path, &c, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s:3: ListenPort: 'none' is not a port number", path);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
    unlink(path);

    ck_assert(!wgconf_load("/nonexistent/wg0.conf", &c, err, sizeof err));
    ck_assert_str_eq(err, "/nonexistent/wg0.conf: cannot open: No such file or directory");
}
END_TEST

/* Mutated configurations (bytes replaced, inserted, lines cut) never crash
 * the parser, and every rejection names a line that exists. Deterministic
 * xorshift so a failure reproduces. */
START_TEST(mutations_never_crash)
{
    const char *base = "[Interface]\nPrivateKey = " PRIV1 "\nListenPort = 51820\nAddress = 10.0.0.1/24, fd00::1/64\n"
                       "[Peer]\nPublicKey = " PUB2 "\nPresharedKey = " PSK "\nEndpoint = [2001:db8::1]:51820\n"
                       "AllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25\n";
    static const char alphabet[] = "[]=#,:/. \t\n\r\0aZ9+-_fF";
    size_t blen = strlen(base);
    uint32_t x = 2463534242u;
    char buf[1024];
    int accepted = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(buf, base, blen);
        size_t len = blen;
        int edits = 1 + (int)(x % 4);
        for (int e = 0; e < edits; e++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if (len == 0)
                break;
            size_t pos = x % len;
            char c = alphabet[(x >> 8) % (sizeof alphabet - 1)];
            switch ((x >> 16) % 3) {
            case 0:
                buf[pos] = c;
                break;
            case 1:
                if (len + 1 < sizeof buf) {
                    memmove(buf + pos + 1, buf + pos, len - pos);
                    buf[pos] = c;
                    len++;
                }
                break;
            default:
                len = pos; /* truncate */
                break;
            }
        }
        int lines = 1;
        for (size_t i = 0; i < len; i++)
            lines += buf[i] == '\n';
        wgconf c;
        if (wgconf_parse("t.conf", buf, len, &c, err, sizeof err)) {
            accepted++;
            ck_assert_uint_le(c.n_peers, 1);
            wgconf_free(&c);
            continue;
        }
        int line = 0;
        ck_assert_msg(sscanf(err, "t.conf:%d: ", &line) == 1, "no location in '%s'", err);
        ck_assert_msg(line >= 1 && line <= lines, "line %d of %d in '%s'", line, lines, err);
    }
    /* Some mutations are harmless (a comment, a blank): both paths ran. */
    ck_assert_int_gt(accepted, 0);
}
END_TEST

int main(void)
{
    if (wg_crypto_init() != 0)
        return 1;
    Suite *s = suite_create("wgconf");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, full_config);
    tcase_add_test(tc, case_whitespace_crlf);
    tcase_add_test(tc, minimal_no_peers);
    tcase_add_test(tc, errors_interface);
    tcase_add_test(tc, errors_peer);
    tcase_add_test(tc, errors_bytes);
    tcase_add_test(tc, load_file);
    tcase_add_test(tc, mutations_never_crash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
