/* mgr_alarm_file: the alarm state file (JSON in the state directory): written atomically,
 * read back at start, set aside when corrupt so a bad file never stops the manager. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mgr_alarm_int.h"
#include "vs_buf.h"
#include "vs_log.h"

#define FILE_VERSION 1
#define FILE_MAX (512u << 20) /* far beyond any real state: a bigger file is not ours */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- writing */

static void add_num(json_object *o, const char *key, double v)
{
    json_object_object_add(o, key, isfinite(v) ? json_object_new_double(v) : NULL);
}

static json_object *state_json(const mgr_astate *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "rule", json_object_new_string(s->rule_key));
    json_object_object_add(o, "resource", json_object_new_string(s->resource));
    json_object_object_add(o, "host", json_object_new_string(s->host->name));
    json_object_object_add(o, "metric", json_object_new_string(s->metric));
    json_object_object_add(o, "threshold",
                           s->threshold ? json_object_new_string(s->threshold) : NULL);
    json_object_object_add(o, "level", json_object_new_int(s->level));
    json_object_object_add(o, "previous", json_object_new_int(s->previous));
    json_object_object_add(o, "pending", json_object_new_int(s->pending));
    json_object_object_add(o, "count", json_object_new_int64(s->count));
    json_object *names = json_object_new_array();
    for (size_t i = 0; i < s->n_notified; i++)
        json_object_array_add(names, json_object_new_string(s->notified[i]));
    json_object_object_add(o, "notified", names);
    json_object_object_add(o, "alarm_id", json_object_new_string(s->alarm_id));
    json_object_object_add(o, "seq", json_object_new_int64(s->seq));
    add_num(o, "episode_start", s->episode_start);
    add_num(o, "since", s->since);
    add_num(o, "last_msg", s->last_msg);
    json_object_object_add(o, "repeat", json_object_new_int64(s->repeat));
    add_num(o, "value", s->value);
    json_object_object_add(o, "missed", json_object_new_int64(s->missed));
    return o;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* fsync the directory holding path, so the rename survives a power cut. */
static int sync_dir(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int mgr_alarm_file_save(mgr_alarm *a, char *err, size_t errlen)
{
    json_object *root = json_object_new_object();
    json_object *list = json_object_new_array();
    json_object_object_add(root, "version", json_object_new_int(FILE_VERSION));
    json_object_object_add(root, "alarms", list);
    for (size_t i = 0; i < a->n_buckets; i++)
        for (const mgr_astate *s = a->buckets[i]; s != NULL; s = s->next_bucket)
            json_object_array_add(list, state_json(s));
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);

    vs_buf tmp;
    vs_buf_init(&tmp, 8192);
    int rc = -1, fd = -1;
    const char *what = "write";
    if (text == NULL || vs_buf_appendf(&tmp, "%s.tmp", a->state_path) < 0) {
        errno = ENOMEM;
        goto cleanup;
    }
    fd = open(vs_buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0
        || fsync(fd) < 0)
        goto cleanup;
    int c = close(fd);
    fd = -1;
    what = "rename";
    if (c < 0 || rename(vs_buf_str(&tmp), a->state_path) < 0)
        goto cleanup;
    what = "sync the directory of";
    if (sync_dir(a->state_path) < 0)
        goto cleanup;
    rc = 0;
cleanup:
    if (rc < 0) {
        set_err(err, errlen, "cannot %s the alarm state file %s: %s", what, a->state_path,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        if (vs_buf_str(&tmp)[0] != '\0')
            unlink(vs_buf_str(&tmp));
    }
    vs_buf_free(&tmp);
    json_object_put(root);
    return rc;
}

/* ---------------------------------------------------------------- reading */

/* One entry of the file, pointing into the JSON tree. */
typedef struct {
    const char *rule, *resource, *host, *metric, *threshold, *alarm_id;
    json_object *notified;
    int level, previous, pending;
    unsigned count, seq, repeat, missed;
    double episode_start, since, last_msg, value;
} entry;

static int get_str(json_object *o, const char *key, int may_be_null, const char **out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
        *out = NULL;
        return may_be_null ? 0 : -1;
    }
    if (!json_object_is_type(v, json_type_string))
        return -1;
    *out = json_object_get_string(v);
    return 0;
}

