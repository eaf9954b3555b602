/* vs_slack: the Slack incoming-webhook notifier: one libcurl POST of vs_slack_payload's JSON per
 * send, on a handle kept alive per notifier, paced per webhook URL through a process-wide table
 * so that several notifiers on one URL share its limit. */
#include "config.h"

#include "vs_slack.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "vs_buf.h"
#include "vs_log.h"

#define RESPONSE_KEEP 512  /* bytes of a reply body kept for the error text */
#define RESPONSE_SHOWN 100 /* of which the error text shows at most this many */
#define RETRY_AFTER_DEFAULT 30.0
#define RETRY_AFTER_MAX 3600.0

/* ---------------------------------------------------------------- pacing per webhook URL */

/* When each webhook URL may be posted to next (monotonic seconds). Keyed by a 64-bit hash of
 * the URL, so the table holds no secret; a collision only makes two webhooks share a pace.
 * Slots are added by vs_slack_new and kept for the life of the process (one per URL ever
 * configured), so send never allocates under the lock. */
typedef struct {
    uint64_t key;
    double next;
} rate_slot;

static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static rate_slot *rate_slots;
static size_t rate_n, rate_cap;

/* FNV-1a, 64 bits. */
static uint64_t url_key(const char *url)
{
    uint64_t h = 14695981039346656037ULL;

    for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* The slot of key; the caller holds rate_lock. */
static rate_slot *rate_find(uint64_t key)
{
    for (size_t i = 0; i < rate_n; i++) {
        if (rate_slots[i].key == key)
            return &rate_slots[i];
    }
    return NULL;
}

/* Make sure key has a slot; 0 or -1 when memory is short. */
static int rate_register(uint64_t key)
{
    int rc = 0;

    pthread_mutex_lock(&rate_lock);
    if (rate_find(key) == NULL) {
        if (rate_n == rate_cap) {
            size_t cap = rate_cap ? rate_cap * 2 : 8;
            rate_slot *p = realloc(rate_slots, cap * sizeof(*p));
            if (p == NULL)
                rc = -1;
            else {
                rate_slots = p;
                rate_cap = cap;
            }
        }
        if (rc == 0)
            rate_slots[rate_n++] = (rate_slot){ key, 0.0 };
    }
    pthread_mutex_unlock(&rate_lock);
    return rc;
}

/* Claim the next send to key at time now: returns 0 and moves the next allowed time interval
 * ahead, or returns the seconds still to wait (> 0) and claims nothing. */
static double rate_claim(uint64_t key, double now, double interval)
{
    double wait = 0.0;

    pthread_mutex_lock(&rate_lock);
    rate_slot *s = rate_find(key);
    if (s != NULL) {
        if (now < s->next)
            wait = s->next - now;
        else /* the next slot counts from this one's, not from a late wake-up: a queue sent
                at the limit keeps to one per interval instead of drifting behind by the
                runner's few milliseconds each time */
            s->next = (now - s->next < interval ? s->next : now) + interval;
    }
    pthread_mutex_unlock(&rate_lock);
    return wait;
}

/* Keep key quiet until at least until (a 429's Retry-After). */
static void rate_push(uint64_t key, double until)
{
    pthread_mutex_lock(&rate_lock);
    rate_slot *s = rate_find(key);
    if (s != NULL && s->next < until)
        s->next = until;
    pthread_mutex_unlock(&rate_lock);
}

/* ---------------------------------------------------------------- delivery */

typedef struct {
    char *url; /* the secret: wiped before it is freed */
    size_t url_len;
    const char *path; /* inside url: the part after scheme://host[:port] (the secret token) */
    uint64_t key;
    char where[160]; /* scheme://host[:port], what logs and errors name */
    double min_interval;
    double timeout;
    CURL *curl;
    struct curl_slist *headers;
    vs_buf reply; /* the start of the reply body */
    char curl_err[CURL_ERROR_SIZE];
} slack_impl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Keep the first RESPONSE_KEEP bytes of the reply; the rest is read and dropped. */
static size_t reply_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    vs_buf *b = ctx;
    size_t n = size * nmemb;
    size_t room = b->len < RESPONSE_KEEP ? RESPONSE_KEEP - b->len : 0;

    vs_buf_append(b, data, n < room ? n : room);
    return n;
}

