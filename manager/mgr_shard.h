/* mgr_shard: which manager of several polls a host (--shard i/N), by a stable hash of its
 * name, so that the split survives restarts and reordering of the configuration. */
#ifndef MGR_SHARD_H
#define MGR_SHARD_H

#include <stdint.h>

#define MGR_SHARD_MAX 1000

/* Parse "i/N" (0 <= i < N <= MGR_SHARD_MAX) into *index and *count. Returns 0 or -1. */
int mgr_shard_parse(const char *text, unsigned *index, unsigned *count);

/* The 64-bit FNV-1a hash of s: fixed forever, as shard assignments depend on it. */
uint64_t mgr_shard_hash(const char *s);

/* The shard (0..count-1) of the host named name. */
unsigned mgr_shard_of(const char *name, unsigned count);

#endif /* MGR_SHARD_H */
