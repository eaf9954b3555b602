/* mgr_alarm_msg: one alarm's level changes (for, hysteresis, episodes) and the messages they
 * give: raised, de-escalated, repeated, cleared. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_alarm_int.h"
#include "vs_buf.h"

static const char *const lower_names[3] = { "ok", "warning", "critical" };

static const char *sev_name(vs_severity s)
{
    static const char *const names[3] = { "OK", "WARNING", "CRITICAL" };
    return s <= VS_SEV_CRITICAL ? names[s] : "UNKNOWN";
}

vs_severity mgr_arule_level_from_ok(const mgr_arule *r, double v)
{
    if (r->has[VS_SEV_CRITICAL] && vs_range_alert(&r->range[VS_SEV_CRITICAL], v))
        return VS_SEV_CRITICAL;
    if (r->has[VS_SEV_WARNING] && vs_range_alert(&r->range[VS_SEV_WARNING], v))
        return VS_SEV_WARNING;
    return VS_SEV_OK;
}

/* Whether level sev of r still holds for v (it has not come back past it by the hysteresis). */
static int still_beyond(const mgr_arule *r, vs_severity sev, double v)
{
    double h = r->host_up ? 0.0 : r->hysteresis;
    return r->has[sev] && !vs_range_clear(&r->range[sev], v, h);
}

/* The level sample v points to, seen from the current level cur. */
static vs_severity sample_level(const mgr_arule *r, vs_severity cur, double v)
{
    vs_severity fresh = mgr_arule_level_from_ok(r, v);
    if (cur == VS_SEV_OK || fresh == VS_SEV_CRITICAL)
        return fresh;
    if (cur == VS_SEV_CRITICAL && still_beyond(r, VS_SEV_CRITICAL, v))
        return VS_SEV_CRITICAL;
    return still_beyond(r, VS_SEV_WARNING, v) ? VS_SEV_WARNING : VS_SEV_OK;
}

/* Start an episode: its id is a hash of rule key, resource and start time, in hex. */
static void episode_open(mgr_astate *s, double now)
{
    char when[64];
    snprintf(when, sizeof(when), "%.6f", now);
    uint64_t h = mgr_alarm_fnv(MGR_FNV_INIT, s->rule_key);
    h = mgr_alarm_fnv(h, "\n");
    h = mgr_alarm_fnv(h, s->resource);
    h = mgr_alarm_fnv(h, "\n");
    h = mgr_alarm_fnv(h, when);
    snprintf(s->alarm_id, sizeof(s->alarm_id), "%016llx", (unsigned long long)h);
    s->episode_start = now;
    s->seq = 0;
}

static void notified_clear(mgr_astate *s)
{
    for (size_t i = 0; i < s->n_notified; i++)
        free(s->notified[i]);
    free(s->notified);
    s->notified = NULL;
    s->n_notified = 0;
}

/* Remember that names were sent a message of this episode. A name that cannot be stored
 * (memory short) will miss the clear: better than failing the message. */
static void notified_add(mgr_astate *s, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < s->n_notified && strcmp(s->notified[j], names[i]) != 0)
            j++;
        if (j < s->n_notified)
            continue;
        char **grown = realloc(s->notified, (s->n_notified + 1) * sizeof *grown);
        if (grown == NULL)
            return;
        s->notified = grown;
        s->notified[s->n_notified] = strdup(names[i]);
        if (s->notified[s->n_notified] != NULL)
            s->n_notified++;
    }
}

/* The one-line summary of a message for people. */
static void summary(vs_buf *b, const mgr_astate *s, const vs_msg *m, const char *why)
{
    const char *sev = sev_name(m->severity);
    int host_up = strcmp(s->metric, MGR_ALARM_HOST_UP) == 0;

    if (why != NULL) {
        if (strcmp(why, "gone") == 0)
            vs_buf_appendf(b, "%s: %s on %s is gone (was %s)", sev, s->metric, s->resource,
                           sev_name(m->previous));
        else
            vs_buf_appendf(b, "%s: %s on %s is no longer watched: %s (was %s)", sev, s->metric,
                           s->resource, why, sev_name(m->previous));
        return;
    }
    if (host_up && m->severity != VS_SEV_OK)
        vs_buf_appendf(b, "%s: %s is down (%s = %s", sev, s->resource, s->metric, m->value);
    else if (host_up)
        vs_buf_appendf(b, "%s: %s is up again (%s = %s", sev, s->resource, s->metric, m->value);
    else
        vs_buf_appendf(b, "%s: %s = %s on %s (", sev, s->metric, m->value, s->resource);
    if (m->severity != VS_SEV_OK)
        vs_buf_appendf(b, "%s%s %s", host_up ? ", " : "", lower_names[m->severity], m->threshold);
    if (m->severity == VS_SEV_OK || m->previous > m->severity)
        vs_buf_appendf(b, "%swas %s", m->severity != VS_SEV_OK || host_up ? ", " : "",
                       sev_name(m->previous));
    if (m->repeat > 0)
        vs_buf_appendf(b, ", repeat %u", m->repeat);
    vs_buf_append_str(b, ")");
}

