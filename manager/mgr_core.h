/* mgr_core: the manager's cycle. It schedules the polls of every host spread over the
 * interval, hands them to the SNMP and libvirt pollers, merges each host's results, feeds the
 * RRD writer, and writes the status file; SIGHUP reloads between cycles. */
#ifndef MGR_CORE_H
#define MGR_CORE_H

#include <signal.h>
#include <stdio.h>

#include "mgr_config.h"

typedef struct mgr_core mgr_core;

typedef struct {
    const char *config_file; /* reloaded on SIGHUP */
    unsigned shard_index;    /* this manager's shard ... */
    unsigned shard_count;    /* ... of this many; 0 or 1: every host */
    int once;                /* one cycle, no spreading, then the table on out */
    FILE *out;               /* where --once prints its table */
} mgr_core_opts;

/* Signals noted by the handlers; the loop reads them. wake_fd is written to by the handlers
 * so that poll() returns at once (the read end is given to mgr_core_run). */
typedef struct {
    volatile sig_atomic_t hup;
    volatile sig_atomic_t term;
    int wake_fd;
} mgr_core_signals;

/* A manager for cfg (ownership passes to it, also on failure). Creates the state and RRD
 * directories, the pollers and the RRD writer. NULL on failure (logged). */
mgr_core *mgr_core_new(mgr_config *cfg, const mgr_core_opts *opts);

/* Run cycles until SIGTERM (or, with once, one cycle). Returns 0; with once, 1 if any host
 * failed; -1 on a fatal error (logged). */
int mgr_core_run(mgr_core *c, mgr_core_signals *sig);

/* Stop the pollers, write every pending RRD update, write the status file, free; accepts
 * NULL. */
void mgr_core_free(mgr_core *c);

/* The hosts of cfg this shard polls (by a stable hash of the name). */
int mgr_core_host_selected(const mgr_core_opts *opts, const char *name);

#endif /* MGR_CORE_H */
