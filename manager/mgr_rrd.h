/* mgr_rrd: RRD history. One writer thread takes the samples of each poll and either updates
 * the files itself (rrd_create_r / rrd_update_r) or sends them to rrdcached in BATCH. */
#ifndef MGR_RRD_H
#define MGR_RRD_H

#include <stddef.h>

#include "mgr_metric.h"

typedef struct mgr_rrd mgr_rrd;

typedef struct {
    unsigned long long updates; /* values lines written (direct) or accepted by rrdcached */
    unsigned long long creates; /* files created */
    unsigned long long errors;  /* updates refused or failed (logged, throttled) */
    unsigned long long dropped; /* updates given up (rrdcached away past the retry window) */
    size_t pending;             /* updates waiting to be written */
} mgr_rrd_stats;

/* A writer under rrd_dir with the given step (seconds). rrdcached is the daemon's address
 * ("unix:/path" or "host[:port]") or NULL to write directly; retry_s is how long updates are
 * kept while rrdcached is away. Starts the writer thread. NULL on failure (logged). */
mgr_rrd *mgr_rrd_new(const char *rrd_dir, int step, const char *rrdcached, int retry_s);

/* Queue the resources of result r for timestamp t (seconds since the epoch, a whole number):
 * each goes to rrd_dir/<group_path>/<host>/<kind>[-<escaped id>].rrd. Values are copied.
 * Returns 0, or -1 when memory is short (logged). */
int mgr_rrd_submit(mgr_rrd *w, const char *group_path, const mgr_result *r, long t);

/* The file name of a resource, relative to rrd_dir (caller frees), e.g.
 * "seoul/hv1/vm-6695eb01-f6a4-8304-79aa-97f2502e193f.rrd" or "hv1/fs-%2Fvar.rrd". */
char *mgr_rrd_path(const char *group_path, const char *host, mgr_res_kind kind, const char *id);

/* Counters so far. */
void mgr_rrd_get_stats(mgr_rrd *w, mgr_rrd_stats *out);

/* Write everything queued (through rrdcached: sent and, if flush is set, FLUSHed to disk),
 * waiting at most timeout_s. Returns 0 when nothing is left pending, -1 otherwise. */
int mgr_rrd_drain(mgr_rrd *w, double timeout_s, int flush);

/* Drain (as above, with the retry window as limit), stop the thread and free; accepts NULL. */
void mgr_rrd_free(mgr_rrd *w);

#endif /* MGR_RRD_H */
