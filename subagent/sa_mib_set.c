/* sa_mib_set: SET requests. RESERVE1 checks what a varbind alone can show (writable, type,
 * length, range), RESERVE2 what needs the rows (row exists, transition allowed now, limits,
 * hypervisor connected, nothing pending) and prepares one job per VM; nothing happens until
 * COMMIT, when every varbind of the request has passed everywhere: then the jobs go to the
 * hypervisors' threads and the enables are written. The checks run in the MIB's order across
 * all varbinds, so the error a request gets does not depend on the order of its varbinds. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "sa_ctl.h"
#include "sa_mib.h"
#include "sa_notify.h"
#include "vs_log.h"
#include "vs_mib.h"
#include "vs_vmstate.h"

typedef enum {
    T_NONE,      /* no such object: noCreation */
    T_READ_ONLY, /* an object that exists and cannot be written: notWritable */
    T_VM,        /* a writable VM column */
    T_SCALAR     /* a writable notification enable */
} target_kind;

typedef struct {
    target_kind kind;
    unsigned col; /* column or scalar number */
    int has_row;  /* T_VM: the instance is a well-formed (hvIndex, vmIndex) */
    int32_t hv_index, vm_index;
} target;

/* One VM's part of the request being checked. */
typedef struct {
    size_t hv; /* position in the view */
    sa_ctl_job *job;
} plan_row;

static struct {
    int active;
    long transid;
    plan_row *row;
    size_t n_row, cap_row;
    unsigned scalars; /* bit per enable written */
    long scalar_value[VS_SCALAR_NOTIFY_DISABLED + 1];
} plan;

static const sa_mib_control *ctl;

void sa_mib_set_control(const sa_mib_control *control)
{
    ctl = control;
}

static void plan_drop(void)
{
    for (size_t i = 0; i < plan.n_row; i++)
        free(plan.row[i].job);
    free(plan.row);
    memset(&plan, 0, sizeof(plan));
}

static const oid vm_entry[] = { VS_OID_VM_ENTRY };
static const oid notify_group[] = { VS_OID_NOTIFY_CONTROL };

static int writable_vm_col(oid col)
{
    return col <= VS_VM_ENTRY_LAST_COLUMN && (SA_CTL_COLS & SA_CTL_BIT(col));
}

static target classify(const netsnmp_variable_list *vb)
{
    target t = { T_NONE, 0, 0, 0, 0 };
    const size_t vl = OID_LENGTH(vm_entry), nl = OID_LENGTH(notify_group);
    sa_value dummy;

    if (vb->name_length > vl && snmp_oid_compare(vb->name, vl, vm_entry, vl) == 0
        && writable_vm_col(vb->name[vl])) {
        t.kind = T_VM;
        t.col = (unsigned)vb->name[vl];
        if (vb->name_length == vl + 3 && vb->name[vl + 1] >= 1 && vb->name[vl + 1] <= INT32_MAX
            && vb->name[vl + 2] >= 1 && vb->name[vl + 2] <= INT32_MAX) {
            t.has_row = 1;
            t.hv_index = (int32_t)vb->name[vl + 1];
            t.vm_index = (int32_t)vb->name[vl + 2];
        }
        return t;
    }
    if (vb->name_length == nl + 2 && snmp_oid_compare(vb->name, nl, notify_group, nl) == 0
        && vb->name[nl] >= VS_SCALAR_NOTIFY_ENABLE && vb->name[nl] <= VS_SCALAR_NOTIFY_HV_ENABLE
        && vb->name[nl + 1] == 0) {
        t.kind = T_SCALAR;
        t.col = (unsigned)vb->name[nl];
        return t;
    }
    if (sa_mib_get(vb->name, vb->name_length, &dummy) == 0)
        t.kind = T_READ_ONLY;
    return t;
}

