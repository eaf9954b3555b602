/* Unit tests of the SNMP poller's UDP pool (manager/mgr_snmp_udp.c) and of how a poll takes
 * what comes to its socket: address forms, the message codec, sockets reused, and a poll
 * against a UDP socket standing in for the agent: a request sent again after its timeout is
 * the same message; an answer is taken only with the request's ID, version and community. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "mgr_snmp_job.h"
#include "mgr_snmp_udp.h"
#include "vs_check.h"
#include "vs_log.h"
#include "vs_netsnmp.h"

static const oid o_uptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid o_descr[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 2 };

/* Resolve text: its port, and the family in *family; -1 when not served. */
static int port_of(const char *text, int *family)
{
    struct sockaddr_storage sa;
    socklen_t len = 0;
    if (mgr_snmp_udp_resolve(text, &sa, &len) != 1)
        return -1;
    *family = sa.ss_family;
    if (sa.ss_family == AF_INET6) {
        ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
        return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
    }
    ck_assert_uint_eq(len, sizeof(struct sockaddr_in));
    return ntohs(((struct sockaddr_in *)&sa)->sin_port);
}

START_TEST(address_forms)
{
    int f = 0;
    ck_assert_int_eq(port_of("127.0.0.1", &f), 161);
    ck_assert_int_eq(f, AF_INET);
    ck_assert_int_eq(port_of("127.0.0.1:1161", &f), 1161);
    ck_assert_int_eq(port_of("udp:127.0.0.1:1162", &f), 1162);
    ck_assert_int_eq(port_of("udp:127.0.0.1", &f), 161);
    ck_assert_int_eq(port_of("udp6:[::1]:1163", &f), 1163);
    ck_assert_int_eq(f, AF_INET6);
    ck_assert_int_eq(port_of("udp6:[::1]", &f), 161);
    /* Left to a Net-SNMP session: other transports, IPv6 without udp6:, nonsense. */
    ck_assert_int_eq(port_of("tcp:127.0.0.1:161", &f), -1);
    ck_assert_int_eq(port_of("tcp:127.0.0.1", &f), -1);
    ck_assert_int_eq(port_of("[::1]:161", &f), -1);
    ck_assert_int_eq(port_of("::1", &f), -1);
    ck_assert_int_eq(port_of("127.0.0.1:http", &f), -1);
    ck_assert_int_eq(port_of("udp:", &f), -1);
    ck_assert_int_eq(port_of("", &f), -1);
}
END_TEST

/* A message of pdu (freed) into a malloc'd copy; *len its length. */
static u_char *message(netsnmp_pdu *pdu, long version, const char *community, size_t *len)
{
    u_char *buf = NULL, *msg = NULL;
    size_t cap = 0;
    ck_assert_int_eq(mgr_snmp_udp_build(pdu, version, community, &buf, &cap, &msg, len), 0);
    u_char *copy = malloc(*len);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, msg, *len);
    free(buf);
    snmp_free_pdu(pdu);
    return copy;
}

START_TEST(codec_round_trip_and_refusals)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
    pdu->non_repeaters = 1;
    pdu->max_repetitions = 7;
    snmp_add_null_var(pdu, o_uptime, sizeof(o_uptime) / sizeof(oid));
    snmp_add_null_var(pdu, o_descr, sizeof(o_descr) / sizeof(oid));
    long reqid = pdu->reqid;
    size_t len;
    u_char *m = message(pdu, SNMP_VERSION_2c, "public", &len);
    ck_assert_int_eq(m[0], 0x30); /* a SEQUENCE: the whole message, nothing before it */

    netsnmp_pdu *got = mgr_snmp_udp_parse(m, len, SNMP_VERSION_2c, "public");
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(got->command, SNMP_MSG_GETBULK);
    ck_assert_int_eq(got->reqid, reqid);
    ck_assert_int_eq(got->errstat, 1); /* non-repeaters and max-repetitions, as parsed */
    ck_assert_int_eq(got->errindex, 7);
    ck_assert_ptr_nonnull(got->variables);
    ck_assert_int_eq(snmp_oid_compare(got->variables->name, got->variables->name_length, o_uptime,
                                      sizeof(o_uptime) / sizeof(oid)),
                     0);
    ck_assert_ptr_nonnull(got->variables->next_variable);
    snmp_free_pdu(got);

    /* Another community (also a prefix or an extension of it), another version, cut short,
     * garbage: none is taken. */
    ck_assert_ptr_null(mgr_snmp_udp_parse(m, len, SNMP_VERSION_2c, "publid"));
    ck_assert_ptr_null(mgr_snmp_udp_parse(m, len, SNMP_VERSION_2c, "pub"));
    ck_assert_ptr_null(mgr_snmp_udp_parse(m, len, SNMP_VERSION_2c, "public2"));
    ck_assert_ptr_null(mgr_snmp_udp_parse(m, len, SNMP_VERSION_1, "public"));
    for (size_t cut = 1; cut < len; cut += 3)
        ck_assert_ptr_null(mgr_snmp_udp_parse(m, len - cut, SNMP_VERSION_2c, "public"));
    u_char junk[64];
    memset(junk, 0x41, sizeof(junk));
    ck_assert_ptr_null(mgr_snmp_udp_parse(junk, sizeof(junk), SNMP_VERSION_2c, "public"));
    free(m);
}
END_TEST

