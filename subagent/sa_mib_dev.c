/* sa_mib_dev: the vCPU, disk and network interface tables, served from the current snapshots.
 * Rows are keyed by VM, then by device: vCPU number + 1, or position in libvirt's list + 1. */
#include "config.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "sa_mib_int.h"
#include "vs_mib.h"

/* A counter if its bit is set, else absent. */
static int counter(sa_value *v, unsigned has, unsigned bit, uint64_t n)
{
    return has & bit ? v_c64(v, n) : 1;
}

/* ---- vCPUs ---- */

static size_t vcpu_count(const sa_snapshot *s, size_t l1)
{
    return s->vm[l1].n_vcpu;
}

static size_t vcpu_key(const sa_snapshot *s, size_t l1, size_t l2, oid *out)
{
    out[0] = (oid)s->vm[l1].vcpu[l2].number + 1;
    return 1;
}

static int vcpu_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_vcpu *p = &sa_cursor_hv(c)->vm[c->l1].vcpu[c->l2];

    switch (col) {
    case VS_COL_VCPU_NUMBER:
        return v_num(v, VS_TYPE_VCPU_NUMBER, p->number);
    case VS_COL_VCPU_STATE:
        return p->has & SA_VCPU_HAS_STATE ? v_num(v, VS_TYPE_VCPU_STATE, p->state) : 1;
    case VS_COL_VCPU_TIME:
        return counter(v, p->has, SA_VCPU_HAS_TIME, p->time_ns);
    case VS_COL_VCPU_WAIT:
        return counter(v, p->has, SA_VCPU_HAS_WAIT, p->wait_ns);
    case VS_COL_VCPU_HOST_CPU:
        return p->has & SA_VCPU_HAS_HOST_CPU ? v_num(v, VS_TYPE_VCPU_HOST_CPU, p->host_cpu) : 1;
    default:
        return 1;
    }
}

static const oid vcpu_entry[] = { VS_OID_VCPU_ENTRY };
const sa_table sa_mib_vcpu_table = {
    "vsVcpuTable",
    vcpu_entry,
    VS_OID_VCPU_ENTRY_LEN,
    VS_COL_VCPU_NUMBER,
    VS_VCPU_ENTRY_LAST_COLUMN,
    COLS(VS_COL_VCPU_NUMBER, VS_VCPU_ENTRY_LAST_COLUMN),
    0,
    sa_table_vm_count,
    sa_table_vm_key,
    vcpu_count,
    vcpu_key,
    vcpu_cell,
};

/* ---- disks ---- */

static size_t disk_count(const sa_snapshot *s, size_t l1)
{
    return s->vm[l1].n_disk;
}

static size_t position_key(const sa_snapshot *s, size_t l1, size_t l2, oid *out)
{
    (void)s;
    (void)l1;
    out[0] = (oid)l2 + 1;
    return 1;
}

static int disk_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_disk *d = &sa_cursor_hv(c)->vm[c->l1].disk[c->l2];

    switch (col) {
    case VS_COL_DISK_TARGET:
        return v_str(v, d->target, VS_SIZE_DISK_TARGET_MAX);
    case VS_COL_DISK_SOURCE:
        return v_str(v, d->source, VS_SIZE_DISK_SOURCE_MAX);
    case VS_COL_DISK_CAPACITY:
        return counter(v, d->has, SA_DISK_HAS_CAPACITY, d->capacity);
    case VS_COL_DISK_ALLOCATION:
        return counter(v, d->has, SA_DISK_HAS_ALLOCATION, d->allocation);
    case VS_COL_DISK_PHYSICAL:
        return counter(v, d->has, SA_DISK_HAS_PHYSICAL, d->physical);
    case VS_COL_DISK_RD_REQS:
        return counter(v, d->has, SA_DISK_HAS_RD_REQS, d->rd_reqs);
    case VS_COL_DISK_RD_BYTES:
        return counter(v, d->has, SA_DISK_HAS_RD_BYTES, d->rd_bytes);
    case VS_COL_DISK_WR_REQS:
        return counter(v, d->has, SA_DISK_HAS_WR_REQS, d->wr_reqs);
    case VS_COL_DISK_WR_BYTES:
        return counter(v, d->has, SA_DISK_HAS_WR_BYTES, d->wr_bytes);
    case VS_COL_DISK_FL_REQS:
        return counter(v, d->has, SA_DISK_HAS_FL_REQS, d->fl_reqs);
    case VS_COL_DISK_RD_TIME:
        return counter(v, d->has, SA_DISK_HAS_RD_TIME, d->rd_time_ns);
    case VS_COL_DISK_WR_TIME:
        return counter(v, d->has, SA_DISK_HAS_WR_TIME, d->wr_time_ns);
    case VS_COL_DISK_FL_TIME:
        return counter(v, d->has, SA_DISK_HAS_FL_TIME, d->fl_time_ns);
    default:
        return 1;
    }
}

