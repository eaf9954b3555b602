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

/* Start one delivery thread per notifier; entries already in the spool for them resume, oldest
 * first: after a restart once the back-off recorded in the file is over, after a stop at once (a
 * reload may have mended the channel). Entries for a notifier not given stay in the spool, with
 * one log line per such notifier. 0, or -1 with err (invalid or duplicate names, already
 * started, no thread: then nothing runs).
 *
 * Takes the notifiers over, whatever it returns (the array itself stays the caller's): each is
 * freed with vs_notifier_free once its thread is done with it, at vs_spool_stop or, for a thread
 * abandoned there, by that thread when its send() returns. The caller may read them (names)
 * until it calls vs_spool_stop, and must not free them. */
int vs_spool_start(vs_spool *s, vs_notifier *const *notifiers, size_t n, char *err, size_t errlen);

/* Stop the delivery threads, waiting at most about grace seconds (<= 0: not at all) for an
 * attempt in progress to end. A thread still inside its notifier's send() then is abandoned:
 * detached, it frees its notifier and its own copy of the entry when send() returns and touches
 * nothing else, not even the entry's file or a log line above debug. So its message stays in the
 * spool and goes out again with the next delivery threads (or after a restart), twice if the
 * abandoned attempt succeeded; at most one info line tells how many were left. A thread outside
 * send() leaves within moments and is joined. Undelivered entries stay on disk. vs_spool_start
 * may then be called again with a new set (reload), even while abandoned threads still run.
 * A process that exits while an abandoned thread is still inside send() leaks that thread's
 * notifier and entry copy (and whatever send() holds). Main thread only. */
void vs_spool_stop(vs_spool *s, double grace);

/* The grace vs_spool_close gives a spool it has to stop itself. */
#define VS_SPOOL_CLOSE_GRACE 5.0

/* Entries waiting for notifier (NULL = for all), for status output. */
size_t vs_spool_pending(vs_spool *s, const char *notifier);

/* Entries this spool moved to the dead-letter directory so far. */
size_t vs_spool_dead(vs_spool *s);

/* Stop if needed (vs_spool_stop with VS_SPOOL_CLOSE_GRACE), stop watching, free (NULL is
 * fine). Entries stay on disk. Threads an earlier stop abandoned need nothing of the spool: it
 * is freed without them. */
void vs_spool_close(vs_spool *s);

#endif /* VS_SPOOL_H */
