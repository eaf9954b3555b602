/* mgr_snmp_map: which OIDs the SNMP poller reads and how their values become metrics: the
 * scalar and column lists, and the host, file system, interface and VM resources of a result. */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mgr_snmp_int.h"
#include "vs_mib.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define COL(o, t, s, k)                                                                            \
    {                                                                                              \
        o, N_OF(o), t, s, k, #o + 2                                                                \
    }

/* ---------------------------------------------------------------- scalars */

static const oid o_sysUpTime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid o_hrSystemNumUsers[] = { 1, 3, 6, 1, 2, 1, 25, 1, 5, 0 };
static const oid o_hrSystemProcesses[] = { 1, 3, 6, 1, 2, 1, 25, 1, 6, 0 };
static const oid o_memTotalReal[] = { 1, 3, 6, 1, 4, 1, 2021, 4, 5, 0 };
static const oid o_memAvailReal[] = { 1, 3, 6, 1, 4, 1, 2021, 4, 6, 0 };
static const oid o_memBuffer[] = { 1, 3, 6, 1, 4, 1, 2021, 4, 14, 0 };
static const oid o_memCached[] = { 1, 3, 6, 1, 4, 1, 2021, 4, 15, 0 };
static const oid o_memTotalSwap[] = { 1, 3, 6, 1, 4, 1, 2021, 4, 3, 0 };
static const oid o_memAvailSwap[] = { 1, 3, 6, 1, 4, 1, 2021, 4, 4, 0 };
static const oid o_laLoadInt1[] = { 1, 3, 6, 1, 4, 1, 2021, 10, 1, 5, 1 };

static const struct {
    const oid *o;
    size_t len;
} scalars[MGR_SNMP_S__COUNT] = {
    [MGR_SNMP_S_UPTIME] = { o_sysUpTime, N_OF(o_sysUpTime) },
    [MGR_SNMP_S_USERS] = { o_hrSystemNumUsers, N_OF(o_hrSystemNumUsers) },
    [MGR_SNMP_S_PROCESSES] = { o_hrSystemProcesses, N_OF(o_hrSystemProcesses) },
    [MGR_SNMP_S_MEM_TOTAL] = { o_memTotalReal, N_OF(o_memTotalReal) },
    [MGR_SNMP_S_MEM_AVAIL] = { o_memAvailReal, N_OF(o_memAvailReal) },
    [MGR_SNMP_S_MEM_BUFFER] = { o_memBuffer, N_OF(o_memBuffer) },
    [MGR_SNMP_S_MEM_CACHED] = { o_memCached, N_OF(o_memCached) },
    [MGR_SNMP_S_SWAP_TOTAL] = { o_memTotalSwap, N_OF(o_memTotalSwap) },
    [MGR_SNMP_S_SWAP_AVAIL] = { o_memAvailSwap, N_OF(o_memAvailSwap) },
    [MGR_SNMP_S_LOAD] = { o_laLoadInt1, N_OF(o_laLoadInt1) },
};

const oid *mgr_snmp_scalar_oid(unsigned i, size_t *len)
{
    *len = scalars[i].len;
    return scalars[i].o;
}

/* ---------------------------------------------------------------- columns */

static const oid o_vsHvName[] = { VS_OID_HV_NAME };
static const oid o_vsHvVmCount[] = { VS_OID_HV_VM_COUNT };
static const oid o_vsHvVmRunning[] = { VS_OID_HV_VM_RUNNING };
static const oid o_hrProcessorLoad[] = { 1, 3, 6, 1, 2, 1, 25, 3, 3, 1, 2 };
static const oid o_hrStorageType[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 2 };
static const oid o_hrStorageDescr[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 3 };
static const oid o_hrStorageAllocationUnits[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 4 };
static const oid o_hrStorageSize[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 5 };
static const oid o_hrStorageUsed[] = { 1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 6 };
static const oid o_ifDescr[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 2 };
static const oid o_ifSpeed[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 5 };
static const oid o_ifInOctets[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 10 };
static const oid o_ifInErrors[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 14 };
static const oid o_ifOutOctets[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 16 };
static const oid o_ifOutErrors[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 20 };
static const oid o_ifName[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1 };
static const oid o_ifHCInOctets[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6 };
static const oid o_ifHCOutOctets[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10 };
static const oid o_ifHighSpeed[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15 };
static const oid o_ifCounterDiscontinuityTime[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 19 };
static const oid o_vsVmName[] = { VS_OID_VM_NAME };
static const oid o_vsVmUuid[] = { VS_OID_VM_UUID };
static const oid o_vsVmOperState[] = { VS_OID_VM_OPER_STATE };
static const oid o_vsVmVcpus[] = { VS_OID_VM_VCPUS };
static const oid o_vsVmMemTarget[] = { VS_OID_VM_MEM_TARGET };
static const oid o_vsVmMemUsed[] = { VS_OID_VM_MEM_USED };
static const oid o_vsVmCpuTime[] = { VS_OID_VM_CPU_TIME };
static const oid o_vsVmCpuUtil[] = { VS_OID_VM_CPU_UTIL };

