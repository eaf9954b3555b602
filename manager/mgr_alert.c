/* mgr_alert: notifiers, spool and threshold engine put together for the manager's core. */
#include <config.h>

#include "mgr_alert.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgr_alarm.h"
#include "mgr_group.h"
#include "vs_buf.h"
#include "vs_conf_notify.h"
#include "vs_log.h"
#include "vs_notify.h"
#include "vs_spool.h"

#define VIEWS_MAX 100000 /* active alarms listed in the status file and --once */

/* The core thread never waits on a channel: at a reload a delivery attempt in progress gets a
 * moment to end, then it is left to end on its own and the new threads send its message again. */
#define RELOAD_GRACE 0.2
/* At shutdown a little longer, well inside an init system's stop timeout; what is left goes out
 * after the next start. */
#define STOP_GRACE 2.0

struct mgr_alert {
    vs_spool *spool;
    mgr_alarm *engine;
    vs_notifier **notifiers; /* the spool owns the notifiers; valid while it delivers */
    size_t n_notifiers;
    size_t n_rules;
    char **metrics; /* the metrics any rule watches (copies) */
    size_t n_metrics;
    mgr_group *groups; /* the group.* metrics' aggregates of this cycle */
    char *state_path;
    unsigned long emitted; /* messages spooled so far */
    vs_complaint spool_complaint;
    vs_complaint save_complaint;
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *path_join(const char *dir, const char *name)
{
    vs_buf b;
    vs_buf_init(&b, 1 << 16);
    if (vs_buf_appendf(&b, "%s/%s", dir, name) < 0)
        return NULL;
    return vs_buf_steal(&b);
}

/* ---------------------------------------------------------------- notifiers */

static void notifiers_free(vs_notifier **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vs_notifier_free(list[i]);
    free(list);
}

/* Make every notifier of cfg; NULL with err when one cannot be made. */
static vs_notifier **notifiers_make(const mgr_config *cfg, char *err, size_t errlen)
{
    vs_notifier **list = calloc(cfg->n_notifiers + 1, sizeof(*list));
    if (list == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_notifiers; i++) {
        char why[256] = "";
        list[i] = vs_notify_cfg_make(&cfg->notifiers[i], why, sizeof(why));
        if (list[i] == NULL) {
            snprintf(err, errlen, "%s:%d: notifier \"%s\": %s", cfg->file, cfg->notifiers[i].line,
                     cfg->notifiers[i].name, why);
            notifiers_free(list, i);
            return NULL;
        }
    }
    return list;
}

/* ---------------------------------------------------------------- rules */

static void metrics_free(char **m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i]);
    free(m);
}

/* The engine's rules from cfg (strings borrowed from cfg: the engine copies what it keeps) and
 * the list of metrics any rule watches. The ranges were checked when cfg was loaded. */
static mgr_alarm_rule *rules_make(const mgr_config *cfg, char ***metrics, size_t *n_metrics)
{
    mgr_alarm_rule *r = calloc(cfg->n_rules + 1, sizeof(*r));
    char **m = calloc(cfg->n_rules + 1, sizeof(*m));
    if (r == NULL || m == NULL) {
        free(r);
        free(m);
        return NULL;
    }
    size_t nm = 0;
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const mgr_rule_cfg *c = &cfg->rules[i];
        char why[160];
        r[i].name = c->name;
        r[i].metric = c->metric;
        r[i].scope = (mgr_scope_kind)c->scope;
        r[i].scope_value = c->scope_value;
        r[i].warning_text = c->warning;
        r[i].critical_text = c->critical;
        r[i].has_warning =
            c->warning != NULL && vs_range_parse(c->warning, &r[i].warning, why, sizeof(why)) == 0;
        r[i].has_critical = c->critical != NULL
                            && vs_range_parse(c->critical, &r[i].critical, why, sizeof(why)) == 0;
        r[i].for_samples = (unsigned)c->for_samples;
        r[i].hysteresis = c->hysteresis;
        r[i].repeat = c->repeat;
        r[i].notify_warning = (const char *const *)c->notify_warning;
        r[i].n_notify_warning = c->n_notify_warning;
        r[i].notify_critical = (const char *const *)c->notify_critical;
        r[i].n_notify_critical = c->n_notify_critical;
        int seen = 0;
        for (size_t k = 0; k < nm && !seen; k++)
            seen = strcmp(m[k], c->metric) == 0;
        if (!seen && (m[nm++] = strdup(c->metric)) == NULL) {
            metrics_free(m, nm);
            free(r);
            return NULL;
        }
    }
    *metrics = m;
    *n_metrics = nm;
    return r;
}

