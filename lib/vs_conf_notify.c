/* vs_conf_notify: the <notifiers> element (SNMP trap or inform, e-mail, Slack, with the spool's
 * back-off on the element itself) and the checks on notifier names. The values are checked here
 * so that a mistake is a file:line message at load time, never a surprise when the first message
 * goes out. */
#include "config.h"

#include "vs_conf_notify.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "vs_conf.h"
#include "vs_num.h"

#define SHOW_BUF VS_CONF_SHOW_BUF
#define SEEN(i) VS_CONF_SEEN(i)
#define ERR VS_CONF_ERR
#define USM_USER_LEN_MAX 32 /* SNMPv3 security names (RFC 3414) */
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* <notifiers>: the spool's back-off. */
enum { SPOOL_RETRY_MIN, SPOOL_RETRY_MAX, SPOOL_MAX_AGE };
static const vs_conf_attr notifiers_defs[] = {
    [SPOOL_RETRY_MIN] = VS_CONF_A_SEC("retry-min", vs_notify_spool, retry_min),
    [SPOOL_RETRY_MAX] = VS_CONF_A_SEC("retry-max", vs_notify_spool, retry_max),
    [SPOOL_MAX_AGE] =
        VS_CONF_A_INT("max-age", vs_notify_spool, max_age, "86400", 1, 31 * 86400, "seconds"),
};
static const vs_conf_elem notifiers_elem = VS_CONF_ELEM("notifiers", notifiers_defs);

/* <trap> */
typedef struct {
    vs_notify_cfg n;
    char *version;
    char *community_file;
    char *secret_file;
} trap_attrs;
enum {
    TRAP_NAME,
    TRAP_TARGET,
    TRAP_VERSION,
    TRAP_INFORM,
    TRAP_COMMUNITY_FILE,
    TRAP_USER,
    TRAP_AUTH,
    TRAP_PRIV,
    TRAP_SECRET_FILE,
    TRAP_TIMEOUT,
    TRAP_RETRIES
};
static const char *const trap_versions[] = { "2c", "3", NULL };
static const char *const snmp_auths[] = { "SHA-256", "SHA-384", "SHA-512", NULL };
static const char *const snmp_privs[] = { "AES", "AES-192", "AES-256", NULL };
static const vs_conf_attr trap_defs[] = {
    [TRAP_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, trap_attrs, n.name, 1, NULL),
    [TRAP_TARGET] = VS_CONF_A_STR("target", VS_CONF_TOKEN, trap_attrs, n.target, 1, NULL),
    [TRAP_VERSION] = VS_CONF_A_CHOICE("version", trap_attrs, version, 1, trap_versions,
                                      " (version 1 traps are not sent)"),
    [TRAP_INFORM] = VS_CONF_A_STR("inform", VS_CONF_YESNO, trap_attrs, n.inform, 0, "no"),
    [TRAP_COMMUNITY_FILE] =
        VS_CONF_A_STR("community-file", VS_CONF_TEXT, trap_attrs, community_file, 0, NULL),
    [TRAP_USER] = VS_CONF_A_STR("user", VS_CONF_TEXT, trap_attrs, n.user, 0, NULL),
    [TRAP_AUTH] = VS_CONF_A_CHOICE("auth", trap_attrs, n.auth_proto, 0, snmp_auths,
                                   " (MD5 and SHA-1 are refused as too weak)"),
    [TRAP_PRIV] = VS_CONF_A_CHOICE("priv", trap_attrs, n.priv_proto, 0, snmp_privs,
                                   " (DES is refused as too weak; AES means AES-128)"),
    [TRAP_SECRET_FILE] =
        VS_CONF_A_STR("secret-file", VS_CONF_TEXT, trap_attrs, secret_file, 0, NULL),
    [TRAP_TIMEOUT] =
        VS_CONF_A_INT("timeout", trap_attrs, n.timeout_ms, "5000", 1, 600000, "milliseconds"),
    [TRAP_RETRIES] = VS_CONF_A_INT("retries", trap_attrs, n.retries, "3", 0, 20, NULL),
};
static const vs_conf_elem trap_elem = VS_CONF_ELEM("trap", trap_defs);

