/* sa_log: the subagent's one log. Net-SNMP's handlers (chosen with -L) write every line; our
 * own lines reach them through vs_log. While the configuration is read, Net-SNMP's messages are
 * held back, configuration errors are rewritten as "file:line: message" and counted, and then
 * everything is replayed. An AgentX registration refused by the master is noticed here. */
#ifndef SA_LOG_H
#define SA_LOG_H

/* Route vs_log into Net-SNMP's logging and install the watching handler. Call after the -L
 * options were applied and before init_snmp. */
void sa_log_init(void);

/* Hold Net-SNMP's messages back (before init_snmp reads the configuration). */
void sa_log_hold(void);

/* Replay what was held through the configured handlers (and to stderr when they do not
 * include it and something was wrong). Returns the number of configuration errors seen. */
int sa_log_release(void);

/* Whether the master refused one of our registrations (another subagent owns the subtree). */
int sa_log_registration_failed(void);

#endif /* SA_LOG_H */
