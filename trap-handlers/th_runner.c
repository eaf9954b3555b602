/* th_runner: the spool runner's life cycle: PID file, daemon or foreground, Net-SNMP set up once
 * when a <trap> notifier exists, the notifiers made from the configuration, the spool opened
 * with watch so that entries other processes put are picked up, and the signals: SIGHUP
 * reloads (a bad file is logged line by line and the running set stays), SIGTERM stops. */
#include "config.h"

#include "th_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "th_handle.h"
#include "vs_buf.h"
#include "vs_conf_notify.h"
#include "vs_daemon.h"
#include "vs_netsnmp.h"
#include "vs_notify.h"
#include "vs_spool.h"

#define APP "virtsight-traphandle"

typedef struct {
    th_config *cfg;
    vs_spool *spool;
    vs_notifier **notifiers;
    size_t n_notifiers;
} runner;

static volatile sig_atomic_t got_hup, got_term;
static int wake_fd = -1;

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_term = 1;
    if (wake_fd >= 0) {
        ssize_t n = write(wake_fd, "s", 1);
        (void)n;
    }
    errno = saved;
}

/* Install the handlers; returns the read end of their wake-up pipe, or -1. */
static int signals_install(void)
{
    int p[2];
    struct sigaction sa;

    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
        return -1;
    wake_fd = p[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return p[0];
}

/* Log to stderr (foreground) or syslog at level. */
static void log_setup(int foreground, vs_log_level level)
{
    vs_log_init(APP, level);
    if (!foreground)
        vs_log_use_syslog(LOG_DAEMON);
}

/* ---------------------------------------------------------------- notifiers and spool */

static void notifiers_free(vs_notifier **list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++)
        vs_notifier_free(list[i]);
    free(list);
}

/* Every notifier of cfg, or NULL (logged with the notifier's file:line) when one cannot be made. */
static vs_notifier **notifiers_make(const th_config *cfg)
{
    vs_notifier **list = calloc(cfg->n_notifiers + 1, sizeof(*list));

    if (list == NULL) {
        VS_LOG(VS_LOG_ERR, NULL, "Out of memory while making the notifiers.");
        return NULL;
    }
    if (th_config_has_trap_notifier(cfg))
        vs_netsnmp_setup(APP);
    for (size_t i = 0; i < cfg->n_notifiers; i++) {
        char why[256] = "";
        if ((list[i] = vs_notify_cfg_make(&cfg->notifiers[i], why, sizeof(why))) == NULL) {
            VS_LOG(VS_LOG_ERR, NULL, "%s:%d: notifier \"%s\": %s", cfg->file,
                   cfg->notifiers[i].line, cfg->notifiers[i].name, why);
            notifiers_free(list, i);
            return NULL;
        }
    }
    return list;
}

static vs_spool *spool_open(const th_config *cfg)
{
    vs_spool_conf sc = { cfg->spool_dir,       cfg->dead_dir,      cfg->spool.retry_min,
                         cfg->spool.retry_max, cfg->spool.max_age, 1 };
    char err[256];
    vs_spool *s = vs_spool_open(&sc, err, sizeof(err));

    if (s == NULL)
        VS_LOG(VS_LOG_ERR, NULL, "Cannot open the spool %s: %s.", cfg->spool_dir, err);
    return s;
}

/* Whether the spool must be opened again for next (other directories or back-off). */
static int spool_changed(const th_config *now, const th_config *next)
{
    return strcmp(now->spool_dir, next->spool_dir) != 0
           || strcmp(now->dead_dir, next->dead_dir) != 0
           || now->spool.retry_min != next->spool.retry_min
           || now->spool.retry_max != next->spool.retry_max
           || now->spool.max_age != next->spool.max_age;
}

/* Start delivering with list (taken over). 0, or -1 (logged; list freed). */
static int delivery_start(runner *R, vs_notifier **list, size_t n)
{
    char err[256];

    R->notifiers = list;
    R->n_notifiers = n;
    if (vs_spool_start(R->spool, list, n, err, sizeof(err)) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot start delivering from the spool: %s.", err);
        return -1;
    }
    return 0;
}

/* SIGHUP: load the file again; on success deliver with the new notifiers (and a new spool when
 * its settings changed); on any failure keep what runs. */
