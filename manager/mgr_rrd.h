/* mgr_rrd: RRD history. One writer thread takes the samples of each poll and either updates
 * the files itself (rrd_create_r / rrd_update_r) or sends them to rrdcached in BATCH. */
#ifndef MGR_RRD_H
#define MGR_RRD_H

#include <stddef.h>

#include "mgr_metric.h"
#include "vs_buf.h"

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

/* ---- Added with the writer: the pure parts (no I/O), unit-tested on their own ---- */

/* Most updates waiting (submitted and not yet written) before mgr_rrd_submit refuses more:
 * about 200 MB of queue at ~200 bytes per update, or 100 polls of 10,000 resources. Refused
 * updates are counted in stats.dropped and logged (throttled). */
#define MGR_RRD_MAX_PENDING 1000000

/* Append s to b as one safe file-name component: bytes in [A-Za-z0-9._-] are kept, except a
 * leading '.', and every other byte is percent-encoded with upper-case hex ("/" -> "%2F", so
 * ".." -> "%2E." and "" -> ""). Returns 0, or -1 when b is full or memory is short. */
int mgr_rrd_escape(vs_buf *b, const char *s);

/* Archives of every file, each as AVERAGE and as MAX: an hour at full resolution, then a day,
 * a week, a month and a year (mgr_rrd_fmt.c says which resolutions and why). */
#define MGR_RRD_N_ARCHIVES 5

/* Rows and primary data points per row of archive i (0 = the hour at full resolution, then
 * day, week, month, year) for step; 0, or -1 for an i or step out of range. */
int mgr_rrd_archive(int step, int i, unsigned long *pdp_per_row, unsigned long *rows);

/* The data source and archive arguments of `rrdtool create` for a file of kind at step:
 * "DS:<ds>:GAUGE:<2*step>:<min>:<max>" per metric (U for no bound), then "RRA:AVERAGE:0.5:.."
 * and "RRA:MAX:0.5:.." per archive. A NULL-terminated array of *n strings that the caller
 * frees with mgr_rrd_args_free, or NULL when memory is short or step < 1. */
char **mgr_rrd_create_args(mgr_res_kind kind, int step, int *n);

/* Free what mgr_rrd_create_args returned; accepts NULL. */
void mgr_rrd_args_free(char **args);

/* Append one value as RRD update text: "U" for NAN and infinities, integers up to 2^63 as
 * plain digits, anything else in the shortest "%.{15,16,17}g" form that reads back as the same
 * double. Returns 0 or -1 (b full or memory short). */
int mgr_rrd_format_value(vs_buf *b, double v);

/* Append "<t>:<v1>:...:<vn>". Returns 0 or -1. */
int mgr_rrd_format_values(vs_buf *b, long t, const double *v, size_t n);

/* Append the rrdcached command "UPDATE <file> <t>:<v1>:...:<vn>\n", blanks and backslashes in
 * file escaped with a backslash. Returns 0, or -1 (b full, memory short, or file holding a
 * control character the protocol cannot carry). */
int mgr_rrd_format_update(vs_buf *b, const char *file, long t, const double *v, size_t n);

#endif /* MGR_RRD_H */
