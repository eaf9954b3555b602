/* vs_conf_attr: reading a configuration's attributes as the options tables say (numbers, names,
 * paths, choices, defaults) and wording each problem as "file:line: message". */
#include "config.h"

#include "vs_conf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vs_num.h"

#define NAME_LEN_MAX 64   /* host and group names */
#define TEXT_LEN_MAX 4096 /* any other attribute value */
#define SHOW_BUF VS_CONF_SHOW_BUF

#define ERR VS_CONF_ERR

/* The directory of path, for relative secret-file paths; NULL when memory is short. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int vs_conf_ctx_init(vs_conf_ctx *ctx, const char *file, vs_buf *errors, const char *schema,
                     size_t schema_len)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->file = file;
    ctx->errors = errors;
    ctx->schema = schema;
    ctx->schema_len = schema_len;
    ctx->dir = dir_of(file);
    if (ctx->dir != NULL)
        return 0;
    ERR(ctx, 0, "Out of memory while loading the configuration.");
    return -1;
}

void vs_conf_ctx_clear(vs_conf_ctx *ctx)
{
    free(ctx->dir);
    ctx->dir = NULL;
}

void vs_conf_error_at(vs_conf_ctx *ctx, const char *file, int line, const char *fmt, ...)
{
    vs_buf one;
    va_list ap;

    vs_buf_init(&one, 4096);
    if (line > 0)
        vs_buf_appendf(&one, "%s:%d: ", file, line);
    else
        vs_buf_appendf(&one, "%s: ", file);
    va_start(ap, fmt);
    vs_buf_vappendf(&one, fmt, ap);
    va_end(ap);
    vs_buf_append_str(&one, "\n");
    vs_buf_append_str(ctx->errors, vs_buf_str(&one));
    vs_buf_free(&one);
    ctx->n_errors++;
}

const char *vs_conf_show(const char *value, char *buf, size_t n)
{
    size_t len = strlen(value);
    size_t keep = len < n ? len : (n > 4 ? n - 4 : 0);

    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)value[i];
        buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (keep < len && n > 4) {
        memcpy(buf + keep, "...", 4);
    } else if (n > 0) {
        buf[keep < n ? keep : n - 1] = '\0';
    }
    return buf;
}

int vs_conf_node_line(const xmlNode *node)
{
    long line = xmlGetLineNo(node);
    return line > 0 && line < INT_MAX ? (int)line : 0;
}

int vs_conf_node_is(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name);
}

/* Store the whole number v for d. Returns 0, or -1 after reporting a bad one. */
static int int_store(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, const vs_conf_attr *d,
                     const char *v, int *out)
{
    char shown[SHOW_BUF];
    long n = 0;

    if (vs_num_parse_long(v, LONG_MIN, LONG_MAX, &n) < 0) {
        ERR(ctx, line, "<%s> attribute %s=\"%s\" is not a whole number%s%s.", e->elem, d->attr,
            vs_conf_show(v, shown, sizeof(shown)), d->unit != NULL ? " of " : "",
            d->unit != NULL ? d->unit : "");
    } else if (n < d->min || n > d->max) {
        ERR(ctx, line, "<%s> attribute %s=\"%s\" is out of range; it must be from %ld to %ld%s%s.",
            e->elem, d->attr, vs_conf_show(v, shown, sizeof(shown)), d->min, d->max,
            d->unit != NULL ? " " : "", d->unit != NULL ? d->unit : "");
    } else {
        *out = (int)n;
        return 0;
    }
    return -1;
}

/* Store v for a VS_CONF_SECONDS, VS_CONF_NUMBER or VS_CONF_YESNO attribute d. Returns 0, or -1 after reporting. */
static int number_store(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, const vs_conf_attr *d,
                        const char *v, void *field)
{
    char shown[SHOW_BUF];
    double s = 0;

    if (d->kind == VS_CONF_YESNO && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "no") == 0)) {
        *(int *)field = strcasecmp(v, "yes") == 0;
        return 0;
    } else if (d->kind == VS_CONF_YESNO) {
        ERR(ctx, line, "<%s> attribute %s=\"%s\" is neither \"yes\" nor \"no\".", e->elem, d->attr,
            vs_conf_show(v, shown, sizeof(shown)));
    } else if (vs_num_parse_double(v, &s) < 0) {
        ERR(ctx, line, "<%s> attribute %s=\"%s\" is not a number%s.", e->elem, d->attr,
            vs_conf_show(v, shown, sizeof(shown)), d->kind == VS_CONF_SECONDS ? " of seconds" : "");
    } else {
        *(double *)field = s;
        return 0;
    }
    return -1;
}

