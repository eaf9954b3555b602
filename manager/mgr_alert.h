/* mgr_alert: the manager's alerting: the configured notifiers (SNMP trap or inform, e-mail,
 * Slack), the durable spool under state-dir with its delivery threads, and the threshold engine
 * (mgr_alarm) fed with each host's merged result, and at the end of each cycle with the group.*
 * aggregates of every group (mgr_group) when a rule watches one. Messages the engine emits are
 * written to the spool (fsynced) for each notifier they name before any delivery is tried.
 *
 * Called from the core's thread only; the spool's delivery threads run on their own. */
#ifndef MGR_ALERT_H
#define MGR_ALERT_H

#include <stdio.h>

#include <json-c/json.h>

#include "mgr_config.h"
#include "mgr_metric.h"

typedef struct mgr_alert mgr_alert;

/* Set alerting up from cfg: the engine's state from STATE/alarms.json, the spool in
 * STATE/spool (dead letters in STATE/dead), one delivery thread per notifier. Returns NULL
 * with err on failure (a state directory that cannot be written, a notifier that cannot be
 * made). */
mgr_alert *mgr_alert_new(const mgr_config *cfg, char *err, size_t errlen);

/* Apply a reloaded configuration: notifiers made anew (messages already spooled for a notifier
 * of the same name go to the new one), rules replaced (open alarms of rules that are gone are
 * cleared). 0, or -1 with err and the old set kept. */
int mgr_alert_reload(mgr_alert *a, const mgr_config *cfg, char *err, size_t errlen);

/* One host's merged result of this cycle (r->ok == 0 or host.up == 0: the host is down); it also
 * counts in the group.* aggregates of its group and the groups above. */
void mgr_alert_host(mgr_alert *a, const mgr_host_cfg *h, const mgr_result *r);

/* A host left the configuration: its alarms are cleared and forgotten. */
void mgr_alert_host_removed(mgr_alert *a, const char *name);

/* The cycle is over: the groups' aggregates of the hosts reported since the last call fed to
 * the engine, then repeats, then the state saved (when changed). */
void mgr_alert_cycle_end(mgr_alert *a);

/* The active alarms and the spool's counts, for the status file (a new object). */
json_object *mgr_alert_status(const mgr_alert *a);

/* The active alarms as lines for --once. */
void mgr_alert_table(const mgr_alert *a, FILE *out);

/* Wait up to timeout seconds for the spool to be empty (--once delivers before it exits).
 * Returns the number of messages still waiting. */
size_t mgr_alert_drain(mgr_alert *a, double timeout);

/* Stop the delivery threads (each finishes its attempt; undelivered messages stay in the
 * spool), save the state, free. Accepts NULL. */
void mgr_alert_free(mgr_alert *a);

#endif /* MGR_ALERT_H */
