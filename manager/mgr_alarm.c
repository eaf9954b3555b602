/* mgr_alarm: the threshold engine's tables of hosts and alarm states, and what happens per
 * host poll, per cycle and per rule reload. */
#include "config.h"

#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_alarm_int.h"
#include "vs_buf.h"

#define GONE_AFTER_DEFAULT 3

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

/* ---------------------------------------------------------------- tables */

mgr_ahost *mgr_alarm_host_get(mgr_alarm *a, const char *name)
{
    size_t mask = a->n_hbuckets - 1;
    size_t pos = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, name) & mask;
    for (mgr_ahost *h = a->hbuckets[pos]; h != NULL; h = h->next_bucket)
        if (strcmp(h->name, name) == 0)
            return h;
    if (a->n_hosts >= a->n_hbuckets) {
        /* Grow to keep chains short; hosts are few, so this is rare. */
        size_t cap = a->n_hbuckets * 2;
        mgr_ahost **tab = calloc(cap, sizeof *tab);
        if (tab == NULL)
            return NULL;
        for (size_t i = 0; i < a->n_hbuckets; i++) {
            for (mgr_ahost *h = a->hbuckets[i], *next; h != NULL; h = next) {
                next = h->next_bucket;
                size_t p = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, h->name) & (cap - 1);
                h->next_bucket = tab[p];
                tab[p] = h;
            }
        }
        free(a->hbuckets);
        a->hbuckets = tab;
        a->n_hbuckets = cap;
        mask = cap - 1;
        pos = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, name) & mask;
    }
    mgr_ahost *h = calloc(1, sizeof *h);
    if (h == NULL || (h->name = strdup(name)) == NULL) {
        free(h);
        return NULL;
    }
    h->up = 1;
    h->next_bucket = a->hbuckets[pos];
    a->hbuckets[pos] = h;
    a->n_hosts++;
    return h;
}

static void host_unlink_free(mgr_alarm *a, mgr_ahost *h)
{
    size_t pos = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, h->name) & (a->n_hbuckets - 1);
    for (mgr_ahost **pp = &a->hbuckets[pos]; *pp != NULL; pp = &(*pp)->next_bucket) {
        if (*pp == h) {
            *pp = h->next_bucket;
            a->n_hosts--;
            break;
        }
    }
    free(h->name);
    free(h);
}

static mgr_astate *state_find(const mgr_alarm *a, uint64_t hash, const char *key,
                              const char *resource)
{
    for (mgr_astate *s = a->buckets[hash & (a->n_buckets - 1)]; s != NULL; s = s->next_bucket)
        if (s->hash == hash && strcmp(s->resource, resource) == 0 && strcmp(s->rule_key, key) == 0)
            return s;
    return NULL;
}

/* Double the state table when it is fuller than one state per bucket. */
static void states_grow(mgr_alarm *a)
{
    size_t cap = a->n_buckets * 2;
    mgr_astate **tab = calloc(cap, sizeof *tab);
    if (tab == NULL)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < a->n_buckets; i++) {
        for (mgr_astate *s = a->buckets[i], *next; s != NULL; s = next) {
            next = s->next_bucket;
            s->next_bucket = tab[s->hash & (cap - 1)];
            tab[s->hash & (cap - 1)] = s;
        }
    }
    free(a->buckets);
    a->buckets = tab;
    a->n_buckets = cap;
}

mgr_astate *mgr_astate_add(mgr_alarm *a, const char *rule_key, const char *resource,
                           const char *metric, uint64_t hash, mgr_ahost *h)
{
    mgr_astate *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->rule_key = strdup(rule_key);
    s->resource = strdup(resource);
    s->metric = strdup(metric);
    if (s->rule_key == NULL || s->resource == NULL || s->metric == NULL) {
        free(s->rule_key);
        free(s->resource);
        free(s->metric);
        free(s);
        return NULL;
    }
    s->hash = hash;
    s->value = NAN;
    s->host = h;
    s->next_host = h->states;
    if (h->states != NULL)
        h->states->prev_host = s;
    h->states = s;
    if (a->n_states >= a->n_buckets)
        states_grow(a);
    s->next_bucket = a->buckets[hash & (a->n_buckets - 1)];
    a->buckets[hash & (a->n_buckets - 1)] = s;
    a->n_states++;
    return s;
}

