/* Unit tests of the manager's core helpers: shards, merging a host's results, the status
 * file's JSON and the --once table. */
#include "config.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_host.h"
#include "mgr_shard.h"
#include "mgr_status.h"
#include "vs_check.h"

START_TEST(shard_parse_accepts_and_refuses)
{
    unsigned i = 9, n = 9;
    ck_assert_int_eq(mgr_shard_parse("0/1", &i, &n), 0);
    ck_assert_uint_eq(i, 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mgr_shard_parse("2/3", &i, &n), 0);
    ck_assert_uint_eq(i, 2);
    ck_assert_uint_eq(n, 3);
    const char *bad[] = { "",    "3/3",  "1",    "/3",   "1/",     "1/0",  "-1/3",
                          "a/3", "1/3x", " 1/3", "1/ 3", "1/1001", "+1/3", NULL };
    for (size_t k = 0; bad[k]; k++)
        ck_assert_msg(mgr_shard_parse(bad[k], &i, &n) == -1, "accepted '%s'", bad[k]);
}
END_TEST

START_TEST(shard_hash_is_fixed)
{
    /* FNV-1a 64 reference values: changing the hash would move hosts between managers. */
    ck_assert(mgr_shard_hash("") == UINT64_C(0xcbf29ce484222325));
    ck_assert(mgr_shard_hash("a") == UINT64_C(0xaf63dc4c8601ec8c));
    ck_assert(mgr_shard_hash("foobar") == UINT64_C(0x85944171f73967e8));
}
END_TEST

START_TEST(shards_split_disjoint_and_cover)
{
    char name[32];
    unsigned count[4] = { 0 };
    for (int h = 0; h < 1000; h++) {
        snprintf(name, sizeof(name), "host%03d", h);
        unsigned s = mgr_shard_of(name, 4);
        ck_assert_uint_lt(s, 4);
        ck_assert_uint_eq(mgr_shard_of(name, 4), s);
        count[s]++;
    }
    for (int s = 0; s < 4; s++)
        ck_assert_msg(count[s] > 150 && count[s] < 350, "shard %d has %u of 1000", s, count[s]);
    ck_assert_uint_eq(mgr_shard_of("anything", 1), 0);
}
END_TEST

static mgr_result *result_with(mgr_source src, double up_value, const char *vm_uuid)
{
    mgr_result *r = mgr_result_new("hv1", src);
    ck_assert_ptr_nonnull(r);
    r->started = src == MGR_SRC_SNMP ? 100.0 : 101.0;
    r->finished = src == MGR_SRC_SNMP ? 102.0 : 101.5;
    r->requests = 3;
    r->res[0].v[MGR_H_LOAD] = up_value;
    if (vm_uuid) {
        mgr_resource *vm = mgr_result_add(r, MGR_RES_VM, vm_uuid, "web");
        ck_assert_ptr_nonnull(vm);
        vm->v[MGR_V_STATE] = src == MGR_SRC_SNMP ? 1 : 2;
    }
    return r;
}

START_TEST(merge_prefers_snmp_host_values_and_libvirt_vms)
{
    mgr_result *s = result_with(MGR_SRC_SNMP, 0.5, "u1");
    mgr_result *l = result_with(MGR_SRC_LIBVIRT, 0.9, "u1");
    l->res[0].v[MGR_H_VM_COUNT] = 1;
    mgr_resource *vm2 = mgr_result_add(s, MGR_RES_VM, "u2", "db");
    vm2->v[MGR_V_STATE] = 3;
    mgr_result *m = mgr_host_merge("hv1", s, l);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->ok, 1);
    ck_assert(m->res[0].v[MGR_H_LOAD] == 0.5);
    ck_assert(m->res[0].v[MGR_H_VM_COUNT] == 1);
    ck_assert(m->res[0].v[MGR_H_UP] == 1);
    ck_assert(m->started == 100.0 && m->finished == 102.0);
    ck_assert_uint_eq(m->requests, 6);
    ck_assert_uint_eq(m->n_res, 3);
    int seen_u1 = 0;
    for (size_t i = 1; i < m->n_res; i++)
        if (strcmp(m->res[i].id, "u1") == 0) {
            seen_u1++;
            ck_assert(m->res[i].v[MGR_V_STATE] == 2); /* libvirt's */
        }
    ck_assert_int_eq(seen_u1, 1);
    ck_assert_uint_eq(mgr_result_count_values(m), 5); /* load, vm.count, up, 2 states */
    mgr_result_free(m);
    mgr_result_free(s);
    mgr_result_free(l);
}
END_TEST

