/* sa_bulk: one domain's record of virConnectGetAllDomainStats (typed parameters such as
 * "state.state", "cpu.time", "balloon.current", "vcpu.0.time", "block.1.rd.bytes",
 * "net.0.name") read into numbers and device rows. Pure: no libvirt call, no logging. */
#ifndef SA_BULK_H
#define SA_BULK_H

#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "sa_snapshot.h"
#include "vs_arena.h"

/* Scalars present in a record (sa_bulk_dom.has). */
enum {
    SA_BULK_STATE = 1u << 0,
    SA_BULK_REASON = 1u << 1,
    SA_BULK_CPU_TIME = 1u << 2,
    SA_BULK_BAL_CUR = 1u << 3,
    SA_BULK_BAL_MAX = 1u << 4,
    SA_BULK_BAL_AVAIL = 1u << 5,
    SA_BULK_BAL_UNUSED = 1u << 6,
    SA_BULK_BAL_RSS = 1u << 7,
    SA_BULK_VCPU_CUR = 1u << 8,
    SA_BULK_VCPU_MAX = 1u << 9,
};

typedef struct {
    unsigned has; /* SA_BULK_* */
    uint64_t state, reason;
    uint64_t cpu_time;                                         /* ns */
    uint64_t bal_cur, bal_max, bal_avail, bal_unused, bal_rss; /* KiB */
    uint64_t vcpu_cur, vcpu_max;
    sa_vcpu *vcpu; /* the vCPUs the record names (vcpu.N.*), by number */
    size_t n_vcpu;
    sa_disk *disk; /* block.0 .. block.count-1; target and source NULL when not named */
    size_t n_disk;
    int has_block; /* the record has a block group (block.count or block.N.*) */
    sa_nic *nic;   /* net.0 .. net.count-1; name NULL when not named; model etc. NULL */
    size_t n_nic;
    int has_net; /* the record has a net group */
} sa_bulk_dom;

/* Read npar typed parameters of one record into out (zeroed first), allocating its arrays and
 * strings in arena. Unknown fields and values of an unexpected type are ignored; indexes past
 * 65535 too. Returns 0, or -1 when memory is short. */
int sa_bulk_parse(const virTypedParameter *par, int npar, vs_arena *arena, sa_bulk_dom *out);

/* A fingerprint of the disk targets and NIC names the record gives, to notice a device change
 * without reading the domain's XML; 0 when the record has neither group. */
uint64_t sa_bulk_names_sig(const sa_bulk_dom *b);

#endif /* SA_BULK_H */
