/* Unit tests of sa_table over hand-built snapshots: GET and GETNEXT answers are checked
 * against a brute-force reference (every present cell, sorted by OID) for every table, with
 * thousands of probe names: exact cells, partial and over-long indexes, huge sub-identifiers,
 * columns out of range, names before and after each table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sa_mib.h"
#include "sa_table.h"
#include "vs_check.h"
#include "vs_mib.h"

#define MAX_CELLS 4096

typedef struct {
    oid name[MAX_OID_LEN];
    size_t len;
} cell_name;

static sa_snapshot *hv[3];
static const sa_snapshot *hvs[3];
static sa_view view;
static sa_notify_state notify = { 1, 1, 1, 2, 1, 5, 10, 3, 0 };
static cell_name cells[MAX_CELLS];
static size_t n_cells;

/* Add a VM with index, first UUID octet, name, and device counts to s (arena-allocated). */
static void add_vm(sa_snapshot *s, sa_vm *vm, int32_t index, unsigned char u0, const char *name,
                   size_t vcpus, size_t disks, size_t nics)
{
    memset(vm, 0, sizeof(*vm));
    vm->index = index;
    memset(vm->uuid, 0x11, SA_UUID_LEN);
    vm->uuid[0] = u0;
    vm->name = vs_arena_strdup(&s->arena, name);
    vm->os_type = vm->state_reason = "";
    vm->active = vcpus > 0;
    vm->oper_state = vm->active ? VS_VM_OPER_STATE_RUNNING : VS_VM_OPER_STATE_SHUTDOWN;
    vm->has = vm->active ? SA_VM_HAS_CPU_TIME | SA_VM_HAS_DOMAIN_ID : 0;
    vm->cpu_time_ns = 1000u * (unsigned)index;
    sa_vcpu *vc = vs_arena_calloc(&s->arena, vcpus + 1, sizeof(*vc));
    for (size_t i = 0; i < vcpus; i++) {
        vc[i].number = (uint32_t)i;
        vc[i].has = i % 2 ? SA_VCPU_HAS_TIME : SA_VCPU_HAS_TIME | SA_VCPU_HAS_STATE;
    }
    sa_disk *dk = vs_arena_calloc(&s->arena, disks + 1, sizeof(*dk));
    for (size_t i = 0; i < disks; i++) {
        dk[i].target = vs_arena_strdup(&s->arena, i ? "vdb" : "vda");
        dk[i].source = "";
        dk[i].has = i ? 0 : SA_DISK_HAS_CAPACITY | SA_DISK_HAS_RD_BYTES;
    }
    sa_nic *nc = vs_arena_calloc(&s->arena, nics + 1, sizeof(*nc));
    for (size_t i = 0; i < nics; i++) {
        nc[i].name = nc[i].model = nc[i].source_type = nc[i].source = "";
        nc[i].has = SA_NIC_HAS_MAC;
    }
    vm->vcpu = vc;
    vm->n_vcpu = vcpus;
    vm->disk = dk;
    vm->n_disk = disks;
    vm->nic = nc;
    vm->n_nic = nics;
}

static sa_snapshot *make_hv(int32_t index, const char *name, int connected)
{
    sa_snapshot *s = sa_snapshot_new();
    s->hv_index = index;
    s->name = vs_arena_strdup(&s->arena, name);
    s->conn_state = connected ? VS_HV_CONN_STATE_CONNECTED : VS_HV_CONN_STATE_DISCONNECTED;
    s->has = connected ? SA_HV_HAS_CPU_COUNT : 0;
    s->cpu_count = 8;
    return s;
}

static void setup(void)
{
    hv[0] = make_hv(1, "local", 1);
    sa_vm *v0 = vs_arena_calloc(&hv[0]->arena, 3, sizeof(sa_vm));
    add_vm(hv[0], &v0[0], 1, 0xff, "alpha", 2, 2, 1);
    add_vm(hv[0], &v0[1], 2, 0x00, "beta", 0, 0, 0);
    add_vm(hv[0], &v0[2], 5, 0x7f, "gamma", 1, 1, 2);
    hv[0]->vm = v0;
    hv[0]->n_vm = 3;
    hv[1] = make_hv(3, "down", 0);
    hv[2] = make_hv(7, "remote", 1);
    sa_vm *v2 = vs_arena_calloc(&hv[2]->arena, 2, sizeof(sa_vm));
    add_vm(hv[2], &v2[0], 3, 0x80, "delta", 4, 3, 0);
    add_vm(hv[2], &v2[1], 2147483647, 0x01, "last", 1, 0, 1);
    hv[2]->vm = v2;
    hv[2]->n_vm = 2;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(sa_snapshot_index_uuids(hv[i]), 0);
        hvs[i] = hv[i];
    }
    view.hv = hvs;
    view.n_hv = 3;
    sa_mib_set_view(&view, &notify);
}