/* The host walk: vsHvName first (its first answer tells whether the subagent is there),
 * then the standard tables. */
static const mgr_snmp_col host_cols[] = {
    COL(o_vsHvName, MGR_SNMP_T_HV, MGR_SNMP_HV_NAME, MGR_SNMP_K_TEXT),
    COL(o_hrProcessorLoad, MGR_SNMP_T_PROC, MGR_SNMP_PROC_LOAD, MGR_SNMP_K_NUM),
    COL(o_hrStorageType, MGR_SNMP_T_STOR, MGR_SNMP_ST_TYPE, MGR_SNMP_K_STORTYPE),
    COL(o_hrStorageDescr, MGR_SNMP_T_STOR, MGR_SNMP_ST_DESCR, MGR_SNMP_K_TEXT),
    COL(o_hrStorageAllocationUnits, MGR_SNMP_T_STOR, MGR_SNMP_ST_UNITS, MGR_SNMP_K_NUM),
    COL(o_hrStorageSize, MGR_SNMP_T_STOR, MGR_SNMP_ST_SIZE, MGR_SNMP_K_NUM),
    COL(o_hrStorageUsed, MGR_SNMP_T_STOR, MGR_SNMP_ST_USED, MGR_SNMP_K_NUM),
    COL(o_ifDescr, MGR_SNMP_T_IF, MGR_SNMP_IF_DESCR, MGR_SNMP_K_TEXT),
    COL(o_ifSpeed, MGR_SNMP_T_IF, MGR_SNMP_IF_SPEED, MGR_SNMP_K_NUM),
    COL(o_ifInOctets, MGR_SNMP_T_IF, MGR_SNMP_IF_IN_OCTETS, MGR_SNMP_K_NUM),
    COL(o_ifInErrors, MGR_SNMP_T_IF, MGR_SNMP_IF_IN_ERRORS, MGR_SNMP_K_NUM),
    COL(o_ifOutOctets, MGR_SNMP_T_IF, MGR_SNMP_IF_OUT_OCTETS, MGR_SNMP_K_NUM),
    COL(o_ifOutErrors, MGR_SNMP_T_IF, MGR_SNMP_IF_OUT_ERRORS, MGR_SNMP_K_NUM),
    COL(o_ifName, MGR_SNMP_T_IF, MGR_SNMP_IF_NAME, MGR_SNMP_K_TEXT),
    COL(o_ifHCInOctets, MGR_SNMP_T_IF, MGR_SNMP_IF_HC_IN, MGR_SNMP_K_NUM),
    COL(o_ifHCOutOctets, MGR_SNMP_T_IF, MGR_SNMP_IF_HC_OUT, MGR_SNMP_K_NUM),
    COL(o_ifHighSpeed, MGR_SNMP_T_IF, MGR_SNMP_IF_HIGH_SPEED, MGR_SNMP_K_NUM),
    COL(o_ifCounterDiscontinuityTime, MGR_SNMP_T_IF, MGR_SNMP_IF_DISC_TIME, MGR_SNMP_K_NUM),
};

