/* vs_arena: a region allocator. Many small allocations that live and die together (one
 * snapshot's strings and arrays) are carved from large chunks and freed in one call. */
#ifndef VS_ARENA_H
#define VS_ARENA_H

#include <stddef.h>

typedef struct vs_arena_chunk vs_arena_chunk;

typedef struct {
    vs_arena_chunk *head; /* chunk being filled; earlier chunks follow */
    size_t chunk_size;    /* bytes per ordinary chunk */
    size_t used;          /* bytes handed out, for accounting */
} vs_arena;

/* Start an empty arena whose chunks hold chunk_size bytes (a larger request gets a chunk of
 * its own). Allocates nothing yet. */
void vs_arena_init(vs_arena *a, size_t chunk_size);

/* n bytes aligned for any type, or NULL when memory is short. Not zeroed. */
void *vs_arena_alloc(vs_arena *a, size_t n);

/* count * size zeroed bytes, or NULL when memory is short or the product overflows. */
void *vs_arena_calloc(vs_arena *a, size_t count, size_t size);

/* A copy of s ("" for NULL), or NULL when memory is short. */
char *vs_arena_strdup(vs_arena *a, const char *s);

/* A NUL-terminated copy of the first n bytes of s, or NULL when memory is short. */
char *vs_arena_strndup(vs_arena *a, const char *s, size_t n);

/* Free every chunk; the arena can be used again afterwards. Accepts NULL. */
void vs_arena_free(vs_arena *a);

#endif /* VS_ARENA_H */
