/* sa_notify: deciding and sending VIRTSIGHT-MIB's notifications (SNMP thread).
 *
 * Each hypervisor has a list of tracked VMs, sorted by vsVmIndex and rebuilt by merging with
 * each new snapshot. A VM's tracked state changes when a lifecycle event or a snapshot shows a
 * different oper state; that change is notified once whichever of the two shows it first:
 * the other then shows the state already tracked. A snapshot that started before the last
 * event applied to a VM (its event_seq is lower) may be older than that event, and is not
 * compared for that VM. */
#include "config.h"

#include "sa_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "sa_names.h"
#include "sa_sample.h"
#include "vs_log.h"
#include "vs_mib.h"
#include "vs_vmstate.h"

#define ENABLES_FILE "notify-enables"
#define QUEUE_MAX 10000 /* notifications kept while the master is away */

typedef struct {
    int32_t index;
    unsigned char uuid[SA_UUID_LEN];
    char *name;
    int persistent;
    int cur;                 /* oper state last seen */
    int lv_state, lv_reason; /* libvirt's state and reason with it */
    int notified;            /* oper state of the last notification, or when first seen */
    uint64_t event_seq;      /* last lifecycle event applied */
    double hold_until;       /* monotonic end of the hold-down, 0 when none */
    uint32_t held;           /* changes held during it */
} vm_track;

typedef struct {
    vm_track *vm; /* by index */
    size_t n;
    time_t conn_since; /* connected_since of the snapshot the list was built from, 0 none */
    int lost_sent;     /* vsHvConnectionLost sent, vsHvConnectionRestored not yet */
} hv_track;

typedef struct queued {
    struct queued *next;
    netsnmp_variable_list *vars;
} queued;

static struct {
    sa_notify_state ctl;
    char *enables_path;
    hv_track *hv;
    size_t n_hv;
    int connected;   /* to the master */
    int master_lost; /* the outage was logged */
    queued *queue, **queue_tail;
    size_t queued;
    unsigned long dropped; /* while the master was away, not yet logged */
    unsigned hold_alarm;   /* snmp_alarm handle, 0 when none */
    unsigned flush_alarm;
} N;

static const oid trap_oid_name[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 }; /* snmpTrapOID.0 */

/* ---- the enables ---- */

static int *enable_ptr(unsigned scalar)
{
    switch (scalar) {
    case VS_SCALAR_NOTIFY_ENABLE:
        return &N.ctl.enable;
    case VS_SCALAR_NOTIFY_STATE_ENABLE:
        return &N.ctl.state_enable;
    case VS_SCALAR_NOTIFY_LIFECYCLE_ENABLE:
        return &N.ctl.lifecycle_enable;
    case VS_SCALAR_NOTIFY_ADMIN_ENABLE:
        return &N.ctl.admin_enable;
    case VS_SCALAR_NOTIFY_HV_ENABLE:
        return &N.ctl.hv_enable;
    default:
        return NULL;
    }
}

static const struct {
    const char *name;
    unsigned scalar;
} enable_names[] = {
    { "vsNotifyEnable", VS_SCALAR_NOTIFY_ENABLE },
    { "vsNotifyStateEnable", VS_SCALAR_NOTIFY_STATE_ENABLE },
    { "vsNotifyLifecycleEnable", VS_SCALAR_NOTIFY_LIFECYCLE_ENABLE },
    { "vsNotifyAdminEnable", VS_SCALAR_NOTIFY_ADMIN_ENABLE },
    { "vsNotifyHvEnable", VS_SCALAR_NOTIFY_HV_ENABLE },
};
#define N_ENABLES (sizeof(enable_names) / sizeof(enable_names[0]))