static void teardown(void)
{
    for (int i = 0; i < 3; i++)
        sa_snapshot_unref(hv[i]);
}

static int cell_cmp(const void *a, const void *b)
{
    const cell_name *x = a, *y = b;
    return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

/* The reference: every present cell of t, enumerated naively, sorted by OID. */
static void reference(const sa_table *t)
{
    n_cells = 0;
    for (unsigned col = t->first_col; col <= t->last_col; col++) {
        if (!(t->columns >> col & 1u))
            continue;
        size_t nhv = t->scalar ? 1 : view.n_hv;
        for (size_t h = 0; h < nhv; h++) {
            size_t n1 = t->scalar ? 1 : t->l1_count(view.hv[h]);
            for (size_t a = 0; a < n1; a++) {
                size_t n2 = t->scalar ? 1 : t->l2_count(view.hv[h], a);
                for (size_t b = 0; b < n2; b++) {
                    sa_cursor c = { &view, h, a, b };
                    sa_value v;
                    if (t->cell(&c, col, &v) != 0)
                        continue;
                    cell_name *cn = &cells[n_cells++];
                    memcpy(cn->name, t->entry, t->entry_len * sizeof(oid));
                    cn->len = t->entry_len;
                    cn->name[cn->len++] = col;
                    if (t->scalar) {
                        cn->name[cn->len++] = 0;
                        continue;
                    }
                    cn->name[cn->len++] = (oid)view.hv[h]->hv_index;
                    cn->len += t->l1_key(view.hv[h], a, cn->name + cn->len);
                    if (t->l2_key)
                        cn->len += t->l2_key(view.hv[h], a, b, cn->name + cn->len);
                }
            }
        }
    }
    qsort(cells, n_cells, sizeof(cells[0]), cell_cmp);
}

/* Check GET and GETNEXT of one probe name against the reference. */
static void check_probe(const sa_table *t, const oid *name, size_t len)
{
    sa_value v;
    oid out[MAX_OID_LEN];
    size_t out_len = 0;
    size_t i = 0;
    while (i < n_cells && snmp_oid_compare(cells[i].name, cells[i].len, name, len) <= 0)
        i++;
    int rc = sa_table_getnext(t, &view, name, len, out, &out_len, &v);
    if (i == n_cells) {
        ck_assert_msg(rc == -1, "%s: GETNEXT past the last cell answered", t->name);
    } else {
        ck_assert_msg(rc == 0, "%s: GETNEXT found nothing, reference has cell %zu", t->name, i);
        ck_assert_msg(snmp_oid_compare(out, out_len, cells[i].name, cells[i].len) == 0,
                      "%s: GETNEXT gave the wrong instance", t->name);
    }
    int exact = 0;
    for (size_t k = 0; k < n_cells; k++)
        exact |= snmp_oid_compare(cells[k].name, cells[k].len, name, len) == 0;
    rc = sa_table_get(t, &view, name, len, &v);
    ck_assert_msg(exact ? rc == 0 : rc != 0, "%s: GET answered %d for a %s cell", t->name, rc,
                  exact ? "present" : "missing");
}

static const oid probe_values[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 17, 127, 128, 255, 256, 2147483647UL, 2147483648UL, 4294967295UL
};
#define N_PROBE_VALUES (sizeof(probe_values) / sizeof(probe_values[0]))

/* Every cell, its neighbours, and random names around the table. */
static void check_table(const sa_table *t)
{
    reference(t);
    ck_assert_uint_gt(n_cells, 0);
    for (size_t i = 0; i < n_cells; i++) {
        oid name[MAX_OID_LEN];
        memcpy(name, cells[i].name, cells[i].len * sizeof(oid));
        check_probe(t, name, cells[i].len);     /* exact */
        check_probe(t, name, cells[i].len - 1); /* partial index */
        name[cells[i].len] = 0;
        check_probe(t, name, cells[i].len + 1); /* longer than the index */
        name[cells[i].len - 1] += 1;
        check_probe(t, name, cells[i].len); /* just after */
    }
    srand(42);
    for (int k = 0; k < 4000; k++) {
        oid name[MAX_OID_LEN];
        size_t len = t->entry_len;
        memcpy(name, t->entry, len * sizeof(oid));
        if (rand() % 10 == 0)
            len -= (size_t)(rand() % 3);
        else
            name[len++] = (oid)(rand() % ((int)t->last_col + 3));
        size_t extra = (size_t)(rand() % 20);
        for (size_t j = 0; j < extra && len < MAX_OID_LEN; j++)
            name[len++] = probe_values[(size_t)rand() % N_PROBE_VALUES];
        check_probe(t, name, len);
    }
    /* Before and after the whole table. */
    static const oid before[] = { 1, 3, 6, 1 };
    check_probe(t, before, 4);
    oid after[MAX_OID_LEN];
    memcpy(after, t->entry, t->entry_len * sizeof(oid));
    after[t->entry_len - 1] += 1;
    check_probe(t, after, t->entry_len);
}

START_TEST(hv_table_walks_like_the_reference)
{
    check_table(&sa_mib_hv_table);
}
END_TEST

START_TEST(vm_table_walks_like_the_reference)
{
    check_table(&sa_mib_vm_table);
}
END_TEST

START_TEST(uuid_table_walks_in_uuid_order)
{
    check_table(&sa_mib_uuid_table);
    ck_assert_uint_eq(n_cells, 5);
    /* hv 1: UUIDs 00.. (vm 2), 7f.. (vm 5), ff.. (vm 1) */
    sa_value v;
    ck_assert_int_eq(sa_table_get(&sa_mib_uuid_table, &view, cells[0].name, cells[0].len, &v), 0);
    ck_assert_int_eq(v.num, 2);
    ck_assert_int_eq(sa_table_get(&sa_mib_uuid_table, &view, cells[2].name, cells[2].len, &v), 0);
    ck_assert_int_eq(v.num, 1);
}
END_TEST

START_TEST(device_tables_walk_like_the_reference)
{
    check_table(&sa_mib_vcpu_table);
    check_table(&sa_mib_disk_table);
    check_table(&sa_mib_nic_table);
}
END_TEST

START_TEST(scalars_walk_like_the_reference)
{
    check_table(&sa_mib_notify_scalars);
    ck_assert_uint_eq(n_cells, 9);
}
END_TEST

START_TEST(get_answers_values_and_exceptions)
{
    static const oid entry[] = { VS_OID_VM_ENTRY };
    oid name[MAX_OID_LEN];
    size_t n = VS_OID_VM_ENTRY_LEN;
    sa_value v;
    memcpy(name, entry, sizeof(entry));
    name[n] = VS_COL_VM_NAME;
    name[n + 1] = 7;
    name[n + 2] = 2147483647;
    ck_assert_int_eq(sa_table_get(&sa_mib_vm_table, &view, name, n + 3, &v), 0);
    ck_assert_int_eq(v.type, ASN_OCTET_STR);
    ck_assert_uint_eq(v.len, 4);
    ck_assert(memcmp(v.str, "last", 4) == 0);
    name[n] = VS_COL_VM_CPU_TIME;
    name[n + 1] = 1;
    name[n + 2] = 2; /* inactive VM: no CPU time */
    ck_assert_int_eq(sa_table_get(&sa_mib_vm_table, &view, name, n + 3, &v), SNMP_NOSUCHINSTANCE);
    name[n + 2] = 5;
    ck_assert_int_eq(sa_table_get(&sa_mib_vm_table, &view, name, n + 3, &v), 0);
    ck_assert_int_eq(v.type, ASN_COUNTER64);
    ck_assert(v.u64 == 5000);
    name[n] = 1; /* the index column is not accessible */
    ck_assert_int_eq(sa_table_get(&sa_mib_vm_table, &view, name, n + 3, &v), SNMP_NOSUCHOBJECT);
    name[n] = VS_VM_ENTRY_LAST_COLUMN + 1;
    ck_assert_int_eq(sa_table_get(&sa_mib_vm_table, &view, name, n + 3, &v), SNMP_NOSUCHOBJECT);
    name[n] = VS_COL_VM_NAME;
    name[n + 1] = 3; /* the disconnected hypervisor has no rows */
    name[n + 2] = 1;
    ck_assert_int_eq(sa_table_get(&sa_mib_vm_table, &view, name, n + 3, &v), SNMP_NOSUCHINSTANCE);
}
END_TEST

START_TEST(date_and_time_is_eleven_octets)
{
    unsigned char b[11];
    ck_assert_uint_eq(sa_mib_date_and_time(0, b), 11);
    ck_assert(b[8] == '+' || b[8] == '-');
    int year = b[0] << 8 | b[1];
    ck_assert(year == 1969 || year == 1970);
}
END_TEST

static Suite *table_suite(void)
{
    Suite *s = suite_create("sa_table");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hv_table_walks_like_the_reference);
    tcase_add_test(tc, vm_table_walks_like_the_reference);
    tcase_add_test(tc, uuid_table_walks_in_uuid_order);
    tcase_add_test(tc, device_tables_walk_like_the_reference);
    tcase_add_test(tc, scalars_walk_like_the_reference);
    tcase_add_test(tc, get_answers_values_and_exceptions);
    tcase_add_test(tc, date_and_time_is_eleven_octets);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(table_suite)