/* The VM walk, when the probe found hypervisors: their VM counts and the VM table. */
static const mgr_snmp_col vm_cols[] = {
    COL(o_vsHvVmCount, MGR_SNMP_T_HV, MGR_SNMP_HV_VM_COUNT, MGR_SNMP_K_NUM),
    COL(o_vsHvVmRunning, MGR_SNMP_T_HV, MGR_SNMP_HV_VM_RUNNING, MGR_SNMP_K_NUM),
    COL(o_vsVmName, MGR_SNMP_T_VM, MGR_SNMP_VM_NAME, MGR_SNMP_K_TEXT),
    COL(o_vsVmUuid, MGR_SNMP_T_VM, MGR_SNMP_VM_UUID, MGR_SNMP_K_BYTES),
    COL(o_vsVmOperState, MGR_SNMP_T_VM, MGR_SNMP_VM_OPER_STATE, MGR_SNMP_K_NUM),
    COL(o_vsVmVcpus, MGR_SNMP_T_VM, MGR_SNMP_VM_VCPUS, MGR_SNMP_K_NUM),
    COL(o_vsVmMemTarget, MGR_SNMP_T_VM, MGR_SNMP_VM_MEM_TARGET, MGR_SNMP_K_NUM),
    COL(o_vsVmMemUsed, MGR_SNMP_T_VM, MGR_SNMP_VM_MEM_USED, MGR_SNMP_K_NUM),
    COL(o_vsVmCpuTime, MGR_SNMP_T_VM, MGR_SNMP_VM_CPU_TIME, MGR_SNMP_K_NUM),
    COL(o_vsVmCpuUtil, MGR_SNMP_T_VM, MGR_SNMP_VM_CPU_UTIL, MGR_SNMP_K_NUM),
};

_Static_assert(N_OF(host_cols) <= MGR_SNMP_COLS_MAX, "the host walk has too many columns");
_Static_assert(N_OF(vm_cols) <= MGR_SNMP_COLS_MAX, "the VM walk has too many columns");

const mgr_snmp_col *mgr_snmp_walk_cols(mgr_snmp_walk_id id, size_t *n)
{
    if (id == MGR_SNMP_WALK_VM) {
        *n = N_OF(vm_cols);
        return vm_cols;
    }
    *n = N_OF(host_cols);
    return host_cols;
}

/* ---------------------------------------------------------------- values */

/* A value as a signed number (INTEGER, and the small unsigned types). */
static double v_int(const mgr_snmp_val *v)
{
    return (double)(int64_t)v->u;
}

/* A value as an unsigned number (Counter64, Gauge). */
static double v_uint(const mgr_snmp_val *v)
{
    return (double)v->u;
}

/* hrStorageSize and hrStorageUsed: Integer32 that some agents let wrap past 2^31. */
static double v_storage(const mgr_snmp_val *v)
{
    int64_t x = (int64_t)v->u;
    return x < 0 ? (double)x + 4294967296.0 : (double)x;
}

static int row_has(const mgr_snmp_row *row, unsigned slot)
{
    return (row->have >> slot) & 1u;
}

/* Scalar i as a number, or NAN when the agent has none. */
static double scalar(const mgr_snmp_data *d, unsigned i)
{
    return ((d->shave >> i) & 1u) ? (double)(int64_t)d->sv[i] : NAN;
}

int mgr_snmp_uuid_format(const unsigned char *b, size_t len, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    if (len != 16)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 15];
    }
    out[k] = '\0';
    return 0;
}

/* ---------------------------------------------------------------- host metrics */

/* The first hrStorage row of type kind whose description contains want (any, if NULL). */
static const mgr_snmp_row *storage_row(const mgr_snmp_data *d, unsigned kind, const char *want)
{
    const mgr_snmp_table *t = &d->t[MGR_SNMP_T_STOR];
    for (size_t i = 0; i < t->n; i++) {
        const mgr_snmp_row *row = &t->rows[i];
        if (!row_has(row, MGR_SNMP_ST_TYPE) || row->v[MGR_SNMP_ST_TYPE].u != kind)
            continue;
        if (!row_has(row, MGR_SNMP_ST_SIZE) || !row_has(row, MGR_SNMP_ST_USED))
            continue;
        if (want
            && (!row_has(row, MGR_SNMP_ST_DESCR) || !strcasestr(row->v[MGR_SNMP_ST_DESCR].s, want)))
            continue;
        return row;
    }
    return NULL;
}

/* Bytes of an hrStorage value (size or used). */
static double storage_bytes(const mgr_snmp_row *row, unsigned slot)
{
    double units = row_has(row, MGR_SNMP_ST_UNITS) ? v_int(&row->v[MGR_SNMP_ST_UNITS]) : 1;
    return v_storage(&row->v[slot]) * (units > 0 ? units : 1);
}

