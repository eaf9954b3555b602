/* virtsight-subagent: an AgentX subagent serving VIRTSIGHT-MIB from libvirt. The main thread
 * is the SNMP thread: it reads the configuration, joins the master, and answers requests from
 * the snapshots the sampler threads hand over through a wake-up pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "sa_config.h"
#include "sa_ctl.h"
#include "sa_hv.h"
#include "sa_log.h"
#include "sa_mib.h"
#include "sa_names.h"
#include "sa_notify.h"
#include "vs_log.h"
#include "vs_mib.h"

#define APP "virtsight-subagent"
#define DEFAULT_PID_FILE "/run/virtsight-subagent.pid"
#define PING_INTERVAL 1 /* seconds: rejoin a restarted master within 2 s, worst case */

typedef struct {
    int foreground;
    const char *config_file; /* -c; NULL: Net-SNMP's search path */
    const char *pid_file;    /* -p */
    int logging_set;         /* a -L option was given */
    int debug;
} sa_options;

/* Everything the SNMP thread serves from. */
typedef struct {
    sa_config cfg;
    sa_hv *hv[SA_CONFIG_MAX_HV];               /* by ascending hv_index */
    const sa_snapshot *snap[SA_CONFIG_MAX_HV]; /* current snapshot of each */
    sa_view view;
    sa_mib_control control;
    int wake[2];
} sa_state;

static sa_state *state; /* for the SET hooks */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

static void usage(FILE *out)
{
    fprintf(out, "Usage: " APP " [OPTIONS]\n"
                 "Serve VIRTSIGHT-MIB for libvirt hypervisors as an AgentX subagent.\n\n"
                 "  -f            stay in the foreground (log to stderr unless -L says otherwise)\n"
                 "  -c FILE       read only this configuration file\n"
                 "  -x SOCKET     the master's AgentX socket (default: Net-SNMP's)\n"
                 "  -p FILE       write the process ID to FILE (default " DEFAULT_PID_FILE " when\n"
                 "                running as a daemon)\n"
                 "  -L OPTIONS    logging, as for snmpd: -Le, -Lo, -Lf FILE, -Ls FACILITY, ...\n"
                 "  -D[TOKENS]    debug output, for all or the given Net-SNMP debug tokens\n"
                 "  -H            list the configuration directives and exit\n"
                 "  -h, --help    show this help and exit\n"
                 "  -V, --version show the version and exit\n");
}

/* Parse the command line into o (Net-SNMP's own settings are applied at once). Returns 0, 1
 * when the program should exit successfully (help, version, -H), or -1 for a usage error. */
static int parse_args(int argc, char **argv, sa_options *o, int *list_directives)
{
    static const struct option longs[] = { { "help", no_argument, NULL, 'h' },
                                           { "version", no_argument, NULL, 'V' },
                                           { NULL, 0, NULL, 0 } };
    int c;
    memset(o, 0, sizeof(*o));
    *list_directives = 0;
    while ((c = getopt_long(argc, argv, "fc:x:p:L:D::HhV", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->foreground = 1;
            break;
        case 'c':
            o->config_file = optarg;
            break;
        case 'x':
            netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, optarg);
            break;
        case 'p':
            o->pid_file = optarg;
            break;
        case 'L':
            if (snmp_log_options(optarg, argc, argv) < 0) {
                fprintf(stderr, APP ": bad logging option -L%s.\n", optarg);
                return -1;
            }
            o->logging_set = 1;
            break;
        case 'D':
            debug_register_tokens(optarg != NULL ? optarg : "ALL");
            snmp_set_do_debugging(1);
            o->debug = 1;
            break;
        case 'H':
            *list_directives = 1;
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
        fprintf(stderr, APP ": unexpected argument \"%s\".\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    return 0;
}

/* Write the process ID to path, atomically. Returns 0 or -1 (logged). */
static int pid_file_write(const char *path)
{
    char tmp[4096], text[32];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) != 0 || rename(tmp, path) != 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot write the PID file %s: %s.", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return -1;
    }
    return 0;
}

/* Read the configuration through Net-SNMP and check it. Returns 0 or -1 (reported). */
static int config_load(sa_state *st, const sa_options *o)
{
    const char *source = o->config_file ? o->config_file : APP ".conf";
    if (o->config_file != NULL) {
        FILE *f = fopen(o->config_file, "r");
        if (f == NULL) {
            fprintf(stderr, "%s: cannot read the configuration: %s.\n", o->config_file,
                    strerror(errno));
            return -1;
        }
        fclose(f);
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG, o->config_file);
    }
    sa_log_hold();
    init_snmp(APP);
    int errors = sa_log_release();
    if (errors > 0) {
        fprintf(stderr, APP ": %d error%s in the configuration; not starting.\n", errors,
                errors == 1 ? "" : "s");
        return -1;
    }
    return sa_config_finish(&st->cfg, source);
}

