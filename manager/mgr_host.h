/* mgr_host: what the manager knows about one polled host: its configuration, the polls of the
 * current cycle, and the merged outcome of the last one (for RRD, status and the table). */
#ifndef MGR_HOST_H
#define MGR_HOST_H

#include "mgr_config.h"
#include "mgr_metric.h"

/* The last outcome of one source. */
typedef struct {
    int polled; /* 1 once a result arrived */
    int ok;
    char *error;    /* owned; NULL when ok */
    double started; /* wall clock */
    double duration;
    unsigned requests;
} mgr_source_status;

typedef struct {
    const mgr_host_cfg *cfg; /* in the manager's current config */
    double offset;           /* seconds into each cycle at which its polls start */
    unsigned want;           /* sources (bit 1 << mgr_source) configured */
    /* the current cycle */
    unsigned long cycle; /* the cycle got[] belongs to */
    int started;         /* polls of this cycle asked for */
    int finished;        /* all of this cycle's results merged */
    double start_lag;    /* how late the polls started against the schedule */
    mgr_result *got[2];  /* results of this cycle, by mgr_source */
    /* a poll outstanding in a poller, and the cycle it belongs to */
    int busy[2];
    unsigned long busy_cycle[2];
    /* the last finished cycle */
    mgr_result *last; /* merged; owned */
    mgr_source_status src[2];
    double last_poll; /* wall clock of the start of the last poll */
    double last_duration;
    unsigned long last_samples;
    unsigned long long samples;
    unsigned long polls;
    unsigned long failures;
} mgr_host;

/* Merge the results of one cycle into one (the host resource's values from SNMP first, then
 * libvirt; VMs from libvirt win over the same UUID from SNMP). Either input may be NULL.
 * Returns a new result or NULL when memory is short. */
mgr_result *mgr_host_merge(const char *name, const mgr_result *snmp, const mgr_result *lv);

/* Count the known (non-NAN) values of r. */
unsigned long mgr_result_count_values(const mgr_result *r);

#endif /* MGR_HOST_H */
