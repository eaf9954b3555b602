/* vs_snmplock: the process-wide lock around Net-SNMP's global state. Debian's Net-SNMP is
 * built without NETSNMP_REENTRANT, so the USM user list, the engine boots/time cache, the
 * request-id counters and the error buffer are shared by every session unlocked. A program in
 * which two threads use Net-SNMP (the manager's poller and an SNMP notifier's delivery thread)
 * takes this lock around each Net-SNMP call that touches them; a program with one such thread
 * may ignore it. Not recursive. */
#ifndef VS_SNMPLOCK_H
#define VS_SNMPLOCK_H

void vs_netsnmp_lock(void);
void vs_netsnmp_unlock(void);

#endif /* VS_SNMPLOCK_H */
