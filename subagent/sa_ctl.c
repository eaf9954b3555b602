/* sa_ctl: control requests: what a job asks for in words, how the hypervisor's thread carries
 * it out with libvirt, and the outcome records the SNMP thread serves. */
#include "config.h"

#include "sa_ctl.h"

#include <libvirt/virterror.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_names.h"
#include "vs_vmstate.h"

/* ---- words ---- */

static const char *admin_word(unsigned long v)
{
    static const char *const w[] = { NULL, "running", "suspended", "paused", "shutdown", "off" };
    return v >= 1 && v <= 5 ? w[v] : "?";
}

static const char *action_word(unsigned long v)
{
    static const char *const w[] = { NULL, "none", "reboot", "reset" };
    return v >= 1 && v <= 3 ? w[v] : "?";
}

const char *sa_ctl_asked(const sa_ctl_job *job, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned col = 0; col <= VS_VM_ENTRY_LAST_COLUMN; col++) {
        if (!(job->cols & SA_CTL_BIT(col)) || n >= size)
            continue;
        const char *sep = n > 0 ? ", " : "";
        unsigned long v = job->value[col];
        int w = 0;
        switch (col) {
        case VS_COL_VM_ADMIN_STATE:
            w = snprintf(buf + n, size - n, "%svsVmAdminState=%s", sep, admin_word(v));
            break;
        case VS_COL_VM_ACTION:
            w = snprintf(buf + n, size - n, "%svsVmAction=%s", sep, action_word(v));
            break;
        case VS_COL_VM_AUTOSTART:
            w = snprintf(buf + n, size - n, "%svsVmAutostart=%s", sep,
                         v == VS_VM_AUTOSTART_TRUE ? "true" : "false");
            break;
        case VS_COL_VM_VCPUS:
            w = snprintf(buf + n, size - n, "%svsVmVcpus=%lu", sep, v);
            break;
        case VS_COL_VM_MEM_TARGET:
            w = snprintf(buf + n, size - n, "%svsVmMemTarget=%lu", sep, v);
            break;
        default:
            break;
        }
        if (w > 0)
            n += (size_t)w;
    }
    return buf;
}

/* ---- the hypervisor's side ---- */

