/* vs_trapsend: the SNMP trap/inform notifier. Each message gets its own Net-SNMP single
 * session: the transport is opened (name lookup, connect) with no lock held, the session is
 * built on it under vs_netsnmp_lock, and the answer to an inform is awaited with poll() on the
 * session's socket, taking the lock only for Net-SNMP's own calls (send, read, re-send on
 * timeout), so a dead receiver never holds up another thread. SNMPv3 informs first discover
 * the receiver's engine ID (kept for later messages) within the same time budget. */
#include <config.h>

#include "vs_trapsend.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/library/large_fd_set.h>

#include "vs_log.h"
#include "vs_usm.h"

#define ENGINE_MAX 32 /* snmpEngineID is at most 32 octets (RFC 3411) */

typedef struct {
    char *name;
    char *target;
    int version; /* SNMP_VERSION_2c or SNMP_VERSION_3 */
    int inform;
    char *community;
    char *user;
    const vs_usm_proto *auth, *priv;
    u_char auth_ku[USM_AUTH_KU_LEN], priv_ku[USM_PRIV_KU_LEN];
    size_t auth_ku_len, priv_ku_len;
    long timeout_us;
    int retries;
    u_char engine[ENGINE_MAX]; /* the receiver's, once discovered (delivery thread only) */
    size_t engine_len;
} trapsend;

/* ---------------------------------------------------------------- small helpers */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void status_set(vs_send_status *st, vs_send_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void status_set(vs_send_status *st, vs_send_result r, const char *fmt, ...)
{
    st->result = r;
    st->retry_after = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->error, sizeof(st->error), fmt, ap);
    va_end(ap);
}

/* Overwrite a secret so that it does not linger in freed memory. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *b = p;
    while (n--)
        *b++ = 0;
}

static void free_secret(char *s)
{
    if (s) {
        wipe(s, strlen(s));
        free(s);
    }
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sysUpTime of what sends the notifications: hundredths of a second since the first notifier
 * of the process was created. */
static double uptime_base;
static pthread_once_t uptime_once = PTHREAD_ONCE_INIT;

static void uptime_start(void)
{
    uptime_base = mono_now();
}

static unsigned long uptime_now(void)
{
    pthread_once(&uptime_once, uptime_start);
    return (unsigned long)((mono_now() - uptime_base) * 100.0);
}

/* ---------------------------------------------------------------- one exchange */

/* What became of one request (filled by the callback, under the lock). */
typedef struct {
    int done;
    int op;         /* NETSNMP_CALLBACK_OP_* that ended it */
    int command;    /* the answer's PDU type */
    long errstat;   /* the answer's error-status */
    int report;     /* SNMPERR_* of an SNMPv3 report, 0 = none */
    int expired;    /* our own deadline ended the wait */
    int vanished;   /* Net-SNMP dropped the request without a callback */
    int send_errno; /* s_snmp_errno when the send itself failed */
    u_char engine[ENGINE_MAX];
    size_t engine_len; /* the engine ID a report came from */
} answer;

/* The callback's argument: it outlives the session, the answer only its exchange (a request
 * still outstanding when an exchange gives up is ended by snmp_sess_close, later). */
typedef struct {
    answer *cur;
} waiter;

static int on_answer(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic)
{
    waiter *w = magic;
    answer *a = w->cur;
    (void)sp;
    (void)reqid;
    if (!a || a->done)
        return 1;
    switch (op) {
    case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
        if (pdu->command == SNMP_MSG_REPORT) {
            a->report = snmpv3_get_report_type(pdu);
            if (a->report == SNMPERR_NOT_IN_TIME_WINDOW)
                return 1; /* Net-SNMP has learnt the receiver's clock and sends again */
            if (pdu->securityEngineIDLen && pdu->securityEngineIDLen <= ENGINE_MAX) {
                memcpy(a->engine, pdu->securityEngineID, pdu->securityEngineIDLen);
                a->engine_len = pdu->securityEngineIDLen;
            }
        }
        a->command = pdu->command;
        a->errstat = pdu->errstat;
        break;
    case NETSNMP_CALLBACK_OP_TIMED_OUT:
    case NETSNMP_CALLBACK_OP_SEND_FAILED:
    case NETSNMP_CALLBACK_OP_DISCONNECT:
        break;
    default: /* re-sends and the like: the request is still outstanding */
        return 1;
    }
    a->op = op;
    a->done = 1;
    return 1;
}

