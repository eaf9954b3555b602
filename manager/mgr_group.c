/* mgr_group: per-cycle sums, averages and maxima of the watched metrics over each group. */
#include <config.h>

#include "mgr_group.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_PARENT SIZE_MAX

static const char *const fn_names[] = {
    [MGR_GROUP_SUM] = "sum", [MGR_GROUP_AVG] = "avg", [MGR_GROUP_MAX] = "max"
};

/* One watched group.* metric. */
typedef struct {
    char *name;
    size_t slot; /* its base metric's accumulator */
    mgr_group_fn fn;
} gmetric;

/* What a cycle has seen of one base metric in one group. */
typedef struct {
    double sum;
    double max;
    unsigned long n; /* known values */
} gacc;

typedef struct {
    char *path;     /* "" for the top level */
    char *host;     /* "group:<path>", "group:(all)" */
    char *resource; /* <path>, "(all)" */
    size_t parent;  /* index of the group above, NO_PARENT for the top level */
    int seen;       /* a host of it was added this cycle */
} ggroup;

struct mgr_group {
    gmetric *metrics;
    size_t n_metrics;
    /* Base metrics: slot s is metric index slot_index[s] of its kind; kind_slots[k] lists the
     * slots of kind k, so that a resource visits only what is watched of its kind. */
    size_t n_slots;
    size_t slot_index[MGR_RES__COUNT * MGR_METRIC_MAX];
    size_t kind_slots[MGR_RES__COUNT][MGR_METRIC_MAX];
    size_t n_kind_slots[MGR_RES__COUNT];
    size_t up_slot; /* host.up's slot, or SIZE_MAX */
    ggroup *groups; /* sorted by path */
    size_t n_groups;
    gacc *acc;          /* n_groups x n_slots */
    const char **names; /* the metrics' names and values for the emit callback */
    double *values;
};

/* ---------------------------------------------------------------- names */

int mgr_group_metric_parse(const char *name, mgr_res_kind *kind, size_t *index, mgr_group_fn *fn,
                           char *why, size_t whylen)
{
    size_t plen = strlen(MGR_GROUP_PREFIX);
    if (strncmp(name, MGR_GROUP_PREFIX, plen) != 0) {
        snprintf(why, whylen, "is not a group.* metric");
        return -1;
    }
    const char *base = name + plen;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base) {
        snprintf(why, whylen, "names no metric and function: write group.METRIC.sum, .avg or .max");
        return -1;
    }
    int f = -1;
    for (size_t i = 0; i < sizeof(fn_names) / sizeof(fn_names[0]); i++) {
        if (strcmp(dot + 1, fn_names[i]) == 0)
            f = (int)i;
    }
    if (f < 0) {
        snprintf(why, whylen, "\"%.40s\" is not a function of a group; use sum, avg or max",
                 dot + 1);
        return -1;
    }
    size_t blen = (size_t)(dot - base);
    for (int k = 0; k < MGR_RES__COUNT; k++) {
        size_t n;
        const mgr_metric_def *d = mgr_metric_defs((mgr_res_kind)k, &n);
        for (size_t i = 0; i < n; i++) {
            if (strlen(d[i].name) == blen && strncmp(d[i].name, base, blen) == 0) {
                if (kind != NULL)
                    *kind = (mgr_res_kind)k;
                if (index != NULL)
                    *index = i;
                if (fn != NULL)
                    *fn = (mgr_group_fn)f;
                return 0;
            }
        }
    }
    snprintf(why, whylen,
             "\"%.*s\" is not a host.* or vm.* metric virtsight-manager collects (see "
             "virtsight-manager.conf(5), METRICS)",
             blen > 80 ? 80 : (int)blen, base);
    return -1;
}

/* ---------------------------------------------------------------- the table */

static int path_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The group of path, or NO_PARENT. */
static size_t group_find(const mgr_group *g, const char *path)
{
    size_t lo = 0, hi = g->n_groups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, g->groups[mid].path);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NO_PARENT;
}

/* Every path of paths and every level above each, the top level "" included: a new sorted
 * array without repeats (*n set), NULL when memory is short. */
