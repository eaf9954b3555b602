/* sa_bulk: read one virConnectGetAllDomainStats record (an array of typed parameters) into
 * the numbers and device rows of a domain, in two passes: the first sizes the device arrays,
 * the second fills them. */
#include "config.h"

#include "sa_bulk.h"

#include <stddef.h>
#include <string.h>

#include "vs_mib.h"

#define FIELD_INDEX_MAX 65535 /* devices and vCPUs per domain accepted */
#define VCPU_SEEN (1u << 31)  /* the record named this vCPU slot (cleared before returning) */
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Where a field goes in a struct, and the "has" bit it sets. */
typedef struct {
    const char *name;
    size_t off;
    unsigned bit;
} field_map;

static const field_map dom_fields[] = {
    { "state.state", offsetof(sa_bulk_dom, state), SA_BULK_STATE },
    { "state.reason", offsetof(sa_bulk_dom, reason), SA_BULK_REASON },
    { "cpu.time", offsetof(sa_bulk_dom, cpu_time), SA_BULK_CPU_TIME },
    { "balloon.current", offsetof(sa_bulk_dom, bal_cur), SA_BULK_BAL_CUR },
    { "balloon.maximum", offsetof(sa_bulk_dom, bal_max), SA_BULK_BAL_MAX },
    { "balloon.available", offsetof(sa_bulk_dom, bal_avail), SA_BULK_BAL_AVAIL },
    { "balloon.unused", offsetof(sa_bulk_dom, bal_unused), SA_BULK_BAL_UNUSED },
    { "balloon.rss", offsetof(sa_bulk_dom, bal_rss), SA_BULK_BAL_RSS },
    { "vcpu.current", offsetof(sa_bulk_dom, vcpu_cur), SA_BULK_VCPU_CUR },
    { "vcpu.maximum", offsetof(sa_bulk_dom, vcpu_max), SA_BULK_VCPU_MAX },
};

static const field_map disk_fields[] = {
    { "capacity", offsetof(sa_disk, capacity), SA_DISK_HAS_CAPACITY },
    { "allocation", offsetof(sa_disk, allocation), SA_DISK_HAS_ALLOCATION },
    { "physical", offsetof(sa_disk, physical), SA_DISK_HAS_PHYSICAL },
    { "rd.reqs", offsetof(sa_disk, rd_reqs), SA_DISK_HAS_RD_REQS },
    { "rd.bytes", offsetof(sa_disk, rd_bytes), SA_DISK_HAS_RD_BYTES },
    { "wr.reqs", offsetof(sa_disk, wr_reqs), SA_DISK_HAS_WR_REQS },
    { "wr.bytes", offsetof(sa_disk, wr_bytes), SA_DISK_HAS_WR_BYTES },
    { "fl.reqs", offsetof(sa_disk, fl_reqs), SA_DISK_HAS_FL_REQS },
    { "rd.times", offsetof(sa_disk, rd_time_ns), SA_DISK_HAS_RD_TIME },
    { "wr.times", offsetof(sa_disk, wr_time_ns), SA_DISK_HAS_WR_TIME },
    { "fl.times", offsetof(sa_disk, fl_time_ns), SA_DISK_HAS_FL_TIME },
};

static const field_map nic_fields[] = {
    { "rx.bytes", offsetof(sa_nic, rx_bytes), SA_NIC_HAS_RX_BYTES },
    { "rx.pkts", offsetof(sa_nic, rx_pkts), SA_NIC_HAS_RX_PKTS },
    { "rx.errs", offsetof(sa_nic, rx_errs), SA_NIC_HAS_RX_ERRS },
    { "rx.drop", offsetof(sa_nic, rx_drop), SA_NIC_HAS_RX_DROP },
    { "tx.bytes", offsetof(sa_nic, tx_bytes), SA_NIC_HAS_TX_BYTES },
    { "tx.pkts", offsetof(sa_nic, tx_pkts), SA_NIC_HAS_TX_PKTS },
    { "tx.errs", offsetof(sa_nic, tx_errs), SA_NIC_HAS_TX_ERRS },
    { "tx.drop", offsetof(sa_nic, tx_drop), SA_NIC_HAS_TX_DROP },
};

