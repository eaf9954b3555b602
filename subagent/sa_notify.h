/* sa_notify: VIRTSIGHT-MIB's notifications, decided and sent by the SNMP thread. State changes
 * come from libvirt's lifecycle events and from snapshots (for what no event reported), each
 * change notified once; VMs appearing and disappearing, and connections lost and restored,
 * from consecutive snapshots; failed requests from the jobs the hypervisors hand back. The
 * enables persist in the state directory; the per-VM hold-down folds bursts.
 *
 * Everything here runs on the SNMP thread. */
#ifndef SA_NOTIFY_H
#define SA_NOTIFY_H

#include <stddef.h>

#include "sa_ctl.h"
#include "sa_hv.h"
#include "sa_mib.h"
#include "sa_snapshot.h"

/* Follow the master connection, so that notifications raised while it is down are sent when
 * it is back. Call after init_agent and before init_snmp (which connects). */
void sa_notify_watch_master(void);

/* Set up for n_hv hypervisors: read the enables from state_dir (file "notify-enables"; a
 * missing file means all true) and set the hold-down (seconds, 0 = off). Returns 0, or -1
 * having logged why (FILE:LINE for a damaged file). */
int sa_notify_init(const char *state_dir, unsigned hold_down, size_t n_hv);

/* Free everything (at exit); notifications still held or queued are dropped. */
void sa_notify_shutdown(void);

/* The notification control objects as served. */
const sa_notify_state *sa_notify_control(void);

/* Whether the enables can be saved (the state directory exists or can be created, and is
 * writable); logs why not. */
int sa_notify_can_save(void);

/* The master is not there (at start-up, or after losing it): log it once per outage and
 * quiet Net-SNMP's warning for each attempt until it is back. */
void sa_notify_master_away(void);

/* Write an enable (scalar VS_SCALAR_NOTIFY_*_ENABLE, value a TruthValue) and save the enables
 * to the state directory (a failure to save is logged; the value holds until restart). */
void sa_notify_set_enable(unsigned scalar, long value);

/* Lifecycle events of hypervisor hv (its position in the view), received before snapshot cur
 * was replaced by anything newer; consumes the list. */
void sa_notify_events(size_t hv, const sa_snapshot *cur, sa_event *events);

/* Hypervisor hv's snapshot old (NULL at start) was replaced by snap. */
void sa_notify_snapshot(size_t hv, const sa_snapshot *old, const sa_snapshot *snap);

/* A request for a VM of snapshot cur's hypervisor failed; text is its vsVmAdminResultText. */
void sa_notify_admin_failed(const sa_snapshot *cur, const sa_ctl_job *job, const char *text);

#endif /* SA_NOTIFY_H */
