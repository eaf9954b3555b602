/* mgr_snmp_job: one host's SNMP poll (its own session, one request outstanding, a short
 * request sequence), driven by the scheduler in mgr_snmp.c. Internal to the SNMP poller. */
#ifndef MGR_SNMP_JOB_H
#define MGR_SNMP_JOB_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "mgr_snmp_int.h"
#include "mgr_snmp_udp.h"
#include "vs_usm.h"

typedef enum {
    MGR_SNMP_STEP_DISCOVER = 0, /* SNMPv3 engine discovery */
    MGR_SNMP_STEP_SCALARS,      /* the GET of scalars (when the walk cannot carry them) */
    MGR_SNMP_STEP_WALK_HOST,    /* the host walk (vsHvName probe and standard tables) */
    MGR_SNMP_STEP_WALK_VM,      /* vsVmTable */
    MGR_SNMP_STEP_END
} mgr_snmp_step;

typedef struct mgr_snmp_job mgr_snmp_job;
struct mgr_snmp_job {
    mgr_snmp_watch watch;    /* MGR_SNMP_WATCH_JOB: entries of the epoll set begin with it */
    mgr_snmp_job *next;      /* in the scheduler's queue or finished list */
    mgr_snmp_states *states; /* the scheduler's, for one-time notes */
    int slot;                /* position among the polls in flight, or -1 */
    /* From the host's configuration (copied; secrets wiped when freed). */
    char *name;
    char *address;
    char *community;
    char *user;
    char *context;
    char *auth_pass;
    char *priv_pass;
    mgr_snmp_version version;
    const vs_usm_proto *auth, *priv; /* NULL if unknown */
    int timeout_ms, retries, max_rep, bulk;
    double asked, deadline; /* monotonic */
    /* The running poll: SNMPv1/v2c over UDP through the scheduler's socket pool (sock), or
     * a Net-SNMP session (sess: SNMPv3, other transports). */
    mgr_snmp_udp *udp;
    mgr_snmp_sock *sock;
    struct sockaddr_storage peer; /* the agent, for sock */
    socklen_t peer_len;
    u_char *msg_buf; /* the outstanding request's message (sock), kept for re-sends */
    size_t msg_cap;
    u_char *msg;
    size_t msg_len;
    long reqid;     /* ... its request ID */
    int tries_left; /* ... and how many more times it may be sent */
    void *sess;
    uint64_t key; /* what sess or peer was made from (a hash of the source) */
    int fd;
    int watched;   /* fd is in the scheduler's epoll set */
    double t_next; /* when the request times out (Net-SNMP's timer for sess); 0 when none */
    mgr_snmp_step step;
    int waiting;       /* a request is outstanding */
    int dirty;         /* input was read: refresh t_next */
    int answered;      /* the agent has answered something */
    int bulk_suspect;  /* a GETBULK timed out; the walk goes on with GETNEXT */
    int nobulk;        /* GETNEXT for the rest of this poll */
    int need_user;     /* discovery found the engine: the USM user is still to be made */
    int merged;        /* the outstanding request is the GETBULK that carries the scalars */
    int followup;      /* the outstanding GET is that GETBULK's last try */
    int resume;        /* after the scalar GET, the walk goes on where it was */
    int get_first;     /* GET the scalars first (from the host's state; set on failure) */
    int known;         /* the host was polled before: rows is meaningful */
    size_t rows[2];    /* the longest table of each walk at the last poll */
    int vm_walked;     /* the VM walk ran */
    uint32_t want;     /* scalars still asked for */
    unsigned requests; /* requests sent (not counting Net-SNMP's re-sends) */
    double t0_wall;    /* wall clock when the poll started */
    double first_wall; /* ... and when the first answer with data arrived */
    mgr_snmp_walk walk;
    mgr_snmp_data data;
    const char *err; /* why the poll failed; NULL while it has not */
    char *err_buf;
    unsigned char engine[SNMP_MAX_ENG_SIZE];
    size_t engine_len;
    mgr_result *r; /* made up front, so that a result can always be delivered */
};

/* A poll of host to end by deadline, with the parts of its configuration copied; a host
 * without an SNMP source gets a poll that fails at once. SNMPv1/v2c agents on UDP are asked
 * through udp's sockets. NULL when memory is short. */
mgr_snmp_job *mgr_snmp_job_new(const mgr_host_cfg *host, double deadline, mgr_snmp_states *states,
                               mgr_snmp_udp *udp);

/* Free a poll (closing its session if open); accepts NULL. */
void mgr_snmp_job_free(mgr_snmp_job *j);

/* Record why the poll failed (the first cause wins). */
void mgr_snmp_job_fail(mgr_snmp_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open the session with st's cached engine and keys and send the first request. Returns 0,
 * or -1 when the poll already failed (finish it). */
int mgr_snmp_job_start(mgr_snmp_job *j, mgr_snmp_state *st, netsnmp_large_fd_set *fdset);

/* Read the datagram waiting on the job's session socket (Net-SNMP calls back into the job). */
void mgr_snmp_job_read(mgr_snmp_job *j, netsnmp_large_fd_set *fdset);

/* A datagram that came to the job's pool socket: taken when it answers the outstanding
 * request (1), ignored otherwise (0: a late answer to an earlier request, a stranger). */
int mgr_snmp_job_input(mgr_snmp_job *j, u_char *data, size_t len);

/* After input or at time now: let Net-SNMP time the request out or re-send it, send the
 * next request of the sequence when the last one is answered. Returns 1 when the poll is over
 * (finish it), else 0. */
int mgr_snmp_job_check(mgr_snmp_job *j, double now, netsnmp_large_fd_set *fdset);

/* Fail the poll for its deadline. */
void mgr_snmp_job_deadline(mgr_snmp_job *j);

/* Refresh t_next from Net-SNMP's timer of the outstanding request. */
void mgr_snmp_job_timer(mgr_snmp_job *j, netsnmp_large_fd_set *fdset);

/* Close the session and complete j->r: the metrics and st's counters on success, the error,
 * host.up = 0 and a throttled log line on failure. st is the host's state (NULL when memory
 * is short). */
void mgr_snmp_job_finish(mgr_snmp_job *j, mgr_snmp_state *st);

#endif /* MGR_SNMP_JOB_H */