static void runner_reload(runner *R, const th_runner_opts *o)
{
    vs_buf errors;
    th_config *next = NULL;

    VS_LOG(VS_LOG_NOTICE, NULL, "Reloading %s.", o->config_file);
    vs_buf_init(&errors, 1 << 20);
    if (th_config_load(o->config_file, &next, &errors) < 0) {
        const char *p = vs_buf_str(&errors);
        for (size_t len; *p != '\0'; p += len + (p[len] != '\0')) {
            len = strcspn(p, "\n");
            VS_LOG(VS_LOG_ERR, NULL, "%.*s", (int)len, p);
        }
        VS_LOG(VS_LOG_ERR, NULL, "The configuration was not reloaded; the previous one stays.");
        vs_buf_free(&errors);
        return;
    }
    vs_buf_free(&errors);
    vs_notifier **list = notifiers_make(next);
    vs_spool *spool = spool_changed(R->cfg, next) ? spool_open(next) : R->spool;
    if (list == NULL || spool == NULL) {
        notifiers_free(list, next->n_notifiers);
        th_config_free(next);
        VS_LOG(VS_LOG_ERR, NULL, "The configuration was not reloaded; the previous one stays.");
        return;
    }
    if (strcmp(R->cfg->pid_file, next->pid_file) != 0)
        VS_LOG(VS_LOG_WARNING, NULL, "A new pid-file (%s) takes effect at the next start.",
               next->pid_file);
    vs_spool_stop(R->spool, 5.0); /* an attempt still in progress then ends on its own */
    if (spool != R->spool)
        vs_spool_close(R->spool);
    R->spool = spool;
    free(R->notifiers); /* the notifiers were the spool's */
    th_config_free(R->cfg);
    R->cfg = next;
    if (!o->level_forced)
        log_setup(o->foreground, next->log_level);
    if (delivery_start(R, list, next->n_notifiers) == 0)
        VS_LOG(VS_LOG_NOTICE, NULL, "Reloaded: %zu notifiers, %zu entries waiting.", R->n_notifiers,
               vs_spool_pending(R->spool, NULL));
}

/* ---------------------------------------------------------------- process */

/* Wait for signals and act on them until SIGTERM or SIGINT. */
static void runner_loop(runner *R, const th_runner_opts *o, int sig_fd)
{
    while (!got_term) {
        struct pollfd p = { sig_fd, POLLIN, 0 };
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            break;
        char buf[64];
        while (read(sig_fd, buf, sizeof(buf)) > 0)
            ;
        if (got_hup && !got_term) {
            got_hup = 0;
            runner_reload(R, o);
        }
    }
}

int th_runner_run(const th_runner_opts *o, th_config *cfg)
{
    runner R = { cfg, NULL, NULL, 0 };
    int ready_fd = -1, pid_fd = -1, sig_fd = -1, rc = EXIT_FAILURE;

    signal(SIGPIPE, SIG_IGN);
    if (!o->foreground && (ready_fd = vs_daemon_fork()) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot run as a daemon: %s.", strerror(errno));
        goto out;
    }
    /* stderr until a daemon runs, so that whoever started it sees why it could not. */
    log_setup(1, o->level_forced ? o->level : cfg->log_level);
    th_handle_dir_make(cfg->state_dir);
    if ((pid_fd = vs_pid_file_claim(cfg->pid_file, "spool runner")) < 0
        || (sig_fd = signals_install()) < 0 || (R.spool = spool_open(cfg)) == NULL)
        goto out;
    vs_notifier **list = notifiers_make(cfg);
    if (list == NULL || delivery_start(&R, list, cfg->n_notifiers) < 0)
        goto out;
    VS_LOG(VS_LOG_NOTICE, NULL, "Delivering from %s: %zu notifiers, %zu entries waiting.",
           cfg->spool_dir, R.n_notifiers, vs_spool_pending(R.spool, NULL));
    if (ready_fd >= 0) {
        vs_log_use_syslog(LOG_DAEMON);
        vs_daemon_ready(ready_fd);
        ready_fd = -1;
    }
    runner_loop(&R, o, sig_fd);
    VS_LOG(VS_LOG_NOTICE, NULL, "Stopping: %zu entries stay in the spool.",
           vs_spool_pending(R.spool, NULL));
    rc = EXIT_SUCCESS;
out:
    vs_spool_close(R.spool);
    free(R.notifiers); /* the notifiers were the spool's */
    if (pid_fd >= 0) {
        unlink(R.cfg->pid_file);
        close(pid_fd);
    }
    if (sig_fd >= 0)
        close(sig_fd);
    th_config_free(R.cfg);
    return rc;
}
