/* mgr_snmp_udp: SNMPv1 and v2c over UDP for the poller, without a Net-SNMP session per host
 * (see mgr_snmp_udp.h). */
#include <config.h>

#include "mgr_snmp_udp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <net-snmp/library/snmpIPv4BaseDomain.h>
#include <net-snmp/library/snmpIPv6BaseDomain.h>
#include <net-snmp/library/snmp_impl.h>

#define BUF_SIZE 65536     /* the largest UDP payload fits */
#define COMMUNITY_MAX 1024 /* longer communities in an answer match none of ours */
#define BUILD_FIRST 512    /* a request's first buffer; snmp_build grows it when needed */

struct mgr_snmp_udp {
    int epfd;
    mgr_snmp_sock *free4, *free6; /* in the pool */
    mgr_snmp_sock *all;           /* every socket made */
    size_t count;
    u_char buf[BUF_SIZE]; /* the datagram just read */
};

mgr_snmp_udp *mgr_snmp_udp_new(int epfd)
{
    mgr_snmp_udp *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->epfd = epfd;
    /* mgr_snmp_udp_build finds the message at the end of its buffer: Net-SNMP's default
     * (reverse) encoding, which a configuration could have turned off. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_REVERSE_ENCODE, 1);
    return u;
}

void mgr_snmp_udp_free(mgr_snmp_udp *u)
{
    if (!u)
        return;
    for (mgr_snmp_sock *k = u->all; k;) {
        mgr_snmp_sock *next = k->all;
        close(k->fd); /* leaves the epoll set with it */
        free(k);
        k = next;
    }
    free(u);
}

/* A new socket of family, in the epoll set; NULL with errno set. */
static mgr_snmp_sock *sock_new(mgr_snmp_udp *u, int family)
{
    mgr_snmp_sock *k = calloc(1, sizeof(*k));
    if (!k) {
        errno = ENOMEM;
        return NULL;
    }
    k->watch = MGR_SNMP_WATCH_SOCK;
    k->family = family;
    k->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = k };
    if (k->fd < 0 || epoll_ctl(u->epfd, EPOLL_CTL_ADD, k->fd, &ev) < 0) {
        int e = errno;
        if (k->fd >= 0)
            close(k->fd);
        free(k);
        errno = e;
        return NULL;
    }
    k->all = u->all;
    u->all = k;
    u->count++;
    return k;
}

mgr_snmp_sock *mgr_snmp_udp_take(mgr_snmp_udp *u, int family, void *owner)
{
    mgr_snmp_sock **list = family == AF_INET6 ? &u->free6 : &u->free4;
    mgr_snmp_sock *k = *list;
    if (k)
        *list = k->next;
    else if (!(k = sock_new(u, family)))
        return NULL;
    k->next = NULL;
    k->owner = owner;
    return k;
}

void mgr_snmp_udp_give(mgr_snmp_udp *u, mgr_snmp_sock *k)
{
    mgr_snmp_sock **list = k->family == AF_INET6 ? &u->free6 : &u->free4;
    k->owner = NULL;
    k->next = *list;
    *list = k;
}

size_t mgr_snmp_udp_count(const mgr_snmp_udp *u)
{
    return u->count;
}

ssize_t mgr_snmp_udp_recv(mgr_snmp_udp *u, mgr_snmp_sock *k, u_char **data)
{
    for (;;) {
        ssize_t n = recv(k->fd, u->buf, sizeof(u->buf), MSG_TRUNC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        if ((size_t)n > sizeof(u->buf) || n == 0)
            continue; /* cut short, or empty: nothing to parse */
        *data = u->buf;
        return n;
    }
}

/* Whether s is all digits (and not empty). */
static int all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

int mgr_snmp_udp_resolve(const char *address, struct sockaddr_storage *sa, socklen_t *len)
{
    const char *rest = address;
    int v6 = 0;
    if (strncmp(address, "udp6:", 5) == 0) {
        rest = address + 5;
        v6 = 1;
    } else if (strncmp(address, "udp:", 4) == 0) {
        rest = address + 4;
    } else {
        /* Without a transport, only HOST or HOST:PORT: another colon means a prefix such as
         * tcp: (or an IPv6 address, which needs udp6:). */
        const char *colon = strchr(address, ':');
        if (colon && !all_digits(colon + 1))
            return 0;
    }
    if (*rest == '\0')
        return 0;
    memset(sa, 0, sizeof(*sa));
    if (v6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
        if (!netsnmp_sockaddr_in6_2(a6, rest, ":161"))
            return 0;
        *len = sizeof(*a6);
        return 1;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
    if (!netsnmp_sockaddr_in2(a4, rest, ":161"))
        return 0;
    *len = sizeof(*a4);
    return 1;
}

int mgr_snmp_udp_build(netsnmp_pdu *pdu, long version, const char *community, u_char **buf,
                       size_t *cap, u_char **msg, size_t *msg_len)
{
    if (!*buf) {
        *buf = malloc(BUILD_FIRST);
        if (!*buf)
            return -1;
        *cap = BUILD_FIRST;
    }
    netsnmp_session s;
    snmp_sess_init(&s);
    s.version = version;
    s.community = (u_char *)community; /* only read */
    s.community_len = strlen(community);
    pdu->version = version;
    if (pdu->community_len == 0) { /* snmp_build takes the session's only for requests */
        free(pdu->community);
        pdu->community = (u_char *)strdup(community);
        if (!pdu->community)
            return -1;
        pdu->community_len = s.community_len;
    }
    size_t off = 0;
    if (snmp_build(buf, cap, &off, &s, pdu) != 0 || off == 0 || off > *cap)
        return -1;
    *msg = *buf + *cap - off; /* reverse encoding: the message ends the buffer */
    *msg_len = off;
    return 0;
}

netsnmp_pdu *mgr_snmp_udp_parse(u_char *data, size_t len, long version, const char *community)
{
    u_char comm[COMMUNITY_MAX];
    size_t comm_len = sizeof(comm), n = len, want = strlen(community);
    long v = -1;
    u_char *p = snmp_comstr_parse(data, &n, comm, &comm_len, &v);
    if (!p || v != version || comm_len != want || memcmp(comm, community, want) != 0)
        return NULL;
    netsnmp_pdu *pdu = calloc(1, sizeof(*pdu));
    if (!pdu)
        return NULL;
    pdu->version = v;
    if (snmp_pdu_parse(pdu, p, &n) != 0) {
        snmp_free_pdu(pdu);
        return NULL;
    }
    return pdu;
}
