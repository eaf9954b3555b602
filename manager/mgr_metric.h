/* mgr_metric: the manager's resources (host, VM, interface, file system), their metrics, and
 * the poll result that carries one source's samples of one host from a poller to the core. */
#ifndef MGR_METRIC_H
#define MGR_METRIC_H

#include <stddef.h>

/* Kinds of resource; each has a fixed list of metrics and its own RRD file. */
typedef enum {
    MGR_RES_HOST = 0, /* the host itself: host.rrd */
    MGR_RES_VM,       /* a VM, identified by UUID: vm-<uuid>.rrd */
    MGR_RES_IF,       /* a network interface, identified by name: if-<name>.rrd */
    MGR_RES_FS,       /* a file system, identified by mount point: fs-<mount>.rrd */
    MGR_RES__COUNT
} mgr_res_kind;

/* Host metrics, in the order of mgr_metric_defs(MGR_RES_HOST). */
enum {
    MGR_H_UP = 0,        /* host.up: 1 if every configured source answered, else 0 */
    MGR_H_CPU_UTIL,      /* host.cpu.util: percent, all processors */
    MGR_H_LOAD,          /* host.load: 1-minute load average */
    MGR_H_MEM_TOTAL,     /* host.mem.total: bytes */
    MGR_H_MEM_USED,      /* host.mem.used: bytes (not counting buffers and cache) */
    MGR_H_MEM_USED_PCT,  /* host.mem.used.pct */
    MGR_H_SWAP_USED_PCT, /* host.swap.used.pct */
    MGR_H_USERS,         /* host.users */
    MGR_H_PROCESSES,     /* host.processes */
    MGR_H_VM_COUNT,      /* host.vm.count */
    MGR_H_VM_RUNNING,    /* host.vm.running */
    MGR_H__COUNT
};

/* VM metrics. */
enum {
    MGR_V_STATE = 0,    /* vm.state: VIRTSIGHT-MIB vsVmOperState numbering (1..12) */
    MGR_V_CPU_UTIL,     /* vm.cpu.util: percent of one vCPU times vCPUs, i.e. 0..100*vcpus */
    MGR_V_CPU_TIME,     /* vm.cpu.time: seconds of CPU used since the VM started */
    MGR_V_MEM_USED,     /* vm.mem.used: bytes */
    MGR_V_MEM_USED_PCT, /* vm.mem.used.pct: of the memory target */
    MGR_V_DISK_RD_BPS,  /* vm.disk.rd.bps: bytes/s read, all disks */
    MGR_V_DISK_WR_BPS,  /* vm.disk.wr.bps: bytes/s written, all disks */
    MGR_V_DISK_IOPS,    /* vm.disk.iops: read + write requests/s, all disks */
    MGR_V_NET_RX_BPS,   /* vm.net.rx.bps: bits/s received, all NICs */
    MGR_V_NET_TX_BPS,   /* vm.net.tx.bps: bits/s sent, all NICs */
    MGR_V__COUNT
};

/* Interface metrics (host.net.*, one resource per interface). */
enum {
    MGR_I_RX_BPS = 0, /* host.net.rx.bps: bits/s */
    MGR_I_TX_BPS,     /* host.net.tx.bps: bits/s */
    MGR_I_ERRORS,     /* host.net.errors: in + out errors per second */
    MGR_I__COUNT
};

/* File system metrics (host.disk.*, one resource per mount point). */
enum {
    MGR_F_USED_PCT = 0, /* host.disk.used.pct */
    MGR_F__COUNT
};

#define MGR_METRIC_MAX 11 /* the longest list above */

/* One metric: its full name as thresholds and messages use it, its RRD data source name
 * (at most 19 characters, [a-z0-9_]), and the bounds RRD records (NAN for none). */
typedef struct {
    const char *name;
    const char *ds;
    double min;
    double max;
} mgr_metric_def;

/* The metric list of a kind; *n receives its length. */
const mgr_metric_def *mgr_metric_defs(mgr_res_kind kind, size_t *n);

/* The kind's name as used in file names and output: "host", "vm", "if", "fs". */
const char *mgr_res_kind_name(mgr_res_kind kind);

/* One resource's values from one poll. Unknown values are NAN. */
typedef struct {
    mgr_res_kind kind;
    char *id;    /* host: the configured host name; VM: UUID text; if: interface name;
                    fs: mount point. Owned. */
    char *label; /* VM: its name; otherwise NULL. Owned. */
    double v[MGR_METRIC_MAX];
} mgr_resource;

typedef enum { MGR_SRC_SNMP = 0, MGR_SRC_LIBVIRT = 1 } mgr_source;

/* What one source's poll of one host produced. Built by a poller, handed to the core, freed
 * with mgr_result_free. */
typedef struct {
    char *host; /* configured host name. Owned. */
    mgr_source source;
    int ok;             /* 1 if the source answered (possibly with partial data) */
    char *error;        /* why not, when !ok; a whole sentence without the host name. Owned. */
    double started;     /* wall clock (seconds since the epoch) when the poll began */
    double finished;    /* ... and when it ended */
    double sample_time; /* wall clock the values belong to (when the answer arrived) */
    unsigned requests;  /* SNMP requests or libvirt calls made */
    mgr_resource *res;  /* res[0] is always the MGR_RES_HOST resource of this host */
    size_t n_res;
    size_t cap_res;
} mgr_result;

/* A new result for host and source with its host resource (all values NAN), or NULL when
 * memory is short. */
mgr_result *mgr_result_new(const char *host, mgr_source source);

/* Append a resource of kind with id and label (copied; label may be NULL), all values NAN.
 * Returns it, or NULL when memory is short. The pointer is valid until the next append. */
mgr_resource *mgr_result_add(mgr_result *r, mgr_res_kind kind, const char *id, const char *label);

/* Record why the poll failed (printf-style); sets ok to 0. */
void mgr_result_fail(mgr_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free a result; accepts NULL. */
void mgr_result_free(mgr_result *r);

#endif /* MGR_METRIC_H */
