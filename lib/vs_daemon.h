/* vs_daemon: what the long-running programs (virtsight-manager, the traphandle spool runner)
 * share about becoming a daemon: a locked PID file, so that one instance runs per file, and a
 * fork whose parent waits until the child says it runs, so that whoever started it sees the
 * outcome in the exit status. */
#ifndef VS_DAEMON_H
#define VS_DAEMON_H

/* Create and lock the PID file path and write our PID into it. Returns its descriptor (keep it
 * open to hold the lock; unlink path before closing it) or -1, logged: when another process
 * holds the lock, as "Another <who> (PID n) holds <path>; not starting." */
int vs_pid_file_claim(const char *path, const char *who);

/* Fork into the background: the parent stays until the child calls vs_daemon_ready (then it
 * exits 0) or ends without doing so (exit 1); the child starts a session and changes to "/".
 * Returns, in the child, the descriptor to hand to vs_daemon_ready, or -1 (errno says why;
 * nothing logged). */
int vs_daemon_fork(void);

/* In the child: point stdin, stdout and stderr at /dev/null and tell the waiting parent that
 * the daemon runs. Log to syslog before calling this: stderr is gone afterwards. */
void vs_daemon_ready(int ready_fd);

#endif /* VS_DAEMON_H */
