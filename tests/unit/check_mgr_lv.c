/* Unit tests of mgr_lv_stats: bulk-stats records summed over devices, VM metrics and their
 * counter discontinuities (restart, hot-unplug, shut off), the oper-state mapping, memory
 * figures, the node's CPU and memory metrics, and the credentials split off a URI. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_lv_stats.h"
#include "mgr_metric.h"
#include "vs_check.h"
#include "vs_mib.h"

/* A record under construction. */
typedef struct {
    virTypedParameter p[64];
    int n;
} rec;

static void add_ull(rec *r, const char *field, unsigned long long v)
{
    virTypedParameter *p = &r->p[r->n++];
    memset(p, 0, sizeof(*p));
    snprintf(p->field, sizeof(p->field), "%s", field);
    p->type = VIR_TYPED_PARAM_ULLONG;
    p->value.ul = v;
}

static void add_int(rec *r, const char *field, int v)
{
    virTypedParameter *p = &r->p[r->n++];
    memset(p, 0, sizeof(*p));
    snprintf(p->field, sizeof(p->field), "%s", field);
    p->type = VIR_TYPED_PARAM_INT;
    p->value.i = v;
}

static void add_str(rec *r, const char *field, char *v)
{
    virTypedParameter *p = &r->p[r->n++];
    memset(p, 0, sizeof(*p));
    snprintf(p->field, sizeof(p->field), "%s", field);
    p->type = VIR_TYPED_PARAM_STRING;
    p->value.s = v;
}

static char name_vda[] = "vda", name_vdb[] = "vdb", name_vnet[] = "vnet0";

/* A running VM with two disks and one NIC; every counter is base plus the given offset. */
static void make_vm(rec *r, int state, unsigned long long cpu_ns, unsigned long long io, int disks)
{
    char f[64];
    r->n = 0;
    add_int(r, "state.state", state);
    add_int(r, "state.reason", 1);
    add_ull(r, "cpu.time", cpu_ns);
    add_ull(r, "balloon.current", 1048576);
    add_ull(r, "balloon.available", 1000000);
    add_ull(r, "balloon.usable", 400000);
    add_ull(r, "balloon.rss", 900000);
    add_ull(r, "block.count", (unsigned long long)disks);
    for (int i = 0; i < disks; i++) {
        snprintf(f, sizeof(f), "block.%d.name", i);
        add_str(r, f, i == 0 ? name_vda : name_vdb);
        snprintf(f, sizeof(f), "block.%d.rd.bytes", i);
        add_ull(r, f, (unsigned long long)(i + 1) * 100 + io);
        snprintf(f, sizeof(f), "block.%d.wr.bytes", i);
        add_ull(r, f, (unsigned long long)(i + 1) * 10 + io);
        snprintf(f, sizeof(f), "block.%d.rd.reqs", i);
        add_ull(r, f, (unsigned long long)(i + 1) + io / 100);
        snprintf(f, sizeof(f), "block.%d.wr.reqs", i);
        add_ull(r, f, (unsigned long long)(i + 1) * 2 + io / 100);
    }
    add_ull(r, "net.count", 1);
    add_str(r, "net.0.name", name_vnet);
    add_ull(r, "net.0.rx.bytes", 1000 + io);
    add_ull(r, "net.0.tx.bytes", 2000 + 2 * io);
}

START_TEST(parse_sums_devices)
{
    rec r;
    mgr_lv_dom d;
    make_vm(&r, VIR_DOMAIN_RUNNING, 5000000000ULL, 0, 2);
    mgr_lv_dom_parse(r.p, r.n, &d);
    ck_assert_int_eq(d.state, VIR_DOMAIN_RUNNING);
    ck_assert(d.has & MGR_LV_HAS_STATE);
    ck_assert(d.has & MGR_LV_HAS_CPU);
    ck_assert_uint_eq(d.cpu_ns, 5000000000ULL);
    ck_assert_uint_eq(d.sum[MGR_LV_SUM_RD_BYTES], 300);
    ck_assert_uint_eq(d.sum[MGR_LV_SUM_WR_BYTES], 30);
    ck_assert_uint_eq(d.sum[MGR_LV_SUM_REQS], 1 + 2 + 2 + 4);
    ck_assert_uint_eq(d.sum[MGR_LV_SUM_RX_BYTES], 1000);
    ck_assert_uint_eq(d.sum[MGR_LV_SUM_TX_BYTES], 2000);
    for (int k = 0; k < MGR_LV_SUM__COUNT; k++)
        ck_assert(d.has & ((unsigned)MGR_LV_HAS_SUM0 << k));
}
END_TEST

