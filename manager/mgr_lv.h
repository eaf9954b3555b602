/* mgr_lv: the libvirt poller. A small pool of worker threads polls hypervisors over remote
 * URIs, one connection per host kept open; a watchdog gives up on a hung hypervisor for the
 * cycle so that it never delays the others. */
#ifndef MGR_LV_H
#define MGR_LV_H

#include "mgr_config.h"
#include "mgr_metric.h"

typedef struct mgr_lv mgr_lv;

/* A pool of `workers` threads (plus libvirt's event loop thread for keepalive and close
 * callbacks). NULL on failure (logged). */
mgr_lv *mgr_lv_new(int workers);

/* Ask for one poll of host (which must have a libvirt source); the needed parts are copied.
 * The poll must end by deadline (monotonic seconds); the watchdog also ends it after the
 * source's timeout. A host whose previous poll is still hung is not polled again: it gets a
 * failed result at once. Returns 0, or -1 when memory is short (logged). */
int mgr_lv_poll(mgr_lv *p, const mgr_host_cfg *host, double deadline);

/* A descriptor that becomes readable when results are waiting (for the core's poll()). */
int mgr_lv_fd(const mgr_lv *p);

/* The next finished result (caller owns it), or NULL when none is waiting. Drains the fd. */
mgr_result *mgr_lv_take(mgr_lv *p);

/* The monotonic time at which mgr_lv_check must run next (the earliest watchdog expiry), or
 * 0 when nothing is pending. */
double mgr_lv_next_wakeup(mgr_lv *p);

/* Run the watchdog: every poll past its limit gets a failed result now. */
void mgr_lv_check(mgr_lv *p);

/* Polls queued, running or hung. */
unsigned mgr_lv_busy(const mgr_lv *p);

/* Close the connections of hosts cfg no longer has, or whose URI changed (after a reload). */
void mgr_lv_retain(mgr_lv *p, const mgr_config *cfg);

/* Stop the workers (a hung one is left to the process exit) and free; accepts NULL. */
void mgr_lv_free(mgr_lv *p);

#endif /* MGR_LV_H */
