/* th_runner: `virtsight-traphandle --spool-runner`, the long-running process that delivers what
 * the handler processes put into the spool: it watches the spool directory, runs one delivery
 * thread per notifier (retries, back-off, dead letters: lib/vs_spool.h), reloads the
 * configuration on SIGHUP and stops cleanly on SIGTERM. */
#ifndef TH_RUNNER_H
#define TH_RUNNER_H

#include "th_config.h"
#include "vs_log.h"

typedef struct {
    const char *config_file; /* absolute, so that a reload finds it after chdir("/") */
    int foreground;          /* stay attached, log to stderr, no fork */
    int level_forced;        /* -l given: it wins over the file's log-level */
    vs_log_level level;
} th_runner_opts;

/* Run until SIGTERM or SIGINT with cfg (taken over, freed here). Returns the exit status:
 * 0 after a clean stop, 1 when it could not start (logged). */
int th_runner_run(const th_runner_opts *o, th_config *cfg);

#endif /* TH_RUNNER_H */
