/* mgr_snmp_drive: runs the manager's SNMP poller against hosts named on the command line, for
 * tests/manager/snmp.test: a few cycles of a small poll() loop, every result printed in a
 * stable line format.
 *
 * usage: mgr_snmp_drive [OPTION]... HOST...
 *   --cycles N         cycles to run (default 1)
 *   --interval S       seconds from the start of one cycle to the next (default 0)
 *   --step-dir DIR     before cycle K (K >= 2) wait until DIR/go.K exists
 *   --deadline S       each poll's deadline, seconds after it is asked for (default 10)
 *   --max-inflight N   polls in flight at once (default 100)
 *   --log-level L      err, warning, notice, info or debug (default info); log on stderr
 *   --count-sockets    count this process's open sockets at every loop turn (for the
 *                      "max-sockets" figure; costs a scan of /proc/self/fd each turn)
 * HOST is a comma-separated list of key=value:
 *   name=NAME address=ADDR (required), version=1|2c|3 (2c), community=TEXT,
 *   community-file=PATH (first line), user=NAME, auth=SHA-256|SHA-384|SHA-512,
 *   priv=AES|AES-192|AES-256, secret-file=PATH (line 1 the authentication pass phrase, line 2
 *   the privacy pass phrase), context=NAME, timeout=MS (1000), retries=N (1), bulk=yes|no,
 *   max-repetitions=N (25)
 *
 * Output (stdout, flushed after each line):
 *   cycle K start
 *   result HOST ok=0|1 requests=N duration=S started=T finished=T sample=T error=TEXT...
 *   res HOST KIND ID LABEL METRIC=VALUE...
 *   cycle K end max-fds=N [max-sockets=N]   (descriptors the poller had watched at most;
 *                                            sockets open at most, with --count-sockets)
 *   cycle K kept sockets=N inodes= I...      (with --count-sockets: sockets still open once
 *                                            the cycle is over, i.e. the kept sessions)
 *   cpu user=S sys=S
 * ID and LABEL are percent-encoded (a space is %20), LABEL "-" when there is none; a value
 * that is not known is "nan". The results of a cycle come in the order the polls ended. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "mgr_config.h"
#include "mgr_metric.h"
#include "mgr_snmp.h"
#include "vs_log.h"
#include "vs_num.h"

typedef struct {
    int cycles;
    double interval;
    const char *step_dir;
    double deadline;
    long max_inflight;
    vs_log_level level;
    int count_sockets;
    mgr_host_cfg *hosts;
    size_t n_hosts;
} drive_opts;

static void die(const char *what, const char *arg)
{
    fprintf(stderr, "mgr_snmp_drive: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static char *xstrdup(const char *s)
{
    char *c = strdup(s);
    if (!c)
        die("out of memory", NULL);
    return c;
}

/* Line `line` (1-based) of file path, without its newline. */
static char *file_line(const char *path, int line)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open", path);
    char buf[1024];
    char *got = NULL;
    for (int i = 1; fgets(buf, sizeof(buf), f); i++) {
        if (i == line) {
            buf[strcspn(buf, "\r\n")] = '\0';
            got = xstrdup(buf);
            break;
        }
    }
    fclose(f);
    if (!got)
        die("too few lines in", path);
    return got;
}

static long parse_long(const char *s, long min, long max, const char *what)
{
    long v;
    if (vs_num_parse_long(s, min, max, &v) < 0)
        die(what, s);
    return v;
}

/* One key=value of a HOST argument. */
static void host_set(mgr_host_cfg *h, const char *key, const char *val)
{
    mgr_snmp_src *s = h->snmp;
    if (strcmp(key, "name") == 0)
        h->name = xstrdup(val);
    else if (strcmp(key, "address") == 0)
        s->address = xstrdup(val);
    else if (strcmp(key, "version") == 0)
        s->version = strcmp(val, "1") == 0   ? MGR_SNMP_V1
                     : strcmp(val, "3") == 0 ? MGR_SNMP_V3
                                             : MGR_SNMP_V2C;
    else if (strcmp(key, "community") == 0)
        s->community = xstrdup(val);
    else if (strcmp(key, "community-file") == 0)
        s->community = file_line(val, 1);
    else if (strcmp(key, "user") == 0)
        s->user = xstrdup(val);
    else if (strcmp(key, "auth") == 0)
        s->auth_proto = xstrdup(val);
    else if (strcmp(key, "priv") == 0)
        s->priv_proto = xstrdup(val);
    else if (strcmp(key, "secret-file") == 0) {
        s->auth_pass = file_line(val, 1);
        s->priv_pass = file_line(val, 2);
    } else if (strcmp(key, "context") == 0)
        s->context = xstrdup(val);
    else if (strcmp(key, "timeout") == 0)
        s->timeout_ms = (int)parse_long(val, 1, 600000, "bad timeout");
    else if (strcmp(key, "retries") == 0)
        s->retries = (int)parse_long(val, 0, 100, "bad retries");
    else if (strcmp(key, "bulk") == 0)
        s->bulk = strcmp(val, "no") != 0;
    else if (strcmp(key, "max-repetitions") == 0)
        s->max_repetitions = (int)parse_long(val, 1, 10000, "bad max-repetitions");
    else
        die("unknown host key", key);
}

