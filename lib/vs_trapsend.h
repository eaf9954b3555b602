/* vs_trapsend: the SNMP notifier. Each message goes out as a v2c trap (fire and forget) or as
 * an inform (v2c, or v3 authPriv) sent again until the receiver acknowledges it: alarms as
 * VIRTSIGHT-MIB vsAlarmRaised / vsAlarmCleared, routed traps with their own varbinds plus
 * snmpTrapAddress.0. Net-SNMP's single-session API, one session per message.
 *
 * Threading: Net-SNMP keeps process-wide state that Debian's build does not lock (the USM user
 * list, the SNMPv3 engine time cache, AES salt counters, request ids, the error detail). Every
 * call into it that may touch that state is made under vs_netsnmp_lock(), by this notifier and,
 * in the same process, by any other thread using Net-SNMP; nobody waits on the network while
 * holding it (the notifier polls its socket with the lock released). */
#ifndef VS_TRAPSEND_H
#define VS_TRAPSEND_H

#include <stddef.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vs_msg.h"
#include "vs_notify.h"

typedef struct {
    const char *name;       /* notifier name (log lines, the notifier's name) */
    const char *target;     /* Net-SNMP transport string: "udp:127.0.0.1:162",
                               "udp6:[::1]:162", "tcp:host:port" */
    int version;            /* 2 (v2c) or 3 */
    int inform;             /* 1 = inform, 0 = trap; SNMPv3 always informs */
    const char *community;  /* v2c: a secret, copied, wiped on free, never logged */
    const char *user;       /* v3 USM user */
    const char *auth_proto; /* "SHA-256", "SHA-384", "SHA-512" (MD5 and SHA-1 are refused) */
    const char *priv_proto; /* "AES" (= "AES-128"), "AES-192", "AES-256" (DES is refused) */
    const char *auth_pass;  /* v3 pass phrases (at least 8 characters): secrets, turned into */
    const char *priv_pass;  /* keys at once; neither they nor the keys are ever logged */
    double timeout;         /* seconds per try; 0 or less = 5 */
    int retries;            /* tries after the first; negative = 3 */
} vs_trapsend_conf;

/* A notifier for c (everything copied). The program must have called init_snmp() once before
 * (it registers USM and the transports; MIB files are not needed: OIDs are numeric) and must
 * not call snmp_shutdown() while a notifier exists. Returns NULL with a sentence in err (never
 * holding a secret) for a bad configuration. Logs nothing. Main thread. */
vs_notifier *vs_trapsend_new(const vs_trapsend_conf *c, char *err, size_t errlen);

/* vs_netsnmp_lock/unlock: lib/vs_snmplock.h. */
#include "vs_snmplock.h"

/* Pure (no socket, no lock taken; snmp_add_var is called for routed traps, so call it under
 * vs_netsnmp_lock() while other threads use Net-SNMP): append to pdu the notification varbinds
 * of m, sysUpTime.0 (uptime in hundredths of a second, for alarms and for traps that carry
 * none) and snmpTrapOID.0 first. Alarm text longer than the MIB allows is cut at a UTF-8
 * character boundary. A routed trap's varbind that cannot be encoded is skipped with a log
 * line under target name. Returns the number of varbinds skipped; -1 with err when m cannot
 * become a notification at all (a permanent failure); -2 with err when memory is short. */
int vs_trapsend_pdu_fill(netsnmp_pdu *pdu, const vs_msg *m, unsigned long uptime, const char *name,
                         char *err, size_t errlen);

/* Pure: the length of the longest prefix of s (len bytes) of at most max bytes that does not
 * end inside a UTF-8 sequence (never backs up more than 3 bytes, so invalid input still
 * gives a prefix close to max). */
size_t vs_trapsend_utf8_fit(const char *s, size_t len, size_t max);

/* Pure: the IPv4 address in a trap source as the trap handler records it ("192.0.2.7",
 * "192.0.2.7:162", "UDP: [192.0.2.7]:41981->[127.0.0.1]:162") into out (network order);
 * 0, or -1 when source holds no IPv4 address there. */
int vs_trapsend_source_ipv4(const char *source, unsigned char out[4]);

#endif /* VS_TRAPSEND_H */