/* Send pdu (consumed) on sess and wait for the answer until deadline (monotonic seconds).
 * Net-SNMP re-sends on its timer; the socket is polled with the lock released. */
static void exchange(void *sess, netsnmp_pdu *pdu, double deadline, waiter *w, answer *a)
{
    memset(a, 0, sizeof(*a));
    w->cur = a;
    vs_netsnmp_lock();
    int ok = snmp_sess_async_send(sess, pdu, on_answer, w);
    if (!ok)
        a->send_errno = snmp_sess_session(sess)->s_snmp_errno;
    int fd = snmp_sess_transport(sess)->sock;
    vs_netsnmp_unlock();
    if (!ok) {
        w->cur = NULL;
        snmp_free_pdu(pdu);
        a->done = 1;
        a->op = NETSNMP_CALLBACK_OP_SEND_FAILED;
        return;
    }
    netsnmp_large_fd_set fds;
    netsnmp_large_fd_set_init(&fds, fd + 1);
    while (!a->done) {
        double now = mono_now();
        if (now >= deadline) {
            a->expired = 1;
            break;
        }
        int numfds = 0, block = 1;
        struct timeval tv = { 0, 0 };
        vs_netsnmp_lock();
        snmp_sess_select_info2_flags(sess, &numfds, &fds, &tv, &block, NETSNMP_SELECT_NOALARMS);
        vs_netsnmp_unlock();
        if (block) { /* nothing outstanding any more, and no callback said why */
            a->vanished = 1;
            break;
        }
        double wait = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
        if (wait > deadline - now)
            wait = deadline - now;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, (int)(wait * 1000.0) + 1);
        if (r < 0 && errno != EINTR) {
            a->op = NETSNMP_CALLBACK_OP_SEND_FAILED;
            break;
        }
        vs_netsnmp_lock();
        if (r > 0) {
            NETSNMP_LARGE_FD_ZERO(&fds);
            NETSNMP_LARGE_FD_SET(fd, &fds);
            snmp_sess_read2(sess, &fds);
        } else if (r == 0) {
            snmp_sess_timeout(sess);
        }
        vs_netsnmp_unlock();
    }
    netsnmp_large_fd_set_cleanup(&fds);
    w->cur = NULL;
}

/* ---------------------------------------------------------------- the session */

/* Whether the localised form of key ku (for the receiver's engine) is key/key_len. */
static int key_matches(const trapsend *t, const u_char *ku, size_t ku_len, const u_char *key,
                       size_t key_len)
{
    u_char kul[USM_LENGTH_KU_HASHBLOCK];
    size_t kul_len = sizeof(kul);
    int same = key
               && generate_kul(t->auth->o, (u_int)t->auth->len, t->engine, t->engine_len, ku,
                               ku_len, kul, &kul_len)
                      == SNMPERR_SUCCESS
               && kul_len == key_len && memcmp(kul, key, kul_len) == 0;
    wipe(kul, sizeof(kul));
    return same;
}

/* Net-SNMP keeps the first keys registered for a user name and engine and never replaces
 * them: drop an entry that does not hold ours (a pass phrase or protocol changed by a reload)
 * so that ours get registered. Under the lock. */