START_TEST(parse_incomplete_sum_is_absent)
{
    rec r = { .n = 0 };
    mgr_lv_dom d;
    add_int(&r, "state.state", VIR_DOMAIN_RUNNING);
    add_ull(&r, "block.count", 2);
    add_str(&r, "block.0.name", name_vda);
    add_ull(&r, "block.0.rd.bytes", 100);
    add_str(&r, "block.1.name", name_vdb);
    mgr_lv_dom_parse(r.p, r.n, &d);
    ck_assert(!(d.has & ((unsigned)MGR_LV_HAS_SUM0 << MGR_LV_SUM_RD_BYTES)));
    ck_assert(!(d.has & ((unsigned)MGR_LV_HAS_SUM0 << MGR_LV_SUM_RX_BYTES))); /* no net.count */
    ck_assert(!(d.has & MGR_LV_HAS_CPU));
    /* The test driver's record: state only. */
    r.n = 0;
    add_int(&r, "state.state", VIR_DOMAIN_PAUSED);
    mgr_lv_dom_parse(r.p, r.n, &d);
    ck_assert_uint_eq(d.has, MGR_LV_HAS_STATE);
    ck_assert_int_eq(d.reason, 0);
}
END_TEST

START_TEST(parse_signature_follows_devices)
{
    rec r;
    mgr_lv_dom a, b, c;
    make_vm(&r, VIR_DOMAIN_RUNNING, 1, 0, 2);
    mgr_lv_dom_parse(r.p, r.n, &a);
    make_vm(&r, VIR_DOMAIN_RUNNING, 2, 5000, 2); /* other values, same devices */
    mgr_lv_dom_parse(r.p, r.n, &b);
    make_vm(&r, VIR_DOMAIN_RUNNING, 2, 5000, 1); /* vdb unplugged */
    mgr_lv_dom_parse(r.p, r.n, &c);
    ck_assert(a.dev_sig == b.dev_sig);
    ck_assert(a.dev_sig != c.dev_sig);
}
END_TEST

START_TEST(vm_rates_from_second_poll)
{
    rec r;
    mgr_lv_dom d;
    mgr_lv_vmtrack t;
    double v[MGR_V__COUNT];

    mgr_lv_vmtrack_init(&t, "11111111-0000-4000-8000-000000000001");
    make_vm(&r, VIR_DOMAIN_RUNNING, 5000000000ULL, 0, 2);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(&t, &d, 7, 0, 100.0, v);
    ck_assert(v[MGR_V_STATE] == VS_VM_OPER_STATE_RUNNING);
    ck_assert(v[MGR_V_CPU_TIME] == 5.0);
    ck_assert(isnan(v[MGR_V_CPU_UTIL]));
    ck_assert(isnan(v[MGR_V_DISK_RD_BPS]));
    /* 10 s later: 15 s of CPU (150 %), 1000 more bytes on each device counter. */
    make_vm(&r, VIR_DOMAIN_RUNNING, 20000000000ULL, 1000, 2);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(&t, &d, 7, 0, 110.0, v);
    ck_assert_double_eq_tol(v[MGR_V_CPU_UTIL], 150.0, 1e-9);
    ck_assert_double_eq_tol(v[MGR_V_DISK_RD_BPS], 200.0, 1e-9); /* 2 disks x 1000 / 10 s */
    ck_assert_double_eq_tol(v[MGR_V_DISK_WR_BPS], 200.0, 1e-9);
    ck_assert_double_eq_tol(v[MGR_V_DISK_IOPS], 4.0, 1e-9);    /* 4 counters x 10 / 10 s */
    ck_assert_double_eq_tol(v[MGR_V_NET_RX_BPS], 800.0, 1e-9); /* 100 B/s in bits */
    ck_assert_double_eq_tol(v[MGR_V_NET_TX_BPS], 1600.0, 1e-9);
    /* available - usable = 600000 KiB; of the current 1048576 KiB. */
    ck_assert_double_eq_tol(v[MGR_V_MEM_USED], 600000.0 * 1024, 1e-3);
    ck_assert_double_eq_tol(v[MGR_V_MEM_USED_PCT], 100.0 * 600000 / 1048576, 1e-9);
}
END_TEST

