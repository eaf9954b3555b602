/* sa_mib: VIRTSIGHT-MIB's tables and scalars as the subagent serves them: their columns, and
 * their registration with the agent. */
#ifndef SA_MIB_H
#define SA_MIB_H

#include <stdint.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "sa_table.h"

struct sa_ctl_job;

/* The notification control objects. */
typedef struct {
    int enable, state_enable, lifecycle_enable, admin_enable, hv_enable; /* TruthValue */
    unsigned hold_down;                                                  /* seconds */
    uint32_t sent, suppressed, disabled;                                 /* counters */
} sa_notify_state;

/* Every table and scalar group of the MIB that the subagent serves. */
extern const sa_table sa_mib_hv_table, sa_mib_vm_table, sa_mib_uuid_table;
extern const sa_table sa_mib_vcpu_table, sa_mib_disk_table, sa_mib_nic_table;
extern const sa_table sa_mib_notify_scalars;

/* Serve from view and notify from now on (SNMP thread; the pointers must stay valid until
 * the next call). NULL serves nothing. */
void sa_mib_set_view(const sa_view *view, const sa_notify_state *notify);

/* What SET requests need from the rest of the subagent (positions are the view's). */
typedef struct {
    int power_control;                                 /* powerControl yes */
    int (*online)(size_t hv);                          /* the hypervisor is connected now */
    void (*submit)(size_t hv, struct sa_ctl_job *job); /* hand over an accepted job */
} sa_mib_control;

/* Accept SETs from now on, with these hooks (NULL refuses every SET of a VM object). */
void sa_mib_set_control(const sa_mib_control *control);

/* The view served now. */
const sa_view *sa_mib_view(void);

/* GET of name from the current view: 0 with *val set, or SNMP_NOSUCHOBJECT/INSTANCE. */
int sa_mib_get(const oid *name, size_t len, sa_value *val);

/* The SET modes of a request (sa_mib_set.c), and dropping a half-checked request at exit. */
void sa_mib_set(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests);
void sa_mib_set_free(void);

/* Register every table and scalar group with the agent. Returns 0, or -1 having logged which
 * registration failed. */
int sa_mib_register(void);

/* Encode a wall-clock time as an 11-octet DateAndTime (local time with its UTC offset) into
 * buf; returns 11. */
size_t sa_mib_date_and_time(time_t t, unsigned char *buf);

#endif /* SA_MIB_H */
