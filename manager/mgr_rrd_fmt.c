/* mgr_rrd_fmt: the pure parts of the RRD writer: file names, the archive layout and the
 * arguments of rrd create, and the text of updates. No I/O; unit-tested in check_mgr_rrd. */
#include "config.h"

#include "mgr_rrd.h"
#include "mgr_rrd_int.h"
#include "mgr_rrdcached.h"
#include "vs_num.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The archive layout. Every archive exists twice, as AVERAGE and as MAX, with xff 0.5.
 *
 * Archive 0 keeps every primary data point (one per step) for an hour: ceil(3600 / step) rows,
 * so that it covers at least the hour when step does not divide it (step 7: 515 rows).
 *
 * The others consolidate to a wanted resolution, rounded to the nearest whole number of steps
 * (at least one), and keep ceil(span / resolution) rows:
 *
 *     archive  span      wanted resolution  rows at a step that divides it  step 60: PDP/row
 *     day      1 day      5 min              288                             5
 *     week     7 days    30 min              336                             30
 *     month    31 days    2 h                372                             120
 *     year     366 days   1 day              366                             1440
 *
 * These are the resolutions graphs of such spans are usually drawn at: a row per pixel column
 * of a 300-800 pixel wide graph. Rounding to whole steps keeps the actual resolution within a
 * factor 1.5 of the wanted one, so the rows stay within about 190-560 for any step up to the
 * wanted resolution (step 200: 2 steps of 400 s, 216 rows a day; step 250: 1 step, 346 rows).
 * A step longer than the wanted resolution keeps every point (1 PDP per row) and so has fewer
 * rows (step 600: 144 rows a day): an archive cannot be finer than the step.
 *
 * Sizes at step 60: 1,422 rows per CF, 2,844 in all; 8 bytes per DS per row, so a VM file
 * (10 DS) is about 230 KB and a host file (11 DS) about 250 KB. */
static const struct {
    unsigned long span;       /* seconds covered */
    unsigned long resolution; /* wanted seconds per row; 0: every step */
} archives[MGR_RRD_N_ARCHIVES] = {
    { 3600, 0 }, { 86400, 300 }, { 7 * 86400, 1800 }, { 31 * 86400, 7200 }, { 366 * 86400, 86400 },
};

int mgr_rrd_archive(int step, int i, unsigned long *pdp_per_row, unsigned long *rows)
{
    if (step < 1 || i < 0 || i >= MGR_RRD_N_ARCHIVES)
        return -1;
    unsigned long s = (unsigned long)step;
    unsigned long pdp = 1;
    if (archives[i].resolution > 0) {
        pdp = (archives[i].resolution + s / 2) / s; /* nearest whole number of steps */
        if (pdp < 1)
            pdp = 1;
    }
    *pdp_per_row = pdp;
    *rows = (archives[i].span + pdp * s - 1) / (pdp * s);
    return 0;
}

/* Whether byte c may stay as it is in a file-name component. */
static int escape_keeps(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
           || c == '_' || c == '-';
}

int mgr_rrd_escape(vs_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; p[i] != '\0'; i++) {
        if (escape_keeps(p[i]) && !(i == 0 && p[i] == '.')) {
            if (vs_buf_append(b, &p[i], 1) < 0)
                return -1;
            continue;
        }
        char enc[3] = { '%', hex[p[i] >> 4], hex[p[i] & 0x0f] };
        if (vs_buf_append(b, enc, sizeof(enc)) < 0)
            return -1;
    }
    return 0;
}

/* Append the '/'-separated components of group_path, each escaped and followed by '/'; empty
 * components are skipped. */
static int path_add_group(vs_buf *b, const char *group_path)
{
    const char *p = group_path;

    while (p != NULL && *p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (len > 0) {
            char *part = strndup(p, len);
            int rc = part != NULL ? mgr_rrd_escape(b, part) : -1;
            free(part);
            if (rc < 0 || vs_buf_append(b, "/", 1) < 0)
                return -1;
        }
        p = slash != NULL ? slash + 1 : NULL;
    }
    return 0;
}

int mgr_rrd_path_append(vs_buf *b, const char *group_path, const char *host, mgr_res_kind kind,
                        const char *id)
{
    if (host == NULL || *host == '\0' || (unsigned)kind >= MGR_RES__COUNT)
        return -1;
    if (path_add_group(b, group_path) < 0 || mgr_rrd_escape(b, host) < 0
        || vs_buf_append(b, "/", 1) < 0 || vs_buf_append_str(b, mgr_res_kind_name(kind)) < 0)
        return -1;
    if (kind != MGR_RES_HOST
        && (vs_buf_append(b, "-", 1) < 0 || mgr_rrd_escape(b, id != NULL ? id : "") < 0))
        return -1;
    return vs_buf_append_str(b, ".rrd");
}

