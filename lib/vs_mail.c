/* vs_mail: the e-mail notifier. One libESMTP session per send, to the recipients still owed;
 * STARTTLS through an SSL_CTX of our own (CA file or system store, peer and host name checked
 * by OpenSSL); AUTH with the configured user and secret; the outcome judged per recipient.
 *
 * libESMTP 1.1 notes that shape this file: it has STARTTLS but no implicit TLS (no way to start
 * a session on a TLS socket), so VS_MAIL_TLS_TLS is refused at creation. smtp_start_session
 * may succeed although nothing was delivered, so only the transfer status and each recipient's
 * status count. Its error number is per thread and its SASL plugin list is behind a mutex, so
 * notifiers in different threads do not meet; auth_client_init runs once (pthread_once).
 * connect() is blocking with the kernel's timeout; the configured timeout covers every SMTP
 * step after it. A failed AUTH is not reported to the caller (libESMTP goes on without it), so
 * the protocol monitor watches the replies to AUTH for the error text. */
#include "config.h"

#include "vs_mail.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stddef.h> /* before libesmtp.h, which uses size_t without it */
#include <auth-client.h>
#include <libesmtp.h>

#include "vs_log.h"

#define DEFAULT_TIMEOUT 30.0
#define ADDR_MAX 254
#define REPLY_SHOWN_MAX 160

typedef struct {
    char *name;
    char *server_port; /* "host:port" for smtp_set_server */
    char *server;
    vs_mail_tls tls;
    char *from;
    char **to;
    size_t n_to;
    char *user;
    char *password;
    char *helo_name;
    long timeout_ms;
    SSL_CTX *ssl_ctx;     /* STARTTLS only; verification set up once */
    const char **to_view; /* to, as vs_mail_conf wants it */
    vs_mail_conf conf;    /* views of the copies above, for vs_mail_format */
    /* Per send (a notifier is used by one thread at a time): what went wrong, for the error. */
    char tls_error[256];
    char auth_error[256];
    int auth_state; /* AUTH_* */
    int mail_sent;  /* MAIL FROM went out: later replies are not about AUTH */
} mail_impl;

enum { AUTH_NONE, AUTH_SENT, AUTH_OK, AUTH_FAILED };

static pthread_once_t auth_once = PTHREAD_ONCE_INIT;

static void auth_init_once(void)
{
    auth_client_init();
}

/* Copy a server reply or other foreign text for a log line or an error: printable ASCII only,
 * cut at REPLY_SHOWN_MAX. */
static void copy_shown(char *dst, size_t len, const char *src)
{
    size_t j = 0;
    for (size_t i = 0; src != NULL && src[i] != '\0' && j + 1 < len && i < REPLY_SHOWN_MAX; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '\r' || c == '\n')
            c = ' ';
        dst[j++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    while (j > 0 && dst[j - 1] == ' ')
        j--;
    if (len > 0)
        dst[j] = '\0';
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* An address we are willing to put in an envelope and a header: local@domain, printable ASCII
 * without spaces, brackets, quotes, commas or semicolons. */
static int addr_ok(const char *a)
{
    const char *at;
    if (a == NULL || *a == '\0' || strlen(a) > ADDR_MAX)
        return 0;
    for (const char *p = a; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || strchr("<>(),;:\"\\[]", c) != NULL)
            return 0;
    }
    at = strrchr(a, '@');
    return at != NULL && at != a && at[1] != '\0';
}

/* A host name or IPv4 address: letters, digits, '-', '.', no ':' (libESMTP splits "host:port"
 * at the first colon, so an IPv6 literal cannot be given to it). */
static int host_ok(const char *h)
{
    if (h == NULL || *h == '\0' || strlen(h) > 253)
        return 0;
    for (const char *p = h; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
              || c == '.'))
            return 0;
    }
    return 1;
}

