/* th_mib: what the trap handler knows about MIB objects and notifications, without loading a
 * MIB at run time: a table generated at build time from the MIB modules by th-mib2tab
 * (SNMPv2-SMI, SNMPv2-MIB, IF-MIB, NET-SNMP-MIB, VIRTSIGHT-MIB), looked up by name and by
 * numeric OID. */
#ifndef TH_MIB_H
#define TH_MIB_H

#include <stddef.h>

typedef struct {
    int value;
    const char *label;
} th_mib_enum;

typedef struct {
    const char *label;  /* descriptor, "vsVmOperState" */
    const char *module; /* "VIRTSIGHT-MIB" */
    const char *oid;    /* numeric, dotted, no leading dot */
    char type;          /* snmp_add_var letter of the syntax ('i' 's' 'o' 'a' 'c' 'u' 't' 'C' 'b');
                           'N' for a notification; 0 for a node that carries no value */
    const char *hint;   /* DISPLAY-HINT of the syntax, or NULL */
    const char *units;  /* UNITS clause, or NULL */
    unsigned short enum_first, n_enums; /* into th_mib_enums() */
    unsigned short obj_first, n_objs;   /* a notification's OBJECTS, into th_mib_objects() */
} th_mib_node;

/* The node whose descriptor is label (and module, when not NULL and the table has it there),
 * or NULL. label need not be NUL-terminated: its length is label_len. */
const th_mib_node *th_mib_by_label(const char *module, size_t module_len, const char *label,
                                   size_t label_len);

/* The node with the longest OID that is oid itself or a prefix of it at an arc boundary
 * (numeric, dotted, no leading dot), or NULL. *suffix_at is set to the offset in oid where
 * the instance part begins (at its '.', or the end). */
const th_mib_node *th_mib_by_oid(const char *oid, size_t *suffix_at);

/* The node with exactly this OID, or NULL. */
const th_mib_node *th_mib_by_oid_exact(const char *oid);

/* The label of value in node's enumeration, or NULL. */
const char *th_mib_enum_label(const th_mib_node *n, long value);

/* The value of label in node's enumeration: 0 and *value, or -1. */
int th_mib_enum_value(const th_mib_node *n, const char *label, size_t len, long *value);

/* The i-th object (0-based) of notification n, or NULL. */
const th_mib_node *th_mib_object(const th_mib_node *n, size_t i);

/* Whether oid (numeric) is the object labelled label followed by instance (".0"). */
int th_mib_is(const char *oid, const char *label, const char *instance);

/* Number of nodes in the table (for tests). */
size_t th_mib_count(void);
const th_mib_node *th_mib_node_at(size_t i);

#endif /* TH_MIB_H */
