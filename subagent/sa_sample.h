/* sa_sample: one sample of a connected hypervisor into a new snapshot. Bulk calls first
 * (virConnectGetAllDomainStats, one virConnectListAllDomains per filter); per-domain calls only
 * for what the bulk call did not give; a domain's XML only when it is first seen, when its
 * domain ID changes or when the bulk call's device names change. Rates, start times and
 * discontinuities come from the previous snapshot and the hypervisor's VM index map.
 *
 * A sampler belongs to one sampler thread; nothing here is shared with other threads. */
#ifndef SA_SAMPLE_H
#define SA_SAMPLE_H

#include <stddef.h>

#include <libvirt/libvirt.h>

#include "sa_snapshot.h"
#include "sa_vmindex.h"

typedef struct sa_sampler sa_sampler;

/* A sampler for the hypervisor called hv_name (the target of its log lines) that gives VMs
 * their indexes from map (borrowed: it must outlive the sampler). NULL when memory is short. */
sa_sampler *sa_sampler_new(const char *hv_name, sa_vmindex *map);

/* Free the sampler and its cache; accepts NULL. */
void sa_sampler_free(sa_sampler *sp);

/* The connection was replaced: read the host's identity again and forget the cached domain
 * definitions and what the old connection did not support. */
void sa_sampler_reset(sa_sampler *sp);

/* Sample conn into snap, a new snapshot whose name, uri, hv_index, connected_since,
 * last_error and last_error_time the caller has set. Fills in everything libvirt tells:
 * identity, host figures, VMs (sorted by index, by_uuid built), counts, rates and last_change
 * against prev (the snapshot posted before, whatever its state, or NULL), sample times, and
 * conn_state connected; saves the VM index map when it changed.
 *
 * Returns 0, or -1 with libvirt's message for the failure in err; the caller logs it and drops
 * snap. Per-domain failures for a domain that went away meanwhile only drop that domain. */
int sa_sample_take(sa_sampler *sp, virConnectPtr conn, const sa_snapshot *prev, sa_snapshot *snap,
                   char *err, size_t err_size);

/* The position in s->vm of the VM with uuid, or -1 (binary search of s->by_uuid). */
long sa_sample_find_uuid(const sa_snapshot *s, const unsigned char *uuid);

#endif /* SA_SAMPLE_H */