static void usm_user_refresh(const trapsend *t)
{
    struct usmUser *u = usm_get_user(t->engine, t->engine_len, t->user);
    if (!u)
        return;
    if (u->authProtocol && u->privProtocol
        && snmp_oid_compare(u->authProtocol, u->authProtocolLen, t->auth->o, t->auth->len) == 0
        && snmp_oid_compare(u->privProtocol, u->privProtocolLen, t->priv->o, t->priv->len) == 0
        && key_matches(t, t->auth_ku, t->auth_ku_len, u->authKey, u->authKeyLen)
        && key_matches(t, t->priv_ku, t->priv_ku_len, u->privKey, u->privKeyLen))
        return;
    usm_remove_user(u);
    usm_free_user(u);
}

/* Open this message's session: the transport with no lock held (it may look a name up or
 * connect), the session on it under the lock. SNMPv3: with the engine ID known, Net-SNMP
 * puts the user into its USM table as it opens; never does it probe by itself. */
static void *session_open(trapsend *t, vs_send_status *st)
{
    netsnmp_transport *tr = netsnmp_transport_open_client("snmptrap", t->target);
    if (!tr) {
        status_set(st, VS_SEND_RETRY, "Cannot open the transport to %s.", t->target);
        return NULL;
    }
    netsnmp_session in;
    snmp_sess_init(&in);
    in.version = t->version;
    in.timeout = t->timeout_us;
    in.retries = t->retries;
    in.flags |= SNMP_FLAGS_DONT_PROBE;
    if (t->version == SNMP_VERSION_3) {
        in.securityModel = SNMP_SEC_MODEL_USM;
        in.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
        in.securityName = t->user;
        in.securityNameLen = strlen(t->user);
        in.securityAuthProto = (oid *)t->auth->o;
        in.securityAuthProtoLen = t->auth->len;
        in.securityPrivProto = (oid *)t->priv->o;
        in.securityPrivProtoLen = t->priv->len;
        memcpy(in.securityAuthKey, t->auth_ku, t->auth_ku_len);
        in.securityAuthKeyLen = t->auth_ku_len;
        memcpy(in.securityPrivKey, t->priv_ku, t->priv_ku_len);
        in.securityPrivKeyLen = t->priv_ku_len;
        if (t->engine_len) {
            in.securityEngineID = t->engine;
            in.securityEngineIDLen = t->engine_len;
        }
    } else {
        in.community = (u_char *)t->community;
        in.community_len = strlen(t->community);
    }
    vs_netsnmp_lock();
    if (t->version == SNMP_VERSION_3 && t->engine_len)
        usm_user_refresh(t);
    void *sess = snmp_sess_add(&in, tr, NULL, NULL);
    if (sess) /* snmp_sess_add clears it; a send must never start a synchronous probe */
        snmp_sess_session(sess)->flags |= SNMP_FLAGS_DONT_PROBE;
    vs_netsnmp_unlock();
    wipe(in.securityAuthKey, sizeof(in.securityAuthKey));
    wipe(in.securityPrivKey, sizeof(in.securityPrivKey));
    if (!sess)
        status_set(st, VS_SEND_RETRY, "Cannot set up an SNMP session to %s: %s.", t->target,
                   snmp_api_errstring(in.s_snmp_errno));
    return sess;
}

static void session_close(void *sess)
{
    vs_netsnmp_lock();
    snmp_sess_close(sess);
    vs_netsnmp_unlock();
}

/* An unauthenticated request that makes the receiver report its engine ID (RFC 3414 4). */
static netsnmp_pdu *discovery_pdu(void)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    if (!pdu)
        return NULL;
    pdu->version = SNMP_VERSION_3;
    pdu->securityName = strdup("");
    pdu->securityNameLen = 0;
    pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    pdu->securityModel = SNMP_SEC_MODEL_USM;
    if (!pdu->securityName) {
        snmp_free_pdu(pdu);
        return NULL;
    }
    return pdu;
}