static int wake_write_fd = -1;

/* Signal handler: note the signal and wake the main loop through the pipe. */
static void on_signal(int sig)
{
    int saved = errno;
    on_stop_signal(sig);
    if (wake_write_fd >= 0 && write(wake_write_fd, "s", 1) < 0) {
        /* The pipe is full: the loop is waking anyway. */
    }
    errno = saved;
}

/* Jobs came back from hypervisor i: record their outcomes, notify the failures. */
static void jobs_done(sa_state *st, size_t i, sa_ctl_job *done)
{
    while (done != NULL) {
        sa_ctl_job *next = done->next;
        const sa_ctl_result *r = sa_ctl_result_done(done);
        if (done->failed)
            sa_notify_admin_failed(st->snap[i], done, r != NULL ? r->text : done->error);
        free(done);
        done = next;
    }
}

/* The wake-up pipe is readable: take what each hypervisor posted. Events first (they are
 * checked against the snapshot they came after), then the newest snapshot, then the jobs
 * carried out before it was sampled. */
static void on_wake(int fd, void *data)
{
    sa_state *st = data;
    char buf[256];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    for (size_t i = 0; i < st->cfg.n_hv; i++) {
        sa_event *events;
        sa_ctl_job *done;
        sa_snapshot *s = sa_hv_take(st->hv[i], &events, &done);
        sa_notify_events(i, st->snap[i], events);
        if (s != NULL) {
            sa_notify_snapshot(i, st->snap[i], s);
            sa_snapshot_unref((sa_snapshot *)st->snap[i]);
            st->snap[i] = s;
        }
        jobs_done(st, i, done);
    }
}

static int hook_online(size_t hv)
{
    return sa_hv_online(state->hv[hv]);
}

static void hook_submit(size_t hv, sa_ctl_job *job)
{
    sa_hv_submit(state->hv[hv], job);
}

/* The snapshot served before a hypervisor's first sample: its identity, "connecting". */
static sa_snapshot *snapshot_connecting(const sa_hv_conf *c)
{
    sa_snapshot *s = sa_snapshot_new();
    char *uri = sa_names_uri_public(c->uri);
    if (s == NULL || uri == NULL) {
        free(uri);
        sa_snapshot_unref(s);
        return NULL;
    }
    s->hv_index = c->index;
    s->name = vs_arena_strdup(&s->arena, c->name);
    s->uri = vs_arena_strdup(&s->arena, uri);
    s->conn_state = VS_HV_CONN_STATE_CONNECTING;
    free(uri);
    if (s->name == NULL || s->uri == NULL || sa_snapshot_index_uuids(s) < 0) {
        sa_snapshot_unref(s);
        return NULL;
    }
    return s;
}