/* Read the enables file: lines "NAME true|false", '#' comments. 0, or -1 (logged). */
static int enables_read(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    unsigned lineno = 0;

    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        VS_LOG(VS_LOG_ERR, NULL, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char name[64], value[16], extra[2];
        lineno++;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
            continue;
        int n = sscanf(line, "%63s %15s %1s", name, value, extra);
        size_t i = 0, v = 0;
        if (n == 2) {
            while (i < N_ENABLES && strcmp(name, enable_names[i].name) != 0)
                i++;
            v = !strcmp(value, "true") ? 1 : !strcmp(value, "false") ? 2 : 0;
        }
        if (n != 2 || i == N_ENABLES || v == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            VS_LOG(VS_LOG_ERR, NULL,
                   "%s:%u: expected \"NAME true|false\" with NAME one of vsNotifyEnable, "
                   "vsNotifyStateEnable, vsNotifyLifecycleEnable, vsNotifyAdminEnable, "
                   "vsNotifyHvEnable, not \"%s\"",
                   path, lineno, line);
            fclose(f);
            return -1;
        }
        *enable_ptr(enable_names[i].scalar) = (int)v;
    }
    fclose(f);
    return 0;
}

/* Save the enables: temporary file, fsync, rename. 0 or -1 (logged). */
static int enables_write(void)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", N.enables_path);
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL;
    if (ok) {
        fprintf(f, "# virtsight-subagent: notification enables written with snmpset.\n");
        for (size_t i = 0; i < N_ENABLES; i++)
            fprintf(f, "%s %s\n", enable_names[i].name,
                    *enable_ptr(enable_names[i].scalar) == 1 ? "true" : "false");
        ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok = fclose(f) == 0 && ok;
        ok = ok && rename(tmp, N.enables_path) == 0;
    }
    if (!ok) {
        VS_LOG(VS_LOG_ERR, NULL, "cannot save the notification enables to %s: %s", N.enables_path,
               strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int sa_notify_can_save(void)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", N.enables_path != NULL ? N.enables_path : "");
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        VS_LOG(VS_LOG_ERR, NULL, "cannot create %s to save the notification enables: %s", dir,
               strerror(errno));
        return 0;
    }
    if (access(dir, W_OK) != 0) {
        VS_LOG(VS_LOG_ERR, NULL, "cannot save the notification enables in %s: %s", dir,
               strerror(errno));
        return 0;
    }
    return 1;
}

void sa_notify_set_enable(unsigned scalar, long value)
{
    int *p = enable_ptr(scalar);
    if (p == NULL || *p == (int)value)
        return;
    *p = (int)value;
    enables_write();
}

const sa_notify_state *sa_notify_control(void)
{
    return &N.ctl;
}

/* Whether notifications of the class with this enable go out. */
static int enabled(int class_enable)
{
    return N.ctl.enable == 1 && class_enable == 1;
}

/* ---- sending ---- */

static void queue_flush(unsigned reg, void *arg);

static int on_master_up(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    (void)server;
    (void)client;
    if (N.master_lost)
        VS_LOG(VS_LOG_NOTICE, NULL, "joined the AgentX master again");
    N.master_lost = 0;
    /* Net-SNMP's own warning for each failed attempt is back on for the next outage. */
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 0);
    N.connected = 1;
    /* The session is being opened: send what waited once this callback has returned. */
    if (N.queue != NULL && N.flush_alarm == 0) {
        struct timeval tv = { 0, 10000 };
        N.flush_alarm = snmp_alarm_register_hr(tv, 0, queue_flush, NULL);
    }
    return 0;
}

static int on_master_down(int major, int minor, void *server, void *client)
{
    (void)major;
    (void)minor;
    (void)server;
    (void)client;
    N.connected = 0;
    sa_notify_master_away();
    return 0;
}

void sa_notify_master_away(void)
{
    if (N.connected || N.master_lost)
        return;
    /* One line per outage: Net-SNMP would warn at each attempt (every ping interval). */
    VS_LOG(VS_LOG_WARNING, NULL,
           "not joined to the AgentX master; trying again every %d s, notifications wait",
           netsnmp_ds_get_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL));
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
    N.master_lost = 1;
}

