/* sa_hv: one configured hypervisor: the sampler thread that connects to it (with back-off),
 * watches the connection (keepalive, close callback), samples it every refresh interval and
 * posts each snapshot into a one-slot mailbox for the SNMP thread; plus the process-wide
 * libvirt set-up (error routing, event loop thread). */
#include "config.h"

#include "sa_hv.h"

#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sa_domxml.h"
#include "sa_names.h"
#include "sa_sample.h"
#include "sa_vmindex.h"
#include "vs_libvirt.h"
#include "vs_log.h"
#include "vs_mib.h"

#define BACKOFF_FIRST 1.0
#define BACKOFF_MAX 60.0
#define KEEPALIVE_INTERVAL 2
#define KEEPALIVE_COUNT 3
#define STOP_DEFAULT_TIMEOUT 10.0

struct sa_hv {
    /* Fixed after sa_hv_new. */
    char *name, *uri_public, *connect_uri, *user, *password;
    int32_t index;
    unsigned interval;
    int want_events; /* subscribe to lifecycle events */
    int wake_fd;
    sa_vmindex *map;
    sa_sampler *sampler;

    /* Shared with the SNMP thread and the event loop: under lock. */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    sa_snapshot *mailbox;
    sa_event *events, **events_tail;   /* received, not yet taken */
    uint64_t event_seq;                /* events received so far */
    sa_ctl_job *jobs, **jobs_tail;     /* submitted, not yet carried out */
    sa_ctl_job *posted, **posted_tail; /* carried out and posted, not yet taken */
    int stopping, poked, exited, orphaned;
    atomic_int conn_lost; /* close callback: reason + 1, 0 while the connection is fine */
    atomic_int online;    /* connected and not reported lost */

    /* The caller's. */
    pthread_t thread;
    int started, joined, detached;

    /* The sampler thread's own. */
    virConnectPtr conn;
    int event_cb;                  /* lifecycle callback ID, -1 when none */
    sa_ctl_job *done, **done_tail; /* carried out, to go with the next post */
    sa_snapshot *prev;             /* the last snapshot posted */
    char *last_error;
    time_t last_error_time;
    time_t connected_since;
    vs_complaint down;
};

/* ---- the mailbox ---- */

