/* sa_vmindex: the persistent vsVmIndex map of one hypervisor. Each VM UUID seen on the
 * hypervisor gets an index, handed out in increasing order from a counter kept with the map and
 * never given to another UUID. With each VM the map keeps the domain ID it last had and when
 * that instance started, so that vsVmUptime survives a restart of the subagent.
 *
 * The map is one text file per hypervisor in the state directory, named after the hypervisor
 * (escaped into a safe file name). It is rewritten atomically, and only when it changed. A map
 * that cannot be read or parsed is an error (indexes must not change under a manager's feet);
 * a missing one is a first start. Not thread-safe: one sampler thread owns a map. */
#ifndef SA_VMINDEX_H
#define SA_VMINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct sa_vmindex sa_vmindex;

typedef struct {
    int32_t index;      /* vsVmIndex */
    int32_t domain_id;  /* domain ID at the last sample, -1 when the VM was not active */
    int64_t start_time; /* wall-clock seconds when that instance started, if start_known */
    int start_known;
} sa_vmindex_entry;

/* Open the map of the hypervisor called hv_name in state_dir, which is created (with its
 * parents) when missing. Returns the map, or NULL having logged why ("FILE:LINE: ..." for a
 * corrupt map). */
sa_vmindex *sa_vmindex_open(const char *state_dir, const char *hv_name);

/* Free the map without saving it; accepts NULL. */
void sa_vmindex_free(sa_vmindex *m);

/* The file the map lives in. */
const char *sa_vmindex_path(const sa_vmindex *m);

/* The entry of uuid in *out, after giving the UUID the next index if it had none (the map is
 * then changed). Returns 0, or -1 having logged why (memory short, indexes exhausted). */
int sa_vmindex_get(sa_vmindex *m, const unsigned char uuid[16], sa_vmindex_entry *out);

/* The entry of uuid in *out without giving it an index. Returns 0, or -1 when it has none. */
int sa_vmindex_find(const sa_vmindex *m, const unsigned char uuid[16], sa_vmindex_entry *out);

/* Record the domain ID and start time of the VM with uuid (already given an index); the map
 * is changed only when they differ from what it holds. Returns 0, or -1 for an unknown UUID. */
int sa_vmindex_set_run(sa_vmindex *m, const unsigned char uuid[16], int32_t domain_id,
                       int64_t start_time, int start_known);

/* Number of UUIDs in the map. */
size_t sa_vmindex_count(const sa_vmindex *m);

/* Write the map if it changed since it was read or last written: temporary file, fsync,
 * rename, fsync of the directory. Returns 0, or -1 having logged why (throttled while it keeps
 * failing; the map stays changed, so the next call tries again). */
int sa_vmindex_save(sa_vmindex *m);

/* The file name (without directory) of hv_name's map, malloc'd: "vmindex-" and the name with
 * every byte other than letters, digits, '-', '_' and a '.' that is not first escaped as %XX,
 * then ".map". NULL when memory is short. */
char *sa_vmindex_file_name(const char *hv_name);

#endif /* SA_VMINDEX_H */