/* Memory from UCD-SNMP-MIB, else from hrStorageRam. */
static void host_memory(const mgr_snmp_data *d, double *v)
{
    double total = scalar(d, MGR_SNMP_S_MEM_TOTAL), avail = scalar(d, MGR_SNMP_S_MEM_AVAIL);
    if (!isnan(total) && !isnan(avail)) {
        double buf = scalar(d, MGR_SNMP_S_MEM_BUFFER), cached = scalar(d, MGR_SNMP_S_MEM_CACHED);
        double used = total - avail - (isnan(buf) ? 0 : buf) - (isnan(cached) ? 0 : cached);
        v[MGR_H_MEM_TOTAL] = total * 1024;
        v[MGR_H_MEM_USED] = (used > 0 ? used : 0) * 1024;
    } else {
        const mgr_snmp_row *ram = storage_row(d, MGR_SNMP_STOR_RAM, NULL);
        if (ram) {
            v[MGR_H_MEM_TOTAL] = storage_bytes(ram, MGR_SNMP_ST_SIZE);
            v[MGR_H_MEM_USED] = storage_bytes(ram, MGR_SNMP_ST_USED);
        }
    }
    if (v[MGR_H_MEM_TOTAL] > 0)
        v[MGR_H_MEM_USED_PCT] = v[MGR_H_MEM_USED] / v[MGR_H_MEM_TOTAL] * 100;
}

/* Swap from UCD-SNMP-MIB, else from the hrStorageVirtualMemory row that names swap. */
static void host_swap(const mgr_snmp_data *d, double *v)
{
    double total = scalar(d, MGR_SNMP_S_SWAP_TOTAL), avail = scalar(d, MGR_SNMP_S_SWAP_AVAIL);
    if (isnan(total) || isnan(avail)) {
        const mgr_snmp_row *sw = storage_row(d, MGR_SNMP_STOR_VIRTUAL, "swap");
        if (!sw)
            return;
        total = storage_bytes(sw, MGR_SNMP_ST_SIZE);
        avail = total - storage_bytes(sw, MGR_SNMP_ST_USED);
    }
    if (total > 0)
        v[MGR_H_SWAP_USED_PCT] = (total - avail) / total * 100;
}

/* The average of hrProcessorLoad, and the VM counts summed over hypervisors. */
static void host_tables(const mgr_snmp_data *d, double *v)
{
    const mgr_snmp_table *p = &d->t[MGR_SNMP_T_PROC];
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (row_has(&p->rows[i], MGR_SNMP_PROC_LOAD)) {
            sum += v_int(&p->rows[i].v[MGR_SNMP_PROC_LOAD]);
            n++;
        }
    }
    if (n)
        v[MGR_H_CPU_UTIL] = sum / (double)n;
    const mgr_snmp_table *hv = &d->t[MGR_SNMP_T_HV];
    for (size_t i = 0; i < hv->n; i++) {
        const mgr_snmp_row *row = &hv->rows[i];
        static const unsigned slot[2] = { MGR_SNMP_HV_VM_COUNT, MGR_SNMP_HV_VM_RUNNING };
        static const unsigned metric[2] = { MGR_H_VM_COUNT, MGR_H_VM_RUNNING };
        for (int k = 0; k < 2; k++) {
            if (row_has(row, slot[k]))
                v[metric[k]] = (isnan(v[metric[k]]) ? 0 : v[metric[k]]) + v_uint(&row->v[slot[k]]);
        }
    }
}

static void host_metrics(const mgr_snmp_data *d, double *v)
{
    v[MGR_H_USERS] = scalar(d, MGR_SNMP_S_USERS);
    v[MGR_H_PROCESSES] = scalar(d, MGR_SNMP_S_PROCESSES);
    v[MGR_H_LOAD] = scalar(d, MGR_SNMP_S_LOAD) / 100;
    host_memory(d, v);
    host_swap(d, v);
    host_tables(d, v);
}

/* ---------------------------------------------------------------- other resources */

/* Whether r already has a resource of kind with id (from index `from` on). */
static int result_has(const mgr_result *r, size_t from, mgr_res_kind kind, const char *id)
{
    for (size_t i = from; i < r->n_res; i++) {
        if (r->res[i].kind == kind && strcmp(r->res[i].id, id) == 0)
            return 1;
    }
    return 0;
}