/* Feed a record to t and return the cpu.util and disk read rate. */
static void feed(mgr_lv_vmtrack *t, int state, unsigned long long cpu, unsigned long long io,
                 int disks, int id, double now, double *util, double *rd)
{
    rec r;
    mgr_lv_dom d;
    double v[MGR_V__COUNT];
    make_vm(&r, state, cpu, io, disks);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(t, &d, id, 0, now, v);
    *util = v[MGR_V_CPU_UTIL];
    *rd = v[MGR_V_DISK_RD_BPS];
}

START_TEST(vm_restart_gives_no_sample)
{
    mgr_lv_vmtrack t;
    double u, rd;
    mgr_lv_vmtrack_init(&t, "u");
    feed(&t, VIR_DOMAIN_RUNNING, 1000000000000ULL, 100000, 2, 3, 0.0, &u, &rd);
    /* Restarted between polls (new domain ID) with counters already above the old ones. */
    feed(&t, VIR_DOMAIN_RUNNING, 2000000000000ULL, 900000, 2, 4, 10.0, &u, &rd);
    ck_assert(isnan(u) && isnan(rd));
    feed(&t, VIR_DOMAIN_RUNNING, 2010000000000ULL, 901000, 2, 4, 20.0, &u, &rd);
    ck_assert_double_eq_tol(u, 100.0, 1e-9);
    ck_assert_double_eq_tol(rd, 200.0, 1e-9);
}
END_TEST

START_TEST(vm_shutoff_between_polls_gives_no_sample)
{
    mgr_lv_vmtrack t;
    double u, rd;
    rec r = { .n = 0 };
    mgr_lv_dom d;
    double v[MGR_V__COUNT];

    mgr_lv_vmtrack_init(&t, "u");
    feed(&t, VIR_DOMAIN_RUNNING, 50000000000ULL, 0, 2, 1, 0.0, &u, &rd);
    add_int(&r, "state.state", VIR_DOMAIN_SHUTOFF);
    add_int(&r, "state.reason", VIR_DOMAIN_SHUTOFF_DESTROYED);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(&t, &d, -1, 0, 10.0, v);
    ck_assert(v[MGR_V_STATE] == VS_VM_OPER_STATE_SHUTDOWN);
    ck_assert(isnan(v[MGR_V_CPU_UTIL]) && isnan(v[MGR_V_MEM_USED]));
    /* Started again with the same ID (as a driver may reuse IDs): still no sample. */
    feed(&t, VIR_DOMAIN_RUNNING, 60000000000ULL, 1000, 2, 1, 20.0, &u, &rd);
    ck_assert(isnan(u) && isnan(rd));
}
END_TEST

START_TEST(vm_unplug_gives_no_negative_rate)
{
    mgr_lv_vmtrack t;
    double u, rd;
    mgr_lv_vmtrack_init(&t, "u");
    feed(&t, VIR_DOMAIN_RUNNING, 0, 100000, 2, 1, 0.0, &u, &rd);
    /* vdb unplugged: the sum drops, which must not be read as a rate. */
    feed(&t, VIR_DOMAIN_RUNNING, 10000000000ULL, 100500, 1, 1, 10.0, &u, &rd);
    ck_assert(isnan(rd));
    ck_assert(isnan(u)); /* one epoch for the whole VM */
    feed(&t, VIR_DOMAIN_RUNNING, 20000000000ULL, 101500, 1, 1, 20.0, &u, &rd);
    ck_assert_double_eq_tol(rd, 100.0, 1e-9);
    ck_assert_double_eq_tol(u, 100.0, 1e-9);
}
END_TEST

/* vsVmOperState of a bare record. */
static double oper(int state, int reason, int id, int managed_save)
{
    rec r = { .n = 0 };
    mgr_lv_dom d;
    mgr_lv_vmtrack t;
    double v[MGR_V__COUNT];
    add_int(&r, "state.state", state);
    add_int(&r, "state.reason", reason);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vmtrack_init(&t, "u");
    mgr_lv_vm_metrics(&t, &d, id, managed_save, 1.0, v);
    return v[MGR_V_STATE];
}