/* Hand vars to the master (or keep them until it is back); takes them. */
static void send_vars(netsnmp_variable_list *vars)
{
    if (N.connected && N.queue == NULL) {
        send_v2trap(vars);
        snmp_free_varbind(vars);
        N.ctl.sent++;
        return;
    }
    queued *q = N.queued < QUEUE_MAX ? malloc(sizeof(*q)) : NULL;
    if (q == NULL) {
        if (N.dropped++ == 0)
            VS_LOG(VS_LOG_WARNING, NULL,
                   "the AgentX master has been away too long: dropping notifications");
        snmp_free_varbind(vars);
        return;
    }
    q->next = NULL;
    q->vars = vars;
    *N.queue_tail = q;
    N.queue_tail = &q->next;
    N.queued++;
}

static void queue_flush(unsigned reg, void *arg)
{
    (void)reg;
    (void)arg;
    N.flush_alarm = 0;
    if (!N.connected)
        return;
    if (N.queued > 0)
        VS_LOG(VS_LOG_NOTICE, NULL, "sending %zu notification%s raised while the master was away",
               N.queued, N.queued == 1 ? "" : "s");
    if (N.dropped > 0)
        VS_LOG(VS_LOG_WARNING, NULL, "%lu notification%s dropped while the master was away",
               N.dropped, N.dropped == 1 ? " was" : "s were");
    N.dropped = 0;
    while (N.queue != NULL) {
        queued *q = N.queue;
        N.queue = q->next;
        send_v2trap(q->vars);
        snmp_free_varbind(q->vars);
        free(q);
        N.ctl.sent++;
    }
    N.queue_tail = &N.queue;
    N.queued = 0;
}

/* Start a notification: snmpTrapOID.0 = trap. */
static netsnmp_variable_list *vars_new(const oid *trap, size_t trap_len)
{
    netsnmp_variable_list *vars = NULL;
    snmp_varlist_add_variable(&vars, trap_oid_name, OID_LENGTH(trap_oid_name), ASN_OBJECT_ID, trap,
                              trap_len * sizeof(oid));
    return vars;
}

/* Add object base.instance with a value. */
static void vars_add(netsnmp_variable_list **vars, const oid *base, size_t base_len,
                     const oid *inst, size_t inst_len, u_char type, const void *val, size_t len)
{
    oid name[MAX_OID_LEN];
    memcpy(name, base, base_len * sizeof(oid));
    memcpy(name + base_len, inst, inst_len * sizeof(oid));
    snmp_varlist_add_variable(vars, name, base_len + inst_len, type, val, len);
}

static void vars_int(netsnmp_variable_list **vars, const oid *base, size_t base_len,
                     const oid *inst, size_t inst_len, u_char type, long v)
{
    vars_add(vars, base, base_len, inst, inst_len, type, &v, sizeof(v));
}

static void vars_str(netsnmp_variable_list **vars, const oid *base, size_t base_len,
                     const oid *inst, size_t inst_len, const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    vars_add(vars, base, base_len, inst, inst_len, ASN_OCTET_STR, s, len);
}

static const oid o_hv_name[] = { VS_OID_HV_NAME }, o_hv_uri[] = { VS_OID_HV_URI };
static const oid o_hv_last_error[] = { VS_OID_HV_LAST_ERROR };
static const oid o_hv_conn_state[] = { VS_OID_HV_CONN_STATE };
static const oid o_vm_name[] = { VS_OID_VM_NAME }, o_vm_uuid[] = { VS_OID_VM_UUID };
static const oid o_vm_oper[] = { VS_OID_VM_OPER_STATE };
static const oid o_vm_reason[] = { VS_OID_VM_STATE_REASON };
static const oid o_vm_persistent[] = { VS_OID_VM_PERSISTENT };
static const oid o_vm_result_text[] = { VS_OID_VM_ADMIN_RESULT_TEXT };
static const oid o_prev[] = { VS_OID_NOTIFY_PREV_OPER_STATE };
static const oid o_coalesced[] = { VS_OID_NOTIFY_COALESCED };

