/* vs_vmstate: VIRTSIGHT-MIB's rules for VM states, as code. Every rule here is written in the
 * DESCRIPTION of VirtsightVmOperState, vsVmAdminState or vsVmAction: change both together. */
#include "config.h"

#include "vs_vmstate.h"

#include <libvirt/libvirt.h>

#include "vs_mib.h"

/* vsVmOperState of a PAUSED VM, by its reason. */
static int oper_paused(int reason)
{
    switch (reason) {
    case VIR_DOMAIN_PAUSED_STARTING_UP:
        return VS_VM_OPER_STATE_PREPARING;
    case VIR_DOMAIN_PAUSED_SAVE:
        return VS_VM_OPER_STATE_SUSPENDING;
    case VIR_DOMAIN_PAUSED_MIGRATION:
    case VIR_DOMAIN_PAUSED_POSTCOPY:
        return VS_VM_OPER_STATE_MIGRATING;
    default:
        return VS_VM_OPER_STATE_PAUSED;
    }
}

int vs_vm_oper_state(const vs_vm_facts *f)
{
    switch (f->state) {
    case VIR_DOMAIN_NOSTATE:
        return VS_VM_OPER_STATE_UNKNOWN;
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
        return VS_VM_OPER_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
        return oper_paused(f->reason);
    case VIR_DOMAIN_SHUTDOWN:
        return VS_VM_OPER_STATE_SHUTTINGDOWN;
    case VIR_DOMAIN_SHUTOFF:
        if (f->has_managed_save)
            return VS_VM_OPER_STATE_SUSPENDED;
        if (f->reason == VIR_DOMAIN_SHUTOFF_CRASHED)
            return VS_VM_OPER_STATE_CRASHED;
        return VS_VM_OPER_STATE_SHUTDOWN;
    case VIR_DOMAIN_CRASHED:
        return VS_VM_OPER_STATE_CRASHED;
    case VIR_DOMAIN_PMSUSPENDED:
        return VS_VM_OPER_STATE_SUSPENDED;
    default:
        return VS_VM_OPER_STATE_OTHER;
    }
}

int vs_vm_admin_state_read(int oper_state, int active)
{
    switch (oper_state) {
    case VS_VM_OPER_STATE_RUNNING:
    case VS_VM_OPER_STATE_PREPARING:
    case VS_VM_OPER_STATE_RESUMING:
    case VS_VM_OPER_STATE_MIGRATING:
        return VS_VM_ADMIN_STATE_RUNNING;
    case VS_VM_OPER_STATE_SUSPENDING:
    case VS_VM_OPER_STATE_SUSPENDED:
        return VS_VM_ADMIN_STATE_SUSPENDED;
    case VS_VM_OPER_STATE_PAUSED:
        return VS_VM_ADMIN_STATE_PAUSED;
    case VS_VM_OPER_STATE_SHUTTINGDOWN:
    case VS_VM_OPER_STATE_SHUTDOWN:
    case VS_VM_OPER_STATE_CRASHED:
        return VS_VM_ADMIN_STATE_SHUTDOWN;
    default:
        return active ? VS_VM_ADMIN_STATE_RUNNING : VS_VM_ADMIN_STATE_SHUTDOWN;
    }
}

/* The operation for admin state running(1) from oper, or -1 when refused. */
static int request_running(int oper, const vs_vm_facts *f)
{
    switch (oper) {
    case VS_VM_OPER_STATE_SHUTDOWN:
        return VS_VM_OP_CREATE;
    case VS_VM_OPER_STATE_CRASHED:
        return f->active ? VS_VM_OP_DESTROY_CREATE : VS_VM_OP_CREATE;
    case VS_VM_OPER_STATE_SUSPENDED:
        return f->state == VIR_DOMAIN_PMSUSPENDED ? VS_VM_OP_PM_WAKEUP : VS_VM_OP_CREATE;
    case VS_VM_OPER_STATE_PAUSED:
        return VS_VM_OP_RESUME;
    case VS_VM_OPER_STATE_RUNNING:
        return VS_VM_OP_NONE;
    default:
        return -1;
    }
}

