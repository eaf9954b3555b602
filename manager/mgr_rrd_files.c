/* mgr_rrd_files: the RRD writer's table of the files it has seen (whether each exists and its
 * last update time), so that a file is looked at on disk or asked about once, not per update. */
#include "config.h"

#include "mgr_rrd_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64 bits. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Double the slot array (or make the first one) and re-insert every entry. */
static int files_grow(mgr_rrd_files *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    mgr_rrd_file **slot = calloc(cap, sizeof(*slot));

    if (slot == NULL)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slot[i] == NULL)
            continue;
        size_t j = (size_t)name_hash(t->slot[i]->rel) & (cap - 1);
        while (slot[j] != NULL)
            j = (j + 1) & (cap - 1);
        slot[j] = t->slot[i];
    }
    free(t->slot);
    t->slot = slot;
    t->cap = cap;
    return 0;
}

mgr_rrd_file *mgr_rrd_files_get(mgr_rrd_files *t, const char *rel, mgr_res_kind kind)
{
    if (t->n + 1 > t->cap / 2 && files_grow(t) < 0) /* load factor at most 1/2 */
        return NULL;
    size_t j = (size_t)name_hash(rel) & (t->cap - 1);
    while (t->slot[j] != NULL) {
        if (strcmp(t->slot[j]->rel, rel) == 0)
            return t->slot[j];
        j = (j + 1) & (t->cap - 1);
    }
    size_t len = strlen(rel);
    mgr_rrd_file *f = calloc(1, sizeof(*f) + len + 1);
    if (f == NULL)
        return NULL;
    memcpy(f->rel, rel, len + 1);
    f->kind = (unsigned char)kind;
    t->slot[j] = f;
    t->n++;
    return f;
}

void mgr_rrd_files_free(mgr_rrd_files *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slot[i]);
    free(t->slot);
    t->slot = NULL;
    t->cap = 0;
    t->n = 0;
}

int mgr_rrd_ptrs_push(mgr_rrd_ptrs *a, void *x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        void **p = realloc(a->p, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        a->p = p;
        a->cap = cap;
    }
    a->p[a->n++] = x;
    return 0;
}