static void impl_free(mail_impl *im)
{
    if (im == NULL)
        return;
    free(im->name);
    free(im->server_port);
    free(im->server);
    free(im->from);
    for (size_t i = 0; i < im->n_to; i++)
        free(im->to[i]);
    free(im->to);
    free(im->to_view);
    free(im->user);
    if (im->password != NULL) {
        explicit_bzero(im->password, strlen(im->password));
        free(im->password);
    }
    free(im->helo_name);
    SSL_CTX_free(im->ssl_ctx);
    free(im);
}

/* OpenSSL's verify callback: keep the first failure's reason for the error text. */
static int on_verify(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    mail_impl *im = ssl == NULL ? NULL : SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (!ok && im != NULL && im->tls_error[0] == '\0') {
        int e = X509_STORE_CTX_get_error(store);
        snprintf(im->tls_error, sizeof(im->tls_error),
                 "the certificate of %s did not verify: %s (depth %d)", im->server,
                 X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(store));
    }
    return ok;
}

/* The SSL_CTX for STARTTLS: the peer verified against ca_file (or the system store) with its
 * name checked by OpenSSL, so a failure stops the handshake itself.
 * TLS 1.2 exactly: with TLS 1.3 the server's NewSessionTicket records arrive after the
 * handshake, and libESMTP 1.1's protocol engine, seeing the socket readable while its EHLO is
 * still buffered, reads before it writes and waits for a reply to a command it has not sent,
 * until the timeout (seen in about one session in eight against the test sink). In TLS 1.2
 * the ticket is part of the handshake. */
static SSL_CTX *tls_ctx_new(mail_impl *im, const char *ca_file, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    struct in_addr a4;
    X509_VERIFY_PARAM *param;
    int ok;

    if (ctx == NULL) {
        set_err(err, errlen, "cannot create a TLS context (OpenSSL)");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    if (ca_file != NULL)
        ok = SSL_CTX_load_verify_locations(ctx, ca_file, NULL);
    else
        ok = SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        set_err(err, errlen, "cannot load the CA certificates from %s",
                ca_file != NULL ? ca_file : "the system's default store");
        SSL_CTX_free(ctx);
        return NULL;
    }
    param = SSL_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (inet_pton(AF_INET, im->server, &a4) == 1)
        ok = X509_VERIFY_PARAM_set1_ip_asc(param, im->server);
    else
        ok = X509_VERIFY_PARAM_set1_host(param, im->server, 0);
    if (ok != 1) {
        set_err(err, errlen, "cannot set %s as the name to verify", im->server);
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, on_verify);
    SSL_CTX_set_app_data(ctx, im);
    return ctx;
}

/* Check c; 0, or -1 and a sentence in err naming the value (shown printable only). */
static int conf_check(const vs_mail_conf *c, const char *name, char *err, size_t errlen)
{
    char v[REPLY_SHOWN_MAX + 1] = "";

    if (!host_ok(c->server)) {
        copy_shown(v, sizeof(v), c->server);
        set_err(err, errlen, "e-mail notifier %s: server \"%s\" is not a host name or IPv4 address",
                name, v);
    } else if (c->port < 1 || c->port > 65535) {
        set_err(err, errlen, "e-mail notifier %s: port %d is not between 1 and 65535", name,
                c->port);
    } else if (c->tls == VS_MAIL_TLS_TLS) {
        set_err(err, errlen,
                "e-mail notifier %s: implicit TLS (smtps, port 465) is not supported: libESMTP "
                "1.1 only has STARTTLS; use tls starttls with the submission port 587",
                name);
    } else if (c->tls != VS_MAIL_TLS_NONE && c->tls != VS_MAIL_TLS_STARTTLS) {
        set_err(err, errlen, "e-mail notifier %s: unknown TLS mode %d", name, (int)c->tls);
    } else if (!addr_ok(c->from)) {
        copy_shown(v, sizeof(v), c->from);
        set_err(err, errlen, "e-mail notifier %s: from address \"%s\" is not a plain address", name,
                v);
    } else if (c->n_to == 0 || c->to == NULL) {
        set_err(err, errlen, "e-mail notifier %s: no recipient", name);
    } else if (c->user != NULL && (c->password == NULL || *c->user == '\0')) {
        set_err(err, errlen, "e-mail notifier %s: AUTH needs a user and a password", name);
    } else if (!(c->timeout >= 0.0 && c->timeout <= 3600.0)) {
        set_err(err, errlen, "e-mail notifier %s: timeout %g is not between 0 and 3600 s", name,
                c->timeout);
    } else if (c->helo_name != NULL && !host_ok(c->helo_name)) {
        copy_shown(v, sizeof(v), c->helo_name);
        set_err(err, errlen, "e-mail notifier %s: helo name \"%s\" is not a host name", name, v);
    } else {
        for (size_t i = 0; i < c->n_to; i++) {
            if (!addr_ok(c->to[i])) {
                copy_shown(v, sizeof(v), c->to[i]);
                set_err(err, errlen, "e-mail notifier %s: recipient \"%s\" is not a plain address",
                        name, v);
                return -1;
            }
        }
        return 0;
    }
    return -1;
}

