/* sa_sample: one sample of a connected hypervisor: host figures, then every domain from one
 * virConnectGetAllDomainStats call (with per-domain calls only for what it lacks), merged with
 * a cache of the facts read from each domain's XML, into a new sa_snapshot. */
#include "config.h"

#include "sa_sample.h"

#include <libvirt/virterror.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sa_bulk.h"
#include "sa_domxml.h"
#include "sa_host.h"
#include "sa_names.h"
#include "vs_log.h"
#include "vs_mib.h"
#include "vs_vmstate.h"

#define SAMPLE_STATS                                                                               \
    (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON                \
     | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)

/* A domain's facts from its XML, kept between samples. */
/* State texts kept per sample: libvirt's states and reasons are small numbers. */
#define STATE_TEXT_STATES 16
#define STATE_TEXT_REASONS 32

typedef struct {
    unsigned char uuid[SA_UUID_LEN];
    int32_t domain_id;  /* the domain ID (-1 inactive) when the XML was read */
    uint64_t names_sig; /* fingerprint of the bulk call's device names then (0: none) */
    sa_domxml *xml;     /* NULL when it could not be parsed */
} cache_ent;

struct sa_sampler {
    char *name;
    sa_vmindex *map;
    sa_host host;
    int no_bulk;      /* virConnectGetAllDomainStats unsupported on this connection */
    int no_memstats;  /* virDomainMemoryStats gave nothing in a whole sample: stop asking */
    cache_ent *cache; /* sorted by UUID */
    size_t n_cache;
    vs_complaint xml_fail;
};

/* UUIDs listed by one filtered virConnectListAllDomains, sorted. */
typedef struct {
    unsigned char (*uuid)[SA_UUID_LEN];
    size_t n;
    int ok; /* the call worked */
} uuid_set;

/* Everything one sample works with. */
typedef struct {
    sa_sampler *sp;
    virConnectPtr conn;
    const sa_snapshot *prev;
    sa_snapshot *snap;
    time_t now;
    int watching; /* prev is a sample of this connection: a VM seen starting started now */
    uuid_set autostart, persistent, managed;
    size_t memstats_asked, memstats_got; /* virDomainMemoryStats calls, and those with data */
    const char *state_text[STATE_TEXT_STATES][STATE_TEXT_REASONS]; /* see state_text() */
    cache_ent *cache; /* the cache this sample builds */
    size_t n_cache;
    char *err;
    size_t err_size;
} sample_ctx;

/* One domain: its bulk record, and virDomainGetInfo's answer when the record lacked figures. */
typedef struct {
    virDomainPtr dom;
    const virTypedParameter *par;
    int npar;
    sa_bulk_dom b;
    int has_info;
    virDomainInfo info;
} vm_raw;

/* ---- small helpers ---- */

/* Record libvirt's last error for call in the sample's err. Returns -1. */
static int sample_fail(sample_ctx *c, const char *call)
{
    snprintf(c->err, c->err_size, "%s: %s", call, virGetLastErrorMessage());
    return -1;
}

/* A per-domain call failed: 1 when the domain went away (skip it), else -1 (err set). */
static int domain_fail(sample_ctx *c, const vm_raw *r, const char *call)
{
    if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
        return 1;
    snprintf(c->err, c->err_size, "%s(%s): %s", call, virDomainGetName(r->dom),
             virGetLastErrorMessage());
    return -1;
}

static int uuid_cmp(const void *a, const void *b)
{
    return memcmp(a, b, SA_UUID_LEN);
}

static int uuid_set_has(const uuid_set *s, const unsigned char *uuid)
{
    return s->n > 0 && bsearch(uuid, s->uuid, s->n, SA_UUID_LEN, uuid_cmp) != NULL;
}

