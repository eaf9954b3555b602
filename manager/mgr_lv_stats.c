/* mgr_lv_stats: the libvirt poller's pure arithmetic: bulk-stats records summed over devices,
 * VM metrics with counter discontinuities, node CPU and memory figures, URI credentials. */
#include <config.h>

#include "mgr_lv_stats.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_metric.h"
#include "vs_vmstate.h"

/* Per-device counters, in the order of dev_fields below. */
enum { C_RD_BYTES = 0, C_WR_BYTES, C_RD_REQS, C_WR_REQS, C_RX_BYTES, C_TX_BYTES, C__COUNT };

static const struct {
    const char *prefix; /* "block." or "net." */
    const char *suffix; /* after "<index>." */
} dev_fields[C__COUNT] = {
    [C_RD_BYTES] = { "block.", "rd.bytes" }, [C_WR_BYTES] = { "block.", "wr.bytes" },
    [C_RD_REQS] = { "block.", "rd.reqs" },   [C_WR_REQS] = { "block.", "wr.reqs" },
    [C_RX_BYTES] = { "net.", "rx.bytes" },   [C_TX_BYTES] = { "net.", "tx.bytes" },
};

/* What one record's device parameters added up to. */
typedef struct {
    uint64_t total[C__COUNT];
    unsigned long seen[C__COUNT]; /* devices that gave the counter */
    long block_count, net_count;  /* -1 when the record does not say */
    uint64_t sig;                 /* FNV-1a over the device names and counts */
} dev_acc;

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

static uint64_t fnv_add(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* A parameter's value as an unsigned 64-bit number. 0, or -1 for another type or a negative
 * value. */
static int par_u64(const virTypedParameter *p, uint64_t *out)
{
    switch (p->type) {
    case VIR_TYPED_PARAM_UINT:
        *out = p->value.ui;
        return 0;
    case VIR_TYPED_PARAM_ULLONG:
        *out = p->value.ul;
        return 0;
    case VIR_TYPED_PARAM_INT:
        if (p->value.i < 0)
            return -1;
        *out = (uint64_t)p->value.i;
        return 0;
    case VIR_TYPED_PARAM_LLONG:
        if (p->value.l < 0)
            return -1;
        *out = (uint64_t)p->value.l;
        return 0;
    default:
        return -1;
    }
}

/* The rest of field after "<prefix><digits>.", or NULL when field is not a device field of
 * that prefix. */
static const char *dev_rest(const char *field, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(field, prefix, n) != 0)
        return NULL;
    const char *p = field + n;
    const char *digits = p;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == digits || *p != '.')
        return NULL;
    return p + 1;
}

/* Add one device parameter (block.N.* or net.N.*) to acc; ignores the others. */
static void dev_add(dev_acc *acc, const virTypedParameter *p)
{
    const char *f = p->field;
    uint64_t v = 0;

    if (strcmp(f, "block.count") == 0 || strcmp(f, "net.count") == 0) {
        if (par_u64(p, &v) == 0 && v < (uint64_t)0x7fffffff)
            *(f[0] == 'b' ? &acc->block_count : &acc->net_count) = (long)v;
        acc->sig = fnv_add(acc->sig, f, strlen(f));
        acc->sig = fnv_add(acc->sig, &v, sizeof(v));
        return;
    }
    const char *rest = dev_rest(f, "block.");
    if (rest == NULL)
        rest = dev_rest(f, "net.");
    if (rest == NULL)
        return;
    if (strcmp(rest, "name") == 0 && p->type == VIR_TYPED_PARAM_STRING && p->value.s != NULL) {
        acc->sig = fnv_add(acc->sig, f, strlen(f) + 1);
        acc->sig = fnv_add(acc->sig, p->value.s, strlen(p->value.s) + 1);
        return;
    }
    for (int k = 0; k < C__COUNT; k++) {
        if (strcmp(rest, dev_fields[k].suffix) == 0 && dev_rest(f, dev_fields[k].prefix) != NULL
            && par_u64(p, &v) == 0) {
            acc->total[k] += v;
            acc->seen[k]++;
            return;
        }
    }
}

/* Whether every one of count devices gave counter k. */
static int dev_complete(const dev_acc *acc, int k, long count)
{
    return count >= 0 && acc->seen[k] == (unsigned long)count;
}