/* Wake the SNMP thread (under hv->lock). */
static void hv_wake_snmp(sa_hv *hv)
{
    static const char byte = 1;
    ssize_t n;
    do {
        n = write(hv->wake_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        VS_LOG(VS_LOG_ERR, hv->name, "cannot wake the SNMP thread: %s", strerror(errno));
}

/* Hand s (the caller's reference; may be NULL) and the jobs carried out since the last post
 * to the SNMP thread, and keep s as the previous snapshot. */
static void hv_post(sa_hv *hv, sa_snapshot *s)
{
    sa_snapshot *old = NULL;

    if (s != NULL)
        sa_snapshot_ref(s);
    pthread_mutex_lock(&hv->lock);
    if (hv->done != NULL) {
        *hv->posted_tail = hv->done;
        hv->posted_tail = hv->done_tail;
        hv->done = NULL;
        hv->done_tail = &hv->done;
    }
    if (s != NULL) {
        old = hv->mailbox;
        hv->mailbox = s;
    }
    if (!hv->stopping)
        hv_wake_snmp(hv);
    pthread_mutex_unlock(&hv->lock);
    if (s == NULL)
        return;
    sa_snapshot_unref(old);
    sa_snapshot_unref(hv->prev);
    hv->prev = s;
}

sa_snapshot *sa_hv_take(sa_hv *hv, sa_event **events, sa_ctl_job **done)
{
    pthread_mutex_lock(&hv->lock);
    sa_snapshot *s = hv->mailbox;
    hv->mailbox = NULL;
    *events = hv->events;
    hv->events = NULL;
    hv->events_tail = &hv->events;
    *done = hv->posted;
    hv->posted = NULL;
    hv->posted_tail = &hv->posted;
    pthread_mutex_unlock(&hv->lock);
    return s;
}

void sa_hv_poke(sa_hv *hv)
{
    pthread_mutex_lock(&hv->lock);
    hv->poked = 1;
    pthread_cond_signal(&hv->cond);
    pthread_mutex_unlock(&hv->lock);
}

void sa_hv_submit(sa_hv *hv, sa_ctl_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&hv->lock);
    *hv->jobs_tail = job;
    hv->jobs_tail = &job->next;
    pthread_cond_signal(&hv->cond);
    pthread_mutex_unlock(&hv->lock);
}

int sa_hv_online(sa_hv *hv)
{
    return atomic_load(&hv->online) && !atomic_load(&hv->conn_lost);
}

void sa_event_free_list(sa_event *ev)
{
    while (ev != NULL) {
        sa_event *next = ev->next;
        free(ev);
        ev = next;
    }
}

#define EVENTS_WAIT_MAX 0.5 /* seconds a sample waits for the events a job's calls owe */

/* Wait until the lifecycle events numbered up to want have arrived, at most EVENTS_WAIT_MAX:
 * libvirt delivers them from its event loop a little after the call that caused them
 * returned, and a sample taken in between would show the new state first and the events
 * would then replay the way there as further changes (a VM started from crashed notified
 * crashed -> running, running -> shutdown, shutdown -> running). */
static void hv_await_events(sa_hv *hv, uint64_t want)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += (long)(EVENTS_WAIT_MAX * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&hv->lock);
    while (!hv->stopping && hv->event_seq < want) {
        if (pthread_cond_timedwait(&hv->cond, &hv->lock, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&hv->lock);
}

/* Carry out every job submitted so far (on the current connection, or failing them when there
 * is none); they go with the next post. With lifecycle events, wait for the events the jobs'
 * calls owe before returning (hv_await_events). Returns how many jobs there were. */
static size_t hv_run_jobs(sa_hv *hv)
{
    size_t n = 0;
    unsigned owed = 0;
    pthread_mutex_lock(&hv->lock);
    uint64_t seq = hv->event_seq;
    sa_ctl_job *job = hv->jobs;
    hv->jobs = NULL;
    hv->jobs_tail = &hv->jobs;
    pthread_mutex_unlock(&hv->lock);
    while (job != NULL) {
        sa_ctl_job *next = job->next;
        sa_ctl_run(hv->conn, job);
        if (job->failed)
            VS_LOG(VS_LOG_WARNING, hv->name, "the request for VM index %d failed: %s",
                   (int)job->vm_index, job->error);
        owed += job->events;
        job->next = NULL;
        *hv->done_tail = job;
        hv->done_tail = &job->next;
        job = next;
        n++;
    }
    if (owed > 0 && hv->conn != NULL && hv->event_cb >= 0)
        hv_await_events(hv, seq + owed);
    return n;
}

/* Wait up to seconds, or less when asked to stop, or (if wakeable) poked or the connection is
 * lost. */
static void hv_wait(sa_hv *hv, double seconds, int wakeable)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)seconds;
    ts.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&hv->lock);
    while (!hv->stopping && hv->jobs == NULL
           && !(wakeable && (hv->poked || atomic_load(&hv->conn_lost)))) {
        if (pthread_cond_timedwait(&hv->cond, &hv->lock, &ts) == ETIMEDOUT)
            break;
    }
    if (wakeable)
        hv->poked = 0;
    pthread_mutex_unlock(&hv->lock);
}

static int hv_stopping(sa_hv *hv)
{
    pthread_mutex_lock(&hv->lock);
    int stopping = hv->stopping;
    pthread_mutex_unlock(&hv->lock);
    return stopping;
}

/* ---- snapshots ---- */

/* A new snapshot with the hypervisor's own columns filled in; NULL (logged) when memory is
 * short. */
