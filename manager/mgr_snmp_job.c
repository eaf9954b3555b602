/* mgr_snmp_job: one host's SNMP poll. It keeps one request outstanding, sent through a
 * socket of the scheduler's UDP pool (SNMPv1/v2c over UDP, built and parsed with Net-SNMP's
 * codec) or through a Net-SNMP single session of its own (SNMPv3, other transports), and runs
 * a short sequence: SNMPv3 engine discovery when the engine is
 * not known yet; the host walk (vsHvName as the probe for the subagent, then the standard
 * tables) whose first GETBULK also carries the scalars, or a GET of the scalars first and a
 * GETNEXT walk (SNMPv1, bulk="no", agents that mishandle GETBULK); the VM walk when the probe
 * found hypervisors. Then it closes the session and turns what it read into a result. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgr_snmp_int.h"
#include "mgr_snmp_job.h"
#include "vs_usm.h"

#define FIRST_REP 3 /* rows asked for first from a host polled for the first time */

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mgr_snmp_job_fail(mgr_snmp_job *j, const char *fmt, ...)
{
    if (j->err)
        return; /* the first cause is the one reported */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    j->err_buf = strdup(msg);
    j->err = j->err_buf ? j->err_buf : "Out of memory.";
}

/* Copy src into *dst (NULL stays NULL); -1 when memory is short. */
static int dup_opt(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return src && !*dst ? -1 : 0;
}

/* Free a string that held a secret, wiping it first. */
static void free_secret(char *s)
{
    if (s) {
        mgr_snmp_wipe(s, strlen(s));
        free(s);
    }
}

/* Copy what the poll needs from the host's SNMP source; -1 when memory is short. */
static int job_copy_source(mgr_snmp_job *j, const mgr_snmp_src *src)
{
    if (dup_opt(&j->address, src->address) < 0 || dup_opt(&j->community, src->community) < 0
        || dup_opt(&j->user, src->user) < 0 || dup_opt(&j->context, src->context) < 0
        || dup_opt(&j->auth_pass, src->auth_pass) < 0 || dup_opt(&j->priv_pass, src->priv_pass) < 0)
        return -1;
    j->version = src->version;
    j->timeout_ms = src->timeout_ms > 0 ? src->timeout_ms : 1000;
    j->retries = src->retries >= 0 ? src->retries : 0;
    j->max_rep = src->max_repetitions > 0 ? src->max_repetitions : 25;
    j->bulk = src->bulk && src->version != MGR_SNMP_V1;
    j->auth = vs_usm_auth(src->auth_proto);
    j->priv = vs_usm_priv(src->priv_proto);
    if (!j->address)
        mgr_snmp_job_fail(j, "The SNMP source has no address.");
    else if (j->version != MGR_SNMP_V3 && !j->community)
        mgr_snmp_job_fail(j, "The SNMP source has no community.");
    else if (j->version == MGR_SNMP_V3 && (!j->user || !j->auth_pass || !j->priv_pass))
        mgr_snmp_job_fail(j, "The SNMPv3 source lacks a user name or a pass phrase.");
    else if (j->version == MGR_SNMP_V3 && (!j->auth || !j->priv))
        mgr_snmp_job_fail(j, "Unknown SNMPv3 protocol \"%s\".",
                          !j->auth ? (src->auth_proto ? src->auth_proto : "")
                                   : (src->priv_proto ? src->priv_proto : ""));
    return 0;
}

mgr_snmp_job *mgr_snmp_job_new(const mgr_host_cfg *host, double deadline, mgr_snmp_states *states,
                               mgr_snmp_udp *udp)
{
    mgr_snmp_job *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->watch = MGR_SNMP_WATCH_JOB;
    j->states = states;
    j->udp = udp;
    j->slot = -1;
    j->asked = vs_log_now();
    j->deadline = deadline;
    j->want = (1u << MGR_SNMP_S__COUNT) - 1;
    mgr_snmp_data_init(&j->data);
    j->name = strdup(host->name);
    j->r = mgr_result_new(host->name, MGR_SRC_SNMP);
    if (!j->name || !j->r || (host->snmp && job_copy_source(j, host->snmp) < 0)) {
        mgr_snmp_job_free(j);
        return NULL;
    }
    if (!host->snmp)
        mgr_snmp_job_fail(j, "The host has no SNMP source.");
    return j;
}

