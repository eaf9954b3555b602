/* th_config: virtsight-traphandle's configuration file: the root's settings, the shared
 * <notifiers> and the <routes> (MIB names resolved to numeric OIDs and enumeration labels to
 * numbers through th_mib), read once, strictly, into one immutable struct. Every problem is a
 * "file:line: message" line. See virtsight-traphandle(8). */
#ifndef TH_CONFIG_H
#define TH_CONFIG_H

#include <stddef.h>

#include "th_route.h"
#include "vs_buf.h"
#include "vs_conf_notify.h"
#include "vs_log.h"

/* Most routes a configuration may hold (each trap is tried against them in order). */
#define TH_CONFIG_MAX_ROUTES 1000
/* Longest dedupe window and rate period, in seconds (the state file keeps entries that long). */
#define TH_CONFIG_MAX_WINDOW (7 * 86400)

typedef struct {
    char *file;           /* the path loaded, as given */
    char *state_dir;      /* state-dir: spool, dead letters, limit state, runner's PID file */
    char *pid_file;       /* pid-file: the spool runner's (default STATE/spool-runner.pid) */
    char *spool_dir;      /* STATE/spool */
    char *dead_dir;       /* STATE/dead */
    char *state_file;     /* STATE/traphandle.state (dedupe and rate limits) */
    unsigned input_flags; /* th_trap_parse flags: TH_INPUT_HEX for input="numeric" */
    vs_log_level log_level;
    vs_notify_spool spool; /* <notifiers retry-min retry-max max-age> */
    vs_notify_cfg *notifiers;
    size_t n_notifiers;
    /* <route> elements in file order, then the route of <default> if there is one
     * (default_route set): a catch-all without conditions, so it takes every trap the routes
     * before it did not stop at (no match, or only matches with continue="yes"). */
    th_route *routes;
    size_t n_routes;
    int *route_lines;  /* the line of each route's element */
    int default_route; /* 1: routes[n_routes - 1] is <default> */
} th_config;

/* Load path: parse, validate against the embedded schema, read every value, resolve names and
 * check the routes. Returns 0 and *out (free with th_config_free), or -1 with one
 * "file:line: message" line per problem appended to errors. Logs nothing. */
int th_config_load(const char *path, th_config **out, vs_buf *errors);

/* Free everything (secrets wiped); NULL is fine. */
void th_config_free(th_config *cfg);

/* The number of <route> elements (routes without <default>). */
size_t th_config_n_main_routes(const th_config *cfg);

/* Whether some notifier is an SNMP <trap> (the runner then sets Net-SNMP up). */
int th_config_has_trap_notifier(const th_config *cfg);

/* The schema compiled into the program (trap-handlers/virtsight-traphandle.rng). */
extern const char th_schema_rng[];
extern const size_t th_schema_rng_len;

#endif /* TH_CONFIG_H */
