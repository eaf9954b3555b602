/* vs_conf: what the programs' XML configuration readers share: options tables (each element with
 * its attributes, kinds and defaults), one load context that words every problem as
 * "file:line: message", the strict XML loader (no DTD, no entities, no network; RELAX NG
 * validation against a schema compiled into the program) and secret files. Only configuration
 * modules include this header: it brings in libxml2. */
#ifndef VS_CONF_H
#define VS_CONF_H

#include <stddef.h>

#include <libxml/tree.h>

#include "vs_buf.h"

/* What an attribute's text must be, and where it goes. */
typedef enum {
    VS_CONF_INT,     /* a whole number in [min, max] (of unit), into an int */
    VS_CONF_SECONDS, /* a decimal number of seconds, into a double; the element checks its range */
    VS_CONF_NUMBER,  /* a decimal number, into a double; the element checks its range */
    VS_CONF_YESNO,   /* "yes" or "no", into an int 1 or 0 */
    VS_CONF_TEXT,    /* non-empty text without control characters, into a char * */
    VS_CONF_TOKEN,   /* as VS_CONF_TEXT, and without blanks (addresses) */
    VS_CONF_PATH,    /* an absolute path, into a char * */
    VS_CONF_NAME,    /* a name used in paths and references: [A-Za-z0-9._-]{1,64}, into a char * */
    VS_CONF_URI,     /* a URI with a scheme (quoted only through ctx->uri_redact), into a char * */
    VS_CONF_CHOICE,  /* one of choices in any case, stored as choices spells it, into a char * */
} vs_conf_val;

/* One attribute of an element: a row of the options table. */
typedef struct {
    const char *attr;
    vs_conf_val kind;
    size_t off;                 /* where in the element's struct the value goes */
    int required;               /* the schema requires it too */
    const char *def;            /* the default as it would be written, or NULL */
    long min, max;              /* VS_CONF_INT */
    const char *unit;           /* VS_CONF_INT: "seconds", "milliseconds", or NULL for a count */
    const char *const *choices; /* VS_CONF_CHOICE: NULL-terminated */
    const char *hint;           /* VS_CONF_CHOICE: said when a value is refused */
} vs_conf_attr;

/* One element: its name and its attributes (at most 32: the "seen" masks are unsigned). */
typedef struct vs_conf_elem {
    const char *elem;
    const vs_conf_attr *defs;
    size_t n;
} vs_conf_elem;

/* Rows of an options table, so that each reads as one line. */
#define VS_CONF_A_INT(a, st, f, d, lo, hi, u)                                                      \
    {                                                                                              \
        a, VS_CONF_INT, offsetof(st, f), 0, d, lo, hi, u, NULL, NULL                               \
    }
#define VS_CONF_A_SEC(a, st, f)                                                                    \
    {                                                                                              \
        a, VS_CONF_SECONDS, offsetof(st, f), 0, NULL, 0, 0, NULL, NULL, NULL                       \
    }
#define VS_CONF_A_STR(a, k, st, f, req, d)                                                         \
    {                                                                                              \
        a, k, offsetof(st, f), req, d, 0, 0, NULL, NULL, NULL                                      \
    }
#define VS_CONF_A_CHOICE(a, st, f, req, ch, h)                                                     \
    {                                                                                              \
        a, VS_CONF_CHOICE, offsetof(st, f), req, NULL, 0, 0, NULL, ch, h                           \
    }
#define VS_CONF_ELEM(name, defs)                                                                   \
    {                                                                                              \
        name, defs, sizeof(defs) / sizeof((defs)[0])                                               \
    }

/* Bit i of the masks vs_conf_attrs_read returns: attribute defs[i]. */
#define VS_CONF_SEEN(i) (1u << (i))

/* One load in progress: where problems go, where relative secret paths start, what to validate
 * against. Set up with vs_conf_ctx_init, then fill in elems and (if any) uri_redact. */
typedef struct vs_conf_ctx {
    const char *file;   /* the configuration's path, as given */
    char *dir;          /* its directory, for relative secret-file paths */
    vs_buf *errors;     /* the caller's buffer: one "file:line: message" line per problem */
    int n_errors;       /* problems reported so far */
    int xml_line;       /* line of the last libxml2 message, to drop its echoes */
    const char *schema; /* the RELAX NG schema's text (not copied), and its length */
    size_t schema_len;
    const vs_conf_elem *const *elems; /* every element, for the validator's messages */
    size_t n_elems;
    /* A copy of a VS_CONF_URI value fit for a message (credentials dropped; caller frees), or
     * NULL; when this is NULL a bad URI is named but never quoted. */
    char *(*uri_redact)(const char *uri);
} vs_conf_ctx;

/* Start a load of file (not copied) reporting into errors (not owned) and validating against
 * schema (schema_len bytes, not copied). Returns 0, or -1 after reporting that memory is short.
 * Release with vs_conf_ctx_clear, either way. */
int vs_conf_ctx_init(vs_conf_ctx *ctx, const char *file, vs_buf *errors, const char *schema,
                     size_t schema_len);

/* Release what vs_conf_ctx_init allocated (not the errors); accepts a zeroed ctx. */
void vs_conf_ctx_clear(vs_conf_ctx *ctx);

