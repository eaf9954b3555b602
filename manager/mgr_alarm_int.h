/* mgr_alarm_int.h: the threshold engine's internal structures, shared by its files
 * (mgr_alarm.c: tables, hosts, cycles; mgr_alarm_rule.c: rules; mgr_alarm_msg.c: transitions
 * and messages; mgr_alarm_file.c: the state file). */
#ifndef MGR_ALARM_INT_H
#define MGR_ALARM_INT_H

#include <stdint.h>

#include "mgr_alarm.h"

#define MGR_ALARM_HOST_UP "host.up"
#define MGR_ALARM_ID_LEN 16 /* hex digits of a 64-bit hash */

/* A rule as the engine keeps it: owned copies, texts always set, lists indexed by severity. */
typedef struct mgr_arule {
    char *key;  /* name, or metric + scope */
    char *name; /* NULL when the rule had none */
    char *metric;
    mgr_scope_kind scope;
    char *scope_value;
    char *text[3]; /* threshold text by severity (WARNING, CRITICAL); [0] unused */
    vs_range range[3];
    int has[3];
    unsigned for_samples; /* >= 1 */
    double hysteresis;
    double repeat;
    char **notify[3];
    size_t n_notify[3];
    int host_up; /* metric is host.up: boolean, hysteresis ignored */
    uint64_t key_hash;
    struct mgr_arule *next_same_metric;
    unsigned long cov_stamp; /* host call for which cov is known */
    int cov;                 /* the scope covers that call's host (for VM rules: may cover) */
} mgr_arule;

typedef struct mgr_astate mgr_astate;

/* A host the engine has heard of (or read from the state file). */
typedef struct mgr_ahost {
    char *name;
    int up;             /* last report (1 until told otherwise) */
    mgr_astate *states; /* this host's states, through next_host */
    struct mgr_ahost *next_bucket;
} mgr_ahost;

/* One (rule, resource) that is not plain OK: open, or counting samples towards a raise. */
struct mgr_astate {
    char *rule_key;
    char *resource;
    char *metric;
    char *threshold; /* text of the threshold of the current level (what a clear refers to) */
    uint64_t hash;   /* of rule_key and resource */
    mgr_arule *rule; /* NULL between loading and the first set_rules */
    mgr_ahost *host;
    vs_severity level, previous, pending;
    unsigned count; /* consecutive samples worse than level */
    char **notified;
    size_t n_notified;
    char alarm_id[MGR_ALARM_ID_LEN + 1]; /* "" while no episode is open */
    unsigned seq;                        /* messages sent in this episode */
    double episode_start, since, last_msg;
    unsigned repeat;
    double value;
    unsigned missed;
    unsigned long seen_stamp;
    mgr_astate *next_bucket;
    mgr_astate *prev_host, *next_host;
};

struct mgr_alarm {
    char *state_path;
    int dirty;
    unsigned gone_after;
    unsigned long stamp; /* counts host calls: marks states seen and rule scopes computed */
    mgr_arule *rules;
    size_t n_rules;
    mgr_arule **by_metric; /* open addressing, first rule of each metric */
    size_t by_metric_cap;
    mgr_astate **buckets;
    size_t n_buckets, n_states;
    mgr_ahost **hbuckets;
    size_t n_hbuckets, n_hosts;
};

/* FNV-1a over a string, continuing from h (start with MGR_FNV_INIT). */
#define MGR_FNV_INIT UINT64_C(14695981039346656037)
uint64_t mgr_alarm_fnv(uint64_t h, const char *s);

/* The state table's hash of a (rule key hash, resource hash) pair. */
uint64_t mgr_alarm_pair_hash(uint64_t key_hash, uint64_t res_hash);

/* Rules (mgr_alarm_rule.c). Copy and check rules[0..n) into *out (a new array); -1 with err. */
int mgr_arules_build(const mgr_alarm_rule *rules, size_t n, mgr_arule **out, char *err,
                     size_t errlen);
void mgr_arules_free(mgr_arule *rules, size_t n);
/* Build a->by_metric for a->rules; -1 when memory is short. */
int mgr_arules_index(mgr_alarm *a);
/* First rule on metric (then next_same_metric), or NULL. */
mgr_arule *mgr_arules_lookup(const mgr_alarm *a, const char *metric);

/* Tables (mgr_alarm.c). */
mgr_ahost *mgr_alarm_host_get(mgr_alarm *a, const char *name);
/* A new state in the tables (OK, count 0), or NULL when memory is short. */
mgr_astate *mgr_astate_add(mgr_alarm *a, const char *rule_key, const char *resource,
                           const char *metric, uint64_t hash, mgr_ahost *h);
void mgr_astate_remove(mgr_alarm *a, mgr_astate *s);

/* Transitions and messages (mgr_alarm_msg.c). */
/* Feed one sample v of s's rule at time now (s->rule set, v not NaN). */
void mgr_astate_sample(mgr_alarm *a, mgr_astate *s, double v, double now, mgr_alarm_emit_fn emit,
                       void *ctx);
/* The level a sample v would give from OK (no state needed to know it stays OK). */
vs_severity mgr_arule_level_from_ok(const mgr_arule *r, double v);
/* Send the repeat of s if one is due. */
void mgr_astate_repeat(mgr_alarm *a, mgr_astate *s, double now, mgr_alarm_emit_fn emit, void *ctx);
/* Close s without a sample (why: "gone", "rule removed", "host removed"): a clear to the
 * notified notifiers, if any. The caller removes s. */
void mgr_astate_close(mgr_astate *s, const char *why, double now, mgr_alarm_emit_fn emit,
                      void *ctx);

/* The state file (mgr_alarm_file.c). Load into a (no rules yet): 0, or -1 with err for a file
 * that exists but cannot be read; a corrupt one is logged and moved aside (0). */
int mgr_alarm_file_load(mgr_alarm *a, char *err, size_t errlen);
int mgr_alarm_file_save(mgr_alarm *a, char *err, size_t errlen);

#endif /* MGR_ALARM_INT_H */
