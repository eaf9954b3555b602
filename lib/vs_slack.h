/* vs_slack: the Slack incoming-webhook notifier: builds a JSON message with json-c (colour by
 * severity, untrusted text escaped for Slack) and POSTs it with libcurl, at most one message per
 * min_interval per webhook URL across the process. */
#ifndef VS_SLACK_H
#define VS_SLACK_H

#include <stddef.h>

#include "vs_msg.h"
#include "vs_notify.h"

/* Most bytes of one escaped text field in a payload (the marker included), most varbind lines
 * of a trap, and the marker that ends a shortened field. */
#define VS_SLACK_FIELD_MAX 1000
#define VS_SLACK_VB_LINES_MAX 50
#define VS_SLACK_TRUNC_MARKER "…[truncated]"

typedef struct {
    const char *name;       /* notifier name */
    const char *url;        /* webhook URL: a secret (read from a file by the caller), copied,
                               wiped on free, never logged (log only scheme://host) */
    double connect_timeout; /* default 5 s */
    double timeout;         /* total per request, default 15 s */
    double min_interval;    /* at most one message per this many seconds per webhook URL,
                               default 1 */
    const char *ca_file;    /* NULL = system default; verification always on */
    int no_proxy;           /* tests: ignore http_proxy */
} vs_slack_conf;

/* A notifier posting to c->url. A timeout or interval of 0 (or less) takes its default. Returns
 * NULL with a sentence in err (which never holds the URL) when the URL is not http(s) or memory
 * is short. Does not log errors; logs the webhook's scheme://host at info level. */
vs_notifier *vs_slack_new(const vs_slack_conf *c, char *err, size_t errlen);

/* Pure, unit-tested: the JSON payload for msg (new string, NULL when memory is short). */
char *vs_slack_payload(const vs_msg *m);

/* Pure: Slack mrkdwn escaping of untrusted text (new string, NULL when memory is short):
 * invalid UTF-8 becomes U+FFFD; & < > become &amp; &lt; &gt;; a WORD JOINER (U+2060) goes
 * after the '@' of @channel, @here, @everyone and @group so they never read as mentions. */
char *vs_slack_escape(const char *s);

#endif /* VS_SLACK_H */