/* Check c and copy it into a new impl; NULL and a sentence in err if it cannot be used. */
static mail_impl *impl_new(const vs_mail_conf *c, char *err, size_t errlen)
{
    const char *name = c->name != NULL ? c->name : "email";
    char host[256] = "";
    mail_impl *im;

    if (conf_check(c, name, err, errlen) < 0)
        return NULL;
    if (c->helo_name != NULL)
        snprintf(host, sizeof(host), "%s", c->helo_name);
    else if (gethostname(host, sizeof(host) - 1) != 0 || !host_ok(host))
        snprintf(host, sizeof(host), "localhost");

    im = calloc(1, sizeof(*im));
    if (im == NULL)
        goto nomem;
    im->n_to = c->n_to;
    im->to = calloc(c->n_to, sizeof(char *));
    im->to_view = calloc(c->n_to, sizeof(char *));
    if (im->to == NULL || im->to_view == NULL)
        goto nomem;
    for (size_t i = 0; i < c->n_to; i++) {
        if ((im->to[i] = strdup(c->to[i])) == NULL)
            goto nomem;
        im->to_view[i] = im->to[i];
    }
    im->name = strdup(name);
    im->server = strdup(c->server);
    im->from = strdup(c->from);
    im->helo_name = strdup(host);
    im->user = c->user != NULL ? strdup(c->user) : NULL;
    im->password = c->user != NULL ? strdup(c->password) : NULL;
    if (im->name == NULL || im->server == NULL || im->from == NULL || im->helo_name == NULL
        || (c->user != NULL && (im->user == NULL || im->password == NULL))
        || asprintf(&im->server_port, "%s:%d", c->server, c->port) < 0) {
        im->server_port = NULL;
        goto nomem;
    }
    im->tls = c->tls;
    im->timeout_ms = (long)((c->timeout > 0.0 ? c->timeout : DEFAULT_TIMEOUT) * 1000.0);
    if (im->timeout_ms < 1)
        im->timeout_ms = 1;
    im->conf = (vs_mail_conf){ .name = im->name,
                               .server = im->server,
                               .port = c->port,
                               .tls = c->tls,
                               .from = im->from,
                               .to = im->to_view,
                               .n_to = im->n_to,
                               .user = im->user,
                               .password = NULL,
                               .ca_file = NULL,
                               .timeout = im->timeout_ms / 1000.0,
                               .helo_name = im->helo_name };
    if (im->tls == VS_MAIL_TLS_STARTTLS) {
        char why[200];
        im->ssl_ctx = tls_ctx_new(im, c->ca_file, why, sizeof(why));
        if (im->ssl_ctx == NULL) {
            set_err(err, errlen, "e-mail notifier %s: %s", name, why);
            impl_free(im);
            return NULL;
        }
    }
    return im;

nomem:
    set_err(err, errlen, "e-mail notifier %s: out of memory", name);
    impl_free(im);
    return NULL;
}

/* ------------------------------------------------------------------ one send */