/* The operation for admin state off(5) from oper, or -1 when refused. */
static int request_off(int oper, const vs_vm_facts *f)
{
    switch (oper) {
    case VS_VM_OPER_STATE_RUNNING:
    case VS_VM_OPER_STATE_PAUSED:
    case VS_VM_OPER_STATE_PREPARING:
    case VS_VM_OPER_STATE_SUSPENDING:
    case VS_VM_OPER_STATE_MIGRATING:
    case VS_VM_OPER_STATE_SHUTTINGDOWN:
        return VS_VM_OP_DESTROY;
    case VS_VM_OPER_STATE_CRASHED:
        return f->active ? VS_VM_OP_DESTROY : VS_VM_OP_NONE;
    case VS_VM_OPER_STATE_SUSPENDED:
        return f->state == VIR_DOMAIN_PMSUSPENDED ? VS_VM_OP_DESTROY : VS_VM_OP_MANAGED_SAVE_REMOVE;
    case VS_VM_OPER_STATE_SHUTDOWN:
        return VS_VM_OP_NONE;
    default:
        return -1;
    }
}

int vs_vm_admin_request(int admin_state, const vs_vm_facts *f, vs_vm_op *op)
{
    int oper = vs_vm_oper_state(f);
    int r = -1;

    switch (admin_state) {
    case VS_VM_ADMIN_STATE_RUNNING:
        r = request_running(oper, f);
        break;
    case VS_VM_ADMIN_STATE_SUSPENDED:
        if (oper == VS_VM_OPER_STATE_SUSPENDED)
            r = VS_VM_OP_NONE;
        else if ((oper == VS_VM_OPER_STATE_RUNNING || oper == VS_VM_OPER_STATE_PAUSED)
                 && f->persistent)
            r = VS_VM_OP_MANAGED_SAVE;
        break;
    case VS_VM_ADMIN_STATE_PAUSED:
        if (oper == VS_VM_OPER_STATE_RUNNING)
            r = VS_VM_OP_SUSPEND;
        else if (oper == VS_VM_OPER_STATE_PAUSED)
            r = VS_VM_OP_NONE;
        break;
    case VS_VM_ADMIN_STATE_SHUTDOWN:
        if (oper == VS_VM_OPER_STATE_RUNNING)
            r = VS_VM_OP_SHUTDOWN;
        else if (oper == VS_VM_OPER_STATE_SHUTTINGDOWN || oper == VS_VM_OPER_STATE_SHUTDOWN)
            r = VS_VM_OP_NONE;
        break;
    case VS_VM_ADMIN_STATE_OFF:
        r = request_off(oper, f);
        break;
    default:
        break;
    }
    if (r < 0)
        return -1;
    *op = (vs_vm_op)r;
    return 0;
}

int vs_vm_action_request(int action, const vs_vm_facts *f, vs_vm_op *op)
{
    int running = vs_vm_oper_state(f) == VS_VM_OPER_STATE_RUNNING;

    switch (action) {
    case VS_VM_ACTION_NONE:
        *op = VS_VM_OP_NONE;
        return 0;
    case VS_VM_ACTION_REBOOT:
        if (!running)
            return -1;
        *op = VS_VM_OP_REBOOT;
        return 0;
    case VS_VM_ACTION_RESET:
        if (!running)
            return -1;
        *op = VS_VM_OP_RESET;
        return 0;
    default:
        return -1;
    }
}

/* RUNNING's reason after a STARTED or RESUMED event with this detail. */
static int running_reason(int event, int detail)
{
    if (event == VIR_DOMAIN_EVENT_STARTED) {
        switch (detail) {
        case VIR_DOMAIN_EVENT_STARTED_BOOTED:
            return VIR_DOMAIN_RUNNING_BOOTED;
        case VIR_DOMAIN_EVENT_STARTED_MIGRATED:
            return VIR_DOMAIN_RUNNING_MIGRATED;
        case VIR_DOMAIN_EVENT_STARTED_RESTORED:
            return VIR_DOMAIN_RUNNING_RESTORED;
        case VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT:
            return VIR_DOMAIN_RUNNING_FROM_SNAPSHOT;
        case VIR_DOMAIN_EVENT_STARTED_WAKEUP:
            return VIR_DOMAIN_RUNNING_WAKEUP;
        default:
            return VIR_DOMAIN_RUNNING_UNKNOWN;
        }
    }
    switch (detail) {
    case VIR_DOMAIN_EVENT_RESUMED_UNPAUSED:
        return VIR_DOMAIN_RUNNING_UNPAUSED;
    case VIR_DOMAIN_EVENT_RESUMED_MIGRATED:
        return VIR_DOMAIN_RUNNING_MIGRATION_CANCELED;
    case VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT:
        return VIR_DOMAIN_RUNNING_FROM_SNAPSHOT;
    case VIR_DOMAIN_EVENT_RESUMED_POSTCOPY:
        return VIR_DOMAIN_RUNNING_POSTCOPY;
    default:
        return VIR_DOMAIN_RUNNING_UNKNOWN;
    }
}

