/* mgr_config_int.h: what the parts of the configuration module share (the options-table types,
 * attribute reading, problem reports, the XML loader and secret files); not for other modules. */
#ifndef MGR_CONFIG_INT_H
#define MGR_CONFIG_INT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "vs_buf.h"

/* What an attribute's text must be, and where it goes. */
typedef enum {
    MGR_VAL_INT,     /* a whole number in [min, max] (of unit), into an int */
    MGR_VAL_SECONDS, /* a decimal number of seconds, into a double; the element checks its range */
    MGR_VAL_YESNO,   /* "yes" or "no", into an int 1 or 0 */
    MGR_VAL_TEXT,    /* non-empty text without control characters, into a char * */
    MGR_VAL_TOKEN,   /* as MGR_VAL_TEXT, and without blanks (addresses) */
    MGR_VAL_PATH,    /* an absolute path, into a char * */
    MGR_VAL_NAME,    /* a host or group name, into a char * */
    MGR_VAL_URI,     /* a libvirt URI (never quoted with its password), into a char * */
    MGR_VAL_CHOICE,  /* one of choices in any case, stored as choices spells it, into a char * */
} mgr_config_val;

/* One attribute of an element: the options table. */
typedef struct {
    const char *attr;
    mgr_config_val kind;
    size_t off;                 /* where in the element's struct the value goes */
    int required;               /* the schema requires it too */
    const char *def;            /* the default as it would be written, or NULL */
    long min, max;              /* MGR_VAL_INT */
    const char *unit;           /* MGR_VAL_INT: "seconds", "milliseconds", or NULL for a count */
    const char *const *choices; /* MGR_VAL_CHOICE: NULL-terminated */
    const char *hint;           /* MGR_VAL_CHOICE: said when a value is refused */
} mgr_config_attr;

/* One element: its name and its attributes. */
typedef struct {
    const char *elem;
    const mgr_config_attr *defs;
    size_t n;
} mgr_config_elem;

/* One load in progress: where problems go and where relative secret paths start. */
typedef struct {
    const char *file; /* the configuration's path, as given */
    char *dir;        /* its directory, for relative secret-file paths */
    vs_buf *errors;   /* the caller's buffer: one "file:line: message" line per problem */
    int n_errors;     /* problems reported so far */
    int xml_line;     /* line of the last libxml2 message, to drop its echoes */
    const mgr_config_elem *const *elems; /* every element, for the validator's messages */
    size_t n_elems;
} mgr_config_ctx;

#define MGR_CONFIG_SEEN(i) (1u << (i))

/* Report one problem as "file:line: message" (or "file: message" when line <= 0) and count it.
 * The message is a whole sentence; it must never hold a secret. */
void mgr_config_ctx_error(mgr_config_ctx *ctx, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copy value into buf (of size n) for quoting in a message: control characters become '?', and a
 * long value is cut short with "...". Returns buf. */
const char *mgr_config_show(const char *value, char *buf, size_t n);

/* The line node was defined on (0 if unknown), and whether it is the element called name. */
int mgr_config_node_line(const xmlNode *node);
int mgr_config_node_is(const xmlNode *node, const char *name);

/* Apply e's defaults to the element's struct at base. */
void mgr_config_attrs_default(mgr_config_ctx *ctx, int line, const mgr_config_elem *e, void *base);

/* Read node's attributes into base as e says, after the defaults; report bad values, unknown
 * attributes and missing required ones. Returns the mask of attributes present (bit i for
 * e->defs[i]); *good (if not NULL) gets the mask of those whose value was right. */
unsigned mgr_config_attrs_read(mgr_config_ctx *ctx, xmlNode *node, const mgr_config_elem *e,
                               void *base, unsigned *good);

/* For the validator's message msg, "Element x failed to validate attributes", about node (or,
 * as libxml2 sometimes says, its first child): say which required attributes x lacks. Returns 0
 * if it did, -1 if it could not tell. */
int mgr_config_attrs_missing(mgr_config_ctx *ctx, const char *msg, const xmlNode *node);

/* Read ctx->file, parse it (no DTD, no entities, no network) and validate it against the built-in
 * schema. Returns the document (free with xmlFreeDoc), or NULL after reporting each problem. */
xmlDoc *mgr_config_xml_load(mgr_config_ctx *ctx);

/* Read the community from the first line of the file named by attribute community-file (value
 * as written; relative to the configuration's directory) of the <snmp> at line. Returns 0 and a
 * new string in *community, or -1 after reporting the problem. */
int mgr_config_secret_community(mgr_config_ctx *ctx, int line, const char *name, char **community);

/* Read the "auth PASSPHRASE" and "priv PASSPHRASE" lines of the file named by attribute
 * secret-file of the <snmp> at line. Returns 0 and two new strings, or -1 after reporting each
 * problem (with the secret file's own line where its content is wrong). */
int mgr_config_secret_usm(mgr_config_ctx *ctx, int line, const char *name, char **auth,
                          char **priv);

/* Wipe a secret string and free it; accepts NULL. */
void mgr_config_secret_free(char *secret);

#endif /* MGR_CONFIG_INT_H */
