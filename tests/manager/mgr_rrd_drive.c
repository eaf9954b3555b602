/* mgr_rrd_drive: drives the RRD writer from commands on stdin, for tests/manager/rrd.test.
 *
 * usage: mgr_rrd_drive [-c RRDCACHED] [-r RETRY_S] [-s STEP] [-l LEVEL] RRD_DIR
 *
 * Commands, one per line, words separated by blanks ('#' starts a comment line):
 *   res GROUP HOST KIND ID T V1 V2 ...  submit a result of HOST holding one resource of KIND
 *                                      (host, vm, if, fs) with ID at time T; GROUP "-" for
 *                                      none, ID "-" for the empty one (and for host), values
 *                                      "U" unknown, values left out unknown
 *   drain TIMEOUT FLUSH                mgr_rrd_drain; prints "drain RC"
 *   stats                              prints "stats updates=N creates=N errors=N dropped=N
 *                                      pending=N"
 * At the end of input: drain (30 s, flush), print "drain RC" and the stats, free the writer.
 * Log lines go to stderr. Exit status 0, or 1 when a command was malformed or the last drain
 * failed. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgr_rrd.h"
#include "vs_log.h"
#include "vs_num.h"

#define MAX_WORDS 32

static void print_stats(mgr_rrd *w)
{
    mgr_rrd_stats st;

    mgr_rrd_get_stats(w, &st);
    printf("stats updates=%llu creates=%llu errors=%llu dropped=%llu pending=%zu\n", st.updates,
           st.creates, st.errors, st.dropped, st.pending);
    fflush(stdout);
}

/* The kind named s; -1 when none is. */
static int kind_parse(const char *s)
{
    for (int k = 0; k < MGR_RES__COUNT; k++) {
        if (strcmp(s, mgr_res_kind_name((mgr_res_kind)k)) == 0)
            return k;
    }
    return -1;
}

/* A result of host with a single resource (kind, id), its host resource left out. */
static mgr_result *result_single(const char *host, mgr_res_kind kind, const char *id)
{
    mgr_result *r = mgr_result_new(host, MGR_SRC_SNMP);

    if (r == NULL || kind == MGR_RES_HOST)
        return r;
    if (mgr_result_add(r, kind, id, NULL) == NULL) {
        mgr_result_free(r);
        return NULL;
    }
    free(r->res[0].id);
    free(r->res[0].label);
    memmove(&r->res[0], &r->res[1], sizeof(r->res[0]));
    r->n_res = 1;
    return r;
}

/* "res GROUP HOST KIND ID T V...": w[0..n-1]. */
static int cmd_res(mgr_rrd *wr, char **w, int n)
{
    long t;
    int kind = n >= 6 ? kind_parse(w[3]) : -1;

    if (kind < 0 || vs_num_parse_long(w[5], 0, 0x7fffffffL, &t) < 0 || n - 6 > MGR_METRIC_MAX) {
        fprintf(stderr, "mgr_rrd_drive: bad res command\n");
        return -1;
    }
    mgr_result *r = result_single(w[2], (mgr_res_kind)kind, strcmp(w[4], "-") ? w[4] : "");
    if (r == NULL)
        return -1;
    for (int i = 6; i < n; i++) {
        double v = NAN;
        if (strcmp(w[i], "U") != 0 && vs_num_parse_double(w[i], &v) < 0) {
            fprintf(stderr, "mgr_rrd_drive: bad value '%s'\n", w[i]);
            mgr_result_free(r);
            return -1;
        }
        r->res[0].v[i - 6] = v;
    }
    int rc = mgr_rrd_submit(wr, strcmp(w[1], "-") ? w[1] : NULL, r, t);
    mgr_result_free(r);
    return rc;
}

/* "drain TIMEOUT FLUSH". */
static int cmd_drain(mgr_rrd *wr, char **w, int n)
{
    double timeout;
    long flush;

    if (n != 3 || vs_num_parse_double(w[1], &timeout) < 0
        || vs_num_parse_long(w[2], 0, 1, &flush) < 0) {
        fprintf(stderr, "mgr_rrd_drive: bad drain command\n");
        return -1;
    }
    printf("drain %d\n", mgr_rrd_drain(wr, timeout, (int)flush));
    fflush(stdout);
    return 0;
}

/* Run one input line. */
static int run_line(mgr_rrd *wr, char *line)
{
    char *w[MAX_WORDS], *save = NULL;
    int n = 0;

    for (char *tok = strtok_r(line, " \t\r\n", &save); tok != NULL && n < MAX_WORDS;
         tok = strtok_r(NULL, " \t\r\n", &save))
        w[n++] = tok;
    if (n == 0 || w[0][0] == '#')
        return 0;
    if (strcmp(w[0], "res") == 0)
        return cmd_res(wr, w, n);
    if (strcmp(w[0], "drain") == 0)
        return cmd_drain(wr, w, n);
    if (strcmp(w[0], "stats") == 0) {
        print_stats(wr);
        return 0;
    }
    fprintf(stderr, "mgr_rrd_drive: unknown command '%s'\n", w[0]);
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: mgr_rrd_drive [-c RRDCACHED] [-r RETRY_S] [-s STEP] [-l LEVEL] "
                    "RRD_DIR\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *rrdcached = NULL;
    long retry = 60, step = 10;
    vs_log_level level = VS_LOG_INFO;
    int opt, status = 0;

    while ((opt = getopt(argc, argv, "c:r:s:l:")) != -1) {
        if ((opt == 'c' && (rrdcached = optarg) == NULL)
            || (opt == 'r' && vs_num_parse_long(optarg, 0, 86400, &retry) < 0)
            || (opt == 's' && vs_num_parse_long(optarg, 1, 86400, &step) < 0)
            || (opt == 'l' && vs_log_level_parse(optarg, &level) < 0) || opt == '?')
            return usage();
    }
    if (optind != argc - 1)
        return usage();
    vs_log_init("mgr_rrd_drive", level);
    mgr_rrd *wr = mgr_rrd_new(argv[optind], (int)step, rrdcached, (int)retry);
    if (wr == NULL)
        return 1;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) != -1) {
        if (run_line(wr, line) < 0)
            status = 1;
    }
    free(line);
    int rc = mgr_rrd_drain(wr, 30, 1);
    printf("drain %d\n", rc);
    print_stats(wr);
    mgr_rrd_free(wr);
    return rc == 0 ? status : 1;
}