long sa_sample_find_uuid(const sa_snapshot *s, const unsigned char *uuid)
{
    size_t lo = 0, hi = s != NULL && s->by_uuid != NULL ? s->n_vm : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = memcmp(s->vm[s->by_uuid[mid]].uuid, uuid, SA_UUID_LEN);
        if (d == 0)
            return (long)s->by_uuid[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* An arena copy of s, "" for NULL. Never NULL unless memory is short. */
static const char *snap_str(sample_ctx *c, const char *s)
{
    const char *w = sa_domxml_common(s != NULL ? s : "");
    return w != NULL ? w : vs_arena_strdup(&c->snap->arena, s);
}

/* The state text of (state, reason), made once per sample and shared by its VMs. */
static const char *state_text(sample_ctx *c, int state, int reason)
{
    char buf[128];
    if (state < 0 || state >= STATE_TEXT_STATES || reason < 0 || reason >= STATE_TEXT_REASONS)
        return snap_str(c, sa_names_state_reason(state, reason, buf, sizeof(buf)));
    const char **t = &c->state_text[state][reason];
    if (*t == NULL)
        *t = snap_str(c, sa_names_state_reason(state, reason, buf, sizeof(buf)));
    return *t;
}

/* ---- the sampler ---- */

sa_sampler *sa_sampler_new(const char *hv_name, sa_vmindex *map)
{
    sa_sampler *sp = calloc(1, sizeof(*sp));
    if (sp == NULL || (sp->name = strdup(hv_name)) == NULL) {
        free(sp);
        return NULL;
    }
    sp->map = map;
    sa_host_init(&sp->host, sp->name);
    return sp;
}

/* Forget the cached domain facts. */
static void cache_clear(cache_ent *cache, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sa_domxml_free(cache[i].xml);
    free(cache);
}

void sa_sampler_reset(sa_sampler *sp)
{
    sa_host_reset(&sp->host);
    sp->no_bulk = 0;
    sp->no_memstats = 0;
    cache_clear(sp->cache, sp->n_cache);
    sp->cache = NULL;
    sp->n_cache = 0;
}

void sa_sampler_free(sa_sampler *sp)
{
    if (sp == NULL)
        return;
    sa_sampler_reset(sp);
    free(sp->name);
    free(sp);
}

/* Balloon figures from virDomainMemoryStats (KiB, as the bulk call's) for an active domain
 * whose bulk record has none, unless this connection gave none in a whole sample before. A
 * failure only leaves the values absent. */
static void raw_memstats(sample_ctx *c, vm_raw *r)
{
    virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
    sa_bulk_dom *b = &r->b;

    if (c->sp->no_memstats || (b->has & (SA_BULK_BAL_AVAIL | SA_BULK_BAL_UNUSED | SA_BULK_BAL_RSS)))
        return;
    c->memstats_asked++;
    int n = virDomainMemoryStats(r->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    for (int i = 0; i < n; i++) {
        if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_AVAILABLE) {
            b->bal_avail = st[i].val;
            b->has |= SA_BULK_BAL_AVAIL;
        } else if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED) {
            b->bal_unused = st[i].val;
            b->has |= SA_BULK_BAL_UNUSED;
        } else if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) {
            b->bal_rss = st[i].val;
            b->has |= SA_BULK_BAL_RSS;
        }
    }
    if (n > 0)
        c->memstats_got++;
    else
        virResetLastError();
}

/* Ask for what the bulk record lacked: the state, and virDomainGetInfo when the record has no
 * balloon.current, or no cpu.time for an active domain. 0, 1 (domain gone) or -1 (err set). */
static int raw_fill_missing(sample_ctx *c, vm_raw *r, int active)
{
    sa_bulk_dom *b = &r->b;

    if (!(b->has & SA_BULK_STATE)) {
        int state, reason;
        if (virDomainGetState(r->dom, &state, &reason, 0) < 0)
            return domain_fail(c, r, "virDomainGetState");
        b->state = (uint64_t)state;
        b->reason = (uint64_t)reason;
        b->has |= SA_BULK_STATE | SA_BULK_REASON;
    }
    if (!(b->has & SA_BULK_BAL_CUR) || (active && !(b->has & SA_BULK_CPU_TIME))) {
        if (virDomainGetInfo(r->dom, &r->info) < 0)
            return domain_fail(c, r, "virDomainGetInfo");
        r->has_info = 1;
    }
    if (active)
        raw_memstats(c, r);
    return 0;
}

