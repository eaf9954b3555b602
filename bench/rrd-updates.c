/* rrd-updates: RRD update throughput of the manager's writer through rrdcached (our BATCH
 * client), of the same writer updating the files directly (rrd_update_r), and of librrd's own
 * rrdcached client (rrdc_update: one round trip per update), the baseline. Run by bench/rrd.sh.
 *
 * usage: rrd-updates -c RRDCACHED -d DIR [-f FILES] [-m UPDATES] [-R ROUNDS] [-s STEP]
 *
 * DIR must be rrdcached's base directory (-b). Each way writes FILES VM files (10 data sources)
 * in its own DIR/<way>/; the files are created first, untimed. Then, ROUNDS times and the ways
 * in turn, each way writes UPDATES updates to every file at the next step-aligned times, and
 * is timed from the first submission until they are accepted: mgr_rrd_drain without flush
 * returned (through rrdcached: the daemon answered the BATCH; directly: in the files), or the
 * last rrdc_update returned. Prints one line per way and round, the median and best rates,
 * and their ratios. Exit status 1 if any update failed. */
#include "config.h"

#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgr_rrd.h"
#include "vs_log.h"
#include "vs_num.h"

#define MAX_ROUNDS 15
#define T0 1000000000L

enum { WAY_BATCH, WAY_DIRECT, WAY_RRDC, N_WAYS };
static const char *const way_names[N_WAYS] = { "rrdcached-batch", "direct", "rrdc_update" };

typedef struct {
    const char *addr;
    const char *dir;
    long files, updates, rounds, step;
    mgr_result *res; /* the FILES resources, values rewritten per time */
    char **paths;    /* absolute names, for the rrdc way */
    long t[N_WAYS];  /* last time written by each way */
    double rate[N_WAYS][MAX_ROUNDS];
    int failed;
} bench;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Set the values of every resource for time t: a mix of integers and fractions. */
static void values_at(bench *b, long t)
{
    for (size_t i = 0; i < b->res->n_res; i++) {
        for (int k = 0; k < MGR_V__COUNT; k++)
            b->res->res[i].v[k] = k % 2 ? (double)((t / b->step + (long)i) % 1000)
                                        : (double)(k + 1) * 0.25 + (double)i;
    }
}

/* The directory of a way. */
static void way_dir(const bench *b, int way, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", b->dir, way_names[way]);
}

/* A writer for way (rrdcached for the rrdc way too: it creates its files). */
static mgr_rrd *way_writer(bench *b, int way)
{
    char dir[1024];
    way_dir(b, way, dir, sizeof(dir));
    return mgr_rrd_new(dir, (int)b->step, way == WAY_DIRECT ? NULL : b->addr, 60);
}

/* Submit `updates` times of every file through w, then drain; returns the seconds taken. */
static double run_writer(bench *b, mgr_rrd *w, int way)
{
    double start = now_s();
    for (long j = 0; j < b->updates; j++) {
        b->t[way] += b->step;
        values_at(b, b->t[way]);
        if (mgr_rrd_submit(w, NULL, b->res, b->t[way]) < 0)
            b->failed = 1;
    }
    if (mgr_rrd_drain(w, 600, 0) < 0)
        b->failed = 1;
    return now_s() - start;
}

/* The same updates through rrdc_update, one call per update. */
static double run_rrdc(bench *b)
{
    vs_buf line;
    double start = now_s();

    vs_buf_init(&line, 4096);
    for (long j = 0; j < b->updates; j++) {
        b->t[WAY_RRDC] += b->step;
        values_at(b, b->t[WAY_RRDC]);
        for (long f = 0; f < b->files; f++) {
            vs_buf_reset(&line);
            mgr_rrd_format_values(&line, b->t[WAY_RRDC], b->res->res[f].v, MGR_V__COUNT);
            const char *v = vs_buf_str(&line);
            if (rrdc_update(b->paths[f], 1, &v) != 0) {
                fprintf(stderr, "rrd-updates: rrdc_update %s: %s\n", b->paths[f], rrd_get_error());
                b->failed = 1;
                vs_buf_free(&line);
                return now_s() - start;
            }
        }
    }
    vs_buf_free(&line);
    return now_s() - start;
}

/* Build the resources and the rrdc way's file names. */
static int bench_setup(bench *b)
{
    char dir[1024];

    b->res = mgr_result_new("bench", MGR_SRC_LIBVIRT);
    b->paths = calloc((size_t)b->files, sizeof(*b->paths));
    if (b->res == NULL || b->paths == NULL)
        return -1;
    b->res->n_res = 0; /* VMs only: FILES files */
    free(b->res->res[0].id);
    way_dir(b, WAY_RRDC, dir, sizeof(dir));
    for (long f = 0; f < b->files; f++) {
        char id[32];
        snprintf(id, sizeof(id), "vm%06ld", f);
        if (mgr_result_add(b->res, MGR_RES_VM, id, NULL) == NULL)
            return -1;
        char *rel = mgr_rrd_path(NULL, "bench", MGR_RES_VM, id);
        vs_buf p;
        vs_buf_init(&p, 2048);
        if (rel == NULL || vs_buf_appendf(&p, "%s/%s", dir, rel) < 0)
            return -1;
        free(rel);
        b->paths[f] = vs_buf_steal(&p);
    }
    return 0;
}