static int hv_index_cmp(const void *a, const void *b)
{
    const sa_hv_conf *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* Create every hypervisor's context, in index order, and its first snapshot. */
static int hypervisors_create(sa_state *st)
{
    sa_hv_opts opts = { st->cfg.refresh_interval, st->cfg.state_dir, st->cfg.lifecycle_events };
    sa_hv_conf sorted[SA_CONFIG_MAX_HV];

    memcpy(sorted, st->cfg.hv, st->cfg.n_hv * sizeof(sorted[0]));
    qsort(sorted, st->cfg.n_hv, sizeof(sorted[0]), hv_index_cmp);
    for (size_t i = 0; i < st->cfg.n_hv; i++) {
        st->snap[i] = snapshot_connecting(&sorted[i]);
        st->hv[i] = sa_hv_new(&sorted[i], &opts, st->wake[1]);
        if (st->snap[i] == NULL || st->hv[i] == NULL) {
            VS_LOG(VS_LOG_ERR, sorted[i].name, "Cannot set up this hypervisor.");
            return -1;
        }
        sa_notify_snapshot(i, NULL, st->snap[i]);
    }
    st->view.hv = st->snap;
    st->view.n_hv = st->cfg.n_hv;
    return 0;
}

/* Start the libvirt event loop and every sampler thread with the stop signals blocked, so
 * that those threads never take them. */
static int threads_start(sa_state *st)
{
    sigset_t block, old;
    int rc = 0;

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    if (sa_libvirt_init() < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < st->cfg.n_hv; i++)
        rc = sa_hv_start(st->hv[i]);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static void signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: select returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Serve until a stop signal or a refused registration. Returns the exit status. */
static int serve(void)
{
    while (1) {
        if (stop_signal == SIGHUP) {
            VS_LOG(VS_LOG_NOTICE, NULL,
                   "SIGHUP: reloading is not supported; restart " APP
                   " to apply configuration changes.");
            stop_signal = 0;
        }
        if (stop_signal != 0) {
            VS_LOG(VS_LOG_NOTICE, NULL, "Stopping on signal %d.", (int)stop_signal);
            return 0;
        }
        if (sa_log_registration_failed()) {
            VS_LOG(VS_LOG_ERR, NULL,
                   "The AgentX master refused to register VIRTSIGHT-MIB's subtree: another "
                   "subagent already serves it. Stopping.");
            return 1;
        }
        agent_check_and_process(1);
    }
}

/* Stop the threads and free everything. */
static void state_free(sa_state *st)
{
    for (size_t i = 0; i < st->cfg.n_hv; i++)
        sa_hv_stop(st->hv[i], 3.0);
    sa_libvirt_shutdown();
    for (size_t i = 0; i < st->cfg.n_hv; i++) {
        sa_hv_free(st->hv[i]);
        sa_snapshot_unref((sa_snapshot *)st->snap[i]);
    }
    sa_notify_shutdown();
    sa_mib_set_free();
    sa_ctl_result_clear();
    sa_config_free(&st->cfg);
}

/* Set up logging and the agent role; -H lists the directives here. Returns 0, 1 to exit
 * successfully, or -1. */
static int agent_init(sa_state *st, const sa_options *o, int list_directives)
{
    if (!o->logging_set) {
        if (o->foreground || list_directives)
            snmp_enable_stderrlog();
        else
            snmp_enable_syslog_ident(APP, LOG_DAEMON);
    }
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE, APP);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    sa_log_init();
    if (init_agent(APP) != 0) {
        fprintf(stderr, APP ": cannot initialise the agent library.\n");
        return -1;
    }
    /* init_agent sets the ping interval to 15 s; a configured agentXPingInterval, read by
     * init_snmp later, still overrides this. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       PING_INTERVAL);
    sa_config_register(&st->cfg);
    sa_notify_watch_master();
    if (list_directives) {
        read_config_print_usage("  ");
        return 1;
    }
    return sa_mib_register();
}

int main(int argc, char **argv)
{
    static sa_state st;
    sa_options o;
    int list_directives, rc;

    setenv("MIBS", "", 1); /* the subagent needs no MIB files */
    vs_log_init(APP, VS_LOG_NOTICE);
    rc = parse_args(argc, argv, &o, &list_directives);
    if (rc != 0)
        return rc < 0 ? 1 : 0;
    if (o.debug)
        vs_log_init(APP, VS_LOG_DEBUG);
    rc = agent_init(&st, &o, list_directives);
    if (rc != 0) {
        sa_config_free(&st.cfg);
        return rc < 0 ? 1 : 0;
    }
    if (config_load(&st, &o) < 0 || sa_log_registration_failed()) {
        if (sa_log_registration_failed())
            fprintf(stderr, APP ": the AgentX master refused to register VIRTSIGHT-MIB's "
                                "subtree: another subagent already serves it.\n");
        snmp_shutdown(APP);
        sa_config_free(&st.cfg);
        return 1;
    }
    if (sa_notify_init(st.cfg.state_dir, st.cfg.hold_down, st.cfg.n_hv) < 0) {
        snmp_shutdown(APP);
        sa_notify_shutdown();
        sa_config_free(&st.cfg);
        return 1;
    }
    sa_notify_master_away(); /* logs only when init_snmp could not join the master */
    state = &st;
    st.control = (sa_mib_control){ st.cfg.power_control, hook_online, hook_submit };
    if (!o.foreground && netsnmp_daemonize(1, snmp_stderrlog_status()) != 0) {
        fprintf(stderr, APP ": cannot run as a daemon.\n");
        return 1;
    }
    const char *pid_file = o.pid_file ? o.pid_file : (o.foreground ? NULL : DEFAULT_PID_FILE);
    if ((pid_file != NULL && pid_file_write(pid_file) < 0)
        || pipe2(st.wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snmp_shutdown(APP);
        return 1;
    }
    wake_write_fd = st.wake[1];
    register_readfd(st.wake[0], on_wake, &st);
    signals_install();
    if (hypervisors_create(&st) < 0 || threads_start(&st) < 0) {
        rc = 1;
    } else {
        sa_mib_set_view(&st.view, sa_notify_control());
        sa_mib_set_control(&st.control);
        VS_LOG(VS_LOG_NOTICE, NULL, APP " " PACKAGE_VERSION " serving %zu hypervisor%s.",
               st.cfg.n_hv, st.cfg.n_hv == 1 ? "" : "s");
        rc = serve();
    }
    sa_mib_set_view(NULL, NULL);
    sa_mib_set_control(NULL);
    state_free(&st);
    snmp_shutdown(APP);
    if (pid_file != NULL)
        unlink(pid_file);
    return rc;
}
