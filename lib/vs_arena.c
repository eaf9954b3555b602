/* vs_arena: a region allocator: small allocations carved from large chunks, freed together. */
#include "config.h"

#include "vs_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct vs_arena_chunk {
    vs_arena_chunk *next;
    size_t size;    /* usable bytes in data */
    size_t off;     /* first free byte */
    size_t map_len; /* length of its own mapping, 0 when it came from malloc */
    alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN alignof(max_align_t)

/* Chunks at least this large (header included) are mappings of their own, so that freeing an
 * arena gives its memory back to the system at once. Leaving that to malloc would need a
 * fixed, low M_MMAP_THRESHOLD for the whole process, which also sends every short-lived
 * buffer of that size or more (Net-SNMP's packet buffers, three per request) through mmap and
 * munmap: the SNMP thread then spends more time in the kernel than it saves. */
#define ARENA_MAP_MIN (64 * 1024)

/* Memory for a chunk of total bytes; *map_len is set to the mapping's length, or 0. */
static vs_arena_chunk *chunk_alloc(size_t total, size_t *map_len)
{
    *map_len = 0;
    if (total < ARENA_MAP_MIN)
        return malloc(total);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (total > SIZE_MAX - page)
        return NULL;
    size_t len = (total + page - 1) & ~(page - 1);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    *map_len = len;
    return p;
}

static void chunk_free(vs_arena_chunk *c)
{
    if (c->map_len != 0)
        munmap(c, c->map_len);
    else
        free(c);
}

void vs_arena_init(vs_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
    a->used = 0;
}

/* Add a chunk of at least n usable bytes in front of the list. */
static vs_arena_chunk *arena_grow(vs_arena *a, size_t n)
{
    size_t size = n > a->chunk_size ? n : a->chunk_size;
    if (size > SIZE_MAX - sizeof(vs_arena_chunk))
        return NULL;
    size_t map_len;
    vs_arena_chunk *c = chunk_alloc(sizeof(vs_arena_chunk) + size, &map_len);
    if (c == NULL)
        return NULL;
    c->map_len = map_len;
    c->size = map_len != 0 ? map_len - sizeof(vs_arena_chunk) : size;
    c->off = 0;
    /* A chunk for one large request goes behind the current one, which keeps its space. */
    if (a->head != NULL && n > a->chunk_size) {
        c->next = a->head->next;
        a->head->next = c;
    } else {
        c->next = a->head;
        a->head = c;
    }
    return c;
}

void *vs_arena_alloc(vs_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t rounded = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    vs_arena_chunk *c = a->head;
    if (c == NULL || c->size - c->off < rounded) {
        c = arena_grow(a, rounded);
        if (c == NULL)
            return NULL;
    }
    void *p = c->data + c->off;
    c->off += rounded;
    a->used += rounded;
    return p;
}

void *vs_arena_calloc(vs_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = vs_arena_alloc(a, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

char *vs_arena_strndup(vs_arena *a, const char *s, size_t n)
{
    char *p = vs_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    if (n > 0)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *vs_arena_strdup(vs_arena *a, const char *s)
{
    if (s == NULL)
        s = "";
    return vs_arena_strndup(a, s, strlen(s));
}

void vs_arena_free(vs_arena *a)
{
    if (a == NULL)
        return;
    vs_arena_chunk *c = a->head;
    while (c != NULL) {
        vs_arena_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}
