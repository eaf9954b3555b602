/* vs_spool: per-notifier queues of spooled messages, one delivery thread per notifier with
 * back-off and dead letters, and an inotify watcher for entries other processes add. The files
 * themselves are vs_spool_file.c's business.
 *
 * A stop waits a bounded time: a thread still inside its notifier's send() then is abandoned.
 * From the moment it is marked so (under worker_lock, which outlives every spool) it touches
 * only its own worker record, its notifier and its own copy of the entry, and frees them when
 * send() returns. The entry's file is never written by it, so whoever delivers next sends the
 * message again: a duplicate at worst, which at-least-once allows. */
#include "config.h"

#include "vs_spool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "vs_log.h"
#include "vs_spool_file.h"

/* An idle thread wakes this often even if a wake-up went astray. */
#define WAIT_SLICE 30.0

/* One spooled message, known by its file name; the file holds everything else. */
struct spooled {
    struct spooled *prev, *next;
    double due;  /* monotonic time before which it is not tried (0: at once) */
    int checked; /* the file's next_attempt has been honoured (matters after a restart) */
    char name[];
};

struct queue;

/* One delivery thread and what it owns. Shared with the stopping thread under worker_lock
 * until it is joined; once abandoned, the thread's alone. */
struct worker {
    struct queue *q;       /* not touched once abandoned */
    vs_notifier *notifier; /* owned */
    pthread_t thread;
    int sending;   /* inside notifier->send(): the only place a stop may leave it */
    int abandoned; /* the stop went on without it: it frees itself */
    int done;      /* left its loop: joinable */
};

/* Guards the workers' flags; static because an abandoned thread may outlive its spool. */
static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;

/* The entries of one notifier, oldest first, and its delivery thread. */
struct queue {
    struct queue *next;
    vs_spool *s;
    char *name;
    int wd;  /* inotify watch on DIR/name, or -1 */
    int dfd; /* DIR/name, opened when a delivery thread starts */
    struct spooled *head, *tail;
    void *by_name; /* tsearch tree over the same entries, to refuse duplicates */
    size_t count;
    struct worker *worker; /* while started; NULL for entries of an unknown notifier */
    int orphan_logged;
    pthread_cond_t wake;
    /* Only the delivery thread touches these. */
    double gate;    /* monotonic: the channel is not tried before (the head's back-off) */
    unsigned fails; /* consecutive failed attempts of this channel */
    vs_complaint complaint;
    unsigned seed; /* back-off jitter */
};

struct vs_spool {
    char *dir;
    double retry_min, retry_max, max_age;
    int dir_fd, tmp_fd, dead_fd, dead_tmp_fd;
    pthread_mutex_t lock; /* the queues, their entries and the flags below */
    struct queue *queues;
    int indexed; /* puts and the watcher add to the queues from now on */
    int started, stopping;
    pthread_cond_t workers_cond; /* with worker_lock: a worker ended or began a send */
    size_t dead;
    /* watch mode */
    int ino_fd, ino_root, wake_fd;
    pthread_t watcher;
    int watching;
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A condition variable that times out on the monotonic clock. 0 or an errno value. */
static int cond_init_mono(pthread_cond_t *c)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

/* The absolute monotonic time of secs from now, for pthread_cond_timedwait. */
static struct timespec mono_deadline(double secs)
{
    double until = vs_log_now() + secs;
    struct timespec ts;
    ts.tv_sec = (time_t)until;
    ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
    return ts;
}

/* Queues and entries ------------------------------------------------------------------------ */

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct spooled *)a)->name, ((const struct spooled *)b)->name);
}

/* Find or create the queue of notifier name; NULL when memory is short. Lock held. */
static struct queue *queue_get(vs_spool *s, const char *name)
{
    for (struct queue *q = s->queues; q != NULL; q = q->next)
        if (strcmp(q->name, name) == 0)
            return q;
    struct queue *q = calloc(1, sizeof *q);
    if (q == NULL || (q->name = strdup(name)) == NULL || cond_init_mono(&q->wake) != 0)
        goto fail;
    q->s = s;
    q->wd = -1;
    q->dfd = -1;
    q->seed = (unsigned)getpid() ^ (unsigned)(uintptr_t)q;
    q->next = s->queues;
    s->queues = q;
    return q;
fail:
    if (q != NULL)
        free(q->name);
    free(q);
    return NULL;
}

/* Add the entry called name to q unless it is there already (an in-process put is also seen
 * by the watcher); wakes the delivery thread. 1 added, 0 known, -1 out of memory. Lock held. */
