/* sa_hv: one configured hypervisor: its libvirt connection, the sampler thread that keeps
 * building snapshots of it, and the mailbox through which they reach the SNMP thread. */
#ifndef SA_HV_H
#define SA_HV_H

#include <stdint.h>

#include "sa_ctl.h"
#include "sa_snapshot.h"

/* A libvirt lifecycle event of one of the hypervisor's VMs, as received. */
typedef struct sa_event {
    struct sa_event *next;
    uint64_t seq; /* numbered from 1 in order of arrival, per hypervisor */
    unsigned char uuid[SA_UUID_LEN];
    int event, detail; /* virDomainEventType and its detail */
} sa_event;

/* Free a list of events; accepts NULL. */
void sa_event_free_list(sa_event *ev);

typedef struct {
    const char *name; /* from "hypervisor NAME URI"; copied */
    const char *uri;  /* copied */
    int32_t index;    /* vsHvIndex */
} sa_hv_conf;

typedef struct {
    unsigned refresh_interval; /* seconds between samples */
    const char *state_dir;     /* where the VM index map lives; copied */
    int lifecycle_events;      /* subscribe to libvirt's lifecycle events */
} sa_hv_opts;

typedef struct sa_hv sa_hv;

/* Create the hypervisor's context; no thread and no connection yet. Each time a snapshot is
 * posted, one byte is written to wake_fd (the write end of a non-blocking pipe the SNMP
 * thread watches). Returns NULL, having logged why, on failure (for example an unreadable VM
 * index map in state_dir). */
sa_hv *sa_hv_new(const sa_hv_conf *conf, const sa_hv_opts *opts, int wake_fd);

/* Start the sampler thread: connect (retrying with back-off, 1 s doubling to 60 s), then
 * sample every refresh_interval and post each snapshot, also when not connected (a snapshot
 * with conn_state disconnected and no VMs). Returns 0, or -1 having logged why. */
int sa_hv_start(sa_hv *hv);

/* What the hypervisor's thread posted since the last call (SNMP thread only): the newest
 * snapshot, or NULL (the caller owns its reference); in *events, the lifecycle events
 * received since, in order; in *done, the jobs carried out since, in order (the snapshot, when
 * there is one, was sampled after them). The caller owns both lists. Every event numbered up
 * to the snapshot's event_seq is in *events or was in an earlier call's. */
sa_snapshot *sa_hv_take(sa_hv *hv, sa_event **events, sa_ctl_job **done);

/* Hand a job to the hypervisor's thread (SNMP thread; the thread owns it from now on and
 * hands it back through sa_hv_take). Never waits for libvirt. */
void sa_hv_submit(sa_hv *hv, sa_ctl_job *job);

/* Whether the hypervisor is connected now (its connection open and not reported lost). */
int sa_hv_online(sa_hv *hv);

/* Ask for a sample as soon as the thread is free (after a control request). */
void sa_hv_poke(sa_hv *hv);

/* Ask the thread to stop and wait up to timeout_s seconds for it; a thread stuck in a libvirt
 * call is left behind detached (the process is exiting). */
void sa_hv_stop(sa_hv *hv, double timeout_s);

/* Free the context (after sa_hv_stop); accepts NULL. */
void sa_hv_free(sa_hv *hv);

/* Process-wide libvirt set-up, before any sa_hv_start: route libvirt's error messages into
 * vs_log, register the default event implementation and run its loop in a thread (needed for
 * keepalive and lifecycle events). Returns 0 or -1 having logged why. */
int sa_libvirt_init(void);

/* Stop the event loop thread. */
void sa_libvirt_shutdown(void);

#endif /* SA_HV_H */
