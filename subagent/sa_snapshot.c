/* sa_snapshot: an immutable picture of one hypervisor, shared by reference counting between
 * the sampler thread that built it and the SNMP thread that serves it. */
#include "config.h"

#include "sa_snapshot.h"

#include <stdlib.h>
#include <string.h>

#define SNAPSHOT_CHUNK (64 * 1024)

sa_snapshot *sa_snapshot_new(void)
{
    sa_snapshot *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    atomic_init(&s->refs, 1);
    vs_arena_init(&s->arena, SNAPSHOT_CHUNK);
    s->name = s->uri = s->hostname = s->driver = "";
    s->driver_version = s->libvirt_version = s->cpu_model = s->last_error = "";
    return s;
}

void sa_snapshot_ref(sa_snapshot *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void sa_snapshot_unref(sa_snapshot *s)
{
    if (s == NULL)
        return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    vs_arena_free(&s->arena);
    free(s);
}

size_t sa_snapshot_vm_lower_bound(const sa_snapshot *s, int32_t index)
{
    size_t lo = 0, hi = s->n_vm;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->vm[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const sa_vm *sa_snapshot_find_vm(const sa_snapshot *s, int32_t index)
{
    size_t i = sa_snapshot_vm_lower_bound(s, index);
    return i < s->n_vm && s->vm[i].index == index ? &s->vm[i] : NULL;
}

/* The snapshot being sorted by sa_snapshot_index_uuids; qsort has no context argument. Only
 * sampler threads index UUIDs, each its own snapshot, so this is per thread. */
static _Thread_local const sa_snapshot *uuid_sort_snapshot;

static int uuid_pos_cmp(const void *a, const void *b)
{
    const sa_vm *va = &uuid_sort_snapshot->vm[*(const uint32_t *)a];
    const sa_vm *vb = &uuid_sort_snapshot->vm[*(const uint32_t *)b];
    return memcmp(va->uuid, vb->uuid, SA_UUID_LEN);
}

int sa_snapshot_index_uuids(sa_snapshot *s)
{
    uint32_t *pos = vs_arena_calloc(&s->arena, s->n_vm ? s->n_vm : 1, sizeof(*pos));
    if (pos == NULL)
        return -1;
    for (size_t i = 0; i < s->n_vm; i++)
        pos[i] = (uint32_t)i;
    uuid_sort_snapshot = s;
    qsort(pos, s->n_vm, sizeof(*pos), uuid_pos_cmp);
    uuid_sort_snapshot = NULL;
    s->by_uuid = pos;
    return 0;
}