static sa_snapshot *hv_snapshot_new(sa_hv *hv, int conn_state)
{
    sa_snapshot *s = sa_snapshot_new();
    if (s == NULL) {
        VS_LOG(VS_LOG_ERR, hv->name, "out of memory for a snapshot");
        return NULL;
    }
    s->hv_index = hv->index;
    s->conn_state = conn_state;
    s->name = vs_arena_strdup(&s->arena, hv->name);
    s->uri = vs_arena_strdup(&s->arena, hv->uri_public);
    s->last_error = vs_arena_strdup(&s->arena, hv->last_error);
    if (hv->last_error != NULL) {
        s->last_error_time = hv->last_error_time;
        s->has |= SA_HV_HAS_LAST_ERROR_TIME;
    }
    s->connected_since = conn_state == VS_HV_CONN_STATE_CONNECTED ? hv->connected_since : 0;
    if (s->name == NULL || s->uri == NULL || s->last_error == NULL) {
        VS_LOG(VS_LOG_ERR, hv->name, "out of memory for a snapshot");
        sa_snapshot_unref(s);
        return NULL;
    }
    return s;
}

/* Post a snapshot without VMs (connecting or disconnected) that keeps the identity and sizes
 * of the last connection. */
static void hv_post_state(sa_hv *hv, int conn_state)
{
    const sa_snapshot *p = hv->prev;
    time_t now = time(NULL);
    sa_snapshot *s = hv_snapshot_new(hv, conn_state);

    if (s == NULL)
        return;
    if (p != NULL) {
        s->hostname = vs_arena_strdup(&s->arena, p->hostname);
        s->driver = vs_arena_strdup(&s->arena, p->driver);
        s->driver_version = vs_arena_strdup(&s->arena, p->driver_version);
        s->libvirt_version = vs_arena_strdup(&s->arena, p->libvirt_version);
        s->cpu_model = vs_arena_strdup(&s->arena, p->cpu_model);
        s->cpu_count = p->cpu_count;
        s->cpu_mhz = p->cpu_mhz;
        s->mem_total = p->mem_total;
        s->has |= p->has & (SA_HV_HAS_CPU_COUNT | SA_HV_HAS_CPU_MHZ | SA_HV_HAS_MEM_TOTAL);
        if (!s->hostname || !s->driver || !s->driver_version || !s->libvirt_version
            || !s->cpu_model) {
            VS_LOG(VS_LOG_ERR, hv->name, "out of memory for a snapshot");
            sa_snapshot_unref(s);
            return;
        }
    }
    s->last_change = p == NULL || p->conn_state != conn_state ? now : p->last_change;
    if (conn_state != VS_HV_CONN_STATE_CONNECTING) {
        s->sample_time = now;
        s->sample_mono = vs_log_now();
        s->has |= SA_HV_HAS_SAMPLE_TIME;
    }
    hv_post(hv, s);
}

/* ---- the connection ---- */

/* Record a failure: vsHvLastError and its time, and a (throttled) log line. */
static void hv_failed(sa_hv *hv, const char *what, const char *msg)
{
    char *copy = strdup(msg);
    if (copy != NULL) {
        free(hv->last_error);
        hv->last_error = copy;
    }
    hv->last_error_time = time(NULL);
    vs_complain(&hv->down, vs_log_now(), VS_LOG_WARNING, hv->name, "%s %s: %s", what,
                hv->uri_public, msg);
}

/* libvirt's close callback (event loop thread): note the loss and wake the sampler. */
static void hv_close_cb(virConnectPtr conn, int reason, void *opaque)
{
    sa_hv *hv = opaque;

    (void)conn;
    atomic_store(&hv->conn_lost, reason + 1);
    atomic_store(&hv->online, 0);
    pthread_mutex_lock(&hv->lock);
    pthread_cond_signal(&hv->cond);
    pthread_mutex_unlock(&hv->lock);
}

/* libvirt's lifecycle callback (event loop thread): queue the event for the SNMP thread, wake
 * it, and ask the sampler for a fresh sample. */