static int get_uint(json_object *o, const char *key, unsigned max, unsigned *out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return -1;
    int64_t x = json_object_get_int64(v);
    if (x < 0 || (uint64_t)x > max)
        return -1;
    *out = (unsigned)x;
    return 0;
}

/* A number, or NaN for null (missing is an error). */
static int get_num(json_object *o, const char *key, double *out)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return -1;
    if (v == NULL) {
        *out = NAN;
        return 0;
    }
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_double(v);
    return 0;
}

static int is_alarm_id(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == MGR_ALARM_ID_LEN && s[n] == '\0';
}

/* Read and check entry o; -1 names nothing (the whole file is then set aside). */
static int entry_read(json_object *o, entry *e)
{
    unsigned level, previous, pending;
    if (!json_object_is_type(o, json_type_object) || get_str(o, "rule", 0, &e->rule) < 0
        || get_str(o, "resource", 0, &e->resource) < 0 || get_str(o, "host", 0, &e->host) < 0
        || get_str(o, "metric", 0, &e->metric) < 0 || get_str(o, "threshold", 1, &e->threshold) < 0
        || get_str(o, "alarm_id", 0, &e->alarm_id) < 0
        || get_uint(o, "level", VS_SEV_CRITICAL, &level) < 0
        || get_uint(o, "previous", VS_SEV_CRITICAL, &previous) < 0
        || get_uint(o, "pending", VS_SEV_CRITICAL, &pending) < 0
        || get_uint(o, "count", 1u << 30, &e->count) < 0
        || get_uint(o, "seq", 1u << 30, &e->seq) < 0
        || get_uint(o, "repeat", 1u << 30, &e->repeat) < 0
        || get_uint(o, "missed", 1u << 30, &e->missed) < 0
        || get_num(o, "episode_start", &e->episode_start) < 0 || get_num(o, "since", &e->since) < 0
        || get_num(o, "last_msg", &e->last_msg) < 0 || get_num(o, "value", &e->value) < 0)
        return -1;
    e->level = (int)level;
    e->previous = (int)previous;
    e->pending = (int)pending;
    if (e->rule[0] == '\0' || e->resource[0] == '\0' || e->host[0] == '\0' || e->metric[0] == '\0')
        return -1;
    /* An open alarm has an episode; an OK state exists only while counting. */
    if (e->level != VS_SEV_OK ? !is_alarm_id(e->alarm_id) || isnan(e->last_msg) : e->count == 0)
        return -1;
    if (!json_object_object_get_ex(o, "notified", &e->notified)
        || !json_object_is_type(e->notified, json_type_array))
        return -1;
    for (size_t i = 0; i < json_object_array_length(e->notified); i++) {
        json_object *n = json_object_array_get_idx(e->notified, i);
        if (!json_object_is_type(n, json_type_string) || json_object_get_string_len(n) == 0)
            return -1;
    }
    return 0;
}

/* Add checked entry e to a; -1 when memory is short. A duplicate is skipped. */
static int entry_add(mgr_alarm *a, const entry *e)
{
    mgr_ahost *h = mgr_alarm_host_get(a, e->host);
    if (h == NULL)
        return -1;
    uint64_t hash = mgr_alarm_pair_hash(mgr_alarm_fnv(MGR_FNV_INIT, e->rule),
                                        mgr_alarm_fnv(MGR_FNV_INIT, e->resource));
    for (const mgr_astate *t = a->buckets[hash & (a->n_buckets - 1)]; t; t = t->next_bucket)
        if (t->hash == hash && strcmp(t->rule_key, e->rule) == 0
            && strcmp(t->resource, e->resource) == 0)
            return 0;
    mgr_astate *s = mgr_astate_add(a, e->rule, e->resource, e->metric, hash, h);
    if (s == NULL)
        return -1;
    s->threshold = e->threshold ? strdup(e->threshold) : NULL;
    s->level = (vs_severity)e->level;
    s->previous = (vs_severity)e->previous;
    s->pending = (vs_severity)e->pending;
    s->count = e->count;
    snprintf(s->alarm_id, sizeof(s->alarm_id), "%s", e->level ? e->alarm_id : "");
    s->seq = e->seq;
    s->episode_start = e->episode_start;
    s->since = e->since;
    s->last_msg = e->last_msg;
    s->repeat = e->repeat;
    s->value = e->value;
    s->missed = e->missed;
    size_t n = json_object_array_length(e->notified);
    s->notified = n ? calloc(n, sizeof *s->notified) : NULL;
    if ((e->threshold && s->threshold == NULL) || (n && s->notified == NULL))
        return -1;
    for (size_t i = 0; i < n; i++) {
        s->notified[i] = strdup(json_object_get_string(json_object_array_get_idx(e->notified, i)));
        if (s->notified[i] == NULL)
            return -1;
        s->n_notified = i + 1;
    }
    return 0;
}

