/* th_route: which routes a received trap takes. Routes come from the configuration (filled in by
 * its loader, which also resolves MIB names to numeric OIDs through th_mib) and are tried in
 * order; each may match on the trap OID, the source address and varbind values, and either
 * notifies (notifiers, log file) or drops. Dedupe windows and rate limits hold across the
 * short-lived processes snmptrapd starts, through a small state file updated under flock. */
#ifndef TH_ROUTE_H
#define TH_ROUTE_H

#include <stddef.h>

#include "th_input.h"
#include "vs_log.h"

/* Most entries the state file keeps (dedupe keys and rate-limit stamps together): past it, the
 * oldest are forgotten. 10,000 entries are 160 KiB on disk. */
#define TH_ROUTE_STATE_MAX_ENTRIES 10000
/* Largest rate_count: each routed trap within the period is one stamp in the state file. */
#define TH_ROUTE_RATE_MAX 1000

/* An IPv4 or IPv6 network: "192.0.2.0/24", "2001:db8::/32", or one address ("10.1.2.3" is
 * /32, "::1" is /128). */
typedef struct {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16]; /* network address, host bits cleared (4 bytes used for IPv4) */
    unsigned prefix;        /* 0-32 or 0-128 */
} th_cidr;

/* Parse text into *out. 0, or -1 for anything that is not an address with an optional /prefix
 * in range (host bits set are allowed and cleared: "192.0.2.9/24" is 192.0.2.0/24). Does not
 * log: the caller says where the text came from. */
int th_cidr_parse(const char *text, th_cidr *out);

/* Whether address text addr (as th_trap.src_addr holds it) lies in c. An IPv4-mapped IPv6
 * address (::ffff:192.0.2.1, what a dual-stack udp6 listener reports) is matched as IPv4;
 * otherwise the families must agree. NULL or unparsable addr: 0. */
int th_cidr_match(const th_cidr *c, const char *addr);

/* How a varbind condition tests a value. */
typedef enum {
    TH_VB_EQUALS = 0, /* the value's exact bytes equal `value` (see below) */
    TH_VB_CONTAINS,   /* `value` occurs in the value's bytes */
    TH_VB_LT,         /* the value is a number (below) less than `number` */
    TH_VB_LE,
    TH_VB_GT,
    TH_VB_GE,
    TH_VB_PRESENT, /* some varbind has the OID */
    TH_VB_ABSENT   /* no varbind has the OID */
} th_vb_op;

/* One varbind condition. A varbind is under `oid` when its numeric OID is oid itself or oid
 * followed by more arcs, so the OID of a column (vsVmName) covers every instance
 * (vsVmName.1.3) and an OID with an instance covers that one. The condition holds when some
 * varbind under oid passes the test (ABSENT: when none is under oid); varbinds whose OID could
 * not be made numeric never match.
 *
 * Values are compared as th_input decodes them, never as snmptrapd happened to print them, so
 * a rule reads the same under every snmptrapd formatting: strings are their raw bytes (hex
 * decoded), numbers decimal text, enumerations their number (the loader turns a label such as
 * "paused" into "8" with th_mib_enum_value), OIDs numeric. EQUALS and CONTAINS compare bytes,
 * case-sensitively. LT..GE need a value that is all a decimal integer (any type: a string "42"
 * counts) or decimal fraction; other values fail the test. */
typedef struct {
    char *oid; /* numeric, dotted, no leading dot */
    th_vb_op op;
    char *value; /* EQUALS, CONTAINS: the bytes (need not be NUL-terminated) */
    size_t value_len;
    long long number; /* LT, LE, GT, GE */
} th_vb_cond;

typedef enum {
    TH_ACT_NOTIFY = 0, /* hand the trap to the notifiers and the log file */
    TH_ACT_DROP        /* stop here: this route and every later one send nothing */
} th_route_action;

