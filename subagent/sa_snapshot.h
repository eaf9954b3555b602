/* sa_snapshot: an immutable picture of one hypervisor at one moment. A sampler thread builds
 * it, hands it to the SNMP thread, and never touches it again; the SNMP thread serves GETs
 * from it. Everything a snapshot points to lives in its arena and goes with it.
 *
 * Values the hypervisor did not report are absent (the MIB's convention): each struct has a
 * "has" bit set per optional field, and an absent numeric field is served as noSuchInstance.
 * Strings are never NULL: "" means none. Times are wall-clock seconds (time_t). */
#ifndef SA_SNAPSHOT_H
#define SA_SNAPSHOT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vs_arena.h"

#define SA_UUID_LEN 16

/* sa_vcpu.has */
enum {
    SA_VCPU_HAS_STATE = 1u << 0,
    SA_VCPU_HAS_TIME = 1u << 1,
    SA_VCPU_HAS_WAIT = 1u << 2,
    SA_VCPU_HAS_HOST_CPU = 1u << 3,
};

typedef struct {
    uint32_t number;   /* libvirt's vCPU number, from 0 (vsVcpuIndex is number + 1) */
    int state;         /* VS_VCPU_STATE_* */
    uint64_t time_ns;  /* vcpu.N.time */
    uint64_t wait_ns;  /* vcpu.N.wait */
    uint32_t host_cpu; /* host CPU it ran on */
    unsigned has;
} sa_vcpu;

/* sa_disk.has */
enum {
    SA_DISK_HAS_CAPACITY = 1u << 0,
    SA_DISK_HAS_ALLOCATION = 1u << 1,
    SA_DISK_HAS_PHYSICAL = 1u << 2,
    SA_DISK_HAS_RD_REQS = 1u << 3,
    SA_DISK_HAS_RD_BYTES = 1u << 4,
    SA_DISK_HAS_WR_REQS = 1u << 5,
    SA_DISK_HAS_WR_BYTES = 1u << 6,
    SA_DISK_HAS_FL_REQS = 1u << 7,
    SA_DISK_HAS_RD_TIME = 1u << 8,
    SA_DISK_HAS_WR_TIME = 1u << 9,
    SA_DISK_HAS_FL_TIME = 1u << 10,
};

typedef struct {
    const char *target; /* block.N.name or the definition's target dev, e.g. "vda" */
    const char *source; /* host path; "" for a network disk or empty drive */
    uint64_t capacity, allocation, physical;                /* bytes */
    uint64_t rd_reqs, rd_bytes, wr_reqs, wr_bytes, fl_reqs; /* counters */
    uint64_t rd_time_ns, wr_time_ns, fl_time_ns;            /* counters */
    unsigned has;
} sa_disk;

/* sa_nic.has */
enum {
    SA_NIC_HAS_MAC = 1u << 0,
    SA_NIC_HAS_RX_BYTES = 1u << 1,
    SA_NIC_HAS_RX_PKTS = 1u << 2,
    SA_NIC_HAS_RX_ERRS = 1u << 3,
    SA_NIC_HAS_RX_DROP = 1u << 4,
    SA_NIC_HAS_TX_BYTES = 1u << 5,
    SA_NIC_HAS_TX_PKTS = 1u << 6,
    SA_NIC_HAS_TX_ERRS = 1u << 7,
    SA_NIC_HAS_TX_DROP = 1u << 8,
};

typedef struct {
    const char *name;        /* host-side device (net.N.name), "" while inactive */
    unsigned char mac[6];    /* SA_NIC_HAS_MAC */
    const char *model;       /* "virtio", "e1000", "" */
    const char *source_type; /* libvirt interface type: "network", "bridge", ... */
    const char *source;      /* network or bridge name, host device, "" */
    uint64_t rx_bytes, rx_pkts, rx_errs, rx_drop; /* counters, guest's point of view */
    uint64_t tx_bytes, tx_pkts, tx_errs, tx_drop;
    unsigned has;
} sa_nic;

/* sa_vm.has */
enum {
    SA_VM_HAS_DOMAIN_ID = 1u << 0,
    SA_VM_HAS_VCPUS = 1u << 1,
    SA_VM_HAS_VCPUS_MAX = 1u << 2,
    SA_VM_HAS_MEM_TARGET = 1u << 3,
    SA_VM_HAS_MEM_MAX = 1u << 4,
    SA_VM_HAS_MEM_USED = 1u << 5,
    SA_VM_HAS_MEM_AVAILABLE = 1u << 6,
    SA_VM_HAS_MEM_RSS = 1u << 7,
    SA_VM_HAS_CPU_TIME = 1u << 8,
    SA_VM_HAS_CPU_UTIL = 1u << 9,
    SA_VM_HAS_START_TIME = 1u << 10, /* start_time is known (vsVmUptime present) */
    SA_VM_HAS_AUTOSTART = 1u << 11,
};

