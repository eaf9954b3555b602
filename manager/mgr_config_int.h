/* mgr_config_int: what the parts of the manager's configuration module share beyond lib/vs_conf.h
 * (the options tables, problem reports, XML loader and secret files every program uses): the
 * alerting part's entry points. Not for other modules. */
#ifndef MGR_CONFIG_INT_H
#define MGR_CONFIG_INT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "vs_conf.h"

/* The alerting part (mgr_config_alert.c): its elements (<notifiers>, <trap>, <email>, <slack>,
 * <rules>, <threshold>), for the validator's messages. */
extern const vs_conf_elem *const mgr_config_alert_elems[];
extern const size_t mgr_config_alert_n_elems;

struct mgr_config;

/* Read <notifiers> (the spool's back-off and each notifier, secrets included) into cfg. */
void mgr_config_notifiers_read(vs_conf_ctx *ctx, struct mgr_config *cfg, xmlNode *node);

/* The spool's back-off when there is no <notifiers>. */
void mgr_config_spool_defaults(struct mgr_config *cfg);

/* Read <rules> into cfg. */
void mgr_config_rules_read(vs_conf_ctx *ctx, struct mgr_config *cfg, xmlNode *node);

/* Checks across elements: notifier names unique, every name a threshold gives defined,
 * threshold names unique. */
void mgr_config_alert_check(vs_conf_ctx *ctx, const struct mgr_config *cfg);

/* Free the notifiers and rules of cfg (secrets wiped). */
void mgr_config_alert_free(struct mgr_config *cfg);

#endif /* MGR_CONFIG_INT_H */