/* Move the device sums of acc into d. */
static void dev_finish(const dev_acc *acc, mgr_lv_dom *d)
{
    static const struct {
        int sum, a, b; /* sum = counter a (+ counter b when b >= 0) */
    } map[MGR_LV_SUM__COUNT] = {
        { MGR_LV_SUM_RD_BYTES, C_RD_BYTES, -1 },   { MGR_LV_SUM_WR_BYTES, C_WR_BYTES, -1 },
        { MGR_LV_SUM_REQS, C_RD_REQS, C_WR_REQS }, { MGR_LV_SUM_RX_BYTES, C_RX_BYTES, -1 },
        { MGR_LV_SUM_TX_BYTES, C_TX_BYTES, -1 },
    };
    for (int i = 0; i < MGR_LV_SUM__COUNT; i++) {
        long count = map[i].a <= C_WR_REQS ? acc->block_count : acc->net_count;
        if (!dev_complete(acc, map[i].a, count)
            || (map[i].b >= 0 && !dev_complete(acc, map[i].b, count)))
            continue;
        d->sum[map[i].sum] = acc->total[map[i].a] + (map[i].b >= 0 ? acc->total[map[i].b] : 0);
        d->has |= (unsigned)MGR_LV_HAS_SUM0 << map[i].sum;
    }
    /* Which counters were there is part of the fingerprint: a counter that appears or goes
     * away changes a sum as much as a device does. */
    d->dev_sig = fnv_add(acc->sig, acc->seen, sizeof(acc->seen));
}

/* Read a balloon.* or cpu.time parameter into d; ignores the others. */
static void dom_add_scalar(mgr_lv_dom *d, const virTypedParameter *p)
{
    static const struct {
        const char *field;
        unsigned bit;
        size_t off;
    } scalars[] = {
        { "cpu.time", MGR_LV_HAS_CPU, offsetof(mgr_lv_dom, cpu_ns) },
        { "balloon.current", MGR_LV_HAS_BAL_CURRENT, offsetof(mgr_lv_dom, bal_current) },
        { "balloon.unused", MGR_LV_HAS_BAL_UNUSED, offsetof(mgr_lv_dom, bal_unused) },
        { "balloon.available", MGR_LV_HAS_BAL_AVAILABLE, offsetof(mgr_lv_dom, bal_available) },
        { "balloon.usable", MGR_LV_HAS_BAL_USABLE, offsetof(mgr_lv_dom, bal_usable) },
        { "balloon.rss", MGR_LV_HAS_BAL_RSS, offsetof(mgr_lv_dom, bal_rss) },
    };
    for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
        uint64_t v;
        if (strcmp(p->field, scalars[i].field) == 0 && par_u64(p, &v) == 0) {
            memcpy((char *)d + scalars[i].off, &v, sizeof(v));
            d->has |= scalars[i].bit;
            return;
        }
    }
}

void mgr_lv_dom_parse(const virTypedParameter *par, int npar, mgr_lv_dom *d)
{
    dev_acc acc;
    int have_state = 0, have_reason = 0;

    memset(d, 0, sizeof(*d));
    memset(&acc, 0, sizeof(acc));
    acc.block_count = acc.net_count = -1;
    acc.sig = FNV_OFFSET;
    for (int i = 0; i < npar; i++) {
        const virTypedParameter *p = &par[i];
        if (strcmp(p->field, "state.state") == 0 && p->type == VIR_TYPED_PARAM_INT) {
            d->state = p->value.i;
            have_state = 1;
        } else if (strcmp(p->field, "state.reason") == 0 && p->type == VIR_TYPED_PARAM_INT) {
            d->reason = p->value.i;
            have_reason = 1;
        } else if (p->field[0] == 'b' && strncmp(p->field, "block.", 6) == 0) {
            dev_add(&acc, p);
        } else if (p->field[0] == 'n' && strncmp(p->field, "net.", 4) == 0) {
            dev_add(&acc, p);
        } else {
            dom_add_scalar(d, p);
        }
    }
    if (have_state) {
        d->has |= MGR_LV_HAS_STATE;
        if (!have_reason)
            d->reason = 0;
    }
    dev_finish(&acc, d);
}

void mgr_lv_vmtrack_init(mgr_lv_vmtrack *t, const char *uuid)
{
    memset(t, 0, sizeof(*t));
    size_t n = strlen(uuid);
    if (n >= sizeof(t->uuid))
        n = sizeof(t->uuid) - 1;
    memcpy(t->uuid, uuid, n);
    t->uuid[n] = '\0';
    t->dom_id = -1;
}

/* The memory the VM uses, in bytes, or NAN. The guest's own view comes first, as host.mem.used
 * counts it: balloon.available - balloon.usable (what the guest could not hand out without
 * swapping, so its page cache does not count), else available or current minus
 * balloon.unused (free pages; cache counts as used). Without a balloon driver in the guest,
 * balloon.rss, the resident size of the VM's process on the host (which includes the
 * hypervisor's own overhead). */
