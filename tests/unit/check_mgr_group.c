/* Unit tests of mgr_group: group.* names, and sum, avg and max over nested groups with unknown
 * values skipped, hosts that did not answer left out (but counted by host.up) and groups
 * without a known value giving no sample. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mgr_group.h"
#include "vs_check.h"

/* ---------------------------------------------------------------- names */

START_TEST(names_parsed)
{
    mgr_res_kind kind;
    size_t index;
    mgr_group_fn fn;
    char why[200];
    ck_assert_int_eq(
        mgr_group_metric_parse("group.vm.cpu.util.max", &kind, &index, &fn, why, sizeof(why)), 0);
    ck_assert_int_eq(kind, MGR_RES_VM);
    ck_assert_uint_eq(index, MGR_V_CPU_UTIL);
    ck_assert_int_eq(fn, MGR_GROUP_MAX);
    ck_assert_int_eq(
        mgr_group_metric_parse("group.host.mem.used.pct.avg", &kind, &index, &fn, why, sizeof(why)),
        0);
    ck_assert_int_eq(kind, MGR_RES_HOST);
    ck_assert_uint_eq(index, MGR_H_MEM_USED_PCT);
    ck_assert_int_eq(fn, MGR_GROUP_AVG);
    ck_assert_int_eq(
        mgr_group_metric_parse("group.host.net.rx.bps.sum", &kind, &index, &fn, why, sizeof(why)),
        0);
    ck_assert_int_eq(kind, MGR_RES_IF);
    ck_assert_uint_eq(index, MGR_I_RX_BPS);
    ck_assert_int_eq(fn, MGR_GROUP_SUM);
    ck_assert_int_eq(mgr_group_metric_parse("group.host.disk.used.pct.max", &kind, &index, &fn, why,
                                            sizeof(why)),
                     0);
    ck_assert_int_eq(kind, MGR_RES_FS);
    ck_assert_int_eq(
        mgr_group_metric_parse("group.host.vm.count.sum", NULL, NULL, NULL, why, sizeof(why)), 0);
}
END_TEST

START_TEST(bad_names_refused)
{
    char why[200];
    ck_assert_int_eq(
        mgr_group_metric_parse("group.cpu.util.avg", NULL, NULL, NULL, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "\"cpu.util\" is not a host.* or vm.* metric virtsight-manager "
                          "collects (see virtsight-manager.conf(5), METRICS)");
    ck_assert_int_eq(
        mgr_group_metric_parse("group.host.load.median", NULL, NULL, NULL, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "\"median\" is not a function of a group; use sum, avg or max");
    ck_assert_int_eq(mgr_group_metric_parse("group.host.load", NULL, NULL, NULL, why, sizeof(why)),
                     -1);
    ck_assert_str_eq(why, "\"load\" is not a function of a group; use sum, avg or max");
    ck_assert_int_eq(mgr_group_metric_parse("group.sum", NULL, NULL, NULL, why, sizeof(why)), -1);
    ck_assert_int_eq(mgr_group_metric_parse("group..sum", NULL, NULL, NULL, why, sizeof(why)), -1);
    ck_assert_int_eq(
        mgr_group_metric_parse("group.group.host.load.sum", NULL, NULL, NULL, why, sizeof(why)),
        -1);
    ck_assert_int_eq(mgr_group_metric_parse("host.load", NULL, NULL, NULL, why, sizeof(why)), -1);
}
END_TEST

/* ---------------------------------------------------------------- aggregates */

#define SEEN_MAX 64

/* What the emit callback received. */
typedef struct {
    char host[64], path[64], resource[64], metric[64];
    double value;
} seen_sample;

typedef struct {
    seen_sample s[SEEN_MAX];
    size_t n;
    size_t calls;
} seen_list;

static void record(void *ctx, const char *host, const char *path, const char *resource,
                   const char *const *metrics, const double *values, size_t n)
{
    seen_list *l = ctx;
    l->calls++;
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_lt(l->n, SEEN_MAX);
        seen_sample *x = &l->s[l->n++];
        snprintf(x->host, sizeof(x->host), "%s", host);
        snprintf(x->path, sizeof(x->path), "%s", path);
        snprintf(x->resource, sizeof(x->resource), "%s", resource);
        snprintf(x->metric, sizeof(x->metric), "%s", metrics[i]);
        x->value = values[i];
    }
}

/* The sample of metric for the group at path; fails when there is none or more than one. */
static const seen_sample *find(const seen_list *l, const char *path, const char *metric)
{
    const seen_sample *hit = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->s[i].path, path) == 0 && strcmp(l->s[i].metric, metric) == 0) {
            ck_assert_msg(hit == NULL, "two samples of %s for \"%s\"", metric, path);
            hit = &l->s[i];
        }
    }
    ck_assert_msg(hit != NULL, "no sample of %s for \"%s\"", metric, path);
    return hit;
}