/* Read all of path into a new buffer. -1 with errno (ENOENT: no file). */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) < 0)
        goto fail;
    if (st.st_size < 0 || (unsigned long long)st.st_size > FILE_MAX) {
        errno = EFBIG;
        goto fail;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    buf = malloc(cap);
    if (buf == NULL)
        goto fail;
    for (;;) {
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            goto fail;
        if (k == 0 || n + (size_t)k == cap - 1) {
            n += (size_t)k;
            break;
        }
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:;
    int e = errno;
    free(buf);
    close(fd);
    errno = e;
    return NULL;
}

/* Parse text as one JSON value with nothing but blanks after it; NULL with why. */
static json_object *parse_all(const char *text, size_t len, const char **why)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        *why = "out of memory";
        return NULL;
    }
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    if (o == NULL) {
        enum json_tokener_error e = json_tokener_get_error(tok);
        *why = e == json_tokener_continue ? "the JSON text ends early" : json_tokener_error_desc(e);
    } else if (strspn(text + json_tokener_get_parse_end(tok), " \t\r\n")
               != len - json_tokener_get_parse_end(tok)) {
        *why = "something follows the JSON text";
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

/* Check the document and return its alarm list, or NULL with why. */
static json_object *check_root(json_object *root, const char **why)
{
    json_object *v = NULL, *list = NULL;
    if (!json_object_is_type(root, json_type_object)) {
        *why = "it is not a JSON object";
        return NULL;
    }
    if (!json_object_object_get_ex(root, "version", &v) || !json_object_is_type(v, json_type_int)
        || json_object_get_int(v) != FILE_VERSION) {
        *why = "its version is missing or unknown";
        return NULL;
    }
    if (!json_object_object_get_ex(root, "alarms", &list)
        || !json_object_is_type(list, json_type_array)) {
        *why = "it has no alarm list";
        return NULL;
    }
    entry e;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        if (entry_read(json_object_array_get_idx(list, i), &e) < 0) {
            *why = "an alarm entry is malformed";
            return NULL;
        }
    }
    return list;
}

/* Log the corrupt file once and move it aside. */
static void set_aside(const char *path, const char *why)
{
    vs_buf aside;
    vs_buf_init(&aside, 8192);
    if (vs_buf_appendf(&aside, "%s.corrupt", path) == 0 && rename(path, vs_buf_str(&aside)) == 0)
        VS_LOG(VS_LOG_ERR, path,
               "the alarm state file is corrupt (%s); moved to %s, starting with no open alarms",
               why, vs_buf_str(&aside));
    else
        VS_LOG(VS_LOG_ERR, path,
               "the alarm state file is corrupt (%s) and cannot be moved aside (%s); starting "
               "with no open alarms",
               why, strerror(errno));
    vs_buf_free(&aside);
}

int mgr_alarm_file_load(mgr_alarm *a, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = slurp(a->state_path, &len);
    if (text == NULL) {
        if (errno == ENOENT)
            return 0;
        set_err(err, errlen, "cannot read the alarm state file %s: %s", a->state_path,
                strerror(errno));
        return -1;
    }
    const char *why = NULL;
    json_object *root = parse_all(text, len, &why);
    json_object *list = root ? check_root(root, &why) : NULL;
    int rc = 0;
    if (list == NULL) {
        set_aside(a->state_path, why);
    } else {
        entry e;
        for (size_t i = 0; rc == 0 && i < json_object_array_length(list); i++) {
            entry_read(json_object_array_get_idx(list, i), &e);
            rc = entry_add(a, &e);
        }
        if (rc < 0)
            set_err(err, errlen, "out of memory reading the alarm state file %s", a->state_path);
    }
    json_object_put(root);
    free(text);
    return rc;
}
