/*
 * test_net_segment.c — segment models: loss and jitter statistics over many
 * frames match the configuration, bandwidth serialises frames and the
 * bounded transmit queue tail-drops, link down drops in both directions,
 * power-off silences a node.
 */
#include <math.h>

#include "net_topo.h"

typedef struct stats {
    sim_world *w;
    long n;
    double sum, sumsq;
    sim_time min, max;
} stats;

static void on_timed(void *ctx, sim_udp_sock *s, const sim_udp_rx *rx, const uint8_t *data, size_t len)
{
    (void)s;
    (void)rx;
    stats *st = ctx;
    ck_assert_uint_ge(len, 8);
    int64_t sent;
    memcpy(&sent, data, 8);
    sim_time d = sim_world_now(st->w) - sent;
    if (st->n == 0 || d < st->min)
        st->min = d;
    if (d > st->max)
        st->max = d;
    st->sum += (double)d;
    st->sumsq += (double)d * (double)d;
    st->n++;
}

typedef struct sender {
    sim_world *w;
    sim_udp_sock *s;
    wg_ip dst;
    int left;
} sender;

static void send_one(void *arg)
{
    sender *sd = arg;
    int64_t now = sim_world_now(sd->w);
    ck_assert_int_eq(sim_udp_sendto(sd->s, NULL, &sd->dst, 9000, (const uint8_t *)&now, 8), SIM_OK);
    if (--sd->left > 0)
        sim_schedule_in(sim_world_engine(sd->w), SIM_MS, send_one, sd);
}

START_TEST(test_loss_and_jitter_statistics)
{
    sim_world *w = T_world(61);
    sim_segment *lan = T_seg(w, "lan", 0);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    T_if(a, "eth0", lan, "10.0.0.1/24");
    T_if(b, "eth0", lan, "10.0.0.2/24");
    stats st = {.w = w};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(a, NULL, 8000, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(b, NULL, 9000, on_timed, &st, &sb), SIM_OK);
    /* Resolve ARP on a perfect segment first. */
    wg_ip bip = T_ip("10.0.0.2");
    int64_t z = 0;
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)&z, 8), SIM_OK);
    T_run(w, SIM_S);
    ck_assert_int_eq(st.n, 1);
    st = (stats){.w = w};
    const double loss = 0.10;
    const sim_time delay = 10 * SIM_MS, jitter = 2 * SIM_MS;
    sim_segment_config c = {.delay = delay, .jitter = jitter, .loss = loss};
    ck_assert(sim_segment_set_config(lan, &c));
    const int N = 20000;
    uint64_t sent0 = sim_segment_get_stats(lan)->frames_sent;
    sender sd = {.w = w, .s = sa, .dst = bip, .left = N};
    sim_schedule_in(sim_world_engine(w), 0, send_one, &sd);
    T_run(w, SIM_S + (N + 100) * SIM_MS);
    double got_loss = 1.0 - (double)st.n / N;
    /* Binomial sd is 0.0021: 0.01 is a ~5 sigma band. */
    ck_assert_msg(fabs(got_loss - loss) < 0.01, "loss %.4f", got_loss);
    ck_assert_uint_eq(sim_segment_get_stats(lan)->lost, (uint64_t)(N - st.n));
    ck_assert_uint_eq(sim_segment_get_stats(lan)->frames_sent - sent0, (uint64_t)N);
    ck_assert_uint_eq(sim_node_drops(a, SIM_DROP_LOSS), (uint64_t)(N - st.n));
    /* Delay uniform in [delay - jitter, delay + jitter]. */
    ck_assert_int_ge(st.min, delay - jitter);
    ck_assert_int_le(st.max, delay + jitter);
    ck_assert_int_lt(st.min, delay - jitter + jitter / 50); /* the range is used */
    ck_assert_int_gt(st.max, delay + jitter - jitter / 50);
    double mean = st.sum / (double)st.n;
    double sd_ = sqrt(st.sumsq / (double)st.n - mean * mean);
    double want_sd = (double)jitter / sqrt(3.0);
    ck_assert_msg(fabs(mean - (double)delay) < 0.05 * SIM_MS, "mean %.0f ns", mean);
    ck_assert_msg(fabs(sd_ - want_sd) < 0.03 * want_sd, "sd %.0f ns, want %.0f", sd_, want_sd);
    sim_world_free(w);
}
END_TEST

typedef struct arrivals {
    sim_world *w;
    int n;
    sim_time at[64];
} arrivals;

static void on_arrival(void *ctx, sim_udp_sock *s, const sim_udp_rx *rx, const uint8_t *data, size_t len)
{
    (void)s;
    (void)rx;
    (void)data;
    (void)len;
    arrivals *a = ctx;
    if (a->n < 64)
        a->at[a->n] = sim_world_now(a->w);
    a->n++;
}