/* ---- the definition cache ---- */

static int cache_cmp(const void *a, const void *b)
{
    return memcmp(((const cache_ent *)a)->uuid, ((const cache_ent *)b)->uuid, SA_UUID_LEN);
}

/* Read the domain's XML into a new cache entry, logging (throttled) when it cannot be parsed.
 * Returns 0, 1 (domain gone) or -1 (err set). */
static int cache_read(sample_ctx *c, vm_raw *r, cache_ent *ent)
{
    char msg[256];

    char *text = virDomainGetXMLDesc(r->dom, 0);
    if (text == NULL)
        return domain_fail(c, r, "virDomainGetXMLDesc");
    sa_domxml_free(ent->xml);
    ent->xml = sa_domxml_parse(text, strlen(text), msg, sizeof(msg));
    free(text);
    if (ent->xml == NULL)
        vs_complain(&c->sp->xml_fail, vs_log_now(), VS_LOG_WARNING, c->sp->name,
                    "cannot read the definition of VM %s: %s", virDomainGetName(r->dom), msg);
    return 0;
}

/* The cached facts of the domain's definition in *xml (NULL when unreadable), read again when
 * the domain is new, its ID changed or the bulk device names changed. Moves the entry into the
 * cache this sample builds. Returns 0, 1 (domain gone) or -1 (err set). */
static int vm_definition(sample_ctx *c, vm_raw *r, const unsigned char *uuid, int32_t id,
                         const sa_domxml **xml)
{
    cache_ent key, *ent = &c->cache[c->n_cache];
    uint64_t sig = sa_bulk_names_sig(&r->b);

    memcpy(key.uuid, uuid, SA_UUID_LEN);
    cache_ent *old = c->sp->n_cache > 0
                         ? bsearch(&key, c->sp->cache, c->sp->n_cache, sizeof(key), cache_cmp)
                         : NULL;
    if (old != NULL) {
        *ent = *old;
        old->xml = NULL;
    } else {
        memset(ent, 0, sizeof(*ent));
        memcpy(ent->uuid, uuid, SA_UUID_LEN);
    }
    if (old == NULL || ent->domain_id != id || (sig != 0 && sig != ent->names_sig)) {
        int rc = cache_read(c, r, ent);
        if (rc != 0) {
            sa_domxml_free(ent->xml);
            return rc;
        }
        ent->domain_id = id;
        ent->names_sig = sig;
    }
    c->n_cache++;
    *xml = ent->xml;
    return 0;
}

/* Replace the sampler's cache with the one this sample built. */
static void cache_install(sample_ctx *c)
{
    qsort(c->cache, c->n_cache, sizeof(*c->cache), cache_cmp);
    cache_clear(c->sp->cache, c->sp->n_cache);
    c->sp->cache = c->cache;
    c->sp->n_cache = c->n_cache;
    c->cache = NULL;
    c->n_cache = 0;
}

/* ---- one VM ---- */

/* vCPU counts, memory sizes and CPU time: from the bulk record, else virDomainGetInfo, else
 * the definition. */