void mgr_snmp_job_free(mgr_snmp_job *j)
{
    if (!j)
        return;
    if (j->sess)
        snmp_sess_close(j->sess);
    if (j->sock)
        mgr_snmp_udp_give(j->udp, j->sock);
    free(j->msg_buf);
    free(j->name);
    free(j->address);
    free_secret(j->community);
    free(j->user);
    free(j->context);
    free_secret(j->auth_pass);
    free_secret(j->priv_pass);
    free(j->err_buf);
    mgr_snmp_data_free(&j->data);
    mgr_result_free(j->r);
    free(j);
}

/* ---------------------------------------------------------------- SNMPv3 keys */

/* The Ku keys of this job's pass phrases, into the session about to be opened. */
static int job_keys(mgr_snmp_job *j, netsnmp_session *in)
{
    const vs_usm_proto *a = j->auth;
    const mgr_snmp_ku *ak = mgr_snmp_states_ku(j->states, a->o, a->len, j->auth_pass);
    const mgr_snmp_ku *pk = mgr_snmp_states_ku(j->states, a->o, a->len, j->priv_pass);
    if (!ak || !pk) {
        mgr_snmp_job_fail(j, "Cannot derive SNMPv3 keys from the pass phrases (each needs at "
                             "least 8 characters).");
        return -1;
    }
    memcpy(in->securityAuthKey, ak->ku, ak->len);
    in->securityAuthKeyLen = ak->len;
    memcpy(in->securityPrivKey, pk->ku, pk->len);
    in->securityPrivKeyLen = pk->len;
    return 0;
}

