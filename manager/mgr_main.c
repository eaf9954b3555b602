/* virtsight-manager: agentless polling of hosts over SNMP and hypervisors over libvirt, with
 * RRD history. This file is the command line, the daemon's life cycle and the signals. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "mgr_config.h"
#include "mgr_core.h"
#include "mgr_shard.h"
#include "vs_daemon.h"
#include "vs_log.h"

#define APP "virtsight-manager"
#define DEFAULT_CONFIG "/etc/virtsight/manager.xml"

typedef struct {
    const char *config_file;
    const char *check_file; /* --check-config */
    int foreground;
    int once;
    int list_hosts; /* --list-hosts */
    unsigned shard_index;
    unsigned shard_count;
    vs_log_level level;
} mgr_options;

static mgr_core_signals signals_seen = { 0, 0, -1 };

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " APP " [OPTIONS]\n"
            "Poll hosts over SNMP and hypervisors over libvirt, and keep RRD history.\n\n"
            "  -c, --config FILE     the configuration (default " DEFAULT_CONFIG ")\n"
            "  -f, --foreground      stay in the foreground and log to stderr\n"
            "      --once            poll every host once, print a table of the metrics,\n"
            "                        exit non-zero if any host failed\n"
            "      --check-config FILE  validate FILE and exit (0: valid)\n"
            "      --shard I/N       poll only the hosts of shard I (0..N-1) of N\n"
            "      --list-hosts      print the hosts this manager (and shard) polls, and exit\n"
            "  -l, --log-level LEVEL err, warning, notice, info (default) or debug\n"
            "  -h, --help            show this help and exit\n"
            "  -V, --version         show the version and exit\n");
}

/* Parse the command line. Returns 0, 1 to exit with success (help, version), -1 on error. */
static int options_parse(int argc, char **argv, mgr_options *o)
{
    enum { OPT_ONCE = 256, OPT_CHECK, OPT_SHARD, OPT_LIST };
    static const struct option longs[] = { { "config", required_argument, NULL, 'c' },
                                           { "foreground", no_argument, NULL, 'f' },
                                           { "once", no_argument, NULL, OPT_ONCE },
                                           { "check-config", required_argument, NULL, OPT_CHECK },
                                           { "shard", required_argument, NULL, OPT_SHARD },
                                           { "list-hosts", no_argument, NULL, OPT_LIST },
                                           { "log-level", required_argument, NULL, 'l' },
                                           { "help", no_argument, NULL, 'h' },
                                           { "version", no_argument, NULL, 'V' },
                                           { NULL, 0, NULL, 0 } };
    *o = (mgr_options){ .config_file = DEFAULT_CONFIG, .level = VS_LOG_INFO };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:fl:hV", longs, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config_file = optarg;
            break;
        case 'f':
            o->foreground = 1;
            break;
        case OPT_ONCE:
            o->once = 1;
            break;
        case OPT_LIST:
            o->list_hosts = 1;
            break;
        case OPT_CHECK:
            o->check_file = optarg;
            break;
        case OPT_SHARD:
            if (mgr_shard_parse(optarg, &o->shard_index, &o->shard_count) < 0) {
                fprintf(stderr, APP ": --shard %s: give I/N with 0 <= I < N <= %d.\n", optarg,
                        MGR_SHARD_MAX);
                return -1;
            }
            break;
        case 'l':
            if (vs_log_level_parse(optarg, &o->level) < 0) {
                fprintf(stderr, APP ": --log-level %s: use err, warning, notice, info or debug.\n",
                        optarg);
                return -1;
            }
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 'V':
            printf(APP " " PACKAGE_VERSION "\n");
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, APP ": unexpected argument '%s'.\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* Load path, printing every problem on stderr. Returns the config or NULL. */
static mgr_config *config_read(const char *path)
{
    vs_buf errors;
    vs_buf_init(&errors, 1 << 20);
    mgr_config *cfg = NULL;
    if (mgr_config_load(path, &cfg, &errors) < 0) {
        fputs(vs_buf_str(&errors), stderr);
        cfg = NULL;
    }
    vs_buf_free(&errors);
    return cfg;
}

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP)
        signals_seen.hup = 1;
    else
        signals_seen.term = 1;
    if (signals_seen.wake_fd >= 0) {
        ssize_t n = write(signals_seen.wake_fd, "s", 1);
        (void)n;
    }
    errno = saved;
}

/* Install the handlers; returns the read end of their wake-up pipe, or -1. */
static int signals_install(void)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
        return -1;
    signals_seen.wake_fd = p[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return p[0];
}

int main(int argc, char **argv)
{
    mgr_options o;
    int rc = options_parse(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? EXIT_SUCCESS : 2;
    vs_log_init(APP, o.level);
    if (o.check_file) {
        mgr_config *cfg = config_read(o.check_file);
        if (cfg)
            printf("%s: valid, %zu hosts.\n", o.check_file, cfg->n_hosts);
        mgr_config_free(cfg);
        return cfg ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    mgr_config *cfg = config_read(o.config_file);
    if (!cfg)
        return EXIT_FAILURE;
    if (o.list_hosts) {
        mgr_core_opts sel = { o.config_file, o.shard_index, o.shard_count, 0, stdout };
        for (size_t i = 0; i < cfg->n_hosts; i++)
            if (mgr_core_host_selected(&sel, cfg->hosts[i].name))
                printf("%s\n", cfg->hosts[i].name);
        mgr_config_free(cfg);
        return EXIT_SUCCESS;
    }
    int daemon = !o.foreground && !o.once;
    /* The daemon changes to "/": SIGHUP must find the file the command line named. */
    char *config_abs = realpath(o.config_file, NULL);
    int ready_fd = daemon ? vs_daemon_fork() : -1;
    if (daemon && ready_fd < 0) {
        fprintf(stderr, APP ": cannot run as a daemon: %s.\n", strerror(errno));
        mgr_config_free(cfg);
        free(config_abs);
        return EXIT_FAILURE;
    }
    char *pid_file = daemon ? strdup(cfg->pid_file) : NULL;
    int pid_fd = daemon ? vs_pid_file_claim(pid_file, APP) : -1;
    int sig_fd = signals_install();
    mgr_core_opts co = { config_abs ? config_abs : o.config_file, o.shard_index, o.shard_count,
                         o.once, stdout };
    mgr_core *core = NULL;
    if ((!daemon || pid_fd >= 0) && sig_fd >= 0)
        core = mgr_core_new(cfg, &co);
    else
        mgr_config_free(cfg);
    if (!core) {
        rc = EXIT_FAILURE;
    } else {
        if (daemon) {
            vs_log_use_syslog(LOG_DAEMON); /* from now on to syslog only */
            vs_daemon_ready(ready_fd);
        }
        rc = mgr_core_run(core, &signals_seen);
        rc = rc < 0 ? EXIT_FAILURE : rc;
        if (!o.once)
            VS_LOG(VS_LOG_NOTICE, NULL, "Stopping.");
    }
    mgr_core_free(core);
    if (pid_fd >= 0) {
        unlink(pid_file);
        close(pid_fd);
    }
    free(pid_file);
    free(config_abs);
    return rc;
}
