/* mgr_snmp_int: internals shared by the SNMP poller's files: what one poll collects (scalars
 * and table rows), the walk engine's column cursors, the per-host state kept across polls, and
 * the pure helpers the unit test calls. Not for use outside manager/mgr_snmp*.c and tests. */
#ifndef MGR_SNMP_INT_H
#define MGR_SNMP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "mgr_config.h"
#include "mgr_metric.h"
#include "mgr_rate.h"
#include "vs_arena.h"
#include "vs_log.h"

#define MGR_SNMP_IDX_MAX 8            /* longest row index kept (sub-identifiers) */
#define MGR_SNMP_ROWS_MAX 100000      /* rows kept per table and poll */
#define MGR_SNMP_VARBINDS_MAX 1000000 /* values read per host and poll */
#define MGR_SNMP_SLOTS_MAX 11         /* columns of the widest table below */
#define MGR_SNMP_COLS_MAX 20          /* columns of the longest walk (the host walk has 18) */

/* The scalars of the first request, in the order they are asked for. */
enum {
    MGR_SNMP_S_UPTIME = 0, /* sysUpTime.0, TimeTicks */
    MGR_SNMP_S_USERS,      /* hrSystemNumUsers.0 */
    MGR_SNMP_S_PROCESSES,  /* hrSystemProcesses.0 */
    MGR_SNMP_S_MEM_TOTAL,  /* memTotalReal.0, kB */
    MGR_SNMP_S_MEM_AVAIL,  /* memAvailReal.0, kB */
    MGR_SNMP_S_MEM_BUFFER, /* memBuffer.0, kB */
    MGR_SNMP_S_MEM_CACHED, /* memCached.0, kB */
    MGR_SNMP_S_SWAP_TOTAL, /* memTotalSwap.0, kB */
    MGR_SNMP_S_SWAP_AVAIL, /* memAvailSwap.0, kB */
    MGR_SNMP_S_LOAD,       /* laLoadInt.1, hundredths */
    MGR_SNMP_S__COUNT
};

/* The tables a poll reads. */
typedef enum {
    MGR_SNMP_T_HV = 0, /* VIRTSIGHT-MIB vsHvTable */
    MGR_SNMP_T_PROC,   /* HOST-RESOURCES-MIB hrProcessorTable */
    MGR_SNMP_T_STOR,   /* HOST-RESOURCES-MIB hrStorageTable */
    MGR_SNMP_T_IF,     /* IF-MIB ifTable and ifXTable (one row per ifIndex) */
    MGR_SNMP_T_VM,     /* VIRTSIGHT-MIB vsVmTable */
    MGR_SNMP_T__COUNT
} mgr_snmp_table_id;

/* Value slots of each table's rows. */
enum { MGR_SNMP_HV_NAME = 0, MGR_SNMP_HV_VM_COUNT, MGR_SNMP_HV_VM_RUNNING };
enum { MGR_SNMP_PROC_LOAD = 0 };
enum {
    MGR_SNMP_ST_TYPE = 0,
    MGR_SNMP_ST_DESCR,
    MGR_SNMP_ST_UNITS,
    MGR_SNMP_ST_SIZE,
    MGR_SNMP_ST_USED
};
enum {
    MGR_SNMP_IF_DESCR = 0,
    MGR_SNMP_IF_SPEED,
    MGR_SNMP_IF_IN_OCTETS,
    MGR_SNMP_IF_IN_ERRORS,
    MGR_SNMP_IF_OUT_OCTETS,
    MGR_SNMP_IF_OUT_ERRORS,
    MGR_SNMP_IF_NAME,
    MGR_SNMP_IF_HC_IN,
    MGR_SNMP_IF_HC_OUT,
    MGR_SNMP_IF_HIGH_SPEED,
    MGR_SNMP_IF_DISC_TIME
};
enum {
    MGR_SNMP_VM_NAME = 0,
    MGR_SNMP_VM_UUID,
    MGR_SNMP_VM_OPER_STATE,
    MGR_SNMP_VM_VCPUS,
    MGR_SNMP_VM_MEM_TARGET,
    MGR_SNMP_VM_MEM_USED,
    MGR_SNMP_VM_CPU_TIME,
    MGR_SNMP_VM_CPU_UTIL
};