void mgr_astate_remove(mgr_alarm *a, mgr_astate *s)
{
    for (mgr_astate **pp = &a->buckets[s->hash & (a->n_buckets - 1)]; *pp != NULL;
         pp = &(*pp)->next_bucket) {
        if (*pp == s) {
            *pp = s->next_bucket;
            a->n_states--;
            break;
        }
    }
    if (s->prev_host != NULL)
        s->prev_host->next_host = s->next_host;
    else
        s->host->states = s->next_host;
    if (s->next_host != NULL)
        s->next_host->prev_host = s->prev_host;
    for (size_t i = 0; i < s->n_notified; i++)
        free(s->notified[i]);
    free(s->notified);
    free(s->rule_key);
    free(s->resource);
    free(s->metric);
    free(s->threshold);
    free(s);
    a->dirty = 1;
}

/* ---------------------------------------------------------------- life cycle */

mgr_alarm *mgr_alarm_new(const char *state_path, char *err, size_t errlen)
{
    mgr_alarm *a = calloc(1, sizeof *a);
    if (a == NULL) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    a->gone_after = GONE_AFTER_DEFAULT;
    a->n_buckets = 1024;
    a->n_hbuckets = 64;
    a->buckets = calloc(a->n_buckets, sizeof *a->buckets);
    a->hbuckets = calloc(a->n_hbuckets, sizeof *a->hbuckets);
    a->state_path = state_path ? strdup(state_path) : NULL;
    if (a->buckets == NULL || a->hbuckets == NULL || (state_path && a->state_path == NULL)) {
        set_err(err, errlen, "out of memory");
        mgr_alarm_free(a);
        return NULL;
    }
    if (a->state_path != NULL && mgr_alarm_file_load(a, err, errlen) < 0) {
        mgr_alarm_free(a);
        return NULL;
    }
    return a;
}

void mgr_alarm_free(mgr_alarm *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; a->hbuckets && i < a->n_hbuckets; i++) {
        while (a->hbuckets[i] != NULL) {
            mgr_ahost *h = a->hbuckets[i];
            while (h->states != NULL)
                mgr_astate_remove(a, h->states);
            host_unlink_free(a, h);
        }
    }
    free(a->buckets);
    free(a->hbuckets);
    mgr_arules_free(a->rules, a->n_rules);
    free(a->by_metric);
    free(a->state_path);
    free(a);
}

void mgr_alarm_set_gone_after(mgr_alarm *a, unsigned polls)
{
    a->gone_after = polls ? polls : 1;
}

int mgr_alarm_dirty(const mgr_alarm *a)
{
    return a->dirty;
}

int mgr_alarm_save(mgr_alarm *a, char *err, size_t errlen)
{
    if (a->state_path == NULL || !a->dirty)
        return 0;
    if (mgr_alarm_file_save(a, err, errlen) < 0)
        return -1;
    a->dirty = 0;
    return 0;
}

/* ---------------------------------------------------------------- rules */

/* The rule of the new set with s's key and metric, or NULL. */
static mgr_arule *rule_for_state(mgr_arule *rules, size_t n, const mgr_astate *s)
{
    uint64_t kh = mgr_alarm_fnv(MGR_FNV_INIT, s->rule_key);
    for (size_t i = 0; i < n; i++)
        if (rules[i].key_hash == kh && strcmp(rules[i].key, s->rule_key) == 0)
            return strcmp(rules[i].metric, s->metric) == 0 ? &rules[i] : NULL;
    return NULL;
}

