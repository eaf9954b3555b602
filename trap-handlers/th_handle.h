/* th_handle: what virtsight-traphandle does with one trap snmptrapd hands it: read and parse its
 * input, render the message, decide the routes (dedupe and rate limits through the state file),
 * and for each route that fires put the message into the spool once per notifier and append
 * the log-file line. Nothing is delivered here: the spool runner does that. */
#ifndef TH_HANDLE_H
#define TH_HANDLE_H

#include "th_config.h"

/* What became of one trap, for the caller and the tests. */
typedef struct {
    size_t fired;    /* routes that fired */
    size_t spooled;  /* spool entries written (one per route and notifier) */
    size_t logged;   /* log-file lines written */
    size_t lost;     /* spool entries or log lines that could not be written (logged) */
    size_t refusals; /* kinds of input refusal (logged) */
    int matched;     /* some route (or <default>) matched */
} th_handle_result;

/* Handle the trap read from fd (to its end) at wall time now, as cfg says; every refusal, drop,
 * held-back trap and failure is logged. Returns 0 (res filled), or -1 when the input could not
 * be read or memory is short (logged). */
int th_handle_fd(const th_config *cfg, int fd, double now, th_handle_result *res);

/* If running as root, take on the user and group that own cfg's state directory (when it exists
 * and is not root's), so that hostile input is never parsed as root and the spool runner, which
 * runs as that user, can read what this process writes. 0, or -1 (logged) when switching failed. */
int th_handle_drop_privileges(const th_config *cfg);

/* Create dir and its missing parents (mode 0750), so that the state file can be locked on the
 * first trap and the runner's PID file written; the spool creates its own directories.
 * Failures are not reported here: they show when the files are used. */
void th_handle_dir_make(const char *dir);

#endif /* TH_HANDLE_H */