/* hrStorageType, classified when it is read. */
enum { MGR_SNMP_STOR_OTHER = 0, MGR_SNMP_STOR_RAM, MGR_SNMP_STOR_VIRTUAL, MGR_SNMP_STOR_DISK };

/* How a column's values are kept. */
typedef enum {
    MGR_SNMP_K_NUM = 0, /* INTEGER (as int64 bits), Counter32/64, Gauge32, TimeTicks */
    MGR_SNMP_K_TEXT,    /* OCTET STRING shown as text: control bytes become '?' */
    MGR_SNMP_K_BYTES,   /* OCTET STRING kept as it is (a UUID) */
    MGR_SNMP_K_STORTYPE /* OBJECT IDENTIFIER: hrStorageType, kept as MGR_SNMP_STOR_* */
} mgr_snmp_kind;

/* One column the poller walks. */
typedef struct {
    const oid *base;
    size_t base_len;
    mgr_snmp_table_id table;
    unsigned slot;
    mgr_snmp_kind kind;
    const char *name; /* for log lines */
} mgr_snmp_col;

/* The walks of a poll: the host walk (vsHvName, which doubles as the probe for the subagent,
 * then the standard tables) and, when the probe found rows, the VM walk (the hypervisors' VM
 * counts and vsVmTable). */
typedef enum { MGR_SNMP_WALK_HOST = 0, MGR_SNMP_WALK_VM } mgr_snmp_walk_id;

/* The columns of a walk; *n receives how many. */
const mgr_snmp_col *mgr_snmp_walk_cols(mgr_snmp_walk_id id, size_t *n);

/* The OID of scalar i (MGR_SNMP_S_*); *len receives its length. */
const oid *mgr_snmp_scalar_oid(unsigned i, size_t *len);

/* One value: a number, or a string in the poll's arena. */
typedef struct {
    uint64_t u;
    const char *s; /* NUL-terminated; NULL for numbers */
    uint32_t len;
} mgr_snmp_val;

/* One table row. */
typedef struct {
    oid idx[MGR_SNMP_IDX_MAX];
    uint8_t nidx;
    uint16_t have; /* one bit per slot that has a value */
    mgr_snmp_val v[MGR_SNMP_SLOTS_MAX];
} mgr_snmp_row;

typedef struct {
    mgr_snmp_row *rows; /* sorted by index */
    size_t n;
    size_t cap;
    int capped; /* MGR_SNMP_ROWS_MAX was reached */
} mgr_snmp_table;

/* Everything one poll collects. */
typedef struct {
    vs_arena arena; /* strings */
    mgr_snmp_table t[MGR_SNMP_T__COUNT];
    uint64_t sv[MGR_SNMP_S__COUNT]; /* scalar values (INTEGER as int64 bits) */
    uint32_t shave;                 /* one bit per scalar that has a value */
    unsigned long varbinds;         /* values read, against MGR_SNMP_VARBINDS_MAX */
    double t_sample; /* monotonic time of the first answer: when every counter was read */
} mgr_snmp_data;

void mgr_snmp_data_init(mgr_snmp_data *d);
void mgr_snmp_data_free(mgr_snmp_data *d);

/* Keep the value of var for column c under index idx (idx_len sub-identifiers). Returns 0, or
 * -1 when the row cannot be kept (table full, memory short); the value of a wrong type is
 * ignored (0). */
int mgr_snmp_data_put(mgr_snmp_data *d, const mgr_snmp_col *c, const oid *idx, size_t idx_len,
                      const netsnmp_variable_list *var);

/* The row of table id with index idx, or NULL. */
const mgr_snmp_row *mgr_snmp_data_row(const mgr_snmp_data *d, mgr_snmp_table_id id, const oid *idx,
                                      size_t idx_len);

/* A number from a varbind of a numeric type into *out: 0, or -1 for another type. */
int mgr_snmp_var_number(const netsnmp_variable_list *var, uint64_t *out);

/* --------------------------------------------------------------- the walk engine */

/* One column's progress: it continues after base + idx. */
typedef struct {
    const mgr_snmp_col *col;
    oid idx[MGR_SNMP_IDX_MAX];
    uint8_t nidx;
    uint8_t done;
} mgr_snmp_cursor;

/* A walk of several columns side by side, like snmptable: each request carries one varbind
 * per unfinished column (GETNEXT) or repeats them (GETBULK). A GETBULK walk's first request
 * may also carry the scalars, as non-repeaters, which saves the host a round trip. */