/* Learn the receiver's engine ID and register our user for it (keys localised). */
static int discover(trapsend *t, void *sess, double deadline, waiter *w, vs_send_status *st)
{
    netsnmp_pdu *pdu = discovery_pdu();
    if (!pdu) {
        status_set(st, VS_SEND_RETRY, "Out of memory.");
        return -1;
    }
    answer a;
    exchange(sess, pdu, deadline, w, &a);
    if (!a.done || a.command != SNMP_MSG_REPORT || !a.engine_len) {
        status_set(st, VS_SEND_RETRY,
                   a.done && a.op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE
                       ? "The SNMPv3 receiver %s did not report its engine ID."
                       : "No answer to SNMPv3 engine discovery from %s.",
                   t->target);
        return -1;
    }
    memcpy(t->engine, a.engine, a.engine_len);
    t->engine_len = a.engine_len;
    int rc = 0;
    vs_netsnmp_lock();
    netsnmp_session *sp = snmp_sess_session(sess);
    if (!sp->securityEngineIDLen) {
        sp->securityEngineID = netsnmp_memdup(t->engine, t->engine_len);
        if (sp->securityEngineID)
            sp->securityEngineIDLen = t->engine_len;
        else
            rc = -1;
    }
    if (rc == 0) {
        usm_user_refresh(t);
        if (usm_create_user_from_session(sp) != SNMPERR_SUCCESS)
            rc = -1;
    }
    vs_netsnmp_unlock();
    if (rc < 0) {
        t->engine_len = 0;
        status_set(st, VS_SEND_RETRY, "Cannot set up the SNMPv3 user for %s.", t->target);
        return -1;
    }
    VS_LOG(VS_LOG_INFO, t->name, "Discovered the SNMPv3 engine of %s.", t->target);
    return 0;
}

/* ---------------------------------------------------------------- sending */

/* The notification PDU for m; NULL with st set (FAILED when m cannot be sent at all). */
static netsnmp_pdu *notification_pdu(trapsend *t, const vs_msg *m, vs_send_status *st)
{
    int inform = t->inform || t->version == SNMP_VERSION_3;
    netsnmp_pdu *pdu = snmp_pdu_create(inform ? SNMP_MSG_INFORM : SNMP_MSG_TRAP2);
    if (!pdu) {
        status_set(st, VS_SEND_RETRY, "Out of memory.");
        return NULL;
    }
    char err[200] = "";
    vs_netsnmp_lock(); /* snmp_add_var writes Net-SNMP's global error detail */
    int rc = vs_trapsend_pdu_fill(pdu, m, uptime_now(), t->name, err, sizeof(err));
    vs_netsnmp_unlock();
    if (rc < 0) {
        snmp_free_pdu(pdu);
        status_set(st, rc == -1 ? VS_SEND_FAILED : VS_SEND_RETRY, "%s", err);
        return NULL;
    }
    return pdu;
}

/* RETRY, or FAILED when the message itself is too big to encode. */
static void send_failed(trapsend *t, int snmp_errno, vs_send_status *st)
{
    status_set(st, snmp_errno == SNMPERR_TOO_LONG ? VS_SEND_FAILED : VS_SEND_RETRY,
               "Cannot send the notification to %s: %s.", t->target,
               snmp_api_errstring(snmp_errno));
}

/* A v2c trap: delivered once the transport took it. */
static void send_trap(trapsend *t, void *sess, netsnmp_pdu *pdu, vs_send_status *st)
{
    vs_netsnmp_lock();
    int ok = snmp_sess_send(sess, pdu);
    int e = ok ? 0 : snmp_sess_session(sess)->s_snmp_errno;
    vs_netsnmp_unlock();
    if (!ok) {
        snmp_free_pdu(pdu);
        send_failed(t, e, st);
        return;
    }
    status_set(st, VS_SEND_OK, "%s", "");
}

/* Turn the end of an inform's exchange into a status; returns 1 when the engine ID in use
 * was refused (worth discovering again). */
