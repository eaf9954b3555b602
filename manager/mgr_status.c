/* mgr_status: the JSON status file and the --once table. */
#include <config.h>

#include "mgr_status.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vs_buf.h"

/* Add key: a double, or null when it is not a number. */
static void add_num(json_object *o, const char *key, double v)
{
    json_object_object_add(o, key, isnan(v) ? NULL : json_object_new_double(v));
}

static void add_str(json_object *o, const char *key, const char *s)
{
    json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

static json_object *source_json(const mgr_source_status *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ok", json_object_new_boolean(s->ok));
    add_str(o, "error", s->error);
    add_num(o, "started", s->started);
    add_num(o, "duration", s->duration);
    json_object_object_add(o, "requests", json_object_new_int64(s->requests));
    return o;
}

static unsigned count_kind(const mgr_result *r, mgr_res_kind kind)
{
    unsigned n = 0;
    for (size_t i = 0; r && i < r->n_res; i++)
        n += r->res[i].kind == kind;
    return n;
}

static json_object *host_json(const mgr_host *h)
{
    static const char *const names[2] = { "snmp", "libvirt" };
    json_object *o = json_object_new_object();
    add_str(o, "name", h->cfg->name);
    add_str(o, "group", h->cfg->group_path);
    int polled = h->last != NULL;
    json_object_object_add(o, "up", polled ? json_object_new_boolean(h->last->ok) : NULL);
    add_num(o, "last_poll", polled ? h->last_poll : NAN);
    add_num(o, "duration", polled ? h->last_duration : NAN);
    add_str(o, "error", polled ? h->last->error : NULL);
    json_object_object_add(o, "samples", json_object_new_int64((int64_t)h->last_samples));
    json_object_object_add(o, "samples_total", json_object_new_int64((int64_t)h->samples));
    json_object_object_add(o, "polls", json_object_new_int64((int64_t)h->polls));
    json_object_object_add(o, "failures", json_object_new_int64((int64_t)h->failures));
    json_object_object_add(o, "vms", json_object_new_int64(count_kind(h->last, MGR_RES_VM)));
    json_object *src = json_object_new_object();
    for (int s = 0; s < 2; s++)
        if ((h->want & (1u << s)) && h->src[s].polled)
            json_object_object_add(src, names[s], source_json(&h->src[s]));
    json_object_object_add(o, "sources", src);
    return o;
}

static json_object *cycle_json(const mgr_cycle_info *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "number", json_object_new_int64((int64_t)c->number));
    add_num(o, "started", c->started);
    add_num(o, "duration", c->duration);
    add_num(o, "lag", c->lag);
    json_object_object_add(o, "hosts", json_object_new_int64(c->hosts));
    json_object_object_add(o, "failed", json_object_new_int64(c->failed));
    return o;
}

static json_object *rrd_json(const mgr_rrd_stats *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "updates", json_object_new_int64((int64_t)s->updates));
    json_object_object_add(o, "creates", json_object_new_int64((int64_t)s->creates));
    json_object_object_add(o, "errors", json_object_new_int64((int64_t)s->errors));
    json_object_object_add(o, "dropped", json_object_new_int64((int64_t)s->dropped));
    json_object_object_add(o, "pending", json_object_new_int64((int64_t)s->pending));
    return o;
}

char *mgr_status_json(const mgr_status_view *v)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(root, "pid", json_object_new_int((int)getpid()));
    add_str(root, "config", v->config_file);
    add_str(root, "shard", v->shard);
    json_object_object_add(root, "interval", json_object_new_int(v->interval));
    json_object_object_add(root, "cycle", v->cycle ? cycle_json(v->cycle) : NULL);
    json_object_object_add(root, "rrd", v->rrd ? rrd_json(v->rrd) : NULL);
    json_object_object_add(root, "alarms", v->alarms ? json_object_get(v->alarms) : NULL);
    json_object *hosts = json_object_new_array();
    for (size_t i = 0; i < v->n_hosts; i++)
        json_object_array_add(hosts, host_json(&v->hosts[i]));
    json_object_object_add(root, "hosts", hosts);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY
                                                                | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = text ? strdup(text) : NULL;
    json_object_put(root);
    return copy;
}