int mgr_alarm_set_rules(mgr_alarm *a, const mgr_alarm_rule *rules, size_t n, double now,
                        mgr_alarm_emit_fn emit, void *ctx, char *err, size_t errlen)
{
    mgr_arule *fresh = NULL;
    if (mgr_arules_build(rules, n, &fresh, err, errlen) < 0)
        return -1;
    mgr_arule *old = a->rules;
    size_t n_old = a->n_rules;
    mgr_arule **old_index = a->by_metric;
    a->rules = fresh;
    a->n_rules = n;
    a->by_metric = NULL;
    if (mgr_arules_index(a) < 0) {
        a->rules = old;
        a->n_rules = n_old;
        a->by_metric = old_index;
        mgr_arules_free(fresh, n);
        set_err(err, errlen, "out of memory for the rule index");
        return -1;
    }
    free(old_index);
    /* Rebind every state by key; close those whose rule is gone (or now watches another
     * metric). */
    for (size_t i = 0; i < a->n_buckets; i++) {
        for (mgr_astate *s = a->buckets[i], *next; s != NULL; s = next) {
            next = s->next_bucket;
            s->rule = rule_for_state(fresh, n, s);
            if (s->rule == NULL) {
                mgr_astate_close(s, "rule removed", now, emit, ctx);
                mgr_astate_remove(a, s);
            }
        }
    }
    mgr_arules_free(old, n_old);
    return 0;
}

/* ---------------------------------------------------------------- samples */

/* Whether r's scope covers host (group path g); VM rules cover every host here and check the
 * VM's name per sample. Computed once per host call. */
static int rule_covers_host(mgr_alarm *a, mgr_arule *r, const char *host, const char *g)
{
    if (r->cov_stamp == a->stamp)
        return r->cov;
    int cov = 1;
    if (r->scope == MGR_SCOPE_HOST) {
        cov = strcmp(r->scope_value, host) == 0;
    } else if (r->scope == MGR_SCOPE_GROUP) {
        size_t len = strlen(r->scope_value);
        cov = strncmp(g, r->scope_value, len) == 0 && (g[len] == '\0' || g[len] == '/');
    }
    r->cov_stamp = a->stamp;
    r->cov = cov;
    return cov;
}

/* Feed one sample to every rule on its metric that covers it. */
static void feed(mgr_alarm *a, mgr_ahost *h, const char *group, const mgr_alarm_sample *smp,
                 double now, mgr_alarm_emit_fn emit, void *ctx)
{
    mgr_arule *r = mgr_arules_lookup(a, smp->metric);
    if (r == NULL)
        return;
    uint64_t res_hash = mgr_alarm_fnv(MGR_FNV_INIT, smp->resource);
    for (; r != NULL; r = r->next_same_metric) {
        if (!rule_covers_host(a, r, h->name, group))
            continue;
        if (r->scope == MGR_SCOPE_VM
            && (smp->vm_name == NULL || fnmatch(r->scope_value, smp->vm_name, 0) != 0))
            continue;
        uint64_t hash = mgr_alarm_pair_hash(r->key_hash, res_hash);
        mgr_astate *s = state_find(a, hash, r->key, smp->resource);
        if (s == NULL) {
            /* Most samples are OK and have no state: keep it that way. */
            if (mgr_arule_level_from_ok(r, smp->value) == VS_SEV_OK)
                continue;
            s = mgr_astate_add(a, r->key, smp->resource, r->metric, hash, h);
            if (s == NULL)
                continue;
            s->rule = r;
            a->dirty = 1;
        } else if (s->host != h) {
            continue; /* the same resource name reported by two hosts: the first keeps it */
        }
        s->seen_stamp = a->stamp;
        mgr_astate_sample(a, s, smp->value, now, emit, ctx);
        if (s->level == VS_SEV_OK && s->count == 0)
            mgr_astate_remove(a, s);
    }
}