static const field_map vcpu_fields[] = {
    { "time", offsetof(sa_vcpu, time_ns), SA_VCPU_HAS_TIME },
    { "wait", offsetof(sa_vcpu, wait_ns), SA_VCPU_HAS_WAIT },
};

/* A typed parameter's value as an unsigned 64-bit number; -1 for strings and negatives. */
static int param_u64(const virTypedParameter *p, uint64_t *v)
{
    switch (p->type) {
    case VIR_TYPED_PARAM_INT:
        *v = (uint64_t)p->value.i;
        return p->value.i < 0 ? -1 : 0;
    case VIR_TYPED_PARAM_UINT:
        *v = p->value.ui;
        return 0;
    case VIR_TYPED_PARAM_LLONG:
        *v = (uint64_t)p->value.l;
        return p->value.l < 0 ? -1 : 0;
    case VIR_TYPED_PARAM_ULLONG:
        *v = p->value.ul;
        return 0;
    default:
        return -1;
    }
}

/* For a field "PREFIX.N.rest": the rest, with N in *idx; NULL for other fields. */
static const char *field_index(const char *field, const char *prefix, size_t *idx)
{
    size_t plen = strlen(prefix), v = 0;
    const char *p = field + plen;

    if (strncmp(field, prefix, plen) != 0 || *p < '0' || *p > '9')
        return NULL;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (size_t)(*p - '0');
        if (v > FIELD_INDEX_MAX)
            return NULL;
    }
    if (*p != '.')
        return NULL;
    *idx = v;
    return p + 1;
}

/* Store p in the member of obj that map names for rest. Returns 1 if it did, else 0. */
static int field_store(const field_map *map, size_t n, const char *rest, const virTypedParameter *p,
                       void *obj, unsigned *has)
{
    uint64_t v;

    for (size_t i = 0; i < n; i++) {
        if (strcmp(rest, map[i].name) == 0 && param_u64(p, &v) == 0) {
            memcpy((char *)obj + map[i].off, &v, sizeof(v));
            *has |= map[i].bit;
            return 1;
        }
    }
    return 0;
}

/* Pass one over the record: how many disks, NICs and vCPU slots it describes. */
static void bulk_sizes(const virTypedParameter *par, int npar, sa_bulk_dom *b, size_t *nv)
{
    *nv = 0;
    for (int i = 0; i < npar; i++) {
        const virTypedParameter *p = &par[i];
        uint64_t v;
        size_t idx;
        if (strcmp(p->field, "block.count") == 0 && param_u64(p, &v) == 0) {
            b->has_block = 1;
            if (v > b->n_disk)
                b->n_disk = v > FIELD_INDEX_MAX ? FIELD_INDEX_MAX : (size_t)v;
        } else if (strcmp(p->field, "net.count") == 0 && param_u64(p, &v) == 0) {
            b->has_net = 1;
            if (v > b->n_nic)
                b->n_nic = v > FIELD_INDEX_MAX ? FIELD_INDEX_MAX : (size_t)v;
        } else if (field_index(p->field, "block.", &idx) != NULL) {
            b->has_block = 1;
            b->n_disk = idx + 1 > b->n_disk ? idx + 1 : b->n_disk;
        } else if (field_index(p->field, "net.", &idx) != NULL) {
            b->has_net = 1;
            b->n_nic = idx + 1 > b->n_nic ? idx + 1 : b->n_nic;
        } else if (field_index(p->field, "vcpu.", &idx) != NULL) {
            *nv = idx + 1 > *nv ? idx + 1 : *nv;
        }
    }
}

/* A vCPU field ("vcpu.N." already removed from rest) into u. */
static void bulk_vcpu(sa_vcpu *u, size_t number, const char *rest, const virTypedParameter *p)
{
    uint64_t v;

    u->has |= VCPU_SEEN;
    u->number = (uint32_t)number;
    /* virVcpuState OFFLINE 0, RUNNING 1, BLOCKED 2 are vsVcpuState 1, 2, 3. */
    if (strcmp(rest, "state") == 0 && param_u64(p, &v) == 0 && v <= VIR_VCPU_BLOCKED) {
        u->state = (int)v + VS_VCPU_STATE_OFFLINE;
        u->has |= SA_VCPU_HAS_STATE;
    }
    field_store(vcpu_fields, N_ELEMS(vcpu_fields), rest, p, u, &u->has);
}