/* The ASN.1 type a writable object takes. */
static u_char want_type(const target *t)
{
    if (t->kind == T_VM && (t->col == VS_COL_VM_VCPUS || t->col == VS_COL_VM_MEM_TARGET))
        return ASN_UNSIGNED;
    return ASN_INTEGER;
}

/* Whether value v is in the object's enumeration or range. */
static int value_ok(const target *t, const netsnmp_variable_list *vb)
{
    long sv = *vb->val.integer;
    unsigned long uv = (unsigned long)*vb->val.integer & 0xFFFFFFFFUL;

    if (t->kind == T_SCALAR)
        return sv == 1 || sv == 2;
    switch (t->col) {
    case VS_COL_VM_ADMIN_STATE:
        return sv >= VS_VM_ADMIN_STATE_RUNNING && sv <= VS_VM_ADMIN_STATE_OFF;
    case VS_COL_VM_ACTION:
        return sv >= VS_VM_ACTION_NONE && sv <= VS_VM_ACTION_RESET;
    case VS_COL_VM_AUTOSTART:
        return sv == VS_VM_AUTOSTART_TRUE || sv == VS_VM_AUTOSTART_FALSE;
    case VS_COL_VM_VCPUS:
        return uv >= VS_RANGE_VM_VCPUS_MIN && uv <= VS_RANGE_VM_VCPUS_MAX;
    case VS_COL_VM_MEM_TARGET:
        return uv >= VS_RANGE_VM_MEM_TARGET_MIN && uv <= VS_RANGE_VM_MEM_TARGET_MAX;
    default:
        return 0;
    }
}

/* RESERVE1's checks at one level for one varbind: 0 or the SNMP error. */
static int check1(int level, const netsnmp_variable_list *vb)
{
    target t = classify(vb);

    switch (level) {
    case 0: /* notWritable */
        if (t.kind == T_READ_ONLY || (t.kind == T_VM && (ctl == NULL || !ctl->power_control)))
            return SNMP_ERR_NOTWRITABLE;
        return 0;
    case 1: /* wrongType, wrongLength */
        if (t.kind != T_VM && t.kind != T_SCALAR)
            return 0;
        if (vb->type != want_type(&t))
            return SNMP_ERR_WRONGTYPE;
        if (vb->val_len != sizeof(long))
            return SNMP_ERR_WRONGLENGTH;
        return 0;
    default: /* wrongValue */
        if ((t.kind == T_VM || t.kind == T_SCALAR) && !value_ok(&t, vb))
            return SNMP_ERR_WRONGVALUE;
        return 0;
    }
}

/* The hypervisor position and VM of a row, or -1. */
static int find_row(const target *t, size_t *hv, const sa_snapshot **s, const sa_vm **vm)
{
    const sa_view *view = sa_mib_view();
    if (!t->has_row)
        return -1;
    for (size_t i = 0; i < view->n_hv; i++) {
        if (view->hv[i]->hv_index != t->hv_index)
            continue;
        *hv = i;
        *s = view->hv[i];
        *vm = sa_snapshot_find_vm(view->hv[i], t->vm_index);
        return *vm != NULL ? 0 : -1;
    }
    return -1;
}

/* The plan's row for (hv_index, vm_index), created when missing; NULL when memory is short. */
static plan_row *plan_row_get(size_t hv, const sa_snapshot *s, const sa_vm *vm)
{
    for (size_t i = 0; i < plan.n_row; i++) {
        if (plan.row[i].job->hv_index == s->hv_index && plan.row[i].job->vm_index == vm->index)
            return &plan.row[i];
    }
    if (plan.n_row == plan.cap_row) {
        size_t cap = plan.cap_row ? plan.cap_row * 2 : 4;
        plan_row *r = realloc(plan.row, cap * sizeof(*r));
        if (r == NULL)
            return NULL;
        plan.row = r;
        plan.cap_row = cap;
    }
    sa_ctl_job *job = calloc(1, sizeof(*job));
    if (job == NULL || sa_ctl_result_reserve(s->hv_index, vm->index) < 0) {
        free(job);
        return NULL;
    }
    job->hv_index = s->hv_index;
    job->vm_index = vm->index;
    memcpy(job->uuid, vm->uuid, SA_UUID_LEN);
    plan.row[plan.n_row].hv = hv;
    plan.row[plan.n_row].job = job;
    return &plan.row[plan.n_row++];
}

