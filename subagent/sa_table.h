/* sa_table: GET and GETNEXT over the subagent's tables, answered from the current snapshots.
 * Each table says how its rows are keyed and what each column holds; this module finds the
 * row for a request in O(log n) and skips absent cells. It knows nothing of the agent API, so
 * it is tested without a master. */
#ifndef SA_TABLE_H
#define SA_TABLE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "sa_snapshot.h"

#define SA_INDEX_MAX 24 /* longest row index, in sub-identifiers */

/* What the SNMP thread serves: every hypervisor's current snapshot, by ascending hv_index. */
typedef struct {
    const sa_snapshot *const *hv;
    size_t n_hv;
} sa_view;

/* A position in a table: hypervisor, first-level row (a VM), second-level row (a device). */
typedef struct {
    const sa_view *view;
    size_t hv, l1, l2;
} sa_cursor;

/* A cell's value. Strings point into the snapshot or into buf. */
typedef struct {
    u_char type; /* ASN_INTEGER, ASN_OCTET_STR, ASN_COUNTER64, ... */
    long num;    /* INTEGER, Unsigned32, Gauge32, Counter32, TimeTicks */
    uint64_t u64;
    const void *str;
    size_t len;
    u_char buf[32];
} sa_value;

typedef struct sa_table sa_table;

/* How a table is keyed. A table's rows are, per hypervisor, a list of first-level rows (for
 * example the VMs, or the VMs in UUID order), each with a list of second-level rows (its
 * devices, or exactly one). The row index is hv_index, then the first-level key, then the
 * second-level key. */
struct sa_table {
    const char *name;
    const oid *entry; /* the Entry OID */
    size_t entry_len;
    unsigned first_col, last_col;
    uint64_t columns; /* bit c set: column c is accessible */
    int scalar;       /* scalars: one row, index 0, no hypervisors */
    size_t (*l1_count)(const sa_snapshot *s);
    size_t (*l1_key)(const sa_snapshot *s, size_t l1, oid *out); /* returns its length */
    size_t (*l2_count)(const sa_snapshot *s, size_t l1);
    size_t (*l2_key)(const sa_snapshot *s, size_t l1, size_t l2, oid *out); /* its length */
    /* The value of column col in the cursor's row: 0, or 1 when absent. */
    int (*cell)(const sa_cursor *c, unsigned col, sa_value *val);
};

/* GET of name: 0 with *val set, or SNMP_NOSUCHOBJECT / SNMP_NOSUCHINSTANCE. */
int sa_table_get(const sa_table *t, const sa_view *v, const oid *name, size_t len, sa_value *val);

/* GETNEXT from name: 0 with the next instance in out (out_len sub-identifiers, out holding at
 * least MAX_OID_LEN) and its value in *val, or -1 when the table has nothing after name. */
int sa_table_getnext(const sa_table *t, const sa_view *v, const oid *name, size_t len, oid *out,
                     size_t *out_len, sa_value *val);

/* The first-level position of a VM table row: helpers for tables keyed by VM. */
size_t sa_table_vm_count(const sa_snapshot *s);
size_t sa_table_vm_key(const sa_snapshot *s, size_t l1, oid *out);
size_t sa_table_one(const sa_snapshot *s, size_t l1);

/* The VM and snapshot a cursor points at. */
const sa_snapshot *sa_cursor_hv(const sa_cursor *c);

#endif /* SA_TABLE_H */
