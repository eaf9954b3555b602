/* vs_msg: the message every notifier delivers, and its JSON form for the spool. */
#include "config.h"

#include "vs_msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vs_notify.h"

static void free_vb(vs_varbind *vb)
{
    free(vb->oid);
    free(vb->name);
    free(vb->value);
    free(vb->text);
}

void vs_msg_free(vs_msg *m)
{
    if (m == NULL)
        return;
    free(m->msg_id);
    free(m->alarm_id);
    free(m->host);
    free(m->resource);
    free(m->metric);
    free(m->value);
    free(m->threshold);
    free(m->rule);
    free(m->summary);
    free(m->source);
    free(m->trap_oid);
    for (size_t i = 0; i < m->n_vbs; i++)
        free_vb(&m->vbs[i]);
    free(m->vbs);
    free(m);
}

void vs_notifier_free(vs_notifier *n)
{
    if (n != NULL)
        n->ops->free(n);
}

const char *vs_severity_name(vs_severity s)
{
    switch (s) {
    case VS_SEV_OK:
        return "OK";
    case VS_SEV_WARNING:
        return "WARNING";
    case VS_SEV_CRITICAL:
        return "CRITICAL";
    case VS_SEV_INFO:
        return "INFO";
    }
    return "UNKNOWN";
}

