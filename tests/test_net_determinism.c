/*
 * test_net_determinism.c — the same topology and seed give byte-identical
 * pcaps, traces, event logs and key logs, in one process and across
 * processes; another seed gives different ones. The topology has loss and
 * jitter on every segment and a WireGuard tunnel, so every random draw
 * (segment streams, node streams for WireGuard keys and jitter) matters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net_topo.h"

static void hash_world(const sim_world *w, uint8_t out[32])
{
    /* BLAKE2s over every capture, the formatted trace, the events, the keys. */
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
#define ADD(p, n)                                                                                                      \
    do {                                                                                                               \
        size_t n_ = (n);                                                                                               \
        while (len + n_ > cap) {                                                                                       \
            cap *= 2;                                                                                                  \
            buf = realloc(buf, cap);                                                                                   \
            ck_assert_ptr_nonnull(buf);                                                                                \
        }                                                                                                              \
        memcpy(buf + len, (p), n_);                                                                                    \
        len += n_;                                                                                                     \
    } while (0)
    for (size_t i = 0; i < sim_world_capture_count(w); i++) {
        size_t n;
        const uint8_t *d = sim_capture_data(sim_world_capture_at(w, i), &n);
        ADD(d, n);
    }
    char line[512];
    for (size_t i = 0; i < sim_trace_count(w); i++) {
        sim_trace_rec r_v; sim_trace_get(w, i, &r_v); const sim_trace_rec *r = &r_v;
        sim_trace_format(w, r, line, sizeof line);
        ADD(line, strlen(line));
        if (r->reason != NULL) {
            (sim_src_reason_format(w, r->reason, line, sizeof line), line);
            ADD(line, strlen(line));
        }
    }
    for (size_t i = 0; i < sim_event_count(w); i++) {
        const sim_event_rec *e = sim_event_at(w, i);
        ADD(&e->t, sizeof e->t);
        ADD(e->text, strlen(e->text));
    }
    size_t kl;
    const char *k = sim_world_keylog(w, &kl);
    ADD(k, kl);
#undef ADD
    wg_blake2s(out, 32, buf, len, NULL, 0);
    free(buf);
}

static void run(uint64_t seed, uint8_t out[32], size_t *frames)
{
    T_chain c = T_chain_new(seed, 5 * SIM_MS);
    sim_segment_config sc = {.delay = 5 * SIM_MS, .jitter = SIM_MS, .loss = 0.05};
    ck_assert(sim_segment_set_config(c.s1, &sc));
    ck_assert(sim_segment_set_config(c.s12, &sc));
    ck_assert(sim_segment_set_config(c.s2, &sc));
    sim_capture_segment(c.s12);
    sim_capture_iface(sim_node_iface(c.a, "eth0"));
    T_wgpair wp = T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    sim_capture_iface(sim_wg_iface(wp.wb));
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = 200 * SIM_MS, .count = 200};
    sim_ping_start(c.a, &pc);
    sim_ping_config pc2 = {.dst = T_ip("10.0.1.10"), .start = SIM_S, .interval = 300 * SIM_MS, .count = 100};
    sim_ping_start(c.b, &pc2);
    T_run(c.w, 60 * SIM_S);
    hash_world(c.w, out);
    if (frames)
        *frames = (size_t)sim_capture_frames(sim_world_capture_at(c.w, 0));
    sim_world_free(c.w);
}

START_TEST(test_same_seed_same_bytes)
{
    uint8_t h1[32], h2[32], h3[32];
    size_t f1;
    run(1234, h1, &f1);
    ck_assert_uint_gt(f1, 400); /* the tunnel carried traffic */
    run(1234, h2, NULL);
    ck_assert_mem_eq(h1, h2, 32);
    run(1235, h3, NULL);
    ck_assert(memcmp(h1, h3, 32) != 0);
    /* Across processes: a forked child (same address layout) and a fresh
     * run of this program (exec: new heap and stack addresses under ASLR,
     * so nothing may depend on pointer values). */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        uint8_t h[32];
        run(1234, h, NULL);
        _exit(write(fds[1], h, 32) == 32 ? 0 : 1);
    }
    close(fds[1]);
    uint8_t hc[32];
    ck_assert_int_eq(read(fds[0], hc, 32), 32);
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_mem_eq(h1, hc, 32);

    char want[65], got[80] = {0};
    for (int i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", h1[i]);
    char self[512], cmd[600];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    ck_assert(sl > 0);
    self[sl] = 0;
    snprintf(cmd, sizeof cmd, "'%s' --hash-child 1234", self);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(fgets(got, sizeof got, p));
    ck_assert_int_eq(pclose(p), 0);
    got[strcspn(got, "\n")] = 0;
    ck_assert_str_eq(got, want);
}
END_TEST