/* Fail the job with a message (printf-style). */
static void job_fail(sa_ctl_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void job_fail(sa_ctl_job *job, const char *fmt, ...)
{
    va_list ap;
    job->failed = 1;
    va_start(ap, fmt);
    vsnprintf(job->error, sizeof(job->error), fmt, ap);
    va_end(ap);
}

/* libvirt's message for the last failure. */
static const char *lv_error(void)
{
    const char *m = virGetLastErrorMessage();
    return m != NULL ? m : "unknown error";
}

/* The VM's state now, as the transition rules need it. 0, or -1 with the job failed. */
static int read_facts(virDomainPtr dom, sa_ctl_job *job, vs_vm_facts *f)
{
    int state, reason;
    if (virDomainGetState(dom, &state, &reason, 0) < 0) {
        job_fail(job, "%s", lv_error());
        return -1;
    }
    int active = virDomainIsActive(dom);
    int persistent = virDomainIsPersistent(dom);
    if (active < 0 || persistent < 0) {
        job_fail(job, "%s", lv_error());
        return -1;
    }
    f->state = state;
    f->reason = reason;
    f->active = active;
    f->persistent = persistent;
    /* Only an inactive VM can have a managed-save image that matters; drivers without
     * managed save answer -1, which means none. */
    f->has_managed_save = !active && virDomainHasManagedSaveImage(dom, 0) > 0;
    return 0;
}

/* Make the call(s) of op. 0, or -1 with the job failed. */
static int run_op(virDomainPtr dom, vs_vm_op op, sa_ctl_job *job)
{
    int rc = 0;
    switch (op) {
    case VS_VM_OP_NONE:
        break;
    case VS_VM_OP_CREATE:
        rc = virDomainCreate(dom);
        break;
    case VS_VM_OP_DESTROY_CREATE:
        rc = virDomainDestroy(dom);
        if (rc == 0)
            rc = virDomainCreate(dom);
        break;
    case VS_VM_OP_RESUME:
        rc = virDomainResume(dom);
        break;
    case VS_VM_OP_PM_WAKEUP:
        rc = virDomainPMWakeup(dom, 0);
        break;
    case VS_VM_OP_MANAGED_SAVE:
        rc = virDomainManagedSave(dom, 0);
        break;
    case VS_VM_OP_SUSPEND:
        rc = virDomainSuspend(dom);
        break;
    case VS_VM_OP_SHUTDOWN:
        rc = virDomainShutdown(dom);
        break;
    case VS_VM_OP_DESTROY:
        rc = virDomainDestroy(dom);
        break;
    case VS_VM_OP_MANAGED_SAVE_REMOVE:
        rc = virDomainManagedSaveRemove(dom, 0);
        break;
    case VS_VM_OP_REBOOT:
        rc = virDomainReboot(dom, 0);
        break;
    case VS_VM_OP_RESET:
        rc = virDomainReset(dom, 0);
        break;
    }
    if (rc < 0) {
        job_fail(job, "%s", lv_error());
        return -1;
    }
    /* The lifecycle events these calls emit (a reboot, a reset and removing a saved image emit
     * none): the hypervisor's thread waits for them before its next sample, so that the
     * sample never shows a state whose events are still on their way. */
    static const unsigned char owed[] = {
        [VS_VM_OP_CREATE] = 1,    [VS_VM_OP_DESTROY_CREATE] = 2, [VS_VM_OP_RESUME] = 1,
        [VS_VM_OP_PM_WAKEUP] = 1, [VS_VM_OP_MANAGED_SAVE] = 1,   [VS_VM_OP_SUSPEND] = 1,
        [VS_VM_OP_SHUTDOWN] = 1,  [VS_VM_OP_DESTROY] = 1,
    };
    if ((size_t)op < sizeof(owed))
        job->events += owed[op];
    return 0;
}

/* Change a resource (vCPUs or memory) where the MIB says: the running VM and, when it has
 * one, its definition; or the definition of an inactive VM. Drivers that refuse LIVE and
 * CONFIG in one call (the test driver does, for memory) get two calls. 0, or -1 with the job
 * failed. */
static int set_resource(virDomainPtr dom, const vs_vm_facts *f, sa_ctl_job *job, int is_mem,
                        unsigned long v)
{
    unsigned flags = !f->active
                         ? VIR_DOMAIN_AFFECT_CONFIG
                         : VIR_DOMAIN_AFFECT_LIVE | (f->persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0);
    int rc = is_mem ? virDomainSetMemoryFlags(dom, v * 1024UL, flags)
                    : virDomainSetVcpusFlags(dom, (unsigned)v, flags);
    if (rc < 0 && flags == (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)
        && virGetLastErrorCode() == VIR_ERR_INVALID_ARG) {
        rc = is_mem ? virDomainSetMemoryFlags(dom, v * 1024UL, VIR_DOMAIN_AFFECT_LIVE)
                    : virDomainSetVcpusFlags(dom, (unsigned)v, VIR_DOMAIN_AFFECT_LIVE);
        if (rc == 0)
            rc = is_mem ? virDomainSetMemoryFlags(dom, v * 1024UL, VIR_DOMAIN_AFFECT_CONFIG)
                        : virDomainSetVcpusFlags(dom, (unsigned)v, VIR_DOMAIN_AFFECT_CONFIG);
    }
    if (rc < 0) {
        job_fail(job, "%s", lv_error());
        return -1;
    }
    return 0;
}

/* Carry out one column's request. 0, or -1 with the job failed. */
static int run_column(virDomainPtr dom, sa_ctl_job *job, unsigned col)
{
    vs_vm_facts f;
    vs_vm_op op;
    unsigned long v = job->value[col];
    char state[64];

    if (read_facts(dom, job, &f) < 0)
        return -1;
    sa_names_state_reason(f.state, f.reason, state, sizeof(state));
    switch (col) {
    case VS_COL_VM_ADMIN_STATE:
        if (vs_vm_admin_request((int)v, &f, &op) < 0) {
            job_fail(job, "not possible now: the VM is %s", state);
            return -1;
        }
        return run_op(dom, op, job);
    case VS_COL_VM_ACTION:
        if (vs_vm_action_request((int)v, &f, &op) < 0) {
            job_fail(job, "not possible now: the VM is %s", state);
            return -1;
        }
        return run_op(dom, op, job);
    case VS_COL_VM_AUTOSTART:
        if (!f.persistent && v != VS_VM_AUTOSTART_TRUE)
            return 0; /* a transient VM never autostarts */
        if (virDomainSetAutostart(dom, v == VS_VM_AUTOSTART_TRUE) < 0) {
            job_fail(job, "%s", lv_error());
            return -1;
        }
        return 0;
    case VS_COL_VM_VCPUS:
        return set_resource(dom, &f, job, 0, v);
    case VS_COL_VM_MEM_TARGET:
        return set_resource(dom, &f, job, 1, v);
    default:
        return 0;
    }
}

void sa_ctl_run(virConnectPtr conn, sa_ctl_job *job)
{
    job->failed = 0;
    job->error[0] = '\0';
    virDomainPtr dom = conn != NULL ? virDomainLookupByUUID(conn, job->uuid) : NULL;
    if (conn == NULL) {
        job_fail(job, "%s", "the hypervisor is not connected");
    } else if (dom == NULL) {
        job_fail(job, "%s", lv_error());
    } else {
        for (unsigned col = 0; col <= VS_VM_ENTRY_LAST_COLUMN; col++) {
            if ((job->cols & SA_CTL_BIT(col)) && run_column(dom, job, col) < 0)
                break;
        }
        virDomainFree(dom);
    }
    job->done = time(NULL);
}

void sa_ctl_free_list(sa_ctl_job *job)
{
    while (job != NULL) {
        sa_ctl_job *next = job->next;
        free(job);
        job = next;
    }
}

/* ---- outcomes (SNMP thread) ---- */

static struct {
    sa_ctl_result **rec; /* sorted by (hv_index, vm_index) */
    size_t n, cap;
} results;

static int result_cmp(int32_t hv, int32_t vm, const sa_ctl_result *r)
{
    if (hv != r->hv_index)
        return hv < r->hv_index ? -1 : 1;
    if (vm != r->vm_index)
        return vm < r->vm_index ? -1 : 1;
    return 0;
}

/* Position of (hv, vm) or where it would go; *found says which. */
static size_t result_pos(int32_t hv, int32_t vm, int *found)
{
    size_t lo = 0, hi = results.n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = result_cmp(hv, vm, results.rec[mid]);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

const sa_ctl_result *sa_ctl_result_find(int32_t hv_index, int32_t vm_index)
{
    int found;
    if (results.n == 0)
        return NULL;
    size_t pos = result_pos(hv_index, vm_index, &found);
    return found ? results.rec[pos] : NULL;
}

/* The record of (hv, vm), created when missing; NULL when memory is short. */
static sa_ctl_result *result_get(int32_t hv, int32_t vm)
{
    int found;
    size_t pos = result_pos(hv, vm, &found);
    if (found)
        return results.rec[pos];
    if (results.n == results.cap) {
        size_t cap = results.cap ? results.cap * 2 : 16;
        sa_ctl_result **rec = realloc(results.rec, cap * sizeof(*rec));
        if (rec == NULL)
            return NULL;
        results.rec = rec;
        results.cap = cap;
    }
    sa_ctl_result *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->hv_index = hv;
    r->vm_index = vm;
    r->status = VS_VM_ADMIN_RESULT_STATUS_NONE;
    memmove(&results.rec[pos + 1], &results.rec[pos], (results.n - pos) * sizeof(*results.rec));
    results.rec[pos] = r;
    results.n++;
    return r;
}

int sa_ctl_result_reserve(int32_t hv_index, int32_t vm_index)
{
    return result_get(hv_index, vm_index) != NULL ? 0 : -1;
}

int sa_ctl_result_accept(const sa_ctl_job *job, int needs_call)
{
    sa_ctl_result *r = result_get(job->hv_index, job->vm_index);
    if (r == NULL)
        return -1;
    r->status = needs_call ? VS_VM_ADMIN_RESULT_STATUS_PENDING : VS_VM_ADMIN_RESULT_STATUS_SUCCESS;
    r->pending_admin = needs_call && (job->cols & SA_CTL_BIT(VS_COL_VM_ADMIN_STATE))
                           ? (long)job->value[VS_COL_VM_ADMIN_STATE]
                           : 0;
    r->time = time(NULL);
    sa_ctl_asked(job, r->text, sizeof(r->text));
    return 0;
}

const sa_ctl_result *sa_ctl_result_done(const sa_ctl_job *job)
{
    sa_ctl_result *r = result_get(job->hv_index, job->vm_index);
    if (r == NULL)
        return NULL;
    r->status = job->failed ? VS_VM_ADMIN_RESULT_STATUS_FAILED : VS_VM_ADMIN_RESULT_STATUS_SUCCESS;
    r->pending_admin = 0;
    r->time = job->done;
    sa_ctl_asked(job, r->text, sizeof(r->text));
    if (job->failed) {
        size_t n = strlen(r->text);
        snprintf(r->text + n, sizeof(r->text) - n, ": %s", job->error);
    }
    return r;
}

void sa_ctl_result_clear(void)
{
    for (size_t i = 0; i < results.n; i++)
        free(results.rec[i]);
    free(results.rec);
    results.rec = NULL;
    results.n = results.cap = 0;
}
