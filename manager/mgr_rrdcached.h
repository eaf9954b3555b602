/* mgr_rrdcached: our own client of rrdcached's socket protocol (Debian's librrd exports only a
 * global, one-round-trip-per-update client): connect to a unix or TCP address, pipeline single
 * commands, send BATCHes and read their error lists. A client is used by one thread at a time;
 * nothing is shared between clients. Nothing here logs: failures come back as text. */
#ifndef MGR_RRDCACHED_H
#define MGR_RRDCACHED_H

#include <stddef.h>

#include "vs_buf.h"

#define MGR_RRDC_DEFAULT_PORT "42217"

/* A parsed rrdcached address. */
typedef struct {
    int is_unix;    /* 1: path is a unix socket; 0: host and port */
    char path[108]; /* sizeof(sun_path) */
    char host[256]; /* name or address, without the brackets of "[v6]" */
    char port[24];
} mgr_rrdc_addr;

/* Parse "unix:/path", "/path", "host", "host:port", "[v6addr]" or "[v6addr]:port" into *out
 * (port 42217 when none is given). Returns 0, or -1 for an empty or malformed address, a unix
 * path that is empty or too long, or a port outside 1..65535. */
int mgr_rrdc_addr_parse(const char *address, mgr_rrdc_addr *out);

/* Split a reply line "<code> <message>" into *code and *msg (pointing into line, "" when there
 * is none). Returns 0, or -1 when the line does not start with a number. */
int mgr_rrdc_status_parse(const char *line, long *code, const char **msg);

/* Append s to b as one protocol argument: blanks and backslashes escaped with a backslash.
 * Returns 0, or -1 when b is full, memory is short, or s holds a control character (a line
 * break cannot be carried). */
int mgr_rrdc_append_arg(vs_buf *b, const char *s);

/* Why rrdcached refused an UPDATE, from its message. */
typedef enum {
    MGR_RRDC_UPD_OTHER = 0,
    MGR_RRDC_UPD_NO_FILE, /* the file does not exist ("No such file: <file>") */
    MGR_RRDC_UPD_TOO_OLD  /* not after the file's last update ("illegal attempt to update using
                             time X when last update time is Y ...") */
} mgr_rrdc_upd_err;

/* Classify the message of a refused UPDATE; for MGR_RRDC_UPD_TOO_OLD, *last is the file's last
 * update time Y (whole seconds, rounded down). A "too old" message whose Y cannot be read is
 * MGR_RRDC_UPD_OTHER. */
mgr_rrdc_upd_err mgr_rrdc_update_error(const char *msg, long *last);

typedef struct mgr_rrdc mgr_rrdc;

/* A client for addr (copied) whose reads and writes give up after timeout_s seconds without
 * progress. Not connected yet. NULL when memory is short. */
mgr_rrdc *mgr_rrdc_new(const mgr_rrdc_addr *addr, double timeout_s);

/* Close and free; accepts NULL. */
void mgr_rrdc_free(mgr_rrdc *c);

/* Connect unless connected. Returns 0, or -1 with the reason in err. */
int mgr_rrdc_connect(mgr_rrdc *c, char *err, size_t errlen);

/* Whether the client holds a connection (it may still turn out to be dead). */
int mgr_rrdc_connected(const mgr_rrdc *c);

/* Close the connection, if any. */
void mgr_rrdc_close(mgr_rrdc *c);

/* Append command i, ending in "\n", to out; 0 or -1. */
typedef int (*mgr_rrdc_cmd_fn)(void *ctx, size_t i, vs_buf *out);

/* Receive the answer to command i: its status code and message. */
typedef void (*mgr_rrdc_reply_fn)(void *ctx, size_t i, long code, const char *msg);

/* Send commands 0..n-1 pipelined, at most a window of them unanswered, and hand each answer to
 * reply, in order (the data lines of a positive status are read and ignored). Returns 0, or -1
 * when the connection failed (it is closed; err says why) or a command could not be built. */
int mgr_rrdc_pipeline(mgr_rrdc *c, size_t n, mgr_rrdc_cmd_fn cmd, mgr_rrdc_reply_fn reply,
                      void *ctx, char *err, size_t errlen);

/* Receive one error of a BATCH: the number of the refused command (from 1) and why. */
typedef void (*mgr_rrdc_error_fn)(void *ctx, unsigned long cmd, const char *msg);

/* Send the command lines in body (len bytes, each ending in "\n") as one BATCH: "BATCH", the
 * go-ahead, the lines written in one stream, ".", then the answer "<n> errors" and its n lines,
 * each handed to error. Returns n, or -1 when the connection failed (closed; err says why). */
long mgr_rrdc_batch(mgr_rrdc *c, const char *body, size_t len, mgr_rrdc_error_fn error, void *ctx,
                    char *err, size_t errlen);

#endif /* MGR_RRDCACHED_H */