static int hv_event_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    sa_hv *hv = opaque;
    sa_event *ev = calloc(1, sizeof(*ev));

    (void)conn;
    if (ev == NULL || virDomainGetUUID(dom, ev->uuid) < 0) {
        VS_LOG(VS_LOG_ERR, hv->name, "cannot queue a lifecycle event (out of memory)");
        free(ev);
        return 0;
    }
    ev->event = event;
    ev->detail = detail;
    pthread_mutex_lock(&hv->lock);
    ev->seq = ++hv->event_seq;
    *hv->events_tail = ev;
    hv->events_tail = &ev->next;
    hv->poked = 1;
    pthread_cond_signal(&hv->cond);
    if (!hv->stopping)
        hv_wake_snmp(hv);
    pthread_mutex_unlock(&hv->lock);
    return 0;
}

/* Close the connection, if any. */
static void hv_disconnect(sa_hv *hv)
{
    atomic_store(&hv->online, 0);
    if (hv->conn == NULL)
        return;
    if (hv->event_cb >= 0)
        virConnectDomainEventDeregisterAny(hv->conn, hv->event_cb);
    hv->event_cb = -1;
    virConnectUnregisterCloseCallback(hv->conn, hv_close_cb);
    virConnectClose(hv->conn);
    hv->conn = NULL;
    hv->connected_since = 0;
}

/* The words for a close callback's reason (stored + 1). */
static const char *close_reason_text(int lost)
{
    switch (lost - 1) {
    case VIR_CONNECT_CLOSE_REASON_EOF:
        return "the connection was closed by the other end";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
        return "the hypervisor stopped answering keepalive messages";
    case VIR_CONNECT_CLOSE_REASON_CLIENT:
        return "the connection was closed by the client";
    default:
        return "the connection failed with an I/O error";
    }
}

/* libvirt's credential callback: the user and password written in the configured URI. */
static int hv_auth_cb(virConnectCredentialPtr cred, unsigned int ncred, void *opaque)
{
    sa_hv *hv = opaque;

    for (unsigned i = 0; i < ncred; i++) {
        const char *v = NULL;
        if (cred[i].type == VIR_CRED_AUTHNAME)
            v = hv->user != NULL ? hv->user : cred[i].defresult;
        else if (cred[i].type == VIR_CRED_PASSPHRASE || cred[i].type == VIR_CRED_NOECHOPROMPT)
            v = hv->password;
        if (v == NULL || (cred[i].result = strdup(v)) == NULL)
            return -1;
        cred[i].resultlen = (unsigned)strlen(v);
    }
    return 0;
}

/* Open the connection and set up keepalive and the close callback. Returns 0, or -1 having
 * recorded the failure. */
static int hv_connect(sa_hv *hv)
{
    int types[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT };
    virConnectAuth auth = { types, sizeof(types) / sizeof(types[0]), hv_auth_cb, hv };

    virConnectPtr conn = virConnectOpenAuth(hv->connect_uri, &auth, 0);
    if (conn == NULL) {
        hv_failed(hv, "cannot connect to", virGetLastErrorMessage());
        return -1;
    }
    /* Local drivers have no keepalive (-1, "not supported"), a remote daemon may refuse it
     * (1): both are fine, the close callback still reports a closed connection. */
    if (virConnectSetKeepAlive(conn, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT) < 0)
        VS_LOG(VS_LOG_DEBUG, hv->name, "no keepalive: %s", virGetLastErrorMessage());
    atomic_store(&hv->conn_lost, 0);
    if (virConnectRegisterCloseCallback(conn, hv_close_cb, hv, NULL) < 0)
        VS_LOG(VS_LOG_DEBUG, hv->name, "no close callback: %s", virGetLastErrorMessage());
    hv->event_cb =
        virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(hv_event_cb), hv, NULL);
    if (hv->event_cb < 0)
        VS_LOG(VS_LOG_INFO, hv->name,
               "no lifecycle events (%s): state changes are seen at each sample",
               virGetLastErrorMessage());
    hv->conn = conn;
    atomic_store(&hv->online, 1);
    hv->connected_since = time(NULL);
    sa_sampler_reset(hv->sampler);
    VS_LOG(VS_LOG_INFO, hv->name, "connected to %s", hv->uri_public);
    return 0;
}

/* Sample the connection and post the snapshot. On failure (or a loss the close callback
 * reported) record it, close the connection and post a disconnected snapshot. 0 or -1. */