static double vm_mem_used(const mgr_lv_dom *d)
{
    uint64_t kib;
    unsigned h = d->has;

    if ((h & MGR_LV_HAS_BAL_AVAILABLE) && (h & MGR_LV_HAS_BAL_USABLE)
        && d->bal_available >= d->bal_usable)
        kib = d->bal_available - d->bal_usable;
    else if ((h & MGR_LV_HAS_BAL_AVAILABLE) && (h & MGR_LV_HAS_BAL_UNUSED)
             && d->bal_available >= d->bal_unused)
        kib = d->bal_available - d->bal_unused;
    else if ((h & MGR_LV_HAS_BAL_CURRENT) && (h & MGR_LV_HAS_BAL_UNUSED)
             && d->bal_current >= d->bal_unused)
        kib = d->bal_current - d->bal_unused;
    else if (h & MGR_LV_HAS_BAL_RSS)
        kib = d->bal_rss;
    else
        return NAN;
    return (double)kib * 1024.0;
}

/* The rates of the VM's counters into v. */
static void vm_rates(mgr_lv_vmtrack *t, const mgr_lv_dom *d, double now, double *v)
{
    static const int metric[MGR_LV_SUM__COUNT] = {
        [MGR_LV_SUM_RD_BYTES] = MGR_V_DISK_RD_BPS, [MGR_LV_SUM_WR_BYTES] = MGR_V_DISK_WR_BPS,
        [MGR_LV_SUM_REQS] = MGR_V_DISK_IOPS,       [MGR_LV_SUM_RX_BYTES] = MGR_V_NET_RX_BPS,
        [MGR_LV_SUM_TX_BYTES] = MGR_V_NET_TX_BPS,
    };
    double rate;

    if ((d->has & MGR_LV_HAS_CPU)
        && mgr_counter_update(&t->cpu, d->cpu_ns, now, 64, t->epoch, 0, &rate) == 0)
        v[MGR_V_CPU_UTIL] = rate / 1e7; /* ns per s -> percent of one CPU */
    for (int k = 0; k < MGR_LV_SUM__COUNT; k++) {
        if (!(d->has & ((unsigned)MGR_LV_HAS_SUM0 << k)))
            continue;
        if (mgr_counter_update(&t->sum[k], d->sum[k], now, 64, t->epoch, 0, &rate) < 0)
            continue;
        int net = k == MGR_LV_SUM_RX_BYTES || k == MGR_LV_SUM_TX_BYTES;
        v[metric[k]] = net ? rate * 8.0 : rate;
    }
}

void mgr_lv_vm_metrics(mgr_lv_vmtrack *t, const mgr_lv_dom *d, int dom_id, int managed_save,
                       double now, double *v)
{
    vs_vm_facts f = { d->state, d->reason, dom_id >= 0, 0, managed_save };

    for (int i = 0; i < MGR_V__COUNT; i++)
        v[i] = NAN;
    if (d->has & MGR_LV_HAS_STATE)
        v[MGR_V_STATE] = vs_vm_oper_state(&f);
    /* A new instance (another domain ID), a device plugged in or out, or a VM seen without an
     * instance: the counters may have restarted or changed meaning. */
    int active = dom_id >= 0 && !((d->has & MGR_LV_HAS_STATE) && d->state == VIR_DOMAIN_SHUTOFF);
    if (!t->known || t->dom_id != dom_id || t->sig != d->dev_sig || !active)
        t->epoch++;
    t->known = 1;
    t->dom_id = dom_id;
    t->sig = d->dev_sig;
    if (d->has & MGR_LV_HAS_CPU)
        v[MGR_V_CPU_TIME] = (double)d->cpu_ns / 1e9;
    if (active)
        vm_rates(t, d, now, v);
    double used = vm_mem_used(d);
    if (!active || isnan(used))
        return;
    v[MGR_V_MEM_USED] = used;
    if ((d->has & MGR_LV_HAS_BAL_CURRENT) && d->bal_current > 0) {
        double pct = 100.0 * used / ((double)d->bal_current * 1024.0);
        v[MGR_V_MEM_USED_PCT] = pct > 100.0 ? 100.0 : pct;
    }
}