#define OBJ(o) o, OID_LENGTH(o)

/* A notification about a VM: snmpTrapOID, vsHvName.hv, then vsVmName and vsVmUuid.hv.vm. */
static netsnmp_variable_list *vm_vars(const oid *trap, size_t trap_len, const sa_snapshot *s,
                                      int32_t index, const char *name, const unsigned char *uuid)
{
    oid hv_inst[1] = { (oid)s->hv_index };
    oid vm_inst[2] = { (oid)s->hv_index, (oid)index };
    netsnmp_variable_list *vars = vars_new(trap, trap_len);
    vars_str(&vars, OBJ(o_hv_name), hv_inst, 1, s->name, VS_SIZE_HV_NAME_MAX);
    vars_str(&vars, OBJ(o_vm_name), vm_inst, 2, name, VS_SIZE_VM_NAME_MAX);
    vars_add(&vars, OBJ(o_vm_uuid), vm_inst, 2, ASN_OCTET_STR, uuid, SA_UUID_LEN);
    return vars;
}

/* vsVmStateChanged for t: its current state, prev, coalesced. */
static void send_state(const sa_snapshot *s, const vm_track *t, int prev, uint32_t coalesced)
{
    static const oid trap[] = { VS_OID_VM_STATE_CHANGED };
    oid vm_inst[2] = { (oid)s->hv_index, (oid)t->index };
    char reason[64];

    netsnmp_variable_list *vars = vm_vars(OBJ(trap), s, t->index, t->name, t->uuid);
    vars_int(&vars, OBJ(o_vm_oper), vm_inst, 2, ASN_INTEGER, t->cur);
    vars_int(&vars, OBJ(o_prev), vm_inst, 2, ASN_INTEGER, prev);
    sa_names_state_reason(t->lv_state, t->lv_reason, reason, sizeof(reason));
    vars_str(&vars, OBJ(o_vm_reason), vm_inst, 2, reason, VS_SIZE_VM_STATE_REASON_MAX);
    vars_int(&vars, OBJ(o_coalesced), vm_inst, 2, ASN_UNSIGNED, (long)coalesced);
    send_vars(vars);
}

/* ---- hold-down ---- */

static void hold_check(unsigned reg, void *arg);

/* Make sure the hold-down check runs within `seconds`. */
static void hold_arm(double seconds)
{
    if (N.hold_alarm != 0)
        return;
    struct timeval tv;
    tv.tv_sec = (time_t)seconds;
    tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6) + 1000;
    N.hold_alarm = snmp_alarm_register_hr(tv, 0, hold_check, NULL);
}

/* The hold-down of t ended: send what it held (as of snapshot s), or end it. */
static void hold_end(const sa_snapshot *s, vm_track *t, double now)
{
    if (t->held == 0) {
        t->hold_until = 0;
        return;
    }
    if (!enabled(N.ctl.state_enable)) {
        /* Disabled while the changes were held: they count as not sent for that reason. */
        N.ctl.disabled += t->held;
        t->held = 0;
        t->hold_until = 0;
        return;
    }
    send_state(s, t, t->notified, t->held);
    N.ctl.suppressed += t->held - 1;
    t->notified = t->cur;
    t->held = 0;
    t->hold_until = now + N.ctl.hold_down;
}

/* The snapshots the hold-down check sends from (set by sa_notify_snapshot). */
static const sa_snapshot **hv_snap;

static void hold_check(unsigned reg, void *arg)
{
    double now = vs_log_now(), next = 0;
    (void)reg;
    (void)arg;
    N.hold_alarm = 0;
    for (size_t h = 0; h < N.n_hv; h++) {
        for (size_t i = 0; i < N.hv[h].n; i++) {
            vm_track *t = &N.hv[h].vm[i];
            if (t->hold_until == 0)
                continue;
            if (t->hold_until <= now)
                hold_end(hv_snap[h], t, now);
            if (t->hold_until > 0 && (next == 0 || t->hold_until < next))
                next = t->hold_until;
        }
    }
    if (next > 0)
        hold_arm(next - now > 0 ? next - now : 0);
}