static void expect(const seen_list *l, const char *path, const char *metric, double want)
{
    double got = find(l, path, metric)->value;
    if (isnan(want))
        ck_assert_msg(isnan(got), "%s of \"%s\": %g, not unknown", metric, path, got);
    else
        ck_assert_msg(fabs(got - want) < 1e-9, "%s of \"%s\": %g, not %g", metric, path, got, want);
}

static int group_emitted(const seen_list *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->s[i].path, path) == 0)
            return 1;
    }
    return 0;
}

static const char *const watched[] = {
    "group.vm.cpu.util.sum",
    "group.vm.cpu.util.avg",
    "group.vm.cpu.util.max",
    "group.host.load.max",
    "group.host.up.sum",
    "group.host.up.avg",
    "group.host.net.rx.bps.sum",
    "group.host.disk.used.pct.max",
    "vm.cpu.util",
    "group.x.sum",
    "group.host.load.max",
};
#define N_WATCHED 8 /* the valid group.* names above, once each */

/* A host that answered, with its load. */
static mgr_result *host_up(const char *name, double load)
{
    mgr_result *r = mgr_result_new(name, MGR_SRC_SNMP);
    ck_assert_ptr_nonnull(r);
    r->res[0].v[MGR_H_UP] = 1;
    r->res[0].v[MGR_H_LOAD] = load;
    return r;
}

static void vm_add(mgr_result *r, const char *name, double cpu)
{
    mgr_resource *x = mgr_result_add(r, MGR_RES_VM, name, name);
    ck_assert_ptr_nonnull(x);
    x->v[MGR_V_CPU_UTIL] = cpu;
}

static void if_add(mgr_result *r, const char *name, double rx)
{
    mgr_resource *x = mgr_result_add(r, MGR_RES_IF, name, NULL);
    ck_assert_ptr_nonnull(x);
    x->v[MGR_I_RX_BPS] = rx;
}

static void fs_add(mgr_result *r, const char *mount, double used)
{
    mgr_resource *x = mgr_result_add(r, MGR_RES_FS, mount, NULL);
    ck_assert_ptr_nonnull(x);
    x->v[MGR_F_USED_PCT] = used;
}

static mgr_group *table_make(void)
{
    const char *const paths[] = { "seoul/lab", "seoul", "busan", "", "empty/inner", "seoul/lab" };
    mgr_group *g = mgr_group_new(watched, sizeof(watched) / sizeof(watched[0]), paths,
                                 sizeof(paths) / sizeof(paths[0]));
    ck_assert_ptr_nonnull(g);
    return g;
}

/* Every level of every path is a group, once, sorted; its engine host name cannot be a
 * configured host's. */
START_TEST(groups_of_every_level)
{
    mgr_group *g = table_make();
    const char *want[][2] = { { "", "group:(all)" },      { "busan", "group:busan" },
                              { "empty", "group:empty" }, { "empty/inner", "group:empty/inner" },
                              { "seoul", "group:seoul" }, { "seoul/lab", "group:seoul/lab" } };
    ck_assert_uint_eq(mgr_group_count(g), 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(mgr_group_path(g, i), want[i][0]);
        ck_assert_str_eq(mgr_group_host(g, i), want[i][1]);
        ck_assert(mgr_group_has_host(g, want[i][1]));
    }
    ck_assert(!mgr_group_has_host(g, "group:seoul2"));
    ck_assert(!mgr_group_has_host(g, "seoul"));
    mgr_group_free(g);
}
END_TEST