/* Copy n bytes into a new NUL-terminated string; *ok becomes 0 when memory is short. */
static char *copy_bytes(const char *s, size_t n, int *ok)
{
    if (s == NULL)
        return NULL;
    char *d = malloc(n + 1);
    if (d == NULL) {
        *ok = 0;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *copy_str(const char *s, int *ok)
{
    return s == NULL ? NULL : copy_bytes(s, strlen(s), ok);
}

vs_msg *vs_msg_dup(const vs_msg *m)
{
    vs_msg *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    int ok = 1;
    d->kind = m->kind;
    d->time = m->time;
    d->severity = m->severity;
    d->previous = m->previous;
    d->repeat = m->repeat;
    d->msg_id = copy_str(m->msg_id, &ok);
    d->alarm_id = copy_str(m->alarm_id, &ok);
    d->host = copy_str(m->host, &ok);
    d->resource = copy_str(m->resource, &ok);
    d->metric = copy_str(m->metric, &ok);
    d->value = copy_str(m->value, &ok);
    d->threshold = copy_str(m->threshold, &ok);
    d->rule = copy_str(m->rule, &ok);
    d->summary = copy_str(m->summary, &ok);
    d->source = copy_str(m->source, &ok);
    d->trap_oid = copy_str(m->trap_oid, &ok);
    if (m->n_vbs > 0) {
        d->vbs = calloc(m->n_vbs, sizeof *d->vbs);
        if (d->vbs == NULL) {
            vs_msg_free(d);
            return NULL;
        }
        d->n_vbs = m->n_vbs;
        for (size_t i = 0; i < m->n_vbs; i++) {
            const vs_varbind *s = &m->vbs[i];
            vs_varbind *t = &d->vbs[i];
            t->type = s->type;
            t->oid = copy_str(s->oid, &ok);
            t->name = copy_str(s->name, &ok);
            t->value = copy_bytes(s->value, s->value_len, &ok);
            t->value_len = s->value_len;
            t->text = copy_str(s->text, &ok);
        }
    }
    if (!ok) {
        vs_msg_free(d);
        return NULL;
    }
    return d;
}

/* JSON ------------------------------------------------------------------------------------ */

static int add_str(json_object *o, const char *key, const char *v)
{
    if (v == NULL)
        return 0;
    json_object *s = json_object_new_string(v);
    if (s == NULL)
        return -1;
    return json_object_object_add(o, key, s);
}

static int add_int(json_object *o, const char *key, int64_t v)
{
    json_object *i = json_object_new_int64(v);
    if (i == NULL)
        return -1;
    return json_object_object_add(o, key, i);
}

static char *to_hex(const char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *h = malloc(2 * n + 1);
    if (h == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        h[2 * i] = digits[(unsigned char)b[i] >> 4];
        h[2 * i + 1] = digits[(unsigned char)b[i] & 15];
    }
    h[2 * n] = '\0';
    return h;
}

static int hex_val(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode hex text into new bytes; NULL if it is not hex or memory is short. */
static char *from_hex(const char *h, size_t *n)
{
    size_t len = strlen(h);
    if (len % 2 != 0)
        return NULL;
    char *b = malloc(len / 2 + 1);
    if (b == NULL)
        return NULL;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_val(h[2 * i]), lo = hex_val(h[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (char)(hi << 4 | lo);
    }
    b[len / 2] = '\0';
    *n = len / 2;
    return b;
}

static json_object *vb_to_json(const vs_varbind *vb)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    char type[2] = { vb->type, '\0' };
    int rc = add_str(o, "oid", vb->oid) | add_str(o, "name", vb->name) | add_str(o, "type", type)
             | add_str(o, "text", vb->text);
    if (vb->value != NULL) {
        if (memchr(vb->value, '\0', vb->value_len) != NULL) {
            char *h = to_hex(vb->value, vb->value_len);
            rc |= h == NULL ? -1 : add_str(o, "value_hex", h);
            free(h);
        } else {
            json_object *s = json_object_new_string_len(vb->value, (int)vb->value_len);
            rc |= s == NULL ? -1 : json_object_object_add(o, "value", s);
        }
    }
    if (rc != 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

json_object *vs_msg_to_json(const vs_msg *m)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    int rc = add_int(o, "kind", m->kind) | add_int(o, "severity", m->severity)
             | add_int(o, "previous", m->previous) | add_int(o, "repeat", m->repeat);
    json_object *t = json_object_new_double(m->time);
    rc |= t == NULL ? -1 : json_object_object_add(o, "time", t);
    rc |= add_str(o, "msg_id", m->msg_id) | add_str(o, "alarm_id", m->alarm_id)
          | add_str(o, "host", m->host) | add_str(o, "resource", m->resource)
          | add_str(o, "metric", m->metric) | add_str(o, "value", m->value)
          | add_str(o, "threshold", m->threshold) | add_str(o, "rule", m->rule)
          | add_str(o, "summary", m->summary) | add_str(o, "source", m->source)
          | add_str(o, "trap_oid", m->trap_oid);
    if (m->n_vbs > 0) {
        json_object *a = json_object_new_array_ext((int)m->n_vbs);
        rc |= a == NULL ? -1 : json_object_object_add(o, "varbinds", a);
        for (size_t i = 0; rc == 0 && i < m->n_vbs; i++) {
            json_object *v = vb_to_json(&m->vbs[i]);
            rc |= v == NULL ? -1 : json_object_array_add(a, v);
        }
    }
    if (rc != 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* Read the optional string key into *dst (a copy); 0, or -1 with err when it is not a string
 * or memory is short. */
static int get_str(json_object *o, const char *key, char **dst, char *err, size_t errlen)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_string)) {
        snprintf(err, errlen, "\"%s\" is not a string", key);
        return -1;
    }
    int ok = 1;
    *dst = copy_bytes(json_object_get_string(v), (size_t)json_object_get_string_len(v), &ok);
    if (!ok) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int get_int(json_object *o, const char *key, long lo, long hi, long *dst, char *err,
                   size_t errlen)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int)) {
        snprintf(err, errlen, "\"%s\" is not a whole number", key);
        return -1;
    }
    errno = 0;
    int64_t x = json_object_get_int64(v);
    if (x < lo || x > hi) {
        snprintf(err, errlen, "\"%s\" is out of range", key);
        return -1;
    }
    *dst = (long)x;
    return 0;
}

static int vb_from_json(json_object *o, vs_varbind *vb, char *err, size_t errlen)
{
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(err, errlen, "a varbind is not an object");
        return -1;
    }
    char *type = NULL, *hex = NULL;
    int rc = get_str(o, "oid", &vb->oid, err, errlen);
    if (rc == 0)
        rc = get_str(o, "name", &vb->name, err, errlen);
    if (rc == 0)
        rc = get_str(o, "text", &vb->text, err, errlen);
    if (rc == 0)
        rc = get_str(o, "type", &type, err, errlen);
    if (rc == 0)
        rc = get_str(o, "value", &vb->value, err, errlen);
    if (rc == 0)
        rc = get_str(o, "value_hex", &hex, err, errlen);
    if (rc == 0 && vb->oid == NULL) {
        snprintf(err, errlen, "a varbind has no \"oid\"");
        rc = -1;
    }
    if (rc == 0 && (type == NULL || strlen(type) != 1)) {
        snprintf(err, errlen, "a varbind's \"type\" is not one letter");
        rc = -1;
    }
    if (rc == 0)
        vb->type = type[0];
    if (rc == 0 && vb->value != NULL) {
        json_object *v = json_object_object_get(o, "value");
        vb->value_len = (size_t)json_object_get_string_len(v);
    } else if (rc == 0 && hex != NULL) {
        vb->value = from_hex(hex, &vb->value_len);
        if (vb->value == NULL) {
            snprintf(err, errlen, "a varbind's \"value_hex\" is not hex");
            rc = -1;
        }
    }
    free(type);
    free(hex);
    return rc;
}