/* <email> */
typedef struct {
    vs_notify_cfg n;
    char *server;
    char *to;
    char *password_file;
} email_attrs;
enum {
    EMAIL_NAME,
    EMAIL_SERVER,
    EMAIL_TLS,
    EMAIL_FROM,
    EMAIL_TO,
    EMAIL_USER,
    EMAIL_PASSWORD_FILE,
    EMAIL_CA_FILE,
    EMAIL_TIMEOUT
};
static const char *const email_tls[] = { "none", "starttls", "tls", NULL };
static const vs_conf_attr email_defs[] = {
    [EMAIL_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, email_attrs, n.name, 1, NULL),
    [EMAIL_SERVER] = VS_CONF_A_STR("server", VS_CONF_TOKEN, email_attrs, server, 1, NULL),
    [EMAIL_TLS] = VS_CONF_A_CHOICE("tls", email_attrs, n.tls, 0, email_tls, NULL),
    [EMAIL_FROM] = VS_CONF_A_STR("from", VS_CONF_TOKEN, email_attrs, n.from, 1, NULL),
    [EMAIL_TO] = VS_CONF_A_STR("to", VS_CONF_TEXT, email_attrs, to, 1, NULL),
    [EMAIL_USER] = VS_CONF_A_STR("user", VS_CONF_TEXT, email_attrs, n.mail_user, 0, NULL),
    [EMAIL_PASSWORD_FILE] =
        VS_CONF_A_STR("password-file", VS_CONF_TEXT, email_attrs, password_file, 0, NULL),
    [EMAIL_CA_FILE] = VS_CONF_A_STR("ca-file", VS_CONF_PATH, email_attrs, n.ca_file, 0, NULL),
    [EMAIL_TIMEOUT] = VS_CONF_A_SEC("timeout", email_attrs, n.timeout),
};
static const vs_conf_elem email_elem = VS_CONF_ELEM("email", email_defs);

/* <slack> */
typedef struct {
    vs_notify_cfg n;
    char *url_file;
} slack_attrs;
enum {
    SLACK_NAME,
    SLACK_URL_FILE,
    SLACK_TIMEOUT,
    SLACK_CONNECT_TIMEOUT,
    SLACK_MIN_INTERVAL,
    SLACK_CA_FILE
};
static const vs_conf_attr slack_defs[] = {
    [SLACK_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, slack_attrs, n.name, 1, NULL),
    [SLACK_URL_FILE] =
        VS_CONF_A_STR("webhook-url-file", VS_CONF_TEXT, slack_attrs, url_file, 1, NULL),
    [SLACK_TIMEOUT] = VS_CONF_A_SEC("timeout", slack_attrs, n.timeout),
    [SLACK_CONNECT_TIMEOUT] = VS_CONF_A_SEC("connect-timeout", slack_attrs, n.connect_timeout),
    [SLACK_MIN_INTERVAL] = VS_CONF_A_SEC("min-interval", slack_attrs, n.min_interval),
    [SLACK_CA_FILE] = VS_CONF_A_STR("ca-file", VS_CONF_PATH, slack_attrs, n.ca_file, 0, NULL),
};
static const vs_conf_elem slack_elem = VS_CONF_ELEM("slack", slack_defs);

const vs_conf_elem *const vs_notify_elems[] = { &notifiers_elem, &trap_elem, &email_elem,
                                                &slack_elem };
const size_t vs_notify_n_elems = N_OF(vs_notify_elems);

/* ---------------------------------------------------------------- helpers */

/* A mail address as virtsight writes it into a header: local@domain, printable ASCII without
 * blanks, quotes, angle brackets, commas or semicolons (nothing that could end or split a
 * header). */
static int address_ok(const char *a)
{
    const char *at = strchr(a, '@');
    if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return 0;
    for (const unsigned char *p = (const unsigned char *)a; *p != '\0'; p++) {
        if (*p <= ' ' || *p >= 0x7f || strchr("\"<>(),;:[]\\", *p) != NULL)
            return 0;
    }
    return 1;
}

/* Split "host" or "host:port" into n->server and n->port (0: default). An IPv6 literal is
 * refused: libESMTP 1.1 cannot connect to one (a host name that resolves to IPv6 works). */