/* One cycle of five hosts: nested sums, averages and maxima; NaN values and down hosts left
 * out; host.up counts the down hosts as 0; a group with no host reported gives nothing, and a
 * metric with no known value in a group gives NaN. */
START_TEST(nested_groups_aggregated)
{
    mgr_group *g = table_make();
    /* seoul/lab: h1 up with two VMs known and one not yet (a rate's first poll). */
    mgr_result *h1 = host_up("h1", 2);
    vm_add(h1, "a", 10);
    vm_add(h1, "b", 30);
    vm_add(h1, "c", NAN);
    if_add(h1, "eth0", 100);
    if_add(h1, "eth1", NAN);
    fs_add(h1, "/", 50);
    mgr_group_add(g, "seoul/lab", h1);
    /* seoul/lab: h3 did not answer; what it carries must not count. */
    mgr_result *h3 = host_up("h3", 99);
    vm_add(h3, "z", 1000);
    mgr_result_fail(h3, "No answer.");
    mgr_group_add(g, "seoul/lab", h3);
    /* seoul: h2. */
    mgr_result *h2 = host_up("h2", 5);
    vm_add(h2, "d", 40);
    fs_add(h2, "/var", 70);
    mgr_group_add(g, "seoul", h2);
    /* busan: h4 answers but knows no load and has no VM. */
    mgr_result *h4 = host_up("h4", NAN);
    mgr_group_add(g, "busan", h4);
    /* top level: h5's poll ended but a source did not answer (host.up 0). */
    mgr_result *h5 = host_up("h5", 77);
    h5->res[0].v[MGR_H_UP] = 0;
    vm_add(h5, "y", 500);
    mgr_group_add(g, "", h5);
    /* A path the table does not know is ignored. */
    mgr_group_add(g, "nowhere", h2);

    seen_list l;
    memset(&l, 0, sizeof(l));
    mgr_group_end(g, record, &l);
    ck_assert_uint_eq(l.calls, 4); /* (all), busan, seoul, seoul/lab; not empty */
    ck_assert_uint_eq(l.n, 4 * N_WATCHED);
    ck_assert(!group_emitted(&l, "empty"));
    ck_assert(!group_emitted(&l, "empty/inner"));

    const seen_sample *s = find(&l, "seoul/lab", "group.vm.cpu.util.sum");
    ck_assert_str_eq(s->host, "group:seoul/lab");
    ck_assert_str_eq(s->resource, "seoul/lab");
    s = find(&l, "", "group.vm.cpu.util.sum");
    ck_assert_str_eq(s->host, "group:(all)");
    ck_assert_str_eq(s->resource, "(all)");

    expect(&l, "seoul/lab", "group.vm.cpu.util.sum", 40);
    expect(&l, "seoul/lab", "group.vm.cpu.util.avg", 20);
    expect(&l, "seoul/lab", "group.vm.cpu.util.max", 30);
    expect(&l, "seoul/lab", "group.host.load.max", 2);
    expect(&l, "seoul/lab", "group.host.up.sum", 1);
    expect(&l, "seoul/lab", "group.host.up.avg", 0.5);
    expect(&l, "seoul/lab", "group.host.net.rx.bps.sum", 100);
    expect(&l, "seoul/lab", "group.host.disk.used.pct.max", 50);

    expect(&l, "seoul", "group.vm.cpu.util.sum", 80);
    expect(&l, "seoul", "group.vm.cpu.util.avg", 80.0 / 3);
    expect(&l, "seoul", "group.vm.cpu.util.max", 40);
    expect(&l, "seoul", "group.host.load.max", 5);
    expect(&l, "seoul", "group.host.up.sum", 2);
    expect(&l, "seoul", "group.host.up.avg", 2.0 / 3);
    expect(&l, "seoul", "group.host.net.rx.bps.sum", 100);
    expect(&l, "seoul", "group.host.disk.used.pct.max", 70);

    expect(&l, "busan", "group.vm.cpu.util.sum", NAN);
    expect(&l, "busan", "group.vm.cpu.util.avg", NAN);
    expect(&l, "busan", "group.vm.cpu.util.max", NAN);
    expect(&l, "busan", "group.host.load.max", NAN);
    expect(&l, "busan", "group.host.up.sum", 1);
    expect(&l, "busan", "group.host.up.avg", 1);
    expect(&l, "busan", "group.host.disk.used.pct.max", NAN);

    expect(&l, "", "group.vm.cpu.util.sum", 80);
    expect(&l, "", "group.vm.cpu.util.avg", 80.0 / 3);
    expect(&l, "", "group.vm.cpu.util.max", 40);
    expect(&l, "", "group.host.load.max", 5);
    expect(&l, "", "group.host.up.sum", 3);
    expect(&l, "", "group.host.up.avg", 3.0 / 5);
    expect(&l, "", "group.host.net.rx.bps.sum", 100);
    expect(&l, "", "group.host.disk.used.pct.max", 70);

    /* The next cycle starts empty: nothing reported, nothing emitted; then one host. */
    memset(&l, 0, sizeof(l));
    mgr_group_end(g, record, &l);
    ck_assert_uint_eq(l.calls, 0);
    mgr_group_add(g, "seoul", h2);
    mgr_group_end(g, record, &l);
    ck_assert_uint_eq(l.calls, 2);
    ck_assert(!group_emitted(&l, "seoul/lab"));
    expect(&l, "seoul", "group.vm.cpu.util.sum", 40);
    expect(&l, "", "group.vm.cpu.util.avg", 40);
    expect(&l, "", "group.host.up.sum", 1);

    mgr_result_free(h1);
    mgr_result_free(h2);
    mgr_result_free(h3);
    mgr_result_free(h4);
    mgr_result_free(h5);
    mgr_group_free(g);
}
END_TEST