typedef struct {
    mgr_snmp_cursor cur[MGR_SNMP_COLS_MAX];
    size_t ncols;
    unsigned sent[MGR_SNMP_COLS_MAX]; /* columns of the outstanding request, in order */
    size_t nsent;
    int bulk;            /* GETBULK (else GETNEXT) */
    long max_rep;        /* GETBULK max-repetitions */
    long next_rep;       /* ... of the next request (from first_rep, doubling up to max_rep) */
    size_t col_cap;      /* most columns per request (halved on tooBig) */
    uint32_t scalars;    /* scalars still to ask for as non-repeaters (first request only) */
    size_t nonrep;       /* non-repeaters in the outstanding request */
    int saw_rows;        /* some column returned a value */
    int loop;            /* a column returned OIDs that did not increase */
    const char *stopped; /* a column dropped for an agent error or the row cap (log) */
} mgr_snmp_walk;

/* How to walk. */
typedef struct {
    mgr_snmp_walk_id id;
    int bulk;         /* GETBULK, else GETNEXT */
    long max_rep;     /* GETBULK max-repetitions */
    long first_rep;   /* the first request's (fewer when the tables are known to be short) */
    uint32_t scalars; /* scalars to carry in the first GETBULK (ignored for GETNEXT) */
} mgr_snmp_walk_opts;

/* What a response to a walk request means. */
typedef enum {
    MGR_SNMP_WALK_MORE = 0, /* values kept; ask again (or the walk is complete) */
    MGR_SNMP_WALK_BAD_BULK, /* this GETBULK answer is unusable: walk with GETNEXT */
    MGR_SNMP_WALK_FAIL      /* the walk cannot go on (message in *why) */
} mgr_snmp_walk_verdict;

/* Start a walk. */
void mgr_snmp_walk_start(mgr_snmp_walk *w, const mgr_snmp_walk_opts *o);

/* Whether every column is finished. */
int mgr_snmp_walk_complete(const mgr_snmp_walk *w);

/* The next request of the walk (the caller sends or frees it), or NULL when memory is
 * short. Must not be called on a complete walk. */
netsnmp_pdu *mgr_snmp_walk_request(mgr_snmp_walk *w);

/* Take the response to the last request: values (and scalars it carried) go into d. After
 * MGR_SNMP_WALK_BAD_BULK, w->scalars still names the scalars not read. */
mgr_snmp_walk_verdict mgr_snmp_walk_response(mgr_snmp_walk *w, const netsnmp_pdu *pdu,
                                             mgr_snmp_data *d, const char **why);

/* The request for the scalars whose bits are set in want (a GET). NULL when memory is short. */
netsnmp_pdu *mgr_snmp_scalars_request(uint32_t want);

/* Take the response to the scalar GET made for *want. Returns 0 when done, 1 when the agent
 * refused one varbind (error-index; v1's noSuchName): it is removed from *want and the GET
 * must be made again if *want is not empty. */
int mgr_snmp_scalars_response(const netsnmp_pdu *pdu, uint32_t *want, mgr_snmp_data *d);

/* --------------------------------------------------------------- state kept per host */

/* Counters of one interface, by its resource id. */
typedef struct {
    char *id;
    mgr_counter hc_in, hc_out, in, out, in_err, out_err;
    unsigned gen; /* poll generation that last saw it */
} mgr_snmp_ifstate;

/* Polls in a row whose GETBULK goes unanswered, while GETNEXT is, before GETNEXT sticks. */
#define MGR_SNMP_BULK_SILENT_POLLS 3