/* One MGR_RES_FS resource per fixed disk, by mount point (a repeated one is skipped). */
static int add_file_systems(const mgr_snmp_data *d, mgr_result *r)
{
    const mgr_snmp_table *t = &d->t[MGR_SNMP_T_STOR];
    size_t first = r->n_res;
    for (size_t i = 0; i < t->n; i++) {
        const mgr_snmp_row *row = &t->rows[i];
        if (!row_has(row, MGR_SNMP_ST_TYPE) || row->v[MGR_SNMP_ST_TYPE].u != MGR_SNMP_STOR_DISK
            || !row_has(row, MGR_SNMP_ST_DESCR) || !row->v[MGR_SNMP_ST_DESCR].len)
            continue;
        const char *id = row->v[MGR_SNMP_ST_DESCR].s;
        if (result_has(r, first, MGR_RES_FS, id))
            continue;
        mgr_resource *fs = mgr_result_add(r, MGR_RES_FS, id, NULL);
        if (!fs)
            return -1;
        if (row_has(row, MGR_SNMP_ST_SIZE) && row_has(row, MGR_SNMP_ST_USED)) {
            double size = v_storage(&row->v[MGR_SNMP_ST_SIZE]);
            if (size > 0)
                fs->v[MGR_F_USED_PCT] = v_storage(&row->v[MGR_SNMP_ST_USED]) / size * 100;
        }
    }
    return 0;
}

/* The rate of one counter reading, or NAN. */
static double counter_rate(mgr_counter *c, uint64_t value, double t, unsigned bits, uint64_t epoch,
                           double max_rate)
{
    double rate;
    return mgr_counter_update(c, value, t, bits, epoch, max_rate, &rate) == 0 ? rate : NAN;
}

/* Octets/s of one direction: the 64-bit counter when the row has it, else the 32-bit one
 * (limited to what the interface's speed allows). */
static double octet_rate(const mgr_snmp_row *row, mgr_counter *c64, mgr_counter *c32, unsigned hc,
                         unsigned lc, uint64_t epoch, double max32, double t)
{
    if (row_has(row, hc))
        return counter_rate(c64, row->v[hc].u, t, 64, epoch, 0);
    if (row_has(row, lc))
        return counter_rate(c32, row->v[lc].u & 0xffffffffu, t, 32, epoch, max32);
    return NAN;
}

/* The interface's speed in bits/s, or 0 when unknown. */
static double if_speed(const mgr_snmp_row *row)
{
    if (row_has(row, MGR_SNMP_IF_HIGH_SPEED) && row->v[MGR_SNMP_IF_HIGH_SPEED].u > 0)
        return v_uint(&row->v[MGR_SNMP_IF_HIGH_SPEED]) * 1e6;
    if (row_has(row, MGR_SNMP_IF_SPEED) && row->v[MGR_SNMP_IF_SPEED].u > 0
        && row->v[MGR_SNMP_IF_SPEED].u < 0xffffffffu)
        return v_uint(&row->v[MGR_SNMP_IF_SPEED]);
    return 0;
}

/* The rates of one interface row read at time t into v, with its counters in is. */
static void if_rates(const mgr_snmp_row *row, mgr_snmp_ifstate *is, uint64_t boots, double t,
                     double *v)
{
    uint64_t disc = row_has(row, MGR_SNMP_IF_DISC_TIME) ? row->v[MGR_SNMP_IF_DISC_TIME].u : 0;
    uint64_t epoch = (boots << 32) ^ disc;
    double speed = if_speed(row);
    double max32 = speed > 0 ? speed / 8 * 1.1 : 0;
    double rx = octet_rate(row, &is->hc_in, &is->in, MGR_SNMP_IF_HC_IN, MGR_SNMP_IF_IN_OCTETS,
                           epoch, max32, t);
    double tx = octet_rate(row, &is->hc_out, &is->out, MGR_SNMP_IF_HC_OUT, MGR_SNMP_IF_OUT_OCTETS,
                           epoch, max32, t);
    v[MGR_I_RX_BPS] = rx * 8;
    v[MGR_I_TX_BPS] = tx * 8;
    if (row_has(row, MGR_SNMP_IF_IN_ERRORS) && row_has(row, MGR_SNMP_IF_OUT_ERRORS)) {
        double in = counter_rate(&is->in_err, row->v[MGR_SNMP_IF_IN_ERRORS].u & 0xffffffffu, t, 32,
                                 epoch, 0);
        double out = counter_rate(&is->out_err, row->v[MGR_SNMP_IF_OUT_ERRORS].u & 0xffffffffu, t,
                                  32, epoch, 0);
        v[MGR_I_ERRORS] = in + out;
    }
}