static int server_split(vs_conf_ctx *ctx, int line, const char *text, vs_notify_cfg *n)
{
    char shown[SHOW_BUF];
    const char *host = text, *end, *colon;
    if (text[0] == '[' || (strchr(text, ':') != strrchr(text, ':'))) {
        ERR(ctx, line,
            "<email> attribute server=\"%s\" is an IPv6 address, which libESMTP cannot connect "
            "to; give a host name.",
            vs_conf_show(text, shown, sizeof(shown)));
        return -1;
    }
    colon = strrchr(text, ':');
    end = colon != NULL ? colon : text + strlen(text);
    if (end == host)
        goto bad;
    n->port = 0;
    if (colon != NULL) {
        long p;
        if (vs_num_parse_long(colon + 1, 1, 65535, &p) < 0)
            goto bad;
        n->port = (int)p;
    }
    if ((n->server = strndup(host, (size_t)(end - host))) == NULL) {
        ERR(ctx, line, "Out of memory while reading <email>.");
        return -1;
    }
    return 0;
bad:
    ERR(ctx, line,
        "<email> attribute server=\"%s\" is not HOST or HOST:PORT (PORT from 1 to 65535).",
        vs_conf_show(text, shown, sizeof(shown)));
    return -1;
}

void vs_notify_cfg_clear(vs_notify_cfg *n)
{
    if (n == NULL)
        return;
    free(n->name);
    free(n->target);
    vs_conf_secret_free(n->community);
    free(n->user);
    free(n->auth_proto);
    free(n->priv_proto);
    vs_conf_secret_free(n->auth_pass);
    vs_conf_secret_free(n->priv_pass);
    free(n->server);
    free(n->tls);
    free(n->from);
    vs_conf_words_free(n->to, n->n_to);
    free(n->mail_user);
    vs_conf_secret_free(n->password);
    vs_conf_secret_free(n->url);
    free(n->ca_file);
}

void vs_notify_cfg_list_free(vs_notify_cfg *list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++)
        vs_notify_cfg_clear(&list[i]);
    free(list);
}

/* ---------------------------------------------------------------- notifiers */

/* Where the notifiers read go. */
typedef struct {
    vs_notify_cfg **list;
    size_t *n;
} notify_list;

/* Append n to the list (taking what it holds); -1 when memory is short. */
static int notify_add(vs_conf_ctx *ctx, notify_list *L, vs_notify_cfg *n)
{
    vs_notify_cfg *a = realloc(*L->list, (*L->n + 1) * sizeof(*a));
    if (a == NULL) {
        ERR(ctx, n->line, "Out of memory while reading <notifiers>.");
        vs_notify_cfg_clear(n);
        return -1;
    }
    *L->list = a;
    a[(*L->n)++] = *n;
    return 0;
}

static void trap_read(vs_conf_ctx *ctx, notify_list *L, xmlNode *node)
{
    trap_attrs a;
    int line = vs_conf_node_line(node);
    int before = ctx->n_errors;

    memset(&a, 0, sizeof(a));
    unsigned seen = vs_conf_attrs_read(ctx, node, &trap_elem, &a, NULL);
    a.n.kind = VS_NOTIFY_TRAP;
    a.n.line = line;
    if (a.version != NULL && strcmp(a.version, "3") == 0) {
        a.n.version = 3;
        static const int need[] = { TRAP_USER, TRAP_AUTH, TRAP_PRIV, TRAP_SECRET_FILE };
        for (size_t i = 0; i < N_OF(need); i++) {
            if (!(seen & SEEN(need[i])))
                ERR(ctx, line, "<trap> version=\"3\" needs attribute %s; virtsight uses authPriv.",
                    trap_defs[need[i]].attr);
        }
        if (seen & SEEN(TRAP_COMMUNITY_FILE))
            ERR(ctx, line, "<trap> attribute community-file is for version 2c.");
        if (a.n.user != NULL && strlen(a.n.user) > USM_USER_LEN_MAX)
            ERR(ctx, line,
                "<trap> attribute user is longer than %d characters, the most SNMPv3 allows.",
                USM_USER_LEN_MAX);
        if ((seen & SEEN(TRAP_INFORM)) && !a.n.inform)
            ERR(ctx, line,
                "<trap> version=\"3\" always sends informs (acknowledged, re-sent until they "
                "are); leave out inform=\"no\".");
        a.n.inform = 1;
        if (ctx->n_errors == before)
            vs_conf_secret_usm(ctx, line, "trap", a.secret_file, &a.n.auth_pass, &a.n.priv_pass);
    } else if (a.version != NULL) {
        a.n.version = 2;
        static const int v3_only[] = { TRAP_USER, TRAP_AUTH, TRAP_PRIV, TRAP_SECRET_FILE };
        for (size_t i = 0; i < N_OF(v3_only); i++) {
            if (seen & SEEN(v3_only[i]))
                ERR(ctx, line, "<trap> attribute %s is for version 3 only.",
                    trap_defs[v3_only[i]].attr);
        }
        if (!(seen & SEEN(TRAP_COMMUNITY_FILE)))
            ERR(ctx, line, "<trap> version=\"2c\" needs attribute community-file.");
        else if (ctx->n_errors == before)
            vs_conf_secret_line(ctx, line, "trap", "community-file", "community", a.community_file,
                                &a.n.community);
    }
    free(a.version);
    free(a.community_file);
    free(a.secret_file);
    notify_add(ctx, L, &a.n);
}