typedef struct {
    char *name; /* unique among the routes; in logs, msg->rule and the state file's keys */
    /* Trap OIDs: an exact numeric OID, or "PREFIX.*" for every OID below PREFIX (not PREFIX
     * itself), or "*". A pattern that is not numeric is compared exactly with th_trap.trap_name
     * (the trap OID as given when th_mib could not resolve it). None: any trap. */
    char **oids;
    size_t n_oids;
    th_cidr *sources; /* the trap's source address in any of these; none: any source */
    size_t n_sources;
    th_vb_cond *conds; /* every one must hold */
    size_t n_conds;
    th_route_action action;
    char **notify; /* notifier names, one spool per name */
    size_t n_notify;
    char *log_file; /* NULL, or a file that gets one line per trap this route fires for */
    /* Seconds: once this route fired for a (source address, trap OID), the same pair matching
     * again within this time of that is suppressed (not refreshed by suppressed ones). The
     * source is th_trap.src_addr, else the host line; the OID trap_oid, else trap_name. 0: off. */
    double dedupe;
    /* At most rate_count firings in any rate_period seconds (a sliding window), for the
     * route as a whole. Both 0: off. */
    unsigned rate_count;
    double rate_period;
    int cont; /* after this route matched, keep trying later ones (default: first match wins) */
} th_route;

/* Check routes as the loader filled them: names set and unique, OID patterns and condition
 * OIDs numeric, conditions complete, limits in range (rate_count <= TH_ROUTE_RATE_MAX, both or
 * neither of rate_count and rate_period), a notify route that sends somewhere. 0, or -1 with
 * a sentence naming the route in err. */
int th_route_check(const th_route *routes, size_t n, char *err, size_t errlen);

/* Whether trap t matches r's OID, source and varbind conditions (limits not considered). */
int th_route_matches(const th_route *r, const th_trap *t);

/* Free what r holds (strings, arrays) and zero it; th_routes_free frees n routes and the
 * array. NULL is fine. */
void th_route_clear(th_route *r);
void th_routes_free(th_route *routes, size_t n);

/* What became of one route that matched. */
typedef enum {
    TH_ROUTE_FIRE = 0,    /* send: to its notifiers and log file */
    TH_ROUTE_DROP,        /* a drop route: nothing from here on is sent */
    TH_ROUTE_DEDUPED,     /* suppressed: the same source and trap fired within `dedupe` */
    TH_ROUTE_RATE_LIMITED /* suppressed: rate_count firings in the last rate_period */
} th_route_outcome;

typedef struct {
    size_t route; /* index into the routes */
    th_route_outcome outcome;
} th_route_hit;

typedef struct {
    th_route_hit *hits; /* every route that matched, in order */
    size_t n_hits;
    size_t n_fired; /* hits with outcome FIRE */
    int limits_off; /* 1: the state file could not be used, so dedupe and rate limits were
                        not applied (logged); every matching route fired */
    size_t evicted; /* state entries forgotten because the file was full */
} th_route_plan;

/* Where the logs of th_route_decide go (the program passes its vs_log). */
typedef void (*th_route_log_fn)(void *ctx, vs_log_level level, const char *line);

typedef struct {
    const char *path;    /* the state file (STATE/traphandle.state); NULL (or st NULL): no limits */
    double lock_timeout; /* seconds to wait for the lock; 0: 2 s */
    size_t max_entries;  /* 0: TH_ROUTE_STATE_MAX_ENTRIES */
    th_route_log_fn log; /* NULL: not logged */
    void *log_ctx;
} th_route_state_opts;

/* Decide what happens to trap t at wall time now (seconds since the epoch). Routes are tried
 * in order; a match is recorded in the plan and ends the search unless the route has cont; a
 * drop route ends it always (routes that fired before it still fire). A matched route that is
 * suppressed by dedupe or its rate limit still counts as the match (a later catch-all does not
 * get what a limit held back). Limits live in the state file st->path, read and rewritten
 * under an exclusive flock only when a matched route has a limit: a missing file starts empty;
 * a corrupt one starts empty with one line in the log; when the file cannot be used at all
 * (directory missing, no permission, lock not had within the timeout) limits are not applied
 * and every match fires (a line is logged; nothing is lost). Entries older than the longest
 * window of any route, or more than a minute in the future (the clock was set back), are
 * forgotten. Returns 0 and *plan (free with th_route_plan_free), or -1 when memory is short. */
int th_route_decide(const th_route *routes, size_t n, const th_trap *t, double now,
                    const th_route_state_opts *st, th_route_plan *plan);

void th_route_plan_free(th_route_plan *plan);

/* "fire", "drop", "dedupe", "rate". */
const char *th_route_outcome_name(th_route_outcome o);

#endif /* TH_ROUTE_H */
