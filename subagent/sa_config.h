/* sa_config: the subagent's configuration directives, read by Net-SNMP's configuration reader
 * (so -H lists them and snmpd.conf habits carry over) into one immutable struct. */
#ifndef SA_CONFIG_H
#define SA_CONFIG_H

#include <stddef.h>

#include "sa_hv.h"

#define SA_CONFIG_MAX_HV 64

typedef struct {
    sa_hv_conf hv[SA_CONFIG_MAX_HV]; /* in configuration order; names and URIs owned */
    int hv_has_index[SA_CONFIG_MAX_HV];
    size_t n_hv;
    unsigned refresh_interval; /* refreshInterval, seconds (default 5) */
    int power_control;         /* powerControl yes|no (default no) */
    char *state_dir;           /* stateDir (default /var/lib/virtsight) */
    unsigned hold_down;        /* notifyHoldDown, seconds (default 5) */
    int lifecycle_events;      /* lifecycleEvents yes|no (default yes) */
} sa_config;

/* Set the defaults and register every directive with Net-SNMP's reader, which fills cfg when
 * init_snmp reads the configuration files. A bad value is reported with config_perror. */
void sa_config_register(sa_config *cfg);

/* After the files are read: give each hypervisor without an explicit index its position, and
 * check what only the whole file can show (duplicate indexes, no hypervisor at all). Reports
 * each problem on stderr naming source (the configuration file) and returns -1 if any. */
int sa_config_finish(sa_config *cfg, const char *source);

/* Free what the configuration owns; accepts NULL. */
void sa_config_free(sa_config *cfg);

#endif /* SA_CONFIG_H */
