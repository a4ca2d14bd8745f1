/*
 * test_timeline_filter.c — `wgsim run --only / --kinds` (reports/
 * timeline_filter.c): which entries a filter keeps, that commands naming
 * a node count as that node's, that words are matched whole, and that
 * applying the filter to a result leaves exactly the kept entries.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reports/reports.h"
#include "suite_run.h"

static hs_timeline_entry entry(const char *node, const char *cat, const char *text)
{
    return (hs_timeline_entry){.node = strdup(node), .category = strdup(cat), .text = strdup(text)};
}

START_TEST(test_keep_by_node_and_kind)
{
    const char *nodes[] = {"fw1"}, *kinds[] = {"carp", "command"};
    rp_timeline_filter only = {.nodes = nodes, .n_nodes = 1};
    rp_timeline_filter both = {.nodes = nodes, .n_nodes = 1, .kinds = kinds, .n_kinds = 2};
    hs_timeline_entry carp1 = {.node = "fw1", .category = "carp", .text = "wan vhid 1 backup -> master"};
    hs_timeline_entry carp2 = {.node = "fw2", .category = "carp", .text = "wan vhid 1 master -> backup"};
    hs_timeline_entry wg1 = {.node = "fw1", .category = "wg", .text = "wg0 peer remote: handshake complete"};
    ck_assert(rp_timeline_keep(NULL, &carp2));
    ck_assert(rp_timeline_keep(&only, &carp1));
    ck_assert(!rp_timeline_keep(&only, &carp2));
    ck_assert(rp_timeline_keep(&only, &wg1));
    ck_assert(rp_timeline_keep(&both, &carp1));
    ck_assert(!rp_timeline_keep(&both, &wg1));
}
END_TEST

START_TEST(test_commands_naming_the_node)
{
    const char *nodes[] = {"fw1"};
    rp_timeline_filter only = {.nodes = nodes, .n_nodes = 1};
    hs_timeline_entry on_other = {.node = "lanhost", .category = "command", .text = "ping lanhost fw1"};
    hs_timeline_entry unnamed = {.node = "", .category = "command", .text = "link-down fw1/wan"};
    hs_timeline_entry prefix = {.node = "", .category = "command", .text = "power-off fw10"};
    hs_timeline_entry suffix = {.node = "", .category = "command", .text = "power-off xfw1"};
    hs_timeline_entry not_command = {.node = "fw2", .category = "carp", .text = "fw1 took the VIP"};
    ck_assert(rp_timeline_keep(&only, &on_other));
    ck_assert(rp_timeline_keep(&only, &unnamed));
    ck_assert(!rp_timeline_keep(&only, &prefix));
    ck_assert(!rp_timeline_keep(&only, &suffix));
    ck_assert(!rp_timeline_keep(&only, &not_command));
}
END_TEST

START_TEST(test_apply_keeps_order_and_frees_the_rest)
{
    hs_result *r = calloc(1, sizeof *r);
    r->n_timeline = 4;
    r->timeline = calloc(4, sizeof *r->timeline);
    r->timeline[0] = entry("fw1", "carp", "a");
    r->timeline[1] = entry("fw2", "drop", "b");
    r->timeline[2] = entry("fw2", "carp", "c");
    r->timeline[3] = entry("remote", "endpoint", "d");
    const char *kinds[] = {"carp"};
    rp_timeline_filter f = {.kinds = kinds, .n_kinds = 1};
    ck_assert_uint_eq(rp_timeline_apply_filter(r, &f), 2);
    ck_assert_uint_eq(r->n_timeline, 2);
    ck_assert_str_eq(r->timeline[0].text, "a");
    ck_assert_str_eq(r->timeline[1].text, "c");
    hs_result_free(r);
}
END_TEST

START_TEST(test_known_kinds)
{
    ck_assert(rp_timeline_kind_known("carp"));
    ck_assert(rp_timeline_kind_known("pf"));
    ck_assert(rp_timeline_kind_known("nat"));
    ck_assert(!rp_timeline_kind_known("crap"));
    ck_assert(!rp_timeline_kind_known(""));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timeline_filter");
    TCase *tc = tcase_create("filter");
    tcase_add_test(tc, test_keep_by_node_and_kind);
    tcase_add_test(tc, test_commands_naming_the_node);
    tcase_add_test(tc, test_apply_keeps_order_and_frees_the_rest);
    tcase_add_test(tc, test_known_kinds);
    suite_add_tcase(s, tc);
    return T_run_suite(s);
}
