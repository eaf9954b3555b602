/* mgr_group: the group.* metrics, a group's aggregate of a host.* or vm.* metric over the hosts
 * of the group and of every group inside it, computed once per cycle for the threshold engine.
 *
 * A name is "group.<metric>.<fn>": <metric> any metric of mgr_metric_defs (host, VM, interface,
 * file system), <fn> "sum", "avg" or "max". Over the hosts of the group that answered this
 * cycle, the known (non-NaN) values of every resource of the metric's kind are combined: the
 * host itself for host.*, each VM of those hosts for vm.*, each interface for host.net.*, each
 * file system for host.disk.used.pct. avg is sum / number of known values; with no known value
 * the aggregate is NaN (the engine's "no sample"). host.up is the one metric that counts the
 * hosts that did not answer too, as 0: group.host.up.sum is the hosts up, .avg their share.
 *
 * Every level of a path is a group: a host in "seoul/lab" counts in "seoul/lab", "seoul" and
 * the top level "" (all hosts). The engine sees each group as a host of its own, always up,
 * named "group:<path>" ("group:(all)" for the top level; configured host names cannot hold
 * ':'), in group path <path>, with one resource named <path> ("(all)" for the top level), so
 * that a threshold's group= scope covers the group and the groups inside it.
 *
 * Cost: nothing unless some threshold watches a group.* metric; then, per host, one lookup of
 * its group and, per resource, one update per watched metric of its kind per level of the
 * path. Not thread-safe: the manager's core thread makes every call. Does not log. */
#ifndef MGR_GROUP_H
#define MGR_GROUP_H

#include <stddef.h>

#include "mgr_metric.h"

#define MGR_GROUP_PREFIX "group."      /* of the metrics' names */
#define MGR_GROUP_HOST_PREFIX "group:" /* of the engine host names of groups */
#define MGR_GROUP_TOP "(all)"          /* the top level's resource name */

typedef enum { MGR_GROUP_SUM = 0, MGR_GROUP_AVG, MGR_GROUP_MAX } mgr_group_fn;

/* Parse a group.* name. 0 with *kind, *index (in mgr_metric_defs(*kind)) and *fn set; -1 with
 * why (a sentence fragment naming the wrong part) when name is not a valid group.* metric. */
int mgr_group_metric_parse(const char *name, mgr_res_kind *kind, size_t *index, mgr_group_fn *fn,
                           char *why, size_t whylen);

typedef struct mgr_group mgr_group;

/* A table for the valid group.* names among metrics[0..n_metrics) (other names are ignored),
 * over the groups of paths[0..n_paths) (the hosts' group paths; repeats are fine) and every
 * group above them, the top level included. With no group.* name the table has no group and
 * every call below does nothing. NULL when memory is short. */
mgr_group *mgr_group_new(const char *const *metrics, size_t n_metrics, const char *const *paths,
                         size_t n_paths);

/* The groups of the table: their number, and the i-th one's path and engine host name. */
size_t mgr_group_count(const mgr_group *g);
const char *mgr_group_path(const mgr_group *g, size_t i);
const char *mgr_group_host(const mgr_group *g, size_t i);

/* Whether the table has a group whose engine host name is host. */
int mgr_group_has_host(const mgr_group *g, const char *host);

/* Add one host's merged result of this cycle to its group (group_path, "" at top level) and
 * every group above it. The host is down when r->ok is 0 or its host.up is not 1: it adds
 * host.up = 0 and nothing else. A path the table does not know is ignored. */
void mgr_group_add(mgr_group *g, const char *group_path, const mgr_result *r);

/* Receives one group's aggregates: its engine host name and path (as mgr_alarm_host wants
 * them), its resource name, and values[i] of metrics[i] for each watched group.* metric (NaN
 * when unknown), n of them. Everything lives only during the call. (No mgr_alarm_sample here:
 * the configuration reader includes this header and has no json-c.) */
typedef void (*mgr_group_emit_fn)(void *ctx, const char *host, const char *path,
                                  const char *resource, const char *const *metrics,
                                  const double *values, size_t n);

/* The cycle is over: emit the aggregates of each group some host of which was added since the
 * last call, then start the next cycle empty. */
void mgr_group_end(mgr_group *g, mgr_group_emit_fn emit, void *ctx);

/* Free (NULL is fine). */
void mgr_group_free(mgr_group *g);

#endif /* MGR_GROUP_H */