/* A host from "name=...,address=...,...". */
static void host_parse(mgr_host_cfg *h, const char *arg)
{
    memset(h, 0, sizeof(*h));
    h->snmp = calloc(1, sizeof(*h->snmp));
    if (!h->snmp)
        die("out of memory", NULL);
    h->group_path = xstrdup("");
    h->snmp->version = MGR_SNMP_V2C;
    h->snmp->timeout_ms = 1000;
    h->snmp->retries = 1;
    h->snmp->max_repetitions = 25;
    h->snmp->bulk = 1;
    char *copy = xstrdup(arg), *save = NULL;
    for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            die("expected key=value", kv);
        *eq = '\0';
        host_set(h, kv, eq + 1);
    }
    free(copy);
    if (!h->name || !h->snmp->address)
        die("a host needs name= and address=", arg);
}

static void host_free(mgr_host_cfg *h)
{
    mgr_snmp_src *s = h->snmp;
    free(s->address);
    free(s->community);
    free(s->user);
    free(s->auth_proto);
    free(s->priv_proto);
    free(s->auth_pass);
    free(s->priv_pass);
    free(s->context);
    free(s);
    free(h->name);
    free(h->group_path);
}

static double opt_double(const char *s, const char *what)
{
    double v;
    if (vs_num_parse_double(s, &v) < 0 || v < 0)
        die(what, s);
    return v;
}

static void opts_parse(drive_opts *o, int argc, char **argv)
{
    *o = (drive_opts){ 1, 0, NULL, 10, 100, VS_LOG_INFO, 0, NULL, 0 };
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--count-sockets") == 0) {
            o->count_sockets = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc)
            die("missing value for", argv[i]);
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "--cycles") == 0)
            o->cycles = (int)parse_long(v, 1, 1000, "bad --cycles");
        else if (strcmp(argv[i], "--interval") == 0)
            o->interval = opt_double(v, "bad --interval");
        else if (strcmp(argv[i], "--step-dir") == 0)
            o->step_dir = v;
        else if (strcmp(argv[i], "--deadline") == 0)
            o->deadline = opt_double(v, "bad --deadline");
        else if (strcmp(argv[i], "--max-inflight") == 0)
            o->max_inflight = parse_long(v, 1, 100000, "bad --max-inflight");
        else if (strcmp(argv[i], "--log-level") == 0) {
            if (vs_log_level_parse(v, &o->level) < 0)
                die("bad --log-level", v);
        } else
            die("unknown option", argv[i]);
    }
    if (i >= argc)
        die("usage: mgr_snmp_drive [OPTION]... HOST...", NULL);
    o->n_hosts = (size_t)(argc - i);
    o->hosts = calloc(o->n_hosts, sizeof(*o->hosts));
    if (!o->hosts)
        die("out of memory", NULL);
    for (size_t k = 0; k < o->n_hosts; k++)
        host_parse(&o->hosts[k], argv[i + (int)k]);
}

/* Print s percent-encoded ("-" for NULL or empty). */
static void put_enc(const char *s)
{
    if (!s || !*s) {
        fputs("-", stdout);
        return;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || strchr("._-/:#@+_", c))
            putchar(c);
        else
            printf("%%%02X", c);
    }
}

static void print_value(double v)
{
    if (isnan(v))
        fputs("nan", stdout);
    else
        printf("%.12g", v);
}

/* The poller's callback: print the result and free it. */
static void on_result(mgr_result *r, void *ctx)
{
    (void)ctx;
    printf("result %s ok=%d requests=%u duration=%.6f started=%.6f finished=%.6f sample=%.6f "
           "error=%s\n",
           r->host, r->ok, r->requests, r->finished - r->started, r->started, r->finished,
           r->sample_time, r->error ? r->error : "");
    for (size_t i = 0; i < r->n_res; i++) {
        const mgr_resource *res = &r->res[i];
        size_t n;
        const mgr_metric_def *defs = mgr_metric_defs(res->kind, &n);
        printf("res %s %s ", r->host, mgr_res_kind_name(res->kind));
        put_enc(res->id);
        putchar(' ');
        put_enc(res->label);
        for (size_t k = 0; k < n; k++) {
            printf(" %s=", defs[k].name);
            print_value(res->v[k]);
        }
        putchar('\n');
    }
    fflush(stdout);
    mgr_result_free(r);
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Wait (up to a minute) for DIR/go.K before cycle K. */
static void step_wait(const char *dir, int k)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/go.%d", dir, k);
    for (int i = 0; i < 6000 && access(path, F_OK) != 0; i++)
        sleep_s(0.01);
}