static void vm_resources(const vm_raw *r, const sa_domxml *x, sa_vm *vm)
{
    const sa_bulk_dom *b = &r->b;

    if (b->has & SA_BULK_VCPU_CUR)
        vm->vcpus = (uint32_t)b->vcpu_cur;
    else if (r->has_info)
        vm->vcpus = r->info.nrVirtCpu;
    else if (x != NULL)
        vm->vcpus = x->vcpus_current;
    if ((b->has & SA_BULK_VCPU_CUR) || r->has_info || (x != NULL && x->vcpus_current > 0))
        vm->has |= SA_VM_HAS_VCPUS;
    vm->vcpus_max = b->has & SA_BULK_VCPU_MAX ? (uint32_t)b->vcpu_max : x ? x->vcpus_max : 0;
    if (vm->vcpus_max > 0)
        vm->has |= SA_VM_HAS_VCPUS_MAX;
    uint64_t cur = b->has & SA_BULK_BAL_CUR ? b->bal_cur
                   : r->has_info            ? r->info.memory
                   : x                      ? x->mem_cur_kib
                                            : 0;
    uint64_t max = b->has & SA_BULK_BAL_MAX ? b->bal_max
                   : r->has_info            ? r->info.maxMem
                   : x                      ? x->mem_max_kib
                                            : 0;
    vm->mem_target_mib = (uint32_t)(cur / 1024 > UINT32_MAX ? UINT32_MAX : cur / 1024);
    vm->mem_max_mib = (uint32_t)(max / 1024 > UINT32_MAX ? UINT32_MAX : max / 1024);
    vm->has |= (cur > 0 ? SA_VM_HAS_MEM_TARGET : 0) | (max > 0 ? SA_VM_HAS_MEM_MAX : 0);
    if (!vm->active)
        return;
    if (b->has & SA_BULK_BAL_AVAIL) {
        vm->mem_available = b->bal_avail * 1024;
        vm->has |= SA_VM_HAS_MEM_AVAILABLE;
        if ((b->has & SA_BULK_BAL_UNUSED) && b->bal_avail >= b->bal_unused) {
            vm->mem_used = (b->bal_avail - b->bal_unused) * 1024;
            vm->has |= SA_VM_HAS_MEM_USED;
        }
    }
    if (b->has & SA_BULK_BAL_RSS) {
        vm->mem_rss = b->bal_rss * 1024;
        vm->has |= SA_VM_HAS_MEM_RSS;
    }
    if ((b->has & SA_BULK_CPU_TIME) || r->has_info) {
        vm->cpu_time_ns = b->has & SA_BULK_CPU_TIME ? b->cpu_time : r->info.cpuTime;
        vm->has |= SA_VM_HAS_CPU_TIME;
    }
}

/* libvirt state and reason, vsVmOperState and the state text. -1 when memory is short. */
static int vm_state(sample_ctx *c, const vm_raw *r, sa_vm *vm)
{
    vm->lv_state = (int)r->b.state;
    vm->lv_reason = (int)r->b.reason;
    vs_vm_facts f = { vm->lv_state, vm->lv_reason, vm->active, vm->persistent,
                      vm->has_managed_save };
    vm->oper_state = vs_vm_oper_state(&f);
    vm->state_reason = state_text(c, vm->lv_state, vm->lv_reason);
    return vm->state_reason != NULL ? 0 : -1;
}

/* vCPU rows of an active VM: the bulk record's, else 0..vcpus-1 with only their number. */
static int vm_vcpus(sample_ctx *c, const vm_raw *r, sa_vm *vm)
{
    if (!vm->active)
        return 0;
    if (r->b.n_vcpu > 0) {
        vm->vcpu = r->b.vcpu;
        vm->n_vcpu = r->b.n_vcpu;
        return 0;
    }
    if (!(vm->has & SA_VM_HAS_VCPUS) || vm->vcpus == 0)
        return 0;
    sa_vcpu *v = vs_arena_calloc(&c->snap->arena, vm->vcpus, sizeof(*v));
    if (v == NULL)
        return -1;
    for (uint32_t i = 0; i < vm->vcpus; i++)
        v[i].number = i;
    vm->vcpu = v;
    vm->n_vcpu = vm->vcpus;
    return 0;
}

/* Disk rows: the bulk record's (a missing path taken from the definition), else the
 * definition's with every counter absent. */
static int vm_disks(sample_ctx *c, const vm_raw *r, const sa_domxml *x, sa_vm *vm)
{
    if (r->b.has_block) {
        for (size_t i = 0; i < r->b.n_disk; i++) {
            sa_disk *d = &r->b.disk[i];
            const char *src = "";
            for (size_t j = 0; d->source == NULL && x != NULL && j < x->n_disk; j++) {
                if (d->target != NULL && strcmp(x->disk[j].target, d->target) == 0)
                    src = x->disk[j].source;
            }
            if (d->target == NULL)
                d->target = "";
            if (d->source == NULL && (d->source = snap_str(c, src)) == NULL)
                return -1;
        }
        vm->disk = r->b.disk;
        vm->n_disk = r->b.n_disk;
        return 0;
    }
    if (x == NULL || x->n_disk == 0)
        return 0;
    sa_disk *d = vs_arena_calloc(&c->snap->arena, x->n_disk, sizeof(*d));
    if (d == NULL)
        return -1;
    for (size_t i = 0; i < x->n_disk; i++) {
        d[i].target = snap_str(c, x->disk[i].target);
        d[i].source = snap_str(c, x->disk[i].source);
        if (d[i].target == NULL || d[i].source == NULL)
            return -1;
    }
    vm->disk = d;
    vm->n_disk = x->n_disk;
    return 0;
}