/* The reply body made safe for a log line: printable ASCII, blanks folded, shortened. */
static void reply_text(const vs_buf *b, char *out, size_t len)
{
    size_t o = 0;
    int blank = 1;

    for (size_t i = 0; i < b->len && o + 4 < len && o < RESPONSE_SHOWN; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!blank)
                out[o++] = ' ';
            blank = 1;
            continue;
        }
        out[o++] = c > 0x20 && c < 0x7f ? (char)c : '?';
        blank = 0;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    if (b->len > RESPONSE_SHOWN && o + 4 < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* curl's detail for a failed transfer, unless it quotes the URL's secret path. */
static const char *curl_detail(const slack_impl *s, CURLcode rc)
{
    if (s->curl_err[0] == '\0' || (strlen(s->path) > 1 && strstr(s->curl_err, s->path) != NULL))
        return curl_easy_strerror(rc);
    return s->curl_err;
}

/* Judge the HTTP status of a completed POST. */
static void status_judge(slack_impl *s, long code, double now, vs_send_status *st)
{
    curl_off_t ra = 0;
    char body[RESPONSE_SHOWN + 8];

    curl_easy_getinfo(s->curl, CURLINFO_RETRY_AFTER, &ra);
    reply_text(&s->reply, body, sizeof(body));
    if (code >= 200 && code < 300) {
        st->result = VS_SEND_OK;
        return;
    }
    if (code == 429) {
        double wait = ra > 0 ? (double)ra : RETRY_AFTER_DEFAULT;
        if (wait > RETRY_AFTER_MAX)
            wait = RETRY_AFTER_MAX;
        rate_push(s->key, now + wait);
        st->result = VS_SEND_RETRY;
        st->retry_after = wait;
        snprintf(st->error, sizeof(st->error), "HTTP 429 from %s: rate limited for %.0f s",
                 s->where, wait);
        return;
    }
    st->result = code >= 500 || code == 408 ? VS_SEND_RETRY : VS_SEND_FAILED;
    if (st->result == VS_SEND_RETRY && ra > 0)
        st->retry_after = (double)ra < RETRY_AFTER_MAX ? (double)ra : RETRY_AFTER_MAX;
    snprintf(st->error, sizeof(st->error), "HTTP %ld from %.100s%s%.80s", code, s->where,
             body[0] != '\0' ? ": " : "", body);
}

static void slack_send(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st)
{
    slack_impl *s = n->impl;
    double now = vs_log_now();
    (void)state;

    memset(st, 0, sizeof(*st));
    double wait = rate_claim(s->key, now, s->min_interval);
    if (wait > 0) {
        st->result = VS_SEND_DEFER;
        st->retry_after = wait;
        snprintf(st->error, sizeof(st->error), "at most one message per %g s to %s",
                 s->min_interval, s->where);
        return;
    }
    char *payload = vs_slack_payload(msg);
    if (payload == NULL) {
        st->result = VS_SEND_RETRY;
        snprintf(st->error, sizeof(st->error), "out of memory building the Slack message");
        return;
    }
    size_t plen = strlen(payload);
    vs_buf_reset(&s->reply);
    s->curl_err[0] = '\0';
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)plen);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, payload);
    CURLcode rc = curl_easy_perform(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, NULL);
    free(payload);

    long code = 0;
    double took = vs_log_now() - now;
    if (rc != CURLE_OK) {
        st->result = VS_SEND_RETRY;
        if (rc == CURLE_OPERATION_TIMEDOUT)
            snprintf(st->error, sizeof(st->error), "no answer from %.100s within %g s: %.100s",
                     s->where, s->timeout, curl_detail(s, rc));
        else
            snprintf(st->error, sizeof(st->error), "posting to %.100s failed: %.120s", s->where,
                     curl_detail(s, rc));
    } else {
        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
        status_judge(s, code, vs_log_now(), st);
    }
    VS_LOG(VS_LOG_DEBUG, n->name, "posted %zu bytes to %s in %.3f s: HTTP %ld%s%s", plen, s->where,
           took, code, st->error[0] != '\0' ? ", " : "", st->error);
}

static void slack_free(vs_notifier *n)
{
    if (n == NULL)
        return;
    slack_impl *s = n->impl;
    if (s != NULL) {
        if (s->curl != NULL)
            curl_easy_cleanup(s->curl);
        curl_slist_free_all(s->headers);
        vs_buf_free(&s->reply);
        if (s->url != NULL)
            explicit_bzero(s->url, s->url_len);
        free(s->url);
        free(s);
    }
    free(n->name);
    free(n);
}