double mgr_lv_host_cpu_util(mgr_lv_cpu *c, const virNodeCPUStats *st, int n, double now)
{
    uint64_t busy = 0, idle = 0;
    int any = 0;

    for (int i = 0; i < n; i++) {
        const char *f = st[i].field;
        if (strcmp(f, VIR_NODE_CPU_STATS_UTILIZATION) == 0) {
            double u = (double)st[i].value;
            return u > 100.0 ? 100.0 : u;
        }
        if (strcmp(f, VIR_NODE_CPU_STATS_IDLE) == 0 || strcmp(f, VIR_NODE_CPU_STATS_IOWAIT) == 0) {
            idle += st[i].value;
            any = 1;
        } else if (strcmp(f, VIR_NODE_CPU_STATS_KERNEL) == 0
                   || strcmp(f, VIR_NODE_CPU_STATS_USER) == 0
                   || strcmp(f, VIR_NODE_CPU_STATS_INTR) == 0) {
            busy += st[i].value;
            any = 1;
        }
    }
    if (!any)
        return NAN;
    double r_busy = 0, r_total = 0;
    int a = mgr_counter_update(&c->busy, busy, now, 64, 0, 0, &r_busy);
    int b = mgr_counter_update(&c->total, busy + idle, now, 64, 0, 0, &r_total);
    if (a < 0 || b < 0 || !(r_total > 0))
        return NAN;
    double u = 100.0 * r_busy / r_total;
    return u > 100.0 ? 100.0 : u;
}

void mgr_lv_host_mem(const virNodeMemoryStats *st, int n, unsigned long long info_kib,
                     double *total, double *used, double *pct)
{
    unsigned long long tot = 0, free_kib = 0, buffers = 0, cached = 0;
    int has_total = 0, has_free = 0;

    for (int i = 0; i < n; i++) {
        const char *f = st[i].field;
        if (strcmp(f, VIR_NODE_MEMORY_STATS_TOTAL) == 0) {
            tot = st[i].value;
            has_total = 1;
        } else if (strcmp(f, VIR_NODE_MEMORY_STATS_FREE) == 0) {
            free_kib = st[i].value;
            has_free = 1;
        } else if (strcmp(f, VIR_NODE_MEMORY_STATS_BUFFERS) == 0) {
            buffers = st[i].value;
        } else if (strcmp(f, VIR_NODE_MEMORY_STATS_CACHED) == 0) {
            cached = st[i].value;
        }
    }
    *total = *used = *pct = NAN;
    if (!has_total || tot == 0) {
        has_total = info_kib > 0;
        tot = info_kib;
        has_free = 0; /* free figures without their total do not add up */
    }
    if (!has_total)
        return;
    *total = (double)tot * 1024.0;
    if (!has_free)
        return;
    unsigned long long spare = free_kib + buffers + cached;
    unsigned long long u = spare < tot ? tot - spare : 0;
    *used = (double)u * 1024.0;
    *pct = 100.0 * (double)u / (double)tot;
}

/* A malloc'd copy of the n bytes at s, or NULL. */
static char *copy_n(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (c != NULL) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

/* A malloc'd copy of uri without its bytes [from, to). */
static char *copy_cut(const char *uri, size_t from, size_t to)
{
    size_t len = strlen(uri);
    char *c = malloc(len - (to - from) + 1);
    if (c != NULL) {
        memcpy(c, uri, from);
        memcpy(c + from, uri + to, len - to + 1);
    }
    return c;
}

int mgr_lv_uri_split(const char *uri, char **connect_uri, char **user, char **password)
{
    const char *sep = strstr(uri, "://");
    const char *auth = sep != NULL ? sep + 3 : NULL;
    const char *end = auth != NULL ? auth + strcspn(auth, "/?#") : NULL;
    const char *at = NULL;

    for (const char *q = auth; q != NULL && q < end; q++)
        if (*q == '@')
            at = q; /* the last one: a password may hold an '@' */
    *connect_uri = *user = *password = NULL;
    if (at == NULL) {
        *connect_uri = strdup(uri);
        return *connect_uri != NULL ? 0 : -1;
    }
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    const char *user_end = colon != NULL ? colon : at;
    size_t a = (size_t)(auth - uri), c = (size_t)(user_end - uri), t = (size_t)(at - uri);
    char *cu = user_end == auth ? copy_cut(uri, a, t + 1) : copy_cut(uri, c, t);
    char *u = user_end > auth ? copy_n(auth, (size_t)(user_end - auth)) : NULL;
    char *p = colon != NULL ? copy_n(colon + 1, (size_t)(at - colon - 1)) : NULL;
    if (cu == NULL || (user_end > auth && u == NULL) || (colon != NULL && p == NULL)) {
        free(cu);
        free(u);
        free(p);
        return -1;
    }
    *connect_uri = cu;
    *user = u;
    *password = p;
    return 0;
}