/* How many sockets this process has open (from /proc/self/fd); with ids, their inode
 * numbers as " N N ..." in ascending order (a poll that reuses a kept session reuses its
 * socket, so the same inodes show up again). */
static int sockets_list(char *ids, size_t len)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        die("cannot read", "/proc/self/fd");
    int n = 0;
    unsigned long inode[256];
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char link[64];
        ssize_t got = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
        if (got > 0 && (link[got] = '\0', strncmp(link, "socket:[", 8) == 0)) {
            char *close = strchr(link + 8, ']');
            if (close != NULL)
                *close = '\0';
            if (n < 256 && vs_num_parse_ulong(link + 8, (unsigned long)-1, &inode[n]) < 0)
                inode[n] = 0;
            n++;
        }
    }
    closedir(d);
    if (ids) {
        size_t used = 0;
        ids[0] = '\0';
        for (int i = 0; i < n && i < 256; i++) { /* few sockets: insertion order is fine */
            unsigned long min = (unsigned long)-1;
            int at = -1;
            for (int k = 0; k < n && k < 256; k++)
                if (inode[k] != 0 && inode[k] < min)
                    min = inode[k], at = k;
            if (at < 0)
                break;
            inode[at] = 0;
            int w = snprintf(ids + used, len - used, " %lu", min);
            if (w < 0 || (size_t)w >= len - used)
                break;
            used += (size_t)w;
        }
    }
    return n;
}

static int sockets_open(void)
{
    return sockets_list(NULL, 0);
}

/* One cycle: ask for every host's poll, then run the loop until all have ended. */
static void cycle_run(mgr_snmp *s, const drive_opts *o, int k)
{
    printf("cycle %d start\n", k);
    fflush(stdout);
    for (size_t i = 0; i < o->n_hosts; i++)
        if (mgr_snmp_poll(s, &o->hosts[i], vs_log_now() + o->deadline) < 0)
            die("mgr_snmp_poll failed", o->hosts[i].name);
    int max_fds = 0, max_sockets = 0;
    struct pollfd *fds = calloc((size_t)o->max_inflight, sizeof(*fds));
    if (!fds)
        die("out of memory", NULL);
    while (mgr_snmp_busy(s) > 0) {
        int n = mgr_snmp_fds(s, fds, (int)o->max_inflight);
        max_fds = n > max_fds ? n : max_fds;
        if (o->count_sockets) {
            int open_now = sockets_open();
            max_sockets = open_now > max_sockets ? open_now : max_sockets;
        }
        double wake = mgr_snmp_next_wakeup(s), now = vs_log_now();
        double ms = wake > 0 ? ceil((wake - now) * 1000) : 1000;
        int rc = poll(fds, (nfds_t)n, ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms);
        mgr_snmp_process(s, fds, rc > 0 ? n : 0);
    }
    free(fds);
    printf("cycle %d end max-fds=%d", k, max_fds);
    if (o->count_sockets)
        printf(" max-sockets=%d", max_sockets);
    putchar('\n');
    if (o->count_sockets) {
        char ids[4096];
        int n = sockets_list(ids, sizeof(ids));
        printf("cycle %d kept sockets=%d inodes=%s\n", k, n, ids);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    drive_opts o;
    opts_parse(&o, argc, argv);
    vs_log_init("mgr_snmp_drive", o.level);
    mgr_snmp *s = mgr_snmp_new((int)o.max_inflight, on_result, NULL);
    if (!s)
        die("mgr_snmp_new failed", NULL);
    double start = vs_log_now();
    for (int k = 1; k <= o.cycles; k++) {
        if (k > 1 && o.step_dir)
            step_wait(o.step_dir, k);
        sleep_s(start + (k - 1) * o.interval - vs_log_now());
        cycle_run(s, &o, k);
    }
    mgr_snmp_free(s);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("cpu user=%.3f sys=%.3f\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
    for (size_t i = 0; i < o.n_hosts; i++)
        host_free(&o.hosts[i]);
    free(o.hosts);
    return 0;
}