START_TEST(pool_reuses_sockets)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    ck_assert_int_ge(ep, 0);
    mgr_snmp_udp *u = mgr_snmp_udp_new(ep);
    int a, b;
    mgr_snmp_sock *k1 = mgr_snmp_udp_take(u, AF_INET, &a);
    ck_assert_ptr_nonnull(k1);
    ck_assert_ptr_eq(k1->owner, &a);
    mgr_snmp_udp_give(u, k1);
    ck_assert_ptr_null(k1->owner);
    ck_assert_ptr_eq(mgr_snmp_udp_take(u, AF_INET, &b), k1); /* the same socket again */
    mgr_snmp_sock *k2 = mgr_snmp_udp_take(u, AF_INET, &a);   /* k1 is busy: a second one */
    ck_assert_ptr_nonnull(k2);
    ck_assert_ptr_ne(k2, k1);
    mgr_snmp_sock *k6 = mgr_snmp_udp_take(u, AF_INET6, &a);
    ck_assert_ptr_nonnull(k6);
    ck_assert_int_eq(k6->family, AF_INET6);
    ck_assert_uint_eq(mgr_snmp_udp_count(u), 3);
    /* Each is in the epoll set, with itself as the entry. */
    const char hello[] = "x";
    struct sockaddr_in me;
    socklen_t mel = sizeof(me);
    ck_assert_int_eq(getsockname(k2->fd, (struct sockaddr *)&me, &mel), 0);
    if (me.sin_port == 0) { /* not bound yet: a send binds it */
        struct sockaddr_in lo = { .sin_family = AF_INET, .sin_port = htons(9) };
        lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sendto(k2->fd, hello, 1, 0, (struct sockaddr *)&lo, sizeof(lo));
        mel = sizeof(me);
        ck_assert_int_eq(getsockname(k2->fd, (struct sockaddr *)&me, &mel), 0);
    }
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(sendto(k1->fd, hello, 1, 0, (struct sockaddr *)&me, sizeof(me)), 1);
    struct epoll_event ev;
    ck_assert_int_eq(epoll_wait(ep, &ev, 1, 2000), 1);
    ck_assert_ptr_eq(ev.data.ptr, k2);
    u_char *data;
    ck_assert_int_eq(mgr_snmp_udp_recv(u, k2, &data), 1);
    ck_assert_int_eq(data[0], 'x');
    ck_assert_int_eq(mgr_snmp_udp_recv(u, k2, &data), 0); /* nothing more */
    mgr_snmp_udp_free(u);
    close(ep);
}
END_TEST

