/* sa_host: the hypervisor row of a sample: node information and statistics from libvirt,
 * and the host's identity, read once per connection. */
#include "config.h"

#include "sa_host.h"

#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_domxml.h"
#include "vs_log.h"

/* "major.minor.release" of a libvirt version number, malloc'd. */
static char *version_text(unsigned long v)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
    return strdup(buf);
}

/* Read the host's identity once per connection; what fails stays empty (logged at debug). */
static void host_identity(sa_host *sp, virConnectPtr conn, const char *nodeinfo_model)
{
    unsigned long v;

    if (sp->have_identity)
        return;
    sp->hostname = virConnectGetHostname(conn);
    const char *type = virConnectGetType(conn);
    sp->driver = type != NULL ? strdup(type) : NULL;
    if (virConnectGetVersion(conn, &v) == 0)
        sp->driver_version = version_text(v);
    if (virConnectGetLibVersion(conn, &v) == 0)
        sp->libvirt_version = version_text(v);
    char *caps = virConnectGetCapabilities(conn);
    if (caps != NULL)
        sp->cpu_model = sa_domxml_caps_cpu_model(caps, strlen(caps));
    free(caps);
    if (sp->cpu_model == NULL || sp->cpu_model[0] == '\0') {
        free(sp->cpu_model);
        sp->cpu_model = strdup(nodeinfo_model);
    }
    if (!sp->hostname || !sp->driver || !sp->driver_version || !sp->libvirt_version)
        VS_LOG(VS_LOG_DEBUG, sp->log_target, "some identity of the hypervisor is unknown: %s",
               virGetLastErrorMessage());
    sp->have_identity = 1;
}

/* Whether the last error says the driver lacks the call; logs other errors at debug. */
static int unsupported(const sa_host *h, const char *call)
{
    if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT)
        return 1;
    VS_LOG(VS_LOG_DEBUG, h->log_target, "%s: %s", call, virGetLastErrorMessage());
    return 0;
}

/* Host CPU times and, against the previous sample, vsHvCpuUtil. */
static void host_cpu(sa_host *h, virConnectPtr conn, const sa_snapshot *p, sa_snapshot *s)
{
    int n = 0;

    if (h->no_cpu_stats)
        return;
    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) < 0) {
        h->no_cpu_stats = unsupported(h, "virNodeGetCPUStats");
        return;
    }
    virNodeCPUStatsPtr st = n > 0 ? calloc((size_t)n, sizeof(*st)) : NULL;
    if (st == NULL || virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, st, &n, 0) < 0) {
        if (st != NULL)
            unsupported(h, "virNodeGetCPUStats");
        free(st);
        return;
    }
    uint64_t total = 0, idle = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(st[i].field, VIR_NODE_CPU_STATS_UTILIZATION) == 0)
            continue;
        total += st[i].value;
        if (strcmp(st[i].field, VIR_NODE_CPU_STATS_IDLE) == 0
            || strcmp(st[i].field, VIR_NODE_CPU_STATS_IOWAIT) == 0)
            idle += st[i].value;
    }
    free(st);
    s->node_cpu_total_ns = total;
    s->node_cpu_busy_ns = total - idle;
    s->has_node_cpu_raw = 1;
    if (p != NULL && p->has_node_cpu_raw && total > p->node_cpu_total_ns
        && s->node_cpu_busy_ns >= p->node_cpu_busy_ns) {
        double u = (double)(s->node_cpu_busy_ns - p->node_cpu_busy_ns) * 10000.0
                   / (double)(total - p->node_cpu_total_ns);
        s->cpu_util = u > 10000.0 ? 10000 : (uint32_t)(u + 0.5);
        s->has |= SA_HV_HAS_CPU_UTIL;
    }
}

/* Host memory total, free and vsHvMemUtil from virNodeGetMemoryStats, when supported. */
static void host_mem(sa_host *h, virConnectPtr conn, sa_snapshot *s)
{
    int n = 0;
    const int all = VIR_NODE_MEMORY_STATS_ALL_CELLS;

    if (h->no_mem_stats)
        return;
    if (virNodeGetMemoryStats(conn, all, NULL, &n, 0) < 0) {
        h->no_mem_stats = unsupported(h, "virNodeGetMemoryStats");
        return;
    }
    virNodeMemoryStatsPtr st = n > 0 ? calloc((size_t)n, sizeof(*st)) : NULL;
    if (st == NULL || virNodeGetMemoryStats(conn, all, st, &n, 0) < 0) {
        if (st != NULL)
            unsupported(h, "virNodeGetMemoryStats");
        free(st);
        return;
    }
    uint64_t total = 0, free_kib = 0, used_not = 0;
    int has_total = 0, has_free = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(st[i].field, VIR_NODE_MEMORY_STATS_TOTAL) == 0) {
            total = st[i].value;
            has_total = 1;
        } else if (strcmp(st[i].field, VIR_NODE_MEMORY_STATS_FREE) == 0) {
            free_kib = st[i].value;
            has_free = 1;
        } else if (strcmp(st[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0
                   || strcmp(st[i].field, VIR_NODE_MEMORY_STATS_CACHED) == 0) {
            used_not += st[i].value;
        }
    }
    free(st);
    if (has_total)
        s->mem_total = total * 1024;
    if (has_free) {
        s->mem_free = free_kib * 1024;
        s->has |= SA_HV_HAS_MEM_FREE;
    }
    if (has_total && has_free && total > 0) {
        uint64_t unused = free_kib + used_not;
        uint64_t used = unused < total ? total - unused : 0;
        s->mem_util = (uint32_t)((used * 10000 + total / 2) / total);
        s->has |= SA_HV_HAS_MEM_UTIL;
    }
}

void sa_host_init(sa_host *h, const char *log_target)
{
    memset(h, 0, sizeof(*h));
    h->log_target = log_target;
}

void sa_host_reset(sa_host *h)
{
    if (h == NULL)
        return;
    free(h->hostname);
    free(h->driver);
    free(h->driver_version);
    free(h->libvirt_version);
    free(h->cpu_model);
    sa_host_init(h, h->log_target);
}

int sa_host_sample(sa_host *h, virConnectPtr conn, const sa_snapshot *prev, sa_snapshot *s,
                   char *err, size_t err_size)
{
    virNodeInfo ni;

    if (virNodeGetInfo(conn, &ni) < 0) {
        snprintf(err, err_size, "virNodeGetInfo: %s", virGetLastErrorMessage());
        return -1;
    }
    s->cpu_count = ni.cpus;
    s->has |= SA_HV_HAS_CPU_COUNT;
    if (ni.mhz > 0) {
        s->cpu_mhz = ni.mhz;
        s->has |= SA_HV_HAS_CPU_MHZ;
    }
    s->mem_total = (uint64_t)ni.memory * 1024;
    s->has |= SA_HV_HAS_MEM_TOTAL;
    host_cpu(h, conn, prev, s);
    host_mem(h, conn, s);
    char model[sizeof(ni.model) + 1];
    memcpy(model, ni.model, sizeof(ni.model));
    model[sizeof(ni.model)] = '\0';
    host_identity(h, conn, model);
    s->hostname = vs_arena_strdup(&s->arena, h->hostname);
    s->driver = vs_arena_strdup(&s->arena, h->driver);
    s->driver_version = vs_arena_strdup(&s->arena, h->driver_version);
    s->libvirt_version = vs_arena_strdup(&s->arena, h->libvirt_version);
    s->cpu_model = vs_arena_strdup(&s->arena, h->cpu_model);
    if (!s->hostname || !s->driver || !s->driver_version || !s->libvirt_version || !s->cpu_model) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    return 0;
}
