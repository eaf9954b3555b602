/* get-probe: single-GET latency of two cells, interleaved, while a subagent refreshes. Each
 * round sends three v2c GETs, one after the other, each with one varbind: the cell under test
 * (OURS) and the baseline's cell (FLOOR), in alternating order (the first GET after the pause
 * finds every process idle), then a watch OID whose value changes with every new snapshot
 * (vsHvSampleTime). Each round also reads the sampler thread's CPU time (the first field of
 * /proc/PID/task/TID/schedstat, in ns): the thread uses CPU throughout a refresh and none
 * between two, so a stretch of rounds in which it ran, with no pause longer than GAP seconds,
 * is a refresh; its duration runs from the stretch's start to the change of the watch value it
 * ends with. Rounds are classified as during a refresh or between refreshes. Times are
 * CLOCK_MONOTONIC around snmp_synch_response: the client library's encoding and decoding (a
 * few µs), the master, AgentX and the subagent.
 *
 * usage: get-probe [-p PAUSE_US] [-g GAP_S] HOST:PORT COMMUNITY SECONDS SCHEDSTAT WATCH-OID
 *                  OURS-OID FLOOR-OID
 * Prints key=value lines (see report()). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vs_num.h"

#define MAX_ROUNDS 400000
#define MAX_CHANGES 1024
#define WINDOW_SLACK 0.02 /* s around an activity stretch still counted in it */

typedef struct {
    double t;           /* start of the round */
    double ours, floor; /* latency in ms, < 0 on error or timeout */
    int active;         /* the sampler thread ran since the previous round */
    int refresh;        /* the round lies in a refresh (set by windows_find) */
} round_t;

static round_t rounds[MAX_ROUNDS];
static double changes[MAX_CHANGES]; /* when a new watch value was first seen (request start) */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One GET of oid; returns the latency in ms, or -1 on any error. The value is copied to buf
 * (up to size) and its length to *len when buf is not NULL. */
static double get_one(netsnmp_session *ss, const oid *name, size_t name_len, u_char *buf,
                      size_t size, size_t *len)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp = NULL;
    snmp_add_null_var(pdu, name, name_len);
    double t0 = now_s();
    int status = snmp_synch_response(ss, pdu, &resp);
    double ms = (now_s() - t0) * 1000.0;
    if (status != STAT_SUCCESS || resp == NULL || resp->errstat != SNMP_ERR_NOERROR
        || resp->variables == NULL || resp->variables->type == SNMP_NOSUCHOBJECT
        || resp->variables->type == SNMP_NOSUCHINSTANCE) {
        if (resp != NULL)
            snmp_free_pdu(resp);
        return -1;
    }
    if (buf != NULL) {
        size_t n = resp->variables->val_len < size ? resp->variables->val_len : size;
        memcpy(buf, resp->variables->val.string, n);
        *len = n;
    }
    snmp_free_pdu(resp);
    return ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Print "PREFIX_n=.. PREFIX_err=.. PREFIX_p50_ms=.. PREFIX_p99_ms=.. PREFIX_max_ms=.." for the
 * latencies in v (sorted here). p99 is the value at rank ceil(0.99 n). */
static void stats_print(const char *prefix, double *v, size_t n, size_t errors)
{
    qsort(v, n, sizeof(*v), cmp_double);
    if (n == 0) {
        printf("%s_n=0 %s_err=%zu\n", prefix, prefix, errors);
        return;
    }
    size_t r50 = (n + 1) / 2, r99 = (size_t)((99 * n + 99) / 100);
    printf("%s_n=%zu %s_err=%zu %s_p50_ms=%.3f %s_p99_ms=%.3f %s_max_ms=%.3f\n", prefix, n, prefix,
           errors, prefix, v[r50 - 1], prefix, v[r99 - 1], prefix, v[n - 1]);
}

/* The sampler thread's CPU time in ns from its schedstat file, or -1. */
static long long sched_ns(const char *path)
{
    FILE *f = fopen(path, "r");
    long long ns = -1;
    if (f == NULL)
        return -1;
    if (fscanf(f, "%lld", &ns) != 1)
        ns = -1;
    fclose(f);
    return ns;
}

/* Mark the rounds that lie in an activity stretch of the sampler (active rounds no more than
 * gap s apart, widened by WINDOW_SLACK) and print the refresh durations: from the start of
 * each stretch to the first watch change within it (or up to WINDOW_SLACK after its end). A
 * stretch already running when the probe started gives no duration. */
static void windows_find(size_t n_rounds, size_t n_changes, double gap)
{
    size_t i = 0, n_dur = 0;
    printf("sample_durations_s=");
    while (i < n_rounds) {
        if (!rounds[i].active) {
            i++;
            continue;
        }
        size_t first = i, last = i;
        for (i++; i < n_rounds && rounds[i].t - rounds[last].t <= gap; i++) {
            if (rounds[i].active)
                last = i;
        }
        double t0 = rounds[first].t - WINDOW_SLACK, t1 = rounds[last].t + WINDOW_SLACK;
        for (size_t k = 0; k < n_changes; k++) {
            if (changes[k] >= t0 && changes[k] <= t1 + WINDOW_SLACK) {
                if (first > 0)
                    printf("%s%.2f", n_dur++ ? "," : "", changes[k] - rounds[first].t);
                t1 = changes[k] + WINDOW_SLACK > t1 ? changes[k] + WINDOW_SLACK : t1;
                break;
            }
        }
        for (size_t j = 0; j < n_rounds; j++) {
            if (rounds[j].t >= t0 && rounds[j].t <= t1)
                rounds[j].refresh = 1;
        }
    }
    printf("\n");
}