START_TEST(test_pcap_format)
{
    sim_world *w = T_world(5);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    sim_node *c = T_node(w, "c", SIM_NODE_HOST);
    T_if(a, "eth0", lan, "10.0.0.1/24");
    sim_iface *ib = T_if(b, "eth0", lan, "10.0.0.2/24");
    sim_iface *ic = T_if(c, "eth0", lan, "10.0.0.3/24");
    sim_capture *cap = sim_capture_segment(lan);
    ck_assert_str_eq(sim_capture_name(cap), "seg:lan");
    sim_capture *capb = sim_capture_iface(ib), *capc = sim_capture_iface(ic);
    ck_assert_str_eq(sim_capture_name(capb), "b/eth0");
    wg_ip bip = T_ip("10.0.0.2");
    sim_world_run_until(w, 500 * SIM_MS);
    ck_assert_int_eq(sim_icmp_echo(a, &bip, 1, 1, 8, NULL), SIM_OK);
    T_run(w, SIM_S);
    size_t n;
    const uint8_t *d = sim_capture_data(cap, &n);
    /* Header: nanosecond magic (little-endian), 2.4, Ethernet. */
    const uint8_t hdr[] = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0};
    ck_assert_mem_eq(d, hdr, sizeof hdr);
    ck_assert_int_eq(d[20], 1);
    /* Frames: 3 gratuitous ARPs at 0 + request, reply, echo, echo reply. */
    ck_assert_uint_eq(sim_capture_frames(cap), 7);
    /* b's interface records what it sends (the reply, the echo reply; its
     * own announcement left before the capture started) and accepts (a's
     * and c's announcements, the request, the echo); c's records the
     * broadcasts, not the unicast frames between a and b. */
    ck_assert_uint_eq(sim_capture_frames(capb), 6);
    ck_assert_uint_eq(sim_capture_frames(capc), 3);
    /* The first record: wall time = epoch + 1 ms, 60-byte padded ARP. */
    const uint8_t *r = d + 24;
    uint32_t sec = (uint32_t)(r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24);
    uint32_t nsec = (uint32_t)(r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24);
    ck_assert_uint_eq(sec, (uint32_t)(SIM_DEFAULT_EPOCH_UNIX_NS / SIM_S));
    ck_assert_uint_eq(nsec, 1000000);
    ck_assert_uint_eq(r[8], 60);
    char path[] = "/tmp/wgsim-net-pcap-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert(sim_capture_save(cap, path));
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    ck_assert_int_eq(ftell(f), (long)n);
    fclose(f);
    unlink(path);
    ck_assert(!sim_capture_save(cap, "/nonexistent-dir/x.pcap"));
    sim_world_free(w);
}
END_TEST

/* A capture opened on a file writes the bytes the in-memory capture holds
 * (what was captured before the open included), and keeps nothing. */
static sim_world *lan_echo_world(sim_capture **cap)
{
    sim_world *w = T_world(5);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    T_if(a, "eth0", lan, "10.0.0.1/24");
    T_if(b, "eth0", lan, "10.0.0.2/24");
    *cap = sim_capture_segment(lan);
    sim_ping_config pc = {.dst = T_ip("10.0.0.2"), .interval = 100 * SIM_MS};
    ck_assert_ptr_nonnull(sim_ping_start(a, &pc));
    return w;
}

/* path holds exactly the n bytes at want; the file is removed */
static void assert_file_holds(const char *path, const void *want, size_t n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    uint8_t *got = malloc(n + 1);
    ck_assert_uint_eq(fread(got, 1, n + 1, f), n);
    fclose(f);
    ck_assert_mem_eq(got, want, n);
    free(got);
    unlink(path);
}