/* libESMTP's event callback: refuse every certificate problem it asks about, and remember
 * what it was. The name check is OpenSSL's (set in tls_ctx_new), which also knows IP
 * addresses; libESMTP's own check, which only knows DNS names, is overruled only after OpenSSL
 * verified the chain and the name, which it has when the handshake got this far. */
static void on_event(smtp_session_t session, int event, void *arg, ...)
{
    mail_impl *im = arg;
    va_list ap;
    int *ok;

    (void)session;
    va_start(ap, arg);
    switch (event) {
    case SMTP_EV_EXTNA_STARTTLS:
        snprintf(im->tls_error, sizeof(im->tls_error), "%s does not offer STARTTLS", im->server);
        break;
    case SMTP_EV_INVALID_PEER_CERTIFICATE: {
        long vfy = va_arg(ap, long);
        ok = va_arg(ap, int *);
        *ok = 0;
        if (im->tls_error[0] == '\0')
            snprintf(im->tls_error, sizeof(im->tls_error),
                     "the certificate of %s did not verify: %s", im->server,
                     X509_verify_cert_error_string(vfy));
        break;
    }
    case SMTP_EV_NO_PEER_CERTIFICATE:
        ok = va_arg(ap, int *);
        *ok = 0;
        snprintf(im->tls_error, sizeof(im->tls_error), "%s sent no certificate", im->server);
        break;
    case SMTP_EV_WRONG_PEER_CERTIFICATE:
        ok = va_arg(ap, int *);
        *ok = im->ssl_ctx != NULL;
        break;
    case SMTP_EV_WEAK_CIPHER:
        (void)va_arg(ap, int);
        ok = va_arg(ap, int *);
        *ok = 0;
        snprintf(im->tls_error, sizeof(im->tls_error), "%s chose a weak cipher", im->server);
        break;
    case SMTP_EV_NO_CLIENT_CERTIFICATE:
        ok = va_arg(ap, int *);
        *ok = 0;
        snprintf(im->tls_error, sizeof(im->tls_error), "libESMTP's client certificate is unusable");
        break;
    case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
    case SMTP_EV_UNUSABLE_CA_LIST:
        snprintf(im->tls_error, sizeof(im->tls_error),
                 "libESMTP's certificate files (~/.config/libesmtp) are unusable");
        break;
    default:
        break;
    }
    va_end(ap);
}

/* libESMTP's protocol monitor: follows the replies to AUTH (the bytes written are only looked
 * at for the command name, so no secret is kept). */
static void on_monitor(const char *buf, int len, int writing, void *arg)
{
    mail_impl *im = arg;

    if (im->mail_sent || len < 5) /* buf is not NUL-terminated: look at len bytes only */
        return;
    if (writing == SMTP_CB_WRITING) {
        if (strncasecmp(buf, "MAIL ", 5) == 0)
            im->mail_sent = 1;
        else if (strncasecmp(buf, "AUTH ", 5) == 0)
            im->auth_state = AUTH_SENT;
        return;
    }
    if (writing != SMTP_CB_READING || im->auth_state != AUTH_SENT)
        return;
    if (buf[0] == '2') {
        im->auth_state = AUTH_OK;
    } else if (buf[0] == '4' || buf[0] == '5') {
        char reply[REPLY_SHOWN_MAX + 1];
        size_t n = (size_t)len < sizeof(reply) ? (size_t)len : sizeof(reply) - 1;
        memcpy(reply, buf, n);
        reply[n] = '\0';
        char shown[REPLY_SHOWN_MAX + 1];
        copy_shown(shown, sizeof(shown), reply);
        im->auth_state = AUTH_FAILED;
        snprintf(im->auth_error, sizeof(im->auth_error), "AUTH as %s refused: %s", im->user, shown);
    }
}