/* An interface's resource id: ifName, else ifDescr, else "if" and its index. */
static const char *if_id(const mgr_snmp_row *row, char *buf, size_t size)
{
    if (row_has(row, MGR_SNMP_IF_NAME) && row->v[MGR_SNMP_IF_NAME].len)
        return row->v[MGR_SNMP_IF_NAME].s;
    if (row_has(row, MGR_SNMP_IF_DESCR) && row->v[MGR_SNMP_IF_DESCR].len)
        return row->v[MGR_SNMP_IF_DESCR].s;
    snprintf(buf, size, "if%lu", (unsigned long)row->idx[0]);
    return buf;
}

/* One MGR_RES_IF resource per interface (the loopback too), rates from st's counters. A name
 * that repeats gets "#ifIndex" appended. */
static int add_interfaces(const mgr_snmp_data *d, mgr_snmp_state *st, mgr_result *r)
{
    const mgr_snmp_table *t = &d->t[MGR_SNMP_T_IF];
    for (size_t i = 0; i < t->n; i++) {
        const mgr_snmp_row *row = &t->rows[i];
        char buf[32], dup[600];
        const char *id = if_id(row, buf, sizeof(buf));
        mgr_snmp_ifstate *is = mgr_snmp_state_if(st, id);
        if (is && is->gen == st->gen) { /* already seen in this poll */
            snprintf(dup, sizeof(dup), "%.500s#%lu", id, (unsigned long)row->idx[0]);
            id = dup;
            is = mgr_snmp_state_if(st, id);
        }
        if (!is)
            return -1;
        is->gen = st->gen;
        mgr_resource *res = mgr_result_add(r, MGR_RES_IF, id, NULL);
        if (!res)
            return -1;
        if_rates(row, is, st->boots, d->t_sample, res->v);
    }
    return 0;
}

/* One MGR_RES_VM resource per VIRTSIGHT-MIB VM row with a UUID. */
static int add_vms(const mgr_snmp_data *d, mgr_result *r)
{
    const mgr_snmp_table *t = &d->t[MGR_SNMP_T_VM];
    for (size_t i = 0; i < t->n; i++) {
        const mgr_snmp_row *row = &t->rows[i];
        char uuid[37];
        if (!row_has(row, MGR_SNMP_VM_UUID)
            || mgr_snmp_uuid_format((const unsigned char *)row->v[MGR_SNMP_VM_UUID].s,
                                    row->v[MGR_SNMP_VM_UUID].len, uuid)
                   < 0)
            continue;
        const char *name = row_has(row, MGR_SNMP_VM_NAME) ? row->v[MGR_SNMP_VM_NAME].s : "";
        mgr_resource *vm = mgr_result_add(r, MGR_RES_VM, uuid, name);
        if (!vm)
            return -1;
        const mgr_snmp_val *v = row->v;
        if (row_has(row, MGR_SNMP_VM_OPER_STATE))
            vm->v[MGR_V_STATE] = v_int(&v[MGR_SNMP_VM_OPER_STATE]);
        /* Hundredths of a percent of all vCPUs -> percent of one vCPU times vCPUs. */
        if (row_has(row, MGR_SNMP_VM_CPU_UTIL) && row_has(row, MGR_SNMP_VM_VCPUS))
            vm->v[MGR_V_CPU_UTIL] =
                v_uint(&v[MGR_SNMP_VM_CPU_UTIL]) / 100 * v_uint(&v[MGR_SNMP_VM_VCPUS]);
        if (row_has(row, MGR_SNMP_VM_CPU_TIME))
            vm->v[MGR_V_CPU_TIME] = v_uint(&v[MGR_SNMP_VM_CPU_TIME]) / 1e9;
        if (row_has(row, MGR_SNMP_VM_MEM_USED)) {
            vm->v[MGR_V_MEM_USED] = v_uint(&v[MGR_SNMP_VM_MEM_USED]);
            double target = row_has(row, MGR_SNMP_VM_MEM_TARGET)
                                ? v_uint(&v[MGR_SNMP_VM_MEM_TARGET]) * 1048576.0
                                : 0;
            if (target > 0)
                vm->v[MGR_V_MEM_USED_PCT] = vm->v[MGR_V_MEM_USED] / target * 100;
        }
    }
    return 0;
}

int mgr_snmp_fill_result(const mgr_snmp_data *d, mgr_snmp_state *st, mgr_result *r)
{
    st->gen++; /* this poll's generation: interfaces seen now get it */
    host_metrics(d, r->res[0].v);
    if (add_file_systems(d, r) < 0 || add_interfaces(d, st, r) < 0 || add_vms(d, r) < 0)
        return -1;
    mgr_snmp_state_if_prune(st);
    return 0;
}
