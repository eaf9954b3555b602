/* mgr_lv_drive: runs poll cycles of hypervisors through the libvirt poller (mgr_lv) the way
 * the manager's core does, with a poll() loop on its fd and watchdog wake-ups, and prints each
 * result and each resource's metrics as tab-separated key=value lines for the tests. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgr_lv.h"
#include "mgr_lv_stats.h"
#include "vs_log.h"
#include "vs_num.h"

#define MAX_HOSTS 64

static char empty[] = "";
#define SAFETY_S 15.0 /* a cycle's results must all be in this long after their deadline */

static const char usage[] =
    "usage: mgr_lv_drive [OPTION...] NAME URI [NAME URI...]\n"
    "  --workers N       worker threads (default 2)\n"
    "  --timeout-ms N    watchdog timeout of each poll (default 10000)\n"
    "  --deadline S      each poll's deadline, seconds after its cycle starts (default 30)\n"
    "  --keepalive I:C   keepalive interval (s) and count (default 5:3)\n"
    "  --cycles N        cycles to run (default 1; not with --commands)\n"
    "  --interval S      seconds between the starts of cycles (default 1)\n"
    "  --linger S        after the last cycle, watch S seconds for stray results (default 0)\n"
    "  --commands FILE   read commands from FILE (a FIFO), one a line:\n"
    "                      cycle | retain [NAME...] | set NAME URI | quit\n"
    "  --log FILE        log lines go to FILE (default: stderr)\n"
    "  --log-level L     err, warning, notice, info or debug (default info)\n"
    "Output: one line per result, resource and cycle end (result, res, end), tab-separated\n"
    "key=value fields; a line starting \"problem\" reports a broken contract (exit status 1).\n";

typedef struct {
    mgr_host_cfg cfg;
    mgr_libvirt_src src;
    int active; /* polled in each cycle */
    int got;    /* results in the current cycle */
} drv_host;

typedef struct {
    mgr_lv *p;
    drv_host hosts[MAX_HOSTS];
    int n_hosts;
    int workers, timeout_ms, ka_interval, ka_count, cycles;
    double deadline, interval, linger;
    const char *commands;
    int cycle;          /* the current cycle's number; 0 before the first */
    double cycle_start; /* wall clock */
    int in_cycle;
    int problems;
} drv;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print s with tabs, newlines and backslashes escaped, so that a field stays one field. */
static void put_text(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '\t')
            fputs("\\t", stdout);
        else if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '\\')
            fputs("\\\\", stdout);
        else
            putchar(*s);
    }
}

static void problem(drv *d, const char *what, const char *host)
{
    printf("problem\tcycle=%d\thost=", d->cycle);
    put_text(host);
    printf("\twhat=%s\n", what);
    d->problems++;
}