static int queue_add(struct queue *q, const char *name)
{
    size_t len = strlen(name);
    struct spooled *e = calloc(1, sizeof *e + len + 1);
    if (e == NULL)
        return -1;
    memcpy(e->name, name, len + 1);
    struct spooled **found = tsearch(e, &q->by_name, entry_cmp);
    if (found == NULL || *found != e) {
        free(e);
        return found == NULL ? -1 : 0;
    }
    /* Usually the newest: look for its place from the tail. */
    struct spooled *after = q->tail;
    while (after != NULL && strcmp(after->name, name) > 0)
        after = after->prev;
    e->prev = after;
    e->next = after != NULL ? after->next : q->head;
    if (e->next != NULL)
        e->next->prev = e;
    else
        q->tail = e;
    if (after != NULL)
        after->next = e;
    else
        q->head = e;
    q->count++;
    pthread_cond_signal(&q->wake);
    return 1;
}

/* Unlink and free e. Lock held. */
static void queue_remove(struct queue *q, struct spooled *e)
{
    tdelete(e, &q->by_name, entry_cmp);
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    q->count--;
    free(e);
}

static void tree_keep(void *p)
{
    (void)p;
}

static void queue_free(struct queue *q)
{
    tdestroy(q->by_name, tree_keep);
    for (struct spooled *e = q->head, *next; e != NULL; e = next) {
        next = e->next;
        free(e);
    }
    pthread_cond_destroy(&q->wake);
    if (q->dfd >= 0)
        close(q->dfd);
    free(q->name);
    free(q);
}

/* Add the names put by others to q and tell about entries nobody will deliver. */
static void queue_add_names(vs_spool *s, struct queue *q, char *const *names, size_t n)
{
    size_t lost = 0;
    int orphan = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < n; i++)
        lost += queue_add(q, names[i]) < 0;
    size_t count = q->count;
    if (s->started && !s->stopping && q->worker == NULL && q->count > 0 && !q->orphan_logged)
        orphan = q->orphan_logged = 1;
    pthread_mutex_unlock(&s->lock);
    if (lost > 0)
        VS_LOG(VS_LOG_ERR, q->name, "out of memory: %zu spooled messages wait for a restart", lost);
    if (orphan)
        VS_LOG(VS_LOG_WARNING, q->name,
               "%zu spooled messages for a notifier that is not configured; they stay in the "
               "spool",
               count);
}

/* Index DIR/name into its queue (reading names only). 0 or -1 with err. */
static int queue_scan(vs_spool *s, const char *name, char *err, size_t errlen)
{
    char **names;
    size_t n;
    if (vs_spool_list(s->dir_fd, name, &names, &n, err, errlen) != 0)
        return -1;
    pthread_mutex_lock(&s->lock);
    struct queue *q = queue_get(s, name);
    pthread_mutex_unlock(&s->lock);
    if (q == NULL)
        snprintf(err, errlen, "out of memory");
    else
        queue_add_names(s, q, names, n);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return q == NULL ? -1 : 0;
}