typedef struct mgr_snmp_state {
    struct mgr_snmp_state *next; /* hash chain */
    uint32_t hash;
    char *name;
    unsigned gen;    /* polls whose results were filled in so far */
    unsigned mark;   /* for mgr_snmp_states_retain */
    int nobulk;      /* sticky: the agent mishandles GETBULK */
    int bulk_silent; /* polls in a row whose GETBULK went unanswered (GETNEXT was) */
    int get_first;   /* the last GETBULK with the scalars went unanswered: GET them first */
    size_t rows[2];  /* the longest table of each walk (MGR_SNMP_WALK_*) at the last poll */
    int logged;      /* MGR_SNMP_LOGGED_* bits: one-time notes already logged */
    int have_uptime;
    uint32_t uptime; /* sysUpTime at the last successful poll */
    uint64_t boots;  /* agent restarts seen (sysUpTime going back) */
    vs_complaint fail;
    unsigned char engine[SNMP_MAX_ENG_SIZE]; /* SNMPv3 engine ID found by discovery */
    size_t engine_len;
    /* The session of the last successful poll (SNMPv3, transports other than UDP), kept for
     * the next one (a socket, its bind and Net-SNMP's set-up cost more than the poll itself);
     * NULL when none is kept. */
    void *sess;
    int sess_fd;
    uint64_t sess_key; /* what the session was opened with (mgr_snmp_job's source_key) */
    /* The agent's address as last resolved for the UDP pool (peer_len 0: none), kept while
     * polls succeed, like a session: a name is looked up again after a failure. */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    uint64_t peer_key;
    mgr_snmp_ifstate *ifs; /* sorted by id */
    size_t n_ifs;
    size_t cap_ifs;
} mgr_snmp_state;

#define MGR_SNMP_LOGGED_BULK 1
#define MGR_SNMP_LOGGED_LOOP 2
#define MGR_SNMP_LOGGED_STOP 4

/* A pass phrase turned into a key (Ku) for one authentication protocol: a megabyte of
 * hashing, done once for all the hosts that share the pass phrase. */
typedef struct mgr_snmp_ku {
    struct mgr_snmp_ku *next;
    const oid *proto;
    char *pass; /* wiped when freed */
    unsigned char ku[USM_AUTH_KU_LEN];
    size_t len;
} mgr_snmp_ku;

typedef struct {
    mgr_snmp_state **b;
    size_t nb; /* a power of two */
    size_t n;
    mgr_snmp_ku *keys; /* most recently derived first */
    size_t n_keys;
    size_t n_sess;   /* sessions kept in states */
    size_t max_sess; /* how many may be kept (file descriptors allow) */
} mgr_snmp_states;

void mgr_snmp_states_init(mgr_snmp_states *m);
void mgr_snmp_states_free(mgr_snmp_states *m);

/* The state of host name, created when create is set (NULL when memory is short). */
mgr_snmp_state *mgr_snmp_states_get(mgr_snmp_states *m, const char *name, int create);

/* Keep sess (opened with key) in st for the next poll, if the budget of descriptors allows;
 * otherwise close it. */
void mgr_snmp_states_keep_sess(mgr_snmp_states *m, mgr_snmp_state *st, void *sess, int fd,
                               uint64_t key);

/* Take st's kept session if it was opened with key (NULL otherwise; a session opened with
 * another key is closed). *fd gets its socket. */
void *mgr_snmp_states_take_sess(mgr_snmp_states *m, mgr_snmp_state *st, uint64_t key, int *fd);

/* Drop the state of hosts cfg does not name. */
void mgr_snmp_states_retain(mgr_snmp_states *m, const mgr_config *cfg);

/* The counters of interface id (created with gen 0; NULL when memory is short). */
mgr_snmp_ifstate *mgr_snmp_state_if(mgr_snmp_state *st, const char *id);

/* Forget interfaces whose gen is not the state's. */
void mgr_snmp_state_if_prune(mgr_snmp_state *st);

/* Overwrite memory that held secrets, in a way the compiler keeps. */
void mgr_snmp_wipe(void *p, size_t n);

/* The Ku of pass phrase pass for authentication protocol proto (proto_len sub-identifiers,
 * compared by address), derived on first use and kept (at most MGR_SNMP_KEYS_MAX). NULL when
 * the pass phrase is refused (shorter than 8 characters) or memory is short. */
const mgr_snmp_ku *mgr_snmp_states_ku(mgr_snmp_states *m, const oid *proto, size_t proto_len,
                                      const char *pass);

#define MGR_SNMP_KEYS_MAX 64

/* --------------------------------------------------------------- results */

/* 8-4-4-4-12 lowercase hex of a 16-octet UUID into out (37 bytes); -1 for another length. */
int mgr_snmp_uuid_format(const unsigned char *b, size_t len, char out[37]);

/* Fill r (whose host resource exists) from d: host metrics, file systems, interfaces (rates
 * with st's counters) and VMs. Returns 0, or -1 when memory is short. */
int mgr_snmp_fill_result(const mgr_snmp_data *d, mgr_snmp_state *st, mgr_result *r);

#endif /* MGR_SNMP_INT_H */