/* t's state changed to oper (libvirt state, reason) as seen on snapshot s's hypervisor. */
static void state_changed(const sa_snapshot *s, vm_track *t, int oper, int lv_state, int lv_reason)
{
    double now = vs_log_now();

    /* A hold-down whose end the alarm has not handled yet ends now, before this change, as
     * the alarm would have ended it: otherwise the changes it held would be neither sent nor
     * counted. */
    if (t->hold_until != 0 && t->hold_until <= now)
        hold_end(s, t, now);
    t->cur = oper;
    t->lv_state = lv_state;
    t->lv_reason = lv_reason;
    if (!enabled(N.ctl.state_enable)) {
        /* Not notified: the next notification's previous state stays the one the last
         * notification carried. */
        N.ctl.disabled++;
        return;
    }
    if (N.ctl.hold_down == 0) {
        send_state(s, t, t->notified, 1);
        t->notified = oper;
        return;
    }
    if (t->hold_until > now) {
        t->held++;
        return;
    }
    send_state(s, t, t->notified, 1);
    t->notified = oper;
    t->held = 0;
    t->hold_until = now + N.ctl.hold_down;
    hold_arm(N.ctl.hold_down);
}

/* ---- hypervisors and VMs ---- */

static vm_track *track_find(hv_track *h, int32_t index)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->vm[mid].index == index)
            return &h->vm[mid];
        if (h->vm[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* A track for a VM first seen in a snapshot. */
static int track_init(vm_track *t, const sa_vm *vm)
{
    memset(t, 0, sizeof(*t));
    t->index = vm->index;
    memcpy(t->uuid, vm->uuid, SA_UUID_LEN);
    t->name = strdup(vm->name);
    t->persistent = vm->persistent;
    t->cur = t->notified = vm->oper_state;
    t->lv_state = vm->lv_state;
    t->lv_reason = vm->lv_reason;
    return t->name != NULL ? 0 : -1;
}

static void send_defined(const sa_snapshot *s, const sa_vm *vm)
{
    static const oid trap[] = { VS_OID_VM_DEFINED };
    oid vm_inst[2] = { (oid)s->hv_index, (oid)vm->index };
    if (!enabled(N.ctl.lifecycle_enable)) {
        N.ctl.disabled++;
        return;
    }
    netsnmp_variable_list *vars = vm_vars(OBJ(trap), s, vm->index, vm->name, vm->uuid);
    vars_int(&vars, OBJ(o_vm_persistent), vm_inst, 2, ASN_INTEGER,
             vm->persistent ? VS_VM_PERSISTENT_TRUE : VS_VM_PERSISTENT_FALSE);
    vars_int(&vars, OBJ(o_vm_oper), vm_inst, 2, ASN_INTEGER, vm->oper_state);
    send_vars(vars);
}

static void send_undefined(const sa_snapshot *s, const vm_track *t)
{
    static const oid trap[] = { VS_OID_VM_UNDEFINED };
    if (!enabled(N.ctl.lifecycle_enable)) {
        N.ctl.disabled++;
        return;
    }
    send_vars(vm_vars(OBJ(trap), s, t->index, t->name, t->uuid));
}

static void send_conn(const sa_snapshot *s, int lost)
{
    static const oid lost_trap[] = { VS_OID_HV_CONNECTION_LOST };
    static const oid back_trap[] = { VS_OID_HV_CONNECTION_RESTORED };
    oid hv_inst[1] = { (oid)s->hv_index };

    if (!enabled(N.ctl.hv_enable)) {
        N.ctl.disabled++;
        return;
    }
    netsnmp_variable_list *vars = lost ? vars_new(OBJ(lost_trap)) : vars_new(OBJ(back_trap));
    vars_str(&vars, OBJ(o_hv_name), hv_inst, 1, s->name, VS_SIZE_HV_NAME_MAX);
    vars_str(&vars, OBJ(o_hv_uri), hv_inst, 1, s->uri, VS_SIZE_HV_URI_MAX);
    if (lost)
        vars_str(&vars, OBJ(o_hv_last_error), hv_inst, 1, s->last_error, VS_SIZE_HV_LAST_ERROR_MAX);
    else
        vars_int(&vars, OBJ(o_hv_conn_state), hv_inst, 1, ASN_INTEGER, s->conn_state);
    send_vars(vars);
}

void sa_notify_events(size_t hv, const sa_snapshot *cur, sa_event *events)
{
    hv_track *h = &N.hv[hv];

    for (sa_event *ev = events; ev != NULL; ev = ev->next) {
        long pos = cur != NULL ? sa_sample_find_uuid(cur, ev->uuid) : -1;
        vm_track *t = pos >= 0 ? track_find(h, cur->vm[pos].index) : NULL;
        vs_vm_facts f;
        if (t == NULL)
            continue; /* a VM not yet seen: the snapshot that shows it defines it */
        memset(&f, 0, sizeof(f));
        f.persistent = t->persistent;
        if (vs_vm_event_state(ev->event, ev->detail, &f) < 0)
            continue;
        t->event_seq = ev->seq;
        int oper = vs_vm_oper_state(&f);
        if (oper != t->cur)
            state_changed(cur, t, oper, f.state, f.reason);
    }
    sa_event_free_list(events);
}

/* Merge the tracked VMs of h with snapshot s's VMs; notify VMs defined and undefined when
 * `membership` (both views come from the same connection) and state changes. */
static void merge(hv_track *h, const sa_snapshot *s, int membership)
{
    vm_track *out = s->n_vm > 0 ? calloc(s->n_vm, sizeof(*out)) : NULL;
    size_t i = 0, j = 0, n = 0;
    double now = vs_log_now();

    if (s->n_vm > 0 && out == NULL) {
        VS_LOG(VS_LOG_ERR, s->name, "out of memory for notification state");
        return;
    }
    while (i < h->n || j < s->n_vm) {
        vm_track *t = i < h->n ? &h->vm[i] : NULL;
        const sa_vm *vm = j < s->n_vm ? &s->vm[j] : NULL;
        if (vm == NULL || (t != NULL && t->index < vm->index)) {
            /* Gone: send what its hold-down held, then (same connection) vsVmUndefined. */
            if (t->held > 0)
                hold_end(s, t, now);
            if (membership)
                send_undefined(s, t);
            free(t->name);
            i++;
            continue;
        }
        vm_track *o = &out[n++];
        if (t == NULL || t->index > vm->index) {
            if (track_init(o, vm) < 0)
                n--;
            else if (membership)
                send_defined(s, vm);
            j++;
            continue;
        }
        *o = *t;
        if (strcmp(o->name, vm->name) != 0) {
            char *name = strdup(vm->name);
            if (name != NULL) {
                free(o->name);
                o->name = name;
            }
        }
        o->persistent = vm->persistent;
        if (s->event_seq >= o->event_seq && vm->oper_state != o->cur)
            state_changed(s, o, vm->oper_state, vm->lv_state, vm->lv_reason);
        i++;
        j++;
    }
    free(h->vm);
    h->vm = out;
    h->n = n;
}

void sa_notify_snapshot(size_t hv, const sa_snapshot *old, const sa_snapshot *snap)
{
    hv_track *h = &N.hv[hv];

    hv_snap[hv] = snap;
    if (snap->conn_state != VS_HV_CONN_STATE_CONNECTED) {
        if (snap->conn_state == VS_HV_CONN_STATE_DISCONNECTED && !h->lost_sent) {
            send_conn(snap, 1);
            h->lost_sent = 1;
        }
        return;
    }
    if (!h->lost_sent && old != NULL && old->conn_state == VS_HV_CONN_STATE_CONNECTED
        && old->connected_since != snap->connected_since) {
        /* Lost and back again between two snapshots this thread saw. */
        send_conn(snap, 1);
        h->lost_sent = 1;
    }
    if (h->lost_sent) {
        send_conn(snap, 0);
        h->lost_sent = 0;
    }
    merge(h, snap, h->conn_since != 0 && h->conn_since == snap->connected_since);
    h->conn_since = snap->connected_since;
}

void sa_notify_admin_failed(const sa_snapshot *cur, const sa_ctl_job *job, const char *text)
{
    static const oid trap[] = { VS_OID_VM_ADMIN_REQUEST_FAILED };
    oid vm_inst[2] = { (oid)job->hv_index, (oid)job->vm_index };
    const sa_vm *vm = cur != NULL ? sa_snapshot_find_vm(cur, job->vm_index) : NULL;
    const vm_track *t = NULL;

    if (!enabled(N.ctl.admin_enable)) {
        N.ctl.disabled++;
        return;
    }
    for (size_t h = 0; h < N.n_hv && t == NULL; h++) {
        if (hv_snap[h] == cur)
            t = track_find(&N.hv[h], job->vm_index);
    }
    const char *name = vm != NULL ? vm->name : t != NULL ? t->name : "";
    netsnmp_variable_list *vars = vm_vars(OBJ(trap), cur, job->vm_index, name, job->uuid);
    if (vm != NULL)
        vars_int(&vars, OBJ(o_vm_oper), vm_inst, 2, ASN_INTEGER, vm->oper_state);
    else
        vars_int(&vars, OBJ(o_vm_oper), vm_inst, 2, ASN_INTEGER,
                 t != NULL ? t->cur : VS_VM_OPER_STATE_UNKNOWN);
    vars_str(&vars, OBJ(o_vm_result_text), vm_inst, 2, text, VS_SIZE_VM_ADMIN_RESULT_TEXT_MAX);
    send_vars(vars);
}

/* ---- set-up ---- */

void sa_notify_watch_master(void)
{
    N.queue_tail = &N.queue;
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, on_master_up,
                           NULL);
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, on_master_down,
                           NULL);
}