/* Watch DIR/name (watch mode) and index it; watching first, so nothing falls in between. */
static int queue_watch_scan(vs_spool *s, const char *name, char *err, size_t errlen)
{
    if (s->ino_fd >= 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", s->dir, name);
        /* Entries arrive by rename; a file an operator copies in counts once it is closed. */
        int wd = inotify_add_watch(s->ino_fd, path, IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
        if (wd < 0) {
            snprintf(err, errlen, "cannot watch %s: %s", path, strerror(errno));
            return -1;
        }
        pthread_mutex_lock(&s->lock);
        struct queue *q = queue_get(s, name);
        if (q != NULL)
            q->wd = wd;
        pthread_mutex_unlock(&s->lock);
    }
    return queue_scan(s, name, err, errlen);
}

/* Index every notifier directory (names only). 0 or -1 with err. */
static int spool_scan(vs_spool *s, char *err, size_t errlen)
{
    char **names;
    size_t n;
    if (vs_spool_list(s->dir_fd, NULL, &names, &n, err, errlen) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = queue_watch_scan(s, names[i], err, errlen);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Index the spool once: from then on puts and the watcher keep the index. The flag is set
 * before the scan, so an entry put meanwhile is indexed by its put, by the scan, or both. */
static int spool_index(vs_spool *s, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->lock);
    int done = s->indexed;
    s->indexed = 1;
    pthread_mutex_unlock(&s->lock);
    return done ? 0 : spool_scan(s, err, errlen);
}

/* Delivery -------------------------------------------------------------------------------- */

/* Wait on q's condition for at most secs (monotonic clock). Lock held. */
static void queue_wait(struct queue *q, double secs)
{
    struct timespec ts = mono_deadline(secs < WAIT_SLICE ? secs : WAIT_SLICE);
    pthread_cond_timedwait(&q->wake, &q->s->lock, &ts);
}

/* The wait before retrying after k failures: retry_min doubling up to retry_max, plus up to a
 * tenth more so notifiers that failed together do not retry in step. */
static double queue_backoff(struct queue *q, long k)
{
    vs_spool *s = q->s;
    double b = s->retry_min;
    for (long i = 1; i < k && b < s->retry_max; i++)
        b *= 2;
    b *= 1.0 + 0.1 * (double)rand_r(&q->seed) / RAND_MAX;
    return b < s->retry_max ? b : s->retry_max;
}

/* Drop e from the index; its file is gone or handled. */
static void queue_drop(struct queue *q, struct spooled *e)
{
    pthread_mutex_lock(&q->s->lock);
    queue_remove(q, e);
    pthread_mutex_unlock(&q->s->lock);
}

/* Move e to the dead letters (the caller has logged why) and drop it. A corrupt entry (raw) is
 * kept byte for byte; a good one with a "dead" note of the time and reason. */
static void queue_bury(struct queue *q, struct spooled *e, vs_spool_loaded *l, const char *why,
                       int raw)
{
    vs_spool *s = q->s;
    char err[256] = "";
    int rc = vs_spool_file_bury(s->dead_fd, s->dead_tmp_fd, q->name, e->name, l, why, raw, err,
                                sizeof err);
    /* The dead letter is durable: a crash before this unlink only leaves a second copy. */
    if (rc == 0 && unlinkat(q->dfd, e->name, 0) != 0 && errno != ENOENT) {
        snprintf(err, sizeof err, "cannot remove it from the spool: %s", strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        VS_LOG(VS_LOG_ERR, q->name,
               "cannot move spool entry %s to the dead letters: %s; it stays in the spool until "
               "a restart",
               e->name, err);
    pthread_mutex_lock(&s->lock);
    s->dead += rc == 0;
    queue_remove(q, e);
    pthread_mutex_unlock(&s->lock);
}

/* Read e's file into *l. 0, or -1 when e has been dealt with (gone, corrupt, unreadable). */
static int queue_load(struct queue *q, struct spooled *e, vs_spool_loaded *l)
{
    char err[256] = "";
    switch (vs_spool_file_load(q->dfd, e->name, l, err, sizeof err)) {
    case VS_SPOOL_LOAD_OK:
        return 0;
    case VS_SPOOL_LOAD_GONE: /* delivered already: seen again through the watcher */
        queue_drop(q, e);
        break;
    case VS_SPOOL_LOAD_CORRUPT:
        VS_LOG(VS_LOG_ERR, q->name, "spool entry %s is corrupt (%s); moved to the dead letters",
               e->name, err);
        queue_bury(q, e, l, err, 1);
        break;
    case VS_SPOOL_LOAD_ERROR:
        VS_LOG(VS_LOG_ERR, q->name,
               "cannot read spool entry %s: %s; it stays in the spool until a restart", e->name,
               err);
        queue_drop(q, e);
        break;
    }
    vs_spool_loaded_free(l);
    return -1;
}

/* Write l (attempts, next_attempt, the notifier's state) over e's file. */
static void queue_save(struct queue *q, struct spooled *e, vs_spool_loaded *l, double next_wall)
{
    char err[256] = "";
    json_object_object_add(l->o, "attempts", json_object_new_int64(l->attempts));
    json_object_object_add(l->o, "next_attempt", json_object_new_double(next_wall));
    if (vs_spool_file_store_json(q->s->tmp_fd, q->dfd, e->name, l->o, 0, err, sizeof err) != 0)
        VS_LOG(VS_LOG_ERR, q->name, "cannot update spool entry %s: %s", e->name, err);
}

/* A channel that failed for long dropped behind: entries of q past max_age go to the dead
 * letters without waiting for their own turn, each with one log line. */
static void queue_expire(struct queue *q, const char *last_error)
{
    vs_spool *s = q->s;
    double limit = wall_now() - s->max_age;
    for (;;) {
        struct spooled *old = NULL;
        pthread_mutex_lock(&s->lock);
        for (struct spooled *e = q->head; e != NULL && old == NULL; e = e->next) {
            double t = vs_spool_name_time(e->name);
            if (t > limit)
                break; /* names sort by time: the rest are younger */
            if (t >= 0)
                old = e;
        }
        pthread_mutex_unlock(&s->lock);
        vs_spool_loaded l;
        if (old == NULL)
            return;
        if (queue_load(q, old, &l) != 0)
            continue;
        const char *id = l.msg->msg_id != NULL ? l.msg->msg_id : old->name;
        VS_LOG(VS_LOG_ERR, q->name,
               "message %s undelivered after %.0f s, moved to the dead letters; last error: %s", id,
               wall_now() - l.created, last_error);
        queue_bury(q, old, &l, last_error, 0);
        vs_spool_loaded_free(&l);
    }
}

/* The channel works: e is delivered. */
static void queue_delivered(struct queue *q, struct spooled *e)
{
    /* No fsync of the directory: an unlink lost in a crash sends the message once more, which
     * at-least-once allows, and saves a disk flush per message. */
    if (unlinkat(q->dfd, e->name, 0) != 0 && errno != ENOENT)
        VS_LOG(VS_LOG_ERR, q->name,
               "cannot remove delivered spool entry %s: %s; it goes out again after a restart",
               e->name, strerror(errno));
    pthread_mutex_lock(&q->s->lock);
    queue_remove(q, e);
    size_t left = q->count;
    pthread_mutex_unlock(&q->s->lock);
    q->gate = 0;
    if (q->fails > 0)
        vs_complain_release(&q->complaint, VS_LOG_NOTICE, q->name,
                            "delivering again after %u failure%s; %zu queued", q->fails,
                            q->fails == 1 ? "" : "s", left);
    q->fails = 0;
}

/* A temporary failure: the channel is down, so the whole queue waits (the head's back-off
 * gates it); e itself goes to the dead letters once past max_age. */
static void queue_failed(struct queue *q, struct spooled *e, vs_spool_loaded *l,
                         const vs_send_status *st)
{
    vs_spool *s = q->s;
    double now = vs_log_now(), wall = wall_now();
    pthread_mutex_lock(&s->lock);
    size_t queued = q->count;
    int stopping = s->stopping;
    pthread_mutex_unlock(&s->lock);
    q->fails++;
    l->attempts++;
    /* A stop or reload cut the wait short: the next threads try again at once. */
    vs_complain(&q->complaint, now, VS_LOG_WARNING, q->name, "delivery failed: %s; %zu queued, %s",
                st->error, queued,
                stopping ? "tried again when delivery restarts" : "retrying with back-off");
    double wait = queue_backoff(q, l->attempts > (long)q->fails ? l->attempts : (long)q->fails);
    if (st->retry_after > wait)
        wait = st->retry_after;
    if (wall - l->created >= s->max_age) {
        const char *id = l->msg->msg_id != NULL ? l->msg->msg_id : e->name;
        VS_LOG(VS_LOG_ERR, q->name,
               "message %s undelivered after %.0f s, moved to the dead letters; last error: %s", id,
               wall - l->created, st->error);
        queue_bury(q, e, l, st->error, 0);
    } else {
        queue_save(q, e, l, wall + wait);
        e->due = now + wait;
    }
    q->gate = now + wait;
    queue_expire(q, st->error);
}

/* Act on the notifier's answer for e. */
static void queue_result(struct queue *q, struct spooled *e, vs_spool_loaded *l,
                         const vs_send_status *st)
{
    switch (st->result) {
    case VS_SEND_OK:
        queue_delivered(q, e);
        break;
    case VS_SEND_FAILED:
        VS_LOG(VS_LOG_ERR, q->name, "message %s failed for good, moved to the dead letters: %s",
               l->msg->msg_id != NULL ? l->msg->msg_id : e->name, st->error);
        queue_bury(q, e, l, st->error, 0);
        break;
    case VS_SEND_DEFER: {
        double wait = st->retry_after > 0 ? st->retry_after : q->s->retry_min;
        queue_save(q, e, l, wall_now() + wait);
        q->gate = e->due = vs_log_now() + wait;
        break;
    }
    default:
        queue_failed(q, e, l, st);
        break;
    }
}

/* Enter send(): 0, or -1 when a stop began (the entry is left as it is). */
static int worker_send_begin(struct worker *w)
{
    vs_spool *s = w->q->s;
    pthread_mutex_lock(&s->lock);
    int stopping = s->stopping;
    pthread_mutex_unlock(&s->lock);
    if (stopping)
        return -1;
    pthread_mutex_lock(&worker_lock);
    w->sending = 1;
    pthread_cond_broadcast(&s->workers_cond); /* a stop past its grace may leave it now */
    pthread_mutex_unlock(&worker_lock);
    return 0;
}

/* Leave send(): 0, or -1 when the stop abandoned w meanwhile (w is then the caller's alone). */
static int worker_send_end(struct worker *w)
{
    pthread_mutex_lock(&worker_lock);
    w->sending = 0;
    int abandoned = w->abandoned;
    pthread_mutex_unlock(&worker_lock);
    return abandoned ? -1 : 0;
}

static const char *result_name(vs_send_result r)
{
    switch (r) {
    case VS_SEND_OK:
        return "delivered";
    case VS_SEND_FAILED:
        return "failed for good";
    case VS_SEND_DEFER:
        return "deferred";
    default:
        return "failed";
    }
}

/* One delivery attempt of e, the head of q, by w. 0, or -1 when w was abandoned during send()
 * (then neither q nor e may be touched again). */
static int queue_attempt(struct queue *q, struct worker *w, struct spooled *e)
{
    vs_spool_loaded l;
    if (queue_load(q, e, &l) != 0)
        return 0;
    if (!e->checked) {
        /* Resumed after a restart: keep to the back-off the file records (bounded, in case the
         * clock was wrong when it was written). */
        e->checked = 1;
        double wait = l.next_attempt - wall_now();
        if (wait > 0) {
            if (wait > q->s->retry_max)
                wait = q->s->retry_max;
            q->gate = e->due = vs_log_now() + wait;
            vs_spool_loaded_free(&l);
            return 0;
        }
    }
    vs_send_status st = { VS_SEND_RETRY, 0, "the notifier gave no result" };
    vs_notifier *n = w->notifier;
    if (worker_send_begin(w) != 0) {
        vs_spool_loaded_free(&l);
        return 0;
    }
    n->ops->send(n, l.msg, l.state, &st);
    st.error[sizeof st.error - 1] = '\0';
    if (worker_send_end(w) != 0) {
        /* The file is whatever it was before: the message goes out again from there. */
        VS_LOG(VS_LOG_DEBUG, n->name, "the attempt a stop left behind ended: %s",
               result_name(st.result));
        vs_spool_loaded_free(&l);
        return -1;
    }
    queue_result(q, e, &l, &st);
    vs_spool_loaded_free(&l);
    return 0;
}

/* The delivery thread of a queue: the head entry, once due, until stopped. */
static void *queue_run(void *arg)
{
    struct worker *w = arg;
    struct queue *q = w->q;
    vs_spool *s = q->s;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        struct spooled *e = q->head;
        double due = e == NULL ? 0 : e->due > q->gate ? e->due : q->gate;
        double wait = e == NULL ? WAIT_SLICE : due - vs_log_now();
        if (wait > 0) {
            queue_wait(q, wait);
            continue;
        }
        pthread_mutex_unlock(&s->lock);
        if (queue_attempt(q, w, e) != 0) {
            /* Abandoned and detached: nobody else refers to w or its notifier any more. */
            vs_notifier *n = w->notifier;
            free(w);
            vs_notifier_free(n);
            return NULL;
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_lock(&worker_lock);
    w->done = 1;
    pthread_cond_broadcast(&s->workers_cond); /* s lives: its stop waits for w */
    pthread_mutex_unlock(&worker_lock);
    return NULL;
}

/* Watching --------------------------------------------------------------------------------- */

/* The queue watched through wd, or NULL. */
static struct queue *queue_by_wd(vs_spool *s, int wd)
{
    struct queue *found = NULL;
    pthread_mutex_lock(&s->lock);
    for (struct queue *q = s->queues; q != NULL && found == NULL; q = q->next)
        if (q->wd == wd)
            found = q;
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* Read the whole spool again (the kernel's event queue overflowed: events were lost). */
static void watch_rescan(vs_spool *s)
{
    char err[256];
    if (spool_scan(s, err, sizeof err) != 0)
        VS_LOG(VS_LOG_ERR, NULL, "spool %s: %s", s->dir, err);
}

/* Act on a buffer of inotify events: new notifier directories, new entries. */
static void watch_events(vs_spool *s, char *buf, size_t len)
{
    for (size_t off = 0; off + sizeof(struct inotify_event) <= len;) {
        struct inotify_event *ev = (struct inotify_event *)(void *)(buf + off);
        off += sizeof *ev + ev->len;
        if (ev->mask & IN_Q_OVERFLOW) {
            watch_rescan(s);
            continue;
        }
        struct queue *q = ev->wd == s->ino_root ? NULL : queue_by_wd(s, ev->wd);
        if (ev->mask & IN_IGNORED) { /* its directory went away */
            if (q != NULL) {
                pthread_mutex_lock(&s->lock);
                q->wd = -1;
                pthread_mutex_unlock(&s->lock);
            }
            continue;
        }
        if (ev->len == 0 || ev->name[0] == '.')
            continue;
        char err[256], *name = ev->name;
        if (ev->wd == s->ino_root && (ev->mask & IN_ISDIR) && vs_spool_name_ok(name)) {
            if (queue_watch_scan(s, name, err, sizeof err) != 0)
                VS_LOG(VS_LOG_ERR, NULL, "spool %s: %s", s->dir, err);
        } else if (q != NULL && !(ev->mask & IN_ISDIR)) {
            queue_add_names(s, q, &name, 1);
        }
    }
}

/* The watcher thread: inotify events until woken through wake_fd. */
static void *watch_run(void *arg)
{
    vs_spool *s = arg;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        struct pollfd p[2] = { { s->ino_fd, POLLIN, 0 }, { s->wake_fd, POLLIN, 0 } };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            VS_LOG(VS_LOG_ERR, NULL, "spool %s: poll: %s; no longer watching", s->dir,
                   strerror(errno));
            break;
        }
        if (p[1].revents != 0)
            break;
        ssize_t n = read(s->ino_fd, buf, sizeof buf);
        if (n > 0)
            watch_events(s, buf, (size_t)n);
        else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            VS_LOG(VS_LOG_ERR, NULL, "spool %s: inotify: %s; no longer watching", s->dir,
                   strerror(errno));
            break;
        }
    }
    return NULL;
}

/* Watch DIR for new notifier directories, index it, and start the watcher thread. */
static int watch_start(vs_spool *s, char *err, size_t errlen)
{
    s->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    s->wake_fd = eventfd(0, EFD_CLOEXEC);
    if (s->ino_fd < 0 || s->wake_fd < 0) {
        snprintf(err, errlen, "cannot set up watching %s: %s", s->dir, strerror(errno));
        return -1;
    }
    s->ino_root = inotify_add_watch(s->ino_fd, s->dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
    if (s->ino_root < 0) {
        snprintf(err, errlen, "cannot watch %s: %s", s->dir, strerror(errno));
        return -1;
    }
    if (spool_index(s, err, errlen) != 0)
        return -1;
    int rc = pthread_create(&s->watcher, NULL, watch_run, s);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the spool watcher: %s", strerror(rc));
        return -1;
    }
    s->watching = 1;
    return 0;
}

/* The API ---------------------------------------------------------------------------------- */

vs_spool *vs_spool_open(const vs_spool_conf *c, char *err, size_t errlen)
{
    if (c->dir == NULL || c->dead_dir == NULL) {
        snprintf(err, errlen, "the spool needs a directory and a dead-letter directory");
        return NULL;
    }
    vs_spool *s = calloc(1, sizeof *s);
    if (s == NULL || (s->dir = strdup(c->dir)) == NULL || cond_init_mono(&s->workers_cond) != 0) {
        snprintf(err, errlen, "out of memory");
        if (s != NULL)
            free(s->dir);
        free(s);
        return NULL;
    }
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        snprintf(err, errlen, "out of memory");
        pthread_cond_destroy(&s->workers_cond);
        free(s->dir);
        free(s);
        return NULL;
    }
    s->dir_fd = s->tmp_fd = s->dead_fd = s->dead_tmp_fd = s->ino_fd = s->wake_fd = -1;
    s->ino_root = -1;
    s->retry_min = c->retry_min > 0 ? c->retry_min : 1;
    s->retry_max = c->retry_max > 0 ? c->retry_max : 300;
    if (s->retry_max < s->retry_min)
        s->retry_max = s->retry_min;
    s->max_age = c->max_age > 0 ? c->max_age : 86400;
    if (vs_spool_dir_open(c->dir, &s->dir_fd, &s->tmp_fd, err, errlen) != 0
        || vs_spool_dir_open(c->dead_dir, &s->dead_fd, &s->dead_tmp_fd, err, errlen) != 0
        || (c->watch && watch_start(s, err, errlen) != 0)) {
        vs_spool_close(s);
        return NULL;
    }
    return s;
}

int vs_spool_put(vs_spool *s, const char *notifier, const vs_msg *m, char *err, size_t errlen)
{
    if (!vs_spool_name_ok(notifier)) {
        snprintf(err, errlen,
                 "notifier name \"%.64s\" is not 1 to 64 of A-Z a-z 0-9 _ . - (no leading dot)",
                 notifier != NULL ? notifier : "");
        return -1;
    }
    double now = wall_now();
    char name[VS_SPOOL_NAME_LEN], *np = name;
    vs_spool_name_make(now, name);
    json_object *o = vs_spool_entry_new(notifier, now, m);
    if (o == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int dfd = vs_spool_subdir_open(s->dir_fd, notifier, err, errlen);
    int rc = dfd < 0 ? -1 : vs_spool_file_store_json(s->tmp_fd, dfd, name, o, 1, err, errlen);
    if (dfd >= 0)
        close(dfd);
    json_object_put(o);
    if (rc != 0)
        return -1;
    /* On disk now; the rest only wakes the delivery thread sooner than a restart would. */
    pthread_mutex_lock(&s->lock);
    struct queue *q = s->indexed ? queue_get(s, notifier) : NULL;
    int lost = s->indexed && q == NULL;
    pthread_mutex_unlock(&s->lock);
    if (q != NULL)
        queue_add_names(s, q, &np, 1);
    if (lost)
        VS_LOG(VS_LOG_ERR, notifier, "out of memory: a spooled message waits for a restart");
    return 0;
}

/* Check the notifiers' names and set up their queues for delivery. Lock not held. */
static int spool_prepare(vs_spool *s, vs_notifier *const *notifiers, size_t n, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = notifiers[i]->name;
        if (!vs_spool_name_ok(name)) {
            snprintf(err, errlen, "notifier name \"%.64s\" is not 1 to 64 of A-Z a-z 0-9 _ . -",
                     name != NULL ? name : "");
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(notifiers[j]->name, name) == 0) {
                snprintf(err, errlen, "two notifiers are called \"%s\"", name);
                return -1;
            }
        }
    }
    if (spool_index(s, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&s->lock);
        struct queue *q = queue_get(s, notifiers[i]->name);
        pthread_mutex_unlock(&s->lock);
        if (q == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (q->dfd < 0 && (q->dfd = vs_spool_subdir_open(s->dir_fd, q->name, err, errlen)) < 0)
            return -1;
    }
    return 0;
}

static void notifiers_free(vs_notifier *const *notifiers, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vs_notifier_free(notifiers[i]);
}

/* Workers for the notifiers (taken over), NULL when memory is short (then all are freed). */
static struct worker **workers_make(vs_notifier *const *notifiers, size_t n)
{
    struct worker **w = calloc(n + 1, sizeof *w);
    for (size_t i = 0; w != NULL && i < n; i++) {
        if ((w[i] = calloc(1, sizeof **w)) == NULL) {
            while (i > 0)
                free(w[--i]);
            free(w);
            w = NULL;
            break;
        }
        w[i]->notifier = notifiers[i];
    }
    if (w == NULL)
        notifiers_free(notifiers, n);
    return w;
}

int vs_spool_start(vs_spool *s, vs_notifier *const *notifiers, size_t n, char *err, size_t errlen)
{
    if (s->started) {
        snprintf(err, errlen, "the spool's delivery threads run already");
        notifiers_free(notifiers, n);
        return -1;
    }
    if (spool_prepare(s, notifiers, n, err, errlen) != 0) {
        notifiers_free(notifiers, n);
        return -1;
    }
    struct worker **w = workers_make(notifiers, n);
    if (w == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&s->lock);
    s->started = 1;
    s->stopping = 0;
    for (struct queue *q = s->queues; q != NULL; q = q->next) {
        /* A reload may have mended a channel: what waited is tried at once. */
        q->orphan_logged = 0;
        q->gate = 0;
        for (struct spooled *e = q->head; e != NULL; e = e->next)
            e->due = 0;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(q->name, notifiers[i]->name) == 0) {
                q->worker = w[i];
                w[i]->q = q;
            }
        }
    }
    struct queue *queues = s->queues;
    pthread_mutex_unlock(&s->lock);
    for (size_t i = 0; i < n; i++) {
        int rc = pthread_create(&w[i]->thread, NULL, queue_run, w[i]);
        if (rc == 0)
            continue;
        snprintf(err, errlen, "cannot start a delivery thread: %s", strerror(rc));
        /* Those without a thread go now, the others with the stop. */
        pthread_mutex_lock(&s->lock);
        for (size_t k = i; k < n; k++)
            w[k]->q->worker = NULL;
        pthread_mutex_unlock(&s->lock);
        for (size_t k = i; k < n; k++) {
            vs_notifier_free(w[k]->notifier);
            free(w[k]);
        }
        free(w);
        vs_spool_stop(s, 0);
        return -1;
    }
    free(w);
    for (struct queue *q = queues; q != NULL; q = q->next)
        if (q->worker == NULL)
            queue_add_names(s, q, NULL, 0); /* logs once when entries wait for nobody */
    return 0;
}

/* Wait for the workers of the queues from head on to leave their loops, for grace seconds;
 * then abandon those inside send() and wait for the rest, which are about to leave. The
 * number abandoned. */
static size_t workers_wait(vs_spool *s, struct queue *head, double grace)
{
    struct timespec deadline = mono_deadline(grace > 0 ? grace : 0);
    double until = vs_log_now() + (grace > 0 ? grace : 0);
    size_t left = 0;
    pthread_mutex_lock(&worker_lock);
    for (;;) {
        int past = vs_log_now() >= until, waiting = 0;
        for (struct queue *q = head; q != NULL; q = q->next) {
            struct worker *w = q->worker;
            if (w == NULL || w->done)
                continue;
            if (!past || !w->sending) {
                waiting = 1;
                continue;
            }
            /* From here on the thread frees w itself: forget it under worker_lock. */
            w->abandoned = 1;
            pthread_detach(w->thread);
            pthread_mutex_lock(&s->lock);
            q->worker = NULL;
            pthread_mutex_unlock(&s->lock);
            left++;
        }
        if (!waiting)
            break;
        if (past) /* a worker entering send() or leaving its loop wakes this */
            deadline = mono_deadline(0.1);
        pthread_cond_timedwait(&s->workers_cond, &worker_lock, &deadline);
    }
    pthread_mutex_unlock(&worker_lock);
    return left;
}

void vs_spool_stop(vs_spool *s, double grace)
{
    if (s == NULL || !s->started)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    for (struct queue *q = s->queues; q != NULL; q = q->next)
        pthread_cond_broadcast(&q->wake);
    struct queue *queues = s->queues; /* new queues go in front, without workers */
    pthread_mutex_unlock(&s->lock);
    size_t left = workers_wait(s, queues, grace);
    for (struct queue *q = queues; q != NULL; q = q->next) {
        struct worker *w = q->worker;
        if (w == NULL)
            continue;
        pthread_join(w->thread, NULL);
        pthread_mutex_lock(&s->lock);
        q->worker = NULL;
        pthread_mutex_unlock(&s->lock);
        vs_notifier_free(w->notifier);
        free(w);
    }
    if (left == 1)
        VS_LOG(VS_LOG_INFO, NULL,
               "stopping: a delivery attempt still in progress after %.1f s is left to end on its "
               "own; its message stays in the spool and goes out again (twice if that attempt "
               "succeeds)",
               grace > 0 ? grace : 0);
    else if (left > 1)
        VS_LOG(VS_LOG_INFO, NULL,
               "stopping: %zu delivery attempts still in progress after %.1f s are left to end on "
               "their own; their messages stay in the spool and go out again (twice where an "
               "attempt succeeds)",
               left, grace > 0 ? grace : 0);
    pthread_mutex_lock(&s->lock);
    s->started = 0;
    s->stopping = 0;
    pthread_mutex_unlock(&s->lock);
}

size_t vs_spool_pending(vs_spool *s, const char *notifier)
{
    char err[256];
    if (spool_index(s, err, sizeof err) != 0)
        VS_LOG(VS_LOG_ERR, NULL, "spool %s: %s", s->dir, err);
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    for (struct queue *q = s->queues; q != NULL; q = q->next)
        if (notifier == NULL || strcmp(q->name, notifier) == 0)
            n += q->count;
    pthread_mutex_unlock(&s->lock);
    return n;
}

size_t vs_spool_dead(vs_spool *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->dead;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void vs_spool_close(vs_spool *s)
{
    if (s == NULL)
        return;
    vs_spool_stop(s, VS_SPOOL_CLOSE_GRACE);
    if (s->watching) {
        uint64_t one = 1;
        while (write(s->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
            continue;
        pthread_join(s->watcher, NULL);
    }
    int fds[] = { s->dir_fd, s->tmp_fd, s->dead_fd, s->dead_tmp_fd, s->ino_fd, s->wake_fd };
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    for (struct queue *q = s->queues, *next; q != NULL; q = next) {
        next = q->next;
        queue_free(q);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->workers_cond);
    free(s->dir);
    free(s);
}