static int hv_sample(sa_hv *hv)
{
    char err[1024];
    int lost = atomic_load(&hv->conn_lost);

    if (lost == 0) {
        sa_snapshot *s = hv_snapshot_new(hv, VS_HV_CONN_STATE_CONNECTED);
        if (s == NULL)
            return -1;
        pthread_mutex_lock(&hv->lock);
        s->event_seq = hv->event_seq;
        pthread_mutex_unlock(&hv->lock);
        if (sa_sample_take(hv->sampler, hv->conn, hv->prev, s, err, sizeof(err)) == 0) {
            vs_complain_release(&hv->down, VS_LOG_NOTICE, hv->name, "connected to %s again",
                                hv->uri_public);
            hv_post(hv, s);
            return 0;
        }
        sa_snapshot_unref(s);
        lost = atomic_load(&hv->conn_lost);
    }
    hv_failed(hv, "lost the connection to", lost ? close_reason_text(lost) : err);
    hv_disconnect(hv);
    hv_post_state(hv, VS_HV_CONN_STATE_DISCONNECTED);
    return -1;
}

/* ---- the thread ---- */

static void hv_destroy(sa_hv *hv);

static void *hv_main(void *arg)
{
    sa_hv *hv = arg;
    double delay = BACKOFF_FIRST;

    hv_post_state(hv, VS_HV_CONN_STATE_CONNECTING);
    while (!hv_stopping(hv)) {
        if (hv->conn == NULL && hv_connect(hv) < 0) {
            hv_run_jobs(hv); /* fails them: not connected */
            hv_post_state(hv, VS_HV_CONN_STATE_DISCONNECTED);
        } else {
            /* Samples start every refresh interval, however long each takes; jobs run
             * first, and a poke (a job, an event) starts the next sample at once. */
            double started = vs_log_now();
            hv_run_jobs(hv);
            if (hv_sample(hv) == 0) {
                double left = hv->interval - (vs_log_now() - started);
                delay = BACKOFF_FIRST;
                hv_wait(hv, left > 0 ? left : 0, 1);
                continue;
            }
        }
        /* Back off before connecting again; a job submitted meanwhile is refused at once
         * rather than left waiting. */
        double until = vs_log_now() + delay;
        for (double left = delay; left > 0 && !hv_stopping(hv); left = until - vs_log_now()) {
            hv_wait(hv, left, 0);
            if (hv_run_jobs(hv) > 0)
                hv_post(hv, NULL);
        }
        delay = delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : delay * 2;
    }
    hv_disconnect(hv);
    pthread_mutex_lock(&hv->lock);
    hv->exited = 1;
    int orphaned = hv->orphaned;
    pthread_mutex_unlock(&hv->lock);
    if (orphaned)
        hv_destroy(hv);
    return NULL;
}

/* Block the signals the main thread handles, for threads created until the mask is restored. */
static void block_signals(sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

int sa_hv_start(sa_hv *hv)
{
    sigset_t old;

    if (hv->started)
        return 0;
    block_signals(&old);
    int rc = pthread_create(&hv->thread, NULL, hv_main, hv);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        VS_LOG(VS_LOG_ERR, hv->name, "cannot start the sampler thread: %s", strerror(rc));
        return -1;
    }
    hv->started = 1;
    return 0;
}

void sa_hv_stop(sa_hv *hv, double timeout_s)
{
    struct timespec ts;

    if (hv == NULL || !hv->started || hv->joined || hv->detached)
        return;
    pthread_mutex_lock(&hv->lock);
    hv->stopping = 1;
    pthread_cond_signal(&hv->cond);
    pthread_mutex_unlock(&hv->lock);
    clock_gettime(CLOCK_REALTIME, &ts);
    double whole = timeout_s > 0 ? (double)(time_t)timeout_s : 0;
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += timeout_s > 0 ? (long)((timeout_s - whole) * 1e9) : 0;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    int rc = pthread_timedjoin_np(hv->thread, NULL, &ts);
    if (rc == 0) {
        hv->joined = 1;
        return;
    }
    VS_LOG(VS_LOG_WARNING, hv->name,
           "the sampler thread did not stop within %.1f s (stuck in a libvirt call?); "
           "leaving it behind",
           timeout_s);
    pthread_detach(hv->thread);
    hv->detached = 1;
}

