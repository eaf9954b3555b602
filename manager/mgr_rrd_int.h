/* mgr_rrd_int: the inside of the RRD writer, shared by its parts: mgr_rrd.c (queue, thread,
 * drain), mgr_rrd_direct.c (librrd), mgr_rrd_cached.c (rrdcached), mgr_rrd_files.c (the
 * table of known files) and mgr_rrd_fmt.c (pure formatting). Not for other modules. */
#ifndef MGR_RRD_INT_H
#define MGR_RRD_INT_H

#include <pthread.h>
#include <stddef.h>

#include "mgr_rrd.h"
#include "mgr_rrdcached.h"
#include "vs_buf.h"
#include "vs_log.h"

#define MGR_RRD_PATH_MAX 4096     /* longest file name, rrd_dir included */
#define MGR_RRD_BACKOFF_FIRST 0.1 /* seconds before the first reconnection attempt */
#define MGR_RRD_BATCH_MAX 10000   /* updates per rrdcached BATCH */

/* One file the writer has seen. The scratch fields belong to the chunk being written. */
typedef struct {
    long last;           /* time of the file's last update, when known */
    long first_t;        /* scratch: time of its first update in the chunk */
    unsigned long round; /* scratch: the chunk the scratch fields belong to */
    unsigned char known; /* the file exists and last is right */
    unsigned char state; /* scratch: MGR_RRD_F_* (rrdcached mode) */
    unsigned char dirty; /* updated through rrdcached since the last flush */
    unsigned char kind;  /* mgr_res_kind of its resource */
    char rel[];          /* name relative to rrd_dir */
} mgr_rrd_file;

/* A file's state in the chunk (rrdcached mode): known; not known, its updates sent on trust;
 * to be created; given up for this chunk (logged). */
enum { MGR_RRD_F_OK = 0, MGR_RRD_F_TRY, MGR_RRD_F_CREATE, MGR_RRD_F_FAIL };

/* The table: open addressing on the relative name. Entries never move (pointers stay valid). */
typedef struct {
    mgr_rrd_file **slot;
    size_t cap; /* a power of two, or 0 */
    size_t n;
} mgr_rrd_files;

/* Find the entry of rel, adding it (unknown, with kind) when new. NULL when memory is short. */
mgr_rrd_file *mgr_rrd_files_get(mgr_rrd_files *t, const char *rel, mgr_res_kind kind);

/* Forget every entry and free the table (it can be used again). */
void mgr_rrd_files_free(mgr_rrd_files *t);

/* One queued update. */
typedef struct mgr_rrd_rec {
    struct mgr_rrd_rec *next;
    double queued; /* vs_log_now() at submission */
    long t;
    mgr_rrd_file *f; /* writer's: the file, once looked up */
    unsigned char kind;
    unsigned char fate; /* writer's scratch (rrdcached mode): MGR_RRD_R_* */
    unsigned char n;    /* values used in v */
    double v[MGR_METRIC_MAX];
    char rel[]; /* file name relative to rrd_dir */
} mgr_rrd_rec;

/* What became of a record in the BATCH of its chunk: not sent; sent and accepted; refused
 * (an error, or an update not after the file's last one); refused because the file was
 * missing, to be sent again once it is created. */
enum { MGR_RRD_R_UNSENT = 0, MGR_RRD_R_SENT, MGR_RRD_R_REFUSED, MGR_RRD_R_AGAIN };

/* A growable array of pointers. */
typedef struct {
    void **p;
    size_t n, cap;
} mgr_rrd_ptrs;

/* Append x; 0 or -1 when memory is short. */
int mgr_rrd_ptrs_push(mgr_rrd_ptrs *a, void *x);

struct mgr_rrd {
    char *dir; /* rrd_dir, absolute, without a trailing '/' */
    int step;
    int retry_s;
    mgr_rrdc *rrdc;  /* NULL: direct mode */
    char *rrdc_name; /* "rrdcached <address>", the log target */

    pthread_t thread;
    pthread_mutex_t lock;       /* guards everything down to the writer's part */
    pthread_cond_t wake;        /* to the writer: work, a flush request, stop */
    pthread_cond_t idle;        /* to drainers: pending reached 0 or a flush was done */
    mgr_rrd_rec *qhead, *qtail; /* submitted, not yet taken by the writer */
    size_t qn;                  /* records in the queue */
    double q_first;             /* vs_log_now() when the oldest of them was submitted */
    size_t pending;             /* submitted and not finished (queue and writer's list) */
    unsigned long flush_req, flush_done;
    int stop;
    int drainers; /* threads in mgr_rrd_drain: the queue is taken at once */
    int asleep;   /* the writer waits without a time limit: a submission must wake it */
    mgr_rrd_stats st;
    vs_complaint full; /* queue full */

    /* The writer's part, touched by the writer thread only (and by backoff under lock). */
    mgr_rrd_rec *whead, *wtail; /* taken from the queue, oldest first */
    size_t wn;
    mgr_rrd_files files;
    char **args[MGR_RES__COUNT]; /* DS and RRA arguments of each kind */
    int nargs[MGR_RES__COUNT];
    vs_buf path;            /* scratch: an absolute file name */
    vs_buf line;            /* scratch: update text, a BATCH body */
    mgr_rrd_ptrs chunk;     /* records of the chunk being written (room for BATCH_MAX) */
    mgr_rrd_ptrs learn;     /* files of the chunk whose state is not known */
    mgr_rrd_ptrs files_sel; /* those of them to create now */
    mgr_rrd_ptrs dirty;     /* files to FLUSH */
    size_t *cmd_rec;        /* BATCH command number - 1 -> index in chunk (BATCH_MAX) */
    unsigned long round;
    double backoff;                    /* seconds until the next attempt after a failure */
    unsigned long long outage_dropped; /* dropped since rrdcached went away */
    vs_complaint away;                 /* rrdcached unreachable */
    vs_complaint refused;              /* updates refused or failed */
    double refused_at;                 /* vs_log_now() of the last such failure */
    int dirs_noted;                    /* "made the directories here" was logged */
};

/* The absolute name of f in w->path; NULL when too long. */
const char *mgr_rrd_abs(mgr_rrd *w, const char *rel);

/* Append the relative file name of a resource to b: escaped group components, host, then
 * "<kind>[-<id>].rrd". Returns 0, or -1 for an empty host, a bad kind, or b full. */
int mgr_rrd_path_append(vs_buf *b, const char *group_path, const char *host, mgr_res_kind kind,
                        const char *id);

/* Create the missing directories above the file abs (0755). 0, or -1 with errno set. */
int mgr_rrd_mkdirs(const char *abs);

/* Log (throttled) that an update or a file failed: one complaint for all files, released
 * only once none failed for two steps. */
void mgr_rrd_refuse(mgr_rrd *w, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Note that updates were written: logs the recovery once when failures have stopped. */
void mgr_rrd_refuse_ok(mgr_rrd *w);

/* Remove the first n records of the writer's list and add the counts in d to the stats. */
void mgr_rrd_finish(mgr_rrd *w, size_t n, const mgr_rrd_stats *d);

/* Write some of the writer's list directly with librrd; always makes progress. */
void mgr_rrd_direct_write(mgr_rrd *w);

/* Send one chunk of the writer's list to rrdcached. Returns 0, or -1 when rrdcached could not
 * be reached (logged; nothing finished; the caller backs off and calls again). */
int mgr_rrd_cached_write(mgr_rrd *w);

/* FLUSH the files updated through rrdcached since the last flush. 0, or -1 as above. */
int mgr_rrd_cached_flush(mgr_rrd *w);

#endif /* MGR_RRD_INT_H */