/* The stand-in agent: a UDP socket on 127.0.0.1; its port in *port. */
static int agent_socket(int *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    struct timeval tv = { 5, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* The next request the agent gets: its bytes into buf, length returned. */
static size_t agent_take(int fd, u_char *buf, size_t cap)
{
    ssize_t n = recv(fd, buf, cap, 0);
    ck_assert_int_gt(n, 0);
    return (size_t)n;
}

/* An answer to reqid (no varbinds: a poll that asked for scalars gets none). */
static u_char *answer(long reqid, int command, long version, const char *community, size_t *len)
{
    netsnmp_pdu *r = snmp_pdu_create(command);
    r->reqid = reqid;
    r->errstat = 0;
    r->errindex = 0;
    return message(r, version, community, len);
}

START_TEST(poll_takes_only_its_answer)
{
    vs_log_init("check_mgr_snmp_udp", VS_LOG_WARNING);
    vs_netsnmp_setup("check_mgr_snmp_udp");
    int port;
    int agent = agent_socket(&port);
    char address[64];
    snprintf(address, sizeof(address), "udp:127.0.0.1:%d", port);
    mgr_snmp_src src = { .address = address,
                         .version = MGR_SNMP_V2C,
                         .community = "public",
                         .timeout_ms = 200,
                         .retries = 2,
                         .max_repetitions = 10,
                         .bulk = 1 };
    mgr_host_cfg host = { .name = "h1", .group_path = "", .snmp = &src, .deadline_s = 30 };
    int ep = epoll_create1(EPOLL_CLOEXEC);
    mgr_snmp_udp *u = mgr_snmp_udp_new(ep);
    mgr_snmp_states states;
    mgr_snmp_states_init(&states);
    netsnmp_large_fd_set fdset;
    netsnmp_large_fd_set_init(&fdset, FD_SETSIZE);
    mgr_snmp_job *j = mgr_snmp_job_new(&host, vs_log_now() + 30, &states, u);
    ck_assert_ptr_nonnull(j);
    mgr_snmp_state *st = mgr_snmp_states_get(&states, "h1", 1);
    ck_assert_int_eq(mgr_snmp_job_start(j, st, &fdset), 0);
    ck_assert_ptr_nonnull(j->sock);
    ck_assert_ptr_null(j->sess);
    ck_assert_int_eq(j->waiting, 1);

    u_char first[2048], again[2048];
    size_t n1 = agent_take(agent, first, sizeof(first));
    netsnmp_pdu *req = mgr_snmp_udp_parse(first, n1, SNMP_VERSION_2c, "public");
    ck_assert_ptr_nonnull(req);
    ck_assert_int_eq(req->command, SNMP_MSG_GETBULK); /* the scalars ride on the first walk */
    long reqid = req->reqid;
    snmp_free_pdu(req);

    /* Its timeout: the same message again (the first GETBULK keeps one of its two retries
     * back for a plain GET). */
    ck_assert_int_eq(mgr_snmp_job_check(j, j->t_next + 0.001, &fdset), 0);
    size_t n2 = agent_take(agent, again, sizeof(again));
    ck_assert_uint_eq(n2, n1);
    ck_assert_mem_eq(again, first, n1);
    ck_assert_uint_eq(j->requests, 1);

    /* Not its answer: another request ID, a request, another version or community, cut
     * short. The poll still waits. */
    size_t len;
    u_char *m = answer(reqid + 1, SNMP_MSG_RESPONSE, SNMP_VERSION_2c, "public", &len);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 0);
    free(m);
    m = answer(reqid, SNMP_MSG_GET, SNMP_VERSION_2c, "public", &len);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 0);
    free(m);
    m = answer(reqid, SNMP_MSG_RESPONSE, SNMP_VERSION_1, "public", &len);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 0);
    free(m);
    m = answer(reqid, SNMP_MSG_RESPONSE, SNMP_VERSION_2c, "private", &len);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 0);
    free(m);
    m = answer(reqid, SNMP_MSG_RESPONSE, SNMP_VERSION_2c, "public", &len);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len - 1), 0);
    ck_assert_int_eq(j->waiting, 1);
    ck_assert_int_eq(j->answered, 0);

    /* Its answer is taken once; the same datagram again is not. */
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 1);
    ck_assert_int_eq(j->waiting, 0);
    ck_assert_int_eq(j->answered, 1);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 0);
    free(m);

    /* The next request (the walk goes on) has another ID: the old answer stays out. */
    ck_assert_int_eq(mgr_snmp_job_check(j, vs_log_now(), &fdset), 0);
    ck_assert_int_eq(j->waiting, 1);
    ck_assert_int_ne(j->reqid, reqid);
    m = answer(reqid, SNMP_MSG_RESPONSE, SNMP_VERSION_2c, "public", &len);
    ck_assert_int_eq(mgr_snmp_job_input(j, m, len), 0);
    free(m);

    mgr_snmp_job_deadline(j);
    mgr_snmp_job_finish(j, st);
    ck_assert_ptr_null(j->sock);       /* back in the pool */
    ck_assert_int_eq(st->peer_len, 0); /* a failed poll looks the address up again */
    mgr_snmp_job_free(j);
    mgr_snmp_states_free(&states);
    mgr_snmp_udp_free(u);
    netsnmp_large_fd_set_cleanup(&fdset);
    close(ep);
    close(agent);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("mgr_snmp_udp");
    TCase *tc = tcase_create("all");
    tcase_add_test(tc, address_forms);
    tcase_add_test(tc, codec_round_trip_and_refusals);
    tcase_add_test(tc, pool_reuses_sockets);
    tcase_add_test(tc, poll_takes_only_its_answer);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(make_suite)
