/* mgr_lv_stats: the libvirt poller's arithmetic, without threads or connections: one domain's
 * bulk-stats record summed over its devices, a VM's metrics and counter state from poll to
 * poll, the node's CPU and memory figures, and the credentials written in a URI. */
#ifndef MGR_LV_STATS_H
#define MGR_LV_STATS_H

#include <libvirt/libvirt.h>
#include <stdint.h>

#include "mgr_rate.h"

/* Device counters summed over a domain's disks and NICs. */
enum {
    MGR_LV_SUM_RD_BYTES = 0, /* block.N.rd.bytes */
    MGR_LV_SUM_WR_BYTES,     /* block.N.wr.bytes */
    MGR_LV_SUM_REQS,         /* block.N.rd.reqs + block.N.wr.reqs */
    MGR_LV_SUM_RX_BYTES,     /* net.N.rx.bytes */
    MGR_LV_SUM_TX_BYTES,     /* net.N.tx.bytes */
    MGR_LV_SUM__COUNT
};

/* Which figures of a mgr_lv_dom are present. */
enum {
    MGR_LV_HAS_STATE = 1u << 0,
    MGR_LV_HAS_CPU = 1u << 1,
    MGR_LV_HAS_BAL_CURRENT = 1u << 2,
    MGR_LV_HAS_BAL_UNUSED = 1u << 3,
    MGR_LV_HAS_BAL_AVAILABLE = 1u << 4,
    MGR_LV_HAS_BAL_USABLE = 1u << 5,
    MGR_LV_HAS_BAL_RSS = 1u << 6,
    MGR_LV_HAS_SUM0 = 1u << 8 /* MGR_LV_HAS_SUM0 << MGR_LV_SUM_x: sum[x] is complete */
};

/* One domain's record from virConnectGetAllDomainStats, reduced to what the metrics need. */
typedef struct {
    unsigned has;    /* MGR_LV_HAS_* */
    int state;       /* state.state (virDomainState) */
    int reason;      /* state.reason */
    uint64_t cpu_ns; /* cpu.time */
    uint64_t bal_current, bal_unused, bal_available, bal_usable, bal_rss; /* balloon.*, KiB */
    uint64_t sum[MGR_LV_SUM__COUNT];
    uint64_t dev_sig; /* fingerprint of the device list (names, counts, which counters) */
} mgr_lv_dom;

/* Read one record's typed parameters into *d (zeroed first). A device sum counts as complete
 * only when every device listed (block.count, net.count) gave that counter. Pure. */
void mgr_lv_dom_parse(const virTypedParameter *par, int npar, mgr_lv_dom *d);

/* A VM's counters from one poll to the next, kept per host and keyed by UUID. */
typedef struct {
    char uuid[VIR_UUID_STRING_BUFLEN];
    int known;       /* 0 until the first poll that saw the VM */
    int dom_id;      /* the domain ID at the last poll (-1: inactive) */
    uint64_t sig;    /* the device fingerprint at the last poll */
    uint64_t epoch;  /* bumped at every discontinuity: no rate across it */
    mgr_counter cpu; /* cpu.time, ns */
    mgr_counter sum[MGR_LV_SUM__COUNT];
} mgr_lv_vmtrack;

/* Start tracking the VM with this UUID text. */
void mgr_lv_vmtrack_init(mgr_lv_vmtrack *t, const char *uuid);

/* The VM's metrics (MGR_V_* order, NAN where unknown) from its record d read at monotonic time
 * now: dom_id is virDomainGetID's answer (-1 for an inactive VM), managed_save whether a
 * managed-save image exists. Rates come from t's previous readings; the epoch changes (no
 * sample) when the domain ID or device list changed or the VM is not running an instance. */
void mgr_lv_vm_metrics(mgr_lv_vmtrack *t, const mgr_lv_dom *d, int dom_id, int managed_save,
                       double now, double *v);

/* Node CPU time counters between polls. Zero-initialise. */
typedef struct {
    mgr_counter busy, total;
} mgr_lv_cpu;

/* host.cpu.util (percent) from virNodeGetCPUStats(ALL_CPUS) figures read at time now: the
 * driver's own "utilization" when it gives one, else the share of non-idle time (idle and
 * iowait count as idle) since the last reading. NAN for the first reading or when no time
 * passed. */
double mgr_lv_host_cpu_util(mgr_lv_cpu *c, const virNodeCPUStats *st, int n, double now);

/* host.mem.total, host.mem.used and host.mem.used.pct (bytes, bytes, percent) into total,
 * used and pct from virNodeGetMemoryStats(ALL_CELLS) figures (st may be NULL with n 0): used
 * is total - free - buffers - cached. The total falls back to info_kib (virNodeGetInfo's
 * memory, KiB; 0 when unknown); used and pct stay NAN without "free". */
void mgr_lv_host_mem(const virNodeMemoryStats *st, int n, unsigned long long info_kib,
                     double *total, double *used, double *pct);

/* Split the user information of uri's authority: *connect_uri is uri without the password
 * ("user@" kept; what libvirt is given and what logs may show), *user and *password are NULL
 * when absent. All malloc'd. Returns 0, or -1 when memory is short (nothing allocated). */
int mgr_lv_uri_split(const char *uri, char **connect_uri, char **user, char **password);

#endif /* MGR_LV_STATS_H */