/* Register the USM user of this session for the engine now known (keys localised). */
static int job_make_user(mgr_snmp_job *j)
{
    netsnmp_session *sp = snmp_sess_session(j->sess);
    if (!sp->securityEngineIDLen) {
        sp->securityEngineID = malloc(j->engine_len);
        if (!sp->securityEngineID) {
            mgr_snmp_job_fail(j, "Out of memory.");
            return -1;
        }
        memcpy(sp->securityEngineID, j->engine, j->engine_len);
        sp->securityEngineIDLen = j->engine_len;
    }
    if (usm_create_user_from_session(sp) != SNMPERR_SUCCESS) {
        mgr_snmp_job_fail(j, "Cannot set up the SNMPv3 user \"%s\".", j->user);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the session */

/* Fill in the SNMPv3 parts of a session about to be opened. */
static void session_v3(mgr_snmp_job *j, const mgr_snmp_state *st, netsnmp_session *in)
{
    const vs_usm_proto *a = j->auth, *p = j->priv;
    in->version = SNMP_VERSION_3;
    in->flags |= SNMP_FLAGS_DONT_PROBE; /* Net-SNMP would discover synchronously: we do not */
    in->securityName = j->user;
    in->securityNameLen = strlen(j->user);
    in->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
    in->securityModel = SNMP_SEC_MODEL_USM;
    in->securityAuthProto = (oid *)a->o;
    in->securityAuthProtoLen = a->len;
    in->securityPrivProto = (oid *)p->o;
    in->securityPrivProtoLen = p->len;
    if (j->context) {
        in->contextName = j->context;
        in->contextNameLen = strlen(j->context);
    }
    if (st->engine_len) {
        memcpy(j->engine, st->engine, st->engine_len);
        j->engine_len = st->engine_len;
        in->securityEngineID = j->engine;
        in->securityEngineIDLen = j->engine_len;
    }
}

/* FNV-1a over one field and a separator. */
static uint64_t key_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return (h ^ 0xffu) * 1099511628211ULL;
}

static uint64_t key_str(uint64_t h, const char *s)
{
    return s ? key_add(h, s, strlen(s)) : key_add(h, "", 0);
}

/* What a session is opened with, so that a kept one serves only the same source: after a
 * reload that changes the address, community or user, a new session is opened. */
static uint64_t source_key(const mgr_snmp_job *j)
{
    int v = (int)j->version;
    uint64_t h = key_add(1469598103934665603ULL, &v, sizeof(v));
    h = key_str(h, j->auth ? j->auth->name : NULL);
    h = key_str(h, j->priv ? j->priv->name : NULL);
    h = key_str(h, j->address);
    h = key_str(h, j->community);
    h = key_str(h, j->user);
    h = key_str(h, j->context);
    h = key_str(h, j->auth_pass);
    return key_str(h, j->priv_pass);
}

/* Take a socket of the UDP pool when the agent's address is one it serves (resolved once and
 * kept in st while polls succeed): 1, or 0 to use a session, or -1 with the error recorded. */
static int job_open_udp(mgr_snmp_job *j, mgr_snmp_state *st)
{
    if (st->peer_len > 0 && st->peer_key == j->key) {
        memcpy(&j->peer, &st->peer, st->peer_len);
        j->peer_len = st->peer_len;
    } else if (mgr_snmp_udp_resolve(j->address, &j->peer, &j->peer_len) != 1) {
        return 0; /* Net-SNMP's session says what is wrong with it, or serves its transport */
    }
    j->sock = mgr_snmp_udp_take(j->udp, j->peer.ss_family, j);
    if (!j->sock) {
        mgr_snmp_job_fail(j, "Cannot open a UDP socket: %s.", strerror(errno));
        return -1;
    }
    return 1;
}

/* Open the poll's session, or take the one the last successful poll of the host kept, or a
 * socket of the UDP pool; -1 with the error recorded. */
static int job_open(mgr_snmp_job *j, mgr_snmp_state *st)
{
    j->key = source_key(j);
    if (j->udp && j->version != MGR_SNMP_V3) {
        int rc = job_open_udp(j, st);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    j->sess = mgr_snmp_states_take_sess(j->states, st, j->key, &j->fd);
    if (j->sess) {
        netsnmp_session *sp = snmp_sess_session(j->sess);
        sp->timeout = (long)j->timeout_ms * 1000;
        if (j->version == MGR_SNMP_V3 && st->engine_len) {
            memcpy(j->engine, st->engine, st->engine_len);
            j->engine_len = st->engine_len;
        }
        return 0;
    }
    netsnmp_session in;
    snmp_sess_init(&in);
    in.peername = j->address;
    in.timeout = (long)j->timeout_ms * 1000;
    in.retries = j->retries;
    if (j->version == MGR_SNMP_V3) {
        if (job_keys(j, &in) < 0)
            return -1;
        session_v3(j, st, &in);
    } else {
        in.version = j->version == MGR_SNMP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
        in.community = (u_char *)j->community;
        in.community_len = strlen(j->community);
    }
    j->sess = snmp_sess_open(&in);
    mgr_snmp_wipe(in.securityAuthKey, sizeof(in.securityAuthKey));
    mgr_snmp_wipe(in.securityPrivKey, sizeof(in.securityPrivKey));
    if (!j->sess) {
        mgr_snmp_job_fail(j, "Cannot open an SNMP session to %s: %s.", j->address,
                          snmp_api_errstring(in.s_snmp_errno));
        return -1;
    }
    j->fd = snmp_sess_transport(j->sess)->sock;
    if (j->version == MGR_SNMP_V3 && j->engine_len && job_make_user(j) < 0)
        return -1;
    return 0;
}

/* An unauthenticated request that makes the agent report its engine ID, boots and time. */
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

/* When Net-SNMP's timer for the outstanding request runs out (t_next; 0 when none). A
 * request that vanished (Net-SNMP gave up re-sending after an SNMPv3 time report) ends the
 * wait with an error. */
void mgr_snmp_job_timer(mgr_snmp_job *j, netsnmp_large_fd_set *fdset)
{
    int numfds = 0, block = 1;
    struct timeval tv = { 0, 0 };
    snmp_sess_select_info2_flags(j->sess, &numfds, fdset, &tv, &block, NETSNMP_SELECT_NOALARMS);
    NETSNMP_LARGE_FD_CLR(j->fd, fdset);
    j->dirty = 0;
    if (!block) {
        j->t_next = vs_log_now() + (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
        return;
    }
    j->t_next = 0;
    if (j->waiting) {
        j->waiting = 0;
        mgr_snmp_job_fail(j, "The agent's SNMPv3 clock could not be followed; the request "
                             "was given up.");
    }
}

static int job_callback(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic);

/* The SNMP version of a pool socket's messages. */
static long job_udp_version(const mgr_snmp_job *j)
{
    return j->version == MGR_SNMP_V1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
}

/* Send the outstanding request through the pool socket (again) and time it. A send queue
 * that is full loses this try as the network would: the timer sends it again. */
static void job_transmit(mgr_snmp_job *j)
{
    j->t_next = vs_log_now() + j->timeout_ms / 1000.0;
    ssize_t n;
    do
        n = sendto(j->sock->fd, j->msg, j->msg_len, 0, (const struct sockaddr *)&j->peer,
                   j->peer_len);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
        j->waiting = 0;
        mgr_snmp_job_fail(j, "The SNMP request to %s could not be sent: %s.", j->address,
                          strerror(errno));
    }
}

/* Send pdu (freed here) through the pool socket; retries: sends after timeouts. */
static void job_send_udp(mgr_snmp_job *j, netsnmp_pdu *pdu, int retries)
{
    int rc = mgr_snmp_udp_build(pdu, job_udp_version(j), j->community, &j->msg_buf, &j->msg_cap,
                                &j->msg, &j->msg_len);
    j->reqid = pdu->reqid;
    snmp_free_pdu(pdu);
    if (rc < 0) {
        mgr_snmp_job_fail(j, "Cannot build an SNMP request for %s.", j->address);
        return;
    }
    j->tries_left = retries;
    j->waiting = 1;
    j->requests++;
    job_transmit(j);
}

/* The outstanding request of a pool socket timed out: send it again, or give up on it. */
static void job_udp_timeout(mgr_snmp_job *j)
{
    if (j->tries_left > 0) {
        j->tries_left--;
        job_transmit(j);
        return;
    }
    j->t_next = 0;
    job_callback(NETSNMP_CALLBACK_OP_TIMED_OUT, NULL, (int)j->reqid, NULL, j);
}

int mgr_snmp_job_input(mgr_snmp_job *j, u_char *data, size_t len)
{
    if (!j->sock || !j->waiting)
        return 0;
    netsnmp_pdu *pdu = mgr_snmp_udp_parse(data, len, job_udp_version(j), j->community);
    if (!pdu)
        return 0;
    int ours = pdu->command == SNMP_MSG_RESPONSE && pdu->reqid == j->reqid;
    if (ours) {
        j->t_next = 0;
        job_callback(NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE, NULL, (int)pdu->reqid, pdu, j);
    }
    snmp_free_pdu(pdu);
    return ours;
}

/* Send the request of the current step. */
static void job_send(mgr_snmp_job *j, netsnmp_large_fd_set *fdset)
{
    netsnmp_pdu *pdu = NULL;
    if (j->step == MGR_SNMP_STEP_DISCOVER)
        pdu = discovery_pdu();
    else if (j->step == MGR_SNMP_STEP_SCALARS)
        pdu = mgr_snmp_scalars_request(j->want);
    else
        pdu = mgr_snmp_walk_request(&j->walk);
    if (!pdu) {
        mgr_snmp_job_fail(j, "Out of memory.");
        return;
    }
    /* The first GETBULK, which carries the scalars, keeps one try back: if it goes
     * unanswered, that try is a plain GET, telling a dead host from one that drops GETBULK
     * within the same timeout x tries. */
    j->merged = j->step == MGR_SNMP_STEP_WALK_HOST && j->walk.nonrep > 0;
    int retries = j->followup ? 0 : j->merged && j->retries > 0 ? j->retries - 1 : j->retries;
    if (j->sock) {
        job_send_udp(j, pdu, retries);
        return;
    }
    snmp_sess_session(j->sess)->retries = retries;
    if (!snmp_sess_async_send(j->sess, pdu, job_callback, j)) {
        mgr_snmp_job_fail(j, "Cannot send an SNMP request to %s: %s.", j->address,
                          snmp_api_errstring(snmp_sess_session(j->sess)->s_snmp_errno));
        snmp_free_pdu(pdu);
        return;
    }
    j->waiting = 1;
    j->requests++;
    mgr_snmp_job_timer(j, fdset);
}

/* ---------------------------------------------------------------- answers */

/* Notes about a host worth one log line each for as long as its state is kept. */
static void job_note(mgr_snmp_job *j, int bit, vs_log_level level, const char *msg)
{
    mgr_snmp_state *st = mgr_snmp_states_get(j->states, j->name, 0);
    if (st && !(st->logged & bit)) {
        st->logged |= bit;
        VS_LOG(level, j->name, "%s", msg);
    }
}

/* Walk with GETNEXT for the rest of this poll. An answer that is wrong (certain) makes it
 * stick for the host at once; a GETBULK that went unanswered while other requests were
 * answered makes it stick only after MGR_SNMP_BULK_SILENT_POLLS polls in a row, so that one
 * stalled cycle of a busy agent does not cost it GETBULK for good. */
static void job_no_bulk(mgr_snmp_job *j, int certain)
{
    j->walk.bulk = 0;
    j->bulk_suspect = 0;
    j->nobulk = 1;
    mgr_snmp_state *st = mgr_snmp_states_get(j->states, j->name, 0);
    if (!st || (!certain && ++st->bulk_silent < MGR_SNMP_BULK_SILENT_POLLS))
        return;
    st->nobulk = 1;
    job_note(j, MGR_SNMP_LOGGED_BULK, VS_LOG_NOTICE,
             "The agent mishandles GETBULK; using GETNEXT for its tables from now on.");
}

/* Start walk id; the host walk's first GETBULK also asks for the scalars still wanted. Its
 * first request asks for as many rows as the longest table had at the last poll, plus one
 * to see the end. */
static void job_walk(mgr_snmp_job *j, mgr_snmp_walk_id id, uint32_t scalars)
{
    mgr_snmp_walk_opts o = { id, j->bulk && !j->nobulk, j->max_rep, FIRST_REP, scalars };
    if (j->known)
        o.first_rep = (long)j->rows[id] + 1;
    mgr_snmp_walk_start(&j->walk, &o);
    j->step = id == MGR_SNMP_WALK_VM ? MGR_SNMP_STEP_WALK_VM : MGR_SNMP_STEP_WALK_HOST;
}

/* The first step after discovery: the host walk with the scalars in its first GETBULK, or a
 * GET of the scalars first (SNMPv1, GETNEXT hosts, or after such a GETBULK went unanswered). */
static void job_first_step(mgr_snmp_job *j)
{
    if (j->bulk && !j->nobulk && !j->get_first)
        job_walk(j, MGR_SNMP_WALK_HOST, j->want);
    else
        j->step = MGR_SNMP_STEP_SCALARS;
}

/* The scalars must be asked for with a GET before the walk goes on. */
static void job_get_scalars(mgr_snmp_job *j)
{
    j->want = j->walk.scalars;
    j->walk.scalars = 0;
    j->resume = 1;
    j->step = MGR_SNMP_STEP_SCALARS;
}

/* A walk finished: log what it had to cut short, and go on. */
static void job_walk_done(mgr_snmp_job *j)
{
    if (j->walk.loop)
        job_note(j, MGR_SNMP_LOGGED_LOOP, VS_LOG_WARNING,
                 "The agent returned OIDs out of order in a table; that column was cut short.");
    if (j->walk.stopped) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "Stopped reading column %s early (an agent error, or more rows than a poll "
                 "keeps).",
                 j->walk.stopped);
        job_note(j, MGR_SNMP_LOGGED_STOP, VS_LOG_WARNING, msg);
    }
    if (j->step == MGR_SNMP_STEP_WALK_HOST && j->bulk && !j->nobulk) {
        /* GETBULK worked in this poll: earlier silences were the agent being busy. */
        mgr_snmp_state *st = mgr_snmp_states_get(j->states, j->name, 0);
        if (st)
            st->bulk_silent = 0;
    }
    if (j->step == MGR_SNMP_STEP_WALK_HOST && j->data.t[MGR_SNMP_T_HV].n > 0) {
        j->vm_walked = 1;
        job_walk(j, MGR_SNMP_WALK_VM, 0);
    } else {
        j->step = MGR_SNMP_STEP_END;
    }
}

