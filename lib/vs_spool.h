/* vs_spool: the durable alert spool. Every message is written to a file (fsynced, directory
 * fsynced) before the first delivery attempt and removed only once a notifier delivered it;
 * failures back off per notifier, entries past their maximum age go to a dead-letter directory,
 * and a restart resumes what is left (at-least-once delivery).
 *
 * Layout: DIR/<notifier>/<entry> (one JSON file per message), DIR/.tmp/ for files being written,
 * DEAD/<notifier>/<entry> for dead letters. Entry names sort in order of creation. Several
 * processes may put into one DIR at once; one process runs the delivery threads (the manager
 * in-process, or a spool runner that picks up other processes' entries with `watch`).
 *
 * The delivery threads log (target: the notifier's name): a channel's first failure, throttled
 * repeats and one "delivering again after N failures; M queued" line; one line per dead letter
 * (message id and the last error); one line per notifier whose entries nobody delivers. Message
 * bodies never. No call may overlap vs_spool_close. */
#ifndef VS_SPOOL_H
#define VS_SPOOL_H

#include <stddef.h>

#include "vs_msg.h"
#include "vs_notify.h"

typedef struct {
    const char *dir;      /* spool directory, e.g. STATE/spool; created (0700) if missing */
    const char *dead_dir; /* dead letters, e.g. STATE/dead; created (0700) if missing */
    double retry_min;     /* first retry after this many seconds (0 = default 1) */
    double retry_max;     /* back-off doubles up to this (0 = default 300) */
    double max_age;       /* an entry older than this goes to dead_dir on a failure (0 = 86400) */
    int watch;            /* pick up entries other processes put (inotify) */
} vs_spool_conf;

typedef struct vs_spool vs_spool;

/* Open (creating the directories) and clean stale files out of DIR/.tmp. The conf strings are
 * copied. With watch, the spool is indexed and watched from here on. NULL and err on failure;
 * nothing is logged. */
vs_spool *vs_spool_open(const vs_spool_conf *c, char *err, size_t errlen);

/* Durably store msg for the notifier named `notifier` ([A-Za-z0-9_.-], not starting with a
 * dot) and wake its delivery thread if one runs. 0, or -1 with err (nothing logged). Thread-safe;
 * safe to call while another process runs the delivery threads on the same DIR. */
int vs_spool_put(vs_spool *s, const char *notifier, const vs_msg *m, char *err, size_t errlen);

/* Start one delivery thread per notifier (borrowed until vs_spool_stop); entries already in the
 * spool for them resume, oldest first: after a restart once the back-off recorded in the file is
 * over, after a stop at once (a reload may have mended the channel). Entries for a notifier not
 * given stay in the spool, with one log line per such notifier. 0, or -1 with err (invalid or
 * duplicate names, already started, no thread: then nothing runs). */
int vs_spool_start(vs_spool *s, vs_notifier *const *notifiers, size_t n, char *err, size_t errlen);

/* Stop the delivery threads: each finishes the attempt in progress (bounded by its notifier's
 * own timeouts) and exits; undelivered entries stay on disk. The notifiers may then be freed,
 * and vs_spool_start called again with a new set (reload). Main thread only. */
void vs_spool_stop(vs_spool *s);

/* Entries waiting for notifier (NULL = for all), for status output. */
size_t vs_spool_pending(vs_spool *s, const char *notifier);

/* Entries this spool moved to the dead-letter directory so far. */
size_t vs_spool_dead(vs_spool *s);

/* Stop if needed, stop watching, free (NULL is fine). Entries stay on disk. */
void vs_spool_close(vs_spool *s);

#endif /* VS_SPOOL_H */
