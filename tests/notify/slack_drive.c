/* slack_drive: posts messages through the Slack notifier the way the spool runner would, for
 * tests/notify/slack.test.
 *
 * usage: slack_drive [options] URL
 *   -n COUNT     messages to deliver (default 1)
 *   -j THREADS   delivery threads, each with its own notifier on URL (default 1); message i
 *                goes to thread i % THREADS
 *   -k KIND      raised, cleared or trap (default raised)
 *   -s SEVERITY  ok, warning, critical or info (default critical)
 *   -r RESOURCE  the alarm's resource (default "prod/hv1/vm:web01"); untrusted text goes here
 *   -S SUMMARY   the summary (default built from the resource); " #I" is appended
 *   -T SECONDS   request timeout; -C SECONDS connect timeout; -i SECONDS min interval
 *   -b SECONDS   the back-off after a RETRY without retry_after (default 0.2)
 *   -a COUNT     attempts per message before giving up (default 5; DEFER is not an attempt)
 *   -R           a RETRY waits the back-off even when it came with retry_after (a careless
 *                runner: the notifier's own pacing must still hold it back)
 *   -p           honour http_proxy (the notifier is made with no_proxy off)
 *   -l LEVEL     log level on stderr (default info)
 * Per attempt it prints "t=SECONDS took=SECONDS msg=I attempt=A result=R retry_after=S
 * error=TEXT": t when send was called (monotonic, from the start), took how long it ran.
 * RETRY waits retry_after (or the back-off), DEFER waits retry_after; at the end
 * "done delivered=N failed=N gave_up=N". Exit status 0, or 2 on a usage error or when a
 * notifier cannot be created. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vs_log.h"
#include "vs_num.h"
#include "vs_slack.h"

#define MAX_THREADS 16

static struct {
    const char *url, *resource, *summary;
    vs_msg_kind kind;
    vs_severity severity;
    long count, threads, attempts;
    double backoff, t0;
    int careless;
    vs_slack_conf conf;
} opt;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int delivered, failed, gave_up;

typedef struct {
    pthread_t tid;
    long index;
    vs_notifier *n;
} worker;

static const char *result_name(vs_send_result r)
{
    static const char *const names[] = { "OK", "RETRY", "FAILED", "DEFER" };
    return (unsigned)r < 4 ? names[r] : "?";
}

static void sleep_for(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL) {
        fputs("slack_drive: out of memory\n", stderr);
        exit(2);
    }
    return d;
}

/* Message i as the manager (or, for -k trap, the trap handler) would spool it. */
static vs_msg *msg_build(long i)
{
    vs_msg *m = calloc(1, sizeof(*m));
    char buf[1200];

    if (m == NULL)
        return NULL;
    m->kind = opt.kind;
    m->severity = opt.severity;
    m->previous = opt.kind == VS_MSG_ALARM_CLEARED ? VS_SEV_CRITICAL : VS_SEV_OK;
    m->time = (double)time(NULL);
    snprintf(buf, sizeof(buf), "drive-%ld.1", i);
    m->msg_id = xstrdup(buf);
    snprintf(buf, sizeof(buf), "drive-%ld", i);
    m->alarm_id = xstrdup(buf);
    m->host = xstrdup("hv1");
    m->resource = xstrdup(opt.resource);
    m->metric = xstrdup(opt.kind == VS_MSG_TRAP ? "linkDown" : "vm.cpu.util");
    m->value = xstrdup("97.3");
    m->threshold = xstrdup("95");
    m->rule = xstrdup("cpu-hot");
    if (opt.summary != NULL)
        snprintf(buf, sizeof(buf), "%s #%ld", opt.summary, i);
    else
        snprintf(buf, sizeof(buf), "vm.cpu.util of %s is 97.3 #%ld", opt.resource, i);
    m->summary = xstrdup(buf);
    if (opt.kind == VS_MSG_TRAP) {
        m->source = xstrdup("UDP: [127.0.0.1]:41981");
        m->trap_oid = xstrdup("1.3.6.1.6.3.1.1.5.3");
    }
    return m;
}

/* Deliver message i like the runner: attempts, waits and one output line per attempt. */
static void deliver(vs_notifier *n, long i)
{
    vs_msg *m = msg_build(i);
    json_object *state = json_object_new_object();
    long attempt = 0;

    for (;;) {
        vs_send_status st;
        double start = vs_log_now();
        n->ops->send(n, m, state, &st);
        double took = vs_log_now() - start;
        if (st.result != VS_SEND_DEFER)
            attempt++;
        pthread_mutex_lock(&out_lock);
        printf("t=%.3f took=%.4f msg=%ld attempt=%ld result=%s retry_after=%.3f error=%s\n",
               start - opt.t0, took, i, attempt, result_name(st.result), st.retry_after, st.error);
        fflush(stdout);
        if (st.result == VS_SEND_OK)
            delivered++;
        else if (st.result == VS_SEND_FAILED)
            failed++;
        else if (attempt >= opt.attempts)
            gave_up++;
        pthread_mutex_unlock(&out_lock);
        if (st.result == VS_SEND_OK || st.result == VS_SEND_FAILED || attempt >= opt.attempts)
            break;
        int own = st.result == VS_SEND_RETRY && opt.careless;
        sleep_for(st.retry_after > 0 && !own ? st.retry_after : opt.backoff);
    }
    json_object_put(state);
    vs_msg_free(m);
}

