/* mgr_config: the manager's XML configuration, validated against the RELAX NG schema and
 * turned into one immutable struct. Only this module touches libxml2. */
#ifndef MGR_CONFIG_H
#define MGR_CONFIG_H

#include <stddef.h>

#include "vs_buf.h"
#include "vs_conf_notify.h"

typedef enum { MGR_SNMP_V1 = 1, MGR_SNMP_V2C = 2, MGR_SNMP_V3 = 3 } mgr_snmp_version;

/* How to reach one host over SNMP. */
typedef struct {
    char *address; /* Net-SNMP peer name, e.g. "udp:192.0.2.1:161" (default port 161) */
    mgr_snmp_version version;
    char *community;     /* v1/v2c: read from community-file; NULL for v3 */
    char *user;          /* v3 security name */
    char *auth_proto;    /* v3: "SHA-256", "SHA-384" or "SHA-512" (the schema allows no weaker) */
    char *priv_proto;    /* v3: "AES" (AES-128), "AES-192" or "AES-256" */
    char *auth_pass;     /* v3: from secret-file; never logged */
    char *priv_pass;     /* v3: from secret-file; never logged */
    char *context;       /* v3 context name, or NULL */
    int timeout_ms;      /* per request (default 1000) */
    int retries;         /* per request (default 1) */
    int max_repetitions; /* GETBULK max-repetitions (default 25) */
    int bulk;            /* 1: GETBULK for tables (v2c/v3); 0: GETNEXT only (bulk="no") */
} mgr_snmp_src;

/* How to reach one hypervisor over libvirt. */
typedef struct {
    char *uri;              /* as given; may hold credentials: log mgr_config_uri_safe() */
    char *uri_safe;         /* the URI with any password removed, for logs and output */
    int timeout_ms;         /* watchdog: longest a poll may take (default 10000) */
    int keepalive_interval; /* seconds (default 5) */
    int keepalive_count;    /* (default 3) */
} mgr_libvirt_src;

typedef struct {
    char *name;               /* unique in the file; [A-Za-z0-9._-], used in paths */
    char *group_path;         /* "seoul/dc1" for nested groups; "" at top level */
    int line;                 /* where it was defined, for messages */
    mgr_snmp_src *snmp;       /* NULL if none */
    mgr_libvirt_src *libvirt; /* NULL if none; at least one of the two is set */
    double deadline_s; /* overall limit for one cycle's poll of this host (default: interval/2) */
} mgr_host_cfg;

/* A notifier: where alarm messages go (the <notifiers> element all virtsight programs share, read
 * by lib/vs_conf_notify.c). Secrets come from files and are wiped when freed. */
typedef vs_notify_kind mgr_notify_kind;
#define MGR_NOTIFY_TRAP VS_NOTIFY_TRAP
#define MGR_NOTIFY_EMAIL VS_NOTIFY_EMAIL
#define MGR_NOTIFY_SLACK VS_NOTIFY_SLACK

typedef vs_notify_cfg mgr_notify_cfg;

/* What a threshold applies to. */
typedef enum { MGR_RULE_ALL = 0, MGR_RULE_GROUP, MGR_RULE_HOST, MGR_RULE_VM } mgr_rule_scope;

typedef struct {
    char *name;   /* as given, or NULL */
    char *metric; /* "vm.cpu.util", "host.up"... */
    mgr_rule_scope scope;
    char *scope_value; /* group path, host name or VM name pattern; NULL for all */
    char *warning;     /* Nagios range text, or NULL */
    char *critical;
    double hysteresis;
    int for_samples; /* consecutive samples beyond a threshold before it is raised (1) */
    int repeat;      /* seconds between repeats while still bad; 0: never */
    char **notify_warning;
    size_t n_notify_warning;
    char **notify_critical;
    size_t n_notify_critical;
    int line;
} mgr_rule_cfg;

typedef struct mgr_config {
    char *file;          /* the path it was loaded from */
    int interval;        /* seconds between cycles (default 60) */
    double spread;       /* seconds over which a cycle's polls are spread (default interval/4) */
    char *state_dir;     /* default /var/lib/virtsight */
    char *rrd_dir;       /* default <state-dir>/rrd */
    char *status_file;   /* default <state-dir>/status.json */
    char *pid_file;      /* default /run/virtsight-manager.pid */
    int max_inflight;    /* SNMP requests outstanding at once, all hosts (default 100) */
    int libvirt_workers; /* threads polling hypervisors (default 4) */
    char *rrdcached;     /* rrdcached address ("unix:/path" or "host:port"), or NULL: direct */
    int rrdcached_retry; /* seconds pending updates are kept while rrdcached is away (300) */
    mgr_host_cfg *hosts; /* in file order */
    size_t n_hosts;
    mgr_notify_cfg *notifiers; /* in file order */
    size_t n_notifiers;
    double retry_min;    /* the spool's back-off: first retry after (1 s), */
    double retry_max;    /* doubling up to (300 s), */
    int max_age;         /* until a message is this old (86400 s): then the dead letters */
    mgr_rule_cfg *rules; /* in file order */
    size_t n_rules;
} mgr_config;

/* Load and validate path. On success returns 0 and *out (free with mgr_config_free). On
 * failure returns -1 and appends one line per problem to errors, each "file:line: message"
 * (the secret files named where their content is wrong). Does not log. */
int mgr_config_load(const char *path, mgr_config **out, vs_buf *errors);

/* Free a config; accepts NULL. Secrets are wiped before their memory is released. */
void mgr_config_free(mgr_config *cfg);

/* The host named name, or NULL. */
const mgr_host_cfg *mgr_config_host(const mgr_config *cfg, const char *name);

/* A copy of a libvirt URI fit for logs and output: a password in the userinfo is dropped
 * ("user:pass@host" becomes "user@host") and so is every query parameter whose name contains
 * "pass" (any case). Returns a new string (caller frees), or NULL when memory is short. */
char *mgr_config_uri_safe(const char *uri);

#endif /* MGR_CONFIG_H */