static const struct vs_notifier_ops slack_ops = {
    .type = "slack",
    .send = slack_send,
    .free = slack_free,
};

/* Check that url is http(s) and fill s->where and s->path; 0, or -1 with err. */
static int url_check(slack_impl *s, const char *name, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;

    if (u == NULL) {
        snprintf(err, errlen, "Slack notifier %s: out of memory.", name);
        return -1;
    }
    if (curl_url_set(u, CURLUPART_URL, s->url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, errlen, "Slack notifier %s: the webhook URL is not a valid URL.", name);
        goto cleanup;
    }
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
        snprintf(err, errlen,
                 "Slack notifier %s: the webhook URL uses the scheme \"%.16s\"; only https "
                 "(and http) are allowed.",
                 name, scheme);
        goto cleanup;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        port = NULL;
    snprintf(s->where, sizeof(s->where), "%s://%.100s%s%s", scheme, host, port ? ":" : "",
             port ? port : "");
    /* The path starts after "scheme://" at the first '/', '?' or '#'. */
    const char *rest = strstr(s->url, "://");
    rest = rest != NULL ? rest + 3 : s->url;
    s->path = rest + strcspn(rest, "/?#");
    rc = 0;
cleanup:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* Set the options every POST of this notifier shares; 0 or -1. */
static int curl_setup(slack_impl *s, const vs_slack_conf *c, const char *ua)
{
    CURL *h = s->curl;
    int bad = 0;

    s->headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    if (s->headers != NULL) {
        /* No "Expect: 100-continue" round trip for larger bodies. */
        struct curl_slist *l = curl_slist_append(s->headers, "Expect:");
        if (l == NULL)
            return -1;
        s->headers = l;
    }
    if (s->headers == NULL)
        return -1;
    bad |= curl_easy_setopt(h, CURLOPT_URL, s->url) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->headers) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, ua) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->connect_timeout * 1000))
           != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(s->timeout * 1000)) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the string form; the bitmask one is deprecated */
    bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
#else
    bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS))
           != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS))
           != CURLE_OK;
#endif
    bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
    if (c->ca_file != NULL)
        bad |= curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file) != CURLE_OK;
    if (c->no_proxy)
        bad |= curl_easy_setopt(h, CURLOPT_NOPROXY, "*") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, reply_write) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, &s->reply) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->curl_err) != CURLE_OK;
    return bad ? -1 : 0;
}

vs_notifier *vs_slack_new(const vs_slack_conf *c, char *err, size_t errlen)
{
    const char *name = c->name != NULL ? c->name : "slack";
    vs_slack_conf conf = *c;
    vs_notifier *n = calloc(1, sizeof(*n));
    slack_impl *s = calloc(1, sizeof(*s));

    if (n == NULL || s == NULL)
        goto nomem;
    n->ops = &slack_ops;
    n->impl = s;
    vs_buf_init(&s->reply, RESPONSE_KEEP);
    if ((n->name = strdup(name)) == NULL)
        goto nomem;
    if (c->url == NULL || c->url[0] == '\0') {
        snprintf(err, errlen, "Slack notifier %s: no webhook URL.", name);
        goto fail;
    }
    s->url_len = strlen(c->url);
    if ((s->url = strdup(c->url)) == NULL)
        goto nomem;
    if (url_check(s, name, err, errlen) < 0)
        goto fail;
    if (!(conf.connect_timeout > 0))
        conf.connect_timeout = 5.0;
    s->timeout = c->timeout > 0 ? c->timeout : 15.0;
    s->min_interval = c->min_interval > 0 ? c->min_interval : 1.0;
    s->key = url_key(s->url);
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK) {
        snprintf(err, errlen, "Slack notifier %s: libcurl failed to initialise: %s.", name,
                 curl_easy_strerror(curl_init_rc));
        goto fail;
    }
    if ((s->curl = curl_easy_init()) == NULL
        || curl_setup(s, &conf, "virtsight/" PACKAGE_VERSION) < 0 || rate_register(s->key) < 0)
        goto nomem;
    VS_LOG(VS_LOG_INFO, name, "Slack webhook at %s (at most one message per %g s)", s->where,
           s->min_interval);
    return n;
nomem:
    snprintf(err, errlen, "Slack notifier %s: out of memory.", name);
fail:
    if (n != NULL && n->ops != NULL)
        slack_free(n);
    else {
        free(n);
        free(s);
    }
    return NULL;
}