/* Whether v is a host or group name: 1 to 64 of [A-Za-z0-9._-], not "." or "..". */
static int name_ok(const char *v)
{
    size_t n = strlen(v);

    if (n == 0 || n > NAME_LEN_MAX || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
        return 0;
    return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Whether a URI starts with a scheme ("qemu+ssh:"). */
static int uri_has_scheme(const char *v)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    size_t n = strspn(v, alpha);

    if (n == 0)
        return 0;
    n += strspn(v + n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-");
    return v[n] == ':';
}

/* What is wrong with text v for an attribute of kind k, or NULL if nothing. */
static const char *text_fault(vs_conf_val k, const char *v)
{
    size_t n = strlen(v);

    if (k == VS_CONF_NAME && !name_ok(v))
        return "is not a valid name; use 1 to 64 letters, digits, '.', '_' or '-' (but not \".\" "
               "or \"..\")";
    if (n == 0)
        return "is empty";
    if (n > TEXT_LEN_MAX)
        return "is longer than 4096 characters";
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return "holds a control character";
    }
    if (k == VS_CONF_TOKEN && strpbrk(v, " ") != NULL)
        return "holds a blank";
    if (k == VS_CONF_PATH && v[0] != '/')
        return "is not an absolute path";
    if (k == VS_CONF_URI && !uri_has_scheme(v))
        return "has no scheme; write it as libvirt takes it, e.g. \"qemu+ssh://user@host/system\"";
    return NULL;
}

/* The choices of d as "A, B or C". */
static void choices_list(vs_buf *b, const vs_conf_attr *d)
{
    for (size_t i = 0; d->choices[i] != NULL; i++) {
        const char *sep = i == 0 ? "" : d->choices[i + 1] == NULL ? " or " : ", ";
        vs_buf_appendf(b, "%s%s", sep, d->choices[i]);
    }
}

/* Report that v is not one of d's choices. Returns -1. */
static int choice_refuse(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, const vs_conf_attr *d,
                         const char *v)
{
    char shown[SHOW_BUF];
    vs_buf list;

    vs_buf_init(&list, 1024);
    choices_list(&list, d);
    ERR(ctx, line, "<%s> attribute %s=\"%s\" is not allowed; use %s%s.", e->elem, d->attr,
        vs_conf_show(v, shown, sizeof(shown)), vs_buf_str(&list), d->hint != NULL ? d->hint : "");
    vs_buf_free(&list);
    return -1;
}

/* Store text v for d (checked as its kind says) as a new string. Returns 0, or -1 after
 * reporting a bad one. */
static int text_store(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, const vs_conf_attr *d,
                      const char *v, char **out)
{
    char shown[SHOW_BUF];
    const char *fault = text_fault(d->kind, v);
    const char *keep = v;

    if (fault != NULL && d->kind == VS_CONF_URI) {
        /* A URI may carry a password: quote it only as the program's redactor rewrites it. */
        char *safe = ctx->uri_redact != NULL ? ctx->uri_redact(v) : NULL;
        if (safe != NULL)
            ERR(ctx, line, "<%s> attribute %s=\"%s\" %s.", e->elem, d->attr,
                vs_conf_show(safe, shown, sizeof(shown)), fault);
        else
            ERR(ctx, line, "<%s> attribute %s %s.", e->elem, d->attr, fault);
        free(safe);
        return -1;
    }
    if (fault != NULL) {
        ERR(ctx, line, "<%s> attribute %s=\"%s\" %s.", e->elem, d->attr,
            vs_conf_show(v, shown, sizeof(shown)), fault);
        return -1;
    }
    if (d->kind == VS_CONF_CHOICE) {
        keep = NULL;
        for (size_t i = 0; keep == NULL && d->choices[i] != NULL; i++)
            keep = strcasecmp(v, d->choices[i]) == 0 ? d->choices[i] : NULL;
        if (keep == NULL)
            return choice_refuse(ctx, line, e, d, v);
    }
    free(*out);
    *out = strdup(keep);
    if (*out != NULL)
        return 0;
    ERR(ctx, line, "Out of memory while reading <%s> attribute %s.", e->elem, d->attr);
    return -1;
}

/* Store value v of attribute d into the element's struct at base. Returns 0, or -1 after
 * reporting a bad value. */
static int attr_store(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, const vs_conf_attr *d,
                      const char *v, void *base)
{
    void *field = (char *)base + d->off;

    if (d->kind == VS_CONF_INT)
        return int_store(ctx, line, e, d, v, field);
    if (d->kind == VS_CONF_SECONDS || d->kind == VS_CONF_NUMBER || d->kind == VS_CONF_YESNO)
        return number_store(ctx, line, e, d, v, field);
    return text_store(ctx, line, e, d, v, field);
}

void vs_conf_attrs_default(vs_conf_ctx *ctx, int line, const vs_conf_elem *e, void *base)
{
    for (size_t i = 0; i < e->n; i++) {
        if (e->defs[i].def != NULL)
            attr_store(ctx, line, e, &e->defs[i], e->defs[i].def, base);
    }
}

unsigned vs_conf_attrs_read(vs_conf_ctx *ctx, xmlNode *node, const vs_conf_elem *e, void *base,
                            unsigned *good)
{
    int line = vs_conf_node_line(node);
    unsigned seen = 0;
    unsigned ok = 0;

    vs_conf_attrs_default(ctx, line, e, base);
    for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
        size_t i = 0;
        while (i < e->n && (a->ns != NULL || !xmlStrEqual(a->name, BAD_CAST e->defs[i].attr)))
            i++;
        if (i == e->n) {
            ERR(ctx, line, "<%s> has no attribute %s.", e->elem, (const char *)a->name);
            continue;
        }
        xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
        if (attr_store(ctx, line, e, &e->defs[i], v != NULL ? (const char *)v : "", base) == 0)
            ok |= VS_CONF_SEEN(i);
        xmlFree(v);
        seen |= VS_CONF_SEEN(i);
    }
    if (good != NULL)
        *good = ok;
    for (size_t i = 0; i < e->n; i++) {
        if (e->defs[i].required && !(seen & VS_CONF_SEEN(i)))
            ERR(ctx, line, "<%s> needs attribute %s.", e->elem, e->defs[i].attr);
    }
    return seen;
}