/* SASL asks for the user and the secret. */
static int on_auth_interact(auth_client_request_t req, char **result, int fields, void *arg)
{
    mail_impl *im = arg;
    for (int i = 0; i < fields; i++) {
        if (req[i].flags & AUTH_USER)
            result[i] = im->user;
        else if (req[i].flags & AUTH_PASS)
            result[i] = im->password;
        else if (req[i].flags & AUTH_REALM)
            result[i] = (char *)"";
        else
            return 0;
    }
    return 1;
}

/* Progress kept in the spool entry between sends. */
typedef struct {
    const char **owed; /* configured recipients still to deliver to */
    size_t n_owed;
    int delivered; /* recipients that got it in earlier sends */
} mail_progress;

/* Read the recipients owed from state: all configured ones for a new entry, else those of
 * state's "rcpt" that are still configured. */
static int progress_load(mail_impl *im, json_object *state, mail_progress *p)
{
    json_object *rcpt = NULL, *dl = NULL;

    p->n_owed = 0;
    p->delivered = 0;
    p->owed = calloc(im->n_to, sizeof(char *));
    if (p->owed == NULL)
        return -1;
    if (state != NULL && json_object_object_get_ex(state, "delivered", &dl))
        p->delivered = json_object_get_int(dl);
    if (state == NULL || !json_object_object_get_ex(state, "rcpt", &rcpt)
        || !json_object_is_type(rcpt, json_type_array)) {
        for (size_t i = 0; i < im->n_to; i++)
            p->owed[p->n_owed++] = im->to[i];
        return 0;
    }
    for (size_t i = 0; i < im->n_to; i++) {
        for (size_t k = 0; k < json_object_array_length(rcpt); k++) {
            const char *s = json_object_get_string(json_object_array_get_idx(rcpt, k));
            if (s != NULL && strcasecmp(s, im->to[i]) == 0) {
                p->owed[p->n_owed++] = im->to[i];
                break;
            }
        }
    }
    return 0;
}

/* Write what is still owed into state (RETRY), or clear it (done). */
static void progress_save(json_object *state, const char **owed, size_t n_owed, int delivered)
{
    if (state == NULL)
        return;
    json_object_object_del(state, "rcpt");
    json_object_object_del(state, "delivered");
    if (n_owed == 0)
        return;
    json_object *arr = json_object_new_array();
    if (arr == NULL)
        return;
    for (size_t i = 0; i < n_owed; i++)
        json_object_array_add(arr, json_object_new_string(owed[i]));
    json_object_object_add(state, "rcpt", arr);
    json_object_object_add(state, "delivered", json_object_new_int(delivered));
}

static const char *result_name(vs_send_result r)
{
    return r == VS_SEND_OK ? "OK" : r == VS_SEND_RETRY ? "RETRY" : "FAILED";
}

/* Set up the session for one message to the recipients owed; NULL when memory is short. */
static smtp_session_t session_new(mail_impl *im, const char *text, const mail_progress *p,
                                  auth_context_t *auth, smtp_message_t *msg,
                                  smtp_recipient_t *rcpts)
{
    smtp_session_t s = smtp_create_session();
    int ok;

    if (s == NULL)
        return NULL;
    ok = smtp_set_server(s, im->server_port) && smtp_set_hostname(s, im->helo_name)
         && smtp_set_eventcb(s, on_event, im) && smtp_set_monitorcb(s, on_monitor, im, 0);
    for (int w = Timeout_GREETING; ok && w <= Timeout_DATA2; w++)
        ok = smtp_set_timeout(s, w | Timeout_OVERRIDE_RFC2822_MINIMUM, im->timeout_ms) > 0;
    if (ok && im->tls == VS_MAIL_TLS_STARTTLS)
        ok = smtp_starttls_enable(s, Starttls_REQUIRED) && smtp_starttls_set_ctx(s, im->ssl_ctx);
    if (ok && im->user != NULL) {
        *auth = auth_create_context();
        ok = *auth != NULL && auth_set_interact_cb(*auth, on_auth_interact, im)
             && smtp_auth_set_context(s, *auth);
        /* Clear-text mechanisms (PLAIN, LOGIN) only inside TLS. */
        if (ok && im->tls == VS_MAIL_TLS_STARTTLS)
            ok = auth_set_mechanism_flags(*auth, AUTH_PLUGIN_PLAIN, 0);
    }
    *msg = ok ? smtp_add_message(s) : NULL;
    ok = *msg != NULL && smtp_set_reverse_path(*msg, im->from)
         && smtp_set_message_str(*msg, (void *)text);
    for (size_t i = 0; ok && i < p->n_owed; i++)
        ok = (rcpts[i] = smtp_add_recipient(*msg, p->owed[i])) != NULL;
    if (!ok) {
        smtp_destroy_session(s);
        return NULL;
    }
    return s;
}