/* Everything measured, as key=value lines. */
static void report(size_t n_rounds, size_t n_changes, double gap)
{
    static double buf[2][2][MAX_ROUNDS];
    size_t cnt[2][2] = { { 0, 0 }, { 0, 0 } }, err[2][2] = { { 0, 0 }, { 0, 0 } };

    printf("rounds=%zu snapshots_seen=%zu\n", n_rounds, n_changes);
    windows_find(n_rounds, n_changes, gap);
    for (size_t i = 0; i < n_rounds; i++) {
        int c = rounds[i].refresh;
        double lat[2] = { rounds[i].ours, rounds[i].floor };
        for (int w = 0; w < 2; w++) {
            if (lat[w] < 0)
                err[c][w]++;
            else
                buf[c][w][cnt[c][w]++] = lat[w];
        }
    }
    stats_print("refresh_ours", buf[1][0], cnt[1][0], err[1][0]);
    stats_print("refresh_floor", buf[1][1], cnt[1][1], err[1][1]);
    stats_print("idle_ours", buf[0][0], cnt[0][0], err[0][0]);
    stats_print("idle_floor", buf[0][1], cnt[0][1], err[0][1]);
}

/* Parse a numeric OID or exit. */
static void oid_parse(const char *text, oid *name, size_t *len)
{
    *len = MAX_OID_LEN;
    if (read_objid(text, name, len) == 0) {
        fprintf(stderr, "get-probe: bad OID %s\n", text);
        exit(2);
    }
}

/* The OIDs a round asks for. */
typedef struct {
    oid watch[MAX_OID_LEN], ours[MAX_OID_LEN], floor[MAX_OID_LEN];
    size_t watch_len, ours_len, floor_len;
} probe_oids;

/* Run rounds for seconds (pausing pause_us after each) into rounds[] and changes[]. */
static void probe_loop(netsnmp_session *ss, const probe_oids *o, double seconds, long pause_us,
                       const char *schedstat, size_t *n_rounds_out, size_t *n_changes_out)
{
    u_char last[64], cur[64];
    size_t last_len = 0, cur_len = 0, n_rounds = 0, n_changes = 0;
    int have_last = 0;
    double start = now_s();
    long long last_ns = sched_ns(schedstat);
    struct timespec pause = { pause_us / 1000000, (pause_us % 1000000) * 1000 };
    while (now_s() - start < seconds && n_rounds < MAX_ROUNDS) {
        round_t *r = &rounds[n_rounds++];
        r->t = now_s();
        /* The first GET after the pause finds every process idle: alternate who goes first. */
        if (n_rounds % 2) {
            r->ours = get_one(ss, o->ours, o->ours_len, NULL, 0, NULL);
            r->floor = get_one(ss, o->floor, o->floor_len, NULL, 0, NULL);
        } else {
            r->floor = get_one(ss, o->floor, o->floor_len, NULL, 0, NULL);
            r->ours = get_one(ss, o->ours, o->ours_len, NULL, 0, NULL);
        }
        double tw = now_s();
        if (get_one(ss, o->watch, o->watch_len, cur, sizeof(cur), &cur_len) >= 0) {
            if (have_last && (cur_len != last_len || memcmp(cur, last, cur_len) != 0)
                && n_changes < MAX_CHANGES)
                changes[n_changes++] = tw;
            memcpy(last, cur, cur_len);
            last_len = cur_len;
            have_last = 1;
        }
        long long ns = sched_ns(schedstat);
        r->active = ns > last_ns;
        last_ns = ns > last_ns ? ns : last_ns;
        if (pause_us > 0)
            nanosleep(&pause, NULL);
    }
    *n_rounds_out = n_rounds;
    *n_changes_out = n_changes;
}

int main(int argc, char **argv)
{
    long pause_us = 2000;
    double gap = 0.3;
    int c;
    while ((c = getopt(argc, argv, "p:g:")) != -1) {
        if (c == 'p' && vs_num_parse_long(optarg, 0, 10000000L, &pause_us) < 0)
            return 2;
        else if (c == 'g' && vs_num_parse_double(optarg, &gap) < 0)
            return 2;
        else if (c != 'p' && c != 'g')
            return 2;
    }
    if (argc - optind != 7) {
        fprintf(stderr, "usage: get-probe [-p PAUSE_US] [-g GAP_S] HOST:PORT COMMUNITY SECONDS "
                        "SCHEDSTAT WATCH-OID OURS-OID FLOOR-OID\n");
        return 2;
    }
    char **a = argv + optind;
    double seconds;
    if (vs_num_parse_double(a[2], &seconds) < 0 || seconds <= 0) {
        fprintf(stderr, "get-probe: SECONDS must be a positive number, not \"%s\"\n", a[2]);
        return 2;
    }
    const char *schedstat = a[3];
    if (sched_ns(schedstat) < 0) {
        fprintf(stderr, "get-probe: cannot read %s\n", schedstat);
        return 2;
    }
    probe_oids o;

    setenv("MIBS", "", 1);
    init_snmp("get-probe");
    oid_parse(a[4], o.watch, &o.watch_len);
    oid_parse(a[5], o.ours, &o.ours_len);
    oid_parse(a[6], o.floor, &o.floor_len);

    netsnmp_session s, *ss;
    snmp_sess_init(&s);
    s.peername = a[0];
    s.version = SNMP_VERSION_2c;
    s.community = (u_char *)a[1];
    s.community_len = strlen(a[1]);
    s.timeout = 1000000;
    s.retries = 0;
    ss = snmp_open(&s);
    if (ss == NULL) {
        snmp_perror("get-probe: snmp_open");
        return 1;
    }

    size_t n_rounds = 0, n_changes = 0;
    probe_loop(ss, &o, seconds, pause_us, schedstat, &n_rounds, &n_changes);
    snmp_close(ss);
    report(n_rounds, n_changes, gap);
    return 0;
}