/* The answer to a scalar GET or a walk request. */
static void job_answer(mgr_snmp_job *j, netsnmp_pdu *pdu)
{
    j->answered = 1;
    if (!j->first_wall) { /* the time every value of this poll belongs to */
        j->first_wall = wall_now();
        j->data.t_sample = vs_log_now();
    }
    if (j->step == MGR_SNMP_STEP_SCALARS) {
        if (mgr_snmp_scalars_response(pdu, &j->want, &j->data) == 1 && j->want)
            return; /* v1 refused one: ask again without it */
        j->followup = 0;
        if (j->resume)
            j->step = MGR_SNMP_STEP_WALK_HOST; /* the walk goes on where it was */
        else
            job_walk(j, MGR_SNMP_WALK_HOST, 0);
        j->resume = 0;
        return;
    }
    const char *why;
    switch (mgr_snmp_walk_response(&j->walk, pdu, &j->data, &why)) {
    case MGR_SNMP_WALK_BAD_BULK:
        job_no_bulk(j, 1);
        if (j->walk.scalars)
            job_get_scalars(j);
        return;
    case MGR_SNMP_WALK_FAIL:
        mgr_snmp_job_fail(j, "Walking the agent's tables failed: %s.", why);
        return;
    case MGR_SNMP_WALK_MORE:
        break;
    }
    if (j->bulk_suspect)
        job_no_bulk(j, 0); /* GETNEXT works where GETBULK timed out */
    if (mgr_snmp_walk_complete(&j->walk))
        job_walk_done(j);
}

