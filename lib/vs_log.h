/* vs_log: levelled logging to one sink (stderr, syslog or a caller's function), with the
 * "component: target: message" prefix and throttling of repeated failures. */
#ifndef VS_LOG_H
#define VS_LOG_H

/* syslog's numbering, so a level can be handed to syslog as it is. */
typedef enum {
    VS_LOG_ERR = 3,
    VS_LOG_WARNING = 4,
    VS_LOG_NOTICE = 5,
    VS_LOG_INFO = 6,
    VS_LOG_DEBUG = 7
} vs_log_level;

/* A sink receives each finished line (without a newline). */
typedef void (*vs_log_sink_fn)(vs_log_level level, const char *line, void *ctx);

/* Name the component that prefixes every line and the most verbose level kept. Lines go to
 * stderr until another sink is chosen. */
void vs_log_init(const char *component, vs_log_level max_level);

/* Send lines to syslog with the given facility (LOG_DAEMON and so on). */
void vs_log_use_syslog(int facility);

/* Send lines to fn (tests capture them; a daemon may route them into its host library). */
void vs_log_set_sink(vs_log_sink_fn fn, void *ctx);

/* Parse a level name (err, warning, notice, info, debug) into *out; 0 or -1. */
int vs_log_level_parse(const char *name, vs_log_level *out);

/* Whether a line of this level would be kept: check before formatting costly arguments. */
int vs_log_enabled(vs_log_level level);

/* Log one line "component: target: message"; target may be NULL. Use VS_LOG, which checks the
 * level before the arguments are evaluated. */
void vs_log_msg(vs_log_level level, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define VS_LOG(level, target, ...)                                                                 \
    do {                                                                                           \
        if (vs_log_enabled(level))                                                                 \
            vs_log_msg((level), (target), __VA_ARGS__);                                            \
    } while (0)

/* Seconds on a monotonic clock, for vs_complain's "now". */
double vs_log_now(void);

/* State of one target's repeated failure: the first failure is logged at once, repeats at
 * growing intervals (a minute doubling up to an hour) with the count of those held back, and the
 * recovery once. Zero-initialise (VS_COMPLAINT_INIT); one per target and kind of failure. */
typedef struct {
    int failing;
    double next_at;
    double interval;
    unsigned long held;
} vs_complaint;

#define VS_COMPLAINT_INIT                                                                          \
    {                                                                                              \
        0, 0.0, 0.0, 0                                                                             \
    }

/* Report a failure of target at time now; logs or holds it back as described above. */
void vs_complain(vs_complaint *c, double now, vs_log_level level, const char *target,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Report that target works again: logs the message once if a failure had been reported, and
 * resets c. Returns 1 if it logged, 0 if there was nothing to recover from. */
int vs_complain_release(vs_complaint *c, vs_log_level level, const char *target, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

#endif /* VS_LOG_H */