START_TEST(test_bandwidth_and_tail_drop)
{
    sim_world *w = T_world(62);
    sim_segment_config c = {.delay = 2 * SIM_MS, .bandwidth_bps = 1000000, .queue_limit = 10};
    sim_segment *lan = sim_segment_new(w, "lan", &c);
    ck_assert_ptr_nonnull(lan);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    T_if(a, "eth0", lan, "10.0.0.1/24");
    T_if(b, "eth0", lan, "10.0.0.2/24");
    arrivals got = {.w = w};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(a, NULL, 8000, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(b, NULL, 9000, on_arrival, &got, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"w", 1), SIM_OK);
    T_run(w, SIM_S);
    ck_assert_int_eq(got.n, 1);
    got.n = 0;
    static uint8_t payload[1000];
    /* 1042-byte frames at 1 Mbit/s: 8.336 ms each. 60 offered at once:
     * one on the wire + 10 waiting, 49 tail-dropped. */
    for (int i = 0; i < 60; i++)
        ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, payload, sizeof payload), SIM_OK);
    ck_assert_uint_eq(sim_node_drops(a, SIM_DROP_QUEUE_FULL), 49);
    ck_assert_uint_eq(sim_segment_get_stats(lan)->queue_drops, 49);
    T_run(w, 2 * SIM_S);
    ck_assert_int_eq(got.n, 11);
    const sim_time ser = 8336000;
    for (int k = 0; k < 11; k++)
        ck_assert_int_eq(got.at[k], SIM_S + (k + 1) * ser + 2 * SIM_MS);
    /* The queue drains: later frames are accepted again. */
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, payload, sizeof payload), SIM_OK);
    T_run(w, 3 * SIM_S);
    ck_assert_int_eq(got.n, 12);
    ck_assert_int_eq(got.at[11], 2 * SIM_S + ser + 2 * SIM_MS);
    sim_world_free(w);
}
END_TEST

START_TEST(test_link_down_and_power)
{
    sim_world *w = T_world(63);
    sim_segment *lan = T_seg(w, "lan", SIM_MS);
    sim_node *a = T_node(w, "a", SIM_NODE_HOST), *b = T_node(w, "b", SIM_NODE_HOST);
    sim_iface *ia = T_if(a, "eth0", lan, "10.0.0.1/24");
    sim_iface *ib = T_if(b, "eth0", lan, "10.0.0.2/24");
    T_rx rx = {0};
    sim_udp_sock *sa, *sb;
    ck_assert_int_eq(sim_udp_bind(a, NULL, 8000, NULL, NULL, &sa), SIM_OK);
    ck_assert_int_eq(sim_udp_bind(b, NULL, 9000, T_on_udp, &rx, &sb), SIM_OK);
    wg_ip bip = T_ip("10.0.0.2");
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"1", 1), SIM_OK);
    T_run(w, SIM_S);
    ck_assert_int_eq(rx.n, 1);
    /* Receiver link down: frames die at its port. */
    sim_iface_set_link(ib, false);
    ck_assert(!sim_iface_link_up(ib));
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"2", 1), SIM_OK);
    T_run(w, 2 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    ck_assert_uint_eq(sim_node_drops(b, SIM_DROP_LINK_DOWN), 5);
    /* A frame in flight when the link goes down is lost too. */
    sim_iface_set_link(ib, true);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"3", 1), SIM_OK);
    sim_iface_set_link(ib, false);
    T_run(w, 3 * SIM_S);
    ck_assert_int_eq(rx.n, 1);
    sim_iface_set_link(ib, true);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"4", 1), SIM_OK);
    T_run(w, 4 * SIM_S);
    ck_assert_int_eq(rx.n, 2);
    /* Sender link down: nothing leaves. */
    sim_iface_set_link(ia, false);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"5", 1), SIM_OK);
    T_run(w, 5 * SIM_S);
    ck_assert_int_eq(rx.n, 2);
    ck_assert_uint_eq(sim_node_drops(a, SIM_DROP_LINK_DOWN), 1);
    sim_iface_set_link(ia, true);
    ck_assert_uint_eq(T_events_containing(w, "a/eth0 link down"), 1);
    ck_assert_uint_eq(T_events_containing(w, "b/eth0 link up"), 2);
    /* Power: an off node neither sends nor receives, and forgets ARP. */
    sim_node_set_power(b, false);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"6", 1), SIM_OK);
    T_run(w, 6 * SIM_S);
    ck_assert_int_eq(rx.n, 2);
    ck_assert_uint_ge(sim_node_drops(b, SIM_DROP_POWERED_OFF), 1);
    ck_assert_int_eq(sim_udp_sendto(sb, NULL, &bip, 9000, (const uint8_t *)"x", 1), SIM_ENETDOWN);
    sim_node_set_power(b, true);
    ck_assert_uint_eq(sim_arp_count(ib), 0);
    ck_assert_int_eq(sim_udp_sendto(sa, NULL, &bip, 9000, (const uint8_t *)"7", 1), SIM_OK);
    T_run(w, 7 * SIM_S);
    ck_assert_int_eq(rx.n, 3);
    sim_world_free(w);
}
END_TEST

START_TEST(test_bad_config_refused)
{
    sim_world *w = T_world(64);
    sim_segment_config c = {.loss = 1.5};
    ck_assert_ptr_null(sim_segment_new(w, "x", &c));
    c = (sim_segment_config){.delay = -1};
    ck_assert_ptr_null(sim_segment_new(w, "x", &c));
    c = (sim_segment_config){.mtu = 20};
    ck_assert_ptr_null(sim_segment_new(w, "x", &c));
    ck_assert_ptr_nonnull(sim_segment_new(w, "x", NULL));
    ck_assert_ptr_null(sim_segment_new(w, "x", NULL));
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_segment");
    TCase *tc = tcase_create("segment");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_loss_and_jitter_statistics);
    tcase_add_test(tc, test_bandwidth_and_tail_drop);
    tcase_add_test(tc, test_link_down_and_power);
    tcase_add_test(tc, test_bad_config_refused);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