/* max of values that are all negative is the largest of them, not 0. */
START_TEST(max_of_negative_values)
{
    const char *const metrics[] = { "group.host.load.max" };
    const char *const paths[] = { "" };
    mgr_group *g = mgr_group_new(metrics, 1, paths, 1);
    ck_assert_ptr_nonnull(g);
    mgr_result *a = host_up("a", -3), *b = host_up("b", -2);
    mgr_group_add(g, "", a);
    mgr_group_add(g, "", b);
    seen_list l;
    memset(&l, 0, sizeof(l));
    mgr_group_end(g, record, &l);
    expect(&l, "", "group.host.load.max", -2);
    mgr_result_free(a);
    mgr_result_free(b);
    mgr_group_free(g);
}
END_TEST

/* Without a group.* metric there is no group and nothing is emitted. */
START_TEST(nothing_watched_nothing_done)
{
    const char *const metrics[] = { "host.load", "vm.cpu.util" };
    const char *const paths[] = { "seoul/lab" };
    mgr_group *g = mgr_group_new(metrics, 2, paths, 1);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(mgr_group_count(g), 0);
    ck_assert(!mgr_group_has_host(g, "group:(all)"));
    mgr_result *a = host_up("a", 1);
    mgr_group_add(g, "seoul/lab", a);
    seen_list l;
    memset(&l, 0, sizeof(l));
    mgr_group_end(g, record, &l);
    ck_assert_uint_eq(l.calls, 0);
    mgr_result_free(a);
    mgr_group_free(g);
    mgr_group_free(NULL);
    mgr_group_add(NULL, "", NULL);
}
END_TEST

static Suite *group_suite(void)
{
    Suite *s = suite_create("mgr_group");
    TCase *t = tcase_create("group");
    tcase_add_test(t, names_parsed);
    tcase_add_test(t, bad_names_refused);
    tcase_add_test(t, groups_of_every_level);
    tcase_add_test(t, nested_groups_aggregated);
    tcase_add_test(t, max_of_negative_values);
    tcase_add_test(t, nothing_watched_nothing_done);
    suite_add_tcase(s, t);
    return s;
}

VS_CHECK_MAIN(group_suite)