static void email_read(vs_conf_ctx *ctx, notify_list *L, xmlNode *node)
{
    email_attrs a;
    int line = vs_conf_node_line(node);
    int before = ctx->n_errors;
    char shown[SHOW_BUF];

    memset(&a, 0, sizeof(a));
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(ctx, node, &email_elem, &a, &good);
    a.n.kind = VS_NOTIFY_EMAIL;
    a.n.line = line;
    if (a.n.tls == NULL && !(seen & SEEN(EMAIL_TLS)))
        a.n.tls = strdup("starttls");
    if (a.server != NULL)
        server_split(ctx, line, a.server, &a.n);
    if (a.n.tls != NULL && strcmp(a.n.tls, "tls") == 0)
        ERR(ctx, line,
            "<email> tls=\"tls\" (TLS from the first byte, port 465) is not available: "
            "libESMTP 1.1 speaks only STARTTLS; use tls=\"starttls\" (port 587).");
    if (a.n.port == 0 && a.n.tls != NULL)
        a.n.port = strcmp(a.n.tls, "none") == 0 ? 25 : 587;
    if (a.n.from != NULL && !address_ok(a.n.from))
        ERR(ctx, line, "<email> attribute from=\"%s\" is not a mail address (local@domain).",
            vs_conf_show(a.n.from, shown, sizeof(shown)));
    if (a.to != NULL) {
        if (vs_conf_words_split(a.to, &a.n.to, &a.n.n_to) < 0)
            ERR(ctx, line, "Out of memory while reading <email>.");
        else if (a.n.n_to == 0)
            ERR(ctx, line, "<email> attribute to names no recipient.");
        for (size_t i = 0; i < a.n.n_to; i++) {
            if (!address_ok(a.n.to[i]))
                ERR(ctx, line,
                    "<email> attribute to: \"%s\" is not a mail address (local@domain; "
                    "separate recipients with blanks).",
                    vs_conf_show(a.n.to[i], shown, sizeof(shown)));
        }
    }
    if (!(seen & SEEN(EMAIL_TIMEOUT)))
        a.n.timeout = 30;
    else if ((good & SEEN(EMAIL_TIMEOUT)) && (a.n.timeout <= 0 || a.n.timeout > 600))
        ERR(ctx, line,
            "<email> attribute timeout=\"%g\" is out of range (more than 0, at most 600).",
            a.n.timeout);
    if (!!(seen & SEEN(EMAIL_USER)) != !!(seen & SEEN(EMAIL_PASSWORD_FILE)))
        ERR(ctx, line, "<email> attributes user and password-file go together (SMTP AUTH).");
    else if ((seen & SEEN(EMAIL_USER)) && a.n.tls != NULL && strcmp(a.n.tls, "none") == 0)
        ERR(ctx, line,
            "<email> with user and password-file needs tls=\"starttls\": the "
            "password would cross the network in clear.");
    else if ((seen & SEEN(EMAIL_PASSWORD_FILE)) && ctx->n_errors == before)
        vs_conf_secret_line(ctx, line, "email", "password-file", "password", a.password_file,
                            &a.n.password);
    free(a.server);
    free(a.to);
    free(a.password_file);
    notify_add(ctx, L, &a.n);
}

