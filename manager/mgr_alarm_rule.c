/* mgr_alarm_rule: threshold rules as the engine keeps them: checked copies, state keys, and the
 * index by metric that keeps each sample's work proportional to the rules on its metric. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_alarm_int.h"
#include "vs_buf.h"

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

uint64_t mgr_alarm_fnv(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

uint64_t mgr_alarm_pair_hash(uint64_t key_hash, uint64_t res_hash)
{
    uint64_t h =
        (res_hash ^ (key_hash * UINT64_C(0x9E3779B97F4A7C15))) * UINT64_C(0xBF58476D1CE4E5B9);
    return h ^ (h >> 31);
}

static const char *scope_prefix(mgr_scope_kind k)
{
    switch (k) {
    case MGR_SCOPE_ALL:
        return "all";
    case MGR_SCOPE_GROUP:
        return "group:";
    case MGR_SCOPE_HOST:
        return "host:";
    case MGR_SCOPE_VM:
        return "vm:";
    }
    return NULL;
}

static void arule_clear(mgr_arule *r)
{
    free(r->key);
    free(r->name);
    free(r->metric);
    free(r->scope_value);
    for (int sev = VS_SEV_WARNING; sev <= VS_SEV_CRITICAL; sev++) {
        free(r->text[sev]);
        for (size_t i = 0; i < r->n_notify[sev]; i++)
            free(r->notify[sev][i]);
        free(r->notify[sev]);
    }
}

void mgr_arules_free(mgr_arule *rules, size_t n)
{
    for (size_t i = 0; rules && i < n; i++)
        arule_clear(&rules[i]);
    free(rules);
}

/* Copy a notifier list; -1 on a missing name or short memory. */
static int copy_list(char ***out, size_t *n_out, const char *const *in, size_t n, const char *key,
                     char *err, size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return 0;
    *out = calloc(n, sizeof **out);
    if (*out == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == NULL || in[i][0] == '\0') {
            set_err(err, errlen, "rule '%s': a notifier name is empty", key);
            return -1;
        }
        (*out)[i] = strdup(in[i]);
        if ((*out)[i] == NULL)
            goto nomem;
        *n_out = i + 1;
    }
    return 0;
nomem:
    set_err(err, errlen, "rule '%s': out of memory", key);
    return -1;
}

/* The rule's state key: its name, else metric@scope. NULL when memory is short. */
static char *rule_key(const mgr_alarm_rule *in, const char *scope_value)
{
    if (in->name != NULL)
        return strdup(in->name);
    vs_buf b;
    vs_buf_init(&b, 4096);
    if (vs_buf_appendf(&b, "%s@%s%s", in->metric, scope_prefix(in->scope),
                       scope_value ? scope_value : "")
        < 0) {
        vs_buf_free(&b);
        return NULL;
    }
    return vs_buf_steal(&b);
}

/* The scope value as kept: a group path without trailing slashes. -1 when it is missing. */
static int scope_copy(const mgr_alarm_rule *in, char **out)
{
    *out = NULL;
    if (in->scope == MGR_SCOPE_ALL)
        return 0;
    if (in->scope_value == NULL)
        return -1;
    size_t len = strlen(in->scope_value);
    while (in->scope == MGR_SCOPE_GROUP && len > 0 && in->scope_value[len - 1] == '/')
        len--;
    if (len == 0)
        return -1;
    *out = strndup(in->scope_value, len);
    return 0;
}

/* Set r's threshold of severity sev from in; -1 with err when it cannot clear. */
static int copy_threshold(mgr_arule *r, int sev, int has, const vs_range *range, const char *text,
                          char *err, size_t errlen)
{
    static const char *const names[3] = { "", "warning", "critical" };
    char buf[128];

    r->has[sev] = has;
    if (!has)
        return 0;
    r->range[sev] = *range;
    if (text == NULL) {
        if (vs_range_format(range, buf, sizeof(buf)) < 0) {
            set_err(err, errlen, "rule '%s': the %s threshold cannot be written as text", r->key,
                    names[sev]);
            return -1;
        }
        text = buf;
    }
    r->text[sev] = strdup(text);
    if (r->text[sev] == NULL) {
        set_err(err, errlen, "rule '%s': out of memory", r->key);
        return -1;
    }
    if (!r->host_up && !vs_range_clearable(range, r->hysteresis)) {
        set_err(err, errlen,
                "rule '%s': hysteresis %g leaves no value that clears the %s threshold %s", r->key,
                r->hysteresis, names[sev], r->text[sev]);
        return -1;
    }
    return 0;
}