/* An SNMPv3 report: the answer to discovery, a time report Net-SNMP handles, or a refusal. */
static void job_report(mgr_snmp_job *j, netsnmp_pdu *pdu)
{
    if (j->step == MGR_SNMP_STEP_DISCOVER) {
        j->waiting = 0;
        if (!pdu->securityEngineIDLen || pdu->securityEngineIDLen > sizeof(j->engine)) {
            mgr_snmp_job_fail(j, "The agent's answer to SNMPv3 discovery names no engine.");
            return;
        }
        memcpy(j->engine, pdu->securityEngineID, pdu->securityEngineIDLen);
        j->engine_len = pdu->securityEngineIDLen;
        j->need_user = 1;
        j->answered = 1;
        job_first_step(j);
        return;
    }
    int type = snmpv3_get_report_type(pdu);
    if (type == SNMPERR_NOT_IN_TIME_WINDOW)
        return; /* Net-SNMP has learnt the agent's time and sends the request again */
    j->waiting = 0;
    mgr_snmp_job_fail(j, "The agent refused the request with an SNMPv3 report: %s.",
                      snmp_api_errstring(type));
}

/* Net-SNMP gave up on the outstanding request after its retries. */
static void job_timed_out(mgr_snmp_job *j)
{
    j->waiting = 0;
    int walking = j->step == MGR_SNMP_STEP_WALK_HOST || j->step == MGR_SNMP_STEP_WALK_VM;
    if (walking && j->merged) {
        /* The GETBULK with the scalars went unanswered: its last try is a GET. */
        if (j->retries > 0) {
            j->followup = 1;
            j->walk.bulk = 0;
            j->bulk_suspect = 1;
            job_get_scalars(j);
            return;
        }
        j->get_first = 1; /* no try left: the next poll begins with a GET */
    } else if (walking && j->walk.bulk && j->answered) {
        /* The host answers other requests: try the walk with GETNEXT before blaming it. */
        j->walk.bulk = 0;
        j->bulk_suspect = 1;
        return;
    }
    mgr_snmp_job_fail(j, "No answer to an SNMP request (%d %s of %g s).", j->retries + 1,
                      j->retries ? "tries" : "try", j->timeout_ms / 1000.0);
}

