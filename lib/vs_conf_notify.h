/* vs_conf_notify: the <notifiers> element every virtsight program's configuration shares (SNMP
 * trap or inform, e-mail, Slack; the spool's back-off on the element itself): its reader, the
 * checks on notifier names, and the notifier made from each. The RELAX NG definitions are in
 * lib/vs-notifiers.rng. This header needs neither libxml2's nor json-c's: modules that only use
 * the struct include it without their flags. */
#ifndef VS_CONF_NOTIFY_H
#define VS_CONF_NOTIFY_H

#include <stddef.h>

struct _xmlNode;
struct vs_conf_ctx;
struct vs_conf_elem;
struct vs_notifier;

/* A notifier: where messages go. Secrets come from files and are wiped when freed. */
typedef enum { VS_NOTIFY_TRAP = 0, VS_NOTIFY_EMAIL, VS_NOTIFY_SLACK } vs_notify_kind;

typedef struct {
    vs_notify_kind kind;
    char *name; /* unique among the notifiers; [A-Za-z0-9._-] */
    int line;
    /* <trap> */
    char *target; /* Net-SNMP transport address, e.g. "udp:192.0.2.10:162" */
    int version;  /* 2 (v2c) or 3 */
    int inform;   /* 1: inform (always for version 3) */
    char *community;
    char *user, *auth_proto, *priv_proto, *auth_pass, *priv_pass;
    int timeout_ms; /* per try (trap: default 5000) */
    int retries;    /* inform re-sends (default 3) */
    /* <email> */
    char *server; /* host name or IPv4 address */
    int port;     /* default by tls: 25 (none), 587 (starttls) */
    char *tls;    /* "none" or "starttls" ("tls" is refused: libESMTP 1.1 cannot) */
    char *from;
    char **to; /* recipients, at least one */
    size_t n_to;
    char *mail_user;
    char *password;
    /* <slack> */
    char *url;              /* the webhook URL, from webhook-url-file */
    double connect_timeout; /* seconds (default 5) */
    double min_interval;    /* seconds between two messages to the webhook (default 1) */
    /* <email> and <slack> */
    char *ca_file;  /* CA bundle to verify the server with, or NULL: the system's */
    double timeout; /* seconds: e-mail per SMTP step (30), Slack per request (15) */
} vs_notify_cfg;

/* The spool's back-off, from <notifiers retry-min retry-max max-age>. */
typedef struct {
    double retry_min; /* first retry after (1 s), */
    double retry_max; /* doubling up to (300 s), */
    int max_age;      /* until a message is this old (86400 s): then the dead letters */
} vs_notify_spool;

/* The back-off when there is no <notifiers> (or before it is read). */
void vs_notify_spool_defaults(vs_notify_spool *s);

/* The options tables of <notifiers>, <trap>, <email> and <slack>, for the program's list of
 * every element (vs_conf_ctx.elems). */
extern const struct vs_conf_elem *const vs_notify_elems[];
extern const size_t vs_notify_n_elems;

/* Read <notifiers> (node): its back-off into *spool, and each notifier, secrets included,
 * appended to *list (*n of them; realloc'd). Every problem is reported through ctx; a notifier
 * is appended even when it had one (the load fails anyway), so later checks see its name. */
void vs_notify_cfg_read(struct vs_conf_ctx *ctx, struct _xmlNode *node, vs_notify_spool *spool,
                        vs_notify_cfg **list, size_t *n);

/* Report each notifier whose name an earlier one already has. */
void vs_notify_cfg_check_unique(struct vs_conf_ctx *ctx, const vs_notify_cfg *list, size_t n);

/* The notifier called name among list[0..n), or NULL. */
const vs_notify_cfg *vs_notify_cfg_find(const vs_notify_cfg *list, size_t n, const char *name);

/* Report, for the <elem> at line, each of names[0..n_names) that no notifier of list has (names
 * also in skip[0..n_skip), already checked, are passed over): "<elem> names notifier "x", which
 * <notifiers> does not define." Returns how many were missing. */
size_t vs_notify_cfg_names_check(struct vs_conf_ctx *ctx, int line, const char *elem,
                                 const vs_notify_cfg *list, size_t n, char *const *names,
                                 size_t n_names, char *const *skip, size_t n_skip);

/* Free what n holds, wiping the secrets (not n itself); and a whole list. Accept NULL. */
void vs_notify_cfg_clear(vs_notify_cfg *n);
void vs_notify_cfg_list_free(vs_notify_cfg *list, size_t n);

/* The notifier n describes (vs_trapsend_new, vs_mail_new or vs_slack_new; everything copied).
 * Returns NULL with a sentence in err (never a secret) when it cannot be made. Logs nothing.
 * The program must have called init_snmp() before making a trap notifier. */
struct vs_notifier *vs_notify_cfg_make(const vs_notify_cfg *n, char *err, size_t errlen);

#endif /* VS_CONF_NOTIFY_H */