/* Why the message did not go when no recipient's reply says it: TLS, AUTH, connection, the
 * reply to MAIL FROM or to the data. */
static void session_error(mail_impl *im, smtp_message_t msg, int started, double elapsed, char *out,
                          size_t len)
{
    const smtp_status_t *rp = smtp_reverse_path_status(msg);
    const smtp_status_t *ms = smtp_message_transfer_status(msg);
    char shown[REPLY_SHOWN_MAX + 1], buf[128];
    int e = smtp_errno();

    if (im->tls_error[0] != '\0') {
        snprintf(out, len, "%s", im->tls_error);
    } else if (im->auth_state == AUTH_FAILED) {
        snprintf(out, len, "%s", im->auth_error);
    } else if (!started) {
        snprintf(out, len, "cannot send to %s: %s", im->server_port,
                 smtp_strerror(e, buf, sizeof(buf)));
    } else if (rp != NULL && rp->code >= 400) {
        copy_shown(shown, sizeof(shown), rp->text);
        snprintf(out, len, "%s refused the sender %s: %d %s", im->server_port, im->from, rp->code,
                 shown);
    } else if (ms != NULL && ms->code >= 400) {
        copy_shown(shown, sizeof(shown), ms->text);
        snprintf(out, len, "%s did not take the message: %d %s", im->server_port, ms->code, shown);
    } else if (e == SMTP_ERR_DROPPED_CONNECTION && elapsed * 1000.0 >= im->timeout_ms * 0.9) {
        snprintf(out, len, "no reply from %s within %.3g s", im->server_port,
                 im->timeout_ms / 1000.0);
    } else if (e != 0) {
        snprintf(out, len, "the session with %s failed: %s", im->server_port,
                 smtp_strerror(e, buf, sizeof(buf)));
    } else {
        snprintf(out, len, "the session with %s ended before the message was sent",
                 im->server_port);
    }
}

/* Sort the recipients owed by their replies: delivered (2xx and the data taken), refused for
 * good (5xx, logged), still owed (the rest, kept in p->owed). Sets the result from that. */
static void send_judge(mail_impl *im, smtp_message_t msg, int started, double elapsed,
                       mail_progress *p, smtp_recipient_t *rcpts, json_object *state,
                       vs_send_status *st)
{
    const smtp_status_t *ms = smtp_message_transfer_status(msg);
    int mclass = ms != NULL ? ms->code / 100 : 0;
    int delivered = p->delivered;
    size_t still = 0, n = p->n_owed;
    char temp[200] = "", perm[200] = "", shown[REPLY_SHOWN_MAX + 1];

    for (size_t i = 0; i < n; i++) {
        const smtp_status_t *rs = smtp_recipient_status(rcpts[i]);
        int rclass = rs != NULL ? rs->code / 100 : 0;
        if (rclass == 2 && mclass == 2) {
            delivered++;
        } else if (rclass == 5 || (rclass == 2 && mclass == 5)) {
            const smtp_status_t *why = rclass == 5 ? rs : ms;
            copy_shown(shown, sizeof(shown), why->text);
            VS_LOG(VS_LOG_WARNING, im->name, "recipient %s refused the message for good: %d %s",
                   p->owed[i], why->code, shown);
            if (perm[0] == '\0')
                snprintf(perm, sizeof(perm), "%s: %d %s", p->owed[i], why->code, shown);
        } else {
            if (rclass == 4 && temp[0] == '\0') {
                copy_shown(shown, sizeof(shown), rs->text);
                snprintf(temp, sizeof(temp), "%s: %d %s", p->owed[i], rs->code, shown);
            }
            p->owed[still++] = p->owed[i];
        }
    }
    if (still == 0) {
        st->result = delivered > 0 ? VS_SEND_OK : VS_SEND_FAILED;
        if (delivered == 0)
            snprintf(st->error, sizeof(st->error), "every recipient refused the message, first %s",
                     perm);
        progress_save(state, NULL, 0, 0);
        return;
    }
    st->result = VS_SEND_RETRY;
    progress_save(state, p->owed, still, delivered);
    if (temp[0] != '\0')
        snprintf(st->error, sizeof(st->error), "%zu of %zu recipients deferred, first %s", still, n,
                 temp);
    else
        session_error(im, msg, started, elapsed, st->error, sizeof(st->error));
}

