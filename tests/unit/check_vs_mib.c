/* Unit tests of the generated OID header: the shape the code relies on, and the numbering the
 * MIB promises (RFC 7666 states) so that a MIB edit which breaks either fails here. */
#include "config.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vs_check.h"
#include "vs_mib.h"

static const oid root[] = { VS_OID_VIRTSIGHT_MIB };
static const oid vm_entry[] = { VS_OID_VM_ENTRY };
static const oid vm_name[] = { VS_OID_VM_NAME };
static const oid notifications[] = { VS_OID_NOTIFICATIONS };
static const oid state_changed[] = { VS_OID_VM_STATE_CHANGED };

/* Whether a (of length alen) is a prefix of b. */
static int oid_is_prefix(const oid *a, size_t alen, const oid *b, size_t blen)
{
    return alen <= blen && snmp_oid_compare(a, alen, b, alen) == 0;
}

START_TEST(lengths_match_arrays)
{
    ck_assert_uint_eq(sizeof(root) / sizeof(root[0]), VS_OID_VIRTSIGHT_MIB_LEN);
    ck_assert_uint_eq(sizeof(vm_entry) / sizeof(vm_entry[0]), VS_OID_VM_ENTRY_LEN);
    ck_assert_uint_eq(sizeof(vm_name) / sizeof(vm_name[0]), VS_OID_VM_NAME_LEN);
}
END_TEST

START_TEST(columns_sit_under_their_entry)
{
    ck_assert(oid_is_prefix(vm_entry, VS_OID_VM_ENTRY_LEN, vm_name, VS_OID_VM_NAME_LEN));
    ck_assert_uint_eq(VS_OID_VM_NAME_LEN, VS_OID_VM_ENTRY_LEN + 1);
    ck_assert_uint_eq(vm_name[VS_OID_VM_NAME_LEN - 1], VS_COL_VM_NAME);
    ck_assert_int_eq(VS_VM_ENTRY_LAST_COLUMN, VS_COL_VM_ADMIN_RESULT_TIME);
    ck_assert_int_eq(VS_HV_ENTRY_LAST_COLUMN, VS_COL_HV_SAMPLE_TIME);
}
END_TEST

START_TEST(layout_is_notifications_objects_conformance)
{
    ck_assert(
        oid_is_prefix(root, VS_OID_VIRTSIGHT_MIB_LEN, notifications, VS_OID_NOTIFICATIONS_LEN));
    ck_assert_uint_eq(notifications[VS_OID_NOTIFICATIONS_LEN - 1], 0);
    static const oid objects[] = { VS_OID_OBJECTS };
    static const oid conformance[] = { VS_OID_CONFORMANCE };
    ck_assert_uint_eq(objects[VS_OID_OBJECTS_LEN - 1], 1);
    ck_assert_uint_eq(conformance[VS_OID_CONFORMANCE_LEN - 1], 2);
    /* SNMPv2 notifications sit directly under the 0 arc, so v1 traps translate cleanly. */
    ck_assert_uint_eq(VS_OID_VM_STATE_CHANGED_LEN, VS_OID_NOTIFICATIONS_LEN + 1);
    ck_assert(oid_is_prefix(notifications, VS_OID_NOTIFICATIONS_LEN, state_changed,
                            VS_OID_VM_STATE_CHANGED_LEN));
}
END_TEST

START_TEST(oper_state_keeps_rfc7666_numbering)
{
    ck_assert_int_eq(VS_VM_OPER_STATE_UNKNOWN, 1);
    ck_assert_int_eq(VS_VM_OPER_STATE_OTHER, 2);
    ck_assert_int_eq(VS_VM_OPER_STATE_PREPARING, 3);
    ck_assert_int_eq(VS_VM_OPER_STATE_RUNNING, 4);
    ck_assert_int_eq(VS_VM_OPER_STATE_SUSPENDING, 5);
    ck_assert_int_eq(VS_VM_OPER_STATE_SUSPENDED, 6);
    ck_assert_int_eq(VS_VM_OPER_STATE_RESUMING, 7);
    ck_assert_int_eq(VS_VM_OPER_STATE_PAUSED, 8);
    ck_assert_int_eq(VS_VM_OPER_STATE_MIGRATING, 9);
    ck_assert_int_eq(VS_VM_OPER_STATE_SHUTTINGDOWN, 10);
    ck_assert_int_eq(VS_VM_OPER_STATE_SHUTDOWN, 11);
    ck_assert_int_eq(VS_VM_OPER_STATE_CRASHED, 12);
}
END_TEST

START_TEST(admin_state_keeps_rfc7666_numbering)
{
    ck_assert_int_eq(VS_VM_ADMIN_STATE_RUNNING, 1);
    ck_assert_int_eq(VS_VM_ADMIN_STATE_SUSPENDED, 2);
    ck_assert_int_eq(VS_VM_ADMIN_STATE_PAUSED, 3);
    ck_assert_int_eq(VS_VM_ADMIN_STATE_SHUTDOWN, 4);
    ck_assert_int_eq(VS_VM_ADMIN_STATE_OFF, 5);
}
END_TEST

START_TEST(types_and_ranges_come_through)
{
    ck_assert_int_eq(VS_TYPE_VM_CPU_TIME, ASN_COUNTER64);
    ck_assert_int_eq(VS_TYPE_HV_MEM_TOTAL, ASN_COUNTER64);
    ck_assert_int_eq(VS_TYPE_VM_VCPUS, ASN_UNSIGNED);
    ck_assert_int_eq(VS_TYPE_VM_CPU_UTIL, ASN_GAUGE);
    ck_assert_int_eq(VS_TYPE_VM_UUID, ASN_OCTET_STR);
    ck_assert_int_eq(VS_SIZE_VM_UUID_MIN, 16);
    ck_assert_int_eq(VS_SIZE_VM_UUID_MAX, 16);
    ck_assert_uint_eq(VS_RANGE_VM_CPU_UTIL_MAX, 10000U);
    ck_assert_uint_eq(VS_RANGE_VM_MEM_TARGET_MAX, 4294967295U);
    ck_assert_int_eq(VS_RANGE_VM_INDEX_MIN, 1);
}
END_TEST

static Suite *mib_suite(void)
{
    Suite *s = suite_create("vs_mib");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, lengths_match_arrays);
    tcase_add_test(tc, columns_sit_under_their_entry);
    tcase_add_test(tc, layout_is_notifications_objects_conformance);
    tcase_add_test(tc, oper_state_keeps_rfc7666_numbering);
    tcase_add_test(tc, admin_state_keeps_rfc7666_numbering);
    tcase_add_test(tc, types_and_ranges_come_through);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(mib_suite)
