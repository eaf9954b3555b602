/* sa_host: the hypervisor row's libvirt facts for a sample: virNodeGetInfo every time, host CPU
 * and memory statistics when the driver has them, and the host's identity (host name, driver,
 * versions, CPU model) read once per connection. Belongs to one sampler thread. */
#ifndef SA_HOST_H
#define SA_HOST_H

#include <stddef.h>

#include <libvirt/libvirt.h>

#include "sa_snapshot.h"

typedef struct {
    const char *log_target; /* the hypervisor's name, borrowed */
    int have_identity;      /* read on this connection */
    char *hostname, *driver, *driver_version, *libvirt_version, *cpu_model;
    int no_cpu_stats, no_mem_stats; /* unsupported on this connection */
} sa_host;

/* Start with nothing known; log lines name log_target (borrowed). */
void sa_host_init(sa_host *h, const char *log_target);

/* Forget the identity and what the connection did not support (a new connection); also frees
 * the strings, so it ends an sa_host's life too. Accepts NULL. */
void sa_host_reset(sa_host *h);

/* Fill snap's host columns: identity, CPU count and MHz, memory total and free, and vsHvCpuUtil
 * against prev (the previous sample of this same connection, or NULL) and vsHvMemUtil. Returns
 * 0, or -1 with libvirt's message in err when virNodeGetInfo fails or memory is short; the
 * statistics are left absent when their calls fail. */
int sa_host_sample(sa_host *h, virConnectPtr conn, const sa_snapshot *prev, sa_snapshot *snap,
                   char *err, size_t err_size);

#endif /* SA_HOST_H */