/* Copy the definition's facts of an interface into a NIC row. -1 when memory is short. */
static int nic_from_def(sample_ctx *c, const sa_domxml_nic *xn, sa_nic *n)
{
    if (xn != NULL && xn->has_mac) {
        memcpy(n->mac, xn->mac, sizeof(n->mac));
        n->has |= SA_NIC_HAS_MAC;
    }
    n->model = snap_str(c, xn ? xn->model : "");
    n->source_type = snap_str(c, xn ? xn->type : "");
    n->source = snap_str(c, xn ? xn->source : "");
    return n->model && n->source_type && n->source ? 0 : -1;
}

/* NIC rows: the bulk record's, completed from the definition (matched by host-side name, or
 * by position when the counts agree), else the definition's with every counter absent. */
static int vm_nics(sample_ctx *c, const vm_raw *r, const sa_domxml *x, sa_vm *vm)
{
    size_t nx = x != NULL ? x->n_nic : 0;

    if (r->b.has_net) {
        for (size_t i = 0; i < r->b.n_nic; i++) {
            sa_nic *n = &r->b.nic[i];
            const sa_domxml_nic *xn = i < nx && nx == r->b.n_nic ? &x->nic[i] : NULL;
            for (size_t j = 0; n->name != NULL && *n->name && j < nx; j++) {
                if (strcmp(x->nic[j].target, n->name) == 0)
                    xn = &x->nic[j];
            }
            if (n->name == NULL)
                n->name = "";
            if (nic_from_def(c, xn, n) < 0)
                return -1;
        }
        vm->nic = r->b.nic;
        vm->n_nic = r->b.n_nic;
        return 0;
    }
    if (nx == 0)
        return 0;
    sa_nic *n = vs_arena_calloc(&c->snap->arena, nx, sizeof(*n));
    if (n == NULL)
        return -1;
    for (size_t i = 0; i < nx; i++) {
        n[i].name = snap_str(c, vm->active ? x->nic[i].target : "");
        if (n[i].name == NULL || nic_from_def(c, &x->nic[i], &n[i]) < 0)
            return -1;
    }
    vm->nic = n;
    vm->n_nic = nx;
    return 0;
}

/* Whether a and b have the same vCPUs, disks and NICs (a change moves the discontinuity). */
static int same_devices(const sa_vm *a, const sa_vm *b)
{
    if (a->n_vcpu != b->n_vcpu || a->n_disk != b->n_disk || a->n_nic != b->n_nic)
        return 0;
    for (size_t i = 0; i < a->n_vcpu; i++) {
        if (a->vcpu[i].number != b->vcpu[i].number)
            return 0;
    }
    for (size_t i = 0; i < a->n_disk; i++) {
        if (strcmp(a->disk[i].target, b->disk[i].target) != 0)
            return 0;
    }
    for (size_t i = 0; i < a->n_nic; i++) {
        const sa_nic *x = &a->nic[i], *y = &b->nic[i];
        if ((x->has & SA_NIC_HAS_MAC) != (y->has & SA_NIC_HAS_MAC)
            || memcmp(x->mac, y->mac, sizeof(x->mac)) != 0 || strcmp(x->name, y->name) != 0)
            return 0;
    }
    return 1;
}

/* Start time (kept in the index map), discontinuity and CPU utilisation, per the MIB's
 * vsVmUptime, vsVmDiscontinuityTime and vsVmCpuUtil. pv: the VM in the previous sample. */
