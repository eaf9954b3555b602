/* mgr_rrdcached: the rrdcached protocol client: addresses, non-blocking sockets with a timeout
 * on every wait, buffered line reads, pipelined commands and BATCH. */
#include "config.h"

#include "mgr_rrdcached.h"
#include "vs_num.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RBUF_SIZE 65536 /* longest answer line we accept, and the read chunk */
/* Pipelined commands sent before their answers are read: at most PIPE_WINDOW commands and
 * PIPE_BYTES of them. Writing a window while rrdcached answers it cannot deadlock as long as
 * the answers (a status line of tens of bytes each, two for some errors) fit in the socket's
 * buffers (over 200 KB on Linux), which 512 of them do many times over; with 64, a process
 * asking about 10,000 files spent most of its time waiting on 157 round trips. */
#define PIPE_WINDOW 512
#define PIPE_BYTES 65536
#define CMD_BUF_MAX (1 << 20)

struct mgr_rrdc {
    mgr_rrdc_addr addr;
    double timeout_s;
    int fd;               /* -1 when not connected */
    char rbuf[RBUF_SIZE]; /* bytes received: [rpos, rend) not yet consumed */
    size_t rpos, rend;
    int after_error; /* the last answer line read was an error */
    vs_buf out;      /* commands being sent */
};

/* ---------------------------------------------------------------- pure parts */