/* The number of threads of this process, from /proc/self/task. */
static int thread_count(void)
{
    DIR *dir = opendir("/proc/self/task");
    int n = 0;
    if (dir == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(dir)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n;
}

/* One "res" line per resource of r. */
static void print_resources(const drv *d, const mgr_result *r)
{
    for (size_t i = 0; i < r->n_res; i++) {
        const mgr_resource *x = &r->res[i];
        size_t n;
        const mgr_metric_def *defs = mgr_metric_defs(x->kind, &n);
        printf("res\tcycle=%d\thost=", d->cycle);
        put_text(r->host);
        printf("\tkind=%s\tid=", mgr_res_kind_name(x->kind));
        put_text(x->id);
        fputs("\tlabel=", stdout);
        put_text(x->label);
        for (size_t k = 0; k < n; k++)
            printf("\t%s=%.6g", defs[k].name, x->v[k]);
        putchar('\n');
    }
}

/* Print one result and check that it belongs to the current cycle and is its host's first. */
static void handle_result(drv *d, mgr_result *r)
{
    drv_host *h = NULL;
    for (int i = 0; i < d->n_hosts; i++)
        if (strcmp(d->hosts[i].cfg.name, r->host) == 0)
            h = &d->hosts[i];
    printf("result\tcycle=%d\thost=", d->cycle);
    put_text(r->host);
    printf("\tok=%d\tt_ms=%.0f\tdur_ms=%.0f\tvms=%zu\trequests=%u\terror=", r->ok,
           (wall_now() - d->cycle_start) * 1000.0, (r->finished - r->started) * 1000.0,
           r->n_res - 1, r->requests);
    put_text(r->ok ? "" : r->error);
    putchar('\n');
    print_resources(d, r);
    if (h == NULL)
        problem(d, "result for an unknown host", r->host);
    else if (!d->in_cycle)
        problem(d, "result outside a cycle", r->host);
    else if (r->started < d->cycle_start - 0.01)
        problem(d, "stale result of an earlier poll", r->host);
    else if (h->got++ > 0)
        problem(d, "second result for one poll", r->host);
    else if (r->n_res < 1 || r->res[0].kind != MGR_RES_HOST || r->source != MGR_SRC_LIBVIRT)
        problem(d, "malformed result", r->host);
    fflush(stdout);
    mgr_result_free(r);
}

/* Watch the poller's fd (and run its watchdog) until until (monotonic) or, when pending is
 * given, until it drops to zero. */
static void pump(drv *d, double until, int *pending)
{
    for (;;) {
        double now = vs_log_now();
        if (now >= until || (pending != NULL && *pending <= 0))
            return;
        double wake = mgr_lv_next_wakeup(d->p);
        double end = wake > 0 && wake < until ? wake : until;
        double wait_ms = ceil((end - now) * 1000.0);
        struct pollfd pfd = { mgr_lv_fd(d->p), POLLIN, 0 };
        int rc = poll(&pfd, 1, wait_ms < 0 ? 0 : wait_ms > 1000 ? 1000 : (int)wait_ms);
        if (rc < 0 && errno != EINTR) {
            perror("poll");
            exit(2);
        }
        mgr_lv_check(d->p);
        for (mgr_result *r; (r = mgr_lv_take(d->p)) != NULL;) {
            if (pending != NULL && d->in_cycle)
                (*pending)--;
            handle_result(d, r);
        }
    }
}

/* One cycle: a poll of every active host, then every result. */
static void run_cycle(drv *d)
{
    int pending = 0;

    pump(d, vs_log_now(), NULL); /* anything waiting now is stray */
    d->cycle++;
    d->cycle_start = wall_now();
    d->in_cycle = 1;
    double t0 = vs_log_now();
    for (int i = 0; i < d->n_hosts; i++) {
        drv_host *h = &d->hosts[i];
        h->got = 0;
        if (!h->active)
            continue;
        if (mgr_lv_poll(d->p, &h->cfg, t0 + d->deadline) < 0)
            problem(d, "mgr_lv_poll failed", h->cfg.name);
        else
            pending++;
    }
    pump(d, t0 + d->deadline + SAFETY_S, &pending);
    for (int i = 0; i < d->n_hosts; i++)
        if (d->hosts[i].active && d->hosts[i].got == 0)
            problem(d, "no result", d->hosts[i].cfg.name);
    d->in_cycle = 0;
    printf("end\tcycle=%d\tms=%.0f\tthreads=%d\tbusy=%u\n", d->cycle, (vs_log_now() - t0) * 1000,
           thread_count(), mgr_lv_busy(d->p));
    fflush(stdout);
}

/* Set host name's URI (adding the host when it is new). 0 or -1. */
static int host_set(drv *d, const char *name, const char *uri)
{
    drv_host *h = NULL;
    char *safe, *user, *pass;

    for (int i = 0; i < d->n_hosts; i++)
        if (strcmp(d->hosts[i].cfg.name, name) == 0)
            h = &d->hosts[i];
    if (h == NULL) {
        if (d->n_hosts == MAX_HOSTS)
            return -1;
        h = &d->hosts[d->n_hosts++];
        memset(h, 0, sizeof(*h));
        h->cfg.name = strdup(name);
        h->cfg.group_path = empty;
        h->cfg.libvirt = &h->src;
    }
    if (mgr_lv_uri_split(uri, &safe, &user, &pass) < 0)
        return -1;
    free(user);
    free(pass);
    free(h->src.uri);
    free(h->src.uri_safe);
    h->src.uri = strdup(uri);
    h->src.uri_safe = safe;
    h->src.timeout_ms = d->timeout_ms;
    h->src.keepalive_interval = d->ka_interval;
    h->src.keepalive_count = d->ka_count;
    h->cfg.deadline_s = d->deadline;
    h->active = 1;
    return h->cfg.name != NULL && h->src.uri != NULL ? 0 : -1;
}

/* "retain NAME...": keep polling only the named hosts and tell the poller so. */
static void cmd_retain(drv *d, char *args)
{
    mgr_host_cfg kept[MAX_HOSTS];
    mgr_config cfg;
    size_t n = 0;
    char *save = NULL;

    memset(&cfg, 0, sizeof(cfg));
    for (int i = 0; i < d->n_hosts; i++)
        d->hosts[i].active = 0;
    for (char *w = strtok_r(args, " \t\n", &save); w != NULL; w = strtok_r(NULL, " \t\n", &save))
        for (int i = 0; i < d->n_hosts; i++)
            if (strcmp(d->hosts[i].cfg.name, w) == 0 && !d->hosts[i].active) {
                d->hosts[i].active = 1;
                kept[n++] = d->hosts[i].cfg;
            }
    cfg.hosts = kept;
    cfg.n_hosts = n;
    mgr_lv_retain(d->p, &cfg);
    printf("retained\tn=%zu\n", n);
    fflush(stdout);
}

/* Run the commands read from d->commands until "quit" or its end. */
static void run_commands(drv *d)
{
    FILE *in = fopen(d->commands, "r");
    char line[4096];

    if (in == NULL) {
        fprintf(stderr, "mgr_lv_drive: cannot open %s: %s\n", d->commands, strerror(errno));
        exit(2);
    }
    while (fgets(line, sizeof(line), in) != NULL) {
        char *save = NULL;
        char *cmd = strtok_r(line, " \t\n", &save);
        if (cmd == NULL)
            continue;
        if (strcmp(cmd, "quit") == 0)
            break;
        if (strcmp(cmd, "cycle") == 0) {
            run_cycle(d);
        } else if (strcmp(cmd, "retain") == 0) {
            cmd_retain(d, save != NULL ? save : empty);
        } else if (strcmp(cmd, "set") == 0) {
            char *name = strtok_r(NULL, " \t\n", &save);
            char *uri = strtok_r(NULL, " \t\n", &save);
            if (name == NULL || uri == NULL || host_set(d, name, uri) < 0)
                problem(d, "bad set command", name);
            printf("set\thost=%s\n", name != NULL ? name : "");
            fflush(stdout);
        } else {
            problem(d, "unknown command", cmd);
        }
    }
    fclose(in);
}

/* A log sink writing each line to a file. */
static void sink_file(vs_log_level level, const char *line, void *ctx)
{
    char out[4096];
    (void)level;
    snprintf(out, sizeof(out), "%s\n", line);
    fputs(out, ctx);
    fflush(ctx);
}

/* Parse one option with its value; returns 0, or -1 for a bad one. */
static int parse_option(drv *d, const char *opt, const char *val, FILE **log, vs_log_level *lvl)
{
    long n;
    if (strcmp(opt, "--workers") == 0 && vs_num_parse_long(val, 1, 64, &n) == 0)
        d->workers = (int)n;
    else if (strcmp(opt, "--timeout-ms") == 0 && vs_num_parse_long(val, 1, 3600000, &n) == 0)
        d->timeout_ms = (int)n;
    else if (strcmp(opt, "--cycles") == 0 && vs_num_parse_long(val, 0, 100000, &n) == 0)
        d->cycles = (int)n;
    else if (strcmp(opt, "--deadline") == 0 && vs_num_parse_double(val, &d->deadline) == 0)
        ;
    else if (strcmp(opt, "--interval") == 0 && vs_num_parse_double(val, &d->interval) == 0)
        ;
    else if (strcmp(opt, "--linger") == 0 && vs_num_parse_double(val, &d->linger) == 0)
        ;
    else if (strcmp(opt, "--commands") == 0)
        d->commands = val;
    else if (strcmp(opt, "--log-level") == 0 && vs_log_level_parse(val, lvl) == 0)
        ;
    else if (strcmp(opt, "--log") == 0 && (*log = fopen(val, "a")) != NULL)
        ;
    else if (strcmp(opt, "--keepalive") == 0 && strchr(val, ':') != NULL) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", val);
        char *colon = strchr(buf, ':');
        *colon = '\0';
        long c;
        if (vs_num_parse_long(buf, 0, 3600, &n) < 0 || vs_num_parse_long(colon + 1, 0, 100, &c) < 0)
            return -1;
        d->ka_interval = (int)n;
        d->ka_count = (int)c;
    } else
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    static drv d = { .workers = 2,
                     .timeout_ms = 10000,
                     .ka_interval = 5,
                     .ka_count = 3,
                     .cycles = 1,
                     .deadline = 30,
                     .interval = 1 };
    FILE *log = NULL;
    vs_log_level level = VS_LOG_INFO;
    int i = 1;

    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2)
        if (i + 1 >= argc || parse_option(&d, argv[i], argv[i + 1], &log, &level) < 0) {
            fprintf(stderr, "mgr_lv_drive: bad option %s\n%s", argv[i], usage);
            return 2;
        }
    if ((argc - i) % 2 != 0 || (argc == i && d.commands == NULL)) {
        fputs(usage, stderr);
        return 2;
    }
    vs_log_init("mgr_lv_drive", level);
    if (log != NULL)
        vs_log_set_sink(sink_file, log);
    for (; i < argc; i += 2)
        if (host_set(&d, argv[i], argv[i + 1]) < 0)
            return 2;
    d.p = mgr_lv_new(d.workers);
    if (d.p == NULL)
        return 2;
    if (d.commands != NULL) {
        run_commands(&d);
    } else {
        for (int c = 0; c < d.cycles; c++) {
            double next = vs_log_now() + d.interval;
            run_cycle(&d);
            if (c + 1 < d.cycles)
                pump(&d, next, NULL);
        }
    }
    pump(&d, vs_log_now() + d.linger, NULL);
    mgr_lv_free(d.p);
    for (int h = 0; h < d.n_hosts; h++) {
        free(d.hosts[h].cfg.name);
        free(d.hosts[h].src.uri);
        free(d.hosts[h].src.uri_safe);
    }
    if (log != NULL) {
        vs_log_set_sink(NULL, NULL);
        fclose(log);
    }
    return d.problems > 0 ? 1 : 0;
}