int vs_conf_attrs_missing(vs_conf_ctx *ctx, const char *msg, const xmlNode *node)
{
    const vs_conf_elem *e = NULL;
    int said = 0;

    for (size_t i = 0; i < ctx->n_elems; i++) {
        const vs_conf_elem *const *elems = ctx->elems;
        size_t n = strlen(elems[i]->elem);
        if (strncmp(msg, "Element ", 8) == 0 && strncmp(msg + 8, elems[i]->elem, n) == 0
            && msg[8 + n] == ' ')
            e = elems[i];
    }
    if (e != NULL && !vs_conf_node_is(node, e->elem))
        node = node->parent;
    for (size_t j = 0; e != NULL && node != NULL && vs_conf_node_is(node, e->elem) && j < e->n;
         j++) {
        if (e->defs[j].required && xmlHasProp(node, BAD_CAST e->defs[j].attr) == NULL) {
            ERR(ctx, vs_conf_node_line(node), "<%s> needs attribute %s.", e->elem, e->defs[j].attr);
            said++;
        }
    }
    return said > 0 ? 0 : -1;
}

void vs_conf_seconds_check(vs_conf_ctx *ctx, int line, const char *elem, const char *attr, int seen,
                           int good, double *v, double d, double max)
{
    if (!seen)
        *v = d;
    else if (good && (*v <= 0 || *v > max))
        ERR(ctx, line, "<%s> attribute %s=\"%g\" is out of range (more than 0, at most %g).", elem,
            attr, *v, max);
}

void vs_conf_words_free(char **w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    free(w);
}

int vs_conf_words_split(const char *text, char ***out, size_t *n)
{
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    for (const char *p = text; *p != '\0';) {
        p += strspn(p, " \t\r\n");
        size_t len = strcspn(p, " \t\r\n");
        if (len == 0)
            break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            char **w = realloc(*out, cap * sizeof(*w));
            if (w == NULL)
                goto oom;
            *out = w;
        }
        if (((*out)[*n] = strndup(p, len)) == NULL)
            goto oom;
        (*n)++;
        p += len;
    }
    return 0;
oom:
    vs_conf_words_free(*out, *n);
    *out = NULL;
    *n = 0;
    return -1;
}
