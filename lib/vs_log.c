/* vs_log: levelled logging to one sink (stderr, syslog or a caller's function), with the
 * "component: target: message" prefix and throttling of repeated failures. */
#include "config.h"

#include "vs_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#define LINE_MAX_LEN 2048
#define COMPLAIN_FIRST_INTERVAL 60.0
#define COMPLAIN_MAX_INTERVAL 3600.0

/* The process has one log; it is configured at start-up, before threads exist. */
static struct {
    char component[64];
    vs_log_level max_level;
    vs_log_sink_fn sink;
    void *sink_ctx;
} log_cfg = { "virtsight", VS_LOG_NOTICE, NULL, NULL };

static const struct {
    const char *name;
    vs_log_level level;
} level_names[] = {
    { "err", VS_LOG_ERR },       { "error", VS_LOG_ERR }, { "warning", VS_LOG_WARNING },
    { "notice", VS_LOG_NOTICE }, { "info", VS_LOG_INFO }, { "debug", VS_LOG_DEBUG },
};

/* The stderr sink: one fputs per line, so lines from threads do not interleave. */
static void sink_stderr(vs_log_level level, const char *line, void *ctx)
{
    char out[LINE_MAX_LEN + 2];
    (void)level;
    (void)ctx;
    snprintf(out, sizeof(out), "%s\n", line);
    fputs(out, stderr);
}

static void sink_syslog(vs_log_level level, const char *line, void *ctx)
{
    (void)ctx;
    syslog((int)level, "%s", line);
}

void vs_log_init(const char *component, vs_log_level max_level)
{
    snprintf(log_cfg.component, sizeof(log_cfg.component), "%s", component);
    log_cfg.max_level = max_level;
    log_cfg.sink = sink_stderr;
    log_cfg.sink_ctx = NULL;
}

void vs_log_use_syslog(int facility)
{
    openlog(log_cfg.component, LOG_PID, facility);
    log_cfg.sink = sink_syslog;
    log_cfg.sink_ctx = NULL;
}

void vs_log_set_sink(vs_log_sink_fn fn, void *ctx)
{
    log_cfg.sink = fn != NULL ? fn : sink_stderr;
    log_cfg.sink_ctx = ctx;
}

int vs_log_level_parse(const char *name, vs_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(name, level_names[i].name) == 0) {
            *out = level_names[i].level;
            return 0;
        }
    }
    return -1;
}

int vs_log_enabled(vs_log_level level)
{
    return level <= log_cfg.max_level;
}

/* Append printf-style text at *off in line (of size cap), advancing *off; sets *cut when the
 * text did not fit. */
static void line_add(char *line, size_t cap, size_t *off, int *cut, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void line_vadd(char *line, size_t cap, size_t *off, int *cut, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void line_vadd(char *line, size_t cap, size_t *off, int *cut, const char *fmt, va_list ap)
{
    if (*cut)
        return;
    int n = vsnprintf(line + *off, cap - *off, fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= cap - *off) {
        *off = cap - 1;
        *cut = 1;
    } else {
        *off += (size_t)n;
    }
}

static void line_add(char *line, size_t cap, size_t *off, int *cut, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line_vadd(line, cap, off, cut, fmt, ap);
    va_end(ap);
}

/* Format "component: target: message suffix" and hand it to the sink. A line too long is cut
 * and ends in "...". */
static void log_emit(vs_log_level level, const char *target, const char *suffix, const char *fmt,
                     va_list ap)
{
    char line[LINE_MAX_LEN];
    size_t off = 0;
    int cut = 0;

    line[0] = '\0';
    line_add(line, sizeof(line), &off, &cut, "%s: ", log_cfg.component);
    if (target != NULL)
        line_add(line, sizeof(line), &off, &cut, "%s: ", target);
    line_vadd(line, sizeof(line), &off, &cut, fmt, ap);
    if (suffix != NULL)
        line_add(line, sizeof(line), &off, &cut, "%s", suffix);
    if (cut)
        memcpy(line + sizeof(line) - 4, "...", 4);
    if (log_cfg.sink == NULL)
        log_cfg.sink = sink_stderr;
    log_cfg.sink(level, line, log_cfg.sink_ctx);
}

void vs_log_msg(vs_log_level level, const char *target, const char *fmt, ...)
{
    va_list ap;

    if (!vs_log_enabled(level))
        return;
    va_start(ap, fmt);
    log_emit(level, target, NULL, fmt, ap);
    va_end(ap);
}

double vs_log_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void vs_complain(vs_complaint *c, double now, vs_log_level level, const char *target,
                 const char *fmt, ...)
{
    char suffix[96] = "";
    va_list ap;

    if (c->failing && now < c->next_at) {
        c->held++;
        return;
    }
    if (!c->failing) {
        c->failing = 1;
        c->interval = COMPLAIN_FIRST_INTERVAL;
    } else {
        if (c->held > 0)
            snprintf(suffix, sizeof(suffix), " (%lu more since the last report)", c->held);
        c->interval =
            c->interval * 2 > COMPLAIN_MAX_INTERVAL ? COMPLAIN_MAX_INTERVAL : c->interval * 2;
    }
    c->next_at = now + c->interval;
    c->held = 0;
    if (!vs_log_enabled(level))
        return;
    va_start(ap, fmt);
    log_emit(level, target, suffix, fmt, ap);
    va_end(ap);
}

int vs_complain_release(vs_complaint *c, vs_log_level level, const char *target, const char *fmt,
                        ...)
{
    va_list ap;

    if (!c->failing)
        return 0;
    c->failing = 0;
    c->held = 0;
    c->interval = 0;
    c->next_at = 0;
    if (vs_log_enabled(level)) {
        va_start(ap, fmt);
        log_emit(level, target, NULL, fmt, ap);
        va_end(ap);
    }
    return 1;
}
