/* th_mib: look-ups in the MIB node table th-mib2tab generated at build time (th_mibtab.h):
 * binary searches by descriptor and by OID, so no MIB file is read at run time. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "th_mib.h"

#include "th_mibtab.h"

#define N_NODES (sizeof(th_nodes) / sizeof(th_nodes[0]))

/* strcmp of a counted string against a NUL-terminated one. The counted one comes from the
 * input and may hold NUL bytes: strncmp would stop at one as if both strings ended there and
 * then read z past its end (found by the fuzzer), so compare bytes up to the shorter length. */
static int cmp_counted(const char *s, size_t len, const char *z)
{
    size_t zlen = strlen(z);
    int c = memcmp(s, z, len < zlen ? len : zlen);
    if (c != 0)
        return c;
    return len == zlen ? 0 : len < zlen ? -1 : 1;
}

const th_mib_node *th_mib_by_label(const char *module, size_t module_len, const char *label,
                                   size_t label_len)
{
    size_t lo = 0, hi = N_NODES;

    /* Lower bound of label: nodes are sorted by (label, module). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_counted(label, label_len, th_nodes[mid].label) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= N_NODES || cmp_counted(label, label_len, th_nodes[lo].label) != 0)
        return NULL;
    if (module != NULL) {
        for (size_t i = lo; i < N_NODES && cmp_counted(label, label_len, th_nodes[i].label) == 0;
             i++)
            if (cmp_counted(module, module_len, th_nodes[i].module) == 0)
                return &th_nodes[i];
    }
    return &th_nodes[lo];
}

/* The node whose OID is exactly the len bytes at oid, or NULL. */
static const th_mib_node *by_oid_len(const char *oid, size_t len)
{
    size_t lo = 0, hi = N_NODES;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_counted(oid, len, th_nodes[th_by_oid[mid]].oid);
        if (c == 0)
            return &th_nodes[th_by_oid[mid]];
        if (c > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const th_mib_node *th_mib_by_oid_exact(const char *oid)
{
    return by_oid_len(oid, strlen(oid));
}

const th_mib_node *th_mib_by_oid(const char *oid, size_t *suffix_at)
{
    size_t len = strlen(oid);

    /* Shorten one arc at a time; the caller bounds the number of arcs (128). */
    for (;;) {
        const th_mib_node *n = by_oid_len(oid, len);
        if (n != NULL) {
            *suffix_at = len;
            return n;
        }
        while (len > 0 && oid[len - 1] != '.')
            len--;
        if (len == 0)
            return NULL;
        len--;
    }
}

const char *th_mib_enum_label(const th_mib_node *n, long value)
{
    for (size_t i = 0; i < n->n_enums; i++)
        if (th_enums[n->enum_first + i].value == value)
            return th_enums[n->enum_first + i].label;
    return NULL;
}

int th_mib_enum_value(const th_mib_node *n, const char *label, size_t len, long *value)
{
    for (size_t i = 0; i < n->n_enums; i++) {
        if (cmp_counted(label, len, th_enums[n->enum_first + i].label) == 0) {
            *value = th_enums[n->enum_first + i].value;
            return 0;
        }
    }
    return -1;
}

const th_mib_node *th_mib_object(const th_mib_node *n, size_t i)
{
    return i < n->n_objs ? &th_nodes[th_objects[n->obj_first + i]] : NULL;
}

int th_mib_is(const char *oid, const char *label, const char *instance)
{
    const th_mib_node *n = th_mib_by_label(NULL, 0, label, strlen(label));
    if (n == NULL || oid == NULL)
        return 0;
    size_t l = strlen(n->oid);
    return strncmp(oid, n->oid, l) == 0 && strcmp(oid + l, instance) == 0;
}

size_t th_mib_count(void)
{
    return N_NODES;
}

const th_mib_node *th_mib_node_at(size_t i)
{
    return i < N_NODES ? &th_nodes[i] : NULL;
}