static void vm_times(sample_ctx *c, sa_vm *vm, const sa_vmindex_entry *e, const sa_vm *pv)
{
    int known = !vm->active;
    int64_t start = 0;

    if (vm->active && e->domain_id == vm->domain_id) {
        known = e->start_known;
        start = e->start_time;
    } else if (vm->active && c->watching) {
        /* It started since the previous sample (or appeared, created running). */
        known = 1;
        start = c->now;
    }
    vm->start_time = (time_t)start;
    vm->has |= known ? SA_VM_HAS_START_TIME : 0;

    int moved = pv == NULL || (vm->active && (!pv->active || pv->domain_id != vm->domain_id))
                || !same_devices(vm, pv);
    vm->discontinuity = moved ? c->now : pv->discontinuity;
    if (moved || !(pv->has & SA_VM_HAS_CPU_TIME) || !(vm->has & SA_VM_HAS_CPU_TIME)
        || vm->cpu_time_ns < pv->cpu_time_ns || !(vm->has & SA_VM_HAS_VCPUS) || vm->vcpus == 0)
        return;
    double dt = c->snap->sample_mono - c->prev->sample_mono;
    if (dt <= 0)
        return;
    double u = (double)(vm->cpu_time_ns - pv->cpu_time_ns) / (dt * 1e9 * vm->vcpus) * 10000.0;
    vm->cpu_util = u > 10000.0 ? 10000 : (uint32_t)(u + 0.5);
    vm->has |= SA_VM_HAS_CPU_UTIL;
}

/* Build the VM of one record into vm. Returns 0, 1 (the domain went away: skip it) or -1 (err
 * set). */
static int vm_build(sample_ctx *c, vm_raw *r, sa_vm *vm)
{
    const sa_domxml *x = NULL;
    sa_vmindex_entry e;
    unsigned id = virDomainGetID(r->dom);

    memset(vm, 0, sizeof(*vm));
    if (virDomainGetUUID(r->dom, vm->uuid) < 0)
        return domain_fail(c, r, "virDomainGetUUID");
    vm->active = id != (unsigned)-1;
    if (vm->active) {
        vm->domain_id = (int32_t)id;
        vm->has |= SA_VM_HAS_DOMAIN_ID;
    }
    if (sa_bulk_parse(r->par, r->npar, &c->snap->arena, &r->b) < 0)
        goto oom;
    int rc = raw_fill_missing(c, r, vm->active);
    if (rc == 0)
        rc = vm_definition(c, r, vm->uuid, vm->active ? vm->domain_id : -1, &x);
    if (rc != 0)
        return rc;
    /* A new UUID gets its index after the loop (0 until then), in name order. */
    if (sa_vmindex_find(c->sp->map, vm->uuid, &e) < 0)
        e = (sa_vmindex_entry){ 0, -1, 0, 0 };
    vm->index = e.index;
    vm->name = snap_str(c, virDomainGetName(r->dom));
    vm->os_type = snap_str(c, x != NULL ? x->os_type : "");
    vm->persistent = uuid_set_has(&c->persistent, vm->uuid);
    vm->autostart = uuid_set_has(&c->autostart, vm->uuid);
    vm->has |= c->autostart.ok ? SA_VM_HAS_AUTOSTART : 0;
    vm->has_managed_save = uuid_set_has(&c->managed, vm->uuid);
    vm_resources(r, x, vm);
    if (vm->name == NULL || vm->os_type == NULL || vm_state(c, r, vm) < 0 || vm_vcpus(c, r, vm) < 0
        || vm_disks(c, r, x, vm) < 0 || vm_nics(c, r, x, vm) < 0)
        goto oom;
    long pos = sa_sample_find_uuid(c->prev, vm->uuid);
    vm_times(c, vm, &e, pos >= 0 ? &c->prev->vm[pos] : NULL);
    return 0;
oom:
    snprintf(c->err, c->err_size, "out of memory");
    return -1;
}

/* ---- the whole sample ---- */

/* The domains to sample: bulk records, or (driver without the bulk call) every domain with no
 * parameters, so that per-domain calls fill them. */
typedef struct {
    virDomainStatsRecordPtr *recs;
    virDomainPtr *doms;
    int n;
} record_list;