/* Write all of n bytes. Returns 0 or -1 (errno set). */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int mgr_status_write(const char *path, const mgr_status_view *v)
{
    char *text = mgr_status_json(v);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    vs_buf tmp;
    vs_buf_init(&tmp, 8192);
    int rc = -1, fd = -1;
    if (vs_buf_appendf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
        errno = ENAMETOOLONG;
        goto cleanup;
    }
    fd = open(vs_buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0
        || fsync(fd) < 0)
        goto cleanup;
    int c = close(fd);
    fd = -1;
    if (c < 0 || rename(vs_buf_str(&tmp), path) < 0)
        goto cleanup;
    rc = 0;
cleanup:
    if (rc < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        unlink(vs_buf_str(&tmp));
        errno = e;
    }
    vs_buf_free(&tmp);
    free(text);
    return rc;
}

/* s with bytes below 0x20, 0x7f, backslash (and, in a column, space) shown as \xNN, in b. */
static const char *printable(vs_buf *b, const char *s, int column)
{
    vs_buf_reset(b);
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\' || (column && *p == ' '))
            vs_buf_appendf(b, "\\x%02x", *p);
        else
            vs_buf_append(b, p, 1);
    }
    return vs_buf_str(b);
}

/* The resource column: "host", "vm:NAME/UUID", "if:NAME", "fs:MOUNT". */
static const char *resource_name(vs_buf *b, vs_buf *esc, const mgr_resource *x)
{
    vs_buf_reset(b);
    if (x->kind == MGR_RES_HOST)
        vs_buf_append_str(b, "host");
    else if (x->kind == MGR_RES_VM)
        vs_buf_appendf(b, "vm:%s/%s", printable(esc, x->label ? x->label : "", 1), x->id);
    else
        vs_buf_appendf(b, "%s:%s", mgr_res_kind_name(x->kind), printable(esc, x->id, 1));
    return vs_buf_str(b);
}

void mgr_status_table(FILE *out, const mgr_host *hosts, size_t n_hosts)
{
    vs_buf name, esc;
    vs_buf_init(&name, 4096);
    vs_buf_init(&esc, 4096);
    unsigned failed = 0, vms = 0;
    fprintf(out, "%-16s %-52s %-20s %s\n", "HOST", "RESOURCE", "METRIC", "VALUE");
    for (size_t h = 0; h < n_hosts; h++) {
        const mgr_result *r = hosts[h].last;
        if (!r) {
            fprintf(out, "%-16s %-52s %-20s %s\n", hosts[h].cfg->name, "host", "host.up", "-");
            continue;
        }
        failed += !r->ok;
        for (size_t i = 0; i < r->n_res; i++) {
            const mgr_resource *x = &r->res[i];
            vms += x->kind == MGR_RES_VM;
            size_t nm;
            const mgr_metric_def *d = mgr_metric_defs(x->kind, &nm);
            const char *rn = resource_name(&name, &esc, x);
            for (size_t k = 0; k < nm; k++) {
                if (isnan(x->v[k]))
                    fprintf(out, "%-16s %-52s %-20s -\n", r->host, rn, d[k].name);
                else
                    fprintf(out, "%-16s %-52s %-20s %.15g\n", r->host, rn, d[k].name, x->v[k]);
            }
        }
    }
    for (size_t h = 0; h < n_hosts; h++)
        if (hosts[h].last && !hosts[h].last->ok)
            fprintf(out, "# %s: %s\n", hosts[h].cfg->name,
                    printable(&esc, hosts[h].last->error, 0));
    fprintf(out, "# %zu host%s, %u failed, %u VM%s\n", n_hosts, n_hosts == 1 ? "" : "s", failed,
            vms, vms == 1 ? "" : "s");
    vs_buf_free(&name);
    vs_buf_free(&esc);
}
