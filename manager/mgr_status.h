/* mgr_status: the status file (JSON, rewritten atomically after every cycle) and the table
 * that --once prints. Formatting only; the core decides when. */
#ifndef MGR_STATUS_H
#define MGR_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "mgr_host.h"
#include "mgr_rrd.h"

/* One cycle, as the status file reports it. */
typedef struct {
    unsigned long number; /* 1 for the first cycle since start */
    double started;       /* wall clock */
    double duration;      /* seconds from the cycle's start to its last result */
    double lag;           /* seconds the latest poll started behind its schedule */
    unsigned hosts;
    unsigned failed;
} mgr_cycle_info;

/* Everything the status file shows. */
typedef struct {
    const char *config_file;
    const char *shard; /* "i/N" or NULL */
    int interval;
    const mgr_host *hosts;
    size_t n_hosts;
    const mgr_cycle_info *cycle;
    const mgr_rrd_stats *rrd;
    struct json_object *alarms; /* alerting's part (mgr_alert_status), or NULL: borrowed */
} mgr_status_view;

/* The status as JSON text (caller frees), or NULL when memory is short. */
char *mgr_status_json(const mgr_status_view *v);

/* Write the status to path: a temporary file beside it, fsync, rename. Returns 0 or -1 with
 * errno set; does not log. */
int mgr_status_write(const char *path, const mgr_status_view *v);

/* Print the table of every host and resource with its metrics (one line per value) to out,
 * then a summary line. Untrusted names are printed with control characters escaped. */
void mgr_status_table(FILE *out, const mgr_host *hosts, size_t n_hosts);

#endif /* MGR_STATUS_H */
