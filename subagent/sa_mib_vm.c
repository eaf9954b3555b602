/* sa_mib_vm: the VM table and the UUID lookup table, served from the current snapshots. */
#include "config.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "sa_ctl.h"
#include "sa_mib_int.h"
#include "vs_mib.h"
#include "vs_vmstate.h"

/* TruthValue from a C flag. */
static long truth(int b)
{
    return b ? VS_VM_PERSISTENT_TRUE : VS_VM_PERSISTENT_FALSE;
}

/* The outcome columns and vsVmAdminState, which a pending request changes. */
static int vm_cell_admin(int32_t hv_index, const sa_vm *vm, unsigned col, sa_value *v)
{
    const sa_ctl_result *r = sa_ctl_result_find(hv_index, vm->index);
    int status = r != NULL ? r->status : VS_VM_ADMIN_RESULT_STATUS_NONE;

    switch (col) {
    case VS_COL_VM_ADMIN_STATE:
        if (status == VS_VM_ADMIN_RESULT_STATUS_PENDING && r->pending_admin != 0)
            return v_num(v, VS_TYPE_VM_ADMIN_STATE, r->pending_admin);
        return v_num(v, VS_TYPE_VM_ADMIN_STATE, vs_vm_admin_state_read(vm->oper_state, vm->active));
    case VS_COL_VM_ADMIN_RESULT_STATUS:
        return v_num(v, VS_TYPE_VM_ADMIN_RESULT_STATUS, status);
    case VS_COL_VM_ADMIN_RESULT_TEXT:
        return v_str(v, status != VS_VM_ADMIN_RESULT_STATUS_NONE ? r->text : "",
                     VS_SIZE_VM_ADMIN_RESULT_TEXT_MAX);
    default: /* vsVmAdminResultTime: absent while the status is none(1) */
        return status != VS_VM_ADMIN_RESULT_STATUS_NONE ? v_time(v, r->time) : 1;
    }
}

/* Columns that only describe identity and state. */
static int vm_cell_state(int32_t hv_index, const sa_vm *vm, unsigned col, sa_value *v)
{
    switch (col) {
    case VS_COL_VM_NAME:
        return v_str(v, vm->name, VS_SIZE_VM_NAME_MAX);
    case VS_COL_VM_UUID:
        return v_bytes(v, vm->uuid, SA_UUID_LEN);
    case VS_COL_VM_DOMAIN_ID:
        return vm->has & SA_VM_HAS_DOMAIN_ID ? v_num(v, VS_TYPE_VM_DOMAIN_ID, vm->domain_id) : 1;
    case VS_COL_VM_OS_TYPE:
        return v_str(v, vm->os_type, VS_SIZE_VM_OS_TYPE_MAX);
    case VS_COL_VM_PERSISTENT:
        return v_num(v, VS_TYPE_VM_PERSISTENT, truth(vm->persistent));
    case VS_COL_VM_OPER_STATE:
        return v_num(v, VS_TYPE_VM_OPER_STATE, vm->oper_state);
    case VS_COL_VM_STATE_REASON:
        return v_str(v, vm->state_reason, VS_SIZE_VM_STATE_REASON_MAX);
    case VS_COL_VM_LIBVIRT_STATE:
        return v_num(v, VS_TYPE_VM_LIBVIRT_STATE, vm->lv_state);
    case VS_COL_VM_LIBVIRT_REASON:
        return v_num(v, VS_TYPE_VM_LIBVIRT_REASON, vm->lv_reason);
    case VS_COL_VM_ACTION:
        return v_num(v, VS_TYPE_VM_ACTION, VS_VM_ACTION_NONE);
    case VS_COL_VM_AUTOSTART:
        return vm->has & SA_VM_HAS_AUTOSTART ? v_num(v, VS_TYPE_VM_AUTOSTART, truth(vm->autostart))
                                             : 1;
    default:
        return vm_cell_admin(hv_index, vm, col, v);
    }
}