static int inform_result(trapsend *t, const answer *a, double budget, vs_send_status *st)
{
    if (a->done && a->op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
        if (a->command == SNMP_MSG_RESPONSE && a->errstat == SNMP_ERR_NOERROR) {
            status_set(st, VS_SEND_OK, "%s", "");
            return 0;
        }
        if (a->command == SNMP_MSG_RESPONSE) {
            status_set(st, VS_SEND_RETRY, "The receiver %s answered the inform with %s.", t->target,
                       snmp_errstring(a->errstat));
            return 0;
        }
        status_set(st, VS_SEND_RETRY, "The receiver %s refused the inform: %s.", t->target,
                   snmp_api_errstring(a->report ? a->report : SNMPERR_UNKNOWN_REPORT));
        return a->report == SNMPERR_UNKNOWN_ENG_ID;
    }
    if (a->done && a->op == NETSNMP_CALLBACK_OP_SEND_FAILED && a->send_errno) {
        send_failed(t, a->send_errno, st);
        return 0;
    }
    if (a->vanished)
        status_set(st, VS_SEND_RETRY, "The inform to %s was given up after an SNMPv3 report.",
                   t->target);
    else
        status_set(st, VS_SEND_RETRY, "No acknowledgement of the inform from %s within %.3g s.",
                   t->target, budget);
    return 0;
}

static void trapsend_send(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st)
{
    trapsend *t = n->impl;
    (void)state;
    double budget = (double)t->timeout_us / 1e6 * (t->retries + 1);
    double deadline = mono_now() + budget;
    int inform = t->inform || t->version == SNMP_VERSION_3;
    waiter w = { NULL };
    status_set(st, VS_SEND_RETRY, "Not sent.");
    for (int attempt = 0; attempt < 2; attempt++) {
        netsnmp_pdu *pdu = notification_pdu(t, msg, st);
        if (!pdu)
            return;
        void *sess = session_open(t, st);
        if (!sess) {
            snmp_free_pdu(pdu);
            return;
        }
        if (!inform) {
            send_trap(t, sess, pdu, st);
            session_close(sess);
            return;
        }
        if (t->version == SNMP_VERSION_3 && !t->engine_len
            && discover(t, sess, deadline, &w, st) < 0) {
            snmp_free_pdu(pdu);
            session_close(sess);
            return;
        }
        answer a;
        exchange(sess, pdu, deadline, &w, &a);
        session_close(sess);
        int stale = inform_result(t, &a, budget, st);
        if (!stale)
            return;
        t->engine_len = 0; /* the receiver's engine changed: discover it again */
        if (mono_now() >= deadline)
            return;
    }
}

static void trapsend_free(vs_notifier *n)
{
    if (!n)
        return;
    trapsend *t = n->impl;
    if (t) {
        free(t->name);
        free(t->target);
        free_secret(t->community);
        free(t->user);
        wipe(t->auth_ku, sizeof(t->auth_ku));
        wipe(t->priv_ku, sizeof(t->priv_ku));
        free(t);
    }
    free(n->name);
    free(n);
}

static const struct vs_notifier_ops trapsend_ops = {
    .type = "trap",
    .send = trapsend_send,
    .free = trapsend_free,
};

/* ---------------------------------------------------------------- configuration */

/* Derive a Ku key from a pass phrase with the auth protocol's hash; 0 or -1 with err. */
static int make_key(const vs_usm_proto *auth, const char *what, const char *pass, u_char *ku,
                    size_t *len, char *err, size_t errlen)
{
    if (!pass || strlen(pass) < USM_LENGTH_P_MIN) {
        set_err(err, errlen, "The SNMPv3 %s pass phrase must have at least %d characters.", what,
                USM_LENGTH_P_MIN);
        return -1;
    }
    if (generate_Ku(auth->o, auth->len, (const u_char *)pass, strlen(pass), ku, len)
        != SNMPERR_SUCCESS) {
        set_err(err, errlen, "Cannot derive a key from the SNMPv3 %s pass phrase.", what);
        return -1;
    }
    return 0;
}

