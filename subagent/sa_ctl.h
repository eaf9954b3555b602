/* sa_ctl: control requests (SETs of a VM's writable objects). The SNMP thread checks a SET
 * and turns each VM's part of it into a job; the hypervisor's own thread carries the job out
 * with libvirt and hands it back with its outcome; the SNMP thread keeps the outcome of the
 * last job of each VM for the vsVmAdminResult columns. */
#ifndef SA_CTL_H
#define SA_CTL_H

#include <stdint.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "sa_snapshot.h"
#include "vs_mib.h"

#define SA_CTL_TEXT_MAX VS_SIZE_VM_ADMIN_RESULT_TEXT_MAX

/* The writable columns, as bits of sa_ctl_job.cols. */
#define SA_CTL_BIT(col) (1u << (col))
#define SA_CTL_COLS                                                                                \
    (SA_CTL_BIT(VS_COL_VM_ADMIN_STATE) | SA_CTL_BIT(VS_COL_VM_ACTION)                              \
     | SA_CTL_BIT(VS_COL_VM_AUTOSTART) | SA_CTL_BIT(VS_COL_VM_VCPUS)                               \
     | SA_CTL_BIT(VS_COL_VM_MEM_TARGET))

typedef struct sa_ctl_job {
    struct sa_ctl_job *next;
    int32_t hv_index, vm_index;
    unsigned char uuid[SA_UUID_LEN];
    unsigned cols;                                    /* SA_CTL_BIT of each column written */
    unsigned long value[VS_VM_ENTRY_LAST_COLUMN + 1]; /* the value written, by column */

    /* Filled in by sa_ctl_run. */
    unsigned events; /* lifecycle events libvirt owes for the calls made (STARTED, ...) */
    int failed;
    char error[512]; /* libvirt's message, or ours, when failed */
    time_t done;
} sa_ctl_job;

/* "vsVmAdminState=paused, vsVmVcpus=2": what the job asks for, as vsVmAdminResultText begins.
 * Returns buf. */
const char *sa_ctl_asked(const sa_ctl_job *job, char *buf, size_t size);

/* Carry the job out on conn (the hypervisor's thread): look the VM up by UUID, then for each
 * column written, in column order, read the VM's state afresh, check the request against it
 * and make the libvirt call. The first failure ends the job. */
void sa_ctl_run(virConnectPtr conn, sa_ctl_job *job);

/* Free a list of jobs; accepts NULL. */
void sa_ctl_free_list(sa_ctl_job *job);

/* ---- outcomes, kept by the SNMP thread ---- */

typedef struct {
    int32_t hv_index, vm_index;
    int status;         /* VS_VM_ADMIN_RESULT_STATUS_* */
    long pending_admin; /* admin state written by the pending request, 0 when none */
    time_t time;        /* when status last changed */
    char text[SA_CTL_TEXT_MAX + 1];
} sa_ctl_result;

/* The outcome record of a VM, or NULL when no request was made for it. */
const sa_ctl_result *sa_ctl_result_find(int32_t hv_index, int32_t vm_index);

/* Make sure (hv, vm) has a record, so that accepting a job later cannot fail. Returns 0, or
 * -1 when memory is short. */
int sa_ctl_result_reserve(int32_t hv_index, int32_t vm_index);

/* A job was accepted: its VM's record becomes pending (or, when no call is needed, success
 * at once). Returns 0, or -1 when memory is short. */
int sa_ctl_result_accept(const sa_ctl_job *job, int needs_call);

/* A job came back from the hypervisor's thread: its VM's record becomes success or failed.
 * Returns the record. */
const sa_ctl_result *sa_ctl_result_done(const sa_ctl_job *job);

/* Forget every record (at exit). */
void sa_ctl_result_clear(void);

#endif /* SA_CTL_H */