/* PAUSED's reason after a SUSPENDED event with this detail. */
static int paused_reason(int detail)
{
    switch (detail) {
    case VIR_DOMAIN_EVENT_SUSPENDED_PAUSED:
        return VIR_DOMAIN_PAUSED_USER;
    case VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED:
        return VIR_DOMAIN_PAUSED_MIGRATION;
    case VIR_DOMAIN_EVENT_SUSPENDED_IOERROR:
        return VIR_DOMAIN_PAUSED_IOERROR;
    case VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG:
        return VIR_DOMAIN_PAUSED_WATCHDOG;
    case VIR_DOMAIN_EVENT_SUSPENDED_RESTORED:
    case VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT:
        return VIR_DOMAIN_PAUSED_FROM_SNAPSHOT;
    case VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR:
        return VIR_DOMAIN_PAUSED_UNKNOWN;
    case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY:
        return VIR_DOMAIN_PAUSED_POSTCOPY;
    case VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED:
        return VIR_DOMAIN_PAUSED_POSTCOPY_FAILED;
    default:
        return VIR_DOMAIN_PAUSED_UNKNOWN;
    }
}

/* SHUTOFF's reason after a STOPPED event with this detail. */
static int shutoff_reason(int detail)
{
    switch (detail) {
    case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN:
        return VIR_DOMAIN_SHUTOFF_SHUTDOWN;
    case VIR_DOMAIN_EVENT_STOPPED_DESTROYED:
        return VIR_DOMAIN_SHUTOFF_DESTROYED;
    case VIR_DOMAIN_EVENT_STOPPED_CRASHED:
        return VIR_DOMAIN_SHUTOFF_CRASHED;
    case VIR_DOMAIN_EVENT_STOPPED_MIGRATED:
        return VIR_DOMAIN_SHUTOFF_MIGRATED;
    case VIR_DOMAIN_EVENT_STOPPED_SAVED:
        return VIR_DOMAIN_SHUTOFF_SAVED;
    case VIR_DOMAIN_EVENT_STOPPED_FAILED:
        return VIR_DOMAIN_SHUTOFF_FAILED;
    case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT:
        return VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT;
    default:
        return VIR_DOMAIN_SHUTOFF_UNKNOWN;
    }
}

int vs_vm_event_state(int event, int detail, vs_vm_facts *f)
{
    f->has_managed_save = 0;
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
        f->state = VIR_DOMAIN_RUNNING;
        f->reason = running_reason(event, detail);
        f->active = 1;
        return 0;
    case VIR_DOMAIN_EVENT_SUSPENDED:
        f->state = VIR_DOMAIN_PAUSED;
        f->reason = paused_reason(detail);
        f->active = 1;
        return 0;
    case VIR_DOMAIN_EVENT_STOPPED:
        f->state = VIR_DOMAIN_SHUTOFF;
        f->reason = shutoff_reason(detail);
        f->active = 0;
        f->has_managed_save = detail == VIR_DOMAIN_EVENT_STOPPED_SAVED && f->persistent;
        return 0;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
        if (detail != VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY)
            return -1;
        f->state = VIR_DOMAIN_PMSUSPENDED;
        f->reason = VIR_DOMAIN_PMSUSPENDED_UNKNOWN;
        f->active = 1;
        return 0;
    case VIR_DOMAIN_EVENT_CRASHED:
        f->state = VIR_DOMAIN_CRASHED;
        f->reason = detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED ? VIR_DOMAIN_CRASHED_PANICKED
                                                                : VIR_DOMAIN_CRASHED_UNKNOWN;
        f->active = 1;
        return 0;
    default:
        return -1;
    }
}

const char *vs_vm_op_name(vs_vm_op op)
{
    switch (op) {
    case VS_VM_OP_NONE:
        return "none";
    case VS_VM_OP_CREATE:
        return "virDomainCreate";
    case VS_VM_OP_DESTROY_CREATE:
        return "virDomainDestroy+virDomainCreate";
    case VS_VM_OP_RESUME:
        return "virDomainResume";
    case VS_VM_OP_PM_WAKEUP:
        return "virDomainPMWakeup";
    case VS_VM_OP_MANAGED_SAVE:
        return "virDomainManagedSave";
    case VS_VM_OP_SUSPEND:
        return "virDomainSuspend";
    case VS_VM_OP_SHUTDOWN:
        return "virDomainShutdown";
    case VS_VM_OP_DESTROY:
        return "virDomainDestroy";
    case VS_VM_OP_MANAGED_SAVE_REMOVE:
        return "virDomainManagedSaveRemove";
    case VS_VM_OP_REBOOT:
        return "virDomainReboot";
    case VS_VM_OP_RESET:
        return "virDomainReset";
    }
    return "unknown";
}