static int records_fetch(sample_ctx *c, record_list *l)
{
    if (!c->sp->no_bulk) {
        l->n = virConnectGetAllDomainStats(c->conn, SAMPLE_STATS, &l->recs, 0);
        if (l->n >= 0)
            return 0;
        if (virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
            return sample_fail(c, "virConnectGetAllDomainStats");
        c->sp->no_bulk = 1;
        VS_LOG(VS_LOG_INFO, c->sp->name, "the driver has no bulk statistics: sampling each VM");
    }
    l->n = virConnectListAllDomains(c->conn, &l->doms, 0);
    return l->n < 0 ? sample_fail(c, "virConnectListAllDomains") : 0;
}

static void records_free(record_list *l)
{
    if (l->recs != NULL)
        virDomainStatsRecordListFree(l->recs);
    for (int i = 0; l->doms != NULL && i < l->n; i++)
        virDomainFree(l->doms[i]);
    free(l->doms);
}

/* List the domains matching flags into s, sorted. Returns 0 or -1 (libvirt's error set, or
 * memory short). */
static int uuid_set_fill(sample_ctx *c, unsigned flags, uuid_set *s)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c->conn, &doms, flags);

    if (n < 0)
        return -1;
    s->uuid = malloc((n ? (size_t)n : 1) * SA_UUID_LEN);
    for (int i = 0; i < n; i++) {
        if (s->uuid != NULL && virDomainGetUUID(doms[i], s->uuid[s->n]) == 0)
            s->n++;
        virDomainFree(doms[i]);
    }
    free(doms);
    if (s->uuid == NULL)
        return -1;
    qsort(s->uuid, s->n, SA_UUID_LEN, uuid_cmp);
    s->ok = 1;
    return 0;
}

/* The persistent, autostart and managed-save sets: one list call each. Only a failure of the
 * first fails the sample; without the others, autostart is absent and no VM has a managed
 * save. */
static int sample_lists(sample_ctx *c)
{
    if (uuid_set_fill(c, VIR_CONNECT_LIST_DOMAINS_PERSISTENT, &c->persistent) < 0)
        return sample_fail(c, "virConnectListAllDomains(PERSISTENT)");
    if (uuid_set_fill(c, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, &c->autostart) < 0)
        VS_LOG(VS_LOG_DEBUG, c->sp->name, "virConnectListAllDomains(AUTOSTART): %s",
               virGetLastErrorMessage());
    if (uuid_set_fill(c, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, &c->managed) < 0)
        VS_LOG(VS_LOG_DEBUG, c->sp->name, "virConnectListAllDomains(MANAGEDSAVE): %s",
               virGetLastErrorMessage());
    return 0;
}

static int vm_index_cmp(const void *a, const void *b)
{
    int32_t x = ((const sa_vm *)a)->index, y = ((const sa_vm *)b)->index;
    return (x > y) - (x < y);
}

/* New VMs first, by name then UUID. */
static int vm_new_cmp(const void *a, const void *b)
{
    const sa_vm *x = a, *y = b;
    if ((x->index == 0) != (y->index == 0))
        return x->index == 0 ? -1 : 1;
    int d = strcmp(x->name, y->name);
    return d != 0 ? d : memcmp(x->uuid, y->uuid, SA_UUID_LEN);
}

/* Give the VMs seen for the first time their indexes, in name order (so that a first start
 * numbers them predictably), and record every VM's domain ID and start time in the map.
 * Returns 0 or -1 (err set). */
static int vm_indexes(sample_ctx *c, sa_vm *vms, size_t n)
{
    sa_vmindex_entry e;
    size_t n_new = 0;

    for (size_t i = 0; i < n; i++)
        n_new += vms[i].index == 0;
    if (n_new > 0)
        qsort(vms, n, sizeof(*vms), vm_new_cmp);
    for (size_t i = 0; i < n; i++) {
        sa_vm *vm = &vms[i];
        if (vm->index == 0) {
            if (sa_vmindex_get(c->sp->map, vm->uuid, &e) < 0) {
                snprintf(c->err, c->err_size, "no VM index for %s", vm->name);
                return -1;
            }
            vm->index = e.index;
        }
        int known = vm->active && (vm->has & SA_VM_HAS_START_TIME);
        sa_vmindex_set_run(c->sp->map, vm->uuid, vm->active ? vm->domain_id : -1,
                           known ? (int64_t)vm->start_time : 0, known);
    }
    return 0;
}

