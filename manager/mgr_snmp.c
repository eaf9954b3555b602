/* mgr_snmp: the SNMP poller's scheduler. Polls wait in a queue in the order they were asked
 * for; at most max_inflight run at once, each with a socket of the UDP pool (SNMPv1/v2c over
 * UDP) or a Net-SNMP session (SNMPv3, other transports; kept for the host's next poll while
 * they succeed), so the work per loop turn follows the polls in flight, not the hosts
 * configured. The sockets sit in one epoll set whose descriptor is all the caller's poll()
 * watches: a wake-up costs what is ready, not what is in flight. Everything runs on the
 * caller's thread; results are handed over at the end of mgr_snmp_process. */
#include <config.h>

#include "mgr_snmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "mgr_snmp_int.h"
#include "mgr_snmp_job.h"
#include "mgr_snmp_udp.h"
#include "vs_netsnmp.h"
#include "vs_snmplock.h"

struct mgr_snmp {
    int max_inflight;
    mgr_snmp_done_fn done;
    void *ctx;
    mgr_snmp_job *q_head, *q_tail; /* waiting to start */
    unsigned queued;
    mgr_snmp_job **act; /* in flight */
    int n_act;
    mgr_snmp_job *fin_head, *fin_tail; /* over, result not handed over yet */
    unsigned finished;
    mgr_snmp_states states;
    netsnmp_large_fd_set fdset; /* one descriptor at a time, for Net-SNMP's calls */
    int epfd;                   /* the UDP pool's sockets and the sessions of polls in flight */
    mgr_snmp_udp *udp;
};

#define EVENTS_MAX 64 /* sockets taken from the epoll set per call */

mgr_snmp *mgr_snmp_new(int max_inflight, mgr_snmp_done_fn done, void *ctx)
{
    vs_netsnmp_setup("virtsight-manager");
    mgr_snmp *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->max_inflight = max_inflight > 0 ? max_inflight : 1;
    s->act = calloc((size_t)s->max_inflight, sizeof(*s->act));
    if (!s->act) {
        free(s);
        return NULL;
    }
    s->done = done;
    s->ctx = ctx;
    mgr_snmp_states_init(&s->states);
    netsnmp_large_fd_set_init(&s->fdset, FD_SETSIZE);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot create an epoll set for SNMP sockets: %s.",
               strerror(errno));
        mgr_snmp_free(s);
        return NULL;
    }
    s->udp = mgr_snmp_udp_new(s->epfd);
    if (!s->udp) {
        mgr_snmp_free(s);
        return NULL;
    }
    return s;
}

/* Close j's session, complete its result and put it on the finished list. */
static void poll_finish(mgr_snmp *s, mgr_snmp_job *j)
{
    if (j->watched) {
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, j->fd, NULL);
        j->watched = 0;
    }
    if (j->slot >= 0) {
        s->act[j->slot] = s->act[--s->n_act];
        s->act[j->slot]->slot = j->slot;
        j->slot = -1;
    }
    mgr_snmp_job_finish(j, mgr_snmp_states_get(&s->states, j->name, 1));
    j->next = NULL;
    if (s->fin_tail)
        s->fin_tail->next = j;
    else
        s->fin_head = j;
    s->fin_tail = j;
    s->finished++;
}

/* Add j's socket to the epoll set; -1 with the poll failed. */
static int poll_watch(mgr_snmp *s, mgr_snmp_job *j)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = j };
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, j->fd, &ev) < 0) {
        mgr_snmp_job_fail(j, "Cannot watch the SNMP socket: %s.", strerror(errno));
        return -1;
    }
    j->watched = 1;
    return 0;
}

/* Start queued polls while fewer than max_inflight are in flight. */
static void queue_start(mgr_snmp *s)
{
    while (s->q_head && s->n_act < s->max_inflight) {
        mgr_snmp_job *j = s->q_head;
        s->q_head = j->next;
        if (!s->q_head)
            s->q_tail = NULL;
        s->queued--;
        mgr_snmp_state *st = mgr_snmp_states_get(&s->states, j->name, 1);
        if (!st)
            mgr_snmp_job_fail(j, "Out of memory.");
        j->slot = s->n_act;
        s->act[s->n_act++] = j;
        if (!st || mgr_snmp_job_start(j, st, &s->fdset) < 0 || (j->sess && poll_watch(s, j) < 0))
            poll_finish(s, j);
    }
}

int mgr_snmp_poll(mgr_snmp *s, const mgr_host_cfg *host, double deadline)
{
    mgr_snmp_job *j = mgr_snmp_job_new(host, deadline, &s->states, s->udp);
    if (!j) {
        VS_LOG(VS_LOG_ERR, host->name, "Out of memory: the SNMP poll was not started.");
        return -1;
    }
    if (s->q_tail)
        s->q_tail->next = j;
    else
        s->q_head = j;
    s->q_tail = j;
    s->queued++;
    vs_netsnmp_lock(); /* an SNMP notifier's thread may use Net-SNMP meanwhile */
    queue_start(s);
    vs_netsnmp_unlock();
    return 0;
}