/* ---- life cycle ---- */

static void hv_destroy(sa_hv *hv)
{
    sa_ctl_free_list(hv->jobs);
    sa_ctl_free_list(hv->done);
    sa_ctl_free_list(hv->posted);
    sa_event_free_list(hv->events);
    sa_snapshot_unref(hv->mailbox);
    sa_snapshot_unref(hv->prev);
    sa_sampler_free(hv->sampler);
    sa_vmindex_free(hv->map);
    free(hv->name);
    free(hv->uri_public);
    free(hv->connect_uri);
    free(hv->user);
    free(hv->password);
    free(hv->last_error);
    pthread_cond_destroy(&hv->cond);
    pthread_mutex_destroy(&hv->lock);
    free(hv);
}

void sa_hv_free(sa_hv *hv)
{
    if (hv == NULL)
        return;
    sa_hv_stop(hv, STOP_DEFAULT_TIMEOUT);
    if (hv->detached) {
        /* The thread is still inside libvirt: it frees the context when it comes back. */
        pthread_mutex_lock(&hv->lock);
        int exited = hv->exited;
        hv->orphaned = !exited;
        pthread_mutex_unlock(&hv->lock);
        if (!exited)
            return;
    }
    hv_destroy(hv);
}

/* Set up the lock and the condition variable (on the monotonic clock). 0 or -1. */
static int hv_sync_init(sa_hv *hv)
{
    pthread_condattr_t attr;

    if (pthread_mutex_init(&hv->lock, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&attr) != 0 || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0
        || pthread_cond_init(&hv->cond, &attr) != 0) {
        pthread_mutex_destroy(&hv->lock);
        return -1;
    }
    pthread_condattr_destroy(&attr);
    return 0;
}

sa_hv *sa_hv_new(const sa_hv_conf *conf, const sa_hv_opts *opts, int wake_fd)
{
    sa_hv *hv = calloc(1, sizeof(*hv));

    if (hv == NULL || hv_sync_init(hv) < 0) {
        VS_LOG(VS_LOG_ERR, conf->name, "out of memory");
        free(hv);
        return NULL;
    }
    hv->index = conf->index;
    hv->interval = opts->refresh_interval > 0 ? opts->refresh_interval : 1;
    hv->want_events = opts->lifecycle_events;
    hv->wake_fd = wake_fd;
    atomic_init(&hv->conn_lost, 0);
    atomic_init(&hv->online, 0);
    hv->event_cb = -1;
    hv->events_tail = &hv->events;
    hv->jobs_tail = &hv->jobs;
    hv->done_tail = &hv->done;
    hv->posted_tail = &hv->posted;
    hv->name = strdup(conf->name);
    hv->uri_public = sa_names_uri_public(conf->uri);
    if (hv->name == NULL || hv->uri_public == NULL
        || sa_names_uri_credentials(conf->uri, &hv->connect_uri, &hv->user, &hv->password) < 0) {
        VS_LOG(VS_LOG_ERR, conf->name, "out of memory");
        hv_destroy(hv);
        return NULL;
    }
    hv->map = sa_vmindex_open(opts->state_dir, conf->name);
    if (hv->map == NULL) {
        hv_destroy(hv);
        return NULL;
    }
    hv->sampler = sa_sampler_new(conf->name, hv->map);
    if (hv->sampler == NULL) {
        VS_LOG(VS_LOG_ERR, conf->name, "out of memory");
        hv_destroy(hv);
        return NULL;
    }
    return hv;
}

/* ---- process-wide libvirt set-up ---- */

int sa_libvirt_init(void)
{
    if (vs_libvirt_acquire() < 0)
        return -1;
    sa_domxml_init();
    return 0;
}

void sa_libvirt_shutdown(void)
{
    vs_libvirt_release();
}