static void *worker_main(void *arg)
{
    worker *w = arg;

    for (long i = w->index; i < opt.count; i += opt.threads)
        deliver(w->n, i + 1);
    return NULL;
}

static int parse_args(int argc, char **argv)
{
    static const char *const sevs[] = { "ok", "warning", "critical", "info" };
    vs_log_level level = VS_LOG_INFO;
    int c, bad = 0;

    opt.count = opt.threads = 1;
    opt.attempts = 5;
    opt.backoff = 0.2;
    opt.kind = VS_MSG_ALARM_RAISED;
    opt.severity = VS_SEV_CRITICAL;
    opt.resource = "prod/hv1/vm:web01";
    opt.conf.name = "drive";
    opt.conf.no_proxy = 1;
    while ((c = getopt(argc, argv, "n:j:k:s:r:S:T:C:i:b:a:Rpl:")) != -1) {
        switch (c) {
        case 'n':
            bad |= vs_num_parse_long(optarg, 1, 1000, &opt.count);
            break;
        case 'j':
            bad |= vs_num_parse_long(optarg, 1, MAX_THREADS, &opt.threads);
            break;
        case 'a':
            bad |= vs_num_parse_long(optarg, 1, 100, &opt.attempts);
            break;
        case 'k':
            opt.kind = strcmp(optarg, "trap") == 0      ? VS_MSG_TRAP
                       : strcmp(optarg, "cleared") == 0 ? VS_MSG_ALARM_CLEARED
                                                        : VS_MSG_ALARM_RAISED;
            break;
        case 's': {
            int found = 0;
            for (int s = 0; s < 4; s++) {
                if (strcmp(optarg, sevs[s]) == 0) {
                    opt.severity = (vs_severity)s;
                    found = 1;
                }
            }
            bad |= found ? 0 : -1;
            break;
        }
        case 'r':
            opt.resource = optarg;
            break;
        case 'S':
            opt.summary = optarg;
            break;
        case 'T':
            bad |= vs_num_parse_double(optarg, &opt.conf.timeout);
            break;
        case 'C':
            bad |= vs_num_parse_double(optarg, &opt.conf.connect_timeout);
            break;
        case 'i':
            bad |= vs_num_parse_double(optarg, &opt.conf.min_interval);
            break;
        case 'b':
            bad |= vs_num_parse_double(optarg, &opt.backoff);
            break;
        case 'R':
            opt.careless = 1;
            break;
        case 'p':
            opt.conf.no_proxy = 0;
            break;
        case 'l':
            bad |= vs_log_level_parse(optarg, &level);
            break;
        default:
            bad = -1;
        }
    }
    if (bad || optind != argc - 1) {
        fputs("usage: slack_drive [-n COUNT] [-j THREADS] [-k KIND] [-s SEVERITY] [-r RESOURCE] "
              "[-S SUMMARY] [-T S] [-C S] [-i S] [-b S] [-a COUNT] [-R] [-p] [-l LEVEL] URL\n",
              stderr);
        return -1;
    }
    opt.conf.url = argv[optind];
    vs_log_init("slack_drive", level);
    return 0;
}

int main(int argc, char **argv)
{
    worker w[MAX_THREADS];
    char err[256];

    if (parse_args(argc, argv) < 0)
        return 2;
    for (long t = 0; t < opt.threads; t++) {
        w[t].index = t;
        w[t].n = vs_slack_new(&opt.conf, err, sizeof(err));
        if (w[t].n == NULL) {
            fprintf(stderr, "slack_drive: %s\n", err);
            while (t-- > 0)
                vs_notifier_free(w[t].n);
            return 2;
        }
    }
    opt.t0 = vs_log_now();
    for (long t = 0; t < opt.threads; t++)
        pthread_create(&w[t].tid, NULL, worker_main, &w[t]);
    for (long t = 0; t < opt.threads; t++) {
        pthread_join(w[t].tid, NULL);
        vs_notifier_free(w[t].n);
    }
    printf("done delivered=%d failed=%d gave_up=%d\n", delivered, failed, gave_up);
    return 0;
}