/* Net-SNMP's callback for this job's session; runs inside snmp_sess_read2 and
 * snmp_sess_timeout. It only takes note: the next request is sent afterwards. */
static int job_callback(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic)
{
    mgr_snmp_job *j = magic;
    (void)sp;
    (void)reqid;
    if (!j->waiting)
        return 1;
    switch (op) {
    case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
        if (pdu->command == SNMP_MSG_REPORT) {
            job_report(j, pdu);
        } else {
            j->waiting = 0;
            job_answer(j, pdu);
        }
        break;
    case NETSNMP_CALLBACK_OP_TIMED_OUT:
        job_timed_out(j);
        break;
    case NETSNMP_CALLBACK_OP_SEND_FAILED:
    case NETSNMP_CALLBACK_OP_DISCONNECT:
        j->waiting = 0;
        mgr_snmp_job_fail(j, "The SNMP request to %s could not be sent.", j->address);
        break;
    default: /* security errors come with a report; re-sends need nothing */
        break;
    }
    return 1;
}

/* ---------------------------------------------------------------- the sequence */

int mgr_snmp_job_start(mgr_snmp_job *j, mgr_snmp_state *st, netsnmp_large_fd_set *fdset)
{
    j->t0_wall = wall_now();
    if (!j->err && vs_log_now() >= j->deadline)
        mgr_snmp_job_deadline(j);
    if (j->err || job_open(j, st) < 0)
        return -1;
    j->nobulk = st->nobulk;
    j->get_first = st->get_first;
    j->known = st->gen > 0;
    memcpy(j->rows, st->rows, sizeof(j->rows));
    if (j->version == MGR_SNMP_V3 && !j->engine_len)
        j->step = MGR_SNMP_STEP_DISCOVER;
    else
        job_first_step(j);
    job_send(j, fdset);
    return j->err ? -1 : 0;
}