/* Check and copy what identifies rule in (metric, name, scope, key) into r (zeroed). */
static int arule_copy_ids(mgr_arule *r, const mgr_alarm_rule *in, size_t index, char *err,
                          size_t errlen)
{
    static const char *const kinds[] = { "all", "group", "host", "vm" };

    if (in->metric == NULL || in->metric[0] == '\0') {
        set_err(err, errlen, "rule %zu has no metric", index + 1);
        return -1;
    }
    if (scope_prefix(in->scope) == NULL) {
        set_err(err, errlen, "rule %zu (%s) has an unknown scope", index + 1, in->metric);
        return -1;
    }
    if (in->name != NULL && in->name[0] == '\0') {
        set_err(err, errlen, "rule %zu (%s) has an empty name", index + 1, in->metric);
        return -1;
    }
    if (scope_copy(in, &r->scope_value) < 0) {
        set_err(err, errlen, "rule %zu (%s) has a %s scope without a value", index + 1, in->metric,
                kinds[in->scope]);
        return -1;
    }
    r->key = rule_key(in, r->scope_value);
    r->name = in->name ? strdup(in->name) : NULL;
    r->metric = strdup(in->metric);
    if (r->key == NULL || (in->name && r->name == NULL) || r->metric == NULL
        || (in->scope != MGR_SCOPE_ALL && r->scope_value == NULL)) {
        set_err(err, errlen, "rule %zu (%s): out of memory", index + 1, in->metric);
        return -1;
    }
    r->scope = in->scope;
    r->host_up = strcmp(in->metric, MGR_ALARM_HOST_UP) == 0;
    r->key_hash = mgr_alarm_fnv(MGR_FNV_INIT, r->key);
    return 0;
}

/* Check and copy the rest of in: numbers, thresholds, notifier lists. */
static int arule_copy_levels(mgr_arule *r, const mgr_alarm_rule *in, char *err, size_t errlen)
{
    if (!(in->hysteresis >= 0) || isinf(in->hysteresis)) {
        set_err(err, errlen, "rule '%s': hysteresis %g is not a number >= 0", r->key,
                in->hysteresis);
        return -1;
    }
    if (!(in->repeat >= 0) || isinf(in->repeat)) {
        set_err(err, errlen, "rule '%s': repeat %g is not a number of seconds >= 0", r->key,
                in->repeat);
        return -1;
    }
    r->hysteresis = in->hysteresis;
    r->repeat = in->repeat;
    r->for_samples = in->for_samples ? in->for_samples : 1;
    if (copy_threshold(r, VS_SEV_WARNING, in->has_warning, &in->warning, in->warning_text, err,
                       errlen)
            < 0
        || copy_threshold(r, VS_SEV_CRITICAL, in->has_critical, &in->critical, in->critical_text,
                          err, errlen)
               < 0)
        return -1;
    if (!in->has_warning && !in->has_critical) {
        if (!r->host_up) {
            set_err(err, errlen, "rule '%s' has neither a warning nor a critical threshold",
                    r->key);
            return -1;
        }
        /* host.up alone: down (0) is critical. */
        vs_range down = { 1.0, INFINITY, 0, 0 };
        if (copy_threshold(r, VS_SEV_CRITICAL, 1, &down, "1:", err, errlen) < 0)
            return -1;
    }
    if (copy_list(&r->notify[VS_SEV_WARNING], &r->n_notify[VS_SEV_WARNING], in->notify_warning,
                  in->n_notify_warning, r->key, err, errlen)
            < 0
        || copy_list(&r->notify[VS_SEV_CRITICAL], &r->n_notify[VS_SEV_CRITICAL],
                     in->notify_critical, in->n_notify_critical, r->key, err, errlen)
               < 0)
        return -1;
    return 0;
}

int mgr_arules_build(const mgr_alarm_rule *rules, size_t n, mgr_arule **out, char *err,
                     size_t errlen)
{
    mgr_arule *r = calloc(n ? n : 1, sizeof *r);
    if (r == NULL) {
        set_err(err, errlen, "out of memory for %zu rules", n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (arule_copy_ids(&r[i], &rules[i], i, err, errlen) < 0
            || arule_copy_levels(&r[i], &rules[i], err, errlen) < 0) {
            mgr_arules_free(r, i + 1);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (r[j].key_hash == r[i].key_hash && strcmp(r[j].key, r[i].key) == 0) {
                set_err(err, errlen,
                        "rules %zu and %zu have the same key '%s' (give one of them a name)", j + 1,
                        i + 1, r[i].key);
                mgr_arules_free(r, i + 1);
                return -1;
            }
        }
    }
    *out = r;
    return 0;
}

int mgr_arules_index(mgr_alarm *a)
{
    size_t cap = 8;
    while (cap < 2 * a->n_rules)
        cap *= 2;
    mgr_arule **tab = calloc(cap, sizeof *tab);
    if (tab == NULL)
        return -1;
    /* Chain rules of one metric in config order: insert from the last. */
    for (size_t i = a->n_rules; i-- > 0;) {
        mgr_arule *r = &a->rules[i];
        size_t pos = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, r->metric) & (cap - 1);
        while (tab[pos] != NULL && strcmp(tab[pos]->metric, r->metric) != 0)
            pos = (pos + 1) & (cap - 1);
        r->next_same_metric = tab[pos];
        tab[pos] = r;
    }
    free(a->by_metric);
    a->by_metric = tab;
    a->by_metric_cap = cap;
    return 0;
}

mgr_arule *mgr_arules_lookup(const mgr_alarm *a, const char *metric)
{
    if (a->by_metric == NULL)
        return NULL;
    size_t mask = a->by_metric_cap - 1;
    size_t pos = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, metric) & mask;
    while (a->by_metric[pos] != NULL) {
        if (strcmp(a->by_metric[pos]->metric, metric) == 0)
            return a->by_metric[pos];
        pos = (pos + 1) & mask;
    }
    return NULL;
}