static char **paths_expand(const char *const *paths, size_t n_paths, size_t *n)
{
    size_t cap = 1;
    for (size_t i = 0; i < n_paths; i++) {
        cap++;
        for (const char *p = paths[i]; *p; p++)
            cap += *p == '/';
    }
    char **all = calloc(cap, sizeof(*all));
    size_t k = 0;
    if (all == NULL || (all[k++] = strdup("")) == NULL)
        goto fail;
    for (size_t i = 0; i < n_paths; i++) {
        const char *p = paths[i] ? paths[i] : "";
        for (const char *s = p; *p; s++) {
            if (*s != '/' && *s != '\0')
                continue;
            if ((all[k++] = strndup(p, (size_t)(s - p))) == NULL)
                goto fail;
            if (*s == '\0')
                break;
        }
    }
    qsort(all, k, sizeof(*all), path_cmp);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u > 0 && strcmp(all[u - 1], all[i]) == 0)
            free(all[i]);
        else
            all[u++] = all[i];
    }
    *n = u;
    return all;
fail:
    for (size_t i = 0; all != NULL && i < k; i++)
        free(all[i]);
    free(all);
    return NULL;
}

/* The groups of paths, their names and parents. */
static int groups_make(mgr_group *g, const char *const *paths, size_t n_paths)
{
    size_t n;
    char **all = paths_expand(paths, n_paths, &n);
    if (all == NULL)
        return -1;
    g->groups = calloc(n, sizeof(*g->groups));
    if (g->groups == NULL) {
        for (size_t i = 0; i < n; i++)
            free(all[i]);
        free(all);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        g->groups[i].path = all[i];
    free(all);
    g->n_groups = n;
    for (size_t i = 0; i < n; i++) {
        ggroup *x = &g->groups[i];
        const char *res = x->path[0] ? x->path : MGR_GROUP_TOP;
        size_t len = strlen(MGR_GROUP_HOST_PREFIX) + strlen(res) + 1;
        x->resource = strdup(res);
        x->host = malloc(len);
        if (x->resource == NULL || x->host == NULL)
            return -1;
        snprintf(x->host, len, "%s%s", MGR_GROUP_HOST_PREFIX, res);
        x->parent = NO_PARENT;
        if (x->path[0] == '\0')
            continue;
        /* The level above: the path up to its last '/', or the top level. */
        const char *slash = strrchr(x->path, '/');
        size_t plen = slash ? (size_t)(slash - x->path) : 0;
        char *up = strndup(x->path, plen);
        if (up == NULL)
            return -1;
        x->parent = group_find(g, up);
        free(up);
    }
    return 0;
}

/* The watched group.* metrics among metrics and their base metrics' slots. */
static int metrics_make(mgr_group *g, const char *const *metrics, size_t n_metrics)
{
    size_t slot_of[MGR_RES__COUNT][MGR_METRIC_MAX];
    memset(slot_of, 0xff, sizeof(slot_of));
    g->up_slot = SIZE_MAX;
    g->metrics = calloc(n_metrics + 1, sizeof(*g->metrics));
    if (g->metrics == NULL)
        return -1;
    for (size_t i = 0; i < n_metrics; i++) {
        mgr_res_kind kind;
        size_t index;
        mgr_group_fn fn;
        char why[160];
        int repeat = 0;
        if (mgr_group_metric_parse(metrics[i], &kind, &index, &fn, why, sizeof(why)) < 0)
            continue;
        for (size_t k = 0; k < g->n_metrics && !repeat; k++)
            repeat = strcmp(g->metrics[k].name, metrics[i]) == 0;
        if (repeat)
            continue;
        if (slot_of[kind][index] == SIZE_MAX) {
            size_t s = g->n_slots++;
            slot_of[kind][index] = s;
            g->slot_index[s] = index;
            g->kind_slots[kind][g->n_kind_slots[kind]++] = s;
            if (kind == MGR_RES_HOST && index == MGR_H_UP)
                g->up_slot = s;
        }
        gmetric *m = &g->metrics[g->n_metrics];
        if ((m->name = strdup(metrics[i])) == NULL)
            return -1;
        m->slot = slot_of[kind][index];
        m->fn = fn;
        g->n_metrics++;
    }
    return 0;
}

mgr_group *mgr_group_new(const char *const *metrics, size_t n_metrics, const char *const *paths,
                         size_t n_paths)
{
    mgr_group *g = calloc(1, sizeof(*g));
    if (g == NULL || metrics_make(g, metrics, n_metrics) < 0)
        goto fail;
    if (g->n_metrics == 0)
        return g; /* nothing watched: no group either */
    if (groups_make(g, paths, n_paths) < 0)
        goto fail;
    g->acc = calloc(g->n_groups * g->n_slots, sizeof(*g->acc));
    g->names = calloc(g->n_metrics, sizeof(*g->names));
    g->values = calloc(g->n_metrics, sizeof(*g->values));
    if (g->acc == NULL || g->names == NULL || g->values == NULL)
        goto fail;
    for (size_t m = 0; m < g->n_metrics; m++)
        g->names[m] = g->metrics[m].name;
    return g;
fail:
    mgr_group_free(g);
    return NULL;
}

size_t mgr_group_count(const mgr_group *g)
{
    return g != NULL ? g->n_groups : 0;
}

const char *mgr_group_path(const mgr_group *g, size_t i)
{
    return g->groups[i].path;
}

const char *mgr_group_host(const mgr_group *g, size_t i)
{
    return g->groups[i].host;
}

int mgr_group_has_host(const mgr_group *g, const char *host)
{
    size_t plen = strlen(MGR_GROUP_HOST_PREFIX);
    if (g == NULL || strncmp(host, MGR_GROUP_HOST_PREFIX, plen) != 0)
        return 0;
    const char *path = strcmp(host + plen, MGR_GROUP_TOP) == 0 ? "" : host + plen;
    return group_find(g, path) != NO_PARENT;
}

/* ---------------------------------------------------------------- the cycle */

/* Count value in slot of group gi and of every group above it. */
static void chain_add(mgr_group *g, size_t gi, size_t slot, double value)
{
    for (size_t x = gi; x != NO_PARENT; x = g->groups[x].parent) {
        gacc *a = &g->acc[x * g->n_slots + slot];
        a->sum += value;
        if (a->n == 0 || value > a->max)
            a->max = value;
        a->n++;
    }
}

void mgr_group_add(mgr_group *g, const char *group_path, const mgr_result *r)
{
    if (g == NULL || g->n_metrics == 0)
        return;
    size_t gi = group_find(g, group_path ? group_path : "");
    if (gi == NO_PARENT)
        return;
    for (size_t x = gi; x != NO_PARENT; x = g->groups[x].parent)
        g->groups[x].seen = 1;
    int up = r->ok && r->n_res > 0 && r->res[0].v[MGR_H_UP] == 1;
    if (!up) {
        if (g->up_slot != SIZE_MAX)
            chain_add(g, gi, g->up_slot, 0);
        return;
    }
    for (size_t i = 0; i < r->n_res; i++) {
        const mgr_resource *x = &r->res[i];
        if ((unsigned)x->kind >= MGR_RES__COUNT)
            continue;
        for (size_t k = 0; k < g->n_kind_slots[x->kind]; k++) {
            size_t s = g->kind_slots[x->kind][k];
            double v = x->v[g->slot_index[s]];
            if (!isnan(v))
                chain_add(g, gi, s, v);
        }
    }
}

/* One aggregate: NaN when nothing was known. */
static double acc_value(const gacc *a, mgr_group_fn fn)
{
    if (a->n == 0)
        return NAN;
    switch (fn) {
    case MGR_GROUP_AVG:
        return a->sum / (double)a->n;
    case MGR_GROUP_MAX:
        return a->max;
    case MGR_GROUP_SUM:
        break;
    }
    return a->sum;
}

void mgr_group_end(mgr_group *g, mgr_group_emit_fn emit, void *ctx)
{
    if (g == NULL || g->n_metrics == 0)
        return;
    for (size_t i = 0; i < g->n_groups; i++) {
        ggroup *x = &g->groups[i];
        if (!x->seen)
            continue;
        for (size_t m = 0; m < g->n_metrics; m++) {
            const gmetric *gm = &g->metrics[m];
            g->values[m] = acc_value(&g->acc[i * g->n_slots + gm->slot], gm->fn);
        }
        emit(ctx, x->host, x->path, x->resource, g->names, g->values, g->n_metrics);
        x->seen = 0;
    }
    memset(g->acc, 0, g->n_groups * g->n_slots * sizeof(*g->acc));
}

void mgr_group_free(mgr_group *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n_metrics; i++)
        free(g->metrics[i].name);
    free(g->metrics);
    for (size_t i = 0; g->groups != NULL && i < g->n_groups; i++) {
        free(g->groups[i].path);
        free(g->groups[i].host);
        free(g->groups[i].resource);
    }
    free(g->groups);
    free(g->acc);
    free(g->names);
    free(g->values);
    free(g);
}
