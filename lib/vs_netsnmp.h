/* vs_netsnmp: Net-SNMP set up the same way by every program that uses it only as a client (the
 * manager's poller, the SNMP trap notifiers): quiet, with nothing read from or written to disk,
 * and its log lines in ours. The subagent, which reads Net-SNMP's configuration, does its own. */
#ifndef VS_NETSNMP_H
#define VS_NETSNMP_H

/* Set Net-SNMP up once per process (later calls do nothing): its log lines go into vs_log as
 * "Net-SNMP: ..." unless the program routed them already; no configuration files, no MIB files
 * (OIDs are numeric), no persistent state; then init_snmp(app) under vs_netsnmp_lock. Call
 * before the first session or trap notifier. */
void vs_netsnmp_setup(const char *app);

#endif /* VS_NETSNMP_H */
