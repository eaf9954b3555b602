/* mgr_lv: the libvirt poller's pool: poll jobs queued to a few worker threads, one context per
 * host kept between polls, a watchdog that gives up on a hung hypervisor (and replaces the
 * thread stuck in it), and the result queue the core reads through an eventfd. */
#include <config.h>

#include "mgr_lv.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mgr_lv_int.h"
#include "vs_libvirt.h"

#define STOP_GRACE 2.0 /* seconds mgr_lv_free waits for the workers */
#define CAP_FACTOR 4   /* at most this many threads per wanted worker, stuck ones included */

/* A result on its way to the core. */
typedef struct lv_done {
    struct lv_done *next;
    mgr_result *r;
} lv_done;

/* One poll of one host, from mgr_lv_poll until its result is delivered and the worker (if one
 * took it) is done with it. */
typedef struct lv_job {
    struct lv_job *next; /* in the queue, then in the running list */
    mgr_lv_host *host;
    double deadline;      /* monotonic */
    double queued_wall;   /* wall clock at mgr_lv_poll */
    double started;       /* monotonic, when a worker took it */
    double started_wall;  /* ... and on the wall clock */
    double limit;         /* while running: min(deadline, started + timeout) */
    atomic_int abandoned; /* the watchdog delivered its failure: the worker's result is dropped */
    mgr_result *spare;    /* the failure the pool delivers without the worker */
    lv_done *node;        /* carries whichever result is delivered */
} lv_job;

struct mgr_lv {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job or a host to close is waiting, or stopping */
    pthread_cond_t gone; /* a worker thread exited (CLOCK_MONOTONIC) */
    int size;            /* usable workers wanted */
    int cap;             /* most threads, stuck ones included */
    int threads;         /* worker threads alive */
    int stuck;           /* of them, inside a poll the watchdog gave up */
    int stopping, orphaned;
    /* Threads that ended while the pool stops, for mgr_lv_free to join: libvirt frees a
     * thread's last-error record only when the thread is really gone. */
    pthread_t *ended;
    size_t n_ended, cap_ended;
    lv_job *queue, **queue_tail;
    lv_job *running;
    mgr_lv_host *closing; /* hosts whose connection a worker closes, then frees */
    mgr_lv_host **hosts;  /* sorted by name */
    size_t n_hosts, cap_hosts;
    lv_done *results, **results_tail;
    atomic_uint polls; /* queued, running or hung */
    int efd;
    vs_complaint at_cap;
};

static void *worker_main(void *arg);

/* ---- results ---- */

/* Queue r for the core in node and wake it (locked). The eventfd is readable exactly while
 * the list is not empty: written when the first result goes in, read when the last comes out. */