/* Every VM of the records into the snapshot, sorted by index. Returns 0 or -1 (err set). */
static int sample_vms(sample_ctx *c, const record_list *l)
{
    size_t n = (size_t)l->n;
    sa_vm *vms = vs_arena_calloc(&c->snap->arena, n ? n : 1, sizeof(*vms));
    c->cache = calloc(n ? n : 1, sizeof(*c->cache));
    if (vms == NULL || c->cache == NULL) {
        snprintf(c->err, c->err_size, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        vm_raw r = { .dom = l->recs ? l->recs[i]->dom : l->doms[i] };
        r.par = l->recs ? l->recs[i]->params : NULL;
        r.npar = l->recs ? l->recs[i]->nparams : 0;
        int rc = vm_build(c, &r, &vms[k]);
        if (rc < 0)
            return -1;
        k += rc == 0;
    }
    if (vm_indexes(c, vms, k) < 0)
        return -1;
    qsort(vms, k, sizeof(*vms), vm_index_cmp);
    c->snap->vm = vms;
    c->snap->n_vm = k;
    if (sa_snapshot_index_uuids(c->snap) < 0) {
        snprintf(c->err, c->err_size, "out of memory");
        return -1;
    }
    return 0;
}

/* VM counts and vsHvLastChange (connection state, VM set or an oper state changed). */
static void sample_finish(sample_ctx *c)
{
    sa_snapshot *s = c->snap;
    int changed = !c->watching;
    size_t matched = 0;

    if (c->memstats_asked > 0 && c->memstats_got == 0)
        c->sp->no_memstats = 1;

    for (size_t i = 0; i < s->n_vm; i++) {
        const sa_vm *vm = &s->vm[i];
        s->vm_active += vm->active != 0;
        s->vm_running += vm->oper_state == VS_VM_OPER_STATE_RUNNING;
        long pos = c->watching ? sa_sample_find_uuid(c->prev, vm->uuid) : -1;
        if (pos < 0 || c->prev->vm[pos].oper_state != vm->oper_state)
            changed = 1;
        matched += pos >= 0;
    }
    s->vm_count = (uint32_t)s->n_vm;
    if (c->watching && matched != c->prev->n_vm)
        changed = 1;
    s->last_change = changed ? c->now : c->prev->last_change;
}

int sa_sample_take(sa_sampler *sp, virConnectPtr conn, const sa_snapshot *prev, sa_snapshot *snap,
                   char *err, size_t err_size)
{
    sample_ctx c = {
        .sp = sp, .conn = conn, .prev = prev, .snap = snap, .err = err, .err_size = err_size
    };
    record_list l = { NULL, NULL, 0 };
    int rc = -1;

    c.now = time(NULL);
    snap->sample_mono = vs_log_now();
    snap->sample_time = c.now;
    snap->has |= SA_HV_HAS_SAMPLE_TIME;
    snap->conn_state = VS_HV_CONN_STATE_CONNECTED;
    c.watching = prev != NULL && prev->conn_state == VS_HV_CONN_STATE_CONNECTED;
    if (sa_host_sample(&sp->host, conn, c.watching ? prev : NULL, snap, err, err_size) == 0
        && records_fetch(&c, &l) == 0 && sample_lists(&c) == 0 && sample_vms(&c, &l) == 0) {
        sample_finish(&c);
        cache_install(&c);
        sa_vmindex_save(sp->map);
        rc = 0;
    } else {
        /* Entries may have moved out of the old cache: start the cache again. */
        cache_clear(c.cache, c.n_cache);
        cache_clear(sp->cache, sp->n_cache);
        sp->cache = NULL;
        sp->n_cache = 0;
    }
    records_free(&l);
    free(c.persistent.uuid);
    free(c.autostart.uuid);
    free(c.managed.uuid);
    return rc;
}