/* Check and copy the SNMPv3 part of c into t; 0 or -1 with err. */
static int conf_v3(trapsend *t, const vs_trapsend_conf *c, char *err, size_t errlen)
{
    if (find_sec_mod(SNMP_SEC_MODEL_USM) == NULL) {
        set_err(err, errlen, "Net-SNMP has no USM: init_snmp() was not called.");
        return -1;
    }
    if (!c->user || !*c->user) {
        set_err(err, errlen, "An SNMPv3 notifier needs a user name.");
        return -1;
    }
    t->auth = vs_usm_auth(c->auth_proto);
    if (!t->auth) {
        set_err(err, errlen,
                "SNMPv3 authentication \"%s\" is not accepted: use SHA-256, SHA-384 or SHA-512 "
                "(MD5 and SHA-1 are refused).",
                c->auth_proto ? c->auth_proto : "");
        return -1;
    }
    t->priv = vs_usm_priv(c->priv_proto);
    if (!t->priv) {
        set_err(err, errlen,
                "SNMPv3 privacy \"%s\" is not accepted: use AES, AES-192 or AES-256 (DES is "
                "refused).",
                c->priv_proto ? c->priv_proto : "");
        return -1;
    }
    t->auth_ku_len = sizeof(t->auth_ku);
    t->priv_ku_len = sizeof(t->priv_ku);
    if (make_key(t->auth, "authentication", c->auth_pass, t->auth_ku, &t->auth_ku_len, err, errlen)
            < 0
        || make_key(t->auth, "privacy", c->priv_pass, t->priv_ku, &t->priv_ku_len, err, errlen) < 0)
        return -1;
    t->user = strdup(c->user);
    if (!t->user) {
        set_err(err, errlen, "Out of memory.");
        return -1;
    }
    return 0;
}

/* Check and copy c into t; 0 or -1 with err. */
static int conf_copy(trapsend *t, const vs_trapsend_conf *c, char *err, size_t errlen)
{
    if (!c->target || !*c->target) {
        set_err(err, errlen, "The trap notifier has no target address.");
        return -1;
    }
    if (c->version != 2 && c->version != 3) {
        set_err(err, errlen, "SNMP version %d is not supported for notifications (2 or 3).",
                c->version);
        return -1;
    }
    double timeout = c->timeout > 0 ? c->timeout : 5.0;
    t->timeout_us = (long)(timeout * 1e6);
    t->retries = c->retries < 0 ? 3 : c->retries;
    t->inform = c->inform || c->version == 3;
    t->name = strdup(c->name ? c->name : "trap");
    t->target = strdup(c->target);
    if (!t->name || !t->target) {
        set_err(err, errlen, "Out of memory.");
        return -1;
    }
    if (c->version == 3) {
        t->version = SNMP_VERSION_3;
        return conf_v3(t, c, err, errlen);
    }
    t->version = SNMP_VERSION_2c;
    if (!c->community || !*c->community) {
        set_err(err, errlen, "An SNMPv2c notifier needs a community.");
        return -1;
    }
    t->community = strdup(c->community);
    if (!t->community) {
        set_err(err, errlen, "Out of memory.");
        return -1;
    }
    return 0;
}

vs_notifier *vs_trapsend_new(const vs_trapsend_conf *c, char *err, size_t errlen)
{
    vs_notifier *n = calloc(1, sizeof(*n));
    trapsend *t = calloc(1, sizeof(*t));
    if (!n || !t) {
        free(n);
        free(t);
        set_err(err, errlen, "Out of memory.");
        return NULL;
    }
    n->ops = &trapsend_ops;
    n->impl = t;
    if (conf_copy(t, c, err, errlen) < 0) {
        trapsend_free(n);
        return NULL;
    }
    n->name = strdup(t->name);
    if (!n->name) {
        set_err(err, errlen, "Out of memory.");
        trapsend_free(n);
        return NULL;
    }
    pthread_once(&uptime_once, uptime_start);
    return n;
}