void mgr_snmp_job_deadline(mgr_snmp_job *j)
{
    j->waiting = 0;
    mgr_snmp_job_fail(j, "No complete answer within the deadline of %.3g s.",
                      j->deadline - j->asked);
}

void mgr_snmp_job_read(mgr_snmp_job *j, netsnmp_large_fd_set *fdset)
{
    NETSNMP_LARGE_FD_SET(j->fd, fdset);
    snmp_sess_read2(j->sess, fdset);
    NETSNMP_LARGE_FD_CLR(j->fd, fdset);
    j->dirty = 1;
}

int mgr_snmp_job_check(mgr_snmp_job *j, double now, netsnmp_large_fd_set *fdset)
{
    if (now >= j->deadline) {
        mgr_snmp_job_deadline(j);
        return 1;
    }
    if (j->sock) {
        if (j->waiting && now >= j->t_next)
            job_udp_timeout(j);
    } else if (j->waiting && j->t_next > 0 && now >= j->t_next) {
        snmp_sess_timeout(j->sess);
        if (j->waiting)
            mgr_snmp_job_timer(j, fdset);
    } else if (j->waiting && j->dirty) {
        mgr_snmp_job_timer(j, fdset);
    }
    if (j->waiting)
        return 0;
    if (!j->err && j->need_user) {
        j->need_user = 0;
        job_make_user(j);
    }
    if (!j->err && j->step != MGR_SNMP_STEP_END) {
        job_send(j, fdset);
        if (!j->err)
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- the result */

/* Keep what a successful poll teaches about the host, and fill the result. */
static void job_succeed(mgr_snmp_job *j, mgr_snmp_state *st)
{
    mgr_result *r = j->r;
    if (j->data.shave & (1u << MGR_SNMP_S_UPTIME)) {
        uint32_t up = (uint32_t)j->data.sv[MGR_SNMP_S_UPTIME];
        if (st->have_uptime && up < st->uptime)
            st->boots++; /* the agent restarted: its counters may have too */
        st->uptime = up;
        st->have_uptime = 1;
    }
    if (j->engine_len) {
        memcpy(st->engine, j->engine, j->engine_len);
        st->engine_len = j->engine_len;
    }
    st->get_first = 0;
    const mgr_snmp_table *t = j->data.t;
    size_t rows = t[MGR_SNMP_T_HV].n;
    for (int k = MGR_SNMP_T_PROC; k <= MGR_SNMP_T_IF; k++)
        rows = t[k].n > rows ? t[k].n : rows;
    st->rows[MGR_SNMP_WALK_HOST] = rows;
    if (j->vm_walked)
        st->rows[MGR_SNMP_WALK_VM] =
            t[MGR_SNMP_T_VM].n > t[MGR_SNMP_T_HV].n ? t[MGR_SNMP_T_VM].n : t[MGR_SNMP_T_HV].n;
    if (mgr_snmp_fill_result(&j->data, st, r) < 0) {
        mgr_snmp_job_fail(j, "Out of memory while building the result.");
        return;
    }
    r->res[0].v[MGR_H_UP] = 1;
    r->sample_time = j->first_wall;
    vs_complain_release(&st->fail, VS_LOG_NOTICE, j->name, "SNMP polls work again.");
}

void mgr_snmp_job_finish(mgr_snmp_job *j, mgr_snmp_state *st)
{
    if (j->sock) {
        /* The socket goes back to the pool: a late answer it gets meets another request ID.
         * The address is kept while polls succeed, looked up again after a failure. */
        mgr_snmp_udp_give(j->udp, j->sock);
        j->sock = NULL;
        if (st && !j->err) {
            memcpy(&st->peer, &j->peer, j->peer_len);
            st->peer_len = j->peer_len;
            st->peer_key = j->key;
        } else if (st) {
            st->peer_len = 0;
        }
    }
    if (j->sess) {
        /* Only a poll that ended cleanly leaves its session for the next: after a failure
         * a request may still be outstanding, and its answer must not reach a later poll. */
        if (!j->err && st && !j->waiting)
            mgr_snmp_states_keep_sess(j->states, st, j->sess, j->fd, j->key);
        else
            snmp_sess_close(j->sess);
        j->sess = NULL;
    }
    if (!j->err && !st)
        mgr_snmp_job_fail(j, "Out of memory.");
    if (!j->err)
        job_succeed(j, st);
    double now = wall_now();
    mgr_result *r = j->r;
    if (j->err) {
        mgr_result_fail(r, "%s", j->err);
        r->res[0].v[MGR_H_UP] = 0;
        r->sample_time = now;
        if (st) {
            vs_complain(&st->fail, vs_log_now(), VS_LOG_WARNING, j->name, "SNMP poll failed: %s",
                        j->err);
            st->engine_len = 0; /* discover the engine again: it may have changed */
            st->get_first |= j->get_first;
        }
    }
    r->started = j->t0_wall ? j->t0_wall : now;
    r->finished = now;
    r->requests = j->requests;
    mgr_snmp_data_free(&j->data);
}