START_TEST(test_pcap_streamed_same_bytes)
{
    sim_capture *mem, *file;
    sim_world *w1 = lan_echo_world(&mem), *w2 = lan_echo_world(&file);
    T_run(w1, 5 * SIM_S);
    T_run(w2, 2 * SIM_S);
    char path[] = "/tmp/wgsim-net-pcap-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert(sim_capture_open(file, path));
    T_run(w2, 5 * SIM_S);
    size_t n, m;
    const uint8_t *d = sim_capture_data(mem, &n);
    sim_capture_data(file, &m);
    ck_assert_uint_eq(m, 0); /* nothing kept */
    ck_assert(!sim_capture_save(file, path));
    ck_assert_uint_eq(sim_capture_frames(file), sim_capture_frames(mem));
    ck_assert_uint_gt(sim_capture_frames(mem), 90);
    ck_assert(sim_capture_close(file));
    assert_file_holds(path, d, n);
    sim_world_free(w1);
    sim_world_free(w2);
    /* a file that cannot be created: the open and the close say why */
    sim_world *w3 = lan_echo_world(&file);
    ck_assert(!sim_capture_open(file, "/nonexistent-dir/x.pcap"));
    ck_assert_int_eq(errno, ENOENT);
    T_run(w3, SIM_S);
    ck_assert(!sim_capture_close(file));
    ck_assert_int_eq(errno, ENOENT);
    sim_world_free(w3);
}
END_TEST

/* A WireGuard pair re-keying through a long run (a handshake every two
 * minutes adds key-log lines), its key log kept, streamed or dropped. */
static sim_world *keylog_world(void)
{
    T_chain c = T_chain_new(77, 5 * SIM_MS);
    T_wg_pair(c.w, c.a, c.b, "10.0.2.10:51820");
    sim_ping_config pc = {.dst = T_ip("10.99.0.2"), .start = SIM_S, .interval = 10 * SIM_S};
    sim_ping_start(c.a, &pc);
    return c.w;
}

START_TEST(test_keylog_streamed_or_off)
{
    sim_world *mem = keylog_world(), *file = keylog_world(), *off = keylog_world();
    char path[] = "/tmp/wgsim-net-keylog-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    /* opened after the build: the static keys logged while building go
     * first, then every ephemeral key of the run */
    ck_assert(sim_keylog_open(file, path));
    ck_assert(!sim_keylog_open(file, path)); /* once */
    sim_keylog_enable(off, false);
    T_run(mem, 1200 * SIM_S);
    T_run(file, 1200 * SIM_S);
    T_run(off, 1200 * SIM_S);
    size_t n, m, o;
    const char *k = sim_world_keylog(mem, &n);
    ck_assert_ptr_nonnull(strstr(k, "LOCAL_EPHEMERAL_PRIVATE_KEY"));
    ck_assert_uint_gt(n, 1000); /* about ten re-keyings */
    sim_world_keylog(file, &m);
    sim_world_keylog(off, &o);
    ck_assert_uint_eq(m, 0);
    ck_assert_uint_eq(o, 0);
    ck_assert(!sim_world_save_keylog(off, path));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(sim_keylog_close(file));
    assert_file_holds(path, k, n);
    sim_world_free(mem);
    sim_world_free(file);
    sim_world_free(off);
    /* a file that cannot be created: the open and the close say why */
    sim_world *bad = keylog_world();
    ck_assert(!sim_keylog_open(bad, "/nonexistent-dir/keylog.txt"));
    ck_assert_int_eq(errno, ENOENT);
    T_run(bad, 60 * SIM_S);
    ck_assert(!sim_keylog_close(bad));
    ck_assert_int_eq(errno, ENOENT);
    sim_world_free(bad);
}
END_TEST

/* The separate run of test_same_seed_same_bytes (`--hash-child SEED`):
 * prints the hash. A Check test itself, as the helpers assert. */
static uint64_t child_seed;
START_TEST(hash_child)
{
    uint8_t h[32];
    run(child_seed, h, NULL);
    for (int i = 0; i < 32; i++)
        printf("%02x", h[i]);
    printf("\n");
    fflush(stdout);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--hash-child")) {
        child_seed = strtoull(argv[2], NULL, 10);
        Suite *s = suite_create("hash_child");
        TCase *tc = tcase_create("hash_child");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, hash_child);
        suite_add_tcase(s, tc);
        SRunner *sr = srunner_create(s);
        srunner_run_all(sr, CK_SILENT);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
    }
    Suite *s = suite_create("net_determinism");
    TCase *tc = tcase_create("determinism");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_same_seed_same_bytes);
    tcase_add_test(tc, test_pcap_format);
    tcase_add_test(tc, test_pcap_streamed_same_bytes);
    tcase_add_test(tc, test_keylog_streamed_or_off);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