/* Report one problem as "file:line: message" (or "file: message" when line <= 0) and count it.
 * file is usually ctx->file (a secret file where its own content is wrong). The message is a
 * whole sentence; it must never hold a secret. */
void vs_conf_error_at(vs_conf_ctx *ctx, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As vs_conf_error_at, about the configuration file itself. */
#define VS_CONF_ERR(ctx, line, ...) vs_conf_error_at((ctx), (ctx)->file, (line), __VA_ARGS__)

/* Room for a value quoted in a message by vs_conf_show. */
#define VS_CONF_SHOW_BUF 72

/* Copy value into buf (of size n) for quoting in a message: control characters become '?', and a
 * long value is cut short with "...". Returns buf. */
const char *vs_conf_show(const char *value, char *buf, size_t n);

/* The line node was defined on (0 if unknown), and whether it is the element called name. */
int vs_conf_node_line(const xmlNode *node);
int vs_conf_node_is(const xmlNode *node, const char *name);

/* Apply e's defaults to the element's struct at base. */
void vs_conf_attrs_default(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, void *base);

/* Read node's attributes into base as e says, after the defaults; report bad values, unknown
 * attributes and missing required ones. Returns the mask of attributes present (bit i for
 * e->defs[i]); *good (if not NULL) gets the mask of those whose value was right. */
unsigned vs_conf_attrs_read(vs_conf_ctx *ctx, xmlNode *node, const vs_conf_elem *e, void *base,
                            unsigned *good);

/* Check a number of seconds read into *v (seen: present; good: well-formed): the default d when
 * absent, else it must be within (0, max]; reports "<elem> attribute attr=... is out of range". */
void vs_conf_seconds_check(vs_conf_ctx *ctx, int line, const char *elem, const char *attr, int seen,
                           int good, double *v, double d, double max);

/* Split text at blanks into new words (free with vs_conf_words_free). Returns 0, or -1 when
 * memory is short (then *out is NULL and *n 0). */
int vs_conf_words_split(const char *text, char ***out, size_t *n);
void vs_conf_words_free(char **w, size_t n);

/* For the validator's message msg, "Element x failed to validate attributes", about node (or,
 * as libxml2 sometimes says, its first child): say which required attributes x lacks (x must be
 * one of ctx->elems). Returns 0 if it did, -1 if it could not tell. */
int vs_conf_attrs_missing(vs_conf_ctx *ctx, const char *msg, const xmlNode *node);

/* Read ctx->file, parse it (no DTD, no entities, no network) and validate it against
 * ctx->schema. Returns the document (free with xmlFreeDoc), or NULL after reporting each
 * problem. */
xmlDoc *vs_conf_xml_load(vs_conf_ctx *ctx);

/* Read a secret (what: "community", "password", "webhook URL") from the first line of the file
 * named by attribute attr (value name as written; relative to the configuration's directory) of
 * the <elem> at line. Returns 0 and a new string in *out (free with vs_conf_secret_free), or -1
 * after reporting the problem (never quoting the file's content). */
int vs_conf_secret_line(vs_conf_ctx *ctx, int line, const char *elem, const char *attr,
                        const char *what, const char *name, char **out);

/* Read the "auth PASSPHRASE" and "priv PASSPHRASE" lines of the file named by attribute
 * secret-file of the <elem> at line. Returns 0 and two new strings, or -1 after reporting each
 * problem (with the secret file's own line where its content is wrong). */
int vs_conf_secret_usm(vs_conf_ctx *ctx, int line, const char *elem, const char *name, char **auth,
                       char **priv);

/* Wipe a secret string and free it; accepts NULL. */
void vs_conf_secret_free(char *secret);

/* A list of elements, for vs_conf_loader: a program's own, the shared <notifiers>, a part's. */
typedef struct {
    const vs_conf_elem *const *elems;
    size_t n;
} vs_conf_elem_list;

/* How many lists a vs_conf_loader takes, and how many elements in all (more are left out of the
 * validator's messages). */
#define VS_CONF_ELEM_LISTS 4
#define VS_CONF_ELEMS_MAX 64

/* What a program's configuration reader hands vs_conf_load. */
typedef struct {
    const char *schema; /* the RELAX NG schema's text (not copied), and its length */
    size_t schema_len;
    /* Every element, for the validator's messages; lists not given are empty. */
    vs_conf_elem_list elems[VS_CONF_ELEM_LISTS];
    char *(*uri_redact)(const char *uri); /* as in vs_conf_ctx, or NULL */
    /* Build the program's config from the validated document's root element, reporting each
     * problem into the ctx vs_conf_load was given; arg is vs_conf_load's. */
    void (*read)(void *arg, xmlNode *root);
} vs_conf_loader;

/* One whole load of path, reporting into errors: start ctx as ld says; then, unless no_memory
 * (the caller could not make its empty config: reported here), read, parse and validate the
 * file and hand its root element to ld->read; clear ctx. Returns the number of problems
 * reported: 0 when the config is complete. */
int vs_conf_load(vs_conf_ctx *ctx, const char *path, vs_buf *errors, const vs_conf_loader *ld,
                 int no_memory, void *arg);

#endif /* VS_CONF_H */