START_TEST(merge_of_a_failure_names_the_source)
{
    mgr_result *s = result_with(MGR_SRC_SNMP, NAN, NULL);
    mgr_result_fail(s, "no answer within 1000 ms");
    mgr_result *l = result_with(MGR_SRC_LIBVIRT, 0.7, NULL);
    mgr_result *m = mgr_host_merge("hv1", s, l);
    ck_assert_int_eq(m->ok, 0);
    ck_assert_str_eq(m->error, "SNMP: no answer within 1000 ms");
    ck_assert(m->res[0].v[MGR_H_UP] == 0);
    ck_assert(m->res[0].v[MGR_H_LOAD] == 0.7);
    mgr_result_free(m);
    mgr_result *only = mgr_host_merge("hv1", NULL, l);
    ck_assert_int_eq(only->ok, 1);
    ck_assert_ptr_null(only->error);
    mgr_result_free(only);
    mgr_result_free(s);
    mgr_result_free(l);
}
END_TEST

static mgr_host_cfg host_cfg = { "hv1", "seoul/dc1", 3, NULL, NULL, 30.0 };

START_TEST(status_json_round_trips)
{
    mgr_host h;
    memset(&h, 0, sizeof(h));
    h.cfg = &host_cfg;
    h.want = 1;
    h.last = result_with(MGR_SRC_SNMP, 0.25, "u1");
    mgr_result_fail(h.last, "bad \"quote\"\n<!channel>");
    h.src[0] = (mgr_source_status){ 1, 0, "x", 100.0, 2.0, 3 };
    h.last_poll = 100.0;
    h.last_duration = 2.0;
    h.last_samples = 2;
    h.samples = 10;
    mgr_cycle_info ci = { 7, 1000.0, 3.5, 0.25, 1, 1 };
    mgr_rrd_stats rs = { 5, 1, 0, 0, 0 };
    mgr_status_view v = { "/etc/m.xml", "1/4", 60, &h, 1, &ci, &rs, NULL };
    char *text = mgr_status_json(&v);
    ck_assert_ptr_nonnull(text);
    json_object *o = json_tokener_parse(text);
    ck_assert_ptr_nonnull(o);
    json_object *cycle, *hosts, *x;
    ck_assert(json_object_object_get_ex(o, "cycle", &cycle));
    ck_assert(json_object_object_get_ex(cycle, "lag", &x));
    ck_assert(json_object_get_double(x) == 0.25);
    ck_assert(json_object_object_get_ex(o, "shard", &x));
    ck_assert_str_eq(json_object_get_string(x), "1/4");
    ck_assert(json_object_object_get_ex(o, "hosts", &hosts));
    json_object *h0 = json_object_array_get_idx(hosts, 0);
    ck_assert(json_object_object_get_ex(h0, "error", &x));
    ck_assert_str_eq(json_object_get_string(x), "bad \"quote\"\n<!channel>");
    ck_assert(json_object_object_get_ex(h0, "up", &x));
    ck_assert_int_eq(json_object_get_boolean(x), 0);
    ck_assert(json_object_object_get_ex(h0, "group", &x));
    ck_assert_str_eq(json_object_get_string(x), "seoul/dc1");
    ck_assert(json_object_object_get_ex(h0, "samples", &x));
    ck_assert_int_eq(json_object_get_int(x), 2);
    ck_assert(json_object_object_get_ex(h0, "vms", &x));
    ck_assert_int_eq(json_object_get_int(x), 1);
    json_object_put(o);
    free(text);
    mgr_result_free(h.last);
}
END_TEST

START_TEST(table_escapes_names)
{
    mgr_host h;
    memset(&h, 0, sizeof(h));
    h.cfg = &host_cfg;
    h.last = mgr_result_new("hv1", MGR_SRC_LIBVIRT);
    h.last->res[0].v[MGR_H_UP] = 1;
    h.last->res[0].v[MGR_H_MEM_TOTAL] = 25769803776.0;
    mgr_result_add(h.last, MGR_RES_VM, "u1", "evil\r\nname x");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mgr_status_table(f, &h, 1);
    fclose(f);
    ck_assert_ptr_null(strstr(buf, "evil\r"));
    ck_assert_ptr_nonnull(strstr(buf, "vm:evil\\x0d\\x0aname\\x20x/u1"));
    ck_assert_ptr_nonnull(strstr(buf, "host.mem.total       25769803776\n"));
    ck_assert_ptr_nonnull(strstr(buf, "# 1 host, 0 failed, 1 VM\n"));
    free(buf);
    mgr_result_free(h.last);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("mgr_core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, shard_parse_accepts_and_refuses);
    tcase_add_test(tc, shard_hash_is_fixed);
    tcase_add_test(tc, shards_split_disjoint_and_cover);
    tcase_add_test(tc, merge_prefers_snmp_host_values_and_libvirt_vms);
    tcase_add_test(tc, merge_of_a_failure_names_the_source);
    tcase_add_test(tc, status_json_round_trips);
    tcase_add_test(tc, table_escapes_names);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(core_suite)