int sa_notify_init(const char *state_dir, unsigned hold_down, size_t n_hv)
{
    size_t len = strlen(state_dir) + sizeof("/" ENABLES_FILE);

    N.ctl = (sa_notify_state){ 1, 1, 1, 1, 1, hold_down, 0, 0, 0 };
    N.enables_path = malloc(len);
    N.hv = calloc(n_hv > 0 ? n_hv : 1, sizeof(*N.hv));
    hv_snap = calloc(n_hv > 0 ? n_hv : 1, sizeof(*hv_snap));
    if (N.enables_path == NULL || N.hv == NULL || hv_snap == NULL) {
        VS_LOG(VS_LOG_ERR, NULL, "out of memory");
        return -1;
    }
    N.n_hv = n_hv;
    snprintf(N.enables_path, len, "%s/" ENABLES_FILE, state_dir);
    return enables_read(N.enables_path);
}

void sa_notify_shutdown(void)
{
    if (N.hold_alarm != 0)
        snmp_alarm_unregister(N.hold_alarm);
    if (N.flush_alarm != 0)
        snmp_alarm_unregister(N.flush_alarm);
    while (N.queue != NULL) {
        queued *q = N.queue;
        N.queue = q->next;
        snmp_free_varbind(q->vars);
        free(q);
    }
    for (size_t h = 0; h < N.n_hv; h++) {
        for (size_t i = 0; i < N.hv[h].n; i++)
            free(N.hv[h].vm[i].name);
        free(N.hv[h].vm);
    }
    free(N.hv);
    free(hv_snap);
    hv_snap = NULL;
    free(N.enables_path);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, on_master_up,
                             NULL, 1);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, on_master_down,
                             NULL, 1);
    memset(&N, 0, sizeof(N));
}
