/* spool_drive: drives lib/vs_spool from the outside for tests/notify/spool-*.test and for
 * measurements, with a notifier that appends each delivered msg_id to a file.
 *
 *   spool_drive put DIR DEAD NOTIFIER ID    put one message and exit, as the trap handler does;
 *                                           prints the milliseconds open + put + close took
 *   spool_drive run DIR DEAD NOTIFIER OUT   a spool runner (watching DIR) delivering NOTIFIER's
 *                                           entries by appending "ID\n" to OUT; creates
 *                                           OUT.ready once running; stops on SIGTERM
 *   spool_drive bench DIR DEAD N            N puts (latency mean and p99), then N in-process
 *                                           puts to a running thread (put -> send latency) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vs_log.h"
#include "vs_num.h"
#include "vs_spool.h"

static vs_spool *open_spool(const char *dir, const char *dead, int watch)
{
    vs_spool_conf c = { dir, dead, 0.05, 1.0, 0, watch };
    char err[256];
    vs_spool *s = vs_spool_open(&c, err, sizeof err);
    if (s == NULL) {
        fprintf(stderr, "spool_drive: %s\n", err);
        exit(1);
    }
    return s;
}

static int put(vs_spool *s, const char *notifier, const char *id)
{
    vs_msg m = { .kind = VS_MSG_TRAP,
                 .msg_id = (char *)id,
                 .time = 1700000000.0,
                 .severity = VS_SEV_INFO,
                 .summary = (char *)"spool_drive test message" };
    char err[256];
    if (vs_spool_put(s, notifier, &m, err, sizeof err) != 0) {
        fprintf(stderr, "spool_drive: put: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_put(char **argv)
{
    double t0 = vs_log_now();
    vs_spool *s = open_spool(argv[0], argv[1], 0);
    int rc = put(s, argv[2], argv[3]);
    vs_spool_close(s);
    printf("%.2f\n", (vs_log_now() - t0) * 1e3);
    return rc == 0 ? 0 : 1;
}

/* The notifier of `run`: one line per delivery, written with O_APPEND in one write. */
struct file_sink {
    int fd;
};

static void sink_send(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st)
{
    struct file_sink *f = n->impl;
    char line[256];
    int len = snprintf(line, sizeof line, "%s\n", msg->msg_id != NULL ? msg->msg_id : "-");
    (void)state;
    if (len > 0 && write(f->fd, line, (size_t)len) == len) {
        st->result = VS_SEND_OK;
    } else {
        st->result = VS_SEND_RETRY;
        snprintf(st->error, sizeof st->error, "cannot write: %s", strerror(errno));
    }
}

/* The spool frees the notifiers it was given once done with them; these live on the stack. */
static void sink_free(vs_notifier *n)
{
    (void)n;
}

static const struct vs_notifier_ops sink_ops = { "file", sink_send, sink_free };

static int cmd_run(char **argv)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread: only sigwait takes them */
    struct file_sink f = { open(argv[3], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) };
    if (f.fd < 0) {
        fprintf(stderr, "spool_drive: %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    vs_spool *s = open_spool(argv[0], argv[1], 1);
    vs_notifier n = { &sink_ops, argv[2], &f };
    vs_notifier *list[1] = { &n };
    char err[256], ready[4096];
    if (vs_spool_start(s, list, 1, err, sizeof err) != 0) {
        fprintf(stderr, "spool_drive: start: %s\n", err);
        return 1;
    }
    snprintf(ready, sizeof ready, "%s.ready", argv[3]);
    int rfd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (rfd >= 0)
        close(rfd);
    int sig;
    sigwait(&set, &sig);
    vs_spool_close(s);
    close(f.fd);
    return 0;
}

/* The notifier of `bench`: records when each message arrived. */
struct bench_sink {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t n;
    double last;
};

static void bench_send(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st)
{
    struct bench_sink *b = n->impl;
    (void)msg;
    (void)state;
    pthread_mutex_lock(&b->lock);
    b->last = vs_log_now();
    b->n++;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
    st->result = VS_SEND_OK;
}

static const struct vs_notifier_ops bench_ops = { "bench", bench_send, sink_free };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    qsort(v, n, sizeof v[0], cmp_double);
    printf("%s: n %zu, mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", what, n,
           sum / (double)n * 1e3, v[n / 2] * 1e3, v[n * 99 / 100] * 1e3, v[n - 1] * 1e3);
}

static int cmd_bench(char **argv)
{
    unsigned long n;
    if (vs_num_parse_ulong(argv[2], 1000000, &n) != 0 || n == 0) {
        fprintf(stderr, "spool_drive: bad count %s\n", argv[2]);
        return 1;
    }
    double *lat = calloc(n, sizeof *lat);
    if (lat == NULL)
        return 1;
    vs_spool *s = open_spool(argv[0], argv[1], 0);
    for (size_t i = 0; i < n; i++) {
        double t0 = vs_log_now();
        if (put(s, "bench", "b") != 0)
            return 1;
        lat[i] = vs_log_now() - t0;
    }
    report("put (write, fsync, rename, fsync dir)", lat, n);
    struct bench_sink b = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
    vs_notifier nt = { &bench_ops, (char *)"bench", &b };
    vs_notifier *list[1] = { &nt };
    char err[256];
    if (vs_spool_start(s, list, 1, err, sizeof err) != 0) {
        fprintf(stderr, "spool_drive: start: %s\n", err);
        return 1;
    }
    pthread_mutex_lock(&b.lock);
    while (b.n < n) /* the backlog first */
        pthread_cond_wait(&b.cond, &b.lock);
    pthread_mutex_unlock(&b.lock);
    double *wake = calloc(n, sizeof *wake);
    for (size_t i = 0; wake != NULL && i < n; i++) {
        double t0 = vs_log_now();
        if (put(s, "bench", "b") != 0)
            return 1;
        double t1 = vs_log_now();
        pthread_mutex_lock(&b.lock);
        while (b.n < n + i + 1)
            pthread_cond_wait(&b.cond, &b.lock);
        lat[i] = b.last - t0;
        wake[i] = b.last > t1 ? b.last - t1 : 0; /* 0: sent before put even returned */
        pthread_mutex_unlock(&b.lock);
    }
    report("put -> send, in-process (put included)", lat, n);
    report("put returned -> send", wake, n);
    free(wake);
    vs_spool_close(s);
    free(lat);
    return 0;
}

int main(int argc, char **argv)
{
    vs_log_init("spool_drive", VS_LOG_INFO);
    if (argc == 6 && strcmp(argv[1], "put") == 0)
        return cmd_put(argv + 2);
    if (argc == 6 && strcmp(argv[1], "run") == 0)
        return cmd_run(argv + 2);
    if (argc == 5 && strcmp(argv[1], "bench") == 0)
        return cmd_bench(argv + 2);
    fprintf(stderr, "usage: spool_drive put DIR DEAD NOTIFIER ID | run DIR DEAD NOTIFIER OUT | "
                    "bench DIR DEAD N\n");
    return 2;
}