static const oid disk_entry[] = { VS_OID_DISK_ENTRY };
const sa_table sa_mib_disk_table = {
    "vsDiskTable",
    disk_entry,
    VS_OID_DISK_ENTRY_LEN,
    VS_COL_DISK_TARGET,
    VS_DISK_ENTRY_LAST_COLUMN,
    COLS(VS_COL_DISK_TARGET, VS_DISK_ENTRY_LAST_COLUMN),
    0,
    sa_table_vm_count,
    sa_table_vm_key,
    disk_count,
    position_key,
    disk_cell,
};

/* ---- network interfaces ---- */

static size_t nic_count(const sa_snapshot *s, size_t l1)
{
    return s->vm[l1].n_nic;
}

static int nic_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_nic *n = &sa_cursor_hv(c)->vm[c->l1].nic[c->l2];

    switch (col) {
    case VS_COL_NIC_NAME:
        return v_str(v, n->name, VS_SIZE_NIC_NAME_MAX);
    case VS_COL_NIC_MAC:
        return n->has & SA_NIC_HAS_MAC ? v_bytes(v, n->mac, sizeof(n->mac)) : 1;
    case VS_COL_NIC_MODEL:
        return v_str(v, n->model, VS_SIZE_NIC_MODEL_MAX);
    case VS_COL_NIC_SOURCE_TYPE:
        return v_str(v, n->source_type, VS_SIZE_NIC_SOURCE_TYPE_MAX);
    case VS_COL_NIC_SOURCE:
        return v_str(v, n->source, VS_SIZE_NIC_SOURCE_MAX);
    case VS_COL_NIC_RX_BYTES:
        return counter(v, n->has, SA_NIC_HAS_RX_BYTES, n->rx_bytes);
    case VS_COL_NIC_RX_PKTS:
        return counter(v, n->has, SA_NIC_HAS_RX_PKTS, n->rx_pkts);
    case VS_COL_NIC_RX_ERRS:
        return counter(v, n->has, SA_NIC_HAS_RX_ERRS, n->rx_errs);
    case VS_COL_NIC_RX_DROP:
        return counter(v, n->has, SA_NIC_HAS_RX_DROP, n->rx_drop);
    case VS_COL_NIC_TX_BYTES:
        return counter(v, n->has, SA_NIC_HAS_TX_BYTES, n->tx_bytes);
    case VS_COL_NIC_TX_PKTS:
        return counter(v, n->has, SA_NIC_HAS_TX_PKTS, n->tx_pkts);
    case VS_COL_NIC_TX_ERRS:
        return counter(v, n->has, SA_NIC_HAS_TX_ERRS, n->tx_errs);
    case VS_COL_NIC_TX_DROP:
        return counter(v, n->has, SA_NIC_HAS_TX_DROP, n->tx_drop);
    default:
        return 1;
    }
}

static const oid nic_entry[] = { VS_OID_NIC_ENTRY };
const sa_table sa_mib_nic_table = {
    "vsNicTable",
    nic_entry,
    VS_OID_NIC_ENTRY_LEN,
    VS_COL_NIC_NAME,
    VS_NIC_ENTRY_LAST_COLUMN,
    COLS(VS_COL_NIC_NAME, VS_NIC_ENTRY_LAST_COLUMN),
    0,
    sa_table_vm_count,
    sa_table_vm_key,
    nic_count,
    position_key,
    nic_cell,
};