/* Close the alarms of up host h that had no sample in gone_after polls. */
static void sweep_gone(mgr_alarm *a, mgr_ahost *h, double now, mgr_alarm_emit_fn emit, void *ctx)
{
    for (mgr_astate *s = h->states, *next; s != NULL; s = next) {
        next = s->next_host;
        if (s->rule == NULL || s->seen_stamp == a->stamp)
            continue;
        if (++s->missed < a->gone_after)
            continue;
        mgr_astate_close(s, "gone", now, emit, ctx);
        mgr_astate_remove(a, s);
    }
}

void mgr_alarm_host(mgr_alarm *a, const char *host, const char *group_path, int up,
                    const mgr_alarm_sample *s, size_t n, double now, mgr_alarm_emit_fn emit,
                    void *ctx)
{
    mgr_ahost *h = mgr_alarm_host_get(a, host);
    if (h == NULL)
        return;
    const char *group = group_path ? group_path : "";
    vs_buf res;
    vs_buf_init(&res, 8192);
    if (vs_buf_appendf(&res, "%s%s%s", group, group[0] ? "/" : "", host) < 0) {
        vs_buf_free(&res);
        return;
    }
    a->stamp++;
    h->up = up != 0;
    int up_given = 0;
    for (size_t i = 0; up && i < n; i++) {
        if (isnan(s[i].value))
            continue;
        if (strcmp(s[i].metric, MGR_ALARM_HOST_UP) == 0
            && strcmp(s[i].resource, vs_buf_str(&res)) == 0)
            up_given = 1;
        feed(a, h, group, &s[i], now, emit, ctx);
    }
    if (!up_given) {
        mgr_alarm_sample hs = { vs_buf_str(&res), NULL, MGR_ALARM_HOST_UP, up ? 1.0 : 0.0 };
        feed(a, h, group, &hs, now, emit, ctx);
    }
    if (up)
        sweep_gone(a, h, now, emit, ctx);
    vs_buf_free(&res);
}

void mgr_alarm_host_remove(mgr_alarm *a, const char *host, double now, mgr_alarm_emit_fn emit,
                           void *ctx)
{
    size_t pos = (size_t)mgr_alarm_fnv(MGR_FNV_INIT, host) & (a->n_hbuckets - 1);
    mgr_ahost *h = a->hbuckets[pos];
    while (h != NULL && strcmp(h->name, host) != 0)
        h = h->next_bucket;
    if (h == NULL)
        return;
    while (h->states != NULL) {
        mgr_astate_close(h->states, "host removed", now, emit, ctx);
        mgr_astate_remove(a, h->states);
    }
    host_unlink_free(a, h);
}

/* Whether s waits for its host to answer again. */
static int state_held(const mgr_astate *s)
{
    return !s->host->up && !(s->rule != NULL && s->rule->host_up);
}

void mgr_alarm_tick(mgr_alarm *a, double now, mgr_alarm_emit_fn emit, void *ctx)
{
    for (size_t i = 0; i < a->n_buckets; i++)
        for (mgr_astate *s = a->buckets[i]; s != NULL; s = s->next_bucket)
            if (!state_held(s))
                mgr_astate_repeat(a, s, now, emit, ctx);
}

size_t mgr_alarm_active(const mgr_alarm *a, mgr_alarm_view *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n_buckets; i++) {
        for (const mgr_astate *s = a->buckets[i]; s != NULL; s = s->next_bucket, k++) {
            if (k >= max)
                continue;
            mgr_alarm_view *v = &out[k];
            v->rule = s->rule_key;
            v->host = s->host->name;
            v->resource = s->resource;
            v->metric = s->metric;
            v->alarm_id = s->alarm_id[0] ? s->alarm_id : NULL;
            v->level = s->level;
            v->pending = s->count ? s->pending : VS_SEV_OK;
            v->count = s->count;
            v->since = s->since;
            v->value = s->value;
            v->held = state_held(s);
            v->notified = s->n_notified > 0;
        }
    }
    return k;
}
