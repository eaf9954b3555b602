/* mgr_lv_int: what the libvirt poller's pool (mgr_lv.c) shares with its per-host connection and
 * poll code (mgr_lv_host.c): the host context and the process-wide libvirt set-up. */
#ifndef MGR_LV_INT_H
#define MGR_LV_INT_H

#include <libvirt/libvirt.h>
#include <stdatomic.h>
#include <stddef.h>

#include "mgr_config.h"
#include "mgr_lv_stats.h"
#include "mgr_metric.h"
#include "vs_log.h"

/* One hypervisor, keyed by its configured name: its connection and the state that carries from
 * one poll to the next. */
typedef struct mgr_lv_host mgr_lv_host;
struct mgr_lv_host {
    /* Fixed at creation. */
    char *name;
    char *uri;         /* as configured (may hold credentials: never logged) */
    char *uri_safe;    /* for logs and messages */
    char *connect_uri; /* uri without the password: what libvirt is given */
    char *user, *password;

    /* The pool's, under its lock; settings change only while no poll is queued or running. */
    int timeout_ms, ka_interval, ka_count;
    int busy;          /* a poll of it is queued or running */
    int hung;          /* the running poll was given up by the watchdog and has not returned */
    int doomed;        /* no longer in the pool: the worker holding it closes and frees it */
    double hung_since; /* monotonic */
    vs_complaint trouble;
    mgr_lv_host *next_close; /* in the pool's list of hosts to close */

    /* The worker's that polls it (one at a time); the pool reads them only while idle. */
    virConnectPtr conn;
    atomic_int lost;     /* the close callback's reason + 1; 0 while the connection is fine */
    double next_attempt; /* monotonic: no connection attempt before */
    double backoff;      /* seconds to wait after the next failed attempt */
    int no_node_cpu, no_node_mem; /* unsupported on this connection: not asked again */
    int n_cpu_par, n_mem_par;     /* parameter counts of those calls, once known */
    mgr_lv_cpu cpu;
    mgr_lv_vmtrack *vms; /* sorted by UUID */
    size_t n_vms;
};

/* A new host context for cfg (which has a libvirt source); not connected. NULL when memory is
 * short (not logged). */
mgr_lv_host *mgr_lv_host_new(const mgr_host_cfg *cfg);

/* Take over src's timeout and keepalive settings (used from the next connection on). */
void mgr_lv_host_configure(mgr_lv_host *h, const mgr_libvirt_src *src);

/* Poll the host once into r (connecting first when needed), setting r's times, request count
 * and, on failure, its error. abandoned becomes non-zero when the pool gives up on the poll:
 * no further calls are made then. Does not log failures (the pool does, with throttling). */
void mgr_lv_host_poll(mgr_lv_host *h, mgr_result *r, const atomic_int *abandoned);

/* Close the connection (a libvirt call: may block on a hung hypervisor) and free; accepts
 * NULL. */
void mgr_lv_host_free(mgr_lv_host *h);

/* Wall-clock seconds since the epoch. */
double mgr_lv_wall_now(void);

/* Process-wide libvirt set-up, counted: the first call initialises libvirt, routes its error
 * messages into the log at debug level, registers the default event implementation and starts
 * the event loop thread; the matching release of the last user stops that thread. 0 or -1
 * (logged). */

#endif /* MGR_LV_INT_H */
