/* mgr_snmp_udp: SNMPv1 and v2c over UDP without a Net-SNMP session per host. A poll in flight
 * borrows a socket from a pool and gives it back when it ends: a socket serves one request
 * at a time (its answer lands in a queue of its own, a late answer meets a request ID nobody
 * waits for), the pool never holds more sockets than polls were in flight at once, and the
 * sockets stay open and in the poller's epoll set from one poll to the next (no socket, bind
 * or epoll change per poll). Messages are built and parsed by Net-SNMP's codec. Internal to
 * the SNMP poller. */
#ifndef MGR_SNMP_UDP_H
#define MGR_SNMP_UDP_H

#include <stddef.h>
#include <sys/socket.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

/* What an entry of the poller's epoll set is: the first member of both kinds of entry. */
typedef enum { MGR_SNMP_WATCH_JOB = 0, MGR_SNMP_WATCH_SOCK } mgr_snmp_watch;

/* One socket of the pool. */
typedef struct mgr_snmp_sock {
    mgr_snmp_watch watch; /* MGR_SNMP_WATCH_SOCK; first */
    int fd;
    int family;
    void *owner;                /* the poll using it, NULL while in the pool */
    struct mgr_snmp_sock *next; /* in the pool's free list or list of all */
    struct mgr_snmp_sock *all;
} mgr_snmp_sock;

typedef struct mgr_snmp_udp mgr_snmp_udp;

/* A pool whose sockets go into the epoll set epfd (with data.ptr the socket). NULL when
 * memory is short. */
mgr_snmp_udp *mgr_snmp_udp_new(int epfd);

/* Close every socket and free; accepts NULL. */
void mgr_snmp_udp_free(mgr_snmp_udp *u);

/* A socket of family (AF_INET, AF_INET6) for owner: one from the pool, or a new one. NULL
 * with errno set when none can be made. */
mgr_snmp_sock *mgr_snmp_udp_take(mgr_snmp_udp *u, int family, void *owner);

/* Give k back to the pool. */
void mgr_snmp_udp_give(mgr_snmp_udp *u, mgr_snmp_sock *k);

/* Sockets made so far. */
size_t mgr_snmp_udp_count(const mgr_snmp_udp *u);

/* The next datagram waiting on k into the pool's buffer: its length (*data points at it), 0
 * when none waits, -1 on an error other than EAGAIN (errno set). Datagrams too long for the
 * buffer are dropped. */
ssize_t mgr_snmp_udp_recv(mgr_snmp_udp *u, mgr_snmp_sock *k, u_char **data);

/* The address of an agent written as the configuration allows, when it is one this module
 * serves: "udp:HOST[:PORT]", "HOST[:PORT]" (IPv4; HOST a name or an address) or
 * "udp6:[ADDRESS][:PORT]"; the port is 161 when not given. Returns 1 with *sa and *len set,
 * 0 when the text is another transport (tcp:, ...) or does not resolve as such: such
 * agents are left to a Net-SNMP session. Name look-ups block, as Net-SNMP's do. */
int mgr_snmp_udp_resolve(const char *address, struct sockaddr_storage *sa, socklen_t *len);

/* Build the message of pdu (version SNMP_VERSION_1 or SNMP_VERSION_2c, community) into *buf
 * (malloc'd, *cap bytes, grown as needed): *msg points at the message, *msg_len its length.
 * Returns 0, or -1 when it cannot be built. */
int mgr_snmp_udp_build(netsnmp_pdu *pdu, long version, const char *community, u_char **buf,
                       size_t *cap, u_char **msg, size_t *msg_len);

/* Parse a v1/v2c message: the PDU (to free with snmp_free_pdu) when it is one of version
 * whose community is community, else NULL. */
netsnmp_pdu *mgr_snmp_udp_parse(u_char *data, size_t len, long version, const char *community);

#endif /* MGR_SNMP_UDP_H */