/* Copy n bytes of s into dst (of size cap) as a string; -1 when empty or too long. */
static int copy_part(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* Parse "host[:port]" or "[v6][:port]" into out. */
static int addr_parse_inet(const char *a, mgr_rrdc_addr *out)
{
    const char *host = a, *port = NULL;
    size_t hlen;

    if (a[0] == '[') {
        const char *close = strchr(a, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return -1;
        host = a + 1;
        hlen = (size_t)(close - host);
        port = close[1] == ':' ? close + 2 : NULL;
    } else {
        const char *colon = strchr(a, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL)
            return -1; /* a bare IPv6 address needs brackets */
        hlen = colon != NULL ? (size_t)(colon - a) : strlen(a);
        port = colon != NULL ? colon + 1 : NULL;
    }
    if (copy_part(out->host, sizeof(out->host), host, hlen) < 0)
        return -1;
    unsigned long p;
    if (port == NULL)
        port = MGR_RRDC_DEFAULT_PORT;
    if (port[strspn(port, "0123456789")] != '\0' || vs_num_parse_ulong(port, 65535, &p) < 0
        || p == 0)
        return -1;
    snprintf(out->port, sizeof(out->port), "%lu", p);
    return 0;
}

int mgr_rrdc_addr_parse(const char *address, mgr_rrdc_addr *out)
{
    mgr_rrdc_addr a;

    memset(&a, 0, sizeof(a));
    if (address == NULL || *address == '\0')
        return -1;
    for (const char *p = address; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return -1;
    }
    if (strncmp(address, "unix:", 5) == 0 || address[0] == '/') {
        const char *path = address[0] == '/' ? address : address + 5;
        a.is_unix = 1;
        if (copy_part(a.path, sizeof(a.path), path, strlen(path)) < 0)
            return -1;
    } else if (addr_parse_inet(address, &a) < 0) {
        return -1;
    }
    *out = a;
    return 0;
}

int mgr_rrdc_status_parse(const char *line, long *code, const char **msg)
{
    char num[24];
    size_t n = 0;

    if (line[0] == '-')
        n = 1;
    while (line[n] >= '0' && line[n] <= '9')
        n++;
    if (n == 0 || (n == 1 && line[0] == '-') || n >= sizeof(num)
        || (line[n] != '\0' && line[n] != ' '))
        return -1;
    memcpy(num, line, n);
    num[n] = '\0';
    if (vs_num_parse_long(num, -1000000000L, 1000000000L, code) < 0)
        return -1;
    while (line[n] == ' ')
        n++;
    *msg = line + n;
    return 0;
}

mgr_rrdc_upd_err mgr_rrdc_update_error(const char *msg, long *last)
{
    static const char too_old[] = "illegal attempt to update",
                      last_is[] = "when last update time is ";

    if (strstr(msg, "No such file") != NULL)
        return MGR_RRDC_UPD_NO_FILE;
    const char *p = strstr(msg, last_is);
    if (strncmp(msg, too_old, sizeof(too_old) - 1) != 0 || p == NULL)
        return MGR_RRDC_UPD_OTHER;
    /* Y may have decimals: rrdcached 1.7 prints it with "%lf". */
    p += sizeof(last_is) - 1;
    size_t n = strcspn(p, " ");
    char num[48];
    double y;
    if (copy_part(num, sizeof(num), p, n) < 0 || vs_num_parse_double(num, &y) < 0
        || !(y >= 0.0 && y < (double)LONG_MAX))
        return MGR_RRDC_UPD_OTHER;
    *last = (long)y;
    return MGR_RRDC_UPD_TOO_OLD;
}

int mgr_rrdc_append_arg(vs_buf *b, const char *s)
{
    size_t mark = b->len;

    for (const char *p = s; *p != '\0'; p++) {
        int bad = (unsigned char)*p < 0x20 || *p == 0x7f;
        if (bad || ((*p == ' ' || *p == '\\') && vs_buf_append(b, "\\", 1) < 0)
            || vs_buf_append(b, p, 1) < 0) {
            b->len = mark;
            if (b->data != NULL)
                b->data[mark] = '\0';
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- connection */

mgr_rrdc *mgr_rrdc_new(const mgr_rrdc_addr *addr, double timeout_s)
{
    mgr_rrdc *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->addr = *addr;
    c->timeout_s = timeout_s > 0 ? timeout_s : 30;
    c->fd = -1;
    vs_buf_init(&c->out, CMD_BUF_MAX);
    return c;
}

void mgr_rrdc_free(mgr_rrdc *c)
{
    if (c == NULL)
        return;
    mgr_rrdc_close(c);
    vs_buf_free(&c->out);
    free(c);
}

int mgr_rrdc_connected(const mgr_rrdc *c)
{
    return c->fd >= 0;
}

void mgr_rrdc_close(mgr_rrdc *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->rpos = c->rend = 0;
    c->after_error = 0;
}

/* Close the connection and put the reason into err; returns -1 for the caller to pass up. */
static int conn_fail(mgr_rrdc *c, char *err, size_t errlen, const char *what, int errnum)
{
    if (errnum != 0)
        snprintf(err, errlen, "%s: %s", what, strerror(errnum));
    else
        snprintf(err, errlen, "%s", what);
    mgr_rrdc_close(c);
    return -1;
}

/* Wait until fd is ready for events, at most the client's timeout. 0, or -1 with errno set
 * (ETIMEDOUT when nothing happened). */
static int conn_wait(mgr_rrdc *c, int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    int ms = (int)(c->timeout_s * 1000);

    for (;;) {
        int n = poll(&p, 1, ms);
        if (n > 0)
            return 0;
        if (n == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (errno != EINTR)
            return -1;
    }
}

/* Connect a new non-blocking socket of the given family to sa, waiting at most the timeout.
 * Returns the socket, or -1 with errno set. */
static int sock_connect(mgr_rrdc *c, int family, const struct sockaddr *sa, socklen_t salen)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int e = 0;
    socklen_t elen = sizeof(e);

    if (fd < 0)
        return -1;
    if (connect(fd, sa, salen) == 0)
        return fd;
    if (errno != EINPROGRESS && errno != EINTR) {
        e = errno;
    } else if (conn_wait(c, fd, POLLOUT) < 0) {
        e = errno;
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0) {
        e = errno;
    }
    if (e != 0) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Connect to the unix socket of the address. */
static int connect_unix(mgr_rrdc *c, char *err, size_t errlen)
{
    struct sockaddr_un sun;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, c->addr.path, strlen(c->addr.path) + 1);
    c->fd = sock_connect(c, AF_UNIX, (const struct sockaddr *)&sun, sizeof(sun));
    if (c->fd < 0)
        return conn_fail(c, err, errlen, "cannot connect", errno);
    return 0;
}

/* Connect to the first address of host:port that accepts, with TCP_NODELAY (the pipelined
 * commands are small). */
static int connect_inet(mgr_rrdc *c, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    int e = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    int rc = getaddrinfo(c->addr.host, c->addr.port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", c->addr.host, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next) {
        c->fd = sock_connect(c, ai->ai_family, ai->ai_addr, ai->ai_addrlen);
        e = errno;
    }
    freeaddrinfo(res);
    if (c->fd < 0)
        return conn_fail(c, err, errlen, "cannot connect", e);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return 0;
}

int mgr_rrdc_connect(mgr_rrdc *c, char *err, size_t errlen)
{
    if (c->fd >= 0)
        return 0;
    c->rpos = c->rend = 0;
    return c->addr.is_unix ? connect_unix(c, err, errlen) : connect_inet(c, err, errlen);
}

/* ---------------------------------------------------------------- I/O */

/* Write all of data, through partial writes, EINTR and a full socket buffer. */
static int conn_write(mgr_rrdc *c, const char *data, size_t len, char *err, size_t errlen)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (conn_wait(c, c->fd, POLLOUT) == 0)
                continue;
            return conn_fail(c, err, errlen, "cannot send", errno);
        }
        return conn_fail(c, err, errlen, "cannot send", n < 0 ? errno : EPIPE);
    }
    return 0;
}

/* Receive more bytes into the read buffer (moving the unread part to its start first). */
static int conn_fill(mgr_rrdc *c, char *err, size_t errlen)
{
    if (c->rpos > 0) {
        memmove(c->rbuf, c->rbuf + c->rpos, c->rend - c->rpos);
        c->rend -= c->rpos;
        c->rpos = 0;
    }
    if (c->rend >= sizeof(c->rbuf) - 1)
        return conn_fail(c, err, errlen, "answer line too long", 0);
    for (;;) {
        ssize_t n = recv(c->fd, c->rbuf + c->rend, sizeof(c->rbuf) - 1 - c->rend, 0);
        if (n > 0) {
            c->rend += (size_t)n;
            return 0;
        }
        if (n == 0)
            return conn_fail(c, err, errlen, "connection closed by rrdcached", 0);
        if (errno == EINTR)
            continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || conn_wait(c, c->fd, POLLIN) < 0)
            return conn_fail(c, err, errlen, "cannot receive", errno);
    }
}

/* Read one answer line; *line points into the buffer (without "\n" or "\r") until the next
 * read. */
static int conn_read_line(mgr_rrdc *c, char **line, char *err, size_t errlen)
{
    for (;;) {
        char *start = c->rbuf + c->rpos;
        char *nl = memchr(start, '\n', c->rend - c->rpos);
        if (nl != NULL) {
            *nl = '\0';
            if (nl > start && nl[-1] == '\r')
                nl[-1] = '\0';
            c->rpos = (size_t)(nl - c->rbuf) + 1;
            *line = start;
            return 0;
        }
        if (conn_fill(c, err, errlen) < 0)
            return -1;
    }
}

/* Read a status line into *code and *msg (valid until the next read). rrdcached 1.7 breaks
 * some error messages over two lines ("...: /dir\nDid you pass -R to the daemon?"): a line
 * after an error that is not a status line is taken as the rest of that error and skipped.
 * batch_errors: the lines are a BATCH's error list, where every line is an error. */
static int conn_read_status(mgr_rrdc *c, long *code, const char **msg, int batch_errors, char *err,
                            size_t errlen)
{
    char *line;

    for (;;) {
        if (conn_read_line(c, &line, err, errlen) < 0)
            return -1;
        if (mgr_rrdc_status_parse(line, code, msg) == 0)
            break;
        if (!c->after_error) {
            char what[160];
            snprintf(what, sizeof(what), "unexpected answer '%.100s'", line);
            return conn_fail(c, err, errlen, what, 0);
        }
    }
    c->after_error = batch_errors || *code < 0;
    return 0;
}

/* Read and drop n data lines. */
static int conn_skip_lines(mgr_rrdc *c, long n, char *err, size_t errlen)
{
    char *line;

    for (long i = 0; i < n; i++) {
        if (conn_read_line(c, &line, err, errlen) < 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- commands */

int mgr_rrdc_pipeline(mgr_rrdc *c, size_t n, mgr_rrdc_cmd_fn cmd, mgr_rrdc_reply_fn reply,
                      void *ctx, char *err, size_t errlen)
{
    if (c->fd < 0 && mgr_rrdc_connect(c, err, errlen) < 0)
        return -1;
    for (size_t base = 0, end; base < n; base = end) {
        size_t last = base + PIPE_WINDOW < n ? base + PIPE_WINDOW : n;
        vs_buf_reset(&c->out);
        for (end = base; end < last && (end == base || c->out.len < PIPE_BYTES); end++) {
            if (cmd(ctx, end, &c->out) < 0)
                return conn_fail(c, err, errlen, "cannot build a command (out of memory)", 0);
        }
        if (conn_write(c, c->out.data, c->out.len, err, errlen) < 0)
            return -1;
        for (size_t i = base; i < end; i++) {
            long code;
            const char *msg;
            if (conn_read_status(c, &code, &msg, 0, err, errlen) < 0)
                return -1;
            reply(ctx, i, code, msg);
            if (code > 0 && conn_skip_lines(c, code, err, errlen) < 0)
                return -1;
        }
    }
    return 0;
}

/* Read the n error lines that follow a BATCH's "<n> errors" and hand them to error. */
static int batch_read_errors(mgr_rrdc *c, long n, mgr_rrdc_error_fn error, void *ctx, char *err,
                             size_t errlen)
{
    for (long i = 0; i < n; i++) {
        long cmd;
        const char *msg;
        if (conn_read_status(c, &cmd, &msg, 1, err, errlen) < 0)
            return -1;
        if (cmd > 0)
            error(ctx, (unsigned long)cmd, msg);
    }
    return 0;
}

long mgr_rrdc_batch(mgr_rrdc *c, const char *body, size_t len, mgr_rrdc_error_fn error, void *ctx,
                    char *err, size_t errlen)
{
    long code;
    const char *msg;

    if (c->fd < 0 && mgr_rrdc_connect(c, err, errlen) < 0)
        return -1;
    if (conn_write(c, "BATCH\n", 6, err, errlen) < 0
        || conn_read_status(c, &code, &msg, 0, err, errlen) < 0)
        return -1;
    if (code != 0) {
        char what[160];
        snprintf(what, sizeof(what), "BATCH refused: %.100s", msg);
        return conn_fail(c, err, errlen, what, 0);
    }
    if (conn_write(c, body, len, err, errlen) < 0 || conn_write(c, ".\n", 2, err, errlen) < 0
        || conn_read_status(c, &code, &msg, 0, err, errlen) < 0)
        return -1;
    if (code < 0) {
        char what[160];
        snprintf(what, sizeof(what), "BATCH failed: %.100s", msg);
        return conn_fail(c, err, errlen, what, 0);
    }
    if (batch_read_errors(c, code, error, ctx, err, errlen) < 0)
        return -1;
    return code;
}