START_TEST(vm_oper_state_mapping)
{
    ck_assert(oper(VIR_DOMAIN_RUNNING, 0, 1, 0) == VS_VM_OPER_STATE_RUNNING);
    ck_assert(oper(VIR_DOMAIN_BLOCKED, 0, 1, 0) == VS_VM_OPER_STATE_RUNNING);
    ck_assert(oper(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, 1, 0) == VS_VM_OPER_STATE_PAUSED);
    ck_assert(oper(VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION, 1, 0)
              == VS_VM_OPER_STATE_MIGRATING);
    ck_assert(oper(VIR_DOMAIN_SHUTDOWN, 0, 1, 0) == VS_VM_OPER_STATE_SHUTTINGDOWN);
    ck_assert(oper(VIR_DOMAIN_SHUTOFF, 0, -1, 0) == VS_VM_OPER_STATE_SHUTDOWN);
    ck_assert(oper(VIR_DOMAIN_SHUTOFF, 0, -1, 1) == VS_VM_OPER_STATE_SUSPENDED);
    ck_assert(oper(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED, -1, 0)
              == VS_VM_OPER_STATE_CRASHED);
    ck_assert(oper(VIR_DOMAIN_CRASHED, 0, 1, 0) == VS_VM_OPER_STATE_CRASHED);
    ck_assert(oper(VIR_DOMAIN_PMSUSPENDED, 0, 1, 0) == VS_VM_OPER_STATE_SUSPENDED);
    ck_assert(oper(VIR_DOMAIN_NOSTATE, 0, 1, 0) == VS_VM_OPER_STATE_UNKNOWN);
}
END_TEST

START_TEST(vm_memory_fallbacks)
{
    rec r = { .n = 0 };
    mgr_lv_dom d;
    mgr_lv_vmtrack t;
    double v[MGR_V__COUNT];

    mgr_lv_vmtrack_init(&t, "u");
    add_int(&r, "state.state", VIR_DOMAIN_RUNNING);
    add_ull(&r, "balloon.current", 1000);
    add_ull(&r, "balloon.unused", 250);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(&t, &d, 1, 0, 1.0, v);
    ck_assert_double_eq_tol(v[MGR_V_MEM_USED], 750.0 * 1024, 1e-6);
    ck_assert_double_eq_tol(v[MGR_V_MEM_USED_PCT], 75.0, 1e-9);
    /* No guest figures: the host's resident size, the percentage capped at 100. */
    r.n = 0;
    add_int(&r, "state.state", VIR_DOMAIN_RUNNING);
    add_ull(&r, "balloon.current", 1000);
    add_ull(&r, "balloon.rss", 1200);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(&t, &d, 1, 0, 2.0, v);
    ck_assert_double_eq_tol(v[MGR_V_MEM_USED], 1200.0 * 1024, 1e-6);
    ck_assert(v[MGR_V_MEM_USED_PCT] == 100.0);
    /* Nothing at all (the test driver). */
    r.n = 0;
    add_int(&r, "state.state", VIR_DOMAIN_RUNNING);
    mgr_lv_dom_parse(r.p, r.n, &d);
    mgr_lv_vm_metrics(&t, &d, 1, 0, 3.0, v);
    ck_assert(isnan(v[MGR_V_MEM_USED]) && isnan(v[MGR_V_MEM_USED_PCT]));
}
END_TEST

static void cpu_stat(virNodeCPUStats *s, const char *f, unsigned long long v)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->field, sizeof(s->field), "%s", f);
    s->value = v;
}

