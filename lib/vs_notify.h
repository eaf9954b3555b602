/* vs_notify: the interface every notifier (e-mail, Slack, SNMP trap/inform, log file) offers the
 * spool runner. A notifier is created from its configuration in the main thread, then used by
 * exactly one delivery thread of the spool runner: send() may block up to its own timeouts. */
#ifndef VS_NOTIFY_H
#define VS_NOTIFY_H

#include <json-c/json.h>

#include "vs_msg.h"

typedef enum {
    VS_SEND_OK = 0,     /* delivered: the spool entry is removed */
    VS_SEND_RETRY = 1,  /* temporary failure: back off (or wait retry_after) and try again */
    VS_SEND_FAILED = 2, /* permanent: the entry goes to the dead-letter directory */
    VS_SEND_DEFER = 3   /* not attempted (rate limit): try again after retry_after, no back-off,
                          no log line, not counted as an attempt */
} vs_send_result;

typedef struct {
    vs_send_result result;
    double retry_after; /* seconds the channel asked to wait (429 Retry-After, rate limit); 0 =
                           the runner's back-off */
    char error[256];    /* what went wrong, for the log (never a secret) */
} vs_send_status;

typedef struct vs_notifier vs_notifier;

struct vs_notifier_ops {
    const char *type; /* "email", "slack", "trap", "log" */
    /* Deliver msg once. state is this spool entry's own JSON object for this notifier (starts
     * empty); the notifier may keep progress in it (e-mail: the recipients still owed) and the
     * runner saves it with the entry when the result is RETRY or DEFER. */
    void (*send)(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st);
    void (*free)(vs_notifier *n);
};

struct vs_notifier {
    const struct vs_notifier_ops *ops;
    char *name; /* the name rules refer to; owned */
    void *impl;
};

/* Call n->ops->free (NULL is fine). */
void vs_notifier_free(vs_notifier *n);

#endif /* VS_NOTIFY_H */
