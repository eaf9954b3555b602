/* sa_table: GET and GETNEXT over the subagent's tables: find the row for a request in
 * O(log n) over the snapshots, skip absent cells, and produce the next instance in OID order. */
#include "config.h"

#include "sa_table.h"

#include <string.h>

size_t sa_table_vm_count(const sa_snapshot *s)
{
    return s->n_vm;
}

size_t sa_table_vm_key(const sa_snapshot *s, size_t l1, oid *out)
{
    out[0] = (oid)s->vm[l1].index;
    return 1;
}

size_t sa_table_one(const sa_snapshot *s, size_t l1)
{
    (void)s;
    (void)l1;
    return 1;
}

const sa_snapshot *sa_cursor_hv(const sa_cursor *c)
{
    return c->view->hv[c->hv];
}

static int column_ok(const sa_table *t, oid col)
{
    return col >= t->first_col && col <= t->last_col && col < 64 && (t->columns >> col & 1u);
}

/* Write the full row index of the cursor's row into out; returns its length. */
static size_t row_index(const sa_table *t, const sa_cursor *c, oid *out)
{
    if (t->scalar) {
        out[0] = 0;
        return 1;
    }
    const sa_snapshot *s = c->view->hv[c->hv];
    size_t n = 0;
    out[n++] = (oid)s->hv_index;
    n += t->l1_key(s, c->l1, out + n);
    if (t->l2_key != NULL)
        n += t->l2_key(s, c->l1, c->l2, out + n);
    return n;
}

/* Move the cursor to the first row at or after (hv, l1, 0) that exists; 0, or -1 at the end. */
static int settle(const sa_table *t, sa_cursor *c)
{
    const sa_view *v = c->view;
    for (; c->hv < v->n_hv; c->hv++, c->l1 = 0, c->l2 = 0) {
        const sa_snapshot *s = v->hv[c->hv];
        size_t n1 = t->l1_count(s);
        for (; c->l1 < n1; c->l1++, c->l2 = 0) {
            if (c->l2 < t->l2_count(s, c->l1))
                return 0;
        }
    }
    return -1;
}

/* Advance the cursor by one row; 0, or -1 at the end. */
static int advance(const sa_table *t, sa_cursor *c)
{
    if (t->scalar)
        return -1;
    c->l2++;
    return settle(t, c);
}

/* First position in hv s whose first-level key is not below rest (compared over the key's
 * length), by binary search. */
static size_t l1_lower_bound(const sa_table *t, const sa_snapshot *s, const oid *rest, size_t rlen)
{
    size_t lo = 0, hi = t->l1_count(s);
    oid key[SA_INDEX_MAX];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t klen = t->l1_key(s, mid, key);
        size_t cmp_len = klen < rlen ? klen : rlen;
        if (snmp_oid_compare(key, klen, rest, cmp_len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Position the cursor on the first row whose index is >= idx (> idx when strict); 0, or -1
 * when there is none. */
static int seek(const sa_table *t, const sa_view *v, const oid *idx, size_t len, int strict,
                sa_cursor *c)
{
    oid ri[SA_INDEX_MAX];

    c->view = v;
    c->hv = c->l1 = c->l2 = 0;
    if (t->scalar) {
        static const oid zero[] = { 0 };
        int cmp = snmp_oid_compare(zero, 1, idx, len);
        return cmp > 0 || (cmp == 0 && !strict) ? 0 : -1;
    }
    for (; c->hv < v->n_hv; c->hv++) {
        const sa_snapshot *s = v->hv[c->hv];
        c->l1 = c->l2 = 0;
        if (len == 0 || (oid)s->hv_index > idx[0]) {
            if (settle(t, c) == 0)
                return 0;
            return -1;
        }
        if ((oid)s->hv_index < idx[0])
            continue;
        c->l1 = l1_lower_bound(t, s, idx + 1, len - 1);
        /* At most the rows of one first-level entry compare below idx: step past them. */
        for (int rc = settle(t, c); rc == 0; rc = advance(t, c)) {
            int cmp = snmp_oid_compare(ri, row_index(t, c, ri), idx, len);
            if (cmp > 0 || (cmp == 0 && !strict))
                return 0;
        }
        return -1;
    }
    return -1;
}

int sa_table_get(const sa_table *t, const sa_view *v, const oid *name, size_t len, sa_value *val)
{
    sa_cursor c;
    oid ri[SA_INDEX_MAX];

    if (len <= t->entry_len || snmp_oid_compare(name, t->entry_len, t->entry, t->entry_len) != 0
        || !column_ok(t, name[t->entry_len]))
        return SNMP_NOSUCHOBJECT;
    const oid *idx = name + t->entry_len + 1;
    size_t ilen = len - t->entry_len - 1;
    if (ilen == 0 || ilen > SA_INDEX_MAX || seek(t, v, idx, ilen, 0, &c) < 0)
        return SNMP_NOSUCHINSTANCE;
    if (snmp_oid_compare(ri, row_index(t, &c, ri), idx, ilen) != 0)
        return SNMP_NOSUCHINSTANCE;
    memset(val, 0, sizeof(*val));
    return t->cell(&c, (unsigned)name[t->entry_len], val) == 0 ? 0 : SNMP_NOSUCHINSTANCE;
}

/* Where a GETNEXT starts: the column, and the index to go past (none: from the first row).
 * Returns -1 when name lies after the whole table. */
static int getnext_start(const sa_table *t, const oid *name, size_t len, unsigned *col,
                         const oid **idx, size_t *ilen)
{
    size_t n = len < t->entry_len ? len : t->entry_len;
    int cmp = snmp_oid_compare(name, n, t->entry, n);

    *col = t->first_col;
    *idx = NULL;
    *ilen = 0;
    if (cmp < 0 || len <= t->entry_len)
        return cmp > 0 ? -1 : 0;
    if (cmp > 0)
        return -1;
    oid c = name[t->entry_len];
    if (c < t->first_col)
        return 0;
    if (c > t->last_col)
        return -1;
    *col = (unsigned)c;
    *idx = name + t->entry_len + 1;
    *ilen = len - t->entry_len - 1;
    /* No row index is longer than SA_INDEX_MAX: going strictly past the first SA_INDEX_MAX
     * sub-identifiers orders rows exactly as going past the whole name would. */
    if (*ilen > SA_INDEX_MAX)
        *ilen = SA_INDEX_MAX;
    return 0;
}

int sa_table_getnext(const sa_table *t, const sa_view *v, const oid *name, size_t len, oid *out,
                     size_t *out_len, sa_value *val)
{
    unsigned col;
    const oid *idx;
    size_t ilen;
    sa_cursor c;

    if (getnext_start(t, name, len, &col, &idx, &ilen) < 0)
        return -1;
    for (; col <= t->last_col; col++, idx = NULL, ilen = 0) {
        if (!column_ok(t, col))
            continue;
        for (int rc = seek(t, v, idx, ilen, idx != NULL, &c); rc == 0; rc = advance(t, &c)) {
            memset(val, 0, sizeof(*val));
            if (t->cell(&c, col, val) != 0)
                continue;
            memcpy(out, t->entry, t->entry_len * sizeof(oid));
            out[t->entry_len] = col;
            *out_len = t->entry_len + 1 + row_index(t, &c, out + t->entry_len + 1);
            return 0;
        }
    }
    return -1;
}
