/*
 * test_net_bufpool.c — the world's free lists of packet memory
 * (sim/net/bufpool.c) and the frames taken from them: a block given back
 * serves the next request of its size class, a class keeps at most
 * SIM_POOL_KEEP blocks, larger requests bypass the pool, and a reused
 * frame has every field set anew (sim_frame_new no longer callocs).
 */
#include "net_topo.h"
#include "sim/net/net.h"

static sim_world *new_world(void) { return sim_world_new(&(sim_world_config){.seed = 1}); }

START_TEST(block_reused_within_its_class)
{
    sim_world *w = new_world();
    uint8_t *a = sim_buf_get(w, 100, "test");
    memset(a, 1, 100);
    sim_buf_put(w, a, 100);
    /* 65 .. 128 bytes: the same class, LIFO: the block just given back */
    uint8_t *b = sim_buf_get(w, 128, "test");
    ck_assert_ptr_eq(a, b);
    memset(b, 2, 128); /* the whole class size is usable */
    /* another class does not take it */
    sim_buf_put(w, b, 128);
    uint8_t *c = sim_buf_get(w, 64, "test");
    ck_assert_ptr_ne(c, b);
    uint8_t *d = sim_buf_get(w, 65, "test");
    ck_assert_ptr_eq(d, b);
    sim_buf_put(w, c, 64);
    sim_buf_put(w, d, 65);
    sim_world_free(w);
}
END_TEST

START_TEST(classes_are_bounded_and_large_blocks_bypass)
{
    sim_world *w = new_world();
    enum { N = SIM_POOL_KEEP + 10 };
    void *p[N];
    for (int i = 0; i < N; i++)
        p[i] = sim_buf_get(w, 300, "test");
    for (int i = 0; i < N; i++)
        sim_buf_put(w, p[i], 300);
    uint32_t kept = 0;
    for (int c = 0; c < SIM_POOL_CLASSES; c++)
        kept += w->pool.n[c];
    ck_assert_uint_eq(kept, SIM_POOL_KEEP);
    /* over 2 KiB: malloc and free, the pool unchanged */
    void *big = sim_buf_get(w, 5000, "test");
    memset(big, 3, 5000);
    sim_buf_put(w, big, 5000);
    kept = 0;
    for (int c = 0; c < SIM_POOL_CLASSES; c++)
        kept += w->pool.n[c];
    ck_assert_uint_eq(kept, SIM_POOL_KEEP);
    sim_buf_put(w, NULL, 10); /* as free(NULL) */
    sim_world_free(w);
}
END_TEST

START_TEST(reused_frame_has_fresh_fields)
{
    sim_world *w = new_world();
    sim_frame *f = sim_frame_new(w, 100);
    f->has_reason = true;
    f->origin_node = 7;
    uint64_t id = f->id;
    sim_frame_free(w, f);
    sim_frame *g = sim_frame_new(w, 100);
    ck_assert_ptr_eq(f, g); /* the same block, from the pool */
    ck_assert(!g->has_reason);
    ck_assert_int_eq(g->origin_node, -1);
    ck_assert_uint_eq(g->len, 100);
    ck_assert_uint_eq(g->id, id + 1);
    sim_frame_free(w, g);
    sim_world_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_bufpool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, block_reused_within_its_class);
    tcase_add_test(tc, classes_are_bounded_and_large_blocks_bypass);
    tcase_add_test(tc, reused_frame_has_fresh_fields);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