/* Columns of resources and counters. */
static int vm_cell_resources(int32_t hv_index, const sa_vm *vm, unsigned col, sa_value *v)
{
    unsigned h = vm->has;

    switch (col) {
    case VS_COL_VM_VCPUS:
        return h & SA_VM_HAS_VCPUS ? v_num(v, VS_TYPE_VM_VCPUS, vm->vcpus) : 1;
    case VS_COL_VM_VCPUS_MAX:
        return h & SA_VM_HAS_VCPUS_MAX ? v_num(v, VS_TYPE_VM_VCPUS_MAX, vm->vcpus_max) : 1;
    case VS_COL_VM_MEM_TARGET:
        return h & SA_VM_HAS_MEM_TARGET ? v_num(v, VS_TYPE_VM_MEM_TARGET, vm->mem_target_mib) : 1;
    case VS_COL_VM_MEM_MAX:
        return h & SA_VM_HAS_MEM_MAX ? v_num(v, VS_TYPE_VM_MEM_MAX, vm->mem_max_mib) : 1;
    case VS_COL_VM_MEM_USED:
        return h & SA_VM_HAS_MEM_USED ? v_c64(v, vm->mem_used) : 1;
    case VS_COL_VM_MEM_AVAILABLE:
        return h & SA_VM_HAS_MEM_AVAILABLE ? v_c64(v, vm->mem_available) : 1;
    case VS_COL_VM_MEM_RSS:
        return h & SA_VM_HAS_MEM_RSS ? v_c64(v, vm->mem_rss) : 1;
    case VS_COL_VM_CPU_TIME:
        return h & SA_VM_HAS_CPU_TIME ? v_c64(v, vm->cpu_time_ns) : 1;
    case VS_COL_VM_CPU_UTIL:
        return h & SA_VM_HAS_CPU_UTIL ? v_num(v, VS_TYPE_VM_CPU_UTIL, vm->cpu_util) : 1;
    case VS_COL_VM_UPTIME:
        if (!vm->active)
            return v_num(v, VS_TYPE_VM_UPTIME, 0);
        return h & SA_VM_HAS_START_TIME ? v_num(v, VS_TYPE_VM_UPTIME, age(vm->start_time)) : 1;
    case VS_COL_VM_DISCONTINUITY_TIME:
        return v_time(v, vm->discontinuity);
    default:
        return vm_cell_state(hv_index, vm, col, v);
    }
}

static int vm_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_snapshot *s = sa_cursor_hv(c);
    return vm_cell_resources(s->hv_index, &s->vm[c->l1], col, v);
}

static const oid vm_entry[] = { VS_OID_VM_ENTRY };
const sa_table sa_mib_vm_table = {
    "vsVmTable",
    vm_entry,
    VS_OID_VM_ENTRY_LEN,
    VS_COL_VM_NAME,
    VS_VM_ENTRY_LAST_COLUMN,
    COLS(VS_COL_VM_NAME, VS_VM_ENTRY_LAST_COLUMN),
    0,
    sa_table_vm_count,
    sa_table_vm_key,
    sa_table_one,
    NULL,
    vm_cell,
};

/* ---- UUID lookup: the VMs in UUID order ---- */

static size_t uuid_key(const sa_snapshot *s, size_t l1, oid *out)
{
    const sa_vm *vm = &s->vm[s->by_uuid[l1]];
    for (size_t i = 0; i < SA_UUID_LEN; i++)
        out[i] = vm->uuid[i];
    return SA_UUID_LEN;
}

static int uuid_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_snapshot *s = sa_cursor_hv(c);
    if (col != VS_COL_VM_UUID_VM_INDEX)
        return 1;
    return v_num(v, VS_TYPE_VM_UUID_VM_INDEX, s->vm[s->by_uuid[c->l1]].index);
}

static const oid uuid_entry[] = { VS_OID_VM_UUID_ENTRY };
const sa_table sa_mib_uuid_table = {
    "vsVmUuidTable",
    uuid_entry,
    VS_OID_VM_UUID_ENTRY_LEN,
    VS_COL_VM_UUID_VM_INDEX,
    VS_VM_UUID_ENTRY_LAST_COLUMN,
    COLS(VS_COL_VM_UUID_VM_INDEX, VS_VM_UUID_ENTRY_LAST_COLUMN),
    0,
    sa_table_vm_count,
    uuid_key,
    sa_table_one,
    NULL,
    uuid_cell,
};