static void mail_send(vs_notifier *n, const vs_msg *m, json_object *state, vs_send_status *st)
{
    mail_impl *im = n->impl;
    mail_progress p = { NULL, 0, 0 };
    smtp_recipient_t *rcpts = NULL;
    smtp_session_t s = NULL;
    smtp_message_t msg = NULL;
    auth_context_t auth = NULL;
    char *text = NULL;

    memset(st, 0, sizeof(*st));
    st->result = VS_SEND_RETRY;
    pthread_once(&auth_once, auth_init_once);
    im->tls_error[0] = im->auth_error[0] = '\0';
    im->auth_state = AUTH_NONE;
    im->mail_sent = 0;
    if (progress_load(im, state, &p) < 0)
        goto nomem;
    if (p.n_owed == 0) { /* nothing left (the configuration lost those still owed) */
        st->result = p.delivered > 0 ? VS_SEND_OK : VS_SEND_FAILED;
        if (st->result == VS_SEND_FAILED)
            snprintf(st->error, sizeof(st->error), "no configured recipient is left to send to");
        progress_save(state, NULL, 0, 0);
        goto cleanup;
    }
    text = vs_mail_format(&im->conf, m, time(NULL));
    rcpts = calloc(p.n_owed, sizeof(*rcpts));
    if (text == NULL || rcpts == NULL)
        goto nomem;
    s = session_new(im, text, &p, &auth, &msg, rcpts);
    if (s == NULL)
        goto nomem;
    double t0 = vs_log_now();
    int started = smtp_start_session(s);
    send_judge(im, msg, started, vs_log_now() - t0, &p, rcpts, state, st);
    VS_LOG(VS_LOG_DEBUG, im->name, "message %s: %s%s%s", m->msg_id != NULL ? m->msg_id : "-",
           result_name(st->result), st->error[0] != '\0' ? ": " : "", st->error);
    goto cleanup;

nomem:
    snprintf(st->error, sizeof(st->error), "out of memory");
cleanup:
    if (s != NULL)
        smtp_destroy_session(s);
    if (auth != NULL)
        auth_destroy_context(auth);
    free(text);
    free(rcpts);
    free(p.owed);
}

static void mail_free(vs_notifier *n)
{
    if (n == NULL)
        return;
    impl_free(n->impl);
    free(n->name);
    free(n);
}

static const struct vs_notifier_ops mail_ops = { "email", mail_send, mail_free };

vs_notifier *vs_mail_new(const vs_mail_conf *c, char *err, size_t errlen)
{
    mail_impl *im = impl_new(c, err, errlen);
    vs_notifier *n;

    if (im == NULL)
        return NULL;
    n = calloc(1, sizeof(*n));
    if (n == NULL || (n->name = strdup(im->name)) == NULL) {
        set_err(err, errlen, "e-mail notifier %s: out of memory", im->name);
        free(n);
        impl_free(im);
        return NULL;
    }
    n->ops = &mail_ops;
    n->impl = im;
    return n;
}