/* Build and emit one message of s's episode to names[0..n) (nothing when n is 0). value_text
 * is the formatted value or why the alarm closed; why is NULL for a sample. */
static void send(mgr_astate *s, vs_msg_kind kind, vs_severity sev, vs_severity prev,
                 const char *value_text, const char *why, char *const *names, size_t n, double now,
                 mgr_alarm_emit_fn emit, void *ctx)
{
    if (n == 0)
        return;
    char msg_id[MGR_ALARM_ID_LEN + 16];
    s->seq++;
    snprintf(msg_id, sizeof(msg_id), "%s.%u", s->alarm_id, s->seq);
    vs_msg m = { 0 };
    m.kind = kind;
    m.msg_id = msg_id;
    m.alarm_id = s->alarm_id;
    m.time = now;
    m.severity = sev;
    m.previous = prev;
    m.repeat = kind == VS_MSG_ALARM_RAISED ? s->repeat : 0;
    m.host = s->host ? s->host->name : "";
    m.resource = s->resource;
    m.metric = s->metric;
    m.value = (char *)value_text;
    m.threshold = s->threshold;
    m.rule = s->rule_key;
    vs_buf sum;
    vs_buf_init(&sum, 4096);
    summary(&sum, s, &m, why);
    m.summary = (char *)vs_buf_str(&sum);
    if (emit != NULL)
        emit(ctx, &m, (const char *const *)names, n);
    vs_buf_free(&sum);
}

static void format_value(char *buf, size_t len, double v)
{
    snprintf(buf, len, "%.6g", v);
}

/* Move s from its level to to (the sample v at now caused it) and say so. */
static void change(mgr_astate *s, vs_severity to, double v, double now, mgr_alarm_emit_fn emit,
                   void *ctx)
{
    const mgr_arule *r = s->rule;
    vs_severity from = s->level;
    char value[64];

    format_value(value, sizeof(value), v);
    if (from == VS_SEV_OK) {
        episode_open(s, now);
        notified_clear(s);
    }
    s->previous = from;
    s->level = to;
    s->since = now;
    s->last_msg = now;
    s->repeat = 0;
    s->count = 0;
    s->pending = VS_SEV_OK;
    if (to == VS_SEV_OK) {
        /* s->threshold still names the level that cleared. */
        send(s, VS_MSG_ALARM_CLEARED, VS_SEV_OK, from, value, NULL, s->notified, s->n_notified, now,
             emit, ctx);
        notified_clear(s);
        s->alarm_id[0] = '\0';
        return;
    }
    char *text = strdup(r->text[to]);
    if (text != NULL) {
        free(s->threshold);
        s->threshold = text;
    }
    send(s, VS_MSG_ALARM_RAISED, to, from, value, NULL, r->notify[to], r->n_notify[to], now, emit,
         ctx);
    notified_add(s, r->notify[to], r->n_notify[to]);
}

void mgr_astate_sample(mgr_alarm *a, mgr_astate *s, double v, double now, mgr_alarm_emit_fn emit,
                       void *ctx)
{
    vs_severity want = sample_level(s->rule, s->level, v);

    s->value = v;
    s->missed = 0;
    if (want > s->level) {
        /* The level raised to is the least severe of the consecutive worse samples. */
        if (s->count == 0 || want < s->pending)
            s->pending = want;
        s->count++;
        a->dirty = 1;
        if (s->count >= s->rule->for_samples)
            change(s, s->pending, v, now, emit, ctx);
        return;
    }
    if (s->count > 0) {
        s->count = 0;
        s->pending = VS_SEV_OK;
        a->dirty = 1;
    }
    if (want < s->level) {
        change(s, want, v, now, emit, ctx);
        a->dirty = 1;
    }
}

void mgr_astate_repeat(mgr_alarm *a, mgr_astate *s, double now, mgr_alarm_emit_fn emit, void *ctx)
{
    const mgr_arule *r = s->rule;
    /* A level whose raise went nowhere has nobody to remind either. */
    if (r == NULL || s->level == VS_SEV_OK || r->repeat <= 0 || r->n_notify[s->level] == 0)
        return;
    if (now < s->last_msg + r->repeat - 0.5)
        return;
    char value[64];
    format_value(value, sizeof(value), s->value);
    s->repeat++;
    s->last_msg = now;
    send(s, VS_MSG_ALARM_RAISED, s->level, s->previous, value, NULL, r->notify[s->level],
         r->n_notify[s->level], now, emit, ctx);
    notified_add(s, r->notify[s->level], r->n_notify[s->level]);
    a->dirty = 1;
}

void mgr_astate_close(mgr_astate *s, const char *why, double now, mgr_alarm_emit_fn emit, void *ctx)
{
    if (s->level != VS_SEV_OK)
        send(s, VS_MSG_ALARM_CLEARED, VS_SEV_OK, s->level, why, why, s->notified, s->n_notified,
             now, emit, ctx);
    notified_clear(s);
}
