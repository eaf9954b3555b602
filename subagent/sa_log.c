/* sa_log: the subagent's one log, on Net-SNMP's handlers, with configuration errors rewritten
 * as "file:line: message" and refused AgentX registrations noticed. */
#include "config.h"

#include "sa_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vs_buf.h"
#include "vs_log.h"

#define HELD_MAX (256 * 1024)
#define HANDLERS_MAX 32

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int holding;
static vs_buf held; /* "priority line\n" records */
static int config_errors;
static volatile int registration_failed;
static netsnmp_log_handler *watcher;
static netsnmp_log_handler *disabled[HANDLERS_MAX];
static size_t n_disabled;

/* vs_log's sink: hand the line to Net-SNMP, one thread at a time. */
static void sink_netsnmp(vs_log_level level, const char *line, void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&log_lock);
    snmp_log((int)level, "%s\n", line);
    pthread_mutex_unlock(&log_lock);
}

/* Rewrite "FILE: line N: Error: MSG" (or Warning) as "FILE:N: MSG" into out; 0 if it was one. */
static int config_message(const char *msg, char *out, size_t size)
{
    const char *p = strstr(msg, ": line ");
    if (p == NULL)
        return -1;
    const char *num = p + 7;
    size_t digits = strspn(num, "0123456789");
    const char *kind = num + digits;
    const char *text;
    if (digits == 0)
        return -1;
    if (strncmp(kind, ": Error: ", 9) == 0)
        text = kind + 9;
    else if (strncmp(kind, ": Warning: ", 11) == 0)
        text = kind + 11;
    else
        return -1;
    snprintf(out, size, "%.*s:%.*s: %s", (int)(p - msg), msg, (int)digits, num, text);
    return 0;
}

/* Net-SNMP's logging callback: sees every message. */
static int on_log(int major, int minor, void *server_arg, void *client_arg)
{
    const struct snmp_log_message *m = server_arg;
    (void)major;
    (void)minor;
    (void)client_arg;
    if (m == NULL || m->msg == NULL)
        return 0;
    if (strstr(m->msg, "registering pdu failed") != NULL)
        registration_failed = 1;
    if (!holding)
        return 0;
    char line[2048];
    if (config_message(m->msg, line, sizeof(line)) == 0) {
        config_errors++;
        vs_buf_appendf(&held, "%d %s", m->priority, line);
    } else {
        vs_buf_appendf(&held, "%d %s", m->priority, m->msg);
    }
    size_t n = held.len;
    if (n > 0 && vs_buf_str(&held)[n - 1] != '\n')
        vs_buf_append_str(&held, "\n");
    return 0;
}

void sa_log_init(void)
{
    vs_buf_init(&held, HELD_MAX);
    vs_log_set_sink(sink_netsnmp, NULL);
    watcher = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
}

void sa_log_hold(void)
{
    n_disabled = 0;
    for (netsnmp_log_handler *h = get_logh_head(); h != NULL; h = h->next) {
        if (h != watcher && h->enabled && n_disabled < HANDLERS_MAX) {
            netsnmp_disable_this_loghandler(h);
            disabled[n_disabled++] = h;
        }
    }
    holding = 1;
}

int sa_log_release(void)
{
    holding = 0;
    for (size_t i = 0; i < n_disabled; i++)
        netsnmp_enable_this_loghandler(disabled[i]);
    n_disabled = 0;
    char *copy = vs_buf_steal(&held);
    char *save = NULL;
    for (char *rec = copy ? strtok_r(copy, "\n", &save) : NULL; rec != NULL;
         rec = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(rec, ' ');
        int pri = sp != NULL && rec[0] >= '0' && rec[0] <= '7' ? rec[0] - '0' : LOG_NOTICE;
        const char *text = sp != NULL ? sp + 1 : rec;
        snmp_log(pri, "%s\n", text);
        if (config_errors > 0 && !snmp_stderrlog_status() && pri <= LOG_WARNING)
            fprintf(stderr, "%s\n", text);
    }
    free(copy);
    vs_buf_free(&held);
    return config_errors;
}

int sa_log_registration_failed(void)
{
    return registration_failed;
}