int mgr_snmp_fds(mgr_snmp *s, struct pollfd *fds, int max)
{
    if (s->n_act == 0 || max < 1)
        return 0;
    fds[0].fd = s->epfd;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    return 1;
}

double mgr_snmp_next_wakeup(mgr_snmp *s)
{
    double now = vs_log_now();
    if (s->fin_head || (s->q_head && s->n_act < s->max_inflight))
        return now;
    double t = 0;
    for (int i = 0; i < s->n_act; i++) {
        const mgr_snmp_job *j = s->act[i];
        double due = j->deadline;
        if (!j->waiting || j->dirty)
            due = now;
        else if (j->t_next > 0 && j->t_next < due)
            due = j->t_next;
        if (t == 0 || due < t)
            t = due;
    }
    return t;
}

/* Read every datagram waiting on a socket of the UDP pool and give it to the poll using the
 * socket; one that no poll waits for (a late answer, a stranger) is dropped. */
static void sock_read(mgr_snmp *s, mgr_snmp_sock *k)
{
    u_char *data;
    ssize_t n;
    while ((n = mgr_snmp_udp_recv(s->udp, k, &data)) > 0) {
        if (k->owner)
            mgr_snmp_job_input(k->owner, data, (size_t)n);
    }
    if (n < 0)
        VS_LOG(VS_LOG_DEBUG, NULL, "Reading an SNMP socket failed: %s.", strerror(errno));
}

/* Read what waits on the pool's sockets and the sessions of the polls in flight (Net-SNMP
 * calls back into those). */
static void sockets_read(mgr_snmp *s)
{
    struct epoll_event ev[EVENTS_MAX];
    int n;
    do {
        n = epoll_wait(s->epfd, ev, EVENTS_MAX, 0);
        for (int i = 0; i < n; i++) {
            mgr_snmp_watch *w = ev[i].data.ptr;
            if (*w == MGR_SNMP_WATCH_SOCK)
                sock_read(s, (mgr_snmp_sock *)w);
            else
                mgr_snmp_job_read((mgr_snmp_job *)w, &s->fdset);
        }
    } while (n == EVENTS_MAX);
}

/* Hand the results of finished polls to the caller (only those finished so far: a poll the
 * callback asks for and that fails at once waits for the next call). */
static void deliver(mgr_snmp *s)
{
    mgr_snmp_job *j = s->fin_head;
    s->fin_head = s->fin_tail = NULL;
    while (j) {
        mgr_snmp_job *next = j->next;
        mgr_result *r = j->r;
        j->r = NULL;
        s->finished--;
        mgr_snmp_job_free(j);
        if (s->done)
            s->done(r, s->ctx);
        else
            mgr_result_free(r);
        j = next;
    }
}

void mgr_snmp_process(mgr_snmp *s, const struct pollfd *fds, int n)
{
    /* One turn of Net-SNMP work under the lock (reads, timers, sends: a few ms at most), so
     * that an SNMP notifier's delivery thread never runs Net-SNMP code at the same time. */
    vs_netsnmp_lock();
    for (int i = 0; i < n; i++)
        if (fds[i].fd == s->epfd && (fds[i].revents & (POLLIN | POLLERR | POLLHUP)))
            sockets_read(s);
    double now = vs_log_now();
    /* Downwards: a poll that ends is replaced by the last one, which was already checked. */
    for (int i = s->n_act - 1; i >= 0; i--) {
        mgr_snmp_job *j = s->act[i];
        if (mgr_snmp_job_check(j, now, &s->fdset))
            poll_finish(s, j);
    }
    queue_start(s);
    vs_netsnmp_unlock();
    deliver(s);
}

unsigned mgr_snmp_busy(const mgr_snmp *s)
{
    return s->queued + (unsigned)s->n_act + s->finished;
}

void mgr_snmp_retain(mgr_snmp *s, const mgr_config *cfg)
{
    vs_netsnmp_lock();
    mgr_snmp_states_retain(&s->states, cfg);
    vs_netsnmp_unlock();
}

/* Free a list of polls linked by next. */
static void list_free(mgr_snmp_job *j)
{
    while (j) {
        mgr_snmp_job *next = j->next;
        mgr_snmp_job_free(j);
        j = next;
    }
}

void mgr_snmp_free(mgr_snmp *s)
{
    if (!s)
        return;
    vs_netsnmp_lock();
    for (int i = 0; i < s->n_act; i++)
        mgr_snmp_job_free(s->act[i]);
    list_free(s->q_head);
    list_free(s->fin_head);
    mgr_snmp_states_free(&s->states);
    mgr_snmp_udp_free(s->udp); /* after the polls, which give their sockets back */
    vs_netsnmp_unlock();
    netsnmp_large_fd_set_cleanup(&s->fdset);
    if (s->epfd >= 0)
        close(s->epfd);
    free(s->act);
    free(s);
}
