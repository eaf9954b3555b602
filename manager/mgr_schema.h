/* mgr_schema.h: the configuration's RELAX NG schema, compiled into the program: make generates
 * mgr_schema.c from virtsight-manager.rng, so the daemon never reads the schema from disk. */
#ifndef MGR_SCHEMA_H
#define MGR_SCHEMA_H

#include <stddef.h>

/* The text of virtsight-manager.rng, NUL-terminated, and its length without the NUL. */
extern const char mgr_schema_rng[];
extern const size_t mgr_schema_rng_len;

#endif /* MGR_SCHEMA_H */