/* Store an indexed field ("block.N.x", "net.N.x", "vcpu.N.x"). Returns 1 if it was one, 0 if
 * not, -1 when memory is short. */
static int bulk_indexed(sa_bulk_dom *b, vs_arena *a, const virTypedParameter *p)
{
    const char *rest;
    size_t i;
    int str = p->type == VIR_TYPED_PARAM_STRING;

    if ((rest = field_index(p->field, "block.", &i)) != NULL) {
        sa_disk *d = &b->disk[i];
        if (str && (strcmp(rest, "name") == 0 || strcmp(rest, "path") == 0)) {
            const char **dst = rest[0] == 'n' ? &d->target : &d->source;
            return (*dst = vs_arena_strdup(a, p->value.s)) != NULL ? 1 : -1;
        }
        field_store(disk_fields, N_ELEMS(disk_fields), rest, p, d, &d->has);
    } else if ((rest = field_index(p->field, "net.", &i)) != NULL) {
        sa_nic *n = &b->nic[i];
        if (str && strcmp(rest, "name") == 0)
            return (n->name = vs_arena_strdup(a, p->value.s)) != NULL ? 1 : -1;
        field_store(nic_fields, N_ELEMS(nic_fields), rest, p, n, &n->has);
    } else if ((rest = field_index(p->field, "vcpu.", &i)) != NULL) {
        bulk_vcpu(&b->vcpu[i], i, rest, p);
    } else {
        return 0;
    }
    return 1;
}

/* Keep only the vCPU slots the record named, in number order. */
static void bulk_vcpu_compact(sa_bulk_dom *b)
{
    size_t k = 0;

    for (size_t i = 0; i < b->n_vcpu; i++) {
        if (b->vcpu[i].has & VCPU_SEEN) {
            b->vcpu[k] = b->vcpu[i];
            b->vcpu[k++].has &= ~VCPU_SEEN;
        }
    }
    b->n_vcpu = k;
}

int sa_bulk_parse(const virTypedParameter *par, int npar, vs_arena *arena, sa_bulk_dom *out)
{
    size_t nv;

    memset(out, 0, sizeof(*out));
    bulk_sizes(par, npar, out, &nv);
    /* Arrays only for devices the record has: most drivers' records, and every inactive
     * domain's, have none, and the arrays live as long as the snapshot. */
    out->disk = out->n_disk ? vs_arena_calloc(arena, out->n_disk, sizeof(*out->disk)) : NULL;
    out->nic = out->n_nic ? vs_arena_calloc(arena, out->n_nic, sizeof(*out->nic)) : NULL;
    out->vcpu = nv ? vs_arena_calloc(arena, nv, sizeof(*out->vcpu)) : NULL;
    if ((out->n_disk && out->disk == NULL) || (out->n_nic && out->nic == NULL)
        || (nv && out->vcpu == NULL))
        return -1;
    out->n_vcpu = nv;
    for (int i = 0; i < npar; i++) {
        int rc = bulk_indexed(out, arena, &par[i]);
        if (rc < 0)
            return -1;
        if (rc == 0)
            field_store(dom_fields, N_ELEMS(dom_fields), par[i].field, &par[i], out, &out->has);
    }
    bulk_vcpu_compact(out);
    return 0;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    h ^= 0xff;
    return h * 1099511628211ULL;
}

uint64_t sa_bulk_names_sig(const sa_bulk_dom *b)
{
    uint64_t h = 1469598103934665603ULL;

    if (!b->has_block && !b->has_net)
        return 0;
    for (size_t i = 0; i < b->n_disk; i++)
        h = fnv_str(h, b->disk[i].target);
    h = fnv_str(h, "\n");
    for (size_t i = 0; i < b->n_nic; i++)
        h = fnv_str(h, b->nic[i].name);
    return h | 1;
}