vs_msg *vs_msg_from_json(json_object *o, char *err, size_t errlen)
{
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        snprintf(err, errlen, "not a JSON object");
        return NULL;
    }
    vs_msg *m = calloc(1, sizeof *m);
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    long kind = 0, sev = 0, prev = 0, rep = 0;
    int rc = get_int(o, "kind", VS_MSG_ALARM_RAISED, VS_MSG_TRAP, &kind, err, errlen);
    if (rc == 0)
        rc = get_int(o, "severity", VS_SEV_OK, VS_SEV_INFO, &sev, err, errlen);
    if (rc == 0)
        rc = get_int(o, "previous", VS_SEV_OK, VS_SEV_INFO, &prev, err, errlen);
    if (rc == 0)
        rc = get_int(o, "repeat", 0, 1000000000L, &rep, err, errlen);
    if (rc == 0 && kind == 0) {
        snprintf(err, errlen, "no \"kind\"");
        rc = -1;
    }
    m->kind = (vs_msg_kind)kind;
    m->severity = (vs_severity)sev;
    m->previous = (vs_severity)prev;
    m->repeat = (unsigned)rep;
    json_object *t;
    if (rc == 0 && json_object_object_get_ex(o, "time", &t)) {
        if (json_object_is_type(t, json_type_double) || json_object_is_type(t, json_type_int)) {
            m->time = json_object_get_double(t);
        } else {
            snprintf(err, errlen, "\"time\" is not a number");
            rc = -1;
        }
    }
    struct {
        const char *key;
        char **dst;
    } strs[] = {
        { "msg_id", &m->msg_id },       { "alarm_id", &m->alarm_id }, { "host", &m->host },
        { "resource", &m->resource },   { "metric", &m->metric },     { "value", &m->value },
        { "threshold", &m->threshold }, { "rule", &m->rule },         { "summary", &m->summary },
        { "source", &m->source },       { "trap_oid", &m->trap_oid },
    };
    for (size_t i = 0; rc == 0 && i < sizeof strs / sizeof strs[0]; i++)
        rc = get_str(o, strs[i].key, strs[i].dst, err, errlen);
    json_object *a;
    if (rc == 0 && json_object_object_get_ex(o, "varbinds", &a)) {
        if (!json_object_is_type(a, json_type_array)) {
            snprintf(err, errlen, "\"varbinds\" is not an array");
            rc = -1;
        } else if (json_object_array_length(a) > 0) {
            size_t n = json_object_array_length(a);
            m->vbs = calloc(n, sizeof *m->vbs);
            if (m->vbs == NULL) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            } else {
                m->n_vbs = n;
                for (size_t i = 0; rc == 0 && i < n; i++)
                    rc = vb_from_json(json_object_array_get_idx(a, i), &m->vbs[i], err, errlen);
            }
        }
    }
    if (rc != 0) {
        vs_msg_free(m);
        return NULL;
    }
    return m;
}
