/* mgr_snmp: the SNMP poller, driven from the core's poll() loop on one thread: SNMPv1/v2c
 * over UDP through a pool of sockets (mgr_snmp_udp), SNMPv3 and other transports through
 * Net-SNMP's asynchronous single-session API; every poll produces one mgr_result. */
#ifndef MGR_SNMP_H
#define MGR_SNMP_H

#include <poll.h>

#include "mgr_config.h"
#include "mgr_metric.h"

typedef struct mgr_snmp mgr_snmp;

/* Called on the loop's thread when a host's poll ends (answered, failed or past its
 * deadline); takes ownership of r. */
typedef void (*mgr_snmp_done_fn)(mgr_result *r, void *ctx);

/* A poller that keeps at most max_inflight hosts in flight (each with one request
 * outstanding); further polls wait in a queue in the order they were asked for. Calls
 * init_snmp itself on first use. NULL when memory is short. */
mgr_snmp *mgr_snmp_new(int max_inflight, mgr_snmp_done_fn done, void *ctx);

/* Ask for one poll of host (which must have an snmp source) that must end by deadline
 * (monotonic seconds, vs_log_now()). The needed parts of host are copied. Counter state is
 * kept per host name across polls. Returns 0, or -1 when memory is short (logged). */
int mgr_snmp_poll(mgr_snmp *s, const mgr_host_cfg *host, double deadline);

/* Fill fds with the descriptors to watch (at most max entries); returns how many. (Today one:
 * an epoll descriptor holding every in-flight socket, so a wake-up costs what is ready.) */
int mgr_snmp_fds(mgr_snmp *s, struct pollfd *fds, int max);

/* The monotonic time at which mgr_snmp_process must run next even without input (a request
 * timeout, a deadline), or 0 when nothing is pending. */
double mgr_snmp_next_wakeup(mgr_snmp *s);

/* Handle input on the fds filled by mgr_snmp_fds (revents set by poll), timeouts and
 * deadlines that have passed, and start queued polls while there is room. */
void mgr_snmp_process(mgr_snmp *s, const struct pollfd *fds, int n);

/* Hosts queued or in flight. */
unsigned mgr_snmp_busy(const mgr_snmp *s);

/* Forget the counter state of hosts cfg no longer has (after a reload). */
void mgr_snmp_retain(mgr_snmp *s, const mgr_config *cfg);

/* End every poll (their results are not delivered) and free; accepts NULL. */
void mgr_snmp_free(mgr_snmp *s);

#endif /* MGR_SNMP_H */
