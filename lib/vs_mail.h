/* vs_mail: the e-mail notifier. Sends each message as a plain-text mail through one SMTP
 * server with libESMTP (plain or STARTTLS, optional AUTH), to several recipients, keeping the
 * recipients still owed in the spool entry's state so a retry goes only to them. */
#ifndef VS_MAIL_H
#define VS_MAIL_H

#include <stddef.h>
#include <time.h>

#include "vs_msg.h"
#include "vs_notify.h"

typedef enum {
    VS_MAIL_TLS_NONE,     /* plain SMTP; AUTH then uses no clear-text mechanism */
    VS_MAIL_TLS_STARTTLS, /* STARTTLS required, server certificate verified */
    VS_MAIL_TLS_TLS       /* implicit TLS (port 465): libESMTP 1.1 cannot, vs_mail_new refuses */
} vs_mail_tls;

typedef struct {
    const char *name;   /* notifier name */
    const char *server; /* host name or IPv4 address (libESMTP takes no IPv6 literal) */
    int port;           /* 25, 587... */
    vs_mail_tls tls;
    const char *from;      /* envelope and From: address */
    const char *const *to; /* recipients */
    size_t n_to;
    const char *user;      /* AUTH user, NULL = no AUTH */
    const char *password;  /* AUTH secret (copied; wiped on free), from a file by the caller */
    const char *ca_file;   /* CA bundle for verifying the server, NULL = system default */
    double timeout;        /* seconds per SMTP step; 0 = the default, 30 */
    const char *helo_name; /* EHLO name and Message-Id domain; NULL = gethostname() */
} vs_mail_conf;

/* Longest text of one field in a mail body (bytes, after escaping); longer is cut with a marker. */
#define VS_MAIL_FIELD_MAX 1000

/* Create an e-mail notifier from c (everything is copied). Returns NULL with a sentence in err
 * for a configuration it cannot use (bad address, implicit TLS, unreadable CA file...). Does not
 * log. send() logs one line per recipient that refused the message permanently. */
vs_notifier *vs_mail_new(const vs_mail_conf *c, char *err, size_t errlen);

/* Pure, unit-tested: the whole RFC 5322 message (headers + CRLF body, quoted-printable UTF-8)
 * for m, dated now. Every untrusted field is sanitised: no CR/LF reaches a header, invalid UTF-8
 * becomes U+FFFD, controls are shown escaped ("\n"), long fields are cut. c->helo_name NULL means
 * "localhost" here (vs_mail_new fills it in). Returns a string the caller frees, or NULL when
 * memory is short. */
char *vs_mail_format(const vs_mail_conf *c, const vs_msg *m, time_t now);

#endif /* VS_MAIL_H */