/* Whether the VM, as the snapshot shows it, accepts value in column col. */
static int consistent(const sa_vm *vm, unsigned col, unsigned long v)
{
    vs_vm_facts f = { vm->lv_state, vm->lv_reason, vm->active, vm->persistent,
                      vm->has_managed_save };
    vs_vm_op op;

    switch (col) {
    case VS_COL_VM_ADMIN_STATE:
        return vs_vm_admin_request((int)v, &f, &op) == 0;
    case VS_COL_VM_ACTION:
        return vs_vm_action_request((int)v, &f, &op) == 0;
    case VS_COL_VM_AUTOSTART:
        return v != VS_VM_AUTOSTART_TRUE || vm->persistent;
    case VS_COL_VM_VCPUS:
        return !(vm->has & SA_VM_HAS_VCPUS_MAX) || v <= vm->vcpus_max;
    case VS_COL_VM_MEM_TARGET:
        return !(vm->has & SA_VM_HAS_MEM_MAX) || v <= vm->mem_max_mib;
    default:
        return 0;
    }
}

/* RESERVE2's checks at one level for one varbind (level 1 also adds it to the plan): 0 or
 * the SNMP error. */
static int check2(int level, const netsnmp_variable_list *vb)
{
    target t = classify(vb);
    size_t hv = 0;
    const sa_snapshot *s = NULL;
    const sa_vm *vm = NULL;

    if (t.kind == T_NONE)
        return SNMP_ERR_NOCREATION;
    if (t.kind == T_SCALAR) {
        if (level == 1 && !sa_notify_can_save())
            return SNMP_ERR_RESOURCEUNAVAILABLE; /* it would not survive a restart */
        if (level == 1) {
            if (plan.scalars & (1u << t.col))
                return SNMP_ERR_INCONSISTENTVALUE; /* the same object twice */
            plan.scalars |= 1u << t.col;
            plan.scalar_value[t.col] = *vb->val.integer;
        }
        return 0;
    }
    if (t.kind != T_VM)
        return 0;
    if (find_row(&t, &hv, &s, &vm) < 0)
        return SNMP_ERR_NOCREATION;
    if (level == 0)
        return 0;

    unsigned long v = t.col == VS_COL_VM_VCPUS || t.col == VS_COL_VM_MEM_TARGET
                          ? (unsigned long)*vb->val.integer & 0xFFFFFFFFUL
                          : (unsigned long)*vb->val.integer;
    const sa_ctl_result *r = sa_ctl_result_find(s->hv_index, vm->index);
    if (!ctl->online(hv) || (r != NULL && r->status == VS_VM_ADMIN_RESULT_STATUS_PENDING)
        || !consistent(vm, t.col, v))
        return SNMP_ERR_INCONSISTENTVALUE;
    plan_row *row = plan_row_get(hv, s, vm);
    if (row == NULL)
        return SNMP_ERR_RESOURCEUNAVAILABLE;
    sa_ctl_job *job = row->job;
    unsigned both = SA_CTL_BIT(VS_COL_VM_ADMIN_STATE) | SA_CTL_BIT(VS_COL_VM_ACTION);
    if (job->cols & SA_CTL_BIT(t.col))
        return SNMP_ERR_INCONSISTENTVALUE; /* the same object twice */
    job->cols |= SA_CTL_BIT(t.col);
    job->value[t.col] = v;
    if ((job->cols & both) == both)
        return SNMP_ERR_INCONSISTENTVALUE;
    return 0;
}

