/* mgr_metric: the metric tables of each resource kind and the poll result container. */
#include <config.h>

#include "mgr_metric.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mgr_metric_def host_defs[MGR_H__COUNT] = {
    [MGR_H_UP] = { "host.up", "up", 0, 1 },
    [MGR_H_CPU_UTIL] = { "host.cpu.util", "cpu_util", 0, 100 },
    [MGR_H_LOAD] = { "host.load", "load", 0, NAN },
    [MGR_H_MEM_TOTAL] = { "host.mem.total", "mem_total", 0, NAN },
    [MGR_H_MEM_USED] = { "host.mem.used", "mem_used", 0, NAN },
    [MGR_H_MEM_USED_PCT] = { "host.mem.used.pct", "mem_used_pct", 0, 100 },
    [MGR_H_SWAP_USED_PCT] = { "host.swap.used.pct", "swap_used_pct", 0, 100 },
    [MGR_H_USERS] = { "host.users", "users", 0, NAN },
    [MGR_H_PROCESSES] = { "host.processes", "processes", 0, NAN },
    [MGR_H_VM_COUNT] = { "host.vm.count", "vm_count", 0, NAN },
    [MGR_H_VM_RUNNING] = { "host.vm.running", "vm_running", 0, NAN },
};

static const mgr_metric_def vm_defs[MGR_V__COUNT] = {
    [MGR_V_STATE] = { "vm.state", "state", 1, 12 },
    [MGR_V_CPU_UTIL] = { "vm.cpu.util", "cpu_util", 0, NAN },
    [MGR_V_CPU_TIME] = { "vm.cpu.time", "cpu_time", 0, NAN },
    [MGR_V_MEM_USED] = { "vm.mem.used", "mem_used", 0, NAN },
    [MGR_V_MEM_USED_PCT] = { "vm.mem.used.pct", "mem_used_pct", 0, 100 },
    [MGR_V_DISK_RD_BPS] = { "vm.disk.rd.bps", "disk_rd_bps", 0, NAN },
    [MGR_V_DISK_WR_BPS] = { "vm.disk.wr.bps", "disk_wr_bps", 0, NAN },
    [MGR_V_DISK_IOPS] = { "vm.disk.iops", "disk_iops", 0, NAN },
    [MGR_V_NET_RX_BPS] = { "vm.net.rx.bps", "net_rx_bps", 0, NAN },
    [MGR_V_NET_TX_BPS] = { "vm.net.tx.bps", "net_tx_bps", 0, NAN },
};

static const mgr_metric_def if_defs[MGR_I__COUNT] = {
    [MGR_I_RX_BPS] = { "host.net.rx.bps", "rx_bps", 0, NAN },
    [MGR_I_TX_BPS] = { "host.net.tx.bps", "tx_bps", 0, NAN },
    [MGR_I_ERRORS] = { "host.net.errors", "errors", 0, NAN },
};

static const mgr_metric_def fs_defs[MGR_F__COUNT] = {
    [MGR_F_USED_PCT] = { "host.disk.used.pct", "used_pct", 0, 100 },
};

const mgr_metric_def *mgr_metric_defs(mgr_res_kind kind, size_t *n)
{
    switch (kind) {
    case MGR_RES_HOST:
        *n = MGR_H__COUNT;
        return host_defs;
    case MGR_RES_VM:
        *n = MGR_V__COUNT;
        return vm_defs;
    case MGR_RES_IF:
        *n = MGR_I__COUNT;
        return if_defs;
    case MGR_RES_FS:
    case MGR_RES__COUNT:
        break;
    }
    *n = MGR_F__COUNT;
    return fs_defs;
}

const char *mgr_res_kind_name(mgr_res_kind kind)
{
    static const char *const names[MGR_RES__COUNT] = { "host", "vm", "if", "fs" };
    return (unsigned)kind < MGR_RES__COUNT ? names[kind] : "?";
}

mgr_result *mgr_result_new(const char *host, mgr_source source)
{
    mgr_result *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->source = source;
    r->ok = 1;
    r->host = strdup(host);
    if (!r->host || !mgr_result_add(r, MGR_RES_HOST, host, NULL)) {
        mgr_result_free(r);
        return NULL;
    }
    return r;
}

mgr_resource *mgr_result_add(mgr_result *r, mgr_res_kind kind, const char *id, const char *label)
{
    if (r->n_res == r->cap_res) {
        size_t cap = r->cap_res ? r->cap_res * 2 : 8;
        mgr_resource *res = realloc(r->res, cap * sizeof(*res));
        if (!res)
            return NULL;
        r->res = res;
        r->cap_res = cap;
    }
    mgr_resource *x = &r->res[r->n_res];
    x->kind = kind;
    x->id = strdup(id);
    x->label = label ? strdup(label) : NULL;
    if (!x->id || (label && !x->label)) {
        free(x->id);
        free(x->label);
        return NULL;
    }
    for (size_t i = 0; i < MGR_METRIC_MAX; i++)
        x->v[i] = NAN;
    r->n_res++;
    return x;
}

void mgr_result_fail(mgr_result *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    free(r->error);
    r->error = strdup(msg);
    r->ok = 0;
}

void mgr_result_free(mgr_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_res; i++) {
        free(r->res[i].id);
        free(r->res[i].label);
    }
    free(r->res);
    free(r->host);
    free(r->error);
    free(r);
}
