/* mgr_alarm: the manager's threshold engine. Samples go in per host per cycle; messages
 * (vs_msg) come out through a callback; the state of every open alarm survives restarts.
 *
 * Per (rule, resource) an alarm moves OK -> WARNING -> CRITICAL and back:
 *   - a worse level needs `for` consecutive samples each worse than the current level; the new
 *     level is the least severe among them (WARN, CRIT, CRIT with for=3 gives WARNING);
 *   - a better level is taken at once, but only once the value is back past the threshold by
 *     the hysteresis (vs_range_clear);
 *   - each change gives one message: OK->W/C "raised", C->W "raised" with previous CRITICAL,
 *     ->OK "cleared"; while WARNING/CRITICAL a repeat every `repeat` seconds (0 = never);
 *   - raises and repeats go to the rule's notifier list for their severity; the clear goes to
 *     every notifier that was sent something in the episode, and nowhere if none was.
 *
 * Hosts: the caller reports each host once per cycle, up (with its samples) or down.
 *   - host.up is a boolean metric (1 up, 0 down). A rule on it with no threshold means
 *     critical="1:" (alert below 1); explicit thresholds are honoured (warning="1:" makes a
 *     down host a warning). While down the engine feeds host.up = 0 (so `for` counts down
 *     cycles); while up it feeds the host.up sample the caller gave, else 1. Hysteresis is
 *     ignored for host.up (the value is 0 or 1).
 *   - While a host is down every other alarm of it (host, VMs, interfaces, file systems) is
 *     held: not evaluated, cleared, repeated or counted as missing; it resumes when the host is
 *     up again.
 *   - An alarm whose resource stops giving samples (a VM undefined, an interface gone, a metric
 *     that stopped) while its host is up is closed after `gone_after` polls of that host
 *     (default 3): notified alarms get a "cleared" message with value "gone", then the state is
 *     forgotten. A NaN sample counts as no sample.
 *
 * Every matching rule is its own alarm: two rules on vm.cpu.util, one for all VMs and one for
 * "db*", both fire for VM db1. A rule's state key is its name when it has one, else metric and
 * scope ("vm.cpu.util@all", "vm.cpu.util@group:seoul", "@host:hv1", "@vm:web*"), so changing a
 * threshold on reload keeps the open alarms.
 *
 * Persistence: mgr_alarm_save writes the state (only when something changed) to a JSON file,
 * atomically; mgr_alarm_new reads it back. After a restart an open alarm is neither sent again
 * nor forgotten: repeats continue on schedule, its clear carries the same alarm_id. Messages
 * are emitted before the state is saved, so a crash in between can repeat a message, never
 * lose one. A corrupt file is logged once, renamed to "<path>.corrupt", and the engine starts
 * empty.
 *
 * Not thread-safe: one thread (the manager's core) makes every call. Nothing here logs except
 * mgr_alarm_new on a corrupt state file. */
#ifndef MGR_ALARM_H
#define MGR_ALARM_H

#include <stddef.h>

#include "vs_msg.h"
#include "vs_range.h"

typedef enum {
    MGR_SCOPE_ALL = 0, /* every resource of every host */
    MGR_SCOPE_GROUP,   /* hosts whose group path is scope_value or below it ("seoul" covers
                          "seoul" and "seoul/lab", not "seoul2") */
    MGR_SCOPE_HOST,    /* every resource of the host named scope_value */
    MGR_SCOPE_VM       /* VMs whose name matches the fnmatch(3) pattern scope_value */
} mgr_scope_kind;

/* One threshold rule, as the config gives it. The engine copies what it keeps. */
typedef struct {
    const char *name;   /* optional (NULL): the state key and the message's rule field */
    const char *metric; /* "vm.cpu.util", "host.up", ... */
    mgr_scope_kind scope;
    const char *scope_value;  /* NULL for MGR_SCOPE_ALL */
    const char *warning_text; /* as configured, for messages; NULL = vs_range_format's */
    const char *critical_text;
    vs_range warning, critical;
    int has_warning, has_critical; /* at least one, except for host.up (see above) */
    unsigned for_samples;          /* consecutive samples before raising; 0 is taken as 1 */
    double hysteresis;             /* >= 0 */
    double repeat;                 /* seconds between repeats while bad; 0 = never */
    const char *const *notify_warning;
    size_t n_notify_warning;
    const char *const *notify_critical;
    size_t n_notify_critical;
} mgr_alarm_rule;

