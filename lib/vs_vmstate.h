/* vs_vmstate: VIRTSIGHT-MIB's rules for VM states, as code: libvirt state to
 * vsVmOperState, the value vsVmAdminState reads, and which requested admin state or action
 * the current state accepts, with the libvirt call that carries it out. */
#ifndef VS_VMSTATE_H
#define VS_VMSTATE_H

/* What the rules need to know about a VM, as libvirt reports it. */
typedef struct {
    int state;            /* virDomainState */
    int reason;           /* the reason enumeration of that state */
    int active;           /* the VM has a running instance (a domain ID) */
    int persistent;       /* the VM has a persistent definition */
    int has_managed_save; /* a managed-save image exists (virDomainHasManagedSaveImage) */
} vs_vm_facts;

/* The libvirt call(s) a request leads to. */
typedef enum {
    VS_VM_OP_NONE,                /* already there: success without a call */
    VS_VM_OP_CREATE,              /* virDomainCreate (also restores a managed save) */
    VS_VM_OP_DESTROY_CREATE,      /* virDomainDestroy, then virDomainCreate */
    VS_VM_OP_RESUME,              /* virDomainResume */
    VS_VM_OP_PM_WAKEUP,           /* virDomainPMWakeup */
    VS_VM_OP_MANAGED_SAVE,        /* virDomainManagedSave */
    VS_VM_OP_SUSPEND,             /* virDomainSuspend */
    VS_VM_OP_SHUTDOWN,            /* virDomainShutdown */
    VS_VM_OP_DESTROY,             /* virDomainDestroy */
    VS_VM_OP_MANAGED_SAVE_REMOVE, /* virDomainManagedSaveRemove */
    VS_VM_OP_REBOOT,              /* virDomainReboot */
    VS_VM_OP_RESET                /* virDomainReset */
} vs_vm_op;

/* vsVmOperState (VS_VM_OPER_STATE_*) for the facts, per the MIB's VirtsightVmOperState. */
int vs_vm_oper_state(const vs_vm_facts *f);

/* The vsVmAdminState value (VS_VM_ADMIN_STATE_*) read while no request is pending, for an
 * oper state and whether the VM is active. */
int vs_vm_admin_state_read(int oper_state, int active);

/* Whether the VM, in the state the facts describe, accepts a write of admin_state
 * (VS_VM_ADMIN_STATE_*) to vsVmAdminState. Returns 0 and sets *op, or -1 when the MIB refuses
 * it (inconsistentValue; a value outside the enumeration is also -1, but the caller answers
 * it with wrongValue first). Does not log. */
int vs_vm_admin_request(int admin_state, const vs_vm_facts *f, vs_vm_op *op);

/* As vs_vm_admin_request, for a write of action (VS_VM_ACTION_*) to vsVmAction. */
int vs_vm_action_request(int action, const vs_vm_facts *f, vs_vm_op *op);

/* The state a lifecycle event (virDomainEventType event with its detail) leaves the VM in,
 * as libvirt would report it afterwards: f->state, f->reason and f->active are set (a
 * STOPPED event with detail SAVED also sets has_managed_save when the VM is persistent, as
 * f->persistent says on entry). Returns 0, or -1 for an event that is not a change of state
 * (DEFINED, UNDEFINED, SHUTDOWN, which a STOPPED event follows, PMSUSPENDED to disk, which
 * one also follows, and anything unknown). */
int vs_vm_event_state(int event, int detail, vs_vm_facts *f);

/* The libvirt API name(s) of an operation, for result texts and logs. */
const char *vs_vm_op_name(vs_vm_op op);

#endif /* VS_VMSTATE_H */