static int metric_watched(const mgr_alert *a, const char *name)
{
    for (size_t i = 0; i < a->n_metrics; i++) {
        if (strcmp(a->metrics[i], name) == 0)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- messages */

/* The engine's callback: the message into the spool once per notifier it names. */
static void emit(void *ctx, const vs_msg *m, const char *const *notifiers, size_t n)
{
    mgr_alert *a = ctx;
    a->emitted++;
    for (size_t i = 0; i < n; i++) {
        char err[256];
        if (vs_spool_put(a->spool, notifiers[i], m, err, sizeof(err)) < 0) {
            /* Not stored: say so loudly each time, with what was lost. */
            VS_LOG(VS_LOG_ERR, notifiers[i], "Cannot spool message %s (%s %s on %s): %s.",
                   m->msg_id ? m->msg_id : "?", vs_severity_name(m->severity),
                   m->metric ? m->metric : "?", m->resource ? m->resource : "?", err);
            vs_complain(&a->spool_complaint, vs_log_now(), VS_LOG_ERR, NULL,
                        "The alert spool cannot be written.");
        } else {
            vs_complain_release(&a->spool_complaint, VS_LOG_NOTICE, NULL,
                                "The alert spool is written again.");
        }
    }
}

/* ---------------------------------------------------------------- groups */

static mgr_alarm_view *views_get(const mgr_alert *a, size_t *n);

/* The group table for cfg's hosts and the group.* metrics its rules watch. Alarms of a group
 * that is no longer there (its hosts removed or moved, in this reload or before a restart) are
 * closed as its host's removal. When memory is short the old table stays: a group that is gone
 * only gets no more samples. */
static void groups_reload(mgr_alert *a, const mgr_config *cfg)
{
    const char **paths = calloc(cfg->n_hosts + 1, sizeof(*paths));
    mgr_group *g = NULL;
    if (paths != NULL) {
        for (size_t i = 0; i < cfg->n_hosts; i++)
            paths[i] = cfg->hosts[i].group_path;
        g = mgr_group_new((const char *const *)a->metrics, a->n_metrics, paths, cfg->n_hosts);
        free(paths);
    }
    if (g == NULL) {
        VS_LOG(VS_LOG_ERR, NULL, "Out of memory: the group.* metrics keep their old groups.");
        return;
    }
    mgr_group_free(a->groups);
    a->groups = g;
    /* Pseudo-hosts of groups that are gone: the views name them ("group:" cannot begin a
     * configured host's name). Removing one changes the engine, so look again after each. */
    for (int again = 1; again;) {
        again = 0;
        size_t n;
        mgr_alarm_view *v = views_get(a, &n);
        char *gone = NULL;
        for (size_t i = 0; i < n && gone == NULL; i++) {
            if (strncmp(v[i].host, MGR_GROUP_HOST_PREFIX, strlen(MGR_GROUP_HOST_PREFIX)) == 0
                && !mgr_group_has_host(g, v[i].host))
                gone = strdup(v[i].host);
        }
        free(v);
        if (gone != NULL) {
            mgr_alarm_host_remove(a->engine, gone, wall_now(), emit, a);
            free(gone);
            again = 1;
        }
    }
}

/* ---------------------------------------------------------------- life cycle */

mgr_alert *mgr_alert_new(const mgr_config *cfg, char *err, size_t errlen)
{
    mgr_alert *a = calloc(1, sizeof(*a));
    char *spool_dir = path_join(cfg->state_dir, "spool");
    char *dead_dir = path_join(cfg->state_dir, "dead");
    a = a && spool_dir && dead_dir ? a : (free(a), NULL);
    if (a == NULL || (a->state_path = path_join(cfg->state_dir, "alarms.json")) == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    vs_spool_conf sc = { spool_dir, dead_dir, cfg->retry_min, cfg->retry_max, cfg->max_age, 0 };
    char why[256];
    if ((a->spool = vs_spool_open(&sc, why, sizeof(why))) == NULL) {
        snprintf(err, errlen, "the alert spool: %s", why);
        goto fail;
    }
    if ((a->engine = mgr_alarm_new(a->state_path, why, sizeof(why))) == NULL) {
        snprintf(err, errlen, "the alarm state: %s", why);
        goto fail;
    }
    if (mgr_alert_reload(a, cfg, err, errlen) < 0)
        goto fail;
    free(spool_dir);
    free(dead_dir);
    return a;
fail:
    free(spool_dir);
    free(dead_dir);
    mgr_alert_free(a);
    return NULL;
}

int mgr_alert_reload(mgr_alert *a, const mgr_config *cfg, char *err, size_t errlen)
{
    vs_notifier **list = notifiers_make(cfg, err, errlen);
    if (list == NULL)
        return -1;
    char **metrics = NULL;
    size_t n_metrics = 0;
    mgr_alarm_rule *rules = rules_make(cfg, &metrics, &n_metrics);
    char why[256];
    if (rules == NULL) {
        notifiers_free(list, cfg->n_notifiers);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* The rules first: clears of rules that are gone go into the spool for the old names,
     * which the new set delivers if it still has them. */
    if (mgr_alarm_set_rules(a->engine, rules, cfg->n_rules, wall_now(), emit, a, why, sizeof(why))
        < 0) {
        snprintf(err, errlen, "%s", why);
        free(rules);
        metrics_free(metrics, n_metrics);
        notifiers_free(list, cfg->n_notifiers);
        return -1;
    }
    free(rules);
    metrics_free(a->metrics, a->n_metrics);
    a->metrics = metrics;
    a->n_metrics = n_metrics;
    a->n_rules = cfg->n_rules;
    groups_reload(a, cfg);
    vs_spool_stop(a->spool, RELOAD_GRACE); /* frees the old notifiers, now or later */
    free(a->notifiers);
    a->notifiers = list;
    a->n_notifiers = cfg->n_notifiers;
    if (vs_spool_start(a->spool, a->notifiers, a->n_notifiers, why, sizeof(why)) < 0) {
        a->n_notifiers = 0; /* freed by the spool */
        snprintf(err, errlen, "the alert spool's delivery: %s", why);
        return -1;
    }
    return 0;
}

/* The resource path of r in the host at group path g: "g/host", "g/host/vm:NAME"... */
static void resource_name(vs_buf *b, const char *group, const char *host, const mgr_resource *r)
{
    vs_buf_reset(b);
    vs_buf_appendf(b, "%s%s%s", group, group[0] ? "/" : "", host);
    switch (r->kind) {
    case MGR_RES_HOST:
        break;
    case MGR_RES_VM:
        vs_buf_appendf(b, "/vm:%s", r->label ? r->label : r->id);
        break;
    default:
        vs_buf_appendf(b, "/%s:%s", mgr_res_kind_name(r->kind), r->id);
        break;
    }
}

static void host_feed(mgr_alert *a, const mgr_host_cfg *h, const mgr_result *r);
static void state_save(mgr_alert *a);

void mgr_alert_host(mgr_alert *a, const mgr_host_cfg *h, const mgr_result *r)
{
    if (a == NULL || a->n_rules == 0)
        return;
    unsigned long before = a->emitted;
    mgr_group_add(a->groups, h->group_path, r);
    host_feed(a, h, r);
    /* A message is in the spool: save the state that says it was sent now, not at the end of
     * the cycle, so that a crash in between cannot raise the same alarm again under a new id
     * (the window shrinks from a cycle to this one write). */
    if (a->emitted != before)
        state_save(a);
}

/* Feed one host's result to the engine. */
static void host_feed(mgr_alert *a, const mgr_host_cfg *h, const mgr_result *r)
{
    double now = wall_now();
    int up = r->ok && r->n_res > 0 && r->res[0].v[MGR_H_UP] == 1;
    if (!up) {
        mgr_alarm_host(a->engine, h->name, h->group_path, 0, NULL, 0, now, emit, a);
        return;
    }
    /* Only the metrics some rule watches: names kept alive in one buffer per sample. */
    size_t cap = 0, n = 0;
    for (size_t i = 0; i < r->n_res; i++) {
        size_t nd;
        mgr_metric_defs(r->res[i].kind, &nd);
        cap += nd;
    }
    mgr_alarm_sample *s = calloc(cap + 1, sizeof(*s));
    char **names = calloc(r->n_res + 1, sizeof(*names));
    if (s == NULL || names == NULL) {
        VS_LOG(VS_LOG_ERR, h->name, "Out of memory: this cycle's samples skip the thresholds.");
        free(s);
        free(names);
        return;
    }
    vs_buf b;
    vs_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < r->n_res; i++) {
        const mgr_resource *x = &r->res[i];
        size_t nd;
        const mgr_metric_def *d = mgr_metric_defs(x->kind, &nd);
        for (size_t k = 0; k < nd; k++) {
            if (!metric_watched(a, d[k].name))
                continue;
            if (names[i] == NULL) {
                resource_name(&b, h->group_path, h->name, x);
                names[i] = strdup(vs_buf_str(&b));
                if (names[i] == NULL)
                    break;
            }
            s[n].resource = names[i];
            s[n].vm_name = x->kind == MGR_RES_VM ? (x->label ? x->label : x->id) : NULL;
            s[n].metric = d[k].name;
            s[n].value = x->v[k];
            n++;
        }
    }
    vs_buf_free(&b);
    mgr_alarm_host(a->engine, h->name, h->group_path, 1, s, n, now, emit, a);
    for (size_t i = 0; i < r->n_res; i++)
        free(names[i]);
    free(names);
    free(s);
}

void mgr_alert_host_removed(mgr_alert *a, const char *name)
{
    if (a != NULL)
        mgr_alarm_host_remove(a->engine, name, wall_now(), emit, a);
}

/* mgr_group_end's callback: one group's aggregates, as the poll of a host that always answers. */
static void group_feed(void *ctx, const char *host, const char *path, const char *resource,
                       const char *const *metrics, const double *values, size_t n)
{
    mgr_alert *a = ctx;
    mgr_alarm_sample *s = calloc(n + 1, sizeof(*s));
    if (s == NULL) {
        VS_LOG(VS_LOG_ERR, host, "Out of memory: this cycle's samples skip the thresholds.");
        return;
    }
    for (size_t i = 0; i < n; i++)
        s[i] = (mgr_alarm_sample){ resource, NULL, metrics[i], values[i] };
    mgr_alarm_host(a->engine, host, path, 1, s, n, wall_now(), emit, a);
    free(s);
}

void mgr_alert_cycle_end(mgr_alert *a)
{
    if (a == NULL)
        return;
    mgr_group_end(a->groups, group_feed, a);
    mgr_alarm_tick(a->engine, wall_now(), emit, a);
    state_save(a);
}

/* Save the engine's state if it changed; a failure is logged, throttled. */
static void state_save(mgr_alert *a)
{
    char err[256];
    if (mgr_alarm_save(a->engine, err, sizeof(err)) < 0)
        vs_complain(&a->save_complaint, vs_log_now(), VS_LOG_ERR, NULL,
                    "Cannot save the alarm state to %s: %s.", a->state_path, err);
    else
        vs_complain_release(&a->save_complaint, VS_LOG_NOTICE, NULL,
                            "The alarm state is saved again.");
}

/* The active alarms (a new array, *n set); NULL when there are none or memory is short. */
static mgr_alarm_view *views_get(const mgr_alert *a, size_t *n)
{
    *n = mgr_alarm_active(a->engine, NULL, 0);
    if (*n == 0)
        return NULL;
    size_t want = *n < VIEWS_MAX ? *n : VIEWS_MAX;
    mgr_alarm_view *v = calloc(want, sizeof(*v));
    if (v == NULL) {
        *n = 0;
        return NULL;
    }
    *n = mgr_alarm_active(a->engine, v, want);
    if (*n > want)
        *n = want;
    return v;
}

json_object *mgr_alert_status(const mgr_alert *a)
{
    json_object *o = json_object_new_object();
    if (o == NULL || a == NULL)
        return o;
    size_t n;
    mgr_alarm_view *v = views_get(a, &n);
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (v[i].level == VS_SEV_OK)
            continue; /* a raise still waiting for its `for` samples */
        json_object *x = json_object_new_object();
        if (x == NULL)
            break;
        json_object_object_add(x, "rule", json_object_new_string(v[i].rule));
        json_object_object_add(x, "host", json_object_new_string(v[i].host));
        json_object_object_add(x, "resource", json_object_new_string(v[i].resource));
        json_object_object_add(x, "metric", json_object_new_string(v[i].metric));
        json_object_object_add(x, "severity", json_object_new_string(vs_severity_name(v[i].level)));
        json_object_object_add(x, "alarm_id",
                               v[i].alarm_id ? json_object_new_string(v[i].alarm_id) : NULL);
        json_object_object_add(x, "since", json_object_new_double(v[i].since));
        json_object_object_add(x, "value",
                               isnan(v[i].value) ? NULL : json_object_new_double(v[i].value));
        json_object_object_add(x, "held", json_object_new_boolean(v[i].held));
        json_object_object_add(x, "notified", json_object_new_boolean(v[i].notified));
        json_object_array_add(arr, x);
    }
    free(v);
    json_object_object_add(o, "active", arr);
    json_object_object_add(o, "spool_pending",
                           json_object_new_int64((int64_t)vs_spool_pending(a->spool, NULL)));
    json_object_object_add(o, "dead_letters",
                           json_object_new_int64((int64_t)vs_spool_dead(a->spool)));
    return o;
}

void mgr_alert_table(const mgr_alert *a, FILE *out)
{
    if (a == NULL || a->n_rules == 0)
        return;
    size_t n, shown = 0;
    mgr_alarm_view *v = views_get(a, &n);
    for (size_t i = 0; i < n; i++) {
        if (v[i].level == VS_SEV_OK)
            continue;
        if (shown++ == 0)
            fprintf(out, "%-9s %-16s %-52s %-20s %s\n", "ALARM", "HOST", "RESOURCE", "METRIC",
                    "VALUE");
        char value[32];
        if (isnan(v[i].value))
            snprintf(value, sizeof(value), "-");
        else
            snprintf(value, sizeof(value), "%.15g", v[i].value);
        fprintf(out, "%-9s %-16s %-52s %-20s %s%s\n", vs_severity_name(v[i].level), v[i].host,
                v[i].resource, v[i].metric, value, v[i].held ? " (held: host down)" : "");
    }
    free(v);
    fprintf(out, "# %zu active alarm%s, %zu message%s waiting for delivery\n", shown,
            shown == 1 ? "" : "s", vs_spool_pending(a->spool, NULL),
            vs_spool_pending(a->spool, NULL) == 1 ? "" : "s");
}

/* Messages waiting for the notifiers the configuration has. */
static size_t pending_configured(mgr_alert *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_notifiers; i++)
        n += vs_spool_pending(a->spool, a->notifiers[i]->name);
    return n;
}

size_t mgr_alert_drain(mgr_alert *a, double timeout)
{
    if (a == NULL)
        return 0;
    double until = vs_log_now() + timeout;
    size_t left;
    /* The spool has no completion signal for "empty": look every 20 ms, a bounded wait. Only
     * the configured notifiers count: entries left for a name the configuration dropped wait
     * for it to come back, not for this run. */
    while ((left = pending_configured(a)) > 0 && vs_log_now() < until) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return left;
}

void mgr_alert_free(mgr_alert *a)
{
    if (a == NULL)
        return;
    if (a->spool != NULL)
        vs_spool_stop(a->spool, STOP_GRACE);
    if (a->engine != NULL) {
        char err[256];
        if (mgr_alarm_save(a->engine, err, sizeof(err)) < 0)
            VS_LOG(VS_LOG_ERR, NULL, "Cannot save the alarm state to %s: %s.", a->state_path, err);
        mgr_alarm_free(a->engine);
    }
    vs_spool_close(a->spool);
    free(a->notifiers); /* the notifiers were the spool's */
    metrics_free(a->metrics, a->n_metrics);
    mgr_group_free(a->groups);
    free(a->state_path);
    free(a);
}