static void results_push(mgr_lv *p, lv_done *node, mgr_result *r)
{
    uint64_t one = 1;
    int was_empty = p->results == NULL;

    node->r = r;
    node->next = NULL;
    *p->results_tail = node;
    p->results_tail = &node->next;
    if (was_empty && write(p->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        VS_LOG(VS_LOG_ERR, "libvirt", "cannot signal a result: %s", strerror(errno));
}

/* Log a host's failure (throttled) or its recovery (once), for each result delivered (locked). */
static void host_report(mgr_lv_host *h, const mgr_result *r)
{
    if (!r->ok)
        vs_complain(&h->trouble, vs_log_now(), VS_LOG_WARNING, h->name, "libvirt poll failed: %s",
                    r->error != NULL ? r->error : "no reason given");
    else
        vs_complain_release(&h->trouble, VS_LOG_NOTICE, h->name, "libvirt polls work again (%s)",
                            h->uri_safe);
}

/* Deliver a failed result for a poll of h that never reaches a worker (locked). 0, or -1 when
 * memory is short (logged). */
static int fast_fail(mgr_lv *p, mgr_lv_host *h, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fast_fail(mgr_lv *p, mgr_lv_host *h, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    lv_done *node = malloc(sizeof(*node));
    mgr_result *r = mgr_result_new(h->name, MGR_SRC_LIBVIRT);

    if (node == NULL || r == NULL) {
        VS_LOG(VS_LOG_ERR, h->name, "out of memory for a poll result");
        free(node);
        mgr_result_free(r);
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mgr_result_fail(r, "%s", msg);
    r->started = r->finished = r->sample_time = mgr_lv_wall_now();
    results_push(p, node, r);
    host_report(h, r);
    return 0;
}

/* ---- hosts ---- */

/* The index of the host named name in the sorted array, or where it would go (*found 0). */
static size_t host_find(const mgr_lv *p, const char *name, int *found)
{
    size_t lo = 0, hi = p->n_hosts;

    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(p->hosts[mid]->name, name);
        if (d == 0) {
            *found = 1;
            return mid;
        }
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Take the host at index i out of the pool and have its connection closed: by a free worker
 * now, or by the worker polling it when that poll returns (locked). */
static void host_detach(mgr_lv *p, size_t i)
{
    mgr_lv_host *h = p->hosts[i];

    memmove(&p->hosts[i], &p->hosts[i + 1], (p->n_hosts - i - 1) * sizeof(*p->hosts));
    p->n_hosts--;
    if (h->busy) {
        h->doomed = 1;
        return;
    }
    h->next_close = p->closing;
    p->closing = h;
    pthread_cond_signal(&p->work);
}

/* The context of cfg's host: the existing one, or a new one when there is none or its URI
 * changed (the old one is closed). NULL when memory is short (locked). */
static mgr_lv_host *host_get(mgr_lv *p, const mgr_host_cfg *cfg)
{
    int found;
    size_t i = host_find(p, cfg->name, &found);

    if (found && strcmp(p->hosts[i]->uri, cfg->libvirt->uri) == 0)
        return p->hosts[i];
    if (found) {
        VS_LOG(VS_LOG_INFO, cfg->name, "the libvirt URI changed: closing the connection to %s",
               p->hosts[i]->uri_safe);
        host_detach(p, i);
    }
    if (p->n_hosts == p->cap_hosts) {
        size_t cap = p->cap_hosts ? p->cap_hosts * 2 : 16;
        mgr_lv_host **hosts = realloc(p->hosts, cap * sizeof(*hosts));
        if (hosts == NULL)
            return NULL;
        p->hosts = hosts;
        p->cap_hosts = cap;
    }
    mgr_lv_host *h = mgr_lv_host_new(cfg);
    if (h == NULL)
        return NULL;
    memmove(&p->hosts[i + 1], &p->hosts[i], (p->n_hosts - i) * sizeof(*p->hosts));
    p->hosts[i] = h;
    p->n_hosts++;
    return h;
}

/* ---- jobs ---- */

static void job_free(lv_job *job)
{
    if (job == NULL)
        return;
    mgr_result_free(job->spare);
    free(job->node);
    free(job);
}

static lv_job *job_new(mgr_lv_host *h, double deadline)
{
    lv_job *job = calloc(1, sizeof(*job));

    if (job == NULL)
        return NULL;
    atomic_init(&job->abandoned, 0);
    job->host = h;
    job->deadline = deadline;
    job->queued_wall = mgr_lv_wall_now();
    job->spare = mgr_result_new(h->name, MGR_SRC_LIBVIRT);
    job->node = malloc(sizeof(*job->node));
    if (job->spare == NULL || job->node == NULL) {
        job_free(job);
        return NULL;
    }
    return job;
}

/* Deliver the job's spare result as its failure (locked). */
static void job_fail(mgr_lv *p, lv_job *job, double started_wall, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void job_fail(mgr_lv *p, lv_job *job, double started_wall, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    mgr_result *r = job->spare;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mgr_result_fail(r, "%s", msg);
    r->started = started_wall;
    r->finished = r->sample_time = mgr_lv_wall_now();
    results_push(p, job->node, r);
    job->spare = NULL;
    job->node = NULL;
    host_report(job->host, r);
}

/* Queue a poll of h (locked). 0, or -1 when memory is short (logged). */
static int job_queue(mgr_lv *p, mgr_lv_host *h, double deadline)
{
    lv_job *job = job_new(h, deadline);

    if (job == NULL) {
        VS_LOG(VS_LOG_ERR, h->name, "out of memory for a poll");
        return -1;
    }
    *p->queue_tail = job;
    p->queue_tail = &job->next;
    h->busy = 1;
    atomic_fetch_add(&p->polls, 1);
    pthread_cond_signal(&p->work);
    return 0;
}

/* ---- workers ---- */

/* Start one more worker thread (locked). 0 or -1 (logged). */
static int worker_spawn(mgr_lv *p)
{
    pthread_attr_t attr;
    pthread_t t;
    sigset_t all, old;

    if (pthread_attr_init(&attr) != 0)
        return -1;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&t, &attr, worker_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        VS_LOG(VS_LOG_ERR, "libvirt", "cannot start a worker thread: %s", strerror(rc));
        return -1;
    }
    p->threads++;
    return 0;
}

/* Keep `size` threads that are not stuck, within the cap (locked). */
static void workers_top_up(mgr_lv *p)
{
    while (!p->stopping && p->threads - p->stuck < p->size) {
        if (p->threads >= p->cap) {
            vs_complain(&p->at_cap, vs_log_now(), VS_LOG_WARNING, "libvirt",
                        "%d worker threads are stuck in hung libvirt calls: no more are started "
                        "(at most %d threads)",
                        p->stuck, p->cap);
            return;
        }
        if (worker_spawn(p) < 0)
            return;
    }
    vs_complain_release(&p->at_cap, VS_LOG_NOTICE, "libvirt", "enough worker threads again");
}

/* Take the first queued job and mark it running (locked). */
static lv_job *job_start(mgr_lv *p)
{
    lv_job *job = p->queue;

    p->queue = job->next;
    if (p->queue == NULL)
        p->queue_tail = &p->queue;
    job->started = vs_log_now();
    job->started_wall = mgr_lv_wall_now();
    double limit = job->started + job->host->timeout_ms / 1000.0;
    job->limit = limit < job->deadline ? limit : job->deadline;
    job->next = p->running;
    p->running = job;
    return job;
}

/* A worker is back from a poll with result r (NULL when memory was short): deliver it, unless
 * the watchdog gave up on the poll. Returns the host when it must now be closed and freed
 * (locked). */
static mgr_lv_host *job_finish(mgr_lv *p, lv_job *job, mgr_result *r)
{
    mgr_lv_host *h = job->host;

    for (lv_job **pp = &p->running; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == job) {
            *pp = job->next;
            break;
        }
    }
    if (atomic_load(&job->abandoned)) {
        p->stuck--;
        h->hung = 0;
        VS_LOG(VS_LOG_INFO, h->name, "the poll given up %.1f s ago returned: result discarded",
               vs_log_now() - h->hung_since);
        mgr_result_free(r);
    } else if (r == NULL) {
        job_fail(p, job, job->started_wall, "out of memory for the poll's result");
    } else {
        results_push(p, job->node, r);
        job->node = NULL;
        host_report(h, r);
    }
    h->busy = 0;
    atomic_fetch_sub(&p->polls, 1);
    job_free(job);
    return h->doomed ? h : NULL;
}

/* Run one job outside the lock; the lock is held again on return. Returns 1 when this thread
 * should exit because the pool has more than it needs. */
static int worker_run(mgr_lv *p)
{
    lv_job *job = job_start(p);
    mgr_lv_host *h = job->host;

    pthread_mutex_unlock(&p->lock);
    mgr_result *r = mgr_result_new(h->name, MGR_SRC_LIBVIRT);
    if (r != NULL)
        mgr_lv_host_poll(h, r, &job->abandoned);
    pthread_mutex_lock(&p->lock);
    mgr_lv_host *doomed = job_finish(p, job, r);
    if (doomed != NULL) {
        pthread_mutex_unlock(&p->lock);
        mgr_lv_host_free(doomed);
        pthread_mutex_lock(&p->lock);
    }
    return p->threads - p->stuck > p->size;
}

static void pool_destroy(mgr_lv *p);

/* A worker thread ends (locked): while the pool stops normally it is joined by mgr_lv_free;
 * otherwise (a spare thread no longer needed, or a pool left to its stuck threads) nobody
 * waits for it. */
static void worker_leave(mgr_lv *p)
{
    if (p->stopping && !p->orphaned) {
        if (p->n_ended == p->cap_ended) {
            size_t cap = p->cap_ended ? 2 * p->cap_ended : 8;
            pthread_t *t = realloc(p->ended, cap * sizeof(*t));
            if (t != NULL) {
                p->ended = t;
                p->cap_ended = cap;
            }
        }
        if (p->n_ended < p->cap_ended) {
            p->ended[p->n_ended++] = pthread_self();
            return;
        }
    }
    pthread_detach(pthread_self());
}

static void *worker_main(void *arg)
{
    mgr_lv *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->closing != NULL) {
            mgr_lv_host *h = p->closing;
            p->closing = h->next_close;
            pthread_mutex_unlock(&p->lock);
            mgr_lv_host_free(h);
            pthread_mutex_lock(&p->lock);
        } else if (p->queue != NULL) {
            if (worker_run(p))
                break;
        } else if (p->stopping) {
            break;
        } else {
            pthread_cond_wait(&p->work, &p->lock);
        }
    }
    p->threads--;
    int last = p->orphaned && p->threads == 0;
    worker_leave(p);
    pthread_cond_broadcast(&p->gone);
    pthread_mutex_unlock(&p->lock);
    if (last)
        pool_destroy(p);
    return NULL;
}

/* ---- the interface ---- */

/* The lock and the condition variables ("gone" on the monotonic clock). 0 or -1. */
static int pool_sync_init(mgr_lv *p)
{
    pthread_condattr_t attr;

    if (pthread_condattr_init(&attr) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0 && (rc = pthread_mutex_init(&p->lock, NULL)) == 0) {
        if ((rc = pthread_cond_init(&p->work, NULL)) == 0) {
            if ((rc = pthread_cond_init(&p->gone, &attr)) != 0)
                pthread_cond_destroy(&p->work);
        }
        if (rc != 0)
            pthread_mutex_destroy(&p->lock);
    }
    pthread_condattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

mgr_lv *mgr_lv_new(int workers)
{
    mgr_lv *p = calloc(1, sizeof(*p));

    if (p == NULL || pool_sync_init(p) < 0) {
        VS_LOG(VS_LOG_ERR, "libvirt", "out of memory for the poller");
        free(p);
        return NULL;
    }
    p->size = workers > 0 ? workers : 1;
    p->cap = CAP_FACTOR * p->size;
    p->queue_tail = &p->queue;
    p->results_tail = &p->results;
    atomic_init(&p->polls, 0);
    p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->efd < 0) {
        VS_LOG(VS_LOG_ERR, "libvirt", "cannot create an eventfd: %s", strerror(errno));
        pool_destroy(p);
        return NULL;
    }
    if (vs_libvirt_acquire() < 0) {
        pool_destroy(p);
        return NULL;
    }
    pthread_mutex_lock(&p->lock);
    int ok = 1;
    for (int i = 0; i < p->size && ok; i++)
        ok = worker_spawn(p) == 0;
    pthread_mutex_unlock(&p->lock);
    if (!ok) {
        mgr_lv_free(p);
        return NULL;
    }
    return p;
}

int mgr_lv_poll(mgr_lv *p, const mgr_host_cfg *host, double deadline)
{
    if (host->libvirt == NULL) {
        VS_LOG(VS_LOG_ERR, host->name, "no libvirt source to poll");
        return -1;
    }
    pthread_mutex_lock(&p->lock);
    mgr_lv_host *h = host_get(p, host);
    int rc;
    double now = vs_log_now();
    if (h == NULL) {
        VS_LOG(VS_LOG_ERR, host->name, "out of memory for a libvirt host");
        rc = -1;
    } else if (h->hung) {
        rc = fast_fail(p, h, "previous poll still hung (given up %.0f s ago)", now - h->hung_since);
    } else if (h->busy) {
        rc = fast_fail(p, h, "previous poll still running");
    } else if (h->conn == NULL && h->next_attempt > now) {
        rc = fast_fail(p, h, "not connected; next attempt in %.0f s", ceil(h->next_attempt - now));
    } else {
        mgr_lv_host_configure(h, host->libvirt);
        rc = job_queue(p, h, deadline);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int mgr_lv_fd(const mgr_lv *p)
{
    return p->efd;
}

mgr_result *mgr_lv_take(mgr_lv *p)
{
    uint64_t count;
    mgr_result *r = NULL;

    pthread_mutex_lock(&p->lock);
    lv_done *node = p->results;
    if (node != NULL) {
        p->results = node->next;
        if (p->results == NULL)
            p->results_tail = &p->results;
        r = node->r;
        free(node);
    }
    if (node != NULL && p->results == NULL && read(p->efd, &count, sizeof(count)) < 0
        && errno != EAGAIN)
        VS_LOG(VS_LOG_ERR, "libvirt", "cannot read the result eventfd: %s", strerror(errno));
    pthread_mutex_unlock(&p->lock);
    return r;
}

double mgr_lv_next_wakeup(mgr_lv *p)
{
    double next = 0;

    pthread_mutex_lock(&p->lock);
    for (const lv_job *j = p->queue; j != NULL; j = j->next)
        if (next == 0 || j->deadline < next)
            next = j->deadline;
    for (const lv_job *j = p->running; j != NULL; j = j->next)
        if (!atomic_load(&j->abandoned) && (next == 0 || j->limit < next))
            next = j->limit;
    pthread_mutex_unlock(&p->lock);
    return next;
}

/* Fail the queued jobs past their deadline (locked). */
static void check_queue(mgr_lv *p, double now)
{
    lv_job **pp = &p->queue;

    while (*pp != NULL) {
        lv_job *job = *pp;
        if (job->deadline > now) {
            pp = &job->next;
            continue;
        }
        *pp = job->next;
        job_fail(p, job, job->queued_wall, "no libvirt worker was free before the deadline");
        mgr_lv_host *h = job->host;
        h->busy = 0;
        atomic_fetch_sub(&p->polls, 1);
        if (h->doomed) {
            h->next_close = p->closing;
            p->closing = h;
            pthread_cond_signal(&p->work);
        }
        job_free(job);
    }
    p->queue_tail = &p->queue;
    while (*p->queue_tail != NULL)
        p->queue_tail = &(*p->queue_tail)->next;
}

void mgr_lv_check(mgr_lv *p)
{
    pthread_mutex_lock(&p->lock);
    double now = vs_log_now();
    check_queue(p, now);
    for (lv_job *job = p->running; job != NULL; job = job->next) {
        if (atomic_load(&job->abandoned) || job->limit > now)
            continue;
        atomic_store(&job->abandoned, 1);
        job->host->hung = 1;
        job->host->hung_since = now;
        p->stuck++;
        job_fail(p, job, job->started_wall, "libvirt did not answer within %.0f ms",
                 (job->limit - job->started) * 1000.0);
    }
    workers_top_up(p);
    pthread_mutex_unlock(&p->lock);
}

unsigned mgr_lv_busy(const mgr_lv *p)
{
    return atomic_load(&p->polls);
}

/* cfg's host named name, or NULL (a scan, so that this library needs no config code). */
static const mgr_host_cfg *cfg_host(const mgr_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_hosts; i++)
        if (strcmp(cfg->hosts[i].name, name) == 0)
            return &cfg->hosts[i];
    return NULL;
}

void mgr_lv_retain(mgr_lv *p, const mgr_config *cfg)
{
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n_hosts;) {
        mgr_lv_host *h = p->hosts[i];
        const mgr_host_cfg *c = cfg_host(cfg, h->name);
        if (c != NULL && c->libvirt != NULL && strcmp(c->libvirt->uri, h->uri) == 0) {
            i++;
            continue;
        }
        VS_LOG(VS_LOG_INFO, h->name, "%s: closing the connection to %s",
               c == NULL || c->libvirt == NULL ? "no longer polled over libvirt"
                                               : "the libvirt URI changed",
               h->uri_safe);
        host_detach(p, i);
    }
    pthread_mutex_unlock(&p->lock);
}

/* Free everything the pool owns (no worker thread may be left to use it). */
static void pool_destroy(mgr_lv *p)
{
    while (p->results != NULL) {
        lv_done *node = p->results;
        p->results = node->next;
        mgr_result_free(node->r);
        free(node);
    }
    while (p->closing != NULL) {
        mgr_lv_host *h = p->closing;
        p->closing = h->next_close;
        mgr_lv_host_free(h);
    }
    for (size_t i = 0; i < p->n_hosts; i++)
        mgr_lv_host_free(p->hosts[i]);
    free(p->hosts);
    free(p->ended);
    if (p->efd >= 0)
        close(p->efd);
    pthread_cond_destroy(&p->gone);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Wait until every worker thread exited or the grace time is over (locked). */
static void workers_wait(mgr_lv *p, double grace)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)grace;
    ts.tv_nsec += (long)((grace - floor(grace)) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    while (p->threads > 0)
        if (pthread_cond_timedwait(&p->gone, &p->lock, &ts) == ETIMEDOUT)
            break;
}

void mgr_lv_free(mgr_lv *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    while (p->queue != NULL) {
        lv_job *job = p->queue;
        p->queue = job->next;
        job->host->busy = 0;
        atomic_fetch_sub(&p->polls, 1);
        job_free(job);
    }
    p->queue_tail = &p->queue;
    while (p->n_hosts > 0)
        host_detach(p, p->n_hosts - 1);
    pthread_cond_broadcast(&p->work);
    workers_wait(p, STOP_GRACE);
    int left = p->threads;
    if (left > 0) {
        /* Stuck in libvirt calls: the last of them to return frees the pool. */
        p->orphaned = 1;
        VS_LOG(VS_LOG_WARNING, "libvirt",
               "%d worker thread(s) still inside libvirt calls after %.0f s: left behind", left,
               STOP_GRACE);
    }
    /* Join the threads that ended (so their thread-local state is gone too); the ones left
     * behind detach themselves when they return. */
    pthread_t *ended = p->ended;
    size_t n_ended = p->n_ended;
    p->ended = NULL;
    p->n_ended = p->cap_ended = 0;
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < n_ended; i++)
        pthread_join(ended[i], NULL);
    free(ended);
    vs_libvirt_release();
    if (left == 0)
        pool_destroy(p);
}