/* Run one phase's checks, level by level over every varbind; the first failure is the
 * request's error. */
static void check_all(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests,
                      int levels, int (*check)(int, const netsnmp_variable_list *))
{
    for (int level = 0; level < levels; level++) {
        for (netsnmp_request_info *r = requests; r != NULL; r = r->next) {
            int err = check(level, r->requestvb);
            if (err != 0) {
                netsnmp_set_request_error(reqinfo, r, err);
                return;
            }
        }
    }
}

/* Whether a job needs a libvirt call: anything but requests the VM already satisfies. */
static int needs_call(const sa_snapshot *s, const sa_ctl_job *job)
{
    const sa_vm *vm = sa_snapshot_find_vm(s, job->vm_index);
    unsigned rest = job->cols & ~(SA_CTL_BIT(VS_COL_VM_ADMIN_STATE) | SA_CTL_BIT(VS_COL_VM_ACTION));
    if (rest != 0 || vm == NULL)
        return 1;
    if (job->cols & SA_CTL_BIT(VS_COL_VM_ACTION))
        return job->value[VS_COL_VM_ACTION] != VS_VM_ACTION_NONE;
    vs_vm_facts f = { vm->lv_state, vm->lv_reason, vm->active, vm->persistent,
                      vm->has_managed_save };
    vs_vm_op op;
    return vs_vm_admin_request((int)job->value[VS_COL_VM_ADMIN_STATE], &f, &op) < 0
           || op != VS_VM_OP_NONE;
}

/* Everything passed: hand the jobs over and write the enables. */
static void commit(void)
{
    const sa_view *view = sa_mib_view();
    char asked[SA_CTL_TEXT_MAX + 1];

    for (size_t i = 0; i < plan.n_row; i++) {
        sa_ctl_job *job = plan.row[i].job;
        const sa_snapshot *s = view->hv[plan.row[i].hv];
        int call = needs_call(s, job);
        sa_ctl_result_accept(job, call);
        const sa_vm *vm = sa_snapshot_find_vm(s, job->vm_index);
        VS_LOG(VS_LOG_NOTICE, s->name, "VM %s (index %d): accepted %s%s",
               vm != NULL ? vm->name : "?", (int)job->vm_index,
               sa_ctl_asked(job, asked, sizeof(asked)), call ? "" : " (nothing to do)");
        if (call)
            ctl->submit(plan.row[i].hv, job);
        else
            free(job);
        plan.row[i].job = NULL;
    }
    for (unsigned c = VS_SCALAR_NOTIFY_ENABLE; c <= VS_SCALAR_NOTIFY_HV_ENABLE; c++) {
        if (plan.scalars & (1u << c)) {
            VS_LOG(VS_LOG_NOTICE, NULL, "notification enable %u set to %s", c,
                   plan.scalar_value[c] == 1 ? "true" : "false");
            sa_notify_set_enable(c, plan.scalar_value[c]);
        }
    }
}

void sa_mib_set(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    long transid =
        reqinfo->asp != NULL && reqinfo->asp->pdu != NULL ? reqinfo->asp->pdu->transid : 0;
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1:
        plan_drop(); /* a request abandoned before its cleanup */
        plan.active = 1;
        plan.transid = transid;
        check_all(reqinfo, requests, 3, check1);
        break;
    case MODE_SET_RESERVE2:
        if (!plan.active || plan.transid != transid) {
            plan_drop();
            plan.active = 1;
            plan.transid = transid;
        }
        check_all(reqinfo, requests, 2, check2);
        break;
    case MODE_SET_ACTION:
        break; /* nothing irreversible until COMMIT */
    case MODE_SET_COMMIT:
        if (plan.active && plan.transid == transid)
            commit();
        plan_drop();
        break;
    default: /* FREE, UNDO */
        plan_drop();
        break;
    }
}

void sa_mib_set_free(void)
{
    plan_drop();
}