/* One sample of a host's poll. */
typedef struct {
    const char *resource; /* "lab/hv1", "lab/hv1/vm:web1", "lab/hv1/if:eth0", "lab/hv1/fs:/var" */
    const char *vm_name;  /* the VM's name for a VM's sample, else NULL */
    const char *metric;
    double value; /* NaN = no sample */
} mgr_alarm_sample;

/* Receives each message. m and its strings, and notifiers, live only during the call: copy
 * what is kept (vs_msg_dup). notifiers are the names of the notifiers to deliver to (n >= 1:
 * messages that would go nowhere are not emitted). */
typedef void (*mgr_alarm_emit_fn)(void *ctx, const vs_msg *m, const char *const *notifiers,
                                  size_t n);

/* An open alarm (or one about to open) for the status file and --once. Strings belong to the
 * engine and are valid until its next call. */
typedef struct {
    const char *rule; /* the rule's name or key */
    const char *host;
    const char *resource;
    const char *metric;
    const char *alarm_id; /* NULL while level is OK (a raise still pending `for`) */
    vs_severity level;
    vs_severity pending; /* the level the pending samples point to, OK if none */
    unsigned count;      /* consecutive pending samples */
    double since;        /* when the current level was entered */
    double value;        /* last sample (NaN if none since the restart) */
    int held;            /* its host is down */
    int notified;        /* some notifier was sent a message of this episode */
} mgr_alarm_view;

typedef struct mgr_alarm mgr_alarm;

/* Create an engine with no rules. state_path (NULL = no persistence) is read when it exists:
 * an unreadable file is an error (NULL, err), a corrupt one is logged and set aside. Rules come
 * with mgr_alarm_set_rules, which also settles loaded states whose rule is gone. */
mgr_alarm *mgr_alarm_new(const char *state_path, char *err, size_t errlen);

/* Replace the rule set (the first call, and on every reload). The rules are checked first:
 * on a bad rule (no threshold, an unknown scope, a duplicate key, a hysteresis that leaves no
 * value to clear to, a negative repeat) returns -1 with err naming the rule, and nothing
 * changes. Otherwise states are kept by key; states whose key is gone are closed: notified ones
 * get a "cleared" message with value "rule removed". Returns 0. */
int mgr_alarm_set_rules(mgr_alarm *a, const mgr_alarm_rule *rules, size_t n, double now,
                        mgr_alarm_emit_fn emit, void *ctx, char *err, size_t errlen);

/* Report one poll of host (group_path: "seoul/lab", or "" / NULL at top level): up with its
 * samples, or down (samples ignored). now is the wall-clock time of the poll. */
void mgr_alarm_host(mgr_alarm *a, const char *host, const char *group_path, int up,
                    const mgr_alarm_sample *s, size_t n, double now, mgr_alarm_emit_fn emit,
                    void *ctx);

/* Forget a host that left the configuration: its notified alarms get a "cleared" message with
 * value "host removed". */
void mgr_alarm_host_remove(mgr_alarm *a, const char *host, double now, mgr_alarm_emit_fn emit,
                           void *ctx);

/* Send the repeats that are due (of alarms not held). Call once per cycle, after the hosts. A
 * repeat is due when now >= last message (or level entry) + repeat - 0.5 s, the half second
 * absorbing scheduler jitter so a 300 s repeat with a 60 s cycle keeps to 300 s. */
void mgr_alarm_tick(mgr_alarm *a, double now, mgr_alarm_emit_fn emit, void *ctx);

/* Polls of an up host without a sample before an alarm is closed as gone (default 3, >= 1). */
void mgr_alarm_set_gone_after(mgr_alarm *a, unsigned polls);

/* Write the state file if anything changed since the last save: temporary file, fsync, rename,
 * fsync of the directory. 0 (also with no state path or nothing to do), or -1 with err; the
 * state stays dirty so the next call tries again. Does not log. */
int mgr_alarm_save(mgr_alarm *a, char *err, size_t errlen);

/* Whether a save is owed. */
int mgr_alarm_dirty(const mgr_alarm *a);

/* Fill out[0..max) with the states that are not plain OK, in no particular order; returns
 * how many there are (which may exceed max). */
size_t mgr_alarm_active(const mgr_alarm *a, mgr_alarm_view *out, size_t max);

/* Release everything (NULL is fine). Does not save. */
void mgr_alarm_free(mgr_alarm *a);

#endif /* MGR_ALARM_H */