static void slack_read(vs_conf_ctx *ctx, notify_list *L, xmlNode *node)
{
    slack_attrs a;
    int line = vs_conf_node_line(node);
    int before = ctx->n_errors;

    memset(&a, 0, sizeof(a));
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(ctx, node, &slack_elem, &a, &good);
    a.n.kind = VS_NOTIFY_SLACK;
    a.n.line = line;
    vs_conf_seconds_check(ctx, line, "slack", "timeout", seen & SEEN(SLACK_TIMEOUT),
                          good & SEEN(SLACK_TIMEOUT), &a.n.timeout, 15, 600);
    vs_conf_seconds_check(ctx, line, "slack", "connect-timeout", seen & SEEN(SLACK_CONNECT_TIMEOUT),
                          good & SEEN(SLACK_CONNECT_TIMEOUT), &a.n.connect_timeout, 5, 600);
    vs_conf_seconds_check(ctx, line, "slack", "min-interval", seen & SEEN(SLACK_MIN_INTERVAL),
                          good & SEEN(SLACK_MIN_INTERVAL), &a.n.min_interval, 1, 3600);
    if (ctx->n_errors == before && a.url_file != NULL
        && vs_conf_secret_line(ctx, line, "slack", "webhook-url-file", "webhook URL", a.url_file,
                               &a.n.url)
               == 0
        && strncmp(a.n.url, "https://", 8) != 0 && strncmp(a.n.url, "http://", 7) != 0)
        ERR(ctx, line,
            "<slack> attribute webhook-url-file names a file whose first line is not an "
            "http:// or https:// URL.");
    free(a.url_file);
    notify_add(ctx, L, &a.n);
}

void vs_notify_cfg_read(vs_conf_ctx *ctx, xmlNode *node, vs_notify_spool *spool,
                        vs_notify_cfg **list, size_t *n)
{
    vs_notify_spool s;
    notify_list L = { list, n };
    int line = vs_conf_node_line(node);
    memset(&s, 0, sizeof(s));
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(ctx, node, &notifiers_elem, &s, &good);
    vs_conf_seconds_check(ctx, line, "notifiers", "retry-min", seen & SEEN(SPOOL_RETRY_MIN),
                          good & SEEN(SPOOL_RETRY_MIN), &s.retry_min, 1, 3600);
    vs_conf_seconds_check(ctx, line, "notifiers", "retry-max", seen & SEEN(SPOOL_RETRY_MAX),
                          good & SEEN(SPOOL_RETRY_MAX), &s.retry_max, 300, 86400);
    if (s.retry_min > s.retry_max)
        ERR(ctx, line, "<notifiers> attribute retry-min (%g s) is more than retry-max (%g s).",
            s.retry_min, s.retry_max);
    *spool = s;
    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (vs_conf_node_is(c, "trap"))
            trap_read(ctx, &L, c);
        else if (vs_conf_node_is(c, "email"))
            email_read(ctx, &L, c);
        else if (vs_conf_node_is(c, "slack"))
            slack_read(ctx, &L, c);
        else
            ERR(ctx, vs_conf_node_line(c), "<%s> is not allowed inside <notifiers>.",
                (const char *)c->name);
    }
}

void vs_notify_spool_defaults(vs_notify_spool *s)
{
    s->retry_min = 1;
    s->retry_max = 300;
    s->max_age = 86400;
}

/* ---------------------------------------------------------------- across elements */

const vs_notify_cfg *vs_notify_cfg_find(const vs_notify_cfg *list, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++) {
        if (list[i].name != NULL && strcmp(list[i].name, name) == 0)
            return &list[i];
    }
    return NULL;
}

void vs_notify_cfg_check_unique(vs_conf_ctx *ctx, const vs_notify_cfg *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const vs_notify_cfg *first = vs_notify_cfg_find(list, i, list[i].name);
        if (first != NULL)
            ERR(ctx, list[i].line,
                "Notifier name \"%s\" is already used at line %d; notifier names must be unique.",
                list[i].name, first->line);
    }
}

size_t vs_notify_cfg_names_check(vs_conf_ctx *ctx, int line, const char *elem,
                                 const vs_notify_cfg *list, size_t n, char *const *names,
                                 size_t n_names, char *const *skip, size_t n_skip)
{
    char shown[SHOW_BUF];
    size_t missing = 0;

    for (size_t i = 0; i < n_names; i++) {
        int done = 0;
        for (size_t k = 0; k < n_skip && !done; k++)
            done = strcmp(skip[k], names[i]) == 0;
        if (done || vs_notify_cfg_find(list, n, names[i]) != NULL)
            continue;
        ERR(ctx, line, "<%s> names notifier \"%s\", which <notifiers> does not define.", elem,
            vs_conf_show(names[i], shown, sizeof(shown)));
        missing++;
    }
    return missing;
}
