/* mgr_rrd: the RRD writer's queue and thread. Pollers submit results (copied into a bounded
 * queue); one writer thread owns all RRD I/O, writing directly (mgr_rrd_direct.c) or through
 * rrdcached (mgr_rrd_cached.c), backing off while rrdcached is away and dropping only what is
 * older than the retry window. */
#include "config.h"

#include "mgr_rrd.h"
#include "mgr_rrd_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MAX 5.0
/* Submissions are gathered before the writer takes them: it wakes once per BATCH_WAIT
 * seconds, or at once when BATCH_RECS records are waiting (or a drain or stop asks), instead
 * of once per polled host. The files lose nothing by it: a step is a minute or more. */
#define BATCH_WAIT 1.0
#define BATCH_RECS 512
#define RRDC_TIMEOUT 30.0 /* seconds rrdcached may keep us waiting without progress */

/* ---------------------------------------------------------------- helpers */

/* An absolute CLOCK_MONOTONIC time (the conditions' clock) s seconds from now. */
static struct timespec deadline_in(double s)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double whole = floor(s);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((s - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

const char *mgr_rrd_abs(mgr_rrd *w, const char *rel)
{
    vs_buf_reset(&w->path);
    if (vs_buf_append_str(&w->path, w->dir) < 0 || vs_buf_append(&w->path, "/", 1) < 0
        || vs_buf_append_str(&w->path, rel) < 0)
        return NULL;
    return w->path.data;
}

int mgr_rrd_mkdirs(const char *abs)
{
    char *p = strdup(abs);
    int rc = 0;

    if (p == NULL)
        return -1;
    for (char *s = strchr(p + 1, '/'); s != NULL && rc == 0; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0755) == 0)
            chmod(p, 0755); /* whatever the umask, as for the files */
        else if (errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    int e = errno;
    free(p);
    errno = e;
    return rc;
}

void mgr_rrd_refuse(mgr_rrd *w, const char *target, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    w->refused_at = vs_log_now();
    vs_complain(&w->refused, w->refused_at, VS_LOG_ERR, target, "%s", msg);
}

void mgr_rrd_refuse_ok(mgr_rrd *w)
{
    if (w->refused.failing && vs_log_now() - w->refused_at > 2.0 * w->step)
        vs_complain_release(&w->refused, VS_LOG_NOTICE, w->dir,
                            "RRD updates succeed again (none failed for %d s)", 2 * w->step);
}

/* Free a list of records; returns how many there were. */
static size_t recs_free(mgr_rrd_rec *r)
{
    size_t n = 0;

    while (r != NULL) {
        mgr_rrd_rec *next = r->next;
        free(r);
        r = next;
        n++;
    }
    return n;
}

/* Add d to the stats and take finished records off pending; wakes drainers at 0. Locked. */
static void stats_add_locked(mgr_rrd *w, const mgr_rrd_stats *d, size_t finished)
{
    w->st.updates += d->updates;
    w->st.creates += d->creates;
    w->st.errors += d->errors;
    w->st.dropped += d->dropped;
    w->pending -= finished;
    if (w->pending == 0)
        pthread_cond_broadcast(&w->idle);
}

void mgr_rrd_finish(mgr_rrd *w, size_t n, const mgr_rrd_stats *d)
{
    mgr_rrd_rec *r = w->whead;

    for (size_t i = 0; i < n && r != NULL; i++) {
        mgr_rrd_rec *next = r->next;
        free(r);
        r = next;
        w->wn--;
    }
    w->whead = r;
    if (r == NULL)
        w->wtail = NULL;
    pthread_mutex_lock(&w->lock);
    stats_add_locked(w, d, n);
    pthread_mutex_unlock(&w->lock);
}

/* ---------------------------------------------------------------- writer thread */

/* Move the submitted queue to the end of the writer's list. Locked. */
static void queue_take(mgr_rrd *w)
{
    if (w->qhead == NULL)
        return;
    if (w->wtail != NULL)
        w->wtail->next = w->qhead;
    else
        w->whead = w->qhead;
    w->wtail = w->qtail;
    w->wn += w->qn;
    w->qn = 0;
    w->qhead = w->qtail = NULL;
}

/* Whether the queue is to be taken now: the writer is at work anyway, or the batch is full
 * or old enough, or a drain or stop waits for it. Locked. */
static int queue_due(const mgr_rrd *w)
{
    return w->qhead != NULL
           && (w->whead != NULL || w->stop || w->drainers > 0 || w->qn >= BATCH_RECS
               || vs_log_now() >= w->q_first + BATCH_WAIT);
}

/* Wait for work while none is due: until the queued batch is due, or (lingering after work,
 * when more usually follows) BATCH_WAIT, or else until a submission wakes the writer. Locked. */
static void writer_wait(mgr_rrd *w, int *linger)
{
    double until = 0;
    if (w->qhead != NULL)
        until = w->q_first + BATCH_WAIT;
    else if (*linger)
        until = vs_log_now() + BATCH_WAIT;
    *linger = 0;
    if (until > 0) {
        struct timespec ts = deadline_in(until - vs_log_now());
        pthread_cond_timedwait(&w->wake, &w->lock, &ts);
        return;
    }
    w->asleep = 1;
    pthread_cond_wait(&w->wake, &w->lock);
    w->asleep = 0;
}

/* Drop the writer's records older than the retry window (all of them when all is set), with
 * one log line per outage. Locked. */
static void drop_old(mgr_rrd *w, int all)
{
    double limit = vs_log_now() - w->retry_s;
    size_t n = 0;

    while (w->whead != NULL && (all || w->whead->queued < limit)) {
        mgr_rrd_rec *r = w->whead;
        w->whead = r->next;
        free(r);
        w->wn--;
        n++;
    }
    if (w->whead == NULL)
        w->wtail = NULL;
    if (n == 0)
        return;
    mgr_rrd_stats d = { .dropped = n };
    stats_add_locked(w, &d, n);
    if (all)
        VS_LOG(VS_LOG_ERR, w->rrdc_name, "stopping: %zu updates not written were dropped", n);
    else if (w->outage_dropped == 0)
        VS_LOG(VS_LOG_ERR, w->rrdc_name,
               "away for more than %d s: dropping the oldest updates (%zu so far)", w->retry_s, n);
    w->outage_dropped += n;
}

/* After a failure: wait for the back-off delay (or stop), then drop what is too old. Returns
 * -1 when stopping (everything left was dropped). Locked. */
static int backoff_wait(mgr_rrd *w)
{
    struct timespec until = deadline_in(w->backoff);

    w->backoff = w->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : w->backoff * 2;
    while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
        ;
    queue_take(w);
    drop_old(w, w->stop);
    return w->stop ? -1 : 0;
}

/* Write some of the writer's list, or flush; 0 on progress, -1 to back off. Unlocked. */
static int writer_work(mgr_rrd *w, int flush)
{
    if (w->whead == NULL)
        return flush && w->rrdc != NULL ? mgr_rrd_cached_flush(w) : 0;
    if (w->rrdc != NULL)
        return mgr_rrd_cached_write(w);
    mgr_rrd_direct_write(w);
    return 0;
}

static void *writer_main(void *arg)
{
    mgr_rrd *w = arg;

    int linger = 0;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        if (queue_due(w))
            queue_take(w);
        unsigned long want = w->flush_req;
        int flush = want != w->flush_done && w->whead == NULL && w->qhead == NULL;
        if (w->whead == NULL && !flush) {
            if (w->stop && w->qhead == NULL)
                break;
            writer_wait(w, &linger);
            continue;
        }
        pthread_mutex_unlock(&w->lock);
        int rc = writer_work(w, flush);
        linger = 1;
        pthread_mutex_lock(&w->lock);
        if (rc == 0 && flush) {
            w->flush_done = want;
            pthread_cond_broadcast(&w->idle);
        }
        if (rc < 0 && backoff_wait(w) < 0)
            break;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---------------------------------------------------------------- creation */

/* rrd_dir as an absolute name without trailing '/'; NULL when memory is short. */
static char *dir_absolute(const char *rrd_dir)
{
    vs_buf b;
    char cwd[MGR_RRD_PATH_MAX];

    vs_buf_init(&b, MGR_RRD_PATH_MAX);
    if (rrd_dir[0] != '/'
        && (getcwd(cwd, sizeof(cwd)) == NULL || vs_buf_append_str(&b, cwd) < 0
            || vs_buf_append(&b, "/", 1) < 0)) {
        vs_buf_free(&b);
        return NULL;
    }
    if (vs_buf_append_str(&b, rrd_dir) < 0) {
        vs_buf_free(&b);
        return NULL;
    }
    while (b.len > 1 && b.data[b.len - 1] == '/')
        b.data[--b.len] = '\0';
    return vs_buf_steal(&b);
}

/* Set up the rrdcached client of w for address; 0 or -1 (logged). */
static int writer_rrdcached(mgr_rrd *w, const char *address)
{
    mgr_rrdc_addr addr;
    vs_buf name;

    if (mgr_rrdc_addr_parse(address, &addr) < 0) {
        VS_LOG(VS_LOG_ERR, NULL,
               "rrdcached address '%s' is not valid: use unix:/path, /path or host[:port]",
               address);
        return -1;
    }
    for (const char *p = w->dir; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            VS_LOG(VS_LOG_ERR, NULL,
                   "RRD directory '%s' holds a control character, which the "
                   "rrdcached protocol cannot carry",
                   w->dir);
            return -1;
        }
    }
    vs_buf_init(&name, 512);
    w->chunk.cap = MGR_RRD_BATCH_MAX;
    if ((w->chunk.p = malloc(MGR_RRD_BATCH_MAX * sizeof(*w->chunk.p))) == NULL
        || (w->cmd_rec = malloc(MGR_RRD_BATCH_MAX * sizeof(*w->cmd_rec))) == NULL
        || vs_buf_appendf(&name, "rrdcached %s", address) < 0
        || (w->rrdc = mgr_rrdc_new(&addr, RRDC_TIMEOUT)) == NULL
        || (w->rrdc_name = vs_buf_steal(&name)) == NULL) {
        vs_buf_free(&name);
        VS_LOG(VS_LOG_ERR, NULL, "RRD writer: out of memory");
        return -1;
    }
    return 0;
}

/* Everything of w but the thread; 0 or -1 (logged). */
static int writer_init(mgr_rrd *w, const char *rrd_dir, int step, const char *rrdcached,
                       int retry_s)
{
    pthread_condattr_t ca;

    w->step = step;
    w->retry_s = retry_s > 0 ? retry_s : 0;
    w->backoff = MGR_RRD_BACKOFF_FIRST;
    vs_buf_init(&w->path, MGR_RRD_PATH_MAX);
    vs_buf_init(&w->line, 64 << 20);
    if ((w->dir = dir_absolute(rrd_dir)) == NULL) {
        VS_LOG(VS_LOG_ERR, NULL, "RRD directory '%s': name too long or out of memory", rrd_dir);
        return -1;
    }
    for (int k = 0; k < MGR_RES__COUNT; k++) {
        if ((w->args[k] = mgr_rrd_create_args((mgr_res_kind)k, step, &w->nargs[k])) == NULL)
            goto nomem;
    }
    if (rrdcached != NULL && writer_rrdcached(w, rrdcached) < 0)
        return -1;
    if (w->rrdc_name == NULL && (w->rrdc_name = strdup("rrd")) == NULL)
        goto nomem;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
    pthread_cond_init(&w->idle, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
nomem:
    VS_LOG(VS_LOG_ERR, NULL, "RRD writer: out of memory");
    return -1;
}

/* Free the parts of w; the thread is not running. */
static void writer_destroy(mgr_rrd *w, int inited)
{
    if (inited) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        pthread_cond_destroy(&w->idle);
    }
    recs_free(w->qhead);
    recs_free(w->whead);
    mgr_rrd_files_free(&w->files);
    for (int k = 0; k < MGR_RES__COUNT; k++)
        mgr_rrd_args_free(w->args[k]);
    mgr_rrdc_free(w->rrdc);
    vs_buf_free(&w->path);
    vs_buf_free(&w->line);
    free(w->chunk.p);
    free(w->learn.p);
    free(w->files_sel.p);
    free(w->dirty.p);
    free(w->cmd_rec);
    free(w->rrdc_name);
    free(w->dir);
    free(w);
}

mgr_rrd *mgr_rrd_new(const char *rrd_dir, int step, const char *rrdcached, int retry_s)
{
    if (rrd_dir == NULL || *rrd_dir == '\0' || step < 1) {
        VS_LOG(VS_LOG_ERR, NULL,
               "RRD writer: the directory must not be empty and the step "
               "must be at least 1 s (got %d)",
               step);
        return NULL;
    }
    mgr_rrd *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        VS_LOG(VS_LOG_ERR, NULL, "RRD writer: out of memory");
        return NULL;
    }
    if (writer_init(w, rrd_dir, step, rrdcached, retry_s) < 0) {
        writer_destroy(w, 0);
        return NULL;
    }
    int rc = pthread_create(&w->thread, NULL, writer_main, w);
    if (rc != 0) {
        VS_LOG(VS_LOG_ERR, NULL, "RRD writer: cannot start its thread: %s", strerror(rc));
        writer_destroy(w, 1);
        return NULL;
    }
    VS_LOG(VS_LOG_INFO, NULL, "RRD writer: files under %s, step %d s, %s%s", w->dir, step,
           w->rrdc != NULL ? "through " : "written directly", w->rrdc != NULL ? w->rrdc_name : "");
    return w;
}

/* ---------------------------------------------------------------- submission */

/* A record for resource x of host at t, its file name built in b. NULL (logged) on failure. */
static mgr_rrd_rec *rec_new(vs_buf *b, const char *group_path, const char *host,
                            const mgr_resource *x, long t, double now)
{
    size_t nv;

    vs_buf_reset(b);
    if (mgr_rrd_path_append(b, group_path, host, x->kind, x->id) < 0) {
        VS_LOG(VS_LOG_ERR, host,
               "cannot make an RRD file name for %s '%s' (empty host name, "
               "name too long, or out of memory)",
               mgr_res_kind_name(x->kind), x->id != NULL ? x->id : "");
        return NULL;
    }
    mgr_metric_defs(x->kind, &nv);
    mgr_rrd_rec *r = malloc(sizeof(*r) + b->len + 1);
    if (r == NULL) {
        VS_LOG(VS_LOG_ERR, host, "RRD writer: out of memory");
        return NULL;
    }
    r->next = NULL;
    r->queued = now;
    r->t = t;
    r->f = NULL;
    r->kind = (unsigned char)x->kind;
    r->n = (unsigned char)nv;
    memcpy(r->v, x->v, sizeof(r->v));
    memcpy(r->rel, b->data, b->len + 1);
    return r;
}

/* Append the list head..tail (n records) to the queue, dropping what passes the bound. */
static void queue_put(mgr_rrd *w, mgr_rrd_rec *head, mgr_rrd_rec *tail, size_t n)
{
    pthread_mutex_lock(&w->lock);
    size_t room = w->pending < MGR_RRD_MAX_PENDING ? MGR_RRD_MAX_PENDING - w->pending : 0;
    if (n > room) {
        mgr_rrd_rec *cut = head;
        for (size_t i = 1; i < room; i++)
            cut = cut->next;
        mgr_rrd_rec *rest = room > 0 ? cut->next : head;
        if (room > 0)
            cut->next = NULL;
        tail = room > 0 ? cut : NULL;
        head = room > 0 ? head : NULL;
        size_t lost = recs_free(rest);
        w->st.dropped += lost;
        n = room;
        vs_complain(&w->full, vs_log_now(), VS_LOG_ERR, w->rrdc_name,
                    "%zu updates are waiting to be written: %zu new ones dropped",
                    (size_t)MGR_RRD_MAX_PENDING, lost);
    } else {
        vs_complain_release(&w->full, VS_LOG_NOTICE, w->rrdc_name, "the queue has room again");
    }
    if (head != NULL) {
        if (w->qtail != NULL) {
            w->qtail->next = head;
        } else {
            w->qhead = head;
            w->q_first = vs_log_now();
        }
        w->qtail = tail;
        w->pending += n;
        size_t before = w->qn;
        w->qn += n;
        if (w->asleep || (before < BATCH_RECS && w->qn >= BATCH_RECS))
            pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
}

int mgr_rrd_submit(mgr_rrd *w, const char *group_path, const mgr_result *r, long t)
{
    mgr_rrd_rec *head = NULL, *tail = NULL;
    size_t n = 0;
    double now = vs_log_now();
    vs_buf b;

    vs_buf_init(&b, MGR_RRD_PATH_MAX);
    for (size_t i = 0; i < r->n_res; i++) {
        mgr_rrd_rec *x = rec_new(&b, group_path, r->host, &r->res[i], t, now);
        if (x == NULL) {
            recs_free(head);
            vs_buf_free(&b);
            return -1;
        }
        if (tail != NULL)
            tail->next = x;
        else
            head = x;
        tail = x;
        n++;
    }
    vs_buf_free(&b);
    if (n > 0)
        queue_put(w, head, tail, n);
    return 0;
}

/* ---------------------------------------------------------------- stats, drain, free */

void mgr_rrd_get_stats(mgr_rrd *w, mgr_rrd_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->st;
    out->pending = w->pending;
    pthread_mutex_unlock(&w->lock);
}

/* Whether everything submitted is finished and, when want is set, flush want was done. */
static int drained(const mgr_rrd *w, unsigned long want)
{
    return w->pending == 0 && (want == 0 || (long)(w->flush_done - want) >= 0);
}

int mgr_rrd_drain(mgr_rrd *w, double timeout_s, int flush)
{
    struct timespec until = deadline_in(timeout_s > 0 ? timeout_s : 0);
    unsigned long want = 0;

    pthread_mutex_lock(&w->lock);
    if (flush && w->rrdc != NULL) {
        want = ++w->flush_req;
        if (want == 0) /* 0 means "no flush wanted" */
            want = ++w->flush_req;
    }
    w->drainers++; /* the queued batch is due now */
    if (w->qhead != NULL || want != 0)
        pthread_cond_signal(&w->wake);
    while (!drained(w, want)) {
        if (pthread_cond_timedwait(&w->idle, &w->lock, &until) == ETIMEDOUT)
            break;
    }
    w->drainers--;
    int ok = drained(w, want);
    pthread_mutex_unlock(&w->lock);
    return ok ? 0 : -1;
}

void mgr_rrd_free(mgr_rrd *w)
{
    if (w == NULL)
        return;
    mgr_rrd_drain(w, w->rrdc != NULL ? w->retry_s : 0, 0);
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    writer_destroy(w, 1);
}