char *mgr_rrd_path(const char *group_path, const char *host, mgr_res_kind kind, const char *id)
{
    vs_buf b;

    vs_buf_init(&b, MGR_RRD_PATH_MAX);
    if (mgr_rrd_path_append(&b, group_path, host, kind, id) < 0) {
        vs_buf_free(&b);
        return NULL;
    }
    return vs_buf_steal(&b);
}

int mgr_rrd_format_value(vs_buf *b, double v)
{
    char s[40];

    if (!isfinite(v))
        return vs_buf_append(b, "U", 1);
    /* 2^63 is exact as a double: below it, an integral value converts exactly. */
    if (v == trunc(v) && fabs(v) < 9223372036854775808.0) {
        int n = snprintf(s, sizeof(s), "%lld", (long long)v);
        return vs_buf_append(b, s, (size_t)n);
    }
    for (int prec = 15; prec <= 17; prec++) {
        double back;
        snprintf(s, sizeof(s), "%.*g", prec, v);
        if (prec == 17 || (vs_num_parse_double(s, &back) == 0 && back == v))
            break;
    }
    return vs_buf_append_str(b, s);
}

int mgr_rrd_format_values(vs_buf *b, long t, const double *v, size_t n)
{
    char ts[24];
    int len = snprintf(ts, sizeof(ts), "%ld", t);

    if (vs_buf_append(b, ts, (size_t)len) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (vs_buf_append(b, ":", 1) < 0 || mgr_rrd_format_value(b, v[i]) < 0)
            return -1;
    }
    return 0;
}

int mgr_rrd_format_update(vs_buf *b, const char *file, long t, const double *v, size_t n)
{
    size_t mark = b->len;

    if (vs_buf_append(b, "UPDATE ", 7) < 0 || mgr_rrdc_append_arg(b, file) < 0
        || vs_buf_append(b, " ", 1) < 0 || mgr_rrd_format_values(b, t, v, n) < 0
        || vs_buf_append(b, "\n", 1) < 0) {
        b->len = mark; /* leave the buffer as it was */
        if (b->data != NULL)
            b->data[mark] = '\0';
        return -1;
    }
    return 0;
}

/* Make one argument string from b and add it to args at *k; b is reset. */
static int args_take(char **args, int *k, vs_buf *b)
{
    char *s = vs_buf_steal(b);
    if (s == NULL)
        return -1;
    args[(*k)++] = s;
    return 0;
}

char **mgr_rrd_create_args(mgr_res_kind kind, int step, int *n)
{
    static const char *const cfs[] = { "AVERAGE", "MAX" };
    size_t nds;
    const mgr_metric_def *defs = mgr_metric_defs(kind, &nds);
    int total = (int)nds + 2 * MGR_RRD_N_ARCHIVES, k = 0;
    char **args = step >= 1 ? calloc((size_t)total + 1, sizeof(*args)) : NULL;
    vs_buf b;

    if (args == NULL)
        return NULL;
    vs_buf_init(&b, 256);
    for (size_t i = 0; i < nds; i++) {
        if (vs_buf_appendf(&b, "DS:%s:GAUGE:%d:", defs[i].ds, 2 * step) < 0
            || mgr_rrd_format_value(&b, defs[i].min) < 0 || vs_buf_append(&b, ":", 1) < 0
            || mgr_rrd_format_value(&b, defs[i].max) < 0 || args_take(args, &k, &b) < 0)
            goto fail;
    }
    for (int a = 0; a < MGR_RRD_N_ARCHIVES; a++) {
        unsigned long pdp, rows;
        mgr_rrd_archive(step, a, &pdp, &rows);
        for (size_t c = 0; c < sizeof(cfs) / sizeof(cfs[0]); c++) {
            if (vs_buf_appendf(&b, "RRA:%s:0.5:%lu:%lu", cfs[c], pdp, rows) < 0
                || args_take(args, &k, &b) < 0)
                goto fail;
        }
    }
    *n = k;
    return args;
fail:
    vs_buf_free(&b);
    mgr_rrd_args_free(args);
    return NULL;
}

void mgr_rrd_args_free(char **args)
{
    if (args == NULL)
        return;
    for (size_t i = 0; args[i] != NULL; i++)
        free(args[i]);
    free(args);
}