START_TEST(host_cpu_util_from_deltas)
{
    virNodeCPUStats st[4];
    mgr_lv_cpu c;
    memset(&c, 0, sizeof(c));
    cpu_stat(&st[0], "kernel", 100);
    cpu_stat(&st[1], "user", 100);
    cpu_stat(&st[2], "idle", 800);
    cpu_stat(&st[3], "iowait", 0);
    ck_assert(isnan(mgr_lv_host_cpu_util(&c, st, 4, 1.0)));
    cpu_stat(&st[0], "kernel", 200);
    cpu_stat(&st[1], "user", 200);
    cpu_stat(&st[2], "idle", 1300);
    cpu_stat(&st[3], "iowait", 100); /* iowait counts as idle */
    ck_assert_double_eq_tol(mgr_lv_host_cpu_util(&c, st, 4, 2.0), 25.0, 1e-9);
    /* The test driver's figures never move: no sample rather than 0/0. */
    ck_assert(isnan(mgr_lv_host_cpu_util(&c, st, 4, 3.0)));
    cpu_stat(&st[0], "utilization", 42);
    ck_assert(mgr_lv_host_cpu_util(&c, st, 1, 4.0) == 42.0);
}
END_TEST

START_TEST(host_memory)
{
    virNodeMemoryStats st[4];
    double total, used, pct;
    const char *f[4] = { "total", "free", "buffers", "cached" };
    unsigned long long val[4] = { 1000, 100, 50, 250 };
    for (int i = 0; i < 4; i++) {
        memset(&st[i], 0, sizeof(st[i]));
        snprintf(st[i].field, sizeof(st[i].field), "%s", f[i]);
        st[i].value = val[i];
    }
    mgr_lv_host_mem(st, 4, 5000, &total, &used, &pct);
    ck_assert(total == 1000.0 * 1024);
    ck_assert(used == 600.0 * 1024);
    ck_assert_double_eq_tol(pct, 60.0, 1e-9);
    /* Unsupported (the test driver): the total from virNodeGetInfo, nothing else. */
    mgr_lv_host_mem(NULL, 0, 3145728, &total, &used, &pct);
    ck_assert(total == 3145728.0 * 1024);
    ck_assert(isnan(used) && isnan(pct));
    mgr_lv_host_mem(NULL, 0, 0, &total, &used, &pct);
    ck_assert(isnan(total));
}
END_TEST

/* Split uri and compare the parts with the expected ones (NULL for absent). */
static void check_split(const char *uri, const char *conn, const char *user, const char *pass)
{
    char *c, *u, *p;
    ck_assert_int_eq(mgr_lv_uri_split(uri, &c, &u, &p), 0);
    ck_assert_str_eq(c, conn);
    if (user == NULL)
        ck_assert_ptr_null(u);
    else
        ck_assert_str_eq(u, user);
    if (pass == NULL)
        ck_assert_ptr_null(p);
    else
        ck_assert_str_eq(p, pass);
    free(c);
    free(u);
    free(p);
}

START_TEST(uri_credentials)
{
    check_split("qemu+ssh://admin:s3cret@hv1:22/system", "qemu+ssh://admin@hv1:22/system", "admin",
                "s3cret");
    check_split("qemu+tcp://mon@hv1/system", "qemu+tcp://mon@hv1/system", "mon", NULL);
    check_split("qemu+tls://:pw@hv1/system", "qemu+tls://hv1/system", NULL, "pw");
    check_split("qemu+ssh://u:p@ss@hv1/system", "qemu+ssh://u@hv1/system", "u", "p@ss");
    check_split("test:///default", "test:///default", NULL, NULL);
    check_split("qemu:///system?x=a@b", "qemu:///system?x=a@b", NULL, NULL);
    check_split("not a uri", "not a uri", NULL, NULL);
}
END_TEST

static Suite *mgr_lv_suite(void)
{
    Suite *s = suite_create("mgr_lv");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, parse_sums_devices);
    tcase_add_test(tc, parse_incomplete_sum_is_absent);
    tcase_add_test(tc, parse_signature_follows_devices);
    tcase_add_test(tc, vm_rates_from_second_poll);
    tcase_add_test(tc, vm_restart_gives_no_sample);
    tcase_add_test(tc, vm_shutoff_between_polls_gives_no_sample);
    tcase_add_test(tc, vm_unplug_gives_no_negative_rate);
    tcase_add_test(tc, vm_oper_state_mapping);
    tcase_add_test(tc, vm_memory_fallbacks);
    tcase_add_test(tc, host_cpu_util_from_deltas);
    tcase_add_test(tc, host_memory);
    tcase_add_test(tc, uri_credentials);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(mgr_lv_suite)