typedef struct {
    int32_t index; /* vsVmIndex, >= 1 */
    unsigned char uuid[SA_UUID_LEN];
    const char *name;
    int32_t domain_id;   /* SA_VM_HAS_DOMAIN_ID while active */
    const char *os_type; /* "hvm", "" when unknown */
    int active;          /* has a running instance */
    int persistent;
    int autostart;             /* SA_VM_HAS_AUTOSTART */
    int has_managed_save;      /* a managed-save image exists */
    int lv_state;              /* virDomainState */
    int lv_reason;             /* its reason */
    int oper_state;            /* VS_VM_OPER_STATE_* (vs_vm_oper_state) */
    const char *state_reason;  /* as virsh domstate --reason prints it: "shut off (crashed)" */
    uint32_t vcpus, vcpus_max; /* count */
    uint32_t mem_target_mib, mem_max_mib;      /* MiB, rounded down */
    uint64_t mem_used, mem_available, mem_rss; /* bytes */
    uint64_t cpu_time_ns;
    uint32_t cpu_util;    /* hundredths of a percent of all its vCPUs, 0..10000 */
    time_t start_time;    /* when it last became active (SA_VM_HAS_START_TIME); 0 if inactive */
    time_t discontinuity; /* vsVmDiscontinuityTime */
    unsigned has;
    const sa_vcpu *vcpu; /* sorted by number */
    size_t n_vcpu;
    const sa_disk *disk; /* in libvirt's order; vsDiskIndex is position + 1 */
    size_t n_disk;
    const sa_nic *nic; /* in libvirt's order; vsNicIndex is position + 1 */
    size_t n_nic;
} sa_vm;

/* sa_snapshot.has */
enum {
    SA_HV_HAS_CPU_COUNT = 1u << 0,
    SA_HV_HAS_CPU_MHZ = 1u << 1,
    SA_HV_HAS_MEM_TOTAL = 1u << 2,
    SA_HV_HAS_MEM_FREE = 1u << 3,
    SA_HV_HAS_CPU_UTIL = 1u << 4,
    SA_HV_HAS_MEM_UTIL = 1u << 5,
    SA_HV_HAS_LAST_ERROR_TIME = 1u << 6,
    SA_HV_HAS_SAMPLE_TIME = 1u << 7,
};

typedef struct sa_snapshot {
    atomic_int refs; /* sa_snapshot_ref / sa_snapshot_unref */
    vs_arena arena;  /* owns every string and array below */

    int32_t hv_index; /* vsHvIndex */
    const char *name; /* from the configuration */
    const char *uri;  /* with user name and password removed */
    const char *hostname, *driver, *driver_version, *libvirt_version, *cpu_model;
    int conn_state;         /* VS_HV_CONN_STATE_* */
    const char *last_error; /* "" when none */
    time_t last_error_time; /* SA_HV_HAS_LAST_ERROR_TIME */
    time_t connected_since; /* 0 while not connected */
    uint32_t cpu_count, cpu_mhz;
    uint64_t mem_total, mem_free; /* bytes */
    uint32_t cpu_util, mem_util;  /* hundredths of a percent */
    time_t last_change;           /* vsHvLastChange */
    time_t sample_time;           /* SA_HV_HAS_SAMPLE_TIME */
    unsigned has;

    /* Raw values the next sample computes rates from (sampler's business, not served). */
    double sample_mono;         /* monotonic clock at the sample, seconds */
    uint64_t node_cpu_busy_ns;  /* host CPU time neither idle nor iowait, all CPUs */
    uint64_t node_cpu_total_ns; /* host CPU time, all CPUs */
    int has_node_cpu_raw;

    /* The number of lifecycle events the hypervisor's thread had received when this sample
     * started: events numbered up to this are reflected in it. */
    uint64_t event_seq;

    uint32_t vm_count, vm_active, vm_running;
    const sa_vm *vm; /* sorted by index, ascending; none while not connected */
    size_t n_vm;
    const uint32_t *by_uuid; /* positions into vm, in ascending UUID order */
} sa_snapshot;

/* A new empty snapshot with one reference, its arena ready; NULL when memory is short. */
sa_snapshot *sa_snapshot_new(void);

/* Take another reference. */
void sa_snapshot_ref(sa_snapshot *s);

/* Drop a reference; the last one frees the snapshot and its arena. Accepts NULL. */
void sa_snapshot_unref(sa_snapshot *s);

/* The VM with vsVmIndex index, or NULL (binary search). */
const sa_vm *sa_snapshot_find_vm(const sa_snapshot *s, int32_t index);

/* Position in vm of the first VM whose index is >= index (n_vm when none). */
size_t sa_snapshot_vm_lower_bound(const sa_snapshot *s, int32_t index);

/* Fill by_uuid (allocated in the arena) once vm is final. Returns 0, or -1 when memory is
 * short. */
int sa_snapshot_index_uuids(sa_snapshot *s);

#endif /* SA_SNAPSHOT_H */
