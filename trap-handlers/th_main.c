/* virtsight-traphandle: the program snmptrapd runs for each trap (`traphandle default ...`):
 * it routes the trap into the durable spool and exits at once; the same program with
 * --spool-runner is the long-running process that delivers the spool. This file is the command
 * line and the handler's short life. */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "th_config.h"
#include "th_handle.h"
#include "th_input.h"
#include "th_runner.h"
#include "vs_buf.h"
#include "vs_log.h"

#define APP "virtsight-traphandle"
#define DEFAULT_CONFIG "/etc/virtsight/traphandle.xml"

typedef struct {
    const char *config_file;
    const char *check_file; /* --check-config */
    int to_stderr;          /* -f: log to stderr (the runner: stay in the foreground too) */
    int runner;             /* --spool-runner */
    int level_forced;
    vs_log_level level;
} th_options;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " APP " [OPTIONS]                 (run by snmptrapd: one trap on stdin)\n"
            "       " APP " --spool-runner [OPTIONS]  (deliver the spool)\n"
            "Route SNMP traps from snmptrapd to e-mail, Slack, SNMP receivers and log files.\n\n"
            "  -c, --config FILE     the configuration (default " DEFAULT_CONFIG ")\n"
            "  -f, --stderr, --foreground\n"
            "                        log to stderr instead of syslog; with --spool-runner,\n"
            "                        also stay in the foreground\n"
            "      --spool-runner    deliver what the handler spooled, until SIGTERM\n"
            "                        (SIGHUP reloads the configuration)\n"
            "      --check-config FILE  validate FILE and exit (0: valid)\n"
            "  -l, --log-level LEVEL err, warning, notice, info or debug (default: the\n"
            "                        file's log-level, else info)\n"
            "  -h, --help            show this help and exit\n"
            "  -V, --version         show the version and exit\n");
}

/* Parse the command line. Returns 0, 1 to exit with success (help, version), -1 on error. */
static int options_parse(int argc, char **argv, th_options *o)
{
    enum { OPT_CHECK = 256, OPT_RUNNER };
    static const struct option longs[] = { { "config", required_argument, NULL, 'c' },
                                           { "stderr", no_argument, NULL, 'f' },
                                           { "foreground", no_argument, NULL, 'f' },
                                           { "spool-runner", no_argument, NULL, OPT_RUNNER },
                                           { "check-config", required_argument, NULL, OPT_CHECK },
                                           { "log-level", required_argument, NULL, 'l' },
                                           { "help", no_argument, NULL, 'h' },
                                           { "version", no_argument, NULL, 'V' },
                                           { NULL, 0, NULL, 0 } };
    int ch;

    *o = (th_options){ .config_file = DEFAULT_CONFIG, .level = VS_LOG_INFO };
    while ((ch = getopt_long(argc, argv, "c:fl:hV", longs, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config_file = optarg;
            break;
        case 'f':
            o->to_stderr = 1;
            break;
        case OPT_RUNNER:
            o->runner = 1;
            break;
        case OPT_CHECK:
            o->check_file = optarg;
            break;
        case 'l':
            if (vs_log_level_parse(optarg, &o->level) < 0) {
                fprintf(stderr, APP ": --log-level %s: use err, warning, notice, info or debug.\n",
                        optarg);
                return -1;
            }
            o->level_forced = 1;
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

/* Log to stderr or syslog at level. */
static void log_setup(const th_options *o, vs_log_level level)
{
    vs_log_init(APP, level);
    if (!o->to_stderr)
        vs_log_use_syslog(LOG_DAEMON);
}

/* Load path. Every problem goes to stderr, and (logging to syslog) to the log as well, so a
 * broken configuration shows wherever snmptrapd's handlers are looked at. */
static th_config *config_read(const th_options *o, const char *path, int also_log)
{
    vs_buf errors;
    th_config *cfg = NULL;

    vs_buf_init(&errors, 1 << 20);
    if (th_config_load(path, &cfg, &errors) < 0) {
        fputs(vs_buf_str(&errors), stderr);
        const char *p = vs_buf_str(&errors);
        for (size_t len; also_log && !o->to_stderr && *p != '\0'; p += len + (p[len] != '\0')) {
            len = strcspn(p, "\n");
            VS_LOG(VS_LOG_ERR, NULL, "%.*s", (int)len, p);
        }
        cfg = NULL;
    }
    vs_buf_free(&errors);
    return cfg;
}

static double wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Handler mode: one trap from stdin into the spool. Exit 0 whatever the trap held (snmptrapd
 * does not care); 1 only when the configuration cannot be loaded. */
static int handler_run(const th_options *o)
{
    log_setup(o, o->level);
    th_config *cfg = config_read(o, o->config_file, 1);
    if (cfg == NULL) {
        /* Read the input anyway, so snmptrapd never writes into a closed pipe. */
        th_trap *t = NULL;
        if (th_trap_read_fd(STDIN_FILENO, 0, &t) == 0)
            VS_LOG(VS_LOG_ERR, NULL,
                   "A trap from %s was not routed: the configuration %s is "
                   "broken.",
                   t->src_addr != NULL ? t->src_addr : "an unknown source", o->config_file);
        th_trap_free(t);
        return EXIT_FAILURE;
    }
    if (!o->level_forced)
        log_setup(o, cfg->log_level);
    th_handle_drop_privileges(cfg);
    th_handle_result res;
    th_handle_fd(cfg, STDIN_FILENO, wall_now(), &res);
    th_config_free(cfg);
    return EXIT_SUCCESS;
}

/* --spool-runner: deliver until SIGTERM. */
static int runner_run(const th_options *o)
{
    vs_log_init(APP, o->level);
    th_config *cfg = config_read(o, o->config_file, 0);
    if (cfg == NULL)
        return EXIT_FAILURE;
    /* A daemon changes to "/": SIGHUP must find the file the command line named. */
    char *abs = realpath(o->config_file, NULL);
    th_runner_opts ro = { abs != NULL ? abs : o->config_file, o->to_stderr, o->level_forced,
                          o->level };
    int rc = th_runner_run(&ro, cfg);
    free(abs);
    return rc;
}

int main(int argc, char **argv)
{
    th_options o;
    int rc = options_parse(argc, argv, &o);

    if (rc != 0)
        return rc > 0 ? EXIT_SUCCESS : 2;
    signal(SIGPIPE, SIG_IGN);
    if (o.check_file != NULL) {
        o.to_stderr = 1;
        vs_log_init(APP, o.level);
        th_config *cfg = config_read(&o, o.check_file, 0);
        int valid = cfg != NULL;
        if (valid)
            printf("%s: valid, %zu routes%s, %zu notifiers.\n", o.check_file,
                   th_config_n_main_routes(cfg), cfg->default_route ? " and a default" : "",
                   cfg->n_notifiers);
        th_config_free(cfg);
        return valid ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    return o.runner ? runner_run(&o) : handler_run(&o);
}