/* Create every way's files (untimed): one update each, at T0. */
static int bench_create(bench *b, mgr_rrd **w)
{
    for (int way = 0; way < N_WAYS; way++) {
        mgr_rrd_stats st;
        b->t[way] = T0;
        values_at(b, T0);
        if (mgr_rrd_submit(w[way], NULL, b->res, T0) < 0 || mgr_rrd_drain(w[way], 600, 1) < 0)
            return -1;
        mgr_rrd_get_stats(w[way], &st);
        if (st.errors > 0 || st.creates != (unsigned long long)b->files) {
            fprintf(stderr, "rrd-updates: %s: %llu files created, %llu errors\n", way_names[way],
                    st.creates, st.errors);
            return -1;
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Print the median and best rate of each way and the ratios of the medians. */
static void report(bench *b)
{
    double med[N_WAYS];

    for (int way = 0; way < N_WAYS; way++) {
        double r[MAX_ROUNDS];
        memcpy(r, b->rate[way], sizeof(r));
        qsort(r, (size_t)b->rounds, sizeof(r[0]), cmp_double);
        med[way] = r[b->rounds / 2];
        printf("%-16s median %10.0f updates/s  best %10.0f updates/s\n", way_names[way], med[way],
               r[b->rounds - 1]);
    }
    printf("ratio rrdcached-batch/rrdc_update %.1f  direct/rrdc_update %.1f  "
           "rrdcached-batch/direct %.1f\n",
           med[WAY_BATCH] / med[WAY_RRDC], med[WAY_DIRECT] / med[WAY_RRDC],
           med[WAY_BATCH] / med[WAY_DIRECT]);
}

/* Run the rounds; each way in turn, the order rotating. */
static void bench_run(bench *b, mgr_rrd **w)
{
    long n = b->files * b->updates;

    for (long round = 0; round < b->rounds; round++) {
        for (int k = 0; k < N_WAYS; k++) {
            int way = (int)((k + round) % N_WAYS);
            double s = way == WAY_RRDC ? run_rrdc(b) : run_writer(b, w[way], way);
            b->rate[way][round] = (double)n / s;
            printf("round %ld %-16s %ld updates in %.3f s: %.0f updates/s\n", round + 1,
                   way_names[way], n, s, (double)n / s);
            fflush(stdout);
        }
    }
}

/* Parse the options into b; 0 or -1. */
static int parse_args(bench *b, int argc, char **argv)
{
    int opt;

    while ((opt = getopt(argc, argv, "c:d:f:m:R:s:")) != -1) {
        int bad = 0;
        if (opt == 'c')
            b->addr = optarg;
        else if (opt == 'd')
            b->dir = optarg;
        else if (opt == 'f')
            bad = vs_num_parse_long(optarg, 1, 1000000, &b->files);
        else if (opt == 'm')
            bad = vs_num_parse_long(optarg, 1, 1000000, &b->updates);
        else if (opt == 'R')
            bad = vs_num_parse_long(optarg, 1, MAX_ROUNDS, &b->rounds);
        else if (opt == 's')
            bad = vs_num_parse_long(optarg, 1, 3600, &b->step);
        else
            bad = -1;
        if (bad < 0)
            return -1;
    }
    return b->addr != NULL && b->dir != NULL && optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
    bench b = { .files = 1000, .updates = 100, .rounds = 3, .step = 10 };
    mgr_rrd *w[N_WAYS] = { NULL, NULL, NULL };
    int status = 1;

    if (parse_args(&b, argc, argv) < 0) {
        fprintf(stderr, "usage: rrd-updates -c RRDCACHED -d DIR [-f FILES] [-m UPDATES] "
                        "[-R ROUNDS] [-s STEP]\n");
        return 2;
    }
    vs_log_init("rrd-updates", VS_LOG_WARNING);
    printf("rrd-updates: %ld files x %ld updates (10 values each) x %ld rounds, step %ld s, "
           "rrdcached %s, files under %s\n",
           b.files, b.updates, b.rounds, b.step, b.addr, b.dir);
    for (int way = 0; way < N_WAYS; way++) {
        if ((w[way] = way_writer(&b, way)) == NULL)
            goto out;
    }
    if (bench_setup(&b) < 0 || bench_create(&b, w) < 0 || rrdc_connect(b.addr) != 0) {
        fprintf(stderr, "rrd-updates: set-up failed\n");
        goto out;
    }
    bench_run(&b, w);
    report(&b);
    for (int way = 0; way < N_WAYS; way++) {
        mgr_rrd_stats st;
        mgr_rrd_get_stats(w[way], &st);
        if (st.errors > 0 || st.dropped > 0)
            b.failed = 1;
    }
    status = b.failed;
out:
    rrdc_disconnect();
    for (int way = 0; way < N_WAYS; way++)
        mgr_rrd_free(w[way]);
    if (b.paths != NULL) {
        for (long f = 0; f < b.files; f++)
            free(b.paths[f]);
        free(b.paths);
    }
    mgr_result_free(b.res);
    return status;
}
